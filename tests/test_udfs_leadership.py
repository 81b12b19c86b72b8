"""The leadership formulas (issue 11) on the bundled snapshot, plain and through xlwings.

INDUSTRY_GROUPS, INDUSTRY, GROUP_RANK, RS_HISTORY, ROTATION_SUMMARY and the new LEADERS
columns. Expected values come from outside the code under test: the committed tables of
``scripts/expected_leadership.py`` (``tests/fixtures/leadership``, recomputed from the raw
shared CSVs without xlsrc), the reference tool's ticker classification
(``shared/data/reference/ticker_info_sector_industry_Vinubhai1961.json``), the raw closes
file, and the XNYS calendar of ``exchange_calendars``.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xlwings_com_stub as com

market_mod = pytest.importorskip("xlsrc.market")

import xlsrc.excel.udfs as udfs  # noqa: E402
from xlsrc.dashboard.layout import DASHBOARD, RS_HISTORY_TABLE  # noqa: E402

MISSING = com.MISSING
DAY = dt.datetime(2026, 1, 22)
DAY_SERIAL = 46044.0  # =DATE(2026,1,22)
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "leadership"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
CLOSES_CSV = SHARED / "closes" / "us_closes_2024-01-02_2026-08-03.csv.gz"
#: shared/data/reference/ticker_info_sector_industry_Vinubhai1961.json for a few tickers,
#: committed (scripts/extract_shared_fixtures.py)
INDUSTRIES_SUBSET = Path(__file__).parent / "fixtures" / "shared" / "industries_subset.json"
SEMIS = "Semiconductor Equipment & Materials"


@pytest.fixture(scope="module", autouse=True)
def store(bundled_store_path):
    """The session's store over the bundled snapshot (read only), found via XLSRC_STORE."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XLSRC_STORE", str(bundled_store_path))
        yield market_mod.get_market()


@pytest.fixture(scope="module")
def groups() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "industry_groups_2026-01-22.csv", keep_default_na=False)


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    frame = pd.read_csv(FIXTURES / "rs_history.csv")
    return frame[frame["kind"] == "rating"]


def excel(name, *args):
    out = com.call_udf(name, *args)
    assert isinstance(out, list) and all(isinstance(r, list) for r in out)
    return out[0][0] if len(out) == 1 and len(out[0]) == 1 else out


def blank(value):
    """What Excel gets for a blank cell through xlwings ("")."""
    return "" if value is None else value


# --------------------------------------------------------------------------- groups
def _expected_rows(frame: pd.DataFrame) -> list[list]:
    """The fixture's rows in the layout's column order (blank where NaN)."""
    keys = DASHBOARD.table("groups_top").keys
    rows = []
    for record in frame.to_dict("records"):
        row = []
        for k in keys:
            v = record[k]
            row.append(None if v == "" or (isinstance(v, float) and np.isnan(v)) else v)
        rows.append(row)
    return rows


def _same_rows(got: list[list], want: list[list]) -> None:
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert len(g) == len(w)
        for a, b in zip(g, w, strict=True):
            if isinstance(b, float) and isinstance(a, int | float):
                assert a == pytest.approx(b, rel=1e-9), (g, w)
            else:
                assert blank(a) == blank(b), (g, w)


def test_industry_groups_match_the_independent_table(groups):
    rows = excel("INDUSTRY_GROUPS", MISSING, 10.0, DAY_SERIAL)
    assert rows[0] == list(DASHBOARD.table("groups_top").headers)
    _same_rows(rows[1:], _expected_rows(groups.head(10)))
    # negative n: the weakest, still strongest first (as Excel's TAKE(array, -n))
    weakest = udfs.INDUSTRY_GROUPS(None, -3, DAY)
    _same_rows(weakest[1:], _expected_rows(groups.tail(3)))
    assert [r[0] for r in weakest[1:]] == [141, 142, 143]
    # blank n: every ranked group
    assert len(udfs.INDUSTRY_GROUPS(None, None, DAY)) == 1 + len(groups) == 144
    # text numbers are numbers, as in every count argument
    assert udfs.INDUSTRY_GROUPS("stocks", "2", DAY)[1:] == udfs.INDUSTRY_GROUPS(None, 2, DAY)[1:]


def test_industry_groups_arguments():
    for bad in (0.0, 2.5, "two", 6000.0):
        out = com.call_udf("INDUSTRY_GROUPS", MISSING, bad, DAY_SERIAL)
        assert out[0][0].startswith("#N/A Invalid n"), bad
    assert excel("INDUSTRY_GROUPS", "nasdaq9", MISSING, DAY_SERIAL).startswith(
        "#N/A Unknown universe: nasdaq9"
    )
    # the data start 2024-01-02: no stock is rated on 2024-01-05 (64 bars needed)
    assert udfs.INDUSTRY_GROUPS(None, None, "2024-01-05") == [
        ["#N/A No industry group of stocks has 3 stocks with an RS rating as of 2024-01-05"]
    ]
    # groups of the S&P 1500 only: fewer groups, every one with 3 rated members
    sp1500 = udfs.INDUSTRY_GROUPS("sp1500", None, DAY)
    col = sp1500[0].index("Stocks")
    assert 100 < len(sp1500) - 1 < 143 and min(r[col] for r in sp1500[1:]) >= 3


