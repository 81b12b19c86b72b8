"""Build the live dashboard workbook (``.xlsm``): the layout in formula mode plus VBA.

An adapter. :func:`build_workbook` translates, it computes nothing:

1. **Sheets** — :data:`xlsrc.dashboard.layout.DASHBOARD` is rendered by
   :func:`xlsrc.dashboard.render.render_dashboard` with ``data=None`` through
   :class:`XlsxWriterWriter`, so every address comes from the layout. Table anchors get
   dynamic-array formulas (XlsxWriter's ``write_dynamic_array_formula`` writes the
   ``cm`` attribute and ``xl/metadata.xml`` Excel 365 needs to spill them). An
   ``xlwings.conf`` sheet tells xlwings which Python to start and which UDF module to
   load; form-control buttons run the macros in :data:`MACROS_BAS`.
2. **VBA project** — built in pure Python with pyOpenVBA from the blank ``.xlsm`` it
   ships (authored by Excel), with four modules added: ``xlwings`` (the standalone module
   ``xlwings.bas`` of the installed, pinned xlwings), ``Dictionary`` (the class it needs on
   the Mac, from the same package), ``xlwings_udfs`` (the UDF wrappers written by
   xlwings' own ``generate_vba_wrapper``, as "Import Functions" would) and
   ``xlsrc_macros`` (the button macros, ``xlsrc/excel/vba/xlsrc_macros.bas``). The
   resulting ``vbaProject.bin`` is handed to XlsxWriter.

The build is reproducible: XlsxWriter stamps zip members with a fixed date, the document
properties carry :data:`CREATED`, and pyOpenVBA writes the same bytes for the same sources.
The build fails (:class:`WorkbookBuildError`) if a formula of the layout names a function
that is not in the generated wrappers.
"""

from __future__ import annotations

import datetime as _dt
import importlib.util
import io
import os
import re
import sys
import tempfile
import types
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd
import xlsxwriter
import xlwings as xw
from pyopenvba import ExcelFile, VBAModuleKind

from xlsrc.dashboard import layout as lay
from xlsrc.dashboard.build import DEFAULT_TOP, DEFAULT_UNIVERSE, DEFAULT_WATCHLIST
from xlsrc.dashboard.render import ChartSeries, Ref, render_dashboard
from xlsrc.errors import XlsrcError
from xlsrc.periods import DEFAULT_BENCHMARK

__all__ = [
    "BUTTONS",
    "CREATED",
    "MACROS_BAS",
    "UDF_MODULE",
    "VBA_MODULES",
    "XLWINGS_CONF",
    "Button",
    "WorkbookBuildError",
    "WorkbookSummary",
    "XlsxWriterWriter",
    "build_workbook",
    "formula_functions",
    "template_settings",
    "udf_wrappers",
    "vba_project",
    "vba_sources",
]

#: The Python module whose functions Excel calls (the ``UDF Modules`` setting).
UDF_MODULE = "xlsrc.excel.udfs"
#: VBA source of the button macros (kept as text in the repo).
MACROS_BAS = Path(__file__).with_name("vba") / "xlsrc_macros.bas"
#: Document-properties date of every build (a fixed date keeps builds identical).
CREATED = _dt.datetime(2026, 1, 1)
#: Excel functions the layout's formulas may use besides the xlsrc UDFs.
EXCEL_FUNCTIONS = frozenset({"TEXT", "IF", "AND", "OR", "ISNUMBER", "ISBLANK", "TODAY"})
#: Modules of the VBA project, in the order they are added.
VBA_MODULES = ("xlwings", "Dictionary", "xlwings_udfs", "xlsrc_macros")
CONF_SHEET = "xlwings.conf"

