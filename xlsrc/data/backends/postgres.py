"""PostgreSQL: the shared store of a desk, filled by one scheduled refresh job.

Selected by a URL (``XLSRC_STORE=postgresql://host/db`` or ``--store``); needs the
``postgres`` extra (psycopg 3), imported only when such a URL is opened. Unlike the
embedded store it is not layered over each analyst's bundled snapshot (two analysts on
different package versions would see different bases): it holds everything itself, and
``xlsrc store init URL`` (:func:`~xlsrc.data.backends.postgres_init.initialise`) loads the bundled snapshot into it once.

The schema (``SCHEMA_VERSION`` = 3, the same tables and meaning as the SQLite store's)
is in :mod:`xlsrc.data.backends.postgres_schema`; ``xlsrc store init`` in
:mod:`xlsrc.data.backends.postgres_init`.

Transactions:

- **Writers are serialised** by a transaction-level advisory lock taken first in every
  write (``pg_advisory_xact_lock``), which also covers creating the schema on the first
  write to an empty database. Every write is one transaction that bumps
  ``data_version`` (and ``bars_version`` for bars); any error rolls it back whole, and a
  writer killed mid-transaction leaves nothing (the server aborts its transaction).
- **Readers** of more than one statement run in ``REPEATABLE READ READ ONLY``
  transactions: :meth:`PostgresStore.read_long` returns the bars and the identity they
  reflect from one snapshot. :meth:`PostgresStore.identity` is one tiny query.

Bulk reads: ``read_long`` is one query returning one row per ticker, whose bars the
server packs into a single ``bytea`` (``string_agg`` of ``int4send(day) ||
float8send(field)...``, NULL sent as NaN), so the client turns the whole answer into
numpy arrays with one :func:`numpy.frombuffer`, with no Python step per bar; every
ticker's byte count is checked against its bar count. (A binary ``COPY`` of one row per
bar was measured first: psycopg hands a COPY out one row per call, 6.3 million calls;
6.1 s against 4.4 s for this query, side by side on the same loaded 2-core machine.) The result is kept in a local file cache
(:mod:`xlsrc.data.cache`) keyed by ``(store_id, bars_version)`` and the fields, so a
formula process reads the server once per change of its bars.

One connection per store object (per process: a forked child opens its own), opened on
first use with ``connect_timeout`` 5 s and ``application_name`` ``xlsrc`` unless the
URL says otherwise; a read that finds it broken (server restarted) reconnects once.

Size: about 700 lines, nearly all of them one class. :class:`PostgresStore` implements
every method of the :class:`~xlsrc.data.backends.base.Store` protocol, and each goes
through the same connection, lock and the two transaction helpers (``_run_read``,
``_write``); splitting its reads from its writes would spread one object's private state
over mixins in two modules. What is not the class moved out: the schema and connection
defaults (:mod:`~xlsrc.data.backends.postgres_schema`) and ``store init``
(:mod:`~xlsrc.data.backends.postgres_init`).
"""

from __future__ import annotations

import contextlib
import os
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd

from ...errors import StoreError, UnknownUniverseError
from ...periods import DEFAULT_BENCHMARK
from ..cache import BarsCache
from ..schema import BAR_FIELDS, LongBars, StoreStatus, WriteResult
from ..universes import normalise_ticker
from ..validate import ValidBars, check_securities, check_universe_name
from .postgres_schema import (
    IDENTITY_KEYS,
    LOCK_SQL,
    check_version,
    connection_info,
    create_schema,
    identity_of,
    import_psycopg,
    mask_url,
    now_text,
    one_line,
    read_meta,
    read_versions,
    stamp_text,
    versions_meta,
)
from .sqlite import SCHEMA_VERSION

if TYPE_CHECKING:
    import psycopg

__all__ = ["SCHEMA_VERSION", "PostgresStore"]

_FIELDS_SQL: Final = ", ".join(BAR_FIELDS)


