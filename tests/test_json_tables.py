"""JSON and JSON Lines tables in the layouts tools write, nested fields, and columns of
lists of numbers (embeddings) in JSON and CSV files."""

import json

import numpy as np
import pandas as pd
import pytest

from clustering.errors import InputError
from clustering.features import featurize
from clustering.loaders import load_data


def test_json_lines_with_nested_fields_and_an_embedding_per_row(tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "rows.jsonl"
    rows = [{"id": f"d{i}", "text": f"document {i}", "meta": {"score": float(i), "src": "web"},
             "tags": ["a", "b"], "embedding": rng.normal(i % 2 * 5, 1, 8).tolist()}
            for i in range(40)]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n")
    data = load_data(path, id_column="id")
    assert data.modality == "table" and data.n == 40 and data.ids[0] == "d0"
    assert {"meta.score", "embedding[0]", "embedding[7]"} <= set(data.table.columns)
    assert any("holds a list of 8 numbers" in n and "--kind embeddings" in n
               for n in data.notes)
    emb = load_data(path, kind="embeddings", id_column="id")  # the one list field
    assert emb.modality == "embeddings" and emb.embeddings.shape == (40, 8)
    np.testing.assert_allclose(emb.embeddings[3], rows[3]["embedding"], rtol=1e-6)
    feats = featurize(emb)
    assert feats.X.shape == (40, 8) and feats.names[0] == "embedding[0]"
    assert not any("--kind embeddings" in n for n in emb.notes)
    named = load_data(path, kind="embeddings", id_column="id", feature_columns=["embedding"])
    np.testing.assert_array_equal(named.embeddings, emb.embeddings)


def test_a_csv_column_of_lists_of_numbers_is_spread_as_a_json_field_is(tmp_path):
    """pandas writes a column of lists to CSV as ``"[0.1, -2.5, ...]"``: an embedding per
    row saved from a notebook. Before, it was a text column, left out."""
    rng = np.random.default_rng(0)
    vectors = np.round(rng.normal(np.arange(40)[:, None] % 2 * 5, 1, (40, 8)), 4)
    frame = pd.DataFrame({"doc": [f"d{i}" for i in range(40)],
                          "embedding": [v.tolist() for v in vectors],
                          "printed": [str(v) for v in vectors],  # NumPy's "[0.1 -2.5 ...]"
                          "ragged": [v[: 2 + i % 2].tolist() for i, v in enumerate(vectors)]})
    path = tmp_path / "notebook.csv"
    frame.to_csv(path, index=False)
    data = load_data(path, id_column="doc")
    assert {"embedding[0]", "embedding[7]", "printed[7]"} <= set(data.table.columns)
    np.testing.assert_allclose(data.table[[f"printed[{i}]" for i in range(8)]], vectors)
    assert any(n.startswith("Ignored column 'ragged': text column")  # lists of two lengths
               for n in data.notes)
    assert any("'embedding' of 'notebook.csv' holds a list of 8 numbers" in n
               for n in data.notes)
    emb = load_data(path, kind="embeddings", id_column="doc", feature_columns=["embedding"])
    np.testing.assert_allclose(emb.embeddings, vectors, rtol=1e-6)


def test_json_array_of_records(tmp_path):
    path = tmp_path / "rows.json"
    path.write_text(json.dumps([{"a": i, "b": i * 2.5} for i in range(12)]))
    data = load_data(path)
    assert data.modality == "table" and list(data.table.columns) == ["a", "b"]
    path.write_text(json.dumps({"count": 12, "results": [{"a": i, "b": i * 2.5}
                                                         for i in range(12)]}))
    pd.testing.assert_frame_equal(load_data(path).table, data.table)  # as APIs wrap rows


@pytest.mark.parametrize("orient,says", [
    ("columns", "one object of columns"), ("index", "one object of rows keyed by their names"),
    ("split", "pandas' split layout"), ("values", "columns named column_1, column_2"),
    ("table", None), ("records", None)])
def test_json_tables_in_every_layout_pandas_writes_are_read(tmp_path, orient, says):
    """``df.to_json(path)`` (pandas' default, one object of columns) was refused ("one JSON
    dict without a single array of rows"), as were the index, split and values layouts."""
    frame = pd.DataFrame({"width": [0.5 + i / 7 for i in range(40)],
                          "height": [(i * 37 % 11) / 3 for i in range(40)],
                          "kind": ["ab"[i % 2] for i in range(40)]},
                         index=[f"S{i:03d}" for i in range(40)])
    path = tmp_path / f"{orient}.json"
    frame.to_json(path, orient=orient)
    data = load_data(path, label_column=None if orient == "values" else "kind")
    features = data.feature_table()
    assert data.n == 40 and features.shape[1] == 2, features.columns
    np.testing.assert_allclose(features.iloc[:, 0], frame["width"])
    if orient != "values":
        assert list(data.labels[:2]) == ["a", "b"]
    if says:
        assert any(says in n for n in data.notes), data.notes
    if orient in ("columns", "index", "split"):  # the row names, kept as names
        assert any("'row'" in n and "a different name in every row" in n and "'S000'" in n
                   for n in data.notes), data.notes


def test_json_object_of_arrays_and_array_of_arrays_with_names_first(tmp_path):
    path = tmp_path / "cols.json"
    path.write_text(json.dumps({"a": [1.5, 2.5, 3.5, 4.5], "b": [2, 4, 1, 3.5],
                                "who": ["x", "y", "x", "y"]}))
    data = load_data(path)
    assert data.n == 4 and list(data.feature_table().columns) == ["a", "b"]
    path.write_text(json.dumps([["a", "b"], [1.5, 2], [2.5, 4], [3.5, 1], [4.5, 3.5]]))
    assert load_data(path).feature_table()["b"].tolist() == [2, 4, 1, 3.5]
    path.write_text(json.dumps([[1.5, 2], [2.5]]))
    with pytest.raises(InputError, match="arrays of 1 to 2 values"):
        load_data(path)


@pytest.mark.parametrize("name,content,says", [
    ("bad.jsonl", '{"a": 1}\n{"a": 2\n', "line 2 is not valid JSON"),
    ("list.jsonl", '{"a": 1}\n[1, 2]\n', "line 2 is a JSON array, not an object"),
    ("nulls.jsonl", "null\nnull\n", "line 1 is a JSON null, not an object"),  # NoneType
    ("number.json", "42", "holds one JSON number, not rows"),  # was: "one JSON int"
    ("one.json", '{"a": 1, "b": 2}', "holds one JSON object that is not a table"),
    ("deep.json", "[" * 100_000 + "]" * 100_000, "nests its values too deeply"),
    ("blank.jsonl", "\n \n", "holds no rows"),
])
def test_json_that_is_not_a_table_of_rows_gets_one_sentence(tmp_path, name, content, says):
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(InputError, match=says):
        load_data(path)
