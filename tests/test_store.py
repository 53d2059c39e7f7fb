"""Project store: round trip, WAL, crash-safe writes, audit log, damaged file."""

import sqlite3

import pytest

from clustering.errors import InputError
from workspace.atomic import atomic_path, write_json
from workspace.store import Store


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
