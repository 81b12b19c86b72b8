"""Argument coercion for the Excel formulas: the shapes Excel really sends.

Dates are checked against xlwings' own serial conversion (``xlwings.utils``), not against
our arithmetic.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from xlwings.utils import datetime_to_xlserial, xlserial_to_datetime

from xlsrc.errors import InvalidParameterError
from xlsrc.excel import args


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("VICR", "VICR"),
        ("  vicr ", "VICR"),
        ([["ichr"]], "ICHR"),
        (("uctt",), "UCTT"),
        ("brk.b", "BRK.B"),  # normalised further by Market.ticker
        (3988.0, "3988"),
    ],
)
def test_ticker_arg(value, expected):
    assert args.ticker_arg(value) == expected


@pytest.mark.parametrize("value", [None, "", "   ", [[None]], True, dt.datetime(2026, 1, 2)])
def test_ticker_arg_rejects(value):
    with pytest.raises(InvalidParameterError, match="ticker"):
        args.ticker_arg(value)


def test_ticker_arg_two_cells():
    with pytest.raises(InvalidParameterError, match="single cell"):
        args.ticker_arg([["VICR", "ICHR"]])


@pytest.mark.parametrize(
    "value",
    [
        46044.0,  # =DATE(2026,1,22) as a formula result
        46044,
        46044.75,  # a date-time serial: time of day dropped
        dt.datetime(2026, 1, 22),
        dt.datetime(2026, 1, 22, 16, 0, tzinfo=dt.UTC),  # what pywin32 hands over
        dt.date(2026, 1, 22),
        pd.Timestamp("2026-01-22"),
        "2026-01-22",
        " 2026-01-22 ",
        "20260122",
        "2026-01-22T16:00",
        [[46044.0]],
    ],
)
def test_date_arg_accepts_excel_shapes(value):
    assert args.date_arg(value) == pd.Timestamp("2026-01-22")


def test_serials_agree_with_xlwings():
    for day in pd.date_range("1900-03-01", "2030-12-31", freq="97D"):
        serial = datetime_to_xlserial(day.to_pydatetime())
        assert args.date_arg(serial) == pd.Timestamp(xlserial_to_datetime(serial)) == day


@pytest.mark.parametrize("value", [None, "", "  ", [[None]]])
def test_blank_as_of_is_default(value):
    assert args.as_of_arg(value) is None


@pytest.mark.parametrize("value", ["01/02/2026", "yesterday", True, -1.0, 0.0, 1e9, float("inf")])
def test_date_arg_rejects(value):
    with pytest.raises(InvalidParameterError, match="as_of"):
        args.date_arg(value)


def test_required_date():
    with pytest.raises(InvalidParameterError, match="Missing start_date"):
        args.date_arg(None, "start_date", required=True)


@pytest.mark.parametrize(
    ("value", "expected"), [(None, 20), ("", 20), (50.0, 50), (50, 50), ("50", 50), ([[10.0]], 10)]
)
def test_window_arg(value, expected):
    assert args.window_arg(value, 20) == expected


@pytest.mark.parametrize("value", [0.0, -5.0, 2.5, "abc", True, dt.datetime(2026, 1, 1)])
def test_window_arg_rejects(value):
    with pytest.raises(InvalidParameterError, match="Invalid window"):
        args.window_arg(value, 20)


def test_count_arg_maximum():
    assert args.count_arg(None, 25) == 25
    with pytest.raises(InvalidParameterError, match="Invalid n"):
        args.count_arg(10_000.0, 25, maximum=1000)


@pytest.mark.parametrize(
    ("value", "expected"), [("1m", 21), (" ytd ", "YTD"), (63.0, 63), ("1Y", 252), ([["3M"]], 63)]
)
def test_period_arg(value, expected):
    assert args.period_arg(value) == expected


@pytest.mark.parametrize("value", [None, "2Q", 0.0, -1.0, 1.5])
def test_period_arg_rejects(value):
    with pytest.raises(InvalidParameterError, match="period"):
        args.period_arg(value)


def test_flag_arg():
    assert args.flag_arg(None, False, "annualise") is False
    assert args.flag_arg(True, False, "annualise") is True
    assert args.flag_arg(1.0, False, "annualise") is True
    assert args.flag_arg("false", True, "annualise") is False
    with pytest.raises(InvalidParameterError, match="annualise"):
        args.flag_arg("maybe", False, "annualise")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "stocks"),
        ("", "stocks"),
        ("SP600", "sp600"),
        ([["r2000"]], "r2000"),
        ([["vicr"], ["ichr"], [None], ["uctt"]], ["VICR", "ICHR", "UCTT"]),
        ([["VICR", "ICHR"]], ["VICR", "ICHR"]),
        ("vicr, ichr;uctt", ["VICR", "ICHR", "UCTT"]),
    ],
)
def test_universe_arg(value, expected):
    assert args.universe_arg(value) == expected


def test_ticker_list_arg():
    assert args.ticker_list_arg([["xlk", "XLE"], ["xlk", None]]) == ["XLK", "XLE"]
    assert args.ticker_list_arg("XLK, xle") == ["XLK", "XLE"]
    with pytest.raises(InvalidParameterError, match="Missing tickers"):
        args.ticker_list_arg([[None, ""]])


def test_choice_arg():
    allowed = ["rs_rating", "ytd", "pct_from_sma20"]
    assert args.choice_arg(None, "rs_rating", allowed, "sort_by") == "rs_rating"
    assert args.choice_arg("YTD", "rs_rating", allowed, "sort_by") == "ytd"
    assert args.choice_arg("RS Rating", "ytd", allowed, "sort_by") == "rs_rating"
    with pytest.raises(InvalidParameterError, match="sort_by"):
        args.choice_arg("colour", "ytd", allowed, "sort_by")


# --------------------------------------------------------------------------- error cells
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (-2146826246, "#N/A"),  # pywin32's SCODE: 0x800A0000 + 2042, signed
        (-2146826265, "#REF!"),  # 2023
        (-2146826243, "#SPILL!"),  # 2045: not in xlwings' table, stays a code
        (-2146826238, "#CALC!"),  # 2050
        (-2146826245, "#GETTING_DATA"),  # 2043
        (-2146828288 + 2100, "#ERROR 2100"),  # a number a later Excel might add
        ("#N/A", "#N/A"),  # xlwings' err_to_str text
        (" #DIV/0! ", "#DIV/0!"),
        ("#N/A Unknown ticker: XYZQ", "#N/A Unknown ticker: XYZQ"),  # an xlsrc error upstream
        ("#N/Alpha", None),
        ("#HASHTAG", None),
        ("VICR", None),
        (None, None),
        (2042, None),  # the bare number: a cell holding 2042
        (-5.0, None),
        (True, None),
    ],
)
def test_error_text(value, expected):
    assert args.error_text(value) == expected


@pytest.mark.parametrize(
    ("reader", "name", "several"),
    [
        (lambda v: args.ticker_arg(v), "ticker", False),
        (lambda v: args.date_arg(v, "as_of"), "as_of", False),
        (lambda v: args.window_arg(v, 20), "window", False),
        (lambda v: args.period_arg(v, "1M"), "period", False),
        (lambda v: args.flag_arg(v, False, "annualise"), "annualise", False),
        (lambda v: args.choice_arg(v, "close", ("close",), "fields"), "fields", False),
        (lambda v: args.universe_arg(v), "universe", True),
        (lambda v: args.ticker_list_arg(v), "tickers", True),
        (lambda v: args.text_list_arg(v, "fields"), "fields", True),
    ],
)
def test_every_reader_refuses_an_error_cell(reader, name, several):
    values = [-2146826246, "#N/A", [["#N/A"]], [[None], [-2146826246]]]
    if several:  # a range of several cells with one error among them
        values.append([["VICR"], [-2146826246]])
    for value in values:
        with pytest.raises(InvalidParameterError, match=rf"^{name} is an error cell \(#N/A\)$"):
            reader(value)


def test_ticker_list_keeps_error_cells_in_place():
    got = args.ticker_list_arg([["iwm"], [-2146826265], ["IWM"], ["#N/A"]], keep_errors=True)
    assert got == ["IWM", args.ErrorCell("#REF!"), args.ErrorCell("#N/A")]
    assert got[1].reason("tickers") == "tickers is an error cell (#REF!)"


# --------------------------------------------------------------------------- broadcast
def test_broadcast_single_cells():
    b = args.broadcast(["VICR", [[20.0]], None], ["ticker", "window", "as_of"])
    assert b.shape == (1, 1) and b.nest == 0 and b.ranged == (False, False, False)
    assert b.columns == (["VICR"], [20.0], [None]) and b.outside is None
    assert b.result(["x"]) == "x"


def test_broadcast_pairs_element_wise_and_repeats_single_cells():
    b = args.broadcast([[["A"], ["B"], ["C"]], [[1], [2], [3]], "d"], ["t", "w", "d"])
    assert b.shape == (3, 1) and b.nest == 2
    assert b.columns == (["A", "B", "C"], [1, 2, 3], ["d", "d", "d"])
    assert b.result([7, 8, 9]) == [[7], [8], [9]]


def test_broadcast_a_column_by_a_row_is_a_table():
    # Excel: ={"A";"B"}&{1,2,3} is {"A1","A2","A3";"B1","B2","B3"}
    b = args.broadcast([[["A"], ["B"]], [[1, 2, 3]]], ["t", "w"])
    assert b.shape == (2, 3) and b.outside is None
    assert b.columns == (["A", "A", "A", "B", "B", "B"], [1, 2, 3, 1, 2, 3])
    assert b.result(list(range(6))) == [[0, 1, 2], [3, 4, 5]]


def test_broadcast_leaves_the_cells_outside_a_shorter_range():
    # Excel: ={1;2;3}+{10;20} is {11;22;#N/A}
    b = args.broadcast([[[1], [2], [3]], [[10], [20]]], ["t", "w"])
    assert b.outside == [None, None, "w"]
    assert b.columns[1] == [10, 20, None]
    b = args.broadcast([[["A", "B"], ["C", "D"]], [["x", "y", "z"]]], ["t", "w"])
    assert b.shape == (2, 3)
    assert b.outside == [None, None, "t", None, None, "t"]


def test_broadcast_flat_lists_are_rows():
    b = args.broadcast([["A", "B"], 20], ["t", "w"])
    assert b.shape == (1, 2) and b.nest == 1 and b.result([1, 2]) == [1, 2]
    assert args.broadcast([("A",), 20], ["t", "w"]).nest == 0  # one cell


def test_broadcast_refuses_ragged_rows():
    with pytest.raises(InvalidParameterError, match="rectangular"):
        args.broadcast([[["A"], ["B", "C"]]], ["ticker"])
    with pytest.raises(InvalidParameterError, match="a 2D range"):
        args.broadcast([["A", ["B"]]], ["ticker"])
