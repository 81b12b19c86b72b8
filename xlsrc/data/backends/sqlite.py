"""SQLite: the embedded, writable store (one file), alone or layered over the snapshot.

Schema (``SCHEMA_VERSION`` = 3)::

    meta(key PRIMARY KEY, value)        schema_version, store_id, data_version, bars_version,
                                        created_at, last_write_at, last_refresh,
                                        last_refresh_source
    sources(id PRIMARY KEY, name UNIQUE, description, fetched_at)
    securities(ticker PRIMARY KEY, name, sector, industry, type)
    universes(name PRIMARY KEY, source, updated_at)
    universe_members(universe, ticker, PRIMARY KEY(universe, ticker))        WITHOUT ROWID
    bars(ticker, date 'YYYY-MM-DD', open, high, low, close, volume, split_close,
         source_id, fetched_at, PRIMARY KEY(ticker, date))                   WITHOUT ROWID
    replaced(ticker PRIMARY KEY, since 'YYYY-MM-DD')   history from ``since`` on replaced
    bar_summary(ticker, source_id, bars, first, last, PRIMARY KEY(ticker, source_id))

Guarantees:

- The file is created on the first write, complete or not at all (built in a temporary
  file and linked into place), so reading never creates anything and a folder that
  cannot be written fails with one line naming it.
- WAL mode: a reader sees the store as it was before or after a write, never a mix.
- Every write is one ``BEGIN IMMEDIATE`` transaction that bumps ``data_version`` (and
  ``bars_version`` for bars); an exception anywhere inside rolls it back.
- ``bar_summary`` is rewritten for the written tickers inside the same transaction.
- A schema-2 store (xlsrc 0.1 copied the whole bundled snapshot into SQLite) is migrated
  in place when opened over a snapshot: its copy of the snapshot's bars, universes and
  securities is dropped, what the user added is kept, and the file is compacted.

Size: about 725 lines, nearly all of them one class. :class:`SqliteStore` implements
every method of the :class:`~xlsrc.data.backends.base.Store` protocol plus the schema
and its upgrade, all through the same connection helper and write transaction;
splitting its reads from its writes would spread one object's private state over
mixins in two modules.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from ...errors import StoreError, UnknownUniverseError
from ..schema import BAR_FIELDS, SECURITY_TYPES, LongBars, StoreStatus, WriteResult
from ..universes import normalise_ticker
from ..validate import ValidBars, check_securities, check_universe_name

__all__ = ["SCHEMA_VERSION", "SqliteStore"]

SCHEMA_VERSION: Final = 3

_TYPES_SQL = ", ".join(f"'{t}'" for t in SECURITY_TYPES)
_SCHEMA: Final = f"""
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
    type TEXT CHECK (type IS NULL OR type IN ({_TYPES_SQL}))
);
CREATE TABLE universes (name TEXT PRIMARY KEY, source TEXT, updated_at TEXT);
CREATE TABLE universe_members (
    universe TEXT NOT NULL REFERENCES universes(name) ON DELETE CASCADE,
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
    split_close REAL,
    source_id INTEGER NOT NULL REFERENCES sources(id),
    fetched_at TEXT,
    PRIMARY KEY (ticker, date)
) WITHOUT ROWID;
CREATE TABLE replaced (ticker TEXT PRIMARY KEY, since TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE bar_summary (
    ticker TEXT NOT NULL,
    source_id INTEGER NOT NULL,
    bars INTEGER NOT NULL,
    first TEXT NOT NULL,
    last TEXT NOT NULL,
    PRIMARY KEY (ticker, source_id)
) WITHOUT ROWID
"""
_SUMMARISE_TICKER: Final = (
    "INSERT INTO bar_summary SELECT ticker, source_id, COUNT(*), MIN(date), MAX(date) "
    "FROM bars WHERE ticker = ? GROUP BY ticker, source_id"
)
_FIELDS_SQL: Final = ", ".join(BAR_FIELDS)


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _stamp(value: datetime | str | None) -> str:
    if value is None:
        return _now()
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.strftime("%Y-%m-%dT%H:%M:%SZ")
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return str(value)


def _day_text(values: Iterable[Any]) -> list[str]:
    return [pd.Timestamp(v).strftime("%Y-%m-%d") for v in values]


class SqliteStore:
    """The writable store in one SQLite file.

    Parameters
    ----------
    path : str or Path
        The database file; created (with its folder) on the first write.
    bundled_sources : callable, optional
        Returns the names of the sources of the snapshot this store is layered over; called
        only to migrate a schema-2 store (those rows were its copy of the snapshot).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        bundled_sources: Callable[[], Iterable[str]] | None = None,
    ) -> None:
        self.path = Path(path).expanduser()
        self.location = str(self.path)
        self._bundled_sources = bundled_sources
        self._checked = False
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"SqliteStore({self.location!r})"

    # ------------------------------------------------------------------ connections
    def exists(self) -> bool:
        """Return True if the file has been created (by a first write)."""
        try:
            return self.path.stat().st_size > 0
        except OSError:
            return False

    def _connect(self) -> sqlite3.Connection:
        try:
            con = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
            con.execute("PRAGMA busy_timeout = 30000")
            con.execute("PRAGMA foreign_keys = ON")
        except sqlite3.Error as exc:
            raise StoreError(f"Cannot open the store {self.path}: {exc}") from exc
        return con

    def _check(self) -> None:
        """Check the schema version once per object (migrating a schema-2 store)."""
        if self._checked:
            return
        with self._lock:
            if self._checked:
                return
            con = self._connect()
            try:
                try:
                    meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
                except sqlite3.DatabaseError as exc:
                    raise StoreError(f"{self.path} is not an xlsrc store: {exc}") from exc
            finally:
                con.close()
            version = meta.get("schema_version")
            if version is None:
                raise StoreError(f"{self.path} is not an xlsrc store (no schema_version)")
            if int(version) == 2:
                self._migrate_v2()
            elif int(version) != SCHEMA_VERSION:
                raise StoreError(
                    f"The store {self.path} has schema version {version}; this xlsrc reads "
                    f"version {SCHEMA_VERSION} (upgrade xlsrc, or move the file away)"
                )
            self._checked = True

    @contextlib.contextmanager
    def _read(self) -> Iterator[sqlite3.Connection | None]:
        """Yield a connection in one read transaction, or None if the file does not exist."""
        if not self.exists():
            yield None
            return
        self._check()
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
    def _write(self, bars: bool = False) -> Iterator[sqlite3.Connection]:
        """Yield a connection in one write transaction that bumps the versions; roll back on error."""
        self._create()
        self._check()
        con = self._connect()
        try:
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
                con.execute(
                    "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'data_version'"
                )
                if bars:
                    con.execute(
                        "UPDATE meta SET value = CAST(value AS INTEGER) + 1 "
                        "WHERE key = 'bars_version'"
                    )
                con.execute("INSERT OR REPLACE INTO meta VALUES ('last_write_at', ?)", (_now(),))
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

    def _create(self) -> None:
        """Create the file with its schema if it does not exist (atomically)."""
        if self.exists():
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(prefix=self.path.name + ".new-", dir=self.path.parent)
        except OSError as exc:
            raise StoreError(
                f"Cannot create the store {self.path}: {exc.strerror or exc} "
                "(choose a folder you can write with --store or XLSRC_STORE)"
            ) from exc
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            con = sqlite3.connect(tmp, isolation_level=None)
            try:
                con.execute("BEGIN")
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        con.execute(statement)
                now = _now()
                meta = {
                    "schema_version": str(SCHEMA_VERSION),
                    "store_id": uuid.uuid4().hex,
                    "data_version": "0",
                    "bars_version": "0",
                    "created_at": now,
                    "last_write_at": now,
                }
                con.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
                con.execute("COMMIT")
                con.execute("PRAGMA journal_mode = WAL")
            finally:
                con.close()
            try:
                os.link(tmp, self.path)  # atomic create-if-absent: a concurrent creator wins
            except FileExistsError:
                if not self.exists():
                    os.replace(tmp, self.path)
            except OSError:
                os.replace(tmp, self.path)  # file systems without hard links
        except sqlite3.Error as exc:
            raise StoreError(f"Cannot create the store {self.path}: {exc}") from exc
        except OSError as exc:
            raise StoreError(
                f"Cannot create the store {self.path}: {exc.strerror or exc} "
                "(choose a folder you can write with --store or XLSRC_STORE)"
            ) from exc
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()

    # ------------------------------------------------------------------ migration
    def _migrate_v2(self) -> None:
        """Turn a schema-2 store (a full copy of the snapshot plus user data) into an overlay."""
        con = self._connect()
        try:
            con.execute("BEGIN IMMEDIATE")
            try:
                meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
                if meta.get("schema_version") != "2":  # another process migrated it
                    con.execute("ROLLBACK")
                    return
                bundled = self._bundled_sources() if self._bundled_sources else ()
                names = set(bundled) | {
                    n
                    for (n,) in con.execute("SELECT name FROM sources")
                    if n.startswith("snapshot:")
                }
                ids = [i for i, n in con.execute("SELECT id, name FROM sources") if n in names]
                marks = ",".join("?" * len(ids))
                if ids:
                    con.execute(f"DELETE FROM bars WHERE source_id IN ({marks})", ids)
                    con.execute(f"DELETE FROM bar_summary WHERE source_id IN ({marks})", ids)
                    con.execute(f"DELETE FROM sources WHERE id IN ({marks})", ids)
                # the snapshot's universes and securities are read from the snapshot now
                con.execute(
                    "DELETE FROM universe_members WHERE universe IN "
                    "(SELECT name FROM universes WHERE source LIKE '%not point-in-time%')"
                )
                con.execute("DELETE FROM universes WHERE source LIKE '%not point-in-time%'")
                con.execute(
                    "DELETE FROM securities WHERE ticker NOT IN (SELECT DISTINCT ticker FROM bars)"
                )
                con.execute("ALTER TABLE bars ADD COLUMN split_close REAL")
                con.execute(
                    "CREATE TABLE replaced (ticker TEXT PRIMARY KEY, since TEXT NOT NULL) "
                    "WITHOUT ROWID"
                )
                con.execute(
                    "CREATE TABLE IF NOT EXISTS bar_summary (ticker TEXT NOT NULL, "
                    "source_id INTEGER NOT NULL, bars INTEGER NOT NULL, first TEXT NOT NULL, "
                    "last TEXT NOT NULL, PRIMARY KEY (ticker, source_id)) WITHOUT ROWID"
                )
                updates = {
                    "schema_version": str(SCHEMA_VERSION),
                    "bars_version": meta.get("data_version", "1"),
                    "created_at": meta.get("seeded_at") or meta.get("last_write_at") or _now(),
                }
                con.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", updates.items())
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
            with contextlib.suppress(sqlite3.Error):
                con.execute("VACUUM")
        except sqlite3.Error as exc:
            raise StoreError(f"Upgrading the store {self.path} to schema 3 failed: {exc}") from exc
        finally:
            con.close()
        with contextlib.suppress(FileNotFoundError):
            self.path.with_name(self.path.name + ".matrices.npz").unlink()

    # ------------------------------------------------------------------ reads
    def _meta(self, con: sqlite3.Connection | None) -> dict[str, str]:
        if con is None:
            return {}
        return dict(con.execute("SELECT key, value FROM meta").fetchall())

    def identity(self) -> tuple[str, int, int]:
        """Return ``(store_id, data_version, bars_version)``; ``("", 0, 0)`` before the first write."""
        if not self.exists():
            return ("", 0, 0)
        self._check()
        con = self._connect()
        try:
            rows = dict(
                con.execute(
                    "SELECT key, value FROM meta WHERE key IN "
                    "('store_id', 'data_version', 'bars_version')"
                ).fetchall()
            )
        except sqlite3.Error as exc:
            raise StoreError(f"Cannot read the store {self.path}: {exc}") from exc
        finally:
            con.close()
        return (
            rows.get("store_id", ""),
            int(rows.get("data_version", 0)),
            int(rows.get("bars_version", 0)),
        )

    def replaced(self) -> dict[str, pd.Timestamp]:
        """Return ticker -> the first session of its replaced history."""
        with self._read() as con:
            if con is None:
                return {}
            rows = con.execute("SELECT ticker, since FROM replaced").fetchall()
        return {t: pd.Timestamp(s) for t, s in rows}

    def read_long_with_replaced(
        self, fields: Sequence[str]
    ) -> tuple[LongBars, dict[str, pd.Timestamp], tuple[str, int, int]]:
        """Return bars, the replaced histories and the identity, read in one transaction."""
        stored = [f for f in fields if f in BAR_FIELDS]
        cols = "".join(f", {f}" for f in stored)
        with self._read() as con:
            if con is None:
                return LongBars.empty(fields), {}, ("", 0, 0)
            meta = self._meta(con)
            rows = con.execute(f"SELECT ticker, date{cols} FROM bars").fetchall()
            replaced = {
                t: pd.Timestamp(s) for t, s in con.execute("SELECT ticker, since FROM replaced")
            }
        frame = pd.DataFrame(rows, columns=["ticker", "date", *stored])
        frame["date"] = pd.to_datetime(frame["date"])
        identity = (meta["store_id"], int(meta["data_version"]), int(meta["bars_version"]))
        return LongBars.from_frame(frame, fields), replaced, identity

    def read_long(self, fields: Sequence[str]) -> tuple[LongBars, tuple[str, int, int]]:
        """Return every bar with ``fields`` as numpy arrays, and the identity they reflect."""
        long, _, identity = self.read_long_with_replaced(fields)
        return long, identity

    def read_bars(
        self,
        tickers: Iterable[str] | str | None = None,
        start: object = None,
        end: object = None,
    ) -> pd.DataFrame:
        """Return bars as a long frame sorted by ticker and date (see ``ReadStore.read_bars``)."""
        sql = (
            f"SELECT b.ticker, b.date, {', '.join('b.' + f for f in BAR_FIELDS)}, s.name, "
            "COALESCE(b.fetched_at, s.fetched_at) FROM bars b JOIN sources s ON s.id = b.source_id "
            "WHERE 1=1"
        )
        params: list[Any] = []
        if tickers is not None:
            names = [
                normalise_ticker(t) for t in ([tickers] if isinstance(tickers, str) else tickers)
            ]
            if not names:
                return _empty_bars()
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
            rows = [] if con is None else con.execute(sql, params).fetchall()
        frame = pd.DataFrame(rows, columns=["ticker", "date", *BAR_FIELDS, "source", "fetched_at"])
        frame["date"] = pd.to_datetime(frame["date"])
        for f in BAR_FIELDS:
            frame[f] = frame[f].astype("float64")
        return frame

    def securities(self) -> pd.DataFrame:
        """Return securities indexed by ticker: name, sector, industry, type."""
        with self._read() as con:
            rows = (
                []
                if con is None
                else con.execute(
                    "SELECT ticker, name, sector, industry, type FROM securities ORDER BY ticker"
                ).fetchall()
            )
        return pd.DataFrame(
            rows, columns=["ticker", "name", "sector", "industry", "type"]
        ).set_index("ticker")

    def universes(self) -> dict[str, tuple[str, ...]]:
        """Return every stored universe: name -> sorted members."""
        with self._read() as con:
            if con is None:
                return {}
            names = [r[0] for r in con.execute("SELECT name FROM universes ORDER BY name")]
            rows = con.execute(
                "SELECT universe, ticker FROM universe_members ORDER BY universe, ticker"
            ).fetchall()
        out: dict[str, list[str]] = {n: [] for n in names}
        for uni, ticker in rows:
            out[uni].append(ticker)
        return {k: tuple(v) for k, v in out.items()}

    def universe_sources(self) -> dict[str, str]:
        """Return universe name -> where its list came from."""
        with self._read() as con:
            return {} if con is None else dict(con.execute("SELECT name, source FROM universes"))

    def builtin_universes(self) -> dict[str, tuple[str, ...]]:
        """Return ``{}``: a plain SQLite store ships no universes."""
        return {}

    def source_summary(self) -> pd.DataFrame:
        """Return one row per source: source, detail, tickers, first, last, fetched_at."""
        with self._read() as con:
            rows = (
                []
                if con is None
                else con.execute(
                    "SELECT s.name, s.description, COUNT(DISTINCT b.ticker), MIN(b.first), "
                    "MAX(b.last), s.fetched_at FROM sources s LEFT JOIN bar_summary b "
                    "ON b.source_id = s.id GROUP BY s.id ORDER BY s.id"
                ).fetchall()
            )
        frame = pd.DataFrame(
            rows, columns=["source", "detail", "tickers", "first", "last", "fetched_at"]
        )
        frame["detail"] = frame["detail"].fillna("")
        frame["fetched_at"] = frame["fetched_at"].fillna("")
        frame["tickers"] = frame["tickers"].astype("int64")
        frame["first"] = pd.to_datetime(frame["first"])
        frame["last"] = pd.to_datetime(frame["last"])
        return frame

    def last_days(self) -> pd.Series:
        """Return ticker -> date of its last stored bar (from ``bar_summary``)."""
        with self._read() as con:
            rows = (
                []
                if con is None
                else con.execute(
                    "SELECT ticker, MAX(last) FROM bar_summary GROUP BY ticker"
                ).fetchall()
            )
        return pd.Series(
            pd.to_datetime([r[1] for r in rows]),
            index=pd.Index([r[0] for r in rows], name="ticker"),
            dtype="datetime64[ns]",
        )

    def status(self) -> StoreStatus:
        """Describe the store in printable values (reads ``meta``, ``sources``, ``bar_summary``)."""
        from ..matrices import market_ends

        with self._read() as con:
            meta = self._meta(con)
            if con is None:
                sources: list[dict[str, str]] = []
                n_tickers, first, last = 0, None, None
            else:
                sources = [
                    {"name": n, "description": d or "", "fetched_at": f or ""}
                    for n, d, f in con.execute(
                        "SELECT name, description, fetched_at FROM sources ORDER BY id"
                    )
                ]
                n_tickers, first, last = con.execute(
                    "SELECT COUNT(DISTINCT ticker), MIN(first), MAX(last) FROM bar_summary"
                ).fetchone()
        first, last, on_latest, n_tickers = market_ends(self, first)
        return StoreStatus(
            location=self.location,
            backend="SQLite",
            schema_version=int(meta.get("schema_version", SCHEMA_VERSION)),
            data_version=int(meta.get("data_version", 0)),
            bars_version=int(meta.get("bars_version", 0)),
            snapshot_version=None,
            created_at=meta.get("created_at"),
            last_refresh=meta.get("last_refresh"),
            last_refresh_source=meta.get("last_refresh_source"),
            first_date=first,
            last_date=last,
            n_tickers=int(n_tickers or 0),
            tickers_on_last_date=on_latest,
            sources=sources,
        )

    # ------------------------------------------------------------------ writes
    def _versions(self, con: sqlite3.Connection, rows: int, bars: bool) -> WriteResult:
        meta = self._meta(con)
        return WriteResult(
            rows=rows,
            data_version=int(meta["data_version"]) + 1,
            bars_version=int(meta["bars_version"]) + (1 if bars else 0),
        )

    def write_bars(
        self,
        bars: ValidBars,
        source: str,
        *,
        fetched_at: datetime | str | None = None,
        replace: bool = False,
        description: str | None = None,
    ) -> WriteResult:
        """Upsert checked bars in one transaction (see ``Store.write_bars``).

        Raises
        ------
        TypeError
            If ``bars`` did not come from :func:`xlsrc.data.validate.check_bars`.
        StoreError
            If SQLite fails; the store is then unchanged.
        """
        if not isinstance(bars, ValidBars):
            raise TypeError("write_bars takes ValidBars (xlsrc.data.validate.check_bars)")
        frame = bars.frame
        stamp = _stamp(fetched_at)
        tickers = bars.tickers
        firsts = bars.first_dates()
        with self._write(bars=True) as con:
            con.execute(
                "INSERT INTO sources(name, description, fetched_at) VALUES (?, ?, ?) "
                "ON CONFLICT(name) DO UPDATE SET fetched_at = excluded.fetched_at, "
                "description = COALESCE(excluded.description, sources.description)",
                (source, description, stamp),
            )
            (source_id,) = con.execute(
                "SELECT id FROM sources WHERE name = ?", (source,)
            ).fetchone()
            if replace:
                for t in tickers:
                    since = firsts[t].strftime("%Y-%m-%d")
                    con.execute("DELETE FROM bars WHERE ticker = ? AND date >= ?", (t, since))
                    con.execute(
                        "INSERT INTO replaced VALUES (?, ?) ON CONFLICT(ticker) DO UPDATE SET "
                        "since = MIN(since, excluded.since)",
                        (t, since),
                    )
            con.executemany(
                "INSERT OR IGNORE INTO securities(ticker) VALUES (?)", [(t,) for t in tickers]
            )
            rows = _bar_rows(frame, source_id, stamp)
            con.executemany(
                f"INSERT OR REPLACE INTO bars (ticker, date, {_FIELDS_SQL}, source_id, fetched_at) "
                f"VALUES (?, ?, {', '.join('?' * len(BAR_FIELDS))}, ?, ?)",
                rows,
            )
            params = [(t,) for t in tickers]
            con.executemany("DELETE FROM bar_summary WHERE ticker = ?", params)
            con.executemany(_SUMMARISE_TICKER, params)
            con.executemany(
                "INSERT OR REPLACE INTO meta VALUES (?, ?)",
                [("last_refresh", _now()), ("last_refresh_source", source)],
            )
            result = self._versions(con, len(frame), bars=True)
        return result

    def upsert_securities(self, frame: pd.DataFrame) -> WriteResult:
        """Insert or update securities (``ticker`` and any of name, sector, industry, type).

        A missing (None/NaN) value leaves the stored value as it is.
        """
        data = check_securities(frame)
        cols = list(data.columns[1:])
        sets = ", ".join(f"{c} = COALESCE(excluded.{c}, securities.{c})" for c in cols)
        sql = (
            f"INSERT INTO securities(ticker{''.join(', ' + c for c in cols)}) "
            f"VALUES ({', '.join('?' * (len(cols) + 1))}) ON CONFLICT(ticker) DO "
            + (f"UPDATE SET {sets}" if cols else "NOTHING")
        )
        with self._write() as con:
            con.executemany(sql, data.itertuples(index=False, name=None))
            result = self._versions(con, len(data), bars=False)
        return result

    def set_universe(self, name: str, tickers: Iterable[str], source: str) -> WriteResult:
        """Create or replace one universe's membership in one transaction."""
        key = check_universe_name(name)
        members = sorted({normalise_ticker(t) for t in tickers})
        with self._write() as con:
            con.execute(
                "INSERT INTO universes VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET "
                "source = excluded.source, updated_at = excluded.updated_at",
                (key, source, _now()),
            )
            con.execute("DELETE FROM universe_members WHERE universe = ?", (key,))
            con.executemany(
                "INSERT INTO universe_members VALUES (?, ?)", [(key, t) for t in members]
            )
            result = self._versions(con, len(members), bars=False)
        return result

    def delete_universe(self, name: str) -> WriteResult:
        """Remove a stored universe.

        Raises
        ------
        UnknownUniverseError
            If the store holds no universe of that name.
        """
        key = check_universe_name(name)
        with self._write() as con:
            found = con.execute("SELECT 1 FROM universes WHERE name = ?", (key,)).fetchone()
            if found is None:
                known = ", ".join(
                    r[0] for r in con.execute("SELECT name FROM universes ORDER BY name")
                )
                raise UnknownUniverseError(name=name, known=known or "none")
            con.execute("DELETE FROM universe_members WHERE universe = ?", (key,))
            con.execute("DELETE FROM universes WHERE name = ?", (key,))
            result = self._versions(con, 0, bars=False)
        return result


def _bar_rows(frame: pd.DataFrame, source_id: int, stamp: str) -> Iterator[tuple[Any, ...]]:
    """Rows for ``INSERT INTO bars``: ticker, date text, the fields (NULL for NaN), source, stamp."""
    values = [frame[f].to_numpy(dtype=np.float64) for f in BAR_FIELDS]
    return zip(
        frame["ticker"].tolist(),
        _day_text(frame["date"]),
        *[pd.Series(v, dtype=object).where(~np.isnan(v), None).tolist() for v in values],
        [source_id] * len(frame),
        [stamp] * len(frame),
        strict=True,
    )


def _empty_bars() -> pd.DataFrame:
    frame = pd.DataFrame(columns=["ticker", "date", *BAR_FIELDS, "source", "fetched_at"])
    frame["date"] = pd.to_datetime(frame["date"])
    for f in BAR_FIELDS:
        frame[f] = frame[f].astype("float64")
    return frame
