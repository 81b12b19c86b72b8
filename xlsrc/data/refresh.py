"""Bring the store up to date from Yahoo Finance, safely.

:func:`refresh` is the one function behind ``xlsrc refresh`` and the workbook's Refresh
button. Every bar it stores passes the one gate (:func:`xlsrc.data.ingest.ingest_bars`
with ``policy="ticker"``: a ticker the gate refuses is left out and reported, the others
are written in one transaction). What it guarantees:

- **Symbols first.** A symbol with a non-US exchange suffix (``EZJ.L``, ``SHOP.TO``) is
  refused before anything is downloaded (:func:`check_us_listed`): xlsrc holds US
  listings on the NYSE calendar only.
- **The benchmark comes along.** The market's latest session is the benchmark's (SPY)
  last bar (:func:`xlsrc.data.matrices.latest_session_of`), so a refresh of any tickers
  refreshes the benchmark too, in the first batch, and the summary says so; otherwise the
  new days of the other tickers would be stored but not shown. If the benchmark cannot
  be updated, the summary names the tickers whose new days wait for it.
- **Incremental, and checked against what is stored.** A stored ticker is downloaded
  from the earliest of: :data:`VERIFY_SESSIONS` (63) sessions before its last stored day,
  its earliest *hole*, and the day before the earliest split-sized step in its stored
  closes. Every stored day in that window is compared with Yahoo's close (the overlap
  day, 5, 21, 63 sessions back, and the first stored day when it is in the window); days
  the store lacks are added. A ticker the store does not hold is downloaded from
  ``since`` (default :data:`HISTORY_START`).
- **Re-adjustment.** Yahoo's adjusted closes are adjusted *as of the download*: a
  dividend or split rewrites a ticker's whole history, and Yahoo sometimes serves a split
  unadjusted for a day or two and then corrects the whole history. When any compared
  day differs by more than ``tolerance`` (relative), the ticker's full history is
  downloaded again and replaces the stored one in one transaction (``replace=True``).
  Because the window reaches back before any split-sized step the store holds, a cliff
  stored earlier (an unadjusted split) is replaced as soon as Yahoo serves the corrected
  history, however old it is.
- **Wrong units at the junction.** When the gate refuses a ticker's new bars because the
  step from the stored close to the first new one is split-sized (rule ``jump``) or is a
  split Yahoo records (rule ``split``: the history is in the wrong units), the full
  history is downloaded again and, if Yahoo's own history passes the gate, replaces the
  stored one. If it does not (Yahoo still serves the split unadjusted), nothing is
  changed, the summary says so, and the next refresh asks again.
- **Holes.** A *hole* is a session inside a ticker's stored range (first to last bar) on
  which the benchmark has a bar and the ticker has none (for the benchmark itself: any
  session of the exchange). Yahoo sometimes sends a day with volume but no prices for one
  ticker of a batch; such a row is not stored (:attr:`RefreshSummary.no_price`), the day
  becomes a hole, and every refresh asks for it again (the download window reaches back
  to the earliest hole) until Yahoo serves it. The summary lists the holes filled and
  those still missing (:func:`find_holes`; ``xlsrc status`` prints them too).
- **Not final yet.** Yahoo's bar for a session settles some time after the close: a bar
  for a session that closed less than :data:`FINAL_DELAY` ago (or has not closed), or on
  or after ``end``, is not stored (:attr:`RefreshSummary.not_final`). The default ``end``
  (:func:`default_end`) leaves today out until 18:00 New York time.
- **Batches, each one transaction.** Tickers are downloaded ``batch_size`` at a time
  with ``yf.download``; a batch's bars are written with one ``ingest_bars`` call (and one
  more for histories it replaces). A crash or Ctrl-C leaves every committed write in
  place and nothing of the one in progress (the store rolls it back), so running refresh
  again resumes where it stopped.
- **Failures are normal.** Rate limits (``YFRateLimitError``), timeouts and connection
  errors are retried with exponential backoff (``backoff_base * 2**(attempt-1)`` seconds,
  capped at ``backoff_cap``, at most ``max_retries`` times); batches are throttled
  (``pause`` seconds apart). yfinance says "possibly delisted; no timezone found" for
  every ticker when the network is down, so an empty answer alone cannot tell a mistyped
  symbol from a network failure. Every batch therefore carries the benchmark (as a
  *probe* when it is not one of the batch's tickers): when nothing at all comes back, not
  even the benchmark, the batch is retried with backoff and then reported as "no data from
  Yahoo for any ticker of the batch: probably no network or a rate limit"; when the
  benchmark comes back, an empty ticker is named as a symbol Yahoo does not know (or a
  delisting), never as a network failure.
- **Offline.** With ``offline=True`` nothing is downloaded; the summary says what the
  stored data cover (and the holes). When the network is unreachable and nothing could be
  downloaded, :class:`~xlsrc.errors.DataSourceError` says so and names the date the stored
  data runs to; formulas keep working on it.

Progress is reported through a callback ``progress(done, total, message)``:
:func:`tqdm_progress` makes one for the command line; the Excel macro writes the status
bar.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from ..errors import DataSourceError, InvalidParameterError, UnknownUniverseError
from ..periods import DEFAULT_BENCHMARK
from .backends.base import ReadStore, Store
from .calendar import Calendar, get_calendar
from .ingest import IngestResult, SessionMove, ingest_bars
from .matrices import latest_session_of
from .schema import dates_to_days, days_to_dates
from .universes import STOCKS, check_us_listed, normalise_ticker, normalise_tickers
from .validate import JUMP_TOLERANCE, SPLIT_RATIOS, UNIT_RATIOS, BarProblem, find_jumps
from .yahoo import (
    Downloader,
    ParsedDownload,
    YFinanceDownloader,
    describe_error,
    is_connection_error,
    is_no_data,
    is_transient,
    to_long,
)

__all__ = [
    "DEFAULT_TOLERANCE",
    "FINAL_DELAY",
    "HISTORY_START",
    "SOURCE",
    "VERIFY_SESSIONS",
    "Progress",
    "RefreshInterrupted",
    "RefreshSummary",
    "default_end",
    "find_holes",
    "refresh",
    "resolve_tickers",
    "tqdm_progress",
]

#: Provenance name of bars written by refresh.
SOURCE: Final = "yahoo"
#: Where a ticker with no stored bars starts (the bundled snapshot's OHLCV start).
HISTORY_START: Final = pd.Timestamp("2015-01-01")
#: Relative difference of a stored close above which history was re-adjusted.
#: Float noise in Yahoo's adjusted closes is ~1e-7; a quarterly dividend is >= ~1e-3.
DEFAULT_TOLERANCE: Final = 1e-4
#: Stored sessions compared with Yahoo's closes before the last stored day (covers the
#: days 1, 5, 21 and 63 sessions back: a quarter of history, one request per ticker).
VERIFY_SESSIONS: Final = 63
#: US market data are final some time after the 16:00 close; before this hour (New York)
#: today's bar is partial and is not downloaded (:func:`default_end`).
FINAL_HOUR_NY: Final = 18
#: A session's bar is stored only once its close is this long past (early closes too).
FINAL_DELAY: Final = pd.Timedelta(hours=2)
#: How many tickers or days a summary line names before "and N more".
SHOWN: Final = 5
_NY: Final = ZoneInfo("America/New_York")
_DAY: Final = pd.Timedelta(days=1)

#: ``progress(done, total, message)``: ``done`` tickers of ``total`` handled so far.
Progress = Callable[[int, int, str], None]


class RefreshInterrupted(KeyboardInterrupt):
    """Ctrl-C during a refresh: committed writes stay; ``summary`` says what was done."""

    def __init__(self, summary: RefreshSummary) -> None:
        super().__init__(str(summary))
        self.summary = summary


def _count(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def _days(days: Sequence[pd.Timestamp]) -> str:
    shown = ", ".join(f"{d:%Y-%m-%d}" for d in list(days)[:SHOWN])
    return shown + (f" and {len(days) - SHOWN} more" if len(days) > SHOWN else "")


def _per_ticker(items: dict[str, list[pd.Timestamp]]) -> str:
    parts = [f"{t} {_days(days)}" for t, days in list(items.items())[:SHOWN]]
    text = "; ".join(parts)
    if len(items) > SHOWN:
        text += f"; and {len(items) - SHOWN} more tickers"
    return text


@dataclass
class RefreshSummary:
    """What a refresh did.

    Attributes
    ----------
    requested : list of str
        The tickers downloaded (normalised; the benchmark included).
    updated : list of str
        Tickers that got new bars (or a replaced history), in the order written.
    rows_added : int
        Bars written for sessions the store did not hold (new days and filled holes).
    replaced : list of str
        Tickers whose whole history was replaced (re-adjusted by Yahoo, or stored in
        other units than Yahoo's own history).
    replaced_why : dict of str to str
        Ticker -> why its history was replaced.
    up_to_date : list of str
        Tickers downloaded with nothing new.
    failures : dict of str to str
        Ticker -> why it was not updated (nothing of it was changed).
    last_date : pandas.Timestamp or None
        The market's latest session after the refresh (the benchmark's last bar).
    offline : bool
        Nothing was downloaded on purpose.
    interrupted : bool
        Stopped by Ctrl-C; committed writes are kept, the rest is not done.
    network_lost : bool
        The network went away part-way; the remaining tickers were not tried.
    batches : int
        Batches downloaded (committed or empty).
    seconds : float
        Wall time.
    benchmark : str
        The ticker whose last bar is the market's latest session.
    benchmark_added : bool
        The benchmark was not asked for and came along.
    holes_filled : dict of str to list of pandas.Timestamp
        Ticker -> holes this refresh filled.
    no_price : dict of str to list of pandas.Timestamp
        Ticker -> days Yahoo sent without a price in this refresh (not stored).
    holes : dict of str to list of pandas.Timestamp
        Ticker -> sessions still missing inside its stored range after the refresh
        (:func:`find_holes`), for the tickers refreshed.
    not_final : dict of str to list of pandas.Timestamp
        Ticker -> days Yahoo sent that were not final (today's partial bar) or after
        ``end``: not stored.
    waiting : dict of str to pandas.Timestamp
        Ticker -> its last bar, for tickers with bars after the market's latest session
        (they wait for the benchmark).
    moved : SessionMove or None
        The market's latest session before and after, when the refresh moved it, with
        the number of tickers that have a bar on the new one.
    """

    requested: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    rows_added: int = 0
    replaced: list[str] = field(default_factory=list)
    up_to_date: list[str] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)
    last_date: pd.Timestamp | None = None
    offline: bool = False
    interrupted: bool = False
    network_lost: bool = False
    batches: int = 0
    seconds: float = 0.0
    benchmark: str = DEFAULT_BENCHMARK
    benchmark_added: bool = False
    replaced_why: dict[str, str] = field(default_factory=dict)
    holes_filled: dict[str, list[pd.Timestamp]] = field(default_factory=dict)
    no_price: dict[str, list[pd.Timestamp]] = field(default_factory=dict)
    holes: dict[str, list[pd.Timestamp]] = field(default_factory=dict)
    not_final: dict[str, list[pd.Timestamp]] = field(default_factory=dict)
    waiting: dict[str, pd.Timestamp] = field(default_factory=dict)
    moved: SessionMove | None = None

    @property
    def ok(self) -> bool:
        """True when nothing failed and the run was complete."""
        return not self.failures and not self.interrupted and not self.network_lost

    def lines(self) -> list[str]:
        """Return the report, one sentence per line (the CLI prints them; Excel joins them)."""
        upto = f"{self.last_date:%Y-%m-%d}" if self.last_date is not None else "no date"
        holes = self._holes_line()
        if self.offline:
            return [
                f"Offline: nothing downloaded; formulas use the stored data up to {upto}.",
                *holes,
            ]
        parts = [
            f"{len(self.updated)} of {len(self.requested)} tickers updated",
            _count(self.rows_added, "row", "rows") + " added",
        ]
        if self.replaced:
            parts.append(_count(len(self.replaced), "history", "histories") + " replaced")
        if self.up_to_date:
            parts.append(f"{len(self.up_to_date)} already up to date")
        out = ["Refresh: " + ", ".join(parts) + f"; data up to {upto}."]
        if self.benchmark_added:
            out.append(
                f"{self.benchmark} came along: the market's latest day is the last bar of "
                f"the benchmark {self.benchmark}, so every refresh brings it up to date too."
            )
        if self.moved is not None:
            out.append(str(self.moved))
        if self.replaced:
            why = [f"{t} ({self.replaced_why.get(t, 're-adjusted')})" for t in self.replaced]
            more = len(why) - SHOWN
            out.append(
                "Histories replaced: "
                + "; ".join(why[:SHOWN])
                + (f"; and {more} more" if more > 0 else "")
                + "."
            )
        if self.holes_filled:
            n = sum(len(d) for d in self.holes_filled.values())
            out.append(
                f"Filled {_count(n, 'missing day', 'missing days')}: {_per_ticker(self.holes_filled)}."
            )
        if self.no_price:
            out.append(
                "Yahoo sent no price for: "
                + _per_ticker(self.no_price)
                + " (not stored; asked for again on the next refresh)."
            )
        if self.not_final:
            out.append(
                "Not stored, not final yet (Yahoo's daily bar settles about two hours "
                f"after the close): {_per_ticker(self.not_final)}."
            )
        if self.failures:
            first = list(self.failures.items())[:SHOWN]
            text = f"{len(self.failures)} failed: " + "; ".join(f"{t} ({r})" for t, r in first)
            if len(self.failures) > len(first):
                text += f"; and {len(self.failures) - len(first)} more"
            out.append(text + ".")
        if self.waiting:
            names = ", ".join(f"{t} to {d:%Y-%m-%d}" for t, d in list(self.waiting.items())[:SHOWN])
            out.append(
                f"Stored but not shown until {self.benchmark} (the benchmark) has those days "
                f"too (the market's latest day is {upto}): {names}"
                + (f" and {len(self.waiting) - SHOWN} more" if len(self.waiting) > SHOWN else "")
                + "."
            )
        out += holes
        if self.network_lost:
            out.append("Network lost part-way: run refresh again to resume.")
        if self.interrupted:
            out.append(
                "Interrupted: every write before Ctrl-C is kept (the tickers counted as "
                "updated above); the one in progress was rolled back and nothing else was "
                "changed. Run refresh again to resume."
            )
        return out

    def _holes_line(self) -> list[str]:
        if not self.holes:
            return []
        counts = [
            f"{t} {_count(len(d), 'day', 'days')} ({_days(d)})" for t, d in self.holes.items()
        ]
        more = len(counts) - SHOWN
        return [
            f"Still missing inside their stored range ({_count(len(self.holes), 'ticker', 'tickers')}; asked for "
            "again on the next refresh): "
            + "; ".join(counts[:SHOWN])
            + (f"; and {more} more tickers" if more > 0 else "")
            + "."
        ]

    def __str__(self) -> str:
        return "\n".join(self.lines())


def default_end(now: datetime | None = None) -> pd.Timestamp:
    """Return the exclusive end date for a download made at ``now``.

    Today's bar is excluded until :data:`FINAL_HOUR_NY` New York time, so a partial
    intraday bar is never stored (it would look like a re-adjustment on the next run).

    Parameters
    ----------
    now : datetime, optional
        Aware or naive-UTC time; default the current time.

    Returns
    -------
    pandas.Timestamp
        Midnight of the first date *not* to download.
    """
    moment = pd.Timestamp(now if now is not None else datetime.now(tz=ZoneInfo("UTC")))
    if moment.tzinfo is None:
        moment = moment.tz_localize("UTC")
    local = moment.tz_convert(_NY)
    today = pd.Timestamp(local.date())
    return today + _DAY if local.hour >= FINAL_HOUR_NY else today


# --------------------------------------------------------------------------- the store
@dataclass
class _Scan:
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


def _scan(
    store: ReadStore,
    tickers: Iterable[str] | None = None,
    *,
    benchmark: str = DEFAULT_BENCHMARK,
    calendar: Calendar | None = None,
) -> _Scan:
    """Read every stored close once (``read_long``) and describe the wanted tickers.

    ``first``/``last`` and ``latest`` cover every ticker; ``holes`` and ``steps`` only the
    wanted ones (all when ``tickers`` is None). Costs one read of the close column
    and a few numpy passes: about 1 s for the bundled 6.3 million bars.
    """
    long, _ = store.read_long(("close",))
    out = _Scan()
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
    move the next); :func:`refresh` asks Yahoo for it again.

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


def resolve_tickers(
    store: ReadStore, tickers: Iterable[str] = (), universes: Iterable[str] = ()
) -> list[str]:
    """Return the tickers to refresh: those given plus the members of named universes.

    Parameters
    ----------
    store : ReadStore
        Holds the universes (``universes``) and securities.
    tickers : iterable of str
        Tickers in any spelling; each must be a US listing (:func:`check_us_listed`).
    universes : iterable of str
        Universe names; ``"stocks"`` means every stock in the store, ``"all"`` every
        ticker the store has bars for.

    Returns
    -------
    list of str
        Normalised tickers, in order given, repeats dropped.

    Raises
    ------
    UnknownUniverseError
        For a universe the store does not hold.
    InvalidParameterError
        For a symbol that is not a ticker or is listed outside the US (nothing is
        downloaded).
    """
    names: list[str] = _us_listed(list(tickers))
    for uni in universes:
        key = uni.strip().lower()
        if key == STOCKS:
            sec = store.securities()
            names += sorted(sec.index[sec["type"] == "stock"])
        elif key == "all":
            names += sorted(str(t) for t in store.last_days().dropna().index)
        else:
            stored = store.universes()
            if key not in stored:
                raise UnknownUniverseError(
                    name=uni, known=", ".join([STOCKS, "all", *sorted(stored)])
                )
            names += list(stored[key])
    return normalise_tickers(names)


def _us_listed(tickers: Sequence[object]) -> list[str]:
    """Check every symbol with :func:`check_us_listed`; one error naming all refused ones."""
    names, refused = [], []
    for text in tickers:
        try:
            names.append(check_us_listed(text))
        except InvalidParameterError as exc:
            if getattr(exc, "fields", {}).get("exchange") is None and "listed on" not in str(exc):
                raise
            refused.append(str(exc))
    if refused:
        raise InvalidParameterError(
            "; ".join(refused) + ". Nothing was downloaded.", name="tickers", value=tickers
        )
    return names


# --------------------------------------------------------------------------- downloading
def _backoff(attempt: int, base: float, cap: float) -> float:
    return float(min(cap, base * 2 ** (attempt - 1)))


class _NetworkDownError(Exception):
    def __init__(self, reason: str, tickers: list[str]) -> None:
        super().__init__(reason)
        self.reason = reason
        self.tickers = tickers


@dataclass
class _Item:
    """One ticker's download plan."""

    ticker: str
    start: pd.Timestamp
    stored: bool
    rewrite_from: pd.Timestamp | None = None


@dataclass
class _Run:
    """Mutable state of one refresh."""

    store: Store
    downloader: Downloader
    end: pd.Timestamp
    now: datetime
    calendar: Calendar
    sleep: Callable[[float], None]
    max_retries: int
    backoff_base: float
    backoff_cap: float
    tolerance: float
    history_start: pd.Timestamp
    since: pd.Timestamp | None
    benchmark: str
    allow_jumps: list[tuple[str, object]]
    scan: _Scan
    summary: RefreshSummary
    final_through: pd.Timestamp
    succeeded_any: bool = False

    # ------------------------------------------------------------------ transport
    def download(
        self, tickers: list[str], start: pd.Timestamp | None, probe: str | None = None
    ) -> ParsedDownload:
        """Download with retries; return what came back for ``tickers`` and why not.

        ``probe`` (the benchmark, when not one of ``tickers``) is asked for in the same
        call so that an empty answer can be told from a network failure; its bars are
        not returned. Raises ``_NetworkDownError`` when nothing comes back at all.
        """
        request = [*tickers, probe] if probe else list(tickers)
        pending = list(request)
        out = ParsedDownload(to_long(None, []).bars)
        pieces: list[pd.DataFrame] = []
        failures: dict[str, str] = {}
        said: dict[str, str] = {}
        back: list[str] = []
        attempt = 0
        while pending:
            try:
                frame = self.downloader(pending, start, self.end)
            except Exception as exc:
                if is_connection_error(exc) and not back and attempt == 0:
                    self._give_up_if_unreachable([t for t in pending if t != probe])
                if is_transient(exc) and attempt < self.max_retries:
                    attempt += 1
                    self.sleep(_backoff(attempt, self.backoff_base, self.backoff_cap))
                    continue
                reason = describe_error(exc)
                if is_transient(exc):
                    reason += f" (gave up after {attempt} retries)"
                if is_connection_error(exc) and not back:
                    raise _NetworkDownError(reason, [t for t in pending if t != probe]) from exc
                failures.update(dict.fromkeys(pending, reason))
                break
            parsed = to_long(frame, pending)
            errors = (
                {str(k).upper(): str(v) for k, v in frame.attrs.get("errors", {}).items()}
                if frame is not None
                else {}
            )
            came = [t for t in pending if parsed.returned(t)]
            if (
                not back
                and not came
                and all(_came_back_empty(t, parsed.failures, errors) for t in pending)
            ):
                # Nothing came back, not even the benchmark: without a network yfinance
                # says "possibly delisted" for every ticker. Transient: back off, retry.
                words = next((errors[t.upper()] for t in pending if errors.get(t.upper())), "")
                reason = (
                    "no data from Yahoo for any ticker of the batch: probably no network "
                    f"or a rate limit (yfinance said: {words or 'nothing'})"
                )
                if attempt == 0:
                    self._give_up_if_unreachable([t for t in pending if t != probe])
                if attempt >= self.max_retries:
                    raise _NetworkDownError(
                        f"{reason}; gave up after {attempt} retries",
                        [t for t in pending if t != probe],
                    )
                attempt += 1
                self.sleep(_backoff(attempt, self.backoff_base, self.backoff_cap))
                continue
            back += came
            if len(parsed.bars):
                pieces.append(parsed.bars)
            for t, days in parsed.no_price.items():
                out.no_price.setdefault(t, []).extend(days)
            for t, ratios in parsed.splits.items():
                out.splits.setdefault(t, {}).update(ratios)
            retry = [t for t in parsed.failures if is_transient(errors.get(t.upper(), ""))]
            for t, reason in parsed.failures.items():
                if t not in retry:
                    failures[t] = reason
                    said[t] = errors.get(t.upper(), "")
            pending = retry
            if pending:
                if attempt >= self.max_retries:
                    for t in pending:
                        failures[t] = parsed.failures[t] + f" (gave up after {attempt} retries)"
                        said[t] = errors.get(t.upper(), "")
                    break
                attempt += 1
                self.sleep(_backoff(attempt, self.backoff_base, self.backoff_cap))
        if back:
            witness = probe if probe in back else back[0]
            for t, reason in list(failures.items()):
                blamed = is_no_data(said.get(t)) and not is_transient(said.get(t, ""))
                if reason.startswith("no data from Yahoo") and blamed and t != witness:
                    failures[t] = (
                        f"no data from Yahoo although {witness} came back in the same call: "
                        "not a symbol Yahoo knows (mistyped?) or delisted"
                        + (f" (yfinance said: {said[t]})" if said.get(t) else "")
                    )
        names = {normalise_ticker(t): t for t in tickers}
        bars = pd.concat(pieces, ignore_index=True) if pieces else out.bars
        out.bars = bars[bars["ticker"].isin(list(names))].reset_index(drop=True)
        out.failures = {t: r for t, r in failures.items() if t in tickers}
        out.no_price = {t: sorted(set(d)) for t, d in out.no_price.items() if t in names}
        out.splits = {t: s for t, s in out.splits.items() if t in names}
        if back:  # Yahoo answered: the network works
            self.succeeded_any = True
        return out

    def _give_up_if_unreachable(self, tickers: list[str]) -> None:
        """Raise ``_NetworkDownError`` at once when the transport says Yahoo is unreachable.

        Only before anything came back in this refresh: a transport with an
        ``unreachable()`` method (:func:`xlsrc.data.yahoo.unreachable`: Yahoo's names do
        not resolve and no proxy is set) turns half a minute of backoff into a lookup.
        """
        check = getattr(self.downloader, "unreachable", None)
        if self.succeeded_any or check is None:
            return
        reason = check()
        if reason:
            raise _NetworkDownError(reason, tickers)

    def final(self, got: ParsedDownload) -> pd.DataFrame:
        """Return the bars that are final; note the others in the summary."""
        bars = got.bars
        late = (bars["date"] >= self.end) | (bars["date"] > self.final_through)
        for t, rows in bars[late].groupby("ticker", sort=False):
            days = self.summary.not_final.setdefault(str(t), [])
            days += [pd.Timestamp(d) for d in rows["date"] if pd.Timestamp(d) not in days]
        return bars[~late]

    def write(
        self, bars: pd.DataFrame, splits: dict[str, dict[pd.Timestamp, float]], replace: bool
    ) -> IngestResult:
        """Store bars through the gate (one transaction); the caller reports refusals."""
        return ingest_bars(
            self.store,
            bars.reset_index(drop=True),
            SOURCE,
            policy="ticker",
            replace=replace,
            splits=splits,
            allow_jumps=self.allow_jumps,
            # refresh compares stored closes with Yahoo's itself (a re-adjusted history is
            # replaced whole) and always brings the benchmark along, saying what moved
            allow_other_basis=True,
            move_latest=True,
            now=self.now,
            calendar=self.calendar,
            benchmark=self.benchmark,
        )


def _came_back_empty(ticker: str, failures: dict[str, str], errors: dict[str, str]) -> bool:
    """Whether nothing came back for ``ticker`` and yfinance blamed the ticker (or nothing).

    "possibly delisted; no timezone found" and friends, no message at all, or a transient
    one; not an unreadable response or another error.
    """
    if not failures.get(ticker, "").startswith("no data from Yahoo"):
        return False
    said = errors.get(ticker.upper(), "")
    return is_no_data(said) or is_transient(said)


# --------------------------------------------------------------------------- planning
def _sessions_back(calendar: Calendar, day: pd.Timestamp, n: int) -> pd.Timestamp:
    """Return the session ``n`` sessions before ``day`` (or the first one the calendar has)."""
    sessions = calendar.sessions_in_range(day - pd.Timedelta(days=2 * n + 14), day)
    if len(sessions) == 0:
        return day
    return pd.Timestamp(sessions[max(0, len(sessions) - 1 - n)])


def _plan(run: _Run, names: list[str], verify: int) -> tuple[list[_Item], list[str]]:
    """Each ticker's download window; tickers with nothing to download."""
    plan, current = [], []
    scan = run.scan
    for t in names:
        if t in scan.last:
            last, first = scan.last[t], scan.first[t]
            start = max(first, _sessions_back(run.calendar, last, verify))
            if scan.holes.get(t):
                start = min(start, scan.holes[t][0])
            if t in scan.steps:
                start = min(start, scan.steps[t])
            rewrite = None
            if run.since is not None and run.since <= last:
                start, rewrite = min(start, run.since), run.since
            item = _Item(t, start, stored=True, rewrite_from=rewrite)
        else:
            item = _Item(t, run.since if run.since is not None else run.history_start, False)
        if item.start >= run.end:
            current.append(t)
        else:
            plan.append(item)
    plan.sort(key=lambda item: (item.start, item.ticker))
    bench = [i for i in plan if i.ticker == run.benchmark]
    plan = bench + [i for i in plan if i.ticker != run.benchmark]
    return plan, current


# --------------------------------------------------------------------------- one batch
def _readjusted(
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


def _at_junction(problem: BarProblem, new_days: set, stored_days: set) -> bool:
    """Whether a jump/split problem is the step between a stored close and a new one."""
    day = problem.date
    if day is None or day not in new_days:
        return True  # the later bar is a stored one
    earlier = [d for d in new_days | stored_days if d < day]
    return not earlier or max(earlier) not in new_days


def _refresh_batch(run: _Run, batch: list[_Item]) -> None:
    """Download one batch, write its new bars in one transaction, then replace histories."""
    summary = run.summary
    items = {it.ticker: it for it in batch}
    tickers = [it.ticker for it in batch]
    start = min(it.start for it in batch)
    probe = None if run.benchmark in items else run.benchmark
    got = run.download(tickers, start, probe)
    summary.failures.update(got.failures)
    bars = run.final(got)
    stored_names = [t for t in tickers if items[t].stored]
    stored = (
        run.store.read_bars(stored_names, start=start, end=run.end - _DAY)
        if stored_names
        else pd.DataFrame(columns=["ticker", "date", "close"])
    )
    stored_by = {str(t): g[["date", "close"]] for t, g in stored.groupby("ticker", sort=False)}
    for t, days in got.no_price.items():
        have = set(stored_by[t]["date"]) if t in stored_by else set()
        lo = items[t].start if t in items else start
        days = [
            d
            for d in days
            if lo <= d < run.end and d <= run.final_through and pd.Timestamp(d) not in have
        ]
        # an event row on a day without a session (a dividend dated on a holiday) is no hole
        days = [d for d, ok in zip(days, run.calendar.is_session(days), strict=True) if ok]
        if days:
            summary.no_price[t] = sorted(set(summary.no_price.get(t, [])) | set(days))

    keep: list[pd.DataFrame] = []
    fresh: dict[str, set] = {}
    readjusted: dict[str, str] = {}
    for t, rows in bars.groupby("ticker", sort=False):
        t = str(t)
        item = items.get(t)
        if item is None:
            continue
        rows = rows[rows["date"] >= item.start]
        if rows.empty:
            continue
        old = stored_by.get(t, pd.DataFrame(columns=["date", "close"]))
        if item.stored:
            why = _readjusted(rows, old, run.tolerance, item.rewrite_from)
            if why:
                readjusted[t] = why
                continue
        is_new = ~rows["date"].isin(old["date"])
        write = is_new.copy()
        if item.rewrite_from is not None:
            write |= rows["date"] >= item.rewrite_from
        if not write.any():
            continue
        keep.append(rows[write])
        fresh[t] = {pd.Timestamp(d) for d in rows.loc[is_new, "date"]}

    wrong_units: dict[str, str] = {}
    if keep:
        new = pd.concat(keep, ignore_index=True)
        result = run.write(new, got.splits, replace=False)
        for t in result.refused:
            problems = [p for p in result.problems if p.ticker == t]
            unit = next((p for p in problems if p.rule in ("jump", "split")), None)
            new_days = {pd.Timestamp(d) for d in new.loc[new["ticker"] == t, "date"]}
            old_days = {
                pd.Timestamp(d) for d in stored_by.get(t, pd.DataFrame(columns=["date"]))["date"]
            }
            if unit is not None and items[t].stored and _at_junction(unit, new_days, old_days):
                wrong_units[t] = unit.message
            else:
                summary.failures[t] = (
                    f"refused: {result.refused[t]} (Yahoo's data: nothing of {t} was "
                    "changed; asked for again on the next refresh)"
                )
        for t in result.tickers:
            summary.updated.append(t)
            summary.rows_added += len(fresh.get(t, ()))
            filled = sorted(fresh.get(t, set()) & set(run.scan.holes.get(t, ())))
            if filled:
                summary.holes_filled[t] = filled
    done = set(summary.failures) | set(summary.updated) | set(readjusted) | set(wrong_units)
    summary.up_to_date += [t for t in tickers if t not in done]
    if readjusted or wrong_units:
        _replace_histories(run, readjusted, wrong_units)


def _replace_histories(run: _Run, readjusted: dict[str, str], wrong_units: dict[str, str]) -> None:
    """Download whole histories again and replace them, each ticker all or nothing."""
    summary = run.summary
    tickers = sorted({*readjusted, *wrong_units})
    start = min(run.scan.first[t] for t in tickers)
    if run.since is not None:
        start = min(start, run.since)
    probe = None if run.benchmark in tickers else run.benchmark
    got = run.download(tickers, start, probe)
    bars = run.final(got)

    def lead(t: str) -> str:
        return readjusted.get(t) or f"the step into the new bars was refused: {wrong_units[t]}"

    keep = []
    for t in tickers:
        last = run.scan.last[t]
        rows = bars[bars["ticker"] == t]
        if t in got.failures or rows.empty:
            reason = got.failures.get(t, "no bars came back")
            summary.failures[t] = f"{lead(t)}; the full download failed: {reason}"
            continue
        if rows["date"].max() < last:  # never swap a history for a shorter one
            summary.failures[t] = (
                f"{lead(t)}; but Yahoo's full history ends {rows['date'].max():%Y-%m-%d}, "
                f"before the stored {last:%Y-%m-%d}: kept the stored one"
            )
            continue
        keep.append(rows)
    if not keep:
        return
    result = run.write(pd.concat(keep, ignore_index=True), got.splits, replace=True)
    for t, message in result.refused.items():
        last = run.scan.last[t]
        if t in wrong_units:
            summary.failures[t] = (
                f"refused: {message}. Yahoo's full history has the same step now, so the "
                f"stored history (to {last:%Y-%m-%d}) is kept; the next refresh asks again"
            )
        else:
            summary.failures[t] = (
                f"{readjusted[t]}, but the new history was refused: {message}; kept the stored one"
            )
    for t in result.tickers:
        rows = bars[bars["ticker"] == t]
        days = {pd.Timestamp(d) for d in rows["date"]}
        last = run.scan.last[t]
        filled = sorted(days & set(run.scan.holes.get(t, ())))
        summary.replaced.append(t)
        summary.replaced_why[t] = readjusted.get(t) or (
            "the stored closes were in other units than Yahoo's own history: "
            + wrong_units[t].split(": a step")[0]
        )
        if t not in summary.updated:
            summary.updated.append(t)
        if t in summary.up_to_date:
            summary.up_to_date.remove(t)
        summary.rows_added += sum(1 for d in days if d > last) + len(filled)
        if filled:
            summary.holes_filled[t] = filled


# --------------------------------------------------------------------------- refresh
def refresh(
    store: Store,
    tickers: Iterable[str],
    since: str | pd.Timestamp | None = None,
    *,
    end: str | pd.Timestamp | None = None,
    progress: Progress | None = None,
    downloader: Downloader | None = None,
    batch_size: int = 50,
    sleep: Callable[[float], None] = time.sleep,
    pause: float = 1.0,
    max_retries: int = 4,
    backoff_base: float = 2.0,
    backoff_cap: float = 60.0,
    tolerance: float = DEFAULT_TOLERANCE,
    history_start: str | pd.Timestamp = HISTORY_START,
    offline: bool = False,
    benchmark: str = DEFAULT_BENCHMARK,
    verify_sessions: int = VERIFY_SESSIONS,
    allow_jumps: Iterable[tuple[str, object]] = (),
    now: datetime | None = None,
) -> RefreshSummary:
    """Download what the store is missing for ``tickers`` and store it, batch by batch.

    Parameters
    ----------
    store : Store
        The store to update.
    tickers : iterable of str
        Tickers in any spelling (normalised, repeats dropped); US listings only.
    since : str or Timestamp, optional
        Start for tickers the store does not hold (default ``history_start``); for a
        stored ticker, an earlier ``since`` re-downloads (and overwrites) from that day.
    end : str or Timestamp, optional
        First day *not* downloaded (default :func:`default_end`: today, or tomorrow after
        18:00 New York time).
    progress : callable, optional
        ``progress(done, total, message)`` before each batch and at the end.
    downloader : Downloader, optional
        The transport (default :class:`~xlsrc.data.yahoo.YFinanceDownloader`).
    batch_size : int
        Tickers per ``yf.download`` call.
    sleep : callable
        ``sleep(seconds)``; tests inject a recorder so nothing really waits.
    pause : float
        Seconds between batches (throttle).
    max_retries, backoff_base, backoff_cap : int, float, float
        Retries of a transient failure, waiting ``min(cap, base * 2**(k-1))`` before the
        k-th retry.
    tolerance : float
        Relative difference of a stored close that counts as a re-adjusted history.
    history_start : str or Timestamp
        Start of a new ticker's history when nothing else says.
    offline : bool
        Download nothing; return a summary saying what the stored data cover.
    benchmark : str
        The ticker whose last bar is the market's latest session; always refreshed.
    verify_sessions : int
        Stored sessions before the last stored day compared with Yahoo's closes.
    allow_jumps : iterable of (ticker, date)
        Split-sized steps to accept as real (the gate's ``--allow-jump``).
    now : datetime, optional
        The current time (default the clock): what is final, and the default ``end``.

    Returns
    -------
    RefreshSummary
        What was done; ``str()`` of it is a short report, one sentence per line.

    Raises
    ------
    InvalidParameterError
        For a symbol that is not a ticker or is listed outside the US, before any download.
    DataSourceError
        When the network is unreachable and nothing could be downloaded.
    RefreshInterrupted
        On Ctrl-C (a ``KeyboardInterrupt``, carrying the summary so far).
    """
    clock = time.perf_counter()
    moment = now if now is not None else datetime.now(UTC)
    bench = normalise_ticker(benchmark)
    asked = normalise_tickers(_us_listed(list(tickers)))
    names = asked if bench in asked else [bench, *asked]
    summary = RefreshSummary(
        requested=list(names), benchmark=bench, benchmark_added=bench not in asked
    )
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    calendar = get_calendar(through=moment)
    if since is not None:
        closed = calendar.last_closed_session(moment)
        if pd.Timestamp(since).normalize() > closed:
            raise InvalidParameterError(
                f"--since {pd.Timestamp(since):%Y-%m-%d} is after the last closed session "
                f"({closed:%Y-%m-%d}): there is nothing to download from then on. Nothing "
                "was downloaded.",
                name="since",
                value=since,
            )
    scan = _scan(store, names, benchmark=bench, calendar=calendar)
    if offline:
        summary.offline = True
        summary.last_date = scan.latest
        summary.holes = {t: scan.holes[t] for t in names if t in scan.holes}
        summary.benchmark_added = False
        return summary

    end_ts = default_end(moment) if end is None else pd.Timestamp(end).normalize()
    stamp = pd.Timestamp(moment)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp
    run = _Run(
        store=store,
        downloader=downloader or YFinanceDownloader(),
        end=end_ts,
        now=moment,
        calendar=calendar,
        sleep=sleep,
        max_retries=max_retries,
        backoff_base=backoff_base,
        backoff_cap=backoff_cap,
        tolerance=tolerance,
        history_start=pd.Timestamp(history_start).normalize(),
        since=None if since is None else pd.Timestamp(since).normalize(),
        benchmark=bench,
        allow_jumps=list(allow_jumps),
        scan=scan,
        summary=summary,
        final_through=calendar.last_closed_session(stamp - FINAL_DELAY),
    )
    plan, current = _plan(run, names, verify_sessions)
    summary.up_to_date.extend(current)
    total = len(names)
    done = len(current)
    batches = [plan[i : i + batch_size] for i in range(0, len(plan), batch_size)]
    try:
        for number, batch in enumerate(batches, start=1):
            if number > 1 and pause > 0:
                sleep(pause)
            if progress:
                progress(
                    done,
                    total,
                    f"batch {number}/{len(batches)}: {batch[0].ticker}..{batch[-1].ticker}",
                )
            try:
                _refresh_batch(run, batch)
            except _NetworkDownError as down:
                for t in down.tickers:
                    summary.failures[t] = down.reason
                if not run.succeeded_any:
                    upto = f"{scan.latest:%Y-%m-%d}" if scan.latest is not None else None
                    raise DataSourceError(
                        "No network: could not reach Yahoo Finance "
                        f"({down.reason}); formulas keep working on the stored data "
                        + (f"up to {upto}" if upto else "(no data stored)")
                    ) from down.__cause__
                summary.network_lost = True
                for item in [item for later in batches[number:] for item in later]:
                    summary.failures[item.ticker] = "not tried: network lost"
                break
            summary.batches += 1
            done += len(batch)
    except KeyboardInterrupt as exc:
        summary.interrupted = True
        summary.last_date = latest_session_of(store.last_days(), bench)
        summary.seconds = time.perf_counter() - clock
        raise RefreshInterrupted(summary) from exc
    after = _scan(store, names, benchmark=bench, calendar=calendar)
    summary.last_date = after.latest
    if after.latest != scan.latest:
        summary.moved = SessionMove(
            before=scan.latest,
            after=after.latest,
            with_bar=after.on_latest,
            tickers=len(after.last),
            benchmark=bench,
        )
    summary.holes = {t: after.holes[t] for t in names if t in after.holes}
    if after.latest is not None:
        summary.waiting = {
            t: after.last[t]
            for t in summary.updated
            if after.last.get(t, after.latest) > after.latest
        }
    summary.seconds = time.perf_counter() - clock
    if progress:
        progress(total, total, summary.lines()[0])
    return summary


# --------------------------------------------------------------------------- progress
class _BarProgress:
    """A :data:`Progress` callback drawing a tqdm-like bar (see :func:`tqdm_progress`)."""

    def __init__(self, bar_class: Callable[..., Any], **kwargs: Any) -> None:
        self._bar_class = bar_class
        self._kwargs = {"unit": "ticker", "desc": "refresh", **kwargs}
        self._bar: Any = None

    def __call__(self, done: int, total: int, message: str) -> None:
        if self._bar is None:
            self._bar = self._bar_class(total=total, **self._kwargs)
        self._bar.update(done - self._bar.n)
        if done < total:
            self._bar.set_postfix_str(message, refresh=True)

    def close(self) -> None:
        """Finish the bar."""
        if self._bar is not None:
            self._bar.close()

    def __enter__(self) -> _BarProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def tqdm_progress(bar_class: Callable[..., Any], **kwargs: Any) -> _BarProgress:
    """Make a progress callback for the command line that drives a tqdm bar.

    The data layer does not import tqdm (only adapters may: see
    ``tests/test_architecture.py``), so the CLI passes the class in. Use it as a context
    manager so the bar is closed even on errors::

        from tqdm import tqdm

        with tqdm_progress(tqdm) as bar:
            summary = refresh(store, tickers, progress=bar)

    Parameters
    ----------
    bar_class : callable
        ``tqdm.tqdm`` (or anything with the same ``total=``, ``update``, ``n``,
        ``set_postfix_str`` and ``close``).
    **kwargs
        Passed to ``bar_class`` (e.g. ``disable=True``, ``file=...``).

    Returns
    -------
    callable
        ``progress(done, total, message)`` with ``close()``.
    """
    return _BarProgress(bar_class, **kwargs)
