"""Leadership values: industry groups, the sector score over an investable universe, RS history.

Industry groups ranked by group RS (:func:`industry_groups_table`, memoised per market
version, day and options), a stock's industry and its group's rank, every industry of the
store, the sector score (:func:`sector_scores_table`: the mean RS rating of a sector's
S&P 1500 members) and the RS rating now and 1, 3, 6 and 12 months earlier
(:func:`rs_history_table`). Values only (issue 11): the layout, formulas and report
sheets that show them are wired separately.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from xlsrc.errors import InvalidParameterError, NoDataError, XlsrcError
from xlsrc.periods import DEFAULT_BENCHMARK
from xlsrc.sectors import SECTOR_ETFS

from .frames import (
    _memo,
    _num,
    _text,
    _universe_key,
    resolve_as_of,
    split_tickers,
    universe_members,
)

__all__ = [
    "SECTOR_SCORE_UNIVERSE",
    "group_rank",
    "industries_table",
    "industry_groups_table",
    "industry_of",
    "no_groups_reason",
    "rs_history_display",
    "rs_history_table",
    "sector_scores_table",
]

#: The sector score's default members: the S&P 1500 (``xlsrc.market.SP1500``).
SECTOR_SCORE_UNIVERSE = "sp1500"


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
    UnknownUniverseError
        For an unknown universe.
    NoDataError
        For a date before the data, or when only one group is ranked (its group RS, a
        percentile among one, would be 50 whatever its stocks did); no group ranked
        gives an empty table (:func:`no_groups_reason` says why).
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
    if len(table) == 1:  # a percentile of one group is 50 whatever its stocks did
        from xlsrc.core.groups import MIN_GROUP_MEMBERS

        label = universe.strip() if isinstance(universe, str) else "the tickers given"
        fewest = MIN_GROUP_MEMBERS if min_members is None else min_members
        only = table.iloc[0]
        raise NoDataError(
            f"Only 1 industry group of {label} has {fewest} stocks with an RS rating as of "
            f"{ts:%Y-%m-%d} ({only['industry']}, {int(only['members'])} stocks): group RS "
            "ranks groups against each other and needs at least 2",
            ticker=None,
            date=f"{ts:%Y-%m-%d}",
        )
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
