"""Every explanation of one clustering, in the ``explanations.json`` format of DESIGN.md."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

import numpy as np

from clustering.clustering_result import Clustering
from clustering.dataset import Dataset
from clustering.progress import ProgressFn, no_progress

from .ambiguity import ambiguity
from .calibration import reliability
from .markers import count_matrix, marker_genes
from .polyhedra import describe_polyhedra
from .prototypes import contrasts, dimension_terms, keywords, prototypes
from .readable import readable_features
from .rules import describe_rules
from .saliency import saliency_summary

__all__ = ["EXPLAIN_VERSION", "Explanation", "explain_clustering"]


EXPLAIN_VERSION = 6
"""Written into every report; a stored report of another version is computed again. Bump
it whenever a change in ``explain/`` alters what a report says. 4 (stop 68): keywords and
text terms are words of letters in any script and CJK bigrams
(:mod:`clustering.text_terms`), not only ``a-z`` words. 5 (stop 69): web and e-mail
addresses are no keywords or text terms (:data:`clustering.text_terms.LINKS`). 6 (stop 74):
the clusters of a table of counts carry their marker genes (:mod:`explain.markers`)."""


@dataclass(frozen=True, eq=False)
class Explanation:
    """Every explanation of one clustering.

    Parameters
    ----------
    clusters : list of dict
        One entry per cluster (noise left out): ``cluster``, ``name``, ``size``,
        ``rule``, ``polyhedron`` (each with precision and coverage), ``ambiguity``,
        ``prototypes``, ``contrasts`` (near misses from other clusters), and
        ``keywords`` / ``saliency`` where they apply.
    summary : dict
        Whole-clustering figures: ``rules_fidelity``, ``rules_leaves``,
        ``view_ambiguity``, ``calibration`` (with ground truth), ``timings``, ...
    point_ambiguity : ndarray, shape (n,)
        Ambiguity of every point in [0, 1].
    """

    clusters: list
    summary: dict
    point_ambiguity: np.ndarray

    @classmethod
    def from_report(cls, report: dict, point_ambiguity: np.ndarray) -> Explanation:
        """From :func:`explain_clustering`'s report and point ambiguity."""
        summary = {k: v for k, v in report.items() if k != "clusters"}
        return cls(list(report["clusters"]), summary, np.asarray(point_ambiguity))

    def cluster(self, cluster: int) -> dict:
        """The entry of one cluster id (``KeyError`` when it has none)."""
        for entry in self.clusters:
            if entry["cluster"] == cluster:
                return entry
        raise KeyError(cluster)

    def to_dict(self) -> dict:
        """The ``explanations.json`` document (DESIGN.md)."""
        return {"clusters": self.clusters, **self.summary}

    def to_json(self, indent: int | None = None) -> str:
        """:meth:`to_dict` as JSON text."""
        return json.dumps(self.to_dict(), indent=indent)


