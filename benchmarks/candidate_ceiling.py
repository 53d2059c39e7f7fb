"""How far a perfect chooser could take ``auto``: its pick against the best of its candidates.

Every ``auto`` record of ``benchmarks/quality_suite.py`` keeps each candidate's ACC
(``auto.candidate_acc``). Per set (mean over seeds) this compares ``auto``'s pick, the
oracle (on each run the candidate of highest ACC, which no label-free rule can beat) and
the best of the three peers, by modality and half. Where even the oracle stays below the
best peer, no rule of choice can close the gap: the candidates themselves must change.

Usage::

    python benchmarks/candidate_ceiling.py
    python benchmarks/candidate_ceiling.py --records benchmarks/results/quality_suite.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from replay_choice import PEERS  # noqa: E402

RESULTS = ROOT / "results"
CURRENT = ("quality_suite.json", "quality_suite_fresh15.json", "quality_suite_fresh16.json",
           "quality_suite_fresh17.json")
"""The records of the code as it is (the later files' records of a set replace the earlier)."""


def latest(paths: list[Path]) -> list[dict]:
    """Records of all ``paths``, a later file's record of (set, pipeline, seed) winning."""
    out = {}
    for path in paths:
        for rec in json.loads(path.read_text()):
            out[(rec["data"], rec["pipeline"], rec["seed"])] = rec
    return list(out.values())


def _held(values: list[float], peers: list[float]) -> int:
    """Sets whose value is at or above the best peer's, both as reported (3 decimals;
    ``candidate_acc`` is recorded to 4)."""
    return sum(round(v, 3) >= round(p, 3) for v, p in zip(values, peers, strict=True))


def ceiling(records: list[dict]) -> dict[tuple[str, str], dict]:
    """Per (half, modality): sets, and how many ``auto`` / the oracle hold the best peer on.

    Examples
    --------
    >>> recs = [{"data": "a", "pipeline": "peer:kmeans", "seed": 0, "acc": 0.8,
    ...          "half": "held-out", "modality": "text"},
    ...         {"data": "a", "pipeline": "clusterlab:auto", "seed": 0, "acc": 0.7,
    ...          "half": "held-out", "modality": "text",
    ...          "auto": {"candidate_acc": {"x": 0.7, "y": 0.9}}}]
    >>> ceiling(recs)[("held-out", "text")]["oracle_at_peer"]
    1
    """
    peer, runs = defaultdict(list), defaultdict(list)
    for rec in records:
        if rec["pipeline"] in PEERS:
            peer[(rec["data"], rec["pipeline"])].append(rec["acc"])
        elif rec["pipeline"] == "clusterlab:auto" and (rec.get("auto") or {}).get(
                "candidate_acc"):
            runs[rec["data"]].append(rec)
    groups: dict[tuple[str, str], dict] = {}
    for name, recs in runs.items():
        best = max(statistics.mean(peer[(name, p)]) for p in PEERS if (name, p) in peer)
        pick = statistics.mean(r["acc"] for r in recs)
        oracle = statistics.mean(max(r["auto"]["candidate_acc"].values()) for r in recs)
        half = "tuning" if recs[0]["half"] == "tuning" else "held-out"
        g = groups.setdefault((half, recs[0]["modality"]), defaultdict(list))
        g["auto"].append(pick), g["oracle"].append(oracle), g["peer"].append(best)
    return {key: {"sets": len(g["auto"]),
                  "auto_at_peer": _held(g["auto"], g["peer"]),
                  "oracle_at_peer": _held(g["oracle"], g["peer"]),
                  "auto": statistics.mean(g["auto"]), "oracle": statistics.mean(g["oracle"]),
                  "peer": statistics.mean(g["peer"])} for key, g in sorted(groups.items())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", nargs="+", type=Path,
                        default=[RESULTS / name for name in CURRENT])
    args = parser.parse_args()
    print("| half | modality | sets | `auto` >= best peer | oracle >= best peer | "
          "mean ACC `auto` | oracle | best peer |")
    print("|---|---|---|---|---|---|---|---|")
    for (half, modality), g in ceiling(latest(args.records)).items():
        print(f"| {half} | {modality} | {g['sets']} | {g['auto_at_peer']} | "
              f"{g['oracle_at_peer']} | {g['auto']:.3f} | {g['oracle']:.3f} | {g['peer']:.3f} |")


if __name__ == "__main__":
    main()
