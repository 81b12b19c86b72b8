"""Build the bundled snapshot (``xlsrc/_data/``) from the shared real market data.

Usage::

    .venv/bin/python scripts/build_snapshot.py [SHARED_DATA_DIR] [--out DIR]

``SHARED_DATA_DIR`` defaults to ``../shared/data`` relative to the repository. The output
is deterministic: the same inputs give the same bytes.

What it writes (see ``xlsrc/data/snapshot.py`` for the reader):

- ``bars.parquet`` — long format sorted by (ticker, date): ticker (dictionary), date
  (date32), open, high, low, close (float64), volume (int64, null when unknown), source
  (dictionary: which shared files the row came from).
- ``securities.parquet`` — ticker, name, sector (GICS), industry, type (stock, etf, index, or
  other: warrants, rights, units, preferreds, notes, funds, unclassified), type_basis
  (which rule of ``TYPE_RULE`` decided the type).
- ``universes.parquet`` — universe, ticker.
- ``provenance.json`` — source files, origin repositories and commits, date ranges, row
  counts, dropped members, calendar checks, and the statement that membership lists are
  not point-in-time.

Rules:

- Closes always come from ``closes/us_closes_*.csv.gz`` where it has the ticker (one
  adjustment basis for the whole market). Indices (``^GSPC``, ``^IXIC``, ``^VIX``) come
  from ``ohlcv/adjusted_2015-2026``.
- Open/high/low come from the best OHLC source for that ticker and date (adjusted
  2015-2026 > yahoo_format 2023-2026 > unadjusted 2025-2026) and are rescaled by
  ``close / source_close`` of the same day, so they share the close's adjustment basis
  (the sources were adjusted on other dates or not for dividends).
- Volume comes from the same OHLC source; where none has it, from ``day_volume`` of the
  RS daily panel (an early intraday reading a few percent below the final figure,
  recorded under its own source name).
- Everything is cut to 2024-01-02 .. 2026-08-03; dates that are not market days (not in
  SPY's calendar or on a weekend) are dropped and listed in the provenance.
- Extreme steps (``EXTREME_RULE``): a ticker whose closes make a one-session step of
  x16.2 or more either way (``xlsrc.data.validate.EXTREME_STEP``, the gate's own
  threshold) keeps only its bars from its last such step on, every field of them; the
  steps and the bars dropped are listed in the provenance (``stats.extreme_steps``).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import re
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from xlsrc.data.universes import normalise_ticker  # noqa: E402
from xlsrc.data.validate import EXTREME_STEP  # noqa: E402
from xlsrc.sectors import SECTOR_ETFS, YAHOO_TO_GICS, ishares_sector  # noqa: E402

START = "2024-01-02"
END = "2026-08-03"
SNAPSHOT_VERSION = 1
INDEX_FILES = {"GSPC": "^GSPC", "IXIC": "^IXIC", "VIX": "^VIX"}

#: Row sources (the ``source`` column of bars.parquet). Names are stable: the store keys on them.
SOURCES: dict[str, dict[str, str]] = {
    "snapshot:closes": {
        "description": "Adjusted close from closes/us_closes_2024-01-02_2026-08-03.csv.gz "
        "(dsturdy/Factor_Attribution @712ab00, yfinance Adj Close as of 2026-08-03); no OHLC/volume.",
        "fetched_at": "2026-08-03T00:00:00Z",
    },
    "snapshot:closes+ohlcv_adjusted": {
        "description": "Close from the closes file; open/high/low/volume from "
        "ohlcv/adjusted_2015-2026 (guydekowski/market-lab @6a10f1b, auto_adjust=True), "
        "O/H/L rescaled by close/source close.",
        "fetched_at": "2026-08-21T00:00:00Z",
    },
    "snapshot:ohlcv_adjusted": {
        "description": "Open/high/low/close/volume from ohlcv/adjusted_2015-2026 "
        "(guydekowski/market-lab @6a10f1b); indices not in the closes file.",
        "fetched_at": "2026-08-21T00:00:00Z",
    },
    "snapshot:closes+yahoo_format": {
        "description": "Close from the closes file; open/high/low/volume from "
        "ohlcv/yahoo_format_2023-2026 (landon-io/stocks-ai-agent @cddea30, raw OHLC), "
        "O/H/L rescaled by close/source close.",
        "fetched_at": "2026-07-02T00:00:00Z",
    },
    "snapshot:closes+unadjusted": {
        "description": "Close from the closes file; open/high/low/volume from "
        "ohlcv/unadjusted_2025-2026 (RajeshMPatel/sector_money_flow @97a4469, split- not "
        "dividend-adjusted), O/H/L rescaled by close/source close.",
        "fetched_at": "2026-02-18T00:00:00Z",
    },
    "snapshot:closes+panel_day_volume": {
        "description": "Close from the closes file; volume = day_volume of "
        "reference/rs_daily_panel_2025-10-01_2026-02-27.csv.gz (Vinubhai1961/RS-Rating "
        "@dd74bbf9): an early intraday reading, a few percent below the final figure.",
        "fetched_at": "2026-02-27T00:00:00Z",
    },
}

#: Names of key ETFs (none of the shared files names ETFs).
ETF_NAMES: dict[str, str] = {
    "SPY": "SPDR S&P 500 ETF Trust",
    "QQQ": "Invesco QQQ Trust (Nasdaq-100)",
    "DIA": "SPDR Dow Jones Industrial Average ETF Trust",
    "IWM": "iShares Russell 2000 ETF",
    "IJR": "iShares Core S&P Small-Cap ETF",
    "IJH": "iShares Core S&P Mid-Cap ETF",
    "IVV": "iShares Core S&P 500 ETF",
    "VOO": "Vanguard S&P 500 ETF",
    "VTI": "Vanguard Total Stock Market ETF",
    "MDY": "SPDR S&P MidCap 400 ETF Trust",
    "RSP": "Invesco S&P 500 Equal Weight ETF",
    "SMH": "VanEck Semiconductor ETF",
    "KRE": "SPDR S&P Regional Banking ETF",
    "IBB": "iShares Biotechnology ETF",
    "ITA": "iShares U.S. Aerospace & Defense ETF",
    "IYT": "iShares U.S. Transportation ETF",
    "XHB": "SPDR S&P Homebuilders ETF",
    "XRT": "SPDR S&P Retail ETF",
    "GLD": "SPDR Gold Shares",
    "SLV": "iShares Silver Trust",
    "TLT": "iShares 20+ Year Treasury Bond ETF",
    "HYG": "iShares iBoxx $ High Yield Corporate Bond ETF",
    "SSO": "ProShares Ultra S&P500",
    "XLB": "Materials Select Sector SPDR Fund",
    "XLC": "Communication Services Select Sector SPDR Fund",
    "XLE": "Energy Select Sector SPDR Fund",
    "XLF": "Financial Select Sector SPDR Fund",
    "XLI": "Industrial Select Sector SPDR Fund",
    "XLK": "Technology Select Sector SPDR Fund",
    "XLP": "Consumer Staples Select Sector SPDR Fund",
    "XLRE": "Real Estate Select Sector SPDR Fund",
    "XLU": "Utilities Select Sector SPDR Fund",
    "XLV": "Health Care Select Sector SPDR Fund",
    "XLY": "Consumer Discretionary Select Sector SPDR Fund",
}
INDEX_NAMES = {
    "^GSPC": "S&P 500 Index",
    "^IXIC": "Nasdaq Composite Index",
    "^VIX": "CBOE Volatility Index",
    "^IRX": "13-Week Treasury Bill Yield",
    "^TNX": "10-Year Treasury Note Yield",
}

UNIVERSE_FILES = {
    "sp500": "IVV_holdings_2026-06-19.csv",
    "sp400": "IJH_holdings_2026-06-19.csv",
    "sp600": "IJR_holdings_2026-06-19.csv",
    "r2000": "IWM_holdings_approx_2025Q4_noheader.csv",
}
UNIVERSE_DESCRIPTIONS = {
    "sp500": "S&P 500: iShares IVV holdings as of 2026-06-19 (equity rows)",
    "sp400": "S&P MidCap 400: iShares IJH holdings as of 2026-06-19 (equity rows)",
    "sp600": "S&P SmallCap 600: iShares IJR holdings as of 2026-06-19 (equity rows)",
    "r2000": "Russell 2000: iShares IWM holdings, approximate list around 2025Q4 (equity rows)",
    "sectors": "The 11 Select Sector SPDR ETFs (xlsrc.sectors.SECTOR_ETFS)",
}
HOLDINGS_NAME_FILES = [
    "IVV_holdings_2026-06-19.csv",
    "IJH_holdings_2026-06-19.csv",
    "IJR_holdings_2026-06-19.csv",
    "IWM_holdings_2026-05-05.csv",
    "IWM_holdings_approx_2025Q4_noheader.csv",
    "IWM_holdings_2025-05-13.csv",
]
SP500_GICS = "sp500_constituents_gics_datasets_2026-08-08.csv"
YAHOO_INFO = "reference/ticker_info_sector_industry_Vinubhai1961.json"

#: Where ``securities.industry`` comes from (recorded in provenance.json as ``industry``).
INDUSTRY_SOURCE: dict[str, object] = {
    "classification": "Yahoo Finance industry (assetProfile.industry; Yahoo's "
    "Morningstar-based classification, about 145 industries in 11 Yahoo sectors)",
    "file": YAHOO_INFO,
    "origin": "Vinubhai1961/RS-Rating data/ticker_info.json, written by its "
    "scripts/build_ticker_info.py through yahooquery; the shared file is byte-identical "
    "to that file at commit dd74bbf9, whose last change is commit 955d5a03 of "
    "2026-08-21 21:00 UTC (workflow run #112)",
    "as_of": "2026-08-21",
    "rule": "industry = the entry's info.industry for entries whose info.type is 'Stock' "
    "('n/a' and 'ETF' are no industry); tickers the file lacks have none. No other "
    "classification fills gaps (builds before this rule gave 5 S&P 500 members their GICS "
    "sub-industry, a second taxonomy).",
    "point_in_time": "No: the classification as of August 2026 is applied to every date "
    "(the reference tool's industry table of 2026-01-29 puts 298 of the 4,353 stocks "
    "it shares with this file in another industry or none).",
}
CLOSES = "closes/us_closes_2024-01-02_2026-08-03.csv.gz"
PANEL = "reference/rs_daily_panel_2025-10-01_2026-02-27.csv.gz"

PARQUET_OPTS = {
    "compression": "zstd",
    "compression_level": 9,
    "use_dictionary": ["ticker", "source", "universe", "sector", "industry", "type", "type_basis"],
    "write_statistics": False,
    "row_group_size": 1 << 20,
}


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_closes(data: Path) -> pd.DataFrame:
    """Read the long closes file: date (str), ticker (normalised), close."""
    table = pacsv.read_csv(
        data / CLOSES,
        convert_options=pacsv.ConvertOptions(
            column_types={"date": pa.string(), "ticker": pa.string(), "close": pa.float64()}
        ),
    )
    frame = table.to_pandas()
    frame["ticker"] = frame["ticker"].map(
        {t: normalise_ticker(t) for t in frame["ticker"].unique()}
    )
    return frame


def read_ohlcv_adjusted(data: Path) -> dict[str, pd.DataFrame]:
    """Read ohlcv/adjusted_2015-2026: ticker -> frame(date, open, high, low, close, volume)."""
    out = {}
    for path in sorted((data / "ohlcv" / "adjusted_2015-2026").glob("*.csv.gz")):
        stem = path.name.removesuffix(".csv.gz")
        if stem.endswith("_USD"):  # crypto: not a US security
            continue
        ticker = INDEX_FILES.get(stem) or normalise_ticker(stem)
        frame = pd.read_csv(path, dtype={"date": str})
        out[ticker] = frame[["date", "open", "high", "low", "close", "volume"]]
    return out


def read_yahoo_format(data: Path) -> dict[str, pd.DataFrame]:
    """Read yahoo_format_2023-2026: raw OHLC and volume; close = raw Close."""
    out = {}
    for path in sorted((data / "ohlcv" / "yahoo_format_2023-2026").glob("*.csv")):
        frame = pd.read_csv(path, dtype={"Date": str})
        frame = frame.rename(columns=str.lower)
        frame["date"] = frame["date"].str[:10]
        out[normalise_ticker(path.stem)] = frame[["date", "open", "high", "low", "close", "volume"]]
    return out


def read_unadjusted(data: Path) -> dict[str, pd.DataFrame]:
    """Read unadjusted_2025-2026: split- but not dividend-adjusted OHLCV."""
    out = {}
    for path in sorted((data / "ohlcv" / "unadjusted_2025-2026").glob("*.csv")):
        frame = pd.read_csv(path, dtype={"date": str})
        frame["date"] = frame["date"].str[:10]
        out[normalise_ticker(path.stem)] = frame[["date", "open", "high", "low", "close", "volume"]]
    return out


def read_panel_volume(data: Path) -> pd.DataFrame:
    """Read day_volume from the RS daily panel: date, ticker, volume."""
    table = pacsv.read_csv(
        data / PANEL,
        convert_options=pacsv.ConvertOptions(
            include_columns=["date", "ticker", "day_volume"],
            column_types={"date": pa.string(), "ticker": pa.string(), "day_volume": pa.float64()},
        ),
    )
    frame = table.to_pandas().rename(columns={"day_volume": "volume"})
    frame = frame.dropna(subset=["ticker", "volume"])
    frame["ticker"] = frame["ticker"].map(
        {t: normalise_ticker(t) for t in frame["ticker"].unique()}
    )
    frame = frame[frame["volume"] > 0]
    # a ticker may appear twice on one date at origin: keep the larger (later) reading
    frame = frame.sort_values(["ticker", "date", "volume"]).drop_duplicates(
        ["ticker", "date"], keep="last"
    )
    return frame


def read_holdings(path: Path) -> pd.DataFrame:
    """Read an iShares holdings export (with or without its 9-line header block).

    Returns ticker (as written), name, sector, equity (bool) for each holding row.
    """
    text = path.read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.lstrip("\ufeff").startswith("Ticker,"))
    rows = []
    reader = csv.DictReader(io.StringIO("\n".join(lines[start:])))
    for row in reader:
        ticker = (row.get("Ticker") or "").strip()
        name = (row.get("Name") or "").strip()
        if not ticker or ticker == "-" or row.get("Sector") is None or not name:
            continue  # trailer lines (disclaimers)
        kind = (row.get("Type") or row.get("Asset Class") or "").strip().upper()
        rows.append(
            {
                "ticker": ticker,
                "name": name,
                "sector": row["Sector"].strip(),
                "equity": kind == "EQUITY",
            }
        )
    return pd.DataFrame(rows)


def ishares_ticker(raw: str, known: set[str]) -> str | None:
    """Map an iShares ticker to a known (priced) ticker, or None.

    iShares writes share classes without a separator (``BRKB``, ``BFB``, ``MOGA``); when the
    plain spelling has no prices but the dash form does, the dash form is used.
    """
    try:
        ticker = normalise_ticker(raw)
    except ValueError:
        return None
    if ticker in known:
        return ticker
    if len(ticker) > 2 and ticker[-1] in "ABCKV" and f"{ticker[:-1]}-{ticker[-1]}" in known:
        return f"{ticker[:-1]}-{ticker[-1]}"
    return None


def title_name(name: str) -> str:
    """Turn an iShares upper-case name into title case (``FORMFACTOR INC`` -> ``Formfactor Inc``)."""
    return name.title() if name.isupper() else name


def build_bars(data: Path, calendar: pd.Index, closes: pd.DataFrame, stats: dict) -> pd.DataFrame:
    """Assemble the long bars frame (ticker, date, open, high, low, close, volume, source)."""
    closes = closes[closes["date"].isin(calendar)]
    close_tickers = set(closes["ticker"].unique())
    bars = closes.assign(
        open=np.nan, high=np.nan, low=np.nan, volume=np.nan, source="snapshot:closes"
    )
    bars = bars.set_index(["ticker", "date"]).sort_index()

    ohlc_sources = [
        ("snapshot:closes+ohlcv_adjusted", read_ohlcv_adjusted(data)),
        ("snapshot:closes+yahoo_format", read_yahoo_format(data)),
        ("snapshot:closes+unadjusted", read_unadjusted(data)),
    ]
    extra_rows = []
    stats["ohlc"] = {}
    for source, frames in ohlc_sources:
        filled = 0
        for ticker, frame in frames.items():
            frame = frame[frame["date"].isin(calendar)].dropna(subset=["close"])
            if ticker not in close_tickers:
                if source == "snapshot:closes+ohlcv_adjusted" and ticker.startswith("^"):
                    extra_rows.append(frame.assign(ticker=ticker, source="snapshot:ohlcv_adjusted"))
                continue
            frame = frame.set_index(
                pd.MultiIndex.from_arrays(
                    [np.full(len(frame), ticker, dtype=object), frame["date"]],
                    names=["ticker", "date"],
                )
            )
            frame = frame[frame.index.isin(bars.index)]
            current = bars.loc[frame.index]
            todo = current["open"].isna() & current["volume"].isna()
            frame = frame[todo.to_numpy()]
            if frame.empty:
                continue
            factor = bars.loc[frame.index, "close"].to_numpy() / frame["close"].to_numpy()
            update = pd.DataFrame(
                {
                    "open": frame["open"].to_numpy() * factor,
                    "high": frame["high"].to_numpy() * factor,
                    "low": frame["low"].to_numpy() * factor,
                    "volume": frame["volume"].to_numpy(dtype=float),
                    "source": source,
                },
                index=frame.index,
            )
            bars.loc[update.index, ["open", "high", "low", "volume", "source"]] = update
            filled += len(frame)
        stats["ohlc"][source] = filled
    # indices that the closes file lacks
    if extra_rows:
        extra = pd.concat(extra_rows).set_index(["ticker", "date"])
        bars = pd.concat([bars, extra[bars.columns]]).sort_index()

    panel = read_panel_volume(data)
    panel = panel[panel["date"].isin(calendar)].set_index(["ticker", "date"])
    panel = panel[panel.index.isin(bars.index)]
    current = bars.loc[panel.index]
    need = current["volume"].isna().to_numpy()
    panel = panel[need]
    bars.loc[panel.index, "volume"] = panel["volume"].to_numpy()
    bars.loc[panel.index, "source"] = "snapshot:closes+panel_day_volume"
    stats["panel_volume_rows"] = len(panel)

    bars = bars.reset_index().sort_values(["ticker", "date"], kind="stable").reset_index(drop=True)
    return bars[["ticker", "date", "open", "high", "low", "close", "volume", "source"]]


EXTREME_RULE = (
    f"A close-to-close step of x{EXTREME_STEP:g} or more, or x1/{EXTREME_STEP:g} or less, "
    "between two consecutive bars of a ticker (the validation gate's extreme step, "
    "xlsrc.data.validate.EXTREME_STEP) is taken as a change of scale: the bars before it "
    "are on another, unadjusted basis (a reverse split or unit change the closes file did "
    "not adjust, or a bad print), so no return may span it. Such a ticker keeps only its "
    "bars from its last such step on (every field of them); its earlier bars are dropped. "
    "Smaller steps the gate flags (within 8% of x2..x15) are kept as they are."
)


def drop_before_extreme_steps(bars: pd.DataFrame, stats: dict) -> pd.DataFrame:
    """Drop each ticker's bars before its last extreme close-to-close step (``EXTREME_RULE``).

    Parameters
    ----------
    bars : pd.DataFrame
        Long bars sorted by (ticker, date), as :func:`build_bars` returns them.
    stats : dict
        Receives ``extreme_steps``: the rule, the threshold, counts, and per ticker its
        steps (day, previous day, closes, ratio), first kept day and bars dropped.

    Returns
    -------
    pd.DataFrame
        ``bars`` without the dropped rows (same columns, order and dtypes; index reset).
    """
    ticker = bars["ticker"].to_numpy()
    close = bars["close"].to_numpy(dtype=np.float64)
    ratio = close[1:] / close[:-1]
    same = ticker[1:] == ticker[:-1]
    extreme = same & ((ratio >= EXTREME_STEP) | (ratio <= 1.0 / EXTREME_STEP))
    steps = np.flatnonzero(extreme) + 1  # row of the later bar of each step
    keep = np.ones(len(bars), dtype=bool)
    first_row = pd.Series(np.arange(len(bars))).groupby(ticker, sort=False).min()
    per_ticker: dict[str, dict] = {}
    dates = bars["date"].to_numpy()
    for row in steps:  # ascending: a ticker's last step overwrites its cut
        t = str(ticker[row])
        entry = per_ticker.setdefault(t, {"ticker": t, "steps": []})
        entry["steps"].append(
            {
                "day": str(dates[row])[:10],
                "previous_day": str(dates[row - 1])[:10],
                "previous_close": float(close[row - 1]),
                "close": float(close[row]),
                "ratio": float(f"{ratio[row - 1]:.6g}"),
            }
        )
        start = int(first_row[t])
        keep[start:row] = False
        entry["kept_from"] = str(dates[row])[:10]
        entry["bars_dropped"] = int(row - start)
    last_row = pd.Series(np.arange(len(bars))).groupby(ticker, sort=False).max()
    for t, entry in per_ticker.items():
        entry["bars_kept"] = int(last_row[t]) - int(first_row[t]) + 1 - entry["bars_dropped"]
    listed = [per_ticker[t] for t in sorted(per_ticker)]
    stats["extreme_steps"] = {
        "rule": EXTREME_RULE,
        "threshold": EXTREME_STEP,
        "steps": len(steps),
        "tickers": len(listed),
        "bars_dropped": int((~keep).sum()),
        "by_ticker": listed,
    }
    return bars[keep].reset_index(drop=True)


def check_calendar(data: Path, closes: pd.DataFrame, stats: dict) -> pd.Index:
    """Return the trading calendar; record dates dropped as non-market days."""
    spy = pd.read_csv(data / "ohlcv" / "adjusted_2015-2026" / "SPY.csv.gz", dtype={"date": str})
    spy_dates = set(spy["date"].str[:10])
    counts = closes["date"].value_counts().sort_index()
    counts = counts[(counts.index >= START) & (counts.index <= END)]
    weekday = pd.to_datetime(counts.index).day_of_week < 5
    keep = [d for d, wk in zip(counts.index, weekday, strict=True) if wk and d in spy_dates]
    dropped = sorted(set(counts.index) - set(keep))
    missing = sorted(d for d in spy_dates if START <= d <= END and d not in set(counts.index))
    stats["calendar"] = {
        "dates": len(keep),
        "first": keep[0],
        "last": keep[-1],
        "dropped_non_market_dates": {d: int(counts[d]) for d in dropped},
        "spy_dates_missing_from_closes": missing,
        "min_tickers_on_a_date": int(counts.loc[keep].min()),
    }
    return pd.Index(keep)


#: Securities that are none of stock/etf/index: warrants, rights, units, preferreds, notes,
#: mutual funds, and tickers no source classifies. Rated against the stocks without joining them.
OTHER_TYPE = "other"

#: Peer tool's daily snapshots (reference/rs_stocks_*.csv): Sector "ETF" or a Yahoo sector.
PEER_STOCK_FILES = (
    "reference/rs_stocks_12312025.csv",
    "reference/rs_stocks_01152026.csv",
    "reference/rs_stocks_01292026.csv",
    "reference/rs_stocks_02272026.csv",
)

#: Symbol conventions for securities that are not common stock (Nasdaq fifth-letter codes
#: on five-letter symbols; Yahoo's dash suffixes on NYSE-style symbols). Checked in order.
SUFFIX_RULES: tuple[tuple[str, str, str], ...] = (
    (r"[A-Z]+-(W|WS|WT)", "warrant", "dash suffix -W/-WS/-WT (Yahoo: warrants)"),
    (r"[A-Z]+-(R|RT)", "right", "dash suffix -R/-RT (Yahoo: rights)"),
    (r"[A-Z]+-(U|UN)", "unit", "dash suffix -U/-UN (Yahoo: units)"),
    (r"[A-Z]+-P[A-Z]?", "preferred", "dash suffix -P/-P<series> (Yahoo: preferred shares)"),
    (r"[A-Z]{4}(WS|WT)", "warrant", "six-letter symbol ending WS/WT (warrants)"),
    (r"[A-Z]{4}RT", "right", "six-letter symbol ending RT (rights)"),
    (r"[A-Z]{4}W", "warrant", "Nasdaq fifth letter W (warrants)"),
    (r"[A-Z]{4}R", "right", "Nasdaq fifth letter R (rights)"),
    (r"[A-Z]{4}U", "unit", "Nasdaq fifth letter U (units)"),
    (r"[A-Z]{4}[PONM]", "preferred", "Nasdaq fifth letter P/O/N/M (1st-4th preferred)"),
    (r"[A-Z]{4}X", "mutual_fund", "Nasdaq fifth letter X (mutual funds)"),
)
#: Nasdaq fifth letters L and Z ("miscellaneous": notes, baby bonds, further preferreds)
#: count only when the four-letter base symbol is itself priced (OXLCL, TMUSZ, RILYL); the
#: legacy exception GOOGL is an S&P 500 member, and members are stocks before this rule.
SUFFIX_RULE_MISC = (
    r"[A-Z]{4}[LZ]",
    "note_or_misc",
    "Nasdaq fifth letter L/Z with a priced 4-letter base",
)
#: Share-class suffixes of common stock (BRK-A, LEN-B, MKC-V; LBRDA, LBRDK).
SHARE_CLASS = re.compile(r"(?P<base>[A-Z]+)-[A-Z]|(?P<base5>[A-Z]{4})[ABCK]")

TYPE_RULE = [
    "Evidence, strongest first (the first that applies decides):",
    "1. '^' prefix -> index.",
    "2. Equity member of a universe file (sp500/sp400/sp600/r2000 iShares holdings) -> stock.",
    "3. Named in the ETF_NAMES table or one of the ohlcv ETF files -> etf.",
    "4. Symbol convention for non-common securities (SUFFIX_RULES: Nasdaq fifth letters "
    "W/R/U = warrant/right/unit, P/O/N/M = preferred, X = mutual fund, L/Z with a priced "
    "4-letter base = note/misc; Yahoo dash suffixes -W/-WS/-WT, -R/-RT, -U/-UN, -P*) -> other. "
    "This overrides Yahoo's 'Stock' (Yahoo types warrants, rights, units and preferreds as "
    "equity) and iShares equity rows outside the universe files (IWM 2025-05 held CLSKW).",
    "5. S&P 500 GICS list or an equity row of another iShares holdings file -> stock.",
    "6. reference ticker_info JSON type: 'Stock' -> stock, 'ETF' -> etf.",
    "7. Peer tool's rs_stocks_*.csv (same origin): Sector 'ETF' -> etf, any other sector -> stock.",
    "8. Share class (X-A, X-B, ...; or a 5-letter symbol ending A/B/C/K) of a base X or a "
    "sibling class typed stock by 2-7 -> stock.",
    "9. Otherwise -> other (no evidence).",
    "'other' is rated against the stock universe without joining it, like ETFs; the store "
    "schema v1 holds it as a null type. securities.parquet column type_basis names the rule "
    "that decided each ticker.",
]


def suffix_class(ticker: str, known: set[str]) -> tuple[str, str] | None:
    """Return (class, rule) when a symbol convention marks ``ticker`` as not common stock."""
    for pattern, klass, rule in SUFFIX_RULES:
        if re.fullmatch(pattern, ticker):
            return klass, rule
    pattern, klass, rule = SUFFIX_RULE_MISC
    if re.fullmatch(pattern, ticker) and ticker[:4] in known:
        return klass, rule
    return None


def read_peer_sectors(data: Path) -> dict[str, str]:
    """Ticker -> Sector in the peer tool's rs_stocks files (later files win)."""
    out: dict[str, str] = {}
    for rel in PEER_STOCK_FILES:
        frame = pd.read_csv(data / rel, usecols=["Ticker", "Sector"], dtype=str)
        for raw, sector_name in zip(frame["Ticker"], frame["Sector"], strict=True):
            if not isinstance(raw, str) or not isinstance(sector_name, str):
                continue
            try:
                out[normalise_ticker(raw)] = sector_name.strip()
            except ValueError:
                continue
    return out


