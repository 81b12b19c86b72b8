"""xlsrc: relative strength, returns and market rotation for Excel."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
