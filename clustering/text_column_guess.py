"""Which column of a table holds the texts to cluster, when the user names none.

A column is read as text when its values are long (:data:`MIN_CHARS` characters or more on
average), mostly distinct (or sentences of which :data:`REPEATED_TEXTS` or more differ), and
read like prose: several words (:data:`MIN_WORDS`) made mostly
of letters (:data:`MIN_LETTERS`); shorter ones (product titles, subject lines) too when the
file has no column of numbers besides them, so nothing else could be clustered. Long values
of one piece — ids, hashes, UUIDs, URLs, file paths, e-mail addresses, timestamps — are not
texts. And a table whose numbers say more than a
short text beside them stays a table: short texts (fewer than :data:`SHORT_WORDS` words on
average) beside :data:`TABLE_COLUMNS` number columns or more are a note or a comment on each
row, not what the rows are about; the run's notes say how to cluster them instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .number_styles import number_style, separator_hint
from .text_terms import CHARS_PER_WORD, WIDE, wide_count

__all__ = ["TextGuess", "guess_text", "guess_text_column", "passed_over_note"]

MIN_CHARS = 25
"""Mean length of a text column's values, in characters."""
MIN_WORDS = 2.0
"""Mean number of words (runs of characters between spaces) of a text column's values; an
id, hash, URL, path, e-mail address or ISO timestamp is one."""
MIN_LETTERS = 0.5
"""Mean share of letters among a text column's characters other than spaces; a timestamp or
a list of numbers written with spaces has few."""
SHORT_WORDS = 8.0
"""Texts shorter than this many words on average (one-line descriptions are 6, tweets 17,
posts and pages hundreds) beside :data:`TABLE_COLUMNS` number columns leave the file a
table."""
TABLE_COLUMNS = 3
"""Number columns (besides the label and id) that make a table of a file whose only text
column is short."""
SAMPLE = 2_000
"""Values read to measure words and letters (a seeded sample; length and distinctness are
measured on the whole column)."""


@dataclass(frozen=True)
class TextGuess:
    """What :func:`guess_text` found.

    Attributes
    ----------
    column : str or None
        The column read as text; None when the file is read as a table.
    passed_over : str or None
        A prose column left out because the table's numbers make it a table.
    words : float
        Mean number of words of ``column`` (or of ``passed_over``); 0 when neither.
    numbers : int
        Number columns beside it.
    """

    column: str | None
    passed_over: str | None = None
    words: float = 0.0
    numbers: int = 0


def _sample(values: pd.Series) -> pd.Series:
    return values.sample(SAMPLE, random_state=0) if len(values) > SAMPLE else values


def _prose(values: pd.Series) -> tuple[float, float]:
    """Mean words per value and mean share of letters among characters other than spaces.

    Chinese, Japanese and Thai write no spaces: their characters count as words at
    :data:`clustering.text_terms.CHARS_PER_WORD` a word.
    """
    values = _sample(values)
    solid = values.str.replace(r"\s+", "", regex=True)
    letters = solid.str.count(r"[^\W\d_]") / solid.str.len().clip(lower=1)
    wide = values.str.count(WIDE.pattern)  # runs, each already one word by the spaces
    words = values.str.split().str.len() + (_wide_chars(values) / CHARS_PER_WORD - wide).clip(
        lower=0)
    return float(words.mean()), float(letters.mean())


def _wide_chars(values: pd.Series) -> pd.Series:
    """Characters of each value in scripts written without spaces."""
    return values.map(wide_count)


def _length(values: pd.Series) -> float:
    """Mean length in characters, a character of a script without spaces counted thrice.

    An English word is about 5 letters and a space, a Chinese one 1.5 characters.
    """
    return float((values.str.len() + 2 * _wide_chars(values)).mean())


