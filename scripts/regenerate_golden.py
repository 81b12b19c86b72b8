"""Regenerate tests/golden/report_2026-01-22.xlsx: the only way the golden file changes.

Run after an intended change to the report's layout or numbers, then review the diff of
the XML parts (``unzip -p``) before committing::

    .venv/bin/python scripts/regenerate_golden.py

The report is written from a store over the bundled snapshot, located in a temporary
folder (never the user's store), with the arguments the test uses.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def main() -> int:
    from test_report import GOLDEN, GOLDEN_ARGS

    from xlsrc.market import get_market
    from xlsrc.report import write_report

    with tempfile.TemporaryDirectory() as tmp:
        market = get_market(Path(tmp) / "xlsrc.sqlite")
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        summary = write_report(market, GOLDEN, **GOLDEN_ARGS)
    print(summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
