"""CSV import: aliases, mapping, adjustment, line-numbered errors, nothing stored on error."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from yahoo_fake import make_store, recorded, stored, write_snapshot

from xlsrc.data.csv_columns import parse_mapping
from xlsrc.data.csv_import import import_csv, read_csv_bars
from xlsrc.data.yahoo import BAR_COLUMNS
from xlsrc.errors import CsvFormatError, DataSourceError, InvalidParameterError

pytest.importorskip("xlsrc.data.store", reason="xlsrc/data/store.py not committed yet")

SHARED = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "ohlcv" / "yahoo_format_2023-2026"
)


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def store(tmp_path):
    return make_store(tmp_path, recorded("batch"), "2026-01-15")


def test_yahoo_export_adjusts_with_adj_close_and_takes_the_ticker_from_the_name(tmp_path):
    if not (SHARED / "XLK.csv").exists():
        pytest.skip("shared data not available")
    path = tmp_path / "XLK.csv"
    shutil.copy(SHARED / "XLK.csv", path)
    read = read_csv_bars(path)
    raw = pd.read_csv(path)
    assert len(read.bars) == len(raw) and set(read.bars["ticker"]) == {"XLK"}
    ratio = raw["Adj Close"] / raw["Close"]
    assert read.bars["close"].tolist() == raw["Adj Close"].tolist()
    assert (read.bars["open"] - raw["Open"] * ratio).abs().max() == 0
    assert read.columns["adj_close"] == "Adj Close"


def test_aliases_thousands_separators_volume_suffix_and_us_dates(tmp_path):
    path = write(
        tmp_path,
        "export.csv",
        'Symbol,Date,Price,Open,High,Low,Vol.\nvicr,01/05/2026,"1,101.0",1000,1200,990,2K\nVICR,01/02/2026,"1,100.5",1000,1200,990,1.5M\n',
    )
    read = read_csv_bars(path)
    assert read.bars["ticker"].tolist() == ["VICR", "VICR"]
    assert read.bars["date"].tolist() == [pd.Timestamp("2026-01-02"), pd.Timestamp("2026-01-05")]
    assert read.bars["close"].tolist() == [1100.5, 1101.0]
    assert read.bars["volume"].tolist() == [1.5e6, 2e3]
    # 01/05 and 01/02 read day first are 1 May (a Friday) and 1 February (a Sunday):
    # only month first reads them as consecutive sessions (2 and 5 January 2026).
    assert (
        "dates read month first: only that order reads the dates as consecutive sessions"
        in read.notes
    )


def test_explicit_mapping_and_ticker_argument(tmp_path):
    path = write(
        tmp_path,
        "whatever name.csv",
        "When;Last;Shares\n2026-01-02;10.5;100\n2026-01-05;10.7;200\n",
    )
    read = read_csv_bars(path, ticker="brk.b", mapping=["When=date", "Last=close", "Shares=volume"])
    assert read.bars["ticker"].unique().tolist() == ["BRK-B"]
    assert read.bars["close"].tolist() == [10.5, 10.7]
    assert read.bars["open"].isna().all()  # close-only exports are allowed


def test_ticker_column_with_a_ticker_argument_keeps_that_ticker(tmp_path):
    path = write(
        tmp_path,
        "many.csv",
        "ticker,date,close\nAAA,2026-01-02,1\nBBB,2026-01-02,2\nAAA,2026-01-05,3\n",
    )
    assert read_csv_bars(path).bars["ticker"].tolist() == ["AAA", "AAA", "BBB"]
    assert read_csv_bars(path, ticker="BBB").bars["close"].tolist() == [2.0]


@pytest.mark.parametrize(
    ("body", "line", "problem"),
    [
        # the bar rules are the validation gate's (one rule set for every provider)
        (
            "2026-01-02,10,11,9,10.5,100\n2026-01-05,10,11,9,-3,100\n",
            3,
            "close on 2026-01-05 is -3 (must be a positive number)",
        ),
        (
            "2026-01-02,10,11,9,10.5,100\n2026-01-02,10,11,9,10.6,100\n",
            3,
            "2026-01-02 appears twice with different values (close 10.5 and 10.6)",
        ),
        (
            "2026-01-02,10,11,9,10.5,100\n2026-01-03,10,11,9,10.5,100\n",
            3,
            "2026-01-03 is a Saturday, not an NYSE session",
        ),
        (
            "2026-01-02,10,11,9,10.5,100\n2026-01-05,1050,1100,1000,1050,100\n",
            3,
            "close rises 9900.0% from 10.5 on 2026-01-02 to 1050 on 2026-01-05 (x100)",
        ),
        ("2026-01-02,10,11,9,10.5,100\n2026-13-45,10,11,9,10.5,100\n", 3, "is not a date"),
        ("2026-01-02,10,11,9,10.5,100\n2026-01-05,10,9,11,10.5,100\n", 3, "high 9 is below low 11"),
        ("2026-01-02,10,11,9,12,100\n", 2, "outside low"),
        ("2026-01-02,10,11,9,abc,100\n", 2, "Close 'abc' is not a number"),
        ("2026-01-02,10,11,9,10.5,-1\n", 2, "volume"),
        ("2026-01-02,10,11\n", 2, "fields"),
    ],
)
def test_bad_line_is_reported_with_file_and_line(tmp_path, store, body, line, problem):
    # ICHR: a ticker the store does not hold (its SPY closes stand near 680, and 10.5 next
    # to them is a one-session step of x1/64.8: refused first, see below)
    path = write(tmp_path, "ICHR.csv", "Date,Open,High,Low,Close,Volume\n" + body)
    before, version = stored(store), store.identity()[1]
    with pytest.raises(CsvFormatError) as info:
        import_csv(store, path)
    assert str(info.value).startswith(f"{path}, line {line}: ")
    assert problem in str(info.value)
    assert store.identity()[1] == version
    pd.testing.assert_frame_equal(stored(store), before)


def test_identical_repeated_lines_are_one_bar(tmp_path, store):
    path = write(tmp_path, "ICHR.csv", "Date,Close\n2026-01-02,10.5\n2026-01-02,10.5\n")
    summary = import_csv(store, path)
    assert summary.rows == 1
    bars = store.read_bars("ICHR", start="2026-01-02", end="2026-01-02")
    assert bars["close"].tolist() == [10.5]


def test_closes_on_another_scale_than_the_stored_ones_are_refused_at_the_junction(tmp_path, store):
    # the store's SPY closed at 680.062744 on 2025-12-31 (recorded Adj Close); a file of
    # SPY at 10.5 steps x0.01544 = 1/64.77 from it: between the 1/50 and 1/100 bands,
    # beyond 1/16.2, so a jump (before the extreme-step rule it was stored)
    path = write(tmp_path, "SPY.csv", "Date,Close\n2026-01-02,10.5\n2026-01-05,10.6\n")
    before, version = stored(store), store.identity()[1]
    with pytest.raises(CsvFormatError) as info:
        import_csv(store, path)
    assert str(info.value).startswith(
        f"{path}, line 2: SPY: close falls 98.5% from 680.063 on 2025-12-31 to 10.5 on "
        "2026-01-02 (x0.01544): a one-session step of x1/64.77, beyond x16.2 either way"
    )
    assert store.identity()[1] == version
    pd.testing.assert_frame_equal(stored(store), before)


def test_several_bad_lines_are_counted(tmp_path, store):
    # lines the reader cannot read ...
    path = write(tmp_path, "SPY.csv", "Date,Close\n2026-01-02,abc\n2026-01-05,x\n2026-01-06,?\n")
    with pytest.raises(CsvFormatError, match=r"line 2: .*\(and 2 more bad lines\)"):
        read_csv_bars(path)
    # ... and bars the gate refuses
    path = write(tmp_path, "ICHR.csv", "Date,Close\n2026-01-02,-1\n2026-01-05,5\n2026-01-06,0\n")
    with pytest.raises(
        CsvFormatError, match=r"line 2: ICHR: close on 2026-01-02 is -1 .*\(and 1 more problem;"
    ):
        import_csv(store, path)


def test_missing_columns_and_unmappable_file_names(tmp_path):
    with pytest.raises(CsvFormatError, match="line 1: no close column"):
        read_csv_bars(write(tmp_path, "SPY.csv", "Date,Open\n2026-01-02,1\n"))
    with pytest.raises(CsvFormatError, match="not a ticker"):
        read_csv_bars(write(tmp_path, "my prices (final).csv", "Date,Close\n2026-01-02,1\n"))
    with pytest.raises(CsvFormatError, match="mapped column"):
        read_csv_bars(
            write(tmp_path, "SPY.csv", "Date,Close\n2026-01-02,1\n"), mapping=["Px=close"]
        )
    with pytest.raises(InvalidParameterError):
        parse_mapping(["Px=price_field"])


def test_a_missing_file_says_cannot_read_without_a_line_number(tmp_path, store):
    missing = tmp_path / "nonexist.csv"
    version = store.identity()[1]
    with pytest.raises(CsvFormatError) as info:
        import_csv(store, missing)
    assert str(info.value) == f"Cannot read {missing}: No such file or directory"
    assert "line" not in str(info.value)
    assert isinstance(info.value, DataSourceError)
    assert store.identity()[1] == version
    with pytest.raises(CsvFormatError, match=r"^Cannot read .*: Is a directory$"):
        read_csv_bars(tmp_path)


def test_whole_file_problems_name_no_line(tmp_path):
    path = write(tmp_path, "my prices (final).csv", "Date,Close\n2026-01-02,1\n")
    with pytest.raises(CsvFormatError) as info:
        read_csv_bars(path)
    assert str(info.value).startswith(f"{path}: no ticker column") and "line" not in str(info.value)
    with pytest.raises(CsvFormatError) as info:
        read_csv_bars(write(tmp_path, "x.csv", "Date,Close\n2026-01-02,1\n"), ticker="A$B")
    assert "line 0" not in str(info.value)


def test_good_file_is_stored_in_one_write(tmp_path, store):
    path = write(
        tmp_path,
        "vicr.csv",
        "Date,Open,High,Low,Close,Volume\n2026-01-02,100,110,95,105,1000\n2026-01-05,105,112,104,111,2000\n",
    )
    version = store.identity()[1]
    summary = import_csv(store, path)
    assert store.identity()[1] == version + 1
    assert summary.rows == 2 and list(summary.tickers) == ["VICR"]
    got = store.read_bars("VICR")
    assert got["close"].tolist() == [105.0, 111.0] and set(got["source"]) == {"csv:vicr.csv"}
    assert str(summary).splitlines() == [
        "Imported 2 rows from vicr.csv: VICR 2 bars 2026-01-02..2026-01-05 (ticker VICR from the file name).",
        # this recorded store holds no VICR: a new security named by the file name is said
        "New security VICR: the store held no VICR, and its name comes from the file name "
        "'vicr.csv' (no ticker column, no --ticker). If that is not its ticker, import the "
        "file again with --ticker and the right one.",
    ]


def test_a_file_name_that_names_no_stored_ticker_is_said_to_make_a_new_one(tmp_path, store):
    """Review 3: ``export.csv`` became a security EXPORT without a word. A stored ticker
    named by its file (SPY.csv here) is the usual case and says nothing more."""
    text = "Date,Close\n2026-01-02,10.5\n2026-01-05,10.6\n"
    summary = import_csv(store, write(tmp_path, "export.csv", text))
    assert list(summary.tickers) == ["EXPORT"]
    assert (
        str(summary)
        .splitlines()[-1]
        .startswith(
            "New security EXPORT: the store held no EXPORT, and its name comes from the file "
            "name 'export.csv'"
        )
    )
    # with --ticker the name is the user's: nothing to say
    again = import_csv(store, write(tmp_path, "export2.csv", text), ticker="ZZNEW")
    assert not any(line.startswith("New security") for line in str(again).splitlines())


# =========================================================================== issue 9
# Every expected value below is read off the fixture files by hand (they are small);
# adjusted prices are written as the arithmetic on the file's own numbers.
FIXTURES = Path(__file__).parent / "fixtures" / "csv"
CASES = FIXTURES / "cases"  # copies of shared/cases/import
NOW = datetime(2026, 11, 30, 22, 0, tzinfo=UTC)  # after the close of 30 November 2026
D = pd.Timestamp


def days(*texts):
    return [D(t) for t in texts]


def read(name, **kwargs):
    kwargs.setdefault("now", NOW)
    return read_csv_bars(FIXTURES / name, **kwargs)


def read_text(text, name="X.csv", **kwargs):
    kwargs.setdefault("now", NOW)
    return read_csv_bars(name, text=text, **kwargs)


# --------------------------------------------------------------------------- shared cases
def test_case_yfinance_history_offsets_are_not_appended():
    got = read("cases/ICHR_from_yf_history_to_csv.csv", ticker="ICHR")
    bars = got.bars
    assert bars["ticker"].tolist() == ["ICHR"] * 3
    assert bars["date"].tolist() == days("2026-01-02", "2026-01-05", "2026-01-06")
    assert bars["open"].tolist() == [18.5, 19.3, 19.9]
    assert bars["close"].tolist() == [19.2, 19.9, 20.8]
    assert bars["volume"].tolist() == [900000.0, 1100000.0, 1300000.0]
    assert bars["line"].tolist() == [2, 3, 4]
    assert got.actions.empty  # Dividends and Stock Splits are all 0.0
    assert got.columns["splits"] == "Stock Splits"


def test_case_yfinance_import_keeps_the_calendar_and_gives_ichr_ytd(tmp_path):
    """Issue 9 item 1: ICHR's YTD as of 2026-01-06 is 20.8 / 18.43 - 1 = 0.1286."""
    from xlsrc.data import open_store
    from xlsrc.market import Market

    sessions = days("2025-12-30", "2025-12-31", "2026-01-02", "2026-01-05", "2026-01-06")
    spy = pd.DataFrame(
        {"ticker": "SPY", "date": sessions, "close": [680.0, 681.0, 682.0, 683.0, 684.0]}
    )
    ichr = pd.DataFrame({"ticker": "ICHR", "date": sessions[:2], "close": [18.6, 18.43]})
    seed = pd.concat([spy, ichr], ignore_index=True)
    for col in ("open", "high", "low"):
        seed[col] = seed["close"]
    seed["volume"] = 1000.0
    store = open_store(tmp_path / "s.sqlite", snapshot=write_snapshot(tmp_path / "snap", seed))
    spy_before = store.read_bars("SPY")
    summary = import_csv(store, CASES / "ICHR_from_yf_history_to_csv.csv", ticker="ICHR")
    assert summary.rows == 3
    market = Market(store)
    assert list(market.close.index) == sessions  # 5 dates, nothing appended
    assert market.metric("ICHR", "ret_ytd", "2026-01-06") == pytest.approx(20.8 / 18.43 - 1)
    assert round(20.8 / 18.43 - 1, 4) == 0.1286
    pd.testing.assert_frame_equal(store.read_bars("SPY"), spy_before)


