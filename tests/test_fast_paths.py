"""The fast paths serve exactly what the general paths serve.

Issue 12's warm formula call, light formula process and quick first command take short
cuts: a date's trading day found by bisecting the sessions' nanoseconds, per-day metrics
memoised column by column as numpy arrays, the RS line memoised per day and benchmark, a
one-cell formula call that skips the range layout, a field (volume) read for a few tickers
only, and a layered store whose bars identity ignores an overlay without bars. Each test
here runs the short cut and the general path on the same question and asks for the same
answer; the answers themselves are pinned by hand elsewhere (``test_serving.py``,
``test_udfs.py``, ``test_market.py``, ``test_store.py``). The store-level cases are worked
out by hand from ``tiny_snapshot`` (AAA: closes 10..15, volumes 100..600 on six business
days from 2026-01-05).
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from tiny_snapshot import DATES, make_snapshot

from xlsrc import market as market_mod
from xlsrc.core.history import asof_position
from xlsrc.data import ingest_bars, load_field, load_matrices, open_store
from xlsrc.errors import XlsrcError
from xlsrc.excel import args as excel_args
from xlsrc.excel import formula, udfs

NOW = pd.Timestamp("2026-11-30 23:00", tz="UTC")


# --------------------------------------------------------------------------- real data
@pytest.fixture(scope="module")
def real(bundled_store_path):
    """A Market of its own on the session's store over the bundled snapshot (read only)."""
    return market_mod.Market(open_store(bundled_store_path))


def _sample(market: market_mod.Market) -> list[str]:
    """Every 61st ticker plus the motivating ones and a few that have gaps or are new."""
    columns = [str(t) for t in market.close.columns]
    named = ["VICR", "ICHR", "UCTT", "SPY", "IWM", "QQQ", "^GSPC", "BRK-B", "XLK"]
    return list(dict.fromkeys([*columns[::61], *(t for t in named if t in columns)]))


#: Dates: ordinary sessions, a holiday (2026-01-19), a weekend day, 1 January (before the
#: year's first session), the data's first year (YTD without a base), the last session.
DATES_REAL = ("2024-03-01", "2025-01-01", "2025-01-02", "2026-01-19", "2026-01-24", None)


def test_the_trading_day_bisect_agrees_with_pandas(real):
    index = real.close.index
    probes: list[object] = [*index[:3], *index[-3:], *index[::37]]
    probes += [d + pd.Timedelta(days=1) for d in index[::53]]  # a day after a session
    probes += [d + pd.Timedelta(hours=15, minutes=30) for d in index[::71]]  # a time of day
    probes += [
        "2026-01-24",
        "2026-01-19",
        dt.date(2025, 7, 4),
        dt.datetime(2025, 12, 25, 9, 0),
        np.datetime64("2025-11-27"),
        pd.Timestamp("2026-01-22 23:30", tz="America/New_York"),
        pd.Timestamp("2030-01-01"),
        pd.Timestamp("9999-12-31"),  # beyond nanoseconds as the unit "s" holds it
        index[-1].as_unit("s"),
    ]
    for probe in probes:
        try:
            want = asof_position(index, probe)
        except Exception as exc:  # a date pandas cannot place: the same error, not another
            with pytest.raises(type(exc)):
                real._row(probe)
            continue
        pos, asked = real._row(probe)
        assert pos == want, probe
        assert real.trading_day(probe) == pd.Timestamp(index[want]), probe
        assert asked == real.as_of(probe), probe
    assert real._row(None)[0] == len(index) - 1
    with pytest.raises(XlsrcError, match="No price on or before 2023-12-29"):
        real._row("2023-12-29")


