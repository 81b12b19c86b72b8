"""The local price store: one SQLite file plus a matrix cache beside it.

Location, first match wins: an explicit ``path`` > env ``XLSRC_STORE`` >
``platformdirs.user_data_dir("xlsrc")/xlsrc.sqlite``.

Schema (``SCHEMA_VERSION`` = 2; version 2 added the security type ``other``)::

    meta(key PRIMARY KEY, value)            schema_version, data_version, store_id,
                                            last_write_at, snapshot_version, seeded_at,
                                            last_refresh (last write_bars), last_refresh_source
    sources(id PRIMARY KEY, name UNIQUE, description, fetched_at)
    securities(ticker PRIMARY KEY, name, sector, industry, type)
    universes(name PRIMARY KEY, source, updated_at)
    universe_members(universe, ticker, PRIMARY KEY(universe, ticker))   WITHOUT ROWID
    bars(ticker, date 'YYYY-MM-DD', open, high, low, close, volume, source_id, fetched_at
         (NULL = its source's fetched_at, as for seeded rows),
         PRIMARY KEY(ticker, date))                                     WITHOUT ROWID
    bar_summary(ticker, source_id, bars, first, last,                   one row per ticker
         PRIMARY KEY(ticker, source_id))                                and source, kept in
                                                                        step with bars by
                                                                        every write

Guarantees:

- The database runs in WAL mode: a reader sees the store as it was before or after a
  write, never a mix.
- Every write is one ``BEGIN IMMEDIATE`` transaction that also bumps ``data_version``;
  an exception anywhere inside rolls it back and leaves the previous content intact.
- The first use seeds the store from the bundled snapshot into a temporary file that is
  linked into place only when complete, so a crash during seeding leaves no half store.
- ``bar_summary`` is rewritten for the written tickers inside the same transaction as
  the bars, so :meth:`Store.source_summary` (per-source ticker count and date range) is a
  read of a few thousand rows instead of a scan of the bars table. A store created before
  the table existed gets it (filled by one scan) the first time it is opened.
- :meth:`Store.load_matrices` is served from ``<store>.matrices.npz``, keyed by
  (``store_id``, ``data_version``) and replaced atomically (temporary file +
  ``os.replace``). It is written while seeding (straight from the snapshot frames) and
  updated in place after each write; if it is stale or missing it is rebuilt from SQLite.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InvalidParameterError, StoreError, UnknownUniverseError
from .snapshot import Snapshot, load_snapshot
from .universes import normalise_ticker

__all__ = ["ENV_VAR", "SCHEMA_VERSION", "Matrices", "Store", "default_store_path"]

SCHEMA_VERSION = 2
ENV_VAR = "XLSRC_STORE"
_CACHE_FORMAT = 1
_TYPES = ("stock", "etf", "index", "other")

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sources (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    description TEXT,
    fetched_at TEXT
);
CREATE TABLE securities (
    ticker TEXT PRIMARY KEY,
    name TEXT,
    sector TEXT,
    industry TEXT,
    type TEXT CHECK (type IS NULL OR type IN ('stock', 'etf', 'index', 'other'))
);
CREATE TABLE universes (name TEXT PRIMARY KEY, source TEXT, updated_at TEXT);
CREATE TABLE universe_members (
    universe TEXT NOT NULL REFERENCES universes(name),
    ticker TEXT NOT NULL,
    PRIMARY KEY (universe, ticker)
) WITHOUT ROWID;
CREATE TABLE bars (
    ticker TEXT NOT NULL,
    date TEXT NOT NULL,
    open REAL,
    high REAL,
    low REAL,
    close REAL NOT NULL,
    volume REAL,
    source_id INTEGER NOT NULL REFERENCES sources(id),
    fetched_at TEXT,
    PRIMARY KEY (ticker, date)
) WITHOUT ROWID;
"""

#: Per (ticker, source): bar count and date range; rewritten for every written ticker.
_SUMMARY_SCHEMA = """
CREATE TABLE IF NOT EXISTS bar_summary (
    ticker TEXT NOT NULL,
    source_id INTEGER NOT NULL,
    bars INTEGER NOT NULL,
    first TEXT NOT NULL,
    last TEXT NOT NULL,
    PRIMARY KEY (ticker, source_id)
) WITHOUT ROWID
"""
_SCHEMA += _SUMMARY_SCHEMA + ";"
#: Recompute the summary rows of one ticker from its bars (the PRIMARY KEY serves it).
_SUMMARISE_TICKER = (
    "INSERT INTO bar_summary SELECT ticker, source_id, COUNT(*), MIN(date), MAX(date) "
    "FROM bars WHERE ticker = ? GROUP BY ticker, source_id"
)


