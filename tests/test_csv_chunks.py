"""A CSV read in chunks (``--sample``): rewritten once as Parquet, then run as Parquet is."""

from __future__ import annotations

import json

import numpy as np
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
    home, base, chunked = _chunked_and_whole(tmp_path, path, "sample_id", y)
    assert chunked["id"].tolist() == frame["sample_id"].tolist()
    run = json.loads((tmp_path / "chunked" / "run.json").read_text())
    assert run["partitioned"]["chunks"] >= 4
    converted = list((home / "converted").glob("readings-*.parquet"))
    assert len(converted) == 1
    stamp = converted[0].stat().st_mtime_ns
    assert main([*base, "--sample", "1000", "--chunk-rows", "700", "--clusters", "3",
                 "--out", str(tmp_path / "again")]) == 0
    assert converted[0].stat().st_mtime_ns == stamp  # reused while the CSV is unchanged


def _chunked_and_whole(tmp_path, path, id_column, truth) -> tuple:
    """Run ``path`` in chunks of 700 rows (a 1,000-row sample) and whole, k-means k = 4; both
    in input order, the chunked one near the truth and the whole file's clusters."""
    home = tmp_path / "store"
    base = ["--store", str(home), "run", "--data", str(path), "--id-column", id_column,
            "--method", "kmeans", "--clusters", "4", "--seed", "0"]
    assert main([*base, "--sample", "1000", "--chunk-rows", "700", "--out",
                 str(tmp_path / "chunked")]) == 0
    assert main([*base, "--out", str(tmp_path / "whole")]) == 0
    chunked = pd.read_parquet(tmp_path / "chunked" / "assignments.parquet")
    whole = pd.read_parquet(tmp_path / "whole" / "assignments.parquet")
    assert chunked["id"].tolist() == whole["id"].tolist() and len(chunked) == len(truth)
    assert adjusted_rand_score(truth, chunked["cluster"]) > 0.95
    assert adjusted_rand_score(whole["cluster"], chunked["cluster"]) > 0.95
    return home, base, chunked


def test_a_csv_whose_later_rows_break_the_layout_is_refused_in_one_sentence(tmp_path):
    path = tmp_path / "broken.csv"
    path.write_text("a,b\n" + "1,2\n" * 50 + "3,4,5,6\n")
    with pytest.raises(InputError, match="'broken.csv' could not be read as a table"):
        csv_as_parquet(path, tmp_path / "conv", block_rows=20)
    assert not list((tmp_path / "conv").glob("*"))  # nothing half-written is kept
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(InputError, match="is empty"):
        csv_as_parquet(tmp_path / "empty.csv", tmp_path / "conv")


def test_a_gzipped_csv_whose_text_column_starts_late_runs_in_chunks_as_the_whole_file(tmp_path):
    X, y = make_blobs(3000, centers=4, n_features=5, cluster_std=1.2, random_state=4)
    frame = pd.DataFrame(X, columns=[f"m{j}" for j in range(5)])
    frame.insert(0, "sample_id", [f"s{i:05d}" for i in range(len(frame))])
    # empty in the first chunk (the first block decides nothing about it), text later
    frame["site"] = [None] * 1000 + ["north" if i % 3 else "south" for i in range(2000)]
    path = tmp_path / "readings.csv.gz"
    frame.to_csv(path, index=False, compression="gzip")
    converted = pd.read_parquet(csv_as_parquet(path, tmp_path / "conv", block_rows=700))
    assert converted["site"].tolist() == frame["site"].tolist()  # was read as empty numbers
    assert converted["m0"].dtype == "float64"
    _chunked_and_whole(tmp_path, path, "sample_id", y)


def test_a_late_cell_that_is_not_a_number_is_named_as_the_local_loader_names_it(tmp_path):
    from clustering.loaders import load_data

    frame = pd.DataFrame({"a": [float(i % 7) for i in range(300)],
                          "b": [f"{i / 10:.1f}" for i in range(300)]})
    frame.loc[250, "b"] = "1.2.3"  # after the first block of 100 rows
    path = tmp_path / "typo.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(InputError) as local:
        load_data(str(path))
    with pytest.raises(InputError) as chunked:
        csv_as_parquet(path, tmp_path / "conv", block_rows=100)
    assert str(chunked.value) == str(local.value)
    assert "'1.2.3' in data row(s) 251" in str(chunked.value)  # was read as a gap, silently
    assert not list((tmp_path / "conv").glob("*"))


