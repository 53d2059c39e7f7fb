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
from typing import NamedTuple

import numpy as np
import pandas as pd

from .count_tables import most_read
from .errors import InputError
from .gzip_tables import unpacked_cap
from .safezip import ZipLimits, checked_members, read_member
from .tables import MAX_COLUMNS
from .transpose_table import numbered

__all__ = ["BARCODE_COLUMN", "MAX_VALUES", "SAMPLE_COLUMN", "SampleCounts", "counts_table",
           "find_10x", "read_10x"]

BARCODE_COLUMN = "barcode"
"""The column naming each cell (its barcode) in the table read."""
SAMPLE_COLUMN = "sample"
"""The column naming each cell's sample, where several are read as one table."""
MAX_VALUES = 300_000_000
"""Most cells x genes held as a table (1.2 GB of whole numbers; the features' copies take a
few times that): 15,000 cells of 20,000 genes. With more cells, the genes read in the most
cells that fit (:func:`_genes_read`)."""
ROLES = {"matrix": ("matrix.mtx",), "barcodes": ("barcodes.tsv",),
         "features": ("features.tsv", "genes.tsv")}
"""The three files of a 10x matrix, each also gzipped (``.gz``) and after a sample prefix."""
GENE_EXPRESSION = "Gene Expression"
"""The feature type kept where ``features.tsv`` has a third column (antibody tags, CRISPR
guides and other feature types are left out, with a note)."""


def find_10x(path: Path) -> list[dict[str, str]] | None:
    """The 10x matrices in ``path`` (a folder, a zip, or one ``.mtx`` itself), one per sample.

    Returns
    -------
    list of dict, or None
        For each sample: ``matrix``, ``barcodes``, ``features`` (file paths, or member names
        of the zip) and ``sample`` (its name: the file prefix, such as ``GSM123``, else what
        tells its folder from the others'); None when ``path`` holds no ``matrix.mtx`` (or
        ``matrix.mtx.gz``).

    Raises
    ------
    InputError
        A matrix without its barcodes or features beside it.

    Examples
    --------
    >>> find_10x(Path("counts.csv")) is None
    True
    """
    path = Path(path)
    if path.is_dir():
        names = [p.relative_to(path).as_posix() for p in _shallow_files(path)]
        matrices = [n for n in names if _role(PurePosixPath(n).name) == "matrix"]
    elif path.suffix.lower() == ".zip" and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            names = [n for n in zf.namelist() if not n.endswith("/")]
        matrices = [n for n in names if _role(PurePosixPath(n).name) == "matrix"]
    elif _role(path.name) == "matrix":  # this one, even where others lie beside it
        names, matrices = [p.name for p in path.parent.iterdir() if p.is_file()], [path.name]
        path = path.parent
    else:
        return None
    if not matrices:
        return None
    samples = []
    for matrix in sorted(matrices):
        found = {"matrix": matrix}
        place = _prefix(matrix)
        for role in ("barcodes", "features"):
            beside = [n for n in names if _role(PurePosixPath(n).name) == role
                      and _same_place(_prefix(n), place)]
            if not beside:
                wanted = " or ".join(f"'{place[1]}{s}(.gz)'" for s in ROLES[role])
                raise InputError(
                    f"'{path.name}' has the count matrix '{matrix}' but no {wanted} beside "
                    f"it, which names its {'cells' if role == 'barcodes' else 'genes'}; put "
                    "the three files Cell Ranger writes together and load their folder or zip.")
            found[role] = beside[0]
        samples.append({role: str(path / name) if path.is_dir() else name
                        for role, name in found.items()})
    for sample, name in zip(samples, _sample_names([_prefix(m) for m in sorted(matrices)]),
                            strict=True):
        sample["sample"] = name
    return samples


def read_10x(path: Path, samples: list[dict[str, str]], keep: list[str] | None = None,
             limits: ZipLimits = ZipLimits()) -> tuple[pd.DataFrame, list[str]]:
    """The cells x genes table of 10x matrices, and notes on what was read and left out.

    Several samples (a GEO series' ``GSM..._matrix.mtx.gz`` files, or one folder each) are
    read as one table on the genes they all have, with a ``sample`` column (kept for
    colouring, not clustered on) and each barcode after its sample's name.

    Parameters
    ----------
    path : Path
        What was loaded (a folder, a zip or the ``.mtx`` file).
    samples : list of dict
        :func:`find_10x`'s answer for ``path``.
    keep : list of str, optional
        The genes to read, whether read in any cell or not (a run's columns, when new cells
        are assigned to it); without it, the genes read in some cell.
    limits : ZipLimits
        Caps on what a gzipped file or zip member may unpack to.

    Returns
    -------
    frame : DataFrame
        ``barcode`` (and ``sample``), then one column of counts per gene.
    notes : list of str

    Raises
    ------
    InputError
        A file that is not what it is named, files that disagree, samples without a gene in
        common, or more than :data:`MAX_VALUES` cells x genes.
    """
    read = [_one_sample(path, files, limits) for files in samples]
    return counts_table(path, read, [files["sample"] for files in samples], keep,
                        f"the 10x count matrix '{Path(samples[0]['matrix']).name}'")


