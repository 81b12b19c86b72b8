"""The one definition of the dashboard: sheets, tables, columns, formats, names, charts.

Both the headless report (:mod:`xlsrc.report`, values) and the live workbook
(:mod:`xlsrc.excel.workbook`, formulas) render from :data:`DASHBOARD`, so every cell
address of the dashboard is written here and nowhere else.

Conventions
-----------
- A :class:`Table` is anchored at its **header** cell. The report writes the header row
  there and the values below it; the live workbook writes ``=<Table.formula>`` at the same
  cell, a dynamic-array formula whose first row is the header, so it spills over exactly
  the cells the report fills. Nothing is placed below a table whose row count varies.
- A table's title (if any) goes one row above its anchor.
- Column ``key`` values are the column names of the DataFrames returned by
  :mod:`xlsrc.dashboard.build`, so a table's values are ``frame[list(table.keys)]``. A
  column showing a metric is made by :func:`metric_column`: its key is the metric's one
  name in the registry (:mod:`xlsrc.core.metrics`, e.g. ``pct_from_sma20``) and its number
  format follows the metric's unit (:data:`UNIT_FORMATS`).
- Number formats are Excel format codes. Returns are decimals shown as percent with one
  decimal; negative percentages are red.
- Colours are 6-digit RGB hex strings (no ``#``).
- A :class:`Paragraphs` block is lines of text, one per row, each merged across several
  columns and wrapped: the report writes the sentences, the live workbook in each row
  ``IFERROR(<prefix>&INDEX(<formula>,k),"")`` over the same spilling formula.

This module is plain data: it imports neither openpyxl nor xlwings. It is the one module
allowed past 600 lines: it is declarations only, one block per sheet.
"""

from __future__ import annotations

import numbers
import re
from dataclasses import dataclass, field
from typing import Literal

from xlsrc.core.metrics import Unit
from xlsrc.core.metrics import metric as _metric
from xlsrc.periods import BREADTH_WINDOWS, PERIOD_DAYS, RS_WINDOWS

__all__ = [
    "AS_OF_USED",
    "DASHBOARD",
    "FMT_DATE",
    "FMT_INT",
    "FMT_PCT",
    "FMT_PRICE",
    "FMT_RATING",
    "INDUSTRIES_TABLE",
    "RS_HISTORY_TABLE",
    "SERIES_COLORS",
    "UNIT_FORMATS",
    "Chart",
    "Column",
    "Dashboard",
    "Highlight",
    "NamedCell",
    "Paragraphs",
    "Sheet",
    "Table",
    "TextCell",
    "as_of_cells",
    "cell_address",
    "column_letter",
    "lifted_block",
    "metric_column",
    "rs_basis_tag",
    "split_cell",
]

# --------------------------------------------------------------------------- formats
FMT_PCT = "0.0%;[Red]-0.0%"
FMT_SPREAD = "+0.0%;[Red]-0.0%;0.0%"
FMT_PRICE = "#,##0.00"
FMT_RATING = "0"
FMT_ONE = "0.0"
FMT_TWO = "0.00"
FMT_PCT_PLAIN = "0.0%"
FMT_INT = "#,##0"
FMT_DATE = "yyyy-mm-dd"
FMT_TEXT = "@"
FMT_GENERAL = "General"

# --------------------------------------------------------------------------- colours
GREEN_FILL, GREEN_FONT = "C6EFCE", "006100"
ORANGE_FILL, ORANGE_FONT = "FFEB9C", "9C5700"
RED_FILL, RED_FONT = "FFC7CE", "9C0006"
BLUE_FILL, BLUE_FONT = "DDEBF7", "1F4E78"
HEADER_FILL, HEADER_FONT = "1F4E78", "FFFFFF"
TITLE_FONT = "1F4E78"
INPUT_FILL = "FFF2CC"
#: Line and bar colours of chart series, in order (IWM, SPY, QQQ...), for every writer.
SERIES_COLORS: tuple[str, ...] = ("C00000", "1F4E78", "7F7F7F", "548235", "7030A0", "C65911")

#: The number format of each metric unit (the unit is the registry's; the format is the
#: presentation's): a return is a signed percentage, a volatility an unsigned one.
UNIT_FORMATS: dict[Unit, str] = {
    "price": FMT_PRICE,
    "return": FMT_PCT,
    "decimal": FMT_PCT_PLAIN,
    "ratio": FMT_TWO,
    "index": FMT_ONE,
    "rating": FMT_RATING,
    "date": FMT_DATE,
}


# --------------------------------------------------------------------------- addresses
_CELL = re.compile(r"^\$?([A-Z]{1,3})\$?([1-9][0-9]*)$")


def column_letter(index: int) -> str:
    """Return the Excel column letters of a 1-based column ``index`` (1 -> ``A``)."""
    if index < 1:
        raise ValueError(f"column index must be >= 1, got {index}")
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def split_cell(address: str) -> tuple[int, int]:
    """Return ``(row, column)`` (1-based) of an A1-style ``address`` such as ``"B5"``."""
    match = _CELL.match(address.upper())
    if match is None:
        raise ValueError(f"not an A1 cell address: {address!r}")
    letters, row = match.groups()
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return int(row), col


def cell_address(row: int, col: int, absolute: bool = False) -> str:
    """Return the A1 address of 1-based ``row``/``col``; ``$A$1`` form if ``absolute``."""
    if absolute:
        return f"${column_letter(col)}${row}"
    return f"{column_letter(col)}{row}"


# --------------------------------------------------------------------------- building blocks
Operator = Literal[
    "greaterThan", "greaterThanOrEqual", "lessThan", "lessThanOrEqual", "equal", "between"
]


