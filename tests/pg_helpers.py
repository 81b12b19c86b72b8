"""Test support for PostgreSQL: a fresh database per test on the server of this run.

``XLSRC_TEST_POSTGRES`` names a server (``.ci/run`` starts a throwaway cluster with
``.ci/postgres.sh``); :func:`fresh_database` creates an empty database on it and returns
its URL. Every database made here is dropped when the test process exits.
"""

from __future__ import annotations

import atexit
import os
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest

_CREATED: list[tuple[str, str]] = []


def server_url() -> str:
    """Return the server URL of this test run, or skip the test when there is none."""
    url = os.environ.get("XLSRC_TEST_POSTGRES", "").strip()
    if not url:
        pytest.skip("XLSRC_TEST_POSTGRES is not set (no PostgreSQL server for this run)")
    return url


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def fresh_database(url: str) -> str:
    """Create an empty database on the server at ``url`` and return its URL."""
    import psycopg

    name = f"xlsrc_test_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    _CREATED.append((url, name))
    return _with_database(url, name)


def drop_database(url: str, name: str) -> None:
    """Drop a database made by :func:`fresh_database` (ending its sessions)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@atexit.register
def _drop_all() -> None:
    for url, name in _CREATED:
        try:
            drop_database(url, name)
        except Exception:  # the server may be gone already; the cluster is thrown away
            pass
    _CREATED.clear()
