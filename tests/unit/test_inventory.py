"""Restock planner: safety stock / reorder point by hand, ABC/XYZ on hand fixtures."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from ecomdash import inventory as I
from ecomdash import stock_file as SF
from ecomdash.errors import ParameterError


def test_safety_stock_reorder_point_cover_and_order_by_hand():
    demand = pd.DataFrame(
        {"daily_demand": [10.0, 2.0, 0.0], "error_sd_daily": [4.0, 1.0, 0.5]},
        index=pd.Index(["P1", "P2", "P3"], name="product_id"),
    )
    stock = pd.Series({"P1": 50.0, "P2": 100.0})
    out = I.restock_table(
        demand,
        lead_time_days=9,
        service_level=0.95,
        review_days=7,
        stock=stock,
        as_of=pd.Timestamp("2025-03-01"),
    )
    z = 1.6448536269514722  # Φ⁻¹(0.95)
    p1 = out.loc["P1"]
    # whole units, each rounded up, and the reorder point their sum
    assert p1["demand_lead_time"] == 90
    assert p1["safety_stock"] == math.ceil(z * 4 * 3) == 20  # z·σ·√9 = 19.74
    assert p1["reorder_point"] == 110
    assert p1["days_of_cover"] == pytest.approx(5.0)
    assert p1["stockout_date"] == pd.Timestamp("2025-03-06")
    assert p1["order_qty"] == 110 + 70 - 50  # = 130
    p2 = out.loc["P2"]  # 100 on hand, ROP = 18 + ⌈4.93⌉ = 23: no order needed
    assert p2["reorder_point"] == 23
    assert p2["days_of_cover"] == pytest.approx(50.0)
    assert p2["order_qty"] == 0
    p3 = out.loc["P3"]  # no stock entered
    assert np.isnan(p3["on_hand"]) and np.isnan(p3["order_qty"])
    assert p3["safety_stock"] == math.ceil(z * 0.5 * 3) == 3


@pytest.mark.parametrize(
    ("daily", "shown"),
    [(15.1, 212), (15.114285714285714, 212)],  # 14 days: 211.4 and 211.6 units, both 212
)
def test_the_reorder_point_compared_is_the_whole_number_shown(daily, shown):
    # a reorder point of 211.4 was shown "211" (0 decimals) and compared unrounded: stock 211
    # said "order" beside an equal-looking 211; 211.6 showed "212" and stock 212 said "order"
    # too. Now the point is rounded up to a whole unit, and that number is shown and compared.
    demand = pd.DataFrame(
        {"daily_demand": [daily] * 3, "error_sd_daily": [0.0] * 3},
        index=pd.Index(["at", "above", "below"], name="product_id"),
    )
    stock = pd.Series({"at": float(shown), "above": shown + 1.0, "below": shown - 1.0})
    out = I.restock_table(
        demand,
        lead_time_days=14,
        service_level=0.95,
        review_days=7,
        stock=stock,
        as_of=pd.Timestamp("2025-03-01"),
    )
    assert (out["reorder_point"] == shown).all()
    assert (out["demand_lead_time"] == shown).all() and (out["safety_stock"] == 0).all()
    # at the number shown or below it: order (the point + 7 days' units − stock); above: not
    assert out.loc["at", "order_qty"] == math.ceil(7 * daily)
    assert out.loc["below", "order_qty"] == math.ceil(7 * daily) + 1
    assert out.loc["above", "order_qty"] == 0


def test_stock_counts_count_only_products_with_units_on_hand():
    # P1: 50 on hand, ROP ≈ 109.7, runs out on day 5 (within 9): order and run out.
    # P2: 100 on hand, ROP ≈ 22.9, 50 days of cover: neither. P3, P4: nothing entered, and
    # P4 sells 20 a day: unknown, so it counts in neither (not "0 to order").
    demand = pd.DataFrame(
        {"daily_demand": [10.0, 2.0, 0.0, 20.0], "error_sd_daily": [4.0, 1.0, 0.5, 1.0]},
        index=pd.Index(["P1", "P2", "P3", "P4"], name="product_id"),
    )
    as_of = pd.Timestamp("2025-03-01")

    def result(stock):
        plan = I.restock_table(
            demand, lead_time_days=9, service_level=0.95, stock=stock, as_of=as_of
        ).reset_index()
        return I.RestockResult(
            plan=plan,
            classes=pd.DataFrame(),
            matrix=pd.DataFrame(),
            matrix_revenue=pd.DataFrame(),
            forecasts=None,
            as_of=as_of,
            params={"lead_time_days": 9},
        )

    assert result(pd.Series({"P1": 50.0, "P2": 100.0})).stock_counts() == (2, 1, 1)
    # P2 at 10 units: below its reorder point, 5 days of cover: both
    assert result(pd.Series({"P1": 50.0, "P2": 10.0})).stock_counts() == (2, 2, 2)
    # P1 at 105 units: runs out on 11 March, after the lead time ends (10 March), but is
    # under its reorder point (≈ 109.7): order, no run-out
    assert result(pd.Series({"P1": 105.0})).stock_counts() == (1, 1, 0)
    # at 95 units it runs out during 10 March, the lead time's last day: counted
    assert result(pd.Series({"P1": 95.0})).stock_counts() == (1, 1, 1)
    assert result(None).stock_counts() == (0, 0, 0)


def test_service_level_validation():
    assert I.service_z(0.5) == pytest.approx(0.0)
    with pytest.raises(ParameterError, match="service_level"):
        I.service_z(1.0)
    with pytest.raises(ParameterError, match="lead_time_days"):
        I.restock_table(
            pd.DataFrame({"daily_demand": [1.0], "error_sd_daily": [1.0]}),
            lead_time_days=0,
            service_level=0.9,
        )


def test_abc_on_hand_fixture():
    rev = pd.Series({"a": 500.0, "b": 300.0, "c": 100.0, "d": 60.0, "e": 30.0, "f": 10.0})
    # cumulative share before each: a 0, b .5, c .8, d .9, e .96, f .99
    assert I.abc_classes(rev).to_dict() == {
        "a": "A",
        "b": "A",
        "c": "B",
        "d": "B",
        "e": "C",
        "f": "C",
    }
    # order of the input does not matter
    shuffled = rev.iloc[[3, 0, 5, 1, 4, 2]]
    assert I.abc_classes(shuffled).to_dict() == I.abc_classes(rev).to_dict()


def test_xyz_on_hand_fixture():
    weeks = pd.DataFrame(
        [[10, 10, 10, 10], [5, 15, 5, 15], [0, 20, 0, 20], [0, 0, 0, 40], [0, 0, 0, 0]],
        index=["steady", "mild", "alternating", "spike", "none"],
        dtype=float,
    )
    out = I.xyz_classes(weeks)
    # CVs: 0, 0.5, 1.0, sqrt(3)
    assert out["cv"].iloc[:4].tolist() == pytest.approx([0.0, 0.5, 1.0, math.sqrt(3)])
    assert out["xyz"].tolist() == ["X", "X", "Y", "Z", "Z"]


def test_classify_products_by_hand():
    rows = []
    # P1: 10 units every week (X), revenue 4 weeks x 10 x 10 = 400
    # P2: 0, 20, 0, 20 (CV 1 -> Y), revenue 40 x 2.5 = 100
    # P3: one week of 4 units, price 1 -> revenue 4 (C), CV sqrt(3) -> Z
    weeks = pd.date_range("2024-01-01", periods=4, freq="W-MON")
    for i, w in enumerate(weeks):
        rows.append((w, "P1", 10.0, 10.0))
        if i % 2:
            rows.append((w, "P2", 20.0, 2.5))
    rows.append((weeks[3], "P3", 4.0, 1.0))
    lines = pd.DataFrame(rows, columns=["order_date", "product_id", "quantity", "unit_price"])
    lines["revenue"] = lines["quantity"] * lines["unit_price"]
    for f in ("is_return", "is_non_product", "is_cancelled"):
        lines[f] = False
    out = I.classify_products(lines)
    # revenue shares before each: P1 0, P2 400/504 = .79 (< .8 -> A), P3 500/504 = .99 -> C
    assert out.loc[["P1", "P2", "P3"], "abc"].tolist() == ["A", "A", "C"]
    assert out.loc[["P1", "P2", "P3"], "xyz"].tolist() == ["X", "Y", "Z"]
    assert out.loc["P2", "cv"] == pytest.approx(1.0)


def test_plan_restock_end_to_end_on_demo(demo):
    stock = pd.Series({pid: 0.0 for pid in demo.lines["product_id"].dropna().unique()[:5]})
    res = I.plan_restock(demo.lines, lead_time_days=14, service_level=0.95, stock=stock, top=30)
    plan = res.plan
    assert len(plan) == 30
    assert set(plan["abc"]) <= {"A", "B", "C"} and set(plan["xyz"]) <= {"X", "Y", "Z"}
    # the matrix covers every product with sales, not only the planned top 30
    n_products = demo.lines.loc[~demo.lines["is_return"], "product_id"].nunique()
    assert res.matrix.to_numpy().sum() == len(res.classes) >= 30
    assert len(res.classes) <= n_products
    assert res.matrix_revenue.to_numpy().sum() == pytest.approx(1.0)
    assert (res.classes["abc"] == "A").sum() < len(res.classes)
    # the arithmetic holds on every row
    z = I.service_z(0.95)
    raw_ss = z * plan["error_sd_daily"].to_numpy() * math.sqrt(14)
    assert plan["safety_stock"].to_numpy() == pytest.approx(np.ceil(raw_ss - 1e-6))
    lead_units = np.ceil(14 * plan["daily_demand"].to_numpy() - 1e-6)
    assert plan["demand_lead_time"].to_numpy() == pytest.approx(lead_units)
    assert plan["reorder_point"].to_numpy() == pytest.approx(
        lead_units + plan["safety_stock"].to_numpy()
    )
    assert (plan["reorder_point"] % 1 == 0).all()
    # products with zero stock and positive demand must be reordered now
    zero = plan[(plan["on_hand"] == 0) & (plan["daily_demand"] > 0)]
    assert (zero["order_qty"] > 0).all() and (zero["days_of_cover"] == 0).all()


def test_abc_xyz_cells_write_their_revenue_share_as_the_app_does():
    """The heatmap's cell text: "62 % of revenue" in English, "62%" in Chinese (fmt.pct)."""
    from types import SimpleNamespace

    from ecomdash.charts.forecast import abc_xyz_figure
    from ecomdash.i18n import use_lang

    cells = pd.DataFrame([[2, 0, 0], [0, 1, 0], [0, 0, 3]], index=list("ABC"), columns=list("XYZ"))
    share = pd.DataFrame(
        [[0.625, 0.0, 0.0], [0.0, 0.25, 0.0], [0.0, 0.0, 0.125]],
        index=list("ABC"),
        columns=list("XYZ"),
    )
    res = SimpleNamespace(matrix=cells, matrix_revenue=share)
    with use_lang("en"):
        text = abc_xyz_figure(res).data[0].text
    # 62.5 % and 12.5 % round half up, as fmt writes every figure (Python's "%.0f" wrote 62, 12)
    assert text[0][0] == "2 products<br>63\u00a0% of revenue"
    assert text[2][2] == "3 products<br>13\u00a0% of revenue"
    assert text[1][1] == "1 product<br>25\u00a0% of revenue"  # was "1 products" (CI screenshot)
    # readable cells: plotly's default cell text was too small to read on the CI screenshot
    with use_lang("en"):
        assert abc_xyz_figure(res).data[0].textfont.size >= 13
    with use_lang("zh"):
        zh = abc_xyz_figure(res).data[0].text
    assert zh[1][1] == "1\u00a0个商品<br>占销售额\u00a025%"


