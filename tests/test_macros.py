"""The button macros' logic, run on Linux against an openpyxl workbook (no Excel)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace

import pytest

import xlsrc.excel.macros as m
from xlsrc.dashboard.layout import DASHBOARD
from xlsrc.dashboard.render import render_dashboard
from xlsrc.data.refresh_summary import RefreshSummary
from xlsrc.errors import DataSourceError
from xlsrc.excel.workbook import template_settings
from xlsrc.report import OpenpyxlWriter

NOW = dt.datetime(2026, 1, 23, 18, 5)


def clock() -> dt.datetime:
    return NOW


@pytest.fixture
def book(tmp_path) -> m.OpenpyxlBook:
    """The live workbook's sheets (formula mode), rendered by the report's writer."""
    writer = OpenpyxlWriter()
    render_dashboard(writer, None, replace(DASHBOARD, meta=template_settings()))
    return m.OpenpyxlBook(writer.wb, tmp_path / "xlsrc-dashboard.xlsm")


def FakeStore():
    """A real in-memory store holding three securities and the sp600 universe."""
    import pandas as pd

    from xlsrc.data import open_store

    store = open_store("memory:", snapshot=False)
    store.upsert_securities(
        pd.DataFrame({"ticker": ["AAA", "BBB", "SPY"], "type": ["stock", "stock", "etf"]})
    )
    store.set_universe("sp600", ["ICHR", "UCTT"], source="test")
    return store


def snapshot(book: m.OpenpyxlBook) -> dict:
    status = DASHBOARD.names[-1].cell
    return {
        (ws.title, c.coordinate): (c.value, c.number_format)
        for ws in book.wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if not (ws.title == "Settings" and c.coordinate == status)
    }


def test_refresh_downloads_the_workbook_tickers_and_reports(book):
    calls = []

    def fake_refresh(store, tickers, progress=None):
        calls.append(list(tickers))
        progress(50, 100, "batch 1")
        return RefreshSummary(
            requested=list(tickers),
            updated=["SPY", "ICHR"],
            rows_added=2,
            failures={"UCTT": "no data (possibly delisted)"},
            last_date=__import__("pandas").Timestamp("2026-01-23"),
        )

    summary = m.refresh_data_in(book, FakeStore(), fake_refresh, clock)
    assert summary.updated == ["SPY", "ICHR"]
    tickers = calls[0]
    for t in ("IWM", "SPY", "QQQ", "VICR", "XLK", "ICHR", "UCTT", "^GSPC"):
        assert t in tickers
    assert len(tickers) == len(set(tickers))
    status = book.get("Status")
    assert status.startswith("2026-01-23 18:05 Refresh: 2 of ")
    assert "UCTT (no data (possibly delisted))" in status
    assert "\n" not in status  # the summary's sentences on one line in the Status cell
    assert book.recalculations == ["full"]  # no input changed: only a full recalc updates UDFs
    assert any(s and "50/100" in s for s in book.status_messages)
    assert book.status_messages[-1] is None  # status bar handed back to Excel


def test_failed_refresh_leaves_the_sheets_alone(book):
    before = snapshot(book)

    def failing(store, tickers, progress=None):
        raise DataSourceError("Cannot reach Yahoo Finance; data stored up to 2026-01-22")

    assert m.refresh_data_in(book, FakeStore(), failing, clock) is None
    assert snapshot(book) == before
    assert book.recalculations == []
    assert book.get("Status").startswith("2026-01-23 18:05 Refresh failed: Cannot reach Yahoo")
    assert "not changed" in book.get("Status")


def test_refresh_with_an_unknown_universe_says_so(book):
    book.set("Universe", "nasdaq9000")
    store = FakeStore()

    def unused(*a, **k):
        raise AssertionError("must not download")

    assert m.refresh_data_in(book, store, unused, clock) is None
    assert "Refresh failed" in book.get("Status")


def test_rebuild_puts_formulas_back_and_keeps_the_inputs(book):
    leaders = DASHBOARD.table("leaders")
    book.wb["Leaders"][leaders.anchor].value = "typed over"
    book.set("Universe", "sp500")
    book.set("TopN", 40)
    rows = m.rebuild_dashboard_in(book, clock=clock)
    assert rows["leaders"] == leaders.max_rows
    assert book.wb["Leaders"][leaders.anchor].value == "=" + leaders.formula
    assert book.get("Universe") == "sp500" and book.get("TopN") == 40
    assert book.get("Status") == "2026-01-23 18:05 Dashboard rebuilt from the xlsrc layout."
    assert book.recalculations == ["full"]


def test_export_report_writes_beside_the_workbook_with_the_settings(book):
    seen = {}

    def fake_report(market, out, **kwargs):
        seen.update(kwargs, out=out)
        return "summary"

    book.set("TopN", 30.0)  # Excel hands numbers over as floats
    assert m.export_report_in(book, report_fn=fake_report, clock=clock) == "summary"
    assert seen["out"] == book.path.with_name("xlsrc-dashboard-report.xlsx")
    assert seen["top"] == 30 and isinstance(seen["top"], int)
    assert seen["universe"] == "sp600" and seen["benchmark"] == "SPY"
    assert seen["as_of"] is None
    assert seen["watchlist"].startswith("IWM")
    assert book.get("Status") == f"2026-01-23 18:05 Exported the report to {seen['out']}"


def test_export_report_failure_and_unsaved_workbook(book):
    def broken(market, out, **kwargs):
        raise OSError("disk full")

    assert m.export_report_in(book, report_fn=broken, clock=clock) is None
    assert book.get("Status") == "2026-01-23 18:05 Export report failed: disk full"
    unsaved = m.OpenpyxlBook(book.wb, None)
    assert m.export_report_in(unsaved, report_fn=broken, clock=clock) is None
    assert "save the workbook first" in unsaved.get("Status")


class _FakeExcel:
    """Excel's ``Application`` COM object (``xw.App.api``): records the methods called."""

    def __init__(self, calls: list[str]) -> None:
        self.calls = calls

    def Calculate(self) -> None:
        self.calls.append("Application.Calculate")

    def CalculateFull(self) -> None:
        self.calls.append("Application.CalculateFull")


