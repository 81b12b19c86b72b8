"""GICS sectors, the Select Sector SPDR ETFs that track them, and Yahoo's sector names.

Constants only: imported by the core, the data layer and the dashboard alike.
"""

from __future__ import annotations

from typing import Final

__all__ = ["GICS_SECTORS", "SECTOR_ETFS", "YAHOO_TO_GICS"]

#: Select Sector SPDR ETF -> the GICS sector it tracks.
SECTOR_ETFS: Final[dict[str, str]] = {
    "XLB": "Materials",
    "XLC": "Communication Services",
    "XLE": "Energy",
    "XLF": "Financials",
    "XLI": "Industrials",
    "XLK": "Information Technology",
    "XLP": "Consumer Staples",
    "XLRE": "Real Estate",
    "XLU": "Utilities",
    "XLV": "Health Care",
    "XLY": "Consumer Discretionary",
}

GICS_SECTORS: Final[tuple[str, ...]] = tuple(sorted(SECTOR_ETFS.values()))

#: Yahoo Finance's sector names -> the nearest GICS sector. Yahoo's classification is
#: Morningstar's, not GICS: the mapping is approximate at the edges (for example Yahoo
#: puts some internet retailers under "Consumer Cyclical" where GICS agrees, but puts
#: payment processors under "Financial Services" where GICS since 2023 agrees too).
YAHOO_TO_GICS: Final[dict[str, str]] = {
    "Basic Materials": "Materials",
    "Communication Services": "Communication Services",
    "Consumer Cyclical": "Consumer Discretionary",
    "Consumer Defensive": "Consumer Staples",
    "Energy": "Energy",
    "Financial Services": "Financials",
    "Healthcare": "Health Care",
    "Industrials": "Industrials",
    "Real Estate": "Real Estate",
    "Technology": "Information Technology",
    "Utilities": "Utilities",
}
