"""``xlsrc store init``: load the bundled snapshot into a PostgreSQL database.

:func:`initialise` builds the store's tables in a staging schema, copies the snapshot's
sources, securities, universes and bars into them (the bars as one binary ``COPY``),
keys and summarises them and swaps them into the current schema, all in one
transaction; :class:`InitResult` says what was loaded.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

import numpy as np

from ...errors import StoreError
from ..schema import BAR_FIELDS
from .postgres import PostgresStore
from .postgres_schema import (
    BAR_KEYS,
    LOCK_SQL,
    TABLES,
    create_schema,
    import_psycopg,
    now_text,
    one_line,
    read_meta,
)

__all__ = ["InitResult", "initialise"]

#: Bars from the staged fixed-width load table (NaN there stands for NULL).
_LOAD_BARS: Final = (
    f"INSERT INTO bars (ticker, date, {', '.join(BAR_FIELDS)}, source_id, fetched_at) "
    "SELECT t.ticker, l.date, NULLIF(l.open, 'NaN'), NULLIF(l.high, 'NaN'), "
    "NULLIF(l.low, 'NaN'), l.close, NULLIF(l.volume, 'NaN'), NULL, l.source_id, NULL "
    "FROM xlsrc_load l JOIN xlsrc_load_tickers t USING (code)"
)
#: Days from 1970-01-01 (xlsrc's day numbers) to 2000-01-01 (PostgreSQL's date epoch).
_PG_EPOCH_DAYS: Final = 10957
_COPY_SIGNATURE: Final = b"PGCOPY\n\xff\r\n\x00"


class InitResult:
    """What :func:`initialise` loaded (printable)."""

    def __init__(self, location: str, counts: dict[str, int], snapshot_version: str) -> None:
        self.location = location
        self.counts = counts
        self.snapshot_version = snapshot_version

    def __str__(self) -> str:
        c = self.counts
        return (
            f"Initialised {self.location} from the bundled snapshot (version "
            f"{self.snapshot_version}): {c['bars']:,} bars of {c['tickers']:,} tickers, "
            f"{c['securities']:,} securities, {c['universes']} universes, "
            f"{c['sources']} sources."
        )


def initialise(
    url: str,
    *,
    snapshot: str | os.PathLike[str] | None = None,
    force: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
) -> InitResult:
    """Create the schema in a PostgreSQL database and load the bundled snapshot into it.

    Behind ``xlsrc store init URL``. The snapshot is trusted data (built and checked by
    ``scripts/build_snapshot.py`` from the files in ``shared/data``, the same rows the
    embedded store reads in place), so its bars are loaded with ``COPY`` as they are,
    not through the validation gate row by row; everything written later goes through
    :func:`xlsrc.data.ingest.ingest_bars` as usual.

    All of it is one transaction: the tables are built in a staging schema, loaded, keyed
    and summarised, then swapped into the current schema just before the commit. An
    interruption (Ctrl-C, a lost connection, a killed process) at any point leaves the
    database as it was; readers keep reading the old tables until the swap.

    Parameters
    ----------
    url : str
        The database (``postgresql://...``).
    snapshot : str or path-like, optional
        A snapshot directory (tests); default the bundled one.
    force : bool
        Replace a store that already holds data (every write since is lost).
    progress : callable, optional
        ``progress(stage, done, total)``: ``stage`` is ``"bars"`` (rows copied so far)
        or ``"finish"`` (steps done of the steps after the copy).

    Returns
    -------
    InitResult

    Raises
    ------
    StoreError
        If the database already holds a store with data and ``force`` is False, or the
        server fails (nothing is changed then).
    """
    from .snapshot import SnapshotStore

    psycopg = import_psycopg()
    snap = SnapshotStore(None if snapshot is None else Path(snapshot))
    store = PostgresStore(url, cache=False)
    location = store.location
    provenance = snap.provenance
    conn = store._connect()
    counts: dict[str, int] = {}
    try:
        with conn.transaction(), conn.cursor() as cur:
            cur.execute(LOCK_SQL)
            (target,) = cur.execute("SELECT current_schema()").fetchone() or (None,)
            if target is None:
                raise StoreError(
                    f"{location} has no current schema to create the store in (search_path)"
                )
            old = read_meta(cur)
            if old is not None:
                full: dict[str, str] = dict(cur.execute("SELECT key, value FROM meta").fetchall())
                if (full.get("snapshot_id") or int(full.get("data_version", 0)) > 0) and not force:
                    what = (
                        f"snapshot {full['snapshot_version']} loaded {full.get('created_at', '')}"
                        if full.get("snapshot_id")
                        else f"{full.get('data_version')} writes"
                    )
                    raise StoreError(
                        f"{location} already holds an xlsrc store ({what}; data_version "
                        f"{full.get('data_version')}): pass --force to replace everything in "
                        "it with the bundled snapshot"
                    )
            staging = f"xlsrc_init_{uuid.uuid4().hex[:12]}"
            cur.execute(f"CREATE SCHEMA {staging}")
            cur.execute(f"SET LOCAL search_path TO {staging}")
            create_schema(cur, store_id=uuid.uuid4().hex, with_bar_keys=False)
            counts.update(_load_snapshot(cur, snap, progress))
            steps: list[tuple[str, tuple[Any, ...]]] = [
                (_LOAD_BARS, ()),
                ("DROP TABLE xlsrc_load", ()),
                # every bar's ticker is a security (the snapshot lists them all; this keeps it so)
                (
                    "INSERT INTO securities (ticker) SELECT ticker FROM xlsrc_load_tickers "
                    "ON CONFLICT (ticker) DO NOTHING",
                    (),
                ),
                *((s, ()) for s in BAR_KEYS),
                (
                    "INSERT INTO bar_summary SELECT ticker, source_id, COUNT(*), MIN(date), "
                    "MAX(date) FROM bars GROUP BY ticker, source_id",
                    (),
                ),
                ("ANALYZE bars", ()),
                ("ANALYZE bar_summary", ()),
            ]
            total = len(steps) + 1
            for i, (statement, params) in enumerate(steps):
                cur.execute(statement, params)
                if progress:
                    progress("finish", i + 1, total)
            meta = {
                "data_version": "1",
                "bars_version": "1",
                "bars_stamp": uuid.uuid4().hex,
                "snapshot_version": str(provenance.get("snapshot_version", "")),
                "snapshot_id": snap.snapshot_id,
                "loaded_by": f"xlsrc store init ({_package_version()})",
            }
            cur.executemany(
                "INSERT INTO meta VALUES (%s, %s) ON CONFLICT (key) DO UPDATE "
                "SET value = EXCLUDED.value",
                list(meta.items()),
            )
            # the swap: drop the old store's tables (if any) and move the new ones in
            for table in reversed(TABLES):
                cur.execute(f'DROP TABLE IF EXISTS "{target}".{table} CASCADE')
            for table in TABLES:
                cur.execute(f'ALTER TABLE {staging}.{table} SET SCHEMA "{target}"')
            cur.execute(f"DROP SCHEMA {staging}")
            if progress:
                progress("finish", total, total)
    except psycopg.Error as exc:
        raise StoreError(
            f"Initialising {location} failed (nothing was changed): {one_line(exc)}"
        ) from exc
    finally:
        with contextlib.suppress(Exception):
            conn.close()
    return InitResult(location, counts, str(provenance.get("snapshot_version", "")))


def _package_version() -> str:
    from ... import __version__

    return f"xlsrc {__version__}"


def _load_snapshot(
    cur: Any, snap: Any, progress: Callable[[str, int, int], None] | None
) -> dict[str, int]:
    """Copy the snapshot's sources, securities, universes and bars into the staged tables."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    described = snap.provenance.get("sources", {})
    path = Path(snap.directory) / "bars.parquet"
    try:
        reader = pq.ParquetFile(path)
    except Exception as exc:
        raise StoreError(f"Bundled snapshot file {path} is unreadable: {exc}") from exc
    # sources: every name the bars use, in the provenance's order, then any others
    source_names = list(described)
    for group in range(reader.num_row_groups):
        col = reader.read_row_group(group, columns=["source"]).column("source").combine_chunks()
        if not pa.types.is_dictionary(col.type):
            col = col.dictionary_encode()
        for name in col.dictionary.to_pylist():
            if name not in source_names:
                source_names.append(name)
    source_id = {}
    for name in source_names:
        info = described.get(name) or {}
        (source_id[name],) = cur.execute(
            "INSERT INTO sources (name, description, fetched_at) VALUES (%s, %s, %s) RETURNING id",
            (name, info.get("description"), info.get("fetched_at")),
        ).fetchone()
    # securities
    sec = snap.securities().reset_index()
    with cur.copy("COPY securities (ticker, name, sector, industry, type) FROM STDIN") as copy:
        for row in sec[["ticker", "name", "sector", "industry", "type"]].itertuples(
            index=False, name=None
        ):
            copy.write_row(row)
    # universes, current and built-in
    universes = snap.universes()
    sources = snap.universe_sources()
    now = now_text()
    for name, members in universes.items():
        cur.execute("INSERT INTO universes VALUES (%s, %s, %s)", (name, sources.get(name, ""), now))
        cur.execute("INSERT INTO builtin_universes VALUES (%s, %s)", (name, sources.get(name, "")))
        for table in ("universe_members", "builtin_universe_members"):
            cur.execute(f"INSERT INTO {table} SELECT %s, unnest(%s::text[])", (name, list(members)))
    # bars: fixed-width binary rows into a load table, then one INSERT ... SELECT
    cur.execute(
        "CREATE TEMP TABLE xlsrc_load (code integer, date date, open double precision, "
        "high double precision, low double precision, close double precision, "
        "volume double precision, source_id integer) ON COMMIT DROP"
    )
    total = reader.metadata.num_rows
    dictionary: list[str] = []
    position: dict[str, int] = {}
    done = 0
    if progress:
        progress("bars", 0, total)
    columns = ["ticker", "date", "open", "high", "low", "close", "volume", "source"]
    row_type = np.dtype(
        [("n", ">i2"), ("l0", ">i4"), ("code", ">i4"), ("l1", ">i4"), ("day", ">i4")]
        + [
            (x, y)
            for f in ("open", "high", "low", "close", "volume")
            for x, y in ((f"l_{f}", ">i4"), (f, ">f8"))
        ]
        + [("l_src", ">i4"), ("src", ">i4")]
    )
    with cur.copy("COPY xlsrc_load FROM STDIN (FORMAT BINARY)") as copy:
        copy.write(_COPY_SIGNATURE + b"\x00\x00\x00\x00\x00\x00\x00\x00")
        for group in range(reader.num_row_groups):
            table = reader.read_row_group(group, columns=columns)
            n = table.num_rows
            ticker = table.column("ticker").combine_chunks()
            if not pa.types.is_dictionary(ticker.type):
                ticker = ticker.dictionary_encode()
            remap = np.empty(len(ticker.dictionary), dtype=np.int32)
            for i, t in enumerate(ticker.dictionary.to_pylist()):
                if t not in position:
                    position[t] = len(dictionary)
                    dictionary.append(t)
                remap[i] = position[t]
            source = table.column("source").combine_chunks()
            if not pa.types.is_dictionary(source.type):
                source = source.dictionary_encode()
            source_map = np.array(
                [source_id[s] for s in source.dictionary.to_pylist()], dtype=np.int32
            )
            date = table.column("date").combine_chunks()
            if pa.types.is_timestamp(date.type):
                date = date.cast(pa.date32())
            rows = np.empty(n, dtype=row_type)
            rows["n"] = 8
            for name in ("l0", "l1", "l_src"):
                rows[name] = 4
            rows["code"] = remap[ticker.indices.to_numpy(zero_copy_only=False)]
            rows["day"] = date.cast(pa.int32()).to_numpy(zero_copy_only=False) - _PG_EPOCH_DAYS
            for f in ("open", "high", "low", "close", "volume"):
                rows[f"l_{f}"] = 8
                rows[f] = (
                    table.column(f).cast(pa.float64()).to_numpy(zero_copy_only=False)
                )  # nulls become NaN, NULL again below
            rows["src"] = source_map[source.indices.to_numpy(zero_copy_only=False)]
            copy.write(rows.tobytes())
            done += n
            if progress:
                progress("bars", done, total)
            del table, rows
        copy.write(b"\xff\xff")
    cur.execute(
        'CREATE TEMP TABLE xlsrc_load_tickers (code integer PRIMARY KEY, ticker text COLLATE "C") '
        "ON COMMIT DROP"
    )
    cur.execute(
        "INSERT INTO xlsrc_load_tickers SELECT generate_subscripts(%s::text[], 1) - 1, "
        "unnest(%s::text[])",
        (dictionary, dictionary),
    )
    return {
        "bars": done,
        "tickers": len(dictionary),
        "securities": len(sec),
        "universes": len(universes),
        "sources": len(source_names),
    }
