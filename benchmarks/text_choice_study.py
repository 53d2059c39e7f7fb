"""How ``auto`` could choose among clusterings of texts (stop 49's study, every text set).

For each text set and seed: the sentence embeddings ``clusterlab run`` clusters, nine UMAPs
of them (5-D, seeds ``seed + 100 i``, as ``auto``'s baseline and vote draw them) with
k-means in each (``u0`` is ``auto``'s UMAP + k-means baseline), the vote over the first three
(``auto``'s ``umap-kmeans-vote``), k-means on the standardised (``km-std``, the peer) and
on the unit-length (``km-norm``) embeddings, and k-means in the embeddings started from the
clusters of a UMAP (``ref-std``: the standardised ones from ``u0``'s; ``refv-norm``: the
unit-length ones from the vote's), which keeps the UMAP's groups and moves their borders.
Each gets its ACC and ``auto``'s criterion in two graphs: the embeddings' own nearest
neighbours (what ``auto`` reads for texts) and the cosine nearest neighbours of the texts'
TF-IDF vectors (a judge that does not live in the space k-means cuts). Records go to
``--out`` (resumed when it exists); ``--report`` replays choice rules from them, per half,
without running anything.

Usage::

    python benchmarks/text_choice_study.py --out results/text_choice_stop49.json --sets ...
    python benchmarks/text_choice_study.py --out results/text_choice_stop49.json --report
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT.parent))

from later_batches import FRESH_18  # noqa: E402
from quality_sets import TUNING, build  # noqa: E402
from vote_study import (  # noqa: E402
    clusterer,
    embedding_kmeans,
    judging_neighbours,
    umap_spaces,
    unit_rows,
)

log = logging.getLogger("text_choice_study")
UMAPS = [f"u{i}" for i in range(9)]
RULES = {
    "auto (u0, vote)": (["u0", "vote"], "crit"),
    "best of 9 UMAPs": (UMAPS + ["vote"], "crit"),
    "best of 9 + km-std": (UMAPS + ["vote", "km-std"], "crit"),
    "best of 9 + km-norm": (UMAPS + ["vote", "km-norm"], "crit"),
    "TF-IDF judge: best of 9": (UMAPS + ["vote"], "crit_tfidf"),
    "TF-IDF judge: + km-std": (UMAPS + ["vote", "km-std"], "crit_tfidf"),
    "both judges: best of 9": (UMAPS + ["vote"], "both"),
    "both judges: + km-std": (UMAPS + ["vote", "km-std"], "both"),
    "auto + ref-std": (["u0", "vote", "ref-std"], "crit"),
    "auto + refv-norm": (["u0", "vote", "refv-norm"], "crit"),
}
"""Rule name -> (candidates, judge); ties go to the vote, then to ``u0`` as in ``auto``."""


def candidates(X: np.ndarray, k: int, seed: int) -> dict[str, np.ndarray]:
    """Every candidate's labels for one seed (see the module docstring)."""
    from sklearn.preprocessing import StandardScaler

    from clustering.consensus import vote

    fit = {f"u{i}": clusterer("km", Z, k, seed)
           for i, Z in enumerate(umap_spaces(X, seed, len(UMAPS), 5))}
    fit["vote"] = vote(np.stack([fit["u0"], fit["u1"], fit["u2"]], 1), k)[0]
    fit.update(embedding_kmeans(X, k, seed))
    fit["ref-std"] = refined(StandardScaler().fit_transform(X), fit["u0"], k, seed)
    fit["refv-norm"] = refined(unit_rows(X), fit["vote"], k, seed)
    return {name: labels.astype(np.int64) for name, labels in fit.items()}


def refined(Z: np.ndarray, labels: np.ndarray, k: int, seed: int) -> np.ndarray:
    """k-means in ``Z`` started from the centres of ``labels``' clusters."""
    from sklearn.cluster import KMeans

    centres = np.stack([Z[labels == c].mean(axis=0) for c in range(k)])
    return KMeans(k, init=centres, n_init=1, random_state=seed).fit(Z).labels_


