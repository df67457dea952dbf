"""The Overview's small tables (ecomdash/rollup_cells.py): day cells, split orders, customers'
first and second order dates, product months. The Overview from them equals the Overview
from the lines (to the cent and the count) — on the demo, on hand-made edge cases (orders
on two dates or countries, a product in two categories, guest orders) and on UCI — they
follow saves, appends and deletes, and stores written before them get them on first read."""

from __future__ import annotations

import logging
from datetime import date, datetime

import pandas as pd
import pytest

from ecomdash import rollup
from ecomdash import rollup_cells as cells
from ecomdash import schema as S
from ecomdash.filters import Filters
from ecomdash.kpis import compute_kpis, overview
from ecomdash.store import Store, connect

from .test_rollup import _demo_filters, _lines_route, _same_kpis, _split

PARTS = ("trend", "top_categories", "top_countries", "top_products")


def _same_overview(got, want) -> None:
    _same_kpis(got.kpis, want.kpis)
    assert (got.previous is None) == (want.previous is None)
    if want.previous is not None:
        _same_kpis(got.previous, want.previous)
    for part in PARTS:
        g, w = getattr(got, part), getattr(want, part)
        if "name" in w:  # names: any one of a product's names (both routes take any_value)
            g, w = g.drop(columns="name"), w.drop(columns="name")
        pd.testing.assert_frame_equal(g, w, check_dtype=False, atol=0.005, rtol=0), part


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory, demo):
    store = Store.open(tmp_path_factory.mktemp("cells_demo"))
    info = store.save_dataset("Demo", demo.lines)
    yield store, info, demo.lines
    store.close()


def test_save_builds_the_tables_in_step_with_the_lines(demo_store):
    store, info, lines = demo_store
    m = cells.meta(store, info.id)
    assert m is not None and m.version == info.version == 1
    assert m.one_month and m.products_exact  # the demo: one row per order, one category a product
    assert (m.first_date, m.last_date) == (lines[S.ORDER_DATE].min(), lines[S.ORDER_DATE].max())
    cur = store._cur()
    # every order once: counted orders in the order cells + split ones = pandas' count
    sale = (
        ~lines[S.IS_RETURN]
        & ~lines[S.IS_NON_PRODUCT]
        & (lines[S.REVENUE] > 0)
        & (lines[S.QUANTITY] > 0)
        & ~lines[S.IS_CANCELLED]
    )
    n = cur.execute(
        "SELECT sum(orders) FROM overview_cells WHERE dataset_id = ? AND NOT by_category",
        [info.id],
    ).fetchone()[0]
    split = cur.execute(
        "SELECT count(DISTINCT order_code) FROM overview_split_orders "
        "WHERE dataset_id = ? AND counted AND NOT by_category",
        [info.id],
    ).fetchone()[0]
    assert n + split == lines.loc[sale, S.ORDER_ID].nunique()
    # first and second order dates per customer, by hand
    k = cur.execute(
        "SELECT count(*), count(second_date) FROM overview_customers WHERE dataset_id = ?",
        [info.id],
    ).fetchone()
    counted = lines[sale & lines[S.CUSTOMER_ID].notna()]
    per = counted.groupby(S.CUSTOMER_ID)[S.ORDER_ID].nunique()
    assert k == (len(per), int((per > 1).sum()))


