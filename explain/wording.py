"""Rules and polyhedra in words a domain expert reads.

The explanation report keeps the exact terms (feature, operator, threshold) so anyone can
re-check them; this module only words them: categoricals as ``batch = B1`` (not
``batch=B1 > 0.5``), words of a text as "mentions *orbit*", numbers with three significant
digits, half-spaces without a leading minus where one can be avoided.
"""

from __future__ import annotations

import math
from collections.abc import Callable

__all__ = ["conjunction_text", "halfspace_text", "rule_lines", "sig"]

Emph = Callable[[str], str]


def sig(value: float, digits: int = 3) -> str:
    """A number with ``digits`` significant digits, thousands separated.

    Examples
    --------
    >>> sig(142.975), sig(0.0123456), sig(12345.6), sig(-2.0)
    ('143', '0.0123', '12,300', '-2')
    """
    if value == 0 or not math.isfinite(value):
        return "0" if value == 0 else str(value)
    magnitude = math.floor(math.log10(abs(value)))
    places = digits - 1 - magnitude
    rounded = round(value, places)
    text = f"{rounded:,.{max(places, 0)}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _kind(feature: str) -> str:
    if feature.startswith("term:"):
        return "term"
    return "category" if "=" in feature else "number"


def _category(feature: str, equal: bool, emph: Emph) -> str:
    column, value = feature.split("=", 1)
    return f"{emph(column)} {'=' if equal else '≠'} {emph(value)}"


def _single(feature: str, upper: bool, bound: float, emph: Emph) -> str | None:
    """``feature ≤ bound`` (upper) or ``feature ≥ bound`` in words; None when always true."""
    kind = _kind(feature)
    if kind == "term":
        word = emph(feature[5:])
        if upper:
            return None if bound >= 1 else f"does not mention {word}" if bound < 0.05 \
                else f"mentions {word} at most a little"
        return f"mentions {word}"
    if kind == "category" and 0 <= bound <= 1:
        return _category(feature, not upper, emph)
    return f"{emph(feature)} {'≤' if upper else '≥'} {sig(bound)}"


MAX_WORDS = 4
"""Words listed in one "mentions" or "not" clause before the rest are counted."""


def _words(words: list[str]) -> str:
    shown = " or ".join(words[:MAX_WORDS])
    return shown + (f" (or {len(words) - MAX_WORDS} more words)" if len(words) > MAX_WORDS
                    else "")


def conjunction_text(conj: list, emph: Emph = str) -> str:
    """One path of a rule tree in words.

    Examples
    --------
    >>> conjunction_text([{"feature": "batch=B1", "op": ">", "threshold": 0.5},
    ...                   {"feature": "height", "op": "<=", "threshold": 1.72345},
    ...                   {"feature": "height", "op": ">", "threshold": 1.5}])
    'batch = B1 and 1.5 < height ≤ 1.72'
    >>> conjunction_text([{"feature": "term:orbit", "op": ">", "threshold": 0.1},
    ...                   {"feature": "term:recipe", "op": "<=", "threshold": 0.02}])
    'mentions orbit, not recipe'
    """
    mentions, absent, parts = [], [], []
    bounds: dict[str, dict] = {}
    for term in conj:
        feature, op, t = term["feature"], term["op"], float(term["threshold"])
        kind = _kind(feature)
        if kind == "term":
            (mentions if op == ">" else absent).append(emph(feature[5:]))
        elif kind == "category" and 0 <= t < 1:
            parts.append(_category(feature, op == ">", emph))
        else:
            bounds.setdefault(feature, {})[op] = t
    for feature, b in bounds.items():
        name = emph(feature)
        if ">" in b and "<=" in b:
            parts.append(f"{sig(b['>'])} < {name} ≤ {sig(b['<='])}")
        elif ">" in b:
            parts.append(f"{name} > {sig(b['>'])}")
        else:
            parts.append(f"{name} ≤ {sig(b['<='])}")
    words = []
    if mentions:
        words.append("mentions " + " and ".join(mentions))
    if absent:
        words.append(("not " if mentions else "does not mention ") + _words(absent))
    text = ", ".join(words)
    return " and ".join(([text] if text else []) + parts) or "every point"


def rule_lines(any_of: list, emph: Emph = str) -> list[str]:
    """A rule (union of conjunctions) as lines; single-word mentions are joined by "or".

    Examples
    --------
    >>> rule_lines([[{"feature": "term:orbit", "op": ">", "threshold": 0.1}],
    ...             [{"feature": "term:telescope", "op": ">", "threshold": 0.2}]])
    ['mentions orbit or telescope']
    """
    single = [c[0]["feature"][5:] for c in any_of
              if len(c) == 1 and c[0]["feature"].startswith("term:") and c[0]["op"] == ">"]
    rest = [c for c in any_of if not (len(c) == 1 and c[0]["feature"].startswith("term:")
                                      and c[0]["op"] == ">")]
    lines = ["mentions " + _words([emph(w) for w in single])] if single else []
    return lines + [conjunction_text(c, emph) for c in rest]


def halfspace_text(h: dict, emph: Emph = str) -> str:
    """One half-space ``sum(coef·x) ≤ rhs`` in a normal form.

    A single feature becomes a bound (a one-hot column a condition), a negative right
    side or an all-negative left side is negated into ``≥``, positive terms come first,
    numbers have three significant digits.

    Examples
    --------
    >>> halfspace_text({"coef": {"a": -1, "b": 2}, "rhs": 3.14159})
    '2·b − a ≤ 3.14'
    >>> halfspace_text({"coef": {"a": -1, "b": -1}, "rhs": -3})
    'a + b ≥ 3'
    >>> halfspace_text({"coef": {"batch=B1": -1}, "rhs": -0.5})
    'batch = B1'
    >>> halfspace_text({"coef": {"batch=B1": 1, "w": -2}, "rhs": -1.376})
    '2·w − [batch = B1] ≥ 1.38'
    """
    coef = {f: float(c) for f, c in h["coef"].items() if c}
    rhs = float(h["rhs"])
    if len(coef) == 1:
        (feature, c), = coef.items()
        text = _single(feature, c > 0, rhs / c, emph)
        return text or "always true"
    op = "≤"
    if rhs < 0 or all(c < 0 for c in coef.values()):
        coef, rhs, op = {f: -c for f, c in coef.items()}, -rhs, "≥"
    ordered = sorted(coef.items(), key=lambda fc: fc[1] < 0)
    parts = []
    for i, (feature, c) in enumerate(ordered):
        name = f"[{_category(feature, True, emph)}]" if _kind(feature) == "category" else \
            f"[mentions {emph(feature[5:])}]" if _kind(feature) == "term" else emph(feature)
        size = "" if abs(c) == 1 else f"{sig(abs(c))}·"
        sign = ("− " if c < 0 else "+ ") if i else ("−" if c < 0 else "")
        parts.append(f"{sign}{size}{name}")
    return " ".join(parts) + f" {op} {sig(rhs)}"