def default_store_path() -> Path:
    """Return the store location from env ``XLSRC_STORE`` or the per-user data dir."""
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("xlsrc")) / "xlsrc.sqlite"


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Matrices:
    """Wide price matrices in the ARCHITECTURE.md conventions.

    Attributes
    ----------
    close : pd.DataFrame
        Dates x tickers, float64 adjusted closes: NaN before a ticker's first bar,
        forward-filled after it.
    volume : pd.DataFrame
        Same labels, NaN where unknown (never forward-filled).
    last_bar : pd.Series
        Ticker -> date of its last real bar.
    data_version : int
        The store's ``data_version`` these matrices reflect.
    has_bar : np.ndarray or None
        Dates x tickers, True where the ticker really has a bar (``close`` before the
        forward fill), for "last real bar on or before a date".
    """

    close: pd.DataFrame
    volume: pd.DataFrame
    last_bar: pd.Series
    data_version: int
    has_bar: np.ndarray | None = None


class Store:
    """The local SQLite store of bars, securities, universes and sources.

    Parameters
    ----------
    path : str or Path, optional
        The SQLite file. Default: env ``XLSRC_STORE``, else the per-user data directory.
    snapshot_dir : str or Path, optional
        Seed from this snapshot directory instead of the bundled one (tests).

    Notes
    -----
    Nothing touches the disk until the first call; every public method except
    :meth:`data_version` seeds the store first if it does not exist yet.
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        *,
        snapshot_dir: str | os.PathLike[str] | None = None,
    ) -> None:
        self.path = Path(path).expanduser() if path is not None else default_store_path()
        self.snapshot_dir = Path(snapshot_dir) if snapshot_dir is not None else None
        self._seeded = False

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    @property
    def cache_path(self) -> Path:
        """The matrix cache file beside the store."""
        return self.path.with_name(self.path.name + ".matrices.npz")

    # ------------------------------------------------------------------ connections
    def _connect(self) -> sqlite3.Connection:
        try:
            con = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
            con.execute("PRAGMA busy_timeout = 30000")
            con.execute("PRAGMA foreign_keys = ON")
        except sqlite3.Error as exc:
            raise StoreError(f"Cannot open the store {self.path}: {exc}") from exc
        return con

    @contextlib.contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """Yield a connection inside one read transaction (a consistent view)."""
        self.ensure_seeded()
        con = self._connect()
        try:
            con.execute("BEGIN")
            yield con
            con.execute("COMMIT")
        except sqlite3.Error as exc:
            raise StoreError(f"Cannot read the store {self.path}: {exc}") from exc
        finally:
            con.close()

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """Yield a connection in one write transaction that bumps ``data_version``; roll back on error."""
        self.ensure_seeded()
        con = self._connect()
        try:
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
                self._bump_version(con)
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise StoreError(
                f"Write to the store {self.path} failed (nothing was changed): {exc}"
            ) from exc
        finally:
            con.close()

    @staticmethod
    def _bump_version(con: sqlite3.Connection) -> None:
        con.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'data_version'")
        con.execute("INSERT OR REPLACE INTO meta VALUES ('last_write_at', ?)", (_now(),))

    @staticmethod
    def _meta(con: sqlite3.Connection) -> dict[str, str]:
        return dict(con.execute("SELECT key, value FROM meta").fetchall())

    # ------------------------------------------------------------------ seeding
    def ensure_seeded(self) -> None:
        """Create and seed the store from the snapshot if it does not exist yet.

        Raises
        ------
        StoreError
            If the file exists but is not an xlsrc store of this schema version, or the
            snapshot is missing or malformed.
        """
        if self._seeded:
            return
        if not self.path.exists() or self.path.stat().st_size == 0:
            self._seed()
        self._check_schema()
        self._ensure_summary()
        self._seeded = True

    def _ensure_summary(self) -> None:
        """Add and fill ``bar_summary`` in a store made before it existed (one scan, once).

        The bars are unchanged, so ``data_version`` (and the matrix cache) stay valid. A
        store that cannot be written (read-only file) keeps working without the table:
        :meth:`source_summary` then scans the bars.
        """
        con = self._connect()
        try:
            if _has_summary(con):
                return
            try:
                con.execute("BEGIN IMMEDIATE")
                if not _has_summary(con):  # another process may have just added it
                    con.execute(_SUMMARY_SCHEMA)
                    con.execute(
                        "INSERT INTO bar_summary SELECT ticker, source_id, COUNT(*), "
                        "MIN(date), MAX(date) FROM bars GROUP BY ticker, source_id"
                    )
                con.execute("COMMIT")
            except sqlite3.Error:
                with contextlib.suppress(sqlite3.Error):
                    con.execute("ROLLBACK")
        finally:
            con.close()

    def _check_schema(self) -> None:
        con = self._connect()
        try:
            try:
                meta = self._meta(con)
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"{self.path} is not an xlsrc store: {exc}") from exc
        finally:
            con.close()
        version = meta.get("schema_version")
        if version is None:
            raise StoreError(f"{self.path} is not an xlsrc store (no schema_version)")
        if int(version) != SCHEMA_VERSION:
            raise StoreError(
                f"The store {self.path} has schema version {version}; this xlsrc reads "
                f"version {SCHEMA_VERSION} (move the file away to re-seed, or upgrade xlsrc)"
            )

    def _seed(self) -> None:
        snapshot = load_snapshot(self.snapshot_dir)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=self.path.name + ".seed-", dir=self.path.parent)
        os.close(fd)
        tmp = Path(tmp_name)
        store_id = uuid.uuid4().hex
        try:
            con = sqlite3.connect(tmp, isolation_level=None)
            try:
                con.execute("PRAGMA journal_mode = OFF")
                con.execute("PRAGMA synchronous = OFF")
                con.execute("PRAGMA cache_size = -262144")
                con.execute("BEGIN")
                for stmt in _SCHEMA.split(";"):
                    if stmt.strip():
                        con.execute(stmt)
                _insert_snapshot(con, snapshot)
                meta = {
                    "schema_version": str(SCHEMA_VERSION),
                    "data_version": "1",
                    "store_id": store_id,
                    "last_write_at": _now(),
                    "seeded_at": _now(),
                    "seeded_from": "bundled snapshot"
                    if self.snapshot_dir is None
                    else str(self.snapshot_dir),
                    "snapshot_version": str(snapshot.provenance.get("snapshot_version", "")),
                }
                con.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
                con.execute("COMMIT")
                con.execute("PRAGMA journal_mode = WAL")
            finally:
                con.close()
            # matrices straight from the snapshot frames (no SQLite round trip)
            close, volume = _pivot(snapshot.bars)
            try:
                os.link(tmp, self.path)  # atomic create-if-absent: a concurrent seeder wins
            except FileExistsError:
                if self.path.stat().st_size > 0:
                    return
                os.replace(tmp, self.path)  # an empty placeholder file: take its place
            _save_cache(self.cache_path, close, volume, store_id, 1)
        except sqlite3.Error as exc:
            raise StoreError(f"Seeding the store {self.path} failed: {exc}") from exc
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()

    # ------------------------------------------------------------------ reads
    def data_version(self) -> int:
        """Return the store's ``data_version`` (bumped by every write); cheap."""
        self.ensure_seeded()
        con = self._connect()
        try:
            row = con.execute("SELECT value FROM meta WHERE key = 'data_version'").fetchone()
        except sqlite3.Error as exc:
            raise StoreError(f"Cannot read the store {self.path}: {exc}") from exc
        finally:
            con.close()
        return int(row[0])

    def read_bars(
        self,
        tickers: Iterable[str] | str | None = None,
        start: Any = None,
        end: Any = None,
    ) -> pd.DataFrame:
        """Return bars as a long frame sorted by ticker and date.

        Parameters
        ----------
        tickers : str or iterable of str, optional
            Tickers (any spelling); default every ticker.
        start, end : date-like, optional
            Inclusive date bounds.

        Returns
        -------
        pd.DataFrame
            Columns ticker, date (datetime64), open, high, low, close, volume, source,
            fetched_at.
        """
        sql = (
            "SELECT b.ticker, b.date, b.open, b.high, b.low, b.close, b.volume, s.name, "
            "COALESCE(b.fetched_at, s.fetched_at) "
            "FROM bars b JOIN sources s ON s.id = b.source_id WHERE 1=1"
        )
        params: list[Any] = []
        if tickers is not None:
            names = [
                normalise_ticker(t) for t in ([tickers] if isinstance(tickers, str) else tickers)
            ]
            sql += f" AND b.ticker IN ({','.join('?' * len(names))})"
            params += names
        if start is not None:
            sql += " AND b.date >= ?"
            params.append(pd.Timestamp(start).strftime("%Y-%m-%d"))
        if end is not None:
            sql += " AND b.date <= ?"
            params.append(pd.Timestamp(end).strftime("%Y-%m-%d"))
        sql += " ORDER BY b.ticker, b.date"
        with self._read() as con:
            rows = con.execute(sql, params).fetchall()
        cols = ["ticker", "date", "open", "high", "low", "close", "volume", "source", "fetched_at"]
        frame = pd.DataFrame(rows, columns=cols)
        frame["date"] = pd.to_datetime(frame["date"])
        for col in ("open", "high", "low", "close", "volume"):
            frame[col] = frame[col].astype("float64")
        return frame

    def securities(self) -> pd.DataFrame:
        """Return securities indexed by ticker: name, sector, industry, type."""
        with self._read() as con:
            rows = con.execute(
                "SELECT ticker, name, sector, industry, type FROM securities ORDER BY ticker"
            ).fetchall()
        return pd.DataFrame(
            rows, columns=["ticker", "name", "sector", "industry", "type"]
        ).set_index("ticker")

    def universes(self) -> dict[str, tuple[str, ...]]:
        """Return every stored universe: name -> sorted tuple of member tickers."""
        with self._read() as con:
            names = [r[0] for r in con.execute("SELECT name FROM universes ORDER BY name")]
            rows = con.execute(
                "SELECT universe, ticker FROM universe_members ORDER BY universe, ticker"
            ).fetchall()
        out: dict[str, list[str]] = {n: [] for n in names}
        for uni, ticker in rows:
            out[uni].append(ticker)
        return {k: tuple(v) for k, v in out.items()}

    def universe_sources(self) -> dict[str, str]:
        """Return universe name -> where its membership list came from."""
        with self._read() as con:
            return dict(con.execute("SELECT name, source FROM universes ORDER BY name").fetchall())

    def sources(self) -> pd.DataFrame:
        """Return the sources table (name, description, fetched_at)."""
        with self._read() as con:
            rows = con.execute(
                "SELECT name, description, fetched_at FROM sources ORDER BY id"
            ).fetchall()
        return pd.DataFrame(rows, columns=["name", "description", "fetched_at"])

    def source_summary(self) -> pd.DataFrame:
        """Return one row per source: what it holds and when it was fetched.

        Read from ``bar_summary`` (kept in step with the bars by every write), so it is
        cheap; a store without that table (read-only, made by an older xlsrc) is scanned.

        Returns
        -------
        pd.DataFrame
            Columns source, detail (the source's description), tickers (distinct tickers
            whose bars came from it), first, last (``pd.Timestamp``, NaT if it holds no bars),
            fetched_at (text), in the order the sources were created.
        """
        with self._read() as con:
            table = (
                "bar_summary"
                if _has_summary(con)
                else (
                    "(SELECT ticker, source_id, MIN(date) AS first, MAX(date) AS last "
                    "FROM bars GROUP BY ticker, source_id)"
                )
            )
            rows = con.execute(
                "SELECT s.name, s.description, COUNT(DISTINCT b.ticker), MIN(b.first), "
                f"MAX(b.last), s.fetched_at FROM sources s LEFT JOIN {table} b "
                "ON b.source_id = s.id GROUP BY s.id ORDER BY s.id"
            ).fetchall()
        frame = pd.DataFrame(
            rows, columns=["source", "detail", "tickers", "first", "last", "fetched_at"]
        )
        frame["detail"] = frame["detail"].fillna("")
        frame["fetched_at"] = frame["fetched_at"].fillna("")
        frame["tickers"] = frame["tickers"].astype("int64")
        frame["first"] = pd.to_datetime(frame["first"])
        frame["last"] = pd.to_datetime(frame["last"])
        return frame

    def last_dates(self) -> pd.Series:
        """Return ticker -> date of its last bar (from the matrices, so cheap)."""
        return self.load_matrices().last_bar

    def status(self) -> dict[str, Any]:
        """Describe the store in values an analyst can print as text; cheap.

        Reads ``meta``, ``sources`` and ``bar_summary`` and the date index of the matrix
        cache, never the price matrices (a few milliseconds on the bundled store).

        Returns
        -------
        dict
            ``path``, ``schema_version``, ``data_version``, ``snapshot_version`` (str);
            ``seeded_at``: when the store was seeded from the snapshot (UTC text; None for
            a store seeded by an older xlsrc that has been written to since);
            ``last_refresh``: when bars were last written by a provider other than the
            snapshot (yahoo refresh, CSV import), or None if never;
            ``last_refresh_source``: that provider's name, or None;
            ``first_date``, ``last_date`` (``YYYY-MM-DD`` or None), ``n_tickers`` (tickers
            with bars), ``n_dates`` (trading days; None when the matrix cache is stale);
            ``sources``: a list of ``{"name", "description", "fetched_at"}`` dicts, one per
            source (description and fetched_at are text, "" when unknown). Every other
            value is a str, an int or None.
        """
        with self._read() as con:
            meta = self._meta(con)
            sources = [
                {"name": n, "description": d or "", "fetched_at": f or ""}
                for n, d, f in con.execute(
                    "SELECT name, description, fetched_at FROM sources ORDER BY id"
                )
            ]
            table = "bar_summary" if _has_summary(con) else "bars"
            first_col, last_col = ("first", "last") if table == "bar_summary" else ("date", "date")
            n_tickers, first, last = con.execute(
                f"SELECT COUNT(DISTINCT ticker), MIN({first_col}), MAX({last_col}) FROM {table}"
            ).fetchone()
        version = int(meta["data_version"])
        seeded_at = meta.get("seeded_at")
        last_refresh = meta.get("last_refresh")
        refresh_source = meta.get("last_refresh_source")
        if seeded_at is None:  # seeded by an xlsrc that did not record these
            if version == 1:
                seeded_at = meta.get("last_write_at")
            else:
                refreshed = [
                    x for x in sources if not x["name"].startswith("snapshot:") and x["fetched_at"]
                ]
                if refreshed:
                    latest = max(refreshed, key=lambda x: x["fetched_at"])
                    last_refresh, refresh_source = latest["fetched_at"], latest["name"]
        return {
            "path": str(self.path),
            "schema_version": int(meta["schema_version"]),
            "data_version": version,
            "snapshot_version": meta.get("snapshot_version") or None,
            "seeded_at": seeded_at,
            "last_refresh": last_refresh,
            "last_refresh_source": refresh_source,
            "first_date": first,
            "last_date": last,
            "n_tickers": int(n_tickers),
            "n_dates": _cached_dates(self.cache_path, (meta["store_id"], version)),
            "sources": sources,
        }

    def load_matrices(self) -> Matrices:
        """Return close and volume matrices (see :class:`Matrices`), from the cache if fresh."""
        self.ensure_seeded()
        con = self._connect()
        try:
            meta = self._meta(con)
        finally:
            con.close()
        key = (meta["store_id"], int(meta["data_version"]))
        cached = _load_cache(self.cache_path, key)
        if cached is None:
            close, volume, version = self._matrices_from_sqlite()
            _save_cache(self.cache_path, close, volume, meta["store_id"], version)
        else:
            close, volume, version = (*cached, key[1])
        return _finish(close, volume, version)

    def _matrices_from_sqlite(self) -> tuple[pd.DataFrame, pd.DataFrame, int]:
        with self._read() as con:
            version = int(self._meta(con)["data_version"])
            rows = con.execute("SELECT ticker, date, close, volume FROM bars").fetchall()
        frame = pd.DataFrame(rows, columns=["ticker", "date", "close", "volume"])
        frame["date"] = pd.to_datetime(frame["date"])
        frame["volume"] = frame["volume"].astype("float64")
        close, volume = _pivot(frame)
        return close, volume, version

    # ------------------------------------------------------------------ writes
    def write_bars(
        self,
        frame: pd.DataFrame,
        source: str,
        fetched_at: str | datetime | None = None,
        replace: bool = False,
        description: str | None = None,
    ) -> int:
        """Upsert bars in one transaction.

        Parameters
        ----------
        frame : pd.DataFrame
            Columns ``ticker``, ``date``, ``close`` and optionally ``open``, ``high``,
            ``low``, ``volume``. Tickers in any spelling.
        source : str
            The provider's name (e.g. ``"yfinance"``); created in ``sources`` if new.
        fetched_at : str or datetime, optional
            When the data was fetched (default: now, UTC).
        replace : bool
            If true, every ticker in ``frame`` loses its stored history first, atomically
            (for split or dividend re-adjustments).
        description : str, optional
            Description recorded for a new source.

        Returns
        -------
        int
            The number of rows written.

        Raises
        ------
        InvalidParameterError
            For a missing column or a close that is missing, zero or negative.
        StoreError
            If SQLite fails; the store is then unchanged.
        """
        bars = _validate_bars(frame)
        stamp = _stamp(fetched_at)
        tickers = sorted(bars["ticker"].unique())
        with self._write() as con:
            con.execute(
                "INSERT INTO sources(name, description, fetched_at) VALUES (?, ?, ?) "
                "ON CONFLICT(name) DO UPDATE SET fetched_at = excluded.fetched_at, "
                "description = COALESCE(excluded.description, sources.description)",
                (source, description, stamp),
            )
            source_id = con.execute("SELECT id FROM sources WHERE name = ?", (source,)).fetchone()[
                0
            ]
            if replace:
                con.executemany("DELETE FROM bars WHERE ticker = ?", [(t,) for t in tickers])
            con.executemany(
                "INSERT OR IGNORE INTO securities(ticker) VALUES (?)", [(t,) for t in tickers]
            )
            con.executemany(
                "INSERT OR REPLACE INTO bars VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                _bar_rows(bars, source_id, stamp),
            )
            # the written tickers' summary rows, from their bars (an upsert may have
            # moved days from another source to this one)
            params = [(t,) for t in tickers]
            con.executemany("DELETE FROM bar_summary WHERE ticker = ?", params)
            con.executemany(_SUMMARISE_TICKER, params)
            con.executemany(
                "INSERT OR REPLACE INTO meta VALUES (?, ?)",
                [("last_refresh", _now()), ("last_refresh_source", source)],
            )
            meta = self._meta(con)
            old_key = (meta["store_id"], int(meta["data_version"]))
        self._update_cache(old_key, bars, tickers if replace else [])
        return len(bars)

    def _update_cache(
        self, old_key: tuple[str, int], bars: pd.DataFrame, replaced: list[str]
    ) -> None:
        """Apply a committed write to the matrix cache (or drop the cache if it is stale)."""
        cached = _load_cache(self.cache_path, old_key)
        if cached is None:
            with contextlib.suppress(FileNotFoundError):
                self.cache_path.unlink()
            return
        close, volume = cached
        new_close, new_volume = _pivot(bars)
        dates = close.index.union(new_close.index)
        tickers = close.columns.union(new_close.columns)
        close = close.reindex(index=dates, columns=tickers)
        volume = volume.reindex(index=dates, columns=tickers)
        if replaced:
            close.loc[:, replaced] = np.nan
            volume.loc[:, replaced] = np.nan
        # an upsert overwrites whole rows: volume becomes what the new row says
        mask = new_close.notna().reindex(index=dates, columns=tickers, fill_value=False)
        close = close.mask(mask, new_close.reindex(index=dates, columns=tickers))
        volume = volume.mask(mask, new_volume.reindex(index=dates, columns=tickers))
        keep = close.notna().any(axis=1)
        close, volume = close[keep], volume[keep]
        _save_cache(self.cache_path, close, volume, old_key[0], old_key[1] + 1)

    def upsert_securities(self, frame: pd.DataFrame) -> int:
        """Insert or update securities (columns ticker and any of name, sector, industry, type).

        Returns
        -------
        int
            The number of securities written.
        """
        if "ticker" not in frame.columns and frame.index.name == "ticker":
            frame = frame.reset_index()
        if "ticker" not in frame.columns:
            raise InvalidParameterError(
                name="securities frame", value=list(frame.columns), allowed="a 'ticker' column"
            )
        cols = [c for c in ("name", "sector", "industry", "type") if c in frame.columns]
        data = frame[["ticker", *cols]].astype(object).where(frame[["ticker", *cols]].notna(), None)
        data["ticker"] = [normalise_ticker(t) for t in data["ticker"]]
        if "type" in cols:
            bad = set(data["type"].dropna()) - set(_TYPES)
            if bad:
                raise InvalidParameterError(
                    name="security type", value=sorted(bad)[0], allowed=", ".join(_TYPES)
                )
        sets = ", ".join(f"{c} = excluded.{c}" for c in cols) or "ticker = excluded.ticker"
        sql = (
            f"INSERT INTO securities(ticker{''.join(', ' + c for c in cols)}) "
            f"VALUES ({', '.join('?' * (len(cols) + 1))}) ON CONFLICT(ticker) DO UPDATE SET {sets}"
        )
        with self._write() as con:
            con.executemany(sql, data.itertuples(index=False, name=None))
        return len(data)

    def set_universe(self, name: str, tickers: Iterable[str], source: str) -> int:
        """Create or replace a universe's membership in one transaction.

        Returns
        -------
        int
            The number of members.
        """
        if not isinstance(name, str) or not name.strip():
            raise InvalidParameterError(
                name="universe name", value=name, allowed="a non-empty name"
            )
        name = name.strip().lower()
        members = sorted({normalise_ticker(t) for t in tickers})
        with self._write() as con:
            con.execute(
                "INSERT INTO universes VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET "
                "source = excluded.source, updated_at = excluded.updated_at",
                (name, source, _now()),
            )
            con.execute("DELETE FROM universe_members WHERE universe = ?", (name,))
            con.executemany(
                "INSERT INTO universe_members VALUES (?, ?)", [(name, t) for t in members]
            )
        return len(members)

    def universe_members(self, name: str) -> tuple[str, ...]:
        """Return one universe's members; raise UnknownUniverseError if absent."""
        unis = self.universes()
        key = name.strip().lower()
        if key not in unis:
            raise UnknownUniverseError(name=name, known=", ".join(sorted(unis)))
        return unis[key]


