"""The argument parser of the ``xlsrc`` command: its commands, options and help texts.

:func:`build_parser` names every command, its options (with their defaults and help) and
the function that runs it (:mod:`xlsrc.cli.market_commands`,
:mod:`xlsrc.cli.data_commands`).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import NoReturn

from xlsrc import __version__
from xlsrc.cli.arguments import _positive_int, _tickers
from xlsrc.cli.data_commands import (
    cmd_import_csv,
    cmd_refresh,
    cmd_status,
    cmd_store_init,
    cmd_universe,
    cmd_workbook_build,
    cmd_workbook_new,
)
from xlsrc.cli.market_commands import cmd_groups, cmd_leaders, cmd_quote, cmd_report, cmd_sectors
from xlsrc.cli.output import OUTPUT_FORMATS, PROG
from xlsrc.market import BASES, DEFAULT_BASIS, METRICS, SHORT_SORT_KEYS

#: The metrics ``leaders --sort-by`` takes by name (every numeric column of the registry).
_SORTABLE = tuple(m.name for m in METRICS if m.in_table and m.unit != "date")
_QUOTE_DESCRIPTION = (
    "Every metric of each ticker: the close, "
    + ", ".join(m.describe() for m in METRICS if m.in_table and m.unit not in ("price", "date"))
    + ", and the date of its last bar. A ticker without a trade in the last 5 sessions "
    "shows why it has no values."
)


class UsageError(Exception):
    """A bad command line, already worded as the one line to print."""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line, not argparse's usage block.

    argparse prints the whole usage text and exits with status 2; an xlsrc error is one
    line on stderr and exit status 1 wherever it comes from, so :meth:`error` raises
    :class:`UsageError` (``xlsrc leaders: error: argument --top: ... (see xlsrc leaders
    --help)``) for :func:`xlsrc.cli.main` to print. Subcommand parsers are of this class
    too (``add_subparsers`` makes them of the parent's class).
    """

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: error: {message} (see {self.prog} --help)")


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``xlsrc`` command."""
    parser = _Parser(
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
    common = _Parser(add_help=False)
    common.add_argument("--store", metavar="PATH", default=None, help=store_help)
    dated = _Parser(add_help=False)
    dated.add_argument(
        "--as-of",
        default=None,
        metavar="DATE",
        help="compute as of the last trading day on or before DATE: 2026-01-22, 22 Jan 2026 "
        "or 22/01/2026 (a day/month order that could be swapped is refused; default: the "
        "last stored day)",
    )
    formatted = _Parser(add_help=False)
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
    p.add_argument(
        "--basis",
        choices=BASES,
        default=DEFAULT_BASIS,
        help="closes the RS rating ranks: total (dividend-adjusted, default) or price "
        "(split-adjusted only, price change as IBD ranks it; needs closes from a Yahoo "
        "refresh: the bundled snapshot has none)",
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
        "that differ from the stored ones on half or more of the overlapping days (another "
        "adjustment basis), or on any day of an overlap shorter than 5 days, are refused "
        "unless --replace or --overwrite.",
    )
    p.add_argument("file", type=Path, metavar="FILE")
    p.add_argument(
        "--ticker",
        default=None,
        help="a file of one symbol: its ticker (wins over its name; a symbol column naming "
        "another security is refused); a "
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
        "--overwrite",
        action="store_true",
        help="take the file's closes that differ from the stored ones as corrections of "
        "those days (stored days the file lacks are kept); without it, differing closes "
        "on half or more of the overlap, or on a short overlap, are refused",
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
