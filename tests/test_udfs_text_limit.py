"""Every text any formula returns is at most 255 characters (issue 10 section 3).

Excel shows ``#VALUE!`` for a UDF array holding a string longer than 255 characters, and
xlwings returns every result as an array (xlwings #456, #869). A market in odd states
(nine sources with long names and descriptions, sixty universes, a 400-character company
name) and odd inputs (a 400-character ticker, an unknown universe, long text in every
argument) are scanned: every formula, every argument, plain and through ``call_udf``.
The one rule lives in ``xlsrc.dashboard.cells.formula_result``.
"""

from __future__ import annotations

import inspect

import numpy as np
import pandas as pd
import pytest
import xlwings_com_stub as com
from hand_market import business_day_calendar

import xlsrc.market as market_mod
from xlsrc.dashboard.cells import ELLIPSIS, EXCEL_TEXT_LIMIT
from xlsrc.data import ingest_bars, open_store
from xlsrc.excel import udfs

MISSING = com.MISSING
LONG_NAME = "Northern Long Name Holdings " * 15  # 420 characters
SOURCES = [f"csv:quarterly small-cap screen export, desk {i}.csv" for i in range(8)]
UNIVERSES = [f"watchlist_{i:02d}_small_caps_momentum" for i in range(60)]


def units(text: str) -> int:
    """Excel's characters: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


@pytest.fixture(scope="module")
def odd():
    """A market of 12 tickers on 90 business days, written from nine sources."""
    index = pd.bdate_range("2025-10-01", periods=90, name="date")
    calendar = business_day_calendar(index)
    now = index[-1] + pd.Timedelta(days=2)
    store = open_store("memory:", snapshot=False)
    rng = np.random.default_rng(10)

    def bars(ticker: str) -> pd.DataFrame:
        closes = 50 * np.cumprod(1 + rng.normal(0.002, 0.02, len(index)))
        volume = rng.integers(10_000, 50_000, len(index)).astype(float)
        return pd.DataFrame({"ticker": ticker, "date": index, "close": closes, "volume": volume})

    first = ["AAA", "BBB", "CCC", "LONG"]
    ingest_bars(store, pd.concat([bars(t) for t in first]), "hand", calendar=calendar, now=now)
    for i, source in enumerate(SOURCES):
        ingest_bars(
            store,
            bars(f"Z{i}"),
            source,
            description="Exported by hand from the desk's screen; " * 8,
            calendar=calendar,
            now=now,
        )
    tickers = [*first, *(f"Z{i}" for i in range(len(SOURCES)))]
    names = {t: f"{t} Inc" for t in tickers} | {"LONG": LONG_NAME}
    store.upsert_securities(
        pd.DataFrame({"ticker": tickers, "name": [names[t] for t in tickers], "type": "stock"})
    )
    for name in UNIVERSES:
        store.set_universe(name, ["AAA", "BBB", "LONG"], source="hand")
    return market_mod.Market(store, calendar=calendar)


@pytest.fixture(autouse=True)
def use_odd(odd, monkeypatch):
    monkeypatch.setattr(market_mod, "get_market", lambda *a, **k: odd)


LAST = "2026-02-03"  # the 90th business day from 2025-10-01
#: A valid value per argument, then odd ones (long text everywhere, unknown names).
VALID = {
    "ticker": "LONG",
    "tickers": "LONG, AAA",
    "universe": "stocks",
    "as_of": LAST,
    "window": 20.0,
    "period": "1M",
    "start_date": "2025-12-31",
    "end_date": LAST,
    "benchmark": "BBB",
    "small": "AAA",
    "large": "BBB",
    "n": 5.0,
    "sort_by": "ytd",
    "fields": "close",
}
ODD = {
    "ticker": ["X" * 400, ((("LONG",),) * 3), "LONG, " + "Q" * 300],
    "tickers": ["LONG, " + "Q" * 300, ", ".join(f"NOPE{i}" for i in range(120))],
    "universe": ["nope", "Q" * 300 + ", AAA", ", ".join(f"NOPE{i}" for i in range(120))],
    "as_of": ["x" * 300, 1e12],
    "window": ["w" * 300, 0.5],
    "period": ["P" * 300],
    "start_date": ["s" * 300, "2030-01-01"],
    "end_date": ["e" * 300],
    "benchmark": ["Y" * 300],
    "small": ["S" * 300],
    "large": ["L" * 300],
    "n": ["n" * 300],
    "sort_by": ["s" * 400],
    "fields": ["colour" * 60],
}


def texts(value):
    if isinstance(value, list | tuple):
        for v in value:
            yield from texts(v)
    elif isinstance(value, str):
        yield value


def calls():
    for func in udfs.UDFS:
        params = list(inspect.signature(func).parameters)
        yield func.__name__, [VALID.get(p, MISSING) for p in params]
        for i, p in enumerate(params):
            for odd in ODD.get(p, ()):
                args = [VALID.get(q, MISSING) for q in params]
                args[i] = odd
                yield func.__name__, args


def test_every_text_of_every_formula_fits_in_255_characters():
    seen: list[str] = []
    for name, args in calls():
        plain = udfs.__dict__[name](*[None if a is MISSING else a for a in args])
        through = com.call_udf(name, *args)
        for text in (*texts(plain), *texts(through)):
            assert units(text) <= EXCEL_TEXT_LIMIT, (name, args, len(text), text[:80])
            seen.append(text)
    cut = [t for t in seen if t.endswith(ELLIPSIS) or " more" in t]
    # the states were odd enough: many texts would have been longer
    assert len(cut) > 40, len(cut)
    assert any(t.endswith(" more)") for t in seen)  # a list summarised inside a message


def test_the_source_cell_summarises_the_list():
    """Whole names (which hold ", " themselves), as many as fit, and how many more."""
    rows = udfs.DATA_STATUS()
    source = dict((r[0], r[1]) for r in rows[1:])["Source"]
    names = ["hand", *SOURCES]
    assert len(", ".join(names)) > 255  # what the cell held before: Excel showed #VALUE!
    kept, _, rest = source.partition(f" {ELLIPSIS} and ")
    k = next(k for k in range(1, len(names)) if ", ".join(names[:k]) == kept)
    assert rest == f"{len(names) - k} more"
    assert units(source) <= 255
    one_more = ", ".join(names[: k + 1]) + f" {ELLIPSIS} and {len(names) - k - 1} more"
    assert units(one_more) > 255  # as many names as fit
    assert com.call_udf("DATA_STATUS")[1] == ["Source", source]


def test_the_unknown_universe_message_summarises_the_known_ones():
    out = udfs.RS_RATING("AAA", "nope")
    assert out.startswith("#N/A Unknown universe: nope (known: stocks, ")
    assert out.endswith(" more)") and units(out) <= 255
    n = int(out.rsplit(" and ", 1)[1].split()[0])
    listed = out[len("#N/A Unknown universe: nope (known: ") :].split(f" {ELLIPSIS}")[0]
    assert len(listed.split(", ")) + n == len(UNIVERSES) + 1  # every universe counted


def test_a_400_character_ticker_is_echoed_cut():
    out = udfs.YTD_RETURN("X" * 400)
    assert units(out) == 255 and out.endswith(ELLIPSIS)
    assert out.startswith("#N/A ") and "XXXX" in out


def test_a_long_company_name_is_cut_in_every_table():
    for rows in (udfs.TECHNICALS("LONG"), udfs.LEADERS("stocks", 12)):
        name_col = rows[0].index("Name")
        names = [r[name_col] for r in rows[1:] if str(r[name_col]).startswith("Northern")]
        assert names == [LONG_NAME.rstrip()[:254].rstrip() + ELLIPSIS]


def test_the_report_keeps_long_text():
    """The 255 rule is Excel's UDF limit: cells written by the report keep their text."""
    from xlsrc.dashboard.cells import to_cell

    assert to_cell(LONG_NAME) == LONG_NAME
