"""Benchmark: first-run seeding of a store from the bundled snapshot, and cold/warm loads.

Usage::

    .venv/bin/python benchmarks/bench_load.py [--keep DIR]

Seeds a fresh store in a temporary directory (timed in this process), then times a cold
load of the store into matrices in a fresh Python process (imports excluded and reported
separately), and a warm ``get_market`` call.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COLD = """
import time
t0 = time.perf_counter()
from xlsrc.data.store import Store
t1 = time.perf_counter()
m = Store({path!r}).load_matrices()
t2 = time.perf_counter()
from xlsrc.market import get_market
mk = get_market({path!r})
t3 = time.perf_counter()
mk2 = get_market({path!r})
t4 = time.perf_counter()
print(f"{{t1 - t0:.3f}} {{t2 - t1:.3f}} {{t3 - t2:.3f}} {{(t4 - t3) * 1e6:.1f}} {{m.close.shape[0]}} {{m.close.shape[1]}}")
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", help="seed into this directory and keep the store")
    args = parser.parse_args()
    directory = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="xlsrc-bench-"))
    path = directory / "xlsrc.sqlite"
    if path.exists():
        path.unlink()
    from xlsrc.data.store import Store

    t0 = time.perf_counter()
    Store(path).ensure_seeded()
    seed = time.perf_counter() - t0
    print(f"seed from bundled snapshot: {seed:.1f} s  ({path.stat().st_size / 1e6:.0f} MB sqlite)")
    store = Store(path)
    store.status()
    status_runs = []
    for _ in range(20):
        started = time.perf_counter()
        store.status()
        status_runs.append(time.perf_counter() - started)
    status_runs.sort()
    print(f"Store.status() (DATA_STATUS, xlsrc status): median {status_runs[10] * 1e3:.1f} ms")
    runs = []
    for _ in range(3):
        out = subprocess.run(
            [sys.executable, "-c", COLD.format(path=str(path))],
            capture_output=True,
            text=True,
            check=True,
        )
        runs.append(out.stdout.split())
    for imp, load, market, warm, n_dates, n_tickers in runs:
        print(
            f"fresh process: import {float(imp):.2f} s, cold load_matrices {float(load):.3f} s "
            f"({n_dates} dates x {n_tickers} tickers), Market build {float(market):.3f} s, "
            f"warm get_market {float(warm):.0f} us"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