@dataclass(frozen=True)
class Highlight:
    """A conditional-format rule on one column of a table.

    Parameters
    ----------
    column : str
        The column key the rule applies to (its data rows, not the header).
    operator : str
        An Excel cell-value operator: ``greaterThan``, ``greaterThanOrEqual``,
        ``lessThan``, ``lessThanOrEqual``, ``equal`` or ``between``.
    values : tuple
        Right-hand side(s): numbers, or strings (matched as text for ``equal``).
    fill, font : str
        Background and font colours (RGB hex).
    meaning : str
        What the colour tells the analyst; shown in the sheet's legend.
    """

    column: str
    operator: Operator
    values: tuple[float | str, ...]
    fill: str
    font: str
    meaning: str

    def __post_init__(self) -> None:
        if len(self.values) != (2 if self.operator == "between" else 1):
            raise ValueError(f"{self.operator} rule on {self.column}: wrong number of values")
        if self.operator != "equal" and any(isinstance(v, str) for v in self.values):
            raise ValueError(f"{self.operator} rule on {self.column}: values must be numbers")

    def formula_values(self) -> list[str]:
        """Return the rule's right-hand sides as Excel formula text (strings quoted)."""
        return [f'"{v}"' if isinstance(v, str) else repr(v) for v in self.values]

    def formula(self, cell: str) -> str:
        """Return the rule as an Excel formula (no leading ``=``) for a conditional format.

        Every writer adds the rule as a formula rule with this text, so the condition is
        written here only. A rule on numbers is ``AND(ISNUMBER(cell),<condition>)``:
        Excel ranks text above every number and xlwings sends a missing value to Excel as
        ``""`` (text), so a plain cell-value rule ("greater than 80") would colour blanks
        and ``#N/A ...`` markers; a blank cell would also count as 0 in "less than".
        A rule matching text (``equal`` to a string) cannot match those and is unguarded.

        Parameters
        ----------
        cell : str
            Relative reference of the top-left cell of the range the rule applies to
            (``"E5"``; ``"RC"`` in R1C1 notation); Excel shifts it over the range.

        Returns
        -------
        str
            E.g. ``AND(ISNUMBER(E5),E5>=70,E5<=80)`` or ``G5="Leading"``.
        """
        values = self.formula_values()
        if self.operator == "between":
            lo, hi = values
            conditions = [f"{cell}>={lo}", f"{cell}<={hi}"]
        else:
            conditions = [f"{cell}{_COMPARISONS[self.operator]}{values[0]}"]
        if any(isinstance(v, str) for v in self.values):
            return conditions[0]
        return f"AND(ISNUMBER({cell}),{','.join(conditions)})"


#: Excel comparison of each single-value :class:`Highlight` operator.
_COMPARISONS: dict[str, str] = {
    "greaterThan": ">",
    "greaterThanOrEqual": ">=",
    "lessThan": "<",
    "lessThanOrEqual": "<=",
    "equal": "=",
}


@dataclass(frozen=True)
class Column:
    """One column of a table.

    Parameters
    ----------
    key : str
        The column name in the DataFrame :mod:`xlsrc.dashboard.build` returns.
    header : str
        The header text shown in the sheet.
    number_format : str
        Excel number format of the data cells.
    width : float
        Column width in Excel character units.
    align : str
        Horizontal alignment of the data cells ("" = Excel's default: text left,
        numbers right), or ``center``.
    wrap : bool
        Wrap long text over several lines (the report; the row grows to fit).
    """

    key: str
    header: str
    number_format: str = FMT_GENERAL
    width: float = 10.0
    align: Literal["", "left", "center", "right"] = ""
    wrap: bool = False


@dataclass(frozen=True)
class Table:
    """A rectangular block: a header row at ``anchor`` and one row per record below.

    Parameters
    ----------
    name : str
        Block id; the key of the block's DataFrame in :class:`xlsrc.dashboard.build.DashboardData`.
    anchor : str
        The header's top-left cell.
    columns : tuple of Column
    title : str
        Written one row above the anchor ("" for none).
    formula : str
        The xlsrc UDF formula (without ``=``) the live workbook writes at ``anchor``; it
        returns the header and the rows as a dynamic array.
    highlights : tuple of Highlight
        Conditional formats on its data rows.
    max_rows : int
        The most data rows the workbook should expect (charts and formats cover this many
        rows when the row count is not known in advance).
    note : str
        A one-line explanation written one row below the last row by the report ("" for none).
    """

    name: str
    anchor: str
    columns: tuple[Column, ...]
    title: str = ""
    formula: str = ""
    highlights: tuple[Highlight, ...] = ()
    max_rows: int = 50
    note: str = ""

    @property
    def keys(self) -> tuple[str, ...]:
        """The column keys, in order."""
        return tuple(c.key for c in self.columns)

    @property
    def headers(self) -> tuple[str, ...]:
        """The header texts, in order."""
        return tuple(c.header for c in self.columns)

    @property
    def header_row(self) -> int:
        """1-based row of the header."""
        return split_cell(self.anchor)[0]

    @property
    def first_col(self) -> int:
        """1-based column of the first column."""
        return split_cell(self.anchor)[1]

    def col_of(self, key: str) -> int:
        """1-based sheet column of column ``key``."""
        return self.first_col + self.keys.index(key)

    def data_range(self, key: str, n_rows: int) -> tuple[str, str]:
        """First and last cell of column ``key`` over ``n_rows`` data rows."""
        col = self.col_of(key)
        first = self.header_row + 1
        return cell_address(first, col), cell_address(first + max(n_rows, 1) - 1, col)