def test_industry_of_a_stock_from_the_reference_classification():
    info = json.loads(INDUSTRIES_SUBSET.read_text(encoding="utf-8"))
    for ticker in ("ICHR", "UCTT", "FORM", "KLIC", "COHU", "AA"):
        assert udfs.INDUSTRY(ticker) == info[ticker]["info"]["industry"], ticker
        assert excel("INDUSTRY", ticker.lower()) == info[ticker]["info"]["industry"]
    assert udfs.INDUSTRY("ICHR") == SEMIS
    assert udfs.INDUSTRY("SPY") == (
        "#N/A No industry for SPY: industries (Yahoo's) classify common stocks, and SPY is an ETF"
    )
    assert udfs.INDUSTRY("XYZQ") == "#N/A Unknown ticker: XYZQ"


def test_industry_without_a_ticker_lists_every_industry(groups):
    rows = excel("INDUSTRY", MISSING)
    assert rows[0] == ["Industry", "Sector", "Stocks"]
    names = [r[0] for r in rows[1:]]
    assert names == sorted(names) and len(names) == len(set(names)) == 145
    assert set(groups["industry"]) < set(names)  # the ranked 143 and two single-stock ones
    by = {r[0]: r for r in rows[1:]}
    ranked = groups.set_index("industry")
    # over every stock, a group's members are its rated stocks: at most its stocks
    assert all(by[i][2] >= ranked.loc[i, "members"] for i in ranked.index)
    assert by[SEMIS][1] == "Information Technology"


def test_group_rank_is_the_groups_rank(groups):
    semis = groups.set_index("industry").loc[SEMIS]
    assert semis["rank"] == 8  # README: 8th of 143 on 2026-01-22
    assert udfs.GROUP_RANK("ICHR", DAY) == excel("GROUP_RANK", "ichr", DAY_SERIAL) == 8
    assert udfs.GROUP_RANK("AG", DAY) == 1  # Silver, first
    assert udfs.GROUP_RANK("SPY", DAY).startswith("#N/A No industry for SPY")
    # a day without ratings: the group is not ranked
    assert udfs.GROUP_RANK("ICHR", "2024-01-05") == (
        f"#N/A No group rank for {SEMIS} as of 2024-01-05: fewer than 3 of its stocks have an "
        "RS rating"
    )


# --------------------------------------------------------------------------- RS history
def _raw(tickers: set[str]) -> pd.DataFrame:
    if not CLOSES_CSV.exists():
        pytest.skip("raw closes not available")
    rows = []
    with gzip.open(CLOSES_CSV, "rt", newline="") as fh:
        for date, ticker, close in csv.reader(fh):
            if ticker in tickers and date <= "2026-01-22":
                rows.append((date, ticker, float(close)))
    frame = pd.DataFrame(rows, columns=["date", "ticker", "close"])
    return frame.pivot(index="date", columns="ticker", values="close").sort_index()


def test_rs_history_matches_the_independent_table(history):
    rows = excel("RS_HISTORY", "ICHR, VICR, CRCL, XYZQ", MISSING, DAY_SERIAL)
    assert rows[0] == list(RS_HISTORY_TABLE.headers)
    keys = list(RS_HISTORY_TABLE.keys)
    got = {r[0]: dict(zip(keys, r, strict=True)) for r in rows[1:]}
    assert list(got) == ["ICHR", "VICR", "CRCL", "XYZQ"]
    for row in history[history["ticker"].isin(["ICHR", "VICR", "CRCL"])].itertuples():
        value = got[row.ticker][f"rs_{row.label}"]
        if np.isnan(row.value):
            assert value == "", (row.ticker, row.label)
        else:
            assert value == row.value, (row.ticker, row.label)
    # CRCL listed in June 2025: its rating rests on two windows on 2026-01-22
    assert got["CRCL"]["rs_note"].startswith("Shortened: 0.67*r63 + 0.33*r126")
    assert got["ICHR"]["rs_note"] == ""
    assert got["XYZQ"]["rs_note"] == "#N/A Unknown ticker: XYZQ"
    assert got["XYZQ"]["rs_now"] == ""


