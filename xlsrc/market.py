"""The market as formulas see it: the store loaded once per process, memoised per as-of date.

:func:`get_market` returns one :class:`Market` per store location per process. A Market
asks its store for its identity (at most once a second, one tiny read) and reloads only
what a write changed: the price matrices when ``bars_version`` moved (a refresh or an
import), only securities and universes when ``data_version`` alone moved (a universe
set). So a thousand formulas cost one load, and an Excel session notices a refresh made
by another process. Fields other than the close (volume) are read on first use.
"""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from .core import returns, rs, technicals
from .core.history import as_timestamp, asof_position
from .data import load_field, load_matrices, open_store
from .data.backends.base import ReadStore
from .data.matrices import Matrices
from .data.store import default_location
from .data.universes import NAMED_UNIVERSES, STOCKS, normalise_ticker
from .errors import InvalidParameterError, UnknownTickerError, UnknownUniverseError
from .periods import (
    HIGH_WINDOW,
    PERIOD_DAYS,
    RELVOL_WINDOW,
    RSI_WINDOW,
    SMA_WINDOWS,
    VOLATILITY_WINDOW,
)

__all__ = [
    "CACHED_DAYS",
    "CHECK_INTERVAL",
    "FULL_METRICS_AFTER",
    "METRIC_NAMES",
    "Market",
    "get_market",
]

#: Seconds between two checks of the store's data_version.
CHECK_INTERVAL = 1.0

#: Trading days whose metrics (and RS scores) a Market keeps; the least recently used
#: day is dropped first. One day's metrics table is ~2 MB for 12,000 tickers.
CACHED_DAYS = 8

#: Single values :meth:`Market.metric` computes on one ticker's column for a day that is
#: not memoised; the next request for that day computes (and memoises) the whole table.
FULL_METRICS_AFTER = 32

#: The columns of :meth:`Market.metrics`, in order.
METRIC_NAMES: tuple[str, ...] = (
    "close",
    *(f"ret_{code.lower()}" for code in PERIOD_DAYS),
    "ret_ytd",
    "rs_score",
    "rs_rating",
    *(f"pct_from_sma{window}" for window in SMA_WINDOWS),
    f"rsi{RSI_WINDOW}",
    f"volatility{VOLATILITY_WINDOW}",
    f"relative_volume{RELVOL_WINDOW}",
    "pct_from_high",
    "last_bar",
)


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


_MARKETS: dict[str, Market] = {}
_LOCK = threading.Lock()


