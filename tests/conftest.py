"""Session-wide fixtures shared by the test modules."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def bundled_store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store location over the bundled snapshot, shared by the session's read-only tests.

    Nothing is copied or seeded: the snapshot is read in place and the SQLite file is made
    only by a write. Tests that use it must only read.
    """
    return tmp_path_factory.mktemp("bundled") / "xlsrc.sqlite"


@pytest.fixture(autouse=True, scope="session")
def _private_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep the exchange-calendar cache of the test session out of the user's cache folder."""
    import os

    os.environ.setdefault("XLSRC_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
