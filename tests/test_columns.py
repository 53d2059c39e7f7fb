"""Column roles (#12 item 2): which columns are clustered on, guessed and chosen.

Before: a categorical ``batch`` column was one-hot encoded into the features without notice
and split every group by batch (11 clusters for 4 groups), and nothing could be left out.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from clustering.errors import InputError
from clustering.loaders import load_data
from helpers import no_errors, shown, start_app, upload_on_data_page, write_workbook


def _biologist_table(path, n=400):
    """8 measurements of 4 groups, a ``sample_id``, a ``well_no`` (1..n) and a ``batch``."""
    rng = np.random.default_rng(0)
    group = np.arange(n) % 4
    centres = rng.normal(scale=4.0, size=(4, 8))
    frame = pd.DataFrame(centres[group] + rng.normal(size=(n, 8)),
                         columns=[f"m{i}" for i in range(8)])
    frame.insert(0, "sample_id", [f"S{i:04d}" for i in range(n)])
    frame.insert(1, "well_no", np.arange(1, n + 1))
    frame["batch"] = rng.choice(["B1", "B2", "B3"], size=n)
    frame["group"] = group
    frame.to_csv(path, index=False)
    return path


def test_categorical_and_id_like_columns_are_not_features_by_default_and_say_so(tmp_path):
    path = _biologist_table(tmp_path / "cells.csv")
    data = load_data(str(path), label_column="group")
    assert data.features == tuple(f"m{i}" for i in range(8))
    assert "batch" in data.table.columns  # kept for colouring and export
    notes = " ".join(data.notes)
    assert "Column 'batch' (3 categories) is kept for colouring but not clustered on" in notes
    assert "Column 'well_no' looks like an id" in notes
    chosen = load_data(str(path), label_column="group", feature_columns=["m0", "m1", "batch"])
    assert list(chosen.feature_table().columns) == ["m0", "m1", "batch"]
    dropped = load_data(str(path), label_column="group", ignore_columns=["batch", "m7"])
    assert "batch" not in dropped.table.columns and "m7" not in dropped.table.columns


def test_a_numeric_column_of_a_few_values_among_measurements_is_read_like_a_category(tmp_path):
    path = _biologist_table(tmp_path / "cells.csv")
    frame = pd.read_csv(path)
    frame["year"] = 2007 + np.arange(len(frame)) % 3
    frame.to_csv(path, index=False)
    data = load_data(str(path), label_column="group")
    assert data.features == tuple(f"m{i}" for i in range(8))  # not clustered on
    assert "year" in data.table.columns  # kept for colouring and export
    notes = [note for note in data.notes if note.startswith("Column 'year'")]
    assert notes == ["Column 'year' has only 3 distinct values (2007, 2008, 2009) among "
                     "continuous columns, so it is read like a category (a year, batch or site "
                     "number would split every group by it): kept for colouring but not "
                     "clustered on; list it among the feature columns to cluster on it."]
    chosen = load_data(str(path), label_column="group",
                       feature_columns=[*(f"m{i}" for i in range(8)), "year"])
    assert "year" in chosen.features
    assert not any(note.startswith("Column 'year'") for note in chosen.notes)
    plain = load_data(str(_biologist_table(tmp_path / "plain.csv")), label_column="group")
    assert not any("has only" in note for note in plain.notes)


def test_many_columns_of_a_few_values_share_one_note(tmp_path):
    """A wide table of counts (genes): 29 of 3,000 columns had at most 5 values and the run
    printed 29 notes. More than three such columns now share one."""
    path = _biologist_table(tmp_path / "cells.csv")
    frame = pd.read_csv(path)
    for i in range(6):
        frame[f"low{i}"] = np.arange(len(frame)) % (2 + i % 3)
    frame.to_csv(path, index=False)
    data = load_data(str(path), label_column="group")
    assert data.features == tuple(f"m{i}" for i in range(8))
    few = [note for note in data.notes if "distinct values" in note]
    assert few == ["6 columns ('low0', 'low1', 'low2' and 3 more) have only 2-4 distinct values "
                   "each among continuous columns, so they are read like categories (a year, "
                   "batch or site number would split every group by it): kept for colouring "
                   "but not clustered on; list them among the feature columns to cluster on "
                   "them."], data.notes


@pytest.mark.parametrize("options,message", [
    ({"feature_columns": ["nope"]}, "has no column 'nope' (given as feature_columns)"),
    ({"feature_columns": ["group"]}, "cannot also be a feature or ignored"),
    ({"feature_columns": ["m0"], "ignore_columns": ["m0"]}, "both features and ignored"),
    ({"feature_columns": ["sample_id"]}, "hold free text"),
    # a name typed in another case, or nearly alike, is named back
    ({"feature_columns": ["M0"]}, "has no column 'M0' (given as feature_columns) (did you mean "
                                  "'m0'?); its columns are"),
    ({"id_column": "sampleid"}, "(did you mean 'sample_id'?)"),
])
def test_bad_column_choices_are_one_sentence(tmp_path, options, message):
    path = _biologist_table(tmp_path / "cells.csv")
    with pytest.raises(InputError, match=re.escape(message)):
        load_data(str(path), label_column="group", **options)


def test_cli_feature_and_ignore_columns_are_used_and_recorded(tmp_path, capsys):
    from workspace.cli import main

    path = _biologist_table(tmp_path / "cells.csv")
    out = tmp_path / "out"
    assert main(["run", "--data", str(path), "--label-column", "group", "--method", "kmeans",
                 "--out", str(out)]) == 0
    run = json.loads((out / "run.json").read_text())
    assert run["data"]["feature_columns"] == [f"m{i}" for i in range(8)]
    assert run["metrics"]["n_clusters"] == 4 and run["metrics"]["acc"] > 0.95
    out2 = tmp_path / "out2"
    assert main(["run", "--data", str(path), "--label-column", "group", "--method", "kmeans",
                 "--clusters", "4", "--feature-columns", "m0", "m1", "m2", "--ignore-columns",
                 "batch", "--out", str(out2)]) == 0
    run2 = json.loads((out2 / "run.json").read_text())
    assert run2["data"]["feature_columns"] == ["m0", "m1", "m2"]
    assert run2["config"]["ignore_columns"] == ["batch"]
    assert main(["run", "--data", str(path), "--feature-columns", "nope", "--out",
                 str(tmp_path / "bad")]) == 2
    assert "has no column 'nope'" in capsys.readouterr().err


def _roles(at) -> dict:
    table = next(d.value for d in at.dataframe if "role" in d.value.columns)
    return dict(zip(table["column"], table["role"], strict=True))


def test_data_page_shows_each_columns_role_and_lets_the_user_choose(tmp_path):
    path = _biologist_table(tmp_path / "cells.csv")
    at = upload_on_data_page("cells.csv", path.read_bytes(), "text/csv")
    at.selectbox(key="label_col").set_value("group").run()
    no_errors(at)
    roles = _roles(at)
    assert roles["batch"] == "colour and export only" and roles["group"] == "ground truth"
    assert roles["m0"] == "feature (clustered on)"
    assert roles["well_no"] == "colour and export only"
    picker = next(m for m in at.multiselect if m.label.startswith("Cluster on"))
    picker.set_value([*picker.value, "batch"]).run()
    no_errors(at)
    assert _roles(at)["batch"] == "feature (clustered on)"


def test_a_numeric_column_chosen_as_text_column_is_one_sentence(tmp_path):
    """#12 item 8: a column of years was accepted as the text column ("Read 600 texts")."""
    frame = pd.DataFrame({"year": np.arange(1990, 2030), "body": ["some words here"] * 40})
    path = tmp_path / "docs.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(InputError, match=r"column 'year' holds numbers \(such as '1990'\), not "
                                         r"text; choose the column that holds the documents"):
        load_data(str(path), "text", text_column="year")
    at = start_app()
    at.switch_page("app_pages/data.py").run()
    at.file_uploader(key="uploader").upload("docs.csv", path.read_bytes(), "text/csv")
    at.run()
    next(b for b in at.selectbox if b.label == "Text column").set_value("year").run()

    assert any("holds numbers" in shown(e.value) for e in at.error), at.error
    assert not at.success  # no "Read 40 texts"


