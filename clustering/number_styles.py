"""Numbers as spreadsheets show them: ``5,1``, ``1,234.5``, ``12%``, ``$1,234``, ``5.2 kg``.

``pd.to_numeric`` reads none of these, so a column of them used to become a category (or be
left out as text). :func:`number_style` recognises a column whose every cell is such a number,
and :meth:`NumberStyle.parse` reads it.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import pandas as pd

__all__ = ["NumberStyle", "number_style", "reads_two_ways", "separator_hint"]

_PLAIN = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_DECIMAL_COMMA = r"[+-]?(?:\d+|\d*,\d+)(?:[eE][+-]?\d+)?"
_SURELY_DECIMAL = r"[+-]?(?:0?,\d+|\d+,(?:\d{1,2}|\d{4,}))(?:[eE][+-]?\d+)?"
_THOUSANDS = r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_SURELY_THOUSANDS = r"[+-]?\d{1,3}(?:,\d{3}){2,}(?:\.\d+)?|[+-]?\d{1,3}(?:,\d{3})+\.\d+"
_GROUP = "[.\u00a0\u202f ]"
"""What parts thousands where the comma is the decimal mark: a point (``1.234,5``, German,
Italian, Spanish, Dutch), a space or a no-break space (``1 234,5``, French, Nordic)."""
_GROUPED_COMMA = rf"[+-]?\d{{1,3}}(?:{_GROUP}\d{{3}})+(?:,\d+)?|[+-]?\d+(?:,\d+)?"
_SURELY_GROUPED = (rf"[+-]?\d{{1,3}}(?:{_GROUP}\d{{3}})+,\d+"
                   rf"|[+-]?\d{{1,3}}(?:{_GROUP}\d{{3}}){{2,}}(?:,\d+)?"
                   rf"|[+-]?\d{{1,3}}(?:[\u00a0\u202f ]\d{{3}})+(?:,\d+)?")
"""A cell only a thousands mark before a decimal comma reads: a group and a comma, two
groups, or a space between groups."""
_CURRENCY = "$€£¥"
_SIGN_BEFORE = rf"^([+-]?)\s*[{_CURRENCY}]\s*"
_SIGN_AFTER = rf"\s*[{_CURRENCY}]$"
_HAS_SIGN = rf"^[+-]?\s*[{_CURRENCY}]|[{_CURRENCY}]$"
_UNIT = r"(?<=[\d.])\s*([°µμΩ]?[^\W\d_]{0,6}(?:/[^\W\d_]{1,4})?[²³]?)$"
"""A unit after a number: a word of up to 7 letters (``kg``, ``ms``, ``°C``, ``µm``,
``km/h``, ``m²``), no digits in it."""


class NumberStyle(NamedTuple):
    """How a column's numbers are written: a unit sign and the separators.

    ``sign`` is ``"%"``, ``"currency"``, ``"unit"`` (the same ``unit`` after every number)
    or None; ``separators`` ``"decimal comma"``, ``"thousands"`` or None (plain digits with a
    decimal point).
    """

    sign: str | None
    separators: str | None
    unit: str = ""
    why: str = ""
    """Where the separators were read from the table's other columns: why (for the note)."""

    def describe(self) -> str:
        """How the loader's note says it: ``"with a decimal comma (5,1 as 5.1)"``."""
        parts = [{"%": "a per-cent sign (12% as 12)",
                  "currency": "a currency sign ($12 as 12)",
                  "unit": f"a unit, {self.unit} (5.2 {self.unit} as 5.2)"}.get(self.sign, ""),
                 {"decimal comma": "a decimal comma (5,1 as 5.1)",
                  "grouped decimal comma": "thousands marks and a decimal comma (1.234,5 or "
                                           "1 234,5 as 1234.5)",
                  "thousands": "thousands separators (1,234.5 as 1234.5)"}.get(
                      self.separators, "")]
        return "with " + " and ".join(p for p in parts if p) + (f" ({self.why})" if self.why
                                                                else "")

    def parse(self, text: pd.Series) -> pd.Series:
        """The cells as float64 (NaN where a cell is not such a number)."""
        core = _without_sign(text.astype(str).str.strip(), self.sign, self.unit)
        if self.separators == "decimal comma":
            core = core.str.replace(",", ".", regex=False)
        elif self.separators == "grouped decimal comma":
            core = core.str.replace(_GROUP, "", regex=True).str.replace(",", ".", regex=False)
        elif self.separators == "thousands":
            core = core.str.replace(",", "", regex=False)
        return pd.to_numeric(core, errors="coerce")


