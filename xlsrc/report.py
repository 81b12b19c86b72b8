"""The headless dashboard report: the layout rendered with values into an .xlsx by openpyxl.

``write_report(market, out_path, ...)`` computes the dashboard with
:func:`xlsrc.dashboard.build.build_dashboard` and renders
:data:`xlsrc.dashboard.layout.DASHBOARD` through :class:`OpenpyxlWriter`, an
implementation of :class:`xlsrc.dashboard.render.SheetWriter`. This module translates the
layout into openpyxl objects; it computes nothing.

The file is written atomically: to a temporary file in the target directory, then
``os.replace``-d onto ``out_path``, so ``out_path`` never holds a half-written report and
an existing report survives a failed run untouched.
"""

from __future__ import annotations

import datetime as _dt
import os
import tempfile
import textwrap
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference, ScatterChart, Series
from openpyxl.chart.axis import ChartLines, DateAxis
from openpyxl.chart.data_source import AxDataSource, StrRef
from openpyxl.chart.label import DataLabelList
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.chart.text import RichText, Text
from openpyxl.chart.title import Title
from openpyxl.drawing.line import LineProperties
from openpyxl.drawing.text import (
    CharacterProperties,
    Paragraph,
    ParagraphProperties,
    RegularTextRun,
)
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.worksheet import Worksheet

from xlsrc.dashboard import layout as lay
from xlsrc.dashboard.build import build_dashboard
from xlsrc.dashboard.frames import DEFAULT_TOP, DEFAULT_UNIVERSE
from xlsrc.dashboard.render import ChartSeries, Ref, render_dashboard
from xlsrc.errors import InvalidParameterError, XlsrcError
from xlsrc.periods import DEFAULT_BENCHMARK

if TYPE_CHECKING:
    from xlsrc.market import Market

__all__ = ["OpenpyxlWriter", "ReportSummary", "write_report"]

_FONTS = {
    "title": Font(bold=True, size=16, color=lay.TITLE_FONT),
    "subtitle": Font(italic=True, size=10, color="595959"),
    "section": Font(bold=True, size=11, color=lay.TITLE_FONT),
    "label": Font(bold=True),
    "note": Font(italic=True, size=9, color="7F7F7F"),
    "header": Font(bold=True, color=lay.HEADER_FONT),
}
_HEADER_FILL = PatternFill("solid", start_color=lay.HEADER_FILL, end_color=lay.HEADER_FILL)
_INPUT_FILL = PatternFill("solid", start_color=lay.INPUT_FILL, end_color=lay.INPUT_FILL)
_THIN = Side(style="thin", color="BFBFBF")
_INPUT_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
_PARAGRAPH_ALIGN = Alignment(horizontal="left", vertical="top", wrap_text=True)
_CM = 1.0  # openpyxl chart sizes are in cm


