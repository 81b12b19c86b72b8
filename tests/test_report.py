"""The headless report, re-opened with openpyxl and checked against the raw shared data.

The report is written once per session from the real :class:`xlsrc.market.Market` on the
session's store over the bundled snapshot (``bundled_store_path``), as of 2026-01-22 (the
January 2026 small-cap rally). Expected numbers are recomputed here from the shared raw
closes file, not by the code under test.

The golden-file comparison (in the XlsxWriter manner) unzips the report and
``tests/golden/report_2026-01-22.xlsx`` and compares every XML part element by element,
ignoring only what :data:`IGNORE` lists. Regenerate the golden file only with
``.venv/bin/python scripts/regenerate_golden.py``.
"""

from __future__ import annotations

import math
import os
import re
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import openpyxl
import pandas as pd
import pytest

from xlsrc.dashboard.layout import DASHBOARD
from xlsrc.errors import InvalidParameterError, NoDataError, UnknownUniverseError, XlsrcError
from xlsrc.market import Market, get_market
from xlsrc.report import ReportSummary, write_report

CLOSES = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "data"
    / "closes"
    / "us_closes_2024-01-02_2026-08-03.csv.gz"
)
GOLDEN = Path(__file__).parent / "golden" / "report_2026-01-22.xlsx"
AS_OF = "2026-01-22"
#: The arguments of the golden report (scripts/regenerate_golden.py uses the same).
GOLDEN_ARGS: dict[str, Any] = {
    "as_of": AS_OF,
    "universe": "sp600",
    "top": 25,
    "watchlist": "IWM,SPY,QQQ,ICHR,UCTT,VICR,XYZQ",
}


@pytest.fixture(scope="session")
def market(bundled_store_path: Path) -> Market:
    """The real Market on the session's seeded store (read only)."""
    return get_market(bundled_store_path)


@pytest.fixture(scope="session")
def report(market: Market, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ReportSummary]:
    """The golden report, written once per session; tests only read it."""
    out = tmp_path_factory.mktemp("report") / "dashboard.xlsx"
    summary = write_report(market, out, **GOLDEN_ARGS)
    return out, summary


@pytest.fixture(scope="session")
def wb(report: tuple[Path, ReportSummary]) -> openpyxl.Workbook:
    return openpyxl.load_workbook(report[0])


@pytest.fixture(scope="session")
def raw() -> pd.DataFrame:
    """Closes of the tickers checked here, straight from the shared file (dates x tickers)."""
    if not CLOSES.exists():
        pytest.skip("shared raw closes not available")
    wanted = {"IWM", "SPY", "QQQ", "ICHR", "UCTT", "VICR", "XLK", "XLE", "XLB"}
    parts = []
    for chunk in pd.read_csv(CLOSES, chunksize=2_000_000, dtype={"ticker": str, "close": float}):
        parts.append(chunk[chunk["ticker"].isin(wanted)])
    long = pd.concat(parts)
    long["date"] = pd.to_datetime(long["date"])
    return long.pivot(index="date", columns="ticker", values="close").sort_index()


def ytd(raw: pd.DataFrame, ticker: str, as_of: str = AS_OF) -> float:
    s = raw[ticker].dropna()
    s = s[s.index <= pd.Timestamp(as_of)]
    base = s[s.index < pd.Timestamp(as_of[:4] + "-01-01")].iloc[-1]
    return float(s.iloc[-1] / base - 1)


def table_rows(ws: Any, name: str) -> list[dict[str, Any]]:
    """The data rows of layout table ``name`` as dicts keyed by column key."""
    t = DASHBOARD.table(name)
    r0, c0 = t.header_row, t.first_col
    headers = [ws.cell(r0, c0 + j).value for j in range(len(t.columns))]
    assert headers == list(t.headers)
    out = []
    r = r0 + 1
    while ws.cell(r, c0).value is not None and ws.cell(r, c0).font.i is not True:
        out.append({k: ws.cell(r, c0 + j).value for j, k in enumerate(t.keys)})
        r += 1
    return out


