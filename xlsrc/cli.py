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
from typing import TYPE_CHECKING, Any

import pandas as pd

from xlsrc import __version__
from xlsrc._process import return_freed_memory
from xlsrc.dashboard import layout
from xlsrc.dashboard.cells import status_text
from xlsrc.data.refresh import tqdm_progress
from xlsrc.errors import XlsrcError
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

    return get_market(args.store)


def cmd_quote(args: argparse.Namespace) -> int:
    """Print every per-ticker metric of one or more tickers."""
    from xlsrc.dashboard.build import technicals_table

    market = _market(args)
    tickers = [market.ticker(t) for t in args.tickers]
    as_of = market.trading_day(args.as_of)  # the day the data are as of, not the typed date
    frame = technicals_table(market, tickers, as_of)
    table = layout.DASHBOARD.table("technicals")
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
    as_of = market.trading_day(args.as_of)  # the day the data are as of, not the typed date
    frame = leaders_table(market, args.universe, args.top, args.sort_by, as_of)
    print(f"Top {len(frame)} of {args.universe} by {args.sort_by}, as of {as_of:%Y-%m-%d}")
    print(format_table(frame, layout.DASHBOARD.table("leaders")))
    return 0


def cmd_sectors(args: argparse.Namespace) -> int:
    """Print the sector SPDRs with their RRG quadrant and sector score."""
    from xlsrc.dashboard.build import sectors_table

    market = _market(args)
    as_of = market.trading_day(args.as_of)  # the day the data are as of, not the typed date
    frame = sectors_table(market, as_of, args.benchmark)
    print(f"Sectors vs {args.benchmark}, as of {as_of:%Y-%m-%d}")
    print(format_table(frame, layout.DASHBOARD.table("sectors")))
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    """Print what the store holds and where it came from."""
    from xlsrc.data import open_store
    from xlsrc.data.refresh import find_holes

    store = open_store(args.store)
    status = dict(store.status())
    sources = status.pop("sources", None) or []
    width = max(len(str(k)) for k in [*status, "sources", "holes"])
    for key, value in status.items():
        print(f"{str(key).ljust(width)}  {status_text(key, value)}")
    print(f"{'holes'.ljust(width)}  {_holes_text(find_holes(store))}")
    print(f"{'sources'.ljust(width)}  {len(sources)}")
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

    return open_store(args.store)


def cmd_refresh(args: argparse.Namespace) -> int:
    """Download new daily bars from Yahoo Finance into the store."""
    from tqdm import tqdm

    from xlsrc.data.refresh import RefreshInterrupted, refresh, resolve_tickers

    store = _store(args)
    universes = args.universe or ([] if args.tickers else ["all"])
    tickers = resolve_tickers(store, args.tickers, universes)
    try:
        with tqdm_progress(tqdm, desc="refresh", unit="ticker", disable=args.quiet) as bar:
            summary = refresh(
                store,
                tickers,
                since=args.since,
                progress=bar,
                batch_size=args.batch_size,
                offline=args.offline,
                allow_jumps=[_allow_jump(text) for text in args.allow_jump or ()],
            )
    except RefreshInterrupted as stop:  # Ctrl-C: say what was kept
        print(stop.summary)
        return 130
    print(summary)
    return 0 if summary.ok else 1


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

    summary = import_csv(
        _store(args),
        args.file,
        ticker=args.ticker,
        mapping=args.map,
        date_format=args.date_format,
        decimal=args.decimal,
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

    from xlsrc.data.backends.postgres import initialise
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
    print(_workbook_module().build_workbook(args.out))
    return 0


def cmd_workbook_new(args: argparse.Namespace) -> int:
    """Write a copy of the workbook that starts this Python (its path in xlwings.conf)."""
    workbook = _workbook_module()
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
        default=None,
        metavar="DATE",
        help="compute as of the last trading day on or before DATE: 2026-01-22, 22 Jan 2026 "
        "or 22/01/2026 (a day/month order that could be swapped is refused; default: the "
        "last stored day)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser(
        "quote",
        parents=[common, dated],
        help="every metric of one or more tickers",
        description=_QUOTE_DESCRIPTION,
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
        help=f"{', '.join(SHORT_SORT_KEYS)} or a metric name ({', '.join(_SORTABLE)}); "
        "default: ytd",
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
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_refresh)

    p = sub.add_parser(
        "import-csv",
        parents=[common],
        help="import daily bars from a CSV export",
        description="Import date, open, high, low, close, volume rows (a ticker per file or a "
        "ticker column). The whole file is checked first: a bad line is reported by number "
        "and nothing is stored.",
    )
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument(
        "--ticker",
        default=None,
        help="the ticker of every row (default: a ticker column, else the file name)",
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
        parents=[common],
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
    return_freed_memory()
    if args.store is not None:
        args.store = os.fspath(args.store)
    if getattr(args, "action", None) in ("import", "set") and not (args.name and args.source):
        parser.error(
            f"universe {args.action} needs NAME and {'FILE' if args.action == 'import' else 'T1,T2,...'}"
        )
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        _parse_dates(args)
        status = func(args)
        sys.stdout.flush()  # a closed pipe shows here, not at interpreter exit
        return status
    except BrokenPipeError:
        # The reader went away (`xlsrc quote VICR | head -1`): stop quietly, like `cat`.
        _silence_stdout()
        return 141  # 128 + SIGPIPE, what a shell reports for a process killed by it
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
