"""The cleaner's text helpers by hand: regex matches per distinct value (the first one
included) and the trimmed / fixed / placeholder flags per row."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa

from ecomdash.ingest import clean_text
from ecomdash.ingest.clean_text import _duplicates, _regex_rows, _row_hash, _text


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


def test_regex_rows_one_distinct_value_with_missing_rows_and_null_values():
    # one distinct value and missing rows (-1): the missing rows never match, and never
    # look past the end of the values (a file whose order ids are all "C1" or blank)
    pattern = re.compile(r"^[Cc]\d+$")
    codes = np.array([-1, 0, -1, 0])
    for prefilter in (None, "^[Cc]"):
        got = _regex_rows(codes, pa.array(["C1"]), pattern, prefilter=prefilter)
        assert got.tolist() == [False, True, False, True]
    # a null among the values is no text at all: even a pattern matching any text misses it
    anything = re.compile(r"^.+$")
    got = _regex_rows(np.array([0, 1, 1]), pa.array([None, "x"], pa.string()), anything)
    assert got.tolist() == [False, True, True]
    # no values: a boolean mask of the rows' length, all false
    none = _regex_rows(np.array([-1, -1, -1]), pa.array([], pa.string()), anything)
    assert none.dtype == np.bool_ and none.tolist() == [False] * 3


def test_text_of_a_column_without_any_value_is_all_missing():
    t = _text((np.array([-1, -1, -1], dtype=np.int32), pa.array([], pa.string())))
    assert t.codes.dtype == np.int32 and t.codes.tolist() == [-1, -1, -1]
    assert t.missing.tolist() == [True] * 3
    for flags in (t.trimmed, t.fixed, t.placeholder):
        assert flags.dtype == np.bool_ and flags.tolist() == [False] * 3
    assert t.values(np.array([True, False, True])).isna().tolist() == [True, True]
    assert len(t.distinct) == 0


def test_text_one_distinct_value_with_missing_rows():
    # the missing rows' codes stay -1 whatever the first distinct value holds
    t = _text((np.array([-1, 0, -1], dtype=np.int32), pa.array([" a "])))
    assert t.codes.tolist() == [-1, 0, -1]
    assert t.trimmed.tolist() == [False, True, False]
    assert t.values(np.ones(3, bool)).tolist()[1] == "a"


def test_text_full_width_ids_become_ascii_names_keep_theirs():
    uniques = pa.array(["ＡＢ１２３", "ab"])
    codes = np.array([0, 1])
    assert _text((codes, uniques)).values(np.ones(2, bool)).tolist() == ["ＡＢ１２３", "ab"]
    assert _text((codes, uniques), ids=True).values(np.ones(2, bool)).tolist() == ["AB123", "ab"]


def test_duplicates_of_no_rows_and_of_no_columns():
    assert _duplicates([]).tolist() == []
    empty = _duplicates([np.array([], np.int32), np.array([], np.int32)])
    assert empty.dtype == np.bool_ and empty.tolist() == []


def test_duplicates_with_colliding_hashes_are_compared_column_by_column():
    # the row hash is ((c0 + 1) * M + (c1 + 1)) * M + (c2 + 1) (mod 2**64); two rows that
    # differ in the first two columns as (a, b) and (a + 1, b - M) hash alike: they are not
    # duplicates (rows 0 and 1), while row 2 repeats row 0 exactly
    m = 0x9E3779B97F4A7C15
    b2 = (5 - m) % 2**64
    c0 = np.array([3, 4, 3, 7], dtype=np.int64)
    c1 = np.array([5, b2, 5, 8], dtype=np.int64)
    c2 = np.array([9, 9, 9, 9], dtype=np.int64)
    assert _duplicates([c0, c1, c2]).tolist() == [False, False, True, False]


def test_a_repeat_of_the_second_of_two_colliding_rows_is_a_duplicate():
    # rows 0 and 1 hash alike and differ (as above); row 3 repeats row 1, not the hash's first
    # row, and row 4 repeats row 0: both are duplicates, whichever row of the hash they repeat
    m = 0x9E3779B97F4A7C15
    b2 = (5 - m) % 2**64
    c0 = np.array([3, 4, 7, 4, 3], dtype=np.int64)
    c1 = np.array([5, b2, 8, b2, 5], dtype=np.int64)
    c2 = np.array([9, 9, 9, 9, 9], dtype=np.int64)
    assert _duplicates([c0, c1, c2]).tolist() == [False, False, False, True, True]
    # the colliding rows in the other order: the first of each is kept
    assert _duplicates([c0[[1, 0, 1, 0]], c1[[1, 0, 1, 0]], c2[:4]]).tolist() == [
        False,
        False,
        True,
        True,
    ]


def test_a_colliding_hash_leaves_the_other_hashes_to_the_fast_path():
    # rows 0 and 1 collide and differ; rows 2 and 3 are a plain repeat with their own hash:
    # only the colliding hash's rows are compared exactly, and every repeat is still found
    m = 0x9E3779B97F4A7C15
    b2 = (5 - m) % 2**64
    c0 = np.array([3, 4, 1, 1, 4], dtype=np.int64)
    c1 = np.array([5, b2, 2, 2, b2], dtype=np.int64)
    assert _duplicates([c0, c1]).tolist() == [False, False, False, True, True]


def test_row_hash_is_the_polynomial_by_hand():
    m = 0x9E3779B97F4A7C15
    c0 = np.array([3, -1, 0], dtype=np.int64)
    c1 = np.array([5, 7, -1], dtype=np.int64)
    want = [((0 * m + c + 1) * m + d + 1) % 2**64 for c, d in ((3, 5), (-1, 7), (0, -1))]
    h = _row_hash([c0, c1])
    assert h.dtype == np.uint64 and h.tolist() == want


def test_distinct_rows_never_reach_the_exact_comparison(monkeypatch):
    """The Python pass is for colliding hashes only: 200,000 random rows with repeats are
    told apart by the hash alone (it would be a Python loop over millions of lines)."""

    def refuse(codes, rows):
        raise AssertionError(f"{len(rows)} rows sent to the exact comparison")

    monkeypatch.setattr(clean_text, "_exact_duplicates", refuse)
    rng = np.random.default_rng(7)
    codes = [rng.integers(0, k, 200_000) for k in (50, 1_000, 30_000)]
    dup = _duplicates(codes)
    keys = pd.DataFrame({i: c for i, c in enumerate(codes)})
    assert dup.tolist() == keys.duplicated().tolist()
    assert 0 < dup.sum() < len(dup)


def _both_routes(raw: pa.Array, keep: np.ndarray, **kw) -> tuple[list, list, bool]:
    """The kept rows' text through the shared route (``raw`` given) and the take route."""
    from ecomdash.ingest.convert import codes_of

    enc = codes_of(pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array([raw]))))
    shared = _text(enc, raw=raw, **kw)
    taken = _text(enc, **kw)
    assert taken.unchanged is None
    return (
        shared.values(keep).tolist(),
        taken.values(keep).tolist(),
        shared.unchanged is not None,
    )


