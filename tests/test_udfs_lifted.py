"""Formulas over ranges (issue 10 section 1), through xlwings' own conversion layer.

A range reaches a formula the way Excel's COM server hands it to ``xlwings.udfs.call_udf``:
a tuple of row tuples (``xlwings_com_stub``), read with the formula's declared options
(``ndim=2``). Expected numbers are the raw rows of
``shared/data/closes/us_closes_2024-01-02_2026-08-03.csv.gz`` divided by hand (as in
``test_udfs.py``), or, for the lifted-equals-single tests, the single-cell formula itself:
that equality, exact, is what the lifting promises.
"""

from __future__ import annotations

import datetime as dt
import math

import pytest
import xlwings_com_stub as com

market_mod = pytest.importorskip("xlsrc.market")

import xlsrc.excel.udfs as udfs  # noqa: E402

MISSING = com.MISSING
DAY_SERIAL = 46044.0  # =DATE(2026,1,22)
DAY = dt.datetime(2026, 1, 22)

# by hand from the raw CSV rows: close 2026-01-22 / close 2025-12-31 - 1, and 1D
VICR_YTD = 166.78 / 109.60 - 1  # +52.2 %
ICHR_YTD = 33.07 / 18.43 - 1  # +79.4 %
UCTT_YTD = 44.14 / 25.33 - 1  # +74.3 %
VICR_1D = 166.78 / 162.08 - 1  # 2026-01-22 / 2026-01-21


@pytest.fixture(scope="session", autouse=True)
def store(bundled_store_path):
    """The session's seeded store (read only); formulas find it via XLSRC_STORE."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XLSRC_STORE", str(bundled_store_path))
        yield market_mod.get_market()


def excel(name, *args):
    """What Excel gets from ``name`` through xlwings' call_udf (always a 2D list)."""
    out = com.call_udf(name, *args)
    assert isinstance(out, list) and all(isinstance(r, list) for r in out), out
    return out


def column(*cells):
    """A column range as the COM server hands it: a tuple of one-cell row tuples."""
    return tuple((c,) for c in cells)


def as_excel(value):
    """A plain-Python result as xlwings writes it: blanks "", tz-naive dates compared."""
    if isinstance(value, list):
        return [as_excel(v) for v in value]
    return "" if value is None else value


def naive(rows):
    return [[c.replace(tzinfo=None) if isinstance(c, dt.datetime) else c for c in r] for r in rows]


# --------------------------------------------------------------------------- shapes
def test_a_column_of_tickers_gives_a_column_of_values():
    got = excel("YTD_RETURN", column("VICR", "ichr ", None, "XYZQ", "UCTT"), DAY_SERIAL)
    assert len(got) == 5 and all(len(r) == 1 for r in got)
    assert got[0][0] == pytest.approx(VICR_YTD, abs=2e-3)
    assert got[1][0] == pytest.approx(ICHR_YTD, abs=2e-3)
    assert got[2][0] == ""  # a blank cell gives a blank (xlwings writes None as "")
    assert got[3][0] == "#N/A Unknown ticker: XYZQ"  # its own reason, the rest unaffected
    assert got[4][0] == pytest.approx(UCTT_YTD, abs=2e-3)
    # each value is exactly the single-cell formula's
    for cell, ticker in zip(got, ("VICR", "ICHR", None, "XYZQ", "UCTT"), strict=True):
        if ticker is not None:
            assert cell == excel("YTD_RETURN", ticker, DAY_SERIAL)[0]


def test_a_row_and_a_2d_range_keep_their_shape():
    row = excel("YTD_RETURN", (("VICR", "ICHR", "UCTT"),), DAY_SERIAL)
    assert len(row) == 1 and len(row[0]) == 3
    assert row[0] == pytest.approx([VICR_YTD, ICHR_YTD, UCTT_YTD], abs=2e-3)
    grid = excel("YTD_RETURN", (("VICR", "ICHR"), ("UCTT", None)), DAY_SERIAL)
    assert [len(r) for r in grid] == [2, 2]
    assert grid[0] == row[0][:2] and grid[1] == [row[0][2], ""]


def test_one_cell_still_gives_one_value():
    single = excel("RS_RATING", "VICR", MISSING, MISSING, DAY_SERIAL)
    assert single == excel("RS_RATING", (("VICR",),), MISSING, MISSING, DAY_SERIAL)  # 1x1
    assert len(single) == 1 and isinstance(single[0][0], int)
    assert udfs.RS_RATING("VICR", None, None, DAY) == single[0][0]
    assert udfs.RS_RATING([["VICR"]], None, None, DAY) == single[0][0]  # a scalar, not [[x]]
    # a one-cell error stays a raised-and-shown error, as before
    assert udfs.YTD_RETURN([["XYZQ"]], DAY) == "#N/A Unknown ticker: XYZQ"


