"""Build the live dashboard workbook (``.xlsm``): the layout in formula mode plus VBA.

An adapter. :func:`build_workbook` translates, it computes nothing:

1. **Sheets** — :data:`xlsrc.dashboard.layout.DASHBOARD` is rendered by
   :func:`xlsrc.dashboard.render.render_dashboard` with ``data=None`` through
   :class:`XlsxWriterWriter`, so every address comes from the layout. Table anchors get
   dynamic-array formulas (XlsxWriter's ``write_dynamic_array_formula`` writes the
   ``cm`` attribute and ``xl/metadata.xml`` Excel 365 needs to spill them); charts read
   the spilled tables through sheet-level names over the spill (:func:`spill_column_name`).
   An ``xlwings.conf`` sheet tells xlwings which Python to start and which UDF module to
   load; form-control buttons run the macros in :data:`MACROS_BAS`.
2. **VBA project** — made in pure Python with pyOpenVBA the way Excel makes a workbook's
   first project (a document module for the workbook and one per sheet, named as Excel
   names them), holding four more modules: ``xlwings`` (the standalone module
   ``xlwings.bas`` of the installed, pinned xlwings), ``Dictionary`` (the class it needs on
   the Mac, from the same package), ``xlwings_udfs`` (the text xlwings' own "Import
   Functions", ``xlwings.udfs.import_udfs``, writes) and ``xlsrc_macros`` (the button
   macros, ``xlsrc/excel/vba/xlsrc_macros.bas``). It is then put in the interoperable form
   [MS-OVBA] asks of a writer and xlwings' shipped ``quickstart_standalone.xlsm`` has
   (:func:`vba_project`): the 7-byte ``_VBA_PROJECT`` stream (version ``0xFFFF``, no
   performance cache), cookies ``0xFFFF``, and every module as source only.

The build is reproducible: XlsxWriter stamps zip members with a fixed date, the document
properties carry :data:`CREATED`, and pyOpenVBA writes the same bytes for the same sources.
The build fails (:class:`WorkbookBuildError`) if a formula of the layout names a function
that is not in the generated wrappers.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import importlib.util
import io
import os
import re
import sys
import tempfile
import types
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd
import xlsxwriter
import xlwings as xw
from pyopenvba import ExcelFile, VBAModuleKind
from pyopenvba.cfb import CFB

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
    "VBA_PROJECT_STREAM",
    "XLWINGS_CONF",
    "Button",
    "WorkbookBuildError",
    "WorkbookSummary",
    "XlsxWriterWriter",
    "build_workbook",
    "code_names",
    "formula_functions",
    "interpreter_conf",
    "new_workbook",
    "spill_column_name",
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
#: Excel functions the layout's formulas may use besides the xlsrc UDFs. Not ``TEXT``: its
#: format codes are read in Excel's display language (a date goes in a date-formatted cell).
EXCEL_FUNCTIONS = frozenset(
    {
        "IF",
        "AND",
        "OR",
        "ISNUMBER",
        "ISBLANK",
        "TODAY",
        "MIN",
        "MAX",
        "VLOOKUP",
        "WORKDAY",
        "IFERROR",
        "INDEX",
    }
)
#: Modules of the VBA project besides the document modules, in the order they are added.
VBA_MODULES = ("xlwings", "Dictionary", "xlwings_udfs", "xlsrc_macros")
CONF_SHEET = "xlwings.conf"
#: The ``_VBA_PROJECT`` stream a writer emits ([MS-OVBA] 2.3.4.1 and its example 3.1.1):
#: Reserved1 ``0x61CC``, Version ``0xFFFF`` ("MUST be 0xFFFF on write": Office then ignores
#: every performance cache and compiles the source), Reserved2 ``0x00``, Reserved3
#: ``0x0001``, and no PerformanceCache ("MUST NOT be present on write"). Byte for byte the
#: stream of xlwings' shipped ``quickstart_standalone.xlsm``.
VBA_PROJECT_STREAM = bytes.fromhex("cc61ffff000100")
#: PROJECTCOOKIE and MODULECOOKIE value on write ([MS-OVBA] 2.3.4.2.3.1, 2.3.4.2.3.2.7).
VBA_COOKIE = 0xFFFF

#: The ``xlwings.conf`` sheet: keys from A1 down (xlwings reads A1 to the first blank and
#: upper-cases the keys: ``GetConfigFromSheet`` in ``xlwings.bas``), values in column B.
#: The template's ``Interpreter_Win`` = ``python`` works only when the Python that has
#: xlsrc is the first on PATH; ``xlsrc workbook new`` writes that Python's full path.
#: ``ADD_WORKBOOK_TO_PYTHONPATH`` False: xlwings would otherwise put the workbook's folder
#: first on ``sys.path`` (``xlwings.utils.prepare_sys_path``), so a stray ``pandas.py`` in
#: Downloads would be imported instead of pandas. ``Conda Path``/``Conda Env`` are empty:
#: a key present with an empty value stops xlwings from taking a Conda environment from a
#: user-level xlwings.conf file (it activates one only when both are set).
XLWINGS_CONF: tuple[tuple[str, str | bool], ...] = (
    ("Interpreter_Win", "python"),
    ("Interpreter_Mac", ""),
    ("PYTHONPATH", ""),
    ("Conda Path", ""),
    ("Conda Env", ""),
    ("UDF Modules", UDF_MODULE),
    ("Debug UDFs", False),
    ("Use UDF Server", True),
    ("Show Console", False),
    ("ADD_WORKBOOK_TO_PYTHONPATH", False),
)
_CONF_NOTES = (
    "xlwings reads these settings from cell A1 down to the first blank cell;",
    "they override the xlwings add-in and any xlwings.conf file.",
    "",
    "Interpreter_Win: the full path of the python.exe that has xlsrc installed. xlsrc is",
    "not on PyPI: install it from its folder (py -m pip install C:\\path\\to\\xlsrc[build]),",
    "then run 'xlsrc workbook new' with that Python: it writes a copy of this workbook",
    'with its path here. "python" means the first python on PATH, which fails for virtual',
    "environments, the Microsoft Store Python and py-launcher-only installs.",
    "Conda Path / Conda Env: only for a Conda environment (Interpreter_Win is then python).",
    "UDF Modules: the Python module whose formulas this workbook uses; the wrappers are",
    "already embedded, so Import Functions is not needed.",
    "Use UDF Server: the buttons run in the same Python process as the formulas.",
    "ADD_WORKBOOK_TO_PYTHONPATH: FALSE, so a .py file next to this workbook (a stray",
    "pandas.py in Downloads) is never imported in place of a library.",
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


class _ImportRecorder:
    """The part of Excel's COM object model ``xlwings.udfs.import_udfs`` touches.

    ``import_udfs`` writes the wrapper module to a temporary ``.bas`` file and hands it to
    ``VBProject.VBComponents.Import``; this records that file's text instead, and the
    ``Application.MacroOptions`` calls (function-wizard texts) that follow.
    """

    def __init__(self, name: str) -> None:
        self.Name = name
        self.text: str | None = None
        self.macro_options: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
        components = types.SimpleNamespace(Remove=lambda component: None, Import=self._import)
        self.VBProject = types.SimpleNamespace(VBComponents=_Callable(components))
        self.Application = types.SimpleNamespace(
            Version="16.0",
            MacroOptions=lambda *a, **k: self.macro_options.append((a, k)),
            Run=lambda macro, path: self._import(path),
        )

    def _import(self, path: str) -> None:
        self.text = Path(path).read_text(encoding="utf-8")


class _Callable:
    """``VBComponents``: callable (``VBComponents("xlwings_udfs")``) with methods."""

    def __init__(self, methods: types.SimpleNamespace) -> None:
        self._methods = methods

    def __call__(self, name: str) -> str:
        return name

    def __getattr__(self, name: str) -> Any:
        return getattr(self._methods, name)


def udf_wrappers(workbook_name: str = "xlsrc-dashboard.xlsm") -> str:
    """Return the ``xlwings_udfs`` VBA module exactly as xlwings' "Import Functions" writes it.

    Runs ``xlwings.udfs.import_udfs`` itself (the function behind the add-in's Import
    Functions button) against a stand-in for the workbook's COM object and returns the
    module text it imports: ``Attribute VB_Name = "xlwings_udfs"``, xlwings' autogenerated
    comment, ``#Const App = "Microsoft Excel"`` and one ``Function`` per UDF calling
    ``XLPy.CallUDF("xlsrc.excel.udfs", ...)``. The ``#Const`` matters: a conditional
    compilation constant is private to its module, and without it every wrapper compiles
    xlwings' non-Excel branch (no ``Application.Caller``, no ``On Error GoTo failed``), so
    a setup problem would show a bare ``#VALUE!`` instead of xlwings' message.

    Parameters
    ----------
    workbook_name : str
        The workbook's file name (``import_udfs`` writes ``ActiveWorkbook`` instead of
        ``ThisWorkbook`` for an ``.xlam`` add-in).

    Returns
    -------
    str
        The module text, LF line ends.

    Raises
    ------
    WorkbookBuildError
        If ``import_udfs`` did not import a module.
    """
    win_udfs, module = _load_windows_udfs()
    book = _ImportRecorder(workbook_name)
    saved_module = win_udfs.udf_modules.get(UDF_MODULE)
    saved_pro = getattr(win_udfs, "__pro__", False)
    win_udfs.udf_modules[UDF_MODULE] = {"filename": "", "filetime": None, "module": module}
    win_udfs.__pro__ = False  # type: ignore[attr-defined]  # a licensed xlwings reads a code sheet
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # its "Imported functions ..." line
            win_udfs.import_udfs(UDF_MODULE, book)
    finally:
        win_udfs.__pro__ = saved_pro  # type: ignore[attr-defined]
        if saved_module is None:
            win_udfs.udf_modules.pop(UDF_MODULE, None)
        else:
            win_udfs.udf_modules[UDF_MODULE] = saved_module
    if book.text is None:
        raise WorkbookBuildError("xlwings' import_udfs did not import a VBA module")
    return book.text.replace("\r\n", "\n")


def wrapped_functions(wrappers: str) -> set[str]:
    """Names of the ``Function``s declared in a generated wrapper module."""
    return set(re.findall(r"^Function (\w+)\(", wrappers, flags=re.MULTILINE))


def formula_functions(layout: lay.Dashboard = lay.DASHBOARD) -> dict[str, set[str]]:
    """Map each function name used by the layout's formulas to the cells that use it."""
    used: dict[str, set[str]] = {}
    for sheet in layout.sheets:
        formulas = [(t.cell, t.formula) for t in (*sheet.texts, *sheet.live) if t.formula]
        formulas += [(t.anchor, t.formula) for t in sheet.tables if t.formula]
        for cell, formula in formulas:
            text = re.sub(r'"[^"]*"', '""', formula)  # ignore string literals
            for name in re.findall(r"\b([A-Za-z_][A-Za-z0-9_.]*)\s*\(", text):
                used.setdefault(name.upper(), set()).add(f"{sheet.name}!{cell}")
    return used


