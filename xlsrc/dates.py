"""Dates are dates: cell values, text and timestamps turned into exchange-session dates.

Every input path (CSV files, Yahoo, holdings files, command-line and formula arguments)
turns what it reads into the *date of a New York session* the same way, here. Pure: no
clock, no files, no calendar of its own; where the exchange's sessions decide something
the caller passes an ``is_session`` predicate (:meth:`xlsrc.data.calendar.Calendar.is_session`).

Timestamps
----------
A daily bar is labelled with its session date, and vendors write that label as midnight
in whatever zone they use: yfinance ``2026-01-02 00:00:00-05:00`` (New York midnight),
many APIs ``2026-01-02T00:00:00Z`` (UTC midnight). So:

* a date without a time, or a time without an offset, is the date written (exchange-local);
* a time of exactly midnight *with* an offset or ``Z`` is a label: the date written
  (``2026-01-02T00:00:00Z`` is 2 January, not 19:00 on 1 January in New York);
* any other time with an offset is an instant: it is converted to America/New_York and
  the date there is taken (``2026-01-02T21:00:00Z`` is 16:00 in New York, the close of
  2 January; ``2026-01-02T05:00:00Z`` is New York midnight, 2 January;
  ``2026-01-03T02:00:00Z`` is 21:00 on 2 January in New York).

An offset is never kept as part of the date and a time of day never makes a second date.

Day and month order
-------------------
ISO dates (``2026-01-02``, with or without time and offset), year-first dates
(``2026/01/02``), 8-digit dates (``20260102``) and dates with an English month name
(``Jan 22, 2026``, ``22-Jan-2026``, ``22 January 2026``) are unambiguous. Numeric dates
with the year last (``02/01/2026``, ``02.01.2026``, ``02-01-2026``) are day-first or
month-first, and one order holds for a whole column:

1. a first number above 12 anywhere (``13/01/2026``) makes the column day-first, a second
   number above 12 (``01/13/2026``) month-first; both in one column is refused;
2. otherwise, if the caller gave an ``is_session`` predicate, an order is taken when it
   reads the dates as one run of consecutive exchange sessions while the other order
   reads a date that cannot be a bar (not a session, after ``last_session``, or no such
   day): ``02/01/2026`` .. ``12/01/2026`` read day-first are the 7 sessions of 2-12
   January 2026; read month-first they include a Sunday, a Saturday and dates to come.
   When the other order also reads only sessions (``01/05/2026``, ``01/06/2026``: 1 May
   and 1 June, or 5 and 6 January) the column is refused: the dates might be a sparse
   or monthly series. What the rule cannot tell: month-start dates that include a
   weekend (``01/05/2026`` .. ``01/09/2026``, 1 May .. 1 September) read month-first as
   the sessions 5-9 January; a daily-bar import gets such a file only by mistake;
3. otherwise the column is refused with a message naming the option that gives the order
   (``--date-format``).

A single date (``--as-of``, a date typed as text in a formula cell) follows rule 1 only:
``22/01/2026`` is 22 January, ``05/05/2026`` is 5 May either way, and ``03/02/2026`` is
refused with both ISO readings named. One date is no evidence of a run of sessions, and
an as-of date may rightly be a weekend, so rule 2 does not apply to it. Two-digit years
are refused (give a format).

Library
-------
python-dateutil (already installed with pandas) parses ISO 8601 with offsets and ``Z``
(:func:`dateutil.parser.isoparse`, strict) and English month and weekday names in any
order and abbreviation (:func:`dateutil.parser.parse`). Its general parser is *not*
trusted with the day/month order: it guesses (``dayfirst`` is a hint that it silently
overrides when a number is above 12) and fills missing parts from a default, so the order
is settled here, the text is rewritten in ISO form before it is parsed, and every result
is checked against the numbers written. The conversion to New York time uses the tz
database through pandas.

Size: one module on purpose (about 640 lines, a sixth of them this specification): the
rules for one value, a format option and a whole column decide together which order a
date is read in, and splitting them would put one rule in two places.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Final

import numpy as np
import pandas as pd
from dateutil import parser as _du

from .errors import InvalidParameterError

__all__ = [
    "DAY_FIRST",
    "EXCHANGE_TIMEZONE",
    "MONTH_FIRST",
    "YEAR_FIRST",
    "DateFormat",
    "ParsedDates",
    "parse_date",
    "parse_date_format",
    "parse_dates",
    "session_date",
]

#: The exchange's time zone (XNYS): an instant is converted here before its date is taken.
EXCHANGE_TIMEZONE: Final = "America/New_York"
#: Orders of a numeric date.
DAY_FIRST: Final = "dmy"
MONTH_FIRST: Final = "mdy"
YEAR_FIRST: Final = "ymd"

_ORDER_WORDS: Final[dict[str, str]] = {
    "dmy": DAY_FIRST,
    "day-first": DAY_FIRST,
    "dayfirst": DAY_FIRST,
    "mdy": MONTH_FIRST,
    "month-first": MONTH_FIRST,
    "monthfirst": MONTH_FIRST,
    "ymd": YEAR_FIRST,
    "iso": YEAR_FIRST,
}
_ORDER_NAMES: Final = {DAY_FIRST: "day first", MONTH_FIRST: "month first", YEAR_FIRST: "year first"}
_MONTHS: Final = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

_ISO = re.compile(r"\d{4}-\d{2}-\d{2}(?:$|[T\s].*)", re.DOTALL)
_COMPACT = re.compile(r"\d{8}(?:$|T.*)", re.DOTALL)
_YEAR_FIRST = re.compile(
    r"(?P<y>\d{4})(?P<sep>[/.\-])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?P<rest>(?:[T\s].*)?)",
    re.DOTALL,
)
_NUMERIC = re.compile(
    r"(?P<a>\d{1,2})(?P<sep>[/.\-])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4})(?P<rest>(?:[T\s].*)?)",
    re.DOTALL,
)
_SHORT_YEAR = re.compile(r"\d{1,2}([/.\-])\d{1,2}\1\d{2}(?:$|[T\s].*)", re.DOTALL)
_TIME_START = re.compile(r"\d{1,2}:\d{2}")
_WORD = re.compile(r"[A-Za-z]+")
_NUMBER = re.compile(r"\d+")
_INFO: Final = _du.parserinfo()


class _NotADateError(ValueError):
    """A text that is not a date (the message says why)."""


#: A session date and whether it came from an instant converted to New York time.
_Day = tuple[pd.Timestamp, bool]


# --------------------------------------------------------------------------- one value
def _day_of(stamp: _dt.datetime | _dt.date | pd.Timestamp | np.datetime64) -> _Day:
    """Apply the label/instant rule to a datetime-like value; return (naive midnight, converted)."""
    ts = pd.Timestamp(stamp)
    if ts is pd.NaT:
        raise _NotADateError("the date is empty")
    if ts.tzinfo is None:
        return ts.normalize(), False
    if ts.hour == ts.minute == ts.second == ts.microsecond == ts.nanosecond == 0:
        return ts.tz_localize(None), False  # midnight in its own zone: a date label
    return ts.tz_convert(EXCHANGE_TIMEZONE).tz_localize(None).normalize(), True


def session_date(value: object) -> pd.Timestamp:
    """Return the exchange-session date a timestamp, date or unambiguous text stands for.

    Parameters
    ----------
    value : datetime, date, pandas.Timestamp, numpy.datetime64 or str
        A naive value is its own date; a tz-aware one follows the label/instant rule of
        the module docstring (``2026-01-02 00:00-05:00`` -> 2026-01-02,
        ``2026-01-02 21:00Z`` -> 2026-01-02, ``2026-01-03 02:00Z`` -> 2026-01-02). Text
        goes through :func:`parse_date`.

    Returns
    -------
    pandas.Timestamp
        Naive midnight.

    Raises
    ------
    InvalidParameterError
        For text that is not a date or is ambiguous, and for anything else.
    """
    if isinstance(value, str):
        return parse_date(value)
    if isinstance(value, pd.Timestamp | _dt.datetime | _dt.date | np.datetime64):
        try:
            return _day_of(value)[0]
        except _NotADateError as exc:
            raise InvalidParameterError(name="date", value=value, allowed=str(exc)) from None
    raise InvalidParameterError(name="date", value=value, allowed="a date or a timestamp")


def _spoken(day: pd.Timestamp) -> str:
    """``3 February 2026`` without locale or platform-specific strftime flags."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _with_rest(y: int, m: int, d: int, rest: str) -> _Day:
    """Return the session date of y-m-d plus an optional time/offset ``rest``."""
    try:
        base = _dt.date(y, m, d)
    except ValueError as exc:
        raise _NotADateError(f"no such day ({exc})") from None
    rest = rest.strip()
    if not rest:
        return pd.Timestamp(base), False
    try:
        stamp = _du.parse(f"{base.isoformat()} {rest.removeprefix('T')}")
    except (ValueError, OverflowError) as exc:
        raise _NotADateError(f"{rest!r} is not a time") from exc
    if stamp.date() != base:
        raise _NotADateError(f"{rest!r} is not a time")
    return _day_of(stamp)


