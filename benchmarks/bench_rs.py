"""Benchmark: RS ratings for the whole bundled universe as of one date, once loaded.

Target (foundation issue): RS ratings for 3,000+ tickers under 50 ms once the store is
loaded. Also times the whole per-date metrics pass that the formulas and the dashboard
share (every return, RS, moving-average distance, RSI, volatility, relative volume and
52-week-high figure for every ticker), which is paid once per as-of date.

Usage::

    python benchmarks/bench_rs.py [--store PATH] [--as-of 2026-01-22] [--repeat 20]

Without ``--store`` a temporary store is seeded from the bundled snapshot first.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd


def timed(func: Callable[[], object], repeat: int) -> list[float]:
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        runs.append(time.perf_counter() - started)
    return runs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", help="an existing store (default: seed a temporary one)")
    parser.add_argument("--as-of", default="2026-01-22")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    store = Path(args.store) if args.store else Path(tempfile.mkdtemp()) / "xlsrc.sqlite"

    from xlsrc.core.rs import rs_rating, rs_score
    from xlsrc.market import get_market

    market = get_market(store)
    as_of = pd.Timestamp(args.as_of)
    universe = market.universe("stocks")
    close = market.close
    print(
        f"matrix: {close.shape[0]} dates x {close.shape[1]} tickers; universe 'stocks': {len(universe)}"
    )

    def ratings() -> None:
        rs_rating(rs_score(close, as_of), universe)

    runs = timed(ratings, args.repeat)
    best, median = min(runs) * 1e3, statistics.median(runs) * 1e3
    verdict = "OK" if median < 50 else "SLOW"
    print(
        f"RS score + rating, all {close.shape[1]} tickers vs {len(universe)} stocks: "
        f"median {median:.1f} ms, best {best:.1f} ms  (target < 50 ms: {verdict})"
    )

    fresh = []
    for day in pd.bdate_range(as_of - pd.Timedelta(days=40), as_of)[: args.repeat]:
        started = time.perf_counter()
        market.metrics(day)
        fresh.append(time.perf_counter() - started)
    print(
        f"full metrics pass for a new as-of date (memoised afterwards): "
        f"median {statistics.median(fresh) * 1e3:.0f} ms over {len(fresh)} dates"
    )
    market.metrics(as_of)
    started = time.perf_counter()
    market.metrics(as_of)
    print(f"memoised metrics lookup: {(time.perf_counter() - started) * 1e6:.0f} us")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
