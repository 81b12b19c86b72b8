"""The one gate every bar passes before it is stored: one rule set for every provider.

:func:`check_bars` takes a long frame from any provider (Yahoo, a CSV file, a direct call)
and returns the bars that may be stored as :class:`ValidBars` plus a list of
:class:`BarProblem`. Only :func:`check_bars` makes :class:`ValidBars`, and a store's
``write_bars`` accepts nothing else, so no path into the store skips the rules. What a
provider does with problems is its own policy (a CSV file is refused whole, naming its
lines; a Yahoo batch drops the failing tickers and reports them), not its own rules.

Rules, per row (``row`` = position in the frame handed in):

========== ===============================================================================
rule       what is refused
========== ===============================================================================
ticker     a symbol that is not a ticker, or one listed outside the US
           (:func:`~xlsrc.data.universes.check_us_listed`: the store holds XNYS sessions)
date       a missing date, a time of day other than midnight (a provider must convert
           timestamps to the session's date first), a day that is not an XNYS session
           (weekend, holiday), a session after the last one closed at ``now``
close      a missing, zero, negative or infinite close
price      an open, high, low or split-only close that is zero, negative or infinite
           (missing is allowed: unknown)
range      ``high < low`` or a close outside ``[low, high]`` (relative slack
           :data:`PRICE_TOLERANCE`); the open is exempt (real Yahoo data breaks it now and
           then: 3 of 377,848 bars in the shared OHLCV files)
volume     a negative or infinite volume, or one above :data:`MAX_VOLUME` (missing is
           allowed)
duplicate  the same (ticker, session) twice with different values (identical repeats are
           collapsed)
jump       a close-to-close step that looks like a unit switch or an unadjusted split, or
           one at or beyond :data:`EXTREME_STEP` either way, that no split record
           explains (see below); ``allow_jumps`` overrides
split      a step that a recorded split *does* explain: the bars before the split are not
           adjusted for it (Yahoo serves a split unadjusted for a day or two); never
           overridden (the history must be re-downloaded or adjusted first)
basis      new closes that differ from the stored closes of the same days *systematically*
           (see below): another adjustment basis or another security, which an upsert
           would splice into the stored history; ``allow_other_basis`` overrides (a
           replaced history: ``--replace``; corrections: ``--overwrite``)
========== ===============================================================================

Plausibility across bars (rules ``jump`` and ``split``): for each ticker the new closes are
put in session order together with the stored neighbours the caller passes (the last
stored close before the first new session, every stored close between new ones, e.g.
around a filled hole, and the first one after the last), and every close-to-close ratio
``r = c[t] / c[t-1]`` with a new close on either side is compared with the steps a wrong
unit or an unadjusted split makes: ``r`` within :data:`JUMP_TOLERANCE` (relative) of ``k`` or ``1/k``
for ``k`` in :data:`SPLIT_RATIOS` (2:1 ... 50:1) or :data:`UNIT_RATIOS` (x100 pence/pounds
or cents/dollars, x1000). A real move of exactly that size (a -50 % day) is refused too:
that is the price of never storing a -75 % cliff that is really a 4:1 split; the message
says how to accept it.

The bands are 8 % wide around factors that grow sparser as they grow, so on their own they
leave gaps (x16.2 .. x18.4 between the x15 and x20 bands, x54 .. x92, everything beyond
x1080) where a step no real session makes passes unnoticed: a close going from 0.01 to 625
(x62,500, PPCB on 2025-01-29 in the shared closes) resembled no factor and was stored. So
every step ``r >= EXTREME_STEP`` or ``r <= 1 / EXTREME_STEP`` is a ``jump`` too, named as
such ("a one-session step of x62500"). :data:`EXTREME_STEP` is 16.2, the upper edge of the
x15 band (``15 * (1 + JUMP_TOLERANCE)``): with that band, every rise of x13.8 or more and
every fall to 1/13.9 or less (8 % around 1/15) is flagged, with no gap.

Why not higher (the x20 band's lower edge, 18.4): of the 9 steps between x16.2 and x18.4
in the shared closes (2024-01 .. 2026-08, 12,466 tickers), 6 are lasting changes of scale
(GNLN 1476 -> 90, OST 225.5 -> 13.75, NIVF 1080 -> 18180: reverse splits of odd ratios,
unadjusted), one is the file's last session (CLDI 0.093 -> 1.605), one a one-day print
(GIBO 31.25 -> 1.25 -> 22.70), and one a real move (QMMM +1,737 % on 2025-09-09, reported
at the time), which ``allow_jumps`` accepts. Why not lower: the gaps
below the x15 band hold real one-day moves of small companies (in the same closes 907
steps of x2 or more either way fall in no band, 31 of them between x10 and x13.9), which
a refusal would bury. The bundled snapshot applies the same threshold when it is built
(``scripts/build_snapshot.py``: a ticker's bars before its last such step are dropped).

Another basis (rule ``basis``): for each ticker, the new closes on days the store already
holds are compared with the stored ones. A day *differs* when the two closes are more
than :data:`BASIS_TOLERANCE` (relative) and more than :data:`ROUNDING` (absolute: a
price rounded to cents) apart. When at least half of the overlapping days differ, the
input is another history of the ticker, not a correction of a few days: an unadjusted
export over the dividend-adjusted store (Yahoo's ``Close`` against ``Adj Close``: a ratio
that is constant between ex-dividend days), an export adjusted as of another date, or
another security's prices. Written as an upsert it would leave a step where the stored
and the new closes meet (an unadjusted XLE file over the adjusted snapshot made a +5.6 %
day out of a +0.8 % one), so it is refused, naming the first differing day, the range of
the ratios and, from :data:`BASIS_MIN_DAYS` overlapping days on, whether they are
constant in steps (another adjustment basis) or not (another series). An overlap shorter
than :data:`BASIS_MIN_DAYS` with any differing day is refused too: three days cannot tell
a correction from another basis (the last 3 rows of the unadjusted XLE file, all
+1.4 % over the adjusted closes, turned XLE's 1D return on 2026-02-13 from +0.69 % into
+2.07 %). Only many overlapping days of which fewer than half differ, none by more than
:data:`LARGE_CORRECTION`, are taken as corrections without being asked: stored, and
reported by the caller
(:class:`xlsrc.data.ingest.Overwritten`). ``allow_other_basis`` (``--overwrite``:
the differing days are corrections; ``--replace``: the input is the history) overrides.

Size: about 670 lines, kept in one file on purpose: this is *the* gate, and every rule
(the table above, the jump and split tests, the plausibility and other-basis checks)
is read in one place, next to :func:`check_bars` that applies them in order. A rule
moved to another module would be one a reviewer of the gate could miss.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from ..errors import InvalidParameterError
from .calendar import Calendar
from .schema import BAR_COLUMNS, BAR_FIELDS, PRICE_FIELDS, SECURITY_TYPES
from .universes import DERIVED_UNIVERSES, STOCKS, check_us_listed, normalise_ticker

__all__ = [
    "BASIS_MIN_DAYS",
    "BASIS_TOLERANCE",
    "EXTREME_STEP",
    "JUMP_TOLERANCE",
    "LARGE_CORRECTION",
    "MAX_VOLUME",
    "PRICE_TOLERANCE",
    "RESERVED_UNIVERSES",
    "ROUNDING",
    "SECURITY_FIELDS",
    "SPLIT_RATIOS",
    "UNIT_RATIOS",
    "BarProblem",
    "ValidBars",
    "check_bars",
    "check_securities",
    "check_security_types",
    "check_universe_name",
    "find_jumps",
]

#: The largest daily volume a bar may have: 10^12 shares, 55 times the largest in the
#: bundled data (the Nasdaq Composite's 18.3 billion on 2026-06-18; no stock above 10^10).
#: A 1e20 from a broken export would make every relative volume reading that day absurd.
MAX_VOLUME: Final = 1e12
#: Relative slack for ``low <= close <= high`` (adjusted prices carry float noise).
PRICE_TOLERANCE: Final = 1e-6
#: Split ratios whose step (k or 1/k) a close-to-close ratio is compared with.
SPLIT_RATIOS: Final[tuple[int, ...]] = (2, 3, 4, 5, 6, 8, 10, 15, 20, 25, 30, 40, 50)
#: Unit switches: pence/pounds and cents/dollars (x100), thousands (x1000).
UNIT_RATIOS: Final[tuple[int, ...]] = (100, 1000)
#: How close (relative) a ratio must come to a split or unit step to be flagged. An
#: unadjusted 4:1 split on a day the stock also moved 5 % gives 0.25 * 1.05 = 0.2625,
#: 5 % from 0.25; 8 % leaves room for a volatile day.
JUMP_TOLERANCE: Final = 0.08
#: A close-to-close ratio at or beyond this size either way (``r >= EXTREME_STEP`` or
#: ``r <= 1 / EXTREME_STEP``) is a ``jump`` whatever factor it resembles: the upper edge of
#: the x15 band, 15 * (1 + 8 %), so that every rise of x13.8 or more and fall to 1/13.9 or
#: less is flagged (module
#: docstring: why this size). The bundled snapshot's builder drops history before such steps.
EXTREME_STEP: Final = 16.2
#: Relative difference above which a new close differs from the stored close of its day
#: (rule ``basis``). Float noise in adjusted closes is ~1e-7; a quarterly dividend moves
#: an adjusted close by ~2e-3 or more.
BASIS_TOLERANCE: Final = 1e-3
#: Absolute difference (in price units) a close may have from the stored one of its day
#: and still be the same close: a price rounded to cents is off by up to half a cent.
ROUNDING: Final = 0.006
#: Overlapping stored days from which a minority of differing closes counts as corrections
#: (rule ``basis``); with fewer, any differing close is refused (too few days to tell).
BASIS_MIN_DAYS: Final = 5
#: The largest change of a stored close taken as a correction without being asked
#: (``--overwrite``): 10 %. A few closes 30 % off among many equal days are more likely a
#: bad export than a vendor's correction, and would make steps that never happened.
LARGE_CORRECTION: Final = 0.10
#: Share of the overlapping days that must differ for the rule ``basis``.
BASIS_SHARE: Final = 0.5
#: Day-to-day change of the new/stored ratio below which two days share one basis: a
#: ratio constant between a few steps is another adjustment (dividends, splits).
BASIS_STEP: Final = 2e-3
#: Universe names the store computes or reserves (never stored): every stock, every
#: ticker, and the derived universes (``sp1500``).
RESERVED_UNIVERSES: Final[tuple[str, ...]] = (STOCKS, "all", *DERIVED_UNIVERSES)

_TOKEN = object()
#: The factors :func:`find_jumps` returns for a step within a band (exactly these floats).
_FACTORS: Final = frozenset(f for k in (*SPLIT_RATIOS, *UNIT_RATIOS) for f in (float(k), 1.0 / k))
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class BarProblem:
    """Why one input row may not be stored.

    Attributes
    ----------
    row : int
        Position of the row in the frame given to :func:`check_bars` (0-based); a
        provider maps it to its own terms (a CSV line).
    ticker : str
        The ticker as normalised, or as written when it could not be.
    date : pd.Timestamp or None
        The row's date, if it had one.
    rule : str
        One of ``ticker``, ``date``, ``close``, ``price``, ``range``, ``volume``,
        ``duplicate``, ``jump``, ``split``, ``basis`` (or a caller's own rule, e.g.
        :func:`~xlsrc.data.ingest.ingest_bars`' ``latest``).
    message : str
        One sentence naming the ticker, the day and the values.
    """

    row: int
    ticker: str
    date: pd.Timestamp | None
    rule: str
    message: str

    def __str__(self) -> str:
        return self.message


class ValidBars:
    """Bars that passed :func:`check_bars`; the only input a store's ``write_bars`` takes.

    Attributes
    ----------
    frame : pd.DataFrame
        Columns :data:`~xlsrc.data.schema.BAR_COLUMNS`; ``ticker`` normalised, ``date``
        naive midnight session dates, fields ``float64`` (NaN = unknown); sorted by
        ticker and date, one row per (ticker, date).
    """

    __slots__ = ("frame",)

    def __init__(self, frame: pd.DataFrame, token: object = None) -> None:
        if token is not _TOKEN:
            raise TypeError("ValidBars are made by xlsrc.data.validate.check_bars only")
        self.frame = frame

    def __len__(self) -> int:
        return len(self.frame)

    @property
    def tickers(self) -> list[str]:
        """The distinct tickers, sorted."""
        return sorted(self.frame["ticker"].unique().tolist())

    def without(self, tickers: Iterable[str]) -> ValidBars:
        """Return these bars without the given tickers' rows (still valid)."""
        drop = set(tickers)
        return ValidBars(
            self.frame[~self.frame["ticker"].isin(drop)].reset_index(drop=True), _TOKEN
        )

    def first_dates(self) -> dict[str, pd.Timestamp]:
        """Ticker -> its first session in these bars."""
        return {
            str(t): pd.Timestamp(d) for t, d in self.frame.groupby("ticker")["date"].min().items()
        }


def _empty_frame() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype="float64") for c in BAR_COLUMNS})
    frame["ticker"] = frame["ticker"].astype(object)
    frame["date"] = pd.Series(dtype="datetime64[ns]")
    return frame


