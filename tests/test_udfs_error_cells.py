"""An argument cell that shows an error is an error, not a blank (issue 10 section 2).

Excel hands a UDF an error cell as a COM ``VT_ERROR``; pywin32 gives Python its SCODE, an
int: ``0x800A0000`` + the error's number in Excel's ``XlCVError`` enumeration (Microsoft's
VBA reference: ``xlErrNull`` 2000, ``xlErrDiv0`` 2007, ``xlErrValue`` 2015, ``xlErrRef``
2023, ``xlErrName`` 2029, ``xlErrNum`` 2036, ``xlErrNA`` 2042, ``xlErrGettingData`` 2043,
``xlErrSpill`` 2045, ``xlErrCalc`` 2050), as a signed 32-bit number. The codes below are
that sum worked out by hand; xlwings' own table of the first seven
(``xlwings._xlwindows.cell_errors``) is checked against them. Every call goes through
``xlwings.udfs.call_udf``, which cleans arguments with the Windows engine's stage.
"""

from __future__ import annotations

import inspect

import pytest
import xlwings_com_stub as com

market_mod = pytest.importorskip("xlsrc.market")

import xlsrc.excel.udfs as udfs  # noqa: E402

MISSING = com.MISSING
DAY_SERIAL = 46044.0
BASE = 0x800A0000 - 2**32  # -2146828288
#: pywin32's value for each error cell (by hand: -2146828288 + the XlCVError number).
CODES = {
    -2146826288: "#NULL!",  # 2000
    -2146826281: "#DIV/0!",  # 2007
    -2146826273: "#VALUE!",  # 2015
    -2146826265: "#REF!",  # 2023
    -2146826259: "#NAME?",  # 2029
    -2146826252: "#NUM!",  # 2036
    -2146826246: "#N/A",  # 2042
    -2146826245: "#GETTING_DATA",  # 2043
    -2146826243: "#SPILL!",  # 2045
    -2146826238: "#CALC!",  # 2050
}
NA = -2146826246


@pytest.fixture(scope="session", autouse=True)
def store(bundled_store_path):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XLSRC_STORE", str(bundled_store_path))
        yield market_mod.get_market()


def excel(name, *args):
    out = com.call_udf(name, *args)
    return out[0][0] if len(out) == 1 and len(out[0]) == 1 else out


def test_the_codes_are_excels():
    from xlsrc.excel.args import CELL_ERRORS

    cell_errors = com.load().xlwindows.cell_errors
    numbers = [code - BASE for code in CODES]
    assert numbers == [2000, 2007, 2015, 2023, 2029, 2036, 2042, 2043, 2045, 2050]
    for code, text in cell_errors.items():  # xlwings' seven
        assert CODES[code] == text
    for code, text in CODES.items():
        assert CELL_ERRORS[code] == text


def test_without_err_to_str_xlwings_reads_an_error_cell_as_blank():
    """Why every argument declares err_to_str: xlwings' default read turns #N/A into None."""
    from xlwings import conversion

    com.load()
    assert conversion.read(None, NA, {}) is None
    assert conversion.read(None, NA, {"err_to_str": True}) == "#N/A"
    # the newer errors are not in xlwings' table: they stay codes either way
    assert conversion.read(None, -2146826243, {"err_to_str": True}) == -2146826243


def test_the_four_cases_of_the_issue():
    # YTD_RETURN("VICR", <#N/A>) returned the latest-date value (0.9278)
    assert excel("YTD_RETURN", "VICR", NA) == "#N/A as_of is an error cell (#N/A)"
    # RS_RATING(..., universe=<#N/A>) rated against the default universe
    assert (
        excel("RS_RATING", "VICR", NA, MISSING, DAY_SERIAL)
        == "#N/A universe is an error cell (#N/A)"
    )
    # PCT_FROM_MA(window=<#N/A>) used 20
    assert excel("PCT_FROM_MA", "VICR", NA, DAY_SERIAL) == "#N/A window is an error cell (#N/A)"
    # TECHNICALS dropped the row without a mark: now it keeps it, marked, in its place
    rows = excel("TECHNICALS", (("IWM",), (NA,), ("VICR",)), DAY_SERIAL)
    assert [r[0] for r in rows] == ["Ticker", "IWM", "#N/A", "VICR"]
    assert rows[2][1] == "#N/A tickers is an error cell (#N/A)"
    assert rows[2][2:] == [""] * (len(rows[0]) - 2)
    assert rows[1][1] == "iShares Russell 2000 ETF" and rows[3][1] == "Vicor Corp"


