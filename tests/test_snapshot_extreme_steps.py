"""The bundled snapshot obeys the gate's extreme-step rule (scripts/build_snapshot.py).

A ticker whose closes step x16.2 or more, or x1/16.2 or less, from one bar to the next
keeps only its bars from its last such step on. Expected values come from the raw shared
closes (``closes/us_closes_2024-01-02_2026-08-03.csv.gz``), read here with a few lines of
pyarrow/numpy, and from hand computations on closes copied out of that file:

PPCB (shared closes): 0.01 on 2025-01-21 and 2025-01-28, 625 on 2025-01-29 (x62,500);
6.65 on 2026-01-22, 39.75 on 2025-10-21, 112.0 on 2025-07-23, 131.0 on 2025-04-22 (63, 126
and 189 sessions before). Before the rule its 1-year return on 2026-01-22 was
6.65 / 0.01 - 1 = +66,400 % and its RS rating 99.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from xlsrc.core.rs_history import rs_windows_used
from xlsrc.data.validate import EXTREME_STEP
from xlsrc.market import get_market

DATA = Path(__file__).resolve().parents[1] / "xlsrc" / "_data"
CLOSES_CSV = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "data"
    / "closes"
    / "us_closes_2024-01-02_2026-08-03.csv.gz"
)
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "leadership"
DAY = pd.Timestamp("2026-01-22")
THRESHOLD = 16.2  # the x15 band's upper edge, 15 * 1.08


def _extreme(ratio: np.ndarray) -> np.ndarray:
    return (ratio >= THRESHOLD) | (ratio <= 1.0 / THRESHOLD)


@pytest.fixture(scope="module")
def bundled() -> dict[str, np.ndarray]:
    """The bundled bars' ticker (str), date (datetime64[D]) and close, in file order."""
    table = pq.read_table(DATA / "bars.parquet", columns=["ticker", "date", "close"])
    return {
        "ticker": table["ticker"].cast(pa.string()).to_numpy(zero_copy_only=False),
        "date": table["date"].to_numpy(),
        "close": table["close"].to_numpy(),
    }


@pytest.fixture(scope="module")
def provenance() -> dict:
    return json.loads((DATA / "provenance.json").read_text())


@pytest.fixture(scope="module")
def market(bundled_store_path):
    return get_market(bundled_store_path)


def test_the_gate_and_the_snapshot_share_the_threshold():
    assert EXTREME_STEP == THRESHOLD


def test_no_bundled_ticker_steps_x16_2_or_more_either_way(bundled):
    ticker, date, close = bundled["ticker"], bundled["date"], bundled["close"]
    same = ticker[1:] == ticker[:-1]
    # the layout the reader relies on: sorted by ticker, then date
    assert bool(np.all((ticker[1:] > ticker[:-1]) | (same & (date[1:] > date[:-1]))))
    ratio = close[1:] / close[:-1]
    assert not _extreme(ratio[same]).any()
    # the largest step left is in the x15 band (13.8 .. 16.2): BCTX 3.7 -> 59 on 2025-01-29
    assert np.maximum(ratio, 1 / ratio)[same].max() == pytest.approx(59 / 3.7, rel=1e-12)


def test_the_provenance_lists_the_cut(provenance):
    cut = provenance["stats"]["extreme_steps"]
    assert cut["threshold"] == THRESHOLD
    # counted on the raw closes (test below): 55 steps in 51 tickers, 19,157 bars
    assert (cut["steps"], cut["tickers"], cut["bars_dropped"]) == (55, 51, 19157)
    assert cut["tickers_by_type"] == {"etf": 4, "other": 4, "stock": 43}
    by = {e["ticker"]: e for e in cut["by_ticker"]}
    assert sum(len(e["steps"]) for e in by.values()) == 55
    assert by["PPCB"]["kept_from"] == "2025-01-29"
    assert by["PPCB"]["steps"] == [
        {
            "day": "2025-01-29",
            "previous_day": "2025-01-28",
            "previous_close": 0.01,
            "close": 625.0,
            "ratio": 62500.0,
        }
    ]
    # two steps each: a ticker keeps its bars from the later one
    assert [s["day"] for s in by["BESS"]["steps"]] == ["2025-02-03", "2025-02-10"]
    assert by["BESS"]["kept_from"] == "2025-02-10"
    assert [s["day"] for s in by["DFSC"]["steps"]] == ["2025-04-23", "2025-04-24"]
    # GIBO 31.25 -> 1.25 (x0.04) -> 22.70 (x18.16): the one-day print is dropped too
    assert by["GIBO"]["kept_from"] == "2026-06-30"
    # the only member of a named universe
    assert [t for t, e in by.items() if e["universes"]] == ["FFAI"]
    assert by["FFAI"]["universes"] == ["r2000"]
    assert provenance["rows"]["bars"] == 6283860 - 19157


