"""The store contract: every backend passes the same tests (SQLAlchemy's testing-suite habit).

Backends: memory and SQLite alone, each layered over a tiny snapshot, and PostgreSQL when
``XLSRC_TEST_POSTGRES`` names a server (``.ci/run`` starts a throwaway one). Expected
values are written out by hand from the rows each test writes.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tiny_snapshot import DATES, make_snapshot

from xlsrc.data import ingest_bars, load_matrices, open_store
from xlsrc.data.backends.base import ReadStore, Store
from xlsrc.data.validate import ValidBars
from xlsrc.errors import BarsRefusedError, InvalidParameterError, UnknownUniverseError

PG_URL = os.environ.get("XLSRC_TEST_POSTGRES", "")
BACKENDS = ["memory", "sqlite", "layered-memory", "layered-sqlite", "postgres"]
NOW = pd.Timestamp("2026-11-30 23:00", tz="UTC")
NEXT = DATES[-1] + pd.offsets.BDay()  # 2026-01-13, a session


def _open(kind: str, tmp_path: Path) -> Store:
    if kind == "memory":
        return open_store("memory:", snapshot=False)
    if kind == "sqlite":
        return open_store(tmp_path / "db" / "x.sqlite", snapshot=False)
    if kind == "layered-memory":
        return open_store("memory:", snapshot=make_snapshot(tmp_path / "snap"))
    if kind == "layered-sqlite":
        return open_store(tmp_path / "db" / "x.sqlite", snapshot=make_snapshot(tmp_path / "snap"))
    if not PG_URL:
        pytest.skip("XLSRC_TEST_POSTGRES is not set (no PostgreSQL server for this run)")
    from pg_helpers import fresh_database

    return open_store(fresh_database(PG_URL), snapshot=False)


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    s = _open(request.param, tmp_path)
    yield s
    close = getattr(s, "close", None)
    if close is not None:
        close()


def layered(store: Store) -> bool:
    return hasattr(store, "base")


def bars(
    rows: list[tuple], columns: tuple[str, ...] = ("ticker", "date", "close", "volume")
) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(columns))


def put(store: Store, frame: pd.DataFrame, source: str = "test", **kw) -> object:
    return ingest_bars(store, frame, source, now=NOW, **kw)


def test_it_is_a_store(store: Store) -> None:
    assert isinstance(store, ReadStore) and isinstance(store, Store)


def test_a_new_store_has_versions_and_reads_without_writing(store: Store) -> None:
    _, data_version, bars_version = store.identity()
    assert (data_version, bars_version) == (0, 0)
    expected_tickers = {"AAA", "BBB", "^IDX"} if layered(store) else set()
    assert set(store.read_bars()["ticker"]) == expected_tickers
    assert set(store.last_days().index) == expected_tickers
    status = store.status()
    assert status.data_version == 0 and status.bars_version == 0
    assert status.n_tickers == len(expected_tickers)
    if hasattr(store, "overlay") and hasattr(store.overlay, "path"):
        assert not store.overlay.path.exists()  # reading made no file


def test_written_bars_read_back_exactly_and_bump_both_versions(store: Store) -> None:
    frame = bars([("aaa", NEXT, 50.0, 5.0), ("NEW", NEXT, 7.0, None)])
    result = put(store, frame, fetched_at="2026-02-01T00:00:00Z")
    assert result.rows == 2
    assert result.write.data_version == 1 and result.write.bars_version == 1
    assert store.identity()[1:] == (1, 1)
    got = store.read_bars(["AAA", "new"], start=NEXT, end=NEXT)
    assert got["ticker"].tolist() == ["AAA", "NEW"]
    assert got["close"].tolist() == [50.0, 7.0]
    assert got["volume"].iloc[0] == 5.0 and np.isnan(got["volume"].iloc[1])
    assert got["source"].tolist() == ["test", "test"]
    assert got["fetched_at"].tolist() == ["2026-02-01T00:00:00Z"] * 2
    assert store.last_days()["NEW"] == NEXT
    assert "NEW" in store.securities().index


def test_an_upsert_replaces_the_whole_row(store: Store) -> None:
    put(store, bars([("AAA", NEXT, 50.0, 5.0)]))
    # a differing close on a one-day overlap is a correction only when asked (rule basis)
    put(store, bars([("AAA", NEXT, 51.0, 7.0)]), source="again", allow_other_basis=True)
    got = store.read_bars("AAA", start=NEXT)
    assert got["close"].tolist() == [51.0] and got["volume"].tolist() == [7.0]
    assert got["source"].tolist() == ["again"]
    # an empty volume cell is lacking, not "no volume": the stored one stays (ingest)
    put(store, bars([("AAA", NEXT, 52.0, None)]), source="third", allow_other_basis=True)
    got = store.read_bars("AAA", start=NEXT)
    assert got["close"].tolist() == [52.0] and got["volume"].tolist() == [7.0]
    assert got["source"].tolist() == ["third"]


def test_replace_drops_the_history_from_its_first_session_on(store: Store) -> None:
    first = [("AAA", d, 10.0 + i, None) for i, d in enumerate(DATES)]
    first += [("SPY", d, 500.0 + i, None) for i, d in enumerate(DATES)]  # the market's calendar
    put(store, bars(first), source="first")
    # a re-adjusted history that starts at the 3rd session and ends at the 4th
    put(
        store,
        bars([("AAA", DATES[2], 6.0, None), ("AAA", DATES[3], 6.5, None)]),
        source="readjusted",
        replace=True,
    )
    got = store.read_bars("AAA")
    assert got["date"].tolist() == list(DATES[:4])
    assert got["close"].tolist() == [10.0, 11.0, 6.0, 6.5]
    m = load_matrices(store)
    assert m.close["AAA"].tolist() == [10.0, 11.0, 6.0, 6.5, 6.5, 6.5]
    assert m.last_bar["AAA"] == DATES[3]


def test_write_bars_takes_only_checked_bars(store: Store) -> None:
    with pytest.raises(TypeError, match="ValidBars"):
        store.write_bars(bars([("AAA", NEXT, 1.0, None)]), "raw")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        ValidBars(bars([("AAA", NEXT, 1.0, None)]))
    assert store.identity()[1:] == (0, 0)


def test_a_refused_input_changes_nothing(store: Store) -> None:
    before = store.read_bars()
    with pytest.raises(BarsRefusedError, match="Saturday"):
        put(
            store,
            bars([("AAA", NEXT, 50.0, None), ("AAA", pd.Timestamp("2026-01-17"), 51.0, None)]),
        )
    assert store.identity()[1:] == (0, 0)
    pd.testing.assert_frame_equal(store.read_bars(), before)


def test_securities_upsert_keeps_what_a_missing_value_does_not_say(store: Store) -> None:
    store.upsert_securities(
        pd.DataFrame({"ticker": ["zzz"], "name": ["Zed Inc"], "type": ["stock"]})
    )
    store.upsert_securities(pd.DataFrame({"ticker": ["ZZZ"], "name": [None], "sector": ["Energy"]}))
    row = store.securities().loc["ZZZ"]
    assert (row["name"], row["sector"], row["type"]) == ("Zed Inc", "Energy", "stock")
    assert store.identity()[1:] == (2, 0)  # metadata: data_version only
    with pytest.raises(InvalidParameterError, match="security type"):
        store.upsert_securities(pd.DataFrame({"ticker": ["AAA"], "type": ["bond"]}))


def test_universes_set_and_delete(store: Store) -> None:
    result = store.set_universe("Mine", ["aaa", "BBB", "aaa"], source="test list")
    assert result.rows == 2 and store.identity()[2] == 0
    assert store.universes()["mine"] == ("AAA", "BBB")
    assert store.universe_sources()["mine"] == "test list"
    store.set_universe("mine", ["CCC"], source="second")
    assert store.universes()["mine"] == ("CCC",)
    store.delete_universe("mine")
    assert "mine" not in store.universes()
    with pytest.raises(UnknownUniverseError):
        store.delete_universe("mine")
    for bad in ("stocks", "all", "", "a b"):
        with pytest.raises(InvalidParameterError):
            store.set_universe(bad, ["AAA"], source="x")


def test_read_long_agrees_with_read_bars(store: Store) -> None:
    put(store, bars([("AAA", NEXT, 50.0, 5.0), ("CCC", NEXT, 3.0, 1.0)]))
    long, identity = store.read_long(("close", "volume"))
    assert identity == store.identity()
    frame = store.read_bars()
    got = {
        (str(long.tickers[c]), int(d)): (float(x), float(v))
        for c, d, x, v in zip(
            long.code, long.day, long.fields["close"], long.fields["volume"], strict=True
        )
    }
    epoch = np.datetime64("1970-01-01", "D")
    want = {
        (r.ticker, int((np.datetime64(r.date.date(), "D") - epoch).astype(int))): (
            r.close,
            r.volume,
        )
        for r in frame.itertuples()
    }
    # later rows win in a matrix: keep the last value per key from the long arrays
    assert set(got) == set(want)
    for key, (close, volume) in want.items():
        assert got[key][0] == close
        assert (np.isnan(volume) and np.isnan(got[key][1])) or got[key][1] == volume


def test_source_summary_and_status_name_the_writer(store: Store) -> None:
    put(store, bars([("AAA", NEXT, 50.0, None), ("NEW", NEXT, 7.0, None)]), source="yahoo")
    summary = store.source_summary().set_index("source")
    assert summary.loc["yahoo", "tickers"] == 2
    assert summary.loc["yahoo", "last"] == NEXT
    status = store.status()
    assert status.last_refresh_source == "yahoo" and status.last_refresh
    assert status.bars_version == 1
    assert dict(status)["bars_version"] == 1  # printable as a mapping too


def test_a_write_failing_inside_the_backend_changes_nothing(store: Store) -> None:
    """A replace whose rows the database refuses half-way (a NULL close) is rolled back whole."""
    if "memory" in type(getattr(store, "overlay", store)).__name__.lower():
        pytest.skip("the memory store swaps in the new frame in one assignment")
    put(store, bars([("AAA", NEXT, 50.0, None)]))
    before = store.read_bars()
    identity = store.identity()
    frame = bars([("AAA", DATES[0], 999.0, None), ("BBB", NEXT, np.nan, None)])
    for field in ("open", "high", "low", "split_close"):
        frame[field] = np.nan
    with pytest.raises(Exception, match=r"(?i)nothing was changed|null"):
        store.write_bars(_sneak(frame), "bad", replace=True)
    assert store.identity() == identity
    pd.testing.assert_frame_equal(store.read_bars(), before)
    assert "bad" not in store.source_summary()["source"].tolist()


def _sneak(frame: pd.DataFrame) -> ValidBars:
    """Bars that bypass the gate, to make the backend itself fail mid-transaction."""
    from xlsrc.data import validate

    frame = frame.assign(date=pd.to_datetime(frame["date"]))
    return ValidBars(frame[["ticker", "date", *validate.BAR_FIELDS]], validate._TOKEN)


def test_a_reader_sees_the_store_before_or_after_a_write(store: Store) -> None:
    old = [10.0 + i for i in range(6)]
    new = [1000.0 + i for i in range(6)]
    put(store, bars([("AAA", d, c, None) for d, c in zip(DATES, old, strict=True)]))
    seen: list[list[float]] = []
    errors: list[str] = []
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            try:
                seen.append(store.read_bars("AAA")["close"].tolist())
            except Exception as exc:  # the test fails on any
                errors.append(repr(exc))

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        for _ in range(5):
            for values in (new, old):
                put(
                    store,
                    bars([("AAA", d, c, None) for d, c in zip(DATES, values, strict=True)]),
                    replace=True,
                )
    finally:
        stop.set()
        thread.join()
    assert not errors
    assert seen and all(s in (old, new) for s in seen)


def test_status_names_the_markets_ends_and_the_coverage_of_the_latest(store: Store) -> None:
    """Review 1, D5/D11: the ends are the benchmark's first and last bar, with a count."""
    rows = [("SPY", d, 500.0 + i, None) for i, d in enumerate(DATES[1:])]  # 01-06..01-12
    rows += [("OLD", DATES[0], 5.0, None)]  # before SPY's first bar: not the first session
    rows += [("ZZZ", DATES[5], 7.0, None), ("ZZZ", NEXT, 7.1, None)]  # one day ahead of SPY
    put(store, bars(rows))
    status = store.status()
    assert status.first_date == "2026-01-06" and status.last_date == "2026-01-12"
    # on 2026-01-12: SPY and ZZZ (its later bar notwithstanding); the tiny snapshot's AAA,
    # BBB and ^IDX all end that day too
    assert status.tickers_on_last_date == (5 if layered(store) else 2)
    assert status.n_tickers == (6 if layered(store) else 3)
