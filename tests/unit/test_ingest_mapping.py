"""Column mapping: header languages and layouts (UCI, Shopify, WooCommerce, Chinese), content
checks, overrides, and the MappingError when no analysis can run."""

from __future__ import annotations

import pandas as pd
import pytest

from ecomdash.errors import MappingError
from ecomdash.ingest import inspect_bytes, load_bytes, propose_mapping


def csv(rows: list[list[str]]) -> bytes:
    import csv as _csv
    import io

    buf = io.StringIO()
    _csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue().encode()


SHOPIFY = [
    [
        "Name",
        "Email",
        "Financial Status",
        "Paid at",
        "Subtotal",
        "Shipping",
        "Total",
        "Discount Amount",
        "Created at",
        "Lineitem quantity",
        "Lineitem name",
        "Lineitem price",
        "Lineitem compare at price",
        "Lineitem sku",
        "Billing Country",
        "Shipping Country",
        "Vendor",
        "Source",
    ],
    [
        "#1001",
        "ann@example.com",
        "paid",
        "2024-01-05 10:11:12 -0500",
        "30.00",
        "5.00",
        "35.00",
        "0.00",
        "2024-01-05 10:11:12 -0500",
        "2",
        "Mug",
        "10.00",
        "",
        "MUG-1",
        "US",
        "US",
        "Acme",
        "web",
    ],
    [
        "#1001",
        "ann@example.com",
        "",
        "",
        "",
        "",
        "",
        "",
        "2024-01-05 10:11:12 -0500",
        "1",
        "Bowl",
        "10.00",
        "",
        "BOWL-1",
        "",
        "US",
        "Acme",
        "web",
    ],
    [
        "#1002",
        "bob@example.com",
        "refunded",
        "2024-01-06 09:00:00 -0500",
        "10.00",
        "0",
        "10.00",
        "0",
        "2024-01-06 09:00:00 -0500",
        "1",
        "Mug",
        "10.00",
        "",
        "MUG-1",
        "CA",
        "CA",
        "Acme",
        "pos",
    ],
]

WOO = [
    [
        "Order ID",
        "Order Number",
        "Order Date",
        "Order Status",
        "Customer ID",
        "Billing Email",
        "Billing Country",
        "SKU",
        "Product ID",
        "Item Name",
        "Quantity",
        "Item Cost",
        "Line Total",
        "Order Total",
    ],
    [
        "501",
        "501",
        "2024-02-01 12:00",
        "completed",
        "7",
        "c@example.com",
        "DE",
        "T-RED",
        "88",
        "Red tee",
        "2",
        "15.00",
        "30.00",
        "45.00",
    ],
    [
        "501",
        "501",
        "2024-02-01 12:00",
        "completed",
        "7",
        "c@example.com",
        "DE",
        "T-BLU",
        "89",
        "Blue tee",
        "1",
        "15.00",
        "15.00",
        "45.00",
    ],
    [
        "502",
        "502",
        "2024-02-02 08:30",
        "refunded",
        "8",
        "d@example.com",
        "FR",
        "T-RED",
        "88",
        "Red tee",
        "1",
        "15.00",
        "15.00",
        "15.00",
    ],
]


def test_uci_headers():
    rows = [
        [
            "Invoice",
            "StockCode",
            "Description",
            "Quantity",
            "InvoiceDate",
            "Price",
            "Customer ID",
            "Country",
        ],
        [
            "489434",
            "85048",
            "GLASS BALL",
            "12",
            "2009-12-01 07:45:00",
            "6.95",
            "13085.0",
            "United Kingdom",
        ],
    ]
    m = load_bytes(csv(rows), "x.csv").mapping
    assert m.as_dict() == {
        "order_id": "Invoice",
        "product_id": "StockCode",
        "product_name": "Description",
        "quantity": "Quantity",
        "order_date": "InvoiceDate",
        "unit_price": "Price",
        "customer_id": "Customer ID",
        "country": "Country",
    }
    assert all(0.8 <= f.confidence <= 1 for f in m.fields if f.column)
    assert m.get("revenue").column is None  # derived: quantity × price
    assert m.analyses()["basket"] == set() and m.analyses()["clv"] == set()


def test_uci_2011_headers():
    rows = [
        [
            "InvoiceNo",
            "StockCode",
            "Description",
            "Quantity",
            "InvoiceDate",
            "UnitPrice",
            "CustomerID",
            "Country",
        ],
        ["536365", "85123A", "HEART", "6", "12/1/2010 8:26", "2.55", "17850", "United Kingdom"],
        [
            "536366",
            "22633",
            "HAND WARMER",
            "6",
            "12/13/2010 8:28",
            "1.85",
            "17850",
            "United Kingdom",
        ],
    ]
    res = load_bytes(csv(rows), "x.csv")
    assert res.mapping.as_dict()["order_id"] == "InvoiceNo"
    assert res.mapping.as_dict()["unit_price"] == "UnitPrice"
    assert res.mapping.as_dict()["customer_id"] == "CustomerID"
    # 12/13/2010 proves month/day/year for the whole column
    assert res.lines["order_date"].tolist() == [
        pd.Timestamp("2010-12-01 08:26"),
        pd.Timestamp("2010-12-13 08:28"),
    ]


