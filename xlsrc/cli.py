"""The ``xlsrc`` command line: answers from the local store, writes the report, refreshes data.

Every command reads the store through :func:`xlsrc.market.get_market` (the bundled
snapshot read in place, under what the user added) and prints its answer; an error is one line on stderr,
``xlsrc: error: <what is wrong>``, with exit status 1 (2 for a bad command line).

The table commands (``quote``, ``leaders``, ``sectors``, ``status``) take ``--format
table|csv|json``: the aligned table for a person (the default), or records for another
program (:mod:`xlsrc.dashboard.records`: a CSV header row and plain numbers, or a JSON
list of objects with ISO dates and ``null`` for a missing value), on stdout alone.

A step that takes more than a second shows what it is doing on one line of stderr when
stderr is a terminal (:class:`_Progress`, tqdm); the line is cleared before any output.
Ctrl-C stops the command with exit status 130 and one line saying what it left: the store
unchanged or changed (its versions read before and after), the output file written or
not (report and workbook replace theirs atomically), or a refresh's committed batches.

This module is an adapter: it parses arguments, calls the market, the dashboard builders
and the providers, and formats what they return. It computes nothing itself.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from xlsrc import __version__
from xlsrc._process import mark_command, use_system_allocator
from xlsrc.dashboard import layout
from xlsrc.dashboard.cells import STATUS_ITEMS, status_text
from xlsrc.dashboard.records import FORMATS, records, write_records
from xlsrc.data.refresh_summary import RefreshInterrupted, tqdm_progress
from xlsrc.errors import InvalidParameterError, UnknownTickerError, XlsrcError
from xlsrc.market import METRICS, SHORT_SORT_KEYS

if TYPE_CHECKING:
    from xlsrc.market import Market

__all__ = ["main"]

PROG = "xlsrc"


# --------------------------------------------------------------------------- formatting
def format_value(value: Any, number_format: str) -> str:
    """Format ``value`` for a terminal the way ``number_format`` shows it in Excel.

    Parameters
    ----------
    value : Any
        A number, a date, text, or NaN/None (shown as ``-``).
    number_format : str
        The layout's Excel number format of the column.

    Returns
    -------
    str
        ``+9.6%`` for percent formats, ``93`` for ratings, ``1,234.50`` for prices.
    """
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "-"
    if isinstance(value, pd.Timestamp):
        return f"{value:%Y-%m-%d}"
    if not isinstance(value, int | float):
        return str(value)
    if "%" in number_format:
        sign = "+" if "+" in number_format else ""
        return f"{value:{sign}.1%}"
    if number_format in (layout.FMT_RATING, layout.FMT_INT):
        return f"{value:,.0f}"
    decimals = number_format.rpartition(".")[2].count("0") if "." in number_format else 2
    return f"{value:,.{decimals}f}"


def format_table(frame: pd.DataFrame, table: layout.Table) -> str:
    """Return ``frame`` as an aligned text table with the layout's headers and formats."""
    columns = [c for c in table.columns if c.key in frame.columns]
    cells = [[c.header for c in columns]]
    for record in frame.to_dict("records"):
        cells.append([format_value(record[c.key], c.number_format) for c in columns])
    widths = [max(len(row[i]) for row in cells) for i in range(len(columns))]
    numeric = [c.number_format not in (layout.FMT_GENERAL, layout.FMT_TEXT) for c in columns]
    lines = []
    for row in cells:
        parts = [
            cell.rjust(w) if is_num else cell.ljust(w)
            for cell, w, is_num in zip(row, widths, numeric, strict=True)
        ]
        lines.append("  ".join(parts).rstrip())
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


#: ``--format`` choices: the aligned table (for a person) or records for another program.
OUTPUT_FORMATS = ("table", "csv", "json")


def emit(
    args: argparse.Namespace,
    frame: pd.DataFrame,
    table: layout.Table | None,
    title: str,
    as_of: pd.Timestamp | None = None,
) -> None:
    """Print a command's table in the format ``--format`` asks for.

    Parameters
    ----------
    args : argparse.Namespace
        The command's arguments (``args.format``: ``table``, ``csv`` or ``json``; absent =
        ``table``).
    frame : pd.DataFrame
        The builder's table.
    table : layout.Table or None
        Its layout table: headers and number formats for a person, the column keys and
        whole-number columns for a program (None: the frame's columns as they are).
    title : str
        The line printed above the aligned table (not part of CSV or JSON).
    as_of : pd.Timestamp, optional
        The trading day of the values: CSV and JSON carry it as a first column ``as_of``.
    """
    fmt = getattr(args, "format", "table")
    if fmt not in FORMATS:
        print(title)
        if table is None:
            print(frame.to_string(index=False))
        else:
            print(format_table(frame, table))
        return
    names, rows = records(frame, table, leading=None if as_of is None else {"as_of": as_of})
    write_records(fmt, names, rows, sys.stdout)


# --------------------------------------------------------------------------- progress
#: Seconds a step runs before its progress line appears (a fast command shows nothing).
PROGRESS_DELAY = 1.0
#: Commands that draw a progress bar of their own (the progress line stays off).
OWN_PROGRESS = frozenset({"refresh"})


