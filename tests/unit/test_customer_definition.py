"""Who is a customer, and which of their orders count: one answer on every page.

The Overview counts a customer when they have a kept product sale (a sale line that is not a
return, not postage/fees and not cancelled by a matched return) and an order when it has one
such line (``kpis``). The customer pages (segments, customer value: cohorts, lifetime value,
churn, the data-sufficiency checklist; recommendations) read ``schema.customer_sales`` in
pandas and ``Store.customer_predicate`` in the store's SQL (DuckDB and Spark): the same
customers and orders. Every number here is counted by hand from the lines below.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ecomdash import churn, clv, cohorts
from ecomdash import recommend as R
from ecomdash import schema as S
from ecomdash.features import customer_history
from ecomdash.kpis import compute_kpis
from ecomdash.store import Store

COLUMNS = [
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
]


def hand_lines() -> pd.DataFrame:
    """A: one order, cancelled in full (sale + the return matched to it). B: only postage.
    C: one kept order (20 + 5) and one cancelled order (8). D: two kept orders, the second
    with a cancelled line (5). E: a product line cancelled, the postage kept (the demo's
    four "postage only" customers). A guest order (7)."""
    rows = [
        ("O1", "2024-01-02 10:00", "A", "P1", "Mug", 1, 10.0, "UK", "Kitchen", 0, 0, 1),
        ("CO1", "2024-01-02 11:00", "A", "P1", "Mug", -1, 10.0, "UK", "Kitchen", 1, 0, 0),
        ("O2", "2024-01-03 09:00", "B", "POST", "Postage", 1, 4.0, "UK", None, 0, 1, 0),
        ("O3", "2024-01-03 12:00", "C", "P1", "Mug", 2, 10.0, "UK", "Kitchen", 0, 0, 0),
        ("O3", "2024-01-03 12:00", "C", "P2", "Tea", 1, 5.0, "UK", "Food", 0, 0, 0),
        ("O4", "2024-01-05 15:00", "C", "P2", "Tea", 1, 8.0, "UK", "Food", 0, 0, 1),
        ("CO4", "2024-01-06 10:00", "C", "P2", "Tea", -1, 8.0, "UK", "Food", 1, 0, 0),
        ("O5", "2024-01-02 08:00", "D", "P1", "Mug", 1, 10.0, "UK", "Kitchen", 0, 0, 0),
        ("O6", "2024-01-04 08:00", "D", "P1", "Mug", 1, 10.0, "UK", "Kitchen", 0, 0, 0),
        ("O6", "2024-01-04 08:00", "D", "P2", "Tea", 1, 5.0, "UK", "Food", 0, 0, 1),
        ("CO6", "2024-01-04 09:00", "D", "P2", "Tea", -1, 5.0, "UK", "Food", 1, 0, 0),
        ("O7", "2024-01-04 10:00", "E", "P1", "Mug", 1, 10.0, "UK", "Kitchen", 0, 0, 1),
        ("O7", "2024-01-04 10:00", "E", "POST", "Postage", 1, 4.0, "UK", None, 0, 1, 0),
        ("CO7", "2024-01-04 12:00", "E", "P1", "Mug", -1, 10.0, "UK", "Kitchen", 1, 0, 0),
        ("O8", "2024-01-05 09:00", None, "P2", "Tea", 1, 7.0, "UK", "Food", 0, 0, 0),
    ]
    df = pd.DataFrame(rows, columns=COLUMNS)
    for c in S.FLAGS:
        df[c] = df[c].astype(bool)
    df["order_date"] = pd.to_datetime(df["order_date"]).astype("datetime64[us]")
    df["quantity"] = df["quantity"].astype("float64")
    df["revenue"] = df["quantity"] * df["unit_price"]
    df["line_no"] = range(2, len(df) + 2)
    return df


#: by hand: the Overview's customers and orders
CUSTOMERS = ["C", "D"]
ORDERS = 4  # O3, O5, O6 and the guest's O8 (O1, O4, O7 cancelled; O2 is postage)


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "home")
    yield s
    s.close()


@pytest.fixture
def ds(store):
    return store.save_dataset("Hand", hand_lines()).id


def test_overview_counts_by_hand(store, ds):
    k = compute_kpis(store, ds)
    assert (k["customers"], k["orders"]) == (len(CUSTOMERS), ORDERS)


def _check_history(h):
    assert list(h.customers) == CUSTOMERS
    f = h.features(as_of="2024-01-06")
    t = f.table
    # C: O3 only (20 + 5); O4 (8) was cancelled — no order, no spend, no "repeat"
    assert t.loc["C", "frequency"] == 1 and t.loc["C", "monetary"] == 25.0
    # D: O5 and O6; O6's tea (5) was cancelled: 10 + 10
    assert t.loc["D", "frequency"] == 2 and t.loc["D", "monetary"] == 20.0
    # the return rate keeps its meaning: returned / purchased (kept + cancelled)
    assert t.loc["C", "return_rate"] == pytest.approx(8 / 33)
    assert t.loc["D", "return_rate"] == pytest.approx(5 / 25)
    # breadth counts what was kept: D's only kept category is Kitchen
    assert t.loc["C", "category_breadth"] == 2 and t.loc["D", "category_breadth"] == 1
    assert t.loc["C", "recency_days"] == 3 and t.loc["D", "recency_days"] == 2
    assert (f.n_guest_orders, f.guest_revenue) == (1, 7.0)
    # the cancelled value by customer and order: C's O4 (8), D's O6 tea (5)
    assert h.cancelled["v"].tolist() == [8.0, 5.0] and h.cancelled["c"].tolist() == [0, 1]


def test_customer_history_both_routes(store, ds):
    _check_history(customer_history(store.load_lines(ds)))
    _check_history(store.customer_history(ds))


def _check_days(days: pd.DataFrame):
    assert days["customer_id"].tolist() == ["C", "D", "D"]
    assert days["date"].dt.strftime("%m-%d").tolist() == ["01-03", "01-02", "01-04"]
    assert days["value"].tolist() == [25.0, 10.0, 10.0]


def _checklist(s: churn.SufficiencyResult) -> dict:
    return dict(zip(s.checks["check"], s.checks["found"], strict=True))


def test_customer_days_cohorts_and_checklist_both_routes(store, ds):
    lines = store.load_lines(ds)
    sales = S.customer_sales(lines)
    # O3 (2 lines), O5, O6's mug, the guest's O8
    assert len(sales) == 5
    _check_days(clv.customer_days(sales))
    cd = store.customer_days(ds)
    _check_days(cd.days)
    assert (cd.n_sales_lines, cd.n_with_id) == (5, 4)
    # the checklist: 2 customers, 1 repeat buyer (D: 2 purchase days; C's second day was
    # the cancelled O4)
    for s in (
        churn.sufficiency(lines),
        churn.sufficiency_from_days(cd.days, n_lines=cd.n_sales_lines, n_with_id=cd.n_with_id),
    ):
        found = _checklist(s)
        assert found["Customers with ids"] == "2"
        assert found["Repeat buyers (2+ purchase days)"] == "1"
        assert found["Sale lines with a customer id"].startswith("4 of 5")
    # cohorts: both customers start in 2024-01, active that month, spend 25 + 20
    co = cohorts.cohorts(sales)
    assert co.n_customers == 2
    cells = store.cohort_cells(ds).cells
    assert cells[["offset", "customers", "revenue"]].values.tolist() == [[0, 2, 45.0]]


def _check_interactions(inter):
    assert list(inter.customers) == CUSTOMERS
    c = inter.counts.toarray()
    p1, p2 = inter.products.get_loc("P1"), inter.products.get_loc("P2")
    # C bought P1 and P2 in O3 (O4's tea was cancelled); D bought P1 twice (O6's tea cancelled)
    assert c[:, [p1, p2]].tolist() == [[1, 1], [2, 0]]


def test_interactions_both_routes(store, ds):
    _check_interactions(R.build_interactions(store.load_lines(ds)))
    _check_interactions(store.interactions(ds))
    # the Recommendations page's one-pass SQL (aggregates_recommend.recommend_data)
    _check_interactions(store.recommend_data(ds, test_days=2)[0])


def test_every_route_gives_the_overview_customers(store, ds):
    """The Overview's count equals every customer page's, on both routes."""
    lines = store.load_lines(ds)
    want = compute_kpis(store, ds)["customers"]
    counts = {
        "history (sql)": store.customer_history(ds).features().n_customers,
        "history (pandas)": customer_history(lines).features().n_customers,
        "days (sql)": store.customer_days(ds).days["customer_id"].nunique(),
        "cohorts (sql)": int(store.cohort_cells(ds).cells.query("offset == 0")["customers"].sum()),
        "cohorts (pandas)": cohorts.cohorts(S.customer_sales(lines)).n_customers,
        "interactions (sql)": len(store.interactions(ds).customers),
        "interactions (pandas)": len(R.build_interactions(lines).customers),
    }
    assert counts == dict.fromkeys(counts, want)


def test_spark_gives_the_same_customers(spark_session, tmp_path, store, ds):
    """The same SQL as Spark SQL: the hand-built lines in a lake give the hand counts."""
    from ecomdash.spark.store import SparkStore

    sp = SparkStore(spark_session, str(tmp_path / "lake"))
    sid = sp.save_dataset("Hand", hand_lines()).id
    _check_history(sp.customer_history(sid))
    cd = sp.customer_days(sid)
    _check_days(cd.days)
    assert (cd.n_sales_lines, cd.n_with_id) == (5, 4)
    cells = sp.cohort_cells(sid).cells
    assert cells[["offset", "customers", "revenue"]].values.tolist() == [[0, 2, 45.0]]
    _check_interactions(sp.interactions(sid))
    _check_interactions(sp.recommend_data(sid, test_days=2)[0])
    assert compute_kpis(sp, sid)["customers"] == len(CUSTOMERS)


def test_return_rate_unchanged_for_kept_customers_on_demo(store, demo):
    """Leaving cancelled sales out of a customer's purchases drops the customers who kept
    nothing and the fully cancelled orders, but a kept customer's return rate stays
    returned / purchased: the same as when cancelled lines counted as purchases."""
    ds = store.ensure_demo(demo.lines).id
    lines = store.load_lines(ds)
    t = store.customer_history(ds).features().table
    # the old definition, by hand in pandas: every sale line a purchase
    sales = S.sales_lines(lines).dropna(subset=[S.CUSTOMER_ID])
    bought = sales.groupby(S.CUSTOMER_ID)[S.REVENUE].sum()
    ret = lines[lines[S.IS_RETURN] & ~lines[S.IS_NON_PRODUCT]].dropna(subset=[S.CUSTOMER_ID])
    returned = ret.groupby(S.CUSTOMER_ID)[S.REVENUE].sum().abs()
    old = (returned.reindex(bought.index, fill_value=0.0) / bought).clip(0, 1)
    np.testing.assert_allclose(t["return_rate"], old.reindex(t.index), rtol=1e-9)
    assert len(t) == compute_kpis(store, ds)["customers"]
