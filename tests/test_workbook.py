"""The dashboard template (.xlsm): built on Linux, read back part by part."""

from __future__ import annotations

import re
import zipfile
from dataclasses import replace
from pathlib import Path
from xml.etree import ElementTree as ET

import openpyxl
import pytest
from pyopenvba import ExcelFile
from pyopenvba.interpreter import Interpreter, parse_module

import xlsrc.excel.macros as macros
import xlsrc.excel.udfs as udfs
import xlsrc.excel.vba_project as vbp
import xlsrc.excel.workbook as wbk
from xlsrc.dashboard.layout import DASHBOARD, Table, TextCell, lifted_block
from xlsrc.dashboard.render import render_dashboard
from xlsrc.report import OpenpyxlWriter

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "workbook" / "xlsrc-dashboard.xlsm"
NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("wb") / "xlsrc-dashboard.xlsm"
    summary = wbk.build_workbook(path)
    assert summary.path == path
    return path


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def sheet_parts(path: Path) -> dict[str, str]:
    """Sheet name -> its part name (from workbook.xml and its relationships)."""
    p = parts(path)
    book = ET.fromstring(p["xl/workbook.xml"])
    rels = ET.fromstring(p["xl/_rels/workbook.xml.rels"])
    target = {r.get("Id"): r.get("Target") for r in rels.findall("rel:Relationship", NS)}
    out = {}
    for s in book.find("m:sheets", NS):
        rid = s.get(f"{{{NS['r']}}}id")
        out[s.get("name")] = "xl/" + target[rid].lstrip("/").removeprefix("xl/")
    return out


def cell_xml(path: Path, sheet: str, cell: str) -> ET.Element:
    xml = ET.fromstring(parts(path)[sheet_parts(path)[sheet]])
    found = xml.find(f".//m:c[@r='{cell}']", NS)
    assert found is not None, f"{sheet}!{cell} missing"
    return found


def test_sheets(built):
    names = openpyxl.load_workbook(built, keep_vba=True).sheetnames
    assert names == [
        "Overview",
        "Leaders",
        "Sectors",
        "Groups",
        "Technicals",
        "Settings",
        "xlwings.conf",
    ]


@pytest.mark.parametrize("table", DASHBOARD.tables, ids=lambda t: t.name)
def test_each_table_anchor_holds_its_spilling_formula(built, table: Table):
    sheet = DASHBOARD.sheet_of(table.name).name
    c = cell_xml(built, sheet, table.anchor)
    f = c.find("m:f", NS)
    assert f is not None and f.text == table.formula
    assert f.get("t") == "array" and f.get("ref") == table.anchor
    assert c.get("cm") == "1", "dynamic-array cell metadata (cm) missing: Excel would not spill"


def test_text_formulas(built):
    for sheet in DASHBOARD.sheets:
        for text in (*sheet.texts, *sheet.live):
            f = cell_xml(built, sheet.name, text.cell).find("m:f", NS)
            if text.formula and text.spill:  # the watchlist block's lifted formulas
                c = cell_xml(built, sheet.name, text.cell)
                assert f is not None and f.text == text.formula
                assert f.get("t") == "array" and c.get("cm") == "1"
            elif text.formula:
                assert f is not None and f.text == text.formula
                assert f.get("t") is None  # a plain formula, not an array
            else:
                assert f is None


def _number_format(path: Path, sheet: str, cell: str) -> str:
    wb = openpyxl.load_workbook(path, keep_vba=True)
    return wb[sheet][cell].number_format


