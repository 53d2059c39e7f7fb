"""Integrity (#10 items 1–3): a run is always read with its own data and column roles.

Each test reproduces what went wrong before: two files called ``data.csv`` shared one
project and the app exported the first file's rows under the second's provenance; runs from
the CLI kept no column roles, so the app read the file with other ids; relative paths were
stored as typed and broke from any other folder.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pandas as pd
import pytest

from helpers import no_errors, shown, start_app, tiny_table, upload_on_data_page
from workspace.cli import main
from workspace.store import Store

RUN = ["--method", "kmeans", "--clusters", "3", "--seed", "0"]


def _two_files_called_data_csv(root: Path) -> tuple[Path, Path]:
    """``a/data.csv`` and ``c/data.csv``: same columns and row count, other values and ids."""
    a = tiny_table(root / "a")
    frame = pd.read_csv(a)
    other = frame.assign(item=[f"q{i}" for i in range(len(frame))],
                         a=frame["a"] + 100.0)
    (root / "c").mkdir(parents=True, exist_ok=True)
    other.to_csv(root / "c" / "data.csv", index=False)
    return a.rename(a.with_name("data.csv")), root / "c" / "data.csv"


def _project_of(store: Store, key: str) -> dict:
    run = store.get_run(key)
    return store.project(run["project_id"])


def _cli_run(data, out, *extra) -> str:
    assert main(["run", "--data", str(data), "--out", str(out), *RUN, *extra]) == 0
    return __import__("json").loads((Path(out) / "run.json").read_text())["key"]


def test_same_file_name_with_other_data_is_a_new_project_and_exports_its_own_rows(tmp_path):
    a, c = _two_files_called_data_csv(tmp_path / "coll")
    key_a = _cli_run(a, tmp_path / "out-a", "--id-column", "item", "--label-column", "group")
    key_c = _cli_run(c, tmp_path / "out-c", "--id-column", "item", "--label-column", "group")
    store = Store()
    pa, pc = _project_of(store, key_a), _project_of(store, key_c)
    assert pa["id"] != pc["id"], "other data joined the first file's project"
    assert (pa["name"], pc["name"]) == ("data.csv", "data.csv (2)")
    assert pc["data"] == str(c.resolve()) and pc["fingerprint"] != pa["fingerprint"]
    # the same file again joins its own project
    _cli_run(c, tmp_path / "out-c2", "--id-column", "item", "--label-column", "group",
             "--clusters", "2")
    assert len(store.projects()) == 2

    at = start_app()
    at.session_state["project_id"], at.session_state["run_key"] = pc["id"], key_c
    at.switch_page("app_pages/export.py").run()
    at.selectbox(key="format").set_value("csv")
    at.button(key="prepare_export").click().run()
    no_errors(at)
    exported = pd.read_csv(at.session_state["export_file"])
    assert exported["id"].str.startswith("q").all(), "the export holds the other file's rows"
    assert exported["a"].min() > 50
    prov = at.session_state["export_prov"]
    assert prov["run"]["config"]["data"] == str(c.resolve())
    assert prov["run"]["data"]["sha256"] == pc["fingerprint"]


def test_a_run_whose_file_changed_is_refused_by_every_reader(tmp_path, capsys):
    a, _ = _two_files_called_data_csv(tmp_path / "coll")
    key = _cli_run(a, tmp_path / "out", "--id-column", "item")
    frame = pd.read_csv(a)
    frame.loc[0, "a"] = 999.0  # same rows, other content
    frame.to_csv(a, index=False)
    at = start_app()
    assert at.session_state["run_key"] == key
    assert any("changed since this run was made" in shown(e.value) for e in at.error), \
        [e.value for e in at.error]
    assert not at.exception
    code = main(["export", "--run", str(tmp_path / "out"), "--format", "csv",
                 "--out", str(tmp_path / "x.csv")])
    assert code == 2 and "changed since this run was made" in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()


def test_cli_column_roles_are_kept_for_the_app(tmp_path):
    """``--kind table --id-column item --label-column group`` from the CLI: the app reads
    the file with them (before, it re-read with ``auto``: row numbers as ids and the
    ``group`` column as a feature)."""
    a, _ = _two_files_called_data_csv(tmp_path / "coll")
    key = _cli_run(a, tmp_path / "out", "--kind", "table", "--id-column", "item",
                   "--label-column", "group")
    store = Store()
    project = _project_of(store, key)
    assert project["settings"] == {"kind": "table", "id_column": "item",
                                   "label_column": "group", "drop_invalid": False}
    at = start_app()
    at.switch_page("app_pages/export.py").run()
    at.selectbox(key="format").set_value("csv")
    at.button(key="prepare_export").click().run()
    no_errors(at)
    exported = pd.read_csv(at.session_state["export_file"])
    assert exported["id"].tolist() == pd.read_csv(a)["item"].tolist()
    assert "truth_group" in exported.columns and "group" not in exported.columns


def test_relative_paths_are_stored_absolute_and_a_moved_file_can_be_attached(
        tmp_path, monkeypatch, capsys):
    a, _ = _two_files_called_data_csv(tmp_path / "coll")
    monkeypatch.chdir(tmp_path)
    key = _cli_run(Path("coll/a/data.csv"), tmp_path / "out", "--id-column", "item")
    store = Store()
    assert store.get_run(key)["config"]["data"] == str(a.resolve())
    assert _project_of(store, key)["data"] == str(a.resolve())
    os.chdir(tmp_path.parent)  # export from another folder
    assert main(["export", "--run", str(tmp_path / "out"), "--format", "csv",
                 "--out", str(tmp_path / "x.csv")]) == 0
    moved = tmp_path / "moved.csv"
    shutil.move(a, moved)
    assert main(["export", "--run", str(tmp_path / "out"), "--format", "csv",
                 "--out", str(tmp_path / "y.csv")]) == 2
    assert "clusterlab attach" in capsys.readouterr().err
    # another file cannot be attached in its place
    _, c = _two_files_called_data_csv(tmp_path / "other")
    assert main(["attach", "--run", key, "--data", str(c)]) == 2
    assert "is not the data run" in capsys.readouterr().err
    assert main(["attach", "--run", str(tmp_path / "out"), "--data", str(moved)]) == 0
    assert Store().get_run(key)["config"]["data"] == str(moved)
    assert _project_of(Store(), key)["data"] == str(moved)
    assert main(["export", "--run", str(tmp_path / "out"), "--format", "csv",
                 "--out", str(tmp_path / "z.csv")]) == 0
    at = start_app()
    no_errors(at)
    assert at.session_state["run_key"] == key
    capsys.readouterr()
    pd.read_csv(moved).head(3).to_csv(moved, index=False)  # the attached file then changed
    assert main(["export", "--run", str(tmp_path / "out"), "--format", "csv",
                 "--out", str(tmp_path / "w.csv")]) == 2
    err = capsys.readouterr().err  # said of the file it was attached to, not the first path
    assert f"The data '{moved}' changed since this run was made" in err, err


def test_a_project_of_the_same_data_is_joined_and_follows_a_moved_file():
    store = Store()
    first = store.create_project("demo:iris", "demo:iris")
    assert store.create_project("demo:iris", "demo:iris") == first
    pid = store.create_project("x.csv", "/old/x.csv", fingerprint="f" * 64)
    assert store.create_project("x.csv", "/new/x.csv", fingerprint="f" * 64) == pid
    assert store.project(pid)["data"] == "/new/x.csv"
    other = store.create_project("x.csv", "/new/x.csv", fingerprint="e" * 64)
    assert store.project(other)["name"] == "x.csv (2)"
    assert store.project(store.create_project("x.csv", "/z.csv", fingerprint="d" * 64)
                         )["name"] == "x.csv (3)"


def test_a_stopped_process_holding_the_write_lock_is_named_and_the_store_recovers(
        tmp_path, monkeypatch, capsys):
    """#10 item 8: a SIGSTOPped process in the middle of a write transaction made every
    writer fail after 30 s with a raw 'OperationalError: database is locked'."""
    import signal
    import subprocess
    import sys

    store = Store()
    monkeypatch.setattr(Store, "lock_wait", 1.0)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sqlite3, sys, time\n"
         "con = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
         "con.execute('BEGIN IMMEDIATE')\nprint('locked', flush=True)\ntime.sleep(600)",
         str(store.db_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        os.kill(holder.pid, signal.SIGSTOP)
        before = store.projects()
        from clustering.errors import InputError

        with pytest.raises(InputError) as caught:
            store.create_project("x", "demo:iris")
        message = str(caught.value)
        assert "is locked" in message and str(holder.pid) in message and "kill" in message
        a = tiny_table(tmp_path / "a")
        code = main(["run", "--data", str(a), "--out", str(tmp_path / "out"), *RUN])
        err = capsys.readouterr().err
        assert code == 2 and "is locked" in err and "Traceback" not in err
        assert store.projects() == before  # reading still works, nothing was written
        assert not list((store.root / "runs").iterdir())
    finally:
        os.kill(holder.pid, signal.SIGCONT)
        holder.kill()
        holder.wait()
    assert store.create_project("x", "demo:iris") > 0  # and the store recovers


def test_the_data_page_saves_and_parses_an_upload_once_across_clicks(monkeypatch):
    """#10 item 7: every click on the Data page wrote the whole upload again and parsed it
    again (1.3-1.8 s and ~400 MB per rerun for a 73.5 MiB CSV)."""
    import streamlit as st

    import ui.common
    import ui.uploads

    st.cache_data.clear()
    st.cache_resource.clear()
    calls = {"stage": 0, "parse": 0}
    stage, parse = ui.uploads.stage_upload, ui.common.load_isolated

    def counted_stage(*args, **kwargs):
        calls["stage"] += 1
        return stage(*args, **kwargs)

    def counted_parse(source, *args, **kwargs):
        calls["parse"] += str(source).endswith("t.csv")
        return parse(source, *args, **kwargs)

    monkeypatch.setattr(ui.uploads, "stage_upload", counted_stage)
    monkeypatch.setattr(ui.common, "load_isolated", counted_parse)
    frame = pd.read_csv(tiny_table(Path(os.environ["CLUSTERLAB_HOME"]).parent / "t"))
    at = upload_on_data_page("t.csv", frame.to_csv(index=False).encode(), "text/csv")
    no_errors(at)
    for _ in range(3):  # unrelated clicks: the project name, a checkbox on and off
        at.text_input(key="project_name").input("renamed").run()
        at.checkbox(key="drop_invalid").check().run()
        at.checkbox(key="drop_invalid").uncheck().run()
    no_errors(at)
    assert calls["stage"] == 1
    assert calls["parse"] == 2  # once per column roles: drop_invalid off, then on


def test_store_files_are_owner_only_and_consistent(tmp_path):
    """#10 item 11: store.db was 0644 (readable by every local user) while run folders
    were 0700."""
    a = tiny_table(tmp_path / "a")
    key = _cli_run(a, tmp_path / "out")
    store = Store()
    modes = {p.name: oct(p.stat().st_mode & 0o777) for p in
             (store.root, store.root / "runs", store.db_path, store.run_dir(key))}
    assert modes == {store.root.name: "0o700", "runs": "0o700", "store.db": "0o600",
                     key: "0o700"}
