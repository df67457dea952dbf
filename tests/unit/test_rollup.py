"""The per-order rollup (ecomdash/rollup.py): the Overview from it equals the Overview from the
lines, to the cent, and equals an independent pandas computation (kpis.kpis_from_lines); it
follows saves, appends and deletes; datasets saved without it get it built on first read."""

from __future__ import annotations

import logging
from datetime import date

import numpy as np
import pandas as pd
import pytest

from ecomdash import rollup
from ecomdash import schema as S
from ecomdash.filters import Filters
from ecomdash.kpis import compute_kpis, kpis_from_lines, overview
from ecomdash.store import Store, connect

MONEY = ("revenue", "gross_sales", "returns", "aov")
COUNTS = ("orders", "customers", "new_customers", "returning_customers", "repeat_customers")


def _lines_route(monkeypatch, fn, *args, **kwargs):
    """``fn`` with the rollup switched off: the queries over every line, as before."""
    with monkeypatch.context() as m:
        m.setenv(rollup.ENV, "0")
        return fn(*args, **kwargs)


def _same_kpis(got: dict, want: dict) -> None:
    for k in MONEY:
        if want.get(k) is None:
            assert got.get(k) is None, k
        else:
            assert got[k] == pytest.approx(want[k], abs=0.005), k  # to the cent
    for k in (*COUNTS, "units"):
        assert got.get(k) == want.get(k), k
    if want.get("return_rate") is not None:
        assert got["return_rate"] == pytest.approx(want["return_rate"], rel=1e-9)


def _pandas_kpis(lines: pd.DataFrame, f: Filters) -> dict:
    """The independent reference: pandas on the lines the country/category filters keep
    (kpis_from_lines reads first purchases from the frame it gets, "any date")."""
    keep = pd.Series(True, index=lines.index)
    if f.countries:
        keep &= lines[S.COUNTRY].isin(f.countries)
    if f.categories:
        keep &= lines[S.CATEGORY].isin(f.categories)
    return kpis_from_lines(lines[keep], f.start, f.end)


def _demo_filters(lines: pd.DataFrame) -> dict[str, Filters]:
    countries = lines[S.COUNTRY].value_counts().index
    cats = lines[S.CATEGORY].value_counts().index
    q = (pd.Timestamp(lines[S.ORDER_DATE].max()).to_period("Q") - 1).asfreq("D", "start")
    qs = q.to_timestamp().date()
    qe = (pd.Period(qs, "Q").end_time).date()
    return {
        "all time": Filters(),
        "quarter": Filters(start=qs, end=qe),
        "country": Filters(countries=(countries[1],)),
        "category": Filters(categories=(cats[0], cats[2])),
        "combination": Filters(start=qs, end=qe, countries=(countries[0],), categories=(cats[1],)),
    }


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory, demo):
    store = Store.open(tmp_path_factory.mktemp("rollup_demo"))
    info = store.save_dataset("Demo", demo.lines)
    yield store, info, demo.lines
    store.close()


def test_save_builds_the_rollup_with_the_dataset(demo_store):
    store, info, lines = demo_store
    st = rollup.status(store, info.id)
    assert st is not None and st["version"] == info.version == 1
    cur = store._cur()
    # order rows hold every line once; (order, category) rows too
    per = dict(
        cur.execute(
            "SELECT by_category, sum(lines) FROM order_rollup WHERE dataset_id = ? GROUP BY 1",
            [info.id],
        ).fetchall()
    )
    assert per == {False: len(lines), True: len(lines)}
    n_orders = cur.execute(
        "SELECT count(DISTINCT order_code) FROM order_rollup WHERE dataset_id = ?", [info.id]
    ).fetchone()[0]
    assert n_orders == lines[S.ORDER_ID].nunique()


@pytest.mark.parametrize("case", ["all time", "quarter", "country", "category", "combination"])
def test_kpis_from_rollup_equal_the_lines_and_pandas_on_the_demo(demo_store, monkeypatch, case):
    store, info, lines = demo_store
    f = _demo_filters(lines)[case]
    assert rollup.ready(store, info)
    got = compute_kpis(store, info.id, f)
    _same_kpis(got, _lines_route(monkeypatch, compute_kpis, store, info.id, f))
    ref = _pandas_kpis(lines, f)
    assert got["orders"] > 0
    for k in ("revenue", "gross_sales", "returns"):
        assert got[k] == pytest.approx(ref[k], abs=0.005), k
    for k in ("orders", "customers", "units", "new_customers", "repeat_customers"):
        assert got[k] == ref[k], k