def test_rs_line_high_from_the_raw_closes():
    """RS line = close / SPY close; a new high = today's line >= the 252 sessions before."""
    raw = _raw({"VICR", "ICHR", "SPY"})
    assert raw.index[-1] == "2026-01-22"
    want = {}
    for ticker in ("VICR", "ICHR"):
        line = (raw[ticker] / raw["SPY"]).to_numpy()
        want[ticker] = "Yes" if line[-1] >= line[-253:-1].max() else "No"
    rows = udfs.RS_HISTORY([["VICR"], ["ICHR"]], None, DAY)
    col = rows[0].index("RS line at 52w high")
    assert {r[0]: r[col] for r in rows[1:]} == want
    assert want == {"VICR": "Yes", "ICHR": "No"}


def test_rs_history_arguments():
    assert excel("RS_HISTORY", MISSING, MISSING, DAY_SERIAL).startswith("#N/A Missing ticker")
    assert udfs.RS_HISTORY("ICHR", "nasdaq9", DAY)[0][0].startswith("#N/A Unknown universe")
    # against the S&P 600, ICHR's rating now is its RS_RATING within the S&P 600
    sp600 = udfs.RS_HISTORY("ICHR", "sp600", DAY)
    assert sp600[1][1] == udfs.RS_RATING("ICHR", "sp600", None, DAY)


# --------------------------------------------------------------------------- summary
def test_rotation_summary_spills_the_sentences_down_one_column():
    from xlsrc.dashboard import facts

    rows = com.call_udf("ROTATION_SUMMARY", DAY_SERIAL)
    assert all(len(r) == 1 for r in rows) and 8 <= len(rows) <= 10
    sentences = [r[0] for r in rows]
    assert all(isinstance(s, str) and 0 < len(s) <= 255 for s in sentences)
    # the published figures (issue 11): IWM +9.60 % YTD, SPY +1.0 %, spread +3.92 points
    assert sentences[0].startswith(
        "Small vs large caps as of 2026-01-22: IWM +9.6% YTD against SPY +1.0%"
    )
    assert "a spread of +3.9 points" in sentences[1]
    assert sentences == facts.rotation_summary(market_mod.get_market(), DAY)
    assert udfs.ROTATION_SUMMARY(DAY) == rows
    # no header row: INDEX(ROTATION_SUMMARY(), k) is sentence k, as the Overview uses it
    assert not sentences[0].startswith("#")


def test_rotation_summary_before_the_data_says_why():
    assert udfs.ROTATION_SUMMARY("2024-01-02") == [
        [
            "#N/A No rotation summary as of 2024-01-02: none of its figures can be computed "
            "yet (the data start 2024-01-02)"
        ]
    ]
    assert udfs.ROTATION_SUMMARY("2019-01-02")[0][0].startswith("#N/A No price on or before")


# --------------------------------------------------------------------------- leaders, basis
def test_leaders_show_the_rating_three_months_earlier(history):
    rows = excel("LEADERS", "sp600", 25.0, MISSING, MISSING, DAY_SERIAL)
    head = rows[0]
    assert head[head.index("RS rating") + 1 : head.index("RS rating") + 3] == [
        "RS 3 months ago",
        "RS basis",
    ]
    by = {r[1]: dict(zip(head, r, strict=True)) for r in rows[1:]}
    three = history[history["label"] == "3m"].set_index("ticker")["value"]
    for ticker in ("ICHR", "UCTT", "FORM"):  # 36, 60, 76 on 2025-10-21 (63 sessions back)
        assert by[ticker]["RS 3 months ago"] == three[ticker]
    assert [by[t]["RS 3 months ago"] for t in ("ICHR", "UCTT")] == [36, 60]


def _sessions_through(day: str) -> int:
    import exchange_calendars as xcals

    return len(xcals.get_calendar("XNYS").sessions_in_range("2024-01-02", day))


def test_a_shortened_rating_is_flagged_in_the_tables():
    """2024-07-01 is the snapshot's 125th session: every score rests on r63 alone (it
    needs a close 126 sessions back for the second window). Two years later, none."""
    assert _sessions_through("2024-07-01") == 125
    early = udfs.LEADERS("sp600", 5, "rs", None, "2024-07-01")
    col = early[0].index("RS basis")
    assert [r[col] for r in early[1:]] == ["3M only"] * 5
    tech = udfs.TECHNICALS("ICHR, SPY, XYZQ", "2024-07-01")
    tcol = tech[0].index("RS basis")
    assert [r[tcol] for r in tech[1:]] == ["3M only", "3M only", ""]
    # the 9-month window needs a close 189 sessions back: 190 sessions. On the 189th
    # (2024-10-01) two windows, on the 190th (2024-10-02) three; SPDRs flagged on Sectors
    assert _sessions_through("2024-10-01") == 189 and _sessions_through("2024-10-02") == 190
    for day, tag in (("2024-10-01", "3M+6M only"), ("2024-10-02", "3M+6M+9M only")):
        sectors = udfs.SECTORS(None, day)
        scol = sectors[0].index("RS basis")
        assert {r[scol] for r in sectors[1:]} == {tag}, day
    # 2026-01-22: a year of history for the leaders, CRCL (listed June 2025) is flagged
    late = udfs.LEADERS("sp600", 25, None, None, DAY)
    assert {r[late[0].index("RS basis")] for r in late[1:]} == {""}
    assert udfs.TECHNICALS("ICHR, CRCL", DAY)[2][tcol] == "3M+6M only"
    # the one-cell formula keeps the number (RS_RATING's docstring)
    assert isinstance(udfs.RS_RATING("ICHR", None, None, "2024-07-01"), int)


