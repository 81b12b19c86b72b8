"""Bring the store up to date from Yahoo Finance, safely.

:func:`refresh` is the one function behind ``xlsrc refresh`` and the workbook's Refresh
button. What it guarantees:

- **Incremental.** Each ticker is downloaded from its last stored day (inclusive: that
  day is the *overlap*) to ``end``; only days after the last stored one are added. A
  ticker the store does not hold is downloaded from ``since`` (default
  :data:`HISTORY_START`).
- **Re-adjustment.** Yahoo's closes are split- and dividend-adjusted *as of the
  download*, so a dividend or split rewrites a ticker's whole history. When the
  overlapping day's new close differs from the stored one by more than ``tolerance``
  (relative), that ticker's full history is downloaded again and replaces the stored one
  in one transaction (``write_bars(replace=True)``).
- **Batches, each one transaction.** Tickers are downloaded ``batch_size`` at a time
  with ``yf.download``; a batch's good bars are written with one ``write_bars`` call. A
  crash or Ctrl-C between or during batches leaves every committed batch in place and
  nothing of the others, so running refresh again resumes where it stopped (the last
  stored days tell it where).
- **Failures are normal.** Rate limits (``YFRateLimitError``), timeouts and connection
  errors are retried with exponential backoff (``backoff_base * 2**(attempt-1)`` seconds,
  capped at ``backoff_cap``, at most ``max_retries`` times); batches are throttled
  (``pause`` seconds apart). A batch in which *every* ticker comes back empty ("possibly
  delisted; no timezone found" is what yfinance says for each ticker when the network is
  down) is treated the same way: retried with backoff, then reported as "no data from
  Yahoo for any ticker of the batch: probably no network or a rate limit" (the
  network-down path below). A ticker that still fails, comes back empty while others of
  its batch did come back (then "possibly delisted" is believable) or fails validation
  (:func:`xlsrc.data.yahoo.validate_bars`) is reported by name with the reason and never
  written; the other tickers carry on.
- **Offline.** With ``offline=True`` nothing is downloaded. When the network is
  unreachable and nothing could be downloaded, :class:`~xlsrc.errors.DataSourceError`
  says so and names the date the stored data runs to; formulas keep working on it.

Progress is reported through a callback ``progress(done, total, message)``:
:func:`tqdm_progress` makes one for the command line; the Excel macro writes the status
bar.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from ..errors import DataSourceError, UnknownUniverseError
from .backends.base import Store
from .ingest import ingest_bars
from .universes import STOCKS, normalise_tickers
from .yahoo import (
    Downloader,
    YFinanceDownloader,
    describe_error,
    is_connection_error,
    is_no_data,
    is_transient,
    to_long,
    validate_bars,
)

__all__ = [
    "DEFAULT_TOLERANCE",
    "HISTORY_START",
    "SOURCE",
    "Progress",
    "RefreshInterrupted",
    "RefreshSummary",
    "default_end",
    "refresh",
    "resolve_tickers",
    "tqdm_progress",
]

#: Provenance name of bars written by refresh.
SOURCE: Final = "yahoo"
#: Where a ticker with no stored bars starts (the bundled snapshot's OHLCV start).
HISTORY_START: Final = pd.Timestamp("2015-01-01")
#: Relative difference of the overlapping close above which history was re-adjusted.
#: Float noise in Yahoo's adjusted closes is ~1e-7; a quarterly dividend is >= ~1e-3.
DEFAULT_TOLERANCE: Final = 1e-4
#: US market data are final some time after the 16:00 close; before this hour (New York)
#: today's bar is partial and is not downloaded.
FINAL_HOUR_NY: Final = 18
_NY: Final = ZoneInfo("America/New_York")

#: ``progress(done, total, message)``: ``done`` tickers of ``total`` handled so far.
Progress = Callable[[int, int, str], None]


class RefreshInterrupted(KeyboardInterrupt):
    """Ctrl-C during a refresh: committed batches stay; ``summary`` says what was done."""

    def __init__(self, summary: RefreshSummary) -> None:
        super().__init__(str(summary))
        self.summary = summary


@dataclass
class RefreshSummary:
    """What a refresh did.

    Attributes
    ----------
    requested : list of str
        The tickers asked for (normalised).
    updated : list of str
        Tickers that got new bars (or a replaced history).
    rows_added : int
        Bars written for days the store did not hold.
    replaced : list of str
        Tickers whose history was re-adjusted by Yahoo and replaced.
    up_to_date : list of str
        Tickers downloaded with nothing new.
    failures : dict of str to str
        Ticker -> why it was not updated.
    last_date : pandas.Timestamp or None
        The latest stored bar date after the refresh.
    offline : bool
        Nothing was downloaded on purpose.
    interrupted : bool
        Stopped by Ctrl-C; committed batches are kept, the rest is not done.
    network_lost : bool
        The network went away part-way; the remaining tickers were not tried.
    batches : int
        Batches downloaded (committed or empty).
    seconds : float
        Wall time.
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

    @property
    def ok(self) -> bool:
        """True when nothing failed and the run was complete."""
        return not self.failures and not self.interrupted and not self.network_lost

    def __str__(self) -> str:
        upto = f"{self.last_date:%Y-%m-%d}" if self.last_date is not None else "no date"
        if self.offline:
            return f"Offline: nothing downloaded; formulas use the stored data up to {upto}."
        parts = [
            f"{len(self.updated)} of {len(self.requested)} tickers updated",
            f"{self.rows_added:,} rows added",
        ]
        if self.replaced:
            parts.append(f"{len(self.replaced)} re-adjusted histories replaced")
        if self.up_to_date:
            parts.append(f"{len(self.up_to_date)} already up to date")
        text = "Refresh: " + ", ".join(parts) + f"; data up to {upto}."
        if self.failures:
            shown = list(self.failures.items())[:5]
            text += f" {len(self.failures)} failed: " + "; ".join(f"{t} ({r})" for t, r in shown)
            if len(self.failures) > len(shown):
                text += f"; and {len(self.failures) - len(shown)} more"
            text += "."
        if self.network_lost:
            text += " Network lost part-way: run refresh again to resume."
        if self.interrupted:
            text += " Interrupted: committed batches are kept; run refresh again to resume."
        return text


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
    return today + pd.Timedelta(days=1) if local.hour >= FINAL_HOUR_NY else today