def test_every_sheet_shows_the_date_its_formulas_use_in_a_date_cell(built):
    """As shipped every subtitle read "As of 1900-01-00" (TEXT of a blank AsOf), and TEXT's
    "yyyy" is "jjjj" in German/Dutch Excel, "aaaa" in French. Now B3 of each sheet holds the
    date in a cell with a date number format, which Excel stores language-neutral: the
    session the formulas use, from TRADING_DAY (issue 10: the weekday arithmetic it replaced
    showed an exchange holiday itself; TRADING_DAY's dates are tested in
    test_udfs_lifted.py, 2026-01-19 giving 2026-01-16)."""
    for sheet in ("Overview", "Leaders", "Sectors", "Technicals"):
        label = cell_xml(built, sheet, "A3")
        assert label.find("m:f", NS) is None
        f = cell_xml(built, sheet, "B3").find("m:f", NS)
        assert f.text == "TRADING_DAY(AsOf)"
        assert f.get("t") is None  # one value
        assert _number_format(built, sheet, "B3") == "yyyy-mm-dd"
        assert openpyxl.load_workbook(built)[sheet]["A3"].value == "As of"
    for sheet in DASHBOARD.sheets:
        for text in (*sheet.texts, *sheet.live):
            assert "TEXT(" not in text.formula.upper(), (sheet.name, text.cell)


def test_text_with_a_format_code_fails_the_build(tmp_path):
    overview = DASHBOARD.sheets[0]
    bad = replace(
        DASHBOARD,
        sheets=(
            replace(
                overview, texts=(*overview.texts, TextCell("A40", "", formula='TEXT(AsOf,"yyyy")'))
            ),
            *DASHBOARD.sheets[1:],
        ),
    )
    with pytest.raises(wbk.WorkbookBuildError, match=r"TEXT \(in Overview!A40\)"):
        wbk.build_workbook(tmp_path / "bad.xlsm", layout=bad)


def test_a_single_cell_formula_on_the_overview(built):
    """The template shows the one-cell idiom at least once (issue 10 section 1)."""
    c = cell_xml(built, "Overview", "J33")
    f = c.find("m:f", NS)
    assert f.text == 'RS_RATING("VICR",,,AsOf)'
    assert f.get("t") is None and c.get("cm") is None  # one value, not a spilling array
    assert _number_format(built, "Overview", "J33") == "0"
    assert cell_xml(built, "Overview", "J34").find("m:f", NS).text == 'YTD_RETURN("VICR",AsOf)'


def test_the_overview_has_a_watchlist_block_of_lifted_formulas(built):
    """Issue 10 section 1: tickers in one column, one formula per metric over all of them.

    Below the printed page (A1:K57), under the Overview's chart: rows 59-72."""
    from xlsrc.dashboard.layout import WATCHLIST_COLUMNS, WATCHLIST_TICKERS

    ws = openpyxl.load_workbook(built, keep_vba=True)["Overview"]
    assert ws["A59"].value == "Watchlist: one formula per column"
    assert ws["C60"].value == "Ticker"
    assert [ws[f"C{r}"].value for r in range(61, 73)] == [*WATCHLIST_TICKERS] + [None] * 6
    assert len(WATCHLIST_COLUMNS) == 8
    for j, (header, formula, fmt) in enumerate(WATCHLIST_COLUMNS):
        col = "DEFGHIJK"[j]
        assert ws[f"{col}60"].value == header
        c = cell_xml(built, "Overview", f"{col}61")
        f = c.find("m:f", NS)
        assert f.text == formula.replace("{tickers}", "$C$61:$C$72")
        assert f.get("t") == "array" and c.get("cm") == "1"  # spills one value per ticker
        assert ws[f"{col}61"].number_format == fmt
        for r in range(62, 73):  # nothing in the spill range
            assert ws[f"{col}{r}"].value is None
    assert cell_xml(built, "Overview", "D61").find("m:f", NS).text == (
        "YTD_RETURN($C$61:$C$72,AsOf)"
    )
    # every function the block uses is a formula the workbook declares
    assert {"YTD_RETURN", "RS_RATING", "TRAILING_RETURN"} <= vbp.wrapped_functions(
        vbp.udf_wrappers()
    )


