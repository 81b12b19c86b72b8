"""The Python API: the formulas' numbers as pandas objects, for notebooks and scripts.

``import xlsrc`` gives these functions (re-exported by ``xlsrc/__init__.py``; this module
is private). Each is a thin adapter: it picks the market of a store
(:func:`xlsrc.market.get_market`), asks it (``Market.values``/``Market.value``) or one
builder of :mod:`xlsrc.dashboard` (:mod:`xlsrc.dashboard.build` lists them), and shapes the answer as a DataFrame indexed by
its natural key. Nothing here computes a metric, so every number equals the Excel
formula's and the command line's for the same arguments.

Conventions shared by every function
------------------------------------
- ``as_of``: a date (``"2026-01-22"``, ``datetime.date``, ``pd.Timestamp``); values are as
  of the last trading day on or before it; ``None`` = the last date in the store. A YTD
  figure belongs to the year of the date asked for.
- Numbers are ``float64``: returns, distances and volatilities are decimals (0.794 =
  +79.4 %), ratings are whole numbers 1..99, prices are adjusted closes in the ticker's
  currency; NaN (NaT for a date) where a value cannot be computed.
- ``store`` (keyword only): ``None`` = env ``XLSRC_STORE``, else the per-user store; a
  store location (a path, ``"memory:"`` or a ``postgresql://`` URL); or a ``Market``
  from :func:`get_market`. The first call for a store loads it (about a second); later
  calls reuse it, and a refresh made by another process is noticed.
- Errors are :mod:`xlsrc.errors` exceptions with the message a formula shows after
  ``#N/A``: :class:`~xlsrc.errors.UnknownTickerError` (a ``KeyError``),
  :class:`~xlsrc.errors.UnknownUniverseError`, :class:`~xlsrc.errors.NoDataError` (a date
  before the data), :class:`~xlsrc.errors.InvalidParameterError` (a ``ValueError``).

The module imports nothing heavy at import time (pandas and the store are imported by the
first call), so ``import xlsrc`` stays cheap.

Size: about 740 lines for 13 public functions, but only about 160 lines of code: the rest
is their numpydoc docstrings, the reference a user reads with ``help(xlsrc.leaders)``.
Each function is a thin adapter under the shared conventions above; the module is the
whole public API, which ``tests/test_architecture.py`` holds to one module imported by
``xlsrc/__init__.py`` alone (modules of the API importing each other would break it).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Literal

from xlsrc.errors import InvalidParameterError, UnknownTickerError

if TYPE_CHECKING:
    import pandas as pd

    from xlsrc.data.backends.base import Store
    from xlsrc.market import Market

__all__ = [
    "get_market",
    "history",
    "industry_groups",
    "leaders",
    "metrics",
    "open_store",
    "rs_history",
    "rs_ratings",
    "sector_etfs",
    "sector_scores",
    "securities",
    "universe_members",
    "value",
]

_STORE_ALLOWED = (
    "None (env XLSRC_STORE, else the per-user store), a store location (a path, "
    "'memory:' or a postgresql:// URL) or a Market from xlsrc.get_market"
)


# --------------------------------------------------------------------------- stores
def get_market(store: str | os.PathLike[str] | Market | None = None) -> Market:
    """Return the loaded market of a store: the object every other function reads.

    One per store location per process (:func:`xlsrc.market.get_market`): the first call
    loads the price matrices (about a second for the bundled 12,469 tickers x 648
    sessions), later calls return the same object and reload only what a write (a
    refresh, an import, a universe change) changed since.

    Parameters
    ----------
    store : str, path-like or Market, optional
        ``None`` = env ``XLSRC_STORE``, else ``xlsrc.sqlite`` in the per-user data
        directory; a path (a SQLite file layered over the bundled snapshot; made only by a
        first write), ``"memory:"`` or a ``postgresql://`` URL. A Market is returned as is.

    Returns
    -------
    xlsrc.market.Market
        Its ``values``/``value`` serve any metric of the registry; ``close`` is the
        sessions x tickers matrix of adjusted closes.

    Raises
    ------
    InvalidParameterError
        If ``store`` is none of the above.
    StoreError
        If the store cannot be opened or read.
    NoDataError
        If the store holds no bars.

    Examples
    --------
    >>> m = xlsrc.get_market()  # doctest: +SKIP
    >>> m.value("VICR", "ret_ytd", "2026-01-22")  # doctest: +SKIP
    0.5217...
    """
    from xlsrc.market import Market
    from xlsrc.market import get_market as market_of

    if isinstance(store, Market):
        return store
    if store is None or isinstance(store, str | os.PathLike):
        return market_of(store)
    raise InvalidParameterError(name="store", value=type(store).__name__, allowed=_STORE_ALLOWED)


def open_store(store: str | os.PathLike[str] | None = None) -> Store:
    """Open a store for its status or for writes (universes, imports); nothing is read yet.

    To compute on a store, pass its location as ``store=`` to the other functions (or
    use :func:`get_market`); the store object itself is for what the command line's
    ``status``, ``universe`` and ``import-csv`` do.

    Parameters
    ----------
    store : str or path-like, optional
        As :func:`get_market`'s (``None`` = env ``XLSRC_STORE``, else the per-user store).

    Returns
    -------
    xlsrc.data.backends.base.Store
        ``status()``, ``universes()``, ``set_universe(...)``... (see
        :func:`xlsrc.data.open_store`).

    Raises
    ------
    InvalidParameterError
        If ``store`` is not a location.
    """
    from xlsrc.data import open_store as open_location

    if store is not None and not isinstance(store, str | os.PathLike):
        raise InvalidParameterError(
            name="store",
            value=type(store).__name__,
            allowed="None or a store location (a path, 'memory:' or a postgresql:// URL)",
        )
    return open_location(store)


# --------------------------------------------------------------------------- helpers
def _tickers(
    market: Market, tickers: str | Iterable[object], errors: Literal["raise", "ignore"]
) -> list[str]:
    """Normalise ``tickers`` (a comma-separated string splits); raise or drop the bad ones.

    Duplicates (after normalising: ``brk.b`` is ``BRK-B``) are kept once, in first order.
    With ``errors="raise"`` every ticker the store does not hold is named in one
    :class:`UnknownTickerError`; a text that is no ticker at all raises its
    :class:`InvalidParameterError`.
    """
    if errors not in ("raise", "ignore"):
        raise InvalidParameterError(name="errors", value=errors, allowed="'raise' or 'ignore'")
    items: list[object] = (
        [t for t in tickers.split(",") if t.strip()] if isinstance(tickers, str) else list(tickers)
    )
    if not items:
        raise InvalidParameterError(name="tickers", value=tickers, allowed="at least one ticker")
    good: list[str] = []
    unknown: list[str] = []
    for item in items:
        try:
            label = market.ticker(item)
        except UnknownTickerError as exc:
            unknown.append(str(exc.fields.get("ticker", item)))
            continue
        except InvalidParameterError:
            if errors == "raise":
                raise
            continue
        if label not in good:
            good.append(label)
    if unknown and errors == "raise":
        if len(unknown) == 1:
            raise UnknownTickerError(ticker=unknown[0])
        raise UnknownTickerError(f"Unknown tickers: {', '.join(unknown)}", ticker=unknown)
    if not good:
        raise InvalidParameterError(
            name="tickers", value=tickers, allowed="at least one ticker the store holds"
        )
    return good


def _indexed(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """Return a builder's frame indexed by its key column (the column moved to the index)."""
    return frame.set_index(key)