def test_memoised_values_equal_values_computed_on_their_own_columns(real, monkeypatch):
    """Metric by metric, date by date: the memo (fast) against one-column computations."""
    tickers = _sample(real)
    names = [*market_mod.METRIC_NAMES, "rs_line"]
    for day in DATES_REAL:
        # the general path: no memo, every value computed on the tickers' own columns
        monkeypatch.setattr(market_mod, "FULL_METRICS_AFTER", 10**9)
        general = market_mod.Market(real.store)
        slow = {n: general.values(tickers, n, day) for n in names}
        assert general.trading_day(day) not in general._metrics
        # the fast path: every column memoised for the day, served by index
        monkeypatch.setattr(market_mod, "FULL_METRICS_AFTER", 0)
        fast_market = market_mod.Market(real.store)
        fast_market.metrics(day)
        for name in names:
            fast = fast_market.values(tickers, name, day)
            assert fast.reasons == slow[name].reasons, (day, name)
            a, b = fast.values, slow[name].values
            if a.dtype.kind == "M":
                assert np.array_equal(a, b, equal_nan=True), (day, name)
            else:  # the same sums over a one-column frame: equal to ~1e-15
                np.testing.assert_allclose(a, b, rtol=1e-12, atol=0, equal_nan=True)
            # one ticker at a time (the formulas' common case) is the same as the batch
            for i in range(0, len(tickers), 17):
                one = fast_market.values([tickers[i]], name, day)
                assert one.reasons[0] == fast.reasons[i]
                assert one.values[0] == fast.values[i] or (
                    pd.isna(one.values[0]) and pd.isna(fast.values[i])
                )
        assert any(r is None for r in fast.reasons) and any(fast.reasons), day


def test_the_metrics_table_narrowed_equals_the_whole_table(real):
    for day in ("2025-01-01", "2026-01-22"):
        whole = real.metrics(day)
        tickers = _sample(real)[::3]
        names = ["ret_ytd", "rs_rating", "relative_volume50", "last_bar"]  # the table's order
        part = real.metrics(day, reversed(names), tickers)
        assert list(part.columns) == names and list(part.index) == tickers
        pd.testing.assert_frame_equal(
            part, whole.loc[tickers, names], check_exact=False, rtol=1e-12
        )
    with pytest.raises(XlsrcError, match="metric"):
        real.metrics(None, ["ret_2y"])
    with pytest.raises(XlsrcError, match="Unknown ticker: XYZQ"):
        real.metrics(None, ["close"], ["VICR", "XYZQ"])


def test_the_rs_line_memo_equals_the_ratio_of_closes(real):
    day = pd.Timestamp("2026-01-22")
    row = real.close.loc[day]
    got = real.values(["VICR", "IWM", "SPY"], "rs_line", day, benchmark="IWM")
    assert got.values.tolist() == [row["VICR"] / row["IWM"], 1.0, row["SPY"] / row["IWM"]]
    # a benchmark without a price that day: its own reason, every time (memoised too)
    for _ in range(2):
        with pytest.raises(XlsrcError, match="No price for"):
            real.values(["VICR"], "rs_line", "2024-01-03", benchmark=_listed_late(real))


def _listed_late(market: market_mod.Market) -> str:
    """A ticker whose first bar is after 2024-01-03 (no price on that day)."""
    first = market.has_bar.argmax(axis=0)
    late = np.flatnonzero(first > 5)
    return str(market.close.columns[late[0]])


def test_a_few_tickers_volume_equals_the_whole_volume_real(real):
    whole = real.volume  # read whole once (float32)
    fresh = market_mod.Market(real.store)
    tickers = ["VICR", "A", str(real.close.columns[-1]), "SPY", "^GSPC"]
    few = fresh.field("volume", tickers)
    assert "volume" not in fresh._fields
    pd.testing.assert_frame_equal(few, whole[tickers], check_exact=True)
    # the snapshot decoded only the row groups holding them
    base = real.store.base
    groups = base._groups_holding(base._bars_file(["ticker"]), {"VICR"})
    assert len(groups) == 1


def test_one_ticker_bars_are_the_snapshot_rows_of_that_ticker(real):
    frame = real.store.read_bars(["VICR", "ICHR"])
    long, _ = real.store.read_long(("close", "volume"))
    for ticker in ("VICR", "ICHR"):
        code = list(long.tickers).index(ticker)
        rows = long.code == code
        mine = frame[frame["ticker"] == ticker]
        assert mine["close"].tolist() == long.fields["close"][rows].tolist()
        volume = long.fields["volume"][rows]
        assert np.array_equal(mine["volume"].to_numpy(), volume, equal_nan=True)