def build_securities(
    data: Path, tickers: list[str], etf_like: set[str], members: set[str], stats: dict
) -> pd.DataFrame:
    """Name, GICS sector, industry, type and type_basis for every priced ticker.

    The type follows ``TYPE_RULE`` (evidence first, then symbol conventions, else other).
    """
    known = set(tickers)
    name: dict[str, str] = {}
    sector: dict[str, str] = {}
    industry: dict[str, str] = {}
    yahoo_type: dict[str, str] = {}
    listed_equity: set[str] = set()  # S&P 500 GICS list or iShares equity rows

    info = json.loads((data / YAHOO_INFO).read_text())
    for raw, entry in sorted(info.items()):
        ticker = normalise_ticker(raw)
        if ticker not in known:
            continue
        item = entry.get("info", {})
        typ = (item.get("type") or "").upper()
        if typ == "ETF":
            yahoo_type[ticker] = "etf"
        elif typ == "STOCK":
            yahoo_type[ticker] = "stock"
            if item.get("sector") in YAHOO_TO_GICS:
                sector[ticker] = YAHOO_TO_GICS[item["sector"]]
            if item.get("industry") and item["industry"] not in ("n/a", "ETF"):
                industry[ticker] = item["industry"]

    # iShares holdings: names (and GICS sectors) of equity rows; earlier files take precedence
    for fname in reversed(HOLDINGS_NAME_FILES):
        frame = read_holdings(data / "constituents" / fname)
        for row in frame[frame["equity"]].itertuples():
            ticker = ishares_ticker(row.ticker, known)
            if ticker is None:
                continue
            name[ticker] = title_name(row.name)
            gics = ishares_sector(row.sector)  # "Communication" -> "Communication Services"
            if gics is not None:
                sector[ticker] = gics
            listed_equity.add(ticker)

    sp = pd.read_csv(data / "constituents" / SP500_GICS, dtype=str)
    for row in sp.itertuples():
        ticker = normalise_ticker(row.Symbol)
        if ticker not in known:
            continue
        name[ticker] = row.Security
        sector[ticker] = row._3  # GICS Sector
        # No GICS Sub-Industry fallback: ``industry`` holds one classification (Yahoo's),
        # the one industry groups are ranked on (see INDUSTRY_SOURCE).
        listed_equity.add(ticker)

    for ticker, etf_name in ETF_NAMES.items():
        if ticker in known:
            name[ticker] = etf_name
    for ticker, gics in SECTOR_ETFS.items():
        sector[ticker] = gics
    for ticker, idx_name in INDEX_NAMES.items():
        name[ticker] = idx_name
    peer = read_peer_sectors(data)

    kind: dict[str, str | None] = {}
    basis: dict[str, str] = {}
    for ticker in tickers:
        suffix = suffix_class(ticker, known)
        if ticker.startswith("^"):
            kind[ticker], basis[ticker] = "index", "index symbol"
            sector.pop(ticker, None)
        elif ticker in members:
            kind[ticker], basis[ticker] = "stock", "universe member (iShares equity row)"
        elif ticker in ETF_NAMES or ticker in etf_like:
            kind[ticker], basis[ticker] = "etf", "ETF names table / ohlcv ETF file"
        elif suffix is not None:
            kind[ticker], basis[ticker] = OTHER_TYPE, f"suffix:{suffix[0]}"
        elif ticker in listed_equity:
            kind[ticker], basis[ticker] = "stock", "S&P 500 GICS list / iShares equity row"
        elif ticker in yahoo_type:
            kind[ticker], basis[ticker] = yahoo_type[ticker], "ticker_info type"
        elif ticker in peer:
            is_etf = peer[ticker].upper() == "ETF"
            kind[ticker] = "etf" if is_etf else "stock"
            basis[ticker] = "peer rs_stocks sector"
    for ticker in tickers:
        if ticker in basis:
            continue
        match = SHARE_CLASS.fullmatch(ticker)
        if match:
            base = match.group("base") or match.group("base5")
            family = [base, *(f"{base}-{c}" for c in "ABCKV"), *(base + c for c in "ABCK")]
            family = [t for t in family if t != ticker]
            if any(basis.get(t) and kind.get(t) == "stock" for t in family):
                kind[ticker], basis[ticker] = "stock", "share class of a stock"
                continue
        kind[ticker], basis[ticker] = OTHER_TYPE, "no evidence"

    label = [kind[t] for t in tickers]
    stats["securities"] = {
        "tickers": len(tickers),
        "with_name": sum(t in name for t in tickers),
        "with_sector": sum(t in sector for t in tickers),
        "with_industry": sum(t in industry for t in tickers),
        "stocks_with_industry": sum(t in industry and kind[t] == "stock" for t in tickers),
        "industries": len({industry[t] for t in tickers if t in industry}),
        "type_counts": {k: int(v) for k, v in pd.Series(label).value_counts().sort_index().items()},
        "type_counts_note": (
            "Before this rule (snapshot of commit 6e1f6c6) the counts were etf 4928, "
            "index 5, stock 7536, of which 672 stocks had no evidence at all."
        ),
        "type_rule": TYPE_RULE,
        "type_basis_counts": {f"{label[i]} <- {basis[t]}": 0 for i, t in enumerate(tickers)},
    }
    counts = stats["securities"]["type_basis_counts"]
    for i, t in enumerate(tickers):
        counts[f"{label[i]} <- {basis[t]}"] += 1
    stats["securities"]["type_basis_counts"] = dict(sorted(counts.items()))
    return pd.DataFrame(
        {
            "ticker": tickers,
            "name": [name.get(t) for t in tickers],
            "sector": [sector.get(t) for t in tickers],
            "industry": [industry.get(t) for t in tickers],
            "type": [kind[t] for t in tickers],
            "type_basis": [basis[t] for t in tickers],
        }
    )


