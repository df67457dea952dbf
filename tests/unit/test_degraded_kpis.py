"""KPIs of a dataset without prices or customers, by SQL in the store, against the till log's
generation truths; the kpis CLI prints them; the whole app renders on it."""

from __future__ import annotations

import json

from ecomdash.cli import main
from ecomdash.ingest import load_bytes
from ecomdash.kpis import compute_kpis, overview
from ecomdash.store import Store
from tests.degraded_fixtures import till_log


def _store(tmp_path):
    df, truth = till_log(days=90, seed=11)
    res = load_bytes(df.to_csv(index=False).encode(), "till.csv")
    store = Store.open(tmp_path)
    info = store.save_dataset("till", res.lines, report=res.report, mapping=res.mapping.as_dict())
    return store, info, truth


def test_count_kpis_and_overview_match_the_generation(tmp_path):
    store, info, truth = _store(tmp_path)
    try:
        k = compute_kpis(store, info.id)
        res = overview(store, info.id, grain="month")
    finally:
        store.close()
    assert k["orders"] == truth["orders"] and k["units"] == truth["units"]
    assert k["items_per_order"] == truth["units"] / truth["orders"]
    assert k["revenue"] is None and k["aov"] is None and k["customers"] is None
    assert not res.has_revenue
    assert int(res.trend["orders"].sum()) == truth["orders"]
    assert int(res.trend["units"].sum()) == truth["units"]
    assert int(res.busiest["orders"].sum()) == truth["orders"]
    top = res.busiest.sort_values("orders", ascending=False).iloc[0]
    assert (int(top["weekday"]), int(top["hour"])) == truth["busiest"]
    assert "Revenue needs a price column" in res.notes[0]


def test_kpis_cli_on_a_dataset_without_prices(tmp_path, capsys, monkeypatch):
    store, info, truth = _store(tmp_path)
    store.close()
    monkeypatch.setenv("ECOMDASH_HOME", str(tmp_path))
    assert main(["kpis", "--dataset", info.id, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["orders"] == truth["orders"] and out["revenue"] is None
    assert main(["kpis", "--dataset", info.id]) == 0
    text = capsys.readouterr().out
    assert "Net revenue: n/a" in text and f"Orders: {truth['orders']:,}" in text
