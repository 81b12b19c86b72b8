"""refresh(): recorded yfinance responses injected at the transport, faults injected.

Every glitch frame is a recorded frame (``tests/fixtures/yahoo``, built from real Yahoo bars
by ``scripts/record_yahoo_fixtures.py``) with the glitch applied by hand; each test says
how. Expected stores are read straight from the recorded frames (``expected_long``: the
``auto_adjust`` rule written out), or from the shared raw CSV files.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
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

from xlsrc.data import load_matrices, open_store
from xlsrc.data.refresh import default_end, refresh, resolve_tickers
from xlsrc.data.refresh_checks import find_holes
from xlsrc.data.refresh_summary import RefreshInterrupted
from xlsrc.errors import DataSourceError, InvalidParameterError, UnknownUniverseError

SEED_THROUGH = "2026-01-15"
AFTER_SEED = "2026-01-16"
END = "2026-02-28"  # exclusive; the recordings end 2026-02-27
#: 63 sessions before 2026-01-15 (XNYS: 23 in Oct 2025 from the 1st, 19 in Nov, 22 in
#: Dec, 10 in Jan to the 15th): the first day compared with Yahoo's closes.
VERIFY_FROM = pd.Timestamp("2025-10-15")
RAW = Path(__file__).resolve().parents[2] / "shared" / "data" / "ohlcv"
PRICES = ["Open", "High", "Low", "Close", "Adj Close"]


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


def seeded(frame, tickers, end=SEED_THROUGH):
    """What the snapshot-seeded store holds: no split-only closes."""
    return expected_long(frame, tickers, end=end, split_close=False)


def fetched(frame, tickers, start=AFTER_SEED, end=None):
    """What a refresh stores from Yahoo: both closes."""
    return expected_long(frame, tickers, start=start, end=end)


def combine(*parts):
    return (
        pd.concat(parts, ignore_index=True).sort_values(["ticker", "date"]).reset_index(drop=True)
    )


def refreshed(frame, tickers=TICKERS, kept=()):
    """The store after ``tickers`` got every recorded day after the seed."""
    parts = [seeded(frame, list(tickers)), fetched(frame, list(tickers))]
    if kept:
        parts.append(seeded(frame, list(kept)))
    return combine(*parts)


def new_rows(batch, tickers=TICKERS) -> int:
    full = expected_long(batch, tickers)
    return int((full["date"] > pd.Timestamp(SEED_THROUGH)).sum())


def without_prices(frame, ticker, day, value=np.nan):
    """Yahoo's glitch: one ticker's day sent with a volume but no prices (NaN, or zeros)."""
    out = frame.copy()
    for f in PRICES:
        out.loc[pd.Timestamp(day), (f, ticker)] = value
    return out


def serve(frame):
    """A fault answering from another recorded frame (Yahoo's state has changed)."""
    return lambda tickers, start, end: FakeDownloader(frame).answer(tickers, start, end)


# --------------------------------------------------------------------------- incremental
def test_incremental_refresh_adds_exactly_the_missing_days(store, batch):
    sleep = SleepRecorder()
    fake = FakeDownloader(batch)
    summary = run(store, fake, sleep=sleep)

    assert summary.rows_added == new_rows(batch) == 5 * 29
    assert sorted(summary.updated) == TICKERS and not summary.failures and not summary.replaced
    assert_frames_equal(stored(store), refreshed(batch))
    # three batches of <= 2, the benchmark first; batches without it carry it as a probe;
    # each from 63 sessions before the last stored day (every stored day since compared)
    assert [c[0] for c in fake.calls] == [["SPY", "IWM"], ["QQQ", "XLE", "SPY"], ["XLK", "SPY"]]
    assert {c[1] for c in fake.calls} == {VERIFY_FROM}
    assert sleep.calls == [0.5, 0.5]
    assert summary.last_date == pd.Timestamp("2026-02-27")
    # the store held the 5 recorded tickers to 2026-01-15; each got every day to 2026-02-27
    assert str(summary) == (
        "Refresh: 5 of 5 tickers updated, 145 rows added; data up to 2026-02-27.\n"
        "The market's latest session moves from 2026-01-15 to 2026-02-27: all 5 tickers "
        "have a bar that day."
    )


def test_second_refresh_adds_nothing_and_bumps_no_version(store, batch):
    run(store, FakeDownloader(batch))
    version = store.identity()[1]
    summary = run(store, FakeDownloader(batch))
    assert summary.rows_added == 0 and not summary.updated
    assert sorted(summary.up_to_date) == TICKERS
    assert store.identity()[1] == version


def test_new_ticker_downloads_from_since(tmp_path, batch):
    store = make_store(tmp_path, batch, SEED_THROUGH, tickers=["IWM", "QQQ", "SPY", "XLK"])
    fake = FakeDownloader(batch)
    summary = run(store, fake, tickers=["xle", "SPY"], since="2025-12-01")
    xle = fetched(batch, ["XLE"], start="2025-12-01")
    assert summary.rows_added == len(xle) + new_rows(batch, ["SPY"])
    assert_frames_equal(stored(store)[lambda f: f["ticker"] == "XLE"], xle)
    # a stored ticker with an earlier since is overwritten from it (Yahoo's rows carry
    # the split-only close the snapshot lacks)
    spy = expected_long(batch, ["SPY"])
    since = spy["date"] >= pd.Timestamp("2025-12-01")
    assert_frames_equal(
        stored(store)[lambda f: f["ticker"] == "SPY"],
        spy.assign(split_close=spy["split_close"].where(since)),
    )


def test_both_closes_are_stored_as_in_the_raw_yahoo_files(store, batch):
    """close = Adj Close, split_close = Close, O/H/L scaled: checked against the raw CSVs."""
    if not RAW.is_dir():
        pytest.skip("shared data not available")
    run(store, FakeDownloader(batch), tickers=["SPY"])
    spy = stored(store).set_index(["ticker", "date"]).loc["SPY"].loc[AFTER_SEED:]
    raw = pd.read_csv(RAW / "yahoo_format_2023-2026" / "SPY.csv", index_col=0, parse_dates=True)
    adjusted = pd.read_csv(RAW / "adjusted_2015-2026" / "SPY.csv.gz", index_col=0, parse_dates=True)
    days = spy.index
    np.testing.assert_array_equal(spy["split_close"], raw.loc[days, "Close"])
    np.testing.assert_array_equal(spy["close"], adjusted.loc[days, "close"])
    # the adjusted file is yfinance's auto_adjust=True output of the same bars
    for f in ("open", "high", "low"):
        np.testing.assert_allclose(spy[f], adjusted.loc[days, f], rtol=1e-12)
    # by hand, 2026-01-16: raw open 693.66 and close 691.66, adjusted close 689.776:
    # factor 689.776 / 691.66 = 0.997276, adjusted open 693.66 x 0.997276 = 691.771
    day = pd.Timestamp("2026-01-16")
    assert spy.loc[day, "split_close"] == pytest.approx(691.66, abs=1e-4)
    assert spy.loc[day, "close"] == pytest.approx(689.776, abs=1e-3)
    assert spy.loc[day, "open"] == pytest.approx(691.771, abs=1e-3)


# --------------------------------------------------------------------------- re-adjusted
def test_readjusted_history_is_replaced_atomically(tmp_path, batch):
    old = recorded("batch_old_adjustment")
    store = make_store(tmp_path, old, SEED_THROUGH)
    before = stored(store)
    assert not np.allclose(before["close"], seeded(batch, TICKERS)["close"])

    fake = FakeDownloader(batch)
    summary = run(store, fake)

    assert sorted(summary.replaced) == TICKERS
    assert summary.rows_added == new_rows(batch)
    # whole history now the new adjustment, nothing of the old one left
    assert_frames_equal(stored(store), expected_long(batch, TICKERS))
    # the full re-download started at each ticker's first stored day
    assert any(c[1] == pd.Timestamp("2025-10-01") for c in fake.calls)
    # SPY 2026-01-15: 688.580688 stored (as of 2026-07-02), 690.354614 now
    assert summary.replaced_why["SPY"] == (
        "Yahoo re-adjusted the history, a dividend or other adjustment: close of "
        "2026-01-15 stored 688.581, now 690.355 (x1.003)"
    )
    assert "Histories replaced: " in str(summary)


def test_one_readjusted_ticker_only_that_one_is_replaced(tmp_path, batch):
    old = recorded("batch_old_adjustment")
    mixed = batch.copy()
    mixed[("Adj Close", "SPY")] = old[("Adj Close", "SPY")]  # the raw closes are the same
    store = make_store(tmp_path, mixed, SEED_THROUGH)
    summary = run(store, FakeDownloader(batch))
    assert summary.replaced == ["SPY"]
    others = [t for t in TICKERS if t != "SPY"]
    assert_frames_equal(
        stored(store), combine(expected_long(batch, ["SPY"]), refreshed(batch, others))
    )


def test_a_dividend_yahoo_applied_late_is_noticed_though_the_last_day_agrees(tmp_path, batch):
    """Yahoo sometimes leaves Adj Close = Close before a dividend, then fixes it (#1543).

    Glitch: SPY's Adj Close before its 2025-12-19 ex-date set to the factor of the day
    after it, as if the 1.993 dividend were missing. The stored overlap day (2026-01-15,
    after the ex-date) agrees with Yahoo; only the days before 2025-12-19 differ, by
    1.993 / 676.47 (0.29 %, the dividend over the close of 2025-12-18).
    """
    glitch = batch.copy()
    before = glitch.index < pd.Timestamp("2025-12-19")
    factor = (
        batch.loc["2025-12-19", ("Adj Close", "SPY")] / batch.loc["2025-12-19", ("Close", "SPY")]
    )
    glitch.loc[before, ("Adj Close", "SPY")] = glitch.loc[before, ("Close", "SPY")] * factor
    store = make_store(tmp_path, glitch, SEED_THROUGH)
    assert (
        stored(store).set_index(["ticker", "date"]).loc[("SPY", SEED_THROUGH), "close"]
        == (batch.loc[SEED_THROUGH, ("Adj Close", "SPY")])
    )
    summary = run(store, FakeDownloader(batch), tickers=["SPY"])
    assert summary.replaced == ["SPY"]
    assert "close of 2025-12-18 stored" in summary.replaced_why["SPY"]
    assert_frames_equal(
        stored(store)[lambda f: f["ticker"] == "SPY"], expected_long(batch, ["SPY"])
    )


# --------------------------------------------------------------------------- splits
NFLX_SPLIT = pd.Timestamp("2025-11-17")  # 10-for-1


def unadjusted(frame, ticker, day, ratio, record=True):
    """Yahoo's glitch: a split served unadjusted (the prices before it as they were traded).

    Every price before the split day times the ratio, the volume before it divided by it
    (shares before the split); ``record=False`` also drops Yahoo's split record (issue
    #906: "they lost the split information").
    """
    out = frame.copy()
    before = out.index < pd.Timestamp(day)
    for f in PRICES:
        out.loc[before, (f, ticker)] = out.loc[before, (f, ticker)] * ratio
    out.loc[before, ("Volume", ticker)] = (out.loc[before, ("Volume", ticker)] / ratio).round()
    if not record:
        out[("Stock Splits", ticker)] = out[("Stock Splits", ticker)] * 0.0
    return out


@pytest.mark.parametrize(
    ("record", "says"),
    [
        (True, "the provider records a 10-for-1 split on 2025-11-17"),
        (False, "that no split record explains"),
    ],
)
def test_a_split_served_unadjusted_is_refused_then_replaced_when_yahoo_corrects_it(
    tmp_path, record, says
):
    """Issue 9 item 6, part (a): the store holds NFLX to 2025-11-14 as traded (1,112.17).

    On 2025-11-18 Yahoo serves the 10-for-1 split of 2025-11-17 unadjusted: the old days
    as stored, the new ones a tenth (110.29). The gate refuses the step (rule ``split``
    with Yahoo's record, ``jump`` without); the full history is asked for and has the same
    step, so nothing of NFLX changes. Two days later Yahoo serves the corrected history:
    every stored day differs by x0.1, the history is replaced whole.
    """
    splits = recorded("splits")
    traded = unadjusted(splits, "NFLX", NFLX_SPLIT, 10.0)  # what Yahoo served before
    store = make_store(tmp_path, traded, "2025-11-14")
    before = stored(store)
    glitch = unadjusted(splits, "NFLX", NFLX_SPLIT, 10.0, record=record)
    fake = FakeDownloader(glitch)
    summary = run(store, fake, tickers=["NFLX"], end="2025-11-19")
    failure = summary.failures["NFLX"]
    assert failure.startswith(
        "refused: NFLX: close falls 90.1% from 1112.17 on 2025-11-14 to 110.29 on 2025-11-17"
    )
    assert says in failure
    assert failure.endswith(
        "Yahoo's full history has the same step now, so the stored history (to 2025-11-14) "
        "is kept; the next refresh asks again"
    )
    assert [c[0] for c in fake.calls] == [["SPY", "NFLX"], ["NFLX", "SPY"]]
    assert fake.calls[1][1] == pd.Timestamp("2025-10-01")  # the full history
    nflx = stored(store)[lambda f: f["ticker"] == "NFLX"]
    assert_frames_equal(nflx, before[lambda f: f["ticker"] == "NFLX"])
    assert summary.updated == ["SPY"]

    summary = run(store, FakeDownloader(splits), tickers=["NFLX"], end="2025-11-21")
    assert summary.replaced == ["NFLX"] and not summary.failures
    assert summary.replaced_why["NFLX"] == (
        "Yahoo re-adjusted the history, a split adjustment: close of 2025-11-14 stored "
        "1112.17, now 111.217 (x0.1)"
    )
    assert_frames_equal(
        stored(store)[lambda f: f["ticker"] == "NFLX"],
        expected_long(splits, ["NFLX"], end="2025-11-20"),
    )


def _raw_close(ticker: str, day: str) -> float:
    raw = pd.read_csv(
        RAW / "adjusted_2015-2026" / f"{ticker}.csv.gz", index_col=0, parse_dates=True
    )
    return float(raw.loc[day, "close"])


@pytest.mark.parametrize("through", ["2026-01-15", "2026-02-20"])
def test_a_stored_cliff_is_replaced_when_yahoo_serves_the_corrected_history(tmp_path, through):
    """Issue 9 item 6, part (b): NFLX stored with the unadjusted split (a -90 % cliff).

    The last stored day is already in the new units, so it agrees with Yahoo; the days
    before 2025-11-17 differ x0.1. Stored to 2026-01-15 they lie in the 63 compared
    sessions; stored to 2026-02-20 they do not (63 sessions back is 2025-11-18), and the
    window reaches back to the stored split-sized step instead. The 1-month return
    2025-10-31 -> 2025-11-28 read from the store: 107.58 / 1118.86 - 1 = -90.4 % with the
    cliff; from the raw CSV (adjusted_2015-2026/NFLX) 107.58 / 111.886 - 1 = -3.85 %.
    """
    if not RAW.is_dir():
        pytest.skip("shared data not available")
    splits = recorded("splits")
    cliff = unadjusted(splits, "NFLX", NFLX_SPLIT, 10.0)
    store = make_store(tmp_path, cliff, through)
    closes = stored(store).set_index(["ticker", "date"])["close"]
    cliff = closes[("NFLX", "2025-11-28")] / closes[("NFLX", "2025-10-31")] - 1
    assert cliff == pytest.approx(107.58 / 1118.86 - 1, abs=1e-5)  # -90.4 %
    fake = FakeDownloader(splits)
    summary = run(store, fake, tickers=["NFLX"])
    assert summary.replaced == ["NFLX"]
    assert (
        "a split adjustment: close of 2025-11-14 stored 1112.17, now 111.217"
        in (summary.replaced_why["NFLX"])
    )
    if through == "2026-02-20":
        assert fake.calls[0][1] == pd.Timestamp("2025-11-14")  # the day before the step
    closes = stored(store).set_index(["ticker", "date"])["close"]
    want = _raw_close("NFLX", "2025-11-28") / _raw_close("NFLX", "2025-10-31") - 1
    got = closes[("NFLX", "2025-11-28")] / closes[("NFLX", "2025-10-31")] - 1
    assert got == pytest.approx(want, rel=1e-12)
    assert got == pytest.approx(107.58 / 111.886 - 1, abs=1e-5)  # -3.85 %, by hand
    assert_frames_equal(
        stored(store)[lambda f: f["ticker"] == "NFLX"], expected_long(splits, ["NFLX"])
    )


def cents(frame, ticker, through=None):
    """A store's glitch: one ticker's prices in cents (an import from another vendor)."""
    out = frame.copy()
    rows = out.index <= pd.Timestamp(through) if through else slice(None)
    for f in PRICES:
        out.loc[rows, (f, ticker)] = out.loc[rows, (f, ticker)] * 100
    return out


def test_a_stored_history_in_other_units_is_replaced(tmp_path, batch):
    """XLK stored in cents; Yahoo's dollars differ x0.01 on every compared day."""
    store = make_store(tmp_path, cents(batch, "XLK"), SEED_THROUGH)
    summary = run(store, FakeDownloader(batch), tickers=["XLK"])
    assert summary.replaced == ["XLK"]
    # XLK's Adj Close on 2026-01-15: 143.61..., stored 14361...
    assert summary.replaced_why["XLK"].startswith(
        "Yahoo re-adjusted the history, other units (cents and dollars?): close of 2026-01-15"
    )
    assert_frames_equal(
        stored(store)[lambda f: f["ticker"] == "XLK"], expected_long(batch, ["XLK"])
    )


def test_a_junction_in_other_units_asks_for_the_full_history_and_replaces_it(tmp_path, batch):
    """XLK stored in cents; Yahoo's first answer lacks the stored days (nothing to compare),
    so the gate sees the x0.01 step into the new days; the full history passes the gate."""
    store = make_store(tmp_path, cents(batch, "XLK"), SEED_THROUGH)

    def new_days_only(tickers, start, end):
        return FakeDownloader(batch).answer(tickers, pd.Timestamp(AFTER_SEED), end)

    fake = FakeDownloader(batch, faults=[new_days_only])
    summary = run(store, fake, tickers=["XLK"])
    assert fake.calls[1] == (["XLK", "SPY"], pd.Timestamp("2025-10-01"), pd.Timestamp(END))
    assert summary.replaced == ["XLK"] and not summary.failures
    assert summary.replaced_why["XLK"].startswith(
        "the stored closes were in other units than Yahoo's own history: XLK: close falls 99."
    )
    assert_frames_equal(
        stored(store)[lambda f: f["ticker"] == "XLK"], expected_long(batch, ["XLK"])
    )


def test_a_real_split_in_the_new_days_is_stored_adjusted(tmp_path):
    """NOW's 5-for-1 split of 2025-12-18 arrives adjusted: Yahoo's record, no cliff, stored."""
    splits = recorded("splits")
    store = make_store(tmp_path, splits, "2025-12-31")
    summary = run(store, FakeDownloader(splits), tickers=["NOW"])
    assert not summary.failures and not summary.replaced
    assert_frames_equal(
        stored(store)[lambda f: f["ticker"] == "NOW"],
        combine(seeded(splits, ["NOW"], end="2025-12-31"), fetched(splits, ["NOW"], "2026-01-02")),
    )


# --------------------------------------------------------------------------- holes
@pytest.mark.parametrize("value", [np.nan, 0.0])
def test_a_day_sent_without_prices_is_reported_and_asked_for_again(store, batch, value):
    """Issue 9 item 5: XLK's 2026-01-21 sent with its volume (27,892,800) but no prices.

    Glitch: the five price columns of that row set to NaN (or to 0: yfinance's repair code
    treats both as "no price"), the volume kept. The day is not stored, reported, and a
    hole inside XLK's stored range; the next refresh asks for it and fills it.
    """
    day = pd.Timestamp("2026-01-21")
    glitch = without_prices(batch, "XLK", day, value)
    summary = run(store, FakeDownloader(glitch))
    assert summary.no_price == {"XLK": [day]}
    assert summary.holes == {"XLK": [day]}
    want = refreshed(batch)
    assert_frames_equal(stored(store), want[~((want["ticker"] == "XLK") & (want["date"] == day))])
    text = str(summary)
    assert (
        "Yahoo sent no price for: XLK 2026-01-21 (not stored; asked for again on the next refresh)."
        in text
    )
    assert (
        "Still missing inside their stored range (1 ticker; asked for again on the next "
        "refresh): XLK 1 day (2026-01-21)." in text
    )
    assert find_holes(store) == {"XLK": [day]}
    # what the hole does to formulas: the matrices carry 2026-01-20 forward (1D = 0.0)
    matrices = load_matrices(store)
    col = matrices.close.columns.get_loc("XLK")
    row = matrices.close.index.get_loc(day)
    assert not matrices.has_bar[row, col]
    assert matrices.close.iloc[row, col] == matrices.close.iloc[row - 1, col]

    fake = FakeDownloader(batch)
    summary = run(store, fake)
    assert summary.holes_filled == {"XLK": [day]} and summary.holes == {}
    assert summary.rows_added == 1 and summary.updated == ["XLK"]
    assert "Filled 1 missing day: XLK 2026-01-21." in str(summary)
    assert_frames_equal(stored(store), want)
    assert find_holes(store) == {}


def test_a_hole_yahoo_still_lacks_stays_reported(store, batch):
    day = pd.Timestamp("2026-01-21")
    glitch = without_prices(batch, "XLK", day)
    run(store, FakeDownloader(glitch))
    version = store.identity()[1]
    summary = run(store, FakeDownloader(glitch))
    assert summary.no_price == {"XLK": [day]} and summary.holes == {"XLK": [day]}
    assert not summary.updated and store.identity()[1] == version


def test_a_stored_day_yahoo_now_sends_without_prices_is_kept(store, batch):
    """Yahoo loses a day the store holds (XLK 2026-01-07, in the compared window): the
    stored bar stays, nothing is reported missing, the new days are added."""
    summary = run(store, FakeDownloader(without_prices(batch, "XLK", "2026-01-07")))
    assert summary.no_price == {} and summary.holes == {} and not summary.replaced
    assert_frames_equal(stored(store), refreshed(batch))


def test_an_old_hole_widens_the_download_window(tmp_path, batch):
    """A hole before the 63 compared sessions: XLK's 2025-10-02 lost by an earlier refresh."""
    day = pd.Timestamp("2025-10-02")
    store = make_store(tmp_path, without_prices(batch, "XLK", day), SEED_THROUGH)
    assert find_holes(store) == {"XLK": [day]}
    fake = FakeDownloader(batch)
    summary = run(store, fake, batch_size=5)
    assert fake.calls[0][1] == day  # not VERIFY_FROM
    assert summary.holes_filled == {"XLK": [day]} and summary.holes == {}
    assert summary.rows_added == new_rows(batch) + 1
    xlk = expected_long(batch, ["XLK"])
    want = xlk.assign(
        split_close=np.where(
            xlk["date"].isin([day]) | (xlk["date"] > SEED_THROUGH), xlk["split_close"], np.nan
        )
    )
    assert_frames_equal(stored(store)[lambda f: f["ticker"] == "XLK"], want)


def test_holes_are_counted_on_the_benchmarks_sessions(tmp_path, batch):
    """A day SPY also lacks is SPY's hole (every session counts for it), not the others'."""
    day = pd.Timestamp("2026-01-07")
    glitch = without_prices(without_prices(batch, "SPY", day), "QQQ", day)
    glitch = without_prices(glitch, "IWM", "2026-01-08")
    store = make_store(tmp_path, glitch, SEED_THROUGH)
    assert find_holes(store) == {"IWM": [pd.Timestamp("2026-01-08")], "SPY": [day]}
    assert find_holes(store, ["iwm", "XLK"]) == {"IWM": [pd.Timestamp("2026-01-08")]}


# --------------------------------------------------------------------------- glitches
@pytest.mark.parametrize(
    ("factor", "step"),
    [
        # 10 x 48.433548 = 484.33548 after 47.291012: x10.2416, +924.2 %
        (10, "rises 924.2% from 47.291 on 2026-01-20 to 484.335 on 2026-01-21 (x10.24)"),
        # 100 x 48.433548 = 4843.3548: x102.416, +10141.6 %
        (100, "rises 10141.6% from 47.291 on 2026-01-20 to 4843.35 on 2026-01-21 (x102.4)"),
    ],
)
def test_a_one_day_spike_that_reverts_is_refused_and_asked_for_again(store, batch, factor, step):
    """XLE's 2026-01-21 sent x10 or x100 (every price), back to normal the next day."""
    glitch = batch.copy()
    for f in PRICES:
        glitch.loc["2026-01-21", (f, "XLE")] *= factor
    fake = FakeDownloader(glitch)
    summary = run(store, fake)
    failure = summary.failures["XLE"]
    assert failure.startswith(f"refused: XLE: close {step}")
    assert "--allow-jump XLE:2026-01-21" in failure
    assert failure.endswith(
        "(Yahoo's data: nothing of XLE was changed; asked for again on the next refresh)"
    )
    assert len(fake.calls) == 3  # inside the new days: no full re-download
    assert_frames_equal(
        stored(store), refreshed(batch, [t for t in TICKERS if t != "XLE"], ["XLE"])
    )
    summary = run(store, FakeDownloader(batch), tickers=["XLE"])
    assert summary.updated == ["XLE"]


@pytest.mark.parametrize(
    ("factor", "step"),
    [
        # XLK's Adj Close: 141.663864 on 2026-01-20, 143.631409 on 2026-01-21
        (100.0, "rises 10038.9% from 141.664 on 2026-01-20 to 14363.1 on 2026-01-21 (x101.4)"),
        (0.01, "falls 99.0% from 141.664 on 2026-01-20 to 1.43631 on 2026-01-21 (x0.01014)"),
        (1000.0, "rises 101288.9% from 141.664 on 2026-01-20 to 143631 on 2026-01-21 (x1014)"),
    ],
    ids=["cents-for-dollars", "dollars-for-cents", "thousands"],
)
def test_a_unit_switch_in_the_new_days_is_refused(store, batch, factor, step):
    """Cents for dollars (x100, London's pence for pounds), the reverse, and thousands.

    Glitch: every XLK price from 2026-01-21 on multiplied by the factor. The switch stays,
    so there is one step: 143.631409 x 100 / 141.663864 = x101.389 (within 8 % of x100).
    """
    glitch = batch.copy()
    later = glitch.index >= pd.Timestamp("2026-01-21")
    for f in PRICES:
        glitch.loc[later, (f, "XLK")] *= factor
    fake = FakeDownloader(glitch)
    summary = run(store, fake)
    assert summary.failures == {
        "XLK": f"refused: XLK: close {step}: a step the size of an unadjusted split or a unit "
        "switch that no split record explains; if it is real, accept it with --allow-jump "
        "XLK:2026-01-21 (Yahoo's data: nothing of XLK was changed; asked for again on the "
        "next refresh)"
    }
    assert len(fake.calls) == 3  # inside the new days: no full re-download
    assert_frames_equal(
        stored(store), refreshed(batch, [t for t in TICKERS if t != "XLK"], ["XLK"])
    )


def test_a_unit_switch_at_the_junction_asks_for_the_full_history(store, batch):
    """XLK x100 from the first new day on: the step is from a stored close, so the whole
    history is asked for; Yahoo's has the same step, so nothing is changed."""
    glitch = batch.copy()
    later = glitch.index >= pd.Timestamp(AFTER_SEED)
    for f in PRICES:
        glitch.loc[later, (f, "XLK")] *= 100
    fake = FakeDownloader(glitch)
    summary = run(store, fake)
    failure = summary.failures["XLK"]
    assert "on 2026-01-15 to" in failure and "on 2026-01-16 (x" in failure
    assert "stored history (to 2026-01-15) is kept" in failure
    assert fake.calls[-1] == (["XLK", "SPY"], pd.Timestamp("2025-10-01"), pd.Timestamp(END))
    # the user says the step is real: accepted
    summary = run(store, FakeDownloader(glitch), tickers=["XLK"], allow_jumps=[("XLK", AFTER_SEED)])
    assert summary.updated == ["XLK"]


def test_a_real_move_the_size_of_a_split_is_accepted_with_allow_jumps(store, batch):
    glitch = batch.copy()
    later = glitch.index >= pd.Timestamp("2026-01-21")
    for f in PRICES:
        glitch.loc[later, (f, "IWM")] *= 0.5
    summary = run(store, FakeDownloader(glitch), tickers=["IWM"])
    assert "IWM" in summary.failures
    summary = run(
        store, FakeDownloader(glitch), tickers=["IWM"], allow_jumps=[("IWM", "2026-01-21")]
    )
    assert summary.updated == ["IWM"] and not summary.failures


def test_duplicated_days(store, batch):
    """yfinance users see a day twice (#765, #573): the same values, different ones, or a
    NaN row beside the real one. Glitch: one row of the answer repeated for one ticker."""

    def doubled(tickers, start, end):
        frame = FakeDownloader(batch).answer(tickers, start, end)
        day = frame.loc[["2026-01-21"]].astype("float64")
        keep = {"SPY": "same", "QQQ": "volume", "IWM": "nan"}
        extra = day.copy()
        for col in extra.columns:
            how = keep.get(col[1])
            if how is None:
                extra[col] = np.nan
            elif how == "volume" and col[0] == "Volume":
                extra[col] = extra[col] + 1000
            elif how == "nan" and col[0] in PRICES:
                extra[col] = np.nan
        return pd.concat([frame, extra]).sort_index(kind="stable")

    summary = run(
        store, FakeDownloader(batch, faults=[doubled]), tickers=["SPY", "QQQ", "IWM"], batch_size=3
    )
    assert list(summary.failures) == ["QQQ"]
    # QQQ's 2026-01-21 volume: 79,837,900 recorded, 1,000 more in the twin
    assert summary.failures["QQQ"].startswith(
        "refused: QQQ: 2026-01-21 appears twice with different values "
        "(volume 79,837,900 and 79,838,900)"
    )
    assert sorted(summary.updated) == ["IWM", "SPY"]  # identical rows collapse; NaN is no bar
    others = ["XLE", "XLK"]
    assert_frames_equal(
        stored(store), combine(refreshed(batch, ["IWM", "SPY"]), seeded(batch, ["QQQ", *others]))
    )


def test_a_partial_bar_for_today_is_not_stored(store, batch):
    """At 15:00 New York on 2026-02-27 Yahoo's answer ends with today's bar (not final)."""
    now = datetime(2026, 2, 27, 15, 0, tzinfo=ZoneInfo("America/New_York"))
    summary = run(store, FakeDownloader(batch), end="2026-02-28", now=now)
    assert summary.not_final == {t: [pd.Timestamp("2026-02-27")] for t in summary.not_final}
    assert sorted(summary.not_final) == TICKERS
    assert (
        "Not stored, not final yet (Yahoo's daily bar settles about two hours after the close)"
        in str(summary)
    )
    assert summary.last_date == pd.Timestamp("2026-02-26")
    want = refreshed(batch)
    assert_frames_equal(stored(store), want[want["date"] < pd.Timestamp("2026-02-27")])
    # the same refresh at 18:30: final, stored
    later = datetime(2026, 2, 27, 18, 30, tzinfo=ZoneInfo("America/New_York"))
    summary = run(store, FakeDownloader(batch), end=None, now=later)
    assert not summary.not_final and summary.rows_added == 5
    assert_frames_equal(stored(store), want)


@pytest.mark.parametrize(
    "relabel",
    [
        lambda idx: idx.tz_localize("America/New_York"),  # Ticker.history, ignore_tz=False
        lambda idx: idx.tz_localize("UTC"),  # midnight labels in UTC
        lambda idx: (idx + pd.Timedelta(hours=21)).tz_localize("UTC"),  # the 16:00 close
    ],
    ids=["new-york-midnight", "utc-midnight-label", "utc-close-instant"],
)
def test_tz_aware_indexes_give_the_same_sessions(store, batch, relabel):
    def aware(tickers, start, end):
        frame = FakeDownloader(batch).answer(tickers, start, end)
        frame.index = relabel(pd.DatetimeIndex(frame.index)).rename("Date")
        return frame

    summary = run(store, FakeDownloader(batch, faults=[aware] * 3))
    assert not summary.failures
    assert_frames_equal(stored(store), refreshed(batch))


# --------------------------------------------------------------------------- symbols
@pytest.mark.parametrize(
    ("symbol", "says"),
    [
        ("EZJ.L", "EZJ.L is listed on the London Stock Exchange (Yahoo suffix .L)"),
        ("SHOP.TO", "SHOP.TO is listed on the Toronto Stock Exchange (Yahoo suffix .TO)"),
        ("7203.T", "7203.T is listed on the Tokyo Stock Exchange (Yahoo suffix .T)"),
    ],
)
def test_a_non_us_symbol_is_refused_before_any_download(store, batch, symbol, says):
    fake = FakeDownloader(batch)
    with pytest.raises(InvalidParameterError) as info:
        run(store, fake, tickers=["SPY", symbol])
    assert says in str(info.value) and "xlsrc holds US-listed securities only" in str(info.value)
    assert str(info.value).endswith("Nothing was downloaded.")
    assert fake.calls == []
    with pytest.raises(InvalidParameterError, match="listed on the"):
        resolve_tickers(store, [symbol], [])


def test_a_single_mistyped_ticker_is_named_not_blamed_on_the_network(store, batch):
    """The benchmark comes along in the same call: it came back, so the network works."""
    fake = FakeDownloader(batch)
    summary = run(store, fake, tickers=["XYZQ"])
    assert fake.calls[0][0] == ["SPY", "XYZQ"]
    assert summary.failures == {
        "XYZQ": "no data from Yahoo although SPY came back in the same call: not a symbol "
        "Yahoo knows (mistyped?) or delisted"
    }
    assert not summary.network_lost
    # alone in its batch, the benchmark rides along as a probe
    fake = FakeDownloader(batch)
    summary = run(store, fake, tickers=["XYZQ"], batch_size=1)
    assert fake.calls[1][0] == ["XYZQ", "SPY"]
    assert "although SPY came back" in summary.failures["XYZQ"]


def test_a_ticker_rate_limited_on_its_own_is_not_called_mistyped(store, batch):
    """yf.download logs a rate limit for QQQ alone: retried, then reported as such."""
    said = "YFRateLimitError('Too Many Requests. Rate limited. Try after a while.')"

    def throttled(tickers, start, end):
        frame = FakeDownloader(batch.drop(columns="QQQ", level=1)).answer(tickers, start, end)
        frame.attrs["errors"] = {"QQQ": said} if "QQQ" in tickers else {}
        return frame

    sleep = SleepRecorder()
    fake = FakeDownloader(batch, faults=[throttled] * 2)
    summary = run(store, fake, tickers=["SPY", "QQQ"], sleep=sleep, max_retries=1)
    assert [c[0] for c in fake.calls] == [["SPY", "QQQ"], ["QQQ"]] and sleep.calls == [2.0]
    assert summary.failures == {"QQQ": f"no data from Yahoo: {said} (gave up after 1 retries)"}
    assert summary.updated == ["SPY"]


def test_a_batch_of_delisted_tickers_is_not_a_lost_network(store, batch):
    """Stale tickers share old start dates, so they fill whole batches together."""
    summary = run(store, FakeDownloader(batch), tickers=["SPY", "ZZZ1", "ZZZ2"], batch_size=1)
    assert not summary.network_lost
    assert set(summary.failures) == {"ZZZ1", "ZZZ2"}
    assert all("although SPY came back" in r for r in summary.failures.values())


# --------------------------------------------------------------------------- benchmark
def test_the_benchmark_comes_along_and_says_so(store, batch):
    fake = FakeDownloader(batch)
    summary = run(store, fake, tickers=["QQQ"])
    assert fake.calls[0][0] == ["SPY", "QQQ"]
    assert summary.benchmark_added and summary.requested == ["SPY", "QQQ"]
    assert sorted(summary.updated) == ["QQQ", "SPY"]
    assert summary.last_date == pd.Timestamp("2026-02-27")
    assert str(summary).splitlines()[1] == (
        "SPY came along: the market's latest day is the last bar of the benchmark SPY, so "
        "every refresh brings it up to date too."
    )
    # of the 5 stored tickers only SPY and QQQ reach 2026-02-27 (IWM, XLE, XLK stay at
    # 2026-01-15): the move is said, with that count
    assert str(summary).splitlines()[2] == (
        "The market's latest session moves from 2026-01-15 to 2026-02-27: 2 of 5 tickers "
        "have a bar that day; the others carry their last close until refreshed."
    )
    assert summary.moved is not None and summary.moved.with_bar == 2


# --------------------------------------------------------------------------- failures
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
    assert first == ["SPY", "IWM"]
    assert set(summary.failures) == set(first)
    assert all("rate limited" in r for r in summary.failures.values())
    others = [t for t in TICKERS if t not in first]
    assert sorted(summary.updated) == sorted(others)
    assert_frames_equal(stored(store), refreshed(batch, others, first))
    # SPY, the benchmark, is still at 2026-01-15: the others' new days wait for it
    assert summary.last_date == pd.Timestamp(SEED_THROUGH)
    assert summary.waiting == dict.fromkeys(["QQQ", "XLE", "XLK"], pd.Timestamp("2026-02-27"))
    assert (
        "Stored but not shown until SPY (the benchmark) has those days too (the market's "
        "latest day is 2026-01-15): QQQ to 2026-02-27, XLE to 2026-02-27, XLK to 2026-02-27."
    ) in str(summary)


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
    assert "not a symbol Yahoo knows (mistyped?) or delisted" in summary.failures["ZZZZ"]
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
    assert summary.failures["ZZZZ"].endswith(
        "(yfinance said: possibly delisted; no price data found)"
    )
    # the recording ends on the last stored day: every compared day matches, nothing new
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
    second = [t for t in fake.calls[1][0] if t != "SPY"]  # SPY rides along as the probe
    for t in second:
        assert summary.failures[t].startswith("no data from Yahoo for any ticker of the batch")
        assert "possibly delisted" not in summary.failures[t].split("(yfinance said")[0]
    assert set(summary.failures) == set(TICKERS) - set(first)


def test_one_empty_ticker_among_good_ones_is_named(store, batch):
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
    assert summary.failures == {
        "ZZZZ": "no data from Yahoo although SPY came back in the same call: not a symbol "
        f"Yahoo knows (mistyped?) or delisted (yfinance said: {NO_TZ})"
    }
    assert sleep.calls == [] and not summary.network_lost
    assert summary.rows_added == new_rows(batch, ["SPY"])


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("Adj Close", -1.0, "SPY: close on 2026-01-21 is -1 (must be a positive number)"),
        ("Adj Close", np.inf, "SPY: close on 2026-01-21 is inf (must be a positive number)"),
        ("Open", 0.0, "SPY: open on 2026-01-21 is 0 (must be a positive number)"),
        ("High", 600.0, "SPY: high "),  # below the low: the gate's range rule
        # the low (raw) above the close, 685.40; scaled by 683.533264 / 685.400024 to 684.132
        ("Low", 686.0, "SPY: close 683.533 is outside low 684.132"),
        ("Volume", -5.0, "SPY: volume on 2026-01-21 is -5 (must be >= 0)"),
    ],
)
def test_bad_data_is_refused_per_ticker_by_the_gate(store, batch, field, value, says):
    def bad(tickers, start, end):
        frame = FakeDownloader(batch).answer(tickers, start, end)
        frame.loc["2026-01-21", (field, "SPY")] = value
        return frame

    summary = run(
        store, FakeDownloader(batch, faults=[bad]), tickers=["SPY", "QQQ", "IWM"], batch_size=3
    )
    assert summary.failures["SPY"].startswith(f"refused: {says}")
    if field == "High":  # 600 scaled by the day's Adj Close / Close, below the low
        assert "is below low" in summary.failures["SPY"]
    assert sorted(summary.updated) == ["IWM", "QQQ"]
    assert_frames_equal(
        stored(store),
        combine(refreshed(batch, ["IWM", "QQQ"]), seeded(batch, ["SPY", "XLE", "XLK"])),
    )