def _day_name(day: pd.Timestamp, calendar: Calendar) -> str:
    if day.weekday() >= 5:
        return f"a {_WEEKDAYS[day.weekday()]}"
    if day > calendar.last:
        return "beyond the exchange calendar"
    return "an exchange holiday"


def find_jumps(closes: np.ndarray, tolerance: float = JUMP_TOLERANCE) -> np.ndarray:
    """Return, for each close-to-close step, the factor it resembles or its extreme size (0 = none).

    Parameters
    ----------
    closes : np.ndarray
        Closes of one ticker in session order (length n).
    tolerance : float
        Relative distance from a factor that counts as resembling it.

    Returns
    -------
    np.ndarray
        Length ``n - 1``, ``float64``: for step ``i`` (from ``closes[i]`` to
        ``closes[i + 1]``, ratio ``r``) the factor ``k`` of :data:`SPLIT_RATIOS` or
        :data:`UNIT_RATIOS` with ``r`` within ``tolerance`` of ``k`` (a rise: ``k > 1``)
        or of ``1/k`` (a fall: returned as ``1/k``); else, when ``r >= EXTREME_STEP`` or
        ``r <= 1 / EXTREME_STEP``, ``r`` itself (a step larger than any real session's,
        see the module docstring); else 0.
    """
    closes = np.asarray(closes, dtype=np.float64)
    if len(closes) < 2:
        return np.zeros(0)
    ratio = closes[1:] / closes[:-1]
    out = np.zeros(len(ratio))
    for k in (*SPLIT_RATIOS, *UNIT_RATIOS):
        for factor in (float(k), 1.0 / k):
            hit = np.abs(ratio / factor - 1.0) <= tolerance
            out = np.where((out == 0) & hit, factor, out)
    extreme = (ratio >= EXTREME_STEP) | (ratio <= 1.0 / EXTREME_STEP)
    return np.where((out == 0) & extreme, ratio, out)