def test_case_uk_day_first_dates_are_the_sessions_of_2_to_12_january():
    got = read("cases/ICHR_uk_ddmmyyyy.csv", ticker="ICHR")
    assert got.bars["date"].tolist() == days(
        "2026-01-02", "2026-01-05", "2026-01-06", "2026-01-07", "2026-01-08", "2026-01-09",
        "2026-01-12",
    )  # fmt: skip
    assert got.bars["close"].tolist() == [19.2, 19.9, 20.8, 21.1, 22.6, 23.2, 24.5]
    assert "dates read day first: only that order reads the dates as consecutive sessions" in (
        got.notes
    )


def test_case_eu_semicolon_decimal_comma():
    got = read("cases/VICR_eu_semicolon_decimal_comma.csv", ticker="VICR")
    assert got.bars["close"].tolist() == [111.95, 117.30, 120.85]
    assert got.bars["open"].tolist() == [110.20, 112.00, 117.10]
    assert got.bars["volume"].tolist() == [512300.0, 780100.0, 655000.0]
    assert got.bars["date"].tolist() == days("2026-01-02", "2026-01-05", "2026-01-06")
    assert "decimal comma" in got.notes
    # told the wrong mark, the file is refused, never 11195
    with pytest.raises(CsvFormatError, match=r"line 2: Open '110,20' is not a number"):
        read("cases/VICR_eu_semicolon_decimal_comma.csv", ticker="VICR", decimal=".")