# --------------------------------------------------------------------------- interruption
def test_crash_between_batches_keeps_batch_one_and_rerun_resumes(store, batch):
    fake = FakeDownloader(batch, faults=[None, KeyboardInterrupt()])
    with pytest.raises(RefreshInterrupted) as info:
        run(store, fake)
    first = fake.calls[0][0]
    assert sorted(info.value.summary.updated) == sorted(first) and info.value.summary.interrupted
    rest = [t for t in TICKERS if t not in first]
    assert_frames_equal(stored(store), refreshed(batch, first, rest))

    again = FakeDownloader(batch)
    summary = run(store, again)
    assert sorted(summary.updated) == sorted(rest)
    assert_frames_equal(stored(store), refreshed(batch))


def _interrupt_on_write(monkeypatch, number, error=KeyboardInterrupt):
    """Make the ``number``-th bar write raise while its rows are inserted (mid-transaction)."""
    import xlsrc.data.backends.sqlite as store_module

    real = store_module._bar_rows
    writes = []

    def rows(bars, source_id, stamp):
        writes.append(len(bars))
        for i, row in enumerate(real(bars, source_id, stamp)):
            if len(writes) == number and i == 3:
                raise error()
            yield row

    monkeypatch.setattr(store_module, "_bar_rows", rows)
    return writes


