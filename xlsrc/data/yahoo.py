"""Yahoo Finance (yfinance) as a provider of daily bars, behind one injectable transport.

The only thing that talks to the network is a :class:`Downloader`: a callable that takes
``(tickers, start, end)`` and returns a frame shaped exactly like ``yf.download``'s.
:class:`YFinanceDownloader` is the real one; tests pass a fake that replays recorded
frames (``tests/fixtures/yahoo``) and injects faults. Everything after the transport is
pure: :func:`to_long` turns any of the shapes yfinance produces into one long frame and
:func:`validate_bars` decides, ticker by ticker, what may be stored.

Things about yfinance 1.7 this module relies on (read from its source, ``multi.py``):

- ``yf.download`` **does not raise** for a failing ticker. Every per-ticker exception,
  ``YFRateLimitError`` and network timeouts included, is caught, the ticker gets an
  all-NaN frame, and the error is only *logged* (``logger.error`` on the ``yfinance``
  logger). :class:`YFinanceDownloader` therefore listens to that logger during the call,
  puts each ticker's message in ``frame.attrs["errors"]`` and, when every requested
  ticker failed for the same transient reason (rate limit, timeout, connection), raises
  that reason so the caller can back off and retry.
- Columns are a MultiIndex ``(Price, Ticker)`` with ``group_by="column"`` (sorted by
  price field, then ticker) or ``(Ticker, Price)`` with ``group_by="ticker"``, also for a
  single ticker unless ``multi_level_index=False``. A failed ticker's columns are
  ``Open, High, Low, Close, Adj Close, Volume`` and all NaN, so even with
  ``auto_adjust=True`` an ``Adj Close`` column can appear; it is ignored.
- The index is a tz-naive ``DatetimeIndex`` named ``Date`` for daily bars; the union of
  all tickers' dates, so a ticker has NaN rows on days it did not trade.
- ``auto_adjust=True`` gives split- and dividend-adjusted OHLC (what the store holds);
  we always pass it explicitly because its default has changed between releases.
"""

from __future__ import annotations

import logging
import re
import threading
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final, Protocol

import numpy as np
import pandas as pd

from .universes import normalise_ticker

__all__ = [
    "BAR_COLUMNS",
    "PRICE_FIELDS",
    "Downloader",
    "ParsedDownload",
    "YFinanceDownloader",
    "describe_error",
    "is_connection_error",
    "is_no_data",
    "is_rate_limit",
    "is_transient",
    "to_long",
    "validate_bars",
]

#: Columns of the long frame every provider produces (and ``Store.write_bars`` takes).
BAR_COLUMNS: Final[tuple[str, ...]] = ("ticker", "date", "open", "high", "low", "close", "volume")
#: The price-field level values yfinance can put in its columns.
PRICE_FIELDS: Final[frozenset[str]] = frozenset(
    {
        "Open",
        "High",
        "Low",
        "Close",
        "Adj Close",
        "Volume",
        "Dividends",
        "Stock Splits",
        "Capital Gains",
        "Repaired?",
    }
)
_OHLCV: Final = {"Open": "open", "High": "high", "Low": "low", "Close": "close", "Volume": "volume"}
#: Relative slack for ``low <= close <= high`` (adjusted prices carry float noise).
PRICE_TOLERANCE: Final = 1e-6

_log = logging.getLogger(__name__)


class Downloader(Protocol):
    """The transport: download daily bars for ``tickers`` in ``[start, end)``.

    Returns a frame shaped like ``yf.download(..., group_by="column")`` (any of the shapes
    described in the module docstring is accepted by :func:`to_long`). May raise
    ``YFRateLimitError``, ``TimeoutError``/``ConnectionError`` (or library equivalents)
    for the whole call. Per-ticker error messages may be given in
    ``frame.attrs["errors"]`` (``{ticker: message}``).
    """

    def __call__(
        self, tickers: Sequence[str], start: pd.Timestamp | None, end: pd.Timestamp | None
    ) -> pd.DataFrame:
        """Download ``tickers`` from ``start`` (inclusive) to ``end`` (exclusive)."""
        ...


class _ErrorCollector(logging.Handler):
    """Collect the ``['T1', 'T2']: message`` lines yf.download logs for failed tickers."""

    _LINE = re.compile(r"^\[(?P<syms>[^\]]*)\]:\s*(?P<msg>.*)$", re.S)

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.errors: dict[str, str] = {}
        self._thread = threading.get_ident()

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread != self._thread:  # another thread's download, not ours
            return
        match = self._LINE.match(record.getMessage())
        if not match:
            return
        for sym in re.findall(r"'([^']+)'", match["syms"]):
            self.errors[sym] = match["msg"].strip()


