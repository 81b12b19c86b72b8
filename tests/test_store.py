"""Store, snapshot and ticker-normalisation tests (a temporary store per test)."""

from __future__ import annotations

import csv
import gzip
import json
import sqlite3
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from xlsrc.data import store as store_mod
from xlsrc.data.snapshot import load_snapshot
from xlsrc.data.store import SCHEMA_VERSION, Store, default_store_path
from xlsrc.data.universes import normalise_ticker
from xlsrc.errors import InvalidParameterError, StoreError

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
DATES = pd.bdate_range("2026-01-05", periods=6)


def make_snapshot(directory: Path) -> Path:
    """A tiny snapshot: AAA (6 days), BBB (from day 3), ^IDX; one universe."""
    rows = []
    for i, d in enumerate(DATES):
        rows.append(("AAA", d, 10.0 + i, 100.0 * (i + 1), "snap:a"))
        if i >= 2:
            rows.append(("BBB", d, 20.0 + i, np.nan, "snap:b"))
        rows.append(("^IDX", d, 1000.0 + i, np.nan, "snap:a"))
    frame = pd.DataFrame(rows, columns=["ticker", "date", "close", "volume", "source"])
    frame = frame.sort_values(["ticker", "date"])
    table = pa.table(
        {
            "ticker": frame["ticker"],
            "date": pa.array(frame["date"].dt.date, pa.date32()),
            "open": np.nan * frame["close"],
            "high": np.nan * frame["close"],
            "low": np.nan * frame["close"],
            "close": frame["close"],
            "volume": pa.array(frame["volume"].astype("Int64"), pa.int64()),
            "source": frame["source"],
        }
    )
    directory.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, directory / "bars.parquet")
    sec = pd.DataFrame(
        {
            "ticker": ["AAA", "BBB", "^IDX"],
            "name": ["Aaa Inc", None, "Index"],
            "sector": ["Energy", None, None],
            "industry": [None, None, None],
            "type": ["stock", "etf", "index"],
        }
    )
    pq.write_table(
        pa.Table.from_pandas(sec, preserve_index=False), directory / "securities.parquet"
    )
    uni = pd.DataFrame({"universe": ["tiny"], "ticker": ["AAA"]})
    pq.write_table(pa.Table.from_pandas(uni, preserve_index=False), directory / "universes.parquet")
    prov = {
        "snapshot_version": 1,
        "sources": {"snap:a": {"description": "A", "fetched_at": "2026-01-12T00:00:00Z"}},
    }
    (directory / "provenance.json").write_text(json.dumps(prov))
    return directory


@pytest.fixture
def snap(tmp_path: Path) -> Path:
    return make_snapshot(tmp_path / "snap")


@pytest.fixture
def store(tmp_path: Path, snap: Path) -> Store:
    s = Store(tmp_path / "db" / "x.sqlite", snapshot_dir=snap)
    s.ensure_seeded()
    return s


def test_normalise_ticker():
    for text in ("BRK.B", "BRK_B", " brk-b ", "brk/b"):
        assert normalise_ticker(text) == "BRK-B"
    assert normalise_ticker("^gspc") == "^GSPC"
    for bad in ("", "  ", 3.0, None, "A$B"):
        with pytest.raises(InvalidParameterError):
            normalise_ticker(bad)


def test_seed_and_matrices(store: Store):
    assert store.data_version() == 1
    m = store.load_matrices()
    assert list(m.close.columns) == ["AAA", "BBB", "^IDX"]
    assert m.close.index.equals(pd.DatetimeIndex(DATES, name="date"))
    assert m.close["BBB"].isna().sum() == 2 and m.close["BBB"].iloc[2] == 22.0
    assert m.volume["AAA"].tolist() == [100.0 * (i + 1) for i in range(6)]
    assert m.volume["BBB"].isna().all()
    assert m.last_bar["AAA"] == DATES[-1]
    sec = store.securities()
    assert sec.loc["AAA", "name"] == "Aaa Inc" and sec.loc["^IDX", "type"] == "index"
    assert store.universes() == {"tiny": ("AAA",)}
    st = store.status()
    assert st["n_tickers"] == 3 and st["last_date"] == DATES[-1].strftime("%Y-%m-%d")
    assert st["schema_version"] == SCHEMA_VERSION
    bars = store.read_bars("aaa", start=DATES[1], end=DATES[2])
    assert bars["close"].tolist() == [11.0, 12.0]
    assert bars["source"].tolist() == ["snap:a", "snap:a"]
    assert bars["fetched_at"].iloc[0] == "2026-01-12T00:00:00Z"


