"""A Market over hand-made price matrices, for tests whose every value is worked out by hand.

``hand_market({"AAA": [10, 11, None, 12], ...})`` gives a :class:`xlsrc.market.Market`
whose ``close`` is the given closes on consecutive business days, forward-filled after
each ticker's first bar as the store's matrices are, and whose ``has_bar`` is True exactly
where a close was given (``None``/NaN = no trade that session). The bars go through the
real write path (the gate, a memory store) on a calendar whose sessions are those
business days, so the hand-worked dates need no exchange holidays.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from xlsrc.data import ingest_bars, open_store
from xlsrc.data.calendar import Calendar
from xlsrc.market import Market


def business_day_calendar(index: pd.DatetimeIndex) -> Calendar:
    """A calendar whose sessions are ``index`` (closing at 21:00 UTC, 16:00 New York)."""
    sessions = pd.DatetimeIndex(index, name="date")
    closes = (sessions + pd.Timedelta(hours=21)).to_numpy(dtype="datetime64[ns]")
    return Calendar(sessions, closes)


def hand_market(
    closes: Mapping[str, Sequence[float | None]],
    start: str = "2026-01-05",
    types: Mapping[str, str] | None = None,
    volumes: Mapping[str, Sequence[float | None]] | None = None,
    universes: Mapping[str, Sequence[str]] | None = None,
    split_closes: Mapping[str, Sequence[float | None]] | None = None,
) -> Market:
    """Return a Market over ``closes`` (one list per ticker, one value per business day).

    ``types`` maps tickers to stock/etf/index/other (default stock); ``volumes`` gives
    volumes (default unknown); ``split_closes`` the closes adjusted for splits only
    (basis "price"; default none: a value given only where the ticker has a close).
    """
    n = len(next(iter(closes.values())))
    index = pd.bdate_range(start, periods=n, name="date")
    columns = pd.Index(sorted(closes), name="ticker")
    raw = pd.DataFrame(
        {
            t: np.array([np.nan if v is None else v for v in closes[t]], dtype=float)
            for t in columns
        },
        index=index,
    )[columns]
    volume = pd.DataFrame(np.nan, index=index, columns=columns)
    for t, values in (volumes or {}).items():
        volume[t] = np.array([np.nan if v is None else v for v in values], dtype=float)
    kinds = dict(types or {})
    calendar = business_day_calendar(index)
    store = open_store("memory:", snapshot=False)
    bars = raw.rename_axis(index="date", columns="ticker").stack().rename("close").reset_index()
    bars = bars[bars["close"].notna()]
    bars["volume"] = [volume.at[d, t] for d, t in zip(bars["date"], bars["ticker"], strict=True)]
    split = pd.DataFrame(np.nan, index=index, columns=columns)
    for t, values in (split_closes or {}).items():
        split[t] = np.array([np.nan if v is None else v for v in values], dtype=float)
    bars["split_close"] = [
        split.at[d, t] for d, t in zip(bars["date"], bars["ticker"], strict=True)
    ]
    now = index[-1] + pd.Timedelta(days=2)
    ingest_bars(store, bars, "hand", calendar=calendar, now=now, allow_jumps=True)
    store.upsert_securities(
        pd.DataFrame(
            {
                "ticker": list(columns),
                "name": [f"{t} Inc" for t in columns],
                "type": [kinds.get(t, "stock") for t in columns],
            }
        )
    )
    for name, members in (universes or {}).items():
        store.set_universe(name, members, source="hand")
    return Market(store, calendar=calendar)
