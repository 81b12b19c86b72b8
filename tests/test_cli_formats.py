"""The command line for programs (``--format csv|json``), bad tickers, progress and Ctrl-C.

CSV is read back with the ``csv`` module and JSON with ``json``; every number is compared
with the Excel formula that shows it (``xlsrc.excel.udfs`` as plain Python on the same
store) and, where it can be, with the raw rows of
``shared/data/closes/us_closes_2024-01-02_2026-08-03.csv.gz`` divided by hand:
VICR 2026-01-22 166.78 / 2025-12-31 109.60 - 1 = +52.17 % YTD, / 2026-01-21 162.08 - 1 =
+2.90 % on the day; ICHR 33.07 / 18.43 - 1 = +79.4 % YTD.
"""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from xlsrc import cli
from xlsrc.cli import output
from xlsrc.cli import progress as cli_progress
from xlsrc.dashboard import layout

DAY = "2026-01-22"
SECTOR_SPDRS = ["XLB", "XLC", "XLE", "XLF", "XLI", "XLK", "XLP", "XLRE", "XLU", "XLV", "XLY"]


@pytest.fixture(scope="module")
def store(bundled_store_path):
    """The session's read-only store; the formulas find it via XLSRC_STORE."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XLSRC_STORE", str(bundled_store_path))
        yield str(bundled_store_path)


@pytest.fixture(scope="module")
def udfs(store):
    import xlsrc.excel.udfs as module

    return module


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def read_csv(text: str) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text))
    rows = list(reader)
    assert reader.fieldnames is not None
    return list(reader.fieldnames), rows


# ----------------------------------------------------------------------------- quote
def test_quote_csv_has_a_header_and_plain_numbers(capsys, store, udfs):
    status, out, err = run(capsys, "quote", "VICR", "ICHR", "--store", store, "--as-of", DAY,
                           "--format", "csv")  # fmt: skip
    assert status == 0 and err == ""
    header, rows = read_csv(out)
    keys = list(layout.DASHBOARD.table("technicals").keys)
    assert header == ["as_of", *keys, "problem"]
    assert [r["ticker"] for r in rows] == ["VICR", "ICHR"]
    vicr = rows[0]
    assert vicr["as_of"] == DAY and vicr["last_bar"] == DAY
    assert vicr["name"] == "Vicor Corp" and vicr["problem"] == ""
    assert float(vicr["close"]) == 166.78
    assert float(vicr["ret_ytd"]) == pytest.approx(166.78 / 109.60 - 1, rel=1e-12)
    assert float(vicr["ret_1d"]) == pytest.approx(166.78 / 162.08 - 1, rel=1e-12)
    assert float(rows[1]["ret_ytd"]) == pytest.approx(33.07 / 18.43 - 1, rel=1e-12)
    assert "%" not in out
    for row in rows:  # the text is the float itself, not a rounding of it
        t = row["ticker"]
        assert float(row["ret_ytd"]) == udfs.YTD_RETURN(t, DAY)
        assert float(row["pct_from_sma50"]) == udfs.PCT_FROM_MA(t, 50, DAY)
        assert float(row["rsi14"]) == udfs.RSI(t, None, DAY)
        assert float(row["volatility20"]) == udfs.VOLATILITY(t, None, DAY)
        assert row["rs_rating"] == str(udfs.RS_RATING(t, None, None, DAY))  # a whole number: "98"


def test_quote_json_is_a_list_of_records_with_iso_dates_and_null(capsys, store, udfs):
    # CRCL listed in June 2025: no 1-year return or 200-day average on 2026-01-22;
    # VGNT has no close on or before 2026-01-22
    status, out, err = run(capsys, "quote", "VICR", "CRCL", "VGNT", "--store", store,
                           "--as-of", DAY, "--format", "json")  # fmt: skip
    assert status == 0 and err == ""
    rows = json.loads(out)
    assert isinstance(rows, list) and [r["ticker"] for r in rows] == ["VICR", "CRCL", "VGNT"]
    vicr, crcl, vgnt = rows
    assert vicr["as_of"] == DAY and vicr["last_bar"] == DAY
    assert vicr["ret_ytd"] == udfs.YTD_RETURN("VICR", DAY)
    assert isinstance(vicr["rs_rating"], int)
    assert vicr["rs_rating"] == udfs.RS_RATING("VICR", None, None, DAY)
    assert crcl["ret_1y"] is None and crcl["pct_from_sma200"] is None
    assert str(udfs.TRAILING_RETURN("CRCL", "1Y", DAY)).startswith("#N/A Too little history")
    assert crcl["ret_1m"] == udfs.TRAILING_RETURN("CRCL", "1M", DAY)
    assert vgnt["problem"] == "No price for VGNT on or before 2026-01-22"
    assert vgnt["name"] and not vgnt["name"].startswith("#N/A")
    assert vgnt["close"] is None and vgnt["last_bar"] is None
    assert "NaN" not in out  # not valid JSON


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_quote_prints_the_good_rows_and_reports_each_bad_ticker(capsys, store, fmt):
    status, out, err = run(capsys, "quote", "VICR", "XYZQ", "ICHR", "VI$CR", "--store", store,
                           "--as-of", DAY, "--format", fmt)  # fmt: skip
    assert status == 1
    lines = err.splitlines()
    assert len(lines) == 2
    assert lines[0] == "xlsrc: error: Unknown ticker: XYZQ"
    assert lines[1].startswith("xlsrc: error: Invalid ticker") and "VI$CR" in lines[1]
    if fmt == "table":
        assert out.splitlines()[0] == f"As of {DAY}"
        body = [line.split()[0] for line in out.splitlines()[3:]]
        assert body == ["VICR", "ICHR"]
    elif fmt == "csv":
        assert [r["ticker"] for r in read_csv(out)[1]] == ["VICR", "ICHR"]
    else:
        assert [r["ticker"] for r in json.loads(out)] == ["VICR", "ICHR"]


def test_quote_of_one_typo_prints_only_the_rest(capsys, store):
    status, out, err = run(capsys, "quote", "VICR", "XYZQ", "--store", store, "--as-of", DAY)
    assert status == 1 and err == "xlsrc: error: Unknown ticker: XYZQ\n"
    assert out.splitlines()[0] == f"As of {DAY}" and "Vicor Corp" in out
    status, out, err = run(capsys, "quote", "vicr,ICHR", "--store", store, "--as-of", DAY,
                           "--format", "csv")  # fmt: skip
    assert status == 0 and [r["ticker"] for r in read_csv(out)[1]] == ["VICR", "ICHR"]


# ----------------------------------------------------------------------------- leaders
def test_leaders_json_equals_the_formula(capsys, store, udfs):
    status, out, err = run(capsys, "leaders", "--store", store, "--as-of", DAY, "--top", "5",
                           "--format", "json")  # fmt: skip
    assert status == 0 and err == ""
    rows = json.loads(out)
    table = layout.DASHBOARD.table("leaders")
    formula = udfs.LEADERS("sp600", 5, "ytd", None, DAY)
    assert formula[0] == list(table.headers)
    assert len(rows) == 5 and [r["rank"] for r in rows] == [1, 2, 3, 4, 5]
    assert [r["ticker"] for r in rows[:2]] == ["ICHR", "UCTT"]
    for row, cells in zip(rows, formula[1:], strict=True):
        assert row["as_of"] == DAY
        for key, cell in zip(table.keys, cells, strict=True):
            assert row[key] == cell, key
    assert rows[0]["ret_ytd"] == pytest.approx(33.07 / 18.43 - 1, rel=1e-12)


def test_leaders_csv_round_trips(capsys, store):
    status, out, _ = run(capsys, "leaders", "--store", store, "--as-of", DAY, "--top", "3",
                         "--format", "csv")  # fmt: skip
    assert status == 0
    header, rows = read_csv(out)
    assert header == ["as_of", *layout.DASHBOARD.table("leaders").keys]
    _, out, _ = run(capsys, "leaders", "--store", store, "--as-of", DAY, "--top", "3",
                    "--format", "json")  # fmt: skip
    for row, record in zip(rows, json.loads(out), strict=True):
        for key in header[1:]:
            if isinstance(record[key], float):
                assert float(row[key]) == record[key], key
            else:
                assert row[key] == str(record[key]), key


# ----------------------------------------------------------------------------- sectors
def test_sectors_csv_equals_the_formula(capsys, store, udfs):
    status, out, err = run(capsys, "sectors", "--store", store, "--as-of", DAY, "--format", "csv")
    assert status == 0 and err == ""
    header, rows = read_csv(out)
    table = layout.DASHBOARD.table("sectors")
    assert header == ["as_of", *table.keys]
    assert sorted(r["ticker"] for r in rows) == SECTOR_SPDRS
    formula = udfs.SECTORS(None, DAY)
    for row, cells in zip(rows, formula[1:], strict=True):
        for key, cell in zip(table.keys, cells, strict=True):
            if isinstance(cell, float):
                assert float(row[key]) == cell, key
            else:
                assert row[key] == ("" if cell is None else str(cell)), key


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
@pytest.mark.parametrize(
    ("benchmark", "message"),
    [
        ("XYZQ", "Unknown ticker: XYZQ"),
        ("VGNT", "No price for VGNT on or before 2026-01-22"),  # no close yet on that day
    ],
)
def test_sectors_refuses_a_benchmark_it_cannot_use(capsys, store, fmt, benchmark, message):
    status, out, err = run(capsys, "sectors", "--benchmark", benchmark, "--store", store,
                           "--as-of", DAY, "--format", fmt)  # fmt: skip
    assert status == 1 and out == ""
    assert err == f"xlsrc: error: {message}\n"


def test_report_refuses_the_same_benchmark(capsys, store, tmp_path):
    status, _, err = run(capsys, "report", "--benchmark", "XYZQ", "--store", store,
                         "--out", str(tmp_path / "r.xlsx"))  # fmt: skip
    assert status == 1 and err == "xlsrc: error: Unknown ticker: XYZQ\n"


# ----------------------------------------------------------------------------- status
def test_status_csv_and_json(capsys, store):
    status, table_out, _ = run(capsys, "status", "--store", store)
    sources_in_table = [line.split()[0] for line in table_out.splitlines() if line[:2] == "  "]
    status, out, err = run(capsys, "status", "--store", store, "--format", "json")
    assert status == 0 and err == ""
    rows = json.loads(out)
    assert all(set(r) == {"item", "value", "fetched_at", "description"} for r in rows)
    items = {r["item"]: r["value"] for r in rows if r["item"] != "source"}
    assert items["first_date"] == "2024-01-02" and items["last_date"] == "2026-08-03"
    # named as the table labels it, "Last data added" (review 2, item 12: a CSV import sets
    # it too, so not last_refresh): null when nothing was ever added, "never" in the table
    assert items["last_data_added"] is None and "last_refresh" not in items
    assert items["n_tickers"] == 12469 and isinstance(items["schema_version"], int)
    sources = [r for r in rows if r["item"] == "source"]
    assert [s["value"] for s in sources] == sources_in_table
    assert all(s["fetched_at"].startswith("20") and s["description"] for s in sources)
    status, out, _ = run(capsys, "status", "--store", store, "--format", "csv")
    header, csv_rows = read_csv(out)
    assert header == ["item", "value", "fetched_at", "description"]
    assert [r["item"] for r in csv_rows] == [r["item"] for r in rows]
    by_item = {r["item"]: r["value"] for r in csv_rows if r["item"] != "source"}
    assert by_item["last_data_added"] == "" and by_item["n_tickers"] == "12469"


def test_status_json_names_a_csv_import_as_data_added(capsys, tmp_path):
    store = str(tmp_path / "own.sqlite")  # a store of its own: the module's is read-only
    path = tmp_path / "ICHR.csv"
    # ICHR's stored close that day (shared closes): the same close, written again
    path.write_text("Date,Close\n2026-08-03,81.205\n", encoding="utf-8")
    argv = ("import-csv", str(path), "--decimal", ".", "--store", store)
    status, _, err = run(capsys, *argv)
    assert status == 0, err
    status, out, _ = run(capsys, "status", "--store", store, "--format", "json")
    items = {r["item"]: r["value"] for r in json.loads(out) if r["item"] != "source"}
    assert items["last_data_added_source"] == "csv:ICHR.csv"
    assert items["last_data_added"].startswith("20")


# ----------------------------------------------------------------------------- progress
class FakeTerminal(io.StringIO):
    """A stderr that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def test_progress_shows_steps_after_the_delay_and_clears_its_line():
    term = FakeTerminal()
    progress = cli_progress._Progress(term, delay=0.0)
    progress.__enter__()
    try:
        progress.bar.mininterval = 0  # draw on every show(), without waiting for the clock
        progress.step("loading the market")
        progress.show()
        assert "\rxlsrc: loading the market (00:00)" in term.getvalue()
        progress.step("writing out.xlsx")
        progress.show()
        shown = term.getvalue()
        # drawn over the longer line before it (tqdm pads with blanks)
        assert shown.rstrip(" ").endswith("\rxlsrc: writing out.xlsx (00:00)")
    finally:
        progress.__exit__(None, None, None)
    cleared = term.getvalue()[len(shown) :]
    assert cleared.strip() == "" and cleared.startswith("\r") and cleared.endswith("\r")


