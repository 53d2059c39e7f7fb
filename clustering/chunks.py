"""Plan a large input as chunks without reading its data, and read one chunk at a time.

A collection too large for one process is a folder or glob of Parquet files, one Parquet
file, a ``.npy`` matrix (memory-mapped) or a folder of images. :func:`plan_chunks` reads only
metadata (Parquet footers, the ``.npy`` header, file names) and cuts the rows into chunks of
about ``chunk_rows``; :func:`read_chunk` reads one of them as a DataFrame whose first column
(:data:`ID`) holds each row's id: the id column's value, else the row's number in the whole
input, so it does not depend on how the rows are split into files. :func:`id_hashes` turns
ids into the 64-bit hashes the deterministic sample is drawn by.
"""

from __future__ import annotations

import glob
import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import InputError

__all__ = ["CHUNK_ROWS", "Chunk", "id_hashes", "is_partitioned_source", "plan_chunks",
           "read_chunk"]

log = logging.getLogger(__name__)

CHUNK_ROWS = 100_000
"""Default rows per chunk (one task of the assignment)."""
IMAGE_CHUNK = 2_000
"""Default images per chunk."""
ID = "_clusterlab_id"
"""The column :func:`read_chunk` puts each row's id in."""


@dataclass(frozen=True)
class Chunk:
    """One piece of the input, described by where it is (never by its values).

    Parameters
    ----------
    index : int
        Position among the chunks (its output part is ``part-<index>``).
    kind : {"parquet", "npy", "images"}
    start : int
        Number of the chunk's first row in the whole input.
    rows : int
    path : str
        The Parquet or ``.npy`` file, or the image folder.
    row_groups : list of int
        Parquet row groups of the chunk.
    files : list of str
        Image files of the chunk, relative to ``path``.
    """

    index: int
    kind: str
    start: int
    rows: int
    path: str
    row_groups: list[int] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """Plain dict (JSON, task arguments)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> Chunk:
        """Inverse of :meth:`to_dict`."""
        return cls(**d)


def is_partitioned_source(source: str) -> bool:
    """Whether ``source`` is a folder of Parquet files or a glob (read in chunks only)."""
    if source.startswith("demo:"):
        return False
    if any(c in source for c in "*?["):
        return True
    path = Path(source)
    return path.is_dir() and any(path.glob("*.parquet"))


def parquet_files(source: str) -> list[Path]:
    """The Parquet files of a folder, a glob or one file, in name order."""
    if any(c in source for c in "*?["):
        files = [Path(p) for p in sorted(glob.glob(source, recursive=True))]
    elif Path(source).is_dir():
        files = sorted(Path(source).glob("*.parquet"))
    else:
        files = [Path(source)]
    files = [f for f in files if f.is_file() and f.suffix.lower() in (".parquet", ".pq")]
    if not files:
        raise InputError(f"'{source}' holds no Parquet file; give a folder or glob of "
                         ".parquet files, one .parquet or .npy file, or an image folder.")
    return files


def plan_chunks(source: str, chunk_rows: int = CHUNK_ROWS) -> list[Chunk]:
    """Cut an input into chunks from its metadata only.

    Parameters
    ----------
    source : str
        A folder or glob of Parquet files, a ``.parquet``/``.npy`` file, or an image folder.
    chunk_rows : int
        About this many rows per chunk (Parquet chunks are whole row groups; a chunk never
        spans two files).

    Returns
    -------
    list of Chunk

    Raises
    ------
    InputError
        The input does not exist, is empty or is of a type read whole only.

    Examples
    --------
    >>> import tempfile, numpy as np
    >>> path = tempfile.mkdtemp() + "/x.npy"
    >>> np.save(path, np.zeros((250, 3), np.float32))
    >>> [(c.start, c.rows) for c in plan_chunks(path, chunk_rows=100)]
    [(0, 100), (100, 100), (200, 50)]
    """
    if chunk_rows < 1:
        raise InputError(f"chunk size must be at least 1 row, not {chunk_rows}.")
    path = Path(source)
    if not any(c in source for c in "*?[") and not path.exists():
        raise InputError(f"'{source}' does not exist; check the path.")
    if path.suffix.lower() == ".npy":
        return _plan_npy(path, chunk_rows)
    if path.is_dir() and not any(path.glob("*.parquet")):
        return _plan_images(path, min(chunk_rows, IMAGE_CHUNK))
    if path.is_file() and path.suffix.lower() not in (".parquet", ".pq"):
        raise InputError(f"'{path.name}' cannot be read in chunks; give a folder or glob of "
                         "Parquet files, a CSV, JSON Lines or one-text-per-line .txt file (also "
                         "gzipped), a .parquet or .npy file, or an image folder (pandas: read "
                         "it, then .to_parquet).")
    return _plan_parquet(parquet_files(source), chunk_rows)


def _plan_parquet(files: list[Path], chunk_rows: int) -> list[Chunk]:
    import pyarrow.parquet as pq

    chunks: list[Chunk] = []
    start = 0
    for file in files:
        try:
            meta = pq.ParquetFile(file).metadata
        except Exception as exc:  # noqa: BLE001 - pyarrow raises several types here
            raise InputError(f"'{file.name}' is not a readable Parquet file ({exc}).") from None
        groups: list[int] = []
        rows = 0
        for g in range(meta.num_row_groups):
            groups.append(g)
            rows += meta.row_group(g).num_rows
            if rows >= chunk_rows or g == meta.num_row_groups - 1:
                if rows:
                    chunks.append(Chunk(len(chunks), "parquet", start, rows, str(file.resolve()),
                                        row_groups=groups))
                start += rows
                groups, rows = [], 0
    if not chunks:
        raise InputError("The Parquet input holds no rows.")
    return chunks


def _plan_npy(path: Path, chunk_rows: int) -> list[Chunk]:
    try:
        arr = np.load(path, allow_pickle=False, mmap_mode="r")
    except ValueError as exc:
        raise InputError(f"'{path.name}' is not a plain numeric .npy file ({exc}); save a "
                         "2-D float array with np.save.") from None
    if arr.ndim != 2 or arr.dtype.kind not in "fiu" or len(arr) == 0:
        images = (" (an array of images is read by the local engine; past one machine, "
                  "save them as a folder of PNGs)" if arr.ndim in (3, 4) else "")
        raise InputError(f"'{path.name}' must hold a non-empty 2-D numeric array (rows x "
                         f"dimensions), not shape {arr.shape} of {arr.dtype}{images}.")
    return [Chunk(i, "npy", s, min(chunk_rows, len(arr) - s), str(path.resolve()))
            for i, s in enumerate(range(0, len(arr), chunk_rows))]


def _plan_images(folder: Path, per_chunk: int) -> list[Chunk]:
    from .images import FORMATS_READ, image_files

    # the order the image loader reads a folder in, so a view of the rows loads in the
    # order of the run's parts
    every, files = image_files(folder)
    if not files:
        from .text_folders import TEXT_SUFFIXES

        if any(Path(f).suffix.lower() in TEXT_SUFFIXES for f in every):
            raise InputError(f"'{folder.name}' is a folder of text files, which is read whole, "
                             "not in chunks: leave out --sample and --engine dask (or save the "
                             "texts as one column of a CSV or Parquet file, which can be).")
        raise InputError(f"'{folder.name}' holds no Parquet file and no {FORMATS_READ} "
                         "image.")
    return [Chunk(i, "images", s, len(files[s:s + per_chunk]), str(folder.resolve()),
                  files=files[s:s + per_chunk])
            for i, s in enumerate(range(0, len(files), per_chunk))]


def read_chunk(chunk: Chunk, id_column: str | None = None,
               columns: list[str] | None = None) -> pd.DataFrame:
    """The rows of one chunk, with their ids in an ``id`` column first.

    Parameters
    ----------
    chunk : Chunk
    id_column : str, optional
        The column that holds the ids (else the row numbers in the whole input).
    columns : list of str, optional
        Read only these columns (Parquet); the id column is added.

    Returns
    -------
    DataFrame
        :data:`ID` first, then for Parquet the file's columns; ``.npy``: ``dim_0 ...``;
        images: ``file`` (absolute path) and ``folder`` (the parent folder's name).
    """
    if chunk.kind == "parquet":
        import pyarrow.parquet as pq

        from .json_tables import flatten_structs, spread_vectors

        file = pq.ParquetFile(chunk.path)
        wanted = None if columns is None else list(dict.fromkeys(
            [*columns, *([id_column] if id_column else [])]))
        stored = None if wanted is None else list(dict.fromkeys(
            _stored_name(name, file.schema_arrow.names) for name in wanted))
        frame = spread_vectors(flatten_structs(  # a struct: col.field; a list: col[i]
            file.read_row_groups(chunk.row_groups, columns=stored).to_pandas()))
        if wanted is not None:
            frame = frame[[name for name in wanted if name in frame.columns]]
        if id_column and id_column not in frame.columns:
            raise InputError(f"'{Path(chunk.path).name}' has no column '{id_column}' (given as "
                             "the id column).")
    elif chunk.kind == "npy":
        arr = np.load(chunk.path, allow_pickle=False, mmap_mode="r")
        block = np.asarray(arr[chunk.start:chunk.start + chunk.rows], dtype=np.float32)
        frame = pd.DataFrame(block, columns=[f"dim_{j}" for j in range(block.shape[1])])
    else:
        frame = pd.DataFrame({
            "file": [str(Path(chunk.path, f)) for f in chunk.files],
            "folder": [Path(f).parent.name or "." for f in chunk.files]})
    ids = frame.pop(id_column).astype(str).to_numpy(object) if id_column and \
        chunk.kind == "parquet" else (np.array(chunk.files, dtype=object)
                                      if chunk.kind == "images" else
                                      np.arange(chunk.start, chunk.start + len(frame)).astype(str)
                                      .astype(object))
    frame.insert(0, ID, ids)
    return frame


def _stored_name(name: str, stored: list[str]) -> str:
    """The Parquet column that holds ``name``.

    Itself, for ``emb[3]`` the list ``emb`` spread into columns
    (:func:`clustering.json_tables.spread_vectors`), for ``meta.site`` the struct ``meta``
    (:func:`clustering.json_tables.flatten_structs`).

    Examples
    --------
    >>> _stored_name("emb[3]", ["id", "emb"]), _stored_name("x", ["x"])
    ('emb', 'x')
    >>> _stored_name("meta.site", ["meta"]), _stored_name("a.b", ["a.b"])
    ('meta', 'a.b')
    """
    if name in stored:
        return name
    if "." in name and name.split(".")[0] in stored:  # a struct's field
        return name.split(".")[0]
    if not name.endswith("]") or "[" not in name:
        return name
    base = name[:name.rindex("[")]
    return base if base in stored else name


def id_hashes(ids: np.ndarray) -> np.ndarray:
    """64-bit hashes of row ids (the same in every process and for every split of the rows).

    Examples
    --------
    >>> h = id_hashes(np.array(["a", "b", "a"], dtype=object))
    >>> h.dtype, bool(h[0] == h[2]), bool(h[0] == h[1])
    (dtype('uint64'), True, False)
    """
    return pd.util.hash_array(np.asarray(ids, dtype=object).astype(str).astype(object))
