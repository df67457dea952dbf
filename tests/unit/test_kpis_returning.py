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
from tests.conftest import kept_customer_sales

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


def year_lines() -> pd.DataFrame:
    """Five customers over 2024 and one in February 2025; the data's first day is 10 January
    2024 (a's first order)."""
    rows = [
        ("A1", "2024-01-10 09:00", "a"),
        ("B1", "2024-03-15 09:00", "b"),
        ("C1", "2024-08-20 09:00", "c"),
        ("A2", "2024-09-05 09:00", "a"),
        ("D1", "2024-10-02 09:00", "d"),
        ("E1", "2024-12-31 09:00", "e"),
        ("F1", "2025-02-03 09:00", "f"),
    ]
    df = pd.DataFrame(rows, columns=["order_id", "order_date", "customer_id"])
    df["order_date"] = pd.to_datetime(df["order_date"]).astype("datetime64[us]")
    df["customer_id"] = df["customer_id"].astype("string")
    return df.assign(
        product_id="X",
        quantity=1.0,
        revenue=10.0,
        is_return=False,
        is_non_product=False,
        is_cancelled=False,
    )


# New customers are counted from the data's first day, 10 Jan 2024: a period starting then
# or less than six months later (before 10 Jul) counts customers who bought before the data
# as new; so does the period it is compared with.
ALL_NOTE = (
    "New customers are counted from 10 January 2024, the first day of your data: customers who "
    "bought before then count as new, so every customer of this period is new and none is "
    "returning in it."
)
NEAR_NOTE = (
    "New customers are counted from 10 January 2024, the first day of your data: customers who "
    "bought before then count as new, so some of this period's new customers had bought "
    "before then."
)
# from six months to a year in (10 Jul 2024 .. 9 Jan 2025): the change shows, with a caveat
CAVEAT_NOTE = (
    "New customers are counted from 10 January 2024, the first day of your data: until 10 January 2025, "
    "some customers who bought before then may still count as new when they come back."
)
PREVIOUS_NOTE = (
    "New customers are counted from 10 January 2024, the first day of your data: customers who "
    "bought before then count as new, so the earlier period this one is compared with counts "
    "too many new customers and too few returning ones; their change is not shown."
)


@pytest.mark.parametrize(
    ("filters", "hand", "previous", "expected"),
    [
        # all time (10 Jan 2024 .. 3 Feb 2025): a b c d e f, all six new, none returning
        (Filters(), (6, 6, 0), None, ALL_NOTE),
        # March, two months in: b is new (counted from 10 Jan)
        (
            Filters(start=date(2024, 3, 1), end=date(2024, 3, 31)),
            (1, 1, 0),
            (date(2024, 1, 30), date(2024, 2, 29)),
            NEAR_NOTE,
        ),
        # 1 .. 9 July: still under six months in (nobody buys; the tile says 0)
        (
            Filters(start=date(2024, 7, 1), end=date(2024, 7, 9)),
            (0, 0, 0),
            (date(2024, 6, 22), date(2024, 6, 30)),
            NEAR_NOTE,
        ),
        # August to October (92 days) starts after 10 July, but is compared with 1 May ..
        # 31 July; its customers c, a (again, not new), d
        (
            Filters(start=date(2024, 8, 1), end=date(2024, 10, 31)),
            (3, 2, 1),
            (date(2024, 5, 1), date(2024, 7, 31)),
            PREVIOUS_NOTE,
        ),
        # 10 July itself, one day, against 9 July
        (
            Filters(start=date(2024, 7, 10), end=date(2024, 7, 10)),
            (0, 0, 0),
            (date(2024, 7, 9), date(2024, 7, 9)),
            PREVIOUS_NOTE,
        ),
        # September (30 days) against 2 .. 31 August: both six months or more in, under a year
        (
            Filters(start=date(2024, 9, 1), end=date(2024, 9, 30)),
            (1, 0, 1),
            (date(2024, 8, 2), date(2024, 8, 31)),
            CAVEAT_NOTE,
        ),
        # 9 Jan 2025 .. 3 Feb 2025 (26 days) starts a day before the year is up: f is new
        (
            Filters(start=date(2025, 1, 9), end=date(2025, 2, 3)),
            (1, 1, 0),
            (date(2024, 12, 14), date(2025, 1, 8)),
            CAVEAT_NOTE,
        ),
        # 10 Jan .. 3 Feb 2025 (25 days), a year in: no note; f new against e the period before
        (
            Filters(start=date(2025, 1, 10), end=date(2025, 2, 3)),
            (1, 1, 0),
            (date(2024, 12, 16), date(2025, 1, 9)),
            None,
        ),
    ],
)
def test_new_customers_note_names_the_data_first_day(tmp_path, filters, hand, previous, expected):
    from ecomdash.kpis import new_customers_note, overview

    store = Store.open(tmp_path / "y")
    try:
        info = store.save_dataset("Year", year_lines())
        res = overview(store, info.id, filters)
    finally:
        store.close()
    assert res.first_day == date(2024, 1, 10)
    # the two ends the note works from: 6 and 12 months after the first day, by hand
    assert res.lookback_end() == date(2024, 7, 10) and res.caveat_end() == date(2025, 1, 10)
    k = res.kpis
    assert (k["customers"], k["new_customers"], k["returning_customers"]) == hand
    assert res.previous_period == previous
    assert new_customers_note(res) == expected
    # a previous period counting early customers as new: no change for new or returning
    # customers (customers and orders still compare); otherwise the changes are there
    censored = expected not in (None, CAVEAT_NOTE) and res.previous is not None
    for name in ("new_customers", "returning_customers"):
        if censored:
            assert res.change(name) is None, name
    # the caveat hides nothing: September's 0 new against August's 1 (c), January's 1 (f)
    # against December's 1 (e)
    if res.previous and not censored:
        before = res.previous["new_customers"]
        assert before == 1 and res.change("new_customers") == pytest.approx(
            (k["new_customers"] - before) / before
        )
    if censored and res.previous.get("customers"):
        assert res.change("customers") is not None


