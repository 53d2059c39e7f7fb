"""Read JSON Lines (``.jsonl``, ``.ndjson``) and JSON arrays of records (``.json``) as tables.

One object per row. Nested objects become dotted columns (``meta.source``); a field that
holds a list of numbers of the same length in every row (an embedding, a signal) becomes
one column per entry (``embedding[0]``, ``embedding[1]``, ...); any other list or object is
kept as its JSON text. Only the standard library's ``json`` parser reads the file: nothing
in it is ever executed.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from pathlib import Path

import numpy as np
import pandas as pd

from .csv_layout import file_encoding
from .errors import InputError
from .json_layouts import not_an_object, rows_of

__all__ = ["JSON_SUFFIXES", "flatten_structs", "json_line", "read_json_table",
           "spread_vectors", "vectors_from_text"]

JSON_SUFFIXES = (".jsonl", ".ndjson", ".json")
"""File types read by :func:`read_json_table`."""

MAX_VECTOR = 20_000
"""Longest list of numbers spread over columns (as :data:`clustering.tables.MAX_COLUMNS`)."""


def read_json_table(path: Path) -> pd.DataFrame:
    r"""The rows of a JSON Lines file or of a JSON array of objects, as a DataFrame.

    Parameters
    ----------
    path : Path
        A ``.jsonl`` / ``.ndjson`` file (one JSON object per line; blank lines skipped) or a
        ``.json`` file holding one array of objects (alone, or as the one array in an
        object, as APIs wrap them: ``{"results": [...], "count": 2}``) or a table in
        another of the layouts pandas writes (:mod:`clustering.json_layouts`; the layout
        is kept in ``frame.attrs["json_layout"]``).

    Returns
    -------
    DataFrame
        One row per object; ``frame.attrs["vectors"]`` maps each field spread over columns
        to its length (for the loader's note).

    Raises
    ------
    InputError
        When the file is not UTF-8 (nor UTF-16 or UTF-32 by its byte-order mark), a line is
        not valid JSON, or a row is not an object.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "rows.jsonl"
    >>> _ = path.write_text('{"text": "a", "v": [1, 2]}\n{"text": "b", "v": [3, 4]}\n')
    >>> read_json_table(path).columns.tolist()
    ['text', 'v[0]', 'v[1]']
    """
    try:
        text = path.read_text(encoding=file_encoding(path))
    except UnicodeDecodeError:
        raise InputError(f"'{path.name}' is not UTF-8 text (nor UTF-16 or UTF-32 with a "
                         "byte-order mark), which JSON must be; save it as UTF-8 and load it "
                         "again.") from None
    records, layout = _records(text, path.name, path.suffix.lower() != ".json")
    if not records:
        raise InputError(f"'{path.name}' holds no rows; it needs one JSON object per row.")
    frame = spread_vectors(pd.json_normalize(records, max_level=8))
    if layout:
        frame.attrs["json_layout"] = layout
    return frame


def flatten_structs(frame: pd.DataFrame) -> pd.DataFrame:
    """Parquet struct columns spread into dotted columns, as JSON's nested objects are.

    A column whose every filled cell is a mapping (a Parquet ``struct``, as Spark and
    Hugging Face datasets write nested fields) becomes ``col.field`` columns (nested structs
    ``col.field.sub``); a row without it leaves them empty. Before, the whole struct was one
    column of its JSON text, named "a text column" and left out.

    Examples
    --------
    >>> frame = pd.DataFrame({"x": [1, 2], "meta": [{"site": "a", "n": 3}, None]})
    >>> flatten_structs(frame).columns.tolist()
    ['x', 'meta.site', 'meta.n']
    """
    for col in list(frame.columns):
        cells = frame[col]
        if cells.dtype != object:
            continue
        present = cells.dropna()
        if not len(present) or not present.map(lambda v: isinstance(v, dict) and bool(v)).all():
            continue
        flat = pd.json_normalize([v if isinstance(v, dict) else {} for v in cells],
                                 max_level=8)
        flat.columns = [f"{col}.{name}" for name in flat.columns]
        flat.index = frame.index
        frame = _in_place_of(frame, col, flat)
    return frame


def _in_place_of(frame: pd.DataFrame, col: str, columns: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with ``columns`` where its column ``col`` was."""
    at = frame.columns.get_loc(col)
    return pd.concat([frame.iloc[:, :at], columns, frame.iloc[:, at + 1:]], axis=1)


def spread_vectors(frame: pd.DataFrame, whole: Collection[str] = ()) -> pd.DataFrame:
    """Columns of lists of numbers (embeddings) spread into one column per entry.

    A column whose every cell is a list (or, from Parquet, a 1-D array) of numbers of one
    length becomes the columns ``col[0]`` .. ``col[width - 1]``, and ``frame.attrs["vectors"]``
    maps it to its width; any other cell holding a list, array or mapping becomes its JSON
    text (a table's cells must be hashable), and so does every cell of the columns named in
    ``whole`` (a file read in blocks whose other blocks do not hold such vectors there).

    Examples
    --------
    >>> frame = pd.DataFrame({"v": [np.array([1.0, 2.0]), np.array([3.0, 4.0])], "t": [{}, []]})
    >>> out = spread_vectors(frame)
    >>> out.columns.tolist(), out.attrs["vectors"], out["t"].tolist()
    (['v[0]', 'v[1]', 't'], {'v': 2}, ['{}', '[]'])
    """
    vectors = {}
    nested = (list, dict, np.ndarray)
    for col in list(frame.columns):
        width = 0 if col in whole else _vector_width(frame[col])
        if width:
            spread = pd.DataFrame(np.array(frame[col].tolist(), dtype=np.float64),
                                  columns=[f"{col}[{i}]" for i in range(width)],
                                  index=frame.index)
            frame = _in_place_of(frame, col, spread)
            vectors[col] = width
        elif frame[col].dtype == object and frame[col].map(
                lambda v: isinstance(v, nested)).any():
            frame[col] = frame[col].map(lambda v: json.dumps(
                v.tolist() if isinstance(v, np.ndarray) else v, default=str)
                if isinstance(v, nested) else v)
    frame.attrs["vectors"] = vectors
    return frame


VECTOR_TEXT = r"\s*\[[-+0-9.eE,\s]*\]\s*"
"""A list of numbers written as text: ``[0.12, -3.5]`` (how pandas writes a column of lists
to CSV) or ``[0.12 -3.5]`` (how NumPy prints an array)."""


def vectors_from_text(frame: pd.DataFrame, whole: Collection[str] = ()) -> pd.DataFrame:
    """A table's columns of lists of numbers written as text, spread as :func:`spread_vectors`.

    A column is spread when every cell is such a list (:data:`VECTOR_TEXT`) and all of one
    length (2 to :data:`MAX_VECTOR`); any other column, and those in ``whole``, are left as
    they are. The frame's ``attrs`` are kept, with ``vectors`` added.

    Examples
    --------
    >>> frame = pd.DataFrame({"id": ["a", "b"], "emb": ["[0.5, -1]", "[2.0 3e-1]"]})
    >>> out = vectors_from_text(frame)
    >>> out.columns.tolist(), out["emb[1]"].tolist(), out.attrs["vectors"]
    (['id', 'emb[0]', 'emb[1]'], [-1.0, 0.3], {'emb': 2})
    """
    listed = {}
    for col in frame.columns:
        cells = frame[col]
        if col in whole or not pd.api.types.is_string_dtype(cells) or cells.isna().any() \
                or not len(cells) \
                or not str(cells.iloc[0]).lstrip().startswith("["):
            continue
        text = cells.astype(str)
        if not text.str.fullmatch(VECTOR_TEXT).all():
            continue
        try:
            lists = [[float(x) for x in t.strip()[1:-1].replace(",", " ").split()]
                     for t in text]
        except ValueError:  # "1e" or "+-2": not numbers after all
            continue
        if len({len(v) for v in lists}) == 1 and 2 <= len(lists[0]) <= MAX_VECTOR:
            listed[col] = lists
    if not listed:
        return frame
    attrs = dict(frame.attrs)
    out = spread_vectors(frame.assign(**{c: pd.Series(v, index=frame.index, dtype=object)
                                         for c, v in listed.items()}), whole)
    out.attrs = {**attrs, "vectors": {**attrs.get("vectors", {}), **out.attrs["vectors"]}}
    return out


def _records(text: str, name: str, lines: bool) -> tuple[list[dict], str | None]:
    """The objects of a JSON Lines text (``lines``) or of a JSON document, and its layout.

    The layout is :func:`clustering.json_layouts.rows_of`'s (None for an array of objects).
    """
    if lines:
        return [row for number, line in enumerate(text.splitlines(), 1)
                if (row := json_line(line, number, name)) is not None], None
    try:
        rows = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"'{name}' is not valid JSON ({exc.msg} at line {exc.lineno}, column "
                         f"{exc.colno}); fix it or save the rows as CSV.") from None
    except RecursionError:
        raise _too_deep(name) from None
    return rows_of(rows, name)