class Market:
    """Price matrices, securities and universes of one store, with memoised metrics.

    Parameters
    ----------
    store : Store
        The store to read (seeded on first use).

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

    def __init__(self, store: ReadStore) -> None:
        self.store = store
        self._lock = threading.RLock()
        self._checked = 0.0
        self._load()

    def __repr__(self) -> str:
        return f"Market({self.store.location!r}, bars_version={self.identity[2]})"

    # ------------------------------------------------------------------ loading
    def _load(self) -> None:
        """Load the price matrices and the metadata (a new or changed store)."""
        m: Matrices = load_matrices(self.store)
        if m.latest is None:
            from .errors import NoDataError

            raise NoDataError(
                f"The store {self.store.location} holds no bars", ticker=None, date=None
            )
        self._matrices = m
        self.close = m.close
        self.last_bar = m.last_bar
        self._has_bar = m.has_bar
        self._fields: dict[str, pd.DataFrame] = {}
        self._load_metadata(m.identity)

    def _load_metadata(self, identity: tuple[str, int, int]) -> None:
        """Load securities, universes and their sources; clear every memo."""
        self.identity = identity
        self.data_version = identity[1]
        sec = self.store.securities().reindex(self.close.columns)
        self.securities = sec
        self.universes = self.store.universes()
        self._universe_sources = self.store.universe_sources()
        # Per trading day, least recently used dropped first (an Excel session lives long).
        self._metrics = _LRU(CACHED_DAYS)  # day -> DataFrame
        self._scores = _LRU(CACHED_DAYS)  # day -> Series
        self._ratings = _LRU(4 * CACHED_DAYS)  # (day, universe key) -> Series
        self._requests = _LRU(4 * CACHED_DAYS)  # day -> single values served by metric()
        self.__dict__.pop("provenance", None)
        self.__dict__.pop("_stocks", None)
        self._checked = time.monotonic()

    @property
    def volume(self) -> pd.DataFrame:
        """Daily volume (sessions x tickers, ``float32``, NaN where unknown), read on first use."""
        return self.field("volume")

    def field(self, name: str) -> pd.DataFrame:
        """Return another bar field on the close matrix's labels, read from the store on first use.

        Parameters
        ----------
        name : str
            ``"volume"`` or ``"split_close"`` (the close adjusted for splits only).

        Returns
        -------
        pd.DataFrame
            Sessions x tickers, never forward-filled.
        """
        frame = self._fields.get(name)
        if frame is None:
            with self._lock:
                frame = self._fields.get(name)
                if frame is None:
                    dtype = np.float32 if name == "volume" else np.float64
                    frame = load_field(self.store, name, self._matrices, dtype)
                    self._fields[name] = frame
        return frame

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
        """
        now = time.monotonic()
        if not force and now - self._checked < CHECK_INTERVAL:
            return False
        with self._lock:
            self._checked = now
            identity = self.store.identity()
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
        InvalidParameterError
            If ``text`` is not a ticker at all.
        """
        ticker = normalise_ticker(text)
        if ticker not in self.close.columns:
            raise UnknownTickerError(ticker=ticker)
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
            ``"stocks"`` (every stock in the store), a stored universe name (``sp500``,
            ``sp400``, ``sp600``, ``r2000``, ``sectors``; any case), a comma-separated
            list, or an iterable of tickers (each checked).

        Returns
        -------
        pd.Index
            Tickers present in the store.

        Raises
        ------
        UnknownUniverseError, UnknownTickerError
        """
        if isinstance(name_or_list, str):
            key = name_or_list.strip().lower()
            if key == STOCKS:
                return self._stocks
            if key in self.universes:
                members = [t for t in self.universes[key] if t in self.close.columns]
                return pd.Index(members, name="ticker")
            if "," not in name_or_list:
                known = ", ".join([STOCKS, *sorted(self.universes)])
                if (
                    key not in NAMED_UNIVERSES
                    and normalise_ticker_or_none(name_or_list) in self.close.columns
                ):
                    return pd.Index([self.ticker(name_or_list)], name="ticker")  # a one-ticker list
                raise UnknownUniverseError(name=name_or_list, known=known)
            name_or_list = [t for t in name_or_list.split(",") if t.strip()]
        tickers = [self.ticker(t) for t in name_or_list]
        if not tickers:
            raise InvalidParameterError(
                name="universe", value=[], allowed="a universe name or at least one ticker"
            )
        return pd.Index(list(dict.fromkeys(tickers)), name="ticker")

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
        return as_timestamp(date)

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
        index = self.close.index
        if date is None or (isinstance(date, str) and not date.strip()):
            return pd.Timestamp(index[-1])
        return pd.Timestamp(index[asof_position(index, as_timestamp(date))])

    # ------------------------------------------------------------------ provenance
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

    # ------------------------------------------------------------------ analytics
    def _last_bar_on(self, day: pd.Timestamp, tickers: pd.Index | None = None) -> pd.Series:
        """Ticker -> date of its last real bar on or before ``day`` (NaT if none).

        For every ticker, or only for ``tickers`` (columns of ``close``).
        """
        index = self.close.index
        if day >= index[-1] or self._has_bar is None:
            last = self.last_bar if tickers is None else self.last_bar.reindex(tickers)
            return last.where(last <= day, pd.NaT)
        pos = asof_position(index, day)
        mask = self._has_bar[: pos + 1]
        columns = self.close.columns
        if tickers is not None:
            mask = mask[:, columns.get_indexer(tickers)]
            columns = tickers
        back = np.argmax(mask[::-1], axis=0)
        dates = np.where(mask.any(axis=0), index.to_numpy()[pos - back], np.datetime64("NaT", "ns"))
        return pd.Series(dates, index=columns, name="last_bar")

    def rs_scores(self, as_of: object = None) -> pd.Series:
        """RS score of every ticker as of a date (memoised for the last few trading days)."""
        day = self.trading_day(as_of)
        with self._lock:
            return self._scores.get_or_make(day, lambda: rs.rs_score(self.close, day))

    def rs_ratings(self, as_of: object = None, universe: str | Iterable[str] = STOCKS) -> pd.Series:
        """RS rating (whole numbers 1..99) of every ticker against a universe (memoised).

        Every ticker gets a rating; only the universe's members form the ranking (ETFs and
        indices are rated against ``stocks`` without joining it). The mapping, rounding and
        tie rule are :func:`xlsrc.core.rs.rs_rating`'s.
        """
        day = self.trading_day(as_of)
        key_u: tuple[str, ...] | str = (
            universe.strip().lower() if isinstance(universe, str) else tuple(universe)
        )
        with self._lock:
            return self._ratings.get_or_make(
                (day, key_u), lambda: rs.rs_rating(self.rs_scores(day), self.universe(universe))
            )

    def metrics(self, as_of: object = None) -> pd.DataFrame:
        """Every standard metric for every ticker as of a date.

        Memoised for the :data:`CACHED_DAYS` most recently used trading days (keyed by the
        trading day, so a Saturday and its Friday share one table).

        Columns (:data:`METRIC_NAMES`): close, ret_1d, ret_1w, ret_1m, ret_3m, ret_6m,
        ret_1y, ret_ytd, rs_score, rs_rating (vs ``stocks``), pct_from_sma20/50/200, rsi14,
        volatility20, relative_volume50, pct_from_high, last_bar.
        """
        day = self.trading_day(as_of)
        with self._lock:
            return self._metrics.get_or_make(day, lambda: self._compute(day, METRIC_NAMES))

    def metric(self, ticker: str, name: str, as_of: object = None) -> Any:
        """One ticker's metric as of a date, cheaply even on a day that is not memoised.

        Served from :meth:`metrics` when that day's table is memoised. Otherwise the metric
        is computed on the ticker's column only (the RS columns from the memoised
        universe-wide scores), until the day has been asked for more than
        :data:`FULL_METRICS_AFTER` single values: then the whole table is computed once and
        memoised, so a sheet of a thousand formulas on one date costs one metrics pass.
        Either way the value is the one :meth:`metrics` has.

        Parameters
        ----------
        ticker : str
            A ticker of the store (normalised, e.g. from :meth:`ticker`).
        name : str
            A column of :meth:`metrics` (one of :data:`METRIC_NAMES`).
        as_of : date-like or None
            The date; ``None`` = the last date in the store.

        Returns
        -------
        float or pd.Timestamp
            NaN (NaT for ``last_bar``) where the value cannot be computed.

        Raises
        ------
        UnknownTickerError
            If the store has no such ticker.
        InvalidParameterError
            If ``name`` is not a metric or ``as_of`` is not a date.
        NoDataError
            If ``as_of`` is before the first date in the store.
        """
        if name not in METRIC_NAMES:
            raise InvalidParameterError(name="metric", value=name, allowed=", ".join(METRIC_NAMES))
        if ticker not in self.close.columns:
            raise UnknownTickerError(ticker=ticker)
        day = self.trading_day(as_of)
        with self._lock:
            table = self._metrics.get(day)
            if table is None:
                served = self._requests.get(day, 0) + 1
                self._requests.put(day, served)
                if served <= FULL_METRICS_AFTER:
                    return self._compute(day, (name,), pd.Index([ticker]))[name].iloc[0]
                table = self.metrics(day)
            return table.at[ticker, name]

    def _compute(
        self, day: pd.Timestamp, names: Iterable[str], tickers: pd.Index | None = None
    ) -> pd.DataFrame:
        """Metrics ``names`` of ``tickers`` (default: every ticker) at the trading day ``day``.

        The one implementation behind :meth:`metrics` and :meth:`metric`: the vectorised
        core functions run on the columns of ``tickers`` only; the RS columns come from the
        universe-wide (memoised) scores and ratings.
        """
        wanted = set(names)
        close = self.close if tickers is None else self.close[tickers]
        columns = close.columns

        def volume() -> pd.DataFrame:  # read from the store on first use: only one metric needs it
            return self.volume if tickers is None else self.volume[tickers]

        def whole(series: pd.Series) -> pd.Series:
            return series if tickers is None else series.reindex(columns)

        makers: dict[str, Callable[[], pd.Series]] = {
            "close": lambda: close.loc[day],
            **{
                f"ret_{code.lower()}": (lambda days=days: returns.trailing_return(close, days, day))
                for code, days in PERIOD_DAYS.items()
            },
            "ret_ytd": lambda: returns.ytd_return(close, day),
            "rs_score": lambda: whole(self.rs_scores(day)),
            "rs_rating": lambda: whole(self.rs_ratings(day, STOCKS)),
            **{
                f"pct_from_sma{window}": (
                    lambda window=window: technicals.pct_from_sma(close, window, day)
                )
                for window in SMA_WINDOWS
            },
            f"rsi{RSI_WINDOW}": lambda: technicals.rsi(close, RSI_WINDOW, day),
            f"volatility{VOLATILITY_WINDOW}": lambda: technicals.volatility(
                close, VOLATILITY_WINDOW, day
            ),
            f"relative_volume{RELVOL_WINDOW}": lambda: technicals.relative_volume(
                volume(), RELVOL_WINDOW, day
            ),
            "pct_from_high": lambda: technicals.pct_from_high(close, HIGH_WINDOW, day),
            "last_bar": lambda: self._last_bar_on(day, tickers),
        }
        out = pd.DataFrame(index=columns)
        for name in METRIC_NAMES:
            if name in wanted:
                out[name] = makers[name]()
        # a ticker with no bar on or before the day has no metrics at all
        if day < self.close.index[-1]:
            before = close.loc[:day].notna().any(axis=0).to_numpy()
            out.loc[~before, :] = np.nan
        out.index.name = "ticker"
        return out


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