@dataclass
class YFinanceDownloader:
    """The real transport: one ``yf.download`` call per batch.

    Parameters
    ----------
    timeout : float
        Seconds yfinance waits for each HTTP response.
    threads : bool or int
        Passed to ``yf.download`` (``True``: one thread per ticker, capped by yfinance).
    """

    timeout: float = 20.0
    threads: bool | int = True

    def __call__(
        self, tickers: Sequence[str], start: pd.Timestamp | None, end: pd.Timestamp | None
    ) -> pd.DataFrame:
        """Download ``tickers`` with the settings xlsrc relies on (see module docstring).

        Raises
        ------
        yfinance.exceptions.YFRateLimitError, TimeoutError, ConnectionError
            When every ticker failed for that transient reason.
        """
        import yfinance as yf  # imported here: importing yfinance is slow

        collector = _ErrorCollector()
        logger = logging.getLogger("yfinance")
        logger.addHandler(collector)
        try:
            with warnings.catch_warnings():
                # yfinance 1.7's multi.py calls pandas APIs pandas 3.1 deprecates
                # (Pandas4Warning, a DeprecationWarning, attributed to yfinance's frames);
                # the analyst can do nothing about them. Scoped to this call only.
                for category in (DeprecationWarning, FutureWarning):
                    warnings.filterwarnings("ignore", category=category, module=r"yfinance\.")
                frame = yf.download(
                    list(tickers),
                    start=None if start is None else start.strftime("%Y-%m-%d"),
                    end=None if end is None else end.strftime("%Y-%m-%d"),
                    auto_adjust=True,
                    actions=False,
                    group_by="column",
                    threads=self.threads,
                    progress=False,
                    timeout=self.timeout,
                    multi_level_index=True,
                )
        finally:
            logger.removeHandler(collector)
        if frame is None:
            frame = pd.DataFrame()
        frame.attrs["errors"] = dict(collector.errors)
        _raise_if_all_transient(tickers, collector.errors)
        return frame


def _raise_if_all_transient(tickers: Sequence[str], errors: dict[str, str]) -> None:
    """Re-raise a whole-call transient failure that yf.download turned into log lines."""
    wanted = [t.upper() for t in tickers]
    if not wanted or any(t not in errors for t in wanted):
        return
    messages = [errors[t] for t in wanted]
    if all(is_rate_limit(m) for m in messages):
        from yfinance.exceptions import YFRateLimitError

        raise YFRateLimitError()
    if all(_TIMEOUT.search(m) for m in messages):
        raise TimeoutError(messages[0])
    if all(_CONNECTION.search(m) for m in messages):
        raise ConnectionError(messages[0])


_RATE: Final = re.compile(r"rate.?limit|too many requests|YFRateLimitError", re.I)
_TIMEOUT: Final = re.compile(r"timed? ?out|timeout", re.I)
_CONNECTION: Final = re.compile(
    r"connection|resolve host|name resolution|network is unreachable|couldn't connect|"
    r"failed to connect|ssl|curl: \(\d+\)",
    re.I,
)


def is_rate_limit(error: BaseException | str) -> bool:
    """Whether an exception (or a logged message) says Yahoo rate-limited us."""
    if isinstance(error, BaseException):
        if type(error).__name__ == "YFRateLimitError":
            return True
        error = f"{type(error).__name__}: {error}"
    return bool(_RATE.search(error))


_NO_DATA: Final = re.compile(
    r"delisted|no timezone|no (?:price )?data found|YFTzMissingError|YFPricesMissingError|"
    r"YFChartError",
    re.I,
)


def is_no_data(reason: str | None) -> bool:
    """Whether a per-ticker failure is yfinance's "nothing came back" (or no reason at all).

    yfinance reports a ticker it got nothing for as "possibly delisted; no timezone found"
    or "possibly delisted; no price data found"; without a network (or when Yahoo
    throttles quietly) *every* ticker gets that message. The refresh therefore treats a
    batch in which every ticker failed this way as a transient failure of the batch, not
    as that many delistings.

    Parameters
    ----------
    reason : str or None
        The message yfinance logged for the ticker (None or "" when it gave none).

    Returns
    -------
    bool
        True for the delisted / no timezone / no data messages and for no message.
    """
    if not reason:
        return True
    return bool(_NO_DATA.search(reason.strip()))


def is_transient(error: BaseException | str) -> bool:
    """Whether a failure is worth retrying: rate limit, timeout or connection problem.

    Parameters
    ----------
    error : BaseException or str
        An exception raised by a :class:`Downloader`, or a per-ticker message.

    Returns
    -------
    bool
        True for ``YFRateLimitError``, ``TimeoutError``, ``ConnectionError`` (and the
        HTTP libraries' timeout/connection classes, which derive from ``OSError`` or are
        named so), False otherwise.
    """
    if is_rate_limit(error):
        return True
    if isinstance(error, BaseException):
        if isinstance(error, TimeoutError | ConnectionError):
            return True
        names = " ".join(c.__name__ for c in type(error).__mro__)
        if re.search(r"Timeout|ConnectionError|ConnectError|CurlError", names):
            return True
        error = f"{type(error).__name__}: {error}"
    return bool(_TIMEOUT.search(error) or _CONNECTION.search(error))