def explain_clustering(data: Dataset, X: np.ndarray, feature_names: list[str],
                       clustering: Clustering, xy: np.ndarray, *, names: dict | None = None,
                       max_leaves: int | None = None, max_halfspaces: int = 4,
                       time_limit: float = 10.0, n_boot: int = 8, saliency: bool = True,
                       random_state: int = 0, progress: ProgressFn = no_progress
                       ) -> tuple[dict, np.ndarray]:
    """Compute rules, polyhedra, ambiguity, calibration, prototypes, keywords and saliency.

    Parameters
    ----------
    data : Dataset
    X : ndarray, shape (n, d)
        The features that were clustered.
    feature_names : list of str
    clustering : Clustering
    xy : ndarray, shape (n, 2)
    names : dict, optional
        Cluster id -> name.
    max_leaves, max_halfspaces, time_limit, n_boot, saliency, random_state
        Budgets of each explanation.
    progress : callable

    Returns
    -------
    report : dict
        JSON-serialisable, ``{"clusters": [...], ...}``.
    point_ambiguity : ndarray, shape (n,)

    Examples
    --------
    >>> from clustering import ClusterLab
    >>> lab = ClusterLab(method="kmeans", n_clusters=3, map=False).fit("demo:iris")
    >>> ex = lab.explain(saliency=False)  # calls explain_clustering
    >>> len(ex.clusters), ex.cluster(0)["rule"]["precision"] > 0.8
    (3, True)
    """
    labels = clustering.labels
    timings: dict[str, float] = {}

    def timed(key, fraction, fn):
        progress(fraction, f"explaining: {key}")
        start = time.perf_counter()
        out = fn()
        timings[key] = round(time.perf_counter() - start, 3)
        return out

    R, rnames = readable_features(data)
    rules = timed("rules", 0.0, lambda: describe_rules(R, rnames, labels, max_leaves,
                                                       random_state=random_state))
    polys = timed("polyhedra", 0.15, lambda: describe_polyhedra(
        R, rnames, labels, max_halfspaces, time_limit, random_state=random_state))
    amb = timed("ambiguity", 0.55, lambda: ambiguity(X, labels, clustering.soft, xy, n_boot,
                                                      random_state=random_state))
    protos = timed("prototypes", 0.7, lambda: prototypes(X, labels, data.ids))
    near = contrasts(X, labels, data.ids)
    if data.texts is not None and rnames and rnames[0].startswith("term:") and \
            all(n.startswith("dim_") for n in feature_names):
        feature_names = dimension_terms(X, R, rnames)
    words = timed("keywords", 0.72, lambda: keywords(data.texts, labels)) \
        if data.texts is not None else {}
    counts = count_matrix(data)
    markers = timed("markers", 0.74, lambda: marker_genes(*counts, labels)) \
        if counts is not None else {}
    sal = timed("saliency", 0.75, lambda: saliency_summary(
        X, labels, _deep_forward(clustering), random_state=random_state)) if saliency else None
    report = {"clusters": [], "explain_version": EXPLAIN_VERSION,
              "rules_fidelity": round(rules.fidelity, 4),
              "rules_leaves": rules.leaves, "view_ambiguity": round(amb.view, 4),
              "timings": timings}
    if data.labels is not None:
        rel = reliability(clustering.confidence, labels, data.labels)
        report["calibration"] = {"ece": round(rel.ece, 4), "bins": rel.bin_edges,
                                 "confidence": rel.confidence, "accuracy": rel.accuracy,
                                 "count": rel.count}
    if sal is not None:
        report["saliency"] = {"surrogate_agreement": sal.surrogate_agreement,
                              "method": "IntegratedGradients + NoiseTunnel(smoothgrad)"}
    for c in sorted(rules.rules):
        entry = {"cluster": c, "name": (names or {}).get(c) or f"cluster {c}",
                 "size": int((labels == c).sum()), "rule": rules.rules[c].to_json(),
                 "polyhedron": polys[c].to_json(),
                 "ambiguity": round(amb.per_cluster[c]["mean"], 4),
                 "ambiguous_share": round(amb.per_cluster[c]["ambiguous_share"], 4),
                 "prototypes": protos[c], "contrasts": near[c]}
        if c in words:
            entry["keywords"] = words[c]
        if c in markers:
            entry["markers"] = markers[c]
        if sal is not None:
            entry["saliency"] = _saliency_entry(sal, c, feature_names)
        report["clusters"].append(entry)
    progress(1.0, "explanations done")
    return report, amb.score


def _saliency_entry(sal, c: int, names: list[str]) -> dict:
    attr = sal.attribution[c]
    top = np.argsort(-attr)[:10]
    out = {"top_features": [[names[j], round(float(attr[j]), 6)] for j in top],
           "deletion_auc": round(sal.deletion_auc[c], 4),
           "random_deletion_auc": round(sal.random_deletion_auc[c], 4)}
    if len(attr) <= 4096:
        out["map"] = [round(float(v), 6) for v in attr]
    return out


def _deep_forward(clustering: Clustering):
    """The deep model's assignment logits as a function of its input features.

    The function goes through the view network when the model reads a learned view. None
    (then a surrogate is trained) without a deep model, or for an older one that did not
    keep its view.
    """
    model = getattr(clustering, "model", None)
    return None if model is None else model.logits_function()
