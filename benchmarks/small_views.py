"""Does a learned view pay off on a few hundred rows or fewer? ``auto`` with and without.

``auto`` trains a learned view from :data:`clustering.auto_views.MIN_VIEW_ROWS` rows up (until
stop 42 from 201 for every modality). This draws random subsets of a few sets (``--sizes``
rows each, a new draw per seed; a set with fewer rows is taken whole), runs ``auto`` as it is
(or with every view from ``--base`` rows up) and with every view from ``--floor`` rows up,
and the peers on the same rows, and logs ACC per set, size and variant (saved with
``--out``).

Usage::

    python benchmarks/small_views.py --sets waveforms digits wine --sizes 100 200 --seeds 0 1 2
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))
sys.path.insert(0, str(ROOT))

from quality_sets import build  # noqa: E402
from quality_suite import PEERS  # noqa: E402

from clustering import auto_views  # noqa: E402
from clustering.clusterers import cluster  # noqa: E402
from clustering.dataset import Dataset  # noqa: E402
from clustering.features import featurize  # noqa: E402
from clustering.metrics import cluster_metrics  # noqa: E402
from clustering.pipeline import (  # noqa: E402
    image_shape_of,
    modality_of,
    neighbour_graph,
    texts_of,
)

log = logging.getLogger("small_views")


def draw(data: Dataset, n: int, seed: int) -> Dataset:
    """``n`` rows of ``data`` drawn at random (every class keeps at least two rows; all of
    them where it has no more than ``n``)."""
    if n >= data.n:
        return data
    rng = np.random.default_rng(seed)
    labels = data.labels.astype(str)
    keep = np.concatenate([rng.choice(np.flatnonzero(labels == c), 2, replace=False)
                           for c in np.unique(labels)])
    rest = np.setdiff1d(np.arange(data.n), keep)
    idx = np.sort(np.concatenate([keep, rng.choice(rest, n - len(keep), replace=False)]))
    return dataclasses.replace(
        data, ids=data.ids[idx], table=data.table.iloc[idx].reset_index(drop=True),
        labels=data.labels[idx],
        texts=None if data.texts is None else [data.texts[i] for i in idx],
        images=None if data.images is None else data.images[idx],
        embeddings=None if data.embeddings is None else data.embeddings[idx],
        image_files=None if data.image_files is None else tuple(data.image_files[i]
                                                                for i in idx),
        map_xy=None, filled=None)


def run_one(data: Dataset, feats, k: int, seed: int, floor: int | None) -> dict:
    """``auto`` on ``data`` (featurized as ``feats``) with every view from ``floor`` rows up
    (None: as it is)."""
    saved = auto_views.MIN_VIEW_ROWS
    if floor is not None:
        auto_views.MIN_VIEW_ROWS = dict.fromkeys(saved, floor)
    try:
        start = time.perf_counter()
        result = cluster(feats.X, "auto", k, random_state=seed,
                         knn=neighbour_graph(feats.X, seed), name=data.name,
                         image_shape=image_shape_of(data, feats), modality=modality_of(data, feats),
                         texts=texts_of(data, feats))
        wall = time.perf_counter() - start
    finally:
        auto_views.MIN_VIEW_ROWS = saved
    info = result.info.get("auto", {})
    return {"acc": cluster_metrics(feats.X, result.labels, data.labels)["acc"],
            "winner": info.get("winner"), "s": round(wall, 1)}


def main() -> None:
    """Run the study and log (and save) its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", required=True)
    parser.add_argument("--sizes", nargs="+", type=int, default=[100, 200])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--floor", type=int, default=30)
    parser.add_argument("--base", type=int, default=None,
                        help="the first variant's floor for every view (default: as it is; "
                             "201: as before stop 42)")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    rows = []
    for name in args.sets:
        full = build(name)
        for n in args.sizes:
            for seed in args.seeds:
                data = draw(full, n, 1000 + seed)
                feats = featurize(data)
                k = len(np.unique(data.labels.astype(str)))
                peers = {p: cluster_metrics(feats.X, fn(feats.X, k, seed)[0],
                                            data.labels)["acc"] for p, fn in PEERS.items()}
                now, low = (run_one(data, feats, k, seed, floor)
                            for floor in (args.base, args.floor))
                row = {"set": name, "modality": data.modality, "n": n, "seed": seed,
                       "best peer": max(peers.values()), **{p: v for p, v in peers.items()},
                       "auto": now["acc"], "auto s": now["s"], "winner": now["winner"],
                       "auto+view": low["acc"], "auto+view s": low["s"],
                       "winner+view": low["winner"]}
                log.info("%s", row)
                rows.append(row)
                if args.out:
                    args.out.write_text(json.dumps(rows, indent=1))
    frame = pd.DataFrame(rows)
    cols = ["best peer", "auto", "auto+view", "auto s", "auto+view s"]
    log.info("\n%s", frame.groupby(["set", "n"])[cols].mean().round(3).to_string())
    log.info("\n%s", frame.groupby(["modality", "n"])[cols].mean().round(3).to_string())


if __name__ == "__main__":
    main()
