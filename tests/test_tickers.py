"""Ticker spelling (issue 9, item 7): Yahoo's exchange suffixes keep their dot, US class
shares take a dash, vendor tags of US symbols are removed, non-US symbols are refused up
front by one check naming the exchange.
"""

from __future__ import annotations

import pandas as pd
import pytest
from yahoo_fake import write_snapshot

from xlsrc.data.universes import (
    US_CLASS_SHARES,
    YAHOO_SUFFIXES,
    check_us_listed,
    listing_exchange,
    normalise_ticker,
)
from xlsrc.errors import InvalidParameterError, UnknownTickerError

#: Every US symbol with a one-letter class among the 12,466 of
#: shared/data/closes/us_closes_2024-01-02_2026-08-03.csv.gz (grep -E '^[A-Z]+-[A-Z]$').
US_CLASSES_IN_THE_CLOSES = (
    "AGM-A AKO-A AKO-B BF-A BF-B BH-A BIO-B BKSY-W BRK-A BRK-B CIG-C CRD-A CRD-B GEF-B "
    "GTN-A HEI-A HVT-A LEN-B MKC-V MOG-A MOG-B PBR-A TAP-A UHAL-B WSO-B"
).split()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # US class shares: a dash, whatever the source wrote
        ("BRK.B", "BRK-B"),
        ("BF.B", "BF-B"),
        ("HEI.A", "HEI-A"),
        ("brk_b", "BRK-B"),
        (" brk-b ", "BRK-B"),
        ("BRK/B", "BRK-B"),
        ("BRK B", "BRK-B"),
        ("^gspc", "^GSPC"),
        # Yahoo exchange suffixes keep their dot
        ("EZJ.L", "EZJ.L"),
        ("shop.to", "SHOP.TO"),
        ("7203.T", "7203.T"),
        ("0700.HK", "0700.HK"),
        ("BMW.DE", "BMW.DE"),
        ("MC.PA", "MC.PA"),
        ("ASML.AS", "ASML.AS"),
        ("NESN.SW", "NESN.SW"),
        ("BHP.AX", "BHP.AX"),
        ("ABC.V", "ABC.V"),
        ("2330.TWO", "2330.TWO"),
        # a class letter before an exchange suffix: Yahoo's BT-A.L
        ("BT.A.L", "BT-A.L"),
        # the US class share whose letter is also an exchange suffix (TSX Venture)
        ("MKC.V", "MKC-V"),
        ("MKC-V", "MKC-V"),
        # vendors' tags of US symbols are removed
        ("ICHR.US", "ICHR"),
        ("ichr.us", "ICHR"),
        ("BRK.B.US", "BRK-B"),
        ("ICHR US Equity", "ICHR"),
        ("ICHR UW Equity", "ICHR"),
        ("brk/b un equity", "BRK-B"),
        # Bloomberg's short form without the yellow key (IVV's 2026-06-19 holdings row)
        ("HOLX US", "HOLX"),
        ("holx uw", "HOLX"),
        ("BRK B", "BRK-B"),  # a blank before one letter is still a class
        ("NASDAQ:ICHR", "ICHR"),
        ("NYSE:BRK.B", "BRK-B"),
        ("AMEX:SPY", "SPY"),
        # ... and a non-US vendor tag becomes Yahoo's suffix, so the check can name it
        ("EZJ LN Equity", "EZJ.L"),
        ("7203 JT Equity", "7203.T"),
        ("LSE:EZJ", "EZJ.L"),
        ("TSX:SHOP", "SHOP.TO"),
        ("VOD.UK", "VOD.L"),
        ("VOD.LSE", "VOD.L"),
        # Yahoo futures/currency symbols are not touched
        ("GC=F", "GC=F"),
        # what copying from a web page, a chat or an East Asian keyboard adds
        ("ICHR\u00a0", "ICHR"),  # a no-break space (HTML &nbsp;)
        ("ICHR\u200b", "ICHR"),  # a zero-width space
        ("\ufeffICHR", "ICHR"),  # a byte-order mark at the start of a pasted cell
        ("\u200eBRK.B\u200f", "BRK-B"),  # left-to-right / right-to-left marks
        ("\uff29\uff23\uff28\uff32", "ICHR"),  # full-width ＩＣＨＲ
        ("BRK\uff0eB", "BRK-B"),  # a full-width full stop
    ],
)
def test_normalise_ticker(text, expected):
    assert normalise_ticker(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "allowed"),
        ("A$B", "allowed"),
        (3.0, "allowed"),
        ("SPX Index", "a Bloomberg Index security, not an equity"),
        ("EURUSD Curncy", "a Bloomberg Curncy security, not an equity"),
        ("ICHR XY Equity", "Bloomberg market code XY is not one xlsrc knows"),
        ("FOO:ICHR", "exchange prefix FOO is not one xlsrc knows"),
        ("^GSPC.L", "allowed"),
        ("\u200b", "allowed"),  # nothing visible is not a ticker
        ("ICHR\u2019", "allowed"),  # a typographic apostrophe is a character, not a format mark
    ],
)
def test_not_a_ticker(text, message):
    with pytest.raises(InvalidParameterError, match=message):
        normalise_ticker(text)