#: The ``xlwings.conf`` sheet: keys from A1 down (xlwings reads A1 to the first blank),
#: values in column B. ``Interpreter_Win`` = ``python`` works when the Python that has
#: xlsrc installed is on PATH; otherwise put its full path there.
XLWINGS_CONF: tuple[tuple[str, str | bool], ...] = (
    ("Interpreter_Win", "python"),
    ("PYTHONPATH", ""),
    ("UDF Modules", UDF_MODULE),
    ("Debug UDFs", False),
    ("Use UDF Server", True),
    ("Show Console", False),
)
_CONF_NOTES = (
    "xlwings reads these settings from cell A1 down; they override any xlwings.conf file.",
    "Interpreter_Win: the python.exe that has xlsrc installed (pip install xlsrc). "
    '"python" = the first one on PATH; for a virtual environment give its full path, '
    r"e.g. C:\Users\me\.venvs\xlsrc\Scripts\python.exe",
    "UDF Modules: the Python module whose formulas this workbook uses; the wrappers are "
    "already embedded, so Import Functions is not needed.",
    "Use UDF Server: the buttons run in the same Python process as the formulas.",
)


@dataclass(frozen=True)
class Button:
    """A form-control button bound to a macro of :data:`MACROS_BAS`."""

    sheet: str
    cell: str
    caption: str
    macro: str
    width: int = 128
    height: int = 26


#: Where the buttons go: top right of the Overview (clear of the tables) and on Settings.
BUTTONS: tuple[Button, ...] = (
    Button("Overview", "F1", "Refresh data", "RefreshData"),
    Button("Overview", "H1", "Rebuild dashboard", "RebuildDashboard"),
    Button("Overview", "J1", "Export report", "ExportReport"),
    Button("Settings", "E4", "Refresh data", "RefreshData"),
    Button("Settings", "E6", "Rebuild dashboard", "RebuildDashboard"),
    Button("Settings", "E8", "Export report", "ExportReport"),
)


class WorkbookBuildError(XlsrcError):
    """The template cannot be built (a UDF missing from the wrappers, a bad VBA project)."""


def template_settings() -> dict[str, Any]:
    """Return the values the template's Settings cells start with (keys of ``NamedCell.key``).

    ``as_of`` is left blank (= the latest date in the store).
    """
    return {
        "as_of": None,
        "universe": DEFAULT_UNIVERSE,
        "benchmark": DEFAULT_BENCHMARK,
        "watchlist": ", ".join(DEFAULT_WATCHLIST),
        "top": DEFAULT_TOP,
        "data_source": "xlsrc store (click Refresh data to update it)",
        "status": "Template: click Refresh data, or edit the yellow inputs.",
    }


# --------------------------------------------------------------------------- VBA
def _load_windows_udfs() -> tuple[types.ModuleType, types.ModuleType]:
    """Import ``xlwings.udfs`` and a copy of the UDF module under xlwings' Windows decorators.

    ``xlwings.udfs`` imports ``pythoncom``, ``pywintypes`` and ``win32com.client`` at the
    top; none of them is used by ``generate_vba_wrapper``, so empty stand-ins are enough
    on Linux (a real one is used when present). On Windows ``xw.func``/``xw.arg``/``xw.ret``
    are ``xlwings.udfs.xlfunc``/``xlarg``/``xlret``, which record ``__xlfunc__``; on Linux
    they do nothing, so :data:`UDF_MODULE` is executed again with them swapped in.
    """

    class _ComError(Exception):
        pass

    stubs: dict[str, dict[str, Any]] = {
        "pythoncom": {"CoInitialize": lambda: None},
        "pywintypes": {"TimeType": _dt.datetime, "com_error": _ComError, "error": _ComError},
        "win32com": {},
        "win32com.client": {"Dispatch": None},
    }
    for name, attrs in stubs.items():
        if name not in sys.modules:
            mod = types.ModuleType(name)
            mod.__dict__.update(attrs)
            sys.modules[name] = mod
    if not hasattr(sys.modules["win32com"], "client"):
        sys.modules["win32com"].client = sys.modules["win32com.client"]  # type: ignore[attr-defined]
    from xlwings import udfs as win_udfs

    name = "xlsrc.excel._udfs_vba"
    if name in sys.modules:
        return win_udfs, sys.modules[name]
    plain = importlib.util.find_spec(UDF_MODULE)
    assert plain is not None and plain.origin is not None
    saved = (xw.func, xw.arg, xw.ret)
    # the Windows decorators in place of the no-op ones, for this one import
    xw.func, xw.arg, xw.ret = win_udfs.xlfunc, win_udfs.xlarg, win_udfs.xlret  # type: ignore[assignment]
    try:
        spec = importlib.util.spec_from_file_location(name, plain.origin)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    finally:
        xw.func, xw.arg, xw.ret = saved
    return win_udfs, module


