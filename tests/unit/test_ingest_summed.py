"""Summed sales tables: a column's name is never contradicted by the mapping, low-confidence
roles are left unmapped with a warning, and the table is saved as summed sales (events from
flag columns, negative amounts as net returns)."""

from __future__ import annotations

import csv as _csv
import io

import numpy as np
import pandas as pd
import pytest

from ecomdash import schema as S
from ecomdash.ingest import inspect_bytes, load_bytes, propose_mapping
from ecomdash.ingest.mapping import EVENT, named_role
from tests.summed_fixtures import HOLIDAYS, sku_daily, to_csv_bytes, walmart_like


def csv(rows: list[list]) -> bytes:
    buf = io.StringIO()
    _csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue().encode()


def _table(header: list[str], columns: list[list]) -> bytes:
    return csv([header, *map(list, zip(*columns, strict=True))])


N = 60
_rng = np.random.default_rng(7)
_DATES = [str(d.date()) for d in pd.date_range("2024-01-05", periods=N, freq="W-FRI")]
_SMALL = [str(v) for v in _rng.integers(1, 46, N)]  # store numbers 1-45: look like quantities
_BIG = [str(v) for v in _rng.integers(100, 999, N)]  # 3-digit codes: look like order ids
_AMOUNTS = [f"{v:.2f}" for v in _rng.uniform(500, 40_000, N)]
_FLAGS = ["TRUE" if i % 13 == 0 else "FALSE" for i in range(N)]
_COUNTS = [str(v) for v in _rng.integers(0, 30, N)]  # Favorita's onpromotion: item counts
_TEXT = [f"Name {i % 7}" for i in range(N)]

# (id, header, columns, expected subset of the mapping, columns that must stay unmapped)
TRAPS = [
    (
        "walmart original",
        ["Store", "Dept", "Date", "Weekly_Sales", "IsHoliday"],
        [_SMALL, _SMALL[::-1], _DATES, _AMOUNTS, _FLAGS],
        {
            "location": "Store",
            "category": "Dept",
            "order_date": "Date",
            "revenue": "Weekly_Sales",
            EVENT: "IsHoliday",
        },
        {"quantity", "order_id", "customer_id"},
    ),
    (
        "sku units revenue",
        ["sku", "date", "units", "revenue"],
        [_BIG, _DATES, _COUNTS, _AMOUNTS],
        {"product_id": "sku", "order_date": "date", "quantity": "units", "revenue": "revenue"},
        {"order_id", "customer_id"},
    ),
    (
        "three-digit store and department codes",
        ["store_nbr", "department", "week", "sales"],
        [_BIG, _BIG[::-1], _DATES, _AMOUNTS],
        {"location": "store_nbr", "category": "department", "revenue": "sales"},
        {"order_id", "customer_id", "quantity"},
    ),
    (
        "favorita promotion counts",
        ["date", "store_nbr", "family", "sales", "onpromotion"],
        [_DATES, _SMALL, _TEXT, _AMOUNTS, _COUNTS],
        {"location": "store_nbr", "category": "family", "revenue": "sales", EVENT: "onpromotion"},
        {"quantity", "order_id"},
    ),
    (
        "chinese store and department",
        ["门店", "部门", "日期", "销售额"],
        [_SMALL, _SMALL[::-1], _DATES, _AMOUNTS],
        {"location": "门店", "category": "部门", "order_date": "日期", "revenue": "销售额"},
        {"quantity", "order_id", "customer_id"},
    ),
    (
        "chinese shop, category, region, channel, holiday",
        ["店铺", "品类", "区域", "渠道", "日期", "金额", "节假日"],
        [_SMALL, _TEXT, _TEXT[::-1], _TEXT, _DATES, _AMOUNTS, _FLAGS],
        {"category": "品类", "channel": "渠道", "revenue": "金额", EVENT: "节假日"},
        {"quantity", "order_id", "customer_id"},
    ),
    (
        "region and channel codes",
        ["ShopID", "Region", "Channel", "Date", "Amount"],
        [_BIG, _SMALL, _SMALL[::-1], _DATES, _AMOUNTS],
        {"location": "ShopID", "channel": "Channel", "revenue": "Amount"},
        {"quantity", "order_id", "customer_id"},
    ),
    (
        "a second store column is not an order id",
        ["StoreID", "Branch", "Dept", "Date", "Sales"],
        [_SMALL, _BIG, _SMALL[::-1], _DATES, _AMOUNTS],
        {"location": "StoreID", "category": "Dept", "revenue": "Sales"},
        {"order_id", "customer_id", "quantity"},
    ),
    (
        "a measure named after the store is a measure",
        ["Store", "Date", "Store_Sales"],
        [_SMALL, _DATES, _AMOUNTS],
        {"location": "Store", "revenue": "Store_Sales"},
        {"quantity"},
    ),
    (
        "a shopper is a customer, not a shop",
        ["ShopperID", "OrderDate", "Amount"],
        [_BIG, _DATES, _AMOUNTS],
        {"customer_id": "ShopperID", "revenue": "Amount"},
        {"location"},
    ),
]


