"""The xlsrc Excel formulas (xlwings user-defined functions).

An adapter: every function reads its arguments with :mod:`xlsrc.excel.args`, asks the
in-process :class:`xlsrc.market.Market` (one store load per process, reloaded when a
refresh changes the store) or the dashboard builder for the value, and hands the result
back in a shape Excel understands. Nothing here computes a metric and nothing here goes
to the network.

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
import logging
import math
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd
import xlwings as xw

from .._process import return_freed_memory
from ..errors import InvalidParameterError, NoDataError, XlsrcError
from ..periods import (
    DEFAULT_BENCHMARK,
    PERIOD_DAYS,
    RELVOL_WINDOW,
    RS_MIN_DAYS,
    RSI_WINDOW,
    SMA_WINDOWS,
    VOLATILITY_WINDOW,
    YTD,
)
from . import args as a

__all__ = [
    "ANNUAL_VOLATILITY",
    "BREADTH",
    "DATA_SOURCES",
    "DATA_STATUS",
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
    "ROTATION_TABLE",
    "RRG",
    "RRG_GUIDES",
    "RSI",
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


# --------------------------------------------------------------------------- plumbing
def _market() -> Any:
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


def _cell(value: Any) -> Any:
    """One value as Excel should get it: NaN/NaT -> blank, numpy -> Python, dates -> datetime."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else pd.Timestamp(value).to_pydatetime()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _rows(frame: pd.DataFrame, headers: Iterable[str]) -> list[list[Any]]:
    """Return a DataFrame as a header row plus one list per row."""
    body = [[_cell(v) for v in row] for row in frame.itertuples(index=False, name=None)]
    return [list(headers), *body]


def _layout_rows(table: str, frame: pd.DataFrame) -> list[list[Any]]:
    """Return a dashboard table with the dashboard's own headers (one definition)."""
    from ..dashboard.layout import DASHBOARD

    spec = DASHBOARD.table(table)
    return _rows(frame[list(spec.keys)], spec.headers)


def _as_of(market: Any, value: Any) -> pd.Timestamp:
    """Return the trading day a formula is computed as of (last store date on or before it).

    Raises ``NoDataError`` for a date before the first date in the store.
    """
    return market.trading_day(a.as_of_arg(value))


def _ticker(market: Any, value: Any, name: str = "ticker") -> str:
    return market.ticker(a.ticker_arg(value, name))


def _number(value: Any, market: Any, ticker: str, as_of: pd.Timestamp, needed: int) -> float:
    """Return ``value`` as a float, or raise the reason it is missing.

    The reason comes from ``core.history.require_history``: no price on or before the date,
    or fewer than ``needed`` bars.
    """
    value = float(value)
    if math.isfinite(value):
        return value
    from ..core.history import require_history

    require_history(market.close, ticker, as_of, needed)
    raise NoDataError(
        f"No value for {ticker} as of {as_of:%Y-%m-%d}", ticker=ticker, date=f"{as_of:%Y-%m-%d}"
    )


def _metric(ticker: Any, as_of: Any, column: str, needed: int) -> float:
    """One ticker's standard metric, as ``Market.metrics(as_of)`` has it.

    Through ``Market.metric``: from the memoised table when the day has one, else computed
    on the ticker's column alone (a formula on a new date costs well under the full
    table). ``column`` is one of ``xlsrc.market.METRIC_NAMES``.
    """
    m = _market()
    t = _ticker(m, ticker)
    ts = _as_of(m, as_of)
    return _number(m.metric(t, column, ts), m, t, ts, needed)


def _one(m: Any, t: str, ts: pd.Timestamp, needed: int, compute: Callable[..., Any]) -> float:
    """Run a vectorised core function on one ticker's column only."""
    series = compute(m.close[[t]])
    return _number(series.get(t, math.nan), m, t, ts, needed)


