"""The clusterlab command line on demo:digits, reuse, exports, and bad input."""

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workspace.cli import main


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    out = tmp_path_factory.mktemp("runs") / "digits"
    old = os.environ.get("CLUSTERLAB_HOME")
    os.environ["CLUSTERLAB_HOME"] = str(home)
    try:
        code = main(["run", "--data", "demo:digits", "--method", "kmeans", "--clusters", "10",
                     "--out", str(out)])
    finally:
        if old is not None:
            os.environ["CLUSTERLAB_HOME"] = old
    assert code == 0
    return home, out


@pytest.mark.slow
def test_digits_kmeans_quality_and_contract(digits_run):
    _, out = digits_run
    frame = pd.read_parquet(out / "assignments.parquet")
    assert list(frame.columns) == ["id", "cluster", "confidence", "x", "y"]
    assert len(frame) == 1797 and frame["id"].tolist()[:3] == ["0", "1", "2"]
    assert frame["confidence"].between(0, 1).all() and frame["cluster"].nunique() == 10
    run = json.loads((out / "run.json").read_text())
    assert run["metrics"]["acc"] >= 0.75
    assert {"nmi", "ari", "ece"} <= set(run["metrics"]) and run["seed"] == 0
    assert 0 <= run["metrics"]["ece"] <= 1
    assert {"load", "features", "cluster", "map", "total"} <= set(run["timings"])
    assert run["versions"]["numpy"] and run["config"]["method"] == "kmeans"
    # UMAP's layouts differ between machines and numba builds: run.json names both
    assert run["versions"]["numba"] and run["versions"]["llvmlite"]
    assert run["versions"]["machine"].startswith(platform.machine())


@pytest.mark.slow
def test_same_request_is_reused(digits_run, tmp_path, monkeypatch, capsys):
    home, out = digits_run
    monkeypatch.setenv("CLUSTERLAB_HOME", str(home))
    assert main(["run", "--data", "demo:digits", "--method", "kmeans", "--clusters", "10",
                 "--out", str(tmp_path / "again")]) == 0
    assert "(reused)" in capsys.readouterr().out
    assert (tmp_path / "again" / "run.json").read_text() == (out / "run.json").read_text()


@pytest.mark.slow
def test_export_from_cli(digits_run, tmp_path, monkeypatch, capsys):
    home, out = digits_run
    monkeypatch.setenv("CLUSTERLAB_HOME", str(home))
    ids = tmp_path / "ids.txt"
    ids.write_text("5\n6\n7\n")
    assert main(["export", "--run", str(out), "--format", "csv", "--ids", str(ids),
                 "--out", str(tmp_path / "e.csv")]) == 0
    assert pd.read_csv(tmp_path / "e.csv")["id"].tolist() == [5, 6, 7]
    assert main(["export", "--run", str(out), "--format", "jsonl", "--clusters", "99",
                 "--out", str(tmp_path / "bad.jsonl")]) == 2
    assert "no cluster 99" in capsys.readouterr().err


