"""Benchmark: the formula process (xlwings' COM server) after a dashboard recalculation, and warm calls.

Usage::

    .venv/bin/python benchmarks/bench_udfs.py [--calls 1000] [--repeat 5] [--no-strace]

Two fresh child processes on a store whose calendar cache is warm (as on the second day
of use), both importing ``xlsrc.excel.udfs`` as xlwings' COM server does:

1. **Dashboard recalculation**: every xlsrc formula the template workbook's sheets contain,
   taken from :data:`xlsrc.dashboard.layout.DASHBOARD` (each table's and text cell's
   formula) with the template's Settings values for the names it uses (``AsOf`` blank =
   latest, ``Universe``, ``TopN``, ``Benchmark``, ``Watchlist``), called once each. The
   child then reports its resident memory (``VmRSS`` of ``/proc/self/status``; target
   < 250 MB), its peak (``VmHWM``), the split into anonymous memory and mapped files, the
   largest mappings (``/proc/self/smaps``) and the sizes of the market's arrays.
2. **Warm single formula call**: a mixed set of scalar formulas (``YTD_RETURN``,
   ``RS_RATING``, ``PCT_FROM_MA``, ``RSI``, ``VOLATILITY``, ``TRAILING_RETURN``,
   ``REL_VOLUME``, ``PCT_FROM_HIGH``, ``RS_SCORE``, ``RS_LINE`` over ten tickers, with Excel
   date serials and blanks) is called once to warm the market, then ``--calls`` calls are
   timed ``--repeat`` times (target: mean < 0.1 ms a call). During the timed calls an
   audit hook (``open``, ``sqlite3.connect``, directory listings...) and wrappers of
   ``os.stat``/``os.lstat`` count file-system calls, and the store's identity checks are
   counted; the warm path must make none, the identity being checked at most once per
   ``xlsrc.market.CHECK_INTERVAL``. Unless ``--no-strace``, the same calls run once more
   under ``strace -f`` and every file-system system call between two marker calls is
   counted (the kernel's view, whatever Python layer would make it).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._util import FreshDirs, Row, load_average, print_rows, run_child, xlsrc_command

HERE = Path(__file__).resolve()
RSS_LIMIT_MB = 250.0
CALL_LIMIT_MS = 0.1
EXCEL_DATE = 46044.0  # =DATE(2026,1,22) as Excel sends it
TICKERS = ("VICR", "ICHR", "UCTT", "IWM", "SPY", "QQQ", "AAPL", "MSFT", "NVDA", "XLK")
MARK_BEGIN = "/xlsrc-bench-warm-calls-begin"
MARK_END = "/xlsrc-bench-warm-calls-end"


# --------------------------------------------------------------------------- the layout's formulas
def template_settings() -> tuple[dict[str, Any], str]:
    """The values of the template's Settings names (Excel name -> value) and where they came from."""
    from xlsrc.dashboard import layout

    try:
        from xlsrc.excel.workbook import template_settings as settings_of_template

        by_key, source = settings_of_template(), "xlsrc.excel.workbook.template_settings()"
    except (ImportError, AttributeError):  # the workbook module is being reworked
        from xlsrc.dashboard.frames import DEFAULT_TOP, DEFAULT_UNIVERSE, DEFAULT_WATCHLIST
        from xlsrc.periods import DEFAULT_BENCHMARK

        by_key = {
            "as_of": None,
            "universe": DEFAULT_UNIVERSE,
            "benchmark": DEFAULT_BENCHMARK,
            "watchlist": ", ".join(DEFAULT_WATCHLIST),
            "top": DEFAULT_TOP,
        }
        source = "xlsrc.dashboard.frames defaults"
    names = {n.name.lower(): by_key.get(n.key) for n in layout.DASHBOARD.names}
    return names, source


def _split_args(text: str) -> list[str]:
    """Split an argument list at the commas outside strings and parentheses."""
    parts, depth, quoted, current = [], 0, False, ""
    for ch in text:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch == "(":
            depth += 1
        elif not quoted and ch == ")":
            depth -= 1
        if ch == "," and depth == 0 and not quoted:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return [p.strip() for p in parts]


