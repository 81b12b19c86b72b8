"""Shared fixtures for the core tests: small hand-checkable matrices and real closes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "core"


def make_close(data: dict[str, list[float]], start: str = "2024-01-02") -> pd.DataFrame:
    """A close matrix on consecutive business days from ``start``."""
    n = len(next(iter(data.values())))
    index = pd.bdate_range(start, periods=n, name="date")
    return pd.DataFrame({k: np.asarray(v, dtype=float) for k, v in data.items()}, index=index)


@pytest.fixture(scope="session")
def real_close() -> pd.DataFrame:
    """Real adjusted closes (see scripts/extract_core_fixture.py), wide, forward-filled."""
    long = pd.read_csv(FIXTURES / "us_closes_sample.csv", parse_dates=["date"])
    wide = long.pivot(index="date", columns="ticker", values="close").sort_index()
    return wide.ffill()