def _times(ratio: float) -> str:
    """Write a ratio as ``x0.2505``, ``x62500`` (4 significant digits, no exponent)."""
    return "x" + np.format_float_positional(
        ratio, precision=4, unique=False, fractional=False, trim="-"
    )


def _extreme_size(ratio: float) -> str:
    """Write an extreme step's size: ``x62500`` for a rise, ``x1/40`` for a fall."""
    return _times(ratio) if ratio >= 1.0 else "x1/" + _times(1.0 / ratio)[1:]


def _describe_step(
    ticker: str, prev_day: pd.Timestamp, day: pd.Timestamp, a: float, b: float
) -> str:
    change = b / a - 1.0
    verb = "falls" if change < 0 else "rises"
    return (
        f"{ticker}: close {verb} {abs(change):.1%} from {a:g} on {prev_day:%Y-%m-%d} "
        f"to {b:g} on {day:%Y-%m-%d} ({_times(b / a)})"
    )


def check_bars(
    frame: pd.DataFrame,
    *,
    calendar: Calendar,
    now: object,
    neighbours: pd.DataFrame | None = None,
    splits: Mapping[str, Mapping[pd.Timestamp, float]] | None = None,
    allow_jumps: bool | Iterable[tuple[str, object]] = False,
    allow_other_basis: bool = False,
) -> tuple[ValidBars, list[BarProblem]]:
    """Check bars against the one rule set (module docstring) and keep those that pass.

    Parameters
    ----------
    frame : pd.DataFrame
        Long bars: ``ticker``, ``date`` and any of :data:`~xlsrc.data.schema.BAR_FIELDS`
        (``close`` required). ``date`` must already be the session's date (naive
        midnight): providers convert timestamps with offsets first
        (:mod:`xlsrc.dates`).
    calendar : Calendar
        The exchange calendar (:func:`xlsrc.data.calendar.get_calendar`).
    now : datetime-like
        The current time (UTC if naive): a bar after the last session closed by then is
        refused. Passed in so tests are repeatable.
    neighbours : pd.DataFrame, optional
        Stored bars near the new ones (``ticker``, ``date``, ``close``): the junction
        between stored and new closes is checked too (stored days that the new bars
        replace are left out of it), and stored days the new bars also have are compared
        with them (rule ``basis``).
    splits : mapping, optional
        Ticker -> {session: split ratio} from the provider's own split record (yfinance
        ``Stock Splits``: 4.0 for a 4-for-1 split, 0.1 for a 1-for-10 reverse split).
    allow_jumps : bool or iterable of (ticker, date)
        Accept ``jump`` steps: all (True) or those ending on the given (ticker, session).
    allow_other_basis : bool
        Accept new closes that differ from the stored ones of their days (rule
        ``basis``): the caller replaces the history, takes them as corrections, or checks
        them its own way.

    Returns
    -------
    valid : ValidBars
        The rows without a problem (a ticker with a ``jump``/``split`` problem keeps its
        other rows: the provider's policy decides whether to write them).
    problems : list of BarProblem
        In row order.

    Raises
    ------
    InvalidParameterError
        If ``frame`` has no ``ticker``, ``date`` or ``close`` column.
    """
    missing = [c for c in ("ticker", "date", "close") if c not in frame.columns]
    if missing:
        raise InvalidParameterError(
            name="bars frame",
            value=list(frame.columns),
            allowed="columns ticker, date, close (+ " + ", ".join(BAR_FIELDS) + ")",
        )
    problems: list[BarProblem] = []
    n = len(frame)
    if n == 0:
        return ValidBars(_empty_frame(), _TOKEN), problems
    now_ts = pd.Timestamp(now)
    last_closed = calendar.last_closed_session(now_ts)

    raw_tickers = frame["ticker"].tolist()
    tickers: list[str] = []
    ok = np.ones(n, dtype=bool)
    for i, text in enumerate(raw_tickers):
        try:
            tickers.append(check_us_listed(text))
        except InvalidParameterError as exc:
            tickers.append(str(text))
            ok[i] = False
            problems.append(BarProblem(i, str(text), None, "ticker", str(exc)))

    dates = pd.to_datetime(pd.Series(frame["date"]).reset_index(drop=True), errors="coerce")
    if getattr(dates.dt, "tz", None) is not None:
        raise InvalidParameterError(
            name="bar dates",
            value=str(dates.dt.tz),
            allowed="session dates without a time zone (convert with xlsrc.dates first)",
        )
    values = {
        f: (
            pd.to_numeric(pd.Series(frame[f]).reset_index(drop=True), errors="coerce").to_numpy(
                dtype=np.float64
            )
            if f in frame.columns
            else np.full(n, np.nan)
        )
        for f in BAR_FIELDS
    }
    day_ok = dates.notna().to_numpy()
    safe = dates.where(dates.notna(), pd.Timestamp("1970-01-02"))
    midnight = (safe == safe.dt.normalize()).to_numpy()
    session = calendar.is_session(safe.to_numpy())
    closed = (safe <= last_closed).to_numpy()
    close = values["close"]
    close_ok = np.isfinite(close) & (close > 0)
    price_bad = {
        f: (~np.isnan(values[f]) & ~np.isfinite(values[f]))
        | (np.isfinite(values[f]) & (values[f] <= 0))
        for f in PRICE_FIELDS
        if f != "close"
    }
    high, low = values["high"], values["low"]
    slack = PRICE_TOLERANCE * np.where(np.isfinite(close), np.abs(close), 0.0)
    inverted = np.isfinite(high) & np.isfinite(low) & (high < low - slack)
    outside = (np.isfinite(high) & (close > high + slack)) | (
        np.isfinite(low) & (close < low - slack)
    )
    volume = values["volume"]
    volume_bad = ~np.isnan(volume) & (~np.isfinite(volume) | (volume < 0) | (volume > MAX_VOLUME))

    def add(i: int, rule: str, message: str) -> None:
        ok[i] = False
        day = dates.iloc[i]
        problems.append(BarProblem(i, tickers[i], None if pd.isna(day) else day, rule, message))

    # one problem per row, the first rule it breaks; messages only for failing rows
    failing = ~(
        day_ok & midnight & session & closed & close_ok & ~inverted & ~outside & ~volume_bad
    ) | np.logical_or.reduce(list(price_bad.values()))
    for position in np.flatnonzero(failing & ok):
        i = int(position)
        t, day = tickers[i], dates.iloc[i]
        if not day_ok[i]:
            add(i, "date", f"{t}: date {frame['date'].iloc[i]!r} is not a date")
        elif not midnight[i]:
            add(i, "date", f"{t}: {day} has a time of day; a daily bar is dated by its session")
        elif not session[i]:
            add(
                i, "date", f"{t}: {day:%Y-%m-%d} is {_day_name(day, calendar)}, not an NYSE session"
            )
        elif not closed[i]:
            add(
                i,
                "date",
                f"{t}: {day:%Y-%m-%d} is after the last closed session ({last_closed:%Y-%m-%d})",
            )
        elif not close_ok[i]:
            add(
                i,
                "close",
                f"{t}: close on {day:%Y-%m-%d} is {close[i]:g} (must be a positive number)",
            )
        elif any(bad[i] for bad in price_bad.values()):
            f = next(f for f, bad in price_bad.items() if bad[i])
            add(
                i,
                "price",
                f"{t}: {f} on {day:%Y-%m-%d} is {values[f][i]:g} (must be a positive number)",
            )
        elif inverted[i]:
            add(i, "range", f"{t}: high {high[i]:g} is below low {low[i]:g} on {day:%Y-%m-%d}")
        elif outside[i]:
            add(
                i,
                "range",
                f"{t}: close {close[i]:g} is outside low {low[i]:g} .. high {high[i]:g} "
                f"on {day:%Y-%m-%d}",
            )
        else:
            add(
                i,
                "volume",
                f"{t}: volume on {day:%Y-%m-%d} is {volume[i]:g} "
                + (
                    f"(more than {MAX_VOLUME:,.0f} shares: no session trades that many)"
                    if volume[i] > MAX_VOLUME
                    else "(must be >= 0)"
                ),
            )

    good = pd.DataFrame({"ticker": tickers, "date": dates, **values})
    good["row"] = np.arange(n)
    good = good[ok]
    # duplicates: identical repeats collapse, differing ones are refused
    dup = good.duplicated(["ticker", "date"], keep=False)
    if dup.any():
        fields = ["close", *(f for f in BAR_FIELDS if f != "close")]  # name the close first
        for (t, day), group in good[dup].groupby(["ticker", "date"], sort=False):
            first = group.iloc[0]
            for _, other in group.iloc[1:].iterrows():
                differ = [
                    f
                    for f in fields
                    if not ((np.isnan(first[f]) and np.isnan(other[f])) or first[f] == other[f])
                ]
                if differ:
                    f = differ[0]
                    shown = "{:,.0f}" if f == "volume" else "{:g}"
                    add(
                        int(other["row"]),
                        "duplicate",
                        f"{t}: {day:%Y-%m-%d} appears twice with different values ({f} "
                        f"{shown.format(first[f])} and {shown.format(other[f])})",
                    )
        good = good[ok[good["row"].to_numpy()]]
        good = good.drop_duplicates(["ticker", "date"], keep="first")

    good = good.sort_values(["ticker", "date"], kind="stable")
    problems += _plausibility(good, neighbours, splits, allow_jumps)
    if not allow_other_basis:
        problems += _other_basis(good, neighbours)
    refused_rows = {p.row for p in problems if p.rule in ("jump", "split", "basis")}
    if refused_rows:
        good = good[~good["row"].isin(refused_rows)]
    problems.sort(key=lambda p: p.row)
    out = good[list(BAR_COLUMNS)].reset_index(drop=True)
    return ValidBars(out, _TOKEN), problems


