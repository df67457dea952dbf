"""Multi-table exports written for the tests, with their truths computed from the generation.

- :func:`olist_like`: a marketplace layout (Olist's public e-commerce dataset: orders, order
  items with one row per unit and ``order_item_id`` 1, 2, 3…, customers, products with
  Portuguese category names, payments with several rows per order, a translation table).
- :func:`erp_like`: an ERP export (semicolon-delimited, decimal commas): sales orders, order
  lines with a quantity and a line number, customers.

Each returns ``(files, truth)``: ``{file name: bytes}`` and plain numbers computed while
generating (not by the code under test).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import datetime, timedelta

import numpy as np

CATEGORIES = {
    "cama_mesa_banho": "bed_bath_table",
    "beleza_saude": "health_beauty",
    "esporte_lazer": "sports_leisure",
    "informatica_acessorios": "computers_accessories",
    "utilidades_domesticas": "housewares",
}
UNTRANSLATED = "portateis_cozinha_e_preparadores_de_alimentos"  # Olist has such a gap too


def _csv(header, rows, delimiter=",") -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


def olist_like(n_orders: int = 80, seed: int = 7) -> tuple[dict[str, bytes], dict]:
    rng = np.random.default_rng(seed)
    cats = [*CATEGORIES, UNTRANSLATED]
    products = [
        (f"p{i:04d}{'abcdef'[i % 6]}", cats[i % len(cats)], int(100 + 37 * i)) for i in range(12)
    ]
    price = {p[0]: round(9.9 + 5.5 * i, 2) for i, p in enumerate(products)}
    n_customers = 30
    customers = [
        (
            f"c{i:05d}x",
            f"u{i % 25:04d}",
            f"{10000 + i * 7}",
            ["sao paulo", "rio de janeiro"][i % 2],
            ["SP", "RJ"][i % 2],
        )
        for i in range(n_customers)
    ]
    orders, items, payments = [], [], []
    units_by_product: Counter = Counter()
    revenue_by_category: Counter = Counter()
    lines_distinct = 0
    cancelled_lines = 0
    start = datetime(2018, 1, 1, 8, 0)
    for o in range(n_orders):
        oid = f"o{o:05d}e{o % 7}"
        cust = customers[int(rng.integers(n_customers))][0]
        ts = start + timedelta(hours=int(rng.integers(0, 24 * 90)))
        status = "canceled" if o % 29 == 28 else "delivered"
        orders.append(
            (
                oid,
                cust,
                status,
                ts.strftime("%Y-%m-%d %H:%M:%S"),
                (ts + timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S"),
                (ts + timedelta(days=5)).strftime("%Y-%m-%d %H:%M:%S"),
            )
        )
        k = int(rng.integers(1, 3))
        chosen = rng.choice(len(products), size=k, replace=False)
        seq = 0
        total = 0.0
        for pi in chosen:
            pid, cat, _ = products[int(pi)]
            units = int(rng.integers(1, 4))
            lines_distinct += 1
            cancelled_lines += status == "canceled"
            for _ in range(units):
                seq += 1
                items.append(
                    (
                        oid,
                        str(seq),
                        pid,
                        "s01",
                        (ts + timedelta(days=3)).strftime("%Y-%m-%d %H:%M:%S"),
                        f"{price[pid]:.2f}",
                        "7.50",
                    )
                )
                total += price[pid] + 7.5
            if status != "canceled":
                units_by_product[pid] += units
                revenue_by_category[CATEGORIES.get(cat, cat)] += units * price[pid]
        if o % 5 == 0:  # paid in two parts: two payment rows for this order
            payments.append((oid, "1", "credit_card", "3", f"{total / 2:.2f}"))
            payments.append((oid, "2", "voucher", "1", f"{total / 2:.2f}"))
        else:
            payments.append((oid, "1", "boleto", "1", f"{total:.2f}"))
    files = {
        "olist_orders_dataset.csv": _csv(
            [
                "order_id",
                "customer_id",
                "order_status",
                "order_purchase_timestamp",
                "order_approved_at",
                "order_delivered_customer_date",
            ],
            orders,
        ),
        "olist_order_items_dataset.csv": _csv(
            [
                "order_id",
                "order_item_id",
                "product_id",
                "seller_id",
                "shipping_limit_date",
                "price",
                "freight_value",
            ],
            items,
        ),
        "olist_customers_dataset.csv": _csv(
            [
                "customer_id",
                "customer_unique_id",
                "customer_zip_code_prefix",
                "customer_city",
                "customer_state",
            ],
            customers,
        ),
        "olist_products_dataset.csv": _csv(
            ["product_id", "product_category_name", "product_weight_g"], products
        ),
        "olist_order_payments_dataset.csv": _csv(
            [
                "order_id",
                "payment_sequential",
                "payment_type",
                "payment_installments",
                "payment_value",
            ],
            payments,
        ),
        "product_category_name_translation.csv": _csv(
            ["product_category_name", "product_category_name_english"], list(CATEGORIES.items())
        ),
    }
    truth = {
        "unit_rows": len(items),
        "lines": lines_distinct,
        # a canceled order's lines stay sales flagged is_cancelled, each with a return line
        # added that nets it out: the store keeps lines + cancelled_lines rows
        "cancelled_lines": cancelled_lines,
        "saved_rows": lines_distinct + cancelled_lines,
        "orders": n_orders,
        "units_by_product": dict(units_by_product),
        "revenue_by_category": {k: round(v, 2) for k, v in revenue_by_category.items()},
        "first_split_order": "o00000e0",
    }
    return files, truth


def erp_like(*, duplicate_customer: bool = False) -> tuple[dict[str, bytes], dict]:
    orders = [
        ("SO-1001", "03.02.2024", "K-17", "Open"),
        ("SO-1002", "04.02.2024", "K-18", "Invoiced"),
        ("SO-1003", "15.02.2024", "K-17", "Invoiced"),
        ("SO-1004", "16.02.2024", "K-99", "Invoiced"),  # a customer missing from the master
    ]
    lines = [
        ("SO-1001", "10", "ART-1", "Schraube M4", "100", "0,12"),
        ("SO-1001", "20", "ART-2", "Mutter M4", "50", "0,08"),
        ("SO-1002", "10", "ART-3", "Bohrer 6 mm", "2", "4,90"),
        ("SO-1003", "10", "ART-1", "Schraube M4", "200", "0,12"),
        ("SO-1003", "20", "ART-3", "Bohrer 6 mm", "1", "4,90"),
        ("SO-1004", "10", "ART-2", "Mutter M4", "10", "0,08"),
    ]
    customers = [
        ("K-17", "Müller GmbH", "Hamburg", "DE"),
        ("K-18", "Dupont SARL", "Lyon", "FR"),
    ]
    if duplicate_customer:
        customers.append(("K-17", "Müller GmbH (old address)", "Bremen", "DE"))
    files = {
        "SalesOrders.csv": _csv(["OrderNo", "OrderDate", "CustomerNo", "Status"], orders, ";"),
        "OrderLines.csv": _csv(
            ["OrderNo", "LineNo", "ItemNo", "Description", "Qty", "UnitPrice"], lines, ";"
        ),
        "Customers.csv": _csv(["CustomerNo", "Name", "City", "Country"], customers, ";"),
    }
    truth = {
        "lines": 6,
        # 100*0.12 + 50*0.08 + 2*4.9 + 200*0.12 + 4.9 + 10*0.08
        "revenue": round(12 + 4 + 9.8 + 24 + 4.9 + 0.8, 2),
        "matched_customers": 5,  # SO-1004's line has no customer master row
    }
    return files, truth
