"""import-csv, universe set, quote and refresh on the command line (review 1: D5, D6, D10-D14,
D17, D22).

Each test writes to a store of its own over the bundled snapshot. Figures are read off the
shared raw files: ``shared/data/closes`` (SPY 755.645 and ICHR 20.41, 20.94, 22.79 on
2026-08-03 and 2026-01-02/05/06; XLE 43.5735 on 2025-02-18 and 648 days, 114 of them after
2026-02-18) and ``shared/data/ohlcv/unadjusted_2025-2026/XLE.csv`` (251 days 2025-02-19 ..
2026-02-18, 46.01 on the first). The snapshot holds 12,469 tickers (``status``).
"""

from __future__ import annotations

import io
import signal
import socket
import sys
from pathlib import Path

import pandas as pd
import pytest
from yahoo_fake import FakeDownloader, SleepRecorder, make_store, recorded

from xlsrc import cli
from xlsrc.data import open_store
from xlsrc.data.refresh import refresh
from xlsrc.errors import DataSourceError, InvalidParameterError

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
# shared/data/ohlcv/unadjusted_2025-2026/XLE.csv, committed (scripts/extract_shared_fixtures.py)
UNADJUSTED_XLE = Path(__file__).parent / "fixtures" / "shared" / "unadjusted" / "XLE.csv"


@pytest.fixture
def store(tmp_path: Path) -> str:
    return str(tmp_path / "store" / "xlsrc.sqlite")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def fields(text: str) -> dict[str, str]:
    """``status`` prints ``<label>  <value>`` (two spaces end a label)."""
    import re

    lines = [line for line in text.splitlines() if line and not line[0].isspace()]
    return dict(re.split(r"\s{2,}", line, maxsplit=1) for line in lines)


# --------------------------------------------------------------------------- D13
@pytest.mark.parametrize(
    ("argv", "got"),
    [((""), "''"), ((" ", "--format", "csv"), "' '"), ((",",), "','"), (("", " "), "'' ' '")],
)
def test_quote_without_a_ticker_is_an_error(capsys, store, argv, got):
    argv = (argv,) if isinstance(argv, str) else argv
    status, out, err = run(capsys, "quote", *argv, "--store", store)
    assert status == 1 and out == ""
    assert err == (
        "xlsrc: error: no ticker given: quote takes one or more tickers, e.g. xlsrc quote "
        f"VICR IWM (got {got})\n"
    )


# --------------------------------------------------------------------------- D5
def test_the_benchmark_alone_cannot_move_the_market_unless_asked(capsys, store, tmp_path):
    path = write(tmp_path, "SPY.csv", "Date,Close\n2026-08-04,640.0\n")
    status, out, err = run(capsys, "import-csv", str(path), "--store", store)
    assert status == 1 and out == ""
    assert err.startswith(
        f"xlsrc: error: {path}, line 2: SPY: only the benchmark SPY has bars after "
        "2026-08-03, the market's latest session: storing them moves every ticker's latest "
        "session to 2026-08-04, where none of the other 12,468 tickers has a bar"
    )
    assert err.rstrip().endswith("(nothing was stored)")

    status, out, err = run(capsys, "import-csv", str(path), "--move-latest", "--store", store)
    assert status == 0, err
    # 640 / 755.645 - 1 = -0.1530
    assert out.splitlines() == [
        "Imported 1 row from SPY.csv: SPY 1 bar 2026-08-04 (ticker SPY from the file name).",
        "The market's latest session moves from 2026-08-03 to 2026-08-04 (SPY 755.645 -> 640, "
        "-15.3%): 1 of 12,469 tickers has a bar that day; the others carry their last close "
        "until refreshed.",
    ]
    status, out, _ = run(capsys, "status", "--store", store)
    shown = fields(out)
    assert shown["Latest session"] == "2026-08-04"
    assert shown["Tickers with a bar on the latest session"] == "1 of 12,469"
    assert shown["Last data added from"] == "csv:SPY.csv"
    assert shown["Last data added (UTC)"].startswith("20")


