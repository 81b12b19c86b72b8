"""Trading-day constants and period codes, in one place.

Every window in xlsrc counts *trading days* of the store's calendar (the dates on which
the market traded), never calendar days. History minimums (a 20-day SMA needs 20 bars)
count a ticker's *real* bars, the sessions on which it traded: the forward fill of the
close matrix carries a price across a halt but is not history.
"""

from __future__ import annotations

from typing import Final

from .errors import InvalidParameterError

__all__ = [
    "BREADTH_WINDOWS",
    "DEFAULT_BENCHMARK",
    "HIGH_WINDOW",
    "PERIOD_CODES",
    "PERIOD_DAYS",
    "RELVOL_WINDOW",
    "ROTATION_SLOPE_WINDOW",
    "ROTATION_SMA_WINDOWS",
    "ROTATION_TREND_WINDOW",
    "RRG_MOMENTUM_WEEKS",
    "RRG_RATIO_WEEKS",
    "RRG_TAIL_WEEKS",
    "RSI_WINDOW",
    "RS_MIN_DAYS",
    "RS_WEIGHTS",
    "RS_WINDOWS",
    "SMA_WINDOWS",
    "STALE_SESSIONS",
    "START_OF_YEAR_DAYS",
    "START_OF_YEAR_THRESHOLD",
    "TRADING_DAYS_PER_YEAR",
    "VOLATILITY_WINDOW",
    "YTD",
    "parse_period",
    "validate_window",
]

TRADING_DAYS_PER_YEAR: Final = 252

YTD: Final = "YTD"
#: Trailing periods in trading days. ``YTD`` is not a fixed count: see ``returns.ytd_return``.
PERIOD_DAYS: Final[dict[str, int]] = {
    "1D": 1,
    "1W": 5,
    "1M": 21,
    "3M": 63,
    "6M": 126,
    "1Y": 252,
}
PERIOD_CODES: Final[tuple[str, ...]] = (*PERIOD_DAYS, YTD)

#: IBD-style RS score: windows (trading days) and their weights; the latest quarter counts twice.
RS_WINDOWS: Final[tuple[int, ...]] = (63, 126, 189, 252)
RS_WEIGHTS: Final[tuple[float, ...]] = (0.4, 0.2, 0.2, 0.2)
#: With fewer bars than this there is no RS score.
RS_MIN_DAYS: Final = 63

SMA_WINDOWS: Final[tuple[int, ...]] = (20, 50, 200)
RSI_WINDOW: Final = 14
VOLATILITY_WINDOW: Final = 20
RELVOL_WINDOW: Final = 50
HIGH_WINDOW: Final = 252
#: Breadth: the moving averages a universe's members are compared with.
BREADTH_WINDOWS: Final[tuple[int, ...]] = (50, 200)

DEFAULT_BENCHMARK: Final = "SPY"

#: Staleness: a ticker whose last real bar on or before the as-of session is more than
#: this many sessions before it has no current value. Every metric is NaN for it (the
#: reason: ``No trade since <its last bar>``), it gets no RS rating and is no member of an
#: RS ranking or a breadth count. Exactly 5 sessions without a trade (a halt of a week) is
#: still valued, 6 is not. Why 5: a trading halt, an exchange outage or a late provider
#: rarely lasts a week, while a warrant that has not traded for months (UCFIW: one trade,
#: 2025-12-09) would otherwise be priced, rated and counted on a months-old close.
STALE_SESSIONS: Final = 5

#: Pair rotation (small/large ratio): SMAs the ratio is compared with, the SMA that
#: decides "above/below trend" and the look-back of its slope (trading days).
ROTATION_SMA_WINDOWS: Final[tuple[int, ...]] = (20, 50, 200)
ROTATION_TREND_WINDOW: Final = 50
ROTATION_SLOPE_WINDOW: Final = 20
#: Start-of-year rule: small caps beat large caps by more than this (decimal) over the
#: first this-many trading days of January.
START_OF_YEAR_DAYS: Final = 5
START_OF_YEAR_THRESHOLD: Final = 0.02
#: Relative Rotation Graph (weekly): RS-Ratio z-score window, RS-Momentum look-back,
#: default tail length (weeks).
RRG_RATIO_WEEKS: Final = 10
RRG_MOMENTUM_WEEKS: Final = 1
RRG_TAIL_WEEKS: Final = 5


def parse_period(code: object) -> int | str:
    """Turn a period code into a number of trading days, or ``"YTD"``.

    Parameters
    ----------
    code : object
        ``"1D"``, ``"1W"``, ``"1M"``, ``"3M"``, ``"6M"``, ``"1Y"`` or ``"YTD"`` (any case,
        surrounding blanks ignored), or a positive whole number of trading days.

    Returns
    -------
    int or str
        The number of trading days, or ``"YTD"``.

    Raises
    ------
    InvalidParameterError
        For anything else.
    """
    allowed = ", ".join(PERIOD_CODES) + " or a whole number of trading days"
    if isinstance(code, bool):
        raise InvalidParameterError(name="period", value=code, allowed=allowed)
    if isinstance(code, int | float):
        if float(code).is_integer() and code > 0:
            return int(code)
        raise InvalidParameterError(name="period", value=code, allowed=allowed)
    if isinstance(code, str):
        text = code.strip().upper()
        if text == YTD:
            return YTD
        if text in PERIOD_DAYS:
            return PERIOD_DAYS[text]
        if text.isdigit() and int(text) > 0:
            return int(text)
    raise InvalidParameterError(name="period", value=code, allowed=allowed)


def validate_window(window: object, name: str = "window", minimum: int = 1) -> int:
    """Return ``window`` as an int, or raise if it is not a whole number >= ``minimum``.

    Parameters
    ----------
    window : object
        The window length; Excel sends numbers as floats, so ``20.0`` is accepted.
    name : str
        The parameter name used in the error message.
    minimum : int
        The smallest allowed value.

    Returns
    -------
    int
        The window.

    Raises
    ------
    InvalidParameterError
        If ``window`` is not a whole number >= ``minimum``.
    """
    allowed = f"a whole number >= {minimum}"
    if isinstance(window, bool) or not isinstance(window, int | float):
        raise InvalidParameterError(name=name, value=window, allowed=allowed)
    if not float(window).is_integer() or window < minimum:
        raise InvalidParameterError(name=name, value=window, allowed=allowed)
    return int(window)