def test_a_lifted_block_is_a_declarative_addition(tmp_path):
    """A watchlist block (tickers in a column, one formula over all of them per metric)
    is one lifted_block(...) in a sheet's live cells; the builder writes each metric
    formula as a dynamic array over the ticker range, so it spills one value per ticker."""
    overview = DASHBOARD.sheets[0]
    block = lifted_block(
        "H40",
        ("VICR", "ICHR"),
        (
            ("RS rating", "RS_RATING({tickers},,,AsOf)", "0"),
            ("YTD", "YTD_RETURN({tickers},AsOf)", "0.0%"),
        ),
        rows=3,
    )
    layout = replace(
        DASHBOARD,
        sheets=(replace(overview, live=(*overview.live, *block)), *DASHBOARD.sheets[1:]),
    )
    path = tmp_path / "block.xlsm"
    wbk.build_workbook(path, layout=layout)
    wb = openpyxl.load_workbook(path, keep_vba=True)
    ws = wb["Overview"]
    assert [ws[c].value for c in ("H40", "H41", "H42", "H43", "I40", "J40")] == [
        "Ticker", "VICR", "ICHR", None, "RS rating", "YTD"
    ]  # fmt: skip
    for cell, formula, fmt in (
        ("I41", "RS_RATING($H$41:$H$43,,,AsOf)", "0"),
        ("J41", "YTD_RETURN($H$41:$H$43,AsOf)", "0.0%"),
    ):
        c = cell_xml(path, "Overview", cell)
        f = c.find("m:f", NS)
        assert f.text == formula and f.get("t") == "array" and c.get("cm") == "1"
        assert ws[cell].number_format == fmt


def test_dynamic_array_metadata(built):
    p = parts(built)
    meta = p["xl/metadata.xml"].decode()
    assert 'name="XLDAPR"' in meta and 'fDynamic="1"' in meta
    assert b"sheetMetadata" in p["xl/_rels/workbook.xml.rels"]
    assert b"/xl/metadata.xml" in p["[Content_Types].xml"]


def test_named_cells_and_their_starting_values(built):
    wb = openpyxl.load_workbook(built, keep_vba=True)
    settings = wbk.template_settings()
    for named in DASHBOARD.names:
        dn = wb.defined_names[named.name]
        assert dn.attr_text == f"'Settings'!${named.cell[0]}${named.cell[1:]}"
        assert wb["Settings"][named.cell].value == settings[named.key]
    assert {"AsOf", "Universe", "Benchmark", "Watchlist", "TopN", "DataSource", "Status"} <= set(
        wb.defined_names
    )


def _dxf_colors(dxf) -> tuple[str, str]:
    """(fill, font) RGB of a differential format; the fill may sit in fg or bg colour."""
    fill = dxf.fill
    rgb = fill.fgColor.rgb if fill.fgColor.rgb not in (None, "00000000") else fill.bgColor.rgb
    return str(rgb)[-6:], str(dxf.font.color.rgb)[-6:]


def _formats_and_rules(wb) -> dict:
    out = {}
    for sheet in DASHBOARD.sheets:
        ws = wb[sheet.name]
        rules = sorted(
            (str(rng.sqref), r.type, r.operator or "", tuple(r.formula or ()), _dxf_colors(r.dxf))
            for rng in ws.conditional_formatting
            for r in rng.rules
        )
        formats = {}
        for table in sheet.tables:
            for j in range(len(table.columns)):
                for i in (1, table.max_rows):
                    cell = ws.cell(table.header_row + i, table.first_col + j)
                    formats[cell.coordinate] = cell.number_format
        widths = {
            i: round(v.width, 2)
            for v in ws.column_dimensions.values()
            if v.width and v.min
            for i in range(v.min, (v.max or v.min) + 1)
        }
        out[sheet.name] = (rules, formats, widths, ws.freeze_panes)
    return out


def test_same_formats_and_conditional_formatting_as_the_report_writer(built):
    """The report's writer rendering the same formula layout gives the same formats."""
    reference = OpenpyxlWriter()
    render_dashboard(reference, None, replace(DASHBOARD, meta=wbk.template_settings()))
    got = _formats_and_rules(openpyxl.load_workbook(built, keep_vba=True))
    want = _formats_and_rules(reference.wb)
    for sheet in want:
        assert got[sheet][0] == want[sheet][0], f"{sheet}: conditional formats differ"
        assert got[sheet][1] == want[sheet][1], f"{sheet}: number formats differ"
        assert got[sheet][3] == want[sheet][3], f"{sheet}: frozen panes differ"
        for col, width in want[sheet][2].items():
            assert abs(got[sheet][2][col] - width) < 1, (sheet, col)