def _as_dates(raw: Any) -> dict[str, pd.Timestamp]:
    """Turn whatever ``last_dates()`` returns into ``{ticker: Timestamp}``."""
    if raw is None:
        return {}
    if isinstance(raw, pd.DataFrame):
        col = "date" if "date" in raw.columns else raw.columns[-1]
        raw = raw.set_index("ticker")[col] if "ticker" in raw.columns else raw[col]
    items = raw.items() if hasattr(raw, "items") else raw
    return {
        str(k): pd.Timestamp(v).normalize() for k, v in items if v is not None and not pd.isna(v)
    }


def _stored_closes(store: Store, wanted: dict[str, pd.Timestamp]) -> dict[str, float]:
    """Return the stored close of each ticker on the given date."""
    if not wanted:
        return {}
    bars = store.read_bars(
        tickers=list(wanted), start=min(wanted.values()), end=max(wanted.values())
    )
    if bars is None or len(bars) == 0:
        return {}
    bars = bars.reset_index() if "ticker" not in bars.columns else bars
    out = {}
    for rec in bars[["ticker", "date", "close"]].itertuples(index=False):
        t = str(rec.ticker)
        if (
            t in wanted
            and pd.Timestamp(rec.date).normalize() == wanted[t]
            and np.isfinite(rec.close)
        ):
            out[t] = float(rec.close)
    return out


def _first_dates(store: Store, tickers: Sequence[str]) -> dict[str, pd.Timestamp]:
    """Return the first stored date of each ticker (the start of a full re-download)."""
    bars = store.read_bars(list(tickers))
    if len(bars) == 0:
        return {}
    return {
        str(t): pd.Timestamp(d).normalize() for t, d in bars.groupby("ticker")["date"].min().items()
    }


