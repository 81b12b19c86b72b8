"""The layout definition is consistent, and renders as formulas without a market.

These tests need no data: they check the one definition itself (every cell address is
written once, charts and highlights point at real columns, the workbook formulas name
xlsrc functions) and drive :func:`render_dashboard` in formula mode through a recording
writer, the way the live workbook will.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest

from xlsrc.dashboard.layout import (
    AS_OF_USED,
    DASHBOARD,
    SHORTENED_RS_TAGS,
    Highlight,
    cell_address,
    column_letter,
    rs_basis_tag,
    split_cell,
)
from xlsrc.dashboard.render import Ref, render_dashboard

UDFS = Path(__file__).resolve().parents[1] / "xlsrc" / "excel" / "udfs.py"

#: Table formulas the layout uses that the UDF module does not define yet. Shrink this as
#: they land; the test fails if one is listed here but already exists (keep it honest).
PENDING_UDFS: set[str] = set()


def test_address_helpers() -> None:
    assert column_letter(1) == "A"
    assert column_letter(26) == "Z"
    assert column_letter(27) == "AA"
    assert split_cell("C5") == (5, 3)
    assert split_cell("$AB$12") == (12, 28)
    assert cell_address(12, 28, absolute=True) == "$AB$12"
    with pytest.raises(ValueError):
        split_cell("5C")


def test_sheets_in_tab_order() -> None:
    assert [s.name for s in DASHBOARD.sheets] == [
        "Overview",
        "Leaders",
        "Sectors",
        "Groups",
        "Technicals",
        "Settings",
    ]


def test_names_are_the_settings_inputs() -> None:
    names = {n.name: n for n in DASHBOARD.names}
    assert set(names) == {
        "AsOf",
        "Universe",
        "Benchmark",
        "Watchlist",
        "TopN",
        "DataSource",
        "Status",
    }
    assert names["AsOf"].number_format == "yyyy-mm-dd"


def _cells_of_sheet(sheet: Any) -> dict[tuple[int, int], str]:
    """Every cell the layout may write on a sheet (tables at their maximum size)."""
    owner: dict[tuple[int, int], str] = {}

    def claim(row: int, col: int, what: str) -> None:
        assert (row, col) not in owner, (
            f"{sheet.name}!{cell_address(row, col)}: {owner[(row, col)]} and {what}"
        )
        owner[(row, col)] = what

    for text in sheet.texts:
        claim(*split_cell(text.cell), f"text {text.text!r}")
    if sheet.name == DASHBOARD.settings_sheet:
        for n in DASHBOARD.names:
            r, c = split_cell(n.cell)
            claim(r, c - 1, f"label {n.name}")
            claim(r, c, f"name {n.name}")
            claim(r, c + 1, f"help {n.name}")
    for p in sheet.paragraphs:
        r0, c0 = split_cell(p.anchor)
        if p.title:
            claim(r0 - 1, c0, f"title of {p.name}")
        for i in range(p.rows):
            for j in range(p.span):
                claim(r0 + i, c0 + j, f"line {i + 1} of {p.name}")
    for t in sheet.tables:
        r0, c0 = split_cell(t.anchor)
        if t.title:
            claim(r0 - 1, c0, f"title of {t.name}")
        rows = t.max_rows + (2 if t.note else 0)
        for i in range(rows + 1):
            for j in range(len(t.columns)):
                claim(r0 + i, c0 + j, f"table {t.name}")
    return owner


@pytest.mark.parametrize("sheet", DASHBOARD.sheets, ids=lambda s: s.name)
def test_every_cell_is_written_once(sheet: Any) -> None:
    _cells_of_sheet(sheet)


@pytest.mark.parametrize("table", DASHBOARD.tables, ids=lambda t: t.name)
def test_table_columns(table: Any) -> None:
    assert len(set(table.keys)) == len(table.keys)
    assert all(c.header for c in table.columns)
    assert all(c.width > 0 for c in table.columns)
    for rule in table.highlights:
        assert rule.column in table.keys
    for c in table.columns:
        if c.key.startswith("ret_") or c.key.startswith("pct_"):
            assert c.number_format.startswith("0.0%"), c.key


def test_percent_columns_use_one_decimal() -> None:
    leaders = DASHBOARD.table("leaders")
    fmts = {c.key: c.number_format for c in leaders.columns}
    assert fmts["ret_ytd"] == "0.0%;[Red]-0.0%"
    assert fmts["rs_rating"] == "0"


def test_highlights_an_analyst_reads_at_a_glance() -> None:
    rules = {(h.column, h.operator, h.values) for h in DASHBOARD.table("leaders").highlights}
    assert ("rs_rating", "greaterThanOrEqual", (90,)) in rules
    assert ("rsi14", "greaterThan", (80,)) in rules
    assert ("rsi14", "between", (70, 80)) in rules
    assert ("pct_from_sma20", "greaterThan", (0.2,)) in rules  # the registry's name


# --------------------------------------------------------------------------- highlight formulas
def _excel_rank(value: Any) -> tuple[int, Any]:
    """Excel's comparison order: numbers < text (case-insensitive) < booleans."""
    if isinstance(value, bool):
        return (2, value)
    if isinstance(value, int | float):
        return (0, value)
    return (1, str(value).lower())


