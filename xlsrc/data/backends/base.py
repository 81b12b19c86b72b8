"""The store interface: what every backend provides and what the rest of xlsrc may call.

Two protocols, in the manner of httpx's ``BaseTransport``: :class:`ReadStore` (the
bundled snapshot implements only this, so writing to it is a type error) and
:class:`Store` (writable backends: SQLite, memory, PostgreSQL, and the layered store).
Backends receive bars only as :class:`~xlsrc.data.validate.ValidBars`, which only the
validation gate makes, and hand bars out as :class:`~xlsrc.data.schema.LongBars` (the
fast path into matrices) or as a long frame (:meth:`ReadStore.read_bars`).

Versions: ``data_version`` changes with every write; ``bars_version`` only with writes of
bars. A formula process reloads price matrices only when ``bars_version`` changed, and
only its securities and universes when ``data_version`` alone changed.

The contract every backend passes is ``tests/test_store_contract.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol, runtime_checkable

import pandas as pd

from ..schema import LongBars, StoreStatus, WriteResult
from ..validate import ValidBars

__all__ = ["Identity", "ReadStore", "Store"]

#: ``(store_id, data_version, bars_version)``: one cheap read says whether anything changed.
Identity = tuple[str, int, int]


@runtime_checkable
class ReadStore(Protocol):
    """What every store can do: read bars, securities, universes and provenance."""

    #: Where the store lives (path or URL, password masked), for messages.
    location: str

    def identity(self) -> Identity:
        """Return ``(store_id, data_version, bars_version)`` in one cheap read."""
        ...

    def read_long(self, fields: Sequence[str]) -> tuple[LongBars, Identity]:
        """Return every visible bar with the given fields, as numpy arrays (fast path).

        The identity returned is the one the bars reflect (read in the same consistent
        view), so a matrix built from them can be keyed by it.
        """
        ...

    def read_bars(
        self,
        tickers: Iterable[str] | str | None = None,
        start: object = None,
        end: object = None,
    ) -> pd.DataFrame:
        """Return visible bars as a long frame sorted by ticker and date.

        Columns: ticker, date (datetime64), open, high, low, close, volume, split_close,
        source, fetched_at. ``start``/``end`` are inclusive.
        """
        ...

    def last_days(self) -> pd.Series:
        """Return ticker -> date of its last visible bar (for incremental refreshes)."""
        ...

    def securities(self) -> pd.DataFrame:
        """Return securities indexed by ticker: name, sector, industry, type."""
        ...

    def universes(self) -> dict[str, tuple[str, ...]]:
        """Return every stored universe: name -> sorted tuple of members."""
        ...

    def universe_sources(self) -> dict[str, str]:
        """Return universe name -> where its membership list came from."""
        ...

    def builtin_universes(self) -> dict[str, tuple[str, ...]]:
        """Return the bundled universes as shipped (what ``universe reset`` restores)."""
        ...

    def source_summary(self) -> pd.DataFrame:
        """Return one row per source: source, detail, tickers, first, last, fetched_at."""
        ...

    def status(self) -> StoreStatus:
        """Describe the store in printable values."""
        ...


@runtime_checkable
class Store(ReadStore, Protocol):
    """A writable store: every write is one transaction and bumps ``data_version``."""

    def write_bars(
        self,
        bars: ValidBars,
        source: str,
        *,
        fetched_at: datetime | str | None = None,
        replace: bool = False,
        description: str | None = None,
    ) -> WriteResult:
        """Upsert checked bars in one transaction (bumps ``bars_version`` too).

        ``replace=True``: each ticker's history from its first written session on is
        replaced (stored days on or after it that the new bars lack disappear, in the
        bundled snapshot too).
        """
        ...

    def upsert_securities(self, frame: pd.DataFrame) -> WriteResult:
        """Insert or update securities (``ticker`` + any of name, sector, industry, type)."""
        ...

    def set_universe(self, name: str, tickers: Iterable[str], source: str) -> WriteResult:
        """Create or replace one universe's membership in one transaction."""
        ...

    def delete_universe(self, name: str) -> WriteResult:
        """Remove a stored universe (a bundled one reverts to its shipped list)."""
        ...
