"""xlsrc.dates: one rule turning timestamps, date text and cell values into session dates.

Every expected date below is worked out by hand: New York is UTC-5 in winter (EST) and
UTC-4 from the second Sunday of March (2025-03-09, 2026-03-08) to the first Sunday of
November; the weekdays are those of the 2026 calendar (2026-01-01 is a Thursday).
"""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from xlsrc import dates
from xlsrc.dates import (
    DAY_FIRST,
    MONTH_FIRST,
    parse_date,
    parse_date_format,
    parse_dates,
    session_date,
)
from xlsrc.errors import InvalidParameterError

T = pd.Timestamp


@pytest.fixture(scope="module")
def is_session():
    from xlsrc.data.calendar import get_calendar

    return get_calendar().is_session


# --------------------------------------------------------------------------- timestamps
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # yfinance history().to_csv(): New York midnight with its offset -> that date
        ("2026-01-02 00:00:00-05:00", "2026-01-02"),
        ("2025-07-01 00:00:00-04:00", "2025-07-01"),
        # the same instant written in UTC: 05:00Z is 00:00 in New York (EST)
        ("2026-01-02T05:00:00Z", "2026-01-02"),
        ("2026-01-02 05:00:00+00:00", "2026-01-02"),
        # in summer New York midnight is 04:00Z
        ("2025-07-01T04:00:00Z", "2025-07-01"),
        # the close, 16:00 New York = 21:00Z in winter, 20:00Z in summer
        ("2026-01-02T21:00:00Z", "2026-01-02"),
        ("2025-07-01T20:00:00.000Z", "2025-07-01"),
        # an evening in New York is already the next day in UTC: converted back
        ("2026-01-03T02:00:00Z", "2026-01-02"),  # 21:00 on 2 January in New York
        ("2026-01-02T23:30:00+01:00", "2026-01-02"),  # 17:30 in New York
        ("2026-01-03T06:00:00+09:00", "2026-01-02"),  # Tokyo morning = 16:00 New York
        # midnight in its own zone is a date label, not an instant (UTC-midnight labels)
        ("2026-01-02T00:00:00Z", "2026-01-02"),
        ("2026-01-02T00:00:00+01:00", "2026-01-02"),
        # no offset: the time of day never moves the date
        ("2026-01-02 23:59:59", "2026-01-02"),
        ("2026-01-02T16:00", "2026-01-02"),
        ("2026-01-02", "2026-01-02"),
        ("20260102", "2026-01-02"),
        ("20260102T210000Z", "2026-01-02"),
        ("2026/01/02", "2026-01-02"),
        ("2026.1.2", "2026-01-02"),
    ],
)
def test_timestamps_are_session_dates_never_appended(text, expected):
    assert parse_date(text) == T(expected)
    assert parse_dates([text]).dates[0] == T(expected)


def test_datetime_objects_follow_the_same_rule():
    new_york = dt.timezone(dt.timedelta(hours=-5))
    assert session_date(dt.datetime(2026, 1, 2, 0, 0, tzinfo=new_york)) == T("2026-01-02")
    assert session_date(dt.datetime(2026, 1, 3, 2, 0, tzinfo=dt.UTC)) == T("2026-01-02")
    assert session_date(T("2026-01-02 21:00", tz="UTC")) == T("2026-01-02")
    assert session_date(T("2026-01-02", tz="America/New_York")) == T("2026-01-02")
    assert session_date(dt.date(2026, 1, 2)) == T("2026-01-02")
    assert session_date(dt.datetime(2026, 1, 2, 23, 0)) == T("2026-01-02")
    assert session_date("22 Jan 2026") == T("2026-01-22")
    with pytest.raises(InvalidParameterError):
        session_date(46044.0)


def test_converted_instants_are_counted():
    got = parse_dates(
        ["2026-01-02 00:00:00-05:00", "2026-01-05T21:00:00Z", "2026-01-06T00:00:00Z", "x"]
    )
    assert got.converted == 1  # only 21:00Z is an instant; midnights are labels
    assert list(got.dates[:3]) == [T("2026-01-02"), T("2026-01-05"), T("2026-01-06")]
    assert got.problems == {3: "not a date"}


def test_the_time_zone_is_the_calendars():
    from xlsrc.data.calendar import TIMEZONE

    assert dates.EXCHANGE_TIMEZONE == TIMEZONE == "America/New_York"


# --------------------------------------------------------------------------- one date
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("22/01/2026", "2026-01-22"),  # 22 cannot be a month: day first
        ("01/22/2026", "2026-01-22"),  # month first
        ("22.01.2026", "2026-01-22"),
        ("22-01-2026", "2026-01-22"),
        ("05/05/2026", "2026-05-05"),  # day == month: either order
        ("Jan 22, 2026", "2026-01-22"),
        ("22-Jan-2026", "2026-01-22"),
        ("22 January 2026", "2026-01-22"),
        ("January 22, 2026", "2026-01-22"),
        ("Thu, 22 Jan 2026", "2026-01-22"),  # 22 January 2026 is a Thursday
        ("Sept 3, 2026", "2026-09-03"),
        ("Jan 22, 2026 4:00 PM", "2026-01-22"),
        ("22/01/2026 21:30:00Z", "2026-01-22"),  # 16:30 in New York
        ("  2026-01-22  ", "2026-01-22"),
    ],
)
def test_one_date(text, expected):
    assert parse_date(text, name="--as-of") == T(expected)


