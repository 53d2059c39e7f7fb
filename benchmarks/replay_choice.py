"""Replay a rule for ``auto``'s choice on the quality suite's recorded runs, without re-running.

Every ``auto`` record of ``benchmarks/quality_suite.py`` keeps each candidate's criterion
value (``auto.scores``) and ACC (``auto.candidate_acc``), so a different way of choosing
among the same candidates can be scored from the records alone. The rule replayed here is
stop 38's noise margin (tried, not kept; ``benchmarks/README.md``): a candidate replaces the
baseline (UMAP + k-means or its vote over UMAP seeds, whichever scores higher) only if it
beats it by more than ``c / sqrt(n)``; ``c = 0`` is ``auto``'s rule.

Usage::

    python benchmarks/replay_choice.py --margins 0 0.5 0.8 1.5
    python benchmarks/replay_choice.py --records benchmarks/results/quality_suite_fresh9.json \
        --margins 0 0.8
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from quality_suite import _half  # noqa: E402

BASELINE, VOTE = "umap-kmeans", "umap-kmeans-vote"
PEERS = ("peer:kmeans", "peer:umap5+hdbscan", "peer:umap5+kmeans")


def pick(scores: dict[str, float], n: int, c: float) -> str:
    """The candidate kept under a margin of ``c / sqrt(n)`` for the baseline's better form.

    Examples
    --------
    >>> s = {"kmeans": 0.8809, BASELINE: 0.8717, VOTE: 0.8717}
    >>> pick(s, 569, 0.0), pick(s, 569, 0.8)
    ('kmeans', 'umap-kmeans-vote')
    """
    base = max((name for name in (VOTE, BASELINE) if name in scores),
               key=lambda name: (scores[name], name == VOTE))
    margin = c / math.sqrt(n)
    return max(scores, key=lambda name: (scores[name] + margin * (name == base),
                                         name == VOTE, name == BASELINE))


def replay(records: list[dict], margins: list[float]) -> list[str]:
    """One line per margin and group: mean ACC of the pick, sets at or above the best peer."""
    peer_acc, runs = defaultdict(list), defaultdict(list)
    for rec in records:
        if rec["pipeline"] in PEERS:
            peer_acc[(rec["data"], rec["pipeline"])].append(rec["acc"])
        elif rec["pipeline"] == "clusterlab:auto" and "scores" in (rec.get("auto") or {}):
            runs[rec["data"]].append(rec)
    best = {name: max(statistics.mean(peer_acc[(name, p)]) for p in PEERS
                      if (name, p) in peer_acc) for name in runs}
    groups = defaultdict(list)
    for name, recs in runs.items():
        half = "tuning half" if _half(name) == "tuning" else "held out"
        groups[half].append(name)
        groups[f"{half}, {recs[0]['modality']}"].append(name)
    lines = []
    for c in margins:
        acc = {name: statistics.mean(rec["auto"]["candidate_acc"][
            pick(rec["auto"]["scores"], rec["n"], c)] for rec in recs)
            for name, recs in runs.items()}
        for group, names in sorted(groups.items()):
            wins = sum(acc[name] >= best[name] for name in names)
            lines.append(f"c={c:<5} {group:26s} {len(names):3d} sets  mean ACC "
                         f"{statistics.mean(acc[name] for name in names):.4f}  "
                         f">= best peer {wins}/{len(names)}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=Path,
                        default=ROOT / "results" / "quality_suite.json")
    parser.add_argument("--margins", nargs="+", type=float, default=[0.0, 0.5, 0.8, 1.0, 1.5])
    args = parser.parse_args()
    sys.stdout.write("\n".join(replay(json.loads(args.records.read_text()), args.margins)) + "\n")


if __name__ == "__main__":
    main()