def _without_sign(text: pd.Series, sign: str | None, unit: str = "") -> pd.Series:
    if sign == "unit":  # only where it is the column's unit (another unit stays: not a number)
        return text.str.replace(rf"(?<=[\d.])\s*{re.escape(unit)}$", "", regex=True)
    if sign == "%":
        return text.str.replace(r"\s*%$", "", regex=True)
    if sign == "currency":
        return text.str.replace(_SIGN_BEFORE, r"\1", regex=True).str.replace(
            _SIGN_AFTER, "", regex=True)
    return text


def number_style(text: pd.Series, hint: str | None = None) -> NumberStyle | None:
    """How cells that ``pd.to_numeric`` refuses are numbers after all, if they are.

    A sign is recognised when every cell carries it: a trailing ``%``, or a currency sign
    (``$ € £ ¥``) before or after the number, or one unit after every number (``5.2 kg``;
    cells of different units are not read as numbers). The separators: a **decimal comma**
    when every cell is a whole number or one with a single comma and no point, and one is
    unambiguous (a comma after a lone zero, or followed by other than three digits);
    **thousands** separators when every cell's whole part may be grouped by commas in threes
    and at least one is unambiguous (two commas or more, or a comma and a decimal point).
    ``1,234`` alone could be either and is left as text, unless ``hint`` settles it.

    Parameters
    ----------
    text : Series of str
        The column's non-empty cells, stripped.
    hint : str, optional
        How the table's other columns write their numbers (:func:`separator_hint`): cells
        that could be either (``51,364``) are read that way.

    Returns
    -------
    NumberStyle or None
        None when the cells are not all numbers written in one such way.

    Examples
    --------
    >>> number_style(pd.Series(["5,1", "4,95", "12"])).describe()
    'with a decimal comma (5,1 as 5.1)'
    >>> number_style(pd.Series(["1,234.5", "2,000,000", "17"])).separators
    'thousands'
    >>> style = number_style(pd.Series(["$1,234.50", "$12", "-$3"]))
    >>> style.parse(pd.Series(["$1,234.50", "-$3"])).tolist()
    [1234.5, -3.0]
    >>> style.describe()
    'with a currency sign ($12 as 12) and thousands separators (1,234.5 as 1234.5)'
    >>> number_style(pd.Series(["12%", "7.5 %"])).parse(pd.Series(["12%", "7.5 %"])).tolist()
    [12.0, 7.5]
    >>> style = number_style(pd.Series(["5,2 kg", "12kg", "1,5 kg"]))
    >>> style.describe(), style.parse(pd.Series(["5,2 kg", "1,5kg", "3 lb"])).tolist()
    ('with a unit, kg (5.2 kg as 5.2) and a decimal comma (5,1 as 5.1)', [5.2, 1.5, nan])
    >>> number_style(pd.Series(["37.2 °C", "38 °C"])).unit
    '°C'
    >>> number_style(pd.Series(["5 kg", "3 lb"])) is None
    True
    >>> number_style(pd.Series(["1,234", "5,678"])) is None
    True
    >>> style = number_style(pd.Series(["1,234", "567"]), hint="thousands")
    >>> style.parse(pd.Series(["1,234", "567"])).tolist()
    [1234, 567]
    >>> style.describe()
    'with thousands separators (1,234.5 as 1234.5) (other columns use decimal points)'
    >>> number_style(pd.Series(["5,1", "red"])) is None
    True
    >>> style = number_style(pd.Series(["1.234,50 €", "998,10 €", "12.000 €"]))
    >>> style.parse(pd.Series(["1.234,50 €", "998,10 €", "12.000 €"])).tolist()
    [1234.5, 998.1, 12000.0]
    >>> french = pd.Series(["2\u202f037,72", "15,5"])  # a narrow no-break space
    >>> number_style(french).parse(french).tolist()
    [2037.72, 15.5]
    """
    if not len(text):
        return None
    sign = None
    if text.str.contains(r"%$").all():
        sign = "%"
    elif text.str.contains(_HAS_SIGN).all():
        sign = "currency"
    unit = ""
    if sign is None:
        units = text.str.extract(_UNIT, expand=False)
        if units.notna().all() and units.str.len().all() and units.nunique() == 1:
            sign, unit = "unit", units.iloc[0]
    core = _without_sign(text, sign, unit)
    if core.str.fullmatch(_PLAIN).all():
        separators = None
    elif (core.str.fullmatch(_DECIMAL_COMMA).all()
          and core.str.fullmatch(_SURELY_DECIMAL).any()):
        separators = "decimal comma"
    elif core.str.fullmatch(_THOUSANDS).all() and core.str.fullmatch(_SURELY_THOUSANDS).any():
        separators = "thousands"
    elif (core.str.fullmatch(_GROUPED_COMMA).all()
          and core.str.fullmatch(_SURELY_GROUPED).any()):
        separators = "grouped decimal comma"
    elif hint == "thousands" and core.str.fullmatch(_THOUSANDS).all():
        return NumberStyle(sign, hint, unit, "other columns use decimal points")
    elif hint == "decimal comma" and core.str.fullmatch(_DECIMAL_COMMA).all():
        return NumberStyle(sign, hint, unit, "other columns use decimal commas")
    else:
        return None
    if sign is None and separators is None:
        return None  # plain numbers: pd.to_numeric reads them
    return NumberStyle(sign, separators, unit)


