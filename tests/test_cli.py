"""The ``xlsrc`` command line, run in-process on the session's seeded store.

Expected figures are the raw rows of
``shared/data/closes/us_closes_2024-01-02_2026-08-03.csv.gz`` divided by hand, never
values computed by xlsrc:

- VICR 2026-01-22 close 166.78; 2026-01-21 162.08; 2025-12-31 109.60
  -> 1D 166.78 / 162.08 - 1 = +2.90 %, YTD 166.78 / 109.60 - 1 = +52.17 %.
- sp600 YTD leaders on 2026-01-22: ICHR 33.07 / 18.43 - 1 = +79.4 %,
  UCTT 44.14 / 25.33 - 1 = +74.3 %.
- the store's data start 2024-01-02 and end 2026-08-03.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from xlsrc import cli


@pytest.fixture(scope="module")
def store(bundled_store_path: Path) -> str:
    return str(bundled_store_path)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], str]:
    """Run ``xlsrc argv``; return (exit status, stdout lines, stderr)."""
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out.splitlines(), err


def _fields(lines: list[str]) -> dict[str, str]:
    """``quote`` of one ticker prints ``Header  value`` lines: read them into a dict."""
    out = {}
    for line in lines[1:]:
        head, _, value = line.rpartition("  ")
        out[head.strip()] = value.strip()
    return out


# --------------------------------------------------------------------------- quote
def test_quote_one_ticker_by_hand(capsys, store):
    status, lines, err = run(capsys, "quote", "vicr", "--store", store, "--as-of", "2026-01-22")
    assert status == 0 and err == ""
    assert lines[0] == "As of 2026-01-22"
    fields = _fields(lines)
    assert fields["Ticker"] == "VICR"
    assert fields["Last"] == "166.78"
    assert fields["1D"] == "2.9%"  # 166.78 / 162.08 - 1 = 0.0290
    assert fields["YTD"] == "52.2%"  # 166.78 / 109.60 - 1 = 0.5217
    assert fields["Last bar"] == "2026-01-22"
    assert fields["RS rating"].isdigit() and 1 <= int(fields["RS rating"]) <= 99


def test_quote_several_tickers_is_a_table(capsys, store):
    status, lines, _ = run(
        capsys, "quote", "VICR", "ICHR", "UCTT", "--store", store, "--as-of", "2026-01-22"
    )
    assert status == 0
    assert lines[0] == "As of 2026-01-22"
    body = {line.split()[0]: line for line in lines[3:]}
    assert set(body) == {"VICR", "ICHR", "UCTT"}
    assert "52.2%" in body["VICR"] and "79.4%" in body["ICHR"] and "74.3%" in body["UCTT"]


@pytest.mark.parametrize(
    ("typed", "header"),
    [
        # after the data: the last stored day; its year has no data (review-1 D1)
        (
            "2030-01-01",
            "as of 2026-08-03, the last session on or before 2030-01-01 "
            "(No data for 2030: the data end 2026-08-03)",
        ),
        # a Saturday: the Friday
        ("2026-01-24", "as of 2026-01-23, the last session on or before 2026-01-24"),
        ("2026-01-22", "as of 2026-01-22"),
    ],
)
def test_headers_show_the_trading_day_used(capsys, store, typed, header):
    shown = header[len("as of ") :][:10]
    status, lines, _ = run(capsys, "quote", "VICR", "--store", store, "--as-of", typed)
    assert status == 0 and lines[0] == "A" + header[1:]
    assert _fields(lines)["Last bar"] == shown
    status, lines, err = run(capsys, "leaders", "--store", store, "--as-of", typed, "--top", "2")
    if typed == "2030-01-01":  # leaders by YTD: no YTD of 2030 exists
        assert status == 1 and err == "xlsrc: error: No data for 2030: the data end 2026-08-03\n"
    else:
        assert status == 0 and lines[0].endswith(header.split(" (")[0])
    status, lines, _ = run(capsys, "sectors", "--store", store, "--as-of", typed)
    assert status == 0 and lines[0].endswith(header)


# --------------------------------------------------------------------------- tables
def test_leaders_sp600_by_ytd(capsys, store):
    status, lines, err = run(
        capsys, "leaders", "--store", store, "--universe", "sp600", "--as-of", "2026-01-22",
        "--top", "5",
    )  # fmt: skip
    assert status == 0 and err == ""
    assert lines[0] == "Top 5 of sp600 by ytd, as of 2026-01-22"
    rows = [line.split() for line in lines[3:]]
    assert len(rows) == 5
    assert [r[:2] for r in rows[:2]] == [["1", "ICHR"], ["2", "UCTT"]]
    assert "79.4%" in lines[3] and "74.3%" in lines[4]


def test_sectors(capsys, store):
    status, lines, _ = run(capsys, "sectors", "--store", store, "--as-of", "2026-01-22")
    assert status == 0
    assert lines[0] == "Sectors ranked by YTD return, RRG vs SPY, as of 2026-01-22"
    tickers = [line.split()[1] for line in lines[3:]]
    assert sorted(tickers) == sorted(
        ["XLB", "XLC", "XLE", "XLF", "XLI", "XLK", "XLP", "XLRE", "XLU", "XLV", "XLY"]
    )


def test_report_to_a_path(capsys, store, tmp_path):
    out = tmp_path / "sub" / "r.xlsx"
    status, lines, err = run(
        capsys, "report", "--store", store, "--as-of", "2026-01-22", "--out", str(out)
    )
    assert status == 0, err
    assert out.is_file() and out.stat().st_size > 10_000
    assert any(str(out.name) in line for line in lines)


def test_report_without_leaders_says_why(capsys, store, tmp_path):
    # 2024-11-15: no sp600 member has a close at the end of 2023 (the data start 2024-01-02)
    out = tmp_path / "r.xlsx"
    status, lines, _ = run(
        capsys, "report", "--store", store, "--as-of", "2024-11-15", "--out", str(out)
    )
    assert status == 0 and out.is_file()
    assert any(
        "No member of sp600 has a YTD return as of 2024-11-15 (needs a close at the end of "
        "2023; the data start 2024-01-02)" in line
        for line in lines
    )


def test_status_lists_one_line_per_source(capsys, store):
    status, lines, _ = run(capsys, "status", "--store", store)
    assert status == 0
    # "<label>  <value>": labels as DATA_STATUS names them (two spaces end a label)
    fields = dict(re.split(r"\s{2,}", line, maxsplit=1) for line in lines if not line[0].isspace())
    assert fields["Latest session"] == "2026-08-03" and fields["First session"] == "2024-01-02"
    # 11,281 rows dated 2026-08-03 in shared/data/closes plus GSPC, IXIC and VIX
    assert fields["Tickers with a bar on the latest session"] == "11,284 of 12,469"
    # never written to: nothing added, None is shown as "never" ("data added": an import
    # adds data as a refresh does, so the label is not "refresh")
    assert fields["Last data added (UTC)"] == "never"
    assert "{" not in "\n".join(lines) and "None" not in "\n".join(lines)
    source_lines = [line.split() for line in lines if line.startswith("  ")]
    assert int(fields["Sources"]) == len(source_lines) > 0
    for parts in source_lines:  # name, fetched_at, description
        assert parts[0].startswith("snapshot:")
        assert parts[1].startswith("20") and parts[1].endswith("Z")
        assert len(parts) > 2


# --------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["quote", "XYZQ"], "Unknown ticker: XYZQ"),
        (["quote", "VICR", "--as-of", "2023-06-01"], "No price on or before 2023-06-01"),
        (["leaders", "--universe", "nasdaq9000"], "Unknown universe: nasdaq9000"),
        (
            ["leaders", "--universe", "sp600", "--as-of", "2024-02-01"],
            "No member of sp600 has a YTD return as of 2024-02-01 (needs a close at the end "
            "of 2023; the data start 2024-01-02)",
        ),
        (["sectors", "--as-of", "2020-01-01"], "No price on or before 2020-01-01"),
    ],
)
def test_errors_are_one_line_with_exit_1(capsys, store, argv, message):
    status, lines, err = run(capsys, *argv, "--store", store)
    assert status == 1
    assert lines == []
    assert err.startswith(f"xlsrc: error: {message}") and err.count("\n") == 1


@pytest.mark.parametrize("top", ["0", "-3", "ten"])
def test_bad_top_is_a_usage_error(capsys, store, top):
    status, lines, err = run(capsys, "leaders", "--store", store, "--top", top)
    assert status == 1 and lines == []
    assert err.startswith("xlsrc leaders: error: argument --top: ")
    assert "not a whole number >= 1" in err and err.count("\n") == 1
    assert err.rstrip().endswith("(see xlsrc leaders --help)")


@pytest.mark.parametrize(
    ("argv", "start"),
    [
        ([], "xlsrc: error: the following arguments are required: COMMAND"),
        (["quote", "VICR", "--format", "xml"], "xlsrc quote: error: argument --format: invalid"),
        (["leaders", "--sort-by"], "xlsrc leaders: error: argument --sort-by: expected one"),
        (["frobnicate"], "xlsrc: error: argument COMMAND: invalid choice: 'frobnicate'"),
        (["universe", "set", "w3"], "xlsrc: error: universe set needs NAME and T1,T2,..."),
        (["workbook"], "xlsrc workbook: error: the following arguments are required: ACTION"),
        (["quote", "VICR", "--as-of"], "xlsrc quote: error: argument --as-of: expected one"),
    ],
)
def test_every_usage_error_is_one_line_and_exit_1(capsys, argv, start):
    """Not argparse's usage block and status 2: one line, as every other xlsrc error."""
    status, lines, err = run(capsys, *argv)
    assert status == 1 and lines == []
    assert err.startswith(start), err
    assert err.count("\n") == 1


