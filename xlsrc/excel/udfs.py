"""The xlsrc Excel formulas (xlwings user-defined functions).

An adapter: every function reads its arguments with :mod:`xlsrc.excel.args`, asks the
in-process :class:`xlsrc.market.Market` (one store load per process, reloaded when a
refresh changes the store) or the dashboard builder for the value, and hands the result
back in a shape Excel understands. Nothing here computes a metric and nothing here goes
to the network: a scalar formula is one call of ``Market.value`` with a metric name of the
registry (``xlsrc.core.metrics``), a table formula one call of ``xlsrc.dashboard.build``.
The module is longer than 600 lines only because it declares 31 formulas, each with its
Excel descriptions and numpydoc docstring; their bodies are a few lines each.

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
- Tables are 2D lists with a header row; Excel 365 spills them as dynamic arrays. They
  deliberately do not use ``@xw.ret(expand="table")``: that is xlwings' *legacy* dynamic
  array emulation for Excel versions without native spilling, which rewrites the formula
  asynchronously and must not be combined with native dynamic arrays.
- Returns are decimals (0.794 = +79.4 %): give the cell a percent format. Dates are
  returned as dates.

Function names and their Excel descriptions
-------------------------------------------
Excel's function wizard shows the first line of each docstring (the module sets the
description xlwings registers to that line; xlwings' own default would be the whole
docstring cut at 255 characters).
"""

from __future__ import annotations

import datetime as _dt
import functools
import inspect
import logging
import math
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import pandas as pd
import xlwings as xw

from .._process import return_freed_memory
from ..dashboard import build
from ..dashboard.cells import status_rows, to_cell
from ..dashboard.layout import (
    BREADTH_UNIVERSES,
    DASHBOARD,
    INDUSTRIES_TABLE,
    ROTATION_PAIRS,
    RS_HISTORY_TABLE,
    Table,
)
from ..errors import InvalidParameterError, NoDataError, XlsrcError
from ..market import DEFAULT_BASIS, SHORT_SORT_KEYS, check_basis, lookup_metric
from ..periods import BREADTH_WINDOWS, DEFAULT_BENCHMARK, YTD
from . import args as a

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
    "TRAILING_RETURN",
    "UDFS",
    "VOLATILITY",
    "YTD_RETURN",
]

logger = logging.getLogger(__name__)

return_freed_memory()  # this module is imported by the formula process (xlwings' COM server)

CATEGORY = "xlsrc"
#: Largest ``n`` LEADERS accepts (a spill taller than this is a mistake, not a table).
MAX_ROWS = 5000

_TICKER_DOC = 'Ticker, e.g. "VICR" or a cell holding it (any case, blanks ignored)'
_AS_OF_DOC = "Date to compute as of (the last trading day on or before it); blank = latest"
_UNIVERSE_DOC = (
    "Universe name (stocks, sp500, sp400, sp600, r2000, sectors) or a range of tickers; "
    "blank = stocks"
)
_BASIS_DOC = (
    '"total" (dividend-adjusted closes, total return) or "price" (closes adjusted for '
    'splits only, price change); blank = "total"'
)
_SMALL, _LARGE = ROTATION_PAIRS[0]


def _default(family: str) -> int | None:
    """Return the default window of a metric family, from the registry."""
    return lookup_metric(family).window


# --------------------------------------------------------------------------- plumbing
def _market() -> Market:
    """Return the process-wide market (store: env XLSRC_STORE, else the user default)."""
    from ..market import get_market

    return get_market()


def _na(message: str) -> str:
    return f"#N/A {message}"


