"""The Explore map's binary payload and the selection the browser sends back."""

from __future__ import annotations

import base64

import numpy as np
import pandas as pd
import pytest

from ui.map_payload import EXTENT, MAX_CATEGORIES, _ramp, build_payload, decode, selection_rows


def _frame(n=500, seed=0):
    rng = np.random.default_rng(seed)
    clusters = rng.integers(-1, 4, n)
    return pd.DataFrame({
        "id": [f"p{i}" for i in range(n)],
        "x": rng.normal(size=n) * 10 + 100, "y": rng.normal(size=n) * 2 - 5,
        "cluster": clusters,
        "cluster_name": np.where(clusters < 0, "noise", [f"cluster {c}" for c in clusters]),
        "confidence": rng.random(n),
        "hover": [f"first line {i}\nsecond line" for i in range(n)],
        "score": rng.normal(size=n),
        "many": [f"c{i % 50}" for i in range(n)],
    })


def test_round_trip_keeps_positions_shape_and_aspect():
    frame = _frame()
    meta, sec = decode(build_payload(frame, run_key="r1", colour="cluster").data)
    assert meta["n"] == len(frame)
    x, y = sec["x"], sec["y"]
    assert x.dtype == np.float32 and np.abs(x).max() == pytest.approx(EXTENT)
    assert np.abs(y).max() <= EXTENT
    # one scale for both axes: the spread keeps its 10:2 ratio
    assert np.std(x) / np.std(y) == pytest.approx(np.std(frame["x"]) / np.std(frame["y"]),
                                                   rel=1e-3)
    assert sec["ids"].decode().split("\n") == frame["id"].tolist()
    assert sec["hover"].decode().split("\n")[3] == "first line 3"


def test_categorical_colours_and_legend_count_every_point():
    frame = _frame()
    meta, sec = decode(build_payload(frame, run_key="r1", colour="cluster").data)
    legend = meta["legend"]
    assert legend["kind"] == "categorical"
    assert sum(item["count"] for item in legend["items"]) == len(frame)
    noise = [i for i in legend["items"] if i["label"] == "noise"]
    assert noise and noise[0]["count"] == int((frame["cluster"] < 0).sum())
    # coloured by cluster, the colours are the cluster codes the browser holds anyway
    assert meta["colour_source"] == "cluster" and "colour" not in sec
    names = meta["colour_values"]
    shown = np.array(names)[sec["cluster"]]
    assert (shown == frame["cluster_name"].to_numpy()).all()
    # the same colour per point as a categorical column of the same values (a byte each)
    same, by_bytes = decode(build_payload(frame.assign(group=frame["cluster_name"]),
                                          run_key="r1", colour="group").data)
    assert same["colour_source"] is None
    assert (np.array(same["palette"])[by_bytes["colour"]]
            == np.array(meta["palette"])[sec["cluster"]]).all()
    # cluster codes and names agree too, and each label sits on a point of its cluster
    cluster = np.array(meta["cluster_names"])[sec["cluster"]]
    assert (cluster == frame["cluster_name"].to_numpy()).all()
    for label in meta["labels"]:
        assert frame["cluster_name"].iloc[label["anchor"]] == label["name"] != "noise"


def test_many_categories_fold_into_grey_other():
    meta, sec = decode(build_payload(_frame(), run_key="r1", colour="many").data)
    assert len(meta["legend"]["items"]) == MAX_CATEGORIES + 1
    assert meta["legend"]["items"][-1]["label"] == "other"
    assert sec["colour"].max() == MAX_CATEGORIES
    assert meta["palette"][MAX_CATEGORIES] == "#BBBBBB"


def test_continuous_colouring_quantises_with_missing_values_grey():
    frame = _frame()
    frame.loc[7, "score"] = np.nan
    meta, sec = decode(build_payload(frame, run_key="r1", colour="score").data)
    assert meta["legend"]["kind"] == "continuous" and len(meta["palette"]) == 256
    codes = sec["colour"]
    assert codes[7] == 255
    order = np.argsort(frame["score"].to_numpy()[:7])
    assert (np.diff(codes[:7][order].astype(int)) >= 0).all()
    assert codes[np.nanargmin(frame["score"])] == 0 and codes[np.nanargmax(frame["score"])] == 254