def resolve_tickers(
    store: Store, tickers: Iterable[str] = (), universes: Iterable[str] = ()
) -> list[str]:
    """Return the tickers to refresh: those given plus the members of named universes.

    Parameters
    ----------
    store : Store
        Holds the universes (``universe_members``) and securities.
    tickers : iterable of str
        Tickers in any spelling.
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
    """
    names: list[str] = list(tickers)
    for uni in universes:
        key = uni.strip().lower()
        if key == STOCKS:
            sec = store.securities()
            names += sorted(sec.index[sec["type"] == "stock"])
        elif key == "all":
            names += sorted(_as_dates(store.last_days()))
        else:
            stored = store.universes()
            if key not in stored:
                raise UnknownUniverseError(
                    name=uni, known=", ".join([STOCKS, "all", *sorted(stored)])
                )
            names += list(stored[key])
    return normalise_tickers(names)


def _backoff(attempt: int, base: float, cap: float) -> float:
    return float(min(cap, base * 2 ** (attempt - 1)))


@dataclass
class _Run:
    """Mutable state of one refresh."""

    store: Store
    downloader: Downloader
    end: pd.Timestamp | None
    sleep: Callable[[float], None]
    max_retries: int
    backoff_base: float
    backoff_cap: float
    tolerance: float
    history_start: pd.Timestamp
    summary: RefreshSummary
    succeeded_any: bool = False
    last_error: BaseException | None = None

    def download(
        self, tickers: list[str], start: pd.Timestamp | None
    ) -> tuple[pd.DataFrame, dict[str, str]]:
        """Download with retries; return good (validated) bars and failures.

        Raises ``_NetworkDownError`` when the transport keeps failing with connection errors.
        """
        pending = list(tickers)
        failures: dict[str, str] = {}
        good: list[pd.DataFrame] = []
        attempt = 0
        while pending:
            try:
                frame = self.downloader(pending, start, self.end)
            except Exception as exc:
                self.last_error = exc
                if is_transient(exc) and attempt < self.max_retries:
                    attempt += 1
                    self.sleep(_backoff(attempt, self.backoff_base, self.backoff_cap))
                    continue
                reason = describe_error(exc)
                if is_transient(exc):
                    reason += f" (gave up after {attempt} retries)"
                if is_connection_error(exc):
                    raise _NetworkDownError(reason, pending) from exc
                failures.update(dict.fromkeys(pending, reason))
                break
            parsed = to_long(frame, pending)
            errors = (
                {str(k).upper(): str(v) for k, v in frame.attrs.get("errors", {}).items()}
                if frame is not None
                else {}
            )
            retry = [t for t in parsed.failures if is_transient(errors.get(t.upper(), ""))]
            if (
                not good
                and not failures
                and len(parsed.failures) == len(pending)
                and all(_came_back_empty(t, parsed.failures, errors) for t in pending)
            ):
                # Nothing of the batch came back, every ticker "possibly delisted" (or no
                # reason): without a network yfinance says exactly that for each ticker.
                # A whole batch of delistings is far less likely: treat it as transient.
                said = next((errors[t.upper()] for t in pending if errors.get(t.upper())), "")
                reason = (
                    "no data from Yahoo for any ticker of the batch: probably no network "
                    f"or a rate limit (yfinance said: {said or 'nothing'})"
                )
                if attempt >= self.max_retries:
                    raise _NetworkDownError(f"{reason}; gave up after {attempt} retries", pending)
                attempt += 1
                self.sleep(_backoff(attempt, self.backoff_base, self.backoff_cap))
                continue
            for t, reason in parsed.failures.items():
                if t not in retry:
                    failures[t] = reason
            checked, rejected = validate_bars(parsed.bars)
            for t, problem in rejected.items():
                failures[t] = f"rejected: {problem}"
            if len(checked):
                good.append(checked)
                self.succeeded_any = True
            pending = retry
            if pending:
                if attempt >= self.max_retries:
                    for t in pending:
                        failures[t] = parsed.failures[t] + f" (gave up after {attempt} retries)"
                    break
                attempt += 1
                self.sleep(_backoff(attempt, self.backoff_base, self.backoff_cap))
        bars = pd.concat(good, ignore_index=True) if good else parsed_empty()
        return bars, failures


def _came_back_empty(ticker: str, failures: dict[str, str], errors: dict[str, str]) -> bool:
    """Whether nothing came back for ``ticker`` and yfinance blamed the ticker (or nothing).

    "possibly delisted; no timezone found" and friends, no message at all, or a transient
    one; not an unreadable response or another error.
    """
    if not failures.get(ticker, "").startswith("no data from Yahoo"):
        return False
    said = errors.get(ticker.upper(), "")
    return is_no_data(said) or is_transient(said)


