"""The Excel formulas against a store seeded from the bundled snapshot.

Every formula is called twice: as plain Python, and through xlwings' own UDF entry point
``xlwings.udfs.call_udf`` (pywin32 replaced by stand-ins, see ``xlwings_com_stub``), which
reads each argument with ``xlwings.conversion.read(None, value, options)`` and writes the
result with ``xlwings.conversion.write(result, None, options)`` using the Windows engine's
cleaning stages - with the inputs Excel sends: floats for numbers, a tz-aware
``pywintypes.TimeType`` for a date cell, a float serial for ``=DATE(...)``, ``None`` for a
blank cell, ``MISSING`` for an omitted argument, tuples of tuples for ranges.

Expected numbers are not computed by the code under test: they are the raw rows of
``shared/data/closes/us_closes_2024-01-02_2026-08-03.csv.gz`` divided by hand, e.g.
VICR 2026-01-22 166.78 / 2025-12-31 109.60 - 1 = +52.17 %.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xlwings_com_stub as com

market_mod = pytest.importorskip("xlsrc.market")

import xlsrc.excel.udfs as udfs  # noqa: E402

MISSING = com.MISSING
DAY = dt.datetime(2026, 1, 22)
DAY_SERIAL = 46044.0  # =DATE(2026,1,22)
DAY_CELL = com.TimeType(2026, 1, 22, tzinfo=dt.UTC)  # a date typed in a cell, via pywin32

# close 2026-01-22 / close 2025-12-31 - 1, from the raw CSV rows.
YTD_2026_01_22 = {
    "VICR": 166.78 / 109.60 - 1,  # +52.2 %
    "ICHR": 33.07 / 18.43 - 1,  # +79.4 %
    "UCTT": 44.14 / 25.33 - 1,  # +74.3 %
    "IWM": 268.672 / 245.14 - 1,  # +9.6 %
    "SPY": 685.338 / 678.315 - 1,  # +1.0 %
}


@pytest.fixture(scope="session", autouse=True)
def store(bundled_store_path):
    """The session's seeded store (read only); formulas find it via XLSRC_STORE."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XLSRC_STORE", str(bundled_store_path))
        market = market_mod.get_market()
        assert market is market_mod.get_market()
        yield market


def table(name, *args):
    """Call ``name`` through xlwings' call_udf; return the 2D list Excel gets, as is."""
    out = com.call_udf(name, *args)
    assert isinstance(out, list) and all(isinstance(r, list) for r in out)
    return out


def excel(name, *args):
    """Call ``name`` through xlwings' call_udf and unwrap the 1x1 result of a scalar.

    (A table formula's one-cell ``#N/A`` comes back unwrapped too: use :func:`table`.)
    """
    out = table(name, *args)
    return out[0][0] if len(out) == 1 and len(out[0]) == 1 else out


# --------------------------------------------------------------------------- scalars
@pytest.mark.parametrize("ticker", sorted(YTD_2026_01_22))
def test_ytd_return_by_hand(ticker):
    expected = YTD_2026_01_22[ticker]
    assert udfs.YTD_RETURN(ticker, "2026-01-22") == pytest.approx(expected, abs=2e-3)
    assert excel("YTD_RETURN", f"  {ticker.lower()} ", DAY_SERIAL) == pytest.approx(
        expected, abs=2e-3
    )
    assert excel("YTD_RETURN", ((ticker,),), DAY_CELL) == pytest.approx(expected, abs=2e-3)


def test_as_of_on_a_weekend_uses_the_friday():
    # 2026-01-24 is a Saturday: as of the Friday 2026-01-23.
    assert udfs.YTD_RETURN("VICR", "2026-01-24") == udfs.YTD_RETURN("VICR", "2026-01-23")


def test_as_of_resolves_to_the_trading_day(store):
    m = store
    assert udfs._as_of(m, "2026-01-24") == dt.datetime(2026, 1, 23)
    assert udfs._as_of(m, "2030-01-01") == m.close.index[-1]  # the last stored day
    assert udfs._as_of(m, None) == m.close.index[-1]
    # after the data: as of the last stored day...
    assert udfs.RSI("VICR", None, "2030-01-01") == udfs.RSI("VICR", None, None)
    # ...but a YTD figure belongs to the year asked for: the data hold no session of 2030,
    # so there is no YTD return of 2030 at all (was 2026's +92.8 %, then a 0.0 nobody can
    # have: review-1 D1)
    assert udfs.YTD_RETURN("VICR", "2030-01-01") == "#N/A No data for 2030: the data end 2026-08-03"
    assert (
        udfs.YTD_RETURN("VICR", "2023-06-01")
        == "#N/A No price on or before 2023-06-01 (the data start on 2024-01-02)"
    )


