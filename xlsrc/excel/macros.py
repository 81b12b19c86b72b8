"""What the dashboard workbook's buttons run (through xlwings' ``RunPython``).

An adapter. The VBA macros (``xlsrc/excel/vba/xlsrc_macros.bas``) call the three entry
points :func:`refresh_data`, :func:`rebuild_dashboard` and :func:`export_report`; each is
a one-line wrapper that hands ``xw.Book.caller()`` (wrapped in :class:`XlwingsBook`) to
the function doing the work. Those functions take any :class:`MacroBook`, so the tests
run them on Linux against an openpyxl workbook (:class:`OpenpyxlBook`) rendered through
the same :class:`~xlsrc.dashboard.render.SheetWriter` interface.

Every macro reports progress on Excel's status bar and ends by writing what happened to
the named cell ``Status`` (Settings sheet). None of them computes a metric: refresh is
:func:`xlsrc.data.refresh.refresh`, the sheets are :func:`xlsrc.dashboard.render.render_dashboard`,
the report is :func:`xlsrc.report.write_report`.
"""

from __future__ import annotations

import datetime as _dt
import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol

from xlsrc.dashboard import layout as lay
from xlsrc.dashboard.frames import DEFAULT_TOP, DEFAULT_UNIVERSE
from xlsrc.dashboard.render import Ref, SheetWriter, render_dashboard
from xlsrc.periods import DEFAULT_BENCHMARK
from xlsrc.sectors import SECTOR_ETFS

__all__ = [
    "MacroBook",
    "OpenpyxlBook",
    "XlwingsBook",
    "export_report",
    "export_report_in",
    "rebuild_dashboard",
    "rebuild_dashboard_in",
    "refresh_data",
    "refresh_data_in",
    "refresh_tickers",
    "report_path",
    "workbook_settings",
]

logger = logging.getLogger(__name__)

Clock = Callable[[], _dt.datetime]


class MacroBook(Protocol):
    """What the macros need from a workbook."""

    @property
    def path(self) -> Path | None:
        """The workbook's file (``None`` if it was never saved)."""

    def get(self, name: str) -> Any:
        """Value of the cell a workbook-level name refers to."""

    def set(self, name: str, value: Any) -> None:
        """Write the cell a workbook-level name refers to."""

    def status_bar(self, message: str | None) -> None:
        """Show ``message`` on the status bar; ``None`` gives it back to Excel."""

    def writer(self) -> SheetWriter:
        """Return a writer that renders the layout into this workbook."""

    def recalculate(self) -> None:
        """Recalculate every formula in full (not only the cells Excel marked dirty).

        After a refresh no input cell changed, so Excel's ordinary recalculation
        (``Application.Calculate``) would leave ``LEADERS(...)``, ``DATA_STATUS()`` and
        the other UDFs showing the old data: it must be ``Application.CalculateFull``.
        """


# --------------------------------------------------------------------------- helpers
def _now() -> _dt.datetime:
    return _dt.datetime.now().replace(microsecond=0)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def workbook_settings(book: MacroBook, layout: lay.Dashboard = lay.DASHBOARD) -> dict[str, Any]:
    """Read the Settings inputs by name: ``NamedCell.key`` -> value."""
    return {named.key: book.get(named.name) for named in layout.names}