def test_shopify_orders_export():
    res = load_bytes(csv(SHOPIFY), "orders_export.csv")
    m = res.mapping.as_dict()
    assert m == {
        "order_id": "Name",
        "order_date": "Created at",
        "customer_id": "Email",
        "product_id": "Lineitem sku",
        "product_name": "Lineitem name",
        "quantity": "Lineitem quantity",
        "unit_price": "Lineitem price",
        "country": "Shipping Country",
        "category": "Vendor",
        "channel": "Source",
        "status": "Financial Status",
    }
    # Total is an order total: revenue per line is quantity × price instead
    assert any("order total" in n for n in res.mapping.notes)
    # the refunded order stays a sale, flagged cancelled, and a return line after it nets it
    # out: net revenue 30 (it used to be a return at +10, counted in neither sales nor net 0)
    assert res.lines["revenue"].tolist() == [20.0, 10.0, 10.0, -10.0]
    assert res.lines["is_cancelled"].tolist() == [False, False, True, False]
    assert res.lines["is_return"].tolist() == [False, False, False, True]
    assert res.lines["revenue"].sum() == 30.0
    assert res.report.rule("refund_status").rows == 1 and res.report.added_returns == 1
    # wall-clock time kept, offset dropped
    assert res.lines["order_date"].iloc[0] == pd.Timestamp("2024-01-05 10:11:12")


def test_woocommerce_export():
    res = load_bytes(csv(WOO), "woo.csv")
    m = res.mapping.as_dict()
    assert m["order_id"] == "Order ID"
    assert m["order_date"] == "Order Date"
    assert m["customer_id"] == "Customer ID"
    assert m["product_id"] == "SKU"
    assert m["product_name"] == "Item Name"
    assert m["quantity"] == "Quantity"
    assert m["unit_price"] == "Item Cost"
    assert m["revenue"] == "Line Total"
    assert m["country"] == "Billing Country"
    assert m["status"] == "Order Status"
    # the refunded line and the return line that nets it out
    assert res.lines["revenue"].tolist() == [30.0, 15.0, 15.0, -15.0]


def test_override_changes_and_unmaps_fields():
    res = load_bytes(
        csv(WOO),
        "woo.csv",
        mapping={"customer_id": "Billing Email", "product_id": "Product ID", "country": None},
    )
    m = res.mapping.as_dict()
    assert m["customer_id"] == "Billing Email"
    assert m["product_id"] == "Product ID"
    assert "country" not in m and "country" not in res.lines
    assert res.mapping.get("customer_id").reason == "chosen by you"
    assert res.lines["customer_id"].tolist() == [
        "c@example.com",
        "c@example.com",
        "d@example.com",
        "d@example.com",  # the refunded line's return
    ]


def test_override_errors_name_the_problem():
    with pytest.raises(MappingError, match="not in the file: 'Nope'"):
        load_bytes(csv(WOO), "woo.csv", mapping={"order_id": "Nope"})
    with pytest.raises(MappingError, match="Unknown field"):
        load_bytes(csv(WOO), "woo.csv", mapping={"invoice": "Order ID"})


def test_name_match_demoted_by_content():
    # a "Price" column holding text is not a price
    rows = [
        ["Order", "Date", "Price", "Amount"],
        ["1", "2024-01-01", "cheap", "3.5"],
        ["2", "2024-01-02", "dear", "4"],
    ]
    m = propose_mapping(inspect_bytes(csv(rows), "x.csv"))
    assert m.get("unit_price").column is None
    assert m.get("revenue").column == "Amount"


def test_payments_log_and_basket_list_are_enough():
    pay = load_bytes(
        csv([["Date", "Amount"], ["2024-01-01", "10"], ["2024-01-02", "12,5"]]), "p.csv"
    )
    assert pay.mapping.analyses()["overview"] == set()
    assert pay.mapping.analyses()["basket"] == {"order_id", "product_id"}
    basket = load_bytes(csv([["Order", "Product"], ["1", "milk"], ["1", "bread"]]), "b.csv")
    assert basket.mapping.analyses()["basket"] == set()
    # product name only: used as product id
    assert basket.lines["product_id"].tolist() == ["milk", "bread"]


