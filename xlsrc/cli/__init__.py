"""The ``xlsrc`` command line: answers from the local store, writes the report, refreshes data.

Every command reads the store through :func:`xlsrc.market.get_market` (the bundled
snapshot read in place, under what the user added) and prints its answer; an error is one line on stderr,
``xlsrc: error: <what is wrong>``, with exit status 1; a bad command line too
(``xlsrc leaders: error: argument --top: ... (see xlsrc leaders --help)``).

The table commands (``quote``, ``leaders``, ``sectors``, ``status``) take ``--format
table|csv|json``: the aligned table for a person (the default), or records for another
program (:mod:`xlsrc.dashboard.records`: a CSV header row and plain numbers, or a JSON
list of objects with ISO dates and ``null`` for a missing value), on stdout alone.

A step that takes more than a second shows what it is doing on one line of stderr when
stderr is a terminal (:class:`xlsrc.cli.progress._Progress`, tqdm); the line is cleared
before any output.
Ctrl-C stops the command with exit status 130 and one line saying what it left: the store
unchanged or changed (its versions read before and after), the output file written or
not (report and workbook replace theirs atomically), or a refresh's committed batches.

This package is an adapter: it parses arguments (:mod:`xlsrc.cli.parser`), calls the
market, the dashboard builders and the providers (:mod:`xlsrc.cli.market_commands`,
:mod:`xlsrc.cli.data_commands`), and formats what they return (:mod:`xlsrc.cli.output`),
with the progress line (:mod:`xlsrc.cli.progress`) and what an interruption left
(:mod:`xlsrc.cli.interruption`). It computes nothing itself. :func:`main` is here.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from xlsrc._process import mark_command, use_system_allocator
from xlsrc.cli.arguments import _parse_dates
from xlsrc.cli.interruption import _FILES, _STORES, interrupted_message
from xlsrc.cli.output import PROG
from xlsrc.cli.parser import UsageError, build_parser
from xlsrc.cli.progress import OWN_PROGRESS, _Progress, _running
from xlsrc.errors import XlsrcError

__all__ = ["main"]


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
        0 on success, 1 when xlsrc reports an error or the command line is bad,
        130 when interrupted, 141 when the reader of stdout went away (a closed pipe).
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if getattr(args, "action", None) in ("import", "set") and not (args.name and args.source):
            needs = "FILE" if args.action == "import" else "T1,T2,..."
            parser.error(f"universe {args.action} needs NAME and {needs}")
    except UsageError as exc:
        print(exc, file=sys.stderr)
        return 1
    use_system_allocator()  # not the mmap threshold: a short process (xlsrc._process)
    if args.store is not None:
        args.store = os.fspath(args.store)
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
