"""Quality measures: Hungarian-matched accuracy, NMI, ARI, silhouette, noise share."""

from __future__ import annotations

import numpy as np

__all__ = ["calibration_bins", "cluster_metrics", "contingency_metrics",
           "expected_calibration_error", "hungarian_accuracy", "labelled", "matched_mapping"]


def labelled(truth) -> np.ndarray:
    """Which rows have a true class (a partly labelled column leaves the others empty).

    Examples
    --------
    >>> labelled(np.array(["a", None, "b"], dtype=object)).tolist()
    [True, False, True]
    """
    import pandas as pd

    return ~np.asarray(pd.isna(np.asarray(truth, dtype=object)), dtype=bool)


def _encode(values: np.ndarray) -> np.ndarray:
    return np.unique(np.asarray(values).astype(str), return_inverse=True)[1]


def matched_mapping(truth: np.ndarray, labels: np.ndarray) -> tuple[dict[int, int], np.ndarray]:
    """Best one-to-one match of predicted clusters to true classes.

    Parameters
    ----------
    truth : ndarray, shape (n,)
        True classes (any dtype).
    labels : ndarray of int, shape (n,)
        Predicted clusters; -1 is noise and never matched.

    Returns
    -------
    mapping : dict
        Predicted cluster -> index of true class (codes of ``np.unique(truth)``).
    truth_codes : ndarray of int, shape (n,)
    """
    from scipy.optimize import linear_sum_assignment

    t = _encode(truth)
    clusters = np.unique(labels[labels >= 0])
    if len(clusters) == 0:
        return {}, t
    table = np.zeros((len(clusters), t.max() + 1), dtype=np.int64)
    index = {c: i for i, c in enumerate(clusters)}
    for lab, tru in zip(labels, t, strict=True):
        if lab >= 0:
            table[index[lab], tru] += 1
    rows, cols = linear_sum_assignment(table, maximize=True)
    return {int(clusters[r]): int(c) for r, c in zip(rows, cols, strict=True)}, t


def hungarian_accuracy(truth: np.ndarray, labels: np.ndarray) -> float:
    """Accuracy after the best one-to-one cluster-to-class match.

    Noise points (-1) and points in clusters left unmatched count as wrong.

    Parameters
    ----------
    truth : ndarray, shape (n,)
    labels : ndarray of int, shape (n,)

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> hungarian_accuracy(np.array([0, 0, 1, 1]), np.array([1, 1, 0, -1]))
    0.75
    """
    labels = np.asarray(labels)
    if len(labels) == 0:
        return 0.0
    mapping, t = matched_mapping(truth, labels)
    predicted = np.array([mapping.get(int(lab), -1) for lab in labels])
    return float(np.mean(predicted == t))


def cluster_metrics(X: np.ndarray, labels: np.ndarray, truth: np.ndarray | None = None,
                    random_state: int = 0, sample: int = 5000,
                    confidence: np.ndarray | None = None) -> dict:
    """All quality figures for one clustering.

    NMI and ARI treat noise as one more cluster. Silhouette leaves noise out and uses a
    seeded sample of at most ``sample`` points.

    Parameters
    ----------
    X : ndarray, shape (n, d)
    labels : ndarray of int, shape (n,)
    truth : ndarray, shape (n,), optional
    random_state : int
    sample : int
    confidence : ndarray, shape (n,), optional
        Per-point confidence; with ``truth`` adds ``ece`` (15 bins, Hungarian-matched).

    Returns
    -------
    dict
        ``n_clusters``, ``noise_share``, ``silhouette`` and, with ``truth``, ``acc``,
        ``nmi``, ``ari`` (on the rows with a true class, ``labelled`` of them, when some have
        none).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0], [0.1], [5.0], [5.1]])
    >>> m = cluster_metrics(X, np.array([1, 1, 0, 0]), np.array(["a", "a", "b", "b"]))
    >>> m["acc"], m["n_clusters"]
    (1.0, 2)
    """
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score, silhouette_score

    labels = np.asarray(labels)
    out = {"n_clusters": int(len(np.unique(labels[labels >= 0]))),
           "noise_share": float(np.mean(labels < 0)) if len(labels) else 0.0,
           "silhouette": None}
    inside = np.flatnonzero(labels >= 0)
    if len(np.unique(labels[inside])) >= 2 and len(inside) > len(np.unique(labels[inside])):
        if len(inside) > sample:
            inside = np.random.default_rng(random_state).choice(inside, sample, replace=False)
        if len(np.unique(labels[inside])) >= 2:
            out["silhouette"] = float(silhouette_score(X[inside], labels[inside]))
    if truth is not None:
        known = labelled(truth)
        if not known.all():  # measured on the labelled rows only
            out["labelled"] = int(known.sum())
            truth, labels = np.asarray(truth, dtype=object)[known], labels[known]
            confidence = None if confidence is None else np.asarray(confidence)[known]
        t = _encode(truth)
        out["acc"] = hungarian_accuracy(truth, labels)
        out["nmi"] = float(normalized_mutual_info_score(t, labels))
        out["ari"] = float(adjusted_rand_score(t, labels))
        if confidence is not None:
            out["ece"] = expected_calibration_error(confidence, labels, truth)
    return out


