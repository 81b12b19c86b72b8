"""The bundled snapshot as a read-only store (``xlsrc/_data/``, built by ``scripts/build_snapshot.py``).

The snapshot ships with the package and is never copied: a fresh machine reads it in
place (columnar Parquet, about a quarter of a second for every close), and what the user
adds lives in a writable store layered over it (:mod:`.layered`). Files, read through
:mod:`importlib.resources` so a wheel works as well as a checkout:

- ``bars.parquet``: ticker (dictionary), date (date32), open, high, low, close, volume,
  source (dictionary), sorted by ticker and date;
- ``securities.parquet``: ticker, name, sector, industry, type (+ ``type_basis``, not
  loaded);
- ``universes.parquet``: universe, ticker;
- ``provenance.json``: where every file came from, counts, the snapshot version, and the
  statement that membership lists are not point-in-time.

:class:`SnapshotStore` implements only :class:`~xlsrc.data.backends.base.ReadStore`.

Size: about 610 lines, one class (:class:`SnapshotStore`, every
:class:`~xlsrc.data.backends.base.ReadStore` method over the same Parquet files and
their row-group index) and the source tally it builds; there is no second unit to
move out.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterable, Iterator, Sequence
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from ...errors import StoreError
from ..schema import BAR_FIELDS, SECURITY_COLUMNS, LongBars, StoreStatus, days_to_dates
from ..universes import normalise_ticker

__all__ = ["SNAPSHOT_FILES", "SnapshotStore", "bundled_snapshot_dir"]

SNAPSHOT_FILES: Final[tuple[str, ...]] = (
    "bars.parquet",
    "securities.parquet",
    "universes.parquet",
    "provenance.json",
)
_BAR_FILE_COLUMNS: Final = ("ticker", "date", "open", "high", "low", "close", "volume", "source")


def bundled_snapshot_dir() -> Path:
    """Return the directory of the bundled snapshot inside the installed package."""
    return Path(str(resources.files("xlsrc") / "_data"))


class _SourceTally:
    """Per source: the tickers seen and the first and last day, counted row group by row group.

    Works on the dictionary codes (no string or date object per row): a pandas group-by on
    the bundled file's 6 million rows took a second of CPU and built a Python date per row.
    """

    def __init__(self) -> None:
        self.seen: dict[str, list[np.ndarray]] = {}
        self.first: dict[str, int] = {}
        self.last: dict[str, int] = {}

    def add(self, table: Any, codes: np.ndarray, days: np.ndarray) -> None:
        """Count one row group (``codes``/``days`` as :meth:`SnapshotStore._row_groups` gives them)."""
        import pyarrow as pa

        source = table.column("source").combine_chunks()
        if not pa.types.is_dictionary(source.type):
            source = source.dictionary_encode()
        index = source.indices.to_numpy(zero_copy_only=False)
        for j, name in enumerate(source.dictionary.to_pylist()):
            rows = index == j
            if not rows.any():
                continue
            key = str(name)
            self.seen.setdefault(key, []).append(np.flatnonzero(np.bincount(codes[rows])))
            lo, hi = int(days[rows].min()), int(days[rows].max())
            self.first[key] = min(self.first.get(key, lo), lo)
            self.last[key] = max(self.last.get(key, hi), hi)

    def frame(self) -> pd.DataFrame:
        """Columns tickers, first, last; index: source name (sorted)."""
        names = sorted(self.seen)
        return pd.DataFrame(
            {
                "tickers": [len(np.unique(np.concatenate(self.seen[n]))) for n in names],
                "first": days_to_dates(np.array([self.first[n] for n in names], dtype=np.int64)),
                "last": days_to_dates(np.array([self.last[n] for n in names], dtype=np.int64)),
            },
            index=pd.Index(names, name="source"),
        )


class SnapshotStore:
    """A snapshot directory read in place: bars, securities, universes, provenance.

    Parameters
    ----------
    directory : str or Path, optional
        A directory holding :data:`SNAPSHOT_FILES` (tests pass a tiny one); default the
        bundled snapshot.

    Raises
    ------
    StoreError
        When first read, if a file is missing, unreadable or lacks a column (naming it).
    """

    def __init__(self, directory: str | Path | None = None) -> None:
        self.directory = Path(directory) if directory is not None else bundled_snapshot_dir()
        self.location = str(self.directory)
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"SnapshotStore({self.location!r})"

    # ------------------------------------------------------------------ files
    def _path(self, name: str) -> Path:
        path = self.directory / name
        if not path.is_file():
            raise StoreError(
                f"Bundled snapshot is incomplete: {path} is missing "
                "(rebuild it with scripts/build_snapshot.py)"
            )
        return path

    def _table(self, name: str, columns: Sequence[str], **kwargs: Any) -> Any:
        import pyarrow.parquet as pq

        path = self._path(name)
        try:
            schema = pq.read_schema(path)
        except Exception as exc:  # pyarrow raises several types for a corrupt file
            raise StoreError(f"Bundled snapshot file {path} is unreadable: {exc}") from exc
        lacking = [c for c in columns if c not in schema.names]
        if lacking:
            raise StoreError(f"Bundled snapshot file {path} lacks columns {lacking}")
        try:
            table = pq.read_table(path, columns=list(columns), **kwargs)
        except Exception as exc:
            raise StoreError(f"Bundled snapshot file {path} is unreadable: {exc}") from exc
        if "date" in table.column_names:
            import pyarrow as pa

            date = table.column("date")
            if pa.types.is_timestamp(date.type):  # a snapshot written by pandas
                index = table.column_names.index("date")
                table = table.set_column(index, "date", date.cast(pa.date32()))
        return table

    @cached_property
    def provenance(self) -> dict[str, Any]:
        """The parsed ``provenance.json``."""
        path = self._path("provenance.json")
        try:
            return dict(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            raise StoreError(f"Bundled snapshot file {path} is unreadable: {exc}") from exc

    @cached_property
    def snapshot_id(self) -> str:
        """Identity of the snapshot's content: its version and the bars file's size and hash head."""
        bars = self._path("bars.parquet")
        digest = hashlib.sha256()
        with bars.open("rb") as fh:
            digest.update(fh.read(1 << 16))
        digest.update(str(bars.stat().st_size).encode())
        return f"snapshot-{self.provenance.get('snapshot_version', 0)}-{digest.hexdigest()[:12]}"

    # ------------------------------------------------------------------ ReadStore
    def identity(self) -> tuple[str, int, int]:
        """Return ``(snapshot_id, 0, 0)``: a snapshot never changes."""
        return (self.snapshot_id, 0, 0)

    def _bars_file(self, columns: Sequence[str]) -> Any:
        """Open ``bars.parquet`` and check it has ``columns``; return the ``ParquetFile``."""
        import pyarrow.parquet as pq

        path = self._path("bars.parquet")
        try:
            reader = pq.ParquetFile(path)
            names = reader.schema_arrow.names
        except Exception as exc:  # pyarrow raises several types for a corrupt file
            raise StoreError(f"Bundled snapshot file {path} is unreadable: {exc}") from exc
        lacking = [c for c in columns if c not in names]
        if lacking:
            raise StoreError(f"Bundled snapshot file {path} lacks columns {lacking}")
        return reader

    def _row_groups(
        self, columns: Sequence[str], reader: Any = None
    ) -> Iterator[tuple[Any, np.ndarray, np.ndarray, list[str]]]:
        """Yield ``(table, ticker codes, days, tickers)`` per row group of ``bars.parquet``.

        The ticker codes (the file's own integer indices, int16 or int32) index
        ``tickers`` (one list for the whole file, growing: the first row group's
        dictionary, then names first seen in later groups), so no string is made per row;
        ``days`` are int32 days since 1970-01-01. Arrow's memory pool is
        released at the end, so it never keeps more than a row group's worth.

        Raises
        ------
        StoreError
            If the file is missing, unreadable or lacks a column.
        """
        import pyarrow as pa

        if reader is None:
            reader = self._bars_file(["ticker", "date", *columns])
        path = self.directory / "bars.parquet"
        dictionary: list[str] = []
        position: dict[str, int] = {}
        first: Any = None  # the first row group's dictionary, as Arrow holds it
        # the ticker codes each row group spans, noted on the first whole pass
        spans: list[tuple[int, int]] | None = [] if "_group_tickers" not in self.__dict__ else None
        try:
            for group in range(reader.num_row_groups):
                # one thread: as fast here (a few columns), less CPU on a busy machine
                table = reader.read_row_group(
                    group, columns=["ticker", "date", *columns], use_threads=False
                )
                ticker = table.column("ticker").combine_chunks()
                if not pa.types.is_dictionary(ticker.type):
                    ticker = ticker.dictionary_encode()
                indices = ticker.indices.to_numpy(zero_copy_only=False)
                if first is None:
                    first = ticker.dictionary
                    dictionary.extend(first.to_pylist())
                    position.update((t, i) for i, t in enumerate(dictionary))
                if ticker.dictionary.equals(first):  # the file's one dictionary: codes as they are
                    codes = indices
                else:  # a row group with its own dictionary: map it onto the first one's
                    names_here = ticker.dictionary.to_pylist()
                    for t in names_here:
                        if t not in position:
                            position[t] = len(dictionary)
                            dictionary.append(t)
                    remap = np.array([position[t] for t in names_here], dtype=np.int32)
                    codes = remap[indices]
                date = table.column("date").combine_chunks()
                if pa.types.is_timestamp(date.type):  # a snapshot written by pandas
                    date = date.cast(pa.date32())
                days = date.cast(pa.int32()).to_numpy(zero_copy_only=False)
                if spans is not None and len(codes):
                    spans.append((int(codes.min()), int(codes.max())))
                elif spans is not None:
                    spans.append((0, -1))
                yield table, codes, days, dictionary
                del table, ticker, date
            if spans is not None:
                # a group "holds" every code in its span: exact for the file's sorted
                # layout, and never too few (a reader filters the rows it reads)
                groups: dict[str, list[int]] = {}
                for group, (first, last) in enumerate(spans):
                    for code in range(first, last + 1):
                        groups.setdefault(dictionary[code], []).append(group)
                self.__dict__.setdefault("_group_tickers", groups)
        except StoreError:
            raise
        except Exception as exc:
            raise StoreError(f"Bundled snapshot file {path} is unreadable: {exc}") from exc
        finally:
            pa.default_memory_pool().release_unused()

    def read_long(
        self, fields: Sequence[str], after: LongBars | None = None
    ) -> tuple[LongBars, tuple[str, int, int]]:
        """Return every bar with ``fields`` (``split_close`` is all NaN: not in the snapshot).

        Read one Parquet row group at a time into preallocated arrays (see
        :meth:`_row_groups`); the ticker column's dictionary codes are used as they are.
        The sources are not counted here (:meth:`source_summary` counts them when asked):
        a command that shows no provenance does not pay for it.

        Parameters
        ----------
        fields : sequence of str
            Bar fields wanted.
        after : LongBars, optional
            Bars to put after the snapshot's in the same arrays (they win where they
            repeat a ticker and day, as in :meth:`LongBars.concat`): the layered store's
            overlay, placed without a second copy of every snapshot bar.
        """
        import pyarrow as pa

        wanted = [f for f in fields if f in _BAR_FILE_COLUMNS]
        columns = wanted
        reader = self._bars_file(["ticker", "date", *columns])
        n = reader.metadata.num_rows
        total = n + (0 if after is None else len(after))
        codes = np.empty(total, dtype=np.int32)
        days = np.empty(total, dtype=np.int32)
        # every row of a field in the file is written below; the others stay NaN
        out = {f: np.empty(total) if f in wanted else np.full(total, np.nan) for f in fields}
        at = 0
        tickers: list[str] = []
        for table, group_codes, group_days, names in self._row_groups(columns, reader):
            tickers = names  # the same list every time, complete after the last group
            size = table.num_rows
            codes[at : at + size] = group_codes
            days[at : at + size] = group_days
            for f in wanted:
                out[f][at : at + size] = (
                    table.column(f).cast(pa.float64()).to_numpy(zero_copy_only=False)
                )
            at += size
        names_out = list(tickers)
        if after is not None and len(after):
            position = {t: i for i, t in enumerate(names_out)}
            for t in after.tickers:
                if str(t) not in position:
                    position[str(t)] = len(names_out)
                    names_out.append(str(t))
            remap = np.array([position[str(t)] for t in after.tickers], dtype=np.int32)
            codes[n:] = remap[after.code]
            days[n:] = after.day
            for f in fields:
                out[f][n:] = after.fields[f] if f in after.fields else np.nan
        long = LongBars(
            tickers=np.asarray(names_out, dtype=object), code=codes, day=days, fields=out
        )
        return long, self.identity()

    def _groups_holding(self, reader: Any, names: set[str]) -> list[int]:
        """Return the row groups of ``bars.parquet`` that hold any of ``names``, in order.

        From the span of ticker codes each group covers, noted by the first whole pass over
        the file (:meth:`read_long`; the file is sorted by ticker, so a span is exactly the
        group's tickers, and where it is not, a span only adds groups to read), else
        by reading each row group's ticker column alone (the file is sorted by ticker, so
        a few tickers live in one or two row groups; a group's dictionary may list every
        ticker of the file, so the rows are checked, not the dictionary).
        """
        import pyarrow as pa

        known: dict[str, list[int]] | None = self.__dict__.get("_group_tickers")
        if known is not None:
            return sorted({g for n in names for g in known.get(n, ())})
        groups = []
        for group in range(reader.num_row_groups):
            ticker = reader.read_row_group(group, columns=["ticker"]).column("ticker")
            ticker = ticker.combine_chunks()
            if not pa.types.is_dictionary(ticker.type):
                ticker = ticker.dictionary_encode()
            hit = np.array([t in names for t in ticker.dictionary.to_pylist()], dtype=bool)
            if hit.any() and hit[ticker.indices.to_numpy(zero_copy_only=False)].any():
                groups.append(group)
        return groups

    def read_long_of(
        self, fields: Sequence[str], tickers: Iterable[str]
    ) -> tuple[LongBars, tuple[str, int, int]]:
        """Return the bars of ``tickers`` with ``fields`` (:meth:`read_long` for a few tickers).

        Only the row groups that hold them are read, and of those only the ticker, date
        and ``fields`` columns: one ticker's volume costs one row group's three columns,
        not the file.

        Raises
        ------
        StoreError
            If the file is missing, unreadable or lacks a column.
        """
        import pyarrow as pa

        names = sorted({normalise_ticker(t) for t in tickers})
        position = {t: i for i, t in enumerate(names)}
        wanted = [f for f in fields if f in _BAR_FILE_COLUMNS]
        reader = self._bars_file(["ticker", "date", *wanted])
        path = self.directory / "bars.parquet"
        codes: list[np.ndarray] = []
        days: list[np.ndarray] = []
        values: dict[str, list[np.ndarray]] = {f: [] for f in wanted}
        try:
            for group in self._groups_holding(reader, set(names)):
                table = reader.read_row_group(
                    group, columns=["ticker", "date", *wanted], use_threads=False
                )
                ticker = table.column("ticker").combine_chunks()
                if not pa.types.is_dictionary(ticker.type):
                    ticker = ticker.dictionary_encode()
                remap = np.array(
                    [position.get(t, -1) for t in ticker.dictionary.to_pylist()], dtype=np.int32
                )
                code = remap[ticker.indices.to_numpy(zero_copy_only=False)]
                keep = np.flatnonzero(code >= 0)
                date = table.column("date").combine_chunks()
                if pa.types.is_timestamp(date.type):  # a snapshot written by pandas
                    date = date.cast(pa.date32())
                codes.append(code[keep])
                days.append(date.cast(pa.int32()).to_numpy(zero_copy_only=False)[keep])
                for f in wanted:
                    column = table.column(f).cast(pa.float64()).to_numpy(zero_copy_only=False)
                    values[f].append(column[keep])
        except StoreError:
            raise
        except Exception as exc:  # pyarrow raises several types for a corrupt file
            raise StoreError(f"Bundled snapshot file {path} is unreadable: {exc}") from exc
        finally:
            pa.default_memory_pool().release_unused()
        n = sum(len(c) for c in codes)
        long = LongBars(
            tickers=np.asarray(names, dtype=object),
            code=np.concatenate(codes) if codes else np.zeros(0, dtype=np.int32),
            day=np.concatenate(days).astype(np.int32) if days else np.zeros(0, dtype=np.int32),
            fields={
                f: np.concatenate(values[f]) if f in wanted and codes else np.full(n, np.nan)
                for f in fields
            },
        )
        return long, self.identity()

    def _bars_of(self, names: Sequence[str]) -> Any:
        """Return the rows of ``names`` from ``bars.parquet`` as an Arrow table.

        Only the row groups that hold one of the tickers are read
        (:meth:`_groups_holding`; the file is sorted by ticker, so a few tickers touch one
        or two row groups: a fraction of reading the file with a filter, which
        decompresses every column of every row group).
        """
        import pyarrow as pa
        import pyarrow.compute as pc

        reader = self._bars_file(_BAR_FILE_COLUMNS)
        path = self.directory / "bars.parquet"
        wanted = pa.array(sorted(set(names)), pa.string())
        parts = []
        try:
            for group in self._groups_holding(reader, set(names)):
                table = reader.read_row_group(group, columns=list(_BAR_FILE_COLUMNS))
                ticker = table.column("ticker").combine_chunks()
                if not pa.types.is_dictionary(ticker.type):
                    ticker = ticker.dictionary_encode()
                hit = pc.is_in(ticker.dictionary, value_set=wanted).to_numpy(zero_copy_only=False)
                rows = hit[ticker.indices.to_numpy(zero_copy_only=False)]
                parts.append(table.filter(pa.array(rows)))
            if parts:
                table = pa.concat_tables(parts)
            else:
                table = reader.schema_arrow.empty_table().select(list(_BAR_FILE_COLUMNS))
        except Exception as exc:  # pyarrow raises several types for a corrupt file
            raise StoreError(f"Bundled snapshot file {path} is unreadable: {exc}") from exc
        finally:
            pa.default_memory_pool().release_unused()
        date = table.column("date")
        if pa.types.is_timestamp(date.type):  # a snapshot written by pandas
            table = table.set_column(
                table.column_names.index("date"), "date", date.cast(pa.date32())
            )
        return table

    def read_bars(
        self,
        tickers: Iterable[str] | str | None = None,
        start: object = None,
        end: object = None,
    ) -> pd.DataFrame:
        """Return bars as a long frame (see :meth:`ReadStore.read_bars`)."""
        import pyarrow as pa
        import pyarrow.compute as pc

        if tickers is not None:
            names = [
                normalise_ticker(t) for t in ([tickers] if isinstance(tickers, str) else tickers)
            ]
            table = self._bars_of(names)
        else:
            table = self._table("bars.parquet", _BAR_FILE_COLUMNS)
        date = table.column("date")
        mask = None
        if start is not None:
            mask = pc.greater_equal(date, pa.scalar(pd.Timestamp(start).date(), pa.date32()))
        if end is not None:
            upper = pc.less_equal(date, pa.scalar(pd.Timestamp(end).date(), pa.date32()))
            mask = upper if mask is None else pc.and_(mask, upper)
        if mask is not None:
            table = table.filter(mask)
        frame = table.to_pandas()
        frame["ticker"] = frame["ticker"].astype(str)
        frame["source"] = frame["source"].astype(str)
        frame["date"] = pd.to_datetime(frame["date"])
        for f in BAR_FIELDS:
            frame[f] = frame[f].astype("float64") if f in frame.columns else np.nan
        described = self.provenance.get("sources", {})
        frame["fetched_at"] = frame["source"].map(
            lambda s: (described.get(s) or {}).get("fetched_at")
        )
        columns = ["ticker", "date", *BAR_FIELDS, "source", "fetched_at"]
        return frame[columns].sort_values(["ticker", "date"], kind="stable").reset_index(drop=True)

    def securities(self) -> pd.DataFrame:
        """Return securities indexed by ticker: name, sector, industry, type."""
        frame = self._table("securities.parquet", SECURITY_COLUMNS).to_pandas()
        frame = frame.astype(object).where(frame.notna(), None)
        return frame.set_index("ticker").sort_index()

    def universes(self) -> dict[str, tuple[str, ...]]:
        """Return the bundled universes: name -> sorted members."""
        frame = self._table("universes.parquet", ("universe", "ticker")).to_pandas()
        return {
            str(name): tuple(sorted(str(t) for t in group["ticker"]))
            for name, group in frame.groupby("universe", sort=True)
        }

    def builtin_universes(self) -> dict[str, tuple[str, ...]]:
        """Return the bundled universes (the same as :meth:`universes`)."""
        return self.universes()

    def universe_sources(self) -> dict[str, str]:
        """Return universe name -> its source as recorded in the provenance (not point-in-time)."""
        info = self.provenance.get("stats", {}).get("universes", {})
        out = {}
        for name in self.universes():
            detail = info.get(name, {})
            text = detail.get("description") or "bundled snapshot"
            if detail.get("file"):
                text += f" [{detail['file']}]"
            out[name] = text + "; not point-in-time"
        return out

    @cached_property
    def _summary(self) -> pd.DataFrame:
        """Per source: distinct tickers, first and last date (index: source name).

        Counted on the dictionary codes of the ticker and source columns (see
        :class:`_SourceTally`); usually already counted by the first :meth:`read_long`.
        """
        tally = _SourceTally()
        for table, codes, days, _ in self._row_groups(["source"]):
            tally.add(table, codes, days)
        return tally.frame()

    def source_summary(self) -> pd.DataFrame:
        """Return one row per snapshot source: source, detail, tickers, first, last, fetched_at."""
        described = self.provenance.get("sources", {})
        names = sorted(set(described) | {str(s) for s in self._summary.index})
        rows = []
        for name in names:
            info = described.get(name, {})
            if name in self._summary.index:
                s = self._summary.loc[name]
                tickers, first, last = int(s["tickers"]), s["first"], s["last"]
            else:
                tickers, first, last = 0, None, None
            rows.append(
                {
                    "source": name,
                    "detail": info.get("description") or "",
                    "tickers": tickers,
                    "first": first,
                    "last": last,
                    "fetched_at": info.get("fetched_at") or "",
                }
            )
        frame = pd.DataFrame(
            rows, columns=["source", "detail", "tickers", "first", "last", "fetched_at"]
        )
        frame["first"] = pd.to_datetime(frame["first"])
        frame["last"] = pd.to_datetime(frame["last"])
        frame["tickers"] = frame["tickers"].astype("int64")
        return frame

    @cached_property
    def _last_days(self) -> pd.Series:
        long, _ = self.read_long(())
        last = np.full(len(long.tickers), np.iinfo(np.int32).min, dtype=np.int64)
        code, day = long.code, long.day
        if len(code) and bool(np.all(code[1:] >= code[:-1])):
            # the file's order (by ticker): each ticker's rows are one run, whose largest
            # day one reduceat finds (np.maximum.at took half a second on 6 M rows)
            starts = np.flatnonzero(np.r_[True, code[1:] != code[:-1]])
            last[code[starts]] = np.maximum.reduceat(day, starts)
        else:
            np.maximum.at(last, code, day)
        return pd.Series(days_to_dates(last), index=pd.Index(long.tickers, name="ticker"))

    def last_days(self) -> pd.Series:
        """Return ticker -> its last bar's date (read from the ticker and date columns once)."""
        return self._last_days

    def status(self) -> StoreStatus:
        """Describe the snapshot (versions are 0: it never changes)."""
        from ..matrices import latest_session_of, tickers_with_bar_on

        rng = self.provenance.get("date_range") or [None, None]
        latest = latest_session_of(self.last_days())
        return StoreStatus(
            location=self.location,
            backend="bundled snapshot (read-only)",
            schema_version=0,
            data_version=0,
            bars_version=0,
            snapshot_version=str(self.provenance.get("snapshot_version", "")) or None,
            created_at=None,
            last_refresh=None,
            last_refresh_source=None,
            first_date=rng[0],
            last_date=rng[1],
            n_tickers=len(self.last_days()),
            tickers_on_last_date=(
                None if latest is None else tickers_with_bar_on(self, latest, self.last_days())
            ),
            sources=[
                {
                    "name": str(r.source),
                    "description": str(r.detail),
                    "fetched_at": str(r.fetched_at),
                }
                for r in self.source_summary().itertuples()
            ],
        )
