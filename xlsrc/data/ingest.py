"""The one write path for bars: check against the gate, then write in one transaction.

Every provider (Yahoo refresh, CSV import, a direct call from Python) stores bars through
:func:`ingest_bars`. It reads the stored bars of the input's tickers around and under the
new ones, runs :func:`xlsrc.data.validate.check_bars` (so the junction between stored and
new closes, and the overlap with stored days, are checked too) and applies the provider's
*policy* to the problems:

- ``policy="all"`` (a file, a direct call): any problem refuses the whole input with
  :class:`~xlsrc.errors.BarsRefusedError` (its ``problems`` name every row); nothing is
  written.
- ``policy="ticker"`` (a Yahoo batch): a ticker with any problem is left out whole and
  reported; the other tickers are written.

Nothing is written unless something passes, and what is written is one transaction, so
a refused or failed input leaves the store exactly as it was.

**An upsert merges per field.** A stored day the input also has gets the input's values
for the fields the input *has*; a field the input does not have, as a column or in that
day's cell (an empty volume cell), keeps the stored value of that day (a file of closes
keeps the stored volume of its days: an empty cell is not a volume of nothing, and
dropping the stored one would change every relative volume that reads that day). A
replaced history (``replace=True``) takes the input's cells as they are. Open, high and low are prices of the
close's basis: a new close given without them keeps the stored ones only where it lies
within the stored low..high (else they described another close and become unknown). The
result says which stored days were overwritten and the largest change of a close
(:class:`Overwritten`), so another adjustment basis is seen, not silently spliced in (a
systematic difference over many days is refused by the gate's rule ``basis``).

**The market's ends.** The market's latest session is the benchmark's last bar and its
first session the benchmark's first bar (:mod:`xlsrc.data.matrices`). The result says
when a write moves the latest session (:class:`SessionMove`: the old and new day, and how
many tickers have a bar on the new one) and counts the bars it stored before the first
session (stored, not used). A write in which the benchmark is the *only* ticker with bars
after the latest session, to a day no other ticker has a stored bar on either, would move
every ticker's "today" to a day on which they have no bar (they carry their last close: a
1D return of 0.0 everywhere, a day more in every volatility); it is refused (rule
``latest``) unless ``move_latest`` is given: an import of SPY's newest bars alone is
almost always a file newer than the rest of the data, not a wish to age every other
ticker by a day. A refresh passes it: it always brings the benchmark along with the
tickers asked for, and says what moved.

Size: about 630 lines: :func:`ingest_bars` and the result types whose sentences
(:meth:`IngestResult.lines`, :class:`Overwritten`, :class:`SessionMove`) say what it
decided; each result field is filled by one step of :func:`ingest_bars`, so the two
are read together.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final, Literal

import numpy as np
import pandas as pd

from ..errors import BarsRefusedError, InvalidParameterError
from ..periods import DEFAULT_BENCHMARK
from .backends.base import Store
from .calendar import Calendar, get_calendar
from .matrices import latest_session_of, tickers_with_bar_on
from .schema import BAR_FIELDS, WriteResult
from .universes import normalise_ticker
from .validate import PRICE_TOLERANCE, BarProblem, check_bars

__all__ = [
    "NEIGHBOUR_SESSIONS",
    "SAME_CLOSE",
    "IngestResult",
    "Overwritten",
    "SessionMove",
    "ingest_bars",
]

#: How many sessions before the first new bar (and after the last) the stored
#: neighbours are looked for, to check the junction between stored and new closes.
NEIGHBOUR_SESSIONS: Final = 63
#: Relative change below which an overwritten close counts as unchanged (float noise).
SAME_CLOSE: Final = 1e-6
#: A new volume of a stored day this many times the stored one, or 1/this, is refused
#: without ``--overwrite`` (:func:`_volume_jumps`).
VOLUME_STEP: Final = 10.0
#: Fields that describe prices of the close's basis (kept with a new close only if it
#: lies within the stored low..high).
_RANGE_FIELDS: Final = ("open", "high", "low")


@dataclass(frozen=True)
class Overwritten:
    """Stored days of one ticker that a write overwrote or removed.

    Attributes
    ----------
    days : int
        Stored days the new bars also have (their stored bars overwritten field by field).
    changed : int
        Of them, the days whose close changed (relative change over :data:`SAME_CLOSE`).
    largest : tuple or None
        ``(day, stored close, new close)`` of the largest relative change of a close;
        None when no close changed.
    removed : int
        Stored days a replaced history dropped (on or after its first new day, not in the
        new bars).
    kept : tuple of str
        Fields the input lacked that the overwritten days kept from the store.
    junction : tuple or None
        For a replaced history: ``(last stored day before it, its close, first new day,
        its close)``, the step where the kept history meets the new one (another
        adjustment basis shows there).
    """

    days: int
    changed: int
    largest: tuple[pd.Timestamp, float, float] | None
    removed: int = 0
    kept: tuple[str, ...] = ()
    junction: tuple[pd.Timestamp, float, pd.Timestamp, float] | None = None

    def describe(self, ticker: str) -> str:
        """One sentence, e.g. ``3 stored days of ICHR overwritten; largest change -6.1% ...``."""
        parts = []
        if self.days:
            head = f"{_count(self.days, 'stored day', 'stored days')} of {ticker} overwritten"
            if self.largest is None:
                head += " with the same closes"
            else:
                day, old, new = self.largest
                changed = (
                    f"{self.changed:,} closes changed, the largest "
                    if self.changed > 1
                    else "1 close changed: "
                )
                head += f"; {changed}{new / old - 1:+.1%} on {day:%Y-%m-%d}: {old:g} -> {new:g}"
            if self.kept:
                head += f" ({', '.join(self.kept)} kept from the store: the input has none)"
            parts.append(head)
        if self.removed:
            parts.append(
                f"{_count(self.removed, 'stored day', 'stored days')} of {ticker} removed "
                "(the replaced history does not have them)"
            )
        if parts and self.junction is not None:
            d0, a, d1, b = self.junction
            parts.append(
                f"the kept history meets the new one with a step of {b / a - 1:+.1%} "
                f"({d0:%Y-%m-%d} {a:g} -> {d1:%Y-%m-%d} {b:g})"
            )
        return "; ".join(parts)


@dataclass(frozen=True)
class SessionMove:
    """The market's latest session before and after a write that moved it.

    Attributes
    ----------
    before, after : pd.Timestamp or None
        The latest session (the benchmark's last bar) before and after.
    with_bar : int
        Tickers with a bar on ``after``.
    tickers : int
        Tickers with any bar.
    benchmark : str
        The ticker whose last bar is the latest session.
    closes : tuple of float or None
        The benchmark's close on ``before`` and on ``after``, when both are known.
    """

    before: pd.Timestamp | None
    after: pd.Timestamp | None
    with_bar: int
    tickers: int
    benchmark: str = DEFAULT_BENCHMARK
    closes: tuple[float, float] | None = None

    def __str__(self) -> str:
        if self.after is None:
            return "The store holds no bars any more."
        if self.before is None:
            return f"The market's latest session is {self.after:%Y-%m-%d}."
        step = ""
        if self.closes is not None:
            a, b = self.closes
            step = f" ({self.benchmark} {a:g} -> {b:g}, {b / a - 1:+.1%})"
        if self.after < self.before:
            return (
                f"The market's latest session moves back from {self.before:%Y-%m-%d} to "
                f"{self.after:%Y-%m-%d}, the last bar of the benchmark {self.benchmark}: "
                "later bars are stored but not used until it has them too."
            )
        head = (
            f"The market's latest session moves from {self.before:%Y-%m-%d} to "
            f"{self.after:%Y-%m-%d}{step}: "
        )
        if self.with_bar >= self.tickers:
            return head + f"all {self.tickers:,} tickers have a bar that day."
        has = "has" if self.with_bar == 1 else "have"
        return head + (
            f"{self.with_bar:,} of {self.tickers:,} tickers {has} a bar that day; the others "
            "carry their last close until refreshed."
        )


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
    overwritten : dict of str to Overwritten
        Ticker -> the stored days the write overwrote or removed (tickers with any).
    moved : SessionMove or None
        The market's latest session, when the write moved it.
    first_session : pd.Timestamp or None
        The market's first session after the write (the benchmark's first bar), when bars
        were written before it; else None.
    before_first : dict of str to int
        Ticker -> bars written before ``first_session`` (stored, not used).
    """

    write: WriteResult | None
    tickers: dict[str, tuple[int, pd.Timestamp, pd.Timestamp]] = field(default_factory=dict)
    problems: list[BarProblem] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)
    overwritten: dict[str, Overwritten] = field(default_factory=dict)
    moved: SessionMove | None = None
    first_session: pd.Timestamp | None = None
    before_first: dict[str, int] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        """Bars written."""
        return 0 if self.write is None else self.write.rows

    def lines(self, shown: int = 5) -> list[str]:
        """Sentences about what the write changed besides adding bars (for summaries).

        Overwritten and removed stored days (``shown`` tickers, then a count), the move of
        the market's latest session, and bars before its first session.
        """
        out = []
        items = [(t, o.describe(t)) for t, o in self.overwritten.items()]
        out += [text + "." for _, text in items[:shown]]
        if len(items) > shown:
            rest = sum(o.days for o in list(self.overwritten.values())[shown:])
            out.append(
                f"And {len(items) - shown} more tickers with overwritten days "
                f"({_count(rest, 'stored day', 'stored days')})."
            )
        if self.moved is not None:
            out.append(str(self.moved))
        if self.before_first and self.first_session is not None:
            n = sum(self.before_first.values())
            per = ", ".join(f"{t} {k:,}" for t, k in list(self.before_first.items())[:shown])
            more = (
                f" and {len(self.before_first) - shown} more"
                if len(self.before_first) > shown
                else ""
            )
            out.append(
                f"{_count(n, 'bar', 'bars')} before {self.first_session:%Y-%m-%d}, the "
                f"benchmark's first session, {'is' if n == 1 else 'are'} stored but not "
                f"used ({per}{more})."
            )
        return out


