"""The default store: a SQLite file layered over the snapshot, its location, and real data.

The behaviour every backend shares is in ``test_store_contract.py``; here is what belongs
to the layering (precedence, nothing copied, no file until a write), the SQLite file (a
folder that cannot be written, a file that is not a store, schema versions, the schema-2
upgrade) and checks of the bundled snapshot against the shared source files.
"""

from __future__ import annotations

import csv
import gzip
import os
import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from tiny_snapshot import DATES, make_snapshot

from xlsrc.data import ingest_bars, load_field, load_matrices, open_store
from xlsrc.data.backends.layered import LayeredStore
from xlsrc.data.backends.sqlite import SCHEMA_VERSION
from xlsrc.data.store import default_location
from xlsrc.data.universes import normalise_ticker
from xlsrc.errors import InvalidParameterError, StoreError

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
NOW = pd.Timestamp("2026-11-30 23:00", tz="UTC")
NEXT = DATES[-1] + pd.offsets.BDay()


@pytest.fixture
def snap(tmp_path: Path) -> Path:
    return make_snapshot(tmp_path / "snap")


@pytest.fixture
def store(tmp_path: Path, snap: Path) -> LayeredStore:
    s = open_store(tmp_path / "db" / "x.sqlite", snapshot=snap)
    assert isinstance(s, LayeredStore)
    return s


def put(store, rows, source="test", **kw):
    frame = pd.DataFrame(rows, columns=["ticker", "date", "close"])
    return ingest_bars(store, frame, source, now=NOW, **kw)


def test_normalise_ticker():
    for text in ("BRK.B", "BRK_B", " brk-b ", "brk/b"):
        assert normalise_ticker(text) == "BRK-B"
    assert normalise_ticker("^gspc") == "^GSPC"
    for bad in ("", "  ", 3.0, None, "A$B"):
        with pytest.raises(InvalidParameterError):
            normalise_ticker(bad)


def test_the_snapshot_is_read_in_place(store: LayeredStore):
    m = load_matrices(store)
    assert list(m.close.columns) == ["AAA", "BBB", "^IDX"]
    assert m.close.index.equals(pd.DatetimeIndex(DATES, name="date"))
    assert m.close["BBB"].isna().sum() == 2 and m.close["BBB"].iloc[2] == 22.0
    volume = load_field(store, "volume", m)
    assert volume["AAA"].tolist() == [100.0 * (i + 1) for i in range(6)]
    assert volume["BBB"].isna().all()
    assert m.last_bar["AAA"] == DATES[-1]
    sec = store.securities()
    assert sec.loc["AAA", "name"] == "Aaa Inc" and sec.loc["^IDX", "type"] == "index"
    assert store.universes() == {"tiny": ("AAA",)}
    st = store.status()
    assert st.n_tickers == 3 and st.last_date == DATES[-1].strftime("%Y-%m-%d")
    assert st.snapshot_version == "1" and st.backend == "SQLite over the bundled snapshot"
    bars = store.read_bars("aaa", start=DATES[1], end=DATES[2])
    assert bars["close"].tolist() == [11.0, 12.0]
    assert bars["source"].tolist() == ["snap:a", "snap:a"]
    assert bars["fetched_at"].iloc[0] == "2026-01-12T00:00:00Z"
    assert not store.overlay.path.exists()  # nothing copied, nothing created


def test_overlay_bars_win_and_a_replaced_history_hides_the_snapshot(store: LayeredStore):
    # a one-day correction (11 -> 111) is stored only when asked (rule basis)
    put(store, [("AAA", DATES[1], 111.0)], source="fix", allow_other_basis=True)
    assert store.read_bars("AAA")["close"].tolist() == [10.0, 111.0, 12.0, 13.0, 14.0, 15.0]
    assert load_matrices(store).close["AAA"].tolist() == [10.0, 111.0, 12.0, 13.0, 14.0, 15.0]
    # a re-imported history from the 4th session: the snapshot's later bars disappear
    put(store, [("AAA", DATES[3], 5.0), ("AAA", DATES[4], 5.5)], source="csv:aaa", replace=True)
    got = store.read_bars("AAA")
    assert got["date"].tolist() == list(DATES[:5])
    assert got["close"].tolist() == [10.0, 111.0, 12.0, 5.0, 5.5]
    assert got["source"].tolist() == ["snap:a", "fix", "snap:a", "csv:aaa", "csv:aaa"]
    assert store.last_days()["AAA"] == DATES[4]
    m = load_matrices(store)
    assert m.close["AAA"].tolist() == [10.0, 111.0, 12.0, 5.0, 5.5, 5.5]
    assert m.has_bar[:, list(m.close.columns).index("AAA")].tolist() == [True] * 5 + [False]
    # BBB and ^IDX are untouched by AAA's writes
    assert m.close["BBB"].tolist()[2:] == [22.0, 23.0, 24.0, 25.0]


