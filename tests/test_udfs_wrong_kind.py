"""A value of the wrong kind in a formula's argument, and rankings of fewer than two members.

Called through xlwings' own UDF entry point (``xlwings_com_stub.call_udf``, the Windows
engine's conversion), with what Excel sends: a date typed in a cell arrives as pywin32's
tz-aware COM time (xlwings hands the formula a naive ``datetime``), ``=DATE(2026,1,22)``
as the float serial 46044.0. Every message names the date as a date (``2026-01-22``),
never Python's ``datetime.datetime(2026, 1, 22, 0, 0)``, and gives the argument order.

The store is the bundled snapshot; UCFIW's last row in
``shared/data/closes/us_closes_2024-01-02_2026-08-03.csv.gz`` is 2025-12-09 (stale on
2026-01-22), ICHR closes 33.07 that day.
"""

from __future__ import annotations

import datetime as dt

import pytest
import xlwings_com_stub as com

market_mod = pytest.importorskip("xlsrc.market")

import xlsrc.excel.udfs as udfs  # noqa: E402
from xlsrc.excel import args  # noqa: E402

MISSING = com.MISSING
DAY = dt.datetime(2026, 1, 22)
DAY_SERIAL = 46044.0  # =DATE(2026,1,22)
DAY_CELL = com.TimeType(2026, 1, 22, tzinfo=dt.UTC)  # a date typed in a cell, via pywin32
TICKER = "a ticker such as VICR"
UNIVERSE = 'a universe (a name such as "sp600", or a list of tickers)'


@pytest.fixture(scope="module", autouse=True)
def store(bundled_store_path):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XLSRC_STORE", str(bundled_store_path))
        yield market_mod.get_market()


def excel(name, *values):
    """Call ``name`` through xlwings' call_udf; the one cell a refusal fills."""
    out = com.call_udf(name, *values)
    assert isinstance(out, list) and len(out) == 1 and len(out[0]) == 1, out
    return out[0][0]


def _wrong(name, shown, kind, holds, usage):
    return f"#N/A Invalid {name}: {shown} is {kind}; this argument holds {holds}; the arguments are {usage}"


DATE = ("2026-01-22", "a date")
SERIAL = ("46044", "a number (the date 2026-01-22 as Excel counts days)")


@pytest.mark.parametrize(
    ("formula", "cells", "name", "holds", "usage"),
    [
        ("SECTORS", [None], "benchmark", TICKER, "SECTORS(benchmark, as_of)"),
        ("RRG_GUIDES", [None], "benchmark", TICKER, "RRG_GUIDES(benchmark, as_of)"),
        ("RS_LINE", ["VICR", None], "benchmark", TICKER, "RS_LINE(ticker, benchmark, as_of)"),
        (
            "TRAILING_RETURN",
            [None, "1M"],
            "ticker",
            TICKER,
            "TRAILING_RETURN(ticker, period, as_of)",
        ),
        ("PCT_FROM_MA", [None], "ticker", TICKER, "PCT_FROM_MA(ticker, window, as_of)"),
        ("RSI", [None], "ticker", TICKER, "RSI(ticker, window, as_of)"),
        ("YTD_RETURN", [None], "ticker", TICKER, "YTD_RETURN(ticker, as_of)"),
        ("RS_RATING", [None], "ticker", TICKER, "RS_RATING(ticker, universe, basis, as_of)"),
        ("INDUSTRY", [None], "ticker", TICKER, "INDUSTRY(ticker)"),
    ],
)
@pytest.mark.parametrize(("cell", "shown"), [(DAY_CELL, DATE), (DAY_SERIAL, SERIAL)])
def test_a_date_in_a_ticker_slot_is_named_a_date(formula, cells, name, holds, usage, cell, shown):
    values = [cell if c is None else c for c in cells]
    assert excel(formula, *values) == _wrong(name, *shown, holds, usage)


