"""AppTest: every page renders; the main flows (upload, run, rename, undo, conflicts,
explanations, export).

Most tests open the app on a tiny pre-built run (``helpers.tiny_store``: 27 rows, k-means,
a PCA map) so they need no worker, no training and no UMAP; the ones that start workers or
prepare the digits demo are marked slow.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from clustering.pipeline import RunConfig
from helpers import (
    APP,
    finish_watched_job,
    first_run_of_new_project,
    no_errors,
    shown,
    start_app,
    tiny_store,
    tiny_text_store,
)
from workspace import jobs
from workspace.store import Store

PAGES = ["app_pages/explore.py", "app_pages/data.py", "app_pages/cluster.py", "app_pages/review.py",
         "app_pages/export.py", "app_pages/assign.py"]

start = start_app


@pytest.fixture
def tiny(isolated_store):
    """The isolated store with one project and one finished run; (project id, run key)."""
    return tiny_store(isolated_store)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders(page, tiny):
    at = start()
    at.switch_page(page).run()
    no_errors(at)
    assert at.title[0].value == Path(page).stem.capitalize()
    assert at.session_state["run_key"] == tiny[1]


def test_explore_shows_the_stored_run_and_its_metrics(tiny):
    at = start()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Points"] == "27" and float(metrics["ACC vs truth"]) == 1.0


def open_card(at) -> None:
    """Open the Explore page's "Cluster card" tab (only the open tab is computed)."""
    at.session_state["explore_tab"] = "Cluster card"
    at.run()
    no_errors(at)


