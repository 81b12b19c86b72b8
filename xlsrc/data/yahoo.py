"""Yahoo Finance (yfinance) as a provider of daily bars, behind one injectable transport.

The only thing that talks to the network is a :class:`Downloader`: a callable that takes
``(tickers, start, end)`` and returns a frame shaped exactly like ``yf.download``'s.
:class:`YFinanceDownloader` is the real one; tests pass a fake that replays recorded
frames (``tests/fixtures/yahoo``) and injects faults. Everything after the transport is
pure: :func:`to_long` turns any of the shapes yfinance produces into one long frame. What
may be stored is decided by the one gate every provider passes
(:func:`xlsrc.data.validate.check_bars`, through :func:`xlsrc.data.ingest.ingest_bars`);
this module has no validation rules of its own.

What xlsrc asks yfinance for, and why (read from the yfinance 1.7 source:
``multi.py`` ``_download_impl`` and ``scrapers/history.py`` ``PriceHistory.history``):

- ``auto_adjust=False``: ``Close`` is split-adjusted only and ``Adj Close`` split- and
  dividend-adjusted, so both bases are stored (issue 11 section 3). :func:`to_long` applies
  yfinance's own ``utils.auto_adjust`` rule: ``close = Adj Close``, open/high/low times
  ``Adj Close / Close``, and keeps ``split_close = Close``.
- ``actions=True``: the ``Stock Splits`` column is Yahoo's split record (4.0 for a
  4-for-1 split, on the ex-date; 0 on other days). It is handed to the gate, whose
  ``split`` rule then recognises a split that the earlier bars do not reflect. yfinance
  requests the events (``events=div,splits,capitalGains``) whatever ``actions`` says, so
  it costs nothing. ETFs and funds also get ``Capital Gains``.
- ``repair=False`` (and ``keepna=False``, ``back_adjust=False``, ``ignore_tz=True``)
  explicitly. ``repair=True`` runs heuristics that *change* prices: 100x outliers
  against a local median and sudden unit switches (``_fix_unit_mixups``), a split that
  Yahoo did not apply or applied twice (``_fix_bad_stock_splits``), zero or NaN prices
  rebuilt from finer intervals (``_fix_zeroes``, more requests to Yahoo), and bad
  dividend adjustments. It needs scipy (the ``yfinance[repair]`` extra, not installed
  with xlsrc: every ticker would fail with ``ModuleNotFoundError``), makes extra requests
  per ticker (rate limits on a 6,000-ticker refresh), has little context in a short
  incremental window, and its guesses are silent unless one reads ``Repaired?``. It does
  not fill a day Yahoo did not send, and it cannot see history xlsrc stored earlier.
  xlsrc refuses instead of guessing: the gate's ``jump`` and ``split`` rules catch the
  same glitches (x100, x1000 and split-sized steps) and the refresh reports them, asks
  again, or replaces the history when Yahoo's own history is consistent.

Shapes yfinance produces (all accepted by :func:`to_long`):

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
  ``Open, High, Low, Close, Adj Close, Volume`` (``utils.empty_df``), all NaN.
- The index is a ``DatetimeIndex`` named ``Date``: tz-naive exchange-local midnights for
  daily bars (``ignore_tz=True``), tz-aware when asked otherwise or when a frame comes
  from ``Ticker.history``; it is the union of all tickers' dates, so a ticker has all-NaN
  rows on days it has no row of its own.
- A day Yahoo sends **without prices**: ``keepna=False`` drops a row only when *every*
  field (prices, volume, dividends, splits) is NaN or zero, so a row with NaN prices and
  a volume (or a dividend) survives. yfinance's own repair code says why it cannot tell
  these apart from days without trades: "Sometimes Yahoo returns prices=0 or NaN when
  trades occurred. But most times [...] because no trades." :func:`to_long` therefore
  reads a missing or zero close as *no price from Yahoo that day*: the row is not a bar,
  it is listed in :attr:`ParsedDownload.no_price`, and the refresh reports it and asks for
  the day again (a hole inside a ticker's stored range).

Size: about 640 lines, of which the first 130 are the record above of what yfinance
really does; the transport, the error classification (:func:`is_transient`,
:func:`is_no_data`...) and :func:`to_long` each rely on those facts, so they stay with
them rather than in two modules that would each need half of this docstring.
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

from .calendar import TIMEZONE
from .universes import normalise_ticker
from .validate import PRICE_TOLERANCE

__all__ = [
    "BAR_COLUMNS",
    "LONG_COLUMNS",
    "PRICE_FIELDS",
    "PRICE_TOLERANCE",
    "Downloader",
    "ParsedDownload",
    "YFinanceDownloader",
    "describe_error",
    "is_connection_error",
    "is_no_data",
    "is_rate_limit",
    "is_transient",
    "session_dates",
    "to_long",
]

#: Columns of the OHLCV long frame every provider produces (the CSV importer uses it).
BAR_COLUMNS: Final[tuple[str, ...]] = ("ticker", "date", "open", "high", "low", "close", "volume")
#: Columns of :attr:`ParsedDownload.bars`: :data:`BAR_COLUMNS` plus the split-only close.
LONG_COLUMNS: Final[tuple[str, ...]] = (*BAR_COLUMNS, "split_close")
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
_OHLCV: Final = ("Open", "High", "Low", "Close", "Volume")
#: Columns whose values mean "Yahoo sent this row" (an all-NaN row is reindexing filler).
_DATA_FIELDS: Final = (
    "Open",
    "High",
    "Low",
    "Close",
    "Adj Close",
    "Volume",
    "Dividends",
    "Stock Splits",
    "Capital Gains",
)

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


#: Yahoo's hosts yfinance asks for daily bars (the chart API).
YAHOO_HOSTS: Final = ("query2.finance.yahoo.com", "query1.finance.yahoo.com")
#: Environment variables that route HTTP through a proxy (then DNS may fail locally and
#: the download still work, so a failed lookup proves nothing).
PROXY_VARIABLES: Final = (
    "HTTPS_PROXY",
    "https_proxy",
    "HTTP_PROXY",
    "http_proxy",
    "ALL_PROXY",
    "all_proxy",
)


def unreachable(hosts: Sequence[str] = YAHOO_HOSTS) -> str | None:
    """Say why Yahoo cannot be reached from this machine, when that is certain.

    Without a network yfinance answers every ticker with "possibly delisted; no timezone
    found", exactly as when Yahoo throttles quietly, so the refresh retries such a batch
    with backoff (2 + 4 + 8 + 16 s: half a minute). A name lookup tells the two apart in
    a fraction of a second: if none of Yahoo's host names resolves and no proxy is
    configured (the environment's ``HTTPS_PROXY`` and friends, or yfinance's own
    ``config.network.proxy``), no download can work, and waiting cannot change that.

    Parameters
    ----------
    hosts : sequence of str
        Host names to look up (default :data:`YAHOO_HOSTS`).

    Returns
    -------
    str or None
        ``"the name query2.finance.yahoo.com does not resolve (<reason>)"``, or None when a
        name resolves, a proxy is configured, or the lookup fails for another reason.
    """
    import os
    import socket

    if any(os.environ.get(v) for v in PROXY_VARIABLES):
        return None
    try:
        import yfinance as yf

        if getattr(getattr(getattr(yf, "config", None), "network", None), "proxy", None):
            return None
    except Exception:  # an unusual yfinance: no claim either way
        return None
    reason = ""
    for host in hosts:
        try:
            socket.getaddrinfo(host, 443, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            reason = reason or f"the name {host} does not resolve: {exc.strerror or exc}"
            continue
        except OSError:
            return None
        return None
    return reason or None


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

    def unreachable(self) -> str | None:
        """Why Yahoo cannot be reached, when that is certain (:func:`unreachable`)."""
        return unreachable()

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
                    interval="1d",
                    auto_adjust=False,
                    back_adjust=False,
                    actions=True,
                    repair=False,
                    keepna=False,
                    ignore_tz=True,
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
        Long frame with :data:`LONG_COLUMNS`; ``date`` naive midnight session dates
        (``datetime64[ns]``); sorted by ticker then date. Prices as Yahoo sent them: the
        gate decides what may be stored.
    failures : dict of str to str
        Ticker -> why nothing usable came back for it.
    no_price : dict of str to list of pandas.Timestamp
        Ticker -> days Yahoo sent a row for without a close (NaN or zero), in date order;
        a day that also has a priced row is not listed.
    splits : dict of str to dict
        Ticker -> ``{session: ratio}`` from ``Stock Splits`` (4.0 = 4-for-1), only days
        with a split.
    """

    bars: pd.DataFrame
    failures: dict[str, str] = field(default_factory=dict)
    no_price: dict[str, list[pd.Timestamp]] = field(default_factory=dict)
    splits: dict[str, dict[pd.Timestamp, float]] = field(default_factory=dict)

    def returned(self, ticker: str) -> bool:
        """Whether Yahoo sent anything for ``ticker`` (a bar or a day without prices)."""
        name = normalise_ticker(ticker)
        return bool(self.no_price.get(name)) or bool((self.bars["ticker"] == name).any())


