"""The Yahoo provider: every shape yf.download returns, validation, the real transport's wiring."""

from __future__ import annotations

import inspect
import logging
import warnings

import numpy as np
import pandas as pd
import pytest
import yfinance as yf
from yahoo_fake import TICKERS, expected_long, recorded
from yfinance.exceptions import YFRateLimitError

from xlsrc.data import yahoo
from xlsrc.data.yahoo import YFinanceDownloader, is_transient, to_long, validate_bars


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
    frame = recorded("batch")
    assert frame.columns.names == ["Price", "Ticker"]
    assert frame.index.name == "Date" and frame.index.tz is None
    assert list(dict.fromkeys(frame.columns.get_level_values(0))) == [
        "Close",
        "High",
        "Low",
        "Open",
        "Volume",
    ]
    assert recorded("batch_by_ticker").columns.names == ["Ticker", "Price"]
    assert "Adj Close" in recorded("empty").columns.get_level_values(0)


def bars():
    frame = pd.DataFrame(
        {
            "ticker": ["SPY"] * 3 + ["QQQ"] * 2,
            "date": pd.to_datetime(
                ["2026-01-02", "2026-01-05", "2026-01-06", "2026-01-02", "2026-01-05"]
            ),
            "open": [10.0, 10.5, 10.2, 5.0, 5.1],
            "high": [11.0, 11.0, 10.9, 5.5, 5.2],
            "low": [9.5, 10.0, 10.0, 4.9, 5.0],
            "close": [10.5, 10.2, 10.8, 5.1, 5.15],
            "volume": [100.0, 200.0, np.nan, 50.0, 60.0],
        }
    )
    return frame


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({("close", 1): -1.0}, "prices must be positive"),
        ({("open", 1): 0.0}, "prices must be positive"),
        ({("close", 2): np.inf}, "prices must be positive"),
        ({("high", 1): 9.0}, "inconsistent"),
        ({("close", 1): 11.5}, "inconsistent"),
        ({("date", 2): pd.Timestamp("2026-01-05")}, "duplicate day 2026-01-05"),
        ({("date", 2): pd.Timestamp("2026-01-01")}, "out of order"),
        ({("volume", 0): -5.0}, "volume"),
    ],
)
def test_validation_rejects_the_whole_ticker_only(change, problem):
    good, failures = validate_bars(_apply(change))
    assert list(failures) == ["SPY"] and problem in failures["SPY"]
    assert list(good["ticker"].unique()) == ["QQQ"]


def _apply(change):
    frame = bars()
    for (col, row), value in change.items():
        frame.loc[row, col] = value
    return frame


def test_validation_tolerates_open_outside_the_range_and_unknown_volume():
    frame = bars()
    frame.loc[0, "open"] = 11.2  # real Yahoo bars do this now and then
    good, failures = validate_bars(frame)
    assert failures == {} and len(good) == 5


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
    assert seen["auto_adjust"] is True and seen["actions"] is False and seen["progress"] is False
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
    assert set(yahoo.__all__) >= {"Downloader", "YFinanceDownloader", "to_long", "validate_bars"}
