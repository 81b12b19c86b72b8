"""One refresh's state and its transport: download with retries, keep what is final, write.

:class:`RefreshRun` holds what a refresh needs between batches (the store, the
transport, the clock, the retry settings, the scan of the store and the summary so far).
Its :meth:`~RefreshRun.download` asks Yahoo with retries and backoff, carrying the
benchmark as a probe so that an empty answer can be told from a network failure
(:class:`NetworkDownError` when nothing comes back at all); :meth:`~RefreshRun.final`
keeps the bars that are final; :meth:`~RefreshRun.write` stores bars through the gate.
Planning the batches and deciding what to write is :mod:`xlsrc.data.refresh`'s.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Final

import pandas as pd

from .backends.base import Store
from .calendar import Calendar
from .ingest import IngestResult, ingest_bars
from .refresh_checks import StoreScan
from .refresh_summary import RefreshSummary
from .universes import normalise_ticker
from .yahoo import (
    Downloader,
    ParsedDownload,
    describe_error,
    is_connection_error,
    is_no_data,
    is_transient,
    to_long,
)

__all__ = ["SOURCE", "NetworkDownError", "RefreshRun"]

#: Provenance name of bars written by refresh.
SOURCE: Final = "yahoo"


def _backoff(attempt: int, base: float, cap: float) -> float:
    return float(min(cap, base * 2 ** (attempt - 1)))


class NetworkDownError(Exception):
    """Nothing came back from Yahoo: ``reason`` says why; ``tickers`` were not updated."""

    def __init__(self, reason: str, tickers: list[str]) -> None:
        super().__init__(reason)
        self.reason = reason
        self.tickers = tickers


@dataclass
class RefreshRun:
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
    scan: StoreScan
    summary: RefreshSummary
    final_through: pd.Timestamp
    succeeded_any: bool = False
    network_checked: bool = False

    # ------------------------------------------------------------------ transport
    def download(
        self, tickers: list[str], start: pd.Timestamp | None, probe: str | None = None
    ) -> ParsedDownload:
        """Download with retries; return what came back for ``tickers`` and why not.

        ``probe`` (the benchmark, when not one of ``tickers``) is asked for in the same
        call so that an empty answer can be told from a network failure; its bars are
        not returned. Raises ``NetworkDownError`` when nothing comes back at all.
        """
        if not self.network_checked:
            # decided once, before the first call: a batch of 50 tickers offline makes
            # yfinance's threads wait on every name lookup (13 s for the default set,
            # against 2 s for one ticker); the lookup takes a fraction of a second
            self.network_checked = True
            self._give_up_if_unreachable(list(tickers))
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
                    raise NetworkDownError(reason, [t for t in pending if t != probe]) from exc
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
                    raise NetworkDownError(
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
        """Raise ``NetworkDownError`` at once when the transport says Yahoo is unreachable.

        Only before anything came back in this refresh: a transport with an
        ``unreachable()`` method (:func:`xlsrc.data.yahoo.unreachable`: Yahoo's names do
        not resolve and no proxy is set) turns half a minute of backoff into a lookup.
        Asked before the first download and again when a download fails.
        """
        check = getattr(self.downloader, "unreachable", None)
        if self.succeeded_any or check is None:
            return
        reason = check()
        if reason:
            raise NetworkDownError(reason, tickers)

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
