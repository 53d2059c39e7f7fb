"""Clustering quality on 171 labelled sets: ``auto`` and our methods against the peers.

Every set is built offline (``benchmarks/quality_sets.py``). Six of them (``HELD_OUT``) were
frozen before any tuning, four more (``FRESH``) on 2026-11-30, five more (``FRESH_3``) on
2026-12-01, nine more (``FRESH_4``) later that day and eight more (``FRESH_5``) on
2026-12-02, four (``FRESH_6``) later that day, eight (``FRESH_7``) in stop 36 and seven
(``FRESH_8``) in stop 37, eight (``FRESH_9``) in stop 38, seven (``FRESH_10``) and eight
(``FRESH_11``) in stop 39, seven (``FRESH_12``) in stop 41, four (``FRESH_13``) in stop 42,
five (``FRESH_14``) in stop 43, five (``FRESH_15``) in stop 46, eight (``FRESH_16``) and four
(``FRESH_17``) in stop 47, four (``FRESH_18``) in stop 49, three (``FRESH_19``) and two
(``FRESH_20``) in stop 50, three (``FRESH_21``) in stop 51, six (``FRESH_22``, texts in other
scripts) and six (``FRESH_23``, texts in other Latin-script languages) in stop 68, nine
(``FRESH_24``, real tables) in stop 88, five (``FRESH_25``, more than 15 groups) in stop 91;
each is reported apart from the tuning half. Peers, built straight from the libraries on the
same features as ours:

  * ``peer:kmeans``        StandardScaler + KMeans(k, n_init=10)
  * ``peer:umap5+hdbscan`` UMAP(5-D, 15 neighbours, min_dist 0) + HDBSCAN(min_cluster_size=10)
  * ``peer:umap5+kmeans``  UMAP(5-D, 15 neighbours, min_dist 0) + KMeans(k, n_init=10)

Ours: ``clustering.cluster`` on the features of ``clustering.featurize`` (what ``clusterlab
run`` clusters), k = the number of true classes unless ``--no-k``.

Usage::

    python benchmarks/quality_suite.py                       # all sets, 3 seeds
    python benchmarks/quality_suite.py --sets wine cbf --seeds 0 --methods auto kmeans
"""

from __future__ import annotations

import argparse
import json
import logging
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))
sys.path.insert(0, str(ROOT))

from later_batches import FRESH_19, FRESH_20, FRESH_21, FRESH_24  # noqa: E402
from many_groups import FRESH_25  # noqa: E402
from message_sets import FRESH_22, FRESH_23  # noqa: E402
from quality_sets import (  # noqa: E402
    BUILDERS,
    FRESH,
    FRESH_3,
    FRESH_4,
    FRESH_5,
    FRESH_6,
    FRESH_7,
    FRESH_8,
    FRESH_9,
    FRESH_10,
    FRESH_11,
    FRESH_12,
    FRESH_13,
    FRESH_14,
    FRESH_15,
    FRESH_16,
    FRESH_17,
    FRESH_18,
    HELD_OUT,
    TUNING,
    build,
)
from run_benchmarks import (  # noqa: E402
    markdown_table,
    peer_kmeans,
    peer_umap_hdbscan,
    peer_umap_kmeans,
    update_readme,
)

from clustering.clusterers import cluster  # noqa: E402
from clustering.features import featurize  # noqa: E402
from clustering.metrics import cluster_metrics  # noqa: E402
from clustering.pipeline import (  # noqa: E402
    image_shape_of,
    modality_of,
    neighbour_graph,
    texts_of,
)

log = logging.getLogger("quality")
DEFAULT_METHODS = ("auto", "kmeans", "gmm", "umap-kmeans")


def peer_umap5_kmeans(X, k, seed):
    """UMAP(5-D, 15 neighbours, min_dist 0) + KMeans(k): the issue's third peer."""
    return peer_umap_kmeans(X, k, seed, dims=5, n_neighbors=15, min_dist=0.0)


PEERS = {"peer:kmeans": peer_kmeans, "peer:umap5+hdbscan": peer_umap_hdbscan,
         "peer:umap5+kmeans": peer_umap5_kmeans}


_FEATURES: dict[str, tuple] = {}
"""Each set's data, features and seconds to compute them, once per process: the seeds run
outermost, and 1,000 long posts took 4 minutes to embed for each seed."""