def test_customer_dates_by_hand(tmp_path):
    """Order dates are each order's first counted line; the second date is the second order's
    (two orders on one day count as two), cancelled and return lines do not count."""
    rows = [  # order, date, customer, revenue, is_return, is_cancelled
        ("A1", "2024-01-05 10:00", "c1", 10.0, False, False),
        ("A1", "2024-01-05 10:00", "c1", 5.0, False, False),
        ("A2", "2024-01-05 12:00", "c1", 7.0, False, False),  # second order, same day
        ("B1", "2024-01-02 09:00", "c2", 8.0, False, True),  # cancelled: not an order
        ("B2", "2024-02-01 09:00", "c2", 9.0, False, False),
        ("B3", "2024-03-01 09:00", "c2", -9.0, True, False),  # a return: not an order
        ("C1", "2024-01-03 09:00", "c3", 4.0, False, False),
        ("C2", "2024-03-03 09:00", "c3", 4.0, False, False),
        ("C3", "2024-04-03 09:00", "c3", 4.0, False, False),
    ]
    df = pd.DataFrame(
        rows,
        columns=[S.ORDER_ID, S.ORDER_DATE, S.CUSTOMER_ID, S.REVENUE, S.IS_RETURN, S.IS_CANCELLED],
    )
    df[S.ORDER_DATE] = pd.to_datetime(df[S.ORDER_DATE])
    df[S.QUANTITY] = 1.0
    df[S.PRODUCT_ID] = "p"
    df[S.IS_NON_PRODUCT] = False
    df[S.COUNTRY] = "UK"
    store = Store.open(tmp_path / "h")
    info = store.save_dataset("Hand", df)
    k = (
        store._cur()
        .execute("SELECT first_date, second_date FROM overview_customers ORDER BY first_date")
        .fetchall()
    )
    ts = datetime.fromisoformat
    assert k == [
        (ts("2024-01-03 09:00"), ts("2024-03-03 09:00")),  # c3
        (ts("2024-01-05 10:00"), ts("2024-01-05 12:00")),  # c1: two orders on one day
        (ts("2024-02-01 09:00"), None),  # c2: the cancelled and the return do not count
    ]
    # February: c2 new, nobody repeat; March: c3 repeat (second order 2024-03-03), not new
    feb = compute_kpis(store, info.id, Filters(start=date(2024, 2, 1), end=date(2024, 2, 29)))
    assert (feb["customers"], feb["new_customers"], feb["repeat_customers"]) == (1, 1, 0)
    mar = compute_kpis(store, info.id, Filters(start=date(2024, 3, 1), end=date(2024, 3, 31)))
    assert (mar["customers"], mar["new_customers"], mar["repeat_customers"]) == (1, 0, 1)
    jan = compute_kpis(store, info.id, Filters(start=date(2024, 1, 1), end=date(2024, 1, 31)))
    assert (jan["orders"], jan["customers"], jan["new_customers"]) == (3, 2, 2)
    assert jan["repeat_customers"] == 1  # c1: two orders in January
    store.close()


def _awkward(lines: pd.DataFrame) -> pd.DataFrame:
    """The demo with split orders (an order's lines on two dates, on two months, in two
    countries), a product sold in two categories, guest orders and lines without an order id."""
    df = lines.copy()
    orders = df[S.ORDER_ID].drop_duplicates()
    by_order = df.groupby(S.ORDER_ID).cumcount()
    later = df[S.ORDER_ID].isin(orders.iloc[100:160]) & (by_order == 1)
    df.loc[later, S.ORDER_DATE] += pd.Timedelta(days=1)
    months = df[S.ORDER_ID].isin(orders.iloc[200:230]) & (by_order == 1)
    df.loc[months, S.ORDER_DATE] += pd.Timedelta(days=40)
    abroad = df[S.ORDER_ID].isin(orders.iloc[300:340]) & (by_order == 1)
    df.loc[abroad, S.COUNTRY] = "Atlantis"
    prod = df[S.PRODUCT_ID].value_counts().index[0]
    two = (df[S.PRODUCT_ID] == prod) & (df.index % 2 == 0)
    df.loc[two, S.CATEGORY] = "Second category"
    guests = df[S.ORDER_ID].isin(orders.iloc[400:450])
    df.loc[guests, S.CUSTOMER_ID] = None
    df.attrs["split"] = df.loc[later | months | abroad, S.ORDER_ID].nunique()
    no_id = df[S.ORDER_ID].isin(orders.iloc[500:520])  # lines without an order id
    df.loc[no_id, S.ORDER_ID] = None
    return df


@pytest.fixture(scope="module")
def awkward_store(tmp_path_factory, demo):
    lines = _awkward(demo.lines)
    store = Store.open(tmp_path_factory.mktemp("cells_awkward"))
    info = store.save_dataset("Awkward", lines)
    yield store, info, lines
    store.close()


def test_split_orders_are_flagged(awkward_store):
    store, info, lines = awkward_store
    m = cells.meta(store, info.id)
    assert not m.one_month and not m.products_exact  # orders over two months
    n = (
        store._cur()
        .execute(
            "SELECT count(DISTINCT order_code) FROM overview_split_orders WHERE dataset_id = ? "
            "AND NOT by_category",
            [info.id],
        )
        .fetchone()[0]
    )
    assert n == lines.attrs["split"] > 60  # orders with a second line, moved