# --------------------------------------------------------------------------- content
def test_summary_says_where_and_what(report: tuple[Path, ReportSummary]) -> None:
    out, summary = report
    text = str(summary)
    assert str(out) in text
    assert "2026-01-22" in text
    assert "top 25 of sp600" in text
    assert summary.rows["leaders"] == 25
    assert summary.charts == 3
    assert any("XYZQ" in p for p in summary.problems)


def test_sheets(wb: openpyxl.Workbook) -> None:
    assert wb.sheetnames == ["Overview", "Leaders", "Sectors", "Groups", "Technicals", "Settings"]


def test_overview_values_match_the_raw_closes(wb: openpyxl.Workbook, raw: pd.DataFrame) -> None:
    rows = {r["ticker"]: r for r in table_rows(wb["Overview"], "overview")}
    assert list(rows)[:5] == ["SPY", "QQQ", "DIA", "IWM", "IJR"]
    assert rows["IWM"]["ret_ytd"] == pytest.approx(ytd(raw, "IWM"), abs=1e-9)
    assert rows["IWM"]["ret_ytd"] == pytest.approx(0.096, abs=0.002)
    assert rows["SPY"]["ret_ytd"] == pytest.approx(ytd(raw, "SPY"), abs=1e-9)
    assert rows["SPY"]["ret_ytd"] == pytest.approx(0.01, abs=0.005)
    spy = raw["SPY"].dropna()
    spy = spy[spy.index <= AS_OF]
    assert rows["SPY"]["close"] == pytest.approx(spy.iloc[-1])
    assert rows["SPY"]["ret_1d"] == pytest.approx(spy.iloc[-1] / spy.iloc[-2] - 1)
    assert rows["SPY"]["ret_1m"] == pytest.approx(spy.iloc[-1] / spy.iloc[-22] - 1)
    sma50 = spy.iloc[-50:].mean()
    assert rows["SPY"]["pct_from_sma50"] == pytest.approx(spy.iloc[-1] / sma50 - 1)
    assert 0 < rows["SPY"]["rsi14"] < 100


def test_rotation_and_breadth(wb: openpyxl.Workbook, raw: pd.DataFrame) -> None:
    rot = {r["pair"]: r for r in table_rows(wb["Overview"], "rotation")}
    assert set(rot) == {"IWM / SPY", "IWM / QQQ"}
    spread = ytd(raw, "IWM") - ytd(raw, "SPY")
    assert rot["IWM / SPY"]["spread_ytd"] == pytest.approx(spread, abs=1e-9)
    assert rot["IWM / SPY"]["signal"]
    breadth = table_rows(wb["Overview"], "breadth")
    assert [b["universe"] for b in breadth] == ["sp500", "sp600"]
    for b in breadth:
        assert 0 <= b["above_sma50"] <= 1 and 0 <= b["above_sma200"] <= 1
        assert b["members"] > 400


def test_leaders_are_the_rally_names(wb: openpyxl.Workbook, raw: pd.DataFrame) -> None:
    rows = table_rows(wb["Leaders"], "leaders")
    assert len(rows) == 25
    assert [r["rank"] for r in rows] == list(range(1, 26))
    ytds = [r["ret_ytd"] for r in rows]
    assert ytds == sorted(ytds, reverse=True)
    by = {r["ticker"]: r for r in rows}
    assert rows[0]["ticker"] == "ICHR"
    assert by["ICHR"]["ret_ytd"] == pytest.approx(ytd(raw, "ICHR"), abs=1e-9)
    assert by["ICHR"]["ret_ytd"] == pytest.approx(0.794, abs=0.002)
    assert by["UCTT"]["ret_ytd"] == pytest.approx(0.743, abs=0.002)
    assert 80 <= by["ICHR"]["rs_rating"] <= 99  # vs every stock in the store
    ichr = raw["ICHR"].dropna()
    ichr = ichr[ichr.index <= AS_OF]
    assert by["ICHR"]["pct_from_sma20"] == pytest.approx(ichr.iloc[-1] / ichr.iloc[-20:].mean() - 1)
    vol = ichr.pct_change().iloc[-20:].std(ddof=1)
    assert by["ICHR"]["volatility20"] == pytest.approx(vol, rel=1e-6)
    assert by["ICHR"]["name"] and by["ICHR"]["sector"]


