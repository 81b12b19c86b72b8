"""The ``xlsrc`` entry point (``xlsrc.__main__.run``): Ctrl-C while starting, and after the end.

The timing of a real Ctrl-C is measured by ``benchmarks/bench_first_run.py`` (no timing
lives in a unit test); here each path is driven directly: an interruption that a library
turned into an ``ImportError`` (numpy's C code swallows the ``KeyboardInterrupt`` and
pandas reports "Unable to import required dependency numpy"), a real ``ImportError``, and a
finished command's exit (Ctrl-C ignored from then on, the collector frozen).
"""

from __future__ import annotations

import gc
import signal
import sys
import types

import pytest

import xlsrc.__main__ as entry


@pytest.fixture
def fake_cli(monkeypatch):
    """Replace ``xlsrc.cli`` by a module whose ``main`` the test sets; restore SIGINT after."""
    module = types.ModuleType("xlsrc.cli")
    monkeypatch.setitem(sys.modules, "xlsrc.cli", module)
    monkeypatch.setattr(entry, "_SIGNALLED", [])
    before = signal.getsignal(signal.SIGINT)
    yield module
    signal.signal(signal.SIGINT, before)
    gc.unfreeze()


def test_an_import_error_after_a_ctrl_c_is_the_interruption(fake_cli, capsys):
    def main():
        entry._SIGNALLED.append(signal.SIGINT)  # what the handler notes on a Ctrl-C
        raise ImportError("Unable to import required dependency numpy.")

    fake_cli.main = main
    assert entry.run() == 130
    assert capsys.readouterr().err == "xlsrc: interrupted while starting; nothing was written\n"


def test_an_import_error_caused_by_a_ctrl_c_is_the_interruption(fake_cli, capsys):
    def main():
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as exc:
            raise ImportError("initialisation failed") from exc

    fake_cli.main = main
    assert entry.run() == 130
    assert capsys.readouterr().err.startswith("xlsrc: interrupted while starting")


def test_a_real_import_error_is_not_hidden(fake_cli):
    def main():
        raise ImportError("No module named 'openpyxl'")

    fake_cli.main = main
    with pytest.raises(ImportError, match="openpyxl"):
        entry.run()


def test_a_finished_command_ignores_ctrl_c_and_keeps_its_status(fake_cli):
    fake_cli.main = lambda: 3
    assert entry.run() == 3
    assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    assert gc.get_freeze_count() > 0


def test_the_handler_raises_keyboard_interrupt_like_pythons(fake_cli):
    signal.signal(signal.SIGINT, signal.default_int_handler)
    entry._note_interrupts()
    handler = signal.getsignal(signal.SIGINT)
    assert handler is not signal.default_int_handler
    with pytest.raises(KeyboardInterrupt):
        handler(signal.SIGINT, None)
    assert entry._SIGNALLED == [signal.SIGINT]