# ---------------------------------------------------------------------- helpers
def _stamp(value: str | datetime | None) -> str:
    if value is None:
        return _now()
    if isinstance(value, datetime):
        return (
            value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            if value.tzinfo
            else value.strftime("%Y-%m-%dT%H:%M:%S")
        )
    return str(value)


def _validate_bars(frame: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in ("ticker", "date", "close") if c not in frame.columns]
    if missing:
        raise InvalidParameterError(
            name="bars frame",
            value=list(frame.columns),
            allowed="columns ticker, date, close (+ open, high, low, volume)",
        )
    out = pd.DataFrame(
        {
            "ticker": [normalise_ticker(t) for t in frame["ticker"]],
            "date": pd.to_datetime(frame["date"]).dt.normalize().to_numpy(),
        }
    )
    for col in ("open", "high", "low", "close", "volume"):
        out[col] = (
            pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype="float64")
            if col in frame.columns
            else np.nan
        )
    bad = ~(out["close"] > 0)
    if bad.any():
        row = out[bad].iloc[0]
        raise InvalidParameterError(
            name=f"close of {row['ticker']} on {row['date']:%Y-%m-%d}",
            value=row["close"],
            allowed="a positive number",
        )
    return (
        out.drop_duplicates(["ticker", "date"], keep="last")
        .sort_values(["ticker", "date"])
        .reset_index(drop=True)
    )