HINT_COLUMNS = 200
"""Columns of numbers :func:`separator_hint` looks at (the first ones; a table of 20,000 genes
needs no more to tell how it writes its numbers)."""


def separator_hint(frame: pd.DataFrame, styles: dict[str, NumberStyle]) -> str | None:
    """How a table writes its numbers, from its columns that are not in doubt.

    ``thousands`` where a column of numbers has a decimal point (non-whole numbers read as
    such) and none has a decimal comma; ``decimal comma`` where one has (``styles``: the
    columns whose separators were found) and none has a decimal point, or where no column
    settles it but semicolons part the file's cells (``frame.attrs["semicolons"]``: the
    spreadsheets of countries that write ``5,1`` save CSV so); else None.

    Examples
    --------
    >>> frame = pd.DataFrame({"height": [1.72, 1.80], "pay": ["51,364", "49,250"]})
    >>> separator_hint(frame, {})
    'thousands'
    >>> separator_hint(frame[["pay"]], {}) is None
    True
    >>> frame.attrs["semicolons"] = True
    >>> separator_hint(frame[["pay"]], {}), separator_hint(frame, {})
    ('decimal comma', 'thousands')
    """
    typed = [c for c in frame.columns[:HINT_COLUMNS * 5]
             if pd.api.types.is_float_dtype(frame[c].dtype)][:HINT_COLUMNS]
    points = any((frame[c].dropna() % 1 != 0).any() for c in typed)
    points = points or any(s.separators == "thousands" for s in styles.values())
    commas = any(s.separators in ("decimal comma", "grouped decimal comma")
                 for s in styles.values())
    if points != commas:
        return "thousands" if points else "decimal comma"
    if not points and frame.attrs.get("semicolons"):
        return "decimal comma"
    return None


def reads_two_ways(text: pd.Series) -> bool:
    """Whether cells are numbers whose commas may part thousands or be decimal commas.

    Examples
    --------
    >>> reads_two_ways(pd.Series(["51,364", "7,250", "12"])), reads_two_ways(pd.Series(["5,1"]))
    (True, False)
    """
    head = text.iloc[:100]
    if not (head.str.len() <= 30).all() or not head.str.contains(",", regex=False).any():
        return False  # texts, names: not worth reading three times
    return (number_style(text) is None and number_style(text, "thousands") is not None
            and number_style(text, "decimal comma") is not None)
