"""Single-cell atlases of 20,000 and 50,000 cells, as ``.h5ad`` files a biologist loads.

Until stop 85 no table of counts above 3,000 rows had been run: the count tables of
:mod:`count_sets` hold 60-1,000 rows, and the reading benchmark 3,000 cells. Single-cell
collections of tens of thousands of cells are the field's common size, and the form they come
in is AnnData's ``.h5ad`` (sparse counts, the cells' annotations in ``obs``). Each atlas is
written here with h5py in AnnData's layout (``X`` a ``csr_matrix`` of float32 counts, as
scanpy keeps them; ``obs['cell_type']`` a categorical, the label; ``var`` the gene ids) and
run as ``clusterlab run --data FILE.h5ad --label-column cell_type`` would
(``benchmarks/auto_budget.py --cases atlas-...``).

**Frozen on 2026-12-07 (stop 85)**, committed before any atlas was generated or run, and
before anything in clusterlab was changed for count tables of this size. Held out
(:data:`HELD_OUT`), reported apart:

- ``cells-b-20000``, ``cells-b-50000``: the held-out family ``cells-b`` of
  :mod:`count_sets` (3,000 genes, 7 types of unequal size, 25 markers up 2-5 times,
  dispersion 1, library sd 0.7), drawn again at 20,000 and 50,000 cells (seed 86);
- ``cells-nested-20000``: a family in no half before, types within lineages as atlases have
  them (:func:`nested_reads`): 3 lineages of 3 types each (9 labels, the types), 2,500
  genes, 80 lineage markers up 3-6 times and 20 type markers up 1.5-3 times, dispersion
  1.2, library sd 0.6, unequal sizes (seed 87).

Tuning (:data:`TUNING`): the tuning families ``cells-a`` (2,000 genes, 4 types, 60 markers
up 3-8 times, dispersion 2, library sd 0.5) at 20,000 and 50,000 cells and ``cells-c``
(1,000 genes, 5 types, 30 markers up 2-5 times, dispersion 1.5, library sd 0.6) at 20,000
(seed 85).

**A second held-out batch, frozen later in stop 85** (:data:`FRESH`), committed after the
first batch's untouched run (``auto`` below k-means on the standardised components on all
three) and before any study of why or any change: two families in no half before,
``cells-d-20000`` (4,000 genes, 6 types of unequal size, 20 markers up 2-4 times,
dispersion 0.8, library sd 0.8; seed 88) and ``cells-e-50000`` (3,000 genes, 12 types of
unequal size, 30 markers up 2-4 times, dispersion 1.5, library sd 0.5; seed 89). The tuning
half got two harder draws of its families at the same time, since ``cells-a`` and
``cells-c`` at 20,000 cells are nearly solved by every pipeline: ``cells-c-weak-20000``
(``cells-c``'s genes and types, 25 markers up 1.5-3 times, library sd 0.7, unequal sizes;
seed 91) and ``cells-a-many-20000`` (``cells-a``'s 2,000 genes, 10 types of unequal size,
30 markers up 2-4 times, dispersion 1.5, library sd 0.6; seed 92).

**A third held-out batch, frozen in stop 86** (:data:`THIRD`), committed before any of it was
generated or run and before any study or change of that stop (the first two batches had been
studied by then, so they count as seen): ``cells-f-20000`` (2,500 genes, 8 types of unequal
size, 40 markers up 1.5-4 times, dispersion 1, library sd 0.6; seed 93), ``cells-g-50000``
(3,500 genes, 9 types of unequal size, 25 markers up 2-3.5 times, dispersion 1.2, library sd
0.7; seed 94) and ``cells-nested-50000`` (4 lineages of 2 types, 3,000 genes, 60 lineage
markers up 2.5-5 times, 25 type markers up 1.5-3 times, dispersion 1, library sd 0.6; seed
95).

**A fourth held-out batch, frozen in stop 87** (:data:`FOURTH`), committed before any of it
was generated or run and before any study or change of that stop (the third batch was read in
stop 86, so it now counts as seen): ``cells-h-20000`` (3,000 genes, 11 types of unequal size,
30 markers up 1.8-3.5 times, dispersion 1.3, library sd 0.8; seed 96), ``cells-i-50000``
(2,000 genes, 5 types of unequal size, 20 markers up 2-3 times, dispersion 0.9, library sd
0.7; seed 97) and ``cells-nested-b-20000`` (2 lineages of 4 types, 2,000 genes, 50 lineage
markers up 2-4 times, 20 type markers up 1.5-2.5 times, dispersion 1.1, library sd 0.7; seed
98).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from count_sets import barcodes, cell_reads  # noqa: E402

__all__ = ["ATLASES", "FOURTH", "FRESH", "HELD_OUT", "THIRD", "TUNING", "nested_reads",
           "write_atlas", "write_h5ad"]

_B = dict(genes=3000, k=7, markers=25, fold=(2, 5), dispersion=1.0, library_sd=0.7,
          seed=86, unequal=True)
_A = dict(genes=2000, k=4, markers=60, fold=(3, 8), dispersion=2.0, library_sd=0.5, seed=85)
_C = dict(genes=1000, k=5, markers=30, fold=(2, 5), dispersion=1.5, library_sd=0.6, seed=85)

ATLASES = {
    "cells-b-20000": (cell_reads, dict(n=20_000, **_B)),
    "cells-b-50000": (cell_reads, dict(n=50_000, **_B)),
    "cells-a-20000": (cell_reads, dict(n=20_000, **_A)),
    "cells-a-50000": (cell_reads, dict(n=50_000, **_A)),
    "cells-c-20000": (cell_reads, dict(n=20_000, **_C)),
}
"""Atlas name -> (reads generator, its parameters); ``cells-nested-20000`` is added below."""
_D = dict(genes=4000, k=6, markers=20, fold=(2, 4), dispersion=0.8, library_sd=0.8,
          seed=88, unequal=True)
_E = dict(genes=3000, k=12, markers=30, fold=(2, 4), dispersion=1.5, library_sd=0.5,
          seed=89, unequal=True)
_C_WEAK = dict(genes=1000, k=5, markers=25, fold=(1.5, 3), dispersion=1.5, library_sd=0.7,
               seed=91, unequal=True)
_A_MANY = dict(genes=2000, k=10, markers=30, fold=(2, 4), dispersion=1.5, library_sd=0.6,
               seed=92, unequal=True)
ATLASES.update({
    "cells-d-20000": (cell_reads, dict(n=20_000, **_D)),
    "cells-e-50000": (cell_reads, dict(n=50_000, **_E)),
    "cells-c-weak-20000": (cell_reads, dict(n=20_000, **_C_WEAK)),
    "cells-a-many-20000": (cell_reads, dict(n=20_000, **_A_MANY)),
})
HELD_OUT = ("cells-b-20000", "cells-b-50000", "cells-nested-20000")
FRESH = ("cells-d-20000", "cells-e-50000")
TUNING = ("cells-a-20000", "cells-a-50000", "cells-c-20000", "cells-c-weak-20000",
          "cells-a-many-20000")


def nested_reads(*, n: int, genes: int, lineages: int, types: int, lineage_markers: int,
                 lineage_fold: tuple[float, float], type_markers: int,
                 type_fold: tuple[float, float], dispersion: float, library_sd: float,
                 seed: int) -> tuple[np.ndarray, np.ndarray, np.random.Generator]:
    """Reads of cells whose types sit within lineages (cells x genes), the types, the generator.

    Each lineage raises its ``lineage_markers`` genes ``lineage_fold`` times; each of its
    ``types`` types raises ``type_markers`` more ``type_fold`` times (weaker). The label is
    the type: ``lineages * types`` of them, of unequal size.
    """
    rng = np.random.default_rng(seed)
    k = lineages * types
    y = rng.choice(k, size=n, p=rng.dirichlet(np.full(k, 2.0)))
    mu = np.tile(rng.lognormal(0.0, 1.5, genes) * 0.3, (n, 1))
    for lineage in range(lineages):
        chosen = rng.choice(genes, lineage_markers, replace=False)
        mu[np.ix_(y // types == lineage, chosen)] *= rng.uniform(*lineage_fold, lineage_markers)
    for c in range(k):
        chosen = rng.choice(genes, type_markers, replace=False)
        mu[np.ix_(y == c, chosen)] *= rng.uniform(*type_fold, type_markers)
    mu *= rng.lognormal(0.0, library_sd, n)[:, None]
    return rng.negative_binomial(dispersion, dispersion / (dispersion + mu)), y, rng


ATLASES["cells-nested-20000"] = (nested_reads, dict(
    n=20_000, genes=2500, lineages=3, types=3, lineage_markers=80, lineage_fold=(3, 6),
    type_markers=20, type_fold=(1.5, 3), dispersion=1.2, library_sd=0.6, seed=87))

_F = dict(genes=2500, k=8, markers=40, fold=(1.5, 4), dispersion=1.0, library_sd=0.6,
          seed=93, unequal=True)
_G = dict(genes=3500, k=9, markers=25, fold=(2, 3.5), dispersion=1.2, library_sd=0.7,
          seed=94, unequal=True)
ATLASES.update({
    "cells-f-20000": (cell_reads, dict(n=20_000, **_F)),
    "cells-g-50000": (cell_reads, dict(n=50_000, **_G)),
    "cells-nested-50000": (nested_reads, dict(
        n=50_000, genes=3000, lineages=4, types=2, lineage_markers=60, lineage_fold=(2.5, 5),
        type_markers=25, type_fold=(1.5, 3), dispersion=1.0, library_sd=0.6, seed=95)),
})
THIRD = ("cells-f-20000", "cells-g-50000", "cells-nested-50000")
"""A third held-out batch, frozen in stop 86 before any atlas of it was generated or run and
before any study or change of that stop: two families in no half before and the nested
family at 50,000 cells in a new draw (4 lineages of 2 types)."""

_H = dict(genes=3000, k=11, markers=30, fold=(1.8, 3.5), dispersion=1.3, library_sd=0.8,
          seed=96, unequal=True)
_I = dict(genes=2000, k=5, markers=20, fold=(2, 3), dispersion=0.9, library_sd=0.7,
          seed=97, unequal=True)
ATLASES.update({
    "cells-h-20000": (cell_reads, dict(n=20_000, **_H)),
    "cells-i-50000": (cell_reads, dict(n=50_000, **_I)),
    "cells-nested-b-20000": (nested_reads, dict(
        n=20_000, genes=2000, lineages=2, types=4, lineage_markers=50, lineage_fold=(2, 4),
        type_markers=20, type_fold=(1.5, 2.5), dispersion=1.1, library_sd=0.7, seed=98)),
})
FOURTH = ("cells-h-20000", "cells-i-50000", "cells-nested-b-20000")
"""A fourth held-out batch, frozen in stop 87 before any atlas of it was generated or run and
before any study or change of that stop: two families in no half before and the nested
family with 2 lineages of 4 types."""


def write_h5ad(path: Path, counts: np.ndarray, labels: list[str], cells: list[str],
               genes: list[str]) -> Path:
    """``counts`` (cells x genes) as an AnnData ``.h5ad``: sparse float32 ``X``, the labels
    as the categorical ``obs['cell_type']``, written with h5py in anndata's layout."""
    import h5py
    from scipy import sparse

    matrix = sparse.csr_matrix(counts.astype(np.float32))
    strings = h5py.string_dtype()
    with h5py.File(path, "w") as f:
        f.attrs.update({"encoding-type": "anndata", "encoding-version": "0.1.0"})
        X = f.create_group("X")
        X.attrs.update({"encoding-type": "csr_matrix", "encoding-version": "0.1.0",
                        "shape": np.asarray(matrix.shape, dtype=np.int64)})
        for part in ("data", "indices", "indptr"):
            X.create_dataset(part, data=getattr(matrix, part), compression="gzip")
        for key, index, columns in (("obs", cells, ["cell_type"]), ("var", genes, [])):
            frame = f.create_group(key)
            frame.attrs.update({"encoding-type": "dataframe", "encoding-version": "0.2.0",
                                "_index": "_index"})
            frame.attrs.create("column-order", columns, dtype=strings)
            frame.create_dataset("_index", data=np.asarray(index, dtype=object),
                                 dtype=strings)
        names = sorted(set(labels))
        column = f["obs"].create_group("cell_type")
        column.attrs.update({"encoding-type": "categorical", "encoding-version": "0.2.0",
                             "ordered": False})
        column.create_dataset("categories", data=np.asarray(names, dtype=object),
                              dtype=strings)
        code = {name: i for i, name in enumerate(names)}
        column.create_dataset("codes", data=np.asarray([code[v] for v in labels], np.int8))
    return path


def write_atlas(name: str, folder: Path) -> tuple[Path, int]:
    """Write the atlas ``name`` to ``folder`` (kept there for later runs); its path and its
    number of cell types."""
    import h5py

    path = folder / f"{name}.h5ad"
    if not path.exists():
        generate, params = ATLASES[name]
        counts, y, rng = generate(**params)
        folder.mkdir(parents=True, exist_ok=True)
        write_h5ad(path.with_suffix(".part"), counts, [f"type_{c}" for c in y],
                   barcodes(rng, len(y)), [f"ENSG{i:011d}" for i in range(counts.shape[1])])
        path.with_suffix(".part").rename(path)
    with h5py.File(path, "r") as f:
        return path, len(f["obs/cell_type/categories"])
