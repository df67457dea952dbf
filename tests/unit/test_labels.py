"""The one label catalogue: headers, money / percent / thousands formats, model names, dates.

Expectations are written by hand (what a merchant should read), not copied from the code.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from ecomdash import labels as L

GBP = L.Display(currency="GBP")


@pytest.mark.parametrize(
    ("value", "col", "display", "expected"),
    [
        (145939.64, "revenue", GBP, "£145,939.64"),
        (1234567.891, "gross_sales", L.Display(currency="EUR"), "€1,234,567.89"),
        (-1234.5, "returns", L.Display(currency="USD"), "-$1,234.50"),
        (99.999, "aov", L.Display(currency="CHF"), "CHF 100.00"),
        (12.0, "revenue", L.Display(), "12.00"),  # unknown currency: no sign invented
        (0.1234, "return_rate", GBP, "12.3\u00a0%"),
        (0.5, "customer_share", GBP, "50.0\u00a0%"),
        (1, "coverage80", GBP, "100\u00a0%"),
        (42.0, "improvement_pct", GBP, "42\u00a0%"),  # already in percentage points
        (12.5, "improvement_pct", GBP, "13\u00a0%"),  # half up (was 12 %: half to even)
        (0.285, "return_rate", GBP, "28.5\u00a0%"),
        (0.0125, "customer_share", GBP, "1.3\u00a0%"),  # was 1.2 % (0.0125 * 100 = 1.25)
        (-0.0001, "return_rate", GBP, "0.0\u00a0%"),  # what rounds to zero: no "-0.0 %"
        (1234567, "orders", GBP, "1,234,567"),
        (np.int64(2500), "units", GBP, "2,500"),
        (3.14159, "lift", GBP, "3.14"),
        (1234.5, "mean", GBP, "1,234.50"),
        (None, "revenue", GBP, ""),
        (float("nan"), "orders", GBP, ""),
        ("mug", "product_name", GBP, "mug"),
        ("sarimax", "model", GBP, "Seasonal ARIMA (SARIMAX)"),
    ],
)
def test_format_value(value, col, display, expected):
    assert L.format_value(value, col, display) == expected


@pytest.mark.parametrize(
    ("style", "expected"),
    [("iso", "2024-03-05"), ("dmy", "05/03/2024"), ("mdy", "03/05/2024")],
)
def test_dates_in_the_merchants_format(style, expected):
    d = L.Display(date_style=style)
    assert L.format_value(pd.Timestamp("2024-03-05"), "period", d) == expected
    assert L.format_value(dt.date(2024, 3, 5), "stockout_date", d) == expected
    assert L.format_value(pd.Timestamp("2024-03-05 14:07"), "order_date", d) == f"{expected} 14:07"


def test_number_formats_for_the_table_columns():
    # printf formats with thousands separators (Streamlit NumberColumn), money with the sign
    assert L.number_format(L.column("revenue"), GBP) == "£%,.2f"
    assert L.number_format(L.column("revenue"), L.Display()) == "%,.2f"
    assert L.number_format(L.column("orders"), GBP) == "%,d"
    assert L.number_format(L.column("lift"), GBP) == "%,.2f"
    assert L.number_format(L.column("improvement_pct"), GBP) == "%,.0f\u00a0%%"
    assert L.number_format(L.column("product_name"), GBP) is None


def test_headers_of_the_issue_examples_are_words():
    assert L.label("gross_sale") == "Gross sale"
    assert L.label("lo80") == "Low (80\u00a0% range)"
    assert L.label("mean") == "Forecast"
    assert L.label("rule_code") == "Rule"
    # one id, different meaning per page
    assert L.label("rule", "basket") == "Rule (if → then)"
    assert L.label("lift", "pricing.promos") == "Lift (units ×)"
    assert L.label("ci_low", "pricing.whatif") == "90\u00a0% low"  # falls back to "pricing:"
    assert L.label("product_id", "pricing.whatif") == L.label("product_id") == "Product id"


def test_unknown_ids_are_humanised_never_raw():
    assert L.label("median_order_value") == "Median order value"
    assert L.label("hi99") == "Hi 99"
    assert L.label("m7") == "Month 7"  # cohort month columns
    assert L.label("gbm") == "Gradient boosting"  # a column per model
    for raw in ("some_new_metric", "x", "abc_def_1"):
        h = L.label(raw)
        assert "_" not in h and h[:1].isupper(), h


def test_download_headers_carry_the_unit():
    assert L.header("revenue", GBP) == "Net revenue (£)"
    assert L.header("revenue", L.Display(currency="CHF")) == "Net revenue (CHF)"
    assert L.header("revenue") == "Net revenue"
    assert L.header("return_rate") == "Return rate (%)"
    assert L.header("orders", GBP) == "Orders"


def test_model_labels_everywhere_come_from_the_catalogue():
    from ecomdash import churn, forecast, recommend

    assert L.model_label("sarimax") == "Seasonal ARIMA (SARIMAX)"
    assert forecast.MODEL_LABELS["sarimax"] == "Seasonal ARIMA (SARIMAX)"
    assert recommend.MODEL_LABELS["ease"] == L.MODEL_LABELS["ease"]
    assert churn.MODEL_LABELS["gbm"] == "Gradient boosting"
    assert forecast.verdict("sarimax", 88.0, 100.0).startswith(
        "Seasonal ARIMA (SARIMAX) is 12\u00a0%"
    )


def test_display_of_a_dataset_from_its_ingest_report():
    assert L.display_for({"notes": ["day/month/year dates: a first part above 12"]}) == L.Display(
        None, "dmy"
    )
    assert L.display_for({"notes": ["month/day/year dates: ..."], "currency": "USD"}) == (
        L.Display("USD", "mdy")
    )
    assert L.display_for({}) == L.Display(None, "iso")
    assert L.display_for({}, is_demo=True) == L.Display("GBP", "dmy")


def test_the_catalogue_is_consistent():
    for key, col in L.COLUMNS.items():
        assert col.kind in L.KINDS, key
        assert col.label and "_" not in col.label and not col.label[:1].islower(), key
    for area, ids in L.TABLES.items():
        assert all(f"{area}:{i}" in L.COLUMNS for i in ids), area


@pytest.mark.parametrize(
    ("price", "date", "expected"),
    [
        ("£1,234.50", "25/12/2024", L.Display("GBP", "dmy")),
        ("$12.00", "12/25/2024", L.Display("USD", "mdy")),
        ("12.00", "2024-12-25", L.Display(None, "iso")),
    ],
)
def test_an_ingested_export_gives_its_currency_and_date_order(tmp_path, price, date, expected):
    """Through the real ingest: the sign on the amounts and the proven date order end up in
    the report, and the dataset's Display is read from it."""
    from ecomdash.ingest import load_path

    path = tmp_path / "orders.csv"
    rows = [
        f'A{i},{date if i == 0 else "01/02/2024" if "/" in date else "2024-02-01"},P{i},2,"{price}"'
        for i in range(3)
    ]
    path.write_text("Invoice,InvoiceDate,StockCode,Quantity,Price\n" + "\n".join(rows) + "\n")
    res = load_path(path)
    assert L.display_for(res.report.to_dict()) == expected


