"""clusterlab's pipeline: data -> features -> clustering -> 2-D map -> metrics.

No Streamlit here. Heavy libraries (torch, umap, hdbscan) are imported inside the
functions that need them, and the names below are imported on first use, so
``import clustering.errors`` (the app's and the CLI's first import) stays fast.

In a notebook::

    from clustering import ClusterLab
    lab = ClusterLab(method="scan", n_clusters=10).fit("demo:digits")
    lab.labels_, lab.confidence_, lab.embedding_, lab.metrics_
    lab.explain().to_json()

The functional core is re-exported here too: :func:`load_data`, :func:`featurize`,
:func:`cluster`, :func:`project`, :func:`cluster_metrics`, :func:`run_pipeline`.
"""

from __future__ import annotations

import importlib

_WHERE = {
    "METHODS": "clusterers", "cluster": "clusterers", "Clustering": "clustering_result",
    "Dataset": "dataset", "DEEP_METHODS": "deep.registry", "Cancelled": "errors",
    "InputError": "errors", "ClusterLab": "estimator", "REPRESENTATIONS": "features",
    "Features": "features", "featurize": "features", "featurize_like": "features",
    "choose_k": "kselect", "dataset_from_frame": "loaders", "load_data": "loaders",
    "cluster_metrics": "metrics", "hungarian_accuracy": "metrics", "RunConfig": "pipeline",
    "RunResult": "pipeline", "run_pipeline": "pipeline", "Projection": "projection",
    "knn_graph": "projection", "project": "projection", "umap_embed": "projection",
    "PIPELINE_VERSION": "version", "__version__": "version",
}

__all__ = sorted(_WHERE, key=str.lower)


def __getattr__(name: str):
    """Import a public name's module when the name is first used (PEP 562)."""
    if name not in _WHERE:
        raise AttributeError(f"module 'clustering' has no attribute '{name}'")
    value = getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))
