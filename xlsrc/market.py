"""The market as formulas see it: the store loaded once per process, memoised per as-of date.

:func:`get_market` returns one :class:`Market` per store location per process. A Market
asks its store for its identity (at most once a second, one tiny read) and reloads only
what a write changed: the price matrices when ``bars_version`` moved (a refresh or an
import), only securities and universes when ``data_version`` alone moved (a universe
set). So a thousand formulas cost one load, and an Excel session notices a refresh made
by another process. Fields other than the close (volume) are read on first use.

The Market *serves* the metrics of the registry (:mod:`xlsrc.core.metrics`):
:meth:`Market.values` gives any metric, at any window, for many tickers at once with a
reason for every gap, and :meth:`Market.value` one ticker's value or the reason raised
(both from its base class :class:`xlsrc.serving.MetricServer`; this module holds the
loading, the lookups, the per-day memos and the dispatch on the registry).
The formulas, the dashboard builder and the command line ask it; none of them runs a
core function on a price matrix itself. Every value follows the real-bar rules: a ticker
that has not traded in the last ``STALE_SESSIONS`` sessions has none (``No trade since
<date>``), and history minimums count real bars, not the forward-filled rows.

Size: about 1,200 lines, 940 of them the one class :class:`Market` (a third of it
docstrings). Its loading, lookups, RS rankings and metric memos share one state: every
per-day memo (seven LRU maps) is made anew by ``_load_metadata`` at every (re)load
and read under one lock, so that a reload clears them all at once. Splitting the class
into mixins in other modules would spread that invariant over files that each use
attributes declared elsewhere (re-declared for the type checker, as
:class:`xlsrc.serving.MetricServer` must); the generic serving half already lives there,
and the per-process cache (:func:`get_market`, 30 lines) is what adapters import from here.
"""

from __future__ import annotations

import os
import threading
import time
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from .core import history, rs
from .core.history import asof_position
from .core.metrics import METRIC_NAMES, METRICS, SHORT_SORT_KEYS, SORT_KEYS, Metric, valid
from .core.metrics import metric as lookup_metric  # re-exported: adapters skip the core
from .data import load_field, load_matrices, open_store
from .data.backends.base import ReadStore
from .data.calendar import Calendar
from .data.matrices import Matrices
from .data.store import default_location
from .data.universes import NAMED_UNIVERSES, STOCKS, normalise_ticker
from .errors import (
    InsufficientHistoryError,
    InvalidParameterError,
    NoDataError,
    StoreError,
    UnknownTickerError,
    UnknownUniverseError,
    XlsrcError,
)
from .periods import RS_WINDOWS
from .serving import (
    BASES,
    DEFAULT_BASIS,
    PRICE,
    TOTAL,
    MetricServer,
    Values,
    check_basis,
    read_date,
    universe_label,
    unknown_ticker,
)

__all__ = [
    "BASES",
    "CACHED_DAYS",
    "CHECK_INTERVAL",
    "DEFAULT_BASIS",
    "FULL_METRICS_AFTER",
    "INDEX_UNIVERSES",
    "METRICS",
    "METRIC_NAMES",
    "SHORT_SORT_KEYS",
    "SORT_KEYS",
    "SP1500",
    "Market",
    "Metric",
    "Values",
    "check_basis",
    "get_market",
    "lookup_metric",
]

#: Seconds between two checks of the store's data_version.
CHECK_INTERVAL = 1.0

#: Trading days whose metrics (and RS scores) a Market keeps; the least recently used
#: day is dropped first. One day's metrics table is ~2 MB for 12,000 tickers.
CACHED_DAYS = 8

#: Single values :meth:`Market.values` computes on the wanted tickers' columns alone for a
#: day whose metric is not memoised yet; after that many values asked for a day, a metric
#: not memoised is computed for every ticker at once (and memoised).
FULL_METRICS_AFTER = 32

#: Tickers whose extra field (volume) :meth:`Market.field` reads alone from the store,
#: before it reads the whole field: a command or a watchlist that shows the relative
#: volume of a few tickers never holds the whole volume matrix.
FEW_TICKERS = 32

_DAY_NS = 86_400 * 10**9  # nanoseconds in a day

#: The S&P 1500: the union of these stored universes (``Market.universe("sp1500")``).
SP1500: tuple[str, ...] = ("sp500", "sp400", "sp600")
SP1500_NAME = "sp1500"

#: Index ETFs and indices -> (the universe of their index's members, the index's name): a
#: universe argument naming one (``RS_RATING("AAPL", "SPY")``) is refused with this hint.
INDEX_UNIVERSES: dict[str, tuple[str, str]] = {
    "SPY": ("sp500", "S&P 500"),
    "IVV": ("sp500", "S&P 500"),
    "VOO": ("sp500", "S&P 500"),
    "^GSPC": ("sp500", "S&P 500"),
    "IJH": ("sp400", "S&P MidCap 400"),
    "MDY": ("sp400", "S&P MidCap 400"),
    "IJR": ("sp600", "S&P SmallCap 600"),
    "IWM": ("r2000", "Russell 2000"),
}


class _DayTable:
    """One trading day's memoised metrics: full columns (every ticker), made when first needed.

    ``columns`` maps a metric name of the table to its values for every column of ``close``
    (numpy arrays, so a formula's value is one array index away); ``frame`` is the whole
    table as :meth:`Market.metrics` returns it, once every column has been made.
    """

    __slots__ = ("columns", "frame")

    def __init__(self) -> None:
        self.columns: dict[str, np.ndarray] = {}
        self.frame: pd.DataFrame | None = None


