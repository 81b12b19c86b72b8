"""Build the recorded yfinance responses under tests/fixtures/yahoo from shared real data.

The build machines cannot reach Yahoo, so the "recordings" are assembled from the real
bars in ``../shared/data/ohlcv`` exactly the way yfinance 1.7 assembles a
``yf.download`` result (``yfinance/multi.py``, ``_download_impl``): one frame per ticker
as ``Ticker.history(auto_adjust=True, actions=False)`` returns it (columns
``Open, High, Low, Close, Volume``, int64 volume, tz-aware exchange-time index named
``Date``), a failed ticker replaced by ``yfinance.utils.empty_df()`` (all NaN, with an
``Adj Close`` column), the timezone dropped (``ignore_tz`` is the daily default), every
frame reindexed to the union of dates (``yfinance.multi.reindex_dfs``), concatenated with
keys and names ``['Ticker', 'Price']``, and for ``group_by="column"`` the levels swapped
and sorted.

Usage::

    .venv/bin/python scripts/record_yahoo_fixtures.py [--data ../shared/data]

Fixtures (pickles, so MultiIndex columns, dtypes and index names survive exactly):

- ``batch.pkl``: SPY QQQ IWM XLK XLE, 2025-10-01..2026-02-27, ``group_by="column"``,
  OHLC adjusted as of 2026-08-21 (``ohlcv/adjusted_2015-2026``).
- ``batch_old_adjustment.pkl``: the same bars adjusted as of 2026-07-02
  (``ohlcv/yahoo_format_2023-2026``, auto-adjusted with yfinance's rule
  ``ratio = Adj Close / Close``): a real dividend re-adjustment of 0.1%-0.7% against
  ``batch.pkl``, used to test that changed history is replaced.
- ``batch_by_ticker.pkl``: SPY QQQ, 2026-01-02..2026-01-15, ``group_by="ticker"``.
- ``single_multiindex.pkl``: SPY alone, 2026-01-02..2026-01-30 (default
  ``multi_level_index=True``: still a two-level MultiIndex).
- ``single_flat.pkl``: the same with ``multi_level_index=False`` (flat columns).
- ``partial.pkl``: SPY, QQQ and ZZZZ (failed: all NaN), 2026-01-02..2026-01-15.
- ``empty.pkl``: ZZZZ alone failed: no rows, MultiIndex columns of an ``empty_df``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
from yfinance.multi import reindex_dfs
from yfinance.utils import empty_df

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "tests" / "fixtures" / "yahoo"
TICKERS = ["SPY", "QQQ", "IWM", "XLK", "XLE"]
START, END = "2025-10-01", "2026-02-27"
EXCHANGE_TZ = "America/New_York"


def _history_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Shape bars like ``Ticker.history(auto_adjust=True, actions=False)``."""
    out = frame[["Open", "High", "Low", "Close", "Volume"]].copy()
    out["Volume"] = out["Volume"].round().astype("int64")
    out.index = pd.DatetimeIndex(out.index).tz_localize(EXCHANGE_TZ)
    out.index.name = "Date"
    out.columns.name = None
    return out


def adjusted(data: Path, ticker: str, start: str, end: str) -> pd.DataFrame:
    """Bars from ``ohlcv/adjusted_2015-2026`` (already auto-adjusted)."""
    raw = pd.read_csv(
        data / "ohlcv" / "adjusted_2015-2026" / f"{ticker}.csv.gz", index_col=0, parse_dates=True
    )
    raw = raw.rename(columns=str.title).loc[start:end]
    return _history_frame(raw)


def yahoo_format(data: Path, ticker: str, start: str, end: str) -> pd.DataFrame:
    """Bars from ``ohlcv/yahoo_format_2023-2026`` with yfinance's auto-adjust rule applied."""
    raw = pd.read_csv(
        data / "ohlcv" / "yahoo_format_2023-2026" / f"{ticker}.csv", index_col=0, parse_dates=True
    )
    raw = raw.loc[start:end]
    ratio = raw["Adj Close"] / raw["Close"]
    out = pd.DataFrame(
        {
            "Open": raw["Open"] * ratio,
            "High": raw["High"] * ratio,
            "Low": raw["Low"] * ratio,
            "Close": raw["Adj Close"],
            "Volume": raw["Volume"],
        },
        index=raw.index,
    )
    return _history_frame(out)


def assemble(
    dfs: dict[str, pd.DataFrame], group_by: str = "column", multi_level_index: bool = True
) -> pd.DataFrame:
    """Assemble per-ticker frames the way ``yfinance.multi._download_impl`` does."""
    dfs = dict(dfs)
    for df in dfs.values():  # ignore_tz=True for daily bars
        if df is not None and df.shape[0] > 0:
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

    frames = {
        "batch": assemble({t: adjusted(data, t, START, END) for t in TICKERS}),
        "batch_old_adjustment": assemble({t: yahoo_format(data, t, START, END) for t in TICKERS}),
        "batch_by_ticker": assemble(
            {t: adjusted(data, t, "2026-01-02", "2026-01-15") for t in ("SPY", "QQQ")},
            group_by="ticker",
        ),
        "single_multiindex": assemble({"SPY": adjusted(data, "SPY", "2026-01-02", "2026-01-30")}),
        "single_flat": assemble(
            {"SPY": adjusted(data, "SPY", "2026-01-02", "2026-01-30")}, multi_level_index=False
        ),
        "partial": assemble(
            {
                "SPY": adjusted(data, "SPY", "2026-01-02", "2026-01-15"),
                "QQQ": adjusted(data, "QQQ", "2026-01-02", "2026-01-15"),
                "ZZZZ": empty_df(),
            }
        ),
        "empty": assemble({"ZZZZ": empty_df()}),
    }
    for name, frame in frames.items():
        path = out / f"{name}.pkl"
        frame.to_pickle(path)
        print(f"{path.relative_to(ROOT)}: {frame.shape[0]} rows x {frame.shape[1]} columns")


if __name__ == "__main__":
    main()