def _number_columns(frame: pd.DataFrame, skip: set) -> int:
    """Columns holding numbers (90 % of their filled cells or more) of two values or more.

    Numbers as spreadsheets write them count too (``5,1``, ``12%``, ``5.2 kg``:
    :func:`clustering.number_styles.number_style`), as the table's reader takes them: a
    European CSV of measurements beside a name column had its names clustered as texts.

    Examples
    --------
    >>> frame = pd.DataFrame({"name": ["a b", "c d"], "x": ["0,5", "1,25"], "y": ["3", "4"]})
    >>> _number_columns(frame, set()), _number_columns(frame, {"x"})
    (2, 1)
    """
    count, hint = 0, separator_hint(frame, {})
    for col in frame.columns:
        if col in skip:
            continue
        values = _sample(frame[col].dropna())
        if values.nunique() < 2:
            continue
        if values.dtype.kind in "biuf" or pd.to_numeric(values, errors="coerce").notna().mean(
                ) >= 0.9 or number_style(values.astype(str).str.strip(), hint) is not None:
            count += 1
    return count


REPEATED_TEXTS = 20
"""Distinct values a column of sentences (:data:`SHORT_WORDS` words or more on average) needs
to be read as texts when most of its values repeat (tickets or messages from templates); a
column of fewer values, or of short ones repeated, is a category."""


def _distinct_enough(values: pd.Series) -> bool:
    """More than half the values distinct, or :data:`REPEATED_TEXTS` distinct at least.

    In the second case only sentences are texts (see :func:`guess_text`).
    """
    distinct = values.nunique()
    return distinct > 0.5 * len(values) or distinct >= REPEATED_TEXTS


def guess_text(frame: pd.DataFrame, exclude: set, prefer_table: bool = True) -> TextGuess:
    """The column read as text when none is named, and the prose column passed over, if any.

    Parameters
    ----------
    frame : DataFrame
        The table as read.
    exclude : set
        Columns with another role (label, id).
    prefer_table : bool
        Read a short text column beside :data:`TABLE_COLUMNS` number columns as a note of a
        table (False when the user asked for texts).

    Returns
    -------
    TextGuess

    Examples
    --------
    >>> notes = [f"parcel {i} left the depot by {'air' if i % 2 else 'road'}" for i in range(40)]
    >>> frame = pd.DataFrame({"note": notes, "a": range(40), "b": range(40), "c": range(40)})
    >>> guess = guess_text(frame, set())
    >>> guess.column, guess.passed_over, guess.words, guess.numbers
    (None, 'note', 7.0, 3)
    >>> guess_text(frame, set(), prefer_table=False).column
    'note'
    >>> guess_text(pd.DataFrame({"key": [f"{i:064x}" for i in range(40)]}), set()).column
    >>> guess_text(pd.DataFrame({"评论": [f"今天的快递又晚了，订单{i}" for i in range(40)]}),
    ...            set()).column
    '评论'
    """
    candidates, short = [], []
    for col, dtype in zip(frame.columns, frame.dtypes, strict=True):
        if col in exclude or dtype.kind in "biufcmM":
            continue
        values = frame[col].dropna().astype(str)
        if not len(values) or not _distinct_enough(values):
            continue
        chars = _length(values)
        words, letters = _prose(values)
        if words >= MIN_WORDS and letters >= MIN_LETTERS and (
                values.nunique() > 0.5 * len(values) or words >= SHORT_WORDS):
            (candidates if chars >= MIN_CHARS else short).append((chars, col, words))
    if not candidates:  # short texts are the texts when the file has nothing else to cluster
        if short and _number_columns(frame, {*exclude, max(short)[1]}) == 0:
            _, column, words = max(short)
            return TextGuess(column, None, words, 0)
        return TextGuess(None)
    _, column, words = max(candidates)
    numbers = _number_columns(frame, {*exclude, column})
    if prefer_table and words < SHORT_WORDS and numbers >= TABLE_COLUMNS:
        return TextGuess(None, column, words, numbers)
    return TextGuess(column, None, words, numbers)


def guess_text_column(frame: pd.DataFrame, exclude: set, prefer_table: bool = True
                      ) -> str | None:
    """The column read as text when none is named, or None (see :func:`guess_text`)."""
    return guess_text(frame, exclude, prefer_table).column


def passed_over_note(guess: TextGuess) -> str:
    """The note saying why a table with a column of short texts was read as a table."""
    return (f"Column '{guess.passed_over}' holds short texts ({guess.words:.1f} words on "
            f"average) beside {guess.numbers} number columns, so the file was read as a table "
            "of its numbers and the texts were left out; to cluster the texts instead, "
            f"choose it as the text column ('Text column' in the app, --text-column "
            f"{guess.passed_over} in the CLI).")
