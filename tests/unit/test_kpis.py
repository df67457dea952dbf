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
#   repeat: C1 placed two orders (O1, O4), both in the period -> 1
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
    "repeat_customers": 1,
    "return_rate": 0.125,
}


@pytest.fixture(params=["rollup", "lines"])
def path(request, monkeypatch):
    """Read through the per-order rollup (the default) or, with it off, the lines' SQL."""
    if request.param == "lines":
        monkeypatch.setenv("ECOMDASH_ROLLUP", "0")
    return request.param


@pytest.fixture
def saved(tmp_path, path):
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
    assert list(top["name"]) == ["Pot", "Mug", "Tea"]
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
    assert any(
        n.startswith("There is no data before this period")
        and n.endswith("to compare with an earlier period.")
        for n in res.notes
    ), res.notes


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
# Repeat: c1 (P0 on 31 January, P2); c2 has one order (C1 is a return) -> 1.
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
    "repeat_customers": 1,
    "return_rate": 10.0 / 105.0,
}
# Without a quantity column P3 (5.0) is a sale: gross 110, orders 4, c3 a new customer
# (one order: not a repeat one).
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
def test_kpis_at_the_edges_sql_and_pandas_agree_with_hand(tmp_path, path, variant):
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


def test_kpis_without_customer_ids_leave_customer_figures_out(tmp_path, path):
    lines = edge_lines().drop(columns=["customer_id"])
    hand = {
        **EDGE_HAND,
        "customers": None,
        "new_customers": None,
        "returning_customers": None,
        "repeat_customers": None,
    }
    store, info = _saved(tmp_path, lines)
    try:
        _check(compute_kpis(store, info.id, FEB), hand)
    finally:
        store.close()
    got = kpis_from_lines(lines, FEB.start, FEB.end)
    assert "customers" in got and got["customers"] is None and "new_customers" not in got
    _check(got, {k: v for k, v in EDGE_HAND.items() if "customers" not in k})


def test_kpis_over_the_whole_range(tmp_path, path):
    """No dates given: the whole data (31 January to 1 March), first orders all new."""
    lines = edge_lines()
    # + P0 10 and P6 50 -> gross 165, orders 5, units 6, customers c1 c2 c5 all new;
    # c1 (P0, P2) the one repeat customer
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
        "repeat_customers": 1,
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


def test_period_with_a_return_and_no_sale_has_no_ratio(tmp_path, path):
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
        "repeat_customers": 0,
        "return_rate": None,
    }
    _check(kpis_from_lines(edge_lines(), day.start, day.end), hand)
    store, info = _saved(tmp_path, edge_lines())
    try:
        _check(compute_kpis(store, info.id, day), hand)
    finally:
        store.close()


def test_overview_at_the_edges_by_hand(tmp_path, path):
    store, info = _saved(tmp_path, edge_lines())
    try:
        res = overview(store, info.id, FEB)
        weekly = overview(store, info.id, FEB, grain="week", top_n=2)
        with pytest.raises(ParameterError, match="Got 'hour' instead"):
            overview(store, info.id, FEB, grain="hour")
    finally:
        store.close()
    _check(res.kpis, EDGE_HAND)
    # 29 days: daily trend; every day with a line in the period is a row
    assert res.grain == "day" and res.period == (date(2024, 2, 1), date(2024, 2, 29))
    # lines datasets: no units in the trend (units net of returns are a summed-sales column)
    assert list(res.trend.columns) == ["period", "revenue", "gross_sales", "returns", "orders"]
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
    # ... so the Overview's tiles do not compare totals with it (+850 % is 28 days without
    # data), only per-order figures and shares
    assert res.previous_partial
    assert res.comparable_change("revenue") is None and res.comparable_change("orders") is None
    assert res.comparable_change("aov") == res.change("aov") is not None
    assert (
        "The previous period (3 January 2024 to 31 January 2024) starts before the data's first "
        "purchase (31 January 2024), so it is only partly covered." in res.notes
    ), res.notes
    assert not any("partial" in n for n in res.notes), res.notes
    # products (postage left out): X 20 + 40 + 15 - 10 = 65 in orders P1, P5 (P4 cancelled),
    # units sold 2 + 1 + 1 = 4 less 1 returned (C1) = 3, as the Units tile; Y 30; FREE 0
    top = res.top_products.set_index("key")
    assert list(top.index) == ["X", "Y", "FREE"]
    assert top["revenue"].tolist() == pytest.approx([65, 30, 0])
    assert top["orders"].tolist() == [2, 1, 0]
    assert top["units"].tolist() == pytest.approx([3, 1, 0])
    assert res.top_categories.empty and res.top_countries.empty  # no such columns
    # weekly: the week of 26 February runs past 29 February -> flagged as partial
    assert weekly.grain == "week"
    assert list(weekly.top_products["key"]) == ["X", "Y"]
    assert weekly.trend["revenue"].sum() == pytest.approx(95.0)
    assert any("The last week in the trend is partial" in n for n in weekly.notes), weekly.notes
    # ... and the first, from Monday 29 January, holds only 1 to 4 February: said too (its
    # bar would read as a dip); the daily trend has no such note
    assert list(weekly.trend["period"].dt.strftime("%m-%d"))[0] == "01-29"
    assert (
        "The first week in the trend is partial (data from 1 February 2024); read it with care."
        in weekly.notes
    ), weekly.notes
    assert not any("first" in n and "partial" in n for n in res.notes), res.notes