class _NetworkDownError(Exception):
    def __init__(self, reason: str, tickers: list[str]) -> None:
        super().__init__(reason)
        self.reason = reason
        self.tickers = tickers


def parsed_empty() -> pd.DataFrame:
    """Return an empty long bar frame."""
    return to_long(None, []).bars


def _plan(
    tickers: list[str],
    last: dict[str, pd.Timestamp],
    since: pd.Timestamp | None,
    history_start: pd.Timestamp,
    end: pd.Timestamp | None,
) -> tuple[list[tuple[str, pd.Timestamp]], list[str]]:
    """Each ticker's download start; tickers with nothing to download."""
    plan, current = [], []
    for t in tickers:
        if t in last:
            start = last[t] if since is None or since >= last[t] else since
        else:
            start = since if since is not None else history_start
        if end is not None and start >= end:
            current.append(t)
        else:
            plan.append((t, start))
    plan.sort(key=lambda item: (item[1], item[0]))
    return plan, current


def _write(run: _Run, bars: pd.DataFrame, replace: bool) -> list[str]:
    """Store bars through the validation gate; return the tickers it refused (reported)."""
    result = ingest_bars(
        run.store, bars.reset_index(drop=True), SOURCE, policy="ticker", replace=replace
    )
    for ticker, reason in result.refused.items():
        run.summary.failures[ticker] = f"refused: {reason}"
    return list(result.refused)


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
) -> RefreshSummary:
    """Download what the store is missing for ``tickers`` and store it, batch by batch.

    Parameters
    ----------
    store : Store
        The store to update (``last_dates``, ``read_bars``, ``write_bars``).
    tickers : iterable of str
        Tickers in any spelling (normalised, repeats dropped).
    since : str or Timestamp, optional
        Start for tickers the store does not hold (default ``history_start``); for a
        stored ticker, an earlier ``since`` re-downloads (and overwrites) from that day.
    end : str or Timestamp, optional
        First day *not* downloaded (default :func:`default_end`: today, or tomorrow after
        18:00 New York time).
    progress : callable, optional
        ``progress(done, total, message)`` after each batch and at the end.
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
        Relative difference of the overlapping day's close that counts as a re-adjusted
        history.
    history_start : str or Timestamp
        Start of a new ticker's (or a replaced) history when nothing else says.
    offline : bool
        Download nothing; return a summary saying what the stored data cover.

    Returns
    -------
    RefreshSummary
        What was done; ``str()`` of it is a short report.

    Raises
    ------
    DataSourceError
        When the network is unreachable and nothing could be downloaded.
    RefreshInterrupted
        On Ctrl-C (a ``KeyboardInterrupt``, carrying the summary so far).
    """
    clock = time.perf_counter()
    names = normalise_tickers(tickers)
    summary = RefreshSummary(requested=list(names))
    last = _as_dates(store.last_days())

    def latest() -> pd.Timestamp | None:
        dates = _as_dates(store.last_days())
        return max(dates.values()) if dates else None

    if offline:
        summary.offline = True
        summary.last_date = max(last.values()) if last else None
        return summary
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")

    end_ts = default_end() if end is None else pd.Timestamp(end).normalize()
    since_ts = None if since is None else pd.Timestamp(since).normalize()
    start_default = pd.Timestamp(history_start).normalize()
    plan, current = _plan(names, last, since_ts, start_default, end_ts)
    summary.up_to_date.extend(current)
    run = _Run(
        store=store,
        downloader=downloader or YFinanceDownloader(),
        end=end_ts,
        sleep=sleep,
        max_retries=max_retries,
        backoff_base=backoff_base,
        backoff_cap=backoff_cap,
        tolerance=tolerance,
        history_start=start_default,
        summary=summary,
    )
    total = len(names)
    done = len(current)
    batches = [plan[i : i + batch_size] for i in range(0, len(plan), batch_size)]
    try:
        for number, batch in enumerate(batches, start=1):
            if number > 1 and pause > 0:
                sleep(pause)
            batch_tickers = [t for t, _ in batch]
            start = min(s for _, s in batch)
            if progress:
                progress(
                    done,
                    total,
                    f"batch {number}/{len(batches)}: {batch_tickers[0]}..{batch_tickers[-1]}",
                )
            try:
                _refresh_batch(run, batch, start, last)
            except _NetworkDownError as down:
                for t in down.tickers:
                    summary.failures[t] = down.reason
                if not run.succeeded_any:
                    upto = f"{max(last.values()):%Y-%m-%d}" if last else "(no data stored)"
                    raise DataSourceError(
                        "No network: could not reach Yahoo Finance "
                        f"({down.reason}); formulas keep working on the stored data up to {upto}"
                    ) from down.__cause__
                summary.network_lost = True
                for t, _ in [item for later in batches[number:] for item in later]:
                    summary.failures[t] = "not tried: network lost"
                break
            summary.batches += 1
            done += len(batch)
    except KeyboardInterrupt as exc:
        summary.interrupted = True
        summary.last_date = latest()
        summary.seconds = time.perf_counter() - clock
        raise RefreshInterrupted(summary) from exc
    summary.last_date = latest()
    summary.seconds = time.perf_counter() - clock
    if progress:
        progress(total, total, str(summary))
    return summary


