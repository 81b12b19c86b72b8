"""Benchmark: the market loaded from PostgreSQL (cold, from the local cache) vs embedded SQLite.

Usage::

    .venv/bin/python benchmarks/bench_postgres.py [--url postgresql://...] [--keep]

Needs a PostgreSQL server: ``--url``, else ``$XLSRC_BENCH_POSTGRES``, else
``$XLSRC_TEST_POSTGRES`` (``.ci/postgres.sh start DIR`` makes a throwaway one); without
one it says so and exits 0. It creates a database of its own on that server, times
``store init`` (the bundled snapshot, 6.26M bars), then in fresh Python processes, in one
run on the same machine:

- **PostgreSQL, cold**: the cache folder empty, so the bars come from the server (one
  bulk read of the closes, then one of the volumes) and are written to the cache;
- **PostgreSQL, cached**: the same in a new process, the cache filled (one identity query
  to the server per read);
- **SQLite layered** (the embedded default): the bundled snapshot read in place.

Each figure is the close matrix (``load_matrices``, what the Market builds first) and the
volume matrix (read on first use); imports are excluded. The database is dropped at the
end unless ``--keep``. Figures only, no targets: it fails nothing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

LOAD = """
import os, time
from xlsrc.data import load_field, load_matrices, open_store
store = open_store({location!r})
t0 = time.perf_counter()
m = load_matrices(store)
t1 = time.perf_counter()
v = load_field(store, "volume", m)
t2 = time.perf_counter()
print(f"{{t1 - t0:.3f}} {{t2 - t1:.3f}} {{m.close.shape[0]}} {{m.close.shape[1]}}")
"""


def server_url(given: str | None) -> str | None:
    for url in (
        given,
        os.environ.get("XLSRC_BENCH_POSTGRES"),
        os.environ.get("XLSRC_TEST_POSTGRES"),
    ):
        if url and url.strip():
            return url.strip()
    return None


def load(location: str, cache_dir: str, runs: int, clear: bool) -> list[tuple[float, float, str]]:
    out = []
    env = {**os.environ, "XLSRC_CACHE_DIR": cache_dir}
    for _ in range(runs):
        if clear:
            shutil.rmtree(Path(cache_dir) / "bars", ignore_errors=True)
        done = subprocess.run(
            [sys.executable, "-c", LOAD.format(location=location)],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        )
        close, volume, n_dates, n_tickers = done.stdout.split()
        out.append((float(close), float(volume), f"{n_dates} sessions x {n_tickers} tickers"))
    return out


def report(label: str, runs: list[tuple[float, float, str]]) -> None:
    closes = ", ".join(f"{c:.2f}" for c, _, _ in runs)
    volumes = ", ".join(f"{v:.2f}" for _, v, _ in runs)
    print(f"{label:<28} close {closes} s | volume {volumes} s  ({runs[0][2]})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a PostgreSQL server (a database is created on it)")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark's database")
    parser.add_argument("--runs", type=int, default=3, help="fresh processes per figure")
    args = parser.parse_args()
    url = server_url(args.url)
    if url is None:
        print("bench_postgres: skipped (no server: pass --url or set XLSRC_TEST_POSTGRES)")
        return 0
    import psycopg

    from xlsrc.data.backends.postgres import PostgresStore
    from xlsrc.data.backends.postgres_init import initialise
    from xlsrc.data.backends.postgres_schema import mask_url

    name = f"xlsrc_bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    db = urlunsplit(urlsplit(url)._replace(path="/" + name))
    tmp = Path(tempfile.mkdtemp(prefix="xlsrc-bench-pg-"))
    try:
        print(f"server database: {mask_url(db)}")
        t0 = time.perf_counter()
        result = initialise(db)
        print(f"store init: {time.perf_counter() - t0:.1f} s  ({result})")
        store = PostgresStore(db, cache=False)
        store.identity()
        polls = []
        for _ in range(200):
            started = time.perf_counter()
            store.identity()
            polls.append(time.perf_counter() - started)
        polls.sort()
        print(f"identity() poll (the Market's check): median {polls[100] * 1e3:.2f} ms")
        store.close()
        cache = str(tmp / "cache")
        report("PostgreSQL, cold (no cache)", load(db, cache, args.runs, clear=True))
        size = sum(p.stat().st_size for p in (Path(cache) / "bars").glob("*.npz"))
        report("PostgreSQL, from the cache", load(db, cache, args.runs, clear=False))
        print(f"{'':<28} cache files: {size / 1e6:.0f} MB (close and volume)")
        report("SQLite layered (embedded)", load(str(tmp / "x.sqlite"), cache, args.runs, False))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if not args.keep:
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