def test_stock_file_ids_the_plan_has_no_row_for_are_counted_and_named():
    # they were ignored in silence: a stock file written with other ids planned nothing
    from ecomdash.i18n import use_lang
    from ecomdash.i18n.note import tr_note

    plan = pd.DataFrame({"product_id": ["P1", "P2"]})
    classes = pd.DataFrame(index=pd.Index(["P1", "P2", "P3", "P4"], name="product_id"))
    res = I.RestockResult(plan, classes, None, None, None, pd.Timestamp("2025-03-01"))
    stock = SF.read_stock(b"sku,stock\nP1,5\np1,4\nP3,2\nX-9,1\nX-10,0\nP2,8\n")
    unknown, outside = I.stock_not_planned(stock, res)
    assert unknown == (
        "3 products in your stock file have no sales in the data planned (its period and "
        "filters): X-10, X-9, p1 — if they sell, check that the ids match the sales data's "
        "product codes."
    )
    assert outside == (
        "1 product in your stock file sells but is not among the top 2 products planned here: "
        "P3 — raise “Top products by revenue” to plan it."
    )
    with use_lang("zh"):
        assert tr_note(unknown) == (
            "库存文件中有\u00a03\u00a0个商品在所规划的数据（其期间和筛选条件）中没有销售：X-10、X-9、p1——"
            "如果它们有销售，请检查编码是否与销售数据的商品编码一致。"
        )
        assert tr_note(outside).startswith(
            "库存文件中有\u00a01\u00a0个商品有销售，但不在这里规划的前\u00a02\u00a0个"
        )
    # more than three: the first three named, the rest counted
    many = pd.Series(1.0, index=["A1", "A2", "A3", "A4", "A5"])
    [only] = I.stock_not_planned(many, res)
    assert (
        only.startswith("5 products in your stock file")
        and ": A1, A2, A3, … — if they sell" in only
    )
    # every id planned: nothing said
    assert I.stock_not_planned(pd.Series({"P1": 1.0, "P2": 0.0}), res) == ()


def test_plan_restock_takes_a_stock_files_ids_written_in_another_case(demo):
    """The plan itself (the CLI's route: ``ecomdash forecast restock --stock``) keys the stock
    by the sales data's ids: "tex-271" gives TEX-271 its units on hand, and says so."""
    lines = demo.lines
    many = I.forecast_many(lines, top=3, metric="units", freq="W", horizon=8, folds=4)
    top = list(many.table["product_id"])
    stock = pd.Series({top[0].lower(): 40.0, top[1]: 10.0})
    res = I.plan_restock(lines, many=many, stock=stock, top=3)
    on_hand = res.plan.set_index("product_id")["on_hand"]
    assert on_hand[top[0]] == 40.0 and on_hand[top[1]] == 10.0
    assert any(f"{top[0].lower()} → {top[0]}" in w for w in res.stock_notes), res.stock_notes