def test_sectors_sorted_by_ytd(wb: openpyxl.Workbook, raw: pd.DataFrame) -> None:
    rows = table_rows(wb["Sectors"], "sectors")
    assert len(rows) == 11
    ytds = [r["ret_ytd"] for r in rows]
    assert ytds == sorted(ytds, reverse=True)
    by = {r["ticker"]: r for r in rows}
    assert by["XLK"]["ret_ytd"] == pytest.approx(ytd(raw, "XLK"), abs=1e-9)
    assert by["XLE"]["sector"] == "Energy"
    for r in rows:
        assert r["quadrant"] in {"Leading", "Weakening", "Lagging", "Improving"}
        assert 80 < r["rs_ratio"] < 120 and 80 < r["rs_momentum"] < 120
        assert 0 <= r["sector_score"] <= 100


LEADERSHIP = Path(__file__).parent / "fixtures" / "leadership"


def test_the_day_in_words_at_the_top_of_the_overview(wb: openpyxl.Workbook) -> None:
    """Rows 5-14 of the Overview: one sentence per row, merged over A:K and wrapped.

    Checked against the independent figures of 2026-01-22 (fixtures/leadership, from the
    raw CSVs): IWM's and SPY's YTD, the start-of-year spread, the S&P 1500 sector scores.
    """
    ws = wb["Overview"]
    facts = pd.read_csv(LEADERSHIP / "rotation_2026-01-22.csv", dtype=str)
    e = dict(zip(facts["key"], facts["value"], strict=True))
    assert ws["A4"].value == "The day's rotation in words"
    lines = [ws.cell(r, 1).value for r in range(5, 15)]
    said = [line for line in lines if line]
    assert 8 <= len(said) <= 10
    assert lines[: len(said)] == said and all(line is None for line in lines[len(said) :])
    assert all(line.startswith("\u2022 ") and len(line) <= 257 for line in said)
    ytd = {t: float(e[f"ytd_{t}"]) * 100 for t in ("IWM", "SPY")}
    assert said[0].startswith(
        f"\u2022 Small vs large caps as of 2026-01-22: IWM {ytd['IWM']:+.1f}% YTD against SPY "
        f"{ytd['SPY']:+.1f}%"
    )
    assert f"a spread of {float(e['soy_spread']) * 100:+.1f} points" in said[1]
    sectors = pd.read_csv(LEADERSHIP / "sector_scores.csv")
    jan22 = sectors[sectors["date"] == "2026-01-22"].sort_values("score_sp1500", ascending=False)
    top = jan22.iloc[0]
    assert (
        f"Strongest sectors by mean RS of S&P 1500 members: {top.sector} {top.score_sp1500:.1f}"
        in (" ".join(said))
    )
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {f"A{r}:K{r}" for r in range(5, 15)} <= merged
    for r in range(5, 5 + len(said)):
        cell = ws.cell(r, 1)
        assert cell.alignment.wrap_text and cell.alignment.vertical == "top"
        # taller rows for the sentences that wrap onto a second line
        assert ws.row_dimensions[r].height in (15.0, 30.0)
    assert DASHBOARD.table("overview").anchor == "A17"


def test_groups_sheet_shows_the_strongest_and_weakest_groups(wb: openpyxl.Workbook) -> None:
    want = pd.read_csv(LEADERSHIP / "industry_groups_2026-01-22.csv", keep_default_na=False)
    ws = wb["Groups"]
    top = table_rows(ws, "groups_top")
    bottom = table_rows(ws, "groups_bottom")
    assert [r["industry"] for r in top] == list(want["industry"].iloc[:20])
    assert [r["industry"] for r in bottom] == list(want["industry"].iloc[-10:])
    by = {r["industry"]: r for r in top + bottom}
    for row in want.iloc[list(range(20)) + list(range(len(want) - 10, len(want)))].itertuples():
        got = by[row.industry]
        assert got["rank"] == row.rank and got["group_rs_rating"] == row.group_rs_rating
        assert got["group_score"] == pytest.approx(row.group_score, rel=1e-9)
        assert got["members"] == row.members and got["leaders"] == row.leaders
        assert got["share_rs80"] == pytest.approx(row.share_rs80, rel=1e-9)
        for k in ("rank_1m", "rank_3m", "rank_6m"):
            expected = getattr(row, k)
            assert got[k] == (None if expected == "" else float(expected)), (row.industry, k)
    assert by["Semiconductor Equipment & Materials"]["rank"] == 8
    assert "143 Yahoo industries ranked" in ws["A2"].value