class SampleCounts(NamedTuple):
    """One sample's gene counts as read, before the samples are joined."""

    matrix: object
    """Cells x genes, a SciPy CSR matrix."""
    barcodes: list[str]
    ids: list[str]
    """Gene ids (Ensembl), by which samples are joined."""
    symbols: list[str]
    notes: list[str]


def counts_table(path: Path, read: list[SampleCounts], names: list[str],
                 keep: list[str] | None, what: str) -> tuple[pd.DataFrame, list[str]]:
    """Samples' counts joined into the table clusterlab reads (see :func:`read_10x`).

    ``names`` are the samples' names; ``what`` says what one sample is, for the notes.
    """
    from scipy import sparse

    notes = [note for one in read for note in one.notes]
    first_ids, first_symbols = read[0].ids, read[0].symbols
    common = set(first_ids).intersection(*(set(one.ids) for one in read[1:]))
    order = [j for j, gene in enumerate(first_ids) if gene in common]
    genes = [first_ids[j] for j in order]
    if not genes:
        raise InputError(f"The {len(read)} samples of '{path.name}' have no gene id in "
                         "common (the first column of their features files); load them one "
                         "at a time.")
    most = max(len(one.ids) for one in read)
    if len(genes) < most:
        notes.append(f"Kept the {len(genes):,} genes every sample has: {most - len(genes):,} "
                     "genes not in every sample were left out.")
    blocks = []
    for matrix, _, ids, _, _ in read:
        where = {gene: j for j, gene in enumerate(ids)}
        blocks.append(matrix[:, [where[gene] for gene in genes]])
    matrix = sparse.vstack(blocks).tocsr() if len(blocks) > 1 else blocks[0]
    symbols = numbered([first_symbols[j] for j in order])
    cells = matrix.shape[0]
    if keep:  # new cells of a run: its genes
        kept = np.isin(symbols, list(keep))
    else:
        kept, more = _genes_read(np.asarray((matrix != 0).sum(axis=0)).ravel(), cells)
        notes += more
    if cells * int(kept.sum()) > MAX_VALUES:
        raise InputError(f"'{path.name}' holds {cells:,} cells x {int(kept.sum()):,} genes, "
                         f"more than the {MAX_VALUES / 1e6:,.0f} million counts clusterlab "
                         "holds at once; assign fewer cells at a time.")
    chosen = matrix[:, np.flatnonzero(kept)]
    values = (chosen.astype(np.int32) if chosen.dtype.kind in "iu" else chosen).toarray()
    frame = pd.DataFrame(values, columns=[s for s, k in zip(symbols, kept, strict=True) if k])
    if len(read) == 1:
        frame.insert(0, BARCODE_COLUMN, numbered(read[0].barcodes))
    else:
        each = [name for name, one in zip(names, read, strict=True) for _ in one.barcodes]
        barcodes = [barcode for one in read for barcode in one.barcodes]
        frame.insert(0, BARCODE_COLUMN, numbered([f"{name}_{barcode}" for name, barcode
                                                  in zip(each, barcodes, strict=True)]))
        frame.insert(1, SAMPLE_COLUMN, each)
        shown = ", ".join(names[:4]) + (", ..." if len(names) > 4 else "")
        what = (f"the {len(read)} 10x count matrices of '{path.name}' ({shown}) as one "
                f"table, each cell's sample in column '{SAMPLE_COLUMN}' (kept for colouring, "
                "not clustered on) and before its barcode")
    notes.insert(0, f"Read {what}: {cells:,} cells (named by their barcodes, column "
                    f"'{BARCODE_COLUMN}') x {int(kept.sum()):,} genes (named by their "
                    "symbols).")
    return frame, notes


