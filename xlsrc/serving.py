"""Serving metrics for many tickers at once: the half of :class:`xlsrc.market.Market` that answers.

:class:`MetricServer` is the base class of ``Market`` that turns the registry
(:mod:`xlsrc.core.metrics`) into answers: :meth:`~MetricServer.values` serves any metric, at
any window, for many tickers in one vectorised pass with a reason for every gap, and
:meth:`~MetricServer.value` one ticker's value or its reason raised; :meth:`~MetricServer.breadth`
and :meth:`~MetricServer.bars` serve the breadth share and a ticker's real bars. The memoised
day tables and the dispatch on the registry's ``serve`` kinds stay in ``Market``
(:meth:`xlsrc.market.Market._serve`); this module holds what is built on them, so the loading
half of ``market.py`` and the serving half can change independently.

The reason for a ticker without a value (:func:`xlsrc.core.metrics.explain`), in the words
``#N/A`` shows: ``Unknown ticker: X``; ``No price for X on or before D``; ``No trade since
<date>`` (no real bar in the last ``STALE_SESSIONS`` sessions); ``Too little history for X:
needs N trading days before D, has M`` (real bars); a YTD return's or a span's missing
start close; otherwise ``No <metric> for X as of D``.

Basis of the RS metrics
    ``rs_score`` and ``rs_rating`` are served on one of two bases (:data:`BASES`):
    ``"total"`` (the default) ranks total return, on the store's ``close``, adjusted for
    splits *and dividends*; ``"price"`` ranks price change, as IBD and the reference RS
    tool do, on ``split_close``, adjusted for splits only (:meth:`xlsrc.market.Market.price_closes`).
    The default is total return because it is what a holder earned and the only close the
    bundled snapshot has; the two differ for securities that distribute a lot (income
    ETFs differ by up to 77 rating points). A price-basis value needs a split-adjusted
    close on every real bar its RS score reads (the last 253 sessions): a ticker without
    them has none (``Split-adjusted closes missing for X on k of n trading days ...``), a
    ranking whose universe lacks them is refused whole, and a store without any (the
    bundled snapshot) refuses basis ``"price"`` outright. Other metrics have the total
    basis only.

Size: about 660 lines, 390 of them the one class :class:`MetricServer` and 285 of all
docstrings. The rest is what that class takes and returns: the basis names and
:func:`check_basis`, :func:`read_date`, :func:`unknown_ticker`, :class:`Values` and
:class:`YearStatus`. Only :mod:`xlsrc.market` imports this module (and re-exports the
names adapters need); a module of those helpers alone would serve the same two classes.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import numpy as np
import pandas as pd

from .core import breadth, history, metrics, returns
from .core.metrics import Metric
from .data.universes import STOCKS, check_us_listed, listing_exchange, normalise_ticker
from .dates import parse_date, session_date
from .errors import (
    InsufficientHistoryError,
    InvalidParameterError,
    NoDataError,
    UnknownTickerError,
    XlsrcError,
)
from .periods import DEFAULT_BENCHMARK, validate_window

__all__ = [
    "BASES",
    "DEFAULT_BASIS",
    "MIN_MEMBERS",
    "PRICE",
    "TOTAL",
    "MetricServer",
    "Values",
    "YearStatus",
    "check_basis",
    "read_date",
    "universe_label",
    "unknown_ticker",
]

#: The RS metrics' bases: ``total`` = dividend-adjusted closes (the store's ``close``),
#: ``price`` = split-only-adjusted closes (``split_close``).
TOTAL = "total"
PRICE = "price"
BASES: tuple[str, ...] = (TOTAL, PRICE)
DEFAULT_BASIS = TOTAL
#: The metric families served on either basis.
BASIS_FAMILIES: tuple[str, ...] = ("rs_score", "rs_rating")

#: The fewest members with a value that a cross-section (an RS rating's percentile, a
#: breadth share) is computed over: over one member a rating is 1, 50 or 99 for any
#: ticker and a share 0% or 100%, numbers that look measured and measure nothing.
MIN_MEMBERS = 2
#: How many unrated members a refusal names (with their reasons) before "and N more".
_REASONS_SHOWN = 5


def check_basis(value: object) -> str:
    """Return the basis ``value`` names (``"total"`` or ``"price"``, any case, blanks ignored).

    Raises
    ------
    InvalidParameterError
        For anything else.
    """
    key = value.strip().lower() if isinstance(value, str) else None
    if key not in BASES:
        raise InvalidParameterError(
            name="basis",
            value=value,
            allowed='"total" (dividend-adjusted closes) or "price" (split-adjusted only)',
        )
    return key


#: Day 0 of Excel's 1900 date system (serial 46044 = 2026-01-22), and the serials read as
#: dates: 61 (1900-03-01, the first after Excel's phantom 1900-02-29) .. 2958465
#: (9999-12-31), as the formulas read them (:func:`xlsrc.excel.args.date_arg`).
_EXCEL_EPOCH = _dt.datetime(1899, 12, 30)
_SERIAL_MIN, _SERIAL_MAX = 61, 2958465


def read_date(value: object, name: str = "as_of") -> pd.Timestamp:
    """Read a date given to the market (the Python API, the builders) as a midnight Timestamp.

    The rules of :mod:`xlsrc.dates`, the same as the command line's ``--as-of`` and a
    formula's date: text by :func:`xlsrc.dates.parse_date` (``"2026-01-22"``,
    ``"22 Jan 2026"``; a day/month order that could be swapped, ``"03/02/2026"``, is
    refused naming both dates), a ``datetime``, ``date``, ``pd.Timestamp`` or
    ``numpy.datetime64`` by :func:`xlsrc.dates.session_date` (a time with an offset is
    converted to New York), and a number as an Excel serial date, as a formula reads it
    (``46044`` = 2026-01-22, the fraction of a day dropped; pandas alone would read it as
    nanoseconds after 1970).

    Raises
    ------
    InvalidParameterError
        For a number outside Excel's serial dates (61..2958465: ``20260122`` is not
        one), a bool, ambiguous or malformed text, or anything else.
    """
    if isinstance(value, str):
        return parse_date(value, name=name)
    if isinstance(value, bool) or value is None:
        raise InvalidParameterError(name=name, value=value, allowed="a date")
    if isinstance(value, int | float | np.number):
        serial = float(value)
        if not math.isfinite(serial) or not _SERIAL_MIN <= serial <= _SERIAL_MAX:
            raise InvalidParameterError(
                f"Invalid {name}: {value!r} is a number but no Excel serial date "
                f"({_SERIAL_MIN} = 1900-03-01 .. {_SERIAL_MAX} = 9999-12-31); give text "
                "such as '2026-01-22', a datetime.date or a pd.Timestamp",
                name=name,
                value=value,
            )
        return pd.Timestamp(_EXCEL_EPOCH + _dt.timedelta(days=math.floor(serial)))
    try:
        return session_date(value)
    except InvalidParameterError:
        raise InvalidParameterError(name=name, value=value, allowed="a date") from None


def unknown_ticker(ticker: str, universes: Iterable[str] = ()) -> UnknownTickerError:
    """Return the error for a normalised ticker the store does not hold.

    ``Unknown ticker: XYZQ``; for a non-US listing it says why it can never be there, as
    an import or a refresh of it does (:func:`xlsrc.data.universes.check_us_listed`):
    ``Unknown ticker: EZJ.L is listed on the London Stock Exchange (Yahoo suffix .L);
    xlsrc holds US-listed securities only, on the NYSE calendar ...``; for the name of a
    universe (one of ``universes``, lower case) in a list of tickers, that it is one:
    ``SP600 is a universe, not a ticker ...``.
    """
    if ticker.lower() in universes:
        return UnknownTickerError(
            f"Unknown ticker: {ticker} is a universe, not a ticker; a list holds tickers "
            f'only (a universe goes alone: "{ticker.lower()}")',
            ticker=ticker,
        )
    try:
        foreign = listing_exchange(ticker) is not None
        if foreign:
            check_us_listed(ticker)
    except InvalidParameterError as exc:
        return UnknownTickerError(f"Unknown ticker: {exc}", ticker=ticker)
    return UnknownTickerError(ticker=ticker)


_ONE = np.zeros(1, dtype=np.int64)  # the positions of a one-ticker request
_NAT = np.datetime64("NaT")
_NS = np.dtype("datetime64[ns]")
_ENTRIES: dict[tuple[str, int | None], Metric] = {}  # (name, window) -> registry entry


def _entry(name: str, window: object) -> Metric:
    """Return :func:`xlsrc.core.metrics.metric` of ``(name, window)``, memoised for plain arguments.

    The registry is fixed data, so an entry found once is the entry; an argument that is
    not a plain ``str`` / ``int`` (a float window, ``None`` as the name) is looked up (and
    checked) every time.
    """
    if type(name) is str and (window is None or type(window) is int):
        key = (name, window)
        entry = _ENTRIES.get(key)
        if entry is None:
            entry = _ENTRIES[key] = metrics.metric(name, window)
        return entry
    return metrics.metric(name, window)


@dataclass(frozen=True)
class Values:
    """One metric for several tickers, aligned to the request (:meth:`Market.values`).

    Attributes
    ----------
    metric : Metric
        The registry entry served, at the window asked for.
    day : pd.Timestamp
        The trading day the values are as of.
    tickers : tuple of str
        One per ticker asked for: its normalised form, or the text as given when it is
        not a ticker.
    values : np.ndarray
        float64 (``datetime64[ns]`` for a ``date`` metric), NaN (NaT) where missing.
    errors : tuple of (XlsrcError or None)
        None where a value exists, else the reason; ``str(error)`` is what a formula shows
        after ``#N/A``.
    """

    metric: Metric
    day: pd.Timestamp
    tickers: tuple[str, ...]
    values: np.ndarray
    errors: tuple[XlsrcError | None, ...]

    def __len__(self) -> int:
        return len(self.tickers)

    @property
    def reasons(self) -> tuple[str | None, ...]:
        """The message of each error (None where a value exists)."""
        return tuple(None if e is None else str(e) for e in self.errors)

    def series(self) -> pd.Series:
        """Return the values as a Series indexed by ticker (duplicates kept, in request order)."""
        return pd.Series(
            self.values, index=pd.Index(self.tickers, name="ticker"), name=self.metric.name
        )


@dataclass(frozen=True)
class YearStatus:
    """The year a date's year-to-date figures belong to, and whether the data have it.

    The one rule of "as of D" (:meth:`MetricServer.year_status`): values are as of the
    last session on or before D (``day``); a YTD figure belongs to the calendar year of D
    (``year``).

    Attributes
    ----------
    asked : pd.Timestamp
        The date asked for (midnight).
    day : pd.Timestamp
        Its trading day: the last session on or before it.
    year : int
        The year of ``asked``: the year every YTD figure belongs to.
    started : bool
        A session of ``year`` is on or before ``asked`` (``day.year == year``). False on
        1 January (YTD 0.0) and for a year the data have no session of.
    first_session : pd.Timestamp or None
        The first session of ``year`` in the data, None if they have none.
    missing : str or None
        Why no YTD figure of ``year`` exists (``No data for 2030: the data end
        2026-08-03``), None when one does (0.0 included).
    """

    asked: pd.Timestamp
    day: pd.Timestamp
    year: int
    started: bool
    first_session: pd.Timestamp | None
    missing: str | None

    def label(self) -> str:
        """``2026-01-22``, or ``2025-12-31, the last session on or before 2026-01-01``."""
        if self.asked == self.day:
            return f"{self.day:%Y-%m-%d}"
        return f"{self.day:%Y-%m-%d}, the last session on or before {self.asked:%Y-%m-%d}"

    def not_started(self) -> str | None:
        """Why every YTD figure is 0.0 (the year has not traded yet), None otherwise."""
        if self.started or self.missing is not None or self.first_session is None:
            return None
        return (
            f"{self.year} has not traded yet: its first session is "
            f"{self.first_session:%Y-%m-%d}, so every YTD return is 0.0"
        )


class MetricServer:
    """Serve the registry's metrics from loaded price matrices (the base of ``Market``).

    A subclass provides the matrices and lookups (``close``, ``volume``, ``has_bar``,
    ``ticker``, ``universe``, ``as_of``, ``trading_day``) and the per-day dispatch
    ``_serve`` / ``_counts`` / ``_position``; :class:`xlsrc.market.Market` does.
    """

    if TYPE_CHECKING:  # provided by xlsrc.market.Market
        close: pd.DataFrame
        volume: pd.DataFrame
        universes: dict[str, tuple[str, ...]]  # as saved: tickers the store lacks included

        @property
        def has_bar(self) -> np.ndarray:
            """Real-bar mask (dates x tickers)."""

        def ticker(self, text: object) -> str:
            """Normalise and check a ticker."""

        def universe(self, name_or_list: str | Iterable[str]) -> pd.Index:
            """Return a universe's tickers."""

        def as_of(self, date: object = None) -> pd.Timestamp:
            """Return the date asked for."""

        def trading_day(self, date: object = None) -> pd.Timestamp:
            """Return the trading day of a date."""

        def field(self, name: str, tickers: Iterable[str] | None = None) -> pd.DataFrame:
            """Return another bar field (volume), for every ticker or a few."""

        def exact_field(self, name: str, ticker: str) -> pd.Series:
            """One ticker's field as stored (float64), on the sessions."""

        def _row(self, date: object) -> tuple[int, pd.Timestamp]:
            """Row of a date's trading day and the date asked for."""

        def _day(self, pos: int) -> pd.Timestamp:
            """Session of a row."""

        def _position(self, day: pd.Timestamp) -> int:
            """Row of a trading day."""

        def _counts(self, day: pd.Timestamp, cols: np.ndarray | None = None) -> history.BarCounts:
            """Real-bar counts at a day."""

        def rank_refusal(
            self, as_of: object = None, universe: str | Iterable[str] = STOCKS, basis: str = TOTAL
        ) -> InsufficientHistoryError | None:
            """Why a ranking against ``universe`` has no ratings (fewer than two rated)."""

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
            """Values of a metric for columns."""

        def _price_covered(self, day: pd.Timestamp) -> np.ndarray:
            """Split-adjusted closes on every bar the RS score reads (bool per column)."""

        def _price_gap(self, ticker: str, col: int, day: pd.Timestamp) -> XlsrcError:
            """Why a ticker has no price-basis value."""

    def values(
        self,
        tickers: str | Iterable[object],
        name: str,
        as_of: object = None,
        window: object = None,
        *,
        start: object = None,
        universe: str | Iterable[str] = STOCKS,
        benchmark: str = DEFAULT_BENCHMARK,
        basis: str = DEFAULT_BASIS,
    ) -> Values:
        """Serve one metric of the registry for many tickers, with the reason for each gap.

        Values come from the memoised day table when the metric is one of its columns at
        its default window (else, for a few tickers on a day without a table, from the
        core on their columns only, until :data:`FULL_METRICS_AFTER` values have been
        asked for that day); any other window, universe or benchmark runs the core on the
        wanted columns. Vectorised: one pass for all tickers; reasons are worked out only
        for the tickers without a value.

        Parameters
        ----------
        tickers : str or iterable
            One ticker or many, any spelling :meth:`ticker` accepts; an unknown or
            malformed one gets its own reason, the others are unaffected.
        name : str
            A metric of the registry (``ret_ytd``, ``pct_from_sma20``, ``rs_rating``...) or
            a family name (``pct_from_sma``, ``ret``, ``rsi``...); see
            :mod:`xlsrc.core.metrics`.
        as_of : date-like or None
            The date asked for (its trading day is the last session on or before it);
            ``None`` = the last date in the store.
        window : int, optional
            Another window for the metric (trading days): ``ret`` at 21 is ``ret_1m``,
            ``pct_from_sma`` at 30 runs the core at 30.
        start : date-like, optional
            The start date of ``period_return`` (required for it).
        universe : str or iterable of str
            The ranking universe of ``rs_rating`` (default ``stocks``).
        benchmark : str
            The benchmark of ``rs_line`` (default ``SPY``).
        basis : {"total", "price"}
            For ``rs_score`` and ``rs_rating``: total return on dividend-adjusted closes
            (default) or price change on split-only-adjusted closes (the module
            docstring). A ticker without split-adjusted closes over its RS windows gets
            its own reason.

        Returns
        -------
        Values
            Aligned to ``tickers``: values (NaN/NaT where missing) and one error per gap.

        Raises
        ------
        InvalidParameterError
            For an unknown metric, a bad window, a missing or late ``start``, a bad date,
            a bad ``basis`` or basis ``"price"`` for a metric other than the RS ones.
        NoDataError
            If ``as_of`` (or ``start``) is before the first date in the store, or the
            benchmark has no price then (its reason); for basis ``"price"``, if the store
            holds no split-adjusted close at all, or (``rs_rating``) members of the
            universe lack them.
        UnknownTickerError, UnknownUniverseError
            For an unknown benchmark or universe.
        """
        entry = _entry(name, window)
        basis = check_basis(basis)
        if basis != TOTAL and entry.family not in BASIS_FAMILIES:
            raise InvalidParameterError(
                name="basis",
                value=basis,
                allowed=f'"total" for {entry.name} (basis "price" is for rs_score and rs_rating)',
            )
        pos, asked = self._row(as_of)  # the trading day's row, resolved once
        day = self._day(pos)
        labels, cols, errors = self._columns(tickers)
        dates = entry.unit == "date"
        if len(cols) == 1 and cols[0] >= 0:  # one ticker the store holds: the common case
            known, kcols = _ONE, cols
        else:
            known = np.flatnonzero(cols >= 0)
            kcols = cols[known]
        out = np.full(len(labels), _NAT if dates else np.nan, dtype=_NS if dates else float)
        start_ts = None if start is None else read_date(start, "start")
        if kcols.size:
            out[known] = self._serve(entry, day, asked, kcols, start_ts, universe, benchmark, basis)
        missing = np.isnat(out[known]) if dates else np.isnan(out[known])
        gaps = known[missing]
        if basis == PRICE and gaps.size:
            # a ticker the real-bar rules allow a value, but without split-adjusted closes
            lacking = (
                metrics.valid(entry, self._counts(day, cols[gaps]))
                & ~(self._price_covered(day)[cols[gaps]])
            )
            for i in gaps[lacking]:
                errors[i] = self._price_gap(labels[i], int(cols[i]), day)
            gaps = gaps[~lacking]
        if entry.serve == "rank" and gaps.size:
            refusal = self.rank_refusal(day, universe, basis)
            if refusal is not None:  # fewer than two members rated: no ranking at all
                allowed = metrics.valid(entry, self._counts(day, cols[gaps]))
                for i in gaps[allowed]:
                    errors[i] = refusal
                gaps = gaps[~allowed]
        for i in gaps:
            errors[i] = metrics.explain(
                entry,
                labels[i],
                self.has_bar[: pos + 1, cols[i]],
                self.close.index,
                pos,
                asked,
                start=start_ts,
            )
            if entry.source != "close" and type(errors[i]) is NoDataError:
                # the closes allow a value: say what the other field lacks
                column = self.field(entry.source, [labels[i]]).iloc[: pos + 1, 0]
                why = metrics.volume_reason(
                    entry, labels[i], column.to_numpy(dtype=float), self.close.index, pos
                )
                errors[i] = why or errors[i]
        return Values(entry, day, tuple(labels), out, tuple(errors))

    def value(
        self,
        ticker: object,
        name: str,
        as_of: object = None,
        window: object = None,
        **options: Any,
    ) -> Any:
        """One ticker's metric, or the reason it has none raised as an error.

        The one-ticker form of :meth:`values` (same arguments; ``options`` are its
        keywords ``start``, ``universe``, ``benchmark``, ``basis``).

        Returns
        -------
        float or pd.Timestamp
            The value (a date for ``last_bar``).

        Raises
        ------
        XlsrcError
            The reason: ``UnknownTickerError``, ``NoDataError`` (no price on or before the
            date), ``StaleDataError`` (no trade since ...), ``InsufficientHistoryError``
            (too little history: needs N trading days before D, has M), or an argument
            error of :meth:`values`.
        """
        served = self.values([ticker], name, as_of, window, **options)
        error = served.errors[0]
        if error is not None:
            raise error
        value = served.values[0]
        return pd.Timestamp(value) if served.metric.unit == "date" else float(value)

    def year_status(self, as_of: object = None) -> YearStatus:
        """Return the trading day of a date and the year its YTD figures belong to.

        Parameters
        ----------
        as_of : date-like or None
            The date asked for; ``None`` = the last date in the store.

        Returns
        -------
        YearStatus
            ``missing`` says ``No data for 2030: the data end 2026-08-03`` for a date past
            the data in a year the data have no session of: YTD figures, the leaders by
            YTD and the report refuse that year rather than show a 0.0 nobody can have.

        Raises
        ------
        InvalidParameterError, NoDataError
            For a bad date or a date before the data.
        """
        pos, asked = self._row(as_of)
        day = self._day(pos)
        index = self.close.index
        year = asked.year
        first = int(index.searchsorted(pd.Timestamp(year=year, month=1, day=1)))
        first_session = (
            pd.Timestamp(index[first]) if first < len(index) and index[first].year == year else None
        )
        missing = returns.year_without_data(index, pos, year)
        return YearStatus(asked, day, year, day.year == year, first_session, missing)

    def _columns(self, tickers: str | Iterable[object]) -> tuple[list[str], np.ndarray, list[Any]]:
        """Normalise ``tickers``: labels, column positions (-1 if unknown), an error or None each.

        A ticker already spelled as a column is looked up directly (one dict lookup);
        others go through ``normalise_ticker`` first.
        """
        items = [tickers] if isinstance(tickers, str) else list(tickers)
        positions = self._column_positions()
        labels: list[str] = []
        cols = np.full(len(items), -1, dtype=np.int64)
        errors: list[Any] = [None] * len(items)
        for i, raw in enumerate(items):
            j = positions.get(raw) if isinstance(raw, str) else None
            if j is None:
                try:
                    label = normalise_ticker(raw)
                except InvalidParameterError as exc:
                    labels.append(str(raw))
                    errors[i] = exc
                    continue
                j = positions.get(label)
                if j is None:
                    labels.append(label)
                    errors[i] = unknown_ticker(label, self._universe_names())
                    continue
                raw = label
            labels.append(str(raw))
            cols[i] = j
        return labels, cols, errors

    def _universe_names(self) -> frozenset[str]:
        """Return the universe names (lower case) a ticker must not be mistaken for."""
        held = getattr(self, "universes", {})
        return frozenset({STOCKS, "sp1500", *(str(k).lower() for k in held)})

    def _column_positions(self) -> dict[str, int]:
        """Ticker -> column of ``close`` (built once per loaded matrix)."""
        columns = self.close.columns
        cached = self.__dict__.get("_positions_of")
        if cached is None or cached[0] is not columns:
            cached = (columns, {str(t): i for i, t in enumerate(columns)})
            self.__dict__["_positions_of"] = cached
        return cast(dict[str, int], cached[1])

    def _listed(self, universe: str | Iterable[str]) -> list[str]:
        """Return a universe's tickers as named: a stored universe's those the store lacks too."""
        if isinstance(universe, str):
            key = universe.strip().lower()
            if key in self.universes:
                return list(dict.fromkeys(map(str, self.universes[key])))
        return list(self.universe(universe))

    def _too_few_members(
        self,
        universe: str | Iterable[str],
        counted: pd.Index,
        entry: Metric,
        day: pd.Timestamp,
        figure: str,
        having: str,
    ) -> InsufficientHistoryError | None:
        """Refuse a cross-section over fewer than :data:`MIN_MEMBERS` members with a value.

        A percentile of one score is 1, 50 or 99 for any ticker and a share of one member
        0% or 100%: numbers that look measured and measure nothing. Returns the error (or
        None when ``counted`` is large enough), saying how many members have a value and,
        for the others, why not: not in the store, or :func:`xlsrc.core.metrics.explain`'s
        reason for ``entry`` (no trade since..., too little history).

        Parameters
        ----------
        universe : str or iterable of str
            The universe as given (its label and its listed tickers).
        counted : pd.Index
            The members that have a value on ``day``.
        entry : Metric
            The metric a member needs (its staleness and bar rules give the reasons).
        day : pd.Timestamp
            The trading day.
        figure : str
            What is refused (``"RS rating against w4"``).
        having : str
            What a counted member is (``"rated"``, ``"counted"``).
        """
        if len(counted) >= MIN_MEMBERS:
            return None
        listed = self._listed(universe)
        pos = self._position(day)
        have = set(counted)
        reasons: list[str] = []
        for ticker in listed:
            if ticker in have:
                continue
            col = self._column_positions().get(ticker, -1)
            if col < 0:
                reasons.append(f"{ticker} (not in the store)")
                continue
            why = metrics.explain(
                entry, ticker, self.has_bar[: pos + 1, col], self.close.index, pos, day
            )
            reasons.append(f"{ticker} ({why})")
        shown = "; ".join(reasons[:_REASONS_SHOWN])
        if len(reasons) > _REASONS_SHOWN:
            shown += f"; and {len(reasons) - _REASONS_SHOWN:,} more"
        who = f" ({', '.join(map(str, counted))})" if len(counted) else ""
        count = (
            f"{len(counted):,} of {len(listed):,}" if len(counted) else f"none of {len(listed):,}"
        )
        label = universe_label(universe)
        return InsufficientHistoryError(
            f"{figure} on {day:%Y-%m-%d} needs at least {MIN_MEMBERS} {having} members; "
            f"{count} {'is' if len(counted) == 1 else 'are'} {having}{who}"
            + (f"; not {having}: {shown}" if shown else ""),
            ticker=label,
            needed=MIN_MEMBERS,
            available=len(counted),
            date=f"{day:%Y-%m-%d}",
        )

    def breadth(self, universe: str | Iterable[str], window: object, as_of: object = None) -> float:
        """Share of a universe's members above their ``window``-day SMA as of a date.

        A member counts when it traded in the last ``STALE_SESSIONS`` sessions and has at
        least ``window`` real bars; the share is :func:`xlsrc.core.breadth.pct_above_sma`
        over those members.

        Raises
        ------
        InvalidParameterError
            For a bad window.
        UnknownUniverseError
            For an unknown universe.
        InsufficientHistoryError
            If no member counts on that day.
        """
        share, _ = self.breadth_counted(universe, window, as_of)
        return share

    def breadth_counted(
        self, universe: str | Iterable[str], window: object, as_of: object = None
    ) -> tuple[float, int]:
        """:meth:`breadth` and the number of members it is over (the members counted).

        Returns
        -------
        (float, int)
            The share (a decimal) and how many members it counts: those that traded in
            the last ``STALE_SESSIONS`` sessions and have ``window`` real bars (fewer than
            the universe's members when some are stale or young).

        Raises
        ------
        InvalidParameterError, UnknownUniverseError, InsufficientHistoryError
            As :meth:`breadth`.
        """
        n = validate_window(window, minimum=metrics.MIN_SMA_WINDOW)
        day = self.trading_day(as_of)
        members = self.universe(universe)
        cols = self.close.columns.get_indexer(members)
        counts = self._counts(day, cols)
        counted = members[counts.fresh & (counts.bars >= n)]
        refused = self._too_few_members(
            universe,
            counted,
            _entry("pct_from_sma", n),
            day,
            f"Breadth (share above the {n}-day average) of {universe_label(universe)}",
            "counted",
        )
        if refused is not None:
            raise refused
        return breadth.pct_above_sma(self.close, counted, n, day), len(counted)

    def bars(
        self, ticker: str, start: object, end: object = None, fields: Iterable[str] = ("close",)
    ) -> pd.DataFrame:
        """Return a ticker's real bars between two dates, oldest first (days without a trade left out).

        Parameters
        ----------
        ticker : str
            Any spelling :meth:`ticker` accepts.
        start, end : date-like
            First and last dates (``end`` ``None`` = the last date in the store).
        fields : iterable of str
            ``close`` and/or ``volume``, in the order wanted.

        Returns
        -------
        pd.DataFrame
            Index = the dates of the ticker's real bars in ``start..end``; one column per
            field (closes adjusted; volume NaN where unknown, the stored number itself:
            SPY's 111,623,300 on 2026-01-20, not the ``float32`` matrix's 111,623,296).

        Raises
        ------
        UnknownTickerError
            For an unknown ticker.
        InvalidParameterError
            For an unknown field or ``start`` after ``end``.
        NoDataError
            If the ticker has no bar between the two dates.
        """
        t = self.ticker(ticker)
        lo, hi = read_date(start, "start"), self.as_of(end)
        if lo > hi:
            raise InvalidParameterError(
                name="start", value=f"{lo:%Y-%m-%d}", allowed=f"a date on or before {hi:%Y-%m-%d}"
            )
        wanted = list(fields)
        for f in wanted:
            if f not in ("close", "volume"):
                raise InvalidParameterError(name="fields", value=f, allowed="close, volume")
        index = self.close.index
        a, b = index.searchsorted(lo, side="left"), index.searchsorted(hi, side="right")
        col = self.close.columns.get_loc(t)
        rows = a + np.flatnonzero(self.has_bar[a:b, col])
        if rows.size == 0:
            raise NoDataError(
                f"No price for {t} between {lo:%Y-%m-%d} and {hi:%Y-%m-%d}",
                ticker=t,
                date=f"{hi:%Y-%m-%d}",
            )
        columns = {}
        for f in wanted:  # volume: this ticker's stored values, not the float32 matrix
            source = self.close.iloc[:, col] if f == "close" else self.exact_field(f, t)
            columns[f] = source.iloc[rows].to_numpy(dtype=float)
        frame = pd.DataFrame(columns, index=index[rows])
        frame.index.name = "date"
        return frame


def universe_label(universe: str | Iterable[str]) -> str:
    """Return how a message names a universe: its name as given, or its tickers joined."""
    return universe.strip() if isinstance(universe, str) else ", ".join(map(str, universe))