def _check_wrappers(wrappers: str, layout: lay.Dashboard) -> None:
    declared = wrapped_functions(wrappers)
    text_cells = formula_functions(layout).get("TEXT")
    if text_cells:
        raise WorkbookBuildError(
            f"The layout uses TEXT (in {', '.join(sorted(text_cells))}): its format codes are "
            "read in Excel's display language (yyyy fails in French, German or Dutch Excel). "
            "Show a date in a cell of its own with a date number format."
        )
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


def _class_stream_form(exported: str) -> str:
    """Return a class module as the VBE stores it, from the ``.cls`` file it exports.

    Drops the ``VERSION 1.0 CLASS`` / ``BEGIN ... END`` preamble of the file and adds the
    two attributes the VBE writes into the module stream after ``VB_Exposed``
    (``VB_TemplateDerived`` and ``VB_Customizable``, both False): the form the class has in
    xlwings' shipped ``quickstart_standalone.xlsm``.
    """
    text = re.sub(r"\AVERSION 1\.0 CLASS\r\nBEGIN\r\n.*?\r\nEND\r\n", "", exported, flags=re.S)
    extra = "Attribute VB_TemplateDerived = False\r\nAttribute VB_Customizable = False\r\n"
    if "VB_TemplateDerived" not in text:
        text = re.sub(
            r"(Attribute VB_Exposed = \w+\r\n)", lambda m: m.group(1) + extra, text, count=1
        )
    return text


