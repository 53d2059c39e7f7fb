"""Deep clustering quality and speed, with the plain baselines measured in the same run.

Cases:
  * ``digits``: demo:digits from pixels (no pretrained model), 5 seeds, every deep method
    next to our UMAP+k-means and the peer UMAP(2-D)+k-means.
  * ``imbalanced``: 2-D blobs with sizes 30 : 300 : 3000 (1:10:100), 3 seeds, balanced
    SeLa against the size-aware P²OT (and k-means, GMM).
  * ``text``: docstrings of installed libraries (``benchmarks/text_corpus.py``, offline,
    6 topics), all-MiniLM-L6-v2 embeddings, 3 seeds.

Usage::

    python benchmarks/deep_benchmarks.py [--cases digits imbalanced text] [--seeds 5]
"""

from __future__ import annotations

import argparse
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

from run_benchmarks import (  # noqa: E402
    markdown_table,
    measure,
    peer_umap_kmeans,
    summarise,
    update_readme,
)

from clustering.dataset import Dataset  # noqa: E402
from clustering.features import featurize  # noqa: E402
from clustering.loaders import load_data  # noqa: E402
from clustering.metrics import cluster_metrics  # noqa: E402
from clustering.pipeline import RunConfig, run_pipeline  # noqa: E402

log = logging.getLogger("deep-bench")
DEEP = ("scan", "temi", "divclust", "idec", "dec", "sela", "p2ot")


def imbalanced_blobs() -> Dataset:
    """Three 2-D blobs, sizes 30 / 300 / 3000."""
    from sklearn.datasets import make_blobs

    X, y = make_blobs(n_samples=[30, 300, 3000], centers=[[0, 0], [8, 0], [0, 8]],
                      cluster_std=1.0, random_state=0)
    X = X.astype(np.float32)
    return Dataset(name="imbalanced-1:10:100", modality="embeddings",
                   ids=np.array([str(i) for i in range(len(X))], dtype=object),
                   table=pd.DataFrame(X, columns=["x0", "x1"]), labels=y, embeddings=X,
                   source="blobs:imbalanced")


def run_case(data: Dataset, methods: list[str], seeds: list[int], peers: bool,
             representation: str = "auto") -> list[dict]:
    """Our methods (and optionally the peer UMAP+k-means) for every seed."""
    k = int(len(np.unique(data.labels)))
    records = []
    X = featurize(data, representation).X
    for seed in seeds:
        if peers:
            (labels, stages), wall, peak = measure(lambda s=seed: peer_umap_kmeans(X, k, s))
            m = cluster_metrics(X, labels, data.labels, random_state=seed)
            records.append(_record(data, "peer:umap2+kmeans", seed, m, stages, wall, peak, {}))
        for method in methods:
            cfg = RunConfig(data=data.source, method=method, seed=seed,
                            representation=representation,
                            clusters=None if "hdbscan" in method else k)
            result, wall, peak = measure(lambda c=cfg: run_pipeline(c, dataset=data))
            records.append(_record(data, f"clusterlab:{method}", seed, result.metrics,
                                   result.timings, wall, peak, result.clustering.info,
                                   head_ece(result.clustering, data.labels)))
            log.info("%s %s seed=%d acc=%.3f nmi=%.3f %.1fs", data.name, method, seed,
                     result.metrics["acc"], result.metrics["nmi"], wall)
    return records


def head_ece(clustering, truth) -> float | None:
    """ECE of the clustering head's own confidence (before the calibration head)."""
    from clustering.metrics import expected_calibration_error

    if clustering.info.get("confidence", "").startswith("calibration head"):
        labels = clustering.labels
        own = clustering.soft[np.arange(len(labels)), labels.clip(0)]
        return expected_calibration_error(own, labels, truth)
    return None


def _record(data, pipeline, seed, m, stages, wall, peak, info, ece_head=None) -> dict:
    return {"data": data.name, "n": data.n, "pipeline": pipeline, "seed": seed,
            "acc": m["acc"], "nmi": m["nmi"], "ari": m["ari"], "n_clusters": m["n_clusters"],
            "noise_share": m["noise_share"], "stages_s": {k: round(v, 3) for k, v in
                                                          stages.items()},
            "wall_s": round(wall, 3), "peak_mib": round(peak, 1),
            "s_per_epoch": info.get("seconds_per_epoch"), "ece": m.get("ece"),
            "ece_head": ece_head}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", default=["digits", "imbalanced", "text"])
    parser.add_argument("--seeds", type=int, default=5)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    run_pipeline(RunConfig(data="demo:iris", method="umap-kmeans"))  # numba warm-up
    records = []
    if "digits" in args.cases:
        records += run_case(load_data("demo:digits"), ["umap-kmeans", *DEEP],
                            list(range(args.seeds)), peers=True)
    if "imbalanced" in args.cases:
        records += run_case(imbalanced_blobs(), ["kmeans", "gmm", "sela", "p2ot"],
                            list(range(3)), peers=False, representation="raw")
    if "text" in args.cases:
        from text_corpus import docstring_corpus

        corpus = docstring_corpus()
        start = time.perf_counter()
        feats = featurize(corpus, "minilm")
        log.info("embedded %d docstrings in %.1fs", corpus.n, time.perf_counter() - start)
        emb = Dataset(name="docstrings (MiniLM)", modality="embeddings", ids=corpus.ids,
                      table=pd.DataFrame(feats.X), labels=corpus.labels, embeddings=feats.X,
                      source="benchmarks:docstrings")
        records += run_case(emb, ["kmeans", "umap-hdbscan", "umap-kmeans", "scan", "sela",
                                  "idec"], list(range(3)), peers=True, representation="raw")
    table = summarise(records)
    spe = pd.DataFrame(records).groupby(["data", "pipeline"], sort=False)["s_per_epoch"].median()
    table["s/epoch"] = [f"{spe.get((d, p)):.3f}" if pd.notna(spe.get((d, p))) else "—"
                        for d, p in zip(table["data"], table["pipeline"], strict=True)]
    for col, name in (("ece", "ECE"), ("ece_head", "ECE head only")):
        mean = pd.DataFrame(records).groupby(["data", "pipeline"], sort=False)[col].mean()
        table[name] = [f"{mean.get((d, p)):.3f}" if pd.notna(mean.get((d, p))) else "—"
                       for d, p in zip(table["data"], table["pipeline"], strict=True)]
    out = ROOT / "results"
    out.mkdir(exist_ok=True)
    (out / "deep.json").write_text(json.dumps({"records": records}, indent=1))
    md = markdown_table(table.drop(columns=["peak MiB"]))
    (out / "deep.md").write_text(md + "\n")
    update_readme("deep", md, f"Measured {time.strftime('%Y-%m-%d')}; "
                  "`python benchmarks/deep_benchmarks.py`.")
    print(md)


if __name__ == "__main__":
    main()
