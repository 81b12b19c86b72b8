"""refresh(): recorded yfinance responses injected at the transport, faults injected."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from yahoo_fake import (
    TICKERS,
    FakeDownloader,
    SleepRecorder,
    expected_long,
    make_store,
    recorded,
    recorder,
    stored,
)
from yfinance.exceptions import YFRateLimitError
from yfinance.utils import empty_df

from xlsrc.data.refresh import RefreshInterrupted, default_end, refresh, resolve_tickers
from xlsrc.errors import DataSourceError

pytest.importorskip("xlsrc.data.store", reason="xlsrc/data/store.py not committed yet")

SEED_THROUGH = "2026-01-15"
END = "2026-02-28"  # exclusive; the recordings end 2026-02-27


@pytest.fixture
def batch() -> pd.DataFrame:
    return recorded("batch")


@pytest.fixture
def store(tmp_path, batch):
    return make_store(tmp_path, batch, SEED_THROUGH)


def run(store, downloader, **kw):
    kw.setdefault("end", END)
    kw.setdefault("batch_size", 2)
    kw.setdefault("sleep", SleepRecorder())
    kw.setdefault("pause", 0.5)
    return refresh(store, kw.pop("tickers", TICKERS), downloader=downloader, **kw)


def assert_frames_equal(got: pd.DataFrame, want: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(
        got.reset_index(drop=True), want.reset_index(drop=True), check_dtype=False, rtol=0, atol=0
    )


def new_rows(batch, tickers=TICKERS) -> int:
    full = expected_long(batch, tickers)
    return int((full["date"] > pd.Timestamp(SEED_THROUGH)).sum())


def test_incremental_refresh_adds_exactly_the_missing_days(store, batch):
    sleep = SleepRecorder()
    fake = FakeDownloader(batch)
    summary = run(store, fake, sleep=sleep)

    assert summary.rows_added == new_rows(batch) == 5 * 29
    assert sorted(summary.updated) == TICKERS and not summary.failures and not summary.replaced
    assert_frames_equal(stored(store), expected_long(batch, TICKERS))
    # three batches of <= 2, each from the overlap day, throttled between batches only
    assert [len(c[0]) for c in fake.calls] == [2, 2, 1]
    assert {c[1] for c in fake.calls} == {pd.Timestamp(SEED_THROUGH)}
    assert sleep.calls == [0.5, 0.5]
    assert summary.last_date == pd.Timestamp("2026-02-27")
    assert "5 of 5 tickers updated, 145 rows added" in str(summary)


def test_second_refresh_adds_nothing_and_bumps_no_version(store, batch):
    run(store, FakeDownloader(batch))
    version = store.identity()[1]
    summary = run(store, FakeDownloader(batch))
    assert summary.rows_added == 0 and not summary.updated
    assert sorted(summary.up_to_date) == TICKERS
    assert store.identity()[1] == version


def test_new_ticker_downloads_from_since(store, batch):
    # XLE not yet stored: a store seeded with four tickers only
    fake = FakeDownloader(batch)
    summary = run(store, fake, tickers=["xle", "SPY"], since="2025-12-01")
    assert summary.rows_added == new_rows(batch, ["SPY", "XLE"])


def test_readjusted_history_is_replaced_atomically(tmp_path, batch):
    old = recorded("batch_old_adjustment")
    store = make_store(tmp_path, old, SEED_THROUGH)
    before = stored(store)
    assert not np.allclose(
        before["close"], expected_long(batch, TICKERS, end=SEED_THROUGH)["close"]
    )

    fake = FakeDownloader(batch)
    summary = run(store, fake)

    assert sorted(summary.replaced) == TICKERS
    assert summary.rows_added == new_rows(batch)
    # whole history now the new adjustment, nothing of the old one left
    assert_frames_equal(stored(store), expected_long(batch, TICKERS))
    # the full re-download started at each ticker's first stored day
    assert any(c[1] == pd.Timestamp("2025-10-01") for c in fake.calls)


def test_one_readjusted_ticker_only_that_one_is_replaced(tmp_path, batch):
    old = recorded("batch_old_adjustment")
    mixed = batch.copy()
    for field in ("Open", "High", "Low", "Close"):
        mixed[(field, "SPY")] = old[(field, "SPY")]
    store = make_store(tmp_path, mixed, SEED_THROUGH)
    summary = run(store, FakeDownloader(batch))
    assert summary.replaced == ["SPY"]
    assert_frames_equal(stored(store), expected_long(batch, TICKERS))


def test_rate_limit_then_success_backs_off_with_cap(store, batch):
    sleep = SleepRecorder()
    fake = FakeDownloader(batch, faults=[YFRateLimitError()] * 5)
    summary = run(
        store, fake, sleep=sleep, batch_size=5, max_retries=6, backoff_base=2.0, backoff_cap=5.0
    )
    assert sleep.calls == [2.0, 4.0, 5.0, 5.0, 5.0]
    assert len(fake.calls) == 6
    assert summary.rows_added == new_rows(batch) and not summary.failures


def test_rate_limit_forever_fails_that_batch_and_keeps_going(store, batch):
    sleep = SleepRecorder()
    fake = FakeDownloader(batch, faults=[YFRateLimitError()] * 3)
    summary = run(store, fake, sleep=sleep, max_retries=2)
    first = fake.calls[0][0]
    assert set(summary.failures) == set(first)
    assert all("rate limited" in r for r in summary.failures.values())
    others = [t for t in TICKERS if t not in first]
    assert sorted(summary.updated) == sorted(others)
    want = pd.concat(
        [expected_long(batch, others), expected_long(batch, sorted(first), end=SEED_THROUGH)]
    ).sort_values(["ticker", "date"])
    assert_frames_equal(stored(store), want)


def test_timeout_is_retried(store, batch):
    sleep = SleepRecorder()
    fake = FakeDownloader(batch, faults=[TimeoutError("read timed out")])
    summary = run(store, fake, sleep=sleep, batch_size=5)
    assert sleep.calls == [2.0]
    assert summary.rows_added == new_rows(batch)


def test_partial_batch_reports_the_empty_ticker_and_stores_the_rest(store, batch):
    sleep = SleepRecorder()
    fake = FakeDownloader(batch)
    summary = run(store, fake, tickers=["SPY", "QQQ", "ZZZZ"], batch_size=3, sleep=sleep)
    assert list(summary.failures) == ["ZZZZ"]
    assert "possibly delisted" in summary.failures["ZZZZ"]
    assert sleep.calls == []  # a partial batch is not retried
    assert summary.rows_added == new_rows(batch, ["QQQ", "SPY"])


def test_recorded_partial_response_with_logged_reason(store, batch):
    def partial(tickers, start, end):
        frame = recorded("partial")
        frame.attrs["errors"] = {"ZZZZ": "possibly delisted; no price data found"}
        return frame

    summary = run(
        store, FakeDownloader(batch, faults=[partial]), tickers=["SPY", "QQQ", "ZZZZ"], batch_size=3
    )
    assert "no price data found" in summary.failures["ZZZZ"]
    # the recording ends on the last stored day: the overlap matches, nothing new
    assert sorted(summary.up_to_date) == ["QQQ", "SPY"] and not summary.replaced


NO_TZ = "possibly delisted; no timezone found"


def offline_answer(tickers, start, end):
    """What yf.download returns when it cannot reach Yahoo quietly: every ticker empty."""
    frame = recorder.assemble({t.upper(): empty_df() for t in tickers})
    frame.attrs["errors"] = {t.upper(): NO_TZ for t in tickers}
    return frame


def test_empty_result_is_retried_with_backoff_then_no_network_and_nothing_written(store, batch):
    version = store.identity()[1]
    sleep = SleepRecorder()
    empty = lambda *a: recorded("empty")  # noqa: E731
    fake = FakeDownloader(batch, faults=[empty] * 3)
    with pytest.raises(DataSourceError) as info:
        run(store, fake, tickers=["SPY"], sleep=sleep, max_retries=2)
    assert len(fake.calls) == 3 and sleep.calls == [2.0, 4.0]
    assert "No network" in str(info.value)
    assert "no data from Yahoo for any ticker of the batch" in str(info.value)
    assert store.identity()[1] == version


def test_whole_batch_possibly_delisted_is_the_network_not_the_tickers(store, batch):
    """Offline, yfinance says "possibly delisted; no timezone found" for every ticker."""
    version = store.identity()[1]
    sleep = SleepRecorder()
    fake = FakeDownloader(batch, faults=[offline_answer] * 10)
    with pytest.raises(DataSourceError) as info:
        run(store, fake, tickers=["SPY", "QQQ"], sleep=sleep, max_retries=3)
    text = str(info.value)
    assert text.startswith("No network: could not reach Yahoo Finance")
    assert (
        "no data from Yahoo for any ticker of the batch: probably no network or a rate limit "
        f"(yfinance said: {NO_TZ})" in text
    )
    assert "SPY (" not in text and "QQQ (" not in text  # no ticker is blamed
    assert "stored data up to 2026-01-15" in text
    assert len(fake.calls) == 4 and sleep.calls == [2.0, 4.0, 8.0]  # transient: backoff
    assert store.identity()[1] == version


def test_whole_batch_empty_then_back_is_retried_and_stored(store, batch):
    sleep = SleepRecorder()
    fake = FakeDownloader(batch, faults=[offline_answer, offline_answer])
    summary = run(store, fake, tickers=["SPY", "QQQ"], sleep=sleep)
    assert summary.ok and summary.failures == {}
    assert sleep.calls == [2.0, 4.0]
    assert summary.rows_added == new_rows(batch, ["QQQ", "SPY"])


def test_network_gone_quietly_part_way_keeps_batch_one(store, batch):
    fake = FakeDownloader(batch, faults=[None] + [offline_answer] * 10)
    summary = run(store, fake, max_retries=1)  # batches of 2
    first = fake.calls[0][0]
    assert summary.network_lost and sorted(summary.updated) == sorted(first)
    second = fake.calls[1][0]
    for t in second:
        assert summary.failures[t].startswith("no data from Yahoo for any ticker of the batch")
        assert "possibly delisted" not in summary.failures[t].split("(yfinance said")[0]
    assert set(summary.failures) == set(TICKERS) - set(first)


def test_one_empty_ticker_among_good_ones_is_still_possibly_delisted(store, batch):
    def partial(tickers, start, end):
        frame = FakeDownloader(batch).answer(tickers, start, end)
        frame.attrs["errors"] = {"ZZZZ": NO_TZ}
        return frame

    sleep = SleepRecorder()
    summary = run(
        store,
        FakeDownloader(batch, faults=[partial]),
        tickers=["SPY", "ZZZZ"],
        batch_size=2,
        sleep=sleep,
    )
    assert summary.failures == {"ZZZZ": f"no data from Yahoo: {NO_TZ}"}
    assert sleep.calls == [] and not summary.network_lost
    assert summary.rows_added == new_rows(batch, ["SPY"])


def test_bad_data_is_rejected_per_ticker(store, batch):
    def bad(tickers, start, end):
        frame = FakeDownloader(batch).answer(tickers, start, end)
        frame.loc[frame.index[3], ("Close", "SPY")] = -1.0
        dup = frame[frame.index == frame.index[2]].astype("float64")
        dup.loc[:, [c for c in dup.columns if c[1] != "QQQ"]] = np.nan  # only QQQ repeats a day
        return pd.concat([frame, dup]).sort_index(kind="stable")

    summary = run(
        store, FakeDownloader(batch, faults=[bad]), tickers=["SPY", "QQQ", "IWM"], batch_size=3
    )
    assert "prices must be positive" in summary.failures["SPY"]
    assert "duplicate day" in summary.failures["QQQ"]
    assert summary.updated == ["IWM"]
    want = pd.concat(
        [
            expected_long(batch, ["IWM"]),
            expected_long(batch, ["QQQ", "SPY", "XLE", "XLK"], end=SEED_THROUGH),
        ]
    ).sort_values(["ticker", "date"])
    assert_frames_equal(stored(store), want)


def test_crash_between_batches_keeps_batch_one_and_rerun_resumes(store, batch, tmp_path):
    fake = FakeDownloader(batch, faults=[None, KeyboardInterrupt()])
    with pytest.raises(RefreshInterrupted) as info:
        run(store, fake)
    first = fake.calls[0][0]
    assert sorted(info.value.summary.updated) == sorted(first) and info.value.summary.interrupted
    rest = [t for t in TICKERS if t not in first]
    want = pd.concat([expected_long(batch, first), expected_long(batch, rest, end=SEED_THROUGH)])
    assert_frames_equal(stored(store), want.sort_values(["ticker", "date"]))

    again = FakeDownloader(batch)
    summary = run(store, again)
    assert sorted(summary.updated) == sorted(rest)
    assert_frames_equal(stored(store), expected_long(batch, TICKERS))


def test_crash_inside_a_batch_write_leaves_the_store_unchanged(store, batch, monkeypatch):
    import xlsrc.data.backends.sqlite as store_module

    before = stored(store)
    version = store.identity()[1]

    def exploding(bars, source_id, stamp):
        rows = list(zip(bars["ticker"], bars["date"].astype(str), strict=True))
        for i, _ in enumerate(rows):
            if i == 3:
                raise RuntimeError("power cut")
            yield (*rows[i], 1.0, 1.0, 1.0, 1.0, 1.0, None, source_id, stamp)

    monkeypatch.setattr(store_module, "_bar_rows", exploding)
    with pytest.raises(RuntimeError, match="power cut"):
        run(store, FakeDownloader(batch))
    monkeypatch.undo()
    assert store.identity()[1] == version
    assert_frames_equal(stored(store), before)
    summary = run(store, FakeDownloader(batch))
    assert summary.rows_added == new_rows(batch)


def test_no_network_raises_a_clear_message_and_changes_nothing(store, batch):
    version = store.identity()[1]
    fake = FakeDownloader(
        batch, faults=[ConnectionError("Could not resolve host: query2.finance.yahoo.com")] * 10
    )
    with pytest.raises(DataSourceError) as info:
        run(store, fake, max_retries=2)
    assert "No network: could not reach Yahoo Finance" in str(info.value)
    assert "stored data up to 2026-01-15" in str(info.value)
    assert store.identity()[1] == version


def test_network_lost_part_way_keeps_what_was_committed(store, batch):
    fake = FakeDownloader(batch, faults=[None] + [ConnectionError("connection reset")] * 10)
    summary = run(store, fake, max_retries=1)
    assert summary.network_lost
    assert sorted(summary.updated) == sorted(fake.calls[0][0])
    assert set(summary.failures) == set(TICKERS) - set(fake.calls[0][0])
    assert "run refresh again to resume" in str(summary)


def test_offline_downloads_nothing(store, batch):
    fake = FakeDownloader(batch)
    summary = run(store, fake, offline=True)
    assert fake.calls == []
    assert (
        str(summary)
        == "Offline: nothing downloaded; formulas use the stored data up to 2026-01-15."
    )


def test_progress_callback(store, batch):
    seen = []
    run(store, FakeDownloader(batch), progress=lambda done, total, msg: seen.append((done, total)))
    assert seen[0] == (0, 5) and seen[-1] == (5, 5)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_default_end_excludes_a_partial_day():
    ny = ZoneInfo("America/New_York")
    assert default_end(datetime(2026, 1, 22, 15, 0, tzinfo=ny)) == pd.Timestamp("2026-01-22")
    assert default_end(datetime(2026, 1, 22, 19, 0, tzinfo=ny)) == pd.Timestamp("2026-01-23")
    assert default_end(datetime(2026, 1, 22, 22, 0)) == pd.Timestamp(
        "2026-01-22"
    )  # naive = UTC (17:00 NY)


def test_resolve_tickers_from_universes(store):
    assert resolve_tickers(store, ["brk.b"], ["sectors"]) == ["BRK-B", "XLE", "XLK"]
    assert resolve_tickers(store, [], ["all"]) == TICKERS


def test_tqdm_progress_drives_a_bar(store, batch):
    import io

    from tqdm import tqdm

    from xlsrc.data.refresh import tqdm_progress

    out = io.StringIO()
    with tqdm_progress(tqdm, file=out) as bar:
        run(store, FakeDownloader(batch), progress=bar)
    assert "5/5" in out.getvalue()