# --------------------------------------------------------------------------- vendor layouts
def test_yfinance_history_across_daylight_saving_time_keeps_dividends():
    # 2025-03-09: New York moved from -05:00 to -04:00; each midnight is its own date
    got = read("SPY_yf_history_dst.csv", ticker="SPY")
    assert got.bars["date"].tolist() == days("2025-03-06", "2025-03-07", "2025-03-10", "2025-03-21")
    assert got.bars["close"].tolist() == [568.1, 570.4, 557.2, 563.9]
    assert got.actions.to_dict("list") == {
        "ticker": ["SPY"],
        "date": days("2025-03-21"),
        "line": [5],
        "dividends": [1.696],
        "splits": [0.0],
    }


@pytest.mark.parametrize(
    ("stamps", "expected"),
    [
        # yfinance history after tz_convert("UTC"): New York midnight is 05:00 UTC
        (["2026-01-02 05:00:00+00:00", "2026-01-05 05:00:00+00:00"], 2),
        # bars stamped at the close in UTC (16:00 New York = 21:00Z)
        (["2026-01-02T21:00:00Z", "2026-01-05T21:00:00Z"], 2),
        # UTC-midnight labels (many APIs): a label, not 19:00 the day before
        (["2026-01-02T00:00:00Z", "2026-01-05T00:00:00.000Z"], 0),
    ],
)
def test_other_timestamp_styles(stamps, expected):
    text = "Date,Close\n" + "".join(f"{s},{c}\n" for s, c in zip(stamps, (10.5, 11.0), strict=True))
    got = read_text(text, ticker="ICHR")
    assert got.bars["date"].tolist() == days("2026-01-02", "2026-01-05")
    assert got.bars["close"].tolist() == [10.5, 11.0]
    converted = [n for n in got.notes if "converted" in n]
    assert converted == ([f"{expected} timestamps converted to New York dates"] if expected else [])


