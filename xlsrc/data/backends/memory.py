"""An in-memory store: the reference semantics of the store contract, and a test double.

:class:`MemoryStore` keeps frames in memory behind a lock. It implements the whole
:class:`~xlsrc.data.backends.base.Store` protocol with the same meaning as SQLite and
PostgreSQL (upserts, replaced histories, versions), in a few dozen lines, so it shows
what the contract *means* and lets tests and notebooks run without a file (the way httpx
ships ``MockTransport``). Location ``memory:`` in :func:`xlsrc.data.open_store`.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

import pandas as pd

from ...errors import UnknownUniverseError
from ..schema import BAR_FIELDS, LongBars, StoreStatus, WriteResult
from ..universes import normalise_ticker
from ..validate import ValidBars, check_securities, check_universe_name

__all__ = ["MemoryStore"]

_BAR_COLS = ["ticker", "date", *BAR_FIELDS, "source", "fetched_at"]


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class MemoryStore:
    """A writable store held in memory (lost when the process ends)."""

    def __init__(self) -> None:
        self.location = "memory:"
        self._lock = threading.RLock()
        self._id = uuid.uuid4().hex
        self._data_version = 0
        self._bars_version = 0
        self._bars = pd.DataFrame({c: pd.Series(dtype=object) for c in _BAR_COLS})
        self._bars["date"] = pd.Series(dtype="datetime64[ns]")
        for f in BAR_FIELDS:
            self._bars[f] = pd.Series(dtype="float64")
        self._securities = pd.DataFrame(
            columns=["name", "sector", "industry", "type"], index=pd.Index([], name="ticker")
        )
        self._universes: dict[str, tuple[str, ...]] = {}
        self._universe_sources: dict[str, str] = {}
        self._sources: dict[str, dict[str, str]] = {}
        self._replaced: dict[str, pd.Timestamp] = {}
        self._created = _now()
        self._last_refresh: tuple[str, str] | None = None

    def __repr__(self) -> str:
        return "MemoryStore()"

    def _bump(self, bars: bool = False) -> None:
        self._data_version += 1
        if bars:
            self._bars_version += 1

    def _result(self, rows: int) -> WriteResult:
        return WriteResult(rows, self._data_version, self._bars_version)

    # ------------------------------------------------------------------ reads
    def identity(self) -> tuple[str, int, int]:
        """Return ``(store_id, data_version, bars_version)``."""
        with self._lock:
            return (self._id, self._data_version, self._bars_version)

    def replaced(self) -> dict[str, pd.Timestamp]:
        """Return ticker -> the first session of its replaced history."""
        with self._lock:
            return dict(self._replaced)

    def read_long_with_replaced(
        self, fields: Sequence[str]
    ) -> tuple[LongBars, dict[str, pd.Timestamp], tuple[str, int, int]]:
        """Return bars, replaced histories and identity in one consistent view."""
        with self._lock:
            return LongBars.from_frame(self._bars, fields), dict(self._replaced), self.identity()

    def read_long(self, fields: Sequence[str]) -> tuple[LongBars, tuple[str, int, int]]:
        """Return every bar with ``fields`` and the identity they reflect."""
        long, _, identity = self.read_long_with_replaced(fields)
        return long, identity

    def read_bars(
        self,
        tickers: Iterable[str] | str | None = None,
        start: object = None,
        end: object = None,
    ) -> pd.DataFrame:
        """Return bars as a long frame sorted by ticker and date."""
        with self._lock:
            frame = self._bars
            if tickers is not None:
                names = [
                    normalise_ticker(t)
                    for t in ([tickers] if isinstance(tickers, str) else tickers)
                ]
                frame = frame[frame["ticker"].isin(names)]
            if start is not None:
                frame = frame[frame["date"] >= pd.Timestamp(start).normalize()]
            if end is not None:
                frame = frame[frame["date"] <= pd.Timestamp(end).normalize()]
            return frame.sort_values(["ticker", "date"]).reset_index(drop=True).copy()

    def securities(self) -> pd.DataFrame:
        """Return securities indexed by ticker: name, sector, industry, type."""
        with self._lock:
            return self._securities.sort_index().copy()

    def universes(self) -> dict[str, tuple[str, ...]]:
        """Return every stored universe: name -> sorted members."""
        with self._lock:
            return dict(sorted(self._universes.items()))

    def universe_sources(self) -> dict[str, str]:
        """Return universe name -> where its list came from."""
        with self._lock:
            return dict(self._universe_sources)

    def builtin_universes(self) -> dict[str, tuple[str, ...]]:
        """Return ``{}``: a memory store ships no universes."""
        return {}

    def source_summary(self) -> pd.DataFrame:
        """Return one row per source: source, detail, tickers, first, last, fetched_at."""
        with self._lock:
            rows = []
            for name, info in self._sources.items():
                part = self._bars[self._bars["source"] == name]
                rows.append(
                    {
                        "source": name,
                        "detail": info.get("description", ""),
                        "tickers": int(part["ticker"].nunique()),
                        "first": part["date"].min() if len(part) else pd.NaT,
                        "last": part["date"].max() if len(part) else pd.NaT,
                        "fetched_at": info.get("fetched_at", ""),
                    }
                )
        frame = pd.DataFrame(
            rows, columns=["source", "detail", "tickers", "first", "last", "fetched_at"]
        )
        frame["tickers"] = frame["tickers"].astype("int64")
        frame["first"] = pd.to_datetime(frame["first"])
        frame["last"] = pd.to_datetime(frame["last"])
        return frame

    def last_days(self) -> pd.Series:
        """Return ticker -> date of its last stored bar."""
        with self._lock:
            return self._bars.groupby("ticker")["date"].max().rename_axis("ticker")

    def status(self) -> StoreStatus:
        """Describe the store in printable values."""
        from ..matrices import market_ends

        with self._lock:
            dates = self._bars["date"]
            first, latest, on_latest, n_tickers = market_ends(
                self, dates.min() if len(dates) else None
            )
            return StoreStatus(
                location=self.location,
                backend="memory",
                schema_version=0,
                data_version=self._data_version,
                bars_version=self._bars_version,
                snapshot_version=None,
                created_at=self._created,
                last_refresh=self._last_refresh[0] if self._last_refresh else None,
                last_refresh_source=self._last_refresh[1] if self._last_refresh else None,
                first_date=first,
                last_date=latest,
                n_tickers=n_tickers,
                tickers_on_last_date=on_latest,
                sources=[
                    {
                        "name": n,
                        "description": i.get("description", ""),
                        "fetched_at": i.get("fetched_at", ""),
                    }
                    for n, i in self._sources.items()
                ],
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
        """Upsert checked bars (see ``Store.write_bars``)."""
        if not isinstance(bars, ValidBars):
            raise TypeError("write_bars takes ValidBars (xlsrc.data.validate.check_bars)")
        stamp = (
            fetched_at
            if isinstance(fetched_at, str)
            else (
                fetched_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if fetched_at else _now()
            )
        )
        new = bars.frame.assign(source=source, fetched_at=stamp)
        with self._lock:
            old = self._bars
            if replace:
                for t, since in bars.first_dates().items():
                    old = old[~((old["ticker"] == t) & (old["date"] >= since))]
                    self._replaced[t] = min(since, self._replaced.get(t, since))
            key_new = pd.MultiIndex.from_frame(new[["ticker", "date"]])
            key_old = pd.MultiIndex.from_frame(old[["ticker", "date"]])
            old = old[~key_old.isin(key_new)]
            self._bars = pd.concat([old, new[_BAR_COLS]], ignore_index=True).sort_values(
                ["ticker", "date"], ignore_index=True
            )
            info = self._sources.setdefault(source, {})
            info["fetched_at"] = stamp
            if description and not info.get("description"):
                info["description"] = description
            for t in bars.tickers:
                if t not in self._securities.index:
                    self._securities.loc[t] = [None, None, None, None]
            self._last_refresh = (_now(), source)
            self._bump(bars=True)
            return self._result(len(new))

    def upsert_securities(self, frame: pd.DataFrame) -> WriteResult:
        """Insert or update securities; a missing value leaves the stored one."""
        data = check_securities(frame)
        cols = list(data.columns[1:])
        with self._lock:
            for rec in data.to_dict("records"):
                t = rec["ticker"]
                if t not in self._securities.index:
                    self._securities.loc[t] = [None, None, None, None]
                for c in cols:
                    if rec[c] is not None:
                        self._securities.loc[t, c] = rec[c]
            self._bump()
            return self._result(len(frame))

    def set_universe(self, name: str, tickers: Iterable[str], source: str) -> WriteResult:
        """Create or replace one universe's membership."""
        key = check_universe_name(name)
        members = tuple(sorted({normalise_ticker(t) for t in tickers}))
        with self._lock:
            self._universes[key] = members
            self._universe_sources[key] = source
            self._bump()
            return self._result(len(members))

    def delete_universe(self, name: str) -> WriteResult:
        """Remove a stored universe (UnknownUniverseError if absent)."""
        key = check_universe_name(name)
        with self._lock:
            if key not in self._universes:
                raise UnknownUniverseError(
                    name=name, known=", ".join(sorted(self._universes)) or "none"
                )
            del self._universes[key]
            self._universe_sources.pop(key, None)
            self._bump()
            return self._result(0)
