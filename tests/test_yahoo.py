"""The Yahoo provider: every shape yf.download returns and the real transport's wiring."""

from __future__ import annotations

import inspect
import logging
import warnings

import numpy as np
import pandas as pd
import pytest
import yfinance as yf
from yahoo_fake import TICKERS, expected_long, recorded, recorder
from yfinance.exceptions import YFRateLimitError

from xlsrc.data import yahoo
from xlsrc.data.yahoo import YFinanceDownloader, is_transient, to_long


def long_of(name, tickers):
    parsed = to_long(recorded(name), tickers)
    bars = parsed.bars.copy()
    bars["date"] = bars["date"].astype("datetime64[ns]")
    return bars.astype({"ticker": object}), parsed.failures


def test_batch_column_grouped():
    bars, failures = long_of("batch", TICKERS)
    assert failures == {}
    pd.testing.assert_frame_equal(
        bars, expected_long(recorded("batch"), TICKERS), check_dtype=False
    )


def test_ticker_grouped_equals_column_grouped():
    by_ticker, _ = long_of("batch_by_ticker", ["SPY", "QQQ"])
    by_column = expected_long(recorded("batch"), ["QQQ", "SPY"], "2026-01-02", "2026-01-15")
    pd.testing.assert_frame_equal(by_ticker, by_column, check_dtype=False)


@pytest.mark.parametrize("name", ["single_multiindex", "single_flat"])
def test_single_ticker_with_or_without_multiindex(name):
    bars, failures = long_of(name, ["SPY"])
    assert failures == {} and len(bars) == 20
    pd.testing.assert_frame_equal(
        bars,
        expected_long(recorded("batch"), ["SPY"], "2026-01-02", "2026-01-30"),
        check_dtype=False,
    )


def test_partial_and_empty_results_report_the_failed_ticker():
    bars, failures = long_of("partial", ["SPY", "QQQ", "ZZZZ"])
    assert sorted(bars["ticker"].unique()) == ["QQQ", "SPY"]
    assert "possibly delisted" in failures["ZZZZ"]
    bars, failures = long_of("empty", ["ZZZZ"])
    assert bars.empty and list(failures) == ["ZZZZ"]
    assert to_long(None, ["SPY"]).failures.keys() == {"SPY"}


def test_a_requested_ticker_missing_from_the_columns_fails():
    assert "SPY" not in to_long(recorded("batch"), ["SPY", "NOPE"]).failures
    assert "NOPE" in to_long(recorded("batch"), ["SPY", "NOPE"]).failures


def test_recorded_shapes_match_yfinance():
    """The fixtures look like yf.download(auto_adjust=False, actions=True) in yfinance 1.7."""
    frame = recorded("batch")
    assert frame.columns.names == ["Price", "Ticker"]
    assert frame.index.name == "Date" and frame.index.tz is None
    assert list(dict.fromkeys(frame.columns.get_level_values(0))) == [
        "Adj Close",
        "Capital Gains",  # ETFs and funds only (yfinance's expect_capital_gains)
        "Close",
        "Dividends",
        "High",
        "Low",
        "Open",
        "Stock Splits",
        "Volume",
    ]
    assert (frame.xs("Volume", axis=1, level=0).dtypes == "int64").all()
    assert recorded("batch_by_ticker").columns.names == ["Ticker", "Price"]
    # a failed ticker is yfinance's empty_df: no action columns
    assert set(recorded("partial").xs("ZZZZ", axis=1, level=1).columns) == {
        "Open",
        "High",
        "Low",
        "Close",
        "Adj Close",
        "Volume",
    }
    assert "Adj Close" in recorded("empty").columns.get_level_values(0)
    # stocks have no Capital Gains column; the split record sits on the ex-date
    splits = recorded("splits")
    assert "Capital Gains" not in splits.xs("NFLX", axis=1, level=1).columns
    assert splits.loc["2025-11-17", ("Stock Splits", "NFLX")] == 10.0
    assert splits.loc["2025-12-18", ("Stock Splits", "NOW")] == 5.0
    # SPY's December 2025 dividend, reconstructed from the adjustment: 1.993
    assert splits.loc["2025-12-19", ("Dividends", "SPY")] == pytest.approx(1.993, abs=5e-4)


