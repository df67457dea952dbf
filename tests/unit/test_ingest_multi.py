"""Several related tables → one dataset: fact table, join keys, refused joins, units counted,
translation, row counts; checked against truths computed while writing the fixtures."""

from __future__ import annotations

import pandas as pd
import pytest

from ecomdash import schema as S
from ecomdash.ingest import clean, propose_mapping
from ecomdash.ingest.multi import (
    Join,
    JoinError,
    combine,
    propose_joins,
    read_tables,
    zip_tables,
)
from tests.multi_fixtures import CATEGORIES, UNTRANSLATED, erp_like, olist_like


def _tables(files: dict[str, bytes]):
    return read_tables(list(files.items()))


def _lines(combined):
    raw = combined.raw
    lines, report = clean(raw, propose_mapping(raw).as_dict())
    return lines, report


def test_olist_layout_fact_joins_and_refused_payments():
    files, _ = olist_like()
    p = propose_joins(_tables(files))
    assert p.fact == "olist_order_items_dataset"
    got = [(j.table, j.left_column, j.table_column, j.kind) for j in p.joins]
    assert got == [
        ("olist_orders_dataset", "order_id", "order_id", "describe"),
        ("olist_customers_dataset", "customer_id", "customer_id", "describe"),
        ("olist_products_dataset", "product_id", "product_id", "describe"),
        (
            "product_category_name_translation",
            "product_category_name",
            "product_category_name",
            "translate",
        ),
    ]
    assert [j.match_share for j in p.joins[:3]] == [1.0, 1.0, 1.0]
    # each join's reason writes its sample share as fmt.pct does ("100 %"; Chinese "100%":
    # tests/pages/test_zh_data.py)
    assert all(j.reason.endswith(" 100\u00a0% of a sample") for j in p.joins[:3]), p.joins[0].reason
    # payments: 2 rows for every 5th order → would double those lines
    [ref] = p.refused
    assert ref.table == "olist_order_payments_dataset" and ref.column == "order_id"
    assert ref.repeats == 2 and ref.example == "o00000e0"
    assert "'o00000e0' appears 2 times" in ref.message
    assert p.unused == ("olist_order_payments_dataset",)


def test_olist_customers_are_people_not_orders():
    """Olist gives every order its own customer_id; the person is customer_unique_id. After the
    joins the mapping takes the unique id, so repeat buyers are one customer."""
    files, _ = olist_like()
    c = combine(_tables(files))
    m = propose_mapping(c.raw).as_dict()
    assert m["customer_id"] == "customer_unique_id"
    raw = c.raw.data
    people = raw["customer_unique_id"].nunique()
    assert people < raw["customer_id"].nunique()  # the fixture has people with 2+ customer ids
    lines, _ = _lines(c)
    assert lines["customer_id"].nunique() == people


def test_olist_units_counted_translated_and_totals_match_the_generation():
    files, truth = olist_like()
    c = combine(_tables(files))
    assert c.quantity_from_count
    steps = c.steps_frame()
    counted = steps[steps["step"] == "units counted"].iloc[0]
    assert counted["rows before"] == truth["unit_rows"] and counted["rows after"] == truth["lines"]
    # every join keeps the line count
    joins = steps[steps["step"].str.startswith(("describe", "translate"))]
    assert (joins["rows before"] == truth["lines"]).all()
    assert (joins["rows after"] == truth["lines"]).all()
    assert "order_item_id" not in c.raw.columns
    lines, report = _lines(c)
    assert report.rows_kept == truth["lines"]
    # a canceled order stays a placed sale (flagged is_cancelled) with a return line that nets
    # it out, as Shopify's sales reports count it: the generation's totals leave it out, so
    # they are the net of all lines
    assert S.sales_lines(lines)["is_cancelled"].any()
    units = lines.groupby("product_id")["quantity"].sum().to_dict()
    assert units == {k: float(v) for k, v in truth["units_by_product"].items()}
    rev = lines.groupby("category")["revenue"].sum().round(2).to_dict()
    assert rev == pytest.approx(truth["revenue_by_category"])
    # translated to English, the untranslated one kept in Portuguese
    cats = set(lines["category"].dropna())
    assert cats <= set(CATEGORIES.values()) | {UNTRANSLATED}
    assert UNTRANSLATED in cats and "cama_mesa_banho" not in cats
    assert any(UNTRANSLATED in n for n in c.notes)
    # the date is the purchase time (from the orders table), not the shipping limit
    assert propose_mapping(c.raw).as_dict()["order_date"] == "order_purchase_timestamp"


def test_erp_layout_keeps_quantities_and_reports_unmatched_customer():
    files, truth = erp_like()
    c = combine(_tables(files))
    assert c.fact == "OrderLines" and not c.quantity_from_count
    cust = next(s for s in c.steps if s.step == "describe: Customers")
    assert (cust.rows_before, cust.rows_after, cust.matched) == (6, 6, truth["matched_customers"])
    assert any("1 of 6 lines have no match in 'Customers'" in n for n in c.notes)
    lines, _ = _lines(c)
    assert len(lines) == truth["lines"]
    assert lines["revenue"].sum() == pytest.approx(truth["revenue"])
    assert set(lines["product_id"]) == {"ART-1", "ART-2", "ART-3"}
    assert lines.loc[lines["order_id"] == "SO-1002", "country"].tolist() == ["FR"]


