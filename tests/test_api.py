"""The Python API (``import xlsrc``): its public names, and its numbers against the formulas'.

Every table function is compared cell by cell with the Excel formula that shows the same
numbers (``xlsrc.excel.udfs`` called as plain Python on the same store) and, where a
number can be worked out by hand, with the raw rows of
``shared/data/closes/us_closes_2024-01-02_2026-08-03.csv.gz`` (SPY's dates are the
sessions):

- VICR closes 2026-01-22 166.78, 2026-01-21 162.08, 2025-12-31 109.60, and 63/126/189/252
  sessions before 2026-01-22: 65.80 (2025-10-21), 52.68 (2025-07-23), 46.84 (2025-04-22),
  56.60 (2025-01-21); RS score = 0.4·(166.78/65.80 - 1) + 0.2·(166.78/52.68 - 1) +
  0.2·(166.78/46.84 - 1) + 0.2·(166.78/56.60 - 1) = 1.948497;
- ICHR 33.07 / 18.43 - 1 = +79.4 % YTD, UCTT 44.14 / 25.33 - 1 = +74.3 %;
- the sp600 members are the ``EQUITY`` rows of ``constituents/IJR_holdings_2026-06-19.csv``
  (swaps and warrants are not holdings of stock) that have closes in the raw file: 595.

Industry groups, sector scores and RS history are compared with the independent
recomputation in ``tests/fixtures/leadership`` (``scripts/expected_leadership.py`` imports
nothing from xlsrc).
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import importlib
import json
import math
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import xlsrc
from xlsrc import cli
from xlsrc.errors import (
    InvalidParameterError,
    NoDataError,
    UnknownTickerError,
    UnknownUniverseError,
)

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
CLOSES_CSV = SHARED / "closes" / "us_closes_2024-01-02_2026-08-03.csv.gz"
IJR = SHARED / "constituents" / "IJR_holdings_2026-06-19.csv"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "leadership"
DAY = "2026-01-22"

#: The public names, pinned: adding or removing one is a deliberate change of this list.
PUBLIC = [
    "__version__",
    "get_market",
    "history",
    "industry_groups",
    "leaders",
    "metrics",
    "open_store",
    "rs_history",
    "rs_ratings",
    "sector_etfs",
    "sector_scores",
    "securities",
    "universe_members",
    "value",
]


@pytest.fixture(scope="module")
def store(bundled_store_path):
    """The session's store over the bundled snapshot; the formulas find it via XLSRC_STORE."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XLSRC_STORE", str(bundled_store_path))
        yield str(bundled_store_path)


@pytest.fixture(scope="module")
def udfs(store):
    import xlsrc.excel.udfs as module

    return module


def same(a, b) -> bool:
    """Equal numbers (exactly), or both missing."""
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return b is None or (isinstance(b, float) and math.isnan(b))
    return a == b


# ----------------------------------------------------------------------------- names
def test_all_is_pinned_and_lists_every_public_name():
    """httpx's habit: ``__all__`` is every public name of a fresh ``import xlsrc``, sorted."""
    code = (
        "import json, sys, types, xlsrc\n"
        "names = [n for n, v in vars(xlsrc).items() if not n.startswith('_') "
        "and not isinstance(v, types.ModuleType)]\n"
        "print(json.dumps({'all': xlsrc.__all__, 'public': names, "
        "'loaded': sorted(m for m in sys.modules if m.split('.')[0] in ('pandas', 'numpy', 'xlsrc'))}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=os.environ
    )
    got = json.loads(out.stdout)
    assert got["all"] == PUBLIC == sorted(PUBLIC)
    assert sorted([*got["public"], "__version__"]) == PUBLIC
    # cheap: the functions import pandas and the store on their first call, not before
    assert got["loaded"] == ["xlsrc", "xlsrc._api", "xlsrc.errors"]


def test_no_public_name_is_a_submodule():
    """``xlsrc.sectors`` is a module: a function of that name would be replaced on its import."""
    modules = {m.name for m in pkgutil.iter_modules(xlsrc.__path__)}
    assert "sectors" in modules and "market" in modules
    assert not modules & set(PUBLIC)
    importlib.import_module("xlsrc.market")  # binds the submodule on the package
    importlib.import_module("xlsrc.sectors")
    for name in PUBLIC[1:]:
        assert callable(getattr(xlsrc, name)), name