# Column names of Market.metrics (xlsrc/market.py): one name per metric, at the
# default windows of xlsrc.periods.
_RET_COLUMNS: dict[int | str, str] = {
    **{days: f"ret_{code.lower()}" for code, days in PERIOD_DAYS.items()},
    YTD: "ret_ytd",
}
_SMA_COLUMNS: dict[int, str] = {w: f"pct_from_sma{w}" for w in SMA_WINDOWS}
_RSI_COLUMN = f"rsi{RSI_WINDOW}"
_VOLATILITY_COLUMN = f"volatility{VOLATILITY_WINDOW}"
_RELVOL_COLUMN = f"relative_volume{RELVOL_WINDOW}"
_HIGH_COLUMN = "pct_from_high"  # over HIGH_WINDOW days


# --------------------------------------------------------------------------- RS
@xw.func(category=CATEGORY)
@xw.arg("ticker", doc=_TICKER_DOC)
@xw.arg("universe", doc=_UNIVERSE_DOC)
@xw.arg("as_of", doc=_AS_OF_DOC)
@_excel()
def RS_RATING(ticker: Any, universe: Any = None, as_of: Any = None) -> Any:
    """IBD-style relative strength rating, 1 (weakest) to 99 (strongest), within a universe.

    The percentile rank of the ticker's RS score (0.4·r63 + 0.2·r126 + 0.2·r189 + 0.2·r252)
    among the universe's members; an ETF or index is rated against the universe without
    joining it. See ``xlsrc.core.rs.rs_rating`` for the exact mapping and tie rule.

    Returns
    -------
    int or str
        1..99, or ``#N/A <reason>``.
    """
    m = _market()
    t = _ticker(m, ticker)
    ts = _as_of(m, as_of)
    uni = a.universe_arg(universe)
    ratings = m.rs_ratings(ts, uni if isinstance(uni, str) else tuple(uni))
    value = _number(ratings.get(t, math.nan), m, t, ts, RS_MIN_DAYS + 1)
    return int(value)  # already a whole number (the core rounds, half up)


@xw.func(category=CATEGORY)
@xw.arg("ticker", doc=_TICKER_DOC)
@xw.arg("as_of", doc=_AS_OF_DOC)
@_excel()
def RS_SCORE(ticker: Any, as_of: Any = None) -> Any:
    """Raw RS score (weighted 3/6/9/12-month return, latest quarter double) behind RS_RATING.

    Returns
    -------
    float or str
        A decimal (0.35 = 35 %), or ``#N/A <reason>``.
    """
    return _metric(ticker, as_of, "rs_score", RS_MIN_DAYS + 1)


@xw.func(category=CATEGORY)
@xw.arg("ticker", doc=_TICKER_DOC)
@xw.arg("benchmark", doc='Benchmark ticker; blank = "SPY"')
@xw.arg("as_of", doc=_AS_OF_DOC)
@_excel()
def RS_LINE(ticker: Any, benchmark: Any = None, as_of: Any = None) -> Any:
    """Relative strength line: the ticker's close divided by the benchmark's close.

    Returns
    -------
    float or str
        The ratio, or ``#N/A <reason>``.
    """
    from ..core.rs import rs_line

    m = _market()
    t = _ticker(m, ticker)
    b = _ticker(m, DEFAULT_BENCHMARK if a.is_blank(benchmark) else benchmark, "benchmark")
    ts = _as_of(m, as_of)
    value = float(rs_line(m.close, t, b, ts))
    _number(value, m, b, ts, 1)  # the benchmark's reason, if it has no price
    return _number(value, m, t, ts, 1)


# --------------------------------------------------------------------------- returns
@xw.func(category=CATEGORY)
@xw.arg("ticker", doc=_TICKER_DOC)
@xw.arg("as_of", doc=_AS_OF_DOC)
@_excel()
def YTD_RETURN(ticker: Any, as_of: Any = None) -> Any:
    """Year-to-date return: close as of the date / last close of the previous year - 1.

    Returns
    -------
    float or str
        A decimal (0.794 = +79.4 %), or ``#N/A <reason>``.
    """
    return _metric(ticker, as_of, _RET_COLUMNS[YTD], 2)