def test_new_customers_note_in_chinese_and_without_customers(saved, tmp_path):
    from ecomdash.i18n import use_lang
    from ecomdash.kpis import new_customers_note, overview

    store, info = saved
    with use_lang("zh"):
        note = new_customers_note(overview(store, info.id, Filters()))
    assert note == (
        "新客户从2024年2月1日（数据的第一天）起计算：在此之前已购买过的客户也算作新客户，"
        "因此本期每位客户都是新客户，本期回头客为\u00a00。"
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


def test_the_lookback_is_where_the_demos_earlier_customers_stop_counting_as_new(demo):
    """The demo's planted truth knows which customers bought before its data starts (its
    regular customers, not ``truth.new_customers``). Among the customers whose first order in
    the data falls in a month, those regulars are 19 % in the month just before
    NEW_LOOKBACK_MONTHS (2025-04) and under 10 % from that month on (2025-05: 4 %), so no
    note is needed for a period starting there."""
    from ecomdash.kpis import NEW_LOOKBACK_MONTHS

    lines = demo.lines
    counted = kept_customer_sales(lines)
    first = lines[counted].groupby("customer_id")["order_date"].min()
    truly_new = set(demo.truth.new_customers.index.astype(str))
    start = lines["order_date"].min().normalize()
    assert start == pd.Timestamp("2024-11-01")

    def regulars_share(months_in: int) -> float:
        month = start + pd.DateOffset(months=months_in)
        new = first[(first >= month) & (first < month + pd.DateOffset(months=1))]
        return sum(str(c) not in truly_new for c in new.index) / len(new)

    assert regulars_share(0) > 0.8  # the data's first month: mostly earlier customers
    assert regulars_share(NEW_LOOKBACK_MONTHS - 1) >= 0.1
    assert all(regulars_share(k) < 0.1 for k in range(NEW_LOOKBACK_MONTHS, NEW_LOOKBACK_MONTHS + 6))


def test_a_censored_previous_period_gives_no_change_for_new_and_returning(tmp_path, demo):
    """The demo's last 12 months against the 12 before, which start on the data's first day:
    that year counts every earlier customer as new (6,084 against 2,863 now, "-52.9 %"), so no
    change is given for new or returning customers; customers and revenue still compare.
    The last 90 days against the 90 before: all compare."""
    from datetime import timedelta

    from ecomdash.kpis import new_customers_note, overview

    store = Store.open(tmp_path / "d")
    try:
        info = store.ensure_demo(demo.lines)
        lo, hi = store.date_range(info.id)
        year = overview(
            store, info.id, Filters(start=hi.date() - timedelta(days=364), end=hi.date())
        )
        recent = overview(
            store, info.id, Filters(start=hi.date() - timedelta(days=89), end=hi.date())
        )
    finally:
        store.close()
    assert year.previous_period[0] == lo.date() == year.first_day
    assert year.previous["new_customers"] > 2 * year.kpis["new_customers"] > 0
    assert year.change("new_customers") is None and year.change("returning_customers") is None
    assert year.change("customers") is not None and year.change("revenue") is not None
    assert new_customers_note(year).endswith("their change is not shown.")
    assert recent.change("new_customers") == pytest.approx(
        (recent.kpis["new_customers"] - recent.previous["new_customers"])
        / recent.previous["new_customers"]
    )
    assert recent.change("returning_customers") is not None
    assert new_customers_note(recent) is None