def test_leaders_rs_three_months_ago_and_basis(wb: openpyxl.Workbook) -> None:
    history = pd.read_csv(LEADERSHIP / "rs_history.csv")
    three = history[(history["kind"] == "rating") & (history["label"] == "3m")]
    three = three.set_index("ticker")["value"]
    rows = {r["ticker"]: r for r in table_rows(wb["Leaders"], "leaders")}
    for t in ("ICHR", "UCTT"):
        assert rows[t]["rs_3m"] == three[t]
    assert all(r["rs_basis"] is None for r in rows.values())  # a year of history each


def test_sector_score_is_the_mean_rs_of_sp1500_members(wb: openpyxl.Workbook) -> None:
    ws = wb["Sectors"]
    t = DASHBOARD.table("sectors")
    assert ws.cell(t.header_row, t.col_of("sector_score")).value == "Mean RS (S&P 1500)"
    want = pd.read_csv(LEADERSHIP / "sector_scores.csv")
    want = want[want["date"] == "2026-01-22"].set_index("etf")["score_sp1500"]
    rows = table_rows(ws, "sectors")
    assert {r["ticker"]: r["sector_score"] for r in rows} == pytest.approx(want.to_dict())


def test_technicals_marks_unknown_tickers(wb: openpyxl.Workbook, raw: pd.DataFrame) -> None:
    rows = table_rows(wb["Technicals"], "technicals")
    assert [r["ticker"] for r in rows] == ["IWM", "SPY", "QQQ", "ICHR", "UCTT", "VICR", "XYZQ"]
    assert rows[-1]["name"].startswith("#N/A Unknown ticker: XYZQ")
    assert rows[5]["ret_ytd"] == pytest.approx(ytd(raw, "VICR"), abs=1e-9)
    assert rows[5]["ret_ytd"] == pytest.approx(0.522, abs=0.002)


def test_settings_and_names(wb: openpyxl.Workbook) -> None:
    ws = wb["Settings"]
    names = wb.defined_names
    assert names["AsOf"].attr_text == "'Settings'!$B$4"
    assert ws["B4"].value.date().isoformat() == "2026-01-22"
    assert ws["B4"].number_format == "yyyy-mm-dd"
    assert ws["B5"].value == "sp600"
    assert ws["B6"].value == "SPY"
    assert ws["B7"].value == "IWM,SPY,QQQ,ICHR,UCTT,VICR,XYZQ"
    assert ws["B8"].value == 25
    assert ws["B9"].value  # data source
    assert "XYZQ" in ws["B10"].value  # status names the problem
    prov = table_rows(ws, "provenance")
    assert prov and prov[0]["source"]


# --------------------------------------------------------------------------- formats
def test_number_formats(wb: openpyxl.Workbook) -> None:
    ws = wb["Leaders"]
    t = DASHBOARD.table("leaders")
    for key, fmt in (("ret_ytd", "0.0%;[Red]-0.0%"), ("rs_rating", "0"), ("rsi14", "0.0")):
        col = t.col_of(key)
        assert ws.cell(5, col).number_format == fmt
        assert ws.cell(29, col).number_format == fmt


def test_frozen_panes_widths_and_print_setup(wb: openpyxl.Workbook) -> None:
    for sheet in DASHBOARD.sheets:
        ws = wb[sheet.name]
        assert ws.freeze_panes == (sheet.freeze or None)
        assert ws.page_setup.orientation == "landscape"
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.page_setup.fitToWidth == 1
    assert wb["Leaders"].column_dimensions["C"].width == 30
    assert wb["Leaders"].print_title_rows.replace("$", "") == "1:4"


