"""Text sets in other languages: programs' translated messages, labelled by program (stop 68).

Every earlier text set is English, and the sentence model (all-MiniLM-L6-v2) was trained on
English. Debian ships each program's messages translated (``/usr/share/locale/<language>/
LC_MESSAGES/<program>.mo``): a program's messages speak of its own things (packages and
sources for ``apt``, keys and signatures for ``gnupg2``, archives and members for ``tar``,
downloads and proxies for ``wget``, windows, widgets and colours for ``gtk30``), so a set of
several programs' messages in one language, labelled by program, is a text set of known topics
in that language. ``messages-en`` is the English originals of ``messages-zh``'s messages (same
rows, same labels), to tell what the language costs.

The sets are extracted once from this machine's catalogs (:func:`extract`, ``python
benchmarks/message_sets.py``) into ``benchmarks/data/messages-<language>.csv.gz`` (columns
``text``, ``program``), so a machine without those catalogs builds them alike.
"""

from __future__ import annotations

import gettext
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

from clustering.dataset import Dataset  # noqa: E402

DATA = ROOT / "data"
LOCALE = Path("/usr/share/locale")
PER_PROGRAM = 100
MIN_CHARS = 12
FIVE = ("apt", "gnupg2", "tar", "wget", "gtk30")
"""The programs of most sets."""
SETS = {
    **{f"messages-{name}": (language, FIVE) for name, language in (
        ("zh", "zh_CN"), ("ru", "ru"), ("ja", "ja"), ("zh-tw", "zh_TW"), ("de", "de"),
        ("fr", "fr"), ("es", "es"), ("it", "it"), ("pl", "pl"), ("cs", "cs"), ("tr", "tr"))},
    "messages-uk": ("uk", ("apt", "gnupg2", "tar", "bash", "gtk30")),
    "messages-el": ("el", ("apt", "gnupg2", "tar", "bash", "gtk30")),
    "messages-th": ("th", ("apt", "dpkg", "gtk30", "glib20")),
    "messages-ko": ("ko", ("apt", "git", "tar", "wget", "gtk30")),
    "messages-vi": ("vi", ("apt", "bash", "tar", "wget", "gtk30")),
}
"""Each set's language (its catalog folder) and programs."""
TUNING_SETS = ("messages-zh", "messages-ru", "messages-en", "messages-de", "messages-fr")
FRESH_22 = ("messages-ja", "messages-zh-tw", "messages-uk", "messages-el", "messages-th",
            "messages-ko")
"""The twenty-second held-out batch, frozen on 2026-12-05 (stop 68) and committed before it
was run or anything in ``auto`` changed for texts in other languages: translated messages in
Japanese, traditional Chinese, Ukrainian, Greek, Thai and Korean."""
FRESH_23 = ("messages-es", "messages-it", "messages-pl", "messages-cs", "messages-tr",
            "messages-vi")
"""The twenty-third held-out batch, frozen later on 2026-12-05 (stop 68) and committed before
it was run or anything in ``auto`` changed for texts in Latin-script languages other than
English (the tuning half got ``messages-de`` and ``messages-fr`` then): Spanish, Italian,
Polish, Czech, Turkish and Vietnamese."""


def _messages(language: str, program: str) -> dict[str, str]:
    """English original -> translation, of one program's catalog (plain messages only)."""
    with open(LOCALE / language / "LC_MESSAGES" / f"{program}.mo", "rb") as handle:
        catalog = gettext.GNUTranslations(handle)._catalog
    out = {}
    for key, value in catalog.items():
        if not isinstance(key, str) or not key or not isinstance(value, str):
            continue  # the header, plural forms
        key = key.split("\x04")[-1]  # without a message context
        text = " ".join(value.split())
        if len(text) >= MIN_CHARS and text != " ".join(key.split()) \
                and len(re.sub(r"%[-#0-9.]*[a-zA-Z]|\W", "", text)) >= MIN_CHARS // 2:
            out[" ".join(key.split())] = text
    return out


def extract(name: str, seed: int = 0) -> pd.DataFrame:
    """``PER_PROGRAM`` messages of each program of set ``name`` (distinct texts, seeded)."""
    language, programs = SETS[name]
    rng = np.random.default_rng(seed)
    rows, seen = [], set()
    for program in programs:
        pairs = sorted(_messages(language, program).items())
        pairs = [pairs[i] for i in rng.permutation(len(pairs))]
        kept = 0
        for original, text in pairs:
            if text in seen or original in seen:
                continue
            seen |= {text, original}
            rows.append({"text": text, "original": original, "program": program})
            kept += 1
            if kept == PER_PROGRAM:
                break
    return pd.DataFrame(rows)


def english_messages(n: int, seed: int = 0, smallest: int = 500) -> pd.DataFrame:
    """``n`` distinct English messages (``text``) of this machine's programs (``program``).

    The English originals of every catalog under ``/usr/share/locale`` (any language
    carries them), at least :data:`MIN_CHARS` long; a message two programs share is kept
    once, under the first program in name order. Programs with fewer than ``smallest``
    messages, and a second copy of the ISO code lists (``iso_639_3`` beside ``iso_639-3``),
    are left out. ``benchmarks/auto_budget.py``'s ``messages-text:N``: a large set of short
    texts (stop 80; 54,068 messages of 32 programs on this machine).
    """
    originals: dict[str, set[str]] = {}
    for catalog in sorted(LOCALE.glob("*/LC_MESSAGES/*.mo")):
        if catalog.stem.startswith("iso_") and "_" in catalog.stem[4:]:
            continue
        try:
            with open(catalog, "rb") as handle:
                keys = gettext.GNUTranslations(handle)._catalog
        except (OSError, ValueError, IndexError, UnicodeDecodeError):
            continue  # a catalog gettext cannot parse
        texts = originals.setdefault(catalog.stem, set())
        texts.update(" ".join(key.split("\x04")[-1].split()) for key in keys
                     if isinstance(key, str) and len(key.split("\x04")[-1]) >= MIN_CHARS)
    rows, seen = [], set()
    for program in sorted(originals):
        mine = sorted(originals[program] - seen)
        seen |= originals[program]
        if len(mine) >= smallest:
            rows += [(text, program) for text in mine]
    if len(rows) < n:
        raise ValueError(f"only {len(rows):,} English messages found under {LOCALE}, "
                         f"fewer than {n:,}")
    keep = np.sort(np.random.default_rng(seed).choice(len(rows), n, replace=False))
    return pd.DataFrame([rows[i] for i in keep], columns=["text", "program"])


def messages(name: str) -> Dataset:
    """Set ``name`` from ``benchmarks/data`` (``messages-en``: ``messages-zh`` in English)."""
    from clustering.loaders import dataset_from_frame

    source = "messages-zh" if name == "messages-en" else name
    frame = pd.read_csv(DATA / f"{source}.csv.gz")
    if name == "messages-en":
        frame = frame.assign(text=frame["original"])
    return dataset_from_frame(frame.drop(columns=["original"]), name=name,
                              label_column="program", text_column="text")


if __name__ == "__main__":
    for set_name in sys.argv[1:] or SETS:
        table = extract(set_name)
        table.to_csv(DATA / f"{set_name}.csv.gz", index=False)
        print(set_name, len(table), table["program"].value_counts().to_dict())