def test_spy_with_other_tickers_moves_the_market_and_counts_them(capsys, store, tmp_path):
    # ICHR closed 81.205 on 2026-08-03: +1 % and SPY +0.5 % on 08-04 are plausible
    text = "ticker,date,close\nSPY,2026-08-04,759.42\nICHR,2026-08-04,82.0\n"
    status, out, err = run(capsys, "import-csv", str(write(tmp_path, "two.csv", text)),
                           "--store", store)  # fmt: skip
    assert status == 0, err
    assert out.splitlines()[1] == (
        "The market's latest session moves from 2026-08-03 to 2026-08-04 (SPY 755.645 -> "
        "759.42, +0.5%): 2 of 12,469 tickers have a bar that day; the others carry their "
        "last close until refreshed."
    )


# --------------------------------------------------------------------------- D6, D10
def test_a_file_of_closes_keeps_the_stored_volume(capsys, store, tmp_path):
    before = open_store(store).read_bars(["ICHR"], start="2026-01-02", end="2026-01-06")
    text = (
        "Date,Close\n2026-01-02T21:00:00Z,20.41\n2026-01-05T21:00:00Z,20.94\n"
        "2026-01-06T21:00:00+00:00,22.79\n"
    )
    path = write(tmp_path, "zclose_ICHR.csv", text)
    status, out, err = run(capsys, "import-csv", str(path), "--ticker", "ICHR", "--store", store)
    assert status == 0, err
    assert out.splitlines()[1] == (
        "3 stored days of ICHR overwritten with the same closes (volume kept from the store: "
        "the input has none)."
    )
    after = open_store(store).read_bars(["ICHR"], start="2026-01-02", end="2026-01-06")
    assert after["close"].tolist() == [20.41, 20.94, 22.79]
    assert after["volume"].notna().all()
    assert after["volume"].tolist() == before["volume"].tolist()
    assert set(after["source"]) == {"csv:zclose_ICHR.csv"}


def test_an_unadjusted_file_over_the_adjusted_history_needs_replace(capsys, store):
    status, out, err = run(capsys, "import-csv", str(UNADJUSTED_XLE), "--store", store)
    assert status == 1 and out == ""
    assert (
        "XLE: the new closes differ from the stored ones on 251 of the 251 stored days they "
        "overlap (2025-02-19..2026-02-18)" in err
    )
    assert "on 2025-02-19 stored 43.9171, new 46.01): another adjustment basis" in err
    assert (
        "import with --replace; if they are corrections of those days, import with "
        "--overwrite (nothing was stored)" in err
    )

    status, out, err = run(capsys, "import-csv", str(UNADJUSTED_XLE), "--replace",
                           "--store", store)  # fmt: skip
    assert status == 0, err
    lines = out.splitlines()
    assert lines[0].startswith(
        "Imported 251 rows from XLE.csv: XLE 251 bars 2025-02-19..2026-02-18"
    )
    assert lines[1].startswith(
        "251 stored days of XLE overwritten; 251 closes changed, the largest"
    )
    # 648 stored days, 114 after the file's last (2026-02-18); 46.01 / 43.5735 - 1 = +5.6 %
    assert (
        "; 114 stored days of XLE removed (the replaced history does not have them); " in lines[1]
    )
    assert lines[1].endswith(
        "the kept history meets the new one with a step of +5.6% (2025-02-18 43.5735 -> "
        "2025-02-19 46.01)."
    )
    got = open_store(store).read_bars(["XLE"])
    assert len(got) == 648 - 251 - 114 + 251 and got["date"].max() == pd.Timestamp("2026-02-18")