def _named(text: str) -> _Day:
    """Read a date with an English month name; every part must be written (no defaults)."""
    cut = _TIME_START.search(text)
    date_part = text[: cut.start()] if cut else text
    words = _WORD.findall(date_part)
    months = [w for w in words if _INFO.month(w) is not None]
    weekdays = [w for w in words if _INFO.weekday(w) is not None]
    numbers = _NUMBER.findall(date_part)
    years = [n for n in numbers if len(n) == 4]
    days = [n for n in numbers if len(n) <= 2]
    if (
        len(months) != 1
        or len(weekdays) > 1
        or len(words) != len(months) + len(weekdays)
        or len(years) != 1
        or len(days) != 1
        or len(numbers) != 2
    ):
        raise _NotADateError("not a date")
    try:
        stamp = _du.parse(text)
    except (ValueError, OverflowError) as exc:
        raise _NotADateError("not a date") from exc
    if (stamp.year, stamp.month, stamp.day) != (
        int(years[0]),
        _INFO.month(months[0]),
        int(days[0]),
    ):
        raise _NotADateError("not a date")
    if weekdays and _INFO.weekday(weekdays[0]) != stamp.weekday():
        raise _NotADateError(f"{_spoken(pd.Timestamp(stamp.date()))} is not a {weekdays[0]}")
    return _day_of(stamp)


