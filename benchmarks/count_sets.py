"""Tables of counts as biologists and text miners bring them: one row per sample, one column
per gene, taxon or word, whole numbers of reads or occurrences, mostly zeros.

Each builder writes the CSV a user would load (an id column, the ``label`` column for the
metrics, then the count columns) and returns its path and labels (by row). Used by
``benchmarks/count_tables.py``.

Frozen on 2026-12-05 (stop 71), committed before anything in clusterlab was changed for count
tables or any of these files was run through it (:data:`HELD_OUT`); tuning looked only at
:data:`TUNING`.

- ``cells-a`` (tuning): 400 cells x 2,000 genes, 4 types; negative-binomial reads (dispersion
  2) around log-normal gene means, 60 marker genes per type up 3-8 times, each cell's reads
  scaled by a log-normal library size (sd 0.5).
- ``cells-c`` (tuning): 600 cells x 1,000 genes, 5 types, 30 markers up 2-5 times,
  dispersion 1.5, library sd 0.6.
- ``docstrings-counts`` (tuning): the tuning half's ``docstrings`` as word counts (English
  stop words left out, words in 3 texts or more, the 1,000 most frequent).
- ``cells-b`` (held out): 900 cells x 3,000 genes, 7 types of unequal size (30-290),
  25 markers up 2-5 times, dispersion 1, library sd 0.7.
- ``microbiome`` (held out): 300 samples x 400 taxa from 3 environments, Dirichlet-
  multinomial reads (concentration 200) at depths of 1,000-100,000 (log-normal), 30 taxa of
  each environment 3-10 times more abundant.
- ``reuters-counts`` (held out): the held-out ``reuters-r8`` (1,000 stories, 8 topics) as
  word counts, the 1,500 most frequent words.
- ``newsgroups-counts`` (held out): the held-out ``newsgroups`` (1,000 posts, 20 groups) as
  word counts, the 2,000 most frequent words.

Added and frozen on 2026-12-06 (stop 74), committed before any of them was generated or run
and before anything in clusterlab was changed for them: bulk RNA-seq as analysts keep it
(:func:`bulk`: deep libraries, genes of under 10 reads on average filtered out, so few zeros).
``bulk-a`` (tuning): 90 samples, 15,000 genes before filtering, 3 groups, 300 genes of each
up or down 1.5-4 times, dispersion 0.1, 20 million reads. ``bulk-b`` (tuning): 120 samples,
12,000 genes, 4 groups, 200 genes 1.5-3 times, dispersion 0.2, 10 million reads.
``bulk-c`` (held out): 60 samples, 18,000 genes, 3 groups of unequal size, 150 genes 1.5-3
times, dispersion 0.15, 30 million reads. ``bulk-d`` (held out): 150 samples, 10,000 genes,
5 groups, 400 genes 1.3-2.5 times, dispersion 0.25, 5 million reads.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

__all__ = ["BUILDERS", "HELD_OUT", "TUNING", "barcodes", "bulk", "cell_reads", "cells",
           "microbiome", "word_counts"]

TUNING = ("cells-a", "cells-c", "docstrings-counts", "bulk-a", "bulk-b")
HELD_OUT = ("cells-b", "microbiome", "reuters-counts", "newsgroups-counts", "bulk-c", "bulk-d")


def _write(folder: Path, name: str, id_name: str, ids, labels, counts: np.ndarray,
           columns: list[str]) -> tuple[Path, np.ndarray]:
    frame = pd.DataFrame(counts.astype(np.int64), columns=columns)
    frame.insert(0, "label", labels)
    frame.insert(0, id_name, ids)
    path = folder / f"{name}.csv"
    frame.to_csv(path, index=False)
    return path, np.asarray(labels)


def cell_reads(*, n: int, genes: int, k: int, markers: int, fold: tuple[float, float],
               dispersion: float, library_sd: float, seed: int, unequal: bool = False
               ) -> tuple[np.ndarray, np.ndarray, np.random.Generator]:
    """Single-cell-like reads (cells x genes), the cells' types and the generator, drawn on.

    Negative binomial around log-normal gene means, ``markers`` genes of each type up
    ``fold`` times, each cell's reads scaled by a log-normal library size.
    """
    rng = np.random.default_rng(seed)
    share = rng.dirichlet(np.full(k, 2.0)) if unequal else np.full(k, 1.0 / k)
    y = rng.choice(k, size=n, p=share)
    mu = np.tile(rng.lognormal(0.0, 1.5, genes) * 0.3, (n, 1))
    for c in range(k):
        chosen = rng.choice(genes, markers, replace=False)
        mu[np.ix_(y == c, chosen)] *= rng.uniform(*fold, markers)
    mu *= rng.lognormal(0.0, library_sd, n)[:, None]
    return rng.negative_binomial(dispersion, dispersion / (dispersion + mu)), y, rng


def barcodes(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` Cell Ranger-like barcodes (12 bases and ``-1``)."""
    return [f"{''.join(rng.choice(list('ACGT'), 12))}-1" for _ in range(n)]


def cells(folder: Path, name: str, **params) -> tuple[Path, np.ndarray]:
    """Single-cell-like reads (:func:`cell_reads`) as the CSV a user loads."""
    counts, y, rng = cell_reads(**params)
    return _write(folder, name, "barcode", barcodes(rng, len(y)), [f"type_{c}" for c in y],
                  counts, [f"G{i:05d}" for i in range(counts.shape[1])])


