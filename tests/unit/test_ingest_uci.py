"""The real shared datasets through the real pipeline, checked against their published figures
(../shared/data/README.md) and against the independent SQL reading in tests/reference_uci.py."""

from __future__ import annotations

import pandas as pd
import pytest

from ecomdash import schema
from ecomdash.ingest import load_path
from tests.conftest import (
    CDNOW_MASTER_PATH,
    CDNOW_SAMPLE_PATH,
    GROCERIES_PATH,
    UCI_PATH,
    US_RETAIL_PATH,
    shared,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def uci():
    return load_path(shared(UCI_PATH))


def test_uci_is_mapped_with_no_help(uci):
    assert uci.mapping.as_dict() == {
        "order_id": "Invoice",
        "order_date": "InvoiceDate",
        "customer_id": "Customer ID",
        "product_id": "StockCode",
        "product_name": "Description",
        "quantity": "Quantity",
        "unit_price": "Price",
        "country": "Country",
    }


def test_uci_report_matches_published_counts(uci):
    rep = uci.report
    c = rep.counts()
    assert rep.rows_read == 525_461
    assert c["cancellation_invoice"] == 10_206
    assert "(4,592 orders)" in rep.rule("cancellation_invoice").label
    # Quantity < 0 on 12,326 rows, 2,121 of them not on C invoices
    assert c["negative_quantity"] == 2_121
    assert c["duplicate"] == 6_865
    assert rep.rows_kept == 525_461 - 6_865
    assert c["missing_customer"] == 107_927
    assert c["missing_product_name"] == 2_928
    assert c["zero_price"] == 3_687
    assert c["negative_price"] == 3  # the "A" adjust-bad-debt rows
    assert c["trimmed_names"] == 99_583
    assert c["unreadable_date"] == 0 and c["unreadable_number"] == 0
    assert rep.matched_cancellations == c["cancelled_sale"] > 0
    assert len(rep.rejected) == 6_865


def test_uci_cancellation_matching_agrees_with_plain_reference(uci):
    from tests.unit.test_ingest_clean import naive_cancelled

    cols = ["customer_id", "product_id", "quantity", "order_date", "is_return", "line_no"]
    lines = uci.lines[cols]
    # only customer/product pairs that have a return can take part: keeps the loop short
    ret = lines[lines["is_return"]]
    pairs = set(zip(ret["customer_id"], ret["product_id"], strict=True))
    involved = lines[
        [(c, p) in pairs for c, p in zip(lines["customer_id"], lines["product_id"], strict=True)]
    ]
    expected = naive_cancelled(involved)
    assert set(uci.lines.loc[uci.lines["is_cancelled"], "line_no"]) == expected
    assert uci.report.matched_cancellations == len(expected) > 3_000


def test_uci_lines_shape(uci):
    lines = uci.lines
    assert lines["order_date"].min() == pd.Timestamp("2009-12-01 07:45")
    assert lines["order_date"].max() == pd.Timestamp("2010-12-09 20:01")
    assert lines["customer_id"].dropna().str.contains(r"\.").sum() == 0
    assert lines["country"].nunique() == 40
    assert not lines["product_id"].str.strip().ne(lines["product_id"]).any()


def test_uci_sales_match_independent_reference(uci):
    from tests.reference_uci import uci_reference_lines

    ref = uci_reference_lines(UCI_PATH)
    ours = schema.sales_lines(uci.lines)
    theirs = schema.sales_lines(ref)
    assert ours["order_id"].nunique() == theirs["order_id"].nunique() == 20_573
    assert ours["customer_id"].nunique() == theirs["customer_id"].nunique() == 4_285
    assert set(ours["order_id"]) == set(theirs["order_id"])
    assert set(ours["customer_id"].dropna()) == set(theirs["customer_id"].dropna())
    # same flags on the rows as read (the reference keeps duplicates)
    assert uci.report.rule("non_product").rows == int(ref["is_non_product"].sum())
    assert uci.report.rule("cancellation_invoice").rows + uci.report.rule(
        "negative_quantity"
    ).rows == int(ref["is_return"].sum())
    # dropping exact duplicates removes rows but no order or customer
    assert len(ref) - len(uci.lines) == 6_865


def test_cdnow_master_whitespace_with_header():
    res = load_path(shared(CDNOW_MASTER_PATH))
    assert res.raw_info["delimiter"] == "whitespace" and res.raw_info["has_header"]
    assert res.report.rows_kept == 69_659  # identical rows kept: no order id
    assert res.lines["customer_id"].nunique() == 23_570
    assert res.report.rule("zero_amount").rows == 80
    assert res.lines["order_date"].min() == pd.Timestamp("1997-01-01")
    assert res.lines["order_date"].max() <= pd.Timestamp("1998-06-30")
    assert res.mapping.analyses()["clv"] == set()


def test_cdnow_sample_headerless():
    res = load_path(shared(CDNOW_SAMPLE_PATH))
    assert not res.raw_info["has_header"]
    assert res.report.rows_kept == 6_919
    assert res.lines["customer_id"].nunique() == 2_357
    assert res.mapping.analyses()["clv"] == set()


def test_groceries_basket_list():
    res = load_path(shared(GROCERIES_PATH))
    lines = res.lines
    assert res.raw_info["layout"] == "basket_list"
    assert lines["order_id"].nunique() == 9_835
    assert lines["product_id"].nunique() == 169
    per_item = lines.groupby("product_id")["order_id"].nunique()
    assert per_item["whole milk"] == 2_513
    assert per_item["other vegetables"] == 1_903
    assert per_item["rolls/buns"] == 1_809
    assert per_item["soda"] == 1_715
    assert per_item["yogurt"] == 1_372


def test_us_retail_monthly_series():
    res = load_path(shared(US_RETAIL_PATH))
    assert len(res.lines) == 293
    assert res.lines["order_date"].min() == pd.Timestamp("1992-01-01")
    assert res.lines["order_date"].max() == pd.Timestamp("2016-05-01")
