from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from xlsrc.core.breadth import pct_above_sma
from xlsrc.core.rotation import (
    pair_rotation,
    quadrant,
    rrg,
    rrg_history,
    rrg_tail,
    sector_scores,
    start_of_year_signal,
)
from xlsrc.errors import (
    InsufficientHistoryError,
    InvalidParameterError,
    NoDataError,
    UnknownTickerError,
)

NAN = np.nan

# ------------------------------------------------------------------ pair rotation
# 60 business days from 2023-11-01 (last row 2024-01-24); LARGE = 100 flat, so ratio = SMALL/100.
PAIR_INDEX = pd.bdate_range("2023-11-01", periods=60, name="date")


def _pair(small: list[float]) -> pd.DataFrame:
    return pd.DataFrame({"SMALL": small, "LARGE": [100.0] * 60}, index=PAIR_INDEX)


def test_pair_rotation_leading_hand_values():
    close = _pair([50.0] * 59 + [60.0])
    rot = pair_rotation(close, "SMALL", "LARGE", PAIR_INDEX[-1])
    assert rot.ratio == pytest.approx(0.6)
    # SMA20 = (19*0.5 + 0.6)/20 = 0.505 ; SMA50 = (49*0.5 + 0.6)/50 = 0.502
    assert rot.pct_vs_sma20 == pytest.approx(0.6 / 0.505 - 1)
    assert rot.pct_vs_sma50 == pytest.approx(0.6 / 0.502 - 1)
    assert math.isnan(rot.pct_vs_sma200)  # 60 bars < 200
    assert rot.slope20 == pytest.approx(0.2)  # 0.6/0.5 - 1
    # YTD: SMALL 60/50-1 = 0.2 (2023-12-29 close 50), LARGE 0 -> spread 0.2 ; 1M the same
    assert rot.ytd_spread == pytest.approx(0.2)
    assert rot.one_month_spread == pytest.approx(0.2)
    assert rot.label == "Small caps leading"
    assert rot.date == PAIR_INDEX[-1]


@pytest.mark.parametrize(
    ("small", "label"),
    [
        ([50.0] * 59 + [40.0], "Small caps lagging"),  # below SMA50, 20-day slope -0.2
        # rows 10..38 = 60, 39..58 = 40, 59 = 45: SMA50 = (29*60+20*40+45)/50 = 51.7 > 45,
        # slope 45/40 - 1 > 0
        ([60.0] * 39 + [40.0] * 20 + [45.0], "Small caps turning up"),
        # SMA50 = (29*40+20*60+55)/50 = 48.3 < 55, slope 55/60 - 1 < 0
        ([40.0] * 39 + [60.0] * 20 + [55.0], "Small caps turning down"),
    ],
)
def test_pair_rotation_labels(small, label):
    assert pair_rotation(_pair(small), "SMALL", "LARGE", PAIR_INDEX[-1]).label == label


def test_pair_rotation_errors():
    close = _pair([50.0] * 60)
    with pytest.raises(InsufficientHistoryError):
        pair_rotation(close, "SMALL", "LARGE", PAIR_INDEX[48])  # 49 bars < 50
    with pytest.raises(UnknownTickerError):
        pair_rotation(close, "SMALL", "NOPE", PAIR_INDEX[-1])
    with pytest.raises(NoDataError):
        pair_rotation(close, "SMALL", "LARGE", "2020-01-01")


def test_pair_rotation_real(real_close):
    # IWM/SPY on 2026-01-22: YTD spread = 268.672/245.14 - 685.338/678.315 = 0.09600 - 0.01035
    rot = pair_rotation(real_close, "IWM", "SPY", "2026-01-22")
    assert rot.ytd_spread == pytest.approx(268.672 / 245.14 - 685.338 / 678.315)
    assert rot.ratio == pytest.approx(268.672 / 685.338)


# ------------------------------------------------------------------ start of year
SOY = pd.DataFrame(
    {
        "IWM": [100.0, 100.0, 101.0, 102.0, 103.0, 104.0, 103.5, 110.0],
        "QQQ": [200.0, 200.0, 200.0, 201.0, 200.0, 202.0, 202.0, 150.0],
    },
    index=pd.DatetimeIndex(
        [
            "2023-12-28",
            "2023-12-29",
            "2024-01-02",
            "2024-01-03",
            "2024-01-04",
            "2024-01-05",
            "2024-01-08",
            "2024-01-09",
        ],
        name="date",
    ),
)


