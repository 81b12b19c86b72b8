"""Benchmark: how load time and memory grow with years of history (12,500 tickers).

Usage::

    .venv/bin/python benchmarks/bench_scale.py [--years 2,5,10,20] [--tickers 12500]
        [--dense] [--data DIR] [--bundled]

For each size a synthetic snapshot directory is generated in the bundled format
(``bars.parquet``, ``securities.parquet``, ``universes.parquet``, ``provenance.json`` as
:mod:`xlsrc.data.backends.snapshot` reads them and ``scripts/build_snapshot.py`` writes
them, with its Parquet options), never committed: in a temporary directory, or in
``--data DIR`` where it is kept and reused by later runs. Then a fresh child process opens
a layered store over it (``open_store(path, snapshot=dir)``, an empty overlay) and times:

- **cold load**: ``Market(store)``, the close matrix and the metadata (imports excluded);
- **dashboard**: ``xlsrc.dashboard.build.build_dashboard`` at the latest date (the metrics
  table of every ticker, RS ratings, the Leaders/Sectors/Technicals/Overview tables and
  provenance; the first one also reads the volume on first use), then again for an
  earlier date nothing is memoised for;
- **RS for a new date**: ``Market.rs_ratings`` (scores + ratings of every ticker) for a
  date not asked for before, and the whole metrics table for another such date;
- **memory**: the child's peak (``ru_maxrss``) and its resident memory at the end, with
  ``VmHWM`` read after each step to show which step sets the peak.

The shape follows the bundled real data (``--bundled`` measures that too, the same way):
names of the real index ETFs, sector SPDRs and watchlist tickers (always full history)
plus synthetic ones, 49 % stocks / 43 % ETFs / 8 % other / 3 indices, universes of 500,
400, 600 and 2,000 stocks. Listing dates follow the bundled snapshot, where 35 % of the
tickers start after its first day over 2.6 years and their starts spread over the span: a
constant listing rate of 15.5 % of today's tickers a year back in time, so the share of
tickers with the whole history falls with the span (65 % over 2 years, 12 % over 10). 0.5 %
a year end before the last day (1.3 % in 2.6 years in the bundled data) and 1 % have a few
missing days. Every bar has open, high, low, close and volume (Yahoo's shape; the bundled
closes-only rows are lighter to read). ``--dense`` gives every ticker the whole span
instead (the upper bound: as many bars as matrix cells).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._util import REPO, FreshDirs, Row, load_average, print_rows, run_child

HERE = Path(__file__).resolve()
GENERATOR_VERSION = 1
LAST_DAY = "2026-08-03"  # the bundled snapshot's last session
TICKERS = 12_500
YEARS = (2, 5, 10, 20)
LISTING_RATE = 1 - 0.65 ** (1 / 2.56)  # a year, back in time (bundled: 35 % in 2.56 years)
DELISTING_RATE = 0.0134 / 2.56  # a year (bundled: 1.3 % ended early in 2.56 years)
GAP_SHARE = 0.01
ROW_GROUP = 1 << 20
MEMORY_BUDGET_MB = 2048.0
#: Tickers the dashboard asks for by name: always present, with the whole history.
NAMED_ETFS = ("SPY", "QQQ", "DIA", "IWM", "IJR", "MDY", "IWB")
NAMED_STOCKS = ("AAPL", "MSFT", "NVDA", "ICHR", "UCTT", "VICR")
INDICES = ("^GSPC", "^IXIC", "^VIX")
SECTOR_SHARES = {  # stocks per GICS sector in the bundled snapshot (share of 6,202)
    "Financials": 1741,
    "Health Care": 1053,
    "Industrials": 741,
    "Information Technology": 722,
    "Consumer Discretionary": 533,
    "Materials": 294,
    "Communication Services": 272,
    "Energy": 269,
    "Real Estate": 239,
    "Consumer Staples": 234,
    "Utilities": 104,
}


# --------------------------------------------------------------------------- generation
def _parquet_options() -> dict[str, Any]:
    """The bundled snapshot's Parquet options (from scripts/build_snapshot.py)."""
    path = REPO / "scripts" / "build_snapshot.py"
    spec = importlib.util.spec_from_file_location("_xlsrc_build_snapshot", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return dict(module.PARQUET_OPTS)


def _names(n: int) -> tuple[list[str], list[str]]:
    """``n`` tickers (sorted) and their types."""
    from xlsrc.sectors import SECTOR_ETFS

    etfs = [*NAMED_ETFS, *SECTOR_ETFS]
    fixed = {**dict.fromkeys(etfs, "etf"), **dict.fromkeys(NAMED_STOCKS, "stock")}
    fixed.update(dict.fromkeys(INDICES, "index"))
    rest = n - len(fixed)
    n_stock = round(rest * 0.49)
    n_etf = round(rest * 0.435)
    n_other = rest - n_stock - n_etf
    kinds = {**fixed}
    kinds.update({f"S{i:05d}": "stock" for i in range(n_stock)})
    kinds.update({f"E{i:05d}": "etf" for i in range(n_etf)})
    kinds.update({f"W{i:05d}": "other" for i in range(n_other)})
    names = sorted(kinds)
    return names, [kinds[t] for t in names]


def generate(directory: Path, years: int, tickers: int = TICKERS, *, dense: bool = False) -> dict:
    """Write a synthetic snapshot of ``years`` years x ``tickers`` tickers to ``directory``.

    Returns
    -------
    dict
        rows, sessions, tickers, seconds, bytes of bars.parquet.
    """
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    from xlsrc.data.calendar import get_calendar
    from xlsrc.data.schema import dates_to_days
    from xlsrc.sectors import SECTOR_ETFS

    started = time.perf_counter()
    rng = np.random.default_rng(1000 + years)
    last = pd.Timestamp(LAST_DAY)
    sessions = get_calendar().sessions_in_range(last - pd.DateOffset(years=years), last)
    days = dates_to_days(sessions).astype(np.int32)
    n_days = len(days)
    names, kinds = _names(tickers)
    kind = np.array(kinds)
    named = np.isin(names, [*NAMED_ETFS, *SECTOR_ETFS, *NAMED_STOCKS, *INDICES])
    # first and last session of each ticker
    if dense:
        start = np.zeros(tickers, dtype=np.int64)
        stop = np.full(tickers, n_days, dtype=np.int64)
    else:
        lam = -math.log(1 - LISTING_RATE)
        age_days = rng.exponential(1 / lam, tickers) * 252
        start = np.clip(n_days - np.ceil(age_days).astype(np.int64), 0, n_days - 1)
        stop = np.full(tickers, n_days, dtype=np.int64)
        ends = rng.random(tickers) < min(1.0, DELISTING_RATE * years)
        stop[ends] = (
            start[ends] + 1 + (rng.random(ends.sum()) * (n_days - start[ends] - 1)).astype(int)
        )
        start[named], stop[named] = 0, n_days
    gaps = (rng.random(tickers) < GAP_SHARE) & ~named
    opts = _parquet_options()
    schema = pa.schema(
        [
            ("ticker", pa.dictionary(pa.int16(), pa.string())),
            ("date", pa.date32()),
            ("open", pa.float64()),
            ("high", pa.float64()),
            ("low", pa.float64()),
            ("close", pa.float64()),
            ("volume", pa.int64()),
            ("source", pa.dictionary(pa.int8(), pa.string())),
        ]
    )
    dictionary = pa.array(names, pa.string())
    source_dict = pa.array(["synthetic:bench"], pa.string())
    directory.mkdir(parents=True, exist_ok=True)
    writer = pq.ParquetWriter(
        directory / "bars.parquet",
        schema,
        compression=opts["compression"],
        compression_level=opts["compression_level"],
        use_dictionary=["ticker", "source"],
        write_statistics=opts.get("write_statistics", False),
    )
    pending: list[pa.Table] = []
    pending_rows = 0
    rows = 0
    chunk = 250
    for lo in range(0, tickers, chunk):
        hi = min(tickers, lo + chunk)
        k = hi - lo
        sigma = np.where(
            kind[lo:hi] == "etf", rng.uniform(0.005, 0.02, k), rng.uniform(0.01, 0.035, k)
        )
        sigma[kind[lo:hi] == "index"] = 0.011
        steps = rng.standard_normal((k, n_days)) * sigma[:, None] + 0.0002
        close = 30 * np.exp(rng.normal(0, 1, k))[:, None] * np.exp(np.cumsum(steps, axis=1))
        cols = np.arange(n_days)
        have = (cols >= start[lo:hi, None]) & (cols < stop[lo:hi, None])
        for j in np.flatnonzero(gaps[lo:hi]):
            inner = np.flatnonzero(have[j])[1:-1]
            if len(inner):
                have[
                    j, rng.choice(inner, min(len(inner), int(rng.integers(1, 6))), replace=False)
                ] = False
        code, pos = np.nonzero(have)  # row-major: sorted by ticker, then date
        c = close[code, pos]
        prev = np.where(pos > 0, close[code, np.maximum(pos - 1, 0)], c)
        o = prev * np.exp(rng.standard_normal(len(c)) * sigma[code] / 3)
        h = np.maximum(o, c) * (1 + np.abs(rng.standard_normal(len(c))) * sigma[code] / 2)
        low = np.minimum(o, c) * (1 - np.abs(rng.standard_normal(len(c))) * sigma[code] / 2)
        vol = np.exp(rng.normal(13, 1.5, len(c))).astype(np.int64)
        table = pa.table(
            [
                pa.DictionaryArray.from_arrays(pa.array((code + lo).astype(np.int16)), dictionary),
                pa.array(days[pos], pa.date32()),
                pa.array(o),
                pa.array(h),
                pa.array(low),
                pa.array(c),
                pa.array(vol),
                pa.DictionaryArray.from_arrays(pa.array(np.zeros(len(c), np.int8)), source_dict),
            ],
            schema=schema,
        )
        pending.append(table)
        pending_rows += len(c)
        rows += len(c)
        while pending_rows >= ROW_GROUP or (hi == tickers and pending_rows):
            merged = pa.concat_tables(pending)
            size = min(ROW_GROUP, merged.num_rows)
            writer.write_table(merged.slice(0, size), row_group_size=ROW_GROUP)
            rest = merged.slice(size)
            pending, pending_rows = ([rest], rest.num_rows) if rest.num_rows else ([], 0)
    writer.close()
    _write_metadata(directory, names, kinds, rng, sessions, rows, years)
    return {
        "rows": rows,
        "sessions": n_days,
        "tickers": tickers,
        "seconds": time.perf_counter() - started,
        "bytes": (directory / "bars.parquet").stat().st_size,
    }


def _write_metadata(
    directory: Path,
    names: list[str],
    kinds: list[str],
    rng: Any,
    sessions: Any,
    rows: int,
    years: int,
) -> None:
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    from xlsrc.sectors import SECTOR_ETFS

    sectors = list(SECTOR_SHARES)
    weights = np.array(list(SECTOR_SHARES.values()), dtype=float)
    sector = [
        str(rng.choice(sectors, p=weights / weights.sum())) if k == "stock" else None for k in kinds
    ]
    for t, s in SECTOR_ETFS.items():
        sector[names.index(t)] = s
    securities = pd.DataFrame(
        {
            "ticker": names,
            "name": [f"{t} synthetic" for t in names],
            "sector": sector,
            "industry": [f"{s} {i % 7}" if s else None for i, s in enumerate(sector)],
            "type": kinds,
            "type_basis": ["synthetic"] * len(names),
        }
    )
    pq.write_table(
        pa.Table.from_pandas(securities, preserve_index=False), directory / "securities.parquet"
    )
    stocks = [
        t for t, k in zip(names, kinds, strict=True) if k == "stock" and t not in NAMED_STOCKS
    ]
    picked = rng.permutation(stocks)
    members = {
        "sp500": ["AAPL", "MSFT", "NVDA", *picked[:497]],
        "sp400": list(picked[497:897]),
        "sp600": ["ICHR", "UCTT", "VICR", *picked[897:1494]],
        "r2000": ["ICHR", "UCTT", "VICR", *picked[897:2894]],
        "sectors": list(SECTOR_ETFS),
    }
    universes = pd.DataFrame(
        [(u, t) for u, ts in members.items() for t in sorted(ts)], columns=["universe", "ticker"]
    )
    pq.write_table(
        pa.Table.from_pandas(universes, preserve_index=False), directory / "universes.parquet"
    )
    provenance = {
        "built_by": "benchmarks/bench_scale.py (synthetic, never committed)",
        "generator_version": GENERATOR_VERSION,
        "snapshot_version": f"synthetic-{years}y",
        "date_range": [f"{sessions[0]:%Y-%m-%d}", f"{sessions[-1]:%Y-%m-%d}"],
        "rows": {"bars": rows, "tickers": len(names)},
        "sources": {
            "synthetic:bench": {
                "description": "Random-walk bars generated by benchmarks/bench_scale.py",
                "fetched_at": f"{sessions[-1]:%Y-%m-%d}T00:00:00Z",
            }
        },
    }
    (directory / "provenance.json").write_text(json.dumps(provenance, indent=1))


def snapshot_dir(base: Path, years: int, tickers: int, dense: bool) -> tuple[Path, dict]:
    """The snapshot for a size under ``base``: reused if a complete one is there, else generated."""
    name = f"synthetic-v{GENERATOR_VERSION}-{years}y-{tickers}t{'-dense' if dense else ''}"
    directory = base / name
    info_file = directory / "generated.json"
    if info_file.exists():
        info = json.loads(info_file.read_text())
        info["reused"] = True
        return directory, info
    shutil.rmtree(directory, ignore_errors=True)
    gen = run_child(
        [sys.executable, str(HERE), "--generate", str(directory), str(years), str(tickers)]
        + (["--dense"] if dense else []),
    ).check()
    info = gen.result()
    info["generate_peak_mb"] = gen.maxrss_mb
    info_file.write_text(json.dumps(info))
    info["reused"] = False
    return directory, info


# --------------------------------------------------------------------------- child: measure one size
def _hwm() -> tuple[float, float]:
    out = {}
    with open("/proc/self/status") as fh:
        for line in fh:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(rest.split()[0]) / 1024
    return out["VmRSS"], out["VmHWM"]


def child_measure(snapshot: str | None, overlay: str) -> None:
    t0 = time.perf_counter()
    import pandas as pd

    from xlsrc._process import return_freed_memory
    from xlsrc.dashboard.build import build_dashboard
    from xlsrc.data.store import open_store
    from xlsrc.market import Market

    return_freed_memory()  # as xlsrc's own processes (the CLI, the formula server) do
    from xlsrc.data.calendar import get_calendar

    get_calendar()  # from the cache file
    t1 = time.perf_counter()
    out: dict[str, Any] = {"import_s": t1 - t0}
    c1 = time.process_time()
    market = Market(open_store(overlay, snapshot=snapshot if snapshot else None))
    t2 = time.perf_counter()
    c2 = time.process_time()
    out["load_s"] = t2 - t1
    out["load_cpu"] = c2 - c1
    out["after_load"] = _hwm()
    out["shape"] = list(market.close.shape)
    build_dashboard(market)
    t3 = time.perf_counter()
    out["dashboard_s"] = t3 - t2
    out["dashboard_cpu"] = time.process_time() - c2
    out["after_dashboard"] = _hwm()
    index = market.close.index
    earlier = index[-22]  # a month back: nothing memoised for it
    started, cpu = time.perf_counter(), time.process_time()
    build_dashboard(market, as_of=earlier)
    out["dashboard_new_date_s"] = time.perf_counter() - started
    out["dashboard_new_date_cpu"] = time.process_time() - cpu
    out["after_dashboard_2"] = _hwm()
    day = index[-45]
    started = time.perf_counter()
    ratings = market.rs_ratings(day)
    out["rs_new_date_s"] = time.perf_counter() - started
    out["rated"] = int(ratings.notna().sum())
    day = index[-67]
    started = time.perf_counter()
    market.metrics(day)
    out["metrics_new_date_s"] = time.perf_counter() - started
    out["end"] = _hwm()
    out["as_of"] = f"{pd.Timestamp(index[-1]):%Y-%m-%d}"
    print(json.dumps(out))


# --------------------------------------------------------------------------- parent
def measure_size(snapshot: Path | None, label: str, info: dict) -> dict:
    """Measure one snapshot in a fresh child process (an empty overlay beside it)."""
    with FreshDirs() as dirs:
        run_child(
            [sys.executable, "-c", "from xlsrc.data.calendar import get_calendar; get_calendar()"],
            dirs.env,
        ).check()
        child = run_child(
            [sys.executable, str(HERE), "--child", str(snapshot or ""), str(dirs.store)], dirs.env
        ).check()
        result = child.result()
    result.update(label=label, info=info, peak_mb=child.maxrss_mb, wall=child.wall, cpu=child.cpu)
    return result


def bundled_info() -> dict:
    import pyarrow.parquet as pq

    from xlsrc.data.backends.snapshot import bundled_snapshot_dir

    path = bundled_snapshot_dir() / "bars.parquet"
    return {
        "rows": pq.ParquetFile(path).metadata.num_rows,
        "bytes": path.stat().st_size,
        "reused": True,
    }


def fit(results: list[dict]) -> dict[str, float] | None:
    """Least-squares peak RSS (MB) = a + b * matrix cells (millions) + c * bars (millions)."""
    import numpy as np

    synthetic = [r for r in results if r["label"] != "bundled"]
    if len(synthetic) < 3:
        return None
    cells = np.array([r["shape"][0] * r["shape"][1] / 1e6 for r in synthetic])
    bars = np.array([r["info"]["rows"] / 1e6 for r in synthetic])
    peak = np.array([r["peak_mb"] for r in synthetic])
    design = np.column_stack([np.ones_like(cells), cells, bars])
    if np.linalg.matrix_rank(design, tol=1e-3 * float(np.abs(design).max())) < 3:
        # every ticker has the whole span (--dense): bars = cells, one slope for both
        design = np.column_stack([np.ones_like(cells), cells, np.zeros_like(bars)])
    coef, *_ = np.linalg.lstsq(design, peak, rcond=None)
    steady = np.array([r["end"][0] for r in synthetic])
    coef2, *_ = np.linalg.lstsq(design, steady, rcond=None)
    return {
        "a": float(coef[0]),
        "b_per_mcell": float(coef[1]),
        "c_per_mbar": float(coef[2]),
        "rss_a": float(coef2[0]),
        "rss_b_per_mcell": float(coef2[1]),
        "rss_c_per_mbar": float(coef2[2]),
    }


def fill_share(years: float, dense: bool) -> float:
    """Bars per matrix cell of the generated shape: the mean share of the span a ticker covers."""
    if dense:
        return 1.0
    lam = -math.log(1 - LISTING_RATE)
    return (1 - math.exp(-lam * years)) / (lam * years)


def peak_of(model: dict[str, float], years: float, tickers: float, dense: bool) -> float:
    """Extrapolated peak RSS (MB) of a store of ``years`` x ``tickers`` (252 sessions a year)."""
    cells = years * 252 * tickers / 1e6
    return (
        model["a"]
        + model["b_per_mcell"] * cells
        + model["c_per_mbar"] * cells * fill_share(years, dense)
    )


def tickers_under(model: dict[str, float], years: float, dense: bool) -> float:
    """Tickers whose extrapolated peak stays under 2 GB with ``years`` of history."""
    per_ticker = peak_of(model, years, 1e6, dense) - model["a"]  # MB per million tickers
    return (MEMORY_BUDGET_MB - model["a"]) / per_ticker * 1e6


def largest_under(model: dict[str, float], tickers: int, dense: bool) -> float:
    """Years of history whose extrapolated peak stays under 2 GB (sessions = 252 a year)."""

    def peak(years: float) -> float:
        return peak_of(model, years, tickers, dense)

    lo, hi = 0.5, 200.0
    if peak(hi) < MEMORY_BUDGET_MB:
        return hi
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if peak(mid) < MEMORY_BUDGET_MB else (lo, mid)
    return lo


def rows_of(results: list[dict]) -> list[Row]:
    """One row per size: the figures in the measured column, the peak against 2 GB."""
    rows = []
    for r in results:
        s, t = r["shape"]
        info = r["info"]
        rows.append(
            Row(
                f"{r['label']}: {s:,} sessions x {t:,} tickers, {info['rows'] / 1e6:.1f} M bars",
                f"load {r['load_s']:.2f} s ({r['load_cpu']:.2f}), dashboard "
                f"{r['dashboard_s']:.2f} s ({r['dashboard_cpu']:.2f}), new date "
                f"{r['dashboard_new_date_s']:.2f} s ({r['dashboard_new_date_cpu']:.2f}), RS new "
                f"date {r['rs_new_date_s'] * 1e3:.0f} ms, peak {r['peak_mb']:.0f} MB",
                f"peak < {MEMORY_BUDGET_MB:.0f} MB",
                r["peak_mb"] < MEMORY_BUDGET_MB,
                f"wall (CPU) seconds; metrics for a new date {r['metrics_new_date_s'] * 1e3:.0f} ms; "
                f"RSS at the end "
                f"{r['end'][0]:.0f} MB; peak (VmHWM) after load {r['after_load'][1]:.0f}, after "
                f"the first dashboard {r['after_dashboard'][1]:.0f} MB; bars.parquet "
                f"{info['bytes'] / 1e6:.0f} MB"
                + (
                    f", generated in {info['seconds']:.0f} s"
                    + (" (earlier run, reused)" if info.get("reused") else "")
                    if "seconds" in info
                    else ""
                ),
            )
        )
    return rows


def measure(
    years: tuple[int, ...] = YEARS,
    tickers: int = TICKERS,
    *,
    dense: bool = False,
    data: Path | None = None,
    bundled: bool = True,
) -> tuple[list[Row], list[dict], dict | None]:
    """Generate (or reuse) and measure every size; return rows, raw results and the memory model."""
    results = []
    if bundled:
        results.append(measure_size(None, "bundled", bundled_info()))
    base = data or Path(tempfile.mkdtemp(prefix="xlsrc-scale-"))
    try:
        for y in years:
            directory, info = snapshot_dir(base, y, tickers, dense)
            results.append(measure_size(directory, f"{y} years", info))
            if data is None:
                shutil.rmtree(directory, ignore_errors=True)
    finally:
        if data is None:
            shutil.rmtree(base, ignore_errors=True)
    model = fit(results)
    return rows_of(results), results, model


def model_text(model: dict | None, tickers: int, dense: bool) -> str:
    if model is None:
        return "(fewer than three synthetic sizes: no memory model fitted)"
    years = largest_under(model, tickers, dense)
    return (
        f"peak RSS ~ {model['a']:.0f} MB + {model['b_per_mcell']:.1f} MB per million matrix "
        f"cells + {model['c_per_mbar']:.1f} MB per million bars (least squares over the "
        f"synthetic sizes); steady RSS ~ {model['rss_a']:.0f} + {model['rss_b_per_mcell']:.1f}"
        f"/M cells + {model['rss_c_per_mbar']:.1f}/M bars. Extrapolated "
        f"({'every ticker with the whole history' if dense else 'listing dates as above'}): "
        f"{tickers:,} tickers stay under {MEMORY_BUDGET_MB / 1024:.0f} GB of peak up to about "
        f"{years:.0f} years; 20 years stay under it up to about "
        f"{tickers_under(model, 20, dense):,.0f} tickers."
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", default=",".join(str(y) for y in YEARS))
    parser.add_argument("--tickers", type=int, default=TICKERS)
    parser.add_argument("--dense", action="store_true", help="every ticker has the whole span")
    parser.add_argument("--data", type=Path, help="keep (and reuse) the synthetic snapshots here")
    parser.add_argument("--no-bundled", action="store_true", help="skip the bundled snapshot")
    parser.add_argument("--generate", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        directory, years, tickers = args.generate
        print(json.dumps(generate(Path(directory), int(years), int(tickers), dense=args.dense)))
        return 0
    if args.child:
        child_measure(args.child[0] or None, args.child[1])
        return 0
    years = tuple(int(y) for y in args.years.split(",") if y.strip())
    rows, _, model = measure(
        years, args.tickers, dense=args.dense, data=args.data, bundled=not args.no_bundled
    )
    print_rows(rows, f"Scale ({load_average()})")
    print(model_text(model, args.tickers, args.dense))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
