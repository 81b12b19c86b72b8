"""The one write path: policies, the junction with stored bars, and what one ticker cannot move.

Issue 9's store-level cases: one ticker's extra days never move the market's latest day
(case 2); a refused input changes nothing; a property test that any generated input either
is refused with nothing changed or leaves every other ticker's values exactly as they were.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tiny_snapshot import DATES, make_snapshot

from xlsrc.data import ingest_bars, load_matrices, open_store
from xlsrc.errors import BarsRefusedError

NOW = pd.Timestamp("2026-11-30 23:00", tz="UTC")


def frame(rows):
    return pd.DataFrame(rows, columns=["ticker", "date", "close"])


@pytest.fixture
def store(tmp_path: Path):
    return open_store("memory:", snapshot=make_snapshot(tmp_path / "snap"))


def test_policy_all_refuses_the_whole_input(store):
    rows = [("AAA", DATES[-1] + pd.offsets.BDay(), 16.0), ("BBB", "2026-01-17", 26.0)]
    with pytest.raises(BarsRefusedError) as info:
        ingest_bars(store, frame(rows), "csv:x", now=NOW)
    assert str(info.value) == (
        "Refused, nothing stored: BBB: 2026-01-17 is a Saturday, not an NYSE session"
    )
    assert [p.row for p in info.value.problems] == [1]
    assert store.identity()[1:] == (0, 0)


def test_policy_ticker_keeps_the_good_tickers_and_names_the_others(store):
    day = DATES[-1] + pd.offsets.BDay()
    rows = [("AAA", day, 16.0), ("BBB", day, 0.26)]  # BBB 25 -> 0.26: x0.0104, cents
    result = ingest_bars(store, frame(rows), "yahoo", policy="ticker", now=NOW)
    assert result.rows == 1 and list(result.tickers) == ["AAA"]
    assert set(result.refused) == {"BBB"} and "x0.0104" in result.refused["BBB"]
    assert store.read_bars("BBB", start=day).empty


def test_the_junction_with_the_snapshot_is_checked(store):
    # AAA closes 15 on the snapshot's last day; a first new day at 0.15 is a unit switch
    day = DATES[-1] + pd.offsets.BDay()
    with pytest.raises(BarsRefusedError, match=r"AAA: close falls 99\.0% from 15 on 2026-01-12"):
        ingest_bars(store, frame([("AAA", day, 0.15)]), "csv:x", now=NOW)
    # ... and a history that replaces the snapshot's from day 3 is compared with day 2 only
    rows = [("AAA", d, 12.5 + i) for i, d in enumerate(DATES[2:])]
    result = ingest_bars(store, frame(rows), "csv:x", replace=True, now=NOW)
    assert result.rows == 4


def test_one_tickers_extra_days_do_not_move_the_latest_session(tmp_path: Path):
    """Issue 9, case 2: two bars after the market's last day for one ticker."""
    store = open_store("memory:", snapshot=make_snapshot(tmp_path / "snap"))
    before = load_matrices(store)
    extra = [DATES[-1] + pd.offsets.BDay(1), DATES[-1] + pd.offsets.BDay(2)]
    ingest_bars(store, frame([("BBB", extra[0], 25.5), ("BBB", extra[1], 26.0)]), "t", now=NOW)
    after = load_matrices(store)
    assert after.latest == before.latest == DATES[-1]
    assert after.close.index.equals(before.close.index)
    assert after.ahead.to_dict() == {"BBB": 2}
    pd.testing.assert_frame_equal(after.close, before.close)
    # once the market's data reach those days (most tickers have them), they count
    ingest_bars(store, frame([("AAA", d, 15.0 + i) for i, d in enumerate(extra, 1)]), "t", now=NOW)
    later = load_matrices(store)
    assert later.latest == extra[1] and later.close.loc[extra[1], "BBB"] == 26.0