@dataclass(frozen=True)
class TextCell:
    """A single cell: a sheet title, a subtitle, a label, or (live workbook) a formula.

    Parameters
    ----------
    cell : str
        Its address.
    text : str
        Literal text; may contain ``{placeholders}`` filled from
        :attr:`xlsrc.dashboard.build.DashboardData.texts` in the report.
    formula : str
        What the live workbook writes instead ("" = write ``text`` as is).
    style : str
        ``title``, ``subtitle``, ``label``, ``section`` or ``note``.
    number_format : str
        Excel number format of the cell ("" = General). A date is shown with a date
        format, never built with ``TEXT(date, "yyyy-mm-dd")``: ``TEXT``'s format codes are
        read in Excel's display language (``yyyy`` is ``jjjj`` in German and Dutch Excel,
        ``aaaa`` in French), while a cell's number format is stored language-neutral.
    spill : bool
        Write ``formula`` as a dynamic-array formula (it spills, as a table's does)
        rather than a single-cell one, to which Excel 365 would add ``@`` (implicit
        intersection) and show one value.
    """

    cell: str
    text: str
    formula: str = ""
    style: Literal["title", "subtitle", "label", "section", "note"] = "label"
    number_format: str = ""
    spill: bool = False


@dataclass(frozen=True)
class NamedCell:
    """A workbook-level name for one input cell on the Settings sheet.

    Parameters
    ----------
    name : str
        The Excel name (``AsOf``, ``Universe``...), used by the formulas.
    label : str
        The label written in the column left of the cell.
    cell : str
        The cell's address on the sheet that holds it.
    key : str
        The key of its value in :attr:`xlsrc.dashboard.build.DashboardData.settings`.
    number_format : str
    editable : bool
        An input the analyst changes (highlighted) rather than a status the code writes.
    help : str
        One-line explanation shown right of the value.
    """

    name: str
    label: str
    cell: str
    key: str
    number_format: str = FMT_GENERAL
    editable: bool = True
    help: str = ""


#: Points per line of 11-point text (Excel's default row height).
LINE_POINTS = 15.0


@dataclass(frozen=True)
class Paragraphs:
    """Lines of text, one per row, each merged across ``span`` columns and wrapped.

    The report writes ``prefix`` + each line of the block's data (a frame with one column
    ``text`` in :attr:`xlsrc.dashboard.build.DashboardData.tables`, keyed by ``name``)
    and grows each row to the lines its text wraps to; the live workbook writes in row
    ``k`` the formula ``IFERROR(prefix&INDEX(<formula>,k),"")`` (one value, not a
    spill: a merged cell cannot hold a spilled array) and gives every row ``lines`` lines.

    Parameters
    ----------
    name : str
        Block id and the key of its data.
    anchor : str
        The first row's first cell.
    span : int
        Columns each row is merged across (from the anchor's column).
    rows : int
        Rows reserved: the most lines the block shows.
    formula : str
        The spilling xlsrc formula the live workbook indexes (``ROTATION_SUMMARY(AsOf)``).
    title : str
        Written one row above the anchor ("" for none).
    prefix : str
        Written before each line (a bullet).
    lines : int
        Text lines each row has room for in the live workbook.
    """

    name: str
    anchor: str
    span: int
    rows: int
    formula: str
    title: str = ""
    prefix: str = ""
    lines: int = 2

    def row_formula(self, k: int) -> str:
        """Return the live workbook's formula for line ``k`` (1-based)."""
        text = f'"{self.prefix}"&' if self.prefix else ""
        return f'IFERROR({text}INDEX({self.formula},{k}),"")'

    @property
    def header_row(self) -> int:
        """1-based row of the first line."""
        return split_cell(self.anchor)[0]

    @property
    def first_col(self) -> int:
        """1-based column of the anchor."""
        return split_cell(self.anchor)[1]


@dataclass(frozen=True)
class Chart:
    """A native Excel chart whose series reference a table on the same sheet.

    Parameters
    ----------
    name : str
    kind : {"line", "bar", "scatter"}
    title : str
    table : str
        The table (same sheet) holding the data.
    x : str
        Column key of the categories (line, bar) or x values (scatter).
    y : tuple of str
        Column keys of the series: one series per key (line, bar), or for a scatter the
        single y column, with one series per row named by ``label``.
    anchor : str
        Top-left cell of the chart.
    width, height : float
        Size in centimetres.
    x_title, y_title : str
    y_format : str
        Number format of the value axis.
    label : str
        Scatter only: the column naming each row's series.
    guides : str
        Scatter only: a table with columns ``x``/``y``; each consecutive pair of rows is a
        straight reference line (the RRG's quadrant lines at 100).
    """

    name: str
    kind: Literal["line", "bar", "scatter"]
    title: str
    table: str
    x: str
    y: tuple[str, ...]
    anchor: str
    width: float = 16.0
    height: float = 8.0
    x_title: str = ""
    y_title: str = ""
    y_format: str = FMT_GENERAL
    label: str = ""
    guides: str = ""


@dataclass(frozen=True)
class Sheet:
    """One worksheet.

    Parameters
    ----------
    name : str
    texts : tuple of TextCell
    tables : tuple of Table
    charts : tuple of Chart
    freeze : str
        The top-left cell of the scrolling pane ("" = none), e.g. ``"B5"`` freezes rows
        1-4 and column A.
    print_area : str
        ``"A1:K45"`` or "" for the used range; printing is landscape, fit to one page wide.
    tab_color : str
    one_page : bool
        Print on a single page (fit width and height); otherwise fit the width only.
    live : tuple of TextCell
        Cells only the live workbook has: the trading day its formulas use (a date cell,
        see :data:`AS_OF_USED`), single-cell formula examples and the watchlist block of
        lifted formulas (:func:`lifted_block`). The report leaves them out (its subtitles
        already carry the date, as text it computed).
    paragraphs : tuple of Paragraphs
        Blocks of text lines (the day's rotation in words).
    """

    name: str
    texts: tuple[TextCell, ...] = ()
    tables: tuple[Table, ...] = ()
    charts: tuple[Chart, ...] = ()
    freeze: str = ""
    print_area: str = ""
    tab_color: str = ""
    one_page: bool = False
    live: tuple[TextCell, ...] = ()
    paragraphs: tuple[Paragraphs, ...] = ()

    def table(self, name: str) -> Table:
        """Return the table called ``name`` on this sheet."""
        for t in self.tables:
            if t.name == name:
                return t
        raise KeyError(f"no table {name!r} on sheet {self.name!r}")