def test_conditional_formatting(wb: openpyxl.Workbook) -> None:
    ws = wb["Leaders"]
    rules = {}
    for rng, rule_list in ws.conditional_formatting._cf_rules.items():
        for rule in rule_list:
            rules[(str(rng.sqref), rule.type, tuple(rule.formula))] = rule
    t = DASHBOARD.table("leaders")
    letter = openpyxl.utils.get_column_letter(t.col_of("rs_rating"))
    key = (f"{letter}5:{letter}29", "expression", (f"AND(ISNUMBER({letter}5),{letter}5>=90)",))
    assert key in rules
    assert rules[key].dxf.fill.fgColor.rgb.endswith("C6EFCE")
    rsi = openpyxl.utils.get_column_letter(t.col_of("rsi14"))
    sma = openpyxl.utils.get_column_letter(t.col_of("pct_from_sma20"))
    formulas = {k[2][0] for k in rules}
    assert f"AND(ISNUMBER({rsi}5),{rsi}5>80)" in formulas  # RSI very overbought
    assert f"AND(ISNUMBER({rsi}5),{rsi}5>=70,{rsi}5<=80)" in formulas  # RSI overbought
    assert f"AND(ISNUMBER({sma}5),{sma}5>0.2)" in formulas  # extended above the 20-day MA


def test_every_highlight_is_a_guarded_formula_rule(wb: openpyxl.Workbook) -> None:
    """xlwings sends a missing value as "" (text ranks above numbers): rules test ISNUMBER."""
    for sheet in DASHBOARD.sheets:
        got = {
            (str(rng.sqref), r.type, tuple(r.formula or ()))
            for rng in wb[sheet.name].conditional_formatting
            for r in rng.rules
        }
        want = set()
        for table in sheet.tables:
            for rule in table.highlights:
                col = openpyxl.utils.get_column_letter(table.col_of(rule.column))
                first = f"{col}{table.header_row + 1}"
                want.add((first, rule.formula(first)))
                if not isinstance(rule.values[0], str):
                    assert rule.formula(first).startswith(f"AND(ISNUMBER({first}),")
        assert {(sq.split(":")[0], f) for sq, _, (f,) in got} == want, sheet.name
        assert {t for _, t, _ in got} <= {"expression"}, sheet.name


def test_charts_and_series_references(wb: openpyxl.Workbook) -> None:
    line = wb["Overview"]._charts[0]
    assert line.tagname == "lineChart"
    refs = [s.val.numRef.f for s in line.series]
    n = len(table_rows(wb["Overview"], "rebased"))
    assert refs == [f"'Overview'!${c}$6:${c}${5 + n}" for c in ("N", "O", "P")]
    assert line.series[0].tx.strRef.f == "'Overview'!$N$5"
    assert line.series[0].cat.numRef.f == f"'Overview'!$M$6:$M${5 + n}"

    bar, rrg = wb["Sectors"]._charts
    assert bar.tagname == "barChart"
    assert bar.series[0].val.numRef.f == "'Sectors'!$F$5:$F$15"
    assert bar.series[0].cat.strRef.f == "'Sectors'!$B$5:$B$15"
    assert rrg.tagname == "scatterChart"
    assert len(rrg.series) == 13  # 11 sectors + 2 quadrant lines
    assert rrg.series[0].xVal.numRef.f == "'Sectors'!$H$5"
    assert rrg.series[0].yVal.numRef.f == "'Sectors'!$I$5"
    assert rrg.series[0].tx.strRef.f == "'Sectors'!$B$5"
    assert rrg.series[11].xVal.numRef.f == "'Sectors'!$R$5:$R$6"
    assert rrg.series[12].yVal.numRef.f == "'Sectors'!$S$7:$S$8"
    guides = table_rows(wb["Sectors"], "rrg_guides")
    assert [g["x"] for g in guides[:2]] == [100, 100]
    assert [g["y"] for g in guides[2:]] == [100, 100]


