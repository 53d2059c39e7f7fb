"""Past one machine: the sample fit, then assignment of every row on 1 and 2 Dask workers.

2,000,000 rows x 64 float32 features (50 Gaussian blobs) in 40 Parquet files, k-means with
k = 50 and the distilled map. First one whole ``--engine dask`` run (2 workers) gives the
sample fit's time (the pipeline on ``--sample`` rows plus freezing the assigner); then the
assignment alone is repeated on a fresh LocalCluster of 1 and of 2 worker processes
(``threads_per_worker=1``) with the same frozen assigner. Reported: rows/s, CPU-seconds per
million rows (sum of the tasks' own times), parallel efficiency, each task's peak memory and
the load average before and after (the machine is shared: a speed-up only counts when it
was idle). Usage: ``python benchmarks/scale_dask.py [--rows 2000000] [--sample 200000]``;
writes ``results/scale_dask.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results"


def write_data(folder: Path, rows: int, files: int, dims: int = 64, k: int = 50) -> None:
    """Blobs in ``files`` Parquet files (written once; reused when the folder is complete)."""
    import pandas as pd

    if folder.exists() and len(list(folder.glob("*.parquet"))) == files:
        return
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    centres = rng.normal(0, 6, size=(k, dims)).astype(np.float32)
    per = rows // files
    for i in range(files):
        truth = rng.integers(0, k, per)
        X = centres[truth] + rng.normal(0, 1.5, size=(per, dims)).astype(np.float32)
        frame = pd.DataFrame(X, columns=[f"f{j}" for j in range(dims)])
        frame.insert(0, "row_id", [f"r{i * per + j:08d}" for j in range(per)])
        frame["truth"] = truth
        frame.to_parquet(folder / f"part-{i:03d}.parquet", index=False, row_group_size=per)


def assign_only(run_path: Path, workers: int) -> dict:
    """Assign every chunk again with the run's frozen assigner on ``workers`` processes."""
    from distributed import Client, LocalCluster

    from clustering.chunks import Chunk
    from workspace.chunk_tasks import ASSIGNER, PARTS, RECEIPTS, assign_chunk
    from workspace.engines import DaskEngine

    plan = json.loads((run_path / "bench-plan.json").read_text())
    work = Path(tempfile.mkdtemp(prefix="scale-"))
    shutil.copytree(run_path / ASSIGNER, work / ASSIGNER)
    (work / PARTS).mkdir()
    (work / RECEIPTS).mkdir()
    spec = json.loads((run_path / "spec.json").read_text())
    chunks = [Chunk.from_dict(c) for c in plan["chunks"]]
    load_before = os.getloadavg()
    receipts = {}
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      dashboard_address=None) as lc, Client(lc) as client:
        client.run(lambda: __import__("torch"))  # imports are not part of the timing
        engine = DaskEngine(client)
        start = time.perf_counter()
        engine.map(assign_chunk, [(c.to_dict(), str(work), spec) for c in chunks],
                   lambda i, r: receipts.__setitem__(i, r), lambda: False, f"bench-{workers}")
        wall = time.perf_counter() - start
    rows = sum(r["rows"] for r in receipts.values())
    busy = sum(r["seconds"] for r in receipts.values())
    shutil.rmtree(work, ignore_errors=True)
    return {"workers": workers, "rows": rows, "wall_s": round(wall, 2),
            "rows_per_s": round(rows / wall), "cpu_s_per_million": round(busy / rows * 1e6, 2),
            "peak_rss_mb_per_task": max(r["peak_rss_mb"] for r in receipts.values()),
            "worker_pids": len({r["pid"] for r in receipts.values()}),
            "load_before": [round(x, 2) for x in load_before],
            "load_after": [round(x, 2) for x in os.getloadavg()]}


def main() -> None:
    """Write the data, run once, then time the assignment on 1 and 2 workers."""
    from clustering.pipeline import RunConfig
    from workspace.engines import EngineSettings
    from workspace.partitioned import ensure_partitioned_run
    from workspace.store import Store

    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--files", type=int, default=40)
    parser.add_argument("--sample", type=int, default=200_000)
    parser.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "scale-2m")
    args = parser.parse_args()
    t = time.perf_counter()
    data = args.data.with_name(f"{args.data.name}-{args.rows}")
    write_data(data, args.rows, args.files)
    print(f"data ready in {time.perf_counter() - t:.0f} s: {data}")
    store = Store(Path(tempfile.mkdtemp(prefix="scale-store-")))
    config = RunConfig(data=str(data), method="kmeans", clusters=50, id_column="row_id",
                       label_column="truth", sample=args.sample)
    load_before = os.getloadavg()
    run = ensure_partitioned_run(config, store, EngineSettings(
        "dask", workers=2, chunk_rows=args.rows // args.files))
    rj = run.run_json
    from clustering.chunks import plan_chunks

    (run.path / "bench-plan.json").write_text(json.dumps({
        "chunks": [c.to_dict() for c in plan_chunks(str(data), args.rows // args.files)]}))
    whole = {"timings": rj["timings"], "metrics": rj["metrics"], "map_fit": rj["map_fit"],
             "partitioned": rj["partitioned"], "load_before": load_before,
             "load_after": os.getloadavg()}
    print(json.dumps(whole, indent=1))
    assign = [assign_only(run.path, w) for w in (1, 2)]
    for a in assign:
        print(json.dumps(a))
    one, two = assign
    out = {"rows": args.rows, "dims": 64, "files": args.files, "k": 50, "sample": args.sample,
           "cpus": os.cpu_count(), "whole_run": whole, "assign": assign,
           "speedup_2_workers": round(one["wall_s"] / two["wall_s"], 2),
           "parallel_efficiency": round(one["wall_s"] / two["wall_s"] / 2, 2)}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "scale_dask.json").write_text(json.dumps(out, indent=1))
    print(json.dumps({k: out[k] for k in ("speedup_2_workers", "parallel_efficiency")}))
    shutil.rmtree(store.root, ignore_errors=True)


if __name__ == "__main__":
    main()
