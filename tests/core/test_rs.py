from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlsrc.core.returns import trailing_return, ytd_return
from xlsrc.core.rs import (
    rs_line,
    rs_line_new_high,
    rs_line_new_highs,
    rs_line_series,
    rs_rating,
    rs_score,
)
from xlsrc.errors import (
    InsufficientHistoryError,
    InvalidParameterError,
    NoDataError,
    UnknownTickerError,
)

NAN = np.nan
N = 253  # rows 0..252; the as-of row p = 252
INDEX = pd.bdate_range("2024-01-01", periods=N, name="date")
ASOF = INDEX[-1]


def _series(points: dict[int, float], first: int = 0) -> np.ndarray:
    """Closes that pass through ``points`` (row -> close), linear between, NaN before ``first``."""
    rows = sorted(points)
    out = np.interp(np.arange(N), rows, [points[r] for r in rows])
    out[:first] = NAN
    return out


def _rs_matrix() -> pd.DataFrame:
    p = N - 1
    return pd.DataFrame(
        {
            # full history: r63 = 120/100-1 = 0.2, r126 = 0.2, r189 = 120/80-1 = 0.5,
            # r252 = 120/50-1 = 1.4 -> 0.4*0.2 + 0.2*0.2 + 0.2*0.5 + 0.2*1.4 = 0.50
            "FULL": _series({p - 252: 50, p - 189: 80, p - 126: 100, p - 63: 100, p: 120}),
            # 150 bars: r63 = 110/100-1 = 0.1, r126 = 110/60-1 = 0.8333
            # -> (0.4*0.1 + 0.2*0.8333) / 0.6 = 0.20667/0.6 = 0.34444
            "YOUNG": _series({p - 149: 60, p - 126: 60, p - 63: 100, p: 110}, first=p - 149),
            # 64 bars: only r63 = 90/100-1 = -0.1 -> score -0.1
            "Q1": _series({p - 63: 100, p: 90}, first=p - 63),
            # 63 bars: no close 63 rows back -> no score
            "TOOYOUNG": _series({p - 62: 100, p: 200}, first=p - 62),
        },
        index=INDEX,
    )


def test_rs_score_hand_values():
    s = rs_score(_rs_matrix(), ASOF)
    assert s["FULL"] == pytest.approx(0.50)
    assert s["YOUNG"] == pytest.approx((0.4 * 0.1 + 0.2 * (110 / 60 - 1)) / 0.6)
    assert s["YOUNG"] == pytest.approx(0.344444, abs=1e-6)
    assert s["Q1"] == pytest.approx(-0.1)
    assert np.isnan(s["TOOYOUNG"])


def test_rs_score_short_calendar_and_errors():
    close = _rs_matrix()
    assert rs_score(close, INDEX[62]).isna().all()
    with pytest.raises(NoDataError):
        rs_score(close, "2023-06-30")


def test_rs_rating_hand_values():
    scores = pd.Series({"A": 0.1, "B": 0.2, "C": 0.2, "D": 0.3, "E": NAN})
    r = rs_rating(scores)
    # n = 4 scored members. A: L=0,E=1 -> 100*0.5/4 = 12.5 -> floor(13.0) = 13
    # B, C tie: L=1,E=2 -> 100*2/4 = 50 -> floor(50.5) = 50
    # D: L=3,E=1 -> 100*3.5/4 = 87.5 -> floor(88.0) = 88 ; E: NaN
    assert r["A"] == 13
    assert r["B"] == r["C"] == 50
    assert r["D"] == 88
    assert np.isnan(r["E"])


def test_rs_rating_rounds_half_up_to_whole_numbers():
    # 100 members scoring 0, 1, ..., 99 (n = 100), so pct = L + E/2 for a score s:
    #   member 90:      L=90, E=1 -> 90.5 -> floor(91.0) = 91 (half up; round() gives 90)
    #   member 0:       L=0,  E=1 -> 0.5  -> floor(1.0)  = 1
    #   member 99:      L=99, E=1 -> 99.5 -> floor(100)  = 100 -> clipped to 99
    #   non-member 89.5: L=90, E=0 -> 90.0 -> floor(90.5) = 90
    #   non-member 50.5: L=51, E=0 -> 51.0 -> 51
    members = {f"M{i:02d}": float(i) for i in range(100)}
    scores = pd.Series({**members, "X": 89.5, "Y": 50.5})
    r = rs_rating(scores, universe=list(members))
    assert r["M90"] == 91
    assert r["M00"] == 1
    assert r["M99"] == 99
    assert r["X"] == 90
    assert r["Y"] == 51
    # n = 3: member 1 of scores 1, 2, 3: L=0, E=1 -> 100*0.5/3 = 16.67 -> floor(17.17) = 17
    # member 3: L=2, E=1 -> 100*2.5/3 = 83.33 -> floor(83.83) = 83
    r3 = rs_rating(pd.Series({"A": 1.0, "B": 2.0, "C": 3.0}))
    assert r3.tolist() == [17, 50, 83]  # B: L=1,E=1 -> 50 -> floor(50.5) = 50
    # whole numbers everywhere (stored as float64 to hold NaN)
    assert (r == np.floor(r)).all()


