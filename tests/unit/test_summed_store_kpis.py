"""Summed sales in the store and the Overview KPIs: the kind is recorded in the catalogue,
older stores gain the location column when opened, and KPIs count revenue, units and net
returns per period and group, without orders, AOV or customers."""

from __future__ import annotations

import json

import duckdb
import pandas as pd
import pytest

from ecomdash import schema as S
from ecomdash.cli import main
from ecomdash.filters import Filters
from ecomdash.ingest import load_bytes
from ecomdash.kpis import compute_kpis, overview
from ecomdash.store import DB_FILE, Store
from tests.summed_fixtures import sku_daily, to_csv_bytes, walmart_like


def _save(store: Store, df: pd.DataFrame, name: str):
    res = load_bytes(to_csv_bytes(df), f"{name}.csv")
    return store.save_dataset(name, res.lines, report=res.report, mapping=res.mapping.as_dict())


def test_kind_and_events_are_recorded_in_the_catalogue(_isolated_home):
    df = walmart_like(stores=2, depts=5, weeks=70, seed=2)
    store = Store.open(_isolated_home)
    info = _save(store, df, "walmart")
    assert info.kind == S.KIND_SUMMED
    assert S.LOCATION in info.columns
    assert info.events == tuple(
        sorted({d.date().isoformat() for d in df.loc[df["IsHoliday"], "Date"]})
    )
    store.close()
    # reopened: the catalogue keeps the kind
    store = Store.open(_isolated_home)
    assert store.info(info.id).kind == S.KIND_SUMMED
    lines = store.load_lines(info.id)
    assert sorted(lines[S.LOCATION].unique()) == ["1", "2"]
    assert store.distinct_values(info.id, S.LOCATION) != []
    store.close()


def test_store_created_before_location_existed_keeps_working(_isolated_home):
    # a store file with the old lines table (no location column) and one dataset in it
    con = duckdb.connect(str(_isolated_home / DB_FILE))
    con.execute(
        "CREATE TABLE lines (workspace VARCHAR NOT NULL, dataset_id VARCHAR NOT NULL, "
        "order_id VARCHAR, order_date TIMESTAMP, customer_id VARCHAR, product_id VARCHAR, "
        "product_name VARCHAR, quantity DOUBLE, unit_price DOUBLE, revenue DOUBLE, "
        "country VARCHAR, category VARCHAR, channel VARCHAR, is_return BOOLEAN, "
        "is_non_product BOOLEAN, is_cancelled BOOLEAN, line_no BIGINT)"
    )
    con.execute(
        "INSERT INTO lines VALUES ('local', 'old1', 'A1', '2024-01-01', 'c1', 'P', 'Mug', 2, "
        "5, 10, 'UK', NULL, NULL, false, false, false, 1)"
    )
    con.close()
    store = Store.open(_isolated_home)
    cols = [r[0] for r in store._cur().execute("DESCRIBE lines").fetchall()]
    assert cols[-1] == S.LOCATION and cols.count(S.LOCATION) == 1
    # a summed dataset saves into the migrated table, next to the old rows
    info = _save(store, walmart_like(stores=2, depts=3, weeks=10, seed=0), "w")
    assert store.load_lines(info.id)[S.LOCATION].notna().all()
    old = store._cur().execute("SELECT revenue, location FROM lines WHERE dataset_id = 'old1'")
    assert old.fetchall() == [(10.0, None)]
    store.close()
    Store.open(_isolated_home).close()  # opening again is a no-op (idempotent)


def test_summed_overview_by_hand(_isolated_home):
    rows = [
        ["Store", "Dept", "Date", "Weekly_Sales", "IsHoliday"],
        ["1", "1", "2024-01-05", "100.00", "FALSE"],
        ["1", "2", "2024-01-05", "50.00", "FALSE"],
        ["2", "1", "2024-01-05", "30.00", "FALSE"],
        ["1", "1", "2024-01-12", "120.00", "TRUE"],
        ["1", "2", "2024-01-12", "-20.00", "TRUE"],  # more returned than sold: net return
        ["2", "1", "2024-01-12", "40.00", "TRUE"],
    ]
    body = "\n".join(",".join(r) for r in rows).encode()
    res = load_bytes(body, "train.csv")
    store = Store.open(_isolated_home)
    info = store.save_dataset("w", res.lines, report=res.report, mapping=res.mapping.as_dict())
    k = compute_kpis(store, info.id)
    # by hand: gross = 100+50+30+120+40 = 340; returns = 20; net = 320
    assert k["gross_sales"] == pytest.approx(340.0)
    assert k["returns"] == pytest.approx(20.0)
    assert k["revenue"] == pytest.approx(320.0)
    assert k["return_rate"] == pytest.approx(20 / 340)
    assert k["orders"] is None and k["aov"] is None and k["customers"] is None
    ov = overview(store, info.id, grain="week")
    assert ov.kind == S.KIND_SUMMED
    assert "orders" not in ov.trend
    assert ov.trend["revenue"].tolist() == pytest.approx([180.0, 140.0])
    loc = ov.top_locations.set_index("key")["revenue"]
    assert loc.to_dict() == pytest.approx({"1": 250.0, "2": 70.0})
    cat = ov.top_categories.set_index("key")["revenue"]
    assert cat.to_dict() == pytest.approx({"1": 290.0, "2": 30.0})
    assert ov.events == ("2024-01-12",)
    from ecomdash.charts.overview import trend_figure

    fig = trend_figure(ov)
    assert [pd.Timestamp(sh.x0) for sh in fig.layout.shapes] == [pd.Timestamp("2024-01-12")]
    store.close()


