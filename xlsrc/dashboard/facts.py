"""The numbers the day's rotation sentences say, gathered from a market, and the sentences.

:func:`rotation_facts` reads a market for one day into a
:class:`xlsrc.dashboard.story.RotationFacts` (small vs large caps, the start-of-year rule,
breadth, sectors, industry groups, leaders and the warnings); :func:`rotation_summary`
words them with :func:`xlsrc.dashboard.story.rotation_sentences`, memoised per market
version, day and options. The dashboard's rotation summary, ``ROTATION_SUMMARY`` and
``xlsrc summary`` show these sentences.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from xlsrc.errors import XlsrcError
from xlsrc.sectors import SECTOR_ETFS

from .frames import DEFAULT_UNIVERSE, _memo, _num, _universe_key, resolve_as_of, universe_members
from .layout import OVERVIEW_TICKERS
from .leadership import SECTOR_SCORE_UNIVERSE, industry_groups_table, sector_scores_table

__all__ = [
    "STORY_BREADTH",
    "STORY_TOP",
    "STORY_WARNING_LEADERS",
    "UNIVERSE_LABELS",
    "rotation_facts",
    "rotation_summary",
]

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


#: The day-table columns the story reads for every ticker (the relative volume is read
#: for the ETFs it names only).
_STORY_COLUMNS: tuple[str, ...] = (
    "close",
    "ret_ytd",
    "rs_score",
    "rs_rating",
    "pct_from_sma20",
    "rsi14",
    "pct_from_high252",
)


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
    # every column the story reads but the relative volume, which reads the volume field:
    # that one only for the ETFs it names (a few columns of volume, not the market's)
    metrics = market.metrics(as_of, names=_STORY_COLUMNS)
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
    quiet = metrics.loc[etfs, ["pct_from_high252"]].assign(
        relative_volume50=market.metrics(as_of, names=["relative_volume50"], tickers=etfs)[
            "relative_volume50"
        ]
    )
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