def _refresh_batch(
    run: _Run,
    batch: list[tuple[str, pd.Timestamp]],
    start: pd.Timestamp,
    last: dict[str, pd.Timestamp],
) -> None:
    """Download one batch, write its new bars in one transaction, then replace re-adjusted ones."""
    summary = run.summary
    tickers = [t for t, _ in batch]
    starts = dict(batch)
    bars, failures = run.download(tickers, start)
    summary.failures.update(failures)
    overlap = {t: last[t] for t in tickers if t in last and t not in failures}
    stored = _stored_closes(run.store, overlap)

    keep: list[pd.DataFrame] = []
    readjusted: list[str] = []
    added: dict[str, int] = {}
    for t, rows in bars.groupby("ticker", sort=False):
        t = str(t)
        if t not in starts:
            continue
        if t in overlap and t in stored:
            same_day = rows.loc[rows["date"] == overlap[t], "close"]
            if len(same_day) and abs(float(same_day.iloc[0]) / stored[t] - 1.0) > run.tolerance:
                readjusted.append(t)
                continue
        if t in last:
            cutoff = starts[t] if starts[t] < last[t] else last[t] + pd.Timedelta(days=1)
        else:
            cutoff = starts[t]
        new = rows[rows["date"] >= cutoff]
        if len(new) == 0:
            summary.up_to_date.append(t)
            continue
        keep.append(new)
        added[t] = int((new["date"] > last[t]).sum()) if t in last else len(new)
    for t in tickers:
        if (
            t not in failures
            and t not in added
            and t not in readjusted
            and t not in summary.up_to_date
        ):
            summary.up_to_date.append(t)
    if keep:
        refused = set(_write(run, pd.concat(keep, ignore_index=True), replace=False))
        summary.updated.extend(t for t in added if t not in refused)
        summary.rows_added += sum(n for t, n in added.items() if t not in refused)
    if readjusted:
        _replace_histories(run, readjusted, last)


def _replace_histories(run: _Run, tickers: list[str], last: dict[str, pd.Timestamp]) -> None:
    """Download re-adjusted tickers' full history and replace it in one transaction."""
    summary = run.summary
    first = _first_dates(run.store, tickers)
    start = min([first.get(t, run.history_start) for t in tickers])
    bars, failures = run.download(tickers, start)
    for t, reason in failures.items():
        summary.failures[t] = f"history re-adjusted by Yahoo, full download failed: {reason}"
    # A replacement must cover what is stored: never swap a history for a shorter one.
    short = []
    for t, rows in bars.groupby("ticker", sort=False):
        t = str(t)
        if rows["date"].max() < last[t]:
            short.append(t)
            summary.failures[t] = (
                f"history re-adjusted by Yahoo, but the new history ends {rows['date'].max():%Y-%m-%d}, "
                f"before the stored {last[t]:%Y-%m-%d}: kept the stored one"
            )
    bars = bars[~bars["ticker"].isin(short)]
    if len(bars) == 0:
        return
    refused = set(_write(run, bars, replace=True))
    for t, rows in bars.groupby("ticker", sort=False):
        t = str(t)
        if t in refused:
            continue
        summary.replaced.append(t)
        summary.updated.append(t)
        summary.rows_added += int((rows["date"] > last[t]).sum())


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
