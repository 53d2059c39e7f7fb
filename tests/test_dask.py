"""Past one machine (#15): fit on an id-hash sample, assign every chunk on Dask workers.

Everything runs on a real ``LocalCluster(n_workers=2, threads_per_worker=1)`` of worker
processes; nothing is mocked.
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_blobs

from clustering.chunks import plan_chunks
from clustering.errors import Cancelled
from clustering.pipeline import RunConfig
from workspace.bare_main import bare_main_module
from workspace.cli import main
from workspace.engines import EngineSettings, open_engine
from workspace.fingerprint import partition_fingerprint, run_key
from workspace.partitioned import ensure_partitioned_run, work_dir
from workspace.store import Store

pytestmark = pytest.mark.slow


def write_parts(folder: Path, rows: int, files: int, seed: int = 0, group: int = 250,
                centers: int = 4) -> pd.DataFrame:
    """Blobs with an id and a truth column, split into ``files`` Parquet files."""
    X, y = make_blobs(rows, centers=centers, n_features=6, cluster_std=1.5, random_state=seed)
    frame = pd.DataFrame(X, columns=[f"f{j}" for j in range(X.shape[1])])
    frame.insert(0, "doc_id", [f"doc{i:06d}" for i in range(rows)])
    frame["truth"] = y
    folder.mkdir(parents=True, exist_ok=True)
    for i, part in enumerate(np.array_split(np.arange(rows), files)):
        frame.iloc[part].to_parquet(folder / f"part{i:03d}.parquet", index=False,
                                    row_group_size=group)
    return frame


@pytest.fixture(scope="module")
def cluster():
    """A LocalCluster the runs connect to. No client is kept open beside the run's own: two
    clients in one process break ``Future.result`` when a worker is lost."""
    from distributed import LocalCluster

    with bare_main_module():  # after an AppTest, __main__ is the app script
        lc = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                          dashboard_address=None)
    with lc:
        yield lc


@pytest.fixture(scope="module")
def blobs(tmp_path_factory):
    root = tmp_path_factory.mktemp("blobs")
    frame = write_parts(root / "three", 3000, 3)
    write_parts(root / "seven", 3000, 7)
    return root, frame


def config(data: Path, method: str = "kmeans", **kw) -> RunConfig:
    return RunConfig(data=str(data), method=method, clusters=4, id_column="doc_id",
                     label_column="truth", sample=kw.pop("sample", 1000), **kw)


def dask(lc, chunk_rows=250) -> EngineSettings:
    return EngineSettings("dask", scheduler=lc.scheduler_address, chunk_rows=chunk_rows)


def result(run) -> pd.DataFrame:
    return pd.read_parquet(run.path / "assignments.parquet")


def sample_ids(run) -> list[str]:
    return pd.read_parquet(run.path / "sample-run" / "sample.parquet")["_clusterlab_id"].tolist()


@pytest.mark.parametrize("method,options", [("kmeans", {}), ("gmm", {}), ("hdbscan", {}),
                                            ("umap-hdbscan", {}),
                                            ("sela", {"epochs": 5})])
def test_dask_equals_local(method, options, blobs, cluster, tmp_path):
    root, frame = blobs
    cfg = config(root / "three", method, options=options)
    local = ensure_partitioned_run(cfg, Store(tmp_path / "a"), EngineSettings(chunk_rows=250))
    remote = ensure_partitioned_run(cfg, Store(tmp_path / "b"), dask(cluster))
    assert local.key == remote.key
    assert sample_ids(local) == sample_ids(remote) and len(sample_ids(local)) == 1000
    a, b = result(local), result(remote)
    assert a["id"].tolist() == frame["doc_id"].tolist() == b["id"].tolist()
    assert (a["cluster"] == b["cluster"]).all()
    cols = ["x", "y", "confidence"]
    assert np.abs(a[cols].to_numpy() - b[cols].to_numpy()).max() <= 1e-5
    assert remote.run_json["partitioned"]["engine"] == "dask"
    assert local.run_json["partitioned"]["chunks"] == 12
    if method != "hdbscan":
        assert remote.run_json["metrics"]["acc"] > 0.9


def test_partitioning_does_not_matter(blobs, cluster, tmp_path):
    root, _ = blobs
    three = ensure_partitioned_run(config(root / "three"), Store(tmp_path / "a"),
                                   dask(cluster, chunk_rows=500))
    seven = ensure_partitioned_run(config(root / "seven"), Store(tmp_path / "b"),
                                   dask(cluster, chunk_rows=100))
    assert three.run_json["partitioned"]["chunks"] != seven.run_json["partitioned"]["chunks"]
    assert sample_ids(three) == sample_ids(seven)
    a, b = result(three), result(seven)
    assert (a["id"] == b["id"]).all() and (a["cluster"] == b["cluster"]).all()
    assert np.abs(a[["x", "y", "confidence"]].to_numpy() -
                  b[["x", "y", "confidence"]].to_numpy()).max() <= 1e-5


def test_chunks_ran_in_parallel_within_a_memory_bound(blobs, cluster, tmp_path):
    root, _ = blobs
    run = ensure_partitioned_run(config(root / "seven"), Store(tmp_path / "s"),
                                 dask(cluster, chunk_rows=100))
    receipts = [json.loads(p.read_text()) for p in sorted((run.path / "receipts").glob("*"))]
    assert len(receipts) == run.run_json["partitioned"]["chunks"]
    assert len({r["pid"] for r in receipts}) == 2 and os.getpid() not in {
        r["pid"] for r in receipts}
    overlapping = any(a["pid"] != b["pid"] and a["start"] < b["end"] and b["start"] < a["end"]
                      for a in receipts for b in receipts)
    assert overlapping
    assert max(r["peak_rss_mb"] for r in receipts) < 1000  # MiB; ~550 measured


def test_close_to_the_all_rows_path(tmp_path, cluster):
    from sklearn.manifold import trustworthiness
    from sklearn.metrics import adjusted_rand_score

    from workspace.runs import ensure_run

    frame = write_parts(tmp_path / "big", 20_000, 4, seed=3, group=2500, centers=6)
    store = Store(tmp_path / "s")
    parted = ensure_partitioned_run(
        RunConfig(data=str(tmp_path / "big"), method="kmeans", clusters=6, id_column="doc_id",
                  label_column="truth", sample=4000), store, dask(cluster, 2500))
    frame.to_parquet(tmp_path / "all.parquet", index=False)
    whole = ensure_run(RunConfig(data=str(tmp_path / "all.parquet"), method="kmeans",
                                 clusters=6, id_column="doc_id", label_column="truth"), store)
    a, b = result(parted), pd.read_parquet(whole.path / "assignments.parquet")
    assert adjusted_rand_score(a["cluster"], b["cluster"]) >= 0.95
    assert parted.run_json["map_fit"]["map_r2_held_out"] >= 0.95
    X = frame[[f"f{j}" for j in range(6)]].to_numpy()
    X = (X - X.mean(0)) / X.std(0)
    probe = np.random.default_rng(0).choice(len(X), 2000, replace=False)
    t_part = trustworthiness(X[probe], a[["x", "y"]].to_numpy()[probe], n_neighbors=15)
    t_full = trustworthiness(X[probe], b[["x", "y"]].to_numpy()[probe], n_neighbors=15)
    assert t_part >= t_full - 0.02, (t_part, t_full)


def test_a_local_cluster_starts_when_main_is_the_app_script(tmp_path, monkeypatch):
    """Under Streamlit ``__main__`` is the app script; the LocalCluster's spawned workers
    must not run it again (they did, and failed to start, after an AppTest)."""
    import types

    script = tmp_path / "app_like.py"
    script.write_text("raise SystemExit('the app script ran in a worker process')\n")
    app_main = types.ModuleType("__main__")
    app_main.__file__ = str(script)
    monkeypatch.setitem(sys.modules, "__main__", app_main)
    engine = open_engine(EngineSettings("dask", workers=2))
    try:
        assert len(engine.client.scheduler_info()["workers"]) == 2
    finally:
        engine.close()
    assert sys.modules["__main__"] is app_main


def _watch_receipts(folder: Path, action, stop: threading.Event) -> None:
    while not stop.is_set():
        if folder.exists() and any(folder.glob("part-*.json")):
            action()
            return
        time.sleep(0.01)


def test_a_killed_worker_changes_nothing(blobs, tmp_path):
    """SIGKILL one worker process mid-job: the scheduler reruns its task elsewhere, every
    chunk is written exactly once, no temporary part is left, output equals local."""
    from distributed import Client, LocalCluster

    root, frame = blobs
    cfg = config(root / "seven")
    local = ensure_partitioned_run(cfg, Store(tmp_path / "a"), EngineSettings(chunk_rows=100))
    store = Store(tmp_path / "b")
    killed = []
    with bare_main_module():
        lc = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                          dashboard_address=None)
    with lc:
        with Client(lc) as client:  # the run connects with its own client
            pids = list(client.run(os.getpid).values())
        key = local.key
        stop = threading.Event()

        def kill():
            os.kill(pids[0], signal.SIGKILL)
            killed.append(len(list((work_dir(store, key) / "receipts").glob("part-*"))))

        watcher = threading.Thread(target=_watch_receipts, args=(
            work_dir(store, key) / "receipts", kill, stop), daemon=True)
        watcher.start()
        run = ensure_partitioned_run(cfg, store, EngineSettings(
            "dask", scheduler=lc.scheduler_address, chunk_rows=100))
        stop.set()
    assert killed and killed[0] < run.run_json["partitioned"]["chunks"]
    parts = sorted((run.path / "assignments.parquet").iterdir())
    assert [p.name for p in parts] == [f"part-{i:05d}.parquet" for i in range(len(parts))]
    assert len(list((run.path / "receipts").iterdir())) == len(parts)
    a, b = result(local), result(run)
    assert b["id"].tolist() == frame["doc_id"].tolist()
    assert (a["cluster"] == b["cluster"]).all()
    assert np.abs(a[["x", "y"]].to_numpy() - b[["x", "y"]].to_numpy()).max() <= 1e-5


def test_cancel_leaves_no_task_and_keeps_finished_parts(blobs, cluster, tmp_path):
    root, _ = blobs
    store = Store(tmp_path / "s")
    cfg = config(root / "seven")
    key = run_key(cfg.to_dict(), partition_fingerprint(plan_chunks(cfg.data, 100)))
    folder = work_dir(store, key) / "receipts"

    def should_stop():
        return folder.exists() and any(folder.glob("part-*"))

    with pytest.raises(Cancelled):
        ensure_partitioned_run(cfg, store, dask(cluster, chunk_rows=100), should_stop=should_stop)
    from distributed import Client

    deadline = time.time() + 10
    left = None
    with Client(cluster.scheduler_address) as client:  # the run's own client is closed
        while time.time() < deadline:
            left = client.run_on_scheduler(lambda dask_scheduler: [
                str(k) for k in dask_scheduler.tasks if "clusterlab-assign" in str(k)])
            if not left:
                break
            time.sleep(0.2)
    assert left == []
    work = work_dir(store, key)
    kept = sorted(work.glob("receipts/part-*.json"))
    assert kept and all((work / "assignments.parquet" / f"{p.stem}.parquet").exists()
                        for p in kept)
    assert store.get_run(key) is None
    run = ensure_partitioned_run(cfg, store, dask(cluster, chunk_rows=100))
    assert run.run_json["partitioned"]["chunks_reused"] >= len(kept)


def test_a_killed_client_resumes_with_the_missing_chunks_only(blobs, tmp_path):
    root, frame = blobs
    home = tmp_path / "home"
    args = [sys.executable, "-m", "workspace.cli", "--store", str(home), "run", "--data",
            str(root / "seven"), "--id-column", "doc_id", "--method", "kmeans", "--clusters",
            "4", "--sample", "1000", "--chunk-rows", "100", "--engine", "dask", "--workers", "2",
            "--out", str(tmp_path / "out")]
    proc = subprocess.Popen(args, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        # generous: a loaded 2-core machine starts the client and two workers slowly, and
        # the deadline only bounds how long a broken run is waited for
        deadline = time.time() + 600
        found = []
        while time.time() < deadline and proc.poll() is None:
            found = list((home / "partial").glob("run-*/receipts/part-*.json")) \
                if (home / "partial").exists() else []
            if found:
                break
            time.sleep(0.01)
        assert found, "no chunk finished before the deadline"
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    # whole receipts only: a task killed while writing leaves its hidden ".part-*.tmp",
    # which the resumed run removes (the run's own tidying, not a receipt)
    receipts = {p.name: p.read_text()
                for p in (home / "partial").glob("run-*/receipts/part-*.json")}
    assert 0 < len(receipts) < 12
    code = main(["--store", str(home), "run", "--data", str(root / "seven"), "--id-column",
                 "doc_id", "--method", "kmeans", "--clusters", "4", "--sample", "1000",
                 "--chunk-rows", "100", "--out", str(tmp_path / "out")])
    assert code == 0
    run_json = json.loads((tmp_path / "out" / "run.json").read_text())
    assert run_json["partitioned"]["chunks_reused"] == len(receipts)
    key = run_json["key"]
    for name, text in receipts.items():  # finished chunks were not redone
        assert (home / "runs" / key / "receipts" / name).read_text() == text
    out = pd.read_parquet(tmp_path / "out" / "assignments.parquet")
    assert out["id"].tolist() == frame["doc_id"].tolist()
    # the run's frozen assigner also serves `clusterlab predict`
    frame.iloc[:40].to_parquet(tmp_path / "new.parquet", index=False)
    assert main(["--store", str(home), "predict", "--run", str(tmp_path / "out"), "--data",
                 str(tmp_path / "new.parquet"), "--id-column", "doc_id", "--out",
                 str(tmp_path / "pred.parquet")]) == 0
    pred = pd.read_parquet(tmp_path / "pred.parquet")
    assert (pred["cluster"].to_numpy() == out["cluster"].to_numpy()[:40]).all()
    assert np.abs(pred[["x", "y"]].to_numpy() - out[["x", "y"]].to_numpy()[:40]).max() < 1e-4


def test_client_memory_does_not_grow_with_rows(cluster, tmp_path):
    peaks = []
    for rows in (4000, 16000):
        folder = tmp_path / f"r{rows}"
        write_parts(folder, rows, 4, group=1000)
        tracemalloc.start()
        ensure_partitioned_run(RunConfig(data=str(folder), method="kmeans", clusters=4,
                                         id_column="doc_id", sample=1000),
                               Store(tmp_path / f"s{rows}"), dask(cluster, 1000))
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    assert peaks[1] < 1.3 * peaks[0], peaks


def test_unreachable_scheduler_and_missing_dask_are_one_sentence(blobs, tmp_path, capsys,
                                                                 monkeypatch):
    root, _ = blobs
    start = time.monotonic()
    code = main(["--store", str(tmp_path / "s"), "run", "--data", str(root / "three"),
                 "--method", "kmeans", "--clusters", "4", "--engine", "dask", "--scheduler",
                 "tcp://127.0.0.1:9", "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2 and time.monotonic() - start < 15
    assert "Cannot reach the Dask scheduler at tcp://127.0.0.1:9" in err
    assert "Traceback" not in err and not (tmp_path / "o").exists()
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if it were not installed
    code = main(["--store", str(tmp_path / "s"), "run", "--data", str(root / "three"),
                 "--method", "kmeans", "--clusters", "4", "--engine", "dask",
                 "--out", str(tmp_path / "o")])
    assert code == 2 and "pip install 'clusterlab[dask]'" in capsys.readouterr().err


def test_the_app_queues_a_sampled_run_and_shows_its_figures(blobs, isolated_store):
    """Explore draws a partitioned run (through its view); Cluster page: "Test connection"
    to a dead scheduler is one sentence; a sampled run is queued with its engine (not part
    of the key) and finishes in the background worker."""
    from helpers import no_errors, shown, start_app
    from workspace import jobs

    root, frame = blobs
    store = Store(isolated_store)
    pid = store.create_project("parts", str(root / "three"), who="test",
                               settings={"id_column": "doc_id", "label_column": "truth"})
    ensure_partitioned_run(config(root / "three"), store, EngineSettings(chunk_rows=500),
                           project_id=pid)
    at = start_app()
    no_errors(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Points"] == "3,000" and float(metrics["ACC vs truth"]) > 0.9
    assert (Path(store.runs(pid)[0]["path"]) / "view" / "run.json").exists()
    at.switch_page("app_pages/cluster.py").run()
    at.number_input(key="scale_sample").set_value(1500)
    at.radio(key="scale_engine").set_value("dask").run()
    at.text_input(key="scale_scheduler").input("tcp://127.0.0.1:9").run()
    at.button(key="scale_test").click().run()
    assert any("Cannot reach the Dask scheduler" in shown(e.value) for e in at.error)
    at.radio(key="scale_engine").set_value("local").run()
    at.selectbox(key="method").set_value("kmeans")
    at.number_input(key="k").set_value(4)
    at.button(key="run").click().run()
    no_errors(at)
    job = jobs.get(store, at.session_state["waiting_job"])
    assert job["config"]["sample"] == 1500 and job["config"]["engine"]["engine"] == "local"
    done = jobs.wait(store, job["id"], timeout=300)
    assert done["state"] == "done", done
    run = store.get_run(done["result"])
    assert json.loads((Path(run["path"]) / "run.json").read_text())["partitioned"][
        "sample_rows"] == 1500


def test_the_view_is_a_uniform_sample_beyond_the_map_limit(blobs, tmp_path, monkeypatch):
    """Above VIEW_ROWS the app's view holds about that many rows drawn by id hash (class
    shares as in the whole run); the whole run's counts stay in its run.json."""
    from workspace import partitioned
    from workspace.partitioned_view import ensure_view

    monkeypatch.setattr(partitioned, "VIEW_ROWS", 1000)
    root, frame = blobs
    run = ensure_partitioned_run(config(root / "seven", sample=500), Store(tmp_path / "s"),
                                 EngineSettings(chunk_rows=250))
    view = ensure_view(run.path)
    shown = pd.read_parquet(view / "assignments.parquet")
    assert 850 <= len(shown) <= 1150
    whole = result(run).set_index("id")
    assert (whole.loc[shown["id"], "cluster"].to_numpy() == shown["cluster"].to_numpy()).all()
    truth = frame.set_index("doc_id").loc[shown["id"], "truth"]
    assert (truth.value_counts(normalize=True) - 0.25).abs().max() < 0.05
    rj = json.loads((view / "run.json").read_text())
    assert rj["data"]["rows"] == len(shown) and rj["data"]["whole_rows"] == 3000
    assert np.load(view / "features.npy").shape == (len(shown), 6)
    assert run.run_json["metrics"]["rows"] == 3000