# --------------------------------------------------------------------------- per ticker
def rs_ratings(
    universe: str | Iterable[str] = "stocks",
    as_of: object = None,
    *,
    basis: str = "total",
    store: str | os.PathLike[str] | Market | None = None,
) -> pd.DataFrame:
    """RS rating (1..99) and RS score of every member of a universe, ranked within it.

    The ``RS_RATING(ticker, universe, as_of)`` and ``RS_SCORE`` formulas for each member
    (``Market.values``): the percentile rank of the RS score (0.4·r63 + 0.2·r126 +
    0.2·r189 + 0.2·r252, windows renormalised below a year of history) among the members
    that have one; mapping, rounding and tie rule as :func:`xlsrc.core.rs.rs_rating`.
    Only the universe's members are returned (not every ticker rated against it).

    Parameters
    ----------
    universe : str or iterable of str
        ``"stocks"`` (every stock in the store), ``"sp1500"`` (S&P 500 + 400 + 600), a
        stored universe (``sp500``, ``sp400``, ``sp600``, ``r2000``, ``sectors`` or one of
        yours; any case), or at least two tickers: a comma-separated list or an iterable
        (each must be known). One ticker is not a universe (``"QQQ"`` is refused; for an
        index ETF the message names the universe it tracks: ``"IWM"`` -> ``r2000``).
    as_of : date-like, optional
        The date asked for; ``None`` = the last date in the store.
    basis : {"total", "price"}
        The closes ranked: ``"total"`` (default) dividend-adjusted, total return;
        ``"price"`` split-adjusted only, price change as IBD ranks it (the ``basis``
        argument of ``RS_RATING``; :meth:`xlsrc.market.Market.values`).
    store : str, path-like or Market, optional
        See :func:`get_market`.

    Returns
    -------
    pd.DataFrame
        One row per member present in the store (shape ``(members, 3)``), index
        ``ticker``, best rating first, a tie by the RS score behind it, then by ticker;
        unrated members last, by ticker.
        Columns: ``rs_rating`` (float64, whole numbers 1..99, NaN without a rating),
        ``rs_score`` (float64, a decimal return), ``problem`` (str: why there is no
        rating, as ``#N/A`` shows it: too little history, no trade in the last 5
        sessions...; ``""`` when rated).

    Raises
    ------
    UnknownUniverseError, UnknownTickerError
        For an unknown universe name or a ticker of a list the store does not hold.
    NoDataError
        If ``as_of`` is before the first date in the store, or ``basis="price"`` and
        the store holds no split-adjusted closes (the bundled snapshot has none).
    InvalidParameterError
        If ``as_of`` is not a date or ``basis`` is neither ``"total"`` nor ``"price"``.

    Examples
    --------
    >>> xlsrc.rs_ratings("sp600", "2026-01-22").head(3)  # doctest: +SKIP
    """
    import pandas as pd

    market = get_market(store)
    members = market.universe(universe)
    ranked_against = universe if isinstance(universe, str) else tuple(members)
    ratings = market.values(members, "rs_rating", as_of, universe=ranked_against, basis=basis)
    scores = market.values(members, "rs_score", as_of, basis=basis)
    frame = pd.DataFrame(
        {
            "rs_rating": ratings.values,
            "rs_score": scores.values,
            "problem": [reason or "" for reason in ratings.reasons],
        },
        index=pd.Index(ratings.tickers, name="ticker"),
    )
    # best rating first; ties by the RS score behind the rating, then by ticker
    order = frame.assign(_t=frame.index).sort_values(
        ["rs_rating", "rs_score", "_t"], ascending=[False, False, True], na_position="last"
    )
    return order.drop(columns="_t")