@dataclass(frozen=True)
class Dashboard:
    """The whole dashboard: sheets in tab order and the named input cells."""

    sheets: tuple[Sheet, ...]
    names: tuple[NamedCell, ...]
    settings_sheet: str = "Settings"
    meta: dict[str, str] = field(default_factory=dict)

    def sheet(self, name: str) -> Sheet:
        """Return the sheet called ``name``."""
        for s in self.sheets:
            if s.name == name:
                return s
        raise KeyError(f"no sheet {name!r}")

    def table(self, name: str) -> Table:
        """Return the table called ``name`` on any sheet."""
        for s in self.sheets:
            for t in s.tables:
                if t.name == name:
                    return t
        raise KeyError(f"no table {name!r}")

    def sheet_of(self, table: str) -> Sheet:
        """Return the sheet that holds table ``table``."""
        for s in self.sheets:
            if any(t.name == table for t in s.tables):
                return s
        raise KeyError(f"no table {table!r}")

    @property
    def tables(self) -> tuple[Table, ...]:
        """Every table, sheet by sheet."""
        return tuple(t for s in self.sheets for t in s.tables)


# --------------------------------------------------------------------------- columns
def _pct(key: str, header: str, width: float = 9.0) -> Column:
    return Column(key, header, FMT_PCT, width)


def metric_column(name: str, header: str, width: float = 9.0) -> Column:
    """Return the column showing the registry metric ``name`` (its key and number format).

    Parameters
    ----------
    name : str
        A metric of :mod:`xlsrc.core.metrics` (``pct_from_sma20``).
    header : str
        The header text.
    width : float
        Column width in Excel character units.

    Raises
    ------
    InvalidParameterError
        If ``name`` is not a metric of the registry.
    """
    entry = _metric(name)
    return Column(entry.name, header, UNIT_FORMATS[entry.unit], width)


TICKER = Column("ticker", "Ticker", FMT_GENERAL, 11)
NAME = Column("name", "Name", FMT_GENERAL, 30)
SECTOR = Column("sector", "Sector", FMT_GENERAL, 22)
CLOSE = metric_column("close", "Last", 10)
RET_1D = metric_column("ret_1d", "1D", 8)
RET_1W = metric_column("ret_1w", "1W", 8)
RET_1M = metric_column("ret_1m", "1M", 8)
RET_3M = metric_column("ret_3m", "3M", 8)
RET_6M = metric_column("ret_6m", "6M", 8)
RET_1Y = metric_column("ret_1y", "1Y", 8)
RET_YTD = metric_column("ret_ytd", "YTD", 9)
RS_RATING = metric_column("rs_rating", "RS rating", 9)
SMA20 = metric_column("pct_from_sma20", "vs 20d MA", 10)
SMA50 = metric_column("pct_from_sma50", "vs 50d MA", 10)
SMA200 = metric_column("pct_from_sma200", "vs 200d MA", 11)
RSI = metric_column("rsi14", "RSI(14)", 9)
VOL = metric_column("volatility20", "Daily vol", 9)
RELVOL = metric_column("relative_volume50", "Rel. volume", 10)
HIGH = metric_column("pct_from_high252", "vs 52w high", 11)
LAST_BAR = metric_column("last_bar", "Last bar", 11)
#: The RS rating 63 sessions (3 months) earlier: a rising rating shows against it.
RS_3M = Column("rs_3m", "RS 3 months ago", FMT_RATING, 12)
#: What an RS rating rests on when it is not the full 3/6/9/12-month weighting.
RS_BASIS = Column("rs_basis", "RS basis", FMT_GENERAL, 13, "center")


def rs_basis_tag(windows: object) -> str:
    """Say in a few characters what a rating on ``windows`` RS windows rests on.

    The flag tables show beside an RS rating (column :data:`RS_BASIS`): ``""`` for the
    full weighting (all four windows: 3, 6, 9 and 12 months), else the windows its score
    used, ``"3M only"``, ``"3M+6M only"``, ``"3M+6M+9M only"`` (a ticker listed less than
    a year before the date, or a date in the data's first year: the weights are
    renormalised over those windows, see :func:`xlsrc.core.rs_history.rs_window_note`).
    ``""`` for 0 windows too (no rating: nothing to flag) and for anything not a count.

    Parameters
    ----------
    windows : int
        A count from :func:`xlsrc.core.rs_history.rs_windows_used`, 0..4.

    Returns
    -------
    str
    """
    if isinstance(windows, bool) or not isinstance(windows, numbers.Real):
        return ""
    n = float(windows)
    if not 1 <= n < len(RS_WINDOWS) or not n.is_integer():
        return ""
    month = PERIOD_DAYS["1M"]
    return "+".join(f"{w // month}M" for w in RS_WINDOWS[: int(n)]) + " only"


#: Every flag :func:`rs_basis_tag` writes (each highlighted).
SHORTENED_RS_TAGS: tuple[str, ...] = tuple(rs_basis_tag(n) for n in range(1, len(RS_WINDOWS)))

