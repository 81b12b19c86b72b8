"""Universes from iShares holdings files (path, URL via an injected opener) and user lists."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd
import pytest
from yahoo_fake import make_store, recorded

from xlsrc.data.holdings import (
    define_universe,
    import_universe,
    parse_holdings,
    read_holdings,
    tickers_from_values,
)
from xlsrc.errors import DataSourceError, InvalidParameterError
from xlsrc.sectors import ishares_sector

pytest.importorskip("xlsrc.data.store", reason="xlsrc/data/store.py not committed yet")

HEADERED = """\ufeffiShares Core S&P Small-Cap ETF
Fund Holdings as of,"Jun 19, 2026"
Inception Date,"May 22, 2000"
Shares Outstanding,"-"
Stock,"-"
Bond,"-"
Cash,"-"
Other,"-"
\u00a0
Ticker,Name,Type,Sector,Asset Class,Market Value,Notional Value,Quantity,Price,Location,Exchange,Currency,FX Rate,Market Currency,Accrual Date,Market Weight,Notional Weight
"FORM","FORMFACTOR INC","EQUITY","Information Technology","Equity","703,025,277.90","703,025,277.90","4,700,938.00","149.55","United States","NASDAQ","USD","1.00","USD","-","0.66","0.65"
"USD","USD CASH","CASH","Cash and/or Derivatives","Cash","644,988,584.06","644,988,584.06","-1,350,097,893.00","100.00","United States","-","USD","1.00","USD","-","0.60","0.60"
"BRKB","BERKSHIRE","EQUITY","Financials","Equity","1","1","1","1","United States","NYSE","USD","1.00","USD","-","0.10","0.10"
"MOG.A","MOOG INC CLASS A","EQUITY","Industrials","Equity","1","1","1","1","United States","NYSE","USD","1.00","USD","-","0.20","0.20"
"-","SOMETHING","EQUITY","Industrials","Equity","1","1","1","1","United States","NYSE","USD","1.00","USD","-","0.01","0.01"
"ESM6","S&P MID 400 EMINI JUN 26","FUTURES","Cash and/or Derivatives","Futures","1","1","1","1","United States","-","USD","1.00","USD","-","0.00","0.00"

