"""xlsrc: relative strength, returns and market rotation for Excel, notebooks and scripts.

The formulas' numbers as pandas objects (the functions live in the private module
``xlsrc._api``; importing ``xlsrc`` loads neither pandas nor the store: the first call
does)::

    import xlsrc

    xlsrc.rs_ratings("sp600", as_of="2026-01-22")   # DataFrame indexed by ticker
    xlsrc.metrics(["IWM", "VICR"], "2026-01-22")     # every per-ticker metric
    xlsrc.leaders("sp600", n=10, as_of="2026-01-22")
    xlsrc.history("VICR", "2026-01-02", "2026-01-22")

Every function takes ``store=`` (a location or a Market from :func:`get_market`); the
default is env ``XLSRC_STORE``, else the per-user store over the bundled snapshot.
"""

__version__ = "0.1.0"  # before the imports: modules below read it from the package

from ._api import (
    get_market,
    history,
    industry_groups,
    leaders,
    metrics,
    open_store,
    rs_history,
    rs_ratings,
    sector_etfs,
    sector_scores,
    securities,
    universe_members,
    value,
)

__all__ = [
    "__version__",
    "get_market",
    "history",
    "industry_groups",
    "leaders",
    "metrics",
    "open_store",
    "rs_history",
    "rs_ratings",
    "sector_etfs",
    "sector_scores",
    "securities",
    "universe_members",
    "value",
]