@dataclass(frozen=True)
class _Numeric:
    """A numeric date with the year last: ``a sep b sep year rest``."""

    a: int
    b: int
    year: int
    sep: str
    rest: str

    def read(self, order: str) -> _Day:
        day, month = (self.a, self.b) if order == DAY_FIRST else (self.b, self.a)
        if month > 12:
            raise _NotADateError(f"no month {month} (read {_ORDER_NAMES[order]})")
        return _with_rest(self.year, month, day, self.rest)


def _classify(text: str) -> _Day | _Numeric:
    """Parse an unambiguous date, or return the parts of a day/month-ambiguous one."""
    if _ISO.fullmatch(text) or _COMPACT.fullmatch(text):
        try:
            return _day_of(_du.isoparse(text))
        except (ValueError, OverflowError) as exc:
            raise _NotADateError("not a date") from exc
    match = _YEAR_FIRST.fullmatch(text)
    if match:
        return _with_rest(int(match["y"]), int(match["m"]), int(match["d"]), match["rest"])
    match = _NUMERIC.fullmatch(text)
    if match:
        return _Numeric(
            int(match["a"]), int(match["b"]), int(match["y"]), match["sep"], match["rest"]
        )
    if _SHORT_YEAR.fullmatch(text):
        raise _NotADateError("a two-digit year")
    if _WORD.search(text):
        return _named(text)
    raise _NotADateError("not a date")


# --------------------------------------------------------------------------- formats
@dataclass(frozen=True)
class DateFormat:
    """A date format given by the user: an order word or a ``strptime`` pattern.

    Attributes
    ----------
    order : str or None
        :data:`DAY_FIRST`, :data:`MONTH_FIRST` or :data:`YEAR_FIRST` for numeric dates
        (other shapes are still read as usual).
    pattern : str or None
        A ``strptime`` pattern every value must match (``%z`` reads an offset).
    text : str
        What the user wrote.
    """

    order: str | None
    pattern: str | None
    text: str


