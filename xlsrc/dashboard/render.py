"""Walk the layout once, for any spreadsheet writer: values (report) or formulas (workbook).

:func:`render_dashboard` turns :data:`xlsrc.dashboard.layout.DASHBOARD` into calls on a
:class:`SheetWriter`. The headless report (:mod:`xlsrc.report`) passes the computed
:class:`xlsrc.dashboard.build.DashboardData` and gets values; the live workbook passes
``data=None`` and gets, at the very same anchors, the xlsrc formulas that compute them
(``=LEADERS(Universe, TopN, "ytd", AsOf)`` spilling as a dynamic array). Everything that
does not depend on the values (widths, formats, frozen panes, highlights, charts, names,
print setup) is identical in both.

This module imports no spreadsheet library: writers are adapters.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

import pandas as pd

from .cells import to_cell
from .layout import (
    DASHBOARD,
    LINE_POINTS,
    Chart,
    Dashboard,
    Highlight,
    Paragraphs,
    Sheet,
    Table,
    cell_address,
    split_cell,
)

if TYPE_CHECKING:
    from .build import DashboardData

__all__ = ["ChartSeries", "Ref", "SheetWriter", "render_dashboard"]

#: ``wrapped`` = a data cell whose long text wraps (:attr:`Column.wrap`); ``paragraph`` =
#: a line of a :class:`~xlsrc.dashboard.layout.Paragraphs` block (merged, wrapped, top-left).
Style = Literal[
    "title",
    "subtitle",
    "label",
    "section",
    "note",
    "header",
    "input",
    "data",
    "wrapped",
    "paragraph",
]
#: Characters of 11-point text per unit of column width, for the lines a paragraph wraps
#: to (the report's estimate for wrapped cells too: an average letter is narrower than
#: the digit "0" that defines the unit).
CHARS_PER_WIDTH = 1.2


@dataclass(frozen=True)
class Ref:
    """A rectangular range on a sheet, 1-based and inclusive (as openpyxl's ``Reference``)."""

    sheet: str
    min_row: int
    min_col: int
    max_row: int
    max_col: int

    def a1(self) -> str:
        """Return the absolute A1 reference, e.g. ``'Sectors'!$F$5:$F$15``."""
        first = cell_address(self.min_row, self.min_col, absolute=True)
        last = cell_address(self.max_row, self.max_col, absolute=True)
        rng = first if first == last else f"{first}:{last}"
        return f"'{self.sheet}'!{rng}"


@dataclass(frozen=True)
class ChartSeries:
    """One series of a chart: its name cell and its x (categories) and y ranges.

    ``kind`` is ``"data"`` for a data series, ``"guide"`` for a reference line.
    """

    title: Ref
    x: Ref
    y: Ref
    kind: Literal["data", "guide"] = "data"


class SheetWriter(Protocol):
    """What a spreadsheet adapter implements so :func:`render_dashboard` can drive it."""

    def add_sheet(self, sheet: Sheet) -> None:
        """Create a worksheet (in call order) and make it the target of the next calls."""

    def write(
        self, cell: str, value: Any, number_format: str | None, style: Style, align: str = ""
    ) -> None:
        """Write a value (str, float, int, pd.Timestamp or None) to ``cell``."""

    def write_formula(
        self, cell: str, formula: str, number_format: str | None, style: Style, spill: bool
    ) -> None:
        """Write ``=formula`` to ``cell``; ``spill`` = a dynamic-array formula."""

    def set_width(self, col: int, width: float) -> None:
        """Set the width of 1-based column ``col``."""

    def set_format(self, ref: Ref, number_format: str) -> None:
        """Give the (possibly still empty) cells of ``ref`` a number format."""

    def highlight(self, ref: Ref, rule: Highlight) -> None:
        """Add a conditional-format rule over ``ref``."""

    def chart(self, chart: Chart, series: list[ChartSeries], bounds: dict[str, float]) -> None:
        """Add a native chart; ``bounds`` may hold x_min/x_max/y_min/y_max.

        For a line chart (report mode) also ``y_step``, ``y_decimals`` (the decimals its
        value labels need) and ``x_min``/``x_max`` as Excel date serials (the first and
        last point of the date axis).
        """

    def finish_sheet(self, sheet: Sheet, title_rows: int) -> None:
        """Freeze panes, print setup; ``title_rows`` rows repeat on printed pages."""

    def define_name(self, name: str, ref: Ref) -> None:
        """Define a workbook-level name for ``ref``."""

    def merge(self, ref: Ref, style: Style) -> None:
        """Merge the cells of ``ref`` into one (before its first cell is written)."""

    def set_height(self, row: int, points: float) -> None:
        """Set the height of 1-based ``row`` in points."""


def paragraph_lines(text: str, width: float) -> int:
    """Lines ``text`` wraps to in merged cells ``width`` units wide (at least 1)."""
    per_line = max(1, int(CHARS_PER_WIDTH * width))
    return max(1, len(textwrap.wrap(text, per_line, break_long_words=False)))


def _render_paragraphs(
    writer: SheetWriter,
    sheet: Sheet,
    block: Paragraphs,
    widths: dict[int, float],
    data: DashboardData | None,
) -> int:
    """Write one block of lines; return the lines written (``rows`` in formula mode)."""
    row0, col0 = block.header_row, block.first_col
    if block.title:
        writer.write(cell_address(row0 - 1, col0), block.title, None, "section")
    texts: list[str] = []
    if data is not None:
        texts = [str(t) for t in data.tables[block.name]["text"]]
        if len(texts) > block.rows:
            raise ValueError(f"{block.name}: {len(texts)} lines, room for {block.rows}")
    width = sum(widths.get(col0 + j, 8.43) for j in range(block.span))
    for k in range(block.rows):
        row = row0 + k
        writer.merge(Ref(sheet.name, row, col0, row, col0 + block.span - 1), "paragraph")
        cell = cell_address(row, col0)
        if data is None:
            writer.write_formula(cell, block.row_formula(k + 1), None, "paragraph", True)
            writer.set_height(row, block.lines * LINE_POINTS)
        elif k < len(texts):
            text = block.prefix + texts[k]
            writer.write(cell, text, None, "paragraph")
            writer.set_height(row, paragraph_lines(text, width) * LINE_POINTS)
    return block.rows if data is None else len(texts)


def _render_table(
    writer: SheetWriter, sheet: Sheet, table: Table, frame: pd.DataFrame | None
) -> int:
    """Write one table; return the number of data rows it covers."""
    row0, col0 = split_cell(table.anchor)
    if table.title:
        writer.write(cell_address(row0 - 1, col0), table.title, None, "section")
    if frame is None:
        writer.write_formula(table.anchor, table.formula, None, "header", True)
        n_rows = table.max_rows
        for j, col in enumerate(table.columns):
            ref = Ref(sheet.name, row0 + 1, col0 + j, row0 + n_rows, col0 + j)
            writer.set_format(ref, col.number_format)
    else:
        missing = [k for k in table.keys if k not in frame.columns]
        if missing:
            raise ValueError(f"table {table.name!r} lacks columns {missing}")
        for j, col in enumerate(table.columns):
            writer.write(cell_address(row0, col0 + j), col.header, None, "header")
        values = frame[list(table.keys)].itertuples(index=False, name=None)
        for i, record in enumerate(values, start=1):
            for j, (col, value) in enumerate(zip(table.columns, record, strict=True)):
                writer.write(
                    cell_address(row0 + i, col0 + j),
                    to_cell(value),
                    col.number_format,
                    "wrapped" if col.wrap else "data",
                    col.align,
                )
        n_rows = len(frame)
        if table.note:
            writer.write(cell_address(row0 + n_rows + 1, col0), table.note, None, "note")
    for rule in table.highlights:
        at = table.col_of(rule.column)
        writer.highlight(Ref(sheet.name, row0 + 1, at, row0 + max(n_rows, 1), at), rule)
    return n_rows


def _chart_series(sheet: Sheet, chart: Chart, rows: dict[str, int]) -> list[ChartSeries]:
    table = sheet.table(chart.table)
    n = max(rows[table.name], 1)
    r0 = table.header_row
    out: list[ChartSeries] = []
    if chart.kind == "scatter":
        xc, yc, lc = table.col_of(chart.x), table.col_of(chart.y[0]), table.col_of(chart.label)
        for i in range(1, n + 1):
            r = r0 + i
            out.append(
                ChartSeries(
                    title=Ref(sheet.name, r, lc, r, lc),
                    x=Ref(sheet.name, r, xc, r, xc),
                    y=Ref(sheet.name, r, yc, r, yc),
                )
            )
        if chart.guides:
            g = sheet.table(chart.guides)
            gr = g.header_row
            gl, gx, gy = g.col_of("line"), g.col_of("x"), g.col_of("y")
            for first in (gr + 1, gr + 3):
                out.append(
                    ChartSeries(
                        title=Ref(sheet.name, first, gl, first, gl),
                        x=Ref(sheet.name, first, gx, first + 1, gx),
                        y=Ref(sheet.name, first, gy, first + 1, gy),
                        kind="guide",
                    )
                )
        return out
    xc = table.col_of(chart.x)
    x = Ref(sheet.name, r0 + 1, xc, r0 + n, xc)
    for key in chart.y:
        c = table.col_of(key)
        out.append(
            ChartSeries(
                title=Ref(sheet.name, r0, c, r0, c), x=x, y=Ref(sheet.name, r0 + 1, c, r0 + n, c)
            )
        )
    return out


def _nice_step(span: float) -> float:
    """Return a round axis step giving about five intervals over ``span``."""
    raw = max(span, 1e-9) / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):  # no 2.5: one more decimal than the step's magnitude
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _step_decimals(step: float) -> int:
    """Decimals an axis label needs to tell steps of ``step`` apart: 0.5 -> 1, 0.05 -> 2."""
    if step >= 1:
        return 0
    return max(0, -math.floor(math.log10(step) + 1e-9))


