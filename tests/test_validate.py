"""The validation gate: one rule set for every provider, each rule on hand-made rows.

Dates are checked against the NYSE calendar by hand: 2026-01-17 is a Saturday, 2026-01-18
a Sunday, 2026-01-19 Martin Luther King Jr. Day, 2025-01-09 the national day of mourning
for President Carter (the exchange closed), 2026-01-20 a session.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from xlsrc.data.calendar import get_calendar
from xlsrc.data.validate import (
    EXTREME_STEP,
    ValidBars,
    check_bars,
    check_universe_name,
    find_jumps,
)
from xlsrc.errors import InvalidParameterError

NOW = pd.Timestamp("2026-01-21 23:00", tz="UTC")  # after the 2026-01-21 close
CAL = get_calendar()


def check(rows, columns=("ticker", "date", "close"), **kw):
    frame = pd.DataFrame(rows, columns=list(columns))
    return check_bars(frame, calendar=CAL, now=kw.pop("now", NOW), **kw)


def rules(problems):
    return [(p.row, p.rule) for p in problems]


@pytest.mark.parametrize(
    ("day", "says"),
    [
        ("2026-01-17", "2026-01-17 is a Saturday, not an NYSE session"),
        ("2026-01-18", "2026-01-18 is a Sunday, not an NYSE session"),
        ("2026-01-19", "2026-01-19 is an exchange holiday, not an NYSE session"),
        ("2025-01-09", "2025-01-09 is an exchange holiday, not an NYSE session"),
        ("2026-01-22", "2026-01-22 is after the last closed session (2026-01-21)"),
        ("2027-06-01", "after the last closed session"),
    ],
)
def test_a_bar_on_no_session_is_refused_with_its_day(day, says):
    valid, problems = check([("ICHR", "2026-01-20", 20.0), ("ICHR", day, 21.0)])
    assert rules(problems) == [(1, "date")]
    assert says in problems[0].message and problems[0].message.startswith("ICHR: ")
    assert valid.frame["date"].tolist() == [pd.Timestamp("2026-01-20")]


def test_the_session_of_today_counts_only_once_it_closed():
    before_close = pd.Timestamp("2026-01-21 20:59", tz="UTC")  # 15:59 in New York
    _, problems = check([("ICHR", "2026-01-21", 21.0)], now=before_close)
    assert rules(problems) == [(0, "date")]
    _, problems = check([("ICHR", "2026-01-21", 21.0)], now=NOW)
    assert problems == []


def test_a_time_of_day_or_a_non_date_is_refused():
    _, problems = check(
        [("ICHR", pd.Timestamp("2026-01-20 05:00"), 20.0), ("ICHR", "not a date", 20.0)]
    )
    assert rules(problems) == [(0, "date"), (1, "date")]
    assert "has a time of day" in problems[0].message
    assert "is not a date" in problems[1].message


def test_dates_with_a_time_zone_are_the_providers_to_convert():
    frame = pd.DataFrame(
        {
            "ticker": ["ICHR"],
            "date": [pd.Timestamp("2026-01-20", tz="America/New_York")],
            "close": [20.0],
        }
    )
    with pytest.raises(InvalidParameterError, match="without a time zone"):
        check_bars(frame, calendar=CAL, now=NOW)


@pytest.mark.parametrize(
    ("row", "rule", "says"),
    [
        ({"close": 0.0}, "close", "close on 2026-01-20 is 0 (must be a positive number)"),
        ({"close": -3.0}, "close", "is -3"),
        ({"close": np.nan}, "close", "is nan"),
        ({"close": np.inf}, "close", "is inf"),
        ({"open": -1.0}, "price", "open on 2026-01-20 is -1"),
        ({"split_close": 0.0}, "price", "split_close on 2026-01-20 is 0"),
        ({"high": 9.0, "low": 11.0}, "range", "high 9 is below low 11"),
        (
            {"high": 11.0, "low": 9.0, "close": 12.0},
            "range",
            "close 12 is outside low 9 .. high 11",
        ),
        ({"volume": -5.0}, "volume", "volume on 2026-01-20 is -5"),
        ({"volume": np.inf}, "volume", "volume on 2026-01-20 is inf"),
        # review 3: a broken export's 1e20 made REL_VOLUME 1.48e14 that day
        ({"volume": 1e20}, "volume", "is 1e+20 (more than 1,000,000,000,000 shares"),
    ],
)
def test_prices_and_volumes(row, rule, says):
    base = {
        "ticker": "ICHR",
        "date": "2026-01-20",
        "open": 10.0,
        "high": 11.0,
        "low": 9.0,
        "close": 10.5,
        "volume": 100.0,
        "split_close": np.nan,
    }
    base.update(row)
    valid, problems = check_bars(pd.DataFrame([base]), calendar=CAL, now=NOW)
    assert rules(problems) == [(0, rule)]
    assert says in problems[0].message
    assert len(valid) == 0


def test_missing_fields_are_unknown_not_errors_and_the_open_is_exempt():
    valid, problems = check_bars(
        pd.DataFrame(
            [
                {"ticker": "brk.b", "date": "2026-01-20", "close": 10.5},
                # an open outside [low, high] is real Yahoo data now and then
                {
                    "ticker": "BRK-B",
                    "date": "2026-01-21",
                    "open": 12.0,
                    "high": 11.0,
                    "low": 9.0,
                    "close": 10.0,
                },
            ]
        ),
        calendar=CAL,
        now=NOW,
    )
    assert problems == []
    assert valid.frame["ticker"].tolist() == ["BRK-B", "BRK-B"]
    assert np.isnan(valid.frame["volume"].iloc[0]) and np.isnan(valid.frame["split_close"]).all()


def test_duplicates_identical_collapse_different_are_refused():
    valid, problems = check(
        [
            ("ICHR", "2026-01-20", 20.0),
            ("ICHR", "2026-01-20", 20.0),
            ("ICHR", "2026-01-21", 21.0),
            ("ICHR", "2026-01-21", 21.5),
        ]
    )
    assert rules(problems) == [(3, "duplicate")]
    assert (
        "2026-01-21 appears twice with different values (close 21 and 21.5)" in problems[0].message
    )
    assert valid.frame["close"].tolist() == [20.0, 21.0]


def test_a_duplicate_names_the_field_that_differs():
    # yfinance's "live row" twin (issues #573, #765): same prices, a little more volume
    columns = ("ticker", "date", "close", "volume")
    rows = [("ICHR", "2026-01-21", 21.0, 1000.0), ("ICHR", "2026-01-21", 21.0, 1150.0)]
    _, problems = check(rows, columns=columns)
    assert rules(problems) == [(1, "duplicate")]
    assert problems[0].message == (
        "ICHR: 2026-01-21 appears twice with different values (volume 1,000 and 1,150)"
    )


def test_an_unreadable_or_non_us_ticker_is_refused():
    _, problems = check([("A$B", "2026-01-20", 20.0), ("EZJ.L", "2026-01-20", 20.0)])
    assert rules(problems) == [(0, "ticker"), (1, "ticker")]
    assert "EZJ.L is listed on the London Stock Exchange" in problems[1].message


def test_only_the_gate_makes_valid_bars():
    with pytest.raises(TypeError, match="check_bars"):
        ValidBars(pd.DataFrame())
    with pytest.raises(InvalidParameterError, match="columns ticker, date, close"):
        check_bars(pd.DataFrame({"ticker": ["A"], "close": [1.0]}), calendar=CAL, now=NOW)


# ---------------------------------------------------------------------- plausibility
def test_find_jumps_names_the_factor():
    closes = np.array([100.0, 101.0, 25.3, 25.0, 2500.0, 25.2, 17.0, 8.4])
    #  steps:     x1.01  x0.2505  x0.988  x100   x0.01008 x0.675 x0.494
    got = find_jumps(closes)
    assert got.tolist() == [0.0, 0.25, 0.0, 100.0, 0.01, 0.0, 0.5]


def test_an_unadjusted_split_is_refused_with_the_way_to_accept_a_real_move():
    days = ["2026-01-14", "2026-01-15", "2026-01-16"]
    valid, problems = check(
        [("ICHR", days[0], 100.0), ("ICHR", days[1], 101.0), ("ICHR", days[2], 25.3)]
    )
    assert rules(problems) == [(2, "jump")]
    assert problems[0].message == (
        "ICHR: close falls 75.0% from 101 on 2026-01-15 to 25.3 on 2026-01-16 (x0.2505): "
        "a step the size of an unadjusted split or a unit switch that no split record "
        "explains; if it is real, accept it with --allow-jump ICHR:2026-01-16"
    )
    assert valid.frame["close"].tolist() == [100.0, 101.0]
    _, problems = check(
        [("ICHR", days[0], 100.0), ("ICHR", days[1], 101.0), ("ICHR", days[2], 25.3)],
        allow_jumps=[("ICHR", "2026-01-16")],
    )
    assert problems == []


def test_a_split_the_provider_records_but_the_history_ignores_is_never_accepted():
    rows = [("ICHR", "2026-01-15", 101.0), ("ICHR", "2026-01-16", 25.3)]
    splits = {"ICHR": {pd.Timestamp("2026-01-16"): 4.0}}
    _, problems = check(rows, splits=splits, allow_jumps=True)
    assert rules(problems) == [(1, "split")]
    assert (
        "records a 4-for-1 split on 2026-01-16 that the earlier bars do not reflect"
        in problems[0].message
    )


def test_real_moves_of_other_sizes_pass():
    # -30 % (earnings), -60 % (between the 2:1 and 3:1 bands), +45 %
    rows = [
        ("ICHR", "2026-01-13", 100.0),
        ("ICHR", "2026-01-14", 70.0),
        ("ICHR", "2026-01-15", 28.0),
        ("ICHR", "2026-01-16", 40.6),
    ]
    _, problems = check(rows)
    assert problems == []


def test_the_junction_with_stored_bars_is_checked():
    stored = pd.DataFrame(
        {
            "ticker": ["ICHR", "ICHR"],
            "date": pd.to_datetime(["2026-01-14", "2026-01-15"]),
            "close": [100.0, 101.0],
        }
    )
    # a new day in the wrong units: the step from the stored close is the cliff
    _, problems = check([("ICHR", "2026-01-16", 1.01)], neighbours=stored)
    assert rules(problems) == [(0, "jump")]
    assert "x0.01" in problems[0].message
    # a stored day replaced by the new bars is not its own neighbour
    _, problems = check(
        [("ICHR", "2026-01-15", 25.25), ("ICHR", "2026-01-16", 25.3)], neighbours=stored
    )
    # 100 -> 25.25 across the junction; and 25.25 against the stored 101 of its own day on
    # a one-day overlap is another basis too (review 2, item 3: too short to be corrections)
    assert rules(problems) == [(0, "jump"), (0, "basis")]
    # a later stored neighbour: a new day in the middle that is 100x off
    later = pd.DataFrame(
        {"ticker": ["ICHR"], "date": pd.to_datetime(["2026-01-20"]), "close": [26.0]}
    )
    _, problems = check([("ICHR", "2026-01-16", 2600.0)], neighbours=later)
    assert rules(problems) == [(0, "jump")]


# A filled hole: new bars scattered among stored ones (the refresh asks again for a day
# Yahoo once sent without prices). Stored ICHR closes rise by about 10 % a day from
# 2026-01-12 (10.0) to 2026-01-20 (17.5); 2026-01-14 is the hole.
HOLE_STORED = pd.DataFrame(
    {
        "ticker": ["ICHR"] * 5,
        "date": pd.to_datetime(
            ["2026-01-12", "2026-01-13", "2026-01-15", "2026-01-16", "2026-01-20"]
        ),
        "close": [10.0, 11.0, 13.3, 14.6, 17.5],
    }
)


def test_a_filled_hole_is_checked_against_the_stored_days_around_it():
    # 01-14 = 12.1 and 01-21 = 24.2: every real step is a move of 10 % to 38 %
    # (11.0 -> 12.1 -> 13.3, and 17.5 -> 24.2 = x1.383); read without the stored days
    # between them, the two new bars would be one x2.0 step (12.1 -> 24.2), an
    # unadjusted 2-for-1 split to the gate
    rows = [("ICHR", "2026-01-14", 12.1), ("ICHR", "2026-01-21", 24.2)]
    _, problems = check(rows, neighbours=HOLE_STORED)
    assert problems == []


def test_a_filled_hole_in_the_wrong_units_is_refused_against_both_stored_neighbours():
    # stored 01-13 = 11.0 and 01-15 = 11.4; the hole's close sent in cents, 1120:
    # 11.0 -> 1120 is x101.8 and 1120 -> 11.4 is x0.010179 (1/98.2): both within 8 % of 100
    flat = HOLE_STORED.assign(close=[10.8, 11.0, 11.4, 11.5, 11.6])
    _, problems = check([("ICHR", "2026-01-14", 1120.0)], neighbours=flat)
    assert rules(problems) == [(0, "jump"), (0, "jump")]
    assert "from 11 on 2026-01-13 to 1120 on 2026-01-14 (x101.8)" in problems[0].message
    assert "from 1120 on 2026-01-14 to 11.4 on 2026-01-15 (x0.01018)" in problems[1].message
    # steps between two stored bars are not the input's: a stored x2 step is left alone
    stored = HOLE_STORED.assign(close=[10.0, 11.0, 22.0, 24.2, 26.0])
    _, problems = check([("ICHR", "2026-01-21", 27.0)], neighbours=stored)
    assert problems == []


# ------------------------------------------------------------- extreme steps
# The bands (8 % around x2 .. x50, x100, x1000) leave gaps; a step beyond x16.2 either way
# (the x15 band's upper edge) is a jump whatever factor it resembles. Real case: PPCB's
# close in the shared closes goes 0.015, 0.015, 0.01, 625 (2025-01-24 .. 2025-01-29).
PPCB = [
    ("PPCB", "2025-01-24", 0.015),
    ("PPCB", "2025-01-27", 0.015),
    ("PPCB", "2025-01-28", 0.01),
    ("PPCB", "2025-01-29", 625.0),
]


def test_a_step_of_x62500_is_a_jump_named_with_its_size():
    valid, problems = check(PPCB)
    assert rules(problems) == [(3, "jump")]
    assert problems[0].message == (
        "PPCB: close rises 6249900.0% from 0.01 on 2025-01-28 to 625 on 2025-01-29 "
        "(x62500): a one-session step of x62500, beyond x16.2 either way: no real session "
        "is taken to move that far unasked; if it is real, accept it with "
        "--allow-jump PPCB:2025-01-29"
    )
    assert valid.frame["close"].tolist() == [0.015, 0.015, 0.01]
    _, problems = check(PPCB, allow_jumps=[("PPCB", "2025-01-29")])
    assert problems == []
    _, problems = check(PPCB, allow_jumps=True)
    assert problems == []
    # against a stored neighbour: the new bar 62,500 times the stored close
    stored = pd.DataFrame(
        {"ticker": ["PPCB"], "date": pd.to_datetime(["2025-01-28"]), "close": [0.01]}
    )
    _, problems = check([PPCB[3]], neighbours=stored)
    assert rules(problems) == [(0, "jump")] and "x62500" in problems[0].message


@pytest.mark.parametrize(
    ("before", "after", "size", "extreme"),
    [
        (2.0, 60.0, "x30", False),  # a 30:1 band step (an unadjusted 1-for-30)
        (40.0, 1.0, "x0.025", False),  # the 40:1 band, a fall
        (1.0, 17.0, "x17", True),  # between the x15 (to 16.2) and x20 (from 18.4) bands
        (1.0, 22.0, "x22", True),  # between x20 (to 21.6) and x25 (from 23)
        (2.0, 70.0, "x35", True),  # between x30 (to 32.4) and x40 (from 36.8)
        (70.0, 1.0, "x0.01429", True),  # 1/70: between 1/54 and 1/92
        (1.0, 500.0, "x500", True),  # between x100 (to 108) and x1000 (from 920)
        (3000.0, 1.5, "x0.0005", True),  # 1/2000: beyond every band
        (1.0, 16.3, "x16.3", True),  # just beyond the x15 band: the extreme rule
        (1.0, 16.1, "x16.1", False),  # inside the x15 band (13.8 .. 16.2)
    ],
)
def test_steps_in_the_gaps_between_bands_are_jumps_from_x16_2_on(before, after, size, extreme):
    rows = [("XYZ", "2026-01-15", before), ("XYZ", "2026-01-16", after)]
    _, problems = check(rows)
    assert rules(problems) == [(1, "jump")]
    assert f"({size})" in problems[0].message
    assert ("a one-session step of" in problems[0].message) is extreme
    assert ("the size of an unadjusted split" in problems[0].message) is not extreme
    _, problems = check(rows, allow_jumps=[("XYZ", "2026-01-16")])
    assert problems == []


def test_an_extreme_fall_is_named_as_one_over_its_size():
    _, problems = check([("XYZ", "2026-01-15", 70.0), ("XYZ", "2026-01-16", 1.0)])
    assert "a one-session step of x1/70, beyond x16.2 either way" in problems[0].message


def test_a_reverting_one_day_spike_is_refused_on_both_steps():
    # 4.0 -> 100.0 (x25) -> 4.1 (x0.041 = 1/24.39, within 8 % of 1/25): the spike and the
    # day after it (its step from the spike) are refused, the day before is kept
    rows = [("XYZ", "2026-01-14", 4.0), ("XYZ", "2026-01-15", 100.0), ("XYZ", "2026-01-16", 4.1)]
    valid, problems = check(rows)
    assert rules(problems) == [(1, "jump"), (2, "jump")]
    assert "(x25)" in problems[0].message and "(x0.041)" in problems[1].message
    assert valid.frame["close"].tolist() == [4.0]
    # the same spike 62,500 times the price: both steps are extreme
    rows = [("XYZ", "2026-01-14", 0.01), ("XYZ", "2026-01-15", 625.0), ("XYZ", "2026-01-16", 0.01)]
    _, problems = check(rows)
    assert rules(problems) == [(1, "jump"), (2, "jump")]
    assert "step of x62500" in problems[0].message
    assert "step of x1/62500" in problems[1].message


def test_a_recorded_reverse_split_of_an_unlisted_ratio_is_never_accepted():
    # a 1-for-75 reverse split served unadjusted: x75 lies between the x50 and x100 bands,
    # so before the extreme rule the step was stored; the split record now explains it
    rows = [("XYZ", "2026-01-15", 0.2), ("XYZ", "2026-01-16", 15.0)]
    splits = {"XYZ": {pd.Timestamp("2026-01-16"): 1 / 75}}
    _, problems = check(rows, splits=splits, allow_jumps=True)
    assert rules(problems) == [(1, "split")]


def test_find_jumps_gives_an_extreme_step_its_own_size():
    closes = np.array([0.01, 625.0, 10625.0, 10625.0 * 12, 10625.0 * 12 / 70])
    #  steps:       x62500  x17      x12 (a real move)   x1/70
    got = find_jumps(closes)
    np.testing.assert_allclose(got, [62500.0, 17.0, 0.0, 1 / 70], rtol=1e-12)


def test_every_step_of_x13_8_or_more_either_way_is_flagged_and_the_x10_x15_gap_is_not():
    assert EXTREME_STEP == 16.2  # the x15 band's upper edge: 15 * 1.08

    # A rise r is flagged within 8 % of 15 (13.8 .. 16.2), then by the extreme rule; a fall
    # within 8 % of 1/15 (1/13.89 .. 1/16.30), then by the extreme rule (from 1/16.2 on).
    # Between the x10 and x15 bands (rises 10.8 .. 13.8, falls 1/10.87 .. 1/13.89) a step is
    # a possible real move and passes.
    def flagged(ratios):
        closes = np.ones(2 * len(ratios))
        closes[1::2] = ratios  # pairs (1, r): steps r, 1/r, r, ...
        return find_jumps(closes)[::2] != 0

    assert flagged(np.geomspace(13.81, 1e7, 4001)).all()
    assert flagged(1.0 / np.geomspace(13.9, 1e7, 4001)).all()
    assert not flagged(np.geomspace(10.81, 13.79, 200)).any()
    assert not flagged(1.0 / np.geomspace(10.87, 13.88, 200)).any()


def test_universe_names():
    assert check_universe_name(" My_List-2 ") == "my_list-2"
    for bad in ("stocks", "ALL", "", "a b", "x/y", None, 3):
        with pytest.raises(InvalidParameterError):
            check_universe_name(bad)