class _Progress:
    """One line on stderr saying what the command is doing, for steps over a second.

    A tqdm bar (``delay=PROGRESS_DELAY``, ``leave=False``) shows ``xlsrc: <step>
    (<elapsed>)``; a daemon thread ticks it so that it appears, and its clock moves, while
    one long call (loading the market) holds the main thread. It is only shown when
    ``stream`` is a terminal. While it is shown, ``sys.stdout`` and ``sys.stderr`` pass
    through a proxy that clears the line before the first write, so output never lands
    on the progress line; the proxies are removed on exit. With ``draw=False`` (a command
    that draws a bar of its own: two tqdm bars would take two lines) it only records the
    step, for the interruption message.
    """

    TICK = 0.2

    def __init__(self, stream: Any = None, delay: float | None = None, draw: bool = True) -> None:
        self.stream = sys.stderr if stream is None else stream
        self.delay = PROGRESS_DELAY if delay is None else delay
        self.draw = draw
        self.bar: Any = None
        self.text = ""
        self._stop = threading.Event()
        self._drawing = threading.Lock()  # a redraw never follows the clearing
        self._thread: threading.Thread | None = None
        self._saved: tuple[Any, Any] | None = None

    def _enabled(self) -> bool:
        if not self.draw:
            return False
        isatty = getattr(self.stream, "isatty", None)
        try:
            return bool(isatty and isatty())
        except (OSError, ValueError):  # a closed stream
            return False

    def __enter__(self) -> _Progress:
        if not self._enabled():
            return self
        from tqdm import tqdm

        self.bar = tqdm(
            total=None,
            file=self.stream,
            delay=self.delay,
            leave=False,
            bar_format="{desc} ({elapsed})",
            desc=f"{PROG}: working",
            mininterval=self.TICK,
        )
        self._saved = (sys.stdout, sys.stderr)
        sys.stdout = _ClearsProgress(sys.stdout, self)
        sys.stderr = _ClearsProgress(sys.stderr, self)
        self._thread = threading.Thread(target=self._tick, name="xlsrc-progress", daemon=True)
        self._thread.start()
        return self

    def _tick(self) -> None:
        while not self._stop.wait(self.TICK):
            self.show()

    def show(self) -> None:
        """Redraw the line if the delay has passed (the ticking thread calls this)."""
        with self._drawing:
            if self.bar is not None:
                self.bar.update(0)  # tqdm draws only after ``delay`` and ``mininterval``

    def step(self, text: str) -> None:
        """Say what the command does now (shown only if it takes over the delay)."""
        self.text = text
        with self._drawing:
            if self.bar is not None:
                self.bar.set_description_str(f"{PROG}: {text}", refresh=False)

    def close(self) -> None:
        """Stop the clock and clear the line (idempotent)."""
        self._stop.set()
        with self._drawing:
            bar, self.bar = self.bar, None
            if bar is not None:
                bar.close()

    def __exit__(self, *exc: object) -> None:
        self.close()
        if self._thread is not None:
            self._thread.join(timeout=self.TICK * 5)
        if self._saved is not None:
            sys.stdout, sys.stderr = self._saved
            self._saved = None


class _ClearsProgress:
    """A text stream that clears the progress line before its first write."""

    def __init__(self, stream: Any, progress: _Progress) -> None:
        self._stream = stream
        self._progress = progress

    def write(self, text: str) -> int:
        self._progress.close()
        return int(self._stream.write(text))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


_CURRENT: list[_Progress] = []


def step(text: str) -> None:
    """Name the step the running command is in, for its progress line (no-op without one)."""
    if _CURRENT:
        _CURRENT[-1].step(text)


@contextmanager
def _running(progress: _Progress) -> Iterator[_Progress]:
    """Run a command under ``progress``: :func:`step` names its steps."""
    with progress:
        _CURRENT.append(progress)
        try:
            yield progress
        finally:
            _CURRENT.remove(progress)


# --------------------------------------------------------------------------- interruption
#: Stores the running command opened, with their (data_version, bars_version) then.
_STORES: list[tuple[Any, tuple[int, int]]] = []
#: Files the running command writes, with their state before (None: absent).
_FILES: list[tuple[Path, tuple[int, int, int] | None]] = []


def _file_state(path: Path) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def _watch_store(store: Any) -> None:
    """Note a store's versions as the command opens it (before it writes anything).

    A store that cannot say (not created or initialised yet) is not watched: the command
    reports that itself, and an interruption makes no claim about it.
    """
    try:
        identity = store.identity()
    except XlsrcError:
        return
    _STORES.append((store, (int(identity[1]), int(identity[2]))))


def _watch_file(path: Path) -> None:
    """Note the state of a file the command is about to write (or replace)."""
    _FILES.append((Path(path), _file_state(Path(path))))


def interrupted_message(error: KeyboardInterrupt, during: str = "") -> str:
    """Say, on one line, what an interrupted command left behind: facts read now.

    A refresh keeps the batches it committed (its summary says so). Otherwise every store
    the command opened is read again: its data and bars versions equal those read when
    it was opened (a write is one transaction: an unfinished one is rolled back) or they
    moved; a file the command writes is compared with its state before (written whole
    and atomically, or not at all). A command interrupted before it opened anything
    says only where it was.

    Parameters
    ----------
    error : KeyboardInterrupt
        The interruption (a :class:`~xlsrc.data.refresh_summary.RefreshInterrupted` carries its
        summary).
    during : str
        The step it interrupted (``loading the market``), if known.

    Returns
    -------
    str
        ``xlsrc: interrupted while <step>; the store is unchanged and <out> was not
        written``, or the refresh's summary.
    """
    if isinstance(error, RefreshInterrupted):
        first = error.summary.lines()[0].rstrip(".")
        return (
            f"{PROG}: interrupted. {first}; committed batches are kept, run refresh again to resume"
        )
    parts: list[str] = []
    for store, before in _STORES:
        try:
            identity = store.identity()
        except Exception:  # a store that cannot be read now: no claim about it
            continue
        after = (int(identity[1]), int(identity[2]))
        if after == before:
            parts.append("the store is unchanged")
        else:
            parts.append(f"the store changed (data version {before[0]} -> {after[0]})")
    for path, state in _FILES:
        now = _file_state(path)
        if now == state:
            parts.append(f"{path} is unchanged" if state is not None else f"{path} was not written")
        else:
            parts.append(f"{path} was written")
    head = f"{PROG}: interrupted" + (f" while {during}" if during else "")
    return head + ("; " + " and ".join(dict.fromkeys(parts)) if parts else "")