def test_yahoo_web_download_is_adjusted_with_adj_close():
    got = read("VICR_yahoo_download.csv", ticker="VICR")
    bars = got.bars
    assert bars["close"].tolist() == [111.00, 116.30, 119.85]  # Adj Close
    expected_open = [110.00 * 111.00 / 111.95, 112.00 * 116.30 / 117.30, 117.10 * 119.85 / 120.85]
    expected_low = [109.00 * 111.00 / 111.95, 111.50 * 116.30 / 117.30, 116.40 * 119.85 / 120.85]
    assert bars["open"].tolist() == pytest.approx(expected_open, rel=1e-15)
    assert bars["low"].tolist() == pytest.approx(expected_low, rel=1e-15)
    assert "prices adjusted with Adj Close" in got.notes


def test_stooq_file_name_gives_the_us_ticker():
    got = read("ichr.us.txt")
    assert got.bars["ticker"].unique().tolist() == ["ICHR"]
    assert got.bars["close"].tolist() == [19.2, 19.9, 20.8]
    assert "ticker ICHR from the file name" in got.notes


def test_investing_com_newest_first_month_names_and_volume_suffixes():
    with pytest.raises(CsvFormatError, match="file name 'VICR Historical Data' is not a ticker"):
        read("VICR Historical Data.csv")
    got = read("VICR Historical Data.csv", ticker="VICR")
    bars = got.bars
    assert bars["date"].tolist() == days("2026-01-02", "2026-01-05", "2026-01-06")
    assert bars["close"].tolist() == [111.95, 117.30, 120.85]  # the "Price" column
    assert bars["volume"].tolist() == [1230000.0, 780100.0, 655000.0]  # 1.23M, 780.10K, 655.00K
    assert bars["line"].tolist() == [4, 3, 2]
    assert "rows newest first" in got.notes
    assert "Change %" not in got.columns.values()


def test_german_broker_export_bom_crlf_decimal_comma_dotted_dates():
    got = read("ICHR_broker_de.csv", ticker="ICHR")
    bars = got.bars
    assert bars["date"].tolist() == days("2026-01-08", "2026-01-09", "2026-01-12", "2026-01-13")
    assert bars["close"].tolist() == [22.6, 23.2, 24.5, 24.9]
    assert bars["open"].tolist() == [21.2, 22.5, 23.3, 24.6]
    assert bars["volume"].tolist() == [1500000.0, 1400000.0, 1700000.0, 1650000.0]
    assert bars["line"].tolist() == [5, 4, 3, 2]
    assert got.columns == {
        "date": "Datum",
        "open": "Eröffnung",
        "high": "Hoch",
        "low": "Tief",
        "close": "Schluss",
        "volume": "Volumen",
    }
    assert "decimal comma" in got.notes
    assert "dates read day first (13.01.2026 has a day above 12)" in got.notes


def test_french_broker_export_cp1252_space_thousands_and_sessions_settle_the_order():
    got = read("VICR_broker_fr.csv", ticker="VICR")
    bars = got.bars
    assert bars["date"].tolist() == days("2026-01-02", "2026-01-05", "2026-01-06", "2026-01-07")
    assert bars["close"].tolist() == [111.95, 117.30, 120.85, 122.40]
    assert bars["volume"].tolist() == [512300.0, 780100.0, 655000.0, 1020000.0]
    assert got.columns["close"] == "Clôture"


def test_bloomberg_export_security_in_the_preamble():
    got = read("bloomberg_ICHR.csv")
    bars = got.bars
    assert bars["ticker"].unique().tolist() == ["ICHR"]
    assert bars["date"].tolist() == days("2026-01-09", "2026-01-12", "2026-01-13")
    assert bars["close"].tolist() == [23.2, 24.5, 24.9]
    assert bars["line"].tolist() == [4, 5, 6]
    assert "ticker ICHR from the file's preamble" in got.notes
    assert got.columns["close"] == "PX_LAST"


def test_long_file_with_vendor_symbols():
    got = read("long_stooq_symbols.csv")
    bars = got.bars
    assert bars["ticker"].tolist() == ["BRK-B", "BRK-B", "ICHR", "ICHR", "VICR", "VICR"]
    assert bars["close"].tolist() == [498.55, 501.20, 19.9, 20.8, 117.30, 120.85]
    assert bars["line"].tolist() == [4, 7, 2, 5, 3, 6]
    only = read("long_stooq_symbols.csv", ticker="VICR.US").bars
    assert only["ticker"].tolist() == ["VICR", "VICR"] and only["line"].tolist() == [3, 6]


def test_stooq_and_metastock_ascii():
    got = read("stooq_ascii.txt").bars
    assert got["ticker"].tolist() == ["ICHR", "ICHR", "VICR"]
    assert got["date"].tolist() == days("2026-01-02", "2026-01-05", "2026-01-02")
    assert got["close"].tolist() == [19.2, 19.9, 111.95]
    assert got["volume"].tolist() == [900000.0, 1100000.0, 512300.0]
    got = read("metastock_ICHR.txt").bars
    assert got["ticker"].tolist() == ["ICHR", "ICHR"]
    assert got["date"].tolist() == days("2026-01-02", "2026-01-05")


# --------------------------------------------------------------------------- symbols
def test_a_non_us_symbol_is_refused_up_front(tmp_path):
    path = write(tmp_path, "EZJ.L.csv", "Date,Close\n2026-01-02,5.1\n")
    with pytest.raises(CsvFormatError) as info:
        read_csv_bars(path, now=NOW)
    assert str(info.value).startswith(
        f"{path}: EZJ.L is listed on the London Stock Exchange (Yahoo suffix .L)"
    )
    with pytest.raises(CsvFormatError, match=r"SHOP\.TO is listed on the Toronto Stock Exchange"):
        read_text("Date,Close\n2026-01-02,5.1\n", ticker="shop.to")
    with pytest.raises(CsvFormatError, match=r"line 3: 7203\.T is listed on the Tokyo"):
        read_text("Symbol,Date,Close\nICHR,2026-01-02,5.1\n7203.T,2026-01-02,2500\n")


def test_the_ticker_argument_wins_for_a_one_symbol_file():
    text = "Security,Date,Close\nICHR US Equity,2026-01-02,19.2\nICHR US Equity,2026-01-05,19.9\n"
    got = read_text(text, ticker="ICHR")
    assert got.bars["ticker"].tolist() == ["ICHR", "ICHR"]
    assert "ticker ICHR as given (the file says ICHR US Equity)" in got.notes
    assert read_text(text).bars["ticker"].tolist() == ["ICHR", "ICHR"]
    # the file's symbol need not even be a ticker when the argument is given
    got = read_text("Symbol,Date,Close\nIchor Holdings,2026-01-02,19.2\n", ticker="ICHR")
    assert got.bars["ticker"].tolist() == ["ICHR"]