@pytest.mark.parametrize(
    "case", ["all time", "quarter", "country", "one category", "category", "combination"]
)
def test_overview_of_awkward_orders_equals_the_lines(awkward_store, monkeypatch, case):
    store, info, lines = awkward_store
    fs = _demo_filters(lines)
    fs["one category"] = Filters(categories=(lines[S.CATEGORY].value_counts().index[0],))
    f = fs[case]
    _same_overview(
        overview(store, info.id, f), _lines_route(monkeypatch, overview, store, info.id, f)
    )


def test_product_months_with_split_orders_in_one_month(tmp_path, demo, monkeypatch):
    """Orders on two days of one month keep the product months exact (``one_month``), and
    the top products of a period with partial months at both edges add the lines' edges."""
    df = demo.lines.copy()
    orders = df[S.ORDER_ID].drop_duplicates()
    later = df[S.ORDER_ID].isin(orders.iloc[100:200]) & (df.groupby(S.ORDER_ID).cumcount() == 1)
    same_month = later & (df[S.ORDER_DATE].dt.day < 20)
    df.loc[same_month, S.ORDER_DATE] += pd.Timedelta(days=3)
    store = Store.open(tmp_path / "h")
    info = store.save_dataset("Split", df)
    m = cells.meta(store, info.id)
    assert m.one_month and m.products_exact
    lo = df[S.ORDER_DATE].min()
    periods = [
        Filters(),
        Filters(
            start=(lo + pd.Timedelta(days=45)).date(), end=(lo + pd.Timedelta(days=200)).date()
        ),
        Filters(start=(lo + pd.Timedelta(days=3)).date(), end=(lo + pd.Timedelta(days=9)).date()),
        Filters(start=(lo + pd.Timedelta(days=45)).date(), categories=(df[S.CATEGORY].iloc[0],)),
    ]
    for f in periods:
        _same_overview(
            overview(store, info.id, f), _lines_route(monkeypatch, overview, store, info.id, f)
        )
    store.close()


def test_all_time_and_quarter_read_neither_lines_nor_order_rows(demo_store, monkeypatch):
    """The Overview's goal paths (all time, a calendar quarter) answer from the small tables:
    no query over the lines or the order rollup."""
    store, info, lines = demo_store
    want = {k: overview(store, info.id, f) for k, f in _demo_filters(lines).items()}

    def refuse(*a, **k):
        raise AssertionError("read the lines or the order rows")

    with monkeypatch.context() as m:
        m.setattr(rollup, "query", refuse)
        m.setattr(Store, "query", refuse)
        got = overview(store, info.id, Filters())
    _same_overview(got, want["all time"])
    with monkeypatch.context() as m:
        m.setattr(Store, "query", refuse)  # the quarter's customers: order rows of the quarter
        got = overview(store, info.id, _demo_filters(lines)["quarter"])
    _same_overview(got, want["quarter"])


def test_append_and_delete_keep_the_tables_in_step(tmp_path, demo, monkeypatch):
    a, b = _split(demo.lines)
    con = connect(tmp_path / "h")
    store, other = Store(con), Store(con, workspace="other")
    info = store.save_dataset("Part", a)
    kept = other.save_dataset("Kept", a)
    new = store.append(info.id, b).dataset
    assert cells.meta(store, new.id).version == new.version == 2
    f = _demo_filters(demo.lines)["quarter"]
    for flt in (Filters(), f):
        _same_overview(
            overview(store, new.id, flt), _lines_route(monkeypatch, overview, store, new.id, flt)
        )
    store.delete(new.id)
    for t in cells.TABLES:
        left = con.execute(f"SELECT DISTINCT dataset_id FROM {t}").fetchall()
        assert left == ([] if t == cells.SPLIT else [(kept.id,)]), t  # the demo: no split order
    assert cells.meta(store, kept.id) is None  # another workspace's tables are not ours
    con.close()


def _drop_cells(home) -> None:
    con = connect(home)
    for t in cells.TABLES:
        con.execute(f"DROP TABLE {t}")
    con.close()