def test_a_partly_labelled_column_is_measured_on_its_labelled_rows(tmp_path, isolated_store,
                                                                   capsys):
    """Experts label some rows, not all; a label column with empty cells was refused ("fill
    them or drop the label column"). Now the run goes on, ACC/NMI/ARI are measured on the
    labelled rows (and say so), and an export leaves the truth of the others empty."""
    rng = np.random.default_rng(0)
    centres = np.array([[0, 0], [6, 0], [0, 6]])
    group = np.repeat([1, 2, 3], 40)
    frame = pd.DataFrame(centres[group - 1] + rng.normal(0, 0.6, (120, 2)), columns=["a", "b"])
    frame["group"] = pd.array(group, dtype="Int64")
    frame.loc[frame.index % 4 == 0, "group"] = pd.NA  # a quarter of the rows unlabelled
    frame.to_csv(tmp_path / "some.csv", index=False)
    out = tmp_path / "out"
    assert main(["run", "--data", str(tmp_path / "some.csv"), "--label-column", "group",
                 "--method", "kmeans", "--clusters", "3", "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert "metrics: acc=1.000" in said and "(ACC, NMI, ARI on the 90 labelled rows)" in said
    assert "Label column 'group' is empty in 30 of 120 rows" in said
    metrics = json.loads((out / "run.json").read_text())["metrics"]
    assert metrics["labelled"] == 90 and metrics["acc"] == 1.0 and metrics["ari"] == 1.0
    assert main(["export", "--run", str(out), "--format", "csv",
                 "--out", str(tmp_path / "e.csv")]) == 0
    truth = pd.read_csv(tmp_path / "e.csv")["truth_group"]
    assert truth.isna().sum() == 30 and set(truth.dropna()) == {1, 2, 3}
    frame["group"] = pd.NA
    frame.to_csv(tmp_path / "none.csv", index=False)
    assert main(["run", "--data", str(tmp_path / "none.csv"), "--label-column", "group",
                 "--out", str(tmp_path / "o2")]) == 2
    assert "label column 'group' is empty in every row" in capsys.readouterr().err


def test_methods_lists_every_method(capsys):
    assert main(["methods"]) == 0
    listed = capsys.readouterr().out
    for name in ("kmeans", "gmm", "hdbscan", "umap-hdbscan", "umap-kmeans"):
        assert name in listed
    assert "options: text_view=False" in listed  # auto's one setting


@pytest.mark.slow
def test_console_script_exit_code_for_missing_file(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "workspace.cli", "run", "--data",
                           str(tmp_path / "nope.csv"), "--out", str(tmp_path / "o")],
                          capture_output=True, text=True, env={**os.environ})
    assert proc.returncode == 2
    assert "does not exist" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "o").exists()


@pytest.mark.slow
@pytest.mark.parametrize("demo", ["iris", "wine"])
def test_table_demos_with_hdbscan_and_gmm(demo, tmp_path):
    for method in ("gmm", "umap-hdbscan"):
        out = tmp_path / method
        assert main(["run", "--data", f"demo:{demo}", "--method", method, "--out", str(out)]) == 0
        run = json.loads((out / "run.json").read_text())
        assert run["metrics"]["ari"] > 0.3 and "k_selection" in run["fit_info"]


@pytest.mark.slow
def test_predict_assigns_new_rows_like_the_run(blobs_csv, tmp_path, capsys):
    """A deep run on a scaled table; new rows are scaled with the run's statistics, so rows
    the run saw come back in the same cluster with the same (calibrated) confidence, and
    the CSV keeps formula-like ids harmless."""
    out = tmp_path / "run"
    assert main(["run", "--data", str(blobs_csv), "--id-column", "item", "--label-column",
                 "group", "--method", "sela", "--clusters", "4", "--epochs", "10",
                 "--out", str(out)]) == 0
    run = pd.read_parquet(out / "assignments.parquet").set_index("id")
    new = pd.read_csv(blobs_csv).iloc[:50].drop(columns=["group"])
    new = new[list(reversed(new.columns))]  # column order does not matter, names do
    new.loc[0, "item"] = "=HYPERLINK(1)"
    new.to_csv(tmp_path / "new.csv", index=False)
    capsys.readouterr()
    assert main(["predict", "--run", str(out), "--data", str(tmp_path / "new.csv"),
                 "--id-column", "item", "--out", str(tmp_path / "pred.csv")]) == 0
    assert "assigned 50 rows" in capsys.readouterr().out
    pred = pd.read_csv(tmp_path / "pred.csv", dtype={"id": str})
    assert pred["id"].iloc[0] == "'=HYPERLINK(1)"
    same = run.loc[pred["id"].iloc[1:]]
    assert (pred["cluster"].iloc[1:].to_numpy() == same["cluster"].to_numpy()).all()
    assert abs(pred["confidence"].iloc[1:].to_numpy() - same["confidence"].to_numpy()).max() \
        < 1e-3
    # a new file without a trained column: one sentence, exit 2, nothing written
    new.drop(columns=["f2"]).to_csv(tmp_path / "short.csv", index=False)
    assert main(["predict", "--run", str(out), "--data", str(tmp_path / "short.csv"),
                 "--id-column", "item", "--out", str(tmp_path / "short_pred.csv")]) == 2
    assert "lacks 1 numeric column(s) the run was trained on: f2" in capsys.readouterr().err
    assert not (tmp_path / "short_pred.csv").exists()


