"""The Overview's country tables (ecomdash/rollup_countries.py): with a country filter the
Overview answers from them and equals the Overview from the lines (to the cent and the
count) and pandas' KPIs — all time, a quarter, another country, a country with a category,
several countries, a country with no sales, orders split over two countries — and a store
saved before them gets them on first read."""

from __future__ import annotations

import logging
from datetime import date

import pandas as pd
import pytest

from ecomdash import rollup
from ecomdash import rollup_cells as cells
from ecomdash import rollup_countries as countries
from ecomdash import schema as S
from ecomdash.filters import Filters
from ecomdash.kpis import compute_kpis, overview
from ecomdash.store import Store, connect

from .test_rollup import _demo_filters, _lines_route, _pandas_kpis, _same_kpis
from .test_rollup_cells import _awkward, _same_overview


def _country_filters(lines: pd.DataFrame) -> dict[str, Filters]:
    top = lines[S.COUNTRY].value_counts().index
    cats = lines[S.CATEGORY].value_counts().index
    q = _demo_filters(lines)["quarter"]
    return {
        "all time": Filters(countries=(top[0],)),
        "quarter": Filters(start=q.start, end=q.end, countries=(top[0],)),
        "another country": Filters(countries=(top[2],)),
        "country and category": Filters(countries=(top[1],), categories=(cats[0],)),
        "two countries, a quarter": Filters(start=q.start, end=q.end, countries=tuple(top[:2])),
        "part months": Filters(
            start=q.start - pd.Timedelta(days=50),
            end=q.end - pd.Timedelta(days=20),
            countries=(top[1],),
        ),
        "no sales": Filters(countries=("Narnia",)),
    }


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory, demo):
    lines = demo.lines.copy()
    # a country with lines but no sale: returns and cancelled orders only
    returns = lines.index[lines[S.IS_RETURN]][:5]
    lines.loc[returns, S.COUNTRY] = "Narnia"
    store = Store.open(tmp_path_factory.mktemp("countries_demo"))
    info = store.save_dataset("Demo", lines)
    yield store, info, lines
    store.close()


CASES = [
    "all time",
    "quarter",
    "another country",
    "country and category",
    "two countries, a quarter",
    "part months",
    "no sales",
]


@pytest.mark.parametrize("case", CASES)
def test_country_overview_equals_the_lines_and_pandas(demo_store, monkeypatch, case):
    store, info, lines = demo_store
    f = _country_filters(lines)[case]
    got = overview(store, info.id, f)
    _same_overview(got, _lines_route(monkeypatch, overview, store, info.id, f))
    lo, hi = lines[S.ORDER_DATE].min().date(), lines[S.ORDER_DATE].max().date()
    whole = Filters(
        start=f.start or lo, end=f.end or hi, countries=f.countries, categories=f.categories
    )
    _same_kpis(compute_kpis(store, info.id, whole), _pandas_kpis(lines, whole))
    if case == "no sales":
        assert got.kpis["orders"] == got.kpis["customers"] == got.kpis["new_customers"] == 0
        assert got.kpis["returns"] > 0 and got.kpis["revenue"] == -got.kpis["returns"]


@pytest.mark.parametrize(
    "case", ["all time", "quarter", "another country", "two countries, a quarter"]
)
def test_a_country_reads_neither_lines_nor_order_rows(demo_store, monkeypatch, case):
    """Countries without a category: every figure from the small tables."""
    store, info, lines = demo_store
    f = _country_filters(lines)[case]
    assert countries.current(store, info).one_country  # the demo: every order in one country
    want = overview(store, info.id, f)

    def refuse(*a, **k):
        raise AssertionError("read the lines or the order rows")

    with monkeypatch.context() as m:
        m.setattr(rollup, "query", refuse)
        m.setattr(Store, "query", refuse)
        got = overview(store, info.id, f)
    _same_overview(got, want)