class OpenpyxlWriter:
    """A :class:`~xlsrc.dashboard.render.SheetWriter` that builds an openpyxl ``Workbook``.

    Parameters
    ----------
    workbook : openpyxl.Workbook, optional
        Render into this workbook (its existing sheets of the same names are replaced);
        default a new, empty one.
    """

    def __init__(self, workbook: Workbook | None = None) -> None:
        if workbook is None:
            workbook = Workbook()
            workbook.remove(workbook.active)
        self.wb = workbook
        self.ws: Worksheet | None = None
        self._headers: list[tuple[str, str]] = []
        self._wrapped: list[tuple[str, str]] = []

    # -- SheetWriter ----------------------------------------------------------------
    def add_sheet(self, sheet: lay.Sheet) -> None:
        """Create (or replace) the worksheet ``sheet.name``."""
        if sheet.name in self.wb.sheetnames:
            idx = self.wb.sheetnames.index(sheet.name)
            self.wb.remove(self.wb[sheet.name])
            self.ws = self.wb.create_sheet(sheet.name, idx)
        else:
            self.ws = self.wb.create_sheet(sheet.name)
        self._headers = []
        self._wrapped = []
        self.ws.sheet_view.showGridLines = False
        if sheet.tab_color:
            self.ws.sheet_properties.tabColor = sheet.tab_color

    def _style(self, cell: Any, style: str) -> None:
        if style in _FONTS:
            cell.font = _FONTS[style]
        if style == "header":
            cell.fill = _HEADER_FILL
            cell.alignment = _HEADER_ALIGN
        elif style == "input":
            cell.fill = _INPUT_FILL
            cell.border = _INPUT_BORDER
            cell.alignment = Alignment(horizontal="left")

    def write(
        self, cell: str, value: Any, number_format: str | None, style: str, align: str = ""
    ) -> None:
        """Write a value; a timestamp at midnight becomes a date."""
        assert self.ws is not None
        if style == "header":
            self._headers.append((cell, str(value)))
        if style == "wrapped" and isinstance(value, str):
            self._wrapped.append((cell, value))
        if isinstance(value, pd.Timestamp):
            value = value.to_pydatetime()
        if isinstance(value, _dt.datetime) and value.time() == _dt.time(0):
            value = value.date()
        c = self.ws[cell]
        c.value = value
        if number_format and number_format != lay.FMT_GENERAL:
            c.number_format = number_format
        self._style(c, style)
        if style in ("data", "wrapped"):
            c.alignment = _data_alignment(align, style == "wrapped")
        elif style == "paragraph":
            c.alignment = _PARAGRAPH_ALIGN
        elif align:
            c.alignment = Alignment(horizontal=align)

    def write_formula(
        self, cell: str, formula: str, number_format: str | None, style: str, spill: bool
    ) -> None:
        """Write ``=formula`` (openpyxl cannot mark a dynamic array; the workbook builder can)."""
        self.write(cell, "=" + formula, number_format, style)

    def set_width(self, col: int, width: float) -> None:
        """Set a column width."""
        assert self.ws is not None
        self.ws.column_dimensions[lay.column_letter(col)].width = width

    def set_format(self, ref: Ref, number_format: str) -> None:
        """Number-format every cell of ``ref``."""
        assert self.ws is not None
        for row in self.ws.iter_rows(
            min_row=ref.min_row, max_row=ref.max_row, min_col=ref.min_col, max_col=ref.max_col
        ):
            for c in row:
                c.number_format = number_format

    def highlight(self, ref: Ref, rule: lay.Highlight) -> None:
        """Add a conditional format: a formula rule, :meth:`~xlsrc.dashboard.layout.Highlight.formula`."""
        assert self.ws is not None
        fill = PatternFill("solid", start_color=rule.fill, end_color=rule.fill)
        font = Font(color=rule.font, bold=True)
        rng = ref.a1().split("!")[1].replace("$", "")
        first = lay.cell_address(ref.min_row, ref.min_col)
        cf = FormulaRule(formula=[rule.formula(first)], fill=fill, font=font)
        self.ws.conditional_formatting.add(rng, cf)

    def chart(self, chart: lay.Chart, series: list[ChartSeries], bounds: dict[str, float]) -> None:
        """Add a native line, bar or scatter chart whose series reference the sheet."""
        assert self.ws is not None
        build = {"line": self._line, "bar": self._bar, "scatter": self._scatter}[chart.kind]
        ch = build(chart, series, bounds)
        ch.title = _chart_title(chart.title)
        ch.width = chart.width * _CM
        ch.height = chart.height * _CM
        ch.x_axis.delete = False
        ch.y_axis.delete = False
        if chart.x_title:
            ch.x_axis.title = chart.x_title
        if chart.y_title:
            ch.y_axis.title = chart.y_title
        decimals = int(bounds.get("y_decimals", 0))
        if chart.kind == "line" and decimals and chart.y_format == "0":
            ch.y_axis.number_format = "0." + "0" * decimals  # steps of 0.5 read 100.5, not 100
        else:
            ch.y_axis.number_format = chart.y_format
        ch.y_axis.majorGridlines = ChartLines(
            spPr=GraphicalProperties(ln=LineProperties(solidFill="D9D9D9"))
        )
        self.ws.add_chart(ch, chart.anchor)

    def _ref(self, ref: Ref) -> Reference:
        return Reference(
            self.wb[ref.sheet],
            min_col=ref.min_col,
            min_row=ref.min_row,
            max_col=ref.max_col,
            max_row=ref.max_row,
        )

    def _line(
        self, chart: lay.Chart, series: list[ChartSeries], bounds: dict[str, float]
    ) -> LineChart:
        ch = LineChart()
        for i, s in enumerate(series):
            ser = Series(self._ref(s.y), title_from_data=False)
            ser.tx = _title_ref(s.title)
            ser.smooth = False
            ser.marker.symbol = "none"
            ser.graphicalProperties.line.solidFill = lay.SERIES_COLORS[i % len(lay.SERIES_COLORS)]
            ser.graphicalProperties.line.width = 22000
            ch.series.append(ser)
        ch.set_categories(self._ref(series[0].x))
        ch.x_axis = DateAxis(crossAx=100)
        ch.x_axis.number_format = "mmm d"
        days = series[0].x.max_row - series[0].x.min_row + 1
        if days > 70:
            ch.x_axis.majorTimeUnit = "months"
            ch.x_axis.majorUnit = 1
            ch.x_axis.number_format = "mmm yy"
        else:
            ch.x_axis.majorTimeUnit = "days"
            ch.x_axis.majorUnit = 7
        ch.x_axis.baseTimeUnit = "days"
        if "x_min" in bounds:  # the axis starts at the base session: its tick is its date
            ch.x_axis.scaling.min = bounds["x_min"]
            ch.x_axis.scaling.max = bounds["x_max"]
        ch.x_axis.title = None
        ch.y_axis.crossAx = 500
        ch.y_axis.scaling.orientation = "minMax"
        if bounds:
            ch.y_axis.scaling.min = bounds["y_min"]
            ch.y_axis.scaling.max = bounds["y_max"]
            ch.y_axis.majorUnit = bounds["y_step"]
        ch.legend.position = "b"
        return ch

    def _bar(
        self, chart: lay.Chart, series: list[ChartSeries], bounds: dict[str, float]
    ) -> BarChart:
        ch = BarChart()
        ch.type = "col"
        ch.gapWidth = 60
        for i, s in enumerate(series):
            ser = Series(self._ref(s.y), title_from_data=False)
            ser.tx = _title_ref(s.title)
            ser.graphicalProperties.solidFill = lay.SERIES_COLORS[(i + 1) % len(lay.SERIES_COLORS)]
            ser.invertIfNegative = False
            ch.series.append(ser)
        cats = AxDataSource(strRef=StrRef(series[0].x.a1()))
        for ser in ch.series:
            ser.cat = cats
        ch.dataLabels = DataLabelList(
            showVal=True,
            showSerName=False,
            showCatName=False,
            showLegendKey=False,
            showPercent=False,
        )
        ch.dataLabels.numFmt = "0.0%"
        ch.legend = None
        ch.x_axis.tickLblPos = "low"
        return ch

    def _scatter(
        self, chart: lay.Chart, series: list[ChartSeries], bounds: dict[str, float]
    ) -> ScatterChart:
        ch = ScatterChart()
        ch.style = 13
        palette = (
            "1F4E78", "C00000", "548235", "7030A0", "C65911", "2E75B6",
            "BF8F00", "FF66CC", "00B0F0", "375623", "7F6000",
        )  # fmt: skip
        k = 0
        for s in series:
            ser = Series(self._ref(s.y), self._ref(s.x), title_from_data=False)
            ser.tx = _title_ref(s.title)
            if s.kind == "guide":
                ser.marker.symbol = "none"
                ser.graphicalProperties.line.solidFill = "808080"
                ser.graphicalProperties.line.dashStyle = "dash"
                ser.graphicalProperties.line.width = 12700
            else:
                color = palette[k % len(palette)]
                k += 1
                ser.marker.symbol = "circle"
                ser.marker.size = 8
                ser.marker.graphicalProperties = GraphicalProperties(solidFill=color)
                ser.marker.graphicalProperties.line.solidFill = color
                ser.graphicalProperties.line.noFill = True
                ser.dLbls = DataLabelList(
                    showSerName=True,
                    showVal=False,
                    showCatName=False,
                    showLegendKey=False,
                    showPercent=False,
                    dLblPos="r",
                )
            ch.series.append(ser)
        if bounds:
            ch.x_axis.scaling.min = bounds["x_min"]
            ch.x_axis.scaling.max = bounds["x_max"]
            ch.y_axis.scaling.min = bounds["y_min"]
            ch.y_axis.scaling.max = bounds["y_max"]
        ch.x_axis.number_format = "0"
        # light grid both ways, so the dashed quadrant lines at 100 stand out
        ch.x_axis.majorGridlines = ChartLines(
            spPr=GraphicalProperties(ln=LineProperties(solidFill="D9D9D9"))
        )
        ch.legend = None  # points carry their ticker; the dashed lines are self-explanatory
        return ch

    def finish_sheet(self, sheet: lay.Sheet, title_rows: int) -> None:
        """Freeze panes, landscape, fit to one page wide, repeat the title rows."""
        ws = self.ws
        assert ws is not None
        if sheet.freeze:
            ws.freeze_panes = sheet.freeze
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 1 if sheet.one_page else 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.horizontalCentered = True
        ws.page_margins.left = ws.page_margins.right = 0.4
        ws.page_margins.top = ws.page_margins.bottom = 0.5
        if sheet.print_area:
            ws.print_area = sheet.print_area
        if title_rows > 1:
            ws.print_title_rows = f"1:{title_rows}"
        for cell, text in self._headers:
            col = ws[cell].column_letter
            width = ws.column_dimensions[col].width or 8.43
            if len(text) > 0.75 * width:  # bold headers need room: give them two lines
                ws.row_dimensions[ws[cell].row].height = 27
        for cell, text in self._wrapped:
            # Excel and LibreOffice do not grow a row for wrapped text written by openpyxl:
            # give it the lines the text needs (about 1.2 characters per width unit,
            # wrapped at spaces).
            col = ws[cell].column_letter
            per_line = max(1, int(1.2 * (ws.column_dimensions[col].width or 8.43)))
            lines = len(textwrap.wrap(text, per_line, break_long_words=False)) or 1
            row = ws[cell].row
            if lines > 1:
                ws.row_dimensions[row].height = max(
                    ws.row_dimensions[row].height or 0, 14.5 * lines
                )
        ws.oddFooter.center.text = "&A  -  page &P of &N"
        ws.oddFooter.center.size = 8

    def define_name(self, name: str, ref: Ref) -> None:
        """Define a workbook-level name."""
        rng = ref.a1()
        self.wb.defined_names[name] = DefinedName(name, attr_text=rng)

    def merge(self, ref: Ref, style: str) -> None:
        """Merge the cells of ``ref`` (its first cell keeps what is written to it)."""
        assert self.ws is not None
        self.ws.merge_cells(
            start_row=ref.min_row,
            start_column=ref.min_col,
            end_row=ref.max_row,
            end_column=ref.max_col,
        )

    def set_height(self, row: int, points: float) -> None:
        """Set a row's height in points."""
        assert self.ws is not None
        self.ws.row_dimensions[row].height = points