def _excel(table: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Translate errors into ``#N/A <reason>`` text (a 1x1 table for table functions).

    ``XlsrcError`` shows its message; anything else is logged with its traceback and
    shown as a short generic message naming the function and the exception type.
    """

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def wrapper(*args: Any) -> Any:
            try:
                return func(*args)
            except XlsrcError as exc:
                text = _na(str(exc))
            except Exception as exc:
                logger.exception("xlsrc formula %s failed", func.__name__)
                text = _na(f"Unexpected error in {func.__name__} ({type(exc).__name__})")
            return [[text]] if table else text

        return wrapper

    return decorate


def _formula(
    table: bool = False, dates: bool = False, volatile: bool = False, **docs: str
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare an Excel formula: ``xw.func``, its argument descriptions and ``#N/A`` errors.

    Applies, innermost first: :func:`_excel` (errors as ``#N/A <reason>``, a 1x1 table for
    a table function); ``xw.ret(dates=datetime)`` when ``dates`` (dates go back as Excel
    dates); one ``xw.arg(name, doc=...)`` per argument (``ticker`` and ``as_of`` get the
    shared descriptions unless ``docs`` gives one); ``xw.func(category="xlsrc")``. The
    xlwings decorators are looked up when applied, so the template builder's Windows
    versions of them (``xlsrc.excel.workbook``) record the same declarations.

    Raises
    ------
    TypeError
        If ``docs`` names an argument the function does not have.
    """
    shared = {"ticker": _TICKER_DOC, "as_of": _AS_OF_DOC}

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        params = list(inspect.signature(func).parameters)
        unknown = sorted(set(docs) - set(params))
        if unknown:
            raise TypeError(f"{func.__name__} has no argument {', '.join(unknown)}")
        wrapped = _excel(table)(func)
        if dates:
            wrapped = xw.ret(dates=_dt.datetime)(wrapped)
        for name in reversed(params):
            doc = docs.get(name, shared.get(name))
            if doc is not None:
                wrapped = xw.arg(name, doc=doc)(wrapped)
        return xw.func(category=CATEGORY, volatile=volatile)(wrapped)

    return decorate


def _rows(frame: pd.DataFrame, headers: Iterable[str]) -> list[list[Any]]:
    """Return a DataFrame as a header row plus one list per row."""
    body = [[to_cell(v) for v in row] for row in frame.itertuples(index=False, name=None)]
    return [list(headers), *body]


def _layout_rows(table: str | Table, frame: pd.DataFrame) -> list[list[Any]]:
    """Return a dashboard table with the dashboard's own headers (one definition)."""
    spec = DASHBOARD.table(table) if isinstance(table, str) else table
    return _rows(frame[list(spec.keys)], spec.headers)


def _basis(value: Any, signature: str) -> str:
    """Read a ``basis`` argument: blank = ``"total"``; else ``"total"`` or ``"price"``.

    A date or a number there is an ``as_of`` written where ``basis`` now stands (the
    formulas gained the argument before ``as_of``): the message says where the date goes.
    """
    value = a.scalar(value, "basis")
    if a.is_blank(value):
        return DEFAULT_BASIS
    try:
        return check_basis(value)
    except InvalidParameterError:
        try:
            is_date = a.date_arg(value, "basis") is not None
        except InvalidParameterError:
            is_date = False
        if not is_date:
            raise
    shown = f"{value:%Y-%m-%d}" if isinstance(value, _dt.date) else str(value).strip()
    raise InvalidParameterError(
        f'Invalid basis: {shown} is not "total" or "price" (a date goes last: {signature})',
        name="basis",
        value=value,
    )


def _as_of(market: Market, value: Any) -> pd.Timestamp:
    """Return the trading day a formula is computed as of (last store date on or before it).

    Raises ``NoDataError`` for a date before the first date in the store.
    """
    return market.trading_day(a.as_of_arg(value))


def _ticker(market: Market, value: Any, name: str = "ticker") -> str:
    return market.ticker(a.ticker_arg(value, name))


def _value(ticker: Any, name: str, as_of: Any, window: int | None = None, **options: Any) -> Any:
    """Serve one metric of one ticker: ``Market.value`` (a missing value raises its reason).

    ``name`` is a metric of the registry (``xlsrc.core.metrics``) or a family with
    ``window``; ``options`` are ``Market.values``' keywords (universe, benchmark, start).
    """
    market = _market()
    return market.value(a.ticker_arg(ticker), name, a.as_of_arg(as_of), window, **options)


def _window(value: Any, family: str) -> int:
    """Read a window argument of a metric family (blank = the registry's default window)."""
    entry = lookup_metric(family)
    return a.window_arg(value, entry.window or 1, minimum=entry.min_window)


# --------------------------------------------------------------------------- RS
@_formula(universe=_UNIVERSE_DOC, basis=_BASIS_DOC)
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

    Returns
    -------
    int or str
        1..99, or ``#N/A <reason>``.
    """
    uni = a.universe_arg(universe)
    chosen = _basis(basis, "RS_RATING(ticker, universe, basis, as_of)")
    ranked = uni if isinstance(uni, str) else tuple(uni)
    value = _value(ticker, "rs_rating", as_of, universe=ranked, basis=chosen)
    return int(value)  # already a whole number (the core rounds, half up)


@_formula(basis=_BASIS_DOC)
def RS_SCORE(ticker: Any, basis: Any = None, as_of: Any = None) -> Any:
    """Raw RS score (weighted 3/6/9/12-month return, latest quarter double) behind RS_RATING.

    ``basis`` as in RS_RATING: total return (default) or price change (split-adjusted
    closes only; ``#N/A`` when the ticker lacks them). With less than a year of history
    the score is over the windows that exist (RS_RATING, "Shortened window").

    Returns
    -------
    float or str
        A decimal (0.35 = 35 %), or ``#N/A <reason>``.
    """
    chosen = _basis(basis, "RS_SCORE(ticker, basis, as_of)")
    return _value(ticker, "rs_score", as_of, basis=chosen)


@_formula(benchmark=f'Benchmark ticker; blank = "{DEFAULT_BENCHMARK}"')
def RS_LINE(ticker: Any, benchmark: Any = None, as_of: Any = None) -> Any:
    """Relative strength line: the ticker's close divided by the benchmark's close.

    Returns
    -------
    float or str
        The ratio, or ``#N/A <reason>`` (the benchmark's, if it has no price).
    """
    bench = DEFAULT_BENCHMARK if a.is_blank(benchmark) else a.ticker_arg(benchmark, "benchmark")
    return _value(ticker, "rs_line", as_of, benchmark=bench)


# --------------------------------------------------------------------------- returns
@_formula()
def YTD_RETURN(ticker: Any, as_of: Any = None) -> Any:
    """Year-to-date return: close as of the date / last close of the previous year - 1.

    The year is that of the date asked for: as of 1 January (before the year's first
    session) the return is 0, not the whole previous year.

    Returns
    -------
    float or str
        A decimal (0.794 = +79.4 %), or ``#N/A <reason>``.
    """
    return _value(ticker, "ret_ytd", as_of)


@_formula(period='"1D", "1W", "1M", "3M", "6M", "1Y", "YTD" or a number of trading days')
def TRAILING_RETURN(ticker: Any, period: Any, as_of: Any = None) -> Any:
    """Return over a trailing period (1W = 5 trading days, 1M = 21, 3M = 63, 1Y = 252).

    Returns
    -------
    float or str
        A decimal, or ``#N/A <reason>``.
    """
    days = a.period_arg(period)
    if days == YTD:
        return _value(ticker, "ret_ytd", as_of)
    return _value(ticker, "ret", as_of, int(days))


@_formula(
    start_date="First date: the return is measured from the close on or before it",
    end_date="Last date (close on or before it); blank = latest",
)
def PERIOD_RETURN(ticker: Any, start_date: Any, end_date: Any = None) -> Any:
    """Return between two dates: close on or before the end / close on or before the start - 1.

    Returns
    -------
    float or str
        A decimal, or ``#N/A <reason>``.
    """
    start = a.date_arg(start_date, "start_date", required=True)
    end = a.date_arg(end_date, "end_date")
    last = _market().as_of(end)
    if start is not None and start > last:
        raise InvalidParameterError(
            name="start_date", value=f"{start:%Y-%m-%d}", allowed=f"a date before {last:%Y-%m-%d}"
        )
    return _value(ticker, "period_return", end, start=start)


# --------------------------------------------------------------------------- technicals
@_formula(window=f"Moving-average length in trading days; blank = {_default('pct_from_sma')}")
def PCT_FROM_MA(ticker: Any, window: Any = None, as_of: Any = None) -> Any:
    """Distance from the simple moving average: close / SMA(window) - 1.

    Returns
    -------
    float or str
        A decimal (0.25 = 25 % above the average), or ``#N/A <reason>``.
    """
    return _value(ticker, "pct_from_sma", as_of, _window(window, "pct_from_sma"))


@_formula(window=f"Number of daily changes averaged (Wilder); blank = {_default('rsi')}")
def RSI(ticker: Any, window: Any = None, as_of: Any = None) -> Any:
    """Relative strength index (Wilder), 0-100: above 70 overbought, below 30 oversold.

    Returns
    -------
    float or str
        0..100, or ``#N/A <reason>``.
    """
    return _value(ticker, "rsi", as_of, _window(window, "rsi"))


@_formula(window=f"Number of daily returns; blank = {_default('volatility')}")
def VOLATILITY(ticker: Any, window: Any = None, as_of: Any = None) -> Any:
    """Daily volatility: sample standard deviation of daily returns over the window.

    Returns
    -------
    float or str
        A decimal (0.04 = 4 % a day), or ``#N/A <reason>``.
    """
    return _value(ticker, "volatility", as_of, _window(window, "volatility"))


@_formula(window=f"Number of daily returns; blank = {_default('annual_volatility')}")
def ANNUAL_VOLATILITY(ticker: Any, window: Any = None, as_of: Any = None) -> Any:
    """Annualised volatility: daily volatility x sqrt(252).

    Returns
    -------
    float or str
        A decimal, or ``#N/A <reason>``.
    """
    return _value(ticker, "annual_volatility", as_of, _window(window, "annual_volatility"))


@_formula(window=f"Number of earlier days averaged; blank = {_default('relative_volume')}")
def REL_VOLUME(ticker: Any, window: Any = None, as_of: Any = None) -> Any:
    """Relative volume: the day's volume / average volume of the window's days before it.

    Returns
    -------
    float or str
        A ratio (2.0 = twice the usual volume), or ``#N/A <reason>``.
    """
    return _value(ticker, "relative_volume", as_of, _window(window, "relative_volume"))


@_formula()
def PCT_FROM_HIGH(ticker: Any, as_of: Any = None) -> Any:
    """Distance from the 52-week high: close / highest close of the last 252 days - 1.

    Returns
    -------
    float or str
        A decimal, 0 or below (-0.1 = 10 % under the high), or ``#N/A <reason>``.
    """
    return _value(ticker, "pct_from_high", as_of)


# --------------------------------------------------------------------------- rotation
def _pair(small: Any, large: Any, as_of: Any) -> Any:
    small = _SMALL if a.is_blank(small) else a.ticker_arg(small, "small")
    large = _LARGE if a.is_blank(large) else a.ticker_arg(large, "large")
    return build.pair_rotation(_market(), small, large, a.as_of_arg(as_of))


@_formula(
    small=f'Small-cap ticker; blank = "{_SMALL}"',
    large=f'Large-cap ticker; blank = "{_LARGE}" (try "QQQ")',
)
def ROTATION_SIGNAL(small: Any = None, large: Any = None, as_of: Any = None) -> Any:
    """Who leads, small or large caps: a label such as "Small caps leading".

    From the small/large price ratio against its own 20/50/200-day averages and the YTD
    return spread (``xlsrc.core.rotation.pair_rotation``).

    Returns
    -------
    str
        The label, or ``#N/A <reason>``.
    """
    return str(_pair(small, large, as_of).label)


@_formula(
    small=f'Small-cap ticker; blank = "{_SMALL}"',
    large=f'Large-cap ticker; blank = "{_LARGE}" (try "QQQ")',
)
def ROTATION_SPREAD(small: Any = None, large: Any = None, as_of: Any = None) -> Any:
    """Small-cap minus large-cap YTD return: the number behind ROTATION_SIGNAL.

    Returns
    -------
    float or str
        A decimal (0.086 = small caps 8.6 points ahead), or ``#N/A <reason>``.
    """
    rot = _pair(small, large, as_of)
    value = float(rot.ytd_spread)
    if not math.isfinite(value):
        day = f"{rot.date:%Y-%m-%d}"
        raise NoDataError(
            f"No YTD spread for {rot.small}/{rot.large} as of {day}: the data start in its year",
            ticker=f"{rot.small}/{rot.large}",
            date=day,
        )
    return value


# --------------------------------------------------------------------------- tables
_SORT_BY_DOC = (
    ", ".join(f'"{k}"' for k in SHORT_SORT_KEYS)
    + ' or a metric name such as "pct_from_sma20"; blank = ytd'
)


@_formula(
    table=True,
    universe=f'Universe name or a range of tickers; blank = "{build.DEFAULT_UNIVERSE}"',
    n=f"Number of rows; blank = {build.DEFAULT_TOP}",
    sort_by=_SORT_BY_DOC,
    basis="Basis of the RS columns: " + _BASIS_DOC,
)
def LEADERS(
    universe: Any = None, n: Any = None, sort_by: Any = None, basis: Any = None, as_of: Any = None
) -> Any:
    """Top stocks of a universe with YTD return, RS rating and technicals (spills a table).

    The same table as the dashboard's Leaders sheet (``xlsrc.dashboard.build.leaders_table``;
    ``sort_by`` takes any key of ``xlsrc.dashboard.build.SORT_KEYS``): with the RS rating
    3 months (63 sessions) earlier, so a rising rating shows, and the "RS basis" flag of
    a rating on a shortened window (RS_RATING). ``basis`` applies to the RS columns (their
    headers then say "(price)"); the returns stay total returns.

    Returns
    -------
    list of list
        A header row then one row per stock, or ``[["#N/A <reason>"]]``.
    """
    m = _market()
    uni = a.universe_arg(universe, build.DEFAULT_UNIVERSE)
    count = a.count_arg(n, build.DEFAULT_TOP, maximum=MAX_ROWS)
    key = "ytd" if a.is_blank(sort_by) else a.scalar(sort_by, "sort_by")
    chosen = _basis(basis, "LEADERS(universe, n, sort_by, basis, as_of)")
    frame = build.leaders_table(m, uni, count, key, a.as_of_arg(as_of), chosen)
    rows = _layout_rows("leaders", frame)
    if chosen != DEFAULT_BASIS:
        keys = DASHBOARD.table("leaders").keys
        rows[0] = [
            f"{h} ({chosen})" if k in build.BASIS_COLUMNS else h
            for k, h in zip(keys, rows[0], strict=True)
        ]
    return rows


@_formula(table=True, benchmark=f'RRG benchmark; blank = "{DEFAULT_BENCHMARK}"')
def SECTORS(benchmark: Any = None, as_of: Any = None) -> Any:
    """Sector SPDRs: YTD, 1M, RS rating, RRG position and sector score (spills a table).

    The same table as the dashboard's Sectors sheet (``xlsrc.dashboard.build.sectors_table``).

    Returns
    -------
    list of list
        A header row then one row per sector ETF, or ``[["#N/A <reason>"]]``.
    """
    m = _market()
    bench = _ticker(m, DEFAULT_BENCHMARK if a.is_blank(benchmark) else benchmark, "benchmark")
    frame = build.sectors_table(m, a.as_of_arg(as_of), bench)
    return _layout_rows("sectors", frame)


@_formula(
    table=True,
    tickers='Tickers: a range, or text such as "XLK, XLE, XLF"',
    benchmark=f'Benchmark; blank = "{DEFAULT_BENCHMARK}"',
)
def RRG(tickers: Any, benchmark: Any = None, as_of: Any = None) -> Any:
    """Relative Rotation Graph position of each ticker: RS-Ratio, RS-Momentum, quadrant.

    Each ticker keeps its row; one without a position says why (``#N/A Unknown ticker: X``,
    ``#N/A No trade since ...``). ``xlsrc.core.rotation.rrg`` documents the approximation
    and its windows; ``xlsrc.dashboard.build.rrg_table`` builds the table.

    Returns
    -------
    list of list
        Header ``Ticker, RS-Ratio, RS-Momentum, Quadrant`` then one row per ticker.
    """
    m = _market()
    bench = _ticker(m, DEFAULT_BENCHMARK if a.is_blank(benchmark) else benchmark, "benchmark")
    frame = build.rrg_table(m, a.ticker_list_arg(tickers), bench, a.as_of_arg(as_of))
    rows: list[list[Any]] = [["Ticker", "RS-Ratio", "RS-Momentum", "Quadrant"]]
    for r in frame.to_dict("records"):
        if r["problem"]:
            rows.append([r["ticker"], _na(r["problem"]), None, None])
        else:
            rows.append([r["ticker"], *(to_cell(r[k]) for k in ("rs_ratio", "rs_momentum"))])
            rows[-1].append(r["quadrant"])
    return rows


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
    closes are adjusted (``xlsrc.dashboard.build.price_history_table``).

    Returns
    -------
    list of list
        Header ``Date, Close[, Volume]`` then one row per trading day.
    """
    start = a.date_arg(start_date, "start_date", required=True)
    end = a.date_arg(end_date, "end_date")
    wanted = a.text_list_arg(fields, "fields") or ["close"]
    cols = [a.choice_arg(f, "close", _FIELDS, "fields") for f in wanted]
    frame = build.price_history_table(_market(), a.ticker_arg(ticker), start, end, cols)
    return _rows(frame, ["Date", *(c.capitalize() for c in cols)])


@_formula(
    table=True,
    universe="Universe name or a range of tickers; blank = the dashboard's universes",
    window="Also show the share above this moving average (trading days); blank = none",
)
def BREADTH(universe: Any = None, window: Any = None, as_of: Any = None) -> Any:
    """Market breadth: share of a universe's members above their 50- and 200-day averages.

    The dashboard's breadth table (``xlsrc.dashboard.build.breadth_table``), for one
    universe or all of them; ``window`` adds a column for another average. A member
    without a trade in the last 5 sessions, or with fewer real bars than the average, is
    not counted.

    Returns
    -------
    list of list
        A header row then one row per universe.
    """
    m = _market()
    uni = None if a.is_blank(universe) else a.universe_arg(universe)
    if uni is None:
        universes = list(BREADTH_UNIVERSES)
    elif isinstance(uni, str):
        m.universe(uni)  # raises UnknownUniverseError for a bad name
        labels = dict(BREADTH_UNIVERSES)
        universes = [(uni, labels.get(uni, uni))]
    else:
        raise InvalidParameterError(
            name="universe", value=universe, allowed="a universe name (stocks, sp500, ...)"
        )
    n = None if a.is_blank(window) else a.window_arg(window, BREADTH_WINDOWS[0])
    frame = build.breadth_table(m, a.as_of_arg(as_of), universes, extra_window=n)
    rows = _layout_rows("breadth", frame)
    if n is not None:
        rows[0].append(f"Above {n}d MA")
        for row, share in zip(rows[1:], frame[f"above_sma{n}"], strict=True):
            row.append(to_cell(share))
    return rows


@_formula(table=True, tickers='Tickers: a range, or text such as "IWM, SPY, VICR"')
def TECHNICALS(tickers: Any, as_of: Any = None) -> Any:
    """Every metric for a watchlist, one row per ticker (spills a table).

    The dashboard's Technicals table; unknown tickers keep their row, marked ``#N/A``.

    Returns
    -------
    list of list
        A header row then one row per ticker.
    """
    m = _market()
    frame = build.technicals_table(m, a.ticker_list_arg(tickers), a.as_of_arg(as_of))
    return _layout_rows("technicals", frame)


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

    The dashboard's Overview table (``xlsrc.dashboard.build.overview_table``); tickers the
    store does not hold are left out.

    Returns
    -------
    list of list
        A header row then one row per index or ETF, or ``[["#N/A <reason>"]]``.
    """
    return _layout_rows("overview", build.overview_table(_market(), a.as_of_arg(as_of)))


@_formula(table=True)
def ROTATION_TABLE(as_of: Any = None) -> Any:
    """Small caps vs large caps (IWM/SPY, IWM/QQQ): signal, return spreads, ratio vs MAs.

    The dashboard's rotation table (``xlsrc.dashboard.build.rotation_table``); a pair that
    cannot be computed keeps its row with the reason as its signal.

    Returns
    -------
    list of list
        A header row then one row per pair, or ``[["#N/A <reason>"]]``.
    """
    return _layout_rows("rotation", build.rotation_table(_market(), a.as_of_arg(as_of)))


@_formula(table=True, dates=True, tickers='Tickers: a range, or text such as "IWM, SPY, QQQ"')
def REBASED(tickers: Any, as_of: Any = None) -> Any:
    """Daily closes rebased to 100 at the last close of the previous year (spills a table).

    The dashboard's chart data (``xlsrc.dashboard.build.rebased_table``): the first row is
    the base day (= 100), the last the as-of day, so the last value - 100 is the YTD return
    in percent. Dates come back as Excel dates.

    Returns
    -------
    list of list
        Header ``Date, <ticker>...`` then one row per trading day, or ``[["#N/A <reason>"]]``.
    """
    m = _market()
    wanted = [_ticker(m, t, "tickers") for t in a.ticker_list_arg(tickers)]
    wanted = list(dict.fromkeys(wanted))  # "brk.b" and "BRK-B" are one column
    frame = build.rebased_table(m, a.as_of_arg(as_of), wanted)
    spec = DASHBOARD.table("rebased")
    return _rows(frame[["date", *wanted]], [spec.headers[0], *wanted])


@_formula(table=True, benchmark=f'RRG benchmark; blank = "{DEFAULT_BENCHMARK}"')
def RRG_GUIDES(benchmark: Any = None, as_of: Any = None) -> Any:
    """End points of the RRG chart's quadrant lines at 100, spanning the sector points.

    From the sector table SECTORS shows (``xlsrc.dashboard.build.rrg_guides_table``): rows
    1-2 the vertical line RS-Ratio = 100, rows 3-4 the horizontal line RS-Momentum = 100.

    Returns
    -------
    list of list
        Header ``Line, x, y`` then four rows, or ``[["#N/A <reason>"]]``.
    """
    m = _market()
    bench = _ticker(m, DEFAULT_BENCHMARK if a.is_blank(benchmark) else benchmark, "benchmark")
    sectors = build.sectors_table(m, a.as_of_arg(as_of), bench)
    return _layout_rows("rrg_guides", build.rrg_guides_table(sectors))


@_formula(table=True, dates=True, volatile=False)
def DATA_SOURCES() -> Any:
    """Where the prices come from: one row per source with its tickers and first/last bar.

    The dashboard's provenance table (``xlsrc.dashboard.build.provenance_table``).

    Returns
    -------
    list of list
        A header row then one row per source, or ``[["#N/A <reason>"]]``.
    """
    return _layout_rows("provenance", build.provenance_table(_market()))


# --------------------------------------------------------------------------- leadership
def _signed_count(value: Any, name: str = "n") -> int | None:
    """Read a row count that may be negative (the last rows); blank = None (all rows)."""
    value = a.scalar(value, name)
    if a.is_blank(value):
        return None
    allowed = f"a whole number from -{MAX_ROWS} to {MAX_ROWS} other than 0 (negative: the last)"
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise InvalidParameterError(name=name, value=value, allowed=allowed) from None
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not float(value).is_integer()
        or value == 0
        or abs(value) > MAX_ROWS
    ):
        raise InvalidParameterError(name=name, value=value, allowed=allowed)
    return int(value)


@_formula(
    table=True,
    universe='Stocks that form the groups: a universe name or a range of tickers; blank = "stocks"',
    n="Number of groups: the strongest n; a negative n = the weakest; blank = all",
)
def INDUSTRY_GROUPS(universe: Any = None, n: Any = None, as_of: Any = None) -> Any:
    """Industry groups ranked by group RS: the mean RS rating of their stocks (spills a table).

    IBD-style group relative strength over Yahoo's industries (about 145):
    ``xlsrc.dashboard.build.industry_groups_table`` / ``xlsrc.core.groups``. A group's
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
    uni = a.universe_arg(universe, "stocks")
    frame = build.industry_groups_table(m, uni, _signed_count(n), a.as_of_arg(as_of))
    if frame.empty:
        day = _as_of(m, as_of)
        raise NoDataError(build.no_groups_reason(uni, day), ticker=None, date=f"{day:%Y-%m-%d}")
    return _layout_rows("groups_top", frame)


@_formula(ticker="Ticker; blank = the list of every industry, its sector and number of stocks")
def INDUSTRY(ticker: Any = None) -> Any:
    """Industry group of a stock (Yahoo's classification); blank: every industry (spills).

    Returns
    -------
    str or list of list
        The industry, ``#N/A <reason>`` (an ETF, index or unclassified stock has none),
        or without a ticker the table ``Industry, Sector, Stocks``.
    """
    m = _market()
    if a.is_blank(ticker):
        return _layout_rows(INDUSTRIES_TABLE, build.industries_table(m))
    return build.industry_of(m, a.ticker_arg(ticker))


@_formula()
def GROUP_RANK(ticker: Any, as_of: Any = None) -> Any:
    """Rank of the stock's industry group among the groups by group RS (1 = strongest).

    The ``#`` of the ticker's industry in INDUSTRY_GROUPS() (groups formed from every
    stock, 3 rated stocks at least; tied groups share a rank).

    Returns
    -------
    int or str
        The rank, or ``#N/A <reason>`` (no industry, or a group too small to rank).
    """
    row = build.group_rank(_market(), a.ticker_arg(ticker), a.as_of_arg(as_of))
    return int(row["rank"])


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
    (``xlsrc.dashboard.build.rs_history_table``). These are past ratings, not the
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
    uni = a.universe_arg(universe)
    frame = build.rs_history_display(m, tickers, uni, a.as_of_arg(as_of))
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
    sentences = build.rotation_summary(m, a.as_of_arg(as_of))
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