@pytest.mark.parametrize("name", PUBLIC[1:])
def test_every_function_has_a_numpydoc_docstring(name):
    doc = getattr(xlsrc, name).__doc__ or ""
    for section in ("Parameters\n    ----------", "Returns\n    -------", "Raises\n    ------"):
        assert section in doc, f"{name}: no {section.split()[0]} section"


# ----------------------------------------------------------------------------- rs_ratings
@pytest.fixture(scope="module")
def sp600_members_by_hand() -> set[str]:
    if not CLOSES_CSV.exists() or not IJR.exists():
        pytest.skip("shared data not available")
    holdings = pd.read_csv(IJR, skiprows=9)
    equity = holdings[(holdings["Asset Class"] == "Equity") & (holdings["Type"] == "EQUITY")]
    tickers = {str(t).strip().replace(".", "-") for t in equity["Ticker"]}
    with gzip.open(CLOSES_CSV, "rt", newline="") as fh:
        present = {row[1] for row in csv.reader(fh) if row[1] in tickers}
    return present


def test_rs_ratings_returns_only_the_universe_members(store, udfs, sp600_members_by_hand):
    frame = xlsrc.rs_ratings(universe="sp600", as_of=DAY, store=store)
    assert len(sp600_members_by_hand) == 595
    assert set(frame.index) == sp600_members_by_hand and frame.index.is_unique
    assert frame.index.name == "ticker"
    assert list(frame.columns) == ["rs_rating", "rs_score", "problem"]
    assert frame["rs_rating"].dtype == np.float64 and frame["rs_score"].dtype == np.float64
    # every member's rating is RS_RATING(ticker, "sp600", date), or its #N/A reason
    for ticker, row in frame.iterrows():
        formula = udfs.RS_RATING(ticker, "sp600", None, DAY)
        if row["problem"]:
            assert math.isnan(row["rs_rating"]) and formula == f"#N/A {row['problem']}"
        else:
            assert formula == row["rs_rating"], ticker
            assert udfs.RS_SCORE(ticker, None, DAY) == row["rs_score"], ticker
    rated = frame["rs_rating"].dropna()
    assert rated.between(1, 99).all() and (rated == rated.round()).all()
    # best first, unrated last, ties by the RS score behind the rating (review-1 D3)
    assert list(rated) == sorted(rated, reverse=True)
    assert frame["rs_rating"].iloc[: len(rated)].notna().all()
    top = frame[frame["rs_rating"] == 99]
    assert len(top) > 1 and list(top["rs_score"]) == sorted(top["rs_score"], reverse=True)


def test_rs_ratings_by_hand(store):
    frame = xlsrc.rs_ratings("sp400", DAY, store=store)  # VICR is in the bundled S&P 400 list
    assert frame.at["VICR", "rs_score"] == pytest.approx(
        0.4 * (166.78 / 65.80 - 1)
        + 0.2 * (166.78 / 52.68 - 1)
        + 0.2 * (166.78 / 46.84 - 1)
        + 0.2 * (166.78 / 56.60 - 1),
        rel=1e-12,
    )
    assert frame.at["VICR", "problem"] == ""


def test_rs_ratings_of_a_list_and_errors(store, udfs):
    frame = xlsrc.rs_ratings(["VICR", "ichr", "UCTT"], DAY, store=store)
    assert sorted(frame.index) == ["ICHR", "UCTT", "VICR"]
    cells = (("VICR",), ("ICHR",), ("UCTT",))  # a range of three cells as the universe
    for ticker in frame.index:
        assert udfs.RS_RATING(ticker, cells, None, DAY) == frame.at[ticker, "rs_rating"]
    # three members, floor(100 * (L + E/2) / 3 + 0.5): 17, 50, 83 by score
    assert dict(frame["rs_rating"]) == {"VICR": 83.0, "UCTT": 50.0, "ICHR": 17.0}
    with pytest.raises(UnknownUniverseError, match="Unknown universe: nasdaq9000"):
        xlsrc.rs_ratings("nasdaq9000", store=store)
    with pytest.raises(NoDataError, match="No price on or before 2020-01-01"):
        xlsrc.rs_ratings("sp600", "2020-01-01", store=store)