class _FakeApp:
    """``xw.App``: ``calculate()`` is xlwings' ``Application.Calculate`` (dirty cells only)."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.api = _FakeExcel(self.calls)

    def calculate(self) -> None:
        self.calls.append("Application.Calculate")


def test_live_workbook_recalculates_in_full():
    """After a refresh no input changed: only CalculateFull makes the UDFs read new data."""
    app = _FakeApp()
    m.XlwingsBook(SimpleNamespace(app=app)).recalculate()
    assert app.calls == ["Application.CalculateFull"]


class _FakeConditions:
    def __init__(self) -> None:
        self.added: list[dict] = []

    def Add(self, **kwargs) -> SimpleNamespace:
        self.added.append(kwargs)
        return SimpleNamespace(Interior=SimpleNamespace(), Font=SimpleNamespace())


def test_live_highlights_are_formula_rules_relative_to_the_active_cell():
    """The Rebuild button adds the layout's guarded formula (not a cell-value rule)."""
    conditions = _FakeConditions()
    converted = []

    def convert(**kwargs):  # Application.ConvertFormula: R1C1 -> A1 relative to ActiveCell
        converted.append(kwargs)
        return kwargs["Formula"].replace("RC", "B2")

    app = SimpleNamespace(api=SimpleNamespace(ActiveCell="B2", ConvertFormula=convert))
    rng = SimpleNamespace(api=SimpleNamespace(FormatConditions=conditions))
    writer = m.XlwingsWriter(SimpleNamespace(app=app))
    writer.sheet = SimpleNamespace(range=lambda address: rng)
    rule = DASHBOARD.table("leaders").highlights[2]  # RSI 70-80
    writer.highlight(m.Ref("Leaders", 5, 11, 29, 11), rule)
    assert converted[0]["Formula"] == "=" + rule.formula("RC")
    assert converted[0]["FromReferenceStyle"] == -4150 and converted[0]["ToReferenceStyle"] == 1
    assert conditions.added == [{"Type": 2, "Formula1": "=AND(ISNUMBER(B2),B2>=70,B2<=80)"}]


def test_entry_points_are_one_line_wrappers():
    import inspect

    for name in ("refresh_data", "rebuild_dashboard", "export_report"):
        body = inspect.getsource(getattr(m, name)).strip().splitlines()
        assert body[-1].strip() == f"{name}_in(_caller())"
    assert isinstance(Path(m.__file__), Path)