def test_missing_value_marks_in_number_columns_are_read_as_empty(tmp_path):
    """UCI's ``?`` (and a dash) in a column of numbers: a gap, not a reason to drop the column."""
    rows = [f"{i},{i * 2},{i % 7}" for i in range(30)]
    rows[3] = "3,6,?"
    rows[9] = "9,-,2"
    path = tmp_path / "uci.csv"
    path.write_text("a,b,c\n" + "\n".join(rows) + "\n")
    with pytest.raises(InputError, match=r"data row\(s\) 4, 10.*--fill-missing"):
        load_data(path)
    data = load_data(path, drop_invalid=True)
    assert data.n == 28 and list(data.table.columns) == ["a", "b", "c"]
    assert any("missing-value mark" in note and "'c' (1)" in note for note in data.notes)
    filled = load_data(path, fill_missing=True)
    assert filled.n == 30 and filled.table["c"][3] == 3.0  # the median of c
    # a text column with a dash among words stays a category
    path.write_text("a,kind\n" + "".join(f"{i},{'-' if i == 2 else 'xy'[i % 2]}\n"
                                         for i in range(30)))
    assert load_data(path).table["kind"][2] == "-"


def test_numbers_with_decimal_commas_are_read_as_numbers(tmp_path):
    """A spreadsheet saved in a European locale: ``;`` between cells, ``5,1`` for 5.1.

    Before, every column was read as a category and the run clustered on their one-hot codes
    (iris: ACC 0.640 against 0.833 with the same numbers written ``5.1``).
    """
    rng = np.random.default_rng(0)
    values = np.round(rng.normal(5, 1, (40, 2)), 2)
    lines = [f"{a:.2f};{b:.1f};{i * 1000}".replace(".", ",") for i, (a, b) in enumerate(values)]
    path = tmp_path / "european.csv"
    path.write_text("width;height;grams\n" + "\n".join(lines) + "\n")
    data = load_data(path)
    assert list(data.feature_table().columns) == ["width", "height", "grams"]
    assert np.allclose(data.table["width"], values[:, 0])
    assert np.allclose(data.table["height"], [float(f"{b:.1f}") for b in values[:, 1]])
    assert any("decimal comma" in note and "'width', 'height'" in note for note in data.notes)
    assert not any("'grams'" in note for note in data.notes)  # whole numbers: no comma
    # "1,234" alone could be a thousands separator: not read as 1.234 (tabs between cells)
    path.write_text("code\tx\n" + "".join(f"{1 + i % 5},{100 + i % 5}\t{i}\n"
                                           for i in range(30)))
    data = load_data(path)
    assert data.table["code"][0] == "1,100"  # kept as written: a category
    # with semicolons between the cells (stop 78), the comma is the decimal mark
    path.write_text(path.read_text().replace("\t", ";"))
    data = load_data(path)
    assert data.table["code"][0] == 1.1
    assert any("semicolons part the file's cells" in note for note in data.notes)
    # a US spreadsheet's quoted "1,234.5": thousands separators
    path.write_text("price,n\n" + "".join(f'"{1000 * (i + 1):,}.5",{i % 3}\n' for i in range(30)))
    data = load_data(path)
    assert data.table["price"][29] == 30000.5
    assert any("'price' with thousands separators" in note for note in data.notes)
    # an analyst's export: per-cent and currency signs
    path.write_text("share,revenue,n\n" + "".join(
        f'{10 + i}%,"${1000 * (i + 1):,}.25",{i % 3}\n' for i in range(30)))
    data = load_data(path)
    assert data.table["share"][5] == 15.0 and data.table["revenue"][29] == 30000.25
    assert any("'share' with a per-cent sign" in note for note in data.notes)
    assert any("'revenue' with a currency sign ($12 as 12) and thousands" in note
               for note in data.notes)
    assert not any("decimal comma" in note for note in data.notes)


