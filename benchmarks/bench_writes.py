"""Benchmark: the first command after ``xlsrc universe set`` and after ``xlsrc import-csv``.

Usage::

    .venv/bin/python benchmarks/bench_writes.py [--repeat 3]

On a fresh store (temporary directories; the calendar cache warmed by one ``xlsrc status``
first, as on any day after the first), each of these runs as its own process and is timed
whole (target for the commands after a write: < 1.5 s):

1. ``xlsrc leaders --universe sp600 --top 5`` on the untouched store (the baseline),
2. ``xlsrc universe set benchwatch VICR,ICHR,UCTT,AAPL,MSFT`` (the write; shown, no target),
3. ``xlsrc leaders --universe benchwatch --top 5``: the first command after it,
4. ``xlsrc import-csv ZZBENCH.csv --ticker ZZBENCH``: 30 sessions of one new ticker,
5. ``xlsrc quote ZZBENCH``: the first command after it.

The same two writes are then made while a formula process (``xlsrc.excel.udfs`` imported,
the market loaded and a day's metrics memoised) keeps running, and its first formula after
each write is timed: after the universe only securities and universes may be reloaded
(also after the first one, which creates the store file: an overlay without bars does not
change the bars identity), after the import the price matrices are rebuilt (snapshot read +
the overlay's bars).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
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

HERE = Path(__file__).resolve()
LIMIT_S = 1.5
NEW_TICKER = "ZZBENCH"
WATCH = "benchwatch"
WATCH_TICKERS = "VICR,ICHR,UCTT,AAPL,MSFT"


def write_csv(path: Path, sessions: int = 30) -> Path:
    """A small, valid CSV export for one ticker: the last ``sessions`` sessions of the snapshot."""
    import numpy as np

    from xlsrc.data.calendar import get_calendar
    from xlsrc.data.store import open_store

    last = open_store("memory:").status().last_date
    days = get_calendar().sessions_in_range("2026-01-01", last)[-sessions:]
    rng = np.random.default_rng(12)
    close = 50 * np.exp(np.cumsum(rng.normal(0, 0.01, len(days))))
    lines = ["Date,Open,High,Low,Close,Volume"]
    for day, c in zip(days, close, strict=True):
        o = c * (1 + rng.normal(0, 0.003))
        lines.append(
            f"{day:%Y-%m-%d},{o:.4f},{max(o, c) * 1.01:.4f},{min(o, c) * 0.99:.4f},{c:.4f},"
            f"{int(rng.integers(100_000, 900_000))}"
        )
    path.write_text("\n".join(lines) + "\n")
    return path


# --------------------------------------------------------------------------- child: a live formula process
def child_live(csv: str) -> None:
    import os
    import subprocess

    from xlsrc.excel import udfs
    from xlsrc.market import CHECK_INTERVAL, get_market

    udfs.RS_RATING("VICR", None, None)  # loads the market, memoises the latest day's scores
    udfs.YTD_RETURN("VICR", None)
    market = get_market()
    out = {}

    def after(write: list[str], call: object) -> tuple[float, object, str]:
        subprocess.run(write, check=True, capture_output=True, env=os.environ)
        time.sleep(CHECK_INTERVAL + 0.05)  # the next call is due to check the store
        matrices = market._matrices
        started = time.perf_counter()
        value = call()  # type: ignore[operator]
        elapsed = time.perf_counter() - started
        kind = "matrices rebuilt" if market._matrices is not matrices else "matrices kept"
        return elapsed, value, kind

    out["universe"] = after(
        [*xlsrc_command("universe", "set", WATCH, WATCH_TICKERS)],
        lambda: udfs.RS_RATING("VICR", WATCH, None),
    )
    out["import"] = after(
        [*xlsrc_command("import-csv", csv, "--ticker", NEW_TICKER)],
        lambda: udfs.TRAILING_RETURN(NEW_TICKER, "1W", None),
    )
    out["universe_again"] = after(  # the overlay file exists now
        [*xlsrc_command("universe", "set", WATCH + "2", "VICR,ICHR")],
        lambda: udfs.RS_RATING("ICHR", WATCH + "2", None),
    )
    print(json.dumps({k: [v[0], str(v[1]), v[2]] for k, v in out.items()}))


# --------------------------------------------------------------------------- parent
def measure(repeat: int = 3) -> tuple[list[Row], dict]:
    """Run the sequence ``repeat`` times on fresh stores; return rows (medians) and raw figures."""
    steps: dict[str, list[float]] = {}
    cpus: dict[str, list[float]] = {}
    outputs: dict[str, str] = {}
    live = []

    def timed(key: str, args: list[str], env: dict[str, str]) -> None:
        child = run_child(args, env).check()
        steps.setdefault(key, []).append(child.wall)
        cpus.setdefault(key, []).append(child.cpu)
        outputs[key] = child.stdout.strip().splitlines()[0] if child.stdout.strip() else ""

    for _ in range(repeat):
        with FreshDirs() as dirs:
            env = dirs.env
            csv = write_csv(dirs.root / f"{NEW_TICKER}.csv")
            run_child(xlsrc_command("status"), env).check()  # the calendar cache
            timed("baseline", xlsrc_command("leaders", "--universe", "sp600", "--top", "5"), env)
            timed("set", xlsrc_command("universe", "set", WATCH, WATCH_TICKERS), env)
            timed("after_set", xlsrc_command("leaders", "--universe", WATCH, "--top", "5"), env)
            timed("import", xlsrc_command("import-csv", str(csv), "--ticker", NEW_TICKER), env)
            timed("after_import", xlsrc_command("quote", NEW_TICKER), env)
            store_mb = dirs.store.stat().st_size / 1e6 if dirs.store.exists() else 0.0
        with FreshDirs() as dirs:
            csv = write_csv(dirs.root / f"{NEW_TICKER}.csv")
            run_child(xlsrc_command("status"), dirs.env).check()
            live.append(
                run_child([sys.executable, str(HERE), "--child", str(csv)], dirs.env)
                .check()
                .result()
            )
    m = {k: median(v) for k, v in steps.items()}

    def each(key: str) -> str:
        return (
            ", ".join(f"{s:.2f}" for s in steps[key]) + f" s (CPU median {median(cpus[key]):.2f} s)"
        )

    live_set = median(r["universe"][0] for r in live)
    live_again = median(r["universe_again"][0] for r in live)
    live_import = median(r["import"][0] for r in live)
    rows = [
        Row(
            "first command after `xlsrc universe set` (whole process)",
            f"{m['after_set']:.2f} s",
            f"< {LIMIT_S} s",
            m["after_set"] < LIMIT_S,
            f"`xlsrc leaders --universe {WATCH}`; runs {each('after_set')}; the same command "
            f"on the untouched store {each('baseline')}; the write itself "
            f"{m['set']:.2f} s; {load_average()}",
        ),
        Row(
            "first command after `xlsrc import-csv` of one ticker (whole process)",
            f"{m['after_import']:.2f} s",
            f"< {LIMIT_S} s",
            m["after_import"] < LIMIT_S,
            f"`xlsrc quote {NEW_TICKER}` ({outputs.get('after_import', '')!r}...); runs "
            f"{each('after_import')}; the import itself {m['import']:.2f} s (30 rows; store "
            f"file {store_mb:.2f} MB)",
        ),
        Row(
            "formula process: first formula after the first `universe set`",
            f"{live_set * 1e3:.0f} ms",
            f"< {LIMIT_S} s",
            live_set < LIMIT_S,
            f"RS_RATING(VICR, {WATCH}) = {live[-1]['universe'][1]}; {live[-1]['universe'][2]} "
            "(this write creates the store file; an overlay without bars leaves the bars "
            "identity alone)",
        ),
        Row(
            "formula process: first formula after a later `universe set`",
            f"{live_again * 1e3:.0f} ms",
            f"< {LIMIT_S} s",
            live_again < LIMIT_S,
            f"RS_RATING(ICHR, {WATCH}2) = {live[-1]['universe_again'][1]}; "
            f"{live[-1]['universe_again'][2]} (the store file exists)",
        ),
        Row(
            "formula process: first formula after `import-csv`",
            f"{live_import * 1e3:.0f} ms",
            f"< {LIMIT_S} s",
            live_import < LIMIT_S,
            f"TRAILING_RETURN({NEW_TICKER}, 1W) = {live[-1]['import'][1]}; {live[-1]['import'][2]}",
        ),
    ]
    return rows, {"steps": steps, "cpu": cpus, "live": live}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_live(args.child)
        return 0
    rows, _ = measure(args.repeat)
    print_rows(rows, "After a write")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
