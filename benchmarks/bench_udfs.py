"""Benchmark: 1,000 mixed Excel formula calls against the bundled store, cold and warm.

Targets (issue 3): a cold first call (fresh process: imports, store load, first value)
under 2 s; warm calls averaging under 1 ms each. Also timed: one formula over many dates
(``YTD_RETURN("VICR", d)`` for 120 trading days, each a date not memoised yet), with the
growth of the process's resident memory (the per-date caches are bounded); and one
``Market.values`` call for 500 tickers (the vectorised serving the lifted formulas of
issue 10 will use; their target is 500 tickers under 5 ms warm) against 500 single calls.

Usage::

    python benchmarks/bench_udfs.py [--store PATH] [--calls 1000]

Without ``--store`` a temporary store is seeded from the bundled snapshot first (that
one-off seeding is timed separately and not counted as the cold call: it happens once per
machine, not once per Excel session). The cold call runs in a fresh subprocess so that
nothing is imported or cached yet.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

AS_OF = 46044.0  # =DATE(2026,1,22), as Excel sends it
TICKERS = ["VICR", "ICHR", "UCTT", "IWM", "SPY", "QQQ", "AAPL", "MSFT", "NVDA", "XLK"]

COLD = """
import json, sys, time
t0 = time.perf_counter()
from xlsrc.excel import udfs
t1 = time.perf_counter()
value = udfs.YTD_RETURN("VICR", 46044.0)
t2 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "first_call_s": t2 - t1, "total_s": t2 - t0, "value": value}))
"""


def mixed_calls(n: int) -> list[tuple[str, tuple]]:
    """``n`` formula calls in the mix a dashboard sheet would have."""
    kinds = [
        ("YTD_RETURN", lambda t: (t, AS_OF)),
        ("RS_RATING", lambda t: (t, None, None, AS_OF)),  # universe, basis, as_of
        ("PCT_FROM_MA", lambda t: (t, 20.0, AS_OF)),
        ("RSI", lambda t: (t, None, AS_OF)),
        ("VOLATILITY", lambda t: (t, None, AS_OF)),
        ("TRAILING_RETURN", lambda t: (t, "1M", AS_OF)),
        ("REL_VOLUME", lambda t: (t, None, AS_OF)),
        ("PCT_FROM_HIGH", lambda t: (t, AS_OF)),
        ("RS_SCORE", lambda t: (t, None, AS_OF)),  # basis, as_of
        ("YTD_RETURN", lambda t: (t.lower() + " ", None)),
    ]
    calls = []
    for i in range(n):
        name, make = kinds[i % len(kinds)]
        calls.append((name, make(TICKERS[(i // len(kinds)) % len(TICKERS)])))
    return calls


def _rss_mb() -> float:
    """Resident memory of this process in MB (Linux /proc; NaN elsewhere)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def many_dates(udfs: object, dates: list, ticker: str = "VICR") -> tuple[float, float]:
    """Time ``YTD_RETURN(ticker, d)`` over ``dates``; return (seconds, RSS growth in MB)."""
    rss0 = _rss_mb()
    t0 = time.perf_counter()
    for d in dates:
        udfs.YTD_RETURN(ticker, d)  # type: ignore[attr-defined]
    return time.perf_counter() - t0, _rss_mb() - rss0


def many_tickers(market: object, n: int = 500, repeat: int = 20) -> tuple[float, float]:
    """Warm ms of one ``Market.values`` call for ``n`` stocks vs ``n`` single YTD_RETURN calls."""
    from xlsrc.excel import udfs

    tickers = [str(t) for t in market.universe("stocks")[:n]]  # type: ignore[attr-defined]
    market.values(tickers, "ret_ytd", "2026-01-22")  # type: ignore[attr-defined]
    t0 = time.perf_counter()
    for _ in range(repeat):
        market.values(tickers, "ret_ytd", "2026-01-22")  # type: ignore[attr-defined]
    one_call_ms = (time.perf_counter() - t0) / repeat * 1000
    t0 = time.perf_counter()
    for t in tickers:
        udfs.YTD_RETURN(t, AS_OF)
    singles_ms = (time.perf_counter() - t0) * 1000
    return one_call_ms, singles_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", help="store path (default: a fresh temp store)")
    parser.add_argument("--calls", type=int, default=1000)
    opts = parser.parse_args()

    tmp = None
    if opts.store is None:
        tmp = tempfile.TemporaryDirectory()
        opts.store = str(Path(tmp.name) / "xlsrc.sqlite")
    os.environ["XLSRC_STORE"] = opts.store

    t0 = time.perf_counter()
    from xlsrc.market import get_market

    get_market()  # seeds the store (first use on a machine) and writes its cache file
    seed_s = time.perf_counter() - t0

    cold = json.loads(
        subprocess.run(
            [sys.executable, "-c", COLD], capture_output=True, text=True, check=True, env=os.environ
        ).stdout
    )

    from xlsrc.excel import udfs

    calls = mixed_calls(opts.calls)
    # first pass in this process: per-date metrics computed once, then memoised
    t0 = time.perf_counter()
    for name, args in calls:
        getattr(udfs, name)(*args)
    first_pass_s = time.perf_counter() - t0
    # warm pass: what a recalculation of 1,000 formulas costs
    t0 = time.perf_counter()
    errors = 0
    for name, args in calls:
        value = getattr(udfs, name)(*args)
        errors += isinstance(value, str) and value.startswith("#N/A")
    warm_s = time.perf_counter() - t0

    index = get_market().close.index
    dates = [d.to_pydatetime() for d in index[-241:-1:2]]  # 120 days, none memoised yet
    many_s, many_mb = many_dates(udfs, dates)

    values_ms, singles_ms = many_tickers(get_market())

    print(f"store: {opts.store}")
    print(f"seed/load store (once per machine): {seed_s:.2f} s")
    print(
        f"cold first call (fresh process): {cold['total_s']:.2f} s "
        f"(import {cold['import_s']:.2f} s + first YTD_RETURN {cold['first_call_s']:.2f} s)"
        f"  target < 2 s: {'OK' if cold['total_s'] < 2 else 'MISSED'}"
    )
    print(f"first pass, {len(calls)} calls: {first_pass_s:.3f} s")
    avg_ms = warm_s / len(calls) * 1000
    print(
        f"warm, {len(calls)} calls: {warm_s:.3f} s = {avg_ms:.3f} ms/call"
        f"  target < 1 ms: {'OK' if avg_ms < 1 else 'MISSED'}  (#N/A results: {errors})"
    )
    print(
        f"{len(dates)} dates x YTD_RETURN: {many_s:.2f} s = {many_s / len(dates) * 1000:.1f} ms/call,"
        f" resident memory {many_mb:+.0f} MB"
    )
    print(
        f"Market.values, 500 tickers in one call (warm): {values_ms:.2f} ms; 500 single "
        f"YTD_RETURN calls: {singles_ms:.1f} ms ({singles_ms / values_ms:.0f}x)"
    )
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