def metrics(
    tickers: str | Iterable[str],
    as_of: object = None,
    *,
    errors: Literal["raise", "ignore"] = "raise",
    store: str | os.PathLike[str] | Market | None = None,
) -> pd.DataFrame:
    """Every per-ticker metric of the registry for some tickers: the ``TECHNICALS`` numbers.

    The columns of ``Market.metrics`` (the memoised table every scalar formula is served
    from: ``YTD_RETURN``, ``TRAILING_RETURN``, ``RS_RATING`` vs every stock,
    ``PCT_FROM_MA``, ``RSI``, ``VOLATILITY``, ``REL_VOLUME``, ``PCT_FROM_HIGH`` at their
    default windows); other windows: :func:`value`.

    Parameters
    ----------
    tickers : str or iterable of str
        One ticker, a comma-separated string (``"IWM, VICR"``) or an iterable; any case;
        duplicates are returned once. For a universe's members use
        :func:`universe_members`.
    as_of : date-like, optional
        The date asked for; ``None`` = the last date in the store.
    errors : {"raise", "ignore"}
        What to do with a ticker the store does not hold: raise (naming every one) or
        leave it out.
    store : str, path-like or Market, optional
        See :func:`get_market`.

    Returns
    -------
    pd.DataFrame
        Shape ``(tickers, 19)``, index ``ticker`` in the order given. Columns ``close``
        (adjusted, the ticker's currency), ``ret_1d``, ``ret_1w``, ``ret_1m``, ``ret_3m``,
        ``ret_6m``, ``ret_1y``, ``ret_ytd`` (decimals), ``rs_score`` (decimal),
        ``rs_rating`` (1..99 vs every stock), ``pct_from_sma20``/``50``/``200``
        (decimals), ``rsi14`` (0..100), ``volatility20`` (daily, decimal),
        ``annual_volatility20`` (decimal), ``relative_volume50`` (ratio),
        ``pct_from_high252`` (decimal, <= 0), ``last_bar`` (datetime64, the last real bar
        on or before the day) and ``problem`` (str: why the ticker has no current price,
        e.g. ``No trade since 2025-03-14``; ``""`` otherwise). NaN where a metric needs
        more real bars than the ticker has, or the ticker has not traded in the last 5
        sessions.

    Raises
    ------
    UnknownTickerError
        With ``errors="raise"``, for tickers the store does not hold (all named).
    InvalidParameterError
        For a text that is no ticker, no tickers at all, or a bad date.
    NoDataError
        If ``as_of`` is before the first date in the store.
    """
    market = get_market(store)
    names = _tickers(market, tickers, errors)
    table = market.metrics(as_of).loc[names].copy()
    table["problem"] = [r or "" for r in market.values(names, "close", as_of).reasons]
    table.index.name = "ticker"
    return table