def _description(source: str) -> str:
    r"""Return the ``VB_Description`` as the VBE puts it in the dir stream (``\r\n`` -> CRLF)."""
    found = re.search(r'^Attribute VB_Description = "(.*)"\r?$', source, flags=re.M)
    return found.group(1).replace("\\r\\n", "\r\n") if found else ""


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
        "Dictionary": _class_stream_form(
            _crlf((_xlwings_dir() / "addin" / "Dictionary.cls").read_text("utf-8"))
        ),
        "xlwings_udfs": _crlf(wrappers),
        "xlsrc_macros": _crlf(MACROS_BAS.read_text(encoding="utf-8")),
    }


def code_names(sheets: list[str] | tuple[str, ...]) -> dict[str, str]:
    """Return the VBA code name of each sheet, as Excel names them: ``Sheet1``, ``Sheet2``...

    By position, one count over the sheets (what Excel and XlsxWriter do); the workbook
    itself is ``ThisWorkbook``. The VBA project has one document module of each name and
    the package writes the same names as ``codeName`` (:func:`build_workbook`).
    """
    return {name: f"Sheet{i}" for i, name in enumerate(sheets, start=1)}


def vba_project(sources: dict[str, str], sheets: list[str] | tuple[str, ...]) -> bytes:
    """Return a ``vbaProject.bin`` holding ``sources``, for a workbook of ``sheets``.

    pyOpenVBA gives a package with these sheets a new VBA project as Excel does for a
    first macro: ``ThisWorkbook`` and one document module per sheet (:func:`code_names`),
    references to stdole and Office, project information from a project Excel wrote.
    ``sources`` are added, ``Dictionary`` as a class module, the others as standard
    modules. The project is then written in the interoperable form [MS-OVBA] requires of
    a writer, which is also the form of xlwings' shipped ``quickstart_standalone.xlsm``:

    - ``_VBA_PROJECT`` is :data:`VBA_PROJECT_STREAM` (7 bytes, version ``0xFFFF``);
    - PROJECTCOOKIE and every MODULECOOKIE are ``0xFFFF``;
    - every module stream is compressed source only (MODULEOFFSET 0, no performance
      cache, as the ``xlwings`` module of xlwings' own workbook): Excel compiles the
      project from source when it opens the workbook.

    Parameters
    ----------
    sources : dict of str to str
        Module name -> source, CRLF line ends, each starting with its ``Attribute`` lines.
    sheets : sequence of str
        The workbook's sheet names, in tab order.

    Returns
    -------
    bytes
        The compound file.

    Raises
    ------
    WorkbookBuildError
        If the project does not validate.
    """
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "vba.xlsm"
        host = xlsxwriter.Workbook(str(path))  # a package with the sheets and no project
        for name in sheets:
            host.add_worksheet(name)
        host.close()
        with ExcelFile(str(path)) as book:
            project = book.add_vba_project()
            expected = ["ThisWorkbook", *code_names(sheets).values()]
            if project.module_names() != expected:
                raise WorkbookBuildError(
                    f"pyOpenVBA made document modules {project.module_names()}, expected {expected}"
                )
            for name, source in sources.items():
                kind = VBAModuleKind.other if name == "Dictionary" else VBAModuleKind.standard
                module = project.add_module(name, source, kind=kind)
                module.doc_string = module.doc_string_unicode = _description(source)
            project.project_cookie = VBA_COOKIE
            for module in project.modules:
                module.cookie = VBA_COOKIE
                if module.text_offset:  # a compiled cache from Excel's template: source only
                    module.source = module.source  # loaded, then rewritten at MODULEOFFSET 0
                    module.dirty = True
            project.dir_structure_dirty = True  # write the dir stream with the cookies
            problems = project.validate()
            if problems:
                raise WorkbookBuildError(f"Invalid VBA project: {'; '.join(problems)}")
            book.save()
        with ExcelFile(str(path)) as book:
            raw = bytes(book.vba_project_bytes())
    cfb = CFB.from_bytes(raw)
    cfb.write_stream_in_storage("VBA", "_VBA_PROJECT", VBA_PROJECT_STREAM)
    return bytes(cfb.to_bytes())