def _calls_in(formula: str) -> list[tuple[str, str]]:
    """Every ``NAME(args)`` in a formula (outside string literals): (name, argument text)."""
    found, i = [], 0
    while i < len(formula):
        ch = formula[i]
        if ch == '"':
            i = formula.index('"', i + 1) + 1
            continue
        match = re.match(r"([A-Za-z_][A-Za-z0-9_.]*)\(", formula[i:])
        if match and (i == 0 or not (formula[i - 1].isalnum() or formula[i - 1] == "_")):
            start = i + match.end()
            depth, j, quoted = 1, start, False
            while depth:
                if formula[j] == '"':
                    quoted = not quoted
                elif not quoted:
                    depth += {"(": 1, ")": -1}.get(formula[j], 0)
                j += 1
            found.append((match.group(1), formula[start : j - 1]))
            found += _calls_in(formula[start : j - 1])
            i = j
            continue
        i += 1
    return found


def _value(arg: str, names: dict[str, Any]) -> Any:
    """An argument as xlwings hands it to Python: blank -> None, numbers as floats."""
    if arg == "":
        return None
    if arg.startswith('"') and arg.endswith('"'):
        return arg[1:-1].replace('""', '"')
    if arg.lower() in names:
        value = names[arg.lower()]
        if value is None or (isinstance(value, str) and not value.strip()):
            return None  # an empty cell
        return float(value) if isinstance(value, int | float) else value
    try:
        return float(arg)
    except ValueError:
        raise ValueError(f"cannot evaluate the argument {arg!r} outside Excel") from None


def dashboard_calls() -> tuple[list[dict[str, Any]], str]:
    """The formula calls of the template's dashboard sheets: sheet, cell, function, arguments."""
    from xlsrc.dashboard import layout

    names, source = template_settings()
    calls = []
    for sheet in layout.DASHBOARD.sheets:
        cells = [(t.cell, t.formula) for t in sheet.texts if t.formula]
        cells += [(t.anchor, t.formula) for t in sheet.tables if t.formula]
        cells += [  # the rotation summary's rows: one call each (memoised after the first)
            (f"{p.anchor[0]}{p.header_row + k - 1}", p.row_formula(k))
            for p in sheet.paragraphs
            for k in range(1, p.rows + 1)
        ]
        for cell, formula in cells:
            for func, text in _calls_in(formula):
                try:
                    args = [_value(a, names) for a in _split_args(text)] if text.strip() else []
                except ValueError:
                    args = None  # an Excel expression (e.g. inside TEXT()); not an xlsrc call
                calls.append({"sheet": sheet.name, "cell": cell, "func": func, "args": args})
    return calls, source


