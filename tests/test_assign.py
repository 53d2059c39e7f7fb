"""The Assign page: new rows get a stored run's clusters in a background job
(``jobs.submit_assign``), also on a partitioned run."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from test_dask import config, result, write_parts

from helpers import no_errors, shown, start_app, tiny_store
from workspace import jobs
from workspace.engines import EngineSettings
from workspace.partitioned import ensure_partitioned_run
from workspace.store import Store

pytestmark = pytest.mark.slow


@pytest.fixture
def tiny(isolated_store):
    return tiny_store(isolated_store)


@pytest.fixture(scope="module")
def blobs(tmp_path_factory):
    root = tmp_path_factory.mktemp("blobs")
    return root, write_parts(root / "three", 3000, 3)


def test_the_assign_job_reads_new_rows_as_the_partitioned_run_did(blobs, tmp_path):
    """The app shows a partitioned run through its view (``path``) and keeps the run's own
    folder in ``whole_path``; the Assign page's job reads new rows with the run's settings
    (the view's run.json has no id column: the new rows' ids were their row numbers)."""
    from workspace.partitioned_view import ensure_view

    root, frame = blobs
    store = Store(tmp_path / "s")
    run = ensure_partitioned_run(config(root / "three"), store, EngineSettings(chunk_rows=1000))
    shown = {"key": run.key, "project_id": None, "path": str(ensure_view(run.path)),
             "whole_path": str(run.path)}
    new = frame.drop(columns=["truth"]).iloc[:20]
    new.to_csv(tmp_path / "new.csv", index=False)
    job = jobs.submit_assign(store, shown, {"source": tmp_path / "new.csv",
                                            "out": tmp_path / "assigned.csv"})
    assert jobs.wait(store, job["id"], timeout=300)["state"] == "done"
    got = pd.read_csv(tmp_path / "assigned.csv", dtype={"id": str})
    assert got["id"].tolist() == new["doc_id"].tolist()
    assert got["cluster"].tolist() == result(run).set_index("id").loc[new["doc_id"],
                                                                      "cluster"].tolist()


def _assign(at, store: Store, name: str, frame: pd.DataFrame) -> dict:
    """Upload ``frame`` on the Assign page, click Assign, wait for its worker and rerun."""
    at.file_uploader(key="assign_uploader").upload(name, frame.to_csv(index=False).encode(),
                                                   "text/csv")
    at.run()
    at.button(key="assign").click().run()
    assert not at.exception, [e.value for e in at.exception]
    job = jobs.wait(store, at.session_state["assign_job"], timeout=300)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return job


@pytest.mark.slow
def test_assign_page_gives_new_rows_the_runs_clusters_in_a_worker(tiny, isolated_store):
    """New rows uploaded on the Assign page get the run's clusters with their reviewed
    names (what ``clusterlab predict`` gives) from a worker; the file is offered and its
    formula-like ids are escaped; a file without a trained column says which, and the
    run's stored assignments do not change."""
    from workspace.runs import load_assignments

    store = Store(isolated_store)
    run_dir = store.run_dir(tiny[1])
    before = load_assignments(run_dir)
    first = int(before.set_index("id").loc["p0", "cluster"])
    store.set_cluster(tiny[1], first, name="first group", who="test")
    new = pd.read_csv(isolated_store.parent / "tinydata" / "tiny.csv").drop(
        columns=["group", "comment"]).iloc[[0, 1, 9, 10, 18, 19]]
    new["item"] = ["=1+1", "n1", "n9", "n10", "n18", "n19"]
    at = start_app()
    at.switch_page("app_pages/assign.py").run()
    no_errors(at)
    assert at.button(key="assign").disabled  # nothing uploaded yet
    job = _assign(at, store, "new.csv", new)
    assert job["state"] == "done" and job["kind"] == "assign", job
    no_errors(at)
    assert "6 rows of new.csv assigned to 3 clusters" in shown(at.success[0].value)
    out = Path(at.session_state["assign_file"])
    got = pd.read_csv(out, dtype={"id": str})
    assert got["id"].iloc[0] == "'=1+1"
    seen = before.set_index("id").loc[["p0", "p1", "p9", "p10", "p18", "p19"], "cluster"]
    assert got["cluster"].tolist() == seen.tolist()
    assert got["cluster_name"].iloc[0] == "first group"
    assert any(b.label == "Download " + out.name for b in at.get("download_button"))
    drawn = at.get("plotly_chart")[0].proto.spec  # the run's 27 rows in grey, then the new
    assert '"the run\'s rows"' in drawn and drawn.count('"first group"') == 1

    job = _assign(at, store, "short.csv", new.drop(columns=["c"]))
    assert job["state"] == "failed"
    assert any("lacks 1 numeric column(s) the run was trained on: c" in shown(e.value)
               for e in at.error), [e.value for e in at.error]
    pd.testing.assert_frame_equal(load_assignments(run_dir), before)
    assert jobs.get(store, job["id"])["state"] == "dismissed"  # not listed on Cluster