# --- countries, categories, long periods: by hand, over the rollup and over the lines --------


def shop_lines() -> pd.DataFrame:
    """Fifteen months of a small shop in three countries (hand computations in the tests)."""
    rows = [
        # order, date, customer, product, qty, revenue, country, category, is_return
        ("A0", "2023-03-01 10:00", "c5", "Z", 1, 50.0, "UK", "Garden", False),
        ("A1", "2024-01-10 10:00", "c1", "X", 1, 100.0, "UK", "Kitchen", False),
        ("A2", "2024-02-05 10:00", "c1", "Y", 2, 40.0, "FR", "Food", False),
        ("A3", "2024-02-20 10:00", "c2", "X", 1, 100.0, "FR", "Kitchen", False),
        ("A4", "2024-03-15 10:00", "c2", "Y", 1, 20.0, "FR", "Food", False),
        ("A5", "2024-04-02 10:00", "c3", "X", 3, 300.0, "UK", "Kitchen", False),
        ("R1", "2024-04-10 10:00", "c3", "X", -1, -100.0, "UK", "Kitchen", True),
        ("A6", "2024-05-20 10:00", "c4", "Y", 1, 20.0, "DE", "Food", False),
        ("A7", "2024-05-31 10:00", "c1", "X", 1, 100.0, "UK", "Kitchen", False),
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
            "country",
            "category",
            "is_return",
        ],
    )
    df["order_date"] = pd.to_datetime(df["order_date"]).astype("datetime64[us]")
    df["quantity"] = df["quantity"].astype("float64")
    df["customer_id"] = df["customer_id"].astype("string")
    df["is_non_product"] = False
    df["is_cancelled"] = False
    return df


@pytest.fixture
def shop(tmp_path, path):
    """The shop saved in a store, read through the order rollup or (rollup off) the lines."""
    store = Store.open(tmp_path / "shop")
    info = store.save_dataset("Shop", shop_lines())
    yield store, info
    store.close()


def test_new_and_repeat_customers_keep_the_country_and_category_filters(shop):
    store, info = shop
    # France, February-March: c1's first French order is A2 (5 Feb; c1 bought in the UK on
    # 10 Jan) -> new; c2's first is A3 -> new. c2 has two French orders (A3, A4) -> repeat;
    # c1 only one in France (two anywhere) -> not repeat.
    fr = compute_kpis(
        store, info.id, Filters(date(2024, 2, 1), date(2024, 3, 31), countries=("FR",))
    )
    _check(
        fr,
        {
            "revenue": 160.0,
            "orders": 3,
            "customers": 2,
            "new_customers": 2,
            "returning_customers": 0,
            "repeat_customers": 1,
        },
    )
    # the pandas reference over the French lines agrees (history filtered the same way)
    lines = shop_lines()
    _check(
        kpis_from_lines(lines[lines["country"] == "FR"], date(2024, 2, 1), date(2024, 3, 31)), fr
    )
    # Kitchen, April-May: c3 (A5, first Kitchen order) new; c1 (A7) bought Kitchen on
    # 10 Jan -> returning and repeat (A1, A7); the Food orders (A6) do not count.
    kitchen = compute_kpis(
        store, info.id, Filters(date(2024, 4, 1), date(2024, 5, 31), categories=("Kitchen",))
    )
    _check(
        kitchen,
        {
            "revenue": 300.0,
            "gross_sales": 400.0,
            "returns": 100.0,
            "orders": 2,
            "units": 3.0,
            "customers": 2,
            "new_customers": 1,
            "returning_customers": 1,
            "repeat_customers": 1,
        },
    )