def _bar_rows(bars: pd.DataFrame, source_id: int, stamp: str) -> Iterator[tuple]:
    dates = np.datetime_as_string(bars["date"].to_numpy().astype("datetime64[D]"))
    return zip(
        bars["ticker"].tolist(),
        dates.tolist(),
        bars["open"].tolist(),
        bars["high"].tolist(),
        bars["low"].tolist(),
        bars["close"].tolist(),
        bars["volume"].tolist(),
        [source_id] * len(bars),
        [stamp] * len(bars),
        strict=True,
    )


def _insert_snapshot(con: sqlite3.Connection, snap: Snapshot) -> None:
    """Insert the whole snapshot (inside the caller's transaction)."""
    described = snap.provenance.get("sources", {})
    names = sorted({str(x) for x in snap.bars["source"].unique()} | set(described))
    source_ids = {}
    for i, name in enumerate(names, start=1):
        info = described.get(name, {})
        con.execute(
            "INSERT INTO sources VALUES (?, ?, ?, ?)",
            (i, name, info.get("description"), info.get("fetched_at")),
        )
        source_ids[name] = (i, info.get("fetched_at"))
    sec = snap.securities
    con.executemany(
        "INSERT INTO securities VALUES (?, ?, ?, ?, ?)",
        sec[["ticker", "name", "sector", "industry", "type"]].itertuples(index=False, name=None),
    )
    uni_info = snap.provenance.get("stats", {}).get("universes", {})
    for name in sorted(snap.universes["universe"].unique()):
        info = uni_info.get(name, {})
        src = info.get("description") or "bundled snapshot"
        if info.get("file"):
            src += f" [{info['file']}]"
        src += "; not point-in-time"
        con.execute(
            "INSERT INTO universes VALUES (?, ?, ?)",
            (name, src, snap.provenance.get("date_range", [None, None])[1]),
        )
    con.executemany(
        "INSERT INTO universe_members VALUES (?, ?)",
        snap.universes[["universe", "ticker"]].itertuples(index=False, name=None),
    )

    bars = snap.bars
    codes, uniques = _factorize_text(bars["source"])
    ids = np.array([source_ids[u][0] for u in uniques], dtype=np.int64)[codes]
    tcodes, tuniq = pd.factorize(bars["ticker"])
    dcodes, duniq = pd.factorize(bars["date"])
    day_text = np.datetime_as_string(
        np.asarray(duniq, dtype="datetime64[ns]").astype("datetime64[D]")
    )
    # fetched_at NULL: the row was fetched when its source was (see read_bars)
    rows = zip(
        np.asarray(tuniq, dtype=object)[tcodes].tolist(),
        np.asarray(day_text, dtype=object)[dcodes].tolist(),
        bars["open"].tolist(),
        bars["high"].tolist(),
        bars["low"].tolist(),
        bars["close"].tolist(),
        bars["volume"].tolist(),
        ids.tolist(),
        strict=True,
    )
    con.executemany("INSERT INTO bars VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)", rows)

    # bar_summary straight from the frame: one row per (ticker, source)
    day = dcodes  # dates were factorised in first-seen order; compare their values
    order = np.argsort(np.asarray(duniq, dtype="datetime64[ns]"), kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    key = pd.DataFrame({"t": tcodes, "s": ids, "d": rank[day]})
    grouped = key.groupby(["t", "s"], sort=False)["d"].agg(["size", "min", "max"])
    t_idx = grouped.index.get_level_values("t").to_numpy()
    s_idx = grouped.index.get_level_values("s").to_numpy()
    day_sorted = np.asarray(day_text, dtype=object)[order]
    con.executemany(
        "INSERT INTO bar_summary VALUES (?, ?, ?, ?, ?)",
        zip(
            np.asarray(tuniq, dtype=object)[t_idx].tolist(),
            s_idx.tolist(),
            grouped["size"].tolist(),
            day_sorted[grouped["min"].to_numpy()].tolist(),
            day_sorted[grouped["max"].to_numpy()].tolist(),
            strict=True,
        ),
    )


def _has_summary(con: sqlite3.Connection) -> bool:
    return (
        con.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'bar_summary'"
        ).fetchone()
        is not None
    )


