"""Market breadth: the share of a universe's members above their moving average."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..errors import InsufficientHistoryError
from ..periods import validate_window
from .history import asof_position

__all__ = ["pct_above_sma"]


def pct_above_sma(
    close: pd.DataFrame, members: Iterable[str], window: object, as_of: object
) -> float:
    """Share of ``members`` whose close is above their ``window``-day SMA as of a date.

    A member *counts* when it has at least ``window`` bars on or before the as-of row
    ``p`` (so a bar at ``p`` and an SMA); it is *above* when
    ``close[p] > mean(close[p - window + 1 .. p])`` (strictly). The result is
    ``above / counted``, a decimal in [0, 1]. Members that are not columns of ``close``
    are ignored (the caller validates universes).

    Parameters
    ----------
    close : pd.DataFrame
        Close matrix (dates x tickers).
    members : iterable of str
        The universe's tickers.
    window : int
        SMA length (50, 200, ...), a whole number >= 1.
    as_of : date-like
        The as-of date.

    Returns
    -------
    float
        The share of counted members above their SMA.

    Raises
    ------
    InvalidParameterError
        If ``window`` is not a whole number >= 1.
    NoDataError
        If ``as_of`` is before the first calendar date.
    InsufficientHistoryError
        If no member has ``window`` bars as of the date.
    """
    window = validate_window(window)
    pos = asof_position(close.index, as_of)
    cols = close.columns.get_indexer(pd.Index(members).unique())
    cols = cols[cols >= 0]
    date = f"{close.index[pos]:%Y-%m-%d}"
    if pos + 1 - window < 0 or cols.size == 0:
        raise InsufficientHistoryError(
            ticker="the universe", needed=window, available=pos + 1, date=date
        )
    arr = close.to_numpy(dtype=float, copy=False)
    block = arr[pos + 1 - window : pos + 1, cols]
    mean = block.mean(axis=0)  # NaN when a member has fewer than `window` bars
    counted = ~np.isnan(mean)
    if not counted.any():
        raise InsufficientHistoryError(
            f"No member of the universe has {window} trading days of history on {date}",
            ticker="the universe",
            needed=window,
            date=date,
        )
    above = block[-1][counted] > mean[counted]
    return float(above.mean())