def test_unchanged_column_shares_its_text_with_the_same_values_as_the_take():
    """A column the cleaning leaves as it is (no spaces, wrappers, .0 ids, placeholders)
    keeps its rows' text (empty cells made missing) instead of copying each value from the
    distinct ones: the same values, also for a column sliced past its header row (an
    offset into the bitmap) and for a subset of rows."""
    col = pa.array(["h", "A1", "", "B2", "A1", "", "C3", "B2", "x", "A1", "", "D4"])
    big = col.cast(pa.large_string())  # pandas' own string type (8-byte offsets)
    for raw in (col, col.slice(1), col.slice(3, 7), big, big.slice(1), big.slice(3, 7)):
        n = len(raw)
        for keep in (np.ones(n, dtype=bool), np.arange(n) % 3 != 1):
            shared, taken, route = _both_routes(raw, keep, ids=True)
            assert route
            assert shared == taken
    shared, _, _ = _both_routes(col.slice(1), np.ones(11, dtype=bool), ids=True)
    assert shared == ["A1", pd.NA, "B2", "A1", pd.NA, "C3", "B2", "x", "A1", pd.NA, "D4"]
    # an array with nulls of its own (another reader) keeps them missing
    raw = pa.array(["A", None, "", "B"])
    shared, taken, route = _both_routes(raw, np.ones(4, dtype=bool))
    assert route and shared == taken == ["A", pd.NA, pd.NA, "B"]


def test_a_column_the_cleaning_changes_is_taken_from_its_cleaned_values():
    keep = np.ones(5, dtype=bool)
    for raw, kw, want in (
        (pa.array([" A", "A", "", "B ", "B"]), {}, ["A", "A", pd.NA, "B", "B"]),
        (
            pa.array(["13085.0", "1", "", "2", "1"]),
            {"float_ids": True},
            ["13085", "1", pd.NA, "2", "1"],
        ),
        (
            pa.array(["Guest", "1", "", "2", "1"]),
            {"placeholders": frozenset({"guest"})},
            [pd.NA, "1", pd.NA, "2", "1"],
        ),
        (pa.array(["   ", "1", "", "2", "1"]), {}, [pd.NA, "1", pd.NA, "2", "1"]),
        (pa.array(['="007"', "1", "", "2", "1"]), {}, ["007", "1", pd.NA, "2", "1"]),
    ):
        shared, taken, route = _both_routes(raw, keep, **kw)
        assert not route
        assert shared == taken == want
