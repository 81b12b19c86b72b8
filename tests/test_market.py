"""Market: one per store per process, reload on data_version change, lookups."""

from __future__ import annotations

import pandas as pd
import pytest
from tiny_snapshot import DATES, make_snapshot

from xlsrc import market as market_mod
from xlsrc.data import ingest_bars, open_store
from xlsrc.errors import (
    InvalidParameterError,
    NoDataError,
    UnknownTickerError,
    UnknownUniverseError,
)


@pytest.fixture
def market(tmp_path, monkeypatch):
    path = tmp_path / "m.sqlite"
    market = market_mod.Market(open_store(path, snapshot=make_snapshot(tmp_path / "snap")))
    monkeypatch.setattr(market_mod, "CHECK_INTERVAL", 0.0)
    monkeypatch.setitem(market_mod._MARKETS, str(path), market)
    return market


def test_lookups(market):
    assert market_mod.get_market(market.store.location) is market
    assert market.ticker(" aaa ") == "AAA"
    with pytest.raises(UnknownTickerError):
        market.ticker("XYZQ")
    assert list(market.universe("stocks")) == ["AAA"]
    assert list(market.universe("TINY")) == ["AAA"]
    assert list(market.universe("aaa,bbb")) == ["AAA", "BBB"]
    with pytest.raises(UnknownUniverseError):
        market.universe("sp999")
    assert market.as_of() == DATES[-1]
    assert market.securities.loc["^IDX", "type"] == "index"
    assert "snap:a" in set(market.provenance["source"])


def test_reload_on_write(market):
    version = market.data_version
    close = market.close
    new_day = DATES[-1] + pd.offsets.BDay()
    ingest_bars(
        market.store,
        pd.DataFrame({"ticker": ["AAA", "BBB"], "date": [new_day] * 2, "close": [99.0, 26.0]}),
        "t",
    )
    again = market_mod.get_market(market.store.location)
    assert again is market and market.data_version == version + 1
    assert market.close.loc[new_day, "AAA"] == 99.0
    # a metadata write reloads securities and universes, not the price matrices
    market.store.set_universe("mine", ["AAA"], source="test")
    close = market.close
    assert market_mod.get_market(market.store.location) is market
    assert market.close is close and list(market.universe("mine")) == ["AAA"]


# --------------------------------------------------------------------------- real data
@pytest.fixture(scope="module")
def real(bundled_store_path):
    """A Market of its own on the session's seeded store (its caches start empty)."""
    return market_mod.Market(open_store(bundled_store_path))


def test_trading_day_is_the_last_store_date_on_or_before(real):
    first, last = real.close.index[0], real.close.index[-1]
    assert real.trading_day() == last
    assert real.trading_day("") == last
    # 2026-01-24 is a Saturday: the Friday's data
    assert real.trading_day("2026-01-24") == pd.Timestamp("2026-01-23")
    assert real.trading_day(pd.Timestamp("2026-01-23 15:30")) == pd.Timestamp("2026-01-23")
    # after the last stored day: the last stored day, not the typed date
    assert real.trading_day("2030-01-01") == last
    assert real.as_of("2030-01-01") == pd.Timestamp("2030-01-01")  # the typed date
    assert real.trading_day(first) == first
    with pytest.raises(NoDataError, match="No price on or before 2023-12-29"):
        real.trading_day("2023-12-29")
    with pytest.raises(InvalidParameterError):
        real.trading_day("not a date")
    with pytest.raises(InvalidParameterError):
        real.as_of("not a date")


