"""Values for every block of the dashboard, from a Market; where every table is built.

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

Where each table is built
-------------------------
This module assembles the dashboard; the report, the formulas and the command line share
each table through the module that builds it:

- :mod:`xlsrc.dashboard.tables`: ``overview_table(market, as_of=None,
  tickers=OVERVIEW_TICKERS)``, ``rotation_table(market, as_of=None,
  pairs=ROTATION_PAIRS)``, ``pair_rotation(market, small, large, as_of=None) ->
  PairRotation``, ``breadth_table(market, as_of=None, universes=BREADTH_UNIVERSES,
  extra_window=None)``, ``rebased_table(market, as_of=None, tickers=CHART_TICKERS)``,
  ``rrg_guides_table(sectors)`` (from a ``sectors_table`` frame), ``rrg_table(market,
  tickers, benchmark="SPY", as_of=None)``, ``technicals_table(market, tickers,
  as_of=None)``, ``price_history_table(market, ticker, start, end=None,
  fields=("close",))``, ``provenance_table(market)``
- :mod:`xlsrc.dashboard.rankings`: ``leaders_table(market, universe="sp600", n=25,
  sort_by="ytd", as_of=None)``, ``sectors_table(market, as_of=None, benchmark="SPY")``
- :mod:`xlsrc.dashboard.leadership`: ``industry_groups_table``, ``group_rank``,
  ``industry_of``, ``industries_table``, ``sector_scores_table``, ``rs_history_table``,
  ``rs_history_display``
- :mod:`xlsrc.dashboard.facts`: ``rotation_facts``, ``rotation_summary`` (the day's
  rotation in sentences)
- :mod:`xlsrc.dashboard.frames`: what they share (``resolve_as_of``, ``split_tickers``,
  ``universe_members``, ``rs_basis_tags``, ``earlier_ratings``, the defaults)
- here: ``build_dashboard(market, as_of=None, universe="sp600", top=25, watchlist=None,
  benchmark="SPY") -> DashboardData`` (the dashboard's blocks plus texts and settings)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from xlsrc import __version__
from xlsrc.errors import NoDataError
from xlsrc.periods import DEFAULT_BENCHMARK

from .facts import rotation_summary
from .frames import DEFAULT_TOP, DEFAULT_UNIVERSE, DEFAULT_WATCHLIST, _frame, split_tickers
from .layout import GROUPS_BOTTOM, GROUPS_TOP
from .leadership import industry_groups_table
from .rankings import leaders_table, sectors_table
from .tables import (
    breadth_table,
    overview_table,
    provenance_table,
    rebased_table,
    rotation_table,
    rrg_guides_table,
    technicals_table,
)

if TYPE_CHECKING:
    from xlsrc.market import Market

__all__ = ["DashboardData", "build_dashboard"]


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
        "sectors_subtitle": (
            f"Sector SPDRs ranked by {sectors.attrs.get('ranked_by', 'YTD return')}, "
            f"RRG vs {bench}, as of {day}"
        ),
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
