"""Test support: a fake yfinance transport replaying recorded frames, and a tiny store.

The fake assembles its answers with the recorder's ``assemble`` (which follows
``yfinance.multi._download_impl``), so what refresh sees is shaped like ``yf.download``.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from yfinance.utils import empty_df

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "yahoo"
TICKERS = ["IWM", "QQQ", "SPY", "XLE", "XLK"]

_spec = importlib.util.spec_from_file_location(
    "record_yahoo_fixtures", ROOT / "scripts" / "record_yahoo_fixtures.py"
)
assert _spec and _spec.loader
recorder = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(recorder)


def recorded(name: str) -> pd.DataFrame:
    return pd.read_pickle(FIXTURES / f"{name}.pkl")


def expected_long(
    frame: pd.DataFrame,
    tickers: list[str],
    start: str | None = None,
    end: str | None = None,
    *,
    split_close: bool = True,
) -> pd.DataFrame:
    """Long bars read straight from a recorded (Price, Ticker) frame, independent of to_long.

    yfinance's ``utils.auto_adjust`` rule, written out: close = Adj Close, open/high/low
    times Adj Close / Close, split_close = Close (NaN with ``split_close=False``: what a
    snapshot-seeded store holds). Rows without a close are not bars.
    """
    rows = []
    for t in tickers:
        raw = {f: frame[(f, t)].astype("float64") for f in ("Open", "High", "Low", "Close")}
        adj = frame[("Adj Close", t)].astype("float64")
        factor = adj / raw["Close"]
        sub = pd.DataFrame(
            {
                "open": raw["Open"] * factor,
                "high": raw["High"] * factor,
                "low": raw["Low"] * factor,
                "close": adj,
                "volume": frame[("Volume", t)].astype("float64"),
                "split_close": raw["Close"] if split_close else np.nan,
            }
        )
        sub = sub[sub["close"].notna() & (sub["close"] != 0)]
        if start is not None:
            sub = sub[sub.index >= pd.Timestamp(start)]
        if end is not None:
            sub = sub[sub.index <= pd.Timestamp(end)]
        sub.insert(0, "date", pd.DatetimeIndex(sub.index).astype("datetime64[ns]"))
        sub.insert(0, "ticker", t)
        rows.append(sub.reset_index(drop=True))
    out = pd.concat(rows, ignore_index=True).sort_values(["ticker", "date"]).reset_index(drop=True)
    return out.astype({c: "float64" for c in ("open", "high", "low", "close", "volume")})


def ticker_frame(frame: pd.DataFrame, ticker: str) -> pd.DataFrame:
    """One ticker's rows of a recorded (Price, Ticker) frame, as ``Ticker.history`` gave them.

    The reindexing filler (all-NaN rows) is dropped; the volume is int64 again and a row
    that yfinance's ``keepna=False`` drops (every field NaN or zero) is dropped.
    """
    sub = frame.xs(ticker, axis=1, level=1).dropna(how="all")
    sub = sub.copy()
    sub["Volume"] = sub["Volume"].fillna(0).astype("int64")
    data = [c for c in sub.columns if c != "Repaired?"]
    empty = (sub[data].isna() | (sub[data] == 0)).all(axis=1)
    sub = sub[~empty]
    sub.index = pd.DatetimeIndex(sub.index).tz_localize("America/New_York")
    sub.index.name = "Date"
    sub.columns.name = None
    return sub


class FakeDownloader:
    """Replay a recorded ``group_by="column"`` frame; inject faults call by call.

    Each answer is built the way yfinance builds one: every requested ticker's rows in
    ``[start, end)`` as ``Ticker.history(auto_adjust=False, actions=True)`` returns them
    (:func:`ticker_frame`), an unknown or empty ticker as ``utils.empty_df()``, assembled
    by the recorder's ``assemble`` (``yfinance.multi._download_impl``).

    ``faults`` is a list consumed one entry per call: ``None`` (answer normally), an
    exception instance (raised), or a callable ``(tickers, start, end) -> frame``.
    """

    def __init__(self, frame: pd.DataFrame, faults: list[Any] | None = None) -> None:
        self.frame = frame
        self.faults = list(faults or [])
        self.calls: list[tuple[list[str], pd.Timestamp | None, pd.Timestamp | None]] = []

    def answer(
        self, tickers: list[str], start: pd.Timestamp | None, end: pd.Timestamp | None
    ) -> pd.DataFrame:
        known = set(self.frame.columns.get_level_values(1))
        dfs: dict[str, pd.DataFrame] = {}
        for t in tickers:
            if t not in known:
                dfs[t.upper()] = empty_df()
                continue
            sub = ticker_frame(self.frame, t)
            if start is not None:
                sub = sub[sub.index.tz_localize(None) >= start]
            if end is not None:
                sub = sub[sub.index.tz_localize(None) < end]
            dfs[t.upper()] = sub if not sub.empty else empty_df()
        return recorder.assemble(dfs)

    def __call__(self, tickers: Any, start: Any, end: Any) -> pd.DataFrame:
        tickers = list(tickers)
        self.calls.append((tickers, start, end))
        fault = self.faults.pop(0) if self.faults else None
        if isinstance(fault, BaseException):
            raise fault
        if callable(fault):
            return fault(tickers, start, end)
        return self.answer(tickers, start, end)


class SleepRecorder:
    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def write_snapshot(
    directory: Path, bars: pd.DataFrame, universes: dict[str, list[str]] | None = None
) -> Path:
    """Write a tiny snapshot directory the Store can seed from."""
    directory.mkdir(parents=True, exist_ok=True)
    bars = bars.copy()
    bars["source"] = "snapshot"
    bars[["ticker", "date", "open", "high", "low", "close", "volume", "source"]].to_parquet(
        directory / "bars.parquet"
    )
    tickers = sorted(bars["ticker"].unique())
    pd.DataFrame(
        {
            "ticker": tickers,
            "name": [f"{t} fund" for t in tickers],
            "sector": [None] * len(tickers),
            "industry": [None] * len(tickers),
            "type": ["etf"] * len(tickers),
        }
    ).to_parquet(directory / "securities.parquet")
    unis = universes or {"sectors": ["XLE", "XLK"]}
    pd.DataFrame(
        [(u, t) for u, ts in unis.items() for t in ts], columns=["universe", "ticker"]
    ).to_parquet(directory / "universes.parquet")
    (directory / "provenance.json").write_text(
        json.dumps({"snapshot_version": "test"}), encoding="utf-8"
    )
    return directory


def make_store(
    tmp_path: Path, frame: pd.DataFrame, through: str, tickers: list[str] | None = None
) -> Any:
    """A store over a snapshot of the recorded bars up to ``through`` (inclusive).

    The bundled snapshot holds no split-only closes, so neither does this one.
    """
    from xlsrc.data import open_store

    names = tickers or sorted(set(frame.columns.get_level_values(1)))
    bars = expected_long(frame, names, end=through, split_close=False)
    snap = write_snapshot(tmp_path / "snap", bars)
    return open_store(tmp_path / "store.sqlite", snapshot=snap)


COLUMNS = ["ticker", "date", "open", "high", "low", "close", "volume", "split_close"]


def stored(store: Any) -> pd.DataFrame:
    bars = store.read_bars()
    bars["date"] = bars["date"].astype("datetime64[ns]")
    return bars[COLUMNS].reset_index(drop=True)


Fault = Callable[[list[str], Any, Any], pd.DataFrame]
