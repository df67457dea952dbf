"""Restock planner: safety stock / reorder point by hand, ABC/XYZ on hand fixtures."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from ecomdash import inventory as I
from ecomdash.errors import InputFileError, ParameterError


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


def test_read_stock_variants_and_errors():
    # semicolons: a European Excel's thousands dot ("1,200" there is 1.2: see the next test)
    s = I.read_stock(b"Stock Code;On Hand\nA1;5\nA1;2\nB2;1.200\nC3;n/a\n")
    assert s.to_dict() == {"A1": 7.0, "B2": 1200.0}
    assert I.read_stock(b'sku,stock\nB2,"1,200"\n').to_dict() == {"B2": 1200.0}
    with pytest.raises(InputFileError, match="product id column"):
        I.read_stock(b"name,colour\nx,red\n")
    with pytest.raises(InputFileError, match="empty"):
        I.read_stock(b"  ")


def test_a_european_excels_stock_file_reads_its_decimal_commas():
    # "SKU;Stock\nA;1,5" read "1,5" as 15 (the comma dropped as a thousands separator). A
    # semicolon file is a European Excel's CSV: the comma is its decimal mark, dots group
    # thousands; stock is whole units, so 1,5 is refused with its line, whole ones are read
    s = I.read_stock(b"SKU;Stock\nA;12\nB;1.200\nC;7,00\nD;2.500,0\nE;0\n")
    assert s.to_dict() == {"A": 12.0, "B": 1200.0, "C": 7.0, "D": 2500.0, "E": 0.0}
    with pytest.raises(InputFileError) as err:
        I.read_stock(b"SKU;Stock\nA;12\nB;1,5\n")
    assert str(err.value) == (
        "Line 3 of the stock file has a number of units that is not whole in column 'Stock' "
        "(1,5). Stock is counted in whole units: enter e.g. 12 (in a file separated by "
        "semicolons a comma is the decimal mark, so 1,5 is one and a half), and upload the "
        "file again."
    )
    with pytest.raises(InputFileError, match=r"^Lines 2, 4 of .*'qty' \(0,5, 3\.25\)"):
        I.read_stock(b"sku;qty\nA;0,5\nB;4\nC;3.25\n")
    # comma files: commas still group thousands, and a decimal comma is no longer 15
    assert I.read_stock(b'sku,stock\nA,"12,000"\nB,3\n').to_dict() == {"A": 12000.0, "B": 3.0}
    with pytest.raises(InputFileError, match=r"^Line 2 of .*\(1,5\)"):
        I.read_stock(b'sku,stock\nA,"1,5"\n')
    # Excel's "Unicode text" (tabs) from a European Excel: decimal commas too
    assert I.read_stock("SKU\tStock\nA\t2,0\n".encode("utf-16")).to_dict() == {"A": 2.0}


def test_read_stock_says_which_lines_are_wrong():
    # text or a negative count in some rows was dropped in silence: the product then read
    # "no stock level entered"; now the file's lines are named (header = line 1)
    with pytest.raises(InputFileError) as err:
        I.read_stock(b"sku,stock\nA,ten\nB,3\nC,n/a\nD,-5\n")
    assert str(err.value) == (
        "Lines 2, 5 of the stock file have text or a negative number in column 'stock'. "
        "Enter units on hand as 0 or more (e.g. 12), or leave the cell empty for a product "
        "whose stock you do not know, and upload the file again."
    )
    with pytest.raises(InputFileError, match="^Line 3 of the stock file has text"):
        I.read_stock(b"sku,stock\nA,1\nB,-1\n")
    # an empty or "n/a" cell is a stock not known, not an error
    assert I.read_stock(b"sku,stock\nA,\nB,2\nC,n/a\n").to_dict() == {"B": 2.0}
    # a broken file is a message, not a pandas traceback
    with pytest.raises(InputFileError, match="could not be read as a CSV table"):
        I.read_stock(b'sku,stock\n"A,1\n')
    with pytest.raises(InputFileError, match=r"is a number \(1 row\)\."):
        I.read_stock(b"sku,stock\nA,many\n")


def test_read_stock_chinese_headers_encodings_and_the_planners_own_table():
    want = {"GAR-117": 10.0, "TEX-271": 0.0}
    body = "GAR-117,10\nTEX-271,0\n"
    for header in (
        "商品编码,库存",
        "商品编号,现有库存",
        "货号,库存数量",
        "SKU,数量",
        "商家编码,可用库存",
    ):
        assert I.read_stock(f"{header}\n{body}".encode()).to_dict() == want, header
    # a Chinese Excel's CSV is GBK (was read as latin-1: columns "ÉÌÆ·±àÂë, ¿â´æ")
    assert I.read_stock(f"商品编码,库存\n{body}".encode("gbk")).to_dict() == want
    # Excel's "Unicode text": UTF-16, tab-separated
    assert I.read_stock(f"SKU\tStock\n{body}".replace(",", "\t").encode("utf-16")).to_dict() == want
    # the planner's download, units filled in and uploaded again, in either language
    assert (
        I.read_stock(
            b"Product id,Product,Units on hand\nGAR-117,Pot,10\nTEX-271,Blanket,0\n"
        ).to_dict()
        == want
    )
    assert (
        I.read_stock(
            "商品 ID,商品,现有库存（件）\nGAR-117,花盆,10\nTEX-271,盖毯,0\n".encode()
        ).to_dict()
        == want
    )


def test_read_stock_takes_the_planners_download_back():
    # the plan's CSV (merchant headers, then the raw ids row "product_id, ..., on_hand"),
    # units filled in and uploaded again: the ids row is no product, and a wrong cell's line
    # is the file's line (was "Line 2 has text": the ids row read as a stock of "on_hand")
    from ecomdash.exports import to_safe_csv_bytes

    plan = pd.DataFrame(
        {"product_id": ["GAR-117", "TEX-271"], "product_name": ["Pot", "Rug"], "on_hand": [10, 0]}
    )
    for headers in (
        ["Product id", "Product", "Units on hand"],
        ["商品 ID", "商品", "现有库存（件）"],
    ):
        data = to_safe_csv_bytes(plan, headers=headers)
        assert I.read_stock(data).to_dict() == {"GAR-117": 10.0, "TEX-271": 0.0}
    bad = to_safe_csv_bytes(plan.assign(on_hand=["10", "lots"]), headers=headers)
    with pytest.raises(InputFileError, match="^Line 4 of the stock file"):
        I.read_stock(bad)


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
    assert text[0][0] == "2 products<br>62\u00a0% of revenue"  # 0.625 to even, as Python rounds
    assert text[2][2] == "3 products<br>12\u00a0% of revenue"
    assert text[1][1] == "1 product<br>25\u00a0% of revenue"  # was "1 products" (CI screenshot)
    # readable cells: plotly's default cell text was too small to read on the CI screenshot
    with use_lang("en"):
        assert abc_xyz_figure(res).data[0].textfont.size >= 13
    with use_lang("zh"):
        zh = abc_xyz_figure(res).data[0].text
    assert zh[1][1] == "1 个商品<br>占销售额 25%"


def test_the_stock_file_is_decoded_by_the_ingests_public_decoder():
    # inventory imported the private read_text._decode_sample: now a documented public name
    import doctest

    from ecomdash.ingest import read_text

    assert I.decode_sample is read_text.decode_sample
    assert not hasattr(read_text, "_decode_sample")
    assert read_text.decode_sample.__doc__
    [test] = doctest.DocTestFinder().find(read_text.decode_sample, globs=vars(read_text))
    assert test.examples and doctest.DocTestRunner().run(test).failed == 0


def test_stock_file_ids_the_plan_has_no_row_for_are_counted_and_named():
    # they were ignored in silence: a stock file written with other ids planned nothing
    from ecomdash.i18n import use_lang
    from ecomdash.i18n.note import tr_note

    plan = pd.DataFrame({"product_id": ["P1", "P2"]})
    classes = pd.DataFrame(index=pd.Index(["P1", "P2", "P3", "P4"], name="product_id"))
    res = I.RestockResult(plan, classes, None, None, None, pd.Timestamp("2025-03-01"))
    stock = I.read_stock(b"sku,stock\nP1,5\np1,4\nP3,2\nX-9,1\nX-10,0\nP2,8\n")
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
            "库存文件中有 3 个商品在所规划的数据（其期间和筛选条件）中没有销售：X-10、X-9、p1——"
            "如果它们有销售，请检查编码是否与销售数据的商品编码一致。"
        )
        assert tr_note(outside).startswith("库存文件中有 1 个商品有销售，但不在这里规划的前 2 个")
    # more than three: the first three named, the rest counted
    many = pd.Series(1.0, index=["A1", "A2", "A3", "A4", "A5"])
    [only] = I.stock_not_planned(many, res)
    assert (
        only.startswith("5 products in your stock file")
        and ": A1, A2, A3, … — if they sell" in only
    )
    # every id planned: nothing said
    assert I.stock_not_planned(pd.Series({"P1": 1.0, "P2": 0.0}), res) == ()


def test_stock_file_ids_match_the_sales_ids_ignoring_case_when_unambiguous():
    """A stock file's "tex-271" is TEX-271's stock (it was reported as "no sales in the data
    planned", its units never reached the plan); an id that could be two products whose codes
    differ only in case, or a second row for a product the file already has, is left out and
    said, never guessed."""
    from ecomdash.i18n import use_lang
    from ecomdash.i18n.note import tr_note

    sales = ["TEX-271", "Mug-1", "MUG-1", "DEC-222", "P1"]
    stock = I.read_stock(
        b"sku,stock\n tex-271 ,5\nmug-1,2\nDEC-222,7\ndec-222,1\nMUG-1,4\nX-9,3\np1,6\n"
    )
    m = I.match_stock(stock, sales)
    assert m.stock.to_dict() == {
        "DEC-222": 7.0,
        "MUG-1": 4.0,
        "P1": 6.0,
        "TEX-271": 5.0,
        "X-9": 3.0,
    }
    assert m.notes == (
        "2 ids in your stock file are written differently from the sales data's product codes "
        "(case or spaces) and were matched to them: p1 → P1, tex-271 → TEX-271.",
    )
    several, twice = m.warnings
    assert several == (
        "1 id in your stock file matches several product codes of the sales data that differ "
        "only in case: mug-1 (MUG-1 / Mug-1) — it was left out; write it exactly as the sales "
        "data does."
    )
    assert twice == (
        "1 id in your stock file differs only in case from another row of the file for the "
        "same product: dec-222 (DEC-222) — it was left out; keep one row per product."
    )
    with use_lang("zh"):
        assert tr_note(m.notes[0]) == (
            "库存文件中有 2 个编码与销售数据的商品编码写法不同（大小写或空格），已按商品编码匹配："
            "p1 → P1、tex-271 → TEX-271。"
        )
        assert tr_note(several).startswith("库存文件中有 1 个编码对应销售数据中多个仅大小写不同")
        assert "mug-1 (MUG-1 / Mug-1)" in tr_note(several)
        assert tr_note(twice).startswith("库存文件中有 1 个编码与文件中同一商品的另一行仅大小写")
    # ids the sales data writes exactly: nothing to say
    exact = I.match_stock(pd.Series({"TEX-271": 1.0, "Mug-1": 2.0}), sales)
    assert exact.stock.to_dict() == {"TEX-271": 1.0, "Mug-1": 2.0}
    assert exact.notes == exact.warnings == ()


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


def test_stock_ids_the_price_panel_has_no_product_for_are_named_in_both_languages():
    """Pricing's markdowns ignored a stock file's ids with no product in the weekly price
    panel in silence (the restock planner names its own): one note names them, first three
    in the file's order, in English and Chinese; none when every id is priced."""
    from ecomdash.i18n import use_lang
    from ecomdash.i18n.note import tr_note
    from ecomdash.inventory import stock_not_priced

    stock = pd.Series({"A": 1.0, "X-9": 2.0, "p1": 3.0, "X-10": 4.0, "Z": 5.0})
    (n,) = stock_not_priced(stock, ["A", "B"])
    with use_lang("en"):
        assert tr_note(n) == (
            "4 products in your stock file have no sales in the weeks priced here (the period "
            "and filters): X-9, p1, X-10, … — if they sell, check that the ids match the sales "
            "data's product codes."
        )
    with use_lang("zh"):
        assert tr_note(n) == (
            "库存文件中有 4 个商品在此处定价所用的各周（期间和筛选条件内）中没有销售："
            "X-9、p1、X-10、…——如果它们有销售，请检查编码是否与销售数据的商品编码一致。"
        )
    assert stock_not_priced(stock[["A"]], ["A", "B"]) == ()