@pytest.mark.parametrize("code", sorted(CODES), ids=lambda c: CODES[c])
def test_every_error_is_named(code):
    assert excel("YTD_RETURN", "VICR", code) == f"#N/A as_of is an error cell ({CODES[code]})"
    assert excel("YTD_RETURN", code, MISSING) == f"#N/A ticker is an error cell ({CODES[code]})"


def test_an_error_code_excel_may_add_later_is_still_an_error():
    assert excel("RSI", "VICR", BASE + 2060, MISSING) == (
        "#N/A window is an error cell (#ERROR 2060)"
    )


def test_an_xlsrc_error_upstream_is_an_error_too():
    """A cell holding another xlsrc formula's "#N/A <reason>" text is not read as input."""
    upstream = excel("YTD_RETURN", "XYZQ", MISSING)
    assert upstream == "#N/A Unknown ticker: XYZQ"
    assert excel("RSI", "VICR", MISSING, upstream) == (
        "#N/A as_of is an error cell (#N/A Unknown ticker: XYZQ)"
    )


def test_error_cells_in_lifted_ranges_stay_in_their_cells():
    got = excel("YTD_RETURN", (("VICR",), (-2146826265,), ("ICHR",)), DAY_SERIAL)
    assert got[1] == ["#N/A ticker is an error cell (#REF!)"]
    assert isinstance(got[0][0], float) and isinstance(got[2][0], float)
    dates = excel("YTD_RETURN", "VICR", ((DAY_SERIAL,), (NA,), ("2026-01-01",)))
    assert dates[1] == ["#N/A as_of is an error cell (#N/A)"]
    assert dates[0][0] == excel("YTD_RETURN", "VICR", DAY_SERIAL) and dates[2] == [0.0]
    windows = excel("PCT_FROM_MA", (("VICR", "ICHR"),), ((20.0, -2146826243),), DAY_SERIAL)
    assert windows[0][1] == "#N/A window is an error cell (#SPILL!)"
    assert windows[0][0] == excel("PCT_FROM_MA", "VICR", 20.0, DAY_SERIAL)


def test_rrg_keeps_and_marks_the_row():
    rows = excel("RRG", (("XLK",), (-2146826259,), ("XLE",)), MISSING, DAY_SERIAL)
    assert [r[0] for r in rows] == ["Ticker", "XLK", "#NAME?", "XLE"]
    assert rows[2][1:] == ["#N/A tickers is an error cell (#NAME?)", "", ""]
    assert rows[1][3] in {"Leading", "Weakening", "Lagging", "Improving"}


def test_a_range_of_only_error_cells_still_checks_the_date():
    rows = excel("TECHNICALS", ((NA,),), "2019-01-02")
    assert rows == "#N/A No price on or before 2019-01-02 (the data start on 2024-01-02)"
    rows = excel("TECHNICALS", ((NA,), (NA,)), DAY_SERIAL)
    assert [r[:2] for r in rows[1:]] == [["#N/A", "#N/A tickers is an error cell (#N/A)"]] * 2


#: A valid value for each argument name (formulas another change adds may bring a name
#: this table lacks: it is then left out, MISSING, when another argument is tested).
VALID = {
    "ticker": "VICR",
    "tickers": "IWM, VICR",
    "universe": "sp600",
    "as_of": DAY_SERIAL,
    "window": 20.0,
    "period": "1M",
    "start_date": "2025-12-31",
    "end_date": DAY_SERIAL,
    "benchmark": "SPY",
    "small": "IWM",
    "large": "SPY",
    "n": 5.0,
    "sort_by": "ytd",
    "fields": "close",
}


def _cases():
    for func in udfs.UDFS:
        for param in inspect.signature(func).parameters:
            yield pytest.param(func.__name__, param, id=f"{func.__name__}-{param}")


@pytest.mark.parametrize(("name", "param"), list(_cases()))
def test_every_argument_of_every_formula_refuses_an_error_cell(name, param):
    """The kind, not the four examples: any argument, any formula, through call_udf."""
    params = list(inspect.signature(udfs.__dict__[name]).parameters)
    args = [NA if p == param else VALID.get(p, MISSING) for p in params]
    out = excel(name, *args)
    message = f"#N/A {param} is an error cell (#N/A)"
    if name in ("TECHNICALS", "RRG") and param == "tickers":
        assert [r[:2] for r in out[1:]] == [["#N/A", message]]  # a kept, marked row
    else:
        assert out == message, out