def test_python_lists_keep_their_nesting():
    flat = udfs.YTD_RETURN(["VICR", "ICHR"], DAY)
    assert isinstance(flat, list) and len(flat) == 2 and not isinstance(flat[0], list)
    assert flat == [udfs.YTD_RETURN("VICR", DAY), udfs.YTD_RETURN("ICHR", DAY)]
    assert udfs.YTD_RETURN(("VICR", "ICHR"), DAY) == flat  # a tuple is a row too
    assert udfs.YTD_RETURN([["VICR"], ["ICHR"]], DAY) == [[v] for v in flat]


def test_a_ragged_list_is_refused_by_name():
    out = udfs.YTD_RETURN([["VICR"], ["ICHR", "UCTT"]], DAY)
    assert out.startswith("#N/A Invalid ticker:") and "rectangular range" in out


# --------------------------------------------------------------------------- pairwise rule
def test_a_column_of_windows_beside_a_column_of_tickers_pairs_element_wise():
    got = excel("PCT_FROM_MA", column("VICR", "ICHR", "UCTT"), column(20.0, 50.0, 10.0), DAY)
    want = [
        excel("PCT_FROM_MA", "VICR", 20.0, DAY)[0],
        excel("PCT_FROM_MA", "ICHR", 50.0, DAY)[0],
        excel("PCT_FROM_MA", "UCTT", 10.0, DAY)[0],
    ]
    assert got == want
    assert len({c[0] for c in got}) == 3


def test_a_row_of_windows_beside_a_column_of_tickers_gives_a_table():
    # Excel: ={"a";"b"} & {"x","y"} is a 2x2 array; so is PCT_FROM_MA(column, row)
    got = excel("PCT_FROM_MA", column("VICR", "ICHR"), ((20.0, 50.0, 200.0),), DAY_SERIAL)
    assert [len(r) for r in got] == [3, 3]
    for r, ticker in enumerate(("VICR", "ICHR")):
        for c, window in enumerate((20.0, 50.0, 200.0)):
            assert got[r][c] == excel("PCT_FROM_MA", ticker, window, DAY_SERIAL)[0][0]


def test_periods_in_a_row_by_hand():
    got = excel("TRAILING_RETURN", column("VICR", "XYZQ"), (("1D", "YTD", "2Q"),), DAY_SERIAL)
    assert got[0][0] == pytest.approx(VICR_1D, abs=1e-3)
    assert got[0][1] == pytest.approx(VICR_YTD, abs=2e-3)
    assert got[1][:2] == ["#N/A Unknown ticker: XYZQ"] * 2
    # a bad period is the error of the cells that use it, whatever their ticker
    assert got[0][2] == got[1][2]
    assert got[0][2].startswith("#N/A Invalid period")


def test_a_shorter_range_leaves_na_outside_it():
    """Excel: ={1;2;3}+{10;20} is {11;22;#N/A}; here the cell says which range is short."""
    got = excel("PCT_FROM_MA", column("VICR", "ICHR", "UCTT"), column(20.0, 50.0), DAY_SERIAL)
    assert got[0][0] == excel("PCT_FROM_MA", "VICR", 20.0, DAY_SERIAL)[0][0]
    assert got[1][0] == excel("PCT_FROM_MA", "ICHR", 50.0, DAY_SERIAL)[0][0]
    assert got[2][0] == "#N/A No window for this cell (window is 2x1, the result 3x1)"
    # the other way round: fewer tickers than windows
    got = excel("PCT_FROM_MA", column("VICR", "ICHR"), column(20.0, 50.0, 10.0), DAY_SERIAL)
    assert got[2][0] == "#N/A No ticker for this cell (ticker is 2x1, the result 3x1)"


def test_one_ticker_over_a_column_of_dates():
    # YTD of VICR on 2026-01-22 and, the year of the date asked for, 0 on 2026-01-01
    got = excel("YTD_RETURN", "VICR", column(DAY_SERIAL, "2026-01-01", None, "2019-01-02"))
    assert got[0][0] == pytest.approx(VICR_YTD, abs=2e-3)
    assert got[1][0] == 0.0
    assert got[2][0] == excel("YTD_RETURN", "VICR", MISSING)[0][0]  # blank date = latest
    assert got[3][0] == "#N/A No price on or before 2019-01-02 (the data start on 2024-01-02)"


