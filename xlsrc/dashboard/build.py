"""Values for every block of the dashboard, and every table a formula spills, from a Market.

Each ``*_table`` function returns a ``pd.DataFrame`` whose columns are exactly the column
keys of the matching :class:`xlsrc.dashboard.layout.Table` (``DASHBOARD.table(name).keys``),
one row per record, in display order, with a plain ``RangeIndex``; the keys of metric
columns are the metrics' names in the registry (:mod:`xlsrc.core.metrics`), so a table's
metric values are ``Market.metrics`` columns as they are. Numbers are floats (returns as
decimals: ``0.794`` = +79.4 %), NaN where a value cannot be computed; dates are
``pd.Timestamp``. The functions never raise for one bad row: a ticker without data is left
out (leaders, sectors) or kept with the reason in its ``name`` (or ``problem``) column
(technicals, overview, RRG), in the ``#N/A <reason>`` form the Excel functions use.

They raise :mod:`xlsrc.errors` only for bad *arguments*: an unknown universe, a date
before the data, a negative ``n``.

The Excel table functions (``LEADERS``, ``SECTORS``, ``RRG``...) and the command line call
these same functions, so the signatures are kept simple: ``(market, <options>,
as_of=None)``; ``as_of`` is the date asked for (``None`` = the last date in the store) and
the values are as of its trading day, except that a YTD figure belongs to the year of the
date asked for (0.0 before that year's first session).

Signatures
----------
- ``overview_table(market, as_of=None, tickers=OVERVIEW_TICKERS)``
- ``rotation_table(market, as_of=None, pairs=ROTATION_PAIRS)``, ``pair_rotation(market,
  small, large, as_of=None) -> PairRotation``
- ``breadth_table(market, as_of=None, universes=BREADTH_UNIVERSES, extra_window=None)``
- ``rebased_table(market, as_of=None, tickers=CHART_TICKERS)``
- ``leaders_table(market, universe="sp600", n=25, sort_by="ytd", as_of=None)``
- ``sectors_table(market, as_of=None, benchmark="SPY")``
- ``rrg_guides_table(sectors)`` (from a ``sectors_table`` frame)
- ``rrg_table(market, tickers, benchmark="SPY", as_of=None)``
- ``technicals_table(market, tickers, as_of=None)``
- ``price_history_table(market, ticker, start, end=None, fields=("close",))``
- ``provenance_table(market)``
- ``build_dashboard(market, as_of=None, universe="sp600", top=25, watchlist=None,
  benchmark="SPY") -> DashboardData`` (the dashboard's blocks plus texts and settings)

This module is longer than 600 lines on purpose: it is the one place every table is
assembled (one short function per table, each a few lines over ``Market`` calls), so that
the report, the formulas and the command line share each table; split in two, a newcomer
would have to guess which half holds a table.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from xlsrc import __version__
from xlsrc.core.metrics import METRIC_NAMES, SORT_KEYS, article, needs_text
from xlsrc.core.metrics import metric as lookup_metric
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
    PERIOD_DAYS,
    RRG_MOMENTUM_WEEKS,
    RRG_RATIO_WEEKS,
    validate_window,
)
from xlsrc.sectors import SECTOR_ETFS

from .layout import (
    BREADTH_UNIVERSES,
    CHART_TICKERS,
    DASHBOARD,
    GROUPS_BOTTOM,
    GROUPS_TOP,
    OVERVIEW_TICKERS,
    ROTATION_PAIRS,
    rs_basis_tag,
)

if TYPE_CHECKING:
    from xlsrc.core.rotation import PairRotation
    from xlsrc.market import Market

__all__ = [
    "DEFAULT_TOP",
    "DEFAULT_UNIVERSE",
    "DEFAULT_WATCHLIST",
    "SORT_KEYS",
    "DashboardData",
    "breadth_table",
    "build_dashboard",
    "leaders_table",
    "overview_table",
    "pair_rotation",
    "price_history_table",
    "provenance_table",
    "rebased_table",
    "resolve_as_of",
    "rotation_table",
    "rrg_guides_table",
    "rrg_table",
    "sectors_table",
    "technicals_table",
]

DEFAULT_UNIVERSE = "sp600"
DEFAULT_TOP = 25
#: The Technicals sheet's tickers when the analyst has not chosen any.
DEFAULT_WATCHLIST: tuple[str, ...] = ("IWM", "SPY", "QQQ", "ICHR", "UCTT", "VICR")


@dataclass
class DashboardData:
    """Everything the renderers need for one dashboard.

    Attributes
    ----------
    as_of : pd.Timestamp
        The trading day the values are as of (last trading day on or before the request).
    tables : dict of str to pd.DataFrame
        One frame per layout table, keyed by table name.
    texts : dict of str to str
        Values for the ``{placeholders}`` of the layout's text cells.
    settings : dict of str to object
        Values of the named cells (``as_of``, ``universe``...).
    problems : list of str
        Rows left out or marked, with the reason.
    chart_notes : dict of str to str
        Charts (by their table's name) that would be empty or a single point, with the
        sentence written at the chart's anchor instead of the chart.
    """

    as_of: pd.Timestamp
    tables: dict[str, pd.DataFrame]
    texts: dict[str, str] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    chart_notes: dict[str, str] = field(default_factory=dict)


# --------------------------------------------------------------------------- helpers
def _keys(table: str) -> list[str]:
    return list(DASHBOARD.table(table).keys)


def _frame(table: str, rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """Return ``rows`` as a frame with exactly the layout columns of ``table``."""
    keys = _keys(table)
    frame = pd.DataFrame(list(rows), columns=keys)
    return frame.reset_index(drop=True)


def resolve_as_of(market: Market, as_of: object = None) -> pd.Timestamp:
    """Return the trading day the dashboard is as of.

    Parameters
    ----------
    market : Market
    as_of : date-like or None
        ``None`` = the last date in the store.

    Returns
    -------
    pd.Timestamp
        The last calendar date of the store on or before ``as_of``
        (:meth:`xlsrc.market.Market.trading_day`, the one implementation).

    Raises
    ------
    InvalidParameterError
        If ``as_of`` is not a date.
    NoDataError
        If ``as_of`` is before the first date in the store.
    """
    return market.trading_day(as_of)


def _text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def _num(value: Any) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return math.nan
    return out


def _per_ticker_rows(
    market: Market, tickers: Iterable[str], as_of: object, keys: list[str]
) -> tuple[list[dict[str, Any]], list[str]]:
    """One row per ticker with every key in ``keys``; a ticker without a close is marked.

    An unknown ticker keeps only its (upper-cased) text and the reason as its name; a known
    one without a value (no price yet, or no trade for more than ``STALE_SESSIONS``
    sessions) keeps its description and last bar, with the reason as its name.
    """
    tickers = list(tickers)
    served = market.values(tickers, "close", as_of)
    known = [
        t
        for t, e in zip(served.tickers, served.errors, strict=True)
        if not isinstance(e, UnknownTickerError | InvalidParameterError)
    ]
    # only these rows and columns: a watchlist never computes the whole market's table
    names = [k for k in keys if k in METRIC_NAMES]
    metrics = market.metrics(as_of, names, list(dict.fromkeys(known)))
    sec = market.securities
    rows: list[dict[str, Any]] = []
    problems: list[str] = []
    for raw, ticker, error in zip(tickers, served.tickers, served.errors, strict=True):
        if isinstance(error, UnknownTickerError | InvalidParameterError):
            rows.append({"ticker": str(raw).strip().upper(), "name": f"#N/A {error}"})
            problems.append(f"{raw}: {error}")
            continue
        row: dict[str, Any] = {"ticker": ticker}
        for col in ("name", "sector", "type"):
            row[col] = _text(sec.at[ticker, col]) if ticker in sec.index else ""
        m = metrics.loc[ticker]
        for key in keys:
            if key == "last_bar":
                # the last real bar on or before the as-of day (metrics caps it)
                row[key] = pd.Timestamp(m[key]) if pd.notna(m[key]) else pd.NaT
            elif key in m.index:
                row[key] = _num(m[key])
        if error is not None:
            row["name"] = f"#N/A {error}"
            problems.append(str(error))
        rows.append({k: row.get(k, math.nan) for k in keys})
    if "rs_basis" in keys:
        tags = rs_basis_tags(market, served.tickers, as_of)
        for row, tag in zip(rows, tags, strict=True):
            row["rs_basis"] = tag
    return rows, problems


# --------------------------------------------------------------------------- RS flags
#: Sessions back of the Leaders table's earlier rating ("RS 3 months ago").
RS_EARLIER_SESSIONS = PERIOD_DAYS["3M"]
#: The RS columns a basis changes (their headers say "(price)" on the price basis).
BASIS_COLUMNS: tuple[str, ...] = ("rs_score", "rs_rating", "rs_3m")


def rs_basis_tags(
    market: Market, tickers: Iterable[str], as_of: object = None, basis: str = "total"
) -> list[str]:
    """Return the :func:`~xlsrc.dashboard.layout.rs_basis_tag` of each ticker's RS rating.

    ``""`` for a ticker without a rating (unknown, stale, too little history) or with the
    full four windows. On the price basis, the windows of its split-adjusted closes.
    """
    from xlsrc.core.rs_history import rs_windows_used

    day = resolve_as_of(market, as_of)
    close = market.price_closes() if basis == "price" else market.close
    windows = rs_windows_used(close, day)
    rated = market.values(list(tickers), "rs_score", as_of, basis=basis)
    return [
        "" if error is not None else rs_basis_tag(windows.get(t, math.nan))
        for t, error in zip(rated.tickers, rated.errors, strict=True)
    ]


def earlier_ratings(
    market: Market,
    as_of: object = None,
    sessions: int = RS_EARLIER_SESSIONS,
    universe: str | Iterable[str] = "stocks",
    basis: str = "total",
) -> pd.Series:
    """Return the RS ratings ``sessions`` trading days before the as-of day (every ticker).

    Each is the rating as computed on that day (same universe, today's membership). All
    NaN before the data's first session, and on the price basis when that day's ranking
    lacks split-adjusted closes (a blank, not a rating against another universe).
    """
    from xlsrc.core.rs_history import earlier_sessions

    day = resolve_as_of(market, as_of)
    then = earlier_sessions(market.close.index, day, {"then": sessions})["then"]
    empty = pd.Series(math.nan, index=market.close.columns, name="rs_rating")
    if then is None:
        return empty
    try:
        return market.rs_ratings(then, universe, basis)
    except NoDataError:
        if basis == "total":
            raise
        return empty


# --------------------------------------------------------------------------- tables
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
    ``members``, the universe's members in the store) and blank (NaN) when none counts.

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
        extra_window = validate_window(extra_window)
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

    NaN and 0 (a blank share) when no member counts.
    """
    try:
        share, counted = market.breadth_counted(universe, window, as_of)
    except InsufficientHistoryError:
        return float("nan"), 0.0
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


def leaders_table(
    market: Market,
    universe: str | Iterable[str] = "sp600",
    n: int = DEFAULT_TOP,
    sort_by: str = "ytd",
    as_of: object = None,
    basis: str = "total",
) -> pd.DataFrame:
    """Return the top ``n`` members of ``universe`` by ``sort_by``, with their technicals.

    A ranking, so ties are broken the same way wherever one is shown: ``sort_by``
    descending, then the RS score descending (85 stocks rated 99 are ordered by the score
    behind the rating), then the ticker. A sort key that is the same for every member is
    no ranking and is refused (as of 1 January every YTD return is 0.0: the order would
    be alphabetical).

    Parameters
    ----------
    market : Market
    universe : str or list of str
        A universe name (``sp600``, ``sp1500``...) or at least two explicit tickers
        (``"ICHR,UCTT"`` or a list; see ``Market.universe``). In an explicit list a
        ticker the store does not hold, or a member without a value, keeps a row at the
        end, after the ranked rows: no rank, the reason in ``name`` (``#N/A Unknown
        ticker: XYZQ``), as :func:`technicals_table` marks its rows. Members of a named
        universe without a value are left out.
    n : int
        Ranked rows to return (>= 1).
    sort_by : str
        A key of :data:`SORT_KEYS`: a metric name of ``Market.metrics`` (``rs_rating``,
        ``pct_from_sma20``...) or a short word (``ytd``, ``1m``, ``3m``, ``rs``, ``rsi``);
        sorted descending.
    as_of : date-like or None
        The date asked for: values as of its trading day, a YTD return of its year.
    basis : {"total", "price"}
        The basis of the RS columns (score, rating, rating 3 months ago):
        :meth:`xlsrc.market.Market.values`. The returns stay total returns.

    Returns
    -------
    pd.DataFrame
        Columns of the layout's ``leaders`` table: rank, ticker, name, sector, close, YTD,
        RS rating (vs all stocks in the store), RS rating 63 sessions earlier
        (``rs_3m``, :func:`earlier_ratings`), the RS basis flag (``rs_basis``,
        :func:`~xlsrc.dashboard.layout.rs_basis_tag`), % from 20/50-day MA, RSI(14), daily volatility (20
        days), % from 52-week high.

    Raises
    ------
    UnknownUniverseError
        If the universe does not exist.
    InvalidParameterError
        For a bad ``n``, ``sort_by`` or ``basis``, or a list of fewer than two tickers.
    NoDataError
        If no member has a value for ``sort_by`` on that day (for example a YTD return
        in the data's first year, or of a year the data have no session of: ``No data
        for 2030: the data end 2026-08-03``), or every member has the same value (no
        ranking); on the price basis, if the store or the ranking lacks split-adjusted
        closes.
    """
    if isinstance(n, bool) or not isinstance(n, int | float) or n < 1 or not float(n).is_integer():
        raise InvalidParameterError(name="n", value=n, allowed="a whole number >= 1")
    key = SORT_KEYS.get(str(sort_by).strip().lower())
    if key is None:
        raise InvalidParameterError(
            name="sort_by", value=sort_by, allowed=", ".join(sorted(SORT_KEYS))
        )
    status = market.year_status(as_of)
    ts = status.day
    entry = lookup_metric(key)
    if entry.anchor == "year" and status.missing:
        raise NoDataError(status.missing, ticker=None, date=f"{ts:%Y-%m-%d}")
    explicit = _explicit_list(universe)
    marked: list[dict[str, Any]] = []
    if explicit is None:
        members = pd.Index(market.universe(universe))
        members = members[market.close.columns.get_indexer(members) >= 0]  # not isin: slow
    else:
        members, marked = _list_members(market, explicit, as_of)
    # the columns shown, the sort key and the tie-break, for the members only
    shown = {key, "close", "rs_score", *(k for k in _keys("leaders") if k in METRIC_NAMES)}
    m = market.metrics(as_of, shown, members)
    if basis != "total":
        m = m.assign(
            rs_score=market.rs_scores(ts, basis).reindex(m.index).to_numpy(),
            rs_rating=market.rs_ratings(ts, "stocks", basis).reindex(m.index).to_numpy(),
        )
    valued = m[key].notna() & m["close"].notna()
    if explicit is not None and not valued.all():
        lacking = list(m.index[~valued.to_numpy()])
        reasons = market.values(
            lacking, key, as_of, basis=basis if key in BASIS_COLUMNS else "total"
        )
        closes = market.values(lacking, "close", as_of)
        for t, why, why_close in zip(lacking, reasons.errors, closes.errors, strict=True):
            reason = why_close or why or NoDataError(f"No {entry.describe()} for {t}", ticker=t)
            marked.append({"ticker": t, "name": f"#N/A {reason}"})
    m = m[valued]
    label = _label_of(universe)
    if m.empty and not marked:
        raise NoDataError(
            _no_leaders_reason(market, universe, key, ts), ticker=None, date=f"{ts:%Y-%m-%d}"
        )
    if len(m) > 1 and m[key].nunique() == 1:
        raise NoDataError(
            _constant_ranking_reason(label, entry, len(m), m[key].iloc[0], status),
            ticker=None,
            date=f"{ts:%Y-%m-%d}",
        )
    # the sort key descending, then the RS score (the tie-break of a rating), then ticker
    tie = m["rs_score"].fillna(-np.inf)
    m = m.assign(_k=m[key], _s=tie, _t=m.index)
    m = m.sort_values(["_k", "_s", "_t"], ascending=[False, False, True]).head(int(n))
    sec = market.securities.reindex(m.index)
    out = pd.DataFrame(
        {
            "rank": np.arange(1, len(m) + 1, dtype=float),
            "ticker": m.index.astype(str),
            "name": sec["name"].map(_text).to_numpy(),
            "sector": sec["sector"].map(_text).to_numpy(),
        }
    )
    out["rs_3m"] = earlier_ratings(market, ts, basis=basis).reindex(m.index).to_numpy()
    out["rs_basis"] = rs_basis_tags(market, m.index, as_of, basis)
    for k in _keys("leaders"):
        if k not in out.columns:
            out[k] = m[k].to_numpy(dtype=float)
    out = out[_keys("leaders")]
    if marked:
        out = pd.concat([out, _frame("leaders", marked)], ignore_index=True)
    return out.reset_index(drop=True)


def _explicit_list(universe: object) -> list[str] | None:
    """Return the tickers of an explicit list (commas, or an iterable); None for a name."""
    if isinstance(universe, str):
        if "," not in universe:
            return None
        return [t.strip() for t in universe.split(",") if t.strip()]
    return [str(t) for t in universe]  # type: ignore[attr-defined]


def _list_members(
    market: Market, items: list[str], as_of: object
) -> tuple[pd.Index, list[dict[str, Any]]]:
    """Return a list's tickers the store holds, and a marked row for each it does not.

    Refused as a whole (``Market.universe``'s rule) when it names fewer than two tickers.
    """
    served = market.values(items, "close", as_of)
    good: list[str] = []
    marked: list[dict[str, Any]] = []
    for raw, label, error in zip(items, served.tickers, served.errors, strict=True):
        if isinstance(error, UnknownTickerError | InvalidParameterError):
            marked.append({"ticker": str(raw).strip().upper(), "name": f"#N/A {error}"})
        elif label not in good:
            good.append(label)
    if len(good) + len(marked) < 2:
        market.universe(items)  # raises: a list of one ticker is no universe
    return pd.Index(good, name="ticker"), marked


def _label_of(universe: object) -> str:
    """Return a universe as messages name it: its name, or its tickers."""
    if isinstance(universe, str):
        return universe.strip()
    return ", ".join(map(str, universe))  # type: ignore[call-overload]


def _constant_ranking_reason(
    label: str, entry: Any, members: int, value: float, status: Any
) -> str:
    """Say why a ranking whose key is the same for every member is not shown."""
    shown = f"{value:.1%}" if entry.unit in ("return", "decimal") else f"{value:g}"
    what = entry.describe()
    if entry.anchor == "year" and not status.started and status.first_session is not None:
        return (
            f"No ranking of {label} by {what} as of {status.asked:%Y-%m-%d}: {status.year} has "
            f"not traded yet (its first session is {status.first_session:%Y-%m-%d}), so all "
            f"{members:,} members have {shown}; an order would only be alphabetical"
        )
    return (
        f"No ranking of {label} by {what} as of {status.label()}: all {members:,} members "
        f"with one have {shown}; an order would only be alphabetical"
    )


def _no_leaders_reason(
    market: Market, universe: str | Iterable[str], key: str, day: pd.Timestamp
) -> str:
    """Say why no member of ``universe`` has the metric ``key`` on ``day`` (what it needs)."""
    label = _label_of(universe)
    first = pd.Timestamp(market.close.index[0])
    entry = lookup_metric(key)
    what = entry.describe()
    return (
        f"No member of {label} has {article(what)} {what} as of {day:%Y-%m-%d} "
        f"(needs {needs_text(entry, day)}; the data start {first:%Y-%m-%d})"
    )


def sectors_table(
    market: Market, as_of: object = None, benchmark: str = DEFAULT_BENCHMARK
) -> pd.DataFrame:
    """Return the 11 sector SPDRs: 1D, 1M, YTD, RS rating, RRG position and sector score.

    Sorted by YTD return, best first (the leaders on top, the bar chart descending); a
    tie (every SPDR at 0.0 on 1 January) by the RS score, then by ticker.
    ``sector_score`` is the mean RS rating of the sector's S&P 1500 members
    (:func:`sector_scores_table`: the investable universe, not every stock in the store);
    ``rs_ratio``/``rs_momentum``/``quadrant`` come from :func:`xlsrc.core.rotation.rrg`
    against ``benchmark``; ``rs_basis`` flags an SPDR's rating on a shortened window.

    Parameters
    ----------
    market : Market
    as_of : date-like or None
    benchmark : str
        The RRG benchmark (default SPY).

    Returns
    -------
    pd.DataFrame
        Columns of the layout's ``sectors`` table; SPDRs missing from the store are left
        out; RRG or score values that cannot be computed are NaN / "".
    """
    from xlsrc.core import rotation

    ts = resolve_as_of(market, as_of)
    etfs = [t for t in SECTOR_ETFS if t in market.close.columns]
    rows, _ = _per_ticker_rows(
        market,
        etfs,
        as_of,
        ["ticker", "ret_1d", "ret_1m", "ret_ytd", "rs_rating", "rs_basis", "close"],
    )
    frame = pd.DataFrame(rows)
    if frame.empty:
        return _frame("sectors", [])
    frame = frame[frame["close"].notna()].copy()
    frame["sector"] = frame["ticker"].map(SECTOR_ETFS)
    try:
        bench = market.ticker(benchmark)
        rrg = rotation.rrg(market.close, list(frame["ticker"]), bench, ts)
        frame["rs_ratio"] = frame["ticker"].map(rrg["rs_ratio"]).astype(float)
        frame["rs_momentum"] = frame["ticker"].map(rrg["rs_momentum"]).astype(float)
        frame["quadrant"] = frame["ticker"].map(rrg["quadrant"]).fillna("")
    except XlsrcError:
        frame["rs_ratio"] = np.nan
        frame["rs_momentum"] = np.nan
        frame["quadrant"] = ""
    try:
        scores = sector_scores_table(market, ts).set_index("sector")["score"]
        frame["sector_score"] = frame["sector"].map(scores).astype(float)
    except XlsrcError:  # a store without the S&P 500/400/600 lists
        frame["sector_score"] = np.nan
    scores = market.values(list(frame["ticker"]), "rs_score", as_of).values
    frame = frame.assign(
        _y=frame["ret_ytd"].fillna(-np.inf).to_numpy(), _s=np.nan_to_num(scores, nan=-np.inf)
    ).sort_values(["_y", "_s", "ticker"], ascending=[False, False, True])
    frame["rank"] = np.arange(1, len(frame) + 1, dtype=float)
    return _frame("sectors", frame.to_dict("records"))


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


def split_tickers(tickers: Iterable[str] | str | None) -> list[str]:
    """Return a watchlist as a list: ``"IWM, spy"`` -> ``["IWM", "SPY"]`` (duplicates dropped)."""
    if tickers is None:
        return []
    items = tickers.split(",") if isinstance(tickers, str) else list(tickers)
    out: list[str] = []
    for t in items:
        text = str(t).strip().upper()
        if text and text not in out:
            out.append(text)
    return out


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


def _data_source(prov: pd.DataFrame) -> str:
    """One line for the subtitle: the providers and the span of the bars.

    ``snapshot:closes``, ``snapshot:ohlcv_adjusted``... -> ``snapshot``; the sources are
    listed one by one on the Settings sheet.
    """
    bars = prov[prov["last"].notna()]
    if bars.empty:
        return "no price data"
    providers = list(dict.fromkeys(str(s).split(":")[0] for s in bars["source"]))
    first, last = bars["first"].min(), bars["last"].max()
    return f"{', '.join(providers)}, bars {first:%Y-%m-%d} to {last:%Y-%m-%d} (sources on Settings)"


# --------------------------------------------------------------------------- everything
def build_dashboard(
    market: Market,
    as_of: object = None,
    universe: str = DEFAULT_UNIVERSE,
    top: int = DEFAULT_TOP,
    watchlist: Iterable[str] | str | None = None,
    benchmark: str = DEFAULT_BENCHMARK,
) -> DashboardData:
    """Compute every block of the dashboard.

    Parameters
    ----------
    market : Market
    as_of : date-like or None
        ``None`` = the last date in the store.
    universe : str
        Universe of the Leaders sheet.
    top : int
        Rows on the Leaders sheet.
    watchlist : iterable of str, str or None
        Tickers of the Technicals sheet; ``None`` = :data:`DEFAULT_WATCHLIST`.
    benchmark : str
        Benchmark of the RRG.

    Returns
    -------
    DashboardData

    Raises
    ------
    InvalidParameterError, NoDataError
        For a bad date or a date before the data.
    UnknownUniverseError
        For an unknown universe.
    UnknownTickerError
        For an unknown benchmark.
    NoDataError
        For a date past the data in a year they have no session of (``No data for 2030:
        the data end 2026-08-03``): the dashboard's YTD figures, its leaders by YTD and
        its chart belong to the year of the date asked for, and that year has none.
    """
    when = market.year_status(as_of)
    if when.missing:
        raise NoDataError(
            f"{when.missing}; a dashboard's YTD figures, leaders and chart belong to the "
            "year of the date asked for",
            ticker=None,
            date=f"{when.day:%Y-%m-%d}",
        )
    ts = when.day
    bench = market.ticker(benchmark)
    market.universe(universe)  # raises UnknownUniverseError early
    tickers = split_tickers(DEFAULT_WATCHLIST if watchlist is None else watchlist)
    sectors = sectors_table(market, as_of, bench)
    leaders_problem = ""
    try:
        leaders = leaders_table(market, universe, top, "ytd", as_of)
    except NoDataError as exc:  # no member has a YTD return yet: an empty sheet saying why
        leaders, leaders_problem = _frame("leaders", []), str(exc)
    groups = industry_groups_table(market, "stocks", None, as_of)
    tables = {
        "rotation_summary": pd.DataFrame({"text": rotation_summary(market, as_of)}),
        "overview": overview_table(market, as_of),
        "rotation": rotation_table(market, as_of),
        "breadth": breadth_table(market, as_of),
        "rebased": rebased_table(market, as_of),
        "leaders": leaders,
        "sectors": sectors,
        "rrg_guides": rrg_guides_table(sectors),
        "groups_top": groups.head(GROUPS_TOP).reset_index(drop=True),
        "groups_bottom": groups.tail(GROUPS_BOTTOM).reset_index(drop=True),
        "technicals": technicals_table(market, tickers, as_of),
        "provenance": provenance_table(market),
    }
    problems = [
        f"{row['ticker']}: {row['name'][5:]}"
        for row in tables["technicals"].to_dict("records")
        if str(row["name"]).startswith("#N/A")
    ]
    if leaders_problem:
        problems.append(leaders_problem)
    source = _data_source(tables["provenance"])
    day = when.label()  # the session, and the date asked for when it differs
    n = len(tables["leaders"])
    year_note = when.not_started()
    chart_notes = {}
    if len(tables["rebased"]) < 2:
        base = pd.Timestamp(tables["rebased"]["date"].iloc[0]) if len(tables["rebased"]) else ts
        first = when.first_session
        chart_notes["rebased"] = (
            f"No chart as of {when.asked:%Y-%m-%d}: {when.year} has not traded yet"
            + (f" (its first session is {first:%Y-%m-%d})" if first is not None else "")
            + f"; the chart would be its base alone, {base:%Y-%m-%d} = 100."
        )
    texts = {
        "subtitle": f"As of {day}{f' ({year_note})' if year_note else ''}  |  data: {source}",
        "leaders_subtitle": leaders_problem or f"Top {n} of {universe} by YTD return, as of {day}",
        "sectors_subtitle": f"Sector SPDRs ranked by YTD return, RRG vs {bench}, as of {day}",
        "groups_subtitle": (
            f"{len(groups)} Yahoo industries ranked by the mean RS rating of their stocks "
            f"(every stock in the store), as of {day}"
        ),
        "technicals_subtitle": f"Watchlist (edit on Settings): {', '.join(tickers)}, as of {day}",
    }
    status = f"Report by xlsrc {__version__}: {len(problems)} problem(s)"
    if problems:
        status += " - " + "; ".join(problems)
    settings = {
        "as_of": ts,
        "universe": str(universe),
        "benchmark": bench,
        "watchlist": ",".join(tickers),
        "top": int(top),
        "data_source": source,
        "status": status,
    }
    return DashboardData(
        as_of=ts,
        tables=tables,
        texts=texts,
        settings=settings,
        problems=problems,
        chart_notes=chart_notes,
    )


# --------------------------------------------------------------------------- leadership
# Industry groups, the sector score over an investable universe, RS history and the day's
# rotation in words (issue 11). Values only: the layout, formulas and report sheets that
# show them are wired separately.

#: The S&P 1500 = S&P 500 + S&P MidCap 400 + S&P SmallCap 600 (the universe ``"sp1500"``
#: of :meth:`xlsrc.market.Market.universe`).
SP1500: tuple[str, ...] = ("sp500", "sp400", "sp600")
#: The sector score's default members, and what a column showing it should say.
SECTOR_SCORE_UNIVERSE = "sp1500"
SECTOR_SCORE_LABEL = "Mean RS of S&P 1500 members"
#: Universe names as sentences say them.
UNIVERSE_LABELS: dict[str, str] = {
    "stocks": "all-stock",
    "sp500": "S&P 500",
    "sp400": "S&P 400",
    "sp600": "S&P 600",
    "sp1500": "S&P 1500",
    "r2000": "Russell 2000",
}
#: Breadth in the story: (universe, label), small caps first.
STORY_BREADTH: tuple[tuple[str, str], ...] = (("sp600", "S&P 600"), ("sp500", "S&P 500"))
#: Leaders checked for the story's warnings (the top this-many by YTD).
STORY_WARNING_LEADERS = 10
#: Leaders, sectors and groups named in the story.
STORY_TOP = 3


def universe_members(market: Any, universe: object) -> pd.Index:
    """Tickers of a universe: :meth:`xlsrc.market.Market.universe` (``"sp1500"`` included).

    Parameters
    ----------
    market : Market
    universe : str or list of str
        A universe name (``"sp1500"`` = sp500 + sp400 + sp600, duplicates dropped) or a
        list of at least two tickers: anything ``Market.universe`` accepts.

    Returns
    -------
    pd.Index
        The members present in the store.

    Raises
    ------
    UnknownUniverseError, UnknownTickerError, InvalidParameterError
        As ``Market.universe``.
    """
    return pd.Index(market.universe(universe), name="ticker")


def industry_groups_table(
    market: Any,
    universe: object = "stocks",
    n: int | None = None,
    as_of: object = None,
    min_members: int | None = None,
) -> pd.DataFrame:
    """Industry groups ranked by group RS (:func:`xlsrc.core.groups.industry_groups`).

    The members' RS ratings are the standard ones (against every stock in the store);
    ``universe`` only chooses which stocks form the groups. Ranks 1, 3 and 6 months ago
    come from the ratings 21, 63 and 126 sessions before the as-of day, over the same
    members (NaN before the data or when the group had too few rated members). The whole
    ranking is memoised per market version, day, universe and ``min_members`` (a column
    of ``GROUP_RANK`` formulas ranks the groups once).

    Parameters
    ----------
    market : Market
    universe : str or list of str
        The stocks that form the groups (default every stock; ``sp1500`` and the
        ``Market.universe`` names accepted). Only stocks count: ETFs and "other"
        securities have no industry.
    n : int or None
        Keep the strongest ``n`` groups (None = all); a negative ``n`` keeps the weakest
        ``-n`` (the bottom of the ranking, still strongest first, as Excel's ``TAKE``).
    as_of : date-like or None
    min_members : int or None
        Fewest rated members for a group (None = :data:`xlsrc.core.groups.MIN_GROUP_MEMBERS`).

    Returns
    -------
    pd.DataFrame
        Columns ``rank, industry, sector, group_rs_rating, group_score, members,
        share_rs80, leaders, rank_1m, rank_3m, rank_6m`` (see the core function).

    Raises
    ------
    InvalidParameterError
        For a bad ``n`` (0, not a whole number) or ``min_members``.
    UnknownUniverseError, NoDataError
        For an unknown universe or a date before the data.
    """
    if n is not None and (
        isinstance(n, bool) or not isinstance(n, int | float) or n == 0 or not float(n).is_integer()
    ):
        raise InvalidParameterError(
            name="n", value=n, allowed="a whole number other than 0 (negative: the weakest)"
        )
    ts = resolve_as_of(market, as_of)
    key = (_universe_key(universe), min_members)
    table = _memo(market, "groups", ts, key, lambda: _groups(market, universe, ts, min_members))
    if n is None:
        return table.copy()
    part = table.head(int(n)) if n > 0 else table.tail(-int(n))
    return part.reset_index(drop=True)


def no_groups_reason(universe: object, day: pd.Timestamp) -> str:
    """Say why a groups table is empty (no group has enough rated stocks that day)."""
    from xlsrc.core.groups import MIN_GROUP_MEMBERS

    label = universe.strip() if isinstance(universe, str) else "the tickers given"
    return (
        f"No industry group of {label} has {MIN_GROUP_MEMBERS} stocks with an RS rating as of "
        f"{day:%Y-%m-%d}"
    )


def _groups(
    market: Any, universe: object, ts: pd.Timestamp, min_members: int | None
) -> pd.DataFrame:
    from xlsrc.core.groups import GROUP_HISTORY_SESSIONS, MIN_GROUP_MEMBERS, industry_groups
    from xlsrc.core.rs_history import earlier_sessions

    members = universe_members(market, universe)
    sec = market.securities
    stocks = members[sec["type"].reindex(members).to_numpy() == "stock"]
    days = earlier_sessions(market.close.index, ts, GROUP_HISTORY_SESSIONS)
    # the ratings of the members only, so the core's members are every ticker it is given
    # (the same groups as members=stocks, without a string isin per call: 0.5 s -> 0.1 s)
    earlier = {
        label: (
            market.rs_ratings(day).reindex(stocks) if day is not None else pd.Series(dtype=float)
        )
        for label, day in days.items()
    }
    return industry_groups(
        market.rs_ratings(ts).reindex(stocks),
        sec["industry"],
        sectors=sec["sector"],
        scores=market.rs_scores(ts),
        earlier=earlier,
        min_members=MIN_GROUP_MEMBERS if min_members is None else min_members,
    )


#: Per market version and day, the last few groups tables and rotation summaries.
_MEMO: dict[tuple[Any, ...], Any] = {}
_MEMO_SIZE = 16
_MEMO_LOCK = threading.Lock()


def _universe_key(universe: object) -> object:
    if isinstance(universe, str):
        return universe.strip().lower()
    return tuple(str(t) for t in universe) if isinstance(universe, Iterable) else universe


def _memo(market: Any, kind: str, day: pd.Timestamp, key: Hashable, make: Any) -> Any:
    """``make()``, memoised per (market, its store version, kind, day, key); 16 kept.

    The market's ``identity`` (store id, data version, bars version) is part of the key,
    so a refresh is never answered from an earlier version's table.
    """
    full = (id(market), getattr(market, "identity", None), kind, day, key)
    with _MEMO_LOCK:
        if full in _MEMO:
            value = _MEMO.pop(full)
            _MEMO[full] = value
            return value
    value = make()
    with _MEMO_LOCK:
        _MEMO[full] = value
        while len(_MEMO) > _MEMO_SIZE:
            _MEMO.pop(next(iter(_MEMO)))
    return value


def group_rank(market: Any, ticker: str, as_of: object = None) -> dict[str, Any]:
    """Return a ticker's industry group and its rank among the groups (every stock's groups).

    Parameters
    ----------
    market : Market
    ticker : str
        Any spelling ``Market.ticker`` accepts.
    as_of : date-like or None

    Returns
    -------
    dict
        The group's row of :func:`industry_groups_table` (``rank``, ``industry``,
        ``group_rs_rating``...) plus ``groups``: how many groups are ranked.

    Raises
    ------
    UnknownTickerError
        For an unknown ticker.
    NoDataError
        If the ticker has no industry (ETFs, indices, unclassified stocks) or its group is
        not ranked that day (fewer than ``MIN_GROUP_MEMBERS`` rated stocks).
    """
    from xlsrc.core.groups import MIN_GROUP_MEMBERS

    t = market.ticker(ticker)
    ts = resolve_as_of(market, as_of)
    industry = industry_of(market, t)
    table = industry_groups_table(market, "stocks", None, ts)
    row = table[table["industry"] == industry]
    if row.empty:
        raise NoDataError(
            f"No group rank for {industry} as of {ts:%Y-%m-%d}: fewer than "
            f"{MIN_GROUP_MEMBERS} of its stocks have an RS rating",
            ticker=t,
            date=f"{ts:%Y-%m-%d}",
        )
    out = row.iloc[0].to_dict()
    out["groups"] = len(table)
    return out


def industry_of(market: Any, ticker: str) -> str:
    """Return a ticker's industry (Yahoo's classification, as the store holds it).

    Raises
    ------
    UnknownTickerError
        For an unknown ticker.
    NoDataError
        If the store gives it no industry: ETFs, indices and "other" securities have
        none, and a few stocks are unclassified.
    """
    t = market.ticker(ticker)
    industry = _text(market.securities["industry"].get(t)).strip()
    if not industry:
        kind = _text(market.securities["type"].get(t))
        if kind == "stock":
            why = "the store's classification (Yahoo's industries) gives this stock none"
        else:
            what = _KIND_WORDS.get(kind, "not a classified stock")
            why = f"industries (Yahoo's) classify common stocks, and {t} is {what}"
        raise NoDataError(f"No industry for {t}: {why}", ticker=t, date=None)
    return industry


_KIND_WORDS = {
    "etf": "an ETF",
    "index": "an index",
    "other": "not a common stock (a warrant, right, unit, preferred, note or fund)",
}


def industries_table(market: Any) -> pd.DataFrame:
    """Return every industry of the store's stocks: its sector and number of stocks.

    Returns
    -------
    pd.DataFrame
        Columns ``industry``, ``sector`` (the one most of its stocks carry), ``stocks``,
        sorted by industry.
    """
    sec = market.securities
    stocks = sec[(sec["type"] == "stock") & sec["industry"].map(lambda v: bool(_text(v).strip()))]
    rows = []
    for industry, group in stocks.groupby(stocks["industry"].map(lambda v: _text(v).strip())):
        sectors = group["sector"].map(_text)
        sectors = sectors[sectors != ""]
        counts = sectors.value_counts()
        top = sorted(counts[counts == counts.max()].index)[0] if len(counts) else ""
        rows.append({"industry": industry, "sector": top, "stocks": float(len(group))})
    return pd.DataFrame(rows, columns=["industry", "sector", "stocks"])


def sector_scores_table(
    market: Any, as_of: object = None, universe: object = SECTOR_SCORE_UNIVERSE
) -> pd.DataFrame:
    """Sector score per GICS sector: the mean RS rating of its members in ``universe``.

    Parameters
    ----------
    market : Market
    as_of : date-like or None
    universe : str or list of str
        The members averaged (default ``sp1500``); their ratings are the standard ones
        (against every stock in the store).

    Returns
    -------
    pd.DataFrame
        Columns ``sector``, ``etf`` (its Select Sector SPDR), ``score``, ``members``
        (rated members averaged), strongest first; sectors without a rated member are
        left out.

    Raises
    ------
    UnknownUniverseError, NoDataError
        For an unknown universe or a date before the data.
    """
    from xlsrc.core.rotation import sector_scores

    ts = resolve_as_of(market, as_of)
    members = universe_members(market, universe)
    ratings = market.rs_ratings(ts)
    sectors = market.securities["sector"]
    scores = sector_scores(ratings, sectors, members)
    rated = ratings.reindex(members).dropna()
    counts = sectors.reindex(rated.index).value_counts()
    etf_of = {sector: etf for etf, sector in SECTOR_ETFS.items()}
    return pd.DataFrame(
        {
            "sector": scores.index.astype(str),
            "etf": [etf_of.get(s, "") for s in scores.index],
            "score": scores.to_numpy(dtype=float),
            "members": counts.reindex(scores.index).fillna(0).to_numpy(dtype=float),
        }
    )


def rs_history_table(
    market: Any,
    tickers: Iterable[str] | str,
    universe: object = "stocks",
    as_of: object = None,
    benchmark: str = DEFAULT_BENCHMARK,
) -> pd.DataFrame:
    """RS rating now and 1, 3, 6, 12 months earlier, the windows it rests on, RS-line high.

    Parameters
    ----------
    market : Market
    tickers : iterable of str or str
        Tickers (a comma-separated string is split); an unknown ticker keeps its row with
        ``#N/A Unknown ticker: X`` as the note.
    universe : str or list of str
        The ratings' universe at every date (default every stock).
    as_of : date-like or None
    benchmark : str
        The RS line's benchmark (default SPY).

    Returns
    -------
    pd.DataFrame
        Columns ``ticker, rs_now, rs_1m, rs_3m, rs_6m, rs_12m`` (ratings 21/63/126/252
        sessions earlier, NaN before the data), ``rs_windows`` (0-4, of the rating now:
        :func:`xlsrc.core.rs_history.rs_windows_used`), ``rs_note`` ("" for a full
        window, else what the shortened rating measures; ``#N/A <reason>`` for a ticker
        without a current price), ``rs_line_new_high`` (1/0/NaN: the RS line at a new
        252-session high; NaN without a current price).

    Raises
    ------
    UnknownUniverseError, UnknownTickerError, NoDataError
        For an unknown universe or benchmark, or a date before the data.
    """
    from xlsrc.core.rs import rs_line_new_highs
    from xlsrc.core.rs_history import (
        RS_HISTORY_SESSIONS,
        earlier_sessions,
        rs_window_note,
        rs_windows_used,
    )

    ts = resolve_as_of(market, as_of)
    members = universe_members(market, universe)
    bench = market.ticker(benchmark)
    days = earlier_sessions(market.close.index, ts, RS_HISTORY_SESSIONS)
    # a universe by name (memoised under it, shared with Market.metrics for "stocks");
    # a list as its tickers
    ranked_against = universe if isinstance(universe, str) else list(members)
    ratings = {
        label: (market.rs_ratings(day, ranked_against) if day is not None else None)
        for label, day in days.items()
    }
    windows = rs_windows_used(market.close, ts)
    highs = rs_line_new_highs(market.close, bench, ts)
    given = split_tickers(tickers)
    current = market.values(given, "close", ts)
    rows = []
    for raw, error in zip(given, current.errors, strict=True):
        try:
            ticker = market.ticker(raw)
        except XlsrcError as exc:
            rows.append({"ticker": raw, "rs_note": f"#N/A {exc}"})
            continue
        row: dict[str, Any] = {"ticker": ticker}
        for label, series in ratings.items():
            row[f"rs_{label}"] = _num(series.get(ticker)) if series is not None else math.nan
        row["rs_windows"] = float(windows[ticker])
        row["rs_note"] = rs_window_note(int(windows[ticker]))
        row["rs_line_new_high"] = _num(highs[ticker])
        if error is not None:  # no current price (stale): no RS line high either
            row["rs_note"] = f"#N/A {error}"
            row["rs_line_new_high"] = math.nan
        rows.append(row)
    columns = [
        "ticker",
        *(f"rs_{label}" for label in RS_HISTORY_SESSIONS),
        "rs_windows",
        "rs_note",
        "rs_line_new_high",
    ]
    return pd.DataFrame(rows, columns=columns)


def rs_history_display(
    market: Any, tickers: Iterable[str] | str, universe: object = "stocks", as_of: object = None
) -> pd.DataFrame:
    """:func:`rs_history_table` as formulas and the command line show it.

    Columns :data:`xlsrc.dashboard.layout.RS_HISTORY`'s keys: the ratings, ``rs_note``
    (what a shortened rating measures, or why a ticker has none) and ``rs_line_high``
    ("Yes" / "No" / "" for the RS line at a new 52-week high).
    """
    frame = rs_history_table(market, tickers, universe, as_of)
    flag = frame["rs_line_new_high"]
    frame["rs_line_high"] = np.where(flag == 1, "Yes", np.where(flag == 0, "No", ""))
    return frame


def rotation_facts(
    market: Any,
    as_of: object = None,
    universe: object = DEFAULT_UNIVERSE,
    sector_universe: object = SECTOR_SCORE_UNIVERSE,
) -> Any:
    """Gather the numbers the day's rotation sentences say (:mod:`xlsrc.dashboard.story`).

    Small vs large caps: IWM's YTD against SPY's and QQQ's, and the IWM/SPY signal
    (:func:`xlsrc.core.rotation.pair_rotation`); the start-of-year rule (IWM vs QQQ);
    breadth of the S&P 600 and S&P 500 (share above the 50-day SMA); the three strongest
    sectors by :func:`sector_scores_table` and the weakest, with their SPDRs' YTD; the
    three strongest industry groups (:func:`industry_groups_table` over every stock);
    the top three of ``universe`` by YTD with their RS ratings. Warnings, over the top
    ``STORY_WARNING_LEADERS`` (10) of ``universe`` by YTD: more than 20% above the 20-day
    SMA (largest first); RSI(14) above 70 for the overview ETFs/indices and those
    leaders (ETFs first, each part highest first); overview ETFs and sector SPDRs at a
    52-week closing high (``pct_from_high252 == 0``) on relative volume below 1. While no
    stock has a full year of history, the RS windows the ratings rest on.

    Parameters
    ----------
    market : Market
    as_of : date-like or None
    universe : str or list of str
        The leaders' universe (default sp600).
    sector_universe : str or list of str
        The sector score's members (default sp1500).

    Returns
    -------
    RotationFacts
        A part that cannot be computed (a ticker the store lacks, too little history) is
        left empty or NaN, and its sentence is left out.

    Raises
    ------
    UnknownUniverseError, NoDataError, InvalidParameterError
        For an unknown universe or a bad date.
    """
    from xlsrc.core.rotation import pair_rotation, start_of_year_signal
    from xlsrc.core.rs_history import rs_windows_used

    from .story import (
        EXTENDED_ABOVE_SMA20,
        RSI_OVERBOUGHT,
        GroupFact,
        LeaderFact,
        RotationFacts,
        SectorFact,
        StartOfYearFact,
    )

    status = market.year_status(as_of)
    ts = status.day
    asked = status.asked  # its year is the YTD year (0.0 before the year's first session)
    metrics = market.metrics(as_of)
    close = market.close
    members = universe_members(market, universe)

    def ytd(ticker: str) -> float:
        return _num(metrics.at[ticker, "ret_ytd"]) if ticker in metrics.index else math.nan

    signal = ""
    try:
        signal = pair_rotation(close, "IWM", "SPY", asked).label
    except XlsrcError:
        pass
    soy = None
    try:
        s = start_of_year_signal(close, asked)
        passed = int(close.index.get_loc(s.end_date) - close.index.get_loc(s.base_date))
        soy = StartOfYearFact(
            year=s.year,
            small=s.small,
            large=s.large,
            small_return=s.small_return,
            large_return=s.large_return,
            spread=s.spread,
            threshold=s.threshold,
            signal=s.signal,
            sessions=s.days,
            sessions_passed=passed,
        )
    except XlsrcError:
        pass
    breadth = []
    for name, label in STORY_BREADTH:  # the breadth table's figure (Market.breadth's rules)
        try:
            breadth.append((label, _num(market.breadth(name, 50, ts))))
        except XlsrcError:
            continue
    sectors = sector_scores_table(market, ts, sector_universe)
    sector_facts = [  # no SPDR YTD before the year's first session (each would be +0.0%)
        SectorFact(
            r.sector, float(r.score), r.etf, ytd(r.etf) if r.etf and status.started else math.nan
        )
        for r in sectors.itertuples()
    ]
    groups = industry_groups_table(market, "stocks", STORY_TOP, ts)
    ranked = metrics.reindex(members)
    ranked = ranked[ranked["ret_ytd"].notna() & ranked["close"].notna()]
    if ranked["ret_ytd"].nunique() <= 1 < len(ranked):  # 1 January: every YTD is 0.0
        ranked = ranked.iloc[:0]  # no ranking, so no leaders (leaders_table refuses it)
    # the leaders' order: YTD, then the RS score, then ticker (leaders_table's)
    ranked = ranked.assign(_s=ranked["rs_score"].fillna(-np.inf), _t=ranked.index)
    ranked = ranked.sort_values(["ret_ytd", "_s", "_t"], ascending=[False, False, True])
    top = ranked.head(STORY_WARNING_LEADERS)
    extended = top[top["pct_from_sma20"] > EXTENDED_ABOVE_SMA20]["pct_from_sma20"]
    extended = extended.sort_values(ascending=False, kind="stable")
    watch = [t for t in OVERVIEW_TICKERS if t in metrics.index]
    hot_index = metrics.loc[watch, "rsi14"]
    hot_index = hot_index[hot_index > RSI_OVERBOUGHT].sort_values(ascending=False, kind="stable")
    hot_leaders = top["rsi14"][top["rsi14"] > RSI_OVERBOUGHT].sort_values(
        ascending=False, kind="stable"
    )
    etfs = [
        t
        for t in dict.fromkeys([*OVERVIEW_TICKERS, *SECTOR_ETFS])
        if t in metrics.index and market.securities["type"].get(t) == "etf"
    ]
    quiet = metrics.loc[etfs]
    quiet = quiet[(quiet["pct_from_high252"] >= 0) & (quiet["relative_volume50"] < 1)]
    return RotationFacts(
        as_of=ts,
        small="IWM",
        small_ytd=ytd("IWM"),
        large=(("SPY", ytd("SPY")), ("QQQ", ytd("QQQ"))),
        pair_signal=signal,
        start_of_year=soy,
        breadth=tuple(breadth),
        sector_basis=_sector_basis(sector_universe),
        sectors=tuple(sector_facts[:STORY_TOP]),
        weakest_sector=sector_facts[-1] if len(sector_facts) > STORY_TOP else None,
        groups=tuple(
            GroupFact(r.industry, float(r.group_rs_rating), r.leaders) for r in groups.itertuples()
        ),
        leaders_universe=_universe_label(universe),
        leaders=tuple(
            LeaderFact(str(t), float(r["ret_ytd"]), _num(r["rs_rating"]))
            for t, r in ranked.head(STORY_TOP).iterrows()
        ),
        extended=tuple((str(t), float(x)) for t, x in extended.items()),
        overbought=tuple((str(t), float(x)) for t, x in [*hot_index.items(), *hot_leaders.items()]),
        quiet_highs=tuple((str(t), float(x)) for t, x in quiet["relative_volume50"].items()),
        rs_windows=int(rs_windows_used(close, ts).reindex(market.universe("stocks")).max()),
        year_note=_year_note(status),
    )


def _year_note(status: Any) -> str:
    """Return the story's first sentence when the YTD year has no figures, else ""."""
    if status.missing:
        return (
            f"{status.missing}: no year-to-date figures for {status.year}; the rest is as of "
            f"{status.day:%Y-%m-%d}, the last session."
        )
    if not status.started and status.first_session is not None:
        return (
            f"As of {status.asked:%Y-%m-%d}, {status.year} has not traded yet (its first "
            f"session is {status.first_session:%Y-%m-%d}): every year-to-date figure is 0.0; "
            f"the rest is as of {status.day:%Y-%m-%d}, the last session."
        )
    return ""


def _universe_label(universe: object) -> str:
    if isinstance(universe, str):
        return UNIVERSE_LABELS.get(universe.strip().lower(), universe.strip())
    return ""


def _sector_basis(universe: object) -> str:
    label = _universe_label(universe)
    return f"mean RS of {label} members" if label else "mean RS of the chosen members"


def rotation_summary(
    market: Any,
    as_of: object = None,
    universe: object = DEFAULT_UNIVERSE,
    sector_universe: object = SECTOR_SCORE_UNIVERSE,
) -> list[str]:
    """Word the day's rotation in short sentences: :func:`rotation_facts`, then words.

    Parameters
    ----------
    market : Market
    as_of : date-like or None
    universe : str or list of str
        The leaders' universe (default sp600).
    sector_universe : str or list of str
        The sector score's members (default sp1500).

    Returns
    -------
    list of str
        :func:`xlsrc.dashboard.story.rotation_sentences` of the facts: each sentence at
        most 255 characters.

    Raises
    ------
    UnknownUniverseError, NoDataError, InvalidParameterError
        As :func:`rotation_facts`.
    """
    from .story import rotation_sentences

    ts = resolve_as_of(market, as_of)
    asked = market.as_of(as_of)
    key = (asked.year, _universe_key(universe), _universe_key(sector_universe))
    return list(
        _memo(
            market,
            "summary",
            ts,
            key,
            lambda: rotation_sentences(rotation_facts(market, as_of, universe, sector_universe)),
        )
    )
