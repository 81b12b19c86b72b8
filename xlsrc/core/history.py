"""Locating the as-of row and counting history in a price matrix.

Every core function works at one row of the calendar, the *as-of row*: the last date of
the matrix index on or before the requested ``as_of``. The helpers here find that row,
count the bars a ticker has up to it, and raise the errors adapters show for a single
ticker.

Real bars
    The close matrix is forward-filled after each ticker's first bar, so a row holds a
    price whether or not the ticker traded that session. The *real-bar mask* (``has_bar``:
    dates x tickers, True where the ticker really has a bar) says which rows are trades.
    History minimums count real bars (:func:`bar_counts`), and a ticker without a real bar
    in the last ``STALE_SESSIONS`` sessions is *stale*: its carried price is not a current
    value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import (
    InsufficientHistoryError,
    InvalidParameterError,
    NoDataError,
    UnknownTickerError,
)
from ..periods import STALE_SESSIONS

__all__ = [
    "BarCounts",
    "as_timestamp",
    "asof_position",
    "bar_counts",
    "bars_available",
    "first_bar_rows",
    "last_bar_rows",
    "require_history",
    "span_positions",
]


def as_timestamp(as_of: object) -> pd.Timestamp:
    """Return ``as_of`` as a tz-naive midnight ``pd.Timestamp``.

    Parameters
    ----------
    as_of : pd.Timestamp, datetime.date, numpy.datetime64 or str
        The requested date (``"2026-01-22"`` is accepted). A number is refused: pandas
        would read it as nanoseconds after 1970 (adapters read Excel's serial numbers
        themselves).

    Returns
    -------
    pd.Timestamp
        The date at midnight, without time zone.

    Raises
    ------
    InvalidParameterError
        If ``as_of`` is missing, a number, or cannot be read as a date.
    """
    if as_of is None or isinstance(as_of, bool):
        raise InvalidParameterError(name="as_of", value=as_of, allowed="a date")
    if isinstance(as_of, int | float | np.number):
        # pandas would read 46044 as nanoseconds after 1970: a number is not a date here
        raise InvalidParameterError(
            f"Invalid as_of: {as_of!r} is a number, not a date", name="as_of", value=as_of
        )
    try:
        ts = pd.Timestamp(as_of)
    except (TypeError, ValueError) as exc:
        raise InvalidParameterError(name="as_of", value=as_of, allowed="a date") from exc
    if ts is pd.NaT or pd.isna(ts):
        raise InvalidParameterError(name="as_of", value=as_of, allowed="a date")
    if ts.tzinfo is not None:
        ts = ts.tz_localize(None)
    return ts.normalize()


def _fmt(ts: object) -> str:
    return pd.Timestamp(ts).strftime("%Y-%m-%d")


def asof_position(index: pd.DatetimeIndex, as_of: object) -> int:
    """Return the row of the last date in ``index`` on or before ``as_of``.

    Parameters
    ----------
    index : pd.DatetimeIndex
        The trading calendar (ascending, unique).
    as_of : date-like
        The requested date.

    Returns
    -------
    int
        A position ``p`` with ``index[p] <= as_of < index[p + 1]``.

    Raises
    ------
    NoDataError
        If ``as_of`` is before the first date of ``index`` (or ``index`` is empty).
    """
    ts = as_timestamp(as_of)
    pos = int(index.searchsorted(ts, side="right")) - 1
    if pos < 0:
        start = f" (the data start on {_fmt(index[0])})" if len(index) else ""
        raise NoDataError(f"No price on or before {_fmt(ts)}{start}", ticker=None, date=_fmt(ts))
    return pos


def span_positions(index: pd.DatetimeIndex, start: object, end: object) -> tuple[int, int]:
    """Return the rows of ``start`` and ``end`` (each: the last date on or before it).

    Parameters
    ----------
    index : pd.DatetimeIndex
        The calendar, ascending.
    start, end : date-like
        The first and last date of the span.

    Returns
    -------
    tuple of int
        ``(start_row, end_row)``.

    Raises
    ------
    InvalidParameterError
        If ``start`` is after ``end``.
    NoDataError
        If ``start`` is before the first calendar date.
    """
    start_ts, end_ts = as_timestamp(start), as_timestamp(end)
    if start_ts > end_ts:
        raise InvalidParameterError(
            name="start",
            value=start_ts.strftime("%Y-%m-%d"),
            allowed=f"a date on or before {end_ts:%Y-%m-%d}",
        )
    return asof_position(index, start_ts), asof_position(index, end_ts)


def bars_available(close: pd.DataFrame, as_of: object) -> pd.Series:
    """Count each ticker's bars (non-NaN closes) on or before ``as_of``.

    Parameters
    ----------
    close : pd.DataFrame
        Close matrix (dates x tickers), NaN before a ticker's first bar.
    as_of : date-like
        The as-of date.

    Returns
    -------
    pd.Series
        Integer count per ticker (0 for a ticker with no bar yet).

    Raises
    ------
    NoDataError
        If ``as_of`` is before the first calendar date.
    """
    pos = asof_position(close.index, as_of)
    arr = close.to_numpy(dtype=float, copy=False)[: pos + 1]
    counts = np.count_nonzero(~np.isnan(arr), axis=0)
    return pd.Series(counts, index=close.columns, name="bars", dtype="int64")


def require_history(close: pd.DataFrame, ticker: str, as_of: object, needed: int) -> int:
    """Check that ``ticker`` has at least ``needed`` bars on or before ``as_of``.

    A return over ``n`` trading days needs ``n + 1`` bars; an ``n``-day SMA needs ``n``.

    Parameters
    ----------
    close : pd.DataFrame
        Close matrix (dates x tickers).
    ticker : str
        A column of ``close``.
    as_of : date-like
        The as-of date.
    needed : int
        Bars required (counting the as-of row).

    Returns
    -------
    int
        The number of bars available.

    Raises
    ------
    UnknownTickerError
        If ``ticker`` is not a column of ``close``.
    NoDataError
        If the calendar or the ticker has no bar on or before ``as_of``.
    InsufficientHistoryError
        If the ticker has fewer than ``needed`` bars.
    """
    if ticker not in close.columns:
        raise UnknownTickerError(ticker=ticker)
    ts = as_timestamp(as_of)
    pos = asof_position(close.index, ts)
    col = close[ticker].to_numpy(dtype=float, copy=False)[: pos + 1]
    available = int(np.count_nonzero(~np.isnan(col)))
    if available == 0 or np.isnan(col[-1]):
        raise NoDataError(
            f"No price for {ticker} on or before {_fmt(ts)}", ticker=ticker, date=_fmt(ts)
        )
    if available < needed:
        raise InsufficientHistoryError(
            ticker=ticker, needed=needed, available=available, date=_fmt(close.index[pos])
        )
    return available


@dataclass(frozen=True)
class BarCounts:
    """Each ticker's real bars at one as-of row.

    Attributes
    ----------
    pos : int
        The as-of row.
    bars : np.ndarray
        int64, one per column: real bars on rows ``0..pos``.
    fresh : np.ndarray
        bool, one per column: the ticker has a real bar on one of the rows
        ``pos - stale_sessions .. pos`` (so its last trade is at most ``stale_sessions``
        sessions before the as-of row). False for a ticker with no bar at all.
    """

    pos: int
    bars: np.ndarray
    fresh: np.ndarray

    def take(self, cols: np.ndarray) -> BarCounts:
        """Return the counts of the columns ``cols`` (positions), in that order."""
        return BarCounts(self.pos, self.bars[cols], self.fresh[cols])


def bar_counts(
    has_bar: np.ndarray,
    pos: int,
    cols: np.ndarray | None = None,
    stale_sessions: int = STALE_SESSIONS,
) -> BarCounts:
    """Count real bars up to row ``pos`` and mark who traded in the last sessions.

    Parameters
    ----------
    has_bar : np.ndarray
        bool, dates x tickers: True where the ticker really has a bar.
    pos : int
        The as-of row (0-based).
    cols : np.ndarray of int, optional
        Count these columns only (positions), in this order; default every column.
    stale_sessions : int
        A ticker is fresh when its last real bar is at most this many rows before ``pos``.

    Returns
    -------
    BarCounts
        ``bars`` (real bars on rows ``0..pos``) and ``fresh`` per column.
    """
    block = has_bar[: pos + 1] if cols is None else has_bar[: pos + 1, cols]
    bars = np.count_nonzero(block, axis=0).astype(np.int64)
    fresh = np.asarray(block[max(0, pos - stale_sessions) :].any(axis=0), dtype=bool)
    return BarCounts(pos, bars, fresh)


def last_bar_rows(has_bar: np.ndarray, pos: int) -> np.ndarray:
    """Row of each column's last real bar on or before row ``pos`` (-1 if none).

    Parameters
    ----------
    has_bar : np.ndarray
        bool, dates x tickers (or the columns of interest).
    pos : int
        The as-of row.

    Returns
    -------
    np.ndarray
        int64, one row number per column.
    """
    block = has_bar[: pos + 1]
    back = np.argmax(block[::-1], axis=0)
    return np.where(block.any(axis=0), pos - back, -1).astype(np.int64)


def first_bar_rows(has_bar: np.ndarray, pos: int) -> np.ndarray:
    """Row of each column's first real bar on or before row ``pos`` (-1 if none).

    Parameters
    ----------
    has_bar : np.ndarray
        bool, dates x tickers (or the columns of interest).
    pos : int
        The as-of row.

    Returns
    -------
    np.ndarray
        int64, one row number per column.
    """
    block = has_bar[: pos + 1]
    return np.where(block.any(axis=0), np.argmax(block, axis=0), -1).astype(np.int64)