# ----------------------------------------------------------------------------- metrics
FORMULAS = {
    "ret_1d": lambda u, t: u.TRAILING_RETURN(t, "1D", DAY),
    "ret_1w": lambda u, t: u.TRAILING_RETURN(t, "1W", DAY),
    "ret_1m": lambda u, t: u.TRAILING_RETURN(t, "1M", DAY),
    "ret_3m": lambda u, t: u.TRAILING_RETURN(t, "3M", DAY),
    "ret_6m": lambda u, t: u.TRAILING_RETURN(t, "6M", DAY),
    "ret_1y": lambda u, t: u.TRAILING_RETURN(t, "1Y", DAY),
    "ret_ytd": lambda u, t: u.YTD_RETURN(t, DAY),
    "rs_score": lambda u, t: u.RS_SCORE(t, None, DAY),
    "rs_rating": lambda u, t: u.RS_RATING(t, None, None, DAY),
    "pct_from_sma20": lambda u, t: u.PCT_FROM_MA(t, 20, DAY),
    "pct_from_sma50": lambda u, t: u.PCT_FROM_MA(t, 50, DAY),
    "pct_from_sma200": lambda u, t: u.PCT_FROM_MA(t, 200, DAY),
    "rsi14": lambda u, t: u.RSI(t, None, DAY),
    "volatility20": lambda u, t: u.VOLATILITY(t, None, DAY),
    "annual_volatility20": lambda u, t: u.ANNUAL_VOLATILITY(t, None, DAY),
    "relative_volume50": lambda u, t: u.REL_VOLUME(t, None, DAY),
    "pct_from_high252": lambda u, t: u.PCT_FROM_HIGH(t, DAY),
}

WATCH = ["IWM", "SPY", "QQQ", "ICHR", "UCTT", "VICR", "BRK-B"]


def test_metrics_equal_every_formula(store, udfs):
    frame = xlsrc.metrics(WATCH, DAY, store=store)
    assert list(frame.index) == WATCH and frame.index.name == "ticker"
    assert list(frame.columns) == ["close", *FORMULAS, "last_bar", "problem"]
    for ticker in WATCH:
        for column, formula in FORMULAS.items():
            assert formula(udfs, ticker) == frame.at[ticker, column], (ticker, column)
        assert frame.at[ticker, "last_bar"] == pd.Timestamp(DAY)
        assert frame.at[ticker, "problem"] == ""
    # the close: the TECHNICALS formula's "Last" column (every ticker traded on the day)
    technicals = udfs.TECHNICALS(",".join(WATCH), DAY)
    last = technicals[0].index("Last")
    assert [row[last] for row in technicals[1:]] == list(frame["close"])
    assert frame.at["VICR", "close"] == 166.78
    assert frame.at["VICR", "ret_ytd"] == pytest.approx(166.78 / 109.60 - 1, rel=1e-12)
    assert frame.at["VICR", "ret_1d"] == pytest.approx(166.78 / 162.08 - 1, rel=1e-12)
    assert frame.at["ICHR", "ret_ytd"] == pytest.approx(33.07 / 18.43 - 1, rel=1e-12)
    assert frame.at["UCTT", "ret_ytd"] == pytest.approx(44.14 / 25.33 - 1, rel=1e-12)