def test_numbers_with_a_unit_are_read_as_numbers_and_dates_are_named_as_dates(tmp_path):
    """A lab's export: ``5.2 kg`` in every cell of a column, a date column beside them.

    Before, the weights were a text column, left out, and the dates were called "a text
    column ... name it as the text column" (clustering dates as text makes no sense).
    """
    rng = np.random.default_rng(1)
    group = np.repeat([0, 1, 2], 40)
    weight = np.round(5 + 3 * group + rng.normal(0, 0.4, 120), 2)
    temp = np.round(36.5 + group + rng.normal(0, 0.2, 120), 1)
    frame = pd.DataFrame({"weight": [f"{w} kg" for w in weight],
                          "temperature": [f"{t}°C" for t in temp],
                          "dose": [f"{d} mg" if i % 4 else f"{d} g" for i, d in
                                   enumerate(rng.integers(1, 500, 120))],  # two units: text
                          "seen": pd.date_range("2024-01-01", periods=120).strftime("%d/%m/%Y"),
                          "group": group})
    path = tmp_path / "lab.csv"
    frame.to_csv(path, index=False)
    data = load_data(path, label_column="group")
    assert list(data.feature_table().columns) == ["weight", "temperature"]
    assert np.allclose(data.table["weight"], weight) and data.table["temperature"][0] == temp[0]
    assert any("'weight' with a unit, kg (5.2 kg as 5.2)" in note for note in data.notes)
    assert any("'temperature' with a unit, °C" in note for note in data.notes)
    assert any(note.startswith("Ignored column 'dose': text column") for note in data.notes)
    assert ("Ignored column 'seen': dates or times (120 distinct values), which are not "
            "clustered on (to cluster on one, add a column of numbers from it, such as days "
            "since a start date).") in data.notes
    with pytest.raises(InputError, match=r"^'lab.csv': feature column\(s\) 'seen' hold dates "
                                         r"or times, which are not clustered on; add a column"):
        load_data(path, label_column="group", feature_columns=["weight", "seen"])
    typed = frame.assign(seen=pd.date_range("2024-01-01", periods=120, freq="h"))
    typed.to_parquet(tmp_path / "lab.parquet")  # dates typed as such (Excel's cells too)
    data = load_data(tmp_path / "lab.parquet", label_column="group")
    assert list(data.feature_table().columns) == ["weight", "temperature"]  # not nanoseconds
    assert any(note.startswith("Ignored column 'seen': dates or times (120 distinct")
               for note in data.notes)