def test_basis_on_the_snapshot_is_refused_by_name():
    message = (
        '#N/A No split-adjusted closes in the store: basis "price" ranks price change on '
        "closes adjusted for splits only, and this store has none (the bundled snapshot "
        "holds dividend-adjusted closes only; a Yahoo refresh stores both)"
    )
    assert excel("RS_RATING", "VICR", MISSING, "price", DAY_SERIAL) == message
    assert udfs.RS_SCORE("VICR", "Price", DAY) == message
    assert udfs.LEADERS("sp600", 5, None, "price", DAY) == [[message]]
    # blank and "total" are the default, the dividend-adjusted basis
    assert udfs.RS_RATING("VICR", None, "total", DAY) == udfs.RS_RATING("VICR", None, None, DAY)
    assert udfs.RS_RATING("VICR", None, None, DAY) == 98
    assert excel("RS_RATING", "VICR", MISSING, "dividends", DAY_SERIAL).startswith(
        "#N/A Invalid basis: 'dividends'"
    )


@pytest.mark.parametrize("typed", [DAY, DAY_SERIAL, "2026-01-22"])
def test_a_date_where_basis_now_stands_says_where_it_goes(typed):
    """RS_RATING(ticker, universe, as_of) was the old order: the date is now read as the
    basis, and refused with the new order, never used as a basis or silently dropped."""
    out = udfs.RS_RATING("VICR", None, typed)
    assert out == (
        '#N/A Invalid basis: 2026-01-22 is not "total" or "price" (a date goes last: '
        "RS_RATING(ticker, universe, basis, as_of))"
    ) or out.startswith('#N/A Invalid basis: 46044.0 is not "total" or "price" (a date goes')
    assert udfs.RS_SCORE("VICR", typed).startswith("#N/A Invalid basis: ")
    assert "RS_SCORE(ticker, basis, as_of)" in udfs.RS_SCORE("VICR", typed)


def test_every_text_the_new_formulas_return_fits_a_cell():
    """Excel shows #VALUE! for a string over 255 characters in a returned array."""
    outputs = [
        udfs.INDUSTRY_GROUPS(None, None, DAY),
        udfs.INDUSTRY_GROUPS("sp1500", None, DAY),
        udfs.INDUSTRY(),
        udfs.RS_HISTORY("ICHR, CRCL, UCFIW, XYZQ, SPY", None, DAY),
        udfs.RS_HISTORY("ICHR, CRCL", None, "2024-07-01"),
        udfs.ROTATION_SUMMARY(DAY),
        udfs.ROTATION_SUMMARY("2024-07-01"),
        udfs.LEADERS("sp600", 100, None, None, DAY),
        [[udfs.RS_RATING("VICR", None, "price", DAY)]],
        [[udfs.RS_RATING("VICR", None, DAY, None)]],
        [[udfs.GROUP_RANK("SPY", DAY)], [udfs.INDUSTRY("^GSPC")], [udfs.INDUSTRY("UCFIW")]],
    ]
    texts = [v for rows in outputs for row in rows for v in row if isinstance(v, str)]
    assert len(texts) > 1000
    assert max(len(t) for t in texts) <= 255


def test_industry_and_group_rank_lift_over_ranges():
    """A range of tickers gives one answer per cell, in its shape (blank cells blank)."""
    info = json.loads(INDUSTRIES_SUBSET.read_text(encoding="utf-8"))
    column = udfs.GROUP_RANK([["ICHR"], ["SPY"], [None], ["AG"]], DAY)
    assert column[0] == [8] and column[2] == [None] and column[3] == [1]
    assert column[1][0].startswith("#N/A No industry for SPY")
    row = excel("INDUSTRY", (("ICHR", "AA", "XYZQ"),))
    assert row == [[info["ICHR"]["info"]["industry"], "Aluminum", "#N/A Unknown ticker: XYZQ"]]
    # one blank cell is the argument left out: the list of industries
    assert udfs.INDUSTRY([[None]])[0] == ["Industry", "Sector", "Stocks"]
