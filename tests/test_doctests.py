"""Every public entry point's example runs as written (doctest)."""

import doctest
import importlib

import pytest

FAST = ["clustering.estimator", "clustering.clusterers", "clustering.kselect",
        "clustering.loaders", "clustering.features", "clustering.metrics",
        "clustering.deep.registry", "clustering.deep.fit", "clustering.deep.divclust",
        "explain.rules", "explain.polyhedra", "explain.ambiguity", "explain.saliency",
        "explain.report", "explain.prototypes", "clustering.text_features", "workspace.bare_main",
        "clustering.consensus", "clustering.number_styles",
        "clustering.json_tables", "clustering.gzip_tables", "clustering.deep.step_budget",
        "clustering.device", "clustering.text_budget", "clustering.text_column_guess",
        "clustering.column_roles", "clustering.image_arrays", "clustering.long_readings",
        "clustering.auto_views", "clustering.csv_layout", "clustering.chunks",
        "clustering.load_notes", "clustering.csv_parquet", "clustering.dicom_images",
        "clustering.images", "clustering.tables", "clustering.features", "workspace.cli",
        "clustering.text_terms", "clustering.column_plan", "clustering.auto_progress",
        "clustering.auto_graphs", "clustering.assigner", "clustering.count_tables",
        "clustering.decode_limits", "clustering.deep.text_view", "clustering.diagnostics",
        "clustering.fit_on_sample", "clustering.folder_tables", "clustering.html_text",
        "clustering.image_blobs", "clustering.json_layouts", "clustering.matrix_market",
        "clustering.merge_clusters", "clustering.role_columns", "clustering.series",
        "clustering.summary_rows", "clustering.transpose_table", "clustering.wide_counts",
        "explain.markers", "explain.naming", "explain.visual", "explain.wording", "ui.views",
        "workspace.search"]
"""Every module with examples (stop 80: 24 were in none of these lists, and one of them,
``auto_progress``, had examples no longer true)."""
UMAP = ["clustering.pipeline", "clustering.projection", "clustering.sampled_map",
        "clustering.auto", "clustering.neighbour_kappa"]
"""Their examples compute a UMAP (numba compiles for ~15 s on first use)."""


def test_every_module_with_examples_is_listed():
    """A module whose examples no test runs lets them go stale."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    with_examples = {
        ".".join(path.relative_to(root).with_suffix("").parts)
        for folder in ("clustering", "explain", "workspace", "ui")
        for path in (root / folder).rglob("*.py") if ">>> " in path.read_text()}
    assert with_examples - set(FAST) - set(UMAP) == set()


@pytest.mark.parametrize("name", FAST + [pytest.param(m, marks=pytest.mark.slow) for m in UMAP])
def test_examples_run(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0, f"{name} has no example"
    assert result.failed == 0