def _count(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def _ticker_or_none(text: object) -> str | None:
    """Normalise a ticker, or None when it is not one (the gate reports it)."""
    try:
        return normalise_ticker(text)
    except InvalidParameterError:
        return None


def _keys(frame: pd.DataFrame) -> tuple[list[str | None], pd.Series]:
    """Each input row's ticker (normalised, or None) and date (NaT where unreadable)."""
    names = [_ticker_or_none(t) for t in frame["ticker"]]
    dates = pd.to_datetime(pd.Series(frame["date"]).reset_index(drop=True), errors="coerce")
    if getattr(dates.dt, "tz", None) is not None:
        dates = pd.Series(pd.NaT, index=dates.index, dtype="datetime64[ns]")
    return names, dates


def _read_stored(
    store: Store,
    tickers: list[str],
    dates: pd.Series,
    calendar: Calendar,
    replace: bool,
    benchmark: str,
) -> pd.DataFrame:
    """Return the stored bars of ``tickers`` (and the benchmark) around and under the new ones.

    From :data:`NEIGHBOUR_SESSIONS` sessions before the first new day to as many after the
    last (with ``replace``: to the end of the stored history, whose days it removes).
    """
    lo, hi = dates.min(), dates.max()
    before = calendar.sessions_in_range(lo - pd.Timedelta(days=NEIGHBOUR_SESSIONS * 2), lo)
    after = calendar.sessions_in_range(hi, hi + pd.Timedelta(days=NEIGHBOUR_SESSIONS * 2))
    start = before[max(0, len(before) - NEIGHBOUR_SESSIONS - 1)] if len(before) else lo
    end = (
        None if replace else (after[min(len(after) - 1, NEIGHBOUR_SESSIONS)] if len(after) else hi)
    )
    names = sorted({*tickers, benchmark})
    return store.read_bars(names, start=start, end=end)


def _merge_absent(
    frame: pd.DataFrame,
    names: list[str | None],
    dates: pd.Series,
    stored: pd.DataFrame,
    present: set[str],
    replace: bool = False,
) -> tuple[pd.DataFrame, dict[str, set[str]]]:
    """Fill the fields the input lacks from the stored bars of the same days (module docstring).

    A field is lacking on a day when the input has no such column, or (``replace``
    False) an empty cell in it. The close is never filled (an empty close is refused by
    the gate).

    Returns the frame with every bar field and, per ticker, the fields that kept a stored
    value on some day.
    """
    out = frame.reset_index(drop=True).copy()
    absent = [f for f in BAR_FIELDS if f not in present]
    for f in absent:
        out[f] = np.nan
    if not replace:  # an empty cell of a column the input has: lacking on that day
        absent += [f for f in BAR_FIELDS if f in present and f != "close" and out[f].isna().any()]
    if not absent or len(stored) == 0:
        return out, {}
    key = pd.MultiIndex.from_arrays([[n or "" for n in names], dates])
    old = stored.drop_duplicates(["ticker", "date"], keep="last").set_index(["ticker", "date"])
    at = old.index.get_indexer(key)
    hit = at >= 0
    if not hit.any():
        return out, {}
    new_close = pd.to_numeric(out["close"], errors="coerce").to_numpy(dtype=np.float64)
    rows = np.flatnonzero(hit)
    src = at[hit]
    low = old["low"].to_numpy(dtype=np.float64)[src]
    high = old["high"].to_numpy(dtype=np.float64)[src]
    close = new_close[rows]
    slack = PRICE_TOLERANCE * np.abs(close)
    inside = ~(close < low - slack) & ~(close > high + slack)  # a missing bound does not bind
    owners = np.asarray([names[i] or "" for i in rows], dtype=object)
    kept: dict[str, set[str]] = {}
    for f in absent:
        values = old[f].to_numpy(dtype=np.float64)[src]
        if f in _RANGE_FIELDS and "close" in present:
            values = np.where(inside, values, np.nan)
        lacking = out[f].isna().to_numpy()[rows]  # the input's own values stand
        values = np.where(lacking, values, np.nan)
        if f in present:  # its cells stay as the input wrote them, for the gate to judge
            column = out[f].astype(object)
            column.iloc[rows[lacking]] = values[lacking]
            out[f] = column.infer_objects()
        else:
            column = out[f].to_numpy(dtype=np.float64, copy=True)
            column[rows] = values
            out[f] = column
        for t in set(owners[np.isfinite(values)]):
            kept.setdefault(str(t), set()).add(f)
    return out, kept


def _overwritten(
    written: pd.DataFrame,
    stored: pd.DataFrame,
    replace: bool,
    kept: dict[str, set[str]],
) -> dict[str, Overwritten]:
    """Describe, per ticker, the stored days the written bars overwrote or removed."""
    if len(stored) == 0:
        return {}
    tickers = set(written["ticker"])
    old = stored[stored["ticker"].isin(tickers)].drop_duplicates(["ticker", "date"], keep="last")
    if len(old) == 0:
        return {}
    both = written[["ticker", "date", "close"]].merge(
        old[["ticker", "date", "close"]], on=["ticker", "date"], suffixes=("", "_stored")
    )
    out: dict[str, Overwritten] = {}
    firsts = written.groupby("ticker")["date"].min()
    for t in sorted(tickers):
        g = both[both["ticker"] == t]
        removed = 0
        if replace:
            mine = old[(old["ticker"] == t) & (old["date"] >= firsts[t])]
            removed = int((~mine["date"].isin(written.loc[written["ticker"] == t, "date"])).sum())
        if len(g) == 0 and not removed:
            continue
        new = g["close"].to_numpy(dtype=np.float64)
        was = g["close_stored"].to_numpy(dtype=np.float64)
        change = np.abs(new / was - 1.0)
        moved = change > SAME_CLOSE
        largest = None
        if moved.any():
            i = int(np.argmax(np.where(moved, change, -1.0)))
            largest = (pd.Timestamp(g["date"].iloc[i]), float(was[i]), float(new[i]))
        junction = None
        if replace:
            earlier = old[(old["ticker"] == t) & (old["date"] < firsts[t])]
            if len(earlier):
                first_new = written[(written["ticker"] == t) & (written["date"] == firsts[t])]
                junction = (
                    pd.Timestamp(earlier["date"].iloc[-1]),
                    float(earlier["close"].iloc[-1]),
                    pd.Timestamp(firsts[t]),
                    float(first_new["close"].iloc[0]),
                )
        out[t] = Overwritten(
            days=len(g),
            changed=int(moved.sum()),
            largest=largest,
            removed=removed,
            kept=tuple(f for f in BAR_FIELDS if f in kept.get(t, ())) if len(g) else (),
            junction=junction,
        )
    return out


def _close_on(bars: pd.DataFrame, ticker: str, day: pd.Timestamp | None) -> float | None:
    if day is None or len(bars) == 0:
        return None
    hit = bars[(bars["ticker"] == ticker) & (bars["date"] == day)]
    return None if hit.empty else float(hit["close"].iloc[-1])


def ingest_bars(
    store: Store,
    frame: pd.DataFrame,
    source: str,
    *,
    policy: Literal["all", "ticker"] = "all",
    replace: bool = False,
    allow_jumps: bool | Iterable[tuple[str, object]] = False,
    allow_other_basis: bool = False,
    move_latest: bool = False,
    splits: Mapping[str, Mapping[pd.Timestamp, float]] | None = None,
    description: str | None = None,
    fetched_at: datetime | str | None = None,
    now: datetime | None = None,
    calendar: Calendar | None = None,
    benchmark: str = DEFAULT_BENCHMARK,
) -> IngestResult:
    """Check bars against the gate and write what passes in one transaction.

    Parameters
    ----------
    store : Store
        Where to write.
    frame : pd.DataFrame
        Long bars (``ticker``, ``date`` as session dates, ``close`` + any other field of
        :data:`~xlsrc.data.schema.BAR_FIELDS`). A field that is not a column keeps the
        stored value of each stored day the bars overwrite (module docstring); a column
        with NaN stores "unknown".
    source : str
        The provider's name recorded with every row (``yahoo``, ``csv:<file>``).
    policy : {"all", "ticker"}
        What a problem refuses: the whole input, or the ticker it belongs to.
    replace : bool
        Each ticker's history from its first new session on is replaced (stored days on
        or after it that the input lacks are removed).
    allow_jumps, splits
        See :func:`xlsrc.data.validate.check_bars`.
    allow_other_basis : bool
        Accept new closes that differ systematically from the stored ones (the gate's
        rule ``basis``; a replaced history is never compared with what it replaces).
    move_latest : bool
        Accept a write in which the benchmark alone has bars after the market's latest
        session (rule ``latest``, module docstring).
    description : str, optional
        Recorded for a new source.
    fetched_at : datetime or str, optional
        When the data were fetched (default now).
    now : datetime, optional
        The current time for the "after the last closed session" rule (default now, UTC).
    calendar : Calendar, optional
        Default :func:`xlsrc.data.calendar.get_calendar`.
    benchmark : str
        The ticker whose bars are the market's first and latest sessions (default SPY).

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
    bench = normalise_ticker(benchmark)
    if any(c not in frame.columns for c in ("ticker", "date", "close")):
        check_bars(frame, calendar=cal, now=moment)  # raises, naming the columns needed
    present = {f for f in BAR_FIELDS if f in frame.columns}
    names, dates = _keys(frame) if len(frame) else ([], pd.Series(dtype="datetime64[ns]"))
    tickers = sorted({n for n in names if n is not None})
    stored = pd.DataFrame(columns=["ticker", "date", *BAR_FIELDS])
    neighbours = None
    if tickers and dates.notna().any():
        stored = _read_stored(store, tickers, dates, cal, replace, bench)
        neighbours = stored[stored["ticker"].isin(tickers)][["ticker", "date", "close"]]
        if replace and len(neighbours):
            firsts = dates.groupby([n or "" for n in names]).min()
            since = neighbours["ticker"].map(firsts)
            neighbours = neighbours[~(since.notna() & (neighbours["date"] >= since))]
    merged, kept = (
        _merge_absent(frame, names, dates, stored, present, replace) if len(frame) else (frame, {})
    )
    valid, problems = check_bars(
        merged,
        calendar=cal,
        now=moment,
        neighbours=neighbours,
        splits=splits,
        allow_jumps=allow_jumps,
        allow_other_basis=allow_other_basis,
    )
    last_before = store.last_days() if len(valid) else pd.Series(dtype="datetime64[ns]")
    latest_before = latest_session_of(last_before, bench)
    if not move_latest and len(valid):
        problems += _moves_latest_alone(
            store, valid.frame, merged, last_before, latest_before, bench
        )
        problems.sort(key=lambda p: p.row)
    if not (allow_other_basis or replace) and len(valid) and len(stored):
        problems += _volume_jumps(valid.frame, stored, names, dates)
        problems.sort(key=lambda p: p.row)
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
    written = bars.frame
    result.tickers = {
        str(t): (len(g), pd.Timestamp(g["date"].min()), pd.Timestamp(g["date"].max()))
        for t, g in written.groupby("ticker", sort=True)
    }
    result.overwritten = _overwritten(written, stored, replace, kept)
    last_after = store.last_days()
    latest_after = latest_session_of(last_after, bench)
    if latest_after != latest_before:
        closes = None
        a = _close_on(stored, bench, latest_before)
        b = _close_on(written, bench, latest_after)
        if a is not None and b is not None:
            closes = (a, b)
        result.moved = SessionMove(
            before=latest_before,
            after=latest_after,
            with_bar=0
            if latest_after is None
            else tickers_with_bar_on(store, latest_after, last_after),
            tickers=len(last_after),
            benchmark=bench,
            closes=closes,
        )
    result.first_session, result.before_first = _before_first(store, written, stored, bench)
    return result


def _volume_jumps(
    valid: pd.DataFrame, stored: pd.DataFrame, names: list[str | None], dates: pd.Series
) -> list[BarProblem]:
    """Refuse a new volume of a stored day that differs from the stored one x10 or more.

    Vendors' volumes of one day differ by a few per cent (consolidated or primary-exchange
    counts, rounding to ``28.46M``): those are overwritten and the closes reported. A
    factor of ten or more either way (1,200 shares over 43,034,600, or 0) is a unit or a
    typo, and would put a relative volume of 0.00003 into every formula that reads the
    day; it is refused like another basis of closes (rule ``basis``, ``--overwrite``).
    """
    rows = pd.DataFrame({"ticker": [n or "" for n in names], "date": list(dates)})
    rows["row"] = np.arange(len(rows))
    rows = rows.drop_duplicates(["ticker", "date"], keep="first")
    new = valid[["ticker", "date", "volume"]].dropna(subset=["volume"])
    new = new.merge(rows, on=["ticker", "date"], how="left").fillna({"row": 0})
    old = stored[["ticker", "date", "volume"]].rename(columns={"volume": "stored"})
    both = new.merge(old.dropna(subset=["stored"]), on=["ticker", "date"])
    both = both[both["stored"] > 0]
    ratio = both["volume"].to_numpy(dtype=np.float64) / both["stored"].to_numpy(dtype=np.float64)
    bad = both[(ratio >= VOLUME_STEP) | (ratio <= 1 / VOLUME_STEP)]
    return [
        BarProblem(
            int(r.row),
            str(r.ticker),
            pd.Timestamp(r.date),
            "basis",
            f"{r.ticker}: volume on {pd.Timestamp(r.date):%Y-%m-%d} would go from "
            f"{r.stored:,.0f} stored to {r.volume:,.0f} (x{r.volume / r.stored:.3g}): "
            "another unit or a typo, not a vendor's count of the same day; if it is a "
            "correction, import with --overwrite",
        )
        for r in bad.itertuples(index=False)
    ]


def _moves_latest_alone(
    store: Store,
    valid: pd.DataFrame,
    merged: pd.DataFrame,
    last_before: pd.Series,
    latest_before: pd.Timestamp | None,
    bench: str,
) -> list[BarProblem]:
    """Apply the rule ``latest``: the benchmark alone has new bars after the latest session."""
    if latest_before is None:
        return []
    past = valid[valid["date"] > latest_before]
    if past.empty or set(past["ticker"]) != {bench}:
        return []
    others = last_before.drop(bench, errors="ignore")
    if others.empty:
        return []
    new_latest = pd.Timestamp(past["date"].max())
    if tickers_with_bar_on(store, new_latest, others):  # stored bars of others reach it
        return []
    first = pd.Timestamp(past["date"].min())
    # the problem names the input's row of the benchmark's first bar past the latest session
    dates = pd.to_datetime(pd.Series(merged["date"]).reset_index(drop=True), errors="coerce")
    rows = [
        i
        for i, (t, d) in enumerate(zip(merged["ticker"], dates, strict=True))
        if _ticker_or_none(t) == bench and d == first
    ]
    return [
        BarProblem(
            rows[0] if rows else 0,
            bench,
            first,
            "latest",
            f"{bench}: only the benchmark {bench} has bars after {latest_before:%Y-%m-%d}, "
            f"the market's latest session: storing them moves every ticker's latest "
            f"session to {new_latest:%Y-%m-%d}, where none of the other "
            f"{len(others):,} tickers has a bar (they would carry their last close: a 1D "
            "return of 0.0); import the other tickers' bars for those days too, or pass "
            "--move-latest to move the market anyway",
        )
    ]


def _before_first(
    store: Store, written: pd.DataFrame, stored: pd.DataFrame, bench: str
) -> tuple[pd.Timestamp | None, dict[str, int]]:
    """Return the market's first session and the written bars before it, per ticker.

    ``(None, {})`` when no written bar can be before it: the benchmark has a stored bar on
    or before the first written day (among the stored bars already read), or is stored
    nowhere. Otherwise the benchmark's stored bars are read (after the write: those it
    wrote count too).
    """
    lo = written["date"].min()
    seen = stored.loc[stored["ticker"] == bench, "date"]
    if len(seen) and seen.min() <= lo:
        return None, {}
    days = store.read_bars([bench])["date"]
    if days.empty:
        return None, {}
    first = pd.Timestamp(days.min())
    counts = written[written["date"] < first].groupby("ticker").size()
    found = {str(t): int(n) for t, n in counts.items() if n}
    return (first, found) if found else (None, {})
