"""Where the store lives and which backend holds it: :func:`open_store`.

The location is chosen the same way everywhere, first match wins: an explicit
``location`` (the CLI's ``--store``) > env ``XLSRC_STORE`` >
``platformdirs.user_data_dir("xlsrc")/xlsrc.sqlite``. Like SQLAlchemy's
``create_engine(url)``, the location's form picks the backend:

=========================== ==================================================================
location                    store
=========================== ==================================================================
a path (default)            :class:`~.backends.layered.LayeredStore`: a SQLite file holding
                            what the user added, layered over the bundled snapshot (read in
                            place; nothing is copied, the file is made on the first write)
``memory:``                 the same layering over a :class:`~.backends.memory.MemoryStore`
``postgresql://...``        :class:`~.backends.postgres.PostgresStore`: a shared desk store
                            that holds everything (``xlsrc store init`` loads the snapshot)
=========================== ==================================================================
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final

from ..errors import StoreError
from .backends.base import Store
from .backends.layered import LayeredStore
from .backends.memory import MemoryStore
from .backends.snapshot import SnapshotStore
from .backends.sqlite import SqliteStore

__all__ = ["ENV_VAR", "MEMORY", "default_location", "is_url", "open_store"]

#: Environment variable naming the store (a path or a URL).
ENV_VAR: Final = "XLSRC_STORE"
#: Location of a store kept in memory (tests, notebooks).
MEMORY: Final = "memory:"
_URL_SCHEMES: Final = ("postgresql://", "postgres://", "postgresql+psycopg://")


def is_url(location: str) -> bool:
    """Return True for a PostgreSQL URL."""
    return location.strip().lower().startswith(_URL_SCHEMES)


def default_location() -> str:
    """Return the store location from env ``XLSRC_STORE`` or the per-user data directory."""
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        return env
    import platformdirs

    return str(Path(platformdirs.user_data_dir("xlsrc")) / "xlsrc.sqlite")


def open_store(
    location: str | os.PathLike[str] | None = None,
    *,
    snapshot: str | os.PathLike[str] | bool | None = None,
) -> Store:
    """Open the store at ``location`` (see the module docstring); nothing is read or created yet.

    Parameters
    ----------
    location : str or path-like, optional
        A path, ``memory:`` or a ``postgresql://`` URL; default :func:`default_location`.
    snapshot : str, path-like or bool, optional
        The snapshot under a local store: ``None``/``True`` = the bundled one, a
        directory = that snapshot (tests), ``False`` = none (a plain SQLite or memory
        store). Ignored for PostgreSQL, which holds everything itself.

    Returns
    -------
    Store

    Raises
    ------
    StoreError
        For an empty location (``--store ""``), or a URL of another scheme.
    """
    loc = os.fspath(location) if location is not None else default_location()
    if not loc.strip():
        raise StoreError(
            f"The store location is empty ({loc!r}): give a file path, {MEMORY!r} or a "
            f"postgresql:// URL, or give none to use {default_location()}"
        )
    scheme = loc.strip().split("://", 1)[0] if "://" in loc else None
    if scheme is not None and not is_url(loc):
        from .backends.postgres_schema import mask_url

        raise StoreError(
            f"Unsupported store location {mask_url(loc)!r}: a file path, {MEMORY!r} or a "
            "postgresql:// URL"
        )
    if is_url(loc):
        from .backends.postgres import PostgresStore

        return PostgresStore(loc)
    base = None
    if snapshot is not False:
        base = SnapshotStore(None if snapshot in (None, True) else os.fspath(snapshot))  # type: ignore[arg-type]
    overlay: SqliteStore | MemoryStore
    if loc.strip().lower() == MEMORY:
        overlay = MemoryStore()
    else:
        snap = base
        overlay = SqliteStore(
            Path(loc).expanduser(),
            bundled_sources=(lambda: tuple(snap.provenance.get("sources", {}))) if snap else None,
        )
    if base is None:
        return overlay
    return LayeredStore(base, overlay)
