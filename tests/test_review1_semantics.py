"""Defects of review-1 (a new user's test): one answer per question, whichever way it is asked.

Every expected number is worked out by hand from the raw files in ``/work/shared/data``
(``closes/us_closes_2024-01-02_2026-08-03.csv.gz`` for closes,
``ohlcv/adjusted_2015-2026/SPY.csv.gz`` for SPY's volume), quoted in the comments; a
message is the text the review asked for. The store is the bundled snapshot (read only).
"""

from __future__ import annotations

import math
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import xlwings_com_stub  # noqa: F401  (xlwings importable without Excel)

import xlsrc
from xlsrc import cli, report
from xlsrc.dashboard import render
from xlsrc.errors import InvalidParameterError, NoDataError, UnknownUniverseError
from xlsrc.excel import udfs
from xlsrc.market import get_market

DAY = "2026-01-22"
VICR_YTD = 166.78 / 109.60 - 1  # closes 2026-01-22 and 2025-12-31: +52.2 %
KNOWN = "known: stocks, sp1500, sp500, sp400, sp600, r2000, sectors"


@pytest.fixture(scope="module", autouse=True)
def store(bundled_store_path: Path):
    """The bundled snapshot, for the formulas (XLSRC_STORE), the API and the CLI alike."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XLSRC_STORE", str(bundled_store_path))
        yield str(bundled_store_path)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], str]:
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out.splitlines(), err


# ---------------------------------------------------------------- D1 one as-of/YTD rule
def test_new_years_day_is_the_same_ytd_everywhere(capsys, store):
    # 2026-01-01 is a holiday before 2026's first session (2026-01-02): 2026 has not
    # traded, so its YTD is 0.0 in the formula, the API and the CLI alike (the CLI said
    # +126.8 %, 2025's return)
    assert udfs.YTD_RETURN("VICR", "2026-01-01") == 0.0
    assert xlsrc.metrics(["VICR"], "2026-01-01", store=store).loc["VICR", "ret_ytd"] == 0.0
    status, lines, _ = run(capsys, "quote", "VICR", "--store", store, "--as-of", "2026-01-01")
    assert status == 0
    assert lines[0] == (
        "As of 2025-12-31, the last session on or before 2026-01-01 (2026 has not traded "
        "yet: its first session is 2026-01-02, so every YTD return is 0.0)"
    )
    assert any(line.split() == ["YTD", "0.0%"] for line in lines)
    status, lines, _ = run(capsys, "sectors", "--store", store, "--as-of", "2026-01-01")
    assert status == 0 and "2026 has not traded yet" in lines[0]
    args = ["sectors", "--store", store, "--as-of", "2026-01-01", "--format", "csv"]
    status, lines, _ = run(capsys, *args)
    assert status == 0 and lines[0].split(",")[6] == "ret_ytd" and len(lines) == 12
    assert all(float(line.split(",")[6]) == 0.0 for line in lines[1:])


def test_a_date_past_the_data_in_a_later_year_has_no_ytd(capsys, store):
    # the data end 2026-08-03: no session of 2027 or 2030 exists, so no YTD of that year
    for year in (2027, 2030):
        want = f"No data for {year}: the data end 2026-08-03"
        assert udfs.YTD_RETURN("VICR", f"{year}-01-01") == f"#N/A {want}"
        assert math.isnan(xlsrc.metrics(["VICR"], f"{year}-01-01", store=store)["ret_ytd"].iloc[0])
        assert udfs.LEADERS("sp600", 3, "ytd", None, f"{year}-01-01") == [[f"#N/A {want}"]]
        status, _, err = run(capsys, "leaders", "--store", store, "--as-of", f"{year}-01-01")
        assert status == 1 and err == f"xlsrc: error: {want}\n"
    # past the data but in the data's last year: that year's YTD, the latest one
    assert udfs.YTD_RETURN("VICR", "2026-12-31") == udfs.YTD_RETURN("VICR", None)
    # a date-independent metric past the data is the last session's value
    assert udfs.RSI("VICR", None, "2030-01-01") == udfs.RSI("VICR", None, None)


def test_an_all_equal_ranking_is_refused(capsys, store):
    want = (
        "No ranking of sp600 by YTD return as of 2026-01-01: 2026 has not traded yet (its "
        "first session is 2026-01-02), so all 594 members have 0.0%; an order would only "
        "be alphabetical"
    )
    assert udfs.LEADERS("sp600", 5, "ytd", None, "2026-01-01") == [[f"#N/A {want}"]]
    status, _, err = run(capsys, "leaders", "--store", store, "--as-of", "2026-01-01")
    assert status == 1 and err == f"xlsrc: error: {want}\n"


def test_the_new_years_day_report_says_so(tmp_path, store):
    out = tmp_path / "ny.xlsx"
    summary = report.write_report(get_market(store), out, as_of="2026-01-01")
    text = str(summary)
    assert "no chart (the year has not traded yet)" in text
    assert "No ranking of sp600 by YTD return as of 2026-01-01" in text
    with zipfile.ZipFile(out) as z:
        assert not any(n.startswith("xl/charts/chart") for n in z.namelist() if "Overview" in n)
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "No chart as of 2026-01-01: 2026 has not traded yet" in sheet
    with pytest.raises(NoDataError, match=r"^No data for 2030: the data end"):
        report.write_report(get_market(store), tmp_path / "x.xlsx", as_of="2030-01-01")


# ---------------------------------------------------------------- D3 ties by RS score
def test_rs_ties_are_broken_by_the_rs_score(capsys, store):
    # RS score = 0.4 r63 + 0.2 r126 + 0.2 r189 + 0.2 r252 on 2026-01-22 (rows back from
    # 2025-10-21, 07-23, 04-22, 01-21), from the raw closes:
    # RGC  30.77 vs 16.03, 14.79, 0.757895, 0.131579 -> 55.07
    # HYMC 46.69 vs 7.34, 3.97, 3.41, 2.15           -> 10.98
    # BVC  9.49 vs 1.219, 0.77, 0.955, 0.75          ->  9.10
    # all three rated 99: the order is RGC, HYMC, BVC (alphabetical was BVC, HYMC, RGC)
    args = ["leaders", "--store", store, "--universe", "stocks", "--sort-by", "rs"]
    status, lines, _ = run(capsys, *args, "--as-of", DAY, "--top", "12", "--format", "csv")
    assert status == 0
    tickers = [line.split(",")[2] for line in lines[1:]]
    assert tickers.index("RGC") < tickers.index("HYMC") < tickers.index("BVC")
    ratings = xlsrc.rs_ratings("stocks", DAY, store=store)
    order = list(ratings.index)
    assert order.index("RGC") < order.index("HYMC") < order.index("BVC")
    assert ratings.loc[["RGC", "HYMC", "BVC"], "rs_score"].round(2).tolist() == [55.07, 10.98, 9.10]


# ---------------------------------------------------------------- D4/D15 universes
@pytest.mark.parametrize(
    ("typed", "hint"),
    [
        ("QQQ", "QQQ is an ETF, not a universe"),
        ("iwm", "IWM is an ETF tracking the Russell 2000: for its members use the universe r2000"),
        ("SPY", "SPY is an ETF tracking the S&P 500: for its members use the universe sp500"),
        ("IJH", "tracking the S&P MidCap 400: for its members use the universe sp400"),
        ("IJR", "tracking the S&P SmallCap 600: for its members use the universe sp600"),
        ("NVDA", "NVDA is a ticker, not a universe"),
    ],
)
def test_a_ticker_is_never_a_universe_of_one(capsys, store, typed, hint):
    for got in (
        udfs.RS_RATING("AAPL", typed, None, DAY),
        udfs.RS_HISTORY("ICHR", typed, DAY)[0][0],
        udfs.BREADTH(typed, None, DAY)[0][0],
    ):
        assert got.startswith(f"#N/A Unknown universe: {typed.lower()} (") and hint in got
        assert got.endswith(f"{KNOWN})")
    with pytest.raises(UnknownUniverseError, match=hint):
        xlsrc.rs_ratings(typed, DAY, store=store)
    status, _, err = run(capsys, "leaders", "--store", store, "--universe", typed, "--as-of", DAY)
    assert status == 1 and hint in err


def test_an_unknown_name_lists_sp1500(store):
    got = udfs.BREADTH("spx", None, DAY)
    assert got == [[f"#N/A Unknown universe: spx ({KNOWN})"]]
    with pytest.raises(InvalidParameterError, match="ICHR is one ticker"):
        xlsrc.rs_ratings(["ICHR"], DAY, store=store)  # a list of one is no universe either


def test_sp1500_is_a_universe_everywhere(capsys, store):
    parts = [set(xlsrc.universe_members(n, store=store)) for n in ("sp500", "sp400", "sp600")]
    union = parts[0] | parts[1] | parts[2]
    breadth = udfs.BREADTH("sp1500", None, DAY)
    assert breadth[1][:3] == ["sp1500", "S&P 1500", len(union)]
    assert isinstance(udfs.RS_RATING("AAPL", "sp1500", None, DAY), int | float)
    ratings = xlsrc.rs_ratings("sp1500", DAY, store=store)
    assert set(ratings.index) == union
    status, lines, _ = run(capsys, "leaders", "--store", store, "--universe", "sp1500")
    assert status == 0 and lines[0].startswith("Top 10 of sp1500 by ytd")
    # two tickers with a comma are still a list
    assert udfs.BREADTH("ICHR,UCTT", None, DAY)[1][:3] == ["ICHR,UCTT", "2 tickers", 2]


# ---------------------------------------------------------------- D7 52-week high
def test_the_52_week_high_needs_52_weeks():
    # the data start 2024-01-02; 2024 has 252 sessions, so 2024-12-31 is the 252nd bar
    assert udfs.PCT_FROM_HIGH("NVDA", "2024-01-10") == (
        "#N/A Too little history for NVDA: needs 252 trading days before 2024-01-10, has 7"
    )
    assert udfs.PCT_FROM_HIGH("NVDA", "2024-12-30").endswith(
        "needs 252 trading days before 2024-12-30, has 251"
    )
    # 2024-12-31 close 134.09, the 2024 high 148.648 (2024-11-07): -9.79 %
    assert udfs.PCT_FROM_HIGH("NVDA", "2024-12-31") == pytest.approx(134.09 / 148.648 - 1)
    head, nvda = udfs.TECHNICALS("NVDA", "2024-06-28")[:2]
    assert nvda[head.index("vs 52w high")] is None  # 124 bars: no 52-week high yet


# ---------------------------------------------------------------- D8 benchmark in the list
def test_a_benchmark_among_the_tickers(capsys, tmp_path, store):
    status, lines, _ = run(
        capsys, "sectors", "--store", store, "--benchmark", "XLK", "--as-of", DAY
    )
    assert status == 0 and lines[0] == f"Sectors ranked by YTD return, RRG vs XLK, as of {DAY}"
    xlk = next(line for line in lines if " XLK " in line)
    assert "100.00" in xlk and "Benchmark" in xlk
    frame = xlsrc.sector_etfs(DAY, benchmark="XLK", store=store)
    assert frame.loc["XLK", ["rs_ratio", "rs_momentum", "quadrant"]].tolist() == [
        100.0,
        100.0,
        "Benchmark",
    ]
    sectors = udfs.SECTORS("XLK", DAY)
    assert len(sectors) == 12 and not str(sectors[0][0]).startswith("#N/A")
    pair = udfs.RRG("SPY,XLE", None, DAY)
    assert pair[1] == ["SPY", 100.0, 100.0, "Benchmark"]
    assert pair[2] == udfs.RRG("XLE", None, DAY)[1]  # XLE as placed alone
    assert udfs.RRG("XLE", "XLE", DAY)[1] == ["XLE", 100.0, 100.0, "Benchmark"]
    summary = report.write_report(
        get_market(store), tmp_path / "b.xlsx", as_of=DAY, benchmark="XLK"
    )
    assert (tmp_path / "b.xlsx").exists() and "11 sector SPDRs" in str(summary)


# ---------------------------------------------------------------- D14 LEADERS bad rows
def test_leaders_marks_a_bad_row_and_keeps_the_others(capsys, store):
    got = udfs.LEADERS([["ICHR"], ["XYZQ"]], None, None, None, DAY)
    assert len(got) == 3
    head, ichr, bad = got
    assert ichr[:2] == [1.0, "ICHR"]
    assert ichr[head.index("YTD")] == pytest.approx(33.07 / 18.43 - 1)  # +79.4 %
    assert bad[1:3] == ["XYZQ", "#N/A Unknown ticker: XYZQ"] and bad[0] is None
    status, lines, err = run(
        capsys, "leaders", "--store", store, "--universe", "ICHR,UCTT,XYZQ", "--as-of", DAY
    )
    assert status == 1 and err == "xlsrc: error: Unknown ticker: XYZQ\n"
    assert lines[0] == f"Top 2 of ICHR,UCTT,XYZQ by ytd, as of {DAY}"


# ---------------------------------------------------------------- D18 chart axes
@pytest.mark.parametrize(("step", "decimals"), [(5, 0), (1, 0), (0.5, 1), (0.2, 1), (0.05, 2)])
def test_axis_labels_have_the_decimals_of_their_step(step, decimals):
    assert render._step_decimals(step) == decimals


def test_the_second_session_chart_reads_its_steps_and_its_base_date(tmp_path, store):
    out = tmp_path / "r.xlsx"
    report.write_report(get_market(store), out, as_of="2026-01-02")
    with zipfile.ZipFile(out) as z:
        chart = z.read("xl/charts/chart1.xml").decode()
    # two points, 2025-12-31 (=100) and 2026-01-02: steps of 0.5 need one decimal
    assert 'formatCode="0.0"' in chart
    # the date axis starts at the base session 2025-12-31 = Excel serial 46022
    assert '<max val="46024"/><min val="46022"/>' in chart


# ---------------------------------------------------------------- D19 ticker messages
def test_ticker_messages_agree(capsys, store):
    london = "Unknown ticker: EZJ.L is listed on the London Stock Exchange (Yahoo suffix .L)"
    status, _, err = run(capsys, "quote", "EZJ.L", "--store", store)
    assert status == 1 and err.startswith(f"xlsrc: error: {london}")
    assert udfs.YTD_RETURN("EZJ.L").startswith(f"#N/A {london}")
    assert udfs.TECHNICALS("EZJ.L, VICR", DAY)[1][1].startswith(f"#N/A {london}")
    want = "#N/A Invalid ticker: 1.5 (a number, not a ticker such as VICR)"
    assert udfs.RS_RATING(1.5) == want
    assert udfs.TECHNICALS([[1.5], ["VICR"]], DAY)[1][1] == want.replace("#N/A ", "#N/A ", 1)
    # Excel's #N/A as pywin32's code, whether an int or the same whole number as a float
    assert udfs.YTD_RETURN(-2146826246.0) == udfs.YTD_RETURN(-2146826246)
    assert udfs.YTD_RETURN(-2146826246.0) == "#N/A ticker is an error cell (#N/A)"
    assert udfs.YTD_RETURN(3988.0) == udfs.YTD_RETURN("3988")  # a whole number is digits


# ---------------------------------------------------------------- D20 numeric dates
def test_the_api_reads_an_excel_serial_as_the_formulas_do(store):
    # 46044 = 2026-01-22 in Excel's 1900 system (1899-12-30 + 46044 days)
    for serial in (46044, 46044.0, 46044.75):
        got = xlsrc.metrics(["VICR"], serial, store=store).loc["VICR", "ret_ytd"]
        assert got == pytest.approx(VICR_YTD)
    assert udfs.YTD_RETURN("VICR", 46044.0) == pytest.approx(VICR_YTD)
    with pytest.raises(InvalidParameterError, match="20260122 is a number but no Excel serial"):
        xlsrc.metrics(["VICR"], 20260122, store=store)
    with pytest.raises(InvalidParameterError):
        xlsrc.metrics(["VICR"], True, store=store)


# ---------------------------------------------------------------- D21 a pair of one
@pytest.mark.parametrize(("small", "large"), [("IWM", "IWM"), (" iwm ", "IWM"), ("SPY", "spy")])
def test_a_ticker_against_itself_is_no_rotation(small, large):
    got = udfs.ROTATION_SIGNAL(small, large)
    assert got.startswith("#N/A Invalid pair: ") and "is one ticker twice" in got


# ---------------------------------------------------------------- D23 breadth, volume
def test_breadth_says_how_many_it_counts_and_repeats_no_column():
    head, row = udfs.BREADTH("sp600", 50, DAY)
    assert head == [
        "Universe",
        "Index",
        "Members",
        "> 50d MA",
        "> 200d MA",
        "Counted 50d",
        "Counted 200d",
    ]
    members, counted50, counted200 = row[2], row[5], row[6]
    assert counted200 <= counted50 <= members
    head20, row20 = udfs.BREADTH("sp600", 20, DAY)
    assert head20[-2:] == ["> 20d MA", "Counted 20d"] and row20[:7] == row


def test_a_shown_volume_is_the_stored_number(store):
    # SPY 2026-01-20: volume 111,623,300 in every raw file (float32 made it 111,623,296)
    got = udfs.PRICE_HISTORY("SPY", "2026-01-20", "2026-01-20", "volume")
    assert got[1][1] == 111_623_300
    frame = xlsrc.history("SPY", "2026-01-16", "2026-01-20", ["volume"], store=store)
    assert frame["volume"].tolist() == [79_289_200, 111_623_300]


def test_raw_breadth_count_by_hand(store):
    # the members counted: traded in the last 5 sessions, with 50 real closes by DAY
    raw = pd.read_csv("/work/shared/data/closes/us_closes_2024-01-02_2026-08-03.csv.gz")
    members = set(xlsrc.universe_members("sp600", store=store))
    raw = raw[raw["ticker"].isin(members) & (raw["date"] <= DAY)]
    sessions = sorted(raw["date"].unique())[-5:]
    counts = raw.groupby("ticker")["date"].agg(["count", "max"])
    counted = counts[(counts["count"] >= 50) & (counts["max"] >= sessions[0])]
    head, row = udfs.BREADTH("sp600", None, DAY)
    assert row[head.index("Counted 50d")] == len(counted)


def test_a_list_that_repeats_one_ticker_is_one_ticker():
    want = "#N/A Invalid universe: ICHR is one ticker; a ranking needs a universe name"
    assert udfs.LEADERS("ICHR,ICHR", None, None, None, DAY)[0][0].startswith(want)
    assert udfs.BREADTH("ICHR, ichr", None, DAY)[0][0].startswith(want)
    # a ticker placed twice on the RRG is one point, the same as placed once
    assert udfs.RRG("XLE,XLE,xle", "SPY", DAY) == udfs.RRG("XLE", "SPY", DAY)
