"""The day's rotation in words: short sentences built only from xlsrc's own numbers.

:func:`rotation_sentences` turns a :class:`RotationFacts` (numbers gathered from a market
for one day, by :func:`xlsrc.dashboard.facts.rotation_facts`) into a list of short
sentences. It adds no text of its own beyond fixed templates: every name and number in a
sentence is a field of the facts, formatted as below. No network, no clock.

Sentences, in order (a sentence whose facts are missing is left out):

1. Small vs large caps: the small-cap ETF's YTD return against the large-cap ETFs',
   the YTD spread against the first of them, and the pair's rotation signal. When the
   year of the date asked for has not traded yet (1 January) or has no data, the
   facts' ``year_note`` says so instead (no sentence compares YTD figures of 0.0).
2. The start-of-year rule: ON/OFF, both returns over the first sessions of January,
   the spread and the threshold ("so far, k of n sessions" while January is young; no
   sentence before the year's first session).
3. Breadth: the share of each universe's members above their 50-day average.
   Then, only while the RS ratings rest on fewer than the four RS windows (in the bundled
   data, before 2025-01-02), what they measure instead.
4. Sectors: the strongest three by sector score (with their SPDR's YTD) and the weakest.
5. Industry groups: the strongest three by group RS rating, with their best members.
6. Leaders: the top three of the leaders' universe by YTD, with their RS ratings.
7. Warnings (one sentence each, only when something qualifies): leaders more than
   :data:`EXTENDED_ABOVE_SMA20` above their 20-day average; RSI(14) above
   :data:`RSI_OVERBOUGHT`; ETFs at a 52-week closing high on volume below their 50-day
   average (relative volume < 1).

Formats: returns and spreads ``+9.6%`` / ``+3.9 points`` (one decimal), shares ``78%``,
sector scores ``62.7``, ratings ``86``, RSI ``71.9``, relative volume ``0.86x``. Every
sentence is at most :data:`MAX_SENTENCE` (255) characters, Excel's limit for a string in
a returned array: lists are cut to the items that fit, with ``and k more``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

import pandas as pd

from xlsrc.core.rs_history import rs_window_note

__all__ = [
    "EXTENDED_ABOVE_SMA20",
    "MAX_SENTENCE",
    "RSI_OVERBOUGHT",
    "GroupFact",
    "LeaderFact",
    "RotationFacts",
    "SectorFact",
    "StartOfYearFact",
    "rotation_sentences",
]

#: Excel shows #VALUE! for a string longer than this in a returned array.
MAX_SENTENCE: Final = 255
#: A leader this far above its 20-day SMA (a decimal: 0.20 = 20%) is flagged as extended.
EXTENDED_ABOVE_SMA20: Final = 0.20
#: RSI(14) above this is flagged as overbought (Wilder's level).
RSI_OVERBOUGHT: Final = 70.0


@dataclass(frozen=True)
class StartOfYearFact:
    """The start-of-year rule (from :class:`xlsrc.core.rotation.StartOfYearSignal`)."""

    year: int
    small: str
    large: str
    small_return: float
    large_return: float
    spread: float
    threshold: float
    signal: bool
    sessions: int
    sessions_passed: int


@dataclass(frozen=True)
class SectorFact:
    """A sector's score and its SPDR's YTD return."""

    sector: str
    score: float
    etf: str = ""
    etf_ytd: float = math.nan


@dataclass(frozen=True)
class GroupFact:
    """An industry group's RS rating and best members (``"A, B, C"``)."""

    industry: str
    group_rs_rating: float
    leaders: str = ""


@dataclass(frozen=True)
class LeaderFact:
    """A leader's YTD return and RS rating."""

    ticker: str
    ytd: float
    rs_rating: float