def test_a_changed_csv_replaces_its_older_rewrite(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("a,b\n" + "".join(f"{i},{i % 3}\n" for i in range(50)))
    first = csv_as_parquet(path, tmp_path / "conv", block_rows=20)
    other = tmp_path / "other" / "t.csv"  # another CSV of the same name keeps its own
    other.parent.mkdir()
    other.write_text(path.read_text())
    kept = csv_as_parquet(other, tmp_path / "conv", block_rows=20)
    path.write_text("a,b\n" + "".join(f"{i},{i % 5}\n" for i in range(60)))
    second = csv_as_parquet(path, tmp_path / "conv", block_rows=20)
    assert second != first and not first.exists() and kept.exists()
    assert len(pd.read_parquet(second)) == 60
    other.unlink()  # a rewrite whose CSV is gone goes with the next rewrite
    (tmp_path / "u.csv").write_text(path.read_text())
    csv_as_parquet(tmp_path / "u.csv", tmp_path / "conv", block_rows=20)
    assert not kept.exists() and second.exists()


def test_json_lines_run_in_chunks_as_the_local_loader_lays_them_out(tmp_path):
    import gzip

    from clustering.json_tables import read_json_table

    X, y = make_blobs(3000, centers=4, n_features=6, cluster_std=1.0, random_state=5)
    rows = [{"id": f"r{i:05d}", "m": {"a": float(x[0]), "b": float(x[1])},
             "v": [round(float(v), 4) for v in x[2:]],
             **({"site": "north" if i % 3 else "south"} if i >= 1000 else {})}
            for i, x in enumerate(X)]  # "site" first appears after the first chunk
    path = tmp_path / "rows.jsonl.gz"
    with gzip.open(path, "wt") as handle:
        handle.writelines(json.dumps(row) + "\n" for row in rows)
    converted = pd.read_parquet(csv_as_parquet(path, tmp_path / "conv", block_rows=700))
    (tmp_path / "rows.jsonl").write_bytes(gzip.decompress(path.read_bytes()))
    local = read_json_table(tmp_path / "rows.jsonl")
    assert converted.columns.tolist() == local.columns.tolist()
    assert sorted(local.columns) == ["id", "m.a", "m.b", "site", "v[0]", "v[1]", "v[2]", "v[3]"]
    pd.testing.assert_frame_equal(converted[["m.a", "v[3]"]], local[["m.a", "v[3]"]])
    assert converted["site"].tolist() == local["site"].tolist()
    _chunked_and_whole(tmp_path, path, "id", y)
    (tmp_path / "bad.jsonl").write_text('{"a": 1}\n' * 30 + "[1, 2]\n")
    with pytest.raises(InputError, match="^'bad.jsonl': line 31 is a JSON array, not an object"):
        csv_as_parquet(tmp_path / "bad.jsonl", tmp_path / "conv", block_rows=20)


def test_a_json_lines_vector_unlike_in_a_later_block_is_text_as_the_local_loader_keeps_it(
        tmp_path):
    from clustering.json_tables import read_json_table

    rows = [{"id": i, "x": float(i % 7), "v": [1.0, 2.0, float(i)]} for i in range(90)]
    rows[70]["v"] = [1.0, 2.0]  # another length, in the fourth block of 20
    rows += [{"id": 90 + i, "x": 1.0, "w": [float(i), 2.0]} for i in range(5)]  # late, then
    rows += [{"id": 95 + i, "x": 2.0, "w": [3.0, float(i)]} for i in range(25)]  # a block
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    local = read_json_table(path)
    assert "v" in local.columns and "v[0]" not in local.columns  # the whole field is text
    converted = pd.read_parquet(csv_as_parquet(path, tmp_path / "conv", block_rows=20))
    assert converted.columns.tolist() == local.columns.tolist() == ["id", "x", "v", "w"]
    assert converted["v"].tolist() == local["v"].tolist()
    assert converted["w"].tolist() == local["w"].tolist()


@pytest.mark.slow
def test_a_text_file_of_one_text_per_line_runs_in_chunks_as_the_whole_file(tmp_path):
    from clustering.tables import read_table

    topics = {"weather": ["rain", "storm", "sunny skies", "snow", "a cold wind"],
              "cooking": ["the soup", "fresh bread", "a spicy curry", "the oven", "garlic"],
              "football": ["the striker", "a late goal", "the referee", "the keeper",
                           "a penalty"],
              "computers": ["the compiler", "a memory leak", "the database", "the kernel",
                            "a slow query"]}
    lines, truth = ["review"], []  # a first line of one word names the column
    for i in range(800):
        topic = list(topics)[i % 4]
        words = topics[topic]
        lines.append(f"Today {words[i % 5]} and {words[(i // 4) % 5]} were all we talked "
                     f"about ({topic}, note {i}).")
        truth.append(topic)
        if i % 97 == 0:
            lines.append("   ")  # blank lines are left out
    path = tmp_path / "notes.txt"
    path.write_text("\n".join(lines) + "\n")
    converted = pd.read_parquet(csv_as_parquet(path, tmp_path / "conv", block_rows=300))
    local = read_table(path)
    assert converted.columns.tolist() == local.columns.tolist() == ["review"]
    assert converted["review"].tolist() == local["review"].tolist()
    base = ["--store", str(tmp_path / "store"), "run", "--data", str(path), "--method",
            "kmeans", "--clusters", "4", "--seed", "0"]
    assert main([*base, "--sample", "400", "--chunk-rows", "300", "--out",
                 str(tmp_path / "chunked")]) == 0
    assert main([*base, "--out", str(tmp_path / "whole")]) == 0
    chunked = pd.read_parquet(tmp_path / "chunked" / "assignments.parquet")
    whole = pd.read_parquet(tmp_path / "whole" / "assignments.parquet")
    assert len(chunked) == len(whole) == 800
    assert adjusted_rand_score(whole["cluster"], chunked["cluster"]) > 0.9
    assert adjusted_rand_score(truth, chunked["cluster"]) > 0.9


def test_files_joined_one_after_another_lose_their_repeated_headers_whole_and_in_blocks(
        tmp_path):
    """``cat a.csv b.csv``: the second header was a row, and a column of numbers held one
    text ("holds numbers except 1 value(s)"); now it is left out, in the whole file and in
    blocks alike, and the columns are numbers again."""
    from clustering.loaders import load_data
    from clustering.tables import read_table

    part = pd.DataFrame({"name": [f"n{i}" for i in range(30)], "x": np.arange(30) / 4,
                         "k": np.arange(30) % 7})
    path = tmp_path / "joined.csv"
    path.write_text(part.to_csv(index=False) * 3)
    local = read_table(path)
    assert len(local) == 90 and local["x"].dtype.kind == "f" and local["k"].dtype.kind == "i"
    assert local.attrs["repeated_headers"] == [31, 62]
    converted = pd.read_parquet(csv_as_parquet(path, tmp_path / "conv", block_rows=20))
    assert converted["x"].tolist() == local["x"].tolist()
    assert converted["name"].tolist() == local["name"].tolist()
    data = load_data(path)
    assert data.n == 90 and any("Left out 2 row(s) of 'joined.csv' that repeat its header "
                                "(data row(s) 31, 62)" in n for n in data.notes)


def test_a_line_too_long_for_one_row_is_refused_in_one_sentence(tmp_path, monkeypatch):
    from clustering import file_blocks

    monkeypatch.setattr(file_blocks, "MAX_LINE_CHARS", 1000)
    path = tmp_path / "array.jsonl"
    path.write_text('{"a": 1}\n' + "[" + ", ".join(['{"a": 2}'] * 200) + "]\n")
    with pytest.raises(InputError, match=r"^'array.jsonl': line 2 is longer than 1,000 "
                                         r"characters, too long for one row; .* \.json file"):
        csv_as_parquet(path, tmp_path / "conv", block_rows=20)
    text = tmp_path / "notes.txt"
    text.write_text("first note here\n" + "word " * 300 + "\nlast note\n")
    with pytest.raises(InputError, match="^'notes.txt': line 2 is longer than 1,000"):
        csv_as_parquet(text, tmp_path / "conv", block_rows=20)
    text.write_text("first note here\n" + "word " * 150 + "\nlast note\n")  # 750: fine
    assert len(pd.read_parquet(csv_as_parquet(text, tmp_path / "conv", block_rows=20))) == 3


@pytest.mark.parametrize("name", ["unicode.txt", "rows.jsonl", "notes.txt"])
def test_utf16_files_are_rewritten_for_chunks_as_the_local_loader_reads_them(tmp_path, name):
    from clustering.tables import read_table

    frame = pd.DataFrame({"site": [f"K\u00f6ln {i % 7}" for i in range(900)],
                          "depth": [0.5 * i for i in range(900)]})
    path = tmp_path / name
    if name == "rows.jsonl":
        text = frame.to_json(orient="records", lines=True, force_ascii=False)
    elif name == "notes.txt":  # one text per line, as Notepad's "Unicode" saves it
        text = "\n".join(f"Gr\u00fc\u00dfe from site {i}, a long day of rain." for i in range(900))
    else:  # Excel's "Unicode Text": tabs, UTF-16 with a mark
        text = frame.to_csv(sep="\t", index=False)
    path.write_text(text, encoding="utf-16")
    converted = pd.read_parquet(csv_as_parquet(path, tmp_path / "conv", block_rows=250))
    local = read_table(path)
    assert converted.columns.tolist() == local.columns.tolist() and len(converted) >= 899
    pd.testing.assert_frame_equal(converted, local, check_dtype=False)


def test_a_csv_column_of_lists_of_numbers_is_spread_in_chunks_as_the_local_loader_does(
        tmp_path):
    from clustering.tables import read_table

    X, y = make_blobs(3000, centers=4, n_features=6, cluster_std=1.0, random_state=7)
    frame = pd.DataFrame({"id": [f"r{i:05d}" for i in range(3000)],
                          "embedding": [[round(float(v), 4) for v in x] for x in X],
                          "later": [[1.0, 2.0] if i < 1000 else [1.0, 2.0, 3.0]
                                    for i in range(3000)]})  # one length in the first block
    path = tmp_path / "vectors.csv"
    frame.to_csv(path, index=False)
    converted = pd.read_parquet(csv_as_parquet(path, tmp_path / "conv", block_rows=700))
    local = read_table(path)
    assert converted.columns.tolist() == local.columns.tolist()
    assert "embedding[5]" in local.columns and "later" in local.columns  # kept as text
    pd.testing.assert_frame_equal(converted, local, check_dtype=False)
    _chunked_and_whole(tmp_path, path, "id", y)
