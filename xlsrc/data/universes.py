"""Ticker spelling and the names of the universes the store holds.

One function, :func:`normalise_ticker`, turns every spelling a source uses (``BRK.B`` in
S&P lists, ``BRK_B`` in file names, ``brk-b`` typed in a cell) into Yahoo's dash form
(``BRK-B``). Every reader of tickers in xlsrc goes through it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from ..errors import InvalidParameterError

__all__ = [
    "INDEX_PREFIX",
    "NAMED_UNIVERSES",
    "STOCKS",
    "normalise_ticker",
    "normalise_tickers",
]

#: The universe of every stock in the store (computed, not stored).
STOCKS: Final = "stocks"
#: Universes stored by the bundled snapshot (membership lists are not point-in-time).
NAMED_UNIVERSES: Final[tuple[str, ...]] = ("sp500", "sp400", "sp600", "r2000", "sectors")
#: Yahoo prefixes index symbols with a caret (``^GSPC``).
INDEX_PREFIX: Final = "^"

_SEPARATORS = re.compile(r"[.\s_/]+")
_VALID = re.compile(r"\^?[A-Z0-9][A-Z0-9\-=]*")


def normalise_ticker(text: object) -> str:
    """Return the normalised (Yahoo dash form) spelling of a ticker.

    Surrounding blanks are removed, letters upper-cased, and the class separators
    ``.``, ``_``, ``/`` and inner blanks become ``-``: ``"BRK.B"``, ``"BRK_B"``,
    ``" brk-b "`` and ``"BRK/B"`` all give ``"BRK-B"``. A leading ``^`` (an index) is
    kept. Whether the ticker exists is not checked here.

    Parameters
    ----------
    text : object
        The ticker as written (a str; Excel may send a number such as ``3.0`` for a
        numeric symbol, which is not a ticker).

    Returns
    -------
    str
        The normalised ticker.

    Raises
    ------
    InvalidParameterError
        If ``text`` is not a string or is empty or has characters no ticker has.
    """
    allowed = "a ticker such as VICR, BRK-B or ^GSPC"
    if not isinstance(text, str):
        raise InvalidParameterError(name="ticker", value=text, allowed=allowed)
    ticker = _SEPARATORS.sub("-", text.strip().upper()).strip("-")
    if not ticker or not _VALID.fullmatch(ticker):
        raise InvalidParameterError(name="ticker", value=text, allowed=allowed)
    return ticker


def normalise_tickers(texts: Iterable[object]) -> list[str]:
    """Normalise many tickers, keeping their order and dropping repeats.

    Parameters
    ----------
    texts : iterable of object
        Tickers as written.

    Returns
    -------
    list of str
        Normalised tickers, first occurrence kept.
    """
    seen: dict[str, None] = {}
    for text in texts:
        seen.setdefault(normalise_ticker(text), None)
    return list(seen)
