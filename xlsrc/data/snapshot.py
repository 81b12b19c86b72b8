"""Read the bundled snapshot (``xlsrc/_data/``), built by ``scripts/build_snapshot.py``.

The snapshot is four files read through :mod:`importlib.resources` (so it works from a
wheel as well as a checkout):

- ``bars.parquet``: ticker, date, open, high, low, close, volume, source (long, sorted by
  ticker and date);
- ``securities.parquet``: ticker, name, sector, industry, type (``stock``, ``etf``,
  ``index``, or null = other: warrants, rights, units, preferreds, notes, funds and
  tickers no source classifies; they are rated against ``stocks`` without joining it),
  plus ``type_basis`` (the rule that decided the type; not loaded);
- ``universes.parquet``: universe, ticker;
- ``provenance.json``: where every file came from, row counts, and the statement that
  membership lists are not point-in-time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import StoreError

__all__ = ["BAR_COLUMNS", "SECURITY_COLUMNS", "Snapshot", "load_snapshot", "snapshot_dir"]

BAR_COLUMNS = ("ticker", "date", "open", "high", "low", "close", "volume", "source")
SECURITY_COLUMNS = ("ticker", "name", "sector", "industry", "type")
_FILES = ("bars.parquet", "securities.parquet", "universes.parquet", "provenance.json")


@dataclass(frozen=True)
class Snapshot:
    """The bundled snapshot in memory.

    Attributes
    ----------
    bars : pd.DataFrame
        Columns ``BAR_COLUMNS``; ``ticker`` and ``source`` are categorical, ``date`` is
        ``datetime64[ns]``, prices float64, ``volume`` float64 (NaN where unknown).
    securities : pd.DataFrame
        Columns ``SECURITY_COLUMNS``.
    universes : pd.DataFrame
        Columns ``universe``, ``ticker``.
    provenance : dict
        The parsed ``provenance.json``.
    """

    bars: pd.DataFrame
    securities: pd.DataFrame
    universes: pd.DataFrame
    provenance: dict[str, Any] = field(default_factory=dict)


def snapshot_dir() -> Path:
    """Return the directory of the bundled snapshot inside the installed package."""
    return Path(str(resources.files("xlsrc") / "_data"))


def load_snapshot(directory: str | Path | None = None) -> Snapshot:
    """Read a snapshot directory (default: the bundled one).

    Parameters
    ----------
    directory : str or Path, optional
        A directory holding the four snapshot files; tests pass a tiny one.

    Returns
    -------
    Snapshot

    Raises
    ------
    StoreError
        If a file is missing or unreadable, or a column is missing, naming the file.
    """
    base = Path(directory) if directory is not None else snapshot_dir()
    for name in _FILES:
        if not (base / name).is_file():
            raise StoreError(
                f"Bundled snapshot is incomplete: {base / name} is missing "
                "(rebuild it with scripts/build_snapshot.py)"
            )
    try:
        provenance = json.loads((base / "provenance.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StoreError(
            f"Bundled snapshot file {base / 'provenance.json'} is unreadable: {exc}"
        ) from exc
    bars = _read(base / "bars.parquet", BAR_COLUMNS)
    securities = _read(base / "securities.parquet", SECURITY_COLUMNS)
    universes = _read(base / "universes.parquet", ("universe", "ticker"))
    bars["volume"] = bars["volume"].astype("float64")
    for col in ("open", "high", "low", "close"):
        bars[col] = bars[col].astype("float64")
    securities = securities.astype(object).where(securities.notna(), None)
    return Snapshot(bars=bars, securities=securities, universes=universes, provenance=provenance)


def _read(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    """Read a Parquet file, checking its columns; raise StoreError naming the file."""
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises several types for a corrupt file
        raise StoreError(f"Bundled snapshot file {path} is unreadable: {exc}") from exc
    missing = [c for c in columns if c not in table.column_names]
    if missing:
        raise StoreError(f"Bundled snapshot file {path} lacks columns {missing}")
    import pyarrow as pa

    table = table.select(list(columns))
    if "date" in columns and pa.types.is_date32(table.schema.field("date").type):
        index = table.column_names.index("date")
        table = table.set_column(index, "date", table.column("date").cast(pa.timestamp("ns")))
    return table.to_pandas()