def is_connection_error(error: BaseException | str) -> bool:
    """Whether a failure means the network (not Yahoo's throttle) is unreachable."""
    if is_rate_limit(error):
        return False
    if isinstance(error, BaseException):
        if isinstance(error, ConnectionError | TimeoutError):
            return True
        names = " ".join(c.__name__ for c in type(error).__mro__)
        if re.search(r"Timeout|ConnectionError|ConnectError|CurlError", names):
            return True
        error = str(error)
    return bool(_TIMEOUT.search(error) or _CONNECTION.search(error))


@dataclass
class ParsedDownload:
    """What :func:`to_long` found in one download.

    Attributes
    ----------
    bars : pandas.DataFrame
        Long frame with :data:`BAR_COLUMNS`; ``date`` is tz-naive midnight.
    failures : dict of str to str
        Ticker -> why nothing usable came back for it.
    """

    bars: pd.DataFrame
    failures: dict[str, str] = field(default_factory=dict)


def _empty_bars() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="float64") for c in BAR_COLUMNS})
    frame["ticker"] = frame["ticker"].astype(object)
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def _split_by_ticker(frame: pd.DataFrame, tickers: Sequence[str]) -> dict[str, pd.DataFrame]:
    """Return ``{yahoo ticker: frame with price-field columns}`` for any yfinance shape."""
    cols = frame.columns
    if isinstance(cols, pd.MultiIndex):
        if cols.nlevels != 2:
            raise ValueError(f"unexpected column levels: {cols.nlevels}")
        level0 = {str(v) for v in cols.get_level_values(0)}
        level1 = {str(v) for v in cols.get_level_values(1)}
        if level0 <= PRICE_FIELDS and not level1 <= PRICE_FIELDS:
            ticker_level = 1
        elif level1 <= PRICE_FIELDS and not level0 <= PRICE_FIELDS:
            ticker_level = 0
        elif level0 <= PRICE_FIELDS:  # a ticker named like a field ("OPEN"?): trust names
            ticker_level = 1 if cols.names[0] == "Price" else 0
        else:
            raise ValueError("no level of the columns holds Open/High/Low/Close/Volume")
        out = {}
        for sym in dict.fromkeys(cols.get_level_values(ticker_level)):
            sub = frame.xs(sym, axis=1, level=ticker_level)
            out[str(sym)] = sub
        return out
    # Flat columns: one ticker (multi_level_index=False or an old yfinance).
    if not {str(c) for c in cols} <= PRICE_FIELDS:
        raise ValueError(f"unexpected columns: {list(cols)}")
    if len(tickers) != 1:
        raise ValueError(f"flat columns but {len(tickers)} tickers requested")
    return {tickers[0]: frame}


def to_long(frame: pd.DataFrame | None, tickers: Sequence[str]) -> ParsedDownload:
    """Turn a ``yf.download`` frame into the long bar frame, ticker by ticker.

    Parameters
    ----------
    frame : pandas.DataFrame or None
        What the downloader returned (any shape described in the module docstring).
    tickers : sequence of str
        The tickers that were requested (Yahoo spelling). A requested ticker with no
        usable row is reported in ``failures``; a ticker that came back but was not
        requested is ignored.

    Returns
    -------
    ParsedDownload
        Bars sorted by ticker then date (rows where all of OHLC are NaN dropped) and
        failures. Nothing is validated here: see :func:`validate_bars`.
    """
    wanted = {t.upper(): t for t in tickers}
    errors = {}
    if frame is not None:
        errors = {str(k).upper(): str(v) for k, v in frame.attrs.get("errors", {}).items()}
    failures: dict[str, str] = {}

    def fail(sym: str) -> str:
        reason = errors.get(sym)
        if reason:
            return f"no data from Yahoo: {reason}"
        return (
            "no data from Yahoo (possibly delisted or renamed; "
            "often a network problem or rate limit: try again later)"
        )

    if frame is None or frame.shape[0] == 0 or frame.shape[1] == 0:
        return ParsedDownload(_empty_bars(), {t: fail(t.upper()) for t in tickers})
    try:
        parts = _split_by_ticker(frame, list(tickers))
    except ValueError as exc:
        return ParsedDownload(
            _empty_bars(), {t: f"unreadable Yahoo response: {exc}" for t in tickers}
        )
    pieces = []
    parts_upper = {str(k).upper(): v for k, v in parts.items()}
    for sym, original in wanted.items():
        sub = parts_upper.get(sym)
        if sub is None:
            failures[original] = fail(sym)
            continue
        missing = [c for c in _OHLCV if c not in sub.columns]
        if missing:
            failures[original] = f"Yahoo response lacks {', '.join(missing)}"
            continue
        sub = sub[list(_OHLCV)].rename(columns=_OHLCV).rename_axis(None, axis=1)
        sub = sub.apply(pd.to_numeric, errors="coerce")
        sub = sub.dropna(how="all", subset=["open", "high", "low", "close"])
        if sub.empty:
            failures[original] = fail(sym)
            continue
        index = pd.DatetimeIndex(sub.index)
        if index.tz is not None:
            index = index.tz_localize(None)
        part = sub.reset_index(drop=True)
        part.insert(0, "date", index.normalize())
        try:
            part.insert(0, "ticker", normalise_ticker(original))
        except Exception as exc:  # an unspellable symbol: report, never store
            failures[original] = str(exc)
            continue
        pieces.append(
            part.astype({c: "float64" for c in ("open", "high", "low", "close", "volume")})
        )
    if pieces:
        bars = (
            pd.concat(pieces, ignore_index=True)
            .sort_values("ticker", kind="stable")
            .reset_index(drop=True)
        )
    else:
        bars = _empty_bars()
    return ParsedDownload(bars[list(BAR_COLUMNS)], failures)