def test_store_with_order_rollup_but_no_cells_gets_them_on_first_read(
    tmp_path, demo, monkeypatch, caplog
):
    store = Store.open(tmp_path / "h")
    ds = store.save_dataset("Old", demo.lines).id
    store.close()
    _drop_cells(tmp_path / "h")
    # read-only: the order rollup still answers (no cells, nothing can be built)
    ro = Store(connect(tmp_path / "h", read_only=True))
    info = ro.info(ds)
    assert rollup.ready(ro, info) and cells.meta(ro, ds) is None
    f = _demo_filters(demo.lines)["quarter"]
    want = _lines_route(monkeypatch, overview, ro, ds, f)
    _same_overview(overview(ro, ds, f), want)
    ro.close()
    store = Store.open(tmp_path / "h")  # creates the empty tables
    with caplog.at_level(logging.INFO, logger="ecomdash.rollup"):
        got = overview(store, ds, f)
    assert any("on first read" in r.getMessage() for r in caplog.records)
    assert cells.meta(store, ds).version == 1
    _same_overview(got, want)
    store.close()


@pytest.mark.slow
def test_uci_overview_from_cells_equals_lines_and_published_counts(
    uci_lines, tmp_path, monkeypatch
):
    store = Store.open(tmp_path / "h")
    info = store.save_dataset("UCI", uci_lines)
    m = cells.meta(store, info.id)
    # 41 invoices on two order rows (two timestamps or customers), none over two months
    assert m.one_month and m.products_exact
    assert store.date_range(info.id) == (datetime(2009, 12, 1, 7, 45), datetime(2010, 12, 9, 20, 1))
    # customers with a counted order, by pandas (of the published 4,383 with any line)
    d = uci_lines
    sale = (~d[S.IS_RETURN] & ~d[S.IS_NON_PRODUCT] & (d[S.REVENUE] > 0) & (d[S.QUANTITY] > 0)) & ~d[
        S.IS_CANCELLED
    ]
    n = (
        store._cur()
        .execute("SELECT count(*) FROM overview_customers WHERE dataset_id = ?", [info.id])
        .fetchone()[0]
    )
    assert n == d.loc[sale, S.CUSTOMER_ID].nunique() < 4_383
    assert d[S.CUSTOMER_ID].nunique() == 4_383
    cases = {
        "all time": Filters(),
        "quarter": Filters(start=date(2010, 7, 1), end=date(2010, 9, 30)),
        "part months": Filters(start=date(2010, 2, 11), end=date(2010, 6, 17)),
        "country": Filters(countries=("Germany",)),
        "combination": Filters(
            start=date(2010, 10, 1), end=date(2010, 12, 9), countries=("United Kingdom", "EIRE")
        ),
    }
    for name, f in cases.items():
        got = overview(store, info.id, f)
        want = _lines_route(monkeypatch, overview, store, info.id, f)
        for part in ("trend", "top_countries", "top_products"):
            g, w = getattr(got, part), getattr(want, part)
            (
                pd.testing.assert_frame_equal(
                    g.drop(columns=["name"], errors="ignore"),
                    w.drop(columns=["name"], errors="ignore"),
                    check_dtype=False,
                    atol=0.005,
                    rtol=0,
                ),
                (name, part),
            )
        _same_kpis(got.kpis, want.kpis)
    store.close()


def test_category_filter_on_a_dataset_without_categories_is_ignored_as_by_the_lines(
    tmp_path, demo, monkeypatch
):
    """A category filter on a dataset with no category column (a saved filter, a shared
    link) selects nothing to filter on: the lines' query ignores it, so the small tables
    must too — the top products of a period with partial months included."""
    df = demo.lines.drop(columns=[S.CATEGORY])
    store = Store.open(tmp_path / "h")
    info = store.save_dataset("No categories", df)
    lo = df[S.ORDER_DATE].min()
    f = Filters(start=(lo + pd.Timedelta(days=45)).date(), categories=("Home",))
    got = overview(store, info.id, f)
    assert len(got.top_products) > 0
    _same_overview(got, _lines_route(monkeypatch, overview, store, info.id, f))
    _same_overview(got, overview(store, info.id, Filters(start=f.start)))
    store.close()
