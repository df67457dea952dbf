"""Units mean one thing on the Overview: units sold less units returned, the Units tile's
rule (``kpis.units_sql``), in its top products, categories and countries too, whichever route
answers (the rollup's small tables, its order rows, the lines, Spark: test_spark_store.py).

A merchant saw a product refunded in full listed with net revenue 0, 0 orders and "2 units"
(the breakdowns counted the units sold). The shop below is small enough to count by hand; the
expected figures are written out, not computed by the code under test."""

from __future__ import annotations

import logging
from datetime import date

import pandas as pd
import pytest

from ecomdash import rollup
from ecomdash import rollup_cells as cells
from ecomdash import schema as S
from ecomdash.filters import Filters
from ecomdash.kpis import compute_kpis, overview
from ecomdash.store import Store, connect

COLUMNS = [
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
    "revenue",
]


def net_units_lines() -> pd.DataFrame:
    """A sale with its postage and a partial return a month later (P1), a full refund (P2:
    the sale flagged cancelled and a return line in its order, as a Taobao "退款成功" row is
    cleaned), a cancellation (P3: the sale flagged cancelled by a cancellation invoice minutes
    later, as UCI's C invoices) and a return in March of part of a February sale (P4)."""
    rows = [
        # order, date, customer, product, name, qty, price, country, cat, ret, nonprod, canc, rev
        ("O1", "2024-01-10 10:00", "C1", "P1", "Mug", 3, 10.0, "UK", "Kitchen", 0, 0, 0, 30.0),
        ("O1", "2024-01-10 10:00", "C1", "POST", "Postage", 1, 4.0, "UK", None, 0, 1, 0, 4.0),
        ("R1", "2024-02-05 09:00", "C1", "P1", "Mug", -1, 10.0, "UK", "Kitchen", 1, 0, 0, -10.0),
        ("O2", "2024-01-15 10:00", "C2", "P2", "Lamp", 2, 25.0, "DE", "Home", 0, 0, 1, 50.0),
        ("O2", "2024-01-15 10:00", "C2", "P2", "Lamp", -2, 25.0, "DE", "Home", 1, 0, 0, -50.0),
        ("O3", "2024-01-20 12:00", "C3", "P3", "Vase", 1, 40.0, "UK", "Home", 0, 0, 1, 40.0),
        ("CO3", "2024-01-20 12:05", "C3", "P3", "Vase", -1, 40.0, "UK", "Home", 1, 0, 0, -40.0),
        ("O4", "2024-02-10 15:00", "C4", "P4", "Bowl", 5, 8.0, "UK", "Kitchen", 0, 0, 0, 40.0),
        ("O5", "2024-03-03 11:00", "C2", "P4", "Bowl", 2, 8.0, "DE", "Kitchen", 0, 0, 0, 16.0),
        ("R2", "2024-03-20 16:00", "C4", "P4", "Bowl", -3, 8.0, "UK", "Kitchen", 1, 0, 0, -24.0),
    ]
    df = pd.DataFrame(rows, columns=COLUMNS)
    for c in S.FLAGS:
        df[c] = df[c].astype(bool)
    df["order_date"] = pd.to_datetime(df["order_date"]).astype("datetime64[us]")
    df["quantity"] = df["quantity"].astype("float64")
    df["revenue"] = df["revenue"].astype("float64")
    df["line_no"] = range(2, len(df) + 2)
    return df


