"""KPIs on a tiny fixture, against numbers computed by hand (see tests/unit/tiny.py)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from ecomdash.errors import ParameterError
from ecomdash.filters import Filters
from ecomdash.kpis import compute_kpis, kpis_from_lines, overview
from ecomdash.store import Store
from tests.unit.tiny import tiny_lines

JAN = Filters(start=date(2024, 1, 1), end=date(2024, 1, 5))

# Hand computation for 2024-01-01..05:
#   sale lines: O1 20 + 5, O2 10 (later cancelled), O3 15 (postage excluded), O4 30 -> gross 80
#   returns: CO2 10 -> net 70; orders O1, O3, O4 (O2 cancelled) -> 3; units 2+1+1+3+1-1 = 7
#   customers: C1 only (O3 is a guest order, C2's only order was cancelled) -> 1, new (first 2024-01-01)
HAND = {
    "revenue": 70.0,
    "gross_sales": 80.0,
    "returns": 10.0,
    "orders": 3,
    "units": 7.0,
    "aov": 70.0 / 3,
    "customers": 1,
    "new_customers": 1,
    "returning_customers": 0,
    "return_rate": 0.125,
}


@pytest.fixture
def saved(tmp_path):
    store = Store.open(tmp_path / "h")
    info = store.save_dataset("Tiny", tiny_lines())
    yield store, info
    store.close()


def test_sql_kpis_match_hand_computation(saved):
    store, info = saved
    got = compute_kpis(store, info.id, JAN)
    for k, v in HAND.items():
        assert got[k] == pytest.approx(v), k


def test_pandas_reference_matches_hand_computation():
    got = kpis_from_lines(tiny_lines(), date(2024, 1, 1), date(2024, 1, 5))
    for k, v in HAND.items():
        assert got[k] == pytest.approx(v), k


def test_previous_period_and_change(saved):
    store, info = saved
    res = overview(store, info.id, JAN)
    assert res.previous_period == (date(2023, 12, 27), date(2023, 12, 31))
    # previous period: O5 only -> gross 10, 1 order, 1 new customer (C3)
    assert res.previous["revenue"] == pytest.approx(10.0)
    assert res.previous["orders"] == 1 and res.previous["new_customers"] == 1
    assert res.change("revenue") == pytest.approx(6.0)  # 70 vs 10
    assert res.grain == "day"
    assert res.trend["revenue"].sum() == pytest.approx(70.0)
    top = res.top_products
    assert list(top["key"]) == ["P3", "P1", "P2"]  # 30, then a tie at 20 broken by id
    assert "POST" not in set(top["key"])
    # P1: 20 + 10 sold - 10 returned = 20 (O1 + O2 - CO2)
    assert float(top.set_index("key").loc["P1", "revenue"]) == pytest.approx(20.0)


def test_filters_drive_kpis(saved):
    store, info = saved
    uk = compute_kpis(
        store, info.id, Filters(start=date(2024, 1, 1), end=date(2024, 1, 5), countries=("UK",))
    )
    assert uk["gross_sales"] == pytest.approx(40.0)  # 20 + 5 + 15
    assert uk["returns"] == 0 and uk["orders"] == 2


def test_whole_range_has_no_previous(saved):
    store, info = saved
    res = overview(store, info.id, Filters())
    assert res.previous is None and res.change("revenue") is None
    assert any("no data before" in n for n in res.notes)


# --- edges: period boundaries, zero amounts, cancelled sales, missing columns ----------------

FEB = Filters(start=date(2024, 2, 1), end=date(2024, 2, 29))


def edge_lines() -> pd.DataFrame:
    """Lines on and around the edges of February 2024 (computed by hand in the tests below)."""
    rows = [
        # order, date, customer, product, qty, revenue, is_return, is_non_product, is_cancelled
        ("P0", "2024-01-31 23:59", "c1", "X", 1, 10.0, False, False, False),  # day before
        ("P1", "2024-02-01 00:00", "c2", "X", 2, 20.0, False, False, False),  # first instant
        ("P2", "2024-02-10 12:00", "c1", "Y", 1, 30.0, False, False, False),
        ("P2", "2024-02-10 12:00", "c1", "FREE", 1, 0.0, False, False, False),  # no amount
        ("P2", "2024-02-10 12:00", "c1", "POST", 1, 5.0, False, True, False),  # postage
        ("P3", "2024-02-15 09:00", "c3", "X", 0, 5.0, False, False, False),  # quantity 0
        ("P4", "2024-02-20 09:00", "c4", "X", 1, 40.0, False, False, True),  # later cancelled
        ("C1", "2024-02-21 09:00", "c2", "X", -1, -10.0, True, False, False),  # a return
        ("C2", "2024-02-22 09:00", "c1", "POST", -1, -5.0, True, True, False),  # postage back
        ("P5", "2024-02-29 23:59", None, "X", 1, 15.0, False, False, False),  # guest, last minute
        ("P6", "2024-03-01 00:00", "c5", "X", 1, 50.0, False, False, False),  # day after
    ]
    df = pd.DataFrame(
        rows,
        columns=[
            "order_id",
            "order_date",
            "customer_id",
            "product_id",
            "quantity",
            "revenue",
            "is_return",
            "is_non_product",
            "is_cancelled",
        ],
    )
    df["order_date"] = pd.to_datetime(df["order_date"]).astype("datetime64[us]")
    df["quantity"] = df["quantity"].astype("float64")
    df["customer_id"] = df["customer_id"].astype("string")
    return df


# February by hand. Sale lines: P1 20, P2 30, P4 40 (cancelled, still gross), P5 15 -> 105
# (FREE has no amount, P3 no quantity, POST is postage, P0/P6 are outside). Returns: C1 10.
# Orders: P1, P2, P5. Units 2 + 1 + 1 + 1 - 1 = 4. Customers c2, c1 (P5 is a guest);
# new: c2 (first order at the first instant); c1 bought on 31 January -> returning.
EDGE_HAND = {
    "revenue": 95.0,
    "gross_sales": 105.0,
    "returns": 10.0,
    "orders": 3,
    "units": 4.0,
    "aov": 95.0 / 3,
    "customers": 2,
    "new_customers": 1,
    "returning_customers": 1,
    "return_rate": 10.0 / 105.0,
}
# Without a quantity column P3 (5.0) is a sale: gross 110, orders 4, c3 a new customer.
EDGE_NO_QTY = {
    **EDGE_HAND,
    "revenue": 100.0,
    "gross_sales": 110.0,
    "orders": 4,
    "units": None,
    "aov": 25.0,
    "customers": 3,
    "new_customers": 2,
    "return_rate": 10.0 / 110.0,
}


def _saved(tmp_path, lines):
    store = Store.open(tmp_path / "edge")
    return store, store.save_dataset("Edges", lines)


def _check(got, hand):
    for k, v in hand.items():
        if v is None:
            assert k in got and got[k] is None, k
        else:
            assert got[k] == pytest.approx(v), (k, got[k], v)


@pytest.mark.parametrize("variant", ["all", "no_quantity"])
def test_kpis_at_the_edges_sql_and_pandas_agree_with_hand(tmp_path, variant):
    lines = edge_lines()
    hand = EDGE_HAND
    if variant == "no_quantity":
        lines, hand = lines.drop(columns=["quantity"]), EDGE_NO_QTY
    _check(kpis_from_lines(lines, FEB.start, FEB.end), hand)
    store, info = _saved(tmp_path, lines)
    try:
        _check(compute_kpis(store, info.id, FEB), hand)
    finally:
        store.close()


def test_kpis_without_customer_ids_leave_customer_figures_out(tmp_path):
    lines = edge_lines().drop(columns=["customer_id"])
    hand = {**EDGE_HAND, "customers": None, "new_customers": None, "returning_customers": None}
    store, info = _saved(tmp_path, lines)
    try:
        _check(compute_kpis(store, info.id, FEB), hand)
    finally:
        store.close()
    got = kpis_from_lines(lines, FEB.start, FEB.end)
    assert "customers" in got and got["customers"] is None and "new_customers" not in got
    _check(got, {k: v for k, v in EDGE_HAND.items() if "customers" not in k})


def test_kpis_over_the_whole_range(tmp_path):
    """No dates given: the whole data (31 January to 1 March), first orders all new."""
    lines = edge_lines()
    # + P0 10 and P6 50 -> gross 165, orders 5, units 6, customers c1 c2 c5 all new
    hand = {
        "revenue": 155.0,
        "gross_sales": 165.0,
        "returns": 10.0,
        "orders": 5,
        "units": 6.0,
        "aov": 31.0,
        "customers": 3,
        "new_customers": 3,
        "returning_customers": 0,
        "return_rate": 10.0 / 165.0,
    }
    _check(kpis_from_lines(lines), hand)
    store, info = _saved(tmp_path, lines)
    try:
        _check(compute_kpis(store, info.id, Filters()), hand)
        # country/category filters kept for "new": none here, the whole range is the period
        _check(compute_kpis(store, info.id, Filters(start=date(2024, 1, 31))), hand)
    finally:
        store.close()


def test_change_is_none_when_not_comparable():
    from ecomdash.kpis import OverviewResult

    def res(now, before):
        empty = pd.DataFrame()
        return OverviewResult(
            kpis={"x": now},
            previous={"x": before},
            period=(None, None),
            previous_period=None,
            trend=empty,
            top_products=empty,
            top_categories=empty,
            top_countries=empty,
            grain="day",
        )

    assert res(150.0, 100.0).change("x") == pytest.approx(0.5)
    assert res(50.0, -100.0).change("x") == pytest.approx(1.5)  # against |before|
    assert res(1.0, 1.0).change("x") == 0.0
    for now, before in (
        (5.0, 0.0),
        (None, 1.0),
        (1.0, None),
        (float("nan"), 1.0),
        (1.0, float("nan")),
    ):
        assert res(now, before).change("x") is None, (now, before)


def test_period_with_a_return_and_no_sale_has_no_ratio(tmp_path):
    """21 February holds only the return C1: nothing sold, so no AOV and no return rate."""
    day = Filters(start=date(2024, 2, 21), end=date(2024, 2, 21))
    hand = {
        "revenue": -10.0,
        "gross_sales": 0.0,
        "returns": 10.0,
        "orders": 0,
        "units": -1.0,
        "aov": None,
        "customers": 0,
        "new_customers": 0,
        "returning_customers": 0,
        "return_rate": None,
    }
    _check(kpis_from_lines(edge_lines(), day.start, day.end), hand)
    store, info = _saved(tmp_path, edge_lines())
    try:
        _check(compute_kpis(store, info.id, day), hand)
    finally:
        store.close()


def test_overview_at_the_edges_by_hand(tmp_path):
    store, info = _saved(tmp_path, edge_lines())
    try:
        res = overview(store, info.id, FEB)
        weekly = overview(store, info.id, FEB, grain="week", top_n=2)
        with pytest.raises(ParameterError, match="grain"):
            overview(store, info.id, FEB, grain="hour")
    finally:
        store.close()
    _check(res.kpis, EDGE_HAND)
    # 29 days: daily trend; every day with a line in the period is a row
    assert res.grain == "day" and res.period == (date(2024, 2, 1), date(2024, 2, 29))
    trend = res.trend.assign(day=res.trend["period"].dt.strftime("%m-%d")).set_index("day")
    assert list(trend.index) == ["02-01", "02-10", "02-15", "02-20", "02-21", "02-22", "02-29"]
    assert trend["revenue"].tolist() == pytest.approx([20, 30, 0, 40, -10, 0, 15])
    assert trend["gross_sales"].tolist() == pytest.approx([20, 30, 0, 40, 0, 0, 15])
    assert trend["returns"].tolist() == pytest.approx([0, 0, 0, 0, 10, 0, 0])
    assert trend["orders"].tolist() == [1, 1, 0, 0, 0, 0, 1]
    # previous 29 days: 3 to 31 January, only P0 (10) on the 31st -> partly covered
    assert res.previous_period == (date(2024, 1, 3), date(2024, 1, 31))
    assert res.previous["revenue"] == pytest.approx(10.0) and res.previous["orders"] == 1
    assert res.change("revenue") == pytest.approx((95 - 10) / 10)
    assert any("starts before the first order" in n for n in res.notes), res.notes
    assert not any("partial" in n for n in res.notes), res.notes
    # products (postage left out): X 20 + 40 + 15 - 10 = 65 in orders P1, P5 (P4 cancelled),
    # units sold 2 + 1 + 1 = 4; Y 30; FREE 0
    top = res.top_products.set_index("key")
    assert list(top.index) == ["X", "Y", "FREE"]
    assert top["revenue"].tolist() == pytest.approx([65, 30, 0])
    assert top["orders"].tolist() == [2, 1, 0]
    assert top["units"].tolist() == pytest.approx([4, 1, 0])
    assert res.top_categories.empty and res.top_countries.empty  # no such columns
    # weekly: the week of 26 February runs past 29 February -> flagged as partial
    assert weekly.grain == "week"
    assert list(weekly.top_products["key"]) == ["X", "Y"]
    assert weekly.trend["revenue"].sum() == pytest.approx(95.0)
    assert any("The last week in the trend is partial" in n for n in weekly.notes), weekly.notes