def test_leaders_with_no_values_say_why():
    # the data start 2024-01-02: no sp600 member has a YTD return in 2024
    assert udfs.LEADERS("sp600", 10, "ytd", None, "2024-02-01") == [
        [
            "#N/A No member of sp600 has a YTD return as of 2024-02-01 (needs a close at the "
            "end of 2023; the data start 2024-01-02)"
        ]
    ]
    # 1M needs 22 closes: none by 2024-01-05 (4 trading days)
    rows = udfs.LEADERS("sp600", 10, "1m", None, "2024-01-05")
    assert rows[0][0].startswith("#N/A No member of sp600 has a 1M return as of 2024-01-05")


def test_trailing_and_period_return_by_hand():
    # 1D = close 2026-01-22 / close 2026-01-21 - 1
    assert excel("TRAILING_RETURN", "VICR", "1D", DAY_SERIAL) == pytest.approx(
        166.78 / 162.08 - 1, abs=1e-3
    )
    assert excel("TRAILING_RETURN", "VICR", 1.0, DAY_SERIAL) == pytest.approx(
        166.78 / 162.08 - 1, abs=1e-3
    )
    assert excel("TRAILING_RETURN", "IWM", "ytd", DAY_SERIAL) == pytest.approx(
        YTD_2026_01_22["IWM"], abs=2e-3
    )
    # 2 trading days (not a standard period): 2026-01-22 / 2026-01-20
    two = excel("TRAILING_RETURN", "ICHR", 2.0, DAY_SERIAL)
    assert isinstance(two, float)
    # PERIOD_RETURN from 2025-12-31 to 2026-01-22 equals the YTD return.
    assert excel("PERIOD_RETURN", "UCTT", "2025-12-31", DAY_CELL) == pytest.approx(
        YTD_2026_01_22["UCTT"], abs=2e-3
    )
    assert udfs.PERIOD_RETURN("UCTT", dt.datetime(2025, 12, 31), DAY) == pytest.approx(
        YTD_2026_01_22["UCTT"], abs=2e-3
    )


def test_rs_rating_is_1_to_99_and_leaders_rate_high():
    for t in ("VICR", "ICHR", "UCTT"):
        plain = udfs.RS_RATING(t, None, None, DAY)
        assert plain == excel("RS_RATING", t, MISSING, MISSING, DAY_SERIAL)
        assert 1 <= plain <= 99 and isinstance(plain, int)
        assert plain >= 80
    assert 1 <= excel("RS_RATING", "SPY", "sp500", MISSING, DAY_SERIAL) <= 99
    # explicit range as universe
    rating = excel(
        "RS_RATING", "ICHR", (("ICHR",), ("SPY",), ("IWM",), (None,)), MISSING, DAY_SERIAL
    )
    assert 1 <= rating <= 99
    assert isinstance(udfs.RS_SCORE("VICR", None, DAY), float)


