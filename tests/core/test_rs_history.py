"""RS rating history and the RS windows a score rests on, on hand-built matrices."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from xlsrc.core.rs import rs_rating, rs_score
from xlsrc.core.rs_history import (
    RS_HISTORY_SESSIONS,
    earlier_sessions,
    rs_rating_history,
    rs_window_note,
    rs_windows_used,
)
from xlsrc.errors import InvalidParameterError, NoDataError

NAN = np.nan
N = 300
INDEX = pd.bdate_range("2024-01-01", periods=N, name="date")
P = N - 1  # the as-of row


def _line(first: int, slope: float) -> np.ndarray:
    """Closes 100 * (1 + slope) ** k from row ``first`` on, NaN before it."""
    out = 100.0 * (1.0 + slope) ** np.arange(N)
    out[:first] = NAN
    return out


def _matrix() -> pd.DataFrame:
    # bars available at the as-of row P: FULL 300, W3 = 200 (rows 100..299), W2 = 150,
    # W1 = 64 (exactly one window: a close 63 rows back), NONE = 63 (no score), GONE = 0
    return pd.DataFrame(
        {
            "FULL": _line(0, 0.001),
            "W3": _line(N - 200, 0.002),
            "W2": _line(N - 150, -0.001),
            "W1": _line(N - 64, 0.003),
            "NONE": _line(N - 63, 0.004),
            "GONE": np.full(N, NAN),
        },
        index=INDEX,
    )


def test_windows_used_counts_the_windows_with_a_close():
    w = rs_windows_used(_matrix(), INDEX[P])
    # FULL: closes 63, 126, 189, 252 rows back -> 4; W3 (200 bars): 63, 126, 189 -> 3;
    # W2 (150 bars): 63, 126 -> 2; W1 (64 bars): 63 -> 1; NONE (63 bars): no score -> 0
    assert w.to_dict() == {"FULL": 4, "W3": 3, "W2": 2, "W1": 1, "NONE": 0, "GONE": 0}
    assert w.dtype == np.int64


def test_windows_used_agrees_with_the_score():
    """A score on n windows is the renormalised mean of exactly RS_WINDOWS[:n]."""
    close = _matrix()
    w = rs_windows_used(close, INDEX[P])
    s = rs_score(close, INDEX[P])
    weights = (0.4, 0.2, 0.2, 0.2)
    for ticker, n in w.items():
        if n == 0:
            assert np.isnan(s[ticker])
            continue
        col = close[ticker].to_numpy()
        rets = [col[P] / col[P - d] - 1 for d in (63, 126, 189, 252)[:n]]
        expected = sum(r * x for r, x in zip(rets, weights[:n], strict=True)) / sum(weights[:n])
        assert s[ticker] == pytest.approx(expected, rel=1e-12)


def test_windows_used_early_in_the_calendar():
    close = _matrix()
    assert (rs_windows_used(close, INDEX[62]) == 0).all()  # no row 63 back yet
    w = rs_windows_used(close, INDEX[63])  # FULL has exactly one window
    assert w["FULL"] == 1
    assert w["W1"] == 0
    assert rs_windows_used(close, INDEX[252])["FULL"] == 4
    assert rs_windows_used(close, INDEX[251])["FULL"] == 3
    with pytest.raises(NoDataError):
        rs_windows_used(close, "2023-12-29")


def test_earlier_sessions():
    d = earlier_sessions(INDEX, INDEX[P])
    assert list(d) == list(RS_HISTORY_SESSIONS)
    assert d["now"] == INDEX[P]
    assert d["1m"] == INDEX[P - 21]
    assert d["3m"] == INDEX[P - 63]
    assert d["6m"] == INDEX[P - 126]
    assert d["12m"] == INDEX[P - 252]
    # a Saturday resolves to its Friday first
    saturday = INDEX[P] + pd.Timedelta(days=1)
    assert INDEX[P].day_name() == "Friday"
    assert earlier_sessions(INDEX, saturday, {"x": 1}) == {"x": INDEX[P - 1]}
    # before the first session: None
    assert earlier_sessions(INDEX, INDEX[100], {"a": 100, "b": 101}) == {"a": INDEX[0], "b": None}
    with pytest.raises(InvalidParameterError):
        earlier_sessions(INDEX, INDEX[P], {"x": -1})
    with pytest.raises(InvalidParameterError):
        earlier_sessions(INDEX, INDEX[P], {"x": 1.5})


def test_rating_history_is_the_rating_of_each_earlier_day():
    close = _matrix()
    universe = ["FULL", "W3", "W2", "W1"]
    h = rs_rating_history(close, INDEX[P], universe)
    assert list(h.columns) == list(RS_HISTORY_SESSIONS)
    for label, back in RS_HISTORY_SESSIONS.items():
        day = INDEX[P - back]
        expected = rs_rating(rs_score(close, day), universe)
        pd.testing.assert_series_equal(h[label], expected, check_names=False)
    assert h.attrs["dates"]["1m"] == INDEX[P - 21]
    # by hand at the as-of row: W2 falls (score < 0); FULL = 0.4*0.065 + 0.2*0.134 +
    # 0.2*0.208 + 0.2*0.287 = 0.152 (1.001^63 = 1.065 ...); W1 = 1.003^63 - 1 = 0.208;
    # W3 = (0.4*0.134 + 0.2*0.286 + 0.2*0.459) / 0.8 = 0.253 (1.002^63 = 1.134 ...)
    # -> ratings floor(100*(L+0.5)/4 + 0.5): W2 13, FULL 38, W1 63, W3 88
    assert h["now"][["W2", "FULL", "W1", "W3"]].tolist() == [13.0, 38.0, 63.0, 88.0]
    # 12 months earlier (row 47) nobody has a close 63 rows back: no ratings
    assert h["12m"].isna().all()


def test_rating_history_before_the_calendar_is_nan():
    close = _matrix()
    h = rs_rating_history(close, INDEX[100], sessions={"now": 0, "back": 150})
    assert h["back"].isna().all()
    assert h.attrs["dates"]["back"] is None
    assert h["now"]["FULL"] == 50.0  # the only scored ticker at row 100 (L=0, E=1, n=1)


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (4, ""),
        (3, "Shortened: 0.50*r63 + 0.25*r126 + 0.25*r189 (fewer than 253 sessions of history)"),
        (2, "Shortened: 0.67*r63 + 0.33*r126 (fewer than 190 sessions of history)"),
        (1, "Shortened: 63-session return only (fewer than 127 sessions of history)"),
        (0, "No rating: fewer than 64 sessions of history"),
        (2.0, "Shortened: 0.67*r63 + 0.33*r126 (fewer than 190 sessions of history)"),
    ],
)
def test_window_note(n, text):
    assert rs_window_note(n) == text


@pytest.mark.parametrize("bad", [5, -1, 1.5, "2", None, True])
def test_window_note_rejects(bad):
    with pytest.raises(InvalidParameterError, match="windows"):
        rs_window_note(bad)