def calibration_bins(confidence: np.ndarray, labels: np.ndarray, truth: np.ndarray,
                     bins: int = 15) -> dict:
    """Reliability bins and ECE.

    A point is correct when its Hungarian-matched cluster is its class (noise counts as wrong);
    rows without a class are left out.

    Returns
    -------
    dict
        ``edges``, per-bin ``confidence`` and ``accuracy`` (None for empty bins),
        ``count``, and ``ece``.
    """
    known = labelled(truth)
    if not known.all():  # measured on the labelled rows only
        truth = np.asarray(truth, dtype=object)[known]
        labels, confidence = np.asarray(labels)[known], np.asarray(confidence)[known]
    mapping, t = matched_mapping(truth, labels)
    correct = np.array([mapping.get(int(lab), -1) for lab in labels]) == t
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, bins - 1)
    conf, acc, count, ece = [], [], [], 0.0
    for b in range(bins):
        mask = which == b
        count.append(int(mask.sum()))
        if mask.any():
            conf.append(float(confidence[mask].mean()))
            acc.append(float(correct[mask].mean()))
            ece += mask.mean() * abs(conf[-1] - acc[-1])
        else:
            conf.append(None)
            acc.append(None)
    return {"edges": edges.tolist(), "confidence": conf, "accuracy": acc, "count": count,
            "ece": float(ece)}


def expected_calibration_error(confidence: np.ndarray, labels: np.ndarray, truth: np.ndarray,
                               bins: int = 15) -> float:
    """ECE over equal-width bins with Hungarian-matched correctness."""
    return calibration_bins(confidence, labels, truth, bins)["ece"]


def contingency_metrics(table: dict[str, dict[str, int]]) -> dict:
    """ACC, NMI and ARI from counts alone (summed over chunks that were never in one place).

    Noise (cluster ``"-1"``) is never matched by ACC and is one more cluster for NMI and
    ARI, as in :func:`cluster_metrics`.

    Parameters
    ----------
    table : dict
        True class -> cluster -> number of rows.

    Returns
    -------
    dict
        ``acc``, ``nmi``, ``ari``, ``rows``, ``n_clusters``, ``noise_share``.

    Examples
    --------
    >>> m = contingency_metrics({"a": {"0": 2}, "b": {"1": 1, "-1": 1}})
    >>> m["acc"], m["n_clusters"]
    (0.75, 2)
    """
    from scipy.optimize import linear_sum_assignment
    from scipy.special import comb
    from sklearn.metrics import mutual_info_score

    classes = sorted(table)
    clusters = sorted({k for row in table.values() for k in row}, key=int)
    counts = np.array([[table[t].get(k, 0) for k in clusters] for t in classes], np.int64)
    n = int(counts.sum())
    real = [j for j, k in enumerate(clusters) if int(k) >= 0]
    acc = 0.0
    if real and n:
        rows, cols = linear_sum_assignment(counts[:, real], maximize=True)
        acc = float(counts[:, real][rows, cols].sum() / n)
    a, b = counts.sum(axis=1), counts.sum(axis=0)
    mi = mutual_info_score(None, None, contingency=counts)

    def entropy(margin):
        p = margin[margin > 0] / n
        return float(-(p * np.log(p)).sum())

    h = (entropy(a) + entropy(b)) / 2
    nmi = 1.0 if h == 0 else float(mi / h)
    pairs, pa, pb = comb(counts, 2).sum(), comb(a, 2).sum(), comb(b, 2).sum()
    expected = pa * pb / comb(n, 2) if n > 1 else 0.0
    top = (pa + pb) / 2 - expected
    ari = 1.0 if top == 0 else float((pairs - expected) / top)
    noise = sum(counts[:, j].sum() for j, k in enumerate(clusters) if int(k) < 0)
    return {"acc": acc, "nmi": nmi, "ari": ari, "rows": n, "n_clusters": len(real),
            "noise_share": float(noise / n) if n else 0.0}
