"""What a refresh reports: :class:`RefreshSummary`, the Ctrl-C carrier and progress bars.

:class:`RefreshSummary` is what :func:`xlsrc.data.refresh.refresh` returns (its
``lines()`` are what the CLI prints and the workbook shows), :class:`RefreshInterrupted`
carries it out of a refresh stopped by Ctrl-C, and :func:`tqdm_progress` turns a tqdm
class into the ``progress(done, total, message)`` callback a refresh reports through.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import pandas as pd

from ..periods import DEFAULT_BENCHMARK
from .ingest import SessionMove

__all__ = [
    "SHOWN",
    "Progress",
    "RefreshInterrupted",
    "RefreshSummary",
    "tqdm_progress",
]

#: How many tickers or days a summary line names before "and N more".
SHOWN: Final = 5

#: ``progress(done, total, message)``: ``done`` tickers of ``total`` handled so far.
Progress = Callable[[int, int, str], None]


class RefreshInterrupted(KeyboardInterrupt):
    """Ctrl-C during a refresh: committed writes stay; ``summary`` says what was done."""

    def __init__(self, summary: RefreshSummary) -> None:
        super().__init__(str(summary))
        self.summary = summary


def _count(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def _days(days: Sequence[pd.Timestamp]) -> str:
    shown = ", ".join(f"{d:%Y-%m-%d}" for d in list(days)[:SHOWN])
    return shown + (f" and {len(days) - SHOWN} more" if len(days) > SHOWN else "")


def _per_ticker(items: dict[str, list[pd.Timestamp]]) -> str:
    parts = [f"{t} {_days(days)}" for t, days in list(items.items())[:SHOWN]]
    text = "; ".join(parts)
    if len(items) > SHOWN:
        text += f"; and {len(items) - SHOWN} more tickers"
    return text


@dataclass
class RefreshSummary:
    """What a refresh did.

    Attributes
    ----------
    requested : list of str
        The tickers downloaded (normalised; the benchmark included).
    updated : list of str
        Tickers that got new bars (or a replaced history), in the order written.
    rows_added : int
        Bars written for sessions the store did not hold (new days and filled holes).
    replaced : list of str
        Tickers whose whole history was replaced (re-adjusted by Yahoo, or stored in
        other units than Yahoo's own history).
    replaced_why : dict of str to str
        Ticker -> why its history was replaced.
    up_to_date : list of str
        Tickers downloaded with nothing new.
    failures : dict of str to str
        Ticker -> why it was not updated (nothing of it was changed).
    last_date : pandas.Timestamp or None
        The market's latest session after the refresh (the benchmark's last bar).
    offline : bool
        Nothing was downloaded on purpose.
    interrupted : bool
        Stopped by Ctrl-C; committed writes are kept, the rest is not done.
    network_lost : bool
        The network went away part-way; the remaining tickers were not tried.
    batches : int
        Batches downloaded (committed or empty).
    seconds : float
        Wall time.
    benchmark : str
        The ticker whose last bar is the market's latest session.
    benchmark_added : bool
        The benchmark was not asked for and came along.
    holes_filled : dict of str to list of pandas.Timestamp
        Ticker -> holes this refresh filled.
    no_price : dict of str to list of pandas.Timestamp
        Ticker -> days Yahoo sent without a price in this refresh (not stored).
    holes : dict of str to list of pandas.Timestamp
        Ticker -> sessions still missing inside its stored range after the refresh
        (:func:`~xlsrc.data.refresh_checks.find_holes`), for the tickers refreshed.
    not_final : dict of str to list of pandas.Timestamp
        Ticker -> days Yahoo sent that were not final (today's partial bar) or after
        ``end``: not stored.
    waiting : dict of str to pandas.Timestamp
        Ticker -> its last bar, for tickers with bars after the market's latest session
        (they wait for the benchmark).
    moved : SessionMove or None
        The market's latest session before and after, when the refresh moved it, with
        the number of tickers that have a bar on the new one.
    """

    requested: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    rows_added: int = 0
    replaced: list[str] = field(default_factory=list)
    up_to_date: list[str] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)
    last_date: pd.Timestamp | None = None
    offline: bool = False
    interrupted: bool = False
    network_lost: bool = False
    batches: int = 0
    seconds: float = 0.0
    benchmark: str = DEFAULT_BENCHMARK
    benchmark_added: bool = False
    replaced_why: dict[str, str] = field(default_factory=dict)
    holes_filled: dict[str, list[pd.Timestamp]] = field(default_factory=dict)
    no_price: dict[str, list[pd.Timestamp]] = field(default_factory=dict)
    holes: dict[str, list[pd.Timestamp]] = field(default_factory=dict)
    not_final: dict[str, list[pd.Timestamp]] = field(default_factory=dict)
    waiting: dict[str, pd.Timestamp] = field(default_factory=dict)
    moved: SessionMove | None = None

    @property
    def ok(self) -> bool:
        """True when nothing failed and the run was complete."""
        return not self.failures and not self.interrupted and not self.network_lost

    def lines(self) -> list[str]:
        """Return the report, one sentence per line (the CLI prints them; Excel joins them)."""
        upto = f"{self.last_date:%Y-%m-%d}" if self.last_date is not None else "no date"
        holes = self._holes_line()
        if self.offline:
            return [
                f"Offline: nothing downloaded; formulas use the stored data up to {upto}.",
                *holes,
            ]
        parts = [
            f"{len(self.updated)} of {len(self.requested)} tickers updated",
            _count(self.rows_added, "row", "rows") + " added",
        ]
        if self.replaced:
            parts.append(_count(len(self.replaced), "history", "histories") + " replaced")
        if self.up_to_date:
            parts.append(f"{len(self.up_to_date)} already up to date")
        out = ["Refresh: " + ", ".join(parts) + f"; data up to {upto}."]
        if self.benchmark_added:
            out.append(
                f"{self.benchmark} came along: the market's latest day is the last bar of "
                f"the benchmark {self.benchmark}, so every refresh brings it up to date too."
            )
        if self.moved is not None:
            out.append(str(self.moved))
        if self.replaced:
            why = [f"{t} ({self.replaced_why.get(t, 're-adjusted')})" for t in self.replaced]
            more = len(why) - SHOWN
            out.append(
                "Histories replaced: "
                + "; ".join(why[:SHOWN])
                + (f"; and {more} more" if more > 0 else "")
                + "."
            )
        if self.holes_filled:
            n = sum(len(d) for d in self.holes_filled.values())
            out.append(
                f"Filled {_count(n, 'missing day', 'missing days')}: {_per_ticker(self.holes_filled)}."
            )
        if self.no_price:
            out.append(
                "Yahoo sent no price for: "
                + _per_ticker(self.no_price)
                + " (not stored; asked for again on the next refresh)."
            )
        if self.not_final:
            out.append(
                "Not stored, not final yet (Yahoo's daily bar settles about two hours "
                f"after the close): {_per_ticker(self.not_final)}."
            )
        if self.failures:
            first = list(self.failures.items())[:SHOWN]
            text = f"{len(self.failures)} failed: " + "; ".join(f"{t} ({r})" for t, r in first)
            if len(self.failures) > len(first):
                text += f"; and {len(self.failures) - len(first)} more"
            out.append(text + ".")
        if self.waiting:
            names = ", ".join(f"{t} to {d:%Y-%m-%d}" for t, d in list(self.waiting.items())[:SHOWN])
            out.append(
                f"Stored but not shown until {self.benchmark} (the benchmark) has those days "
                f"too (the market's latest day is {upto}): {names}"
                + (f" and {len(self.waiting) - SHOWN} more" if len(self.waiting) > SHOWN else "")
                + "."
            )
        out += holes
        if self.network_lost:
            out.append("Network lost part-way: run refresh again to resume.")
        if self.interrupted:
            out.append(
                "Interrupted: every write before Ctrl-C is kept (the tickers counted as "
                "updated above); the one in progress was rolled back and nothing else was "
                "changed. Run refresh again to resume."
            )
        return out

    def _holes_line(self) -> list[str]:
        if not self.holes:
            return []
        counts = [
            f"{t} {_count(len(d), 'day', 'days')} ({_days(d)})" for t, d in self.holes.items()
        ]
        more = len(counts) - SHOWN
        return [
            f"Still missing inside their stored range ({_count(len(self.holes), 'ticker', 'tickers')}; asked for "
            "again on the next refresh): "
            + "; ".join(counts[:SHOWN])
            + (f"; and {more} more tickers" if more > 0 else "")
            + "."
        ]

    def __str__(self) -> str:
        return "\n".join(self.lines())


class _BarProgress:
    """A :data:`Progress` callback drawing a tqdm-like bar (see :func:`tqdm_progress`)."""

    def __init__(self, bar_class: Callable[..., Any], **kwargs: Any) -> None:
        self._bar_class = bar_class
        self._kwargs = {"unit": "ticker", "desc": "refresh", **kwargs}
        self._bar: Any = None

    def __call__(self, done: int, total: int, message: str) -> None:
        if self._bar is None:
            self._bar = self._bar_class(total=total, **self._kwargs)
        self._bar.update(done - self._bar.n)
        if done < total:
            self._bar.set_postfix_str(message, refresh=True)

    def close(self) -> None:
        """Finish the bar."""
        if self._bar is not None:
            self._bar.close()

    def __enter__(self) -> _BarProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def tqdm_progress(bar_class: Callable[..., Any], **kwargs: Any) -> _BarProgress:
    """Make a progress callback for the command line that drives a tqdm bar.

    The data layer does not import tqdm (only adapters may: see
    ``tests/test_architecture.py``), so the CLI passes the class in. Use it as a context
    manager so the bar is closed even on errors::

        from tqdm import tqdm

        with tqdm_progress(tqdm) as bar:
            summary = refresh(store, tickers, progress=bar)

    Parameters
    ----------
    bar_class : callable
        ``tqdm.tqdm`` (or anything with the same ``total=``, ``update``, ``n``,
        ``set_postfix_str`` and ``close``).
    **kwargs
        Passed to ``bar_class`` (e.g. ``disable=True``, ``file=...``).

    Returns
    -------
    callable
        ``progress(done, total, message)`` with ``close()``.
    """
    return _BarProgress(bar_class, **kwargs)