def _allowed(
    allow_jumps: bool | Iterable[tuple[str, object]],
) -> tuple[bool, set[tuple[str, pd.Timestamp]]]:
    if isinstance(allow_jumps, bool):
        return allow_jumps, set()
    return False, {(normalise_ticker(t), pd.Timestamp(d).normalize()) for t, d in allow_jumps}


def _plausibility(
    good: pd.DataFrame,
    neighbours: pd.DataFrame | None,
    splits: Mapping[str, Mapping[pd.Timestamp, float]] | None,
    allow_jumps: bool | Iterable[tuple[str, object]],
) -> list[BarProblem]:
    """Apply the ``jump`` and ``split`` rules to each ticker's new closes and stored neighbours."""
    allow_all, allowed = _allowed(allow_jumps)
    problems: list[BarProblem] = []
    stored: dict[str, pd.DataFrame] = {}
    if neighbours is not None and len(neighbours):
        for t, g in neighbours.groupby("ticker", sort=False):
            stored[str(t)] = g[["date", "close"]]
    split_days = {
        normalise_ticker(t): {pd.Timestamp(d).normalize(): float(r) for d, r in days.items() if r}
        for t, days in (splits or {}).items()
    }
    for t, new in good.groupby("ticker", sort=False):
        t = str(t)
        series = new[["date", "close", "row"]].copy()
        if t in stored:
            old = stored[t].sort_values("date", kind="stable")
            old = old[~old["date"].isin(series["date"])]
            lo, hi = series["date"].min(), series["date"].max()
            before = old[old["date"] < lo].tail(1)
            inside = old[(old["date"] > lo) & (old["date"] < hi)]
            after = old[old["date"] > hi].head(1)
            series = pd.concat(
                [before.assign(row=-1), inside.assign(row=-1), series, after.assign(row=-1)],
                ignore_index=True,
            ).sort_values("date", kind="stable")
        closes = series["close"].to_numpy(dtype=np.float64)
        factors = find_jumps(closes)
        days = pd.DatetimeIndex(series["date"])
        rows = series["row"].to_numpy()
        for i in np.flatnonzero(factors):
            if rows[i] < 0 and rows[i + 1] < 0:  # two stored bars: not this input's step
                continue
            prev_day, day = days[i], days[i + 1]
            # the row to refuse: the later bar if it is new, else the earlier one
            row = int(rows[i + 1]) if rows[i + 1] >= 0 else int(rows[i])
            step = _describe_step(t, prev_day, day, closes[i], closes[i + 1])
            ratio = closes[i + 1] / closes[i]
            split = split_days.get(t, {}).get(day)
            if split and abs(ratio * split - 1.0) <= JUMP_TOLERANCE:
                problems.append(
                    BarProblem(
                        row,
                        t,
                        day,
                        "split",
                        f"{step}: the provider records a {split:g}-for-1 split on "
                        f"{day:%Y-%m-%d} that the earlier bars do not reflect; download the "
                        "full history again (adjusted) or import split-adjusted prices",
                    )
                )
            elif not (allow_all or (t, day) in allowed):
                if factors[i] not in _FACTORS:  # no factor fits: an extreme step
                    what = (
                        f"a one-session step of {_extreme_size(ratio)}, beyond "
                        f"x{EXTREME_STEP:g} either way: no real session is taken to move "
                        "that far unasked"
                    )
                else:
                    what = (
                        "a step the size of an unadjusted split or a unit switch that no "
                        "split record explains"
                    )
                problems.append(
                    BarProblem(
                        row,
                        t,
                        day,
                        "jump",
                        f"{step}: {what}; if it is real, accept it with "
                        f"--allow-jump {t}:{day:%Y-%m-%d}",
                    )
                )
    return problems


