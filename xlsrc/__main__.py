"""The ``xlsrc`` command and ``python -m xlsrc``: the command line, with Ctrl-C honoured from the start.

Loading the command line imports pandas and the analytics (about a second, longer on a
busy machine). A Ctrl-C in that time, or while the arguments are read, would end in a
Python traceback if the entry point were :func:`xlsrc.cli.main` itself; here it is one
line, ``xlsrc: interrupted while starting; nothing was written``, and exit status 130.
Once a command runs, :func:`xlsrc.cli.main` says what an interruption left behind.

When the command has finished (its work done and its output flushed, which
:func:`xlsrc.cli.main` notes with :func:`xlsrc._process.mark_command`), a Ctrl-C is
ignored: the command's own status stands and nothing false is said (a Ctrl-C just after
an import committed once ended as "interrupted while starting; nothing was written", or
with status 130 and nothing on stderr). Then nothing is left to do but tear the
interpreter down: :func:`run` keeps Ctrl-C ignored (it could only kill the process
silently, status -2) and freezes the garbage collector's objects, so
the interpreter's last collection does not walk every object pandas and the market made
(about 0.15 s of CPU after a command that loaded the market; objects are still freed
and closed as usual).
"""

from __future__ import annotations

import sys

__all__ = ["run"]


def run() -> int:
    """Import and run the command line (:func:`xlsrc.cli.main`); return its exit status.

    Meant as a process's entry point (the console script, ``python -m xlsrc``): once the
    command has finished it leaves Ctrl-C ignored and the collector frozen for the exit
    (module docstring).

    Returns
    -------
    int
        The command's status; 130 if interrupted before the command started.
    """
    _note_interrupts()
    try:
        from xlsrc.cli import main

        status = main()
    except KeyboardInterrupt:
        sys.stderr.write("xlsrc: interrupted while starting; nothing was written\n")
        return 130
    except ImportError as exc:
        # a Ctrl-C while a library is imported can surface as that library's ImportError
        # (numpy's C code swallows it: pandas then says "Unable to import required
        # dependency numpy"): it is the interruption
        if not (_SIGNALLED or _caused_by_interrupt(exc)):
            raise
        sys.stderr.write("xlsrc: interrupted while starting; nothing was written\n")
        return 130
    try:
        _finished()
    except KeyboardInterrupt:  # the command had finished: its status stands
        pass
    return status


#: SIGINTs received since :func:`run` started (a Ctrl-C some C code turned into another error).
_SIGNALLED: list[int] = []


def _note_interrupts() -> None:
    """Make Ctrl-C raise ``KeyboardInterrupt`` as Python's own handler does, and note it."""
    import signal

    from xlsrc._process import command_finished, mark_command

    mark_command(finished=False)  # a new run: no command has finished yet

    def interrupted(signum: int, frame: object) -> None:
        _SIGNALLED.append(signum)
        if command_finished():  # the work is done and said: the command's status stands
            return
        raise KeyboardInterrupt

    try:
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            signal.signal(signal.SIGINT, interrupted)
    except (ValueError, OSError):  # not the main thread: Python's handler stays
        pass


def _caused_by_interrupt(exc: BaseException) -> bool:
    """Whether a ``KeyboardInterrupt`` is in ``exc``'s chain of causes and contexts."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, KeyboardInterrupt):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def _finished() -> None:
    """Prepare a finished command's exit: Ctrl-C ignored, the collector's objects frozen."""
    import gc
    import signal

    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    except (ValueError, OSError):  # not the main thread, or no such signal here
        pass
    gc.freeze()


if __name__ == "__main__":
    sys.exit(run())