#: per case: the filters, the Units tile, then (revenue, orders, units) per product, category
#: and country, counted by hand from the lines above (postage is never a product's units)
EXPECTED = {
    # P1 3 sold - 1 returned; P2 2 - 2; P3 1 - 1; P4 5 + 2 - 3. Tile: 13 sold - 7 returned
    "all time": (
        Filters(),
        6,
        {"P4": (32.0, 2, 4), "P1": (20.0, 1, 2), "P2": (0.0, 0, 0), "P3": (0.0, 0, 0)},
        {"Kitchen": (52.0, 3, 6), "Home": (0.0, 0, 0)},
        {"UK": (36.0, 2, 4), "DE": (16.0, 1, 2)},
    ),
    # March: P4's 2 sold less the 3 returned of February's sale: fewer than 0, as the tile
    "march": (
        Filters(start=date(2024, 3, 1), end=date(2024, 3, 31)),
        -1,
        {"P4": (-8.0, 1, -1)},
        {"Kitchen": (-8.0, 1, -1)},
        {"DE": (16.0, 1, 2), "UK": (-24.0, 0, -3)},
    ),
    # from 15 January: P1's return without its sale; January's partial month from the lines,
    # February and March from the product months
    "from 15 january": (
        Filters(start=date(2024, 1, 15), end=date(2024, 3, 31)),
        3,
        {"P4": (32.0, 2, 4), "P2": (0.0, 0, 0), "P3": (0.0, 0, 0), "P1": (-10.0, 0, -1)},
        {"Kitchen": (22.0, 2, 3), "Home": (0.0, 0, 0)},
        {"DE": (16.0, 1, 2), "UK": (6.0, 1, 1)},
    ),
    # one country: its product months
    "uk": (
        Filters(countries=("UK",)),
        4,
        {"P1": (20.0, 1, 2), "P4": (16.0, 1, 2), "P3": (0.0, 0, 0)},
        {"Kitchen": (36.0, 2, 4), "Home": (0.0, 0, 0)},
        {"UK": (36.0, 2, 4)},
    ),
    # two categories: orders are counted on the order rows, units summed there too
    "two categories": (
        Filters(categories=("Kitchen", "Home")),
        6,
        {"P4": (32.0, 2, 4), "P1": (20.0, 1, 2), "P2": (0.0, 0, 0), "P3": (0.0, 0, 0)},
        {"Kitchen": (52.0, 3, 6), "Home": (0.0, 0, 0)},
        {"UK": (36.0, 2, 4), "DE": (16.0, 1, 2)},
    ),
}


def table(df: pd.DataFrame) -> dict:
    """``key -> (revenue, orders, units)`` of a breakdown, revenue to the cent."""
    return {
        str(r.key): (round(float(r.revenue), 2), int(r.orders), int(round(float(r.units))))
        for r in df.itertuples()
    }


def check(res, case: str) -> None:
    _f, tile, products, categories, countries = EXPECTED[case]
    assert res.kpis["units"] == tile
    assert table(res.top_products) == products
    assert list(res.top_products["key"]) == list(products)  # by net revenue, then id
    assert table(res.top_categories) == categories
    assert table(res.top_countries) == countries


@pytest.fixture
def shop(tmp_path):
    store = Store.open(tmp_path / "h")
    info = store.save_dataset("Net units", net_units_lines())
    yield store, info
    store.close()


@pytest.mark.parametrize("case", list(EXPECTED))
def test_units_are_net_of_returns_from_the_rollup(shop, case):
    store, info = shop
    assert rollup.ready(store, info) and cells.current(store, info).products_exact
    check(overview(store, info.id, EXPECTED[case][0]), case)


@pytest.mark.parametrize("case", list(EXPECTED))
def test_units_are_net_of_returns_from_the_lines(shop, monkeypatch, case):
    store, info = shop
    monkeypatch.setenv(rollup.ENV, "0")
    assert not rollup.ready(store, info)
    check(overview(store, info.id, EXPECTED[case][0]), case)


@pytest.mark.parametrize("case", list(EXPECTED))
def test_units_are_net_of_returns_from_the_order_rows(shop, monkeypatch, case):
    """Without the small tables (a read-only store whose cells are not built) the order
    rows and the lines answer: the same units."""
    store, info = shop
    monkeypatch.setattr(cells, "current", lambda store, info: None)
    check(overview(store, info.id, EXPECTED[case][0]), case)


@pytest.mark.parametrize("case", list(EXPECTED))
def test_units_are_net_of_returns_when_the_rollup_is_built_from_the_stored_lines(shop, case):
    """The save builds the rollup from the inserted frame; an older store's first read builds
    it from the stored lines (another SQL route): the same figures."""
    store, info = shop
    with store._transaction("rebuild") as cur:
        rollup.build(cur, store.workspace, info.id, info.columns, info.version)
    check(overview(store, info.id, EXPECTED[case][0]), case)