@dataclass(frozen=True)
class RotationFacts:
    """Everything the sentences say, for one day.

    Attributes
    ----------
    as_of : pd.Timestamp
        The trading day.
    small : str
        The small-cap ETF (IWM).
    small_ytd : float
        Its YTD return (decimal), NaN if unknown.
    large : tuple of (str, float)
        Large-cap ETFs and their YTD returns, the first one the spread's reference.
    pair_signal : str
        The rotation label of ``small``/``large[0]`` ("Small caps leading"...), "" if none.
    start_of_year : StartOfYearFact or None
    breadth : tuple of (str, float)
        (universe label, share above the 50-day SMA as a decimal).
    sector_basis : str
        What the sector score is, for the sentence ("mean RS of S&P 1500 members").
    sectors : tuple of SectorFact
        The strongest sectors, strongest first.
    weakest_sector : SectorFact or None
    groups : tuple of GroupFact
        The strongest industry groups, strongest first.
    leaders_universe : str
        The leaders' universe label ("S&P 600").
    leaders : tuple of LeaderFact
        The top leaders by YTD, best first.
    extended : tuple of (str, float)
        Leaders more than :data:`EXTENDED_ABOVE_SMA20` above their 20-day SMA (decimal).
    overbought : tuple of (str, float)
        Tickers with RSI(14) above :data:`RSI_OVERBOUGHT`.
    quiet_highs : tuple of (str, float)
        ETFs at a 52-week closing high with relative volume below 1 (the ratio).
    rs_windows : int
        The most RS windows any stock's rating rests on that day (4 = full history; see
        :func:`xlsrc.core.rs_history.rs_windows_used`).
    year_note : str
        Said first, in place of the small-vs-large sentence, when the year of the date
        asked for has no year-to-date figures to compare: it has not traded yet (as of 1
        January every YTD return is 0.0) or the data have no session of it. "" otherwise.
    """

    as_of: pd.Timestamp
    small: str = "IWM"
    small_ytd: float = math.nan
    large: tuple[tuple[str, float], ...] = ()
    pair_signal: str = ""
    start_of_year: StartOfYearFact | None = None
    breadth: tuple[tuple[str, float], ...] = ()
    sector_basis: str = ""
    sectors: tuple[SectorFact, ...] = ()
    weakest_sector: SectorFact | None = None
    groups: tuple[GroupFact, ...] = ()
    leaders_universe: str = ""
    leaders: tuple[LeaderFact, ...] = ()
    extended: tuple[tuple[str, float], ...] = field(default=())
    overbought: tuple[tuple[str, float], ...] = field(default=())
    quiet_highs: tuple[tuple[str, float], ...] = field(default=())
    rs_windows: int = 4
    year_note: str = ""


# ----------------------------------------------------------------------------- formats
def _ok(x: float) -> bool:
    return x is not None and not (isinstance(x, float) and math.isnan(x))


def _pct(x: float) -> str:
    return f"{x * 100:+.1f}%"


def _points(x: float) -> str:
    return f"{x * 100:+.1f} points"


def _share(x: float) -> str:
    return f"{x * 100:.0f}%"


def _fit(head: str, items: Sequence[str], tail: str = ".", sep: str = ", ") -> str:
    """``head + items joined + tail``, cut to the items that fit in MAX_SENTENCE."""
    for k in range(len(items), 0, -1):
        more = f" and {len(items) - k} more" if k < len(items) else ""
        text = head + sep.join(items[:k]) + more + tail
        if len(text) <= MAX_SENTENCE:
            return text
    return (head.rstrip(": ") + tail)[:MAX_SENTENCE]


# ----------------------------------------------------------------------------- sentences
def _caps(f: RotationFacts) -> str | None:
    if f.year_note:
        return f.year_note
    large = [(t, r) for t, r in f.large if _ok(r)]
    if not _ok(f.small_ytd) or not large:
        return None
    ref, ref_ytd = large[0]
    others = " and ".join(f"{t} {_pct(r)}" for t, r in large)
    text = (
        f"Small vs large caps as of {f.as_of:%Y-%m-%d}: {f.small} {_pct(f.small_ytd)} YTD "
        f"against {others}, a spread of {_points(f.small_ytd - ref_ytd)} over {ref}"
    )
    if f.pair_signal:
        text += f"; {f.small}/{ref} signal: {f.pair_signal}"
    return text + "."


def _start_of_year(f: RotationFacts) -> str | None:
    s = f.start_of_year
    if s is None or not _ok(s.spread) or s.sessions_passed < 1:  # the year has not traded
        return None
    state = "ON" if s.signal else "OFF"
    span = (
        f"the first {s.sessions} sessions of {s.year}"
        if s.sessions_passed >= s.sessions
        else f"the first {s.sessions_passed} of {s.sessions} sessions of {s.year} so far"
    )
    return (
        f"Start-of-year rule {state}: {s.small} {_pct(s.small_return)} vs {s.large} "
        f"{_pct(s.large_return)} over {span}, a spread of {_points(s.spread)} "
        f"(the rule needs more than {_points(s.threshold)})."
    )


