"""Market: one per store per process, reload on data_version change, lookups."""

from __future__ import annotations

import pandas as pd
import pytest
from test_store import DATES, make_snapshot

from xlsrc import market as market_mod
from xlsrc.data.store import Store
from xlsrc.errors import UnknownTickerError, UnknownUniverseError


@pytest.fixture
def market(tmp_path, monkeypatch):
    path = tmp_path / "m.sqlite"
    Store(path, snapshot_dir=make_snapshot(tmp_path / "snap")).ensure_seeded()
    monkeypatch.setattr(market_mod, "CHECK_INTERVAL", 0.0)
    return market_mod.get_market(path)


def test_lookups(market):
    assert market_mod.get_market(market.store.path) is market
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
    new_day = DATES[-1] + pd.offsets.BDay()
    market.store.write_bars(
        pd.DataFrame({"ticker": ["AAA"], "date": [new_day], "close": [99.0]}), "t"
    )
    again = market_mod.get_market(market.store.path)
    assert again is market and market.data_version == version + 1
    assert market.close.loc[new_day, "AAA"] == 99.0
