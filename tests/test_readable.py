"""Explanations a domain expert can read, and proposed cluster names (#12 items 3 and 4).

Before: table rules read ``batch=B1 > 0.5``, text rules ``term:orbit > 0.08``, image rules
``px_3_26 <= 142.975``, text saliency named ``dim_57``; a polyhedron of precision 0.20 was
printed; clusters stayed "cluster 8" although their keywords were known.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from PIL import Image

from helpers import no_errors, shown, start_app, tiny_text_store


def _card_text(at) -> str:
    return shown(" ".join(m.value for m in at.markdown) + " "
                 + " ".join(c.value for c in at.caption))


def _open_card(at, cluster=None):
    at.session_state["explore_tab"] = "Cluster card"
    at.run()
    no_errors(at)
    if cluster is not None:
        at.selectbox(key="card_cluster").set_value(cluster).run()
        no_errors(at)


def _store_run(home, path, settings, method="kmeans", clusters=3, representation="auto"):
    from clustering.pipeline import RunConfig
    from workspace.explanations import ensure_explanations
    from workspace.runs import ensure_run
    from workspace.store import Store

    store = Store(home)
    pid = store.create_project(path.stem, str(path), who="test", settings=settings)
    run = ensure_run(RunConfig(data=str(path), method=method, clusters=clusters,
                               representation=representation, **settings), store, pid)
    ensure_explanations(run.path, store)
    return store, run


def _measurements(folder):
    """The biologist's table: three groups told apart by ``batch`` and by ``size``."""
    rng = np.random.default_rng(1)
    n = 20
    frame = pd.DataFrame({
        "sample_id": [f"s{i:03d}" for i in range(3 * n)],
        "batch": np.repeat(["B1", "B2", "B3"], n),
        "size": np.concatenate([rng.normal(m, 0.4, n) for m in (2.0, 5.0, 5.1)]) * 1000,
        "weight": rng.normal(0.7, 0.05, 3 * n),
        "group": np.repeat(["g1", "g2", "g3"], n)})
    folder.mkdir(parents=True, exist_ok=True)
    frame.to_csv(folder / "measurements.csv", index=False)
    return folder / "measurements.csv"


def test_table_card_reads_conditions_numbers_and_a_profile(isolated_store):
    path = _measurements(isolated_store.parent / "bio")
    settings = {"kind": "table", "id_column": "sample_id", "label_column": "group",
                "feature_columns": ["batch", "size", "weight"]}
    store, run = _store_run(isolated_store, path, settings)
    at = start_app()
    _open_card(at)
    text = _card_text(at)
    assert re.search(r"batch\*?\*? (=|≠) \*?\*?B[123]", text), text
    assert "batch=B" not in text and "> 0.5" not in text and "≤ 0.5" not in text
    # numbers with at most three significant digits (size is in the thousands)
    for number in re.findall(r"(?<![\w.])\d[\d,]*\.\d+", text):
        assert len(number.replace(",", "").replace(".", "").lstrip("0")) <= 3, number
    assert not re.search(r"^- −", text, re.M)  # no leading minus on a polyhedron line
    assert "Profile" in text and any(c.proto.spec for c in at.get("plotly_chart"))


def test_text_card_speaks_of_words_and_names_come_from_keywords(isolated_store, monkeypatch):
    monkeypatch.setenv("CLUSTERLAB_TEST_EMBEDDER", "hashing")
    _, key = tiny_text_store(isolated_store)
    at = start_app()
    rows = at.dataframe[0].value
    names = " ".join(rows["name"])
    assert "orbit" in names and "bread" in names, names  # proposed from keywords
    assert rows["suggested"].all()
    _open_card(at)
    text = _card_text(at)
    assert "mentions" in text and "term:" not in text and "dim_" not in text, text

    at.switch_page("app_pages/review.py").run()
    no_errors(at)
    at.button(key="accept_names").click().run()
    no_errors(at)
    from workspace.store import Store

    stored = {c: r["name"] for c, r in Store(isolated_store).clusters(key).items()}
    assert sorted(stored.values()) == sorted(rows["name"]), stored
    assert all(e["who"] for e in Store(isolated_store).audit_log(key))


def _pattern_images(folder, per_class: int = 12):
    """Colour images of two kinds: red stripes and blue checks, each in two sizes."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(2)
    rows = []
    for i in range(2 * per_class):
        img = np.zeros((16, 16, 3), np.uint8)
        if i % 2 == 0:
            img[::4 + (i // 2) % 2] = (220, 30, 30)
        else:
            y, x = np.indices((16, 16))
            img[((y // 4 + x // 4) % 2) == 0] = (30, 30, 220)
        img = np.clip(img + rng.integers(0, 20, img.shape), 0, 255).astype(np.uint8)
        name = f"img{i:02d}.png"
        Image.fromarray(img).save(folder / name)
        rows.append((name, "stripes" if i % 2 == 0 else "checks"))
    pd.DataFrame(rows, columns=["file", "label"]).to_csv(folder / "labels.csv", index=False)
    return folder


def test_image_card_describes_visible_features_with_a_colour_heatmap(isolated_store):
    folder = _pattern_images(isolated_store.parent / "patterns")
    store, run = _store_run(isolated_store, folder, {"kind": "images"}, clusters=2,
                            representation="pixels")
    at = start_app()
    names = " ".join(at.dataframe[0].value["name"])
    assert any(w in names for w in ("reddish", "bluish", "red", "blue")), names
    _open_card(at)
    text = _card_text(at)
    assert "px_" not in text, text
    assert re.search(r"brightness|redness|blueness|edge|texture|saturation", text), text
    assert "Near misses" in text
    charts = [c.proto.spec for c in at.get("plotly_chart")]
    assert any('"type":"heatmap"' in s.replace(" ", "") for s in charts), "no heatmap"
