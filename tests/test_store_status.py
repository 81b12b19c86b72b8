"""Store.status(): seeding vs refresh times, printable values, and no matrix load."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from test_store import DATES, make_snapshot

from xlsrc.data.store import Store


def _utc(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


@pytest.fixture
def seeded(tmp_path: Path) -> tuple[Store, datetime, datetime]:
    snap = make_snapshot(tmp_path / "snap")
    before = datetime.now(UTC).replace(microsecond=0)
    store = Store(tmp_path / "db" / "x.sqlite", snapshot_dir=snap)
    store.ensure_seeded()
    after = datetime.now(UTC)
    return store, before, after


def test_fresh_store_was_seeded_and_never_refreshed(seeded):
    store, before, after = seeded
    st = store.status()
    assert before <= _utc(st["seeded_at"]) <= after
    assert st["last_refresh"] is None and st["last_refresh_source"] is None
    # the tiny snapshot: AAA, BBB, ^IDX over six business days
    assert st["n_tickers"] == 3 and st["n_dates"] == 6
    assert st["first_date"] == f"{DATES[0]:%Y-%m-%d}" and st["last_date"] == f"{DATES[-1]:%Y-%m-%d}"


def test_values_are_printable_text(seeded):
    store, *_ = seeded
    st = store.status()
    for key, value in st.items():
        if key == "sources":
            continue
        assert value is None or isinstance(value, str | int), (key, value)
    assert [s["name"] for s in st["sources"]] == ["snap:a", "snap:b"]
    for src in st["sources"]:
        assert set(src) == {"name", "description", "fetched_at"}
        assert all(isinstance(v, str) for v in src.values())
    assert st["sources"][0]["fetched_at"] == "2026-01-12T00:00:00Z"
    assert st["sources"][1]["description"] == ""  # unknown: "" rather than None


def test_a_provider_write_is_the_last_refresh_and_seeding_time_stays(seeded):
    store, *_ = seeded
    seeded_at = store.status()["seeded_at"]
    before = datetime.now(UTC).replace(microsecond=0)
    day = DATES[-1] + pd.offsets.BDay(1)
    store.write_bars(pd.DataFrame({"ticker": ["AAA"], "date": [day], "close": [99.0]}), "yahoo")
    st = store.status()
    assert st["seeded_at"] == seeded_at
    assert before <= _utc(st["last_refresh"]) <= datetime.now(UTC)
    assert st["last_refresh_source"] == "yahoo"
    assert st["last_date"] == f"{day:%Y-%m-%d}" and st["n_dates"] == 7
    assert st["sources"][-1]["name"] == "yahoo"


def test_a_store_seeded_by_an_older_xlsrc(seeded):
    """No seeded_at in meta: data_version 1 means last_write_at was the seeding."""
    store, *_ = seeded
    with sqlite3.connect(store.path) as con:
        con.execute("DELETE FROM meta WHERE key = 'seeded_at'")
        con.execute("UPDATE meta SET value = '2026-01-01T00:00:00Z' WHERE key = 'last_write_at'")
    st = store.status()
    assert st["seeded_at"] == "2026-01-01T00:00:00Z" and st["last_refresh"] is None


def test_status_reads_no_prices(seeded, monkeypatch):
    store, *_ = seeded

    def boom(*args, **kwargs):
        raise AssertionError("status() must not load the price matrices")

    monkeypatch.setattr(Store, "load_matrices", boom)
    monkeypatch.setattr(Store, "_matrices_from_sqlite", boom)
    monkeypatch.setattr("xlsrc.data.store._load_cache", boom)
    st = store.status()
    assert st["n_tickers"] == 3