# --------------------------------------------------------------------------- highlights
RS_STRONG = Highlight(
    RS_RATING.key, "greaterThanOrEqual", (90,), GREEN_FILL, GREEN_FONT, "RS rating >= 90"
)
RSI_HOT = Highlight(RSI.key, "greaterThan", (80,), RED_FILL, RED_FONT, "RSI > 80: very overbought")
RSI_WARM = Highlight(
    RSI.key, "between", (70, 80), ORANGE_FILL, ORANGE_FONT, "RSI 70-80: overbought"
)
RSI_COLD = Highlight(RSI.key, "lessThan", (30,), BLUE_FILL, BLUE_FONT, "RSI < 30: oversold")
#: "Extended": far above the 20-day moving average (more than 20%).
EXTENDED = Highlight(
    SMA20.key,
    "greaterThan",
    (0.2,),
    RED_FILL,
    RED_FONT,
    "more than 20% above the 20-day MA: extended",
)
#: An RS rating on a shortened window (fewer than the four RS windows): orange flag.
SHORTENED_RS = tuple(
    Highlight(
        RS_BASIS.key,
        "equal",
        (tag,),
        ORANGE_FILL,
        ORANGE_FONT,
        "RS rating on a shortened window: a different measure (less than a year of history)",
    )
    for tag in SHORTENED_RS_TAGS
)
STOCK_HIGHLIGHTS = (RS_STRONG, RSI_HOT, RSI_WARM, RSI_COLD, EXTENDED, *SHORTENED_RS)
#: Industry groups rated 90 or more among the groups.
GROUP_STRONG = Highlight(
    "group_rs_rating", "greaterThanOrEqual", (90,), GREEN_FILL, GREEN_FONT, "Group RS >= 90"
)
GROUP_WEAK = Highlight(
    "group_rs_rating", "lessThanOrEqual", (10,), RED_FILL, RED_FONT, "Group RS <= 10"
)

QUADRANT_HIGHLIGHTS = (
    Highlight(
        "quadrant",
        "equal",
        ("Leading",),
        GREEN_FILL,
        GREEN_FONT,
        "Leading: strong and strengthening",
    ),
    Highlight(
        "quadrant",
        "equal",
        ("Improving",),
        BLUE_FILL,
        BLUE_FONT,
        "Improving: weak but strengthening",
    ),
    Highlight(
        "quadrant",
        "equal",
        ("Weakening",),
        ORANGE_FILL,
        ORANGE_FONT,
        "Weakening: strong but fading",
    ),
    Highlight("quadrant", "equal", ("Lagging",), RED_FILL, RED_FONT, "Lagging: weak and weakening"),
)

# --------------------------------------------------------------------------- sheets
#: The trading day the live workbook's formulas use, as an Excel date (a number shown with
#: :data:`FMT_DATE`): ``TRADING_DAY`` gives the session every formula uses for ``AsOf``
#: (``Market.trading_day``: the last session on or before it; the store's last session
#: when ``AsOf`` is blank), so an exchange holiday shows the session before it, as the
#: formulas compute, not the holiday. (It replaced weekday arithmetic,
#: ``MIN(WORKDAY(AsOf+1,-1), <last date>)``, which knew weekends but no holidays.)
AS_OF_USED = "TRADING_DAY(AsOf)"


def as_of_cells(label_cell: str = "A3", date_cell: str = "B3") -> tuple[TextCell, TextCell]:
    """Return the live workbook's "As of <date>" pair: a label and a date cell.

    The date is a cell of its own with a date number format, so it reads right in every
    Excel language (see :class:`TextCell`); a subtitle formula cannot carry it as text.
    """
    return (
        TextCell(label_cell, "As of", style="subtitle"),
        TextCell(date_cell, "", formula=AS_OF_USED, style="subtitle", number_format=FMT_DATE),
    )


def lifted_block(
    anchor: str,
    tickers: tuple[str, ...],
    columns: tuple[tuple[str, str, str], ...],
    rows: int = 0,
) -> tuple[TextCell, ...]:
    """Return the cells of a watchlist block: tickers in one column, one formula per metric.

    Each metric column holds a single dynamic-array formula over the whole ticker range
    (``=RS_RATING(A31:A40)``): one call for every ticker, spilling one value per row
    (xlsrc formulas accept a column of tickers and return a column of values).

    Parameters
    ----------
    anchor : str
        Header cell of the ticker column; the tickers go below it, the metric columns to
        its right.
    tickers : tuple of str
        The tickers the block starts with (the analyst edits them in the sheet).
    columns : tuple of (header, formula, number_format)
        One per metric column; ``{tickers}`` in ``formula`` stands for the absolute ticker
        range, e.g. ``("RS rating", "RS_RATING({tickers},,AsOf)", FMT_RATING)``.
    rows : int
        Rows the ticker range spans (blank rows give blank results); default
        ``len(tickers)``.

    Returns
    -------
    tuple of TextCell
        For :attr:`Sheet.live`.
    """
    row0, col0 = split_cell(anchor)
    n = max(rows, len(tickers))
    if n < 1:
        raise ValueError("a lifted block needs at least one row of tickers")
    first = cell_address(row0 + 1, col0, absolute=True)
    last = cell_address(row0 + n, col0, absolute=True)
    cells = [TextCell(anchor, "Ticker", style="section")]
    cells += [TextCell(cell_address(row0 + i, col0), t) for i, t in enumerate(tickers, start=1)]
    for j, (header, formula, number_format) in enumerate(columns, start=1):
        cells.append(TextCell(cell_address(row0, col0 + j), header, style="section"))
        cells.append(
            TextCell(
                cell_address(row0 + 1, col0 + j),
                "",
                formula=formula.replace("{tickers}", f"{first}:{last}"),
                number_format=number_format,
                spill=True,
            )
        )
    return tuple(cells)


OVERVIEW_TICKERS: tuple[str, ...] = ("SPY", "QQQ", "DIA", "IWM", "IJR", "^GSPC", "^IXIC")
ROTATION_PAIRS: tuple[tuple[str, str], ...] = (("IWM", "SPY"), ("IWM", "QQQ"))
BREADTH_UNIVERSES: tuple[tuple[str, str], ...] = (
    ("sp500", "S&P 500"),
    ("sp600", "S&P SmallCap 600"),
)
CHART_TICKERS: tuple[str, ...] = ("IWM", "SPY", "QQQ")