# --------------------------------------------------------------------------- formulas
FORMULAS = [
    ("YTD_RETURN", (46044.0,)),
    ("RS_RATING", (None, None, 46044.0)),  # universe, basis, as_of
    ("PCT_FROM_MA", (50.0, 46044.0)),
    ("TRAILING_RETURN", ("1M", None)),
    ("RS_LINE", ("IWM", 46044.0)),
    ("REL_VOLUME", (None, 46044.0)),
    ("PCT_FROM_HIGH", ("2025-01-01",)),
]


@pytest.mark.parametrize(("name", "rest"), FORMULAS, ids=[f[0] for f in FORMULAS])
def test_a_one_cell_call_equals_the_range_layout(bundled_store_path, monkeypatch, name, rest):
    """One cell (``x``, ``[x]``, ``[[x]]``: the short cut) against a 2x1 range (the layout)."""
    monkeypatch.setenv("XLSRC_STORE", str(bundled_store_path))
    func = getattr(udfs, name)
    tickers = ["VICR", "ichr ", "XYZQ", "#N/A", 3988.0, None]
    for ticker in tickers:
        pair = func([[ticker], ["SPY"]], *rest)  # the general path: broadcast
        for cell in (ticker, [ticker], [[ticker]]):
            try:
                got = func(cell, *rest)
            except XlsrcError as exc:  # the formula's #N/A, as the wrapper shows it
                got = f"#N/A {exc}"
            expected = pair[0][0]
            if ticker is None:  # a blank single cell is the formula's own error
                assert isinstance(got, str) and got.startswith("#N/A Missing ticker")
            else:
                assert got == expected or (_nan(got) and _nan(expected)), (name, cell)