def _featurized(name: str) -> tuple:
    """``(data, features, seconds)`` of a set, built and featurized on its first call."""
    if name not in _FEATURES:
        data = build(name)
        start = time.perf_counter()
        feats = featurize(data)
        _FEATURES[name] = (data, feats, time.perf_counter() - start)
    return _FEATURES[name]


def bench_set(name: str, seeds: list[int], methods: list[str], give_k: bool,
              save_labels: Path | None = None) -> list[dict]:
    """Peers and our methods on one set; one record per (pipeline, seed).

    With ``save_labels``, ``auto``'s candidate labels and the truth go to
    ``save_labels/{set}-{seed}.npz`` (to study selection criteria offline).
    """
    data, feats, feature_s = _featurized(name)
    k_true = int(len(np.unique(data.labels.astype(str))))
    records = []
    for seed in seeds:
        for peer, fn in PEERS.items():
            start = time.perf_counter()
            labels, _ = fn(feats.X, k_true, seed)
            wall = time.perf_counter() - start
            records.append(_record(name, data, peer, seed, labels, feats.X, wall))
        knn = neighbour_graph(feats.X, seed)
        for method in methods:
            start = time.perf_counter()
            k = k_true if give_k and "hdbscan" not in method else None
            result = cluster(feats.X, method, k, random_state=seed, knn=knn, name=name,
                             image_shape=image_shape_of(data, feats),
                             modality=modality_of(data, feats), texts=texts_of(data, feats))
            wall = time.perf_counter() - start
            rec = _record(name, data, f"clusterlab:{method}", seed, result.labels, feats.X,
                          wall)
            if "k_selection" in result.info:
                rec["k_selection"] = result.info["k_selection"]
            if method == "auto":
                rec["auto"] = result.info.get("auto")
                rec["auto"]["candidate_acc"] = {
                    name: round(cluster_metrics(feats.X, result.alternatives[:, j],
                                                data.labels)["acc"], 4)
                    for j, name in enumerate(rec["auto"]["alternatives"])}
                if save_labels is not None:
                    save_labels.mkdir(parents=True, exist_ok=True)
                    np.savez(save_labels / f"{name}-{seed}.npz", truth=data.labels.astype(str),
                             candidates=result.alternatives,
                             names=np.array(rec["auto"]["alternatives"]))
            records.append(rec)
    for rec in records:
        rec["features_s"] = round(feature_s, 2)
        rec["k_true"] = k_true
    return records


def _half(name: str) -> str:
    return next((half for half, names in HALVES.items() if name in names), "tuning")


HALVES = {"held-out": HELD_OUT, "fresh": FRESH, "fresh-3": FRESH_3, "fresh-4": FRESH_4,
          "fresh-5": FRESH_5, "fresh-6": FRESH_6, "fresh-7": FRESH_7,
          "fresh-8": FRESH_8, "fresh-9": FRESH_9, "fresh-10": FRESH_10,
          "fresh-11": FRESH_11, "fresh-12": FRESH_12,
          "fresh-13": FRESH_13,
          "fresh-14": FRESH_14,
          "fresh-15": FRESH_15,
          "fresh-16": FRESH_16,
          "fresh-17": FRESH_17,
          "fresh-18": FRESH_18,
          "fresh-19": FRESH_19,
          "fresh-20": FRESH_20,
          "fresh-21": FRESH_21,
          "fresh-22": FRESH_22,
          "fresh-23": FRESH_23,
          "fresh-24": FRESH_24,
          "fresh-25": FRESH_25,
          "tuning": TUNING}
