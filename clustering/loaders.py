"""Turn a path (or ``demo:NAME``) into a checked :class:`Dataset`."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from .column_plan import IMAGE_PATHS, fill_gaps, plan_columns
from .column_roles import ID_NOTE, default_features, id_columns
from .dataset import Dataset
from .demos import load_demo
from .errors import DROP_INVALID, InputError
from .file_types import refuse_unread_type
from .finite_rows import finite_rows
from .folder_tables import FOLDER_LABEL
from .hdf5_counts import HDF5_SUFFIXES, read_hdf5_counts
from .html_text import visible_texts
from .image_arrays import pixel_columns, pixel_table_images
from .image_folders import load_image_folder
from .image_manifest import image_column, load_manifest
from .load_notes import file_notes, guessed_text_note
from .long_readings import long_readings, pivot_advice
from .matrix_market import BARCODE_COLUMN, find_10x, read_10x
from .npy_files import load_npy
from .role_columns import did_you_mean, label_values, map_coordinates, row_ids
from .summary_rows import without_summary_row
from .tables import TABLE_SUFFIXES, read_table, rows_text
from .text_column_guess import guess_text, passed_over_note
from .text_folders import load_text_folder, reads_as_texts
from .transpose_table import swapped_as_asked

__all__ = ["KINDS", "TABLE_SUFFIXES", "dataset_from_frame", "load_data"]

KINDS = ("auto", "table", "images", "text", "embeddings", "series")


def load_data(source: str | Path, kind: str = "auto", *, text_column: str | None = None,
              label_column: str | None = None, id_column: str | None = None,
              drop_invalid: bool = False, image_size: int | None = None,
              map_columns: tuple[str, str] | list[str] | None = None,
              feature_columns: list[str] | None = None,
              ignore_columns: list[str] | None = None, fill_missing: bool = False,
              transpose: bool = False, like_run: dict | None = None,
              pixel_ranges: dict[str, tuple[float, float]] | None = None,
              images_root: str | None = None,
              progress: Callable[[float, str], None] | None = None) -> Dataset:
    """Load a demo, a table, a ``.npy`` embedding file, or a folder/zip of images or texts.

    A folder or zip holding a 10x count matrix (``matrix.mtx``, ``barcodes.tsv``,
    ``features.tsv``, each maybe gzipped), or its ``matrix.mtx`` itself, is read as a table
    of cells x genes (:mod:`clustering.matrix_market`), as are AnnData ``.h5ad`` and Cell
    Ranger ``.h5`` files (:mod:`clustering.hdf5_counts`), whose genes are the features.

    Parameters
    ----------
    source : str or Path
        ``demo:digits``, ``demo:iris``, ``demo:wine``, or a path.
    kind : {"auto", "table", "images", "text", "embeddings", "series"}
        What the rows are; ``auto`` decides from the file type and columns (a table of
        many smooth numeric columns in one unit is read as a ``series``).
    text_column, label_column, id_column : str, optional
        Column roles for tables.
    drop_invalid : bool
        Leave out rows with NaN/inf and unreadable images instead of refusing.
    image_size : int, optional
        Common side length for images of different sizes or larger than 64 px; without
        it, chosen from their sizes and number (:func:`clustering.images.image_side`).
    map_columns : pair of str, optional
        Two numeric columns of a table that are the 2-D map (used instead of UMAP and left
        out of the features).
    feature_columns : list of str, optional
        The table columns to cluster on; the other columns stay for colouring and export.
        Without it, numeric columns are features, while id-like columns and categorical
        ones (a ``batch``, a ``site``) are not, with a note saying so.
    ignore_columns : list of str, optional
        Table columns left out altogether.
    fill_missing : bool
        Fill empty cells of a table's numeric columns (each column's median; a signal's
        row by interpolation along it) instead of refusing the rows, with a note saying how
        many; exports leave them empty (:func:`clustering.column_plan.fill_gaps`).
    transpose : bool
        Swap a table's rows and columns first (:func:`clustering.transpose_table.
        transposed`): a count matrix with a gene in each row and a sample in each column
        is clustered by sample. ``id_column`` then names the column that names the rows
        (by default the first, when it holds text) and ``label_column`` a row.
    like_run : dict, optional
        The config of a run these rows are more of (``predict``): its text and id columns,
        where the file has them, and its kind ``embeddings`` or ``series`` are taken for
        those not given, each with a note; rows and columns are swapped when the run's were.
        With its key ``columns_clustered`` (a table run's ``data.feature_columns``) the rows
        are read as a table on those of the run's columns the file has, so that no column is
        chosen, or noted as left out, again on a handful of new rows.
    pixel_ranges : dict of str to (float, float), optional
        Images: the 16-bit, float and DICOM images of each kind read over the range given
        for it (a run's ``data.pixel_ranges``), so new images are read as the run's were;
        without it, each kind over its own common range.
    images_root : str, optional
        A table naming image files: the folder their paths start from (``--images-root``).
    progress : callable, optional
        ``progress(fraction, message)`` while a folder, zip or table of images is read.

    Returns
    -------
    Dataset

    Examples
    --------
    >>> data = load_data("demo:iris", label_column=None)
    >>> data.modality, data.n, data.label_name
    ('table', 150, 'species')
    """
    if kind not in KINDS:
        raise InputError(f"kind must be one of {', '.join(KINDS)}, not '{kind}'.")
    text = str(source)
    not_a_table = text.startswith("demo:") or Path(source).is_dir() or \
        Path(source).suffix.lower() in (".zip", ".npy")
    transpose = transpose or bool(like_run and like_run.get("transpose"))
    if transpose and (not_a_table or Path(text).suffix.lower() in HDF5_SUFFIXES):
        raise InputError(f"Only a table's rows and columns can be swapped; '{Path(text).name}'"
                         " is not a CSV, Excel, Parquet or JSON table, so leave --transpose "
                         "out.")
    for what, given in (("map columns", map_columns), ("feature columns", feature_columns),
                        ("ignored columns", ignore_columns)):
        if given and not_a_table:
            raise InputError(f"{what} ({', '.join(given)}) are columns of a CSV or Parquet "
                             f"table; '{Path(text).name}' has none, so leave them out.")
    if text.startswith("demo:"):
        return load_demo(text[len("demo:"):])
    path = Path(source)
    if not path.exists():
        raise InputError(f"'{path}' does not exist; check the path or use a demo such as "
                         "demo:digits.")
    tenx = find_10x(path) if kind in ("auto", "table") else None
    genes = (like_run or {}).get("columns_clustered")
    if tenx is not None:
        frame, summary = read_10x(path, tenx, keep=genes)
        id_column, kind = id_column or BARCODE_COLUMN, "table"  # no signal or text to find
    elif path.suffix.lower() in HDF5_SUFFIXES and kind in ("auto", "table"):
        frame, summary, genes = read_hdf5_counts(path, keep=genes)
        id_column, kind = id_column or BARCODE_COLUMN, "table"
        feature_columns = feature_columns or genes  # not the cells' annotations
    else:
        read = _not_a_table(path, kind, drop_invalid, image_size, pixel_ranges, label_column,
                            progress)
        if read is not None:
            return read
        named = [*(genes or ()), *(feature_columns or ()), *(map_columns or ()),
                 *(c for c in (label_column, id_column, text_column) if c)]
        frame, summary = without_summary_row(read_table(path, keep=named), path.name)
        images = image_column(frame, path, images_root) if kind in ("auto", "images") else None
        if images is not None and images != text_column:  # a manifest: read its images
            return load_manifest(path, frame, images, drop_invalid=drop_invalid,
                                 size=image_size, over=pixel_ranges, label_column=label_column,
                                 id_column=id_column, images_root=images_root,
                                 progress=progress)
    taken = []
    if like_run:
        kind, text_column, id_column, taken = _roles_like(like_run, frame, kind, text_column,
                                                          id_column)
    frame, id_column, swapped, advice = swapped_as_asked(frame, path.name, transpose,
                                                         id_column, label_column)
    taken = [*taken, *swapped]
    if like_run and like_run.get("columns_clustered") and not feature_columns:
        feature_columns = [c for c in like_run["columns_clustered"] if c in frame.columns]
        kind = "table" if kind == "auto" and feature_columns else kind
    try:
        data = _from_frame(frame, path.name, str(path), kind, text_column, label_column,
                           id_column, drop_invalid, map_columns, feature_columns,
                           ignore_columns, fill_missing, image_size)
    except InputError as exc:
        if advice is None:
            raise
        raise InputError(f"{exc} {advice}") from None
    notes = [*summary, *taken, *file_notes(frame.attrs, path.name,
                                           data.modality != "embeddings")]
    return dataclasses.replace(data, notes=(*notes, *data.notes)) if notes else data


def _not_a_table(path: Path, kind: str, drop_invalid: bool, image_size, pixel_ranges,
                 label_column, progress=None) -> Dataset | None:
    """A folder, zip or ``.npy`` read; None for a table; an error for a type not read."""
    suffix = path.suffix.lower()
    if path.is_dir() or suffix == ".zip":
        if kind not in ("auto", "images", "text"):
            raise InputError(f"'{path.name}' is a folder or zip, which is read as images or "
                             f"as text files, not as {kind}; read it with kind 'auto'.")
        if kind == "text" or (kind == "auto" and reads_as_texts(path)):
            return _text_folder(path, drop_invalid, label_column)
        return load_image_folder(path, drop_invalid, image_size, pixel_ranges, label_column,
                                 progress)
    if suffix == ".npy":
        return load_npy(path, kind, drop_invalid, image_size)
    refuse_unread_type(path)
    return None


def _text_folder(path: Path, drop_invalid: bool, label_column: str | None) -> Dataset:
    """The text files of a folder or zip, one text each (:mod:`clustering.text_folders`)."""
    frame, notes = load_text_folder(path, drop_invalid, label_column)
    truth = label_column if label_column in frame.columns else (
        FOLDER_LABEL if FOLDER_LABEL in frame.columns else None)
    data = _from_frame(frame, path.name, str(path), "text", "text", truth, "file", drop_invalid)
    return dataclasses.replace(data, notes=(*notes, *data.notes))


def _roles_like(config: dict, frame: pd.DataFrame, kind: str, text_column, id_column):
    """``kind``, text and id column as given, else as the run of ``config`` read its data."""
    roles, taken = {"text_column": text_column, "id_column": id_column}, []
    for role, given in roles.items():
        column = config.get(role)
        if given is None and column and column in frame.columns:
            roles[role] = column
            taken.append(f"{role.replace('_', ' ').capitalize()} '{column}', as in the run.")
    if kind == "auto" and config.get("kind") in ("embeddings", "series"):
        kind = config["kind"]
        taken.append(f"Rows read as {kind}, as in the run.")
    return kind, roles["text_column"], roles["id_column"], taken


def dataset_from_frame(frame: pd.DataFrame, kind: str = "auto", *, name: str = "data",
                       text_column: str | None = None, label_column: str | None = None,
                       id_column: str | None = None, drop_invalid: bool = False,
                       map_columns: tuple[str, str] | list[str] | None = None,
                       feature_columns: list[str] | None = None,
                       ignore_columns: list[str] | None = None,
                       fill_missing: bool = False) -> Dataset:
    """A :class:`Dataset` from a DataFrame already in memory.

    The frame is read as :func:`load_data` reads a table file.

    Parameters
    ----------
    frame : DataFrame
        One row per item.
    kind : {"auto", "table", "text", "embeddings"}
        What the rows are.
    name : str
        Name used in messages.
    text_column, label_column, id_column : str, optional
        Column roles.
    drop_invalid : bool
        Leave out rows with missing or infinite numbers instead of refusing them.
    map_columns : pair of str, optional
        Two numeric columns that are the 2-D map (not features).
    feature_columns, ignore_columns : list of str, optional
        As for :func:`load_data`.

    Returns
    -------
    Dataset
        The rows with their roles.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"a": [1.0, 2.0, 3.0], "g": ["x", "y", "x"]})
    >>> dataset_from_frame(frame, label_column="g").modality
    'table'
    """
    if kind not in KINDS:
        raise InputError(f"kind must be one of {', '.join(KINDS)}, not '{kind}'.")
    return _from_frame(frame, name, name, kind, text_column, label_column, id_column,
                       drop_invalid, map_columns, feature_columns, ignore_columns, fill_missing)


def _from_frame(frame: pd.DataFrame, name: str, source: str, kind: str, text_column,
                label_column, id_column, drop_invalid: bool, map_columns=None,
                feature_columns=None, ignore_columns=None, fill_missing=False,
                image_size: int | None = None) -> Dataset:
    map_columns = list(map_columns or [])
    asked = kind
    vectors = frame.attrs.get("vectors") or {}
    if kind == "embeddings" and not feature_columns and len(vectors) == 1:
        feature_columns = list(vectors)  # a JSON field of numbers per row: the embedding
    feature_columns = _spread_vectors(feature_columns, vectors, frame.columns)
    for role, col in (("text_column", text_column), ("label_column", label_column),
                      ("id_column", id_column),
                      *(("map_columns", c) for c in map_columns),
                      *(("feature_columns", c) for c in feature_columns or []),
                      *(("ignore_columns", c) for c in ignore_columns or [])):
        if col is not None and col not in frame.columns:
            raise InputError(f"'{name}' has no column '{col}' (given as {role})"
                             f"{did_you_mean(col, frame.columns)}; its columns are "
                             f"{', '.join(map(repr, list(frame.columns)[:12]))}.")
    named = {text_column, label_column, id_column, *map_columns} - {None}
    for col in [*(feature_columns or []), *(ignore_columns or [])]:
        if col in named:
            raise InputError(f"'{name}': column '{col}' is the text, label, id or a map column"
                             "; it cannot also be a feature or ignored.")
    clash = set(feature_columns or []) & set(ignore_columns or [])
    if clash:
        raise InputError(f"'{name}': column(s) {', '.join(map(repr, sorted(clash)))} are both "
                         "features and ignored; choose one.")
    if ignore_columns:
        frame = frame.drop(columns=list(ignore_columns))
    guessed = passed = None
    if kind in ("auto", "text") and not text_column:
        guess = guess_text(frame, {label_column, id_column}, prefer_table=kind == "auto")
        text_column = guessed = guess.column
        passed = guess if guess.passed_over else None
    if kind == "auto":
        kind = "text" if text_column else "auto"
    if kind == "text" and not text_column:
        raise InputError(f"'{name}' is to be read as text, but no text column was given and "
                         "none holds texts (long values of several words, mostly distinct); "
                         "name it with text_column (--text-column).")
    ids = row_ids(frame, id_column, name)
    labels, label_note = label_values(frame, label_column, name) if label_column else (None, [])
    map_xy = map_coordinates(frame, map_columns, name) if map_columns else None
    roles = [c for c in (text_column, label_column, id_column, *map_columns) if c]
    features = frame.drop(columns=list(dict.fromkeys(roles)))
    pixels = pixel_columns(features) if kind in ("auto", "images") else []
    if kind == "auto" and pixels:
        kind = "images"
    if kind == "auto":
        from .series import looks_like_series

        # a row number beside the readings is no reading (and not in their unit)
        kind = "series" if looks_like_series(features.drop(columns=id_columns(features))) \
            else "table"
    layout = long_readings(features, set()) if kind == "series" or (
        asked == "auto" and kind == "table") else None
    if kind == "series" and layout:
        raise InputError(pivot_advice(layout, name))
    if kind == "images":
        data = _pixel_dataset(features, name, source, ids, labels, label_column, drop_invalid,
                              list(feature_columns or pixels), image_size)
        return dataclasses.replace(data, notes=(*data.notes, *label_note))
    if kind == "text":
        if feature_columns:
            raise InputError(f"'{name}' is read as text: the text column is what is clustered,"
                             " so leave feature columns out (or read it as a table).")
        data = _text_dataset(frame, features, name, source, text_column, ids, labels,
                             drop_invalid, label_column, map_xy)
        if guessed:
            data = dataclasses.replace(data, notes=(guessed_text_note(frame, guessed, features),
                                                    *data.notes))
    else:
        data = _table_dataset(features, name, source, kind, ids, labels, drop_invalid,
                              label_column, map_xy, feature_columns, fill_missing)
        if layout and not feature_columns:  # read as asked, with how to read the signals
            data = dataclasses.replace(data, notes=(pivot_advice(layout, name), *data.notes))
        if passed:  # said once, with why, instead of as one more ignored column
            ignored = f"Ignored column '{passed.passed_over}'"
            data = dataclasses.replace(data, notes=(passed_over_note(passed), *(
                n for n in data.notes if not n.startswith(ignored))))
    return dataclasses.replace(data, notes=(*data.notes, *label_note)) if label_note else data


def _pixel_dataset(features, name, source, ids, labels, label_column, drop_invalid, pixels,
                   size) -> Dataset:
    """A table of pixels read as images.

    Its ``pixels`` columns, else every column but an id-like one
    (:func:`clustering.image_arrays.pixel_table_images`).
    """
    notes = []
    if not pixels:
        ids_like = id_columns(features)
        pixels = [c for c in features.columns if c not in ids_like]
        notes += [ID_NOTE.format(c) for c in ids_like]
    others = [c for c in features.columns if c not in pixels]
    if others:
        notes.append(f"Read the {len(pixels):,} pixel columns as images; column(s) "
                     f"{', '.join(map(repr, others[:6]))} are kept for export only.")
    images, keep, more, span = pixel_table_images(features[pixels], name, drop_invalid, size)
    return Dataset(name=name, modality="images", ids=ids[keep],
                   table=features[keep].reset_index(drop=True),
                   labels=None if labels is None else labels[keep], images=images,
                   source=source, notes=(*notes, *more), label_name=label_column,
                   pixel_range=span)


def _spread_vectors(columns: list[str] | None, vectors: dict[str, int], present
                    ) -> list[str] | None:
    """Feature columns with a JSON field of numbers (``embedding``) named by its columns."""
    if not columns or not vectors:
        return columns
    return [part for col in columns for part in (
        [f"{col}[{i}]" for i in range(vectors[col])]
        if col in vectors and col not in present else [col])]


def _table_dataset(features, name, source, kind, ids, labels, drop_invalid, label_column,
                   map_xy=None, feature_columns=None, fill_missing=False):
    if features.shape[1] == 0:
        raise InputError(f"'{name}' has no feature column left besides the id/label/text "
                         "columns; add the columns to cluster on.")
    typed, plan = plan_columns(features, name)
    notes = [f"Ignored column '{c}': {why}." for c, why in plan.dropped.items()]
    if plan.marked:
        shown = ", ".join(f"'{c}' ({n:,})" for c, n in list(plan.marked.items())[:6])
        notes.append(f"Read {sum(plan.marked.values()):,} cell(s) of number columns holding a "
                     f"missing-value mark such as '?', '-' or a formula's error ('#DIV/0!') "
                     f"as empty: {shown}.")
    for style in dict.fromkeys(plan.styles.values()):
        cols = [c for c, s in plan.styles.items() if s == style]
        more = f" and {len(cols) - 6} more" if len(cols) > 6 else ""
        notes.append(f"Read the numbers of {', '.join(map(repr, cols[:6]))}{more} {style}.")
    if feature_columns:
        unusable = [c for c in feature_columns if c in plan.dropped and c not in plan.dates]
        if unusable:
            raise InputError(f"'{name}': feature column(s) {', '.join(map(repr, unusable))} "
                             "hold free text; cluster text with text_column instead.")
        if dates := [c for c in feature_columns if c in plan.dates]:
            raise InputError(f"'{name}': feature column(s) {', '.join(map(repr, dates))} "
                             "hold dates or times, which are not clustered on; add a column "
                             "of numbers from each (such as days since a start date) and "
                             "name that instead.")
        chosen = list(feature_columns)
    else:
        chosen, more = default_features(typed, plan, kind)
        notes += more
    picked, numbers = set(chosen), set(plan.numeric)  # 20,000 gene columns: sets, not lists
    numeric = [c for c in plan.numeric if c in picked]
    nonnum = [c for c in (chosen if feature_columns else [*plan.categorical, *plan.dropped])
              if c not in numbers]
    if kind in ("embeddings", "series") and nonnum:
        raise InputError(f"'{name}' is read as {kind}, but column(s) "
                         f"{', '.join(map(repr, nonnum[:8]))} are not numbers; remove them or "
                         "mark them as id_column/label_column.")
    used = list(plan.numeric) + list(plan.categorical)
    files = [c for c, why in plan.dropped.items() if why.startswith(IMAGE_PATHS[:20])]
    if not used and files:  # a manifest of images: say how to cluster them
        raise InputError(f"'{name}' has no column to cluster: column '{files[0]}' "
                         f"{plan.dropped[files[0]].removeprefix('it ')}.")
    if not used:
        raise InputError(f"'{name}' has no usable column: every column is free text or empty "
                         "(name a text_column to cluster text).")
    typed = typed[used]
    filled = {}
    if fill_missing and numeric:  # the features; other columns keep their gaps
        typed, filled, more = fill_gaps(typed, numeric, name, along_rows=kind == "series")
        notes += more
    keep = np.ones(len(typed), dtype=bool)
    if numeric:
        keep, more = finite_rows(typed[numeric].to_numpy(), name, numeric, drop_invalid,
                                 fillable=not fill_missing)
        notes += more
    typed = typed[keep].reset_index(drop=True)
    if filled:  # row positions after any rows left out
        position = np.cumsum(keep) - 1
        filled = {c: position[rows[keep[rows]]] for c, rows in filled.items()}
    modality = kind if kind in ("embeddings", "series") else "table"
    emb = typed[numeric].to_numpy(dtype=np.float32) if modality == "embeddings" else None
    return Dataset(name=name, modality=modality, ids=ids[keep], table=typed,
                   labels=None if labels is None else labels[keep], embeddings=emb,
                   source=source, notes=tuple(notes), label_name=label_column,
                   map_xy=None if map_xy is None else map_xy[keep],
                   features=None if chosen == used else tuple(c for c in used if c in picked),
                   filled={c: rows for c, rows in filled.items() if len(rows)} or None)


def _text_dataset(frame, features, name, source, text_column, ids, labels, drop_invalid,
                  label_column, map_xy=None):
    texts = frame[text_column]
    numbers = pd.to_numeric(texts, errors="coerce")
    if texts.notna().any() and numbers[texts.notna()].notna().all():
        example = str(texts.dropna().iloc[0])
        raise InputError(f"'{name}': column '{text_column}' holds numbers (such as "
                         f"{example!r}), not text; choose the column that holds the documents "
                         "as the text column, or read the file as a table.")
    notes, original = [], texts
    shown, html = visible_texts(texts.fillna("").astype(str).tolist())
    if html:  # read as the words they show; the file's own text kept for export
        texts = pd.Series(shown, index=texts.index).where(texts.notna(), None)
        features = features.assign(**{text_column: original})
        notes.append(f"{html:,} text(s) of column '{text_column}' hold HTML; read as the words "
                     "they show (tags dropped, character entities as the characters they "
                     f"stand for); exports keep the file's own text in '{text_column}'.")
    empty = texts.isna().to_numpy() | (texts.astype(str).str.strip() == "").to_numpy()
    if empty.any():
        rows = f"{int(empty.sum()):,} row(s) of '{name}'"
        detail = (f"empty text in column '{text_column}' (data row(s) "
                  f"{rows_text(np.flatnonzero(empty))})")
        if not drop_invalid:
            raise InputError(f"{rows} have {detail}; fill them or leave them out "
                             f"({DROP_INVALID}).")
        notes.append(f"Left out {rows}, which had {detail}.")
    keep = ~empty
    if not keep.any():
        raise InputError(f"'{name}': column '{text_column}' has no text at all; pick the column "
                         "that holds the documents.")
    table = features[keep].reset_index(drop=True)
    return Dataset(name=name, modality="text", ids=ids[keep], table=table,
                   labels=None if labels is None else labels[keep],
                   texts=texts[keep].astype(str).tolist(), source=source, notes=tuple(notes),
                   label_name=label_column, map_xy=None if map_xy is None else map_xy[keep])
