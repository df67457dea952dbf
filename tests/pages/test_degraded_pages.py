"""Pages on degraded datasets: a till log without prices or customers, and an order export with
prices but no customers. The Overview shows counts (checked against the generation), pages that
can work run, pages that need customers say which field is missing and what it would unlock."""

from __future__ import annotations

import pytest

from ecomdash import schema as S
from ecomdash.ingest import load_bytes
from ecomdash.store import Store
from tests.degraded_fixtures import till_log
from tests.pages.conftest import run_page


def _seed(home, df, name):
    res = load_bytes(df.to_csv(index=False).encode(), f"{name}.csv")
    store = Store.open(home)
    try:
        return store.save_dataset(name, res.lines, report=res.report, mapping=res.mapping.as_dict())
    finally:
        store.close()


@pytest.fixture
def till(_isolated_home):
    df, truth = till_log()
    return _seed(_isolated_home, df, "till"), truth


@pytest.fixture
def priced(_isolated_home):
    df, truth = till_log(prices=True)
    return _seed(_isolated_home, df, "priced"), truth


def _metric(at, label):
    return next(m for m in at.metric if m.label == label).value


def test_overview_without_prices_shows_counts_busiest_and_top_units(till):
    info, truth = till
    assert S.REVENUE not in info.columns and S.CUSTOMER_ID not in info.columns
    at = run_page("overview.py", dataset_id=info.id)
    assert not at.exception, at.exception
    assert _metric(at, "Orders") == f"{truth['orders']:,}"
    assert _metric(at, "Units") == f"{truth['units']:,}"
    assert _metric(at, "Items per order") == f"{truth['units'] / truth['orders']:.2f}"
    assert not {"Net revenue", "Average order value"} & {m.label for m in at.metric}
    assert any("Revenue needs a price column" in i.value for i in at.info)
    frames = [d.value for d in at.dataframe]
    busiest = next(f for f in frames if "weekday" in f.columns)
    top = busiest.sort_values("orders", ascending=False).iloc[0]
    assert (int(top["weekday"]), int(top["hour"])) == truth["busiest"]
    assert int(top["orders"]) == truth["busiest_orders"]
    products = next(f for f in frames if "key" in f.columns)
    expected = sorted(truth["units_by_item"].items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    assert list(zip(products["key"], products["units"].astype(int), strict=True)) == expected
    assert at.radio(key="ov_count_metric").options == ["Orders", "Units"]


@pytest.mark.parametrize(
    ("page", "missing"),
    [
        ("segments.py", ["customer_id", "revenue"]),
        ("customer_value.py", ["customer_id", "revenue"]),
        ("recommendations.py", ["customer_id"]),
    ],
)
def test_customer_pages_name_the_missing_field_and_what_it_unlocks(till, page, missing):
    info, _ = till
    at = run_page(page, dataset_id=info.id)
    assert not at.exception, at.exception
    [msg] = [i.value for i in at.info]
    # the fields named as the Data page's mapping names them (S.FIELD_NAMES), not by their ids
    assert f"no {', '.join(S.FIELD_NAMES[f] for f in missing)} column" in msg
    assert "customer_id" not in msg
    for f in missing:
        assert S.FIELD_UNLOCKS[f] in msg


def test_basket_runs_on_a_till_log(till):
    info, _ = till
    at = run_page("basket.py", dataset_id=info.id, timeout=120)
    assert not at.exception, at.exception
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert not at.error
    # Item A and Item B are planted together in ~40 % of baskets: the top pair
    text = " ".join(
        " ".join(map(str, d.value.head(3).astype(str).to_numpy().ravel())) for d in at.dataframe
    )
    assert "Item A" in text and "Item B" in text


def test_forecast_of_orders_and_units_and_restock_by_units_work(till):
    info, _ = till
    at = run_page("forecast.py", dataset_id=info.id, timeout=240)
    assert not at.exception, at.exception
    assert set(at.selectbox(key="fc_metric").options) == {"Units", "Orders"}
    at.selectbox(key="fc_metric").set_value("orders")
    at.button[0].click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert len(at.get("plotly_chart")) >= 1
    plan = next(b for b in at.button if b.label == "Plan")
    plan.click().run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    text = " ".join(" ".join(map(str, d.value.columns)) for d in at.dataframe)
    assert "Item" in " ".join(
        " ".join(map(str, d.value.astype(str).to_numpy().ravel()[:50])) for d in at.dataframe
    ), text


def test_no_customers_but_prices_overview_has_revenue_and_customer_pages_explain(priced):
    info, truth = priced
    at = run_page("overview.py", dataset_id=info.id)
    assert not at.exception, at.exception
    assert _metric(at, "Orders") == f"{truth['orders']:,}"
    assert "Net revenue" in {m.label for m in at.metric}
    at = run_page("segments.py", dataset_id=info.id)
    [msg] = [i.value for i in at.info]
    assert "no Customer id column" in msg and S.FIELD_UNLOCKS["customer_id"] in msg


def test_whole_app_renders_on_a_till_log(till):
    from tests.pages.conftest import run_app

    info, _ = till
    at = run_app(dataset_id=info.id, timeout=120)
    assert not at.exception, at.exception
    assert {"Orders", "Units", "Items per order"} <= {m.label for m in at.metric}
    # the home (default page) sizes its findings in units: no amount, no money
    stakes = [m.value for m in at.metric if m.label == "At stake"]
    assert stakes and all(v.endswith(" units") for v in stakes), stakes
    # the planted pair (Item A + Item B) is still found although it cannot be priced
    assert "Item A + Item B" in [t.value for t in at.text] or "Item B + Item A" in [
        t.value for t in at.text
    ]


@pytest.mark.parametrize(
    ("lang", "said", "tabs"),
    [
        (
            "en",
            "There are no breakdowns by Category, Country / region: this dataset has none of "
            "these columns; re-upload the export on the Data page and map one to each to see "
            "their breakdowns.",
            ["Top products"],
        ),
        (
            "zh",
            "没有按 品类、国家/地区 划分的明细：该数据集没有这些列；请在“数据”页面重新上传导出"
            "文件，并为每个字段各映射一列，即可查看这些明细。",
            ["热销商品"],
        ),
    ],
)
@pytest.mark.parametrize("dataset", ["priced", "till"])
def test_a_breakdown_without_its_column_names_the_field_to_map(request, dataset, lang, said, tabs):
    """The Overview's "Top categories" of a file with no category (UCI Online Retail II, this
    till log) said "This dataset has no such column", not which one to map; then it was a tab
    holding only that sentence. A breakdown without its column is not offered as a tab: one
    caption names the fields to map, with amounts (``priced``) and without (``till``, the
    counts' Overview, which left such tabs out without a word)."""
    info, _truth = request.getfixturevalue(dataset)
    at = run_page("overview.py", dataset_id=info.id, lang=lang)
    assert not at.exception, at.exception
    assert said in [c.value.replace("\\", "") for c in at.caption]
    assert [t.label for t in at.tabs] == tabs