def test_progress_waits_for_the_delay():
    term = FakeTerminal()
    with cli_progress._Progress(term, delay=60.0) as progress:
        progress.bar.mininterval = 0
        progress.step("loading the market")
        progress.show()
    assert term.getvalue() == ""  # a fast step shows nothing, and nothing is left to clear


def test_progress_only_on_a_terminal():
    stream = io.StringIO()
    with cli_progress._Progress(stream, delay=0.0) as progress:
        progress.step("loading the market")
        progress.show()
        assert progress.bar is None
    assert stream.getvalue() == ""


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_progress_never_reaches_stdout(capsys, monkeypatch, store, fmt):
    """With stderr on a terminal the line is drawn there, and cleared before the data."""
    term = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", term)
    monkeypatch.setattr(cli_progress, "PROGRESS_DELAY", 0.0)
    status = cli.main(["leaders", "--store", store, "--as-of", DAY, "--top", "3", "--format", fmt])
    out = capsys.readouterr().out
    assert status == 0
    assert "xlsrc: " in term.getvalue() and term.getvalue().rstrip(" ").endswith("\r")
    assert "xlsrc:" not in out and "\r" not in out
    if fmt == "csv":
        assert len(read_csv(out)[1]) == 3
    else:
        assert len(json.loads(out)) == 3
    assert sys.stdout is not None and not isinstance(sys.stdout, cli_progress._ClearsProgress)