def test_a_rollup_of_the_old_format_is_rebuilt_not_read(shop, caplog):
    """A store whose small tables were built when their product months held the units sold
    (format 1) is rebuilt on first read: its stored units are never shown."""
    store, info = shop
    con = store._con
    con.execute(f"UPDATE {cells.VERSIONS} SET format = 1")
    con.execute(f"UPDATE {cells.PRODUCTS} SET units = 999")
    con.execute("UPDATE overview_country_products SET units = 999")
    assert cells.current(store, info) is None
    with caplog.at_level(logging.INFO, logger="ecomdash.rollup"):
        res = overview(store, info.id, Filters())
    assert any("on first read" in r.getMessage() for r in caplog.records)
    check(res, "all time")
    check(overview(store, info.id, EXPECTED["uk"][0]), "uk")
    assert cells.meta(store, info.id).format == cells.FORMAT == 2
    # the product months rebuilt: P4's February 5 sold, March 2 sold less 3 returned ...
    assert con.execute(f"SELECT sum(units) FROM {cells.PRODUCTS}").fetchone()[0] == 6


def test_a_read_only_store_of_the_old_format_reads_the_order_rows(tmp_path):
    """Read-only, the old tables cannot be rebuilt: they are not read either."""
    store = Store.open(tmp_path / "h")
    ds = store.save_dataset("Net units", net_units_lines()).id
    store._con.execute(f"UPDATE {cells.VERSIONS} SET format = 1")
    store._con.execute(f"UPDATE {cells.PRODUCTS} SET units = 999")
    store.close()
    ro = Store(connect(tmp_path / "h", read_only=True))
    try:
        assert cells.current(ro, ro.info(ds)) is None
        check(overview(ro, ds, Filters()), "all time")
    finally:
        ro.close()


def test_a_store_from_before_the_format_column_gets_it(tmp_path):
    """A store written before the format column: connect() adds it (old rows read format 1,
    so they are rebuilt on first read), and the overview is the hand-counted one."""
    store = Store.open(tmp_path / "h")
    ds = store.save_dataset("Net units", net_units_lines()).id
    store._con.execute(f"ALTER TABLE {cells.VERSIONS} DROP COLUMN format")
    store._con.execute(f"UPDATE {cells.PRODUCTS} SET units = 999")
    store.close()
    ro = Store(connect(tmp_path / "h", read_only=True))  # read-only: no column added, not read
    try:
        assert cells.meta(ro, ds) is None
        check(overview(ro, ds, Filters()), "all time")
    finally:
        ro.close()
    store = Store.open(tmp_path / "h")
    try:
        assert cells.meta(store, ds).format == 1
        check(overview(store, ds, Filters()), "all time")
        assert cells.meta(store, ds).format == cells.FORMAT
    finally:
        store.close()


def test_the_tile_and_the_products_add_up(shop):
    """Every product line is in one product: the products' units add up to the tile's."""
    store, info = shop
    for f, *_rest in EXPECTED.values():
        res = overview(store, info.id, f, top_n=100)
        assert res.top_products["units"].sum() == compute_kpis(store, info.id, f)["units"]


def test_units_are_net_of_returns_when_an_order_spans_two_countries(tmp_path):
    """An order with lines in two countries: the product months are then grouped from the
    lines by themselves (not summed from the per-country months), net of returns too."""
    extra = pd.DataFrame(
        [
            ("O6", "2024-02-20 10:00", "C5", "P1", "Mug", 1, 10.0, "UK", "Kitchen", 0, 0, 0, 10.0),
            ("O6", "2024-02-20 10:00", "C5", "P4", "Bowl", 1, 8.0, "DE", "Kitchen", 0, 0, 0, 8.0),
        ],
        columns=COLUMNS,
    )
    lines = net_units_lines()
    extra = extra.astype({c: lines[c].dtype for c in COLUMNS})
    lines = pd.concat([lines, extra], ignore_index=True).assign(
        line_no=lambda d: range(2, len(d) + 2)
    )
    store = Store.open(tmp_path / "h")
    try:
        info = store.save_dataset("Two countries", lines)
        assert cells.current(store, info).products_exact
        assert not store._con.execute(
            "SELECT one_country FROM overview_country_versions"
        ).fetchone()[0]
        res = overview(store, info.id, Filters())
        # P4 5 + 2 + 1 sold - 3 returned; P1 3 + 1 sold - 1 returned; tile 15 sold - 7 returned
        assert res.kpis["units"] == 8
        assert table(res.top_products) == {
            "P4": (40.0, 3, 5),
            "P1": (30.0, 2, 3),
            "P2": (0.0, 0, 0),
            "P3": (0.0, 0, 0),
        }
    finally:
        store.close()
