"""Values as spreadsheet cells and terminal text: the helpers every adapter shares.

One conversion of a computed value into what a cell holds (:func:`to_cell`: NaN and NaT
become a blank, numpy scalars Python numbers, timestamps ``datetime``), used by the report
and workbook writers (through :mod:`xlsrc.dashboard.render`) and by the Excel formulas;
and one reading of ``Store.status()`` (:func:`status_rows`, :func:`status_value`,
:func:`status_text`), used by the ``DATA_STATUS`` formula and ``xlsrc status``.

This module imports no spreadsheet library.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "NEVER_KEYS",
    "STATUS_ITEMS",
    "status_rows",
    "status_text",
    "status_value",
    "to_cell",
]


def to_cell(value: Any) -> Any:
    """Return one value as a spreadsheet cell holds it.

    Parameters
    ----------
    value : Any
        A number, text, a date (``pd.Timestamp``, ``numpy.datetime64``, ``datetime``),
        ``None``, NaN or NaT.

    Returns
    -------
    Any
        ``None`` (a blank cell) for None, NaN, NaT and infinities; a Python ``int`` /
        ``float`` / ``bool`` for a numpy scalar; a ``datetime.datetime`` for a timestamp;
        anything else unchanged.
    """
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.to_pydatetime()
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else pd.Timestamp(value).to_pydatetime()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


#: ``Store.status()`` keys in the order they are listed, with their labels.
STATUS_ITEMS: tuple[tuple[str, str], ...] = (
    ("sources", "Source"),
    ("last_refresh", "Last refresh (UTC)"),
    ("last_refresh_source", "Last refresh source"),
    ("last_date", "Last date"),
    ("first_date", "First date"),
    ("n_tickers", "Tickers"),
    ("location", "Store"),
    ("backend", "Backend"),
    ("snapshot_version", "Snapshot version"),
    ("created_at", "Store created (UTC)"),
    ("data_version", "Data version"),
    ("bars_version", "Bars version"),
    ("schema_version", "Schema version"),
)

#: Status keys whose None means "has not happened" (shown "never") rather than "unknown".
NEVER_KEYS = frozenset({"last_refresh", "last_refresh_source"})

_DATE_KEYS = frozenset({"last_date", "first_date", "last_refresh", "created_at"})


def status_value(key: str, value: Any) -> Any:
    """Return one ``Store.status()`` value as a cell shows it.

    Parameters
    ----------
    key : str
        The status key (``last_date``...).
    value : Any
        Its value as the store reports it.

    Returns
    -------
    Any
        ``"never"`` for a refresh that did not happen; the source names joined with
        ``, ``; a date or timestamp text as a naive ``pd.Timestamp`` (UTC); other lists
        and mappings joined as text; numbers, text and dates unchanged; None if unknown.
    """
    if value is None and key in NEVER_KEYS:
        return "never"
    if key == "sources" and isinstance(value, list | tuple):
        return ", ".join(str(v.get("name", v)) if isinstance(v, dict) else str(v) for v in value)
    if key in _DATE_KEYS and isinstance(value, str) and value:
        try:
            ts = pd.Timestamp(value)
        except ValueError:
            return value
        return ts.tz_convert(None) if ts.tzinfo is not None else ts
    if isinstance(value, list | tuple | set):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, pd.Timestamp | _dt.datetime | _dt.date | int | float | str | bool):
        return value
    return None if value is None else str(value)


def status_text(key: str, value: Any) -> str:
    """Return one ``Store.status()`` value as terminal text.

    ``"never"`` for a refresh that did not happen, ``"-"`` for another missing value, the
    value as the store wrote it otherwise (dates stay in their ISO text).
    """
    if value is None or value == "":
        return "never" if key in NEVER_KEYS else "-"
    if isinstance(value, str):
        return value
    return str(status_value(key, value))


def status_rows(status: Mapping[str, Any]) -> list[tuple[str, str, Any]]:
    """Return ``(key, label, value)`` for every status item, in :data:`STATUS_ITEMS` order.

    Keys a newer store adds follow, labelled from the key (``n_rows`` -> ``N rows``).
    Values are :func:`status_value`'s.
    """
    rest = dict(status)
    rows = [
        (key, label, status_value(key, rest.pop(key))) for key, label in STATUS_ITEMS if key in rest
    ]
    rows += [
        (str(key), str(key).replace("_", " ").capitalize(), status_value(str(key), value))
        for key, value in rest.items()
    ]
    return rows
