"""Tables whose rows are the features and whose columns are the things to cluster.

Count matrices as GEO, 10x Genomics and most sequencing pipelines write them have a gene in
each row and a sample (or cell) in each column, while clusterlab clusters rows: read as it
comes, such a table groups genes. :func:`transposed` swaps rows and columns
(``--transpose``; the app's "Rows are features"); :func:`gene_rows_note` says so when a
table looks like one and was not swapped. Excel cannot do it for them: a sheet holds at
most 16,384 columns and a count matrix has 20,000-60,000 genes.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .errors import InputError

__all__ = ["ROW_NAME_COLUMN", "SWAP_HINT", "gene_rows_note", "numbered", "swapped_as_asked",
           "transposed"]

ROW_NAME_COLUMN = "sample"
"""The column that names each row of a transposed table (the original column names)."""

GENE_ID = re.compile(r"^(ENS[A-Z]*G\d{6,}(\.\d+)?|FBgn\d{5,}|WBGene\d{5,}|Y[A-P][LR]\d{3}[WC])$")
"""Ensembl (human ENSG, mouse ENSMUSG, ...), FlyBase, WormBase and yeast ORF gene ids."""

SWAP_HINT = ("Its rows look like genes (its first column holds gene ids) and its columns "
             "like samples: to cluster the samples, swap rows and columns (--transpose; in "
             "the app, 'Rows are features'), where --label-column names a row.")
"""Said after an error reading a table whose rows look like genes (a row of sample labels
in columns of counts is one)."""

GENE_ID_SHARE = 0.8
"""Share of a table's first column that must be gene ids for :func:`gene_rows_note`."""


def swapped_as_asked(frame: pd.DataFrame, name: str, transpose: bool, id_column: str | None,
                     label_column: str | None) -> tuple[pd.DataFrame, str | None, list[str],
                                                        str | None]:
    """The table as the loader reads it: swapped when asked, else noted if its rows are genes.

    Returns
    -------
    frame : DataFrame
    id_column : str or None
        The swapped table's row names (:data:`ROW_NAME_COLUMN`), else as given.
    notes : list of str
    advice : str or None
        :data:`SWAP_HINT` where the rows look like genes and were not swapped: to add to an
        error reading the table.
    """
    if transpose:
        frame, notes = transposed(frame, id_column, label_column)
        return frame, frame.columns[0], notes, None
    genes = gene_rows_note(frame, name)
    return frame, id_column, [] if genes is None else [genes], \
        None if genes is None else SWAP_HINT