@pytest.mark.parametrize(
    ("formula", "cells", "name", "holds", "usage"),
    [
        ("INDUSTRY_GROUPS", [None], "universe", UNIVERSE, "INDUSTRY_GROUPS(universe, n, as_of)"),
        ("BREADTH", [None], "universe", UNIVERSE, "BREADTH(universe, window, as_of)"),
        ("LEADERS", [None], "universe", UNIVERSE, "LEADERS(universe, n, sort_by, basis, as_of)"),
        (
            "RS_RATING",
            ["VICR", None],
            "universe",
            UNIVERSE,
            "RS_RATING(ticker, universe, basis, as_of)",
        ),
        (
            "TRAILING_RETURN",
            ["VICR", None],
            "period",
            "a period: 1D, 1W, 1M, 3M, 6M, 1Y, YTD or a number of trading days",
            "TRAILING_RETURN(ticker, period, as_of)",
        ),
        (
            "PCT_FROM_MA",
            ["VICR", None],
            "window",
            "a whole number >= 2",
            "PCT_FROM_MA(ticker, window, as_of)",
        ),
        # RSI over 1 return is allowed (the registry's min_window 1); an SMA needs 2 closes
        ("RSI", ["VICR", None], "window", "a whole number >= 1", "RSI(ticker, window, as_of)"),
        (
            "LEADERS",
            ["sp600", None],
            "n",
            "a whole number >= 1",
            "LEADERS(universe, n, sort_by, basis, as_of)",
        ),
        (
            "LEADERS",
            ["sp600", 5.0, None],
            "sort_by",
            "a sort key such as ytd, rs, 1m",
            "LEADERS(universe, n, sort_by, basis, as_of)",
        ),
        (
            "INDUSTRY_GROUPS",
            ["sp600", None],
            "n",
            "a whole number from -5000 to 5000 other than 0 (negative: the last)",  # MAX_ROWS
            "INDUSTRY_GROUPS(universe, n, as_of)",
        ),
        (
            "PRICE_HISTORY",
            ["VICR", "2026-01-02", MISSING, None],
            "fields",
            "text: tickers or words, a range or separated by commas",
            "PRICE_HISTORY(ticker, start_date, end_date, fields)",
        ),
    ],
)
def test_a_date_cell_in_another_slot_is_named_a_date(formula, cells, name, holds, usage):
    values = [DAY_CELL if c is None else c for c in cells]
    got = excel(formula, *values)
    assert got == _wrong(name, *DATE, holds, usage)
    assert "datetime" not in got


def test_messages_never_show_python_reprs():
    day = dt.datetime(2026, 1, 22, 16, 30)
    with pytest.raises(args.InvalidParameterError) as err:
        args.choice_arg(day, "close", ["close", "volume"], "fields")
    assert str(err.value) == (
        "Invalid fields: 2026-01-22 16:30 is a date; this argument holds one of close, volume"
    )
    with pytest.raises(args.InvalidParameterError) as err:
        args.flag_arg(DAY, False, "flag")
    assert str(err.value) == "Invalid flag: 2026-01-22 is a date; this argument holds TRUE or FALSE"
    with args.formula_usage("F(a, b)"):
        with pytest.raises(args.InvalidParameterError) as err:
            args.ticker_arg(True, "b")
    assert str(err.value) == (
        f"Invalid b: TRUE is a logical; this argument holds {TICKER}; the arguments are F(a, b)"
    )
    # outside a formula no order is named; a whole number outside 1990..2099 stays a ticker
    assert args.ticker_arg(3988.0) == "3988"
    with pytest.raises(
        args.InvalidParameterError, match=r"^Invalid ticker: 2026-01-22 is a date; [^;]*$"
    ):
        args.ticker_arg(DAY)
    entries = args.ticker_list_arg([[DAY, "VICR"]], keep_errors=True)
    assert entries[1] == "VICR"
    assert entries[0].reason("tickers") == (
        "Invalid ticker: 2026-01-22 (a date, not a ticker such as VICR)"
    )


def test_a_logical_basis_says_what_basis_holds():
    assert excel("RS_RATING", "VICR", "sp600", True) == _wrong(
        "basis",
        "TRUE",
        "a logical",
        '"total" or "price"',
        "RS_RATING(ticker, universe, basis, as_of)",
    )


# --------------------------------------------------------------------------- fewer than two
STALE = "UCFIW (No trade since 2025-12-09)"


def test_rs_rating_over_one_rated_member_is_refused():
    reason = (
        "#N/A RS rating against ICHR, UCFIW on 2026-01-22 needs at least 2 rated members; "
        f"1 of 2 is rated (ICHR); not rated: {STALE}"
    )
    # VICR outside the list was 1, ICHR its one member 50
    assert excel("RS_RATING", "VICR", "ICHR,UCFIW", MISSING, DAY_CELL) == reason
    assert udfs.RS_RATING("ICHR", "ICHR,UCFIW", None, DAY) == reason
    assert udfs.RS_RATING(["VICR", "UCFIW"], [["ICHR"], ["UCFIW"]], None, DAY) == [
        reason.replace("ICHR, UCFIW", "ICHR, UCFIW"),
        "#N/A No trade since 2025-12-09",  # UCFIW's own reason, not the ranking's
    ]


def test_breadth_over_one_counted_member_is_refused():
    assert excel("BREADTH", "ICHR,UCFIW", MISSING, DAY_CELL) == (
        "#N/A Breadth (share above the 50-day average) of ICHR,UCFIW on 2026-01-22 needs "
        f"at least 2 counted members; 1 of 2 is counted (ICHR); not counted: {STALE}"
    )
