"""Every loader: demos, CSV/TSV/Parquet/Excel/JSON tables, .npy, image folders and zips, texts."""

import gzip
import io
import zipfile

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from clustering.errors import InputError
from clustering.features import featurize
from clustering.loaders import load_data


@pytest.mark.parametrize("name,rows,modality", [("digits", 1797, "images"), ("iris", 150, "table"),
                                                ("wine", 178, "table")])
def test_demos(name, rows, modality):
    data = load_data(f"demo:{name}")
    assert data.n == rows and data.modality == modality and data.labels is not None


def test_digits_keeps_pixels_in_original_units():
    data = load_data("demo:digits")
    assert data.table.columns[9] == "px_1_1" and data.table.to_numpy().max() == 16
    assert data.images.shape == (1797, 8, 8) and data.images.dtype == np.uint8


def test_csv_with_roles(blobs_csv):
    data = load_data(blobs_csv, label_column="group", id_column="item")
    assert data.modality == "table" and data.n == 600
    assert list(data.table.columns) == [f"f{i}" for i in range(5)]
    assert data.ids[0] == "p0" and set(data.labels) == {0, 1, 2, 3}


def test_semicolon_csv_with_bom_and_categorical(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes("\ufeffsize;colour\n1,0;red\n2,5;blue\n3,0;red\n4,0;blue\n".replace(",", ".")
                     .encode("utf-8"))
    data = load_data(path)
    assert list(data.table.columns) == ["size", "colour"]
    assert data.features == ("size",)  # a categorical is kept for colouring, not clustered
    chosen = load_data(path, feature_columns=["size", "colour"])
    feats = featurize(chosen)
    assert "colour=red" in feats.names and feats.X.shape == (4, 3)


def test_csv_saved_by_excel_on_windows_is_read_as_windows_1252_with_a_note(tmp_path):
    path = tmp_path / "caf\u00e9s.csv"
    rows = "".join(f"{city};{i};{i % 3}\n" for i, city in enumerate(["Malm\u00f6", "K\u00f6ln",
                                                                       "S\u00e3o Paulo"] * 5))
    path.write_bytes(("ville;cafés;étoiles\n" + rows).encode("cp1252"))
    data = load_data(path)
    assert set(data.table.columns) == {"ville", "cafés", "étoiles"}
    assert data.table["ville"][0] == "Malm\u00f6"
    assert "read as Windows-1252" in data.notes[0]


def test_utf16_tables_as_excel_and_powershell_save_them_are_read_without_a_note(tmp_path):
    rows = [{"site": "K\u00f6ln", "depth": 1.5 + i, "grade": i % 3} for i in range(12)]
    frame = pd.DataFrame(rows)
    # Excel's "Unicode Text" (.txt, tabs) and Windows PowerShell's `>` write UTF-16 with a mark
    frame.to_csv(tmp_path / "unicode.txt", sep="\t", index=False, encoding="utf-16")
    (tmp_path / "rows.json").write_bytes(  # big-endian, with its mark
        ("\ufeff" + frame.to_json(orient="records")).encode("utf-16-be"))
    (tmp_path / "rows.jsonl").write_text(frame.to_json(orient="records", lines=True),
                                         encoding="utf-16")
    (tmp_path / "wide.csv").write_text(frame.to_csv(index=False), encoding="utf-32")
    for name in ("unicode.txt", "rows.json", "rows.jsonl", "wide.csv"):
        data = load_data(tmp_path / name)
        assert sorted(data.table.columns) == ["depth", "grade", "site"], name
        assert data.table["site"][0] == "K\u00f6ln" and data.table["depth"][11] == 12.5
        assert not any("UTF-8" in note for note in data.notes)
    cut = (tmp_path / "unicode.txt").read_bytes()[:-1]  # half a character at the end
    (tmp_path / "cut.csv").write_bytes(cut)
    with pytest.raises(InputError, match=r"^'cut.csv' starts with the mark of UTF-16 text but "
                                         r"is not valid UTF-16 .*save it as UTF-8 CSV"):
        load_data(tmp_path / "cut.csv")


def test_excel_workbook_opening_on_a_sheet_of_notes_reads_the_table_sheet(tmp_path):
    """A supplement's workbook opens on a 'README' sheet; the table is on the second. The
    first sheet was read (one column 'About') and the run failed on the label column."""
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.title = "README"
    for line in ("Measurements of 40 samples", "Columns: width, height, kind"):
        book.active.append([line])
    table = book.create_sheet("data")
    table.append(["width", "height", "kind"])
    for i in range(40):
        table.append([1.5 * i, 2.0 + (i % 4) + i / 100, "ab"[i % 2]])
    book.save(tmp_path / "supplement.xlsx")
    data = load_data(tmp_path / "supplement.xlsx", label_column="kind")
    assert data.n == 40 and list(data.feature_table().columns) == ["width", "height"]
    assert any("2 sheets; read 'data', the one spanning the most cells (the first is "
               "'README')" in n for n in data.notes), data.notes


def test_a_workbook_of_one_table_kept_a_sheet_a_year_is_read_as_one_table(tmp_path):
    """An analyst's workbook keeps one sheet per year ('2023', '2024') of the same columns,
    beside a summary sheet; only the largest sheet was read (half the rows, silently but
    for a note)."""
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.title = "summary"
    book.active.append(["year", "orders"])
    book.active.append([2023, 30])
    for year, n in (("2023", 30), ("2024", 36)):
        sheet = book.create_sheet(year)
        sheet.append(["width", "height", "kind"])
        for i in range(n):
            sheet.append([1.5 * i, 2.0 + (i % 4) + i / 100, "ab"[i % 2]])
    book.save(tmp_path / "orders.xlsx")
    data = load_data(tmp_path / "orders.xlsx", label_column="kind")
    assert data.n == 66 and list(data.feature_table().columns) == ["width", "height"]
    assert list(data.table["sheet"][[0, 29, 30, 65]]) == ["2023", "2023", "2024", "2024"]
    assert ("'orders.xlsx' has 2 sheets with the same columns ('2023', '2024'); read them as "
            "one table, the sheet of each row in column 'sheet' (kept for colouring, not "
            "clustered on); its 1 other sheet(s) were left out.") in data.notes


def test_excel_workbook_first_sheet_with_a_note_about_the_others(tmp_path):
    pytest.importorskip("openpyxl")
    from helpers import write_workbook

    rows = [[1.5 * i, 2.0 + (i % 4), "ab"[i % 2]] for i in range(30)]
    path = write_workbook(tmp_path / "lab.xlsx", "measures", ["width", "height", "kind"],
                          [*rows, [None, None, None]])  # a formatted, empty last row
    data = load_data(path, label_column="kind")
    assert data.n == 30 and list(data.feature_table().columns) == ["width", "height"]
    assert data.table["width"][29] == 43.5 and data.labels[1] == "b"
    assert "2 sheets; read the first, 'measures'" in data.notes[0]
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0" + bytes(60))
    with pytest.raises(InputError, match=r"Excel 97-2003.*save it as \.xlsx or CSV"):
        load_data(tmp_path / "old.xls")
    (tmp_path / "fake.xlsx").write_text("a,b\n1,2\n")
    with pytest.raises(InputError, match="not a readable Excel workbook"):
        load_data(tmp_path / "fake.xlsx")


def test_excel_report_with_title_rows_above_its_header(tmp_path):
    pytest.importorskip("openpyxl")
    from helpers import write_workbook

    rows = [[1.5 * i, 2.0 + (i % 4), "ab"[i % 2]] for i in range(30)]
    path = write_workbook(tmp_path / "report.xlsx", "q3", ["Field report,\nseason 2024"],
                          [["exported 2024-10-01"], [], ["width", "height", "kind"], *rows],
                          notes_sheet=False)
    data = load_data(path, label_column="kind")
    assert data.n == 30 and list(data.feature_table().columns) == ["width", "height"]
    assert data.table["width"][29] == 43.5 and data.labels[1] == "b"
    assert data.notes[0].startswith("Skipped the line(s) above the header of 'report.xlsx' "
                                    "('Field report, season 2024')")


def test_report_csv_with_title_lines_and_trailing_delimiters(tmp_path):
    """A CSV exported from a report: a title and a blank line above the header, and every
    row ending in a delimiter. Before, the title became the only column name and the
    load was refused as 'holds numbers except 1 value(s)'; a trailing delimiter shifted
    every column by one (pandas took the first as the index)."""
    rows = "".join(f"{'nsw'[i % 3]};{i / 4};{i % 5 * 1.5};\n" for i in range(30))
    path = tmp_path / "report.csv"
    path.write_text("Quarterly figures, exported 2026-11-30\n\nregion;x;y;\n" + rows)
    data = load_data(path)
    assert list(data.feature_table().columns) == ["x", "y"]
    assert data.table["x"][5] == 1.25 and data.table["y"][5] == 0.0
    assert "Skipped the line(s) above the header" in data.notes[0]
    assert "Quarterly figures" in data.notes[0]
    plain = tmp_path / "plain.csv"  # a short header over rows with trailing commas: kept
    plain.write_text("a,b\n" + "".join(f"{i},{i * 2},\n" for i in range(20)))
    data = load_data(plain)
    assert list(data.table.columns) == ["a", "b"] and data.table["b"][3] == 6.0
    assert not any("Skipped" in note for note in data.notes)
    # a named column nobody filled in: kept for export, not clustered on (before: every row
    # was refused for its gap)
    plain.write_text("a,b,remarks\n" + "".join(f"{i % 7},{i * 2 % 5},\n" for i in range(20)))
    data = load_data(plain)
    assert list(data.feature_table().columns) == ["a", "b"] and "remarks" in data.table
    assert any("'remarks' is empty" in note for note in data.notes)


def test_parquet(tmp_path, blobs):
    X, y = blobs
    path = tmp_path / "b.parquet"
    pd.DataFrame({"a": X[:, 0], "b": X[:, 1], "y": y}).to_parquet(path)
    data = load_data(path, label_column="y")
    assert data.n == 600 and list(data.table.columns) == ["a", "b"]


def test_npy_embeddings(tmp_path, blobs):
    X, _ = blobs
    path = tmp_path / "e.npy"
    np.save(path, X)
    data = load_data(path)
    assert data.modality == "embeddings" and data.embeddings.shape == X.shape
    np.testing.assert_allclose(featurize(data).X, X)


def _png(value, size=(8, 8), mode="L"):
    buf = io.BytesIO()
    Image.new(mode, size, value).save(buf, format="PNG")
    return buf.getvalue()


def test_image_folder_with_class_subfolders(tmp_path):
    for cls, value in (("dark", 10), ("light", 240)):
        (tmp_path / "imgs" / cls).mkdir(parents=True)
        for i in range(3):
            (tmp_path / "imgs" / cls / f"{i}.png").write_bytes(_png(value + i))
    data = load_data(tmp_path / "imgs")
    assert data.modality == "images" and data.n == 6
    assert sorted(set(data.labels)) == ["dark", "light"]
    assert data.images.shape == (6, 8, 8)


def test_a_spreadsheets_total_or_average_row_at_the_bottom_is_left_out(tmp_path):
    """A report ends in a 'Total' row; it was clustered as one more row, many times larger
    than the others."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.gamma(2, 3, (30, 3)).round(2), columns=["a", "b", "c"])
    frame.insert(0, "site", [f"s{i}" for i in range(30)])
    total = pd.DataFrame([["Total", *frame[["a", "b", "c"]].sum().round(2)]],
                         columns=frame.columns)
    pd.concat([frame, total]).to_csv(tmp_path / "report.csv", index=False)
    data = load_data(tmp_path / "report.csv")
    assert data.n == 30 and data.table["a"].max() < 50
    assert data.notes[0] == ("Left out the last row of 'report.csv' ('Total'): each of its "
                             "numbers is the sum of the rows above it, as a spreadsheet's "
                             "total row is.")
    new_rows = load_data(tmp_path / "report.csv", like_run={"kind": "table"})  # predict's
    assert new_rows.n == 30 and new_rows.notes[0].startswith("Left out the last row")
    mean = pd.DataFrame([["", *frame[["a", "b", "c"]].mean().round(3)]], columns=frame.columns)
    pd.concat([frame, mean]).to_csv(tmp_path / "means.csv", index=False)
    assert load_data(tmp_path / "means.csv").n == 30
    frame.to_csv(tmp_path / "plain.csv", index=False)  # an ordinary last row stays
    plain = load_data(tmp_path / "plain.csv")
    assert plain.n == 30 and not any("Left out the last row" in n for n in plain.notes)


def test_a_zip_or_folder_of_a_table_says_to_load_the_table_file(tmp_path):
    """Users zip a CSV to upload it; the zip is read as images and the error said only
    'holds no ... image; add images and retry.'"""
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "measures.csv").write_text("a,b\n" + "1,2\n" * 20)
    with zipfile.ZipFile(tmp_path / "measures.zip", "w") as zf:
        zf.write(tmp_path / "d" / "measures.csv", "measures.csv")
    with pytest.raises(InputError, match=r"holds no .* image but 1 table file\(s\) "
                       r"\('measures.csv'\); a zip is read as images, so unzip it"):
        load_data(tmp_path / "measures.zip")
    with pytest.raises(InputError, match="a folder is read as images, so load the table"):
        load_data(tmp_path / "d")


def test_image_zip_mixed_sizes_and_formats(tmp_path):
    path = tmp_path / "imgs.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("a.png", _png(20, (10, 12)))
        buf = io.BytesIO()
        Image.new("RGB", (40, 30), (200, 10, 10)).save(buf, format="JPEG")
        zf.writestr("b.jpg", buf.getvalue())
        buf = io.BytesIO()
        Image.new("RGB", (16, 16), (0, 0, 250)).save(buf, format="WEBP")
        zf.writestr("c.webp", buf.getvalue())
        zf.writestr("readme.txt", "not an image, ignored by suffix")
    data = load_data(path, image_size=16)
    assert data.n == 3 and data.images.shape == (3, 16, 16, 3)
    assert featurize(data).representation == "pixels"


def test_photos_stored_sideways_are_read_as_viewers_show_them(tmp_path):
    """A phone stores a portrait photo's pixels as the sensor saw them, with an EXIF
    orientation saying how to turn them; read as stored, the same scene taken upright and
    sideways looked like two different images."""
    scene = np.zeros((40, 80), np.uint8)
    scene[:, :20] = 255  # a white band on the left of a landscape picture
    shown = Image.fromarray(scene).rotate(90, expand=True)  # portrait, band at the bottom
    (tmp_path / "photos").mkdir()
    shown.save(tmp_path / "photos" / "upright.jpg", quality=95)
    for orientation, stored in ((8, Image.fromarray(scene)),  # turn 90 degrees to show
                                (3, shown.rotate(180))):  # upside down
        tag = Image.Exif()
        tag[0x0112] = orientation
        stored.save(tmp_path / "photos" / f"tagged{orientation}.jpg", quality=95,
                    exif=tag.tobytes())
    images = load_data(tmp_path / "photos", image_size=32).images.astype(int)
    assert images.shape == (3, 32, 32)
    assert images[:, -4:].mean() > 200 and images[:, :4].mean() < 30  # every band at the bottom
    assert np.abs(images[1:] - images[0]).max() < 30


def test_text_table_auto_detected_and_tfidf(tmp_path):
    docs = ([f"the cat sat on the warm mat number {i} happily" for i in range(10)]
            + [f"stock markets fell sharply today in trading session {i}" for i in range(10)])
    path = tmp_path / "docs.csv"
    pd.DataFrame({"doc": docs, "topic": ["pets"] * 10 + ["finance"] * 10}).to_csv(path,
                                                                                  index=False)
    data = load_data(path, label_column="topic")
    assert data.modality == "text" and data.texts[0].startswith("the cat")
    feats = featurize(data, "tfidf")
    assert feats.X.shape[0] == 20


def test_texts_holding_html_are_read_as_the_words_they_show(tmp_path):
    """Posts exported from a CMS in their HTML: the markup was embedded with the words and
    became the keywords ('class', 'div', 'span', 'href'). Each text holding a tag is read as
    its visible words, in a whole file and in a chunk alike; the file's own text is kept
    for export; code such as ``vector<int>`` is no HTML."""
    from clustering.chunks import ID, Chunk
    from workspace.chunk_tasks import chunk_dataset

    bodies = [f'<div class="post"><p>Storm&nbsp;warning {i} &amp; rain</p><br/>'
              f'<a href="https://x.org/{i}">more</a><script>var t = {i};</script></div>'
              for i in range(12)] + ["std::vector<int> holds the counts if a < b"] * 3
    frame = pd.DataFrame({"body": bodies, "n": range(15)})
    frame.to_csv(tmp_path / "posts.csv", index=False)
    data = load_data(tmp_path / "posts.csv", text_column="body")
    assert data.texts[0] == "Storm warning 0 & rain more"
    assert data.texts[-1] == bodies[-1] and data.table["body"].tolist() == bodies
    assert any(n.startswith("12 text(s) of column 'body' hold HTML") for n in data.notes)
    chunk = chunk_dataset(frame.assign(**{ID: [str(i) for i in range(15)]}),
                          Chunk(0, "parquet", 0, 15, str(tmp_path / "posts.parquet")),
                          {"text_column": "body"})
    assert chunk.texts == data.texts


def test_program_messages_in_angle_brackets_are_no_html(tmp_path):
    """binutils says ``<table too small>``: read as a ``<table>`` tag with two attributes, it
    had no words left and 50,000 program messages were refused for one empty text (stop
    80). Words after a tag's name make it HTML only when one holds a value (``href=``)."""
    from clustering.html_text import visible_texts

    messages = ["<table too small>", "<pre-processed symbol>", "<p unknown>",
                "unknown <td> type in the list"] + [f"cannot open file {i}" for i in range(8)]
    pd.DataFrame({"text": messages}).to_csv(tmp_path / "messages.csv", index=False)
    data = load_data(tmp_path / "messages.csv", text_column="text")
    assert data.texts[:3] == messages[:3]
    assert data.texts[3] == "unknown type in the list"  # a bare tag is still one
    assert visible_texts(['<td nowrap>x</td> and <p class="y">z</p>']) == (["x and z"], 1)


def test_text_column_found_by_itself_is_named_in_a_note(tmp_path):
    path = tmp_path / "survey.csv"
    pd.DataFrame({"age": range(20), "comment": [f"the delivery was late again, order {i}"
                                                 for i in range(20)]}).to_csv(path, index=False)
    data = load_data(path)
    assert data.modality == "text"
    assert "Clustered the texts of column 'comment'" in data.notes[0]
    assert "'age'" in data.notes[0] and "--kind table" in data.notes[0]
    assert not any("Clustered the texts" in n for n in load_data(path, text_column="comment")
                   .notes)  # named by the user: nothing to explain
    assert load_data(path, kind="table").modality == "table"


def test_gzipped_csv_and_json_lines_are_read_as_the_files_inside(tmp_path, blobs_csv):
    path = tmp_path / "blobs.csv.gz"
    path.write_bytes(gzip.compress(blobs_csv.read_bytes()))
    packed = load_data(path, label_column="group", id_column="item")
    plain = load_data(blobs_csv, label_column="group", id_column="item")
    pd.testing.assert_frame_equal(packed.table, plain.table)
    assert packed.name == "blobs.csv.gz" and list(packed.ids[:2]) == ["p0", "p1"]
    rows = tmp_path / "rows.jsonl.gz"
    rows.write_bytes(gzip.compress(b'{"a": 1, "b": 2.5}\n{"a": 2, "b": 3.5}\n' * 10))
    assert load_data(rows).table.shape == (20, 2)
    (tmp_path / "model.pt.gz").write_bytes(gzip.compress(b"not a table"))
    with pytest.raises(InputError, match="does not read"):
        load_data(tmp_path / "model.pt.gz")


@pytest.mark.slow
def test_text_minilm_embedding_offline(tmp_path):
    path = tmp_path / "docs.csv"
    pd.DataFrame({"body": ["a dog barks at the mailman", "a puppy barks loudly",
                           "interest rates rise again", "central bank raises rates"]}
                 ).to_csv(path, index=False)
    data = load_data(path, text_column="body")
    X = featurize(data, "minilm").X
    assert X.shape == (4, 384)
    sims = X @ X.T
    assert sims[0, 1] > sims[0, 2] and sims[2, 3] > sims[1, 3]


@pytest.mark.slow
def test_texts_embedded_shortest_first_come_back_in_input_order(monkeypatch):
    """Length-sorted batches and progress chunks do not reorder or change the vectors."""
    from clustering import text_features
    from clustering.text_features import load_minilm, minilm_embed

    texts = ["a very long sentence about interest rates, central banks and inflation " * 3,
             "cats", "a dog barks", "the central bank raises rates", "a puppy barks loudly",
             "x" * 5, "rates"]
    monkeypatch.setattr(text_features, "PROGRESS_CHUNK", 3)
    monkeypatch.setenv("CLUSTERLAB_CPU_BF16", "0")  # float32, as ``encode`` below
    reports = []
    X = minilm_embed(texts, progress=lambda f, msg: reports.append(f))
    alone = load_minilm().encode(texts, batch_size=1, normalize_embeddings=True)
    np.testing.assert_allclose(X, alone, atol=1e-5)
    assert reports == pytest.approx([3 / 7, 6 / 7, 1.0])


@pytest.mark.slow
def test_texts_embedded_in_bfloat16_where_the_cpu_computes_it_keep_their_directions(
        monkeypatch):
    """On a CPU with native bfloat16 the sentence model runs in it (about twice as fast);
    every vector stays within a cosine of 1e-4 of its float32 twin."""
    from clustering.device import cpu_has_native_bf16
    from clustering.text_features import encode_precision, minilm_embed

    if not cpu_has_native_bf16():
        pytest.skip("this CPU has no native bfloat16")
    assert type(encode_precision("cpu")).__name__ == "autocast"
    texts = ["interest rates rise again", "a puppy barks loudly at the mailman",
             "the central bank raises rates " * 20, "cats"]
    fast = minilm_embed(texts)
    monkeypatch.setenv("CLUSTERLAB_CPU_BF16", "0")
    assert type(encode_precision("cpu")).__name__ == "nullcontext"
    exact = minilm_embed(texts)
    assert np.all((fast * exact).sum(axis=1) > 0.9999)
    assert not np.array_equal(fast, exact)


def test_digits_demo_is_scikit_learns_digits():
    """The demo reads scikit-learn's digits file without importing scikit-learn."""
    from sklearn.datasets import load_digits

    from clustering.demos import load_demo

    bunch, data = load_digits(), load_demo("digits")
    np.testing.assert_array_equal(data.table.to_numpy().reshape(-1, 8, 8), bunch.images)
    np.testing.assert_array_equal(data.labels, bunch.target)


def test_files_of_an_image_folder_that_are_not_images_are_named_in_a_note(tmp_path):
    for i in range(4):
        Image.fromarray(np.full((8, 8), 40 * i, np.uint8)).save(tmp_path / f"{i}.png")
    (tmp_path / "scan.svg").write_bytes(b"<svg/>")
    (tmp_path / "labels.csv").write_text("file,label\n")
    (tmp_path / ".DS_Store").write_bytes(b"\x00")
    data = load_data(tmp_path)
    assert data.n == 4
    assert any("Skipped 2 file(s)" in note and "'labels.csv'" in note and "'scan.svg'" in note
               for note in data.notes)


def test_16_bit_images_keep_their_brightness_relative_to_each_other(tmp_path):
    """A dim and a bright 16-bit micrograph: stretched one by one, both came out alike."""
    cell = np.zeros((16, 16), np.uint16)
    cell[4:12, 4:12] = 1
    for name, level in (("dim", 500), ("bright", 4000)):
        Image.fromarray(cell * level + 100).save(tmp_path / f"{name}.tif")
    data = load_data(tmp_path)
    bright, dim = (data.images[list(data.ids).index(f"{n}.tif")] for n in ("bright", "dim"))
    assert bright.max() == 255 and bright.min() == 0 == dim.min()
    assert abs(int(dim.max()) - round(500 / 4000 * 255)) <= 1  # 600 of 100..4100
    # a partitioned run decodes a part at a time: each image over its own range, so parts
    # read alike whatever else they hold
    from clustering.images import decode_images

    blobs = [(n, (tmp_path / n).read_bytes()) for n in ("bright.tif", "dim.tif")]
    alone, _, notes, span = decode_images(blobs, one_range=False)
    assert [int(im.max()) for im in alone] == [255, 255] and notes == [] and span is None


def test_tiff_and_bmp_images_are_read_16_bit_and_float_ones_stretched(tmp_path):
    """Microscopes and scanners save TIFF, often 16-bit or float; older tools BMP."""
    rng = np.random.default_rng(0)
    (tmp_path / "deep").mkdir()
    (tmp_path / "flat").mkdir()
    for i in range(3):
        Image.fromarray(rng.integers(0, 4096, (12, 12)).astype(np.uint16)).save(
            tmp_path / "deep" / f"{i}.tif")
        Image.fromarray(rng.random((12, 12)).astype(np.float32)).save(
            tmp_path / "flat" / f"{i}.tiff")
        Image.fromarray(rng.integers(0, 256, (12, 12), dtype=np.uint8)).save(
            tmp_path / "flat" / f"{i}.bmp")
    data = load_data(tmp_path)
    assert data.n == 9 and data.images.shape == (9, 12, 12) and data.images.dtype == np.uint8
    assert data.images.max() == 255 and sorted(set(data.labels)) == ["deep", "flat"]
    assert any("16-bit image(s) were brought to 8 bits over their common range" in n
               for n in data.notes)
    (tmp_path / "flat" / "broken.tif").write_bytes(b"II*\x00 not a tiff")
    with pytest.raises(InputError, match="broken.tif"):
        load_data(tmp_path)


def test_an_image_folder_is_read_in_the_order_its_partitioned_chunks_read_it(tmp_path):
    """Sorted as paths: 'a/b' before 'a-b', as the chunk planner lists them."""
    from clustering.chunks import plan_chunks

    for sub in ("a", "a-b", "a/b"):
        (tmp_path / sub).mkdir(parents=True, exist_ok=True)
        for i in range(2):
            Image.fromarray(np.full((8, 8), 9 * i, np.uint8)).save(tmp_path / sub / f"{i}.png")
    files = [f for chunk in plan_chunks(str(tmp_path)) for f in chunk.files]
    assert list(load_data(tmp_path).ids) == files
    assert files.index("a/b/0.png") < files.index("a-b/0.png")
