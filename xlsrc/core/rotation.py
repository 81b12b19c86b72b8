"""Market rotation: small/large pair ratios, the start-of-year rule, RRG, sector scores.

Pair rotation
    ``ratio = close[small] / close[large]``; ``pct_vs_smaN = ratio[p] / SMA_N(ratio) - 1``
    for N in 20, 50, 200; ``slope = ratio[p] / ratio[p - 20] - 1``;
    ``ytd_spread = YTD(small) - YTD(large)``; ``one_month_spread = r21(small) - r21(large)``.
    Label, from the ratio against its 50-day SMA (``above = ratio >= SMA50``) and the
    20-day slope (``rising = slope > 0``):

    ============  ==========  ============================
    above SMA50   rising      label
    ============  ==========  ============================
    yes           yes         "Small caps leading"
    yes           no          "Small caps turning down"
    no            yes         "Small caps turning up"
    no            no          "Small caps lagging"
    ============  ==========  ============================

Start-of-year rule
    Over the first ``days`` (default 5) trading days of the as-of year, measured from the
    last close of the previous year: ``spread = r(small) - r(large)`` (default IWM vs QQQ);
    the signal is on when ``spread > threshold`` (default 0.02 = 2 points).

Relative Rotation Graph (an approximation: JdK's RS-Ratio and RS-Momentum are proprietary)
    Weekly closes = the last close of each week ending Friday (``W-FRI``; the last week
    ends at the as-of date and may be partial). ``RS = 100 * P / B``.
    ``RS-Ratio = 100 + (RS - mean_n(RS)) / std_n(RS)``: the z-score of RS against its own
    last ``n`` weekly values (``n = 10`` weeks, sample std, current week included).
    ``RS-Momentum = 100 + (RS-Ratio_t - RS-Ratio_{t-m})``: the change of RS-Ratio over
    ``m`` weeks (default 1), in the same z units, so it is above 100 exactly when RS-Ratio
    is rising. Quadrants: Leading (ratio > 100, momentum > 100), Weakening (ratio > 100,
    momentum <= 100), Lagging (both <= 100), Improving (ratio <= 100, momentum > 100).
    The first value needs ``n + m`` weeks of both series. The benchmark placed against
    itself (a sector SPDR that is also the benchmark) has an RS line of 100 every week:
    RS-Ratio 100, RS-Momentum 100, quadrant ``"Benchmark"`` (the z-score of a constant
    is taken as 0).

Sector score ("mean RS of S&P 1500 members" with the default members)
    ``score(s) = mean(rating[t] for t in members with sector[t] == s and a rating)``: the
    equal-weighted mean RS rating (1..99, each stock rated against every stock in the
    store, as everywhere in xlsrc) of the sector's members in an investable universe,
    by default the S&P 1500 (``sp500`` + ``sp400`` + ``sp600``): a 0-100 figure
    comparable across sectors on one date. Averaged over every stock in the store
    instead (6,076, mostly micro-caps), the score ranked the sectors against their own
    SPDRs' RS ratings with a Spearman correlation of 0.30 on 2026-01-22 (Consumer Staples
    last while XLP was third by YTD); over the S&P 1500 it is 0.74 (S&P 500: 0.86), the
    sector SPDRs holding S&P 500 stocks cap-weighted while this mean is equal-weighted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import InsufficientHistoryError, InvalidParameterError, NoDataError
from ..periods import (
    PERIOD_DAYS,
    ROTATION_SLOPE_WINDOW,
    ROTATION_SMA_WINDOWS,
    ROTATION_TREND_WINDOW,
    RRG_MOMENTUM_WEEKS,
    RRG_RATIO_WEEKS,
    RRG_TAIL_WEEKS,
    START_OF_YEAR_DAYS,
    START_OF_YEAR_THRESHOLD,
    validate_window,
)
from .history import as_timestamp, asof_position, require_history
from .returns import NO_SESSION_OF_YEAR, year_without_data, ytd_base_position
from .rs import rs_line_series

__all__ = [
    "BENCHMARK",
    "QUADRANTS",
    "PairRotation",
    "StartOfYearSignal",
    "pair_rotation",
    "quadrant",
    "rrg",
    "rrg_history",
    "rrg_tail",
    "sector_scores",
    "start_of_year_signal",
]

QUADRANTS: tuple[str, ...] = ("Leading", "Weakening", "Lagging", "Improving")
#: The "quadrant" of the benchmark itself when it is one of the tickers placed: its RS
#: line is 100 every week, so it sits at the centre (RS-Ratio 100, RS-Momentum 100).
BENCHMARK = "Benchmark"


@dataclass(frozen=True)
class PairRotation:
    """The state of a small/large ratio as of a date (see the module docstring)."""

    small: str
    large: str
    date: pd.Timestamp
    ratio: float
    pct_vs_sma20: float
    pct_vs_sma50: float
    pct_vs_sma200: float
    slope20: float
    ytd_spread: float
    one_month_spread: float
    label: str


@dataclass(frozen=True)
class StartOfYearSignal:
    """The start-of-year rule for one year (see the module docstring).

    ``complete`` is False while fewer than ``days`` trading days of January have passed
    as of the requested date (the returns are then to date).
    """

    year: int
    base_date: pd.Timestamp
    end_date: pd.Timestamp
    days: int
    small: str
    large: str
    small_return: float
    large_return: float
    spread: float
    threshold: float
    signal: bool
    complete: bool


def _label(above: bool, rising: bool) -> str:
    if above:
        return "Small caps leading" if rising else "Small caps turning down"
    return "Small caps turning up" if rising else "Small caps lagging"


def pair_rotation(close: pd.DataFrame, small: str, large: str, as_of: object) -> PairRotation:
    """Ratio ``small / large``, its trend and the return spreads as of a date.

    Parameters
    ----------
    close : pd.DataFrame
        Close matrix (dates x tickers).
    small, large : str
        The small-cap and the large-cap series (for example ``"IWM"``, ``"SPY"``).
    as_of : date-like
        The as-of date.

    Returns
    -------
    PairRotation
        Ratio, ``pct_vs_sma20/50/200`` (NaN when the pair has fewer bars than the SMA),
        ``slope20``, ``ytd_spread`` (NaN without a previous-year close),
        ``one_month_spread`` (21 trading days) and the label.

    Raises
    ------
    InvalidParameterError
        If ``small`` and ``large`` are the same ticker (a constant ratio of 1 has no
        trend: it would read as "turning down").
    UnknownTickerError
        If a ticker is not a column.
    NoDataError
        If either has no bar on or before ``as_of``.
    InsufficientHistoryError
        If either has fewer than 50 bars (the 50-day SMA; the 20-day slope needs 21).
    """
    if small == large:
        raise InvalidParameterError(
            f"Invalid pair: {small} / {large} is one ticker twice (its ratio is 1 on every "
            "day and says nothing of who leads); give two tickers, e.g. IWM and SPY",
            name="large",
            value=large,
        )
    ts = as_timestamp(as_of)
    needed = max(ROTATION_TREND_WINDOW, ROTATION_SLOPE_WINDOW + 1)
    require_history(close, small, ts, needed)
    require_history(close, large, ts, needed)
    pos = asof_position(close.index, ts)
    line = rs_line_series(close, small, large, ts).to_numpy()
    ratio = float(line[-1])

    def vs_sma(n: int) -> float:
        window = line[-n:]
        if window.size < n or np.isnan(window).any():
            return float("nan")
        return float(ratio / window.mean() - 1.0)

    pct = {n: vs_sma(n) for n in ROTATION_SMA_WINDOWS}
    trend = vs_sma(ROTATION_TREND_WINDOW)
    slope = float(ratio / line[-1 - ROTATION_SLOPE_WINDOW] - 1.0)

    arr = close[[small, large]].to_numpy(dtype=float)
    base = ytd_base_position(close.index, pos, ts.year)  # the year of the date asked for
    if base >= 0:
        ytd = arr[pos] / arr[base] - 1.0
        ytd_spread = float(ytd[0] - ytd[1])
    else:
        ytd_spread = float("nan")
    m = PERIOD_DAYS["1M"]
    if pos - m >= 0:
        r1m = arr[pos] / arr[pos - m] - 1.0
        one_month = float(r1m[0] - r1m[1])
    else:
        one_month = float("nan")
    return PairRotation(
        small=small,
        large=large,
        date=close.index[pos],
        ratio=ratio,
        pct_vs_sma20=pct.get(20, float("nan")),
        pct_vs_sma50=pct.get(50, float("nan")),
        pct_vs_sma200=pct.get(200, float("nan")),
        slope20=slope,
        ytd_spread=ytd_spread,
        one_month_spread=one_month,
        label=_label(trend >= 0.0, slope > 0.0),
    )


def start_of_year_signal(
    close: pd.DataFrame,
    as_of: object,
    small: str = "IWM",
    large: str = "QQQ",
    days: object = START_OF_YEAR_DAYS,
    threshold: float = START_OF_YEAR_THRESHOLD,
) -> StartOfYearSignal:
    """Test the start-of-year rule: ``small`` beating ``large`` by > ``threshold`` early in January.

    Returns from the last close of the previous year to the close of the ``days``-th
    trading day of the as-of year (or of the as-of row, if earlier):
    ``spread = r(small) - r(large)``, ``signal = spread > threshold``.

    Parameters
    ----------
    close : pd.DataFrame
        Close matrix (dates x tickers).
    as_of : date-like
        Any date in the year of interest. Before that year's first session (1 January)
        no session has passed: both returns are 0.0 and ``complete`` is False.
    small, large : str
        Default Russell 2000 (IWM) against Nasdaq-100 (QQQ).
    days : int
        Number of January trading days, a whole number >= 1 (default 5).
    threshold : float
        Margin as a decimal (default 0.02 = 2 points).

    Returns
    -------
    StartOfYearSignal
        Returns, spread, signal and whether the ``days`` have all passed.

    Raises
    ------
    InvalidParameterError
        If ``days`` is not a whole number >= 1 or ``threshold`` is not a number.
    UnknownTickerError
        If a ticker is not a column.
    NoDataError
        If ``as_of`` is before the first calendar date, either ticker has no close at
        the end of the previous year, or the calendar has no session of the year of
        ``as_of`` (a date past the data: ``No data for 2030: the data end 2026-08-03``).
    InsufficientHistoryError
        If the calendar has no trading day of the previous year.
    """
    days = validate_window(days, "days")
    if isinstance(threshold, bool) or not isinstance(threshold, int | float):
        raise InvalidParameterError(name="threshold", value=threshold, allowed="a number")
    ts = as_timestamp(as_of)
    pos = asof_position(close.index, ts)
    year = ts.year  # the year of the date asked for, as every YTD figure
    base = ytd_base_position(close.index, pos, year)
    if base == NO_SESSION_OF_YEAR:
        raise NoDataError(year_without_data(close.index, pos, year), ticker=f"{small}/{large}")
    if base < 0:
        raise InsufficientHistoryError(
            f"No trading day of {year - 1} in the data: the start-of-year rule for {year} "
            "needs the last close of the previous year",
            ticker=f"{small}/{large}",
        )
    require_history(close, small, close.index[base], 1)
    require_history(close, large, close.index[base], 1)
    end = min(base + days, pos)
    arr = close[[small, large]].to_numpy(dtype=float)
    r = arr[end] / arr[base] - 1.0
    spread = float(r[0] - r[1])
    complete = base + days <= pos
    return StartOfYearSignal(
        year=year,
        base_date=close.index[base],
        end_date=close.index[end],
        days=days,
        small=small,
        large=large,
        small_return=float(r[0]),
        large_return=float(r[1]),
        spread=spread,
        threshold=float(threshold),
        signal=bool(spread > threshold),
        complete=bool(complete),
    )


def quadrant(rs_ratio: float, rs_momentum: float) -> str | None:
    """RRG quadrant of a point (None when either coordinate is NaN).

    Parameters
    ----------
    rs_ratio, rs_momentum : float
        The coordinates (centred on 100).

    Returns
    -------
    str or None
        ``"Leading"`` (both > 100), ``"Weakening"`` (ratio > 100, momentum <= 100),
        ``"Lagging"`` (both <= 100), ``"Improving"`` (ratio <= 100, momentum > 100).
    """
    if np.isnan(rs_ratio) or np.isnan(rs_momentum):
        return None
    if rs_ratio > 100:
        return "Leading" if rs_momentum > 100 else "Weakening"
    return "Improving" if rs_momentum > 100 else "Lagging"


def _quadrants(ratio: np.ndarray, momentum: np.ndarray) -> np.ndarray:
    out = np.select(
        [
            (ratio > 100) & (momentum > 100),
            (ratio > 100) & (momentum <= 100),
            (ratio <= 100) & (momentum <= 100),
            (ratio <= 100) & (momentum > 100),
        ],
        list(QUADRANTS),
        default="",
    ).astype(object)
    out[out == ""] = None
    return out


def rrg_history(
    close: pd.DataFrame,
    tickers: Iterable[str],
    benchmark: str,
    as_of: object,
    ratio_weeks: object = RRG_RATIO_WEEKS,
    momentum_weeks: object = RRG_MOMENTUM_WEEKS,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Weekly RS-Ratio and RS-Momentum of ``tickers`` against ``benchmark`` up to ``as_of``.

    See the module docstring for the formulas.

    Parameters
    ----------
    close : pd.DataFrame
        Close matrix (dates x tickers).
    tickers : iterable of str
        The series to place (for example the sector SPDRs).
    benchmark : str
        The benchmark (for example ``"SPY"``).
    as_of : date-like
        The last date.
    ratio_weeks : int
        Z-score window ``n`` (weeks, >= 2).
    momentum_weeks : int
        Momentum look-back ``m`` (weeks, >= 1).

    Returns
    -------
    (pd.DataFrame, pd.DataFrame)
        RS-Ratio and RS-Momentum, rows = week-end dates (the last trading day of each
        week), columns = ``tickers``; NaN until enough weeks.

    Raises
    ------
    InvalidParameterError
        For a bad window.
    UnknownTickerError
        If a ticker or the benchmark is not a column.
    NoDataError
        If the benchmark has no bar on or before ``as_of``.
    """
    n = validate_window(ratio_weeks, "ratio_weeks", minimum=2)
    m = validate_window(momentum_weeks, "momentum_weeks")
    tickers = list(dict.fromkeys(tickers))
    ts = as_timestamp(as_of)
    for t in tickers:
        require_history(close, t, ts, 1)
    require_history(close, benchmark, ts, 1)
    pos = asof_position(close.index, ts)
    # the benchmark may be one of the tickers (SECTORS with benchmark XLK): one column
    block = close[list(dict.fromkeys([*tickers, benchmark]))].iloc[: pos + 1]
    # last close of each week ending Friday, labelled by the week's last trading day
    week = block.index.to_period("W-FRI")
    weekly = block.groupby(week).tail(1)
    rs = 100.0 * weekly[tickers].div(weekly[benchmark], axis=0)
    mean = rs.rolling(n, min_periods=n).mean()
    std = rs.rolling(n, min_periods=n).std(ddof=1)
    ratio = 100.0 + (rs - mean) / std.where(std > 0)
    if benchmark in tickers:  # its RS line is 100 every week: it sits at the centre
        ratio[benchmark] = ratio[benchmark].where(mean[benchmark].isna(), 100.0)
    momentum = 100.0 + (ratio - ratio.shift(m))
    return ratio, momentum


