"""The metric registry, real-bar counts and the YTD year rule, on hand-made arrays.

Every expected value is counted or divided by hand from the small inputs written here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from xlsrc.core import history, metrics, returns
from xlsrc.errors import (
    InsufficientHistoryError,
    InvalidParameterError,
    NoDataError,
    StaleDataError,
)
from xlsrc.periods import STALE_SESSIONS


# --------------------------------------------------------------------------- registry
def test_one_name_per_metric_and_the_table_columns():
    names = [m.name for m in metrics.METRICS]
    assert len(names) == len(set(names))
    assert metrics.METRIC_NAMES == (
        "close", "ret_1d", "ret_1w", "ret_1m", "ret_3m", "ret_6m", "ret_1y", "ret_ytd",
        "rs_score", "rs_rating", "pct_from_sma20", "pct_from_sma50", "pct_from_sma200",
        "rsi14", "volatility20", "annual_volatility20", "relative_volume50",
        "pct_from_high252", "last_bar",
    )  # fmt: skip
    # the four spellings of one number are one now
    for old in ("pct_sma20", "pct_from_sma", "pct_from_high", "relvol"):
        assert old not in metrics.METRIC_NAMES


@pytest.mark.parametrize(
    ("name", "bars"),
    [
        ("close", 1),
        ("ret_1d", 2),  # a 1-day return needs today's close and yesterday's
        ("ret_1m", 22),  # 21 trading days back: 22 closes
        ("ret_1y", 253),
        ("rs_score", 64),  # RS_MIN_DAYS = 63 days back
        ("rs_rating", 64),
        ("pct_from_sma20", 20),
        ("pct_from_sma200", 200),
        ("rsi14", 15),  # 14 changes
        ("volatility20", 21),  # 20 daily returns
        ("relative_volume50", 51),  # the day and the 50 before it
        ("pct_from_high252", 252),  # 52 weeks of real bars (review-1 D7)
    ],
)
def test_bars_needed(name, bars):
    assert metrics.metric(name).bars_needed == bars


def test_families_and_other_windows():
    assert metrics.metric("ret", 21) is metrics.metric("ret_1m")
    assert metrics.metric("pct_from_sma", 50) is metrics.metric("pct_from_sma50")
    assert metrics.metric(" PCT_FROM_SMA ") is metrics.metric("pct_from_sma20")  # its first
    derived = metrics.metric("pct_from_sma", 30)
    assert (derived.name, derived.window, derived.bars_needed) == ("pct_from_sma30", 30, 30)
    assert not derived.in_table
    assert metrics.metric("ret", 2).name == "ret_2d" and metrics.metric("ret", 2).bars_needed == 3
    assert metrics.metric("rsi", 7.0).bars_needed == 8  # Excel sends 7.0
    with pytest.raises(InvalidParameterError, match="metric"):
        metrics.metric("ret_2y")
    with pytest.raises(InvalidParameterError, match="window"):
        metrics.metric("volatility", 1)  # a sample std needs 2 returns
    with pytest.raises(InvalidParameterError, match="window"):
        metrics.metric("ret_ytd", 5)  # no window


def test_sort_keys_come_from_the_registry():
    keys = metrics.SORT_KEYS
    assert set(keys.values()) <= set(metrics.METRIC_NAMES)
    assert keys["ytd"] == "ret_ytd" and keys["1m"] == "ret_1m" and keys["rs"] == "rs_rating"
    assert keys["rsi"] == "rsi14" and keys["pct_from_sma20"] == "pct_from_sma20"
    assert keys["pct_sma20"] == "pct_from_sma20"  # the earlier spelling still sorts
    assert "last_bar" not in keys  # a date is no ranking
    assert metrics.SHORT_SORT_KEYS == ("1d", "1w", "1m", "3m", "6m", "1y", "ytd", "rs", "rsi")


@pytest.mark.parametrize(
    ("label", "word"),
    [
        ("RS rating", "an"),
        ("YTD return", "a"),
        ("1M return", "a"),
        ("8-day return", "an"),
        ("80-day moving average", "an"),
        ("11-day return", "an"),
        ("110-day return", "a"),
        ("18-day return", "an"),
        ("annualised 20-day volatility", "an"),
    ],
)
def test_article(label, word):
    assert metrics.article(label) == word


# --------------------------------------------------------------------------- real bars
# Columns: A traded every row; B rows 2, 3, 5 only; C never; D rows 0 and 7.
HAS_BAR = np.array(
    [
        [1, 0, 0, 1],
        [1, 0, 0, 0],
        [1, 1, 0, 0],
        [1, 1, 0, 0],
        [1, 0, 0, 0],
        [1, 1, 0, 0],
        [1, 0, 0, 0],
        [1, 0, 0, 1],
    ],
    dtype=bool,
)


def test_bar_counts_and_rows():
    counts = history.bar_counts(HAS_BAR, 6, stale_sessions=2)
    assert counts.bars.tolist() == [7, 3, 0, 1]  # rows 0..6
    # fresh: a real bar on rows 4..6
    assert counts.fresh.tolist() == [True, True, False, False]
    assert history.last_bar_rows(HAS_BAR, 6).tolist() == [6, 5, -1, 0]
    assert history.first_bar_rows(HAS_BAR, 6).tolist() == [0, 2, -1, 0]
    assert history.last_bar_rows(HAS_BAR, 7).tolist() == [7, 5, -1, 7]
    some = history.bar_counts(HAS_BAR, 7, cols=np.array([3, 1]), stale_sessions=1)
    assert some.bars.tolist() == [2, 3] and some.fresh.tolist() == [True, False]
    assert history.bar_counts(HAS_BAR, 7).take(np.array([1])).bars.tolist() == [3]


def test_stale_limit_is_exclusive():
    # B's last bar is row 5: at row 5 + STALE_SESSIONS fresh, one row later stale
    mask = np.zeros((20, 1), dtype=bool)
    mask[5, 0] = True
    assert history.bar_counts(mask, 5 + STALE_SESSIONS).fresh.tolist() == [True]
    assert history.bar_counts(mask, 6 + STALE_SESSIONS).fresh.tolist() == [False]


def test_valid_counts_real_bars_and_staleness():
    counts = history.bar_counts(HAS_BAR, 7, stale_sessions=2)  # bars 8, 3, 0, 2
    sma3 = metrics.metric("pct_from_sma", 3)
    # B: last bar row 5, 2 sessions before row 7, 3 bars; D: fresh but 2 bars
    assert metrics.valid(sma3, counts).tolist() == [True, True, False, False]
    counts = history.bar_counts(HAS_BAR, 7, stale_sessions=1)  # now B is stale
    assert metrics.valid(sma3, counts).tolist() == [True, False, False, False]
    last = metrics.metric("last_bar")
    assert metrics.valid(last, counts).tolist() == [True, True, False, True]


INDEX = pd.DatetimeIndex(
    ["2024-12-30", "2024-12-31", "2025-06-02", "2025-12-30", "2025-12-31", "2026-01-02"]
)


def test_explain_in_order():
    ret1 = metrics.metric("ret_1d")
    day = pd.Timestamp("2026-01-02")
    none = np.zeros(6, dtype=bool)
    err = metrics.explain(ret1, "ZZZ", none, INDEX, 5, day)
    assert isinstance(err, NoDataError) and str(err) == "No price for ZZZ on or before 2026-01-02"
    old = np.array([1, 0, 0, 0, 0, 0], dtype=bool)  # last trade 2024-12-30, 5 rows back
    err = metrics.explain(ret1, "OLD", old, INDEX, 5, day, stale_sessions=4)
    assert isinstance(err, StaleDataError) and str(err) == "No trade since 2024-12-30"
    assert err.fields == {"ticker": "OLD", "date": "2024-12-30"}
    one = np.array([0, 0, 0, 0, 0, 1], dtype=bool)
    err = metrics.explain(ret1, "NEW", one, INDEX, 5, day)
    assert isinstance(err, InsufficientHistoryError)
    assert str(err) == "Too little history for NEW: needs 2 trading days before 2026-01-02, has 1"
    ytd = metrics.metric("ret_ytd")
    late = np.array([0, 0, 1, 1, 1, 1], dtype=bool)  # first bar 2025-06-02, after 2024-12-31
    err = metrics.explain(ytd, "MID", late, INDEX, 4, pd.Timestamp("2025-12-31"))
    assert str(err) == (
        "Too little history for MID: a YTD return for 2025 needs a close at the end of 2024; "
        "its first bar is on 2025-06-02"
    )
    err = metrics.explain(ytd, "A", np.ones(6, dtype=bool), INDEX, 1, pd.Timestamp("2024-12-31"))
    assert str(err).endswith("needs a close at the end of 2023; the data start 2024-12-30")
    # enough bars, fresh, and still no value: the metric's own words
    err = metrics.explain(metrics.metric("relative_volume50"), "V", np.ones(6, bool), INDEX, 5, day)
    assert str(err) == "Too little history for V: needs 51 trading days before 2026-01-02, has 6"
    err = metrics.explain(metrics.metric("rs_line"), "V", np.ones(6, bool), INDEX, 5, day)
    assert str(err) == "No RS line for V as of 2026-01-02"
    span = metrics.metric("period_return")
    err = metrics.explain(span, "MID", late, INDEX, 5, day, start=pd.Timestamp("2025-01-15"))
    assert str(err) == "No price for MID on or before 2025-01-15"


# --------------------------------------------------------------------------- YTD
def test_ytd_belongs_to_the_year_asked_for():
    close = pd.DataFrame(
        {"A": [100.0, 80.0, 90.0, 110.0, 120.0, 126.0], "B": [np.nan] * 4 + [50.0, 55.0]},
        index=INDEX,
    )
    # 2025-12-31: 120 / 80 (2024-12-31) - 1
    assert returns.ytd_return(close, "2025-12-31")["A"] == pytest.approx(0.5)
    # 1 January 2026 is before 2026's first session: 0, not 2025's +50 %
    jan1 = returns.ytd_return(close, "2026-01-01")
    assert jan1["A"] == 0.0 and jan1["B"] == 0.0
    # the first session of 2026: 126 / 120 - 1; a Saturday after it is the same day
    assert returns.ytd_return(close, "2026-01-02")["A"] == pytest.approx(0.05)
    assert returns.ytd_return(close, "2026-01-03")["A"] == pytest.approx(0.05)
    # B has no close at the end of 2025... it has: 50 on 2025-12-31 -> 55 / 50 - 1
    assert returns.ytd_return(close, "2026-01-02")["B"] == pytest.approx(0.1)
    # but none at the end of 2024
    assert np.isnan(returns.ytd_return(close, "2025-12-31")["B"])
    # 1 January 2025: 0 for A (traded by then), NaN for B (no price yet)
    jan1_2025 = returns.ytd_return(close, "2025-01-01")
    assert jan1_2025["A"] == 0.0 and np.isnan(jan1_2025["B"])
    assert returns.ytd_base_position(INDEX, 4, 2026) == 4
    assert returns.ytd_base_position(INDEX, 5) == 4
    assert returns.ytd_base_position(INDEX, 1) == -1
