"""A hand-built canonical table whose KPIs are computed by hand in the tests."""

from __future__ import annotations

import pandas as pd


def tiny_lines() -> pd.DataFrame:
    rows = [
        # order, date, customer, product, name, qty, price, country, category, ret, nonprod, cancelled
        (
            "O1",
            "2024-01-01 10:00",
            "C1",
            "P1",
            "Mug",
            2,
            10.0,
            "UK",
            "Kitchen",
            False,
            False,
            False,
        ),
        ("O1", "2024-01-01 10:00", "C1", "P2", "Tea", 1, 5.0, "UK", "Food", False, False, False),
        ("O2", "2024-01-02 09:00", "C2", "P1", "Mug", 1, 10.0, "DE", "Kitchen", False, False, True),
        (
            "CO2",
            "2024-01-02 09:05",
            "C2",
            "P1",
            "Mug",
            -1,
            10.0,
            "DE",
            "Kitchen",
            True,
            False,
            False,
        ),
        ("O3", "2024-01-03 12:00", None, "P2", "Tea", 3, 5.0, "UK", "Food", False, False, False),
        ("O3", "2024-01-03 12:00", None, "POST", "Postage", 1, 4.0, "UK", None, False, True, False),
        (
            "O4",
            "2024-01-05 18:00",
            "C1",
            "P3",
            "Pot",
            1,
            30.0,
            "FR",
            "Kitchen",
            False,
            False,
            False,
        ),
        (
            "O5",
            "2023-12-31 08:00",
            "C3",
            "P1",
            "Mug",
            1,
            10.0,
            "UK",
            "Kitchen",
            False,
            False,
            False,
        ),
    ]
    df = pd.DataFrame(
        rows,
        columns=[
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
        ],
    )
    df["order_date"] = pd.to_datetime(df["order_date"]).astype("datetime64[us]")
    df["quantity"] = df["quantity"].astype("float64")
    df["revenue"] = df["quantity"] * df["unit_price"]
    df["line_no"] = range(2, len(df) + 2)
    return df