def test_predict_reads_new_rows_as_the_run_read_its_own(tmp_path, capsys):
    """A JSON Lines file of texts with an embedding each, clustered as embeddings with an id
    column; new rows in the same format need only --run, --data and --out."""
    rng = np.random.default_rng(0)
    rows = [{"doc": f"d{i}", "text": f"note {i}", "vector": rng.normal(i % 3 * 6, 1, 5).tolist()}
            for i in range(90)]
    (tmp_path / "rows.jsonl").write_text("\n".join(json.dumps(r) for r in rows))
    (tmp_path / "new.jsonl").write_text("\n".join(json.dumps(r) for r in rows[:12]))
    out = tmp_path / "run"
    assert main(["run", "--data", str(tmp_path / "rows.jsonl"), "--kind", "embeddings",
                 "--id-column", "doc", "--method", "kmeans", "--clusters", "3",
                 "--out", str(out)]) == 0
    capsys.readouterr()
    assert main(["predict", "--run", str(out), "--data", str(tmp_path / "new.jsonl"),
                 "--out", str(tmp_path / "pred.csv")]) == 0
    said = capsys.readouterr().out
    assert "Id column 'doc', as in the run." in said and "read as embeddings, as in" in said
    pred = pd.read_csv(tmp_path / "pred.csv")
    run = pd.read_parquet(out / "assignments.parquet").set_index("id")
    assert list(pred["id"]) == [f"d{i}" for i in range(12)]
    assert (pred["cluster"].to_numpy() == run.loc[pred["id"], "cluster"].to_numpy()).all()


def test_predict_leaves_out_or_fills_new_rows_with_gaps(blobs_csv, tmp_path, capsys,
                                                        monkeypatch):
    """Gaps in new rows: refused with the choices, left out, or filled with the run's mean."""
    from clustering.features import featurize_like
    from clustering.loaders import load_data

    monkeypatch.setenv("CLUSTERLAB_HOME", str(tmp_path / "home"))
    out = tmp_path / "run"
    assert main(["run", "--data", str(blobs_csv), "--id-column", "item", "--label-column",
                 "group", "--method", "kmeans", "--clusters", "4", "--out", str(out)]) == 0
    new = pd.read_csv(blobs_csv).iloc[:20].drop(columns=["group"])
    new.loc[3, "f1"] = np.nan
    path = tmp_path / "gaps.csv"
    new.to_csv(path, index=False)
    base = ["predict", "--run", str(out), "--data", str(path), "--id-column", "item"]
    capsys.readouterr()
    assert main([*base, "--out", str(tmp_path / "refused.csv")]) == 2
    assert "--fill-missing" in capsys.readouterr().err
    assert main([*base, "--drop-invalid", "--out", str(tmp_path / "kept.csv")]) == 0
    assert len(pd.read_csv(tmp_path / "kept.csv")) == 19
    assert main([*base, "--fill-missing", "--out", str(tmp_path / "filled.csv")]) == 0
    assert "note: 1 empty cell(s) of the new rows take the run's own column means" in \
        capsys.readouterr().out
    assert len(pd.read_csv(tmp_path / "filled.csv")) == 20
    transform = {"representation": "scaled", "names": ["f0", "f1"],
                 "scaling": {"columns": ["f0", "f1"], "mean": [0.0, 5.0], "sd": [1.0, 2.0]}}
    X = featurize_like(load_data(path, id_column="item", fill_missing=True), transform)
    assert X[3, 1] == 0.0 and X[4, 1] == pytest.approx((new["f1"][4] - 5.0) / 2.0)


def test_predict_reads_new_rows_on_the_runs_columns(tmp_path, capsys, monkeypatch):
    """A handful of new rows is read on the columns the run clustered, not sized up again:
    no column of theirs is taken for an id, and a gap in a column the run left out (a site
    number) does not refuse them."""
    monkeypatch.setenv("CLUSTERLAB_HOME", str(tmp_path / "home"))
    rng = np.random.default_rng(0)
    group = np.repeat(np.arange(3), 40)
    frame = pd.DataFrame({f"reads{j}": rng.poisson(5 + 30 * (group == j % 3)) for j in range(6)})
    frame.insert(0, "sample", [f"s{i}" for i in range(len(frame))])
    frame["site"] = rng.integers(1, 3, len(frame))
    out = tmp_path / "run"
    assert main(["run", "--data", str(_csv(frame, tmp_path / "reads.csv")), "--id-column",
                 "sample", "--method", "kmeans", "--clusters", "3", "--out", str(out)]) == 0
    assert "'site'" in capsys.readouterr().out  # read like a category: not clustered on
    new = frame.iloc[[0, 40, 80]].copy()
    new["reads0"] = [37, 38, 39]  # three whole numbers in a row, as an id's would be
    new["site"] = [1.0, np.nan, 2.0]
    assert main(["predict", "--run", str(out), "--data", str(_csv(new, tmp_path / "new.csv")),
                 "--out", str(tmp_path / "pred.csv")]) == 0
    said = capsys.readouterr().out
    assert "looks like an id" not in said and "assigned 3 rows to 3 clusters" in said
    assert pd.read_csv(tmp_path / "pred.csv")["id"].tolist() == ["s0", "s40", "s80"]