@pytest.mark.parametrize("case", ["all time", "quarter", "combination"])
def test_overview_trend_and_breakdowns_from_rollup_equal_the_lines(demo_store, monkeypatch, case):
    store, info, lines = demo_store
    f = _demo_filters(lines)[case]
    got = overview(store, info.id, f)
    want = _lines_route(monkeypatch, overview, store, info.id, f)
    _same_kpis(got.kpis, want.kpis)
    if want.previous is not None:
        _same_kpis(got.previous, want.previous)
    assert got.grain == want.grain and got.notes == want.notes
    for part in ("trend", "top_categories", "top_countries", "top_products"):
        g, w = getattr(got, part), getattr(want, part)
        assert len(w) > 0, part
        pd.testing.assert_frame_equal(g, w, check_dtype=False, atol=0.005, rtol=0), part


def test_country_breakdown_by_hand(demo_store):
    """The rollup's country table against pandas on the same quarter's lines."""
    store, info, lines = demo_store
    f = _demo_filters(lines)["quarter"]
    got = overview(store, info.id, f).top_countries.set_index("key")
    d = lines[
        (lines[S.ORDER_DATE] >= pd.Timestamp(f.start))
        & (lines[S.ORDER_DATE] < pd.Timestamp(f.end) + pd.Timedelta(days=1))
        & ~lines[S.IS_NON_PRODUCT]
    ]
    sale = ~d[S.IS_RETURN] & (d[S.REVENUE] > 0) & (d[S.QUANTITY] > 0)
    net = (
        d[S.REVENUE].where(sale, 0).groupby(d[S.COUNTRY]).sum()
        - d[S.REVENUE].abs().where(d[S.IS_RETURN], 0).groupby(d[S.COUNTRY]).sum()
    )
    orders = d.loc[sale & ~d[S.IS_CANCELLED]].groupby(S.COUNTRY)[S.ORDER_ID].nunique()
    for country, row in got.iterrows():
        assert row["revenue"] == pytest.approx(net[country], abs=0.005)
        assert row["orders"] == orders[country]


