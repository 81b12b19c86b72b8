"""``python -m xlsrc.cli``: run the command line (:func:`xlsrc.cli.main`) directly.

Without :mod:`xlsrc.__main__`'s handling of a Ctrl-C while the command line loads.
"""

from __future__ import annotations

import sys

from xlsrc.cli import main

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