def bulk(folder: Path, name: str, *, n: int, genes: int, k: int, de: int,
         fold: tuple[float, float], dispersion: float, depth: float, seed: int,
         unequal: bool = False) -> tuple[Path, np.ndarray]:
    """Bulk RNA-seq reads of samples, deep and filtered as analysts keep them (few zeros).

    Negative-binomial reads (variance mu + dispersion mu^2) of log-normal gene shares times a
    library of about ``depth`` reads; ``de`` genes of each group up or down ``fold`` times;
    genes of fewer than 10 reads on average left out (as edgeR's ``filterByExpr`` would).
    """
    rng = np.random.default_rng(seed)
    share = rng.dirichlet(np.full(k, 3.0)) if unequal else np.full(k, 1.0 / k)
    y = rng.choice(k, size=n, p=share)
    props = np.tile(rng.lognormal(0.0, 2.0, genes), (n, 1))
    for c in range(k):
        chosen = rng.choice(genes, de, replace=False)
        props[np.ix_(y == c, chosen)] *= rng.uniform(*fold, de) ** rng.choice([-1, 1], de)
    props /= props.sum(axis=1, keepdims=True)
    mu = props * rng.lognormal(np.log(depth), 0.3, n)[:, None]
    counts = rng.negative_binomial(1 / dispersion, 1 / (1 + dispersion * mu))
    kept = counts.mean(axis=0) >= 10
    return _write(folder, name, "sample", [f"S{i:03d}" for i in range(n)],
                  [f"group_{c}" for c in y], counts[:, kept],
                  [f"ENSG{i:011d}" for i in np.flatnonzero(kept)])


def microbiome(folder: Path, name: str = "microbiome", *, n: int = 300, taxa: int = 400,
               k: int = 3, seed: int = 21) -> tuple[Path, np.ndarray]:
    """An OTU table: Dirichlet-multinomial reads of samples from ``k`` environments."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    base = rng.lognormal(0.0, 2.0, taxa)
    profiles = np.tile(base, (k, 1))
    for c in range(k):
        profiles[c, rng.choice(taxa, 30, replace=False)] *= rng.uniform(3, 10, 30)
    profiles /= profiles.sum(axis=1, keepdims=True)
    depth = np.clip(rng.lognormal(np.log(10_000), 0.8, n), 1_000, 100_000).astype(int)
    counts = np.stack([rng.multinomial(depth[i], rng.dirichlet(200 * profiles[y[i]]))
                       for i in range(n)])
    return _write(folder, name, "sample", [f"S{i:04d}" for i in range(n)],
                  [f"env_{c}" for c in y], counts, [f"OTU_{i}" for i in range(taxa)])


def word_counts(folder: Path, name: str, corpus: str, words: int) -> tuple[Path, np.ndarray]:
    """A suite text set as a document-term matrix of raw word counts."""
    from quality_sets import build
    from sklearn.feature_extraction.text import CountVectorizer

    data = build(corpus)
    vectoriser = CountVectorizer(stop_words="english", min_df=3, max_features=words)
    counts = vectoriser.fit_transform(list(data.texts)).toarray()
    return _write(folder, name, "doc", [f"doc{i}" for i in range(data.n)],
                  [str(v) for v in data.labels], counts,
                  [f"w_{w}" for w in vectoriser.get_feature_names_out()])


BUILDERS = {
    "cells-a": lambda folder: cells(folder, "cells-a", n=400, genes=2000, k=4, markers=60,
                                    fold=(3, 8), dispersion=2.0, library_sd=0.5, seed=0),
    "cells-c": lambda folder: cells(folder, "cells-c", n=600, genes=1000, k=5, markers=30,
                                    fold=(2, 5), dispersion=1.5, library_sd=0.6, seed=5),
    "docstrings-counts": lambda folder: word_counts(folder, "docstrings-counts", "docstrings",
                                                    1000),
    "bulk-a": lambda folder: bulk(folder, "bulk-a", n=90, genes=15000, k=3, de=300,
                                  fold=(1.5, 4), dispersion=0.1, depth=20e6, seed=1),
    "bulk-b": lambda folder: bulk(folder, "bulk-b", n=120, genes=12000, k=4, de=200,
                                  fold=(1.5, 3), dispersion=0.2, depth=10e6, seed=2),
    "bulk-c": lambda folder: bulk(folder, "bulk-c", n=60, genes=18000, k=3, de=150,
                                  fold=(1.5, 3), dispersion=0.15, depth=30e6, seed=3,
                                  unequal=True),
    "bulk-d": lambda folder: bulk(folder, "bulk-d", n=150, genes=10000, k=5, de=400,
                                  fold=(1.3, 2.5), dispersion=0.25, depth=5e6, seed=4),
    "cells-b": lambda folder: cells(folder, "cells-b", n=900, genes=3000, k=7, markers=25,
                                    fold=(2, 5), dispersion=1.0, library_sd=0.7, seed=11,
                                    unequal=True),
    "microbiome": microbiome,
    "reuters-counts": lambda folder: word_counts(folder, "reuters-counts", "reuters-r8", 1500),
    "newsgroups-counts": lambda folder: word_counts(folder, "newsgroups-counts", "newsgroups",
                                                    2000),
}
