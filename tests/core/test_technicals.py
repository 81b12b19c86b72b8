from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from xlsrc.core.technicals import (
    pct_from_high,
    pct_from_sma,
    relative_volume,
    rsi,
    sma,
    volatility,
)
from xlsrc.errors import InvalidParameterError, NoDataError

from .conftest import FIXTURES, make_close

NAN = np.nan

CLOSE = make_close(
    {
        "AAA": [10.0, 12.0, 11.0, 13.0, 14.0],
        "BBB": [NAN, NAN, 20.0, 22.0, 21.0],
    }
)
D = CLOSE.index[-1]


def test_sma_and_pct_from_sma():
    # AAA SMA3 = (11+13+14)/3 = 12.6667 ; 14/12.6667-1 = 0.105263
    assert sma(CLOSE, 3, D)["AAA"] == pytest.approx(38 / 3)
    assert pct_from_sma(CLOSE, 3, D)["AAA"] == pytest.approx(14 / (38 / 3) - 1)
    # BBB SMA3 = (20+22+21)/3 = 21 -> 0 ; SMA4 needs 4 bars -> NaN
    assert pct_from_sma(CLOSE, 3, D)["BBB"] == pytest.approx(0.0)
    assert np.isnan(pct_from_sma(CLOSE, 4, D)["BBB"])
    assert pct_from_sma(CLOSE, 6, D).isna().all()


def test_volatility_hand_values():
    # AAA returns over the last 2 days: 13/11-1 = 0.181818, 14/13-1 = 0.076923
    r = [13 / 11 - 1, 14 / 13 - 1]
    mean = sum(r) / 2
    sd = math.sqrt(sum((x - mean) ** 2 for x in r) / (2 - 1))  # ddof = 1
    v = volatility(CLOSE, 2, D)
    assert v["AAA"] == pytest.approx(sd)
    assert volatility(CLOSE, 2, D, annualise=True)["AAA"] == pytest.approx(sd * math.sqrt(252))
    # BBB: 22/20-1 = 0.1, 21/22-1 = -0.0454545 ; sd = |0.1+0.0454545|/sqrt(2)
    assert v["BBB"] == pytest.approx((0.1 + 1 / 22) / math.sqrt(2))
    assert np.isnan(volatility(CLOSE, 3, D)["BBB"])


def test_relative_volume_hand_values():
    vol = make_close(
        {
            "AAA": [100.0, 200.0, 300.0, 600.0],
            "BBB": [NAN, NAN, 50.0, 100.0],
            "CCC": [0.0, 0.0, 0.0, 10.0],
        }
    )
    d = vol.index[-1]
    rv = relative_volume(vol, 3, d)
    assert rv["AAA"] == pytest.approx(600 / 200)  # mean(100,200,300) = 200
    assert np.isnan(rv["BBB"])  # 1 known volume before D, needs 3
    assert np.isnan(rv["CCC"])  # average volume 0
    # a mean of 1 known volume is no 2-day average (was 100 / 50 under the half rule)
    assert np.isnan(relative_volume(vol, 2, d)["BBB"])
    assert relative_volume(vol, 1, d)["BBB"] == pytest.approx(100 / 50)
    assert relative_volume(vol, 4, d).isna().all()


def test_relative_volume_skips_a_session_without_volume():
    # a day without a recorded volume is skipped: the 2 most recent known volumes before
    # D are 10 and 30 (row 1 unknown), mean 20, so 60 / 20 = 3
    vol = make_close({"DDD": [10.0, NAN, 30.0, 60.0], "EEE": [10.0, 20.0, 30.0, NAN]})
    d = vol.index[-1]
    rv = relative_volume(vol, 2, d)
    assert rv["DDD"] == pytest.approx(3.0)
    assert np.isnan(rv["EEE"])  # no volume on D
    assert np.isnan(relative_volume(vol, 3, d)["DDD"])  # 2 known volumes before D, needs 3


def test_pct_from_high():
    # AAA max(12, 11, 13, 14) over 4 days = 14 -> 0 ; as of row 2: 11/12-1
    assert pct_from_high(CLOSE, 4, D)["AAA"] == 0.0
    assert pct_from_high(CLOSE, 3, CLOSE.index[2])["AAA"] == pytest.approx(11 / 12 - 1)
    # BBB has 3 bars; a 252-day window uses those: 21/22-1
    assert pct_from_high(CLOSE, 252, D)["BBB"] == pytest.approx(21 / 22 - 1)
    assert np.isnan(pct_from_high(CLOSE, 252, CLOSE.index[1])["BBB"])


# StockCharts ChartSchool RSI(14) worked example (cs-rsi.xls), published values.
STOCKCHARTS_RSI = {
    "2010-01-05": 70.53,
    "2010-01-06": 66.32,
    "2010-01-07": 66.55,
    "2010-01-08": 69.41,
    "2010-01-11": 66.36,
    "2010-01-12": 57.97,
    "2010-01-13": 62.93,
    "2010-01-14": 63.26,
    "2010-01-15": 56.06,
    "2010-01-19": 62.38,
    "2010-01-20": 54.71,
    "2010-01-21": 50.42,
    "2010-01-22": 39.99,
    "2010-01-25": 41.46,
    "2010-01-26": 41.87,
    "2010-01-27": 45.46,
    "2010-01-28": 37.30,
    "2010-01-29": 33.08,
    "2010-02-01": 37.77,
}


