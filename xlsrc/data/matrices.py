"""Long bars into the wide matrices every formula computes on, written once for every backend.

The calendar of a matrix is the exchange's: the XNYS sessions from the market's *first
session* to its *latest session*, never the union of whatever dates the store holds.

**The latest session** is the benchmark's (``SPY``) last session with a bar; a store
without the benchmark uses the latest session that at least half of the tickers reach.
One ticker's bars can therefore never move the market's "latest" day: a ticker refreshed
a day ahead of the benchmark keeps its extra bars in the store (they are counted in
:attr:`Matrices.ahead`) until the market's data reach them.

**The first session** is, by the same rule at the other end, the benchmark's first bar
(without the benchmark: the first stored bar). Bars before it stay in the store and are
counted in :attr:`Matrices.before`: a 33-row file of 2009 closes must not add fifteen
years of empty rows to every matrix (it doubled the memory and time of every command).
A ticker whose bars all lie outside the two ends is not in the matrices.

Layout: the close matrix is built as tickers x sessions in C order (bars arrive sorted by
ticker, so the scatter writes memory in order) and handed to pandas as its transpose,
which is exactly the block layout pandas keeps for a float frame, so nothing is copied.

Fields other than the close are loaded when first needed (:func:`load_field`): volume as
``float32`` (exact to 2**24 shares, then within 6e-8 relative; relative volume is a ratio
of sums, so its error stays below 1e-7), on the close matrix's sessions and tickers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import StoreError
from ..periods import DEFAULT_BENCHMARK
from .calendar import Calendar, get_calendar
from .schema import LongBars, dates_to_days, days_to_dates

if TYPE_CHECKING:
    from .backends.base import Identity, ReadStore

__all__ = [
    "Matrices",
    "build_field",
    "build_matrices",
    "latest_session_of",
    "load_field",
    "load_matrices",
    "market_ends",
    "tickers_with_bar_on",
]


@dataclass(frozen=True)
class Matrices:
    """The close matrix of a store and what goes with it.

    Attributes
    ----------
    close : pd.DataFrame
        Sessions x tickers, ``float64`` adjusted closes: NaN before a ticker's first bar,
        forward-filled after it (a halted or stale day carries the last close; ``has_bar``
        says which days really traded).
    has_bar : np.ndarray
        Boolean, same shape as ``close``: True where the ticker has a real bar.
    last_bar : pd.Series
        Ticker -> date of its last real bar on or before the latest session.
    latest : pd.Timestamp or None
        The market's latest session (module docstring); None for an empty store.
    ahead : pd.Series
        Ticker -> number of its bars after the latest session (only tickers with any).
    before : pd.Series
        Ticker -> number of its bars before the first session (only tickers with any).
    identity : tuple
        ``(store_id, data_version, bars_version)`` the matrices reflect.
    """

    close: pd.DataFrame
    has_bar: np.ndarray
    last_bar: pd.Series
    latest: pd.Timestamp | None
    ahead: pd.Series
    identity: Identity
    before: pd.Series = field(
        default_factory=lambda: pd.Series(dtype="int64", index=pd.Index([], name="ticker"))
    )

    @property
    def bars_version(self) -> int:
        """The store's ``bars_version`` these matrices reflect."""
        return self.identity[2]


