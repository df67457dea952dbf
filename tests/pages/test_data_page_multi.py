"""Data page with several files: tables, proposed joins with match shares, a changed key, a
refused join, row counts, one saved dataset (AppTest)."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from ecomdash.ingest.multi import zip_tables
from ecomdash.store import Store
from tests.multi_fixtures import erp_like, olist_like
from tests.pages.conftest import ROOT


def _page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / "data.py"), default_timeout=90)
    at.run()
    assert not at.exception, at.exception
    return at


def _upload(at: AppTest, files: dict[str, bytes]) -> AppTest:
    at.file_uploader(key="uploader").set_value(
        [(n, b, "application/octet-stream") for n, b in files.items()]
    )
    at.run()
    assert not at.exception, at.exception
    return at


def _frames(at):
    return [d.value for d in at.dataframe]


def _steps(at):
    return next(f for f in _frames(at) if "rows before" in f.columns)


def _save(at, name):
    at.text_input[0].set_value(name)
    at.button(key="FormSubmitter:save_form-Save").click().run()
    assert not at.exception, at.exception


def test_olist_tables_joined_counted_translated_and_saved(_isolated_home):
    files, truth = olist_like()
    at = _upload(_page(), files)
    assert at.selectbox(key="multi_fact").value == "olist_order_items_dataset"
    joins = next(f for f in _frames(at) if "lines matched" in f.columns and "why" in f.columns)
    assert list(joins["table"]) == [
        "olist_orders_dataset",
        "olist_customers_dataset",
        "olist_products_dataset",
        "product_category_name_translation",
    ]
    assert list(joins["lines matched"])[:3] == [1.0, 1.0, 1.0]
    warnings = " ".join(w.value for w in at.warning)
    assert "olist\\_order\\_payments\\_dataset" in warnings and "appears 2 times" in warnings
    # the count of rows read is the joined order lines here, and its help says so
    read = next(m for m in at.metric if m.label == "Rows read")
    assert "for several tables, the order lines they were joined into" in read.help
    steps = _steps(at)
    counted = steps[steps["step"] == "units counted"].iloc[0]
    assert (counted["rows before"], counted["rows after"]) == (truth["unit_rows"], truth["lines"])
    sel = {s.key: s.value for s in at.selectbox}
    assert sel["map_order_date"] == "order_purchase_timestamp"
    assert sel["map_quantity"] == "quantity" and sel["map_category"] == "product_category_name"
    _save(at, "Olist sample")
    store = Store.open(_isolated_home)
    [info] = [d for d in store.list_datasets() if not d.is_demo]
    lines = store.load_lines(info.id)
    store.close()
    assert truth["cancelled_lines"] > 0
    assert info.name == "Olist sample" and info.rows == truth["saved_rows"]
    # net of the canceled orders' sales and their return lines: the generation's totals
    assert lines.groupby("category")["revenue"].sum().round(2).to_dict() == pytest.approx(
        truth["revenue_by_category"]
    )


def test_erp_zip_key_changed_and_multiplying_join_refused(_isolated_home):
    files, truth = erp_like(duplicate_customer=True)
    at = _upload(_page(), {"erp.zip": zip_tables(files)})
    steps = _steps(at)
    assert list(steps["step"]) == ["lines: OrderLines", "describe: SalesOrders"]
    assert "K\\-17" in " ".join(w.value for w in at.warning)
    # the merchant asks for the customers join anyway: refused with the key and an example
    at.selectbox(key="join_left_Customers").set_value("CustomerNo").run()
    assert not at.exception, at.exception
    errors = " ".join(e.value for e in at.error)
    assert "'K\\-17' appears 2 times" in errors
    # and leaves it out again: saves the 6 lines
    at.selectbox(key="join_left_Customers").set_value("(leave this table out)").run()
    assert not at.error
    _save(at, "ERP")
    store = Store.open(_isolated_home)
    [info] = [d for d in store.list_datasets() if not d.is_demo]
    lines = store.load_lines(info.id)
    store.close()
    assert info.rows == truth["lines"]
    assert lines["revenue"].sum() == pytest.approx(truth["revenue"])


def test_erp_files_left_column_changed_shows_new_counts(_isolated_home):
    files, truth = erp_like()
    at = _upload(_page(), files)
    steps = _steps(at)
    cust = steps[steps["step"] == "describe: Customers"].iloc[0]
    assert cust["matched lines"] == truth["matched_customers"]
    # a count of lines, shown as one (as a share it showed 5 lines as "500%")
    element = next(d for d in at.dataframe if "rows before" in d.value.columns)
    fmt = json.loads(element.proto.columns)["matched lines"]["type_config"]["format"]
    assert fmt == "%,d"
    # join customers on the wrong column: nothing matches, counts say so
    at.selectbox(key="join_left_Customers").set_value("OrderNo").run()
    assert not at.exception, at.exception
    cust = _steps(at).query("step == 'describe: Customers'").iloc[0]
    assert cust["matched lines"] == 0 and cust["rows after"] == truth["lines"]
