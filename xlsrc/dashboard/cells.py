"""Values as spreadsheet cells and terminal text: the helpers every adapter shares.

One conversion of a computed value into what a cell holds (:func:`to_cell`: NaN and NaT
become a blank, numpy scalars Python numbers, timestamps ``datetime``), used by the report
and workbook writers (through :mod:`xlsrc.dashboard.render`) and by the Excel formulas;
the stricter conversion of everything an Excel formula returns (:func:`formula_result`:
:func:`to_cell`, then every text cut to :data:`EXCEL_TEXT_LIMIT` characters by
:func:`fit_text`); and one reading of ``Store.status()`` (:func:`status_rows`,
:func:`status_value`, :func:`status_text`), used by the ``DATA_STATUS`` formula and
``xlsrc status``.

This module imports no spreadsheet library.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "ELLIPSIS",
    "EXCEL_TEXT_LIMIT",
    "NEVER_KEYS",
    "STATUS_ITEMS",
    "TextList",
    "fit_text",
    "formula_result",
    "formula_value",
    "status_rows",
    "status_text",
    "status_value",
    "to_cell",
]


def to_cell(value: Any) -> Any:
    """Return one value as a spreadsheet cell holds it.

    Parameters
    ----------
    value : Any
        A number, text, a date (``pd.Timestamp``, ``numpy.datetime64``, ``datetime``),
        ``None``, NaN or NaT.

    Returns
    -------
    Any
        ``None`` (a blank cell) for None, NaN, NaT and infinities; a Python ``int`` /
        ``float`` / ``bool`` for a numpy scalar; a ``datetime.datetime`` for a timestamp;
        anything else unchanged.
    """
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.to_pydatetime()
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else pd.Timestamp(value).to_pydatetime()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


#: The longest text an Excel formula returns, in UTF-16 code units (Excel's characters).
#: xlwings hands every UDF result to Excel as a 2D Variant array (a single value as 1x1),
#: and Excel shows ``#VALUE!`` for an array from a UDF that holds a string longer than
#: 255 characters (xlwings issues #456, #869; the same in a pure VBA function returning a
#: Variant array), so one long source name or message would blank a whole table.
EXCEL_TEXT_LIMIT = 255
#: What marks text that was cut (one character, U+2026).
ELLIPSIS = "\u2026"
#: Characters that make ``a, b, c`` something other than a list of names (a Python repr).
_NOT_A_LIST = frozenset("'\"[]{}")


class TextList(str):
    """Names joined with ``", "`` that remember the names: ``fit_text`` summarises by them.

    A ``str`` everywhere else (the report, the CLI), so a list shown in one cell (the
    sources of ``DATA_STATUS``) stays a list when it has to be shortened, even when a name
    holds ``", "`` itself (a CSV file ``prices, 2026.csv``).
    """

    items: tuple[str, ...]

    def __new__(cls, items: Iterable[object]) -> TextList:
        """Join ``items`` (as text) with ``", "`` and keep them."""
        names = tuple(str(i) for i in items)
        text = super().__new__(cls, ", ".join(names))
        text.items = names
        return text


def _units(text: str) -> int:
    """Length in UTF-16 code units (a character outside the BMP counts two, as in Excel)."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def _cut(text: str, room: int) -> str:
    """``text`` if it fits in ``room`` units, else its start and an ellipsis."""
    if _units(text) <= room:
        return text
    keep = max(room - 1, 0)
    head = text[:keep]
    while _units(head) > keep:
        head = head[:-1]
    return head.rstrip() + ELLIPSIS


def _summarise_list(text: str, room: int) -> str | None:
    """Summarise ``a, b, c`` as ``a, b … and 1 more`` in ``room`` units (None: not a list)."""
    if isinstance(text, TextList):
        items = list(text.items)
    else:
        items = text.split(", ")
        if len(items) < 3 or any(_NOT_A_LIST & set(item) for item in items):
            return None
    n = len(items)
    for k in range(n - 1, 0, -1):
        summary = f"{', '.join(items[:k])} {ELLIPSIS} and {n - k} more"
        if _units(summary) <= room:
            return summary
    return None


def _trailing_group(text: str) -> int | None:
    """Index of the ``(`` that opens the parenthesis ``text`` ends with, if it does."""
    if not text.endswith(")"):
        return None
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        if text[i] == ")":
            depth += 1
        elif text[i] == "(":
            depth -= 1
            if depth == 0:
                return i if i > 0 else None
    return None


