"""Pages on a summed sales dataset (store × department × week): the Overview shows revenue by
period and group without orders, AOV or customers; pages that need order lines say so and
what file would unlock them."""

from __future__ import annotations

import json

import pytest

from ecomdash import labels as L
from ecomdash import schema as S
from ecomdash.ingest import load_bytes
from ecomdash.kpis import compute_kpis
from ecomdash.store import Store
from ecomdash.ui import tables as T
from ecomdash.ui.forecast_groups import SERIES_SCREEN
from ecomdash.ui.overview import kpi_text
from tests.pages.conftest import run_page
from tests.pages.downloads import record_downloads
from tests.pages.test_tables_fit import names_the_others, one_line_within_the_page
from tests.summed_fixtures import sku_daily, to_csv_bytes, walmart_like

#: The Every series table's columns only its CSV holds (store × department series)
EVERY_SERIES_CSV_ONLY = ("location", "category", "history", "baseline_mae")


def _seed(home, df, name):
    res = load_bytes(to_csv_bytes(df), f"{name}.csv")
    store = Store.open(home)
    try:
        info = store.save_dataset(name, res.lines, report=res.report, mapping=res.mapping.as_dict())
        return info, compute_kpis(store, info.id)
    finally:
        store.close()


@pytest.fixture
def walmart(_isolated_home):
    return _seed(_isolated_home, walmart_like(stores=4, depts=6, weeks=60, seed=3), "walmart")


def test_overview_on_summed_sales(walmart):
    info, k = walmart
    at = run_page("overview.py", dataset_id=info.id)
    assert not at.exception, at.exception
    labels = [m.label for m in at.metric]
    assert "Net revenue" in labels and "Returns & cancellations" in labels
    assert not {"Orders", "Average order value", "Customers"} & set(labels)
    rev = next(m for m in at.metric if m.label == "Net revenue")
    assert rev.value == kpi_text("revenue", k["revenue"])
    assert [t.label for t in at.tabs] == ["Top stores / locations", "Top categories"]
    assert any("Summed sales" in c.value for c in at.caption)
    assert any("event dates" in c.value for c in at.caption)


def test_overview_on_sku_daily_shows_units(_isolated_home):
    info, k = _seed(_isolated_home, sku_daily(skus=8, days=60, seed=1), "daily")
    at = run_page("overview.py", dataset_id=info.id)
    assert not at.exception, at.exception
    units = next(m for m in at.metric if m.label == "Units")
    assert units.value == kpi_text("units", k["units"])
    assert at.radio(key="ov_metric").options == ["Net revenue", "Units"]
    assert [t.label for t in at.tabs] == ["Top products"]


@pytest.mark.parametrize(
    ("page", "needs"),
    [
        ("basket.py", "basket"),
        ("segments.py", "segment"),
        ("customer_value.py", "clv"),
        ("recommendations.py", "recommend"),
    ],
)
def test_pages_that_need_order_lines_say_what_unlocks_them(walmart, page, needs):
    info, _ = walmart
    at = run_page(page, dataset_id=info.id)
    assert not at.exception, at.exception
    [msg] = [i.value for i in at.info]
    assert "summed sales" in msg
    assert S.NEEDS_LINES[needs] in msg


def test_forecast_every_series_worst_first_and_pick_one(_isolated_home, monkeypatch):
    df = walmart_like(stores=3, depts=4, weeks=143, seed=6)
    info, _ = _seed(_isolated_home, df, "walmart")
    downloads = record_downloads(monkeypatch)
    at = run_page("forecast.py", dataset_id=info.id, timeout=180)
    assert not at.exception, at.exception
    assert at.tabs[0].label == "Every series"
    assert at.selectbox(key="fg_by").value == "location,category"
    at.button(key="fg_run").click().run()
    assert not at.exception, at.exception
    n = df.groupby(["Store", "Dept"]).ngroups
    assert next(m for m in at.metric if m.label == "Series").value == f"{n:,}"
    element = next(d for d in at.dataframe if "series" in d.value.columns)
    table = element.value
    assert len(table) == n and table["mae"].is_monotonic_decreasing
    # within the page at 1280 px, one line a row; the store, department, history total and
    # seasonal naive error are named under it, in its CSV (ten columns ran past the edge)
    one_line_within_the_page(element, SERIES_SCREEN)
    names_the_others(at, "en", EVERY_SERIES_CSV_ONLY, "forecast")
    # the models by their short names, none cut ("Seasonal mean (average of the last 3
    # cycles)" took 286 px); the file keeps the ids
    width = json.loads(element.proto.columns)["model"]["width"]
    assert set(table["model"]) <= {L.model_label(m, short=True) for m in L.MODEL_LABELS}
    assert all(T.drawn_px(m) <= width for m in table["model"]), (width, set(table["model"]))
    assert set(downloads.frame("forecast-series-table")["model"]) <= set(L.MODEL_LABELS)
    pick = at.selectbox(key="fg_pick")
    assert pick.value == table["series"].iloc[0]  # the worst series is shown first
    pick.set_value(table["series"].iloc[-1]).run()
    assert not at.exception, at.exception
    titles = [
        json.loads(c.proto.spec)["layout"].get("title", {}).get("text", "")
        for c in at.get("plotly_chart")
    ]
    assert any(t.startswith(f"{table['series'].iloc[-1]}:") for t in titles), titles
    # the series' 80 % band is an area: plotly marked its edges' points on a short trace
    # (eight dots above and below the forecast, read as data)
    figs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    series_fig = next(
        f for f in figs if f["layout"]["title"]["text"].startswith(table["series"].iloc[-1])
    )
    assert series_fig["data"][0]["name"] == "80\u00a0% band"
    assert series_fig["data"][0]["mode"] == "lines"
    # the total's legend and tile help say in words how the sum is made (was "MinT-diagonal
    # (WLS by in-sample error variance)" with no plain meaning)
    total = next(f for f in figs if f["layout"]["title"]["text"] == "Total")
    names = [t["name"] for t in total["data"]]
    assert "Sum of the series, adjusted towards the direct forecast of the total" in names, names
    assert not any("WLS" in n for n in names), names
    tile = next(m for m in at.metric if m.label == "Total: backtest error")
    assert "trusting a forecast more the better it fitted the past" in tile.help


