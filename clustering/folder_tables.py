"""A table beside the files of a folder or zip that names each file's group.

Data sets are often handed over as one flat folder of images (or text files) and a table
such as ``train.csv`` (``image_id,label``), not as a sub-folder per group. Such a table is
found by a column whose values name the files (as a path, a file name or a name without its
ending); the column the user names as the label column (``--label-column``) is then the
ground truth of each file, and its other columns are kept beside the files for colouring,
search and export. Without a label column, a note says which columns could be one.
"""

from __future__ import annotations

import functools
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import InputError
from .safezip import checked_members, read_member
from .tables import TABLE_SUFFIXES, read_table

__all__ = ["FOLDER_LABEL", "FolderTable", "chunk_labels", "columns_beside", "folder_labels",
           "folder_table", "label_table_columns", "label_tables"]

FOLDER_LABEL = "folder"
"""The label name of a folder's sub-folders (the ground truth without a table)."""
MATCHED = 0.5
"""A column names the files when it names at least this share of them."""


def folder_labels(names: list[str]) -> np.ndarray | None:
    """Each file's sub-folder, when every file is in one and there are several (else None)."""
    parents = [Path(n).parent.as_posix() for n in names]
    if all(p not in ("", ".") for p in parents) and 1 < len(set(parents)) < len(names):
        return np.array([Path(p).name for p in parents], dtype=object)
    return None


def label_tables(names: list[str]) -> list[str]:
    """The table files among a folder's files (a ``.txt`` is a text, not a table)."""
    return [n for n in names if Path(n).suffix.lower() != ".txt"
            and (Path(n).suffix.lower() in TABLE_SUFFIXES
                 or n.lower().endswith(tuple(s for s in TABLE_SUFFIXES if s.endswith(".gz"))))]


def _read(path: Path, member: str) -> pd.DataFrame:
    """A table of a folder, or of a zip (its checked bytes through a temporary file)."""
    if path.is_dir():
        stat = (path / member).stat()
        return _read_file(str(path / member), stat.st_mtime_ns, stat.st_size)
    info = next(m for m in checked_members(path) if m.filename == member)
    with zipfile.ZipFile(path) as zf:
        blob = read_member(zf, info)
    with tempfile.TemporaryDirectory() as folder:
        local = Path(folder) / Path(member).name
        local.write_bytes(blob)
        return read_table(local)


@functools.lru_cache(maxsize=4)
def _read_file(path: str, mtime_ns: int, size: int) -> pd.DataFrame:
    """A folder's table, read once per process while unchanged.

    A chunked run's tasks each look up their images in it; callers do not change the frame.
    """
    return read_table(Path(path))


LISTING_SECONDS = 60
"""How long a process reuses a folder's list of tables (:func:`_tables_below`): a table
added in a sub-folder leaves the folder's own time unchanged, so the list is keyed by the
minute as well (a chunked run's tasks, seconds apart, still list the folder once)."""


@functools.lru_cache(maxsize=4)
def _tables_below(root: str, mtime_ns: int, minute: int) -> tuple[str, ...]:
    """The table files of a folder, listed once a minute while the folder is unchanged.

    ``minute`` counts :data:`LISTING_SECONDS` of the process's clock. As
    :func:`label_table_columns` finds them: links not followed, hidden ones left out.
    """
    from .text_folders import folder_members

    return tuple(label_tables(folder_members(Path(root))))