def test_every_yahoo_suffix_keeps_its_dot_and_is_refused_naming_its_exchange():
    for suffix, exchange in YAHOO_SUFFIXES.items():
        symbol = f"XYZ.{suffix}"
        assert normalise_ticker(symbol.lower()) == symbol
        assert listing_exchange(symbol) == exchange
        with pytest.raises(InvalidParameterError) as info:
            check_us_listed(symbol)
        assert str(info.value).startswith(
            f"{symbol} is listed on the {exchange} (Yahoo suffix .{suffix}); xlsrc holds "
            "US-listed securities only, on the NYSE calendar"
        )
        assert info.value.fields["exchange"] == exchange


def test_single_letter_suffixes_say_how_to_write_a_class_share():
    with pytest.raises(InvalidParameterError) as info:
        check_us_listed("EZJ.L")
    assert str(info.value) == (
        "EZJ.L is listed on the London Stock Exchange (Yahoo suffix .L); xlsrc holds "
        "US-listed securities only, on the NYSE calendar (a US class L share is written "
        "with a dash: EZJ-L)"
    )
    with pytest.raises(InvalidParameterError, match=r"TSX Venture Exchange .*ABC-V\)$"):
        check_us_listed("ABC.V")


def test_us_symbols_pass_the_check():
    for text, expected in [
        ("VICR", "VICR"),
        ("BRK.B", "BRK-B"),
        ("MKC.V", "MKC-V"),
        ("ICHR.US", "ICHR"),
        ("ICHR US Equity", "ICHR"),
        ("NASDAQ:ICHR", "ICHR"),
        ("^GSPC", "^GSPC"),
    ]:
        assert check_us_listed(text) == expected
        assert listing_exchange(text) is None


def test_us_class_shares_of_the_bundled_closes_keep_their_meaning_with_a_dot():
    """S&P and iShares lists write BRK.B; every such symbol must still mean the US share."""
    for ticker in US_CLASSES_IN_THE_CLOSES:
        assert normalise_ticker(ticker.replace("-", ".")) == ticker
        assert normalise_ticker(ticker) == ticker
        assert check_us_listed(ticker.replace("-", ".")) == ticker
    clashing = {t for t in US_CLASSES_IN_THE_CLOSES if t[-1] in YAHOO_SUFFIXES}
    assert {t.replace("-", ".") for t in clashing} == set(US_CLASS_SHARES) == {"MKC.V"}


def test_a_formula_asking_for_a_non_us_symbol_gets_unknown_ticker(tmp_path):
    from xlsrc.data import open_store
    from xlsrc.market import Market

    days = pd.to_datetime(["2026-01-02", "2026-01-05"])
    bars = pd.DataFrame(
        {
            "ticker": ["SPY", "SPY", "MKC-V", "MKC-V"],
            "date": list(days) * 2,
            "open": [1.0] * 4,
            "high": [1.0] * 4,
            "low": [1.0] * 4,
            "close": [1.0] * 4,
            "volume": [1.0] * 4,
        }
    )
    store = open_store(tmp_path / "s.sqlite", snapshot=write_snapshot(tmp_path / "snap", bars))
    market = Market(store)
    # not EZJ-L, the symbol Yahoo does not have; the message explains the London listing,
    # as import-csv and refresh do (review-1 D19: it was a bare "Unknown ticker: EZJ.L")
    with pytest.raises(
        UnknownTickerError,
        match=r"^Unknown ticker: EZJ\.L is listed on the London Stock Exchange \(Yahoo suffix "
        r"\.L\); xlsrc holds US-listed securities only",
    ):
        market.ticker("EZJ.L")
    with pytest.raises(UnknownTickerError, match=r"^Unknown ticker: XYZQ$"):
        market.ticker("XYZQ")  # a US-style symbol the store lacks: no listing note
    assert market.ticker("MKC.V") == "MKC-V"
