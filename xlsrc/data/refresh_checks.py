"""What the store holds, read for a refresh: stored ranges, holes, split-sized steps.

:func:`scan_store` describes every stored ticker (first and last bar, the market's latest
session) and the wanted ones' holes and earliest split-sized step in one read of the
stored closes; :func:`find_holes` lists the holes alone (``xlsrc status``).
:func:`readjustment` says why Yahoo's closes show a re-adjusted history and
:func:`at_junction` whether a refused step is the one between stored and new bars:
the checks :func:`xlsrc.data.refresh.refresh` makes of what it downloads against what is
stored.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..periods import DEFAULT_BENCHMARK
from .backends.base import ReadStore
from .calendar import Calendar, get_calendar
from .matrices import latest_session_of
from .schema import dates_to_days, days_to_dates
from .universes import normalise_ticker, normalise_tickers
from .validate import JUMP_TOLERANCE, SPLIT_RATIOS, UNIT_RATIOS, BarProblem, find_jumps

__all__ = ["StoreScan", "at_junction", "find_holes", "readjustment", "scan_store"]


@dataclass
class StoreScan:
    """Per ticker: first and last stored session, holes, earliest stored split-sized step."""

    first: dict[str, pd.Timestamp] = field(default_factory=dict)
    last: dict[str, pd.Timestamp] = field(default_factory=dict)
    latest: pd.Timestamp | None = None
    holes: dict[str, list[pd.Timestamp]] = field(default_factory=dict)
    steps: dict[str, pd.Timestamp] = field(default_factory=dict)
    on_latest: int = 0


def _smallest_step() -> tuple[float, float]:
    k = min((*SPLIT_RATIOS, *UNIT_RATIOS))
    return k * (1.0 - JUMP_TOLERANCE), (1.0 + JUMP_TOLERANCE) / k


def scan_store(
    store: ReadStore,
    tickers: Iterable[str] | None = None,
    *,
    benchmark: str = DEFAULT_BENCHMARK,
    calendar: Calendar | None = None,
) -> StoreScan:
    """Read every stored close once (``read_long``) and describe the wanted tickers.

    ``first``/``last`` and ``latest`` cover every ticker; ``holes`` and ``steps`` only the
    wanted ones (all when ``tickers`` is None). Costs one read of the close column
    and a few numpy passes: about 1 s for the bundled 6.3 million bars.
    """
    long, _ = store.read_long(("close",))
    out = StoreScan()
    if len(long) == 0:
        return out
    names = np.asarray(long.tickers, dtype=object).astype(str)
    code, day, close = long.code, long.day, long.fields["close"]
    key = (code.astype(np.int64) << 32) | (day.astype(np.int64) - int(day.min()))
    if not bool(np.all(key[1:] >= key[:-1])):  # the overlay's rows follow the snapshot's
        order = np.argsort(key, kind="stable")  # stable: later rows (the overlay) last
        code, day, close = code[order], day[order], close[order]
    last_of_pair = np.ones(len(code), dtype=bool)
    last_of_pair[:-1] = (code[1:] != code[:-1]) | (day[1:] != day[:-1])
    code, day, close = code[last_of_pair], day[last_of_pair], close[last_of_pair]
    starts = np.flatnonzero(np.r_[True, code[1:] != code[:-1]])
    ends = np.r_[starts[1:], len(code)]
    codes = code[starts]
    firsts, lasts = days_to_dates(day[starts]), days_to_dates(day[ends - 1])
    out.first = dict(zip(names[codes].tolist(), firsts, strict=True))
    out.last = dict(zip(names[codes].tolist(), lasts, strict=True))
    out.latest = latest_session_of(pd.Series(out.last, dtype="datetime64[ns]"), benchmark)
    if out.latest is not None:
        on = code[day == int(dates_to_days([out.latest])[0])]
        out.on_latest = int(np.unique(on).size)

    wanted = set(out.last) if tickers is None else {t for t in tickers if t in out.last}
    if not wanted:
        return out
    cal = calendar or get_calendar(through=days_to_dates(day[-1:].max(keepdims=True))[0])

    # split-sized steps in stored closes: candidates by size first, then the gate's test
    rise, fall = _smallest_step()
    ratio = close[1:] / close[:-1]
    same = code[1:] == code[:-1]
    cand = np.flatnonzero(same & ((ratio >= rise) | (ratio <= fall)))
    if len(cand):
        pairs = np.column_stack([close[cand], close[cand + 1]]).ravel()
        flagged = cand[find_jumps(pairs)[::2] != 0]
        for i in flagged:  # ascending: the first per ticker is its earliest step
            name = str(names[code[i]])
            if name in wanted and name not in out.steps:
                out.steps[name] = pd.Timestamp(days_to_dates(day[i : i + 1])[0])

    out.holes = _holes(code, day, names, wanted, benchmark, cal)
    return out


def _holes(
    code: np.ndarray,
    day: np.ndarray,
    names: np.ndarray,
    wanted: set[str] | None,
    benchmark: str,
    calendar: Calendar,
) -> dict[str, list[pd.Timestamp]]:
    """Return each wanted ticker's holes (see :func:`find_holes`) from its bars' days.

    One bitmap of tickers x sessions (a bit per (ticker, session) with a bar; repeated
    rows, e.g. an overlay's over the snapshot's, set the same bit), then per ticker: the
    sessions that count between its first and last bar (every session for the benchmark,
    the benchmark's days for the others) against its bars on them, from cumulative
    counts. Only the tickers short of bars are looked at day by day. The rows need no
    order: for the bundled 6.3 million bars this is a few tenths of a second.
    """
    if len(code) == 0:
        return {}
    lo, hi = int(day.min()), int(day.max())
    sessions = calendar.sessions_in_range(
        days_to_dates(np.array([lo]))[0], days_to_dates(np.array([hi]))[0]
    )
    lookup = np.full(hi - lo + 1, -1, dtype=np.int64)
    lookup[dates_to_days(sessions) - lo] = np.arange(len(sessions))
    pos = lookup[day - lo]
    ok = pos >= 0
    has = np.zeros((len(names), len(sessions)), dtype=bool)
    has[code[ok], pos[ok]] = True
    traded = has.any(axis=1)
    first = has.argmax(axis=1)
    last = len(sessions) - 1 - has[:, ::-1].argmax(axis=1)
    where = {str(n): i for i, n in enumerate(names)}
    bench = where.get(benchmark)
    counts = has[bench] if bench is not None else np.ones(len(sessions), dtype=bool)
    cum = np.r_[0, np.cumsum(counts)]
    safe_last = np.where(traded, last, 0)
    expected = np.where(traded, cum[safe_last + 1] - cum[first], 0)
    have = (has & counts).sum(axis=1)
    if bench is not None:  # every session counts for the benchmark itself
        expected[bench] = last[bench] - first[bench] + 1
        have[bench] = int(has[bench].sum())
    out: dict[str, list[pd.Timestamp]] = {}
    for i in np.flatnonzero(traded & (expected > have)):
        name = str(names[i])
        if wanted is not None and name not in wanted:
            continue
        p0, p1 = int(first[i]), int(last[i])
        expect = np.ones(p1 - p0 + 1, dtype=bool) if i == bench else counts[p0 : p1 + 1].copy()
        missing = np.flatnonzero(expect & ~has[i, p0 : p1 + 1])
        out[name] = [pd.Timestamp(d) for d in sessions[missing + p0]]
    return dict(sorted(out.items()))


def find_holes(
    store: ReadStore,
    tickers: Iterable[str] | None = None,
    *,
    benchmark: str = DEFAULT_BENCHMARK,
) -> dict[str, list[pd.Timestamp]]:
    """Return the sessions missing inside each ticker's stored range.

    A hole is a session between a ticker's first and last stored bar on which the
    benchmark has a bar and the ticker has none; for the benchmark itself, any exchange
    session in its range without a bar (without a stored benchmark: any session). Such a
    day is forward-filled by the price matrices (a 1D return of 0.0 that day and a doubled
    move the next); :func:`xlsrc.data.refresh.refresh` asks Yahoo for it again.

    Parameters
    ----------
    store : ReadStore
        Any store.
    tickers : iterable of str, optional
        Tickers to look at (any spelling); default every stored ticker.
    benchmark : str
        The ticker whose sessions count (default SPY).

    Returns
    -------
    dict of str to list of pandas.Timestamp
        Ticker -> its missing sessions in date order; tickers without holes are left out.
        One read of the stored tickers and days (no prices) and a bitmap of tickers x
        sessions (:func:`_holes`): about 0.3 s for the bundled snapshot (it was 1-2 s
        when every stored close was read and sorted).
    """
    wanted = None if tickers is None else set(normalise_tickers(tickers))
    long, _ = store.read_long(())
    if len(long) == 0:
        return {}
    cal = get_calendar(through=days_to_dates(np.array([long.day.max()]))[0])
    names = np.asarray(long.tickers, dtype=object).astype(str)
    return _holes(long.code, long.day, names, wanted, normalise_ticker(benchmark), cal)


def readjustment(
    rows: pd.DataFrame, stored: pd.DataFrame, tolerance: float, since: pd.Timestamp | None
) -> str | None:
    """Why Yahoo's closes show a re-adjusted history (None if every stored day agrees)."""
    new_days = rows["date"].to_numpy(dtype="datetime64[ns]")
    old_days = stored["date"].to_numpy(dtype="datetime64[ns]")
    both, i_new, i_old = np.intersect1d(new_days, old_days, return_indices=True)
    if since is not None:
        keep = both < np.datetime64(since.to_datetime64(), "ns")
        both, i_new, i_old = both[keep], i_new[keep], i_old[keep]
    if len(both) == 0:
        return None
    new_close = rows["close"].to_numpy(dtype=np.float64)[i_new]
    old_close = stored["close"].to_numpy(dtype=np.float64)[i_old]
    ratio = new_close / old_close
    off = np.flatnonzero(np.abs(ratio - 1.0) > tolerance)
    if len(off) == 0:
        return None
    i = int(off[-1])  # the latest day that differs: for a split, the day before it
    day, new, old = pd.Timestamp(both[i]), new_close[i], old_close[i]
    factor = float(find_jumps(np.array([1.0, ratio[i]]))[0])
    if not factor:
        kind = "a dividend or other adjustment"
    elif round(max(factor, 1.0 / factor)) in UNIT_RATIOS:
        kind = "other units (cents and dollars?)"
    else:
        kind = "a split adjustment"
    return (
        f"Yahoo re-adjusted the history, {kind}: close of {day:%Y-%m-%d} "
        f"stored {old:.6g}, now {new:.6g} (x{ratio[i]:.4g})"
    )


def at_junction(problem: BarProblem, new_days: set, stored_days: set) -> bool:
    """Whether a jump/split problem is the step between a stored close and a new one."""
    day = problem.date
    if day is None or day not in new_days:
        return True  # the later bar is a stored one
    earlier = [d for d in new_days | stored_days if d < day]
    return not earlier or max(earlier) not in new_days
