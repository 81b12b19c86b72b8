"""Settings for xlsrc's own processes (the formula server, the command line), not the library's.

A formula process loads a store's matrices and computes on them for hours; what it frees
must go back to the operating system, or its resident memory grows with every new as-of
date. On Windows the CRT heap returns large blocks when they are freed. glibc (Linux)
adapts its mmap threshold upwards after the first large free (up to 32 MiB), after
which arrays of a few MiB come from the heap and are kept when freed: measured here, a
dashboard recalculation then left the process at 453 MB instead of 248 MB.
:func:`return_freed_memory` fixes the threshold at 1 MiB (``mallopt(M_MMAP_THRESHOLD)``,
which also stops the adaptation) and makes Arrow allocate from the system allocator
instead of mimalloc, which keeps what it once held (:func:`use_system_allocator`). Only
adapters call them (a notebook's process is left alone); the glibc part does nothing
where glibc is not the C library.

The command line calls :func:`use_system_allocator` alone. A command lives a second or
two and gives everything back when it exits, while a fixed 1 MiB threshold makes every
array of more than a MiB a fresh mapping whose pages the kernel faults in and zeroes one
by one: measured on the bundled data, ``xlsrc leaders`` took about 220,000 page faults
with the threshold and 25,000 without, 2.53 s of CPU against 1.88 s.

Arrow's allocator has two levels: :func:`pyarrow.set_memory_pool` changes only the pool
pyarrow's Python functions use; the C++ default pool (Parquet decoding, compute kernels,
pandas' Arrow-backed strings) is chosen once, when pyarrow is first imported, from the
environment variable ``ARROW_DEFAULT_MEMORY_POOL``. So :func:`use_system_allocator` also
sets that variable, which takes effect only if it runs before pyarrow (or pandas, which
imports it) is imported: the formula process calls it from ``xlsrc.excel``'s package
initialisation for that reason. Measured after a dashboard recalculation of the bundled
data: 278 MB resident with mimalloc as the C++ pool (a 1 GiB arena, 30 MB of it
resident), 250 MB with the system allocator.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys

__all__ = ["command_finished", "mark_command", "return_freed_memory", "use_system_allocator"]

_M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter number
_THRESHOLD = 1 << 20
_arrow_done = False
_mmap_done = False
#: Whether the running command's work and output are complete (:func:`mark_command`).
_command_done = False


def mark_command(finished: bool) -> None:
    """Note that the command line's command started (False) or finished (True).

    :func:`xlsrc.cli.main` marks its command finished once its output is flushed; from
    then on the entry point's Ctrl-C handler (``xlsrc.__main__``) ignores the signal: the
    work is done and said, and an interruption could only turn a finished command into a
    false "interrupted" line or a silent exit status. It lives here, not in the entry
    point, because ``python -m xlsrc`` runs that module as ``__main__``.
    """
    global _command_done
    _command_done = finished


def command_finished() -> bool:
    """Whether the running command has finished (:func:`mark_command`)."""
    return _command_done


def use_system_allocator() -> None:
    """Make Arrow allocate from the system allocator in this process (once).

    Sets ``ARROW_DEFAULT_MEMORY_POOL=system`` for Arrow's C++ pool when pyarrow is not
    imported yet (see the module docstring) and pyarrow's Python pool in any case.
    """
    global _arrow_done
    if _arrow_done:
        return
    _arrow_done = True
    if "pyarrow" not in sys.modules:  # too late once imported: see the module docstring
        os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
    try:
        import pyarrow as pa

        pa.set_memory_pool(pa.system_memory_pool())
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        pass


def return_freed_memory() -> None:
    """Make large freed arrays go back to the OS in this long-lived process (once; glibc only).

    :func:`use_system_allocator`, then glibc's mmap threshold fixed at 1 MiB. For the
    formula process, not for a short command (module docstring).
    """
    global _mmap_done
    if not _mmap_done:
        _mmap_done = True
        if sys.platform.startswith("linux"):
            name = ctypes.util.find_library("c")
            try:
                libc = ctypes.CDLL(name or "libc.so.6")
                mallopt = libc.mallopt
            except (OSError, AttributeError):  # musl and other C libraries: nothing to tune
                mallopt = None
            if mallopt is not None:
                mallopt(_M_MMAP_THRESHOLD, _THRESHOLD)
    use_system_allocator()
