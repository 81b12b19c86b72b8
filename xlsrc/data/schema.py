"""The shapes the data layer passes around: bar fields, security types, long and wide bars.

Every backend (the bundled snapshot, SQLite, memory, PostgreSQL) hands bars to the rest of
xlsrc in these shapes, so the pivot into matrices, the latest-session rule and the cache
are written once (:mod:`xlsrc.data.matrices`).

- :class:`LongBars`: one row per (ticker, session) as numpy arrays, the fast read path.
- :class:`StoreStatus`: what a store says about itself, in printable values.
- :class:`WriteResult`: what one committed write changed (versions before and after).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import pandas as pd

__all__ = [
    "BAR_COLUMNS",
    "BAR_FIELDS",
    "PRICE_FIELDS",
    "SECURITY_COLUMNS",
    "SECURITY_TYPES",
    "LongBars",
    "StoreStatus",
    "WriteResult",
    "dates_to_days",
    "days_to_dates",
]

#: Price and volume fields of a daily bar, in storage order. ``close`` is the split- and
#: dividend-adjusted close (total-return basis, what every metric uses by default);
#: ``split_close`` is the close adjusted for splits only (price basis), where the
#: provider gave it (yfinance ``Close`` with ``auto_adjust=False``), else NaN.
BAR_FIELDS: Final[tuple[str, ...]] = ("open", "high", "low", "close", "volume", "split_close")
#: Price fields (positive where present).
PRICE_FIELDS: Final[tuple[str, ...]] = ("open", "high", "low", "close", "split_close")
#: Columns of a long bar frame handed to :func:`xlsrc.data.validate.check_bars`.
BAR_COLUMNS: Final[tuple[str, ...]] = ("ticker", "date", *BAR_FIELDS)
#: Columns of the securities table.
SECURITY_COLUMNS: Final[tuple[str, ...]] = ("ticker", "name", "sector", "industry", "type")
#: Security types: ``other`` = warrants, rights, units, preferreds, notes, funds and the
#: unclassified (rated against ``stocks`` without joining it).
SECURITY_TYPES: Final[tuple[str, ...]] = ("stock", "etf", "index", "other")

_EPOCH = np.datetime64("1970-01-01", "D")


def dates_to_days(dates: object) -> np.ndarray:
    """Return dates as ``int32`` days since 1970-01-01 (the compact form of a session)."""
    arr = np.asarray(pd.DatetimeIndex(np.atleast_1d(np.asarray(dates, dtype="datetime64[ns]"))))
    return (arr.astype("datetime64[D]") - _EPOCH).astype(np.int32)


def days_to_dates(days: np.ndarray) -> pd.DatetimeIndex:
    """Return ``int32`` day numbers as a naive midnight ``DatetimeIndex``."""
    return pd.DatetimeIndex(
        (np.asarray(days, dtype=np.int64) + _EPOCH.astype(np.int64))
        .astype("datetime64[D]")
        .astype("datetime64[ns]")
    )


@dataclass(frozen=True)
class LongBars:
    """Bars in long form as numpy arrays: one row per (ticker, day).

    Attributes
    ----------
    tickers : np.ndarray
        Object array of the distinct ticker names the codes point into (any order).
    code : np.ndarray
        ``int32`` per row: position of the row's ticker in ``tickers``.
    day : np.ndarray
        ``int32`` per row: the session as days since 1970-01-01.
    fields : dict of str to np.ndarray
        Requested fields (names from :data:`BAR_FIELDS`), ``float64`` per row, NaN where
        unknown.

    Notes
    -----
    Rows may repeat a (ticker, day): :meth:`concat` keeps them in order and the matrix
    builder writes them in order, so a later row wins. That is how an overlay's bars take
    precedence over the bundled snapshot's.
    """

    tickers: np.ndarray
    code: np.ndarray
    day: np.ndarray
    fields: dict[str, np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.code)

    @classmethod
    def empty(cls, fields: Sequence[str]) -> LongBars:
        """Return bars with no rows and the given fields."""
        return cls(
            tickers=np.array([], dtype=object),
            code=np.array([], dtype=np.int32),
            day=np.array([], dtype=np.int32),
            fields={f: np.array([], dtype=np.float64) for f in fields},
        )

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, fields: Sequence[str]) -> LongBars:
        """Build from a long frame with ``ticker``, ``date`` and the fields (missing = NaN)."""
        codes, uniques = pd.factorize(frame["ticker"].astype(str), sort=True)
        return cls(
            tickers=np.asarray(uniques, dtype=object),
            code=codes.astype(np.int32),
            day=dates_to_days(frame["date"]) if len(frame) else np.array([], dtype=np.int32),
            fields={
                f: (
                    pd.to_numeric(frame[f], errors="coerce").to_numpy(dtype=np.float64)
                    if f in frame.columns
                    else np.full(len(frame), np.nan)
                )
                for f in fields
            },
        )

    def mask(self, keep: np.ndarray) -> LongBars:
        """Return the rows where ``keep`` is true."""
        return LongBars(
            tickers=self.tickers,
            code=self.code[keep],
            day=self.day[keep],
            fields={k: v[keep] for k, v in self.fields.items()},
        )

    @staticmethod
    def concat(parts: Sequence[LongBars]) -> LongBars:
        """Concatenate, keeping row order (later rows win in a matrix), merging tickers."""
        parts = [p for p in parts if p is not None]
        nonempty = [p for p in parts if len(p)]
        if len(nonempty) == 1 and all(set(p.fields) <= set(nonempty[0].fields) for p in parts):
            return nonempty[0]
        names = sorted({str(t) for p in parts for t in p.tickers})
        tickers = np.asarray(names, dtype=object)
        fields = sorted({f for p in parts for f in p.fields})
        codes: list[np.ndarray] = []
        days: list[np.ndarray] = []
        values: dict[str, list[np.ndarray]] = {f: [] for f in fields}
        for p in parts:
            remap = np.searchsorted(tickers, p.tickers.astype(str)).astype(np.int32)
            codes.append(remap[p.code] if len(p.code) else p.code.astype(np.int32))
            days.append(p.day.astype(np.int32))
            for f in fields:
                values[f].append(p.fields.get(f, np.full(len(p.code), np.nan)))
        return LongBars(
            tickers=tickers,
            code=np.concatenate(codes) if codes else np.array([], dtype=np.int32),
            day=np.concatenate(days) if days else np.array([], dtype=np.int32),
            fields={
                f: np.concatenate(v) if v else np.array([], dtype=np.float64)
                for f, v in values.items()
            },
        )


@dataclass(frozen=True)
class WriteResult:
    """What one committed write did.

    Attributes
    ----------
    rows : int
        Rows written (bars, securities or universe members).
    data_version : int
        The store's ``data_version`` after the write (every write bumps it).
    bars_version : int
        The store's ``bars_version`` after the write (bar writes only bump it).
    """

    rows: int
    data_version: int
    bars_version: int


@dataclass(frozen=True)
class StoreStatus(Mapping[str, Any]):
    """A store's description of itself, every value printable (also a read-only mapping).

    Attributes
    ----------
    location : str
        The store's path or URL (a password in a URL is masked).
    backend : str
        What holds the data, e.g. ``"SQLite over the bundled snapshot"``.
    schema_version, data_version, bars_version : int
        Versions: the schema, any write, bar writes.
    snapshot_version : str or None
        The bundled snapshot under the store, if any.
    created_at : str or None
        When the writable store was created (UTC, ISO text); None if it has no file yet.
    last_refresh, last_refresh_source : str or None
        When bars were last added to the store by any provider (a Yahoo refresh, a CSV
        import, a direct write), and which source (``yahoo``, ``csv:<file>``); None if
        never (shown "Last data added", not "refresh": an import is no refresh).
    first_date, last_date : str or None
        The market's first and latest sessions (``YYYY-MM-DD``): the benchmark's (SPY)
        first and last bar; without the benchmark, the first stored bar and the session
        most tickers' last bars fall on (:mod:`xlsrc.data.matrices`).
    n_tickers : int
        Tickers with at least one bar.
    tickers_on_last_date : int or None
        Tickers with a bar on ``last_date`` (the others carry their last close there);
        None for an empty store.
    sources : list of dict
        One ``{"name", "description", "fetched_at"}`` per source of bars (text; "" when
        unknown).
    """

    location: str
    backend: str
    schema_version: int
    data_version: int
    bars_version: int
    snapshot_version: str | None
    created_at: str | None
    last_refresh: str | None
    last_refresh_source: str | None
    first_date: str | None
    last_date: str | None
    n_tickers: int
    tickers_on_last_date: int | None = None
    sources: list[dict[str, str]] = field(default_factory=list)

    def __getitem__(self, key: str) -> Any:
        if key not in self.__dataclass_fields__:
            raise KeyError(key)
        return getattr(self, key)

    def __iter__(self) -> Iterator[str]:
        return iter(self.__dataclass_fields__)

    def __len__(self) -> int:
        return len(self.__dataclass_fields__)