@xw.func(category=CATEGORY)
@xw.arg("ticker", doc=_TICKER_DOC)
@xw.arg("period", doc='"1D", "1W", "1M", "3M", "6M", "1Y", "YTD" or a number of trading days')
@xw.arg("as_of", doc=_AS_OF_DOC)
@_excel()
def TRAILING_RETURN(ticker: Any, period: Any, as_of: Any = None) -> Any:
    """Return over a trailing period (1W = 5 trading days, 1M = 21, 3M = 63, 1Y = 252).

    Returns
    -------
    float or str
        A decimal, or ``#N/A <reason>``.
    """
    days = a.period_arg(period)
    if days in _RET_COLUMNS:
        return _metric(ticker, as_of, _RET_COLUMNS[days], 2 if days == YTD else int(days) + 1)
    from ..core.returns import trailing_return

    m = _market()
    t = _ticker(m, ticker)
    ts = _as_of(m, as_of)
    return _one(m, t, ts, int(days) + 1, lambda c: trailing_return(c, days, ts))


@xw.func(category=CATEGORY)
@xw.arg("ticker", doc=_TICKER_DOC)
@xw.arg("start_date", doc="First date: the return is measured from the close on or before it")
@xw.arg("end_date", doc="Last date (close on or before it); blank = latest")
@_excel()
def PERIOD_RETURN(ticker: Any, start_date: Any, end_date: Any = None) -> Any:
    """Return between two dates: close on or before the end / close on or before the start - 1.

    Returns
    -------
    float or str
        A decimal, or ``#N/A <reason>``.
    """
    from ..core.returns import period_return

    m = _market()
    t = _ticker(m, ticker)
    start = a.date_arg(start_date, "start_date", required=True)
    end = m.as_of(a.date_arg(end_date, "end_date"))
    if start is not None and start > end:
        raise InvalidParameterError(
            name="start_date", value=f"{start:%Y-%m-%d}", allowed=f"a date before {end:%Y-%m-%d}"
        )
    from ..core.history import require_history

    require_history(m.close, t, start, 1)
    return _one(m, t, end, 1, lambda c: period_return(c, start, end))


# --------------------------------------------------------------------------- technicals
@xw.func(category=CATEGORY)
@xw.arg("ticker", doc=_TICKER_DOC)
@xw.arg("window", doc="Moving-average length in trading days; blank = 20")
@xw.arg("as_of", doc=_AS_OF_DOC)
@_excel()
def PCT_FROM_MA(ticker: Any, window: Any = None, as_of: Any = None) -> Any:
    """Distance from the simple moving average: close / SMA(window) - 1.

    Returns
    -------
    float or str
        A decimal (0.25 = 25 % above the average), or ``#N/A <reason>``.
    """
    n = a.window_arg(window, 20)
    if n in _SMA_COLUMNS:
        return _metric(ticker, as_of, _SMA_COLUMNS[n], n)
    from ..core.technicals import pct_from_sma

    m = _market()
    t = _ticker(m, ticker)
    ts = _as_of(m, as_of)
    return _one(m, t, ts, n, lambda c: pct_from_sma(c, n, ts))


@xw.func(category=CATEGORY)
@xw.arg("ticker", doc=_TICKER_DOC)
@xw.arg("window", doc="Number of daily changes averaged (Wilder); blank = 14")
@xw.arg("as_of", doc=_AS_OF_DOC)
@_excel()
def RSI(ticker: Any, window: Any = None, as_of: Any = None) -> Any:
    """Relative strength index (Wilder), 0-100: above 70 overbought, below 30 oversold.

    Returns
    -------
    float or str
        0..100, or ``#N/A <reason>``.
    """
    n = a.window_arg(window, RSI_WINDOW)
    if n == RSI_WINDOW:
        return _metric(ticker, as_of, _RSI_COLUMN, n + 1)
    from ..core.technicals import rsi

    m = _market()
    t = _ticker(m, ticker)
    ts = _as_of(m, as_of)
    return _one(m, t, ts, n + 1, lambda c: rsi(c, n, ts))