def udf_wrappers() -> str:
    """Return the ``xlwings_udfs`` VBA module, as xlwings' "Import Functions" writes it.

    Returns
    -------
    str
        ``Attribute VB_Name = "xlwings_udfs"`` followed by one ``Function`` per UDF,
        each calling ``XLPy.CallUDF("xlsrc.excel.udfs", ...)``.
    """
    win_udfs, module = _load_windows_udfs()
    out = io.StringIO()
    writer = win_udfs.VBAWriter(out)
    writer.writeln('Attribute VB_Name = "xlwings_udfs"')
    workbook = types.SimpleNamespace(Name="xlsrc-dashboard.xlsm")
    win_udfs.generate_vba_wrapper(UDF_MODULE, module, out, workbook)
    return out.getvalue()


def wrapped_functions(wrappers: str) -> set[str]:
    """Names of the ``Function``s declared in a generated wrapper module."""
    return set(re.findall(r"^Function (\w+)\(", wrappers, flags=re.MULTILINE))


def formula_functions(layout: lay.Dashboard = lay.DASHBOARD) -> dict[str, set[str]]:
    """Map each function name used by the layout's formulas to the cells that use it."""
    used: dict[str, set[str]] = {}
    for sheet in layout.sheets:
        formulas = [(t.cell, t.formula) for t in sheet.texts if t.formula]
        formulas += [(t.anchor, t.formula) for t in sheet.tables if t.formula]
        for cell, formula in formulas:
            text = re.sub(r'"[^"]*"', '""', formula)  # ignore string literals
            for name in re.findall(r"\b([A-Za-z_][A-Za-z0-9_.]*)\s*\(", text):
                used.setdefault(name.upper(), set()).add(f"{sheet.name}!{cell}")
    return used


def _check_wrappers(wrappers: str, layout: lay.Dashboard) -> None:
    declared = wrapped_functions(wrappers)
    missing = {
        name: cells
        for name, cells in formula_functions(layout).items()
        if name not in declared and name not in EXCEL_FUNCTIONS
    }
    if missing:
        detail = "; ".join(
            f"{n} (used in {', '.join(sorted(c))})" for n, c in sorted(missing.items())
        )
        raise WorkbookBuildError(
            f"The layout uses functions that are not in the generated VBA wrappers of "
            f"{UDF_MODULE}: {detail}. Add them to {UDF_MODULE} (decorated with @xw.func)."
        )


def _xlwings_dir() -> Path:
    return Path(xw.__file__).parent


def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def vba_sources(layout: lay.Dashboard = lay.DASHBOARD) -> dict[str, str]:
    """Return the source of every module added to the VBA project (CRLF line ends).

    Raises
    ------
    WorkbookBuildError
        If a layout formula names a function missing from the UDF wrappers, or the
        installed xlwings' standalone module is not the version xlsrc pins.
    """
    bas = (_xlwings_dir() / "xlwings.bas").read_text(encoding="utf-8")
    if f"'Version: {xw.__version__}" not in bas:
        raise WorkbookBuildError(f"xlwings.bas does not say it is version {xw.__version__}")
    wrappers = udf_wrappers()
    _check_wrappers(wrappers, layout)
    return {
        "xlwings": _crlf(bas),
        "Dictionary": _crlf((_xlwings_dir() / "addin" / "Dictionary.cls").read_text("utf-8")),
        "xlwings_udfs": _crlf(wrappers),
        "xlsrc_macros": _crlf(MACROS_BAS.read_text(encoding="utf-8")),
    }


