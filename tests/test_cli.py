"""The clusterlab command line on demo:digits, reuse, exports, and bad input."""

import json
import os
import subprocess
import sys

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


def test_same_request_is_reused(digits_run, tmp_path, monkeypatch, capsys):
    home, out = digits_run
    monkeypatch.setenv("CLUSTERLAB_HOME", str(home))
    assert main(["run", "--data", "demo:digits", "--method", "kmeans", "--clusters", "10",
                 "--out", str(tmp_path / "again")]) == 0
    assert "(reused)" in capsys.readouterr().out
    assert (tmp_path / "again" / "run.json").read_text() == (out / "run.json").read_text()


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


def test_methods_lists_every_method(capsys):
    assert main(["methods"]) == 0
    listed = capsys.readouterr().out
    for name in ("kmeans", "gmm", "hdbscan", "umap-hdbscan", "umap-kmeans"):
        assert name in listed


def test_console_script_exit_code_for_missing_file(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "workspace.cli", "run", "--data",
                           str(tmp_path / "nope.csv"), "--out", str(tmp_path / "o")],
                          capture_output=True, text=True, env={**os.environ})
    assert proc.returncode == 2
    assert "does not exist" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("demo", ["iris", "wine"])
def test_table_demos_with_hdbscan_and_gmm(demo, tmp_path):
    for method in ("gmm", "umap-hdbscan"):
        out = tmp_path / method
        assert main(["run", "--data", f"demo:{demo}", "--method", method, "--out", str(out)]) == 0
        run = json.loads((out / "run.json").read_text())
        assert run["metrics"]["ari"] > 0.3 and "k_selection" in run["fit_info"]
