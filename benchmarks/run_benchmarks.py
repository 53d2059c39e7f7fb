"""Score and time clusterlab against the plain peer pipelines, in one process, on the same data.

Peers (built straight from the libraries, as their users run them):
  * ``peer:kmeans``        StandardScaler + KMeans(k, n_init=10)
  * ``peer:umap5+hdbscan`` UMAP(5-D, n_neighbors=15, min_dist=0) + HDBSCAN(min_cluster_size=10),
                           BERTopic's defaults
  * ``peer:umap2+kmeans``  UMAP(2-D) + KMeans(k)

Ours: ``clustering.run_pipeline`` (features -> k-NN -> clusterer -> 2-D map -> metrics) for
each classic/density method, k = number of true classes where a method takes k.

Usage::

    python benchmarks/run_benchmarks.py            # digits, wine, blobs 10k and 100k
    python benchmarks/run_benchmarks.py --quick    # digits and wine only, 2 seeds
"""

from __future__ import annotations

import argparse
import json
import logging
import platform
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))

from clustering.dataset import Dataset  # noqa: E402
from clustering.loaders import load_data  # noqa: E402
from clustering.metrics import cluster_metrics  # noqa: E402
from clustering.pipeline import RunConfig, run_pipeline  # noqa: E402

log = logging.getLogger("bench")
OURS = ("kmeans", "gmm", "hdbscan", "umap-kmeans", "umap-hdbscan")


def blobs(n: int) -> Dataset:
    """10 Gaussian blobs in 10-D with overlap (cluster_std=5.0: k-means ACC about 0.93)."""
    from sklearn.datasets import make_blobs

    X, y = make_blobs(n_samples=n, centers=10, n_features=10, cluster_std=5.0, random_state=42)
    X = X.astype(np.float32)
    cols = [f"f{i}" for i in range(10)]
    return Dataset(name=f"blobs{n // 1000}k", modality="embeddings",
                   ids=np.array([str(i) for i in range(n)], dtype=object),
                   table=pd.DataFrame(X, columns=cols), labels=y, embeddings=X,
                   source=f"blobs:{n}")


def measure(fn):
    """Run ``fn`` and return (result, wall seconds, peak traced MiB)."""
    tracemalloc.start()
    start = time.perf_counter()
    out = fn()
    wall = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return out, wall, peak


def peer_kmeans(X, k, seed):
    from sklearn.cluster import KMeans
    from sklearn.preprocessing import StandardScaler

    t = {}
    s = time.perf_counter()
    Z = StandardScaler().fit_transform(X)
    t["scale"] = time.perf_counter() - s
    s = time.perf_counter()
    labels = KMeans(k, n_init=10, random_state=seed).fit_predict(Z)
    t["cluster"] = time.perf_counter() - s
    return labels, t


def peer_umap_hdbscan(X, k, seed):
    import hdbscan
    import umap

    t = {}
    s = time.perf_counter()
    Z = umap.UMAP(n_components=5, n_neighbors=15, min_dist=0.0, random_state=seed).fit_transform(X)
    t["umap"] = time.perf_counter() - s
    s = time.perf_counter()
    labels = hdbscan.HDBSCAN(min_cluster_size=10).fit_predict(Z)
    t["cluster"] = time.perf_counter() - s
    return labels, t


def peer_umap_kmeans(X, k, seed, dims: int = 2, **umap_settings):
    """UMAP(``dims``) + KMeans(k); ``umap_settings`` go to UMAP (e.g. ``min_dist=0.0``)."""
    import umap
    from sklearn.cluster import KMeans

    t = {}
    s = time.perf_counter()
    Z = umap.UMAP(n_components=dims, random_state=seed, **umap_settings).fit_transform(X)
    t["umap"] = time.perf_counter() - s
    s = time.perf_counter()
    labels = KMeans(k, n_init=10, random_state=seed).fit_predict(Z)
    t["cluster"] = time.perf_counter() - s
    return labels, t


PEERS = {"peer:kmeans": peer_kmeans, "peer:umap5+hdbscan": peer_umap_hdbscan,
         "peer:umap2+kmeans": peer_umap_kmeans}


def bench_dataset(data: Dataset, seeds: list[int], methods: list[str]) -> list[dict]:
    """All pipelines on one data set, every seed; one record per (pipeline, seed)."""
    from clustering.features import featurize

    k = int(len(np.unique(data.labels)))
    X = featurize(data).X  # the same features our pipeline uses (scaled table, pixels, raw)
    records = []
    for seed in seeds:
        for name, fn in PEERS.items():
            (labels, stages), wall, peak = measure(lambda f=fn, s=seed: f(X, k, s))
            m = cluster_metrics(X, labels, data.labels, random_state=seed)
            records.append(_record(data, name, seed, m, stages, wall, peak))
            log.info("%s %s seed=%d acc=%.3f %.1fs", data.name, name, seed, m["acc"], wall)
        for method in methods:
            config = RunConfig(data=data.source, method=method, seed=seed,
                               clusters=None if "hdbscan" in method else k)
            result, wall, peak = measure(lambda c=config: run_pipeline(c, dataset=data))
            records.append(_record(data, f"clusterlab:{method}", seed, result.metrics,
                                   result.timings, wall, peak))
            log.info("%s %s seed=%d acc=%.3f %.1fs", data.name, method, seed,
                     result.metrics["acc"], wall)
    return records