def test_product_label_names_the_product_beside_its_id():
    """The one "name (id)" builder (charts, pickers, hovers of pricing, basket analysis and
    recommendations): the id alone when the product has no name of its own."""
    assert L.product_label("Wooden Train Set – Starter", "TOY-229") == (
        "Wooden Train Set – Starter (TOY-229)"
    )
    assert (
        L.product_label("木制火车套装 – 入门套装", "TOY-229") == "木制火车套装 – 入门套装 (TOY-229)"
    )
    for no_name in (None, float("nan"), pd.NA, "", "  ", "TOY-229"):
        assert L.product_label(no_name, "TOY-229") == "TOY-229", no_name
    assert L.product_label("Mug", 17) == "Mug (17)"  # a numeric id is written as text


def test_date_pickers_take_the_shops_date_order():
    """st.date_input accepts only YYYY/MM/DD, DD/MM/YYYY, MM/DD/YYYY (with / - .)."""
    from ecomdash.i18n import use_lang
    from ecomdash.labels import Display

    assert Display(date_style="dmy").picker_format == "DD/MM/YYYY"
    assert Display(date_style="mdy").picker_format == "MM/DD/YYYY"
    assert Display().picker_format == "YYYY-MM-DD"
    with use_lang("zh"):
        assert Display(date_style="dmy").picker_format == "YYYY/MM/DD"


def test_the_expected_purchases_column_says_what_its_tile_says():
    """Customer value: the table's column and the tile summing it name the same thing
    (the column read "Expected orders" under a tile "Expected purchases, 12 months")."""
    from ecomdash.i18n import _, use_lang
    from ecomdash.labels import label

    for lang in ("en", "zh"):
        with use_lang(lang):
            tile = _("Expected purchases, {months} months", months="12")
            column = label("expected_purchases")
            assert column in tile, (column, tile)
