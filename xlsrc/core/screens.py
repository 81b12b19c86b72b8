"""Screens that narrow a universe before ranking: a minimum price.

Minimum price
    ``kept = {t in members : close[p, t] >= min_price}``, ``p`` the as-of row. Many
    IBD-style tools rank only stocks priced at $5 or more (the reference tool in
    ``shared/data/reference`` does); xlsrc's default universe has no such floor. The close
    is the store's adjusted close (splits and dividends, adjusted as of the data's
    fetch), so for a past date it can sit below the price that traded then by the
    dividends paid since: a stock at $5.10 that paid $0.20 afterwards is screened out.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..errors import InvalidParameterError
from .history import asof_position

__all__ = ["priced_at_least"]


def priced_at_least(
    close: pd.DataFrame, members: Iterable[str], as_of: object, min_price: float
) -> pd.Index:
    """Return the members whose close on the as-of row is at least ``min_price``.

    Parameters
    ----------
    close : pd.DataFrame
        Close matrix (dates x tickers).
    members : iterable of str
        The universe to screen; tickers that are not columns of ``close`` are dropped.
    as_of : date-like
        The as-of date.
    min_price : float
        The floor, in the closes' currency (for example 5.0); a positive number.

    Returns
    -------
    pd.Index
        The members kept, in their order (duplicates dropped); a member without a close
        on or before the as-of row is not kept.

    Raises
    ------
    InvalidParameterError
        If ``min_price`` is not a positive number.
    NoDataError
        If ``as_of`` is before the first calendar date.
    """
    if (
        isinstance(min_price, bool)
        or not isinstance(min_price, int | float)
        or not np.isfinite(min_price)
        or min_price <= 0
    ):
        raise InvalidParameterError(name="min_price", value=min_price, allowed="a positive number")
    pos = asof_position(close.index, as_of)
    wanted = pd.Index(members).unique()
    wanted = wanted[wanted.isin(close.columns)]
    last = close.iloc[pos].reindex(wanted).to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        keep = last >= float(min_price)
    return pd.Index(wanted[keep], name="ticker")