# --------------------------------------------------------------------------- argument types
#: Options holding a date: read by :func:`xlsrc.dates.parse_date` inside :func:`main`, so
#: that a bad or ambiguous date is one ``xlsrc: error:`` line with exit status 1.
_DATE_OPTIONS = {"as_of": "--as-of", "since": "--since"}


def _parse_dates(args: argparse.Namespace) -> None:
    """Replace the text of every date option by its date (the rule of every input)."""
    from xlsrc.dates import parse_date

    for attr, option in _DATE_OPTIONS.items():
        text = getattr(args, attr, None)
        if isinstance(text, str):
            setattr(args, attr, parse_date(text, name=option))


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"not a whole number >= 1: {text!r}")
    return value


def _tickers(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


# --------------------------------------------------------------------------- commands
def _market(args: argparse.Namespace) -> Market:
    from xlsrc.market import get_market

    step("loading the market")
    market = get_market(args.store)
    _watch_store(market.store)
    return market


def _quote_tickers(args: argparse.Namespace, market: Market) -> tuple[list[str], list[XlsrcError]]:
    """Return the tickers of ``quote`` the store holds, and one error per bad one (a typo).

    An argument may hold several tickers separated by commas.
    """
    good: list[str] = []
    bad: list[XlsrcError] = []
    for text in (t for arg in args.tickers for t in arg.split(",") if t.strip()):
        try:
            good.append(market.ticker(text))
        except (UnknownTickerError, InvalidParameterError) as exc:
            bad.append(exc)
    return list(dict.fromkeys(good)), bad


def cmd_quote(args: argparse.Namespace) -> int:
    """Print every per-ticker metric of one or more tickers.

    The good tickers are printed; each bad one (unknown, or not a ticker) is one
    ``xlsrc: error:`` line on stderr, and the exit status is then 1.
    """
    from xlsrc.dashboard.build import technicals_table

    if not any(t.strip() for arg in args.tickers for t in arg.split(",")):
        raise XlsrcError(
            f"no ticker given: quote takes one or more tickers, e.g. {PROG} quote VICR IWM "
            f"(got {' '.join(repr(a) for a in args.tickers)})"
        )
    market = _market(args)
    # the date asked for goes to the builders (a YTD figure belongs to its year); the
    # header says which session the values are of
    status = market.year_status(args.as_of)
    as_of = status.day
    tickers, bad = _quote_tickers(args, market)
    if tickers:
        step(f"computing the metrics as of {as_of:%Y-%m-%d}")
        frame = technicals_table(market, tickers, args.as_of)
        table = layout.DASHBOARD.table("technicals")
        if args.format != "table":
            _emit_marked(args, market, frame, table, as_of)
        elif len(frame) == 1:
            print(_as_of_line(status))
            record = frame.iloc[0]
            lines = [
                (c.header, _quote_value(record, c, status))
                for c in table.columns
                if c.key in frame.columns and c.key != "rs_basis"  # RS history says it in full
            ]
            lines += _rs_history_lines(market, tickers[0], args.as_of)
            width = max(len(head) for head, _ in lines)
            for head, shown in lines:
                print(f"{head.ljust(width)}  {shown}")
        else:
            print(_as_of_line(status))
            print(format_table(frame, table))
    sys.stdout.flush()  # the good rows first, then what was wrong
    for error in bad:
        print(f"{PROG}: error: {error}", file=sys.stderr)
    return 1 if bad else 0


def _as_of_line(status: Any) -> str:
    """Return the header of ``quote``: the session of the values, and the YTD year's state.

    ``As of 2026-01-22``; ``As of 2025-12-31, the last session on or before 2026-01-01
    (2026 has not traded yet ...: every YTD return is 0.0)``; for a date past the data
    in a year they lack, ``(No data for 2030: the data end 2026-08-03)``.
    """
    note = status.missing or status.not_started()
    return f"As of {status.label()}" + (f" ({note})" if note else "")


def _quote_value(record: Any, column: layout.Column, status: Any) -> str:
    """One value of ``quote``'s one-ticker form (a YTD without a year says why)."""
    if column.key == "ret_ytd" and status.missing and pd.isna(record[column.key]):
        return f"- ({status.missing})"
    return format_value(record[column.key], column.number_format)


def _emit_marked(
    args: argparse.Namespace,
    market: Market,
    frame: pd.DataFrame,
    table: layout.Table,
    as_of: pd.Timestamp,
) -> None:
    """Write a table with marked rows as CSV or JSON: the reason goes to ``problem``.

    The builders mark a row without a value (no trade in the last sessions, not listed
    yet, an unknown ticker of a list) with ``#N/A <reason>`` as its name, as the
    ``TECHNICALS`` and ``LEADERS`` formulas do; a program gets the security's name and
    the reason in a column of its own.
    """
    frame = frame.copy()
    marked = frame["name"].astype(str).str.startswith("#N/A ")
    frame["problem"] = frame["name"].where(marked, "").astype(str).str.removeprefix("#N/A ")
    names = market.securities["name"].reindex(frame["ticker"]).to_numpy()
    frame["name"] = frame["name"].where(~marked, pd.Series(names, index=frame.index))
    columns = [*(c.key for c in table.columns if c.key in frame.columns), "problem"]
    names_out, rows = records(frame, table, columns=columns, leading={"as_of": as_of})
    write_records(args.format, names_out, rows, sys.stdout)


def _rs_history_lines(market: Market, ticker: str, as_of: object) -> list[tuple[str, str]]:
    """``quote``'s RS history lines: the rating 1/3/6/12 months ago, the RS line's high."""
    from xlsrc.dashboard.build import rs_history_display

    record = rs_history_display(market, [ticker], "stocks", as_of).iloc[0]
    lines = []
    for column in layout.RS_HISTORY_TABLE.columns:
        if column.key in ("ticker", "rs_now"):  # the ticker and the rating are shown above
            continue
        head = (
            f"RS {column.header}"
            if column.key.startswith("rs_") and "ago" in column.header
            else column.header
        )
        shown = format_value(record[column.key], column.number_format)
        if shown and not (column.key == "rs_note" and not record[column.key]):
            lines.append((head, shown))
    return lines


def cmd_groups(args: argparse.Namespace) -> int:
    """Print the strongest industry groups by group RS."""
    from xlsrc.dashboard.build import industry_groups_table, no_groups_reason

    market = _market(args)
    status = market.year_status(args.as_of)
    as_of = status.day  # the session the values are of; the builder gets the date asked for
    step(f"ranking the industry groups of {args.universe} as of {as_of:%Y-%m-%d}")
    frame = industry_groups_table(market, args.universe, args.top, args.as_of)
    if frame.empty:
        raise XlsrcError(no_groups_reason(args.universe, as_of))
    title = (
        f"Top {len(frame)} industry groups of {args.universe} by group RS, as of {status.label()}"
    )
    emit(args, frame, layout.DASHBOARD.table("groups_top"), title, as_of)
    return 0


def cmd_leaders(args: argparse.Namespace) -> int:
    """Print the top N of a universe.

    In a list of tickers (``--universe ICHR,UCTT,XYZQ``) a ticker without a value keeps
    a marked row after the ranked ones (CSV and JSON then add a ``problem`` column); each
    ticker the store does not hold is also one ``xlsrc: error:`` line on stderr, and the
    exit status is then 1, as ``quote`` does.
    """
    from xlsrc.dashboard.build import leaders_table

    market = _market(args)
    status = market.year_status(args.as_of)
    as_of = status.day  # the session the values are of; the builder gets the date asked for
    step(f"ranking {args.universe} as of {as_of:%Y-%m-%d}")
    frame = leaders_table(market, args.universe, args.top, args.sort_by, args.as_of)
    ranked = int(frame["rank"].notna().sum())
    title = f"Top {ranked} of {args.universe} by {args.sort_by}, as of {status.label()}"
    table = layout.DASHBOARD.table("leaders")
    marked = frame[frame["rank"].isna()]
    if args.format == "table" or marked.empty:
        emit(args, frame, table, title, as_of)
    else:  # a program gets the name as the name and the reason in a column of its own
        _emit_marked(args, market, frame, table, as_of)
    sys.stdout.flush()  # the rows first, then what was wrong
    unknown = [t for t in marked["ticker"] if t not in market.close.columns]
    for reason in marked[marked["ticker"].isin(unknown)]["name"]:
        print(f"{PROG}: error: {str(reason).removeprefix('#N/A ')}", file=sys.stderr)
    return 1 if unknown else 0


def cmd_sectors(args: argparse.Namespace) -> int:
    """Print the sector SPDRs with their RRG quadrant and sector score.

    The benchmark must be in the store with a price on the day (as ``report`` and the
    ``RRG`` formula require); an unknown one is an error, not a column of dashes.
    """
    from xlsrc.dashboard.build import sectors_table

    market = _market(args)
    status = market.year_status(args.as_of)
    as_of = status.day  # the session the values are of; the builder gets the date asked for
    benchmark = market.ticker(args.benchmark)
    reason = market.values([benchmark], "close", args.as_of).errors[0]
    if reason is not None:
        raise reason
    step(f"computing the sectors as of {as_of:%Y-%m-%d}")
    frame = sectors_table(market, args.as_of, benchmark)
    note = status.missing or status.not_started()
    title = f"Sectors vs {benchmark}, as of {status.label()}" + (f" ({note})" if note else "")
    emit(args, frame, layout.DASHBOARD.table("sectors"), title, as_of)
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    """Print what the store holds and where it came from.

    The table names each item as ``DATA_STATUS`` does (``Last data added (UTC)``: a CSV
    import adds data as a refresh does). CSV and JSON: one record per status item (``item``, ``value``), then one per source
    (``item`` = ``source``, ``value`` = its name, with ``fetched_at`` and
    ``description``); values as the store reports them (``null`` for a refresh that
    never happened).
    """
    from xlsrc.data.refresh_checks import find_holes

    step("reading the store")
    store = _store(args)
    status = dict(store.status())
    sources = status.pop("sources", None) or []
    if args.format != "table":
        items = [
            {"item": str(k), "value": v, "fetched_at": None, "description": None}
            for k, v in status.items()
        ]
        holes = find_holes(store)
        items.append(
            {
                "item": "holes",
                "value": len(holes),
                "fetched_at": None,
                "description": _holes_text(holes),
            }
        )
        items += [
            {
                "item": "source",
                "value": src.get("name"),
                "fetched_at": src.get("fetched_at"),
                "description": src.get("description"),
            }
            for src in sources
        ]
        names, plain_rows = records(pd.DataFrame(items, dtype=object))
        write_records(args.format, names, plain_rows, sys.stdout)
        return 0
    labels = dict(STATUS_ITEMS)
    shown = [
        (labels.get(str(k), str(k).replace("_", " ").capitalize()), k, v) for k, v in status.items()
    ]
    width = max(len(label) for label, _, _ in [*shown, ("Sources", 0, 0)])
    for label, key, value in shown:
        text = status_text(key, value)
        if key == "tickers_on_last_date" and isinstance(value, int):
            text = f"{value:,} of {status.get('n_tickers', 0):,}"
        print(f"{label.ljust(width)}  {text}")
    print(f"{'Holes'.ljust(width)}  {_holes_text(find_holes(store))}")
    print(f"{'Sources'.ljust(width)}  {len(sources)}")
    rows = [
        (
            str(src["name"]),
            status_text("fetched_at", src.get("fetched_at")),
            str(src.get("description") or ""),
        )
        for src in sources
    ]
    if rows:
        w_name = max(len(r[0]) for r in rows)
        w_time = max(len(r[1]) for r in rows)
        for name, fetched, description in rows:
            print(f"  {name.ljust(w_name)}  {fetched.ljust(w_time)}  {description}".rstrip())
    return 0


def _holes_text(holes: dict[str, list[pd.Timestamp]]) -> str:
    """One line: the tickers with sessions missing inside their stored range, most first."""
    if not holes:
        return "none (no ticker lacks a session inside its stored range)"
    ranked = sorted(holes.items(), key=lambda item: (-len(item[1]), item[0]))
    shown = ", ".join(f"{t} {len(days)}" for t, days in ranked[:5])
    more = f" and {len(ranked) - 5} more" if len(ranked) > 5 else ""
    return (
        f"{len(holes)} {'ticker lacks' if len(holes) == 1 else 'tickers lack'} sessions "
        f"inside their stored range: {shown}{more} "
        "(days missing; 'xlsrc refresh' asks Yahoo for them again)"
    )


def cmd_report(args: argparse.Namespace) -> int:
    """Write the dashboard report."""
    from xlsrc.report import write_report

    market = _market(args)
    _watch_file(args.out)
    step(f"computing the dashboard and writing {args.out}")
    summary = write_report(
        market,
        args.out,
        as_of=args.as_of,
        universe=args.universe,
        top=args.top,
        watchlist=args.watchlist,
        benchmark=args.benchmark,
    )
    print(summary)
    return 0


def _store(args: argparse.Namespace) -> Any:
    from xlsrc.data import open_store

    store = open_store(args.store)
    _watch_store(store)
    return store


def cmd_refresh(args: argparse.Namespace) -> int:
    """Download new daily bars from Yahoo Finance into the store."""
    from tqdm import tqdm

    from xlsrc.data.refresh import refresh, resolve_tickers

    store = _store(args)
    universes = args.universe or ([] if args.tickers else ["all"])
    tickers = resolve_tickers(store, args.tickers, universes)
    try:
        # the bar only on a terminal: into a pipe or a file it would be lines of \r noise
        quiet = args.quiet or not _is_terminal(sys.stderr)
        with tqdm_progress(tqdm, desc="refresh", unit="ticker", disable=quiet) as bar:
            summary = refresh(
                store,
                tickers,
                since=args.since,
                progress=bar,
                batch_size=args.batch_size,
                offline=args.offline,
                allow_jumps=[_allow_jump(text) for text in args.allow_jump or ()],
            )
    except RefreshInterrupted as stop:  # Ctrl-C: the full report on stdout, one line on stderr
        print(stop.summary)
        raise
    print(summary)
    return 0 if summary.ok else 1


def _is_terminal(stream: Any) -> bool:
    """Whether ``stream`` is a terminal (a closed or odd stream is not)."""
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (OSError, ValueError):
        return False


def _allow_jump(text: str) -> tuple[str, pd.Timestamp]:
    """Read ``--allow-jump TICKER:DATE`` (a split-sized step to accept as a real move)."""
    from xlsrc.dates import parse_date

    ticker, sep, day = text.rpartition(":")
    if not sep or not ticker.strip():
        raise XlsrcError(f"--allow-jump takes TICKER:DATE, e.g. IWM:2026-01-21; got {text!r}")
    return ticker.strip(), parse_date(day, name="--allow-jump")


def cmd_import_csv(args: argparse.Namespace) -> int:
    """Import daily bars from a CSV export."""
    from xlsrc.data.csv_import import import_csv

    allow = [_allow_jump(text) for text in args.allow_jump or ()]
    step(f"importing {args.file}")
    summary = import_csv(
        _store(args),
        args.file,
        ticker=args.ticker,
        mapping=args.map,
        date_format=args.date_format,
        decimal=args.decimal,
        replace=args.replace,
        allow_jumps=allow,
        move_latest=args.move_latest,
    )
    print(summary)
    return 0


def cmd_universe(args: argparse.Namespace) -> int:
    """List, import or define universes."""
    from xlsrc.data.holdings import (
        define_universe,
        delete_universe,
        import_universe,
        reset_universe,
    )

    store = _store(args)
    if args.action == "list":
        builtin = store.builtin_universes()
        for name, members in sorted(store.universes().items()):
            kind = (
                "bundled"
                if members == builtin.get(name)
                else ("bundled, replaced" if name in builtin else "user")
            )
            print(f"{name:<12} {len(members):>6} members  ({kind})")
        return 0
    if args.name is None:
        raise XlsrcError(f"universe {args.action} needs a NAME")
    if args.action == "reset":
        print(reset_universe(store, args.name))
        return 0
    if args.action == "delete":
        print(delete_universe(store, args.name))
        return 0
    if args.source is None:
        raise XlsrcError(
            f"universe {args.action} needs a "
            + ("holdings file" if args.action == "import" else "comma-separated list of tickers")
        )
    step(f"universe {args.action} {args.name}")
    if args.action == "import":
        print(import_universe(store, args.name, args.source, replace=args.replace))
        return 0
    print(define_universe(store, args.name, _tickers(args.source), replace=args.replace))
    return 0


def _workbook_module() -> Any:
    """Import the workbook builder, or say which extra it needs."""
    try:
        from xlsrc.excel import workbook
    except ImportError as exc:  # XlsxWriter / pyOpenVBA: the 'build' extra
        raise XlsrcError(
            f"Building a workbook needs the 'build' extra ({exc.name} is missing): "
            "pip install 'xlsrc[build]' from the xlsrc folder"
        ) from exc
    return workbook


def cmd_store_init(args: argparse.Namespace) -> int:
    """Create the schema of a PostgreSQL store and load the bundled snapshot into it."""
    from tqdm import tqdm

    from xlsrc.data.backends.postgres_init import initialise
    from xlsrc.data.store import is_url

    if not is_url(args.url):
        raise XlsrcError(
            f"store init takes a postgresql:// URL, not {args.url!r} (a local store needs no init)"
        )
    bars: dict[str, Any] = {}

    def progress(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage)
        if bar is None:
            for other in bars.values():
                other.close()
            unit, desc = ("bars", "copying bars") if stage == "bars" else ("steps", "keys, summary")
            bar = bars[stage] = tqdm(
                total=total, unit=unit, desc=desc, disable=args.quiet, unit_scale=stage == "bars"
            )
        bar.update(done - bar.n)

    try:
        result = initialise(args.url, force=args.force, progress=progress)
    finally:
        for bar in bars.values():
            bar.close()
    print(result)
    return 0


def cmd_workbook_build(args: argparse.Namespace) -> int:
    """Build the template workbook from the layout, the VBA sources and xlwings."""
    _watch_file(args.out)
    step(f"building {args.out}")
    print(_workbook_module().build_workbook(args.out))
    return 0


def cmd_workbook_new(args: argparse.Namespace) -> int:
    """Write a copy of the workbook that starts this Python (its path in xlwings.conf)."""
    workbook = _workbook_module()
    _watch_file(args.out)
    step(f"writing {args.out}")
    summary = workbook.new_workbook(args.out)
    conf = workbook.interpreter_conf()
    print(summary.path if args.quiet else summary)
    if not args.quiet:
        print("  xlwings.conf: " + "; ".join(f"{k} = {v}" for k, v in conf.items()))
        if sys.platform not in ("win32", "darwin"):
            print(f"  note: Excel runs on Windows or macOS; this path is one on {sys.platform}")
    return 0


# --------------------------------------------------------------------------- parser
#: The metrics ``leaders --sort-by`` takes by name (every numeric column of the registry).
_SORTABLE = tuple(m.name for m in METRICS if m.in_table and m.unit != "date")
_QUOTE_DESCRIPTION = (
    "Every metric of each ticker: the close, "
    + ", ".join(m.describe() for m in METRICS if m.in_table and m.unit not in ("price", "date"))
    + ", and the date of its last bar. A ticker without a trade in the last 5 sessions "
    "shows why it has no values."
)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``xlsrc`` command."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=(
            "Relative strength, returns and market rotation from the local xlsrc store. "
            "Reads the bundled snapshot in place; the store file holds only what you add "
            "(refresh, import-csv, universes) and is created by the first write. Only "
            "'refresh' uses the network."
        ),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    store_help = "the SQLite store to use (default: $XLSRC_STORE, else the per-user data directory)"
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--store", metavar="PATH", default=None, help=store_help)
    dated = argparse.ArgumentParser(add_help=False)
    dated.add_argument(
        "--as-of",
        default=None,
        metavar="DATE",
        help="compute as of the last trading day on or before DATE: 2026-01-22, 22 Jan 2026 "
        "or 22/01/2026 (a day/month order that could be swapped is refused; default: the "
        "last stored day)",
    )
    formatted = argparse.ArgumentParser(add_help=False)
    formatted.add_argument(
        "--format",
        choices=OUTPUT_FORMATS,
        default="table",
        help="table: aligned columns (default); csv: a header row and plain numbers "
        "(0.794, not 79.4%%); json: a list of records with ISO dates and null where a "
        "value is missing. Only the data go to stdout.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser(
        "quote",
        parents=[common, dated, formatted],
        help="every metric of one or more tickers",
        description=_QUOTE_DESCRIPTION,
    )
    p.add_argument("tickers", nargs="+", metavar="TICKER", help="e.g. VICR IWM ^GSPC")
    p.set_defaults(func=cmd_quote)

    p = sub.add_parser(
        "leaders",
        parents=[common, dated, formatted],
        help="the top N of a universe",
        description="The strongest members of a universe, with their technicals.",
    )
    p.add_argument(
        "--universe",
        default="sp600",
        help="stocks, sp1500, sp500, sp400, sp600, r2000, sectors, a stored universe, or a "
        "comma-separated list of at least two tickers (default: sp600)",
    )
    p.add_argument("--top", type=_positive_int, default=10, help="rows to show (default: 10)")
    p.add_argument(
        "--sort-by",
        default="ytd",
        help=f"{', '.join(SHORT_SORT_KEYS)} or a metric name ({', '.join(_SORTABLE)}); "
        "default: ytd",
    )
    p.set_defaults(func=cmd_leaders)

    p = sub.add_parser(
        "groups",
        parents=[common, dated, formatted],
        help="industry groups ranked by group RS (the mean RS rating of their stocks)",
        description="Yahoo's industries ranked by group RS: the mean RS rating of a group's "
        "stocks (rated against every stock in the store), as a percentile among the groups; "
        "a group needs 3 rated stocks. With the share rated 80+, the best 3 and the rank 1, "
        "3 and 6 months earlier.",
    )
    p.add_argument(
        "--universe",
        default="stocks",
        help="the stocks that form the groups: stocks (every stock), sp1500, sp500, sp400, "
        "sp600, r2000 or a stored universe (default: stocks)",
    )
    p.add_argument("--top", type=_positive_int, default=20, help="groups to show (default: 20)")
    p.set_defaults(func=cmd_groups)

    p = sub.add_parser(
        "sectors",
        parents=[common, dated, formatted],
        help="sector SPDRs: returns, RS, RRG quadrant, sector score",
    )
    p.add_argument("--benchmark", default="SPY", help="RRG benchmark (default: SPY)")
    p.set_defaults(func=cmd_sectors)

    p = sub.add_parser(
        "report",
        parents=[common, dated],
        help="write the dashboard as an .xlsx report (no Excel needed)",
        description="Write the dashboard (Overview, Leaders, Sectors, Groups, Technicals, "
        "Settings, with native charts) to an .xlsx file. The file is replaced atomically.",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=Path("xlsrc-report.xlsx"),
        metavar="PATH",
        help="where to write the report (default: ./xlsrc-report.xlsx)",
    )
    p.add_argument(
        "--universe", default="sp600", help="universe of the Leaders sheet (default: sp600)"
    )
    p.add_argument("--top", type=_positive_int, default=25, help="leaders to list (default: 25)")
    p.add_argument(
        "--watchlist",
        type=_tickers,
        default=None,
        metavar="T1,T2,...",
        help="tickers of the Technicals sheet (default: the index ETFs and the January 2026 small-cap leaders)",
    )
    p.add_argument("--benchmark", default="SPY", help="benchmark of the RRG (default: SPY)")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser(
        "refresh",
        parents=[common],
        help="download new daily bars from Yahoo Finance (the only command that uses the network)",
        description="Download, in batches, the bars missing since each ticker's last stored "
        "day and the days missing inside its stored range, after comparing the last 63 stored "
        "closes with Yahoo's (a re-adjusted history is replaced whole). SPY, the benchmark, "
        "always comes along. Every bar passes the same checks as an import; a refused ticker "
        "is named and left unchanged. Each batch is stored in one transaction: a failed or "
        "interrupted refresh keeps everything stored before it. With no TICKERS and no "
        "--universe, every stored ticker.",
    )
    p.add_argument("tickers", nargs="*", metavar="TICKER", help="tickers to refresh")
    p.add_argument(
        "--universe",
        action="append",
        metavar="NAME",
        help="refresh every member of a universe (repeatable; 'stocks' = every stock, 'all' = every ticker)",
    )
    p.add_argument("--since", default=None, metavar="DATE", help="re-download from DATE on")
    p.add_argument(
        "--batch-size", type=_positive_int, default=50, help="tickers per download (default: 50)"
    )
    p.add_argument(
        "--offline",
        action="store_true",
        help="download nothing; say what the stored data cover and which days are missing",
    )
    p.add_argument(
        "--allow-jump",
        action="append",
        metavar="TICKER:DATE",
        help="accept a split-sized close-to-close step ending on DATE as a real move "
        "(repeatable; the refusal names the step)",
    )
    p.add_argument(
        "--quiet", action="store_true", help="no progress bar (never drawn into a pipe or file)"
    )
    p.set_defaults(func=cmd_refresh)

    p = sub.add_parser(
        "import-csv",
        parents=[common],
        help="import daily bars from a CSV export",
        description="Import date, open, high, low, close, volume rows (a ticker per file or a "
        "ticker column). The whole file is checked first: a bad line is reported by number "
        "and nothing is stored. Days already stored are overwritten field by field: a "
        "column the file lacks (volume in a file of closes) keeps the stored values; the "
        "summary names the overwritten days and the largest change of a close. Closes "
        "that differ from the stored ones on most of many days (another adjustment basis) "
        "are refused unless --replace.",
    )
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument(
        "--ticker",
        default=None,
        help="a file of one symbol: its ticker (wins over its symbol column or name); a "
        "file of several symbols: import only this one's rows (the summary counts the "
        "others it skipped). Default: the ticker column, else the file name",
    )
    p.add_argument(
        "--replace",
        action="store_true",
        help="make the file each ticker's history from its first day on: stored days from "
        "then on that the file lacks are removed (the summary counts them); needed for "
        "closes on another adjustment basis",
    )
    p.add_argument(
        "--allow-jump",
        action="append",
        metavar="TICKER:DATE",
        help="accept a split-sized close-to-close step ending on DATE as a real move "
        "(repeatable; the refusal names the step)",
    )
    p.add_argument(
        "--move-latest",
        action="store_true",
        help="accept a file in which the benchmark SPY alone has days after the market's "
        "latest session: every ticker's latest day moves to a day only SPY has",
    )
    p.add_argument(
        "--map",
        action="append",
        default=None,
        metavar="COLUMN=FIELD",
        help="map a CSV column to date/open/high/low/close/volume/ticker (repeatable)",
    )
    p.add_argument(
        "--date-format",
        default=None,
        metavar="FMT",
        help="order or format of the date column: dmy, mdy, DD/MM/YYYY or a strptime pattern "
        "such as %%d.%%m.%%Y (default: settled by the file, else refused)",
    )
    p.add_argument(
        "--decimal",
        choices=[".", ","],
        default=None,
        help="the decimal mark of the numbers (default: settled by the file, else refused)",
    )
    p.set_defaults(func=cmd_import_csv)

    p = sub.add_parser(
        "universe",
        parents=[common],
        help="list universes, import one from an iShares holdings file, or define one",
    )
    p.add_argument(
        "action",
        choices=["list", "import", "set", "reset", "delete"],
        help="list; import or set a universe; reset a bundled one to its shipped list; "
        "delete one of yours",
    )
    p.add_argument("name", nargs="?", help="the universe name, e.g. sp600 or mywatch")
    p.add_argument(
        "source",
        nargs="?",
        help="import: an iShares holdings CSV (path or URL); set: comma-separated tickers",
    )
    p.add_argument(
        "--replace",
        action="store_true",
        help="allow import/set to overwrite a bundled universe (sp500, sp400, sp600, r2000, "
        "sectors); 'universe reset NAME' brings the bundled list back",
    )
    p.set_defaults(func=cmd_universe)

    p = sub.add_parser(
        "workbook",
        help="build the template dashboard workbook (.xlsm), or a copy for this Python",
        description="Build the Excel template from the dashboard layout, the macro sources and "
        "the installed xlwings (needs the 'build' extra: XlsxWriter, pyOpenVBA).",
    )
    wb_sub = p.add_subparsers(dest="workbook_command", metavar="ACTION", required=True)
    p = wb_sub.add_parser("build", help="write the template .xlsm")
    p.add_argument(
        "--out",
        type=Path,
        default=Path("workbook/xlsrc-dashboard.xlsm"),
        metavar="PATH",
        help="where to write it (default: workbook/xlsrc-dashboard.xlsm)",
    )
    p.set_defaults(func=cmd_workbook_build, store=None)
    p = wb_sub.add_parser(
        "new",
        help="write a copy of the workbook set up for this Python (for Excel on this machine)",
        description="Write the dashboard workbook with the full path of this Python in its "
        "xlwings.conf sheet (Interpreter_Win; Interpreter_Mac on a Mac; Conda Path and Env "
        "for a Conda environment), so Excel starts the interpreter that has xlsrc.",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=Path("xlsrc-dashboard.xlsm"),
        metavar="PATH",
        help="where to write it (default: xlsrc-dashboard.xlsm in the current folder)",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="print only the path written")
    p.set_defaults(func=cmd_workbook_new, store=None)

    p = sub.add_parser(
        "store",
        help="set up a shared PostgreSQL store: 'store init postgresql://...'",
        description="Create the tables of a PostgreSQL store and load the bundled snapshot "
        "into it, in one transaction (an interrupted init changes nothing). Then run "
        "'xlsrc refresh --store URL' on a schedule and set XLSRC_STORE=URL for the analysts.",
    )
    p.add_argument("action", choices=["init"], help="init: create and load the store")
    p.add_argument("url", metavar="URL", help="postgresql://[user[:password]@]host[:port]/db")
    p.add_argument(
        "--force",
        action="store_true",
        help="replace a store that already holds data (everything written to it is lost)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_store_init, store=None)

    p = sub.add_parser(
        "status",
        parents=[common, formatted],
        help="what the store holds: sources, last refresh, last date, tickers",
    )
    p.set_defaults(func=cmd_status)
    return parser


def _silence_stdout() -> None:
    """Point stdout at the null device so Python's exit-time flush cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no real file descriptor (captured)
        pass


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``xlsrc`` command; return its exit status.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 on success, 1 when xlsrc reports an error, 2 for a bad command line,
        130 when interrupted, 141 when the reader of stdout went away (a closed pipe).
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    use_system_allocator()  # not the mmap threshold: a short process (xlsrc._process)
    if args.store is not None:
        args.store = os.fspath(args.store)
    if getattr(args, "action", None) in ("import", "set") and not (args.name and args.source):
        parser.error(
            f"universe {args.action} needs NAME and {'FILE' if args.action == 'import' else 'T1,T2,...'}"
        )
    func: Callable[[argparse.Namespace], int] = args.func
    _STORES.clear()
    _FILES.clear()
    mark_command(finished=False)
    progress = _Progress(draw=args.command not in OWN_PROGRESS)
    try:
        _parse_dates(args)
        with _running(progress):
            status = func(args)
        sys.stdout.flush()  # a closed pipe shows here, not at interpreter exit
        # done and said: the entry point ignores a Ctrl-C from here on (xlsrc.__main__);
        # one that lands before this line is reported below with what it left
        mark_command(finished=True)
        return status
    except BrokenPipeError:
        # The reader went away (`xlsrc quote VICR | head -1`): stop quietly, like `cat`.
        _silence_stdout()
        return 141  # 128 + SIGPIPE, what a shell reports for a process killed by it
    except XlsrcError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as exc:
        try:
            message = interrupted_message(exc, progress.text)
        except KeyboardInterrupt:  # a second Ctrl-C while the stores are read again
            message = f"{PROG}: interrupted"
        print(message, file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