#: Picture tokens (``DD/MM/YYYY``) -> strptime codes, longest first.
_PICTURE: Final = (("YYYY", "%Y"), ("YY", "%y"), ("MMM", "%b"), ("MM", "%m"), ("DD", "%d"))
_FORMAT_ALLOWED: Final = (
    "dmy, mdy, ymd, a picture such as DD/MM/YYYY, or a strptime pattern such as %d.%m.%Y"
)


def parse_date_format(text: str | DateFormat | None) -> DateFormat | None:
    """Read a date-format option (``--date-format``).

    Parameters
    ----------
    text : str, DateFormat or None
        ``dmy`` / ``day-first``, ``mdy`` / ``month-first``, ``ymd`` / ``iso``; a
        ``strptime`` pattern (``%d.%m.%Y``, ``%Y-%m-%d %H:%M:%S%z``); or a picture such as
        ``DD/MM/YYYY`` or ``MM-DD-YY`` (tokens ``YYYY``, ``YY``, ``MMM``, ``MM``, ``DD``).

    Returns
    -------
    DateFormat or None
        None for None or blank text.

    Raises
    ------
    InvalidParameterError
        For anything else (a pattern must have a day and a year).
    """
    if text is None or isinstance(text, DateFormat):
        return text
    raw = text.strip()
    if not raw:
        return None
    word = raw.lower().replace("_", "-")
    if word in _ORDER_WORDS:
        return DateFormat(order=_ORDER_WORDS[word], pattern=None, text=raw)
    pattern = raw
    if "%" not in raw:
        pattern = raw.upper()
        for token, code in _PICTURE:
            pattern = pattern.replace(token, code)
        if re.search(r"[A-Z]", re.sub(r"%[a-zA-Z]", "", pattern)):
            raise InvalidParameterError(name="date format", value=text, allowed=_FORMAT_ALLOWED)
    if not re.search(r"%d", pattern) or not re.search(r"%[Yy]", pattern):
        raise InvalidParameterError(name="date format", value=text, allowed=_FORMAT_ALLOWED)
    try:
        _dt.datetime.strptime(_dt.datetime(2026, 1, 2, tzinfo=_dt.UTC).strftime(pattern), pattern)
    except ValueError as exc:
        raise InvalidParameterError(
            name="date format", value=text, allowed=f"a pattern strptime reads ({exc})"
        ) from None
    return DateFormat(order=None, pattern=pattern, text=raw)


def _strptime(text: str, pattern: str) -> _Day:
    try:
        return _day_of(_dt.datetime.strptime(text, pattern))
    except ValueError:
        raise _NotADateError(f"not a date in format {pattern}") from None


# --------------------------------------------------------------------------- one date
_ONE_ALLOWED: Final = "a date such as 2026-01-22, 22 Jan 2026 or 22/01/2026"


def parse_date(
    value: str, *, name: str = "date", date_format: str | DateFormat | None = None
) -> pd.Timestamp:
    """Parse one date typed by a person (``--as-of``, text in a formula cell).

    Parameters
    ----------
    value : str
        The text: any shape of the module docstring, with or without time and offset.
    name : str
        The argument's name, for messages.
    date_format : str or DateFormat, optional
        As :func:`parse_date_format`; settles the order of a numeric date.

    Returns
    -------
    pandas.Timestamp
        The session date (naive midnight); whether it *is* a session is not checked.

    Raises
    ------
    InvalidParameterError
        If the text is not a date, or is a numeric date whose day and month could be
        swapped (both 12 or less and different): the message names both ISO forms
        (``Invalid as_of: '03/02/2026' is ambiguous: 3 February 2026 (day first) or
        2 March 2026 (month first); write 2026-02-03 or 2026-03-02``).
    """
    if not isinstance(value, str) or not value.strip():
        raise InvalidParameterError(name=name, value=value, allowed=_ONE_ALLOWED)
    text = value.strip()
    fmt = parse_date_format(date_format)
    try:
        if fmt is not None and fmt.pattern is not None:
            return _strptime(text, fmt.pattern)[0]
        got = _classify(text)
        if not isinstance(got, _Numeric):
            return got[0]
        if fmt is not None and fmt.order in (DAY_FIRST, MONTH_FIRST):
            return got.read(fmt.order)[0]
        if got.a > 12:
            return got.read(DAY_FIRST)[0]
        if got.b > 12 or got.a == got.b:
            return got.read(MONTH_FIRST)[0]
        first, second = got.read(DAY_FIRST)[0], got.read(MONTH_FIRST)[0]
    except _NotADateError as exc:
        reason = "" if str(exc) == "not a date" else f"{exc}; "
        raise InvalidParameterError(
            f"Invalid {name}: {value!r} is not a date ({reason}expected {_ONE_ALLOWED})",
            name=name,
            value=value,
        ) from None
    raise InvalidParameterError(
        f"Invalid {name}: {value!r} is ambiguous: {_spoken(first)} (day first) or "
        f"{_spoken(second)} (month first); write {first:%Y-%m-%d} or {second:%Y-%m-%d}",
        name=name,
        value=value,
    )


