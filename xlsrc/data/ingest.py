"""The one write path for bars: check against the gate, then write in one transaction.

Every provider (Yahoo refresh, CSV import, a direct call from Python) stores bars through
:func:`ingest_bars`. It reads the stored neighbours of the new bars (so the junction
between stored and new closes is checked too), runs :func:`xlsrc.data.validate.check_bars`
and applies the provider's *policy* to the problems:

- ``policy="all"`` (a file, a direct call): any problem refuses the whole input with
  :class:`~xlsrc.errors.BarsRefusedError` (its ``problems`` name every row); nothing is
  written.
- ``policy="ticker"`` (a Yahoo batch): a ticker with any problem is left out whole and
  reported; the other tickers are written.

Nothing is written unless something passes, and what is written is one transaction, so
a refused or failed input leaves the store exactly as it was.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

import pandas as pd

from ..errors import BarsRefusedError, InvalidParameterError
from .backends.base import Store
from .calendar import Calendar, get_calendar
from .schema import WriteResult
from .universes import normalise_ticker
from .validate import BarProblem, check_bars

__all__ = ["NEIGHBOUR_SESSIONS", "IngestResult", "ingest_bars"]

#: How many sessions before the first new bar (and after the last) the stored
#: neighbours are looked for, to check the junction between stored and new closes.
NEIGHBOUR_SESSIONS = 63


@dataclass
class IngestResult:
    """What :func:`ingest_bars` did.

    Attributes
    ----------
    write : WriteResult or None
        The committed write, or None when nothing was written.
    tickers : dict
        Ticker -> (bars written, first session, last session).
    problems : list of BarProblem
        Every problem found (with ``policy="ticker"``: those of the refused tickers).
    refused : dict
        Ticker -> the first problem's message, for tickers left out.
    """

    write: WriteResult | None
    tickers: dict[str, tuple[int, pd.Timestamp, pd.Timestamp]] = field(default_factory=dict)
    problems: list[BarProblem] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        """Bars written."""
        return 0 if self.write is None else self.write.rows


def _neighbours(
    store: Store, frame: pd.DataFrame, calendar: Calendar, replace: bool
) -> pd.DataFrame | None:
    """Return the stored closes around the new bars' sessions (for the junction check)."""
    dates = pd.to_datetime(pd.Series(frame["date"]), errors="coerce")
    if getattr(dates.dt, "tz", None) is not None or dates.notna().sum() == 0:
        return None
    names = [_ticker_or_none(t) for t in frame["ticker"]]
    tickers = sorted({t for t in names if t is not None})
    if not tickers:
        return None
    lo, hi = dates.min(), dates.max()
    before = calendar.sessions_in_range(lo - pd.Timedelta(days=NEIGHBOUR_SESSIONS * 2), lo)
    after = calendar.sessions_in_range(hi, hi + pd.Timedelta(days=NEIGHBOUR_SESSIONS * 2))
    start = before[max(0, len(before) - NEIGHBOUR_SESSIONS - 1)] if len(before) else lo
    end = after[min(len(after) - 1, NEIGHBOUR_SESSIONS)] if len(after) and not replace else hi
    stored = store.read_bars(tickers, start=start, end=end)
    if replace and len(stored):
        firsts = dates.groupby([t if t is not None else "" for t in names]).min()
        since = stored["ticker"].map(firsts)
        stored = stored[~(since.notna() & (stored["date"] >= since))]
    return stored[["ticker", "date", "close"]]


def _ticker_or_none(text: object) -> str | None:
    """Normalise a ticker, or None when it is not one (the gate reports it)."""
    try:
        return normalise_ticker(text)
    except InvalidParameterError:
        return None


def ingest_bars(
    store: Store,
    frame: pd.DataFrame,
    source: str,
    *,
    policy: Literal["all", "ticker"] = "all",
    replace: bool = False,
    allow_jumps: bool | Iterable[tuple[str, object]] = False,
    splits: Mapping[str, Mapping[pd.Timestamp, float]] | None = None,
    description: str | None = None,
    fetched_at: datetime | str | None = None,
    now: datetime | None = None,
    calendar: Calendar | None = None,
) -> IngestResult:
    """Check bars against the gate and write what passes in one transaction.

    Parameters
    ----------
    store : Store
        Where to write.
    frame : pd.DataFrame
        Long bars (``ticker``, ``date`` as session dates, ``close`` + any other field).
    source : str
        The provider's name recorded with every row (``yahoo``, ``csv:<file>``).
    policy : {"all", "ticker"}
        What a problem refuses: the whole input, or the ticker it belongs to.
    replace : bool
        Each ticker's history from its first new session on is replaced.
    allow_jumps, splits
        See :func:`xlsrc.data.validate.check_bars`.
    description : str, optional
        Recorded for a new source.
    fetched_at : datetime or str, optional
        When the data were fetched (default now).
    now : datetime, optional
        The current time for the "after the last closed session" rule (default now, UTC).
    calendar : Calendar, optional
        Default :func:`xlsrc.data.calendar.get_calendar`.

    Returns
    -------
    IngestResult

    Raises
    ------
    BarsRefusedError
        With ``policy="all"``, if any bar breaks a rule (nothing is written).
    StoreError
        If the write fails (nothing is written).
    """
    moment = now or datetime.now(UTC)
    cal = calendar or get_calendar(through=moment)
    neighbours = _neighbours(store, frame, cal, replace) if len(frame) else None
    valid, problems = check_bars(
        frame,
        calendar=cal,
        now=moment,
        neighbours=neighbours,
        splits=splits,
        allow_jumps=allow_jumps,
    )
    result = IngestResult(write=None, problems=problems)
    if problems and policy == "all":
        raise BarsRefusedError(problems)
    bars = valid
    if problems:
        bad = {p.ticker for p in problems}
        for p in problems:
            result.refused.setdefault(p.ticker, p.message)
        bars = valid.without(bad)
    if len(bars) == 0:
        return result
    result.write = store.write_bars(
        bars, source, fetched_at=fetched_at, replace=replace, description=description
    )
    result.tickers = {
        str(t): (len(g), pd.Timestamp(g["date"].min()), pd.Timestamp(g["date"].max()))
        for t, g in bars.frame.groupby("ticker", sort=True)
    }
    return result