def chunk_labels(root: Path, files: list[str], label_column: str) -> np.ndarray:
    """The ground truth of some of a folder's images from the table beside them.

    A run in chunks (``--sample``) reads its images a chunk at a time; each chunk finds its
    files in the table as :func:`folder_table` finds a whole folder's (the table is read
    once per process).

    Parameters
    ----------
    root : Path
        The image folder.
    files : list of str
        The chunk's images, as paths from ``root``.
    label_column : str
        The table's column that is the ground truth.

    Returns
    -------
    ndarray of object
        Each file's value in that column, None where the table does not name the file (all
        None for a chunk of files it does not name, such as a folder of unlabelled ones).

    Raises
    ------
    InputError
        No table of the folder has the column.
    """
    from .role_columns import did_you_mean

    usable, columns = [], []
    for table in _tables_below(str(root), root.stat().st_mtime_ns,
                               int(time.monotonic() // LISTING_SECONDS)):
        try:
            own = [str(c) for c in _read(root, table).columns]
        except InputError:
            continue  # a table that does not read is no reason to refuse the images
        columns += own
        if label_column in own:
            usable.append(table)
    if not usable:
        raise InputError(f"No table in '{root.name}' has a column '{label_column}'"
                         f"{did_you_mean(label_column, columns)}; name a column of the table "
                         "that names the images (such as labels.csv) as the label column, or "
                         "leave it out to use the sub-folders.")
    try:
        return folder_table(root, usable, files, label_column).labels
    except InputError:  # the table names too few of this chunk's files
        return np.full(len(files), None, dtype=object)


def _keys(name: str) -> tuple[str, str, str]:
    """How a table may name a file: its path, its file name, its name without the ending."""
    path = Path(str(name).strip().replace("\\", "/"))
    return path.as_posix(), path.name, path.stem


def _lookup(files: list[str]) -> list[dict[str, int]]:
    """For each way of naming (path, file name, stem): name -> file, where it is unique."""
    maps = []
    for level in range(3):
        keys = [_keys(f)[level] for f in files]
        counts = pd.Series(keys).value_counts()
        maps.append({k: i for i, k in enumerate(keys) if counts[k] == 1})
    return maps


def _rows_of_files(values: pd.Series, maps: list[dict[str, int]], n: int) -> np.ndarray:
    """For each file, the position in ``values`` of the first value naming it (else -1)."""
    rows = np.full(n, -1)
    for row, value in enumerate(values.astype(str)):
        for level, key in enumerate(_keys(value)):
            if key in maps[level]:
                if rows[maps[level][key]] < 0:
                    rows[maps[level][key]] = row
                break
    return rows


def _naming_column(frame: pd.DataFrame, files: list[str]) -> tuple[str, np.ndarray] | None:
    """The column naming the most files, and each file's row position (-1 where none does).

    At least :data:`MATCHED` of the files must be named (by names, or whole numbers, as ids
    often are).
    """
    maps = _lookup(files)
    best = None
    for col in frame.columns:
        if frame[col].dtype.kind == "f":
            continue
        values = frame[col].dropna()
        rows = _rows_of_files(values, maps, len(files))
        found = int((rows >= 0).sum())
        if found >= MATCHED * len(files) and (best is None or found > best[2]):
            positions = np.flatnonzero(frame[col].notna().to_numpy())
            best = (col, np.where(rows >= 0, positions[np.maximum(rows, 0)], -1), found)
    return None if best is None else best[:2]


@dataclass(frozen=True)
class FolderTable:
    """What a table beside a folder's files says of them (:func:`folder_table`).

    Attributes
    ----------
    table : str or None
        The table that names the files (None: there is none).
    labels : ndarray or None
        Each file's ground truth from the label column (None for a file the table does not
        name); None without a label column.
    columns : DataFrame or None
        The table's other columns, a row per file (empty where the table does not name it),
        kept for colouring, search and export.
    notes : tuple of str
        Which table and column named the files, how many it did not name, and which
        columns could be the ground truth.
    """

    table: str | None = None
    labels: np.ndarray | None = None
    columns: pd.DataFrame | None = None
    notes: tuple[str, ...] = ()


def folder_table(path: Path, every: list[str], files: list[str],
                 label_column: str | None) -> FolderTable:
    """A table beside the files that names them: its columns and the ground truth.

    Parameters
    ----------
    path : Path
        The folder or zip.
    every : list of str
        Every file in it.
    files : list of str
        The files read (images or texts), in row order.
    label_column : str, optional
        The table's column that is the ground truth (``"folder"`` or None: the sub-folders).

    Returns
    -------
    FolderTable

    Raises
    ------
    InputError
        A label column is named but no table beside the files holds it with a column naming
        them.
    """
    tables = label_tables(every)
    asked = label_column not in (None, FOLDER_LABEL)
    if asked and not tables:
        raise InputError(f"'{path.name}' is a folder or zip: its ground truth is each file's "
                         f"sub-folder ('{FOLDER_LABEL}'), and it holds no table with a column "
                         f"'{label_column}'; leave the label column out, or add a table (such "
                         "as labels.csv) with a column naming the files and one for the label.")
    for table in tables:
        try:
            frame = _read(path, table)
        except InputError:
            if asked:
                raise
            continue  # a table that does not read is no reason to refuse the files
        found = _naming_column(frame, files)
        if found is None or (asked and label_column not in frame.columns):
            continue
        column, rows = found
        others = [c for c in frame.columns if c != column]
        columns = frame[others].reindex(np.where(rows >= 0, frame.index[np.maximum(rows, 0)],
                                                 -1)).reset_index(drop=True)
        missing = int((rows < 0).sum())
        named = (f"'{table}' names the files (column '{column}'"
                 + (f"; {missing:,} of {len(files):,} it does not name" if missing else "")
                 + ")")
        if not asked:
            shown = ", ".join(f"'{c}'" for c in others[:6])
            return FolderTable(table, None, columns, (
                f"{named}; its columns ({shown}) are kept for colouring, search and export; to"
                " measure the clusters against one of them, name it as the label column "
                "(--label-column).",) if others else ())
        labels = columns[label_column].astype(object).where(columns[label_column].notna(),
                                                            None).to_numpy()
        unlabelled = int(sum(v is None for v in labels))
        if unlabelled == len(labels):
            raise InputError(f"'{table}' has no value in column '{label_column}' for any file of "
                             f"'{path.name}'; name a column that holds the true groups.")
        note = (f"The ground truth is column '{label_column}' of '{table}', matched to the "
                f"files by its column '{column}'")
        note += (f"; {unlabelled:,} of {len(labels):,} files have none there, so ACC, NMI and "
                 "ARI are measured on the others." if unlabelled else ".")
        rest = [c for c in others if c != label_column]
        if rest:
            note += (f" Its other columns ({', '.join(map(repr, rest[:6]))}) are kept for "
                     "colouring, search and export.")
        return FolderTable(table, labels, columns.drop(columns=[label_column]), (note,))
    if asked:
        raise InputError(f"No table of '{path.name}' ({', '.join(tables[:3])}) has both a column "
                         f"naming its files and a column '{label_column}'; name a column of "
                         "such a table as the label column, or leave it out to use the "
                         "sub-folders.")
    return FolderTable()


def columns_beside(meta: pd.DataFrame | None, taken) -> pd.DataFrame | None:
    """A table's columns renamed where a name is taken (``text`` -> ``text (table)``)."""
    if meta is None:
        return None
    taken = {str(c) for c in taken}
    return meta.rename(columns=lambda c: f"{c} (table)" if str(c) in taken else c)


def label_table_columns(path: Path) -> list[str]:
    r"""The columns that could be a folder's or zip's ground truth, for a page to offer.

    Those of the first table beside its files with a column naming them (but that one).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> for name in ("a.png", "b.png"):
    ...     _ = (folder / name).write_bytes(b"")
    >>> _ = (folder / "train.csv").write_text("id,label\na,x\nb,y\n")
    >>> label_table_columns(folder)
    ['label']
    """
    from .text_folders import folder_members

    every = folder_members(path)
    tables = label_tables(every)
    files = [n for n in every if n not in tables]
    for table in tables:
        try:
            frame = _read(path, table)
        except InputError:
            continue
        found = _naming_column(frame, files)
        if found is not None:
            return [str(c) for c in frame.columns if c != found[0]]
    return []