@pytest.mark.filterwarnings("ignore:The inplace keyword:DeprecationWarning")
def test_both_closes_follow_yfinances_auto_adjust_rule():
    """SPY 2026-01-16 in ``batch``: close = Adj Close, O/H/L times Adj Close / Close."""
    frame = recorded("batch")
    day = pd.Timestamp("2026-01-16")
    bars = to_long(frame, ["SPY"]).bars.set_index("date").loc[day]
    close, adj = frame.loc[day, ("Close", "SPY")], frame.loc[day, ("Adj Close", "SPY")]
    assert bars["close"] == adj and bars["split_close"] == close
    for f in ("Open", "High", "Low"):
        assert bars[f.lower()] == pytest.approx(frame.loc[day, (f, "SPY")] * adj / close, rel=1e-15)
    # yfinance's own auto_adjust on the same rows gives the same numbers
    from yfinance.utils import auto_adjust

    one = frame.xs("SPY", axis=1, level=1)
    adjusted = auto_adjust(one[["Open", "High", "Low", "Close", "Adj Close", "Volume"]])
    for f in ("Open", "High", "Low", "Close"):
        assert bars[f.lower()] == adjusted.loc[day, f]


@pytest.mark.filterwarnings("ignore:The inplace keyword:DeprecationWarning")
def test_an_auto_adjusted_response_has_no_split_close():
    """The older shape (auto_adjust=True): Close is adjusted; the split-only close unknown."""
    from yfinance.utils import auto_adjust

    frame = recorded("batch")
    dfs = {}
    for t in ("SPY", "QQQ"):
        one = frame.xs(t, axis=1, level=1)[["Open", "High", "Low", "Close", "Adj Close", "Volume"]]
        dfs[t] = auto_adjust(one)
    legacy = recorder.assemble(dfs)
    assert "Adj Close" not in legacy.columns.get_level_values(0)
    bars = to_long(legacy, ["SPY", "QQQ"]).bars
    want = expected_long(frame, ["QQQ", "SPY"])
    np.testing.assert_array_equal(bars["close"], want["close"])
    assert bars["split_close"].isna().all()


def test_days_without_prices_and_split_records():
    frame = recorded("splits").copy()
    for f in ("Open", "High", "Low", "Close", "Adj Close"):
        frame.loc["2025-11-20", (f, "NOW")] = np.nan  # the volume stays: sent without prices
    frame.loc["2025-11-21", ("Adj Close", "NOW")] = np.nan  # only the split-only close left
    frame.loc["2025-11-24", ("Adj Close", "NOW")] = 0.0  # Yahoo's zero
    parsed = to_long(frame, ["NFLX", "NOW"])
    assert parsed.no_price == {
        "NOW": [pd.Timestamp("2025-11-20"), pd.Timestamp("2025-11-21"), pd.Timestamp("2025-11-24")]
    }
    assert parsed.splits == {
        "NFLX": {pd.Timestamp("2025-11-17"): 10.0},
        "NOW": {pd.Timestamp("2025-12-18"): 5.0},
    }
    now = parsed.bars[parsed.bars["ticker"] == "NOW"]
    assert len(now) == recorded("splits")[("Close", "NOW")].notna().sum() - 3
    assert not now["date"].isin(parsed.no_price["NOW"]).any()
    assert parsed.failures == {}


def test_a_ticker_with_only_unpriced_days_fails_with_that_reason():
    frame = recorded("batch_by_ticker").copy()
    for f in ("Open", "High", "Low", "Close", "Adj Close"):
        frame[("QQQ", f)] = np.nan
    parsed = to_long(frame, ["SPY", "QQQ"])
    assert parsed.failures == {"QQQ": "Yahoo sent 10 day(s) without a price and none with one"}
    assert len(parsed.no_price["QQQ"]) == 10