def transposed(frame: pd.DataFrame, name_column: str | None = None,
               label_row: str | None = None) -> tuple[pd.DataFrame, list[str]]:
    """Rows and columns swapped: each numeric column becomes a row, each row a column.

    Parameters
    ----------
    frame : DataFrame
        The table as read.
    name_column : str, optional
        The column naming each row (its values become the new column names); without it the
        first column when it is not numeric, else the rows are named ``row_1``, ``row_2``...
    label_row : str, optional
        The name of a row holding each column's label (e.g. a ``cell_type`` row): it becomes
        the new table's column of that name.

    Returns
    -------
    frame : DataFrame
        ``sample`` (:data:`ROW_NAME_COLUMN`, the old column names), the label column when
        asked, then one numeric column per old row.
    notes : list of str
        What was done, and which text columns were left out.

    Raises
    ------
    InputError
        The name column or label row is missing, or no column holds numbers.

    Examples
    --------
    >>> genes = pd.DataFrame({"gene": ["ENSG01", "ENSG02", "type"], "s1": ["5", "0", "a"],
    ...                       "s2": ["1", "7", "b"], "symbol": ["TP53", "MYC", ""]})
    >>> table, notes = transposed(genes, label_row="type")
    >>> table.to_dict("list")
    {'sample': ['s1', 's2'], 'type': ['a', 'b'], 'ENSG01': [5, 1], 'ENSG02': [0, 7]}
    >>> notes[0][:60]
    "Read with rows and columns swapped: the 2 columns 's1', 's2'"
    """
    if name_column is not None and name_column not in frame.columns:
        raise InputError(f"The table has no column '{name_column}' to name its rows by once "
                         f"they are columns; its first columns are "
                         f"{', '.join(map(str, frame.columns[:5]))}.")
    if name_column is None and len(frame.columns) and not _numeric(frame.iloc[:, 0]):
        name_column = frame.columns[0]
    names = (frame[name_column].astype(str).str.strip() if name_column is not None
             else pd.Series([f"row_{i + 1}" for i in range(len(frame))], index=frame.index))
    labels = None
    if label_row is not None:
        hit = np.flatnonzero(names.to_numpy() == label_row)
        if not len(hit):
            raise InputError(f"With rows and columns swapped, the label is a row, and no row "
                             f"is named '{label_row}' in column '{name_column}'; name the row "
                             "that holds each column's label, or leave the label out.")
        labels = frame.iloc[hit[0]]
        keep = np.ones(len(frame), bool)
        keep[hit[0]] = False
        frame, names = frame[keep], names[keep]
    data = [c for c in frame.columns if c != name_column and _numeric(frame[c])]
    if not data:
        raise InputError("No column of this table holds numbers, so there is nothing to swap "
                         "into rows; --transpose is for tables with a feature (a gene) in "
                         "each row and a sample in each column.")
    left_out = [str(c) for c in frame.columns if c != name_column and c not in data]
    values = frame[data].apply(pd.to_numeric, errors="coerce").to_numpy().T
    columns = numbered(names.tolist())
    table = pd.DataFrame(values, columns=columns)
    if all(np.issubdtype(t, np.number) for t in table.dtypes) and np.isfinite(values).all() \
            and (values == np.round(values)).all():
        table = table.astype(np.int64)
    lead = {ROW_NAME_COLUMN if ROW_NAME_COLUMN not in columns else "sample_name":
            [str(c) for c in data]}
    if labels is not None:
        lead[label_row] = [str(labels[c]) for c in data]
    table = pd.concat([pd.DataFrame(lead), table], axis=1)
    table.attrs.update(frame.attrs)  # how the file was read (its encoding, its sheet)
    shown = ", ".join(f"'{c}'" for c in data[:3]) + (", ..." if len(data) > 3 else "")
    notes = [f"Read with rows and columns swapped: the {len(data):,} columns {shown} are the "
             f"rows clustered, on their {len(columns):,} values "
             + (f"(named by column '{name_column}')." if name_column is not None
                else "(rows named row_1, row_2, ...).")]
    if len(set(names)) < len(names):
        notes.append(f"{len(names) - len(set(names)):,} row names occur more than once; the "
                     "repeats were numbered (a name, then name_2, name_3, ...).")
    if left_out:
        notes.append(f"Column(s) {', '.join(repr(c) for c in left_out[:5])} hold text, not "
                     "numbers, and were left out of the swapped table.")
    return table, notes


def gene_rows_note(frame: pd.DataFrame, name: str) -> str | None:
    """A note when the rows of ``frame`` look like genes (its first column gene ids).

    Examples
    --------
    >>> genes = pd.DataFrame({"gene_id": [f"ENSG{i:011d}" for i in range(40)],
    ...                       "s1": range(40), "s2": range(40)})
    >>> gene_rows_note(genes, "counts.csv")[:52]
    "The rows of 'counts.csv' look like genes (column 'ge"
    >>> gene_rows_note(genes.iloc[:, 1:], "counts.csv") is None
    True
    """
    if not len(frame.columns) or len(frame) < 20 or _numeric(frame.iloc[:, 0]):
        return None
    first = frame.iloc[:, 0].astype(str).str.strip()
    if first.str.match(GENE_ID).mean() < GENE_ID_SHARE:
        return None
    columns = sum(_numeric(frame[c]) for c in frame.columns[1:])
    return (f"The rows of '{name}' look like genes (column '{frame.columns[0]}' holds gene "
            f"ids) and its {columns:,} numeric columns like samples, so these clusters group "
            "genes; to cluster the samples, load it again with rows and columns swapped "
            "(--transpose; in the app, 'Rows are features').")


def _numeric(column: pd.Series) -> bool:
    """Whether a column holds numbers (or text that reads as numbers, blanks aside)."""
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        return True
    values = column.dropna().astype(str).str.strip()
    values = values[values != ""]
    return bool(len(values)) and pd.to_numeric(values, errors="coerce").notna().all()


def numbered(names: list[str]) -> list[str]:
    """``names`` with repeats numbered (``a``, ``a_2``, ``a_3``).

    Examples
    --------
    >>> numbered(["a", "b", "a", "a"])
    ['a', 'b', 'a_2', 'a_3']
    """
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return out