def test_start_of_year_signal_hand_values():
    sig = start_of_year_signal(SOY, "2024-01-31")
    # 5th trading day of 2024 = 2024-01-08: IWM 103.5/100-1 = 0.035, QQQ 202/200-1 = 0.01
    assert sig.base_date == pd.Timestamp("2023-12-29")
    assert sig.end_date == pd.Timestamp("2024-01-08")
    assert sig.small_return == pytest.approx(0.035)
    assert sig.large_return == pytest.approx(0.01)
    assert sig.spread == pytest.approx(0.025)
    assert sig.signal and sig.complete and sig.year == 2024
    assert not start_of_year_signal(SOY, "2024-01-31", threshold=0.03).signal
    # 3 days: end 2024-01-04 -> IWM 0.03, QQQ 0 -> 0.03
    assert start_of_year_signal(SOY, "2024-01-31", days=3).spread == pytest.approx(0.03)


def test_start_of_year_signal_incomplete():
    sig = start_of_year_signal(SOY, "2024-01-04")
    assert sig.end_date == pd.Timestamp("2024-01-04")
    assert sig.spread == pytest.approx(0.03)
    assert not sig.complete


def test_start_of_year_signal_errors():
    with pytest.raises(InsufficientHistoryError):
        start_of_year_signal(SOY, "2023-12-29")  # no 2022 close
    with pytest.raises(InvalidParameterError):
        start_of_year_signal(SOY, "2024-01-31", days=0)
    with pytest.raises(InvalidParameterError):
        start_of_year_signal(SOY, "2024-01-31", threshold="2%")
    with pytest.raises(UnknownTickerError):
        start_of_year_signal(SOY, "2024-01-31", large="NDX")


def test_start_of_year_signal_real(real_close):
    # 2026: 5th trading day = 2026-01-08. From the CSV rows:
    #   IWM 257.2 / 245.14 - 1 = 0.04920 ; QQQ 619.008 / 612.863 - 1 = 0.01003
    #   spread = 0.03917 > 0.02 -> signal on
    sig = start_of_year_signal(real_close, "2026-01-22")
    assert sig.end_date == pd.Timestamp("2026-01-08")
    assert sig.spread == pytest.approx(257.2 / 245.14 - 619.008 / 612.863)
    assert sig.signal


# ------------------------------------------------------------------ RRG
FRIDAYS = pd.date_range("2024-01-05", periods=5, freq="W-FRI", name="date")
# benchmark flat at 100, so RS = 100*P/B = P
RRG_CLOSE = pd.DataFrame(
    {"P": [10.0, 11, 12, 12, 9], "Q": [12.0, 11, 10, 10, 11], "B": [100.0] * 5}, index=FRIDAYS
)


def test_rrg_hand_values():
    # n = 3 weeks, m = 1 week.
    # P: week 3 window [10,11,12] mean 11 sd 1 -> ratio 101
    #    week 4 [11,12,12] mean 11.667 sd 0.57735 -> z 0.57735 -> ratio 100.57735,
    #    momentum 100 + (100.57735 - 101) = 99.57735 -> Weakening
    # Q: week 3 [12,11,10] -> z -1 -> 99 ; week 4 [11,10,10] -> z -0.57735 -> 99.42265,
    #    momentum 100.42265 -> Improving
    out = rrg(RRG_CLOSE, ["P", "Q"], "B", FRIDAYS[3], ratio_weeks=3, momentum_weeks=1)
    s = 1 / math.sqrt(3)
    assert out.loc["P", "rs_ratio"] == pytest.approx(100 + s)
    assert out.loc["P", "rs_momentum"] == pytest.approx(100 + s - 1)
    assert out.loc["P", "quadrant"] == "Weakening"
    assert out.loc["Q", "rs_ratio"] == pytest.approx(100 - s)
    assert out.loc["Q", "rs_momentum"] == pytest.approx(100 - s + 1)
    assert out.loc["Q", "quadrant"] == "Improving"
    # week 5: P [12,12,9] mean 11 sd sqrt(3) -> z -2/sqrt(3) -> Lagging
    #         Q [10,10,11] mean 10.333 sd 0.57735 -> z 2/sqrt(3) -> Leading
    out5 = rrg(RRG_CLOSE, ["P", "Q"], "B", FRIDAYS[4], ratio_weeks=3, momentum_weeks=1)
    assert out5.loc["P", "rs_ratio"] == pytest.approx(100 - 2 / math.sqrt(3))
    assert out5.loc["P", "quadrant"] == "Lagging"
    assert out5.loc["Q", "rs_ratio"] == pytest.approx(100 + 2 / math.sqrt(3))
    assert out5.loc["Q", "quadrant"] == "Leading"
    # week 3 has a ratio but no momentum yet
    out3 = rrg(RRG_CLOSE, ["P"], "B", FRIDAYS[2], ratio_weeks=3)
    assert out3.loc["P", "rs_ratio"] == pytest.approx(101)
    assert math.isnan(out3.loc["P", "rs_momentum"]) and out3.loc["P", "quadrant"] is None


