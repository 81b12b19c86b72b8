"""The local bars cache and the PostgreSQL store's behaviour without a server (always run).

The cache must never serve data that disagrees with the server: only a file with exactly
the key asked for, whole and with consistent shapes, is used. These tests need no
PostgreSQL server; ``tests/test_postgres.py`` checks the cache against a real one.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from xlsrc.data import open_store
from xlsrc.data.backends.postgres import PostgresStore
from xlsrc.data.backends.postgres_schema import mask_url
from xlsrc.data.cache import BarsCache, cache_root
from xlsrc.data.schema import LongBars
from xlsrc.errors import StoreError

STORE_ID = "0123456789abcdef"


def sample() -> LongBars:
    # AAA: 10.0 and 11.0 on days 20000, 20001; BBB: 5.5 on day 20001
    return LongBars(
        tickers=np.array(["AAA", "BBB"], dtype=object),
        code=np.array([0, 0, 1], dtype=np.int32),
        day=np.array([20000, 20001, 20001], dtype=np.int32),
        fields={"close": np.array([10.0, 11.0, 5.5])},
    )


def test_a_saved_read_comes_back_exactly_under_its_key(tmp_path: Path) -> None:
    cache = BarsCache(tmp_path)
    cache.save(STORE_ID, 7, ("close",), sample())
    got = cache.load(STORE_ID, 7, ("close",))
    assert got is not None
    assert got.tickers.tolist() == ["AAA", "BBB"]
    assert got.code.tolist() == [0, 0, 1] and got.code.dtype == np.int32
    assert got.day.tolist() == [20000, 20001, 20001]
    assert got.fields["close"].tolist() == [10.0, 11.0, 5.5]
    # nothing but the file itself is left behind (no temporary files)
    assert [p.name for p in tmp_path.iterdir()] == [f"{STORE_ID}-close.npz"]


def test_another_version_store_or_field_set_is_a_miss(tmp_path: Path) -> None:
    cache = BarsCache(tmp_path)
    cache.save(STORE_ID, 7, ("close",), sample())
    assert cache.load(STORE_ID, 8, ("close",)) is None  # the server's bars moved on
    assert cache.load(STORE_ID, 6, ("close",)) is None
    assert cache.load("fedcba9876543210", 7, ("close",)) is None  # another store
    assert cache.load(STORE_ID, 7, ("close", "volume")) is None  # other fields
    # a stamp is part of the key: the same version number with another stamp is a miss
    cache.save(STORE_ID, 9, ("close",), sample(), stamp="written-by-write-a")
    assert cache.load(STORE_ID, 9, ("close",), stamp="written-by-write-a") is not None
    assert cache.load(STORE_ID, 9, ("close",), stamp="written-by-write-b") is None
    assert cache.load(STORE_ID, 9, ("close",)) is None


def test_a_newer_version_replaces_the_file_whole(tmp_path: Path) -> None:
    cache = BarsCache(tmp_path)
    cache.save(STORE_ID, 7, ("close",), sample())
    newer = LongBars(
        tickers=np.array(["CCC"], dtype=object),
        code=np.array([0], dtype=np.int32),
        day=np.array([20002], dtype=np.int32),
        fields={"close": np.array([1.25])},
    )
    cache.save(STORE_ID, 8, ("close",), newer)
    assert cache.load(STORE_ID, 7, ("close",)) is None
    got = cache.load(STORE_ID, 8, ("close",))
    assert (
        got is not None
        and got.tickers.tolist() == ["CCC"]
        and got.fields["close"].tolist() == [1.25]
    )
    assert len(list(tmp_path.iterdir())) == 1


def test_a_truncated_or_garbled_file_is_a_miss(tmp_path: Path) -> None:
    cache = BarsCache(tmp_path)
    cache.save(STORE_ID, 7, ("close",), sample())
    path = cache.path(STORE_ID, ("close",))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    assert cache.load(STORE_ID, 7, ("close",)) is None
    # one flipped byte inside the close values: the zip member's CRC-32 catches it
    cache.save(STORE_ID, 7, ("close",), sample())
    data = bytearray(path.read_bytes())
    at = bytes(data).index(np.array([10.0, 11.0, 5.5]).tobytes())
    data[at + 3] ^= 0xFF
    path.write_bytes(bytes(data))
    assert cache.load(STORE_ID, 7, ("close",)) is None
    path.write_bytes(b"not a zip file")
    assert cache.load(STORE_ID, 7, ("close",)) is None


def _write_raw(path: Path, key: dict, **arrays: np.ndarray) -> None:
    with path.open("wb") as fh:
        np.savez(fh, key=np.array(json.dumps(key, sort_keys=True)), **arrays)


def test_a_file_whose_shapes_disagree_with_its_key_is_a_miss(tmp_path: Path) -> None:
    cache = BarsCache(tmp_path)
    path = cache.path(STORE_ID, ("close",))
    key = {
        "format": 1,
        "store_id": STORE_ID,
        "bars_version": 7,
        "stamp": "",
        "fields": ["close"],
        "rows": 3,
    }
    good = {
        "tickers": np.array(["AAA", "BBB"]),
        "code": np.array([0, 0, 1], dtype=np.int32),
        "day": np.array([20000, 20001, 20001], dtype=np.int32),
        "field_close": np.array([10.0, 11.0, 5.5]),
    }
    _write_raw(path, key, **good)
    assert cache.load(STORE_ID, 7, ("close",)) is not None  # the hand-made file is valid
    bad_cases = [
        {**good, "code": np.array([0, 0, 2], dtype=np.int32)},  # a code past the tickers
        {**good, "code": np.array([0, -1, 1], dtype=np.int32)},
        {**good, "field_close": np.array([10.0, 11.0])},  # a short field
        {**good, "day": np.array([20000, 20001], dtype=np.int32)},
        {**good, "tickers": np.array(["AAA", "AAA"])},  # a repeated ticker
        {**good, "day": np.array([20000, 20001, 20001], dtype=np.int64)},  # wrong type
    ]
    for arrays in bad_cases:
        _write_raw(path, key, **arrays)
        assert cache.load(STORE_ID, 7, ("close",)) is None
    _write_raw(path, {**key, "format": 99}, **good)
    assert cache.load(STORE_ID, 7, ("close",)) is None
    _write_raw(path, {**key, "rows": 2}, **good)  # the key's row count is not the arrays'
    assert cache.load(STORE_ID, 7, ("close",)) is None


def test_an_unwritable_cache_costs_only_speed(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder should be")
    cache = BarsCache(blocker / "bars")
    cache.save(STORE_ID, 7, ("close",), sample())  # no exception
    assert cache.load(STORE_ID, 7, ("close",)) is None


def test_the_cache_folder_follows_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XLSRC_CACHE_DIR", str(tmp_path / "mine"))
    assert cache_root() == tmp_path / "mine"
    assert BarsCache().directory == tmp_path / "mine" / "bars"


def test_files_unused_for_a_month_are_pruned_when_another_is_written(tmp_path: Path) -> None:
    cache = BarsCache(tmp_path)
    cache.save("old", 1, ("close",), sample())
    cache.save("recent", 1, ("close",), sample())
    old = cache.path("old", ("close",))
    month_ago = old.stat().st_mtime - 31 * 86400
    os.utime(old, (month_ago, month_ago))
    cache.save(STORE_ID, 1, ("close",), sample())
    assert not old.exists()
    assert cache.path("recent", ("close",)).exists()


# ----------------------------------------------------------------------------- no server
def test_passwords_never_appear_in_locations() -> None:
    assert mask_url("postgresql://ana:s3cret@db.desk:5432/xlsrc") == (
        "postgresql://ana:***@db.desk:5432/xlsrc"
    )
    assert mask_url("postgresql://db.desk/xlsrc?user=ana&password=s3cret&sslmode=require") == (
        "postgresql://db.desk/xlsrc?user=ana&password=***&sslmode=require"
    )
    assert mask_url("postgresql://ana@db.desk/xlsrc") == "postgresql://ana@db.desk/xlsrc"
    store = open_store("postgresql://ana:s3cret@db.desk/xlsrc")
    assert isinstance(store, PostgresStore)
    assert "s3cret" not in store.location and "s3cret" not in repr(store)


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_unreachable_server_is_one_line_naming_it(tmp_path: Path) -> None:
    url = f"postgresql://ana:s3cret@127.0.0.1:{_closed_port()}/xlsrc"
    store = PostgresStore(url, cache=BarsCache(tmp_path))
    with pytest.raises(StoreError) as info:
        store.identity()
    text = str(info.value)
    assert "\n" not in text and "s3cret" not in text
    assert text.startswith(f"Cannot connect to the PostgreSQL store {mask_url(url)}: ")
    # the cache serves nothing it cannot check against the server
    BarsCache(tmp_path).save("any", 1, ("close",), sample())
    with pytest.raises(StoreError, match="Cannot connect"):
        store.read_long(("close",))


def test_formulas_and_the_cli_say_why_when_the_server_is_unreachable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from xlsrc.cli import main
    from xlsrc.excel import udfs

    url = f"postgresql://ana:s3cret@127.0.0.1:{_closed_port()}/xlsrc"
    monkeypatch.setenv("XLSRC_STORE", url)
    value = udfs.YTD_RETURN("VICR", "2026-01-22")
    assert isinstance(value, str)
    assert value.startswith(f"#N/A Cannot connect to the PostgreSQL store {mask_url(url)}")
    assert main(["quote", "VICR"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("xlsrc: error: Cannot connect to the PostgreSQL store")
    assert "\n" not in err and "s3cret" not in err


def test_store_init_takes_only_a_postgresql_url(capsys: pytest.CaptureFixture[str]) -> None:
    from xlsrc.cli import main

    assert main(["store", "init", "/tmp/somewhere.sqlite"]) == 1
    assert "store init takes a postgresql:// URL" in capsys.readouterr().err


def test_a_market_whose_store_became_unreachable_fails_every_call_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not one #N/A among old values: every call fails until a check of the store works."""
    from tiny_snapshot import make_snapshot

    from xlsrc import market as market_module
    from xlsrc.market import Market

    store = open_store("memory:", snapshot=make_snapshot(tmp_path / "snap"))
    m = Market(store)
    assert m.refresh_if_changed(force=True) is False
    down = StoreError("Cannot connect to the PostgreSQL store postgresql://db.desk/xlsrc: refused")
    real_identity = store.identity

    def unreachable() -> tuple[str, int, int]:
        raise down

    monkeypatch.setattr(store, "identity", unreachable)
    with pytest.raises(StoreError, match="Cannot connect"):
        m.refresh_if_changed(force=True)
    for _ in range(3):  # within CHECK_INTERVAL: the same error, without asking the store
        with pytest.raises(StoreError, match="Cannot connect"):
            m.refresh_if_changed()
    monkeypatch.setattr(store, "identity", real_identity)
    monkeypatch.setattr(market_module, "CHECK_INTERVAL", 0.0)
    assert m.refresh_if_changed() is False  # the server is back: calls work again
    assert m.refresh_if_changed() is False