def test_one_ambiguous_date_is_refused_naming_both_iso_dates():
    with pytest.raises(InvalidParameterError) as info:
        parse_date("03/02/2026", name="--as-of")
    assert str(info.value) == (
        "Invalid --as-of: '03/02/2026' is ambiguous: 3 February 2026 (day first) or "
        "2 March 2026 (month first); write 2026-02-03 or 2026-03-02"
    )
    # the session rule does not apply to one date: 01/02/2026 is refused although only
    # 2 January (a Friday) is a session, 1 February being a Sunday
    with pytest.raises(InvalidParameterError, match="2026-02-01 or 2026-01-02"):
        parse_date("01/02/2026")


def test_one_date_with_an_order():
    assert parse_date("03/02/2026", date_format="dmy") == T("2026-02-03")
    assert parse_date("03/02/2026", date_format="mdy") == T("2026-03-02")
    assert parse_date("03.02.2026", date_format="%d.%m.%Y") == T("2026-02-03")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("yesterday", "expected a date"),
        ("Jan 2026", "expected a date"),  # no day: never filled in from a default
        ("22 2026", "expected a date"),
        ("22.01.26", "a two-digit year"),
        ("2026-02-30", "expected a date"),
        ("31/02/2026", "no such day"),
        ("13/13/2026", "no month 13"),
        ("Fri, 22 Jan 2026", "22 January 2026 is not a Fri"),
        ("22/01/2026 25:00", "is not a time"),
        ("", "allowed"),
    ],
)
def test_not_a_date(text, reason):
    with pytest.raises(InvalidParameterError, match=reason):
        parse_date(text)


# --------------------------------------------------------------------------- a column
UK = ["02/01/2026", "05/01/2026", "06/01/2026", "07/01/2026", "08/01/2026", "09/01/2026"]
UK += ["12/01/2026"]
LAST = T("2026-11-27")  # a last closed session


def test_uk_day_first_settled_by_the_sessions(is_session):
    got = parse_dates(UK, is_session=is_session, last_session=LAST)
    assert list(got.dates) == [
        T(d) for d in ("2026-01-02", "2026-01-05", "2026-01-06", "2026-01-07", "2026-01-08")
    ] + [T("2026-01-09"), T("2026-01-12")]
    assert got.order == DAY_FIRST
    assert got.how == "day first: only that order reads the dates as consecutive sessions"
    # the same dates newest first, and with dots and dashes
    assert list(parse_dates(UK[::-1], is_session=is_session).dates) == list(got.dates)[::-1]
    dotted = [d.replace("/", ".") for d in UK]
    assert list(parse_dates(dotted, is_session=is_session).dates) == list(got.dates)


def test_us_month_first_settled_by_the_sessions(is_session):
    # 01/02 .. 01/09: month first are 2, 5..9 January; day first 1 February (Sunday) ...
    us = ["01/02/2026", "01/05/2026", "01/06/2026", "01/07/2026", "01/08/2026", "01/09/2026"]
    got = parse_dates(us, is_session=is_session, last_session=LAST)
    assert got.order == MONTH_FIRST
    assert got.dates[0] == T("2026-01-02") and got.dates[-1] == T("2026-01-09")


def test_without_sessions_an_unsettled_order_is_refused_naming_the_option():
    with pytest.raises(InvalidParameterError) as info:
        parse_dates(UK)
    assert str(info.value) == (
        "day/month order unknown: '02/01/2026' is 2 January 2026 read day first, "
        "1 February 2026 read month first, and no day is above 12; give --date-format "
        "%d/%m/%Y (day first) or %m/%d/%Y (month first)"
    )
    assert info.value.fields["position"] == 0


@pytest.mark.parametrize(
    ("values", "why"),
    [
        # both readings are one session: 3 February (Tue) or 2 March 2026 (Mon)
        (["03/02/2026"], "both orders read the dates as consecutive sessions"),
        # 1 May and 1 June (Fri, Mon) or 5 and 6 January: a monthly series? refused
        (["01/05/2026", "01/06/2026"], "both orders read the dates as sessions"),
        # 2 and 6 January miss the 5th; 1 February / 1 June: neither is a run
        (["02/01/2026", "06/01/2026"], "neither order reads the dates as consecutive"),
    ],
)
def test_an_order_the_sessions_do_not_settle_is_refused(is_session, values, why):
    with pytest.raises(InvalidParameterError, match=why) as info:
        parse_dates(values, is_session=is_session, last_session=LAST)
    assert "--date-format %d/%m/%Y (day first) or %m/%d/%Y (month first)" in str(info.value)