# ----------------------------------------------------------------------------- Ctrl-C
def _interrupt(*_: object, **__: object) -> None:
    raise KeyboardInterrupt


def test_ctrl_c_in_a_read_only_command(capsys, monkeypatch, store):
    monkeypatch.setattr("xlsrc.dashboard.rankings.leaders_table", _interrupt)
    status, out, err = run(capsys, "leaders", "--store", store, "--as-of", DAY)
    assert status == 130 and out == ""
    assert err == f"xlsrc: interrupted while ranking sp600 as of {DAY}; the store is unchanged\n"


def test_ctrl_c_while_the_report_is_saved(capsys, monkeypatch, store, tmp_path):
    from openpyxl.workbook.workbook import Workbook

    def half_save(self, filename):
        Path(filename).write_bytes(b"PK half a file")
        raise KeyboardInterrupt

    monkeypatch.setattr(Workbook, "save", half_save)
    out_path = tmp_path / "r.xlsx"
    status, _, err = run(capsys, "report", "--store", store, "--as-of", DAY, "--out", str(out_path))
    assert status == 130
    assert err == (
        f"xlsrc: interrupted while computing the dashboard and writing {out_path}; "
        f"the store is unchanged and {out_path} was not written\n"
    )
    assert list(tmp_path.iterdir()) == []  # no half file, no temporary file
    out_path.write_bytes(b"an earlier report")
    status, _, err = run(capsys, "report", "--store", store, "--as-of", DAY, "--out", str(out_path))
    assert status == 130 and err.endswith(f"and {out_path} is unchanged\n")
    assert out_path.read_bytes() == b"an earlier report"
    assert sorted(tmp_path.iterdir()) == [out_path]


