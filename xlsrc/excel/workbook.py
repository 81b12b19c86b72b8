"""Build the live dashboard workbook (``.xlsm``): the layout in formula mode plus VBA.

An adapter. :func:`build_workbook` translates, it computes nothing:

1. **Sheets** — :data:`xlsrc.dashboard.layout.DASHBOARD` is rendered by
   :func:`xlsrc.dashboard.render.render_dashboard` with ``data=None`` through
   :class:`xlsrc.excel.xlsx_writer.XlsxWriterWriter`, so every address comes from the
   layout: table anchors get dynamic-array formulas, charts read the spilled tables
   through sheet-level names over the spill. An ``xlwings.conf`` sheet tells xlwings
   which Python to start and which UDF module to load; form-control buttons run the
   macros in :data:`xlsrc.excel.vba_project.MACROS_BAS`.
2. **VBA project** — :func:`xlsrc.excel.vba_project.vba_project` makes it in pure Python
   with pyOpenVBA as Excel makes a workbook's first project, with the ``xlwings``,
   ``Dictionary``, ``xlwings_udfs`` (what xlwings' "Import Functions" writes) and
   ``xlsrc_macros`` modules, in the interoperable form [MS-OVBA] asks of a writer.

The build is reproducible: XlsxWriter stamps zip members with a fixed date, the document
properties carry :data:`CREATED`, and pyOpenVBA writes the same bytes for the same sources.
The build fails (:class:`WorkbookBuildError`) if a formula of the layout names a function
that is not in the generated wrappers.
"""

from __future__ import annotations

import datetime as _dt
import io
import os
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import xlsxwriter
import xlwings as xw
from pyopenvba import ExcelFile

from xlsrc.dashboard import layout as lay
from xlsrc.dashboard.frames import DEFAULT_TOP, DEFAULT_UNIVERSE, DEFAULT_WATCHLIST
from xlsrc.dashboard.render import render_dashboard
from xlsrc.errors import XlsrcError
from xlsrc.excel.vba_project import (
    UDF_MODULE,
    VBA_MODULES,
    WorkbookBuildError,
    code_names,
    vba_project,
    vba_sources,
    wrapped_functions,
)
from xlsrc.excel.xlsx_writer import XlsxWriterWriter
from xlsrc.periods import DEFAULT_BENCHMARK

__all__ = [
    "BUTTONS",
    "CONF_SHEET",
    "CREATED",
    "XLWINGS_CONF",
    "Button",
    "WorkbookBuildError",
    "WorkbookSummary",
    "build_workbook",
    "interpreter_conf",
    "new_workbook",
    "template_settings",
]

#: Document-properties date of every build (a fixed date keeps builds identical).
CREATED = _dt.datetime(2026, 1, 1)
#: The sheet xlwings reads its settings from.
CONF_SHEET = "xlwings.conf"

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
    """A form-control button bound to a macro of :data:`~xlsrc.excel.vba_project.MACROS_BAS`."""

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
        ``out_path`` does not end in ``.xlsm``, its folder cannot be made, an unknown
        ``conf`` key, or the file cannot be written (open in Excel, read-only).
    """
    path = Path(out_path).expanduser()
    if path.suffix.lower() != ".xlsm":
        raise XlsrcError(f"The workbook must be an .xlsm file, not {path.name}")
    if not path.parent.is_dir():
        # a missing folder is made, as the report's is (out/xlsrc-dashboard.xlsm)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise XlsrcError(
                f"Cannot write {path}: cannot make folder {path.parent}: {reason}"
            ) from exc
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