def test_technicals_default_and_custom_windows():
    for name, args in [
        ("PCT_FROM_MA", ("ICHR", MISSING, DAY_SERIAL)),
        ("PCT_FROM_MA", ("ICHR", 50.0, DAY_SERIAL)),
        ("PCT_FROM_MA", ("ICHR", 10.0, DAY_SERIAL)),
        ("RSI", ("ICHR", None, DAY_SERIAL)),
        ("RSI", ("ICHR", 7.0, DAY_SERIAL)),
        ("VOLATILITY", ("ICHR", MISSING, DAY_SERIAL)),
        ("VOLATILITY", ("ICHR", 10.0, DAY_SERIAL)),
        ("ANNUAL_VOLATILITY", ("ICHR", MISSING, DAY_SERIAL)),
        ("REL_VOLUME", ("ICHR", MISSING, DAY_SERIAL)),
        ("REL_VOLUME", ("ICHR", 20.0, DAY_SERIAL)),
        ("PCT_FROM_HIGH", ("ICHR", DAY_SERIAL)),
        ("RS_LINE", ("ICHR", MISSING, DAY_SERIAL)),
        ("RS_LINE", ("ICHR", "IWM", DAY_SERIAL)),
    ]:
        value = excel(name, *args)
        assert isinstance(value, float), (name, args, value)
        plain_args = [None if a is MISSING else a for a in args]
        assert getattr(udfs, name)(*plain_args) == pytest.approx(value), (name, args)
    # the design's January 2026 picture: ICHR 25-37 % above its 20-day MA
    assert 0.2 < udfs.PCT_FROM_MA("ICHR", None, DAY) < 0.45
    assert 0 < udfs.RSI("ICHR", None, DAY) <= 100
    assert udfs.ANNUAL_VOLATILITY("ICHR", None, DAY) == pytest.approx(
        udfs.VOLATILITY("ICHR", None, DAY) * 252**0.5, rel=1e-9
    )
    assert udfs.PCT_FROM_HIGH("ICHR", DAY) <= 0
    # RS line = close / SPY close, by hand
    assert udfs.RS_LINE("VICR", None, DAY) == pytest.approx(166.78 / 685.338, rel=5e-3)


CLOSES_CSV = str(
    Path(__file__).resolve().parents[2]
    / "shared"
    / "data"
    / "closes"
    / "us_closes_2024-01-02_2026-08-03.csv.gz"
)


@pytest.fixture(scope="module")
def raw_closes():
    """ICHR's and SPY's raw close rows up to 2026-01-22 (date, close), oldest first."""
    import csv
    import gzip

    if not os.path.exists(CLOSES_CSV):
        pytest.skip(f"raw closes not available: {CLOSES_CSV}")
    rows: dict[str, list[tuple[str, float]]] = {"ICHR": [], "SPY": []}
    with gzip.open(CLOSES_CSV, "rt", newline="") as fh:
        for date, ticker, close in csv.reader(fh):
            if ticker in rows and date <= "2026-01-22":
                rows[ticker].append((date, float(close)))
    for series in rows.values():
        series.sort()
        assert series[-1][0] == "2026-01-22" and series[0][0] == "2024-01-02"
    return rows


def _wilder_rsi(closes, n=14):
    """RSI by the book: first averages = means of the first n changes, then (prev*(n-1)+x)/n."""
    changes = [b - a for a, b in itertools.pairwise(closes)]
    gains = [max(c, 0.0) for c in changes]
    losses = [max(-c, 0.0) for c in changes]
    avg_gain, avg_loss = sum(gains[:n]) / n, sum(losses[:n]) / n
    for g, loss in zip(gains[n:], losses[n:], strict=True):
        avg_gain = (avg_gain * (n - 1) + g) / n
        avg_loss = (avg_loss * (n - 1) + loss) / n
    return 100.0 * avg_gain / (avg_gain + avg_loss)


def test_technicals_by_hand_from_the_raw_rows(store, raw_closes):
    """One value per metric against the raw CSV rows (and SPY's stored volumes), by hand."""
    closes = [c for _, c in raw_closes["ICHR"]]  # every calendar day 2024-01-02..2026-01-22
    assert closes[-1] == 33.07
    # RSI(14), Wilder, from the first bar
    assert excel("RSI", "ICHR", MISSING, DAY_SERIAL) == pytest.approx(_wilder_rsi(closes), abs=1e-6)
    # daily volatility: sample std (ddof=1) of the last 20 daily returns
    rets = [b / a - 1 for a, b in zip(closes[-21:-1], closes[-20:], strict=True)]
    mean = sum(rets) / 20
    vol = (sum((r - mean) ** 2 for r in rets) / 19) ** 0.5
    assert excel("VOLATILITY", "ICHR", MISSING, DAY_SERIAL) == pytest.approx(vol, rel=1e-9)
    assert 0.02 < vol < 0.06  # the design's "daily volatility near 4 %"
    # % from the 52-week high: close / max(last 252 closes, today included) - 1
    assert excel("PCT_FROM_HIGH", "ICHR", DAY_SERIAL) == pytest.approx(
        33.07 / max(closes[-252:]) - 1, rel=1e-9
    )
    # % from the 20-day MA: close / mean(last 20 closes) - 1
    assert excel("PCT_FROM_MA", "ICHR", MISSING, DAY_SERIAL) == pytest.approx(
        33.07 / (sum(closes[-20:]) / 20) - 1, rel=1e-9
    )
    # relative volume: SPY's volume on the day / mean of the 50 days before (stored bars)
    bars = store.store.read_bars(["SPY"], end="2026-01-22").sort_values("date")
    volume = bars["volume"].to_numpy(dtype=float)
    assert pd.Timestamp(bars["date"].iloc[-1]) == pd.Timestamp("2026-01-22")
    assert not np.isnan(volume[-51:]).any()
    expected = volume[-1] / (volume[-51:-1].sum() / 50)
    # the market holds volume as float32 (xlsrc.data.matrices): each volume within 2**-24
    # relative, so the ratio within 2 * 2**-24 = 1.2e-7
    assert excel("REL_VOLUME", "SPY", MISSING, DAY_SERIAL) == pytest.approx(expected, rel=1.2e-7)
    # and SPY's RSI from its own raw rows
    spy = [c for _, c in raw_closes["SPY"]]
    assert udfs.RSI("SPY", None, DAY) == pytest.approx(_wilder_rsi(spy), abs=1e-6)