def test_benchmarks_beside_tickers():
    got = excel("RS_LINE", column("VICR", "XLK", "VICR"), column("SPY", "QQQ", "NOPE"), DAY)
    assert got[0][0] == pytest.approx(166.78 / 685.338, rel=5e-3)  # raw CSV closes
    assert got[1][0] == excel("RS_LINE", "XLK", "QQQ", DAY)[0][0]
    assert got[2][0] == "#N/A Unknown ticker: NOPE"  # the bad benchmark's cell only


def test_period_return_over_start_dates():
    got = excel("PERIOD_RETURN", "UCTT", column("2025-12-31", "2026-01-21", "2027-01-01"), DAY)
    assert got[0][0] == pytest.approx(UCTT_YTD, abs=2e-3)
    assert got[1][0] == excel("PERIOD_RETURN", "UCTT", "2026-01-21", DAY)[0][0]
    assert got[2][0].startswith("#N/A Invalid start_date: '2027-01-01'")


def test_rotation_over_small_caps():
    got = excel("ROTATION_SPREAD", column("IWM", None, "XYZQ"), "SPY", DAY_SERIAL)
    assert got[0][0] == pytest.approx((268.672 / 245.14 - 1) - (685.338 / 678.315 - 1), abs=3e-3)
    assert got[1][0] == ""  # a blank cell of the range: no pair
    assert got[2][0] == "#N/A Unknown ticker: XYZQ"
    # a blank single small cap still means IWM
    assert excel("ROTATION_SPREAD", MISSING, "SPY", DAY_SERIAL)[0][0] == got[0][0]
    labels = excel("ROTATION_SIGNAL", "IWM", (("SPY", "QQQ"),), DAY_SERIAL)
    assert labels[0] == [
        excel("ROTATION_SIGNAL", "IWM", "SPY", DAY_SERIAL)[0][0],
        excel("ROTATION_SIGNAL", "IWM", "QQQ", DAY_SERIAL)[0][0],
    ]


def test_trading_day_is_the_session_the_formulas_use():
    """By the NYSE calendar: Martin Luther King Jr. Day 2026 is Monday 19 January (the
    third Monday), Good Friday 3 April (Easter is 5 April 2026), Independence Day falls on
    a Saturday and is observed Friday 3 July; 24 January 2026 is a Saturday; the bundled
    data end on Monday 3 August 2026."""
    dates = column(
        com.TimeType(2026, 1, 19, tzinfo=dt.UTC),  # a date cell, as pywin32 hands it
        "2026-04-03",
        46206.0,  # =DATE(2026,7,3)
        "2026-01-24",
        DAY_SERIAL,
        None,
        "2030-01-01",
        "2023-06-01",
    )
    got = naive(excel("TRADING_DAY", dates))
    assert [r[0] for r in got] == [
        dt.datetime(2026, 1, 16),
        dt.datetime(2026, 4, 2),
        dt.datetime(2026, 7, 2),
        dt.datetime(2026, 1, 23),
        DAY,
        "",  # a blank cell of a range of dates: a blank
        dt.datetime(2026, 8, 3),
        "#N/A No price on or before 2023-06-01 (the data start on 2024-01-02)",
    ]
    assert naive(excel("TRADING_DAY", MISSING)) == [[dt.datetime(2026, 8, 3)]]
    # the session every formula uses: YTD_RETURN on the holiday equals the Friday's
    assert udfs.YTD_RETURN("VICR", "2026-01-19") == udfs.YTD_RETURN("VICR", "2026-01-16")


#: Arguments of every lifted formula besides the ticker, for one cell (plain Python).
LIFTED_CALLS = {
    "RS_RATING": (None, None, DAY),  # universe, basis, as_of
    "RS_SCORE": (None, DAY),  # basis, as_of
    "RS_LINE": ("IWM", DAY),
    "YTD_RETURN": (DAY,),
    "TRAILING_RETURN": ("1M", DAY),
    "PERIOD_RETURN": ("2025-06-30", DAY),
    "PCT_FROM_MA": (50.0, DAY),
    "RSI": (None, DAY),
    "VOLATILITY": (None, DAY),
    "ANNUAL_VOLATILITY": (None, DAY),
    "REL_VOLUME": (None, DAY),
    "PCT_FROM_HIGH": (DAY,),
    "ROTATION_SIGNAL": ("SPY", DAY),
    "ROTATION_SPREAD": ("SPY", DAY),
}