def refresh_tickers(settings: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Tickers and universes the workbook shows, for :func:`xlsrc.data.refresh.refresh`.

    Returns
    -------
    (tickers, universes)
        The watchlist, the benchmark, the Overview and chart tickers, the rotation pairs
        and the sector SPDRs; and the Leaders universe.
    """
    watch = [t.strip() for t in _text(settings.get("watchlist")).split(",") if t.strip()]
    tickers = [
        *watch,
        _text(settings.get("benchmark")) or DEFAULT_BENCHMARK,
        *lay.OVERVIEW_TICKERS,
        *lay.CHART_TICKERS,
        *(t for pair in lay.ROTATION_PAIRS for t in pair),
        *SECTOR_ETFS,
    ]
    universes = [_text(settings.get("universe")) or DEFAULT_UNIVERSE]
    return tickers, universes


def _finish(book: MacroBook, status: str) -> None:
    book.set("Status", status)
    book.status_bar(None)


# --------------------------------------------------------------------------- logic
def refresh_data_in(
    book: MacroBook,
    store: Any = None,
    refresh_fn: Callable[..., Any] | None = None,
    clock: Clock = _now,
) -> Any:
    """Download new bars for the workbook's tickers and universe, then recalculate.

    Parameters
    ----------
    book : MacroBook
    store : Store, optional
        Default: the user's store (env ``XLSRC_STORE`` or the per-user default).
    refresh_fn : callable, optional
        Default :func:`xlsrc.data.refresh.refresh`; tests inject a fake.
    clock : callable
        Time stamp of the status line.

    Returns
    -------
    RefreshSummary or None
        ``None`` when the refresh failed: the Status cell says why, nothing else in the
        workbook was touched and no formula was recalculated.
    """
    from xlsrc.data.refresh import resolve_tickers
    from xlsrc.data.refresh_summary import RefreshInterrupted

    if refresh_fn is None:
        from xlsrc.data.refresh import refresh

        refresh_fn = refresh
    book.status_bar("xlsrc: preparing the refresh...")
    try:
        if store is None:
            from xlsrc.data import open_store

            store = open_store()
        tickers, universes = refresh_tickers(workbook_settings(book))
        wanted = resolve_tickers(store, tickers, universes)

        def progress(done: int, total: int, message: str) -> None:
            book.status_bar(f"xlsrc refresh: {done:,}/{total:,} tickers. {message}".strip())

        summary = refresh_fn(store, wanted, progress=progress)
    except RefreshInterrupted as exc:
        _finish(book, f"{clock():%Y-%m-%d %H:%M} {_one_line(exc.summary)}")
        return exc.summary
    except Exception as exc:
        logger.exception("refresh failed")
        _finish(
            book,
            f"{clock():%Y-%m-%d %H:%M} Refresh failed: {exc}. "
            "The sheets were not changed; formulas use the data stored before.",
        )
        return None
    if getattr(summary, "updated", True):
        book.status_bar("xlsrc: recalculating...")
        book.recalculate()
    _finish(book, f"{clock():%Y-%m-%d %H:%M} {_one_line(summary)}")
    return summary


def _one_line(summary: Any) -> str:
    """Return the refresh summary for the Status cell: its sentences on one line."""
    lines = summary.lines() if hasattr(summary, "lines") else str(summary).splitlines()
    return " ".join(lines)


def rebuild_dashboard_in(
    book: MacroBook, layout: lay.Dashboard = lay.DASHBOARD, clock: Clock = _now
) -> dict[str, int] | None:
    """Write the dashboard's formulas, formats and names again, keeping the inputs.

    Re-renders every sheet of ``layout`` in formula mode (as the template was built), so a
    table formula that was overwritten, a format that was lost or a layout that changed
    with an xlsrc upgrade is put back; the Settings inputs are read first and written back.

    Returns
    -------
    dict of str to int or None
        Rows per table as rendered; ``None`` if it failed (Status says why).
    """
    book.status_bar("xlsrc: rebuilding the dashboard...")
    try:
        settings = workbook_settings(book, layout)
        settings["status"] = f"{clock():%Y-%m-%d %H:%M} Dashboard rebuilt from the xlsrc layout."
        rows = render_dashboard(book.writer(), None, replace(layout, meta=settings))
        book.recalculate()
    except Exception as exc:
        logger.exception("rebuild failed")
        _finish(book, f"{clock():%Y-%m-%d %H:%M} Rebuild failed: {exc}")
        return None
    book.status_bar(None)
    return rows


def report_path(book_path: Path) -> Path:
    """Where Export report writes: ``<workbook stem>-report.xlsx`` beside the workbook."""
    return book_path.with_name(f"{book_path.stem}-report.xlsx")


def export_report_in(
    book: MacroBook,
    market: Any = None,
    report_fn: Callable[..., Any] | None = None,
    clock: Clock = _now,
) -> Any:
    """Write the headless report (values) next to the workbook, with its Settings.

    Returns
    -------
    ReportSummary or None
        ``None`` if the workbook was never saved or the report failed (Status says why).
    """
    if report_fn is None:
        from xlsrc.report import write_report

        report_fn = write_report
    stamp = f"{clock():%Y-%m-%d %H:%M}"
    if book.path is None or not str(book.path.parent):
        _finish(
            book, f"{stamp} Export report: save the workbook first (the report goes beside it)."
        )
        return None
    out = report_path(book.path)
    settings = workbook_settings(book)
    top = settings.get("top")
    book.status_bar(f"xlsrc: writing {out.name}...")
    try:
        summary = report_fn(
            market,
            out,
            as_of=settings.get("as_of") or None,
            universe=_text(settings.get("universe")) or DEFAULT_UNIVERSE,
            top=int(top)
            if isinstance(top, int | float) and float(top).is_integer()
            else (top or DEFAULT_TOP),
            watchlist=_text(settings.get("watchlist")) or None,
            benchmark=_text(settings.get("benchmark")) or DEFAULT_BENCHMARK,
        )
    except Exception as exc:
        logger.exception("export failed")
        _finish(book, f"{stamp} Export report failed: {exc}")
        return None
    _finish(book, f"{stamp} Exported the report to {out}")
    return summary


# --------------------------------------------------------------------------- books
class OpenpyxlBook:
    """A :class:`MacroBook` over an openpyxl workbook (tests; no Excel needed).

    Parameters
    ----------
    workbook : openpyxl.Workbook
    path : Path, optional
    """

    def __init__(self, workbook: Any, path: Path | None = None) -> None:
        self.wb = workbook
        self._path = path
        self.status_messages: list[str | None] = []
        #: One entry per recalculation requested: always ``"full"`` (see
        #: :meth:`MacroBook.recalculate`).
        self.recalculations: list[str] = []

    @property
    def path(self) -> Path | None:
        """The workbook's file."""
        return self._path

    def _cell(self, name: str) -> Any:
        sheet, cell = next(iter(self.wb.defined_names[name].destinations))
        return self.wb[sheet][cell.replace("$", "")]

    def get(self, name: str) -> Any:
        """Value of a named cell."""
        return self._cell(name).value

    def set(self, name: str, value: Any) -> None:
        """Write a named cell."""
        self._cell(name).value = value

    def status_bar(self, message: str | None) -> None:
        """Record the message."""
        self.status_messages.append(message)

    def writer(self) -> SheetWriter:
        """Return an :class:`xlsrc.report.OpenpyxlWriter` into this workbook."""
        from xlsrc.report import OpenpyxlWriter

        return OpenpyxlWriter(self.wb)

    def recalculate(self) -> None:
        """Record a full recalculation (openpyxl does not calculate)."""
        self.recalculations.append("full")


def _bgr(rgb: str) -> int:
    r, g, b = int(rgb[0:2], 16), int(rgb[2:4], 16), int(rgb[4:6], 16)
    return r + (g << 8) + (b << 16)


class XlwingsWriter:
    """A :class:`~xlsrc.dashboard.render.SheetWriter` into a live workbook (Windows Excel).

    Writes cells, spilling formulas (``Range.formula2``), number formats, widths,
    conditional formats (through the COM object model) and names. Charts, frozen panes,
    print setup and buttons are left as the template has them (a rebuild clears cells and
    their formats, not shapes or the page setup). Not exercised on Linux.
    """

    #: ``xlExpression`` (XlFormatConditionType), ``xlA1``/``xlR1C1`` (XlReferenceStyle),
    #: ``xlRelative`` (XlReferenceType).
    _XL_EXPRESSION = 2
    _XL_A1 = 1
    _XL_R1C1 = -4150
    _XL_RELATIVE = 4
    #: ``xlLeft`` (XlHAlign).
    _XL_LEFT = -4131

    def __init__(self, book: Any) -> None:
        self.book = book
        self.sheet: Any = None

    def add_sheet(self, sheet: lay.Sheet) -> None:
        """Select (or add) the sheet and clear its cells."""
        names = [s.name for s in self.book.sheets]
        if sheet.name in names:
            self.sheet = self.book.sheets[sheet.name]
        else:
            self.sheet = self.book.sheets.add(sheet.name, after=self.book.sheets[-1])
        self.sheet.cells.clear()

    def _style(self, rng: Any, style: str) -> None:
        if style in ("title", "section", "label", "header"):
            rng.font.bold = True
        if style == "title":
            rng.font.size = 16
        if style in ("title", "section"):
            rng.font.color = "#" + lay.TITLE_FONT
        if style in ("subtitle", "note"):
            rng.font.italic = True
        if style == "subtitle":  # the as-of date is a number: left, beside its label
            rng.api.HorizontalAlignment = self._XL_LEFT
        if style == "header":
            rng.font.color = "#" + lay.HEADER_FONT
            rng.color = "#" + lay.HEADER_FILL
        if style == "input":
            rng.color = "#" + lay.INPUT_FILL

    def write(
        self, cell: str, value: Any, number_format: str | None, style: str, align: str = ""
    ) -> None:
        """Write a value (text starting with ``=`` is written as text)."""
        rng = self.sheet.range(cell)
        if number_format and number_format != lay.FMT_GENERAL:
            rng.number_format = number_format
        if isinstance(value, str) and value.startswith("="):
            value = "'" + value
        rng.value = value
        self._style(rng, style)

    def write_formula(
        self, cell: str, formula: str, number_format: str | None, style: str, spill: bool
    ) -> None:
        """Write ``=formula``; ``formula2`` (dynamic array) when ``spill``.

        A number format (the as-of date cell's date format) is set too: the sheet's cells
        were cleared, formats included.
        """
        rng = self.sheet.range(cell)
        if number_format and number_format != lay.FMT_GENERAL:
            rng.number_format = number_format
        if spill:
            rng.formula2 = "=" + formula
        else:
            rng.formula = "=" + formula
        self._style(rng, style)

    def set_width(self, col: int, width: float) -> None:
        """Set a column width."""
        letter = lay.column_letter(col)
        self.sheet.range(f"{letter}:{letter}").column_width = width

    def set_format(self, ref: Ref, number_format: str) -> None:
        """Number-format a range."""
        self.sheet.range(ref.a1().split("!")[1]).number_format = number_format

    def highlight(self, ref: Ref, rule: lay.Highlight) -> None:
        """Add the rule's formula (``Highlight.formula``) as a conditional format (COM).

        Excel reads the relative references of a formula given to
        ``FormatConditions.Add`` relative to the *active* cell, so the rule is written in
        R1C1 (``RC`` = the cell being formatted) and converted to A1 relative to the
        active cell; without an active cell, it is written for the range's top-left cell.
        """
        rng = self.sheet.range(ref.a1().split("!")[1]).api
        app = self.book.app.api
        try:
            formula = app.ConvertFormula(
                Formula="=" + rule.formula("RC"),
                FromReferenceStyle=self._XL_R1C1,
                ToReferenceStyle=self._XL_A1,
                ToAbsolute=self._XL_RELATIVE,
                RelativeTo=app.ActiveCell,
            )
        except Exception:  # no active cell (e.g. a chart sheet is active)
            formula = "=" + rule.formula(lay.cell_address(ref.min_row, ref.min_col))
        fc = rng.FormatConditions.Add(Type=self._XL_EXPRESSION, Formula1=formula)
        fc.Interior.Color = _bgr(rule.fill)
        fc.Font.Color = _bgr(rule.font)
        fc.Font.Bold = True

    def chart(self, chart: lay.Chart, series: Any, bounds: dict[str, float]) -> None:
        """Keep the template's chart (its series read sheet-level names over the spills)."""

    def finish_sheet(self, sheet: lay.Sheet, title_rows: int) -> None:
        """Keep the template's panes and print setup."""

    def define_name(self, name: str, ref: Ref) -> None:
        """Define (or redefine) a workbook-level name."""
        if name in [n.name for n in self.book.names]:
            self.book.names[name].refers_to = "=" + ref.a1()
        else:
            self.book.names.add(name, "=" + ref.a1())

    #: ``xlTop`` (XlVAlign).
    _XL_TOP = -4160

    def merge(self, ref: Ref, style: str) -> None:
        """Merge a range; a paragraph line wraps, top-left aligned."""
        rng = self.sheet.range(ref.a1().split("!")[1])
        rng.api.Merge()
        if style == "paragraph":
            rng.api.WrapText = True
            rng.api.VerticalAlignment = self._XL_TOP
            rng.api.HorizontalAlignment = self._XL_LEFT

    def set_height(self, row: int, points: float) -> None:
        """Set a row's height."""
        self.sheet.range(f"{row}:{row}").row_height = points


class XlwingsBook:
    """A :class:`MacroBook` over a live ``xw.Book`` (the workbook that ran the macro)."""

    def __init__(self, book: Any) -> None:
        self.book = book

    @property
    def path(self) -> Path | None:
        """The workbook's file (``None`` if unsaved)."""
        full = Path(self.book.fullname)
        return full if full.parent != Path(".") and full.exists() else None

    def get(self, name: str) -> Any:
        """Value of a named cell."""
        return self.book.names[name].refers_to_range.value

    def set(self, name: str, value: Any) -> None:
        """Write a named cell."""
        self.book.names[name].refers_to_range.value = value

    def status_bar(self, message: str | None) -> None:
        """Show a message (``None`` gives the status bar back to Excel)."""
        self.book.app.status_bar = message if message is not None else False

    def writer(self) -> SheetWriter:
        """Return an :class:`XlwingsWriter` into this workbook."""
        return XlwingsWriter(self.book)

    def recalculate(self) -> None:
        """Recalculate every formula of every open workbook (``Application.CalculateFull``).

        Not ``xw.App.calculate()``: that is ``Application.Calculate``, which recomputes only
        dirty cells, and after a refresh none is dirty (the inputs did not change).
        """
        self.book.app.api.CalculateFull()


# --------------------------------------------------------------------------- entry points
def _caller() -> XlwingsBook:
    import xlwings as xw

    return XlwingsBook(xw.Book.caller())


def refresh_data() -> None:
    """Button "Refresh data" (``RunPython``)."""
    refresh_data_in(_caller())


def rebuild_dashboard() -> None:
    """Button "Rebuild dashboard" (``RunPython``)."""
    rebuild_dashboard_in(_caller())


def export_report() -> None:
    """Button "Export report" (``RunPython``)."""
    export_report_in(_caller())