def test_securities_and_universes_layer_and_reset(store: LayeredStore):
    store.upsert_securities(
        pd.DataFrame({"ticker": ["AAA", "NEW"], "sector": ["Utilities", "Energy"]})
    )
    sec = store.securities()
    assert sec.loc["AAA", "name"] == "Aaa Inc" and sec.loc["AAA", "sector"] == "Utilities"
    assert sec.loc["NEW", "sector"] == "Energy" and sec.loc["BBB", "type"] == "etf"
    store.set_universe("tiny", ["BBB"], source="mine")
    assert store.universes()["tiny"] == ("BBB",)
    assert store.builtin_universes()["tiny"] == ("AAA",)
    store.delete_universe("tiny")
    assert store.universes()["tiny"] == ("AAA",)  # the bundled list is back


def test_identity_changes_with_the_snapshot(tmp_path: Path, snap: Path):
    a = open_store(tmp_path / "x.sqlite", snapshot=snap)
    other = make_snapshot(tmp_path / "snap2")
    (other / "provenance.json").write_text('{"snapshot_version": 2, "sources": {}}')
    b = open_store(tmp_path / "x.sqlite", snapshot=other)
    assert a.identity()[0] != b.identity()[0]


def test_a_folder_that_cannot_be_written_is_one_clear_error(tmp_path: Path, snap: Path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.access(locked, os.W_OK):
            pytest.skip("running as a user who can write anywhere")
        store = open_store(locked / "sub" / "x.sqlite", snapshot=snap)
        assert load_matrices(store).close.shape == (6, 3)  # reading needs no file
        with pytest.raises(StoreError, match=r"Cannot create the store .*(ermission|denied)"):
            put(store, [("AAA", NEXT, 16.0)])
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o700)


def test_a_store_under_a_file_is_one_clear_error(tmp_path: Path, snap: Path):
    """A location whose folder is a file (a typo in XLSRC_STORE) fails for any user."""
    (tmp_path / "notes.txt").write_text("not a folder")
    store = open_store(tmp_path / "notes.txt" / "x.sqlite", snapshot=snap)
    assert load_matrices(store).close.shape == (6, 3)
    with pytest.raises(StoreError, match=r"Cannot create the store .*notes\.txt"):
        put(store, [("AAA", NEXT, 16.0)])
    assert (tmp_path / "notes.txt").read_text() == "not a folder"


def test_a_file_that_is_not_a_store(tmp_path: Path, snap: Path):
    path = tmp_path / "junk.sqlite"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError, match=r"not an xlsrc store|file is not a database"):
        load_matrices(open_store(path, snapshot=snap))


def test_schema_version_checked(store: LayeredStore, snap: Path):
    put(store, [("AAA", NEXT, 16.0)])
    with sqlite3.connect(store.overlay.path) as con:
        con.execute("UPDATE meta SET value='999' WHERE key='schema_version'")
    with pytest.raises(StoreError, match="schema version 999"):
        open_store(store.overlay.path, snapshot=snap).securities()
    assert SCHEMA_VERSION == 3


def test_a_schema_2_store_keeps_what_the_user_added(tmp_path: Path, snap: Path):
    """xlsrc 0.1 copied the snapshot into SQLite; opening it keeps only the user's rows."""
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as con:
        con.executescript(
            """
            CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE sources (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,
                                  description TEXT, fetched_at TEXT);
            CREATE TABLE securities (ticker TEXT PRIMARY KEY, name TEXT, sector TEXT,
                                     industry TEXT, type TEXT);
            CREATE TABLE universes (name TEXT PRIMARY KEY, source TEXT, updated_at TEXT);
            CREATE TABLE universe_members (universe TEXT NOT NULL, ticker TEXT NOT NULL,
                                           PRIMARY KEY (universe, ticker)) WITHOUT ROWID;
            CREATE TABLE bars (ticker TEXT NOT NULL, date TEXT NOT NULL, open REAL, high REAL,
                               low REAL, close REAL NOT NULL, volume REAL,
                               source_id INTEGER NOT NULL, fetched_at TEXT,
                               PRIMARY KEY (ticker, date)) WITHOUT ROWID;
            CREATE TABLE bar_summary (ticker TEXT NOT NULL, source_id INTEGER NOT NULL,
                                      bars INTEGER NOT NULL, first TEXT NOT NULL,
                                      last TEXT NOT NULL, PRIMARY KEY (ticker, source_id))
                                      WITHOUT ROWID;
            INSERT INTO meta VALUES ('schema_version', '2'), ('data_version', '7'),
                                    ('store_id', 'old'), ('seeded_at', '2026-09-01T00:00:00Z');
            INSERT INTO sources VALUES (1, 'snap:a', 'A', '2026-01-12T00:00:00Z'),
                                       (2, 'yahoo', NULL, '2026-09-02T00:00:00Z');
            INSERT INTO bars VALUES ('AAA', '2026-01-05', NULL, NULL, NULL, 10.0, 100, 1, NULL),
                                    ('AAA', '2026-01-13', NULL, NULL, NULL, 16.0, 5, 2, NULL);
            INSERT INTO universes VALUES ('tiny', 'A; not point-in-time', '2026-01-12'),
                                         ('mine', 'user list', '2026-09-02');
            INSERT INTO universe_members VALUES ('tiny', 'AAA'), ('mine', 'BBB');
            INSERT INTO securities VALUES ('AAA', 'Aaa Inc', 'Energy', NULL, 'stock'),
                                          ('BBB', NULL, NULL, NULL, 'etf');
            """
        )
    store = open_store(path, snapshot=snap)
    got = store.read_bars("AAA")
    assert got["close"].tolist() == [10.0, 11.0, 12.0, 13.0, 14.0, 15.0, 16.0]
    assert got["source"].tolist()[-1] == "yahoo" and got["source"].tolist()[0] == "snap:a"
    assert store.universes() == {"mine": ("BBB",), "tiny": ("AAA",)}
    assert (
        store.status().schema_version == 3 and store.status().created_at == "2026-09-01T00:00:00Z"
    )
    with sqlite3.connect(path) as con:
        assert con.execute("SELECT COUNT(*) FROM bars").fetchone() == (1,)


