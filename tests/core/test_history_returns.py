from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from xlsrc.core.history import asof_position, bars_available, require_history
from xlsrc.core.returns import period_return, rebased, trailing_return, ytd_return
from xlsrc.errors import (
    InsufficientHistoryError,
    InvalidParameterError,
    NoDataError,
    UnknownTickerError,
)

from .conftest import make_close

NAN = np.nan

# 2024-01-02 (Tue) .. 6 business days: 01-02, 01-03, 01-04, 01-05, 01-08, 01-09
SMALL = make_close(
    {
        "AAA": [10.0, 11.0, 12.0, 11.0, 13.2, 15.0],
        "BBB": [NAN, NAN, 20.0, 20.0, 25.0, 30.0],  # first bar 01-04
        "CCC": [50.0, 50.0, 50.0, 50.0, 50.0, 50.0],
    }
)


def test_asof_position_exact_and_between_dates():
    idx = SMALL.index
    assert asof_position(idx, "2024-01-02") == 0
    assert asof_position(idx, pd.Timestamp("2024-01-05")) == 3
    # a Sunday: the last trading day on or before it is Friday 01-05
    assert asof_position(idx, "2024-01-07") == 3
    assert asof_position(idx, "2030-01-01") == 5


def test_asof_before_data_raises():
    with pytest.raises(NoDataError, match="No price on or before 2023-12-29"):
        asof_position(SMALL.index, "2023-12-29")
    with pytest.raises(NoDataError):
        trailing_return(SMALL, 1, "2023-12-29")


def test_bad_as_of_raises():
    with pytest.raises(InvalidParameterError):
        asof_position(SMALL.index, "not a date")
    with pytest.raises(InvalidParameterError):
        asof_position(SMALL.index, None)


def test_bars_available():
    bars = bars_available(SMALL, "2024-01-05")
    assert bars.to_dict() == {"AAA": 4, "BBB": 2, "CCC": 4}


def test_require_history():
    assert require_history(SMALL, "BBB", "2024-01-09", 4) == 4
    with pytest.raises(InsufficientHistoryError, match="needs 5 trading days"):
        require_history(SMALL, "BBB", "2024-01-09", 5)
    with pytest.raises(NoDataError, match="BBB"):
        require_history(SMALL, "BBB", "2024-01-03", 1)
    with pytest.raises(UnknownTickerError):
        require_history(SMALL, "ZZZ", "2024-01-09", 1)


def test_trailing_return_hand_values():
    r = trailing_return(SMALL, 1, "2024-01-09")
    # AAA 15/13.2-1 = 0.136363..., BBB 30/25-1 = 0.2, CCC 0
    assert r["AAA"] == pytest.approx(15 / 13.2 - 1)
    assert r["BBB"] == pytest.approx(0.2)
    assert r["CCC"] == 0.0
    r3 = trailing_return(SMALL, 3, "2024-01-09")
    # AAA 15/12-1 = 0.25 ; BBB 30/20-1 = 0.5
    assert r3["AAA"] == pytest.approx(0.25)
    assert r3["BBB"] == pytest.approx(0.5)
    r4 = trailing_return(SMALL, 4, "2024-01-09")
    # BBB has no close 4 rows back (01-03 is before its first bar)
    assert r4["AAA"] == pytest.approx(15 / 11 - 1)
    assert np.isnan(r4["BBB"])
    # window longer than the calendar: all NaN
    assert trailing_return(SMALL, 10, "2024-01-09").isna().all()


@pytest.mark.parametrize("bad", [0, -1, 2.5, "5", None, True])
def test_trailing_return_bad_window(bad):
    with pytest.raises(InvalidParameterError):
        trailing_return(SMALL, bad, "2024-01-09")


def test_trailing_return_accepts_float_window():
    assert trailing_return(SMALL, 3.0, "2024-01-09")["AAA"] == pytest.approx(0.25)


def test_ytd_return_hand_values():
    close = make_close(
        {
            # 2024-12-30 (Mon), 12-31, 2025-01-01, 01-02, 01-03
            "OLD": [100.0, 80.0, 80.0, 88.0, 96.0],
            "NEW": [NAN, NAN, NAN, 10.0, 12.0],  # first bar in 2025: no YTD
        },
        start="2024-12-30",
    )
    ytd = ytd_return(close, "2025-01-03")
    assert ytd["OLD"] == pytest.approx(96 / 80 - 1)  # 0.20
    assert np.isnan(ytd["NEW"])
    # as of the last day of 2024, YTD is relative to the end of 2023: not in the calendar
    assert ytd_return(close, "2024-12-31").isna().all()


def test_period_return_and_errors():
    r = period_return(SMALL, "2024-01-03", "2024-01-08")
    # AAA 13.2/11-1 = 0.2 ; BBB no bar on 01-03
    assert r["AAA"] == pytest.approx(0.2)
    assert np.isnan(r["BBB"])
    with pytest.raises(InvalidParameterError):
        period_return(SMALL, "2024-01-08", "2024-01-03")
    with pytest.raises(NoDataError):
        period_return(SMALL, "2023-01-01", "2024-01-03")


def test_rebased():
    out = rebased(SMALL, ["AAA", "CCC"], "2024-01-03", "2024-01-05")
    assert list(out.columns) == ["AAA", "CCC"]
    # AAA 11, 12, 11 -> 100, 109.09, 100
    assert out["AAA"].tolist() == pytest.approx([100.0, 1200 / 11, 100.0])
    assert out["CCC"].tolist() == pytest.approx([100.0, 100.0, 100.0])
    with pytest.raises(UnknownTickerError):
        rebased(SMALL, ["ZZZ"], "2024-01-03", "2024-01-05")
    with pytest.raises(InsufficientHistoryError):
        rebased(SMALL, ["BBB"], "2024-01-02", "2024-01-05")


def test_real_ytd_2026_01_22(real_close):
    # Hand-computed from the raw CSV rows (2025-12-31 and 2026-01-22 closes):
    #   IWM  268.672 / 245.14  - 1 = 0.09600   (published ~ +9.6 %)
    #   SPY  685.338 / 678.315 - 1 = 0.01035   (published ~ +1 %)
    #   ICHR 33.07   / 18.43   - 1 = 0.79435   (published +79.4 %)
    #   UCTT 44.14   / 25.33   - 1 = 0.74260   (published +74.3 %)
    #   VICR 166.78  / 109.6   - 1 = 0.52172   (published +52.2 %)
    ytd = ytd_return(real_close, "2026-01-22")
    assert ytd["IWM"] == pytest.approx(0.096, abs=0.001)
    assert ytd["SPY"] == pytest.approx(0.01, abs=0.001)
    assert ytd["ICHR"] == pytest.approx(0.794, abs=0.001)
    assert ytd["UCTT"] == pytest.approx(0.743, abs=0.001)
    assert ytd["VICR"] == pytest.approx(0.522, abs=0.001)