"The content contained herein is owned or licensed by BlackRock"
"""

HEADERLESS = """\ufeffTicker,Name,Sector,Asset Class,Market Value,Weight (%),Notional Value,Quantity,Price,Location,Exchange,Currency,FX Rate,Market Currency,Accrual Date
"BE","BLOOM ENERGY CLASS A CORP","Industrials","Equity","663,821,685.41","0.96","663,821,685.41","5,224,063.00","127.07","United States","New York Stock Exchange Inc.","USD","1.00","USD","-"
"XTSLA","BLK CSH FND TREASURY SL AGENCY","Cash and/or Derivatives","Money Market","1","0.3","1","1","1","United States","-","USD","1.00","USD","-"
"""

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "constituents"


def test_headered_file():
    h = parse_holdings(HEADERED, "IJR.csv")
    assert h.fund == "iShares Core S&P Small-Cap ETF"
    assert str(h.as_of.date()) == "2026-06-19"
    assert h.tickers == ["FORM", "BRK-B", "MOG-A"]
    assert (
        h.members.loc[0, "sector"] == "Information Technology"
        and h.members.loc[0, "weight"] == 0.66
    )
    assert h.skipped == 1


def test_headerless_variant():
    h = parse_holdings(HEADERLESS, "IWM_noheader.csv")
    assert h.fund is None and h.as_of is None
    assert h.tickers == ["BE"] and h.members.loc[0, "weight"] == 0.96


def test_not_a_holdings_file():
    with pytest.raises(DataSourceError, match="not an iShares holdings file"):
        parse_holdings("date,close\n2026-01-02,1\n", "x.csv")


@pytest.mark.parametrize(
    ("name", "count"),
    [
        ("IJR_holdings_2026-06-19.csv", 605),
        ("IVV_holdings_2026-06-19.csv", 503),  # 504 equity tickers less HOLX (no market)
        # 1,957 equity tickers less INH (a CVR) and ADRO (acquired), listed on no market
        ("IWM_holdings_approx_2025Q4_noheader.csv", 1955),
    ],
)
def test_real_files(name, count):
    if not (SHARED / name).exists():
        pytest.skip("shared data not available")
    assert len(read_holdings(SHARED / name).tickers) == count


def test_the_ivv_holdings_row_holx_us_is_not_a_member():
    # review 2, item 12: IVV 2026-06-19, line 517: "HOLX US","HOLOGIC INC",... on exchange
    # "NO MARKET (E.G. UNLISTED)" (Hologic was taken private): held, traded nowhere, so
    # skipped, and no "-US" ticker is made of the Bloomberg short form
    if not (SHARED / "IVV_holdings_2026-06-19.csv").exists():
        pytest.skip("shared data not available")
    holdings = read_holdings(SHARED / "IVV_holdings_2026-06-19.csv")
    assert "HOLX" not in holdings.tickers
    assert not [t for t in holdings.tickers if t.endswith("-US")]
    assert holdings.skipped >= 1


def test_a_holding_listed_on_no_market_is_skipped():
    text = HEADERLESS.replace(
        '"XTSLA"',
        '"ADRO","CHINOOK THERAPEUTICS INC","Health Care","Equity","22","0.0","22","1","1",'
        '"United States","NO MARKET (E.G. UNLISTED)","USD","1.00","USD","-"\n"XTSLA"',
    )
    h = parse_holdings(text, "IWM_noheader.csv")
    assert h.tickers == ["BE"] and h.skipped == 1


def test_url_goes_through_the_injected_opener_and_failures_are_clear():
    urls = []

    def opener(url):
        urls.append(url)
        return HEADERED.encode("utf-8")

    url = "https://www.ishares.com/us/products/239774/x/1467271812596.ajax?fileType=csv"
    assert read_holdings(url, opener=opener).tickers == ["FORM", "BRK-B", "MOG-A"]
    assert urls == [url]

    def offline(url):
        raise OSError("Network is unreachable")

    with pytest.raises(DataSourceError, match="Could not download holdings from https://"):
        read_holdings(url, opener=offline)


def test_import_universe_stores_members_and_new_securities(tmp_path):
    store = make_store(tmp_path, recorded("batch"), "2026-01-15")
    path = tmp_path / "IJR.csv"
    path.write_text(HEADERED, encoding="utf-8")
    summary = import_universe(store, "SP600", path)
    assert store.universes()["sp600"] == ("BRK-B", "FORM", "MOG-A")
    assert (
        summary.members == 3
        and summary.new_securities == 3
        and summary.added == ("BRK-B", "FORM", "MOG-A")
    )
    sec = store.securities()
    assert (
        sec.loc["FORM", "sector"] == "Information Technology" and sec.loc["FORM", "type"] == "stock"
    )
    assert "not point-in-time" in store.universe_sources()["sp600"]
    assert str(summary).startswith("Universe sp600: 3 members from iShares holdings IJR.csv")
    # a bad file changes nothing
    bad = tmp_path / "bad.csv"
    bad.write_text("nothing here\n", encoding="utf-8")
    with pytest.raises(DataSourceError):
        import_universe(store, "sp600", bad)
    assert store.universes()["sp600"] == ("BRK-B", "FORM", "MOG-A")


SECTORS = """Ticker,Name,Sector,Asset Class,Market Value,Weight (%),Notional Value,Quantity,Price,Location,Exchange,Currency,FX Rate,Market Currency,Accrual Date
"AMC","AMC ENTERTAINMENT HOLDINGS INC CLA","Communication","Equity","1","0.10","1","1","1","United States","New York Stock Exchange Inc.","USD","1.00","USD","-"
"ODDX","ODD CORP","Other","Equity","1","0.01","1","1","1","United States","NASDAQ","USD","1.00","USD","-"
"BE","BLOOM ENERGY CLASS A CORP"," Industrials ","Equity","1","0.96","1","1","1","United States","NASDAQ","USD","1.00","USD","-"
"""


def test_import_maps_ishares_sector_names_to_gics(tmp_path):
    store = make_store(tmp_path, recorded("batch"), "2026-01-15")
    path = tmp_path / "IWM.csv"
    path.write_text(SECTORS, encoding="utf-8")
    import_universe(store, "mine", path)
    sec = store.securities()
    assert sec.loc["AMC", "sector"] == "Communication Services"
    assert sec.loc["BE", "sector"] == "Industrials"
    assert pd.isna(sec.loc["ODDX", "sector"])  # "Other" names no sector


def test_every_ishares_sector_name_in_the_shared_files_is_mapped():
    """Every Sector value in the shared iShares exports maps to GICS, except no-sector ones."""
    files = sorted(SHARED.glob("I*_holdings_*.csv"))
    if not files:
        pytest.skip("shared data not available")
    seen: set[str] = set()
    for path in files:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
        start = next(
            i for i, line in enumerate(lines) if line.lstrip("\ufeff").startswith("Ticker,")
        )
        for row in csv.DictReader(lines[start:]):
            if row.get("Sector") and row.get("Name"):
                seen.add(row["Sector"].strip())
    no_sector = {"Cash and/or Derivatives", "Other", "-"}
    assert "Communication" in seen
    gics = {
        "Communication Services",
        "Consumer Discretionary",
        "Consumer Staples",
        "Energy",
        "Financials",
        "Health Care",
        "Industrials",
        "Information Technology",
        "Materials",
        "Real Estate",
        "Utilities",
    }
    for name in sorted(seen - no_sector):
        assert ishares_sector(name) in gics, name
    for name in sorted(seen & no_sector):
        assert ishares_sector(name) is None, name
    assert ishares_sector("Communication") == "Communication Services"


def test_user_defined_universe_from_text_list_and_range(tmp_path):
    store = make_store(tmp_path, recorded("batch"), "2026-01-15")
    s = define_universe(store, "Watch", "iwm, spy QQQ")
    assert store.universes()["watch"] == ("IWM", "QQQ", "SPY") and s.members == 3
    s = define_universe(
        store, "watch", [["IWM", None], ["brk.b", ""], [3.0, "#N/A"]], source="workbook range"
    )
    assert store.universes()["watch"] == ("BRK-B", "IWM")
    assert s.added == ("BRK-B",) and s.removed == ("QQQ", "SPY") and s.skipped == 2
    with pytest.raises(InvalidParameterError):
        define_universe(store, "stocks", ["SPY"])
    with pytest.raises(InvalidParameterError):
        define_universe(store, "empty", [[None, ""]])


def test_tickers_from_values():
    assert tickers_from_values(("SPY", ["spy", "BRK_B"])) == (["SPY", "BRK-B"], 0)


def test_a_file_that_is_not_holdings_is_one_clear_error(tmp_path):
    """A gzip'd CSV of closes (the shared closes file's shape) is unzipped, then refused."""
    import gzip as gz

    from xlsrc.data.holdings import read_holdings

    path = tmp_path / "closes.csv.gz"
    path.write_bytes(gz.compress(b"date,ticker,close\n2026-01-02,AAA,1.5\n"))
    with pytest.raises(DataSourceError, match="holdings"):
        read_holdings(path)
    path = tmp_path / "binary.csv"
    path.write_bytes(b"\x00\x01\x02\r\x00garbage\x00\n\x00" * 50)
    with pytest.raises(DataSourceError, match="holdings"):
        read_holdings(path)


# --------------------------------------------------------------- review 2, item 2
HOLDINGS = Path(__file__).parent / "fixtures" / "holdings"  # excerpts of shared/constituents


def test_a_fund_file_of_another_index_is_refused_for_a_bundled_index(tmp_path):
    store = make_store(tmp_path, recorded("batch"), "2026-01-15")
    # the first 5 holdings of iShares' IWM file of 2026-05-05, its preamble intact
    iwm = HOLDINGS / "IWM_holdings_2026-05-05_excerpt.csv"
    with pytest.raises(InvalidParameterError) as info:
        import_universe(store, "sp600", iwm, replace=True)
    assert str(info.value) == (
        "iShares Russell 2000 ETF tracks the Russell 2000 (r2000), not the S&P SmallCap 600 "
        "(sp600): import it as r2000, or under a name of your own"
    )
    assert "sp600" not in store.universes()
    # the right universe takes it (the fund is told, so 5 rows of an excerpt are not
    # held against it), and so does a name of the user's own
    assert import_universe(store, "r2000", iwm).members == 5
    assert import_universe(store, "smallfry", iwm).members == 5
    ijr = HOLDINGS / "IJR_holdings_2026-06-19_excerpt.csv"  # FORM, ESI, BTSG, AGX + cash
    with pytest.raises(
        InvalidParameterError,
        match=r"tracks the S&P SmallCap 600 \(sp600\), not the S&P 500 \(sp500\)",
    ):
        import_universe(store, "sp500", ijr)
    assert store.universes().get("sp600") is None
    assert import_universe(store, "sp600", ijr).members == 4


@pytest.mark.parametrize(
    ("fund", "universe", "told"),
    [
        ("iShares Russell 2000 Growth ETF", "r2000", "a Russell 2000 style index"),
        ("iShares Russell 3000 ETF", "r2000", "another Russell index"),
        ("iShares Core S&P Mid-Cap ETF", "sp600", "the S&P MidCap 400 (sp400)"),
        ("iShares Core S&P 500 ETF", "sp400", "the S&P 500 (sp500)"),
    ],
)
def test_fund_names_tell_the_index(tmp_path, fund, universe, told):
    store = make_store(tmp_path, recorded("batch"), "2026-01-15")
    path = tmp_path / "holdings.csv"
    # the fund's name on the first line, then a headerless table of BE and FN
    table = HEADERLESS.lstrip("\ufeff")
    extra = table.splitlines()[1].replace('"BE"', '"FN"')
    path.write_text(f"{fund}\n{table}{extra}\n", encoding="utf-8")
    with pytest.raises(InvalidParameterError, match=f"tracks {re.escape(told)}, not"):
        import_universe(store, universe, path)


@pytest.mark.parametrize(
    ("name", "fund"),
    [("IWV_holdings.csv", "IWV tracks the Russell 3000, not the Russell 2000 (r2000)"),
     ("VOO-holdings.csv", "VOO tracks the S&P 500 (sp500), not the Russell 2000 (r2000)")],
)  # fmt: skip
def test_a_fund_ticker_in_the_file_name_tells_the_index(tmp_path, name, fund):
    store = make_store(tmp_path, recorded("batch"), "2026-01-15")
    path = tmp_path / name
    path.write_bytes((HOLDINGS / "members_export.csv").read_bytes())  # no preamble
    with pytest.raises(InvalidParameterError, match=re.escape(fund)):
        import_universe(store, "r2000", path)


def test_without_a_fund_the_member_count_must_fit_the_index(tmp_path):
    store = make_store(tmp_path, recorded("batch"), "2026-01-15")
    # the first 12 rows of the headerless IWM export, under a name that tells no fund
    path = HOLDINGS / "members_export.csv"
    with pytest.raises(InvalidParameterError) as info:
        import_universe(store, "sp600", path)
    assert str(info.value) == (
        "12 members cannot be the S&P SmallCap 600 (sp600), which has 585 to 615: import the "
        "holdings file of a fund tracking it (its fund named in the file's first line or file "
        "name), or save the list under a name of your own"
    )
    assert import_universe(store, "growth12", path).members == 12
    # a typed list for an index name is counted the same way
    with pytest.raises(InvalidParameterError, match=r"^2 members cannot be the S&P 500"):
        define_universe(store, "sp500", "IWM,SPY", replace=True)


def test_whole_real_files_fit_their_index_and_no_other(tmp_path):
    if not (SHARED / "IWM_holdings_approx_2025Q4_noheader.csv").exists():
        pytest.skip("shared data not available")
    store = make_store(tmp_path, recorded("batch"), "2026-01-15")
    # 1,958 distinct equity tickers (1,957 after normalising; 1,955 without the two listed
    # on no market): a Russell 2000's size
    copy = tmp_path / "members.csv"
    copy.write_bytes((SHARED / "IWM_holdings_approx_2025Q4_noheader.csv").read_bytes())
    with pytest.raises(InvalidParameterError, match=r"^1,955 members cannot be the S&P SmallCap"):
        import_universe(store, "sp600", copy)
    assert import_universe(store, "r2000", copy).members == 1955
    with pytest.raises(InvalidParameterError, match=r"^iShares Russell 2000 ETF tracks"):
        import_universe(store, "sp600", SHARED / "IWM_holdings_2026-05-05.csv")
    assert import_universe(store, "sp600", SHARED / "IJR_holdings_2026-06-19.csv").members == 605


def test_a_universe_needs_two_members_and_a_name_no_ticker_has(tmp_path):
    store = make_store(tmp_path, recorded("batch"), "2026-01-15")
    with pytest.raises(InvalidParameterError) as info:
        define_universe(store, "w2", "ICHR")
    assert str(info.value) == (
        "universe w2 needs at least two members (got 1: ICHR): a rating or breadth of one "
        "stock against itself is 99 or 100% whatever it does"
    )
    with pytest.raises(InvalidParameterError, match=r"got 1: ICHR"):
        define_universe(store, "w2", "ICHR, ichr.us")  # the same ticker twice is one
    # XLE is a ticker of this store (the recorded batch: IWM QQQ SPY XLE XLK)
    with pytest.raises(InvalidParameterError) as info:
        define_universe(store, "xle", "ICHR,UCTT")
    assert str(info.value) == (
        "xle is a ticker the store holds (XLE): a universe of that name would be mistaken "
        "for it in a formula; choose another name"
    )
    assert "w2" not in store.universes() and "xle" not in store.universes()
    # ICHR is no ticker of this store: a name like any other here
    assert define_universe(store, "ichr", "ICHR,UCTT").members == 2


@pytest.mark.parametrize("name", ["sp1500", "SP1500", "stocks", "all"])
def test_computed_universes_can_never_be_saved(tmp_path, name):
    store = make_store(tmp_path, recorded("batch"), "2026-01-15")
    with pytest.raises(InvalidParameterError, match=r"is computed by xlsrc .* cannot be saved"):
        define_universe(store, name, "ICHR,UCTT", replace=True)
    assert name.lower() not in store.universes()


def test_a_universe_of_a_non_us_listing_is_refused_as_everywhere(tmp_path):
    """Review 4: ``universe set qqlon AAPL,EZJ.L`` was stored with a "refresh it" hint that
    refresh itself refuses; the London listing is named, nothing stored."""
    store = make_store(tmp_path, recorded("batch"), "2026-01-15")
    with pytest.raises(InvalidParameterError, match="London Stock Exchange"):
        define_universe(store, "qqlon", ["SPY", "EZJ.L"])
    assert "qqlon" not in store.universes()
