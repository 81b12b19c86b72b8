"""GICS sectors, the Select Sector SPDR ETFs that track them, Yahoo's and iShares' sector names.

Constants (and the one lookup over them): imported by the core, the data layer and the dashboard alike.
"""

from __future__ import annotations

from typing import Final

__all__ = ["GICS_SECTORS", "ISHARES_TO_GICS", "SECTOR_ETFS", "YAHOO_TO_GICS", "ishares_sector"]

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

#: iShares holdings files' ``Sector`` column -> GICS sector. iShares uses the GICS names
#: except "Communication" for Communication Services. Every value seen in the iShares
#: exports we read (IVV, IJH, IJR, IWM 2025-2026) is here; "Cash and/or Derivatives",
#: "Other" and "-" are deliberately absent (no sector).
ISHARES_TO_GICS: Final[dict[str, str]] = {
    **{name: name for name in GICS_SECTORS},
    "Communication": "Communication Services",
}


def ishares_sector(value: str | None) -> str | None:
    """Return the GICS sector an iShares ``Sector`` cell names, or None.

    Parameters
    ----------
    value : str or None
        The cell as written (surrounding blanks are ignored).

    Returns
    -------
    str or None
        A member of ``GICS_SECTORS``, or None for blanks, "-", "Cash and/or Derivatives",
        "Other" and any name iShares may introduce that is not mapped here.
    """
    if value is None:
        return None
    return ISHARES_TO_GICS.get(value.strip())
