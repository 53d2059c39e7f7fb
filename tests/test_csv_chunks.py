"""A CSV read in chunks (``--sample``): rewritten once as Parquet, then run as Parquet is."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score

from clustering.csv_parquet import csv_as_parquet
from clustering.errors import InputError
from workspace.cli import main


def test_a_european_csv_runs_in_chunks_like_the_whole_file(tmp_path):
    X, y = make_blobs(3000, centers=4, n_features=5, cluster_std=1.2, random_state=3)
    frame = pd.DataFrame(X, columns=[f"m{j}" for j in range(5)])
    frame.insert(0, "sample_id", [f"s{i:05d}" for i in range(len(frame))])
    frame["site"] = ["north" if i % 3 else "south" for i in range(len(frame))]
    path = tmp_path / "readings.csv"
    frame.to_csv(path, sep=";", decimal=",", index=False)  # as a European Excel saves it
    home = tmp_path / "store"
    base = ["--store", str(home), "run", "--data", str(path), "--id-column", "sample_id",
            "--method", "kmeans", "--clusters", "4", "--seed", "0"]
    assert main([*base, "--sample", "1000", "--chunk-rows", "700", "--out",
                 str(tmp_path / "chunked")]) == 0
    assert main([*base, "--out", str(tmp_path / "whole")]) == 0
    chunked = pd.read_parquet(tmp_path / "chunked" / "assignments.parquet")
    whole = pd.read_parquet(tmp_path / "whole" / "assignments.parquet")
    assert chunked["id"].tolist() == whole["id"].tolist() == frame["sample_id"].tolist()
    assert adjusted_rand_score(y, chunked["cluster"]) > 0.95
    assert adjusted_rand_score(whole["cluster"], chunked["cluster"]) > 0.95
    run = json.loads((tmp_path / "chunked" / "run.json").read_text())
    assert run["partitioned"]["chunks"] >= 4
    converted = list((home / "converted").glob("readings-*.parquet"))
    assert len(converted) == 1
    stamp = converted[0].stat().st_mtime_ns
    assert main([*base, "--sample", "1000", "--chunk-rows", "700", "--clusters", "3",
                 "--out", str(tmp_path / "again")]) == 0
    assert converted[0].stat().st_mtime_ns == stamp  # reused while the CSV is unchanged


def test_a_csv_whose_later_rows_break_the_layout_is_refused_in_one_sentence(tmp_path):
    path = tmp_path / "broken.csv"
    path.write_text("a,b\n" + "1,2\n" * 50 + "3,4,5,6\n")
    with pytest.raises(InputError, match="'broken.csv' could not be read as a table"):
        csv_as_parquet(path, tmp_path / "conv", block_rows=20)
    assert not list((tmp_path / "conv").glob("*"))  # nothing half-written is kept
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(InputError, match="is empty"):
        csv_as_parquet(tmp_path / "empty.csv", tmp_path / "conv")