def value(
    ticker: str,
    metric: str,
    as_of: object = None,
    window: int | None = None,
    *,
    universe: str | Iterable[str] = "stocks",
    benchmark: str = "SPY",
    start: object = None,
    store: str | os.PathLike[str] | Market | None = None,
) -> Any:
    """One metric of one ticker, exactly as its scalar formula computes it.

    ``Market.value``: ``value("VICR", "ret_ytd")`` is ``YTD_RETURN("VICR")``,
    ``value("VICR", "pct_from_sma", window=30)`` is ``PCT_FROM_MA("VICR", 30)``,
    ``value("VICR", "rs_rating", universe="sp600")`` is ``RS_RATING("VICR", "sp600")``,
    ``value("VICR", "rs_line", benchmark="IWM")`` is ``RS_LINE("VICR", "IWM")``,
    ``value("VICR", "period_return", "2026-01-22", start="2025-12-31")`` is
    ``PERIOD_RETURN``.

    Parameters
    ----------
    ticker : str
        Any case; ``BRK.B`` = ``BRK-B``.
    metric : str
        A metric of the registry (``ret_ytd``, ``rs_rating``, ``rsi14``...; the columns of
        :func:`metrics`) or a family with ``window`` (``ret``, ``pct_from_sma``, ``rsi``,
        ``volatility``, ``annual_volatility``, ``relative_volume``, ``pct_from_high``),
        or ``rs_line`` / ``period_return``.
    as_of : date-like, optional
        The date asked for; ``None`` = the last date in the store.
    window : int, optional
        Trading days (default: the metric's own window).
    universe : str or iterable of str
        The ranking universe of ``rs_rating`` (default every stock).
    benchmark : str
        The benchmark of ``rs_line`` (default SPY).
    start : date-like, optional
        The start date of ``period_return`` (required for it).
    store : str, path-like or Market, optional
        See :func:`get_market`.

    Returns
    -------
    float or pd.Timestamp
        The value, in the unit of the metric (decimals for returns); a date for
        ``last_bar``.

    Raises
    ------
    UnknownTickerError
        For a ticker (or benchmark) the store does not hold.
    NoDataError
        No price on or before the date; :class:`~xlsrc.errors.StaleDataError` (a
        NoDataError) for no trade in the last 5 sessions.
    InsufficientHistoryError
        Fewer real bars than the window needs.
    InvalidParameterError
        An unknown metric, a bad window or date, a missing ``start``.
    """
    market = get_market(store)
    return market.value(
        ticker, metric, as_of, window, universe=universe, benchmark=benchmark, start=start
    )


