"""Defects of review-2 on the formula/serving side (items 4, 5, 11, 12, 13).

Expected figures are worked out by hand from ``/work/shared/data``: VICR's volume from
``reference/rs_daily_panel_2025-10-01_2026-02-27.csv.gz`` (column ``day_volume``; the
panel starts 2025-10-01 and lacks 2025-11-21, 2025-12-02 and 2026-01-13), quoted in the
comments. The store is the bundled snapshot (read only).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import xlwings_com_stub  # noqa: F401  (xlwings importable without Excel)

from xlsrc import cli
from xlsrc.data.universes import normalise_ticker
from xlsrc.errors import InvalidParameterError
from xlsrc.excel import udfs


@pytest.fixture(scope="module", autouse=True)
def store(bundled_store_path: Path):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XLSRC_STORE", str(bundled_store_path))
        yield str(bundled_store_path)


# ---------------------------------------------------------------- 5 relative volume
def test_rel_volume_needs_the_whole_window_of_volume():
    # 2025-10-01 .. 2025-11-13 are 32 sessions with a volume: no 50-day mean yet
    assert udfs.REL_VOLUME("VICR", None, "2025-11-14") == (
        "#N/A Too little volume for VICR: a 50-day relative volume as of 2025-11-14 needs "
        "50 days of volume before it, has 32 days of volume"
    )
    # 2025-12-12: 49 known volumes before it (2025-11-21 and 2025-12-02 missing)
    assert "has 49 days of volume" in udfs.REL_VOLUME("VICR", None, "2025-12-12")
    # 32 known volumes fill a 32-day window, not a 33-day one
    assert "has 32 days of volume" in udfs.REL_VOLUME("VICR", 33, "2025-11-14")
    assert isinstance(udfs.REL_VOLUME("VICR", 32, "2025-11-14"), float)


def test_rel_volume_skips_days_without_volume():
    # 2025-12-15: volume 439,415; the 50 most recent known volumes before it (awk over the
    # panel, 2025-10-01 .. 2025-12-12 without the two missing days) sum to 20,540,070,
    # mean 410,801.4: 439415 / 410801.4 = 1.0696531...
    expected = 439415 / (20540070 / 50)
    assert udfs.REL_VOLUME("VICR", None, "2025-12-15") == pytest.approx(expected, rel=1.2e-7)


def test_rel_volume_on_a_day_without_volume_says_so():
    assert udfs.REL_VOLUME("VICR", None, "2026-01-13") == "#N/A No volume for VICR on 2026-01-13"
    assert udfs.REL_VOLUME("VICR", None, "2026-08-03") == "#N/A No volume for VICR on 2026-08-03"


# ---------------------------------------------------------------- 11 messages
def test_a_universe_in_a_ticker_list_is_named_as_one():
    want = (
        "#N/A Unknown ticker: SP600 is a universe, not a ticker; a list holds tickers only "
        '(a universe goes alone: "sp600")'
    )
    assert udfs.RS_RATING("VICR", "sp600,sp500") == want
    assert udfs.BREADTH([["sp600"], ["sp500"]]) == [[want]]
    assert udfs.RS_HISTORY("VICR", "stocks,VICR")[0][0].startswith(
        "#N/A Unknown ticker: STOCKS is a universe"
    )
    assert udfs.YTD_RETURN("XYZQ") == "#N/A Unknown ticker: XYZQ"  # a plain unknown one


@pytest.mark.parametrize(
    ("call", "shown", "usage"),
    [
        # 46044 days after Excel's day 0 (1899-12-30) is 2026-01-22: the message says so
        (
            lambda: udfs.RS_RATING("VICR", 46044),
            "46044 is a number (the date 2026-01-22 as Excel counts days)",
            "RS_RATING(ticker, universe, basis, as_of)",
        ),
        (
            lambda: udfs.RS_RATING("VICR", 46044.0),
            "46044 is a number (the date 2026-01-22 as Excel counts days)",
            "RS_RATING(ticker, universe, basis, as_of)",
        ),
        (lambda: udfs.BREADTH(True), "TRUE is a logical", "BREADTH(universe, window, as_of)"),
        (lambda: udfs.LEADERS(10), "10 is a number", "LEADERS(universe, n, sort_by, basis, as_of)"),
    ],
)
def test_a_number_in_the_universe_slot_names_the_slot(call, shown, usage):
    text = call()
    text = text[0][0] if isinstance(text, list) else text
    assert text == (
        f"#N/A Invalid universe: {shown}; this argument holds a universe (a name such as "
        f'"sp600", or a list of tickers); the arguments are {usage}'
    )


# ---------------------------------------------------------------- 12 small inputs
@pytest.mark.parametrize("window", [1, 0, -3])
def test_a_moving_average_needs_two_days(window):
    want = f"Invalid window: {window} (allowed: a whole number >= 2)"
    assert udfs.BREADTH("sp600", window) == [[f"#N/A {want}"]]
    assert udfs.PCT_FROM_MA("VICR", window) == f"#N/A {want}"


@pytest.mark.parametrize("text", ["-VICR", "VICR-", "--VICR", " -VICR"])
def test_a_dash_at_either_end_is_no_ticker(text):
    with pytest.raises(InvalidParameterError, match="does not begin or end with '-'"):
        normalise_ticker(text)
    assert normalise_ticker("BRK.B") == "BRK-B"  # a class separator is still a dash


def test_quote_refuses_a_dashed_ticker(capsys, store):
    assert cli.main(["quote", "--store", store, "--", "-VICR"]) == 1
    _, err = capsys.readouterr()
    assert "Invalid ticker: '-VICR'" in err and "VICR " not in capsys.readouterr().out


# ---------------------------------------------------------------- 13 one bad entry
def test_rebased_keeps_the_good_tickers_and_marks_the_bad():
    rows = udfs.REBASED("IWM,SPY,XYZQ", "2026-01-09")
    assert rows[0] == ["Date", "IWM", "SPY", "#N/A Unknown ticker: XYZQ"]
    assert rows[1][1] == pytest.approx(100.0) and rows[1][3] is None
    # IWM 2025-12-31 -> 2026-01-09 from the closes file: the same as its own one-ticker table
    alone = udfs.REBASED("IWM", "2026-01-09")
    assert [r[1] for r in rows[1:]] == [r[1] for r in alone[1:]]
    assert all(r[3] is None for r in rows[1:])
    marked = udfs.REBASED([["IWM"], [True], ["SPY"]], "2026-01-09")[0]
    assert marked[2] == "#N/A Invalid ticker: TRUE (a logical, not a ticker such as VICR)"
    assert udfs.REBASED("XYZQ") == [["#N/A Unknown ticker: XYZQ"]]  # nothing to show


def test_technicals_marks_a_logical_cell_as_an_error_cell():
    rows = udfs.TECHNICALS([["IWM"], [True], ["SPY"]], "2026-01-09")
    assert [r[0] for r in rows[1:]] == ["IWM", "TRUE", "SPY"]
    assert rows[2][1] == "#N/A Invalid ticker: TRUE (a logical, not a ticker such as VICR)"
    assert rows[1][1] == "iShares Russell 2000 ETF"


# ---------------------------------------------------------------- 4 sectors on 1 January
def test_sectors_rank_by_rs_when_ytd_is_no_ranking(capsys, store):
    assert cli.main(["sectors", "--store", store, "--as-of", "2026-01-01"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Sectors ranked by RS rating (every YTD return is the same")
    body = [line.split() for line in lines[3:14]]
    tickers = [row[1] for row in body]
    # the tester's figures: XLK 73, XLC 68, ... every YTD 0.0 %
    assert tickers[:2] == ["XLK", "XLC"]
    ratings = [int(row[-5]) if row[-5].isdigit() else int(row[-6]) for row in body]
    assert ratings[:2] == [73, 68] and ratings == sorted(ratings, reverse=True)
    rows = udfs.SECTORS(None, "2026-01-01")
    assert [r[1] for r in rows[1:3]] == ["XLK", "XLC"]
    assert cli.main(["sectors", "--store", store, "--as-of", "2026-01-22"]) == 0
    assert capsys.readouterr().out.startswith("Sectors ranked by YTD return,")