_ALIGNMENTS: dict[tuple[str, bool], Alignment] = {}


def _data_alignment(horizontal: str, wrap: bool) -> Alignment:
    """Top-aligned data cells (a row grown by a wrapped cell still reads across)."""
    key = (horizontal, wrap)
    if key not in _ALIGNMENTS:
        _ALIGNMENTS[key] = Alignment(
            horizontal=horizontal or None, vertical="top", wrap_text=wrap or None
        )
    return _ALIGNMENTS[key]


def _chart_title(text: str, size: int = 1100) -> Title:
    """Return a chart title in a modest bold font (Excel's default 14 pt wraps on small charts)."""
    props = CharacterProperties(sz=size, b=True, solidFill="1F4E78")
    para = Paragraph(pPr=ParagraphProperties(defRPr=props), r=[RegularTextRun(rPr=props, t=text)])
    return Title(tx=Text(rich=RichText(p=[para])), overlay=False)


def _title_ref(ref: Ref) -> Any:
    from openpyxl.chart.series import SeriesLabel

    return SeriesLabel(strRef=StrRef(ref.a1()))


# --------------------------------------------------------------------------- summary
@dataclass
class ReportSummary:
    """What :func:`write_report` wrote.

    Attributes
    ----------
    path : Path
    as_of : pd.Timestamp
    universe : str
    rows : dict of str to int
        Data rows per table.
    sheets : list of str
    charts : int
    problems : list of str
        Rows left out or marked, with reasons.
    seconds : float
    top_leaders : list of str
        The first few leaders, for the summary line.
    """

    path: Path
    as_of: pd.Timestamp
    universe: str
    rows: dict[str, int]
    sheets: list[str]
    charts: int
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    top_leaders: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        r = self.rows
        lines = [
            f"Wrote {self.path} (as of {self.as_of:%Y-%m-%d}, {self.seconds:.1f} s)",
            f"  Overview:   {r.get('rotation_summary', 0)} sentences, "
            f"{r.get('overview', 0)} indices/ETFs, {r.get('rotation', 0)} rotation pairs, "
            f"{r.get('breadth', 0)} breadth rows, "
            + (
                f"chart of {r.get('rebased', 0)} days"
                if r.get("rebased", 0) > 1
                else "no chart (the year has not traded yet)"
            ),
            f"  Leaders:    top {r.get('leaders', 0)} of {self.universe} by YTD"
            + (f" ({', '.join(self.top_leaders)}, ...)" if self.top_leaders else ""),
            f"  Sectors:    {r.get('sectors', 0)} sector SPDRs with RRG",
            f"  Groups:     the strongest {r.get('groups_top', 0)} and weakest "
            f"{r.get('groups_bottom', 0)} industry groups",
            f"  Technicals: {r.get('technicals', 0)} watchlist tickers",
            f"  Sheets: {', '.join(self.sheets)}; {self.charts} charts",
        ]
        for p in self.problems:
            lines.append(f"  warning: {p}")
        return "\n".join(lines)


