"""Proposed cluster names, from what sets each cluster apart.

Text clusters are named by their c-TF-IDF keywords, table clusters by the columns whose
values differ most from the rest ("high petal_length · batch = B1") or, for tables of counts,
by their marker genes ("CD3E+ · IL7R+", :mod:`explain.markers`), image clusters by the
visible features that differ most ("bright · reddish"). A reviewer accepts or edits them;
nothing here is stored as a reviewed name.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from clustering.dataset import Dataset

from .markers import count_matrix, marker_genes

__all__ = ["suggest_names"]

MIN_EFFECT = 0.5
"""A feature names a cluster only when its mean differs from the rest's by at least this
many standard deviations (or a category is at least this much more common)."""


def suggest_names(data: Dataset, labels: np.ndarray, words: int = 2) -> dict[int, str]:
    """A short proposed name per cluster (noise left out).

    Parameters
    ----------
    data : Dataset
    labels : ndarray of int, shape (n,)
    words : int
        Terms per name.

    Returns
    -------
    dict
        Cluster id -> name; clusters nothing sets apart are left out. Names are unique
        (a repeated one gets its cluster id).

    Examples
    --------
    >>> import pandas as pd
    >>> from clustering.loaders import dataset_from_frame
    >>> frame = pd.DataFrame({"size": [1.0, 1.1, 0.9, 9.0, 9.2, 8.8]})
    >>> suggest_names(dataset_from_frame(frame), np.array([0, 0, 0, 1, 1, 1]))
    {0: 'low size', 1: 'high size'}
    """
    labels = np.asarray(labels)
    clusters = [int(c) for c in np.unique(labels) if c >= 0]
    if len(clusters) < 2:
        return {}
    if data.texts is not None:
        from .prototypes import keywords

        found = {c: w for c, w in keywords(data.texts, labels).items() if w}
        words += 1
    elif data.modality == "images" and data.images is not None:
        from .visual import VISUAL_WORDS, visual_features

        X, names = visual_features(data.images)
        found = _by_effect(pd.DataFrame(X, columns=names), labels, clusters,
                           lambda name, high: _visual_word(name, high, VISUAL_WORDS))
    elif (counts := count_matrix(data)) is not None:  # genes read more: "CD3E+ · IL7R+"
        found = {c: [f"{m['gene']}+" for m in genes]
                 for c, genes in marker_genes(*counts, labels).items() if genes}
    elif data.modality == "table":
        found = _by_effect(data.feature_table(), labels, clusters,
                           lambda name, high: f"{'high' if high else 'low'} {name}")
    else:
        return {}
    return _unique(found, words)


def _visual_word(name: str, high: bool, words: dict) -> str:
    if name in words:
        return words[name][0 if high else 1]
    place = name.removeprefix("brightness ").replace("middle centre", "centre")
    return f"{'bright' if high else 'dark'} {place}"


def _by_effect(table: pd.DataFrame, labels: np.ndarray, clusters: list[int], word
               ) -> dict[int, list[str]]:
    """Each cluster's differences from the rest in words, strongest first."""
    numeric = [c for c in table.columns if table[c].dtype.kind in "biuf"]
    values = table[numeric].to_numpy(np.float64) if numeric else np.zeros((len(table), 0))
    spread = np.nanstd(values, axis=0) + 1e-12
    categorical = [c for c in table.columns if c not in numeric]
    out = {}
    for c in clusters:
        inside = labels == c
        scored = []
        if numeric:
            effect = (np.nanmean(values[inside], 0) - np.nanmean(values[~inside], 0)) / spread
            scored += [(abs(e), word(numeric[j], e > 0)) for j, e in enumerate(effect)
                       if abs(e) >= MIN_EFFECT]
        for col in categorical:
            text = table[col].astype(str)
            top = text[inside].value_counts()
            if top.empty:
                continue
            value = top.index[0]
            here, there = top.iloc[0] / inside.sum(), (text[~inside] == value).mean()
            if here >= 0.6 and here - there >= MIN_EFFECT / 2:
                scored.append((2 * (here - there), f"{col} = {value}"))
        scored.sort(key=lambda s: -s[0])
        if scored:
            out[c] = [s[1] for s in scored]
    return out


def _unique(terms: dict[int, list[str]], words: int) -> dict[int, str]:
    """``words`` terms per name.

    A name another cluster already has takes one more term, and its cluster id when the
    terms run out.
    """
    seen: set[str] = set()
    out = {}
    for c, found in sorted(terms.items()):
        take = words
        name = " · ".join(found[:take])
        while name in seen and take < len(found):
            take += 1
            name = " · ".join(found[:take])
        out[c] = name if name not in seen else f"{name} ({c})"
        seen.add(name)
    return out
