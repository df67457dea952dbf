"""Words for what the customer analyses count where the data has no order id (session 60,
words2): CDNOW has one line per customer and purchase day, so its "orders" are purchase days.
The history says so (:attr:`ecomdash.features.CustomerHistory.purchase_days`), from the lines
and from the store's SQL alike; the cluster rules and churn's features then name purchase days
and the last purchase, and keep "orders" / "last order" where the data has order ids. The
pages that show them are tested on the CDNOW sample in tests/pages/test_value_no_order_id.py."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ecomdash import churn
from ecomdash.features import customer_history
from ecomdash.i18n import use_lang
from ecomdash.segment import rules as seg_rules
from ecomdash.store import Store


def _lines(*, order_ids: bool) -> pd.DataFrame:
    """Three customers' sale lines over two months, with or without an order id column."""
    days = pd.to_datetime(["2024-01-02", "2024-01-02", "2024-01-20", "2024-02-03", "2024-02-10"])
    df = pd.DataFrame(
        {
            "customer_id": ["a", "a", "a", "b", "c"],
            "order_date": days,
            "product_id": ["P1", "P2", "P1", "P1", "P2"],
            "quantity": 1.0,
            "unit_price": [10.0, 5.0, 8.0, 12.0, 7.0],
            "revenue": [10.0, 5.0, 8.0, 12.0, 7.0],
        }
    )
    if order_ids:
        df.insert(0, "order_id", ["O1", "O2", "O3", "O4", "O5"])
    return df


@pytest.mark.parametrize("order_ids", [True, False])
def test_the_history_says_whether_its_orders_are_purchase_days(tmp_path, order_ids):
    lines = _lines(order_ids=order_ids)
    hist = customer_history(lines)
    assert hist.purchase_days is not order_ids
    assert hist.features().purchase_days is not order_ids
    # a's two orders of 2 January are two orders with ids, one purchase day without
    assert hist.features().table.loc["a", "frequency"] == (3 if order_ids else 2)
    store = Store.open(tmp_path / "home")
    try:
        ds = store.save_dataset("lines", lines)
        assert store.customer_history(ds.id).purchase_days is not order_ids
    finally:
        store.close()


@pytest.mark.parametrize(
    ("lang", "days", "orders"),
    [
        (
            "en",
            (
                "last purchase within 30 days",
                "last purchase 31–90 days ago",
                "purchase days ≥\u00a05",
            ),
            ("last order within 30 days", "last order 31–90 days ago", "orders ≥\u00a05"),
        ),
        (
            "zh",
            (
                "上次购买在\u00a030\u00a0天内",
                "上次购买在\u00a031–90\u00a0天前",
                "购买日数 ≥\u00a05",
            ),
            ("上次下单在\u00a030\u00a0天内", "上次下单在\u00a031–90\u00a0天前", "订单数 ≥\u00a05"),
        ),
    ],
)
def test_a_cluster_rule_names_purchase_days_where_the_data_has_no_order_id(lang, days, orders):
    """The Segments page's rules read "last order within 30 days" on CDNOW, where no order is
    counted; with order ids they still say so."""
    conditions = (
        ("recency_days", -np.inf, 30.5),
        ("recency_days", 30.5, 90.5),
        ("frequency", 4.5, np.inf),
    )
    with use_lang(lang):
        for (feat, lo, hi), day_text, order_text in zip(conditions, days, orders, strict=True):
            assert seg_rules._condition(feat, lo, hi, "", purchase_days=True) == day_text
            assert seg_rules._condition(feat, lo, hi, "") == order_text
        gap = seg_rules._condition("interpurchase_days", 10, 20, "", purchase_days=True)
    assert ("purchases" if lang == "en" else "购买间隔") in gap


@pytest.mark.parametrize(
    ("lang", "names"),
    [
        (
            "en",
            {
                "recency_days": ("days since last purchase", "days since last order"),
                "frequency": ("purchase days", "orders"),
                "orders_30d": ("purchase days, last 30 days", "orders, last 30 days"),
                "monetary": ("spend", "spend"),
            },
        ),
        (
            "zh",
            {
                "recency_days": ("距上次购买天数", "距上次下单天数"),
                "frequency": ("购买日数", "订单数"),
                "orders_30d": ("最近\u00a030\u00a0天购买日数", "最近\u00a030\u00a0天订单数"),
                "monetary": ("消费金额", "消费金额"),
            },
        ),
    ],
)
def test_churns_features_name_purchase_days_where_the_data_has_no_order_id(lang, names):
    with use_lang(lang):
        for feature, (days, orders) in names.items():
            assert churn.feature_label(feature, purchase_days=True) == days
            assert churn.feature_label(feature) == orders
    # every feature that counts orders has its purchase-day name
    counted = {f for f, text in churn.FEATURE_LABELS.items() if "order" in text}
    assert counted <= set(churn.DAY_FEATURE_LABELS), counted - set(churn.DAY_FEATURE_LABELS)
    assert not [t for t in churn.DAY_FEATURE_LABELS.values() if "order" in t]
