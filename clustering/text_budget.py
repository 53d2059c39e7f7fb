"""How much of each long text the sentence model reads, so large collections keep to the budget.

all-MiniLM-L6-v2 reads up to 256 word pieces of a text, and on this project's 2-core CPU
that costs about 0.17 ms a word piece (44 ms a long newsgroup post; stop 53,
``benchmarks/README.md``): 5,000 long posts took about 4 minutes to embed before ``auto``
began, twice the 2-minute budget. Long texts (half their word pieces or more past the
model's window, :data:`clustering.auto_views.LONG_TEXTS`) are read in full by ``auto``'s view
of their words, which judges the candidates and wins them (22 of 24 runs of the suite's long
sets), so on a CPU their embedding reads a shorter opening when the collection would
otherwise take more than :data:`WORD_PIECE_BUDGET` word pieces. Shorter texts, and any
collection on a GPU, are read as the model reads them.
"""

from __future__ import annotations

import logging
import os

import numpy as np

__all__ = ["WINDOWS", "WINDOW_OVERRIDE", "WORD_PIECE_BUDGET", "reading_window"]

log = logging.getLogger(__name__)

WORD_PIECE_BUDGET = 320_000
"""Word pieces the sentence model reads of a collection of long texts on a CPU: about 50 s
on this project's 2-core CPU (0.14-0.17 ms a word piece at windows of 64-256), so that with
``auto``'s own ~40 s and the map, 5,000 long texts keep to the 2-minute budget."""
WINDOWS = (256, 192, 128, 96, 64)
"""Windows tried, longest first; the last is the shortest any text is read to (64 word
pieces, about the first 50 words), however large the collection."""
WINDOW_OVERRIDE = "CLUSTERLAB_TEXT_WINDOW"
"""Environment variable: a fixed window (e.g. ``256`` to read every long text as far as the
model can, whatever it costs)."""


def reading_window(texts: list[str], device: str = "cpu", long_share: float | None = None,
                   automatic: bool = True) -> tuple[int | None, str | None]:
    """The window the sentence model reads of each text, and a sentence saying why.

    Parameters
    ----------
    texts : list of str
    device : str
        Only a CPU shortens the window.
    long_share : float, optional
        Share of word pieces past the model's window from which texts count as long
        (default :data:`clustering.auto_views.LONG_TEXTS`).
    automatic : bool
        False: the model's own window unless :data:`WINDOW_OVERRIDE` sets one.

    Returns
    -------
    window : int or None
        None: the model's own window.
    note : str or None
        For the run's notes, when the window is not the model's own.

    Examples
    --------
    >>> reading_window(["a short text", "another one"])
    (None, None)
    """
    from .text_features import model_window, piece_counts, unread_share

    own = model_window()
    forced = os.environ.get(WINDOW_OVERRIDE, "").strip()
    if forced.isdigit() and int(forced) > 0:
        window = min(int(forced), own)
        return (None, None) if window == own else (
            window, f"The sentence model read the first {window} word pieces of each text "
                    f"({WINDOW_OVERRIDE}={forced}).")
    if forced:
        log.warning("%s=%r is not a number of word pieces; it is ignored", WINDOW_OVERRIDE,
                    forced)
    if not automatic or not str(device).startswith("cpu") or not texts:
        return None, None
    if sum(min(len(text) + 2, own) for text in texts) <= WORD_PIECE_BUDGET:
        return None, None  # a word piece is at least a character: nothing to count
    if long_share is None:
        from .auto_views import LONG_TEXTS as long_share
    unread, pieces = unread_share(texts), piece_counts(texts)  # counted once, then kept
    if unread < long_share or np.minimum(pieces, own).sum() <= WORD_PIECE_BUDGET:
        return None, None
    window = next((w for w in WINDOWS if np.minimum(pieces, w).sum() <= WORD_PIECE_BUDGET),
                  WINDOWS[-1])
    return window, (
        f"These {len(texts):,} texts are long ({unread:.0%} of their word pieces lie past the "
        f"sentence model's {own}), so on this CPU it read the first {window} word pieces of "
        f"each to keep within the time budget; auto reads every word of them in their words' "
        f"view. Set {WINDOW_OVERRIDE}={own} to read {own}.")