def vba_project(sources: dict[str, str]) -> bytes:
    """Return a ``vbaProject.bin`` holding ``sources`` (pure Python, with pyOpenVBA).

    pyOpenVBA starts from the blank macro workbook it ships (saved by Excel: a
    ``ThisWorkbook`` and a ``Sheet1`` document module, references to stdole and Office);
    its sample ``Module1`` is removed and ``sources`` are added, ``Dictionary`` as a class
    module, the others as standard modules. The project holds source only (no compiled
    p-code): Excel compiles it when the workbook is opened.
    """
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "vba.xlsm"
        with ExcelFile.create_new(str(path)) as book:
            project = book.vba_project()
            if "Module1" in project.module_names():
                project.delete_module("Module1")
            for name, source in sources.items():
                kind = VBAModuleKind.other if name == "Dictionary" else VBAModuleKind.standard
                project.add_module(name, source, kind=kind)
            problems = project.validate()
            if problems:
                raise WorkbookBuildError(f"Invalid VBA project: {'; '.join(problems)}")
            book.save()
        with ExcelFile(str(path)) as book:
            return bytes(book.vba_project_bytes())


# --------------------------------------------------------------------------- writer
_FONTS: dict[str, dict[str, Any]] = {
    "title": {"bold": True, "font_size": 16, "font_color": "#" + lay.TITLE_FONT},
    "subtitle": {"italic": True, "font_size": 10, "font_color": "#595959"},
    "section": {"bold": True, "font_size": 11, "font_color": "#" + lay.TITLE_FONT},
    "label": {"bold": True},
    "note": {"italic": True, "font_size": 9, "font_color": "#7F7F7F"},
    "header": {
        "bold": True,
        "font_color": "#" + lay.HEADER_FONT,
        "bg_color": "#" + lay.HEADER_FILL,
        "align": "center",
        "valign": "vcenter",
        "text_wrap": True,
    },
    "input": {
        "bg_color": "#" + lay.INPUT_FILL,
        "border": 1,
        "border_color": "#BFBFBF",
        "align": "left",
    },
}
#: Line colours of chart series, in order: the layout's, as in the report.
SERIES_COLORS = lay.SERIES_COLORS
_SCATTER_COLORS = (
    "1F4E78", "C00000", "548235", "7030A0", "C65911", "2E75B6",
    "BF8F00", "FF66CC", "00B0F0", "375623", "7F6000",
)  # fmt: skip
_PX_PER_CM = 96 / 2.54


