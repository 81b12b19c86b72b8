"""Technical indicators at one as-of row, for every ticker at once.

All windows count trading days (rows of the calendar). Each function reads only the
rows it needs around the as-of row ``p`` of the close matrix, never whole rolling
matrices.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..periods import (
    HIGH_WINDOW,
    RELVOL_WINDOW,
    RSI_WINDOW,
    TRADING_DAYS_PER_YEAR,
    VOLATILITY_WINDOW,
    validate_window,
)
from .history import asof_position

__all__ = [
    "pct_from_high",
    "pct_from_sma",
    "relative_volume",
    "rsi",
    "rsi_at",
    "sma",
    "volatility",
]


def _values(frame: pd.DataFrame) -> np.ndarray:
    return frame.to_numpy(dtype=float, copy=False)


def _sma_at(arr: np.ndarray, pos: int, window: int) -> np.ndarray:
    if pos + 1 - window < 0:
        return np.full(arr.shape[1], np.nan)
    # NaN (not enough bars) propagates through the mean
    return arr[pos + 1 - window : pos + 1].mean(axis=0)


def sma(close: pd.DataFrame, window: object, as_of: object) -> pd.Series:
    """Compute the simple moving average of the last ``window`` closes up to the as-of row.

    ``SMA = mean(close[p - window + 1], ..., close[p])``.

    Parameters
    ----------
    close : pd.DataFrame
        Close matrix (dates x tickers).
    window : int
        Number of closes, a whole number >= 1.
    as_of : date-like
        The as-of date.

    Returns
    -------
    pd.Series
        SMA per ticker, NaN with fewer than ``window`` bars.

    Raises
    ------
    InvalidParameterError
        If ``window`` is not a whole number >= 1.
    NoDataError
        If ``as_of`` is before the first calendar date.
    """
    window = validate_window(window)
    pos = asof_position(close.index, as_of)
    return pd.Series(_sma_at(_values(close), pos, window), index=close.columns, name=f"sma{window}")


def pct_from_sma(close: pd.DataFrame, window: object, as_of: object) -> pd.Series:
    """Distance of the close from its simple moving average: ``close[p] / SMA(window) - 1``.

    Parameters
    ----------
    close : pd.DataFrame
        Close matrix (dates x tickers).
    window : int
        SMA length (20, 50, 200, ...), a whole number >= 1.
    as_of : date-like
        The as-of date.

    Returns
    -------
    pd.Series
        Decimal distance per ticker, NaN with fewer than ``window`` bars.

    Raises
    ------
    InvalidParameterError
        If ``window`` is not a whole number >= 1.
    NoDataError
        If ``as_of`` is before the first calendar date.
    """
    window = validate_window(window)
    pos = asof_position(close.index, as_of)
    arr = _values(close)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = arr[pos] / _sma_at(arr, pos, window) - 1.0
    return pd.Series(out, index=close.columns, name=f"pct_from_sma{window}")


def rsi_at(arr: np.ndarray, pos: int, window: int = RSI_WINDOW) -> np.ndarray:
    """Array kernel of :func:`rsi` at row ``pos``: Wilder's recursion, one loop over rows.

    Parameters
    ----------
    arr : np.ndarray
        Close matrix (rows = dates); NaN before each column's first bar, no gaps after.
    pos : int
        The as-of row.
    window : int
        RSI length (validated by the caller).

    Returns
    -------
    np.ndarray
        RSI per column (0..100), NaN with fewer than ``window + 1`` bars.
    """
    ncols = arr.shape[1]
    out = np.full(ncols, np.nan)
    if pos < window:
        return out
    valid = ~np.isnan(arr[: pos + 1])
    has_bar = valid[pos]
    first = np.where(has_bar, valid.argmax(axis=0), pos + 1)  # first bar's row
    seed_row = first + window  # row of the window-th change: first average
    ok = has_bar & (seed_row <= pos)
    if not ok.any():
        return out
    # one C-ordered copy so that each row below is contiguous; columns that never get
    # a first average stay NaN through the recursion (NaN * decay + x = NaN)
    sub = np.ascontiguousarray(arr[: pos + 1])
    cols = np.flatnonzero(ok)
    seed = seed_row[cols]
    start = int(seed.min())
    # first averages: simple means of the first `window` changes (rows first+1..seed)
    rows = seed[None, :] - np.arange(window)[::-1, None]  # (window, k)
    changes = sub[rows, cols[None, :]] - sub[rows - 1, cols[None, :]]
    seed_gain = np.maximum(changes, 0.0).mean(axis=0)
    seed_loss = np.maximum(-changes, 0.0).mean(axis=0)
    avg_gain = np.full(ncols, np.nan)
    avg_loss = np.full(ncols, np.nan)
    # columns grouped by the row at which their recursion starts
    order = np.argsort(seed, kind="stable")
    bounds = np.searchsorted(seed[order], np.arange(start, pos + 2))
    decay = (window - 1) / window
    for t in range(start, pos + 1):
        if t > start:
            change = sub[t] - sub[t - 1]
            # avg = (prev * (window - 1) + current) / window; NaN until seeded
            avg_gain = avg_gain * decay + np.maximum(change, 0.0) / window
            avg_loss = avg_loss * decay + np.maximum(-change, 0.0) / window
        lo, hi = bounds[t - start], bounds[t - start + 1]
        if hi > lo:
            j = order[lo:hi]
            avg_gain[cols[j]] = seed_gain[j]
            avg_loss[cols[j]] = seed_loss[j]
    total = avg_gain + avg_loss
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(total > 0, 100.0 * avg_gain / total, 50.0)
    out[ok] = value[ok]
    return out


def rsi(close: pd.DataFrame, window: object = RSI_WINDOW, as_of: object = None) -> pd.Series:
    """Wilder's RSI of every ticker as of a date.

    With changes ``c_t = close[t] - close[t - 1]``, gains ``g = max(c, 0)`` and losses
    ``l = max(-c, 0)``, counted from each ticker's first bar:

    - first averages (at the ``window``-th change): ``G = mean(g_1..g_n)``,
      ``L = mean(l_1..l_n)`` with ``n = window``;
    - then ``G_t = (G_{t-1} * (n - 1) + g_t) / n`` and the same for ``L``, up to the
      as-of row (nothing after it is read);
    - ``RSI = 100 - 100 / (1 + G / L) = 100 * G / (G + L)``; 100 when ``L = 0 < G``,
      50 when ``G = L = 0`` (no movement).

    Because the recursion starts at each ticker's first bar, the value depends on all
    history before the as-of date (it converges after a few times ``window`` bars).

    Parameters
    ----------
    close : pd.DataFrame
        Close matrix (dates x tickers), NaN before a ticker's first bar, forward-filled.
    window : int
        RSI length, a whole number >= 1 (default 14).
    as_of : date-like
        The as-of date (required).

    Returns
    -------
    pd.Series
        RSI (0..100) per ticker, NaN with fewer than ``window + 1`` bars.

    Raises
    ------
    InvalidParameterError
        If ``window`` is not a whole number >= 1, or ``as_of`` is missing.
    NoDataError
        If ``as_of`` is before the first calendar date.
    """
    window = validate_window(window)
    pos = asof_position(close.index, as_of)
    return pd.Series(rsi_at(_values(close), pos, window), index=close.columns, name=f"rsi{window}")


def volatility(
    close: pd.DataFrame,
    window: object = VOLATILITY_WINDOW,
    as_of: object = None,
    annualise: bool = False,
) -> pd.Series:
    """Sample standard deviation of the last ``window`` daily returns.

    ``r_t = close[t] / close[t - 1] - 1`` for ``t = p - window + 1 .. p``;
    ``vol = std(r, ddof=1)``; annualised ``vol * sqrt(252)`` when ``annualise``.

    Parameters
    ----------
    close : pd.DataFrame
        Close matrix (dates x tickers).
    window : int
        Number of daily returns, a whole number >= 2 (default 20).
    as_of : date-like
        The as-of date (required).
    annualise : bool
        Multiply by ``sqrt(TRADING_DAYS_PER_YEAR)``.

    Returns
    -------
    pd.Series
        Volatility (decimal) per ticker, NaN with fewer than ``window + 1`` bars.

    Raises
    ------
    InvalidParameterError
        If ``window`` is not a whole number >= 2.
    NoDataError
        If ``as_of`` is before the first calendar date.
    """
    window = validate_window(window, minimum=2)
    pos = asof_position(close.index, as_of)
    arr = _values(close)
    if pos - window < 0:
        out = np.full(arr.shape[1], np.nan)
    else:
        block = arr[pos - window : pos + 1]
        with np.errstate(divide="ignore", invalid="ignore"):
            rets = block[1:] / block[:-1] - 1.0
        out = rets.std(axis=0, ddof=1)
        if annualise:
            out = out * np.sqrt(TRADING_DAYS_PER_YEAR)
    name = f"volatility{window}" + ("_annual" if annualise else "")
    return pd.Series(out, index=close.columns, name=name)


def relative_volume(
    volume: pd.DataFrame, window: object = RELVOL_WINDOW, as_of: object = None
) -> pd.Series:
    """Volume on D relative to the average volume of the ``window`` days before D.

    ``relvol = volume[p] / mean(v_1..v_n)`` where ``v_1..v_n`` (``n = window``) are the
    ``n`` most recent known volumes before D: a session without a recorded volume (the
    bundled data lack 2025-11-21, 2025-12-02 and 2026-01-13 for every ticker) is skipped,
    not counted as a day of volume. NaN when the volume on D is unknown, fewer than ``n``
    known volumes precede D (a mean of 32 days is no 50-day average), or the mean is 0.

    Parameters
    ----------
    volume : pd.DataFrame
        Volume matrix (dates x tickers), NaN where unknown.
    window : int
        Number of prior days with a volume, a whole number >= 1 (default 50).
    as_of : date-like
        The as-of date (required).

    Returns
    -------
    pd.Series
        Ratio per ticker (1.0 = an average day).

    Raises
    ------
    InvalidParameterError
        If ``window`` is not a whole number >= 1.
    NoDataError
        If ``as_of`` is before the first calendar date.
    """
    window = validate_window(window)
    pos = asof_position(volume.index, as_of)
    arr = _values(volume)
    out = np.full(arr.shape[1], np.nan)
    if pos >= window:
        # Walk back from D in blocks of rows, each column only until it has its n known
        # volumes: memory is a block, never the whole history (20 years x 12,500 tickers
        # would be three copies of a 63 M-cell matrix), and a column with its n volumes
        # in the last few weeks is not read further back.
        need = np.full(arr.shape[1], window, dtype=np.int64)
        total = np.zeros(arr.shape[1])
        active = np.arange(arr.shape[1])
        end, step = pos, max(2 * window, 128)
        while end > 0 and active.size:
            start = max(0, end - step)
            block = arr[start:end, active][::-1].astype(np.float64)  # most recent first
            known = ~np.isnan(block)
            take = known & (np.cumsum(known, axis=0) <= need[active])  # the n most recent
            total[active] += np.where(take, block, 0.0).sum(axis=0)
            need[active] -= take.sum(axis=0)
            active = active[need[active] > 0]
            end = start
        with np.errstate(divide="ignore", invalid="ignore"):
            mean = total / window
            ratio = arr[pos] / mean
        good = (need == 0) & (mean > 0) & ~np.isnan(arr[pos])
        out[good] = ratio[good]
    return pd.Series(out, index=volume.columns, name=f"relative_volume{window}")


def pct_from_high(
    close: pd.DataFrame, window: object = HIGH_WINDOW, as_of: object = None
) -> pd.Series:
    """Distance of the close from its high: ``close[p] / max(close[p - window + 1 .. p]) - 1``.

    The high is over the last ``window`` rows including D (default 252 = 52 weeks); a
    ticker with fewer bars gets the high of the bars it has here, and the market gives it
    no value (the registry's ``needs``: ``window`` real bars, as an SMA of that window).

    Parameters
    ----------
    close : pd.DataFrame
        Close matrix (dates x tickers).
    window : int
        Look-back in trading days including D, a whole number >= 1.
    as_of : date-like
        The as-of date (required).

    Returns
    -------
    pd.Series
        Decimal distance (<= 0) per ticker, NaN without a bar at D.

    Raises
    ------
    InvalidParameterError
        If ``window`` is not a whole number >= 1.
    NoDataError
        If ``as_of`` is before the first calendar date.
    """
    window = validate_window(window)
    pos = asof_position(close.index, as_of)
    arr = _values(close)
    block = arr[max(0, pos + 1 - window) : pos + 1]
    high = np.fmax.reduce(block, axis=0)  # ignores NaN unless all NaN
    with np.errstate(divide="ignore", invalid="ignore"):
        out = arr[pos] / high - 1.0
    return pd.Series(out, index=close.columns, name=f"pct_from_high{window}")