def test_overview_by_month_with_country_and_category_breakdowns(shop):
    store, info = shop
    res = overview(store, info.id)  # 1 March 2023 to 31 May 2024: 458 days -> months
    assert res.grain == "month" and res.period == (date(2023, 3, 1), date(2024, 5, 31))
    months = res.trend.assign(m=res.trend["period"].dt.strftime("%Y-%m")).set_index("m")
    assert list(months.index) == ["2023-03", "2024-01", "2024-02", "2024-03", "2024-04", "2024-05"]
    # April: A5 300 sold, R1 100 back; May: A6 20 + A7 100; February: A2 40 + A3 100
    assert months["revenue"].tolist() == pytest.approx([50, 100, 140, 20, 200, 120])
    assert months["gross_sales"].tolist() == pytest.approx([50, 100, 140, 20, 300, 120])
    assert months["returns"].tolist() == pytest.approx([0, 0, 0, 0, 100, 0])
    assert months["orders"].tolist() == [1, 1, 2, 1, 1, 2]
    assert not any("partial" in n for n in res.notes), res.notes  # May is whole
    assert any("no data before" in n for n in res.notes), res.notes
    assert res.top_locations.empty and res.events == ()  # no location, no event column
    # UK 50 + 100 + 300 - 100 + 100 = 450 in 4 orders, FR 40 + 100 + 20 = 160 in 3, DE 20
    countries = res.top_countries.set_index("key")
    assert list(countries.index) == ["UK", "FR", "DE"]
    assert countries["revenue"].tolist() == pytest.approx([450, 160, 20])
    assert countries["orders"].tolist() == [4, 3, 1]
    # units net of returns, as the tile: UK 6 sold less R1's 1
    assert countries["units"].tolist() == pytest.approx([5, 4, 1])
    # Kitchen 100 + 100 + 300 - 100 + 100 = 500, Food 40 + 20 + 20 = 80, Garden 50
    categories = res.top_categories.set_index("key")
    assert list(categories.index) == ["Kitchen", "Food", "Garden"]
    assert categories["revenue"].tolist() == pytest.approx([500, 80, 50])
    assert categories["orders"].tolist() == [4, 3, 1]
    # top 2 products: X 100 + 100 + 300 - 100 + 100 = 500, Y 40 + 20 + 20 = 80 (Z 50 left out)
    top2 = overview(store, info.id, top_n=2).top_products.set_index("key")
    assert list(top2.index) == ["X", "Y"]
    assert top2["revenue"].tolist() == pytest.approx([500, 80])
    # ending on 20 May, the month of May is cut short
    cut = overview(store, info.id, Filters(date(2023, 3, 1), date(2024, 5, 20)))
    assert cut.grain == "month"
    assert cut.trend["revenue"].tolist()[-1] == pytest.approx(20.0)  # A6 only
    assert (
        "The last month in the trend is partial (data up to 20 May 2024); read it with care."
        in (cut.notes)
    )
    # weeks: ending on Saturday 1 June the week of 27 May (A7) is cut short; ending on
    # Sunday 2 June it is whole
    sat = overview(store, info.id, Filters(date(2024, 3, 1), date(2024, 6, 1)), grain="week")
    sun = overview(store, info.id, Filters(date(2024, 3, 1), date(2024, 6, 2)), grain="week")
    assert any("The last week in the trend is partial" in n for n in sat.notes), sat.notes
    assert not any("partial" in n for n in sun.notes), sun.notes
    # filtered breakdowns: Kitchen in the UK, April-May: A5 300 - R1 100 and A7 100
    uk = overview(
        store, info.id, Filters(date(2024, 4, 1), date(2024, 5, 31), ("UK",), ("Kitchen",))
    )
    assert uk.kpis["revenue"] == pytest.approx(300.0)
    assert uk.top_countries.set_index("key")["revenue"].to_dict() == pytest.approx({"UK": 300})
    assert uk.top_categories.set_index("key")["revenue"].to_dict() == pytest.approx(
        {"Kitchen": 300}
    )
    assert uk.trend["revenue"].sum() == pytest.approx(300.0)
    # Food in France, February-March: A2 40 + A4 20 (A3 is Kitchen)
    food = overview(
        store, info.id, Filters(date(2024, 2, 1), date(2024, 3, 31), ("FR",), ("Food",))
    )
    assert food.trend["revenue"].sum() == pytest.approx(60.0)
    assert food.top_products.set_index("key")["revenue"].to_dict() == pytest.approx({"Y": 60})
    # a previous period starting on the first order's day is fully covered: no note
    day2 = overview(store, info.id, Filters(date(2023, 3, 2), date(2023, 3, 2)))
    assert day2.previous_period == (date(2023, 3, 1), date(2023, 3, 1))
    assert day2.previous["revenue"] == pytest.approx(50.0)
    assert not any("partly covered" in n for n in day2.notes), day2.notes