def test_allow_jump_on_the_command_line(capsys, store, tmp_path):
    # 10.2 -> 5.1 is x0.5, the size of a 2:1 split
    path = write(
        tmp_path, "ZZJ.csv", "date,close\n2026-01-05,10\n2026-01-06,10.2\n2026-01-07,5.1\n"
    )
    status, out, err = run(capsys, "import-csv", str(path), "--store", store)
    assert status == 1 and "accept it with --allow-jump ZZJ:2026-01-07" in err
    status, out, err = run(capsys, "import-csv", str(path), "--allow-jump", "ZZJ:2026-01-07",
                           "--store", store)  # fmt: skip
    assert status == 0, err
    assert out.startswith("Imported 3 rows from ZZJ.csv: ZZJ 3 bars 2026-01-05..2026-01-07")
    # a step on another day is not accepted by it
    status, _, err = run(capsys, "import-csv", str(path), "--allow-jump", "ZZJ:2026-01-06",
                         "--store", str(Path(store).with_name("other.sqlite")))  # fmt: skip
    assert status == 1 and "--allow-jump ZZJ:2026-01-07" in err


# --------------------------------------------------------------------------- D11, D12
def test_bars_before_the_first_session_are_said_and_not_quoted(capsys, store, tmp_path):
    text = "date,close\n2009-12-14,44.3389\n2009-12-15,44.0902\n2009-12-16,44.1497\n"
    status, out, err = run(capsys, "import-csv", str(write(tmp_path, "ZZOLD.csv", text)),
                           "--store", store)  # fmt: skip
    assert status == 0, err
    assert out.splitlines()[1] == (
        "3 bars before 2024-01-02, the benchmark's first session, are stored but not used "
        "(ZZOLD 3)."
    )
    status, out, err = run(capsys, "quote", "ZZOLD", "--store", store)
    assert status == 1 and out == ""
    assert err == (
        "xlsrc: error: ZZOLD has bars only before 2024-01-02, the market's first session "
        "(the benchmark's first bar): stored, not used\n"
    )
    status, out, _ = run(capsys, "status", "--store", store)
    assert fields(out)["First session"] == "2024-01-02"


def test_ticker_on_a_file_of_several_symbols_names_the_rows_left_out(capsys, store, tmp_path):
    text = (
        "ticker,date,close\nICHR.US,2026-01-05,20.94\nNASDAQ:UCTT,2026-01-05,30.0\n"
        "ICHR US Equity,2026-01-06,22.79\nUCTT,2026-01-06,31.0\n"
    )
    path = write(tmp_path, "mixed.csv", text)
    status, out, err = run(capsys, "import-csv", str(path), "--ticker", "ICHR", "--store", store)
    assert status == 0, err
    assert out.splitlines()[:2] == [
        "Imported 2 rows from mixed.csv: ICHR 2 bars 2026-01-05..2026-01-06.",
        "Skipped 1 row of NASDAQ:UCTT, 1 row of UCTT: --ticker ICHR selects ICHR's rows.",
    ]


# --------------------------------------------------------------------------- D14
def test_universe_set_warns_about_members_without_bars(capsys, store):
    status, out, err = run(capsys, "universe", "set", "bad", "XYZQ,ICHR", "--store", store)
    assert status == 0, err
    assert out.splitlines() == [
        "Universe bad: 2 members from user list (+2 / -0 against the previous list).",
        "Warning: the store holds no bars for 1 of them: XYZQ (a typo, or not refreshed yet); "
        "they stay in the list but count in no table or rating until 'xlsrc refresh "
        "--universe bad' or an import brings their bars.",
    ]
    # (not "good": GOOD is a ticker the store holds, refused as a universe name)
    status, out, _ = run(capsys, "universe", "set", "goodlist", "VICR,ICHR", "--store", store)
    assert status == 0 and "Warning" not in out


# --------------------------------------------------------------------------- D17
def test_ctrl_c_after_the_import_committed_says_what_was_stored(
    capsys, store, tmp_path, monkeypatch
):
    path = write(tmp_path, "ZZC.csv", "date,close\n2026-01-05,10\n2026-01-06,10.2\n")
    real_flush = sys.stdout.flush
    hits = []

    def flush():  # the Ctrl-C lands at the flush after the summary was printed
        if not hits:
            hits.append(1)
            raise KeyboardInterrupt
        real_flush()

    monkeypatch.setattr(sys.stdout, "flush", flush)
    status = cli.main(["import-csv", str(path), "--store", store])
    out, err = capsys.readouterr()
    assert status == 130 and hits == [1]
    assert out.startswith("Imported 2 rows from ZZC.csv")
    assert err.startswith("xlsrc: interrupted") and "the store changed (data version" in err
    assert len(open_store(store).read_bars(["ZZC"])) == 2


