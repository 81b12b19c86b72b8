"""A local file cache of a remote store's bars, keyed by the store's identity.

A formula process on an analyst's laptop must not pull six million bars from the desk's
PostgreSQL server at every start or recalculation. :class:`BarsCache` keeps the long bars
of one read (:class:`~xlsrc.data.schema.LongBars`: ticker codes, days, the fields) in a
file, keyed by the server's ``(store_id, bars_version)`` and the fields read, so a
process reads the server once per change of its bars and otherwise from local disk.

Where it sits, and why: :meth:`xlsrc.data.backends.postgres.PostgresStore.read_long`
uses it, below the :class:`~xlsrc.data.backends.base.ReadStore` protocol. Every bulk
read of bars (the Market's close matrix, volume on first use, benchmarks, notebooks)
goes through ``read_long``, so nothing above the store changes, and the cache holds what
the server returned, not matrices built by one version of xlsrc's pivot (a newer xlsrc
with other calendar or latest-session rules builds its matrices from the same file).
Local stores do not use it: the bundled snapshot and SQLite are already on local disk.

Rules that keep it from ever serving data the server does not hold:

- **Key.** ``bars_version`` changes in the same transaction as any change of bars and
  ``store_id`` is new for every store (``store init --force`` too), so one key names one
  content of the bars table. A caller may add a stamp (PostgreSQL: a random token each
  bar write sets), so even a database restored from a backup, whose counter goes back
  and later passes numbers cached with other content, never matches an old file. The caller asks the server for its identity first (one
  tiny query) and only a file with exactly that key and the same fields is used; when
  the server cannot be reached nothing is served (the caller's read fails).
- **Whole files only.** A file is written from one complete read, to a temporary file
  in the same folder, flushed and renamed into place (:func:`os.replace`, atomic on
  POSIX and Windows); it is never patched. A newer version replaces the file whole.
- **Validated on load.** The key, the format version, the array shapes (every row array
  as long as the recorded row count, codes within the ticker list) and the zip members'
  CRC-32 (checked by :mod:`zipfile` as they are read). A file that fails any check is a
  miss (and is replaced by the next complete read).

Location: ``$XLSRC_CACHE_DIR`` if set, else ``platformdirs.user_cache_dir("xlsrc")``, in
a ``bars/`` folder; one file per store and field set (``<store_id>-<fields>.npz``,
about 16 bytes per bar and field set: ~100 MB for the bundled snapshot's closes).
Files not used for :data:`STALE_AFTER_DAYS` days are removed when another is written.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Final

import numpy as np

from .schema import LongBars

__all__ = ["CACHE_ENV", "FORMAT", "STALE_AFTER_DAYS", "BarsCache", "cache_root"]

#: Environment variable naming the cache folder (shared with the calendar cache).
CACHE_ENV: Final = "XLSRC_CACHE_DIR"
#: Version of the file layout; a file of another format is a miss.
FORMAT: Final = 1
#: Files untouched for this many days are removed when another file is written.
STALE_AFTER_DAYS: Final = 30
_SAFE = re.compile(r"[^A-Za-z0-9_.+-]")


def cache_root() -> Path:
    """Return the cache folder: ``$XLSRC_CACHE_DIR`` or the per-user cache directory."""
    env = os.environ.get(CACHE_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("xlsrc"))


class BarsCache:
    """Long bars of a remote store on local disk, one file per (store, fields).

    Parameters
    ----------
    directory : str or Path, optional
        Where the files live; default ``cache_root() / "bars"`` (read when used, so a
        changed ``XLSRC_CACHE_DIR`` is honoured).
    """

    def __init__(self, directory: str | os.PathLike[str] | None = None) -> None:
        self._directory = Path(directory) if directory is not None else None

    @property
    def directory(self) -> Path:
        """The folder holding the cache files."""
        return self._directory if self._directory is not None else cache_root() / "bars"

    def path(self, store_id: str, fields: Sequence[str]) -> Path:
        """Return the file that holds ``fields`` of the store ``store_id``."""
        name = f"{_SAFE.sub('_', store_id)}-{'+'.join(fields) or 'keys'}.npz"
        return self.directory / name

    @staticmethod
    def _key(store_id: str, bars_version: int, fields: Sequence[str], rows: int, stamp: str) -> str:
        return json.dumps(
            {
                "format": FORMAT,
                "store_id": store_id,
                "bars_version": int(bars_version),
                "stamp": stamp,
                "fields": list(fields),
                "rows": int(rows),
            },
            sort_keys=True,
        )

    def load(
        self, store_id: str, bars_version: int, fields: Sequence[str], *, stamp: str = ""
    ) -> LongBars | None:
        """Return the cached bars for exactly this key, or None (missing, stale or invalid).

        Parameters
        ----------
        store_id, bars_version : str, int
            The store's identity as the server reports it now.
        fields : sequence of str
            The fields wanted, in order.
        stamp : str
            Anything else the server says identifies its bars (PostgreSQL: the random
            ``bars_stamp`` of its last bar write); part of the key.

        Returns
        -------
        LongBars or None
            None unless the file's key, format and shapes all check out.
        """
        fields = tuple(fields)
        path = self.path(store_id, fields)
        try:
            with np.load(path, allow_pickle=False) as npz:
                meta = json.loads(str(npz["key"]))
                rows = int(meta.get("rows", -1))
                if str(npz["key"]) != self._key(store_id, bars_version, fields, rows, stamp):
                    return None
                tickers = npz["tickers"]
                code = npz["code"]
                day = npz["day"]
                values = {f: npz[f"field_{f}"] for f in fields}
        except (OSError, ValueError, KeyError, TypeError, EOFError) as exc:
            del exc  # a missing, truncated or foreign file is a miss
            return None
        except Exception:  # zipfile.BadZipFile and CRC errors: a damaged file is a miss
            return None
        if not _shapes_ok(tickers, code, day, values, rows):
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used: not pruned
        return LongBars(
            tickers=tickers.astype(object), code=code, day=day, fields=dict(values.items())
        )

    def save(
        self,
        store_id: str,
        bars_version: int,
        fields: Sequence[str],
        bars: LongBars,
        *,
        stamp: str = "",
    ) -> None:
        """Write the bars of one complete read under their key (atomically; errors ignored).

        A cache that cannot be written (read-only or full disk) costs only speed: the
        next read goes to the server again.
        """
        if not store_id:
            return
        fields = tuple(fields)
        path = self.path(store_id, fields)
        key = self._key(store_id, bars_version, fields, len(bars), stamp)
        arrays = {
            "key": np.array(key),
            "tickers": np.asarray(bars.tickers, dtype=str),
            "code": np.ascontiguousarray(bars.code, dtype=np.int32),
            "day": np.ascontiguousarray(bars.day, dtype=np.int32),
        }
        for f in fields:
            arrays[f"field_{f}"] = np.ascontiguousarray(bars.fields[f], dtype=np.float64)
        tmp = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, **arrays)  # type: ignore[arg-type]
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
            tmp = None
            self._prune(keep=path)
        except OSError:
            pass
        finally:
            if tmp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)

    def _prune(self, keep: Path) -> None:
        """Remove cache files (and leftover temporaries) unused for STALE_AFTER_DAYS days."""
        limit = time.time() - STALE_AFTER_DAYS * 86400
        for other in self.directory.glob("*.npz*"):
            if other == keep:
                continue
            with contextlib.suppress(OSError):
                if other.stat().st_mtime < limit:
                    other.unlink()


def _shapes_ok(
    tickers: np.ndarray,
    code: np.ndarray,
    day: np.ndarray,
    values: dict[str, np.ndarray],
    rows: int,
) -> bool:
    """Check that the arrays of a cache file fit together (the key was checked already)."""
    if tickers.ndim != 1 or tickers.dtype.kind != "U":
        return False
    if code.dtype != np.int32 or day.dtype != np.int32:
        return False
    if code.shape != (rows,) or day.shape != (rows,):
        return False
    if any(v.dtype != np.float64 or v.shape != (rows,) for v in values.values()):
        return False
    if rows and (int(code.min()) < 0 or int(code.max()) >= len(tickers)):
        return False
    return len(np.unique(tickers)) == len(tickers)