# Review 2, item 1: --ticker must not store another security's rows under its name.
def test_a_ticker_argument_the_symbol_column_contradicts_is_refused():
    text = "Symbol,Date,Close\nUCTT,2026-01-21,47.2\nUCTT,2026-01-22,44.14\n"
    with pytest.raises(CsvFormatError) as info:
        read_text(text, name="UCTT_rows.csv", ticker="ICHR")
    assert str(info.value) == (
        "UCTT_rows.csv: --ticker ICHR contradicts the file: its Symbol column names 'UCTT' "
        "(UCTT), so these are UCTT's prices, not ICHR's. Import without --ticker to store "
        "them as UCTT; if the file's symbol is wrong, fix it in the file or leave the column "
        "unread with --map Symbol=ignore"
    )
    # the way on the message names: the column left unread, the argument then names the rows
    got = read_text(text, ticker="ICHR", mapping=["Symbol=ignore"])
    assert got.bars["ticker"].tolist() == ["ICHR", "ICHR"]
    assert got.bars["close"].tolist() == [47.2, 44.14]


@pytest.mark.parametrize("cell", ["ICHR.US", "NASDAQ:ICHR", "ICHR UW Equity", "ichr", "ICHR US"])
def test_vendor_notations_of_the_given_ticker_agree_with_it(cell):
    got = read_text(f"Ticker,Date,Close\n{cell},2026-01-02,19.2\n", ticker="ICHR")
    assert got.bars["ticker"].tolist() == ["ICHR"]


@pytest.mark.parametrize(
    ("cell", "symbol"),
    [("EZJ.L", "EZJ.L"), ("BRK.A", "BRK-A"), ("NYSE:UCTT", "UCTT"), ("UCTT US Equity", "UCTT")],
)
def test_another_security_in_the_symbol_column_is_refused_in_any_notation(cell, symbol):
    # EZJ.L is easyJet in London, not a US EZJ; BRK.A is another class than BRK-B
    given = {"EZJ.L": "EZJ", "BRK.A": "BRK-B"}.get(cell, "ICHR")
    with pytest.raises(CsvFormatError, match=rf"names '{re.escape(cell)}' \({re.escape(symbol)}\)"):
        read_text(f"Ticker,Date,Close\n{cell},2026-01-02,19.2\n", ticker=given)


def test_a_preamble_security_contradicting_the_ticker_argument_is_refused():
    text = "Security,UCTT US Equity\n\nDate,Close\n2026-01-21,47.2\n"
    with pytest.raises(CsvFormatError, match="its preamble names 'UCTT US Equity' \\(UCTT\\)"):
        read_text(text, ticker="ICHR")
    assert read_text(text, ticker="UCTT").bars["ticker"].tolist() == ["UCTT"]
    # a file name is no evidence: UCTT.csv imported as ICHR is the user's word
    assert read_text("Date,Close\n2026-01-21,47.2\n", name="UCTT.csv", ticker="ICHR").bars[
        "ticker"
    ].tolist() == ["ICHR"]


# --------------------------------------------------------------------------- numbers
@pytest.mark.parametrize(
    ("text", "close"),
    [
        ('Date,Close\n2026-01-02,"1,234.56"\n', 1234.56),
        ("Date;Close\n2026-01-02;1.234,56\n", 1234.56),
        ("Date;Close\n2026-01-02;1 234,56\n", 1234.56),
        ("Date;Close\n2026-01-02;1\u00a0234,56\n", 1234.56),
        ("Date,Close\n2026-01-02,1'234.56\n", 1234.56),
        ("Date;Close\n2026-01-02;1'234,56\n", 1234.56),
        ('Date,Close\n2026-01-02,"$1,234.56"\n', 1234.56),
        ("Date;Close\n2026-01-02;€ 111,95\n", 111.95),
        ("Date,Close\n2026-01-02,111.95 USD\n", 111.95),
        ("Date,Close\n2026-01-02,0.123\n", 0.123),  # 0-led: cannot be 123
        ("Date;Close\n2026-01-02;0,123\n", 0.123),
        ("Date,Close\n2026-01-02,1234.567\n", 1234.567),  # 4 digits before: not grouping
        ('Date,Close\n2026-01-02,"1,234,567"\n', 1234567.0),  # two commas: grouping
        ('Date,Close,Volume\n2026-01-02,"1,234",1.5\n', 1234.0),  # 1.5 settles the point
        ('Date;Close;Volume\n2026-01-02;1.234;"1,5K"\n', 1234.0),  # 1,5K settles the comma
        ("Date,Close\n2026-01-02,1234\n", 1234.0),
    ],
)
def test_numbers_in_the_files_locale(text, close):
    assert read_text(text, ticker="ICHR").bars["close"].tolist() == [close]


@pytest.mark.parametrize(
    ("cell", "volume"),
    [
        ("1.23M", 1230000.0),
        ("450K", 450000.0),
        ("2.1B", 2100000000.0),
        ("655.00K", 655000.0),
        ("1.2e+07", 12000000.0),
        ('"1,234,567"', 1234567.0),
        ("-", None),
        ("N/A", None),
    ],
)
def test_volumes(cell, volume):
    got = read_text(f"Date,Close,Volume\n2026-01-02,12.50,{cell}\n", ticker="ICHR")
    value = got.bars["volume"].iloc[0]
    assert pd.isna(value) if volume is None else value == volume


def test_an_undecidable_decimal_mark_is_refused_with_the_line():
    text = 'Date,Close\n2026-01-02,"1,234"\n2026-01-05,"1,240"\n'
    with pytest.raises(CsvFormatError) as info:
        read_text(text, ticker="ICHR")
    assert str(info.value) == (
        "X.csv, line 2: Close '1,234' could be 1.234 or 1234, and no other number in the "
        "file settles the decimal mark; give --decimal . or --decimal ,"
    )
    assert read_text(text, ticker="ICHR", decimal=",").bars["close"].tolist() == [1.234, 1.24]
    assert read_text(text, ticker="ICHR", decimal=".").bars["close"].tolist() == [1234.0, 1240.0]