@pytest.mark.parametrize(
    ("labels", "dates"),
    [
        # yfinance's daily labels: exchange-time midnights
        (
            pd.DatetimeIndex(["2026-01-02", "2026-03-09"]).tz_localize("America/New_York"),
            ["2026-01-02", "2026-03-09"],
        ),
        # naive: as written
        (pd.DatetimeIndex(["2026-01-02", "2026-03-09"]), ["2026-01-02", "2026-03-09"]),
        # midnight labels in UTC ("...Z"): the date written, not 19:00 the day before in NY
        (
            pd.DatetimeIndex(["2026-01-02", "2026-03-09"]).tz_localize("UTC"),
            ["2026-01-02", "2026-03-09"],
        ),
        # instants: 21:00 UTC is 16:00 (EST) or 17:00 (EDT, from 2026-03-08) in New York;
        # 02:00 UTC on the 3rd is 21:00 on the 2nd there
        (
            pd.DatetimeIndex(
                ["2026-01-02 21:00", "2026-03-09 21:00", "2026-01-03 02:00"]
            ).tz_localize("UTC"),
            ["2026-01-02", "2026-03-09", "2026-01-02"],
        ),
        # a Tokyo-zone midnight label is its own date too
        (pd.DatetimeIndex(["2026-01-05"]).tz_localize("Asia/Tokyo"), ["2026-01-05"]),
    ],
    ids=["new-york", "naive", "utc-labels", "utc-instants", "tokyo-label"],
)
def test_session_dates(labels, dates):
    got = yahoo.session_dates(labels)
    assert got.tz is None and got.dtype == "datetime64[ns]"
    assert list(got) == [pd.Timestamp(d) for d in dates]
    # the rule every input path follows, one value at a time (xlsrc.dates)
    from xlsrc.dates import session_date

    assert [session_date(stamp) for stamp in labels] == list(got)


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (YFRateLimitError(), True),
        (TimeoutError("timed out"), True),
        (ConnectionError("reset"), True),
        (ValueError("bad"), False),
        ("YFRateLimitError('Too Many Requests. Rate limited. Try after a while.')", True),
        ("possibly delisted; no price data found", False),
    ],
)
def test_is_transient(error, transient):
    assert is_transient(error) is transient


def test_curl_cffi_timeouts_are_transient():
    from curl_cffi.requests import exceptions as curl

    assert is_transient(curl.Timeout("Operation timed out"))
    assert is_transient(curl.ConnectionError("Could not resolve host"))


def test_real_downloader_passes_the_documented_settings(monkeypatch):
    seen = {}
    params = inspect.signature(yf.download).parameters

    def fake_download(tickers, **kwargs):
        seen.update(kwargs, tickers=tickers)
        return recorded("batch")

    monkeypatch.setattr(yf, "download", fake_download)
    frame = YFinanceDownloader()(
        ["SPY", "QQQ"], pd.Timestamp("2026-01-02"), pd.Timestamp("2026-02-01")
    )
    assert seen["auto_adjust"] is False and seen["actions"] is True and seen["progress"] is False
    assert seen["repair"] is False and seen["keepna"] is False and seen["back_adjust"] is False
    assert seen["interval"] == "1d" and seen["ignore_tz"] is True
    assert seen["group_by"] == "column" and seen["threads"] is True
    assert seen["start"] == "2026-01-02" and seen["end"] == "2026-02-01"
    assert frame.attrs["errors"] == {}
    # every keyword we pass exists in the installed yfinance
    assert set(seen) - {"tickers"} <= set(params)


def _log_like_yfinance(errors):
    """Log failures exactly as yfinance.multi._download_impl does."""
    logger = logging.getLogger("yfinance")
    logger.error("\n%.f Failed download%s:" % (len(errors), "s" if len(errors) > 1 else ""))  # noqa: UP031
    grouped = {}
    for ticker, err in errors.items():
        grouped.setdefault(err, []).append(ticker)
    for err, syms in grouped.items():
        logger.error(f"{syms}: " + err)


