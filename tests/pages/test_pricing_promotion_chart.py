"""The Pricing page's promotion chart on a shop with more promotions than it draws (AppTest):
the top by revenue at stake drawn, the cut said under it, the table and its download keeping
all; the interval in the hover; in English and Chinese. The demo merchant has 4 promotions:
the chart's limit is set to 2 there; UCI (347 promotions) runs with the page's own 20."""

from __future__ import annotations

import json

import pytest

from ecomdash import pricing as P
from ecomdash.charts import pricing as charts
from ecomdash.store import Store
from tests.pages.conftest import run_page
from tests.pages.test_pricing_page import figure


def _promotions(home, dataset_id):
    store = Store.open(home)
    try:
        return P.analyze(store.product_week_prices(dataset_id, lean=True)).promotions
    finally:
        store.close()


def _promo_table(at):
    """The promotions table (raw ids as its columns: the ones it shows on screen; the
    interval ends are in its CSV only)."""
    return next(d.value for d in at.dataframe if {"discount", "lift", "dip"} <= set(d.value))


def _top(promos, n):
    stake = promos["net_revenue"].abs()
    return promos[stake >= stake.sort_values(ascending=False).iloc[n - 1]]


def test_the_chart_draws_the_top_promotions_and_says_so(demo_dataset, _isolated_home, monkeypatch):
    monkeypatch.setattr(charts, "PROMOTION_CHART_TOP", 2)
    at = run_page("pricing.py", dataset_id=demo_dataset.id, timeout=180)
    assert not at.exception, at.exception
    promos = _promotions(_isolated_home, demo_dataset.id)
    assert len(promos) == 4
    chart = figure(at, "Units per store order")
    lift, dip = chart["data"][:2]
    want = _top(promos, 2)
    assert [x.split("<br>")[0].rsplit(" (", 1)[1][:-1] for x in lift["x"]] == list(
        want["product_id"]
    )
    assert len(dip["x"]) == 2
    # the cut said under the chart, the table keeps every promotion
    captions = [c.value for c in at.caption]
    assert (
        "The chart shows the 2 promotions with the most revenue at stake (net revenue gained "
        "or lost) of 4; the table and its download have all of them."
    ) in captions
    assert len(_promo_table(at)) == 4
    # the hover gives the lift's interval as the table's lift column writes a lift
    assert all(t.startswith("Lift ") and "(90\u00a0% range " in t for t in lift["hovertext"])
    assert "%{hovertext}" in lift["hovertemplate"]


def test_the_chart_says_its_cut_in_chinese(zh_store, monkeypatch):
    monkeypatch.setattr(charts, "PROMOTION_CHART_TOP", 1)
    ds = zh_store("演示商户")
    at = run_page("pricing.py", dataset_id=ds.id, lang="zh", timeout=240)
    assert not at.exception, at.exception
    n = len(_promo_table(at))
    assert n > 1
    captions = [c.value for c in at.caption]
    assert (
        f"图中显示涉及金额最多（净销售额增减最多）的\u00a01\u00a0次促销，共\u00a0{n}\u00a0次；表格及其下载包含全部促销。"
        in captions
    ), captions
    chart = next(
        json.loads(c.proto.spec)
        for c in at.get("plotly_chart")
        if json.loads(c.proto.spec)["layout"]["title"]["text"].startswith("每张全店订单的件数")
    )
    lift, dip = chart["data"][:2]
    assert len(lift["x"]) == 1 and lift["hovertext"][0].startswith("提升\u00a0")
    assert "（90% 区间\u00a0" in lift["hovertext"][0]
    assert dip["hovertext"][0].startswith(("促销后回落\u00a0", "促销之后尚无完整的周"))


@pytest.mark.slow
def test_uci_promotion_chart_draws_twenty_of_347(uci_lines, _isolated_home):
    """UCI Online Retail II: 347 promotions, one bar pair each on one chart before. The chart
    draws the 20 with the most revenue at stake, says so, marks the intervals it cuts at its
    edge; the table keeps all 347."""
    store = Store.open(_isolated_home)
    ds = store.save_dataset("uci", uci_lines).id
    store.close()
    at = run_page("pricing.py", dataset_id=ds, timeout=300)
    assert not at.exception, at.exception
    promos = _promotions(_isolated_home, ds)
    assert len(promos) == 347 and len(_promo_table(at)) == 347
    assert (
        "The chart shows the 20 promotions with the most revenue at stake (net revenue gained "
        "or lost) of 347; the table and its download have all of them."
    ) in [c.value for c in at.caption]
    chart = figure(at, "Units per store order")
    lift, dip, *marks = chart["data"]
    assert len(lift["x"]) == len(dip["x"]) == 20
    assert len(set(lift["x"])) == 20
    # the intervals cut at the edge are marked there, their hover in words a merchant reads
    hi = chart["layout"]["yaxis"]["range"][1]
    assert marks and all(y == hi for m in marks for y in m["y"])
    words = [t for m in marks for t in m["hovertext"]]
    assert any("more than +10,000\u00a0%" in t for t in words), words
    assert not any("e+" in t or len(t) > 80 for t in [*lift["hovertext"], *dip["hovertext"]])