def test_rs_rating_non_members_do_not_join():
    scores = pd.Series(
        {"A": 0.1, "B": 0.2, "C": 0.2, "D": 0.3, "ETF": 0.25, "LOW": -1.0, "TOP": 9.0}
    )
    r = rs_rating(scores, universe=["A", "B", "C", "D", "NOT_IN_SCORES"])
    # members rated exactly as without the non-members (12.5 -> 13, 50, 50, 87.5 -> 88)
    assert r[["A", "B", "C", "D"]].tolist() == [13, 50, 50, 88]
    assert r["ETF"] == 75  # L=3, E=0 -> 100*3/4 = 75 -> floor(75.5) = 75
    assert r["LOW"] == 1  # L=0 -> 0 -> floor(0.5) = 0, clipped to 1
    assert r["TOP"] == 99  # L=4 -> 100 -> floor(100.5) = 100, clipped to 99


def test_rs_rating_empty_universe_is_nan():
    scores = pd.Series({"A": 0.1, "B": NAN})
    assert rs_rating(scores, universe=["B"]).isna().all()


def test_rs_line_and_new_high():
    close = pd.DataFrame(
        {
            "X": [10.0, 12.0, 11.0, 13.0, 12.0],
            "B": [100.0, 100.0, 100.0, 100.0, 90.0],
        },
        index=pd.bdate_range("2024-01-01", periods=5, name="date"),
    )
    # line = 0.10, 0.12, 0.11, 0.13, 0.1333
    assert rs_line(close, "X", "B", "2024-01-05") == pytest.approx(12 / 90)
    assert rs_line_series(close, "X", "B", "2024-01-05", 2).tolist() == pytest.approx(
        [0.13, 12 / 90]
    )
    assert rs_line_new_high(
        close, "X", "B", "2024-01-05", window=4
    )  # 0.1333 >= max(.10,.12,.11,.13)
    assert not rs_line_new_high(close, "X", "B", "2024-01-03", window=2)  # 0.11 < 0.12
    assert rs_line_new_high(close, "X", "B", "2024-01-04", window=3)  # 0.13 >= 0.12
    all_highs = rs_line_new_highs(close, "B", "2024-01-05", window=4)
    assert all_highs["X"] == 1.0 and all_highs["B"] == 1.0  # B/B = 1 >= 1
    assert rs_line_new_highs(close, "B", "2024-01-05", window=5).isna().all()
    with pytest.raises(InsufficientHistoryError):
        rs_line_new_high(close, "X", "B", "2024-01-05", window=5)
    with pytest.raises(InvalidParameterError):
        rs_line_new_high(close, "X", "B", "2024-01-05", window=0)
    with pytest.raises(UnknownTickerError):
        rs_line(close, "X", "NOPE", "2024-01-05")
    with pytest.raises(NoDataError):
        rs_line(close, "X", "B", "2023-01-05")


# ---------------------------------------------------------------- property tests


def _random_close(seed: int, rows: int, cols: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rets = rng.normal(0.0005, 0.02, size=(rows, cols))
    arr = 10.0 * np.exp(np.cumsum(rets, axis=0))
    starts = rng.integers(0, rows, size=cols)  # tickers start at different rows
    for j, s in enumerate(starts):
        arr[:s, j] = NAN
    return pd.DataFrame(
        arr,
        index=pd.bdate_range("2023-01-02", periods=rows, name="date"),
        columns=[f"T{j:03d}" for j in range(cols)],
    )


matrices = st.tuples(st.integers(0, 2**32 - 1), st.integers(64, 300), st.integers(1, 40)).map(
    lambda t: _random_close(*t)
)


@settings(max_examples=30, deadline=None)
@given(matrices, st.floats(0.001, 1000.0))
def test_scaling_prices_leaves_returns_unchanged(close, c):
    d = close.index[-1]
    for f in (
        lambda x: trailing_return(x, 21, d),
        lambda x: ytd_return(x, d),
        lambda x: rs_score(x, d),
    ):
        pd.testing.assert_series_equal(f(close * c), f(close), rtol=1e-9)


@settings(max_examples=30, deadline=None)
@given(matrices, st.integers(-20, 20))
def test_scaling_prices_leaves_ratings_unchanged(close, k):
    # powers of two scale exactly, so tied scores stay tied
    d = close.index[-1]
    a = rs_rating(rs_score(close, d))
    b = rs_rating(rs_score(close * 2.0**k, d))
    pd.testing.assert_series_equal(a, b)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.floats(-1, 5, allow_nan=False) | st.just(0.1), min_size=1, max_size=60),
    st.integers(0, 2**32 - 1),
)
def test_rating_monotone_in_score(values, seed):
    scores = pd.Series(values, index=[f"T{i}" for i in range(len(values))])
    rng = np.random.default_rng(seed)
    members = [t for t in scores.index if rng.random() < 0.7] or [scores.index[0]]
    r = rs_rating(scores, members)
    order = np.argsort(scores.to_numpy(), kind="stable")
    assert np.all(np.diff(r.to_numpy()[order]) >= 0)
    assert r.between(1, 99).all()
    tied = scores.duplicated(keep=False)
    for v in scores[tied].unique():
        assert r[scores == v].nunique() == 1


@settings(max_examples=30, deadline=None)
@given(matrices, st.integers(0, 2**32 - 1))
def test_results_independent_of_column_order(close, seed):
    d = close.index[-1]
    perm = np.random.default_rng(seed).permutation(close.columns)
    shuffled = close[perm]
    for f in (lambda x: rs_rating(rs_score(x, d)), lambda x: trailing_return(x, 5, d)):
        pd.testing.assert_series_equal(f(shuffled).reindex(close.columns), f(close))