@pytest.mark.skipif(
    not (Path(__file__).resolve().parents[2] / "shared" / "data").exists(),
    reason="shared data not available",
)
def test_one_ticker_ahead_of_the_benchmark_in_the_real_store(tmp_path: Path):
    """Issue 9, case 2 on the bundled snapshot: ICHR on 2026-08-04 and 08-05, SPY not."""
    store = open_store(tmp_path / "x.sqlite")
    before = load_matrices(store)
    rows = [
        ("ICHR", "2026-08-04", before.close["ICHR"].iloc[-1] * 1.01),
        ("ICHR", "2026-08-05", before.close["ICHR"].iloc[-1] * 1.02),
    ]
    ingest_bars(store, frame(rows), "t", now=NOW)
    after = load_matrices(store)
    assert after.latest == pd.Timestamp("2026-08-03") and len(after.close.index) == 648
    spy = after.close["SPY"]
    assert (
        spy.iloc[-1] / spy.iloc[-6] - 1
        == before.close["SPY"].iloc[-1] / before.close["SPY"].iloc[-6] - 1
    )


# ---------------------------------------------------------------------- property
SESSIONS = list(pd.bdate_range("2025-12-22", "2026-01-16"))  # includes 12-25, 01-01 holidays
DAYS = st.sampled_from([*SESSIONS, pd.Timestamp("2026-01-17"), pd.Timestamp("2027-03-01")])
CLOSES = st.one_of(
    st.floats(min_value=0.5, max_value=50.0),
    st.sampled_from([0.0, -1.0, float("nan"), 1500.0]),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(
        st.tuples(st.sampled_from(["NEW", "AAA", "new", "A$B"]), DAYS, CLOSES),
        min_size=1,
        max_size=12,
    ),
    replace=st.booleans(),
)
def test_any_input_is_refused_with_nothing_changed_or_touches_only_its_tickers(
    tmp_path_factory, rows, replace
):
    snap = make_snapshot(tmp_path_factory.mktemp("snap"))
    store = open_store("memory:", snapshot=snap)
    before = load_matrices(store)
    identity = store.identity()
    bars_before = store.read_bars()
    try:
        result = ingest_bars(store, frame(rows), "prop", replace=replace, now=NOW)
    except BarsRefusedError:
        assert store.identity() == identity
        pd.testing.assert_frame_equal(store.read_bars(), bars_before)
        return
    written = set(result.tickers)
    after = load_matrices(store)
    assert after.latest == before.latest  # NEW/AAA alone never move the market's day
    for ticker in before.close.columns:
        if ticker in written:
            continue
        np.testing.assert_array_equal(
            after.close.loc[before.close.index, ticker].to_numpy(), before.close[ticker].to_numpy()
        )
        assert after.last_bar[ticker] == before.last_bar[ticker]


def test_without_the_benchmark_fewer_than_half_of_the_tickers_never_move_the_latest_session():
    """Without SPY the latest session is the latest date at least half of the tickers reach."""
    from xlsrc.data.matrices import latest_session_of

    d1, d2, d3 = pd.Timestamp("2026-01-12"), pd.Timestamp("2026-01-13"), pd.Timestamp("2026-01-14")
    # one of four tickers a day ahead: a quarter does not move it
    assert latest_session_of(pd.Series({"A": d2, "B": d1, "C": d1, "D": d1})) == d1
    # two of four: half the market is there (the later day on a tie, as before)
    assert latest_session_of(pd.Series({"A": d2, "B": d2, "C": d1, "D": d1})) == d2
    # two of five at d3 (the most common last day, tied with d1): not half, so not d3
    # the latest day at least half reach: C, D, E reach d2; A, B stop at d1
    assert latest_session_of(pd.Series({"A": d1, "B": d1, "C": d2, "D": d3, "E": d3})) == d2
    # the benchmark decides when it is there, whatever the others say
    assert latest_session_of(pd.Series({"SPY": d1, "A": d3, "B": d3})) == d1
