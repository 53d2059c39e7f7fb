"""The demo run shipped with clusterlab: it matches the code and opens without computing."""

import json

import pytest

from clustering.pipeline import RunConfig
from workspace.fingerprint import code_version
from workspace.projects import DEMO_CONFIG, SHIPPED_DEMO, bootstrap_demo
from workspace.store import Store


def test_shipped_demo_was_built_by_this_code_for_the_demo_config():
    run_json = json.loads((SHIPPED_DEMO / "run.json").read_text())
    assert RunConfig(**run_json["config"]) == DEMO_CONFIG
    assert run_json["versions"]["code"] == code_version(), (
        "the shipped demo run is from another PIPELINE_VERSION: rebuild it with "
        "'python -m workspace.build_demo' and commit workspace/demo_run/")
    assert run_json["metrics"]["acc"] > 0.8
    from explain.report import EXPLAIN_VERSION

    shipped = json.loads((SHIPPED_DEMO / "explanations.json").read_text())
    assert shipped["explain_version"] == EXPLAIN_VERSION, (
        "the shipped demo's explanations are of another EXPLAIN_VERSION (the app would compute "
        "them again on first open): rebuild with 'python -m workspace.build_demo'")


def test_fresh_store_gets_the_shipped_demo_without_a_worker(isolated_store):
    store = Store(isolated_store)
    pid, key = bootstrap_demo(store)
    run = store.get_run(key)
    assert run["project_id"] == pid and store._query("SELECT * FROM jobs") == []
    stored = json.loads((store.run_dir(key) / "run.json").read_text())
    assert "computed when clusterlab was built" in stored["notes"][-1]
    assert (store.run_dir(key) / "explanations.json").exists()
    assert bootstrap_demo(store) == (pid, key)  # a second call reuses it


@pytest.mark.slow
def test_demo_is_computed_when_not_shipped(isolated_store, monkeypatch):
    monkeypatch.setenv("CLUSTERLAB_SHIPPED_DEMO", "0")
    store = Store(isolated_store)
    pid, key = bootstrap_demo(store)
    assert store.get_run(key)["metrics"]["acc"] > 0.8
    assert [j["state"] for j in store._query("SELECT * FROM jobs")] == ["done"]