def test_ctrl_c_says_whether_the_store_changed(capsys, monkeypatch, tmp_path):
    import xlsrc.data.holdings as holdings

    where = str(tmp_path / "store.sqlite")
    # (not "mine": MINE is a ticker the store holds, refused as a universe name)
    real = holdings.define_universe

    monkeypatch.setattr(holdings, "define_universe", _interrupt)
    status, _, err = run(capsys, "universe", "set", "mylist", "VICR,ICHR", "--store", where)
    assert status == 130
    assert err == "xlsrc: interrupted while universe set mylist; the store is unchanged\n"

    def write_then_interrupt(*args: object, **kwargs: object) -> None:
        real(*args, **kwargs)
        raise KeyboardInterrupt  # after the commit, before the summary is printed

    monkeypatch.setattr(holdings, "define_universe", write_then_interrupt)
    status, _, err = run(capsys, "universe", "set", "mylist", "VICR,ICHR", "--store", where)
    assert status == 130
    assert err == (
        "xlsrc: interrupted while universe set mylist; the store changed (data version 0 -> 1)\n"
    )
    from xlsrc.data import open_store

    assert sorted(open_store(where).universes()["mylist"]) == ["ICHR", "VICR"]


def test_ctrl_c_in_a_refresh_keeps_the_committed_batches(capsys, monkeypatch, tmp_path):
    import xlsrc.data.refresh as refresh_module
    from xlsrc.data.refresh_summary import RefreshInterrupted, RefreshSummary

    def interrupted(*_: object, **__: object) -> None:
        summary = RefreshSummary(
            requested=["VICR", "ICHR"], updated=["VICR"], rows_added=3, interrupted=True
        )
        raise RefreshInterrupted(summary)

    monkeypatch.setattr(refresh_module, "refresh", interrupted)
    status, _, err = run(capsys, "refresh", "VICR", "ICHR", "--store", str(tmp_path / "s.sqlite"))
    assert status == 130 and err.count("\n") == 1
    assert err.startswith("xlsrc: interrupted. Refresh: 1 of 2 tickers updated, 3 rows added")
    assert "committed batches are kept" in err


