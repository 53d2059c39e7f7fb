"""Tables of one reading per row (signal, time, value): said, since signals are read wide.

clusterlab reads a signal as one row with its readings in columns. A file of one reading
per row — a column naming the signal, one ordering its readings, one or more of values — is
a common way to keep them (a sensor log, a tidy table); read as it is, every reading would
be an item. :func:`long_readings` recognises that layout, so that the file is refused as
signals and noted as a table, each with the pivot that turns it into one row per signal.
"""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd

__all__ = ["LongReadings", "long_readings", "pivot_advice"]

MIN_READINGS = 8
"""Fewest readings per signal for a table to be taken as one reading per row."""


class LongReadings(NamedTuple):
    """The columns of a table of one reading per row, and how many signals it holds."""

    signal: str
    order: str
    values: list[str]
    signals: int
    readings: int


def long_readings(frame: pd.DataFrame, skip: set) -> LongReadings | None:
    """The layout of a table of one reading per row, or None.

    A column whose values split the rows into 2 or more groups of one size (at least
    :data:`MIN_READINGS`), a column of numbers holding the same places in every group, each
    once (the order), and the other columns numbers (the values); columns in ``skip``
    (label, id) left aside.

    Examples
    --------
    >>> frame = pd.DataFrame({"sensor": [1] * 10 + [2] * 10, "t": list(range(10)) * 2,
    ...                       "volts": range(20)})
    >>> long_readings(frame, set())
    LongReadings(signal='sensor', order='t', values=['volts'], signals=2, readings=10)
    >>> long_readings(frame.assign(sensor=range(20)), set()) is None
    True
    """
    cols = [c for c in frame.columns if c not in skip]
    if not 3 <= len(cols) <= 6 or len(frame) < 2 * MIN_READINGS:
        return None
    for signal in cols:
        sizes = frame[signal].value_counts()
        if len(sizes) < 2 or sizes.min() != sizes.max() or sizes.iloc[0] < MIN_READINGS:
            continue
        for order in cols:
            if order == signal or frame[order].dtype.kind not in "iuf":
                continue
            if frame[order].nunique() != sizes.iloc[0] or \
                    frame.groupby(signal)[order].nunique().min() != sizes.iloc[0]:
                continue  # each signal once at every one of the same places
            values = [c for c in cols if c not in (signal, order)]
            if all(frame[c].dtype.kind in "iuf" for c in values):
                return LongReadings(signal, order, values, len(sizes), int(sizes.iloc[0]))
    return None


def pivot_advice(layout: LongReadings, name: str) -> str:
    """One sentence: what the table holds, and the pivot that reads it as signals."""
    values = layout.values[0] if len(layout.values) == 1 else layout.values
    return (f"'{name}' holds one reading per row ({layout.signals:,} signals named in column "
            f"'{layout.signal}', {layout.readings:,} readings each, ordered by "
            f"'{layout.order}'); signals are read as one row each with their readings in "
            f"columns, so pivot it first (pandas: frame.pivot(index={layout.signal!r}, "
            f"columns={layout.order!r}, values={values!r})) and read that file.")