def history(
    ticker: str,
    start: object = None,
    end: object = None,
    fields: str | Sequence[str] = ("close",),
    *,
    store: str | os.PathLike[str] | Market | None = None,
) -> pd.DataFrame:
    """Daily bars of one ticker between two dates: the ``PRICE_HISTORY`` formula's rows.

    One row per session the ticker really traded (a halt is left out, not filled with the
    last close), oldest first.

    Parameters
    ----------
    ticker : str
        Any case.
    start, end : date-like, optional
        First and last dates, inclusive; ``None`` = the first / last date in the store.
    fields : str or sequence of str
        ``"close"`` and/or ``"volume"``, in the order wanted.
    store : str, path-like or Market, optional
        See :func:`get_market`.

    Returns
    -------
    pd.DataFrame
        Index ``date`` (datetime64, sessions), one float64 column per field: ``close``
        (adjusted for splits and dividends, the ticker's currency), ``volume`` (shares,
        NaN where unknown).

    Raises
    ------
    UnknownTickerError
        For a ticker the store does not hold.
    InvalidParameterError
        For an unknown field, a bad date or ``start`` after ``end``.
    NoDataError
        If the ticker has no bar between the two dates.
    """
    market = get_market(store)
    first = market.close.index[0] if start is None else start
    wanted = [fields] if isinstance(fields, str) else list(fields)
    return market.bars(ticker, first, end, wanted)


def securities(
    tickers: str | Iterable[str] | None = None,
    *,
    errors: Literal["raise", "ignore"] = "raise",
    store: str | os.PathLike[str] | Market | None = None,
) -> pd.DataFrame:
    """Name, sector, industry and type of securities in the store.

    Parameters
    ----------
    tickers : str or iterable of str, optional
        As :func:`metrics`' ``tickers``; ``None`` = every ticker with bars in the store.
    errors : {"raise", "ignore"}
        What to do with a ticker the store does not hold.
    store : str, path-like or Market, optional
        See :func:`get_market`.

    Returns
    -------
    pd.DataFrame
        Index ``ticker``; columns ``name``, ``sector`` (GICS), ``industry`` (Yahoo's),
        ``type`` (``stock``, ``etf``, ``index`` or ``other``); NaN where unknown.

    Raises
    ------
    UnknownTickerError, InvalidParameterError
        As :func:`metrics`.
    """
    market = get_market(store)
    table = market.securities
    if tickers is not None:
        table = table.loc[_tickers(market, tickers, errors)]
    out = table.copy()
    out.index.name = "ticker"
    return out


def universe_members(
    universe: str | Iterable[str], *, store: str | os.PathLike[str] | Market | None = None
) -> list[str]:
    """Tickers of a universe that the store holds.

    Parameters
    ----------
    universe : str or iterable of str
        ``"stocks"``, ``"sp1500"`` (S&P 500 + 400 + 600), a stored universe name, a
        comma-separated list or an iterable of tickers.
    store : str, path-like or Market, optional
        See :func:`get_market`.

    Returns
    -------
    list of str
        In the universe's stored order. Membership lists are not point-in-time (see the
        README's data section).

    Raises
    ------
    UnknownUniverseError, UnknownTickerError
        For an unknown name or an unknown ticker of a list.
    """
    from xlsrc.dashboard.frames import universe_members as members_of

    return [str(t) for t in members_of(get_market(store), universe)]