# --------------------------------------------------------------------------- entry point
def _check_out_path(out_path: str | os.PathLike[str]) -> Path:
    path = Path(out_path).expanduser()
    if path.suffix.lower() != ".xlsx":
        raise InvalidParameterError(name="out", value=str(path), allowed="a path ending in .xlsx")
    if path.is_dir():
        raise XlsrcError(f"Cannot write the report to {path}: it is a directory")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        # A missing folder is made, as an analyst asking for reports/jan.xlsx expects.
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise XlsrcError(
                f"Cannot write the report to {path}: cannot make folder {parent}: {reason}"
            ) from exc
    if not os.access(parent, os.W_OK):
        raise XlsrcError(f"Cannot write the report to {path}: folder {parent} is not writable")
    if path.exists() and not os.access(path, os.W_OK):
        raise XlsrcError(f"Cannot write the report to {path}: the file is read-only")
    return path


def save_atomically(workbook: Workbook, path: Path) -> None:
    """Save ``workbook`` to a temporary file beside ``path``, then move it onto ``path``.

    Parameters
    ----------
    workbook : openpyxl.Workbook
    path : Path

    Raises
    ------
    XlsrcError
        If the file cannot be written; ``path`` is then left as it was.
    """
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".xlsx.tmp", dir=path.parent)
        os.close(fd)
        workbook.save(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        raise XlsrcError(f"Cannot write the report to {path}: {exc.strerror or exc}") from exc
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)


