"""``xlsrc groups`` and the RS history in ``xlsrc quote``, on the bundled snapshot.

Expected values are the committed independent tables of ``tests/fixtures/leadership``
(``scripts/expected_leadership.py``, recomputed from the raw shared CSVs without xlsrc).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from xlsrc import cli

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "leadership"


@pytest.fixture(scope="module")
def store(bundled_store_path: Path) -> str:
    return str(bundled_store_path)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], str]:
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out.splitlines(), err


def test_groups_top_ten(capsys, store):
    want = pd.read_csv(FIXTURES / "industry_groups_2026-01-22.csv")
    status, lines, err = run(
        capsys, "groups", "--store", store, "--as-of", "2026-01-22", "--top", "10"
    )
    assert status == 0 and err == ""
    assert lines[0] == "Top 10 industry groups of stocks by group RS, as of 2026-01-22"
    assert lines[1].split()[:4] == ["#", "Industry", "group", "Sector"]
    body = lines[3:]
    assert len(body) == 10
    for line, row in zip(body, want.head(10).itertuples(), strict=True):
        assert line.split()[0] == str(row.rank)
        assert row.industry in line and row.leaders in line
        assert f" {row.group_rs_rating} " in line
    assert "Semiconductor Equipment & Materials" in body[7]  # 8th of 143


def test_groups_default_and_universe(capsys, store):
    status, lines, _ = run(capsys, "groups", "--store", store, "--as-of", "2026-01-22")
    assert status == 0 and len(lines) == 3 + 20  # default --top 20
    status, lines, _ = run(
        capsys, "groups", "--store", store, "--as-of", "2026-01-22", "--universe", "sp1500"
    )
    assert status == 0 and lines[0].startswith("Top 20 industry groups of sp1500")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["groups", "--universe", "nasdaq9"],
            "Unknown universe: nasdaq9 (known: stocks, sp1500, sp500, sp400, sp600, r2000, sectors)",
        ),
        (
            ["groups", "--as-of", "2024-01-05"],
            "No industry group of stocks has 3 stocks with an RS rating as of 2024-01-05",
        ),
    ],
)
def test_groups_errors(capsys, store, argv, message):
    status, lines, err = run(capsys, *argv, "--store", store)
    assert status == 1 and lines == []
    assert err == f"xlsrc: error: {message}\n"


def _fields(lines: list[str]) -> dict[str, str]:
    out = {}
    for line in lines[1:]:
        head, _, value = line.rpartition("  ")
        out[head.strip()] = value.strip()
    return out


def test_quote_shows_the_rs_history(capsys, store):
    history = pd.read_csv(FIXTURES / "rs_history.csv")
    ratings = history[history["kind"] == "rating"].set_index(["ticker", "label"])["value"]
    status, lines, _ = run(capsys, "quote", "ICHR", "--store", store, "--as-of", "2026-01-22")
    assert status == 0
    fields = _fields(lines)
    assert fields["RS rating"] == "86"
    for label, head in (("1m", "1M"), ("3m", "3M"), ("6m", "6M"), ("12m", "12M")):
        assert fields[f"RS {head} ago"] == f"{ratings['ICHR', label]:.0f}"
    assert fields["RS line at 52w high"] == "No"
    assert "RS basis" not in fields  # a full year of history: nothing to say
    # CRCL, listed June 2025: no rating 6 or 12 months back, and a shortened rating now
    status, lines, _ = run(capsys, "quote", "CRCL", "--store", store, "--as-of", "2026-01-22")
    fields = _fields(lines)
    assert fields["RS 6M ago"] == "-" and fields["RS 12M ago"] == "-"
    assert fields["RS basis"].startswith("Shortened: 0.67*r63 + 0.33*r126")
