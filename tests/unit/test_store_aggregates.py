"""The store's SQL aggregates equal the pandas computations from the same lines.

Each aggregate is checked on a hand-built fixture with returns, a cancelled sale, guests, a
blank customer id, a postage line, a missing revenue and a zero price, and on the demo
merchant; the expected side is always the analysis's own pandas route (``load_lines`` +
``schema.sales_lines`` / ``features.customer_history``), which is what pages used before.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from ecomdash import schema as S
from ecomdash.errors import InsufficientDataError
from ecomdash.features import customer_history
from ecomdash.filters import Filters
from ecomdash.store import Store
from tests.unit.tiny import tiny_lines


def fixture_lines() -> pd.DataFrame:
    """tiny_lines plus the awkward cases: a blank id, a missing revenue, a zero price, a
    customer with only a return, a guest return, an undated line, a duplicate order line."""
    base = tiny_lines()
    extra = pd.DataFrame(
        [
            # order, date, customer, product, name, qty, price, country, cat, ret, nonprod, canc, rev
            ("O6", "2024-01-06 11:00", "  ", "P1", "Mug", 1, 10.0, "UK", "Kitchen", 0, 0, 0, 10.0),
            ("O7", "2024-01-06 12:00", "C4", "P2", "Tea", 2, 5.0, "UK", "Food", 0, 0, 0, None),
            ("O7", "2024-01-06 12:00", "C4", "P3", "Pot", 1, 0.0, "UK", "Kitchen", 0, 0, 0, 0.0),
            ("O7", "2024-01-06 12:00", "C4", "P3", "Pot", 1, 30.0, "UK", "Kitchen", 0, 0, 0, 30.0),
            (
                "CO8",
                "2024-01-07 09:00",
                "C5",
                "P1",
                "Mug",
                -1,
                10.0,
                "DE",
                "Kitchen",
                1,
                0,
                0,
                -10.0,
            ),
            ("CO9", "2024-01-07 10:00", None, "P2", "Tea", -1, 5.0, "UK", "Food", 1, 0, 0, -5.0),
            (
                "CO10",
                "2024-01-07 11:00",
                "C1",
                "POST",
                "Postage",
                -1,
                4.0,
                "UK",
                None,
                1,
                1,
                0,
                -4.0,
            ),
            (
                "CO11",
                "2024-01-07 11:30",
                "C1",
                "P1",
                "Mug",
                -1,
                10.0,
                "UK",
                "Kitchen",
                1,
                0,
                0,
                -10.0,
            ),
            ("O12", None, "C6", "P1", "Mug", 1, 10.0, "UK", "Kitchen", 0, 0, 0, 10.0),
            ("O13", "2024-01-08 08:00", "C2", "P4", "Jug", 2, 7.5, "FR", None, 0, 0, 0, 15.0),
            ("O13", "2024-01-08 08:00", "C2", "P4", "Jug", 1, 7.5, "FR", None, 0, 0, 0, 7.5),
        ],
        columns=[
            "order_id",
            "order_date",
            "customer_id",
            "product_id",
            "product_name",
            "quantity",
            "unit_price",
            "country",
            "category",
            "is_return",
            "is_non_product",
            "is_cancelled",
            "revenue",
        ],
    )
    for c in S.FLAGS:
        extra[c] = extra[c].astype(bool)
    extra["order_date"] = pd.to_datetime(extra["order_date"]).astype("datetime64[us]")
    extra["quantity"] = extra["quantity"].astype("float64")
    extra["revenue"] = extra["revenue"].astype("float64")
    out = pd.concat([base, extra], ignore_index=True)
    out["line_no"] = range(2, len(out) + 2)
    return out


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "home")
    yield s
    s.close()


@pytest.fixture
def fixture_id(store):
    return store.save_dataset("Fixture", fixture_lines()).id


@pytest.fixture
def demo_id(store, demo):
    return store.ensure_demo(demo.lines).id


FILTERS = [None, Filters(start=date(2024, 1, 2), end=date(2024, 1, 7)), Filters(countries=("UK",))]


# -- sales predicate / projected columns --------------------------------------------------


@pytest.mark.parametrize("f", FILTERS)
def test_sales_only_columns_are_exactly_sales_lines(store, fixture_id, f):
    full = store.load_lines(fixture_id, f)
    expected = S.sales_lines(full)
    got = store.load_columns(fixture_id, f, [S.ORDER_ID, S.CUSTOMER_ID], sales_only=True)
    assert got["line_no"].tolist() if "line_no" in got else True
    assert list(got[S.ORDER_ID]) == list(expected[S.ORDER_ID])
    assert got[S.REVENUE].fillna(-1).tolist() == expected[S.REVENUE].fillna(-1).tolist()
    # the fixture has lines each rule removes, so the check can fail
    assert 0 < len(expected) < len(full)


def test_keep_non_product_keeps_postage(store, fixture_id):
    full = store.load_lines(fixture_id)
    exp = S.sales_lines(full, keep_non_product=True)
    got = store.load_columns(
        fixture_id, None, [S.PRODUCT_ID], sales_only=True, keep_non_product=True
    )
    assert list(got[S.PRODUCT_ID]) == list(exp[S.PRODUCT_ID])
    assert "POST" in set(got[S.PRODUCT_ID])


def test_projection_has_only_asked_columns_plus_cleaning_ones(store, fixture_id):
    got = store.load_columns(fixture_id, None, [S.CUSTOMER_ID])
    assert set(got.columns) == {S.CUSTOMER_ID, *S.FLAGS, S.QUANTITY, S.UNIT_PRICE, S.REVENUE}
    assert got[S.CUSTOMER_ID].dtype == pd.StringDtype("pyarrow")
    full = store.load_lines(fixture_id)
    pd.testing.assert_series_equal(
        got[S.CUSTOMER_ID].astype(object), full[S.CUSTOMER_ID].astype(object)
    )
    # cleaning on the projection keeps the same lines as on the full table
    assert S.sales_lines(got).index.tolist() == S.sales_lines(full).index.tolist()


def test_revenue_only_dataset_uses_revenue_rule(store):
    lines = fixture_lines().drop(columns=[S.UNIT_PRICE])
    ds = store.save_dataset("No price", lines).id
    full = store.load_lines(ds)
    got = store.load_columns(ds, None, [S.ORDER_ID], sales_only=True)
    assert list(got[S.ORDER_ID]) == list(S.sales_lines(full)[S.ORDER_ID])
    # the NaN-revenue line of O7 is dropped by the revenue rule here
    assert len(got) < len(
        store.load_columns(store.save_dataset("p", fixture_lines()).id, None, [], sales_only=True)
    )


# -- daily series ------------------------------------------------------------------------


def _daily_pandas(full: pd.DataFrame) -> pd.DataFrame:
    sales = S.sales_lines(full[full[S.ORDER_DATE].notna()])
    day = sales[S.ORDER_DATE].dt.floor("D")
    g = sales.groupby(day)
    return pd.DataFrame(
        {
            "revenue": g[S.REVENUE].sum(),
            "orders": g[S.ORDER_ID].nunique(),
            "units": g[S.QUANTITY].sum(),
            "customers": g[S.CUSTOMER_ID].nunique(),
            "lines": g.size(),
        }
    )


@pytest.mark.parametrize("which", ["fixture", "demo"])
def test_daily_sales_equals_pandas(store, request, which):
    ds = request.getfixturevalue(f"{which}_id")
    f = None if which == "fixture" else Filters(start=date(2025, 3, 1), end=date(2025, 5, 31))
    got = store.daily_sales(ds, f).set_index("day")
    exp = _daily_pandas(store.load_lines(ds, f))
    assert got.index.tolist() == [pd.Timestamp(x) for x in exp.index]
    np.testing.assert_allclose(got["revenue"], exp["revenue"], rtol=1e-12)
    np.testing.assert_allclose(got["units"], exp["units"], rtol=1e-12)
    for c in ("orders", "customers", "lines"):
        assert got[c].tolist() == exp[c].tolist(), c


def test_daily_sales_by_hand(store, fixture_id):
    got = store.daily_sales(fixture_id).set_index("day")
    # 2024-01-01: O1 (Mug 2x10 + Tea 5) by C1 -> 25, 1 order, 3 units
    d = got.loc[pd.Timestamp("2024-01-01")]
    assert (d["revenue"], d["orders"], d["units"], d["customers"]) == (25.0, 1, 3.0, 1)
    # 2024-01-06: O6 (blank id, 10) + O7 (Tea with no revenue, Pot 30; the zero-price Pot is out)
    d = got.loc[pd.Timestamp("2024-01-06")]
    assert (d["revenue"], d["orders"], d["lines"]) == (40.0, 2, 3)
    assert pd.Timestamp("2024-01-07") not in got.index  # only returns that day


# -- customer history --------------------------------------------------------------------


def _sorted(df: pd.DataFrame) -> pd.DataFrame:
    return df.sort_values(list(df.columns)).reset_index(drop=True)


def assert_same_history(a, b):
    assert list(a.customers) == list(b.customers)
    for part in ("orders", "guest_orders", "items", "returns", "cancelled"):
        x, y = _sorted(getattr(a, part)), _sorted(getattr(b, part))
        assert list(x.columns) == list(y.columns), part
        assert len(x) == len(y), part
        for c in x.columns:
            if x[c].dtype.kind == "f":
                np.testing.assert_allclose(x[c], y[c], rtol=1e-12, err_msg=part)
            else:
                assert x[c].tolist() == y[c].tolist(), (part, c)
    assert a.breadth_basis == b.breadth_basis
    assert a.returns_known == b.returns_known
    assert a.first_date == b.first_date and a.last_date == b.last_date


@pytest.mark.parametrize("f", FILTERS)
def test_customer_history_equals_pandas_on_fixture(store, fixture_id, f):
    exp = customer_history(store.load_lines(fixture_id, f))
    got = store.customer_history(fixture_id, f)
    assert_same_history(got, exp)
    pd.testing.assert_frame_equal(got.features().table, exp.features().table, rtol=1e-12)


def test_customer_history_by_hand(store, fixture_id):
    h = store.customer_history(fixture_id)
    # C5 only returned, C6 bought undated, "  " is a guest: none of them are customers
    assert list(h.customers) == ["C1", "C2", "C3", "C4"]
    t = h.features(as_of="2024-01-08").table
    assert t.loc["C1", "frequency"] == 2 and t.loc["C1", "monetary"] == 55.0
    # C1 returned a 10.00 mug (postage return not counted) of 55.00 bought
    assert t.loc["C1", "return_rate"] == pytest.approx(10 / 55)
    assert t.loc["C4", "monetary"] == 30.0  # the Tea line has no revenue
    # C2's O2 (a 10.00 mug) was cancelled by CO2: not an order nor spend (the Overview's
    # definition), but still purchased value in the return rate: 10 / (22.50 + 10)
    assert t.loc["C2", "frequency"] == 1 and t.loc["C2", "monetary"] == 22.5
    assert t.loc["C2", "return_rate"] == pytest.approx(10 / 32.5)
    assert h.breadth_basis == "category"
    f = h.features(as_of="2024-01-08")
    assert f.n_guest_orders == 2 and f.guest_revenue == 25.0  # O3 tea 15 + O6 10


def test_customer_history_equals_pandas_on_demo(store, demo_id):
    exp = customer_history(store.load_lines(demo_id))
    got = store.customer_history(demo_id)
    assert_same_history(got, exp)
    for as_of in (None, "2025-06-30"):
        pd.testing.assert_frame_equal(
            got.features(as_of=as_of).table, exp.features(as_of=as_of).table, rtol=1e-12
        )


def test_customer_history_without_ids_says_so(store):
    lines = fixture_lines()
    lines[S.CUSTOMER_ID] = None
    ds = store.save_dataset("Guests", lines).id
    with pytest.raises(InsufficientDataError, match="customer id"):
        store.customer_history(ds)
    with pytest.raises(InsufficientDataError, match="customer id"):
        customer_history(store.load_lines(ds))


def test_customer_history_product_breadth_without_category(store):
    ds = store.save_dataset("No cat", fixture_lines().drop(columns=[S.CATEGORY])).id
    exp = customer_history(store.load_lines(ds))
    got = store.customer_history(ds)
    assert got.breadth_basis == "product"
    assert_same_history(got, exp)


def awkward_history_lines() -> pd.DataFrame:
    """fixture_lines plus what the grouped SQL (hist8) must still get right: blank ids of
    other kinds that sort before every real id ("" and a tab; one shares an order with a
    line without id: one guest order), an order whose lines have two timestamps, two lines
    of one customer without an order id (one order), a return without a finite value."""
    extra = pd.DataFrame(
        [
            ("O14", "2024-01-04 08:00", "", "P1", "Mug", 1, 10.0, "UK", "Kitchen", 0, 0, 0, 10.0),
            ("O15", "2024-01-04 09:00", "\t", "P2", "Tea", 1, 5.0, "UK", "Food", 0, 0, 0, 5.0),
            ("O15", "2024-01-04 09:00", None, "P1", "Mug", 1, 10.0, "UK", "Kitchen", 0, 0, 0, 10.0),
            ("O16", "2024-01-05 10:00", "C7", "P1", "Mug", 1, 10.0, "UK", "Kitchen", 0, 0, 0, 10.0),
            ("O16", "2024-01-05 09:30", "C7", "P2", "Tea", 2, 5.0, "UK", "Food", 0, 0, 0, 10.0),
            (None, "2024-01-06 10:00", "C3", "P1", "Mug", 1, 10.0, "UK", "Kitchen", 0, 0, 0, 10.0),
            (None, "2024-01-08 10:00", "C3", "P3", "Pot", 1, 30.0, "UK", "Kitchen", 0, 0, 0, 30.0),
            (
                "CO17",
                "2024-01-08 11:00",
                "C7",
                "P1",
                "Mug",
                -1,
                10.0,
                "UK",
                "Kitchen",
                1,
                0,
                0,
                None,
            ),
        ],
        columns=list(fixture_lines().columns.drop("line_no")),
    )
    for c in S.FLAGS:
        extra[c] = extra[c].astype(bool)
    extra["order_date"] = pd.to_datetime(extra["order_date"]).astype("datetime64[us]")
    extra["quantity"] = extra["quantity"].astype("float64")
    extra["revenue"] = extra["revenue"].astype("float64")
    out = pd.concat([fixture_lines().drop(columns=["line_no"]), extra], ignore_index=True)
    out["line_no"] = range(2, len(out) + 2)
    return out


@pytest.mark.parametrize(
    "drop",
    [(), (S.ORDER_ID,), (S.REVENUE,), (S.CATEGORY,), (S.CATEGORY, S.PRODUCT_ID)],
    ids=["all", "no-order-id", "no-revenue", "no-category", "no-breadth"],
)
def test_grouped_history_equals_pandas_on_awkward_lines(store, drop):
    """The history grouped on the id text before the customer codes are joined (hist8)
    equals the pandas route on lines with blank ids that sort first, guest lines sharing an
    order with a blank id, split timestamps, orders without an id, a return without a value,
    and without each optional column. The orders come in the contract's order (by customer,
    each customer's orders in line order), unsorted here."""
    ds = store.save_dataset("Awkward", awkward_history_lines().drop(columns=list(drop))).id
    for f in FILTERS:
        exp = customer_history(store.load_lines(ds, f))
        got = store.customer_history(ds, f)
        assert_same_history(got, exp)
        for c in ("c", "d"):
            assert got.orders[c].tolist() == exp.orders[c].tolist(), (f, c)
        np.testing.assert_allclose(got.orders["r"], exp.orders["r"], rtol=1e-12)
        pd.testing.assert_frame_equal(got.features().table, exp.features().table, rtol=1e-12)
    h = store.customer_history(ds)
    assert "C7" in list(h.customers) and "" not in list(h.customers)
    assert "\t" not in list(h.customers)
    f = h.features(as_of="2024-01-08")
    # guests: O3 (15: postage is not a sale), O6 "  " 10, O14 "" 10, O15 "\t" 5 + no id 10
    assert f.n_guest_orders == 4 and f.guest_revenue == 50.0
    # C7's O16: 20.00 over two lines, started at 09:30 (its second line); without an order
    # id, orders are told apart by their time: two orders
    t = f.table
    assert t.loc["C7", "frequency"] == (2 if S.ORDER_ID in drop else 1)
    assert t.loc["C7", "monetary"] == 20.0
    assert t.loc["C7", "first_order"] == pd.Timestamp("2024-01-05 09:30")