def _by_hand() -> pd.DataFrame:
    rows = [  # order, date, customer, country, revenue, is_return, is_cancelled
        ("A1", "2024-01-05 10:00", "c1", "UK", 10.0, False, False),
        ("A2", "2024-02-01 12:00", "c1", "FR", 7.0, False, False),
        ("A3", "2024-02-03 12:00", "c1", "FR", 7.0, False, True),  # cancelled: not an order
        ("B1", "2024-01-02 09:00", "c2", "FR", 8.0, False, False),
        ("B2", "2024-02-10 09:00", "c2", "FR", 9.0, False, False),
        ("C1", "2024-02-03 09:00", "c3", "UK", 4.0, False, False),
        ("C1", "2024-02-03 09:00", "c3", "UK", 4.0, False, False),  # same order, 2 lines
        ("D1", "2024-01-20 09:00", None, "UK", 5.0, False, False),  # a guest
        ("E1", "2024-01-03 09:00", "c4", "UK", 3.0, False, False),
        ("E2", "2024-01-04 09:00", "c4", "UK", 3.0, False, False),  # two UK orders in January
        ("E3", "2024-02-05 09:00", "c4", "FR", 3.0, False, False),  # then one in France
    ]
    df = pd.DataFrame(
        rows,
        columns=[
            S.ORDER_ID,
            S.ORDER_DATE,
            S.CUSTOMER_ID,
            S.COUNTRY,
            S.REVENUE,
            S.IS_RETURN,
            S.IS_CANCELLED,
        ],
    )
    df[S.ORDER_DATE] = pd.to_datetime(df[S.ORDER_DATE])
    df[S.QUANTITY] = 1.0
    df[S.PRODUCT_ID] = ["p", "q", "q", "p", "q", "q", "q", "p", "p", "q", "q"]
    df[S.IS_NON_PRODUCT] = False
    return df


FEB = (date(2024, 2, 1), date(2024, 2, 29))


@pytest.mark.parametrize(
    ("cs", "period", "want"),
    [
        # (customers, new, repeat, orders) worked out from the rows above
        (("UK",), FEB, (1, 1, 0, 1)),  # c3 new; c1 and c4 have no UK order in February
        (("FR",), FEB, (3, 2, 1, 3)),  # c1's and c4's first FR orders (new), c2's second
        (("FR", "UK"), FEB, (4, 1, 3, 4)),  # c1's second order across both: repeat, not new
        (("UK",), (date(2024, 1, 1), date(2024, 1, 31)), (2, 2, 1, 4)),  # c1, c4 + the guest
        (("FR", "UK"), (date(2024, 1, 1), date(2024, 2, 29)), (4, 4, 3, 9)),  # every date
    ],
)
def test_customers_by_hand(tmp_path, monkeypatch, cs, period, want):
    store = Store.open(tmp_path / "h")
    info = store.save_dataset("Hand", _by_hand())
    f = Filters(start=period[0], end=period[1], countries=cs)
    k = compute_kpis(store, info.id, f)
    assert (k["customers"], k["new_customers"], k["repeat_customers"], k["orders"]) == want
    _same_kpis(k, _lines_route(monkeypatch, compute_kpis, store, info.id, f))
    store.close()


def test_country_filter_on_a_dataset_without_countries_selects_every_line(tmp_path, monkeypatch):
    """As the lines' WHERE: a filter on a column the dataset lacks selects every line."""
    store = Store.open(tmp_path / "h")
    info = store.save_dataset("No country", _by_hand().drop(columns=[S.COUNTRY]))
    assert S.COUNTRY not in info.columns
    f = Filters(start=FEB[0], end=FEB[1], countries=("UK",))
    got = overview(store, info.id, f)
    assert (got.kpis["customers"], got.kpis["orders"]) == (4, 4)  # c1-c4: A2, B2, C1, E3
    _same_overview(got, _lines_route(monkeypatch, overview, store, info.id, f))
    store.close()


@pytest.fixture(scope="module")
def awkward_store(tmp_path_factory, demo):
    lines = _awkward(demo.lines)  # orders split over two countries ("Atlantis")
    store = Store.open(tmp_path_factory.mktemp("countries_awkward"))
    info = store.save_dataset("Awkward", lines)
    yield store, info, lines
    store.close()


