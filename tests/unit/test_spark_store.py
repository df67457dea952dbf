"""The Spark engine gives the DuckDB engine's answers (Spark local mode, one session per run).

Every check runs the same call on a DuckDB ``Store`` and on a ``SparkStore`` holding the same
lines (saved through each engine's own write path), and compares: catalogue behaviour (save,
append without duplicates, rename, delete, a failed save), the lines read back, the store's
aggregates (daily sales, rankings, shop day groups, customer history) and the overview KPIs to
the cent. The DuckDB side is itself checked against pandas and hand counts in
test_store_aggregates.py and test_kpis.py, so equality here ties Spark to those.
"""

from __future__ import annotations

import collections
import os
from datetime import date

import numpy as np
import pandas as pd
import pytest

from ecomdash import schema as S
from ecomdash.filters import Filters
from ecomdash.kpis import compute_kpis, overview
from ecomdash.store import Store
from tests.unit.test_store_aggregates import assert_same_history, fixture_lines
from tests.unit.test_units_net import EXPECTED as NET_UNITS
from tests.unit.test_units_net import check as check_net_units
from tests.unit.test_units_net import net_units_lines

FILTERS = [
    None,
    Filters(start=date(2024, 1, 2), end=date(2024, 1, 7)),
    Filters(countries=("UK",)),
]


@pytest.fixture(scope="module")
def stores(spark_session, tmp_path_factory, demo):
    """A DuckDB store and a Spark store, each with the fixture lines and the demo merchant."""
    from ecomdash.spark.store import SparkStore

    root = tmp_path_factory.mktemp("engines")
    duck = Store.open(root / "home")
    sp = SparkStore(spark_session, str(root / "lake"))
    ids = {}
    for name, s in (("duck", duck), ("spark", sp)):
        ids[name] = {
            "fixture": s.save_dataset("Fixture", fixture_lines()).id,
            "demo": s.ensure_demo(demo.lines).id,
            "net units": s.save_dataset("Net units", net_units_lines()).id,
        }
    yield duck, sp, ids
    duck.close()


def _pair(stores, which):
    duck, sp, ids = stores
    return duck, ids["duck"][which], sp, ids["spark"][which]


def test_lake_layout_and_catalogue(stores):
    duck, sp, ids = stores
    ds = ids["spark"]["demo"]
    info = sp.info(ds)
    assert info.is_demo and info.version == 1
    assert info.rows == duck.info(ids["duck"]["demo"]).rows
    months = sorted(os.listdir(os.path.join(sp._root, ds, "v1")))
    months = [m for m in months if m.startswith("order_month=")]
    lo, hi = duck.date_range(ids["duck"]["demo"])
    n_months = (hi.year - lo.year) * 12 + hi.month - lo.month + 1
    assert len(months) == n_months  # one Parquet partition per order month
    assert [d.id for d in sp.list_datasets()] == [d.id for d in duck.list_datasets()][::-1] or {
        d.name for d in sp.list_datasets()
    } == {d.name for d in duck.list_datasets()}
    assert sp.resolve("Fixture").id == ids["spark"]["fixture"]


@pytest.mark.parametrize("f", FILTERS)
def test_lines_read_back_equal(stores, f):
    duck, d_id, sp, s_id = _pair(stores, "fixture")
    pd.testing.assert_frame_equal(sp.load_lines(s_id, f), duck.load_lines(d_id, f))
    cols = (S.CUSTOMER_ID, S.ORDER_DATE, S.PRODUCT_ID)
    pd.testing.assert_frame_equal(
        sp.load_columns(s_id, f, cols, sales_only=True),
        duck.load_columns(d_id, f, cols, sales_only=True),
    )


