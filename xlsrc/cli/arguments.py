"""Readers of the ``xlsrc`` command line's argument text: dates, counts, ticker lists, jumps.

The argument types of the parser (:func:`_positive_int`, :func:`_tickers`), the dates
read after parsing so that a bad one is an ``xlsrc: error:`` line (:func:`_parse_dates`),
and ``--allow-jump TICKER:DATE`` (:func:`_allow_jump`).
"""

from __future__ import annotations

import argparse

import pandas as pd

from xlsrc.errors import XlsrcError

#: Options holding a date: read by :func:`xlsrc.dates.parse_date` inside
#: :func:`xlsrc.cli.main`, so that a bad or ambiguous date is one ``xlsrc: error:`` line
#: with exit status 1.
_DATE_OPTIONS = {"as_of": "--as-of", "since": "--since"}


def _parse_dates(args: argparse.Namespace) -> None:
    """Replace the text of every date option by its date (the rule of every input)."""
    from xlsrc.dates import parse_date

    for attr, option in _DATE_OPTIONS.items():
        text = getattr(args, attr, None)
        if isinstance(text, str):
            setattr(args, attr, parse_date(text, name=option))


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"not a whole number >= 1: {text!r}")
    return value


def _tickers(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


def _allow_jump(text: str) -> tuple[str, pd.Timestamp]:
    """Read ``--allow-jump TICKER:DATE`` (a split-sized step to accept as a real move)."""
    from xlsrc.dates import parse_date

    ticker, sep, day = text.rpartition(":")
    if not sep or not ticker.strip():
        raise XlsrcError(f"--allow-jump takes TICKER:DATE, e.g. IWM:2026-01-21; got {text!r}")
    return ticker.strip(), parse_date(day, name="--allow-jump")