def _other_basis(good: pd.DataFrame, neighbours: pd.DataFrame | None) -> list[BarProblem]:
    """Apply the rule ``basis``: new closes that differ from the stored ones of their days.

    A ticker is refused when any overlapping day differs and either the overlap is
    shorter than :data:`BASIS_MIN_DAYS` (too few days to tell a correction from another
    history) or at least :data:`BASIS_SHARE` of it differs (another history).
    """
    if neighbours is None or len(neighbours) == 0 or len(good) == 0:
        return []
    stored = neighbours[["ticker", "date", "close"]].rename(columns={"close": "stored"})
    both = good[["ticker", "date", "close", "row"]].merge(stored, on=["ticker", "date"])
    problems: list[BarProblem] = []
    for t, g in both.groupby("ticker", sort=True):
        g = g.dropna(subset=["stored"]).sort_values("date", kind="stable")
        n = len(g)
        if n == 0:
            continue
        new = g["close"].to_numpy(dtype=np.float64)
        old = g["stored"].to_numpy(dtype=np.float64)
        gap = np.abs(new - old)
        differ = (gap > BASIS_TOLERANCE * np.abs(old)) & (gap > ROUNDING)
        k = int(differ.sum())
        ratio = new / old
        large = differ & (np.abs(ratio - 1.0) > LARGE_CORRECTION)
        if k == 0 or (n >= BASIS_MIN_DAYS and k < BASIS_SHARE * n and not large.any()):
            continue  # the same closes, or a few small corrections among many equal days
        first = int(np.flatnonzero(differ)[0])
        days = pd.DatetimeIndex(g["date"])
        since = pd.Timestamp(good.loc[good["ticker"] == t, "date"].min())
        day = days[first]
        if n >= BASIS_MIN_DAYS and k < BASIS_SHARE * n:
            worst = int(np.argmax(np.where(differ, np.abs(ratio - 1.0), -1.0)))
            first, day = worst, days[worst]
            kind = (
                f"a correction of more than {LARGE_CORRECTION:.0%} (x{ratio[worst]:.4g} on "
                f"{day:%Y-%m-%d}) is not taken without being asked"
            )
        elif n < BASIS_MIN_DAYS and k < BASIS_SHARE * n:
            kind = (
                f"too few overlapping days (fewer than {BASIS_MIN_DAYS}) to tell "
                "corrections from another basis or security"
            )
        elif n < BASIS_MIN_DAYS:
            kind = (
                f"another basis or security? (fewer than {BASIS_MIN_DAYS} overlapping days "
                "cannot tell it from corrections)"
            )
        else:
            steps = np.abs(ratio[1:] / ratio[:-1] - 1.0)
            constant = float(np.mean(steps <= BASIS_STEP)) >= 0.9
            kind = (
                "another adjustment basis (the ratio stays constant between a few steps: "
                "adjusted for dividends or splits otherwise, or as of another date)"
                if constant
                else "another price series (another security or data source?)"
            )
        shown = [d for d, x in zip(days, differ, strict=True) if x]
        listed = ", ".join(f"{d:%Y-%m-%d}" for d in shown[:5]) + (
            f" and {len(shown) - 5} more" if len(shown) > 5 else ""
        )
        span = f"{days[0]:%Y-%m-%d}" if n == 1 else f"{days[0]:%Y-%m-%d}..{days[-1]:%Y-%m-%d}"
        ratios = (
            f"x{ratio[differ].min():.4g}"
            if k == 1
            else f"x{ratio[differ].min():.4g} to x{ratio[differ].max():.4g}"
        )
        problems.append(
            BarProblem(
                int(g["row"].iloc[first]),
                str(t),
                day,
                "basis",
                f"{t}: the new closes differ from the stored ones on {k} of the {n} stored "
                f"day{'s' if n != 1 else ''} they overlap ({span}), by {ratios} (on "
                f"{day:%Y-%m-%d} stored {old[first]:g}, new {new[first]:g}): {kind}."
                + (f" The days that differ: {listed}." if k < n else "")
                + f" Mixed with the stored days they would make steps that never "
                f"happened; to make them {t}'s history from {since:%Y-%m-%d} on instead "
                "(stored days after them go too), import with --replace; if they are "
                "corrections of those days, import with --overwrite",
            )
        )
    return problems