@pytest.mark.parametrize("which", ["fixture", "demo"])
def test_aggregates_equal(stores, which):
    duck, d_id, sp, s_id = _pair(stores, which)
    f = Filters(countries=("UK",)) if which == "fixture" else None
    a, b = sp.daily_sales(s_id, f), duck.daily_sales(d_id, f)
    assert a["day"].tolist() == b["day"].tolist()
    for c in ("orders", "customers", "lines"):
        assert a[c].astype(int).tolist() == b[c].astype(int).tolist(), c
    np.testing.assert_allclose(a["revenue"], b["revenue"], rtol=1e-12)
    np.testing.assert_allclose(a["units"], b["units"], rtol=1e-12)
    for col in (S.PRODUCT_ID, S.COUNTRY):
        x, y = sp.sales_by(s_id, f, col, limit=20), duck.sales_by(d_id, f, col, limit=20)
        assert x["value"].tolist() == y["value"].tolist()
        np.testing.assert_allclose(x["revenue"], y["revenue"], rtol=1e-12)
        assert sp.top_values(s_id, f, col) == duck.top_values(d_id, f, col)
    assert sp.date_span(s_id, f) == duck.date_span(d_id, f)
    assert sp.distinct_values(s_id, S.COUNTRY) == duck.distinct_values(d_id, S.COUNTRY)
    g, h = sp.shop_day_groups(s_id, f), duck.shop_day_groups(d_id, f)
    key = [S.ORDER_DATE, S.IS_RETURN, S.REVENUE]
    g = g.sort_values(key, kind="stable").reset_index(drop=True)
    h = h.sort_values(key, kind="stable").reset_index(drop=True)
    pd.testing.assert_frame_equal(g, h, check_dtype=False, rtol=1e-12)


@pytest.mark.parametrize("which", ["fixture", "demo"])
def test_customer_history_equal(stores, which):
    duck, d_id, sp, s_id = _pair(stores, which)
    got, exp = sp.customer_history(s_id), duck.customer_history(d_id)
    assert_same_history(got, exp)
    pd.testing.assert_frame_equal(got.features().table, exp.features().table, rtol=1e-12)
    # the cursor's temp views are gone afterwards
    names = {t.name for t in sp.spark.catalog.listTables() if t.isTemporary}
    assert not any(n.startswith("ecd_tmp") for n in names)


def _cents(k: dict) -> dict:
    return {n: (None if v is None else round(float(v), 2)) for n, v in k.items()}


def _demo_filters(duck, d_id, which: str) -> Filters | None:
    lo, hi = duck.date_range(d_id)
    if which == "all":
        return None
    if which == "quarter":  # the last three months, and the three before for the overview
        end = hi.date()
        return Filters(start=(pd.Timestamp(end) - pd.DateOffset(months=3)).date(), end=end)
    return Filters(countries=tuple(duck.distinct_values(d_id, S.COUNTRY)[:1]))


@pytest.mark.parametrize("which", ["all", "quarter", "country"])
def test_kpis_equal_to_the_cent(stores, which):
    duck, d_id, sp, s_id = _pair(stores, "demo")
    f = _demo_filters(duck, d_id, which)
    a, b = compute_kpis(sp, s_id, f), compute_kpis(duck, d_id, f)
    assert _cents(a) == _cents(b)
    assert b["orders"] > 100 and b["customers"] > 0  # a real period, not an empty one


def test_overview_equal(stores):
    duck, d_id, sp, s_id = _pair(stores, "demo")
    f = _demo_filters(duck, d_id, "quarter")
    a, b = overview(sp, s_id, f), overview(duck, d_id, f)
    assert _cents(a.kpis) == _cents(b.kpis)
    assert b.previous is not None and _cents(a.previous) == _cents(b.previous)
    assert a.grain == b.grain and a.notes == b.notes
    assert len(b.trend) > 3
    pd.testing.assert_frame_equal(
        a.trend.assign(period=pd.to_datetime(a.trend["period"]).astype("datetime64[us]")),
        b.trend.assign(period=pd.to_datetime(b.trend["period"]).astype("datetime64[us]")),
        check_dtype=False,
        rtol=1e-12,
    )
    for x, y in (
        (a.top_products, b.top_products),
        (a.top_countries, b.top_countries),
        (a.top_categories, b.top_categories),
    ):
        assert len(y) > 0
        pd.testing.assert_frame_equal(x, y, check_dtype=False, rtol=1e-12)


@pytest.mark.parametrize("case", list(NET_UNITS))
def test_overview_units_net_of_returns_equal(stores, case):
    """The hand-counted shop of test_units_net.py (a partial return, a full refund, a
    cancellation, a return of an earlier month's sale): Spark's top products, categories and
    countries give the units net of returns, as DuckDB's and the Units tile."""
    duck, d_id, sp, s_id = _pair(stores, "net units")
    f = NET_UNITS[case][0]
    a, b = overview(sp, s_id, f), overview(duck, d_id, f)
    check_net_units(a, case)
    check_net_units(b, case)
    for part in ("top_products", "top_categories", "top_countries"):
        pd.testing.assert_frame_equal(
            getattr(a, part), getattr(b, part), check_dtype=False, rtol=1e-12
        )