def _volatility(ticker: Any, window: Any, as_of: Any, annualise: bool) -> float:
    n = a.window_arg(window, VOLATILITY_WINDOW, minimum=2)
    if n == VOLATILITY_WINDOW and not annualise:
        return _metric(ticker, as_of, _VOLATILITY_COLUMN, n + 1)
    from ..core.technicals import volatility

    m = _market()
    t = _ticker(m, ticker)
    ts = _as_of(m, as_of)
    return _one(m, t, ts, n + 1, lambda c: volatility(c, n, ts, annualise=annualise))


@xw.func(category=CATEGORY)
@xw.arg("ticker", doc=_TICKER_DOC)
@xw.arg("window", doc="Number of daily returns; blank = 20")
@xw.arg("as_of", doc=_AS_OF_DOC)
@_excel()
def VOLATILITY(ticker: Any, window: Any = None, as_of: Any = None) -> Any:
    """Daily volatility: sample standard deviation of daily returns over the window.

    Returns
    -------
    float or str
        A decimal (0.04 = 4 % a day), or ``#N/A <reason>``.
    """
    return _volatility(ticker, window, as_of, annualise=False)


@xw.func(category=CATEGORY)
@xw.arg("ticker", doc=_TICKER_DOC)
@xw.arg("window", doc="Number of daily returns; blank = 20")
@xw.arg("as_of", doc=_AS_OF_DOC)
@_excel()
def ANNUAL_VOLATILITY(ticker: Any, window: Any = None, as_of: Any = None) -> Any:
    """Annualised volatility: daily volatility x sqrt(252).

    Returns
    -------
    float or str
        A decimal, or ``#N/A <reason>``.
    """
    return _volatility(ticker, window, as_of, annualise=True)


@xw.func(category=CATEGORY)
@xw.arg("ticker", doc=_TICKER_DOC)
@xw.arg("window", doc="Number of earlier days averaged; blank = 50")
@xw.arg("as_of", doc=_AS_OF_DOC)
@_excel()
def REL_VOLUME(ticker: Any, window: Any = None, as_of: Any = None) -> Any:
    """Relative volume: the day's volume / average volume of the window's days before it.

    Returns
    -------
    float or str
        A ratio (2.0 = twice the usual volume), or ``#N/A <reason>``.
    """
    n = a.window_arg(window, RELVOL_WINDOW)
    if n == RELVOL_WINDOW:
        return _metric(ticker, as_of, _RELVOL_COLUMN, n + 1)
    from ..core.technicals import relative_volume

    m = _market()
    t = _ticker(m, ticker)
    ts = _as_of(m, as_of)
    series = relative_volume(m.volume[[t]], n, ts)
    return _number(series.get(t, math.nan), m, t, ts, n + 1)


@xw.func(category=CATEGORY)
@xw.arg("ticker", doc=_TICKER_DOC)
@xw.arg("as_of", doc=_AS_OF_DOC)
@_excel()
def PCT_FROM_HIGH(ticker: Any, as_of: Any = None) -> Any:
    """Distance from the 52-week high: close / highest close of the last 252 days - 1.

    Returns
    -------
    float or str
        A decimal, 0 or below (-0.1 = 10 % under the high), or ``#N/A <reason>``.
    """
    return _metric(ticker, as_of, _HIGH_COLUMN, 1)