def test_rotation():
    label = excel("ROTATION_SIGNAL", MISSING, MISSING, DAY_SERIAL)
    assert isinstance(label, str) and not label.startswith("#N/A")
    assert label == udfs.ROTATION_SIGNAL(None, None, DAY)
    spread = excel("ROTATION_SPREAD", "IWM", "SPY", DAY_SERIAL)
    assert spread == pytest.approx(YTD_2026_01_22["IWM"] - YTD_2026_01_22["SPY"], abs=3e-3)
    assert isinstance(excel("ROTATION_SIGNAL", "iwm", "QQQ", DAY_CELL), str)


# --------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    ("name", "args", "message"),
    [
        ("YTD_RETURN", ("XYZQ", MISSING), "#N/A Unknown ticker: XYZQ"),
        ("YTD_RETURN", (None, MISSING), "#N/A Missing ticker"),
        ("YTD_RETURN", ("VICR", "2019-01-02"), "#N/A No price"),
        # 22/01/2026 is now 22 January (one date rule, issue 9); a swappable one is refused
        ("YTD_RETURN", ("VICR", "03/02/2026"), "#N/A Invalid as_of: '03/02/2026' is ambiguous"),
        ("PCT_FROM_MA", ("VICR", 0.0, MISSING), "#N/A Invalid window"),
        ("PCT_FROM_MA", ("VICR", 2.5, MISSING), "#N/A Invalid window"),
        ("RSI", ("VICR", -3.0, MISSING), "#N/A Invalid window"),
        ("TRAILING_RETURN", ("VICR", "2Q", MISSING), "#N/A Invalid period"),
        ("TRAILING_RETURN", ("VICR", 300.0, "2024-06-03"), "#N/A Too little history"),
        ("PCT_FROM_MA", ("VICR", 200.0, "2024-03-01"), "#N/A Too little history"),
        ("RS_RATING", ("VICR", "nasdaq9000", MISSING, MISSING), "#N/A Unknown universe"),
        ("PERIOD_RETURN", ("VICR", None, MISSING), "#N/A Missing start_date"),
        ("RS_LINE", ("VICR", "XYZQ", MISSING), "#N/A Unknown ticker: XYZQ"),
    ],
)
def test_errors_are_na_text(name, args, message):
    value = excel(name, *args)
    assert isinstance(value, str) and value.startswith(message), value
    assert "Traceback" not in value
    plain = getattr(udfs, name)(*[None if a is MISSING else a for a in args])
    assert plain == value


def test_unexpected_errors_are_short(monkeypatch):
    def boom():
        raise RuntimeError("secret internals")

    monkeypatch.setattr(udfs, "_market", boom)
    assert udfs.YTD_RETURN("VICR") == "#N/A Unexpected error in YTD_RETURN (RuntimeError)"
    assert udfs.LEADERS() == [["#N/A Unexpected error in LEADERS (RuntimeError)"]]


# --------------------------------------------------------------------------- tables
def table_ok(rows, header0):
    assert isinstance(rows, list) and len(rows) >= 2, rows
    assert rows[0][0] == header0
    width = len(rows[0])
    assert all(len(r) == width for r in rows)


