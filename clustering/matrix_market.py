"""10x Genomics count matrices: ``matrix.mtx``, ``barcodes.tsv`` and ``features.tsv``.

Cell Ranger, STARsolo, kallisto | bustools and many GEO single-cell series ship their counts
as a MatrixMarket file of genes x cells, with the cells' barcodes and the genes' ids and
names beside it, usually gzipped, in a folder (``filtered_feature_bc_matrix/``), a zip of
it, or with a sample prefix (``GSM123_matrix.mtx.gz``). Read here as the table clusterlab
clusters: one row per cell named by its barcode (column ``barcode``), one column per gene
named by its symbol (repeated symbols numbered), counts as whole numbers, so that the table
is read as counts (:mod:`clustering.count_tables`). Nothing is unpickled or extracted to
disk; zips are checked first and gzipped members unpacked in memory under the zip limits.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd

from .errors import InputError
from .safezip import ZipLimits, checked_members, read_member
from .transpose_table import numbered

__all__ = ["BARCODE_COLUMN", "MAX_VALUES", "find_10x", "read_10x"]

BARCODE_COLUMN = "barcode"
"""The column naming each cell (its barcode) in the table read."""
MAX_VALUES = 300_000_000
"""Most cells x genes held as a table (1.2 GB of whole numbers; the features' copies take a
few times that): 10,000 cells of 30,000 genes seen in some cell. Genes seen in no cell are
left out before this is counted."""
ROLES = {"matrix": ("matrix.mtx",), "barcodes": ("barcodes.tsv",),
         "features": ("features.tsv", "genes.tsv")}
"""The three files of a 10x matrix, each also gzipped (``.gz``) and after a sample prefix."""
GENE_EXPRESSION = "Gene Expression"
"""The feature type kept where ``features.tsv`` has a third column (antibody tags, CRISPR
guides and other feature types are left out, with a note)."""


def find_10x(path: Path) -> dict[str, str] | None:
    """The three files of a 10x matrix in ``path`` (a folder, a zip, or the ``.mtx`` itself).

    Returns
    -------
    dict or None
        ``matrix``, ``barcodes``, ``features``: file paths, or member names of the zip;
        None when ``path`` holds no ``matrix.mtx`` (or ``matrix.mtx.gz``).

    Raises
    ------
    InputError
        A matrix without its barcodes or features beside it, or several matrices.

    Examples
    --------
    >>> find_10x(Path("counts.csv")) is None
    True
    """
    path = Path(path)
    if path.is_dir():
        names = [p.relative_to(path).as_posix() for p in _shallow_files(path)]
    elif path.suffix.lower() == ".zip" and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            names = [n for n in zf.namelist() if not n.endswith("/")]
    elif _role(path.name) == "matrix":
        names, path = [p.name for p in path.parent.iterdir() if p.is_file()], path.parent
    else:
        return None
    matrices = [n for n in names if _role(PurePosixPath(n).name) == "matrix"]
    if not matrices:
        return None
    if len(matrices) > 1:
        shown = ", ".join(f"'{m}'" for m in matrices[:4])
        raise InputError(f"'{path.name}' holds {len(matrices)} count matrices ({shown}); load "
                         "one sample's matrix, barcodes and features at a time (a folder or "
                         "zip of those three files).")
    found = {"matrix": matrices[0]}
    folder, prefix = _prefix(matrices[0])
    for role in ("barcodes", "features"):
        beside = [n for n in names if _role(PurePosixPath(n).name) == role
                  and _prefix(n) == (folder, prefix)]
        if not beside:
            wanted = " or ".join(f"'{prefix}{s}(.gz)'" for s in ROLES[role])
            raise InputError(f"'{path.name}' has the count matrix '{matrices[0]}' but no "
                             f"{wanted} beside it, which names its "
                             f"{'cells' if role == 'barcodes' else 'genes'}; put the three "
                             "files Cell Ranger writes together and load their folder or zip.")
        found[role] = beside[0]
    return {role: str(path / name) if path.is_dir() else name for role, name in found.items()}


def read_10x(path: Path, files: dict[str, str], keep: list[str] | None = None,
             limits: ZipLimits = ZipLimits()) -> tuple[pd.DataFrame, list[str]]:
    """The cells x genes table of a 10x matrix, and notes on what was left out.

    Parameters
    ----------
    path : Path
        What was loaded (a folder, a zip or the ``.mtx`` file).
    files : dict
        :func:`find_10x`'s answer for ``path``.
    keep : list of str, optional
        Genes kept even where no cell has a read (a run's columns, when new cells are
        assigned to it).
    limits : ZipLimits
        Caps on what a gzipped file or zip member may unpack to.

    Returns
    -------
    frame : DataFrame
        ``barcode``, then one column of counts per gene.
    notes : list of str

    Raises
    ------
    InputError
        A file that is not what it is named, files that disagree, or more than
        :data:`MAX_VALUES` cells x genes.
    """
    raw = _read_all(path, files, limits)
    name = Path(files["matrix"]).name
    barcodes = _lines(raw["barcodes"], files["barcodes"])
    features = [line.split("\t") for line in _lines(raw["features"], files["features"])]
    rows, cols = _dimensions(raw["matrix"], name)
    if (rows, cols) == (len(features), len(barcodes)):
        cells_are_rows = False
    elif (rows, cols) == (len(barcodes), len(features)):
        cells_are_rows = True
    else:
        raise InputError(f"'{name}' is a {rows:,} x {cols:,} matrix, but there are "
                         f"{len(barcodes):,} barcodes and {len(features):,} features beside "
                         "it; the three files come from different samples or runs.")
    from scipy.io import mmread

    try:
        matrix = mmread(io.BytesIO(raw["matrix"]))
    except (ValueError, IndexError, OSError) as exc:
        raise InputError(f"'{name}' is not a readable MatrixMarket file ({exc}); download "
                         "it again.") from None
    matrix = matrix.tocsr() if cells_are_rows else matrix.T.tocsr()  # cells x genes
    notes = []
    kinds = np.array([f[2] if len(f) > 2 else GENE_EXPRESSION for f in features])
    genes = kinds == GENE_EXPRESSION
    if not genes.all():
        other = ", ".join(sorted(set(kinds[~genes]))[:3])
        notes.append(f"Left out {int((~genes).sum()):,} feature(s) of '{name}' that are not "
                     f"genes ({other}): the cells are clustered on their genes' counts.")
    symbols = numbered([f[1] if len(f) > 1 else f[0] for f in features])
    seen = np.asarray((matrix != 0).sum(axis=0)).ravel() > 0
    kept = genes & (seen | np.isin(symbols, list(keep or [])))
    if (genes & ~kept).any():
        notes.append(f"Left out {int((genes & ~kept).sum()):,} genes of '{name}' with no read "
                     f"in any of its {len(barcodes):,} cells.")
    if len(barcodes) * int(kept.sum()) > MAX_VALUES:
        raise InputError(f"'{name}' holds {len(barcodes):,} cells x {int(kept.sum()):,} genes "
                         f"seen in some cell, more than the {MAX_VALUES / 1e6:,.0f} million "
                         "counts clusterlab holds at once; keep fewer cells (load a sample of "
                         "them) or fewer genes (the highly variable ones), saved as Parquet.")
    chosen = matrix[:, np.flatnonzero(kept)]
    values = (chosen.astype(np.int32) if chosen.dtype.kind in "iu" else chosen).toarray()
    frame = pd.DataFrame(values, columns=[s for s, k in zip(symbols, kept, strict=True) if k])
    frame.insert(0, BARCODE_COLUMN, numbered(barcodes))
    notes.insert(0, f"Read the 10x count matrix '{name}': {len(barcodes):,} cells (named by "
                    f"their barcodes, column '{BARCODE_COLUMN}') x {frame.shape[1] - 1:,} "
                    "genes (named by their symbols).")
    return frame, notes


def _role(name: str) -> str | None:
    lower = name.lower().removesuffix(".gz")
    return next((role for role, ends in ROLES.items() if lower.endswith(ends)), None)


def _prefix(name: str) -> tuple[str, str]:
    """The folder of a member and the sample prefix of its file name (``GSM123_``)."""
    pure = PurePosixPath(name)
    lower = pure.name.lower().removesuffix(".gz")
    end = next(e for ends in ROLES.values() for e in ends if lower.endswith(e))
    return str(pure.parent), pure.name[:len(lower) - len(end)].lower()


def _shallow_files(folder: Path, depth: int = 2) -> list[Path]:
    """Files of ``folder`` and of its folders down to ``depth`` levels (not links)."""
    found, level = [], [folder]
    for _ in range(depth):
        deeper = []
        for parent in level:
            for child in sorted(parent.iterdir()):
                if child.is_symlink():
                    continue
                (found if child.is_file() else deeper if child.is_dir() else []).append(child)
        level = deeper
    return found


def _read_all(path: Path, files: dict[str, str], limits: ZipLimits) -> dict[str, bytes]:
    """Every file's bytes, gzipped ones unpacked under ``limits``."""
    if path.suffix.lower() == ".zip" and not path.is_dir():
        allowed = {n for n in files.values() if n.lower().endswith(".gz")}
        members = {i.filename: i for i in checked_members(path, limits, allowed)}
        with zipfile.ZipFile(path) as zf:
            packed = {role: read_member(zf, members[n]) for role, n in files.items()}
    else:
        packed = {role: Path(f).read_bytes() for role, f in files.items()}
    return {role: _gunzip(data, files[role], limits) if files[role].lower().endswith(".gz")
            else data for role, data in packed.items()}