def fit_text(text: str, limit: int = EXCEL_TEXT_LIMIT) -> str:
    """Return ``text`` in at most ``limit`` characters (UTF-16 code units), saying what was cut.

    Shorter text is returned unchanged. Longer text is shortened in the first way that
    applies:

    1. It ends with a long parenthesis holding a list, as in ``Unknown universe: x (known:
       a, b, c, ...)``: the list keeps its first names and says how many more there are,
       ``(known: a, b … and 40 more)``; the text before the parenthesis is kept (cut if it
       is over half the limit).
    2. It is a :class:`TextList` (the sources of ``DATA_STATUS``), or text of three or
       more names separated by ``", "``: ``a, b, c … and 12 more``, as many whole names as
       fit. Text whose items hold quotes or brackets is a Python value, not names, and is
       not summarised this way.
    3. Otherwise its start is kept, cut with an ellipsis (``…``); a closing parenthesis of
       at most half the limit (``(allowed: a single cell)``) is kept whole after it.

    Parameters
    ----------
    text : str
    limit : int
        Default :data:`EXCEL_TEXT_LIMIT`.

    Returns
    -------
    str
        At most ``limit`` code units.
    """
    if len(text) <= limit // 2 or _units(text) <= limit:
        return str(text)
    if isinstance(text, TextList):
        return _summarise_list(text, limit) or _cut(str(text), limit)
    open_at = _trailing_group(text)
    note = "" if open_at is None else text[open_at:]
    if open_at is not None and _units(note) > limit // 2 and ", " in note:
        head = text[:open_at]
        gap = " " if head.endswith(" ") else ""
        head = _cut(head.rstrip(), limit // 2) + gap
        summary = _summarise_list(note[1:-1], limit - _units(head) - 2)
        if summary is not None:
            return f"{head}({summary})"
    summary = _summarise_list(text, limit)
    if summary is not None:
        return summary
    if open_at is not None and _units(note) <= limit // 2:
        gap = " " if text[:open_at].endswith(" ") else ""
        return _cut(text[:open_at].rstrip(), limit - _units(note) - len(gap)) + gap + note
    return _cut(text, limit)


def formula_value(value: Any) -> Any:
    """Return one value as an Excel formula's cell returns it.

    :func:`to_cell`, then :func:`fit_text` on text: Excel shows ``#VALUE!`` for a UDF
    result holding a string over :data:`EXCEL_TEXT_LIMIT` characters.
    """
    kind = type(value)
    if kind is float:
        return value if math.isfinite(value) else None
    if kind is str:
        return value if len(value) <= EXCEL_TEXT_LIMIT // 2 else fit_text(value)
    if kind is int or value is None:
        return value
    value = to_cell(value)
    return fit_text(value) if isinstance(value, str) else value


def formula_result(result: Any) -> Any:
    """Return what an Excel formula returns, every cell through :func:`formula_value`.

    The one conversion of every xlsrc formula's result (``xlsrc.excel.udfs``): a single
    value, a flat list (a row) or a list of rows (a table or a lifted range).
    """
    if not isinstance(result, list | tuple):
        return formula_value(result)
    out: list[Any] = []
    append = out.append
    for row in result:
        kind = type(row)
        if kind is not list and kind is not tuple and not isinstance(row, list | tuple):
            append(formula_value(row))
        elif len(row) == 1:  # a column: the shape of most lifted results
            append([formula_value(row[0])])
        else:
            append([formula_value(v) for v in row])
    return out


#: ``Store.status()`` keys in the order they are listed, with their labels. The keys
#: ``last_refresh``/``last_refresh_source`` (kept for programs) are when and from which
#: source bars were last *added*: a CSV import as much as a Yahoo refresh, so the labels
#: say "data added", not "refresh".
STATUS_ITEMS: tuple[tuple[str, str], ...] = (
    ("sources", "Source"),
    ("last_refresh", "Last data added (UTC)"),
    ("last_refresh_source", "Last data added from"),
    ("last_date", "Latest session"),
    ("tickers_on_last_date", "Tickers with a bar on the latest session"),
    ("first_date", "First session"),
    ("n_tickers", "Tickers"),
    ("location", "Store"),
    ("backend", "Backend"),
    ("snapshot_version", "Snapshot version"),
    ("created_at", "Store created (UTC)"),
    ("data_version", "Data version"),
    ("bars_version", "Bars version"),
    ("schema_version", "Schema version"),
)

#: Status keys whose None means "has not happened" (shown "never") rather than "unknown".
NEVER_KEYS = frozenset({"last_refresh", "last_refresh_source"})

_DATE_KEYS = frozenset({"last_date", "first_date", "last_refresh", "created_at"})


def status_value(key: str, value: Any) -> Any:
    """Return one ``Store.status()`` value as a cell shows it.

    Parameters
    ----------
    key : str
        The status key (``last_date``...).
    value : Any
        Its value as the store reports it.

    Returns
    -------
    Any
        ``"never"`` for a refresh that did not happen; the source names joined with
        ``, `` (a :class:`TextList`); a date or timestamp text as a naive ``pd.Timestamp`` (UTC); other lists
        and mappings joined as text; numbers, text and dates unchanged; None if unknown.
    """
    if value is None and key in NEVER_KEYS:
        return "never"
    if key == "sources" and isinstance(value, list | tuple):
        return TextList(v.get("name", v) if isinstance(v, dict) else v for v in value)
    if key in _DATE_KEYS and isinstance(value, str) and value:
        try:
            ts = pd.Timestamp(value)
        except ValueError:
            return value
        return ts.tz_convert(None) if ts.tzinfo is not None else ts
    if isinstance(value, list | tuple | set):
        return TextList(value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, pd.Timestamp | _dt.datetime | _dt.date | int | float | str | bool):
        return value
    return None if value is None else str(value)


def status_text(key: str, value: Any) -> str:
    """Return one ``Store.status()`` value as terminal text.

    ``"never"`` for a refresh that did not happen, ``"-"`` for another missing value, the
    value as the store wrote it otherwise (dates stay in their ISO text).
    """
    if value is None or value == "":
        return "never" if key in NEVER_KEYS else "-"
    if isinstance(value, str):
        return value
    return str(status_value(key, value))


def status_rows(status: Mapping[str, Any]) -> list[tuple[str, str, Any]]:
    """Return ``(key, label, value)`` for every status item, in :data:`STATUS_ITEMS` order.

    Keys a newer store adds follow, labelled from the key (``n_rows`` -> ``N rows``).
    Values are :func:`status_value`'s.
    """
    rest = dict(status)
    rows = [
        (key, label, status_value(key, rest.pop(key))) for key, label in STATUS_ITEMS if key in rest
    ]
    rows += [
        (str(key), str(key).replace("_", " ").capitalize(), status_value(str(key), value))
        for key, value in rest.items()
    ]
    return rows