# --------------------------------------------------------------------------- writer
_FONTS: dict[str, dict[str, Any]] = {
    "title": {"bold": True, "font_size": 16, "font_color": "#" + lay.TITLE_FONT},
    "subtitle": {"italic": True, "font_size": 10, "font_color": "#595959", "align": "left"},
    "section": {"bold": True, "font_size": 11, "font_color": "#" + lay.TITLE_FONT},
    "label": {"bold": True},
    "note": {"italic": True, "font_size": 9, "font_color": "#7F7F7F"},
    "paragraph": {"text_wrap": True, "valign": "top", "align": "left"},
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
        self.sheet: lay.Sheet | None = None
        #: Sheet-level names over spilled table columns: (sheet, name) -> refers-to formula.
        self.spill_names: dict[tuple[str, str], str] = {}

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
        self.sheet = sheet
        self.sheets[sheet.name] = self.ws
        self._spills = []
        self._heights: dict[int, float] = {}  # 1-based row -> height set on this sheet
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
            if style == "header":  # a table: room for two-line headers, as the report
                self.set_height(row, 27)
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

    def _spill_column(self, table: lay.Table, key: str) -> str:
        """Define (once) and return the sheet-level name over a spilled column's data rows."""
        assert self.sheet is not None
        name = spill_column_name(table, key)
        self.spill_names[(self.sheet.name, name)] = spill_column_formula(
            self.sheet.name, table, key
        )
        return f"={_quote_sheet(self.sheet.name)}!{name}"

    def chart(self, chart: lay.Chart, series: list[ChartSeries], bounds: dict[str, float]) -> None:
        """Add a native chart whose series follow the spilled tables.

        Line and bar charts take their categories and values from sheet-level names over
        the table's spill (:func:`spill_column_formula`), so they show every row the
        formula returns, however many. A scatter keeps one series per row (each sector
        its own colour and label) over the cells ``series`` gives: its tables have a fixed
        number of rows (the 11 sector SPDRs; the 4 end points of the quadrant lines).
        """
        assert self.sheet is not None
        kind = {"line": "line", "bar": "column", "scatter": "scatter"}[chart.kind]
        ch = self.wb.add_chart({"type": kind})
        table = self.sheet.table(chart.table)
        k = 0
        for i, s in enumerate(series):
            opts: dict[str, Any] = {
                "name": "=" + s.title.a1(),
                "categories": "=" + s.x.a1(),
                "values": "=" + s.y.a1(),
            }
            if chart.kind in ("line", "bar"):
                opts["categories"] = self._spill_column(table, chart.x)
                opts["values"] = self._spill_column(table, chart.y[i])
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

    def merge(self, ref: Ref, style: str) -> None:
        """Merge a range (its first cell is written next, with the same format)."""
        self.ws.merge_range(
            ref.min_row - 1,
            ref.min_col - 1,
            ref.max_row - 1,
            ref.max_col - 1,
            "",
            self._format(None, style) or self.wb.add_format(),
        )

    def set_height(self, row: int, points: float) -> None:
        """Make a row at least ``points`` high (a taller row already set stays)."""
        if points > self._heights.get(row, 0.0):
            self._heights[row] = points
            self.ws.set_row(row - 1, points)

    def define_spill_names(self) -> None:
        """Define the sheet-level names the charts use (call once, after every sheet)."""
        for (sheet, name), formula in sorted(self.spill_names.items()):
            self.wb.define_name(f"{sheet}!{name}", "=" + formula)


def _quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def spill_column_name(table: lay.Table, key: str) -> str:
    """Return the sheet-level name over the data rows of a table column as it spills.

    ``spill_<table>_<key>`` (characters other than letters, digits and ``_`` become
    ``_``). It starts with neither R nor C: Excel reads such names as R1C1 references in a
    chart's SERIES formula (J. Peltier, "Dynamic Charts Using Dynamic Arrays", 2021).
    """
    return re.sub(r"[^A-Za-z0-9_]", "_", f"spill_{table.name}_{key}")


def spill_column_formula(sheet: str, table: lay.Table, key: str) -> str:
    """Return what :func:`spill_column_name` refers to: a column of the spill, header excluded.

    ``INDEX(A5#,2,k):INDEX(A5#,ROWS(A5#),k)``, with ``A5#`` (the whole spill of the formula
    at the table's anchor, header row included) written as it is stored in the file,
    ``_xlfn.ANCHORARRAY('Sheet'!$A$5)``. ``INDEX`` over a reference returns a reference,
    so the name is a range that grows and shrinks with the spill: a chart series may use a
    name but neither the spill operator nor an array. If the formula returns only its
    header (or an error) the name is ``#REF!`` and the series is empty.
    """
    anchor = f"_xlfn.ANCHORARRAY({_quote_sheet(sheet)}!{lay.cell_address(table.header_row, table.first_col, absolute=True)})"
    k = table.keys.index(key) + 1
    return f"INDEX({anchor},2,{k}):INDEX({anchor},ROWS({anchor}),{k})"


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


def _write_conf_sheet(writer: XlsxWriterWriter, conf: dict[str, str | bool]) -> None:
    ws = writer.wb.add_worksheet(CONF_SHEET)
    ws.set_tab_color("#BFBFBF")
    ws.set_column(0, 0, 34)
    ws.set_column(1, 1, 24)
    bold = writer.wb.add_format({"bold": True})
    note = writer._format(None, "note")
    for i, (key, value) in enumerate(conf.items()):
        ws.write_string(i, 0, key, bold)
        if isinstance(value, bool):
            ws.write_boolean(i, 1, value)
        elif value:
            ws.write_string(i, 1, value)
    for j, text in enumerate(_CONF_NOTES):
        if text:
            ws.write_string(len(conf) + 2 + j, 0, text, note)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 1)