def _csv(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_csv(path, index=False)
    return path


@pytest.mark.slow
def test_predict_works_for_a_kmeans_run(digits_run, tmp_path, monkeypatch, capsys):
    """Not only deep runs: k-means assigns by its centres (with the run's own temperature),
    and the map place comes from a network distilled from the run's map."""
    home, out = digits_run
    monkeypatch.setenv("CLUSTERLAB_HOME", str(home))
    assert main(["predict", "--run", str(out), "--data", "demo:digits",
                 "--out", str(tmp_path / "p.parquet")]) == 0
    pred = pd.read_parquet(tmp_path / "p.parquet")
    run = pd.read_parquet(out / "assignments.parquet")
    assert (pred["cluster"].to_numpy() == run["cluster"].to_numpy()).mean() > 0.99
    assert abs(pred["confidence"].to_numpy() - run["confidence"].to_numpy()).max() < 1e-3
    spread = run[["x", "y"]].to_numpy().std(axis=0).mean()
    err = np.abs(pred[["x", "y"]].to_numpy() - run[["x", "y"]].to_numpy()).mean()
    assert err < 0.1 * spread
    assert (home / "runs" / json.loads((out / "run.json").read_text())["key"] /
            "assigner" / "assigner.json").exists()


def test_crash_log_is_private_in_the_store_and_ignores_planted_symlinks(tmp_path, monkeypatch,
                                                                        capsys):
    """An internal error writes its traceback to a new 0600 file under the store, never to
    a fixed /tmp path a planted symlink could redirect."""
    import os
    import tempfile

    import workspace.cli as cli

    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    planted = Path(tempfile.gettempdir()) / "clusterlab-error.log"
    if not planted.exists() and not planted.is_symlink():
        planted.symlink_to(victim)
    monkeypatch.setattr(cli, "_cmd_methods", lambda: 1 / 0)
    try:
        assert cli.main(["methods"]) == 1
    finally:
        if planted.is_symlink() and planted.resolve() == victim:
            planted.unlink()
    err = capsys.readouterr().err
    assert victim.read_text() == "precious"
    logs = list((Path(os.environ["CLUSTERLAB_HOME"]) / "logs").glob("error-*.log"))
    assert len(logs) == 1 and str(logs[0]) in err
    assert "ZeroDivisionError" in logs[0].read_text()
    assert oct(logs[0].stat().st_mode & 0o777) == "0o600"


def test_a_gpu_out_of_memory_says_so_and_how_to_run_on_the_cpu(blobs_csv, tmp_path,
                                                                monkeypatch, capsys):
    """CUDA's out-of-memory error is not an internal error: the user is told to run on the
    CPU or on fewer rows, and nothing is written under the final names."""
    import torch

    import clustering.deep.sela as sela

    def out_of_memory(*args, **kwargs):
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB.\nmore")

    monkeypatch.setattr(sela, "step", out_of_memory)
    out = tmp_path / "out"
    code = main(["run", "--data", str(blobs_csv), "--method", "sela", "--clusters", "4",
                 "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 1 and "internal error" not in err
    assert ("the GPU ran out of memory (CUDA out of memory. Tried to allocate 2.00 GiB.); "
            "run on the CPU (--device cpu") in err
    assert not out.exists()


def _table_with_map(path, n=60, bad_row=None):
    import numpy as np

    rng = np.random.default_rng(0)
    group = np.arange(n) % 3
    frame = pd.DataFrame({"a": rng.normal(size=n) + group * 5, "b": rng.normal(size=n),
                          "map_x": rng.normal(size=n) * 100, "map_y": np.arange(n) * 1.5,
                          "group": group})
    if bad_row is not None:
        frame.loc[bad_row, "map_y"] = np.nan
    frame.to_csv(path, index=False)
    return frame


def test_map_columns_are_the_map_and_not_features(tmp_path, monkeypatch):
    """``--map-columns X Y``: the run's map is those two columns (no UMAP), and they are
    left out of the features (the rules name only a and b)."""
    monkeypatch.setenv("CLUSTERLAB_HOME", str(tmp_path / "home"))
    frame = _table_with_map(tmp_path / "t.csv")
    out = tmp_path / "out"
    assert main(["run", "--data", str(tmp_path / "t.csv"), "--label-column", "group",
                 "--map-columns", "map_x", "map_y", "--method", "kmeans", "--clusters", "3",
                 "--explain", "--out", str(out)]) == 0
    got = pd.read_parquet(out / "assignments.parquet")
    assert (got["x"].to_numpy() == frame["map_x"].to_numpy("float32")).all()
    assert (got["y"].to_numpy() == frame["map_y"].to_numpy("float32")).all()
    run = json.loads((out / "run.json").read_text())
    assert run["map"] == "columns" and run["config"]["map_columns"] == ["map_x", "map_y"]
    report = json.loads((out / "explanations.json").read_text())
    named = {t["feature"] for c in report["clusters"] for conj in c["rule"]["any_of"]
             for t in conj}
    assert named and named <= {"a", "b"}


@pytest.mark.parametrize("args, message", [
    (["--map-columns", "map_x", "map_y"], "map column 'map_y' has 1 cell(s) that are not "
                                          "finite numbers (data row(s) 5)"),
    (["--map-columns", "map_x", "nope"], "has no column 'nope' (given as map_columns)"),
    (["--map-columns", "map_x", "map_x"], "map_columns must name two different columns"),
])
def test_bad_map_columns_exit_2_with_one_sentence(args, message, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CLUSTERLAB_HOME", str(tmp_path / "home"))
    _table_with_map(tmp_path / "t.csv", bad_row=4)
    code = main(["run", "--data", str(tmp_path / "t.csv"), *args, "--method", "kmeans",
                 "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2 and message in err and "Traceback" not in err
    assert not (tmp_path / "out" / "run.json").exists()


def test_run_progress_line_ends_with_the_time_left_in_the_stage(monkeypatch, capsys):
    """The CLI's progress line says how long the current stage still takes (#12: progress and
    an estimate), from the pace inside the stage: from 10 % to 20 % took 5 s, so the other
    80 % take 40 s."""
    from workspace import cli

    now = {"t": 100.0}
    monkeypatch.setattr(cli.time, "monotonic", lambda: now["t"])
    report = cli._progress_printer(lambda f: ("cluster", 0.0, 1.0))
    for fraction in (0.0, 0.1, 0.2):
        report(fraction, "auto: contrastive pretext")
        now["t"] += 5.0
    line = capsys.readouterr().err.split("\r")[-1]
    assert "[ 20.0%] auto: contrastive pretext ~40 s left" in line
    report(1.0, "done")
    assert "left" not in capsys.readouterr().err


def test_settings_the_method_or_data_does_not_use_are_said(blobs_csv, tmp_path, isolated_store,
                                                          capsys):
    """--epochs, --min-cluster-size, --image-size and --images-root were dropped without a
    word where the method (k-means) or the data (a table of numbers) takes none."""
    out = tmp_path / "o"
    assert main(["run", "--data", str(blobs_csv), "--kind", "table", "--method", "kmeans",
                 "--clusters", "3", "--epochs", "7", "--min-cluster-size", "4",
                 "--image-size", "32", "--images-root", str(tmp_path), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "note: Training epochs (--epochs 7) are a deep method's; 'kmeans' trains none" in printed
    assert "(--min-cluster-size 4) is HDBSCAN's; 'kmeans' does not take one" in printed
    assert "(--image-size 32) is for images; the data was read as table" in printed
    assert f"(--images-root {tmp_path}) is for a table naming image files" in printed
    notes = json.loads((out / "run.json").read_text())["notes"]
    assert sum("so it was not used" in n or "so they were not used" in n for n in notes) == 4
    assert main(["run", "--data", str(blobs_csv), "--method", "hdbscan", "--min-cluster-size",
                 "4", "--out", str(tmp_path / "h")]) == 0
    assert "not used" not in capsys.readouterr().out  # HDBSCAN takes it
