"""A writable store layered over the read-only bundled snapshot.

The default store of a machine: the snapshot ships with the package and is read in
place; everything the user adds (refreshed and imported bars, universes, securities
edits) goes to a small writable store (SQLite, or memory in tests). Nothing is copied, so
a fresh machine has no seeding step and uses no disk until it writes.

Precedence, the one rule per kind of data:

- **Bars**: the overlay's row wins per (ticker, session). A history written with
  ``replace=True`` (a re-adjusted or re-imported history) also hides the snapshot's bars
  of that ticker from its first written session on (table ``replaced``); earlier snapshot
  bars stay.
- **Securities**: an overlay value that is not missing overrides the snapshot's; a
  ticker only the overlay knows is added.
- **Universes**: an overlay list replaces the snapshot's list of the same name whole;
  deleting it (``xlsrc universe reset``) brings the bundled list back.
- **Identity**: ``store_id`` is the snapshot's identity plus the overlay's, so a new
  package with a new snapshot never shares a cache key with the old one; the versions are
  the overlay's (the snapshot never changes). An overlay that has never held a bar
  (``bars_version`` 0) adds nothing to the bars it shows, so it adds nothing to the id
  either (``<snapshot>+empty``): creating the store file with a first ``universe set``
  changes only ``data_version``, and a live formula process keeps its price matrices.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Protocol

import numpy as np
import pandas as pd

from ...errors import StoreError
from ..schema import LongBars, StoreStatus, WriteResult, dates_to_days
from ..validate import ValidBars
from .snapshot import SnapshotStore

__all__ = ["LayeredStore", "Overlay"]


class Overlay(Protocol):
    """What the layered store needs of its writable part (SQLite or memory)."""

    location: str

    def identity(self) -> tuple[str, int, int]: ...  # noqa: D102
    def replaced(self) -> dict[str, pd.Timestamp]: ...  # noqa: D102
    def read_long_with_replaced(  # noqa: D102
        self, fields: Sequence[str]
    ) -> tuple[LongBars, dict[str, pd.Timestamp], tuple[str, int, int]]: ...
    def read_bars(  # noqa: D102
        self, tickers: Iterable[str] | str | None = None, start: object = None, end: object = None
    ) -> pd.DataFrame: ...
    def securities(self) -> pd.DataFrame: ...  # noqa: D102
    def universes(self) -> dict[str, tuple[str, ...]]: ...  # noqa: D102
    def universe_sources(self) -> dict[str, str]: ...  # noqa: D102
    def source_summary(self) -> pd.DataFrame: ...  # noqa: D102
    def last_days(self) -> pd.Series: ...  # noqa: D102
    def status(self) -> StoreStatus: ...  # noqa: D102
    def write_bars(  # noqa: D102
        self,
        bars: ValidBars,
        source: str,
        *,
        fetched_at: datetime | str | None = None,
        replace: bool = False,
        description: str | None = None,
    ) -> WriteResult: ...
    def upsert_securities(self, frame: pd.DataFrame) -> WriteResult: ...  # noqa: D102
    def set_universe(self, name: str, tickers: Iterable[str], source: str) -> WriteResult: ...  # noqa: D102
    def delete_universe(self, name: str) -> WriteResult: ...  # noqa: D102


def _hide(base: LongBars, replaced: dict[str, pd.Timestamp]) -> LongBars:
    """Drop the base rows that a replaced history hides (ticker's rows from ``since`` on)."""
    if not replaced or len(base) == 0:
        return base
    position = {str(t): i for i, t in enumerate(base.tickers)}
    since = np.full(len(base.tickers), np.iinfo(np.int32).max, dtype=np.int64)
    for ticker, day in replaced.items():
        if ticker in position:
            since[position[ticker]] = int(dates_to_days([day])[0])
    return base.mask(base.day < since[base.code])


class LayeredStore:
    """A writable overlay over the bundled snapshot (see the module docstring).

    Parameters
    ----------
    base : SnapshotStore
        The read-only snapshot.
    overlay : Overlay
        Where writes go (:class:`~xlsrc.data.backends.sqlite.SqliteStore` or
        :class:`~xlsrc.data.backends.memory.MemoryStore`).
    """

    def __init__(self, base: SnapshotStore, overlay: Overlay) -> None:
        self.base = base
        self.overlay = overlay
        self.location = overlay.location

    def __repr__(self) -> str:
        return f"LayeredStore({self.overlay!r} over {self.base!r})"

    # ------------------------------------------------------------------ reads
    def identity(self) -> tuple[str, int, int]:
        """Return ``(snapshot id + overlay id, data_version, bars_version)`` of the overlay.

        The overlay's id counts only once it has held bars (module docstring).
        """
        return self._identity(self.overlay.identity())

    def _identity(self, overlay: tuple[str, int, int]) -> tuple[str, int, int]:
        store_id, data_version, bars_version = overlay
        bars_id = store_id if bars_version else ""  # no bars ever: the snapshot's bars alone
        return (f"{self.base.snapshot_id}+{bars_id or 'empty'}", data_version, bars_version)

    def read_long(self, fields: Sequence[str]) -> tuple[LongBars, tuple[str, int, int]]:
        """Return the visible bars: snapshot rows not hidden, then the overlay's (which win)."""
        top, replaced, overlay_identity = self.overlay.read_long_with_replaced(fields)
        if replaced:  # some snapshot rows are hidden: the snapshot's bars are copied once
            base, _ = self.base.read_long(fields)
            long = LongBars.concat([_hide(base, replaced), top])
        else:  # the overlay's bars go after the snapshot's, in the same arrays
            long, _ = self.base.read_long(fields, after=top)
        return long, self._identity(overlay_identity)

    def read_long_of(
        self, fields: Sequence[str], tickers: Iterable[str]
    ) -> tuple[LongBars, tuple[str, int, int]]:
        """Return the visible bars of ``tickers`` with ``fields`` (:meth:`read_long` for a few).

        The snapshot's rows of those tickers (only the row groups that hold them), less
        what a replaced history hides, then the overlay's (which win). The identity is
        read before and after, and must not move in between.

        Raises
        ------
        StoreError
            If the store's bars changed while they were read.
        """
        names = list(dict.fromkeys(tickers))
        before = self.identity()
        replaced = self.overlay.replaced()
        base, _ = self.base.read_long_of(fields, names)
        top = LongBars.from_frame(self.overlay.read_bars(names), fields)
        after = self.identity()
        if after[0] != before[0] or after[2] != before[2]:
            raise StoreError(
                f"The store {self.location} changed while reading bars; reload and try again"
            )
        return LongBars.concat([_hide(base, replaced), top]), before

    def read_bars(
        self,
        tickers: Iterable[str] | str | None = None,
        start: object = None,
        end: object = None,
    ) -> pd.DataFrame:
        """Return the visible bars as a long frame (overlay rows win per ticker and day)."""
        if tickers is not None and not isinstance(tickers, str):
            tickers = list(tickers)
        replaced = self.overlay.replaced()
        base = self.base.read_bars(tickers, start, end)
        if replaced and len(base):
            since = base["ticker"].map(replaced)
            base = base[~(since.notna() & (base["date"] >= since))]
        top = self.overlay.read_bars(tickers, start, end)
        if len(top) == 0:
            return base.reset_index(drop=True)
        frame = pd.concat([base, top], ignore_index=True)
        frame = frame.drop_duplicates(["ticker", "date"], keep="last")
        return frame.sort_values(["ticker", "date"], kind="stable").reset_index(drop=True)

    def securities(self) -> pd.DataFrame:
        """Return securities: the snapshot's, with the overlay's known values on top."""
        base = self.base.securities()
        top = self.overlay.securities()
        if len(top) == 0:
            return base
        merged = base.reindex(base.index.union(top.index))
        top = top.reindex(columns=merged.columns)
        merged.loc[top.index] = top.where(top.notna(), merged.loc[top.index])
        merged = merged.astype(object)
        return merged.where(merged.notna(), None).rename_axis("ticker")

    def universes(self) -> dict[str, tuple[str, ...]]:
        """Return the snapshot's universes with the overlay's lists replacing same-named ones."""
        return dict(sorted({**self.base.universes(), **self.overlay.universes()}.items()))

    def universe_sources(self) -> dict[str, str]:
        """Return universe name -> where its list came from."""
        return {**self.base.universe_sources(), **self.overlay.universe_sources()}

    def builtin_universes(self) -> dict[str, tuple[str, ...]]:
        """Return the snapshot's universes as shipped."""
        return self.base.universes()

    def source_summary(self) -> pd.DataFrame:
        """Return the snapshot's sources (as shipped), then the overlay's."""
        parts = [self.base.source_summary(), self.overlay.source_summary()]
        return (
            pd.concat([p for p in parts if len(p)], ignore_index=True)
            if any(len(p) for p in parts)
            else parts[0]
        )

    def last_days(self) -> pd.Series:
        """Return ticker -> date of its last visible bar."""
        base = self.base.last_days()
        top = self.overlay.last_days()
        if len(top) == 0:
            return base
        replaced = self.overlay.replaced()
        hidden = [t for t, since in replaced.items() if t in base.index and base[t] >= since]
        if hidden:
            base = base.drop(hidden)
            earlier = self.base.read_bars(hidden, end=min(replaced[t] for t in hidden))
            earlier = earlier[earlier["date"] < earlier["ticker"].map(replaced)]
            base = pd.concat([base, earlier.groupby("ticker")["date"].max()])
        return pd.concat([base, top]).groupby(level=0).max().rename_axis("ticker")

    def status(self) -> StoreStatus:
        """Describe the layered store (the overlay's versions, the snapshot's version)."""
        from ..matrices import market_ends

        top = self.overlay.status()
        snap = self.base.status()
        stored_first = (
            min(d for d in (snap.first_date, top.first_date) if d)
            if (snap.first_date or top.first_date)
            else None
        )
        first, latest, on_latest, n_tickers = market_ends(self, stored_first)
        return StoreStatus(
            location=self.location,
            backend=f"{top.backend} over the bundled snapshot",
            schema_version=top.schema_version,
            data_version=top.data_version,
            bars_version=top.bars_version,
            snapshot_version=snap.snapshot_version,
            created_at=top.created_at,
            last_refresh=top.last_refresh,
            last_refresh_source=top.last_refresh_source,
            first_date=first,
            last_date=latest,
            n_tickers=n_tickers,
            tickers_on_last_date=on_latest,
            sources=[*snap.sources, *top.sources],
        )

    # ------------------------------------------------------------------ writes
    def write_bars(
        self,
        bars: ValidBars,
        source: str,
        *,
        fetched_at: datetime | str | None = None,
        replace: bool = False,
        description: str | None = None,
    ) -> WriteResult:
        """Write bars to the overlay (see ``Store.write_bars``)."""
        return self.overlay.write_bars(
            bars, source, fetched_at=fetched_at, replace=replace, description=description
        )

    def upsert_securities(self, frame: pd.DataFrame) -> WriteResult:
        """Write securities to the overlay (they override the snapshot's)."""
        return self.overlay.upsert_securities(frame)

    def set_universe(self, name: str, tickers: Iterable[str], source: str) -> WriteResult:
        """Write a universe to the overlay (it replaces a bundled list of the same name)."""
        return self.overlay.set_universe(name, tickers, source)

    def delete_universe(self, name: str) -> WriteResult:
        """Delete the overlay's list (a bundled universe of that name comes back)."""
        return self.overlay.delete_universe(name)