# --------------------------------------------------------------------------- rotation
def _pair(small: Any, large: Any, as_of: Any) -> Any:
    from ..core.rotation import pair_rotation

    m = _market()
    s = _ticker(m, "IWM" if a.is_blank(small) else small, "small")
    big = _ticker(m, DEFAULT_BENCHMARK if a.is_blank(large) else large, "large")
    ts = _as_of(m, as_of)
    return pair_rotation(m.close, s, big, ts)


@xw.func(category=CATEGORY)
@xw.arg("small", doc='Small-cap ticker; blank = "IWM"')
@xw.arg("large", doc='Large-cap ticker; blank = "SPY" (try "QQQ")')
@xw.arg("as_of", doc=_AS_OF_DOC)
@_excel()
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


@xw.func(category=CATEGORY)
@xw.arg("small", doc='Small-cap ticker; blank = "IWM"')
@xw.arg("large", doc='Large-cap ticker; blank = "SPY" (try "QQQ")')
@xw.arg("as_of", doc=_AS_OF_DOC)
@_excel()
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
        raise NoDataError("No YTD spread for this pair on that date", ticker="", date="")
    return value


# --------------------------------------------------------------------------- tables
@xw.func(category=CATEGORY)
@xw.arg("universe", doc='Universe name or a range of tickers; blank = "sp600"')
@xw.arg("n", doc="Number of rows; blank = 25")
@xw.arg(
    "sort_by", doc='"ytd", "1m", "3m", "6m", "1y", "rs_rating", "rsi", "pct_sma20"; blank = ytd'
)
@xw.arg("as_of", doc=_AS_OF_DOC)
@_excel(table=True)
def LEADERS(universe: Any = None, n: Any = None, sort_by: Any = None, as_of: Any = None) -> Any:
    """Top stocks of a universe with YTD return, RS rating and technicals (spills a table).

    The same table as the dashboard's Leaders sheet (``xlsrc.dashboard.build.leaders_table``).

    Returns
    -------
    list of list
        A header row then one row per stock, or ``[["#N/A <reason>"]]``.
    """
    from ..dashboard import build

    m = _market()
    uni = a.universe_arg(universe, build.DEFAULT_UNIVERSE)
    count = a.count_arg(n, build.DEFAULT_TOP, maximum=MAX_ROWS)
    key = "ytd" if a.is_blank(sort_by) else a.scalar(sort_by, "sort_by")
    frame = build.leaders_table(m, uni, count, key, _as_of(m, as_of))
    return _layout_rows("leaders", frame)


@xw.func(category=CATEGORY)
@xw.arg("benchmark", doc='RRG benchmark; blank = "SPY"')
@xw.arg("as_of", doc=_AS_OF_DOC)
@_excel(table=True)
def SECTORS(benchmark: Any = None, as_of: Any = None) -> Any:
    """Sector SPDRs: YTD, 1M, RS rating, RRG position and sector score (spills a table).

    The same table as the dashboard's Sectors sheet (``xlsrc.dashboard.build.sectors_table``).

    Returns
    -------
    list of list
        A header row then one row per sector ETF, or ``[["#N/A <reason>"]]``.
    """
    from ..dashboard import build

    m = _market()
    bench = _ticker(m, DEFAULT_BENCHMARK if a.is_blank(benchmark) else benchmark, "benchmark")
    frame = build.sectors_table(m, _as_of(m, as_of), bench)
    return _layout_rows("sectors", frame)