@pytest.mark.parametrize("case", ["one", "two", "two, a quarter", "with Atlantis"])
def test_orders_over_two_countries_stay_exact(awkward_store, monkeypatch, case):
    store, info, lines = awkward_store
    assert not countries.current(store, info).one_country
    top = lines[S.COUNTRY].value_counts().index
    q = _demo_filters(lines)["quarter"]
    f = {
        "one": Filters(countries=("Atlantis",)),
        "two": Filters(countries=tuple(top[:2])),
        "two, a quarter": Filters(start=q.start, end=q.end, countries=tuple(top[:2])),
        "with Atlantis": Filters(countries=(top[0], "Atlantis")),
    }[case]
    _same_overview(
        overview(store, info.id, f), _lines_route(monkeypatch, overview, store, info.id, f)
    )


def test_store_without_country_tables_gets_them_on_first_read(tmp_path, demo, monkeypatch, caplog):
    store = Store.open(tmp_path / "h")
    ds = store.save_dataset("Old", demo.lines).id
    store.close()
    con = connect(tmp_path / "h")
    for t in countries.TABLES:
        con.execute(f"DROP TABLE {t}")
    con.close()
    f = _country_filters(demo.lines)["quarter"]
    ro = Store(connect(tmp_path / "h", read_only=True))  # nothing can be built: order rows answer
    info = ro.info(ds)
    assert cells.current(ro, info) and countries.current(ro, info) is None
    want = _lines_route(monkeypatch, overview, ro, ds, f)
    _same_overview(overview(ro, ds, f), want)
    ro.close()
    store = Store.open(tmp_path / "h")  # creates the empty tables
    with caplog.at_level(logging.INFO, logger="ecomdash.rollup_countries"):
        got = overview(store, ds, f)
    assert any("on first read" in r.getMessage() for r in caplog.records)
    assert countries.current(store, store.info(ds)).version == 1
    _same_overview(got, want)
    store.close()


def test_product_months_by_hand(tmp_path):
    """The product months per country (and summed, without the country) of the rows above
    plus a return, worked out by hand: an order with two lines of a product month counts
    once (C1), a cancelled order's sale counts in net but not as an order (A3), a return
    takes its amount off net and its units off the units (net of returns, as the Units tile)
    and is no order (R1). Saved whole, these are grouped from the
    coded frame in two steps (per counted order, then per month) instead of count(DISTINCT)."""
    lines = _by_hand()
    ret = lines.iloc[[4]].assign(
        **{S.ORDER_ID: "R1", S.REVENUE: -2.0, S.QUANTITY: -1.0, S.IS_RETURN: True}
    )
    lines = pd.concat([lines, ret], ignore_index=True)
    store = Store.open(tmp_path / "h")
    info = store.save_dataset("Hand", lines)
    cur = store._cur()
    got = cur.execute(
        f"""SELECT product_id, strftime(month, '%m') AS m, country, net, units, orders
        FROM {countries.PRODUCTS} WHERE dataset_id = ? ORDER BY ALL""",
        [info.id],
    ).fetchall()
    assert got == [
        ("p", "01", "FR", 8.0, 1.0, 1),  # B1
        ("p", "01", "UK", 18.0, 3.0, 3),  # A1, D1, E1
        ("q", "01", "UK", 3.0, 1.0, 1),  # E2
        ("q", "02", "FR", 24.0, 3.0, 3),  # A2, B2, E3 (A3 cancelled); 7+7+9+3-2; 4 - 1 units
        ("q", "02", "UK", 8.0, 2.0, 1),  # C1's two lines
    ]
    got = cur.execute(
        f"""SELECT product_id, strftime(month, '%m') AS m, net, units, orders
        FROM {cells.PRODUCTS} WHERE dataset_id = ? ORDER BY ALL""",
        [info.id],
    ).fetchall()
    assert got == [
        ("p", "01", 26.0, 4.0, 4),
        ("q", "01", 3.0, 1.0, 1),
        ("q", "02", 32.0, 5.0, 4),  # units net of R1's return
    ]
    store.close()