def _genes_read(in_cells: np.ndarray, cells: int) -> tuple[np.ndarray, list[str]]:
    """The genes kept, and notes on those left out.

    Genes read in some cell are kept; past :data:`MAX_COLUMNS`, those read in the most cells.

    Examples
    --------
    >>> kept, notes = _genes_read(np.array([0, 3, 1, 2]), 5)
    >>> kept.tolist(), notes[0][:38]
    ([False, True, True, True], 'Left out 1 genes with no read in any o')
    """
    kept, notes = in_cells > 0, []
    if not kept.all():
        notes.append(f"Left out {int((~kept).sum()):,} genes with no read in any of the "
                     f"{cells:,} cells.")
    room = max(1, min(MAX_COLUMNS - 2, MAX_VALUES // max(cells, 1)))  # beside barcode, sample
    if kept.sum() > room:
        most, least = most_read(in_cells, room)
        why = ("the widest table clusterlab reads" if room == MAX_COLUMNS - 2 else
               f"as many as {MAX_VALUES:,} counts hold with {cells:,} cells")
        notes.append(f"Kept the {room:,} genes read in the most cells (in {least:,} cells or "
                     f"more), {why}; {int(kept.sum()) - room:,} genes read in fewer cells "
                     "were left out (the cells are clustered on the 2,000 most variable of "
                     "the genes kept).")
        kept = most
    return kept, notes


def _one_sample(path: Path, files: dict[str, str], limits: ZipLimits) -> SampleCounts:
    """One sample's gene counts (cells x genes, CSR), barcodes, gene ids, symbols, notes."""
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
    at = np.flatnonzero(genes)
    return SampleCounts(matrix[:, at], barcodes, [features[j][0] for j in at],
                        [features[j][1] if len(features[j]) > 1 else features[j][0]
                         for j in at], notes)


def _sample_names(places: list[tuple[str, str]]) -> list[str]:
    """Each sample's name: its file prefix, else the part of its folder unlike the others'.

    ``GSM123_matrix.mtx.gz`` is ``GSM123``; ``s1/outs/filtered_feature_bc_matrix`` beside
    ``s2/outs/filtered_feature_bc_matrix`` is ``s1``.

    Examples
    --------
    >>> _sample_names([("", "GSM1_"), ("", "GSM2_")])
    ['GSM1', 'GSM2']
    >>> _sample_names([("a/outs", ""), ("b/outs", "")])
    ['a', 'b']
    """
    parts = [PurePosixPath(folder).parts for folder, _ in places]
    same = {i for i in range(min(map(len, parts), default=0))
            if len({p[i] for p in parts}) == 1}
    names = []
    for (folder, prefix), split in zip(places, parts, strict=True):
        differing = [p for i, p in enumerate(split) if i not in same]
        names.append("/".join([*differing, prefix.strip("_-. ")] if prefix else differing)
                     or prefix.strip("_-. ") or folder or "sample")
    return numbered(names)


def _role(name: str) -> str | None:
    lower = name.lower().removesuffix(".gz")
    return next((role for role, ends in ROLES.items() if lower.endswith(ends)), None)


def _same_place(one: tuple[str, str], other: tuple[str, str]) -> bool:
    """Same folder and the same file prefix, whatever its case."""
    return one[0] == other[0] and one[1].lower() == other[1].lower()


def _prefix(name: str) -> tuple[str, str]:
    """The folder of a member and the sample prefix of its file name (``GSM123_``)."""
    pure = PurePosixPath(name)
    lower = pure.name.lower().removesuffix(".gz")
    end = next(e for ends in ROLES.values() for e in ends if lower.endswith(e))
    return str(pure.parent), pure.name[:len(lower) - len(end)]


def _shallow_files(folder: Path, depth: int = 4) -> list[Path]:
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
    """The bytes of a sample's three files, gzipped ones unpacked under ``limits``."""
    files = {role: files[role] for role in ROLES}
    if path.suffix.lower() == ".zip" and not path.is_dir():
        with zipfile.ZipFile(path) as zf:  # any sample's gzipped files may be in it
            allowed = {n for n in zf.namelist() if n.lower().endswith(".gz")
                       and _role(PurePosixPath(n).name)}
        members = {i.filename: i for i in checked_members(path, limits, allowed)}
        with zipfile.ZipFile(path) as zf:
            packed = {role: read_member(zf, members[n]) for role, n in files.items()}
    else:
        packed = {role: Path(f).read_bytes() for role, f in files.items()}
    return {role: _gunzip(data, files[role], limits) if files[role].lower().endswith(".gz")
            else data for role, data in packed.items()}


def _gunzip(data: bytes, name: str, limits: ZipLimits) -> bytes:
    """``data`` unpacked, stopping past the zip limits' size or growth (a gzip bomb)."""
    cap = unpacked_cap(len(data), limits)
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
