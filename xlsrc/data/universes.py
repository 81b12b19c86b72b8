"""Ticker spelling, the US-listing check, and the names of the universes the store holds.

One function, :func:`normalise_ticker`, turns every spelling a source uses into Yahoo's
form, and every reader of tickers in xlsrc goes through it:

* US class shares take a dash: ``BRK.B`` (S&P lists), ``BRK_B`` (file names), ``brk-b``
  (typed in a cell), ``BRK/B`` (Bloomberg) all give ``BRK-B``.
* Yahoo's exchange suffixes keep their dot (``EZJ.L``, ``SHOP.TO``, ``7203.T``, ``BMW.DE``;
  :data:`YAHOO_SUFFIXES`, from Yahoo's help page "Exchanges and data providers on Yahoo
  Finance"); a class dot before one becomes a dash as Yahoo writes it (``BT.A.L`` ->
  ``BT-A.L``).
* Market tags that data vendors add to *US* symbols are removed: ``ICHR.US`` (Stooq,
  EODHD), ``ICHR US Equity`` / ``ICHR UW Equity`` / ``HOLX US`` (Bloomberg), ``NASDAQ:ICHR``
  (TradingView). A vendor tag of a non-US market becomes the Yahoo suffix of that market
  (``EZJ LN Equity`` and ``LSE:EZJ`` -> ``EZJ.L``), so that the check below can name it.

Single-letter suffixes clash with US share classes: ``.L`` (London), ``.T`` (Tokyo),
``.V`` (TSX Venture) and ``.F`` (Frankfurt) are also class letters. The rule: a *dot*
before one of these letters is the exchange, a *dash* is the class (``MKC-V`` is
McCormick's voting class, ``ABC.V`` is on TSX Venture). The exceptions are the US class
shares in :data:`US_CLASS_SHARES` (``MKC.V``, the only one among the 12,466 US symbols of
the bundled 2024-2026 closes whose class letter is F, L, T or V), which keep meaning the
US share as S&P lists write them. A dot and any other single letter is a class
(``BF.B``, ``HEI.A``).

xlsrc holds US-listed securities on the NYSE calendar only. :func:`check_us_listed` is
the one check, called wherever a symbol enters the store (CSV import; the Yahoo refresh
calls the same function): a symbol with a non-US exchange suffix is refused up front,
naming the exchange. A formula that asks for such a symbol gets ``Unknown ticker``
because nothing of it is ever stored.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Final

from ..errors import InvalidParameterError

__all__ = [
    "DERIVED_UNIVERSES",
    "INDEX_PREFIX",
    "NAMED_UNIVERSES",
    "STOCKS",
    "US_CLASS_SHARES",
    "YAHOO_SUFFIXES",
    "check_us_listed",
    "listing_exchange",
    "normalise_ticker",
    "normalise_tickers",
]

#: The universe of every stock in the store (computed, not stored).
STOCKS: Final = "stocks"
#: Universes stored by the bundled snapshot (membership lists are not point-in-time).
NAMED_UNIVERSES: Final[tuple[str, ...]] = ("sp500", "sp400", "sp600", "r2000", "sectors")
#: Universes computed from stored ones, never stored themselves: the S&P 1500 is the union
#: of the S&P 500, 400 and 600 (``xlsrc.market.SP1500``).
DERIVED_UNIVERSES: Final[dict[str, tuple[str, ...]]] = {"sp1500": ("sp500", "sp400", "sp600")}
#: Yahoo prefixes index symbols with a caret (``^GSPC``).
INDEX_PREFIX: Final = "^"

#: Yahoo Finance's exchange suffixes (the part after the last dot) -> the exchange.
#: From Yahoo's help page "Exchanges and data providers on Yahoo Finance"; US exchanges
#: have no suffix.
YAHOO_SUFFIXES: Final[dict[str, str]] = {
    "AS": "Euronext Amsterdam",
    "AT": "Athens Stock Exchange",
    "AX": "Australian Securities Exchange",
    "BA": "Buenos Aires Stock Exchange",
    "BD": "Budapest Stock Exchange",
    "BE": "Berlin Stock Exchange",
    "BK": "Stock Exchange of Thailand",
    "BM": "Bremen Stock Exchange",
    "BO": "BSE India (Bombay)",
    "BR": "Euronext Brussels",
    "CA": "Egyptian Exchange",
    "CN": "Canadian Securities Exchange",
    "CO": "Nasdaq Copenhagen",
    "CR": "Caracas Stock Exchange",
    "DE": "Deutsche Boerse Xetra",
    "DU": "Duesseldorf Stock Exchange",
    "F": "Frankfurt Stock Exchange",
    "HA": "Hanover Stock Exchange",
    "HE": "Nasdaq Helsinki",
    "HK": "Hong Kong Stock Exchange",
    "HM": "Hamburg Stock Exchange",
    "IC": "Nasdaq Iceland",
    "IL": "London Stock Exchange IOB",
    "IR": "Euronext Dublin",
    "IS": "Borsa Istanbul",
    "JK": "Indonesia Stock Exchange",
    "JO": "Johannesburg Stock Exchange",
    "KL": "Bursa Malaysia",
    "KQ": "KOSDAQ",
    "KS": "Korea Exchange",
    "KW": "Boursa Kuwait",
    "L": "London Stock Exchange",
    "LS": "Euronext Lisbon",
    "MC": "Bolsa de Madrid",
    "ME": "Moscow Exchange",
    "MI": "Borsa Italiana (Milan)",
    "MU": "Munich Stock Exchange",
    "MX": "Mexican Stock Exchange",
    "NE": "Cboe Canada (NEO)",
    "NS": "National Stock Exchange of India",
    "NX": "Euronext",
    "NZ": "New Zealand Exchange",
    "OL": "Oslo Boers",
    "PA": "Euronext Paris",
    "PR": "Prague Stock Exchange",
    "QA": "Qatar Stock Exchange",
    "RG": "Nasdaq Riga",
    "RO": "Bucharest Stock Exchange",
    "SA": "B3 Sao Paulo",
    "SG": "Stuttgart Stock Exchange",
    "SI": "Singapore Exchange",
    "SN": "Santiago Stock Exchange",
    "SR": "Saudi Exchange (Tadawul)",
    "SS": "Shanghai Stock Exchange",
    "ST": "Nasdaq Stockholm",
    "SW": "SIX Swiss Exchange",
    "SZ": "Shenzhen Stock Exchange",
    "T": "Tokyo Stock Exchange",
    "TA": "Tel Aviv Stock Exchange",
    "TI": "EuroTLX",
    "TL": "Nasdaq Tallinn",
    "TO": "Toronto Stock Exchange",
    "TW": "Taiwan Stock Exchange",
    "TWO": "Taipei Exchange",
    "V": "TSX Venture Exchange",
    "VI": "Vienna Stock Exchange",
    "VS": "Nasdaq Vilnius",
    "WA": "Warsaw Stock Exchange",
    "XA": "Cboe Australia",
}

#: US class shares whose class letter is also a single-letter Yahoo suffix (F, L, T, V):
#: written with a dot they mean the US share, not the exchange.
US_CLASS_SHARES: Final[frozenset[str]] = frozenset({"MKC.V"})

#: Dotted suffixes other vendors use: ``None`` = a US market (removed), else the Yahoo
#: suffix of the same market (Stooq ``.US`` ``.UK`` ``.JP`` ``.HU``; EODHD ``.US``
#: ``.LSE`` ``.XETRA``).
_VENDOR_SUFFIXES: Final[dict[str, str | None]] = {
    "US": None,
    "UK": "L",
    "JP": "T",
    "HU": "BD",
    "LSE": "L",
    "XETRA": "DE",
}

#: Bloomberg market codes (``ICHR UW Equity``): US composite and US venues.
_BLOOMBERG_US: Final = frozenset({"US", "UN", "UW", "UQ", "UR", "UA", "UP", "UF", "UV"})
#: Bloomberg non-US market codes -> Yahoo suffix of the same market.
_BLOOMBERG_NON_US: Final[dict[str, str]] = {
    "LN": "L",
    "CN": "TO",
    "CT": "TO",
    "CV": "V",
    "JP": "T",
    "JT": "T",
    "GY": "DE",
    "GR": "DE",
    "GF": "F",
    "FP": "PA",
    "NA": "AS",
    "BB": "BR",
    "PL": "LS",
    "ID": "IR",
    "SW": "SW",
    "SE": "SW",
    "VX": "SW",
    "HK": "HK",
    "AU": "AX",
    "AT": "AX",
    "IM": "MI",
    "SM": "MC",
    "SQ": "MC",
    "SS": "ST",
    "FH": "HE",
    "DC": "CO",
    "NO": "OL",
    "KS": "KS",
    "TT": "TW",
    "SP": "SI",
    "SJ": "JO",
    "MM": "MX",
    "BZ": "SA",
    "NZ": "NZ",
    "IN": "NS",
    "IB": "BO",
}
#: Bloomberg yellow keys that are not equities.
_BLOOMBERG_OTHER: Final = frozenset(
    {"INDEX", "CURNCY", "COMDTY", "CORP", "GOVT", "MTGE", "MUNI", "PFD", "M-MKT"}
)

#: TradingView exchange prefixes (``NASDAQ:ICHR``): US ones.
_PREFIX_US: Final = frozenset(
    {
        "NASDAQ",
        "NYSE",
        "AMEX",
        "NYSEARCA",
        "ARCA",
        "NYSEAMERICAN",
        "NYSEMKT",
        "BATS",
        "CBOE",
        "OTC",
        "IEX",
    }
)
#: TradingView non-US prefixes -> Yahoo suffix of the same market.
_PREFIX_NON_US: Final[dict[str, str]] = {
    "LSE": "L",
    "TSX": "TO",
    "TSXV": "V",
    "TSE": "T",
    "XETR": "DE",
    "FWB": "F",
    "HKEX": "HK",
    "ASX": "AX",
    "SIX": "SW",
    "BME": "MC",
    "MIL": "MI",
    "NSE": "NS",
    "BSE": "BO",
    "KRX": "KS",
    "TWSE": "TW",
    "SSE": "SS",
    "SZSE": "SZ",
    "OMXSTO": "ST",
    "OMXCOP": "CO",
    "OMXHEX": "HE",
    "OSL": "OL",
    "NZX": "NZ",
    "JSE": "JO",
    "BMFBOVESPA": "SA",
    "BMV": "MX",
    "SGX": "SI",
    "TASE": "TA",
    "BIST": "IS",
    "GPW": "WA",
}

_ALLOWED: Final = "a ticker such as VICR, BRK-B or ^GSPC"
_SEPARATORS = re.compile(r"[.\s_/]+")
_VALID = re.compile(r"\^?[A-Z0-9][A-Z0-9\-=]*")
_BLOOMBERG = re.compile(r"(?P<sym>\S+)\s+(?P<mkt>[A-Z]{2})(?:\s+EQUITY)?")
_BLOOMBERG_NOT_EQUITY = re.compile(r"\S+(?:\s+[A-Z]{2})?\s+(?P<key>[A-Z-]+)")


def _invalid(text: object, reason: str | None = None) -> InvalidParameterError:
    if reason is None:
        return InvalidParameterError(name="ticker", value=text, allowed=_ALLOWED)
    return InvalidParameterError(f"Invalid ticker: {text!r} ({reason})", name="ticker", value=text)


def _class_form(symbol: str, text: object) -> str:
    """Return ``symbol`` with class separators as dashes; raise if it is not a ticker.

    A dash begins or ends no ticker: ``-VICR`` (a command-line option's dash, a minus
    sign) is refused, not read as ``VICR``.
    """
    if symbol.startswith("-") or symbol.endswith("-"):
        raise _invalid(text, "a ticker does not begin or end with '-'")
    ticker = _SEPARATORS.sub("-", symbol).strip("-")
    if not ticker or not _VALID.fullmatch(ticker):
        raise _invalid(text)
    return ticker


def normalise_ticker(text: object) -> str:
    """Return Yahoo's spelling of a ticker.

    The text is first put in Unicode's compatibility form (NFKC: full-width ``ＩＣＨＲ``
    from an East Asian keyboard is ``ICHR``, a no-break space is a space) and stripped of
    invisible format characters (zero-width spaces, byte-order marks, direction marks:
    Unicode category ``Cf``), which a ticker copied from a web page or a chat often
    carries. Surrounding blanks are removed and letters upper-cased; then, in this order:

    1. a Bloomberg security (``"ICHR US Equity"``, ``"BRK/B UN Equity"``) loses its US
       market code and yellow key, and so does the short form without the yellow key
       and a US market code (``"HOLX US"``, a row of iShares' IVV holdings); a non-US market code becomes the Yahoo suffix of the
       market (``"EZJ LN Equity"`` -> ``"EZJ.L"``);
    2. a TradingView prefix of a US exchange is removed (``"NASDAQ:ICHR"``); a non-US one
       becomes the Yahoo suffix (``"LSE:EZJ"`` -> ``"EZJ.L"``);
    3. a vendor's ``.US`` suffix is removed (``"ICHR.US"``, Stooq and EODHD); ``.UK``,
       ``.JP``, ``.LSE``, ``.XETRA`` become Yahoo's ``.L``, ``.T``, ``.L``, ``.DE``;
    4. a Yahoo exchange suffix (:data:`YAHOO_SUFFIXES`) keeps its dot (``"EZJ.L"``,
       ``"SHOP.TO"``, ``"7203.T"``), except the US class shares of
       :data:`US_CLASS_SHARES` (``"MKC.V"`` -> ``"MKC-V"``);
    5. the class separators ``.``, ``_``, ``/`` and inner blanks become ``-``
       (``"BRK.B"``, ``"BRK_B"``, ``" brk-b "``, ``"BRK/B"`` -> ``"BRK-B"``).

    A leading ``^`` (an index) is kept. Whether the ticker exists, or is US-listed
    (:func:`check_us_listed`), is not checked here.

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
        If ``text`` is not a string, is empty, has characters no ticker has, is a
        Bloomberg security that is not an equity (``"SPX Index"``), or names a market
        code or exchange prefix this module does not know.
    """
    if not isinstance(text, str):
        raise _invalid(text)
    visible = "".join(
        c for c in unicodedata.normalize("NFKC", text) if unicodedata.category(c) != "Cf"
    )
    upper = " ".join(visible.upper().split())
    if not upper:
        raise _invalid(text)

    suffix: str | None = None  # a Yahoo exchange suffix found in a vendor's notation
    match = _BLOOMBERG.fullmatch(upper)
    if match and not upper.endswith("EQUITY") and match["mkt"] not in _BLOOMBERG_US:
        match = None  # ``BRK B``-style blanks are class separators; only ``HOLX US`` is short
    if match:
        symbol, market = match["sym"], match["mkt"]
        if market in _BLOOMBERG_US:
            upper = symbol
        elif market in _BLOOMBERG_NON_US:
            upper, suffix = symbol, _BLOOMBERG_NON_US[market]
        else:
            raise _invalid(text, f"Bloomberg market code {market} is not one xlsrc knows")
    else:
        other = _BLOOMBERG_NOT_EQUITY.fullmatch(upper)
        if other and other["key"] in _BLOOMBERG_OTHER:
            raise _invalid(text, f"a Bloomberg {other['key'].title()} security, not an equity")
    if ":" in upper:
        prefix, _, symbol = upper.partition(":")
        prefix = prefix.strip()
        if prefix in _PREFIX_US:
            upper = symbol.strip()
        elif prefix in _PREFIX_NON_US:
            upper, suffix = symbol.strip(), _PREFIX_NON_US[prefix]
        else:
            raise _invalid(text, f"exchange prefix {prefix} is not one xlsrc knows")

    if suffix is None and "." in upper:
        base, _, last = upper.rpartition(".")
        if base and last in _VENDOR_SUFFIXES:
            upper, suffix = base, _VENDOR_SUFFIXES[last]
        elif base and last in YAHOO_SUFFIXES and upper not in US_CLASS_SHARES:
            upper, suffix = base, last
    ticker = _class_form(upper, text)
    if suffix is not None:
        if ticker.startswith(INDEX_PREFIX):
            raise _invalid(text)
        ticker = f"{ticker}.{suffix}"
    return ticker


def listing_exchange(ticker: object) -> str | None:
    """Return the non-US exchange a ticker's Yahoo suffix names, or None for a US symbol.

    Parameters
    ----------
    ticker : object
        A ticker in any spelling :func:`normalise_ticker` reads.

    Returns
    -------
    str or None
        The exchange's name (``"London Stock Exchange"`` for ``EZJ.L``), or None.

    Raises
    ------
    InvalidParameterError
        If ``ticker`` is not a ticker.
    """
    normal = normalise_ticker(ticker)
    _, dot, last = normal.rpartition(".")
    return YAHOO_SUFFIXES.get(last) if dot else None


def check_us_listed(ticker: object) -> str:
    """Return the normalised ticker if it is a US listing; refuse any other up front.

    xlsrc holds US-listed securities on the NYSE (XNYS) calendar only: a symbol on
    another exchange would be stored on the wrong calendar and in the wrong currency.
    Every path by which a symbol enters the store calls this (CSV import, Yahoo refresh).

    Parameters
    ----------
    ticker : object
        A ticker in any spelling :func:`normalise_ticker` reads.

    Returns
    -------
    str
        The normalised ticker.

    Raises
    ------
    InvalidParameterError
        If the ticker is not a ticker, or carries a non-US exchange suffix; the message
        names the exchange (``EZJ.L is listed on the London Stock Exchange (Yahoo suffix
        .L); xlsrc holds US-listed securities only, on the NYSE calendar``) and, for a
        single-letter suffix, how to write a US class share instead.
    """
    normal = normalise_ticker(ticker)
    exchange = listing_exchange(normal)
    if exchange is None:
        return normal
    base, _, last = normal.rpartition(".")
    message = (
        f"{normal} is listed on the {exchange} (Yahoo suffix .{last}); xlsrc holds "
        "US-listed securities only, on the NYSE calendar"
    )
    if len(last) == 1:
        message += f" (a US class {last} share is written with a dash: {base}-{last})"
    raise InvalidParameterError(message, name="ticker", value=ticker, exchange=exchange)


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