def test_ctrl_c_inside_a_write_keeps_the_batches_before_and_nothing_of_it(
    store, batch, monkeypatch
):
    _interrupt_on_write(monkeypatch, 2)
    with pytest.raises(RefreshInterrupted) as info:
        run(store, FakeDownloader(batch))
    summary = info.value.summary
    assert summary.interrupted and sorted(summary.updated) == ["IWM", "SPY"]
    assert_frames_equal(stored(store), refreshed(batch, ["IWM", "SPY"], ["QQQ", "XLE", "XLK"]))
    text = str(summary)
    assert text.startswith("Refresh: 2 of 5 tickers updated, 58 rows added; data up to 2026-02-27.")
    assert text.endswith(
        "Interrupted: every write before Ctrl-C is kept (the tickers counted as updated "
        "above); the one in progress was rolled back and nothing else was changed. Run "
        "refresh again to resume."
    )
    monkeypatch.undo()
    summary = run(store, FakeDownloader(batch))
    assert sorted(summary.updated) == ["QQQ", "XLE", "XLK"]
    assert_frames_equal(stored(store), refreshed(batch))


def test_ctrl_c_while_replacing_a_history_keeps_the_old_one(tmp_path, batch, monkeypatch):
    old = recorded("batch_old_adjustment")
    store = make_store(tmp_path, old, SEED_THROUGH)
    before = stored(store)
    _interrupt_on_write(monkeypatch, 1)  # the first write is the replacement of batch 1
    with pytest.raises(RefreshInterrupted) as info:
        run(store, FakeDownloader(batch))
    assert info.value.summary.updated == [] and info.value.summary.replaced == []
    assert_frames_equal(stored(store), before)


