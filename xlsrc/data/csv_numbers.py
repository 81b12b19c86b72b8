"""Numbers in a CSV export: one decimal mark per file, settled by the numbers themselves.

:func:`tokenize` takes a cell apart (sign, digits and marks, a volume suffix; None for a
missing value), :func:`decide_decimal_mark` settles the file's decimal mark from the
evidence of every distinct cell (or refuses the file naming the line), and
:func:`token_value` reads a token under that mark. Used by
:func:`xlsrc.data.csv_import.read_csv_bars`.

Numbers
    One decimal mark per file, from the numbers themselves: ``1,234.56``, ``1.234,56``,
    ``1 234,56``, ``1'234.56``, ``111,95`` (a comma followed by other than three digits),
    ``0.123`` settle it; ``1,234`` alone could be 1.234 or 1234, and if nothing else in
    the file settles the mark the file is refused with that line (give ``decimal``,
    ``--decimal``). A file that uses both marks as decimals is refused. Quotes, currency
    signs (``$ € £``, ``USD``), a Unicode minus, and volume suffixes ``K M B``
    (``1.23M``, Investing.com) are read; ``-`` or ``N/A`` is a missing value.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Final

from ..errors import CsvFormatError

__all__ = ["MARK_NAMES", "Cell", "Token", "decide_decimal_mark", "token_value", "tokenize"]

MARK_NAMES: Final = {".": "point", ",": "comma"}
_SUFFIX: Final = {"K": 3, "M": 6, "B": 9}
_MISSING: Final = frozenset({"", "-", "--", "\u2014", "null", "none", "nan", "n/a", "#n/a", "na"})
_CURRENCY = re.compile(r"^(?:US\$|\$|€|£|USD|EUR|GBP)\s*|\s*(?:\$|€|£|USD|EUR|GBP)$", re.I)
_GROUP_SEPARATORS: Final = " \u00a0\u202f\u2009'\u2019"
_SCIENTIFIC = re.compile(r"\d+(?:\.\d*)?[eE][+-]?\d+")
_PLAIN = re.compile(r"\d+(?:[.,]\d+)?")
_NUMBER_CHARS = re.compile(r"[0-9.,eE+\-" + _GROUP_SEPARATORS + r"]+")


@dataclass(frozen=True)
class Token:
    """A number cell taken apart: sign, digits with marks, power of ten of a suffix."""

    sign: str
    body: str
    power: int


def tokenize(text: str, suffix_allowed: bool) -> Token | None:
    """Split a cell; None for a missing value; raise ValueError if it is not a number."""
    t = text.strip()
    if _PLAIN.fullmatch(t):  # the common case: 123, 12.5, 12,5
        return Token("", t, 0)
    t = t.replace("\u2212", "-")
    if t.lower() in _MISSING:
        return None
    t = _CURRENCY.sub("", t).strip()
    sign = ""
    if t[:1] in "+-":
        sign, t = ("-" if t[0] == "-" else ""), t[1:].strip()
        t = _CURRENCY.sub("", t).strip()
    power = 0
    if suffix_allowed and t[-1:].upper() in _SUFFIX:
        power, t = _SUFFIX[t[-1].upper()], t[:-1].strip()
    if not t or not _NUMBER_CHARS.fullmatch(t):
        raise ValueError(text)
    return Token(sign, t, power)


def _grouped(whole: str, separator: str) -> bool:
    """Return True if ``whole`` is digits grouped by threes with ``separator`` (1,234,567)."""
    groups = whole.split(separator)
    return (
        all(g.isdigit() for g in groups)
        and 1 <= len(groups[0]) <= 3
        and all(len(g) == 3 for g in groups[1:])
    )


@functools.lru_cache(maxsize=65536)
def _evidence(body: str) -> tuple[str | None, bool]:
    """Return (decimal mark this number proves, whether it is ambiguous)."""
    if _SCIENTIFIC.fullmatch(body):
        return ".", False
    dot, comma = "." in body, "," in body
    mark: str | None
    if dot and comma:
        mark = "." if body.rfind(".") > body.rfind(",") else ","
        whole = body.rpartition(mark)[0]
        return (mark if _grouped(whole, "," if mark == "." else ".") else None), False
    if any(c in body for c in _GROUP_SEPARATORS):
        return ("." if dot else "," if comma else None), False
    mark = "." if dot else "," if comma else None
    if mark is None:
        return None, False
    if body.count(mark) > 1:  # 1,234,567: a thousands separator, so the other mark
        return ("." if mark == "," else ",") if _grouped(body, mark) else None, False
    whole, _, frac = body.partition(mark)
    if len(frac) != 3 or whole in ("", "0") or len(whole) > 3:
        return mark, False
    return None, True  # 1,234 or 1.234


def token_value(token: Token, decimal: str) -> float:
    """Return the number a token stands for under ``decimal``; raise ValueError if none."""
    body = token.body
    if not token.power and _PLAIN.fullmatch(body):  # no grouping: float() rounds exactly
        if decimal in body or ("," not in body and "." not in body):
            return float(token.sign + body.replace(",", "."))
    if _SCIENTIFIC.fullmatch(body):
        if decimal != ".":
            raise ValueError(body)
        return float(token.sign + body) * 10.0**token.power
    whole, _, frac = body.partition(decimal)
    if decimal in frac or not re.fullmatch(r"\d*", frac):
        raise ValueError(body)
    separators = {c for c in whole if not c.isdigit()}
    if separators:
        allowed = set(_GROUP_SEPARATORS) | {"," if decimal == "." else "."}
        if len(separators) > 1 or not separators <= allowed:
            raise ValueError(body)
        groups = whole.split(separators.pop())
        if not (1 <= len(groups[0]) <= 3) or any(len(g) != 3 for g in groups[1:]):
            raise ValueError(body)
        whole = "".join(groups)
    if not re.fullmatch(r"\d*", whole) or not (whole or frac):
        raise ValueError(body)
    try:
        number = Decimal(f"{token.sign}{whole or '0'}.{frac or '0'}").scaleb(token.power)
    except InvalidOperation as exc:  # pragma: no cover - the regexes leave digits only
        raise ValueError(body) from exc
    return float(number)


Cell = Token | ValueError | None


def decide_decimal_mark(
    tables: dict[str, dict[str, Cell]],
    texts: dict[str, list[str]],
    lines: list[int],
    used: Mapping[str, str],
    decimal: str | None,
    name: str,
) -> tuple[str, str]:
    """Settle the file's decimal mark; return (mark, note). Raise if it cannot be settled.

    ``tables`` holds, per number field, each distinct cell text's token; ``texts`` the
    cells of each row (rows at ``lines``). The evidence of distinct texts decides; the
    rows are scanned, for the line to name, only when the file is refused.
    """
    if decimal is not None:
        return decimal, f"decimal {MARK_NAMES[decimal]} as given"
    marks: set[str] = set()
    unsure = False
    for table in tables.values():
        for tok in table.values():
            if isinstance(tok, Token):
                mark, ambiguous = _evidence(tok.body)
                if mark is not None:
                    marks.add(mark)
                unsure = unsure or ambiguous
    if len(marks) == 1:
        mark = marks.pop()
        return mark, "" if mark == "." else "decimal comma"
    if not marks and not unsure:
        return ".", ""
    first: dict[str, tuple[int, str, str]] = {}
    ambiguous_at: tuple[int, str, str] | None = None
    for i, line in enumerate(lines):
        for fld, table in tables.items():
            text = texts[fld][i]
            tok = table[text]
            if not isinstance(tok, Token):
                continue
            mark, ambiguous = _evidence(tok.body)
            if mark is not None and mark not in first:
                first[mark] = (line, used[fld], text)
            elif ambiguous and ambiguous_at is None:
                ambiguous_at = (line, used[fld], text)
    hint = "give --decimal . or --decimal ,"
    if len(first) == 2:
        (m1, (l1, c1, t1)), (m2, (l2, c2, t2)) = sorted(first.items(), key=lambda kv: kv[1][0])
        raise CsvFormatError(
            path=name,
            line=l2,
            problem=f"{c2} {t2.strip()!r} has a decimal {MARK_NAMES[m2]} but {c1} "
            f"{t1.strip()!r} {'on the same line' if l1 == l2 else f'on line {l1}'} a decimal "
            f"{MARK_NAMES[m1]}: one file, one decimal mark; {hint}",
        )
    assert ambiguous_at is not None
    line, column, text = ambiguous_at
    t = text.strip()
    whole, _, frac = t.partition("," if "," in t else ".")
    raise CsvFormatError(
        path=name,
        line=line,
        problem=f"{column} {t!r} could be {whole}.{frac} or {whole}{frac}, and no other "
        f"number in the file settles the decimal mark; {hint}",
    )