class XlsxWriterWriter:
    """A :class:`~xlsrc.dashboard.render.SheetWriter` that writes with XlsxWriter.

    Used in formula mode: tables become dynamic-array formulas at their anchors, and the
    header row and data cells of a table's spill area get the table's formats, so the
    spilled values look like the report's.

    Parameters
    ----------
    workbook : xlsxwriter.Workbook
    """

    def __init__(self, workbook: xlsxwriter.Workbook) -> None:
        self.wb = workbook
        self.ws: Any = None
        self.sheets: dict[str, Any] = {}
        self._formats: dict[tuple[str, str, str], Any] = {}
        self._spills: list[tuple[int, int]] = []  # (row, col), 0-based, of spill anchors
        self.spill_anchors: dict[str, list[str]] = {}

    def _format(self, number_format: str | None, style: str, align: str = "") -> Any:
        key = (number_format or "", style, align)
        if key not in self._formats:
            props = dict(_FONTS.get(style, {}))
            if number_format and number_format != lay.FMT_GENERAL:
                props["num_format"] = number_format
            if align:
                props["align"] = align
            self._formats[key] = self.wb.add_format(props) if props else None
        return self._formats[key]

    # -- SheetWriter ----------------------------------------------------------------
    def add_sheet(self, sheet: lay.Sheet) -> None:
        """Add the worksheet ``sheet.name``."""
        self.ws = self.wb.add_worksheet(sheet.name)
        self.sheets[sheet.name] = self.ws
        self._spills = []
        self.spill_anchors[sheet.name] = []
        self.ws.hide_gridlines(2)
        if sheet.tab_color:
            self.ws.set_tab_color("#" + sheet.tab_color)

    def write(
        self, cell: str, value: Any, number_format: str | None, style: str, align: str = ""
    ) -> None:
        """Write a value (text is always written as text, never as a formula)."""
        row, col = lay.split_cell(cell)
        fmt = self._format(number_format, style, align)
        if value is None:
            self.ws.write_blank(row - 1, col - 1, None, fmt)
        elif isinstance(value, bool):
            self.ws.write_boolean(row - 1, col - 1, value, fmt)
        elif isinstance(value, pd.Timestamp | _dt.date):
            self.ws.write_datetime(row - 1, col - 1, pd.Timestamp(value).to_pydatetime(), fmt)
        elif isinstance(value, int | float):
            self.ws.write_number(row - 1, col - 1, value, fmt)
        else:
            self.ws.write_string(row - 1, col - 1, str(value), fmt)

    def write_formula(
        self, cell: str, formula: str, number_format: str | None, style: str, spill: bool
    ) -> None:
        """Write ``=formula``; a dynamic-array formula (anchor only) if ``spill``."""
        row, col = lay.split_cell(cell)
        fmt = self._format(number_format, style)
        if spill:
            self.ws.write_dynamic_array_formula(
                row - 1, col - 1, row - 1, col - 1, "=" + formula, fmt, ""
            )
            self._spills.append((row - 1, col - 1))
            self.spill_anchors[self.ws.name].append(cell)
            self.ws.set_row(row - 1, 27)  # room for two-line headers, as the report
        else:
            self.ws.write_formula(row - 1, col - 1, "=" + formula, fmt, "")

    def set_width(self, col: int, width: float) -> None:
        """Set a column width."""
        self.ws.set_column(col - 1, col - 1, width)

    def set_format(self, ref: Ref, number_format: str) -> None:
        """Format the (empty) cells of a spill area, and its header cell above."""
        fmt = self._format(number_format, "data")
        for r in range(ref.min_row - 1, ref.max_row):
            for c in range(ref.min_col - 1, ref.max_col):
                self.ws.write_blank(r, c, None, fmt)
        if self._spills:  # the spill being formatted is the last one written
            r0, c0 = self._spills[-1]
            if r0 == ref.min_row - 2 and ref.min_col - 1 > c0:
                for c in range(ref.min_col - 1, ref.max_col):
                    self.ws.write_blank(r0, c, None, self._format(None, "header"))

    def highlight(self, ref: Ref, rule: lay.Highlight) -> None:
        """Add a conditional format: the report's formula rule (``Highlight.formula``)."""
        fmt = self.wb.add_format(
            {"bg_color": "#" + rule.fill, "font_color": "#" + rule.font, "bold": True}
        )
        rng = ref.a1().split("!")[1].replace("$", "")
        first = lay.cell_address(ref.min_row, ref.min_col)
        options: dict[str, Any] = {"type": "formula", "criteria": "=" + rule.formula(first)}
        options["format"] = fmt
        self.ws.conditional_format(rng, options)

    def chart(self, chart: lay.Chart, series: list[ChartSeries], bounds: dict[str, float]) -> None:
        """Add a native chart whose series reference the spill areas."""
        kind = {"line": "line", "bar": "column", "scatter": "scatter"}[chart.kind]
        ch = self.wb.add_chart({"type": kind})
        k = 0
        for i, s in enumerate(series):
            opts: dict[str, Any] = {
                "name": "=" + s.title.a1(),
                "categories": "=" + s.x.a1(),
                "values": "=" + s.y.a1(),
            }
            if chart.kind == "line":
                color = "#" + SERIES_COLORS[i % len(SERIES_COLORS)]
                opts["line"] = {"color": color, "width": 1.75}
                opts["marker"] = {"type": "none"}
            elif chart.kind == "bar":
                opts["fill"] = {"color": "#" + SERIES_COLORS[(i + 1) % len(SERIES_COLORS)]}
                opts["data_labels"] = {"value": True, "num_format": "0.0%"}
            elif s.kind == "guide":
                opts["line"] = {"color": "#808080", "dash_type": "dash", "width": 1}
                opts["marker"] = {"type": "none"}
            else:
                color = "#" + _SCATTER_COLORS[k % len(_SCATTER_COLORS)]
                k += 1
                opts["marker"] = {
                    "type": "circle",
                    "size": 8,
                    "fill": {"color": color},
                    "border": {"color": color},
                }
                opts["data_labels"] = {"series_name": True, "position": "right"}
            ch.add_series(opts)
        ch.set_title(
            {"name": chart.title, "name_font": {"size": 11, "bold": True, "color": "#1F4E78"}}
        )
        grid = {"visible": True, "line": {"color": "#D9D9D9"}}
        y_axis: dict[str, Any] = {"num_format": chart.y_format, "major_gridlines": grid}
        x_axis: dict[str, Any] = {}
        if chart.x_title:
            x_axis["name"] = chart.x_title
        if chart.y_title:
            y_axis["name"] = chart.y_title
        if chart.kind == "line":
            x_axis.update(
                {
                    "date_axis": True,
                    "num_format": "mmm yy",
                    "major_unit": 1,
                    "major_unit_type": "months",
                }
            )
            ch.set_legend({"position": "bottom"})
        else:
            ch.set_legend({"none": True})
        if chart.kind == "bar":
            x_axis["label_position"] = "low"
        if chart.kind == "scatter":
            x_axis["num_format"] = "0"
            for key, axis, end in (("x_min", x_axis, "min"), ("x_max", x_axis, "max"),
                                   ("y_min", y_axis, "min"), ("y_max", y_axis, "max")):  # fmt: skip
                if key in bounds:
                    axis[end] = bounds[key]
        ch.set_x_axis(x_axis)
        ch.set_y_axis(y_axis)
        ch.set_size(
            {"width": round(chart.width * _PX_PER_CM), "height": round(chart.height * _PX_PER_CM)}
        )
        row, col = lay.split_cell(chart.anchor)
        self.ws.insert_chart(row - 1, col - 1, ch)

    def finish_sheet(self, sheet: lay.Sheet, title_rows: int) -> None:
        """Freeze panes and print setup, as the report."""
        ws = self.ws
        if sheet.freeze:
            row, col = lay.split_cell(sheet.freeze)
            ws.freeze_panes(row - 1, col - 1)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 1 if sheet.one_page else 0)
        ws.center_horizontally()
        ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
        if sheet.print_area:
            ws.print_area(sheet.print_area)
        if title_rows > 1:
            ws.repeat_rows(0, title_rows - 1)
        ws.set_footer("&C&8&A  -  page &P of &N")

    def define_name(self, name: str, ref: Ref) -> None:
        """Define a workbook-level name."""
        self.wb.define_name(name, "=" + ref.a1())