def check_universe_name(name: object) -> str:
    """Return a universe name normalised (stripped, lower case), or raise.

    Raises
    ------
    InvalidParameterError
        For an empty name, one with characters other than letters, digits, ``-``, ``_``
        and ``.``, or a reserved name (``stocks``, ``all``, ``sp1500``: computed by
        xlsrc; the message says so).
    """
    allowed = "letters, digits, - _ . (not " + ", ".join(RESERVED_UNIVERSES) + ")"
    if not isinstance(name, str) or not name.strip():
        raise InvalidParameterError(name="universe name", value=name, allowed=allowed)
    key = name.strip().lower()
    if key in RESERVED_UNIVERSES:
        made = (
            " + ".join(DERIVED_UNIVERSES[key])
            if key in DERIVED_UNIVERSES
            else ("every stock in the store" if key == STOCKS else "every ticker in the store")
        )
        raise InvalidParameterError(
            f"{key} is computed by xlsrc ({made}) and cannot be saved as a universe: "
            "choose another name",
            name="universe name",
            value=name,
        )
    if not all(c.isalnum() or c in "-_." for c in key):
        raise InvalidParameterError(name="universe name", value=name, allowed=allowed)
    return key


#: The fields of a security besides its ticker, as every backend stores them.
SECURITY_FIELDS: Final[tuple[str, ...]] = ("name", "sector", "industry", "type")