HALF_TITLES = {"held-out": "held-out half (frozen 2026-11-29)",
               "fresh": "fresh held-out sets (frozen 2026-11-30)",
               "fresh-3": "third held-out sets (frozen 2026-12-01)",
               "fresh-4": "fourth held-out sets (frozen 2026-12-01, stop 34)",
               "fresh-5": "fifth held-out sets (frozen 2026-12-02, stop 35)",
               "fresh-6": "sixth held-out sets (frozen later 2026-12-02, stop 35)",
               "fresh-7": "seventh held-out sets (frozen 2026-12-02, stop 36)",
               "fresh-8": "eighth held-out sets (frozen 2026-12-02, stop 37)",
               "fresh-9": "ninth held-out sets (frozen 2026-12-02, stop 38)",
               "fresh-10": "tenth held-out sets (frozen 2026-12-02, stop 39)",
               "fresh-11": "eleventh held-out sets (frozen later 2026-12-02, stop 39)",
               "fresh-12": "twelfth held-out sets (frozen 2026-12-02, stop 41)",
               "fresh-13": "thirteenth held-out sets (frozen 2026-12-03, stop 42)",
               "fresh-14": "fourteenth held-out sets (frozen 2026-12-03, stop 43)",
               "fresh-15": "fifteenth held-out sets (frozen 2026-12-03, stop 46)",
               "fresh-16": "sixteenth held-out sets (frozen 2026-12-03, stop 47)",
               "fresh-17": "seventeenth held-out sets (frozen 2026-12-03, stop 47)",
               "fresh-18": "eighteenth held-out sets (frozen 2026-12-03, stop 49)",
               "fresh-19": "nineteenth held-out sets (frozen 2026-12-04, stop 50)",
               "fresh-20": "twentieth held-out sets (frozen later 2026-12-04, stop 50)",
               "fresh-21": "twenty-first held-out sets (frozen 2026-12-04, stop 51)",
               "fresh-22": "twenty-second held-out sets (frozen 2026-12-05, stop 68)",
               "fresh-23": "twenty-third held-out sets (frozen later 2026-12-05, stop 68)",
               "fresh-24": "twenty-fourth held-out sets (frozen 2026-12-07, stop 88)",
               "fresh-25": "twenty-fifth held-out sets (frozen 2026-12-08, stop 91)",
               "tuning": "tuning half"}


def _record(name, data, pipeline, seed, labels, X, wall) -> dict:
    m = cluster_metrics(X, np.asarray(labels), data.labels, random_state=seed)
    log.info("%-18s %-22s seed=%d acc=%.3f k=%d %.1fs", name, pipeline, seed, m["acc"],
             m["n_clusters"], wall)
    return {"data": name, "n": data.n, "modality": data.modality, "pipeline": pipeline,
            "seed": seed, "acc": m["acc"], "nmi": m["nmi"], "ari": m["ari"],
            "n_clusters": m["n_clusters"], "wall_s": round(wall, 2),
            "half": _half(name)}


def _ms(values) -> str:
    values = list(values)
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{statistics.mean(values):.3f} ± {sd:.3f}"


def summarise(records: list[dict]) -> pd.DataFrame:
    """Mean ± sd over seeds per (set, pipeline)."""
    rows = []
    for (data, pipe), grp in pd.DataFrame(records).groupby(["data", "pipeline"], sort=False):
        rows.append({"set": data, "n": int(grp["n"].iloc[0]), "pipeline": pipe,
                     "seeds": len(grp), "ACC": _ms(grp["acc"]), "NMI": _ms(grp["nmi"]),
                     "ARI": _ms(grp["ari"]), "clusters": f"{grp['n_clusters'].median():.0f}",
                     "wall s (median)": f"{grp['wall_s'].median():.1f}"})
    return pd.DataFrame(rows)


def head_to_head(records: list[dict]) -> pd.DataFrame:
    """Per set: ``auto``'s mean ACC, the best peer's, and what ``auto`` chose."""
    frame = pd.DataFrame(records)
    rows = []
    for data, grp in frame.groupby("data", sort=False):
        means = grp.groupby("pipeline")["acc"].mean()
        peers = means[[p for p in means.index if p.startswith("peer:")]]
        auto = grp[grp["pipeline"] == "clusterlab:auto"]
        if auto.empty:
            continue
        chosen = [a.get("winner") for a in auto["auto"] if isinstance(a, dict)]
        rows.append({"set": data, "half": grp["half"].iloc[0],
                     "modality": grp["modality"].iloc[0], "auto ACC": means["clusterlab:auto"],
                     "best peer": peers.idxmax(), "best peer ACC": peers.max(),
                     "margin": means["clusterlab:auto"] - peers.max(),
                     "auto chose": ", ".join(sorted(set(map(str, chosen)))),
                     "auto s": auto["wall_s"].median()})
    return pd.DataFrame(rows)


