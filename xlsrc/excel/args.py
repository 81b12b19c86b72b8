"""Turn what Excel sends into the values the market and core functions take.

Excel hands a custom function numbers as floats (``20.0``), text as ``str``, a blank cell
as ``None``, a date typed in a cell as a ``datetime`` (pywin32 converts the COM date), a
date computed by a formula (``=DATE(2026,1,22)``) as its serial number (``46044.0``), and a
range as a 2D list of rows. An omitted optional argument arrives as the Python default
(xlwings substitutes it). Every function here accepts all of those shapes, treats a blank
optional argument as its default, and raises :class:`~xlsrc.errors.InvalidParameterError`
naming the argument otherwise.

Pure Python: no xlwings, no market; the UDF module calls these before anything else.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..dates import parse_date
from ..errors import InvalidParameterError
from ..periods import parse_period, validate_window

__all__ = [
    "as_of_arg",
    "choice_arg",
    "count_arg",
    "date_arg",
    "flag_arg",
    "flatten",
    "is_blank",
    "period_arg",
    "scalar",
    "text_list_arg",
    "ticker_arg",
    "ticker_list_arg",
    "universe_arg",
    "window_arg",
]

#: Day 0 of Excel's 1900 date system as used by Windows Excel (serial 1 = 1900-01-01,
#: counting the non-existent 1900-02-29, so every serial from 61 on maps exactly).
_EXCEL_EPOCH = _dt.datetime(1899, 12, 30)
#: Serial numbers accepted as dates: 1900-03-01 (61) .. 9999-12-31 (2958465).
_SERIAL_MIN, _SERIAL_MAX = 61, 2958465

_DATE_ALLOWED = "an Excel date, a date serial number or text such as 2026-01-22"


def is_blank(value: Any) -> bool:
    """Return True for what Excel sends for an empty cell or omitted argument.

    ``None``, an empty or all-blank string, an empty list, or a range whose every cell is
    blank.
    """
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, list | tuple):
        return all(is_blank(v) for v in value)
    return False


def flatten(value: Any) -> list[Any]:
    """Flatten a scalar, a row, a column or a 2D range into a list, row by row.

    Blank cells are dropped.
    """
    if isinstance(value, list | tuple | np.ndarray):
        out: list[Any] = []
        for item in value:
            out.extend(flatten(item))
        return out
    return [] if is_blank(value) else [value]


def scalar(value: Any, name: str) -> Any:
    """Return the single value in ``value`` (a one-cell range arrives as ``[[x]]``).

    Raises
    ------
    InvalidParameterError
        If ``value`` holds more than one non-blank cell.
    """
    if isinstance(value, list | tuple):
        items = flatten(value)
        if len(items) > 1:
            raise InvalidParameterError(name=name, value=value, allowed="a single cell")
        return items[0] if items else None
    return value


def _number_as_text(value: float | int) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def ticker_arg(value: Any, name: str = "ticker") -> str:
    """Read a ticker: text from a cell, trimmed and upper-cased.

    A number (a cell holding ``3988``) is read as its digits. Whether the ticker exists is
    checked by :meth:`xlsrc.market.Market.ticker`, which also normalises ``BRK.B``.

    Raises
    ------
    InvalidParameterError
        If the cell is blank or holds something that is not a ticker (a date, TRUE).
    """
    value = scalar(value, name)
    if is_blank(value):
        raise InvalidParameterError(
            f"Missing {name}: the cell is empty (expected a ticker such as VICR)",
            name=name,
            value=value,
        )
    if isinstance(value, bool) or isinstance(value, _dt.date):
        raise InvalidParameterError(name=name, value=value, allowed="a ticker such as VICR")
    if isinstance(value, int | float):
        return _number_as_text(value)
    if not isinstance(value, str):
        raise InvalidParameterError(name=name, value=value, allowed="a ticker such as VICR")
    return value.strip().upper()


def _serial_to_timestamp(serial: float, name: str) -> pd.Timestamp:
    if not math.isfinite(serial) or not _SERIAL_MIN <= serial <= _SERIAL_MAX:
        raise InvalidParameterError(name=name, value=serial, allowed=_DATE_ALLOWED)
    return pd.Timestamp(_EXCEL_EPOCH + _dt.timedelta(days=math.floor(serial)))


def date_arg(value: Any, name: str = "as_of", *, required: bool = False) -> pd.Timestamp | None:
    """Read a date the way Excel can send it, as a midnight ``pd.Timestamp``.

    Parameters
    ----------
    value : Any
        A ``datetime``/``date`` (a date cell; kept as Excel sends it, the time of day
        dropped), a float or int (an Excel serial number, e.g. ``46044.0`` = 2026-01-22;
        the time of day is dropped), text read by :func:`xlsrc.dates.parse_date` (the
        rule of every input: ``"2026-01-22"``, ``"20260122"``, ``"2026-01-22T16:00"``,
        ``"22 Jan 2026"``, ``"22/01/2026"``; an offset converted to New York), a
        ``pd.Timestamp``, or blank.
    name : str
        Argument name used in error messages.
    required : bool
        If True a blank is an error; otherwise blank returns ``None`` (the default date).

    Returns
    -------
    pd.Timestamp or None
        Tz-naive midnight, or ``None`` for a blank optional argument.

    Raises
    ------
    InvalidParameterError
        For anything that is not a date, for a serial outside 1900-03-01..9999-12-31, and
        for text whose day and month could be swapped, such as ``"01/02/2026"`` (the
        message names both ISO dates).
    """
    value = scalar(value, name)
    if is_blank(value):
        if required:
            raise InvalidParameterError(
                f"Missing {name}: the cell is empty (expected {_DATE_ALLOWED})",
                name=name,
                value=value,
            )
        return None
    if isinstance(value, bool):
        raise InvalidParameterError(name=name, value=value, allowed=_DATE_ALLOWED)
    if isinstance(value, pd.Timestamp | _dt.datetime | _dt.date | np.datetime64):
        ts = pd.Timestamp(value)
        if ts.tzinfo is not None:
            ts = ts.tz_localize(None)
        return ts.normalize()
    if isinstance(value, int | float | np.number):
        return _serial_to_timestamp(float(value), name)
    if isinstance(value, str):
        return parse_date(value, name=name)
    raise InvalidParameterError(name=name, value=value, allowed=_DATE_ALLOWED)


def as_of_arg(value: Any) -> pd.Timestamp | None:
    """Read the optional ``as_of`` argument (blank = ``None`` = the last date in the store)."""
    return date_arg(value, "as_of")


def _number(value: Any, name: str, allowed: str) -> Any:
    """Accept numbers, and text holding a number (``"20"`` typed as text)."""
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            raise InvalidParameterError(name=name, value=value, allowed=allowed) from None
    if isinstance(value, np.number):
        return float(value)
    return value


def window_arg(value: Any, default: int, name: str = "window", minimum: int = 1) -> int:
    """Read a window in trading days; blank means ``default``; ``20.0`` is 20.

    Raises
    ------
    InvalidParameterError
        If the value is not a whole number >= ``minimum``.
    """
    value = scalar(value, name)
    if is_blank(value):
        return default
    value = _number(value, name, f"a whole number >= {minimum}")
    return validate_window(value, name, minimum)


def count_arg(value: Any, default: int, name: str = "n", maximum: int | None = None) -> int:
    """Read a row count such as LEADERS' ``n``; blank means ``default``.

    Raises
    ------
    InvalidParameterError
        If not a whole number >= 1 (or above ``maximum``).
    """
    n = window_arg(value, default, name, minimum=1)
    if maximum is not None and n > maximum:
        raise InvalidParameterError(name=name, value=value, allowed=f"1..{maximum}")
    return n


def period_arg(value: Any, default: str | None = None, name: str = "period") -> int | str:
    """Read a period code (``"1M"``, ``"YTD"``...) or a number of trading days.

    Raises
    ------
    InvalidParameterError
        If blank without a default, or not a known code or positive whole number.
    """
    value = scalar(value, name)
    if is_blank(value):
        if default is None:
            raise InvalidParameterError(
                f"Missing {name}: the cell is empty (expected 1D, 1W, 1M, 3M, 6M, 1Y, YTD "
                "or a number of trading days)",
                name=name,
                value=value,
            )
        value = default
    return parse_period(value)


def flag_arg(value: Any, default: bool, name: str) -> bool:
    """Read TRUE/FALSE (Excel sends ``bool``); also 1/0 and the text TRUE/FALSE/YES/NO.

    Raises
    ------
    InvalidParameterError
        For anything else.
    """
    value = scalar(value, name)
    if is_blank(value):
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().upper()
        if text in {"TRUE", "YES", "Y", "1"}:
            return True
        if text in {"FALSE", "NO", "N", "0"}:
            return False
    raise InvalidParameterError(name=name, value=value, allowed="TRUE or FALSE")


def text_list_arg(value: Any, name: str) -> list[str]:
    """Read a list of words: a range of cells, or text separated by commas/semicolons.

    Each word is trimmed; blanks are dropped.
    """
    words: list[str] = []
    for item in flatten(value):
        if isinstance(item, str):
            words.extend(w.strip() for w in item.replace(";", ",").split(","))
        elif isinstance(item, int | float) and not isinstance(item, bool):
            words.append(_number_as_text(item))
        else:
            raise InvalidParameterError(name=name, value=item, allowed="text")
    return [w for w in words if w]


def ticker_list_arg(value: Any, name: str = "tickers") -> list[str]:
    """Read several tickers: a range (one per cell) or text ``"XLK, XLE"``.

    Returns upper-cased, trimmed tickers in order, without duplicates.

    Raises
    ------
    InvalidParameterError
        If no ticker is given.
    """
    tickers = list(dict.fromkeys(w.upper() for w in text_list_arg(value, name)))
    if not tickers:
        raise InvalidParameterError(
            f"Missing {name}: no ticker given (expected a range of tickers or text such as "
            "'XLK, XLE')",
            name=name,
            value=value,
        )
    return tickers


def universe_arg(value: Any, default: str = "stocks", name: str = "universe") -> str | list[str]:
    """Read a universe: a name (``"sp600"``), a range of tickers, or blank (``default``).

    One piece of text without a comma is a universe *name* (checked by the market, which
    raises ``UnknownUniverseError``); a range of several cells, or text with commas, is an
    explicit list of tickers.

    Returns
    -------
    str or list of str
        A lower-case universe name, or upper-case tickers.
    """
    if is_blank(value):
        return default
    items = flatten(value)
    if (
        len(items) == 1
        and isinstance(items[0], str)
        and "," not in items[0]
        and ";" not in items[0]
    ):
        return items[0].strip().lower()
    return ticker_list_arg(items, name)


def choice_arg(value: Any, default: str, allowed: Sequence[str] | Iterable[str], name: str) -> str:
    """Read one of a fixed set of words (case-insensitive); blank means ``default``.

    Returns the spelling in ``allowed``.

    Raises
    ------
    InvalidParameterError
        If the word is not in ``allowed``.
    """
    allowed = list(allowed)
    value = scalar(value, name)
    if is_blank(value):
        return default
    if isinstance(value, str):
        key = value.strip().lower().replace(" ", "_").replace("%", "pct")
        for word in allowed:
            if word.lower() == key:
                return word
    raise InvalidParameterError(name=name, value=value, allowed=", ".join(allowed))