def _excel_compare(left: Any, op: str, right: Any) -> bool:
    """``left op right`` as an Excel formula compares (an empty cell is 0 or "")."""
    if left is None:
        left = "" if isinstance(right, str) else 0
    a, b = _excel_rank(left), _excel_rank(right)
    if a[0] != b[0]:
        a, b = (a[0], 0), (b[0], 0)
    return {
        ">": a > b, ">=": a >= b, "<": a < b, "<=": a <= b, "=": a == b, "<>": a != b
    }[op]  # fmt: skip


def _split_args(text: str) -> list[str]:
    depth, start, out = 0, 0, []
    for i, ch in enumerate(text):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if ch == "," and depth == 0:
            out.append(text[start:i])
            start = i + 1
    return [*out, text[start:]]


def excel_eval(formula: str, cell: str, value: Any) -> bool:
    """Evaluate a highlight formula (AND, ISNUMBER, comparisons) with ``cell`` = ``value``.

    Enough of Excel to decide whether a conditional format fires for a cell value.
    """
    if formula.startswith("AND(") and formula.endswith(")"):
        return all(excel_eval(arg, cell, value) for arg in _split_args(formula[4:-1]))
    if formula == f"ISNUMBER({cell})":
        return isinstance(value, int | float) and not isinstance(value, bool)
    m = re.fullmatch(rf"{cell}(>=|<=|<>|>|<|=)(.+)", formula)
    assert m, f"cannot evaluate {formula!r}"
    literal = m.group(2)
    right = literal[1:-1] if literal.startswith('"') else float(literal)
    return _excel_compare(value, m.group(1), right)


def test_excel_ranks_text_above_numbers() -> None:
    """Why a plain cell-value rule ("greater than 80") would colour an xlwings blank ""."""
    assert _excel_compare("", ">", 80)
    assert _excel_compare("#N/A unknown ticker", ">=", 90)
    assert _excel_compare(None, "<", 30)  # and an empty cell counts as 0


ALL_RULES = sorted(
    {rule for t in DASHBOARD.tables for rule in t.highlights}, key=lambda r: r.meaning
)
#: Python's reading of each operator (what a number in the cell must satisfy).
PY_OPS = {
    "greaterThan": lambda x, v: x > v[0],
    "greaterThanOrEqual": lambda x, v: x >= v[0],
    "lessThan": lambda x, v: x < v[0],
    "lessThanOrEqual": lambda x, v: x <= v[0],
    "equal": lambda x, v: x == v[0],
    "between": lambda x, v: v[0] <= x <= v[1],
}


@pytest.mark.parametrize("rule", ALL_RULES, ids=lambda r: r.meaning)
def test_highlight_formula_ignores_blanks_and_markers(rule: Highlight) -> None:
    formula = rule.formula("E5")
    for text in ("", "#N/A unknown ticker XYZQ", "n/a", None):
        assert not excel_eval(formula, "E5", text), (formula, text)
    if all(isinstance(v, str) for v in rule.values):
        assert excel_eval(formula, "E5", rule.values[0])
        assert excel_eval(formula, "E5", str(rule.values[0]).upper())
        assert not excel_eval(formula, "E5", 1.0)
        return
    assert formula.startswith("AND(ISNUMBER(E5),")
    for x in (-1, 0, 0.2, 0.21, 29.9, 30, 69.9, 70, 75, 80, 80.1, 89.9, 90, 99):
        assert excel_eval(formula, "E5", x) == PY_OPS[rule.operator](x, rule.values), (formula, x)