def test_rebased_chart_data(wb: openpyxl.Workbook, raw: pd.DataFrame) -> None:
    rows = table_rows(wb["Overview"], "rebased")
    assert rows[0]["date"].date().isoformat() == "2025-12-31"
    assert rows[0]["IWM"] == pytest.approx(100)
    assert rows[-1]["date"].date().isoformat() == AS_OF
    assert rows[-1]["IWM"] == pytest.approx(100 * (1 + ytd(raw, "IWM")))


# --------------------------------------------------------------------------- errors, atomicity
def test_default_as_of_is_the_last_date(market: Market, tmp_path: Path) -> None:
    summary = write_report(market, tmp_path / "r.xlsx", top=5)
    assert summary.as_of == market.close.index[-1]


def test_bad_date(market: Market, tmp_path: Path) -> None:
    with pytest.raises(InvalidParameterError, match="not-a-date"):
        write_report(market, tmp_path / "r.xlsx", as_of="not-a-date")
    with pytest.raises(NoDataError, match="1999"):
        write_report(market, tmp_path / "r.xlsx", as_of="1999-01-04")
    assert not (tmp_path / "r.xlsx").exists()


def test_unknown_universe(market: Market, tmp_path: Path) -> None:
    with pytest.raises(UnknownUniverseError, match="nasdaq9"):
        write_report(market, tmp_path / "r.xlsx", universe="nasdaq9")