def test_leaders():
    rows = excel("LEADERS", "sp600", 10.0, "ytd", MISSING, DAY_SERIAL)
    table_ok(rows, "#")
    assert len(rows) == 11
    tickers = [r[1] for r in rows[1:]]
    assert "ICHR" in tickers or "UCTT" in tickers
    assert rows == udfs.LEADERS("sp600", 10, "ytd", None, DAY) or rows[1:] == [
        [("" if v is None else v) for v in r]
        for r in udfs.LEADERS("sp600", 10, "ytd", None, DAY)[1:]
    ]
    assert table("LEADERS", "nowhere", MISSING, MISSING, MISSING, MISSING)[0][0].startswith(
        "#N/A Unknown universe"
    )
    assert table("LEADERS", MISSING, 0.0, MISSING, MISSING, MISSING)[0][0].startswith(
        "#N/A Invalid n"
    )


def test_rs_rating_is_the_same_whole_number_in_every_table():
    # The core rounds once (half up); RS_RATING, LEADERS and TECHNICALS show that number,
    # so a rating shown as "90" is >= 90 for the RS >= 90 highlight too.
    leaders = udfs.LEADERS("sp600", 25, "ytd", None, DAY)
    col = leaders[0].index("RS rating")
    tech = udfs.TECHNICALS("ICHR, UCTT, VICR, IWM", DAY)
    tcol = tech[0].index("RS rating")
    for rows, c in ((leaders, col), (tech, tcol)):
        t = rows[0].index("Ticker")
        for row in rows[1:]:
            assert float(row[c]).is_integer(), row
            assert udfs.RS_RATING(row[t], None, None, DAY) == row[c]
    sectors = udfs.SECTORS(None, DAY)
    scol = sectors[0].index("RS rating")
    assert all(float(row[scol]).is_integer() for row in sectors[1:])


def test_sectors_rrg_breadth_technicals():
    table_ok(excel("SECTORS", MISSING, DAY_SERIAL), "#")
    rrg = excel("RRG", (("XLK",), ("XLE",), ("NOPE",)), MISSING, DAY_SERIAL)
    assert rrg[0] == ["Ticker", "RS-Ratio", "RS-Momentum", "Quadrant"]
    assert rrg[3][1].startswith("#N/A Unknown ticker: NOPE")
    assert rrg[1][3] in {"Leading", "Weakening", "Lagging", "Improving"}
    table_ok(excel("BREADTH", MISSING, MISSING, DAY_SERIAL), "Universe")
    b = excel("BREADTH", "sp600", 20.0, DAY_SERIAL)
    # the extra average's share and the members it is over (review-1 D23)
    assert len(b) == 2 and b[0][-2:] == ["> 20d MA", "Counted 20d"] and 0 <= b[1][-2] <= 1
    tech = excel("TECHNICALS", "IWM, VICR, XYZQ", DAY_SERIAL)
    table_ok(tech, tech[0][0])
    assert len(tech) == 4


def test_price_history_returns_dates():
    rows = excel("PRICE_HISTORY", "VICR", "2025-12-31", DAY_CELL, "close, volume")
    assert rows[0] == ["Date", "Close", "Volume"]
    # xlwings hands Excel COM dates (tz-aware datetimes) for date cells
    assert rows[1][0].replace(tzinfo=None) == dt.datetime(2025, 12, 31)
    assert rows[1][1] == pytest.approx(109.60, rel=1e-3)
    assert rows[-1][0].replace(tzinfo=None) == DAY
    assert rows[-1][1] == pytest.approx(166.78, rel=1e-3)
    plain = udfs.PRICE_HISTORY("VICR", "2025-12-31", DAY)
    assert plain[0] == ["Date", "Close"] and plain[1][0] == dt.datetime(2025, 12, 31)
    assert table("PRICE_HISTORY", "VICR", "2025-12-31", MISSING, "colour")[0][0].startswith(
        "#N/A Invalid fields"
    )


def _as_excel_gets(rows):
    """A plain-Python table as xlwings hands it to Excel: blanks "", dates naive."""
    return [
        [
            "" if v is None else v.replace(tzinfo=None) if isinstance(v, dt.datetime) else v
            for v in row
        ]
        for row in rows
    ]


