"""The rows of a JSON document, in the layouts tools write tables in.

An array of objects is the layout :mod:`clustering.json_tables` always read. Others that a
new user's file is likely to be in, each turned into the same list of row objects:

- ``columns``: one object of equal-length arrays (``{"width": [1.5, 2.0], "kind": ["a",
  "b"]}``, as ``df.to_dict("list")`` or R's ``jsonlite::toJSON(df, dataframe="columns")``
  write it), or one object of objects keyed by row (``df.to_json()``, pandas' default);
- ``index``: one object of row objects keyed by the rows' names
  (``df.to_json(orient="index")``);
- ``split``: ``{"columns": [...], "index": [...], "data": [[...], ...]}``
  (``df.to_json(orient="split")``);
- ``arrays`` (``arrays-unnamed`` without names): an array of arrays
  (``df.to_json(orient="values")``, a spreadsheet API's ``values``), its first array naming
  the columns when it holds names and the rows below do not.

Row names other than 0, 1, 2, ... are kept in a column ``row``.
"""

from __future__ import annotations

from .errors import InputError

__all__ = ["LAYOUT_NOTES", "not_an_object", "rows_of"]

ROW_NAMES = "row"
"""The column that keeps rows' names (from an object keyed by row)."""
LAYOUT_NOTES = {
    "columns": "holds one object of columns (each field the rows' values in order, as "
               "pandas' to_json and to_dict('list') write a table); read as a table",
    "index": "holds one object of rows keyed by their names (pandas' "
             "to_json(orient='index')); read as a table",
    "split": "holds a table in pandas' split layout (columns, index and data); read as a "
             "table",
    "arrays": "holds an array of arrays; read as a table, its first array naming the columns",
    "arrays-unnamed": "holds an array of arrays; read as a table with the columns named "
                      "column_1, column_2, ... (make the first array their names to name "
                      "them)",
}
"""What each layout is, for the loader's note (the file's name goes before it)."""


def rows_of(document, name: str) -> tuple[list[dict], str | None]:
    """The row objects of a parsed JSON document, and the layout they were in.

    Parameters
    ----------
    document : object
        What ``json.loads`` returned for the whole file.
    name : str
        The file's name, for errors.

    Returns
    -------
    list of dict
        One object per row.
    str or None
        The layout (a key of :data:`LAYOUT_NOTES`), None for an array of objects.

    Raises
    ------
    InputError
        When the document is none of the layouts, naming what it is.

    Examples
    --------
    >>> rows_of({"w": [1.5, 2.0], "kind": ["a", "b"]}, "t.json")
    ([{'w': 1.5, 'kind': 'a'}, {'w': 2.0, 'kind': 'b'}], 'columns')
    >>> rows_of({"w": {"0": 1.5, "1": 2.0}}, "t.json")
    ([{'w': 1.5}, {'w': 2.0}], 'columns')
    >>> rows_of([["w", "kind"], [1.5, "a"]], "t.json")
    ([{'w': 1.5, 'kind': 'a'}], 'arrays')
    """
    if isinstance(document, dict):
        found = _from_object(document)
        if found is not None:
            return found
        raise InputError(f"'{name}' holds one JSON object that is not a table: not an array "
                         "of rows, nor one array per column, nor one object per row or "
                         "column; save the rows as an array of objects or as JSON Lines "
                         "(.jsonl, one object per line).")
    if not isinstance(document, list):
        raise InputError(f"'{name}' holds one JSON {json_type(document)}, not rows; save "
                         "the rows as an array of objects or as JSON Lines (.jsonl, one "
                         "object per line).")
    if document and all(isinstance(row, list) for row in document):
        rows, named = _from_arrays(document, name)
        return rows, "arrays" if named else "arrays-unnamed"
    for number, row in enumerate(document, 1):
        if not isinstance(row, dict):
            raise not_an_object(name, f"item {number}", row)
    return document, None