# --------------------------------------------------------------------------- a column
@dataclass
class ParsedDates:
    """A column of dates read as session dates.

    Attributes
    ----------
    dates : pandas.DatetimeIndex
        One naive-midnight date per value, ``NaT`` where a value is not a date.
    problems : dict of int to str
        Position -> why that value is not a date.
    order : str or None
        :data:`DAY_FIRST` or :data:`MONTH_FIRST` if numeric dates with the year last were
        read, else None.
    how : str
        How the order was settled (empty when there was nothing to settle).
    converted : int
        How many values were instants converted to New York time.
    """

    dates: pd.DatetimeIndex
    problems: dict[int, str] = field(default_factory=dict)
    order: str | None = None
    how: str = ""
    converted: int = 0


def parse_dates(
    values: Sequence[object],
    *,
    date_format: str | DateFormat | None = None,
    is_session: Callable[[pd.DatetimeIndex], np.ndarray] | None = None,
    last_session: pd.Timestamp | None = None,
    option: str = "--date-format",
) -> ParsedDates:
    """Read a column of dates (a file's date column) as session dates, one order for all.

    Parameters
    ----------
    values : sequence of object
        Text (any shape of the module docstring) or datetime-like values.
    date_format : str or DateFormat, optional
        As :func:`parse_date_format`: an order for numeric dates, or a ``strptime``
        pattern every text must match.
    is_session : callable, optional
        ``is_session(DatetimeIndex) -> bool array`` (the exchange calendar). Without it
        only a number above 12 settles the day/month order.
    last_session : pandas.Timestamp, optional
        The last closed session: a reading with a date after it is not a run of sessions.
    option : str
        The option named in the message of an unsettled order.

    Returns
    -------
    ParsedDates
        The dates (``NaT`` and a problem for each value that is not a date).

    Raises
    ------
    InvalidParameterError
        If the day/month order of numeric dates cannot be settled, or the column has
        both a day-first and a month-first date. ``error.fields["position"]`` is the
        position of the value the message quotes.
    """
    fmt = parse_date_format(date_format)
    out: list[pd.Timestamp | None] = [None] * len(values)
    problems: dict[int, str] = {}
    numeric: dict[int, _Numeric] = {}
    converted = 0
    cache: dict[str, _Day | _Numeric | _NotADateError] = {}
    for i, value in enumerate(values):
        got: _Day | _Numeric | _NotADateError
        if isinstance(value, pd.Timestamp | _dt.datetime | _dt.date | np.datetime64):
            try:
                got = _day_of(value)
            except _NotADateError as exc:
                got = exc
        else:
            text = "" if value is None else str(value).strip()
            if not text:
                problems[i] = "the date is empty"
                continue
            cached = cache.get(text)
            if cached is None:
                try:
                    cached = (
                        _strptime(text, fmt.pattern)
                        if fmt is not None and fmt.pattern is not None
                        else _classify(text)
                    )
                except _NotADateError as exc:
                    cached = exc
                cache[text] = cached
            got = cached
        if isinstance(got, _NotADateError):
            problems[i] = str(got)
        elif isinstance(got, _Numeric):
            numeric[i] = got
        else:
            out[i] = got[0]
            converted += got[1]

    order: str | None = None
    how = ""
    if numeric:
        order, how = _settle_order(numeric, values, fmt, is_session, last_session, option)
        read: dict[_Numeric, _Day | _NotADateError] = {}
        for i, parts in numeric.items():
            if parts not in read:
                try:
                    read[parts] = parts.read(order)
                except _NotADateError as exc:
                    read[parts] = exc
            result = read[parts]
            if isinstance(result, _NotADateError):
                problems[i] = str(result)
            else:
                out[i] = result[0]
                converted += result[1]
    dates = pd.DatetimeIndex([pd.NaT if d is None else d for d in out], dtype="datetime64[ns]")
    return ParsedDates(dates=dates, problems=problems, order=order, how=how, converted=converted)


