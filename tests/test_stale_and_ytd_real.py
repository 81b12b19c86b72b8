"""Stale tickers, real-bar minimums and YTD on 1 January, on the bundled snapshot.

Expected values come from the raw closes, ``shared/data/closes/us_closes_2024-01-02_2026-08-03.csv.gz``
(rows ``date,ticker,close``), never from the code under test:

- UCFIW (a warrant) has one row: ``2025-12-09,UCFIW,0.09``. The sessions after it are
  2025-12-10, 11, 12, 15, 16 (5 sessions: 2025-12-16 is the last day it is current) and
  2025-12-17 (the 6th). On 2026-08-03, the last date, it is 161 sessions old. Before this
  change it showed YTD 0.0 %, RSI 50 and an RS rating of 43 there.
- SPY: 2024-12-31 576.215, 2025-01-02 574.8, 2025-12-31 678.315, 2026-01-02 679.559;
  IWM: 2025-12-31 245.14. So SPY's 2025 return is 678.315 / 576.215 - 1 = +17.72 %, the
  figure YTD_RETURN gave as of 2026-01-01.
- The set of stale tickers on 2026-08-03 is counted from the CSV in the test: a ticker is
  stale when its last row is more than 5 of the CSV's dates (the sessions) before it.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import xlsrc.excel.udfs as udfs
from xlsrc import market as market_mod
from xlsrc.dashboard import tables
from xlsrc.data import open_store
from xlsrc.errors import StaleDataError
from xlsrc.periods import STALE_SESSIONS

CLOSES_CSV = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "data"
    / "closes"
    / "us_closes_2024-01-02_2026-08-03.csv.gz"
)
LAST = "2026-08-03"
SPY_2024 = 576.215
SPY_2025 = 678.315


@pytest.fixture(scope="module")
def real(bundled_store_path):
    """A Market of its own on the session's seeded store."""
    return market_mod.Market(open_store(bundled_store_path))


@pytest.fixture(scope="module", autouse=True)
def formulas_store(bundled_store_path):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XLSRC_STORE", str(bundled_store_path))
        yield


# --------------------------------------------------------------------------- UCFIW
def test_ucfiw_on_the_last_date_is_not_a_number(real):
    for name in ("close", "ret_ytd", "rsi14", "rs_rating", "rs_score", "pct_from_sma20"):
        with pytest.raises(StaleDataError, match=r"^No trade since 2025-12-09$"):
            real.value("UCFIW", name)
    assert np.isnan(real.rs_ratings()["UCFIW"])
    row = real.metrics().loc["UCFIW"]
    assert row.drop("last_bar").isna().all()
    assert row["last_bar"] == pd.Timestamp("2025-12-09")
    assert udfs.YTD_RETURN("UCFIW") == "#N/A No trade since 2025-12-09"
    assert udfs.RSI("UCFIW") == "#N/A No trade since 2025-12-09"
    assert udfs.RS_RATING("UCFIW") == "#N/A No trade since 2025-12-09"
    tech = tables.technicals_table(real, ["UCFIW"]).iloc[0]
    assert tech["name"] == "#N/A No trade since 2025-12-09"
    assert tech["last_bar"] == pd.Timestamp("2025-12-09")


def test_ucfiw_around_its_one_trade(real):
    # its day and 5 sessions after it: its close; the 6th session: stale
    assert real.value("UCFIW", "close", "2025-12-09") == 0.09
    assert real.value("UCFIW", "close", "2025-12-16") == 0.09
    with pytest.raises(StaleDataError, match="2025-12-09"):
        real.value("UCFIW", "close", "2025-12-17")
    # one real bar: a 1-day return needs 2, RSI(14) 15
    assert udfs.TRAILING_RETURN("UCFIW", "1D", "2025-12-16") == (
        "#N/A Too little history for UCFIW: needs 2 trading days before 2025-12-16, has 1"
    )
    assert udfs.RSI("UCFIW", None, "2025-12-09") == (
        "#N/A Too little history for UCFIW: needs 15 trading days before 2025-12-09, has 1"
    )
    assert udfs.YTD_RETURN("UCFIW", "2025-12-12") == (
        "#N/A Too little history for UCFIW: a YTD return for 2025 needs a close at the end "
        "of 2024; its first bar is on 2025-12-09"
    )
    assert udfs.YTD_RETURN("UCFIW", "2025-12-08") == (
        "#N/A No price for UCFIW on or before 2025-12-08"
    )
    # its 2026 YTD would divide its carried 0.09 by itself (0.0 %, as before): stale instead
    assert udfs.YTD_RETURN("UCFIW", "2026-01-06") == "#N/A No trade since 2025-12-09"


# --------------------------------------------------------------------------- every stale ticker
@pytest.fixture(scope="module")
def raw_csv():
    """The raw closes CSV as read (date and ticker as text)."""
    if not os.path.exists(CLOSES_CSV):
        pytest.skip(f"raw closes not available: {CLOSES_CSV}")
    return pd.read_csv(CLOSES_CSV, dtype={"date": str, "ticker": str, "close": float})


