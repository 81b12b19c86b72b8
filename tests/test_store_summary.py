"""The per-source summary (``bar_summary``) stays equal to a scan of the bars.

``Store.source_summary`` feeds the report's Data provenance table and ``Market.provenance``;
it must say exactly what ``GROUP BY source`` over the bars table says, after seeding, after
an incremental write, after a write that moves days to another source, after a
``replace=True`` write, and in a store made before the summary table existed.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from test_store import DATES, make_snapshot

from xlsrc.data import store as store_mod
from xlsrc.data.store import Store
from xlsrc.errors import StoreError
from xlsrc.market import Market


def scanned(store: Store) -> pd.DataFrame:
    """The summary the slow way: a scan of the bars table."""
    con = sqlite3.connect(store.path)
    try:
        rows = con.execute(
            "SELECT s.name, COUNT(DISTINCT b.ticker), MIN(b.date), MAX(b.date) "
            "FROM sources s LEFT JOIN bars b ON b.source_id = s.id GROUP BY s.id ORDER BY s.id"
        ).fetchall()
    finally:
        con.close()
    frame = pd.DataFrame(rows, columns=["source", "tickers", "first", "last"])
    frame["first"] = pd.to_datetime(frame["first"])
    frame["last"] = pd.to_datetime(frame["last"])
    return frame


def check(store: Store) -> pd.DataFrame:
    got = store.source_summary()
    assert list(got.columns) == ["source", "detail", "tickers", "first", "last", "fetched_at"]
    pd.testing.assert_frame_equal(
        got[["source", "tickers", "first", "last"]], scanned(store), check_dtype=False
    )
    return got


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "db" / "x.sqlite", snapshot_dir=make_snapshot(tmp_path / "snap"))
    s.ensure_seeded()
    return s


def test_seeded_summary(store: Store) -> None:
    got = check(store).set_index("source")
    assert got.loc["snap:a", "tickers"] == 2  # AAA and ^IDX
    assert got.loc["snap:b", "tickers"] == 1
    assert got.loc["snap:b", "first"] == DATES[2]
    assert got.loc["snap:a", "detail"] == "A"
    assert got.loc["snap:a", "fetched_at"] == "2026-01-12T00:00:00Z"


def test_writes_keep_the_summary_in_step(store: Store) -> None:
    day = DATES[-1] + pd.offsets.BDay(1)
    store.write_bars(
        pd.DataFrame({"ticker": ["AAA", "CCC"], "date": [day, day], "close": [1.0, 2.0]}),
        source="yfinance",
        description="Yahoo",
    )
    got = check(store).set_index("source")
    assert got.loc["yfinance", "tickers"] == 2
    assert got.loc["yfinance", "first"] == day
    assert got.loc["snap:a", "last"] == DATES[-1]
    # an upsert that takes BBB's days over from snap:b: snap:b holds nothing any more
    store.write_bars(
        pd.DataFrame({"ticker": "BBB", "date": DATES[2:], "close": 5.0}), source="yfinance"
    )
    got = check(store).set_index("source")
    assert got.loc["snap:b", "tickers"] == 0 and pd.isna(got.loc["snap:b", "first"])
    # replace=True drops AAA's older history
    store.write_bars(
        pd.DataFrame({"ticker": "AAA", "date": DATES[:2], "close": 3.0}),
        source="csv",
        replace=True,
    )
    got = check(store).set_index("source")
    assert got.loc["snap:a", "tickers"] == 1  # only ^IDX is left
    assert got.loc["csv", "last"] == DATES[1]


def test_a_write_failing_in_the_summary_step_changes_nothing(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    before, bars, version = check(store), store.read_bars(), store.data_version()
    monkeypatch.setattr(store_mod, "_SUMMARISE_TICKER", "INSERT INTO no_such_table VALUES (?)")
    with pytest.raises(StoreError):
        store.write_bars(
            pd.DataFrame({"ticker": "AAA", "date": [DATES[-1]], "close": [99.0]}), source="new"
        )
    pd.testing.assert_frame_equal(check(store), before)
    pd.testing.assert_frame_equal(store.read_bars(), bars)
    assert store.data_version() == version


def test_a_store_without_the_table_gets_it(store: Store) -> None:
    expected = check(store)
    con = sqlite3.connect(store.path)
    con.execute("DROP TABLE bar_summary")
    con.close()
    version = store.data_version()
    older = Store(store.path)  # a new process opening a store made by an older xlsrc
    older.ensure_seeded()
    pd.testing.assert_frame_equal(check(older), expected)
    assert older.data_version() == version  # the bars did not change: caches stay valid


def test_market_provenance_reads_the_summary(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    market = Market(store)
    seen: list[str] = []
    real_connect = store._connect

    def spy() -> sqlite3.Connection:
        con = real_connect()
        con.set_trace_callback(seen.append)
        return con

    monkeypatch.setattr(store, "_connect", spy)
    prov = market.provenance
    assert not any("FROM bars" in sql for sql in seen)  # no scan of the bars table
    assert list(prov["source"][:2]) == ["snap:a", "snap:b"]
    assert list(prov["source"][2:]) == ["universe tiny"]
