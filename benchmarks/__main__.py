"""Run every benchmark against one store seeded for the run, and print their figures.

Usage::

    python -m benchmarks

Targets (from the issues, on the 2-core machine): seeding is part of the first report run
(< 20 s); cold load of the store into matrices < 1 s; RS ratings for the whole universe
< 50 ms once loaded; 1,000 formula calls warm < 1 ms each, cold first call < 2 s;
``xlsrc report`` < 5 s on a seeded store. The benchmarks print their figures with the
targets beside them; they are not tests and fail nothing.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run(script: str, *args: str) -> None:
    print(f"\n=== {script} {' '.join(args)}", flush=True)
    subprocess.run([sys.executable, str(HERE / script), *args], check=True)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="xlsrc-bench-") as tmp:
        run("bench_load.py", "--keep", tmp)
        store = str(Path(tmp) / "xlsrc.sqlite")
        run("bench_rs.py", "--store", store)
        run("bench_udfs.py", "--store", store)
        run("bench_report.py")
    run("bench_postgres.py")  # skips itself without a PostgreSQL server
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
