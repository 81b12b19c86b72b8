"""A Market over hand-made price matrices, for tests whose every value is worked out by hand.

``hand_market({"AAA": [10, 11, None, 12], ...})`` gives a :class:`xlsrc.market.Market`
whose ``close`` is the given closes on consecutive business days, forward-filled after
each ticker's first bar as the store's matrices are, and whose ``has_bar`` is True exactly
where a close was given (``None``/NaN = no trade that session). The store behind it is a
stand-in with the few methods the Market reads; this is the one place to adapt if the
Market's loading changes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from xlsrc.data.store import Matrices
from xlsrc.market import Market


class HandStore:
    """The store methods a Market reads, over fixed frames."""

    def __init__(
        self,
        raw: pd.DataFrame,
        volume: pd.DataFrame,
        securities: pd.DataFrame,
        universes: Mapping[str, Sequence[str]],
    ) -> None:
        self.path = Path("hand-made")
        self._raw = raw
        self._volume = volume
        self._securities = securities
        self._universes = {k: tuple(v) for k, v in universes.items()}

    def load_matrices(self) -> Matrices:
        raw = self._raw
        has_bar = raw.notna().to_numpy()
        rows = np.arange(len(raw.index))[:, None]
        last_row = np.where(has_bar, rows, -1).max(axis=0)
        last_bar = pd.Series(
            np.where(
                last_row >= 0,
                raw.index.to_numpy()[np.maximum(last_row, 0)],
                np.datetime64("NaT"),
            ),
            index=raw.columns,
            name="last_bar",
        )
        return Matrices(
            close=raw.ffill(),
            volume=self._volume,
            last_bar=last_bar,
            data_version=1,
            has_bar=has_bar,
        )

    def securities(self) -> pd.DataFrame:
        return self._securities

    def universes(self) -> dict[str, tuple[str, ...]]:
        return dict(self._universes)

    def universe_sources(self) -> dict[str, str]:
        return {}

    def data_version(self) -> int:
        return 1


def hand_market(
    closes: Mapping[str, Sequence[float | None]],
    start: str = "2026-01-05",
    types: Mapping[str, str] | None = None,
    volumes: Mapping[str, Sequence[float | None]] | None = None,
    universes: Mapping[str, Sequence[str]] | None = None,
) -> Market:
    """Return a Market over ``closes`` (one list per ticker, one value per business day).

    ``types`` maps tickers to stock/etf/index/other (default stock); ``volumes`` gives
    volumes (default unknown).
    """
    n = len(next(iter(closes.values())))
    index = pd.bdate_range(start, periods=n, name="date")
    columns = pd.Index(sorted(closes), name="ticker")
    raw = pd.DataFrame(
        {
            t: np.array([np.nan if v is None else v for v in closes[t]], dtype=float)
            for t in columns
        },
        index=index,
    )[columns]
    volume = pd.DataFrame(np.nan, index=index, columns=columns)
    for t, values in (volumes or {}).items():
        volume[t] = np.array([np.nan if v is None else v for v in values], dtype=float)
    kinds = dict(types or {})
    securities = pd.DataFrame(
        {
            "name": [f"{t} Inc" for t in columns],
            "sector": [None] * len(columns),
            "industry": [None] * len(columns),
            "type": [kinds.get(t, "stock") for t in columns],
        },
        index=columns,
    )
    return Market(HandStore(raw, volume, securities, universes or {}))  # type: ignore[arg-type]