def _breadth(f: RotationFacts) -> str | None:
    items = [(label, share) for label, share in f.breadth if _ok(share)]
    if not items:
        return None
    (label, share), *rest = items
    head = f"Breadth: {_share(share)} of the {label} above their 50-day average"
    if not rest:
        return head + "."
    return _fit(head + " against ", [f"{_share(x)} of the {name}" for name, x in rest])


def _rs_basis(f: RotationFacts) -> str | None:
    if not 1 <= f.rs_windows <= 3:
        return None
    basis = rs_window_note(f.rs_windows).removeprefix("Shortened: ")
    return f"RS ratings as of {f.as_of:%Y-%m-%d} rest on a shortened window: {basis}."


def _sector_item(s: SectorFact) -> str:
    etf = f" ({s.etf} {_pct(s.etf_ytd)} YTD)" if s.etf and _ok(s.etf_ytd) else ""
    return f"{s.sector} {s.score:.1f}{etf}"


def _sectors(f: RotationFacts) -> str | None:
    items = [_sector_item(s) for s in f.sectors if _ok(s.score)]
    if not items:
        return None
    basis = f" by {f.sector_basis}" if f.sector_basis else ""
    tail = "."
    if f.weakest_sector is not None and _ok(f.weakest_sector.score):
        tail = f"; weakest: {_sector_item(f.weakest_sector)}."
    return _fit(f"Strongest sectors{basis}: ", items, tail)


def _groups(f: RotationFacts) -> str | None:
    items = [
        f"{g.industry} {g.group_rs_rating:.0f}" + (f" ({g.leaders})" if g.leaders else "")
        for g in f.groups
        if _ok(g.group_rs_rating)
    ]
    if not items:
        return None
    return _fit("Leading industry groups (group RS rating): ", items)


def _leaders(f: RotationFacts) -> str | None:
    items = [
        f"{x.ticker} {_pct(x.ytd)}" + (f" (RS {x.rs_rating:.0f})" if _ok(x.rs_rating) else "")
        for x in f.leaders
        if _ok(x.ytd)
    ]
    if not items:
        return None
    where = f" {f.leaders_universe}" if f.leaders_universe else ""
    return _fit(f"Top{where} leaders by YTD return: ", items)


def _warnings(f: RotationFacts) -> list[str]:
    out = []
    if f.extended:
        items = [f"{t} {_pct(x)}" for t, x in f.extended]
        out.append(
            _fit(
                f"Extended, more than {EXTENDED_ABOVE_SMA20 * 100:.0f}% above the 20-day average: ",
                items,
            )
        )
    if f.overbought:
        items = [f"{t} {x:.1f}" for t, x in f.overbought]
        out.append(_fit(f"RSI(14) above {RSI_OVERBOUGHT:.0f}: ", items))
    if f.quiet_highs:
        items = [f"{t} {x:.2f}x" for t, x in f.quiet_highs]
        out.append(
            _fit(
                "At a 52-week closing high on below-average volume (volume / 50-day average): ",
                items,
            )
        )
    return out


def rotation_sentences(facts: RotationFacts) -> list[str]:
    """Word the day's rotation as short sentences (the order: see the module docstring).

    Parameters
    ----------
    facts : RotationFacts
        The numbers of one day.

    Returns
    -------
    list of str
        Up to ten sentences, each at most :data:`MAX_SENTENCE` characters (a sentence
        that would be longer only through over-long names is cut and ends in "...");
        a sentence whose facts are missing (NaN, empty) is left out, so the list can be
        empty.
    """
    builders = (_caps, _start_of_year, _breadth, _rs_basis, _sectors, _groups, _leaders)
    out = [s for s in (b(facts) for b in builders) if s]
    out += _warnings(facts)
    # Lists are fitted above; a fixed template with over-long names (a ticker of 200
    # characters) is the only way past the limit: cut it visibly rather than fail.
    return [s if len(s) <= MAX_SENTENCE else s[: MAX_SENTENCE - 3] + "..." for s in out]