def rrg(
    close: pd.DataFrame,
    tickers: Iterable[str],
    benchmark: str,
    as_of: object,
    ratio_weeks: object = RRG_RATIO_WEEKS,
    momentum_weeks: object = RRG_MOMENTUM_WEEKS,
) -> pd.DataFrame:
    """Relative Rotation Graph as of a date: RS-Ratio, RS-Momentum and quadrant per ticker.

    Parameters
    ----------
    close : pd.DataFrame
        Close matrix (dates x tickers).
    tickers : iterable of str
        The series to place.
    benchmark : str
        The benchmark.
    as_of : date-like
        The as-of date (its week is the last, possibly partial, week).
    ratio_weeks, momentum_weeks : int
        See :func:`rrg_history`.

    Returns
    -------
    pd.DataFrame
        Index = tickers; columns ``rs_ratio``, ``rs_momentum``, ``quadrant`` (None and NaN
        when a ticker has fewer than ``ratio_weeks + momentum_weeks`` weeks).

    Raises
    ------
    InvalidParameterError, UnknownTickerError, NoDataError
        As :func:`rrg_history`.
    """
    ratio, momentum = rrg_history(close, tickers, benchmark, as_of, ratio_weeks, momentum_weeks)
    r = ratio.iloc[-1].to_numpy(dtype=float)
    mo = momentum.iloc[-1].to_numpy(dtype=float)
    out = pd.DataFrame({"rs_ratio": r, "rs_momentum": mo}, index=ratio.columns)
    out["quadrant"] = _quadrants(r, mo)
    if benchmark in out.index and pd.notna(out.at[benchmark, "quadrant"]):
        out.at[benchmark, "quadrant"] = BENCHMARK
    out.index.name = "ticker"
    return out