def test_append_skips_duplicates_and_versions(stores):
    duck, _, sp, _ = stores[0], None, stores[1], None
    base = fixture_lines()
    newer = pd.concat([base.iloc[5:], base.iloc[:3].assign(order_id=["N1", "N2", "N3"])])
    newer = newer.assign(line_no=range(1, len(newer) + 1))
    d_id = duck.save_dataset("App", base).id
    s_id = sp.save_dataset("App", base).id
    a, b = sp.append(s_id, newer), duck.append(d_id, newer)
    assert (a.added, a.duplicates) == (b.added, b.duplicates) == (3, len(newer) - 3)
    assert a.dataset.version == 2 and a.dataset.rows == b.dataset.rows
    pd.testing.assert_frame_equal(sp.load_lines(s_id), duck.load_lines(d_id))
    again = sp.append(s_id, newer)
    assert again.added == 0 and again.dataset.version == 3
    assert sp.rename(s_id, "  App   2 ").name == "App 2"
    sp.delete(s_id)
    assert s_id not in {d.id for d in sp.list_datasets()}
    assert not os.path.exists(os.path.join(sp._root, s_id))


def test_two_appends_at_once_keep_both_exports_and_lose_nothing(stores, monkeypatch):
    """Append A reads version 1; append B finishes meanwhile (run from inside A's write).
    B's part must survive A's failure, and A must be refused (its duplicates were found
    against version 1), not add B's new orders a second time; A again then adds only its
    own. Same lines as DuckDB appending B then A."""
    from ecomdash.errors import StoreError
    from ecomdash.spark.store import SparkStore

    duck, sp, _ = stores
    base = fixture_lines()
    export_b = base.iloc[:2].assign(order_id=["B1", "B2"], line_no=[1, 2])
    export_a = pd.concat([export_b, base.iloc[2:3].assign(order_id="A1")])
    export_a = export_a.assign(line_no=range(1, len(export_a) + 1))
    s_id = sp.save_dataset("Race", base).id
    d_id = duck.save_dataset("Race", base).id
    write = SparkStore._write_part
    calls = []

    def b_lands_first(self, sdf, path, **kw):
        calls.append(path)
        if len(calls) == 1:  # A's write: B's whole append happens now
            monkeypatch.setattr(SparkStore, "_write_part", write)
            assert sp.append(s_id, export_b).added == 2
        return write(self, sdf, path, **kw)

    monkeypatch.setattr(SparkStore, "_write_part", b_lands_first)
    with pytest.raises(StoreError, match="changed while this export was being appended"):
        sp.append(s_id, export_a)
    info = sp.info(s_id)
    assert (info.version, info.rows) == (2, len(base) + 2)
    assert len(sp.load_lines(s_id)) == len(base) + 2  # B's part is still there and read
    assert not os.path.exists(calls[0])  # A's part is gone
    again = sp.append(s_id, export_a)
    assert (again.added, again.duplicates) == (1, 2)
    duck.append(d_id, export_b)
    duck.append(d_id, export_a)
    pd.testing.assert_frame_equal(sp.load_lines(s_id), duck.load_lines(d_id))


def test_failed_save_leaves_nothing(stores):
    _, sp, _ = stores
    before = {d.id for d in sp.list_datasets()}
    folders = set(os.listdir(sp._root))

    def boom():
        raise RuntimeError("planted failure after the lines were written")

    with pytest.raises(RuntimeError, match="planted"):
        sp.save_dataset("Broken", fixture_lines(), _fail_after_lines=boom)
    assert {d.id for d in sp.list_datasets()} == before
    assert set(os.listdir(sp._root)) == folders


def test_rejected_rows_round_trip(stores):
    duck, sp, _ = stores
    rej = pd.DataFrame({"line_no": [7, 3], "reason": ["no date", "bad amount"], "Qty": ["x", "1"]})
    s_id = sp.save_dataset("Rej", fixture_lines(), rejected=rej).id
    d_id = duck.save_dataset("Rej", fixture_lines(), rejected=rej).id
    pd.testing.assert_frame_equal(sp.rejected_rows(s_id), duck.rejected_rows(d_id))


