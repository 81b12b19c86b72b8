"""Relative strength: IBD-style RS score and rating, and the RS line against a benchmark.

RS score
    ``score = sum(w_i * r_i) / sum(w_i)`` over the windows ``i`` in
    ``RS_WINDOWS = (63, 126, 189, 252)`` trading days with weights
    ``RS_WEIGHTS = (0.4, 0.2, 0.2, 0.2)``, where ``r_i = close[p] / close[p - i] - 1``.
    A window is *used* when the ticker has a close ``i`` rows before the as-of row ``p``
    (at least ``i + 1`` bars); the weights of the used windows are renormalised to sum to
    one. With full history this is ``0.4 r63 + 0.2 r126 + 0.2 r189 + 0.2 r252``; with
    150 bars it is ``(0.4 r63 + 0.2 r126) / 0.6``; without a close 63 rows back (fewer
    than 64 bars) there is no score (NaN).

RS rating (percentile rank, mid-rank ties)
    Let ``U`` be the non-NaN scores of the universe's members (``n = len(U)``). For a
    score ``s`` (of a member or not):
    ``L = #{u in U : u < s}``, ``E = #{u in U : u == s}``,
    ``pct = 100 * (L + E / 2) / n``,
    ``rating = min(max(floor(pct + 0.5), 1), 99)``: a whole number, rounded half up
    (90.5 -> 91, 89.6 -> 90, 90.4 -> 90), computed in integers so that no float error
    moves a half. A member's own score is in ``U``; a non-member (ETF, index, or any
    ticker outside the universe) is rated against ``U`` without joining it, so rating it
    changes no member's rating. Tied scores get the same rating (the mid-rank). The
    rating reads "better than ``rating`` % of the universe": the median member scores
    50, a score above every member 99, below every member 1. This is the one place the
    rating is rounded: every table and formula shows this whole number as it is.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..errors import NoDataError, UnknownTickerError
from ..periods import HIGH_WINDOW, RS_MIN_DAYS, RS_WEIGHTS, RS_WINDOWS, validate_window
from .history import as_timestamp, asof_position, require_history

__all__ = [
    "rs_line",
    "rs_line_new_high",
    "rs_line_new_highs",
    "rs_line_series",
    "rs_lines",
    "rs_rating",
    "rs_score",
    "rs_score_at",
]


def rs_score_at(arr: np.ndarray, pos: int) -> np.ndarray:
    """Array kernel of :func:`rs_score` at row ``pos`` of a close matrix ``arr``.

    Parameters
    ----------
    arr : np.ndarray
        Close matrix (rows = dates, columns = tickers).
    pos : int
        The as-of row.

    Returns
    -------
    np.ndarray
        The RS score per column (NaN without a close ``RS_MIN_DAYS`` rows back).
    """
    ncols = arr.shape[1]
    last = arr[pos]
    num = np.zeros(ncols)
    den = np.zeros(ncols)
    for window, weight in zip(RS_WINDOWS, RS_WEIGHTS, strict=True):
        if pos - window < 0:
            continue
        with np.errstate(divide="ignore", invalid="ignore"):
            r = last / arr[pos - window] - 1.0
        ok = ~np.isnan(r)
        num += np.where(ok, weight * r, 0.0)
        den += np.where(ok, weight, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        score = num / den
    if pos - RS_MIN_DAYS < 0:
        score[:] = np.nan
    else:
        score[np.isnan(arr[pos - RS_MIN_DAYS]) | np.isnan(last)] = np.nan
    return score


def rs_score(close: pd.DataFrame, as_of: object) -> pd.Series:
    """IBD-style RS score of every ticker as of a date (see the module docstring).

    Parameters
    ----------
    close : pd.DataFrame
        Close matrix (dates x tickers).
    as_of : date-like
        The as-of date.

    Returns
    -------
    pd.Series
        Score per ticker (a weighted return, decimal), NaN with fewer than
        ``RS_MIN_DAYS + 1`` bars.

    Raises
    ------
    NoDataError
        If ``as_of`` is before the first calendar date.
    """
    pos = asof_position(close.index, as_of)
    score = rs_score_at(close.to_numpy(dtype=float, copy=False), pos)
    return pd.Series(score, index=close.columns, name="rs_score")


def rs_rating(scores: pd.Series, universe: Iterable[str] | None = None) -> pd.Series:
    """Percentile RS rating (1..99) of every ticker in ``scores`` against ``universe``.

    Mapping (see the module docstring):
    ``rating = clip(floor(100 * (L + E/2) / n + 0.5), 1, 99)``, a whole number rounded
    half up, with ``L`` / ``E`` the numbers of universe scores below / equal to the
    ticker's score and ``n`` the number of universe members with a score. It is
    evaluated exactly in integers as ``(100 * (2L + E) + n) // (2n)``. Ties share the
    mid-rank; non-members are ranked against the members without joining them.

    Parameters
    ----------
    scores : pd.Series
        RS scores indexed by ticker (from :func:`rs_score`).
    universe : iterable of str, optional
        The members the scores are ranked against (for example every stock). Members
        missing from ``scores`` or without a score do not count. Default: every ticker
        in ``scores``.

    Returns
    -------
    pd.Series
        Rating per ticker of ``scores``: whole numbers 1..99 (float64 dtype so that it
        can hold NaN); NaN where the score is NaN, and everywhere when no member has a
        score.
    """
    values = scores.to_numpy(dtype=float)
    if universe is None:
        member_scores = values
    else:
        # get_indexer, not Index.isin: with pandas' str dtype isin is ~50x slower.
        positions = scores.index.get_indexer(pd.Index(universe).unique())
        member_scores = values[positions[positions >= 0]]
    ranked = np.sort(member_scores[~np.isnan(member_scores)])
    n = ranked.size
    out = np.full(values.shape, np.nan)
    if n:
        ok = ~np.isnan(values)
        v = values[ok]
        lower = np.searchsorted(ranked, v, side="left")
        upper = np.searchsorted(ranked, v, side="right")
        # floor(100 * (L + E/2) / n + 0.5) = floor((100 * (2L + E) + n) / (2n)), in integers
        twice_rank = lower + upper  # 2L + E
        rating = (100 * twice_rank.astype(np.int64) + n) // (2 * n)
        out[ok] = np.clip(rating, 1, 99).astype(float)
    return pd.Series(out, index=scores.index, name="rs_rating")


def _check_tickers(close: pd.DataFrame, *tickers: str) -> None:
    for t in tickers:
        if t not in close.columns:
            raise UnknownTickerError(ticker=t)


def rs_line_series(
    close: pd.DataFrame, ticker: str, benchmark: str, as_of: object, window: int | None = None
) -> pd.Series:
    """RS line ``close[ticker] / close[benchmark]`` up to the as-of row.

    Parameters
    ----------
    close : pd.DataFrame
        Close matrix (dates x tickers).
    ticker, benchmark : str
        Columns of ``close``.
    as_of : date-like
        The last date.
    window : int, optional
        Keep only the last ``window`` rows (default: all rows up to the as-of row).

    Returns
    -------
    pd.Series
        The ratio by date (NaN where either close is missing).

    Raises
    ------
    UnknownTickerError
        If ``ticker`` or ``benchmark`` is not a column.
    InvalidParameterError
        If ``window`` is not a whole number >= 1.
    NoDataError
        If ``as_of`` is before the first calendar date.
    """
    _check_tickers(close, ticker, benchmark)
    pos = asof_position(close.index, as_of)
    start = 0 if window is None else max(0, pos + 1 - validate_window(window))
    block = close.iloc[start : pos + 1]
    line = block[ticker] / block[benchmark]
    line.name = f"{ticker}/{benchmark}"
    return line


def rs_line(close: pd.DataFrame, ticker: str, benchmark: str, as_of: object) -> float:
    """RS line value ``close[ticker] / close[benchmark]`` at the as-of row.

    Parameters
    ----------
    close : pd.DataFrame
        Close matrix (dates x tickers).
    ticker, benchmark : str
        Columns of ``close``.
    as_of : date-like
        The as-of date.

    Returns
    -------
    float
        The ratio of the two closes.

    Raises
    ------
    UnknownTickerError
        If ``ticker`` or ``benchmark`` is not a column.
    NoDataError
        If either has no bar on or before ``as_of``.
    """
    _check_tickers(close, ticker, benchmark)
    ts = as_timestamp(as_of)
    require_history(close, ticker, ts, 1)
    require_history(close, benchmark, ts, 1)
    pos = asof_position(close.index, ts)
    return float(close[ticker].iloc[pos] / close[benchmark].iloc[pos])


def rs_lines(close: pd.DataFrame, benchmark: pd.Series, as_of: object) -> pd.Series:
    """RS line of every column at the as-of row: ``close[p, t] / benchmark[p]``.

    The vectorised :func:`rs_line`: the tickers' closes divided by the benchmark's close
    on the same row (both as of the date, forward-filled).

    Parameters
    ----------
    close : pd.DataFrame
        Close matrix (dates x tickers) of the tickers to place.
    benchmark : pd.Series
        The benchmark's closes, on the same dates.
    as_of : date-like
        The as-of date.

    Returns
    -------
    pd.Series
        The ratio per ticker (NaN where either close is missing).

    Raises
    ------
    NoDataError
        If ``as_of`` is before the first calendar date.
    """
    pos = asof_position(close.index, as_of)
    bench = float(benchmark.to_numpy(dtype=float)[pos])
    with np.errstate(divide="ignore", invalid="ignore"):
        out = close.to_numpy(dtype=float, copy=False)[pos] / bench
    return pd.Series(out, index=close.columns, name="rs_line")


def rs_line_new_high(
    close: pd.DataFrame,
    ticker: str,
    benchmark: str,
    as_of: object,
    window: object = HIGH_WINDOW,
) -> bool:
    """Whether the RS line at D is at least its maximum over the ``window`` days before D.

    ``new_high = line[p] >= max(line[p - window], ..., line[p - 1])`` with
    ``line = close[ticker] / close[benchmark]`` and ``p`` the as-of row (default window
    252 trading days = 52 weeks). Equal to the prior high counts as a new high.

    Parameters
    ----------
    close : pd.DataFrame
        Close matrix (dates x tickers).
    ticker, benchmark : str
        Columns of ``close``.
    as_of : date-like
        The as-of date.
    window : int
        Look-back in trading days, a whole number >= 1.

    Returns
    -------
    bool
        True on a new high.

    Raises
    ------
    UnknownTickerError
        If ``ticker`` or ``benchmark`` is not a column.
    InvalidParameterError
        If ``window`` is not a whole number >= 1.
    NoDataError
        If either has no bar on or before ``as_of``.
    InsufficientHistoryError
        If either has fewer than ``window + 1`` bars.
    """
    window = validate_window(window)
    _check_tickers(close, ticker, benchmark)
    ts = as_timestamp(as_of)
    require_history(close, ticker, ts, window + 1)
    require_history(close, benchmark, ts, window + 1)
    line = rs_line_series(close, ticker, benchmark, ts, window + 1).to_numpy()
    return bool(line[-1] >= np.nanmax(line[:-1]))


def rs_line_new_highs(
    close: pd.DataFrame, benchmark: str, as_of: object, window: object = HIGH_WINDOW
) -> pd.Series:
    """:func:`rs_line_new_high` for every ticker at once.

    Parameters
    ----------
    close : pd.DataFrame
        Close matrix (dates x tickers).
    benchmark : str
        The benchmark column (for example ``"SPY"``).
    as_of : date-like
        The as-of date.
    window : int
        Look-back in trading days, a whole number >= 1.

    Returns
    -------
    pd.Series
        1.0 (new high) / 0.0 per ticker, NaN where the ticker or the benchmark has fewer
        than ``window + 1`` bars.

    Raises
    ------
    UnknownTickerError
        If ``benchmark`` is not a column.
    InvalidParameterError
        If ``window`` is not a whole number >= 1.
    NoDataError
        If ``as_of`` is before the first calendar date, or the benchmark has no bar.
    """
    window = validate_window(window)
    _check_tickers(close, benchmark)
    pos = asof_position(close.index, as_of)
    arr = close.to_numpy(dtype=float, copy=False)
    bench = close[benchmark].to_numpy(dtype=float)
    if np.isnan(bench[pos]):
        raise NoDataError(
            f"No price for {benchmark} on or before {close.index[pos]:%Y-%m-%d}",
            ticker=benchmark,
            date=f"{close.index[pos]:%Y-%m-%d}",
        )
    out = np.full(arr.shape[1], np.nan)
    if pos - window >= 0 and not np.isnan(bench[pos - window]):
        block = arr[pos - window : pos + 1] / bench[pos - window : pos + 1, None]
        ok = ~np.isnan(block[0]) & ~np.isnan(block[-1])
        prior = np.nanmax(np.where(np.isnan(block[:-1]), -np.inf, block[:-1]), axis=0)
        out[ok] = (block[-1] >= prior)[ok].astype(float)
    return pd.Series(out, index=close.columns, name="rs_line_new_high")