def test_npy_text_and_image_inputs_run_in_chunks(tmp_path, monkeypatch):
    """A .npy memory-map, a Parquet table of texts (text column picked automatically) and an
    image folder (folder names are the ground truth) are planned, sampled and assigned."""
    from PIL import Image

    monkeypatch.setenv("CLUSTERLAB_TEST_EMBEDDER", "hashing")
    X, _ = make_blobs(900, centers=3, n_features=8, random_state=0)
    np.save(tmp_path / "emb.npy", X.astype(np.float32))
    words = {"space": "rocket orbit comet telescope planet moon",
             "food": "bread oven flour recipe butter cheese"}
    rng = np.random.default_rng(0)
    topics = [list(words)[i % 2] for i in range(400)]
    texts = [" ".join(rng.choice(words[t].split(), 6)) + " in a longer sentence" for t in topics]
    (tmp_path / "texts").mkdir()
    pd.DataFrame({"body": texts, "topic": topics}).to_parquet(tmp_path / "texts" / "a.parquet")
    for name, level in (("dark", 40), ("bright", 210)):
        (tmp_path / "imgs" / name).mkdir(parents=True)
        for i in range(60):
            pixels = np.clip(level + rng.normal(0, 15, (12, 12)), 0, 255).astype(np.uint8)
            Image.fromarray(pixels).save(tmp_path / "imgs" / name / f"{i}.png")
    store = Store(tmp_path / "s")
    cases = [("emb.npy", {}, 900), ("texts", {"label_column": "topic"}, 400), ("imgs", {}, 120)]
    for data, extra, rows in cases:
        run = ensure_partitioned_run(
            RunConfig(data=str(tmp_path / data), method="kmeans", clusters=3 if data ==
                      "emb.npy" else 2, sample=200, **extra), store,
            EngineSettings(chunk_rows=50))
        out = result(run)
        assert len(out) == rows and out["id"].is_unique, data
        if data != "emb.npy":
            assert run.run_json["metrics"]["acc"] > 0.9, data
    assert out["id"].iloc[0] == "bright/0.png"
    # the app's view of the image run is an image folder (hard links) loading in run order
    from clustering.loaders import load_data
    from workspace.partitioned_view import ensure_view

    view = ensure_view(run.path)
    data = load_data(json.loads((view / "run.json").read_text())["config"]["data"])
    assert list(data.ids) == out["id"].tolist() and data.labels is not None
    assert np.load(view / "features.npy").shape == (120, 144)