def _empty_bars() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="float64") for c in LONG_COLUMNS})
    frame["ticker"] = frame["ticker"].astype(object)
    frame["date"] = pd.Series(dtype="datetime64[ns]")
    return frame


def session_dates(index: pd.Index) -> pd.DatetimeIndex:
    """Turn yfinance's row labels into session dates, the way every xlsrc input does.

    - naive timestamps are exchange-local and kept as written (yfinance's daily bars are
      midnights; any other time of day is left for the gate to refuse, rule ``date``);
    - a tz-aware midnight in its own zone is a *label* (yfinance dates a daily bar
      ``2026-01-02 00:00:00-05:00``; an API writing ``2026-01-02T00:00:00Z`` means the same
      day): its wall date is taken, never the instant converted;
    - any other tz-aware time is an instant: converted to New York
      (:data:`xlsrc.data.calendar.TIMEZONE`) and the date there is taken.

    An offset is never kept, so ``...-05:00`` and ``...Z`` give the same dates as naive
    midnights.

    Parameters
    ----------
    index : pandas.Index
        Datetime-like labels (a ``DatetimeIndex``, tz-aware or not).

    Returns
    -------
    pandas.DatetimeIndex
        Naive, ``datetime64[ns]``.
    """
    idx = pd.DatetimeIndex(index)
    if idx.tz is None:
        return pd.DatetimeIndex(idx.as_unit("ns"))
    wall = idx.tz_localize(None)
    label = wall == wall.normalize()
    local = idx.tz_convert(TIMEZONE).tz_localize(None).normalize()
    out = np.where(label, wall.normalize().as_unit("ns"), local.as_unit("ns"))
    return pd.DatetimeIndex(out.astype("datetime64[ns]"))


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
            out[str(sym)] = frame.xs(sym, axis=1, level=ticker_level)
        return out
    # Flat columns: one ticker (multi_level_index=False or an old yfinance).
    if not {str(c) for c in cols} <= PRICE_FIELDS:
        raise ValueError(f"unexpected columns: {list(cols)}")
    if len(tickers) != 1:
        raise ValueError(f"flat columns but {len(tickers)} tickers requested")
    return {tickers[0]: frame}


