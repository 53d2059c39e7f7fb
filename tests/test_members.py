"""Selections and clusters list every member: paging, search, ids (#12 item 9).

Before: a text selection listed 12 of 120 documents and the gallery stopped at 24, with no
way to see the rest; tables showed row numbers instead of the id column; the Review page
showed nothing of what a cluster holds; the Text column box said "(none)" although a
column had been picked automatically.
"""

from __future__ import annotations

import pandas as pd

from helpers import no_errors, shown, start_app, tiny_store, tiny_text_store


def _listed(at) -> list[str]:
    return [shown(m.value) for m in at.markdown if m.value.startswith("- **d")]


def test_a_text_selection_pages_through_every_document_and_searches(isolated_store,
                                                                    monkeypatch):
    monkeypatch.setenv("CLUSTERLAB_TEST_EMBEDDER", "hashing")
    tiny_text_store(isolated_store)
    at = start_app()
    at.session_state["selection"] = [f"d{i}" for i in range(24)]
    at.run()
    no_errors(at)
    first = _listed(at)
    assert len(first) == 20 and any("Showing 1–20 of 24" in c.value for c in at.caption)
    pager = next(n for n in at.number_input if n.label.startswith("Page"))
    pager.set_value(2).run()
    second = _listed(at)
    assert len(second) == 4 and not set(first) & set(second)
    at.text_input(key="selection-search").input("bread").run()
    found = _listed(at)
    assert len(found) == 12 and all("bread" in line for line in found)
    assert any("matching" in shown(c.value) and "of 24" in c.value for c in at.caption)


def test_table_rows_carry_their_ids_and_review_previews_a_cluster(isolated_store):
    tiny_store(isolated_store)
    at = start_app()
    at.session_state["selection"] = ["p0", "p1", "p2"]
    at.run()
    no_errors(at)
    table = at.dataframe[-1].value
    assert list(table.index) == ["p0", "p1", "p2"] and table.index.name == "id"
    at.switch_page("app_pages/review.py").run()
    no_errors(at)
    preview = [d.value for d in at.dataframe if d.value.index.name == "id"]
    assert preview and len(preview[0]) == 9 and preview[0].index[0].startswith("p"), preview


def test_the_text_column_box_names_the_column_picked_automatically(tmp_path):
    frame = pd.DataFrame({"doc": [f"n{i}" for i in range(30)],
                          "body": [f"note number {i} about the orbit of a small comet"
                                   for i in range(30)]})
    path = tmp_path / "notes.csv"
    frame.to_csv(path, index=False)
    at = start_app()
    at.switch_page("app_pages/data.py").run()
    at.file_uploader(key="uploader").upload("notes.csv", path.read_bytes(), "text/csv")
    at.run()
    no_errors(at)
    box = next(b for b in at.selectbox if b.label == "Text column")
    assert box.value == "body (picked automatically)", box.value
    roles = {r["column"]: r["role"] for r in at.dataframe[0].value.to_dict("records")}
    assert roles["body"] == "text", roles
    assert any("30 texts" in s.value for s in at.success)


def test_find_points_selects_ids_words_and_column_filters(isolated_store):
    """#12 item 10: a search box that highlights the matching points."""
    tiny_store(isolated_store)
    at = start_app()
    key = next(t.key for t in at.text_input if t.label == "Find points")
    at.text_input(key=key).input("a > 3").run()
    no_errors(at)
    selected = at.session_state["selection"]
    assert len(selected) == 9 and set(selected) == {f"p{i}" for i in range(9, 18)}
    assert any("9 point(s) match" in c.value for c in at.caption)
    at.text_input(key=key).input("p2").run()
    assert set(at.session_state["selection"]) == {"p2", "p20", "p21", "p22", "p23", "p24",
                                                   "p25", "p26"}
    at.text_input(key=key).input("group = WEST").run()
    assert len(at.session_state["selection"]) == 9
    at.text_input(key=key).input("a > many").run()
    assert any("holds numbers" in shown(e.value) for e in at.error)