def test_highlights_are_formula_rules_that_skip_text(built):
    """xlwings sends NaN/None as "" and Excel ranks text above numbers: every numeric
    highlight must be ``AND(ISNUMBER(cell),...)``, or blanks and ``#N/A`` markers light up."""
    wb = openpyxl.load_workbook(built, keep_vba=True)
    for sheet in DASHBOARD.sheets:
        got = sorted(
            (str(rng.sqref), r.type, tuple(r.formula or ()))
            for rng in wb[sheet.name].conditional_formatting
            for r in rng.rules
        )
        want = []
        for table in sheet.tables:
            for rule in table.highlights:
                col = openpyxl.utils.get_column_letter(table.col_of(rule.column))
                top, bottom = table.header_row + 1, table.header_row + table.max_rows
                want.append(
                    (f"{col}{top}:{col}{bottom}", "expression", (rule.formula(f"{col}{top}"),))
                )
                if not isinstance(rule.values[0], str):
                    assert rule.formula(f"{col}{top}").startswith(f"AND(ISNUMBER({col}{top}),")
        assert got == sorted(want), sheet.name


def _chart_refs(path: Path) -> dict[str, list[str]]:
    """Chart title -> the <c:f> references of its series, in order."""
    p = parts(path)
    out = {}
    for name in sorted(n for n in p if n.startswith("xl/charts/chart")):
        xml = p[name].decode()
        title = re.search(r"<a:t>([^<]*)</a:t>", xml).group(1)
        out[title] = re.findall(r"<c:f>([^<]*)</c:f>", xml)
    return out


def _defined_names(path: Path) -> dict[tuple[str | None, str], str]:
    """(localSheetId or None, name) -> refers-to text, from workbook.xml."""
    book = ET.fromstring(parts(path)["xl/workbook.xml"])
    return {
        (d.get("localSheetId"), d.get("name")): d.text
        for d in book.find("m:definedNames", NS)
        if not d.get("name").startswith("_xlnm.")
    }


# The names over the spills, worked out from the layout by hand: REBASED spills from
# Overview!M5 (header row 5, columns Date, IWM, SPY, QQQ = 1..4); SECTORS from Sectors!A4
# (#, Ticker, Sector, 1D, 1M, YTD: Ticker is column 2, YTD column 6).
_M5 = "_xlfn.ANCHORARRAY('Overview'!$M$5)"
_A4 = "_xlfn.ANCHORARRAY('Sectors'!$A$4)"
SPILL_NAMES = {
    ("0", "spill_rebased_date"): f"INDEX({_M5},2,1):INDEX({_M5},ROWS({_M5}),1)",
    ("0", "spill_rebased_IWM"): f"INDEX({_M5},2,2):INDEX({_M5},ROWS({_M5}),2)",
    ("0", "spill_rebased_SPY"): f"INDEX({_M5},2,3):INDEX({_M5},ROWS({_M5}),3)",
    ("0", "spill_rebased_QQQ"): f"INDEX({_M5},2,4):INDEX({_M5},ROWS({_M5}),4)",
    ("2", "spill_sectors_ticker"): f"INDEX({_A4},2,2):INDEX({_A4},ROWS({_A4}),2)",
    ("2", "spill_sectors_ret_ytd"): f"INDEX({_A4},2,6):INDEX({_A4},ROWS({_A4}),6)",
}