def _numbers(sub: pd.DataFrame, name: str) -> np.ndarray:
    if name not in sub.columns:
        return np.full(len(sub), np.nan)
    column = sub[name]
    if isinstance(column, pd.DataFrame):  # a repeated column label: take the first
        column = column.iloc[:, 0]
    if pd.api.types.is_numeric_dtype(column.dtype):
        return column.to_numpy(dtype=np.float64, na_value=np.nan)
    return pd.to_numeric(column, errors="coerce").to_numpy(dtype=np.float64)


def to_long(frame: pd.DataFrame | None, tickers: Sequence[str]) -> ParsedDownload:
    """Turn a ``yf.download`` frame into the long bar frame, ticker by ticker.

    Per ticker (module docstring for the shapes):

    - with an ``Adj Close`` column (``auto_adjust=False``): ``close = Adj Close``,
      ``open/high/low`` times ``Adj Close / Close`` (yfinance's ``utils.auto_adjust``),
      ``split_close = Close``; without one (``auto_adjust=True``): ``close = Close`` and
      ``split_close`` unknown (NaN);
    - a row Yahoo sent without a close (NaN or zero; also an ``Adj Close`` missing beside
      a ``Close``) is not a bar: its day goes to ``no_price``; all-NaN rows (the union of
      the tickers' dates) are dropped silently;
    - dates by :func:`session_dates`; ``Stock Splits`` other than 0 go to ``splits``.

    Parameters
    ----------
    frame : pandas.DataFrame or None
        What the downloader returned.
    tickers : sequence of str
        The tickers that were requested (Yahoo spelling). A requested ticker with no
        usable row is reported in ``failures``; a ticker that came back but was not
        requested is ignored.

    Returns
    -------
    ParsedDownload
        Nothing is validated here: the gate (:func:`xlsrc.data.validate.check_bars`)
        decides what may be stored.
    """
    wanted = {t.upper(): t for t in tickers}
    errors = {}
    if frame is not None:
        errors = {str(k).upper(): str(v) for k, v in frame.attrs.get("errors", {}).items()}
    parsed = ParsedDownload(_empty_bars())

    def fail(sym: str) -> str:
        reason = errors.get(sym)
        if reason:
            return f"no data from Yahoo: {reason}"
        return (
            "no data from Yahoo (possibly delisted or renamed; "
            "often a network problem or rate limit: try again later)"
        )

    if frame is None or frame.shape[0] == 0 or frame.shape[1] == 0:
        parsed.failures = {t: fail(t.upper()) for t in tickers}
        return parsed
    try:
        parts = _split_by_ticker(frame, list(tickers))
    except ValueError as exc:
        parsed.failures = {t: f"unreadable Yahoo response: {exc}" for t in tickers}
        return parsed
    pieces = []
    parts_upper = {str(k).upper(): v for k, v in parts.items()}
    for sym, original in wanted.items():
        sub = parts_upper.get(sym)
        if sub is None:
            parsed.failures[original] = fail(sym)
            continue
        missing = [c for c in _OHLCV if c not in sub.columns]
        if missing:
            parsed.failures[original] = f"Yahoo response lacks {', '.join(missing)}"
            continue
        try:
            name = normalise_ticker(original)
        except Exception as exc:  # an unspellable symbol: report, never store
            parsed.failures[original] = str(exc)
            continue
        raw_close = _numbers(sub, "Close")
        if "Adj Close" in sub.columns:
            close = _numbers(sub, "Adj Close")
            with np.errstate(divide="ignore", invalid="ignore"):
                factor = close / raw_close
            split_close = raw_close
        else:
            close, factor, split_close = raw_close, np.ones(len(sub)), np.full(len(sub), np.nan)
        sent = np.zeros(len(sub), dtype=bool)
        for column in _DATA_FIELDS:
            sent |= ~np.isnan(_numbers(sub, column))
        priced = sent & ~np.isnan(close) & (close != 0)
        dates = session_dates(sub.index)
        unpriced = sorted(set(dates[sent & ~priced]) - set(dates[priced]))
        if unpriced:
            parsed.no_price[name] = [pd.Timestamp(d) for d in unpriced]
        ratios = _numbers(sub, "Stock Splits")
        split_rows = sent & ~np.isnan(ratios) & (ratios != 0)
        if split_rows.any():
            parsed.splits[name] = {
                pd.Timestamp(d): float(r)
                for d, r in zip(dates[split_rows], ratios[split_rows], strict=True)
            }
        if not priced.any():
            if unpriced:
                parsed.failures[original] = (
                    f"Yahoo sent {len(unpriced)} day(s) without a price and none with one"
                )
            else:
                parsed.failures[original] = fail(sym)
            continue
        part = pd.DataFrame(
            {
                "ticker": name,
                "date": dates[priced],
                "open": _numbers(sub, "Open")[priced] * factor[priced],
                "high": _numbers(sub, "High")[priced] * factor[priced],
                "low": _numbers(sub, "Low")[priced] * factor[priced],
                "close": close[priced],
                "volume": _numbers(sub, "Volume")[priced],
                "split_close": split_close[priced],
            }
        )
        pieces.append(part.sort_values("date", kind="stable"))
    if pieces:
        bars = pd.concat(pieces, ignore_index=True).sort_values(["ticker", "date"], kind="stable")
        parsed.bars = bars[list(LONG_COLUMNS)].reset_index(drop=True)
    return parsed


def describe_error(error: BaseException) -> str:
    """One line naming an exception for a failure report (no traceback)."""
    text = str(error).strip() or type(error).__name__
    if is_rate_limit(error):
        return "rate limited by Yahoo (YFRateLimitError)"
    return f"{type(error).__name__}: {text}" if type(error).__name__ not in text else text