def _gunzip(data: bytes, name: str, limits: ZipLimits) -> bytes:
    """``data`` unpacked, stopping past the zip limits' size or growth (a gzip bomb)."""
    cap = int(min(limits.max_total_bytes,
                  max(limits.ratio_floor_bytes, limits.max_ratio * max(len(data), 1))))
    unpack = zlib.decompressobj(wbits=31)
    try:
        out = unpack.decompress(data, cap + 1)
    except zlib.error as exc:
        raise InputError(f"'{Path(name).name}' is not a readable gzip file ({exc}); download "
                         "it again.") from None
    if len(out) > cap:
        raise InputError(f"'{Path(name).name}' unpacks to more than {cap / 1024**2:,.0f} MiB "
                         f"(over {limits.max_ratio:.0f} times its packed size, or over "
                         f"{limits.max_total_bytes / 1024**3:.0f} GiB), so it is not read.")
    return out


def _lines(data: bytes, name: str) -> list[str]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"'{Path(name).name}' is not UTF-8 text; it should list one barcode "
                         "or gene per line.") from None
    return [line.strip("\r") for line in text.split("\n") if line.strip()]


def _dimensions(data: bytes, name: str) -> tuple[int, int]:
    """Rows and columns a MatrixMarket file declares (read before anything is built)."""
    head = data[:1 << 16].decode("ascii", "replace").split("\n")
    if not head[0].lower().startswith("%%matrixmarket matrix coordinate"):
        raise InputError(f"'{name}' is not a MatrixMarket coordinate file (its first line "
                         f"is '{head[0][:60]}'); download it again.")
    for line in head[1:]:
        if line.strip() and not line.startswith("%"):
            parts = line.split()
            if len(parts) == 3 and all(p.isdigit() for p in parts):
                return int(parts[0]), int(parts[1])
            break
    raise InputError(f"'{name}' does not say its size on the line after its comments; "
                     "download it again.")