def test_not_enough_columns_says_what_each_analysis_needs():
    with pytest.raises(MappingError) as err:
        load_bytes(csv([["Customer", "Country"], ["a", "UK"], ["b", "FR"]]), "x.csv")
    msg = str(err.value)
    assert "customer_id" in msg and "basket analysis needs order_id + product_id" in msg
    assert "Map the missing columns" in msg


def test_float_customer_ids_become_integers_text():
    rows = [
        ["Invoice", "StockCode", "Customer ID"],
        ["1", "A", "13085.0"],
        ["2", "B", "12.00"],
        ["3", "C", "A-1.0"],
    ]
    res = load_bytes(csv(rows), "x.csv")
    assert res.lines["customer_id"].tolist() == ["13085", "12", "A-1.0"]
    assert res.report.rule("customer_id_float").rows == 2


def test_proposal_table_for_the_data_page():
    raw = inspect_bytes(csv(WOO), "woo.csv")
    frame = propose_mapping(raw).to_frame()
    assert list(frame.columns) == ["field", "column", "confidence", "reason"]
    assert frame.set_index("field").loc["order_id", "column"] == "Order ID"
    assert frame["confidence"].between(0, 1).all()


def test_unknown_headers_fall_back_to_content():
    text = "Bestellnummer;Datum;Kunde;Betrag\n1001;01.02.2024;K7;12,50\n1002;15.02.2024;K7;1.234,00\n1003;03.03.2024;K9;8,00\n"
    res = load_bytes(text.encode("cp1252"), "bestellungen.csv")
    m = res.mapping
    assert m.get("order_date").column == "Datum"
    assert m.get("revenue").column == "Betrag"
    assert m.get("order_date").confidence < 0.8 and "check" in m.get("order_date").reason
    assert res.lines["revenue"].tolist() == [12.5, 1234.0, 8.0]
    assert res.lines["order_date"].tolist() == [
        pd.Timestamp("2024-02-01"),
        pd.Timestamp("2024-02-15"),
        pd.Timestamp("2024-03-03"),
    ]
    assert m.get("order_id").column == "Bestellnummer"
    assert m.get("product_name").column is None  # text alone is not evidence of a product


def test_total_named_column_holding_line_amounts_is_revenue():
    rows = [
        ["订单号", "下单时间", "买家ID", "商品编码", "商品名称", "数量", "单价", "实付金额"],
        ["A1", "2024-11-11 10:00:00", "u1", "S1", "杯子", "2", "10.5", "20"],  # discounted
        ["A1", "2024-11-11 10:00:00", "u1", "S2", "茶叶", "1", "30", "30"],
        ["A2", "2024-11-12 09:00:00", "", "S1", "杯子", "1", "10.5", "10.5"],
    ]
    res = load_bytes(csv(rows), "orders.csv")
    assert res.mapping.as_dict()["revenue"] == "实付金额"
    assert res.lines["revenue"].tolist() == [20.0, 30.0, 10.5]


def test_total_repeated_on_every_line_is_an_order_total():
    rows = [
        ["Order Number", "Order Date", "SKU", "Quantity", "Item Cost", "Order Total"],
        ["7", "2024-01-01", "A", "2", "5", "25"],
        ["7", "2024-01-01", "B", "1", "15", "25"],
        ["8", "2024-01-02", "A", "1", "5", "5"],
    ]
    res = load_bytes(csv(rows), "woo.csv")
    assert "revenue" not in res.mapping.as_dict()
    assert any("same value on every line" in n for n in res.mapping.notes)
    assert res.lines["revenue"].tolist() == [10.0, 15.0, 5.0]


def test_content_notes_write_their_share_as_the_app_does():
    """A quantity column 70 % numbers: its mapping note reads "70 % of values are numbers"
    in English and "70%" (no space) in Chinese, also after a saved dataset's JSON round trip."""
    import json

    from ecomdash import schema
    from ecomdash.i18n import use_lang
    from ecomdash.i18n.note import from_json, to_json, tr_note
    from ecomdash.ingest.content import _content_ok, _Profile

    p = _Profile(
        filled=1.0, number=0.7, date=0.0, integer=0.7, distinct=0.5, median=3.0,
        zero_padded=0.0, email=0.0, alpha=0.3,
    )  # fmt: skip
    mult, why = _content_ok(schema.QUANTITY, p)
    assert mult == 0.8 and why == "70\u00a0% of values are numbers"
    back = from_json(json.loads(json.dumps(to_json(why))))
    with use_lang("zh"):
        assert tr_note(why) == tr_note(back) == "70% 的值是数字"
    _mult, low = _content_ok(schema.QUANTITY, _Profile(**{**p.__dict__, "number": 0.35}))
    assert low == "only 35\u00a0% of values are numbers"