def build_universes(data: Path, known: set[str], stats: dict) -> pd.DataFrame:
    """Universe membership restricted to priced tickers."""
    rows = []
    stats["universes"] = {}
    for uni, fname in UNIVERSE_FILES.items():
        frame = read_holdings(data / "constituents" / fname)
        equity = frame[frame["equity"]]
        members, dropped = [], []
        for raw in equity["ticker"]:
            ticker = ishares_ticker(raw, known)
            (members if ticker else dropped).append(ticker or raw)
        members = sorted(set(members))
        rows += [(uni, t) for t in members]
        stats["universes"][uni] = {
            "file": f"constituents/{fname}",
            "description": UNIVERSE_DESCRIPTIONS[uni],
            "equity_rows": len(equity),
            "members": len(members),
            "dropped_without_prices": len(dropped),
            "dropped_examples": sorted(dropped)[:20],
        }
    sectors = sorted(t for t in SECTOR_ETFS if t in known)
    rows += [("sectors", t) for t in sectors]
    stats["universes"]["sectors"] = {
        "file": None,
        "description": UNIVERSE_DESCRIPTIONS["sectors"],
        "members": len(sectors),
        "dropped_without_prices": len(SECTOR_ETFS) - len(sectors),
    }
    return pd.DataFrame(rows, columns=["universe", "ticker"])


