"""The rotation sentence builder on hand-made facts: exact wording, limits, omissions."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from xlsrc.dashboard.story import (
    MAX_SENTENCE,
    GroupFact,
    LeaderFact,
    RotationFacts,
    SectorFact,
    StartOfYearFact,
    rotation_sentences,
)

DAY = pd.Timestamp("2026-01-22")


def _facts(**changes) -> RotationFacts:
    base = {
        "as_of": DAY,
        "small": "IWM",
        "small_ytd": 0.096,
        "large": (("SPY", 0.0104), ("QQQ", 0.0106)),
        "pair_signal": "Small caps leading",
        "start_of_year": StartOfYearFact(
            year=2026,
            small="IWM",
            large="QQQ",
            small_return=0.0492,
            large_return=0.0100,
            spread=0.0392,
            threshold=0.02,
            signal=True,
            sessions=5,
            sessions_passed=5,
        ),
        "breadth": (("S&P 600", 0.7808), ("S&P 500", 0.6956)),
        "sector_basis": "mean RS of S&P 1500 members",
        "sectors": (
            SectorFact("Energy", 62.72, "XLE", 0.0939),
            SectorFact("Industrials", 61.04, "XLI", 0.0669),
        ),
        "weakest_sector": SectorFact("Consumer Staples", 41.87, "XLP", 0.0591),
        "groups": (GroupFact("Silver", 99.0, "AG, SVM, EXK"), GroupFact("Uranium", 98.0, "")),
        "leaders_universe": "S&P 600",
        "leaders": (LeaderFact("ICHR", 0.7944, 86.0), LeaderFact("UCTT", 0.7426, math.nan)),
        "extended": (("ICHR", 0.3750), ("UCTT", 0.2963)),
        "overbought": (("IWM", 71.894), ("ICHR", 87.076)),
        "quiet_highs": (("IWM", 0.8554),),
    }
    base.update(changes)
    return RotationFacts(**base)


def test_sentences_word_the_facts_exactly():
    assert rotation_sentences(_facts()) == [
        # spread 0.096 - 0.0104 = 0.0856 -> +8.6 points
        "Small vs large caps as of 2026-01-22: IWM +9.6% YTD against SPY +1.0% and QQQ +1.1%, "
        "a spread of +8.6 points over SPY; IWM/SPY signal: Small caps leading.",
        "Start-of-year rule ON: IWM +4.9% vs QQQ +1.0% over the first 5 sessions of 2026, "
        "a spread of +3.9 points (the rule needs more than +2.0 points).",
        "Breadth: 78% of the S&P 600 above their 50-day average against 70% of the S&P 500.",
        "Strongest sectors by mean RS of S&P 1500 members: Energy 62.7 (XLE +9.4% YTD), "
        "Industrials 61.0 (XLI +6.7% YTD); weakest: Consumer Staples 41.9 (XLP +5.9% YTD).",
        "Leading industry groups (group RS rating): Silver 99 (AG, SVM, EXK), Uranium 98.",
        "Top S&P 600 leaders by YTD return: ICHR +79.4% (RS 86), UCTT +74.3%.",
        "Extended, more than 20% above the 20-day average: ICHR +37.5%, UCTT +29.6%.",
        "RSI(14) above 70: IWM 71.9, ICHR 87.1.",
        "At a 52-week closing high on below-average volume (volume / 50-day average): IWM 0.86x.",
    ]


def test_start_of_year_rule_off_and_so_far():
    soy = _facts().start_of_year
    off = StartOfYearFact(**{**soy.__dict__, "spread": -0.011, "signal": False})
    early = StartOfYearFact(**{**soy.__dict__, "sessions_passed": 3})
    assert rotation_sentences(_facts(start_of_year=off))[1].startswith(
        "Start-of-year rule OFF: IWM +4.9% vs QQQ +1.0% over the first 5 sessions of 2026, "
        "a spread of -1.1 points"
    )
    assert (
        "over the first 3 of 5 sessions of 2026 so far"
        in rotation_sentences(_facts(start_of_year=early))[1]
    )


def test_missing_facts_leave_their_sentence_out():
    bare = RotationFacts(as_of=DAY)
    assert rotation_sentences(bare) == []
    out = rotation_sentences(
        _facts(
            small_ytd=math.nan,
            start_of_year=None,
            breadth=(("S&P 600", math.nan),),
            sectors=(),
            groups=(),
            leaders=(),
            extended=(),
            overbought=(),
            quiet_highs=(),
        )
    )
    assert out == []
    # one breadth figure only: no "against"
    one = rotation_sentences(RotationFacts(as_of=DAY, breadth=(("S&P 500", 0.5),)))
    assert one == ["Breadth: 50% of the S&P 500 above their 50-day average."]
    # a sector without its ETF's YTD; no weakest sector
    sec = rotation_sentences(
        RotationFacts(as_of=DAY, sectors=(SectorFact("Energy", 62.72, "XLE", math.nan),))
    )
    assert sec == ["Strongest sectors: Energy 62.7."]


def test_long_lists_are_cut_to_fit_with_a_count():
    many = tuple((f"T{i:03d}", 70.0 + i / 10) for i in range(60))
    out = rotation_sentences(RotationFacts(as_of=DAY, overbought=many))
    assert len(out) == 1
    text = out[0]
    assert len(text) <= MAX_SENTENCE
    shown = text.count(", ") + 1
    assert text.startswith("RSI(14) above 70: T000 70.0, T001 70.1,")
    assert text.endswith(f" and {60 - shown} more.")
    # one more item would not have fitted
    items = [f"T{i:03d} {70.0 + i / 10:.1f}" for i in range(shown + 1)]
    longer = "RSI(14) above 70: " + ", ".join(items) + f" and {60 - shown - 1} more."
    assert len(longer) > MAX_SENTENCE


def test_every_sentence_fits_even_with_long_names():
    long_name = "An Industry With A Very Long Name " * 3
    facts = _facts(
        groups=tuple(GroupFact(f"{long_name}{i}", 99.0 - i, "AAAA, BBBB, CCCC") for i in range(3)),
        sectors=tuple(SectorFact(f"{long_name}{i}", 60.0, "XLX", 0.1) for i in range(3)),
        leaders=tuple(LeaderFact("X" * 40, 0.5, 90.0) for _ in range(3)),
        small="S" * 150,
    )
    out = rotation_sentences(facts)
    assert all(len(s) <= MAX_SENTENCE for s in out)
    groups = next(s for s in out if s.startswith("Leading industry groups"))
    assert groups.endswith("more.")  # 3 long groups do not fit: the list is cut
    caps = out[0]
    assert caps.endswith("...")  # a fixed template over the limit only through the name


@pytest.mark.parametrize("ytd", [0.0, -0.0004])
def test_signs_are_explicit(ytd):
    out = rotation_sentences(RotationFacts(as_of=DAY, leaders=(LeaderFact("A", ytd, 50.0),)))
    assert out == [f"Top leaders by YTD return: A {ytd * 100:+.1f}% (RS 50)."]


@pytest.mark.parametrize(
    ("windows", "sentence"),
    [
        (4, None),
        (0, None),
        (
            1,
            "RS ratings as of 2026-01-22 rest on a shortened window: 63-session return only "
            "(fewer than 127 sessions of history).",
        ),
        (
            3,
            "RS ratings as of 2026-01-22 rest on a shortened window: 0.50*r63 + 0.25*r126 + "
            "0.25*r189 (fewer than 253 sessions of history).",
        ),
    ],
)
def test_a_shortened_rs_window_is_said(windows, sentence):
    out = rotation_sentences(_facts(rs_windows=windows))
    notes = [s for s in out if s.startswith("RS ratings as of")]
    assert notes == ([] if sentence is None else [sentence])
    if sentence:  # said after breadth, before the figures that use RS ratings
        assert out.index(sentence) == 3
        assert out[4].startswith("Strongest sectors")