def test_highlight_formula_text() -> None:
    rules = {(h.column, h.operator): h for h in DASHBOARD.table("leaders").highlights}
    assert rules["rsi14", "between"].formula("K5") == "AND(ISNUMBER(K5),K5>=70,K5<=80)"
    assert rules["rs_rating", "greaterThanOrEqual"].formula("RC") == "AND(ISNUMBER(RC),RC>=90)"
    quadrant = DASHBOARD.table("sectors").highlights[-1]
    assert quadrant.formula("H5") == 'H5="Lagging"'
    with pytest.raises(ValueError):
        Highlight("rsi14", "between", (70,), "FFFFFF", "000000", "one bound")
    with pytest.raises(ValueError):
        Highlight("rsi14", "greaterThan", ("80",), "FFFFFF", "000000", "text threshold")


@pytest.mark.parametrize(
    "chart", [c for s in DASHBOARD.sheets for c in s.charts], ids=lambda c: c.name
)
def test_charts_reference_tables_on_their_sheet(chart: Any) -> None:
    sheet = next(s for s in DASHBOARD.sheets if chart in s.charts)
    table = sheet.table(chart.table)
    assert chart.x in table.keys
    assert all(y in table.keys for y in chart.y)
    if chart.kind == "scatter":
        assert chart.label in table.keys
        guides = sheet.table(chart.guides)
        assert {"line", "x", "y"} <= set(guides.keys)
    # the chart does not cover the tables' cells
    r, c = split_cell(chart.anchor)
    cells = _cells_of_sheet(sheet)
    assert (r, c) not in cells


def _udf_names() -> set[str]:
    tree = ast.parse(UDFS.read_text(encoding="utf-8"))
    return {n.name for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.isupper()}


@pytest.mark.skipif(not UDFS.exists(), reason="UDF module not written yet")
def test_table_formulas_name_xlsrc_functions() -> None:
    defined = _udf_names()
    used = set()
    for t in DASHBOARD.tables:
        m = re.match(r"^([A-Z_][A-Z0-9_]*)\(", t.formula)
        assert m, t.formula
        used.add(m.group(1))
    missing = used - defined
    assert missing <= PENDING_UDFS, (
        f"layout formulas without a UDF: {sorted(missing - PENDING_UDFS)}"
    )
    assert not (PENDING_UDFS & defined), (
        f"now defined, remove from PENDING_UDFS: {PENDING_UDFS & defined}"
    )


class RecordingWriter:
    """A SheetWriter that records calls, to check formula mode without a spreadsheet."""

    def __init__(self) -> None:
        self.sheet = ""
        self.cells: dict[tuple[str, str], Any] = {}
        self.formulas: dict[tuple[str, str], tuple[str, bool]] = {}
        self.names: dict[str, Ref] = {}
        self.charts: list[tuple[str, Any, list[Any]]] = []
        self.rules: list[tuple[Ref, Any]] = []
        self.frozen: dict[str, str] = {}
        self.merged: list[Ref] = []
        self.heights: dict[tuple[str, int], float] = {}

    def add_sheet(self, sheet: Any) -> None:
        self.sheet = sheet.name

    def _claim(self, cell: str) -> None:
        key = (self.sheet, cell)
        assert key not in self.cells and key not in self.formulas, f"{key} written twice"

    def write(self, cell: str, value: Any, number_format: Any, style: str, align: str = "") -> None:
        self._claim(cell)
        self.cells[(self.sheet, cell)] = value

    def write_formula(
        self, cell: str, formula: str, number_format: Any, style: str, spill: bool
    ) -> None:
        self._claim(cell)
        self.formulas[(self.sheet, cell)] = (formula, spill)

    def set_width(self, col: int, width: float) -> None:
        pass

    def set_format(self, ref: Ref, number_format: str) -> None:
        pass

    def highlight(self, ref: Ref, rule: Any) -> None:
        self.rules.append((ref, rule))

    def chart(self, chart: Any, series: list[Any], bounds: dict[str, float]) -> None:
        self.charts.append((self.sheet, chart, series))

    def finish_sheet(self, sheet: Any, title_rows: int) -> None:
        self.frozen[sheet.name] = sheet.freeze

    def define_name(self, name: str, ref: Ref) -> None:
        self.names[name] = ref

    def merge(self, ref: Ref, style: str) -> None:
        self.merged.append(ref)

    def set_height(self, row: int, points: float) -> None:
        self.heights[(self.sheet, row)] = points


