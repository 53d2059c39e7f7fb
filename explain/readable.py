"""Features in the input's own units, named so anyone can re-check a rule."""

from __future__ import annotations

import numpy as np
import pandas as pd

from clustering.dataset import Dataset
from clustering.text_terms import keyword_terms

__all__ = ["readable_features"]


def readable_features(data: Dataset, max_terms: int = 2000) -> tuple[np.ndarray, list[str]]:
    """The matrix rules and polyhedra are written in.

    Tables keep their numeric columns as loaded (categoricals as 0/1 ``col=value``),
    images give features a person can see (:func:`explain.visual.visual_features`:
    brightness, contrast, colour, edges, texture, brightness by region), text gives TF-IDF
    weights named ``term:<word>``, embeddings ``dim_<j>``.

    Parameters
    ----------
    data : Dataset
    max_terms : int
        Vocabulary cap for text.

    Returns
    -------
    X : ndarray of float64, shape (n, p)
    names : list of str, length p
    """
    if data.modality == "text":
        from sklearn.feature_extraction.text import TfidfVectorizer

        vec = TfidfVectorizer(max_features=max_terms, analyzer=keyword_terms)
        try:
            X = vec.fit_transform(data.texts).toarray()
        except ValueError:  # no word in any text (only numbers, signs or emoji)
            return np.zeros((data.n, 0)), []
        return X, [f"term:{t}" for t in vec.get_feature_names_out()]
    if data.modality == "images" and data.images is not None:
        from .visual import visual_features

        return visual_features(data.images)
    table = data.feature_table()
    numeric = [c for c in table.columns if table[c].dtype.kind in "biuf"]
    parts, names = [table[numeric].to_numpy(dtype=np.float64)], list(numeric)
    categorical = [c for c in table.columns if c not in numeric]
    if categorical:
        dummies = pd.get_dummies(table[categorical], prefix_sep="=", dtype=np.float64)
        parts.append(dummies.to_numpy())
        names += list(dummies.columns)
    return np.hstack(parts), names
