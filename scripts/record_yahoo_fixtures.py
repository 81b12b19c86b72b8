"""Build the recorded yfinance responses under tests/fixtures/yahoo from shared real data.

The build machines cannot reach Yahoo, so the "recordings" are assembled from the real
bars in ``../shared/data/ohlcv`` exactly the way yfinance 1.7 assembles a ``yf.download``
result with the settings xlsrc uses (``auto_adjust=False, actions=True, repair=False``;
read from ``yfinance/scrapers/history.py`` ``PriceHistory.history`` and
``yfinance/multi.py`` ``_download_impl``):

- one frame per ticker as ``Ticker.history(auto_adjust=False, actions=True)`` returns it:
  columns ``Open, High, Low, Close, Adj Close, Volume, Dividends, Stock Splits`` and, for
  an ETF or mutual fund (``expect_capital_gains``), ``Capital Gains``; ``Close`` (and
  Open/High/Low) split-adjusted only, ``Adj Close`` split- and dividend-adjusted; int64
  volume (``fillna(0).astype(np.int64)``); the index tz-aware exchange-time midnights
  (``pd.to_datetime(index.date).tz_localize(tz)``) named ``Date``;
- a failed ticker replaced by ``yfinance.utils.empty_df()`` (all NaN, columns ``Open,
  High, Low, Close, Adj Close, Volume``: no action columns);
- the timezone dropped (``ignore_tz`` is the daily default), every frame reindexed to the
  union of dates (``yfinance.multi.reindex_dfs``), concatenated with keys and names
  ``['Ticker', 'Price']``, and for ``group_by="column"`` the levels swapped and sorted.

Where the numbers come from:

- ``Close`` / ``Open`` / ``High`` / ``Low`` / ``Volume`` of the ETFs: the raw Yahoo bars
  of ``ohlcv/yahoo_format_2023-2026`` (split-adjusted, not dividend-adjusted);
- ``Adj Close`` of ``batch``: the closes of ``ohlcv/adjusted_2015-2026`` (adjusted as of
  2026-08-21); of ``batch_old_adjustment``: ``Adj Close`` of ``yahoo_format_2023-2026``
  (as of 2026-07-02). The two differ by 0.1%-0.7%: a real re-adjustment;
- ``Dividends``: reconstructed from the adjustment itself. Yahoo multiplies every price
  before an ex-date by ``1 - D / Close[ex-1]``, so ``D = Close[ex-1] * (1 - f[ex-1] /
  f[ex])`` with ``f = Adj Close / Close`` (SPY 2025-12-19: 1.993; QQQ 0.794, IWM 0.842,
  XLK 0.219, XLE 0.373 in December 2025);
- the stocks of ``splits`` (NFLX, NOW): ``ohlcv/adjusted_2015-2026`` (they pay no
  dividend, so ``Close == Adj Close``), with Yahoo's split record: NFLX 10-for-1 on
  2025-11-17, NOW (ServiceNow) 5-for-1 on 2025-12-18 (the prices themselves show it: three
  decimals before, two after, the tenth and fifth of a raw price).

Usage::

    .venv/bin/python scripts/record_yahoo_fixtures.py [--data ../shared/data]

Fixtures (pickles, so MultiIndex columns, dtypes and index names survive exactly):

- ``batch.pkl``: SPY QQQ IWM XLK XLE, 2025-10-01..2026-02-27, ``group_by="column"``.
- ``batch_old_adjustment.pkl``: the same bars with the 2026-07-02 adjustment.
- ``batch_by_ticker.pkl``: SPY QQQ, 2026-01-02..2026-01-15, ``group_by="ticker"``.
- ``single_multiindex.pkl``: SPY alone, 2026-01-02..2026-01-30 (default
  ``multi_level_index=True``: still a two-level MultiIndex).
- ``single_flat.pkl``: the same with ``multi_level_index=False`` (flat columns).
- ``partial.pkl``: SPY, QQQ and ZZZZ (failed: all NaN), 2026-01-02..2026-01-15.
- ``empty.pkl``: ZZZZ alone failed: no rows, MultiIndex columns of an ``empty_df``.
- ``splits.pkl``: NFLX NOW SPY, 2025-10-01..2026-02-27, as Yahoo serves them once the
  splits are applied (the glitches are made from it in the tests).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
from yfinance.multi import reindex_dfs
from yfinance.utils import empty_df

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "fixtures" / "yahoo"
TICKERS = ["SPY", "QQQ", "IWM", "XLK", "XLE"]
START, END = "2025-10-01", "2026-02-27"
EXCHANGE_TZ = "America/New_York"
#: Yahoo's split records of the stocks in ``splits.pkl``: ticker -> (ex-date, ratio).
SPLITS = {"NFLX": ("2025-11-17", 10.0), "NOW": ("2025-12-18", 5.0)}


def history_frame(
    raw: pd.DataFrame,
    adj_close: pd.Series,
    *,
    splits: dict[str, float] | None = None,
    fund: bool = True,
) -> pd.DataFrame:
    """Shape bars like ``Ticker.history(auto_adjust=False, actions=True)`` (yfinance 1.7).

    Parameters
    ----------
    raw : pandas.DataFrame
        ``Open, High, Low, Close, Volume``, split-adjusted only, indexed by naive dates.
    adj_close : pandas.Series
        Split- and dividend-adjusted closes on the same dates.
    splits : dict, optional
        ``{date: ratio}`` (4.0 for 4-for-1) placed in ``Stock Splits``.
    fund : bool
        An ETF or mutual fund: yfinance adds ``Capital Gains``.
    """
    out = raw[["Open", "High", "Low", "Close"]].astype("float64").copy()
    out["Adj Close"] = adj_close.astype("float64")
    out["Volume"] = raw["Volume"].fillna(0).round().astype(np.int64)
    factor = out["Adj Close"] / out["Close"]
    step = factor.shift(1) / factor
    dividends = (out["Close"].shift(1) * (1.0 - step)).where((step - 1.0).abs() > 1e-6, 0.0)
    out["Dividends"] = dividends.fillna(0.0).round(6)
    out["Stock Splits"] = 0.0
    for day, ratio in (splits or {}).items():
        out.loc[pd.Timestamp(day), "Stock Splits"] = ratio
    if fund:
        out["Capital Gains"] = 0.0
    index = pd.to_datetime(pd.DatetimeIndex(out.index).date).tz_localize(EXCHANGE_TZ)
    out.index = index.rename("Date")
    out.columns.name = None
    return out


def _yahoo_format(data: Path, ticker: str) -> pd.DataFrame:
    return pd.read_csv(
        data / "ohlcv" / "yahoo_format_2023-2026" / f"{ticker}.csv", index_col=0, parse_dates=True
    )


def _adjusted(data: Path, ticker: str) -> pd.DataFrame:
    raw = pd.read_csv(
        data / "ohlcv" / "adjusted_2015-2026" / f"{ticker}.csv.gz", index_col=0, parse_dates=True
    )
    return raw.rename(columns=str.title)


def etf(data: Path, ticker: str, start: str, end: str, *, old: bool = False) -> pd.DataFrame:
    """An ETF's bars: raw OHLCV from yahoo_format, Adj Close of the chosen adjustment."""
    raw = _yahoo_format(data, ticker).loc[start:end]
    adj = raw["Adj Close"] if old else _adjusted(data, ticker)["Close"].loc[start:end]
    if not adj.index.equals(raw.index):
        raise SystemExit(f"{ticker}: the two sources have different dates")
    return history_frame(raw, adj, fund=True)