def test_overview_without_a_quantity_column_by_hand(tmp_path, path):
    """Amounts but no quantity: the breakdowns (read from the lines when the rollup is off)
    carry revenue and orders and no units column."""
    store = Store.open(tmp_path / "noqty")
    try:
        info = store.save_dataset("No quantity", shop_lines().drop(columns=["quantity"]))
        res = overview(store, info.id)
    finally:
        store.close()
    assert res.kpis["revenue"] == pytest.approx(630.0) and res.kpis["units"] is None
    # X 100 + 100 + 300 - 100 + 100 = 500 in 4 orders, Y 40 + 20 + 20 = 80 in 3, Z 50 in 1
    top = res.top_products.set_index("key")
    assert list(top.index) == ["X", "Y", "Z"]
    assert top["revenue"].tolist() == pytest.approx([500, 80, 50])
    assert top["orders"].tolist() == [4, 3, 1]
    # UK 450 in 4 orders, FR 160 in 3, DE 20 in 1
    countries = res.top_countries.set_index("key")
    assert list(countries.index) == ["UK", "FR", "DE"]
    assert countries["revenue"].tolist() == pytest.approx([450, 160, 20])
    assert countries["orders"].tolist() == [4, 3, 1]
    assert list(res.top_categories["key"]) == ["Kitchen", "Food", "Garden"]
    for table in (res.top_products, res.top_countries, res.top_categories):
        assert "units" not in table


@pytest.mark.parametrize(
    ("start", "end", "grain"),
    [
        # 1 Jan + 61 days = 2 March (31 + 29 + 2 = 62 days in all)
        (date(2024, 1, 1), date(2024, 3, 2), "day"),
        (date(2024, 1, 1), date(2024, 3, 3), "week"),
        # 2024 has 366 days: 1 Jan 2024 to 4 Jan 2025 is 366 + 4 = 370 days
        (date(2024, 1, 1), date(2025, 1, 4), "week"),
        (date(2024, 1, 1), date(2025, 1, 5), "month"),
    ],
)
def test_auto_grain_thresholds(tmp_path, start, end, grain):
    store = Store.open(tmp_path / "g")
    try:
        info = store.save_dataset("Shop", shop_lines())
        assert overview(store, info.id, Filters(start, end)).grain == grain
    finally:
        store.close()


def test_day_text_in_english_and_chinese():
    from ecomdash.i18n import use_lang
    from ecomdash.kpis import day_text

    with use_lang("en"):
        assert day_text(date(2011, 12, 9)) == "9 December 2011"
    with use_lang("zh"):
        assert day_text(date(2011, 12, 9)) == "2011年12月9日"
        assert day_text(None) == "None"


