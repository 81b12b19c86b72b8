"""What a write does to stored days and to the market's ends (review 1: D5, D6, D11).

The tiny snapshot (``tiny_snapshot``): AAA closes 10, 11, ..., 15 with volume 100, 200,
..., 600 on the six sessions 2026-01-05..01-12; BBB closes 22..25 from 2026-01-07; ^IDX
1000..1005 (used as the benchmark here: the tiny snapshot has no SPY); no open/high/low.
Every expected value is that arithmetic on those numbers.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from tiny_snapshot import DATES, make_snapshot

from xlsrc.data import ingest_bars, load_matrices, open_store
from xlsrc.data.ingest import Overwritten
from xlsrc.errors import BarsRefusedError

NOW = pd.Timestamp("2026-11-30 23:00", tz="UTC")
NEXT = pd.Timestamp("2026-01-13")  # the session after the tiny snapshot's last (a Tuesday)
BENCH = "^IDX"


def frame(rows, columns=("ticker", "date", "close")):
    return pd.DataFrame(rows, columns=list(columns))


@pytest.fixture
def store(tmp_path: Path):
    return open_store("memory:", snapshot=make_snapshot(tmp_path / "snap"))


def bar(store, ticker, day):
    got = store.read_bars([ticker], start=day, end=day)
    assert len(got) == 1
    return got.iloc[0]


# ------------------------------------------------------------------ D6: upsert per field
def test_a_file_of_closes_keeps_the_stored_volume_of_its_days(store):
    result = ingest_bars(store, frame([("AAA", DATES[1], 11.0)]), "csv:z", now=NOW)
    got = bar(store, "AAA", DATES[1])
    assert got["close"] == 11.0 and got["volume"] == 200  # the snapshot's 2nd day
    assert result.overwritten == {
        "AAA": Overwritten(days=1, changed=0, largest=None, kept=("volume",))
    }
    assert result.lines() == [
        "1 stored day of AAA overwritten with the same closes (volume kept from the store: "
        "the input has none)."
    ]


def test_an_empty_cell_keeps_the_stored_value_a_filled_one_replaces_it(store):
    """Review 3: an empty volume cell deleted the stored volume, and with it every relative
    volume reading that day (ICHR's of 2026-01-22 moved from 0.8925 to 0.8457 unannounced).
    An empty cell is lacking, as a missing column is; a replaced history takes it as is."""
    cols = ("ticker", "date", "close", "volume")
    rows = frame([("AAA", DATES[1], 11.0, np.nan), ("AAA", DATES[2], 12.0, 333.0)], cols)
    result = ingest_bars(store, rows, "csv:z", now=NOW)
    assert bar(store, "AAA", DATES[1])["volume"] == 200  # the snapshot's, kept
    assert bar(store, "AAA", DATES[2])["volume"] == 333  # the input's
    assert result.overwritten["AAA"].kept == ("volume",)
    assert result.lines()[0].endswith("(volume kept from the store: the input has none).")
    # replace=True: the file is the history, an empty cell is unknown
    again = frame([("AAA", DATES[0], 10.0, np.nan)], cols)
    ingest_bars(store, again, "csv:z", now=NOW, replace=True, allow_other_basis=True)
    assert pd.isna(bar(store, "AAA", DATES[0])["volume"])


def test_open_high_low_are_kept_only_for_a_close_inside_the_stored_range(store):
    cols = ("ticker", "date", "open", "high", "low", "close")
    ingest_bars(
        store,
        frame([("CCC", DATES[0], 10, 12, 9, 11), ("CCC", DATES[1], 11, 13, 10, 12)], cols),
        "csv:full",
        now=NOW,
    )
    # 11.5 lies in 9..12: the stored open/high/low still describe its day; 14 is above
    # the stored high 13: they described another close and become unknown
    result = ingest_bars(
        store,
        frame([("CCC", DATES[0], 11.5), ("CCC", DATES[1], 14.0)]),
        "csv:z",
        now=NOW,
        allow_other_basis=True,  # 2 of 2 days differ: corrections only when asked
    )
    first, second = bar(store, "CCC", DATES[0]), bar(store, "CCC", DATES[1])
    assert (first["open"], first["high"], first["low"], first["close"]) == (10, 12, 9, 11.5)
    assert second["close"] == 14.0
    assert pd.isna(second["open"]) and pd.isna(second["high"]) and pd.isna(second["low"])
    # changes: 11.5/11 - 1 = +4.5 %, 14/12 - 1 = +16.7 % (the largest)
    assert result.overwritten["CCC"] == Overwritten(
        days=2, changed=2, largest=(DATES[1], 12.0, 14.0), kept=("open", "high", "low")
    )
    assert result.lines() == [
        "2 stored days of CCC overwritten; 2 closes changed, the largest +16.7% on "
        "2026-01-06: 12 -> 14 (open, high, low kept from the store: the input has none)."
    ]


def test_one_corrected_close_is_named_with_its_change(store):
    # one overlapping day cannot tell a correction from another basis: refused unless asked
    with pytest.raises(BarsRefusedError, match="import with --overwrite"):
        ingest_bars(store, frame([("AAA", DATES[1], 11.55)]), "csv:fix", now=NOW)
    result = ingest_bars(
        store, frame([("AAA", DATES[1], 11.55)]), "csv:fix", now=NOW, allow_other_basis=True
    )
    # 11.55 / 11 - 1 = +5.0 %
    assert result.lines() == [
        "1 stored day of AAA overwritten; 1 close changed: +5.0% on 2026-01-06: 11 -> 11.55 "
        "(volume kept from the store: the input has none)."
    ]


# ------------------------------------------------------------------ D6: another basis
def _scaled(factors):
    """AAA's stored closes 10..15 times ``factors``, day by day from the first."""
    days = DATES[: len(factors)]
    return frame(
        [("AAA", d, (10.0 + i) * f) for i, (d, f) in enumerate(zip(days, factors, strict=True))]
    )


def test_closes_on_another_adjustment_basis_are_refused(store):
    before = store.read_bars()
    with pytest.raises(BarsRefusedError) as info:
        ingest_bars(store, _scaled([0.98] * 6), "csv:unadj", now=NOW)
    (problem,) = info.value.problems
    assert problem.rule == "basis" and problem.row == 0 and problem.date == DATES[0]
    assert problem.message.startswith(
        "AAA: the new closes differ from the stored ones on 6 of the 6 stored days they "
        "overlap (2026-01-05..2026-01-12), by x0.98 to x0.98 (on 2026-01-05 stored 10, new "
        "9.8): another adjustment basis"
    )
    assert problem.message.endswith(
        "import with --replace; if they are corrections of those days, import with --overwrite"
    )
    pd.testing.assert_frame_equal(store.read_bars(), before)


def test_closes_of_another_series_are_refused_and_called_so(store):
    # ratios 1.05, 0.95, 1.05, 0.95, 1.05, 0.95: not constant between steps
    with pytest.raises(BarsRefusedError) as info:
        ingest_bars(store, _scaled([1.05, 0.95] * 3), "csv:other", now=NOW)
    assert "6 of the 6 stored days" in str(info.value)
    assert "another price series (another security or data source?)" in str(info.value)


def test_half_the_overlap_differing_is_another_basis_less_is_corrections(store):
    # review 2, item 3: half or more of the overlap differing is refused (5 of 6, 3 of 6;
    # until then 5 differing days were needed too, and 4 or 3 of 6 were stored silently)
    with pytest.raises(BarsRefusedError, match=r"on 5 of the 6 stored days"):
        ingest_bars(store, _scaled([1.02] * 5 + [1.0]), "csv:x", now=NOW)
    with pytest.raises(BarsRefusedError, match=r"on 3 of the 6 stored days") as info:
        ingest_bars(store, _scaled([1.0, 1.02, 1.0, 1.02, 1.0, 1.02]), "csv:x", now=NOW)
    # the days that differ are named: the 2nd, 4th and 6th sessions
    assert "The days that differ: 2026-01-06, 2026-01-08, 2026-01-12." in str(info.value)
    # ... 2 of 6 is a correction of a few days: stored, and counted
    result = ingest_bars(store, _scaled([1.02] * 2 + [1.0] * 4), "csv:x", now=NOW)
    assert result.overwritten["AAA"].days == 6 and result.overwritten["AAA"].changed == 2
    # a cent of rounding is no difference: 10.004 against 10
    result = ingest_bars(store, _scaled([1.0004] * 6), "csv:r", now=NOW)
    assert result.overwritten["AAA"].changed == 6  # reported as changed, not refused


def test_a_large_correction_is_not_taken_without_being_asked(store):
    """Review 3: 4 of 10 real ICHR days x1.3 were stored as "corrections" (+30 % / -23 %
    zig-zags). 2 of 6 days differing is a minority, but the larger, x1.3 on the 2nd session
    (AAA 11 -> 14.3), is above the 10 % an unasked correction may move a close."""
    with pytest.raises(BarsRefusedError) as info:
        ingest_bars(store, _scaled([1.0, 1.3, 1.0, 1.05, 1.0, 1.0]), "csv:x", now=NOW)
    text = str(info.value)
    assert "on 2 of the 6 stored days" in text
    assert "a correction of more than 10% (x1.3 on 2026-01-06)" in text
    assert "import with --overwrite" in text
    assert bar(store, "AAA", DATES[1])["close"] == 11.0  # nothing stored
    # under 10 % is still a correction (11 -> 11.99, +9 %, on the 2nd session)
    ingest_bars(store, _scaled([1.0, 1.09, 1.0, 1.0, 1.0, 1.0]), "csv:y", now=NOW)
    assert bar(store, "AAA", DATES[1])["close"] == pytest.approx(11.99)
    # asked for: stored, and the largest change named (11.99 -> 14.3)
    result = ingest_bars(
        store, _scaled([1.0, 1.3, 1.0, 1.05, 1.0, 1.0]), "csv:x", now=NOW, allow_other_basis=True
    )
    assert result.overwritten["AAA"].changed == 2
    assert result.overwritten["AAA"].largest[2] == pytest.approx(14.3)


def test_a_short_overlap_with_a_differing_day_is_refused_even_with_new_days(store):
    # review 2, item 3, a case of the kind nobody gave: AAA's last stored close is 15 on
    # 2026-01-12; a file repeats that day at 15.75 (x1.05) and goes on to two new days.
    # One overlapping day cannot tell a correction from another basis: refused, naming it.
    rows = frame(
        [("AAA", DATES[5], 15.75), ("AAA", NEXT, 16.0), ("AAA", NEXT + pd.Timedelta(days=1), 16.2)]
    )
    before = store.read_bars()
    with pytest.raises(BarsRefusedError) as info:
        ingest_bars(store, rows, "csv:x", now=NOW)
    (problem,) = info.value.problems
    assert (problem.rule, problem.row, problem.date) == ("basis", 0, DATES[5])
    assert problem.message.startswith(
        "AAA: the new closes differ from the stored ones on 1 of the 1 stored day they "
        "overlap (2026-01-12), by x1.05 (on 2026-01-12 stored 15, new 15.75): another basis "
        "or security? (fewer than 5 overlapping days cannot tell it from corrections)."
    )
    pd.testing.assert_frame_equal(store.read_bars(), before)
    # the same overlap with the stored close (within a cent) is no difference: stored
    same = frame([("AAA", DATES[4], 14.0), ("AAA", DATES[5], 15.004), ("AAA", NEXT, 16.0)])
    result = ingest_bars(store, same, "csv:y", now=NOW)
    assert result.tickers["AAA"] == (3, DATES[4], NEXT)


def test_a_minority_of_a_short_overlap_differing_is_still_refused(store):
    # 1 of 4 overlapping days differs (11 -> 11.5 on 2026-01-06): under half, but 4 days
    # are fewer than BASIS_MIN_DAYS (5), too few to call it a correction unasked
    rows = frame([("AAA", d, c) for d, c in zip(DATES[:4], [10.0, 11.5, 12.0, 13.0], strict=True)])
    with pytest.raises(BarsRefusedError) as info:
        ingest_bars(store, rows, "csv:x", now=NOW)
    message = info.value.problems[0].message
    assert "on 1 of the 4 stored days they overlap (2026-01-05..2026-01-08), by x1.045" in message
    assert "too few overlapping days (fewer than 5) to tell corrections from another" in message
    assert "The days that differ: 2026-01-06." in message
    # asked for: stored as a correction (11.5 / 11 - 1 = +4.5 %)
    result = ingest_bars(store, rows, "csv:x", now=NOW, allow_other_basis=True)
    assert result.overwritten["AAA"].changed == 1
    assert bar(store, "AAA", DATES[1])["close"] == 11.5


def test_replace_takes_another_basis_and_reports_what_it_removed(store):
    rows = _scaled([0.98] * 4)  # 9.8, 10.78, 11.76, 12.74 on 01-05..01-08
    result = ingest_bars(store, rows, "csv:unadj", replace=True, now=NOW)
    got = store.read_bars(["AAA"])
    assert got["close"].tolist() == pytest.approx([9.8, 10.78, 11.76, 12.74])
    over = result.overwritten["AAA"]
    assert (over.days, over.changed, over.removed) == (4, 4, 2)  # 01-09 and 01-12 go


# ------------------------------------------------------------------ D5: the latest session
def test_the_benchmark_alone_past_the_latest_session_is_refused(store):
    before = store.read_bars()
    with pytest.raises(BarsRefusedError) as info:
        ingest_bars(store, frame([(BENCH, NEXT, 1010.0)]), "csv:b", now=NOW, benchmark=BENCH)
    (problem,) = info.value.problems
    assert problem.rule == "latest"
    assert problem.message.startswith(
        "^IDX: only the benchmark ^IDX has bars after 2026-01-12, the market's latest "
        "session: storing them moves every ticker's latest session to 2026-01-13, where "
        "none of the other 2 tickers has a bar"
    )
    pd.testing.assert_frame_equal(store.read_bars(), before)


def test_a_moved_latest_session_is_said_with_its_coverage(store):
    result = ingest_bars(
        store,
        frame([(BENCH, NEXT, 1010.0)]),
        "csv:b",
        now=NOW,
        benchmark=BENCH,
        move_latest=True,
    )
    moved = result.moved
    assert moved is not None
    assert (moved.before, moved.after, moved.with_bar, moved.tickers) == (DATES[-1], NEXT, 1, 3)
    # 1010 / 1005 - 1 = +0.5 %
    assert str(moved) == (
        "The market's latest session moves from 2026-01-12 to 2026-01-13 (^IDX 1005 -> 1010, "
        "+0.5%): 1 of 3 tickers has a bar that day; the others carry their last close until "
        "refreshed."
    )
    assert load_matrices(store, benchmark=BENCH).latest == NEXT


def test_the_benchmark_with_other_tickers_moves_the_market_without_refusal(store):
    rows = [(BENCH, NEXT, 1006.0), ("AAA", NEXT, 15.5)]
    result = ingest_bars(store, frame(rows), "csv:b", now=NOW, benchmark=BENCH)
    assert result.moved is not None and result.moved.with_bar == 2
    assert str(result.moved).endswith(
        ": 2 of 3 tickers have a bar that day; the others carry their last close until refreshed."
    )
    # a write that does not reach past the latest session says nothing about it
    again = ingest_bars(store, frame([("BBB", NEXT, 25.5)]), "csv:c", now=NOW, benchmark=BENCH)
    assert again.moved is None


def test_an_implausible_benchmark_close_is_refused_like_any_other(store):
    # 10.05 after 1005: x0.01, a unit switch (cents); the gate refuses it for ^IDX too
    with pytest.raises(BarsRefusedError) as info:
        ingest_bars(
            store,
            frame([(BENCH, NEXT, 10.05), ("AAA", NEXT, 15.5)]),
            "csv:b",
            now=NOW,
            benchmark=BENCH,
        )
    assert [p.rule for p in info.value.problems] == ["jump"]


# ------------------------------------------------------------------ D11: the first session
def test_bars_before_the_benchmarks_first_bar_are_counted_not_used(store):
    old = pd.Timestamp("2025-12-30")
    rows = [("ZZZ", old, 5.0), ("ZZZ", "2025-12-31", 5.1), ("ZZZ", DATES[0], 5.2)]
    result = ingest_bars(store, frame(rows), "csv:old", now=NOW, benchmark=BENCH)
    assert result.first_session == DATES[0] and result.before_first == {"ZZZ": 2}
    assert result.lines() == [
        "2 bars before 2026-01-05, the benchmark's first session, are stored but not used (ZZZ 2)."
    ]
    m = load_matrices(store, benchmark=BENCH)
    assert m.close.index.equals(pd.DatetimeIndex(DATES, name="date"))
    assert m.before.to_dict() == {"ZZZ": 2}
    assert m.close.loc[DATES[0], "ZZZ"] == 5.2
    # the bars are stored all the same
    assert len(store.read_bars(["ZZZ"])) == 3


def test_a_ticker_with_bars_only_before_the_first_session_has_no_column(store):
    rows = [("OLD", "2025-12-29", 5.0), ("OLD", "2025-12-30", 5.1)]
    ingest_bars(store, frame(rows), "csv:old", now=NOW, benchmark=BENCH)
    m = load_matrices(store, benchmark=BENCH)
    assert "OLD" not in m.close.columns and m.before.to_dict() == {"OLD": 2}
    assert len(m.close.index) == 6


def test_a_volume_ten_times_off_the_stored_one_is_refused_unless_asked(store):
    """Review 4: XLE's 43,034,600 overwritten by 1,200 made REL_VOLUME 0.00003. AAA's
    stored volume on the 2nd session is 200 (tiny snapshot): 20 (x0.1), 0 and 2,000 (x10)
    are refused; 150 (x0.75, a vendor's count) is stored; --overwrite takes 20."""
    cols = ("ticker", "date", "close", "volume")
    for wrong in (20.0, 0.0, 2000.0):
        with pytest.raises(
            BarsRefusedError, match=r"volume on 2026-01-06 would go from 200 stored"
        ):
            ingest_bars(store, frame([("AAA", DATES[1], 11.0, wrong)], cols), "csv:v", now=NOW)
        assert bar(store, "AAA", DATES[1])["volume"] == 200
    ingest_bars(store, frame([("AAA", DATES[1], 11.0, 150.0)], cols), "csv:v", now=NOW)
    assert bar(store, "AAA", DATES[1])["volume"] == 150
    ingest_bars(
        store,
        frame([("AAA", DATES[1], 11.0, 20.0)], cols),
        "csv:v",
        now=NOW,
        allow_other_basis=True,
    )
    assert bar(store, "AAA", DATES[1])["volume"] == 20