def test_a_ctrl_c_after_the_command_finished_is_ignored():
    import xlsrc.__main__ as entry
    from xlsrc._process import mark_command

    before = signal.getsignal(signal.SIGINT)
    # as in a terminal: a shell running the tests in the background ignores SIGINT, and
    # the entry point then (rightly) leaves it ignored
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        entry._note_interrupts()
        handler = signal.getsignal(signal.SIGINT)
        assert callable(handler)
        mark_command(finished=True)
        handler(signal.SIGINT, None)  # no KeyboardInterrupt: the command's status stands
        mark_command(finished=False)
        with pytest.raises(KeyboardInterrupt):
            handler(signal.SIGINT, None)
    finally:
        signal.signal(signal.SIGINT, before)
        entry._SIGNALLED.clear()
        mark_command(finished=False)


# --------------------------------------------------------------------------- D22
@pytest.fixture
def refresh_store(tmp_path):
    return make_store(tmp_path, recorded("batch"), "2026-01-15")


def test_since_after_the_last_closed_session_is_refused_before_any_download(refresh_store):
    fake = FakeDownloader(recorded("batch"))
    now = pd.Timestamp("2026-03-02 23:00", tz="UTC")  # a Monday after the close
    with pytest.raises(InvalidParameterError) as info:
        refresh(refresh_store, ["QQQ"], since="2030-01-01", downloader=fake, now=now)
    assert str(info.value).startswith(
        "--since 2030-01-01 is after the last closed session (2026-03-02)"
    )
    assert fake.calls == []


class UnreachableDownloader(FakeDownloader):
    """A transport that answers like yf.download offline and knows the name lookup failed."""

    def unreachable(self):
        return "the name query2.finance.yahoo.com does not resolve: Name or service not known"


def offline_answer(tickers, start, end):
    from yahoo_fake import recorder
    from yfinance.utils import empty_df

    frame = recorder.assemble({t.upper(): empty_df() for t in tickers})
    frame.attrs["errors"] = {t.upper(): "possibly delisted; no timezone found" for t in tickers}
    return frame


def test_no_network_fails_at_once_when_yahoo_does_not_resolve(refresh_store):
    sleep = SleepRecorder()
    fake = UnreachableDownloader(recorded("batch"), faults=[offline_answer] * 5)
    version = refresh_store.identity()[1]
    with pytest.raises(DataSourceError) as info:
        refresh(refresh_store, ["SPY", "QQQ"], downloader=fake, sleep=sleep, end="2026-02-28")
    assert str(info.value).startswith("No network")
    assert "does not resolve" in str(info.value)
    # decided before the first download (review 2, item 14): no call, no backoff
    assert fake.calls == [] and sleep.calls == []
    assert refresh_store.identity()[1] == version


def test_unreachable_is_a_name_lookup_and_a_proxy_makes_no_claim(monkeypatch):
    from xlsrc.data import yahoo

    for name in yahoo.PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)

    def fail(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", fail)
    assert yahoo.unreachable() == (
        "the name query2.finance.yahoo.com does not resolve: Name or service not known"
    )
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    assert yahoo.unreachable() is None
    monkeypatch.delenv("HTTPS_PROXY")
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: [("ok",)])
    assert yahoo.unreachable() is None