def _excel_serial(day: Any) -> float:
    """Return a date as Excel's serial number (1900 system): 2025-12-31 -> 46022."""
    return float((pd.Timestamp(day).normalize() - pd.Timestamp("1899-12-30")).days)


def _bounds(chart: Chart, data: DashboardData | None) -> dict[str, float]:
    if data is None:
        return {}
    if chart.kind == "line":
        # the value axis spans the data (a spreadsheet would start it at 0 and flatten a
        # rebased-to-100 chart into a band)
        frame = data.tables.get(chart.table)
        if frame is None or frame.empty:
            return {}
        values = pd.to_numeric(frame[list(chart.y)].stack(), errors="coerce").dropna()
        if values.empty:
            return {}
        lo, hi = float(values.min()), float(values.max())
        step = _nice_step(hi - lo)
        out = {
            "y_min": math.floor(lo / step) * step,
            "y_max": math.ceil(hi / step) * step,
            "y_step": step,
            # labels with the decimals the step needs (100, 100.5, 101: not 100, 100, 101)
            "y_decimals": float(_step_decimals(step)),
        }
        dates = pd.to_datetime(frame[chart.x], errors="coerce").dropna()
        if len(dates):  # the date axis starts at the first point: it is labelled with its date
            out["x_min"] = _excel_serial(dates.min())
            out["x_max"] = _excel_serial(dates.max())
        return out
    if not chart.guides:
        return {}
    g = data.tables.get(chart.guides)
    if g is None or len(g) < 4:
        return {}
    return {
        "x_min": float(g["x"].iloc[2]),
        "x_max": float(g["x"].iloc[3]),
        "y_min": float(g["y"].iloc[0]),
        "y_max": float(g["y"].iloc[1]),
    }