def test_two_decimal_marks_in_one_file_are_refused():
    with pytest.raises(CsvFormatError) as info:
        read_text(
            "Date;Open;Close\n2026-01-02;110.20;110.50\n2026-01-05;111,95;112,00\n", ticker="X"
        )
    assert str(info.value) == (
        "X.csv, line 3: Open '111,95' has a decimal comma but Open '110.20' on line 2 a "
        "decimal point: one file, one decimal mark; give --decimal . or --decimal ,"
    )


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        (
            '2026-01-02,12.5,"1,23,456"',
            "Volume '1,23,456' is not a number (the file's decimal mark is a point)",
        ),
        ("2026-01-02,12K,100", "Close '12K' is not a number"),  # suffixes are for volumes
        ("2026-01-02,12.5%,100", "Close '12.5%' is not a number"),
        (
            "2026-01-02,1.2.3,100",
            "Close '1.2.3' is not a number (the file's decimal mark is a point)",
        ),
    ],
)
def test_malformed_numbers_name_their_line(row, problem):
    with pytest.raises(CsvFormatError) as info:
        read_text(
            f"Date,Close,Volume\n2026-01-02,10.25,5\n{row.replace('01-02', '01-05')}\n", ticker="X"
        )
    assert str(info.value) == f"X.csv, line 3: {problem}"


# --------------------------------------------------------------------------- layout
def test_excel_sep_line_utf16_and_a_wide_export(tmp_path):
    got = read_text("sep=;\nDate;Close\n2026-01-02;1,5\n", ticker="X")
    assert got.bars["close"].tolist() == [1.5] and got.bars["line"].tolist() == [3]
    raw = "Date\tClose\r\n2026-01-02\t12.5\r\n".encode("utf-16")  # Excel's "Unicode text"
    path = tmp_path / "ICHR.txt"
    path.write_bytes(raw)
    got = read_csv_bars(path, now=NOW)
    assert got.bars["close"].tolist() == [12.5] and got.bars["ticker"].tolist() == ["ICHR"]
    with pytest.raises(CsvFormatError, match="line 1: the header has 2 'Date' columns"):
        read_text("Date,PX_LAST,Date,PX_LAST\n2026-01-02,1,2026-01-02,2\n", ticker="X")


def test_dates_the_file_does_not_settle_are_refused_naming_the_option():
    text = "Date,Close\n02/01/2026,1\n06/01/2026,2\n"  # 2 and 6 January miss the 5th
    with pytest.raises(CsvFormatError) as info:
        read_text(text, ticker="X")
    assert str(info.value).startswith("X.csv, line 2: day/month order unknown: '02/01/2026'")
    assert str(info.value).endswith(
        "give --date-format %d/%m/%Y (day first) or %m/%d/%Y (month first)"
    )
    assert read_text(text, ticker="X", date_format="dmy").bars["date"].tolist() == days(
        "2026-01-02", "2026-01-06"
    )
    assert read_text(text, ticker="X", date_format="DD/MM/YYYY").bars["date"].tolist() == days(
        "2026-01-02", "2026-01-06"
    )
    with pytest.raises(CsvFormatError, match="line 4: date '01/13/2026' and '13/01/2026'"):
        read_text("Date,Close\n13/01/2026,1\n02/01/2026,1\n01/13/2026,1\n", ticker="X")
    with pytest.raises(CsvFormatError, match=r"line 3: date '2026-13-02' is not a date"):
        read_text("Date,Close\n2026-01-02,1\n2026-13-02,1\n", ticker="X")


def test_days_without_a_session_are_left_for_the_gate():
    # 3 January 2026 is a Saturday: kept with its line (the validation gate refuses it)
    got = read_text("Date,Close\n2026-01-02,1\n2026-01-03,2\n", ticker="X")
    assert got.bars["date"].tolist() == days("2026-01-02", "2026-01-03")
    assert got.bars["line"].tolist() == [2, 3]
    assert got.bars["line"].dtype == "int64" and got.bars["close"].dtype == "float64"
    assert list(got.bars.columns) == [*BAR_COLUMNS, "line"]


# --------------------------------------------------------------------------- command line
def test_cli_import_csv_options_and_errors(tmp_path, store, capsys):
    from xlsrc import cli

    path = str(CASES / "VICR_eu_semicolon_decimal_comma.csv")
    # the file's closes are not the stored ones of those 3 days: on so short an overlap they
    # are taken as corrections only when asked (review 2, item 3)
    status = cli.main(["import-csv", path, "--ticker", "VICR", "--store", store.location])
    _, err = capsys.readouterr()
    assert status == 1 and "import with --overwrite" in err
    status = cli.main(
        ["import-csv", path, "--ticker", "VICR", "--overwrite", "--store", store.location]
    )
    out, err = capsys.readouterr()
    assert status == 0 and err == ""
    assert out.startswith("Imported 3 rows from VICR_eu_semicolon_decimal_comma.csv: VICR 3 bars")
    assert store.read_bars("VICR")["close"].tolist() == [111.95, 117.30, 120.85]

    status = cli.main(
        ["import-csv", path, "--ticker", "VICR", "--decimal", ".", "--store", store.location]
    )
    _, err = capsys.readouterr()
    assert status == 1 and err.count("\n") == 1
    assert err.startswith(f"xlsrc: error: {path}, line 2: Open '110,20' is not a number")

    uk = str(CASES / "ICHR_uk_ddmmyyyy.csv")
    status = cli.main(["import-csv", uk, "--ticker", "EZJ.L", "--store", store.location])
    _, err = capsys.readouterr()
    assert status == 1 and err.count("\n") == 1 and "London Stock Exchange" in err


def test_cli_as_of_through_the_same_date_rule(store, capsys):
    from xlsrc import cli

    status = cli.main(["quote", "SPY", "--as-of", "14/01/2026", "--store", store.location])
    out, _ = capsys.readouterr()
    assert status == 0 and out.splitlines()[0] == "As of 2026-01-14"
    status = cli.main(["quote", "SPY", "--as-of", "Jan 14, 2026", "--store", store.location])
    out, _ = capsys.readouterr()
    assert status == 0 and out.splitlines()[0] == "As of 2026-01-14"
    status = cli.main(["quote", "SPY", "--as-of", "03/02/2026", "--store", store.location])
    out, err = capsys.readouterr()
    assert status == 1 and out == ""
    assert err == (
        "xlsrc: error: Invalid --as-of: '03/02/2026' is ambiguous: 3 February 2026 (day "
        "first) or 2 March 2026 (month first); write 2026-02-03 or 2026-03-02\n"
    )
    status = cli.main(["quote", "SPY", "--as-of", "someday", "--store", store.location])
    _, err = capsys.readouterr()
    assert status == 1 and err.startswith("xlsrc: error: Invalid --as-of: 'someday' is not a date")