def _split(lines: pd.DataFrame, seed: int = 3) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two exports: lines drawn at random (orders cut in two), the second overlapping the first."""
    rng = np.random.default_rng(seed)
    first = rng.random(len(lines)) < 0.6
    overlap = first & (rng.random(len(lines)) < 0.1)  # offered again: duplicates to skip
    return lines[first].reset_index(drop=True), lines[~first | overlap].reset_index(drop=True)


def test_append_keeps_the_rollup_in_step(tmp_path, demo, monkeypatch):
    lines = demo.lines
    a, b = _split(lines)
    store = Store.open(tmp_path / "h")
    info = store.save_dataset("Part", a)
    before = compute_kpis(store, info.id)
    res = store.append(info.id, b)
    assert res.added == len(lines) - len(a) and res.duplicates > 0
    new = res.dataset
    assert rollup.status(store, new.id)["version"] == new.version == 2
    whole = store.save_dataset("Whole", lines)
    f = _demo_filters(lines)["combination"]
    for flt in (None, f):
        got = compute_kpis(store, new.id, flt)
        _same_kpis(got, _lines_route(monkeypatch, compute_kpis, store, new.id, flt))
        _same_kpis(got, compute_kpis(store, whole.id, flt))
    assert compute_kpis(store, new.id)["orders"] > before["orders"]
    store.close()


def test_delete_and_workspaces_keep_rollups_apart(tmp_path, demo, monkeypatch):
    lines = demo.lines
    con = connect(tmp_path / "h")
    shop_a, shop_b = Store(con, workspace="a"), Store(con, workspace="b")
    ia = shop_a.save_dataset("A", lines)
    ib = shop_b.save_dataset("B", lines[lines[S.COUNTRY] == lines[S.COUNTRY].iloc[0]])
    for shop, info in ((shop_a, ia), (shop_b, ib)):
        got = compute_kpis(shop, info.id)
        _same_kpis(got, _lines_route(monkeypatch, compute_kpis, shop, info.id))
    assert compute_kpis(shop_b, ib.id)["orders"] < compute_kpis(shop_a, ia.id)["orders"]
    assert rollup.status(shop_b, ia.id) is None  # b never sees a's rollup
    shop_a.delete(ia.id)
    left = con.execute("SELECT DISTINCT workspace FROM order_rollup").fetchall()
    assert left == [("b",)]
    assert con.execute("SELECT count(*) FROM order_rollup_versions").fetchone()[0] == 1
    con.close()


def _store_without_rollup(home, lines) -> str:
    """A store as written before the rollup: its tables dropped after the save."""
    store = Store.open(home)
    ds = store.save_dataset("Old", lines).id
    store._cur().execute("DROP TABLE order_rollup")
    store._cur().execute("DROP TABLE order_rollup_versions")
    store.close()
    return ds


def test_lazy_build_on_a_store_written_without_it(tmp_path, demo, monkeypatch, caplog):
    ds = _store_without_rollup(tmp_path / "h", demo.lines)
    store = Store.open(tmp_path / "h")  # connect() creates the (empty) rollup tables
    assert rollup.status(store, ds) is None
    f = _demo_filters(demo.lines)["combination"]
    with caplog.at_level(logging.INFO, logger="ecomdash.rollup"):
        got = compute_kpis(store, ds, f)
    assert any("on first read" in r.getMessage() for r in caplog.records)
    assert rollup.status(store, ds)["version"] == 1
    _same_kpis(got, _lines_route(monkeypatch, compute_kpis, store, ds, f))
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="ecomdash.rollup"):
        compute_kpis(store, ds, f)
    assert not caplog.records  # built once
    store.close()


def test_read_only_store_without_rollup_falls_back_to_the_lines(tmp_path, demo, monkeypatch):
    ds = _store_without_rollup(tmp_path / "h", demo.lines)
    store = Store(connect(tmp_path / "h", read_only=True))
    info = store.info(ds)
    assert not rollup.ready(store, info)  # no table, and it cannot be built here
    f = _demo_filters(demo.lines)["quarter"]
    got = compute_kpis(store, ds, f)
    _same_kpis(got, _pandas_kpis(demo.lines, f) | {"aov": got["aov"]})
    store.close()


def test_stale_rollup_is_rebuilt(tmp_path, demo, monkeypatch):
    """A version moved without its rollup (an append by older code) is rebuilt, not read."""
    a, b = _split(demo.lines)
    store = Store.open(tmp_path / "h")
    info = store.save_dataset("Part", a)
    con = store._con
    con.execute("CREATE TABLE old_rows AS SELECT * FROM order_rollup")
    store.append(info.id, b)
    # what an append by older code left: the version moved, the rollup of version 1
    con.execute("DELETE FROM order_rollup")
    con.execute("INSERT INTO order_rollup SELECT * FROM old_rows")
    con.execute("UPDATE order_rollup_versions SET version = 1")
    got = compute_kpis(store, info.id)
    assert rollup.status(store, info.id)["version"] == 2
    _same_kpis(got, _lines_route(monkeypatch, compute_kpis, store, info.id))
    # the stale rows (part A only) gave fewer orders
    assert got["orders"] > compute_kpis(store, store.save_dataset("A", a).id)["orders"]
    store.close()


@pytest.mark.slow
def test_uci_overview_from_rollup_equals_lines_and_published_counts(
    uci_lines, tmp_path, monkeypatch
):
    store = Store.open(tmp_path / "h")
    info = store.save_dataset("UCI", uci_lines)
    cur = store._cur()
    n_inv, n_cust = cur.execute(
        "SELECT count(DISTINCT order_code), count(DISTINCT customer_code) FROM order_rollup "
        "WHERE dataset_id = ? AND NOT by_category",
        [info.id],
    ).fetchone()
    # published (../shared/data/README.md): 28,816 invoices, 4,383 customers
    assert (n_inv, n_cust) == (28_816, 4_383)
    cases = {
        "all time": Filters(),
        "quarter": Filters(start=date(2010, 7, 1), end=date(2010, 9, 30)),
        "country": Filters(countries=("Germany",)),
        "combination": Filters(
            start=date(2010, 10, 1), end=date(2010, 12, 9), countries=("United Kingdom", "EIRE")
        ),
    }
    for name, f in cases.items():
        got = overview(store, info.id, f)
        want = _lines_route(monkeypatch, overview, store, info.id, f)
        _same_kpis(got.kpis, want.kpis)
        ref = _pandas_kpis(uci_lines, f)
        assert got.kpis["revenue"] == pytest.approx(ref["revenue"], abs=0.005), name
        assert got.kpis["orders"] == ref["orders"], name
        assert got.kpis["customers"] == ref["customers"], name
        pd.testing.assert_frame_equal(got.trend, want.trend, check_dtype=False, atol=0.005, rtol=0)
        pd.testing.assert_frame_equal(
            got.top_countries, want.top_countries, check_dtype=False, atol=0.005, rtol=0
        )
    store.close()


def test_streamed_save_builds_the_rollup(tmp_path, monkeypatch):
    """``Store.save_batches`` (the generated merchant at any size) writes the rollup too."""
    from ecomdash import demo_scale

    store = Store.open(tmp_path / "h")
    info = demo_scale.save(demo_scale.generate_scaled(20_000, seed=3), store, "Scaled")
    assert rollup.status(store, info.id)["version"] == 1
    hi = store.date_range(info.id)[1]
    quarter = pd.Timestamp(hi).to_period("Q") - 1
    q = Filters(start=quarter.start_time.date(), end=quarter.end_time.date())
    for f in (None, q):
        got = overview(store, info.id, f)
        want = _lines_route(monkeypatch, overview, store, info.id, f)
        assert got.kpis["orders"] > 0
        _same_kpis(got.kpis, want.kpis)
        pd.testing.assert_frame_equal(
            got.top_categories, want.top_categories, check_dtype=False, atol=0.005, rtol=0
        )
    store.close()


def _rollup_rows(store: Store, ds: str) -> pd.DataFrame:
    return (
        store._cur()
        .execute(
            "SELECT * EXCLUDE (workspace, dataset_id) FROM order_rollup WHERE dataset_id = ?", [ds]
        )
        .df()
    )


def _partition(rows: pd.DataFrame, code: str) -> list:
    """Which rows share a code, as a sorted list of each code's sorted row contents (the
    other code left out): equal for two numberings exactly when the codes group the same
    rows, whatever numbers they use."""
    other = "customer_code" if code == "order_code" else "order_code"
    rest = rows.drop(columns=[code, other])
    rest = rest.assign(**{c: rest[c].round(6) for c in rest.select_dtypes("float").columns})
    sig = pd.Series([repr(t) for t in rest.itertuples(index=False)], index=rows.index)
    groups = sig.groupby(rows[code].fillna(-1).to_numpy()).agg(lambda s: tuple(sorted(s)))
    nulls = groups.pop(-1) if -1 in groups.index else ()
    return [nulls, sorted(groups.tolist())]


@pytest.mark.parametrize("case", ["as saved", "no category, countries missing", "text missing"])
def test_save_from_the_frame_equals_the_rollup_built_from_the_stored_lines(tmp_path, demo, case):
    """save_dataset numbers the ids by Arrow's hash encoding over the inserted frame (several
    64k-row batches here, one dictionary for all), and groups the order rows on codes of the
    country and category too, their text joined back; the lazy / append route numbers them
    in SQL from the stored lines and groups on the text. Same rows, codes grouping the same
    rows; so are the small tables built from them. Also without a category column (the
    order rows straight from the frame) and with missing countries and categories (null
    codes, null text)."""
    lines = demo.lines.copy()
    # guests (no customer id) and a few lines without an order id: null codes on both routes
    lines.loc[lines.index[::97], S.CUSTOMER_ID] = pd.NA
    lines.loc[lines.index[5::1001], S.ORDER_ID] = pd.NA
    if case != "as saved":
        lines.loc[lines.index[3::53], S.COUNTRY] = pd.NA
    if case == "no category, countries missing":
        lines = lines.drop(columns=[S.CATEGORY])
    elif case == "text missing":
        lines.loc[lines.index[7::41], S.CATEGORY] = pd.NA
    assert len(lines) > 2 * 65_536
    store = Store.open(tmp_path / "h")
    ds = store.save_dataset("Demo", lines).id
    frame_rows = _rollup_rows(store, ds)
    small = (
        "overview_cells",
        "overview_products",
        "overview_cells_versions",
        "overview_country_products",  # from the frame: grouped on codes, text joined back
    )

    def small_tables() -> list[pd.DataFrame]:
        return [
            store._cur().execute(f"SELECT * FROM {t} WHERE dataset_id = ? ORDER BY ALL", [ds]).df()
            for t in small
        ]

    cells = small_tables()
    assert len(cells[1]) > 1000  # product months: order ids counted on their codes
    cols = store.info(ds).columns
    cur = store._cur()
    cur.execute("BEGIN TRANSACTION")
    rollup.build(cur, store.workspace, ds, cols, 1)  # the SQL route, from the stored lines
    cur.execute("COMMIT")
    sql_rows = _rollup_rows(store, ds)
    assert len(frame_rows) == len(sql_rows) > len(lines) // 10
    assert frame_rows["order_code"].nunique() == (lines[S.ORDER_ID].nunique())
    assert frame_rows["customer_code"].nunique() == lines[S.CUSTOMER_ID].nunique()
    assert frame_rows["order_code"].isna().sum() == sql_rows["order_code"].isna().sum() > 0
    for code in ("order_code", "customer_code"):
        assert _partition(frame_rows, code) == _partition(sql_rows, code), code
    for name, got, want in zip(small, cells, small_tables(), strict=True):
        pd.testing.assert_frame_equal(got, want, obj=name)
    # the order rows of each country and category (text joined back from the codes)
    by = frame_rows.groupby(["by_category", "country", "category"], dropna=False)["lines"].sum()
    pd.testing.assert_series_equal(
        by, sql_rows.groupby(["by_category", "country", "category"], dropna=False)["lines"].sum()
    )
    assert by.loc[False].sum() == len(lines)
    if S.CATEGORY in lines:
        assert by.loc[True].sum() == len(lines)
        want = lines.groupby(S.CATEGORY, dropna=False).size()
        got = by.loc[True].groupby(level="category", dropna=False).sum()
        assert _by_text(got) == _by_text(want)
    else:
        assert not frame_rows["by_category"].any()
    want = lines.groupby(S.COUNTRY, dropna=False).size()
    got = by.loc[False].groupby(level="country", dropna=False).sum()
    assert _by_text(got) == _by_text(want)
    store.close()


def _by_text(counts: pd.Series) -> dict:
    """Counts by text value, a missing one as None (NA is not a usable dict key)."""
    return {(None if pd.isna(k) else str(k)): int(v) for k, v in counts.items()}


def test_order_rows_are_the_sums_of_their_category_rows(demo_store):
    """Saved whole, the order rows are grouped from the frame, not summed from the stored
    (order, category) rows as before: they must still be those sums (one order row per
    group of category rows; sums to float rounding, counts and ``counted`` exact)."""
    store, info, _ = demo_store
    rows = _rollup_rows(store, info.id)
    keys = ["order_code", "customer_code", "order_date", "country"]
    by_cat = rows[rows["by_category"]]
    want = by_cat.groupby(keys, dropna=False).agg(
        gross=("gross", lambda s: s.sum(min_count=1)),
        returns=("returns", lambda s: s.sum(min_count=1)),
        sale_units=("sale_units", "sum"),
        return_units=("return_units", "sum"),
        lines=("lines", "sum"),
        product_lines=("product_lines", "sum"),
        counted=("counted", "any"),
    )
    got = rows[~rows["by_category"]].set_index(keys)[list(want.columns)].sort_index()
    assert len(got) == len(want) > 1000 and got["counted"].sum() > 1000
    pd.testing.assert_frame_equal(
        got, want.sort_index(), check_dtype=False, rtol=1e-9, atol=1e-9, check_names=False
    )
