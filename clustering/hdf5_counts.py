"""Count matrices in HDF5: AnnData's ``.h5ad`` (scanpy, CELLxGENE) and Cell Ranger's ``.h5``.

Read with h5py, which only reads arrays (nothing in the file is run or unpickled), into the
table of cells x genes that :func:`clustering.matrix_market.counts_table` builds for 10x
folders. An ``.h5ad`` keeps its cell annotations (``obs``: cell type, donor, ...) as columns
beside the genes, kept for colouring and usable as the label column, and its 2-D maps
(``obsm``'s ``X_umap``...) as two columns each, usable as the map; its genes are the
features. Where ``X`` holds normalised values and ``raw/X`` (or ``layers["counts"]``) the
counts, the counts are read.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .errors import InputError
from .matrix_market import GENE_EXPRESSION, MAX_VALUES, SampleCounts, counts_table

__all__ = ["HDF5_SUFFIXES", "annotation_columns", "map_names", "read_hdf5_counts"]

HDF5_SUFFIXES = (".h5ad", ".h5")
"""AnnData and Cell Ranger HDF5 files."""
MAX_STORED = 2 * MAX_VALUES
"""Most values a sparse matrix may store (its non-zero cells) before it is read."""
MAP_FIELDS = ("x_umap", "x_tsne", "x_draw_graph_fa", "x_phate")
"""``obsm`` keys read as 2-D maps (scanpy's names, any case)."""
COUNT_LAYERS = ("counts", "raw_counts", "umi_counts")
"""``layers`` read for counts where X is normalised and ``raw/X`` is not counts either
(scanpy's tutorials keep ``adata.layers["counts"]`` and set ``adata.raw`` after
normalising)."""
SYMBOL_FIELDS = ("feature_name", "gene_symbols", "gene_symbol", "gene_name", "symbol")
"""``var`` columns that hold gene symbols where the index holds ids (CELLxGENE's
``feature_name``)."""


def read_hdf5_counts(path: Path, keep: list[str] | None = None
                     ) -> tuple[pd.DataFrame, list[str], list[str]]:
    """The cells x genes table of an ``.h5ad`` or Cell Ranger ``.h5`` file.

    Parameters
    ----------
    path : Path
    keep : list of str, optional
        The genes to read (a run's, when new cells are assigned to it).

    Returns
    -------
    frame : DataFrame
        ``barcode``, the cells' annotations (``.h5ad``), then one column per gene.
    notes : list of str
    genes : list of str
        The gene columns (the features; annotations are not clustered on).

    Raises
    ------
    InputError
        Not an HDF5 file of either layout, or a matrix too large to read.
    """
    import h5py

    try:
        handle = h5py.File(path, "r")
    except OSError as exc:
        raise InputError(f"'{path.name}' is not a readable HDF5 file ({exc}); save it again "
                         "with scanpy (write_h5ad) or download it again.") from None
    with handle:
        if "matrix" in handle and "indptr" in handle["matrix"]:
            one, obs = _cell_ranger(handle["matrix"], path.name), None
        elif "X" in handle and "obs" in handle and "var" in handle:
            if not all(isinstance(handle[k], h5py.Group) for k in ("obs", "var")):
                raise InputError(f"'{path.name}' is an AnnData file in the layout of anndata "
                                 "before 0.7 (obs and var as tables), which clusterlab does "
                                 "not read; open it with a recent scanpy and save it again "
                                 "(write_h5ad).")
            one, obs = _anndata(handle, path.name)
        else:
            raise InputError(f"'{path.name}' is HDF5 but neither an AnnData file (X, obs, var) "
                             "nor a Cell Ranger matrix (matrix/data, indices, indptr); save it "
                             "with scanpy's write_h5ad.")
    frame, notes = counts_table(path, [one], [path.stem], keep,
                                f"the count matrix '{path.name}'")
    genes = list(frame.columns[1:])
    if obs is not None and len(obs.columns):
        obs = obs.loc[:, [c for c in obs.columns if c not in frame.columns]]
        frame = pd.concat([frame.iloc[:, :1], obs.reset_index(drop=True), frame.iloc[:, 1:]],
                          axis=1)
        shown = ", ".join(f"'{c}'" for c in obs.columns[:6])
        notes.append(f"Its cells' annotations ({shown}{', ...' if obs.shape[1] > 6 else ''}) "
                     "are columns kept for colouring and export, not clustered on; name one "
                     "as the label column to score the clusters against it.")
    return frame, notes, genes


def annotation_columns(path: Path) -> list[str]:
    """The names of an ``.h5ad``'s cell annotations (``obs``): the label column's choices.

    Only the names are read; another file has none.
    """
    import h5py

    try:
        with h5py.File(path, "r") as handle:
            return _order(handle["obs"]) if "obs" in handle and "X" in handle else []
    except OSError:
        return []  # reading it says what is wrong


def map_names(path: Path) -> list[str]:
    """The 2-D maps an ``.h5ad`` carries (``X_umap``, ``X_tsne``...): the map's choices.

    The map ``name`` is read as the columns ``{name}_1`` and ``{name}_2``; another file has
    none.
    """
    import h5py

    try:
        with h5py.File(path, "r") as handle:
            shape = _shape(handle["X"]) if "X" in handle and "obs" in handle else ()
            return list(_maps(handle, shape[0])) if shape else []
    except OSError:
        return []  # reading it says what is wrong


def _cell_ranger(group, name: str) -> SampleCounts:
    """Cell Ranger 3+'s ``matrix`` group: genes x cells, compressed by column."""
    from scipy import sparse

    shape = tuple(int(v) for v in group["shape"][()])
    matrix = sparse.csc_matrix(_sparse_parts(group, name), shape=shape).T.tocsr()
    features = group["features"]
    kinds = _strings(features["feature_type"]) if "feature_type" in features else \
        [GENE_EXPRESSION] * shape[0]
    genes = np.flatnonzero(np.asarray(kinds) == GENE_EXPRESSION)
    notes = [] if len(genes) == shape[0] else [
        f"Left out {shape[0] - len(genes):,} feature(s) of '{name}' that are not genes "
        f"({', '.join(sorted(set(kinds) - {GENE_EXPRESSION})[:3])}): the cells are clustered "
        "on their genes' counts."]
    ids, symbols = _strings(features["id"]), _strings(features["name"])
    return SampleCounts(matrix[:, genes], _strings(group["barcodes"]),
                        [ids[j] for j in genes], [symbols[j] for j in genes], notes)


def _anndata(handle, name: str) -> tuple[SampleCounts, pd.DataFrame]:
    """An AnnData file's counts (``raw/X`` where ``X`` is normalised) and its ``obs``."""
    X, var, notes = handle["X"], handle["var"], []
    layer = None if _whole(X) else _counts_layer(handle, _shape(X))
    if not _whole(X) and "raw" in handle and "X" in handle["raw"] and _whole(handle["raw/X"]):
        X, var = handle["raw/X"], handle["raw/var"]
        notes.append(f"'{name}' holds normalised values in X and counts in raw/X: the counts "
                     "were read.")
    elif layer is not None:
        X = handle[f"layers/{layer}"]
        notes.append(f"'{name}' holds normalised values in X and counts in "
                     f"layers['{layer}']: the counts were read.")
    elif not _whole(X):
        notes.append(f"'{name}' holds values in X that are not counts (normalised, scaled) "
                     "and no counts in raw/X or layers['counts']: they are clustered as they "
                     "are.")
    matrix = _matrix(X, name)
    ids = _index(var, name)
    field = next((f for f in SYMBOL_FIELDS if f in var), None)
    symbols = [str(v) for v in _column(var[field])] if field else ids
    obs = pd.DataFrame({key: values for key in _order(handle["obs"])
                        if (values := _column(handle["obs"][key])) is not None
                        and len(values) == matrix.shape[0]})
    for key, value in _maps(handle, matrix.shape[0]).items():
        obs[f"{key}_1"], obs[f"{key}_2"] = value[:, 0], value[:, 1]
    return SampleCounts(matrix, _index(handle["obs"], name), ids, symbols, notes), obs


def _counts_layer(handle, shape: tuple[int, ...]) -> str | None:
    """The name of the layer holding X's counts (:data:`COUNT_LAYERS`), if one does."""
    layers = handle.get("layers")
    if layers is None:
        return None
    return next((key for key in COUNT_LAYERS if key in layers
                 and _shape(layers[key]) == shape and _whole(layers[key])), None)


def _shape(X) -> tuple[int, ...]:
    """A dense dataset's or a sparse group's (cells, genes)."""
    import h5py

    if isinstance(X, h5py.Dataset):
        return tuple(X.shape)
    return tuple(int(v) for v in X.attrs.get("shape", ()))


def _maps(handle, cells: int) -> dict[str, np.ndarray]:
    """The 2-D maps the file carries (``obsm``'s ``X_umap``, ``X_tsne``: two columns each).

    They can be the run's map (``--map-columns X_umap_1 X_umap_2``).
    """
    import h5py

    group = handle.get("obsm")
    if not isinstance(group, h5py.Group):
        return {}
    return {key: np.asarray(item[:, :2], dtype=np.float64) for key, item in group.items()
            if key.lower() in MAP_FIELDS and isinstance(item, h5py.Dataset)
            and item.ndim == 2 and item.shape[0] == cells and item.shape[1] >= 2}


def _matrix(X, name: str):
    """Cells x genes, CSR, from a dense dataset or a ``csr_matrix``/``csc_matrix`` group."""
    import h5py
    from scipy import sparse

    if isinstance(X, h5py.Dataset):
        if int(np.prod(X.shape)) > MAX_VALUES:
            raise InputError(f"'{name}' holds a dense matrix of {X.shape[0]:,} cells x "
                             f"{X.shape[1]:,} genes, more than the {MAX_VALUES / 1e6:,.0f} "
                             "million values clusterlab reads at once; save it sparse "
                             "(scanpy keeps counts sparse) or with fewer cells.")
        return sparse.csr_matrix(X[()])
    encoding = _text(X.attrs.get("encoding-type", ""))
    shape = _shape(X)
    if encoding == "csr_matrix":
        return sparse.csr_matrix(_sparse_parts(X, name), shape=shape)
    if encoding == "csc_matrix":
        return sparse.csc_matrix(_sparse_parts(X, name), shape=shape).tocsr()
    raise InputError(f"'{name}' stores X as '{encoding or 'unknown'}', which clusterlab does "
                     "not read; save it again with a recent scanpy (write_h5ad).")


def _sparse_parts(group, name: str) -> tuple:
    if group["data"].shape[0] > MAX_STORED:
        raise InputError(f"'{name}' stores {group['data'].shape[0]:,} non-zero counts, more "
                         f"than the {MAX_STORED / 1e6:,.0f} million clusterlab reads at once; "
                         "save a sample of its cells.")
    return group["data"][()], group["indices"][()], group["indptr"][()]


def _whole(X) -> bool:
    """Whether the first stored values of a matrix are whole numbers of zero or more."""
    import h5py

    values = X[: min(X.shape[0], 200)] if isinstance(X, h5py.Dataset) else \
        X["data"][: min(X["data"].shape[0], 100_000)]
    values = np.asarray(values, dtype=np.float64)
    return bool(np.all(values >= 0) and np.all(values == np.round(values)))


def _index(frame_group, name: str) -> list[str]:
    """The row names of an AnnData data frame (``obs`` or ``var``)."""
    key = _text(frame_group.attrs.get("_index", "_index"))
    if key not in frame_group:
        raise InputError(f"'{name}' has a data frame without its index ('{key}'); save it "
                         "again with a recent scanpy (write_h5ad).")
    return [str(v) for v in _column(frame_group[key])]


def _order(frame_group) -> list[str]:
    order = frame_group.attrs.get("column-order", [])
    return [_text(c) for c in np.atleast_1d(order)]


def _column(item) -> np.ndarray | None:
    """An AnnData column as values: numbers, strings or a categorical's labels.

    None for an encoding not read (the column is left out).
    """
    import h5py

    if isinstance(item, h5py.Dataset):
        if item.dtype.kind in "OSU":
            return np.asarray(_strings(item), dtype=object)
        return item[()] if item.dtype.kind in "biuf" else None
    encoding = _text(item.attrs.get("encoding-type", ""))
    if encoding == "categorical":
        codes, labels = item["codes"][()], _column(item["categories"])
        if labels is None:
            return None
        out = np.asarray(labels, dtype=object)[np.clip(codes, 0, None)]
        out[codes < 0] = None
        return out
    if encoding in ("nullable-integer", "nullable-boolean"):
        values = item["values"][()].astype(np.float64)
        values[item["mask"][()]] = np.nan
        return values
    return None


def _strings(dataset) -> list[str]:
    return [_text(v) for v in dataset[()]]


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