def test_metrics_equal_the_command_line(store, capsys):
    frame = xlsrc.metrics(WATCH, DAY, store=store)
    assert cli.main(["quote", *WATCH, "--store", store, "--as-of", DAY, "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["ticker"] for r in rows] == WATCH
    for row in rows:
        for column in FORMULAS:
            if column in row:
                assert same(row[column], frame.at[row["ticker"], column]), column
        assert row["last_bar"] == DAY and row["as_of"] == DAY


def test_metrics_tickers_forms_and_errors(store):
    one = xlsrc.metrics("vicr", DAY, store=store)
    assert list(one.index) == ["VICR"]
    split = xlsrc.metrics(" IWM, vicr ,brk.b,VICR", DAY, store=store)
    assert list(split.index) == ["IWM", "VICR", "BRK-B"]  # normalised, duplicates once
    with pytest.raises(UnknownTickerError, match=r"^Unknown ticker: XYZQ$"):
        xlsrc.metrics(["VICR", "XYZQ"], DAY, store=store)
    with pytest.raises(UnknownTickerError, match=r"^Unknown tickers: XYZQ, ABCQ$"):
        xlsrc.metrics(["XYZQ", "VICR", "abcq"], DAY, store=store)
    kept = xlsrc.metrics(["XYZQ", "VICR", "abcq"], DAY, errors="ignore", store=store)
    assert list(kept.index) == ["VICR"]
    with pytest.raises(InvalidParameterError, match="errors"):
        xlsrc.metrics("VICR", DAY, errors="coerce", store=store)  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="tickers"):
        xlsrc.metrics([], DAY, store=store)
    with pytest.raises(KeyError):  # UnknownTickerError is a KeyError, as pandas users expect
        xlsrc.metrics("XYZQ", store=store)


def test_metrics_of_a_ticker_without_a_current_price(store, udfs):
    # VGNT (in the bundled sp600 list) has no close on or before 2026-01-22
    frame = xlsrc.metrics(["VGNT", "VICR"], DAY, store=store)
    reason = frame.at["VGNT", "problem"]
    assert reason == "No price for VGNT on or before 2026-01-22"
    assert udfs.YTD_RETURN("VGNT", DAY) == f"#N/A {reason}"
    assert frame.loc["VGNT", list(FORMULAS)].isna().all()


def test_value_is_the_scalar_formula(store, udfs):
    cases = [
        (("VICR", "pct_from_sma", DAY, 30), {}, udfs.PCT_FROM_MA("VICR", 30, DAY)),
        (("VICR", "ret", DAY, 10), {}, udfs.TRAILING_RETURN("VICR", 10, DAY)),
        (
            ("VICR", "rs_rating", DAY),
            {"universe": "sp400"},
            udfs.RS_RATING("VICR", "sp400", None, DAY),
        ),
        (("VICR", "rs_line", DAY), {"benchmark": "IWM"}, udfs.RS_LINE("VICR", "IWM", DAY)),
        (
            ("VICR", "period_return", DAY),
            {"start": "2025-12-31"},
            udfs.PERIOD_RETURN("VICR", "2025-12-31", DAY),
        ),
        (("ICHR", "rsi", DAY, 5), {}, udfs.RSI("ICHR", 5, DAY)),
    ]
    for args, options, formula in cases:
        assert xlsrc.value(*args, store=store, **options) == formula, args
    assert xlsrc.value("VICR", "period_return", DAY, start="2025-12-31", store=store) == (
        pytest.approx(166.78 / 109.60 - 1, rel=1e-12)
    )
    assert xlsrc.value("VICR", "last_bar", DAY, store=store) == pd.Timestamp(DAY)
    with pytest.raises(UnknownTickerError):
        xlsrc.value("XYZQ", "ret_ytd", store=store)
    with pytest.raises(InvalidParameterError):
        xlsrc.value("VICR", "no_such_metric", store=store)


# ----------------------------------------------------------------------------- tables
def _formula_frame(rows: list[list]) -> list[list]:
    """A table formula's body rows (after its header row)."""
    return rows[1:]


def test_leaders_equal_the_formula_and_the_command_line(store, udfs, capsys):
    frame = xlsrc.leaders("sp600", n=10, as_of=DAY, store=store)
    assert frame.index.name == "ticker" and list(frame.index[:2]) == ["ICHR", "UCTT"]
    assert frame.at["ICHR", "ret_ytd"] == pytest.approx(33.07 / 18.43 - 1, rel=1e-12)
    formula = udfs.LEADERS("sp600", 10, "ytd", None, DAY)
    keys = ["rank", "ticker", *frame.columns[1:]]
    assert formula[0][:2] == ["#", "Ticker"]
    body = [dict(zip(keys, row, strict=True)) for row in _formula_frame(formula)]
    assert [b["ticker"] for b in body] == list(frame.index)
    for b in body:
        for key in frame.columns:
            assert same(b[key], frame.at[b["ticker"], key]), key
    assert cli.main(["leaders", "--store", store, "--as-of", DAY, "--top", "10",
                     "--format", "csv"]) == 0  # fmt: skip
    rows = list(csv.DictReader(capsys.readouterr().out.splitlines()))
    assert [r["ticker"] for r in rows] == list(frame.index)
    for r in rows:
        assert int(r["rank"]) == frame.at[r["ticker"], "rank"]
        for key in ("close", "ret_ytd", "rs_rating", "pct_from_sma20", "rsi14", "volatility20"):
            assert float(r[key]) == frame.at[r["ticker"], key], key


def test_sector_etfs_equal_the_formula(store, udfs):
    frame = xlsrc.sector_etfs(DAY, store=store)
    assert sorted(frame.index) == sorted(
        ["XLB", "XLC", "XLE", "XLF", "XLI", "XLK", "XLP", "XLRE", "XLU", "XLV", "XLY"]
    )
    formula = udfs.SECTORS(None, DAY)
    keys = ["rank", "ticker", *frame.columns[1:]]
    for row in _formula_frame(formula):
        record = dict(zip(keys, row, strict=True))
        for key in frame.columns:
            want = frame.at[record["ticker"], key]
            # an empty text comes back "" (the RS basis flag) or blank
            assert same(record[key], want) or (want == "" and record[key] is None), key
    iwm = xlsrc.sector_etfs(DAY, benchmark="IWM", store=store)
    assert not iwm["quadrant"].eq(frame["quadrant"]).all()  # the benchmark is used
    with pytest.raises(UnknownTickerError, match="Unknown ticker: XYZQ"):
        xlsrc.sector_etfs(DAY, benchmark="XYZQ", store=store)
    with pytest.raises(NoDataError, match="No price for VGNT on or before 2026-01-22"):
        xlsrc.sector_etfs(DAY, benchmark="VGNT", store=store)


def test_history_equals_price_history_and_the_raw_rows(store, udfs):
    frame = xlsrc.history("vicr", "2026-01-20", DAY, fields=["close", "volume"], store=store)
    assert frame.index.name == "date" and list(frame.columns) == ["close", "volume"]
    # 2026-01-19 was Martin Luther King Jr. Day: no session
    assert list(frame.index) == [pd.Timestamp("2026-01-20"), pd.Timestamp("2026-01-21"),
                                 pd.Timestamp(DAY)]  # fmt: skip
    assert list(frame["close"]) == [157.40, 162.08, 166.78]
    formula = udfs.PRICE_HISTORY("VICR", "2026-01-20", DAY, "close, volume")
    assert formula[0] == ["Date", "Close", "Volume"]
    for (date, close, volume), (index, row) in zip(formula[1:], frame.iterrows(), strict=True):
        assert pd.Timestamp(date) == index and close == row["close"] and volume == row["volume"]
    only_close = xlsrc.history("VICR", "2026-01-20", DAY, fields="close", store=store)
    assert list(only_close.columns) == ["close"]
    everything = xlsrc.history("VICR", store=store)
    assert everything.index[0] == pd.Timestamp("2024-01-02")
    assert everything.index[-1] == pd.Timestamp("2026-08-03")
    with pytest.raises(InvalidParameterError, match="fields"):
        xlsrc.history("VICR", DAY, fields="open", store=store)


def test_industry_groups_equal_the_independent_table(store):
    got = xlsrc.industry_groups(as_of=DAY, store=store)
    want = pd.read_csv(FIXTURES / "industry_groups_2026-01-22.csv", keep_default_na=False)
    assert got.index.name == "industry" and list(got.index) == list(want["industry"])
    for column in ("rank", "members", "group_rs_rating"):
        assert list(got[column]) == list(want[column]), column
    assert np.allclose(got["group_score"], want["group_score"], rtol=1e-12)
    top = xlsrc.industry_groups(n=3, as_of=DAY, store=store)
    assert list(top.index) == list(want["industry"][:3])


def test_sector_scores_equal_the_independent_table(store):
    want = pd.read_csv(FIXTURES / "sector_scores.csv")
    for date, rows in want.groupby("date"):
        got = xlsrc.sector_scores(date, store=store)
        assert got.index.name == "sector"
        expected = rows.set_index("sector")
        assert set(got.index) == set(expected.index)
        for sector, row in expected.iterrows():
            assert got.at[sector, "score"] == pytest.approx(row["score_sp1500"], rel=1e-12)
            assert got.at[sector, "members"] == row["members_sp1500"]
            assert got.at[sector, "etf"] == row["etf"]


def test_rs_history_equals_the_independent_ratings(store):
    want = pd.read_csv(FIXTURES / "rs_history.csv")
    ratings = want[want["kind"] == "rating"]  # as of 2026-01-22; ``date`` = the earlier day
    tickers = list(dict.fromkeys(ratings["ticker"]))
    got = xlsrc.rs_history(tickers, as_of=DAY, store=store)
    assert got.index.name == "ticker" and list(got.index) == tickers
    for row in ratings.itertuples():
        value = got.at[row.ticker, f"rs_{row.label}"]
        if math.isnan(row.value):
            assert math.isnan(value), (row.ticker, row.label)
        else:
            assert value == row.value, (row.ticker, row.label)
    with pytest.raises(UnknownTickerError, match="XYZQ"):
        xlsrc.rs_history(["VICR", "XYZQ"], as_of=DAY, store=store)
    assert list(xlsrc.rs_history("VICR,XYZQ", as_of=DAY, errors="ignore", store=store).index) == [
        "VICR"
    ]


def test_securities_and_universe_members(store, sp600_members_by_hand):
    sec = xlsrc.securities(["VICR", "IWM", "^GSPC"], store=store)
    assert list(sec.index) == ["VICR", "IWM", "^GSPC"]
    assert list(sec["type"]) == ["stock", "etf", "index"]
    assert sec.at["VICR", "name"] == "Vicor Corp"
    members = xlsrc.universe_members("sp600", store=store)
    assert set(members) == sp600_members_by_hand
    sp1500 = xlsrc.universe_members("sp1500", store=store)
    assert set(members) <= set(sp1500) and len(sp1500) == len(set(sp1500))


# ----------------------------------------------------------------------------- stores
def test_store_may_be_a_location_or_a_market(store, monkeypatch):
    market = xlsrc.get_market(store)
    assert xlsrc.get_market(market) is market
    assert xlsrc.get_market(Path(store)) is market  # the same location, the same Market
    monkeypatch.setenv("XLSRC_STORE", store)
    assert xlsrc.get_market() is market
    by_market = xlsrc.metrics("VICR", DAY, store=market)
    by_default = xlsrc.metrics("VICR", DAY)
    pd.testing.assert_frame_equal(by_market, by_default)
    with pytest.raises(InvalidParameterError, match="store"):
        xlsrc.get_market(42)  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="store"):
        xlsrc.metrics("VICR", store=market.store)  # type: ignore[arg-type]
    with pytest.raises(InvalidParameterError, match="store"):
        xlsrc.open_store(market)  # type: ignore[arg-type]


def test_open_store_reads_the_same_store(store):
    status = dict(xlsrc.open_store(store).status())
    assert status["first_date"] == "2024-01-02" and status["last_date"] == "2026-08-03"


def test_a_memory_store_through_the_api():
    market = xlsrc.get_market("memory:")
    assert xlsrc.value("VICR", "close", DAY, store=market) == 166.78
    market.store.set_universe("mine", ["VICR", "ICHR"], "test")
    market.refresh_if_changed(force=True)
    frame = xlsrc.rs_ratings("mine", DAY, store=market)
    assert sorted(frame.index) == ["ICHR", "VICR"]
    # two members, floor(100 * (L + 1/2) / 2 + 0.5): 25 and 75; VICR's score is higher
    assert dict(frame["rs_rating"]) == {"VICR": 75.0, "ICHR": 25.0}


def test_dates_in_any_form(store):
    a = xlsrc.metrics("VICR", DAY, store=store)
    for form in (dt.date(2026, 1, 22), pd.Timestamp(DAY), "22 Jan 2026"):
        pd.testing.assert_frame_equal(xlsrc.metrics("VICR", form, store=store), a)
