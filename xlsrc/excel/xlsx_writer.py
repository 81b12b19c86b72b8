"""The dashboard layout written with XlsxWriter in formula mode (the live workbook's sheets).

Split from :mod:`xlsrc.excel.workbook`. :class:`XlsxWriterWriter` is the
:class:`~xlsrc.dashboard.render.SheetWriter` that :func:`xlsrc.dashboard.render.render_dashboard`
draws the layout through with ``data=None``: table anchors get dynamic-array formulas
(XlsxWriter's ``write_dynamic_array_formula`` writes the ``cm`` attribute and
``xl/metadata.xml`` Excel 365 needs to spill them), and charts read the spilled tables
through sheet-level names over the spill (:func:`spill_column_name`,
:func:`spill_column_formula`).
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any

import pandas as pd
import xlsxwriter

from xlsrc.dashboard import layout as lay
from xlsrc.dashboard.render import ChartSeries, Ref

__all__ = ["SERIES_COLORS", "XlsxWriterWriter", "spill_column_formula", "spill_column_name"]

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
