"""Run every benchmark in one go and print issue 12's table beside its targets, then the scale table.

Usage::

    python -m benchmarks [--quick] [--no-scale] [--data DIR] [--markdown] [--json FILE]

- ``--quick``: the scale benchmark measures 2 and 5 years only (skips 10 and 20).
- ``--no-scale``: no scale benchmark at all.
- ``--data DIR``: keep the generated synthetic snapshots in DIR and reuse them next time
  (by default they are generated in a temporary directory and deleted).
- ``--markdown``: print the tables as Markdown (the README's benchmark section).
- ``--json FILE``: also write every raw figure to FILE.

After issue 12's table it runs ``bench_lifted.py`` (500 tickers in one lifted formula
call vs 500 single calls, issue 10) and ``bench_postgres.py`` (cold load from PostgreSQL
vs its local cache vs the embedded store, issue 13; skipped without a server).

Every figure that depends on what a process has imported or cached is measured in a
fresh child process with its own temporary store, cache and home directories (see
``benchmarks/_util.py``); nothing is written outside the temporary directories. The
benchmarks print figures and fail nothing: they are not tests. Each
``benchmarks/bench_*.py`` also runs alone (``--help`` says how).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import bench_first_run, bench_scale, bench_udfs, bench_writes
from benchmarks._util import Row, load_average, print_rows


def machine() -> str:
    import numpy
    import pandas
    import pyarrow

    from xlsrc import __version__

    return (
        f"xlsrc {__version__}, Python {platform.python_version()}, numpy {numpy.__version__}, "
        f"pandas {pandas.__version__}, pyarrow {pyarrow.__version__}; {platform.machine()} "
        f"{platform.system()}, {os.cpu_count()} CPUs, {load_average()} at the start"
    )


def child(script: str, *args: str) -> None:
    """Run one ``benchmarks/bench_*.py`` alone in a fresh process and show its output."""
    print(f"\n=== {script} {' '.join(args)}".rstrip(), flush=True)
    subprocess.run(
        [sys.executable, str(Path(__file__).resolve().parent / script), *args], check=True
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="scale: 2 and 5 years only")
    parser.add_argument("--no-scale", action="store_true", help="skip the scale benchmark")
    parser.add_argument("--data", type=Path, help="keep/reuse the synthetic snapshots here")
    parser.add_argument("--markdown", action="store_true", help="print Markdown tables")
    parser.add_argument("--json", type=Path, help="write the raw figures to this file")
    args = parser.parse_args()

    started = time.perf_counter()
    print(machine(), flush=True)
    raw: dict = {}
    steps: list[tuple[str, float]] = []

    def step(name: str) -> None:
        steps.append((name, time.perf_counter()))
        print(f"... {name} ({time.perf_counter() - started:.0f} s in)", file=sys.stderr, flush=True)

    step("first run and warm run (3 pairs)")
    first_rows, raw["first_run"] = bench_first_run.first_and_warm(3)
    step("formula process")
    udf_rows, raw["formulas"] = bench_udfs.measure()
    step("after a write")
    write_rows, raw["writes"] = bench_writes.measure(3)
    step("Ctrl-C")
    _, raw["interrupts"] = bench_first_run.interrupts()
    issue: list[Row] = [
        *first_rows,
        *udf_rows,
        *write_rows,
        bench_first_run.interrupt_summary(raw["interrupts"]),
    ]
    print_rows(issue, "Issue 12: measured vs target", markdown=args.markdown)

    step("lifted formulas (issue 10)")
    child("bench_lifted.py")
    step("PostgreSQL (issue 13; skips itself without a server)")
    child("bench_postgres.py")

    if not args.no_scale:
        years = (2, 5) if args.quick else bench_scale.YEARS
        step(f"scale: {', '.join(map(str, years))} years")
        scale_rows, results, model = bench_scale.measure(years, data=args.data)
        raw["scale"] = {"results": results, "model": model}
        print_rows(
            scale_rows,
            "Scale: 12,500 tickers (synthetic) and the bundled snapshot",
            markdown=args.markdown,
        )
        print(bench_scale.model_text(model, bench_scale.TICKERS, dense=False))
    total = time.perf_counter() - started
    steps.append(("end", time.perf_counter()))
    parts = ", ".join(
        f"{name} {end - begin:.0f} s" for (name, begin), (_, end) in itertools.pairwise(steps)
    )
    print(f"\nWhole run: {total:.0f} s ({parts}); {load_average()} at the end")
    if args.json:
        args.json.write_text(json.dumps(raw, indent=1, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
