"""Spectral clustering of a neighbour graph, as ``auto``'s ``spectral`` candidate cuts it.

Moved out of :mod:`clustering.auto` in stop 87, when that module reached 500 lines; the
solver is chosen by the graph's size (:data:`SPECTRAL_EXACT_UP_TO`).
"""

from __future__ import annotations

import numpy as np

__all__ = ["SPECTRAL_EXACT_UP_TO", "spectral_labels"]


def spectral_labels(neighbours: np.ndarray, k: int, seed: int) -> np.ndarray:
    """Spectral clustering (QR assignment, deterministic) of a symmetrised neighbour graph.

    Up to :data:`SPECTRAL_EXACT_UP_TO` rows scikit-learn's ``SpectralClustering`` (ARPACK in
    shift-invert mode, as every figure in ``benchmarks/README.md`` was measured); above, the
    same embedding by LOBPCG, because shift-invert factorises the whole Laplacian (20,000 rows
    8 s, 100,000 rows over 6 minutes).

    Parameters
    ----------
    neighbours : ndarray of int, shape (n, m)
        Each row's nearest neighbours.
    k : int
        Number of clusters.
    seed : int
        Seed of the eigen-solver's start.

    Returns
    -------
    ndarray of int64, shape (n,)
        Labels 0..k-1 (every one in use).
    """
    import warnings

    import scipy.sparse as sp
    from sklearn.cluster import SpectralClustering

    n, m = neighbours.shape
    graph = sp.csr_matrix((np.ones(n * m), (np.repeat(np.arange(n), m), neighbours.ravel())),
                          shape=(n, n))
    graph = ((graph + graph.T) > 0).astype(np.float64)
    solver = "lobpcg" if n > SPECTRAL_EXACT_UP_TO else "arpack"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "graph is not fully connected"
        labels = SpectralClustering(k, affinity="precomputed", random_state=seed,
                                    assign_labels="cluster_qr",
                                    eigen_solver=solver).fit_predict(graph)
    return np.unique(labels, return_inverse=True)[1].astype(np.int64)


SPECTRAL_EXACT_UP_TO = 10_000
"""Rows up to which :func:`spectral_labels` uses scikit-learn's shift-invert ARPACK; above it
LOBPCG. 15-NN graph of ``mixed-table``, one thread: 20,000 rows ARPACK 8.2 s, LOBPCG 0.4 s
(ACC 0.993 both); 100,000 rows ARPACK still factorising after 6 minutes, LOBPCG 2.5 s. On
the 28 suite sets up to 2,000 rows the two give the same clusters (ARI 1.000 on each).
20,000 until stop 83, when 20,000 rows of ``waveforms`` and ``elongated-blobs`` took ARPACK
48-77 s (LOBPCG 0.1-0.3 s, ARI between the two 0.87-1.00, ACC within 0.001) and put the time
left shown at half the truth; at 10,001 rows ARPACK took 4.6-7.1 s, LOBPCG 0.1 s (ARI
0.999-1.000)."""