def test_driver_errors_become_store_errors():
    """A job that fails on a local master comes as py4j's error, not a PySparkException: a
    driver out of memory (or over maxResultSize) while collecting is a message naming the
    settings to raise; any other py4j error the engine's generic message."""
    from py4j.protocol import Py4JError

    from ecomdash.errors import StoreError
    from ecomdash.spark.sql import _spark_errors

    oom = (
        "An error occurred while calling o535.getResult.\n: org.apache.spark.SparkException: "
        "Job aborted: Total size of serialized results of 4 tasks (1164.8 MiB) is bigger "
        "than spark.driver.maxResultSize (1024.0 MiB)"
    )
    for text in (oom, "o69.getResult.\nCaused by: java.lang.OutOfMemoryError: Java heap space"):
        with pytest.raises(StoreError, match="ECOMDASH_SPARK_DRIVER_MEMORY"):
            with _spark_errors():
                raise Py4JError(text)
    with pytest.raises(StoreError, match=r"could not run this step \(gateway closed\)"):
        with _spark_errors():
            raise Py4JError("gateway closed")


def test_spark_errors_become_store_errors_and_mutes_are_kept(stores):
    """A query Spark cannot plan is a StoreError naming the engine (a page message, not a
    traceback); alert mutes are kept in the lake's catalogue, as DuckDB keeps them, and
    survive a new store on the same lake."""
    from ecomdash.errors import StoreError
    from ecomdash.spark.store import SparkStore

    duck, dd_id, spark, d_id = _pair(stores, "demo")
    with pytest.raises(StoreError, match="Spark engine could not run this step"):
        spark._cur().execute("SELECT kind FROM no_such_table").fetchall()
    assert spark.alert_mutes(d_id) == {"rules": (), "products": ()}
    want = duck.set_alert_mutes(dd_id, rules=("price_off", "order_burst"), products=("p1",))
    got = spark.set_alert_mutes(d_id, rules=("price_off", "order_burst"), products=("p1",))
    assert got == want == {"rules": ("order_burst", "price_off"), "products": ("p1",)}
    again = SparkStore(spark.spark, spark.lake, workspace=spark.workspace)
    assert again.alert_mutes(d_id) == want
    assert (
        spark.set_alert_mutes(d_id)
        == duck.set_alert_mutes(dd_id)
        == {
            "rules": (),
            "products": (),
        }
    )


def test_streamed_generated_lines_save_on_both_engines(stores):
    """`ecomdash demo --lines N` streams lines without the store's later columns (location):
    both engines save them, with the same lines, and location left empty."""
    from ecomdash import demo_scale

    duck, _, sp, _ = _pair(stores, "demo")
    small = demo_scale.generate_scaled(5_000, seed=5)
    got = {}
    for name, store in (("duck", duck), ("spark", sp)):
        info = demo_scale.save(small, store, f"Generated {name}")
        lines = store.load_lines(info.id)
        got[name] = lines
        assert len(lines) == info.rows == len(small.to_pandas())
        assert S.LOCATION not in info.columns
    pd.testing.assert_series_equal(
        got["duck"][S.REVENUE].reset_index(drop=True),
        got["spark"][S.REVENUE].reset_index(drop=True),
    )