def test_metric_equals_the_metrics_table(real, monkeypatch):
    monkeypatch.setattr(market_mod, "FULL_METRICS_AFTER", 10**6)  # every value by one column
    names = market_mod.METRIC_NAMES
    for day in ("2024-03-01", "2025-01-02", "2026-01-24"):
        full = real.metrics(day)
        assert list(full.columns) == list(names)
        real._metrics = market_mod._LRU(market_mod.CACHED_DAYS)  # forget: single values
        for ticker in ("VICR", "SPY", "IWM", "^GSPC", "BRK-B"):
            for name in names:
                one, want = real.metric(ticker, name, day), full.at[ticker, name]
                if pd.isna(want):
                    assert pd.isna(one), (day, ticker, name, one)
                elif name == "last_bar":
                    assert one == want
                else:  # the same sums over a one-column frame: equal to ~1e-15
                    assert one == pytest.approx(want, rel=1e-12), (day, ticker, name)
        assert real.trading_day(day) not in real._metrics
    with pytest.raises(InvalidParameterError):
        real.metric("VICR", "ret_2y", "2026-01-22")
    with pytest.raises(UnknownTickerError):
        real.metric("XYZQ", "ret_ytd", "2026-01-22")


def test_single_values_switch_to_one_metrics_pass(real, monkeypatch):
    calls = []
    compute = real._compute

    def spy(day, names, tickers=None):
        calls.append((day, tuple(names), tickers is None))
        return compute(day, names, tickers)

    monkeypatch.setattr(real, "_compute", spy)
    day = pd.Timestamp("2025-06-02")
    n = market_mod.FULL_METRICS_AFTER
    tickers = list(real.universe("sp500")[:200])
    values = [real.metric(t, "ret_ytd", day) for t in tickers]
    # the first N are one-column computations, then one pass over every ticker (of that
    # metric alone: the day memoises column by column) serves the rest
    assert calls == [(day, ("ret_ytd",), False)] * n + [(day, ("ret_ytd",), True)]
    assert day in real._metrics
    table = real.metrics(day)
    assert values == pytest.approx(table.loc[tickers, "ret_ytd"].tolist(), nan_ok=True)
    # the whole table made the other columns in one more pass (ret_ytd was reused) ...
    others = tuple(name for name in market_mod.METRIC_NAMES if name != "ret_ytd")
    assert calls[n + 1 :] == [(day, others, True)]
    # ... and the next request is served from the memo
    assert real.metrics(day) is table
    assert len(calls) == n + 2


def test_per_day_caches_are_bounded_and_keyed_by_trading_day(real):
    days = real.close.index[-12:]
    for day in days:
        real.metrics(day)
        real.rs_ratings(day, "sp600")
    assert len(real._metrics) == market_mod.CACHED_DAYS
    assert len(real._scores) == market_mod.CACHED_DAYS
    assert len(real._ratings) <= 4 * market_mod.CACHED_DAYS
    assert real._metrics.keys() == list(days[-market_mod.CACHED_DAYS :])
    # a Saturday is its Friday: served from the same table, no new entry
    friday = real.metrics("2026-01-23")
    assert real.metrics("2026-01-24") is friday
    assert real.metrics(pd.Timestamp("2026-01-25")) is friday
    assert real._metrics.keys()[-1] == pd.Timestamp("2026-01-23")
    # the least recently used day goes first
    oldest = real._metrics.keys()[0]
    real.metrics(oldest)
    real.metrics("2025-01-02")
    assert oldest in real._metrics


def test_volume_is_read_only_for_relative_volume(market):
    # AAA's volumes in the tiny snapshot: 100, 200, ..., 600 (one a day)
    day = DATES[-1]
    assert market.metric("AAA", "ret_1d", day) == pytest.approx(15.0 / 14.0 - 1)
    assert "volume" not in market._fields  # nothing but closes was needed
    market.metric("AAA", "relative_volume50", day)
    # one ticker's relative volume reads that ticker's volume alone, not the whole field
    assert "volume" not in market._fields
    assert list(market._few["volume"].columns) == ["AAA"]
    assert market.field("volume", ["AAA"]).loc[day, "AAA"] == 600.0
    assert market.volume.loc[day, "AAA"] == 600.0  # the whole field, read when asked for
    assert "volume" in market._fields and "volume" not in market._few
