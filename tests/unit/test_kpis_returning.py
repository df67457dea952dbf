"""Returning customers, two definitions, on a tiny fixture computed by hand.

* ``returning_customers`` ("returning in this period"): customers with an order in the period
  who had ordered before it.
* ``repeat_customers`` (Shopify's "returning customer"): customers with an order in the period
  who, as of the period end, have placed more than one order.

Both in SQL in the store (``compute_kpis``) and in pandas (``kpis_from_lines``).
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from ecomdash.filters import Filters
from ecomdash.kpis import compute_kpis, kpis_from_lines
from ecomdash.store import Store

MARCH = Filters(start=date(2024, 3, 1), end=date(2024, 3, 31))


def repeat_lines() -> pd.DataFrame:
    rows = [
        # order, date, customer, product, qty, revenue, is_return, is_non_product, is_cancelled
        ("A1", "2024-02-10 10:00", "a", "X", 1, 10.0, False, False, False),
        ("A2", "2024-03-05 10:00", "a", "X", 1, 10.0, False, False, False),
        ("B1", "2024-03-03 10:00", "b", "X", 1, 10.0, False, False, False),
        ("B2", "2024-03-20 10:00", "b", "Y", 1, 20.0, False, False, False),
        ("C1", "2024-03-08 10:00", "c", "X", 1, 10.0, False, False, False),
        ("C1", "2024-03-08 10:00", "c", "Y", 1, 20.0, False, False, False),  # same order
        ("CC1", "2024-03-09 10:00", "c", "Y", -1, -20.0, True, False, False),  # a return
        ("D1", "2024-02-01 10:00", "d", "X", 1, 10.0, False, False, False),
        ("D2", "2024-02-01 11:00", "d", "X", 1, 10.0, False, False, False),
        ("E1", "2024-03-10 10:00", "e", "X", 1, 10.0, False, False, False),
        ("E2", "2024-04-05 10:00", "e", "X", 1, 10.0, False, False, False),  # after March
        ("F1", "2024-02-02 10:00", "f", "X", 1, 10.0, False, False, True),  # cancelled
        ("F2", "2024-03-12 10:00", "f", "X", 1, 10.0, False, False, False),
        ("F2", "2024-03-12 10:00", "f", "POST", 1, 4.0, False, True, False),  # postage
        ("G1", "2024-03-14 10:00", None, "X", 1, 10.0, False, False, False),  # a guest
        ("G2", "2024-03-15 10:00", None, "X", 1, 10.0, False, False, False),  # a guest
    ]
    df = pd.DataFrame(
        rows,
        columns=[
            "order_id",
            "order_date",
            "customer_id",
            "product_id",
            "quantity",
            "revenue",
            "is_return",
            "is_non_product",
            "is_cancelled",
        ],
    )
    df["order_date"] = pd.to_datetime(df["order_date"]).astype("datetime64[us]")
    df["quantity"] = df["quantity"].astype("float64")
    df["customer_id"] = df["customer_id"].astype("string")
    return df


# March by hand. Customers with a counted order in March: a, b, c, e, f (guests have none,
# d bought only in February) -> 5.
#   new (first counted order in March): b, c, e, f (f's February order was cancelled) -> 4
#   returning in this period: a (ordered in February) -> 1
#   returning as Shopify counts (more than one order by 31 March): a (Feb + Mar), b (two in
#   March) -> 2; c has one order of two lines and a return, e's second order is in April,
#   f's first order was cancelled.
MARCH_HAND = {"customers": 5, "new_customers": 4, "returning_customers": 1, "repeat_customers": 2}
# All time (1 Feb .. 5 Apr): customers a b c d e f -> 6, all new, none returning in the
# period; more than one order: a, b, d (two orders the same day), e -> 4.
ALL_HAND = {"customers": 6, "new_customers": 6, "returning_customers": 0, "repeat_customers": 4}
# February only: a (A1), d (D1, D2) -> 2 customers, both new; d has two orders -> 1.
FEB_HAND = {"customers": 2, "new_customers": 2, "returning_customers": 0, "repeat_customers": 1}
# April only: e, whose second order it is -> returning in the period and repeat.
APR_HAND = {"customers": 1, "new_customers": 0, "returning_customers": 1, "repeat_customers": 1}

CASES = [
    (MARCH, MARCH_HAND),
    (Filters(), ALL_HAND),
    (Filters(start=date(2024, 2, 1), end=date(2024, 2, 29)), FEB_HAND),
    (Filters(start=date(2024, 4, 1), end=date(2024, 4, 30)), APR_HAND),
]


@pytest.fixture
def saved(tmp_path):
    store = Store.open(tmp_path / "r")
    info = store.save_dataset("Repeat", repeat_lines())
    yield store, info
    store.close()


@pytest.mark.parametrize(("filters", "hand"), CASES)
def test_sql_returning_customers_match_hand(saved, filters, hand):
    store, info = saved
    got = compute_kpis(store, info.id, filters)
    assert {k: got[k] for k in hand} == hand


@pytest.mark.parametrize(("filters", "hand"), CASES)
def test_pandas_returning_customers_match_hand(filters, hand):
    got = kpis_from_lines(repeat_lines(), filters.start, filters.end)
    assert {k: got[k] for k in hand} == hand


def test_country_filter_applies_to_the_history_too(tmp_path):
    """a's February order is in Germany: with a UK filter a is new in March, one order only."""
    lines = repeat_lines().assign(country="UK")
    lines.loc[lines["order_id"] == "A1", "country"] = "DE"
    store = Store.open(tmp_path / "c")
    try:
        info = store.save_dataset("Repeat", lines)
        got = compute_kpis(
            store, info.id, Filters(start=MARCH.start, end=MARCH.end, countries=("UK",))
        )
    finally:
        store.close()
    hand = {"customers": 5, "new_customers": 5, "returning_customers": 0, "repeat_customers": 1}
    assert {k: got[k] for k in hand} == hand


