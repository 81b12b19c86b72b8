"""What an interrupted ``xlsrc`` command left behind: the stores and files it touched.

Commands note each store they open (:func:`_watch_store`: its data and bars versions)
and each file they are about to write (:func:`_watch_file`); on Ctrl-C,
:func:`interrupted_message` reads them again and says, on one line, whether each changed.
:func:`xlsrc.cli.main` clears the record before each command.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from xlsrc.cli.output import PROG
from xlsrc.data.refresh_summary import RefreshInterrupted
from xlsrc.errors import XlsrcError

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