def _render_settings(
    writer: SheetWriter, layout: Dashboard, sheet: Sheet, data: DashboardData | None
) -> None:
    for named in layout.names:
        row, col = split_cell(named.cell)
        writer.write(cell_address(row, col - 1), named.label, None, "label")
        if data is not None:
            value = to_cell(data.settings.get(named.key))
        else:
            value = to_cell(layout.meta.get(named.key))
        writer.write(named.cell, value, named.number_format, "input" if named.editable else "data")
        if named.help:
            writer.write(cell_address(row, col + 1), named.help, None, "note")
        writer.define_name(named.name, Ref(sheet.name, row, col, row, col))


def render_dashboard(
    writer: SheetWriter, data: DashboardData | None = None, layout: Dashboard = DASHBOARD
) -> dict[str, int]:
    """Render ``layout`` through ``writer``: values from ``data``, or formulas if ``None``.

    Parameters
    ----------
    writer : SheetWriter
        The adapter (openpyxl for the report; the workbook builder for the template).
    data : DashboardData or None
        Computed values (report); ``None`` writes each table's formula at its anchor and
        each text cell's formula (live workbook).
    layout : Dashboard
        The dashboard definition (default :data:`~xlsrc.dashboard.layout.DASHBOARD`).

    Returns
    -------
    dict of str to int
        Data rows per table (``max_rows`` in formula mode), and lines per paragraphs block
        (its ``rows`` in formula mode).
    """
    rows: dict[str, int] = {}
    for sheet in layout.sheets:
        writer.add_sheet(sheet)
        # Sheet.live: cells only the live workbook has (formula mode).
        for text in sheet.texts + (sheet.live if data is None else ()):
            fmt = text.number_format or None
            if data is None and text.formula:
                writer.write_formula(text.cell, text.formula, fmt, text.style, text.spill)
            else:
                value = text.text.format(**data.texts) if data is not None else text.text
                writer.write(text.cell, value, fmt, text.style)
        if sheet.name == layout.settings_sheet:
            _render_settings(writer, layout, sheet, data)
        widths: dict[int, float] = {}
        for table in sheet.tables:
            for j, col in enumerate(table.columns):
                c = table.first_col + j
                widths[c] = max(widths.get(c, 0.0), col.width)
        for block in sheet.paragraphs:
            rows[block.name] = _render_paragraphs(writer, sheet, block, widths, data)
        for table in sheet.tables:
            frame = None if data is None else data.tables[table.name]
            rows[table.name] = _render_table(writer, sheet, table, frame)
        for c, w in sorted(widths.items()):
            writer.set_width(c, w)
        for chart in sheet.charts:
            note = None if data is None else data.chart_notes.get(chart.table)
            if note is not None:  # a chart of one point or none: say so instead
                writer.write(chart.anchor, note, None, "note")
                continue
            writer.chart(chart, _chart_series(sheet, chart, rows), _bounds(chart, data))
        title_rows = split_cell(sheet.freeze)[0] - 1 if sheet.freeze else 0
        writer.finish_sheet(sheet, title_rows)
    return rows
