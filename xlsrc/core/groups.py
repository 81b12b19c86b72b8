"""Industry groups: IBD-style group relative strength from the RS ratings of the members.

IBD ranks about 200 industry groups by the relative strength of their stocks; the
classification here is Yahoo's (about 145 industries, ``securities.industry``). Every
figure is built from the members' RS ratings (:func:`xlsrc.core.rs.rs_rating`, whole
numbers 1..99), so a group reads on the same scale as its stocks.

Members
    ``M_g = {t in members : industry[t] == g and rating[t] is a number}``, ``n_g = |M_g|``.
    ``members`` is the universe that forms the groups (default: every ticker of
    ``ratings``); the ratings are whatever the caller ranked them against (xlsrc rates
    stocks against every stock in the store, IBD against all its stocks). A ticker
    without an industry belongs to no group.

Ranked groups
    A group is ranked when ``n_g >= min_members`` (default :data:`MIN_GROUP_MEMBERS` = 3):
    a "group" of one or two stocks is a stock's rating under another name, and three is
    the fewest that fill the "best 3 members" column. Over every stock of the bundled
    snapshot this leaves out 2 of Yahoo's 145 industries (1 stock each); over the
    S&P 1500 (sp500 + sp400 + sp600), 19 of 137.

Group score
    ``score_g = (1 / n_g) * sum(rating[t] for t in M_g)``: the mean RS rating of the
    members, in [1, 99]. This is the reference tool's method (Vinubhai1961/RS-Rating,
    ``scripts/calculate_rs_from_db.py``: ``rs_industries.csv`` is the mean
    ``RS Percentile`` per ``Industry``), equal-weighted: a micro-cap counts as much as a
    mega-cap, as in IBD's group ranking.

Group RS rating
    The group's percentile among the ``G`` ranked groups, with the rounding and tie rule
    of :func:`xlsrc.core.rs.rs_rating`: ``L = #{h : score_h < score_g}``,
    ``E = #{h : score_h == score_g}`` (``g`` included),
    ``group_rs_rating = clip(floor(100 * (L + E/2) / G + 0.5), 1, 99)``, a whole number
    rounded half up, evaluated in integers.

Group rank
    ``rank_g = 1 + #{h ranked : score_h > score_g}`` (1 = strongest; tied scores share a
    rank, the next rank is skipped: 1, 2, 2, 4). "Rank k months ago" is the same rank
    computed from the ratings of an earlier session (21, 63, 126 sessions earlier: see
    :data:`GROUP_HISTORY_SESSIONS`) over the same members and classification, NaN when
    the group was not ranked then. The classification is today's: it is not
    point-in-time.

Share of strong members
    ``share_rs80 = #{t in M_g : rating[t] >= 80} / n_g`` (a decimal; 80 is IBD's usual
    minimum RS rating for a buy candidate).

Best members
    Up to three members, by rating (highest first), then RS score when given (highest
    first), then ticker, joined with ``", "``.

Sector
    The sector most of the members carry (ties: the alphabetically first), "" when none.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

import numpy as np
import pandas as pd

from ..periods import validate_window
from .rs import rs_rating

__all__ = [
    "GROUP_COLUMNS",
    "GROUP_HISTORY_SESSIONS",
    "LEADERS_SHOWN",
    "MIN_GROUP_MEMBERS",
    "STRONG_RATING",
    "group_ranks",
    "group_scores",
    "industry_groups",
]

#: Fewest rated members for a group to be ranked.
MIN_GROUP_MEMBERS: Final = 3
#: A member counts as strong with an RS rating of at least this.
STRONG_RATING: Final = 80
#: Members named in the ``leaders`` column.
LEADERS_SHOWN: Final = 3
#: "Rank k months ago": label -> sessions before the as-of session.
GROUP_HISTORY_SESSIONS: Final[dict[str, int]] = {"1m": 21, "3m": 63, "6m": 126}
#: Columns of :func:`industry_groups` before the ``rank_<label>`` columns.
GROUP_COLUMNS: Final[tuple[str, ...]] = (
    "rank",
    "industry",
    "sector",
    "group_rs_rating",
    "group_score",
    "members",
    "share_rs80",
    "leaders",
)


def _clean_labels(labels: pd.Series) -> pd.Series:
    """Industry or sector names as stripped text; None, NaN and blanks become NaN."""
    text = labels.astype(object).where(labels.notna(), None)
    text = text.map(lambda v: v.strip() if isinstance(v, str) else None)
    return text.where(text.map(bool), np.nan)


def _members_frame(
    ratings: pd.Series, industries: pd.Series, members: Iterable[str] | None
) -> pd.DataFrame:
    """Rated members with an industry: index ticker, columns rating and industry."""
    index = ratings.index
    if members is not None:
        # get_indexer, not Index.isin: with pandas' str dtype isin is ~50x slower
        index = pd.Index(members).unique()
        index = index[ratings.index.get_indexer(index) >= 0]
    frame = pd.DataFrame(
        {
            "rating": ratings.reindex(index).to_numpy(dtype=float),
            "industry": _clean_labels(industries.reindex(index)).to_numpy(),
        },
        index=index,
    )
    return frame.dropna()


def group_scores(
    ratings: pd.Series,
    industries: pd.Series,
    members: Iterable[str] | None = None,
    min_members: object = MIN_GROUP_MEMBERS,
) -> pd.DataFrame:
    """Score (mean member RS rating) and size of every ranked group.

    Parameters
    ----------
    ratings : pd.Series
        RS ratings (1..99, NaN = none) indexed by ticker.
    industries : pd.Series
        Industry name indexed by ticker (NaN, None or blank = no industry).
    members : iterable of str, optional
        The tickers that form the groups (default: every ticker of ``ratings``); tickers
        missing from ``ratings`` are ignored.
    min_members : int
        Fewest rated members for a group to be ranked, a whole number >= 1.

    Returns
    -------
    pd.DataFrame
        Index ``industry``; columns ``group_score`` (float) and ``members`` (int), for the
        ranked groups only, in no particular order.

    Raises
    ------
    InvalidParameterError
        If ``min_members`` is not a whole number >= 1.
    """
    minimum = validate_window(min_members, "min_members")
    frame = _members_frame(ratings, industries, members)
    grouped = frame.groupby("industry")["rating"]
    out = pd.DataFrame({"group_score": grouped.mean(), "members": grouped.size()})
    out = out[out["members"] >= minimum]
    out["members"] = out["members"].astype("int64")
    out.index.name = "industry"
    return out


def group_ranks(scores: pd.Series) -> pd.Series:
    """Competition rank of each group by score: ``1 + #{groups with a higher score}``.

    Parameters
    ----------
    scores : pd.Series
        Group scores indexed by group (no NaN).

    Returns
    -------
    pd.Series
        Ranks (int64, 1 = highest score) indexed like ``scores``; tied scores share the
        rank.
    """
    values = scores.to_numpy(dtype=float)
    ordered = np.sort(values)
    higher = ordered.size - np.searchsorted(ordered, values, side="right")
    return pd.Series(1 + higher, index=scores.index, name="rank", dtype="int64")


def _leaders(frame: pd.DataFrame, scores: pd.Series | None) -> pd.Series:
    """Return ``"A, B, C"``: the best :data:`LEADERS_SHOWN` members of each group."""
    ordered = frame.assign(
        _score=(
            scores.reindex(frame.index).to_numpy(dtype=float)
            if scores is not None
            else np.zeros(len(frame))
        ),
        _ticker=frame.index.astype(str),
    )
    ordered["_score"] = ordered["_score"].fillna(-np.inf)
    ordered = ordered.sort_values(
        ["industry", "rating", "_score", "_ticker"], ascending=[True, False, False, True]
    )
    top = ordered.groupby("industry").head(LEADERS_SHOWN)
    return top.groupby("industry")["_ticker"].agg(", ".join)


def _modal_sector(frame: pd.DataFrame, sectors: pd.Series | None) -> pd.Series:
    """Return the sector most members carry, per group (ties: alphabetically first)."""
    if sectors is None:
        return pd.Series(dtype=object)
    named = frame.assign(sector=_clean_labels(sectors.reindex(frame.index)).to_numpy()).dropna()
    if named.empty:
        return pd.Series(dtype=object)
    counts = named.groupby(["industry", "sector"]).size().rename("n").reset_index()
    counts = counts.sort_values(["industry", "n", "sector"], ascending=[True, False, True])
    return counts.drop_duplicates("industry").set_index("industry")["sector"]


def industry_groups(
    ratings: pd.Series,
    industries: pd.Series,
    sectors: pd.Series | None = None,
    members: Iterable[str] | None = None,
    scores: pd.Series | None = None,
    earlier: Mapping[str, pd.Series] | None = None,
    min_members: object = MIN_GROUP_MEMBERS,
) -> pd.DataFrame:
    """Rank industry groups: group RS rating, members, leaders and earlier ranks.

    See the module docstring for every formula.

    Parameters
    ----------
    ratings : pd.Series
        RS ratings (1..99) indexed by ticker, as of the table's date.
    industries : pd.Series
        Industry name indexed by ticker.
    sectors : pd.Series, optional
        Sector name indexed by ticker (for the ``sector`` column; "" without it).
    members : iterable of str, optional
        The universe that forms the groups (default: every ticker of ``ratings``).
    scores : pd.Series, optional
        RS scores indexed by ticker: break rating ties when choosing the best members.
    earlier : mapping of str to pd.Series, optional
        Label -> RS ratings of an earlier session (for example
        ``{"1m": ratings_21_sessions_earlier}``); each adds a column ``rank_<label>``:
        the group's rank then, over the same members, NaN when it was not ranked.
    min_members : int
        Fewest rated members for a group to be ranked (default 3).

    Returns
    -------
    pd.DataFrame
        One row per ranked group, strongest first (ties by industry name), RangeIndex;
        columns :data:`GROUP_COLUMNS` (``rank`` int, ``group_rs_rating`` whole numbers
        as float, ``group_score`` float, ``members`` int, ``share_rs80`` decimal,
        ``leaders`` text) then ``rank_<label>`` (float, NaN = not ranked) in the order
        of ``earlier``. Empty (with these columns) when no group has enough members.

    Raises
    ------
    InvalidParameterError
        If ``min_members`` is not a whole number >= 1.
    """
    earlier = dict(earlier or {})
    current = group_scores(ratings, industries, members, min_members)
    columns = [*GROUP_COLUMNS, *(f"rank_{label}" for label in earlier)]
    if current.empty:
        return pd.DataFrame(columns=columns)
    frame = _members_frame(ratings, industries, members)
    frame = frame[frame["industry"].isin(current.index)]
    table = current.copy()
    table["rank"] = group_ranks(table["group_score"])
    table["group_rs_rating"] = rs_rating(table["group_score"])
    strong = (frame["rating"] >= STRONG_RATING).groupby(frame["industry"]).mean()
    table["share_rs80"] = strong.reindex(table.index).astype(float)
    table["leaders"] = _leaders(frame, scores).reindex(table.index)
    table["sector"] = _modal_sector(frame, sectors).reindex(table.index).fillna("")
    for label, past in earlier.items():
        then = group_scores(past, industries, members, min_members)
        ranks = group_ranks(then["group_score"]) if not then.empty else pd.Series(dtype=float)
        table[f"rank_{label}"] = ranks.reindex(table.index).astype(float)
    table = table.reset_index()
    table = table.sort_values(["rank", "industry"], kind="stable").reset_index(drop=True)
    return table[columns]
