"""clusterlab's pipeline: data -> features -> clustering -> 2-D map -> metrics.

No Streamlit here. Heavy libraries (torch, umap, hdbscan) are imported inside the
functions that need them, so ``import clustering`` stays fast.

In a notebook::

    from clustering import ClusterLab
    lab = ClusterLab(method="scan", n_clusters=10).fit("demo:digits")
    lab.labels_, lab.confidence_, lab.embedding_, lab.metrics_
    lab.explain().to_json()

The functional core is re-exported here too: :func:`load_data`, :func:`featurize`,
:func:`cluster`, :func:`project`, :func:`cluster_metrics`, :func:`run_pipeline`.
"""

from .clusterers import METHODS, cluster
from .clustering_result import Clustering
from .dataset import Dataset
from .deep.registry import DEEP_METHODS
from .errors import Cancelled, InputError
from .estimator import ClusterLab
from .features import REPRESENTATIONS, Features, featurize, featurize_like
from .kselect import choose_k
from .loaders import dataset_from_frame, load_data
from .metrics import cluster_metrics, hungarian_accuracy
from .pipeline import RunConfig, RunResult, run_pipeline
from .projection import Projection, knn_graph, project, umap_embed
from .version import PIPELINE_VERSION, __version__

__all__ = [
    "DEEP_METHODS", "METHODS", "PIPELINE_VERSION", "REPRESENTATIONS", "Cancelled", "ClusterLab",
    "Clustering", "Dataset", "Features", "InputError", "Projection", "RunConfig", "RunResult",
    "__version__", "choose_k", "cluster", "cluster_metrics", "dataset_from_frame",
    "featurize", "featurize_like", "hungarian_accuracy", "knn_graph", "load_data", "project",
    "run_pipeline", "umap_embed",
]