# --------------------------------------------------------------------------- pipes
class _ClosedPipe(io.StringIO):
    """A stdout whose reader has gone: every write raises BrokenPipeError."""

    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self) -> None:
        raise BrokenPipeError(32, "Broken pipe")


def test_a_closed_pipe_ends_quietly_in_process(capsys, monkeypatch, store):
    monkeypatch.setattr(sys, "stdout", _ClosedPipe())
    status = cli.main(["quote", "VICR", "--store", store])
    assert status == 141
    assert capsys.readouterr().err == ""


def test_a_closed_pipe_ends_quietly(store):
    """``xlsrc leaders ... | head -1``: more output than a pipe holds, the reader leaves."""
    env = {**os.environ, "PYTHONPATH": str(Path(cli.__file__).parents[2])}
    proc = subprocess.Popen(
        [sys.executable, "-m", "xlsrc.cli", "leaders", "--store", store, "--universe",
         "stocks", "--top", "3000", "--as-of", "2026-01-22"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )  # fmt: skip
    assert proc.stdout is not None and proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()  # what `head -1` does after its line
    err = proc.stderr.read().decode()
    status = proc.wait(timeout=120)
    assert first.startswith(b"Top 3000 of stocks")
    assert err == ""  # no BrokenPipeError traceback, no "Exception ignored"
    assert status in (0, 141)
