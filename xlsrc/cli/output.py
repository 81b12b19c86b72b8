"""What the ``xlsrc`` commands print: aligned tables for a person, records for a program.

Holds the program's name (:data:`PROG`, the head of every line xlsrc writes on stderr),
the terminal form of a value and of a layout table (:func:`format_value`,
:func:`format_table`: the dashboard layout's headers and Excel number formats), and
:func:`emit`, which prints a command's table as ``--format`` asks: the aligned table, or
CSV/JSON records (:mod:`xlsrc.dashboard.records`) on stdout alone.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import pandas as pd

from xlsrc.dashboard import layout
from xlsrc.dashboard.records import FORMATS, records, write_records

PROG = "xlsrc"


def format_value(value: Any, number_format: str) -> str:
    """Format ``value`` for a terminal the way ``number_format`` shows it in Excel.

    Parameters
    ----------
    value : Any
        A number, a date, text, or NaN/None (shown as ``-``).
    number_format : str
        The layout's Excel number format of the column.

    Returns
    -------
    str
        ``+9.6%`` for percent formats, ``93`` for ratings, ``1,234.50`` for prices.
    """
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "-"
    if isinstance(value, pd.Timestamp):
        return f"{value:%Y-%m-%d}"
    if not isinstance(value, int | float):
        return str(value)
    if "%" in number_format:
        sign = "+" if "+" in number_format else ""
        return f"{value:{sign}.1%}"
    if number_format in (layout.FMT_RATING, layout.FMT_INT):
        return f"{value:,.0f}"
    decimals = number_format.rpartition(".")[2].count("0") if "." in number_format else 2
    return f"{value:,.{decimals}f}"


def format_table(frame: pd.DataFrame, table: layout.Table) -> str:
    """Return ``frame`` as an aligned text table with the layout's headers and formats."""
    columns = [c for c in table.columns if c.key in frame.columns]
    cells = [[c.header for c in columns]]
    for record in frame.to_dict("records"):
        cells.append([format_value(record[c.key], c.number_format) for c in columns])
    widths = [max(len(row[i]) for row in cells) for i in range(len(columns))]
    numeric = [c.number_format not in (layout.FMT_GENERAL, layout.FMT_TEXT) for c in columns]
    lines = []
    for row in cells:
        parts = [
            cell.rjust(w) if is_num else cell.ljust(w)
            for cell, w, is_num in zip(row, widths, numeric, strict=True)
        ]
        lines.append("  ".join(parts).rstrip())
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


#: ``--format`` choices: the aligned table (for a person) or records for another program.
OUTPUT_FORMATS = ("table", "csv", "json")


def emit(
    args: argparse.Namespace,
    frame: pd.DataFrame,
    table: layout.Table | None,
    title: str,
    as_of: pd.Timestamp | None = None,
) -> None:
    """Print a command's table in the format ``--format`` asks for.

    Parameters
    ----------
    args : argparse.Namespace
        The command's arguments (``args.format``: ``table``, ``csv`` or ``json``; absent =
        ``table``).
    frame : pd.DataFrame
        The builder's table.
    table : layout.Table or None
        Its layout table: headers and number formats for a person, the column keys and
        whole-number columns for a program (None: the frame's columns as they are).
    title : str
        The line printed above the aligned table (not part of CSV or JSON).
    as_of : pd.Timestamp, optional
        The trading day of the values: CSV and JSON carry it as a first column ``as_of``.
    """
    fmt = getattr(args, "format", "table")
    if fmt not in FORMATS:
        print(title)
        if table is None:
            print(frame.to_string(index=False))
        else:
            print(format_table(frame, table))
        return
    names, rows = records(frame, table, leading=None if as_of is None else {"as_of": as_of})
    write_records(fmt, names, rows, sys.stdout)