#: The Sectors table's score column: what it is, in its header.
SECTOR_SCORE_HEADER = "Mean RS (S&P 1500)"
#: The most sentences ROTATION_SUMMARY returns (xlsrc.dashboard.story: ten builders).
SUMMARY_ROWS = 10
#: What every table flagging a shortened RS window says under it.
RS_BASIS_NOTE = (
    "RS basis: blank = the full 3/6/9/12-month weighting; 3M only, 3M+6M only... (orange) = "
    "a rating on a shortened window (less than a year of history), a different measure."
)
#: The Overview's watchlist block: the design's January 2026 small-cap leaders and the
#: index ETFs, in a range of :data:`WATCHLIST_ROWS` rows the analyst edits.
WATCHLIST_TICKERS: tuple[str, ...] = ("ICHR", "UCTT", "VICR", "IWM", "SPY", "QQQ")
WATCHLIST_ROWS = 12
#: (header, lifted formula, number format) of each metric column of the watchlist block;
#: the formats are the metric columns' (one definition). In this order the headers fit
#: the widths the Overview's tables give columns D..K (the last one runs on into L).
WATCHLIST_COLUMNS: tuple[tuple[str, str, str], ...] = (
    (RET_YTD.header, "YTD_RETURN({tickers},AsOf)", RET_YTD.number_format),
    (RET_1M.header, 'TRAILING_RETURN({tickers},"1M",AsOf)', RET_1M.number_format),
    (RSI.header, "RSI({tickers},,AsOf)", RSI.number_format),
    (RS_RATING.header, "RS_RATING({tickers},,,AsOf)", RS_RATING.number_format),
    (SMA20.header, "PCT_FROM_MA({tickers},20,AsOf)", SMA20.number_format),
    (HIGH.header, "PCT_FROM_HIGH({tickers},AsOf)", HIGH.number_format),
    (VOL.header, "VOLATILITY({tickers},,AsOf)", VOL.number_format),
    (RELVOL.header, "REL_VOLUME({tickers},,AsOf)", RELVOL.number_format),
)

OVERVIEW = Sheet(
    name="Overview",
    texts=(
        TextCell("A1", "Market overview", style="title"),
        TextCell("A2", "{subtitle}", formula='"Data: "&DataSource', style="subtitle"),
    ),
    paragraphs=(
        Paragraphs(
            "rotation_summary",
            "A5",
            span=11,
            rows=SUMMARY_ROWS,
            formula="ROTATION_SUMMARY(AsOf)",
            title="The day's rotation in words",
            prefix="\u2022 ",
        ),
    ),
    tables=(
        Table(
            "overview",
            "A17",
            (
                TICKER,
                Column("name", "Name", FMT_GENERAL, 38),
                CLOSE,
                RET_1D,
                RET_1W,
                RET_1M,
                RET_YTD,
                SMA50,
                SMA200,
                RSI,
            ),
            title="Indices and ETFs",
            formula="MARKET_OVERVIEW(AsOf)",
            highlights=(RSI_HOT, RSI_WARM, RSI_COLD),
            max_rows=len(OVERVIEW_TICKERS),
        ),
        Table(
            "rotation",
            "A27",
            (
                Column("pair", "Pair", FMT_GENERAL, 11),
                Column("signal", "Trend signal", FMT_GENERAL, 26),
                Column("spread_ytd", "YTD spread", FMT_SPREAD, 10),
                Column("spread_1m", "1M spread", FMT_SPREAD, 10),
                Column("ratio_vs_sma50", "Ratio vs 50d", FMT_SPREAD, 10),
                Column("ratio_vs_sma200", "Ratio vs 200d", FMT_SPREAD, 10),
            ),
            title="Rotation: small caps vs large caps",
            formula="ROTATION_TABLE(AsOf)",
            max_rows=len(ROTATION_PAIRS),
            note="Trend signal: the small/large ratio above (leading) or below (lagging) its 50-day MA, turning when its 20-day slope disagrees. Spread = small-cap minus large-cap return.",
        ),
        Table(
            "breadth",
            "A33",
            (
                Column("universe", "Universe", FMT_GENERAL, 11),
                Column("label", "Index", FMT_GENERAL, 26),
                Column("members", "Members", FMT_INT, 10),
                *(_pct(f"above_sma{w}", f"> {w}d MA", 10) for w in BREADTH_WINDOWS),
                *(Column(f"counted_sma{w}", f"Counted {w}d", FMT_INT, 10) for w in BREADTH_WINDOWS),
            ),
            title="Breadth: share of members above their moving average",
            formula="BREADTH(, , AsOf)",
            max_rows=len(BREADTH_UNIVERSES),
            note="Counted: the members each share is over (traded in the last 5 sessions, with the average's number of trades).",
        ),
        Table(
            "rebased",
            "M5",
            (
                Column("date", "Date", FMT_DATE, 11),
                *(Column(t, t, FMT_ONE, 8) for t in CHART_TICKERS),
            ),
            title="Chart data: rebased to 100",
            formula='REBASED("' + ",".join(CHART_TICKERS) + '", AsOf)',
            max_rows=260,
        ),
    ),
    charts=(
        Chart(
            "rebased",
            "line",
            "IWM vs SPY vs QQQ, rebased to 100 at the start of the year",
            table="rebased",
            x="date",
            y=CHART_TICKERS,
            anchor="A38",
            width=24.0,
            height=9.0,
            y_format="0",
        ),
    ),
    freeze="A4",
    print_area="A1:K57",
    tab_color="1F4E78",
    one_page=True,
    live=(
        *as_of_cells(),
        # Formulas in one cell each, as an analyst types them (the tables above spill).
        TextCell("H32", "Spot check: one formula, one cell", style="section"),
        TextCell("H33", "VICR RS rating"),
        TextCell("J33", "", formula='RS_RATING("VICR",,,AsOf)', number_format=FMT_RATING),
        TextCell("H34", "VICR YTD return"),
        TextCell("J34", "", formula='YTD_RETURN("VICR",AsOf)', number_format=FMT_PCT),
        # One formula per column over a range of tickers (below the printed page).
        TextCell("A59", "Watchlist: one formula per column", style="section"),
        TextCell("A60", "Type tickers in C61:C72 (blank rows stay blank).", style="note"),
        TextCell("A61", "Each column is ONE formula over all of them,", style="note"),
        TextCell("A62", "e.g. =YTD_RETURN($C$61:$C$72,AsOf): one call,", style="note"),
        TextCell("A63", "one value per ticker, spilling down.", style="note"),
        *lifted_block("C60", WATCHLIST_TICKERS, WATCHLIST_COLUMNS, rows=WATCHLIST_ROWS),
    ),
)

