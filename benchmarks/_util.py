"""What every benchmark shares: fresh directories, child processes measured by the kernel, rows.

A figure that depends on what a process has already imported or cached is measured in a
fresh child process: its wall time is taken around the whole process, its peak memory is
the kernel's ``ru_maxrss`` of that child (``os.wait4``), and its CPU time is the child's
user + system time, which the load of a shared machine disturbs less than the wall time.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "Child",
    "FreshDirs",
    "Row",
    "disk_usage",
    "load_average",
    "print_rows",
    "python_child",
    "run_child",
    "xlsrc_command",
]

REPO = Path(__file__).resolve().parents[1]


@dataclass
class Row:
    """One line of a results table: what, the figure, the target, and whether it is met."""

    what: str
    measured: str
    target: str = ""
    met: bool | None = None
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "what": self.what,
            "measured": self.measured,
            "target": self.target,
            "met": self.met,
            "detail": self.detail,
        }


def _verdict(met: bool | None) -> str:
    return "-" if met is None else ("yes" if met else "NO")


def print_rows(rows: Sequence[Row], title: str = "", *, markdown: bool = False) -> None:
    """Print rows as an aligned table (or a Markdown table); details follow as notes."""
    if title:
        print(f"\n{title}")
    head = ("what", "measured", "target", "met?")
    cells = [(r.what, r.measured, r.target or "-", _verdict(r.met)) for r in rows]
    if markdown:
        print("| " + " | ".join(head) + " |")
        print("| " + " | ".join("---" for _ in head) + " |")
        for c in cells:
            print("| " + " | ".join(c) + " |")
    else:
        widths = [max(len(str(c[i])) for c in [head, *cells]) for i in range(4)]
        line = "  ".join("-" * w for w in widths)
        print("  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)))
        print(line)
        for c in cells:
            print("  ".join(str(x).ljust(w) for x, w in zip(c, widths, strict=True)).rstrip())
    notes = [r for r in rows if r.detail]
    for r in notes:
        print(f"  * {r.what}: {r.detail}")
    sys.stdout.flush()


def load_average() -> str:
    """The 1-minute load average and the CPU count (the context of every wall time)."""
    try:
        one = os.getloadavg()[0]
    except OSError:
        return "load average unknown"
    return f"load average {one:.1f} on {os.cpu_count()} CPUs"


# --------------------------------------------------------------------------- directories
_COMPILED: list[bool] = []


def compile_package() -> None:
    """Write xlsrc's bytecode (``__pycache__``, git-ignored) once per benchmark process.

    What ``pip install`` does for a wheel; without it a child started with
    ``PYTHONDONTWRITEBYTECODE`` set (as on this machine) would compile xlsrc's modules
    every time, a cost no installed copy has.
    """
    if _COMPILED:
        return
    import compileall

    compileall.compile_dir(str(REPO / "xlsrc"), quiet=1)
    _COMPILED.append(True)


class FreshDirs:
    """Temporary store, cache, home and output directories for one run of xlsrc.

    ``env`` points ``XLSRC_STORE``, ``XLSRC_CACHE_DIR`` and the per-user directories
    (``HOME``, ``XDG_*``) into the temporary root, so a child process starts with a cold
    store *and* a cold calendar cache, and whatever it writes anywhere in the user's
    directories is found by :meth:`written`.
    """

    def __init__(self, prefix: str = "xlsrc-bench-") -> None:
        compile_package()
        self.root = Path(tempfile.mkdtemp(prefix=prefix))
        self.store_dir = self.root / "store"
        self.cache = self.root / "cache"
        self.home = self.root / "home"
        self.out = self.root / "out"
        for d in (self.store_dir, self.cache, self.home, self.out):
            d.mkdir()
        self.store = self.store_dir / "xlsrc.sqlite"

    @property
    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            XLSRC_STORE=str(self.store),
            XLSRC_CACHE_DIR=str(self.cache),
            HOME=str(self.home),
            XDG_CACHE_HOME=str(self.home / ".cache"),
            XDG_DATA_HOME=str(self.home / ".local" / "share"),
            XDG_CONFIG_HOME=str(self.home / ".config"),
            PYTHONUNBUFFERED="1",
        )
        # An installed package has its bytecode (pip compiles it at install; an editable
        # install writes it on first import): a child measures that, not a machine told
        # never to write bytecode, which recompiles xlsrc's modules in every process
        # (0.1-0.15 s of CPU per command measured here). compile_package() wrote it.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        return env

    def files(self, *dirs: Path) -> list[Path]:
        """Every file under ``dirs`` (default: store, cache and home)."""
        found: list[Path] = []
        for d in dirs or (self.store_dir, self.cache, self.home):
            found += [p for p in d.rglob("*") if p.is_file() or p.is_symlink()]
        return sorted(found)

    def written(self) -> tuple[int, list[tuple[str, int]]]:
        """Bytes on disk used by what xlsrc wrote outside the output dir, and the files."""
        files = self.files()
        listing = [(str(p.relative_to(self.root)), p.stat().st_size) for p in files]
        return disk_usage(self.store_dir, self.cache, self.home), listing

    def cleanup(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> FreshDirs:
        return self

    def __exit__(self, *exc: object) -> None:
        self.cleanup()


def disk_usage(*dirs: Path) -> int:
    """Bytes allocated on disk under ``dirs`` (``st_blocks``, as ``du`` counts them)."""
    total = 0
    for d in dirs:
        for root, _subdirs, files in os.walk(d):
            for name in files:
                try:
                    total += os.lstat(os.path.join(root, name)).st_blocks * 512
                except OSError:
                    pass
    return total


# --------------------------------------------------------------------------- children
@dataclass
class Child:
    """A finished child process as the kernel saw it."""

    args: list[str]
    returncode: int
    wall: float
    cpu: float
    maxrss_mb: float
    stdout: str
    stderr: str
    extra: dict[str, Any] = field(default_factory=dict)

    def result(self) -> dict[str, Any]:
        """The JSON object the child printed on its last stdout line."""
        for line in reversed(self.stdout.strip().splitlines()):
            if line.startswith("{"):
                return dict(json.loads(line))
        raise RuntimeError(
            f"child {' '.join(self.args[:4])}... printed no result "
            f"(status {self.returncode}):\n{self.stdout[-2000:]}\n{self.stderr[-4000:]}"
        )

    def check(self) -> Child:
        if self.returncode != 0:
            raise RuntimeError(
                f"child {' '.join(self.args)} failed with status {self.returncode}:\n"
                f"{self.stdout[-2000:]}\n{self.stderr[-4000:]}"
            )
        return self


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def run_child(
    args: Sequence[str],
    env: Mapping[str, str] | None = None,
    *,
    cwd: Path | None = None,
    interrupt_after: float | None = None,
    timeout: float = 1800.0,
) -> Child:
    """Run ``args`` to the end and measure it with ``os.wait4`` (wall, CPU, peak RSS).

    Parameters
    ----------
    args : sequence of str
        The command.
    env : mapping, optional
        Its environment (default: this process's).
    cwd : Path, optional
        Its working directory.
    interrupt_after : float, optional
        Send SIGINT to its process group this many seconds after the start (as a terminal's
        Ctrl-C does); ``extra["stop_s"]`` is then the time from the signal to its exit.
    timeout : float
        Kill it (SIGKILL) after this many seconds.

    Returns
    -------
    Child
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            list(args),
            env=dict(env) if env is not None else None,
            cwd=cwd,
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            # as in a terminal: a shell running this in the background ignores SIGINT, and
            # an ignored signal would stay ignored in the child
            preexec_fn=_default_sigint,
        )
        extra: dict[str, Any] = {}
        deadline = started + timeout
        signalled = None
        status = rusage = None
        while True:
            pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
            now = time.perf_counter()
            if pid:
                break
            if (
                interrupt_after is not None
                and signalled is None
                and now - started >= interrupt_after
            ):
                os.killpg(proc.pid, signal.SIGINT)
                signalled = now
                extra["signal_at_s"] = now - started
                extra["signal_epoch"] = time.time()  # to compare with files' mtimes
            if now > deadline:
                os.killpg(proc.pid, signal.SIGKILL)
            time.sleep(0.002)
        ended = time.perf_counter()
        proc.returncode = os.waitstatus_to_exitcode(status)
        if signalled is not None:
            extra["stop_s"] = ended - signalled
        out.seek(0)
        err.seek(0)
        return Child(
            args=list(args),
            returncode=proc.returncode,
            wall=ended - started,
            cpu=rusage.ru_utime + rusage.ru_stime,
            maxrss_mb=rusage.ru_maxrss / 1024,  # KiB on Linux
            stdout=out.read().decode(errors="replace"),
            stderr=err.read().decode(errors="replace"),
            extra=extra,
        )


def xlsrc_command(*args: str) -> list[str]:
    """The installed ``xlsrc`` console script with ``args`` (``python -m xlsrc.cli`` without it)."""
    script = Path(sys.executable).with_name("xlsrc")
    if script.exists():
        return [str(script), *args]
    return [sys.executable, "-m", "xlsrc.cli", *args]


def python_child(code: str, *args: str) -> list[str]:
    """``python -c code args...`` with the benchmarks package importable."""
    return [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(REPO)!r})\n" + code, *args]


def median(values: Iterable[float]) -> float:
    data = sorted(values)
    if not data:
        return math.nan
    mid = len(data) // 2
    return data[mid] if len(data) % 2 else (data[mid - 1] + data[mid]) / 2