def test_forward_fill_after_first_bar(store: Store):
    gap = DATES[3]
    with sqlite3.connect(store.path) as con:  # a halted day
        con.execute("DELETE FROM bars WHERE ticker='AAA' AND date=?", (gap.strftime("%Y-%m-%d"),))
        con.execute("UPDATE meta SET value='99' WHERE key='data_version'")
    m = store.load_matrices()
    assert m.close.loc[gap, "AAA"] == 12.0  # carried
    assert np.isnan(m.volume.loc[gap, "AAA"])  # never filled


def test_write_bars_upsert_and_cache(store: Store):
    new_day = DATES[-1] + pd.offsets.BDay()
    frame = pd.DataFrame(
        {
            "ticker": ["aaa", "NEW"],
            "date": [new_day, new_day],
            "close": [50.0, 7.0],
            "volume": [5, None],
        }
    )
    assert store.write_bars(frame, "test", fetched_at="2026-02-01T00:00:00Z") == 2
    assert store.data_version() == 2
    m = store.load_matrices()
    assert m.close.loc[new_day, "AAA"] == 50.0 and m.close.loc[new_day, "BBB"] == 25.0
    assert m.close.loc[new_day, "NEW"] == 7.0 and m.close["NEW"].isna().sum() == 6
    # the incrementally updated cache equals a rebuild from SQLite
    close, volume, _ = store._matrices_from_sqlite()
    np.testing.assert_array_equal(close.ffill().to_numpy(), m.close.to_numpy())
    np.testing.assert_array_equal(volume.to_numpy(), m.volume.to_numpy())
    assert "NEW" in store.securities().index


def test_replace_history(store: Store):
    frame = pd.DataFrame({"ticker": ["AAA", "AAA"], "date": DATES[:2], "close": [1.0, 2.0]})
    store.write_bars(frame, "readjusted", replace=True)
    bars = store.read_bars("AAA")
    assert bars["close"].tolist() == [1.0, 2.0]
    m = store.load_matrices()
    assert m.close["AAA"].tolist() == [1.0, 2.0, 2.0, 2.0, 2.0, 2.0]
    assert m.last_bar["AAA"] == DATES[1]


def test_failed_write_leaves_store_intact(store: Store, monkeypatch):
    before = store.read_bars()
    m_before = store.load_matrices()

    def boom(con):
        raise RuntimeError("injected failure after the rows were inserted")

    monkeypatch.setattr(Store, "_bump_version", staticmethod(boom))
    frame = pd.DataFrame({"ticker": ["AAA"], "date": [DATES[0]], "close": [999.0]})
    with pytest.raises(RuntimeError, match="injected"):
        store.write_bars(frame, "bad", replace=True)
    monkeypatch.undo()
    pd.testing.assert_frame_equal(store.read_bars(), before)
    assert store.data_version() == 1
    assert "bad" not in store.sources()["name"].tolist()
    pd.testing.assert_frame_equal(store.load_matrices().close, m_before.close)


def test_bad_bars_rejected(store: Store):
    with pytest.raises(InvalidParameterError):
        store.write_bars(
            pd.DataFrame({"ticker": ["AAA"], "date": [DATES[0]], "close": [-1.0]}), "x"
        )
    with pytest.raises(InvalidParameterError):
        store.write_bars(pd.DataFrame({"ticker": ["AAA"], "close": [1.0]}), "x")
    assert store.data_version() == 1


def test_concurrent_reader_sees_old_or_new(store: Store):
    old = store.read_bars("AAA")["close"].tolist()
    new = [c + 1000 for c in old]
    seen: list[list[float]] = []
    stop = threading.Event()

    def reader():
        r = Store(store.path)
        while not stop.is_set():
            seen.append(r.read_bars("AAA")["close"].tolist())

    t = threading.Thread(target=reader)
    t.start()
    try:
        for _ in range(10):
            frame = pd.DataFrame({"ticker": "AAA", "date": DATES, "close": new})
            store.write_bars(frame, "w", replace=True)
            frame = pd.DataFrame({"ticker": "AAA", "date": DATES, "close": old})
            store.write_bars(frame, "w", replace=True)
    finally:
        stop.set()
        t.join()
    assert seen and all(s in (old, new) for s in seen)


def test_universes_and_securities(store: Store):
    store.set_universe("Mine", ["aaa", "BBB", "aaa"], source="test list")
    assert store.universes()["mine"] == ("AAA", "BBB")
    assert store.universe_sources()["mine"] == "test list"
    store.upsert_securities(pd.DataFrame({"ticker": ["bbb"], "name": ["Bbb Fund"]}))
    assert store.securities().loc["BBB", "name"] == "Bbb Fund"
    with pytest.raises(InvalidParameterError):
        store.upsert_securities(pd.DataFrame({"ticker": ["AAA"], "type": ["bond"]}))