def json_line(line: str, number: int, name: str) -> dict | None:
    """One line of a JSON Lines file as its object (None for a blank line).

    Raises
    ------
    InputError
        The line is not valid JSON, or not an object.

    Examples
    --------
    >>> json_line('{"a": 1}', 1, "f.jsonl"), json_line("  ", 2, "f.jsonl")
    ({'a': 1}, None)
    """
    if not line.strip():
        return None
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputError(f"'{name}': line {number} is not valid JSON ({exc.msg}, column "
                         f"{exc.colno}); JSON Lines needs one complete JSON object per "
                         "line.") from None
    except RecursionError:
        raise _too_deep(name) from None
    if not isinstance(row, dict):
        raise not_an_object(name, f"line {number}", row)
    return row


def _vector_width(column: pd.Series) -> int:
    """The common length of a column's lists of numbers, or 0 when it is not such a column."""
    values = column.tolist()
    if values and all(isinstance(v, np.ndarray) for v in values):  # Parquet's lists
        width = len(values[0])
        ok = all(v.ndim == 1 and v.dtype.kind in "iuf" and len(v) == width for v in values)
        return width if ok and 2 <= width <= MAX_VECTOR else 0
    if not values or not all(isinstance(v, list) for v in values):
        return 0
    width = len(values[0])
    if not 2 <= width <= MAX_VECTOR or any(len(v) != width for v in values):
        return 0
    numbers = (int, float)
    ok = all(isinstance(x, numbers) and not isinstance(x, bool) for v in values for x in v)
    return width if ok else 0


def _too_deep(name: str) -> InputError:
    return InputError(f"'{name}' nests its values too deeply to be a table of rows; save the "
                      "rows as flat objects.")
