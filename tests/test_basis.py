"""The basis of the RS metrics: total return (dividend-adjusted closes) or price change.

A hand-made store holds both closes: ``close`` (adjusted for splits and dividends, the
total-return basis) and ``split_close`` (adjusted for splits only, the price basis). Each
series is flat at a base value, then steps to an end value at row 250 of 300 sessions,
so every RS window (63/126/189/252 sessions back from row 299 reads rows 236, 173, 110,
47) sees base -> end and the RS score is ``end / base - 1`` on either basis. The ratings
are then worked out by hand with the mapping ``floor(100 (L + E/2) / n + 0.5)``, n = 3
stocks. Then the bundled snapshot, which has no split-adjusted close, refuses the basis.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hand_market import hand_market

from xlsrc.errors import InvalidParameterError, NoDataError, StaleDataError

SESSIONS = 300
STEP = 250  # first row at the end value
DAYS = pd.bdate_range("2026-01-05", periods=SESSIONS)


def steps(base: float, end: float, first: int = 0, last: int = SESSIONS - 1) -> list:
    """``base`` on rows first..249, ``end`` from row 250 to ``last``, None elsewhere."""
    return [
        None if not first <= r <= last else (base if r < STEP else end) for r in range(SESSIONS)
    ]


def only(values: list, rows: range) -> list:
    return [v if r in rows else None for r, v in enumerate(values)]


@pytest.fixture(scope="module")
def market():
    closes = {
        # stocks: total-return score / price-change score
        "INC": steps(9.0, 10.0),  # a dividend payer: +11.1 % total, 0 % price
        "GRO": steps(10.0, 10.5),  # +5 % on both
        "LAG": steps(10.0, 9.5),  # -5 % on both
        # ETFs, rated against the three stocks without joining them
        "DIV": steps(10.0, 12.0),  # an income fund: +20 % total, 0 % price
        "NOS": steps(10.0, 11.0),  # no split-adjusted close at all
        "PART": steps(10.0, 11.0),  # split-adjusted closes on the last 20 sessions only
        "EARLY": steps(10.0, 11.0),  # none on rows 0..39, before the RS windows
        "OLD": steps(10.0, 10.0, last=280),  # last trade on row 280: stale on row 299
        "NEW": steps(10.0, 11.0, first=200),  # listed on row 200: the 63-session window only
    }
    split = {
        "INC": steps(10.0, 10.0),
        "GRO": closes["GRO"],
        "LAG": closes["LAG"],
        "DIV": steps(10.0, 10.0),
        "PART": only(closes["PART"], range(280, SESSIONS)),
        "EARLY": only(closes["EARLY"], range(40, SESSIONS)),
        "OLD": closes["OLD"],
        "NEW": closes["NEW"],
    }
    etfs = ("DIV", "NOS", "PART", "EARLY", "OLD", "NEW")
    return hand_market(
        closes,
        types=dict.fromkeys(etfs, "etf"),
        split_closes=split,
        universes={"withnos": ("INC", "GRO", "NOS"), "trio": ("INC", "GRO", "LAG")},
    )


def test_scores_by_hand(market):
    tickers = ["INC", "GRO", "LAG", "DIV", "EARLY", "NEW"]
    total = market.values(tickers, "rs_score", DAYS[-1]).values
    price = market.values(tickers, "rs_score", DAYS[-1], basis="price").values
    np.testing.assert_allclose(total, [10 / 9 - 1, 0.05, -0.05, 0.2, 0.1, 0.1], rtol=1e-12)
    np.testing.assert_allclose(price, [0.0, 0.05, -0.05, 0.0, 0.1, 0.1], atol=1e-12)


def test_ratings_by_hand(market):
    """n = 3 stocks; ``(100 (2L + E) + n) // 2n``, clipped to 1..99.

    Total: INC .111 (L=2, E=1: 83), GRO .05 (50), LAG -.05 (17); DIV .2 above all (99);
    EARLY and NEW .1 (L=2, E=0: 403 // 6 = 67).
    Price: INC 0 (L=1, E=1: 50), GRO .05 (83), LAG (17); DIV 0 ties INC (50); EARLY and
    NEW .1 above all (99).
    """
    tickers = ["INC", "GRO", "LAG", "DIV", "EARLY", "NEW"]
    total = market.values(tickers, "rs_rating", DAYS[-1]).values
    price = market.values(tickers, "rs_rating", DAYS[-1], basis="price").values
    assert total.tolist() == [83, 50, 17, 99, 67, 67]
    assert price.tolist() == [50, 83, 17, 50, 99, 99]
    # the income fund: 99 on total return, 50 on price (issue 11: AMDY 85 vs 12)
    assert market.value("DIV", "rs_rating", DAYS[-1], basis="price") == 50.0
    assert market.value("DIV", "rs_rating", DAYS[-1], basis="PRICE ") == 50.0
    # a named universe ranks on the price basis too
    trio = market.values(["INC", "GRO"], "rs_rating", DAYS[-1], universe="trio", basis="price")
    assert trio.values.tolist() == [50, 83]
    assert market.rs_ratings(DAYS[-1], "stocks", "price")[["INC", "GRO", "LAG"]].tolist() == [
        50,
        83,
        17,
    ]


def test_a_ticker_without_split_adjusted_closes_says_so(market):
    served = market.values(["NOS", "PART", "OLD", "GRO"], "rs_rating", DAYS[-1], basis="price")
    nos, part, old, gro = served.reasons
    assert gro is None
    first = DAYS[SESSIONS - 1 - 252]  # the RS score reads back to row 47
    day = f"{DAYS[-1]:%Y-%m-%d}"
    assert nos == (
        f"Split-adjusted closes missing for NOS on 253 of 253 trading days from "
        f'{first:%Y-%m-%d} to {day}: basis "price" needs every one '
        f"(xlsrc refresh NOS --since {first:%Y-%m-%d} stores them)"
    )
    # rows 47..279 lack one: 233 of the 253 sessions
    assert part.startswith("Split-adjusted closes missing for PART on 233 of 253 trading days")
    # a stale ticker keeps its usual reason: no trade is the first thing wrong
    assert isinstance(served.errors[2], StaleDataError)
    assert old == f"No trade since {DAYS[280]:%Y-%m-%d}"
    # the same gaps on the score; the total basis is unaffected
    assert market.values(["NOS"], "rs_score", DAYS[-1], basis="price").reasons[0] == nos
    assert market.value("NOS", "rs_rating", DAYS[-1]) == 67.0
    with pytest.raises(NoDataError, match="Split-adjusted closes missing for PART on 233"):
        market.value("PART", "rs_score", DAYS[-1], basis="price")
    assert all(len(r) <= 255 for r in served.reasons if r)


def test_a_universe_lacking_split_adjusted_closes_is_refused(market):
    """Ranking the members that have them would rate against another universe."""
    with pytest.raises(NoDataError) as err:
        market.values(["GRO"], "rs_rating", DAYS[-1], universe="withnos", basis="price")
    assert str(err.value) == (
        f"Split-adjusted closes missing for 1 of 3 rated members of withnos as of "
        f'{DAYS[-1]:%Y-%m-%d} (NOS): basis "price" ranks against the whole universe '
        '(refresh them, or use basis "total")'
    )
    with pytest.raises(NoDataError, match="1 of 3 rated members of the tickers given"):
        market.rs_ratings(DAYS[-1], ["INC", "PART", "LAG"], "price")
    # the score needs no universe
    assert market.value("GRO", "rs_score", DAYS[-1], basis="price") == pytest.approx(0.05)


def test_basis_arguments_are_checked(market):
    with pytest.raises(InvalidParameterError, match=r"Invalid basis: 'dividends'"):
        market.values(["GRO"], "rs_rating", DAYS[-1], basis="dividends")
    with pytest.raises(InvalidParameterError, match=r'"total" for ret_ytd'):
        market.values(["GRO"], "ret_ytd", DAYS[-1], basis="price")
    # the total basis is the default and the same as naming it
    assert market.values(["INC"], "rs_rating", DAYS[-1], basis="total").values.tolist() == [83]


def test_the_price_basis_follows_the_date(market):
    """Row 249, before the step: every score is 0 on both bases; OLD still trades."""
    day = DAYS[249]
    price = market.values(["INC", "GRO", "OLD"], "rs_score", day, basis="price")
    assert price.values.tolist() == [0.0, 0.0, 0.0]
    # PART lacks them on every session then; with 250 sessions the score reads from row 0
    assert (
        market.values(["PART"], "rs_score", day, basis="price")
        .reasons[0]
        .startswith(
            f"Split-adjusted closes missing for PART on 250 of 250 trading days from {DAYS[0]:%Y-%m-%d}"
        )
    )


def test_the_bundled_snapshot_refuses_the_price_basis(bundled_store_path):
    from xlsrc.market import get_market

    market = get_market(bundled_store_path)
    message = (
        'No split-adjusted closes in the store: basis "price" ranks price change on closes '
        "adjusted for splits only, and this store has none (the bundled snapshot holds "
        "dividend-adjusted closes only; a Yahoo refresh stores both)"
    )
    for name in ("rs_rating", "rs_score"):
        with pytest.raises(NoDataError) as err:
            market.values(["VICR", "SPY"], name, "2026-01-22", basis="price")
        assert str(err.value) == message
    assert len(message) <= 255
    # the total basis is untouched: VICR's rating of 2026-01-22 (README, issue 11)
    assert market.value("VICR", "rs_rating", "2026-01-22") == 98.0


def test_the_formulas_take_the_basis(market, monkeypatch):
    """RS_RATING, RS_SCORE and LEADERS on the hand market (the formulas' one market)."""
    import xlsrc.excel.udfs as udfs

    monkeypatch.setattr(udfs, "_market", lambda: market)
    day = DAYS[-1].to_pydatetime()
    assert udfs.RS_RATING("DIV", None, None, day) == 99
    assert udfs.RS_RATING("DIV", None, "price", day) == 50
    assert udfs.RS_SCORE("INC", "price", day) == pytest.approx(0.0)
    assert udfs.RS_RATING("NOS", None, "price", day).startswith(
        "#N/A Split-adjusted closes missing for NOS on 253 of 253 trading days"
    )
    rows = udfs.LEADERS("stocks", 3, "rs", "price", day)
    head = rows[0]
    assert head[head.index("RS rating (price)") + 1] == "RS 3 months ago (price)"
    by_rs = [(r[1], r[head.index("RS rating (price)")]) for r in rows[1:]]
    assert by_rs == [("GRO", 83), ("INC", 50), ("LAG", 17)]
    # 63 sessions back (row 236) every series is still at its base: all scores 0, all
    # ratings the mid-rank of three ties, (100 * 3 + 3) // 6 = 50
    assert [r[head.index("RS 3 months ago (price)")] for r in rows[1:]] == [50, 50, 50]
    total = udfs.LEADERS("stocks", 3, "rs", None, day)
    assert [r[1] for r in total[1:]] == ["INC", "GRO", "LAG"]
    assert "RS rating" in total[0]


def test_the_python_api_takes_the_basis(market):
    """``xlsrc.rs_ratings`` / ``xlsrc.leaders`` with ``basis``: the hand ratings above."""
    import xlsrc

    day = DAYS[-1]
    total = xlsrc.rs_ratings("trio", day, store=market)
    price = xlsrc.rs_ratings("trio", day, basis="price", store=market)
    # ranked within the trio: total INC .111 > GRO .05 > LAG -.05 -> 83, 50, 17;
    # price GRO .05 > INC 0 > LAG -.05 -> 83, 50, 17 with INC and GRO swapped
    assert total["rs_rating"].to_dict() == {"INC": 83.0, "GRO": 50.0, "LAG": 17.0}
    assert price["rs_rating"].to_dict() == {"GRO": 83.0, "INC": 50.0, "LAG": 17.0}
    assert price.loc["INC", "rs_score"] == pytest.approx(0.0)
    assert list(xlsrc.leaders("stocks", 3, "rs", day, basis="price", store=market).index) == [
        "GRO",
        "INC",
        "LAG",
    ]
    assert list(xlsrc.leaders("stocks", 3, "rs", day, store=market).index) == [
        "INC",
        "GRO",
        "LAG",
    ]
    with pytest.raises(InvalidParameterError, match="basis"):
        xlsrc.rs_ratings("trio", day, basis="dividends", store=market)


def test_the_cli_leaders_take_the_basis(market, monkeypatch, capsys):
    import xlsrc.cli.market_commands as commands
    from xlsrc import cli

    monkeypatch.setattr(commands, "_market", lambda args: market)
    day = f"{DAYS[-1]:%Y-%m-%d}"
    argv = ["leaders", "--universe", "stocks", "--sort-by", "rs", "--as-of", day, "--top", "3"]
    assert cli.main([*argv, "--basis", "price", "--format", "csv"]) == 0
    out = capsys.readouterr().out.splitlines()
    rows = [line.split(",") for line in out[1:]]
    head = out[0].split(",")
    assert [r[head.index("ticker")] for r in rows] == ["GRO", "INC", "LAG"]
    assert [float(r[head.index("rs_rating")]) for r in rows] == [83.0, 50.0, 17.0]
    assert cli.main([*argv, "--basis", "price"]) == 0
    assert "RS on price change" in capsys.readouterr().out.splitlines()[0]


def test_the_cli_leaders_on_the_bundled_snapshot_refuse_the_price_basis(bundled_store_path, capsys):
    from xlsrc import cli

    status = cli.main(
        ["leaders", "--store", str(bundled_store_path), "--as-of", "2026-01-22", "--basis", "price"]
    )
    err = capsys.readouterr().err
    assert status == 1
    assert err.startswith("xlsrc: error: No split-adjusted closes in the store")
    assert err.count("\n") == 1
