"""Copy the few shared input files that tests need whole into tests/fixtures/shared.

Run from the repository root:

    .venv/bin/python scripts/extract_shared_fixtures.py

The tests read most real data from ``../shared/data`` and skip, naming the file, when a
clone has no ``shared`` folder beside it. The files below are small and decide
behaviour the tests must always check (an unadjusted history refused over the adjusted
snapshot, Yahoo's industry of the January 2026 leaders), so they are committed, copied
unchanged (JSON: the same objects for a few tickers):

- ``ohlcv/unadjusted_2025-2026/XLE.csv`` -> ``unadjusted/XLE.csv`` (yfinance
  ``auto_adjust=False`` Close, see ``../shared/data/README.md``);
- ``reference/ticker_info_sector_industry_Vinubhai1961.json`` -> ``industries_subset.json``
  (the entries of :data:`TICKERS`).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
TARGET = ROOT / "tests" / "fixtures" / "shared"
TICKERS = ("ICHR", "UCTT", "FORM", "KLIC", "COHU", "AA", "AG", "SPY")


def main() -> None:
    (TARGET / "unadjusted").mkdir(parents=True, exist_ok=True)  # the file name is the ticker
    shutil.copyfile(SHARED / "ohlcv/unadjusted_2025-2026/XLE.csv", TARGET / "unadjusted/XLE.csv")
    info = json.loads(
        (SHARED / "reference/ticker_info_sector_industry_Vinubhai1961.json").read_text("utf-8")
    )
    subset = {t: info[t] for t in TICKERS if t in info}
    (TARGET / "industries_subset.json").write_text(
        json.dumps(subset, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    print(f"Wrote {TARGET}: unadjusted/XLE.csv, industries_subset.json ({len(subset)} tickers)")


if __name__ == "__main__":
    main()
