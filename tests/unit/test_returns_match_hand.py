"""``returns._match_cancellations`` by hand: each return (flagged, negative quantity) cancels
the latest earlier unmatched sale of the same customer, product and opposite quantity. Cases
a mutation run of ``ingest/returns`` (2026-12-07, 205 / 283 killed) left untested: each
customer's stack is its own, the order of the file decides without dates, and a negative line
that is not flagged as a return cancels nothing."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ecomdash import schema as S
from ecomdash.ingest.returns import _match_cancellations


def _match(rows: list[tuple], *, dated: bool = True) -> list[int]:
    """Positions of the cancelled sales among ``rows`` of (customer, product, quantity,
    is_return, day of January 2024)."""
    cust, prod, qty, ret, day = zip(*rows, strict=True)
    data = {
        S.CUSTOMER_ID: pd.Series(cust, dtype="string"),
        S.PRODUCT_ID: pd.Series(prod, dtype="string"),
        S.QUANTITY: pd.Series(qty, dtype=float),
        S.IS_RETURN: pd.Series(ret, dtype=bool),
    }
    if dated:
        data[S.ORDER_DATE] = pd.Series(pd.to_datetime([f"2024-01-{d:02d}" for d in day]))
    codes = {
        c: pd.factorize(data[c], use_na_sentinel=True)[0] for c in (S.CUSTOMER_ID, S.PRODUCT_ID)
    }
    return _match_cancellations(data, codes).tolist()


def test_each_customer_has_a_stack_of_its_own():
    """A's two sales and one return leave A's first sale; B's return comes before B's only
    sale, so it cancels nothing. B's lines follow A's in the matching's order: a stack carried
    over from A (keys compared as customer AND product, not OR) let B's return pop A's first
    sale."""
    rows = [
        ("A", "P", 1, False, 1),  # 0: left, the return takes the later one
        ("A", "P", 1, False, 2),  # 1: cancelled by 2
        ("A", "P", -1, True, 3),  # 2
        ("B", "P", -1, True, 4),  # 3: before B's sale: nothing to cancel
        ("B", "P", 1, False, 5),  # 4: left
    ]
    assert _match(rows) == [1]


def test_without_dates_the_file_order_decides():
    """No order date: a return cancels the latest sale above it in the file; one above every
    sale of its key cancels nothing."""
    rows = [
        ("A", "P", -2, True, 0),  # 0: no sale above it
        ("A", "P", 2, False, 0),  # 1: left
        ("A", "P", 2, False, 0),  # 2: cancelled by 3
        ("A", "P", -2, True, 0),  # 3
        ("A", "Q", 2, False, 0),  # 4: another product: left
    ]
    assert _match(rows, dated=False) == [2]


def test_only_a_flagged_return_cancels():
    """A negative line that is not flagged as a return (the contract: quantity < 0 AND a
    return) cancels nothing; flagged, it does."""
    sale = ("A", "P", 3, False, 1)
    assert _match([sale, ("A", "P", -3, False, 2)]) == []
    assert _match([sale, ("A", "P", -3, True, 2)]) == [0]


def test_quantities_must_be_opposite_and_sales_positive():
    """A return of 2 does not cancel a sale of 3; a sale of 0 is never cancelled."""
    assert _match([("A", "P", 3, False, 1), ("A", "P", -2, True, 2)]) == []
    assert _match([("A", "P", 0, False, 1), ("A", "P", 0, True, 2)]) == []
    got = _match([("A", "P", 3, False, 1), ("A", "P", 2, False, 2), ("A", "P", -3, True, 3)])
    assert got == [0]


def test_no_match_returns_an_empty_int_array():
    data = {
        S.CUSTOMER_ID: pd.Series(["A"], dtype="string"),
        S.PRODUCT_ID: pd.Series(["P"], dtype="string"),
        S.QUANTITY: pd.Series([1.0]),
        S.IS_RETURN: pd.Series([False]),
    }
    codes = {c: np.zeros(1, dtype=np.int64) for c in (S.CUSTOMER_ID, S.PRODUCT_ID)}
    out = _match_cancellations(data, codes)
    assert out.dtype == np.int64 and len(out) == 0
    # a return dated before its only sale: a candidate pair, none matched (the last step's
    # empty list as floats could not index the callers' flags: IndexError)
    data = {
        S.CUSTOMER_ID: pd.Series(["A", "A"], dtype="string"),
        S.PRODUCT_ID: pd.Series(["P", "P"], dtype="string"),
        S.QUANTITY: pd.Series([-1.0, 1.0]),
        S.IS_RETURN: pd.Series([True, False]),
        S.ORDER_DATE: pd.Series(pd.to_datetime(["2024-01-01", "2024-01-02"])),
    }
    codes = {c: np.zeros(2, dtype=np.int64) for c in (S.CUSTOMER_ID, S.PRODUCT_ID)}
    out = _match_cancellations(data, codes)
    assert out.dtype == np.int64 and len(out) == 0
    flags = np.zeros(2, dtype=bool)
    flags[out] = True
    assert not flags.any()


def test_a_sale_without_a_date_is_never_cancelled():
    """A line whose date could not be read has no place in time: a later return does not
    cancel it (it sorted first, before every dated line, had it been a candidate)."""
    data = {
        S.CUSTOMER_ID: pd.Series(["A", "A"], dtype="string"),
        S.PRODUCT_ID: pd.Series(["P", "P"], dtype="string"),
        S.QUANTITY: pd.Series([2.0, -2.0]),
        S.IS_RETURN: pd.Series([False, True]),
        S.ORDER_DATE: pd.Series(pd.to_datetime([None, "2024-01-05"])),
    }
    codes = {c: np.zeros(2, dtype=np.int64) for c in (S.CUSTOMER_ID, S.PRODUCT_ID)}
    assert _match_cancellations(data, codes).tolist() == []
    data[S.ORDER_DATE] = pd.Series(pd.to_datetime(["2024-01-02", "2024-01-05"]))
    assert _match_cancellations(data, codes).tolist() == [0]