@pytest.mark.parametrize("name", sorted(LIFTED_CALLS))
def test_every_formula_of_one_ticker_lifts_over_a_column(name):
    rest = LIFTED_CALLS[name]
    tickers = ("IWM", None, "XYZQ", "ichr", "#N/A")
    got = udfs.__dict__[name]([[t] for t in tickers], *rest)
    assert [len(r) for r in got] == [1] * 5
    assert got[0][0] == udfs.__dict__[name]("IWM", *rest)
    assert not isinstance(got[0][0], str) or not got[0][0].startswith("#N/A")
    assert got[1][0] is None
    assert got[2][0] == "#N/A Unknown ticker: XYZQ"
    assert got[3][0] == udfs.__dict__[name]("ICHR", *rest)
    first = "small" if name.startswith("ROTATION") else "ticker"
    assert got[4][0] == f"#N/A {first} is an error cell (#N/A)"
    # and through xlwings (None -> "", a MISSING option for None)
    options = [MISSING if v is None else v for v in rest]
    assert excel(name, column(*tickers), *options) == as_excel(got)


# --------------------------------------------------------------------------- whole universe
#: (formula, other arguments): served from the memoised day table, the ranking, and the
#: core on the wanted columns, on dates with few and many gaps.
UNIVERSE_CASES = [
    ("YTD_RETURN", (DAY_SERIAL,)),
    ("RS_RATING", (None, None, None)),
    ("PCT_FROM_MA", (None, "2024-06-03")),
    ("TRAILING_RETURN", ("1M", "2025-04-08")),
]


@pytest.mark.parametrize(("name", "rest"), UNIVERSE_CASES, ids=[c[0] for c in UNIVERSE_CASES])
def test_lifted_equals_one_call_per_ticker_over_the_whole_universe(store, name, rest):
    """Every ticker of the bundled snapshot: one lifted call, then one call per ticker."""
    func = udfs.__dict__[name]
    tickers = [str(t) for t in store.close.columns]
    assert len(tickers) > 12_000
    singles = [func(t, *rest) for t in tickers]
    lifted = func([[t] for t in tickers], *rest)
    assert lifted == [[v] for v in singles]  # exactly: same floats, same reasons
    values = [v for v in singles if isinstance(v, float | int)]
    reasons = [v for v in singles if isinstance(v, str)]
    assert len(values) > 2_000 and len(reasons) > 100  # both kinds of cell are compared
    assert all(r.startswith("#N/A ") for r in reasons)


#: More formulas and dates, over every 20th ticker (the single calls cost ~0.3-1 ms each).
SAMPLE_CASES = [
    ("RS_SCORE", (None, DAY)),
    ("RS_RATING", ("sp600", None, DAY)),
    ("RS_LINE", ("IWM", "2025-11-28")),
    ("TRAILING_RETURN", ("YTD", "2026-01-01")),
    ("TRAILING_RETURN", (7.0, DAY)),
    ("PERIOD_RETURN", ("2025-06-30", DAY)),
    ("PCT_FROM_MA", (200.0, DAY)),
    ("RSI", (7.0, "2024-03-01")),
    ("VOLATILITY", (None, "2025-03-03")),
    ("ANNUAL_VOLATILITY", (30.0, DAY)),
    ("REL_VOLUME", (None, None)),
    ("PCT_FROM_HIGH", ("2024-12-31",)),
]


@pytest.mark.parametrize(
    ("name", "rest"), SAMPLE_CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(SAMPLE_CASES)]
)
def test_lifted_equals_single_calls_more_formulas_and_dates(store, name, rest):
    func = udfs.__dict__[name]
    tickers = [str(t) for t in store.close.columns[::20]]
    singles = [func(t, *rest) for t in tickers]
    lifted = func([tickers], *rest)  # a row this time
    assert lifted == [singles]
    assert any(isinstance(v, float | int) for v in singles)
    # through xlwings: the same cells, blanks as ""
    options = [MISSING if v is None else v for v in rest]
    assert excel(name, (tuple(tickers),), *options) == as_excel(lifted)


def test_one_lifted_call_is_one_market_call(store, monkeypatch):
    calls = []
    real = type(store).values

    def spy(self, tickers, *args, **kwargs):
        calls.append(len(list(tickers)))
        return real(self, tickers, *args, **kwargs)

    monkeypatch.setattr(type(store), "values", spy)
    tickers = [str(t) for t in store.universe("sp600")]
    udfs.RS_RATING([[t] for t in tickers], None, None, DAY)
    assert calls == [len(tickers)]
    calls.clear()
    # two windows: one call per window, each for every ticker
    udfs.PCT_FROM_MA([[t] for t in tickers[:10]], [[20.0, 50.0]], DAY)
    assert calls == [10, 10]


def test_nan_free_results():
    """A lifted result holds numbers, text or blanks: never NaN (Excel would show #NUM!)."""
    got = udfs.REL_VOLUME([[str(t)] for t in market_mod.get_market().close.columns[:300]])
    for (cell,) in got:
        assert cell is None or isinstance(cell, str) or math.isfinite(cell)
