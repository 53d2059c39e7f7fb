"""Image files read when decoding reaches them, not all at once.

A folder of 10,000 photos of 3 MB each is 30 GB of bytes; reading every file before decoding
the first held all of them in memory. :class:`LazyBlobs` is the ``(name, bytes)`` sequence
:func:`clustering.images.decode_images` takes, with each file read when it is asked for (and
let go once decoded), so a collection's bytes are never in memory together.
"""

from __future__ import annotations

import io
import threading
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from .safezip import read_member

__all__ = ["LazyBlobs", "file_blobs", "folder_blobs", "opened", "zip_blobs"]


class LazyBlobs(Sequence):
    """``(name, bytes)`` pairs whose bytes are read by ``read(name)`` on each access.

    Parameters
    ----------
    names : list of str
        The files, in the order they are read.
    read : callable
        A file's bytes from its name (called again on each access: nothing is kept).
    open_file : callable, optional
        A file's open binary handle and size in bytes from its name, so that a reader of its
        header (:func:`opened`) reads only the header: a TIFF's tags, a JPEG's first
        segments. Without it, the handle holds the bytes ``read`` gives.

    Examples
    --------
    >>> blobs = LazyBlobs(["a", "b"], lambda name: name.encode() * 2)
    >>> len(blobs), blobs[1], [name for name, _ in blobs]
    (2, ('b', b'bb'), ['a', 'b'])
    """

    def __init__(self, names: list[str], read: Callable[[str], bytes],
                 open_file: Callable[[str], tuple[BinaryIO, int]] | None = None):
        self.names = list(names)
        self._read = read
        self._open = open_file

    def __len__(self) -> int:
        """How many files."""
        return len(self.names)

    def __getitem__(self, index):
        """File ``index``'s name and bytes (read now), or a list of them for a slice."""
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        name = self.names[index]
        return name, self._read(name)

    def opened(self, index: int) -> tuple[str, BinaryIO, int]:
        """File ``index``'s name, an open binary handle on it and its size in bytes."""
        name = self.names[index]
        if self._open is not None:
            return (name, *self._open(name))
        data = self._read(name)
        return name, io.BytesIO(data), len(data)


def opened(blobs: Sequence[tuple[str, bytes]], index: int) -> tuple[str, BinaryIO, int]:
    """Item ``index`` of ``blobs`` as a name, an open binary handle and a size in bytes.

    Examples
    --------
    >>> name, handle, size = opened([("a.png", b"abc")], 0)
    >>> name, handle.read(2), size
    ('a.png', b'ab', 3)
    """
    if isinstance(blobs, LazyBlobs):
        return blobs.opened(index)
    name, data = blobs[index]
    return name, io.BytesIO(data), len(data)


def _open_on_disk(path: Path) -> tuple[BinaryIO, int]:
    """The file at ``path`` opened for reading, and its size in bytes."""
    handle = path.open("rb")
    return handle, path.stat().st_size


def folder_blobs(folder: Path, names: list[str]) -> LazyBlobs:
    """The files ``names`` (relative to ``folder``), each read when asked for.

    A header is read from the file itself (:meth:`LazyBlobs.opened`): checking 24 GB of
    micrographs' sizes read 24 GB before.
    """
    return file_blobs(names, [folder / name for name in names])


def file_blobs(names: list[str], paths: list[str] | list[Path]) -> LazyBlobs:
    """The files at ``paths``, named ``names`` (one file a name), each read when asked for.

    A partitioned run's chunk of images (``workspace.chunk_tasks``): 2,000 photos of 3 MB
    were read whole, 6 GB a task, before the first was decoded.

    Examples
    --------
    >>> blobs = file_blobs(["a.png"], ["/no/such/a.png"])  # nothing is read yet
    >>> blobs.names
    ['a.png']
    """
    where = dict(zip(names, map(Path, paths), strict=True))
    if any(where[name] != Path(path) for name, path in zip(names, paths, strict=True)):
        raise ValueError("file_blobs needs one file a name")  # a name may come twice
    return LazyBlobs(names, lambda name: where[name].read_bytes(),
                     lambda name: _open_on_disk(where[name]))


@contextmanager
def zip_blobs(path: Path, members: list[zipfile.ZipInfo]) -> Iterator[LazyBlobs]:
    """The checked ``members`` of the zip at ``path``, each read when asked for.

    Never past a member's declared size (:func:`clustering.safezip.read_member`), and only
    while the archive is open (inside the ``with``). Reads are taken one at a time (one
    open archive shared by the decoding threads).
    """
    lock = threading.Lock()
    with zipfile.ZipFile(path) as archive:
        by_name = {m.filename: m for m in members}

        def read(name: str) -> bytes:
            with lock:
                return read_member(archive, by_name[name])

        yield LazyBlobs([m.filename for m in members], read)
