"""The registry of metrics: one entry per number xlsrc serves for a ticker.

empyrical keeps its metrics as plain data (``SIMPLE_STAT_FUNCS``) that its consumers loop
over; xlsrc does the same. Each :class:`Metric` holds, once, what the rest of xlsrc needs
to know about one number:

========  ==============================================================================
name      the one spelling: the column of ``Market.metrics``, the dashboard layout's
          column key, the LEADERS and CLI sort key (``pct_from_sma20``)
family    entries that differ only by their window (``pct_from_sma``: 20, 50, 200); a
          family name with another window serves that window (``pct_from_sma`` at 30)
compute   the core function (its calling convention depends on ``serve``, below)
source    the matrix it reads: ``close`` or ``volume``
window    its default window in trading days (None: it has none)
needs     the real bars it needs for a window: ``needs(window)``; gives the "too little
          history" reason (an n-day return needs n + 1 bars, an n-day SMA n)
unit      what kind of number it is; the layout picks the number format from it
label     what messages call it, with ``{window}`` filled in (``{window}-day volatility``)
========  ==============================================================================

``serve`` says how the market serves the entry: ``column`` runs
``compute(frame, window, as_of)`` on the wanted tickers' columns; ``universe`` does the
same for every ticker at once and keeps it per day (the RS score, which every ranking
needs whole); ``rank`` is the percentile of ``rank_of`` within a universe (the RS
rating); ``benchmark`` runs ``compute(frame, benchmark_closes, as_of)``; ``span`` runs
``compute(frame, start, as_of)``; ``bars`` reads the real-bar mask (the last bar's date).

Every entry's value is NaN for a ticker whose last real bar is more than
``STALE_SESSIONS`` sessions before the as-of day, or with fewer real bars than ``needs``
(:func:`valid`); :func:`explain` says which, in the words the formulas show after
``#N/A``.

Who derives what from the registry: :mod:`xlsrc.market` (``METRIC_NAMES``, the columns
of ``Market.metrics``, and ``Market.values``/``Market.value``, which serve any entry at
any window), :mod:`xlsrc.dashboard.layout` (the metric columns' keys and number
formats), :mod:`xlsrc.dashboard.rankings` (the sort keys and what an empty Leaders table
needs), :mod:`xlsrc.cli` (the help texts) and :mod:`xlsrc.excel.udfs` (the formulas'
window defaults). Adding a metric therefore touches three source files: its core
function, its entry here and its formula in ``xlsrc/excel/udfs.py`` (a one-line body
calling ``Market.value``); a fourth, ``xlsrc/dashboard/layout.py``, only if a sheet
shows it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from ..errors import (
    InsufficientHistoryError,
    InvalidParameterError,
    NoDataError,
    StaleDataError,
    XlsrcError,
)
from ..periods import (
    HIGH_WINDOW,
    PERIOD_DAYS,
    RELVOL_WINDOW,
    RS_MIN_DAYS,
    RSI_WINDOW,
    SMA_WINDOWS,
    STALE_SESSIONS,
    VOLATILITY_WINDOW,
    validate_window,
)
from . import returns, rs, technicals
from .history import BarCounts, asof_position, first_bar_rows, last_bar_rows

__all__ = [
    "METRICS",
    "METRIC_NAMES",
    "MIN_SMA_WINDOW",
    "SHORT_SORT_KEYS",
    "SORT_KEYS",
    "Metric",
    "Serve",
    "Unit",
    "article",
    "explain",
    "metric",
    "needs_text",
    "valid",
    "volume_reason",
]

#: What kind of number a metric is. ``return``: a signed decimal (0.794 = +79.4 %);
#: ``decimal``: an unsigned decimal (a volatility); ``ratio``: 1.0 = par; ``index``: 0..100;
#: ``rating``: a whole number 1..99; ``price``: in the security's currency; ``date``.
Unit = Literal["price", "return", "decimal", "ratio", "index", "rating", "date"]

#: How the market serves a metric (see the module docstring).
Serve = Literal["column", "universe", "rank", "benchmark", "span", "bars"]

#: What a value is measured from: ``window`` (the last ``needs(window)`` real bars),
#: ``year`` (the last close of the previous year), ``start`` (the close on a start date).
Anchor = Literal["window", "year", "start"]


#: The least moving-average window (PCT_FROM_MA, BREADTH): a 1-day average is the close.
MIN_SMA_WINDOW = 2


def _one(window: int | None) -> int:
    return 1


def _window(window: int | None) -> int:
    return int(window or 1)


def _window_plus_one(window: int | None) -> int:
    return int(window or 0) + 1


def _rs_bars(window: int | None) -> int:
    return RS_MIN_DAYS + 1


@dataclass(frozen=True)
class Metric:
    """One number xlsrc serves for a ticker (see the module docstring for each field).

    Parameters
    ----------
    name : str
        The one spelling everywhere.
    family : str
        The name shared by the entries that differ only by window.
    label : str
        What messages call it; ``{window}`` is replaced by the window.
    unit : Unit
    compute : callable or None
        The core function (None for ``rank`` and ``bars``).
    serve : Serve
    source : {"close", "volume"}
    window : int or None
        Default window (trading days).
    needs : callable
        ``needs(window) -> int``: real bars needed up to the as-of day.
    anchor : {"window", "year", "start"}
    min_window : int
        The smallest window the core function accepts.
    template : str
        Its name at another window, ``{window}`` replaced (``pct_from_sma{window}``).
    aliases : tuple of str
        Short words accepted as sort keys (``ytd``, ``rsi``).
    old_names : tuple of str
        Earlier spellings still accepted as sort keys, not shown in help texts.
    in_table : bool
        A column of ``Market.metrics`` (the memoised per-day table).
    rank_of : str
        For ``rank``: the entry whose values are ranked.
    """

    name: str
    family: str
    label: str
    unit: Unit
    compute: Callable[..., pd.Series] | None = None
    serve: Serve = "column"
    source: Literal["close", "volume"] = "close"
    window: int | None = None
    needs: Callable[[int | None], int] = _one
    anchor: Anchor = "window"
    min_window: int = 1
    template: str = ""
    aliases: tuple[str, ...] = ()
    old_names: tuple[str, ...] = ()
    in_table: bool = True
    rank_of: str = ""

    @property
    def bars_needed(self) -> int:
        """Real bars this entry needs at its window (counting the as-of day's)."""
        return self.needs(self.window)

    def describe(self) -> str:
        """Return the label with the window filled in: ``20-day moving average``."""
        return self.label.format(window=self.window)

    def at(self, window: object) -> Metric:
        """Return this metric at another window: a registered sibling, else a derived entry.

        Raises
        ------
        InvalidParameterError
            If ``window`` is not a whole number >= ``min_window``, or the metric has no
            window.
        """
        if self.window is None or not self.template:
            raise InvalidParameterError(
                name="window", value=window, allowed=f"none ({self.name} has no window)"
            )
        w = validate_window(window, minimum=self.min_window)
        if w == self.window:
            return self
        for sibling in _FAMILIES[self.family]:
            if sibling.window == w:
                return sibling
        return replace(
            self,
            name=self.template.format(window=w),
            window=w,
            aliases=(),
            old_names=(),
            in_table=False,
        )


def _close(frame: pd.DataFrame, window: int | None, as_of: object) -> pd.Series:
    pos = asof_position(frame.index, as_of)
    return frame.iloc[pos].rename("close")


def _ytd(frame: pd.DataFrame, window: int | None, as_of: object) -> pd.Series:
    return returns.ytd_return(frame, as_of)


def _rs_score(frame: pd.DataFrame, window: int | None, as_of: object) -> pd.Series:
    return rs.rs_score(frame, as_of)


def _annual_volatility(frame: pd.DataFrame, window: int | None, as_of: object) -> pd.Series:
    return technicals.volatility(frame, window, as_of, annualise=True)


def _period(frame: pd.DataFrame, start: object, as_of: object) -> pd.Series:
    return returns.period_return(frame, start, as_of)


#: The registry, in the column order of ``Market.metrics``.
METRICS: tuple[Metric, ...] = (
    Metric("close", "close", "close", "price", _close),
    *(
        Metric(
            f"ret_{code.lower()}",
            "ret",
            f"{code} return",
            "return",
            returns.trailing_return,
            window=days,
            needs=_window_plus_one,
            template="ret_{window}d",
            aliases=(code.lower(),),
        )
        for code, days in PERIOD_DAYS.items()
    ),
    Metric("ret_ytd", "ret_ytd", "YTD return", "return", _ytd, anchor="year", aliases=("ytd",)),
    Metric("rs_score", "rs_score", "RS score", "return", _rs_score, "universe", needs=_rs_bars),
    Metric(
        "rs_rating",
        "rs_rating",
        "RS rating",
        "rating",
        None,
        "rank",
        needs=_rs_bars,
        aliases=("rs",),
        rank_of="rs_score",
    ),
    *(
        Metric(
            f"pct_from_sma{window}",
            "pct_from_sma",
            "{window}-day moving average",
            "return",
            technicals.pct_from_sma,
            window=window,
            needs=_window,
            # a 1-day average is the close itself: every distance 0, every share 0 %
            min_window=MIN_SMA_WINDOW,
            template="pct_from_sma{window}",
            # the spelling before the registry (pct_sma20), kept for LEADERS formulas using it
            old_names=(f"pct_sma{window}",),
        )
        for window in SMA_WINDOWS
    ),
    Metric(
        f"rsi{RSI_WINDOW}",
        "rsi",
        "RSI({window})",
        "index",
        technicals.rsi,
        window=RSI_WINDOW,
        needs=_window_plus_one,
        template="rsi{window}",
        aliases=("rsi",),
    ),
    Metric(
        f"volatility{VOLATILITY_WINDOW}",
        "volatility",
        "{window}-day volatility",
        "decimal",
        technicals.volatility,
        window=VOLATILITY_WINDOW,
        needs=_window_plus_one,
        min_window=2,
        template="volatility{window}",
    ),
    Metric(
        f"annual_volatility{VOLATILITY_WINDOW}",
        "annual_volatility",
        "annualised {window}-day volatility",
        "decimal",
        _annual_volatility,
        window=VOLATILITY_WINDOW,
        needs=_window_plus_one,
        min_window=2,
        template="annual_volatility{window}",
    ),
    Metric(
        f"relative_volume{RELVOL_WINDOW}",
        "relative_volume",
        "{window}-day relative volume",
        "ratio",
        technicals.relative_volume,
        source="volume",
        window=RELVOL_WINDOW,
        needs=_window_plus_one,
        template="relative_volume{window}",
    ),
    Metric(
        f"pct_from_high{HIGH_WINDOW}",
        "pct_from_high",
        "distance from the {window}-day high",
        "return",
        technicals.pct_from_high,
        window=HIGH_WINDOW,
        # a 52-week high needs 52 weeks of real bars, as an SMA needs its window: after
        # 7 bars NVDA's "52-week high" was its 7-day high (PCT_FROM_HIGH 0.0 on 2024-01-10)
        needs=_window,
        template="pct_from_high{window}",
    ),
    Metric("last_bar", "last_bar", "bar", "date", None, "bars"),
    Metric("rs_line", "rs_line", "RS line", "ratio", rs.rs_lines, "benchmark", in_table=False),
    Metric(
        "period_return",
        "period_return",
        "return between two dates",
        "return",
        _period,
        "span",
        anchor="start",
        in_table=False,
    ),
)

_BY_NAME: dict[str, Metric] = {m.name: m for m in METRICS}
_FAMILIES: dict[str, tuple[Metric, ...]] = {
    family: tuple(m for m in METRICS if m.family == family)
    for family in dict.fromkeys(m.family for m in METRICS)
}
if len(_BY_NAME) != len(METRICS):  # pragma: no cover - a registry typo
    raise RuntimeError("two metrics share a name")

#: The columns of ``Market.metrics``, in order.
METRIC_NAMES: tuple[str, ...] = tuple(m.name for m in METRICS if m.in_table)


def _sort_keys() -> dict[str, str]:
    keys: dict[str, str] = {}
    for m in METRICS:
        if m.in_table and m.unit != "date":
            keys[m.name] = m.name
            keys.update(dict.fromkeys((*m.aliases, *m.old_names), m.name))
    return keys


#: Sort keys of the Leaders table (``xlsrc leaders --sort-by``, ``LEADERS(..., sort_by)``):
#: every numeric column of ``Market.metrics`` by its name, the short words ``1d`` .. ``1y``,
#: ``ytd``, ``rs``, ``rsi``, and the earlier spellings ``pct_sma20/50/200`` -> the metric name.
SORT_KEYS: dict[str, str] = _sort_keys()

#: The short sort words, in registry order (what help texts list before the metric names).
SHORT_SORT_KEYS: tuple[str, ...] = tuple(
    alias for m in METRICS if m.in_table and m.unit != "date" for alias in m.aliases
)


def metric(name: object, window: object = None) -> Metric:
    """Return the registry entry ``name``, at ``window`` if one is given.

    Parameters
    ----------
    name : str
        An entry name (``pct_from_sma20``) or a family name (``pct_from_sma``: its first
        entry); any case, blanks ignored.
    window : int, optional
        Another window (trading days): the registered sibling with that window
        (``pct_from_sma`` at 50 is ``pct_from_sma50``), else a derived entry named by the
        family's template (``pct_from_sma30``), not in ``Market.metrics``.

    Returns
    -------
    Metric

    Raises
    ------
    InvalidParameterError
        If ``name`` is not in the registry, or ``window`` is not allowed.
    """
    key = name.strip().lower() if isinstance(name, str) else None
    entry = _BY_NAME.get(key or "")
    if entry is None and key in _FAMILIES:
        entry = _FAMILIES[key][0]
    if entry is None:
        allowed = ", ".join([*_BY_NAME, *(f for f in _FAMILIES if f not in _BY_NAME)])
        raise InvalidParameterError(name="metric", value=name, allowed=allowed)
    return entry if window is None else entry.at(window)


def article(label: str) -> str:
    """Return ``a`` or ``an`` for a label: ``an RS rating``, ``an 8-day return``, ``a YTD return``."""
    # a vowel, "RS" (ar-ess), or a number read "eight..", "eleven", "eighteen"
    digits = label[: len(label) - len(label.lstrip("0123456789"))]
    if label[:1].lower() in ("a", "e", "i", "o", "u") or label.startswith("RS"):
        return "an"
    return "an" if digits.startswith("8") or digits in ("11", "18") else "a"


def needs_text(entry: Metric, day: pd.Timestamp) -> str:
    """Return what ``entry`` needs, in words, for a message about ``day``.

    ``a close at the end of 2023`` for a YTD return, ``a close on the start date`` for a
    return between dates, else ``21 trading days of closes``.
    """
    if entry.anchor == "year":
        return f"a close at the end of {day.year - 1}"
    if entry.anchor == "start":
        return "a close on or before the start date"
    return f"{entry.bars_needed} trading days of closes"


def volume_reason(
    entry: Metric, ticker: str, volume: np.ndarray, index: pd.DatetimeIndex, pos: int
) -> XlsrcError | None:
    """Say why a ``volume`` entry has no value when the closes would allow one.

    ``No volume for VICR on 2026-01-13`` when the day itself has none; ``Too little
    volume for VICR: a 50-day relative volume as of 2025-11-14 needs 50 days of volume
    before it, has 32 days of volume`` when fewer than ``window`` known volumes precede
    the day (:func:`xlsrc.core.technicals.relative_volume`). None when neither is the
    reason.

    Parameters
    ----------
    entry : Metric
        An entry whose ``source`` is ``volume``.
    ticker : str
    volume : np.ndarray
        The ticker's volume, rows ``0..pos`` at least (1-D, NaN where unknown).
    index : pd.DatetimeIndex
        The calendar; ``index[pos]`` is the as-of day.
    pos : int
        The as-of row.
    """
    day = _fmt(index[pos])
    if np.isnan(volume[pos]):
        return NoDataError(f"No volume for {ticker} on {day}", ticker=ticker, date=day)
    window = int(entry.window or 1)
    known = int(np.count_nonzero(~np.isnan(volume[:pos])))
    if known < window:
        what = entry.describe()
        return InsufficientHistoryError(
            f"Too little volume for {ticker}: {article(what)} {what} as of {day} needs "
            f"{window} days of volume before it, has {known} days of volume",
            ticker=ticker,
            date=day,
        )
    return None


def valid(entry: Metric, counts: BarCounts) -> np.ndarray:
    """Where ``entry`` may have a value, by the real-bar rules (bool, one per column).

    A value needs a ticker that traded in the last ``STALE_SESSIONS`` sessions (``fresh``)
    and has at least ``entry.bars_needed`` real bars; the date of the last bar needs one
    bar only (it is what explains a stale ticker).

    Parameters
    ----------
    entry : Metric
    counts : BarCounts
        The real-bar counts of the columns at the as-of row.

    Returns
    -------
    np.ndarray
        bool per column.
    """
    if entry.serve == "bars":
        return counts.bars >= 1
    return counts.fresh & (counts.bars >= entry.bars_needed)


def _fmt(ts: Any) -> str:
    return pd.Timestamp(ts).strftime("%Y-%m-%d")


def explain(
    entry: Metric,
    ticker: str,
    has_bar: np.ndarray,
    index: pd.DatetimeIndex,
    pos: int,
    as_of: pd.Timestamp,
    *,
    start: pd.Timestamp | None = None,
    stale_sessions: int = STALE_SESSIONS,
) -> XlsrcError:
    """Say why ``ticker`` has no value of ``entry`` at row ``pos`` (the text after ``#N/A``).

    In this order: no bar on or before the day (``No price for X on or before D``); no
    trade in the last ``stale_sessions`` sessions (``No trade since <last bar>``); fewer
    real bars than ``entry`` needs (``Too little history for X: needs N trading days
    before D, has M``); for a YTD return no session of the year asked for (``No data for
    2030: the data end 2026-08-03``) or no close at the end of the previous year, for a
    return between dates no close on or before the start; otherwise ``No <label> for X as
    of D`` (an unknown volume, a zero divisor).

    Parameters
    ----------
    entry : Metric
    ticker : str
    has_bar : np.ndarray
        The ticker's real-bar mask, rows ``0..pos`` at least (1-D).
    index : pd.DatetimeIndex
        The calendar; ``index[pos]`` is the as-of day.
    pos : int
        The as-of row.
    as_of : pd.Timestamp
        The date asked for (its year is the YTD year).
    start : pd.Timestamp, optional
        The start date of a ``span`` entry.
    stale_sessions : int
        The staleness limit (sessions).

    Returns
    -------
    XlsrcError
        ``NoDataError``, ``StaleDataError`` or ``InsufficientHistoryError``.
    """
    day = _fmt(index[pos])
    mask = np.asarray(has_bar[: pos + 1], dtype=bool)[:, None]
    bars = int(np.count_nonzero(mask))
    if bars == 0:
        return NoDataError(f"No price for {ticker} on or before {day}", ticker=ticker, date=day)
    last = int(last_bar_rows(mask, pos)[0])
    if entry.serve != "bars" and pos - last > stale_sessions:
        return StaleDataError(ticker=ticker, date=_fmt(index[last]))
    first = int(first_bar_rows(mask, pos)[0])
    if entry.anchor == "window" and bars < entry.bars_needed:
        return InsufficientHistoryError(
            ticker=ticker, needed=entry.bars_needed, available=bars, date=day
        )
    if entry.anchor == "year":
        year = as_of.year
        base = returns.ytd_base_position(index, pos, year)
        if base == returns.NO_SESSION_OF_YEAR:
            no_year = returns.year_without_data(index, pos, year)
            return NoDataError(no_year, ticker=ticker, date=day)
        if base < 0:
            return InsufficientHistoryError(
                f"Too little history for {ticker}: a YTD return for {year} needs a close at "
                f"the end of {year - 1}; the data start {_fmt(index[0])}",
                ticker=ticker,
                date=day,
            )
        if first > base:
            return InsufficientHistoryError(
                f"Too little history for {ticker}: a YTD return for {year} needs a close at "
                f"the end of {year - 1}; its first bar is on {_fmt(index[first])}",
                ticker=ticker,
                date=day,
            )
    if entry.anchor == "start" and start is not None:
        start_pos = int(index.searchsorted(start, side="right")) - 1
        if first > start_pos:
            return NoDataError(
                f"No price for {ticker} on or before {_fmt(start)}", ticker=ticker, date=_fmt(start)
            )
    return NoDataError(f"No {entry.describe()} for {ticker} as of {day}", ticker=ticker, date=day)
