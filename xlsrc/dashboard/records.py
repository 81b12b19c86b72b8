"""Tables as plain records for other programs: the command line's ``--format csv|json``.

A builder's DataFrame (:mod:`xlsrc.dashboard.build`) becomes a list of records whose
values are plain Python: numbers stay numbers (returns as decimals, ``0.794`` not
``79.4%``; a column the layout formats as a whole number, such as a rank or an RS rating,
as an ``int``), dates become ISO 8601 text (``2026-01-22``; a time of day keeps its
offset, ``2026-08-03T00:00:00+00:00``), and NaN, NaT or infinity become ``None``. CSV then
writes ``None`` as an empty field and JSON as ``null``; numbers are written with Python's
shortest round-trip ``repr`` (``0.7943572436245253``), so a reader gets back the float that
was computed.

This module imports no spreadsheet or command-line library.
"""

from __future__ import annotations

import csv
import datetime as _dt
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any, Literal

import pandas as pd

from .cells import to_cell
from .layout import FMT_INT, FMT_RATING, Table

__all__ = ["FORMATS", "INTEGER_FORMATS", "Format", "plain", "records", "write_records"]

#: The machine-readable output formats.
Format = Literal["csv", "json"]
FORMATS: tuple[Format, ...] = ("csv", "json")
#: Number formats whose values are whole numbers (a rank, an RS rating, a count).
INTEGER_FORMATS = frozenset({FMT_RATING, FMT_INT})


def plain(value: Any, integer: bool = False) -> bool | int | float | str | None:
    """Return one value as plain data: None, bool, int, float or str.

    Parameters
    ----------
    value : Any
        A number (Python or numpy), text, a date or timestamp, None, NaN or NaT.
    integer : bool
        The column holds whole numbers: an integral float becomes an ``int``.

    Returns
    -------
    None, bool, int, float or str
        ``None`` for None, NaN, NaT and infinities; a date at midnight without a time
        zone as ``YYYY-MM-DD``, another timestamp as ISO 8601 with its offset; numbers as
        Python numbers; anything else as ``str``.
    """
    value = to_cell(value)
    if value is None:
        return None
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None and value.time() == _dt.time():
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        if integer and value.is_integer():
            return int(value)
        return value
    return str(value)


def records(
    frame: pd.DataFrame,
    table: Table | None = None,
    *,
    columns: Sequence[str] | None = None,
    integers: Iterable[str] = (),
    leading: Mapping[str, Any] | None = None,
) -> tuple[list[str], list[dict[str, Any]]]:
    """Return a table's column names and its rows as plain records.

    Parameters
    ----------
    frame : pd.DataFrame
        A builder's table (one row per record; the index is not written).
    table : Table, optional
        Its layout table: the columns it lists that ``frame`` has, in its order, and
        whole numbers where its number format is one (:data:`INTEGER_FORMATS`).
    columns : sequence of str, optional
        The columns to write instead (default: the layout's, else every column of
        ``frame``); a column ``frame`` lacks is written empty.
    integers : iterable of str
        More columns of whole numbers.
    leading : mapping of str to Any, optional
        Columns with one value for every row, written first (``{"as_of": day}``).

    Returns
    -------
    names : list of str
        The column names, leading ones first.
    rows : list of dict
        One record per row of ``frame``, values per :func:`plain`.
    """
    if columns is None:
        if table is not None:
            columns = [c.key for c in table.columns if c.key in frame.columns]
        else:
            columns = [str(c) for c in frame.columns]
    whole = set(integers)
    if table is not None:
        whole |= {c.key for c in table.columns if c.number_format in INTEGER_FORMATS}
    first = {str(k): plain(v) for k, v in (leading or {}).items()}
    names = [*first, *[c for c in columns if c not in first]]
    rows: list[dict[str, Any]] = []
    for raw in frame.to_dict("records"):
        row = dict(first)
        for name in names[len(first) :]:
            row[name] = plain(raw.get(name), name in whole)
        rows.append(row)
    return names, rows


def write_records(
    fmt: Format, names: Sequence[str], rows: Sequence[Mapping[str, Any]], stream: IO[str]
) -> None:
    """Write records as CSV (a header row, then one line per record) or JSON (a list).

    Parameters
    ----------
    fmt : {"csv", "json"}
        CSV: RFC 4180 quoting, newline line ends, ``None`` as an empty field. JSON: a list
        of objects, one per line, ``None`` as ``null``.
    names : sequence of str
        The columns, in order (the CSV header; the keys of each JSON object).
    rows : sequence of mapping
        Records of plain values (:func:`records`).
    stream : text stream
        Where to write (``sys.stdout``).

    Raises
    ------
    ValueError
        For another ``fmt``, or a NaN or infinity left in a row (JSON has no such number).
    """
    if fmt == "csv":
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(names)
        for row in rows:
            writer.writerow(["" if row.get(n) is None else _csv_text(row.get(n)) for n in names])
        return
    if fmt == "json":
        lines = [json.dumps({n: row.get(n) for n in names}, allow_nan=False) for row in rows]
        stream.write("[\n" + ",\n".join(lines) + "\n]\n" if lines else "[]\n")
        return
    raise ValueError(f"unknown format {fmt!r} (allowed: {', '.join(FORMATS)})")


def _csv_text(value: Any) -> str:
    """Return a plain value as CSV text (floats by ``repr``: the shortest exact form)."""
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"not a finite number: {value!r}")
        return repr(value)
    return str(value)