def test_line_and_bar_charts_follow_the_spilled_tables(built):
    """No fixed range sized to max_rows (the price chart spanned 260 rows, a longer result
    was cut off): the series read sheet-level names over the spill (localSheetId 0 =
    Overview, 2 = Sectors)."""
    names = _defined_names(built)
    assert {k: v for k, v in names.items() if k[1].startswith("spill_")} == SPILL_NAMES
    refs = _chart_refs(built)
    line = refs["IWM vs SPY vs QQQ, rebased to 100 at the start of the year"]
    assert line == [
        "'Overview'!$N$5", "'Overview'!spill_rebased_date", "'Overview'!spill_rebased_IWM",
        "'Overview'!$O$5", "'Overview'!spill_rebased_date", "'Overview'!spill_rebased_SPY",
        "'Overview'!$P$5", "'Overview'!spill_rebased_date", "'Overview'!spill_rebased_QQQ",
    ]  # fmt: skip
    bar = refs["Sector SPDRs: YTD return"]
    assert bar == [
        "'Sectors'!$F$4",
        "'Sectors'!spill_sectors_ticker",
        "'Sectors'!spill_sectors_ret_ytd",
    ]
    # No name starts with R or C: Excel reads those as R1C1 references in a SERIES formula.
    assert not any(name[0] in "RrCc" for _, name in SPILL_NAMES)


def test_scatter_keeps_one_series_per_sector(built):
    """The RRG colours and labels each sector: a series per row of the 11 sector SPDRs
    (rows 5..15 of Sectors; columns #, Ticker, Sector, 1D, 1M, YTD, RS rating, RS-Ratio,
    RS-Mom. = A..I, so labels in B, RS-Ratio in H, RS-Momentum in I), plus the two quadrant
    lines from the 4 rows of RRG_GUIDES (Q5:S8)."""
    rrg = _chart_refs(built)["Relative Rotation Graph"]
    for r in range(5, 16):
        assert rrg[(r - 5) * 3 : (r - 5) * 3 + 3] == [
            f"'Sectors'!$B${r}",
            f"'Sectors'!$H${r}",
            f"'Sectors'!$I${r}",
        ]
    assert rrg[33:] == [
        "'Sectors'!$Q$5", "'Sectors'!$R$5:$R$6", "'Sectors'!$S$5:$S$6",
        "'Sectors'!$Q$7", "'Sectors'!$R$7:$R$8", "'Sectors'!$S$7:$S$8",
    ]  # fmt: skip


def test_buttons_run_the_macros(built):
    p = parts(built)
    sp = sheet_parts(built)
    vba = _modules(built)["xlsrc_macros"]
    subs = set(re.findall(r"^Public Sub (\w+)\(\)", vba, flags=re.MULTILINE))
    for sheet in {b.sheet for b in wbk.BUTTONS}:
        rels = p[sp[sheet].replace("worksheets/", "worksheets/_rels/") + ".rels"].decode()
        vml_name = re.search(r'Target="\.\./drawings/(vmlDrawing\d+\.vml)"', rels).group(1)
        vml = p["xl/drawings/" + vml_name].decode()
        macros_ = [m for m in re.findall(r"<x:FmlaMacro>([^<]*)</x:FmlaMacro>", vml) if m]
        captions = re.findall(r"<font[^>]*>([^<]+)</font>", vml)
        want = [b for b in wbk.BUTTONS if b.sheet == sheet]
        assert macros_ == [f"[0]!{b.macro}" for b in want]
        assert captions == [b.caption for b in want]
        assert {b.macro for b in want} <= subs


def _modules(path: Path) -> dict[str, str]:
    with ExcelFile(str(path)) as book:
        assert book.validate() == []
        return {n: book.get_module(n) for n in book.module_names()}


def norm(text: str) -> str:
    return text.replace("\r\n", "\n").strip()


def test_vba_modules_present_and_parseable(built):
    modules = _modules(built)
    assert set(vbp.VBA_MODULES) <= set(modules)
    import xlwings

    bas = (Path(xlwings.__file__).parent / "xlwings.bas").read_text(encoding="utf-8")
    assert norm(modules["xlwings"]) == norm(bas), (
        "standalone module differs from the pinned xlwings"
    )
    assert f"'Version: {xlwings.__version__}" in modules["xlwings"]
    for name in ("xlwings_udfs", "xlsrc_macros", "Dictionary", "ThisWorkbook", "Sheet1"):
        parse_module(parseable(modules[name]))  # raises VBACompileError if it does not parse
    # The standalone module is checked by identity with xlwings.bas instead.


