"""The PostgreSQL store against a real server: store init, the cache, universes, writers killed.

Skipped unless ``XLSRC_TEST_POSTGRES`` names a server (``.ci/run`` starts a throwaway
cluster with ``.ci/postgres.sh``). The store contract itself runs in
``tests/test_store_contract.py``; concurrency with reader processes in
``tests/test_postgres_concurrency.py``. Expected values are written out by hand from the
tiny snapshot (``tests/tiny_snapshot.py``) or taken from the raw CSV in ``shared/data``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tiny_snapshot import DATES, make_snapshot

from xlsrc.data import ingest_bars, load_matrices
from xlsrc.data.backends.postgres import PostgresStore
from xlsrc.data.backends.postgres_init import initialise
from xlsrc.data.cache import BarsCache
from xlsrc.data.holdings import delete_universe, reset_universe
from xlsrc.errors import InvalidParameterError, StoreError

pytestmark = pytest.mark.skipif(
    not os.environ.get("XLSRC_TEST_POSTGRES"),
    reason="XLSRC_TEST_POSTGRES is not set (no PostgreSQL server for this run)",
)

NOW = pd.Timestamp("2026-11-30 23:00", tz="UTC")
NEXT = DATES[-1] + pd.offsets.BDay()  # 2026-01-13, a session


@pytest.fixture
def url() -> str:
    from pg_helpers import fresh_database, server_url

    return fresh_database(server_url())


@pytest.fixture
def snap(tmp_path: Path) -> Path:
    return make_snapshot(tmp_path / "snap")


def tables(url: str) -> set[str]:
    import psycopg

    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables "
            "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
        ).fetchall()
    return {r[0] for r in rows}


def schemas(url: str) -> set[str]:
    import psycopg

    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT nspname FROM pg_namespace").fetchall()
    return {r[0] for r in rows if r[0].startswith("xlsrc")}


# ----------------------------------------------------------------------------- store init
def test_init_loads_the_snapshot_whole(url: str, snap: Path, tmp_path: Path) -> None:
    result = initialise(url, snapshot=snap)
    assert result.counts == {
        "bars": 16,
        "tickers": 3,
        "securities": 3,
        "universes": 1,
        "sources": 2,
    }
    store = PostgresStore(url, cache=BarsCache(tmp_path / "cache"))
    store_id, data_version, bars_version = store.identity()
    assert len(store_id) == 32 and (data_version, bars_version) == (1, 1)
    bars = store.read_bars()
    aaa = bars[bars["ticker"] == "AAA"]
    assert aaa["close"].tolist() == [10.0, 11.0, 12.0, 13.0, 14.0, 15.0]
    assert aaa["volume"].tolist() == [100.0, 200.0, 300.0, 400.0, 500.0, 600.0]
    assert aaa["open"].isna().all() and aaa["split_close"].isna().all()
    bbb = bars[bars["ticker"] == "BBB"]
    assert bbb["date"].tolist() == list(DATES[2:])
    assert bbb["close"].tolist() == [22.0, 23.0, 24.0, 25.0] and bbb["volume"].isna().all()
    assert bars[bars["ticker"] == "^IDX"]["close"].tolist() == [1000.0 + i for i in range(6)]
    # provenance: the snapshot's sources, with the fetched_at the provenance gives
    assert set(bars["source"]) == {"snap:a", "snap:b"}
    assert set(aaa["fetched_at"]) == {"2026-01-12T00:00:00Z"}
    assert bbb["fetched_at"].isna().all()  # snap:b has no provenance entry
    summary = store.source_summary().set_index("source")
    assert summary.loc["snap:a", "tickers"] == 2 and summary.loc["snap:b", "tickers"] == 1
    assert summary.loc["snap:a", "detail"] == "A"
    sec = store.securities()
    assert sec.loc["AAA"].tolist() == ["Aaa Inc", "Energy", None, "stock"]
    assert sec.loc["BBB", "type"] == "etf" and sec.loc["^IDX", "type"] == "index"
    assert store.universes() == {"tiny": ("AAA",)}
    assert store.builtin_universes() == {"tiny": ("AAA",)}
    assert store.universe_sources() == {"tiny": "bundled snapshot; not point-in-time"}
    status = store.status()
    assert (status.backend, status.snapshot_version, status.n_tickers) == ("PostgreSQL", "1", 3)
    assert (status.first_date, status.last_date) == ("2026-01-05", "2026-01-12")
    assert status.last_refresh is None  # loading the snapshot is not a refresh
    # the matrices the formulas use
    m = load_matrices(store)
    assert np.isnan(m.close["BBB"].iloc[:2]).all()
    assert m.close["BBB"].tolist()[2:] == [22.0, 23.0, 24.0, 25.0]
    assert {t.split(".")[0] for t in tables(url)} == {"public"}
    assert schemas(url) == set()  # no staging schema left behind


def test_init_refuses_a_store_with_data_and_force_replaces_it(
    url: str, snap: Path, tmp_path: Path
) -> None:
    initialise(url, snapshot=snap)
    store = PostgresStore(url, cache=False)
    first_id = store.identity()[0]
    ingest_bars(
        store, pd.DataFrame({"ticker": ["AAA"], "date": [NEXT], "close": [16.0]}), "t", now=NOW
    )
    with pytest.raises(StoreError, match=r"already holds an xlsrc store .*pass --force"):
        initialise(url, snapshot=snap)
    assert store.identity()[1:] == (2, 2)
    assert store.read_bars("AAA")["close"].iloc[-1] == 16.0
    initialise(url, snapshot=snap, force=True)
    assert store.identity()[0] != first_id and store.identity()[1:] == (1, 1)
    assert store.read_bars("AAA")["close"].tolist() == [10.0, 11.0, 12.0, 13.0, 14.0, 15.0]
    assert schemas(url) == set()


def test_init_over_an_empty_store_made_by_a_first_read_or_nothing(url: str, snap: Path) -> None:
    store = PostgresStore(url, cache=False)
    assert store.identity() == ("", 0, 0)  # reading makes nothing
    assert tables(url) == set()
    initialise(url, snapshot=snap)
    assert store.identity()[1:] == (1, 1)


@pytest.mark.parametrize("stage", ["bars", "finish"])
def test_an_interrupted_init_changes_nothing(url: str, snap: Path, stage: str) -> None:
    def interrupt(at: str, done: int, total: int) -> None:
        if at == stage and 0 < done < total:
            raise KeyboardInterrupt

    def interrupt_late(at: str, done: int, total: int) -> None:
        if at == stage and done == (total if stage == "bars" else total - 1):
            raise KeyboardInterrupt

    # into an empty database: nothing at all is left
    with pytest.raises(KeyboardInterrupt):
        initialise(url, snapshot=snap, progress=interrupt_late)
    assert tables(url) == set() and schemas(url) == set()
    # over a store with data: the old store stays as it was
    initialise(url, snapshot=snap)
    store = PostgresStore(url, cache=False)
    ingest_bars(
        store, pd.DataFrame({"ticker": ["AAA"], "date": [NEXT], "close": [16.0]}), "t", now=NOW
    )
    before = (store.identity(), store.read_bars(), store.universes())
    for callback in (interrupt, interrupt_late):
        try:
            initialise(url, snapshot=snap, force=True, progress=callback)
        except KeyboardInterrupt:
            pass
        else:  # the tiny snapshot copies in one step: only the late interruption fires
            assert callback is interrupt
            before = (store.identity(), store.read_bars(), store.universes())
            continue
        assert store.identity() == before[0]
        pd.testing.assert_frame_equal(store.read_bars(), before[1])
        assert store.universes() == before[2]
        assert schemas(url) == set()


# ----------------------------------------------------------------------------- universes
def test_a_builtin_universe_is_reset_not_deleted(url: str, snap: Path) -> None:
    initialise(url, snapshot=snap)
    store = PostgresStore(url, cache=False)
    store.set_universe("tiny", ["BBB", "^IDX"], source="mine")
    assert store.universes()["tiny"] == ("BBB", "^IDX")
    assert store.builtin_universes() == {"tiny": ("AAA",)}  # the shipped list is kept
    with pytest.raises(InvalidParameterError, match="bundled universe"):
        delete_universe(store, "tiny")
    summary = reset_universe(store, "tiny")
    assert store.universes()["tiny"] == ("AAA",)
    assert summary.added == ("AAA",) and summary.removed == ("BBB", "^IDX")
    assert store.universe_sources()["tiny"] == "bundled snapshot; not point-in-time"
    # the protocol's delete of a built-in name brings the shipped list back
    store.set_universe("tiny", ["BBB"], source="mine")
    store.delete_universe("tiny")
    assert store.universes()["tiny"] == ("AAA",)
    store.set_universe("mine", ["BBB"], source="mine")
    assert delete_universe(store, "mine") == "Universe mine deleted."
    assert "mine" not in store.universes()


# ----------------------------------------------------------------------------- the cache
def test_read_long_reads_the_server_once_per_change_of_bars(
    url: str, snap: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    initialise(url, snapshot=snap)
    cache = BarsCache(tmp_path / "cache")
    store = PostgresStore(url, cache=cache)
    server_reads: list[tuple[str, ...]] = []
    real = PostgresStore.read_long_from_server

    def counting(self: PostgresStore, fields: tuple[str, ...]) -> object:
        server_reads.append(tuple(fields))
        return real(self, fields)

    monkeypatch.setattr(PostgresStore, "read_long_from_server", counting)
    first, identity = store.read_long(("close",))
    assert server_reads == [("close",)]
    assert cache.path(identity[0], ("close",)).exists()
    for _ in range(3):  # recalculations, and a second process with its own store object
        again, same = PostgresStore(url, cache=cache).read_long(("close",))
        assert same == identity
        assert again.tickers.tolist() == first.tickers.tolist()
        assert np.array_equal(again.code, first.code) and np.array_equal(again.day, first.day)
        assert np.array_equal(again.fields["close"], first.fields["close"])
    assert server_reads == [("close",)]
    # metadata alone (data_version) does not invalidate the bars
    store.set_universe("mine", ["AAA"], source="t")
    _, after_meta = store.read_long(("close",))
    assert after_meta[1:] == (identity[1] + 1, identity[2]) and server_reads == [("close",)]
    # new bars do: the next read goes to the server and sees them
    ingest_bars(
        store, pd.DataFrame({"ticker": ["AAA"], "date": [NEXT], "close": [16.0]}), "t", now=NOW
    )
    newer, new_identity = store.read_long(("close",))
    assert server_reads == [("close",), ("close",)]
    assert new_identity[2] == identity[2] + 1 and len(newer) == len(first) + 1
    aaa = int(np.flatnonzero(newer.tickers == "AAA")[0])
    assert sorted(newer.fields["close"][newer.code == aaa]) == [
        10.0,
        11.0,
        12.0,
        13.0,
        14.0,
        15.0,
        16.0,
    ]


def test_a_restored_database_never_matches_a_file_cached_before(
    url: str, snap: Path, tmp_path: Path
) -> None:
    """A restore puts bars_version back; later writes reach cached numbers with other bars."""
    import psycopg

    initialise(url, snapshot=snap)
    cache = BarsCache(tmp_path / "cache")
    store = PostgresStore(url, cache=cache)
    ingest_bars(
        store, pd.DataFrame({"ticker": ["AAA"], "date": [NEXT], "close": [16.0]}), "t", now=NOW
    )
    cached, identity = store.read_long(("close",))
    assert identity[2] == 2 and 16.0 in cached.fields["close"]
    # "restore" the state of bars_version 1, then write other bars: version 2 again
    with psycopg.connect(url) as conn:
        conn.execute("DELETE FROM bars WHERE date = %s", (NEXT.date(),))
        conn.execute("DELETE FROM bar_summary")
        conn.execute(
            "INSERT INTO bar_summary SELECT ticker, source_id, COUNT(*), MIN(date), MAX(date) "
            "FROM bars GROUP BY ticker, source_id"
        )
        conn.execute("UPDATE meta SET value = '1' WHERE key = 'bars_version'")
        conn.execute("UPDATE meta SET value = 'restored' WHERE key = 'bars_stamp'")
    ingest_bars(
        store, pd.DataFrame({"ticker": ["AAA"], "date": [NEXT], "close": [17.0]}), "t", now=NOW
    )
    long, again = store.read_long(("close",))
    assert again[0] == identity[0] and again[2] == 2  # the same key but for the stamp
    assert 17.0 in long.fields["close"] and 16.0 not in long.fields["close"]


def test_a_read_from_the_server_matches_read_bars_field_by_field(url: str, snap: Path) -> None:
    initialise(url, snapshot=snap)
    store = PostgresStore(url, cache=False)
    frame = pd.DataFrame(
        {
            "ticker": ["AAA", "CCC"],
            "date": [NEXT, NEXT],
            "open": [15.5, np.nan],
            "high": [16.5, np.nan],
            "low": [15.0, np.nan],
            "close": [16.0, 3.0],
            "volume": [700.0, np.nan],
            "split_close": [32.0, np.nan],
        }
    )
    ingest_bars(store, frame, "t", now=NOW)
    fields = ("open", "high", "low", "close", "volume", "split_close")
    long, _ = store.read_long(fields)
    got = {
        (str(long.tickers[c]), int(d)): tuple(float(long.fields[f][i]) for f in fields)
        for i, (c, d) in enumerate(zip(long.code, long.day, strict=True))
    }
    day = int((np.datetime64(NEXT.date(), "D") - np.datetime64("1970-01-01", "D")).astype(int))
    assert got[("AAA", day)] == (15.5, 16.5, 15.0, 16.0, 700.0, 32.0)
    assert np.isnan(got[("CCC", day)][0]) and got[("CCC", day)][3] == 3.0
    day0 = day - 8  # 2026-01-05, a Monday, 8 days before Tuesday 2026-01-13
    assert got[("AAA", day0)][3] == 10.0 and got[("AAA", day0)][4] == 100.0
    assert len(got) == 18


# ----------------------------------------------------------------------------- killed writer
_KILLED_WRITER = textwrap.dedent(
    """
    import sys
    import numpy as np
    import pandas as pd
    from xlsrc.data import ingest_bars
    from xlsrc.data.backends.postgres import PostgresStore
    from xlsrc.data.calendar import get_calendar

    url = sys.argv[1]
    sessions = get_calendar().sessions_in_range("2024-01-02", "2026-06-30")
    tickers = [f"K{i:04d}" for i in range(400)]
    frame = pd.DataFrame(
        {
            "ticker": np.repeat(tickers, len(sessions)),
            "date": np.tile(sessions, len(tickers)),
            "close": 100.0 + 0.01 * np.tile(np.arange(len(sessions)), len(tickers)),
            "volume": 1000.0,
        }
    )
    print("ready", len(frame), flush=True)
    ingest_bars(PostgresStore(url, cache=False), frame, "big", now=pd.Timestamp("2026-11-30", tz="UTC"))
    print("committed", flush=True)
    """
)


def test_a_writer_killed_mid_transaction_leaves_the_store_as_it_was(
    url: str, snap: Path, tmp_path: Path
) -> None:
    import psycopg

    initialise(url, snapshot=snap)
    store = PostgresStore(url, cache=False)
    before = (store.identity(), store.read_bars(), store.last_days(), store.source_summary())
    script = tmp_path / "writer.py"
    script.write_text(_KILLED_WRITER)
    writer_url = url + "?application_name=xlsrc-killed-writer"
    proc = subprocess.Popen(
        [sys.executable, str(script), writer_url], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().startswith("ready")
        # wait until the writer holds the store's write lock: it is inside its transaction
        deadline = time.monotonic() + 120
        with psycopg.connect(url, autocommit=True) as watcher:
            while time.monotonic() < deadline:
                inside = watcher.execute(
                    "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid) "
                    "WHERE l.locktype = 'advisory' AND l.granted "
                    "AND a.application_name = 'xlsrc-killed-writer'"
                ).fetchone()[0]
                if inside:
                    break
                assert proc.poll() is None, "the writer ended before it was killed"
                time.sleep(0.005)
            else:
                pytest.fail("the writer never started its transaction")
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    # the server aborts the dead session's transaction; the next write takes the lock
    after = PostgresStore(url, cache=False)
    assert after.identity() == before[0]
    pd.testing.assert_frame_equal(after.read_bars(), before[1])
    pd.testing.assert_series_equal(after.last_days(), before[2])
    pd.testing.assert_frame_equal(after.source_summary(), before[3])
    result = ingest_bars(
        after, pd.DataFrame({"ticker": ["AAA"], "date": [NEXT], "close": [16.0]}), "t", now=NOW
    )
    assert (result.write.data_version, result.write.bars_version) == (2, 2)
    assert "K0000" not in after.securities().index


# ----------------------------------------------------------------------------- the bundled snapshot
@pytest.fixture(scope="module")
def bundled_url() -> str:
    """A database loaded by ``xlsrc store init`` with the bundled snapshot (once per module)."""
    from pg_helpers import fresh_database, server_url

    from xlsrc.cli import main

    url = fresh_database(server_url())
    assert main(["store", "init", url, "--quiet"]) == 0
    return url


def test_store_init_prints_what_it_loaded_and_refuses_a_second_time(
    bundled_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from xlsrc.cli import main

    capsys.readouterr()
    assert main(["store", "init", bundled_url, "--quiet"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"xlsrc: error: {bundled_url} already holds an xlsrc store")
    assert "--force" in err
    store = PostgresStore(bundled_url, cache=False)
    assert store.identity()[1:] == (1, 1)
    status = store.status()
    # the bundled snapshot's provenance.json: 6,264,703 bars of 12,469 tickers
    assert status.n_tickers == 12469
    assert (status.first_date, status.last_date) == ("2024-01-02", "2026-08-03")


def test_formulas_on_postgres_equal_the_embedded_stores(
    bundled_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from xlsrc.data import open_store
    from xlsrc.excel import udfs
    from xlsrc.market import Market

    monkeypatch.setenv("XLSRC_CACHE_DIR", str(tmp_path / "cache"))
    pg = Market(PostgresStore(bundled_url))
    local = Market(open_store(tmp_path / "nothing-written.sqlite"))
    # shared/data/closes/us_closes_2024-01-02_2026-08-03.csv.gz: VICR closed at 109.60 on
    # 2025-12-31 and at 166.78 on 2026-01-22
    want = 166.78 / 109.6 - 1
    as_of = pd.Timestamp("2026-01-22")
    assert pg.metric("VICR", "ret_ytd", as_of) == pytest.approx(want, rel=1e-12)
    pd.testing.assert_frame_equal(pg.close, local.close)
    pd.testing.assert_frame_equal(pg.volume, local.volume)
    pd.testing.assert_series_equal(pg.last_bar, local.last_bar)
    pd.testing.assert_frame_equal(pg.metrics(as_of), local.metrics(as_of))
    assert pg.universes == local.universes
    pd.testing.assert_frame_equal(pg.securities, local.securities)
    # through the formula layer too, as Excel would call it
    monkeypatch.setenv("XLSRC_STORE", bundled_url)
    assert udfs.YTD_RETURN("VICR", "2026-01-22") == pytest.approx(want, rel=1e-12)
    monkeypatch.setenv("XLSRC_STORE", str(tmp_path / "nothing-written.sqlite"))
    assert udfs.YTD_RETURN("VICR", "2026-01-22") == pytest.approx(want, rel=1e-12)
