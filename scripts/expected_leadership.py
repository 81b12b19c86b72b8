"""Expected values for the leadership tests, recomputed from the raw shared data.

Run from the repository root (about a minute):

    .venv/bin/python scripts/expected_leadership.py [SHARED_DATA_DIR]

This script is the independent side of ``tests/test_leadership_expected.py``: it imports
nothing from ``xlsrc`` and reimplements every measure from its written definition (README
"What every number means") with plain pandas/numpy, so a test comparing xlsrc with these
files compares two implementations.

Inputs
    ``closes/us_closes_2024-01-02_2026-08-03.csv.gz`` (adjusted closes, long format),
    ``reference/ticker_info_sector_industry_Vinubhai1961.json`` (Yahoo's industry per
    ticker), ``ohlcv/*`` (index closes, ETF volume) and the RS panel's ``day_volume``
    (IJR's volume) from ``../shared/data``; from the
    bundled snapshot, as data only: ``xlsrc/_data/securities.parquet`` (security type and
    GICS sector) and ``xlsrc/_data/universes.parquet`` (index membership).

Outputs (``tests/fixtures/leadership/``)
    ``industry_groups_2026-01-22.csv``  every ranked industry group on 2026-01-22.
    ``sector_scores.csv``               sector scores (S&P 1500 members, every stock) and
                                        the SPDRs' RS ratings on several dates.
    ``rs_history.csv``                  RS ratings 0/21/63/126/252 sessions before
                                        2026-01-22 and the RS windows used, for a few
                                        tickers and dates.
    ``rotation_2026-01-22.csv``         the figures the day's sentences quote.

Definitions used (independently written here)
    Closes: the closes file, less each ticker's rows before its last one-session step of
    x16.2 or more either way (the bundled snapshot's rule, ``EXTREME``).
    RS score: ``sum(w_i r_i) / sum(w_i)`` over the windows 63/126/189/252 sessions that
    have a close ``i`` rows back (weights 0.4/0.2/0.2/0.2), none without a close 63 rows
    back; closes forward-filled after a ticker's first close.
    RS rating vs the stocks: ``floor((100 (2L + E) + n) / (2 n))`` clipped to 1..99, with
    ``L``/``E`` the stocks scoring below/equal and ``n`` the stocks with a score.
    Group score: mean rating of the group's rated stocks (>= 3 of them); group rating:
    the same percentile among groups; rank: 1 + number of groups scoring higher.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "fixtures" / "leadership"
DAY = pd.Timestamp("2026-01-22")
SECTOR_DAYS = [
    "2025-03-31",
    "2025-06-30",
    "2025-09-30",
    "2025-12-31",
    "2026-01-22",
    "2026-01-23",
    "2026-01-29",
    "2026-03-31",
    "2026-06-30",
]
HISTORY_TICKERS = ["ICHR", "UCTT", "VICR", "FORM", "KLIC", "COHU", "IWM", "SPY", "XLP"]
#: Listed in 2024-2025: a rating on fewer than four RS windows on 2026-01-22.
YOUNG_TICKERS = ["RDDT", "CRWV", "CRCL", "FIG", "KLAR"]
#: Cut by the extreme-step rule (``EXTREME``): rows from 2025-01-29 (PPCB, after 0.01 ->
#: 625), 2025-02-10 (BESS), 2025-04-24 (DFSC), 2025-12-10 (WOK), 2026-07-23 (FFAI, r2000).
CUT_TICKERS = ["PPCB", "BESS", "DFSC", "WOK", "FFAI"]
WINDOW_DAYS = ["2024-04-01", "2024-07-01", "2024-10-01", "2024-12-31", "2025-01-02", "2026-01-22"]
SPDRS = {
    "XLB": "Materials",
    "XLC": "Communication Services",
    "XLE": "Energy",
    "XLF": "Financials",
    "XLI": "Industrials",
    "XLK": "Information Technology",
    "XLP": "Consumer Staples",
    "XLRE": "Real Estate",
    "XLU": "Utilities",
    "XLV": "Health Care",
    "XLY": "Consumer Discretionary",
}


def norm(ticker: str) -> str:
    out = ticker.strip().upper()
    for sep in "._/ ":
        out = out.replace(sep, "-")
    return out


#: The bundled snapshot's extreme-step rule (README, "What is checked on input"): a ticker
#: whose close rises x16.2 or more, or falls to x1/16.2 or less, from one of its rows to
#: the next keeps only its rows from its last such step on. Written here on its own.
EXTREME = 16.2


def load_closes(data: Path) -> pd.DataFrame:
    long = pd.read_csv(
        data / "closes" / "us_closes_2024-01-02_2026-08-03.csv.gz",
        dtype={"ticker": str, "close": float},
        parse_dates=["date"],
    )
    long = long.sort_values(["ticker", "date"])
    step = long["close"] / long.groupby("ticker")["close"].shift()
    extreme = (step >= EXTREME) | (step <= 1 / EXTREME)
    cut = long["date"].where(extreme).groupby(long["ticker"]).transform("max")
    long = long[~(long["date"] < cut)]  # no cut (NaT): every row stays
    wide = long.pivot(index="date", columns="ticker", values="close").sort_index()
    return wide.ffill()


def scores_at(close: pd.DataFrame, day: pd.Timestamp) -> pd.Series:
    p = close.index.get_indexer([day])[0]
    assert p >= 0, day
    now = close.iloc[p]
    num = pd.Series(0.0, index=close.columns)
    den = pd.Series(0.0, index=close.columns)
    for window, weight in ((63, 0.4), (126, 0.2), (189, 0.2), (252, 0.2)):
        if p - window < 0:
            continue
        r = now / close.iloc[p - window] - 1.0
        num += (weight * r).fillna(0.0)
        den += r.notna() * weight
    score = num / den
    if p - 63 < 0:
        return score * np.nan
    return score.where(close.iloc[p - 63].notna() & now.notna())


def windows_at(close: pd.DataFrame, day: pd.Timestamp) -> pd.Series:
    p = close.index.get_indexer([day])[0]
    now = close.iloc[p].notna()
    count = pd.Series(0, index=close.columns)
    for window in (63, 126, 189, 252):
        if p - window >= 0:
            count += (now & close.iloc[p - window].notna()).astype(int)
    if p - 63 < 0:
        return count * 0
    return count.where(now & close.iloc[p - 63].notna(), 0)


def percentile(values: pd.Series, against: pd.Series) -> pd.Series:
    """Mid-rank percentile on 1..99 (half up) of ``values`` among ``against``."""
    ref = np.sort(against.dropna().to_numpy())
    n = len(ref)
    out = pd.Series(np.nan, index=values.index)
    ok = values.notna()
    v = values[ok].to_numpy()
    twice = np.searchsorted(ref, v, "left") + np.searchsorted(ref, v, "right")
    out[ok] = np.clip((100 * twice + n) // (2 * n), 1, 99)
    return out


def ratings_at(close: pd.DataFrame, day: pd.Timestamp, stocks: pd.Index) -> pd.Series:
    s = scores_at(close, day)
    return percentile(s, s.reindex(stocks))


def groups_at(ratings: pd.Series, industry: pd.Series, stocks: pd.Index) -> pd.DataFrame:
    frame = pd.DataFrame({"rating": ratings.reindex(stocks), "industry": industry.reindex(stocks)})
    frame = frame.dropna()
    g = frame.groupby("industry")["rating"].agg(["mean", "size"])
    g = g[g["size"] >= 3]
    g["rank"] = [1 + int((g["mean"] > m).sum()) for m in g["mean"]]
    return g


def wilder_rsi(series: pd.Series, n: int = 14) -> float:
    x = series.dropna().to_numpy()
    d = np.diff(x)
    gain, loss = np.clip(d, 0, None), np.clip(-d, 0, None)
    ag, al = gain[:n].mean(), loss[:n].mean()
    for g, lo in zip(gain[n:], loss[n:], strict=True):
        ag, al = (ag * (n - 1) + g) / n, (al * (n - 1) + lo) / n
    return 100.0 if al == 0 else 100 - 100 / (1 + ag / al)


def etf_volume(data: Path, ticker: str) -> pd.Series:
    """Daily volume of an ETF by date, from the first shared file that has it."""
    ohlcv = data / "ohlcv"
    for path in (
        ohlcv / "adjusted_2015-2026" / f"{ticker}.csv.gz",
        ohlcv / "yahoo_format_2023-2026" / f"{ticker}.csv",
        ohlcv / "unadjusted_2025-2026" / f"{ticker}.csv",
    ):
        if path.exists():
            frame = pd.read_csv(path).rename(columns=str.lower)
            dates = pd.to_datetime(frame["date"].astype(str).str[:10])
            return pd.Series(frame["volume"].to_numpy(dtype=float), index=dates).sort_index()
    panel = pd.read_csv(
        data / "reference" / "rs_daily_panel_2025-10-01_2026-02-27.csv.gz",
        usecols=["date", "ticker", "day_volume"],
        parse_dates=["date"],
    )
    panel = panel[(panel["ticker"] == ticker) & (panel["day_volume"] > 0)]
    panel = panel.sort_values(["date", "day_volume"]).drop_duplicates("date", keep="last")
    return pd.Series(panel["day_volume"].to_numpy(dtype=float), index=panel["date"])


def main(argv: list[str]) -> int:
    data = Path(argv[1]) if len(argv) > 1 else ROOT.parent / "shared" / "data"
    close = load_closes(data)
    sec = pd.read_parquet(ROOT / "xlsrc" / "_data" / "securities.parquet").set_index("ticker")
    uni = pd.read_parquet(ROOT / "xlsrc" / "_data" / "universes.parquet")
    stocks = pd.Index(sec.index[sec["type"] == "stock"]).intersection(close.columns)
    info = json.loads(
        (data / "reference" / "ticker_info_sector_industry_Vinubhai1961.json").read_text()
    )
    industry = pd.Series(
        {
            norm(t): e["info"]["industry"]
            for t, e in info.items()
            if e.get("info", {}).get("type") == "Stock"
            and e["info"].get("industry") not in (None, "", "n/a", "ETF")
        }
    )
    members = {
        name: pd.Index(uni.loc[uni["universe"] == name, "ticker"])
        for name in uni["universe"].unique()
    }
    sp1500 = (
        members["sp500"].union(members["sp400"]).union(members["sp600"]).intersection(close.columns)
    )
    OUT.mkdir(parents=True, exist_ok=True)
    p = close.index.get_loc(DAY)

    # ---- industry groups on DAY, with ranks 21/63/126 sessions earlier
    scores = scores_at(close, DAY)
    ratings = percentile(scores, scores.reindex(stocks))
    table = groups_at(ratings, industry, stocks)
    table["group_rs_rating"] = percentile(table["mean"], table["mean"])
    frame = pd.DataFrame({"rating": ratings.reindex(stocks), "industry": industry.reindex(stocks)})
    frame = frame.dropna()
    frame = frame[frame["industry"].isin(table.index)]
    frame["score"] = scores.reindex(frame.index)
    table["share_rs80"] = (frame["rating"] >= 80).groupby(frame["industry"]).mean()
    best = frame.assign(t=frame.index).sort_values(
        ["rating", "score", "t"], ascending=[False, False, True]
    )
    table["leaders"] = best.groupby("industry")["t"].agg(lambda s: ", ".join(s.iloc[:3]))
    gics = sec["sector"].reindex(frame.index)
    modal = (
        pd.DataFrame({"industry": frame["industry"], "sector": gics})
        .dropna()
        .value_counts()
        .rename("n")
        .reset_index()
        .sort_values(["industry", "n", "sector"], ascending=[True, False, True])
        .drop_duplicates("industry")
        .set_index("industry")["sector"]
    )
    table["sector"] = modal.reindex(table.index).fillna("")
    for label, back in (("1m", 21), ("3m", 63), ("6m", 126)):
        then = groups_at(ratings_at(close, close.index[p - back], stocks), industry, stocks)
        table[f"rank_{label}"] = then["rank"].reindex(table.index)
    table = table.rename(columns={"mean": "group_score", "size": "members"}).reset_index()
    table = table.sort_values(["rank", "industry"])
    table[
        [
            "rank",
            "industry",
            "sector",
            "group_rs_rating",
            "group_score",
            "members",
            "share_rs80",
            "leaders",
            "rank_1m",
            "rank_3m",
            "rank_6m",
        ]
    ].to_csv(OUT / "industry_groups_2026-01-22.csv", index=False, float_format="%.17g")

    # ---- sector scores on several dates
    rows = []
    for text in SECTOR_DAYS:
        day = pd.Timestamp(text)
        r = ratings_at(close, day, stocks)
        for etf, sector in SPDRS.items():
            in_sector = sec.index[sec["sector"] == sector]
            sp = r.reindex(sp1500.intersection(in_sector)).dropna()
            allst = r.reindex(stocks.intersection(in_sector)).dropna()
            rows.append(
                {
                    "date": text,
                    "sector": sector,
                    "etf": etf,
                    "etf_rs_rating": r[etf],
                    "score_sp1500": sp.mean(),
                    "members_sp1500": len(sp),
                    "score_all_stocks": allst.mean(),
                    "members_all_stocks": len(allst),
                }
            )
    pd.DataFrame(rows).to_csv(OUT / "sector_scores.csv", index=False, float_format="%.17g")

    # ---- RS rating history and windows
    rows = []
    for label, back in (("now", 0), ("1m", 21), ("3m", 63), ("6m", 126), ("12m", 252)):
        day = close.index[p - back]
        r = ratings_at(close, day, stocks)
        for t in HISTORY_TICKERS + YOUNG_TICKERS + CUT_TICKERS:
            rows.append(
                {
                    "kind": "rating",
                    "label": label,
                    "date": f"{day:%Y-%m-%d}",
                    "ticker": t,
                    "value": r[t],
                }
            )
    for text in WINDOW_DAYS:
        w = windows_at(close, pd.Timestamp(text))
        for t in HISTORY_TICKERS + YOUNG_TICKERS + CUT_TICKERS:
            rows.append({"kind": "windows", "label": "", "date": text, "ticker": t, "value": w[t]})
    pd.DataFrame(rows).to_csv(OUT / "rs_history.csv", index=False, float_format="%.17g")

    # ---- the figures the 2026-01-22 sentences quote
    base = close.index[close.index < pd.Timestamp("2026-01-01")][-1]
    ytd = close.loc[DAY] / close.loc[base] - 1.0
    facts: list[tuple[str, object]] = [(f"ytd_{t}", ytd[t]) for t in ("IWM", "SPY", "QQQ")]
    b = close.index.get_loc(base)
    soy = close.iloc[b + 5] / close.loc[base] - 1.0
    facts += [
        ("soy_end_date", f"{close.index[b + 5]:%Y-%m-%d}"),
        ("soy_IWM", soy["IWM"]),
        ("soy_QQQ", soy["QQQ"]),
        ("soy_spread", soy["IWM"] - soy["QQQ"]),
    ]
    ratio = (close["IWM"] / close["SPY"]).iloc[: p + 1]
    above = ratio.iloc[-1] >= ratio.iloc[-50:].mean()
    rising = ratio.iloc[-1] / ratio.iloc[-21] - 1.0 > 0
    label = {
        (True, True): "Small caps leading",
        (True, False): "Small caps turning down",
        (False, True): "Small caps turning up",
        (False, False): "Small caps lagging",
    }[(bool(above), bool(rising))]
    facts.append(("pair_signal_IWM_SPY", label))
    for name in ("sp600", "sp500"):
        m = members[name].intersection(close.columns)
        block = close[m].iloc[p - 49 : p + 1]
        counted = block.notna().all()
        share = (block.iloc[-1][counted] > block.mean()[counted]).mean()
        facts.append((f"breadth50_{name}", share))
    for etf in ("XLE", "XLI", "XLB", "XLP"):
        facts.append((f"ytd_{etf}", ytd[etf]))
    sp600 = members["sp600"].intersection(close.columns)
    top = ytd.reindex(sp600).dropna()
    order = sorted(top.index, key=lambda t: (-top[t], t))  # YTD descending, then ticker
    for i, t in enumerate(order[:10]):
        series = close[t].iloc[: p + 1]
        facts += [
            (f"leader{i + 1}", t),
            (f"leader{i + 1}_ytd", top[t]),
            (f"leader{i + 1}_rs", ratings[t]),
            (f"leader{i + 1}_pct_sma20", series.iloc[-1] / series.iloc[-20:].mean() - 1.0),
            (f"leader{i + 1}_rsi14", wilder_rsi(series)),
        ]
    adjusted = data / "ohlcv" / "adjusted_2015-2026"
    for t in ("SPY", "QQQ", "DIA", "IWM", "IJR"):
        facts.append((f"rsi14_{t}", wilder_rsi(close[t].iloc[: p + 1])))
    for t, stem in (("^GSPC", "GSPC"), ("^IXIC", "IXIC")):
        index = pd.read_csv(adjusted / f"{stem}.csv.gz", parse_dates=["date"]).set_index("date")
        index = index["close"].loc[pd.Timestamp("2024-01-02") : DAY]  # the snapshot's span
        facts.append((f"rsi14_{t}", wilder_rsi(index)))
    # ETFs at a 52-week closing high (close = max of the last 252 closes) and, for those,
    # volume / mean of the volumes known in the 50 sessions before (first volume source
    # that has the ETF: ohlcv adjusted, yahoo_format, unadjusted, else the RS panel's
    # day_volume, which misses 2025-12-02 and 2026-01-13)
    for t in ("SPY", "QQQ", "DIA", "IWM", "IJR", *SPDRS):
        series = close[t].iloc[p - 251 : p + 1]
        high = bool(series.iloc[-1] >= series.max())
        facts.append((f"at_52w_high_{t}", high))
        if high:
            vol = etf_volume(data, t)
            before = vol.reindex(close.index[p - 50 : p]).dropna()
            assert len(before) >= 25, t
            facts.append((f"relvol50_{t}", vol[DAY] / before.mean()))
    pd.DataFrame(facts, columns=["key", "value"]).to_csv(
        OUT / "rotation_2026-01-22.csv", index=False
    )
    print(f"wrote {sorted(p.name for p in OUT.iterdir())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
