"""Build the dashboard template: python scripts/build_workbook.py [--out PATH].

Writes workbook/xlsrc-dashboard.xlsm by default (the committed copy that
tests/test_workbook.py compares with a fresh build). Needs the build extra
(pip install -e .[build]): XlsxWriter and pyOpenVBA.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from xlsrc.errors import XlsrcError
from xlsrc.excel.workbook import build_workbook

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "workbook" / "xlsrc-dashboard.xlsm"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    try:
        print(build_workbook(args.out))
    except XlsrcError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