# --------------------------------------------------------------------------- build
@dataclass
class WorkbookSummary:
    """What :func:`build_workbook` wrote.

    Attributes
    ----------
    path : Path
    sheets : list of str
    formulas : int
        Dynamic-array formulas at table anchors.
    names : list of str
        Workbook names defined.
    modules : list of str
        VBA modules in the project (as read back by pyOpenVBA).
    udfs : list of str
        Functions in the embedded wrappers.
    buttons : list of str
        ``"<sheet>: <caption> -> <macro>"``.
    xlwings_version : str
    """

    path: Path
    sheets: list[str]
    formulas: int
    names: list[str]
    modules: list[str]
    udfs: list[str]
    buttons: list[str] = field(default_factory=list)
    xlwings_version: str = xw.__version__

    def __str__(self) -> str:
        return "\n".join(
            [
                f"Wrote {self.path}",
                f"  Sheets: {', '.join(self.sheets)}",
                f"  {self.formulas} spilling table formulas; names: {', '.join(self.names)}",
                f"  VBA modules: {', '.join(self.modules)} (xlwings {self.xlwings_version} standalone)",
                f"  {len(self.udfs)} formulas embedded: {', '.join(sorted(self.udfs))}",
                f"  Buttons: {'; '.join(self.buttons)}",
            ]
        )