def parseable(source: str) -> str:
    """``source`` without the comment after a ``#Const`` (test harness only).

    ``#Const App = "Microsoft Excel" 'Adjust when using outside of Excel`` is valid VBA
    (MS-VBAL 3.4.1: a conditional-compilation line may end in a comment; xlwings.bas starts
    with it and Excel compiles it), but pyOpenVBA 6.5's parser stops at the comment. The
    workbook keeps xlwings' text; only what this test hands the parser drops the comment.
    """
    return re.sub(r"^(#Const [^'\r\n]*?) *'[^\r\n]*", r"\1", source, flags=re.MULTILINE)


def test_every_udf_is_embedded(built):
    wrappers = _modules(built)["xlwings_udfs"]
    declared = set(re.findall(r"^Function (\w+)\(", wrappers, flags=re.MULTILINE))
    assert {f.__name__ for f in udfs.UDFS} <= declared
    assert set(vbp.formula_functions()) - vbp.EXCEL_FUNCTIONS <= declared
    assert 'XLPy.CallUDF("xlsrc.excel.udfs", "LEADERS"' in wrappers


def test_macros_call_runpython_with_the_python_entry_points(built):
    source = _modules(built)["xlsrc_macros"]
    vba = Interpreter()
    vba.add_module(
        "Public LastCommand As String\r\n"
        "Public Function RunPython(PythonCommand As String)\r\n"
        "    LastCommand = PythonCommand\r\nEnd Function\r\n"
        "Public Function Last() As String\r\n    Last = LastCommand\r\nEnd Function\r\n",
        name="xlwings",
    )
    vba.add_module(source, name="xlsrc_macros")
    for macro, func in (
        ("RefreshData", "refresh_data"),
        ("RebuildDashboard", "rebuild_dashboard"),
        ("ExportReport", "export_report"),
    ):
        vba.run(macro)
        command = str(vba.run("Last"))
        assert command == f"import xlsrc.excel.macros as m; m.{func}()"
        assert callable(getattr(macros, func))


def conf_rows(path: Path) -> dict[str, object]:
    ws = openpyxl.load_workbook(path, keep_vba=True)["xlwings.conf"]
    rows = {}
    for row in ws.iter_rows(min_row=1, max_col=2, values_only=True):
        if row[0] is None:
            break  # xlwings reads from A1 down to the first blank
        rows[row[0]] = row[1]
    return rows


#: The keys xlwings 0.37.8 reads (xlwings.bas: GetConfig("INTERPRETER_WIN"),
#: "INTERPRETER_MAC", "PYTHONPATH", "CONDA PATH", "CONDA ENV", "UDF MODULES", "DEBUG UDFS",
#: "USE UDF SERVER", "SHOW CONSOLE", "ADD_WORKBOOK_TO_PYTHONPATH"; the sheet's keys are
#: upper-cased by GetConfigFromSheet), in the order of its quickstart's conf sheet.
CONF_KEYS = [
    "Interpreter_Win", "Interpreter_Mac", "PYTHONPATH", "Conda Path", "Conda Env",
    "UDF Modules", "Debug UDFs", "Use UDF Server", "Show Console", "ADD_WORKBOOK_TO_PYTHONPATH",
]  # fmt: skip


def test_xlwings_conf_sheet(built):
    rows = conf_rows(built)
    assert list(rows) == CONF_KEYS
    import xlwings

    bas = (Path(xlwings.__file__).parent / "xlwings.bas").read_text(encoding="utf-8")
    for key in CONF_KEYS:
        assert f'GetConfig("{key.upper()}"' in bas, key
    assert rows["UDF Modules"] == "xlsrc.excel.udfs"
    assert rows["Interpreter_Win"] == "python"
    assert rows["Use UDF Server"] is True
    assert rows["Debug UDFs"] is False
    assert not rows["PYTHONPATH"]  # xlsrc is pip-installed: nothing to add
    assert rows["Conda Path"] is None and rows["Conda Env"] is None
    # False: the workbook's folder is not put first on sys.path, so a stray pandas.py
    # beside it (Downloads) is never imported in place of pandas.
    assert rows["ADD_WORKBOOK_TO_PYTHONPATH"] is False
    ws = openpyxl.load_workbook(built)["xlwings.conf"]
    notes = " ".join(str(c.value) for row in ws.iter_rows(min_row=12) for c in row if c.value)
    assert "pip install xlsrc " not in notes + " " and "not on PyPI" in notes
    assert "xlsrc workbook new" in notes


