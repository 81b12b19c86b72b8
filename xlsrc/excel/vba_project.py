"""The dashboard's VBA project, made in pure Python: wrappers, sources, ``vbaProject.bin``.

Split from :mod:`xlsrc.excel.workbook`, which puts the project into the ``.xlsm``. The
project is made with pyOpenVBA the way Excel makes a workbook's first project (a document
module for the workbook and one per sheet, named as Excel names them), holding four more
modules: ``xlwings`` (the standalone module ``xlwings.bas`` of the installed, pinned
xlwings), ``Dictionary`` (the class it needs on the Mac, from the same package),
``xlwings_udfs`` (the text xlwings' own "Import Functions", ``xlwings.udfs.import_udfs``,
writes: :func:`udf_wrappers`) and ``xlsrc_macros`` (the button macros,
``xlsrc/excel/vba/xlsrc_macros.bas``). It is then put in the interoperable form
[MS-OVBA] asks of a writer and xlwings' shipped ``quickstart_standalone.xlsm`` has
(:func:`vba_project`).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import importlib.util
import io
import re
import sys
import tempfile
import types
from pathlib import Path
from typing import Any

import xlsxwriter
import xlwings as xw
from pyopenvba import ExcelFile, VBAModuleKind
from pyopenvba.cfb import CFB

from xlsrc.dashboard import layout as lay
from xlsrc.errors import XlsrcError

__all__ = [
    "EXCEL_FUNCTIONS",
    "MACROS_BAS",
    "UDF_MODULE",
    "VBA_COOKIE",
    "VBA_MODULES",
    "VBA_PROJECT_STREAM",
    "WorkbookBuildError",
    "code_names",
    "formula_functions",
    "udf_wrappers",
    "vba_project",
    "vba_sources",
    "wrapped_functions",
]

#: The Python module whose functions Excel calls (the ``UDF Modules`` setting).
UDF_MODULE = "xlsrc.excel.udfs"
#: VBA source of the button macros (kept as text in the repo).
MACROS_BAS = Path(__file__).with_name("vba") / "xlsrc_macros.bas"
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
#: The ``_VBA_PROJECT`` stream a writer emits ([MS-OVBA] 2.3.4.1 and its example 3.1.1):
#: Reserved1 ``0x61CC``, Version ``0xFFFF`` ("MUST be 0xFFFF on write": Office then ignores
#: every performance cache and compiles the source), Reserved2 ``0x00``, Reserved3
#: ``0x0001``, and no PerformanceCache ("MUST NOT be present on write"). Byte for byte the
#: stream of xlwings' shipped ``quickstart_standalone.xlsm``.
VBA_PROJECT_STREAM = bytes.fromhex("cc61ffff000100")
#: PROJECTCOOKIE and MODULECOOKIE value on write ([MS-OVBA] 2.3.4.2.3.1, 2.3.4.2.3.2.7).
VBA_COOKIE = 0xFFFF


class WorkbookBuildError(XlsrcError):
    """The template cannot be built (a UDF missing from the wrappers, a bad VBA project)."""


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
