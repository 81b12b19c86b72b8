"""A tiny snapshot directory for store tests: AAA (6 sessions), BBB (from the 3rd), ^IDX."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

DATES = pd.bdate_range("2026-01-05", periods=6)


def make_snapshot(directory: Path) -> Path:
    """A tiny snapshot: AAA (6 days), BBB (from day 3), ^IDX; one universe."""
    rows = []
    for i, d in enumerate(DATES):
        rows.append(("AAA", d, 10.0 + i, 100.0 * (i + 1), "snap:a"))
        if i >= 2:
            rows.append(("BBB", d, 20.0 + i, np.nan, "snap:b"))
        rows.append(("^IDX", d, 1000.0 + i, np.nan, "snap:a"))
    frame = pd.DataFrame(rows, columns=["ticker", "date", "close", "volume", "source"])
    frame = frame.sort_values(["ticker", "date"])
    table = pa.table(
        {
            "ticker": frame["ticker"],
            "date": pa.array(frame["date"].dt.date, pa.date32()),
            "open": np.nan * frame["close"],
            "high": np.nan * frame["close"],
            "low": np.nan * frame["close"],
            "close": frame["close"],
            "volume": pa.array(frame["volume"].astype("Int64"), pa.int64()),
            "source": frame["source"],
        }
    )
    directory.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, directory / "bars.parquet")
    sec = pd.DataFrame(
        {
            "ticker": ["AAA", "BBB", "^IDX"],
            "name": ["Aaa Inc", None, "Index"],
            "sector": ["Energy", None, None],
            "industry": [None, None, None],
            "type": ["stock", "etf", "index"],
        }
    )
    pq.write_table(
        pa.Table.from_pandas(sec, preserve_index=False), directory / "securities.parquet"
    )
    uni = pd.DataFrame({"universe": ["tiny"], "ticker": ["AAA"]})
    pq.write_table(pa.Table.from_pandas(uni, preserve_index=False), directory / "universes.parquet")
    prov = {
        "snapshot_version": 1,
        "sources": {"snap:a": {"description": "A", "fetched_at": "2026-01-12T00:00:00Z"}},
    }
    (directory / "provenance.json").write_text(json.dumps(prov))
    return directory