LEADERS = Sheet(
    name="Leaders",
    texts=(
        TextCell("A1", "Leaders", style="title"),
        TextCell(
            "A2",
            "{leaders_subtitle}",
            formula='"Top "&TopN&" of "&Universe&" by YTD return"',
            style="subtitle",
        ),
    ),
    tables=(
        Table(
            "leaders",
            "A4",
            (
                Column("rank", "#", FMT_RATING, 5, "center"),
                TICKER,
                NAME,
                SECTOR,
                CLOSE,
                RET_YTD,
                RS_RATING,
                RS_3M,
                RS_BASIS,
                SMA20,
                SMA50,
                RSI,
                VOL,
                HIGH,
            ),
            formula='LEADERS(Universe, TopN, "ytd", , AsOf)',
            highlights=STOCK_HIGHLIGHTS,
            max_rows=500,
            note="RS 3 months ago: the RS rating 63 sessions earlier, as computed that day. "
            + RS_BASIS_NOTE,
        ),
    ),
    freeze="C5",
    tab_color="548235",
    live=as_of_cells(),
)

SECTORS = Sheet(
    name="Sectors",
    texts=(
        TextCell("A1", "Sectors", style="title"),
        TextCell(
            "A2",
            "{sectors_subtitle}",
            formula='"Sector SPDRs ranked by YTD return (by RS rating when every YTD is the same), RRG vs "&Benchmark',
            style="subtitle",
        ),
    ),
    tables=(
        Table(
            "sectors",
            "A4",
            (
                Column("rank", "#", FMT_RATING, 5, "center"),
                TICKER,
                Column("sector", "Sector", FMT_GENERAL, 24),
                RET_1D,
                RET_1M,
                RET_YTD,
                RS_RATING,
                Column("rs_ratio", "RS-Ratio", FMT_TWO, 9),
                Column("rs_momentum", "RS-Mom.", FMT_TWO, 9),
                Column("quadrant", "Quadrant", FMT_GENERAL, 12, "center"),
                Column("sector_score", SECTOR_SCORE_HEADER, FMT_ONE, 11),
                RS_BASIS,
            ),
            formula="SECTORS(Benchmark, AsOf)",
            highlights=(RS_STRONG, *SHORTENED_RS, *QUADRANT_HIGHLIGHTS),
            max_rows=11,
            note="Mean RS (S&P 1500): the mean RS rating of the sector's stocks in the S&P 500, "
            "400 and 600 (1-99; the ratings rank against every stock). RRG: weekly closes vs the "
            "benchmark, 100 = in line.",
        ),
        Table(
            "rrg_guides",
            "Q4",
            (
                Column("line", "Line", FMT_GENERAL, 10),
                Column("x", "x", FMT_TWO, 8),
                Column("y", "y", FMT_TWO, 8),
            ),
            title="RRG quadrant lines",
            formula="RRG_GUIDES(Benchmark, AsOf)",
            max_rows=4,
        ),
    ),
    charts=(
        Chart(
            "sector_ytd",
            "bar",
            "Sector SPDRs: YTD return",
            table="sectors",
            x="ticker",
            y=("ret_ytd",),
            anchor="A18",
            width=13.0,
            height=9.0,
            y_format="0%",
        ),
        Chart(
            "rrg",
            "scatter",
            "Relative Rotation Graph",
            table="sectors",
            x="rs_ratio",
            y=("rs_momentum",),
            anchor="H18",
            width=14.0,
            height=9.0,
            x_title="RS-Ratio",
            y_title="RS-Momentum",
            y_format="0",
            label="ticker",
            guides="rrg_guides",
        ),
    ),
    freeze="A5",
    print_area="A1:O38",
    tab_color="C65911",
    one_page=True,
    live=as_of_cells(),
)

#: Rows of the Groups sheet's two tables: the strongest and the weakest groups.
GROUPS_TOP = 20
GROUPS_BOTTOM = 10
GROUP_COLUMNS: tuple[Column, ...] = (
    Column("rank", "#", FMT_RATING, 5, "center"),
    Column("industry", "Industry group", FMT_GENERAL, 34),
    Column("sector", "Sector", FMT_GENERAL, 22),
    Column("group_rs_rating", "Group RS", FMT_RATING, 9),
    Column("group_score", "Mean RS", FMT_ONE, 8),
    Column("members", "Stocks", FMT_INT, 7),
    Column("share_rs80", "Share RS 80+", "0%", 9, "center"),
    Column("leaders", "Best 3 stocks", FMT_GENERAL, 22),
    Column("rank_1m", "Rank 1M ago", FMT_RATING, 8),
    Column("rank_3m", "Rank 3M ago", FMT_RATING, 8),
    Column("rank_6m", "Rank 6M ago", FMT_RATING, 8),
)