@pytest.mark.skipif(not CLOSES_CSV.exists(), reason="shared data not available")
def test_the_cut_and_every_other_bar_match_the_raw_closes(bundled, provenance):
    table = pacsv.read_csv(
        CLOSES_CSV,
        convert_options=pacsv.ConvertOptions(
            column_types={"date": pa.string(), "ticker": pa.string(), "close": pa.float64()}
        ),
    )
    upper = pc.utf8_upper(table["ticker"])
    table = table.set_column(1, "ticker", pc.replace_substring_regex(upper, r"[._/ ]", "-"))
    table = table.sort_by([("ticker", "ascending"), ("date", "ascending")])
    t = table["ticker"].to_numpy(zero_copy_only=False)
    d = table["date"].cast(pa.date32()).to_numpy()
    c = table["close"].to_numpy()
    same = t[1:] == t[:-1]
    step = np.r_[False, same & _extreme(c[1:] / c[:-1])]
    assert int(step.sum()) == 55
    # each ticker's last step: rows before it (same ticker) are dropped
    starts = np.r_[0, np.flatnonzero(~same) + 1]
    group = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(t)]))
    last = np.full(len(starts), -1)
    np.maximum.at(last, group[step], np.flatnonzero(step))
    keep = np.arange(len(t)) >= last[group]
    assert int((~keep).sum()) == 19157
    cut = {e["ticker"]: e for e in provenance["stats"]["extreme_steps"]["by_ticker"]}
    has = last >= 0
    assert {k: e["kept_from"] for k, e in cut.items()} == dict(
        zip(t[last[has]], d[last[has]].astype(str), strict=True)
    )
    assert {k: e["bars_dropped"] for k, e in cut.items()} == dict(
        zip(t[last[has]], (last - starts)[has].tolist(), strict=True)
    )
    # the bundled closes of the tickers in the closes file are exactly the kept raw rows,
    # in the same order (^GSPC, ^IXIC, ^VIX come from another file)
    ticker = bundled["ticker"]
    ours = ~np.isin(ticker, ["^GSPC", "^IXIC", "^VIX"])
    assert set(np.unique(ticker[~ours])) == {"^GSPC", "^IXIC", "^VIX"}
    assert int(ours.sum()) == int(keep.sum())
    assert np.array_equal(ticker[ours], t[keep])
    assert np.array_equal(bundled["date"][ours], d[keep])
    assert np.array_equal(bundled["close"][ours], c[keep])


# ------------------------------------------------------------------ ratings on the cut
def test_ppcb_has_no_return_across_its_step_and_a_rating_on_three_windows(market):
    first_real = market.close.index[market.has_bar[:, market.close.columns.get_loc("PPCB")]][0]
    assert first_real == pd.Timestamp("2025-01-29")
    row = market.metrics(DAY).loc["PPCB"]
    assert row["close"] == 6.65
    assert np.isnan(row["ret_1y"])  # 252 sessions back is 2025-01-21, before the cut
    assert row["ret_3m"] == pytest.approx(6.65 / 39.75 - 1, rel=1e-12)
    assert row["ret_6m"] == pytest.approx(6.65 / 112.0 - 1, rel=1e-12)
    assert rs_windows_used(market.close, DAY)["PPCB"] == 3
    # renormalised over the three windows that exist: (0.4 r63 + 0.2 r126 + 0.2 r189) / 0.8
    by_hand = (0.4 * (6.65 / 39.75 - 1) + 0.2 * (6.65 / 112.0 - 1) + 0.2 * (6.65 / 131.0 - 1)) / 0.8
    assert by_hand == pytest.approx(-0.888818, abs=5e-7)
    assert market.rs_scores(DAY)["PPCB"] == pytest.approx(by_hand, rel=1e-12)
    # its rating: at the bottom of the stocks, as the independent recomputation from the raw
    # closes (scripts/expected_leadership.py, the same rule in its own code) has it
    history = pd.read_csv(FIXTURES / "rs_history.csv")
    want = history[(history["kind"] == "rating") & (history["ticker"] == "PPCB")]
    assert want.set_index("label").loc["now", "value"] == 1
    assert market.rs_ratings(DAY)["PPCB"] == 1
    scores = market.rs_scores(DAY).reindex(market.universe("stocks")).dropna()
    below = int((scores < by_hand).sum())
    assert below / len(scores) < 0.015  # fewer than 1.5 % lower: rounds to 1


def test_ffai_keeps_only_its_bars_from_2026_07_23_and_has_no_rating(market):
    """FFAI (Russell 2000 list): 0.112 on 2026-07-21, 10.80 on 2026-07-23 (x96.4)."""
    col = market.close.columns.get_loc("FFAI")
    real = market.close.index[market.has_bar[:, col]]
    assert real[0] == pd.Timestamp("2026-07-23") and len(real) == 8  # through 2026-08-03
    assert "FFAI" in market.universe("r2000")
    for day in (DAY, pd.Timestamp("2026-08-03")):
        assert np.isnan(market.rs_ratings(day, "r2000")["FFAI"])
        assert np.isnan(market.rs_ratings(day)["FFAI"])
    last = market.metrics("2026-08-03").loc["FFAI"]
    assert np.isnan(last["ret_1m"])  # 21 sessions back is before the cut (was x40 across it)
    assert last["ret_1w"] == pytest.approx(last["close"] / 5.12 - 1, rel=1e-12)  # 2026-07-27
