"""The README's Python session is run as a doctest on the bundled data, so it cannot drift.

Its figures were written from the code's output and checked by hand where the README
says so (ICHR/UCTT ratings, YTD returns from the raw closes); this test only keeps the
README and the code in step.
"""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def python_blocks(text: str) -> list[str]:
    """The ```python blocks of a Markdown text that hold a ``>>>`` session."""
    blocks = re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)
    return [b for b in blocks if ">>> " in b]


def test_the_readme_has_a_python_session():
    assert python_blocks(README.read_text(encoding="utf-8"))


@pytest.mark.parametrize("block", python_blocks(README.read_text(encoding="utf-8")))
def test_the_readme_python_session_gives_what_it_shows(block, tmp_path, monkeypatch):
    monkeypatch.setenv("XLSRC_STORE", str(tmp_path / "store.sqlite"))  # the bundled data only
    monkeypatch.setenv("XLSRC_CACHE_DIR", str(tmp_path / "cache"))
    parser = doctest.DocTestParser()
    test = parser.get_doctest(block, {}, "README.md", str(README), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} README examples differ"


def command_blocks(text: str) -> list[tuple[str, str]]:
    """``(command, output)`` of each fenced block whose first line is ``$ xlsrc ...``."""
    blocks = re.findall(r"^```\n\$ (xlsrc [^\n]*)\n(.*?)^```", text, flags=re.S | re.M)
    return [(command, output) for command, output in blocks]


def test_the_readme_has_a_command_example():
    assert command_blocks(README.read_text(encoding="utf-8"))


@pytest.mark.parametrize("example", command_blocks(README.read_text(encoding="utf-8")))
def test_the_readme_command_examples_print_what_they_show(example, tmp_path, capsys):
    import shlex

    from xlsrc import cli

    command, shown = example
    argv = shlex.split(command)[1:]
    assert cli.main([*argv, "--store", str(tmp_path / "store.sqlite")]) == 0
    assert capsys.readouterr().out == shown
