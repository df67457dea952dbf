"""clean11: the clean's fast paths give what the plain routes give — the duplicates by one sort
of packed keys (and beside the columns' steps), the cleaned codes without a second encode when
cleaning kept every value, the flag masks without a gather when nothing is flagged, and the
kept rows shared when no row is dropped."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from ecomdash import schema
from ecomdash.ingest import clean_text
from ecomdash.ingest.clean import GUEST_IDS, clean
from ecomdash.ingest.clean_columns import prepare_columns
from ecomdash.ingest.clean_text import _duplicates, _duplicates_argsort, _row_hash, _text
from ecomdash.ingest.convert import _expand, _expand_mask, arrow_of, codes_of
from ecomdash.ingest.table import RawTable

_M = 0x9E3779B97F4A7C15


def _plain_duplicates(codes: list[np.ndarray]) -> np.ndarray:
    """The rule in plain Python: a row equal (every column) to an earlier row."""
    seen: set[tuple] = set()
    out = np.zeros(len(codes[0]), dtype=bool)
    for i, key in enumerate(zip(*(c.tolist() for c in codes), strict=True)):
        out[i] = key in seen
        seen.add(key)
    return out


def _random_codes(rng, n: int) -> list[np.ndarray]:
    k = int(rng.integers(1, 5))
    return [rng.integers(-1, int(rng.integers(1, 6)), n).astype(np.int32) for _ in range(k)]


def test_row_hash_is_the_polynomial_over_the_codes():
    rng = np.random.default_rng(3)
    codes = [rng.integers(-1, 50, 200).astype(np.int32) for _ in range(4)]
    got = _row_hash(codes)
    for r in (0, 7, 199):  # by hand: h = h * M + (code + 1), modulo 2**64
        h = 0
        for c in codes:
            h = (h * _M + int(c[r]) + 1) % 2**64
        assert int(got[r]) == h


def test_duplicates_equal_a_plain_reference():
    rng = np.random.default_rng(5)
    for trial in range(150):
        codes = _random_codes(rng, int(rng.integers(1, 300)))
        want = _plain_duplicates(codes)
        np.testing.assert_array_equal(_duplicates(codes), want, err_msg=str(trial))
        np.testing.assert_array_equal(_duplicates_argsort(codes, _row_hash(codes)), want)
    # by hand: rows 2 and 4 repeat rows 0 and 1; row 3 differs from row 0 in one column
    codes = [np.array([1, 2, 1, 1, 2], np.int32), np.array([5, -1, 5, 6, -1], np.int32)]
    assert _duplicates(codes).tolist() == [False, False, True, False, True]


@pytest.mark.parametrize("route", ["packed", "argsort"])
def test_duplicates_exact_when_every_row_has_one_hash(monkeypatch, route):
    """Every row hashed alike (as colliding hashes would): the exact comparison decides."""
    monkeypatch.setattr(clean_text, "_row_hash", lambda codes: np.zeros(len(codes[0]), np.uint64))
    if route == "argsort":
        monkeypatch.setattr(clean_text, "_PACKED_ROW_BITS", 0)
    rng = np.random.default_rng(9)
    for _ in range(40):
        codes = _random_codes(rng, int(rng.integers(2, 120)))
        np.testing.assert_array_equal(_duplicates(codes), _plain_duplicates(codes))


_FLOAT_ID = re.compile(r"^-?\d+\.0+$")


def _plain_cleaned(v: str, *, float_ids: bool, placeholders: frozenset[str]) -> str | None:
    t = v.strip()
    if float_ids and _FLOAT_ID.match(t):
        t = re.sub(r"\.0+$", "", t)
    if t.lower() in placeholders:
        t = ""
    return t or None


@pytest.mark.parametrize(
    "values",
    [
        ["1001", "1002", "1001", "1003"],  # every value kept: the column's own codes
        ["1001", "", "1002", "", "1001"],  # empty cells missing: ranks of the rest
        ["5", "guest", "6", "0", "5", "GUEST"],  # placeholders missing
        ["7", " 7", "8 ", "8", "9"],  # trimmed into each other: encoded again
        ["13085.0", "13085", "12", " 12.00", ""],  # float ids repaired into each other
        ["", ""],  # nothing but empty cells
    ],
)
def test_cleaned_codes_equal_an_encode_of_the_cleaned_rows(values):
    """A text column's codes and distinct values: what ``dictionary_encode`` of each row's
    cleaned value (plain Python, by the rule) gives, whichever route ``_text`` took."""
    rng = np.random.default_rng(len(values))
    rows = [values[i] for i in rng.integers(0, len(values), 500)] + values
    col = pd.Series(pd.array(rows, dtype="string[pyarrow]"))
    opts = {"float_ids": True, "placeholders": GUEST_IDS}
    got = _text(codes_of(col), raw=arrow_of(col), ids=True, **opts)
    want = pc.dictionary_encode(pa.array([_plain_cleaned(v, **opts) for v in rows], pa.string()))
    np.testing.assert_array_equal(
        got.codes, want.indices.fill_null(-1).to_numpy(zero_copy_only=False)
    )
    assert got.distinct.to_pylist() == want.dictionary.to_pylist()
    assert got.codes.dtype == np.int32


def test_flag_masks_equal_the_gathered_ones():
    rng = np.random.default_rng(13)
    for _ in range(60):
        n, k = int(rng.integers(0, 50)), int(rng.integers(0, 6))
        codes = rng.integers(-1 if rng.random() < 0.5 else 0, max(k, 1), n).astype(np.int32)
        if k == 0:
            codes[:] = -1
        per = rng.random(k) < (0.3 if rng.random() < 0.5 else 0.0)
        for fill in (False, True):
            want = _expand(codes, per, fill).astype(bool)
            np.testing.assert_array_equal(_expand_mask(codes, per, fill), want)


def _frame(n: int = 400) -> pd.DataFrame:
    rng = np.random.default_rng(17)

    def col(values) -> pd.Series:
        return pd.Series(pd.array(np.array(values)[rng.integers(0, len(values), n)], "string"))

    return pd.DataFrame(
        {
            "Invoice": col(["536365", "536366", "C536367", "536368", "536369", "536370"]),
            "Customer": col(["13085.0", "13085", "0", "12680", ""]),
            "Stock": col(["85123A", "POST", "22423", "21232"]),
            "Qty": col(["1", "2", "-3", "3", "-2"]),
            "Price": col(["2.55", "3", "0", "1.25"]),
            "When": col(["2024-04-03 10:00", "2024-04-04 11:00", "2024-04-05 09:30"]),
        }
    )


_MAPPING = {
    schema.ORDER_ID: "Invoice",
    schema.CUSTOMER_ID: "Customer",
    schema.PRODUCT_ID: "Stock",
    schema.QUANTITY: "Qty",
    schema.UNIT_PRICE: "Price",
    schema.ORDER_DATE: "When",
}


@pytest.mark.parametrize("workers", [1, 2])
def test_duplicates_beside_the_columns_equal_them_after(workers):
    src = _frame()
    got = prepare_columns(
        src,
        _MAPPING,
        text_opts={},
        coded=list(src.columns),
        workers=workers,
        rows_of=list(src.columns),
    )
    want = _plain_duplicates([codes_of(src[c])[0] for c in src.columns])
    assert want.sum() > 0
    np.testing.assert_array_equal(got.duplicates, want)
    assert prepare_columns(src, _MAPPING, text_opts={}, coded=[]).duplicates is None


def test_every_row_kept_gives_the_lines_of_the_filtered_route():
    """No row dropped (the kept columns shared, not filtered) against the same rows with a
    line that is dropped after them (every column filtered): the same lines and counts."""
    src = _frame().drop_duplicates().reset_index(drop=True)
    n = len(src)
    bad = pd.DataFrame({c: pd.array(["x"], "string") for c in src.columns})
    both = pd.concat([src, bad], ignore_index=True)
    kept_lines, kept = clean(
        RawTable(data=src, line_no=np.arange(2, n + 2), format="csv"), _MAPPING
    )
    lines, report = clean(RawTable(data=both, line_no=np.arange(2, n + 3), format="csv"), _MAPPING)
    assert report.counts()["unreadable_date"] == 1 and len(report.rejected) == 1
    assert report.rejected["reason"].tolist() == ["missing or unreadable order date"]
    assert kept.counts()["cancellation_invoice"] > 0 and kept.matched_cancellations > 0
    pd.testing.assert_frame_equal(lines, kept_lines)
    assert report.matched_cancellations == kept.matched_cancellations


@pytest.mark.parametrize("offset", [0, 1])
def test_unchanged_column_values_equal_the_distinct_values_taken(offset):
    """A column cleaning left as it was (empty cells and nulls among its values; read with the
    header row sliced off, or not): its kept rows, its text shared with a new validity
    bitmap, equal the cleaned distinct values taken by each row's code."""
    cells = ["b", "", "a", None, "c", "a", "", "b"] * 5
    arr = pa.array(cells, pa.large_string())
    if offset:  # the column as read: the header row cut off
        arr = pa.array(["header"] + cells, pa.large_string()).slice(1)
    col = pd.Series(pd.arrays.ArrowStringArray(arr))
    got = _text(codes_of(col), raw=arrow_of(col), ids=True)
    assert got.unchanged is not None
    rng = np.random.default_rng(offset)
    for keep in (np.ones(len(col), bool), rng.random(len(col)) < 0.5):
        codes = got.codes[keep]
        want = pc.take(got.distinct, pa.array(codes, mask=codes < 0, type=pa.int64()))
        values = got.values(keep)
        assert values.tolist() == pd.Series(want.to_pylist(), dtype="string").tolist()
        assert values.isna().tolist() == (codes < 0).tolist()