class _LRU:
    """A small least-recently-used mapping (not thread-safe: the Market's lock guards it)."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._data: OrderedDict[Hashable, Any] = OrderedDict()

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._data

    def keys(self) -> list[Hashable]:
        """Return the keys, least recently used first."""
        return list(self._data)

    def get(self, key: Hashable, default: Any = None) -> Any:
        """Return the value of ``key`` (marking it as just used) or ``default``."""
        if key not in self._data:
            return default
        self._data.move_to_end(key)
        return self._data[key]

    def put(self, key: Hashable, value: Any) -> Any:
        """Store ``value`` under ``key``, dropping the least recently used beyond maxsize."""
        self._data[key] = value
        self._data.move_to_end(key)
        while len(self._data) > self.maxsize:
            self._data.popitem(last=False)
        return value

    def get_or_make(self, key: Hashable, make: Callable[[], Any]) -> Any:
        """Return the value of ``key``, computing and storing it with ``make()`` if absent."""
        if key in self._data:
            return self.get(key)
        return self.put(key, make())


class _PriceBasis:
    """Split-only-adjusted closes of a load (basis ``"price"``), built on first use.

    Attributes
    ----------
    close : pd.DataFrame
        ``split_close`` on real bars, forward-filled like ``close`` (NaN before a ticker's
        first real bar with one).
    missing : np.ndarray
        bool, dates x tickers: a real bar without a split-adjusted close.
    present : bool
        The store holds at least one split-adjusted close.
    """

    def __init__(self, close: pd.DataFrame, missing: np.ndarray, present: bool) -> None:
        self.close = close
        self.missing = missing
        self.present = present


_MARKETS: dict[str, Market] = {}
_LOCK = threading.Lock()


class Market(MetricServer):
    """Price matrices, securities and universes of one store, with memoised metrics.

    Parameters
    ----------
    store : Store
        The store to read (the bundled snapshot under what the user added).

    Attributes
    ----------
    close, volume : pd.DataFrame
        Matrices per ARCHITECTURE.md (close forward-filled after each first bar).
    last_bar : pd.Series
        Ticker -> date of its last real bar.
    securities : pd.DataFrame
        Indexed by ticker: name, sector, industry, type ("stock", "etf", "index", or "other" for warrants, rights, units, preferreds, notes, funds and the unclassified).
    universes : dict of str to tuple of str
        Stored universes (membership lists are not point-in-time).
    """

    def __init__(self, store: ReadStore, *, calendar: Calendar | None = None) -> None:
        self.store = store
        self._calendar = calendar
        self._lock = threading.RLock()
        self._checked = 0.0
        self._unreachable: StoreError | None = None  # the last failed check, until one works
        self._load()

    def __repr__(self) -> str:
        return f"Market({self.store.location!r}, bars_version={self.identity[2]})"

    # ------------------------------------------------------------------ loading
    def _load(self) -> None:
        """Load the price matrices and the metadata (a new or changed store)."""
        m: Matrices = load_matrices(self.store, calendar=self._calendar)
        if m.latest is None:
            from .errors import NoDataError

            raise NoDataError(
                f"The store {self.store.location} holds no bars", ticker=None, date=None
            )
        self._matrices = m
        self.close = m.close
        self.last_bar = m.last_bar
        self._has_bar = m.has_bar
        # the sessions as int nanoseconds: a date's row is one bisect, no pandas call
        self._sessions_ns: list[int] = m.close.index.as_unit("ns").asi8.tolist()
        self._days: dict[int, pd.Timestamp] = {}  # row -> its session, as made once
        self._fields: dict[str, pd.DataFrame] = {}  # whole fields (volume) once read
        self._few: dict[str, pd.DataFrame] = {}  # a field's columns of a few tickers
        self._price: _PriceBasis | None = None
        self._load_metadata(m.identity)

    def _load_metadata(self, identity: tuple[str, int, int]) -> None:
        """Load securities, universes and their sources; clear every memo."""
        self.identity = identity
        self.data_version = identity[1]
        sec = self.store.securities().reindex(self.close.columns)
        self.securities = sec
        self.universes = self.store.universes()
        self.__dict__.pop("_universe_sources", None)  # read with the provenance, if asked
        # Per trading day, least recently used dropped first (an Excel session lives long).
        self._metrics = _LRU(CACHED_DAYS)  # day -> _DayTable (columns made when needed)
        self._scores = _LRU(CACHED_DAYS)  # day -> Series
        self._ratings = _LRU(4 * CACHED_DAYS)  # (day, universe key) -> (Series, refusal)
        # (day, metric) -> values computed on their own columns (FULL_METRICS_AFTER)
        self._requests = _LRU(CACHED_DAYS * len(METRIC_NAMES))
        # (day, year asked, metric) -> {column: value} computed for a few tickers alone
        self._singles = _LRU(CACHED_DAYS * len(METRIC_NAMES))
        self._bars = _LRU(CACHED_DAYS)  # day -> BarCounts of every ticker
        self._covered = _LRU(CACHED_DAYS)  # day -> split-adjusted closes over the RS windows
        self._lines = _LRU(4 * CACHED_DAYS)  # (day, metric, benchmark) -> (every ticker, reason)
        self.__dict__.pop("provenance", None)
        self.__dict__.pop("_stocks", None)
        self.__dict__.pop("_sp1500", None)
        self._checked = time.monotonic()

    @property
    def volume(self) -> pd.DataFrame:
        """Daily volume (sessions x tickers, ``float32``, NaN where unknown), read on first use."""
        return self.field("volume")

    def field(self, name: str, tickers: Iterable[str] | None = None) -> pd.DataFrame:
        """Return another bar field on the close matrix's labels, read from the store on first use.

        Parameters
        ----------
        name : str
            ``"volume"`` or ``"split_close"`` (the close adjusted for splits only).
        tickers : iterable of str, optional
            Only these columns (tickers of ``close``), in this order. While the whole
            field has not been read and at most :data:`FEW_TICKERS` tickers have been
            asked for, only their bars are read from the store (kept for the next call);
            otherwise the whole field is read once.

        Returns
        -------
        pd.DataFrame
            Sessions x tickers (every ticker, or ``tickers``), never forward-filled;
            ``volume`` as ``float32``, other fields ``float64``. The same numbers whether
            read whole or for a few tickers.

        Raises
        ------
        StoreError
            If the store's bars changed since the matrices were loaded (the next check
            reloads them).
        """
        dtype = np.float32 if name == "volume" else np.float64
        frame = self._fields.get(name)
        if frame is None and tickers is not None:
            wanted = list(dict.fromkeys(tickers))
            with self._lock:
                few = self._few.get(name)
                have = set() if few is None else set(few.columns)
                missing = [t for t in wanted if t not in have]
                if missing and len(have) + len(missing) <= FEW_TICKERS:
                    read = load_field(self.store, name, self._matrices, dtype, tickers=missing)
                    few = read if few is None else pd.concat([few, read], axis=1)
                    self._few[name] = few
                    missing = []
                if not missing:
                    assert few is not None
                    return few[list(tickers)]
        if frame is None:
            with self._lock:
                frame = self._fields.get(name)
                if frame is None:
                    frame = load_field(self.store, name, self._matrices, dtype)
                    self._fields[name] = frame
                    self._few.pop(name, None)
        return frame if tickers is None else frame[list(tickers)]

    def exact_field(self, name: str, ticker: str) -> pd.Series:
        """One ticker's bar field as the store holds it (``float64``), on the sessions.

        :meth:`field` keeps volume as ``float32`` (4 bytes a cell: a ratio of volumes
        loses nothing that matters), which rounds a shown volume to 24 bits (SPY's
        111,623,300 on 2026-01-20 becomes 111,623,296); a volume *shown* as a number
        (``PRICE_HISTORY``, :func:`xlsrc.history`) is read here instead. Read from the
        store each time (one ticker's bars: milliseconds).

        Raises
        ------
        StoreError
            If the store's bars changed since the matrices were loaded.
        """
        read = load_field(self.store, name, self._matrices, np.float64, tickers=[ticker])
        return read[ticker]

    def refresh_if_changed(self, force: bool = False) -> bool:
        """Reload what a write changed (checked at most once per second).

        Parameters
        ----------
        force : bool
            Check now, ignoring the rate limit.

        Returns
        -------
        bool
            True if anything was reloaded: the matrices when ``bars_version`` changed,
            only securities and universes when ``data_version`` alone changed.

        Raises
        ------
        StoreError
            If the store cannot be asked (a shared store's server unreachable). Until a
            later check works, every call raises it again without asking, so all formulas
            say ``#N/A`` alike instead of some showing what was loaded before.
        """
        now = time.monotonic()
        if not force and now - self._checked < CHECK_INTERVAL:
            if self._unreachable is not None:  # every call fails alike until a check works
                raise StoreError(str(self._unreachable))
            return False
        with self._lock:
            self._checked = now
            try:
                identity = self.store.identity()
            except StoreError as exc:  # a shared store's server went away
                self._unreachable = exc
                raise
            self._unreachable = None
            if identity == self.identity:
                return False
            if identity[0] != self.identity[0] or identity[2] != self.identity[2]:
                self._load()
            else:
                self._load_metadata(identity)
            return True

    # ------------------------------------------------------------------ lookups
    def ticker(self, text: object) -> str:
        """Normalise a ticker and check that the store holds it.

        Raises
        ------
        UnknownTickerError
            If the store has no bars for it.
        NoDataError
            If its bars all lie before the market's first session or after its latest
            (stored, not used: :mod:`xlsrc.data.matrices`).
        InvalidParameterError
            If ``text`` is not a ticker at all.
        """
        ticker = normalise_ticker(text)
        if ticker not in self.close.columns:
            m = self._matrices
            if ticker in m.before.index:
                raise NoDataError(
                    f"{ticker} has bars only before {self.close.index[0]:%Y-%m-%d}, the "
                    "market's first session (the benchmark's first bar): stored, not used",
                    ticker=ticker,
                    date=None,
                )
            if ticker in m.ahead.index:
                raise NoDataError(
                    f"{ticker} has bars only after {self.close.index[-1]:%Y-%m-%d}, the "
                    "market's latest session (the benchmark's last bar): stored, not used "
                    "until the benchmark has those days too",
                    ticker=ticker,
                    date=None,
                )
            # a non-US listing says why it is not stored, a universe's name that it is one
            raise unknown_ticker(ticker, self._universe_names())
        return ticker

    @cached_property
    def _stocks(self) -> pd.Index:
        kind = self.securities["type"]
        return pd.Index(kind.index[kind.to_numpy() == "stock"], name="ticker")

    def universe(self, name_or_list: str | Iterable[str]) -> pd.Index:
        """Return the tickers of a universe.

        Parameters
        ----------
        name_or_list : str or iterable of str
            A universe *name* (any case): ``"stocks"`` (every stock in the store), a stored
            universe (``sp500``, ``sp400``, ``sp600``, ``r2000``, ``sectors`` or one the
            analyst set), or ``"sp1500"`` (:data:`SP1500`: sp500 + sp400 + sp600,
            duplicates dropped); or an explicit *list* of at least two tickers: text with
            commas (``"ICHR,UCTT"``) or an iterable (each checked). One text without a
            comma is always a name: a ticker there (``"QQQ"``) is refused, never read as
            a universe of one (every rating in it would be 1 or 99).

        Returns
        -------
        pd.Index
            Tickers present in the store.

        Raises
        ------
        UnknownUniverseError
            For a name that is no universe; a ticker's name says so, and for an index
            ETF or index (:data:`INDEX_UNIVERSES`: SPY, IWM...) names the universe it
            tracks.
        UnknownTickerError
            For a ticker of a list the store does not hold.
        InvalidParameterError
            For a list of fewer than two tickers, or a text that is no ticker.
        """
        if isinstance(name_or_list, str):
            key = name_or_list.strip().lower()
            if key == STOCKS:
                return self._stocks
            if key in self.universes:
                members = [t for t in self.universes[key] if t in self.close.columns]
                return pd.Index(members, name="ticker")
            if key == SP1500_NAME and all(part in self.universes for part in SP1500):
                return self._sp1500
            if "," not in name_or_list:
                raise self._unknown_universe(name_or_list)
            name_or_list = [t for t in name_or_list.split(",") if t.strip()]
        tickers = list(dict.fromkeys(self.ticker(t) for t in name_or_list))
        if len(tickers) < 2:
            raise InvalidParameterError(
                f"Invalid universe: {', '.join(tickers) or 'no ticker'} is "
                f"{'one ticker' if tickers else 'empty'}; a ranking needs a universe name "
                f"({self._known_universes()}) or a list of at least two tickers",
                name="universe",
                value=tickers,
            )
        return pd.Index(tickers, name="ticker")

    def _known_universes(self) -> str:
        """Return the universe names the store answers to: ``stocks, sp1500, sp500...``."""
        names = [STOCKS]
        if all(part in self.universes for part in SP1500):
            names.append(SP1500_NAME)
        stored = [n for n in NAMED_UNIVERSES if n in self.universes]
        names += stored + sorted(n for n in self.universes if n not in stored)
        return ", ".join(names)

    def _unknown_universe(self, name: str) -> UnknownUniverseError:
        """Return the error for a universe name the store lacks: what it is, what exists."""
        known = self._known_universes()
        hint = ""
        ticker = normalise_ticker_or_none(name)
        if ticker is not None and ticker in self.close.columns:
            tracked = INDEX_UNIVERSES.get(ticker)
            what = {"etf": "an ETF", "index": "an index"}.get(
                str(self.securities["type"].get(ticker, "")), "a ticker"
            )
            if tracked is not None and tracked[0] in self.universes:
                tracks = "is the index" if what == "an index" else f"is {what} tracking the"
                hint = (
                    f"{ticker} {tracks} {tracked[1]}: for its members use the universe "
                    f"{tracked[0]}; "
                )
            else:
                hint = f"{ticker} is {what}, not a universe; "
            other = "QQQ" if ticker == "SPY" else "SPY"
            hint += f'a list of tickers needs a comma or a range, e.g. "{ticker},{other}"; '
        return UnknownUniverseError(
            f"Unknown universe: {name.strip()} ({hint}known: {known})",
            name=name,
            known=known,
        )

    @cached_property
    def _sp1500(self) -> pd.Index:
        parts = [self.universe(part) for part in SP1500]
        return pd.Index(list(dict.fromkeys(t for part in parts for t in part)), name="ticker")

    def as_of(self, date: object = None) -> pd.Timestamp:
        """Return the date asked for (as a midnight Timestamp) or the store's last date.

        This is the typed date, not resolved to a trading day: use :meth:`trading_day`
        for the day the data are as of.

        Raises
        ------
        InvalidParameterError
            If ``date`` is not a date.
        """
        if date is None or (isinstance(date, str) and not date.strip()):
            return pd.Timestamp(self.close.index[-1])
        return read_date(date)

    def trading_day(self, date: object = None) -> pd.Timestamp:
        """Return the trading day used for ``date``: the last store date on or before it.

        Parameters
        ----------
        date : date-like or None
            The requested date; ``None`` or blank text = the last date in the store.

        Returns
        -------
        pd.Timestamp
            A date of the store's calendar (``2026-01-23`` for Saturday ``2026-01-24``;
            the last stored day for a date after it).

        Raises
        ------
        InvalidParameterError
            If ``date`` is not a date.
        NoDataError
            If ``date`` is before the first date in the store.
        """
        return self._day(self._row(date)[0])

    def _row(self, date: object) -> tuple[int, pd.Timestamp]:
        """Return the row of ``date``'s trading day in ``close`` and the date asked for.

        The one resolution of a date (:meth:`trading_day` and :meth:`values` use it): the
        date asked for as a midnight Timestamp (:meth:`as_of`; the last session for
        ``None``) and the row of the last session on or before it, found by bisecting the
        sessions' nanoseconds.

        Raises
        ------
        InvalidParameterError
            If ``date`` is not a date.
        NoDataError
            If ``date`` is before the first date in the store.
        """
        if date is None or (isinstance(date, str) and not date.strip()):
            pos = len(self._sessions_ns) - 1
            return pos, self._day(pos)
        try:
            if isinstance(date, pd.Timestamp) and date.tzinfo is None and date.value % _DAY_NS == 0:
                asked = date  # already what read_date makes of it
            else:
                asked = read_date(date)
        except (OverflowError, ValueError) as exc:
            if isinstance(exc, InvalidParameterError):
                raise
            asked = read_date(date)  # beyond nanoseconds (year 9999): read in seconds
        try:
            key = asked.value
        except (OverflowError, ValueError):  # beyond nanoseconds (year 9999): as pandas does
            return asof_position(self.close.index, asked), asked
        pos = bisect_right(self._sessions_ns, key) - 1
        if pos < 0:
            asof_position(self.close.index, asked)  # raises "No price on or before <date>"
        return pos, asked

    def _day(self, pos: int) -> pd.Timestamp:
        """Return the session of row ``pos`` (one Timestamp per row, made once)."""
        day = self._days.get(pos)
        if day is None:
            day = self._days[pos] = pd.Timestamp(self.close.index[pos])
        return day

    # ------------------------------------------------------------------ provenance
    @cached_property
    def _universe_sources(self) -> dict[str, str]:
        """Universe name -> where its list came from (read when the provenance is asked)."""
        return self.store.universe_sources()

    @cached_property
    def provenance(self) -> pd.DataFrame:
        """One row per source and per universe: source, detail, tickers, first, last, fetched_at.

        The source rows come from :meth:`Store.source_summary` (a summary table the store
        keeps in step with its bars, so this costs milliseconds, not a scan of the bars).
        """
        rows: list[dict[str, Any]] = self.store.source_summary().to_dict("records")
        for name, members in sorted(self.universes.items()):
            rows.append(
                {
                    "source": f"universe {name}",
                    "detail": self._universe_sources.get(name) or "",
                    "tickers": len(members),
                    "first": None,
                    "last": None,
                    "fetched_at": "",
                }
            )
        frame = pd.DataFrame(
            rows, columns=["source", "detail", "tickers", "first", "last", "fetched_at"]
        )
        frame["first"] = pd.to_datetime(frame["first"])
        frame["last"] = pd.to_datetime(frame["last"])
        return frame

    # ------------------------------------------------------------------ real bars
    @property
    def has_bar(self) -> np.ndarray:
        """bool, dates x tickers (the shape of ``close``): True where a ticker really traded.

        ``close`` is forward-filled after each first bar; this mask tells a trade from a
        carried price. History minimums count its True cells (real bars), and a ticker
        without one in the last ``STALE_SESSIONS`` sessions has no current value.
        """
        mask = self._has_bar
        if mask is None:  # matrices without the mask: every row after the first bar is real
            mask = self._has_bar = ~np.isnan(self.close.to_numpy(dtype=float))
        return mask

    def _position(self, day: pd.Timestamp) -> int:
        """Row of the trading day ``day`` in ``close``."""
        try:
            return bisect_right(self._sessions_ns, day.value) - 1
        except (AttributeError, OverflowError, ValueError):  # not a Timestamp, or no ns
            return int(self.close.index.searchsorted(day, side="right")) - 1

    def _counts(self, day: pd.Timestamp, cols: np.ndarray | None = None) -> history.BarCounts:
        """Real-bar counts at ``day``: every ticker (memoised per day) or the columns ``cols``."""
        with self._lock:
            counts = self._bars.get(day)
            if counts is None and cols is None:
                counts = self._bars.put(day, history.bar_counts(self.has_bar, self._position(day)))
        if counts is None:
            return history.bar_counts(self.has_bar, self._position(day), cols)
        return counts if cols is None else counts.take(cols)

    def _last_bar_on(self, day: pd.Timestamp, tickers: pd.Index | None = None) -> pd.Series:
        """Ticker -> date of its last real bar on or before ``day`` (NaT if none).

        For every ticker, or only for ``tickers`` (columns of ``close``).
        """
        index = self.close.index
        if day >= index[-1]:
            last = self.last_bar if tickers is None else self.last_bar.reindex(tickers)
            return last.where(last <= day, pd.NaT)
        pos = self._position(day)
        mask = self.has_bar
        columns = self.close.columns
        if tickers is not None:
            mask = mask[:, columns.get_indexer(tickers)]
            columns = tickers
        rows = history.last_bar_rows(mask, pos)
        dates = np.where(rows >= 0, index.to_numpy()[np.maximum(rows, 0)], np.datetime64("NaT"))
        return pd.Series(dates, index=columns, name="last_bar")

    # ------------------------------------------------------------------ analytics
    def rs_scores(self, as_of: object = None, basis: str = DEFAULT_BASIS) -> pd.Series:
        """RS score of every ticker as of a date (memoised for the last few trading days).

        NaN for a ticker with fewer than ``RS_MIN_DAYS + 1`` real bars or without a trade
        in the last ``STALE_SESSIONS`` sessions: such a ticker gets no RS rating and is no
        member of any ranking. ``basis="price"`` scores price change on split-only-adjusted
        closes (:meth:`price_closes`); a ticker without them on every bar its score reads
        is NaN too (:mod:`xlsrc.serving`, "Basis of the RS metrics").

        Raises
        ------
        InvalidParameterError
            For a bad ``basis``.
        NoDataError
            For basis ``"price"`` on a store without any split-adjusted close.
        """
        day = self.trading_day(as_of)
        if check_basis(basis) == PRICE:
            return self._price_scores(day)
        return self._universe_wide(lookup_metric("rs_score"), day)

    def _universe_wide(self, entry: Metric, day: pd.Timestamp) -> pd.Series:
        """Return a ``universe`` entry for every ticker at ``day`` (memoised), real-bar rules applied."""

        def make() -> pd.Series:
            assert entry.compute is not None
            raw = entry.compute(self.close, entry.window, day)
            return raw.where(valid(entry, self._counts(day)))

        with self._lock:
            return self._scores.get_or_make((day, entry.name), make)

    def rs_ratings(
        self,
        as_of: object = None,
        universe: str | Iterable[str] = STOCKS,
        basis: str = DEFAULT_BASIS,
    ) -> pd.Series:
        """RS rating (whole numbers 1..99) of every ticker against a universe (memoised).

        Only the universe's members with an RS score form the ranking (ETFs and indices are
        rated against ``stocks`` without joining it). A ticker without a score (too few
        real bars, or stale) gets no rating and does not count as a member. The mapping,
        rounding and tie rule are :func:`xlsrc.core.rs.rs_rating`'s. ``basis="price"``
        ranks the price-basis scores (:meth:`rs_scores`) and is refused when a member that
        has a total-return score lacks split-adjusted closes: ranking the rest would rate
        against another universe than the one named. All NaN when fewer than
        :data:`~xlsrc.serving.MIN_MEMBERS` members have a score (a percentile among one
        is 1, 50 or 99 for any ticker): :meth:`rank_refusal` says why, and
        :meth:`values` gives that as each ticker's reason.

        Raises
        ------
        InvalidParameterError
            For a bad ``basis``.
        UnknownUniverseError
            For an unknown universe.
        NoDataError
            For basis ``"price"``: no split-adjusted close in the store, or members of the
            universe without them (the message counts them and names a few).
        """
        day = self.trading_day(as_of)
        basis = check_basis(basis)
        return self._ranking(day, universe, basis)[0]

    def rank_refusal(
        self,
        as_of: object = None,
        universe: str | Iterable[str] = STOCKS,
        basis: str = DEFAULT_BASIS,
    ) -> InsufficientHistoryError | None:
        """Why :meth:`rs_ratings` against ``universe`` is all NaN on a day, or None.

        A ranking needs at least :data:`~xlsrc.serving.MIN_MEMBERS` members with an RS
        score: a percentile among one member is 1, 50 or 99 for any ticker. The error
        says how many members are rated and why the others are not (not in the store, no
        trade since..., too little history). :meth:`values` gives it as the reason of
        every ticker that would otherwise have a rating.

        Raises
        ------
        As :meth:`rs_ratings`.
        """
        return self._ranking(self.trading_day(as_of), universe, check_basis(basis))[1]

    def _ranking(
        self, day: pd.Timestamp, universe: str | Iterable[str], basis: str
    ) -> tuple[pd.Series, InsufficientHistoryError | None]:
        """Return the ratings against ``universe`` at ``day`` and the refusal (memoised)."""
        key_u: tuple[str, ...] | str = (
            universe.strip().lower() if isinstance(universe, str) else tuple(universe)
        )
        key = (day, key_u, PRICE) if basis == PRICE else (day, key_u)
        with self._lock:
            return self._ratings.get_or_make(key, lambda: self._rank(day, universe, basis))

    def _rank(
        self, day: pd.Timestamp, universe: str | Iterable[str], basis: str
    ) -> tuple[pd.Series, InsufficientHistoryError | None]:
        """Rank the members with an RS score, or refuse fewer than two (all NaN)."""
        members = self.universe(universe)
        scores = self.rs_scores(day)
        rated = members[~np.isnan(scores.reindex(members).to_numpy(dtype=float))]
        refused = self._too_few_members(
            universe,
            rated,
            lookup_metric("rs_rating"),
            day,
            f"RS rating against {universe_label(universe)}",
            "rated",
        )
        if refused is not None:
            return pd.Series(np.nan, index=scores.index, name="rs_rating"), refused
        if basis == PRICE:
            return self._price_ratings(day, universe), None
        return rs.rs_rating(scores, members), None

    # ------------------------------------------------------------------ price basis
    def price_closes(self) -> pd.DataFrame:
        """Return the closes adjusted for splits only (basis ``"price"``), shaped like :attr:`close`.

        The store's ``split_close`` on each real bar, forward-filled over the sessions a
        ticker did not trade, NaN before its first real bar with one. Built on first use
        (then kept until the store's bars change).

        Raises
        ------
        NoDataError
            If the store holds no split-adjusted close at all (the bundled snapshot has
            dividend-adjusted closes only).
        """
        basis = self._price_basis()
        if not basis.present:
            raise NoDataError(
                'No split-adjusted closes in the store: basis "price" ranks price change on '
                "closes adjusted for splits only, and this store has none (the bundled "
                "snapshot holds dividend-adjusted closes only; a Yahoo refresh stores both)",
                ticker=None,
                date=None,
            )
        return basis.close

    def _price_basis(self) -> _PriceBasis:
        with self._lock:
            if self._price is None:
                raw = load_field(self.store, "split_close", self._matrices, np.float64)
                values = raw.to_numpy(dtype=float, copy=True)
                del raw
                if not np.isfinite(values).any():  # the bundled snapshot: nothing to build
                    self._price = _PriceBasis(self.close.iloc[:0], np.zeros((0, 0), bool), False)
                    return self._price
                real = self.has_bar
                missing = real & np.isnan(values)
                np.copyto(values, np.nan, where=~real)
                on_bars = pd.DataFrame(values, index=self.close.index, columns=self.close.columns)
                self._price = _PriceBasis(on_bars.ffill(), missing, True)
            return self._price

    def _price_covered(self, day: pd.Timestamp) -> np.ndarray:
        """Where a ticker has a split-adjusted close on every real bar its RS score reads.

        The score at row ``p`` reads the closes at ``p`` and ``p - w`` (``w`` in
        ``RS_WINDOWS``), each the close of the last real bar on or before that row; so
        every real bar from the last one on or before ``p - 252`` (or the first bar) to
        ``p`` needs one. bool per column of :attr:`close`.
        """

        def make() -> np.ndarray:
            basis = self._price_basis()
            pos = self._position(day)
            start = history.last_bar_rows(self.has_bar, max(pos - RS_WINDOWS[-1], 0))
            last_missing = history.last_bar_rows(basis.missing, pos)
            return np.asarray(last_missing < np.maximum(start, 0), dtype=bool)

        with self._lock:
            return self._covered.get_or_make(day, make)

    def _price_scores(self, day: pd.Timestamp) -> pd.Series:
        entry = lookup_metric("rs_score")

        def make() -> pd.Series:
            raw = rs.rs_score(self.price_closes(), day)
            return raw.where(valid(entry, self._counts(day)) & self._price_covered(day))

        with self._lock:
            return self._scores.get_or_make((day, entry.name, PRICE), make)

    def _price_ratings(self, day: pd.Timestamp, universe: str | Iterable[str]) -> pd.Series:
        scores = self._price_scores(day)
        members = self.universe(universe)
        total = self.rs_scores(day).reindex(members).to_numpy()
        price = scores.reindex(members).to_numpy()
        lacking = members[~np.isnan(total) & np.isnan(price)]
        if len(lacking):
            rated = int(np.count_nonzero(~np.isnan(total)))
            label = universe.strip() if isinstance(universe, str) else "the tickers given"
            shown = ", ".join(map(str, lacking[:3])) + (", ..." if len(lacking) > 3 else "")
            raise NoDataError(
                f"Split-adjusted closes missing for {len(lacking):,} of {rated:,} rated "
                f'members of {label} as of {day:%Y-%m-%d} ({shown}): basis "price" ranks '
                'against the whole universe (refresh them, or use basis "total")',
                ticker=None,
                date=f"{day:%Y-%m-%d}",
            )
        return rs.rs_rating(scores, members)

    def _price_gap(self, ticker: str, col: int, day: pd.Timestamp) -> XlsrcError:
        """Why ``ticker`` (column ``col``) has no price-basis value on ``day``: its gaps."""
        basis = self._price_basis()
        pos = self._position(day)
        start = int(history.last_bar_rows(self.has_bar[:, [col]], max(pos - RS_WINDOWS[-1], 0))[0])
        if start < 0:
            start = int(history.first_bar_rows(self.has_bar[:, [col]], pos)[0])
        real = int(np.count_nonzero(self.has_bar[start : pos + 1, col]))
        gaps = int(np.count_nonzero(basis.missing[start : pos + 1, col]))
        first = pd.Timestamp(self.close.index[start])
        return NoDataError(
            f"Split-adjusted closes missing for {ticker} on {gaps} of {real} trading days "
            f'from {first:%Y-%m-%d} to {day:%Y-%m-%d}: basis "price" needs every one '
            f"(xlsrc refresh {ticker} --since {first:%Y-%m-%d} stores them)",
            ticker=ticker,
            date=f"{day:%Y-%m-%d}",
        )

    def metrics(
        self,
        as_of: object = None,
        names: Iterable[str] | None = None,
        tickers: Iterable[str] | None = None,
    ) -> pd.DataFrame:
        """Every metric of the registry's table for every ticker as of a date.

        Memoised for the :data:`CACHED_DAYS` most recently used trading days (keyed by the
        trading day, so a Saturday and its Friday share one table), column by column: a
        column is computed for every ticker the first time it is needed, so a caller that
        asks for a few columns never pays for the others (the relative volume, which reads
        the volume field). A date before the first session of its year (1 January) gets a
        YTD return of 0.0: the figure belongs to the year of the date asked for
        (:func:`xlsrc.core.returns.ytd_return`).

        Columns: :data:`METRIC_NAMES` (close, ret_1d .. ret_1y, ret_ytd, rs_score,
        rs_rating vs ``stocks``, pct_from_sma20/50/200, rsi14, volatility20,
        annual_volatility20, relative_volume50, pct_from_high252, last_bar). Every value is
        NaN for a ticker that has not traded in the last ``STALE_SESSIONS`` sessions or has
        fewer real bars than the metric needs (``last_bar`` excepted: it says when the
        ticker last traded).

        Parameters
        ----------
        as_of : date-like or None
            The date asked for; ``None`` = the last date in the store.
        names : iterable of str, optional
            Only these columns (names of :data:`METRIC_NAMES`), in the table's order;
            default every column.
        tickers : iterable of str, optional
            Only these rows (tickers as ``close`` spells them), in this order. A column the
            day has not memoised is then computed on these tickers' columns alone, as
            :meth:`values` does (until :data:`FULL_METRICS_AFTER` values of it have been
            asked for that day): a command showing a few rows does not compute the market.

        Returns
        -------
        pd.DataFrame
            Indexed by ticker; the same numbers whichever columns and rows are asked for.

        Raises
        ------
        InvalidParameterError
            For a name that is not a column of the table, or a bad date.
        UnknownTickerError
            For a ticker the store does not hold.
        NoDataError
            If ``as_of`` is before the first date in the store.
        """
        pos, asked = self._row(as_of)
        day = self._day(pos)
        wanted = _table_names(names)
        cols: np.ndarray | None = None
        if tickers is None:
            with self._lock:
                table = self._table_of(day, wanted)
                if names is None:
                    if table.frame is None:
                        table.frame = _frame(table.columns, wanted, self.close.columns)
                    frame = table.frame
                else:
                    frame = _frame(table.columns, wanted, self.close.columns)
        else:
            rows = pd.Index([str(t) for t in tickers], name="ticker")
            cols = self.close.columns.get_indexer(rows)
            if (cols < 0).any():
                raise UnknownTickerError(ticker=str(rows[cols < 0][0]))
            frame = _frame(self._table_values(day, wanted, cols), wanted, rows)
        if asked.year != day.year:  # before the first session of the year asked for
            frame = frame.copy()
            for entry in METRICS:
                if entry.anchor == "year" and entry.in_table and entry.name in wanted:
                    frame[entry.name] = self._evaluate([entry], day, asked, cols)[entry.name]
        return frame

    def _table_of(self, day: pd.Timestamp, names: Iterable[str]) -> _DayTable:
        """Return the memo of ``day`` with the columns ``names`` made (the lock is held)."""
        table = self._metrics.get(day)
        if table is None:
            table = self._metrics.put(day, _DayTable())
        missing = [n for n in names if n not in table.columns]
        if missing:
            made = self._compute(day, missing)
            for name in missing:
                column = made[name].to_numpy(copy=True)
                column.flags.writeable = False  # served by index, never written
                table.columns[name] = column
        return table

    def _table_values(
        self, day: pd.Timestamp, names: Iterable[str], cols: np.ndarray
    ) -> dict[str, np.ndarray]:
        """Values of the table columns ``names`` for the columns ``cols`` at ``day``.

        From the day's memo where it has the column; a column it lacks is computed on
        ``cols`` alone until :data:`FULL_METRICS_AFTER` values of it have been asked for
        that day, then for every ticker (and memoised).
        """
        names = list(names)
        with self._lock:
            table = self._metrics.get(day)
            have = {} if table is None else {n: table.columns.get(n) for n in names}
            missing = [n for n in names if have.get(n) is None]
            full = []
            for name in missing:
                served = self._requests.get((day, name), 0) + len(cols)
                self._requests.put((day, name), served)
                if served > FULL_METRICS_AFTER:
                    full.append(name)
            if full:
                table = self._table_of(day, full)
                have.update((n, table.columns[n]) for n in full)
        out = {n: have[n][cols] for n in names if have.get(n) is not None}
        for name in (n for n in names if n not in out):
            entry = next(m for m in METRICS if m.name == name)
            out[name] = self._few_values(entry, day, day, cols)
        return out

    def _few_values(
        self, entry: Metric, day: pd.Timestamp, asked: pd.Timestamp, cols: np.ndarray
    ) -> np.ndarray:
        """Values of a ``column`` entry for the columns ``cols``, memoised per column.

        Keyed by the day, the year asked for (a YTD return's) and the entry (its name
        holds its window), so a second recalculation of the same cells costs a dictionary
        lookup; only the columns not seen yet are computed, on their own columns.
        """
        key = (day, asked.year if entry.anchor == "year" else None, entry.name)
        with self._lock:
            memo = self._singles.get(key)
            if memo is None:
                memo = self._singles.put(key, {})
        fresh = np.array([c for c in dict.fromkeys(cols.tolist()) if c not in memo], dtype=np.int64)
        if fresh.size:
            if entry.in_table and asked == day:  # the table's own computation
                made = self._compute(day, [entry.name], self.close.columns[fresh])[entry.name]
                made = made.to_numpy()
            else:
                made = self._evaluate([entry], day, asked, fresh)[entry.name]
            with self._lock:
                memo.update(zip(fresh.tolist(), made, strict=True))
        dtype = _NS if entry.unit == "date" else np.float64
        return np.array([memo[c] for c in cols.tolist()], dtype=dtype)

    def _compute(
        self, day: pd.Timestamp, names: Iterable[str], tickers: pd.Index | None = None
    ) -> pd.DataFrame:
        """Table metrics ``names`` of ``tickers`` (default: every ticker) at the trading day ``day``."""
        wanted = set(names)
        entries = [m for m in METRICS if m.in_table and m.name in wanted]
        cols = None if tickers is None else self.close.columns.get_indexer(tickers)
        values = self._evaluate(entries, day, day, cols)
        index = self.close.columns if tickers is None else pd.Index(tickers)
        out = pd.DataFrame(values, index=index, columns=[m.name for m in entries])
        out.index.name = "ticker"
        return out

    def _evaluate(
        self,
        entries: Iterable[Metric],
        day: pd.Timestamp,
        as_of: pd.Timestamp,
        cols: np.ndarray | None = None,
        universe: str | Iterable[str] = STOCKS,
    ) -> dict[str, np.ndarray]:
        """Raw values of ``entries`` for the columns ``cols`` (default all), real-bar rules applied.

        The one place the registry's ``serve`` kinds are dispatched: the core function on
        the columns (``column``), the memoised whole-market series (``universe``), the
        ranking (``rank``) or the real-bar mask (``bars``). ``as_of`` is the date asked for
        (its year is the YTD year), ``day`` its trading day.
        """
        counts = self._counts(day, cols)
        out: dict[str, np.ndarray] = {}
        for entry in entries:
            if entry.serve == "column":
                assert entry.compute is not None
                frame = self._source(entry.source, cols)
                raw = entry.compute(frame, entry.window, as_of).to_numpy(dtype=float)
            elif entry.serve == "universe":
                raw = self._universe_wide(entry, day).to_numpy(dtype=float)
            elif entry.serve == "rank":
                raw = self.rs_ratings(day, universe).to_numpy(dtype=float)
            elif entry.serve == "bars":
                tickers = None if cols is None else self.close.columns[cols]
                raw = self._last_bar_on(day, tickers).to_numpy(dtype="datetime64[ns]")
            else:
                raise InvalidParameterError(
                    name="metric", value=entry.name, allowed="a metric of Market.metrics"
                )
            if entry.serve in ("universe", "rank") and cols is not None:
                raw = raw[cols]
            empty = np.datetime64("NaT") if raw.dtype.kind == "M" else np.nan
            out[entry.name] = np.where(valid(entry, counts), raw, empty)
        return out

    def _source(self, name: str, cols: np.ndarray | None) -> pd.DataFrame:
        """Return the matrix a column metric reads (``close`` or a field), all columns or ``cols``."""
        if name == "close":
            return self.close if cols is None else self.close.iloc[:, cols]
        if cols is None:
            return self.field(name)
        whole = self._fields.get(name)
        if whole is not None:
            return whole.iloc[:, cols]
        return self.field(name, self.close.columns[cols])

    def metric(self, ticker: str, name: str, as_of: object = None) -> Any:
        """One ticker's value of a :meth:`metrics` column, NaN (NaT) where it has none.

        Served as :meth:`values` serves it (from the memoised table, or computed on the
        ticker's column alone on a day without one); the value equals the table's.

        Raises
        ------
        UnknownTickerError
            If the store has no such ticker.
        InvalidParameterError
            If ``name`` is not a column of :meth:`metrics` or ``as_of`` is not a date.
        NoDataError
            If ``as_of`` is before the first date in the store.
        """
        if name not in METRIC_NAMES:
            raise InvalidParameterError(name="metric", value=name, allowed=", ".join(METRIC_NAMES))
        served = self.values([ticker], name, as_of)
        if isinstance(served.errors[0], UnknownTickerError | InvalidParameterError):
            raise served.errors[0]
        value = served.values[0]
        return pd.Timestamp(value) if served.metric.unit == "date" else value

    def _serve(
        self,
        entry: Metric,
        day: pd.Timestamp,
        asked: pd.Timestamp,
        cols: np.ndarray,
        start: pd.Timestamp | None,
        universe: str | Iterable[str],
        benchmark: str,
        basis: str = TOTAL,
    ) -> np.ndarray:
        """Values of ``entry`` for the columns ``cols`` (the dispatch behind :meth:`values`)."""
        if basis == PRICE:  # rs_score or rs_rating (checked by values)
            if entry.serve == "rank":
                return self.rs_ratings(day, universe, PRICE).to_numpy()[cols]
            return self.rs_scores(day, PRICE).to_numpy()[cols]
        if entry.serve == "benchmark":
            raw = self._against(entry, day, benchmark)
            return self._valid(entry, day, cols, raw[cols])
        if entry.serve == "span":
            if start is None:
                raise InvalidParameterError(name="start", value=None, allowed="a date")
            assert entry.compute is not None
            raw = entry.compute(self.close.iloc[:, cols], start, asked)
            return self._valid(entry, day, cols, raw.to_numpy(dtype=float))
        other_universe = entry.serve == "rank" and not (
            isinstance(universe, str) and universe.strip().lower() == STOCKS
        )
        other_year = entry.anchor == "year" and asked.year != day.year
        if entry.serve == "column" and (not entry.in_table or other_year):
            return self._few_values(entry, day, asked, cols)
        if not entry.in_table or other_universe or other_year:
            return self._evaluate([entry], day, asked, cols, universe)[entry.name]
        with self._lock:  # the warm path: one memoised column, indexed
            table = self._metrics.get(day)
        column = None if table is None else table.columns.get(entry.name)
        if column is not None:
            return column[cols]
        return self._table_values(day, (entry.name,), cols)[entry.name]

    def _against(self, entry: Metric, day: pd.Timestamp, benchmark: str) -> np.ndarray:
        """Return a ``benchmark`` entry for every ticker at ``day`` (memoised per day and benchmark).

        Raises the benchmark's own reason when it has no price that day.
        """
        bench = self.ticker(benchmark)
        key = (day, entry.name, bench)
        with self._lock:
            made = self._lines.get(key)
        if made is None:
            reason = self.values([bench], "close", day).errors[0]
            raw = None
            if reason is None:
                assert entry.compute is not None
                raw = entry.compute(self.close, self.close[bench], day).to_numpy(dtype=float)
                raw.flags.writeable = False
            made = (raw, reason)
            with self._lock:
                self._lines.put(key, made)
        raw, reason = made
        if reason is not None:
            raise reason
        return raw

    def _valid(
        self, entry: Metric, day: pd.Timestamp, cols: np.ndarray, raw: np.ndarray
    ) -> np.ndarray:
        """``raw`` where the real-bar rules allow ``entry`` a value, NaN elsewhere."""
        return np.where(valid(entry, self._counts(day, cols)), raw, np.nan)


_NS = np.dtype("datetime64[ns]")


def _table_names(names: Iterable[str] | None) -> list[str]:
    """Columns of :meth:`Market.metrics` asked for, in the table's order (default all)."""
    if names is None:
        return list(METRIC_NAMES)
    asked = set()
    for name in names:
        if name not in METRIC_NAMES:
            raise InvalidParameterError(name="metric", value=name, allowed=", ".join(METRIC_NAMES))
        asked.add(name)
    return [n for n in METRIC_NAMES if n in asked]


def _frame(columns: dict[str, np.ndarray], names: list[str], index: pd.Index) -> pd.DataFrame:
    """Return a metrics table: ``columns`` (by name) in the order ``names``, indexed by ticker."""
    frame = pd.DataFrame({n: columns[n] for n in names}, index=index, columns=names)
    frame.index.name = "ticker"
    return frame


def normalise_ticker_or_none(text: str) -> str | None:
    """Normalise ``text`` or return None if it is not a ticker."""
    try:
        return normalise_ticker(text)
    except InvalidParameterError:
        return None


def get_market(location: str | os.PathLike[str] | None = None) -> Market:
    """Return this process's Market for a store, reloading what a write changed.

    Parameters
    ----------
    location : str or path-like, optional
        A store path, ``memory:`` or a ``postgresql://`` URL; default per
        :func:`xlsrc.data.store.default_location` (env ``XLSRC_STORE`` or the per-user
        data directory).

    Returns
    -------
    Market
        The same object for the same location while the process lives. The warm path
        makes no file-system call: the location is the text given (or the environment's),
        and the store is asked for its identity at most once per :data:`CHECK_INTERVAL`.
    """
    key = os.fspath(location) if location is not None else default_location()
    market = _MARKETS.get(key)
    if market is None:
        with _LOCK:
            market = _MARKETS.get(key)
            if market is None:
                market = Market(open_store(key))
                _MARKETS[key] = market
                return market
    market.refresh_if_changed()
    return market