def rrg_tail(
    close: pd.DataFrame,
    tickers: Iterable[str],
    benchmark: str,
    as_of: object,
    weeks: object = RRG_TAIL_WEEKS,
    ratio_weeks: object = RRG_RATIO_WEEKS,
    momentum_weeks: object = RRG_MOMENTUM_WEEKS,
) -> pd.DataFrame:
    """Return the last ``weeks`` RRG points of each ticker, for drawing tails on a chart.

    Parameters
    ----------
    close : pd.DataFrame
        Close matrix (dates x tickers).
    tickers : iterable of str
        The series to place.
    benchmark : str
        The benchmark.
    as_of : date-like
        The as-of date (the last point).
    weeks : int
        Tail length in weeks, a whole number >= 1 (default 5).
    ratio_weeks, momentum_weeks : int
        See :func:`rrg_history`.

    Returns
    -------
    pd.DataFrame
        Long table with columns ``ticker``, ``date`` (week end), ``rs_ratio``,
        ``rs_momentum``, ``quadrant``: oldest first within each ticker, tickers in the
        given order; weeks without a value are left out.

    Raises
    ------
    InvalidParameterError, UnknownTickerError, NoDataError
        As :func:`rrg_history`.
    """
    k = validate_window(weeks, "weeks")
    ratio, momentum = rrg_history(close, tickers, benchmark, as_of, ratio_weeks, momentum_weeks)
    ratio, momentum = ratio.iloc[-k:], momentum.iloc[-k:]
    long = pd.DataFrame(
        {
            "ticker": np.repeat(ratio.columns.to_numpy(), len(ratio)),
            "date": np.tile(ratio.index.to_numpy(), ratio.shape[1]),
            "rs_ratio": ratio.to_numpy().T.ravel(),
            "rs_momentum": momentum.to_numpy().T.ravel(),
        }
    )
    long = long.dropna(subset=["rs_ratio", "rs_momentum"]).reset_index(drop=True)
    long["quadrant"] = _quadrants(long["rs_ratio"].to_numpy(), long["rs_momentum"].to_numpy())
    long.loc[long["ticker"] == benchmark, "quadrant"] = BENCHMARK
    return long