def test_env_var_location(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("XLSRC_STORE", str(tmp_path / "env.sqlite"))
    assert default_location() == str(tmp_path / "env.sqlite")
    assert open_store().location == str(tmp_path / "env.sqlite")
    assert open_store(tmp_path / "explicit.sqlite").location == str(tmp_path / "explicit.sqlite")
    monkeypatch.delenv("XLSRC_STORE")
    assert Path(default_location()).name == "xlsrc.sqlite"


@pytest.mark.parametrize("problem", ["missing", "corrupt", "columns"])
def test_malformed_snapshot(tmp_path: Path, snap: Path, problem: str):
    if problem == "missing":
        (snap / "bars.parquet").unlink()
    elif problem == "corrupt":
        (snap / "bars.parquet").write_bytes(b"PAR1 garbage")
    else:
        pq.write_table(pa.table({"ticker": ["A"]}), snap / "bars.parquet")
    store = open_store(tmp_path / "x.sqlite", snapshot=snap)
    with pytest.raises(StoreError, match=r"bars\.parquet"):
        load_matrices(store)
    assert not (tmp_path / "x.sqlite").exists()


# ---------------------------------------------------------------------- real data
@pytest.fixture(scope="module")
def real_store(bundled_store_path: Path):
    return open_store(bundled_store_path)


def _raw_closes(ticker: str) -> dict[str, float]:
    out = {}
    with gzip.open(SHARED / "closes" / "us_closes_2024-01-02_2026-08-03.csv.gz", "rt") as fh:
        for row in csv.reader(fh):
            if row[1] == ticker:
                out[row[0]] = float(row[2])
    return out


@pytest.mark.skipif(not SHARED.exists(), reason="shared data not available")
def test_real_snapshot_vicr_matches_source(real_store):
    raw = _raw_closes("VICR")
    bars = real_store.read_bars("VICR")
    assert len(bars) == len(raw)
    got = dict(zip(bars["date"].dt.strftime("%Y-%m-%d"), bars["close"], strict=True))
    assert got == raw
    m = load_matrices(real_store)
    assert m.close.index[-1] == pd.Timestamp("2026-08-03") and m.latest == pd.Timestamp(
        "2026-08-03"
    )
    assert m.close.shape == (648, 12_469)
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
def test_real_snapshot_calendar_is_the_exchange_calendar(real_store):
    """648 sessions from 2024-01-02 to 2026-08-03: NYSE holidays, not data, make the gaps."""
    m = load_matrices(real_store)
    index = m.close.index
    assert pd.Timestamp("2025-01-09") not in index  # national day of mourning (Carter)
    assert pd.Timestamp("2025-07-04") not in index and pd.Timestamp("2025-07-03") in index
    assert pd.Timestamp("2024-11-29") in index  # day after Thanksgiving: an early close
    assert (index.day_of_week < 5).all()


@pytest.mark.skipif(not SHARED.exists(), reason="shared data not available")
def test_real_snapshot_index_ohlcv(real_store):
    bars = real_store.read_bars("^GSPC", start="2026-01-22", end="2026-01-22")
    with gzip.open(SHARED / "ohlcv" / "adjusted_2015-2026" / "GSPC.csv.gz", "rt") as fh:
        row = next(r for r in csv.DictReader(fh) if r["date"].startswith("2026-01-22"))
    assert bars["close"].iloc[0] == pytest.approx(float(row["close"]), rel=1e-12)
    assert bars["volume"].iloc[0] == pytest.approx(float(row["volume"]))
    m = load_matrices(real_store)
    volume = load_field(real_store, "volume", m)
    assert volume.loc["2026-01-22", "^GSPC"] == np.float32(float(row["volume"]))


def test_a_location_with_another_url_scheme_is_refused_not_made_a_folder(tmp_path: Path):
    """``--store mysql://user:pw@host/db`` is not a path with a folder named ``mysql:``."""
    with pytest.raises(StoreError, match=r"Unsupported store location 'mysql://me:\*\*\*@h/x'"):
        open_store("mysql://me:secret@h/x")
    assert not Path("mysql:").exists()