def _write_conf_sheet(writer: XlsxWriterWriter) -> None:
    ws = writer.wb.add_worksheet(CONF_SHEET)
    ws.set_tab_color("#BFBFBF")
    ws.set_column(0, 0, 18)
    ws.set_column(1, 1, 24)
    bold = writer.wb.add_format({"bold": True})
    note = writer._format(None, "note")
    for i, (key, value) in enumerate(XLWINGS_CONF):
        ws.write_string(i, 0, key, bold)
        if isinstance(value, bool):
            ws.write_boolean(i, 1, value)
        elif value:
            ws.write_string(i, 1, value)
    for j, text in enumerate(_CONF_NOTES):
        ws.write_string(len(XLWINGS_CONF) + 2 + j, 0, text, note)


def build_workbook(
    out_path: str | os.PathLike[str], layout: lay.Dashboard = lay.DASHBOARD
) -> WorkbookSummary:
    """Build the dashboard template ``.xlsm`` at ``out_path`` (replaced atomically).

    Parameters
    ----------
    out_path : str or path-like
        Where to write; must end in ``.xlsm``.
    layout : Dashboard
        The dashboard definition (default :data:`~xlsrc.dashboard.layout.DASHBOARD`).

    Returns
    -------
    WorkbookSummary

    Raises
    ------
    WorkbookBuildError
        A layout formula names a function missing from the generated UDF wrappers, or the
        VBA project does not read back.
    XlsrcError
        ``out_path`` does not end in ``.xlsm`` or its folder does not exist.
    """
    path = Path(out_path).expanduser()
    if path.suffix.lower() != ".xlsm":
        raise XlsrcError(f"The workbook must be an .xlsm file, not {path.name}")
    if not path.parent.is_dir():
        raise XlsrcError(f"Cannot write {path}: folder {path.parent} does not exist")
    sources = vba_sources(layout)
    project = vba_project(sources)

    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".xlsm", dir=path.parent)
    os.close(fd)
    try:
        wb = xlsxwriter.Workbook(tmp)
        wb.set_properties(
            {
                "title": "xlsrc dashboard",
                "subject": "Relative strength, returns and market rotation",
                "author": "xlsrc",
                "comments": f"Built by xlsrc with xlwings {xw.__version__}",
                "created": CREATED,
            }
        )
        wb.add_vba_project(io.BytesIO(project), is_stream=True)
        wb.set_vba_name("ThisWorkbook")
        writer = XlsxWriterWriter(wb)
        render_dashboard(writer, None, replace(layout, meta=template_settings()))
        _write_conf_sheet(writer)
        for b in BUTTONS:
            row, col = lay.split_cell(b.cell)
            writer.sheets[b.sheet].insert_button(
                row - 1,
                col - 1,
                {"macro": b.macro, "caption": b.caption, "width": b.width, "height": b.height},
            )
        writer.sheets[layout.sheets[0].name].activate()
        wb.close()
        with ExcelFile(tmp) as book:
            modules = list(book.module_names())
        missing = [m for m in VBA_MODULES if m not in modules]
        if missing:
            raise WorkbookBuildError(f"VBA modules missing after the build: {missing}")
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return WorkbookSummary(
        path=path,
        sheets=[*(s.name for s in layout.sheets), CONF_SHEET],
        formulas=sum(len(v) for v in writer.spill_anchors.values()),
        names=[n.name for n in layout.names],
        modules=modules,
        udfs=sorted(wrapped_functions(sources["xlwings_udfs"])),
        buttons=[f"{b.sheet}: {b.caption} -> {b.macro}" for b in BUTTONS],
    )
