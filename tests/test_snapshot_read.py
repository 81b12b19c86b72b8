"""Reading a snapshot whose bars file has several row groups, each with its own dictionary.

Expected values are worked out by hand from the rows written below.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from xlsrc.data.backends.snapshot import SnapshotStore

# ticker, date, close, source; sorted by ticker and date like the bundled file
ROWS = [
    ("AAA", "2026-01-05", 10.0, "s1"),
    ("AAA", "2026-01-06", 11.0, "s1"),
    ("AAA", "2026-01-07", 12.0, "s2"),
    ("AAA", "2026-01-08", 13.0, "s2"),
    ("BBB", "2026-01-06", 20.0, "s1"),
    ("BBB", "2026-01-07", 21.0, "s1"),
    ("BBB", "2026-01-08", 22.0, "s1"),
    ("BBB", "2026-01-09", 23.0, "s1"),
    ("CCC", "2026-01-07", 30.0, "s2"),
]


def _snapshot(directory: Path, dictionary: bool) -> SnapshotStore:
    tickers = [r[0] for r in ROWS]
    sources = [r[3] for r in ROWS]
    table = pa.table(
        {
            "ticker": pa.array(tickers).dictionary_encode() if dictionary else pa.array(tickers),
            "date": pa.array([pd.Timestamp(r[1]).date() for r in ROWS], pa.date32()),
            "open": pa.array([None] * len(ROWS), pa.float64()),
            "high": pa.array([None] * len(ROWS), pa.float64()),
            "low": pa.array([None] * len(ROWS), pa.float64()),
            "close": pa.array([r[2] for r in ROWS], pa.float64()),
            "volume": pa.array([None] * len(ROWS), pa.int64()),
            "source": pa.array(sources).dictionary_encode() if dictionary else pa.array(sources),
        }
    )
    directory.mkdir(parents=True, exist_ok=True)
    # row groups AAA AAA AAA | AAA BBB BBB | BBB BBB CCC: three different ticker dictionaries
    pq.write_table(table, directory / "bars.parquet", row_group_size=3)
    for name, frame in {
        "securities.parquet": pd.DataFrame(
            {
                "ticker": ["AAA", "BBB", "CCC"],
                "name": ["A", "B", "C"],
                "sector": [None] * 3,
                "industry": [None] * 3,
                "type": ["stock"] * 3,
            }
        ),
        "universes.parquet": pd.DataFrame({"universe": ["u"], "ticker": ["AAA"]}),
    }.items():
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), directory / name)
    (directory / "provenance.json").write_text(
        json.dumps({"snapshot_version": 1, "sources": {"s1": {"description": "one"}}})
    )
    store = SnapshotStore(directory)
    assert pq.ParquetFile(directory / "bars.parquet").num_row_groups == 3
    return store


@pytest.mark.parametrize("dictionary", [True, False])
def test_read_long_maps_every_row_group_to_one_ticker_list(
    tmp_path: Path, dictionary: bool
) -> None:
    store = _snapshot(tmp_path / "snap", dictionary)
    long, identity = store.read_long(("close", "volume", "split_close"))
    names = long.tickers[long.code]
    dates = pd.DatetimeIndex(
        (long.day.astype("int64") * 86400 * 10**9).astype("datetime64[ns]")
    ).strftime("%Y-%m-%d")
    got = list(zip(names, dates, long.fields["close"], strict=True))
    assert got == [(t, d, c) for t, d, c, _ in ROWS]
    assert np.isnan(long.fields["volume"]).all()  # null in the file
    assert np.isnan(long.fields["split_close"]).all()  # not in the snapshot
    assert identity[1:] == (0, 0)


@pytest.mark.parametrize("read_first", [True, False])
@pytest.mark.parametrize("dictionary", [True, False])
def test_source_summary_counts_tickers_and_dates_per_source(
    tmp_path: Path, dictionary: bool, read_first: bool
) -> None:
    store = _snapshot(tmp_path / "snap", dictionary)
    if read_first:  # the first read_long counts the sources on the way
        store.read_long(("close",))
    summary = store.source_summary().set_index("source")
    # s1: AAA (01-05, 01-06) and BBB (01-06..01-09); s2: AAA (01-07, 01-08) and CCC (01-07)
    assert summary.loc["s1", "tickers"] == 2
    assert summary.loc["s1", "first"] == pd.Timestamp("2026-01-05")
    assert summary.loc["s1", "last"] == pd.Timestamp("2026-01-09")
    assert summary.loc["s1", "detail"] == "one"
    assert summary.loc["s2", "tickers"] == 2
    assert summary.loc["s2", "first"] == pd.Timestamp("2026-01-07")
    assert summary.loc["s2", "last"] == pd.Timestamp("2026-01-08")
    assert list(summary.index) == ["s1", "s2"]


@pytest.mark.parametrize("dictionary", [True, False])
def test_read_bars_of_some_tickers_across_row_groups(tmp_path: Path, dictionary: bool) -> None:
    store = _snapshot(tmp_path / "snap", dictionary)
    # AAA spans row groups 1-2, BBB groups 2-3; ZZZ is not in the file
    frame = store.read_bars(["bbb", "AAA", "ZZZ"], start="2026-01-06", end="2026-01-08")
    got = [(r.ticker, f"{r.date:%Y-%m-%d}", r.close, r.source) for r in frame.itertuples()]
    assert got == [
        ("AAA", "2026-01-06", 11.0, "s1"),
        ("AAA", "2026-01-07", 12.0, "s2"),
        ("AAA", "2026-01-08", 13.0, "s2"),
        ("BBB", "2026-01-06", 20.0, "s1"),
        ("BBB", "2026-01-07", 21.0, "s1"),
        ("BBB", "2026-01-08", 22.0, "s1"),
    ]
    assert store.read_bars("ZZZ").empty
    assert list(store.read_bars("ZZZ").columns) == list(frame.columns)
    assert store.read_bars("CCC")["close"].tolist() == [30.0]