def build_workbook(
    out_path: str | os.PathLike[str],
    layout: lay.Dashboard = lay.DASHBOARD,
    conf: Mapping[str, str | bool] | None = None,
) -> WorkbookSummary:
    """Build the dashboard template ``.xlsm`` at ``out_path`` (replaced atomically).

    Parameters
    ----------
    out_path : str or path-like
        Where to write; must end in ``.xlsm``.
    layout : Dashboard
        The dashboard definition (default :data:`~xlsrc.dashboard.layout.DASHBOARD`).
    conf : dict of str to str or bool, optional
        Values replacing those of :data:`XLWINGS_CONF` in the ``xlwings.conf`` sheet
        (keys must be among its keys), e.g. from :func:`interpreter_conf`.

    Returns
    -------
    WorkbookSummary

    Raises
    ------
    WorkbookBuildError
        A layout formula names a function missing from the generated UDF wrappers, or the
        VBA project does not read back.
    XlsrcError
        ``out_path`` does not end in ``.xlsm``, its folder does not exist, an unknown
        ``conf`` key, or the file cannot be written (open in Excel, read-only).
    """
    path = Path(out_path).expanduser()
    if path.suffix.lower() != ".xlsm":
        raise XlsrcError(f"The workbook must be an .xlsm file, not {path.name}")
    if not path.parent.is_dir():
        raise XlsrcError(f"Cannot write {path}: folder {path.parent} does not exist")
    settings = dict(XLWINGS_CONF)
    unknown = sorted(set(conf or {}) - set(settings))
    if unknown:
        raise XlsrcError(f"Unknown xlwings.conf keys {unknown} (allowed: {', '.join(settings)})")
    settings.update(conf or {})
    sheet_names = [*(s.name for s in layout.sheets), CONF_SHEET]
    sources = vba_sources(layout)
    project = vba_project(sources, sheet_names)
    names = code_names(sheet_names)

    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".xlsm", dir=path.parent)
        os.close(fd)
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
        _write_conf_sheet(writer, settings)
        writer.define_spill_names()
        for ws in wb.worksheets():
            ws.set_vba_name(names[ws.name])
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
        missing = [m for m in ("ThisWorkbook", *names.values(), *VBA_MODULES) if m not in modules]
        if missing:
            raise WorkbookBuildError(f"VBA modules missing after the build: {missing}")
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        hint = (
            " (is it open in Excel? Close it and run again)"
            if isinstance(exc, PermissionError)
            else ""
        )
        raise XlsrcError(f"Cannot write the workbook to {path}: {reason}{hint}") from exc
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
    return WorkbookSummary(
        path=path,
        sheets=sheet_names,
        formulas=sum(len(v) for v in writer.spill_anchors.values()),
        names=[n.name for n in layout.names],
        modules=modules,
        udfs=sorted(wrapped_functions(sources["xlwings_udfs"])),
        buttons=[f"{b.sheet}: {b.caption} -> {b.macro}" for b in BUTTONS],
    )


