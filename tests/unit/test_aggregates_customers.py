"""The customer-value SQL aggregates (ecomdash/aggregates_customers.py) equal the pandas
computations on the same sales lines: customer days (lifetime value, the checklist) and
cohort cells (cohort matrices), on the demo, the awkward fixture and small data checked by
hand. Revenue sums are compared to float rounding (DuckDB adds in another order)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from ecomdash import churn, clv, cohorts
from ecomdash import schema as S
from ecomdash.aggregates_customers import cohort_cells_from_days
from ecomdash.errors import InsufficientDataError, ParameterError
from ecomdash.filters import Filters
from ecomdash.store import Store
from ecomdash.ui.value import (
    ValueParams,
    clv_days,
    cohorts_cells,
    page_cohort_cells,
    run_clv,
    sufficiency_days,
)
from tests.unit.test_store_aggregates import fixture_lines


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "home")
    yield s
    s.close()


@pytest.fixture
def demo_id(store, demo):
    return store.ensure_demo(demo.lines).id


@pytest.fixture
def fixture_id(store):
    return store.save_dataset("Fixture", fixture_lines()).id


def _lines(rows) -> pd.DataFrame:
    """(customer, order date, revenue, category, country) -> canonical sale lines."""
    df = pd.DataFrame(rows, columns=["customer_id", "order_date", "revenue", "category", "country"])
    n = len(df)
    return df.assign(
        order_id=[f"O{i}" for i in range(n)],
        order_date=pd.to_datetime(df["order_date"]),
        product_id="P1",
        quantity=1.0,
        unit_price=df["revenue"].fillna(1.0),
        is_return=False,
        is_non_product=False,
        is_cancelled=False,
    )


FILTERS = [None, Filters(start=dt.date(2024, 3, 1), countries=("United Kingdom", "UK"))]


@pytest.mark.parametrize("which", ["demo", "fixture"])
@pytest.mark.parametrize("filters", FILTERS)
def test_customer_days_equal_pandas(store, request, which, filters):
    ds = request.getfixturevalue(f"{which}_id")
    sales = S.customer_sales(store.load_lines(ds, filters))
    cd = store.customer_days(ds, filters)
    if sales.empty:  # a filter that keeps nothing: nothing in SQL either
        assert cd.days.empty and cd.n_sales_lines == 0
        return
    ref = clv.customer_days(sales)
    pd.testing.assert_frame_equal(cd.days, ref, check_exact=False, rtol=1e-12)
    assert cd.n_sales_lines == len(sales)
    blank = sales[S.CUSTOMER_ID].astype("string").str.strip().fillna("") == ""
    assert cd.n_with_id == int((~blank).sum())
    # the checklist from SQL counts equals the one from the lines
    p = ValueParams()
    pd.testing.assert_frame_equal(
        sufficiency_days(cd, p.window_days).checks,
        churn.sufficiency(sales, window_days=p.window_days, sales=sales).checks,
    )


def test_clv_from_sql_days_equals_lines_route(store, demo_id):
    p = ValueParams()
    sales = S.customer_sales(store.load_lines(demo_id))
    new, old = clv_days(store.customer_days(demo_id), p), run_clv(sales, p)
    pd.testing.assert_frame_equal(new.customers, old.customers)
    assert new.method == old.method
    assert new.params.r == pytest.approx(old.params.r, rel=1e-9)


COHORT_OPTIONS = [
    {},
    {"first_categories": ("Kitchen",)},
    {"countries": ("UK", "United Kingdom")},
    {"first_categories": ("Kitchen", "Home"), "countries": ("UK", "United Kingdom")},
]


def _assert_same_cohorts(new: cohorts.CohortResult, old: cohorts.CohortResult) -> None:
    for kind in cohorts.VIEWS:
        pd.testing.assert_frame_equal(
            new.matrix(kind), old.matrix(kind), check_exact=False, rtol=1e-12
        )
    pd.testing.assert_series_equal(new.sizes, old.sizes)
    assert (new.n_customers, new.lines_without_customer, new.partial_last_month) == (
        old.n_customers,
        old.lines_without_customer,
        old.partial_last_month,
    )
    # the same window start (the cells' routes read days) and the same cohort marked
    assert new.first_day.normalize() == old.first_day.normalize()
    pd.testing.assert_series_equal(new.before_data, old.before_data)


@pytest.mark.parametrize("which", ["demo", "fixture"])
@pytest.mark.parametrize("opts", COHORT_OPTIONS)
def test_cohort_cells_equal_pandas(store, request, which, opts):
    ds = request.getfixturevalue(f"{which}_id")
    sales = S.customer_sales(store.load_lines(ds))
    try:
        old = cohorts.cohorts(sales, **opts)
    except InsufficientDataError as err:  # the filter keeps no customer: the same error
        with pytest.raises(InsufficientDataError, match="widen the filter"):
            cohorts_cells(store.cohort_cells(ds, **opts), ValueParams(**opts))
        assert "widen the filter" in str(err)
        return
    new = cohorts_cells(store.cohort_cells(ds, **opts), ValueParams(**opts))
    _assert_same_cohorts(new, old)


def test_cohorts_by_hand(store):
    rows = [
        ("a", "2024-01-05", 10.0, "Kitchen", "UK"),
        ("a", "2024-02-01", 5.0, "Food", "UK"),
        ("a", "2024-02-20", 1.0, "Food", "UK"),
        ("b", "2024-01-20", 7.0, "Food", "DE"),
        ("c", "2024-02-03", 4.0, "Kitchen", "UK"),
        ("c", "2024-04-10", 6.0, "Kitchen", "UK"),
        (" ", "2024-03-01", 9.0, "Food", "UK"),  # blank id: left out, counted
        (None, "2024-03-02", 9.0, "Food", "UK"),  # guest: left out, counted
    ]
    ds = store.save_dataset("hand", _lines(rows)).id
    cc = store.cohort_cells(ds)
    assert cc.lines_without_customer == 2
    assert cc.last_day == pd.Timestamp("2024-04-10")
    res = cohorts_cells(cc, ValueParams())
    # Jan cohort: a, b (2); Feb cohort: c (1). a active Jan+Feb, c active Feb+Apr.
    assert res.sizes.tolist() == [2, 1]
    assert res.customers.to_numpy()[0, :4].tolist() == [2.0, 1.0, 0.0, 0.0]
    assert res.customers.to_numpy()[1, :3].tolist() == [1.0, 0.0, 1.0]
    assert np.isnan(res.customers.to_numpy()[1, 3])  # Feb + 3 months is after the data
    assert res.revenue.to_numpy()[0, :2].tolist() == [17.0, 6.0]
    assert res.cumulative_revenue_per_customer.to_numpy()[1, :3].tolist() == [4.0, 4.0, 10.0]
    assert res.partial_last_month
    # first category: a's first day has Kitchen, b's Food, c's Kitchen
    kit = cohorts_cells(
        store.cohort_cells(ds, first_categories=("Kitchen",)),
        ValueParams(first_categories=("Kitchen",)),
    )
    assert kit.sizes.tolist() == [1, 1] and kit.n_customers == 2
    de = store.cohort_cells(ds, countries=("DE",))
    assert de.cells[["cohort", "offset", "customers"]].to_numpy().tolist() == [
        [(2024 - 1970) * 12, 0, 1]
    ]


SHOP = [  # L1, L2 long-time buyers (earlier orders before the data); N0..N3 new
    ("L1", "2024-01-03 10:00", 20.0, "Tea", "UK"),
    ("L1", "2024-02-05 10:00", 20.0, "Tea", "UK"),
    ("L1", "2024-03-07 10:00", 20.0, "Tea", "UK"),
    ("L2", "2024-01-10 10:00", 30.0, "Tea", "UK"),
    ("L2", "2024-03-12 10:00", 30.0, "Tea", "UK"),
    ("N0", "2024-01-25 10:00", 10.0, "Tea", "UK"),
    ("N1", "2024-02-14 10:00", 40.0, "Tea", "FR"),
    ("N2", "2024-02-20 10:00", 10.0, "Tea", "UK"),
    ("N2", "2024-03-01 10:00", 5.0, "Tea", "UK"),
    ("N3", "2024-03-15 10:00", 25.0, "Tea", "FR"),
    (None, "2023-12-30 10:00", 9.0, "Tea", "UK"),  # a guest's earlier order: not the window
]


@pytest.mark.parametrize(
    "filters, opts, sizes, first_day, marked",
    [
        # the data starts on 3 Jan (the guest's December line has no customer): Jan is marked
        (None, {}, [3, 2, 1], "2024-01-03", [True, False, False]),
        # from February on: Feb (L1, N1, N2) holds L1, already buying before the period
        (Filters(start=dt.date(2024, 2, 1)), {}, [3, 2], "2024-02-05", [True, False]),
        # first country FR (N1 Feb, N3 Mar): Feb is not the data's first month
        (None, {"countries": ("FR",)}, [1, 1], "2024-01-03", [False, False]),
    ],
)
def test_store_routes_mark_the_data_first_month(store, filters, opts, sizes, first_day, marked):
    ds = store.save_dataset("shop", _lines(SHOP)).id
    routes = [store.cohort_cells(ds, filters, **opts)]
    if not opts:
        routes.append(cohort_cells_from_days(store.customer_days(ds, filters)))
    for cells in routes:
        assert cells.first_day.normalize() == pd.Timestamp(first_day)
        res = cohorts_cells(cells, ValueParams(**opts))
        assert res.sizes.tolist() == sizes
        assert res.before_data.tolist() == marked
    lines = S.customer_sales(store.load_lines(ds, filters))
    assert cohorts.cohorts(lines, **opts).before_data.tolist() == marked


def test_first_attribute_ties_and_missing_values(store):
    """The first order day's highest-revenue line decides; equal revenue: the smaller value;
    a line without the value does not count."""
    rows = [
        ("a", "2024-01-05 09:00", 5.0, "Zeta", "UK"),
        ("a", "2024-01-05 18:00", 5.0, "Alpha", "UK"),  # tie on revenue: Alpha wins
        ("b", "2024-01-06 09:00", 3.0, "Alpha", "UK"),
        ("b", "2024-01-06 10:00", 8.0, "Zeta", "UK"),  # higher revenue: Zeta wins
        ("c", "2024-01-07 09:00", 50.0, None, "UK"),  # no category on the big line
        ("c", "2024-01-07 10:00", 1.0, "Zeta", "UK"),
        ("c", "2024-01-08 10:00", 99.0, "Alpha", "UK"),  # a later day does not count
    ]
    lines = _lines(rows)
    ds = store.save_dataset("ties", lines).id
    for wanted, n in ((("Alpha",), 1), (("Zeta",), 2)):
        p = ValueParams(first_categories=wanted)
        new = cohorts_cells(store.cohort_cells(ds, first_categories=wanted), p)
        old = cohorts.cohorts(S.customer_sales(lines), first_categories=wanted)
        assert new.n_customers == old.n_customers == n
        _assert_same_cohorts(new, old)


def test_cohort_cells_errors(store):
    lines = _lines([(None, "2024-01-05", 5.0, "A", "UK")])
    ds = store.save_dataset("guests", lines).id
    with pytest.raises(InsufficientDataError, match="found 0 of 1 lines"):
        store.cohort_cells(ds)
    no_cat = store.save_dataset(
        "nocat", _lines([("a", "2024-01-05", 5.0, "A", "UK")]).drop(columns=["category"])
    ).id
    with pytest.raises(ParameterError, match="needs the 'category' column"):
        store.cohort_cells(no_cat, first_categories=("A",))
    with pytest.raises(InsufficientDataError, match="widen the filter"):
        cohorts_cells(store.cohort_cells(no_cat, countries=("FR",)), ValueParams())


def test_customer_days_without_customer_column(store):
    lines = _lines([("a", "2024-01-05", 5.0, "A", "UK")]).drop(columns=["customer_id"])
    ds = store.save_dataset("noid", lines).id
    cd = store.customer_days(ds)
    assert cd.days is None and (cd.n_sales_lines, cd.n_with_id) == (1, 0)
    with pytest.raises(InsufficientDataError, match="customer id and order date"):
        clv_days(cd, ValueParams())
    ref = churn.sufficiency(lines, sales=S.customer_sales(lines))
    pd.testing.assert_frame_equal(sufficiency_days(cd, 90).checks, ref.checks)


# -- the page's cohort cells from the customer days (no second pass over the lines) -------


@pytest.mark.parametrize("which", ["demo", "fixture"])
@pytest.mark.parametrize("filters", FILTERS)
def test_cohort_cells_from_days_equal_the_sql_cells(store, request, which, filters):
    """Without cohort filters the page builds the cells from ``customer_days``: the same
    cells as ``Store.cohort_cells`` (revenue to float rounding), so the same cohort tables."""
    ds = request.getfixturevalue(f"{which}_id")
    cd = store.customer_days(ds, filters)
    if cd.days.empty:
        with pytest.raises(InsufficientDataError, match="found 0 of"):
            cohort_cells_from_days(cd)
        return
    new, old = cohort_cells_from_days(cd), store.cohort_cells(ds, filters)
    cols = ["cohort", "offset", "customers"]
    assert new.cells[cols].to_numpy().tolist() == old.cells[cols].to_numpy().tolist()
    np.testing.assert_allclose(new.cells["revenue"], old.cells["revenue"], rtol=1e-12)
    assert new.lines_without_customer == old.lines_without_customer
    assert new.last_day == old.last_day.normalize()
    p = ValueParams()
    page = cohorts_cells(page_cohort_cells(cd, p, lambda: pytest.fail("read the store")), p)
    _assert_same_cohorts(page, cohorts_cells(old, p))


def test_cohort_cells_from_days_by_hand(store):
    rows = [
        ("a", "2024-01-05", 10.0, "Kitchen", "UK"),
        ("a", "2024-02-01", 5.0, "Food", "UK"),
        ("a", "2024-02-20", 1.0, "Food", "UK"),
        ("b", "2024-01-20", 7.0, "Food", "DE"),
        ("c", "2024-02-03", 4.0, "Kitchen", "UK"),
        ("c", "2024-04-10", 6.0, "Kitchen", "UK"),
        (" ", "2024-03-01", 9.0, "Food", "UK"),
        (None, "2024-03-02", 9.0, "Food", "UK"),
    ]
    ds = store.save_dataset("hand", _lines(rows)).id
    cc = cohort_cells_from_days(store.customer_days(ds))
    jan = (2024 - 1970) * 12
    # Jan cohort (a, b): 2 customers 17.0, then a in Feb 6.0; Feb cohort (c): 4.0, c in Apr 6.0
    assert cc.cells.to_numpy().tolist() == [
        [jan, 0, 2, 17.0],
        [jan, 1, 1, 6.0],
        [jan + 1, 0, 1, 4.0],
        [jan + 1, 2, 1, 6.0],
    ]
    assert (cc.lines_without_customer, cc.last_day) == (2, pd.Timestamp("2024-04-10"))
    # cohort filters, or no customer days: the store's SQL (which names the missing column)
    p = ValueParams(first_categories=("Kitchen",))
    assert page_cohort_cells(store.customer_days(ds), p, lambda: "sql") == "sql"
    noid = store.save_dataset("noid", _lines(rows[:1]).drop(columns=["customer_id"])).id
    assert cohort_cells_from_days(store.customer_days(noid)) is None
    with pytest.raises(InsufficientDataError, match="'customer_id' column"):
        page_cohort_cells(
            store.customer_days(noid), ValueParams(), lambda: store.cohort_cells(noid)
        )
