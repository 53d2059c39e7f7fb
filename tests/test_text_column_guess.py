"""Which column is read as text when none is named (stop 54).

Before: a table of 8 measurements of 5 groups, 6 category columns and a free-text ``note``
of five words ("order 17 shipped via road") was read as 5,000 texts of that note, every
number left out: `auto` with k given, ACC 0.21 (chance). Long values of one piece (hashes,
URLs, timestamps) were texts too.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from clustering.loaders import load_data
from clustering.text_column_guess import guess_text_column


def _orders(path, n=300, note_words=5):
    """Numbers of 3 groups, an order id, and a note of ``note_words`` words on each row."""
    rng = np.random.default_rng(1)
    group = np.arange(n) % 3
    frame = pd.DataFrame(rng.normal(scale=5.0, size=(3, 4))[group] + rng.normal(size=(n, 4)),
                         columns=["weight", "price", "distance", "days"])
    frame.insert(0, "order_id", [f"ORD-{i:06d}" for i in range(n)])
    filler = " ".join(["and"] * max(0, note_words - 5))
    frame["note"] = [f"order {i} shipped via {'road' if i % 2 else 'air'} {filler}".strip()
                     for i in range(n)]
    frame["group"] = group
    frame.to_csv(path, index=False)
    return path


def test_a_short_note_beside_number_columns_leaves_a_table_and_says_how_to_read_the_texts(
        tmp_path, capsys):
    from workspace.cli import main

    path = _orders(tmp_path / "orders.csv")
    data = load_data(str(path), label_column="group")
    assert data.modality == "table"
    assert list(data.feature_table()) == ["weight", "price", "distance", "days"]
    said = [n for n in data.notes if "'note'" in n]
    assert len(said) == 1 and "short texts (5.0 words on average) beside 4 number columns" in \
        said[0] and "--text-column note" in said[0]
    out = tmp_path / "out"
    assert main(["run", "--data", str(path), "--label-column", "group", "--method", "kmeans",
                 "--clusters", "3", "--out", str(out)]) == 0
    run = json.loads((out / "run.json").read_text())
    assert run["metrics"]["acc"] > 0.95
    # asked for, the texts are what is clustered
    texts = load_data(str(path), label_column="group", text_column="note")
    assert texts.modality == "text"
    assert load_data(str(path), "text", label_column="group").modality == "text"  # guessed


def test_longer_texts_beside_numbers_are_still_read_as_texts(tmp_path):
    path = _orders(tmp_path / "posts.csv", note_words=12)
    data = load_data(str(path), label_column="group")
    assert data.modality == "text" and data.texts[3] == "order 3 shipped via road" + \
        " and" * 7
    assert any("Clustered the texts of column 'note'" in n for n in data.notes)


@pytest.mark.parametrize("values", [
    [f"{i:064x}" for i in range(60)],  # hashes
    [f"https://example.org/items/{i}/details?page={i % 7}" for i in range(60)],  # URLs
    [f"2026-03-{1 + i % 28:02d}T12:{i % 60:02d}:00.000+01:00" for i in range(60)],  # times
    [f"2026-03-{1 + i % 28:02d} 12:{i % 60:02d}:00 +0100 {i}" for i in range(60)],  # spaced
], ids=["hashes", "urls", "timestamps", "spaced-timestamps"])
def test_long_values_of_one_piece_are_not_texts(tmp_path, values):
    frame = pd.DataFrame({"key": values, "x": np.arange(60) % 3})
    assert guess_text_column(frame, set()) is None
    path = tmp_path / "t.csv"
    frame.assign(y=np.arange(60) % 5).to_csv(path, index=False)
    assert load_data(str(path)).modality == "table"


def test_one_line_descriptions_alone_are_texts():
    """Debian's one-line package descriptions (6 words on average), with no numbers."""
    frame = pd.DataFrame({"package": [f"pkg{i}" for i in range(40)],
                          "text": [f"library number {i} for parsing XML documents quickly"
                                   for i in range(40)]})
    assert guess_text_column(frame, set()) == "text"


def test_data_page_reads_the_orders_as_a_table_and_the_note_as_text_when_asked(tmp_path):
    from helpers import no_errors, shown, start_app

    path = _orders(tmp_path / "orders.csv")
    at = start_app()
    at.switch_page("app_pages/data.py").run()
    at.file_uploader(key="uploader").upload("orders.csv", path.read_bytes(), "text/csv")
    at.run()
    at.selectbox(key="label_col").set_value("group").run()
    no_errors(at)
    assert any("Read 300 table rows" in shown(s.value) for s in at.success), at.success
    assert any("holds short texts" in shown(i.value) for i in at.info), at.info
    at.selectbox(key="kind").set_value("text").run()  # texts asked for: the note is guessed
    no_errors(at)
    assert any("Read 300 texts" in shown(s.value) for s in at.success), at.success