@pytest.mark.parametrize(
    ("executable", "platform", "prefix", "conda_meta", "want"),
    [
        # a virtual environment: its own python.exe (xlwings finds its DLL one folder up)
        (r"C:\venvs\xlsrc\Scripts\python.exe", "win32", r"C:\venvs\xlsrc", False,
         {"Interpreter_Win": r"C:\venvs\xlsrc\Scripts\python.exe"}),
        # a Mac: Interpreter_Mac
        ("/Users/me/.venvs/xlsrc/bin/python", "darwin", "/Users/me/.venvs/xlsrc", False,
         {"Interpreter_Mac": "/Users/me/.venvs/xlsrc/bin/python"}),
        # Conda base: xlwings activates it (python + Conda Path + Conda Env)
        (r"C:\miniconda3\python.exe", "win32", "miniconda3", True,
         {"Interpreter_Win": "python", "Conda Path": "miniconda3", "Conda Env": "base"}),
        # a named Conda environment under <root>/envs
        (r"C:\miniconda3\envs\xl\python.exe", "win32", "miniconda3/envs/xl", True,
         {"Interpreter_Win": "python", "Conda Path": "miniconda3", "Conda Env": "xl"}),
    ],
)  # fmt: skip
def test_interpreter_conf(tmp_path, executable, platform, prefix, conda_meta, want):
    env = tmp_path / prefix if conda_meta else Path(prefix)
    if conda_meta:
        (env / "conda-meta").mkdir(parents=True)
        want = {k: str(tmp_path / v) if k == "Conda Path" else v for k, v in want.items()}
    assert wbk.interpreter_conf(executable, platform, env) == want


def test_new_workbook_names_this_python(tmp_path, built):
    out = tmp_path / "mine.xlsm"
    wbk.new_workbook(out, executable=r"C:\venvs\xlsrc\Scripts\python.exe", platform="win32")
    rows = conf_rows(out)
    assert rows.pop("Interpreter_Win") == r"C:\venvs\xlsrc\Scripts\python.exe"
    template = conf_rows(built)
    template.pop("Interpreter_Win")
    assert rows == template
    # everything but the conf sheet is the template's
    got, want = parts(out), parts(built)
    conf_part = sheet_parts(built)["xlwings.conf"]
    assert {n for n in got if got[n] != want.get(n)} <= {conf_part, "xl/sharedStrings.xml"}


def test_unknown_conf_key_is_refused(tmp_path):
    with pytest.raises(wbk.XlsrcError, match=r"Unknown xlwings\.conf keys"):
        wbk.build_workbook(tmp_path / "x.xlsm", conf={"Interpreter": "python"})


def test_writing_onto_a_workbook_open_in_excel_is_one_line(tmp_path, monkeypatch, capsys):
    """Excel locks an open workbook: os.replace onto it raises PermissionError (Windows
    error 32/5). The command says so in one line on stderr and exits 1, the file on disk
    is untouched and no temporary file is left behind."""
    from xlsrc import cli

    out = tmp_path / "open.xlsm"
    out.write_bytes(b"the workbook open in Excel")

    def locked(src, dst):
        raise PermissionError(13, "Permission denied", str(dst))

    monkeypatch.setattr(wbk.os, "replace", locked)
    for argv in (["workbook", "build", "--out", str(out)], ["workbook", "new", "--out", str(out)]):
        assert cli.main(argv) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Traceback" not in err
        assert err.startswith(
            f"xlsrc: error: Cannot write the workbook to {out}: Permission denied"
        )
        assert "open in Excel" in err
        assert out.read_bytes() == b"the workbook open in Excel"
        assert [p.name for p in tmp_path.iterdir()] == ["open.xlsm"]