def test_real_downloader_turns_logged_rate_limits_into_an_exception(monkeypatch):
    def fake_download(tickers, **kwargs):
        _log_like_yfinance(
            {
                t: "YFRateLimitError('Too Many Requests. Rate limited. Try after a while.')"
                for t in tickers
            }
        )
        return recorded("empty")

    monkeypatch.setattr(yf, "download", fake_download)
    with pytest.raises(YFRateLimitError):
        YFinanceDownloader()(["SPY", "QQQ"], None, None)


def test_real_downloader_keeps_per_ticker_reasons(monkeypatch):
    def fake_download(tickers, **kwargs):
        _log_like_yfinance(
            {"ZZZZ": "possibly delisted; no price data found  (1d 2026-01-02 -> 2026-01-16)"}
        )
        return recorded("partial")

    monkeypatch.setattr(yf, "download", fake_download)
    frame = YFinanceDownloader()(["SPY", "QQQ", "ZZZZ"], None, None)
    assert "no price data found" in frame.attrs["errors"]["ZZZZ"]
    assert "no price data found" in to_long(frame, ["SPY", "QQQ", "ZZZZ"]).failures["ZZZZ"]


def test_real_downloader_connection_failure_for_all(monkeypatch):
    def fake_download(tickers, **kwargs):
        _log_like_yfinance(
            {
                t: "ConnectionError('Failed to perform, curl: (6) Could not resolve host')"
                for t in tickers
            }
        )
        return recorded("empty")

    monkeypatch.setattr(yf, "download", fake_download)
    with pytest.raises(ConnectionError):
        YFinanceDownloader()(["SPY"], None, None)


def _pandas_deprecation(text: str, module: str) -> None:
    """Warn the way pandas does from inside yfinance/multi.py (attributed to its frame)."""
    warnings.warn_explicit(
        text,
        pd.errors.Pandas4Warning,
        filename=f"{module.replace('.', '/')}.py",
        lineno=220,
        module=module,
        registry={},
    )


def test_real_downloader_silences_yfinance_pandas_warnings_for_that_call_only(monkeypatch):
    def fake_download(tickers, **kwargs):
        _pandas_deprecation(
            "The inplace keyword in DataFrame.rename is deprecated", "yfinance.multi"
        )
        _pandas_deprecation("ours, not yfinance's", "xlsrc.something")
        return recorded("partial")

    monkeypatch.setattr(yf, "download", fake_download)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        YFinanceDownloader()(["SPY", "QQQ"], None, None)
        during = [str(w.message) for w in caught]
        _pandas_deprecation("after the call", "yfinance.multi")
    assert during == ["ours, not yfinance's"]  # only yfinance's are silenced
    assert [str(w.message) for w in caught][-1] == "after the call"  # and only then


@pytest.mark.parametrize(
    ("reason", "no_data"),
    [
        (None, True),
        ("", True),
        ("possibly delisted; no timezone found", True),
        ("possibly delisted; no price data found  (1d 2026-01-02 -> 2026-01-16)", True),
        ("YFTzMissingError('$VICR: possibly delisted; no timezone found')", True),
        ("HTTP Error 404: Not Found", False),
        ("ConnectionError('Could not resolve host')", False),
    ],
)
def test_is_no_data(reason, no_data):
    assert yahoo.is_no_data(reason) is no_data


def test_public_names():
    assert set(yahoo.__all__) >= {"Downloader", "YFinanceDownloader", "session_dates", "to_long"}
    # no validation rules of its own: the gate decides (xlsrc.data.validate)
    assert not hasattr(yahoo, "validate_bars")
    # what the CSV importer takes from here
    assert yahoo.BAR_COLUMNS == ("ticker", "date", "open", "high", "low", "close", "volume")