def test_a_table_of_categories_only_is_clustered_on_them_with_a_note(tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "answers.csv"
    path.write_text("colour,shape\n" + "".join(
        f"{rng.choice(['red', 'blue'])},{rng.choice(['square', 'circle', 'star'])}\n"
        for _ in range(60)))
    data = load_data(path)
    assert list(data.feature_table().columns) == ["colour", "shape"]
    assert any("No column of numbers" in note and "'colour', 'shape'" in note
               for note in data.notes)


def test_numbers_that_read_two_ways_are_settled_by_the_other_columns(tmp_path):
    """``"51,364"`` may be 51364 or 51.364, so a column of such cells alone stays text; a
    US export whose other columns have decimal points reads it with thousands separators,
    and a European one whose other columns have decimal commas reads it with a decimal
    comma (both were left out as 'text column with 30 distinct values')."""
    rng = np.random.default_rng(1)
    pay = rng.integers(20_000, 99_999, 30)
    height = np.round(rng.normal(1.7, 0.1, 30), 2)
    path = tmp_path / "staff.csv"
    path.write_text("height,pay\n" + "".join(f'{h:.2f},"{p:,}"\n' for h, p in zip(
        height, pay, strict=True)))
    data = load_data(path)
    assert data.table["pay"].tolist() == pay.astype(float).tolist()
    assert list(data.feature_table().columns) == ["height", "pay"]
    assert any("'pay' with thousands separators" in note
               and "other columns use decimal points" in note for note in data.notes)
    path.write_text("height;mass\n" + "".join(f"{h:.2f};{p // 1000},{p % 1000:03d}\n".replace(
        ".", ",", 1) for h, p in zip(height, pay, strict=True)))
    data = load_data(path)
    assert np.allclose(data.table["mass"], pay / 1000)
    assert any("other columns use decimal commas" in note for note in data.notes)
    from clustering.csv_parquet import csv_as_parquet  # a large file, read in blocks, alike

    chunked = pd.read_parquet(csv_as_parquet(path, tmp_path / "conv", block_rows=10))
    assert np.allclose(chunked["mass"], pay / 1000)
    path.write_text("code,pay\n" + "".join(f'{i % 3},"{p:,}"\n' for i, p in enumerate(pay)))
    data = load_data(path)  # nothing settles it: left out, saying why (was: 'a different
    assert "pay" not in data.table  # name in every row ... like sample names')
    assert any(f"numbers such as '{pay[0]:,}' may have a comma between thousands or a "
               f"decimal comma ({pay[0]} or {pay[0] / 1000})" in note for note in data.notes)


def test_an_excel_workbook_with_decimal_commas_is_read_on_the_data_page(tmp_path):
    """A lab's workbook as a European Excel saves it: numbers typed as text with a decimal
    comma, a second sheet of notes. The Data page reads the first sheet's numbers and says
    both things."""
    pytest.importorskip("openpyxl")
    write_workbook(tmp_path / "lab.xlsx", "samples", ["width", "height", "batch"],
                   [[f"{1 + i / 10:.1f}".replace(".", ","), 2.5 + i % 3, "ab"[i % 2]]
                    for i in range(30)])
    at = start_app()
    at.switch_page("app_pages/data.py").run()
    at.file_uploader(key="uploader").upload("lab.xlsx", (tmp_path / "lab.xlsx").read_bytes(),
                                            "application/vnd.openxmlformats-officedocument"
                                            ".spreadsheetml.sheet")
    at.run()
    no_errors(at)
    assert "Read 30 table rows" in shown(at.success[0].value)
    notes = [shown(i.value) for i in at.info]
    assert any("2 sheets; read the first, 'samples'" in n for n in notes), notes
    assert any("'width' with a decimal comma" in n for n in notes), notes
    assert "batch" in at.selectbox(key="label_col").options


def test_json_lines_of_texts_with_embeddings_read_as_embeddings_on_the_data_page(tmp_path):
    """An ML engineer's export: one JSON object per line, a text, nested metadata and a
    vector. Read as embeddings on the Data page, the vector alone is clustered on."""
    rng = np.random.default_rng(0)
    lines = [json.dumps({"text": f"caption {i}", "meta": {"score": float(i)},
                         "vector": rng.normal(i % 3, 1, 6).round(4).tolist()})
             for i in range(30)]
    at = start_app()
    at.switch_page("app_pages/data.py").run()
    at.file_uploader(key="uploader").upload("captions.jsonl", "\n".join(lines).encode(),
                                            "application/jsonl")
    at.run()
    at.selectbox(key="kind").set_value("embeddings").run()
    no_errors(at)
    assert "Read 30 embedding rows" in shown(at.success[0].value), at.success[0].value
    notes = [shown(i.value) for i in at.info]
    assert any("'vector' of 'captions.jsonl' holds a list of 6 numbers" in n
               for n in notes), notes


def test_a_mostly_empty_column_is_named_as_one_to_leave_out(tmp_path):
    """A column nine tenths empty: the error names it and ``--ignore-columns`` besides filling
    (a median in 90 % of its cells) or dropping rows (90 % of the table); leaving it out
    keeps every row."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(60, 3)), columns=["blood pressure", "b", "c"])
    frame.loc[frame.index % 10 != 0, "blood pressure"] = np.nan
    frame.loc[5, "b"] = np.nan  # one gap elsewhere: not named as mostly empty
    path = tmp_path / "gappy.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(InputError) as err:
        load_data(path)
    message = str(err.value)
    assert "'blood pressure' (90% empty)" in message
    assert "--ignore-columns 'blood pressure')" in message  # quoted for a shell
    assert "'b' (" not in message and "--fill-missing" in message
    kept = load_data(path, ignore_columns=["blood pressure"], drop_invalid=True)
    assert kept.n == 59 and "blood pressure" not in kept.table.columns


def test_answers_on_a_scale_that_are_most_of_the_columns_are_clustered_on(tmp_path):
    """A survey of 12 answers from 1 to 5 beside an age: the answers were "read like a
    category" (at most 5 values beside a continuous column) and the rows were clustered on
    the age alone. Yes/no flags that are most of the columns still are left out."""
    rng = np.random.default_rng(0)
    kind = np.repeat([0, 1, 2], 100)
    leaning = np.array([[1, 1, 5, 5], [5, 5, 1, 1], [3, 1, 3, 5]])[kind]  # 3 profiles
    answers = np.clip(np.repeat(leaning, 3, axis=1) + rng.integers(-1, 2, (300, 12)), 1, 5)
    frame = pd.DataFrame(answers, columns=[f"q{i + 1}" for i in range(12)])
    frame["age"] = rng.normal(45, 12, 300).round(1)
    frame["kind"] = kind
    frame.to_csv(tmp_path / "survey.csv", index=False)
    data = load_data(tmp_path / "survey.csv", label_column="kind")
    assert list(data.feature_table().columns) == [*[f"q{i + 1}" for i in range(12)], "age"]
    assert not [n for n in data.notes if "distinct values" in n]
    flags = pd.DataFrame(rng.integers(0, 2, (300, 8)), columns=[f"f{i}" for i in range(8)])
    flags["dose"] = rng.gamma(2.0, 10.0, 300)
    flags.to_csv(tmp_path / "flags.csv", index=False)
    assert list(load_data(tmp_path / "flags.csv").feature_table().columns) == ["dose"]


def test_a_table_whose_only_number_column_is_an_id_is_refused_in_one_sentence(tmp_path,
                                                                              capsys):
    """Free-text notes beside a row number: it crashed inside the features ("need at least
    one array to concatenate", exit 1, an internal error) once the id was left out."""
    from workspace.cli import main

    path = tmp_path / "notes.csv"
    pd.DataFrame({"row": range(40), "note": [f"visit {i} went fine" for i in range(40)]}
                 ).to_csv(path, index=False)
    assert main(["run", "--data", str(path), "--method", "kmeans", "--clusters", "3",
                 "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert ("'notes.csv' has no column to cluster on: its columns ('row') were left out as "
            "ids or empty (the notes say which); name the columns to cluster on "
            "(--feature-columns), or a column of texts (--text-column).") in err
    assert "internal error" not in err and not (tmp_path / "o").exists()
    data = load_data(path, feature_columns=["row"])  # named: clustered on as asked
    assert list(data.feature_table().columns) == ["row"]
    at = upload_on_data_page("notes.csv", path.read_bytes(), "text/csv")
    assert not at.exception  # the app asks for the columns, and runs on those chosen
    assert any("Choose at least one column to cluster on" in shown(e.value) for e in at.error)
    at.multiselect(key=next(k for k in at.session_state if str(k).startswith("feature_cols")
                            )).set_value(["row"]).run()
    no_errors(at)


def test_a_column_of_numbers_with_some_words_says_which_cells_are_not_numbers(tmp_path):
    """15 % of cells 'x' in a column of numbers: it was "text column with 35 distinct values
    (name it as the text column ...)"; the note now says which cells keep it out."""
    rng = np.random.default_rng(0)
    path = tmp_path / "mixed.csv"
    pd.DataFrame({"a": rng.normal(size=40), "b": ["x" if i % 7 == 0 else str(i * 1.5)
                                                   for i in range(40)],
                  "c": rng.normal(size=40)}).to_csv(path, index=False)
    data = load_data(path)
    assert list(data.feature_table().columns) == ["a", "c"]
    assert ("Ignored column 'b': 6 of its 40 cells are not numbers (such as 'x') though the "
            "others are; empty those cells, or write NA in them, to cluster on it.") in data.notes
    path.write_text(path.read_text().replace(",x,", ",NA,"))  # as the note says
    data = load_data(path, fill_missing=True)
    assert list(data.feature_table().columns) == ["a", "b", "c"]


@pytest.mark.parametrize("mark", [".", " ", "\u00a0", "\u202f"])
def test_thousands_marked_where_the_comma_is_the_decimal_mark(tmp_path, mark):
    """``1.234,56`` (German, Italian, Spanish, Dutch) and ``1 234,56`` (French, Nordic, often
    with a no-break space): every price of 1,000 or more made the column unreadable, so it was
    left out as "a different name in every row" or as a text column."""
    rng = np.random.default_rng(4)
    prices = np.round(rng.uniform(200, 250_000, 60), 2)

    def written(x):
        whole, cents = f"{x:,.2f}".split(".")
        return whole.replace(",", mark) + "," + cents

    path = tmp_path / "prices.csv"
    pd.DataFrame({"price": [written(x) for x in prices], "n": np.arange(60) % 4}).to_csv(
        path, sep=";", index=False)
    data = load_data(path)
    assert np.allclose(data.table["price"], prices)
    assert any("'price' with thousands marks and a decimal comma" in n for n in data.notes)


def test_a_spreadsheet_formula_error_in_a_column_of_numbers_is_an_empty_cell(tmp_path):
    """``#DIV/0!``, ``#VALUE!``, ``#REF!``: a failed formula, saved into the CSV as text. The
    column was refused ("holds numbers except 3 value(s) that are not numbers ... fix those
    cells or remove the column"); now those cells are empty, with the choices for gaps."""
    rng = np.random.default_rng(2)
    a = rng.normal(size=60).round(2).astype(object)
    a[[3, 20, 41]] = ["#DIV/0!", "#VALUE!", "#REF!"]
    path = tmp_path / "ratios.csv"
    pd.DataFrame({"ratio": a, "b": rng.normal(size=60).round(2)}).to_csv(path, index=False)
    with pytest.raises(InputError, match=r"3 row\(s\) of 'ratios.csv' have missing or "
                                         r"infinite values \(column\(s\) 'ratio'; data row\(s\) "
                                         r"4, 21, 42\)"):
        load_data(path)
    data = load_data(path, fill_missing=True)
    assert data.table["ratio"].notna().all() and data.n == 60
    assert any("a formula's error ('#DIV/0!') as empty: 'ratio' (3)" in n for n in data.notes)