def write_parquet(frame: pd.DataFrame, path: Path, schema: pa.Schema) -> None:
    """Write a frame as deterministic zstd Parquet."""
    table = pa.Table.from_pandas(
        frame, schema=schema, preserve_index=False
    ).replace_schema_metadata(None)
    pq.write_table(table, path, **PARQUET_OPTS)


def main(argv: list[str] | None = None) -> int:
    """Build the snapshot; print a summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", default=str(REPO.parent / "shared" / "data"))
    parser.add_argument("--out", default=str(REPO / "xlsrc" / "_data"))
    args = parser.parse_args(argv)
    data, out = Path(args.data), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    stats: dict = {}

    closes = read_closes(data)
    closes = closes[(closes["date"] >= START) & (closes["date"] <= END)]
    calendar = check_calendar(data, closes, stats)
    bars = build_bars(data, calendar, closes, stats)
    bars = drop_before_extreme_steps(bars, stats)

    # verify the close column against the source, independently of the build
    merged = bars.merge(closes, on=["ticker", "date"], how="inner", suffixes=("", "_src"))
    assert (merged["close"].to_numpy() == merged["close_src"].to_numpy()).all()
    ohlc_ok = bars.dropna(subset=["open", "high", "low"])
    tol = 1e-6 * ohlc_ok["close"]
    bad = (ohlc_ok["high"] + tol < ohlc_ok[["open", "close", "low"]].max(axis=1)) | (
        ohlc_ok["low"] - tol > ohlc_ok[["open", "close", "high"]].min(axis=1)
    )
    stats["ohlc_rows_with_high_low_inconsistent"] = int(bad.sum())

    tickers = sorted(bars["ticker"].unique())
    etf_like = set()
    for sub in ("yahoo_format_2023-2026", "unadjusted_2025-2026"):
        etf_like |= {
            normalise_ticker(p.name.split(".")[0]) for p in (data / "ohlcv" / sub).iterdir()
        }
    etf_like &= set(tickers)
    universes = build_universes(data, set(tickers), stats)
    members = set(universes.loc[universes["universe"] != "sectors", "ticker"])
    securities = build_securities(data, tickers, etf_like, members, stats)
    kind = dict(zip(securities["ticker"], securities["type"], strict=True))
    extreme = stats["extreme_steps"]
    for entry in extreme["by_ticker"]:
        entry["type"] = kind[entry["ticker"]]
        entry["universes"] = sorted(
            universes.loc[universes["ticker"] == entry["ticker"], "universe"]
        )
    types = pd.Series([e["type"] for e in extreme["by_ticker"]], dtype=object)
    extreme["tickers_by_type"] = {
        str(k): int(v) for k, v in types.fillna("none").value_counts().sort_index().items()
    }

    bars_schema = pa.schema(
        [
            ("ticker", pa.dictionary(pa.int16(), pa.string())),
            ("date", pa.date32()),
            ("open", pa.float64()),
            ("high", pa.float64()),
            ("low", pa.float64()),
            ("close", pa.float64()),
            ("volume", pa.int64()),
            ("source", pa.dictionary(pa.int8(), pa.string())),
        ]
    )
    bars_out = bars.assign(
        date=pd.to_datetime(bars["date"]).dt.date,
        volume=bars["volume"].round().astype("Int64"),
    )
    write_parquet(bars_out, out / "bars.parquet", bars_schema)
    sec_schema = pa.schema(
        [
            ("ticker", pa.string()),
            ("name", pa.string()),
            ("sector", pa.string()),
            ("industry", pa.string()),
            ("type", pa.string()),
            ("type_basis", pa.string()),
        ]
    )
    write_parquet(securities, out / "securities.parquet", sec_schema)
    write_parquet(
        universes,
        out / "universes.parquet",
        pa.schema([("universe", pa.string()), ("ticker", pa.string())]),
    )

    per_source = bars["source"].value_counts().sort_index()
    with_volume = bars["volume"].notna()
    provenance = {
        "snapshot_version": SNAPSHOT_VERSION,
        "built_by": "scripts/build_snapshot.py",
        "date_range": [START, END],
        "statement": (
            "Membership lists are NOT point-in-time: sp500/sp400/sp600 are iShares holdings "
            "of 2026-06-19 and r2000 an approximate list around 2025Q4, applied to every date. "
            "Prices are survivorship-biased (only symbols still listed around August 2026)."
        ),
        "rules": [
            "Closes from the closes file where it has the ticker; indices from ohlcv/adjusted_2015-2026.",
            "Open/high/low rescaled by close/source close of the same day (one adjustment basis).",
            "OHLC source priority: adjusted_2015-2026 > yahoo_format_2023-2026 > unadjusted_2025-2026.",
            "Volume from the OHLC source; else day_volume of the RS daily panel (early reading).",
            "Dates not in SPY's calendar or on weekends are dropped.",
            "Security type from evidence, then symbol conventions, else other (null): "
            "stats.securities.type_rule; per-ticker basis in securities.parquet type_basis.",
            f"Extreme steps: {EXTREME_RULE} The steps and bars dropped: stats.extreme_steps.",
        ],
        "sources": SOURCES,
        "industry": INDUSTRY_SOURCE,
        "origin_repositories": {
            "closes": "dsturdy/Factor_Attribution @712ab00",
            "ohlcv/adjusted_2015-2026": "guydekowski/market-lab @6a10f1b",
            "ohlcv/unadjusted_2025-2026": "RajeshMPatel/sector_money_flow @97a4469",
            "ohlcv/yahoo_format_2023-2026": "landon-io/stocks-ai-agent @cddea30",
            "constituents/I*_holdings_*.csv": "iShares holdings exports (BlackRock)",
            "constituents/sp500_constituents_gics_datasets_*.csv": "datasets/s-and-p-500-companies (ODC PDDL)",
            "reference/*": "Vinubhai1961/RS-Rating @dd74bbf9",
        },
        "input_files": {
            rel: sha256(data / rel)
            for rel in [CLOSES, PANEL, YAHOO_INFO, *PEER_STOCK_FILES, f"constituents/{SP500_GICS}"]
            + [f"constituents/{f}" for f in HOLDINGS_NAME_FILES]
        },
        "rows": {
            "bars": len(bars),
            "tickers": len(tickers),
            "bars_by_source": {k: int(v) for k, v in per_source.items()},
            "bars_with_ohlc": int(bars["open"].notna().sum()),
            "bars_with_volume": int(with_volume.sum()),
            "tickers_with_any_volume": int(bars.loc[with_volume, "ticker"].nunique()),
            "securities": len(securities),
            "universe_members": len(universes),
        },
        "stats": stats,
        "files": {},
    }
    for fname in ("bars.parquet", "securities.parquet", "universes.parquet"):
        path = out / fname
        provenance["files"][fname] = {"bytes": path.stat().st_size, "sha256": sha256(path)}
    (out / "provenance.json").write_text(
        json.dumps(provenance, indent=2, sort_keys=True, default=str) + "\n"
    )

    total = sum(p.stat().st_size for p in out.iterdir() if p.is_file())
    print(f"snapshot written to {out} in {time.perf_counter() - t0:.1f} s, {total / 1e6:.1f} MB")
    print(
        f"  bars: {len(bars):,} rows, {len(tickers):,} tickers, {stats['calendar']['dates']} dates "
        f"{stats['calendar']['first']}..{stats['calendar']['last']}"
    )
    print(f"  dropped non-market dates: {stats['calendar']['dropped_non_market_dates']}")
    print(
        f"  extreme steps (x{EXTREME_STEP:g} either way): {extreme['steps']} in "
        f"{extreme['tickers']} tickers {extreme['tickers_by_type']}; "
        f"{extreme['bars_dropped']:,} earlier bars dropped"
    )
    print(
        f"  OHLC rows: {provenance['rows']['bars_with_ohlc']:,}; volume rows: "
        f"{int(with_volume.sum()):,} ({provenance['rows']['tickers_with_any_volume']:,} tickers)"
    )
    for k, v in per_source.items():
        print(f"    {k}: {v:,}")
    print(f"  securities: {stats['securities']}")
    for uni, s in stats["universes"].items():
        print(
            f"  universe {uni}: {s['members']} members, {s['dropped_without_prices']} dropped without prices"
        )
    for fname, f in provenance["files"].items():
        print(f"  {fname}: {f['bytes'] / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
