"""Extract the small real-data fixture used by tests/core from the shared closes file.

Run from the repository root:

    .venv/bin/python scripts/extract_core_fixture.py

Input : ../shared/data/closes/us_closes_2024-01-02_2026-08-03.csv.gz (long format
        date,ticker,close; origin dsturdy/Factor_Attribution, commit 712ab00; yfinance
        Adj Close as of 2026-08-03).
Output: tests/fixtures/core/us_closes_sample.csv -- the same rows (unchanged) for a few
        tickers, 2025-10-01 .. 2026-02-27.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT.parent / "shared/data/closes/us_closes_2024-01-02_2026-08-03.csv.gz"
TARGET = ROOT / "tests/fixtures/core/us_closes_sample.csv"
TICKERS = ["IWM", "SPY", "QQQ", "ICHR", "UCTT", "VICR", "XLK", "XLE", "XLF", "XLU"]
START, END = "2025-10-01", "2026-02-27"


def main() -> None:
    parts = []
    for chunk in pd.read_csv(SOURCE, dtype={"ticker": str, "close": str}, chunksize=1_000_000):
        keep = chunk[chunk["ticker"].isin(TICKERS) & chunk["date"].between(START, END)]
        parts.append(keep)
    out = pd.concat(parts).sort_values(["ticker", "date"])
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    out.to_csv(TARGET, index=False)
    print(f"{len(out)} rows -> {TARGET.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