def _record(data, pipeline, seed, metrics, stages, wall, peak) -> dict:
    return {"data": data.name, "n": data.n, "pipeline": pipeline, "seed": seed,
            "acc": metrics["acc"], "nmi": metrics["nmi"], "ari": metrics["ari"],
            "n_clusters": metrics["n_clusters"], "noise_share": metrics["noise_share"],
            "stages_s": {k: round(v, 3) for k, v in stages.items()}, "wall_s": round(wall, 3),
            "peak_mib": round(peak, 1)}


def _cluster_seconds(stages: dict) -> float:
    """Seconds spent getting labels: peers' whole pipeline, our neighbours + cluster."""
    if "map" not in stages:
        return sum(stages.values())
    return stages.get("neighbours", 0) + stages.get("cluster", 0)


def summarise(records: list[dict]) -> pd.DataFrame:
    """Mean ± std over seeds per (data, pipeline)."""
    rows = []
    frame = pd.DataFrame(records)
    for (data, pipe), grp in frame.groupby(["data", "pipeline"], sort=False):
        def ms(col, g=grp):
            vals = g[col].tolist()
            sd = statistics.stdev(vals) if len(vals) > 1 else 0.0
            return f"{statistics.mean(vals):.3f} ± {sd:.3f}"
        rows.append({"data": data, "n": int(grp["n"].iloc[0]), "pipeline": pipe,
                     "seeds": len(grp), "ACC": ms("acc"), "NMI": ms("nmi"), "ARI": ms("ari"),
                     "clusters": f"{grp['n_clusters'].median():.0f}",
                     "cluster s": f"{grp['stages_s'].map(_cluster_seconds).median():.2f}",
                     "map s": f"{grp['stages_s'].map(lambda s: s.get('map', 0)).median():.2f}",
                     "noise": f"{grp['noise_share'].mean():.1%}",
                     "wall s (median)": f"{grp['wall_s'].median():.2f}",
                     "peak MiB": f"{grp['peak_mib'].max():.0f}"})
    return pd.DataFrame(rows)


def markdown_table(frame: pd.DataFrame) -> str:
    """A GitHub markdown table of a small frame."""
    lines = ["| " + " | ".join(map(str, frame.columns)) + " |",
             "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(map(str, row)) + " |" for row in frame.itertuples(index=False)]
    return "\n".join(lines)


def update_readme(section: str, table_md: str, header: str) -> None:
    """Replace the text between ``<!-- section:start -->`` and ``<!-- section:end -->``."""
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8") if readme.exists() else ""
    start, end = f"<!-- {section}:start -->", f"<!-- {section}:end -->"
    block = f"{start}\n{header}\n\n{table_md}\n{end}"
    if start in text and end in text:
        text = text[:text.index(start)] + block + text[text.index(end) + len(end):]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    readme.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--sets", nargs="+", default=None,
                        help="any of digits wine blobs10k blobs100k")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    sets = args.sets or (["digits", "wine"] if args.quick else
                         ["digits", "wine", "blobs10k", "blobs100k"])
    # warm numba up once so the first pipeline does not pay the JIT for everybody
    run_pipeline(RunConfig(data="demo:iris", method="umap-hdbscan"))
    warm = blobs(6000)
    peer_umap_hdbscan(warm.embeddings, 10, 0)
    run_pipeline(RunConfig(data=warm.source, method="umap-hdbscan"), dataset=warm)
    records = []
    for name in sets:
        data = {"digits": lambda: load_data("demo:digits"), "wine": lambda: load_data("demo:wine"),
                "blobs10k": lambda: blobs(10_000), "blobs100k": lambda: blobs(100_000)}[name]()
        seeds = [0, 1] if args.quick else ([0] if data.n > 50_000 else [0, 1, 2])
        records += bench_dataset(data, seeds, list(OURS))
    results = ROOT / "results"
    results.mkdir(exist_ok=True)
    env = {"python": platform.python_version(), "machine": platform.machine(),
           "cpus": __import__("os").cpu_count(), "date": time.strftime("%Y-%m-%d")}
    tag = "quick" if args.quick else "core"
    (results / f"{tag}.json").write_text(json.dumps({"env": env, "records": records}, indent=1))
    table = summarise(records)
    md = markdown_table(table)
    (results / f"{tag}.md").write_text(md + "\n")
    if not args.quick:
        update_readme("core", md, f"Measured {env['date']} on {env['cpus']} CPU cores, Python "
                      f"{env['python']}; `python benchmarks/run_benchmarks.py`.")
    print(md)


if __name__ == "__main__":
    main()
