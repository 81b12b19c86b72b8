"""The 255-character rule for what Excel formulas return (``xlsrc.dashboard.cells``).

Expected strings are written out by hand.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd

from xlsrc.dashboard.cells import (
    ELLIPSIS,
    TextList,
    fit_text,
    formula_result,
    formula_value,
    status_text,
    status_value,
)


def test_short_text_is_unchanged():
    assert fit_text("Unknown ticker: XYZQ") == "Unknown ticker: XYZQ"
    assert fit_text("x" * 255) == "x" * 255
    assert type(fit_text(TextList(["a", "b"]))) is str


def test_long_text_is_cut_with_an_ellipsis():
    assert fit_text("abcdefghij", limit=6) == "abcde" + ELLIPSIS
    assert fit_text("x" * 300) == "x" * 254 + ELLIPSIS
    assert fit_text("abc    defghij", limit=8) == "abc" + ELLIPSIS  # no trailing blanks


def test_a_list_keeps_whole_names_and_says_how_many_more():
    text = "alpha, bravo, charlie, delta, echo, foxtrot"  # 43 characters
    # " … and N more" is 13 characters: "alpha, bravo" (12) + 13 = 25,
    # "alpha, bravo, charlie" (21) + 13 = 34, "alpha, bravo, charlie, delta" (28) + 13 = 41
    assert fit_text(text, limit=30) == f"alpha, bravo {ELLIPSIS} and 4 more"
    assert fit_text(text, limit=34) == f"alpha, bravo, charlie {ELLIPSIS} and 3 more"
    assert fit_text(text, limit=40) == f"alpha, bravo, charlie {ELLIPSIS} and 3 more"


def test_a_list_in_a_closing_parenthesis():
    text = "Unknown universe: zz (known: alpha, bravo, charlie, delta, echo)"
    # half the limit (30) is less than the parenthesis: the list inside is summarised
    assert fit_text(text, limit=60) == (
        f"Unknown universe: zz (known: alpha, bravo {ELLIPSIS} and 3 more)"
    )


def test_a_short_closing_note_is_kept_whole():
    text = "Invalid ticker: [['A', 'B'], ['C', 'D'], ['E', 'F']] (allowed: a single cell)"
    # the note (24) and a blank leave 25: 24 characters of the start and the ellipsis
    assert fit_text(text, limit=50) == (
        f"Invalid ticker: [['A', '{ELLIPSIS} (allowed: a single cell)"
    )


def test_a_python_value_is_not_summarised_as_a_list():
    text = "['AAAA', 'BBBB', 'CCCC', 'DDDD']"
    assert fit_text(text, limit=12) == "['AAAA', 'B" + ELLIPSIS


def test_a_text_list_summarises_names_that_hold_commas():
    names = ["prices, 2026.csv", "volumes, 2026.csv", "closes.csv"]
    listed = TextList(names)
    assert listed == "prices, 2026.csv, volumes, 2026.csv, closes.csv"  # 47 characters
    # "prices, 2026.csv" (16) + 13 = 29; with "volumes, 2026.csv" 35 + 13 = 48
    assert fit_text(listed, limit=30) == f"prices, 2026.csv {ELLIPSIS} and 2 more"
    assert fit_text(listed, limit=46) == f"prices, 2026.csv {ELLIPSIS} and 2 more"
    # the same text as plain str is split at every ", ": five "names", a wrong count
    assert fit_text(str(listed), limit=30) == f"prices, 2026.csv {ELLIPSIS} and 3 more"


def test_excel_characters_are_utf16_code_units():
    face = "\U0001f600"  # outside the BMP: two UTF-16 code units, as Excel counts
    out = fit_text(face * 200)
    assert len(out.encode("utf-16-le")) // 2 <= 255
    assert out == face * 127 + ELLIPSIS


def test_formula_value_and_result():
    assert formula_value(float("nan")) is None
    assert formula_value(float("inf")) is None
    assert formula_value(np.float64(0.5)) == 0.5 and type(formula_value(np.float64(0.5))) is float
    assert formula_value(pd.Timestamp("2026-01-22")) == dt.datetime(2026, 1, 22)
    assert formula_value(pd.NaT) is None
    assert formula_value("y" * 300) == "y" * 254 + ELLIPSIS
    assert formula_result([["a", math.nan], ["z" * 256, 3]]) == [
        ["a", None],
        ["z" * 254 + ELLIPSIS, 3],
    ]
    assert formula_result([1.0, "b"]) == [1.0, "b"]
    assert formula_result("c" * 256) == "c" * 254 + ELLIPSIS


def test_status_lists_are_text_lists_and_print_as_before():
    sources = [{"name": "snapshot:closes"}, {"name": "csv:a.csv"}]
    value = status_value("sources", sources)
    assert isinstance(value, TextList) and value == "snapshot:closes, csv:a.csv"
    assert value.items == ("snapshot:closes", "csv:a.csv")
    assert status_text("sources", sources) == "snapshot:closes, csv:a.csv"
    assert status_value("tags", ("x", "y")) == "x, y"
