"""The binary payload of the Explore map component, and the selection it sends back.

No Streamlit here. Layout of a payload (little-endian)::

    b"CLM1" | uint32 length of the JSON block | JSON block | zero padding to 8 bytes | sections

The JSON block names every section as ``name: [offset, length, dtype]`` (offsets from the
first section byte; dtype ``f4``, ``u1``, ``u2``, ``u4`` or ``raw``) and carries the palette,
legend, cluster names, label anchors and settings. Sections: ``x``, ``y`` (float32 in
[-1, 1], only when the browser does not hold them yet), ``colour`` (uint8 palette index),
``cluster`` (uint16 index into ``cluster_names``), ``confidence`` (uint8, 0..255),
``selected`` (bitmask, numpy's big bit order; left out while the browser holds the selection
of ``selection_token``), and optionally ``ids``/``hover``
(newline-joined UTF-8) and ``atlas`` (a PNG of thumbnails). What the browser holds is left
out: positions (``pos_key``), the cluster and confidence codes (``codes_key``, per review
revision) and the colour codes (``colour_key``, per colouring and filter). Coloured by cluster
or confidence, there are no colour codes: ``colour_source`` names the codes the browser colours
by, and the palette is indexed by them.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["MapPayload", "PreparedMap", "PreparedPoints", "build_payload", "colour_points",
           "decode", "encode_map", "point_positions", "prepare_map", "prepare_points",
           "selection_rows"]

MAGIC = b"CLM1"
MAX_CATEGORIES = 30
"""Categorical colourings show this many categories; the rest are drawn grey as "other"."""
IDS_UP_TO = 200_000
"""Maps up to this many points carry ids for the tooltip (else "row N")."""
HOVER_UP_TO = 50_000
"""Maps up to this many points carry a line of text per point for the tooltip."""
ATLAS_UP_TO = 4_000
"""Image runs up to this many images carry a thumbnail atlas for the tooltip."""
LABELS_UP_TO = 60
"""At most this many cluster names are drawn on the map."""
PALETTE = ("#4C78A8", "#F58518", "#54A24B", "#E45756", "#72B7B2", "#B279A2", "#FF9DA6",
           "#9D755D", "#EECA3B", "#1F77B4", "#2CA02C", "#D62728", "#9467BD", "#8C564B",
           "#E377C2", "#17BECF", "#BCBD22", "#393B79", "#637939", "#8C6D31", "#843C39",
           "#7B4173", "#3182BD", "#E6550D", "#31A354", "#756BB1", "#636363", "#6BAED6",
           "#FD8D3C", "#74C476")
GREY = "#BBBBBB"
EXTENT = 0.85
"""The map's points fill [-EXTENT, EXTENT] of the view's shorter side: a margin for the
cluster labels, which are drawn centred on a member (at 0.95 the labels of clusters at the
left and right edges of a text map were cut off in the journeys' screenshots)."""
_VIRIDIS = ("#440154", "#482878", "#3E4A89", "#31688E", "#26828E", "#1F9E89", "#35B779",
            "#6DCD59", "#B4DE2C", "#FDE725")


@dataclass(frozen=True)
class MapPayload:
    """A built payload: the bytes to send and the keys of the positions, codes and colours
    it refers to (what the browser holds once it has applied it)."""

    data: bytes
    pos_key: str
    with_positions: bool
    codes_key: str = ""
    colour_key: str = ""
    with_codes: bool = True
    with_colours: bool = True
    selection_token: str = ""

    @property
    def holds(self) -> tuple[str, str, str, str]:
        """``browser_holds`` for the next :func:`encode_map`."""
        return self.pos_key, self.codes_key, self.colour_key, self.selection_token


def _normalised(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Centre the map and scale both axes alike into [-:data:`EXTENT`, :data:`EXTENT`]."""
    x = np.asarray(x, np.float64)
    y = np.asarray(y, np.float64)
    finite = np.isfinite(x) & np.isfinite(y)
    if not finite.any():
        return np.zeros(len(x), np.float32), np.zeros(len(y), np.float32)
    lo = np.array([x[finite].min(), y[finite].min()])
    hi = np.array([x[finite].max(), y[finite].max()])
    centre, half = (lo + hi) / 2, max(float((hi - lo).max()) / 2, 1e-12)
    nx = np.where(finite, (x - centre[0]) / half * EXTENT, 0.0)
    ny = np.where(finite, (y - centre[1]) / half * EXTENT, 0.0)
    return nx.astype(np.float32), ny.astype(np.float32)


def _ramp(n: int) -> list[str]:
    """``n`` colours along viridis (linear between its ten stops)."""
    stops = np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)] for c in _VIRIDIS], float)
    at = np.linspace(0, len(stops) - 1, n)
    lo = np.floor(at).astype(int).clip(0, len(stops) - 2)
    rgb = stops[lo] + (stops[lo + 1] - stops[lo]) * (at - lo)[:, None]
    return ["#" + "".join(f"{int(round(v)):02X}" for v in row) for row in rgb]


def _text_codes(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Each row's index into the distinct texts of ``values`` (missing values: "missing");
    factorised, so a categorical column of a million rows costs its integer codes."""
    codes, uniques = pd.factorize(values)
    texts = [str(u) for u in uniques] + ["missing"]
    codes = np.where(codes < 0, len(uniques), codes)
    distinct = list(dict.fromkeys(texts))  # 1 and "1" are one category, as on the legend
    if len(distinct) == len(texts):
        return codes, texts
    position = {text: i for i, text in enumerate(distinct)}
    return np.array([position[t] for t in texts], np.int64)[codes], distinct


def _continuous(v: np.ndarray, label: str) -> tuple[float, float, list[str], dict]:
    """Low end, span, palette (255 steps of viridis, grey for missing) and legend."""
    finite = np.isfinite(v)
    lo = float(v[finite].min()) if finite.any() else 0.0
    hi = float(v[finite].max()) if finite.any() else 1.0
    legend = {"kind": "continuous", "label": label, "min": f"{lo:.3g}", "max": f"{hi:.3g}",
              "stops": list(_VIRIDIS)}
    return lo, (hi - lo if hi > lo else 1.0), _ramp(255) + [GREY], legend


def _categorical(codes: np.ndarray, texts: list[str], label: str
                 ) -> tuple[np.ndarray, list[str], dict, list]:
    """For rows coded into ``texts``: each text's palette index (the biggest
    :data:`MAX_CATEGORIES` in colour, the rest grey), the palette, legend and names."""
    counts = np.bincount(codes, minlength=len(texts))
    by_count = sorted((i for i in range(len(texts)) if counts[i]), key=lambda i: -counts[i])
    named = [texts[i] for i in by_count if texts[i] != "noise"][:MAX_CATEGORIES]
    palette = [PALETTE[i % len(PALETTE)] for i in range(len(named))] + [GREY]
    other = len(named)
    lut = np.full(len(texts), other, np.uint8)
    lut[[texts.index(c) for c in named]] = np.arange(len(named), dtype=np.uint8)
    items = [{"label": c, "colour": palette[i], "count": int(counts[texts.index(c)])}
             for i, c in enumerate(named)]
    rest = int(counts.sum() - sum(item["count"] for item in items))
    present = {texts[i] for i in by_count}
    grey = "noise" if present - set(named) == {"noise"} else "other"
    more = ""
    if rest:
        items.append({"label": grey, "colour": GREY, "count": rest})
    if len(present) > len(named) + ("noise" in present):
        more = f"{len(present) - len(named):,} smaller categories drawn grey"
    legend = {"kind": "categorical", "label": label, "items": items, "more": more}
    return lut, palette, legend, named + [grey]


def _colouring(values: pd.Series, label: str) -> tuple[np.ndarray, list[str], dict, list]:
    """Codes, palette, legend and per-code tooltip values for one colouring."""
    n_unique = values.nunique(dropna=True)
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values) \
            and n_unique > 20:
        v = values.to_numpy(np.float64)
        lo, span, palette, legend = _continuous(v, label)
        finite = np.isfinite(v)
        codes = np.full(len(v), 255, np.uint8)
        codes[finite] = np.clip((v[finite] - lo) / span * 254, 0, 254).round().astype(np.uint8)
        centres = [f"{lo + span * c / 254:.3g}" for c in range(255)] + ["missing"]
        return codes, palette, legend, centres
    codes, texts = _text_codes(values)
    lut, palette, legend, names = _categorical(codes, texts, label)
    return lut[codes], palette, legend, names


def _colouring_from_codes(label: str, points: PreparedPoints, confidence: np.ndarray
                          ) -> tuple[list[str], dict, list] | None:
    """Palette, legend and values that colour the points by codes the browser holds anyway
    (``cluster`` or ``confidence``), so that a colour change sends no byte per point. None
    when those codes cannot index a 256-colour palette (over 256 clusters) or the
    confidences are few enough to be drawn as categories."""
    if label == "cluster" and points.codes["cluster"].dtype == np.uint8:
        names = points.meta["cluster_names"]
        lut, palette, legend, values = _categorical(points.codes["cluster"], names, label)
        return [palette[i] for i in lut], legend, [values[i] for i in lut]
    if label == "confidence" and pd.Series(confidence).nunique() > 20:
        lo, span, ramp, legend = _continuous(confidence, label)
        steps = np.clip((np.arange(256) / 255 - lo) / span * 254, 0, 254).round().astype(int)
        return [ramp[i] for i in steps], legend, [f"{b / 255:.3g}" for b in range(256)]
    return None


def _label_anchors(x: np.ndarray, y: np.ndarray, codes: np.ndarray,
                   names: list[str]) -> list[dict]:
    """One label per (non-noise) cluster at the point nearest its median, biggest first."""
    labels = []
    counts = np.bincount(codes, minlength=len(names))
    for code in np.argsort(-counts):
        if counts[code] == 0 or names[code] == "noise" or len(labels) >= LABELS_UP_TO:
            continue
        rows = np.flatnonzero(codes == code)
        cx, cy = np.median(x[rows]), np.median(y[rows])
        anchor = rows[np.argmin((x[rows] - cx) ** 2 + (y[rows] - cy) ** 2)]
        labels.append({"name": names[code], "anchor": int(anchor)})
    return labels


def _atlas(images: np.ndarray, tile: int = 32) -> tuple[bytes, dict]:
    """A PNG of square thumbnails, ``cols`` to a row, in row order."""
    from PIL import Image

    n = len(images)
    cols = int(np.ceil(np.sqrt(n)))
    sheet = Image.new("RGB", (cols * tile, int(np.ceil(n / cols)) * tile), "white")
    for i, img in enumerate(images):
        arr = np.asarray(img)
        if arr.dtype != np.uint8:
            arr = np.clip(arr, 0, 255).astype(np.uint8)
        thumb = Image.fromarray(arr).convert("RGB").resize((tile, tile), Image.NEAREST)
        sheet.paste(thumb, ((i % cols) * tile, (i // cols) * tile))
    out = io.BytesIO()
    sheet.save(out, format="PNG", optimize=False)
    return out.getvalue(), {"tile": tile, "cols": cols, "n": n}


def _first_lines(texts: pd.Series, width: int = 100) -> bytes:
    lines = texts.astype(str).str.split("\n", n=1).str[0].str.slice(0, width)
    return "\n".join(lines.str.replace("\r", " ", regex=False)).encode()


@dataclass(frozen=True, eq=False)
class PreparedMap:
    """Everything of a payload except the selection (reusable while only it changes)."""

    meta: dict
    positions: dict
    """Sections sent only when the browser does not hold the positions yet."""
    codes: dict
    """Cluster and confidence codes (sent when the browser does not hold them)."""
    colours: dict
    """Colour codes (sent when the browser does not hold this colouring; empty when the
    colours are the cluster or confidence codes, ``meta["colour_source"]``)."""
    pos_key: str


@dataclass(frozen=True, eq=False)
class PreparedPoints:
    """The part of a map no colouring, filter or selection changes."""

    meta: dict
    positions: dict
    codes: dict
    pos_key: str


@dataclass(frozen=True, eq=False)
class PointPositions:
    """The part of a map no review move changes either: positions, ids, hover lines and
    thumbnails (a run's points keep their place whatever cluster they are moved to)."""

    positions: dict
    pos_key: str
    atlas: dict | None


def point_positions(frame: pd.DataFrame, *, run_key: str,
                    images: np.ndarray | None = None) -> PointPositions:
    """Positions, ids, hover lines and thumbnails of a map (parameters as
    :func:`prepare_map`'s). Under the load test they were 17 % of the server's GIL time
    when rebuilt for every review revision (the hover lines' first-line split of 50,000
    texts); :mod:`ui.map_view` keeps them per run."""
    n = len(frame)
    x, y = _normalised(frame["x"].to_numpy(), frame["y"].to_numpy())
    digest = hashlib.blake2b(x.tobytes() + y.tobytes(), digest_size=8).hexdigest()
    positions: dict[str, np.ndarray | bytes] = {"x": x, "y": y}
    if n <= IDS_UP_TO:
        ids = [str(i) for i in frame["id"].to_numpy(object)]
        text = "\n".join(ids)
        if text.count("\n") != n - 1:  # an id with a line break in it
            text = "\n".join(i.replace("\n", " ") for i in ids)
        positions["ids"] = text.encode()
    if n <= HOVER_UP_TO and "hover" in frame:
        positions["hover"] = _first_lines(frame["hover"])
    atlas = None
    if images is not None and len(images) == n and n <= ATLAS_UP_TO:
        positions["atlas"], atlas = _atlas(images)
    return PointPositions(positions, f"{run_key}:{n}:{digest}", atlas)


def prepare_points(frame: pd.DataFrame, *, run_key: str, images: np.ndarray | None = None,
                   height: int = 620, widget: str = "map",
                   placed: PointPositions | None = None) -> PreparedPoints:
    """The part of the map that no colouring, filter or selection changes (parameters as
    :func:`prepare_map`'s; ``placed``: :func:`point_positions` of the same run, when kept)."""
    n = len(frame)
    placed = placed or point_positions(frame, run_key=run_key, images=images)
    positions, pos_key = placed.positions, placed.pos_key
    x, y = positions["x"], positions["y"]
    codes_in_order, names_in_order = _text_codes(frame["cluster_name"])
    present = np.flatnonzero(np.bincount(codes_in_order, minlength=len(names_in_order)))
    cluster_names = sorted(names_in_order[i] for i in present)
    lut = np.zeros(len(names_in_order), np.uint16)
    lut[present] = [cluster_names.index(names_in_order[i]) for i in present]
    cluster_codes = lut[codes_in_order]
    confidence = np.clip(frame["confidence"].to_numpy(np.float64) * 255, 0, 255)
    meta: dict = {} if placed.atlas is None else {"atlas": placed.atlas}
    if len(cluster_names) <= 256:
        cluster_codes = cluster_codes.astype(np.uint8)
    point_codes = {"cluster": cluster_codes,
                   "confidence": np.nan_to_num(confidence).astype(np.uint8)}
    codes_key = hashlib.blake2b(b"".join(a.tobytes() for a in point_codes.values())
                                + json.dumps(cluster_names).encode(), digest_size=8).hexdigest()
    meta.update({
        "run": run_key, "widget": widget, "n": n, "pos_key": pos_key,
        "codes_key": codes_key, "cluster_names": cluster_names,
        "labels": _label_anchors(x, y, cluster_codes, cluster_names), "height": height,
        "point_size": 6 if n < 5_000 else (4 if n < 50_000 else (2.5 if n < 300_000 else 1.5)),
        "opacity": 0.85 if n < 100_000 else 0.6,
    })
    return PreparedPoints(meta, positions, point_codes, pos_key)


def colour_points(points: PreparedPoints, frame: pd.DataFrame, colour: str,
                  shown: list[str] | None = None) -> PreparedMap:
    """A colouring and cluster filter of prepared points.

    Coloured by ``cluster`` or ``confidence``, the colours are codes the browser holds
    anyway (``colour_source`` in the JSON block, no ``colour`` section); by any other
    column, a ``colour`` byte per point.
    """
    from_codes = None
    if colour in ("cluster", "confidence"):
        from_codes = _colouring_from_codes(colour, points,
                                           frame["confidence"].to_numpy(np.float64))
    if from_codes is not None:
        palette, legend, values = from_codes
        colours, source, digest = {}, colour, b""
    else:
        column = "cluster_name" if colour == "cluster" else colour
        codes, palette, legend, values = _colouring(frame[column], colour)
        colours, source, digest = {"colour": codes}, None, codes.tobytes()
    cluster_names = points.meta["cluster_names"]
    shown_set = set(shown or [])
    filter_codes = [i for i, c in enumerate(cluster_names) if c in shown_set] \
        if shown_set else None
    colour_key = hashlib.blake2b(
        digest + json.dumps([source, palette, filter_codes, points.meta["codes_key"]]).encode(),
        digest_size=8).hexdigest()
    meta = {**points.meta, "palette": palette, "legend": legend, "colour_label": colour,
            "colour_values": values, "colour_source": source, "colour_key": colour_key,
            "filter": filter_codes}
    return PreparedMap(meta, points.positions, points.codes, colours, points.pos_key)


def prepare_map(frame: pd.DataFrame, *, run_key: str, colour: str,
                shown: list[str] | None = None, images: np.ndarray | None = None,
                height: int = 620, widget: str = "map") -> PreparedMap:
    """The parts of the map that do not depend on the selection.

    Parameters
    ----------
    frame : DataFrame
        From :func:`ui.views.map_frame` (``id, x, y, cluster_name, confidence, hover`` ...).
    run_key : str
        The run drawn (part of the positions' key).
    colour : str
        ``cluster`` or any column of ``frame``.
    shown : list of str, optional
        Cluster names to show (others are filtered out); all when empty.
    images : ndarray, optional
        The run's images, for tooltip thumbnails (small runs only).
    height : int
        Height of the map in pixels.
    widget : str
        The widget's key (the browser keeps one canvas per key).

    Returns
    -------
    PreparedMap
    """
    points = prepare_points(frame, run_key=run_key, images=images, height=height,
                            widget=widget)
    return colour_points(points, frame, colour, shown)


def encode_map(prepared: PreparedMap, selected_rows: np.ndarray | None = None,
               browser_holds: tuple[str | None, ...] | None = None) -> MapPayload:
    """The payload of a prepared map with a selection.

    Parameters
    ----------
    prepared : PreparedMap
    selected_rows : ndarray, optional
        Rows to draw as selected (the browser applies them whenever they change).
    browser_holds : (str, str, str, str), optional
        The positions, codes, colour keys and selection token the browser already holds
        (:attr:`MapPayload.holds` of the last payload): what it holds is left out, so a rerun
        that changed only the selection sends the JSON block and a bitmask, and one that
        changed nothing of the map (a search, a page of the selection table) the JSON block.

    Returns
    -------
    MapPayload
    """
    selected = np.zeros(prepared.meta["n"], bool)
    if selected_rows is not None and len(selected_rows):
        selected[np.asarray(selected_rows, np.int64)] = True
    bits = np.packbits(selected)
    token = hashlib.blake2b(bits.tobytes(), digest_size=8).hexdigest()
    held_positions, held_codes, held_colours, held_selection = \
        (tuple(browser_holds or ()) + (None,) * 4)[:4]
    with_positions = held_positions != prepared.pos_key
    with_codes = with_positions or held_codes != prepared.meta["codes_key"]
    with_colours = with_codes or held_colours != prepared.meta["colour_key"]
    sections = {**(prepared.positions if with_positions else {}),
                **(prepared.codes if with_codes else {}),
                **(prepared.colours if with_colours else {})}
    if with_positions or held_selection != token:
        sections["selected"] = bits
    meta = {**prepared.meta, "selection_token": token}
    return MapPayload(_encode(meta, sections), prepared.pos_key, with_positions,
                      prepared.meta["codes_key"], prepared.meta["colour_key"], with_codes,
                      with_colours, token)


def build_payload(frame: pd.DataFrame, *, run_key: str, colour: str,
                  shown: list[str] | None = None, selected_rows: np.ndarray | None = None,
                  browser_holds: tuple[str | None, ...] | None = None,
                  images: np.ndarray | None = None, height: int = 620,
                  widget: str = "map") -> MapPayload:
    """:func:`prepare_map` and :func:`encode_map` in one call (same parameters)."""
    prepared = prepare_map(frame, run_key=run_key, colour=colour, shown=shown, images=images,
                           height=height, widget=widget)
    return encode_map(prepared, selected_rows, browser_holds)


_DTYPES = {np.dtype(np.float32): "f4", np.dtype(np.uint8): "u1", np.dtype(np.uint16): "u2",
           np.dtype(np.uint32): "u4"}


def _encode(meta: dict, sections: dict[str, np.ndarray | bytes]) -> bytes:
    table, blobs, offset = {}, [], 0
    for name, value in sections.items():
        if isinstance(value, bytes):
            blob, dtype = value, "raw"
        else:
            arr = np.ascontiguousarray(value)
            blob, dtype = arr.astype(arr.dtype.newbyteorder("<"), copy=False).tobytes(), \
                _DTYPES[arr.dtype]
        table[name] = [offset, len(blob), dtype]
        pad = (-len(blob)) % 8
        blobs.append(blob + b"\0" * pad)
        offset += len(blob) + pad
    head = json.dumps({**meta, "sections": table}, separators=(",", ":")).encode()
    pad = (-(8 + len(head))) % 8
    return b"".join([MAGIC, np.uint32(len(head)).tobytes(), head, b"\0" * pad, *blobs])


def decode(data: bytes) -> tuple[dict, dict[str, np.ndarray | bytes]]:
    """Read a payload back (the inverse of the encoder; used by tests and benchmarks)."""
    if data[:4] != MAGIC:
        raise ValueError("not a clusterlab map payload")
    length = int(np.frombuffer(data[4:8], np.uint32)[0])
    meta = json.loads(data[8:8 + length])
    base = 8 + length + (-(8 + length)) % 8
    kinds = {"f4": np.float32, "u1": np.uint8, "u2": np.uint16, "u4": np.uint32}
    sections = {}
    for name, (offset, size, dtype) in meta["sections"].items():
        blob = data[base + offset: base + offset + size]
        sections[name] = blob if dtype == "raw" else np.frombuffer(blob, kinds[dtype])
    return meta, sections


def selection_rows(value: dict | None, n: int) -> np.ndarray | None:
    """Rows of a selection the component reported, or None when it is not one.

    The component sends ``{"token", "n", "rows"}`` for small selections and
    ``{"token", "n", "bits"}`` (a base64 bitmask) for large ones.
    """
    if not isinstance(value, dict):
        return None
    if "rows" in value:
        rows = np.asarray(value["rows"], np.int64)
        return np.unique(rows[(rows >= 0) & (rows < n)])
    if "bits" in value:  # sorted and distinct already
        bits = np.frombuffer(base64.b64decode(value["bits"]), np.uint8)
        return np.flatnonzero(np.unpackbits(bits)[:n])
    return None