def test_counts_without_an_amount_column_by_hand(tmp_path):
    """No price: orders, units, items per order, top by units and the busiest hours."""
    store = Store.open(tmp_path / "counts")
    try:
        lines = shop_lines().drop(columns=["revenue"])
        lines["product_name"] = lines["product_id"].map({"X": "Mug", "Y": "Tea", "Z": "Spade"})
        info = store.save_dataset("Counts", lines)
        k = compute_kpis(store, info.id)
        res = overview(store, info.id)
        fr = compute_kpis(store, info.id, Filters(countries=("FR",)))
        feb_fr = overview(store, info.id, Filters(date(2024, 2, 1), date(2024, 3, 31), ("FR",)))
        no_qty = store.save_dataset("No quantity", lines.drop(columns=["quantity"]))
        by_orders = overview(store, no_qty.id)
        top2_counts = overview(store, info.id, top_n=2)
    finally:
        store.close()
    # 8 orders (A0-A7, R1 is a return); units 1+1+2+1+1+3+1+1 = 11 sold - 1 returned = 10
    _check(
        k,
        {
            "revenue": None,
            "gross_sales": None,
            "returns": None,
            "aov": None,
            "return_rate": None,
            "orders": 8,
            "units": 10.0,
            "customers": 5,
            "new_customers": None,
            "returning_customers": None,
            "repeat_customers": None,
            "items_per_order": 10 / 8,
        },
    )
    _check(fr, {"orders": 3, "units": 4.0, "customers": 2, "items_per_order": 4 / 3})
    assert res.has_revenue is False and res.grain == "month" and res.kind == "lines"
    assert res.kpis["orders"] == 8 and res.kpis["units"] == 10.0
    assert res.period == (date(2023, 3, 1), date(2024, 5, 31)) and res.previous is None
    assert res.events == () and res.top_locations.empty  # no location column
    assert "no price or amount column" in res.notes[0]
    assert any("no data before" in n for n in res.notes[1:]), res.notes
    months = res.trend.assign(m=res.trend["period"].dt.strftime("%Y-%m")).set_index("m")
    assert list(months.index) == ["2023-03", "2024-01", "2024-02", "2024-03", "2024-04", "2024-05"]
    assert months["orders"].tolist() == [1, 1, 2, 1, 1, 2]
    assert months["units"].tolist() == pytest.approx([1, 1, 3, 1, 2, 2])  # April: 3 - 1
    # ranked by units: UK 1 + 1 + 3 - 1 + 1 = 5 (4 orders), FR 2 + 1 + 1 = 4 (3), DE 1 (1)
    countries = res.top_countries.set_index("key")
    assert list(countries.index) == ["UK", "FR", "DE"]
    assert countries["units"].tolist() == pytest.approx([5, 4, 1])
    assert countries["orders"].tolist() == [4, 3, 1]
    assert list(res.top_products["key"]) == ["X", "Y", "Z"]  # 5, 4, 1 units
    assert list(res.top_products["name"]) == ["Mug", "Tea", "Spade"]
    assert "name" not in res.top_countries
    assert list(res.top_categories["key"]) == ["Kitchen", "Food", "Garden"]  # 5, 4, 1
    # all at 10:00; weekdays (0 = Monday): A2, A6 Mon; A3, A5 Tue; A0, A1 Wed (R1, a
    # return on a Wednesday, is no order); A4, A7 Fri
    busiest = res.busiest
    assert busiest["hour"].tolist() == [10, 10, 10, 10]
    assert busiest["weekday"].tolist() == [0, 1, 2, 4]
    assert busiest["orders"].tolist() == [2, 2, 2, 2]
    # France in February-March (60 days: by day): A2 (2 units), A3, A4; previous 60 days
    # (3 December to 31 January) had no French order
    assert feb_fr.grain == "day" and feb_fr.kpis["orders"] == 3
    assert feb_fr.previous_period == (date(2023, 12, 3), date(2024, 1, 31))
    assert feb_fr.previous["orders"] == 0
    assert feb_fr.trend["orders"].tolist() == [1, 1, 1]
    assert feb_fr.trend["units"].tolist() == pytest.approx([2, 1, 1])
    assert list(feb_fr.top_countries["key"]) == ["FR"]
    assert list(feb_fr.top_categories["key"]) == ["Food", "Kitchen"]  # 3 units, 1
    assert feb_fr.busiest.set_index("weekday")["orders"].to_dict() == {0: 1, 1: 1, 4: 1}
    # no quantity either: orders only, ranked by orders (UK 4, FR 3, DE 1)
    assert by_orders.kpis["orders"] == 8 and by_orders.kpis["units"] is None
    assert list(by_orders.top_countries["key"]) == ["UK", "FR", "DE"]
    assert list(top2_counts.top_products["key"]) == ["X", "Y"]  # top_n is passed on
    assert by_orders.top_countries["orders"].tolist() == [4, 3, 1]
    assert "units" not in by_orders.trend


def test_no_amount_no_order_and_no_quantity_is_a_clear_error(tmp_path):
    store = Store.open(tmp_path / "bare")
    try:
        lines = shop_lines().drop(columns=["revenue", "quantity", "order_id"])
        info = store.save_dataset("Bare", lines)
        with pytest.raises(ParameterError, match="needs an amount column"):
            compute_kpis(store, info.id)
    finally:
        store.close()


