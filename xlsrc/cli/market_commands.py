"""The ``xlsrc`` commands that load the market: quote, leaders, groups, sectors and report.

Each reads the store through :func:`xlsrc.market.get_market`, asks the dashboard builders
(:mod:`xlsrc.dashboard.build`) or the report writer for its table, and prints it
(:mod:`xlsrc.cli.output`).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

import pandas as pd

from xlsrc.cli.interruption import _watch_file, _watch_store
from xlsrc.cli.output import PROG, emit, format_table, format_value
from xlsrc.cli.progress import step
from xlsrc.dashboard import layout
from xlsrc.dashboard.records import records, write_records
from xlsrc.errors import InvalidParameterError, UnknownTickerError, XlsrcError
from xlsrc.market import PRICE

if TYPE_CHECKING:
    from xlsrc.market import Market


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
    from xlsrc.dashboard.tables import technicals_table

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
    from xlsrc.dashboard.leadership import rs_history_display

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
    from xlsrc.dashboard.leadership import industry_groups_table, no_groups_reason

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
    from xlsrc.dashboard.rankings import leaders_table

    market = _market(args)
    status = market.year_status(args.as_of)
    as_of = status.day  # the session the values are of; the builder gets the date asked for
    step(f"ranking {args.universe} as of {as_of:%Y-%m-%d}")
    frame = leaders_table(
        market, args.universe, args.top, args.sort_by, args.as_of, basis=args.basis
    )
    ranked = int(frame["rank"].notna().sum())
    on = ", RS on price change" if args.basis == PRICE else ""
    title = f"Top {ranked} of {args.universe} by {args.sort_by}{on}, as of {status.label()}"
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
    from xlsrc.dashboard.rankings import sectors_table

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
    ranked = frame.attrs.get("ranked_by", "YTD return")
    title = f"Sectors ranked by {ranked}, RRG vs {benchmark}, as of {status.label()}" + (
        f" ({note})" if note else ""
    )
    emit(args, frame, layout.DASHBOARD.table("sectors"), title, as_of)
    return 0


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