def mixed_calls(n: int) -> list[tuple[str, tuple[Any, ...]]]:
    """``n`` scalar formula calls in the mix a sheet of single-value formulas has."""
    kinds: list[tuple[str, Any]] = [
        ("YTD_RETURN", lambda t: (t, EXCEL_DATE)),
        ("RS_RATING", lambda t: (t, None, None, EXCEL_DATE)),  # universe, basis, as_of
        ("PCT_FROM_MA", lambda t: (t, 50.0, EXCEL_DATE)),
        ("RSI", lambda t: (t, None, None)),
        ("VOLATILITY", lambda t: (t, None, EXCEL_DATE)),
        ("TRAILING_RETURN", lambda t: (t, "1M", EXCEL_DATE)),
        ("REL_VOLUME", lambda t: (t, None, EXCEL_DATE)),
        ("PCT_FROM_HIGH", lambda t: (t, EXCEL_DATE)),
        ("RS_SCORE", lambda t: (t, None)),
        ("RS_LINE", lambda t: (t.lower() + " ", None, EXCEL_DATE)),
    ]
    calls = []
    for i in range(n):
        name, make = kinds[i % len(kinds)]
        calls.append((name, make(TICKERS[(i // len(kinds)) % len(TICKERS)])))
    return calls


# --------------------------------------------------------------------------- child: recalculation
def _status() -> dict[str, float]:
    out = {}
    with open("/proc/self/status") as fh:
        for line in fh:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM", "RssAnon", "RssFile", "RssShmem"):
                out[key] = int(rest.split()[0]) / 1024
    return out


def _smaps_top(n: int = 8) -> list[tuple[str, float]]:
    sizes: dict[str, float] = {}
    name = "[anon]"
    with open("/proc/self/smaps") as fh:
        for line in fh:
            first = line.split()
            if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
                name = first[5] if len(first) > 5 else "[anon]"
                name = name.rsplit("/", 1)[-1]
            elif first[0] == "Rss:":
                sizes[name] = sizes.get(name, 0.0) + int(first[1]) / 1024
    return sorted(sizes.items(), key=lambda kv: -kv[1])[:n]


def child_recalc(calls_file: str) -> None:
    import time

    rss_start = _status()["VmRSS"]
    t0 = time.perf_counter()
    from xlsrc.excel import udfs

    t1 = time.perf_counter()
    rss_import = _status()["VmRSS"]
    calls = json.loads(Path(calls_file).read_text())
    done, skipped, errors = [], [], []
    for c in calls:
        func = getattr(udfs, c["func"], None)
        if func is None or c["args"] is None:
            skipped.append(c["func"])
            continue
        value = func(*c["args"])
        first = value[0][0] if isinstance(value, list) and value and value[0] else value
        if isinstance(first, str) and first.startswith("#N/A"):
            errors.append(f"{c['func']}: {first}")
        done.append(f"{c['sheet']}!{c['cell']} {c['func']}")
    t2 = time.perf_counter()
    status = _status()
    from xlsrc.market import get_market

    m = get_market()
    arrays = {
        "close": m.close.to_numpy().nbytes / 2**20,
        "has_bar": m._has_bar.nbytes / 2**20 if getattr(m, "_has_bar", None) is not None else 0,
        **{f"field {k}": v.to_numpy().nbytes / 2**20 for k, v in getattr(m, "_fields", {}).items()},
    }
    print(
        json.dumps(
            {
                "import_s": t1 - t0,
                "recalc_s": t2 - t1,
                "rss_start_mb": rss_start,
                "rss_after_import_mb": rss_import,
                "status": status,
                "smaps_top": _smaps_top(),
                "arrays_mb": arrays,
                "shape": list(m.close.shape),
                "done": done,
                "skipped": sorted(set(skipped)),
                "errors": errors,
            }
        )
    )


# --------------------------------------------------------------------------- child: warm calls
def child_warm(n: int, repeat: int, marks: bool) -> None:
    import os
    import time

    from xlsrc.excel import udfs
    from xlsrc.market import CHECK_INTERVAL, get_market

    calls = [(getattr(udfs, name), args) for name, args in mixed_calls(n)]
    for func, args in calls:  # first pass: the market loads, the day's metrics are memoised
        func(*args)
    bad = [
        f"{f.__name__}{a}: {v}"
        for f, a in calls[:10]
        if isinstance(v := f(*a), str) and v.startswith("#")
    ]
    market = get_market()
    checks = [0]
    identity = market.store.identity

    def counted_identity() -> Any:
        checks[0] += 1
        return identity()

    market.store.identity = counted_identity  # type: ignore[method-assign]
    events: dict[str, int] = {}
    counting = [False]

    def hook(event: str, _args: Any) -> None:
        if counting[0] and (
            event in ("open", "sqlite3.connect", "os.listdir", "os.scandir", "os.chdir")
            or event.startswith(("os.", "shutil.", "pathlib.", "glob."))
        ):
            events[event] = events.get(event, 0) + 1

    sys.addaudithook(hook)
    real_stat, real_lstat = os.stat, os.lstat

    def stat(*a: Any, **k: Any) -> Any:
        if counting[0]:
            events["os.stat"] = events.get("os.stat", 0) + 1
        return real_stat(*a, **k)

    def lstat(*a: Any, **k: Any) -> Any:
        if counting[0]:
            events["os.lstat"] = events.get("os.lstat", 0) + 1
        return real_lstat(*a, **k)

    os.stat, os.lstat = stat, lstat  # type: ignore[assignment]
    means = []
    elapsed_total = 0.0
    for _ in range(repeat):
        market.refresh_if_changed(force=True)  # a check now: the next one is due in 1 s
        checks[0] = 0
        if marks:
            os.access(MARK_BEGIN, os.F_OK)
        counting[0] = True
        started = time.perf_counter()
        for func, args in calls:
            func(*args)
        elapsed = time.perf_counter() - started
        counting[0] = False
        if marks:
            os.access(MARK_END, os.F_OK)
        elapsed_total += elapsed
        means.append(elapsed / len(calls))
    os.stat, os.lstat = real_stat, real_lstat  # type: ignore[assignment]
    print(
        json.dumps(
            {
                "means_ms": [m * 1e3 for m in means],
                "calls": len(calls),
                "repeat": repeat,
                "fs_events": events,
                "identity_checks_last_pass": checks[0],
                "elapsed_last_pass_s": elapsed,
                "check_interval_s": CHECK_INTERVAL,
                "bad": bad,
            }
        )
    )


#: A small sheet: 8 scalar cells of a few tickers, each metric computed on its own columns
#: (no day table yet: fewer than FULL_METRICS_AFTER values asked for the day).
SMALL_SHEET: tuple[tuple[str, tuple[Any, ...]], ...] = (
    ("RSI", ("VICR",)),
    ("PCT_FROM_MA", ("VICR",)),
    ("YTD_RETURN", ("VICR",)),
    ("VOLATILITY", ("VICR",)),
    ("PCT_FROM_HIGH", ("VICR",)),
    ("RSI", ("ICHR",)),
    ("REL_VOLUME", ("ICHR",)),
    ("PCT_FROM_MA", ("UCTT", 50)),
)


#: The second recalculation of :data:`SMALL_SHEET`: 8 cells at up to 250 us each.
SMALL_SECOND_LIMIT_MS = 2.0


def child_small() -> None:
    """Recalculate :data:`SMALL_SHEET` twice on a freshly loaded market; print the times."""
    import time

    from xlsrc.excel import udfs
    from xlsrc.market import get_market

    _ = get_market().close  # the load is the recalculation's, not the cells'
    passes = []
    for _ in range(2):
        started = time.perf_counter()
        for name, args in SMALL_SHEET:
            getattr(udfs, name)(*args)
        passes.append((time.perf_counter() - started) * 1e3)
    print(json.dumps({"passes_ms": passes, "cells": len(SMALL_SHEET)}))


# --------------------------------------------------------------------------- parent
def _strace_count(log: Path) -> tuple[int, dict[str, int]] | None:
    """File-system system calls between the two markers of a ``strace -f`` log."""
    inside, counts = False, {}
    for line in log.read_text(errors="replace").splitlines():
        if MARK_BEGIN in line:
            inside = True
            continue
        if MARK_END in line:
            break
        if inside:
            match = re.match(r"^(?:\d+\s+)?(?:<\.\.\. )?([a-z0-9_]+)[( ]", line)
            if match:
                counts[match.group(1)] = counts.get(match.group(1), 0) + 1
    if not inside:
        return None
    return sum(counts.values()), counts


def measure(calls: int = 1000, repeat: int = 5, use_strace: bool = True) -> tuple[list[Row], dict]:
    """Run both children on a fresh store with a warm calendar cache; return rows and raw figures."""
    with FreshDirs() as dirs:
        run_child(xlsrc_command("status"), dirs.env).check()  # the calendar cache, as on day 2
        formulas, source = dashboard_calls()
        spec = dirs.root / "calls.json"
        spec.write_text(json.dumps(formulas))
        recalc = run_child([sys.executable, str(HERE), "--child", "recalc", str(spec)], dirs.env)
        r = recalc.check().result()
        warm = run_child(
            [sys.executable, str(HERE), "--child", "warm", str(calls), str(repeat)], dirs.env
        )
        w = warm.check().result()
        small = run_child([sys.executable, str(HERE), "--child", "small"], dirs.env)
        sm = small.check().result()
        traced = None
        strace = shutil.which("strace")
        if use_strace and strace:
            with tempfile.TemporaryDirectory() as tmp:
                log = Path(tmp) / "strace.log"
                run_child(
                    [
                        strace,
                        "-f",
                        "-qq",
                        "-e",
                        "trace=%file,%desc",
                        "-o",
                        str(log),
                        sys.executable,
                        str(HERE),
                        "--child",
                        "warm-marked",
                        str(calls),
                        "1",
                    ],
                    dirs.env,
                ).check()
                traced = _strace_count(log)
    st = r["status"]
    rss = st["VmRSS"]
    top = ", ".join(f"{name} {mb:.0f}" for name, mb in r["smaps_top"][:6])
    arrays = ", ".join(f"{k} {v:.0f}" for k, v in r["arrays_mb"].items())
    rows = [
        Row(
            "formula process RSS after a dashboard recalculation",
            f"{rss:.0f} MB (peak {st['VmHWM']:.0f} MB)",
            f"< {RSS_LIMIT_MB:.0f} MB",
            rss < RSS_LIMIT_MB,
            f"{len(r['done'])} layout formulas ({source}) in {r['recalc_s']:.2f} s after importing "
            f"xlsrc.excel.udfs in {r['import_s']:.2f} s; RSS {r['rss_start_mb']:.0f} MB at start, "
            f"{r['rss_after_import_mb']:.0f} MB after the import; anonymous {st['RssAnon']:.0f} MB + "
            f"files {st['RssFile']:.0f} MB; largest mappings (MB): {top}; market arrays (MB, "
            f"{r['shape'][0]} x {r['shape'][1]}): {arrays}; #N/A results: {len(r['errors'])}"
            + (f" ({'; '.join(r['errors'])})" if r["errors"] else ""),
        )
    ]
    means = sorted(w["means_ms"])
    mean = means[len(means) // 2]
    fs = sum(w["fs_events"].values())
    allowed = int(w["elapsed_last_pass_s"] // w["check_interval_s"]) + 1
    kernel = (
        "strace not run"
        if traced is None
        else f"strace -f: {traced[0]} file-system syscalls between the markers"
        + (f" ({traced[1]})" if traced[0] else "")
    )
    rows.append(
        Row(
            f"warm single formula call (mean of {w['calls']:,} mixed scalar calls)",
            f"{mean * 1e3:.0f} us",
            f"< {CALL_LIMIT_MS * 1e3:.0f} us, no file-system call",
            mean < CALL_LIMIT_MS and fs == 0 and (traced is None or traced[0] == 0),
            f"median of {w['repeat']} passes (each pass's mean: "
            + ", ".join(f"{m * 1e3:.0f}" for m in means)
            + f" us); Python-level file-system calls during the timed calls: {fs} "
            f"{w['fs_events'] or ''}; store identity checks in the last pass: "
            f"{w['identity_checks_last_pass']} (allowed {allowed}: one per "
            f"{w['check_interval_s']:.0f} s); {kernel}"
            + (f"; #N/A results: {w['bad']}" if w["bad"] else "")
            + f"; {load_average()}",
        )
    )
    first, second = sm["passes_ms"]
    rows.append(
        Row(
            f"first and second recalculation of a small sheet ({sm['cells']} scalar cells)",
            f"{first:.1f} ms, then {second:.2f} ms",
            f"second < {SMALL_SECOND_LIMIT_MS:.0f} ms (a memo lookup per cell)",
            second < SMALL_SECOND_LIMIT_MS,
            "RSI, PCT_FROM_MA, YTD_RETURN, VOLATILITY, PCT_FROM_HIGH of VICR/ICHR/UCTT on a "
            "freshly loaded market: each computed on its own column the first time, then "
            "served from the per-column memo",
        )
    )
    return rows, {"recalc": r, "warm": w, "small": sm, "strace": traced}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-strace", action="store_true", help="skip the strace check")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "recalc":
            child_recalc(rest[0])
        elif kind == "small":
            child_small()
        elif kind in ("warm", "warm-marked"):
            child_warm(int(rest[0]), int(rest[1]), marks=kind == "warm-marked")
        return 0
    rows, _ = measure(args.calls, args.repeat, not args.no_strace)
    print_rows(rows, "Formula process")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
