"""The cleaner's text helpers by hand: regex matches per distinct value (the first one
included) and the trimmed / fixed / placeholder flags per row."""

from __future__ import annotations

import re

import numpy as np
import pyarrow as pa

from ecomdash.ingest.clean_text import _regex_rows, _text


def test_regex_rows_maps_distinct_values_to_rows_first_value_included():
    values = pa.array(["C1", "X", None, "c22"])
    codes = np.array([0, 1, -1, 0, 3, 2])
    pattern = re.compile(r"^[Cc]\d+$")
    want = [True, False, False, True, True, False]
    assert _regex_rows(codes, values, pattern).tolist() == want
    assert _regex_rows(codes, values, pattern, prefilter="^[Cc]").tolist() == want
    # a non-ASCII value goes to Python's engine even when the (ASCII) prefilter misses it:
    # "٣٣" (Arabic-Indic digits) is \d+ for Python, not [0-9]+ for the prefilter
    digits = re.compile(r"^\d+$")
    got = _regex_rows(
        np.array([0, 1, 2]), pa.array(["٣٣", "12", "x"]), digits, prefilter="^[0-9]+$"
    )
    assert got.tolist() == [True, True, False]
    assert _regex_rows(np.array([-1, -1]), pa.array([], pa.string()), pattern).tolist() == [
        False,
        False,
    ]


def test_text_flags_trimmed_fixed_and_placeholder_rows():
    uniques = pa.array([" 13085.0", "b", "   ", "N/A", "17850"])
    codes = np.array([0, 1, 2, 0, -1, 3, 4])
    t = _text((codes, uniques), float_ids=True, placeholders=frozenset({"n/a"}))
    # " 13085.0" -> "13085" (trimmed and fixed); "   " and "N/A" -> missing
    assert t.trimmed.tolist() == [True, False, False, True, False, False, False]
    assert t.fixed.tolist() == [True, False, False, True, False, False, False]
    assert t.placeholder.tolist() == [False, False, False, False, False, True, False]
    assert t.missing.tolist() == [False, False, True, False, True, True, False]
    got = t.values(np.ones(len(codes), bool)).tolist()
    assert got[:2] == ["13085", "b"] and got[3] == "13085" and got[6] == "17850"
    # without float_ids the ".0" stays, and nothing is flagged as fixed
    plain = _text((codes, uniques))
    assert plain.values(np.ones(len(codes), bool)).tolist()[0] == "13085.0"
    assert not plain.fixed.any() and not plain.placeholder.any()
    assert plain.trimmed.tolist() == t.trimmed.tolist()
