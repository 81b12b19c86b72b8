"""The ``xlsrc`` command line: answers from the local store, writes the report, refreshes data.

Every command reads the store through :func:`xlsrc.market.get_market` (seeding it from the
bundled snapshot on first use) and prints its answer; an error is one line on stderr,
``xlsrc: error: <what is wrong>``, with exit status 1 (2 for a bad command line).

This module is an adapter: it parses arguments, calls the market, the dashboard builders
and the providers, and formats what they return. It computes nothing itself.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from xlsrc import __version__
from xlsrc.dashboard import layout
from xlsrc.errors import XlsrcError

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


def _table(name: str) -> layout.Table:
    """Return the layout table called ``name``."""
    for sheet in layout.DASHBOARD.sheets:
        for table in sheet.tables:
            if table.name == name:
                return table
    raise KeyError(name)


# --------------------------------------------------------------------------- argument types
def _date(text: str) -> pd.Timestamp:
    """Parse an ISO date given on the command line."""
    try:
        return pd.Timestamp(text).normalize()
    except (ValueError, TypeError) as exc:
        raise argparse.ArgumentTypeError(f"not a date: {text!r} (use YYYY-MM-DD)") from exc


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
def _market(args: argparse.Namespace) -> Any:
    from xlsrc.market import get_market

    return get_market(args.store)


def cmd_quote(args: argparse.Namespace) -> int:
    """Print every per-ticker metric of one or more tickers."""
    from xlsrc.dashboard.build import technicals_table

    market = _market(args)
    tickers = [market.ticker(t) for t in args.tickers]
    as_of = market.as_of(args.as_of)
    frame = technicals_table(market, tickers, as_of)
    table = _table("technicals")
    print(f"As of {as_of:%Y-%m-%d}")
    if len(frame) == 1:
        record = frame.iloc[0]
        width = max(len(c.header) for c in table.columns)
        for column in table.columns:
            if column.key in frame.columns:
                shown = format_value(record[column.key], column.number_format)
                print(f"{column.header.ljust(width)}  {shown}")
    else:
        print(format_table(frame, table))
    return 0


def cmd_leaders(args: argparse.Namespace) -> int:
    """Print the top N of a universe."""
    from xlsrc.dashboard.build import leaders_table

    market = _market(args)
    as_of = market.as_of(args.as_of)
    frame = leaders_table(market, args.universe, args.top, args.sort_by, as_of)
    print(f"Top {len(frame)} of {args.universe} by {args.sort_by}, as of {as_of:%Y-%m-%d}")
    print(format_table(frame, _table("leaders")))
    return 0


def cmd_sectors(args: argparse.Namespace) -> int:
    """Print the sector SPDRs with their RRG quadrant and sector score."""
    from xlsrc.dashboard.build import sectors_table

    market = _market(args)
    as_of = market.as_of(args.as_of)
    frame = sectors_table(market, as_of, args.benchmark)
    print(f"Sectors vs {args.benchmark}, as of {as_of:%Y-%m-%d}")
    print(format_table(frame, _table("sectors")))
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    """Print what the store holds and where it came from."""
    from xlsrc.data.store import Store

    store = Store(args.store)
    store.ensure_seeded()
    status = store.status()
    width = max(len(str(k)) for k in status)
    for key, value in status.items():
        print(f"{str(key).ljust(width)}  {value}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """Write the dashboard report."""
    from xlsrc.report import write_report

    market = _market(args)
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


# --------------------------------------------------------------------------- parser
def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``xlsrc`` command."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=(
            "Relative strength, returns and market rotation from the local xlsrc store. "
            "The store is seeded from the bundled snapshot on first use and never touches "
            "the network except in 'refresh'."
        ),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    store_help = "the SQLite store to use (default: $XLSRC_STORE, else the per-user data directory)"
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--store", metavar="PATH", default=None, help=store_help)
    dated = argparse.ArgumentParser(add_help=False)
    dated.add_argument(
        "--as-of",
        type=_date,
        default=None,
        metavar="DATE",
        help="compute as of the last trading day on or before DATE (default: the last stored day)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser(
        "quote",
        parents=[common, dated],
        help="every metric of one or more tickers",
        description="YTD and trailing returns, RS rating, % from 20/50/200-day MAs, RSI(14), "
        "volatility, relative volume and % from the 52-week high of each ticker.",
    )
    p.add_argument("tickers", nargs="+", metavar="TICKER", help="e.g. VICR IWM ^GSPC")
    p.set_defaults(func=cmd_quote)

    p = sub.add_parser(
        "leaders",
        parents=[common, dated],
        help="the top N of a universe",
        description="The strongest members of a universe, with their technicals.",
    )
    p.add_argument(
        "--universe",
        default="sp600",
        help="stocks, sp500, sp400, sp600, r2000 or a stored universe (default: sp600)",
    )
    p.add_argument("--top", type=_positive_int, default=10, help="rows to show (default: 10)")
    p.add_argument(
        "--sort-by",
        default="ytd",
        help="ytd, 1w, 1m, 3m, 6m, 1y, rs_rating, rsi, pct_sma20 or pct_sma50 (default: ytd)",
    )
    p.set_defaults(func=cmd_leaders)

    p = sub.add_parser(
        "sectors",
        parents=[common, dated],
        help="sector SPDRs: returns, RS, RRG quadrant, sector score",
    )
    p.add_argument("--benchmark", default="SPY", help="RRG benchmark (default: SPY)")
    p.set_defaults(func=cmd_sectors)

    p = sub.add_parser(
        "report",
        parents=[common, dated],
        help="write the dashboard as an .xlsx report (no Excel needed)",
        description="Write the dashboard (Overview, Leaders, Sectors, Technicals, Settings, "
        "with native charts) to an .xlsx file. The file is replaced atomically.",
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
        "status",
        parents=[common],
        help="what the store holds: sources, last refresh, last date, tickers",
    )
    p.set_defaults(func=cmd_status)
    return parser


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
        130 when interrupted.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.store is not None:
        args.store = os.fspath(args.store)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except XlsrcError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(
            f"{PROG}: interrupted; the store is unchanged by the unfinished step", file=sys.stderr
        )
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