# --------------------------------------------------------------------------- tables
def leaders(
    universe: str | Iterable[str] = "sp600",
    n: int = 25,
    sort_by: str = "ytd",
    as_of: object = None,
    *,
    basis: str = "total",
    store: str | os.PathLike[str] | Market | None = None,
) -> pd.DataFrame:
    """Return the strongest members of a universe: the ``LEADERS`` formula's table.

    Parameters
    ----------
    universe : str or iterable of str
        As :func:`rs_ratings` (default ``sp600``).
    n : int
        Rows (>= 1).
    sort_by : str
        ``ytd``, ``1m``, ``3m``, ``rs``, ``rsi`` or a metric name (``pct_from_sma20``...);
        descending, ties by ticker; members without a value are left out.
    as_of : date-like, optional
        The date asked for; ``None`` = the last date in the store.
    basis : {"total", "price"}
        The basis of the RS columns ``rs_rating`` and ``rs_3m`` (as :func:`rs_ratings`;
        ``sort_by="rs"`` then ranks on it). The returns stay total returns.
    store : str, path-like or Market, optional
        See :func:`get_market`.

    Returns
    -------
    pd.DataFrame
        At most ``n`` rows, index ``ticker``; columns ``rank`` (1..n), ``name``,
        ``sector``, ``close``, ``ret_ytd``, ``rs_rating`` (vs every stock), ``rs_3m``
        (the rating 63 sessions earlier), ``rs_basis`` ("" or the flag of a rating on a
        shortened window: "3M only", "3M+6M only", "3M+6M+9M only"), ``pct_from_sma20``,
        ``pct_from_sma50``, ``rsi14``, ``volatility20``, ``pct_from_high252`` (units as
        :func:`metrics`).

    Raises
    ------
    UnknownUniverseError
        For an unknown universe.
    InvalidParameterError
        For a bad ``n``, ``sort_by`` or date.
    NoDataError
        If no member has a value for ``sort_by`` that day (the message says what it
        needs), or ``as_of`` is before the data.
    """
    from xlsrc.dashboard.rankings import leaders_table

    table = leaders_table(get_market(store), universe, n, sort_by, as_of, basis=basis)
    return _indexed(table, "ticker")


def sector_etfs(
    as_of: object = None,
    benchmark: str = "SPY",
    *,
    store: str | os.PathLike[str] | Market | None = None,
) -> pd.DataFrame:
    """Return the 11 Select Sector SPDRs with returns, RS, RRG and sector score (``SECTORS``).

    Named ``sector_etfs`` rather than ``sectors``: ``xlsrc.sectors`` is the module of the
    GICS sector constants, and a function of that name would be replaced by the module
    the moment the module is imported.

    Parameters
    ----------
    as_of : date-like, optional
        The date asked for; ``None`` = the last date in the store.
    benchmark : str
        The RRG benchmark (default SPY); it must be in the store with a current price.
    store : str, path-like or Market, optional
        See :func:`get_market`.

    Returns
    -------
    pd.DataFrame
        One row per SPDR in the store (at most 11), best YTD first, index ``ticker``;
        columns ``rank``, ``sector``, ``close``, ``ret_1d``, ``ret_1m``, ``ret_ytd``
        (decimals), ``rs_rating`` (1..99 vs every stock), ``rs_ratio``, ``rs_momentum``
        (JdK-style, around 100), ``quadrant`` (Leading, Weakening, Lagging, Improving),
        ``sector_score`` (mean RS rating of the sector's S&P 1500 members, 1..99:
        :func:`sector_scores`), ``rs_basis`` ("" or the shortened-window flag).

    Raises
    ------
    UnknownTickerError
        For a benchmark the store does not hold.
    NoDataError
        If the benchmark has no price on that day (or no trade in the last 5
        sessions), or ``as_of`` is before the data.
    InvalidParameterError
        For a bad date.
    """
    from xlsrc.dashboard.rankings import sectors_table

    market = get_market(store)
    bench = market.ticker(benchmark)
    reason = market.values([bench], "close", as_of).errors[0]
    if reason is not None:
        raise reason
    return _indexed(sectors_table(market, as_of, bench), "ticker")


def sector_scores(
    as_of: object = None,
    universe: str | Iterable[str] = "sp1500",
    *,
    store: str | os.PathLike[str] | Market | None = None,
) -> pd.DataFrame:
    """Sector score per GICS sector: the mean RS rating of its members in a universe.

    :func:`xlsrc.dashboard.leadership.sector_scores_table`.

    Parameters
    ----------
    as_of : date-like, optional
        The date asked for; ``None`` = the last date in the store.
    universe : str or iterable of str
        The members averaged (default ``sp1500``); their ratings are against every stock.
    store : str, path-like or Market, optional
        See :func:`get_market`.

    Returns
    -------
    pd.DataFrame
        Index ``sector``, strongest first; columns ``etf`` (its SPDR), ``score`` (1..99),
        ``members`` (rated members averaged).

    Raises
    ------
    UnknownUniverseError, NoDataError, InvalidParameterError
        For an unknown universe, a date before the data or a bad date.
    """
    from xlsrc.dashboard.leadership import sector_scores_table

    return _indexed(sector_scores_table(get_market(store), as_of, universe), "sector")