def test_streamed_lines_are_sent_in_chunks(stores, monkeypatch):
    """A stream larger than ``SAVE_CHUNK_ROWS`` goes to Spark chunk by chunk (the driver holds
    one at a time) into one part: every line arrives once, equal to the DuckDB save; an
    empty stream saves an empty dataset."""
    import pyarrow as pa

    from ecomdash import demo_scale
    from ecomdash.spark import store as spark_store

    duck, _, sp, _ = _pair(stores, "demo")
    small = demo_scale.generate_scaled(5_000, seed=11)
    table = pa.Table.from_batches(list(small.batches()))
    sent: list[int] = []
    frame_of = sp._frame_of

    def counted(t):
        sent.append(t.num_rows)
        return frame_of(t)

    monkeypatch.setattr(spark_store, "SAVE_CHUNK_ROWS", 1_000)
    monkeypatch.setattr(sp, "_frame_of", counted)
    reader = pa.RecordBatchReader.from_batches(table.schema, table.to_batches(max_chunksize=300))
    info = sp.save_batches("Chunked", reader, columns=tuple(S.CANONICAL))
    assert sum(sent) == info.rows == table.num_rows
    assert len(sent) == -(-table.num_rows // 1_200) and max(sent) == 1_200  # 4 batches of 300
    d_id = duck.save_batches(
        "Chunked",
        pa.RecordBatchReader.from_batches(table.schema, table.to_batches()),
        columns=tuple(S.CANONICAL),
    ).id
    want = duck.load_lines(d_id)
    keys = list(want.columns)
    got = _sorted(sp.load_lines(info.id)[keys], keys)
    want = _sorted(want, keys)
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
    assert sp.info(info.id).report["rows_kept"] == table.num_rows

    empty = pa.RecordBatchReader.from_batches(table.schema, [])
    e = sp.save_batches("Empty stream", empty, columns=tuple(S.CANONICAL))
    assert e.rows == 0 and len(sp.load_lines(e.id)) == 0


@pytest.mark.parametrize("which", ["fixture", "demo"])
def test_customer_value_aggregates_equal(stores, which):
    """The customer-value page's SQL (ecomdash/aggregates_customers.py) runs as Spark SQL too."""
    duck, d_id, sp, s_id = _pair(stores, which)
    got, exp = sp.customer_days(s_id), duck.customer_days(d_id)
    assert (got.n_sales_lines, got.n_with_id) == (exp.n_sales_lines, exp.n_with_id)
    pd.testing.assert_frame_equal(got.days, exp.days, check_dtype=False, rtol=1e-12)
    for opts in ({}, {"first_categories": ("Kitchen", "Home")}, {"countries": ("UK",)}):
        g, e = sp.cohort_cells(s_id, **opts), duck.cohort_cells(d_id, **opts)
        assert (g.first_day, g.last_day, g.lines_without_customer) == (
            e.first_day,
            e.last_day,
            e.lines_without_customer,
        )
        pd.testing.assert_frame_equal(g.cells, e.cells, check_dtype=False, rtol=1e-12)


# -- pricing and alerts: the store's DuckDB SQL run as Spark SQL ---------------------------


def _sorted(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return df.sort_values(keys, kind="stable").reset_index(drop=True)


def _frames_equal(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """Same columns, rows and values (numbers to 1e-9 relative; text and ids exactly)."""
    assert list(a.columns) == list(b.columns)
    assert len(a) == len(b)
    for c in b.columns:
        x, y = a[c], b[c]
        if pd.api.types.is_numeric_dtype(y) and not pd.api.types.is_bool_dtype(y):
            np.testing.assert_allclose(
                pd.to_numeric(x, errors="coerce").to_numpy(dtype=float),
                pd.to_numeric(y, errors="coerce").to_numpy(dtype=float),
                rtol=1e-9,
                atol=1e-9,
                equal_nan=True,
                err_msg=c,
            )
        elif pd.api.types.is_datetime64_any_dtype(y):
            assert (
                pd.to_datetime(x).astype("datetime64[us]") == y.astype("datetime64[us]")
            ).all() or (x.isna().equals(y.isna())), c
        else:
            assert [None if pd.isna(v) else str(v) for v in x] == [
                None if pd.isna(v) else str(v) for v in y
            ], c


def test_product_week_prices_equal(stores):
    duck, d_id, sp, s_id = _pair(stores, "demo")
    quarter = _demo_filters(duck, d_id, "quarter")
    for f, min_weeks, lean in ((None, 1, False), (quarter, 4, False), (quarter, 4, True)):
        a = sp.product_week_prices(s_id, f, min_weeks=min_weeks, lean=lean)
        b = duck.product_week_prices(d_id, f, min_weeks=min_weeks, lean=lean)
        assert len(b) > 100 and b["median_price"].notna().all()
        _frames_equal(a, b)


@pytest.mark.parametrize("which", ["fixture", "demo"])
def test_product_prices_equal(stores, which):
    """The sums the Home's bundle finding prices each candidate with (``product_prices``) on
    Spark are DuckDB's, with and without non-product lines."""
    duck, d_id, sp, s_id = _pair(stores, which)
    ids = duck.top_values(d_id, None, S.PRODUCT_ID)[:40]
    for incl in (False, True):
        a = sp.product_prices(s_id, None, ids, keep_non_product=incl)
        b = duck.product_prices(d_id, None, ids, keep_non_product=incl)
        assert len(b) >= min(len(ids), 3) and b["units"].gt(0).all()
        _frames_equal(a, b)


def test_pricing_weeks_of_a_sunday_closed_shop_equal(spark_session, tmp_path):
    """The covered weeks come from one SQL both engines run: a shop closed on Sundays whose
    data ends on a Saturday keeps its last week on Spark too (tests/unit/test_pricing.py
    checks DuckDB by hand)."""
    from ecomdash.spark.store import SparkStore
    from tests.unit.test_pricing import _closed_on, _week_lines

    lines = _closed_on(_week_lines("2024-01-01", "2024-02-03"), 6)
    duck = Store.open(tmp_path / "home")
    sp = SparkStore(spark_session, str(tmp_path / "lake"))
    d_id = duck.save_dataset("closed on Sundays", lines).id
    s_id = sp.save_dataset("closed on Sundays", lines).id
    last = (date(2024, 1, 1), date(2024, 1, 29))
    assert sp.pricing_weeks(s_id) == duck.pricing_weeks(d_id) == last
    _frames_equal(sp.product_week_prices(s_id), duck.product_week_prices(d_id))
    duck.close()


def test_alert_series_and_drivers_equal(stores):
    duck, d_id, sp, s_id = _pair(stores, "demo")
    keys = ["dim", "grp", "day"]
    a, b = sp.alert_daily_series(s_id), duck.alert_daily_series(d_id)
    assert set(b["dim"]) >= {"shop", "country"} and b["new_customers"].sum() > 0
    _frames_equal(_sorted(a, keys), _sorted(b, keys))
    day = b.loc[b["dim"] == "shop"].sort_values("gross")["day"].iloc[-1]
    cases = (
        (S.PRODUCT_ID, "gross", 0),
        (S.COUNTRY, "orders", 0),
        (S.CUSTOMER_ID, "returns", 0),
        (S.PRODUCT_ID, "net", -1),
        (S.CUSTOMER_ID, "net", 1),
    )
    for by, metric, direction in cases:
        kw = {"day": day, "by": by, "metric": metric, "direction": direction}
        x = sp.alert_drivers(s_id, None, **kw)
        y = duck.alert_drivers(d_id, None, **kw)
        assert len(y) > 0
        _frames_equal(x, y)
    # inside one country (an alert's series), whatever the period filter
    uk = Filters(start=day.date(), end=day.date(), countries=("United Kingdom",))
    kw = {"day": day, "by": S.PRODUCT_ID, "metric": "net", "direction": -1}
    x, y = sp.alert_drivers(s_id, uk, **kw), duck.alert_drivers(d_id, uk, **kw)
    assert len(y) > 0 and (y["change"].diff().dropna() >= 0).all()
    _frames_equal(x, y)


def test_alert_rule_lines_equal(stores):
    from ecomdash.alerts.orders import ORDER_RULES

    duck, d_id, sp, s_id = _pair(stores, "demo")
    prices = duck.product_week_prices(d_id).groupby("product_id")["mean_price"].median()
    costs = pd.DataFrame({"product_id": prices.index.astype(str), "unit_cost": prices.to_numpy()})
    flagged = 0
    for rule in ORDER_RULES:
        a = sp.alert_rule_lines(s_id, None, rule, unit_costs=costs)
        b = duck.alert_rule_lines(d_id, None, rule, unit_costs=costs)
        flagged += len(b) > 0
        _frames_equal(_sorted(a, ["line_no"]), _sorted(b, ["line_no"]))
    assert flagged >= 4  # the demo's planted anomalies: most rules flag real lines


def test_find_alerts_equal(stores):
    from ecomdash.alerts.core import find_alerts

    duck, d_id, sp, s_id = _pair(stores, "demo")
    a, b = find_alerts(sp, s_id), find_alerts(duck, d_id)
    assert len(b.alerts) > 0
    for x, y in ((a.alerts, b.alerts), (a.lines, b.lines), (a.rules, b.rules)):
        _frames_equal(x, y)


def test_lake_as_file_url(stores, tmp_path):
    """ECOMDASH_LAKE may be a file:// URL: the catalogue and the Parquet parts land in that
    folder, and the lines read back equal the plain-path store's."""
    from ecomdash.spark.store import SparkStore

    _, sp, ids = stores
    url = SparkStore(sp.spark, (tmp_path / "urllake").as_uri())
    u_id = url.save_dataset("Fixture", fixture_lines()).id
    assert (tmp_path / "urllake" / url.workspace / "catalog.json").exists()
    assert (tmp_path / "urllake" / url.workspace / u_id / "v1").is_dir()
    pd.testing.assert_frame_equal(url.load_lines(u_id), sp.load_lines(ids["spark"]["fixture"]))


@pytest.mark.parametrize("which", ["fixture", "demo"])
def test_product_weeks_equal(stores, which):
    """The restock plan's ABC/XYZ product-weeks (undated lines included) on both engines."""
    duck, d_id, sp, s_id = _pair(stores, which)
    a, b = sp.product_weeks(s_id), duck.product_weeks(d_id)
    assert len(b) >= 3 and b["week"].notna().any()
    pd.testing.assert_frame_equal(a, b, check_dtype=False, rtol=1e-12)


def test_daily_revenue_by_equal(stores):
    """The Home's forecast driver (revenue per day and country/category) on both engines."""
    duck, d_id, sp, s_id = _pair(stores, "demo")
    lo, hi = duck.date_span(d_id)
    start = hi - pd.Timedelta(days=60)
    for col in (S.COUNTRY, S.CATEGORY):
        a = sp.daily_revenue_by(s_id, None, col, start=start, end=hi)
        b = duck.daily_revenue_by(d_id, None, col, start=start, end=hi)
        assert len(b) > 60 and b["day"].min() >= start.normalize()
        pd.testing.assert_frame_equal(
            a.reset_index(drop=True), b.reset_index(drop=True), check_dtype=False, rtol=1e-12
        )


@pytest.mark.parametrize("which", ["fixture", "demo"])
def test_recommend_data_equal(stores, which):
    """The Recommendations page's one-pass data (full interactions + the offline test's
    split, tests/unit/test_recommend_one_pass.py) is DuckDB's on Spark: same customers, products,
    counts, ages, names, categories, truth and cut-off."""
    from tests.unit.test_seam_routes import assert_same_interactions

    duck, d_id, sp, s_id = _pair(stores, which)
    uk = Filters(countries=("UK",))
    cases = (
        [(None, {})]
        if which == "demo"  # the fixture: a split, an empty truth, no split (None)
        else [(None, {"test_days": 4}), (uk, {"test_days": 4}), (None, {"cutoff": "2030-01-01"})]
    )
    for f, kw in cases:
        d_full, d_split = duck.recommend_data(d_id, f, **kw)
        s_full, s_split = sp.recommend_data(s_id, f, **kw)
        assert_same_interactions(s_full, d_full)
        assert (s_split is None) == (d_split is None) == ("cutoff" in kw), kw
        if d_split is not None:
            assert_same_interactions(s_split[0], d_split[0])
            assert s_split[1:] == d_split[1:]
            assert len(d_split[1]) > (50 if which == "demo" else 0 if f is None else -1)


def test_store_temp_tables_are_the_cursors_own(stores):
    """Every temp table the store's SQL makes (``_s``, ``_c``, ``_p``, ``_l``, ``_k``, ``_o``) gets a
    name of the cursor's own on Spark, where temp views are the whole session's: another
    request's views of those names (here planted by hand) are neither read, replaced nor
    dropped."""
    from tests.unit.test_seam_routes import assert_same_interactions

    duck, d_id, sp, s_id = _pair(stores, "fixture")
    spark = sp.spark
    planted = ("_s", "_c", "_p", "_l", "_k", "_o")
    for name in planted:
        spark.sql(f"SELECT 'theirs' AS owner, {len(name)} AS n").createOrReplaceTempView(name)
    try:
        assert_same_interactions(sp.interactions(s_id), duck.interactions(d_id))
        s_full, _ = sp.recommend_data(s_id, None, test_days=4)
        assert_same_interactions(s_full, duck.recommend_data(d_id, None, test_days=4)[0])
        assert_same_history(sp.customer_history(s_id), duck.customer_history(d_id))
        for name in planted:  # still there, still theirs
            assert spark.table(name).collect()[0]["owner"] == "theirs", name
    finally:
        for name in planted:
            spark.catalog.dropTempView(name)
    names = {t.name for t in spark.catalog.listTables() if t.isTemporary}
    assert not any(n.startswith("ecd_tmp") for n in names)


def _basket_multiset(pairs) -> collections.Counter:
    """The baskets as a multiset of item-id sets (basket numbers are arbitrary)."""
    order = np.argsort(pairs.b, kind="stable")
    b, i = pairs.b[order], pairs.i[order]
    cuts = np.flatnonzero(np.diff(b)) + 1
    return collections.Counter(
        frozenset(pairs.items[chunk].tolist()) for chunk in np.split(i, cuts) if len(chunk)
    )


@pytest.mark.parametrize("which", ["fixture", "demo"])
def test_basket_pairs_equal(stores, which):
    """The Basket page's pairs (``Store.basket_pairs``) on Spark are DuckDB's: the same items,
    names, lines left out and baskets (compared as sets of items: the numbering is free)."""
    duck, d_id, sp, s_id = _pair(stores, which)
    country = duck.top_values(d_id, None, S.COUNTRY)[0]  # the most lines
    cases = [
        (None, {}),
        (None, {"basket": "customer_day"}),
        (None, {"level": "category"}),
        (Filters(countries=(country,)), {"include_non_product": True}),
    ]
    # split at a day as the holdout check splits (mem10): on or after it, and the rest
    days = duck.line_days(d_id)["day"].dropna()
    at = days.iloc[len(days) // 2]
    cases += [(None, {"cutoff": at, "later": True}), (None, {"cutoff": at, "later": False})]
    cases += [(None, {"cutoff": at, "later": False, "basket": "customer_day"})]
    for f, kw in cases:
        d, s = duck.basket_pairs(d_id, f, **kw), sp.basket_pairs(s_id, f, **kw)
        assert s.items.tolist() == d.items.tolist(), kw
        assert s.names.tolist() == d.names.tolist(), kw
        assert (s.n_baskets, s.n_dropped, len(s.b)) == (d.n_baskets, d.n_dropped, len(d.b)), kw
        assert s.b.dtype == s.i.dtype == np.int32
        key = s.b.astype(np.int64) * len(s.items) + s.i
        assert (np.diff(key) > 0).all(), kw  # each pair once, sorted (basket.mine relies on it)
        assert _basket_multiset(s) == _basket_multiset(d), kw
        assert d.n_baskets > (100 if which == "demo" else 1), kw


@pytest.mark.parametrize("which", ["fixture", "demo"])
def test_line_days_and_holdout_from_the_store_equal(stores, which):
    """The holdout check's lines per day and its result from the store (mem10) on Spark are
    DuckDB's."""
    from ecomdash import basket as B

    duck, d_id, sp, s_id = _pair(stores, which)
    pd.testing.assert_frame_equal(sp.line_days(s_id), duck.line_days(d_id))
    kw = {"min_support": 0.01 if which == "demo" else 0.1, "test_share": 0.5}
    d = B.holdout_check_dataset(duck, d_id, **kw)
    s = B.holdout_check_dataset(sp, s_id, **kw)
    for f in ("cutoff", "n_train", "n_test", "n_rules", "share_holding", "warnings"):
        assert getattr(s, f) == getattr(d, f), f
    pd.testing.assert_frame_equal(s.rules, d.rules)


@pytest.mark.parametrize("which", ["fixture", "demo"])
def test_recommend_split_equal(stores, which):
    """The offline test's split asked alone (another cut-off, a rebuy list: the page's route
    when the default one-pass data does not apply) is DuckDB's on Spark."""
    from tests.unit.test_seam_routes import assert_same_interactions

    duck, d_id, sp, s_id = _pair(stores, which)
    lo, hi = duck.date_range(d_id)
    # (the fixture's: 2024-01-05 08:48, before C1's O4 — at 0.7 the only returning buyer
    # after the cut-off was C2, whose one earlier order O2 was cancelled: no truth)
    cutoff = pd.Timestamp(lo) + (pd.Timestamp(hi) - pd.Timestamp(lo)) * 0.6
    rebuy = tuple(duck.interactions(d_id).products[:2].astype(str))
    for kw in ({"cutoff": cutoff}, {"cutoff": cutoff, "rebuy_products": rebuy}, {"test_days": 4}):
        d, s = duck.recommend_split(d_id, None, **kw), sp.recommend_split(s_id, None, **kw)
        assert_same_interactions(s[0], d[0])
        assert s[1:] == d[1:], kw
        assert len(d[1]) > 0, kw