def test_schema_version_checked(store: Store, snap: Path):
    with sqlite3.connect(store.path) as con:
        con.execute("UPDATE meta SET value='999' WHERE key='schema_version'")
    with pytest.raises(StoreError, match="schema version 999"):
        Store(store.path, snapshot_dir=snap).ensure_seeded()


def test_not_a_store(tmp_path: Path):
    path = tmp_path / "junk.sqlite"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError):
        Store(path).ensure_seeded()


def test_env_var_location(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("XLSRC_STORE", str(tmp_path / "env.sqlite"))
    assert default_store_path() == tmp_path / "env.sqlite"
    assert Store().path == tmp_path / "env.sqlite"
    assert Store(tmp_path / "explicit.sqlite").path == tmp_path / "explicit.sqlite"
    monkeypatch.delenv("XLSRC_STORE")
    assert default_store_path().name == "xlsrc.sqlite"


@pytest.mark.parametrize("problem", ["missing", "corrupt", "columns"])
def test_malformed_snapshot(tmp_path: Path, snap: Path, problem: str):
    if problem == "missing":
        (snap / "bars.parquet").unlink()
    elif problem == "corrupt":
        (snap / "bars.parquet").write_bytes(b"PAR1 garbage")
    else:
        pq.write_table(pa.table({"ticker": ["A"]}), snap / "bars.parquet")
    with pytest.raises(StoreError, match=r"bars\.parquet"):
        load_snapshot(snap)
    store = Store(tmp_path / "x.sqlite", snapshot_dir=snap)
    with pytest.raises(StoreError):
        store.ensure_seeded()
    assert not store.path.exists()  # no half-seeded store left behind


def test_stale_cache_rebuilt(store: Store):
    store.cache_path.unlink()
    m = store.load_matrices()
    assert m.close.shape == (6, 3) and store.cache_path.exists()
    store_mod._save_cache(store.cache_path, m.close * 2, m.volume, "other-store", 1)
    assert store.load_matrices().close["AAA"].iloc[0] == 10.0


# ---------------------------------------------------------------------- real data
@pytest.fixture(scope="module")
def real_store(seeded_store_path: Path) -> Store:
    """The session's store seeded from the bundled snapshot (read only)."""
    s = Store(seeded_store_path)
    s.ensure_seeded()
    return s


def _raw_closes(ticker: str) -> dict[str, float]:
    out = {}
    with gzip.open(SHARED / "closes" / "us_closes_2024-01-02_2026-08-03.csv.gz", "rt") as fh:
        for row in csv.reader(fh):
            if row[1] == ticker:
                out[row[0]] = float(row[2])
    return out


@pytest.mark.skipif(not SHARED.exists(), reason="shared data not available")
def test_real_snapshot_vicr_matches_source(real_store: Store):
    raw = _raw_closes("VICR")
    bars = real_store.read_bars("VICR")
    assert len(bars) == len(raw)
    got = dict(zip(bars["date"].dt.strftime("%Y-%m-%d"), bars["close"], strict=True))
    assert got == raw
    m = real_store.load_matrices()
    assert m.close.index[-1] == pd.Timestamp("2026-08-03")
    assert m.close.shape[1] > 12_000
    ytd = m.close.loc["2026-01-22", "VICR"] / m.close.loc["2025-12-31", "VICR"] - 1
    assert ytd == pytest.approx(raw["2026-01-22"] / raw["2025-12-31"] - 1)
    assert real_store.securities().loc["BRK-B", "type"] == "stock"
    unis = real_store.universes()
    assert {"sp500", "sp400", "sp600", "r2000", "sectors"} <= set(unis)
    # not point-in-time: VICR was in the S&P 600 in January 2026 but is in IJH (S&P 400) in June
    assert (
        "VICR" in unis["sp400"]
        and "ICHR" in unis["sp600"]
        and "BRK-B" in unis["sp500"]
        and len(unis["sectors"]) == 11
    )


@pytest.mark.skipif(not SHARED.exists(), reason="shared data not available")
def test_real_snapshot_index_ohlcv(real_store: Store):
    bars = real_store.read_bars("^GSPC", start="2026-01-22", end="2026-01-22")
    with gzip.open(SHARED / "ohlcv" / "adjusted_2015-2026" / "GSPC.csv.gz", "rt") as fh:
        row = next(r for r in csv.DictReader(fh) if r["date"].startswith("2026-01-22"))
    assert bars["close"].iloc[0] == pytest.approx(float(row["close"]), rel=1e-12)
    assert bars["volume"].iloc[0] == pytest.approx(float(row["volume"]))