def test_data_page_maps_walmart_file_by_names_and_saves_it_as_summed(_isolated_home):
    from streamlit.testing.v1 import AppTest

    from tests.pages.conftest import ROOT

    at = AppTest.from_file(str(ROOT / "pages" / "data.py"), default_timeout=60)
    at.run()
    data = to_csv_bytes(walmart_like(stores=2, depts=3, weeks=20, seed=9))
    at.file_uploader(key="uploader").set_value(("train.csv", data, "text/csv")).run()
    assert not at.exception, at.exception
    sel = {s.key: s.value for s in at.selectbox}
    assert sel["map_location"] == "Store" and sel["map_category"] == "Dept"
    assert sel["map_event"] == "IsHoliday" and sel["map_quantity"] == "(not in the file)"
    # the warning names the field as the mapping's selectbox does ("Quantity", not quantity)
    assert any("'Store'" in w.value and "Quantity" in w.value for w in at.warning)
    assert any("already summed" in i.value for i in at.info)
    at.text_input[0].set_value("Walmart weekly")
    at.button(key="FormSubmitter:save_form-Save").click().run()
    assert not at.exception, at.exception
    store = Store.open(_isolated_home)
    [info] = [d for d in store.list_datasets() if not d.is_demo]
    store.close()
    assert info.kind == S.KIND_SUMMED and info.name == "Walmart weekly" and info.events


def test_whole_app_on_a_summed_dataset(walmart):
    from tests.pages.conftest import run_app

    info, _ = walmart
    at = run_app(dataset_id=info.id, timeout=240)
    assert not at.exception, at.exception
    assert any(m.label == "Net revenue" for m in at.metric)
    # the home (default page) skips the analyses that need order lines and says why
    steps = [m.value for m in at.markdown]
    for label in ("Products bought together", "Customers likely to stop buying"):
        assert any(s.startswith(label) and "needs order lines" in s for s in steps), steps


