"""CSV import: aliases, mapping, adjustment, line-numbered errors, nothing stored on error."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from yahoo_fake import make_store, recorded, stored

from xlsrc.data.csv_import import import_csv, parse_mapping, read_csv_bars
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
        ("2026-01-02,10,11,9,10.5,100\n2026-01-05,10,11,9,-3,100\n", 3, "prices must be positive"),
        (
            "2026-01-02,10,11,9,10.5,100\n2026-01-02,10,11,9,10.5,100\n",
            3,
            "duplicate day 2026-01-02 (also on line 2)",
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
    path = write(tmp_path, "SPY.csv", "Date,Open,High,Low,Close,Volume\n" + body)
    before, version = stored(store), store.data_version()
    with pytest.raises(CsvFormatError) as info:
        import_csv(store, path)
    assert str(info.value).startswith(f"{path}, line {line}: ")
    assert problem in str(info.value)
    assert store.data_version() == version
    pd.testing.assert_frame_equal(stored(store), before)


def test_several_bad_lines_are_counted(tmp_path):
    path = write(tmp_path, "SPY.csv", "Date,Close\n2026-01-02,-1\n2026-01-05,x\n2026-01-06,0\n")
    with pytest.raises(CsvFormatError, match=r"line 2: .*\(and 2 more bad lines\)"):
        read_csv_bars(path)


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
    version = store.data_version()
    with pytest.raises(CsvFormatError) as info:
        import_csv(store, missing)
    assert str(info.value) == f"Cannot read {missing}: No such file or directory"
    assert "line" not in str(info.value)
    assert isinstance(info.value, DataSourceError)
    assert store.data_version() == version
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
    version = store.data_version()
    summary = import_csv(store, path)
    assert store.data_version() == version + 1
    assert summary.rows == 2 and list(summary.tickers) == ["VICR"]
    got = store.read_bars("VICR")
    assert got["close"].tolist() == [105.0, 111.0] and set(got["source"]) == {"csv:vicr.csv"}
    assert (
        str(summary)
        == "Imported 2 rows from vicr.csv: VICR 2 bars 2026-01-02..2026-01-05 (ticker VICR from the file name)."
    )