@pytest.mark.parametrize(
    ("header", "columns", "expected", "unmapped"),
    [t[1:] for t in TRAPS],
    ids=[t[0] for t in TRAPS],
)
def test_named_columns_keep_their_role(header, columns, expected, unmapped):
    raw = inspect_bytes(_table(header, columns), "summed.csv")
    proposal = propose_mapping(raw)
    got = proposal.as_dict()
    assert {k: got.get(k) for k in expected} == expected
    for fld in unmapped:
        assert fld not in got, f"{fld} was mapped to {got.get(fld)!r}"
    # whatever else was mapped: a column named as a group/flag only takes a role its name allows
    allowed = {
        "location": {S.LOCATION, S.CHANNEL},
        "region": {S.LOCATION, S.COUNTRY},
        "category": {S.CATEGORY},
        "channel": {S.CHANNEL},
        "product": {S.PRODUCT_ID, S.PRODUCT_NAME},
        "flag": {EVENT},
    }
    for fld, col in got.items():
        role = named_role(col)
        if role is not None:
            assert fld in allowed[role], (col, role, fld)
    conf = proposal.confidences()
    assert all(conf[f] >= 0.4 for f in got)


def test_walmart_store_column_is_reported_as_kept_from_quantity():
    t = TRAPS[0]
    proposal = propose_mapping(inspect_bytes(_table(t[1], t[2]), "train.csv"))
    assert any("'Store'" in w and "quantity" in w for w in proposal.warnings)


def test_low_confidence_role_is_left_unmapped_with_a_warning():
    # unknown German headers: the small whole numbers could be a quantity, but nothing says so
    body = _table(["Datum", "Menge", "Betrag"], [_DATES, _COUNTS, _AMOUNTS])
    proposal = propose_mapping(inspect_bytes(body, "x.csv"))
    assert proposal.get("quantity").column is None
    assert proposal.confidences()["quantity"] == 0.0
    [w] = [w for w in proposal.warnings if w.startswith("quantity")]
    assert "'Menge'" in w and "Map it yourself" in w
    # still mapped (confidence above the threshold): the date and the amount
    assert proposal.get("order_date").column == "Datum"
    assert proposal.get("revenue").column == "Betrag"


@pytest.mark.parametrize(
    ("name", "role"),
    [
        ("Store", "location"),
        ("store_nbr", "location"),
        ("Dept", "category"),
        ("IsHoliday", "flag"),
        ("is_promo", "flag"),
        ("Weekly_Sales", None),
        ("Store_Sales", None),
        ("Store Size", None),
        ("ShopperID", None),
        ("门店编号", "location"),
        ("门店销售额", None),
        ("SKU", "product"),
    ],
)
def test_named_role(name, role):
    assert named_role(name) == role


# ---------------------------------------------------------------------------------------------
# saved as summed sales


def test_walmart_like_file_loads_as_summed_sales():
    df = walmart_like(stores=3, depts=8, weeks=60, seed=1)
    res = load_bytes(to_csv_bytes(df), "train.csv")
    assert res.report.kind == S.KIND_SUMMED
    lines = res.lines
    assert len(lines) == len(df)
    assert set(lines.columns) >= {S.LOCATION, S.CATEGORY, S.ORDER_DATE, S.REVENUE}
    assert S.QUANTITY not in lines
    # the holiday weeks of the file, read independently of the code under test
    expected = sorted({d.date().isoformat() for d in df.loc[df["IsHoliday"], "Date"]})
    assert res.report.events["dates"] == expected
    assert set(res.report.events["dates"]) <= {d.date().isoformat() for d in HOLIDAYS}
    # negative weeks are net returns: flagged, and the amounts kept as they are
    neg = df["Weekly_Sales"] < 0
    assert neg.sum() > 0
    assert res.report.rule("net_return").rows == int(neg.sum())
    assert lines[S.IS_RETURN].sum() == neg.sum()
    assert lines[S.REVENUE].sum() == pytest.approx(df["Weekly_Sales"].sum())


def test_sku_daily_file_loads_as_summed_sales():
    df = sku_daily(skus=12, days=90, seed=3)
    res = load_bytes(to_csv_bytes(df), "daily.csv")
    assert res.mapping.as_dict() == {
        "product_id": "sku",
        "order_date": "date",
        "quantity": "units",
        "revenue": "revenue",
    }
    assert res.report.kind == S.KIND_SUMMED
    assert res.report.events == {}
    assert len(res.lines) == len(df)  # zero days are kept: they are observations
    assert (res.lines[S.QUANTITY] == 0).sum() == (df["units"] == 0).sum()
    assert res.lines[S.IS_RETURN].sum() == (df["units"] < 0).sum()


def test_order_lines_stay_lines():
    body = csv(
        [
            ["Invoice", "StockCode", "Quantity", "InvoiceDate", "Price", "Customer ID"],
            ["1", "A", "2", "2024-01-01", "3.5", "c1"],
            ["2", "B", "-1", "2024-01-02", "3.5", "c1"],
        ]
    )
    res = load_bytes(body, "orders.csv")
    assert res.report.kind == S.KIND_LINES
    assert res.report.to_dict()["kind"] == "lines"
    # a payments log with a customer but no order id is not summed either (CDNOW)
    body = csv([["customer", "date", "amount"], ["1", "2024-01-01", "5"], ["2", "2024-01-03", "7"]])
    assert load_bytes(body, "log.csv").report.kind == S.KIND_LINES