def test_rrg_tail_and_quadrant():
    tail = rrg_tail(RRG_CLOSE, ["P", "Q"], "B", FRIDAYS[4], weeks=2, ratio_weeks=3)
    assert tail["ticker"].tolist() == ["P", "P", "Q", "Q"]
    assert tail["date"].tolist() == [FRIDAYS[3], FRIDAYS[4]] * 2
    assert tail["quadrant"].tolist() == ["Weakening", "Lagging", "Improving", "Leading"]
    assert quadrant(101, 101) == "Leading"
    assert quadrant(101, 99) == "Weakening"
    assert quadrant(99, 99) == "Lagging"
    assert quadrant(99, 101) == "Improving"
    assert quadrant(NAN, 101) is None


def test_rrg_weekly_closes_are_last_close_of_week():
    days = pd.bdate_range("2024-01-01", "2024-01-17", name="date")  # Mon .. Wed of week 3
    close = pd.DataFrame({"X": np.arange(len(days), dtype=float) + 1, "B": 1.0}, index=days)
    ratio, _ = rrg_history(close, ["X"], "B", "2024-01-17", ratio_weeks=2)
    # weeks end Fri 01-05, Fri 01-12, and the partial week ends at the as-of date 01-17
    assert ratio.index.tolist() == [
        pd.Timestamp(d) for d in ("2024-01-05", "2024-01-12", "2024-01-17")
    ]


def test_rrg_scale_invariant(real_close):
    a = rrg(real_close, ["XLK", "XLE"], "SPY", "2026-02-27")
    b = rrg(real_close * 3.7, ["XLK", "XLE"], "SPY", "2026-02-27")
    pd.testing.assert_frame_equal(a, b, rtol=1e-9)


def test_rrg_errors():
    with pytest.raises(InvalidParameterError):
        rrg(RRG_CLOSE, ["P"], "B", FRIDAYS[4], ratio_weeks=1)
    with pytest.raises(InvalidParameterError):
        rrg_tail(RRG_CLOSE, ["P"], "B", FRIDAYS[4], weeks=0)
    with pytest.raises(UnknownTickerError):
        rrg(RRG_CLOSE, ["P", "ZZZ"], "B", FRIDAYS[4])
    with pytest.raises(NoDataError):
        rrg(RRG_CLOSE, ["P"], "B", "2023-01-01")


# ------------------------------------------------------------------ sector scores
def test_sector_scores():
    ratings = pd.Series({"A": 90.0, "B": 70.0, "C": 20.0, "D": NAN, "E": 50.0, "F": 10.0})
    sectors = pd.Series({"A": "Tech", "B": "Tech", "C": "Energy", "D": "Energy", "E": None})
    out = sector_scores(ratings, sectors)
    # Tech (90+70)/2 = 80 ; Energy 20 (D unrated) ; E and F have no sector
    assert out.to_dict() == {"Tech": 80.0, "Energy": 20.0}
    assert out.index.tolist() == ["Tech", "Energy"]


# ------------------------------------------------------------------ breadth
BREADTH = pd.DataFrame(
    {
        "UP": [1.0, 2.0, 3.0],  # 3 > SMA3 2 -> above
        "DOWN": [3.0, 2.0, 1.0],  # 1 < 2 -> below
        "FLAT": [2.0, 2.0, 2.0],  # 2 == 2 -> not above (strict)
        "YOUNG": [NAN, 1.0, 5.0],  # 2 bars < 3 -> not counted
    },
    index=pd.bdate_range("2024-01-01", periods=3, name="date"),
)


def test_pct_above_sma_hand_values():
    d = BREADTH.index[-1]
    assert pct_above_sma(BREADTH, ["UP", "DOWN", "FLAT", "YOUNG"], 3, d) == pytest.approx(1 / 3)
    # window 2: UP 3 > 2.5, DOWN 1 < 1.5, FLAT no, YOUNG 5 > 3 -> 2 of 4
    assert pct_above_sma(BREADTH, ["UP", "DOWN", "FLAT", "YOUNG", "NOT_THERE"], 2, d) == 0.5


def test_pct_above_sma_errors():
    d = BREADTH.index[-1]
    with pytest.raises(InsufficientHistoryError):
        pct_above_sma(BREADTH, ["YOUNG"], 3, d)
    with pytest.raises(InsufficientHistoryError):
        pct_above_sma(BREADTH, ["UP"], 4, d)
    with pytest.raises(InvalidParameterError):
        pct_above_sma(BREADTH, ["UP"], 0, d)
    with pytest.raises(NoDataError):
        pct_above_sma(BREADTH, ["UP"], 2, "2023-01-01")