def stock(data: Path, ticker: str, start: str, end: str) -> pd.DataFrame:
    """A stock without dividends: adjusted_2015-2026 bars, Close == Adj Close, its split."""
    raw = _adjusted(data, ticker).loc[start:end]
    split = {SPLITS[ticker][0]: SPLITS[ticker][1]} if ticker in SPLITS else None
    return history_frame(raw, raw["Close"], splits=split, fund=False)


def assemble(
    dfs: dict[str, pd.DataFrame], group_by: str = "column", multi_level_index: bool = True
) -> pd.DataFrame:
    """Assemble per-ticker frames the way ``yfinance.multi._download_impl`` does."""
    dfs = dict(dfs)
    for df in dfs.values():  # ignore_tz=True for daily bars
        if df is not None and df.shape[0] > 0 and df.index.tz is not None:
            df.index = df.index.tz_localize(None)
    dfs = reindex_dfs(dfs, True)
    data = pd.concat(dfs.values(), axis=1, sort=True, keys=dfs.keys(), names=["Ticker", "Price"])
    if group_by == "column" and isinstance(data.columns, pd.MultiIndex):
        data.columns = data.columns.swaplevel(0, 1)
        data = data.sort_index(level=0, axis=1)
    if not multi_level_index and len(dfs) == 1:
        data = data.droplevel(0 if group_by == "ticker" else 1, axis=1).rename_axis(None, axis=1)
    return data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    data, out = args.data, args.out
    out.mkdir(parents=True, exist_ok=True)

    jan = ("2026-01-02", "2026-01-15")
    frames = {
        "batch": assemble({t: etf(data, t, START, END) for t in TICKERS}),
        "batch_old_adjustment": assemble({t: etf(data, t, START, END, old=True) for t in TICKERS}),
        "batch_by_ticker": assemble(
            {t: etf(data, t, *jan) for t in ("SPY", "QQQ")}, group_by="ticker"
        ),
        "single_multiindex": assemble({"SPY": etf(data, "SPY", "2026-01-02", "2026-01-30")}),
        "single_flat": assemble(
            {"SPY": etf(data, "SPY", "2026-01-02", "2026-01-30")}, multi_level_index=False
        ),
        "partial": assemble(
            {"SPY": etf(data, "SPY", *jan), "QQQ": etf(data, "QQQ", *jan), "ZZZZ": empty_df()}
        ),
        "empty": assemble({"ZZZZ": empty_df()}),
        "splits": assemble(
            {
                "NFLX": stock(data, "NFLX", START, END),
                "NOW": stock(data, "NOW", START, END),
                "SPY": etf(data, "SPY", START, END),
            }
        ),
    }
    for name, frame in frames.items():
        path = out / f"{name}.pkl"
        frame.to_pickle(path)
        print(f"{path.relative_to(ROOT)}: {frame.shape[0]} rows x {frame.shape[1]} columns")


if __name__ == "__main__":
    main()
