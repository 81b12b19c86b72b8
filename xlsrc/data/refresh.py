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
  ticker of a batch; such a row is not stored (:attr:`~xlsrc.data.refresh_summary.RefreshSummary.no_price`), the day
  becomes a hole, and every refresh asks for it again (the download window reaches back
  to the earliest hole) until Yahoo serves it. The summary lists the holes filled and
  those still missing (:func:`~xlsrc.data.refresh_checks.find_holes`; ``xlsrc status`` prints them too).
- **Not final yet.** Yahoo's bar for a session settles some time after the close: a bar
  for a session that closed less than :data:`FINAL_DELAY` ago (or has not closed), or on
  or after ``end``, is not stored (:attr:`~xlsrc.data.refresh_summary.RefreshSummary.not_final`). The default ``end``
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
:func:`~xlsrc.data.refresh_summary.tqdm_progress` makes one for the command line; the Excel macro writes the status
bar.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final
from zoneinfo import ZoneInfo

import pandas as pd

from ..errors import DataSourceError, InvalidParameterError, UnknownUniverseError
from ..periods import DEFAULT_BENCHMARK
from .backends.base import ReadStore, Store
from .calendar import Calendar, get_calendar
from .ingest import SessionMove
from .matrices import latest_session_of
from .refresh_checks import at_junction, readjustment, scan_store
from .refresh_run import NetworkDownError, RefreshRun
from .refresh_summary import Progress, RefreshInterrupted, RefreshSummary
from .universes import (
    DERIVED_UNIVERSES,
    STOCKS,
    check_us_listed,
    normalise_ticker,
    normalise_tickers,
)
from .yahoo import Downloader, YFinanceDownloader

__all__ = [
    "DEFAULT_TOLERANCE",
    "FINAL_DELAY",
    "HISTORY_START",
    "VERIFY_SESSIONS",
    "default_end",
    "refresh",
    "resolve_tickers",
]

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
_NY: Final = ZoneInfo("America/New_York")
_DAY: Final = pd.Timedelta(days=1)


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
        ticker the store has bars for, ``"sp1500"`` the members of sp500, sp400 and sp600
        (:data:`~xlsrc.data.universes.DERIVED_UNIVERSES`), as every other command reads it.

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
            parts = DERIVED_UNIVERSES.get(key, (key,))
            if not all(part in stored for part in parts):
                derived = [d for d, p in DERIVED_UNIVERSES.items() if all(x in stored for x in p)]
                raise UnknownUniverseError(
                    name=uni, known=", ".join([STOCKS, "all", *derived, *sorted(stored)])
                )
            for part in parts:
                names += list(stored[part])
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
@dataclass
class _Item:
    """One ticker's download plan."""

    ticker: str
    start: pd.Timestamp
    stored: bool
    rewrite_from: pd.Timestamp | None = None


# --------------------------------------------------------------------------- planning
def _sessions_back(calendar: Calendar, day: pd.Timestamp, n: int) -> pd.Timestamp:
    """Return the session ``n`` sessions before ``day`` (or the first one the calendar has)."""
    sessions = calendar.sessions_in_range(day - pd.Timedelta(days=2 * n + 14), day)
    if len(sessions) == 0:
        return day
    return pd.Timestamp(sessions[max(0, len(sessions) - 1 - n)])


def _plan(run: RefreshRun, names: list[str], verify: int) -> tuple[list[_Item], list[str]]:
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
def _refresh_batch(run: RefreshRun, batch: list[_Item]) -> None:
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
            why = readjustment(rows, old, run.tolerance, item.rewrite_from)
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
            if unit is not None and items[t].stored and at_junction(unit, new_days, old_days):
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


def _replace_histories(
    run: RefreshRun, readjusted: dict[str, str], wrong_units: dict[str, str]
) -> None:
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
    scan = scan_store(store, names, benchmark=bench, calendar=calendar)
    if offline:
        summary.offline = True
        summary.last_date = scan.latest
        summary.holes = {t: scan.holes[t] for t in names if t in scan.holes}
        summary.benchmark_added = False
        return summary

    end_ts = default_end(moment) if end is None else pd.Timestamp(end).normalize()
    stamp = pd.Timestamp(moment)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp
    run = RefreshRun(
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
            except NetworkDownError as down:
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
    after = scan_store(store, names, benchmark=bench, calendar=calendar)
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