def write_report(
    market: Market | None,
    out_path: str | os.PathLike[str],
    as_of: object = None,
    universe: str = DEFAULT_UNIVERSE,
    top: int = DEFAULT_TOP,
    watchlist: Iterable[str] | str | None = None,
    benchmark: str = DEFAULT_BENCHMARK,
) -> ReportSummary:
    """Write the dashboard report to ``out_path``.

    Parameters
    ----------
    market : Market or None
        The loaded market (``None`` = :func:`xlsrc.market.get_market` on the default store).
    out_path : str or path-like
        The .xlsx to write (replaced atomically if it exists).
    as_of : date-like or None
        ``None`` = the last date in the store; otherwise the last trading day on or before.
    universe : str
        Universe of the Leaders sheet (default ``sp600``).
    top : int
        Leaders to list.
    watchlist : iterable of str, comma-separated str or None
        Tickers of the Technicals sheet (default
        :data:`xlsrc.dashboard.frames.DEFAULT_WATCHLIST`).
    benchmark : str
        Benchmark of the RRG (default SPY).

    Returns
    -------
    ReportSummary
        ``str()`` of it says where the report went and what it holds.

    Raises
    ------
    InvalidParameterError
        Bad date, bad ``top``, an out path not ending in .xlsx.
    NoDataError
        A date before the data.
    UnknownUniverseError, UnknownTickerError
        Unknown universe or benchmark.
    XlsrcError
        The path cannot be written.
    """
    started = time.perf_counter()
    path = _check_out_path(out_path)
    if market is None:
        from xlsrc.market import get_market

        market = get_market()
    data = build_dashboard(market, as_of, universe, top, watchlist, benchmark)
    writer = OpenpyxlWriter()
    writer.wb.properties.creator = "xlsrc"
    writer.wb.properties.title = f"xlsrc dashboard as of {data.as_of:%Y-%m-%d}"
    rows = render_dashboard(writer, data)
    save_atomically(writer.wb, path)
    return ReportSummary(
        path=path,
        as_of=data.as_of,
        universe=str(universe),
        rows=rows,
        sheets=list(writer.wb.sheetnames),
        charts=sum(len(ws._charts) for ws in writer.wb.worksheets),
        problems=list(data.problems),
        seconds=time.perf_counter() - started,
        top_leaders=list(data.tables["leaders"]["ticker"].head(3)),
    )