def sector_scores(
    ratings: pd.Series, sectors: pd.Series, members: Iterable[str] | None = None
) -> pd.Series:
    """Sector score: the mean RS rating of each sector's rated members.

    ``score(sector) = mean(rating[t] for t in members with sectors[t] == sector and a
    rating)``, a figure in [1, 99] (on the 0-100 scale), comparable across sectors on one
    date. The dashboard's members are an investable universe, by default the S&P 1500
    (see the module docstring for why, with the measured figures).

    Parameters
    ----------
    ratings : pd.Series
        RS ratings indexed by ticker (from :func:`xlsrc.core.rs.rs_rating`).
    sectors : pd.Series
        Sector name indexed by ticker (tickers without a sector are ignored).
    members : iterable of str, optional
        The tickers averaged (for example the S&P 1500's members); tickers missing from
        ``ratings`` are ignored. Default: every ticker of ``ratings``.

    Returns
    -------
    pd.Series
        Score per sector (index named ``sector``), highest first, ties by name; sectors
        without a rated member are left out.
    """
    if members is not None:
        keep = pd.Index(members).unique()
        # get_indexer, not Index.isin: with pandas' str dtype isin is ~50x slower
        ratings = ratings.reindex(keep[ratings.index.get_indexer(keep) >= 0])
    joined = pd.DataFrame({"rating": ratings, "sector": sectors.reindex(ratings.index)})
    joined = joined.dropna()
    scores = joined.groupby("sector")["rating"].mean()
    scores = scores.reset_index().sort_values(["rating", "sector"], ascending=[False, True])
    out = pd.Series(scores["rating"].to_numpy(), index=pd.Index(scores["sector"], name="sector"))
    out.name = "sector_score"
    return out
