"""The ranked tables: the leaders of a universe and the sector SPDRs.

:func:`leaders_table` (the Leaders sheet, ``LEADERS``, ``xlsrc leaders``) ranks the
members of a universe by a metric, ties broken by the RS score, then the ticker, and says
why when there is no ranking; :func:`sectors_table` (the Sectors sheet, ``SECTORS``,
``xlsrc sectors``) ranks the 11 sector SPDRs by YTD return with their RRG position and
sector score. Both follow the contract of :mod:`xlsrc.dashboard.build`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from xlsrc.core.metrics import METRIC_NAMES, SORT_KEYS, article, needs_text
from xlsrc.core.metrics import metric as lookup_metric
from xlsrc.errors import InvalidParameterError, NoDataError, UnknownTickerError, XlsrcError
from xlsrc.periods import DEFAULT_BENCHMARK
from xlsrc.sectors import SECTOR_ETFS

from .frames import (
    BASIS_COLUMNS,
    DEFAULT_TOP,
    _frame,
    _keys,
    _per_ticker_rows,
    _text,
    earlier_ratings,
    resolve_as_of,
    rs_basis_tags,
)
from .leadership import sector_scores_table

if TYPE_CHECKING:
    from xlsrc.market import Market

__all__ = ["SECTORS_BY_RS", "SECTORS_BY_YTD", "SORT_KEYS", "leaders_table", "sectors_table"]

#: What :func:`sectors_table` ranks by, in the words of its titles (``attrs["ranked_by"]``).
SECTORS_BY_YTD = "YTD return"
SECTORS_BY_RS = "RS rating (every YTD return is the same or missing: no YTD ranking)"


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

    Sorted by YTD return, best first (the leaders on top, the bar chart descending), ties
    by the RS score, then by ticker; when the YTD return is no ranking (the same for
    every SPDR, 0.0 before the year's first session, or missing), by the RS rating, then
    the RS score, then the ticker. ``attrs["ranked_by"]`` says which
    (:data:`SECTORS_BY_YTD` or :data:`SECTORS_BY_RS`), for the titles.
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
    ytd = frame["ret_ytd"]
    by_ytd = ytd.notna().sum() >= 2 and ytd.nunique() > 1  # one value for all is no ranking
    first = (ytd if by_ytd else frame["rs_rating"]).fillna(-np.inf).to_numpy()
    frame = frame.assign(_y=first, _s=np.nan_to_num(scores, nan=-np.inf)).sort_values(
        ["_y", "_s", "ticker"], ascending=[False, False, True]
    )
    frame["rank"] = np.arange(1, len(frame) + 1, dtype=float)
    out = _frame("sectors", frame.to_dict("records"))
    out.attrs["ranked_by"] = SECTORS_BY_YTD if by_ytd else SECTORS_BY_RS
    return out