def _nan(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def test_the_one_cell_shapes_are_those_broadcast_reads_as_one():
    names = ("a", "b")
    for cells in (["x", 1.0], [["x"], [[1.0]]], [[["x"]], None], [[[("t",)]], 2]):
        one = formula._one_cells(cells)
        grid = excel_args.broadcast(cells, names)
        assert grid.nest == 0 and one == [column[0] for column in grid.columns], cells
    for cells in ([["x", "y"], 1], [("x",), 1], [[], 1], [np.array(["x"]), 1], [[["x", "y"]], 1]):
        assert formula._one_cells(cells) is None, cells


def test_the_fast_binding_reports_missing_and_extra_arguments():
    with pytest.raises(TypeError, match="period"):
        udfs.TRAILING_RETURN.__wrapped__.__wrapped__("VICR")  # no period: Python's message
    got = udfs.TRAILING_RETURN("VICR")  # through the formula wrapper: an #N/A cell
    assert isinstance(got, str) and got.startswith("#N/A Unexpected error in TRAILING_RETURN")
    with pytest.raises(TypeError):
        udfs.YTD_RETURN.__wrapped__.__wrapped__("VICR", None, "extra")


# --------------------------------------------------------------------------- the layered store
@pytest.fixture
def snap(tmp_path):
    return make_snapshot(tmp_path / "snap")


def test_an_overlay_without_bars_keeps_the_bars_identity(tmp_path, snap):
    store = open_store(tmp_path / "db" / "x.sqlite", snapshot=snap)
    first = store.identity()
    assert first[0].endswith("+empty") and first[1:] == (0, 0)
    store.set_universe("mine", ["AAA"], source="test")  # creates the store file
    assert store.overlay.path.exists()
    after = store.identity()
    assert after[0] == first[0] and after[2] == 0 and after[1] > first[1]
    assert store.read_long(("close",))[1] == after
    assert store.overlay.identity()[0]  # the file has its own id, not part of the bars id
    ingest_bars(
        store,
        pd.DataFrame({"ticker": ["AAA"], "date": [DATES[-1]], "close": [16.0]}),
        "test",
        allow_other_basis=True,  # a one-day correction (15 -> 16): only when asked
        now=NOW,
    )
    bars = store.identity()
    assert bars[0] == f"{store.base.snapshot_id}+{store.overlay.identity()[0]}"
    assert bars[2] >= 1 and store.read_long(("close",))[1] == bars


def test_a_live_market_keeps_its_matrices_across_the_first_universe_set(tmp_path, snap):
    market = market_mod.Market(open_store(tmp_path / "db" / "x.sqlite", snapshot=snap))
    close = market.close
    market.store.set_universe("mine", ["AAA", "BBB"], source="test")
    assert market.refresh_if_changed(force=True)  # securities and universes reloaded
    assert market.close is close and list(market.universe("mine")) == ["AAA", "BBB"]
    ingest_bars(
        market.store,
        pd.DataFrame({"ticker": ["AAA"], "date": [DATES[-1]], "close": [16.0]}),
        "test",
        allow_other_basis=True,  # a one-day correction (15 -> 16): only when asked
        now=NOW,
    )
    assert market.refresh_if_changed(force=True)
    assert market.close is not close and market.close["AAA"].iloc[-1] == 16.0


def test_a_few_tickers_field_follows_the_overlay(tmp_path, snap):
    """Volume of a few tickers through the layers: overlay rows win, a replaced history hides."""
    store = open_store(tmp_path / "db" / "x.sqlite", snapshot=snap)
    rows = [
        ("AAA", DATES[1], 11.0, 999.0),  # an overlay bar over the snapshot's (volume 200)
        ("NEW", DATES[4], 50.0, 7.0),  # a ticker only the overlay has
        ("NEW", DATES[5], 51.0, 8.0),
    ]
    frame = pd.DataFrame(rows, columns=["ticker", "date", "close", "volume"])
    ingest_bars(store, frame, "test", now=NOW)
    # BBB re-imported from the 5th session: the snapshot's BBB bars from then on are hidden
    replaced = pd.DataFrame(
        {"ticker": ["BBB"], "date": [DATES[4]], "close": [30.0], "volume": [5.0]}
    )
    ingest_bars(store, replaced, "csv", now=NOW, replace=True)
    m = load_matrices(store)
    whole = load_field(store, "volume", m)
    few = load_field(store, "volume", m, tickers=["NEW", "AAA", "BBB"])
    pd.testing.assert_frame_equal(few, whole[["NEW", "AAA", "BBB"]], check_exact=True)
    nan = float("nan")
    assert few["AAA"].tolist() == [100.0, 999.0, 300.0, 400.0, 500.0, 600.0]
    assert np.array_equal(few["NEW"].to_numpy(), [nan] * 4 + [7.0, 8.0], equal_nan=True)
    assert np.array_equal(few["BBB"].to_numpy(), [nan] * 4 + [5.0, nan], equal_nan=True)


def test_an_unsorted_snapshot_reads_the_same(tmp_path, snap):
    """A snapshot whose rows are not sorted by ticker: the short cuts fall back, same answers."""
    import pyarrow.parquet as pq

    from xlsrc.data.backends.snapshot import SnapshotStore

    table = pq.read_table(snap / "bars.parquet")
    order = np.random.default_rng(7).permutation(table.num_rows)
    shuffled = tmp_path / "shuffled"
    shuffled.mkdir()
    for name in ("securities.parquet", "universes.parquet", "provenance.json"):
        (shuffled / name).write_bytes((snap / name).read_bytes())
    pq.write_table(table.take(order), shuffled / "bars.parquet", row_group_size=4)
    store = SnapshotStore(shuffled)
    # by hand: AAA and ^IDX trade all six days, BBB from the third
    assert store.last_days().to_dict() == {t: DATES[-1] for t in ("AAA", "BBB", "^IDX")}
    long, _ = store.read_long(("volume",))  # notes which row groups hold which tickers
    few, _ = store.read_long_of(("volume",), ["AAA"])
    assert sorted(zip(few.day.tolist(), few.fields["volume"].tolist(), strict=True)) == [
        (int(d), 100.0 * (i + 1)) for i, d in enumerate((DATES - pd.Timestamp(0)).days)
    ]
    assert few.tickers.tolist() == ["AAA"] and len(long) == 16
