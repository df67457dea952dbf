"""clean10: the cleaner's per-column steps on two threads (``clean_columns.prepare_columns``)
give what one at a time gives, and the return matching's pre-filter (sales of a customer and a
product that some return has) leaves the matches as a plain reference finds them."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd

from ecomdash import schema
from ecomdash.ingest.clean import GUEST_IDS, clean
from ecomdash.ingest.clean_columns import prepare_columns
from ecomdash.ingest.clean_text import _text
from ecomdash.ingest.convert import arrow_of, codes_of, to_datetime, to_number
from ecomdash.ingest.returns import _match_cancellations
from ecomdash.ingest.table import RawTable


def _s(values) -> pd.Series:
    return pd.Series(pd.array(values, dtype="string[pyarrow]"))


def _frame(n: int = 3000) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    ids = np.array(["536365", " 536366", "C536367", "５３６３６８", '="536369"', ""])
    cust = np.array(["13085.0", "13085", "0", "guest", " 12680 ", "", "１２３"])
    qty = np.array(["1", "2", "-3", "(4)", "1,5", "x", ""])
    price = np.array(["1,234", "3", "0", "", "abc"])  # no evidence of the mark: formats decide
    dates = np.array(["03/04/2024 10:00", "13/04/2024", "01/02/2024", "", "nope", "2024-04-05"])
    names = np.array(["  WHITE MUG ", "WHITE MUG", "Postage", "", "ｍｕｇ"])
    return pd.DataFrame(
        {
            "Invoice": _s(ids[rng.integers(0, len(ids), n)]),
            "Customer": _s(cust[rng.integers(0, len(cust), n)]),
            "Qty": _s(qty[rng.integers(0, len(qty), n)]),
            "Price": _s(price[rng.integers(0, len(price), n)]),
            "When": _s(dates[rng.integers(0, len(dates), n)]),
            "Name": _s(names[rng.integers(0, len(names), n)]),
            "Note": _s(np.array(["a", "b", ""])[rng.integers(0, 3, n)]),
        }
    )


_OPTS = {
    schema.ORDER_ID: {"float_ids": False, "placeholders": frozenset(), "ids": True},
    schema.CUSTOMER_ID: {"float_ids": True, "placeholders": GUEST_IDS, "ids": True},
    # the name column is also the product id: one column, two fields with their own options
    schema.PRODUCT_ID: {"float_ids": False, "placeholders": frozenset(), "ids": True},
    schema.PRODUCT_NAME: {"float_ids": False, "placeholders": frozenset(), "ids": False},
}
_MAPPING = {
    schema.ORDER_ID: "Invoice",
    schema.CUSTOMER_ID: "Customer",
    schema.PRODUCT_ID: "Name",
    schema.PRODUCT_NAME: "Name",
    schema.QUANTITY: "Qty",
    schema.UNIT_PRICE: "Price",
    schema.ORDER_DATE: "When",
}


def _same_text(a, b) -> None:
    np.testing.assert_array_equal(a.codes, b.codes)
    assert a.distinct.equals(b.distinct)
    for f in ("trimmed", "fixed", "placeholder"):
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f))
    assert (a.unchanged is None) == (b.unchanged is None)


def test_two_threads_give_what_one_column_at_a_time_gives():
    src = _frame()
    formats = {"decimal": {schema.UNIT_PRICE: ","}, "dayfirst": None}
    got = prepare_columns(
        src, _MAPPING, text_opts=_OPTS, coded=list(src.columns), formats=formats, workers=2
    )
    assert list(got.codes) == ["When", "Invoice", "Customer", "Qty", "Price", "Name", "Note"]
    for c in src.columns:  # every column's codes, the one no field uses too
        codes, distinct = codes_of(src[c])
        np.testing.assert_array_equal(got.codes[c][0], codes)
        assert got.codes[c][1].equals(distinct)
    for f, opts in _OPTS.items():
        col = src[_MAPPING[f]]
        _same_text(got.text[f], _text(codes_of(col), raw=arrow_of(col), **opts))
    # the product id's full-width name became ASCII, the name kept it
    assert "mug" in got.text[schema.PRODUCT_ID].distinct.to_pylist()
    assert "ｍｕｇ" in got.text[schema.PRODUCT_NAME].distinct.to_pylist()
    for f, conv in (
        (schema.QUANTITY, to_number(src["Qty"])),
        (schema.UNIT_PRICE, to_number(src["Price"], decimal=",")),
        (schema.ORDER_DATE, to_datetime(src["When"])),
    ):
        mine = got.converted[f]
        pd.testing.assert_series_equal(mine.values, conv.values)
        np.testing.assert_array_equal(mine.bad, conv.bad)
        np.testing.assert_array_equal(mine.missing, conv.missing)
        assert mine.note == conv.note
    # by hand: the decimal comma the formats give for the price, 1,234 → 1.234 (without them
    # no value proves the mark: 1234); the quantity's own 1,5 proves a decimal comma
    price = dict(zip(src["Price"], got.converted[schema.UNIT_PRICE].values, strict=True))
    assert price["1,234"] == 1.234 and price["3"] == 3.0 and np.isnan(price["abc"])
    qty = dict(zip(src["Qty"], got.converted[schema.QUANTITY].values, strict=True))
    assert qty["1,5"] == 1.5 and qty["(4)"] == -4.0
    # only the columns asked for are coded when the caller gives the duplicates
    few = prepare_columns(src, {schema.QUANTITY: "Qty"}, text_opts=_OPTS, coded=["Note"])
    assert list(few.codes) == ["Note", "Qty"] and list(few.converted) == [schema.QUANTITY]


def test_clean_on_two_threads_equals_one_thread(monkeypatch):
    """The whole cleaner: lines, rule counts, samples and rejected rows the same with one
    worker as with two."""
    src = _frame()
    raw = RawTable(data=src, line_no=np.arange(2, len(src) + 2), format="csv")
    two_lines, two = clean(raw, _MAPPING)
    module = sys.modules["ecomdash.ingest.clean"]  # the package's ``clean`` is the function
    monkeypatch.setattr(
        module,
        "prepare_columns",
        lambda *a, **k: prepare_columns(*a, **{**k, "workers": 1}),
    )
    one_lines, one = clean(raw, _MAPPING)
    pd.testing.assert_frame_equal(two_lines, one_lines)
    assert two.to_dict() == one.to_dict()
    pd.testing.assert_frame_equal(two.rejected, one.rejected)
    for a, b in zip(two.rules, one.rules, strict=True):
        pd.testing.assert_frame_equal(a.sample, b.sample)
    counts = two.counts()
    assert counts["duplicate"] > 0 and counts["unreadable_number"] > 0
    assert counts["customer_id_float"] > 0 and counts["guest_placeholder"] > 0


def _reference_matches(cust, prod, q, when, is_ret) -> list[int]:
    """The rule in plain Python: lines in time order (sales before returns at the same time,
    then file order); each return takes the latest unmatched sale of its customer, product
    and opposite quantity."""
    events = []
    for i in range(len(q)):
        if cust[i] < 0 or prod[i] < 0 or np.isnan(q[i]) or np.isnat(when[i]):
            continue
        if is_ret[i] and q[i] < 0:
            events.append((when[i], 1, i))
        elif not is_ret[i] and q[i] > 0:
            events.append((when[i], 0, i))
    stacks: dict[tuple, list[int]] = {}
    matched = []
    for _, kind, i in sorted(events):
        if kind == 0:
            stacks.setdefault((cust[i], prod[i], q[i]), []).append(i)
        else:
            st = stacks.get((cust[i], prod[i], -q[i]))
            if st:
                matched.append(st.pop())
    return sorted(matched)


def test_return_matching_equals_a_plain_reference():
    rng = np.random.default_rng(11)
    for trial in range(20):
        n = 400
        cust = rng.integers(-1, 12 if trial % 2 else 60, n).astype(np.int64)
        prod = rng.integers(-1, 9 if trial % 3 else 40, n).astype(np.int64)
        q = rng.choice([1.0, 2.0, 3.0, -1.0, -2.0, -3.0, np.nan, 0.0], n)
        is_ret = (q < 0) & (rng.random(n) < 0.9) | (rng.random(n) < 0.03)
        when = np.datetime64("2024-01-01T00:00", "us") + rng.integers(0, 30, n).astype(
            "timedelta64[D]"
        )
        when[rng.random(n) < 0.03] = np.datetime64("NaT")
        data = {
            schema.CUSTOMER_ID: pd.Series(cust),
            schema.PRODUCT_ID: pd.Series(prod),
            schema.QUANTITY: pd.Series(q),
            schema.IS_RETURN: pd.Series(is_ret),
            schema.ORDER_DATE: pd.Series(when),
        }
        # the cleaner hands its int32 codes over as they are (clean11); int64 works the same
        width = np.int32 if trial % 2 else np.int64
        got = _match_cancellations(
            data, {schema.CUSTOMER_ID: cust.astype(width), schema.PRODUCT_ID: prod.astype(width)}
        )
        want = _reference_matches(cust, prod, q, when, is_ret)
        assert got.tolist() == want
        assert len(want) > 0