def test_workbook_new_command(tmp_path, capsys):
    import sys

    from xlsrc import cli

    out = tmp_path / "mine.xlsm"
    assert cli.main(["workbook", "new", "--out", str(out), "--quiet"]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    key = "Interpreter_Mac" if sys.platform == "darwin" else "Interpreter_Win"
    if not (Path(sys.prefix) / "conda-meta").is_dir():
        assert conf_rows(out)[key] == sys.executable


def test_missing_udf_fails_the_build(tmp_path):
    overview = DASHBOARD.sheets[0]
    bad_table = replace(overview.tables[0], formula="NOT_AN_XLSRC_UDF(AsOf)")
    bad = replace(
        DASHBOARD,
        sheets=(replace(overview, tables=(bad_table, *overview.tables[1:])), *DASHBOARD.sheets[1:]),
    )
    with pytest.raises(wbk.WorkbookBuildError, match="NOT_AN_XLSRC_UDF"):
        wbk.build_workbook(tmp_path / "bad.xlsm", layout=bad)
    assert not (tmp_path / "bad.xlsm").exists()


def test_out_path_must_be_xlsm(tmp_path):
    with pytest.raises(wbk.XlsrcError, match=r"\.xlsm"):
        wbk.build_workbook(tmp_path / "x.xlsx")


def test_a_missing_output_folder_is_made_as_the_reports_is(tmp_path, built):
    """Review 3: ``report --out newdir/x.xlsx`` made the folder, ``workbook build`` refused."""
    path = tmp_path / "new" / "dir" / "w.xlsm"
    wbk.build_workbook(path)
    assert path.read_bytes()[:2] == b"PK"
    (tmp_path / "afile").write_text("x")  # a file where the folder should be
    with pytest.raises(wbk.XlsrcError, match=r"^Cannot write .*: cannot make folder .*afile"):
        wbk.build_workbook(tmp_path / "afile" / "w.xlsm")


def _comparable(path: Path) -> dict[str, object]:
    out: dict[str, object] = {}
    for name, data in parts(path).items():
        if name == "xl/vbaProject.bin":
            out[name] = {k: norm(v) for k, v in _modules(path).items()}
        elif name == "docProps/core.xml":
            out[name] = re.sub(rb"<dcterms:(created|modified)[^>]*>[^<]*</dcterms:\1>", b"", data)
        else:
            out[name] = data
    return out


def test_build_is_reproducible(built, tmp_path):
    again = tmp_path / "again.xlsm"
    wbk.build_workbook(again)
    assert parts(again) == parts(built)


def test_committed_template_matches_a_fresh_build(built):
    assert COMMITTED.exists(), "run: python scripts/build_workbook.py"
    got, want = _comparable(COMMITTED), _comparable(built)
    assert sorted(got) == sorted(want)
    for name in want:
        assert got[name] == want[name], (
            f"{name} differs from a fresh build: run python scripts/build_workbook.py"
        )


def test_the_rotation_summary_rows_index_one_spilling_formula(built):
    """Overview A5:K14: each row merged and wrapped, ``IFERROR("• "&INDEX(...),"")``
    written as a one-cell dynamic array (so Excel adds no ``@`` before the UDF)."""
    wb = openpyxl.load_workbook(built, keep_vba=True)
    ws = wb["Overview"]
    merged = {str(r) for r in ws.merged_cells.ranges}
    for k in range(1, 11):
        row = 4 + k
        assert f"A{row}:K{row}" in merged
        c = cell_xml(built, "Overview", f"A{row}")
        f = c.find("m:f", NS)
        assert f.text == f'IFERROR("\u2022 "&INDEX(ROTATION_SUMMARY(AsOf),{k}),"")'
        assert f.get("t") == "array" and f.get("ref") == f"A{row}" and c.get("cm") == "1"
        assert ws.row_dimensions[row].height == 30
        assert ws[f"A{row}"].alignment.wrap_text and ws[f"A{row}"].alignment.vertical == "top"
    assert ws["A4"].value == "The day's rotation in words"