# --------------------------------------------------------------------------- property
# Files generated from known truth: random sessions written in random date styles and
# orders, separators, decimal marks, thousands separators, quoting, BOM/CRLF, volume
# suffixes, duplicates. The parser must refuse (a CsvFormatError naming a line) or return
# exactly the truth.
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DATE_STYLES = ("iso", "yf", "utc", "close_z", "named", "compact", "dmy", "mdy")
_UNAMBIGUOUS = frozenset({"iso", "yf", "utc", "close_z", "named", "compact"})
_HEADERS = (
    ("Date", "Open", "High", "Low", "Close", "Volume"),
    ("Datum", "Eröffnung", "Hoch", "Tief", "Schluss", "Volumen"),
    ("<DATE>", "<OPEN>", "<HIGH>", "<LOW>", "<CLOSE>", "<VOL>"),
)


@pytest.fixture(scope="module")
def sessions():
    from xlsrc.data.calendar import get_calendar

    return get_calendar().sessions_in_range("2024-01-02", "2026-11-27")


def _write_date(day: pd.Timestamp, style: str, sep: str) -> str:
    ny = day.tz_localize("America/New_York")
    if style == "iso":
        return f"{day:%Y-%m-%d}"
    if style == "yf":  # New York midnight with the offset of that day (DST included)
        offset = ny.strftime("%z")
        return f"{day:%Y-%m-%d} 00:00:00{offset[:3]}:{offset[3:]}"
    if style == "utc":  # the same instant in UTC (05:00 or 04:00)
        return ny.tz_convert("UTC").strftime("%Y-%m-%d %H:%M:%S+00:00")
    if style == "close_z":  # the 16:00 close in UTC
        return (ny + pd.Timedelta(hours=16)).tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ")
    if style == "named":
        return f"{_MONTHS[day.month - 1]} {day.day:02d}, {day.year}"
    if style == "compact":
        return f"{day:%Y%m%d}"
    first, second = (day.day, day.month) if style == "dmy" else (day.month, day.day)
    return f"{first:02d}{sep}{second:02d}{sep}{day.year}"


def _write_number(units: int, decimals: int, mark: str, thousands: str) -> str:
    whole, frac = divmod(units, 10**decimals)
    digits = str(whole)
    if thousands:
        groups = []
        while len(digits) > 3:
            digits, tail = digits[:-3], digits[-3:]
            groups.insert(0, tail)
        digits = thousands.join([digits, *groups])
    return digits + (f"{mark}{frac:0{decimals}d}" if decimals else "")


@st.composite
def generated_files(draw, sessions):
    n = draw(st.integers(1, 10))
    start = draw(st.integers(0, len(sessions) - 3 * n - 1))
    if draw(st.booleans()):
        picked = list(range(start, start + n))
    else:
        picked = sorted(draw(st.sets(st.integers(start, start + 3 * n), min_size=n, max_size=n)))
    truth_days = [pd.Timestamp(sessions[i]) for i in picked]
    decimals = draw(st.sampled_from((2, 2, 2, 3, 4)))
    rows = []
    for day in truth_days:
        low, a, b, high = sorted(
            draw(st.lists(st.integers(1, 9000 * 10**decimals), min_size=4, max_size=4))
        )
        opening, closing = (a, b) if draw(st.booleans()) else (b, a)
        suffix = draw(st.sampled_from(("", "", "K", "M", "B")))
        if suffix:
            hundredths = draw(st.integers(1, 99999))
            volume = hundredths * 10 ** {"K": 3, "M": 6, "B": 9}[suffix] // 100
        else:
            hundredths, volume = 0, draw(st.integers(0, 5 * 10**9))
        rows.append((day, [opening, high, low, closing], volume, hundredths, suffix))

    style = draw(st.sampled_from(_DATE_STYLES))
    date_sep = draw(st.sampled_from(("/", ".", "-")))
    sep = draw(st.sampled_from((",", ";", "\t", "|")))
    mark = draw(st.sampled_from((".", ",")))
    thousands = draw(st.sampled_from(("", "", " ", "'", "," if mark == "." else ".")))
    header = draw(st.sampled_from(_HEADERS))
    quote_all = draw(st.booleans())
    if sep in (mark, thousands) or (sep == "," and style == "named"):
        quote_all = True
    order = draw(st.sampled_from(("ascending", "descending", "shuffled")))
    if order == "descending":
        rows.reverse()
    elif order == "shuffled":
        rows = draw(st.permutations(rows))
    duplicate = draw(st.integers(0, 9)) == 0
    if duplicate:
        rows.append(rows[draw(st.integers(0, len(rows) - 1))])

    def cell(text):
        return f'"{text}"' if quote_all else text

    lines = [sep.join(cell(h) for h in header)]
    for day, prices, volume, hundredths, suffix in rows:
        cells = [_write_date(day, style, date_sep)]
        cells += [_write_number(p, decimals, mark, thousands) for p in prices]
        if suffix:
            cells.append(_write_number(hundredths, 2, mark, thousands) + suffix)
        else:
            cells.append(_write_number(volume, 0, mark, thousands))
        lines.append(sep.join(cell(c) for c in cells))
    newline = "\r\n" if draw(st.booleans()) else "\n"
    text = ("\ufeff" if draw(st.booleans()) else "") + newline.join(lines) + newline
    truth = pd.DataFrame(
        {
            "date": [r[0] for r in rows],
            "open": [r[1][0] / 10**decimals for r in rows],
            "high": [r[1][1] / 10**decimals for r in rows],
            "low": [r[1][2] / 10**decimals for r in rows],
            "close": [r[1][3] / 10**decimals for r in rows],
            "volume": [float(r[2]) for r in rows],
            "line": list(range(2, len(rows) + 2)),
        }
    )
    # Settings in which the file must be read (nothing in it is ambiguous): a date style
    # without a day/month question or with a day above 12, and prices with two decimals
    # (every price then proves the decimal mark), and no duplicate day.
    must_read = (
        (style in _UNAMBIGUOUS or any(d.day > 12 for d in truth_days))
        and decimals == 2
        and not duplicate
    )
    return text, truth, must_read


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_generated_files_are_refused_by_line_or_read_exactly(sessions, data):
    text, truth, must_read = data.draw(generated_files(sessions))
    try:
        got = read_csv_bars("GEN.csv", text=text, ticker="ICHR", now=NOW)
    except CsvFormatError as exc:
        line = exc.fields["line"]
        assert isinstance(line, int) and 1 <= line <= len(truth) + 1, str(exc)
        assert str(exc).startswith(f"GEN.csv, line {line}: ")
        assert not must_read, f"refused a file that settles everything: {exc}\n{text}"
        event("refused")
        return
    event("read")
    expected = truth.sort_values("date", kind="stable").reset_index(drop=True)
    bars = got.bars.reset_index(drop=True)
    assert bars["ticker"].eq("ICHR").all()
    assert bars["date"].tolist() == expected["date"].tolist(), text
    for column in ("open", "high", "low", "close", "volume", "line"):
        assert bars[column].tolist() == expected[column].tolist(), (column, text)