#: A child running ``xlsrc.__main__.run`` (the console script's entry) with one step made
#: to wait: the import of ``xlsrc.cli`` ("starting") or loading the market ("working").
#: It writes "ready" on stderr when it waits, so the Ctrl-C lands there, not by a timer.
_WAITING_CHILD = r"""
import importlib.abc, importlib.machinery, sys, time
step = sys.argv.pop(1)

def wait():
    sys.stderr.write("ready\n")
    sys.stderr.flush()
    time.sleep(60)

class WaitingImport(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "xlsrc.cli":
            wait()
        return None

if step == "starting":
    sys.meta_path.insert(0, WaitingImport())
else:
    import xlsrc.market
    xlsrc.market.get_market = lambda *a, **k: wait()
import xlsrc.__main__ as entry
sys.argv = ["xlsrc", *sys.argv[1:]]
sys.exit(entry.run())
"""


def _sigint_default() -> None:
    """In the child: SIGINT as a terminal gives it (a background shell would ignore it)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ("starting", "xlsrc: interrupted while starting; nothing was written"),
        ("working", "xlsrc: interrupted while loading the market"),
    ],
)
def test_ctrl_c_at_any_moment_is_one_line(store, tmp_path, step, message):
    """``xlsrc`` interrupted while it starts and while it works: one line, status 130."""
    env = {**os.environ, "PYTHONPATH": str(Path(cli.__file__).parents[2])}
    proc = subprocess.Popen(
        [sys.executable, "-c", _WAITING_CHILD, step, "report", "--store", store,
         "--as-of", DAY, "--out", str(tmp_path / "r.xlsx")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, preexec_fn=_sigint_default,
    )  # fmt: skip
    assert proc.stderr is not None
    assert proc.stderr.readline() == b"ready\n"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    text = err.decode()
    assert "Traceback" not in text and text.count("\n") == 1
    assert text == message + "\n"
    assert not (tmp_path / "r.xlsx").exists()


def test_refresh_keeps_its_own_bar_alone(capsys, monkeypatch, tmp_path):
    """refresh draws its own tqdm bar: the progress line stays off (two bars take two lines)."""
    import xlsrc.data.refresh as refresh_module
    from xlsrc.data.refresh_summary import RefreshSummary

    term = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", term)
    monkeypatch.setattr(cli_progress, "PROGRESS_DELAY", 0.0)
    monkeypatch.setattr(refresh_module, "refresh", lambda *a, **k: RefreshSummary(offline=True))
    status = cli.main(["refresh", "VICR", "--store", str(tmp_path / "s.sqlite")])
    assert status == 0 and "xlsrc: " not in term.getvalue()
    assert capsys.readouterr().out.startswith("Offline: nothing downloaded")


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_emit_serves_a_table_command_without_a_layout_table(capsys, fmt):
    """A new table command (``groups``...) prints its frame through ``emit`` in every format."""
    import argparse

    import pandas as pd

    frame = pd.DataFrame(
        {"rank": [1, 2], "industry": ["Silver", "Aluminum"], "group_score": [97.2, 93.75]}
    )
    output.emit(argparse.Namespace(format=fmt), frame, None, "Groups, as of 2026-01-22",
             pd.Timestamp(DAY))  # fmt: skip
    out = capsys.readouterr().out
    if fmt == "table":
        lines = out.splitlines()
        assert lines[0] == "Groups, as of 2026-01-22" and lines[1].split() == list(frame.columns)
        assert lines[2].split() == ["1", "Silver", "97.20"]
    elif fmt == "csv":
        assert out == "as_of,rank,industry,group_score\n2026-01-22,1,Silver,97.2\n" + (
            "2026-01-22,2,Aluminum,93.75\n"
        )
    else:
        assert json.loads(out) == [
            {"as_of": DAY, "rank": 1, "industry": "Silver", "group_score": 97.2},
            {"as_of": DAY, "rank": 2, "industry": "Aluminum", "group_score": 93.75},
        ]