def industry_groups(
    universe: str | Iterable[str] = "stocks",
    n: int | None = None,
    as_of: object = None,
    *,
    min_members: int | None = None,
    store: str | os.PathLike[str] | Market | None = None,
) -> pd.DataFrame:
    """Industry groups ranked by group RS: :func:`xlsrc.dashboard.leadership.industry_groups_table`.

    A group's score is its members' mean RS rating (ratings against every stock), its
    rating the percentile of that score among the groups (1..99); ranks 1, 3 and 6 months
    ago come from the ratings 21, 63 and 126 sessions earlier, over the same members.

    Parameters
    ----------
    universe : str or iterable of str
        The stocks that form the groups (default every stock; ``sp1500`` accepted).
    n : int, optional
        Keep the strongest ``n`` groups (default all).
    as_of : date-like, optional
        The date asked for; ``None`` = the last date in the store.
    min_members : int, optional
        Fewest rated members for a group (default
        :data:`xlsrc.core.groups.MIN_GROUP_MEMBERS`).
    store : str, path-like or Market, optional
        See :func:`get_market`.

    Returns
    -------
    pd.DataFrame
        Index ``industry`` (Yahoo's industry), strongest first; columns ``rank``,
        ``sector``, ``group_rs_rating`` (1..99), ``group_score`` (mean member rating),
        ``members``, ``share_rs80`` (decimal: share of members rated 80 or more),
        ``leaders`` (text: the top members), ``rank_1m``, ``rank_3m``, ``rank_6m`` (NaN
        before the data).

    Raises
    ------
    UnknownUniverseError, NoDataError
        For an unknown universe or a date before the data.
    InvalidParameterError
        For a bad ``n``, ``min_members`` or date.
    """
    from xlsrc.dashboard.leadership import industry_groups_table

    table = industry_groups_table(get_market(store), universe, n, as_of, min_members)
    return _indexed(table, "industry")


def rs_history(
    tickers: str | Iterable[str],
    universe: str | Iterable[str] = "stocks",
    as_of: object = None,
    benchmark: str = "SPY",
    *,
    errors: Literal["raise", "ignore"] = "raise",
    store: str | os.PathLike[str] | Market | None = None,
) -> pd.DataFrame:
    """RS rating now and 1, 3, 6, 12 months earlier, the windows it rests on, RS-line high.

    :func:`xlsrc.dashboard.leadership.rs_history_table`.

    Parameters
    ----------
    tickers : str or iterable of str
        As :func:`metrics`' ``tickers``.
    universe : str or iterable of str
        The ratings' universe at every date (default every stock).
    as_of : date-like, optional
        The date asked for; ``None`` = the last date in the store.
    benchmark : str
        The RS line's benchmark (default SPY).
    errors : {"raise", "ignore"}
        What to do with a ticker the store does not hold.
    store : str, path-like or Market, optional
        See :func:`get_market`.

    Returns
    -------
    pd.DataFrame
        Index ``ticker`` in the order given; columns ``rs_now``, ``rs_1m``, ``rs_3m``,
        ``rs_6m``, ``rs_12m`` (ratings 0/21/63/126/252 sessions earlier, NaN before the
        data), ``rs_windows`` (0-4 quarterly windows the rating now rests on),
        ``rs_note`` (what a shortened rating measures; ``""`` for a full year),
        ``rs_line_new_high`` (1.0 if the RS line vs ``benchmark`` is at a 52-week high,
        0.0 if not, NaN if unknown).

    Raises
    ------
    UnknownTickerError
        For tickers the store does not hold (with ``errors="raise"``) or the benchmark.
    UnknownUniverseError, NoDataError, InvalidParameterError
        For an unknown universe, a date before the data or a bad date.
    """
    from xlsrc.dashboard.leadership import rs_history_table

    market = get_market(store)
    names = _tickers(market, tickers, errors)
    return _indexed(rs_history_table(market, names, universe, as_of, benchmark), "ticker")
