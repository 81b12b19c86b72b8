"""Plain records for CSV and JSON (``xlsrc.dashboard.records``): values worked out by hand."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math

import numpy as np
import pandas as pd
import pytest

from xlsrc.dashboard import layout
from xlsrc.dashboard.records import plain, records, write_records


@pytest.mark.parametrize(
    ("value", "integer", "expected"),
    [
        (np.float64(0.794), False, 0.794),
        (np.float64(98.0), True, 98),  # a rating column: a whole number
        (98.5, True, 98.5),  # not whole: stays a float rather than being rounded
        (np.float64(98.0), False, 98.0),
        (np.int64(12469), False, 12469),
        (float("nan"), False, None),
        (float("inf"), False, None),
        (None, False, None),
        (pd.NaT, False, None),
        (np.datetime64("NaT"), False, None),
        (pd.Timestamp("2026-01-22"), False, "2026-01-22"),
        (np.datetime64("2026-01-22"), False, "2026-01-22"),
        (dt.date(2026, 1, 22), False, "2026-01-22"),
        (pd.Timestamp("2026-01-22 16:00"), False, "2026-01-22T16:00:00"),
        (pd.Timestamp("2026-08-03T00:00:00Z"), False, "2026-08-03T00:00:00+00:00"),
        (np.bool_(True), False, True),
        ("Vicor Corp", False, "Vicor Corp"),
    ],
)
def test_plain(value, integer, expected):
    got = plain(value, integer)
    assert got == expected and type(got) is type(expected)


def test_records_follow_the_layout_and_its_whole_numbers():
    table = layout.DASHBOARD.table("leaders")
    frame = pd.DataFrame(
        {
            "rank": [1.0, 2.0],
            "ticker": ["ICHR", "UCTT"],
            "name": ["Ichor Holdings Ltd", "Ultra Clean Holdings, Inc"],
            "extra": ["not in the layout", "left out"],
            "ret_ytd": [33.07 / 18.43 - 1, math.nan],
            "rs_rating": [86.0, 90.0],
        }
    )
    names, rows = records(frame, table, leading={"as_of": pd.Timestamp("2026-01-22")})
    assert names == ["as_of", "rank", "ticker", "name", "ret_ytd", "rs_rating"]
    assert rows[0] == {
        "as_of": "2026-01-22",
        "rank": 1,
        "ticker": "ICHR",
        "name": "Ichor Holdings Ltd",
        "ret_ytd": 33.07 / 18.43 - 1,
        "rs_rating": 86,
    }
    assert rows[1]["ret_ytd"] is None

    out = io.StringIO()
    write_records("csv", names, rows, out)
    text = out.getvalue()
    assert text.splitlines()[0] == "as_of,rank,ticker,name,ret_ytd,rs_rating"
    assert text.splitlines()[2] == '2026-01-22,2,UCTT,"Ultra Clean Holdings, Inc",,90'
    back = list(csv.DictReader(io.StringIO(text)))
    assert float(back[0]["ret_ytd"]) == 33.07 / 18.43 - 1  # repr: the exact float back
    assert back[1]["name"] == "Ultra Clean Holdings, Inc" and back[1]["ret_ytd"] == ""

    out = io.StringIO()
    write_records("json", names, rows, out)
    assert json.loads(out.getvalue()) == rows
    assert out.getvalue().count("\n") == len(rows) + 2  # "[", one line per record, "]"


def test_empty_and_bad_input():
    out = io.StringIO()
    write_records("json", ["a"], [], out)
    assert json.loads(out.getvalue()) == []
    out = io.StringIO()
    write_records("csv", ["a", "b"], [], out)
    assert out.getvalue() == "a,b\n"
    with pytest.raises(ValueError, match="format"):
        write_records("xml", ["a"], [], io.StringIO())  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        write_records("json", ["a"], [{"a": float("nan")}], io.StringIO())
    with pytest.raises(ValueError, match="finite"):
        write_records("csv", ["a"], [{"a": float("inf")}], io.StringIO())


def test_records_without_a_layout_keep_the_frame_columns():
    frame = pd.DataFrame({"item": ["n_tickers", "last_date"], "value": [12469, "2026-08-03"]})
    names, rows = records(frame.astype(object))
    assert names == ["item", "value"]
    assert rows == [
        {"item": "n_tickers", "value": 12469},
        {"item": "last_date", "value": "2026-08-03"},
    ]
