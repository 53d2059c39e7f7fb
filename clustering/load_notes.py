"""The notes that say how a file was read.

Its encoding, sheets, skipped lines and spread fields, the text column a table was clustered
on when none was named, and the files of an image folder that are not images.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .json_layouts import LAYOUT_NOTES
from .text_column_guess import MIN_CHARS
from .wide_counts import wide_counts_note

__all__ = ["ENCODING_NAMES", "file_notes", "guessed_text_note", "skipped_files_note"]


def file_notes(attrs: dict, name: str, advise_embeddings: bool = True) -> list[str]:
    """What :func:`clustering.tables.read_table` did to read the file (``frame.attrs``).

    ``advise_embeddings``: say how to cluster a JSON field of numbers alone as embeddings
    (not when the file is already read as embeddings).
    """
    notes = []
    if attrs.get("encoding"):
        notes.append(f"'{name}' is not UTF-8 text; it was read as "
                     f"{ENCODING_NAMES[attrs['encoding']]} (how Excel on Windows saves CSV). If "
                     "accented letters look wrong, save it as UTF-8 CSV and load it again.")
    if attrs.get("joined_sheets"):
        joined, sheets = attrs["joined_sheets"], attrs["sheets"]
        shown = ", ".join(f"'{n}'" for n in joined[:4]) + (", ..." if len(joined) > 4 else "")
        rest = len(sheets) - len(joined)
        notes.append(f"'{name}' has {len(joined)} sheets with the same columns ({shown}); "
                     "read them as one table, the sheet of each row in column "
                     f"'{attrs['sheet_column']}' (kept for colouring, not clustered on)"
                     + (f"; its {rest} other sheet(s) were left out." if rest else "."))
    elif attrs.get("sheets"):
        sheets, read = attrs["sheets"], attrs.get("sheet", attrs["sheets"][0])
        which = (f"the first, '{read}'" if read == sheets[0] else
                 f"'{read}', the one spanning the most cells (the first is '{sheets[0]}')")
        notes.append(f"'{name}' has {len(sheets)} sheets; read {which} (save "
                     "another sheet as its own file to cluster it).")
    if attrs.get("json_layout"):
        notes.append(f"'{name}' {LAYOUT_NOTES[attrs['json_layout']]}.")
    if attrs.get("above_header") is not None:
        above = attrs["above_header"]
        shown = f" ('{above[0][:60]}')" if above else ""
        notes.append(f"Skipped the line(s) above the header of '{name}'{shown}: the table "
                     "starts at its first line with as many cells as the rows below it.")
    if attrs.get("repeated_headers"):
        rows = attrs["repeated_headers"]
        notes.append(f"Left out {len(rows):,} row(s) of '{name}' that repeat its header (data "
                     f"row(s) {', '.join(map(str, rows[:5]))}{', ...' if len(rows) > 5 else ''}"
                     "), as files joined one after another carry it.")
    if attrs.get("wide_counts"):
        notes.append(wide_counts_note(attrs["wide_counts"], name))
    if attrs.get("no_header"):
        notes.append(f"'{name}' has no header line (its first line holds values like the lines "
                     "below it), so it was read as data and the columns were named column_1, "
                     "column_2, ...; add a header line to name them.")
    if attrs.get("text_header"):
        notes.append(f"'{name}' has one column, named by its first line ('"
                     f"{attrs['text_header'][:60]}'), which reads like one of its texts; if it "
                     "is one, add a header line (such as 'text') above it so it is clustered "
                     "too.")
    if attrs.get("text_lines") is not None:
        header = attrs["text_lines"]
        notes.append(f"Read '{name}' as one text per line"
                     + (f", under the name on its first line ('{header}')." if header else
                        " (its first line is a text too, not a header)."))
    for field, width in (attrs.get("vectors") or {}).items():
        advice = ("; if they are embeddings, read the file as embeddings (kind embeddings, "
                  "--kind embeddings) to cluster on them alone"
                  + ("" if len(attrs["vectors"]) == 1 else
                     f" (name the field as the feature columns: --feature-columns {field})")
                  if advise_embeddings else "")
        notes.append(f"'{field}' of '{name}' holds a list of {width:,} numbers in every "
                     f"row, read as the columns '{field}[0]' to '{field}[{width - 1}]'{advice}.")
    return notes


ENCODING_NAMES = {"cp1252": "Windows-1252", "latin-1": "Latin-1 (ISO-8859-1)"}


def guessed_text_note(frame: pd.DataFrame, column: str, others: pd.DataFrame) -> str:
    """The note saying that a table was read as texts because of one column's values."""
    values = frame[column].dropna().astype(str)
    length = values.str.len().mean()
    distinct = ("mostly distinct" if values.nunique() > 0.5 * len(values) else
                f"{values.nunique():,} of them distinct (sentences repeated, as templates give)")
    kept = ", ".join(f"'{c}'" for c in list(others.columns)[:6]) + (
        f" and {len(others.columns) - 6} more" if len(others.columns) > 6 else "")
    rest = (f"; its other columns ({kept}) are kept for colouring and export but not "
            "clustered on" if len(others.columns) else "")
    instead = (" To cluster on the other columns instead, read the file as a table (kind "
               "'table', --kind table)." if len(others.columns) else "")
    why = (f"its values are long, {length:.0f} characters on average, and {distinct}"
           if length >= MIN_CHARS else
           f"its values are short, {length:.0f} characters on average, but {distinct} "
           "words, and the file has no column of numbers")
    return (f"Clustered the texts of column '{column}' ({why}, so it was taken as the text "
            f"column){rest}.{instead}")


SYSTEM_FILES = frozenset({"thumbs.db", "desktop.ini"})
"""Files an operating system leaves in folders (besides hidden ones), never mentioned."""


def skipped_files_note(name: str, files: list[str], taken: list[str],
                       read: str | None = None, advice: str = "save images as PNG"
                       ) -> list[str]:
    """The note on files of a folder or zip that are not what clusterlab reads of it.

    Parameters
    ----------
    name : str
        The folder's or zip's name.
    files : list of str
        Every file in it.
    taken : list of str
        Those read.
    read : str, optional
        What is read, as the note names it (images of the formats read by default).
    advice : str
        How to have the others read.

    Examples
    --------
    >>> files = ["a.png", "b.svg", "notes/labels.csv", "Thumbs.db"]
    >>> note = skipped_files_note("scans", files, ["a.png"])
    >>> note[0][:63], "'b.svg', 'notes/labels.csv'" in note[0]
    ("Skipped 2 file(s) of 'scans' that are not PNG, JPEG, WebP, AVIF", True)
    >>> skipped_files_note("scans", ["a.png", ".DS_Store"], ["a.png"])
    []
    """
    from .images import FORMATS_READ

    kept = set(taken)
    others = [f for f in files if not Path(f).name.startswith(".")
              and Path(f).name.lower() not in SYSTEM_FILES and f not in kept]
    if not others:
        return []
    shown = ", ".join(f"'{f}'" for f in others[:3]) + (" and more" if len(others) > 3 else "")
    return [f"Skipped {len(others):,} file(s) of '{name}' that are not "
            f"{read or FORMATS_READ + ' images'} ({shown}); {advice} to include them."]
