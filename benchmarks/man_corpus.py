"""Thousands of long texts, offline: the manual pages installed on this machine, by section.

``benchmarks/auto_budget.py``'s ``long-text-5000`` case: 5,000 pages of 300 words or more,
drawn in turn from the sections 1, 2, 3, 5, 7 and 8 (a section that runs out drops out, so
sections 1 and 3 give most of them), rendered as ``MANWIDTH=80 man -l PAGE | col -bx``
renders them without the first and last lines (they name the section), each cut to 8,000
characters; the label is the section. The suite's ``man-pages`` sets are built the same way
(``benchmarks/data/README.md``), as are their medians of 700-750 words: most of each page
lies past the sentence model's 256 word pieces.
"""

from __future__ import annotations

import os
import random
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

from clustering.dataset import Dataset

SECTIONS = ("1", "2", "3", "5", "7", "8")
MAN = Path("/usr/share/man")
MIN_WORDS = 300
MAX_CHARS = 8_000


def render(page: Path) -> str:
    """A manual page as ``man`` shows it, without its header and footer lines ('' if none)."""
    env = {**os.environ, "MANWIDTH": "80"}
    try:
        shown = subprocess.run(["man", "-l", str(page)], capture_output=True, env=env,
                               timeout=30).stdout
        shown = subprocess.run(["col", "-bx"], input=shown, capture_output=True,
                               timeout=30).stdout.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        return ""
    return "\n".join(shown.strip().splitlines()[1:-1]).strip()


def man_corpus(n: int = 5000, seed: int = 0, workers: int = 4) -> Dataset:
    """``n`` manual pages of 300 words or more, labelled by section (see the module)."""
    rng = random.Random(seed)
    queues = {}
    for section in SECTIONS:
        pages = sorted((MAN / f"man{section}").glob("*"))
        rng.shuffle(pages)
        queues[section] = pages
    rows: list[tuple[str, str, str]] = []
    with ThreadPoolExecutor(workers) as pool:
        while len(rows) < n and any(queues.values()):
            batch = [(section, queue.pop()) for section, queue in queues.items()
                     for _ in range(8) if queue]
            for (section, page), text in zip(batch, pool.map(render, [p for _, p in batch]),
                                             strict=True):
                if len(text.split()) >= MIN_WORDS and len(rows) < n:
                    rows.append((page.name, text[:MAX_CHARS], section))
    if len(rows) < n:
        raise ValueError(f"only {len(rows)} manual pages of {MIN_WORDS} words or more here")
    frame = pd.DataFrame(rows, columns=["id", "text", "section"])
    return Dataset(name=f"man-text-{n}", modality="text", ids=frame["id"].to_numpy(dtype=object),
                   table=pd.DataFrame(index=range(n)),
                   labels=frame["section"].to_numpy(dtype=object), texts=frame["text"].tolist(),
                   source=f"benchmarks:man-text:{n}")


if __name__ == "__main__":
    import sys

    data = man_corpus(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
    sections, counts = np.unique(data.labels, return_counts=True)
    sys.stdout.write(f"{data.n} pages; by section {dict(zip(sections, counts, strict=True))}\n")
