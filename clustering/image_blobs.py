"""Image files read when decoding reaches them, not all at once.

A folder of 10,000 photos of 3 MB each is 30 GB of bytes; reading every file before decoding
the first held all of them in memory. :class:`LazyBlobs` is the ``(name, bytes)`` sequence
:func:`clustering.images.decode_images` takes, with each file read when it is asked for (and
let go once decoded), so a collection's bytes are never in memory together.
"""

from __future__ import annotations

import threading
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from .safezip import read_member

__all__ = ["LazyBlobs", "folder_blobs", "zip_blobs"]


class LazyBlobs(Sequence):
    """``(name, bytes)`` pairs whose bytes are read by ``read(name)`` on each access.

    Parameters
    ----------
    names : list of str
        The files, in the order they are read.
    read : callable
        A file's bytes from its name (called again on each access: nothing is kept).

    Examples
    --------
    >>> blobs = LazyBlobs(["a", "b"], lambda name: name.encode() * 2)
    >>> len(blobs), blobs[1], [name for name, _ in blobs]
    (2, ('b', b'bb'), ['a', 'b'])
    """

    def __init__(self, names: list[str], read: Callable[[str], bytes]):
        self.names = list(names)
        self._read = read

    def __len__(self) -> int:
        """How many files."""
        return len(self.names)

    def __getitem__(self, index):
        """File ``index``'s name and bytes (read now), or a list of them for a slice."""
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        name = self.names[index]
        return name, self._read(name)


def folder_blobs(folder: Path, names: list[str]) -> LazyBlobs:
    """The files ``names`` (relative to ``folder``), each read when asked for."""
    return LazyBlobs(names, lambda name: (folder / name).read_bytes())


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