def test_the_progress_bar_is_not_drawn_into_a_pipe(tmp_path, monkeypatch, capsys):
    import xlsrc.data as data_api
    import xlsrc.data.refresh as refresh_module

    store = make_store(tmp_path, recorded("batch"), "2026-01-15")
    monkeypatch.setattr(
        refresh_module, "YFinanceDownloader", lambda: FakeDownloader(recorded("batch"))
    )
    monkeypatch.setattr(refresh_module, "default_end", lambda now=None: pd.Timestamp("2026-02-28"))
    monkeypatch.setattr(data_api, "open_store", lambda location=None, **kw: store)
    err = io.StringIO()  # not a terminal, as a pipe or a file is not
    monkeypatch.setattr(sys, "stderr", err)
    status = cli.main(["refresh", "QQQ"])  # no --quiet
    out, _ = capsys.readouterr()
    assert status == 0 and out.startswith("Refresh: 2 of 2 tickers updated")
    assert "\r" not in err.getvalue() and "ticker/s" not in err.getvalue()
    assert "refresh:" not in err.getvalue()


def test_ticker_matching_no_row_of_the_file_names_its_symbols(capsys, store, tmp_path):
    text = "ticker,date,close\nICHR.US,2026-01-05,20.94\nNASDAQ:UCTT,2026-01-05,30.0\n"
    path = write(tmp_path, "mixed.csv", text)
    status, out, err = run(capsys, "import-csv", str(path), "--ticker", "VICR", "--store", store)
    assert status == 1 and out == ""
    assert err == (
        f"xlsrc: error: {path}, line 1: no data rows for VICR (its symbol column has ICHR.US, "
        "NASDAQ:UCTT)\n"
    )


# --------------------------------------------------------------------------- review 2, item 1
def test_ticker_contradicting_the_symbol_column_stores_nothing(capsys, store, tmp_path):
    # shared closes: UCTT 47.2 / 44.14 and ICHR 33.28 / 33.07 on 2026-01-21 / 2026-01-22
    path = write(tmp_path, "UCTT_rows.csv", "Symbol,Date,Close\nUCTT,2026-01-21,47.2\n"
                 "UCTT,2026-01-22,44.14\n")  # fmt: skip
    status, out, err = run(capsys, "import-csv", str(path), "--ticker", "ICHR", "--store", store)
    assert status == 1 and out == ""
    assert err == (
        f"xlsrc: error: {path}: --ticker ICHR contradicts the file: its Symbol column names "
        "'UCTT' (UCTT), so these are UCTT's prices, not ICHR's. Import without --ticker to "
        "store them as UCTT; if the file's symbol is wrong, fix it in the file or leave the "
        "column unread with --map Symbol=ignore\n"
    )
    got = open_store(store).read_bars(["ICHR"], start="2026-01-21", end="2026-01-22")
    assert got["close"].tolist() == [33.28, 33.07]


# --------------------------------------------------------------------------- review 2, item 3
def test_three_unadjusted_rows_over_the_adjusted_history_are_refused(capsys, store, tmp_path):
    # the last 3 rows of the unadjusted XLE file against the snapshot's adjusted closes
    # (shared closes): 54.35 / 53.6106, 53.75 / 53.0187, 54.78 / 54.0347 are all x1.0138
    # (54.349998474121094 / 53.6106 = 1.01379...); stored, 2026-02-13's 1D return would go
    # from 53.6106 / 53.2456 - 1 = +0.69 % to 54.35 / 53.2456 - 1 = +2.07 %.
    rows = UNADJUSTED_XLE.read_text(encoding="utf-8").splitlines()
    path = write(tmp_path, "XLE.csv", "\n".join([rows[0], *rows[-3:]]) + "\n")
    status, out, err = run(capsys, "import-csv", str(path), "--store", store)
    assert status == 1 and out == ""
    assert err == (
        f"xlsrc: error: {path}, line 2: XLE: the new closes differ from the stored ones on 3 "
        "of the 3 stored days they overlap (2026-02-13..2026-02-18), by x1.014 to x1.014 (on "
        "2026-02-13 stored 53.6106, new 54.35): another basis or security? (fewer than 5 "
        "overlapping days cannot tell it from corrections). Mixed with the stored days they "
        "would make steps that never happened; to make them XLE's history from 2026-02-13 on "
        "instead (stored days after them go too), import with --replace; if they are "
        "corrections of those days, import with --overwrite (nothing was stored)\n"
    )
    got = open_store(store).read_bars(["XLE"], start="2026-02-12", end="2026-02-18")
    assert got["close"].tolist() == [53.2456, 53.6106, 53.0187, 54.0347]