def method_matrix(records: list[dict]) -> pd.DataFrame:
    """Mean ACC per set (rows) and pipeline (columns); the best of each row in bold."""
    frame = pd.DataFrame(records)
    table = frame.pivot_table(index="data", columns="pipeline", values="acc", aggfunc="mean",
                              sort=False)
    order = [c for c in table.columns if c.startswith("peer:")] + \
        [c for c in table.columns if not c.startswith("peer:")]
    table = table[order]
    rows = []
    names = [n for half in HALVES.values() for n in half if n in table.index]
    for name, row in table.loc[names].iterrows():
        best = row.max()
        rows.append({"set": name, "half": _half(name), **{col.replace("clusterlab:", ""): (
            "—" if pd.isna(v) else f"**{v:.3f}**" if v == best else f"{v:.3f}")
            for col, v in row.items()}})
    return pd.DataFrame(rows)


NMI_BANDS = ((0.0, 0.05), (0.05, 0.2), (0.2, 1.01))
"""Bands of the best NMI any pipeline given k reaches on a set (mean over seeds; HDBSCAN's
own number of clusters left out): below 0.05 the labels are barely in the data, and "at or
above the best peer" compares noisy pipelines."""


def _against_best_peer(part: pd.DataFrame) -> dict:
    """Mean ACC of ``auto`` and of the best peer, and sets ``auto`` is at or above it on."""
    return {"auto ACC": f"{part['auto ACC'].mean():.3f}",
            "best peer ACC": f"{part['best peer ACC'].mean():.3f}",
            "auto ≥ best peer": int((part["margin"] >= 0).sum())}


def by_structure(records: list[dict], h2h: pd.DataFrame) -> pd.DataFrame:
    """Held-out sets of every batch grouped by :data:`NMI_BANDS` and modality.

    Parameters
    ----------
    records : list of dict
        The suite's records (every pipeline, every seed).
    h2h : DataFrame
        :func:`head_to_head` of the same records.

    Returns
    -------
    DataFrame
        One row per (band, modality) with sets, ``auto``'s and the best peer's mean ACC, and
        how many sets ``auto`` is at or above the best peer on.
    """
    frame = pd.DataFrame(records)
    frame = frame[~frame["pipeline"].str.contains("hdbscan")]  # their own k inflates NMI
    best_nmi = frame.groupby(["data", "pipeline"])["nmi"].mean().groupby(level=0).max()
    held = h2h[h2h["half"] != "tuning"].assign(nmi=lambda f: f["set"].map(best_nmi))
    rows = []
    for low, high in NMI_BANDS:
        band = held[(held["nmi"] >= low) & (held["nmi"] < high)]
        for modality, part in [("all", band), *band.groupby("modality")]:
            if part.empty:
                continue
            rows.append({"best NMI": f"{low:.2f}-{min(high, 1.0):.2f}", "modality": modality,
                         "sets": len(part), **_against_best_peer(part)})
    return pd.DataFrame(rows)


def by_modality(records: list[dict], h2h: pd.DataFrame) -> pd.DataFrame:
    """``auto`` against each peer by modality, the held-out sets of every batch pooled.

    The tuning half is listed apart, for contrast: ``auto``'s rules were chosen on it.
    ``records`` and ``h2h`` as for :func:`by_structure`.

    Returns
    -------
    DataFrame
        One row per (half, modality): sets, the mean ACC of ``auto``, of each peer and of the
        best peer per set, and on how many sets ``auto`` is at or above the best peer and at
        or above each peer.
    """
    means = pd.DataFrame(records).pivot_table(index="data", columns="pipeline", values="acc",
                                              aggfunc="mean")
    peers = [p for p in means.columns if p.startswith("peer:")]
    frame = h2h.assign(pool=np.where(h2h["half"] == "tuning", "tuning", "held out"))
    rows = []
    for (pool, modality), part in frame.groupby(["pool", "modality"], sort=False):
        own = means.loc[part["set"]]
        row = {"sets": pool, "modality": modality, "n": len(part),
               **_against_best_peer(part)}
        for peer in peers:
            name = peer.removeprefix("peer:")
            wins = int((own["clusterlab:auto"] >= own[peer]).sum())
            row[f"{name} ACC (auto ≥ it)"] = f"{own[peer].mean():.3f} ({wins})"
        rows.append(row)
    order = {"held out": 0, "tuning": 1}
    return pd.DataFrame(rows).sort_values("sets", key=lambda c: c.map(order), kind="stable")


