"""The ``xlsrc`` command and ``python -m xlsrc``: the command line, with Ctrl-C honoured from the start.

Loading the command line imports pandas and the analytics (about a second, longer on a
busy machine). A Ctrl-C in that time, or while the arguments are read, would end in a
Python traceback if the entry point were :func:`xlsrc.cli.main` itself; here it is one
line, ``xlsrc: interrupted while starting; nothing was written``, and exit status 130.
Once a command runs, :func:`xlsrc.cli.main` says what an interruption left behind.
"""

from __future__ import annotations

import sys

__all__ = ["run"]


def run() -> int:
    """Import and run the command line (:func:`xlsrc.cli.main`); return its exit status.

    Returns
    -------
    int
        The command's status; 130 if interrupted before the command started.
    """
    try:
        from xlsrc.cli import main

        return main()
    except KeyboardInterrupt:
        sys.stderr.write("xlsrc: interrupted while starting; nothing was written\n")
        return 130


if __name__ == "__main__":
    sys.exit(run())