def tfidf_graph(texts: list[str], m: int) -> np.ndarray:
    """The ``m`` cosine nearest neighbours of each text's TF-IDF vector."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.neighbors import NearestNeighbors

    T = TfidfVectorizer(sublinear_tf=True, min_df=2, stop_words="english").fit_transform(texts)
    nn = NearestNeighbors(n_neighbors=m + 1, metric="cosine").fit(T)
    return nn.kneighbors(T, return_distance=False)[:, 1:]


def run(names: list[str], out: Path) -> None:
    """Measure every set and seed not yet in ``out``."""
    from clustering.deep.spaces import mine_neighbours
    from clustering.features import featurize
    from clustering.metrics import cluster_metrics
    from clustering.neighbour_kappa import criterion

    records = json.loads(out.read_text()) if out.exists() else []
    done = {(r["set"], r["seed"]) for r in records}
    for name in names:
        data = build(name)
        X = featurize(data).X.astype(np.float32)
        k = len(np.unique(data.labels.astype(str)))
        m = judging_neighbours(len(X), k)
        words = tfidf_graph(data.texts, m)
        for seed in (0, 1, 2):
            if (name, seed) in done:
                continue
            own = mine_neighbours(X, m, seed)
            record = {"set": name, "seed": seed, "n": len(X), "k": k, "acc": {}, "crit": {},
                      "crit_tfidf": {}}
            for cand, labels in candidates(X, k, seed).items():
                record["acc"][cand] = round(cluster_metrics(X, labels, data.labels)["acc"], 4)
                record["crit"][cand] = round(criterion(labels, own), 4)
                record["crit_tfidf"][cand] = round(criterion(labels, words), 4)
            records.append(record)
            out.write_text(json.dumps(records, indent=1))
            log.info("%s seed %d: %s", name, seed, record["acc"])


def pick(record: dict, cands: list[str], judge: str) -> float:
    """ACC of the candidate the judge rates highest (ties: the vote, then ``u0``)."""
    def score(c: str) -> float:
        if judge == "both":
            return 0.5 * (record["crit"][c] + record["crit_tfidf"][c])
        return record[judge][c]
    return record["acc"][max(cands, key=lambda c: (score(c), c == "vote", c == "u0"))]


def report(out: Path) -> str:
    """Mean ACC per half of every rule, the oracle and the peer-like candidates, as Markdown."""
    per_set: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for r in json.loads(out.read_text()):
        for rule, (cands, judge) in RULES.items():
            per_set[r["set"]][rule].append(pick(r, cands, judge))
        per_set[r["set"]]["oracle"].append(max(r["acc"].values()))
        for cand in ("km-std", "ref-std", "refv-norm", "u0"):
            per_set[r["set"]][cand].append(r["acc"][cand])
    columns = [*RULES, "oracle", "km-std", "ref-std", "refv-norm", "u0"]
    lines = ["| half | sets | " + " | ".join(columns) + " |",
             "|---|---|" + "---|" * len(columns)]
    halves = {"tuning": set(TUNING), "eighteenth batch": set(FRESH_18)}
    for half in ("tuning", "eighteenth batch", "earlier held-out"):
        sets = [s for s in per_set if (s in halves[half] if half in halves
                                       else not any(s in h for h in halves.values()))]
        if sets:
            means = [statistics.mean(statistics.mean(per_set[s][c]) for s in sets)
                     for c in columns]
            lines.append(f"| {half} | {len(sets)} | " + " | ".join(f"{v:.3f}" for v in means)
                         + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", default=[])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--report", action="store_true", help="replay the rules only")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    if not args.report:
        run(args.sets, args.out)
    log.info("mean ACC per half:\n%s", report(args.out))


if __name__ == "__main__":
    main()