# The data's first day is 1 Feb 2024 (D1); new customers are counted from it, so a period
# starting then or less than two months later (before 1 Apr) counts earlier buyers as new.
ALL_NOTE = (
    "New customers are counted from 2024-02-01, the first day of your data: customers who "
    "bought before then count as new, so every customer of this period is new and none is "
    "returning in it."
)
NEAR_NOTE = (
    "New customers are counted from 2024-02-01, the first day of your data: customers who "
    "bought before then count as new, so some of this period's new customers had bought "
    "before then."
)
PREVIOUS_NOTE = (
    "New customers are counted from 2024-02-01, the first day of your data: customers who "
    "bought before then count as new, so the earlier period this one is compared with counts "
    "too many new customers, and the change reads too low."
)


@pytest.mark.parametrize(
    ("filters", "previous", "expected"),
    [
        # all time (1 Feb .. 5 Apr): 6 customers, all 6 new (ALL_HAND), no earlier period
        (Filters(), None, ALL_NOTE),
        # March starts a month after the data: its 4 new (b c e f) are counted from 1 Feb
        (MARCH, (date(2024, 1, 30), date(2024, 2, 29)), NEAR_NOTE),
        # April (30 days) is two months in, but is compared with 2 .. 31 March
        (
            Filters(start=date(2024, 4, 1), end=date(2024, 4, 30)),
            (date(2024, 3, 2), date(2024, 3, 31)),
            PREVIOUS_NOTE,
        ),
        # 5 April against 4 April: both two months or more after the first day
        (
            Filters(start=date(2024, 4, 5), end=date(2024, 4, 5)),
            (date(2024, 4, 4), date(2024, 4, 4)),
            None,
        ),
    ],
)
def test_new_customers_note_names_the_data_first_day(saved, filters, previous, expected):
    from ecomdash.kpis import new_customers_note, overview

    store, info = saved
    res = overview(store, info.id, filters)
    assert res.first_day == date(2024, 2, 1)
    assert res.previous_period == previous
    assert new_customers_note(res) == expected


def test_new_customers_note_in_chinese_and_without_customers(saved, tmp_path):
    from ecomdash.i18n import use_lang
    from ecomdash.kpis import new_customers_note, overview

    store, info = saved
    with use_lang("zh"):
        note = new_customers_note(overview(store, info.id, Filters()))
    assert note == (
        "新客户从 2024年2月1日（数据的第一天）起计算：在此之前已购买过的客户也算作新客户，"
        "因此本期每位客户都是新客户，本期回头客为 0。"
    )
    # no customer id: no New customers tile, no note
    other = Store.open(tmp_path / "n")
    try:
        anon = other.save_dataset("Anon", repeat_lines().drop(columns="customer_id"))
        res = overview(other, anon.id, Filters())
    finally:
        other.close()
    assert res.kpis["new_customers"] is None
    assert new_customers_note(res) is None
