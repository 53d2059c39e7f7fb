"""Compare two runs (#12 item 10): figures side by side, a cross-table of their clusters and
a way to open either. Before, the only way was to switch runs and remember the numbers."""

from __future__ import annotations

from helpers import no_errors, start_app, tiny_store


def test_two_runs_side_by_side_with_a_cross_table_and_open(isolated_store):
    from clustering.pipeline import RunConfig
    from workspace.runs import ensure_run
    from workspace.store import Store

    pid, first = tiny_store(isolated_store)
    store = Store(isolated_store)
    project = store.projects()[0]
    second = ensure_run(RunConfig(data=project["data"], method="gmm", clusters=4,
                                  **project["settings"]), store, pid).key
    at = start_app()
    at.switch_page("app_pages/cluster.py").run()
    no_errors(at)
    at.selectbox(key="compare_a").set_value(first).run()
    at.selectbox(key="compare_b").set_value(second).run()
    no_errors(at)
    figures = next(d.value for d in at.dataframe if "method" in d.value.index)
    assert list(figures.loc["method"]) == ["kmeans", "gmm"]
    assert list(figures.loc["clusters"]) == ["3", "4"]
    cross = next(d.value for d in at.dataframe if d.value.index.name == "first run")
    assert cross.shape == (3, 4) and int(cross.to_numpy().sum()) == 27
    # three well-apart groups: each k-means cluster maps into gmm clusters without mixing
    assert (cross.gt(0).sum(axis=0) == 1).all()
    assert any("agree with ARI" in m.value for m in at.markdown)
    shown = at.session_state["run_key"]  # the newest run (gmm) is shown: open the other
    assert shown == second and at.button(key="open_b").disabled
    at.button(key="open_a").click().run()
    no_errors(at)
    assert at.session_state["run_key"] == first
