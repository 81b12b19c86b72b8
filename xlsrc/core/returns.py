"""Returns: trailing over N trading days, year to date, between two dates, rebased.

All returns are decimals (``0.794`` = +79.4 %), computed from the (adjusted) close
matrix at one row, for every ticker at once.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..errors import InsufficientHistoryError, UnknownTickerError
from ..periods import validate_window
from .history import as_timestamp, asof_position, span_positions

__all__ = [
    "NO_SESSION_OF_YEAR",
    "period_return",
    "rebased",
    "trailing_return",
    "trailing_return_at",
    "year_without_data",
    "ytd_base_position",
    "ytd_return",
]

#: What :func:`ytd_base_position` returns when the calendar has no session of the year
#: asked for: the date lies past the data, in a later year (as of 2030-01-01 with data to
#: 2026-08-03), so no year-to-date figure of that year exists, not even 0.0.
NO_SESSION_OF_YEAR = -2


def _values(close: pd.DataFrame) -> np.ndarray:
    return close.to_numpy(dtype=float, copy=False)


def trailing_return_at(arr: np.ndarray, pos: int, days: int) -> np.ndarray:
    """Array kernel of :func:`trailing_return`: ``arr[pos] / arr[pos - days] - 1``.

    Parameters
    ----------
    arr : np.ndarray
        Close matrix (rows = dates).
    pos : int
        The as-of row.
    days : int
        Window in rows (>= 1, not validated here).

    Returns
    -------
    np.ndarray
        One return per column, NaN where either close is missing or ``pos - days < 0``.
    """
    if pos - days < 0:
        return np.full(arr.shape[1], np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        return arr[pos] / arr[pos - days] - 1.0


def trailing_return(close: pd.DataFrame, days: object, as_of: object) -> pd.Series:
    """Return over ``days`` trading days ending at the as-of row, for every ticker.

    ``r = close[p] / close[p - days] - 1`` where ``p`` is the as-of row and ``p - days``
    the row ``days`` trading days (rows of the calendar) earlier.

    Parameters
    ----------
    close : pd.DataFrame
        Close matrix (dates x tickers).
    days : int
        Window in trading days, a whole number >= 1 (``5`` = 1W, ``21`` = 1M, ...).
    as_of : date-like
        The as-of date.

    Returns
    -------
    pd.Series
        Return per ticker; NaN where the ticker has no bar at either row (fewer than
        ``days + 1`` bars).

    Raises
    ------
    InvalidParameterError
        If ``days`` is not a whole number >= 1.
    NoDataError
        If ``as_of`` is before the first calendar date.
    """
    days = validate_window(days, "days")
    pos = asof_position(close.index, as_of)
    out = trailing_return_at(_values(close), pos, days)
    return pd.Series(out, index=close.columns, name=f"return_{days}d")


def ytd_base_position(index: pd.DatetimeIndex, pos: int, year: int | None = None) -> int:
    """Row of the base close of a year-to-date return at row ``pos``.

    The base is the last calendar row before 1 January of ``year``. When ``year`` is
    after the year of ``index[pos]`` (the date asked for lies before the first session of
    its year), two cases:

    - the calendar has sessions of ``year`` after ``pos`` (as of 2026-01-01, a holiday:
      2026's first session is 2026-01-02): the year has not traded yet, so the base is
      ``pos`` itself and the return is 0.0;
    - it has none (the date is past the data, as 2030-01-01 is with data to 2026-08-03):
      :data:`NO_SESSION_OF_YEAR`, no figure for that year exists (a 0.0 would be a number
      nobody can have; :func:`year_without_data` says why).

    Parameters
    ----------
    index : pd.DatetimeIndex
        The trading calendar.
    pos : int
        The as-of row.
    year : int, optional
        The calendar year of the date asked for (default: the year of ``index[pos]``).

    Returns
    -------
    int
        The base row; -1 when the calendar starts in ``year`` (no close of the year
        before); :data:`NO_SESSION_OF_YEAR` (-2) when the calendar has no session of
        ``year``.
    """
    row_year = index[pos].year
    if year is None:
        year = row_year
    if year > row_year:
        if pos + 1 < len(index) and index[pos + 1].year == year:
            return pos
        return NO_SESSION_OF_YEAR
    year_start = pd.Timestamp(year=year, month=1, day=1)
    return int(index.searchsorted(year_start, side="left")) - 1


def year_without_data(index: pd.DatetimeIndex, pos: int, year: int) -> str | None:
    """Say why no year-to-date figure of ``year`` exists at row ``pos``, or None if one does.

    A date past the calendar's last session in a later year (2030-01-01 with data to
    2026-08-03) has no session of its year: ``"No data for 2030: the data end
    2026-08-03"``. A year the calendar has sessions of (including 1 January before the
    year's first session, whose YTD is 0.0) returns None.

    Parameters
    ----------
    index : pd.DatetimeIndex
        The trading calendar.
    pos : int
        The as-of row (the last session on or before the date asked for).
    year : int
        The year of the date asked for.

    Returns
    -------
    str or None
    """
    if ytd_base_position(index, pos, year) != NO_SESSION_OF_YEAR:
        return None
    if pos == len(index) - 1:
        return f"No data for {year}: the data end {index[-1]:%Y-%m-%d}"
    return (
        f"No data for {year}: the data have no session between "
        f"{index[pos]:%Y-%m-%d} and {index[pos + 1]:%Y-%m-%d}"
    )


def ytd_return(close: pd.DataFrame, as_of: object) -> pd.Series:
    """Year-to-date return as of a date, for every ticker.

    ``r = close[p] / close[b] - 1`` where ``p`` is the as-of row and ``b`` the last
    calendar row before 1 January of the year *of the date asked for*, i.e. the last
    close of the previous year (carried forward if the ticker did not trade that day).

    A year-to-date figure belongs to the calendar year of ``as_of``: as of a date before
    that year's first session (1 January, a weekend or holiday that follows it, or a date
    of a year in which the calendar has no session yet) the return is 0.0, the year not
    having traded, and not the whole previous year (as of 2026-01-01 SPY's YTD is 0.0,
    not 2025's +17.7 %).

    Parameters
    ----------
    close : pd.DataFrame
        Close matrix (dates x tickers).
    as_of : date-like
        The as-of date.

    Returns
    -------
    pd.Series
        YTD return per ticker; NaN where the ticker has no bar in (or before) the previous
        year, when the calendar starts in the as-of year, or when it has no session of
        that year.

    Raises
    ------
    NoDataError
        If ``as_of`` is before the first calendar date.
    """
    ts = as_timestamp(as_of)
    pos = asof_position(close.index, ts)
    base = ytd_base_position(close.index, pos, ts.year)
    arr = _values(close)
    if base < 0:
        out = np.full(arr.shape[1], np.nan)
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            out = arr[pos] / arr[base] - 1.0
    return pd.Series(out, index=close.columns, name="return_ytd")


def period_return(close: pd.DataFrame, start: object, end: object) -> pd.Series:
    """Return from the close as of ``start`` to the close as of ``end``, for every ticker.

    ``r = close[e] / close[s] - 1`` with ``s`` and ``e`` the as-of rows of ``start`` and
    ``end`` (last trading day on or before each).

    Parameters
    ----------
    close : pd.DataFrame
        Close matrix (dates x tickers).
    start, end : date-like
        Start and end dates, ``start <= end``.

    Returns
    -------
    pd.Series
        Return per ticker, NaN where a ticker has no bar as of ``start``.

    Raises
    ------
    InvalidParameterError
        If ``start`` is after ``end``.
    NoDataError
        If ``start`` is before the first calendar date.
    """
    s, e = span_positions(close.index, start, end)
    arr = _values(close)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = arr[e] / arr[s] - 1.0
    return pd.Series(out, index=close.columns, name="return")


def rebased(
    close: pd.DataFrame, tickers: Iterable[str], start: object, end: object
) -> pd.DataFrame:
    """Rebase the closes of ``tickers`` from ``start`` to ``end`` to 100 at the first row.

    ``value[t] = 100 * close[t] / close[s]`` for the calendar rows ``s..e`` (as-of rows of
    ``start`` and ``end``).

    Parameters
    ----------
    close : pd.DataFrame
        Close matrix (dates x tickers).
    tickers : iterable of str
        Columns to return, in this order.
    start, end : date-like
        First and last dates.

    Returns
    -------
    pd.DataFrame
        Rows = dates ``s..e``, columns = ``tickers``; a column is NaN throughout when its
        ticker has no bar as of ``start``.

    Raises
    ------
    UnknownTickerError
        If a ticker is not a column of ``close``.
    InvalidParameterError
        If ``start`` is after ``end``.
    NoDataError
        If ``start`` is before the first calendar date.
    InsufficientHistoryError
        If no ticker has a bar as of ``start``.
    """
    tickers = list(tickers)
    for t in tickers:
        if t not in close.columns:
            raise UnknownTickerError(ticker=t)
    s, e = span_positions(close.index, start, end)
    block = close[tickers].iloc[s : e + 1]
    first = block.iloc[0].to_numpy(dtype=float)
    if tickers and np.isnan(first).all():
        raise InsufficientHistoryError(
            ticker=", ".join(tickers), needed=1, available=0, date=f"{close.index[s]:%Y-%m-%d}"
        )
    return block * (100.0 / first)