def test_positions_left_out_when_the_browser_holds_them():
    frame = _frame()
    first = build_payload(frame, run_key="r1", colour="cluster")
    again = build_payload(frame, run_key="r1", colour="score", browser_holds=first.holds)
    assert first.with_positions and not again.with_positions
    assert again.pos_key == first.pos_key
    meta, sec = decode(again.data)
    assert "x" not in sec and "ids" not in sec and len(sec["colour"]) == len(frame)
    assert len(again.data) < len(first.data) / 2
    other_run = build_payload(frame, run_key="r2", colour="cluster", browser_holds=first.holds)
    assert other_run.with_positions


def test_a_selection_only_rerun_sends_no_codes():
    """After a lasso the rerun carries the JSON block and the bitmask, not a byte per point
    of colour, cluster and confidence (the browser holds them)."""
    frame = _frame()
    first = build_payload(frame, run_key="r1", colour="cluster")
    rows = np.arange(0, len(frame), 2)
    again = build_payload(frame, run_key="r1", colour="cluster", selected_rows=rows,
                          browser_holds=first.holds)
    meta, sec = decode(again.data)
    assert not again.with_positions and not again.with_colours
    assert set(sec) == {"selected"} and meta["colour_key"] == first.colour_key
    assert np.flatnonzero(np.unpackbits(sec["selected"])[:len(frame)]).tolist() == rows.tolist()
    recoloured = build_payload(frame, run_key="r1", colour="score",
                               browser_holds=first.holds)
    assert recoloured.with_colours and not recoloured.with_positions
    assert not recoloured.with_codes  # a new colouring: a byte per point, no cluster codes
    assert set(decode(recoloured.data)[1]) == {"colour"}  # the selection is unchanged
    # by confidence: the browser colours the confidence codes it holds; no byte per point
    by_confidence = build_payload(frame, run_key="r1", colour="confidence",
                                  browser_holds=first.holds)
    meta, sec = decode(by_confidence.data)
    assert set(sec) == set() and meta["colour_source"] == "confidence"
    assert by_confidence.colour_key not in (first.colour_key, recoloured.colour_key)


def test_the_selection_bitmask_travels_only_when_the_selection_changed():
    """A rerun that changed nothing of the map (a search, a page of the selection table)
    sends the JSON block alone; a new selection, or a page that holds nothing, the bitmask."""
    frame = _frame()
    first = build_payload(frame, run_key="r1", colour="cluster", selected_rows=[1, 2])
    assert "selected" in decode(first.data)[1]
    same = build_payload(frame, run_key="r1", colour="cluster", selected_rows=[1, 2],
                         browser_holds=first.holds)
    meta, sec = decode(same.data)
    assert sec == {} and meta["selection_token"] == first.selection_token
    assert len(same.data) < len(first.data) / 2
    changed = build_payload(frame, run_key="r1", colour="cluster", selected_rows=[3],
                            browser_holds=same.holds)
    meta, sec = decode(changed.data)
    assert np.flatnonzero(np.unpackbits(sec["selected"])).tolist() == [3]
    assert meta["selection_token"] != first.selection_token
    fresh_page = build_payload(frame, run_key="r1", colour="cluster", selected_rows=[3],
                               browser_holds=None)
    assert "selected" in decode(fresh_page.data)[1]
    # a ``holds`` without a selection token reads as one that holds no selection
    old = build_payload(frame, run_key="r1", colour="cluster", selected_rows=[3],
                        browser_holds=first.holds[:3])
    assert "selected" in decode(old.data)[1] and not old.with_positions


def test_confidence_colours_follow_the_ramp_over_the_observed_range():
    frame = _frame()
    frame["confidence"] = 0.4 + 0.5 * frame["confidence"]  # 0.4 .. 0.9
    meta, sec = decode(build_payload(frame, run_key="r1", colour="confidence").data)
    assert meta["legend"]["kind"] == "continuous" and len(meta["palette"]) == 256
    low, high = frame["confidence"].idxmin(), frame["confidence"].idxmax()
    palette, top = meta["palette"], _ramp(255)
    assert palette[sec["confidence"][low]] == top[0]  # viridis' first stop at the minimum
    assert palette[sec["confidence"][high]] in top[-3:]  # its last (the byte rounds down)
    assert meta["legend"]["min"] == f"{frame['confidence'].min():.3g}"


