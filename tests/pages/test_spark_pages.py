"""Pages on the Spark engine: the same page scripts, with ECOMDASH_ENGINE=spark, show the
figures the DuckDB engine computes from the same lines (Spark local mode, the test session)."""

from __future__ import annotations

import pytest

from ecomdash.kpis import compute_kpis
from ecomdash.store import Store
from ecomdash.ui.overview import kpi_text
from tests.pages.conftest import run_page


@pytest.fixture
def spark_demo(spark_session, spark_demo_lake, _isolated_home, monkeypatch):
    lake, sid = spark_demo_lake
    monkeypatch.setenv("ECOMDASH_ENGINE", "spark")
    monkeypatch.setenv("ECOMDASH_SPARK_REMOTE", "local[2]")
    monkeypatch.setenv("ECOMDASH_LAKE", str(lake))
    return sid


def _metric(at, label):
    found = [m for m in at.metric if m.label == label]
    assert found, f"no metric {label!r}; have {[m.label for m in at.metric]}"
    return found[0]


def test_overview_on_spark_shows_duckdb_figures(spark_demo, _isolated_home, demo):
    at = run_page("overview.py", dataset_id=spark_demo, timeout=300)
    assert not at.exception, at.exception
    duck = Store.open(_isolated_home)
    try:
        k = compute_kpis(duck, duck.ensure_demo(demo.lines).id)
    finally:
        duck.close()
    assert _metric(at, "Net revenue").value == "£" + kpi_text("revenue", k["revenue"])
    assert _metric(at, "Orders").value == kpi_text("orders", k["orders"])
    assert _metric(at, "Customers").value == f"{k['customers']:,}"
    assert f"Exact: £{k['revenue']:,.2f}." in _metric(at, "Net revenue").help


def test_segments_page_on_spark_runs(spark_demo):
    at = run_page("segments.py", dataset_id=spark_demo, timeout=300)
    assert not at.exception, at.exception
    assert len(at.dataframe) > 0


def test_basket_page_on_spark_mines_with_fpgrowth(spark_demo, _isolated_home, demo, monkeypatch):
    """The Basket page on Spark (MLlib FP-Growth on the lake) shows basket.mine's figures."""
    from ecomdash import basket
    from tests.pages.downloads import record_downloads

    downloads = record_downloads(monkeypatch)
    at = run_page("basket.py", dataset_id=spark_demo, timeout=300)
    assert not at.exception, at.exception
    next(b for b in at.button if b.label == "Run").click()
    at.run(timeout=600)
    assert not at.exception, at.exception
    duck = Store.open(_isolated_home)
    try:
        d_id = duck.ensure_demo(demo.lines).id
        res = basket.mine(duck.load_columns(d_id, None, basket.line_columns()))
    finally:
        duck.close()
    assert res.n_rules > 0
    assert _metric(at, "Baskets").value == f"{res.n_baskets:,}"
    assert _metric(at, "Rules").value == f"{res.n_rules:,}"
    rules = at.dataframe[0].value
    # the same rules in the same order: their words on screen, their ids in the download
    assert list(rules["rule"]) == list(res.rules["names"])
    csv = downloads.frame("basket-rules")
    assert list(csv["if (ids)"]) == [", ".join(a) for a in res.rules["antecedents"]]
    assert list(csv["then (ids)"]) == [", ".join(c) for c in res.rules["consequents"]]


@pytest.mark.parametrize("page", ["pricing.py", "alerts.py"])
def test_pricing_and_alerts_pages_on_spark_run(spark_demo, page):
    at = run_page(page, dataset_id=spark_demo, timeout=600)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