def _fmt(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in ("auto ACC", "best peer ACC"):
        out[col] = out[col].map(lambda v: f"{v:.3f}")
    out["margin"] = out["margin"].map(lambda v: f"{v:+.3f}")
    out["auto s"] = out["auto s"].map(lambda v: f"{v:.1f}")
    return out


def _k_right(records: list[dict], names) -> str:
    """How often ``auto`` estimated the true number of groups (k not given)."""
    runs = [r for r in records if r["pipeline"] == "clusterlab:auto" and r["data"] in names]
    right = sum(r["n_clusters"] == r["k_true"] for r in runs)
    near = sum(abs(r["n_clusters"] - r["k_true"]) == 1 for r in runs)
    errors = [abs(r["n_clusters"] - r["k_true"]) for r in runs]
    found = ", ".join(f"{r['data']} {r['n_clusters']} ({r['k_true']})" for r in runs)
    return (f"k estimated right on {right}/{len(runs)} runs, off by one on {near}, mean "
            f"absolute error {np.mean(errors):.2f} — found (true): {found}.")


def report(records: list[dict], args) -> str:
    """The markdown block: head-to-head per half, then every pipeline per half."""
    h2h = head_to_head(records)
    lines = [f"Measured {time.strftime('%Y-%m-%d')} on {platform.machine()}, "
             f"{len(args.seeds)} seed(s), k {'given' if args.k else 'estimated'}; "
             f"`python benchmarks/quality_suite.py {' '.join(sys.argv[1:])}`.", ""]
    for half in HALVES:
        part = h2h[h2h["half"] == half] if not h2h.empty else h2h
        if part.empty:
            continue
        wins = int((part["margin"] >= 0).sum())
        lines += [f"**{HALF_TITLES[half]}** — `auto` ≥ best peer on {wins}/{len(part)} sets; "
                  f"mean ACC `auto` {part['auto ACC'].mean():.3f} vs best peer "
                  f"{part['best peer ACC'].mean():.3f} "
                  f"(margin {part['margin'].mean():+.3f}).", "",
                  markdown_table(_fmt(part.drop(columns=["half"]))), ""]
        if not args.k:
            lines += [_k_right(records, names=HALVES[half]), ""]
    structure = by_structure(records, h2h) if not h2h.empty else h2h
    if not structure.empty:
        lines += ["**Every held-out set (all batches), by how much of its labels any pipeline "
                  "finds** (the best NMI of any pipeline given k, mean over seeds):", "",
                  markdown_table(structure), ""]
    modality = by_modality(records, h2h) if not h2h.empty else h2h
    if not modality.empty:
        lines += ["**`auto` against each peer, by modality** (held-out sets of every batch "
                  "pooled; the tuning half apart):", "", markdown_table(modality), ""]
    matrix = method_matrix(records)
    lines += ["Mean ACC of every pipeline per set (best in bold; — where a pipeline was not run "
              "on the set):", "", markdown_table(matrix), ""]
    table = summarise(records)
    for half, names in HALVES.items():
        part = table[table["set"].isin(names)]
        if not part.empty:
            lines += [f"Every pipeline, {HALF_TITLES[half]}:", "", markdown_table(part), ""]
    return "\n".join(lines).rstrip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", choices=list(BUILDERS),
                        default=[name for names in HALVES.values() for name in names])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--methods", nargs="+", default=list(DEFAULT_METHODS))
    parser.add_argument("--no-k", dest="k", action="store_false",
                        help="our methods estimate k (peers still get it)")
    parser.add_argument("--out", default=str(ROOT / "results" / "quality_suite.json"))
    parser.add_argument("--save-labels", type=Path, default=None,
                        help="folder for auto's candidate labels (one .npz per set and seed)")
    parser.add_argument("--readme", action="store_true", help="write the table into README.md")
    parser.add_argument("--report-only", action="store_true",
                        help="only rebuild the report from the records in --out")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    records = []
    if args.report_only:
        records = json.loads(Path(args.out).read_text())
        args.seeds = sorted({r["seed"] for r in records})
    # seeds outermost: a stopped run still covers every set
    for seed in [] if args.report_only else args.seeds:
        for name in args.sets:
            records += bench_set(name, [seed], args.methods, args.k, args.save_labels)
            Path(args.out).parent.mkdir(parents=True, exist_ok=True)
            Path(args.out).write_text(json.dumps(records, indent=1, default=str))
    text = report(records, args)
    log.info("\n%s", text)
    if args.readme:
        update_readme("quality" if args.k else "quality-no-k", text, "")


if __name__ == "__main__":
    main()