@pytest.fixture(scope="module")
def cs_rsi() -> pd.DataFrame:
    return pd.read_csv(
        FIXTURES / "stockcharts_rsi_example_closes.csv", parse_dates=["date"], index_col="date"
    )


@pytest.mark.parametrize(("date", "expected"), sorted(STOCKCHARTS_RSI.items()))
def test_rsi_stockcharts_example(cs_rsi, date, expected):
    assert rsi(cs_rsi, 14, date)["close"] == pytest.approx(expected, abs=0.01)


def test_rsi_first_value_needs_window_changes(cs_rsi):
    # 2010-01-04 is the 13th change: no RSI yet
    assert np.isnan(rsi(cs_rsi, 14, "2010-01-04")["close"])


def test_rsi_tickers_starting_at_different_rows(cs_rsi):
    # the same closes shifted 5 rows later (NaN before) must give the same RSI 5 rows later,
    # computed in the same pass as the unshifted column
    closes = cs_rsi["close"].to_numpy()
    wide = pd.DataFrame(
        {"A": closes, "LATE": np.r_[np.full(5, NAN), closes[:-5]]}, index=cs_rsi.index
    )
    out = rsi(wide, 14, "2010-02-01")
    # LATE on 2010-02-01 is A's value 5 rows earlier (2010-01-25): published 41.46
    assert out["A"] == pytest.approx(37.77, abs=0.01)
    assert out["LATE"] == pytest.approx(41.46, abs=0.01)


def test_rsi_flat_and_rising():
    close = make_close(
        {"FLAT": [5.0] * 6, "UP": [1.0, 2, 3, 4, 5, 6], "DOWN": [6.0, 5, 4, 3, 2, 1]}
    )
    out = rsi(close, 3, close.index[-1])
    assert out.to_dict() == {"FLAT": 50.0, "UP": 100.0, "DOWN": 0.0}


@pytest.mark.parametrize(
    "call",
    [
        lambda w: sma(CLOSE, w, D),
        lambda w: pct_from_sma(CLOSE, w, D),
        lambda w: rsi(CLOSE, w, D),
        lambda w: volatility(CLOSE, w, D),
        lambda w: relative_volume(CLOSE, w, D),
        lambda w: pct_from_high(CLOSE, w, D),
    ],
)
@pytest.mark.parametrize("bad", [0, -3, 1.5, "20", None])
def test_bad_windows(call, bad):
    with pytest.raises(InvalidParameterError):
        call(bad)


def test_volatility_needs_two_returns():
    with pytest.raises(InvalidParameterError, match=">= 2"):
        volatility(CLOSE, 1, D)


@pytest.mark.parametrize(
    "call",
    [
        lambda d: pct_from_sma(CLOSE, 2, d),
        lambda d: rsi(CLOSE, 2, d),
        lambda d: volatility(CLOSE, 2, d),
        lambda d: relative_volume(CLOSE, 2, d),
        lambda d: pct_from_high(CLOSE, 2, d),
    ],
)
def test_as_of_before_data(call):
    with pytest.raises(NoDataError):
        call("2020-01-01")
    with pytest.raises(InvalidParameterError):
        call(None)


def test_relative_volume_reads_far_back_only_for_columns_that_need_it():
    """Columns whose known volumes lie beyond one block of rows, against a plain loop.

    400 sessions, window 3 (blocks of 128 rows): A has a volume every day; B only on rows
    10, 20 and 30 (its three known volumes are 3 blocks back); C only on rows 10 and 20
    (two known volumes: no value); D has none before D.
    """
    rows = 400
    index = pd.bdate_range("2020-01-01", periods=rows)
    rng = np.random.default_rng(7)
    a = rng.uniform(1e5, 2e5, rows)
    b = np.full(rows, np.nan)
    b[[10, 20, 30]] = [100.0, 200.0, 300.0]
    c = np.full(rows, np.nan)
    c[[10, 20]] = [100.0, 200.0]
    d = np.full(rows, np.nan)
    for col in (b, c, d):
        col[-1] = 500.0  # the day itself has a volume
    volume = pd.DataFrame({"A": a, "B": b, "C": c, "D": d}, index=index)
    got = relative_volume(volume, 3, index[-1])

    def by_hand(col: np.ndarray) -> float:
        known = [v for v in col[:-1][::-1] if not np.isnan(v)][:3]
        return col[-1] / (sum(known) / 3) if len(known) == 3 else np.nan

    assert got["A"] == pytest.approx(by_hand(a), rel=1e-12)
    assert got["B"] == pytest.approx(500.0 / 200.0)  # mean(300, 200, 100) = 200
    assert np.isnan(got["C"]) and np.isnan(got["D"])