def test_a_reading_in_the_future_is_not_a_run_of_sessions(is_session):
    # 2 March 2026 is after a last closed session of 27 February 2026
    got = parse_dates(["03/02/2026"], is_session=is_session, last_session=T("2026-02-27"))
    assert list(got.dates) == [T("2026-02-03")]


def test_a_day_above_12_settles_the_whole_column():
    got = parse_dates(["02/01/2026", "13/01/2026", "05/01/2026"])
    assert got.order == DAY_FIRST and got.how == "day first (13/01/2026 has a day above 12)"
    assert list(got.dates) == [T("2026-01-02"), T("2026-01-13"), T("2026-01-05")]
    got = parse_dates(["01/02/2026", "01/13/2026"])
    assert list(got.dates) == [T("2026-01-02"), T("2026-01-13")]
    # a date that the settled order cannot read is a problem of its own line
    got = parse_dates(["13/01/2026", "02/01/2026", "31/02/2026"])
    assert list(got.problems) == [2] and got.problems[2].startswith("no such day")
    assert got.dates[2] is pd.NaT


def test_both_orders_in_one_column_are_refused():
    with pytest.raises(InvalidParameterError, match="cannot both be read one way") as info:
        parse_dates(["13/01/2026", "02/01/2026", "01/14/2026"])
    assert info.value.fields["position"] == 2


def test_the_date_format_option():
    assert parse_date_format("dmy").order == DAY_FIRST
    assert parse_date_format("Month-First").order == MONTH_FIRST
    assert parse_date_format("DD.MM.YYYY").pattern == "%d.%m.%Y"
    assert parse_date_format("MM/DD/YY").pattern == "%m/%d/%y"
    assert parse_date_format("%Y-%m-%d %H:%M:%S%z").pattern == "%Y-%m-%d %H:%M:%S%z"
    assert parse_date_format(None) is None and parse_date_format(" ") is None
    for bad in ("xx", "%m/%Y", "DD/QQ/YYYY"):
        with pytest.raises(InvalidParameterError, match="date format"):
            parse_date_format(bad)
    got = parse_dates(["02/01/2026", "03/01/2026"], date_format="mdy")
    assert (
        list(got.dates) == [T("2026-02-01"), T("2026-03-01")] and got.how == "month first, as given"
    )
    got = parse_dates(["02.01.26 16:00:00-0500", "x"], date_format="%d.%m.%y %H:%M:%S%z")
    assert got.dates[0] == T("2026-01-02") and got.converted == 1
    assert got.problems == {1: "not a date in format %d.%m.%y %H:%M:%S%z"}


def test_mixed_shapes_in_one_column():
    got = parse_dates(["2026-01-02", "Jan 5, 2026", "20260106", "", None])
    assert list(got.dates[:3]) == [T("2026-01-02"), T("2026-01-05"), T("2026-01-06")]
    assert got.problems == {3: "the date is empty", 4: "the date is empty"}


# --------------------------------------------------------------------------- purity
def test_the_module_is_pure():
    """No data layer, no files, no clock: the calendar comes in as a predicate."""
    source = Path(dates.__file__).read_text(encoding="utf-8")
    tree = ast.parse(source)
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            imported.add(("." * node.level) + (node.module or ""))
        elif isinstance(node, ast.Import):
            imported.update(a.name for a in node.names)
    assert imported <= {"__future__", "datetime", "re", "collections.abc", "dataclasses"} | {
        "typing",
        "numpy",
        "pandas",
        "dateutil",
        ".errors",
    }, imported
    for clock in ("now(", "today(", "time.time", "utcnow", "open("):
        assert clock not in source


# --------------------------------------------------------------------------- formulas
def test_date_text_in_a_formula_cell_follows_the_same_rule():
    from xlsrc.excel import args

    assert args.as_of_arg("22/01/2026") == T("2026-01-22")
    assert args.as_of_arg("Jan 22, 2026") == T("2026-01-22")
    assert args.as_of_arg("2026-01-23T02:00:00Z") == T("2026-01-22")  # 21:00 in New York
    with pytest.raises(InvalidParameterError) as info:
        args.as_of_arg("03/02/2026")
    assert str(info.value) == (
        "Invalid as_of: '03/02/2026' is ambiguous: 3 February 2026 (day first) or "
        "2 March 2026 (month first); write 2026-02-03 or 2026-03-02"
    )
    # Excel's own values stay as Excel sends them: a serial, and a datetime whose UTC
    # tag pywin32 adds to the cell's wall-clock value (02:00 is not an instant here)
    assert args.as_of_arg(46044.0) == T("2026-01-22")
    assert args.as_of_arg(dt.datetime(2026, 1, 22, 2, 0, tzinfo=dt.UTC)) == T("2026-01-22")