@xw.func(category=CATEGORY)
@xw.arg("tickers", doc='Tickers: a range, or text such as "XLK, XLE, XLF"')
@xw.arg("benchmark", doc='Benchmark; blank = "SPY"')
@xw.arg("as_of", doc=_AS_OF_DOC)
@_excel(table=True)
def RRG(tickers: Any, benchmark: Any = None, as_of: Any = None) -> Any:
    """Relative Rotation Graph position of each ticker: RS-Ratio, RS-Momentum, quadrant.

    Unknown tickers keep their row, marked ``#N/A Unknown ticker: X`` (``xlsrc.core.rotation.rrg``
    documents the approximation and its windows).

    Returns
    -------
    list of list
        Header ``Ticker, RS-Ratio, RS-Momentum, Quadrant`` then one row per ticker.
    """
    from ..core.rotation import rrg

    m = _market()
    bench = _ticker(m, DEFAULT_BENCHMARK if a.is_blank(benchmark) else benchmark, "benchmark")
    ts = _as_of(m, as_of)
    known: list[str] = []
    rows: list[list[Any]] = []
    for raw in a.ticker_list_arg(tickers):
        try:
            known.append(m.ticker(raw))
            rows.append([known[-1]])
        except XlsrcError as exc:
            rows.append([raw, _na(str(exc)), None, None])
    result = rrg(m.close, known, bench, ts) if known else pd.DataFrame()
    for row in rows:
        if len(row) == 1:
            t = row[0]
            if t in result.index:
                r = result.loc[t]
                row.extend([_cell(r["rs_ratio"]), _cell(r["rs_momentum"]), _cell(r["quadrant"])])
            else:
                row.extend([_na(f"Too little history for {t}"), None, None])
    return [["Ticker", "RS-Ratio", "RS-Momentum", "Quadrant"], *rows]


_FIELDS = ("close", "volume")


@xw.func(category=CATEGORY)
@xw.arg("ticker", doc=_TICKER_DOC)
@xw.arg("start_date", doc="First date")
@xw.arg("end_date", doc="Last date; blank = latest")
@xw.arg(
    "fields", doc='"close", "volume" or both, as text "close, volume" or a range; blank = close'
)
@xw.ret(dates=_dt.datetime)
@_excel(table=True)
def PRICE_HISTORY(ticker: Any, start_date: Any, end_date: Any = None, fields: Any = None) -> Any:
    """Daily closes (and volume) between two dates, like STOCKHISTORY (spills a table).

    One row per day the ticker traded, oldest first; closes are adjusted.

    Returns
    -------
    list of list
        Header ``Date, Close[, Volume]`` then one row per trading day.
    """
    m = _market()
    t = _ticker(m, ticker)
    start = a.date_arg(start_date, "start_date", required=True)
    end = m.as_of(a.date_arg(end_date, "end_date"))
    wanted = a.text_list_arg(fields, "fields") or ["close"]
    cols = [a.choice_arg(f, "close", _FIELDS, "fields") for f in wanted]
    close = m.close[t]
    window = close.loc[start:end]
    window = window[window.notna()]
    last_bar = getattr(m, "last_bar", None)
    if last_bar is not None and t in last_bar.index and pd.notna(last_bar[t]):
        window = window.loc[: last_bar[t]]
    if window.empty:
        raise NoDataError(
            f"No price for {t} between {start:%Y-%m-%d} and {end:%Y-%m-%d}",
            ticker=t,
            date=f"{end:%Y-%m-%d}",
        )
    data = {"close": window, "volume": m.volume[t].reindex(window.index)}
    frame = pd.DataFrame({c: data[c] for c in cols})
    frame.insert(0, "date", window.index)
    return _rows(frame, ["Date", *(c.capitalize() for c in cols)])


@xw.func(category=CATEGORY)
@xw.arg("universe", doc="Universe name or a range of tickers; blank = the dashboard's universes")
@xw.arg("window", doc="Also show the share above this moving average (trading days); blank = none")
@xw.arg("as_of", doc=_AS_OF_DOC)
@_excel(table=True)
def BREADTH(universe: Any = None, window: Any = None, as_of: Any = None) -> Any:
    """Market breadth: share of a universe's members above their 50- and 200-day averages.

    The dashboard's breadth table (``xlsrc.dashboard.build.breadth_table``), for one
    universe or all of them; ``window`` adds a column for another average.

    Returns
    -------
    list of list
        A header row then one row per universe.
    """
    from ..dashboard import build
    from ..dashboard.layout import BREADTH_UNIVERSES, DASHBOARD

    m = _market()
    ts = _as_of(m, as_of)
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
    frame = build.breadth_table(m, ts, universes)
    spec = DASHBOARD.table("breadth")
    rows = _rows(frame[list(spec.keys)], spec.headers)
    n = None if a.is_blank(window) else a.window_arg(window, 50)
    if n is not None:
        from ..core.breadth import pct_above_sma

        rows[0].append(f"Above {n}d MA")
        for row, name in zip(rows[1:], frame["universe"], strict=True):
            members = [t for t in m.universe(name) if t in m.close.columns]
            row.append(_cell(float(pct_above_sma(m.close, members, n, ts))))
    return rows


