"""Cut texts longer than the sentence model reads into windows it reads whole.

all-MiniLM-L6-v2 reads the first 256 word pieces of a text and ignores the rest, so a long
post, story or manual page was clustered by its opening paragraph. :func:`plan_windows` cuts
such a text into up to :data:`MAX_WINDOWS` windows of equal length, on word-piece boundaries,
and :func:`pool_windows` averages their embeddings, weighted by their length, into one
vector per text. A text that fits in one window is embedded as it is (the same vector as
before). :data:`TOKEN_BUDGET` bounds the word pieces embedded in all, so that thousands of
long texts stay within ``auto``'s time budget: when the windows would exceed it, every text
gets fewer of them (never less than the one window it had before).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["MAX_WINDOWS", "TOKEN_BUDGET", "Windows", "plan_windows", "pool_windows"]

MAX_WINDOWS = 4
"""Windows read of one text at most: 4 × 254 word pieces, about 800 words. On the tuning
half's long posts (``newsgroups-long-tune``, 270 posts of 350 words or more; UMAP-10 +
k-means / k-means on the standardised embeddings, seeds 0-2) one window gave 0.959 / 0.951,
two 0.977 / 0.972, four 0.973 / 0.983, eight 0.973 / 0.975."""
TOKEN_BUDGET = 250_000
"""Word pieces embedded in all at most, once texts need more than one window. This 2-core CPU
without native bfloat16 embeds about 4,300 a second (400 manual pages: 24 s in one window
each, 91 s in four), so windows add at most about a minute to a run; a CPU with it or a GPU
is several times faster. Texts whose first windows alone exceed it are read as before."""


@dataclass(frozen=True)
class Windows:
    """Pieces of text to embed, and which text each belongs to.

    Attributes
    ----------
    pieces : list of str
        The windows' texts (a text that fits in one window is its own piece).
    owner : ndarray of int, shape (len(pieces),)
        The index of the text each piece was cut from.
    weight : ndarray of float, shape (len(pieces),)
        Word pieces in each window (the weight of its embedding in the text's mean).
    per_text : int
        The most windows any text got (1 when every text fits in one).
    """

    pieces: list[str]
    owner: np.ndarray
    weight: np.ndarray
    per_text: int


def plan_windows(texts: list[str], tokenizer, width: int, max_windows: int = MAX_WINDOWS,
                 budget: int = TOKEN_BUDGET) -> Windows:
    """Cut each text into windows of at most ``width`` word pieces.

    Parameters
    ----------
    texts : list of str, length n
    tokenizer : callable
        A Hugging Face tokenizer that returns offsets (``return_offsets_mapping``).
    width : int
        Word pieces one window holds (the model's sequence length less its two special
        tokens).
    max_windows : int
        Windows of one text at most; the rest of a longer text is not read.
    budget : int
        Word pieces in all at most (see :data:`TOKEN_BUDGET`).

    Returns
    -------
    Windows
    """
    spans = tokenizer(texts, add_special_tokens=False, return_offsets_mapping=True,
                      truncation=False, verbose=False)["offset_mapping"]
    lengths = np.array([len(span) for span in spans])
    cap = _windows_each(lengths, width, max_windows, budget)
    pieces, owner, weight = [], [], []
    for i, (text, span) in enumerate(zip(texts, spans, strict=True)):
        read = min(len(span), cap * width)
        count = max(1, -(-read // width))
        if count == 1:
            pieces.append(text)
            owner.append(i)
            weight.append(max(1, min(len(span), width)))
            continue
        cuts = np.linspace(0, read, count + 1).round().astype(int)
        for a, b in zip(cuts[:-1], cuts[1:], strict=True):
            pieces.append(text[span[a][0]:span[b - 1][1]])
            owner.append(i)
            weight.append(b - a)
    return Windows(pieces, np.array(owner, dtype=np.int64), np.array(weight, dtype=np.float64),
                   cap if lengths.size and lengths.max() > width else 1)


def _windows_each(lengths: np.ndarray, width: int, max_windows: int, budget: int) -> int:
    """The most windows per text such that all of them hold at most ``budget`` word pieces."""
    for cap in range(max_windows, 1, -1):
        if np.minimum(lengths, cap * width).sum() <= budget:
            return cap
    return 1


def pool_windows(vectors: np.ndarray, windows: Windows, n: int) -> np.ndarray:
    """Each text's windows' embeddings averaged by their length, L2-normalised.

    Parameters
    ----------
    vectors : ndarray, shape (len(windows.pieces), d)
        One embedding per piece.
    windows : Windows
    n : int
        Number of texts.

    Returns
    -------
    ndarray of float32, shape (n, d)
    """
    out = np.zeros((n, vectors.shape[1]), dtype=np.float64)
    np.add.at(out, windows.owner, vectors * windows.weight[:, None])
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return (out / np.where(norms > 0, norms, 1.0)).astype(np.float32)
