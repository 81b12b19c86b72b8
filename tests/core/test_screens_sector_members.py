"""The minimum-price screen and the sector score over a chosen set of members."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from xlsrc.core.rotation import sector_scores
from xlsrc.core.screens import priced_at_least
from xlsrc.errors import InvalidParameterError, NoDataError

NAN = np.nan
INDEX = pd.bdate_range("2024-01-01", periods=3, name="date")
CLOSE = pd.DataFrame(
    {
        "CHEAP": [6.0, 5.5, 4.99],  # under $5 on the last day, above before
        "EXACT": [4.0, 4.5, 5.0],  # exactly the floor: kept
        "RICH": [50.0, 51.0, 52.0],
        "NEW": [NAN, NAN, 8.0],  # first bar on the last day
        "LATE": [NAN, NAN, NAN],  # no bar yet
    },
    index=INDEX,
)


def test_priced_at_least_hand_values():
    members = ["RICH", "CHEAP", "EXACT", "NEW", "LATE", "NOTATICKER", "RICH"]
    kept = priced_at_least(CLOSE, members, INDEX[-1], 5)
    assert list(kept) == ["RICH", "EXACT", "NEW"]  # order kept, duplicates dropped
    # a day earlier CHEAP (5.5) passes and EXACT (4.5) does not; NEW has no bar yet
    assert list(priced_at_least(CLOSE, members, INDEX[1], 5.0)) == ["RICH", "CHEAP"]
    # a later date (Saturday 2024-01-06) uses the last row on or before it (Wednesday)
    assert list(priced_at_least(CLOSE, ["CHEAP"], INDEX[-1] + pd.Timedelta(days=3), 4.99)) == [
        "CHEAP"
    ]


@pytest.mark.parametrize("bad", [0, -5, NAN, float("inf"), "5", None, True])
def test_priced_at_least_rejects(bad):
    with pytest.raises(InvalidParameterError, match="min_price"):
        priced_at_least(CLOSE, ["RICH"], INDEX[-1], bad)


def test_priced_at_least_before_the_data():
    with pytest.raises(NoDataError):
        priced_at_least(CLOSE, ["RICH"], "2023-12-29", 5)


def test_sector_scores_over_members():
    ratings = pd.Series({"A": 90.0, "B": 70.0, "C": 20.0, "D": NAN, "E": 50.0, "F": 10.0})
    sectors = pd.Series({"A": "Tech", "B": "Tech", "C": "Energy", "D": "Energy", "F": "Energy"})
    # every ticker: Tech (90 + 70) / 2 = 80; Energy (20 + 10) / 2 = 15 (D unrated, E no sector)
    assert sector_scores(ratings, sectors).to_dict() == {"Tech": 80.0, "Energy": 15.0}
    # members B, C, D and a ticker without a rating: Tech 70, Energy 20
    out = sector_scores(ratings, sectors, members=["B", "C", "D", "ZZZ"])
    assert out.to_dict() == {"Tech": 70.0, "Energy": 20.0}
    assert out.index.name == "sector"
    # members that leave a sector empty leave it out
    assert sector_scores(ratings, sectors, members=["F"]).to_dict() == {"Energy": 10.0}
