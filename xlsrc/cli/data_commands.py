"""The ``xlsrc`` commands that work on the store and on files without loading the market.

``status``, ``refresh``, ``import-csv``, ``universe``, ``store init``, and ``workbook
build``/``new``: each opens the store (or writes a file) and prints what the data layer
or the workbook builder reports.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import pandas as pd

from xlsrc.cli.arguments import _allow_jump, _tickers
from xlsrc.cli.interruption import _watch_file, _watch_store
from xlsrc.cli.progress import step
from xlsrc.dashboard.cells import STATUS_ITEMS, status_text
from xlsrc.dashboard.records import records, write_records
from xlsrc.data.refresh_summary import tqdm_progress
from xlsrc.errors import XlsrcError


def cmd_status(args: argparse.Namespace) -> int:
    """Print what the store holds and where it came from.

    The table names each item as ``DATA_STATUS`` does (``Last data added (UTC)``: a CSV
    import adds data as a refresh does). CSV and JSON: one record per status item (``item``, ``value``), then one per source
    (``item`` = ``source``, ``value`` = its name, with ``fetched_at`` and
    ``description``); values as the store reports them (``null`` for data never added).
    Items are named as the table names them: the store's ``last_refresh`` and
    ``last_refresh_source`` are ``last_data_added`` and ``last_data_added_source`` (set by
    a CSV import too, which is no refresh).
    """
    from xlsrc.data.refresh_checks import find_holes

    step("reading the store")
    store = _store(args)
    status = dict(store.status())
    sources = status.pop("sources", None) or []
    if args.format != "table":
        items = [
            {
                "item": _ITEM_NAMES.get(str(k), str(k)),
                "value": v,
                "fetched_at": None,
                "description": None,
            }
            for k, v in status.items()
        ]
        holes = find_holes(store)
        items.append(
            {
                "item": "holes",
                "value": len(holes),
                "fetched_at": None,
                "description": _holes_text(holes),
            }
        )
        items += [
            {
                "item": "source",
                "value": src.get("name"),
                "fetched_at": src.get("fetched_at"),
                "description": src.get("description"),
            }
            for src in sources
        ]
        names, plain_rows = records(pd.DataFrame(items, dtype=object))
        write_records(args.format, names, plain_rows, sys.stdout)
        return 0
    labels = dict(STATUS_ITEMS)
    shown = [
        (labels.get(str(k), str(k).replace("_", " ").capitalize()), k, v) for k, v in status.items()
    ]
    width = max(len(label) for label, _, _ in [*shown, ("Sources", 0, 0)])
    for label, key, value in shown:
        text = status_text(key, value)
        if key == "tickers_on_last_date" and isinstance(value, int):
            text = f"{value:,} of {status.get('n_tickers', 0):,}"
        print(f"{label.ljust(width)}  {text}")
    print(f"{'Holes'.ljust(width)}  {_holes_text(find_holes(store))}")
    print(f"{'Sources'.ljust(width)}  {len(sources)}")
    rows = [
        (
            str(src["name"]),
            status_text("fetched_at", src.get("fetched_at")),
            str(src.get("description") or ""),
        )
        for src in sources
    ]
    if rows:
        w_name = max(len(r[0]) for r in rows)
        w_time = max(len(r[1]) for r in rows)
        for name, fetched, description in rows:
            print(f"  {name.ljust(w_name)}  {fetched.ljust(w_time)}  {description}".rstrip())
    return 0


#: Status items named in CSV and JSON as the table labels them (``STATUS_ITEMS``).
_ITEM_NAMES: dict[str, str] = {
    "last_refresh": "last_data_added",
    "last_refresh_source": "last_data_added_source",
}


def _holes_text(holes: dict[str, list[pd.Timestamp]]) -> str:
    """One line: the tickers with sessions missing inside their stored range, most first."""
    if not holes:
        return "none (no ticker lacks a session inside its stored range)"
    ranked = sorted(holes.items(), key=lambda item: (-len(item[1]), item[0]))
    shown = ", ".join(f"{t} {len(days)}" for t, days in ranked[:5])
    more = f" and {len(ranked) - 5} more" if len(ranked) > 5 else ""
    return (
        f"{len(holes)} {'ticker lacks' if len(holes) == 1 else 'tickers lack'} sessions "
        f"inside their stored range: {shown}{more} "
        "(days missing; 'xlsrc refresh' asks Yahoo for them again)"
    )


def _store(args: argparse.Namespace) -> Any:
    from xlsrc.data import open_store

    store = open_store(args.store)
    _watch_store(store)
    return store


def cmd_refresh(args: argparse.Namespace) -> int:
    """Download new daily bars from Yahoo Finance into the store."""
    from tqdm import tqdm

    from xlsrc.data.refresh import refresh, resolve_tickers
    from xlsrc.data.refresh_summary import RefreshInterrupted

    store = _store(args)
    universes = args.universe or ([] if args.tickers else ["all"])
    tickers = resolve_tickers(store, args.tickers, universes)
    try:
        # the bar only on a terminal: into a pipe or a file it would be lines of \r noise
        quiet = args.quiet or not _is_terminal(sys.stderr)
        with tqdm_progress(tqdm, desc="refresh", unit="ticker", disable=quiet) as bar:
            summary = refresh(
                store,
                tickers,
                since=args.since,
                progress=bar,
                batch_size=args.batch_size,
                offline=args.offline,
                allow_jumps=[_allow_jump(text) for text in args.allow_jump or ()],
            )
    except RefreshInterrupted as stop:  # Ctrl-C: the full report on stdout, one line on stderr
        print(stop.summary)
        raise
    print(summary)
    return 0 if summary.ok else 1


def _is_terminal(stream: Any) -> bool:
    """Whether ``stream`` is a terminal (a closed or odd stream is not)."""
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (OSError, ValueError):
        return False


def cmd_import_csv(args: argparse.Namespace) -> int:
    """Import daily bars from a CSV export."""
    from xlsrc.data.csv_import import import_csv

    allow = [_allow_jump(text) for text in args.allow_jump or ()]
    step(f"importing {args.file}")
    summary = import_csv(
        _store(args),
        args.file,
        ticker=args.ticker,
        mapping=args.map,
        date_format=args.date_format,
        decimal=args.decimal,
        replace=args.replace,
        overwrite=args.overwrite,
        allow_jumps=allow,
        move_latest=args.move_latest,
    )
    print(summary)
    return 0


def cmd_universe(args: argparse.Namespace) -> int:
    """List, import or define universes."""
    from xlsrc.data.holdings import (
        define_universe,
        delete_universe,
        import_universe,
        reset_universe,
    )

    store = _store(args)
    if args.action == "list":
        builtin = store.builtin_universes()
        for name, members in sorted(store.universes().items()):
            kind = (
                "bundled"
                if members == builtin.get(name)
                else ("bundled, replaced" if name in builtin else "user")
            )
            print(f"{name:<12} {len(members):>6} members  ({kind})")
        return 0
    if args.name is None:
        raise XlsrcError(f"universe {args.action} needs a NAME")
    if args.action == "reset":
        print(reset_universe(store, args.name))
        return 0
    if args.action == "delete":
        print(delete_universe(store, args.name))
        return 0
    if args.source is None:
        raise XlsrcError(
            f"universe {args.action} needs a "
            + ("holdings file" if args.action == "import" else "comma-separated list of tickers")
        )
    step(f"universe {args.action} {args.name}")
    if args.action == "import":
        print(import_universe(store, args.name, args.source, replace=args.replace))
        return 0
    print(define_universe(store, args.name, _tickers(args.source), replace=args.replace))
    return 0


def _workbook_module() -> Any:
    """Import the workbook builder, or say which extra it needs."""
    try:
        from xlsrc.excel import workbook
    except ImportError as exc:  # XlsxWriter / pyOpenVBA: the 'build' extra
        raise XlsrcError(
            f"Building a workbook needs the 'build' extra ({exc.name} is missing): "
            "pip install 'xlsrc[build]' from the xlsrc folder"
        ) from exc
    return workbook


def cmd_store_init(args: argparse.Namespace) -> int:
    """Create the schema of a PostgreSQL store and load the bundled snapshot into it."""
    from tqdm import tqdm

    from xlsrc.data.backends.postgres_init import initialise
    from xlsrc.data.store import is_url

    if not is_url(args.url):
        raise XlsrcError(
            f"store init takes a postgresql:// URL, not {args.url!r} (a local store needs no init)"
        )
    bars: dict[str, Any] = {}

    def progress(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage)
        if bar is None:
            for other in bars.values():
                other.close()
            unit, desc = ("bars", "copying bars") if stage == "bars" else ("steps", "keys, summary")
            bar = bars[stage] = tqdm(
                total=total, unit=unit, desc=desc, disable=args.quiet, unit_scale=stage == "bars"
            )
        bar.update(done - bar.n)

    try:
        result = initialise(args.url, force=args.force, progress=progress)
    finally:
        for bar in bars.values():
            bar.close()
    print(result)
    return 0


def cmd_workbook_build(args: argparse.Namespace) -> int:
    """Build the template workbook from the layout, the VBA sources and xlwings."""
    _watch_file(args.out)
    step(f"building {args.out}")
    print(_workbook_module().build_workbook(args.out))
    return 0


def cmd_workbook_new(args: argparse.Namespace) -> int:
    """Write a copy of the workbook that starts this Python (its path in xlwings.conf)."""
    workbook = _workbook_module()
    _watch_file(args.out)
    step(f"writing {args.out}")
    summary = workbook.new_workbook(args.out)
    conf = workbook.interpreter_conf()
    print(summary.path if args.quiet else summary)
    if not args.quiet:
        print("  xlwings.conf: " + "; ".join(f"{k} = {v}" for k, v in conf.items()))
        if sys.platform not in ("win32", "darwin"):
            print(f"  note: Excel runs on Windows or macOS; this path is one on {sys.platform}")
    return 0
