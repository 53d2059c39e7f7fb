"""Project store: round trip, WAL, crash-safe writes, audit log, damaged file."""

import sqlite3

import pytest

from clustering.errors import InputError
from workspace.atomic import atomic_path, write_json
from workspace.store import ConflictError, Store


def test_wal_mode_and_project_round_trip(tmp_path):
    store = Store(tmp_path / "s")
    pid = store.create_project("birds", "/data/birds.csv", who="ana")
    assert store.create_project("birds", "/data/birds.csv") == pid
    again = Store(tmp_path / "s")
    assert [p["name"] for p in again.projects()] == ["birds"]
    mode = sqlite3.connect(tmp_path / "s" / "store.db").execute("PRAGMA journal_mode").fetchone()
    assert mode[0] == "wal"


def _register(store, key="k1"):
    store.run_dir(key).mkdir(parents=True)
    run_json = {"config": {"method": "kmeans"}, "seed": 3, "versions": {"numpy": "x"},
                "timings": {"cluster": 0.1}, "metrics": {"acc": 0.9}}
    write_json(store.run_dir(key) / "run.json", run_json)
    store.register_run(key, None, run_json, who="ana")
    return key


def test_run_registration_and_review_state_round_trip(tmp_path):
    store = Store(tmp_path / "s")
    key = _register(store)
    assert store.get_run(key)["seed"] == 3 and store.get_run(key)["metrics"]["acc"] == 0.9
    store.set_cluster(key, 2, name="sevens", who="ana")
    store.set_cluster(key, 2, status="accepted", notes="clean", who="ben")
    store.label_points(key, ["p1", "p2"], label="odd one", who="ana")
    store.label_points(key, ["p2"], cluster=5, who="ben")
    reopened = Store(tmp_path / "s")
    c = reopened.clusters(key)[2]
    assert (c["name"], c["status"], c["notes"], c["updated_by"]) == ("sevens", "accepted",
                                                                      "clean", "ben")
    pts = reopened.point_labels(key)
    assert pts["p1"]["label"] == "odd one" and pts["p2"]["label"] == "odd one"
    assert pts["p2"]["cluster"] == 5


def test_audit_log_records_who_what_and_before(tmp_path):
    store = Store(tmp_path / "s")
    key = _register(store)
    store.set_cluster(key, 0, name="first", who="ana")
    store.set_cluster(key, 0, name="second", who="ben")
    log = store.audit_log(key)
    assert [e["action"] for e in log[:2]] == ["set_cluster", "set_cluster"]
    assert log[0]["who"] == "ben" and log[0]["detail"]["before"]["name"] == "first"
    assert log[0]["detail"]["after"] == {"name": "second"}
    assert {r["who"] for r in store.reviewers(key)} == {"ana", "ben"}


def test_the_brief_audit_log_leaves_point_ids_out_and_moved_clusters_are_read_alone(tmp_path):
    """The Review page's audit trail reads entries without their point ids (a lasso on a
    large map moves thousands), and a move to a new cluster reads only the cluster ids."""
    store = Store(tmp_path / "s")
    key = _register(store)
    store.label_points(key, [f"p{i}" for i in range(500)], cluster=7, who="ana",
                       action="move_points")
    store.label_points(key, ["p1"], label="odd", who="ben")
    full, brief = store.audit_log(key, limit=50), store.audit_log(key, limit=50, brief=True)
    assert [e["action"] for e in brief] == [e["action"] for e in full]
    moved = next(e for e in full if e["action"] == "move_points")
    assert len(moved["detail"]["ids"]) == 500
    for entry in brief:
        assert "ids" not in entry["detail"] and "before" not in entry["detail"]
    assert {k: v for k, v in moved["detail"].items() if k not in ("ids", "before")} == \
        next(e for e in brief if e["action"] == "move_points")["detail"]
    assert store.moved_clusters(key) == [7]
    table = store.point_label_table(key)
    assert len(table) == 500 and table.loc[table["point_id"] == "p1", "label"].item() == "odd"


def test_failed_change_rolls_back_without_audit(tmp_path):
    store = Store(tmp_path / "s")
    key = _register(store)
    before = len(store.audit_log())
    with pytest.raises(InputError):
        store.set_cluster(key, 0, status="maybe")
    assert len(store.audit_log()) == before and store.clusters(key) == {}


def test_missing_run_folder_means_not_stored(tmp_path):
    store = Store(tmp_path / "s")
    key = _register(store)
    (store.run_dir(key) / "run.json").unlink()
    assert store.get_run(key) is None


