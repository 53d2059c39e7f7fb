"""Delimited files as new users bring them: European CSVs, no header line, one text per line."""

import numpy as np
import pandas as pd
import pytest

from clustering.loaders import load_data


def _blobs(rows: int = 120, columns: int = 6, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.normal(size=(rows, columns)) + rng.integers(0, 3, rows)[:, None] * 4.0


def test_a_semicolon_csv_with_decimal_commas_is_read_as_its_numbers(tmp_path):
    """A spreadsheet in a European locale writes ``;`` between cells and ``,`` in numbers; every
    line then has more commas than semicolons, and the comma was taken as the delimiter."""
    values = _blobs()
    frame = pd.DataFrame(values, columns=[f"m{i}" for i in range(values.shape[1])])
    path = tmp_path / "export.csv"
    frame.to_csv(path, sep=";", decimal=",", index=False)
    data = load_data(path)
    assert data.modality == "table" and data.n == len(values)
    assert list(data.table.columns) == list(frame.columns)
    np.testing.assert_allclose(data.table.to_numpy(dtype=float), values, rtol=1e-12)
    assert any("decimal comma" in note for note in data.notes)


def test_numbers_without_a_header_line_keep_their_first_row(tmp_path):
    """``numpy.savetxt`` writes no header: the first row was read as column names and lost."""
    values = _blobs()
    path = tmp_path / "points.csv"
    np.savetxt(path, values, delimiter=",")
    data = load_data(path)
    assert data.n == len(values)
    assert list(data.table.columns) == [f"column_{i + 1}" for i in range(values.shape[1])]
    np.testing.assert_allclose(data.table.to_numpy(dtype=float), values)
    assert any("no header line" in note and "column_1" in note for note in data.notes)
    pixels = np.random.default_rng(1).integers(0, 256, (50, 64))
    pixels[:, :4] = 0  # repeated values on the first line: never a header
    np.savetxt(tmp_path / "pixels.csv", pixels, delimiter=",", fmt="%d")
    assert load_data(tmp_path / "pixels.csv").n == 50


def test_a_header_of_numbers_in_order_stays_a_header(tmp_path):
    """Columns named by wavelength, time or year run in order: that line is a header."""
    values = np.abs(_blobs(80, 40))
    names = [str(400 + 5 * i) for i in range(values.shape[1])]
    path = tmp_path / "spectra.csv"
    pd.DataFrame(values, columns=names).to_csv(path, index=False)
    data = load_data(path, kind="table")
    assert data.n == 80 and list(data.table.columns) == names
    assert not any("no header line" in note for note in data.notes)


def test_a_txt_of_one_text_per_line_is_read_as_texts_commas_and_all(tmp_path):
    rng = np.random.default_rng(0)
    lines = [f"Order {i} arrived late, and the box was {rng.choice(['torn', 'wet'])}; "
             "support never answered" if i % 2 else f"Great phone number {i}, battery lasts"
             for i in range(60)]
    path = tmp_path / "reviews.txt"
    path.write_text("\n".join(lines) + "\n\n")
    data = load_data(path)
    assert data.modality == "text" and data.n == 60 and list(data.texts) == lines
    assert any("one text per line" in note and "not a header" in note for note in data.notes)
    path.write_text("review\n" + "\n".join(lines))
    data = load_data(path)
    assert data.n == 60 and data.texts[0] == lines[0]
    assert any("'review'" in note for note in data.notes)


def test_a_one_column_csv_whose_header_reads_like_a_text_says_so(tmp_path):
    texts = [f"The battery of phone {i} lasts two days" if i % 2 else
             f"Parcel {i} came late and the box was torn" for i in range(40)]
    path = tmp_path / "reviews.csv"
    pd.DataFrame({texts[0]: texts[1:]}).to_csv(path, index=False)
    data = load_data(path, kind="text")
    assert data.n == 39 and any("reads like one of its texts" in note and "add a header line"
                                in note for note in data.notes)
    pd.DataFrame({"What did you think of it?": texts}).to_csv(path, index=False)
    data = load_data(path, kind="text")
    assert data.n == 40 and not any("reads like" in note for note in data.notes)
    pd.DataFrame({"Temperature in degrees Celsius": np.arange(40.0)}).to_csv(path, index=False)
    assert not any("reads like" in note for note in load_data(path).notes)


def test_a_tab_separated_txt_is_still_a_table(tmp_path):
    values = _blobs()
    path = tmp_path / "table.txt"
    pd.DataFrame(values, columns=list("abcdef")).to_csv(path, sep="\t", index=False)
    data = load_data(path)
    assert data.modality == "table" and data.n == len(values)
    assert list(data.table.columns) == list("abcdef")


def test_a_sheet_of_numbers_without_a_header_row_keeps_its_first_row(tmp_path):
    values = _blobs(60, 5)
    pd.DataFrame(values).to_excel(tmp_path / "numbers.xlsx", header=False, index=False)
    data = load_data(tmp_path / "numbers.xlsx")
    assert data.n == 60 and data.table.columns[0] == "column_1"
    np.testing.assert_allclose(data.table.to_numpy(dtype=float), values)
    pd.DataFrame(values, columns=["a", "b", "c", "d", "e"]).to_excel(tmp_path / "named.xlsx",
                                                                     index=False)
    assert load_data(tmp_path / "named.xlsx").table.columns[0] == "a"


def test_a_row_naming_groups_of_columns_above_the_header_is_skipped(tmp_path):
    """A report's two-row header ('Chemistry' over three columns, 'Colour' over three, as
    merged cells): the group row was taken as the header ('Chemistry', 'Unnamed: 1', ...)
    and the run failed on the label column. In a CSV and in a workbook, title or not."""
    openpyxl = pytest.importorskip("openpyxl")
    rng = np.random.default_rng(0)
    values = rng.normal(0, 1, (40, 6)).round(3)
    names = ["a", "b", "c", "hue", "tone", "depth", "class"]
    rows = [[*map(str, v), "xy"[i % 2]] for i, v in enumerate(values)]
    lines = ["Chemistry,,,Colour,,,Class", ",".join(names), *(",".join(r) for r in rows)]
    (tmp_path / "groups.csv").write_text("\n".join(lines) + "\n")
    (tmp_path / "titled.csv").write_text("Lab report 2024\n\n" + "\n".join(lines) + "\n")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Lab report 2024"])
    sheet.append(["Chemistry", None, None, "Colour", None, None, "Class"])
    sheet.merge_cells("A2:C2")
    sheet.append(names)
    for v, r in zip(values.tolist(), rows, strict=True):
        sheet.append([*v, r[-1]])
    book.save(tmp_path / "groups.xlsx")
    for file in ("groups.csv", "titled.csv", "groups.xlsx"):
        data = load_data(tmp_path / file, label_column="class")
        assert data.n == 40 and list(data.feature_table().columns) == names[:-1], file
        np.testing.assert_allclose(data.table["hue"], values[:, 3])
    # a pandas index's blank name over rows of text is a header, not a group row
    frame = pd.DataFrame({"name": [f"n{i}" for i in range(30)],
                          "note": [f"the parcel {i} arrived late again today" for i in range(30)],
                          "x": np.arange(30) / 3}, index=[f"r{i}" for i in range(30)])
    frame.to_csv(tmp_path / "indexed.csv")
    from clustering.tables import read_table

    assert read_table(tmp_path / "indexed.csv").columns.tolist() == ["Unnamed: 0", "name",
                                                                     "note", "x"]