def _ticker_problem(group: pd.DataFrame) -> str | None:
    """Return why one ticker's bars must not be stored, or None if they are fine."""
    dates = pd.DatetimeIndex(group["date"])
    dup = dates[dates.duplicated()]
    if len(dup):
        return f"duplicate day {dup[0]:%Y-%m-%d}"
    if not dates.is_monotonic_increasing:
        pos = int(np.argmax(np.diff(dates.asi8) <= 0)) + 1
        return f"dates out of order at {dates[pos]:%Y-%m-%d}"
    prices = group[["open", "high", "low", "close"]].to_numpy(dtype="float64")
    bad = ~np.isfinite(prices) | (prices <= 0)
    if bad.any():
        row = int(np.argmax(bad.any(axis=1)))
        col = ("open", "high", "low", "close")[int(np.argmax(bad[row]))]
        return f"{col} is {prices[row, bad[row].argmax()]} on {dates[row]:%Y-%m-%d} (prices must be positive)"
    high, low, close = prices[:, 1], prices[:, 2], prices[:, 3]
    slack = PRICE_TOLERANCE * high
    wrong = (high < low - slack) | (close > high + slack) | (close < low - slack)
    if wrong.any():
        row = int(np.argmax(wrong))
        return (
            f"bar of {dates[row]:%Y-%m-%d} is inconsistent "
            f"(high {high[row]}, low {low[row]}, close {close[row]})"
        )
    volume = group["volume"].to_numpy(dtype="float64")
    if (volume < 0).any() or np.isinf(volume).any():
        row = int(np.argmax((volume < 0) | np.isinf(volume)))
        return f"volume is {volume[row]} on {dates[row]:%Y-%m-%d}"
    return None


def validate_bars(bars: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """Split bars into those that may be stored and tickers that failed validation.

    Rules (per ticker; one bad bar rejects the whole ticker, which is then reported and
    never stored, so a store never holds half of a bad download):

    - dates strictly increasing (no duplicate day, none out of order), in the given order;
    - open, high, low, close finite and > 0;
    - ``high >= low`` and ``low <= close <= high`` (relative slack ``1e-6``);
    - volume NaN (unknown) or finite and >= 0.

    The open is *not* required to lie within ``[low, high]``: real Yahoo data breaks that
    now and then (3 of 377,848 bars in ``shared/data/ohlcv``) and the analytics use
    closes and volumes only.

    Parameters
    ----------
    bars : pandas.DataFrame
        Long frame with :data:`BAR_COLUMNS`.

    Returns
    -------
    good : pandas.DataFrame
        The bars of the tickers that passed, in their original order.
    failures : dict of str to str
        Ticker -> the first problem found.
    """
    failures: dict[str, str] = {}
    if bars.empty:
        return bars, failures
    for ticker, group in bars.groupby("ticker", sort=False):
        problem = _ticker_problem(group)
        if problem:
            failures[str(ticker)] = problem
    good = bars[~bars["ticker"].isin(list(failures))] if failures else bars
    return good, failures


def describe_error(error: BaseException) -> str:
    """One line naming an exception for a failure report (no traceback)."""
    text = str(error).strip() or type(error).__name__
    if is_rate_limit(error):
        return "rate limited by Yahoo (YFRateLimitError)"
    return f"{type(error).__name__}: {text}" if type(error).__name__ not in text else text
