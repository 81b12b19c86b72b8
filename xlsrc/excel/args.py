"""Turn what Excel sends into the values the market and core functions take.

Excel hands a custom function numbers as floats (``20.0``), text as ``str``, a blank cell
as ``None``, a date typed in a cell as a ``datetime`` (pywin32 converts the COM date), a
date computed by a formula (``=DATE(2026,1,22)``) as its serial number (``46044.0``), and a
range as a 2D list of rows. An omitted optional argument arrives as the Python default
(xlwings substitutes it). Every function here accepts all of those shapes, treats a blank
optional argument as its default, and raises :class:`~xlsrc.errors.InvalidParameterError`
naming the argument otherwise.

Error cells
-----------
A cell showing an error (``#N/A``, ``#REF!``...) reaches Python as pywin32's COM error
code, an ``int`` (``-2146826246`` for ``#N/A``: ``0x800A0000`` + Excel's ``xlErrNA``
2042). xlwings' cleaning stage turns it into ``None``, like a blank, unless the argument is
read with ``err_to_str=True``; then the seven classic errors become their text (``"#N/A"``)
and the newer ones (``#SPILL!``, ``#CALC!``, ``#GETTING_DATA``...) stay codes. Every reader
here refuses both forms, and text an xlsrc formula returned as its error
(``"#N/A Unknown ticker: XYZQ"``), with ``<argument> is an error cell (<error>)``
(:func:`error_text`), so an error upstream is never read as a blank and its default.

Ranges (lifting)
----------------
:func:`broadcast` lays the arguments a formula lifts over ranges on the cells of the
result, by Excel's pairwise rule (:class:`Broadcast`).

Pure Python: no xlwings, no market; the UDF module calls these before anything else.

Size: about 700 lines, a third of them docstrings: one reader per kind of argument a
formula takes (19 public names), all sharing the error-cell and blank rules above
(:func:`error_text`, :func:`is_blank`, :func:`scalar`). The lifting section (125 lines)
could stand alone, but :mod:`xlsrc.excel.udfs` reaches it as ``args.broadcast`` next to
the readers it calls on every cell, and it reads ranges with the same rules.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Literal, overload

import numpy as np
import pandas as pd

from ..dates import parse_date
from ..errors import InvalidParameterError
from ..periods import parse_period, validate_window

__all__ = [
    "CELL_ERRORS",
    "Broadcast",
    "ErrorCell",
    "as_of_arg",
    "broadcast",
    "choice_arg",
    "count_arg",
    "date_arg",
    "error_cell",
    "error_text",
    "flag_arg",
    "flatten",
    "formula_usage",
    "is_blank",
    "is_date",
    "period_arg",
    "scalar",
    "text_list_arg",
    "ticker_arg",
    "ticker_list_arg",
    "universe_arg",
    "window_arg",
    "word_arg",
    "wrong_kind",
]

#: Day 0 of Excel's 1900 date system as used by Windows Excel (serial 1 = 1900-01-01,
#: counting the non-existent 1900-02-29, so every serial from 61 on maps exactly).
_EXCEL_EPOCH = _dt.datetime(1899, 12, 30)
#: Serial numbers accepted as dates: 1900-03-01 (61) .. 9999-12-31 (2958465).
_SERIAL_MIN, _SERIAL_MAX = 61, 2958465

_DATE_ALLOWED = "an Excel date, a date serial number or text such as 2026-01-22"


#: Excel's cell errors by the code pywin32 hands Python for them: a COM ``VT_ERROR`` whose
#: SCODE is ``0x800A0000`` plus the error's number in Excel's ``XlCVError`` enumeration
#: (``xlErrNull`` 2000 ... ``xlErrCalc`` 2050), as a signed 32-bit int. xlwings 0.37.8 knows
#: the first seven (``xlwings._xlwindows.cell_errors``, the same codes).
CELL_ERRORS: dict[int, str] = {
    0x800A0000 + number - 2**32: text
    for number, text in (
        (2000, "#NULL!"),
        (2007, "#DIV/0!"),
        (2015, "#VALUE!"),
        (2023, "#REF!"),
        (2029, "#NAME?"),
        (2036, "#NUM!"),
        (2042, "#N/A"),
        (2043, "#GETTING_DATA"),
        (2045, "#SPILL!"),
        (2046, "#CONNECT!"),
        (2047, "#BLOCKED!"),
        (2048, "#UNKNOWN!"),
        (2049, "#FIELD!"),
        (2050, "#CALC!"),
    )
}
_ERROR_LITERALS = frozenset(CELL_ERRORS.values())
#: SCODEs of Excel's cell errors: 0x800A07D0 (2000) .. 0x800A08FF, a number another Excel
#: version may add beyond the known ones included.
_ERROR_CODES = range(0x800A0000 + 2000 - 2**32, 0x800A0000 + 2304 - 2**32)
#: How an xlsrc formula's own error text starts (``#N/A Unknown ticker: XYZQ``).
_XLSRC_ERROR = "#N/A "


#: The formula being evaluated and its arguments in order (``SECTORS(benchmark, as_of)``),
#: set by :func:`formula_usage` around a formula's body; a reader refusing a value of the
#: wrong kind names the argument order with it.
_USAGE: ContextVar[str | None] = ContextVar("xlsrc_formula_usage", default=None)
#: Whole numbers in a ticker slot read as the date they are (serials of 1990-01-01 ..
#: 2099-12-31): ``=DATE(2026,1,22)`` reaches a formula as 46044; no US ticker is digits.
_SERIAL_DATES = (32874, 73050)


@contextmanager
def formula_usage(usage: str) -> Iterator[None]:
    """Name the formula whose arguments are being read (``SECTORS(benchmark, as_of)``).

    Inside the block every reader that refuses a value of the wrong kind (a date where a
    ticker goes) ends its message with ``the arguments are <usage>``, as
    :func:`wrong_kind` does.
    """
    token = _USAGE.set(usage)
    try:
        yield
    finally:
        _USAGE.reset(token)


def _shown(value: Any) -> tuple[str, str]:
    """Return how a message shows a cell and what kind of value it is.

    A date as ``2026-01-22`` (with ``HH:MM`` when it has a time of day), never Python's
    ``datetime.datetime(2026, 1, 22, 0, 0)``; a logical as ``TRUE``; a number as Excel
    shows it (``46044``, ``1.5``), a whole number in the date-serial range with the date
    it is (``46044 (the date 2026-01-22)``).
    """
    if isinstance(value, pd.Timestamp | _dt.datetime | _dt.date | np.datetime64):
        ts = pd.Timestamp(value)
        if ts.tzinfo is not None:
            ts = ts.tz_localize(None)
        text = f"{ts:%Y-%m-%d}" if ts == ts.normalize() else f"{ts:%Y-%m-%d %H:%M}"
        return text, "a date"
    if isinstance(value, bool | np.bool_):
        return ("TRUE" if value else "FALSE"), "a logical"
    if isinstance(value, int | float | np.number):
        number = float(value)
        if not math.isfinite(number):
            return str(number), "a number"
        text = _number_as_text(number)
        if number.is_integer() and _SERIAL_DATES[0] <= number <= _SERIAL_DATES[1]:
            day = _EXCEL_EPOCH + _dt.timedelta(days=int(number))
            return text, f"a number (the date {day:%Y-%m-%d} as Excel counts days)"
        return text, "a number"
    if isinstance(value, str):
        return value.strip(), "text"
    return str(value), type(value).__name__


def wrong_kind(
    value: Any, name: str, holds: str, usage: str | None = None
) -> InvalidParameterError:
    """Return the error for a cell of the wrong kind in an argument (a date for a ticker).

    ``Invalid benchmark: 2026-01-22 is a date; this argument holds a ticker such as SPY;
    the arguments are SECTORS(benchmark, as_of)``: the value as Excel shows it (never a
    Python repr), what it is, what the argument holds, and, given ``usage`` or inside
    :func:`formula_usage`, the formula's argument order (a value given in the wrong place
    is the usual cause).

    Parameters
    ----------
    value : Any
        The cell as the formula received it.
    name : str
        The argument's name.
    holds : str
        What the argument takes (``"a ticker such as VICR"``).
    usage : str, optional
        The formula and its arguments; default the one :func:`formula_usage` names.
    """
    shown, kind = _shown(value)
    usage = usage or _USAGE.get()
    order = f"; the arguments are {usage}" if usage else ""
    return InvalidParameterError(
        f"Invalid {name}: {shown} is {kind}; this argument holds {holds}{order}",
        name=name,
        value=value,
    )


def is_date(value: Any) -> bool:
    """Return True for a date cell as xlwings hands it (``datetime``), or any date object."""
    return isinstance(value, pd.Timestamp | _dt.datetime | _dt.date | np.datetime64)


def error_text(value: Any) -> str | None:
    """Return the error a cell shows, or None if ``value`` is not an error cell.

    Parameters
    ----------
    value : Any
        One cell as the formula received it.

    Returns
    -------
    str or None
        ``"#N/A"``, ``"#REF!"``... for pywin32's error code (an ``int``, or the same
        whole number as a float, ``-2146826246.0``: see :data:`CELL_ERRORS`; another code
        of Excel's error range as ``"#ERROR <n>"``), for
        that text as xlwings' ``err_to_str`` makes it, and for an xlsrc formula's own
        ``"#N/A <reason>"`` text (returned whole); None for anything else.
    """
    if isinstance(value, str):
        text = value.strip()
        if text in _ERROR_LITERALS or text.startswith(_XLSRC_ERROR):
            return text
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        return None
    if isinstance(value, float | np.floating):  # the code as a float (-2146826246.0)
        if not math.isfinite(value) or not float(value).is_integer():
            return None
    code = int(value)
    if code in _ERROR_CODES:
        return CELL_ERRORS.get(code, f"#ERROR {code - (0x800A0000 - 2**32)}")
    return None


def error_cell(name: str, text: str) -> InvalidParameterError:
    """Return the error a formula shows for an argument cell that shows an error."""
    return InvalidParameterError(f"{name} is an error cell ({text})", name=name, value=text)


def _refuse_error(value: Any, name: str) -> Any:
    text = error_text(value)
    if text is not None:
        raise error_cell(name, text)
    return value


@dataclass(frozen=True)
class ErrorCell:
    """A bad cell inside a list argument (``TECHNICALS``' watchlist), kept in its place.

    An error cell (``#N/A``), or a cell that holds no ticker at all (a number with a
    fraction, ``1.5``).

    Attributes
    ----------
    text : str
        What the cell shows (``#N/A``, ``1.5``).
    message : str or None
        The reason, when the cell is not an error cell (``Invalid ticker: 1.5 ...``).
    """

    text: str
    message: str | None = None

    def reason(self, name: str) -> str:
        """Return the message a table shows on this cell's row."""
        if self.message is not None:
            return self.message
        return str(error_cell(name, self.text))


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
        If ``value`` holds more than one non-blank cell, or the cell shows an error
        (:func:`error_text`).
    """
    if isinstance(value, list | tuple):
        items = flatten(value)
        if len(items) > 1:
            raise InvalidParameterError(name=name, value=value, allowed="a single cell")
        return _refuse_error(items[0], name) if items else None
    return _refuse_error(value, name)


def _number_as_text(value: Any) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


_TICKER_HOLDS = "a ticker such as VICR"


def _not_a_ticker(value: Any, name: str) -> InvalidParameterError:
    """Refuse a number with a fraction (``1.5``) as a ticker: no symbol is ``1-5``."""
    return InvalidParameterError(
        f"Invalid {name}: {float(value)!r} (a number, not a ticker such as VICR)",
        name=name,
        value=value,
    )


def ticker_arg(value: Any, name: str = "ticker") -> str:
    """Read a ticker: text from a cell, trimmed and upper-cased.

    A whole number (a cell holding ``3988``) is read as its digits; a number with a
    fraction (``1.5``) is refused (``Invalid ticker: 1.5 (a number, not a ticker such as
    VICR)``), not read as the symbol ``1-5``; a date, a logical, or a whole number that is
    a date serial of 1990..2099 (``46044``, ``=DATE(2026,1,22)``) is refused by
    :func:`wrong_kind` (``Invalid ticker: 2026-01-22 is a date; this argument holds a
    ticker such as VICR; the arguments are ...``). Whether the ticker exists is checked by
    :meth:`xlsrc.market.Market.ticker`, which also normalises ``BRK.B``.

    Raises
    ------
    InvalidParameterError
        If the cell is blank or holds something that is not a ticker (a date, TRUE, a
        number with a fraction).
    """
    value = scalar(value, name)
    if is_blank(value):
        raise InvalidParameterError(
            f"Missing {name}: the cell is empty (expected a ticker such as VICR)",
            name=name,
            value=value,
        )
    if isinstance(value, bool | np.bool_) or is_date(value):
        raise wrong_kind(value, name, _TICKER_HOLDS)
    if isinstance(value, int | float | np.number):
        if not math.isfinite(value) or not float(value).is_integer():
            raise _not_a_ticker(value, name)
        if _SERIAL_DATES[0] <= float(value) <= _SERIAL_DATES[1]:  # =DATE(2026,1,22)
            raise wrong_kind(value, name, _TICKER_HOLDS)
        return _number_as_text(value)
    if not isinstance(value, str):
        raise wrong_kind(value, name, _TICKER_HOLDS)
    return value.strip().upper()


#: Serial numbers already read (a sheet asks for a few dates thousands of times); bounded.
_SERIALS: dict[float, pd.Timestamp] = {}
_SERIALS_KEPT = 4096


def _serial_to_timestamp(serial: float, name: str) -> pd.Timestamp:
    ts = _SERIALS.get(serial)
    if ts is not None:
        return ts
    if not math.isfinite(serial) or not _SERIAL_MIN <= serial <= _SERIAL_MAX:
        raise InvalidParameterError(name=name, value=serial, allowed=_DATE_ALLOWED)
    ts = pd.Timestamp(_EXCEL_EPOCH + _dt.timedelta(days=math.floor(serial)))
    if len(_SERIALS) >= _SERIALS_KEPT:
        _SERIALS.clear()
    _SERIALS[serial] = ts  # a Timestamp is immutable: every caller may share it
    return ts


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
        If the value is not a whole number >= ``minimum`` (a date or a logical named as
        one: :func:`wrong_kind`).
    """
    value = scalar(value, name)
    if is_blank(value):
        return default
    if isinstance(value, bool | np.bool_) or is_date(value):
        raise wrong_kind(value, name, f"a whole number >= {minimum}")
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
    if isinstance(value, bool | np.bool_) or is_date(value):
        raise wrong_kind(
            value, name, "a period: 1D, 1W, 1M, 3M, 6M, 1Y, YTD or a number of trading days"
        )
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
    if is_date(value) or isinstance(value, int | float | np.number):
        raise wrong_kind(value, name, "TRUE or FALSE")
    raise InvalidParameterError(name=name, value=value, allowed="TRUE or FALSE")


def _words(value: Any, name: str, keep_errors: bool) -> list[str | ErrorCell]:
    words: list[str | ErrorCell] = []
    for item in flatten(value):
        text = error_text(item)
        if text is not None:
            if not keep_errors:
                raise error_cell(name, text)
            words.append(ErrorCell(text))
        elif isinstance(item, str):
            words.extend(w.strip() for w in item.replace(";", ",").split(","))
        elif isinstance(item, int | float | np.number) and not isinstance(item, bool):
            if math.isfinite(item) and float(item).is_integer():
                words.append(_number_as_text(item))
            elif keep_errors:  # its row says why; the other cells keep theirs
                words.append(ErrorCell(str(item), str(_not_a_ticker(item, "ticker"))))
            else:
                raise _not_a_ticker(item, name)
        elif keep_errors:  # a logical (TRUE) or a date holds no ticker: its row says so
            shown, what = _shown(item)
            words.append(
                ErrorCell(shown, f"Invalid ticker: {shown} ({what}, not a ticker such as VICR)")
            )
        else:
            raise wrong_kind(item, name, "text: tickers or words, a range or separated by commas")
    return [w for w in words if w]


def text_list_arg(value: Any, name: str) -> list[str]:
    """Read a list of words: a range of cells, or text separated by commas/semicolons.

    Each word is trimmed; blanks are dropped.

    Raises
    ------
    InvalidParameterError
        For a cell that is neither text nor a number, or that shows an error.
    """
    return [w for w in _words(value, name, keep_errors=False) if isinstance(w, str)]


@overload
def ticker_list_arg(
    value: Any, name: str = ..., keep_errors: Literal[False] = ...
) -> list[str]: ...


@overload
def ticker_list_arg(
    value: Any, name: str = ..., *, keep_errors: Literal[True]
) -> list[str | ErrorCell]: ...


def ticker_list_arg(
    value: Any, name: str = "tickers", keep_errors: bool = False
) -> list[str] | list[str | ErrorCell]:
    """Read several tickers: a range (one per cell) or text ``"XLK, XLE"``.

    Returns upper-cased, trimmed tickers in order, without duplicates.

    Parameters
    ----------
    value : Any
        A range, a list, or text.
    name : str
        The argument's name, for messages.
    keep_errors : bool
        Keep each error cell in its place as an :class:`ErrorCell` (a table that marks its
        row) instead of refusing the argument.

    Raises
    ------
    InvalidParameterError
        If no ticker is given, or (unless ``keep_errors``) a cell shows an error.
    """
    seen: dict[str, None] = {}
    out: list[str | ErrorCell] = []
    for word in _words(value, name, keep_errors):
        if isinstance(word, ErrorCell):
            out.append(word)
        elif (upper := word.upper()) not in seen:
            seen[upper] = None
            out.append(upper)
    if not out:
        raise InvalidParameterError(
            f"Missing {name}: no ticker given (expected a range of tickers or text such as "
            "'XLK, XLE')",
            name=name,
            value=value,
        )
    return out


def universe_arg(
    value: Any, default: str = "stocks", name: str = "universe", usage: str | None = None
) -> str | list[str]:
    """Read a universe: a name (``"sp600"``), a range of tickers, or blank (``default``).

    One piece of text without a comma is a universe *name* (checked by the market, which
    raises ``UnknownUniverseError``); a range of several cells, or text with commas, is an
    explicit list of tickers.

    Returns
    -------
    str or list of str
        A lower-case universe name, or upper-case tickers.

    Raises
    ------
    InvalidParameterError
        If a cell shows an error: a universe with a hole is not the universe meant; if
        the slot holds one number, a date or a logical, or a date or logical among
        tickers (a date or a count given in the wrong place: ``RS_RATING("VICR",46044)``),
        saying so (:func:`wrong_kind`: the date as ``2026-01-22``) and, with ``usage``
        (``"RS_RATING(ticker, universe, basis, as_of)"``) or inside
        :func:`formula_usage`, the argument order.
    """
    if is_blank(value):
        return default
    items = [_refuse_error(item, name) for item in flatten(value)]
    holds = 'a universe (a name such as "sp600", or a list of tickers)'
    if len(items) == 1 and (
        isinstance(items[0], bool | int | float | np.number) or is_date(items[0])
    ):
        raise wrong_kind(items[0], name, holds, usage)
    for item in items:  # a date among tickers: named as a date, not read as a ticker
        if is_date(item) or isinstance(item, bool | np.bool_):
            raise wrong_kind(item, name, holds, usage)
    if (
        len(items) == 1
        and isinstance(items[0], str)
        and "," not in items[0]
        and ";" not in items[0]
    ):
        return items[0].strip().lower()
    return [t for t in ticker_list_arg(items, name) if isinstance(t, str)]


def word_arg(value: Any, default: str, name: str, holds: str) -> str:
    """Read one word whose meaning the caller checks (LEADERS' ``sort_by``); blank = ``default``.

    Raises
    ------
    InvalidParameterError
        For a cell that is not text (a date, a number, a logical: :func:`wrong_kind`,
        saying the argument holds ``holds``), or that shows an error.
    """
    value = scalar(value, name)
    if is_blank(value):
        return default
    if not isinstance(value, str):
        raise wrong_kind(value, name, holds)
    return value.strip()


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
    if not isinstance(value, str):  # a date, a number or a logical in a slot of words
        raise wrong_kind(value, name, "one of " + ", ".join(allowed))
    raise InvalidParameterError(name=name, value=value, allowed=", ".join(allowed))


# --------------------------------------------------------------------------- lifting
@dataclass(frozen=True)
class Broadcast:
    """Arguments a formula lifts, laid out on the cells of its result (:func:`broadcast`).

    Attributes
    ----------
    shape : tuple of int
        Rows and columns of the result.
    nest : {0, 1, 2}
        How the result is returned: 0 one value (every lifted argument is one cell), 1 a
        flat list (every range was a flat Python list: a row), 2 a list of rows.
    columns : tuple of list
        Per argument, its value in each cell of the result, row by row (``None`` in a
        cell outside it).
    outside : list or None
        Per cell of the result, the name of the first argument that has no cell there
        (a range shorter than the result in a dimension where it is longer than one),
        else None; ``None`` when every argument covers every cell.
    ranged : tuple of bool
        Per argument: given as a range of more than one cell.
    sizes : tuple of tuple of int
        Per argument: its rows and columns.
    """

    shape: tuple[int, int]
    nest: Literal[0, 1, 2]
    columns: tuple[list[Any], ...]
    outside: list[str | None] | None
    ranged: tuple[bool, ...]
    sizes: tuple[tuple[int, int], ...]

    def result(self, values: list[Any]) -> Any:
        """Return one value per cell (row by row) in the shape of the result."""
        if self.nest == 0:
            return values[0]
        if self.nest == 1:
            return values
        rows, cols = self.shape
        if cols == 1:
            return [[v] for v in values]
        return [values[r * cols : (r + 1) * cols] for r in range(rows)]


def _grid(value: Any, name: str) -> tuple[Sequence[Sequence[Any]], int]:
    """Return ``value`` as rows of cells and its nesting (0 one cell, 1 flat list, 2 rows)."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if not isinstance(value, list | tuple):
        return [[value]], 0
    if not value:
        return [[None]], 0
    kinds = set(map(type, value))
    if kinds <= {list, tuple} or all(isinstance(row, list | tuple) for row in value):
        widths = set(map(len, value))
        if len(widths) != 1 or 0 in widths:
            raise InvalidParameterError(
                name=name, value=value, allowed="a rectangular range (rows of equal length)"
            )
        return value, 2
    if any(isinstance(item, list | tuple | np.ndarray) for item in value):
        raise InvalidParameterError(
            name=name, value=value, allowed="a single cell, a row, a column or a 2D range"
        )
    return [value], 1


def broadcast(values: Sequence[Any], names: Sequence[str]) -> Broadcast:
    """Lay arguments given as single cells or ranges on the cells of one result.

    Excel's pairwise rule for a function that takes one value and is given ranges
    (``=A1:A3+B1:B3``): the result has the most rows and the most columns of any argument;
    an argument of one row (one column) repeats down the rows (across the columns); an
    argument shorter than the result where it is longer than one has no value in the
    cells outside it, which Excel shows as ``#N/A`` (``={1;2;3}+{10;20}`` is
    ``{11;22;#N/A}``; ``={1;2}+{10,20}`` is a 2x2 ``{11,21;12,22}``).

    Parameters
    ----------
    values : sequence
        Each argument as the formula received it: one value, a flat list (a row), or a
        list of rows (what xlwings hands over with ``ndim=2``; one cell is ``[[x]]``).
    names : sequence of str
        The arguments' names, for messages.

    Returns
    -------
    Broadcast

    Raises
    ------
    InvalidParameterError
        For a ragged list of rows.
    """
    grids = [_grid(v, n) for v, n in zip(values, names, strict=True)]
    sizes = tuple((len(g), len(g[0])) for g, _ in grids)
    rows = max(r for r, _ in sizes)
    cols = max(c for _, c in sizes)
    ranged = tuple(r * c > 1 for r, c in sizes)
    nest: Literal[0, 1, 2]
    if rows * cols == 1:
        nest = 0
    else:
        nest = 2 if any(n == 2 for _, n in grids) else 1
    n_cells = rows * cols
    columns: list[list[Any]] = []
    outside: list[str | None] | None = None
    for (grid, _), (r, c), name in zip(grids, sizes, names, strict=True):
        if r * c == 1:
            columns.append([grid[0][0]] * n_cells)
        elif (r, c) == (rows, cols):
            columns.append([x for row in grid for x in row] if c > 1 else [row[0] for row in grid])
        else:
            column: list[Any] = []
            for i in range(rows):
                for j in range(cols):
                    if (r > 1 and i >= r) or (c > 1 and j >= c):
                        if outside is None:
                            outside = [None] * n_cells
                        k = i * cols + j
                        outside[k] = outside[k] or name
                        column.append(None)
                    else:
                        column.append(grid[i if r > 1 else 0][j if c > 1 else 0])
            columns.append(column)
    return Broadcast((rows, cols), nest, tuple(columns), outside, ranged, sizes)