GROUPS = Sheet(
    name="Groups",
    texts=(
        TextCell("A1", "Industry groups", style="title"),
        TextCell(
            "A2",
            "{groups_subtitle}",
            formula='"Yahoo industries ranked by the mean RS rating of their stocks (every stock in the store)"',
            style="subtitle",
        ),
    ),
    tables=(
        Table(
            "groups_top",
            "A5",
            GROUP_COLUMNS,
            title=f"Strongest {GROUPS_TOP} groups",
            formula=f"INDUSTRY_GROUPS(, {GROUPS_TOP}, AsOf)",
            highlights=(GROUP_STRONG, GROUP_WEAK),
            max_rows=GROUPS_TOP,
            note="Group RS: the percentile (1-99) of the group's mean RS rating among the groups "
            "with at least 3 rated stocks. Rank k months ago: the same stocks' ratings then.",
        ),
        Table(
            "groups_bottom",
            "A29",
            GROUP_COLUMNS,
            title=f"Weakest {GROUPS_BOTTOM} groups",
            formula=f"INDUSTRY_GROUPS(, -{GROUPS_BOTTOM}, AsOf)",
            highlights=(GROUP_STRONG, GROUP_WEAK),
            max_rows=GROUPS_BOTTOM,
        ),
    ),
    freeze="A4",
    tab_color="BF8F00",
    one_page=True,
    live=as_of_cells(),
)

TECHNICALS = Sheet(
    name="Technicals",
    texts=(
        TextCell("A1", "Technicals", style="title"),
        TextCell(
            "A2",
            "{technicals_subtitle}",
            formula='"Watchlist (edit on Settings): "&Watchlist',
            style="subtitle",
        ),
    ),
    tables=(
        Table(
            "technicals",
            "A4",
            (
                TICKER,
                Column("name", "Name", FMT_GENERAL, 32),
                Column("type", "Type", FMT_GENERAL, 6),
                Column("sector", "Sector", FMT_GENERAL, 22),
                CLOSE,
                RET_1D,
                RET_1W,
                RET_1M,
                RET_3M,
                RET_6M,
                RET_1Y,
                RET_YTD,
                RS_RATING,
                RS_BASIS,
                SMA20,
                SMA50,
                SMA200,
                RSI,
                VOL,
                RELVOL,
                HIGH,
                LAST_BAR,
            ),
            formula="TECHNICALS(Watchlist, AsOf)",
            highlights=STOCK_HIGHLIGHTS,
            max_rows=100,
            note=RS_BASIS_NOTE,
        ),
    ),
    freeze="B5",
    tab_color="7030A0",
    live=as_of_cells(),
)

SETTINGS_NAMES: tuple[NamedCell, ...] = (
    NamedCell(
        "AsOf", "As of", "B4", "as_of", FMT_DATE, help="Last trading day on or before this date"
    ),
    NamedCell(
        "Universe", "Universe", "B5", "universe", help="stocks, sp1500, sp500, sp400, sp600, r2000"
    ),
    NamedCell("Benchmark", "Benchmark", "B6", "benchmark", help="For RS lines and the RRG"),
    NamedCell(
        "Watchlist",
        "Watchlist",
        "B7",
        "watchlist",
        help="Comma-separated tickers for the Technicals sheet",
    ),
    NamedCell("TopN", "Top N", "B8", "top", FMT_RATING, help="Rows on the Leaders sheet"),
    NamedCell(
        "DataSource",
        "Data source",
        "B9",
        "data_source",
        editable=False,
        help="Where the prices come from",
    ),
    NamedCell(
        "Status",
        "Status",
        "B10",
        "status",
        editable=False,
        help="What the last build or refresh did",
    ),
)

SETTINGS = Sheet(
    name="Settings",
    texts=(
        TextCell("A1", "Settings", style="title"),
        TextCell(
            "A2",
            "Inputs (yellow) drive every sheet; the rest is written by xlsrc.",
            style="subtitle",
        ),
        TextCell("A3", "Setting", style="section"),
        TextCell("B3", "Value", style="section"),
        TextCell("C3", "Notes", style="section"),
    ),
    tables=(
        Table(
            "provenance",
            "A13",
            (
                Column("source", "Source", FMT_GENERAL, 31),
                Column("detail", "Detail", FMT_GENERAL, 70, wrap=True),
                Column("tickers", "Tickers", FMT_INT, 10),
                Column("first", "First bar", FMT_DATE, 11),
                Column("last", "Last bar", FMT_DATE, 11),
                Column("fetched_at", "Fetched at", FMT_GENERAL, 22),
            ),
            title="Data provenance",
            formula="DATA_SOURCES()",
            max_rows=20,
        ),
    ),
    tab_color="808080",
    one_page=True,
)

# --------------------------------------------------------------------------- formula tables
# Tables formulas spill and the command line prints that no sheet holds: their headers and
# formats are declared here all the same (the anchor is where a sheet would put them).

#: ``RS_HISTORY``: the RS rating now and 1, 3, 6, 12 months (21/63/126/252 sessions)
#: earlier, what a shortened rating measures, the RS line at a 52-week high.
RS_HISTORY_TABLE = Table(
    "rs_history",
    "A1",
    (
        TICKER,
        Column("rs_now", "RS now", FMT_RATING, 8),
        Column("rs_1m", "1M ago", FMT_RATING, 8),
        Column("rs_3m", "3M ago", FMT_RATING, 8),
        Column("rs_6m", "6M ago", FMT_RATING, 8),
        Column("rs_12m", "12M ago", FMT_RATING, 8),
        Column("rs_line_high", "RS line at 52w high", FMT_GENERAL, 10, "center"),
        Column("rs_note", "RS basis", FMT_GENERAL, 40, wrap=True),
    ),
    formula="RS_HISTORY(Watchlist, , AsOf)",
)

#: ``INDUSTRY()`` without a ticker: every industry of the store's stocks.
INDUSTRIES_TABLE = Table(
    "industries",
    "A1",
    (
        Column("industry", "Industry", FMT_GENERAL, 34),
        Column("sector", "Sector", FMT_GENERAL, 22),
        Column("stocks", "Stocks", FMT_INT, 8),
    ),
    formula="INDUSTRY()",
)

#: The dashboard, in tab order.
DASHBOARD = Dashboard(
    sheets=(OVERVIEW, LEADERS, SECTORS, GROUPS, TECHNICALS, SETTINGS),
    names=SETTINGS_NAMES,
)