def test_selection_and_filter_travel_to_the_browser():
    frame = _frame()
    rows = np.array([0, 3, 8, 499])
    meta, sec = decode(build_payload(frame, run_key="r1", colour="cluster", selected_rows=rows,
                                     shown=["cluster 1", "noise"]).data)
    assert np.flatnonzero(np.unpackbits(sec["selected"])[:len(frame)]).tolist() == rows.tolist()
    assert sorted(np.array(meta["cluster_names"])[meta["filter"]]) == ["cluster 1", "noise"]
    none, _ = decode(build_payload(frame, run_key="r1", colour="cluster").data)
    assert none["filter"] is None and none["selection_token"] != meta["selection_token"]


def test_selection_rows_from_indices_or_bitmask():
    assert selection_rows({"token": "a", "rows": [5, 1, 1, 99, -1]}, 10).tolist() == [1, 5]
    mask = np.zeros(20, bool)
    mask[[0, 7, 19]] = True
    bits = base64.b64encode(np.packbits(mask).tobytes()).decode()
    assert selection_rows({"token": "b", "bits": bits}, 20).tolist() == [0, 7, 19]
    assert selection_rows(None, 5) is None and selection_rows({"token": "c"}, 5) is None


def test_image_thumbnails_make_an_atlas():
    frame = _frame(n=12)
    images = np.random.default_rng(0).integers(0, 255, (12, 8, 8), dtype=np.uint8)
    meta, sec = decode(build_payload(frame, run_key="r", colour="cluster", images=images).data)
    assert meta["atlas"]["n"] == 12 and bytes(sec["atlas"][:4]) == b"\x89PNG"


def test_a_large_tables_map_frame_reads_no_data(tmp_path, monkeypatch):
    """#13: the map of a table past the hover limit is built from the run's folder alone
    (ground truth from truth.npz, names, codes): the data set is not read before the first
    map, and names and truth are categorical columns, not a string per row."""
    import ui.views
    from clustering.loaders import load_data
    from helpers import tiny_store
    from workspace.runs import TRUTH
    from workspace.store import Store

    home = tmp_path / "home"
    _, key = tiny_store(home)
    store = Store(home)
    run_dir = store.run_dir(key)
    assert (run_dir / TRUTH).exists()
    monkeypatch.setattr(ui.views, "HOVER_UP_TO", 0)

    def refuse():
        raise AssertionError("the data set was read for the map")

    frame = ui.views.map_frame(store, key, run_dir, refuse)
    data = load_data(str(tmp_path / "tinydata" / "tiny.csv"), "table", label_column="group",
                     id_column="item")
    assert frame["truth"].astype(str).tolist() == list(data.labels)
    assert isinstance(frame["cluster_name"].dtype, pd.CategoricalDtype)
    assert frame["id"].tolist() == list(data.ids)
    # a run from before truth.npz reads the data set for its truth
    (run_dir / TRUTH).unlink()
    with pytest.raises(AssertionError, match="was read"):
        ui.views.map_frame(store, key, run_dir, refuse)
    again = ui.views.map_frame(store, key, run_dir, lambda: data)
    assert again["truth"].astype(str).tolist() == list(data.labels)


def test_positions_kept_for_a_run_serve_every_review_revision():
    """A review move changes clusters, not places: the positions of the first revision
    (kept per run by the map view) give the same points as positions rebuilt for the next."""
    from ui.map_payload import colour_points, encode_map, point_positions, prepare_points

    frame = _frame()
    placed = point_positions(frame, run_key="r")
    moved = frame.assign(cluster_name=np.where(np.arange(len(frame)) < 50, "new one",
                                               frame["cluster_name"]))
    kept = prepare_points(moved, run_key="r", placed=placed)
    fresh = prepare_points(moved, run_key="r")
    assert kept.pos_key == fresh.pos_key and kept.meta == fresh.meta
    assert set(kept.positions) == set(fresh.positions) == {"x", "y", "ids", "hover"}
    for name in kept.positions:
        assert np.array_equal(np.frombuffer(bytes(kept.positions[name]), np.uint8),
                              np.frombuffer(bytes(fresh.positions[name]), np.uint8))
    for name in kept.codes:
        assert np.array_equal(kept.codes[name], fresh.codes[name])
    assert "new one" in kept.meta["cluster_names"]
    assert decode(encode_map(colour_points(kept, moved, "cluster")).data)[0] == \
        decode(encode_map(colour_points(fresh, moved, "cluster")).data)[0]
