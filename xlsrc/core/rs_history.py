"""RS rating history and the basis of a rating: how many of the RS windows it rests on.

Rating history
    The RS rating now and ``k`` sessions earlier, for ``k`` in
    :data:`RS_HISTORY_SESSIONS` (1, 3, 6 and 12 months = 21, 63, 126 and 252 sessions).
    "``k`` sessions earlier" is the row ``p - k`` of the calendar, ``p`` the as-of row
    (the last date on or before the requested day). Each earlier rating is computed
    exactly as a rating of that day is (:func:`xlsrc.core.rs.rs_score` then
    :func:`xlsrc.core.rs.rs_rating` against the same universe), so it is what the
    formula would have said then, with today's universe membership (lists are not
    point-in-time). Before the calendar's first row there is no earlier rating (NaN).
    These are past ratings; the reference tool's ``1M_RS``/``3M_RS``/``6M_RS`` columns are
    not (they rank 21/63/126-day returns relative to SPY on the same day).

Windows used (the basis of a rating)
    The RS score weighs returns over the windows ``RS_WINDOWS = (63, 126, 189, 252)``
    sessions and renormalises the weights over the windows a ticker has (see
    :mod:`xlsrc.core.rs`). So a score on a short history is a different measure: with 64
    to 126 bars it is the 63-session return alone (on 2024-07-01, the snapshot's 125th
    session, every ticker's rating is a 3-month-return rating). :func:`rs_windows_used`
    counts the windows a score used, by the rule :func:`xlsrc.core.rs.rs_score_at` applies
    (window ``w`` is used when the ticker has a close ``w`` rows before the as-of row):
    4 = the full weighting, 1-3 = a shortened window, 0 = no score. Because closes are
    forward-filled after a ticker's first bar, the windows used are always the shortest
    ones: ``n`` windows means ``RS_WINDOWS[:n]``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

import numpy as np
import pandas as pd

from ..errors import InvalidParameterError
from ..periods import RS_MIN_DAYS, RS_WEIGHTS, RS_WINDOWS, validate_window
from .history import asof_position
from .rs import rs_rating, rs_score

__all__ = [
    "RS_HISTORY_SESSIONS",
    "earlier_sessions",
    "rs_rating_history",
    "rs_window_note",
    "rs_windows_used",
]

#: Label -> sessions before the as-of session: the rating now and 1, 3, 6, 12 months ago.
RS_HISTORY_SESSIONS: Final[dict[str, int]] = {"now": 0, "1m": 21, "3m": 63, "6m": 126, "12m": 252}


def earlier_sessions(
    index: pd.DatetimeIndex,
    as_of: object,
    sessions: Mapping[str, object] = RS_HISTORY_SESSIONS,
) -> dict[str, pd.Timestamp | None]:
    """Return the calendar date ``k`` sessions before the as-of session, per label.

    Parameters
    ----------
    index : pd.DatetimeIndex
        The trading calendar (ascending, unique): a close matrix's index.
    as_of : date-like
        The as-of date (resolved to the last calendar date on or before it).
    sessions : mapping of str to int
        Label -> ``k`` (a whole number >= 0), default :data:`RS_HISTORY_SESSIONS`.

    Returns
    -------
    dict of str to pd.Timestamp or None
        ``index[p - k]`` per label, in the order of ``sessions``; None when ``p - k < 0``
        (before the calendar's first session).

    Raises
    ------
    InvalidParameterError
        If a ``k`` is not a whole number >= 0.
    NoDataError
        If ``as_of`` is before the first calendar date.
    """
    pos = asof_position(index, as_of)
    out: dict[str, pd.Timestamp | None] = {}
    for label, k in sessions.items():
        back = validate_window(k, f"sessions[{label!r}]", minimum=0)
        out[label] = pd.Timestamp(index[pos - back]) if pos - back >= 0 else None
    return out


def rs_rating_history(
    close: pd.DataFrame,
    as_of: object,
    universe: Iterable[str] | None = None,
    sessions: Mapping[str, object] = RS_HISTORY_SESSIONS,
) -> pd.DataFrame:
    """RS rating of every ticker now and ``k`` sessions earlier (see the module docstring).

    Parameters
    ----------
    close : pd.DataFrame
        Close matrix (dates x tickers).
    as_of : date-like
        The as-of date.
    universe : iterable of str, optional
        The members the scores are ranked against at every date (default: every column,
        as :func:`xlsrc.core.rs.rs_rating`); the same list at every date.
    sessions : mapping of str to int
        Label -> sessions back (default now, 1m, 3m, 6m, 12m = 0, 21, 63, 126, 252).

    Returns
    -------
    pd.DataFrame
        Index = tickers (the columns of ``close``), one float column per label (whole
        numbers 1..99, NaN where the ticker had no score then or the date is before the
        calendar). ``attrs["dates"]`` holds :func:`earlier_sessions`.

    Raises
    ------
    InvalidParameterError
        If a ``k`` is not a whole number >= 0.
    NoDataError
        If ``as_of`` is before the first calendar date.
    """
    dates = earlier_sessions(close.index, as_of, sessions)
    members = None if universe is None else list(universe)
    out = pd.DataFrame(index=close.columns)
    for label, day in dates.items():
        if day is None:
            out[label] = np.nan
        else:
            out[label] = rs_rating(rs_score(close, day), members).to_numpy()
    out.attrs["dates"] = dates
    return out


def rs_windows_used(close: pd.DataFrame, as_of: object) -> pd.Series:
    """Count the RS windows (63, 126, 189, 252 sessions) each ticker's RS score rests on.

    Window ``w`` counts when the ticker has a close ``w`` rows before the as-of row ``p``
    (and a close at ``p``), the rule of :func:`xlsrc.core.rs.rs_score_at`; without a
    close ``RS_MIN_DAYS`` rows back there is no score and the count is 0.

    Parameters
    ----------
    close : pd.DataFrame
        Close matrix (dates x tickers), NaN before each ticker's first bar.
    as_of : date-like
        The as-of date.

    Returns
    -------
    pd.Series
        int64 per ticker: 4 = full weighting, 1-3 = shortened (the score uses
        ``RS_WINDOWS[:n]`` with renormalised weights), 0 = no score.

    Raises
    ------
    NoDataError
        If ``as_of`` is before the first calendar date.
    """
    pos = asof_position(close.index, as_of)
    arr = close.to_numpy(dtype=float, copy=False)
    has_last = ~np.isnan(arr[pos])
    count = np.zeros(arr.shape[1], dtype=np.int64)
    for window in RS_WINDOWS:
        if pos - window >= 0:
            count += (has_last & ~np.isnan(arr[pos - window])).astype(np.int64)
    scored = has_last & (~np.isnan(arr[pos - RS_MIN_DAYS]) if pos - RS_MIN_DAYS >= 0 else False)
    count[~scored] = 0
    return pd.Series(count, index=close.columns, name="rs_windows")


def rs_window_note(windows: object) -> str:
    """Say what a rating on ``windows`` RS windows measures, for a table's note column.

    Parameters
    ----------
    windows : int
        A count from :func:`rs_windows_used`, 0..4.

    Returns
    -------
    str
        ``""`` for the full four windows; otherwise a short sentence (under 120
        characters), for example ``"Shortened: 63-session return only (fewer than 127
        sessions of history)"``.

    Raises
    ------
    InvalidParameterError
        If ``windows`` is not a whole number from 0 to 4.
    """
    top = len(RS_WINDOWS)
    if (
        isinstance(windows, bool)
        or not isinstance(windows, int | float)
        or not float(windows).is_integer()
        or not 0 <= windows <= top
    ):
        raise InvalidParameterError(
            name="windows", value=windows, allowed=f"a whole number from 0 to {top}"
        )
    n = int(windows)
    if n == len(RS_WINDOWS):
        return ""
    if n == 0:
        return f"No rating: fewer than {RS_MIN_DAYS + 1} sessions of history"
    used = RS_WINDOWS[:n]
    limit = RS_WINDOWS[n] + 1
    if n == 1:
        basis = f"{used[0]}-session return only"
    else:
        total = sum(RS_WEIGHTS[:n])
        parts = [f"{w / total:.2f}*r{d}" for d, w in zip(used, RS_WEIGHTS[:n], strict=True)]
        basis = " + ".join(parts)
    return f"Shortened: {basis} (fewer than {limit} sessions of history)"