def test_nasdaq_com_download_close_last_dollars_newest_first():
    """nasdaq.com's historical-quotes file: ``Close/Last``, ``$`` prices, US dates, newest first."""
    got = read("HistoricalData_AAPL_nasdaq.csv", ticker="AAPL")
    bars = got.bars
    assert bars["date"].tolist() == days("2026-01-13", "2026-01-14", "2026-01-15")
    assert bars["close"].tolist() == [260.57, 259.48, 257.73]  # the "Close/Last" column
    assert bars["open"].tolist() == [258.24, 259.01, 260.17]
    assert bars["volume"].tolist() == [45730800.0, 40019400.0, 39388600.0]
    assert got.columns["close"] == "Close/Last"
    assert bars["line"].tolist() == [4, 3, 2]
    assert "rows newest first" in got.notes


def test_investing_com_in_spanish_decimal_comma_and_suffixed_volumes():
    """Investing.com's Spanish export: Fecha/Último/Apertura/Máximo/Mínimo, ``48,31M``."""
    got = read("AAPL Datos históricos.csv", ticker="AAPL")
    bars = got.bars
    assert bars["date"].tolist() == days("2026-01-13", "2026-01-14", "2026-01-15")
    assert bars["close"].tolist() == [260.57, 259.48, 257.73]  # "Último" = last
    assert bars["high"].tolist() == [261.32, 261.33, 260.56]  # "Máximo"
    assert bars["low"].tolist() == [257.91, 256.23, 256.57]  # "Mínimo"
    assert bars["volume"].tolist() == [45730000.0, 40020000.0, 39390000.0]  # 45,73M ...
    assert got.columns["date"] == "Fecha"
    assert "% var." not in got.columns.values()


@pytest.mark.parametrize(
    ("header", "close"),
    [
        ("Datum,Zuletzt", "Zuletzt"),  # Investing.com, German
        ("Date,Dernier", "Dernier"),  # Investing.com / Boursorama, French
        ("Data,Ultimo", "Ultimo"),  # Investing.com, Italian
        ("Data,Chiusura", "Chiusura"),  # Borsa Italiana
        ("Fecha,Cierre", "Cierre"),  # Spanish brokers
        ("Data,Fechamento", "Fechamento"),  # Portuguese (B3 brokers)
    ],
)
def test_the_close_column_in_other_languages(header, close):
    got = read_text(f"{header}\n2026-01-05,266.76\n2026-01-06,261.87\n", ticker="AAPL")
    assert got.bars["close"].tolist() == [266.76, 261.87]
    assert got.columns["close"] == close


# --------------------------------------------------------------------------- review 2, item 11
def test_a_gzip_file_is_read_through_and_named_without_its_extensions(tmp_path):
    import gzip

    path = tmp_path / "XLE.csv.gz"
    path.write_bytes(gzip.compress(b"date,close\n2026-02-13,53.6106\n"))
    got = read_csv_bars(path, now=NOW)
    assert got.bars["ticker"].tolist() == ["XLE"] and got.bars["close"].tolist() == [53.6106]
    assert "ticker XLE from the file name" in got.notes
    broken = tmp_path / "ICHR.csv.gz"
    broken.write_bytes(gzip.compress(b"date,close\n2026-02-13,1\n")[:-6])
    with pytest.raises(
        CsvFormatError, match=r"^.*ICHR\.csv\.gz: a gzip file that cannot be unzipped"
    ):
        read_csv_bars(broken, now=NOW)


def test_an_excel_workbook_or_archive_is_named_not_read_as_text(tmp_path):
    import zipfile

    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["Date", "Close"])
    book.active.append(["2026-01-02", 19.2])
    xlsx = tmp_path / "ICHR.xlsx"
    book.save(xlsx)
    with pytest.raises(CsvFormatError) as info:
        read_csv_bars(xlsx, now=NOW)
    assert str(info.value) == (
        f"{xlsx}: an Excel workbook (.xlsx), not a CSV file: save it as CSV from Excel"
    )
    xls = tmp_path / "ICHR.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    with pytest.raises(CsvFormatError, match=r"an Excel 97-2003 workbook \(\.xls\), not a CSV"):
        read_csv_bars(xls, now=NOW)
    archive = tmp_path / "ICHR.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("ICHR.csv", "Date,Close\n2026-01-02,19.2\n")
    with pytest.raises(CsvFormatError, match="a zip archive, not a CSV file: unzip it"):
        read_csv_bars(archive, now=NOW)
    # a workbook inside gzip is still a workbook
    import gzip

    wrapped = tmp_path / "ICHR.xlsx.gz"
    wrapped.write_bytes(gzip.compress(xlsx.read_bytes()))
    with pytest.raises(CsvFormatError, match=r"an Excel workbook \(\.xlsx\)"):
        read_csv_bars(wrapped, now=NOW)


def test_a_missing_column_hint_names_the_option():
    with pytest.raises(CsvFormatError, match="map one with --map COLUMN=date"):
        read_text("When,Close\n2026-01-02,1\n", ticker="X")