def _factorize_text(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Return (codes, sorted unique strings) of a text column, categorical or not.

    A categorical column (the snapshot's ``ticker`` and ``source``) is factorised from its
    codes: turning millions of rows into Python strings first costs seconds.
    """
    if isinstance(column.dtype, pd.CategoricalDtype):
        cat = column.cat.remove_unused_categories()
        names = np.asarray([str(c) for c in cat.cat.categories], dtype=object)
        order = np.argsort(names, kind="stable")
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        return rank[cat.cat.codes.to_numpy()], names[order]
    codes, uniques = pd.factorize(column.astype(str), sort=True)
    return codes, np.asarray(uniques, dtype=object)


def _pivot(bars: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Long (ticker, date, close, volume) -> raw wide close and volume (no fill)."""
    tcodes, tickers = _factorize_text(bars["ticker"])
    dcodes, dates = pd.factorize(bars["date"], sort=True)
    shape = (len(dates), len(tickers))
    close = np.full(shape, np.nan)
    volume = np.full(shape, np.nan)
    close[dcodes, tcodes] = bars["close"].to_numpy(dtype="float64")
    volume[dcodes, tcodes] = bars["volume"].to_numpy(dtype="float64")
    index = pd.DatetimeIndex(dates, name="date")
    columns = pd.Index(np.asarray(tickers, dtype=object), name="ticker")
    return (
        pd.DataFrame(close, index=index, columns=columns),
        pd.DataFrame(volume, index=index, columns=columns),
    )


def _save_cache(
    path: Path, close: pd.DataFrame, volume: pd.DataFrame, store_id: str, version: int
) -> None:
    """Write the raw matrices atomically (temporary file + os.replace)."""
    fd, tmp_name = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(
                fh,
                format=np.array(_CACHE_FORMAT),
                store_id=np.array(store_id),
                data_version=np.array(version),
                dates=close.index.to_numpy(dtype="datetime64[ns]").view("int64"),
                tickers=np.asarray(close.columns, dtype=str),
                close=np.ascontiguousarray(close.to_numpy(dtype="float64")),
                volume=np.ascontiguousarray(volume.to_numpy(dtype="float64")),
            )
        os.replace(tmp_name, path)
    except OSError:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)  # a read-only directory: work without a cache


def _cached_dates(path: Path, key: tuple[str, int]) -> int | None:
    """Return the number of dates in the matrix cache if it matches ``key`` (reads no prices)."""
    try:
        with np.load(path, allow_pickle=False) as npz:  # members are read on access only
            if (
                int(npz["format"]) != _CACHE_FORMAT
                or str(npz["store_id"]) != key[0]
                or int(npz["data_version"]) != key[1]
            ):
                return None
            return int(npz["dates"].shape[0])
    except (OSError, ValueError, KeyError):
        return None


def _load_cache(path: Path, key: tuple[str, int]) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """Return the raw matrices if the cache exists and matches ``key``, else None."""
    try:
        with np.load(path, allow_pickle=False) as npz:
            if (
                int(npz["format"]) != _CACHE_FORMAT
                or str(npz["store_id"]) != key[0]
                or int(npz["data_version"]) != key[1]
            ):
                return None
            index = pd.DatetimeIndex(npz["dates"].view("datetime64[ns]"), name="date")
            columns = pd.Index(npz["tickers"].astype(object), name="ticker")
            close = pd.DataFrame(npz["close"], index=index, columns=columns)
            volume = pd.DataFrame(npz["volume"], index=index, columns=columns)
    except (OSError, ValueError, KeyError):
        return None
    return close, volume


def _finish(close: pd.DataFrame, volume: pd.DataFrame, version: int) -> Matrices:
    """Raw matrices -> Matrices (close forward-filled after each first bar; last_bar)."""
    valid = close.notna().to_numpy()
    n = len(close.index)
    has = valid.any(axis=0)
    last_pos = n - 1 - np.argmax(valid[::-1], axis=0)
    last = pd.Series(
        np.where(
            has,
            close.index.to_numpy()[np.clip(last_pos, 0, max(n - 1, 0))]
            if n
            else np.datetime64("NaT"),
            np.datetime64("NaT"),
        ),
        index=close.columns,
        name="last_bar",
    )
    filled = close.ffill()
    return Matrices(close=filled, volume=volume, last_bar=last, data_version=version, has_bar=valid)
