"""Benchmark: the first ``xlsrc report`` after install, its memory and disk, and Ctrl-C during it.

Usage::

    .venv/bin/python benchmarks/bench_first_run.py [--pairs 3] [--interrupts 0.3,0.4,0.5,1,2,3]

Every run is the installed ``xlsrc report`` command in a fresh process with its own
temporary store, cache and home directories (``XLSRC_STORE``, ``XLSRC_CACHE_DIR``,
``HOME``/``XDG_*``), so the first run finds no store file *and* no calendar cache, as on a
machine where xlsrc was just installed. Figures (issue 12):

- first run vs the warm (second) run in the same directories, whole-process wall time
  (median of ``--pairs`` pairs; the child's CPU time beside it): target <= 3x the warm
  run and < 5 s;
- peak memory of the first run: the child's ``ru_maxrss`` (largest of the pairs), < 1 GB;
- disk used beyond the installed package before the user adds any data: every byte
  under the store, cache and home directories after both runs (the report itself is the
  user's output and is not counted), < 60 MB;
- Ctrl-C: SIGINT to the process group ``--interrupts`` seconds after the start, on a cold
  store; the time from the signal to the exit (< 1 s), the exit status, the last line of
  stderr (it must be true: a report writes nothing to the store), and no file left in the
  store, cache or output directory but complete ones.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._util import (
    FreshDirs,
    Row,
    load_average,
    median,
    print_rows,
    run_child,
    xlsrc_command,
)

FIRST_RUN_LIMIT_S = 5.0
FIRST_TO_WARM = 3.0
PEAK_LIMIT_MB = 1024.0
DISK_LIMIT_MB = 60.0
STOP_LIMIT_S = 1.0
INTERRUPTS = (0.3, 0.4, 0.5, 1.0, 2.0, 3.0)
#: Files a complete run may leave: the calendar cache and the report.
COMPLETE = ("sessions-XNYS-", "report.xlsx")


def report_args(dirs: FreshDirs) -> list[str]:
    return xlsrc_command("report", "--out", str(dirs.out / "report.xlsx"))


def first_and_warm(pairs: int = 3) -> tuple[list[Row], dict]:
    """Time ``pairs`` (first, warm) pairs of ``xlsrc report``; return the rows and raw figures."""
    firsts, warms, peaks, disks, listings = [], [], [], [], []
    for _ in range(pairs):
        with FreshDirs() as dirs:
            first = run_child(report_args(dirs), dirs.env).check()
            disk_first, _ = dirs.written()
            warm = run_child(report_args(dirs), dirs.env).check()
            disk, listing = dirs.written()
            firsts.append(first)
            warms.append(warm)
            peaks.append(first.maxrss_mb)
            disks.append(max(disk, disk_first))
            listings.append(listing)
    f_wall, w_wall = median(c.wall for c in firsts), median(c.wall for c in warms)
    f_cpu, w_cpu = median(c.cpu for c in firsts), median(c.cpu for c in warms)
    ratio = f_wall / w_wall
    peak = max(peaks)
    disk_mb = max(disks) / 1e6
    files = ", ".join(f"{name} ({size / 1e3:.0f} kB)" for name, size in listings[-1]) or "none"
    rows = [
        Row(
            "first `xlsrc report` after install (whole process)",
            f"{f_wall:.2f} s = {ratio:.2f}x warm {w_wall:.2f} s "
            f"(CPU {f_cpu:.2f} s vs {w_cpu:.2f} s)",
            f"<= {FIRST_TO_WARM:.0f}x warm and < {FIRST_RUN_LIMIT_S:.0f} s",
            ratio <= FIRST_TO_WARM and f_wall < FIRST_RUN_LIMIT_S,
            f"median of {pairs} pairs, each in fresh store/cache/home dirs; walls "
            + ", ".join(f"{a.wall:.2f}/{b.wall:.2f}" for a, b in zip(firsts, warms, strict=True))
            + f" s (first/warm); {load_average()}",
        ),
        Row(
            "peak memory of that first run (ru_maxrss)",
            f"{peak:.0f} MB",
            f"< {PEAK_LIMIT_MB:.0f} MB",
            peak < PEAK_LIMIT_MB,
            "per run: " + ", ".join(f"{p:.0f}" for p in peaks) + " MB",
        ),
        Row(
            "disk used beyond the package before the user adds data",
            f"{disk_mb:.2f} MB",
            f"< {DISK_LIMIT_MB:.0f} MB",
            disk_mb < DISK_LIMIT_MB,
            f"store+cache+home after first and warm runs: {files}",
        ),
    ]
    raw = {
        "first_wall": [c.wall for c in firsts],
        "warm_wall": [c.wall for c in warms],
        "first_cpu": [c.cpu for c in firsts],
        "warm_cpu": [c.cpu for c in warms],
        "peak_mb": peaks,
        "disk_bytes": disks,
        "files": listings[-1],
    }
    return rows, raw


def _leftovers(dirs: FreshDirs) -> list[str]:
    """Files in the store, cache, home and output dirs that a complete run does not leave."""
    return [
        str(p.relative_to(dirs.root))
        for p in dirs.files(dirs.store_dir, dirs.cache, dirs.home, dirs.out)
        if not any(p.name.startswith(c) and not p.name.endswith(".tmp") for c in COMPLETE)
    ]


def interrupts(delays: tuple[float, ...] = INTERRUPTS) -> tuple[list[Row], list[dict]]:
    """Send Ctrl-C to ``xlsrc report`` on a cold store after each delay; return rows and runs."""
    runs = []
    for delay in delays:
        with FreshDirs() as dirs:
            child = run_child(report_args(dirs), dirs.env, interrupt_after=delay)
            lines = child.stderr.strip().splitlines()
            finished = child.returncode == 0
            report = dirs.out / "report.xlsx"
            # the report was complete when the signal came: only the exit was left, and a
            # finished command ignores Ctrl-C (xlsrc.__main__)
            done_before = (
                finished
                and "signal_epoch" in child.extra
                and report.exists()
                and report.stat().st_mtime <= child.extra["signal_epoch"]
            )
            runs.append(
                {
                    "delay_s": delay,
                    "status": child.returncode,
                    "stop_s": child.extra.get("stop_s"),
                    "stderr": lines[-1] if lines else "",
                    "traceback": any(line.startswith("Traceback") for line in lines),
                    "store_exists": dirs.store.exists(),
                    "leftovers": _leftovers(dirs),
                    "finished": finished,
                    "done_before_signal": done_before,
                }
            )
    rows = []
    for r in runs:
        if r["finished"]:
            before = r["stop_s"] is None or r["done_before_signal"]
            rows.append(
                Row(
                    f"Ctrl-C {r['delay_s']:.1f} s after start",
                    "finished before the signal"
                    + ("" if r["stop_s"] is None else " (its exit ignored it)")
                    if before
                    else "ran to the end after the signal",
                    f"< {STOP_LIMIT_S:.0f} s",
                    before,
                )
            )
            continue
        clean = not r["traceback"] and r["stderr"].startswith("xlsrc: interrupted")
        true = clean and not r["store_exists"]
        fast = r["stop_s"] is not None and r["stop_s"] < STOP_LIMIT_S
        message = (
            "traceback ending 'KeyboardInterrupt'" if r["traceback"] else repr(r["stderr"][:70])
        )
        rows.append(
            Row(
                f"Ctrl-C {r['delay_s']:.1f} s after start (cold store)",
                f"stopped in {r['stop_s']:.2f} s, status {r['status']}, "
                f"{'no temp files' if not r['leftovers'] else 'LEFT ' + ', '.join(r['leftovers'])}",
                f"< {STOP_LIMIT_S:.0f} s, no temp files, a true message",
                fast and not r["leftovers"] and true,
                f"stderr: {message}; store file {'EXISTS' if r['store_exists'] else 'not created'}",
            )
        )
    return rows, runs


def interrupt_summary(runs: list[dict]) -> Row:
    """One row for every Ctrl-C run: the slowest stop, the statuses, the messages, the files left."""
    stopped = [r for r in runs if not r["finished"]]
    ignored = [
        r
        for r in runs
        if r["finished"] and r["stop_s"] is not None and not r.get("done_before_signal")
    ]
    if ignored:
        return Row(
            "Ctrl-C during the first run (cold store)",
            f"{len(ignored)} of {len(runs)} runs went on to the end after the signal",
            f"< {STOP_LIMIT_S:.0f} s, no temp files, a true message",
            False,
        )
    if not stopped:
        return Row("Ctrl-C during the first run", "every run finished before the signal")
    slowest = max(r["stop_s"] for r in stopped)
    left = sorted({f for r in stopped for f in r["leftovers"]})
    clean = [
        r for r in stopped if not r["traceback"] and r["stderr"].startswith("xlsrc: interrupted")
    ]
    tracebacks = [r for r in stopped if r["traceback"]]
    true = all(not r["store_exists"] for r in stopped)
    met = slowest < STOP_LIMIT_S and not left and len(clean) == len(stopped) and true
    parts = [
        f"{r['delay_s']:.1f} s: {r['stop_s']:.2f} s, status {r['status']}"
        + (", traceback" if r["traceback"] else "")
        for r in stopped
    ]
    message = clean[0]["stderr"] if clean else ""
    return Row(
        "Ctrl-C during the first run (cold store)",
        f"stopped within {slowest:.2f} s; "
        + ("no temp files" if not left else "LEFT " + ", ".join(left))
        + f"; {len(clean)}/{len(stopped)} with the message"
        + (f", {len(tracebacks)} with a traceback" if tracebacks else ""),
        f"< {STOP_LIMIT_S:.0f} s, no temp files, a true message",
        met,
        "signal after (stop time, exit status): "
        + "; ".join(parts)
        + (f"; message {message!r}" if message else "")
        + f"; store file {'created' if not true else 'never created (the message is true)'}"
        + (
            "; a traceback means the signal came while the CLI was still importing, "
            "before its handler was set up"
            if tracebacks
            else ""
        ),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=3, help="(first, warm) pairs to run")
    parser.add_argument(
        "--interrupts",
        default=",".join(str(d) for d in INTERRUPTS),
        help="comma-separated delays (s) at which to send Ctrl-C",
    )
    args = parser.parse_args()
    rows, _ = first_and_warm(args.pairs)
    more, runs = interrupts(tuple(float(d) for d in args.interrupts.split(",") if d.strip()))
    summary = [interrupt_summary(runs)] if runs else []
    print_rows([*rows, *summary, *more], "First run, memory, disk and Ctrl-C")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