def test_atomic_write_keeps_old_file_on_crash(tmp_path):
    target = tmp_path / "result.json"
    write_json(target, {"v": 1})
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text('{"v": 2, "half')
        raise RuntimeError("crash mid-write")
    assert target.read_text().replace(" ", "").replace("\n", "") == '{"v":1}'
    assert [p.name for p in tmp_path.iterdir()] == ["result.json"]


def test_damaged_store_file_gives_clear_error(tmp_path):
    root = tmp_path / "s"
    root.mkdir()
    (root / "store.db").write_bytes(b"this is not a database" * 100)
    with pytest.raises(InputError, match="is damaged"):
        Store(root)


def _two_sessions(tmp_path):
    store = Store(tmp_path / "s")
    key = "run1"
    store.register_run(key, None, {"config": {"method": "kmeans"}, "seed": 0, "versions": {},
                                   "timings": {}, "metrics": {}})
    return store, key, store.revision(key)


def test_conflicting_rename_is_reported_not_overwritten(tmp_path):
    store, key, seen = _two_sessions(tmp_path)
    store.set_cluster(key, 3, name="north", who="ana", seen=seen, session="A")
    with pytest.raises(ConflictError, match="ana changed cluster 3"):
        store.set_cluster(key, 3, name="south", who="ben", seen=seen, session="B")
    assert store.clusters(key)[3]["name"] == "north"
    store.set_cluster(key, 4, name="east", who="ben", seen=seen, session="B")
    store.set_cluster(key, 3, status="accepted", who="ben", seen=seen, session="B")
    assert store.clusters(key)[3]["status"] == "accepted"
    assert store.clusters(key)[4]["name"] == "east"
    store.set_cluster(key, 3, name="north-east", who="ana", seen=seen, session="A")
    assert [e["who"] for e in store.audit_log(key) if e["action"] == "set_cluster"] == \
        ["ana", "ben", "ben", "ana"]


def test_overlapping_point_edits_conflict_disjoint_ones_do_not(tmp_path):
    store, key, seen = _two_sessions(tmp_path)
    store.label_points(key, [f"p{i}" for i in range(10)], cluster=7, who="ana", seen=seen,
                       session="A")
    with pytest.raises(ConflictError, match="5 of these points"):
        store.label_points(key, [f"p{i}" for i in range(5, 15)], label="odd", who="ben",
                           seen=seen, session="B")
    assert store.point_labels(key)["p5"]["label"] is None
    store.label_points(key, [f"p{i}" for i in range(20, 30)], label="odd", who="ben",
                       seen=seen, session="B")
    store.label_points(key, ["p1"], label="late", who="ben", seen=store.revision(key),
                       session="B")
    assert store.point_labels(key)["p1"] == {**store.point_labels(key)["p1"], "label": "late",
                                             "cluster": 7}


def test_undo_takes_back_only_your_own_change_and_reports_when_built_upon(tmp_path):
    store, key, seen = _two_sessions(tmp_path)
    store.set_cluster(key, 1, name="mine", who="ana", seen=seen, session="A")
    store.set_cluster(key, 2, name="theirs", who="ben", seen=seen, session="B")
    undone = store.undo_last(key, who="ana", session="A")
    assert undone["detail"]["after"] == {"name": "mine"}
    assert store.clusters(key).get(1) is None and store.clusters(key)[2]["name"] == "theirs"
    store.set_cluster(key, 5, name="first", who="ana", session="A", seen=store.revision(key))
    store.set_cluster(key, 5, name="second", who="ben", session="B", seen=store.revision(key))
    with pytest.raises(ConflictError, match="ben changed cluster 5"):
        store.undo_last(key, who="ana", session="A")
    assert store.clusters(key)[5]["name"] == "second"


def test_store_of_schema_0_is_migrated_with_its_data(tmp_path):
    """``tests/data/store_v0.db`` was written by clusterlab 0.1 (schema 0): one project, a
    k-means run and a named cluster."""
    import shutil
    from pathlib import Path

    from workspace.store import SCHEMA_VERSION

    root = tmp_path / "old"
    root.mkdir()
    shutil.copy(Path(__file__).parent / "data" / "store_v0.db", root / "store.db")
    store = Store(root)
    assert store.schema_version == SCHEMA_VERSION >= 1
    assert [p["name"] for p in store.projects()] == ["old.csv"]
    key = store.runs()[0]["key"]
    assert store.clusters(key)[0]["name"] == "first"
    indexes = {r[0] for r in sqlite3.connect(root / "store.db").execute(
        "SELECT name FROM sqlite_master WHERE type='index'")}
    assert "audit_by_run" in indexes
    assert Store(root).schema_version == SCHEMA_VERSION  # reopening migrates nothing twice