# --------------------------------------------------------------------------- a user's copy
def interpreter_conf(
    executable: str | os.PathLike[str] | None = None,
    platform: str | None = None,
    prefix: str | os.PathLike[str] | None = None,
) -> dict[str, str]:
    """Return the ``xlwings.conf`` values that make Excel start ``executable`` (this Python).

    xlwings starts ``Interpreter_Win`` (``Interpreter_Mac`` on a Mac) as given: a bare
    ``python`` is whatever comes first on PATH, which is not the virtual environment, the
    Microsoft Store Python or the py launcher's Python that has xlsrc (xlwings issues
    #1328, #2376). A full path works for a plain install and for a virtual environment
    (xlwings loads its DLL from the interpreter's folder or the one above:
    ``XLPyLoadDLL`` in ``xlwings.bas``). A Conda environment must be activated, so
    there xlwings wants ``python`` plus ``Conda Path`` (the Conda installation) and
    ``Conda Env`` (``base``, an environment name, or a path).

    Parameters
    ----------
    executable : path-like, optional
        The interpreter (default ``sys.executable``).
    platform : str, optional
        ``sys.platform`` of the machine that runs Excel (default this one's);
        ``"darwin"`` sets ``Interpreter_Mac``, anything else ``Interpreter_Win``.
    prefix : path-like, optional
        The interpreter's environment (default ``sys.prefix``): a Conda environment if
        it has a ``conda-meta`` folder.

    Returns
    -------
    dict of str to str
        Keys of :data:`XLWINGS_CONF`.
    """
    exe = Path(executable if executable is not None else sys.executable)
    platform = platform or sys.platform
    env = Path(prefix if prefix is not None else sys.prefix)
    key = "Interpreter_Mac" if platform == "darwin" else "Interpreter_Win"
    if platform != "darwin" and (env / "conda-meta").is_dir():
        root = env.parent.parent if env.parent.name == "envs" else env
        name = "base" if root == env else (env.name if env.parent == root / "envs" else str(env))
        return {key: "python", "Conda Path": str(root), "Conda Env": name}
    return {key: str(exe)}


def new_workbook(
    out_path: str | os.PathLike[str],
    executable: str | os.PathLike[str] | None = None,
    platform: str | None = None,
) -> WorkbookSummary:
    """Write a copy of the dashboard workbook set up for this Python (``xlsrc workbook new``).

    The template with :func:`interpreter_conf` in its ``xlwings.conf`` sheet: Excel then
    starts the interpreter that runs this, which has xlsrc installed.

    Parameters
    ----------
    out_path : path-like
        Where to write (``.xlsm``).
    executable, platform : optional
        See :func:`interpreter_conf`.

    Returns
    -------
    WorkbookSummary
    """
    return build_workbook(out_path, conf=interpreter_conf(executable, platform))
