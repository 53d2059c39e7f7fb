"""Planning, reading and hashing chunks; the frozen assigner; engine settings (fast tier)."""

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_blobs

from clustering.assigner import Assigner, fit_assigner
from clustering.chunks import ID, id_hashes, plan_chunks, read_chunk
from clustering.clusterers import cluster
from clustering.errors import InputError
from clustering.metrics import cluster_metrics, contingency_metrics
from workspace.chunk_tasks import part_name, receipt_is_valid
from workspace.engines import EngineSettings


def test_parquet_chunks_follow_row_groups_and_number_rows_across_files(tmp_path):
    for i in range(2):
        pd.DataFrame({"a": np.arange(250) + 1000 * i}).to_parquet(
            tmp_path / f"p{i}.parquet", row_group_size=100)
    chunks = plan_chunks(str(tmp_path), chunk_rows=150)
    assert [(c.start, c.rows, c.row_groups) for c in chunks] == [
        (0, 200, [0, 1]), (200, 50, [2]), (250, 200, [0, 1]), (450, 50, [2])]
    frame = read_chunk(chunks[2])
    assert frame[ID].tolist()[:2] == ["250", "251"] and frame["a"].iloc[0] == 1000
    assert plan_chunks(str(tmp_path / "*.parquet"), 1000)[1].start == 250  # a glob


def test_ids_come_from_the_id_column_and_hash_the_same_everywhere(tmp_path):
    pd.DataFrame({"doc": ["x", "y"], "v": [1.0, 2.0]}).to_parquet(tmp_path / "a.parquet")
    frame = read_chunk(plan_chunks(str(tmp_path / "a.parquet"))[0], "doc")
    assert frame.columns.tolist() == [ID, "v"] and frame[ID].tolist() == ["x", "y"]
    assert (id_hashes(np.array(["x", "y"], object)) ==
            id_hashes(np.array(["x", "y"], object))).all()
    assert id_hashes(np.array(["x"], object))[0] == np.uint64(
        pd.util.hash_array(np.array(["x"], object))[0])


def test_planning_refuses_what_cannot_be_chunked(tmp_path):
    (tmp_path / "t.json").write_text("[]")
    with pytest.raises(InputError, match="cannot be read in chunks; give a folder"):
        plan_chunks(str(tmp_path / "t.json"))
    with pytest.raises(InputError, match="does not exist"):
        plan_chunks(str(tmp_path / "missing.parquet"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no Parquet file and no PNG"):
        plan_chunks(str(tmp_path / "empty"))
    np.save(tmp_path / "v.npy", np.zeros(5))
    with pytest.raises(InputError, match="2-D numeric array"):
        plan_chunks(str(tmp_path / "v.npy"))


def test_a_receipt_counts_only_with_its_whole_part(tmp_path):
    from clustering.chunks import Chunk

    chunk = Chunk(3, "npy", 0, 2, "x.npy")
    (tmp_path / "assignments.parquet").mkdir()
    (tmp_path / "view-parts").mkdir()
    part = tmp_path / "assignments.parquet" / part_name(3)
    receipt = tmp_path / "r.json"
    receipt.write_text(json.dumps({"chunk": 3, "rows": 2}))
    assert receipt_is_valid(receipt, part, chunk) is None  # no part
    pd.DataFrame({"id": ["a", "b"]}).to_parquet(part)
    assert receipt_is_valid(receipt, part, chunk) is None  # no view part
    np.save(tmp_path / "view-parts" / "part-00003.npy", np.zeros((0, 1)))
    assert receipt_is_valid(receipt, part, chunk)["rows"] == 2
    part.write_bytes(part.read_bytes()[:20])  # truncated
    assert receipt_is_valid(receipt, part, chunk) is None


@pytest.mark.parametrize("method", ["kmeans", "gmm", "hdbscan"])
def test_the_assigner_round_trips_without_pickle_and_agrees_with_the_fit(method, tmp_path):
    X, _ = make_blobs(400, centers=3, n_features=4, random_state=1)
    X = X.astype(np.float32)
    clus = cluster(X, method, 3)
    assigner = fit_assigner(X, clus, X[:, :2], {"representation": "raw", "names": ["a"]})
    assigner.save(tmp_path)
    back = Assigner.load(tmp_path)
    labels, confidence, xy = back.assign(X)
    assert (labels == clus.labels).mean() >= 0.99
    if method == "kmeans":
        np.testing.assert_allclose(confidence, clus.confidence, atol=1e-4)
    first = back.assign(X[:50])
    np.testing.assert_allclose(first[2], xy[:50], atol=1e-5)  # row-wise: batches agree
    assert back.kind == {"kmeans": "centroids", "gmm": "gmm", "hdbscan": "nearest"}[method]
    with np.load(tmp_path / "assigner.npz", allow_pickle=False) as npz:
        assert all(npz[k].dtype != object for k in npz.files)


def test_metrics_from_counts_equal_metrics_from_rows():
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 4, 600)
    labels = np.where(rng.random(600) < 0.7, truth, rng.integers(-1, 5, 600))
    table = {str(t): {str(k): int(((truth == t) & (labels == k)).sum())
                      for k in np.unique(labels) if ((truth == t) & (labels == k)).any()}
             for t in np.unique(truth)}
    got, want = contingency_metrics(table), cluster_metrics(np.zeros((600, 1)), labels, truth)
    for name in ("acc", "nmi", "ari", "noise_share"):
        assert got[name] == pytest.approx(want[name], abs=1e-9)


def test_engine_settings_are_checked_in_one_sentence():
    with pytest.raises(InputError, match="settings of the dask engine"):
        EngineSettings("local", scheduler="tcp://x:1").validate()
    with pytest.raises(InputError, match="engine must be local or dask"):
        EngineSettings("ray").validate()
    assert EngineSettings("dask", workers=2).validate().workers == 2


def test_parquet_struct_columns_are_dotted_columns_whole_and_in_chunks(tmp_path):
    """A Parquet struct (Spark's and Hugging Face's nested fields) was one column of its JSON
    text, left out as 'a text column'; now its fields are columns, in chunks as in the
    whole file, and a chunk asked for one field reads it from its struct."""
    from clustering.tables import read_table

    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"id": [f"r{i}" for i in range(250)],
                          "meta": [{"size": float(s), "lab": {"temp": float(t)}}
                                   for s, t in rng.normal(0, 1, (250, 2))]})
    frame.loc[7, "meta"] = None
    frame.to_parquet(tmp_path / "nested.parquet", row_group_size=100)
    whole = read_table(tmp_path / "nested.parquet")
    assert whole.columns.tolist() == ["id", "meta.size", "meta.lab.temp"]
    assert np.isnan(whole["meta.size"][7]) and whole["meta.lab.temp"][0] == frame["meta"][0][
        "lab"]["temp"]
    chunks = plan_chunks(str(tmp_path / "nested.parquet"), 100)
    parts = pd.concat([read_chunk(c, "id") for c in chunks], ignore_index=True)
    np.testing.assert_array_equal(parts["meta.size"], whole["meta.size"])
    one = read_chunk(chunks[0], "id", columns=["meta.lab.temp"])
    assert one.columns.tolist() == [ID, "meta.lab.temp"]
