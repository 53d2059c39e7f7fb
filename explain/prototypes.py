"""Prototypes (the most central members) and keywords (class-based TF-IDF, as BERTopic)."""

from __future__ import annotations

import numpy as np

from clustering.text_terms import keyword_terms

__all__ = ["contrasts", "dimension_terms", "keywords", "prototypes"]


def prototypes(X: np.ndarray, labels: np.ndarray, ids: np.ndarray, per_cluster: int = 5
               ) -> dict[int, list[str]]:
    """Ids of the members nearest to each cluster's mean (medoid-like), nearest first."""
    out = {}
    for c in np.unique(labels[labels >= 0]):
        rows = np.flatnonzero(labels == c)
        d = ((X[rows] - X[rows].mean(0)) ** 2).sum(1)
        out[int(c)] = [str(ids[r]) for r in rows[np.argsort(d)[:per_cluster]]]
    return out


def contrasts(X: np.ndarray, labels: np.ndarray, ids: np.ndarray, per_cluster: int = 5
              ) -> dict[int, list[str]]:
    """Near misses: ids of points of *other* clusters nearest to each cluster's mean.

    Shown beside the prototypes they say what the cluster is not ("close, but not this").

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0], [1.0], [3.0], [9.0], [10.0]])
    >>> contrasts(X, np.array([0, 0, 1, 1, 1]), np.array(list("abcde")), per_cluster=1)
    {0: ['c'], 1: ['b']}
    """
    out = {}
    for c in np.unique(labels[labels >= 0]):
        inside = labels == c
        others = np.flatnonzero(~inside & (labels >= 0))
        d = ((X[others] - X[inside].mean(0)) ** 2).sum(1)
        out[int(c)] = [str(ids[r]) for r in others[np.argsort(d)[:per_cluster]]]
    return out


def dimension_terms(X: np.ndarray, terms: np.ndarray, term_names: list[str], top: int = 2
                    ) -> list[str]:
    """Name each embedding dimension by the words it follows most closely.

    ``dim_57`` tells a reader nothing; ``dim 57 ~ orbit, comet`` does. The words are the
    TF-IDF terms most positively correlated with the dimension over the collection.

    Parameters
    ----------
    X : ndarray, shape (n, d)
        Embedding.
    terms : ndarray, shape (n, p)
        TF-IDF weights (``term:<word>`` columns of :func:`explain.readable.readable_features`).
    term_names : list of str
    top : int

    Returns
    -------
    list of str, length d
    """
    Xc = X - X.mean(0)
    Tc = terms - terms.mean(0)
    corr = (Xc.T @ Tc) / (np.outer(np.linalg.norm(Xc, axis=0), np.linalg.norm(Tc, axis=0))
                          + 1e-12)
    words = [n.removeprefix("term:") for n in term_names]
    out = []
    for j in range(X.shape[1]):
        best = [b for b in np.argsort(-corr[j])[:top] if corr[j, b] > 0]
        out.append(f"dim {j} ~ " + ", ".join(words[b] for b in best) if best else f"dim {j}")
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
    vec = CountVectorizer(analyzer=keyword_terms)  # words in any script, CJK as bigrams
    try:
        counts = vec.fit_transform(docs).toarray().astype(float)
    except ValueError:  # no word in any text (only numbers, signs or emoji)
        return {int(c): [] for c in clusters}
    tf = counts / np.clip(counts.sum(1, keepdims=True), 1, None)
    idf = np.log(1 + counts.sum(1).mean() / np.clip(counts.sum(0), 1, None))
    score = tf * idf
    terms = vec.get_feature_names_out()
    return {int(c): [str(terms[j]) for j in np.argsort(-score[i])[:top] if score[i, j] > 0]
            for i, c in enumerate(clusters)}
