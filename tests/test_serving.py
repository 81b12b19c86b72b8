"""Market.values / Market.value and the real-bar rules, on hand-made matrices.

Every expected value is worked out by hand from the closes written here (see
``hand_market``: one close per business day from Monday 2026-01-05, ``None`` = no trade).

Thirty sessions, rows 0..29 (2026-01-05 .. 2026-02-13; row 23 = 2026-02-05, row 24 =
2026-02-06, row 27 = 2026-02-11):

- FIVE trades rows 0..24 (close 10 + row), then stops: at row 29 its last trade is 5
  sessions back, the limit (``STALE_SESSIONS`` = 5): still valued.
- SIX trades rows 0..23 (close 10 + row): 6 sessions back at row 29: stale.
- HALT trades every row but 25, 26, 27 (a 3-day halt), close 50 + row: valued throughout,
  27 real bars in 30 rows.
- NEW trades rows 20..29 only (close 200 + row): 10 real bars.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hand_market import hand_market

from xlsrc.dashboard import rankings, tables
from xlsrc.errors import (
    InsufficientHistoryError,
    InvalidParameterError,
    NoDataError,
    StaleDataError,
    UnknownTickerError,
    UnknownUniverseError,
)
from xlsrc.market import METRIC_NAMES, SORT_KEYS

ROWS = 30
LAST = "2026-02-13"


def _series(first: int, last: int, base: float, skip: tuple[int, ...] = ()) -> list[float | None]:
    return [base + i if first <= i <= last and i not in skip else None for i in range(ROWS)]


@pytest.fixture(scope="module")
def m():
    return hand_market(
        {
            "FIVE": _series(0, 24, 10),
            "SIX": _series(0, 23, 10),
            "HALT": _series(0, 29, 50, skip=(25, 26, 27)),
            "NEW": _series(20, 29, 200),
        },
        universes={"all4": ["FIVE", "SIX", "HALT", "NEW"]},
    )


def test_the_calendar_is_what_the_docstring_says(m):
    index = m.close.index
    assert len(index) == ROWS and f"{index[-1]:%Y-%m-%d}" == LAST
    assert f"{index[23]:%Y-%m-%d}" == "2026-02-05" and f"{index[24]:%Y-%m-%d}" == "2026-02-06"
    assert f"{index[27]:%Y-%m-%d}" == "2026-02-11"


# --------------------------------------------------------------------------- staleness
def test_five_sessions_without_a_trade_is_still_valued(m):
    assert m.value("FIVE", "close") == 34.0  # 10 + 24, carried
    assert m.value("FIVE", "ret_1d") == 0.0  # 34 / 34 - 1
    # SMA20 over rows 10..29: 20..34 (sum 405) and five carried 34s (170) -> 575 / 20
    assert m.value("FIVE", "pct_from_sma20") == pytest.approx(34 / 28.75 - 1)


def test_six_sessions_without_a_trade_is_not_a_number(m):
    for name in ("close", "ret_1d", "ret_ytd", "pct_from_sma20", "rsi14", "volatility20"):
        with pytest.raises(StaleDataError, match=r"^No trade since 2026-02-05$"):
            m.value("SIX", name)
    # the date of its last bar is what explains it, and stays
    assert m.value("SIX", "last_bar") == pd.Timestamp("2026-02-05")
    row = m.metrics().loc["SIX"]
    assert row.drop("last_bar").isna().all() and row["last_bar"] == pd.Timestamp("2026-02-05")
    # one session earlier it was 5 sessions stale: valued (close 33 carried)
    assert m.value("SIX", "close", "2026-02-12") == 33.0


def test_a_halted_ticker_is_valued_through_its_halt(m):
    # as of the last halted day (row 27), 3 sessions after its last trade (row 24)
    assert m.value("HALT", "close", "2026-02-11") == 74.0
    assert m.value("HALT", "ret_1d", "2026-02-11") == 0.0
    # after the halt: 1W = close row 29 / close row 24 - 1 = 79 / 74 - 1
    assert m.value("HALT", "ret_1w") == pytest.approx(79 / 74 - 1)


def test_history_minimums_count_real_bars(m):
    # HALT: 30 rows since its first bar, 27 real bars: a 27-day SMA yes, a 28-day one no
    assert m.value("HALT", "pct_from_sma", LAST, 27) == pytest.approx(
        79 / ((sum(range(53, 75)) + 3 * 74 + 78 + 79) / 27) - 1
    )  # rows 3..29: 53..74 real (1397), 74 74 74 carried, 78, 79 -> 1776 / 27
    with pytest.raises(InsufficientHistoryError) as err:
        m.value("HALT", "pct_from_sma", LAST, 28)
    assert str(err.value) == (
        "Too little history for HALT: needs 28 trading days before 2026-02-13, has 27"
    )
    with pytest.raises(InsufficientHistoryError, match=r"needs 22 trading days .* has 10$"):
        m.value("NEW", "ret_1m")


def test_the_metrics_table_applies_the_same_rules(m):
    table = m.metrics()
    assert list(table.columns) == list(METRIC_NAMES)
    assert table.at["FIVE", "close"] == 34.0 and np.isnan(table.at["SIX", "close"])
    assert np.isnan(table.at["NEW", "ret_1m"]) and table.at["NEW", "ret_1w"] == pytest.approx(
        229 / 224 - 1
    )
    # a single value equals the table's, computed either way
    for name in ("close", "ret_1w", "pct_from_sma20", "rsi14", "last_bar"):
        for t in ("FIVE", "SIX", "HALT", "NEW"):
            want = table.at[t, name]
            got = m.metric(t, name, LAST)
            if pd.isna(want) or name == "last_bar":
                assert (pd.isna(got) and pd.isna(want)) or got == want, (t, name)
            else:
                assert got == pytest.approx(want), (t, name)


# --------------------------------------------------------------------------- Values
def test_values_align_to_the_request_with_a_reason_per_gap(m):
    got = m.values(["five", " SIX ", "XYZQ", "", "HALT", "new", "FIVE"], "ret_1w", LAST)
    assert got.tickers == ("FIVE", "SIX", "XYZQ", "", "HALT", "NEW", "FIVE")
    assert got.day == pd.Timestamp(LAST)
    # FIVE: 34 / 34 (row 24 is 5 rows back, its last trade) - 1 = 0
    assert got.values[0] == 0.0 and got.values[6] == 0.0
    assert got.values[4] == pytest.approx(79 / 74 - 1)
    assert got.values[5] == pytest.approx(229 / 224 - 1)
    assert np.isnan(got.values[[1, 2, 3]]).all()
    assert got.reasons[1] == "No trade since 2026-02-05"
    assert got.reasons[2] == "Unknown ticker: XYZQ"
    assert got.reasons[3].startswith("Invalid ticker")
    assert [r is None for r in got.reasons] == [True, False, False, False, True, True, True]
    assert isinstance(got.errors[2], UnknownTickerError)
    assert got.series().index.tolist() == list(got.tickers)
    assert len(got) == 7
    # one ticker as a string
    assert m.values("HALT", "close").values.tolist() == [79.0]


def test_value_raises_the_reason(m):
    with pytest.raises(UnknownTickerError):
        m.value("XYZQ", "close")
    with pytest.raises(NoDataError, match=r"^No price for NEW on or before 2026-01-12$"):
        m.value("NEW", "close", "2026-01-12")
    with pytest.raises(NoDataError, match="No price on or before 2025-12-31"):
        m.value("FIVE", "close", "2025-12-31")  # before the data: for every ticker
    with pytest.raises(InvalidParameterError, match="metric"):
        m.value("FIVE", "ret_2y")


def test_period_return_between_dates(m):
    # from a halted day (row 25: 74 carried) to the last day: 79 / 74 - 1
    assert m.value("HALT", "period_return", LAST, start="2026-02-09") == pytest.approx(79 / 74 - 1)
    got = m.values(["HALT", "NEW", "SIX"], "period_return", LAST, start="2026-01-12")
    assert got.values[0] == pytest.approx(79 / 55 - 1)  # row 5: 55
    assert got.reasons[1] == "No price for NEW on or before 2026-01-12"
    assert got.reasons[2] == "No trade since 2026-02-05"
    with pytest.raises(InvalidParameterError, match="start"):
        m.value("HALT", "period_return", LAST)


def test_rs_line_against_a_benchmark(m):
    assert m.value("NEW", "rs_line", LAST, benchmark="HALT") == pytest.approx(229 / 79)
    with pytest.raises(StaleDataError, match="2026-02-05"):  # the benchmark's reason
        m.value("NEW", "rs_line", LAST, benchmark="SIX")
    with pytest.raises(UnknownTickerError):
        m.value("NEW", "rs_line", LAST, benchmark="NOPE")


# --------------------------------------------------------------------------- breadth, bars
def test_breadth_leaves_out_the_stale_and_the_short(m):
    # 5-day SMA at row 29: FIVE 34 = its SMA (not above), HALT 79 > (74*3+78+79)/5 = 75.8,
    # NEW 229 > 227; SIX stale, not counted -> 2 of 3 (counted, it was 2 of 4)
    assert m.breadth("all4", 5) == pytest.approx(2 / 3)
    # 11-day SMA: NEW has 10 real bars, not counted; FIVE 34 > (29+..+34 + 5*34)/11 =
    # 32.6 and HALT 79 > (69+..+74 + 3*74 + 78 + 79)/11 = 73.5 -> 2 of 2
    assert m.breadth("all4", 11) == 1.0
    # a share needs two members counted (one member's share is 0% or 100%): at 27 days
    # only HALT (27 real bars) counts; FIVE has 25, NEW 10, SIX no trade since row 23
    with pytest.raises(InsufficientHistoryError) as one:
        m.breadth("all4", 27)
    assert str(one.value) == (
        "Breadth (share above the 27-day average) of all4 on 2026-02-13 needs at least 2 "
        "counted members; 1 of 4 is counted (HALT); not counted: FIVE (Too little history "
        "for FIVE: needs 27 trading days before 2026-02-13, has 25); NEW (Too little "
        "history for NEW: needs 27 trading days before 2026-02-13, has 10); SIX (No trade "
        "since 2026-02-05)"
    )
    assert one.value.fields["available"] == 1
    with pytest.raises(InsufficientHistoryError, match="none of 4 are counted; not counted: FIVE"):
        m.breadth("all4", 31)
    with pytest.raises(UnknownUniverseError):
        m.breadth("nowhere", 5)


def test_bars_are_the_days_it_traded(m):
    bars = m.bars("halt", "2026-02-02", None, ["close", "volume"])
    # rows 20..29 without the halt (25, 26, 27)
    assert [f"{d:%m-%d}" for d in bars.index] == [
        "02-02", "02-03", "02-04", "02-05", "02-06", "02-12", "02-13",
    ]  # fmt: skip
    assert bars["close"].tolist() == [70.0, 71.0, 72.0, 73.0, 74.0, 78.0, 79.0]
    assert bars["volume"].isna().all()
    with pytest.raises(NoDataError, match="No price for HALT between 2026-02-09 and 2026-02-11"):
        tables.price_history_table(m, "HALT", "2026-02-09", "2026-02-11")  # the halt
    frame = tables.price_history_table(m, "HALT", "2026-02-06", "2026-02-12")
    assert frame.columns.tolist() == ["date", "close"] and frame["close"].tolist() == [74.0, 78.0]
    with pytest.raises(InvalidParameterError, match="start"):
        m.bars("HALT", "2026-02-12", "2026-02-06")


# --------------------------------------------------------------------------- RS membership
def _rs_closes() -> dict[str, list[float | None]]:
    """80 sessions (rows 0..79, 2026-01-05 .. 2026-04-24).

    M1..M4 and S: 100 up to row 16, then v (90, 100, 110, 120; S 130) from row 17, so at
    row 79 the only RS window that exists (63 days: back to row 16) gives r63 = v/100 - 1.
    R: first bar row 10 (70 rows to row 79) but no trade on rows 30..39: 60 real bars.
    S: no trade after row 73: 6 sessions stale at row 79. E: an ETF, v = 105.
    """

    def path(v: float, first: int = 0, gaps: range = range(0), last: int = 79) -> list:
        return [
            None if i < first or i in gaps or i > last else (100.0 if i <= 16 else v)
            for i in range(80)
        ]

    return {
        "M1": path(90),
        "M2": path(100),
        "M3": path(110),
        "M4": path(120),
        "R": path(150, first=10, gaps=range(30, 40)),
        "S": path(130, last=73),
        "E": path(105),
    }


@pytest.fixture(scope="module")
def rs_market():
    return hand_market(_rs_closes(), types={"E": "etf"}, universes={"mr": ["M1", "M2", "R"]})


def test_rs_rating_leaves_out_the_short_and_the_stale(rs_market):
    m = rs_market
    assert f"{m.close.index[-1]:%Y-%m-%d}" == "2026-04-24"
    assert m.value("M4", "rs_score") == pytest.approx(0.2)
    ratings = m.rs_ratings()
    # members with a score: M1..M4 (-0.1, 0, 0.1, 0.2), n = 4:
    # floor(100 * (L + E/2) / 4 + 0.5) -> 13, 38, 63, 88
    assert ratings[["M1", "M2", "M3", "M4"]].tolist() == [13.0, 38.0, 63.0, 88.0]
    # R (70 rows, 60 real bars) and S (stale) have no rating and count as no member;
    # had they counted (n = 6), M1 would be floor(100 * 0.5 / 6 + 0.5) = 8
    assert np.isnan(ratings["R"]) and np.isnan(ratings["S"])
    # the ETF against the 4 members: 0.05 is above 2 of them -> floor(50 + 0.5) = 50
    assert ratings["E"] == 50.0
    with pytest.raises(InsufficientHistoryError) as err:
        m.value("R", "rs_rating")
    assert str(err.value) == (
        "Too little history for R: needs 64 trading days before 2026-04-24, has 60"
    )
    with pytest.raises(StaleDataError, match=r"^No trade since 2026-04-16$"):
        m.value("S", "rs_rating")
    # an explicit universe: R is named but has no score, so n = 2 (M1, M2): 25 and 75
    got = m.values(["M1", "M2", "R", "M4"], "rs_rating", universe="mr")
    assert got.values[:2].tolist() == [25.0, 75.0] and np.isnan(got.values[2])
    assert got.values[3] == 99.0  # above both members: floor(100 + 0.5) -> clipped to 99
    assert got.reasons[2].startswith("Too little history for R")


def test_every_sort_key_sorts_or_says_why(rs_market):
    """A sort key always has a registry entry: a table, or a reason (never a KeyError)."""
    first = rs_market.close.index[0]
    for key in SORT_KEYS:
        try:
            frame = rankings.leaders_table(rs_market, "stocks", 3, key, first)
        except NoDataError as exc:
            if str(exc).startswith("No ranking of stocks by "):  # every close is 100 that day
                assert "an order would only be alphabetical" in str(exc), key
                continue
            assert str(exc).startswith("No member of stocks has ")
            assert "(needs " in str(exc) and "the data start 2026-01-05)" in str(exc)
        else:
            assert len(frame) >= 1, key
    frame = rankings.leaders_table(rs_market, "stocks", 3, "rs")
    assert frame["ticker"].tolist() == ["M4", "M3", "M2"]
    assert frame["rs_rating"].tolist() == [88.0, 63.0, 38.0]
    with pytest.raises(NoDataError) as err:
        rankings.leaders_table(rs_market, "stocks", 3, "1m", "2026-01-09")
    assert str(err.value) == (
        "No member of stocks has a 1M return as of 2026-01-09 (needs 22 trading days of "
        "closes; the data start 2026-01-05)"
    )


def test_technicals_rows_say_why(m):
    frame = tables.technicals_table(m, ["FIVE", "SIX", "XYZQ"])
    by = frame.set_index("ticker")
    assert by.at["FIVE", "close"] == 34.0 and by.at["FIVE", "name"] == "FIVE Inc"
    assert by.at["SIX", "name"] == "#N/A No trade since 2026-02-05"
    assert math.isnan(by.at["SIX", "close"]) and by.at["SIX", "last_bar"] == pd.Timestamp(
        "2026-02-05"
    )
    assert by.at["XYZQ", "name"] == "#N/A Unknown ticker: XYZQ"


def test_rrg_table_marks_each_bad_row(rs_market):
    frame = tables.rrg_table(rs_market, ["M1", "S", "NOPE"], "M2")
    assert frame.columns.tolist() == ["ticker", "rs_ratio", "rs_momentum", "quadrant", "problem"]
    assert frame["problem"].tolist()[1:] == ["No trade since 2026-04-16", "Unknown ticker: NOPE"]
    # M1 / M2 has been flat (90 / 100) since row 17: 16 weeks of closes, but a zero std
    assert frame["problem"].iloc[0] == (
        "No RRG position for M1 as of 2026-04-24: its RS line against M2 did not move over "
        "the last 10 weeks"
    )
    short = tables.rrg_table(rs_market, ["M1"], "M2", "2026-02-27")  # rows 0..39: 8 weeks
    assert short["problem"].iloc[0] == (
        "Too little history for M1: the RRG needs 11 weeks of closes, has 8"
    )


@pytest.fixture(scope="module")
def few_rated_market():
    return hand_market(
        _rs_closes(),
        types={"E": "etf"},
        universes={
            "ms": ["M1", "S"],
            "mx": ["M1", "XYZQ"],
            "mrsx": ["M1", "R", "S", "XYZQ"],
            "rs": ["R", "S"],
        },
    )


def test_a_ranking_over_fewer_than_two_rated_members_is_refused(few_rated_market):
    """A percentile among one score is 1, 50 or 99 for any ticker: no rating, a reason."""
    m = few_rated_market
    day = "on 2026-04-24 needs at least 2 rated members"
    stale = "S (No trade since 2026-04-16)"  # S's last bar: row 73
    short = "R (Too little history for R: needs 64 trading days before 2026-04-24, has 60)"
    expected = {
        "ms": f"RS rating against ms {day}; 1 of 2 is rated (M1); not rated: {stale}",
        "mx": f"RS rating against mx {day}; 1 of 2 is rated (M1); not rated: XYZQ (not in "
        "the store)",
        "mrsx": f"RS rating against mrsx {day}; 1 of 4 is rated (M1); not rated: {short}; "
        f"{stale}; XYZQ (not in the store)",
        "rs": f"RS rating against rs {day}; none of 2 are rated; not rated: {short}; {stale}",
        ("M2", "S"): f"RS rating against M2, S {day}; 1 of 2 is rated (M2); not rated: {stale}",
    }
    for universe, reason in expected.items():
        # M4 outside the universe (it would be 99), M1 or M2 the one member (50), E an ETF
        got = m.values(["M4", "M1", "M2", "E", "R"], "rs_rating", universe=universe)
        assert np.isnan(got.values).all(), universe
        assert got.reasons[:4] == (reason,) * 4, universe
        # R has no rating of its own: its own reason, not the ranking's
        assert got.reasons[4].startswith("Too little history for R"), universe
        assert m.rs_ratings(universe=universe).isna().all(), universe
        assert str(m.rank_refusal(universe=universe)) == reason
        with pytest.raises(InsufficientHistoryError, match="needs at least 2 rated members"):
            m.value("M4", "rs_rating", universe=universe)
    # two rated members are a ranking: M1 (-0.1) and M2 (0) -> 25 and 75, M4 above both 99
    assert m.rank_refusal(universe=("M1", "M2", "S")) is None
    got = m.values(["M1", "M2", "M4"], "rs_rating", universe=("M1", "M2", "S"))
    assert got.values.tolist() == [25.0, 75.0, 99.0]
