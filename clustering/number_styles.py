"""Numbers as spreadsheets show them: ``5,1``, ``1,234.5``, ``12%``, ``$1,234``, ``5.2 kg``.

``pd.to_numeric`` reads none of these, so a column of them used to become a category (or be
left out as text). :func:`number_style` recognises a column whose every cell is such a number,
and :meth:`NumberStyle.parse` reads it.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import pandas as pd

__all__ = ["NumberStyle", "number_style"]

_PLAIN = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_DECIMAL_COMMA = r"[+-]?(?:\d+|\d*,\d+)(?:[eE][+-]?\d+)?"
_SURELY_DECIMAL = r"[+-]?(?:0?,\d+|\d+,(?:\d{1,2}|\d{4,}))(?:[eE][+-]?\d+)?"
_THOUSANDS = r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_SURELY_THOUSANDS = r"[+-]?\d{1,3}(?:,\d{3}){2,}(?:\.\d+)?|[+-]?\d{1,3}(?:,\d{3})+\.\d+"
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

    def describe(self) -> str:
        """How the loader's note says it: ``"with a decimal comma (5,1 as 5.1)"``."""
        parts = [{"%": "a per-cent sign (12% as 12)",
                  "currency": "a currency sign ($12 as 12)",
                  "unit": f"a unit, {self.unit} (5.2 {self.unit} as 5.2)"}.get(self.sign, ""),
                 {"decimal comma": "a decimal comma (5,1 as 5.1)",
                  "thousands": "thousands separators (1,234.5 as 1234.5)"}.get(
                      self.separators, "")]
        return "with " + " and ".join(p for p in parts if p)

    def parse(self, text: pd.Series) -> pd.Series:
        """The cells as float64 (NaN where a cell is not such a number)."""
        core = _without_sign(text.astype(str).str.strip(), self.sign, self.unit)
        if self.separators == "decimal comma":
            core = core.str.replace(",", ".", regex=False)
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


def number_style(text: pd.Series) -> NumberStyle | None:
    """How cells that ``pd.to_numeric`` refuses are numbers after all, if they are.

    A sign is recognised when every cell carries it: a trailing ``%``, or a currency sign
    (``$ € £ ¥``) before or after the number, or one unit after every number (``5.2 kg``;
    cells of different units are not read as numbers). The separators: a **decimal comma**
    when every cell is a whole number or one with a single comma and no point, and one is
    unambiguous (a comma after a lone zero, or followed by other than three digits);
    **thousands** separators when every cell's whole part may be grouped by commas in threes
    and at least one is unambiguous (two commas or more, or a comma and a decimal point).
    ``1,234`` alone could be either and is left as text.

    Parameters
    ----------
    text : Series of str
        The column's non-empty cells, stripped.

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
    >>> number_style(pd.Series(["5,1", "red"])) is None
    True
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
    else:
        return None
    if sign is None and separators is None:
        return None  # plain numbers: pd.to_numeric reads them
    return NumberStyle(sign, separators, unit)
