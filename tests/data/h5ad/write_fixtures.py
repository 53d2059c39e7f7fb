"""Write the AnnData files ``tests/test_hdf5_counts.py`` reads, with the ``anndata`` library.

The ``anndata`` package pins pandas below 3, which clusterlab's own install does not, so the
files are written once in a separate environment and committed (anndata 0.12.19, numpy
2.4.6, pandas 2.3.3)::

    python -m venv /tmp/adenv && /tmp/adenv/bin/pip install numpy==2.4.6 anndata scipy
    /tmp/adenv/bin/python tests/data/h5ad/write_fixtures.py

The counts are :func:`tests.cell_counts.cell_counts`' (same seed, same numpy), so the
tests compare what clusterlab reads with the counts they make themselves.
"""

from __future__ import annotations

import sys
from pathlib import Path

import anndata
import numpy as np
import pandas as pd
from scipy import sparse

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))  # tests/

from cell_counts import cell_counts  # noqa: E402


def write(path: Path, counts: np.ndarray, types: np.ndarray, *, normalised: bool = False,
          layout: str = "csr", raw: bool = True, layer: bool = False) -> None:
    """As scanpy users save them: Ensembl ids as the genes' index, symbols in
    ``feature_name`` (as CELLxGENE), annotations in ``obs``, a 2-D map in ``obsm``; with
    ``normalised``, X log-normalised and the counts in ``raw`` (unless ``raw`` is False);
    with ``layer``, the counts in ``layers["counts"]`` and ``raw`` the log-normalised values
    (scanpy's tutorials keep the counts so and set ``adata.raw`` after normalising)."""
    genes = counts.shape[1]
    var = pd.DataFrame({"feature_name": [f"GENE{i}" for i in range(genes)]},
                       index=[f"ENSG{i:011d}" for i in range(genes)])
    obs = pd.DataFrame({"cell_type": pd.Categorical([f"type{t}" for t in types]),
                        "donor": [f"d{i % 2}" for i in range(len(types))],
                        "n_counts": counts.sum(axis=1).astype(np.float32)},
                       index=[f"AAAC{i:08d}-1" for i in range(len(types))])
    make = {"csr": sparse.csr_matrix, "csc": sparse.csc_matrix, "dense": np.asarray}[layout]
    adata = anndata.AnnData(X=make(counts.astype(np.float32)), obs=obs, var=var)
    angle = types * 2 * np.pi / 3  # a map the user made before (scanpy's sc.tl.umap)
    adata.obsm["X_umap"] = np.c_[np.cos(angle), np.sin(angle)].astype(np.float32) * 5
    if normalised:
        if raw and not layer:
            adata.raw = adata.copy()
        if layer:
            adata.layers["counts"] = sparse.csr_matrix(counts.astype(np.float32))
        totals = counts.sum(axis=1, keepdims=True)
        adata.X = sparse.csr_matrix(np.log1p(counts / totals * 1e4).astype(np.float32))
        if layer:
            adata.raw = adata.copy()
    adata.write_h5ad(path, compression="gzip")


if __name__ == "__main__":
    counts, types, _ = cell_counts()
    for layout in ("csr", "csc", "dense"):
        write(HERE / f"cells_{layout}.h5ad", counts, types, layout=layout)
    write(HERE / "normalised.h5ad", counts, types, normalised=True)
    write(HERE / "normalised_only.h5ad", counts, types, normalised=True, raw=False)
    write(HERE / "counts_layer.h5ad", counts, types, normalised=True, layer=True)
    more, more_types, _ = cell_counts(cells=30)
    write(HERE / "more.h5ad", more, more_types)
