"""Post-fit explanations of a clustering.

Rules and threshold trees, polyhedra, saliency (Captum), ambiguity, calibration,
prototypes and keywords. No Streamlit here.

Each is a function of a finished clustering (``describe_rules(X, names, labels)``,
``ambiguity(X, labels, soft, xy)``, ...); :func:`explain_clustering` computes them all and
:class:`Explanation` holds the result.
"""

from .ambiguity import ambiguity
from .calibration import reliability
from .polyhedra import describe_polyhedra
from .prototypes import keywords, prototypes
from .readable import readable_features
from .report import EXPLAIN_VERSION, Explanation, explain_clustering
from .rules import describe_rules
from .saliency import saliency_summary

__all__ = ["EXPLAIN_VERSION", "Explanation", "ambiguity", "describe_polyhedra",
           "describe_rules", "explain_clustering", "keywords", "prototypes",
           "readable_features", "reliability", "saliency_summary"]
