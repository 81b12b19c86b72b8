"""Security types in the bundled snapshot: evidence first, symbol conventions, else other.

Reads ``xlsrc/_data`` directly (no store). The rule is ``TYPE_RULE`` in
scripts/build_snapshot.py and ``stats.securities.type_rule`` in provenance.json.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from xlsrc.data.backends.snapshot import SnapshotStore, bundled_snapshot_dir
from xlsrc.data.universes import normalise_ticker

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(scope="module")
def securities() -> pd.DataFrame:
    return pd.read_parquet(bundled_snapshot_dir() / "securities.parquet").set_index("ticker")


@pytest.fixture(scope="module")
def snap() -> SnapshotStore:
    return SnapshotStore()


def test_universe_members_are_all_stocks(securities, snap):
    uni = snap.universes()
    for name in ("sp500", "sp400", "sp600", "r2000"):
        members = list(uni[name])
        assert len(members) > 300
        types = securities.loc[members, "type"]
        assert (types == "stock").all(), f"{name}: {sorted(types.index[types != 'stock'])[:10]}"
    assert (securities.loc[list(uni["sectors"]), "type"] == "etf").all()


@pytest.mark.parametrize(
    "ticker",
    [
        "AACIW",  # SPAC warrant (Yahoo types it "Stock")
        "AACBR",  # right
        "AACBU",  # unit
        "BKSY-W",  # dash-form warrant
        "CLSKW",  # warrant held in an iShares IWM file as an equity row
        "DJTWW",  # warrant
        "AGNCP",  # preferred (Nasdaq fifth letter P)
        "LBRDP",  # preferred
        "TMUSZ",  # note (fifth letter Z, base TMUS priced)
        "FXAIX",  # mutual fund (fifth letter X)
    ],
)
def test_known_non_common_securities_are_not_stocks(securities, ticker):
    assert securities.loc[ticker, "type"] == "other"
    assert securities.loc[ticker, "type_basis"].startswith("suffix:")


@pytest.mark.parametrize(
    ("ticker", "kind"),
    [
        ("BRK-B", "stock"),
        ("BRK-A", "stock"),  # share class of a stock
        ("BF-A", "stock"),
        ("GOOGL", "stock"),  # S&P 500 member despite the fifth letter L
        ("LBRDK", "stock"),  # peer tool's sector
        ("VICR", "stock"),
        ("SPY", "etf"),
        ("MSTY", "etf"),
        ("^GSPC", "index"),
    ],
)
def test_known_types(securities, ticker, kind):
    assert securities.loc[ticker, "type"] == kind


def test_type_counts_as_recorded(securities, snap):
    recorded = snap.provenance["stats"]["securities"]["type_counts"]
    counts = securities["type"].value_counts().to_dict()
    assert counts == recorded
    assert recorded == {"etf": 5429, "index": 5, "other": 959, "stock": 6076}
    assert securities["type_basis"].notna().all()
    assert snap.provenance["stats"]["securities"]["type_rule"]
    # the snapshot as the store reads it has a type for every security
    loaded = snap.securities()["type"]
    assert loaded.notna().all()
    assert (loaded == "other").sum() == recorded["other"]


@pytest.mark.skipif(not SHARED.exists(), reason="shared data not available")
def test_peer_stocks_we_exclude_are_non_common(securities):
    """Every ticker the peer tool gives a non-ETF sector and we do not type stock is a
    warrant/right/unit/preferred/note by symbol convention, except BWNB (a note listed
    under a 4-letter symbol that no source types)."""
    peer = pd.read_csv(SHARED / "reference" / "rs_stocks_01292026.csv", dtype={"Ticker": str})
    peer = peer[peer["Sector"] != "ETF"]
    tickers = {normalise_ticker(t) for t in peer["Ticker"].dropna()} & set(securities.index)
    excluded = securities.loc[sorted(tickers)]
    excluded = excluded[excluded["type"] != "stock"]
    assert len(excluded) < 250
    unexplained = set(excluded.index[~excluded["type_basis"].str.startswith("suffix:")])
    assert unexplained == {"BWNB"}


#: The eleven GICS sectors, spelled out here rather than taken from xlsrc.sectors.
GICS_NAMES = {
    "Communication Services",
    "Consumer Discretionary",
    "Consumer Staples",
    "Energy",
    "Financials",
    "Health Care",
    "Industrials",
    "Information Technology",
    "Materials",
    "Real Estate",
    "Utilities",
}


def test_every_sector_is_a_gics_sector_or_empty(securities):
    named = securities["sector"].dropna()
    named = named[named != ""]
    odd = named[~named.isin(GICS_NAMES)]
    assert odd.empty, odd.value_counts().head(5).to_dict()
    stocks = securities[securities["type"] == "stock"]
    assert (stocks["sector"].isna() | stocks["sector"].isin(GICS_NAMES)).all()


@pytest.mark.parametrize("ticker", ["AMC", "ASTS", "ANGI"])
def test_ishares_communication_is_communication_services(securities, ticker):
    """iShares writes "Communication"; XLC's sector score needs the GICS name."""
    assert securities.loc[ticker, "sector"] == "Communication Services"
