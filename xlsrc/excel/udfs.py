"""The xlsrc Excel formulas (xlwings user-defined functions).

An adapter: every function reads its arguments with :mod:`xlsrc.excel.args`, asks the
in-process :class:`xlsrc.market.Market` (one store load per process, reloaded when a
refresh changes the store) or the dashboard builder for the value, and hands the result
back in a shape Excel understands. Nothing here computes a metric and nothing here goes
to the network: a scalar formula is one call of ``Market.value`` with a metric name of the
registry (``xlsrc.core.metrics``), a table formula one call of a builder of
``xlsrc.dashboard``. How a formula is declared, lifted over ranges and shaped (``_formula``
and the helpers it names) is :mod:`xlsrc.excel.formula`.

Size: longer than 600 lines because it declares the 32 formulas, each with its Excel
descriptions and numpydoc docstring (their bodies are a few lines each), and they cannot
be split across modules: xlwings writes the VBA wrappers from the one module named in the
workbook's settings (``UDF_MODULE``), and the template builder
(:func:`xlsrc.excel.vba_project.udf_wrappers`) and the tests' COM stand-in execute this
file again under xlwings' Windows decorators; a formula defined in another module would
be imported undeclared and missing from the wrappers.

Conventions
-----------
- Names are upper case with underscores, read like what they return, and are not VBA
  keywords. Argument names are not VBA keywords either (``end`` and ``date`` are, hence
  ``start_date``/``end_date``): they become parameter names in the generated VBA module.
- Arguments: ticker first, then options, then ``as_of`` last; every optional argument
  may be left out or point at an empty cell, which means its default.
- Errors come back as text starting with ``#N/A`` and the reason
  (``#N/A Unknown ticker: XYZQ``), never as a traceback. A table function returns a
  one-cell ``#N/A ...`` for a bad argument and marks or leaves out a bad row.
- An argument cell that shows an error (``#N/A``, ``#REF!``, ``#SPILL!``...) is an error,
  never a blank and its default: ``#N/A as_of is an error cell (#N/A)``, in the cell of a
  lifted range it belongs to, and a kept, marked row in ``TECHNICALS`` and ``RRG``. Every
  argument is declared ``err_to_str=True`` (xlwings would otherwise hand the error to
  Python as ``None``, like an empty cell); :mod:`xlsrc.excel.args` refuses the text and
  the codes of the errors ``err_to_str`` does not know.
- Every argument is declared ``ndim=2``: xlwings hands a single cell as ``[[x]]`` and a
  range as its rows, so a row and a column stay apart (its default squeezes both to one
  flat list). No argument uses xlwings' ``expand``: it would read past the range the
  analyst gave, from its first cell to the end of the table around it.
- Every text a formula returns is at most 255 characters
  (:func:`xlsrc.dashboard.cells.formula_result`, which every result goes through): Excel
  shows ``#VALUE!`` for a UDF array holding a longer string.
- Tables are 2D lists with a header row; Excel 365 spills them as dynamic arrays. They
  deliberately do not use ``@xw.ret(expand="table")``: that is xlwings' *legacy* dynamic
  array emulation for Excel versions without native spilling, which rewrites the formula
  asynchronously and must not be combined with native dynamic arrays.
- Returns are decimals (0.794 = +79.4 %): give the cell a percent format. Dates are
  returned as dates.

Formulas over ranges (lifting)
------------------------------
Every formula of one ticker takes a row, a column or a 2D range of tickers where it takes
one, and returns an array of the same shape, the way Excel's own functions do
(``=LEN(A2:A500)``): ``=RS_RATING(A2:A500)`` is one call (one COM round trip) for 499
tickers, served by one :meth:`xlsrc.market.Market.values` call. Each formula's docstring
says which arguments lift. The rules:

- A blank cell of the ticker range gives a blank; a bad ticker its own ``#N/A <reason>``
  in its cell; the other cells are unaffected. One cell (or a 1x1 range) gives one value,
  exactly what the single-cell formula gives.
- The other lifted arguments pair with the tickers by Excel's rule
  (:func:`xlsrc.excel.args.broadcast`): the result has the most rows and columns of any
  lifted argument; one cell, one row or one column repeats; a range shorter than the
  result (where it is longer than one) has no value in the cells outside it, which show
  ``#N/A No <argument> for this cell (...)`` as Excel shows ``#N/A``. A blank cell of a
  lifted option means its default, as a blank single cell does.
- Cells that share the options (window, date...) are served by one ``Market.values``
  call; a bad option is the error of the cells that use it.
- Arguments that do not lift read a range as a list (``universe``: a range of tickers is
  an explicit universe). Table formulas do not lift (``PRICE_HISTORY`` of one ticker
  already spills a table); their ticker arguments take a range as a list.

Function names and their Excel descriptions
-------------------------------------------
Excel's function wizard shows the first line of each docstring (the module sets the
description xlwings registers to that line; xlwings' own default would be the whole
docstring cut at 255 characters).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._process import return_freed_memory
from ..dashboard import facts, frames, leadership, rankings, tables
from ..dashboard.cells import status_rows, to_cell
from ..dashboard.layout import (
    BREADTH_UNIVERSES,
    DASHBOARD,
    INDUSTRIES_TABLE,
    ROTATION_PAIRS,
    RS_HISTORY_TABLE,
)
from ..errors import InvalidParameterError, NoDataError, XlsrcError
from ..market import DEFAULT_BASIS, SHORT_SORT_KEYS, lookup_metric
from ..periods import BREADTH_WINDOWS, DEFAULT_BENCHMARK, YTD
from . import args as a
from .formula import (
    MAX_ROWS,
    _basis,
    _default,
    _formula,
    _layout_rows,
    _na,
    _rows,
    _signed_count,
    _window,
    _with_error_rows,
)

if TYPE_CHECKING:
    from ..market import Market

__all__ = [
    "ANNUAL_VOLATILITY",
    "BREADTH",
    "DATA_SOURCES",
    "DATA_STATUS",
    "GROUP_RANK",
    "INDUSTRY",
    "INDUSTRY_GROUPS",
    "LEADERS",
    "MARKET_OVERVIEW",
    "PCT_FROM_HIGH",
    "PCT_FROM_MA",
    "PERIOD_RETURN",
    "PRICE_HISTORY",
    "REBASED",
    "REL_VOLUME",
    "ROTATION_SIGNAL",
    "ROTATION_SPREAD",
    "ROTATION_SUMMARY",
    "ROTATION_TABLE",
    "RRG",
    "RRG_GUIDES",
    "RSI",
    "RS_HISTORY",
    "RS_LINE",
    "RS_RATING",
    "RS_SCORE",
    "SECTORS",
    "TECHNICALS",
    "TRADING_DAY",
    "TRAILING_RETURN",
    "UDFS",
    "VOLATILITY",
    "YTD_RETURN",
]

return_freed_memory()  # this module is imported by the formula process (xlwings' COM server)

_UNIVERSE_DOC = (
    "Universe name (stocks, sp1500, sp500, sp400, sp600, r2000, sectors), or 2+ tickers as a "
    'range or "ICHR,UCTT"; blank = stocks'
)
_BASIS_DOC = (
    '"total" (dividend-adjusted closes, total return) or "price" (closes adjusted for '
    'splits only, price change); blank = "total"'
)
_SMALL, _LARGE = ROTATION_PAIRS[0]


# --------------------------------------------------------------------------- plumbing
def _market() -> Market:
    """Return the process-wide market (store: env XLSRC_STORE, else the user default)."""
    from ..market import get_market

    return get_market()


def _as_of(market: Market, value: Any) -> pd.Timestamp:
    """Return the trading day a formula is computed as of (last store date on or before it).

    Raises ``NoDataError`` for a date before the first date in the store.
    """
    return market.trading_day(a.as_of_arg(value))


def _ticker(market: Market, value: Any, name: str = "ticker") -> str:
    return market.ticker(a.ticker_arg(value, name))


def _serve(
    tickers: list[Any],
    name: str,
    as_of: Any,
    window: int | None = None,
    convert: Callable[[float], Any] = float,
    **options: Any,
) -> list[Any]:
    """Serve one metric for ticker cells in one ``Market.values`` call.

    Parameters
    ----------
    tickers : list
        Cells as Excel sends them; each is read by :func:`xlsrc.excel.args.ticker_arg`.
    name : str
        A metric of the registry (``xlsrc.core.metrics``) or a family with ``window``.
    as_of : Any
        The ``as_of`` cell (one value for every ticker).
    window : int, optional
        The metric's window.
    convert : callable
        Applied to each value (``int`` for a rating).
    **options
        ``Market.values``' keywords (universe, benchmark, start).

    Returns
    -------
    list
        Per ticker cell its value, or the ``XlsrcError`` saying why it has none.

    Raises
    ------
    XlsrcError
        For an argument every ticker shares (a bad date, window, universe, benchmark).
    """
    out: list[Any] = [None] * len(tickers)
    wanted: list[str] = []
    where: list[int] = []
    for i, raw in enumerate(tickers):
        if type(raw) is str and (text := raw.strip()) and text[0] != "#":
            wanted.append(text.upper())  # ticker_arg's answer for plain text, checks skipped
            where.append(i)
            continue
        try:
            wanted.append(a.ticker_arg(raw))
        except XlsrcError as exc:
            out[i] = exc
        else:
            where.append(i)
    if wanted:
        served = _market().values(wanted, name, a.as_of_arg(as_of), window, **options)
        values, errors = served.values.tolist(), served.errors
        if convert is float:  # already Python floats
            for i, value, error in zip(where, values, errors, strict=True):
                out[i] = value if error is None else error
        else:
            for i, value, error in zip(where, values, errors, strict=True):
                out[i] = convert(value) if error is None else error
    return out


# --------------------------------------------------------------------------- RS
@_formula(lift=("ticker", "as_of"), universe=_UNIVERSE_DOC, basis=_BASIS_DOC)
def RS_RATING(ticker: Any, universe: Any = None, basis: Any = None, as_of: Any = None) -> Any:
    """IBD-style relative strength rating, 1 (weakest) to 99 (strongest), within a universe.

    The percentile rank of the ticker's RS score (0.4·r63 + 0.2·r126 + 0.2·r189 + 0.2·r252)
    among the universe's members; an ETF or index is rated against the universe without
    joining it. See ``xlsrc.core.rs.rs_rating`` for the exact mapping and tie rule. A
    ticker with fewer than 64 real bars, or without a trade in the last 5 sessions, has no
    rating and is no member of the ranking.

    Basis: ``"total"`` (default) ranks total return on dividend-adjusted closes, what a
    holder earned and the only close the bundled snapshot holds; ``"price"`` ranks price
    change on closes adjusted for splits only, as IBD does (they differ for high
    distributors: an income ETF can rate 85 on one and 12 on the other). ``"price"``
    needs split-adjusted closes for the ticker and the whole universe over the last 253
    sessions (a Yahoo refresh stores them), else ``#N/A`` says which are missing.

    Shortened window: with less than a year of history (a ticker listed within the last
    253 sessions, or a date in the data's first year) the score uses only the windows
    that exist, weights renormalised, so the rating measures something else (with 64 to
    126 bars, the 3-month return alone). This one-cell formula still returns the number,
    as a cell holds one value; the tables flag it in their "RS basis" column ("3M only",
    "3M+6M only", "3M+6M+9M only") and ``RS_HISTORY`` says what it measures.

    Lifts over ranges (module docstring): ``ticker`` and ``as_of`` (a range of tickers is
    one ranking, one ``Market.values`` call per date). ``universe`` and ``basis`` do not
    lift: a range in ``universe`` is an explicit universe.

    Returns
    -------
    int or str
        1..99, or ``#N/A <reason>``; an array of them for ranges.
    """
    usage = "RS_RATING(ticker, universe, basis, as_of)"
    uni = a.universe_arg(universe, usage=usage)
    chosen = _basis(basis, usage)
    # already whole numbers (the core rounds, half up)
    return _serve(
        ticker,
        "rs_rating",
        as_of,
        convert=int,
        universe=uni if isinstance(uni, str) else tuple(uni),
        basis=chosen,
    )


@_formula(lift=("ticker", "as_of"), basis=_BASIS_DOC)
def RS_SCORE(ticker: Any, basis: Any = None, as_of: Any = None) -> Any:
    """Raw RS score (weighted 3/6/9/12-month return, latest quarter double) behind RS_RATING.

    ``basis`` as in RS_RATING: total return (default) or price change (split-adjusted
    closes only; ``#N/A`` when the ticker lacks them). With less than a year of history
    the score is over the windows that exist (RS_RATING, "Shortened window").

    Lifts over ranges (module docstring): ``ticker`` and ``as_of``.

    Returns
    -------
    float or str
        A decimal (0.35 = 35 %), or ``#N/A <reason>``; an array of them for ranges.
    """
    chosen = _basis(basis, "RS_SCORE(ticker, basis, as_of)")
    return _serve(ticker, "rs_score", as_of, basis=chosen)


@_formula(
    lift=("ticker", "benchmark", "as_of"),
    benchmark=f'Benchmark ticker; blank = "{DEFAULT_BENCHMARK}"',
)
def RS_LINE(ticker: Any, benchmark: Any = None, as_of: Any = None) -> Any:
    """Relative strength line: the ticker's close divided by the benchmark's close.

    Lifts over ranges (module docstring): ``ticker``, ``benchmark`` (a column of
    benchmarks beside the tickers: each stock against its own sector ETF) and ``as_of``.
    A bad benchmark is the error of the cells that use it.

    Returns
    -------
    float or str
        The ratio, or ``#N/A <reason>`` (the benchmark's, if it has no price); an array
        of them for ranges.
    """
    bench = DEFAULT_BENCHMARK if a.is_blank(benchmark) else a.ticker_arg(benchmark, "benchmark")
    return _serve(ticker, "rs_line", as_of, benchmark=bench)


# --------------------------------------------------------------------------- returns
@_formula(lift=("ticker", "as_of"))
def YTD_RETURN(ticker: Any, as_of: Any = None) -> Any:
    """Year-to-date return: close as of the date / last close of the previous year - 1.

    The year is that of the date asked for: as of 1 January (before the year's first
    session) the return is 0, not the whole previous year.

    Lifts over ranges (module docstring): ``ticker`` and ``as_of`` (a column of dates
    beside one ticker gives its YTD return on each).

    Returns
    -------
    float or str
        A decimal (0.794 = +79.4 %), or ``#N/A <reason>``; an array of them for ranges.
    """
    return _serve(ticker, "ret_ytd", as_of)


@_formula(
    lift=("ticker", "period", "as_of"),
    period='"1D", "1W", "1M", "3M", "6M", "1Y", "YTD" or a number of trading days',
)
def TRAILING_RETURN(ticker: Any, period: Any, as_of: Any = None) -> Any:
    """Return over a trailing period (1W = 5 trading days, 1M = 21, 3M = 63, 1Y = 252).

    Lifts over ranges (module docstring): ``ticker``, ``period`` (a row of periods
    ``{"1W","1M","YTD"}`` beside a column of tickers gives a table) and ``as_of``.

    Returns
    -------
    float or str
        A decimal, or ``#N/A <reason>``; an array of them for ranges.
    """
    days = a.period_arg(period)
    if days == YTD:
        return _serve(ticker, "ret_ytd", as_of)
    return _serve(ticker, "ret", as_of, int(days))


@_formula(
    lift=("ticker", "start_date", "end_date"),
    start_date="First date: the return is measured from the close on or before it",
    end_date="Last date (close on or before it); blank = latest",
)
def PERIOD_RETURN(ticker: Any, start_date: Any, end_date: Any = None) -> Any:
    """Return between two dates: close on or before the end / close on or before the start - 1.

    Lifts over ranges (module docstring): ``ticker``, ``start_date`` and ``end_date``.

    Returns
    -------
    float or str
        A decimal, or ``#N/A <reason>``; an array of them for ranges.
    """
    start = a.date_arg(start_date, "start_date", required=True)
    end = a.date_arg(end_date, "end_date")
    last = _market().as_of(end)
    if start is not None and start > last:
        raise InvalidParameterError(
            name="start_date", value=f"{start:%Y-%m-%d}", allowed=f"a date before {last:%Y-%m-%d}"
        )
    return _serve(ticker, "period_return", end, start=start)


# --------------------------------------------------------------------------- technicals
@_formula(
    lift=("ticker", "window", "as_of"),
    window=f"Moving-average length in trading days; blank = {_default('pct_from_sma')}",
)
def PCT_FROM_MA(ticker: Any, window: Any = None, as_of: Any = None) -> Any:
    """Distance from the simple moving average: close / SMA(window) - 1.

    Lifts over ranges (module docstring): ``ticker``, ``window`` (``{20,50,200}`` beside a
    column of tickers gives three columns) and ``as_of``.

    Returns
    -------
    float or str
        A decimal (0.25 = 25 % above the average), or ``#N/A <reason>``; an array of them
        for ranges.
    """
    return _serve(ticker, "pct_from_sma", as_of, _window(window, "pct_from_sma"))


@_formula(
    lift=("ticker", "window", "as_of"),
    window=f"Number of daily changes averaged (Wilder); blank = {_default('rsi')}",
)
def RSI(ticker: Any, window: Any = None, as_of: Any = None) -> Any:
    """Relative strength index (Wilder), 0-100: above 70 overbought, below 30 oversold.

    Lifts over ranges (module docstring): ``ticker``, ``window`` and ``as_of``.

    Returns
    -------
    float or str
        0..100, or ``#N/A <reason>``; an array of them for ranges.
    """
    return _serve(ticker, "rsi", as_of, _window(window, "rsi"))


@_formula(
    lift=("ticker", "window", "as_of"),
    window=f"Number of daily returns; blank = {_default('volatility')}",
)
def VOLATILITY(ticker: Any, window: Any = None, as_of: Any = None) -> Any:
    """Daily volatility: sample standard deviation of daily returns over the window.

    Lifts over ranges (module docstring): ``ticker``, ``window`` and ``as_of``.

    Returns
    -------
    float or str
        A decimal (0.04 = 4 % a day), or ``#N/A <reason>``; an array of them for ranges.
    """
    return _serve(ticker, "volatility", as_of, _window(window, "volatility"))


@_formula(
    lift=("ticker", "window", "as_of"),
    window=f"Number of daily returns; blank = {_default('annual_volatility')}",
)
def ANNUAL_VOLATILITY(ticker: Any, window: Any = None, as_of: Any = None) -> Any:
    """Annualised volatility: daily volatility x sqrt(252).

    Lifts over ranges (module docstring): ``ticker``, ``window`` and ``as_of``.

    Returns
    -------
    float or str
        A decimal, or ``#N/A <reason>``; an array of them for ranges.
    """
    return _serve(ticker, "annual_volatility", as_of, _window(window, "annual_volatility"))


@_formula(
    lift=("ticker", "window", "as_of"),
    window=f"Number of earlier days averaged; blank = {_default('relative_volume')}",
)
def REL_VOLUME(ticker: Any, window: Any = None, as_of: Any = None) -> Any:
    """Relative volume: the day's volume / average volume of the window's days before it.

    Lifts over ranges (module docstring): ``ticker``, ``window`` and ``as_of``.

    Returns
    -------
    float or str
        A ratio (2.0 = twice the usual volume), or ``#N/A <reason>``; an array of them
        for ranges.
    """
    return _serve(ticker, "relative_volume", as_of, _window(window, "relative_volume"))


@_formula(lift=("ticker", "as_of"))
def PCT_FROM_HIGH(ticker: Any, as_of: Any = None) -> Any:
    """Distance from the 52-week high: close / highest close of the last 252 days - 1.

    Lifts over ranges (module docstring): ``ticker`` and ``as_of``.

    Returns
    -------
    float or str
        A decimal, 0 or below (-0.1 = 10 % under the high), or ``#N/A <reason>``; an
        array of them for ranges.
    """
    return _serve(ticker, "pct_from_high", as_of)


# --------------------------------------------------------------------------- dates
@_formula(lift=("as_of",), dates=True)
def TRADING_DAY(as_of: Any = None) -> Any:
    """Trading day the formulas use for a date: the last session on or before it.

    Blank = the store's last session. An exchange holiday gives the session before it
    (2026-01-19, Martin Luther King Jr. Day, gives Friday 2026-01-16), a weekend the
    Friday, a date after the data the last session (``Market.trading_day``, the one rule
    every formula follows). Give the cell a date format.

    Lifts over ranges (module docstring): ``as_of`` (a blank cell of a range of dates
    gives a blank).

    Returns
    -------
    datetime or str
        An Excel date, or ``#N/A <reason>`` (a date before the data); an array of them for
        ranges.
    """
    market = _market()
    out: list[Any] = []
    for value in as_of:
        try:
            out.append(market.trading_day(a.as_of_arg(value)))
        except XlsrcError as exc:
            out.append(exc)
    return out


# --------------------------------------------------------------------------- rotation
def _pairs(smalls: list[Any], large: Any, as_of: Any, field: str) -> list[Any]:
    """``field`` of :func:`xlsrc.dashboard.tables.pair_rotation` for each small-cap cell.

    Arguments are read in their order for each cell (``small``, ``large``, ``as_of``), so
    a cell shows the first bad one, as a single formula does.
    """
    market = _market()
    out: list[Any] = []
    for cell in smalls:
        try:
            small = _SMALL if a.is_blank(cell) else a.ticker_arg(cell, "small")
            big = _LARGE if a.is_blank(large) else a.ticker_arg(large, "large")
            rot = tables.pair_rotation(market, small, big, a.as_of_arg(as_of))
            if field == "label":
                out.append(str(rot.label))
                continue
            value = float(rot.ytd_spread)
            if not math.isfinite(value):
                when = f"{rot.date:%Y-%m-%d}"
                raise NoDataError(
                    f"No YTD spread for {rot.small}/{rot.large} as of {when}: the data start "
                    "in its year",
                    ticker=f"{rot.small}/{rot.large}",
                    date=when,
                )
            out.append(value)
        except XlsrcError as exc:
            out.append(exc)
    return out


@_formula(
    lift=("small", "large", "as_of"),
    small=f'Small-cap ticker; blank = "{_SMALL}"',
    large=f'Large-cap ticker; blank = "{_LARGE}" (try "QQQ")',
)
def ROTATION_SIGNAL(small: Any = None, large: Any = None, as_of: Any = None) -> Any:
    """Who leads, small or large caps: a label such as "Small caps leading".

    From the small/large price ratio against its own 20/50/200-day averages and the YTD
    return spread (``xlsrc.core.rotation.pair_rotation``).

    Lifts over ranges (module docstring): ``small``, ``large`` and ``as_of``, one pair per
    cell (a blank cell of a ``small`` range gives a blank; a blank single ``small`` means
    IWM).

    Returns
    -------
    str
        The label, or ``#N/A <reason>``; an array of them for ranges.
    """
    return _pairs(small, large, as_of, "label")


@_formula(
    lift=("small", "large", "as_of"),
    small=f'Small-cap ticker; blank = "{_SMALL}"',
    large=f'Large-cap ticker; blank = "{_LARGE}" (try "QQQ")',
)
def ROTATION_SPREAD(small: Any = None, large: Any = None, as_of: Any = None) -> Any:
    """Small-cap minus large-cap YTD return: the number behind ROTATION_SIGNAL.

    Lifts over ranges (module docstring): ``small``, ``large`` and ``as_of``, as
    ROTATION_SIGNAL.

    Returns
    -------
    float or str
        A decimal (0.086 = small caps 8.6 points ahead), or ``#N/A <reason>``; an array of
        them for ranges.
    """
    return _pairs(small, large, as_of, "ytd_spread")


# --------------------------------------------------------------------------- tables
_SORT_BY_DOC = (
    ", ".join(f'"{k}"' for k in SHORT_SORT_KEYS)
    + ' or a metric name such as "pct_from_sma20"; blank = ytd'
)


@_formula(
    table=True,
    universe=f'Universe name or a range of tickers; blank = "{frames.DEFAULT_UNIVERSE}"',
    n=f"Number of rows; blank = {frames.DEFAULT_TOP}",
    sort_by=_SORT_BY_DOC,
    basis="Basis of the RS columns: " + _BASIS_DOC,
)
def LEADERS(
    universe: Any = None, n: Any = None, sort_by: Any = None, basis: Any = None, as_of: Any = None
) -> Any:
    """Top stocks of a universe with YTD return, RS rating and technicals (spills a table).

    The same table as the dashboard's Leaders sheet (``xlsrc.dashboard.rankings.leaders_table``;
    ``sort_by`` takes any key of ``xlsrc.dashboard.rankings.SORT_KEYS``): with the RS rating
    3 months (63 sessions) earlier, so a rising rating shows, and the "RS basis" flag of
    a rating on a shortened window (RS_RATING). ``basis`` applies to the RS columns (their
    headers then say "(price)"); the returns stay total returns.

    Returns
    -------
    list of list
        A header row then one row per stock, or ``[["#N/A <reason>"]]``.
    """
    m = _market()
    uni = a.universe_arg(
        universe, frames.DEFAULT_UNIVERSE, usage="LEADERS(universe, n, sort_by, basis, as_of)"
    )
    count = a.count_arg(n, frames.DEFAULT_TOP, maximum=MAX_ROWS)
    key = a.word_arg(sort_by, "ytd", "sort_by", "a sort key such as ytd, rs, 1m")
    chosen = _basis(basis, "LEADERS(universe, n, sort_by, basis, as_of)")
    frame = rankings.leaders_table(m, uni, count, key, a.as_of_arg(as_of), chosen)
    rows = _layout_rows("leaders", frame)
    if chosen != DEFAULT_BASIS:
        keys = DASHBOARD.table("leaders").keys
        rows[0] = [
            f"{h} ({chosen})" if k in frames.BASIS_COLUMNS else h
            for k, h in zip(keys, rows[0], strict=True)
        ]
    return rows


@_formula(table=True, benchmark=f'RRG benchmark; blank = "{DEFAULT_BENCHMARK}"')
def SECTORS(benchmark: Any = None, as_of: Any = None) -> Any:
    """Sector SPDRs: YTD, 1M, RS rating, RRG position and sector score (spills a table).

    The same table as the dashboard's Sectors sheet (``xlsrc.dashboard.rankings.sectors_table``).

    Returns
    -------
    list of list
        A header row then one row per sector ETF, or ``[["#N/A <reason>"]]``.
    """
    m = _market()
    bench = _ticker(m, DEFAULT_BENCHMARK if a.is_blank(benchmark) else benchmark, "benchmark")
    frame = rankings.sectors_table(m, a.as_of_arg(as_of), bench)
    return _layout_rows("sectors", frame)


@_formula(
    table=True,
    tickers='Tickers: a range, or text such as "XLK, XLE, XLF"',
    benchmark=f'Benchmark; blank = "{DEFAULT_BENCHMARK}"',
)
def RRG(tickers: Any, benchmark: Any = None, as_of: Any = None) -> Any:
    """Relative Rotation Graph position of each ticker: RS-Ratio, RS-Momentum, quadrant.

    Each ticker keeps its row; one without a position says why (``#N/A Unknown ticker: X``,
    ``#N/A No trade since ...``), and so does a cell of the range that shows an error
    (``#N/A tickers is an error cell (#N/A)``). ``xlsrc.core.rotation.rrg`` documents the approximation
    and its windows; ``xlsrc.dashboard.tables.rrg_table`` builds the table.

    Returns
    -------
    list of list
        Header ``Ticker, RS-Ratio, RS-Momentum, Quadrant`` then one row per ticker.
    """
    m = _market()
    bench = _ticker(m, DEFAULT_BENCHMARK if a.is_blank(benchmark) else benchmark, "benchmark")
    entries = a.ticker_list_arg(tickers, keep_errors=True)
    day = a.as_of_arg(as_of)
    _as_of(m, day)
    good = [t for t in entries if isinstance(t, str)]
    frame = (
        tables.rrg_table(m, good, bench, day) if good else pd.DataFrame(columns=tables.RRG_COLUMNS)
    )
    rows: list[list[Any]] = []
    for r in frame.to_dict("records"):
        if r["problem"]:
            rows.append([r["ticker"], _na(r["problem"]), None, None])
        else:
            rows.append([r["ticker"], *(to_cell(r[k]) for k in ("rs_ratio", "rs_momentum"))])
            rows[-1].append(r["quadrant"])
    keys = ("ticker", "rs_ratio", "rs_momentum", "quadrant")
    return [
        ["Ticker", "RS-Ratio", "RS-Momentum", "Quadrant"],
        *_with_error_rows(entries, rows, keys),
    ]


_FIELDS = ("close", "volume")


@_formula(
    table=True,
    dates=True,
    start_date="First date",
    end_date="Last date; blank = latest",
    fields='"close", "volume" or both, as text "close, volume" or a range; blank = close',
)
def PRICE_HISTORY(ticker: Any, start_date: Any, end_date: Any = None, fields: Any = None) -> Any:
    """Daily closes (and volume) between two dates, like STOCKHISTORY (spills a table).

    One row per day the ticker traded (a day without a trade is left out), oldest first;
    closes are adjusted (``xlsrc.dashboard.tables.price_history_table``).

    Returns
    -------
    list of list
        Header ``Date, Close[, Volume]`` then one row per trading day.
    """
    start = a.date_arg(start_date, "start_date", required=True)
    end = a.date_arg(end_date, "end_date")
    wanted = a.text_list_arg(fields, "fields") or ["close"]
    cols = [a.choice_arg(f, "close", _FIELDS, "fields") for f in wanted]
    frame = tables.price_history_table(_market(), a.ticker_arg(ticker), start, end, cols)
    return _rows(frame, ["Date", *(c.capitalize() for c in cols)])


@_formula(
    table=True,
    universe="Universe name or a range of tickers; blank = the dashboard's universes",
    window="Also show the share above this moving average (trading days); blank = none",
)
def BREADTH(universe: Any = None, window: Any = None, as_of: Any = None) -> Any:
    """Market breadth: share of a universe's members above their 50- and 200-day averages.

    The dashboard's breadth table (``xlsrc.dashboard.tables.breadth_table``), for one
    universe (a name, or a list of at least two tickers) or all of them; ``window`` adds
    the columns of another average (none for 50 or 200, already there). A member without
    a trade in the last 5 sessions, or with fewer real bars than the average, is not
    counted: "Members" is the universe's members in the store, "Counted 50d" those the
    50-day share is over. A share over fewer than two counted members is blank (one
    member's share is 0% or 100%); for one universe with no share at all, ``#N/A`` says
    how many members count and why the others do not.

    Returns
    -------
    list of list
        A header row then one row per universe.
    """
    m = _market()
    usage = "BREADTH(universe, window, as_of)"
    uni = None if a.is_blank(universe) else a.universe_arg(universe, usage=usage)
    if uni is None:
        universes = list(BREADTH_UNIVERSES)
    elif isinstance(uni, str):
        m.universe(uni)  # raises UnknownUniverseError for a bad name
        labels = {**facts.UNIVERSE_LABELS, **dict(BREADTH_UNIVERSES)}
        universes = [(uni, labels.get(uni, uni))]
    else:
        members = m.universe(uni)  # at least two tickers, each known
        universes = [(",".join(members), f"{len(members)} tickers")]
    n = (
        None
        if a.is_blank(window)
        # the least moving average PCT_FROM_MA takes: a 1-day average is the close
        else a.window_arg(
            window, BREADTH_WINDOWS[0], minimum=lookup_metric("pct_from_sma").min_window
        )
    )
    frame = tables.breadth_table(m, a.as_of_arg(as_of), universes, extra_window=n)
    shares = frame[[k for k in frame.columns if str(k).startswith("above_sma")]]
    if uni is not None and shares.isna().all(axis=None):
        # one universe with no share at all: say why (fewer than two members count)
        m.breadth_counted(universes[0][0], BREADTH_WINDOWS[0], a.as_of_arg(as_of))
    rows = _layout_rows("breadth", frame)
    if n is not None and f"above_sma{n}" not in DASHBOARD.table("breadth").keys:
        rows[0] += [f"> {n}d MA", f"Counted {n}d"]
        extra = zip(frame[f"above_sma{n}"], frame[f"counted_sma{n}"], strict=True)
        for row, (share, counted) in zip(rows[1:], extra, strict=True):
            row += [to_cell(share), to_cell(counted)]
    return rows


@_formula(table=True, tickers='Tickers: a range, or text such as "IWM, SPY, VICR"')
def TECHNICALS(tickers: Any, as_of: Any = None) -> Any:
    """Every metric for a watchlist, one row per ticker (spills a table).

    The dashboard's Technicals table; unknown tickers keep their row, marked ``#N/A``, and
    so does a cell of the range that shows an error (``#N/A tickers is an error cell
    (#REF!)`` in its Name column).

    Returns
    -------
    list of list
        A header row then one row per ticker.
    """
    m = _market()
    entries = a.ticker_list_arg(tickers, keep_errors=True)
    day = a.as_of_arg(as_of)
    _as_of(m, day)  # a bad date is the table's error even when every cell is an error
    good = [t for t in entries if isinstance(t, str)]
    spec = DASHBOARD.table("technicals")
    rows = _layout_rows("technicals", tables.technicals_table(m, good, day)) if good else []
    return [list(spec.headers), *_with_error_rows(entries, rows[1:], spec.keys)]


@_formula(table=True, dates=True, volatile=False)
def DATA_STATUS() -> Any:
    """Where the formulas' data comes from: source, last refresh, last date, number of tickers.

    From the store's ``Store.status()`` (``xlsrc.dashboard.cells.status_rows``); dates come
    back as Excel dates, the last refresh as a UTC date and time.

    Returns
    -------
    list of list
        Two columns, ``Item`` and ``Value``.
    """
    status = _market().store.status()
    return [["Item", "Value"], *([label, to_cell(v)] for _, label, v in status_rows(status))]


# --------------------------------------------------------------------------- dashboard tables
@_formula(table=True)
def MARKET_OVERVIEW(as_of: Any = None) -> Any:
    """Index ETFs and indices: last close, 1D, 1W, 1M, YTD, vs 50/200-day MA, RSI (spills).

    The dashboard's Overview table (``xlsrc.dashboard.tables.overview_table``); tickers the
    store does not hold are left out.

    Returns
    -------
    list of list
        A header row then one row per index or ETF, or ``[["#N/A <reason>"]]``.
    """
    return _layout_rows("overview", tables.overview_table(_market(), a.as_of_arg(as_of)))


@_formula(table=True)
def ROTATION_TABLE(as_of: Any = None) -> Any:
    """Small caps vs large caps (IWM/SPY, IWM/QQQ): signal, return spreads, ratio vs MAs.

    The dashboard's rotation table (``xlsrc.dashboard.tables.rotation_table``); a pair that
    cannot be computed keeps its row with the reason as its signal.

    Returns
    -------
    list of list
        A header row then one row per pair, or ``[["#N/A <reason>"]]``.
    """
    return _layout_rows("rotation", tables.rotation_table(_market(), a.as_of_arg(as_of)))


@_formula(table=True, dates=True, tickers='Tickers: a range, or text such as "IWM, SPY, QQQ"')
def REBASED(tickers: Any, as_of: Any = None) -> Any:
    """Daily closes rebased to 100 at the last close of the previous year (spills a table).

    The dashboard's chart data (``xlsrc.dashboard.tables.rebased_table``): the first row is
    the base day (= 100), the last the as-of day, so the last value - 100 is the YTD return
    in percent. Dates come back as Excel dates. A ticker without closes (unknown, not a
    ticker, an error cell) keeps its column, blank, headed ``#N/A <reason>``, as
    TECHNICALS marks a row; only when no ticker has closes is the whole table the reason.

    Returns
    -------
    list of list
        Header ``Date, <ticker>...`` then one row per trading day, or ``[["#N/A <reason>"]]``.
    """
    m = _market()
    day = a.as_of_arg(as_of)
    columns: list[str] = []  # the header of each column: a ticker, or #N/A and its reason
    wanted: list[str] = []
    first: XlsrcError | None = None
    for entry in a.ticker_list_arg(tickers, keep_errors=True):
        try:
            if isinstance(entry, a.ErrorCell):
                raise InvalidParameterError(entry.reason("tickers"), name="tickers")
            ticker = _ticker(m, entry, "tickers")
        except XlsrcError as exc:  # this column says why; the others keep their closes
            first = first or exc
            columns.append(f"#N/A {exc}")
            continue
        if ticker not in wanted:  # "brk.b" and "BRK-B" are one column
            wanted.append(ticker)
            columns.append(ticker)
    if not wanted:
        assert first is not None
        raise first
    frame = tables.rebased_table(m, day, wanted)
    for label in columns:
        if label not in frame.columns:
            frame[label] = np.nan
    spec = DASHBOARD.table("rebased")
    return _rows(frame[["date", *columns]], [spec.headers[0], *columns])


@_formula(table=True, benchmark=f'RRG benchmark; blank = "{DEFAULT_BENCHMARK}"')
def RRG_GUIDES(benchmark: Any = None, as_of: Any = None) -> Any:
    """End points of the RRG chart's quadrant lines at 100, spanning the sector points.

    From the sector table SECTORS shows (``xlsrc.dashboard.tables.rrg_guides_table``): rows
    1-2 the vertical line RS-Ratio = 100, rows 3-4 the horizontal line RS-Momentum = 100.

    Returns
    -------
    list of list
        Header ``Line, x, y`` then four rows, or ``[["#N/A <reason>"]]``.
    """
    m = _market()
    bench = _ticker(m, DEFAULT_BENCHMARK if a.is_blank(benchmark) else benchmark, "benchmark")
    sectors = rankings.sectors_table(m, a.as_of_arg(as_of), bench)
    return _layout_rows("rrg_guides", tables.rrg_guides_table(sectors))


@_formula(table=True, dates=True, volatile=False)
def DATA_SOURCES() -> Any:
    """Where the prices come from: one row per source with its tickers and first/last bar.

    The dashboard's provenance table (``xlsrc.dashboard.tables.provenance_table``).

    Returns
    -------
    list of list
        A header row then one row per source, or ``[["#N/A <reason>"]]``.
    """
    return _layout_rows("provenance", tables.provenance_table(_market()))


# --------------------------------------------------------------------------- leadership
@_formula(
    table=True,
    universe='Stocks that form the groups: a universe name or a range of tickers; blank = "stocks"',
    n="Number of groups: the strongest n; a negative n = the weakest; blank = all",
)
def INDUSTRY_GROUPS(universe: Any = None, n: Any = None, as_of: Any = None) -> Any:
    """Industry groups ranked by group RS: the mean RS rating of their stocks (spills a table).

    IBD-style group relative strength over Yahoo's industries (about 145):
    ``xlsrc.dashboard.leadership.industry_groups_table`` / ``xlsrc.core.groups``. A group's
    score is the mean RS rating of its stocks (ratings against every stock in the store;
    ``universe`` only chooses the stocks that form the groups); a group needs 3 rated
    stocks. Columns: rank (1 = strongest; ties share it), industry, its sector, group RS
    rating (the score's percentile among the groups, 1-99), the mean RS, stocks, the share
    of them rated 80 or more, the best 3, and the group's rank 1, 3 and 6 months (21/63/126
    sessions) earlier over the same stocks. The Groups sheet of the dashboard.

    Returns
    -------
    list of list
        A header row then one row per group, strongest first, or ``[["#N/A <reason>"]]``.
    """
    m = _market()
    uni = a.universe_arg(universe, "stocks", usage="INDUSTRY_GROUPS(universe, n, as_of)")
    frame = leadership.industry_groups_table(m, uni, _signed_count(n), a.as_of_arg(as_of))
    if frame.empty:
        day = _as_of(m, as_of)
        raise NoDataError(
            leadership.no_groups_reason(uni, day), ticker=None, date=f"{day:%Y-%m-%d}"
        )
    return _layout_rows("groups_top", frame)


def _each_ticker(cells: list[Any], answer: Callable[[str], Any]) -> list[Any]:
    """``answer(ticker)`` for each ticker cell, or the ``XlsrcError`` saying why not."""
    out: list[Any] = []
    for cell in cells:
        try:
            out.append(answer(a.ticker_arg(cell)))
        except XlsrcError as exc:
            out.append(exc)
    return out


@_formula(
    lift=("ticker",),
    ticker="Ticker or a range of tickers; blank = the list of every industry, its sector "
    "and number of stocks",
)
def INDUSTRY(ticker: Any = None) -> Any:
    """Industry group of a stock (Yahoo's classification); blank: every industry (spills).

    Lifts over ranges (module docstring): ``ticker`` (a range of tickers gives their
    industries in its shape). Without a ticker (one blank cell or the argument left out)
    it spills the table ``Industry, Sector, Stocks`` of every industry of the store's
    stocks.

    Returns
    -------
    str or list of list
        The industry, ``#N/A <reason>`` (an ETF, index or unclassified stock has none),
        an array of them for a range, or without a ticker the table.
    """
    m = _market()
    if len(ticker) == 1 and a.is_blank(ticker[0]):
        return [_layout_rows(INDUSTRIES_TABLE, leadership.industries_table(m))]
    return _each_ticker(ticker, lambda t: leadership.industry_of(m, t))


@_formula(lift=("ticker", "as_of"))
def GROUP_RANK(ticker: Any, as_of: Any = None) -> Any:
    """Rank of the stock's industry group among the groups by group RS (1 = strongest).

    The ``#`` of the ticker's industry in INDUSTRY_GROUPS() (groups formed from every
    stock, 3 rated stocks at least; tied groups share a rank). Lifts over ranges (module
    docstring): ``ticker`` and ``as_of``; the groups are ranked once per date.

    Returns
    -------
    int or str
        The rank, or ``#N/A <reason>`` (no industry, or a group too small to rank); an
        array of them for ranges.
    """
    m = _market()
    day = a.as_of_arg(as_of)
    return _each_ticker(ticker, lambda t: int(leadership.group_rank(m, t, day)["rank"]))


@_formula(
    table=True,
    ticker='Ticker, a range of tickers or text such as "ICHR, UCTT"',
    universe=_UNIVERSE_DOC,
)
def RS_HISTORY(ticker: Any, universe: Any = None, as_of: Any = None) -> Any:
    """RS rating now and 1, 3, 6, 12 months earlier, with the RS line's 52-week high (spills).

    One row per ticker: the rating now and 21, 63, 126, 252 sessions earlier, each as
    computed on that day (same universe, today's membership; blank before the data);
    "Yes" when the RS line (close / SPY) is at a new 52-week high; and the rating's basis:
    blank for the full 3/6/9/12-month weighting, else what a shortened rating measures
    (``xlsrc.dashboard.leadership.rs_history_table``). These are past ratings, not the
    reference tool's 1M/3M/6M relative ranks.

    Returns
    -------
    list of list
        Header ``Ticker, RS now, 1M ago, 3M ago, 6M ago, 12M ago, RS line at 52w high,
        RS basis`` then one row per ticker (an unknown one keeps its row, the reason in
        the last column), or ``[["#N/A <reason>"]]``.
    """
    m = _market()
    tickers = a.ticker_list_arg(ticker, "ticker")
    uni = a.universe_arg(universe, usage="RS_HISTORY(ticker, universe, as_of)")
    frame = leadership.rs_history_display(m, tickers, uni, a.as_of_arg(as_of))
    return _layout_rows(RS_HISTORY_TABLE, frame)


@_formula(table=True)
def ROTATION_SUMMARY(as_of: Any = None) -> Any:
    """Rotation of the day in a few sentences, from xlsrc's own numbers (spills down a column).

    Small vs large caps (IWM vs SPY and QQQ YTD, the IWM/SPY signal), the start-of-year
    rule, S&P 600 vs S&P 500 breadth, the strongest sectors (mean RS of S&P 1500 members)
    and the weakest, the leading industry groups, the top S&P 600 leaders with their RS,
    and warnings (extended leaders, RSI above 70, ETFs at a 52-week high on light volume).
    Fixed templates filled with numbers only (``xlsrc.dashboard.story``); each sentence at
    most 255 characters; no header row, so ``INDEX(ROTATION_SUMMARY(), k)`` is sentence k.

    Returns
    -------
    list of list
        One sentence per row (up to ten), or ``[["#N/A <reason>"]]``.
    """
    m = _market()
    sentences = facts.rotation_summary(m, a.as_of_arg(as_of))
    if not sentences:
        day = _as_of(m, as_of)
        raise NoDataError(
            f"No rotation summary as of {day:%Y-%m-%d}: none of its figures can be computed "
            f"yet (the data start {m.close.index[0]:%Y-%m-%d})",
            ticker=None,
            date=f"{day:%Y-%m-%d}",
        )
    return [[text] for text in sentences]


#: Every formula the module exposes, in the order of the documentation.
UDFS: tuple[Callable[..., Any], ...] = (
    RS_RATING,
    RS_SCORE,
    RS_LINE,
    RS_HISTORY,
    INDUSTRY,
    GROUP_RANK,
    YTD_RETURN,
    TRAILING_RETURN,
    PERIOD_RETURN,
    PCT_FROM_MA,
    RSI,
    VOLATILITY,
    ANNUAL_VOLATILITY,
    REL_VOLUME,
    PCT_FROM_HIGH,
    TRADING_DAY,
    ROTATION_SIGNAL,
    ROTATION_SPREAD,
    LEADERS,
    SECTORS,
    RRG,
    PRICE_HISTORY,
    BREADTH,
    TECHNICALS,
    MARKET_OVERVIEW,
    ROTATION_TABLE,
    ROTATION_SUMMARY,
    INDUSTRY_GROUPS,
    REBASED,
    RRG_GUIDES,
    DATA_STATUS,
    DATA_SOURCES,
)


def _summary(func: Callable[..., Any]) -> str:
    return (func.__doc__ or func.__name__).strip().splitlines()[0].strip()


def _register_descriptions() -> None:
    """Make Excel's function wizard show the first docstring line of each formula.

    The wizard shows xlwings' ``__xlfunc__["ret"]["doc"]``, which xlwings fills with the
    whole docstring (cut at 255 characters by ``import_udfs``). Off Windows the decorators
    record nothing and this does nothing. (A function, not a module-level loop: a leftover
    loop variable would be one more object carrying ``__xlfunc__``, and xlwings would
    declare that formula twice in the VBA module.)
    """
    for func in UDFS:
        info = getattr(func, "__xlfunc__", None)
        if info is not None:
            info["ret"]["doc"] = _summary(func)


_register_descriptions()