def test_non_unique_key_is_refused_with_key_and_example():
    files, _ = erp_like(duplicate_customer=True)
    tables = _tables(files)
    p = propose_joins(tables)
    assert [j.table for j in p.joins] == ["SalesOrders"]
    assert p.refused[0].example == "K-17" and p.refused[0].repeats == 2
    forced = [*p.joins, Join("Customers", "CustomerNo", "CustomerNo")]
    with pytest.raises(JoinError, match=r"'CustomerNo'.*'K-17' appears 2 times"):
        combine(tables, p, joins=forced)


def test_missing_orders_table_leaves_customers_out_and_no_date():
    files, _ = olist_like()
    del files["olist_orders_dataset.csv"]
    tables = _tables(files)
    p = propose_joins(tables)
    assert "olist_customers_dataset" in p.unused  # customer_id lives in the orders table
    assert any("olist_customers_dataset" in n and "shares no key" in n for n in p.notes)
    c = combine(tables, p)
    assert "order_purchase_timestamp" not in c.raw.columns
    assert "customer_city" not in c.raw.columns and "product_category_name" in c.raw.columns
    assert [s.step for s in c.steps][-2:] == [
        "describe: olist_products_dataset",
        "translate: product_category_name_translation",
    ]
    # without the orders table there is no customer column: the product's weight (grams that
    # repeat across dates like an id) is named as an attribute, so it is never the customer
    from ecomdash.ingest.mapping import propose_mapping

    m = propose_mapping(c.raw)
    assert m.as_dict().get("customer_id") is None
    assert any("product_weight_g" in w and "customer_id" in w for w in m.warnings)


def test_merchant_can_change_and_drop_joins():
    files, _ = erp_like()
    tables = _tables(files)
    p = propose_joins(tables)
    c = combine(tables, p, joins=[p.joins[0]])  # customers left out
    assert "Country" not in c.raw.columns and "OrderDate" in c.raw.columns
    with pytest.raises(JoinError, match="no column 'Nope'"):
        combine(tables, p, joins=[Join("SalesOrders", "OrderNo", "Nope")])
    with pytest.raises(JoinError, match="no table named"):
        combine(tables, p, joins=[Join("Missing", "OrderNo", "OrderNo")])


def test_zip_with_several_tables_reads_like_the_files():
    files, truth = olist_like()
    z = _tables({"export.zip": zip_tables(files)})
    assert set(z) == {name.rsplit(".", 1)[0] for name in files}
    c = combine(z)
    assert len(c.raw.data) == truth["lines"]


def test_identical_unit_rows_without_position_column_are_counted():
    items = ("order_id,sku,price\n" + "A,X,2.50\nA,X,2.50\nA,X,2.50\nA,Y,1.00\nB,X,2.50\n").encode()
    orders = b"order_id,date\nA,2024-01-02\nB,2024-01-03\n"
    c = combine(_tables({"items.csv": items, "orders.csv": orders}))
    lines, _ = _lines(c)
    got = lines.set_index(["order_id", "product_id"])["quantity"].to_dict()
    assert got == {("A", "X"): 3.0, ("A", "Y"): 1.0, ("B", "X"): 1.0}
    assert lines["revenue"].sum() == pytest.approx(3 * 2.5 + 1 + 2.5)
    # first line number of each counted group is kept (header = 1)
    assert sorted(lines["line_no"]) == [2, 5, 6]


def test_inputs_not_mutated():
    files, _ = erp_like()
    tables = _tables(files)
    before = {k: v.data.copy() for k, v in tables.items()}
    combine(tables)
    for k, v in tables.items():
        pd.testing.assert_frame_equal(v.data, before[k])


def test_an_order_export_uploaded_with_the_lines_is_named_as_one_not_as_a_bad_key():
    """Two shops' exports (or two months of one) uploaded together: the one that is not the
    lines is another export, left out with what to do (save, then add it to the dataset), not
    a join refused on a status column or 'shares no key'."""
    from pathlib import Path

    fix = Path(__file__).resolve().parents[1] / "fixtures" / "cn_platforms"
    names = ("taobao_orders.csv", "taobao_items.csv", "jd_orders.csv")
    p = propose_joins(_tables({n: (fix / n).read_bytes() for n in names}))
    assert p.fact == "taobao_items" and [j.table for j in p.joins] == ["taobao_orders"]
    assert p.unused == ("jd_orders",)
    [msg] = p.notes
    assert msg.startswith("Table 'jd_orders' is an order export of its own: JD order export")
    assert "upload 'jd_orders' on its own and choose 'Add to an existing dataset'" in msg
    assert "not unique" not in msg
    # the same columns twice (March and April of one shop, no platform layout)
    head = "order id,date,sku,qty,price\n"
    march = head + "".join(f"{i},2024-03-0{i},S{i},1,9.5\n" for i in range(1, 6))
    april = head + "".join(f"{i},2024-04-0{i},S{i},1,9.5\n" for i in range(6, 9))
    p = propose_joins(_tables({"march.csv": march.encode(), "april.csv": april.encode()}))
    assert p.fact == "march" and p.unused == ("april",)
    assert p.notes[0].startswith("Table 'april' has the same columns as 'march'")
