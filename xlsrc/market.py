"""The market as formulas see it: the store loaded once per process, memoised per as-of date.

:func:`get_market` returns one :class:`Market` per store path per process. A Market
checks the store's ``data_version`` (at most once a second, one tiny SQLite read) and
reloads its matrices only when a write changed the store, so a thousand formulas cost
one load, and an Excel session notices a refresh made by another process.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .core import returns, rs, technicals
from .core.history import asof_position
from .data.store import Matrices, Store, default_store_path
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

__all__ = ["CHECK_INTERVAL", "Market", "get_market"]

#: Seconds between two checks of the store's data_version.
CHECK_INTERVAL = 1.0

_MARKETS: dict[Path, Market] = {}
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

    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.RLock()
        self._checked = 0.0
        self._load()

    def __repr__(self) -> str:
        return f"Market({str(self.store.path)!r}, data_version={self.data_version})"

    # ------------------------------------------------------------------ loading
    def _load(self) -> None:
        m: Matrices = self.store.load_matrices()
        self.close = m.close
        self.volume = m.volume
        self.last_bar = m.last_bar
        self._has_bar = m.has_bar
        self.data_version = m.data_version
        sec = self.store.securities().reindex(self.close.columns)
        self.securities = sec
        self.universes = self.store.universes()
        self._universe_sources = self.store.universe_sources()
        self._metrics: dict[pd.Timestamp, pd.DataFrame] = {}
        self._ratings: dict[tuple[pd.Timestamp, tuple[str, ...] | str], pd.Series] = {}
        self._scores: dict[pd.Timestamp, pd.Series] = {}
        self.__dict__.pop("provenance", None)
        self.__dict__.pop("_stocks", None)
        self._checked = time.monotonic()

    def refresh_if_changed(self, force: bool = False) -> bool:
        """Reload if the store's data_version changed (checked at most once per second).

        Parameters
        ----------
        force : bool
            Check now, ignoring the rate limit.

        Returns
        -------
        bool
            True if the market was reloaded.
        """
        now = time.monotonic()
        if not force and now - self._checked < CHECK_INTERVAL:
            return False
        with self._lock:
            self._checked = now
            if self.store.data_version() != self.data_version:
                self._load()
                return True
        return False

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
        """Return the as-of date: the given date (as a Timestamp) or the store's last date.

        Raises
        ------
        InvalidParameterError
            If ``date`` is not a date.
        """
        if date is None or (isinstance(date, str) and not date.strip()):
            return pd.Timestamp(self.close.index[-1])
        try:
            ts = pd.Timestamp(date)
        except (TypeError, ValueError) as exc:
            raise InvalidParameterError(
                name="as_of", value=date, allowed="a date such as 2026-01-22"
            ) from exc
        if ts is pd.NaT or pd.isna(ts):
            raise InvalidParameterError(
                name="as_of", value=date, allowed="a date such as 2026-01-22"
            )
        return ts.tz_localize(None).normalize() if ts.tzinfo else ts.normalize()

    def _day(self, as_of: object) -> pd.Timestamp:
        """Return the calendar date used for ``as_of`` (last date on or before it)."""
        ts = self.as_of(as_of)
        return pd.Timestamp(self.close.index[asof_position(self.close.index, ts)])

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
    def _last_bar_on(self, day: pd.Timestamp) -> pd.Series:
        """Ticker -> date of its last real bar on or before ``day`` (NaT if none)."""
        index = self.close.index
        if day >= index[-1] or self._has_bar is None:
            last = self.last_bar
            return last.where(last <= day, pd.NaT)
        pos = asof_position(index, day)
        mask = self._has_bar[: pos + 1]
        back = np.argmax(mask[::-1], axis=0)
        dates = np.where(mask.any(axis=0), index.to_numpy()[pos - back], np.datetime64("NaT", "ns"))
        return pd.Series(dates, index=self.close.columns, name="last_bar")

    def rs_scores(self, as_of: object = None) -> pd.Series:
        """RS score of every ticker as of a date (memoised)."""
        day = self._day(as_of)
        with self._lock:
            if day not in self._scores:
                self._scores[day] = rs.rs_score(self.close, day)
            return self._scores[day]

    def rs_ratings(self, as_of: object = None, universe: str | Iterable[str] = STOCKS) -> pd.Series:
        """RS rating (1..99) of every ticker against a universe as of a date (memoised).

        Every ticker gets a rating; only the universe's members form the ranking (ETFs and
        indices are rated against ``stocks`` without joining it).
        """
        day = self._day(as_of)
        key_u: tuple[str, ...] | str = (
            universe.strip().lower() if isinstance(universe, str) else tuple(universe)
        )
        with self._lock:
            key = (day, key_u)
            if key not in self._ratings:
                members = self.universe(universe)
                self._ratings[key] = rs.rs_rating(self.rs_scores(day), members)
            return self._ratings[key]

    def metrics(self, as_of: object = None) -> pd.DataFrame:
        """Every standard metric for every ticker as of a date (memoised per date).

        Columns: close, ret_1d, ret_1w, ret_1m, ret_3m, ret_6m, ret_1y, ret_ytd, rs_score,
        rs_rating (vs ``stocks``), pct_from_sma20/50/200, rsi14, volatility20,
        relative_volume50, pct_from_high, last_bar.
        """
        day = self._day(as_of)
        with self._lock:
            if day in self._metrics:
                return self._metrics[day]
            close = self.close
            out = pd.DataFrame(index=close.columns)
            out["close"] = close.loc[day]
            for code, days in PERIOD_DAYS.items():
                out[f"ret_{code.lower()}"] = returns.trailing_return(close, days, day)
            out["ret_ytd"] = returns.ytd_return(close, day)
            out["rs_score"] = self.rs_scores(day)
            out["rs_rating"] = self.rs_ratings(day, STOCKS)
            for window in SMA_WINDOWS:
                out[f"pct_from_sma{window}"] = technicals.pct_from_sma(close, window, day)
            out[f"rsi{RSI_WINDOW}"] = technicals.rsi(close, RSI_WINDOW, day)
            out[f"volatility{VOLATILITY_WINDOW}"] = technicals.volatility(
                close, VOLATILITY_WINDOW, day
            )
            out[f"relative_volume{RELVOL_WINDOW}"] = technicals.relative_volume(
                self.volume, RELVOL_WINDOW, day
            )
            out["pct_from_high"] = technicals.pct_from_high(close, HIGH_WINDOW, day)
            out["last_bar"] = self._last_bar_on(day)
            # a ticker with no bar on or before the day has no metrics at all
            if day < self.close.index[-1]:
                before = close.loc[:day].notna().any(axis=0)
                out.loc[~before.to_numpy(), :] = np.nan
            out.index.name = "ticker"
            self._metrics[day] = out
            return out


def normalise_ticker_or_none(text: str) -> str | None:
    """Normalise ``text`` or return None if it is not a ticker."""
    try:
        return normalise_ticker(text)
    except InvalidParameterError:
        return None


def get_market(store_path: str | Path | None = None) -> Market:
    """Return this process's Market for a store, reloading it if the store changed.

    Parameters
    ----------
    store_path : str or Path, optional
        The store file; default per :func:`xlsrc.data.store.default_store_path`
        (env ``XLSRC_STORE`` or the per-user data directory), resolved on every call.

    Returns
    -------
    Market
        The same object for the same path while the process lives.
    """
    path = Path(store_path).expanduser() if store_path is not None else default_store_path()
    key = path.resolve()
    with _LOCK:
        market = _MARKETS.get(key)
        if market is None:
            market = Market(Store(path))
            _MARKETS[key] = market
            return market
    market.refresh_if_changed()
    return market