def test_sku_daily_units_and_revenue_match_pandas(_isolated_home):
    df = sku_daily(skus=10, days=60, seed=5)
    store = Store.open(_isolated_home)
    info = _save(store, df, "daily")
    f = Filters(start=pd.Timestamp("2024-01-15").date(), end=pd.Timestamp("2024-02-10").date())
    k = compute_kpis(store, info.id, f)
    d = pd.to_datetime(df["date"])
    part = df[(d >= "2024-01-15") & (d <= "2024-02-10")]
    # independent computation from the file: net = all amounts; units = all units
    assert k["revenue"] == pytest.approx(part["revenue"].sum())
    assert k["units"] == pytest.approx(part["units"].sum())
    assert k["returns"] == pytest.approx(-part.loc[part["revenue"] < 0, "revenue"].sum())
    ov = overview(store, info.id, f, grain="week", top_n=50)
    assert ov.trend["units"].sum() == pytest.approx(part["units"].sum())
    by_sku = part.groupby("sku")["revenue"].sum()
    got = ov.top_products.set_index("key")["revenue"]
    assert got.sort_index().to_dict() == pytest.approx(
        by_sku[by_sku.index.isin(got.index)].to_dict()
    )
    assert ov.top_products["units"].sum() == pytest.approx(part["units"].sum())
    store.close()


def test_cli_ingest_json_reports_kind_confidence_and_warnings(tmp_path, capsys):
    f = tmp_path / "train.csv"
    f.write_bytes(to_csv_bytes(walmart_like(stores=2, depts=4, weeks=30, seed=4)))
    assert main(["ingest", str(f), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["kind"] == "summed"
    assert out["mapping"] == {
        "order_date": "Date",
        "revenue": "Weekly_Sales",
        "category": "Dept",
        "location": "Store",
        "event": "IsHoliday",
    }
    assert out["confidence"]["quantity"] == 0.0 and out["confidence"]["location"] >= 0.8
    assert any("'Store'" in w and "quantity" in w for w in out["warnings"])
    assert out["events"] > 0
    assert main(["datasets", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["datasets"][0]["kind"] == "summed"
    assert main(["kpis", "--dataset", out["dataset_id"], "--json"]) == 0
    k = json.loads(capsys.readouterr().out)
    assert k["orders"] is None and k["revenue"] > 0


def test_append_newer_summed_export_skips_the_weeks_it_already_has(_isolated_home):
    rows = [
        ["Store", "Dept", "Date", "Weekly_Sales"],
        ["1", "1", "2024-01-05", "100.00"],
        ["2", "1", "2024-01-05", "100.00"],  # same date and amount, another store: not a dup
        ["1", "1", "2024-01-12", "80.00"],
    ]
    newer = [
        *rows[:1],
        rows[3],  # already there
        ["2", "1", "2024-01-12", "80.00"],  # same date and amount as store 1's: new
        ["1", "1", "2024-01-19", "90.00"],
    ]

    def body(r):
        return "\n".join(",".join(x) for x in r).encode()

    store = Store.open(_isolated_home)
    res = load_bytes(body(rows), "a.csv")
    info = store.save_dataset("w", res.lines, report=res.report, mapping=res.mapping.as_dict())
    assert info.rows == 3
    app = store.append(info.id, load_bytes(body(newer), "b.csv").lines)
    assert (app.added, app.duplicates) == (2, 1)
    assert compute_kpis(store, info.id)["revenue"] == pytest.approx(100 + 100 + 80 + 80 + 90)
    store.close()
