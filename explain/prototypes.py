"""Prototypes (the most central members) and keywords (class-based TF-IDF, as BERTopic)."""

from __future__ import annotations

import numpy as np

__all__ = ["keywords", "prototypes"]


def prototypes(X: np.ndarray, labels: np.ndarray, ids: np.ndarray, per_cluster: int = 5
               ) -> dict[int, list[str]]:
    """Ids of the members nearest to each cluster's mean (medoid-like), nearest first."""
    out = {}
    for c in np.unique(labels[labels >= 0]):
        rows = np.flatnonzero(labels == c)
        d = ((X[rows] - X[rows].mean(0)) ** 2).sum(1)
        out[int(c)] = [str(ids[r]) for r in rows[np.argsort(d)[:per_cluster]]]
    return out


def keywords(texts: list[str], labels: np.ndarray, top: int = 8) -> dict[int, list[str]]:
    """Terms that set each cluster apart: c-TF-IDF over one document per cluster.

    ``tf(t, c) * log(1 + A / f(t))`` with ``A`` the mean words per cluster and ``f(t)`` the
    term's frequency over all clusters (Grootendorst 2022).

    Examples
    --------
    >>> import numpy as np
    >>> texts = ["rocket orbit launch", "orbit moon rocket", "bread flour oven", "oven bread yeast"]
    >>> keywords(texts, np.array([0, 0, 1, 1]), top=2)[1]
    ['bread', 'oven']
    """
    from sklearn.feature_extraction.text import CountVectorizer

    clusters = np.unique(labels[labels >= 0])
    if len(clusters) == 0:
        return {}
    docs = [" ".join(t for t, lab in zip(texts, labels, strict=True) if lab == c)
            for c in clusters]
    vec = CountVectorizer(stop_words="english", token_pattern=r"(?u)\b[a-zA-Z][a-zA-Z]+\b")
    counts = vec.fit_transform(docs).toarray().astype(float)
    tf = counts / np.clip(counts.sum(1, keepdims=True), 1, None)
    idf = np.log(1 + counts.sum(1).mean() / np.clip(counts.sum(0), 1, None))
    score = tf * idf
    terms = vec.get_feature_names_out()
    return {int(c): [str(terms[j]) for j in np.argsort(-score[i])[:top] if score[i, j] > 0]
            for i, c in enumerate(clusters)}
