"""The one market calendar: New York Stock Exchange sessions from ``exchange_calendars``.

Every date xlsrc stores or computes on is an XNYS *session* (a day the exchange opened),
never "whatever dates the store happens to hold". The sessions and their closing times
come from ``exchange_calendars`` (calendar ``XNYS``), which knows the exchange's holidays,
early closes and one-off closures (2025-01-09, the national day of mourning).

Importing ``exchange_calendars`` and building the calendar costs about 0.7 s, which a
formula process would pay on every start. The session list is therefore kept in a small
file (``sessions-XNYS-<library version>.npz``, ~150 kB) in the per-user cache directory,
keyed by the library's version: a new ``exchange_calendars`` release (new holidays) makes a
new file. If the cache cannot be read or written the calendar is built in memory.

Functions here take dates as naive midnight timestamps (the session *label*, as
``exchange_calendars`` names sessions) and never read the clock: "now" is an argument.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
import warnings
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from ..errors import StoreError

__all__ = [
    "EXCHANGE",
    "FIRST_SESSION",
    "TIMEZONE",
    "Calendar",
    "get_calendar",
]

#: The exchange whose sessions are the calendar of every price matrix.
EXCHANGE: Final = "XNYS"
#: The exchange's time zone: a timestamp with an offset is converted to this zone's date.
TIMEZONE: Final = "America/New_York"
#: The first session the calendar covers (the scale benchmark goes back 20 years).
FIRST_SESSION: Final = "1990-01-02"
#: Environment variable naming the cache directory (default: platformdirs' user cache).
CACHE_ENV: Final = "XLSRC_CACHE_DIR"


class Calendar:
    """XNYS sessions and their closing times (UTC).

    Parameters
    ----------
    sessions : pd.DatetimeIndex
        Session labels, naive midnight, ascending.
    closes : np.ndarray
        ``datetime64[ns]`` UTC closing time of each session (early closes included).

    Notes
    -----
    Build one with :func:`get_calendar`; the object is immutable and shared.
    """

    def __init__(self, sessions: pd.DatetimeIndex, closes: np.ndarray) -> None:
        self.sessions = sessions
        self._closes = closes
        self._days = sessions.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")

    def __repr__(self) -> str:
        return f"Calendar({EXCHANGE}, {self.first:%Y-%m-%d}..{self.last:%Y-%m-%d})"

    @property
    def first(self) -> pd.Timestamp:
        """The first session the calendar knows."""
        return pd.Timestamp(self.sessions[0])

    @property
    def last(self) -> pd.Timestamp:
        """The last session the calendar knows (about a year ahead of the library's build)."""
        return pd.Timestamp(self.sessions[-1])

    def is_session(self, dates: object) -> np.ndarray:
        """Return, for each date, whether the exchange held a session that day.

        Parameters
        ----------
        dates : array-like of datetime64 or date-like
            Naive dates (any time of day is ignored).

        Returns
        -------
        np.ndarray
            Boolean array of the same length.
        """
        days = pd.DatetimeIndex(np.atleast_1d(np.asarray(dates, dtype="datetime64[ns]")))
        day = days.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
        pos = np.searchsorted(self._days, day)
        ok = pos < len(self._days)
        out = np.zeros(len(day), dtype=bool)
        out[ok] = self._days[pos[ok]] == day[ok]
        return out

    def sessions_in_range(self, start: object, end: object) -> pd.DatetimeIndex:
        """Return the sessions from ``start`` to ``end``, both included.

        Parameters
        ----------
        start, end : date-like
            Bounds; either may fall on a non-session.

        Returns
        -------
        pd.DatetimeIndex
            Naive midnight session labels (possibly empty).
        """
        lo = self._days.searchsorted(np.datetime64(pd.Timestamp(start).date(), "D"), "left")
        hi = self._days.searchsorted(np.datetime64(pd.Timestamp(end).date(), "D"), "right")
        return self.sessions[lo:hi]

    def session_on_or_before(self, date: object) -> pd.Timestamp | None:
        """Return the last session on or before ``date`` (None before the first one)."""
        day = np.datetime64(pd.Timestamp(date).date(), "D")
        pos = int(self._days.searchsorted(day, "right")) - 1
        return None if pos < 0 else pd.Timestamp(self.sessions[pos])

    def last_closed_session(self, now: datetime | pd.Timestamp) -> pd.Timestamp:
        """Return the last session whose close is at or before ``now``.

        A bar dated after it cannot be a final daily bar yet (the session has not closed,
        or is in the future).

        Parameters
        ----------
        now : datetime
            The current time; a naive value is taken as UTC.

        Returns
        -------
        pd.Timestamp
            A session label.
        """
        ts = pd.Timestamp(now)
        ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
        stamp = np.datetime64(ts.tz_localize(None).to_datetime64(), "ns")
        pos = int(np.searchsorted(self._closes, stamp, "right")) - 1
        if pos < 0:
            raise StoreError(f"The {EXCHANGE} calendar starts after {ts:%Y-%m-%d}")
        return pd.Timestamp(self.sessions[pos])


_CALENDAR: Calendar | None = None
_LOCK = threading.Lock()


def _library_version() -> str:
    try:
        return metadata.version("exchange_calendars")
    except metadata.PackageNotFoundError:  # pragma: no cover - it is a dependency
        return "unknown"


def _cache_file() -> Path:
    env = os.environ.get(CACHE_ENV, "").strip()
    if env:
        base = Path(env).expanduser()
    else:
        import platformdirs

        base = Path(platformdirs.user_cache_dir("xlsrc"))
    return base / f"sessions-{EXCHANGE}-{_library_version()}-{FIRST_SESSION}.npz"


def _from_library() -> Calendar:
    import exchange_calendars as xcals

    with warnings.catch_warnings():
        # exchange_calendars 4.13 reads ``Series.values`` of tz-aware columns, which pandas
        # 3.1 deprecates; the values it computes are unaffected
        warnings.filterwarnings("ignore", message="Series.values returning an ndarray")
        cal = xcals.get_calendar(EXCHANGE, start=FIRST_SESSION)
    sessions = pd.DatetimeIndex(cal.sessions.tz_localize(None) if cal.sessions.tz else cal.sessions)
    closes = cal.closes.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")
    return Calendar(pd.DatetimeIndex(sessions.normalize(), name="date"), closes)


def _read_cache(path: Path) -> Calendar | None:
    try:
        with np.load(path, allow_pickle=False) as npz:
            sessions = npz["sessions"].view("datetime64[ns]")
            closes = npz["closes"].view("datetime64[ns]")
    except (OSError, ValueError, KeyError):
        return None
    if len(sessions) == 0 or len(sessions) != len(closes) or np.any(np.diff(sessions) <= 0):
        return None
    return Calendar(pd.DatetimeIndex(sessions, name="date"), closes)


def _write_cache(path: Path, calendar: Calendar) -> None:
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(
                    fh,
                    sessions=calendar.sessions.to_numpy(dtype="datetime64[ns]").view("int64"),
                    closes=calendar._closes.view("int64"),
                )
            os.replace(tmp, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)


def get_calendar(*, through: object = None) -> Calendar:
    """Return the XNYS calendar (one per process; from the disk cache when it is there).

    Parameters
    ----------
    through : date-like, optional
        A date the calendar must cover; if the cached calendar ends before it (it was
        built more than a year ago), it is rebuilt from the library.

    Returns
    -------
    Calendar
    """
    global _CALENDAR
    with _LOCK:
        cal = _CALENDAR
        need = None
        if through is not None:
            stamp = pd.Timestamp(through)
            need = (stamp.tz_convert(None) if stamp.tzinfo else stamp).normalize()
        if cal is not None and (need is None or cal.last >= need):
            return cal
        path = _cache_file()
        cal = _read_cache(path)
        if cal is None or (need is not None and cal.last < need):
            cal = _from_library()
            _write_cache(path, cal)
        _CALENDAR = cal
        return cal