class PostgresStore:
    """The store in a PostgreSQL database (see the module docstring).

    Parameters
    ----------
    url : str
        ``postgresql://[user[:password]@]host[:port]/database[?options]``.
    cache : BarsCache, bool or None
        The local cache of :meth:`read_long`: None/True = the default folder
        (:func:`xlsrc.data.cache.cache_root`), False = none (every read goes to the
        server), or a :class:`~xlsrc.data.cache.BarsCache`.

    Raises
    ------
    StoreError
        On first use, if the server cannot be reached or the database holds a store of
        another schema version (one line naming the URL, password masked).
    """

    def __init__(self, url: str, *, cache: BarsCache | bool | None = None) -> None:
        self.url = url
        self.location = mask_url(url)
        self._conninfo: str | None = None
        self._conn: Any = None
        self._pid = 0
        self._lock = threading.RLock()
        self.cache: BarsCache | None = (
            cache if isinstance(cache, BarsCache) else (None if cache is False else BarsCache())
        )

    def __repr__(self) -> str:
        return f"PostgresStore({self.location!r})"

    # ------------------------------------------------------------------ connections
    def _connect(self) -> psycopg.Connection:
        psycopg = import_psycopg()
        if self._conninfo is None:
            self._conninfo = connection_info(self.url)
        try:
            return psycopg.connect(self._conninfo, autocommit=True)
        except psycopg.Error as exc:
            raise StoreError(
                f"Cannot connect to the PostgreSQL store {self.location}: {one_line(exc)}"
            ) from exc

    def _connection(self) -> psycopg.Connection:
        """Return this process's open connection, opening one if needed."""
        conn = self._conn
        if conn is not None and self._pid != os.getpid():
            # Inherited through fork: the socket is the parent's. The child only forgets
            # it (psycopg never closes a connection made in another process).
            conn = self._conn = None
        if conn is None or conn.closed or conn.broken:
            conn = self._conn = self._connect()
            self._pid = os.getpid()
        return conn

    def close(self) -> None:
        """Close the connection (a later call opens a new one)."""
        with self._lock:
            conn, self._conn = self._conn, None
            if conn is not None and self._pid == os.getpid():
                with contextlib.suppress(Exception):
                    conn.close()

    def _run_read(self, work: Callable[[Any], Any]) -> Any:
        """Run ``work(cursor)`` in a REPEATABLE READ READ ONLY transaction.

        ``work`` gets None instead of a cursor when the database holds no store yet.
        A connection found broken (a restarted server) is reopened and the read retried
        once.
        """
        psycopg = import_psycopg()
        with self._lock:
            for attempt in (1, 2):
                conn = self._connection()
                try:
                    with conn.transaction(), conn.cursor() as cur:
                        cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                        meta = read_meta(cur)
                        return work(cur if meta is not None else None)
                except StoreError:
                    raise
                except psycopg.OperationalError as exc:
                    if attempt == 1 and (conn.broken or conn.closed):
                        continue
                    raise StoreError(
                        f"Cannot read the PostgreSQL store {self.location}: {one_line(exc)}"
                    ) from exc
                except psycopg.Error as exc:
                    raise StoreError(
                        f"Cannot read the PostgreSQL store {self.location}: {one_line(exc)}"
                    ) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def _fetch(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Return the rows of one SELECT, read as :meth:`_run_read` reads (none without a store)."""

        def work(cur: Any) -> list[tuple[Any, ...]]:
            return [] if cur is None else cur.execute(sql, params).fetchall()

        rows: list[tuple[Any, ...]] = self._run_read(work)
        return rows

    @contextlib.contextmanager
    def _write(self, bars: bool = False) -> Iterator[Any]:
        """Yield a cursor in one serialised write transaction that bumps the versions."""
        psycopg = import_psycopg()
        with self._lock:
            conn = self._connection()
            try:
                with conn.transaction(), conn.cursor() as cur:
                    cur.execute(LOCK_SQL)
                    if read_meta(cur) is None:
                        create_schema(cur, store_id=uuid.uuid4().hex)
                    yield cur
                    if bars:
                        cur.execute(
                            "INSERT INTO meta VALUES ('bars_stamp', %s) "
                            "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                            (uuid.uuid4().hex,),
                        )
                    keys = ["data_version", *(["bars_version"] if bars else [])]
                    cur.execute(
                        "UPDATE meta SET value = (value::bigint + 1)::text WHERE key = ANY(%s)",
                        (keys,),
                    )
                    cur.execute(
                        "INSERT INTO meta VALUES ('last_write_at', %s) "
                        "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                        (now_text(),),
                    )
            except psycopg.Error as exc:
                raise StoreError(
                    f"Write to the PostgreSQL store {self.location} failed (nothing was "
                    f"changed): {one_line(exc)}"
                ) from exc

    # ------------------------------------------------------------------ reads
    def identity(self) -> tuple[str, int, int]:
        """Return ``(store_id, data_version, bars_version)`` in one query (``("", 0, 0)`` if empty)."""
        return self._identity_and_stamp()[0]

    def _identity_and_stamp(self) -> tuple[tuple[str, int, int], str]:
        """Return the identity and the ``bars_stamp`` of the last bar write, in one query."""
        psycopg = import_psycopg()
        with self._lock:
            for attempt in (1, 2):
                conn = self._connection()
                try:
                    with conn.cursor() as cur:
                        rows = cur.execute(
                            "SELECT key, value FROM meta WHERE key = ANY(%s)",
                            (list(IDENTITY_KEYS),),
                        ).fetchall()
                    break
                except psycopg.errors.UndefinedTable:
                    return ("", 0, 0), ""
                except psycopg.OperationalError as exc:
                    if attempt == 1 and (conn.broken or conn.closed):
                        continue
                    raise StoreError(
                        f"Cannot read the PostgreSQL store {self.location}: {one_line(exc)}"
                    ) from exc
                except psycopg.Error as exc:
                    raise StoreError(
                        f"Cannot read the PostgreSQL store {self.location}: {one_line(exc)}"
                    ) from exc
        meta: dict[str, str] = dict(rows)
        check_version(meta, self.location)
        identity = (
            meta.get("store_id", ""),
            int(meta.get("data_version", 0)),
            int(meta.get("bars_version", 0)),
        )
        return identity, meta.get("bars_stamp", "")

    def replaced(self) -> dict[str, pd.Timestamp]:
        """Return ticker -> the first session of its replaced history."""

        def work(cur: Any) -> dict[str, pd.Timestamp]:
            if cur is None:
                return {}
            rows = cur.execute("SELECT ticker, since FROM replaced").fetchall()
            return {t: pd.Timestamp(s) for t, s in rows}

        return self._run_read(work)

    def read_long(self, fields: Sequence[str]) -> tuple[LongBars, tuple[str, int, int]]:
        """Return every bar with ``fields`` as numpy arrays, and the identity they reflect.

        Reads from the local cache when it holds exactly the server's current
        ``(store_id, bars_version, bars_stamp)`` for these fields (asked in one query);
        otherwise one bulk query in a REPEATABLE READ transaction, whose result is then
        cached.

        Raises
        ------
        StoreError
            If the server cannot be reached (nothing is served from the cache then) or
            the bulk read fails its checks.
        """
        fields = tuple(fields)
        if self.cache is not None:
            identity, stamp = self._identity_and_stamp()
            if identity[0]:
                hit = self.cache.load(identity[0], identity[2], fields, stamp=stamp)
                if hit is not None:
                    return hit, identity
        long, identity, stamp = self.read_long_from_server(fields)
        if self.cache is not None and identity[0]:
            self.cache.save(identity[0], identity[2], fields, long, stamp=stamp)
        return long, identity

    def read_long_from_server(
        self, fields: Sequence[str]
    ) -> tuple[LongBars, tuple[str, int, int], str]:
        """Return every bar with ``fields`` from the server (no cache), the identity and stamp.

        One REPEATABLE READ transaction: the bars, ``(store_id, data_version,
        bars_version)`` and the ``bars_stamp`` of the write that made them.
        """
        fields = tuple(fields)
        stored = [f for f in fields if f in BAR_FIELDS]

        record = np.dtype([("day", ">i4"), *((f"v{i}", ">f8") for i in range(len(stored)))])
        packed = " || ".join(
            [
                "int4send(date - DATE '1970-01-01')",
                *(f"float8send(COALESCE({f}, 'NaN'))" for f in stored),
            ]
        )
        sql = (
            f"SELECT ticker, COUNT(*), string_agg({packed}, ''::bytea) "
            "FROM bars GROUP BY ticker ORDER BY ticker"
        )

        def work(cur: Any) -> tuple[LongBars, tuple[str, int, int], str]:
            if cur is None:
                return LongBars.empty(fields), ("", 0, 0), ""
            meta = versions_meta(cur)
            rows = cur.execute(sql, binary=True).fetchall()
            long = _unpack(rows, record, stored, fields, self.location)
            return long, identity_of(meta), meta.get("bars_stamp", "")

        return self._run_read(work)

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
            "WHERE TRUE"
        )
        params: list[Any] = []
        if tickers is not None:
            names = [
                normalise_ticker(t) for t in ([tickers] if isinstance(tickers, str) else tickers)
            ]
            if not names:
                return _empty_bars()
            sql += " AND b.ticker = ANY(%s)"
            params.append(names)
        if start is not None:
            sql += " AND b.date >= %s"
            params.append(pd.Timestamp(start).date())
        if end is not None:
            sql += " AND b.date <= %s"
            params.append(pd.Timestamp(end).date())
        sql += " ORDER BY b.ticker, b.date"

        rows = self._fetch(sql, params)
        frame = pd.DataFrame(rows, columns=["ticker", "date", *BAR_FIELDS, "source", "fetched_at"])
        frame["date"] = pd.to_datetime(frame["date"])
        for f in BAR_FIELDS:
            frame[f] = frame[f].astype("float64")
        return frame

    def securities(self) -> pd.DataFrame:
        """Return securities indexed by ticker: name, sector, industry, type."""
        rows = self._fetch(
            "SELECT ticker, name, sector, industry, type FROM securities ORDER BY ticker"
        )
        frame = pd.DataFrame(rows, columns=["ticker", "name", "sector", "industry", "type"])
        frame = frame.astype(object).where(frame.notna(), None)
        return frame.set_index("ticker")

    def universes(self) -> dict[str, tuple[str, ...]]:
        """Return every stored universe: name -> sorted members."""
        return self._universes("universes", "universe_members")

    def builtin_universes(self) -> dict[str, tuple[str, ...]]:
        """Return the universes ``store init`` loaded from the bundled snapshot, as shipped."""
        return self._universes("builtin_universes", "builtin_universe_members")

    def _universes(self, names: str, members: str) -> dict[str, tuple[str, ...]]:
        def work(cur: Any) -> dict[str, tuple[str, ...]]:
            if cur is None:
                return {}
            out: dict[str, list[str]] = {
                r[0]: [] for r in cur.execute(f"SELECT name FROM {names} ORDER BY name")
            }
            for uni, ticker in cur.execute(
                f"SELECT universe, ticker FROM {members} ORDER BY universe, ticker"
            ):
                out[uni].append(ticker)
            return {k: tuple(v) for k, v in out.items()}

        return self._run_read(work)

    def universe_sources(self) -> dict[str, str]:
        """Return universe name -> where its list came from."""

        def work(cur: Any) -> dict[str, str]:
            if cur is None:
                return {}
            return dict(cur.execute("SELECT name, source FROM universes").fetchall())

        return self._run_read(work)

    def source_summary(self) -> pd.DataFrame:
        """Return one row per source: source, detail, tickers, first, last, fetched_at."""
        rows = self._fetch(
            "SELECT s.name, s.description, COUNT(DISTINCT b.ticker), MIN(b.first), "
            "MAX(b.last), s.fetched_at FROM sources s LEFT JOIN bar_summary b "
            "ON b.source_id = s.id GROUP BY s.id ORDER BY s.id"
        )
        frame = pd.DataFrame(
            rows,
            columns=["source", "detail", "tickers", "first", "last", "fetched_at"],
        )
        frame["detail"] = frame["detail"].fillna("")
        frame["fetched_at"] = frame["fetched_at"].fillna("")
        frame["tickers"] = frame["tickers"].astype("int64")
        frame["first"] = pd.to_datetime(frame["first"])
        frame["last"] = pd.to_datetime(frame["last"])
        return frame

    def last_days(self) -> pd.Series:
        """Return ticker -> date of its last stored bar (from ``bar_summary``)."""
        rows = self._fetch(
            "SELECT ticker, MAX(last) FROM bar_summary GROUP BY ticker ORDER BY ticker"
        )
        return pd.Series(
            pd.to_datetime([r[1] for r in rows]),
            index=pd.Index([r[0] for r in rows], name="ticker"),
            dtype="datetime64[ns]",
        )

    def status(self) -> StoreStatus:
        """Describe the store in printable values (one consistent read of meta and summaries)."""
        from ..matrices import latest_session_of, tickers_with_bar_on

        def work(cur: Any) -> tuple[dict[str, str], list[dict[str, str]], list[tuple[Any, ...]]]:
            if cur is None:
                return {}, [], []
            meta = dict(cur.execute("SELECT key, value FROM meta").fetchall())
            sources = [
                {"name": n, "description": d or "", "fetched_at": f or ""}
                for n, d, f in cur.execute(
                    "SELECT name, description, fetched_at FROM sources ORDER BY id"
                )
            ]
            rows = cur.execute(
                "SELECT ticker, MIN(first), MAX(last) FROM bar_summary GROUP BY ticker"
            ).fetchall()
            return meta, sources, rows

        meta, sources, rows = self._run_read(work)
        last = pd.Series(
            pd.to_datetime([r[2] for r in rows]), index=[r[0] for r in rows], dtype="datetime64[ns]"
        )
        latest = latest_session_of(last)
        bench = last.index.isin([DEFAULT_BENCHMARK])
        first = (
            min((r[1] for r, b in zip(rows, bench, strict=True) if b), default=None)
            if bench.any()
            else min((r[1] for r in rows), default=None)
        )
        on_latest = None if latest is None else tickers_with_bar_on(self, latest, last)
        return StoreStatus(
            location=self.location,
            backend="PostgreSQL",
            schema_version=int(meta.get("schema_version", SCHEMA_VERSION)),
            data_version=int(meta.get("data_version", 0)),
            bars_version=int(meta.get("bars_version", 0)),
            snapshot_version=meta.get("snapshot_version"),
            created_at=meta.get("created_at"),
            last_refresh=meta.get("last_refresh"),
            last_refresh_source=meta.get("last_refresh_source"),
            first_date=None if first is None else f"{first:%Y-%m-%d}",
            last_date=None if latest is None else f"{latest:%Y-%m-%d}",
            n_tickers=len(rows),
            tickers_on_last_date=on_latest,
            sources=sources,
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
        """Upsert checked bars in one transaction (see ``Store.write_bars``).

        The bars are copied (``COPY ... FROM STDIN``) into a temporary table, then merged
        with set-based statements: the replaced histories, the upsert, ``securities`` for
        new tickers and ``bar_summary`` of the written tickers.

        Raises
        ------
        TypeError
            If ``bars`` did not come from :func:`xlsrc.data.validate.check_bars`.
        StoreError
            If PostgreSQL fails; the store is then unchanged.
        """
        if not isinstance(bars, ValidBars):
            raise TypeError("write_bars takes ValidBars (xlsrc.data.validate.check_bars)")
        frame = bars.frame
        stamp = stamp_text(fetched_at)
        with self._write(bars=True) as cur:
            cur.execute(
                'CREATE TEMP TABLE xlsrc_stage (ticker text COLLATE "C", date date, '
                + ", ".join(f"{f} double precision" for f in BAR_FIELDS)
                + ") ON COMMIT DROP"
            )
            with cur.copy(f"COPY xlsrc_stage (ticker, date, {_FIELDS_SQL}) FROM STDIN") as copy:
                for row in _bar_rows(frame):
                    copy.write_row(row)
            (source_id,) = cur.execute(
                "INSERT INTO sources (name, description, fetched_at) VALUES (%s, %s, %s) "
                "ON CONFLICT (name) DO UPDATE SET fetched_at = EXCLUDED.fetched_at, "
                "description = COALESCE(EXCLUDED.description, sources.description) RETURNING id",
                (source, description, stamp),
            ).fetchone()
            if replace:
                cur.execute(
                    "DELETE FROM bars b USING (SELECT ticker, MIN(date) AS since "
                    "FROM xlsrc_stage GROUP BY ticker) f "
                    "WHERE b.ticker = f.ticker AND b.date >= f.since"
                )
                cur.execute(
                    "INSERT INTO replaced SELECT ticker, MIN(date) FROM xlsrc_stage "
                    "GROUP BY ticker ON CONFLICT (ticker) DO UPDATE "
                    "SET since = LEAST(replaced.since, EXCLUDED.since)"
                )
            cur.execute(
                "INSERT INTO securities (ticker) SELECT DISTINCT ticker FROM xlsrc_stage "
                "ON CONFLICT (ticker) DO NOTHING"
            )
            updates = ", ".join(f"{f} = EXCLUDED.{f}" for f in BAR_FIELDS)
            cur.execute(
                f"INSERT INTO bars (ticker, date, {_FIELDS_SQL}, source_id, fetched_at) "
                f"SELECT ticker, date, {_FIELDS_SQL}, %s, %s FROM xlsrc_stage "
                f"ON CONFLICT (ticker, date) DO UPDATE SET {updates}, "
                "source_id = EXCLUDED.source_id, fetched_at = EXCLUDED.fetched_at",
                (source_id, stamp),
            )
            cur.execute("DELETE FROM bar_summary WHERE ticker IN (SELECT ticker FROM xlsrc_stage)")
            cur.execute(
                "INSERT INTO bar_summary SELECT ticker, source_id, COUNT(*), MIN(date), MAX(date) "
                "FROM bars WHERE ticker IN (SELECT ticker FROM xlsrc_stage) "
                "GROUP BY ticker, source_id"
            )
            cur.executemany(
                "INSERT INTO meta VALUES (%s, %s) ON CONFLICT (key) DO UPDATE "
                "SET value = EXCLUDED.value",
                [("last_refresh", now_text()), ("last_refresh_source", source)],
            )
            versions = read_versions(cur)
        return WriteResult(len(frame), versions["data_version"] + 1, versions["bars_version"] + 1)

    def upsert_securities(self, frame: pd.DataFrame) -> WriteResult:
        """Insert or update securities (``ticker`` and any of name, sector, industry, type).

        A missing (None/NaN) value leaves the stored value as it is.
        """
        data = check_securities(frame)
        cols = list(data.columns[1:])
        sets = ", ".join(f"{c} = COALESCE(EXCLUDED.{c}, securities.{c})" for c in cols)
        sql = (
            f"INSERT INTO securities (ticker{''.join(', ' + c for c in cols)}) "
            f"VALUES ({', '.join(['%s'] * (len(cols) + 1))}) ON CONFLICT (ticker) DO "
            + (f"UPDATE SET {sets}" if cols else "NOTHING")
        )
        with self._write() as cur:
            cur.executemany(sql, list(data.itertuples(index=False, name=None)))
            versions = read_versions(cur)
        return WriteResult(len(data), versions["data_version"] + 1, versions["bars_version"])

    def set_universe(self, name: str, tickers: Iterable[str], source: str) -> WriteResult:
        """Create or replace one universe's membership in one transaction."""
        key = check_universe_name(name)
        members = sorted({normalise_ticker(t) for t in tickers})
        with self._write() as cur:
            cur.execute(
                "INSERT INTO universes VALUES (%s, %s, %s) ON CONFLICT (name) DO UPDATE SET "
                "source = EXCLUDED.source, updated_at = EXCLUDED.updated_at",
                (key, source, now_text()),
            )
            cur.execute("DELETE FROM universe_members WHERE universe = %s", (key,))
            cur.execute(
                "INSERT INTO universe_members SELECT %s, unnest(%s::text[])", (key, members)
            )
            versions = read_versions(cur)
        return WriteResult(len(members), versions["data_version"] + 1, versions["bars_version"])

    def delete_universe(self, name: str) -> WriteResult:
        """Remove a stored universe; a built-in one reverts to the list ``store init`` loaded.

        Raises
        ------
        UnknownUniverseError
            If the store holds no universe of that name (nothing is changed).
        """
        key = check_universe_name(name)
        with self._write() as cur:
            found = cur.execute("SELECT 1 FROM universes WHERE name = %s", (key,)).fetchone()
            if found is None:
                known = ", ".join(
                    r[0] for r in cur.execute("SELECT name FROM universes ORDER BY name")
                )
                raise UnknownUniverseError(name=name, known=known or "none")
            cur.execute("DELETE FROM universe_members WHERE universe = %s", (key,))
            cur.execute("DELETE FROM universes WHERE name = %s", (key,))
            cur.execute(
                "INSERT INTO universes SELECT name, source, %s FROM builtin_universes "
                "WHERE name = %s",
                (now_text(), key),
            )
            cur.execute(
                "INSERT INTO universe_members SELECT universe, ticker "
                "FROM builtin_universe_members WHERE universe = %s",
                (key,),
            )
            versions = read_versions(cur)
        return WriteResult(0, versions["data_version"] + 1, versions["bars_version"])


# --------------------------------------------------------------------------- helpers
def _bar_rows(frame: pd.DataFrame) -> Iterator[tuple[Any, ...]]:
    """Rows for the staging COPY: ticker, date, the fields (None for NaN)."""
    values = [frame[f].to_numpy(dtype=np.float64) for f in BAR_FIELDS]
    dates = pd.DatetimeIndex(frame["date"]).date
    return zip(
        frame["ticker"].tolist(),
        dates.tolist(),
        *[list(np.where(np.isnan(v), None, v)) for v in values],
        strict=True,
    )


def _unpack(
    rows: list[tuple[Any, ...]],
    record: np.dtype,
    stored: Sequence[str],
    fields: Sequence[str],
    location: str,
) -> LongBars:
    """Turn ``(ticker, count, packed records)`` rows into LongBars, checking every length.

    Each ticker's records are ``count`` big-endian ``(int4 day, float8 field...)``
    records (``int4send``/``float8send`` packed by ``string_agg`` on the server), so the
    whole read is one :func:`numpy.frombuffer` over the joined bytes.

    Raises
    ------
    StoreError
        If a ticker's bytes are not exactly ``count`` records.
    """
    tickers = np.asarray([r[0] for r in rows], dtype=object)
    counts = np.asarray([r[1] for r in rows], dtype=np.int64)
    lengths = np.asarray([len(r[2]) for r in rows], dtype=np.int64)
    if not np.array_equal(lengths, counts * record.itemsize):
        raise StoreError(
            f"The PostgreSQL store {location} sent bars of an unexpected size (a bar with "
            "a NULL date or close?); nothing was loaded"
        )
    data = np.frombuffer(b"".join(r[2] for r in rows), dtype=record)
    out = {f: np.full(len(data), np.nan) for f in fields}
    for i, f in enumerate(stored):
        out[f] = data[f"v{i}"].astype(np.float64)
    return LongBars(
        tickers=tickers,
        code=np.repeat(np.arange(len(tickers), dtype=np.int32), counts),
        day=data["day"].astype(np.int32),
        fields=out,
    )


def _empty_bars() -> pd.DataFrame:
    frame = pd.DataFrame(columns=["ticker", "date", *BAR_FIELDS, "source", "fetched_at"])
    frame["date"] = pd.to_datetime(frame["date"])
    for f in BAR_FIELDS:
        frame[f] = frame[f].astype("float64")
    return frame
