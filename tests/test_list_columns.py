"""Parquet files with a column of lists (an embedding per row, as Hugging Face datasets save
them) and of nested records: read, not a crash on an unhashable cell."""

import numpy as np
import pandas as pd
from sklearn.datasets import make_blobs

from clustering.chunks import ID, plan_chunks, read_chunk
from clustering.loaders import load_data


def _embedded(path, rows=300, seed=0):
    X, y = make_blobs(rows, n_features=12, centers=3, random_state=seed)
    frame = pd.DataFrame({"doc": [f"d{i}" for i in range(rows)], "embedding": list(X),
                          "meta": [{"source": "web", "page": i % 7} for i in range(rows)]})
    frame.to_parquet(path)
    return X, y


def test_a_parquet_list_column_is_spread_and_can_be_read_as_the_embeddings(tmp_path):
    X, y = _embedded(tmp_path / "docs.parquet")
    data = load_data(tmp_path / "docs.parquet")
    assert data.modality == "table" and data.n == len(X)
    assert list(data.table.columns[:2]) == ["embedding[0]", "embedding[1]"]
    assert any("list of 12 numbers" in note and "--kind embeddings" in note for note in data.notes)
    alone = load_data(tmp_path / "docs.parquet", kind="embeddings")
    np.testing.assert_allclose(alone.embeddings, X, rtol=1e-6)


def test_chunks_of_a_parquet_list_column_read_its_spread_columns(tmp_path):
    X, _ = _embedded(tmp_path / "docs.parquet")
    chunk = plan_chunks(str(tmp_path / "docs.parquet"))[0]
    frame = read_chunk(chunk, columns=["embedding[0]", "embedding[11]"])
    assert list(frame.columns) == [ID, "embedding[0]", "embedding[11]"]
    np.testing.assert_allclose(frame[["embedding[0]", "embedding[11]"]].to_numpy(),
                               X[:len(frame)][:, [0, 11]])
    whole = read_chunk(chunk)
    assert "embedding[5]" in whole.columns  # the struct's fields are columns (stop 69)
    assert whole["meta.source"].eq("web").all() and whole["meta.page"].max() == 6