def test_unwritable_path(market: Market, tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    with pytest.raises(XlsrcError, match="cannot make folder"):
        write_report(market, tmp_path / "a-file" / "r.xlsx")
    with pytest.raises(InvalidParameterError, match=r"\.xlsx"):
        write_report(market, tmp_path / "r.csv")
    if os.geteuid() != 0:
        ro = tmp_path / "ro"
        ro.mkdir()
        ro.chmod(0o500)
        with pytest.raises(XlsrcError, match="not writable"):
            write_report(market, ro / "r.xlsx")


def test_temporary_file_that_cannot_be_made_is_an_xlsrc_error(
    market: Market, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """E.g. ``--out /proc/x.xlsx``: the folder passes the checks, creating a file fails."""
    import tempfile

    def no_temp_file(*args: Any, **kwargs: Any) -> tuple[int, str]:
        raise FileNotFoundError(2, "No such file or directory")

    monkeypatch.setattr(tempfile, "mkstemp", no_temp_file)
    out = tmp_path / "r.xlsx"
    with pytest.raises(XlsrcError, match=r"Cannot write the report to .*r\.xlsx: No such file"):
        write_report(market, out, as_of=AS_OF, top=5)
    assert list(tmp_path.iterdir()) == []


def test_save_into_a_file_instead_of_a_folder(tmp_path: Path) -> None:
    """No permission involved (root ignores those): the "folder" is a regular file."""
    from openpyxl import Workbook

    from xlsrc.report import save_atomically

    (tmp_path / "a-file").write_text("not a folder")
    with pytest.raises(XlsrcError, match=r"Cannot write the report to .*a-file/r\.xlsx: "):
        save_atomically(Workbook(), tmp_path / "a-file" / "r.xlsx")
    assert (tmp_path / "a-file").read_text() == "not a folder"


def test_failure_mid_write_leaves_the_old_file(
    market: Market, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "r.xlsx"
    out.write_bytes(b"the previous report")

    def broken_save(self: Any, filename: str) -> None:
        Path(filename).write_bytes(b"PK half a zip")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(openpyxl.Workbook, "save", broken_save)
    with pytest.raises(XlsrcError, match="No space left"):
        write_report(market, out, as_of=AS_OF, top=5)
    assert out.read_bytes() == b"the previous report"
    assert [p.name for p in tmp_path.iterdir()] == ["r.xlsx"]  # no temp file left


# --------------------------------------------------------------------------- golden file
#: What the golden comparison ignores: (part, element tag) pairs whose text differs
#: between runs. Everything else must be equal element by element.
IGNORE: dict[str, set[str]] = {
    "docProps/core.xml": {
        "{http://purl.org/dc/terms/}created",
        "{http://purl.org/dc/terms/}modified",
    },
}


def _xml_parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in sorted(z.namelist())}


_NUM = re.compile(r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$")


def _same_text(a: str | None, b: str | None) -> bool:
    a, b = (a or "").strip(), (b or "").strip()
    if a == b:
        return True
    if _NUM.match(a) and _NUM.match(b):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)
    return False


def _compare(a: ET.Element, b: ET.Element, where: str, ignore: set[str]) -> list[str]:
    here = f"{where}/{a.tag.split('}')[-1]}"
    if a.tag != b.tag:
        return [f"{here}: tag {a.tag} != {b.tag}"]
    if a.tag in ignore:
        return []
    diffs = []
    if set(a.attrib) != set(b.attrib) or any(
        not _same_text(a.attrib[k], b.attrib[k]) for k in a.attrib
    ):
        diffs.append(f"{here}: attributes {a.attrib} != {b.attrib}")
    if not _same_text(a.text, b.text):
        diffs.append(f"{here}: text {a.text!r} != {b.text!r}")
    ca, cb = list(a), list(b)
    if len(ca) != len(cb):
        diffs.append(f"{here}: {len(ca)} children != {len(cb)}")
    for x, y in zip(ca, cb, strict=False):
        diffs.extend(_compare(x, y, here, ignore))
    return diffs


def compare_xlsx(got: Path, expected: Path) -> list[str]:
    """Differences between two .xlsx files, XML part by XML part (empty = equal)."""
    pa, pb = _xml_parts(got), _xml_parts(expected)
    if set(pa) != set(pb):
        return [f"parts differ: {sorted(set(pa) ^ set(pb))}"]
    diffs: list[str] = []
    for name in pa:
        if not (name.endswith(".xml") or name.endswith(".rels")):
            if pa[name] != pb[name]:
                diffs.append(f"{name}: bytes differ")
            continue
        diffs.extend(
            _compare(
                ET.fromstring(pa[name]), ET.fromstring(pb[name]), name, IGNORE.get(name, set())
            )
        )
    return diffs


@pytest.mark.skipif(not GOLDEN.exists(), reason="run scripts/regenerate_golden.py")
def test_report_matches_the_golden_file(report: tuple[Path, ReportSummary]) -> None:
    diffs = compare_xlsx(report[0], GOLDEN)
    assert not diffs, (
        "report differs from tests/golden (if intended, run scripts/regenerate_golden.py):\n"
        + "\n".join(diffs[:20])
    )


def test_golden_comparison_sees_a_change(
    report: tuple[Path, ReportSummary], tmp_path: Path
) -> None:
    wb = openpyxl.load_workbook(report[0])
    wb["Leaders"]["F5"] = 0.5
    changed = tmp_path / "changed.xlsx"
    wb.save(changed)
    assert compare_xlsx(changed, changed) == []
    assert any("sheet2.xml" in d for d in compare_xlsx(changed, report[0]))


def test_missing_folder_is_made(market: Market, tmp_path: Path) -> None:
    out = tmp_path / "reports" / "2026" / "r.xlsx"
    summary = write_report(market, out, as_of="2026-01-22")
    assert out.is_file()
    assert summary.path == out


def test_a_date_early_in_the_data_still_writes_a_report(market: Market, tmp_path: Path) -> None:
    """2024-02-01: a month of data, so no YTD (no 2023 close) and no 50/200-day breadth.

    The report is still written; what cannot be computed is blank and said, not a crash.
    """
    out = tmp_path / "early.xlsx"
    summary = write_report(market, out, as_of="2024-02-01")
    assert out.is_file()
    assert any("YTD" in problem for problem in summary.problems)
    breadth = DASHBOARD.table("breadth")
    ws = openpyxl.load_workbook(out)["Overview"]
    row = breadth.header_row + 1
    assert ws.cell(row, breadth.col_of("members")).value > 0
    assert ws.cell(row, breadth.col_of("above_sma50")).value is None
    assert ws.cell(row, breadth.col_of("above_sma200")).value is None
