"""clusterlab's pipeline: data -> features -> clustering -> 2-D map -> metrics.

No Streamlit here. Heavy libraries (torch, umap, hdbscan) are imported inside the
functions that need them, so ``import clustering`` stays fast.
"""

from .clustering_result import Clustering
from .dataset import Dataset
from .errors import InputError
from .features import Features, featurize
from .loaders import load_data
from .metrics import cluster_metrics, hungarian_accuracy
from .pipeline import RunConfig, RunResult, run_pipeline
from .projection import Projection

__all__ = [
    "Clustering", "Dataset", "Features", "InputError", "Projection", "RunConfig", "RunResult",
    "cluster_metrics", "featurize", "hungarian_accuracy", "load_data", "run_pipeline",
]
__version__ = "0.1.0"
