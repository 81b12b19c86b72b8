"""Industries in the bundled snapshot: Yahoo's classification only, with its provenance.

Reads ``xlsrc/_data`` directly (no store) and the shared ticker-info file independently.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from xlsrc.data.backends.snapshot import SnapshotStore, bundled_snapshot_dir

INFO = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "data"
    / "reference"
    / "ticker_info_sector_industry_Vinubhai1961.json"
)


@pytest.fixture(scope="module")
def securities() -> pd.DataFrame:
    return pd.read_parquet(bundled_snapshot_dir() / "securities.parquet").set_index("ticker")


@pytest.mark.skipif(not INFO.exists(), reason="shared data not available")
def test_industry_is_yahoos_for_every_ticker(securities):
    info = json.loads(INFO.read_text())
    expected = {}
    for raw, entry in info.items():
        item = entry.get("info", {})
        if item.get("type") == "Stock" and item.get("industry") not in (None, "", "n/a", "ETF"):
            expected[raw.upper().replace(".", "-").replace("_", "-")] = item["industry"]
    got = securities["industry"].dropna()
    assert set(got.index) <= set(expected)
    assert all(got[t] == expected[t] for t in got.index)
    # every priced ticker the file classifies has its industry
    priced = set(securities.index) & set(expected)
    assert set(got.index) == priced
    assert got.nunique() == 145
    assert len(got) == 6169


def test_no_second_taxonomy(securities):
    # these five S&P 500 members are missing from Yahoo's file; earlier builds gave them
    # GICS sub-industries ("Multi-Sector Holdings"...), which would form groups of 1-2
    for ticker in ("AVB", "EQR", "BF-B", "BRK-B", "FISV"):
        assert pd.isna(securities.loc[ticker, "industry"])
    stocks = securities[securities["type"] == "stock"]
    assert stocks["industry"].notna().sum() == 5841
    semis = stocks.index[stocks["industry"] == "Semiconductor Equipment & Materials"]
    assert {"ICHR", "UCTT", "FORM", "KLIC", "COHU"} <= set(semis)


def test_provenance_records_the_industry_source():
    prov = SnapshotStore().provenance
    industry = prov["industry"]
    assert industry["file"] == "reference/ticker_info_sector_industry_Vinubhai1961.json"
    assert industry["as_of"] == "2026-08-21"
    assert "Vinubhai1961/RS-Rating" in industry["origin"]
    assert industry["point_in_time"].startswith("No")
    assert prov["stats"]["securities"]["industries"] == 145
    sha = prov["input_files"]["reference/ticker_info_sector_industry_Vinubhai1961.json"]
    assert sha == "2033d48ff5f52fc740b0c7f3067b2ba4b2b2d091929d965537cbeaae46ea7859"
