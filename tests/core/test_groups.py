"""Industry groups on small hand-checkable tables (every expected value worked out below)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from xlsrc.core.groups import (
    GROUP_COLUMNS,
    MIN_GROUP_MEMBERS,
    group_ranks,
    group_scores,
    industry_groups,
)
from xlsrc.errors import InvalidParameterError

NAN = np.nan

# Four industries:
#   Semis  A 99, B 90, C 81, D 70          mean 340/4 = 85.0
#   Banks  E 80, F 60, G 40                mean 180/3 = 60.0
#   Gold   H 95, I 85, J NaN (no rating)   2 rated members < 3: not ranked
#   Retail K 20, L 30, M 40, N 50, O 10    mean 150/5 = 30.0
#   P 99 has no industry; Q 88 has a blank industry: neither belongs to a group.
RATINGS = pd.Series(
    {
        "A": 99,
        "B": 90,
        "C": 81,
        "D": 70,
        "E": 80,
        "F": 60,
        "G": 40,
        "H": 95,
        "I": 85,
        "J": NAN,
        "K": 20,
        "L": 30,
        "M": 40,
        "N": 50,
        "O": 10,
        "P": 99,
        "Q": 88,
    },
    dtype=float,
)
INDUSTRIES = pd.Series(
    {
        **dict.fromkeys("ABCD", "Semis"),
        **dict.fromkeys("EFG", "Banks"),
        **dict.fromkeys("HIJ", "Gold"),
        **dict.fromkeys("KLMNO", " Retail "),  # surrounding blanks are not part of the name
        "P": None,
        "Q": "  ",
    }
)
SECTORS = pd.Series(
    {
        **dict.fromkeys("ABC", "Information Technology"),
        "D": "Industrials",
        **dict.fromkeys("EFG", "Financials"),
        # Retail: two Consumer Discretionary, two Consumer Staples, one unknown -> tie,
        # the alphabetically first wins
        "K": "Consumer Staples",
        "L": "Consumer Discretionary",
        "M": "Consumer Staples",
        "N": "Consumer Discretionary",
    }
)


def test_group_scores_are_member_means_with_a_minimum():
    g = group_scores(RATINGS, INDUSTRIES)
    assert sorted(g.index) == ["Banks", "Retail", "Semis"]
    assert g.loc["Semis", "group_score"] == 85.0
    assert g.loc["Banks", "group_score"] == 60.0
    assert g.loc["Retail", "group_score"] == 30.0
    assert g["members"].to_dict() == {"Banks": 3, "Retail": 5, "Semis": 4}
    # with a minimum of 2, Gold joins: (95 + 85) / 2 = 90
    g2 = group_scores(RATINGS, INDUSTRIES, min_members=2)
    assert g2.loc["Gold", "group_score"] == 90.0
    assert g2.loc["Gold", "members"] == 2
    # a minimum of 5 leaves Retail only
    assert list(group_scores(RATINGS, INDUSTRIES, min_members=5.0).index) == ["Retail"]


def test_members_choose_the_universe():
    g = group_scores(RATINGS, INDUSTRIES, members=["A", "B", "C", "E", "F", "G", "ZZZ"])
    # Semis over A, B, C only: (99 + 90 + 81) / 3 = 90; ZZZ (not rated) is ignored
    assert g.loc["Semis", "group_score"] == 90.0
    assert g.loc["Semis", "members"] == 3
    assert "Retail" not in g.index


@pytest.mark.parametrize("bad", [0, -1, 2.5, "3", True, None])
def test_bad_min_members(bad):
    with pytest.raises(InvalidParameterError, match="min_members"):
        group_scores(RATINGS, INDUSTRIES, min_members=bad)


def test_group_ranks_competition_style():
    scores = pd.Series({"a": 50.0, "b": 70.0, "c": 70.0, "d": 10.0, "e": 90.0})
    # e 90 -> 1; b, c 70 -> 2 (one higher); a 50 -> 4 (three higher); d -> 5
    assert group_ranks(scores).to_dict() == {"a": 4, "b": 2, "c": 2, "d": 5, "e": 1}


def test_industry_groups_table():
    scores = pd.Series({"A": 0.9, "B": 0.5, "C": 0.4, "D": 0.1, "E": 0.3, "F": 0.2, "G": 0.1})
    t = industry_groups(RATINGS, INDUSTRIES, SECTORS, scores=scores)
    assert list(t.columns) == list(GROUP_COLUMNS)
    assert list(t["industry"]) == ["Semis", "Banks", "Retail"]
    assert list(t["rank"]) == [1, 2, 3]
    # G = 3 ranked groups: Semis L=2,E=1 -> floor(100*2.5/3 + 0.5) = floor(83.83) = 83
    # Banks L=1 -> floor(100*1.5/3 + 0.5) = 50; Retail L=0 -> floor(16.67 + 0.5) = 17
    assert list(t["group_rs_rating"]) == [83.0, 50.0, 17.0]
    assert list(t["group_score"]) == [85.0, 60.0, 30.0]
    assert list(t["members"]) == [4, 3, 5]
    # >= 80: Semis A, B, C of 4; Banks E of 3; Retail none
    assert t["share_rs80"].tolist() == pytest.approx([0.75, 1 / 3, 0.0])
    assert list(t["leaders"]) == ["A, B, C", "E, F, G", "N, M, L"]
    assert list(t["sector"]) == ["Information Technology", "Financials", "Consumer Discretionary"]
    assert isinstance(t.index, pd.RangeIndex)


def test_leaders_break_rating_ties_by_score_then_ticker():
    ratings = pd.Series({"X": 90.0, "Y": 90.0, "Z": 90.0, "W": 95.0})
    industries = pd.Series(dict.fromkeys("WXYZ", "G"))
    t = industry_groups(ratings, industries, scores=pd.Series({"X": 0.1, "Y": 0.3, "Z": 0.3}))
    # W (95) first; then the 90s by score: Y and Z (0.3) before X (0.1), Y before Z by name
    assert t.loc[0, "leaders"] == "W, Y, Z"
    # without scores, ties go by ticker
    assert industry_groups(ratings, industries).loc[0, "leaders"] == "W, X, Y"
    # no sectors given: ""
    assert industry_groups(ratings, industries).loc[0, "sector"] == ""


def test_earlier_ranks_use_the_same_members_and_rule():
    # a month ago Retail was strongest, Semis had only 2 rated members (not ranked)
    month_ago = pd.Series(
        {"A": 50, "B": 40, "E": 30, "F": 30, "G": 30, **dict.fromkeys("KLMNO", 60)}
    )
    t = industry_groups(RATINGS, INDUSTRIES, earlier={"1m": month_ago, "3m": RATINGS})
    assert list(t.columns) == [*GROUP_COLUMNS, "rank_1m", "rank_3m"]
    by = t.set_index("industry")
    assert np.isnan(by.loc["Semis", "rank_1m"])
    assert by.loc["Retail", "rank_1m"] == 1.0
    assert by.loc["Banks", "rank_1m"] == 2.0
    assert by["rank_3m"].to_dict() == {"Semis": 1.0, "Banks": 2.0, "Retail": 3.0}
    # an earlier date with no ratings at all (before the data): every rank NaN
    t2 = industry_groups(RATINGS, INDUSTRIES, earlier={"6m": pd.Series(dtype=float)})
    assert t2["rank_6m"].isna().all()


def test_tied_groups_share_rank_and_rating():
    ratings = pd.Series({"A": 60, "B": 40, "C": 50, "D": 50, "E": 90, "F": 10, "G": 20})
    industries = pd.Series({"A": "x", "B": "x", "C": "y", "D": "y", "E": "z", "F": "z", "G": "w"})
    t = industry_groups(ratings, industries, min_members=1).set_index("industry")
    # x = 50, y = 50, z = 50, w = 20: the three tied share rank 1; w ranks 4
    assert t["rank"].to_dict() == {"w": 4, "x": 1, "y": 1, "z": 1}
    # G = 4; x: L=1, E=3 -> floor(100*2.5/4 + 0.5) = floor(63.0) = 63; w: L=0,E=1 -> 13
    assert t["group_rs_rating"].to_dict() == {"w": 13.0, "x": 63.0, "y": 63.0, "z": 63.0}
    # ties in the table's order go by name
    assert list(t.index) == ["x", "y", "z", "w"]


def test_no_group_has_enough_members():
    t = industry_groups(RATINGS.iloc[:2], INDUSTRIES, earlier={"1m": RATINGS})
    assert t.empty
    assert list(t.columns) == [*GROUP_COLUMNS, "rank_1m"]
    assert MIN_GROUP_MEMBERS == 3