def check_securities(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a securities frame as every backend writes it: checked, normalised, one shape.

    Parameters
    ----------
    frame : pd.DataFrame
        A ``ticker`` column (or index) and any of :data:`SECURITY_FIELDS`.

    Returns
    -------
    pd.DataFrame
        Columns ``ticker`` (normalised) and the fields the input has, in
        :data:`SECURITY_FIELDS` order, ``object`` dtype with None for a missing value (a
        missing value leaves the stored one as it is).

    Raises
    ------
    InvalidParameterError
        Without a ``ticker`` column, for a ticker that is not one, or a type outside
        :data:`SECURITY_TYPES`.
    """
    if "ticker" not in frame.columns and frame.index.name == "ticker":
        frame = frame.reset_index()
    if "ticker" not in frame.columns:
        raise InvalidParameterError(
            name="securities frame", value=list(frame.columns), allowed="a 'ticker' column"
        )
    cols = [c for c in SECURITY_FIELDS if c in frame.columns]
    data = frame[["ticker", *cols]].astype(object)
    data = data.where(data.notna(), None)
    data["ticker"] = [normalise_ticker(t) for t in data["ticker"]]
    if "type" in cols:
        check_security_types(data["type"])
    return data


def check_security_types(types: Iterable[object]) -> None:
    """Raise InvalidParameterError for a security type outside :data:`SECURITY_TYPES`."""
    bad = sorted({str(t) for t in types if t is not None and t not in SECURITY_TYPES})
    if bad:
        raise InvalidParameterError(
            name="security type", value=bad[0], allowed=", ".join(SECURITY_TYPES)
        )