def test_text_project_shows_keywords_and_texts(isolated_store, monkeypatch):
    """A text run (with the fast test embedder): the card names its topic's words and a
    selection lists the texts themselves."""
    monkeypatch.setenv("CLUSTERLAB_TEST_EMBEDDER", "hashing")
    _, key = tiny_text_store(isolated_store)
    at = start()
    no_errors(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Points"] == "24" and float(metrics["ACC vs truth"]) == 1.0
    open_card(at)
    words = " ".join(m.value for m in at.markdown if m.value.startswith("**Keywords**"))
    # the card shows one cluster: its words are of one topic
    assert ("bread" in words) != ("orbit" in words)
    at.session_state["selection"] = ["d0", "d4"]
    at.run()
    listed = shown(" ".join(m.value for m in at.markdown))
    assert "the rocket reached orbit" in listed and "bake the bread in the oven" in listed


def test_first_start_shows_clustered_demo(isolated_store):
    """A fresh store opens on the demo at once: its run ships with clusterlab."""
    at = start()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Points"] == "1,797" and float(metrics["ACC vs truth"]) > 0.8
    assert len(Store(isolated_store).projects()) == 1


def test_run_form_starts_from_the_shown_runs_settings(isolated_store):
    """The demo's run (auto, k=10): Run on the Cluster page repeats it unless changed."""
    at = start()
    at.switch_page("app_pages/cluster.py").run()
    no_errors(at)
    assert at.selectbox(key="method").value == "auto" and at.number_input(key="k").value == 10
    assert at.number_input(key="seed").value == 0


def _csv_bytes(blobs) -> bytes:
    X, y = blobs
    frame = pd.DataFrame(X[:, :3], columns=["a", "b", "c"])
    frame.insert(0, "item", [f"p{i}" for i in range(len(frame))])
    frame["group"] = y
    frame["comment"] = ["=cmd|' /C calc'!A0" if i == 0 else "ok" for i in range(len(frame))]
    return frame.to_csv(index=False).encode()


@pytest.mark.slow
def test_upload_run_rename_export_flow(blobs, tiny, isolated_store):
    at = start()
    at.switch_page("app_pages/data.py").run()
    at.file_uploader(key="uploader").upload("blobs.csv", _csv_bytes(blobs), "text/csv")
    at.run()
    no_errors(at)
    at.selectbox(key="label_col").set_value("group")
    at.selectbox(key="id_col").set_value("item").run()
    no_errors(at)
    assert "Read 600 table rows" in shown(at.success[0].value)
    at.text_input(key="project_name").set_value("my blobs")
    at.button(key="create_project").click().run()
    no_errors(at)
    store = Store(isolated_store)
    project = next(p for p in store.projects() if p["name"] == "my blobs")
    assert project["settings"]["label_column"] == "group"
    finish_watched_job(at, store)
    assert store.runs(project["id"])[0]["key"] == at.session_state["run_key"]

    at.switch_page("app_pages/cluster.py").run()
    at.selectbox(key="method").set_value("kmeans")
    at.number_input(key="k").set_value(4)
    at.button(key="run").click().run()
    no_errors(at)
    finish_watched_job(at, store)
    runs = store.runs(project["id"])
    kmeans = next(r for r in runs if r["config"]["method"] == "kmeans")
    assert kmeans["metrics"]["ari"] > 0.95 and at.session_state["run_key"] == kmeans["key"]

    at.switch_page("app_pages/review.py").run()
    no_errors(at)
    first = at.selectbox(key="review_cluster").value
    at.text_input(key=f"name-{first}").set_value("north blob")
    at.button(key="save_cluster").click().run()
    no_errors(at)
    assert store.clusters(kmeans["key"])[first]["name"] == "north blob"

    at.switch_page("app_pages/export.py").run()
    at.selectbox(key="format").set_value("csv")
    at.button(key="prepare_export").click().run()
    no_errors(at)
    out = Path(at.session_state["export_file"])
    exported = pd.read_csv(out)
    assert len(exported) == 600 and "north blob" in set(exported["label"])
    assert exported.loc[exported["id"] == "p0", "comment"].iloc[0].startswith("'=")


def test_bad_csv_upload_shows_plain_error(tiny):
    at = start()
    at.switch_page("app_pages/data.py").run()
    at.file_uploader(key="uploader").upload("bad.csv", b"a,b\n1,x\n2,3\n" + b"4,5\n" * 30,
                                            "text/csv")
    at.run()
    assert not at.exception
    assert any("column 'b'" in shown(e.value) and "not numbers" in shown(e.value)
               for e in at.error)


@pytest.mark.slow
def test_a_table_with_gaps_is_refused_until_filling_is_ticked(tiny, isolated_store):
    at = start()
    at.switch_page("app_pages/data.py").run()
    body = b"a,b\n" + b"".join(f"{i},{i % 3}\n".encode() for i in range(30)) + b",7\n"
    at.file_uploader(key="uploader").upload("gaps.csv", body, "text/csv")
    at.run()
    assert not at.exception
    # the message names the checkboxes as the page labels them, not drop_invalid
    said = " ".join(shown(e.value) for e in at.error)
    for key in ("fill_missing", "drop_invalid"):
        label = at.checkbox(key=key).label
        assert f"'{label.split(' (')[0]}'" in said and len(label.split(" (")[0]) > 20, said
    assert "--fill-missing" in said and "drop_invalid" not in said
    at.checkbox(key="fill_missing").check().run()
    no_errors(at)
    assert "Read 31 table rows" in shown(at.success[0].value)
    assert any("Filled 1 empty cell(s)" in shown(i.value) for i in at.info)
    run = first_run_of_new_project(at, isolated_store, "gaps.csv", 3)
    assert run["config"]["fill_missing"] is True and run["config"]["clusters"] == 3
    assert run["metrics"]["n_clusters"] == 3
    assert len(pd.read_parquet(Path(run["path"]) / "assignments.parquet")) == 31


def test_review_undo_restores_name(tiny, isolated_store):
    at = start()
    store = Store(isolated_store)
    key = at.session_state["run_key"]
    at.switch_page("app_pages/review.py").run()
    first = at.selectbox(key="review_cluster").value
    at.text_input(key=f"name-{first}").set_value("zeros")
    at.button(key="save_cluster").click().run()
    assert store.clusters(key)[first]["name"] == "zeros"
    at.button(key="undo").click().run()
    no_errors(at)
    assert store.clusters(key).get(first) is None


def test_cluster_card_and_ambiguity_after_explanations(tiny, isolated_store):
    at = start()  # the tiny run's explanations are computed
    no_errors(at)
    assert "**Rule** — precision" not in " ".join(m.value for m in at.markdown)  # tab closed
    open_card(at)
    texts = " ".join(m.value for m in at.markdown)
    assert "**Rule** — precision" in texts and "**Polyhedron** — precision" in texts
    assert "**Saliency**" in texts and "**Prototypes**" in texts
    assert "ambiguity" in at.selectbox(key="color_by").options
    at.switch_page("app_pages/review.py").run()
    no_errors(at)
    assert any("Review queue" in e.label for e in at.expander)


@pytest.mark.slow
def test_interrupted_job_offers_resume_on_the_cluster_page(tiny, isolated_store):
    """The worker is killed mid-run (as when the app and its workers die); the page shows the
    job as interrupted, Resume finishes it and the session switches to its run."""
    import os
    import signal
    import time

    from clustering.pipeline import RunConfig

    at = start()
    store = Store(isolated_store)
    pid = at.session_state["project_id"]
    job, _ = jobs.submit_run(store, RunConfig(data="demo:digits", method="dec", clusters=10,
                                              epochs=500), pid)
    deadline = time.monotonic() + 120
    while jobs.get(store, job["id"])["stage"] != "cluster" and time.monotonic() < deadline:
        time.sleep(0.1)
    os.kill(jobs.get(store, job["id"])["pid"], signal.SIGKILL)
    time.sleep(0.5)
    at.switch_page("app_pages/cluster.py").run()
    assert any("was interrupted" in shown(w.value) for w in at.warning), \
        [w.value for w in at.warning]
    at.button(key=f"resume-{job['id']}").click().run()
    assert jobs.get(store, job["id"])["state"] in jobs.ACTIVE
    jobs.cancel(store, job["id"])  # 500 epochs is long: cancel, then Dismiss clears it
    assert jobs.wait(store, job["id"], timeout=60)["state"] == "cancelled"
    at.run()
    assert any("was cancelled" in shown(w.value) for w in at.warning)
    at.button(key=f"dismiss-{job['id']}").click().run()
    no_errors(at)
    assert jobs.get(store, job["id"])["state"] == "dismissed"
    assert not jobs.checkpoint_dir(store, job).exists()


def test_two_sessions_renaming_one_cluster_get_a_conflict_report(tiny, isolated_store):
    """Both open the Review page; the first rename wins, the second is reported, not
    written; the second session then sees the first name and can save over it."""
    ana, ben = start(), start()
    store = Store(isolated_store)
    key = ana.session_state["run_key"]
    for at in (ana, ben):
        at.switch_page("app_pages/review.py").run()
    first = ana.selectbox(key="review_cluster").value
    ana.text_input(key=f"name-{first}").set_value("zeros")
    ana.button(key="save_cluster").click().run()
    no_errors(ana)
    ben.text_input(key=f"name-{first}").set_value("noughts")
    ben.button(key="save_cluster").click().run()
    assert any("changed cluster" in e.value and "was not saved" in e.value for e in ben.error)
    assert store.clusters(key)[first]["name"] == "zeros"
    assert ben.text_input(key=f"name-{first}").value == "zeros"
    ben.text_input(key=f"name-{first}").set_value("noughts")
    ben.button(key="save_cluster").click().run()
    no_errors(ben)
    assert store.clusters(key)[first]["name"] == "noughts"


def test_app_opens_on_a_project_with_a_finished_run_not_on_a_ghost(tiny, isolated_store):
    """A project whose run never finished (e.g. a refused file from an older CLI) is newest;
    the app still opens on the tiny project, lists the other as 'no run yet', and the Data
    page deletes it."""
    store = Store(isolated_store)
    ghost = store.create_project("empty.csv", str(isolated_store / "empty.csv"))
    at = start()
    no_errors(at)
    assert at.session_state["project_id"] == tiny[0] and at.session_state["run_key"] == tiny[1]
    picker = at.selectbox(key="project_picker")
    assert picker.format_func(ghost) == "empty.csv · no run yet"
    at.switch_page("app_pages/data.py").run()
    at.button(key=f"delete-project-{ghost}").click().run()
    no_errors(at)
    assert [p["name"] for p in Store(isolated_store).projects()] == ["tiny"]


def test_app_reopens_on_the_project_last_looked_at(tiny, isolated_store):
    from helpers import tiny_table
    from workspace.runs import ensure_run

    store = Store(isolated_store)
    path = tiny_table(isolated_store.parent / "other")
    other = store.create_project("other", str(path))
    run = ensure_run(RunConfig(data=str(path), method="gmm", clusters=3, kind="table"), store,
                     other)
    store.touch_project(tiny[0])  # someone looked at tiny after other was made
    assert start().session_state["project_id"] == tiny[0]
    store.touch_project(other)
    at = start()
    assert at.session_state["project_id"] == other and at.session_state["run_key"] == run.key


@pytest.mark.parametrize("name,payload", [
    ("empty.csv", b""),
    ("bad.csv", b"a,b\n1,x\n2,3\n" + b"4,5\n" * 30),
    ("broken.parquet", b"PAR1 this is not parquet PAR1"),
    ("garbage.zip", b"this is not a zip archive"),
    ("pickle.npy", b"\x93NUMPY\x01\x00v\x00{'descr': '|O', 'fortran_order': False, "
                   b"'shape': (1,), }" + b" " * 60 + b"\n" + b"\x80\x04N."),
])
def test_refused_upload_leaves_the_store_exactly_as_it_was(name, payload, tiny, isolated_store):
    from helpers import store_snapshot

    store = Store(isolated_store)
    at = start()
    before = store_snapshot(store)
    at.switch_page("app_pages/data.py").run()
    at.file_uploader(key="uploader").upload(name, payload, "application/octet-stream")
    at.run()
    assert not at.exception
    assert len(at.error) == 1, [e.value for e in at.error]
    assert store_snapshot(store) == before


def test_show_on_the_cluster_page_switches_the_map_title_and_metrics(tiny, isolated_store):
    """Two runs of one project: Show on the Cluster page makes the other one current, and
    the sidebar, the Explore map and its metrics follow (the sidebar no longer reverts it)."""
    from helpers import tiny_table
    from workspace.runs import ensure_run

    store = Store(isolated_store)
    path = tiny_table(isolated_store.parent / "tinydata")
    settings = {"kind": "table", "label_column": "group", "id_column": "item"}
    gmm = ensure_run(RunConfig(data=str(path), method="gmm", clusters=2, **settings), store,
                     tiny[0])
    at = start()
    assert at.session_state["run_key"] == gmm.key  # the newest run is shown first
    at.switch_page("app_pages/cluster.py").run()
    at.button(key=f"show-{tiny[1]}").click().run()
    at.switch_page("app_pages/explore.py").run()
    no_errors(at)
    assert at.session_state["run_key"] == tiny[1]
    assert {m.label: m.value for m in at.metric}["Clusters"] == "3"
    at.switch_page("app_pages/cluster.py").run()
    at.button(key=f"show-{gmm.key}").click().run()
    at.switch_page("app_pages/explore.py").run()
    assert at.session_state["run_key"] == gmm.key
    assert {m.label: m.value for m in at.metric}["Clusters"] == "2"


def test_the_cluster_page_says_which_pipeline_auto_chose_and_why(tiny, isolated_store):
    """An auto run: the Cluster page names the winner and lists every candidate's score."""
    from helpers import tiny_table
    from workspace.runs import ensure_run

    store = Store(isolated_store)
    path = tiny_table(isolated_store.parent / "tinydata")
    settings = {"kind": "table", "label_column": "group", "id_column": "item"}
    auto = ensure_run(RunConfig(data=str(path), method="auto", clusters=3, **settings), store,
                      tiny[0])
    at = start()
    assert at.session_state["run_key"] == auto.key
    at.switch_page("app_pages/cluster.py").run()
    no_errors(at)
    winner = auto.run_json["fit_info"]["auto"]["winner"]
    assert any(f"How auto chose **{winner}**" in e.label for e in at.expander)
    table = at.dataframe[0].value
    assert set(table["candidate"].str.replace(" (chosen)", "")) >= {"kmeans", "umap-kmeans"}
    assert any(shown(note.value).startswith("auto chose") for note in at.info)


def test_deep_link_opens_that_project_and_run_and_the_address_follows(isolated_store,
                                                                      monkeypatch):
    """``?project=NAME&run=KEY`` opens that run (a reviewer can share the address); an
    unknown name gets one escaped sentence; switching runs rewrites the address."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("CLUSTERLAB_TEST_EMBEDDER", "hashing")
    start()  # the demo project exists and is the one looked at last
    _, key = tiny_text_store(isolated_store)
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["project"] = "notes"
    at.query_params["run"] = key
    at.run()
    no_errors(at)
    assert {m.label: m.value for m in at.metric}["Points"] == "24"
    assert at.session_state["run_key"] == key

    stranger = AppTest.from_file(APP, default_timeout=120)
    stranger.query_params["project"] = "[x](http://evil.example/a.png):red[boo]"
    stranger.run()
    warning = " ".join(w.value for w in stranger.warning)
    assert "not in this store" in warning and "\\[x\\]\\(http\\:" in warning
    assert stranger.query_params["project"] in ("notes", ["notes"])  # the address shows it


def test_standalone_html_map_is_offline_and_follows_the_colouring(tiny, isolated_store):
    """"Prepare the HTML map" gives one self-contained page: Plotly's script inside, no
    link to a CDN, coloured as the page is."""
    at = start()
    at.selectbox(key="color_by").select("confidence").run()
    at.button(key="prepare_html").click().run()
    no_errors(at)
    run_key, html = at.session_state["html_map"]
    assert run_key == tiny[1]
    text = html.decode()
    assert "<html" in text and "Plotly.newPlot" in text and len(html) > 1_000_000
    assert not re.search(r"<script[^>]+src=", text)  # the script is inside, not fetched
    assert '"colorscale"' in text and "confidence" in text


def test_export_with_a_long_project_name_and_no_leftover_folders(tiny, isolated_store):
    """A 300-character project name with slashes still exports (it failed with "File name
    too long"), and preparing again removes the previous export's folder."""
    import sqlite3

    long_name = "a/b:c " * 50
    with sqlite3.connect(Path(isolated_store) / "store.db") as con:
        con.execute("UPDATE projects SET name = ?", (long_name,))
    at = start()
    at.switch_page("app_pages/export.py").run()
    at.selectbox(key="format").set_value("csv")
    at.button(key="prepare_export").click().run()
    no_errors(at)
    first = Path(at.session_state["export_file"])
    assert first.exists() and len(first.name) <= 100 and "/" not in first.name
    at.button(key="prepare_export").click().run()
    no_errors(at)
    second = Path(at.session_state["export_file"])
    assert second.exists() and not first.parent.exists()
    assert len(list(Path(isolated_store).glob("export-*"))) == 1


@pytest.mark.slow
def test_image_folder_export_runs_as_a_background_job(isolated_store):
    """#10 item 6: the image-folder zip was written inside the Streamlit server while the
    page waited (5,000 images: 279 s); now a worker writes it with progress and the page
    offers the file when it is done."""
    import zipfile

    import numpy as np
    from PIL import Image

    from workspace.runs import ensure_run

    folder = isolated_store.parent / "imgs"
    folder.mkdir(parents=True)
    for i in range(27):
        shade = (i % 3) * 100
        Image.fromarray(np.full((8, 8), shade, dtype=np.uint8)).save(folder / f"im{i:02d}.png")
    store = Store(isolated_store)
    pid = store.create_project("imgs", str(folder), settings={"kind": "images"})
    run = ensure_run(RunConfig(data=str(folder), kind="images", method="kmeans", clusters=3),
                     store, pid)
    at = start()
    assert at.session_state["run_key"] == run.key
    at.switch_page("app_pages/export.py").run()
    at.selectbox(key="format").set_value("imagefolder")
    at.button(key="prepare_export").click().run()
    no_errors(at)
    job_id = at.session_state["export_job"]
    assert jobs.get(store, job_id)["kind"] == "export"
    assert not at.session_state["export_file"]  # the page did not write it itself
    assert jobs.wait(store, job_id, timeout=300)["state"] == "done"
    at.run()
    no_errors(at)
    out = Path(at.session_state["export_file"])
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
    assert sum(n.endswith(".png") for n in names) == 27 and "manifest.csv" in names
    assert at.session_state["export_prov"]["rows"] == 27
    assert any(b.label.startswith("Download") for b in at.get("download_button"))