def _reading(
    numeric: dict[int, _Numeric],
    order: str,
    is_session: Callable[[pd.DatetimeIndex], np.ndarray],
    last_session: pd.Timestamp | None,
) -> tuple[bool, bool]:
    """Return (one run of consecutive sessions, a date that cannot be a bar) for an order.

    A date cannot be a bar if it does not exist (31 February), is not a session, or is
    after ``last_session``.
    """
    try:
        unique = pd.DatetimeIndex(sorted({p.read(order)[0] for p in numeric.values()}))
    except _NotADateError:
        return False, True
    if not bool(np.all(is_session(unique))) or (
        last_session is not None and unique[-1] > last_session
    ):
        return False, True
    span = pd.date_range(unique[0], unique[-1], freq="D")
    return int(np.count_nonzero(is_session(span))) == len(unique), False


def _format_hint(sep: str, option: str) -> str:
    return f"give {option} %d{sep}%m{sep}%Y (day first) or %m{sep}%d{sep}%Y (month first)"


def _settle_order(
    numeric: dict[int, _Numeric],
    values: Sequence[object],
    fmt: DateFormat | None,
    is_session: Callable[[pd.DatetimeIndex], np.ndarray] | None,
    last_session: pd.Timestamp | None,
    option: str,
) -> tuple[str, str]:
    """Return (order, how) for the numeric dates of a column, or raise."""

    def text(i: int) -> str:
        return str(values[i]).strip()

    if fmt is not None and fmt.order in (DAY_FIRST, MONTH_FIRST):
        return fmt.order, f"{_ORDER_NAMES[fmt.order]}, as given"
    day_first = next((i for i, p in numeric.items() if p.a > 12), None)
    month_first = next((i for i, p in numeric.items() if p.b > 12), None)
    if day_first is not None and month_first is not None:
        first, later = sorted((day_first, month_first))
        raise InvalidParameterError(
            f"date {text(later)!r} and {text(first)!r} cannot both be read one way (a day "
            f"above 12 first in one, second in the other); {_format_hint(numeric[later].sep, option)}",
            name="date",
            value=values[later],
            position=later,
        )
    if day_first is not None:
        return DAY_FIRST, f"day first ({text(day_first)} has a day above 12)"
    if month_first is not None:
        return MONTH_FIRST, f"month first ({text(month_first)} has a day above 12)"
    swapped = next((i for i, p in numeric.items() if p.a != p.b), None)
    if swapped is None:
        return DAY_FIRST, ""  # day == month in every date: both orders read the same
    runs = {DAY_FIRST: (False, False), MONTH_FIRST: (False, False)}
    if is_session is not None:
        runs = {o: _reading(numeric, o, is_session, last_session) for o in runs}
        for order, other in ((DAY_FIRST, MONTH_FIRST), (MONTH_FIRST, DAY_FIRST)):
            if runs[order][0] and runs[other][1]:
                return order, (
                    f"{_ORDER_NAMES[order]}: only that order reads the dates as consecutive "
                    "sessions"
                )
    parts = numeric[swapped]
    first_day, second_day = parts.read(DAY_FIRST)[0], parts.read(MONTH_FIRST)[0]
    if is_session is None:
        why = "no day is above 12"
    elif runs[DAY_FIRST][0] and runs[MONTH_FIRST][0]:
        why = "no day is above 12 and both orders read the dates as consecutive sessions"
    elif not (runs[DAY_FIRST][1] or runs[MONTH_FIRST][1]):
        why = "no day is above 12 and both orders read the dates as sessions"
    else:
        why = "no day is above 12 and neither order reads the dates as consecutive sessions"
    raise InvalidParameterError(
        f"day/month order unknown: {text(swapped)!r} is {_spoken(first_day)} read day first, "
        f"{_spoken(second_day)} read month first, and {why}; {_format_hint(parts.sep, option)}",
        name="date",
        value=values[swapped],
        position=swapped,
    )