def json_type(value) -> str:
    """JSON's name for the type of a parsed value (``null``, not Python's ``NoneType``).

    Examples
    --------
    >>> json_type(None), json_type(3), json_type(2.5), json_type("a"), json_type([1])
    ('null', 'number', 'number', 'string', 'array')
    """
    names = {type(None): "null", bool: "boolean", int: "number", float: "number",
             str: "string", list: "array", dict: "object"}
    return names.get(type(value), type(value).__name__)


def not_an_object(name: str, where: str, row) -> InputError:
    """The error for a row of a JSON file that is not an object (``where``: "line 3")."""
    return InputError(f"'{name}': {where} is a JSON {json_type(row)}, not an object; "
                      'every row must be an object such as {"text": "...", "value": 1.5}.')


def _from_object(document: dict) -> tuple[list[dict], str | None] | None:
    """The rows of one JSON object, or None when it is no layout of a table."""
    if not document:
        return None
    values = list(document.values())
    data, columns = document.get("data"), document.get("columns")
    if isinstance(data, list) and isinstance(columns, list) and all(
            isinstance(row, list) and len(row) == len(columns) for row in data):
        names = document.get("index")
        rows = [dict(zip(map(str, columns), row, strict=True)) for row in data]
        return _named(rows, names if isinstance(names, list) else None), "split"
    arrays = [v for v in values if isinstance(v, list)]
    if len(arrays) == 1 and arrays[0] and all(isinstance(r, dict) for r in arrays[0]):
        return arrays[0], None  # an API's {"results": [{...}, ...], "count": 2}
    if all(isinstance(v, list) for v in values) and len({len(v) for v in values}) == 1 \
            and not any(isinstance(x, dict | list) for v in values for x in v):
        return [dict(zip(document, row, strict=True)) for row in zip(*values, strict=True)], \
            "columns"
    if all(isinstance(v, dict) and v for v in values):
        keys = list(values[0])
        if any(list(v) != keys for v in values[1:]):
            return None
        if _outer_are_rows(list(document), keys):
            return _named([dict(v) for v in values], list(document)), "index"
        rows = [{column: document[column][key] for column in document} for key in keys]
        return _named(rows, keys), "columns"
    return None


def _outer_are_rows(outer: list[str], inner: list[str]) -> bool:
    """Whether an object of objects is keyed by row (``index``) rather than by column.

    Keys 0, 1, 2, ... are a default row index, on whichever side they are; else the side
    with more keys holds the rows.

    Examples
    --------
    >>> _outer_are_rows(["g1", "g2", "g3"], ["0", "1"]), _outer_are_rows(["0", "1"], ["a"])
    (False, True)
    >>> _outer_are_rows(["s1", "s2", "s3"], ["width", "height"])
    True
    """
    def counted(keys: list[str]) -> bool:
        return [str(k) for k in keys] == [str(i) for i in range(len(keys))]

    if counted(inner) != counted(outer):
        return counted(outer)
    return len(outer) > len(inner)


def _named(rows: list[dict], names: list | None) -> list[dict]:
    """The rows with their names in column ``row``, unless they are 0, 1, 2, ... or taken."""
    if names is None or [str(n) for n in names] == [str(i) for i in range(len(rows))] \
            or any(ROW_NAMES in row for row in rows):
        return rows
    return [{ROW_NAMES: name, **row} for name, row in zip(names, rows, strict=True)]


def _from_arrays(arrays: list[list], name: str) -> tuple[list[dict], bool]:
    """Rows of an array of arrays, and whether the first array named the columns.

    Without names the columns are column_1, column_2, ...
    """
    widths = {len(a) for a in arrays}
    if len(widths) != 1:
        raise InputError(f"'{name}' holds arrays of {min(widths)} to {max(widths)} values; "
                         "as a table every row needs the same number of values.")
    first = arrays[0]
    header = len(arrays) > 1 and all(isinstance(v, str) for v in first) and any(
        not isinstance(v, str) for row in arrays[1:] for v in row) and len(set(first)) == \
        len(first)
    names = first if header else [f"column_{i + 1}" for i in range(len(first))]
    return [dict(zip(names, row, strict=True)) for row in arrays[1 if header else 0:]], header
