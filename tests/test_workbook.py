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
import xlsrc.excel.workbook as wbk
from xlsrc.dashboard.layout import DASHBOARD, Table
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
    assert names == ["Overview", "Leaders", "Sectors", "Technicals", "Settings", "xlwings.conf"]


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
        for text in sheet.texts:
            f = cell_xml(built, sheet.name, text.cell).find("m:f", NS)
            if text.formula:
                assert f is not None and f.text == text.formula
                assert f.get("t") is None  # a plain formula, not an array
            else:
                assert f is None


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


def test_charts_reference_the_layout_ranges(built):
    p = parts(built)
    charts = [p[n].decode() for n in sorted(p) if n.startswith("xl/charts/chart")]
    assert len(charts) == sum(len(s.charts) for s in DASHBOARD.sheets)
    refs = " ".join(re.findall(r"<c:f>([^<]*)</c:f>", "".join(charts)))
    assert "'Overview'!$M$6:$M$265" in refs  # rebased dates, max_rows below the anchor
    assert "'Sectors'!$B$5:$B$15" in refs  # sector tickers


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
    assert set(wbk.VBA_MODULES) <= set(modules)
    import xlwings

    bas = (Path(xlwings.__file__).parent / "xlwings.bas").read_text(encoding="utf-8")
    assert norm(modules["xlwings"]) == norm(bas), (
        "standalone module differs from the pinned xlwings"
    )
    assert f"'Version: {xlwings.__version__}" in modules["xlwings"]
    for name in ("xlwings_udfs", "xlsrc_macros", "Dictionary", "ThisWorkbook"):
        parse_module(modules[name])  # raises VBACompileError if it does not parse
    # pyOpenVBA's parser does not read the "#Const ... 'comment" line xlwings.bas starts
    # with, so the standalone module is checked by identity with xlwings.bas instead.


def test_every_udf_is_embedded(built):
    wrappers = _modules(built)["xlwings_udfs"]
    declared = set(re.findall(r"^Function (\w+)\(", wrappers, flags=re.MULTILINE))
    assert {f.__name__ for f in udfs.UDFS} <= declared
    assert set(wbk.formula_functions()) - wbk.EXCEL_FUNCTIONS <= declared
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


def test_xlwings_conf_sheet(built):
    ws = openpyxl.load_workbook(built, keep_vba=True)["xlwings.conf"]
    rows = {}
    for row in ws.iter_rows(min_row=1, max_col=2, values_only=True):
        if row[0] is None:
            break  # xlwings reads from A1 down to the first blank
        rows[row[0]] = row[1]
    assert rows["UDF Modules"] == "xlsrc.excel.udfs"
    assert rows["Interpreter_Win"] == "python"
    assert rows["Use UDF Server"] is True
    assert rows["Debug UDFs"] is False
    assert not rows["PYTHONPATH"]  # xlsrc is pip-installed: nothing to add


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