@xw.func(category=CATEGORY)
@xw.arg("tickers", doc='Tickers: a range, or text such as "IWM, SPY, VICR"')
@xw.arg("as_of", doc=_AS_OF_DOC)
@_excel(table=True)
def TECHNICALS(tickers: Any, as_of: Any = None) -> Any:
    """Every metric for a watchlist, one row per ticker (spills a table).

    The dashboard's Technicals table; unknown tickers keep their row, marked ``#N/A``.

    Returns
    -------
    list of list
        A header row then one row per ticker.
    """
    from ..dashboard import build

    m = _market()
    frame = build.technicals_table(m, a.ticker_list_arg(tickers), _as_of(m, as_of))
    return _layout_rows("technicals", frame)


@xw.func(category=CATEGORY, volatile=False)
@xw.ret(dates=_dt.datetime)
@_excel(table=True)
def DATA_STATUS() -> Any:
    """Where the formulas' data comes from: source, last refresh, last date, number of tickers.

    From the store's ``Store.status()``; dates come back as Excel dates, the last refresh
    as a UTC date and time.

    Returns
    -------
    list of list
        Two columns, ``Item`` and ``Value``.
    """
    status = dict(_market().store.status())
    rows: list[list[Any]] = [["Item", "Value"]]
    for key, label in _STATUS_ITEMS:
        if key in status:
            rows.append([label, _cell(_status_value(key, status.pop(key)))])
    for key, value in status.items():  # anything a newer store adds
        rows.append([str(key).replace("_", " ").capitalize(), _cell(_status_value(key, value))])
    return rows


#: ``Store.status()`` keys in the order DATA_STATUS lists them, with their labels.
_STATUS_ITEMS = (
    ("sources", "Source"),
    ("last_refresh", "Last refresh (UTC)"),
    ("last_refresh_source", "Last refresh source"),
    ("last_date", "Last date"),
    ("first_date", "First date"),
    ("n_tickers", "Tickers"),
    ("location", "Store"),
    ("backend", "Backend"),
    ("snapshot_version", "Snapshot version"),
    ("created_at", "Store created (UTC)"),
    ("data_version", "Data version"),
    ("bars_version", "Bars version"),
    ("schema_version", "Schema version"),
)


#: Status keys whose None means "not yet" rather than "unknown".
_NEVER = frozenset({"last_refresh", "last_refresh_source"})


def _status_value(key: str, value: Any) -> Any:
    if value is None and key in _NEVER:
        return "never"
    if key == "sources" and isinstance(value, list | tuple):
        return ", ".join(str(v.get("name", v)) if isinstance(v, dict) else str(v) for v in value)
    if (
        key in {"last_date", "first_date", "last_refresh", "created_at"}
        and isinstance(value, str)
        and value
    ):
        try:
            ts = pd.Timestamp(value)
        except ValueError:
            return value
        return ts.tz_convert(None) if ts.tzinfo is not None else ts
    if isinstance(value, list | tuple | set):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, pd.Timestamp | _dt.datetime | _dt.date | int | float | str | bool):
        return value
    return None if value is None else str(value)


