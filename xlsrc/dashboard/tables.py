"""The market tables of the dashboard, which formulas and the command line show as well.

Overview (index ETFs and indices), small vs large caps (:func:`rotation_table`,
:func:`pair_rotation`), breadth, the YTD chart's rebased closes, a watchlist's technicals,
the RRG (:func:`rrg_table`, and the quadrant lines of the sectors' chart), a ticker's price
history and the data's provenance. Each ``*_table`` function follows the contract of
:mod:`xlsrc.dashboard.build`: a frame of the layout table's columns, one row per record,
``(market, <options>, as_of=None)``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from xlsrc.core.metrics import MIN_SMA_WINDOW
from xlsrc.errors import (
    InsufficientHistoryError,
    InvalidParameterError,
    NoDataError,
    UnknownTickerError,
    XlsrcError,
)
from xlsrc.periods import (
    BREADTH_WINDOWS,
    DEFAULT_BENCHMARK,
    RRG_MOMENTUM_WEEKS,
    RRG_RATIO_WEEKS,
    validate_window,
)

from .frames import _frame, _keys, _num, _per_ticker_rows, _text, resolve_as_of, split_tickers
from .layout import BREADTH_UNIVERSES, CHART_TICKERS, OVERVIEW_TICKERS, ROTATION_PAIRS

if TYPE_CHECKING:
    from xlsrc.core.rotation import PairRotation
    from xlsrc.market import Market

__all__ = [
    "RRG_COLUMNS",
    "breadth_table",
    "overview_table",
    "pair_rotation",
    "price_history_table",
    "provenance_table",
    "rebased_table",
    "rotation_table",
    "rrg_guides_table",
    "rrg_table",
    "technicals_table",
]


def overview_table(
    market: Market, as_of: object = None, tickers: Sequence[str] = OVERVIEW_TICKERS
) -> pd.DataFrame:
    """Index ETFs and indices: last close, 1D, 1W, 1M, YTD, % from 50/200-day MA, RSI(14).

    Parameters
    ----------
    market : Market
    as_of : date-like or None
    tickers : sequence of str
        Rows, in order; tickers the store does not hold (``^GSPC`` in a stock-only store)
        are left out.

    Returns
    -------
    pd.DataFrame
        Columns of the layout's ``overview`` table.
    """
    resolve_as_of(market, as_of)  # a date before the data is an error, not an empty table
    present = [t for t in tickers if t in market.close.columns]
    rows, _ = _per_ticker_rows(market, present, as_of, _keys("overview"))
    return _frame("overview", rows)


def rotation_table(
    market: Market, as_of: object = None, pairs: Sequence[tuple[str, str]] = ROTATION_PAIRS
) -> pd.DataFrame:
    """Small caps vs large caps: the signal label and the return spreads per pair.

    Uses :func:`xlsrc.core.rotation.pair_rotation`; spreads are small-cap return minus
    large-cap return (decimals), ``ratio_vs_sma50/200`` the small/large close ratio
    relative to its own moving average (``ratio / SMA - 1``).

    Parameters
    ----------
    market : Market
    as_of : date-like or None
    pairs : sequence of (small, large)

    Returns
    -------
    pd.DataFrame
        Columns of the layout's ``rotation`` table; a pair that cannot be computed keeps
        its row with the reason as the signal.
    """
    resolve_as_of(market, as_of)
    rows = []
    for small, large in pairs:
        row: dict[str, Any] = {"pair": f"{small} / {large}"}
        try:
            rot = pair_rotation(market, small, large, as_of)
        except XlsrcError as exc:
            row["signal"] = f"#N/A {exc}"
            rows.append(row)
            continue
        row["signal"] = rot.label
        row["spread_ytd"] = _num(rot.ytd_spread)
        row["spread_1m"] = _num(rot.one_month_spread)
        row["ratio_vs_sma50"] = _num(rot.pct_vs_sma50)
        row["ratio_vs_sma200"] = _num(rot.pct_vs_sma200)
        rows.append(row)
    return _frame("rotation", rows)


def pair_rotation(market: Market, small: str, large: str, as_of: object = None) -> PairRotation:
    """Return the state of the ``small / large`` ratio as of a date.

    :func:`xlsrc.core.rotation.pair_rotation` on the store's closes, once both tickers are
    known to have a current price.

    Parameters
    ----------
    market : Market
    small, large : str
        Tickers (any spelling :meth:`xlsrc.market.Market.ticker` accepts).
    as_of : date-like or None

    Returns
    -------
    PairRotation
        Ratio, its distance from its 20/50/200-day SMAs, the 20-day slope, the YTD and 1M
        return spreads (the YTD of the year of the date asked for) and the label.

    Raises
    ------
    UnknownTickerError, NoDataError, StaleDataError, InsufficientHistoryError
        For a ticker unknown, without a price, without a trade in the last
        ``STALE_SESSIONS`` sessions, or with too little history.
    """
    from xlsrc.core.rotation import pair_rotation as rotation_of

    pair = [market.ticker(small), market.ticker(large)]
    for error in market.values(pair, "close", as_of).errors:
        if error is not None:
            raise error
    return rotation_of(market.close, pair[0], pair[1], market.as_of(as_of))


def breadth_table(
    market: Market,
    as_of: object = None,
    universes: Sequence[tuple[str, str]] = BREADTH_UNIVERSES,
    extra_window: int | None = None,
) -> pd.DataFrame:
    """Share of each universe's members trading above their 50- and 200-day SMA.

    Served by :meth:`xlsrc.market.Market.breadth_counted`: a member counts when it traded
    in the last ``STALE_SESSIONS`` sessions and has the window's real bars; the share is
    over the members counted (``counted_sma<window>``, which can be fewer than
    ``members``, the universe's members in the store) and blank (NaN) when fewer than two
    count.

    Parameters
    ----------
    market : Market
    as_of : date-like or None
    universes : sequence of (universe name, label)
        Universes the store does not hold are left out.
    extra_window : int, optional
        Also the share above this moving average, in columns ``above_sma<window>`` and
        ``counted_sma<window>`` (none for a window the table already has: 50, 200).

    Returns
    -------
    pd.DataFrame
        Columns of the layout's ``breadth`` table (plus the extra columns); shares are
        decimals.

    Raises
    ------
    InvalidParameterError
        For a bad ``extra_window``.
    """
    resolve_as_of(market, as_of)
    windows = list(BREADTH_WINDOWS)
    if extra_window is not None:
        extra_window = validate_window(extra_window, minimum=MIN_SMA_WINDOW)
        if extra_window not in windows:  # BREADTH("sp600", 50): no second 50-day column
            windows.append(extra_window)
        else:
            extra_window = None
    rows = []
    for name, label in universes:
        try:
            members = market.universe(name)
        except XlsrcError:
            continue
        row: dict[str, Any] = {"universe": name, "label": label, "members": len(members)}
        for window in windows:
            share, counted = _share_above(market, name, window, as_of)
            row[f"above_sma{window}"] = share
            row[f"counted_sma{window}"] = counted
        rows.append(row)
    frame = _frame("breadth", rows)
    if extra_window is not None:
        for key in (f"above_sma{extra_window}", f"counted_sma{extra_window}"):
            frame[key] = [r[key] for r in rows]
    return frame


def _share_above(market: Market, universe: str, window: int, as_of: object) -> tuple[float, float]:
    """Breadth of ``universe`` over ``window`` days and the members it counts.

    NaN (a blank share) and the members counted when fewer than two count
    (``Market.breadth_counted`` refuses a share of one member).
    """
    try:
        share, counted = market.breadth_counted(universe, window, as_of)
    except InsufficientHistoryError as exc:
        return float("nan"), float(exc.fields.get("available") or 0)
    return _num(share), float(counted)


def rebased_table(
    market: Market, as_of: object = None, tickers: Sequence[str] = CHART_TICKERS
) -> pd.DataFrame:
    """Return the closes of ``tickers`` rebased to 100 at the last close of the previous year.

    The first row is the year's base (the last trading day of the previous year, = 100),
    the last row the as-of day, so the last value - 100 is the YTD return in percent. The
    year is that of the date asked for: before its first session (1 January) the table is
    the base row alone.

    Parameters
    ----------
    market : Market
    as_of : date-like or None
    tickers : sequence of str

    Returns
    -------
    pd.DataFrame
        Columns ``date`` and one per ticker, in the order given (with the default
        tickers, exactly the layout's ``rebased`` table). A ticker without a close on the
        base day is NaN until its first close.

    Raises
    ------
    NoDataError
        For a date before the data, or past the data in a year they have no session of
        (``No data for 2030: the data end 2026-08-03``).
    """
    from xlsrc.core.returns import rebased

    status = market.year_status(as_of)
    if status.missing:
        raise NoDataError(status.missing, ticker=None, date=f"{status.day:%Y-%m-%d}")
    ts = status.day
    index = market.close.index
    year_start = pd.Timestamp(year=status.year, month=1, day=1)
    before = index[index < year_start]
    start = before[-1] if len(before) else index[0]
    present = [t for t in tickers if t in market.close.columns]
    block = rebased(market.close, present, start, ts)
    out = block.reindex(columns=list(tickers))
    out.insert(0, "date", pd.DatetimeIndex(out.index))
    return out.reset_index(drop=True)


def rrg_guides_table(sectors: pd.DataFrame, pad: float = 0.5) -> pd.DataFrame:
    """End points of the RRG's quadrant lines at 100, spanning the plotted points.

    Parameters
    ----------
    sectors : pd.DataFrame
        A :func:`sectors_table` frame.
    pad : float
        Margin beyond the extreme points.

    Returns
    -------
    pd.DataFrame
        Four rows (columns ``line``, ``x``, ``y``): rows 1-2 the vertical line
        RS-Ratio = 100, rows 3-4 the horizontal line RS-Momentum = 100.
    """
    xs = pd.to_numeric(sectors.get("rs_ratio"), errors="coerce").dropna()
    ys = pd.to_numeric(sectors.get("rs_momentum"), errors="coerce").dropna()
    x_lo = math.floor(min([100.0, *xs]) - pad)
    x_hi = math.ceil(max([100.0, *xs]) + pad)
    y_lo = math.floor(min([100.0, *ys]) - pad)
    y_hi = math.ceil(max([100.0, *ys]) + pad)
    rows = [
        {"line": "RS-Ratio 100", "x": 100.0, "y": float(y_lo)},
        {"line": "RS-Ratio 100", "x": 100.0, "y": float(y_hi)},
        {"line": "RS-Mom. 100", "x": float(x_lo), "y": 100.0},
        {"line": "RS-Mom. 100", "x": float(x_hi), "y": 100.0},
    ]
    return _frame("rrg_guides", rows)


def technicals_table(market: Market, tickers: Iterable[str], as_of: object = None) -> pd.DataFrame:
    """Every per-ticker metric for a watchlist, in the order given.

    Parameters
    ----------
    market : Market
    tickers : iterable of str
        Tickers (any spelling ``Market.ticker`` accepts); a comma-separated string is
        split. Unknown tickers keep their row with ``#N/A Unknown ticker: X`` as the name;
        a ticker without a trade in the last ``STALE_SESSIONS`` sessions keeps its row
        with ``#N/A No trade since <date>`` and its last bar.
    as_of : date-like or None

    Returns
    -------
    pd.DataFrame
        Columns of the layout's ``technicals`` table.
    """
    resolve_as_of(market, as_of)
    rows, _ = _per_ticker_rows(market, split_tickers(tickers), as_of, _keys("technicals"))
    return _frame("technicals", rows)


#: Columns of :func:`rrg_table`.
RRG_COLUMNS: tuple[str, ...] = ("ticker", "rs_ratio", "rs_momentum", "quadrant", "problem")


def rrg_table(
    market: Market,
    tickers: Iterable[str],
    benchmark: str = DEFAULT_BENCHMARK,
    as_of: object = None,
) -> pd.DataFrame:
    """Relative Rotation Graph position of each ticker (:func:`xlsrc.core.rotation.rrg`).

    Parameters
    ----------
    market : Market
    tickers : iterable of str
        In the order wanted; a comma-separated string is split.
    benchmark : str
        The benchmark (default SPY).
    as_of : date-like or None

    Returns
    -------
    pd.DataFrame
        Columns :data:`RRG_COLUMNS`, one row per ticker given: ``rs_ratio``,
        ``rs_momentum``, ``quadrant`` (Leading, Weakening, Lagging, Improving), or in
        ``problem`` why the ticker has none (unknown, no price, no trade in the last
        ``STALE_SESSIONS`` sessions, fewer weeks than the RRG needs); ``""`` otherwise.

    Raises
    ------
    UnknownTickerError, NoDataError, StaleDataError
        For a benchmark that is unknown or has no current price.
    """
    from xlsrc.core.rotation import rrg

    ts = resolve_as_of(market, as_of)
    bench = market.ticker(benchmark)
    error = market.values([bench], "close", as_of).errors[0]
    if error is not None:
        raise error
    given = split_tickers(tickers) if isinstance(tickers, str) else [str(t) for t in tickers]
    served = market.values(given, "close", as_of)
    good = [t for t, e in zip(served.tickers, served.errors, strict=True) if e is None]
    result = rrg(market.close, good, bench, ts) if good else pd.DataFrame()
    rows: list[dict[str, Any]] = []
    for raw, ticker, error in zip(given, served.tickers, served.errors, strict=True):
        if isinstance(error, UnknownTickerError | InvalidParameterError):
            rows.append({"ticker": raw, "problem": str(error)})
        elif error is not None:
            rows.append({"ticker": ticker, "problem": str(error)})
        elif pd.isna(result.at[ticker, "quadrant"]):
            rows.append({"ticker": ticker, "problem": _no_rrg_reason(market, ticker, bench, ts)})
        else:
            point = result.loc[ticker]
            rows.append(
                {
                    "ticker": ticker,
                    "rs_ratio": _num(point["rs_ratio"]),
                    "rs_momentum": _num(point["rs_momentum"]),
                    "quadrant": str(point["quadrant"]),
                    "problem": "",
                }
            )
    return pd.DataFrame(rows, columns=list(RRG_COLUMNS))


def _no_rrg_reason(market: Market, ticker: str, bench: str, day: pd.Timestamp) -> str:
    """Why ``ticker`` has no RRG point on ``day``: too few weeks, or an RS line that did not move."""
    weeks = int(RRG_RATIO_WEEKS) + int(RRG_MOMENTUM_WEEKS)
    both = market.close[[ticker, bench]].loc[:day].dropna()
    have = both.index.to_period("W-FRI").nunique()
    if have < weeks:
        return f"Too little history for {ticker}: the RRG needs {weeks} weeks of closes, has {have}"
    return (
        f"No RRG position for {ticker} as of {day:%Y-%m-%d}: its RS line against {bench} "
        f"did not move over the last {RRG_RATIO_WEEKS} weeks"
    )


def price_history_table(
    market: Market,
    ticker: str,
    start: object,
    end: object = None,
    fields: Sequence[str] = ("close",),
) -> pd.DataFrame:
    """Return a ticker's daily bars between two dates, one row per day it traded, oldest first.

    Parameters
    ----------
    market : Market
    ticker : str
    start, end : date-like
        First and last dates (``end`` ``None`` = the last date in the store).
    fields : sequence of str
        ``close`` and/or ``volume``, in the order wanted.

    Returns
    -------
    pd.DataFrame
        Columns ``date`` and the fields (adjusted closes; volume NaN where unknown). Days
        without a trade (a halt) are left out, not filled with the last close.

    Raises
    ------
    UnknownTickerError, InvalidParameterError, NoDataError
        See :meth:`xlsrc.market.Market.bars`.
    """
    bars = market.bars(ticker, start, end, fields)
    return bars.reset_index()


def provenance_table(market: Market) -> pd.DataFrame:
    """Where the data comes from: one row per source (from ``Market.provenance``).

    Parameters
    ----------
    market : Market

    Returns
    -------
    pd.DataFrame
        Columns of the layout's ``provenance`` table.
    """
    prov = market.provenance
    keys = _keys("provenance")
    frame = prov[keys].copy()
    frame["tickers"] = frame["tickers"].astype(float)
    frame["detail"] = frame["detail"].map(_text)
    frame["fetched_at"] = frame["fetched_at"].map(_fetched_at)
    return frame.reset_index(drop=True)


def _fetched_at(value: Any) -> str:
    """``2026-08-03T00:00:00Z`` -> ``2026-08-03 00:00 UTC`` (text kept if not a timestamp)."""
    text = _text(value)
    if not text:
        return ""
    try:
        ts = pd.Timestamp(text)
    except (TypeError, ValueError):
        return text
    return f"{ts:%Y-%m-%d %H:%M}" + (" UTC" if ts.tzinfo is not None else "")
