"""Readers in other processes, computing from the store while refresh writes, see old or new data.

The writer (this process) alternates between two adjustments of the same history, so
every refresh replaces all five tickers' history in one transaction. Reader processes
keep loading the close matrix (what formulas use) and the raw bars and record a
signature of what they saw. Every signature must be one the writer committed; no reader
may raise.
"""

from __future__ import annotations

import multiprocessing as mp
import time

import pandas as pd
from yahoo_fake import TICKERS, FakeDownloader, SleepRecorder, make_store, recorded

from xlsrc.data import load_matrices, open_store
from xlsrc.data.refresh import refresh


def signature(store) -> tuple[tuple, tuple]:
    """What a formula computes from the matrices, and a digest of the raw bars.

    The two are separate reads (two transactions), so each is checked on its own.
    """
    matrices = load_matrices(store)
    bars = store.read_bars()
    return (
        (
            "matrices",
            matrices.close.shape,
            tuple(round(float(v), 6) for v in matrices.close.iloc[-1]),
            tuple(round(float(v), 6) for v in matrices.close.sum()),
        ),
        (
            "bars",
            len(bars),
            tuple(round(float(v), 6) for v in bars.groupby("ticker")["close"].sum()),
        ),
    )


def reader(path: str, snapshot: str, stop, out) -> None:
    seen: dict[tuple, int] = {}
    errors: list[str] = []
    store = open_store(path, snapshot=snapshot)
    while not stop.is_set():
        try:
            for sig in signature(store):
                seen[sig] = seen.get(sig, 0) + 1
        except Exception as exc:  # the test fails on any
            errors.append(repr(exc))
    out.put((seen, errors))


def scaled(frame: pd.DataFrame, factor: float) -> pd.DataFrame:
    """A re-adjustment: Yahoo's adjusted closes change, the split-only ones do not."""
    out = frame.copy()
    out["Adj Close"] = out["Adj Close"] * factor
    return out


def test_readers_see_old_or_new_never_a_mix(tmp_path):
    batch = recorded("batch")
    store = make_store(tmp_path, batch, "2026-01-15")
    valid = set(signature(store))
    ctx = mp.get_context("fork")
    stop, out = ctx.Event(), ctx.Queue()
    where = (store.location, str(store.base.directory))
    readers = [ctx.Process(target=reader, args=(*where, stop, out)) for _ in range(3)]
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
            time.sleep(0.05)
    finally:
        stop.set()
        results = [out.get(timeout=60) for _ in readers]
        for p in readers:
            p.join(timeout=60)
    seen: dict[tuple, int] = {}
    for sigs, errors in results:
        assert errors == []
        for sig, n in sigs.items():
            seen[sig] = seen.get(sig, 0) + n
    assert set(seen) <= valid, "a reader saw a state the writer never committed"
    assert sum(seen.values()) > 40 and len(seen) >= 4  # both kinds of read, several states