@pytest.mark.parametrize("texts", [
    [f"今天的快递又晚了三天，订单{i}还没有到" for i in range(60)],  # Chinese: no spaces
    [f"注文{i}の荷物がまだ届いていません。三日遅れです" for i in range(60)],  # Japanese
    [f"Заказ {i} всё ещё не доставлен, опоздание три дня" for i in range(60)],  # Russian
])
def test_texts_in_scripts_written_without_spaces_are_found_as_texts(tmp_path, texts):
    """Chinese and Japanese sentences are one run of characters between spaces: they were
    read as long values of one piece (ids), and a file of them had "no usable column"."""
    path = tmp_path / "reviews.csv"
    pd.DataFrame({"review": texts, "stars": np.arange(60) % 5 + 1}).to_csv(path, index=False)
    data = load_data(path)
    assert data.modality == "text" and data.texts[3] == texts[3]
    ids = [f"ORDER{i:012d}XYZ{i:08d}" for i in range(60)]  # still one piece, still no text
    assert guess_text_column(pd.DataFrame({"key": ids}), set()) is None


def test_short_titles_are_the_texts_when_the_file_has_no_numbers_to_cluster(tmp_path):
    """300 product titles (about 22 characters) and their category: the file had 'no usable
    column'. Short texts are read as texts when nothing else could be clustered; beside
    number columns a column of short values stays out as before."""
    rng = np.random.default_rng(0)
    items = ["linen shirt", "polo shirt", "leather boots", "hiking boots", "steel pot",
             "chef knife"]
    titles = [f"{rng.choice(['red', 'blue', 'black'])} {items[i % 6]} size {i % 11}"
              for i in range(300)]
    frame = pd.DataFrame({"title": titles, "category": [i % 6 // 2 for i in range(300)]})
    frame.to_csv(tmp_path / "titles.csv", index=False)
    data = load_data(tmp_path / "titles.csv", label_column="category")
    assert data.modality == "text" and data.texts[0] == titles[0]
    assert "its values are short, 23 characters on average, but mostly distinct words" in \
        data.notes[0]
    frame.assign(price=rng.gamma(2, 10, 300), stock=rng.integers(0, 50, 300)).to_csv(
        tmp_path / "shop.csv", index=False)
    assert load_data(tmp_path / "shop.csv", label_column="category").modality == "table"


def test_sentences_that_mostly_repeat_are_texts_but_repeated_phrases_stay_categories(tmp_path):
    """Tickets from templates (104 distinct of 300, 14 words each) were "no usable column:
    every column is free text"; a column of ten survey answers, or of 25 short department
    names, repeated, stays a category."""
    rng = np.random.default_rng(0)
    templates = [f"my {thing} stopped working after the update and I need help with it today"
                 for thing in ("printer", "laptop", "phone", "router", "monitor", "mouse")]
    tickets = [templates[i % 6] + (f" (order {rng.integers(10_000)})" if i % 3 == 0 else "")
               for i in range(300)]
    frame = pd.DataFrame({"ticket": tickets, "queue": [i % 6 % 2 for i in range(300)]})
    frame.to_csv(tmp_path / "tickets.csv", index=False)
    data = load_data(tmp_path / "tickets.csv", label_column="queue")
    assert data.modality == "text" and data.n == 300
    assert "104 of them distinct (sentences repeated, as templates give)" in data.notes[0]
    answers = [f"I would say that I am {w} satisfied with the service overall"
               for w in ("not", "barely", "somewhat", "mostly", "very", "fully", "rarely",
                         "often", "always", "never")]
    departments = [f"Department of {w} and Planning" for w in "ABCDEFGHIJKLMNOPQRSTUVWXY"]
    assert guess_text_column(pd.DataFrame({"answer": answers * 30}), set()) is None
    assert guess_text_column(pd.DataFrame({"unit": departments * 12}), set()) is None


@pytest.mark.parametrize("style", ["decimal comma", "three decimals", "per cent", "unit"])
def test_numbers_as_spreadsheets_write_them_beside_names_leave_a_table(tmp_path, style):
    """A European CSV (``;`` between cells, ``5,1`` for 5.1) of measurements with a column
    of names: its numbers were not counted as numbers when the file was looked at for a text
    column, so the names were clustered as 300 short texts (`auto`, ACC 0.84 against 0.997
    on the numbers). With three decimals (``12,345``) every cell may also be a whole number
    with a thousands comma; the semicolons between the cells settle it."""
    rng = np.random.default_rng(7)
    group = np.repeat([0, 1], 150)
    values = rng.normal(size=(300, 2)) + 5 * group[:, None] + 10
    write = {"decimal comma": lambda v: f"{v:.2f}".replace(".", ","),
             "three decimals": lambda v: f"{v:.3f}".replace(".", ","),
             "per cent": lambda v: f"{v:.2f}%", "unit": lambda v: f"{v:.2f} kg"}[style]
    frame = pd.DataFrame({"name": [f"item {i}" for i in range(300)],
                          "a": [write(v) for v in values[:, 0]],
                          "b": [write(v) for v in values[:, 1]], "group": group})
    path = tmp_path / "measures.csv"
    frame.to_csv(path, sep=";", index=False)
    data = load_data(path, label_column="group")
    assert data.modality == "table" and data.texts is None
    assert [c for c in data.table.columns if c in ("a", "b")] == ["a", "b"]
    assert np.allclose(data.table["a"].to_numpy(dtype=float), values[:, 0], atol=0.01)
    if style == "three decimals":
        assert "(semicolons part the file's cells, as where the comma is the decimal mark)" \
            in data.notes[-1]
