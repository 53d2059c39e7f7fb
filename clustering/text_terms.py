"""The terms of texts in any script, for word counts, keywords and TF-IDF.

Chinese, Japanese and Thai write no spaces between words, so a run of their characters is
not one word: it is read as its overlapping pairs of characters (character bigrams, the
usual terms of CJK retrieval), and counts as about one word per :data:`CHARS_PER_WORD` of
them. Words of other scripts are runs of letters (``café``, ``Größe``, ``слово``), not only
of ``a-z``. A text with none of these characters gets the terms it got before.
"""

from __future__ import annotations

import re
from collections.abc import Callable

__all__ = ["CHARS_PER_WORD", "LETTER_WORDS", "WIDE", "keyword_terms", "latin_share",
           "wide_count", "with_wide_bigrams", "word_terms"]

WIDE = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
"""Runs of characters of scripts written without spaces between words: Thai, Hiragana,
Katakana and the CJK ideographs."""
CHARS_PER_WORD = 1.5
"""Characters of such a script per word, about (a Chinese word is one to two characters)."""
LINKS = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+", re.IGNORECASE)
"""Web addresses and e-mail addresses, which are no words of a text's topic (a tweet's
``https://t.co/x7Yq`` gave the keywords ``https``, ``co`` and ``x7yq``'s letters)."""
LETTER_WORDS = re.compile(r"\b[^\W\d_]{2,}\b")
"""Words of two letters or more, in any script; a run of letters and digits (``covid19``)
is not one."""


LATIN = re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff]")
"""Letters of the Latin script (ASCII, Latin-1, Latin Extended A/B and Additional)."""
LETTER = re.compile(r"[^\W\d_]")
SHARE_SAMPLE = 2_000
"""Texts read to measure :func:`latin_share` (evenly spaced through the collection)."""


def latin_share(texts: list[str]) -> float:
    """Share of the texts' letters that are Latin (1.0 for English; Chinese or Russian ~0).

    Examples
    --------
    >>> latin_share(["Paket wird installiert", "пакет устанавливается"])
    0.5
    >>> latin_share(["1234", ""])
    1.0
    """
    step = max(1, len(texts) // SHARE_SAMPLE)
    sample = " ".join(texts[::step])
    letters = len(LETTER.findall(sample))
    return len(LATIN.findall(sample)) / letters if letters else 1.0


def wide_count(text: str) -> int:
    """Characters of ``text`` in scripts written without spaces (:data:`WIDE`).

    Examples
    --------
    >>> wide_count("今天下雨 rain"), wide_count("plain text")
    (4, 0)
    """
    return sum(len(run) for run in WIDE.findall(text))


def _bigrams(text: str) -> list[str]:
    """The character pairs of each run of :data:`WIDE` characters (a lone one as itself)."""
    return [run[i:i + 2] if len(run) > 1 else run
            for run in WIDE.findall(text) for i in range(max(len(run) - 1, 1))]


def with_wide_bigrams(analyzer: Callable[[str], list[str]]) -> Callable[[str], list[str]]:
    """A vectorizer's analyzer that reads runs of :data:`WIDE` characters as bigrams.

    A text without such characters gets exactly the terms ``analyzer`` gives it.

    Examples
    --------
    >>> from sklearn.feature_extraction.text import TfidfVectorizer
    >>> analyze = with_wide_bigrams(TfidfVectorizer(stop_words="english").build_analyzer())
    >>> analyze("The cat sat"), analyze("今天下雨 rain")
    (['cat', 'sat'], ['rain', '今天', '天下', '下雨'])
    """
    def analyze(text: str) -> list[str]:
        terms = analyzer(text)
        if not WIDE.search(text):
            return terms
        return [t for t in terms if not WIDE.search(t)] + _bigrams(text)

    return analyze


def word_terms() -> Callable[[str], list[str]]:
    """The terms TF-IDF and hashed word counts read: scikit-learn's default analyzer.

    Lower case, runs of two word characters or more, no English stop words, and runs of
    :data:`WIDE` characters as bigrams (:func:`with_wide_bigrams`).
    """
    from sklearn.feature_extraction.text import HashingVectorizer

    return with_wide_bigrams(HashingVectorizer(stop_words="english").build_analyzer())


def keyword_terms(text: str) -> list[str]:
    """A text's terms for keywords and readable features.

    Its words of letters in any script, lower case, without English stop words, web and
    e-mail addresses (:data:`LINKS`), and the bigrams of its :data:`WIDE` runs.

    Examples
    --------
    >>> keyword_terms("The café's Größe, 3 cats and covid19")
    ['café', 'größe', 'cats']
    >>> keyword_terms("第12号：下雨")
    ['第', '号', '下雨']
    >>> keyword_terms("Storm tonight https://t.co/x7Yq via www.news.com, ask me@news.com")
    ['storm', 'tonight', 'ask']
    """
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS  # not when loaders import

    text = LINKS.sub(" ", text)
    words = LETTER_WORDS.findall(WIDE.sub(" ", text.lower()))
    return [w for w in words if w not in ENGLISH_STOP_WORDS] + _bigrams(text)
