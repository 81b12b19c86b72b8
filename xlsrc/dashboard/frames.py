"""What every builder of the dashboard's tables shares.

The defaults of the Leaders and Technicals sheets, the conversions of a market value to a
cell of a layout frame (``_frame`` gives a frame exactly the columns of a layout table),
the trading day a table is as of (:func:`resolve_as_of`), the per-ticker rows of the
Overview, Technicals and Sectors tables, the RS flags of their columns (the basis tag of a
rating on a shortened window, the rating 3 months earlier), a watchlist as a list
(:func:`split_tickers`), a universe's members (:func:`universe_members`) and the memo of
the groups tables and rotation summaries (``_memo``). The tables themselves are in
:mod:`xlsrc.dashboard.tables`, :mod:`xlsrc.dashboard.rankings`,
:mod:`xlsrc.dashboard.leadership` and :mod:`xlsrc.dashboard.facts`; the names with a
leading underscore are private to those modules.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from xlsrc.core.metrics import METRIC_NAMES
from xlsrc.errors import InvalidParameterError, NoDataError, UnknownTickerError
from xlsrc.periods import PERIOD_DAYS

from .layout import DASHBOARD, rs_basis_tag

if TYPE_CHECKING:
    from xlsrc.market import Market

__all__ = [
    "BASIS_COLUMNS",
    "DEFAULT_TOP",
    "DEFAULT_UNIVERSE",
    "DEFAULT_WATCHLIST",
    "RS_EARLIER_SESSIONS",
    "earlier_ratings",
    "resolve_as_of",
    "rs_basis_tags",
    "split_tickers",
    "universe_members",
]

DEFAULT_UNIVERSE = "sp600"
DEFAULT_TOP = 25
#: The Technicals sheet's tickers when the analyst has not chosen any.
DEFAULT_WATCHLIST: tuple[str, ...] = ("IWM", "SPY", "QQQ", "ICHR", "UCTT", "VICR")


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
    NaN before the data's first session, when fewer than two members were rated that day
    (no ranking: ``Market.rank_refusal``), and on the price basis when that day's ranking
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