def test_dashboard_tables_have_the_layout_headers():
    from xlsrc.dashboard.layout import DASHBOARD

    for name, table, args in [
        ("MARKET_OVERVIEW", "overview", (DAY_SERIAL,)),
        ("ROTATION_TABLE", "rotation", (DAY_CELL,)),
        ("REBASED", "rebased", ("IWM,SPY,QQQ", DAY_SERIAL)),
        ("RRG_GUIDES", "rrg_guides", (MISSING, DAY_SERIAL)),
        ("DATA_SOURCES", "provenance", ()),
    ]:
        rows = excel(name, *args)
        table_ok(rows, DASHBOARD.table(table).headers[0])
        assert rows[0] == list(DASHBOARD.table(table).headers), name
        plain = getattr(udfs, name)(*[None if a is MISSING else a for a in args])
        assert _as_excel_gets(rows) == _as_excel_gets(plain), name


def test_market_overview_and_rotation_table_by_hand():
    rows = udfs.MARKET_OVERVIEW(DAY)
    by_ticker = {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    assert {"SPY", "IWM", "QQQ"} <= set(by_ticker)
    for t in ("SPY", "IWM"):
        assert by_ticker[t]["YTD"] == pytest.approx(YTD_2026_01_22[t], abs=2e-3)
    rot = udfs.ROTATION_TABLE(DAY)
    pairs = {r[0]: dict(zip(rot[0], r, strict=True)) for r in rot[1:]}
    assert pairs["IWM / SPY"]["YTD spread"] == pytest.approx(
        YTD_2026_01_22["IWM"] - YTD_2026_01_22["SPY"], abs=3e-3
    )
    assert pairs["IWM / SPY"]["Trend signal"] == udfs.ROTATION_SIGNAL("IWM", "SPY", DAY)


def test_rebased_returns_dates_and_100_at_the_base():
    rows = excel("REBASED", "IWM,SPY,QQQ", DAY_CELL)
    assert rows[0] == ["Date", "IWM", "SPY", "QQQ"]
    # first row: the last trading day of 2025 = 100; an Excel date (COM time), not a number
    assert isinstance(rows[1][0], dt.datetime)
    assert rows[1][0].replace(tzinfo=None) == dt.datetime(2025, 12, 31)
    assert rows[1][1:] == pytest.approx([100.0, 100.0, 100.0])
    assert rows[-1][0].replace(tzinfo=None) == DAY
    assert rows[-1][1] == pytest.approx(100 * 268.672 / 245.14, rel=2e-3)
    assert rows[-1][2] == pytest.approx(100 * 685.338 / 678.315, rel=2e-3)
    plain = udfs.REBASED((("spy",), ("iwm",)), "2026-01-22")
    assert plain[0] == ["Date", "SPY", "IWM"] and isinstance(plain[1][0], dt.datetime)
    # any ticker, not only the chart's three (XLK closes from the raw CSV rows)
    sector = udfs.REBASED("XLK", "2026-01-22")
    assert sector[0] == ["Date", "XLK"]
    assert sector[-1][1] == pytest.approx(100 * 144.528 / 143.62, rel=1e-9)
    # review-2 (13): one unknown ticker no longer blanks the table; its column says why
    assert table("REBASED", "IWM, XYZQ", MISSING)[0] == ["Date", "IWM", "#N/A Unknown ticker: XYZQ"]
    assert table("REBASED", "XYZQ", MISSING)[0][0].startswith("#N/A Unknown ticker: XYZQ")
    assert table("REBASED", None, MISSING)[0][0].startswith("#N/A Missing tickers")


def test_rrg_guides_span_the_sector_points():
    rows = udfs.RRG_GUIDES(None, DAY)
    assert rows[0] == ["Line", "x", "y"] and len(rows) == 5
    assert rows[1][1] == rows[2][1] == 100.0 and rows[3][2] == rows[4][2] == 100.0
    sectors = udfs.SECTORS(None, DAY)
    ratio = [r[sectors[0].index("RS-Ratio")] for r in sectors[1:]]
    assert rows[3][1] <= min(v for v in ratio if v is not None) <= rows[4][1]
    assert table("RRG_GUIDES", "XYZQ", MISSING)[0][0].startswith("#N/A Unknown ticker: XYZQ")


def test_data_status(store):
    rows = excel("DATA_STATUS")
    assert rows[0] == ["Item", "Value"] and len(rows) > 2
    items = dict(map(tuple, rows[1:]))
    assert items["Source"].startswith("snapshot")
    assert isinstance(items["Latest session"], dt.datetime)  # an Excel date
    assert items["Latest session"].replace(tzinfo=None) == store.close.index[-1]
    assert items["First session"].replace(tzinfo=None) == store.close.index[0]
    assert items["Tickers"] == store.close.shape[1]
    # bars on 2026-08-03, the last day of the bundled data: 11,281 rows of that date in
    # shared/data/closes (zcat | grep -c '^2026-08-03,') plus the three indices of
    # ohlcv/adjusted_2015-2026 (GSPC, IXIC, VIX), which have that day too
    assert items["Tickers with a bar on the latest session"] == 11_284
    # the session's store reads the bundled snapshot and was never written to (labels say
    # "data added": a CSV import is no refresh)
    assert items["Last data added (UTC)"] == "never"
    assert items["Last data added from"] == "never"
    assert items["Backend"] == "SQLite over the bundled snapshot"
    assert items["Snapshot version"] == "1"
    assert items["Store created (UTC)"] in (None, "")  # no file: nothing was ever written
    assert udfs.DATA_STATUS()[0] == ["Item", "Value"]


def test_a_recalculation_loads_the_store_once(store, monkeypatch):
    """1,000 formulas cost no reload while the store is unchanged (version checked each call)."""
    loads = []
    real = market_mod.load_matrices
    monkeypatch.setattr(market_mod, "load_matrices", lambda s: loads.append(1) or real(s))
    monkeypatch.setattr(market_mod, "CHECK_INTERVAL", 0.0)
    for i in range(200):
        t = sorted(YTD_2026_01_22)[i % len(YTD_2026_01_22)]
        assert isinstance(udfs.YTD_RETURN(t, DAY), float)
        assert isinstance(udfs.RSI(t, None, DAY_SERIAL), float)
    assert loads == []
    assert market_mod.get_market() is store


def test_formulas_reuse_one_market(store):
    assert market_mod.get_market() is store
    assert os.environ["XLSRC_STORE"]


def test_the_next_formula_sees_a_refresh(store, tmp_path, monkeypatch):
    """A write through the Store (as ``xlsrc refresh`` in another process makes) is seen.

    On a store of its own (the session's is shared and read only). The market asks the
    store for its versions at most once a second (``market.CHECK_INTERVAL``);
    the test checks on every call instead of sleeping.
    """
    import pandas as pd

    from xlsrc.data import ingest_bars, open_store

    copy = tmp_path / "xlsrc.sqlite"  # a store of its own over the bundled snapshot
    monkeypatch.setenv("XLSRC_STORE", str(copy))
    monkeypatch.setattr(market_mod, "CHECK_INTERVAL", 0.0)
    assert udfs.YTD_RETURN("ZZXT", DAY) == "#N/A Unknown ticker: ZZXT"
    market = market_mod.get_market()
    assert market is not store and market.store.location == str(copy)
    version = market.data_version

    writer = open_store(copy)  # a second handle, like another process
    bars = pd.DataFrame(
        {"ticker": ["ZZXT", "ZZXT"], "date": ["2025-12-31", "2026-01-22"], "close": [10.0, 12.5]}
    )
    ingest_bars(writer, bars, "test")
    assert udfs.YTD_RETURN("ZZXT", DAY) == pytest.approx(12.5 / 10.0 - 1)
    assert excel("YTD_RETURN", "zzxt", DAY_SERIAL) == pytest.approx(0.25)
    assert market.data_version > version
    assert market_mod.get_market() is market  # reloaded in place, not replaced

    # a corrected bar for a date whose metrics are already memoised
    # (a one-day correction is stored only when asked: rule basis)
    ingest_bars(writer, bars.assign(close=[10.0, 15.0]).tail(1), "test", allow_other_basis=True)
    assert udfs.YTD_RETURN("ZZXT", DAY) == pytest.approx(15.0 / 10.0 - 1)
    assert udfs.YTD_RETURN("VICR", DAY) == pytest.approx(YTD_2026_01_22["VICR"], abs=2e-3)