@pytest.fixture(scope="module")
def raw_last_rows(raw_csv):
    """Each CSV ticker's last date, as a position among the CSV's dates (the sessions)."""
    raw = raw_csv
    sessions = np.sort(raw["date"].unique())
    last = raw.groupby("ticker")["date"].max()
    return sessions, pd.Series(np.searchsorted(sessions, last.to_numpy()), index=last.index)


def test_the_stale_tickers_are_those_the_csv_shows(real, raw_last_rows):
    sessions, last_row = raw_last_rows
    assert sessions[-1] == LAST
    behind = (len(sessions) - 1) - last_row
    expected = set(behind.index[behind > STALE_SESSIONS])
    assert len(expected) == 167  # 146 of them (warrants first listed 2026-07-17) 11 behind
    assert behind["UCFIW"] == 161
    tickers = [t for t in behind.index if t in real.close.columns]
    assert len(tickers) == len(behind)  # every CSV ticker is in the snapshot
    served = real.values(tickers, "close", LAST)
    stale = {t for t, e in zip(served.tickers, served.errors, strict=True) if e is not None}
    assert stale == expected
    assert all(isinstance(e, StaleDataError) for e in served.errors if e is not None)
    # and none of them is rated: before, 4 were (UCFIW 43, BKSY-W, GCLWW, WHLRL)
    ratings = real.rs_ratings(LAST)
    assert ratings.reindex(sorted(expected)).isna().all()
    # a ticker 1..5 sessions behind keeps its values (934 tickers lack only 2026-08-03)
    recent = behind.index[(behind >= 1) & (behind <= STALE_SESSIONS)]
    assert len(recent) > 900
    assert not np.isnan(real.values(list(recent), "close", LAST).values).any()


# --------------------------------------------------------------------------- YTD on 1 January
def test_ytd_on_new_years_day_is_zero_not_the_previous_year(real):
    assert udfs.YTD_RETURN("SPY", "2025-12-31") == pytest.approx(SPY_2025 / SPY_2024 - 1)
    assert udfs.YTD_RETURN("SPY", "2025-12-31") == pytest.approx(0.1772, abs=1e-4)
    assert udfs.YTD_RETURN("SPY", "2026-01-01") == 0.0  # was +17.7 %
    assert udfs.TRAILING_RETURN("SPY", "YTD", "2026-01-01") == 0.0
    assert udfs.YTD_RETURN("SPY", "2026-01-02") == pytest.approx(679.559 / SPY_2025 - 1)
    assert udfs.YTD_RETURN("SPY", "2025-01-01") == 0.0
    assert udfs.YTD_RETURN("SPY", "2025-01-02") == pytest.approx(574.8 / SPY_2024 - 1)
    # tables as of 1 January say the same
    tech = tables.technicals_table(real, ["SPY", "IWM"], "2026-01-01").set_index("ticker")
    assert tech.at["SPY", "ret_ytd"] == 0.0 and tech.at["IWM", "ret_ytd"] == 0.0
    assert tech.at["SPY", "close"] == pytest.approx(SPY_2025)  # as of 2025-12-31
    assert real.metrics("2026-01-01").at["SPY", "ret_ytd"] == 0.0
    assert real.metrics("2025-12-31").at["SPY", "ret_ytd"] == pytest.approx(0.1772, abs=1e-4)
    assert udfs.ROTATION_SPREAD("IWM", "SPY", "2026-01-01") == 0.0
    rebased = udfs.REBASED("IWM,SPY", "2026-01-01")
    assert len(rebased) == 2 and rebased[1][1:] == pytest.approx([100.0, 100.0])  # 12-31 only


# --------------------------------------------------------------------------- serving
def test_values_equal_single_values_and_other_windows(real, raw_csv):
    tickers = ["VICR", "ICHR", "SPY", "UCFIW", "XYZQ", "brk.b"]
    for name, window in (("ret_ytd", None), ("pct_from_sma", 30), ("rsi", 7), ("ret", 2)):
        many = real.values(tickers, name, "2026-01-22", window)
        for t, v, reason in zip(tickers, many.values, many.reasons, strict=True):
            one = udfs._serve([t], name, "2026-01-22", window)[0] if reason is None else None
            if reason is None:
                assert one == pytest.approx(v, rel=1e-12), (t, name)
            else:
                assert np.isnan(v)
    assert real.values(tickers, "ret_ytd", "2026-01-22").reasons[3:5] == (
        "No trade since 2025-12-09",
        "Unknown ticker: XYZQ",
    )
    # ICHR's 30-day SMA distance by hand from the CSV rows (2025-12-09 .. 2026-01-22)
    raw = raw_csv
    ichr = raw[(raw["ticker"] == "ICHR") & (raw["date"] <= "2026-01-22")].sort_values("date")
    closes = ichr["close"].to_numpy()
    assert closes[-1] == 33.07
    assert real.value("ICHR", "pct_from_sma", "2026-01-22", 30) == pytest.approx(
        33.07 / closes[-30:].mean() - 1, rel=1e-12
    )