def test_counts_without_order_ids_count_lines(tmp_path):
    """No price and no order id: units only; the busiest hours count lines, not orders.
    A1 gets a second line (same time), so Wednesday has 2 orders but 3 sale lines."""
    lines = shop_lines()
    extra = lines.iloc[[1]].assign(product_id="Z", quantity=9.0)  # a second line in A1
    lines = pd.concat([lines, extra], ignore_index=True).drop(columns=["revenue"])
    store = Store.open(tmp_path / "lines")
    try:
        with_ids = store.save_dataset("With ids", lines)
        no_ids = store.save_dataset("No ids", lines.drop(columns=["order_id"]))
        with_ids_overview = overview(store, with_ids.id)
        busy_orders = with_ids_overview.busiest.set_index("weekday")["orders"]
        k = compute_kpis(store, no_ids.id)
        busy_lines = overview(store, no_ids.id).busiest.set_index("weekday")["orders"]
    finally:
        store.close()
    assert busy_orders.to_dict() == {0: 2, 1: 2, 2: 2, 4: 2}
    assert busy_lines.to_dict() == {0: 2, 1: 2, 2: 3, 4: 2}
    # units: 11 sold + 9 (the extra line) - 1 returned
    _check(k, {"orders": None, "units": 19.0, "items_per_order": None, "customers": 5})
    # ranked by units, not orders: Z 1 + 9 = 10 (2 orders), X 5 (4 orders), Y 4 (3 orders)
    top = with_ids_overview.top_products
    assert list(top["key"]) == ["Z", "X", "Y"] and top["orders"].tolist() == [2, 4, 3]


def test_summed_sales_with_units_by_hand(tmp_path):
    """Already summed daily sales per SKU (no orders, no customers): the trend, the top
    products and the KPIs count units net of returned units; no order figures."""
    from ecomdash import schema as S
    from ecomdash.ingest import load_bytes

    csv = (
        "sku,date,units,revenue\n"
        "SKU-A,2024-01-01,3,30.00\n"
        "SKU-B,2024-01-01,1,5.00\n"
        "SKU-A,2024-01-02,-1,-10.00\n"  # a net return
        "SKU-B,2024-01-02,4,20.00\n"
        "SKU-A,2024-01-03,2,20.00\n"
    )
    loaded = load_bytes(csv.encode(), "sku_daily.csv")
    store = Store.open(tmp_path / "summed")
    try:
        info = store.save_dataset("Daily", loaded.lines, report=loaded.report)
        assert info.kind == S.KIND_SUMMED
        k = compute_kpis(store, info.id)
        res = overview(store, info.id)
    finally:
        store.close()
    # gross 30 + 5 + 20 + 20 = 75, returns 10, net 65; units 3 + 1 + 4 + 2 - 1 = 9
    _check(
        k,
        {
            "revenue": 65.0,
            "gross_sales": 75.0,
            "returns": 10.0,
            "units": 9.0,
            "orders": None,
            "aov": None,
            "customers": None,
            "new_customers": None,
        },
    )
    assert res.kind == S.KIND_SUMMED and res.grain == "day" and "orders" not in res.trend
    assert res.trend["revenue"].tolist() == pytest.approx([35, 10, 20])
    assert res.trend["units"].tolist() == pytest.approx([4, 3, 2])  # 2 January: 4 - 1
    top = res.top_products.set_index("key")
    assert list(top.index) == ["SKU-A", "SKU-B"]  # A 30 - 10 + 20 = 40, B 25 ("B" alone reads as a
    # UCI-style non-product code)
    assert top["revenue"].tolist() == pytest.approx([40, 25])
    assert top["units"].tolist() == pytest.approx([4, 5])  # A 3 + 2 - 1
    assert "orders" not in top


def test_overview_shows_the_top_ten_products_by_default(tmp_path):
    lines = pd.concat([shop_lines().iloc[[1]]] * 11, ignore_index=True)
    lines["order_id"] = [f"B{i}" for i in range(11)]
    lines["product_id"] = [f"P{i:02d}" for i in range(11)]
    lines["revenue"] = [float(100 - i) for i in range(11)]  # P00 sells the most, P10 least
    store = Store.open(tmp_path / "ten")
    try:
        info = store.save_dataset("Eleven", lines)
        top = overview(store, info.id).top_products
    finally:
        store.close()
    assert list(top["key"]) == [f"P{i:02d}" for i in range(10)]