def test_crash_inside_a_batch_write_leaves_the_store_unchanged(store, batch, monkeypatch):
    before = stored(store)
    version = store.identity()[1]
    _interrupt_on_write(monkeypatch, 1, error=lambda: RuntimeError("power cut"))
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


def test_offline_lists_the_holes(tmp_path, batch):
    store = make_store(tmp_path, without_prices(batch, "XLK", "2026-01-07"), SEED_THROUGH)
    summary = run(store, FakeDownloader(batch), offline=True)
    assert str(summary).splitlines()[1] == (
        "Still missing inside their stored range (1 ticker; asked for again on the next "
        "refresh): XLK 1 day (2026-01-07)."
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

    from xlsrc.data.refresh_summary import tqdm_progress

    out = io.StringIO()
    with tqdm_progress(tqdm, file=out) as bar:
        run(store, FakeDownloader(batch), progress=bar)
    assert "5/5" in out.getvalue()


# --------------------------------------------------------------------------- command line
@pytest.fixture
def cli_store(tmp_path, batch, monkeypatch):
    """The CLI's refresh on a test store, the transport replaced by the recorded answers."""
    import xlsrc.data.refresh as refresh_module

    store = make_store(tmp_path, batch, SEED_THROUGH)
    answers = {"frame": batch, "faults": []}
    monkeypatch.setattr(
        refresh_module,
        "YFinanceDownloader",
        lambda: FakeDownloader(answers["frame"], answers["faults"]),
    )
    monkeypatch.setattr(refresh_module, "default_end", lambda now=None: pd.Timestamp(END))
    import xlsrc.data as data_api

    monkeypatch.setattr(data_api, "open_store", lambda location=None, **kw: store)
    return store, answers


def cli(capsys, *argv):
    from xlsrc import cli as cli_module

    status = cli_module.main(["refresh", "--quiet", *argv])
    out, err = capsys.readouterr()
    return status, out, err


def test_cli_refresh_prints_the_summary(cli_store, capsys):
    status, out, err = cli(capsys, "QQQ")
    assert status == 0, err
    assert (
        out.splitlines()[0]
        == "Refresh: 2 of 2 tickers updated, 58 rows added; data up to 2026-02-27."
    )
    assert "SPY came along" in out


def test_cli_refuses_a_non_us_symbol_in_one_line(cli_store, capsys):
    status, out, err = cli(capsys, "EZJ.L")
    assert status == 1 and out == ""
    assert err.startswith("xlsrc: error: EZJ.L is listed on the London Stock Exchange")
    assert err.count("\n") == 1


def test_cli_allow_jump(cli_store, batch, capsys):
    _, answers = cli_store
    glitch = batch.copy()
    for f in PRICES:
        glitch.loc[glitch.index >= pd.Timestamp("2026-01-21"), (f, "IWM")] *= 0.5
    answers["frame"] = glitch
    status, out, _ = cli(capsys, "IWM")
    assert status == 1 and "--allow-jump IWM:2026-01-21" in out
    status, out, _ = cli(capsys, "IWM", "--allow-jump", "IWM:2026-01-21")
    assert status == 0 and "1 of 2 tickers updated, 29 rows added, 1 already up to date" in out


def test_cli_ctrl_c_prints_what_was_kept(cli_store, capsys):
    _, answers = cli_store
    answers["faults"] += [None, KeyboardInterrupt()]
    status, out, _ = cli(capsys, "--batch-size", "2", "SPY", "IWM", "QQQ")
    assert status == 130
    assert out.startswith("Refresh: 2 of 3 tickers updated")
    assert "Interrupted: every write before Ctrl-C is kept" in out


def test_cli_status_names_the_holes(batch, capsys, tmp_path, monkeypatch):
    import xlsrc.data as data_api
    from xlsrc import cli as cli_module

    holed = make_store(tmp_path, without_prices(batch, "XLK", "2026-01-07"), SEED_THROUGH)
    monkeypatch.setattr(data_api, "open_store", lambda location=None, **kw: holed)
    assert cli_module.main(["status"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(None, 1)[1] for line in lines if line.startswith("Holes ")] == [
        "1 ticker lacks sessions inside their stored range: XLK 1 (days missing; 'xlsrc "
        "refresh' asks Yahoo for them again)"
    ]


def test_refresh_reads_sp1500_as_every_other_command(tmp_path, store):
    # review 2, item 10: the bundled snapshot's sp500, sp400 and sp600 hold 497, 392 and
    # 595 members with no ticker in two of them: sp1500 is all 497 + 392 + 595 = 1,484
    bundled = open_store(str(tmp_path / "bundled.sqlite"))
    lists = bundled.universes()
    got = resolve_tickers(bundled, [], ["SP1500"])
    assert len(got) == 1484
    assert got == [*lists["sp500"], *lists["sp400"], *lists["sp600"]]
    # a store without the three parts does not hold sp1500, and says which it holds
    with pytest.raises(
        UnknownUniverseError, match=r"Unknown universe: sp1500 \(known: stocks, all, sectors"
    ):
        resolve_tickers(store, [], ["sp1500"])