def test_every_series_errors_are_money_for_revenue_and_plain_for_units(_isolated_home):
    """The Every series tab's backtest errors are in the measure's unit: euros for revenue,
    plain numbers for units (they were written as money whatever the measure)."""
    from ecomdash.forecast_groups import forecast_groups

    res = load_bytes(to_csv_bytes(sku_daily(skus=6, days=150, seed=2)), "daily.csv")
    store = Store.open(_isolated_home)
    try:
        report = {**res.report.to_dict(), "currency": "EUR"}
        info = store.save_dataset("Daily", res.lines, report=report, mapping=res.mapping.as_dict())
        core = forecast_groups(store, info.id, by="product", metric="units", freq="W", horizon=8)
    finally:
        store.close()
    at = run_page("forecast.py", dataset_id=info.id, timeout=180)
    assert at.selectbox(key="fg_metric").value == "revenue"
    at.button(key="fg_run").click().run()
    assert not at.exception, at.exception

    def tile():
        return next(m for m in at.metric if m.label == "Total: backtest error").value

    def mae_format():
        element = next(d for d in at.dataframe if "series" in d.value.columns)
        return json.loads(element.proto.columns)["mae"]["type_config"]["format"]

    def y_axes():
        from tests.pages.chart_money import money_axis, sent_currency

        # a money axis (charts.money: d3's currency, after the sign) in the chart's currency
        charts = list(at.get("plotly_chart"))
        figs = [json.loads(c.proto.spec)["layout"] for c in charts]
        return [
            (
                sent_currency(c) if money_axis(f["yaxis"]) else "",
                f["yaxis"].get("title", {}).get("text"),
            )
            for c, f in zip(charts, figs, strict=True)
        ]

    assert tile().startswith("€") and mae_format() == "€%,.2f"
    # the total's and the series' charts: revenue in euros on a titled axis (had no sign,
    # and the total no axis title)
    assert y_axes()[:2] == [("€", "revenue per week")] * 2, y_axes()
    # the whole-shop forecast's revenue chart too (the units one has none)
    assert ("€", "Revenue") in y_axes() and ("", "Units") in y_axes(), y_axes()
    assert any(
        c.value.startswith("Average miss (MAE), summed over every series: €") for c in at.caption
    )
    at.selectbox(key="fg_by").set_value("product")
    at.selectbox(key="fg_metric").set_value("units")
    at.selectbox(key="fg_freq").set_value("W")
    at.button(key="fg_run").click().run()
    assert not at.exception, at.exception
    bt = core.backtest
    assert tile() == f"{bt['total_mae']:,.1f}"  # units: no currency sign
    assert y_axes()[:2] == [("", "units per week")] * 2, y_axes()
    assert mae_format() == "%,.2f"
    mae = (
        f"Average miss (MAE), summed over every series: {bt['auto']:,.1f} with the chosen "
        f"models, {bt['seasonal_naive']:,.1f} with the seasonal naive."
    )
    assert mae in [c.value for c in at.caption]


def test_every_series_names_demand_patterns_in_the_page_language(_isolated_home):
    """The Every series table's demand pattern reads 平稳 in the Chinese UI and "smooth" in
    English: the core's class ids were shown as they are ("smooth" left in the Chinese page)."""
    from ecomdash.i18n import _, use_lang
    from ecomdash.labels import DEMAND_CLASSES

    info, _k = _seed(_isolated_home, walmart_like(stores=2, depts=3, weeks=80, seed=4), "walmart")
    with use_lang("zh"):  # AppTest formats the widgets' values again outside the run
        at = run_page("forecast.py", dataset_id=info.id, timeout=180, lang="zh")
        at.button(key="fg_run").click().run()
        shown = {_(m) for m in DEMAND_CLASSES.values()}
    assert not at.exception, at.exception
    table = next(d.value for d in at.dataframe if "series" in d.value.columns)
    assert set(table["demand_class"]) <= shown, set(table["demand_class"])
    assert not set(table["demand_class"]) & set(DEMAND_CLASSES)  # no English id left


def test_every_series_names_a_group_without_a_value_in_the_page_language(
    _isolated_home, monkeypatch
):
    """Lines without a department form a series of their own, which the store's SQL names
    "(none)": the Chinese page showed "3 × (none)" in the table, the series picker and the
    chart's title. Now （无）, as the command line's ``forecast --by`` writes it."""
    from ecomdash.forecast_groups import NONE
    from ecomdash.i18n import _, use_lang

    df = walmart_like(stores=2, depts=3, weeks=80, seed=4)
    df["Dept"] = df["Dept"].astype(object)
    df.loc[df["Dept"] == df["Dept"].iloc[0], "Dept"] = None  # one department's rows
    info, _k = _seed(_isolated_home, df, "walmart")
    downloads = record_downloads(monkeypatch)
    with use_lang("zh"):  # AppTest formats the widgets' values again outside the run
        at = run_page("forecast.py", dataset_id=info.id, timeout=180, lang="zh")
        at.button(key="fg_run").click().run()
        none = _(NONE)
        assert not at.exception, at.exception
        element = next(d for d in at.dataframe if "series" in d.value.columns)
        table = element.value
        named = [s for s in table["series"] if none in s]
        assert none == "（无）" and len(named) == 2, list(table["series"])  # one a store
        assert not any(NONE in s for s in table["series"])
        # within the page at 1280 px in Chinese too (it ran past the edge), the others named
        one_line_within_the_page(element, SERIES_SCREEN)
        names_the_others(at, "zh", EVERY_SERIES_CSV_ONLY, "forecast")
        # the department (in the CSV) is named in Chinese there too
        assert NONE not in set(downloads.frame("forecast-series-table")["category"])
        pick = at.selectbox(key="fg_pick")
        assert (
            all(NONE not in o for o in pick.options) and sum(none in o for o in pick.options) == 2
        )
        shown = named[0]
        pick.set_value(shown.replace(none, NONE)).run()  # the picker holds the store's label
        assert not at.exception, at.exception
    titles = [
        json.loads(c.proto.spec)["layout"].get("title", {}).get("text", "")
        for c in at.get("plotly_chart")
    ]
    assert any(t.startswith(f"{shown}：") or t.startswith(f"{shown}:") for t in titles), titles