def test_a_one_day_correction_is_stored_only_with_overwrite(capsys, store, tmp_path):
    # XLE's stored close on 2026-02-13 is 53.6106 (shared closes); a file corrects it to
    # 53.71: 53.71 / 53.6106 - 1 = +0.185 % (over 0.1 % and over a cent: a difference)
    path = write(tmp_path, "XLE_fix.csv", "Date,Close\n2026-02-13,53.71\n")
    status, out, err = run(capsys, "import-csv", str(path), "--ticker", "XLE", "--store", store)
    assert status == 1 and "1 of the 1 stored day they overlap (2026-02-13)" in err
    status, out, err = run(capsys, "import-csv", str(path), "--ticker", "XLE", "--overwrite",
                           "--store", store)  # fmt: skip
    assert status == 0, err
    assert out.splitlines()[1].startswith(
        "1 stored day of XLE overwritten; 1 close changed: +0.2% on 2026-02-13: 53.6106 -> 53.71"
    )
    got = open_store(store).read_bars(["XLE"], start="2026-02-12", end="2026-02-17")
    assert got["close"].tolist() == [53.2456, 53.71, 53.0187]


# --------------------------------------------------------------------------- review 2, item 2
HOLDINGS = Path(__file__).parent / "fixtures" / "holdings"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("sp1500", "ICHR,UCTT"), "sp1500 is computed by xlsrc (sp500 + sp400 + sp600) and "
         "cannot be saved as a universe: choose another name"),
        (("w2", "ICHR"), "universe w2 needs at least two members (got 1: ICHR): a rating or "
         "breadth of one stock against itself is 99 or 100% whatever it does"),
        (("ICHR", "VICR,UCTT"), "ichr is a ticker the store holds (ICHR): a universe of that "
         "name would be mistaken for it in a formula; choose another name"),
        (("sp600", "ICHR,UCTT", "--replace"), "2 members cannot be the S&P SmallCap 600 "
         "(sp600), which has 585 to 615: import the holdings file of a fund tracking it (its "
         "fund named in the file's first line or file name), or save the list under a name "
         "of your own"),
    ],
)  # fmt: skip
def test_universe_set_keeps_the_universe_safeguards(capsys, store, argv, message):
    status, out, err = run(capsys, "universe", "set", *argv, "--store", store)
    assert status == 1 and out == ""
    assert err == f"xlsrc: error: {message}\n"
    assert len(open_store(store).universes()["sp600"]) == 595  # the bundled list


def test_a_russell_2000_file_is_not_imported_as_the_sp600(capsys, store):
    path = HOLDINGS / "IWM_holdings_2026-05-05_excerpt.csv"
    status, out, err = run(capsys, "universe", "import", "sp600", str(path), "--replace",
                           "--store", store)  # fmt: skip
    assert status == 1 and out == ""
    assert err == (
        "xlsrc: error: iShares Russell 2000 ETF tracks the Russell 2000 (r2000), not the S&P "
        "SmallCap 600 (sp600): import it as r2000, or under a name of your own\n"
    )
    assert len(open_store(store).universes()["sp600"]) == 595


# --------------------------------------------------------------------------- review 2, item 11
@pytest.mark.parametrize("location", ["", "  "])
def test_an_empty_store_location_is_named(capsys, monkeypatch, tmp_path, location):
    monkeypatch.setenv("XLSRC_STORE", str(tmp_path / "env.sqlite"))
    status, out, err = run(capsys, "status", "--store", location)
    assert status == 1 and out == ""
    assert err == (
        f"xlsrc: error: The store location is empty ({location!r}): give a file path, "
        f"'memory:' or a postgresql:// URL, or give none to use {tmp_path / 'env.sqlite'}\n"
    )
    assert list(tmp_path.iterdir()) == []