def test_store_from_a_newer_clusterlab_is_refused_in_one_sentence(tmp_path):
    Store(tmp_path / "s")
    con = sqlite3.connect(tmp_path / "s" / "store.db")
    con.execute("PRAGMA user_version=99")
    con.close()
    with pytest.raises(InputError, match="newer clusterlab"):
        Store(tmp_path / "s")


def test_split_is_one_change_that_one_undo_takes_back(tmp_path):
    import numpy as np

    from workspace.review import current_labels, split_cluster

    store = Store(tmp_path / "s")
    key = _register(store)
    run_dir = store.run_dir(key)
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(c, 0.1, size=(20, 2)) for c in (0, 5, 10)]).astype(np.float32)
    np.save(run_dir / "features.npy", X)
    import pandas as pd

    pd.DataFrame({"id": [f"p{i}" for i in range(60)], "cluster": 0, "confidence": 1.0,
                  "x": X[:, 0], "y": X[:, 1]}).to_parquet(run_dir / "assignments.parquet")
    before = current_labels(store, key, run_dir)[1].copy()
    parts = split_cluster(store, key, run_dir, 0, parts=3, who="ana")
    after = current_labels(store, key, run_dir)[1]
    assert len(parts) == 3 and len(np.unique(after)) == 3
    assert [e["action"] for e in store.audit_log(key)].count("split") == 1
    store.undo_last(key, who="ana")
    np.testing.assert_array_equal(current_labels(store, key, run_dir)[1], before)


def test_opening_project_is_the_last_looked_at_with_a_finished_run(tmp_path):
    store = Store(tmp_path / "s")
    assert store.opening_project() is None
    a = store.create_project("a", "/a.csv")
    _register(store, "ka")
    store.attach_run("ka", a)
    b = store.create_project("b", "/b.csv")
    _register(store, "kb")
    store.attach_run("kb", b)
    store.create_project("ghost", "/ghost.csv")  # newest, but no finished run
    assert store.opening_project() == b  # newest with a run
    store.touch_project(a)
    assert store.opening_project() == a  # last looked at
    assert {p["name"]: p["n_runs"] for p in store.projects()} == {"a": 1, "b": 1, "ghost": 0}


def test_only_a_project_without_runs_can_be_deleted_with_its_upload(tmp_path):
    from workspace.projects import adopt_upload, stage_upload

    store = Store(tmp_path / "s")
    upload = adopt_upload(store, stage_upload("x.csv", b"a,b\n1,2\n"))
    assert upload.parent.parent == store.root / "uploads"
    ghost = store.create_project("ghost", str(upload))
    keep = store.create_project("keep", "/k.csv")
    _register(store, "kk")
    store.attach_run("kk", keep)
    with pytest.raises(InputError, match="has finished runs"):
        store.delete_project(keep)
    with store.transaction() as con:  # a first run still computing
        con.execute("INSERT INTO jobs(kind, key, project_id, config, state, created_at, "
                    "created_by) VALUES ('run', 'k0', ?, '{}', 'running', 'now', 'ana')",
                    (ghost,))
    with pytest.raises(InputError, match="job in progress"):
        store.delete_project(ghost)
    with store.transaction() as con:
        con.execute("UPDATE jobs SET state='failed'")
    from clustering.csv_parquet import csv_as_parquet

    rewrite = csv_as_parquet(upload, store.converted_dir())  # its failed chunked run's
    other = tmp_path / "k.csv"
    other.write_text("a,b\n3,4\n")
    kept = csv_as_parquet(other, store.converted_dir())
    store.delete_project(ghost, who="ana")
    assert [p["name"] for p in store.projects()] == ["keep"] and not upload.exists()
    assert not rewrite.exists() and kept.exists()
    assert store._query("SELECT * FROM jobs") == []
    assert store.audit_log(None)[0]["action"] == "delete_project"


def test_a_wal_file_removed_while_the_store_opens_is_no_error(tmp_path, monkeypatch):
    """SQLite removes store.db-shm and -wal when its last connection closes, in another
    process too; one vanishing between the check and the stat killed a job's worker at
    start-up (FileNotFoundError in Store.__init__, the job 'interrupted'; seen in CI)."""
    from pathlib import Path

    Store(tmp_path)
    real = Path.stat

    def vanishing(self, *args, **kwargs):
        if self.name.endswith(("-shm", "-wal")):
            raise FileNotFoundError(2, "No such file or directory", str(self))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "stat", vanishing)
    monkeypatch.setattr(Path, "exists", lambda self: True)  # as if it was there a moment ago
    Store(tmp_path).create_project("iris", "demo:iris")