def test_formula_mode_puts_each_table_formula_at_its_anchor() -> None:
    w = RecordingWriter()
    rows = render_dashboard(w, data=None)
    for sheet in DASHBOARD.sheets:
        for t in sheet.tables:
            assert w.formulas[(sheet.name, t.anchor)] == (t.formula, True)
            assert rows[t.name] == t.max_rows
    assert w.formulas[("Leaders", "A4")][0] == 'LEADERS(Universe, TopN, "ytd", , AsOf)'
    assert w.formulas[("Groups", "A5")][0] == "INDUSTRY_GROUPS(, 20, AsOf)"
    assert w.formulas[("Groups", "A29")][0] == "INDUSTRY_GROUPS(, -10, AsOf)"
    assert w.names["AsOf"].a1() == "'Settings'!$B$4"
    assert len(w.charts) == 3
    # the subtitle is a formula in the workbook, so it follows the settings; the date the
    # formulas use is a cell of its own on every sheet (a date cell, not TEXT(AsOf,...))
    assert "DataSource" in w.formulas[("Overview", "A2")][0]
    for sheet in ("Overview", "Leaders", "Sectors", "Groups", "Technicals"):
        assert w.formulas[(sheet, "B3")] == (AS_OF_USED, False)


def test_the_rotation_summary_is_one_merged_line_per_row_at_the_top() -> None:
    """Overview rows 5-14: line k is ``IFERROR("• "&INDEX(ROTATION_SUMMARY(AsOf),k),"")``
    in cells A:K merged (a merged cell cannot hold a spill), two lines high."""
    w = RecordingWriter()
    rows = render_dashboard(w, data=None)
    assert rows["rotation_summary"] == 10
    assert w.cells[("Overview", "A4")] == "The day's rotation in words"
    for k in range(1, 11):
        assert w.formulas[("Overview", f"A{4 + k}")] == (
            f'IFERROR("\u2022 "&INDEX(ROTATION_SUMMARY(AsOf),{k}),"")',
            True,
        )
        assert w.heights[("Overview", 4 + k)] == 30.0
    merged = [r.a1() for r in w.merged]
    assert merged == [f"'Overview'!$A${r}:$K${r}" for r in range(5, 15)]
    # the tables start below it
    assert min(split_cell(t.anchor)[0] for t in DASHBOARD.sheet("Overview").tables[:3]) == 17


def test_rs_basis_tags_by_hand() -> None:
    """The RS windows are 63/126/189/252 sessions: 3, 6, 9, 12 months of 21 sessions."""
    assert [rs_basis_tag(n) for n in (0, 1, 2, 3, 4)] == [
        "",
        "3M only",
        "3M+6M only",
        "3M+6M+9M only",
        "",
    ]
    assert [rs_basis_tag(x) for x in (float("nan"), None, True, 2.5, "2", 5)] == [""] * 6
    assert rs_basis_tag(2.0) == "3M+6M only"
    assert SHORTENED_RS_TAGS == ("3M only", "3M+6M only", "3M+6M+9M only")
    # every table that shows an RS rating of a ticker flags a shortened one, in orange
    for name in ("leaders", "sectors", "technicals"):
        table = DASHBOARD.table(name)
        assert "rs_basis" in table.keys, name
        flagged = {h.values[0] for h in table.highlights if h.column == "rs_basis"}
        assert flagged == set(SHORTENED_RS_TAGS), name


def test_scatter_series_are_one_per_sector_plus_two_guides() -> None:
    w = RecordingWriter()
    render_dashboard(w, data=None)
    rrg = next(s for _, c, s in w.charts if c.name == "rrg")
    data = [s for s in rrg if s.kind == "data"]
    guides = [s for s in rrg if s.kind == "guide"]
    assert len(data) == DASHBOARD.table("sectors").max_rows
    assert len(guides) == 2
    assert guides[0].x.a1() == "'Sectors'!$R$5:$R$6"