def latest_session_of(
    last_days: pd.Series, benchmark: str = DEFAULT_BENCHMARK
) -> pd.Timestamp | None:
    """Return the market's latest session from each ticker's last bar date.

    Parameters
    ----------
    last_days : pd.Series
        Ticker -> date of its last bar (sessions).
    benchmark : str
        The ticker whose last bar is the market's latest session when the store holds it.

    Returns
    -------
    pd.Timestamp or None
        The benchmark's last bar; without it, the latest date on or after which at least
        half of the tickers have their last bar (fewer than half of the tickers, however
        they got their bars, never move it); None if there are no bars.
    """
    last_days = last_days.dropna()
    if len(last_days) == 0:
        return None
    if benchmark in last_days.index:
        return pd.Timestamp(last_days[benchmark])
    ordered = np.sort(last_days.to_numpy(dtype="datetime64[ns]"))[::-1]
    # ordered[k] has k + 1 tickers ending on or after it: the first k with k + 1 >= n / 2
    return pd.Timestamp(ordered[(len(ordered) - 1) // 2])


def tickers_with_bar_on(store: ReadStore, day: pd.Timestamp, last_days: pd.Series) -> int:
    """Count the tickers with a bar on ``day``.

    A ticker whose last bar is ``day`` has one; a ticker with later bars (ahead of the
    market) is looked up (its bars on that day are read: few, normally); the others have
    none.

    Parameters
    ----------
    store : ReadStore
        The store ``last_days`` came from.
    day : pd.Timestamp
        A session (e.g. the market's latest).
    last_days : pd.Series
        Ticker -> date of its last stored bar (``ReadStore.last_days``).

    Returns
    -------
    int
    """
    last = last_days.dropna()
    on = int((last == day).sum())
    later = [str(t) for t in last.index[last > day]]
    if later:
        on += int(store.read_bars(later, start=day, end=day)["ticker"].nunique())
    return on


def market_ends(
    store: ReadStore, first_stored: object = None, *, benchmark: str = DEFAULT_BENCHMARK
) -> tuple[str | None, str | None, int | None, int]:
    """Describe the market's ends for ``Store.status()``: first and latest session, coverage.

    Parameters
    ----------
    store : ReadStore
        Reads ``last_days`` and the benchmark's bars (a few hundred rows).
    first_stored : date-like, optional
        The store's first bar, the first session when the benchmark is not stored.
    benchmark : str
        Whose first and last bar are the market's ends.

    Returns
    -------
    tuple
        ``(first session, latest session)`` as ``YYYY-MM-DD`` text (None without bars),
        tickers with a bar on the latest session (None without bars), tickers with bars.
    """
    last = store.last_days().dropna()
    latest = latest_session_of(last, benchmark)
    bench = store.read_bars([benchmark])
    first = (
        pd.Timestamp(bench["date"].min())
        if len(bench)
        else (None if first_stored is None or pd.isna(first_stored) else pd.Timestamp(first_stored))
    )
    return (
        None if first is None else f"{first:%Y-%m-%d}",
        None if latest is None else f"{latest:%Y-%m-%d}",
        None if latest is None else tickers_with_bar_on(store, latest, last),
        len(last),
    )


def _sessions(
    long: LongBars, calendar: Calendar, first: int | None = None, last: int | None = None
) -> tuple[pd.DatetimeIndex, int, np.ndarray]:
    """Return the sessions from ``first`` to ``last``, the bars' first day and a day lookup.

    ``first``/``last`` (days since 1970-01-01) default to the bars' first and last day.
    ``lookup[day - lo]`` (``lo`` the second value, the bars' first day) is the session
    position of any bar's ``day``, -1 for a day that is no session or outside the range.
    """
    if len(long) == 0:
        return pd.DatetimeIndex([], name="date"), 0, np.zeros(0, dtype=np.int32)
    lo, hi = int(long.day.min()), int(long.day.max())
    start = lo if first is None else first
    stop = hi if last is None else last
    sessions = calendar.sessions_in_range(
        days_to_dates(np.array([start]))[0], days_to_dates(np.array([stop]))[0]
    )
    lookup = np.full(hi - lo + 1, -1, dtype=np.int32)
    lookup[dates_to_days(sessions) - lo] = np.arange(len(sessions), dtype=np.int32)
    return pd.DatetimeIndex(sessions, name="date"), lo, lookup


def _outside(long: LongBars, keep: np.ndarray, names: np.ndarray) -> pd.Series:
    """Count each ticker's distinct bars (ticker, day) where ``keep`` is False."""
    codes, days = long.code[~keep], long.day[~keep]
    if len(codes) == 0:
        return pd.Series(dtype="int64", index=pd.Index([], name="ticker"))
    pairs = np.unique((codes.astype(np.int64) << 32) | days.astype(np.int64))
    per, counts = np.unique(pairs >> 32, return_counts=True)
    out = pd.Series(counts.astype(np.int64), index=pd.Index(names[per].astype(str), name="ticker"))
    return out.sort_index()


#: Rows scattered at a time: the chunk's flat indices (int64) stay under glibc's mmap
#: threshold, so they come from (and go back to) the heap instead of fresh pages.
_CHUNK = 1 << 16


def _scatter(
    shape: tuple[int, int],
    rows: np.ndarray,
    days: np.ndarray,
    lo: int,
    lookup: np.ndarray,
    values: np.ndarray,
    dtype: type,
    remap: np.ndarray | None = None,
) -> np.ndarray:
    """Return a ``shape`` array of NaN with each bar's value at (its row, its session) (C order).

    ``rows[i]`` (or ``remap[rows[i]]`` with ``remap``) is bar ``i``'s row of the result
    (negative: left out), ``lookup[days[i] - lo]`` its column (-1, a day on no session:
    left out). Done :data:`_CHUNK` bars at a
    time with one flat index each, so nothing the size of the bars is made besides the
    result (a whole-store index would touch 50 MB of fresh memory for the bundled data);
    the scatter writes memory in order when the bars are sorted by ticker and date, and
    a later bar wins over an earlier one at the same cell.
    """
    out: np.ndarray = np.full(shape, np.nan, dtype=dtype)
    if len(values) == 0:
        return out
    flat_out = out.reshape(-1)
    width = shape[1]
    for start in range(0, len(values), _CHUNK):
        stop = start + _CHUNK
        cols = lookup[days[start:stop] - lo]
        chunk_rows = rows[start:stop]
        flat = (remap[chunk_rows] if remap is not None else chunk_rows).astype(np.int64)
        bad = (cols < 0) | (flat < 0)
        flat *= width
        flat += cols
        chunk = values[start:stop]
        if bad.any():
            keep = ~bad
            flat, chunk = flat[keep], chunk[keep]
        flat_out[flat] = chunk
    return out


def build_matrices(
    long: LongBars,
    identity: Identity,
    *,
    calendar: Calendar | None = None,
    benchmark: str = DEFAULT_BENCHMARK,
) -> Matrices:
    """Pivot long bars (``close`` field) into :class:`Matrices` on the exchange calendar.

    Parameters
    ----------
    long : LongBars
        Every visible bar with a ``close`` field; later rows win for a repeated
        (ticker, day).
    identity : tuple
        What the bars reflect (``ReadStore.read_long``'s second value).
    calendar : Calendar, optional
        Default :func:`xlsrc.data.calendar.get_calendar`.
    benchmark : str
        Decides the latest session (:func:`latest_session_of`).

    Returns
    -------
    Matrices
        Rows that fall on no session (not possible through the validation gate) are left
        out; rows after the latest session are counted in ``ahead``, rows before the first
        session (the benchmark's first bar) in ``before``.
    """
    cal = calendar or get_calendar(
        through=days_to_dates(np.array([long.day.max()]))[0] if len(long) else None
    )
    names = np.asarray(long.tickers, dtype=object)
    # the benchmark's first and last bar are the market's ends (module docstring): bars
    # outside them are counted, never given a column
    bench_at: np.ndarray = (
        np.flatnonzero(names.astype(str) == benchmark) if len(long) else np.zeros(0, np.int64)
    )
    bench_days = long.day[long.code == bench_at[0]] if len(bench_at) else np.zeros(0, np.int32)
    before = ahead_bars = None
    if len(bench_days):
        first_day, last_day = int(bench_days.min()), int(bench_days.max())
        inside = (long.day >= first_day) & (long.day <= last_day)
        if not inside.all():
            before = _outside(long, inside | (long.day > last_day), names)
            ahead_bars = _outside(long, inside | (long.day < first_day), names)
        sessions, lo, lookup = _sessions(long, cal, first_day, last_day)
    else:
        sessions, lo, lookup = _sessions(long, cal)
    # the matrix's rows in ticker order from the start: each bar goes to its ticker's
    # sorted row (an overlay's new ticker comes after the snapshot's dictionary in the
    # bars, and sorting the finished matrix would copy it whole)
    order = np.argsort(names.astype(str), kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    raw = _scatter(
        (len(names), len(sessions)),
        long.code,
        long.day,
        lo,
        lookup,
        long.fields["close"],
        np.float64,
        remap=rank,
    )
    has = ~np.isnan(raw)
    ticker_index = pd.Index(names[order], name="ticker")
    traded = has.any(axis=1)
    last_pos = np.where(traded, len(sessions) - 1 - has[:, ::-1].argmax(axis=1), -1)
    last_days = pd.Series(
        np.where(
            traded,
            sessions.to_numpy()[np.clip(last_pos, 0, None)]
            if len(sessions)
            else np.datetime64("NaT"),
            np.datetime64("NaT"),
        ),
        index=ticker_index,
    )
    latest = latest_session_of(last_days, benchmark)
    ahead = pd.Series(dtype="int64", index=pd.Index([], name="ticker"))
    if ahead_bars is not None:
        ahead = ahead_bars
    if latest is not None and latest < sessions[-1]:
        cut = int(sessions.searchsorted(latest, side="right"))
        ahead_counts = has[:, cut:].sum(axis=1)
        ahead = pd.Series(ahead_counts[ahead_counts > 0], index=ticker_index[ahead_counts > 0])
        raw, has, sessions = raw[:, :cut].copy(), has[:, :cut].copy(), sessions[:cut]
    # tickers with no bar on or before the latest session are not in the matrices
    keep = has.any(axis=1)
    if not keep.all():
        raw, has, ticker_index = raw[keep], has[keep], ticker_index[keep]
    # sessions x tickers: the transpose of a C-ordered array is pandas' own block layout,
    # so the frame wraps ``raw`` and ffill (pandas' 2-D pad, one pass in C) fills it in
    # place: NaN stays before each ticker's first bar, a day without a bar carries the
    # last close (only days without a bar are NaN: a stored bar always has a close)
    close = pd.DataFrame(raw.T, index=sessions, columns=ticker_index, copy=False)
    del raw
    close.ffill(inplace=True)  # noqa: PD002 - in place: no second sessions x tickers copy
    n = len(sessions)
    last_pos = n - 1 - has[:, ::-1].argmax(axis=1) if n else np.zeros(0, dtype=int)
    last_bar = pd.Series(
        sessions.to_numpy()[last_pos] if n else np.array([], dtype="datetime64[ns]"),
        index=ticker_index,
        name="last_bar",
    )
    return Matrices(
        close=close,
        has_bar=has.T,
        last_bar=last_bar,
        latest=latest,
        ahead=ahead,
        identity=identity,
        before=before
        if before is not None
        else pd.Series(dtype="int64", index=pd.Index([], name="ticker")),
    )


def build_field(
    long: LongBars,
    like: Matrices,
    field: str,
    dtype: type = np.float32,
    tickers: pd.Index | None = None,
) -> pd.DataFrame:
    """Pivot one more field onto the sessions and tickers of ``like`` (NaN where unknown).

    Parameters
    ----------
    long : LongBars
        Bars with ``field`` (the same store, same version as ``like``).
    like : Matrices
        Gives the sessions and tickers.
    field : str
        E.g. ``"volume"`` or ``"split_close"``.
    dtype : type
        Storage type (``float32`` halves the memory of volume).
    tickers : pd.Index, optional
        Only these columns (tickers of ``like``), in this order; default every ticker.

    Returns
    -------
    pd.DataFrame
        Sessions x tickers, never forward-filled.
    """
    sessions = like.close.index
    tickers = like.close.columns if tickers is None else pd.Index(tickers, name="ticker")
    if len(long) and len(sessions):
        lo = int(dates_to_days(sessions[:1])[0])
        hi = int(dates_to_days(sessions[-1:])[0])
        day = long.day
        # bars after the latest session (or before the first) fall on no column
        first, last = int(day.min()), int(day.max())
        lo2, hi2 = min(lo, first), max(hi, last)
        lookup = np.full(hi2 - lo2 + 1, -1, dtype=np.int32)
        lookup[dates_to_days(sessions) - lo2] = np.arange(len(sessions), dtype=np.int32)
        # -1: a ticker the close matrix (or ``tickers``) does not have, left out
        col = tickers.get_indexer(pd.Index(long.tickers.astype(str))).astype(np.int32)[long.code]
        out: np.ndarray = _scatter(
            (len(tickers), len(sessions)), col, day, lo2, lookup, long.fields[field], dtype
        )
    else:
        out = np.full((len(tickers), len(sessions)), np.nan, dtype=dtype)
    return pd.DataFrame(out.T, index=sessions, columns=tickers, copy=False)


def load_matrices(
    store: ReadStore, *, benchmark: str = DEFAULT_BENCHMARK, calendar: Calendar | None = None
) -> Matrices:
    """Read a store's closes and build its :class:`Matrices`.

    Parameters
    ----------
    store : ReadStore
    benchmark : str
        Decides the latest session.
    calendar : Calendar, optional
        Default the XNYS calendar; tests over hand-made business days pass their own.

    Raises
    ------
    StoreError
        If the store cannot be read.
    """
    long, identity = store.read_long(("close",))
    return build_matrices(long, identity, benchmark=benchmark, calendar=calendar)


def load_field(
    store: ReadStore,
    field: str,
    like: Matrices,
    dtype: type = np.float32,
    tickers: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Read one more field of a store onto the sessions and tickers of ``like``.

    Parameters
    ----------
    store : ReadStore
        The store ``like`` was built from.
    field : str
        ``"volume"`` or ``"split_close"``.
    like : Matrices
        Gives the sessions and tickers (and the identity the field must match).
    dtype : type
        Storage type.
    tickers : sequence of str, optional
        Only these tickers (columns of ``like``): their bars alone are read, by the
        store's ``read_long_of`` where it has one (the layered store: only the snapshot's
        row groups that hold them, three columns of each), else ``ReadStore.read_bars``;
        the identity is read before and after to prove no bars were written in between.
        Default: the whole field (``ReadStore.read_long``).

    Returns
    -------
    pd.DataFrame
        Sessions x tickers (every ticker of ``like``, or ``tickers``), never forward-filled.

    Raises
    ------
    StoreError
        If the store changed its bars since ``like`` was built (the caller reloads).
    """
    if tickers is None:
        long, identity = store.read_long((field,))
        _same_bars(store, identity, like, field)
        return build_field(long, like, field, dtype)
    read_long_of = getattr(store, "read_long_of", None)
    if read_long_of is not None:  # the layered store: the snapshot's row groups of tickers
        long, identity = read_long_of((field,), list(tickers))
        _same_bars(store, identity, like, field)
    else:
        _same_bars(store, store.identity(), like, field)
        frame = store.read_bars(list(tickers))
        _same_bars(store, store.identity(), like, field)  # versions only grow: none between
        long = LongBars.from_frame(frame, (field,))
    return build_field(long, like, field, dtype, tickers=pd.Index(list(tickers)))


def _same_bars(store: ReadStore, identity: Identity, like: Matrices, field: str) -> None:
    """Raise ``StoreError`` if ``identity``'s bars are not those ``like`` was built from."""
    if identity[0] != like.identity[0] or identity[2] != like.identity[2]:
        raise StoreError(
            f"The store {store.location} changed while loading {field}; reload and try again"
        )