def _cells_in_chunks(tmp_path, seed: int, per_kind: int, rings: bool):
    """Dim and bright 16-bit cells of one shape, each with a gain (and, with ``rings``, 8-bit
    images of rings beside them), run with k-means in chunks of 60 from a sample of 100."""
    from PIL import Image

    rng = np.random.default_rng(seed)
    cell = np.zeros((12, 12))
    cell[3:9, 3:9] = 1.0
    yy, xx = np.mgrid[:12, :12]
    ring = (abs(np.hypot(yy - 5.5, xx - 5.5) - 4) < 1.2).astype(float)
    kinds = (("dim", cell, 600, 4095), ("bright", cell, 3000, 4095)) + (
        (("rings", ring, 200, 255),) if rings else ())
    for name, shape, level, top in kinds:
        (tmp_path / "cells" / name).mkdir(parents=True)
        for i in range(per_kind):
            pixels = np.clip((shape + 0.1) * level * rng.normal(1.0, 0.05, (12, 12)), 0, top)
            Image.fromarray(pixels.astype(np.uint16 if top > 255 else np.uint8)).save(
                tmp_path / "cells" / name / f"{i}.{'tif' if top > 255 else 'png'}")
    return ensure_partitioned_run(
        RunConfig(data=str(tmp_path / "cells"), method="kmeans", clusters=len(kinds),
                  sample=100), Store(tmp_path / "s"), EngineSettings(chunk_rows=60))


def test_16_bit_images_in_chunks_keep_their_brightness_as_the_sample_read_it(tmp_path):
    """Dim and bright 16-bit micrographs of one shape: each chunk used to stretch each image
    by itself, so they came out alike; now every chunk reads them over the sample's range."""
    run = _cells_in_chunks(tmp_path, 1, 150, rings=False)
    assert len(result(run)) == 300
    assert run.run_json["metrics"]["acc"] == 1.0  # 0.51 with each image over its own range
    low, high = run.run_json["data"]["pixel_range"]
    assert low < 100 and 2500 < high < 4096


def test_16_bit_images_beside_8_bit_ones_in_chunks_keep_their_brightness(tmp_path):
    """The same dim and bright 16-bit cells beside 8-bit images of rings: the sample has no
    one range (8-bit images are kept as they are), so chunks used to stretch each 16-bit
    image by itself; now they read them over the sample's range for 16-bit images."""
    run = _cells_in_chunks(tmp_path, 2, 100, rings=True)
    assert len(result(run)) == 300
    assert "pixel_range" not in run.run_json["data"]  # no one range for the whole sample
    assert run.run_json["metrics"]["acc"] == 1.0  # 0.667 with each image over its own
