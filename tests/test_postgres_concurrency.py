"""Reader processes computing from a PostgreSQL store while refresh writes see old or new data.

The PostgreSQL form of ``tests/test_refresh_concurrency.py``: the writer alternates
between two adjustments of the same history (every refresh replaces all five tickers'
history in one transaction) while reader processes load the close matrix (through the
local cache, shared by the readers, or straight from the server) and the raw bars.
Every signature a reader records must be one the writer committed; no reader may raise.
Skipped unless ``XLSRC_TEST_POSTGRES`` names a server.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import time
from pathlib import Path

import pytest
from test_refresh_concurrency import scaled, signature
from yahoo_fake import (
    TICKERS,
    FakeDownloader,
    SleepRecorder,
    expected_long,
    recorded,
    write_snapshot,
)

from xlsrc.data.backends.postgres import PostgresStore
from xlsrc.data.backends.postgres_init import initialise
from xlsrc.data.cache import BarsCache
from xlsrc.data.refresh import refresh

pytestmark = pytest.mark.skipif(
    not os.environ.get("XLSRC_TEST_POSTGRES"),
    reason="XLSRC_TEST_POSTGRES is not set (no PostgreSQL server for this run)",
)


def reader(url: str, cache_dir: str | None, stop, out) -> None:
    seen: dict[tuple, int] = {}
    errors: list[str] = []
    store = PostgresStore(url, cache=BarsCache(cache_dir) if cache_dir else False)
    while not stop.is_set():
        try:
            for sig in signature(store):
                seen[sig] = seen.get(sig, 0) + 1
        except Exception as exc:  # the test fails on any
            errors.append(repr(exc))
    out.put((seen, errors))


def test_reader_processes_see_old_or_new_never_a_mix(tmp_path: Path) -> None:
    from pg_helpers import fresh_database, server_url

    url = fresh_database(server_url())
    batch = recorded("batch")
    snap = write_snapshot(tmp_path / "snap", expected_long(batch, TICKERS, end="2026-01-15"))
    initialise(url, snapshot=snap)
    store = PostgresStore(url, cache=False)
    valid = set(signature(store))
    cache_dir = str(tmp_path / "cache")
    ctx = mp.get_context("fork")
    stop, out = ctx.Event(), ctx.Queue()
    readers = [
        ctx.Process(target=reader, args=(url, where, stop, out))
        for where in (cache_dir, cache_dir, None)
    ]
    for p in readers:
        p.start()
    try:
        time.sleep(0.5)
        for i in range(6):
            frame = batch if i % 2 == 0 else scaled(batch, 1.01)  # a re-adjustment each time
            summary = refresh(
                store,
                TICKERS,
                end="2026-02-28",
                batch_size=5,
                downloader=FakeDownloader(frame),
                sleep=SleepRecorder(),
            )
            assert not summary.failures
            assert i == 0 or sorted(summary.replaced) == TICKERS
            valid.update(signature(store))
            time.sleep(0.1)
    finally:
        stop.set()
        results = [out.get(timeout=120) for _ in readers]
        for p in readers:
            p.join(timeout=60)
    seen: dict[tuple, int] = {}
    for sigs, errors in results:
        assert errors == []
        for sig, n in sigs.items():
            seen[sig] = seen.get(sig, 0) + n
    assert set(seen) <= valid, "a reader saw a state the writer never committed"
    assert sum(seen.values()) > 40 and len(seen) >= 4  # both kinds of read, several states