# --------------------------------------------------------------------------- dashboard tables
@xw.func(category=CATEGORY)
@xw.arg("as_of", doc=_AS_OF_DOC)
@_excel(table=True)
def MARKET_OVERVIEW(as_of: Any = None) -> Any:
    """Index ETFs and indices: last close, 1D, 1W, 1M, YTD, vs 50/200-day MA, RSI (spills).

    The dashboard's Overview table (``xlsrc.dashboard.build.overview_table``); tickers the
    store does not hold are left out.

    Returns
    -------
    list of list
        A header row then one row per index or ETF, or ``[["#N/A <reason>"]]``.
    """
    from ..dashboard import build

    m = _market()
    return _layout_rows("overview", build.overview_table(m, _as_of(m, as_of)))


@xw.func(category=CATEGORY)
@xw.arg("as_of", doc=_AS_OF_DOC)
@_excel(table=True)
def ROTATION_TABLE(as_of: Any = None) -> Any:
    """Small caps vs large caps (IWM/SPY, IWM/QQQ): signal, return spreads, ratio vs MAs.

    The dashboard's rotation table (``xlsrc.dashboard.build.rotation_table``); a pair that
    cannot be computed keeps its row with the reason as its signal.

    Returns
    -------
    list of list
        A header row then one row per pair, or ``[["#N/A <reason>"]]``.
    """
    from ..dashboard import build

    m = _market()
    return _layout_rows("rotation", build.rotation_table(m, _as_of(m, as_of)))


@xw.func(category=CATEGORY)
@xw.arg("tickers", doc='Tickers: a range, or text such as "IWM, SPY, QQQ"')
@xw.arg("as_of", doc=_AS_OF_DOC)
@xw.ret(dates=_dt.datetime)
@_excel(table=True)
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
    from ..dashboard import build
    from ..dashboard.layout import DASHBOARD

    m = _market()
    wanted = [_ticker(m, t, "tickers") for t in a.ticker_list_arg(tickers)]
    wanted = list(dict.fromkeys(wanted))  # "brk.b" and "BRK-B" are one column
    frame = build.rebased_table(m, _as_of(m, as_of), wanted)
    spec = DASHBOARD.table("rebased")
    return _rows(frame[["date", *wanted]], [spec.headers[0], *wanted])


@xw.func(category=CATEGORY)
@xw.arg("benchmark", doc='RRG benchmark; blank = "SPY"')
@xw.arg("as_of", doc=_AS_OF_DOC)
@_excel(table=True)
def RRG_GUIDES(benchmark: Any = None, as_of: Any = None) -> Any:
    """End points of the RRG chart's quadrant lines at 100, spanning the sector points.

    From the sector table SECTORS shows (``xlsrc.dashboard.build.rrg_guides_table``): rows
    1-2 the vertical line RS-Ratio = 100, rows 3-4 the horizontal line RS-Momentum = 100.

    Returns
    -------
    list of list
        Header ``Line, x, y`` then four rows, or ``[["#N/A <reason>"]]``.
    """
    from ..dashboard import build

    m = _market()
    bench = _ticker(m, DEFAULT_BENCHMARK if a.is_blank(benchmark) else benchmark, "benchmark")
    sectors = build.sectors_table(m, _as_of(m, as_of), bench)
    return _layout_rows("rrg_guides", build.rrg_guides_table(sectors))


@xw.func(category=CATEGORY, volatile=False)
@xw.ret(dates=_dt.datetime)
@_excel(table=True)
def DATA_SOURCES() -> Any:
    """Where the prices come from: one row per source with its tickers and first/last bar.

    The dashboard's provenance table (``xlsrc.dashboard.build.provenance_table``).

    Returns
    -------
    list of list
        A header row then one row per source, or ``[["#N/A <reason>"]]``.
    """
    from ..dashboard import build

    return _layout_rows("provenance", build.provenance_table(_market()))


#: Every formula the module exposes, in the order of the documentation.
UDFS: tuple[Callable[..., Any], ...] = (
    RS_RATING,
    RS_SCORE,
    RS_LINE,
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
