"""Session-wide fixtures shared by the test modules."""

from __future__ import annotations

from pathlib import Path

import pytest

from xlsrc.data.store import Store


@pytest.fixture(scope="session")
def seeded_store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One store seeded from the bundled snapshot per test session (seeding takes ~15 s).

    Tests that use it must only read: it is shared by every test of the session.
    """
    path = tmp_path_factory.mktemp("seeded") / "xlsrc.sqlite"
    Store(path).ensure_seeded()
    return path
