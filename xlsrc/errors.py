"""The one exception tree of xlsrc.

Every error carries a message that names the bad value and, where it helps, what is
allowed. Adapters show ``str(error)``: the Excel formulas prefix it with ``#N/A ``, the
command line prints it on one line and exits non-zero.

::

    XlsrcError
    ├── InvalidParameterError      a window of 0, a negative n, an unknown period code
    ├── UnknownTickerError         a ticker the store does not hold
    ├── UnknownUniverseError       a universe name the store does not hold
    ├── NoDataError                no price on or before the requested date
    │   └── StaleDataError         no trade for more than STALE_SESSIONS sessions
    ├── InsufficientHistoryError   too few bars for the requested window
    ├── DataSourceError            a provider (yfinance, CSV, holdings file) failed
    │   ├── CsvFormatError         a malformed CSV, naming file and line
    │   └── BarsRefusedError       bars that break the validation gate's rules
    └── StoreError                 the local store is missing, locked or corrupt

Message templates live on the classes (in the manner of exchange_calendars), so that a
message is written in exactly one place.
"""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = [
    "BarsRefusedError",
    "CsvFormatError",
    "DataSourceError",
    "InsufficientHistoryError",
    "InvalidParameterError",
    "NoDataError",
    "StaleDataError",
    "StoreError",
    "UnknownTickerError",
    "UnknownUniverseError",
    "XlsrcError",
]


class XlsrcError(Exception):
    """Base class of every error xlsrc raises on purpose.

    Parameters
    ----------
    message : str, optional
        A complete message; when omitted the class ``template`` is formatted with
        ``fields``.
    **fields
        Values named in the class template.
    """

    template: ClassVar[str] = "{message}"

    def __init__(self, message: str | None = None, **fields: Any) -> None:
        self.fields = fields
        if message is None:
            message = self.template.format(**fields)
        self.message = message
        super().__init__(message)

    def __str__(self) -> str:
        return self.message


class InvalidParameterError(XlsrcError, ValueError):
    """A parameter is outside what is allowed (``name``, ``value``, ``allowed``)."""

    template = "Invalid {name}: {value!r} (allowed: {allowed})"


class UnknownTickerError(XlsrcError, KeyError):
    """The store holds no security with this ticker (``ticker``)."""

    template = "Unknown ticker: {ticker}"


class UnknownUniverseError(XlsrcError, KeyError):
    """The store holds no universe with this name (``name``, ``known``)."""

    template = "Unknown universe: {name} (known: {known})"


class NoDataError(XlsrcError, LookupError):
    """No bar for ``ticker`` on or before ``date``."""

    template = "No price for {ticker} on or before {date}"


class StaleDataError(NoDataError):
    """No real bar in the last ``STALE_SESSIONS`` sessions before the as-of day.

    Fields: ``ticker`` and ``date``, the day of its last real bar (``YYYY-MM-DD``).
    """

    template = "No trade since {date}"


class InsufficientHistoryError(XlsrcError, LookupError):
    """Fewer bars than a window needs (``ticker``, ``needed``, ``available``, ``date``)."""

    template = "Too little history for {ticker}: needs {needed} trading days before {date}, has {available}"


class DataSourceError(XlsrcError, RuntimeError):
    """A data provider failed: a download, a holdings file, an import."""


class CsvFormatError(DataSourceError):
    """A CSV file is malformed (``path``, ``line``, ``problem``)."""

    template = "{path}, line {line}: {problem}"


class BarsRefusedError(DataSourceError):
    """Bars refused by the validation gate (``problems``: every :class:`BarProblem`).

    The message names the first problem and how many more there are; nothing was stored.
    """

    def __init__(self, problems: Any) -> None:
        self.problems = list(problems)
        first = self.problems[0] if self.problems else "no bars"
        more = len(self.problems) - 1
        tail = f" (and {more} more problem{'s' if more != 1 else ''})" if more > 0 else ""
        super().__init__(f"Refused, nothing stored: {first}{tail}")


class StoreError(XlsrcError, RuntimeError):
    """The local store cannot be opened, read or written."""
