"""Benchmark: one lifted formula over 500 tickers vs 500 single-cell formulas, in one run.

Issue 10 section 1: in Excel every UDF call is a COM round trip, so a watchlist of 500
rows written cell by cell costs 500 calls where one lifted formula (``=RS_RATING(A2:A501)``)
does. Target: the one lifted call for 500 tickers under 5 ms once warm.

Measured, for a few formulas as of 2026-01-22 (``=DATE(2026,1,22)``, a serial, as Excel
sends it) and as of the latest date, over the S&P 500 members in the store (or the first
``--n`` stocks with ``--universe stocks``):

- plain Python: ``udfs.YTD_RETURN([[t] for t in tickers], as_of)`` once, against
  ``udfs.YTD_RETURN(t, as_of)`` for each ticker;
- through xlwings' own UDF entry point ``xlwings.udfs.call_udf`` (pywin32 replaced by the
  stand-ins of ``tests/xlwings_com_stub.py``): the argument read with the formula's
  declared options (``ndim=2``, ``err_to_str``), the result written back as Excel gets it,
  a range as the tuple of row tuples the COM server hands over;
- ``Market.values`` for the same tickers, the serving the lifted call is built on.

Each warm figure is the median of ``--repeat`` timed calls after two untimed ones (wall
clock; ``cpu`` is the median CPU time of the call through ``call_udf``, which a machine
busy with other work disturbs less); the single calls are timed as passes over the
tickers, the median of three passes after an untimed one. Columns: ``values`` =
``Market.values`` alone, ``lifted`` = one plain call, ``500x1`` = one pass of single
calls, ``ratio`` = singles / lifted; then the same through ``call_udf``. The COM round
trip itself (a cost per call in Excel, which this machine has not) is in no figure: the
ratio is what Python costs, and the round trips only widen it.

Usage::

    python benchmarks/bench_lifted.py [--store PATH] [--universe sp500] [--n 500] [--repeat 50]

Without ``--store`` a temporary store over the bundled snapshot is used.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
AS_OF = 46044.0  # =DATE(2026,1,22), as Excel sends it
TARGET_MS = 5.0
MISSING = -2147352572  # what VBA passes for an omitted optional argument

#: (formula, arguments after the ticker, with MISSING for an omitted one)
CASES: list[tuple[str, tuple[Any, ...]]] = [
    ("YTD_RETURN", (AS_OF,)),
    ("RS_RATING", (MISSING, AS_OF)),
    ("PCT_FROM_MA", (MISSING, AS_OF)),
    ("TRAILING_RETURN", ("1M", AS_OF)),
    ("YTD_RETURN", (MISSING,)),  # latest date
]


def _median_ms(func: Callable[[], Any], repeat: int) -> float:
    """Median wall-clock ms of ``repeat`` calls after two untimed ones."""
    func()
    func()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        func()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def _cpu_ms(func: Callable[[], Any], repeat: int) -> float:
    """Median CPU ms of this process for one call (less sensitive to a busy machine)."""
    times = []
    for _ in range(repeat):
        t0 = time.process_time()
        func()
        times.append(time.process_time() - t0)
    return statistics.median(times) * 1000


def _pass_ms(func: Callable[[str], Any], tickers: list[str], passes: int = 3) -> float:
    """Median wall-clock ms of ``passes`` passes of single calls, after an untimed one."""
    for t in tickers:
        func(t)
    times = []
    for _ in range(passes):
        t0 = time.perf_counter()
        for t in tickers:
            func(t)
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def measure(name: str, rest: tuple[Any, ...], tickers: list[str], repeat: int) -> dict[str, float]:
    """Warm ms of one lifted call and of a pass of single calls, plain and via call_udf."""
    if str(ROOT / "tests") not in sys.path:
        sys.path.insert(0, str(ROOT / "tests"))  # xlwings' Windows UDF layer on any OS
    import xlwings_com_stub as com

    from xlsrc.excel import udfs
    from xlsrc.market import get_market

    func = getattr(udfs, name)
    plain_rest = tuple(None if a == MISSING else a for a in rest)
    column = [[t] for t in tickers]
    com_column = tuple((t,) for t in tickers)
    lifted = func(column, *plain_rest)
    singles = [func(t, *plain_rest) for t in tickers]
    assert lifted == [[v] for v in singles], f"{name}: lifted differs from single calls"
    through = com.call_udf(name, com_column, *rest)
    assert through == [["" if v is None else v] for v in singles], f"{name}: call_udf differs"

    market = get_market()
    day = None if rest[-1] == MISSING else rest[-1]
    metric = {
        "YTD_RETURN": "ret_ytd",
        "RS_RATING": "rs_rating",
        "PCT_FROM_MA": "pct_from_sma20",
        "TRAILING_RETURN": "ret_1m",
    }[name]
    from xlsrc.excel.args import as_of_arg

    when = as_of_arg(day)
    return {
        "values": _median_ms(lambda: market.values(tickers, metric, when), repeat),
        "plain_lifted": _median_ms(lambda: func(column, *plain_rest), repeat),
        "plain_singles": _pass_ms(lambda t: func(t, *plain_rest), tickers),
        "com_lifted": _median_ms(lambda: com.call_udf(name, com_column, *rest), repeat),
        "com_lifted_cpu": _cpu_ms(lambda: com.call_udf(name, com_column, *rest), repeat),
        "plain_lifted_cpu": _cpu_ms(lambda: func(column, *plain_rest), repeat),
        "com_singles": _pass_ms(lambda t: com.call_udf(name, t, *rest), tickers),
        "gaps": sum(isinstance(v, str) for v in singles),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", help="store path (default: a temporary store)")
    parser.add_argument("--universe", default="sp500", help="where the tickers come from")
    parser.add_argument("--n", type=int, default=500, help="number of tickers")
    parser.add_argument("--repeat", type=int, default=50, help="timed lifted calls")
    opts = parser.parse_args(argv)

    tmp = None
    if opts.store is None:
        tmp = tempfile.TemporaryDirectory(prefix="xlsrc-bench-lifted-")
        opts.store = str(Path(tmp.name) / "xlsrc.sqlite")
    os.environ["XLSRC_STORE"] = opts.store
    from xlsrc.market import get_market

    t0 = time.perf_counter()
    market = get_market()
    load_s = time.perf_counter() - t0
    tickers = [str(t) for t in market.universe(opts.universe)][: opts.n]
    print(f"store: {opts.store} (loaded in {load_s:.2f} s)")
    print(
        f"{len(tickers)} tickers of {opts.universe}; warm medians of {opts.repeat} lifted "
        f"calls; single calls: median of 3 passes (ms)"
    )
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average (1 min): {load:.1f} on {os.cpu_count()} CPUs")
    n = len(tickers)
    header = (
        f"{'formula':<28}{'gaps':>5}{'values':>8}{'lifted':>8}{f'{n}x1':>9}{'ratio':>7}"
        f"{'call_udf':>10}{f'{n}x1':>9}{'ratio':>7}{'cpu':>7}  target < {TARGET_MS:g} ms"
    )
    print(header)
    worst = 0.0
    for name, rest in CASES:
        r = measure(name, rest, tickers, opts.repeat)
        worst = max(worst, r["plain_lifted"], r["com_lifted"])
        label = f"{name}({'latest' if rest[-1] == MISSING else '2026-01-22'})"
        ok = "OK" if max(r["plain_lifted"], r["com_lifted"]) < TARGET_MS else "MISSED"
        print(
            f"{label:<28}{r['gaps']:>5.0f}{r['values']:>8.2f}{r['plain_lifted']:>8.2f}"
            f"{r['plain_singles']:>9.1f}{r['plain_singles'] / r['plain_lifted']:>6.0f}x"
            f"{r['com_lifted']:>10.2f}{r['com_singles']:>9.1f}"
            f"{r['com_singles'] / r['com_lifted']:>6.0f}x{r['com_lifted_cpu']:>7.2f}  {ok}"
        )
    print(f"slowest lifted call: {worst:.2f} ms (target < {TARGET_MS:g} ms)")
    if tmp is not None:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
