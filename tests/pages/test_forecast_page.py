"""Forecast & restock page on the demo merchant (AppTest, page run alone)."""

from __future__ import annotations

import json
import math
import re

import pandas as pd
import pytest

from ecomdash import forecast as F
from ecomdash import inventory
from ecomdash import labels as L
from ecomdash import schema as S
from ecomdash.i18n import fmt
from ecomdash.store import Store
from ecomdash.ui import forecast as F_UI
from ecomdash.ui import restock
from ecomdash.ui.table_layout import tile_weights
from tests.pages.conftest import column_types, money_shown, run_page
from tests.pages.downloads import record_downloads
from tests.tiles import tile_figure


def _button(at, label):
    return next(b for b in at.button if b.label == label)


def _metric(at, label):
    found = [m for m in at.metric if m.label == label]
    assert found, f"no metric {label!r}; have {[m.label for m in at.metric]}"
    return found[0]


def _core(home, dataset_id):
    store = Store.open(home)
    try:
        lines = store.load_lines(dataset_id)
    finally:
        store.close()
    s = F.build_series(lines, metric="revenue", freq="D", future_periods=14)
    return F.forecast(s, horizon=14, folds=8)


def test_forecast_page_greets_with_default_forecast_matching_core(
    demo_dataset, _isolated_home, monkeypatch
):
    # no Run pressed: the whole shop's daily revenue forecast is there on arrival
    downloads = record_downloads(monkeypatch)
    at = run_page("forecast.py", dataset_id=demo_dataset.id, timeout=120)
    assert not at.exception, at.exception
    assert not any("press" in i.value for i in at.info)
    core = _core(_isolated_home, demo_dataset.id)
    chosen = _metric(at, "Chosen model")
    assert (chosen.value, chosen.delta or None) == L.model_tile(core.model)
    assert chosen.help == f"The model the backtest chose: {L.model_label(core.model)}."
    # the row's tiles as wide as each one's label or value needs (tile_weights), not 2:1:1:1
    cols = list(at.columns)
    first = next(i for i, c in enumerate(cols) if [m.label for m in c.metric] == ["Chosen model"])
    row = cols[first : first + 4]
    tiles = [c.metric[0] for c in row]
    need = tile_weights([t.label for t in tiles], [t.value for t in tiles])
    assert [c.weight for c in row] == pytest.approx([n / sum(need) for n in need], rel=1e-3)
    bt = core.backtest.set_index("model")
    assert _metric(at, "Backtest MASE").value == f"{bt.loc[core.model, 'mase']:.2f}"
    assert any(core.verdict == s.value for s in at.success) or any(
        core.verdict == w.value for w in at.warning
    )
    tables = [d.value for d in at.dataframe]
    fc = next(t for t in tables if {"mean", "lo80", "hi80"} <= set(t.columns))
    assert len(fc) == 14
    assert fc["mean"].to_numpy() == pytest.approx(core.forecast["mean"].to_numpy(), abs=0.006)
    backtest = next(t for t in tables if "coverage80" in t.columns)
    # model names are shown as labels, never as ids
    assert {"Seasonal naive (repeat the last cycle)", "Automatic choice"} <= set(backtest["model"])
    # a revenue forecast's backtest errors are the demo's pounds
    fmts = _formats(at, "coverage80")
    errors = next(d for d in at.dataframe if "coverage80" in d.value.columns)
    assert money_shown(errors, "mae") == ("cells", "£") and money_shown(errors, "bias")[1] == "£"
    assert fmts["mase"] == "%,.2f"
    assert len(at.get("plotly_chart")) >= 2
    assert any("done in" in s.label for s in at.status)
    # the forecast total is money (the demo's pounds), compact as the Overview's tiles
    total = core.forecast["mean"].sum()
    assert 10_000 <= total < 1e6
    # (the compact figure by the documented rule, tests/tiles.py: a round total is £52k)
    assert _metric(at, "Next total").value == tile_figure(total, "£")
    # the tiles' help says how to read them: the horizon in days, not "periods"
    assert _metric(at, "Next total").help == "Sum of the forecast over the next 14 days."
    # the baseline's own MASE is below 1 on the demo (its scale is the in-sample error of
    # repeating the last cycle), so "below 1 beats it" claimed more than the backtest shows:
    # the help compares with the baseline, as the tile's delta does
    assert bt.loc["seasonal_naive", "mase"] < 1
    mase_help = _metric(at, "Backtest MASE").help
    assert "below 1" not in mase_help and "difference from the baseline's MASE" in mase_help
    # coverage: higher is not better; the help says what above and below 80 % mean
    # the sale-days picker says what the model does with them, without "regressors"
    labels = [m.label for m in at.multiselect]
    assert "Sale days to mark (the Seasonal ARIMA model learns how much they add)" in labels
    assert not any("regressor" in lab for lab in labels)
    cover_help = _metric(at, "80\u00a0% band coverage").help
    assert "wider than it needs to be" in cover_help and "surer than" in cover_help
    # the backtest table's MASE column: its help makes the same comparison (was "below 1
    # beats it", while the baseline's own row reads below 1)
    config = json.loads(
        next(d for d in at.dataframe if "coverage80" in d.value.columns).proto.columns
    )
    assert "below 1" not in config["mase"]["help"]
    assert "Compare it with the seasonal naive's MASE" in config["mase"]["help"]
    # Many products: the intermittent-demand note says what Croston/SBA and ETS are
    note = next(i.value for i in at.info if "Intermittent demand" in i.value)
    assert "method made for occasional sales" in note and "exponential smoothing" in note
    # the summary quotes the honest (automatic choice) MASE: "optimistic" is said of the
    # table's MASE column only, not of the figure just quoted
    summary = next(t.value for t in at.text if "products forecast in" in t.value)
    assert "MASE is the final" not in summary
    assert "The table's MASE column is the final model's score" in summary
    many = downloads.table("forecast-products")  # the MASEs are in the table's CSV
    assert f"median MASE {many['auto_mase'].median():.2f} against" in summary
    # the chart's value axis is named as the metric select names it, not by its id
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert spec["layout"]["yaxis"]["title"]["text"] == "Revenue"


def test_whole_shop_series_is_built_in_a_worker_from_the_day_groups(
    demo_dataset, _isolated_home, monkeypatch
):
    """The page's whole-shop series is built in a worker (whose fork server has every
    holiday calendar loaded) from the store's day groups, and is the series built here from
    them (the old route): frame, future, holidays and warnings equal; the lines of a scope
    are not sent to a worker."""
    import dataclasses

    import pandas as pd

    from ecomdash.filters import Filters
    from ecomdash.ui import forecast as fc_ui
    from ecomdash.ui.worker import run_in_worker

    sent = []

    def spy(fn, *a, **k):
        sent.append((fn, a[0] if a else None))
        return run_in_worker(fn, *a, **k)

    monkeypatch.setattr(fc_ui, "run_in_worker", spy)
    store = Store.open(_isolated_home)
    try:
        monkeypatch.setattr(fc_ui, "get_store", lambda workspace=None: store)
        key = (store.workspace, demo_dataset.id, demo_dataset.version, Filters().as_key())
        events = (("Summer sale", pd.Timestamp("2025-07-01").date(), None),)
        for metric, returns in (("revenue", "net"), ("orders", "exclude")):
            sparams = (metric, "D", "shop", None, returns, events, ("Black Friday",), 14)
            got = fc_ui._series(key, sparams)
            groups = store.shop_day_groups(demo_dataset.id, with_orders=metric == "orders")
            lo, hi = store.date_span(demo_dataset.id)
            evs = (F.Event("Summer sale", pd.Timestamp("2025-07-01").date()),)
            evs += F.preset_events(
                ("Black Friday",),
                start=pd.Timestamp(lo).date(),
                end=(pd.Timestamp(hi) + pd.Timedelta(days=400)).date(),
            )
            old = F.build_series(
                groups, metric=metric, returns=returns, events=evs, future_periods=14
            )
            for f in dataclasses.fields(old):
                x, y = getattr(got, f.name), getattr(old, f.name)
                if isinstance(y, pd.DataFrame):
                    pd.testing.assert_frame_equal(x, y)
                else:
                    assert x == y, f.name
            assert sent[-1][0] is F.build_series and len(sent[-1][1]) == len(groups)
        n = len(sent)
        top = fc_ui._choices(key, S.COUNTRY)[0]
        scoped = fc_ui._series(key, ("units", "W", "country", top, "net", (), (), 8))
        assert scoped.scope == (("country", top),)
        assert len(sent) == n  # a scope's series is built here, from its lines
    finally:
        store.close()


def test_restock_planner_section(demo_dataset, _isolated_home, monkeypatch):
    # no Plan pressed: the plan at the default service level and lead time is there
    downloads = record_downloads(monkeypatch)
    at = run_page("forecast.py", dataset_id=demo_dataset.id, timeout=120)
    assert not at.exception, at.exception
    screen = next(d.value for d in at.dataframe if "reorder_point" in d.value.columns)
    plan = downloads.table("restock-plan")  # every column, the ids too
    assert len(plan) == len(screen) == 100
    store = Store.open(_isolated_home)
    try:
        lines = store.load_lines(demo_dataset.id)
    finally:
        store.close()
    core = inventory.plan_restock(lines, lead_time_days=14, service_level=0.95, review_days=7)
    assert list(plan["product_id"]) == list(core.plan["product_id"])
    assert list(screen["product_name"]) == list(core.plan["product_name"])
    assert screen["reorder_point"].to_numpy() == pytest.approx(
        core.plan["reorder_point"].to_numpy(), rel=1e-6
    )
    assert {"abc", "xyz", "safety_stock", "order_qty"} <= set(plan.columns)
    # what a merchant acts on comes first, in the CSV too; on screen only that (the table
    # ran past the page's edge); nothing lost
    assert list(plan.columns[:5]) == [
        "product_id", "product_name", "reorder_point", "on_hand", "order_qty"
    ]  # fmt: skip
    assert list(screen.columns) == list(restock.PLAN_SCREEN)
    assert sorted(plan.columns) == sorted(core.plan.columns)
    # the plan has the page's width (in a 3/5 column its "Order now (units)" header was cut,
    # CI screenshot); the ABC × XYZ chart and counts sit side by side under it
    in_columns = [d for col in at.columns for d in col.dataframe]
    assert not any("reorder_point" in d.value.columns for d in in_columns)
    assert any(list(d.value.columns) == ["X", "Y", "Z"] for d in in_columns)
    assert _metric(at, "Products planned").value == "100"
    # in view: what to do here (no units on hand yet); the forecasts' notes (incomplete weeks,
    # models used: four boxes above the plan on the CI screenshot) in one expander
    [tab] = [t for t in at.tabs if t.label == "Restock planner"]
    infos = [i.value for i in tab.info]
    assert any(v.startswith("No stock levels given") for v in infos), infos
    assert not any("incomplete" in v or "Croston" in v for v in infos), infos
    [notes] = [e for e in tab.expander if "on the forecasts behind the plan" in e.label]
    assert notes.label.endswith(" notes on the forecasts behind the plan")
    inside = " ".join(m.value for m in notes.markdown)
    assert "incomplete" in inside and int(notes.label.split()[0]) == inside.count("- ")
    # no units on hand yet: reordering is unknown ("—", with what it needs), not "0 to order"
    for label in ("To reorder now", "Run out within the lead time"):
        m = _metric(at, label)
        assert m.value == "—" and "units on hand" in m.help, (label, m.value)
    # the stock editor's empty cells are empty to type in, not "None"
    editor = next(d for d in at.dataframe if "on_hand" in d.value.columns)
    assert editor.proto.placeholder == "" and editor.proto.HasField("placeholder")


def test_restock_counts_follow_units_typed_in(demo_dataset, _isolated_home, monkeypatch):
    downloads = record_downloads(monkeypatch)
    at = run_page("forecast.py", dataset_id=demo_dataset.id, timeout=120)
    plan = downloads.table("restock-plan")
    # the first product typed in at 0 units (it sells: order now, runs out now), the second
    # far above its reorder point (neither)
    at.session_state["stock_editor_none"] = {
        "edited_rows": {"0": {"on_hand": 0}, "1": {"on_hand": 1_000_000}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert not at.exception, at.exception
    assert _metric(at, "To reorder now").value == "1"
    assert _metric(at, "Run out within the lead time").value == "1"
    assert any(
        c.value.startswith("Reorder and run-out counts cover only the 2 of 100 products")
        for c in at.caption
    ), [c.value for c in at.caption]
    assert plan["daily_demand"].iloc[0] > 0


def test_restock_says_which_stock_file_ids_it_could_not_plan(
    demo_dataset, _isolated_home, monkeypatch
):
    # a stock file's ids without a plan row were ignored in silence
    downloads = record_downloads(monkeypatch)
    at = run_page("forecast.py", dataset_id=demo_dataset.id, timeout=120)
    ids = list(downloads.table("restock-plan")["product_id"])
    # the count input reads as a count in Chinese too (was "Top products": 热销商品)
    at.number_input(key="restock_top").set_value(5)
    _button(at, "Plan").click().run()
    assert not at.exception, at.exception
    assert at.number_input(key="restock_top").label == "Top products by revenue"
    assert ids[0] == "TEX-271"
    # ids written in another case match the sales data's when that is unambiguous: "dec-…" is
    # the second product's stock (it was "no sales in the data planned"); "tex-271" is a
    # second row for TEX-271, which the file has: left out and said
    rows = [
        f"{ids[0]},3",
        f"{ids[10]},4",
        "tex-271,5",
        f" {ids[1].lower()} ,6",
        "NOPE-1,1",
        "NOPE-2,2",
    ]
    data = ("SKU,Stock\n" + "\n".join(rows) + "\n").encode()
    at.file_uploader(key="stock_file").set_value(("stock.csv", data, "text/csv")).run()
    assert not at.exception, at.exception
    # inert: markdown escaped (a product id is the merchant's text)
    said = [re.sub(r"\\(.)", r"\1", w.value) for w in at.warning if "stock file" in w.value]
    assert said == [
        "1 id in your stock file differs only in case from another row of the file for the "
        "same product: tex-271 (TEX-271) — it was left out; keep one row per product.",
        "2 products in your stock file have no sales in the data planned (its period and "
        "filters): NOPE-1, NOPE-2 — if they sell, check that the ids match the sales "
        "data's product codes.",
        f"1 product in your stock file sells but is not among the top 5 products planned here: "
        f"{ids[10]} — raise “Top products by revenue” to plan it.",
    ]
    told = [re.sub(r"\\(.)", r"\1", i.value) for i in at.info if "stock file" in i.value]
    assert told == [
        "1 id in your stock file is written differently from the sales data's product code "
        f"(case or spaces) and was matched to it: {ids[1].lower()} → {ids[1]}."
    ]
    editor = next(d.value for d in at.dataframe if list(d.value.columns)[-1] == "on_hand")
    on_hand = editor.set_index("product_id")["on_hand"]
    assert on_hand.get(ids[0]) == 3 and on_hand.get(ids[1]) == 6


def test_restock_plan_says_each_figures_unit_and_how_it_is_worked_out(
    demo_dataset, _isolated_home, monkeypatch
):
    # "Safety stock 25", "Reorder point 211": no unit, no help; a merchant could not follow them
    downloads = record_downloads(monkeypatch)
    at = run_page("forecast.py", dataset_id=demo_dataset.id, timeout=120)
    assert not at.exception, at.exception
    element = next(d for d in at.dataframe if "reorder_point" in d.value.columns)
    config = json.loads(element.proto.columns)
    # the columns on screen say their unit and help there; the others (in the CSV only) in
    # the CSV's header and the catalogue's help, which is theirs wherever they are shown
    csv = downloads.table("restock-plan")
    labels = dict(zip(csv.columns, downloads.headers("restock-plan"), strict=True))
    helps = {c: L.column(c, "forecast").help for c in csv.columns}
    for c in restock.PLAN_SCREEN:
        labels[c], helps[c] = config[c]["label"], config[c].get("help", "")
    assert labels["reorder_point"] == "Reorder point (units)"
    assert labels["safety_stock"] == "Safety stock (units)"
    assert labels["demand_lead_time"] == "Units sold over the lead time"
    assert labels["error_sd_daily"] == "Daily forecast error (units)"
    assert helps["reorder_point"] == (
        "Order when units on hand fall to this number or below: units sold over the lead time "
        "+ safety stock, each rounded up to a whole unit (the numbers shown add up and are the "
        "ones compared)."
    )
    assert "z × daily forecast error × √lead time (days), rounded up" in helps["safety_stock"]
    assert helps["demand_lead_time"].endswith("rounded up to a whole unit.")
    assert "not from today" in helps["stockout_date"]
    for c in ("demand_lead_time", "daily_demand", "error_sd_daily", "days_of_cover", "order_qty"):
        assert helps[c], c
    # units of stock without a decimal (was "329.3" units over the lead time)
    assert L.number_format(L.column("demand_lead_time", "forecast"), L.Display()) == "%,.0f"
    # the first product's reorder point by hand, as the help says: 93 units a week forecast
    # = 13.29 a day x 14 days = 186 units over the lead time; safety stock 1.6449 (95 %)
    # x 4.0924 (daily forecast error) x sqrt(14) = 25.19, rounded up 26; reorder point
    # 186 + 26 = 212 (was 211.19, shown "211": a stock of 211 beside it said "order")
    # (the CSV's figures have the table's decimals: 13.29 units a day, an error of 4.09)
    row = csv.iloc[0]
    assert row["product_id"] == "TEX-271"
    assert row["daily_demand"] == round(93.0 / 7, 2)
    assert row["demand_lead_time"] == pytest.approx(186.0)
    assert row["error_sd_daily"] == round(4.0924, 2)
    assert row["safety_stock"] == 26 == math.ceil(1.6449 * 4.0924 * 14**0.5)
    assert row["reorder_point"] == 212
    # the settings say what they mean
    lead = next(n for n in at.number_input if n.label == "Lead time (days)")
    assert lead.help == "Days from placing an order with your supplier until its units can be sold."
    review = next(n for n in at.number_input if n.label == "Days between restock orders")
    assert "once a week" in review.help and "until the next one" in review.help


def test_restock_download_has_the_tables_decimals(demo_dataset, _isolated_home, monkeypatch):
    # the plan's CSV had "211.18679812..." units for a reorder point; now what the table shows
    from ecomdash.ui import restock

    sent = {}

    def spy(df, stem, **kw):
        sent[stem] = kw["prepare"](df) if kw.get("prepare") else df

    monkeypatch.setattr(restock, "download_table", spy)
    at = run_page("forecast.py", dataset_id=demo_dataset.id, timeout=120)
    assert not at.exception, at.exception
    row = sent["restock-plan"].iloc[0]
    assert row["product_id"] == "TEX-271"
    # by hand (see the test above): 186 + ⌈25.19⌉ = 212; 13.2857 -> 13.29
    assert (row["reorder_point"], row["safety_stock"], row["demand_lead_time"]) == (212, 26, 186)
    assert row["daily_demand"] == 13.29 and row["error_sd_daily"] == 4.09
    assert row["revenue"] == 179675.55


def test_restock_service_level_is_a_percentage(demo_dataset, _isolated_home, monkeypatch):
    # the slider read "0.95"; the help and the report say "95 %"
    downloads = record_downloads(monkeypatch)
    at = run_page("forecast.py", dataset_id=demo_dataset.id, timeout=120)
    slider = at.slider(key="restock_service")
    assert slider.value == 95.0 and slider.proto.format == "%.1f\u00a0%%"
    # 99 %: z = 2.3263; the first product's reorder point by hand: 186 units over the lead
    # time + 2.3263 x 4.0924 x sqrt(14) = 35.62 safety stock, rounded up 36: 222
    slider.set_value(99.0)
    _button(at, "Plan").click().run()
    assert not at.exception, at.exception
    row = downloads.table("restock-plan").iloc[0]
    assert row["product_id"] == "TEX-271"
    assert row["safety_stock"] == 36
    assert row["reorder_point"] == 222


def test_many_products_section(demo_dataset, _isolated_home, monkeypatch):
    downloads = record_downloads(monkeypatch)
    at = run_page("forecast.py", dataset_id=demo_dataset.id, timeout=120)
    runs = [b for b in at.button if b.label == "Run"]
    assert len(runs) == 2  # the single-series form and the many-products form
    # no Run pressed: the top 100 products' weekly unit forecasts are there on arrival
    assert not at.exception, at.exception
    table = next(d.value for d in at.dataframe if "forecast_total" in d.value.columns)
    csv = downloads.table("forecast-products")  # the ids, MASEs and errors are in its CSV
    store = Store.open(_isolated_home)
    try:
        lines = store.load_lines(demo_dataset.id)
    finally:
        store.close()
    core = F.forecast_many(lines, top=100, metric="units", freq="W", horizon=8, folds=4)
    assert list(csv["product_id"]) == list(core.table["product_id"])
    assert list(table["model"]) == [L.model_label(m) for m in core.table["model"]]
    # units: the errors and totals are plain numbers, the products' revenue is pounds
    assert _formats(at, "forecast_total")["forecast_total"] == "%,.2f"
    headers = dict(zip(csv.columns, downloads.headers("forecast-products"), strict=True))
    assert headers["auto_mae"] == "Automatic choice error (MAE)"
    assert headers["baseline_mae"] == "Seasonal naive error (MAE)"
    assert headers["revenue"] == "Net revenue (£)"
    # the cut is said: top 100 of all products with sales, and their share of revenue
    sales = S.sales_lines(lines)
    n_products = sales["product_id"].nunique()
    share = core.table["revenue"].sum() / sales["revenue"].sum()
    said = [t.value for t in at.text if "products by revenue are forecast" in t.value]
    # the box it says to raise is named as the box reads, with its own largest value (it
    # said "Raise 'Top products'", a box the page does not have)
    box = next(b for b in at.number_input if b.value == 100 and b.max == 500 and not b.key)
    assert box.label == "Top products by revenue"
    assert said == [
        f"Only the top 100 of {n_products:,} products by revenue are forecast here "
        f"({fmt.pct(share, 0, lang='en')} of sales revenue); the other {n_products - 100:,} are not. Raise "
        "“Top products by revenue” (up to 500) or forecast one product or category in the "
        "section above."
    ]
    # in Chinese too: the box's Chinese label, in Chinese quotes
    zh = run_page("forecast.py", dataset_id=demo_dataset.id, timeout=120, lang="zh")
    assert not zh.exception, zh.exception
    box = next(b for b in zh.number_input if b.value == 100 and b.max == 500 and not b.key)
    said = [t.value for t in zh.text if "个未预测" in t.value]
    assert len(said) == 1 and f"可调高“{box.label}”（最多\u00a0500）" in said[0], said


def test_chinese_shop_gets_the_chinese_calendar(zh_lines, _isolated_home, monkeypatch):
    from ecomdash import calendar_cn as CN

    store = Store.open(_isolated_home)
    try:
        info = store.save_dataset(
            "演示商户", zh_lines, report={"currency": "CNY"}, source="generated"
        )
    finally:
        store.close()
    downloads = record_downloads(monkeypatch)
    at = run_page("forecast.py", dataset_id=info.id, timeout=180)
    assert not at.exception, at.exception
    cal = next(m for m in at.multiselect if m.label.startswith("Chinese calendar"))
    assert list(cal.value) == list(CN.FEATURES)  # on by default: the shop sells in China
    cal.set_value(["double_11", "double_12", "spring_festival", "new_year"])
    _button(at, "Run").click()
    at.run()
    assert not at.exception, at.exception
    backtest = next(d.value for d in at.dataframe if "coverage80" in d.value.columns)
    ets, ets_cal = L.model_label("ets"), L.model_label("ets_cal")
    assert {ets, ets_cal, L.model_label("sarimax_cal")} <= set(backtest["model"])
    bt = backtest.set_index("model")["mae"]
    short = L.model_label("ets", short=True)
    gain = next(t.value for t in at.text if t.value.startswith(f"{short}: backtest MAE"))
    # the errors are the shop's yuan (its revenue is forecast)
    assert f"MAE ¥{bt[ets]:,.2f} without" in gain and f"¥{bt[ets_cal]:,.2f} with it" in gain
    # a calendar twin: its base model's tile name, the calendar on the line under it, and its
    # whole name in the help
    chosen = _metric(at, "Chosen model")
    twin = next(
        m
        for m in ("seasonal_mean_cal", "ets_cal", "sarimax_cal")
        if L.model_label(m) in chosen.help
    )
    assert (
        (chosen.value, chosen.delta)
        == L.model_tile(twin)
        == (
            L.model_tile(twin.removesuffix("_cal"))[0],
            "+ Chinese calendar",
        )
    )
    fig = at.get("plotly_chart")[0].proto.spec
    assert "Chinese calendar" in fig and "2026-12-12" in fig  # Double 12 marked ahead
    ahead = next(
        d.value for d in at.dataframe if "official" in d.value.columns and "days" in d.value.columns
    )
    assert any("Double 12" in v for v in ahead["days"])
    # the year's holidays: 2026's Spring Festival was worked back on Saturdays 14 and 28
    # February (State Council schedule), each day as the table's date columns write it
    hol_table = next(d for d in at.dataframe if "makeup_workdays" in d.value.columns)
    hol = hol_table.value
    spring = hol[(hol["name"] == "Spring Festival") & (hol["break_start"].astype(str) < "2027")]
    assert spring["makeup_workdays"].tolist() == ["2026-02-14 (Sat), 2026-02-28 (Sat)"]
    # drawn as what they are: dates as dates (not milliseconds since 1970), "official" as a
    # tick box (not "true")
    types = column_types(hol_table)
    assert {types[c] for c in ("break_start", "break_end")} == {"date"}, types
    assert (types["official"], types["days_off"]) == ("checkbox", "number")
    # the make-up days stay on screen; the year and the holiday's rule are in the CSV (the
    # nine columns ran past the expander's edge), the year as "2026", never "2,026"
    assert list(hol.columns) == list(F_UI.HOLIDAYS_SCREEN)
    csv = downloads.frame("chinese-holidays")
    # every CSV header in words (the humanised "Name zh" was named under the table)
    assert {"Year", "Chinese name", "Falls on", "Holiday date"} <= set(
        downloads.headers("chinese-holidays")
    )
    assert not any("official = " in c.value for c in at.caption)  # a tick box, not a flag
    assert {"year", "day", "lunar_date", "makeup_workdays"} <= set(csv.columns)
    row = csv[(csv["name"] == "Spring Festival") & (csv["year"] == "2026")]
    assert row["makeup_workdays"].tolist() == ["2026-02-14 (Sat), 2026-02-28 (Sat)"]
    assert row["lunar_date"].tolist() == ["正月初一 (1st day of the 1st lunar month)"]
    ahead_types = column_types(
        next(d for d in at.dataframe if {"official", "days"} <= set(d.value.columns))
    )
    assert (ahead_types["date"], ahead_types["official"]) == ("date", "checkbox"), ahead_types
    # every year of the days ahead has its holidays listed below them: 元旦 2027 is in the
    # month after the horizon (14 days to 14 December 2026), its year's row was missing
    ahead_years = {d.year for d in ahead["date"]}
    assert ahead_years == {2026, 2027}, ahead_years
    assert ahead_years <= set(pd.to_datetime(hol["break_start"]).dt.year), ahead_years
    # the tick box says what it means ("Official" ticked beside Double 12 puzzled: a shopping
    # day is no official holiday): whether the year's holiday schedule is published
    official = json.loads(hol_table.proto.columns)["official"]
    assert official["label"] == "Schedule published", official
    assert official["help"].startswith("Ticked: the year's public holidays"), official
    assert any("its Schedule published box not ticked" in c.value for c in at.caption)


# --- backtest errors in the metric's unit (money for revenue) -------------------------------

#: 240 days of one order a day, written in euros (ingest reads the currency off the amounts):
#: day i sells 1 + i % 2 units for a net €(100 + 10 i) in all. Revenue rises by €10 a day, so
#: repeating the last week (seasonal naive) over a 14-day horizon is €70 short on days 1-7
#: and €140 short on days 8-14 of every fold: MAE €105, bias -€105, whatever the fold.
EURO_DAYS = 240


def _euro_csv(country: str | None = None) -> bytes:
    """A shop in euros; ``country``: every order's country (none by default)."""
    import pandas as pd

    rows = ["order_id,order_date,customer_id,product_id,product_name,quantity,unit_price"]
    if country:
        rows[0] += ",country"
    for i, d in enumerate(pd.date_range("2025-01-06", periods=EURO_DAYS, freq="D")):
        q = 1 + i % 2
        rows.append(f'O{i},{d.date()},c{i % 5},P1,Lamp,{q},"€{(100 + 10 * i) / q:,.2f}"')
        if country:
            rows[-1] += f",{country}"
    return ("\n".join(rows) + "\n").encode("utf-8")


def _formats(at, column: str) -> dict[str, str]:
    """The NumberColumn format of every column of the first table holding ``column``."""
    element = next(d for d in at.dataframe if column in d.value.columns)
    config = json.loads(element.proto.columns or "{}")
    return {c: config[c].get("type_config", {}).get("format") for c in config}


@pytest.fixture
def headers_sent(monkeypatch):
    """Every download's merchant headers, as the page builds them: {file stem: headers}."""
    from ecomdash.ui import common

    sent: dict[str, list[str]] = {}
    real = common.download_headers

    def spy(df, **kw):
        out = real(df, **kw)
        sent[tuple(df.columns)] = out
        return out

    monkeypatch.setattr(common, "download_headers", spy)
    return sent


def test_backtest_errors_of_a_revenue_forecast_are_money_in_the_shops_currency(
    _isolated_home, headers_sent
):
    from ecomdash.ingest import load_bytes

    res = load_bytes(_euro_csv(), "euro.csv")
    store = Store.open(_isolated_home)
    try:
        info = store.save_dataset("Euro shop", res.lines, report=res.report)
    finally:
        store.close()
    at = run_page("forecast.py", dataset_id=info.id, timeout=180)
    assert not at.exception, at.exception
    # the revenue forecast on arrival: its backtest errors are euros, its scores unitless
    backtest = next(d.value for d in at.dataframe if "coverage80" in d.value.columns)
    naive = backtest.set_index("model").loc[L.model_label("seasonal_naive")]
    assert naive["mae"] == pytest.approx(105.0) and naive["bias"] == pytest.approx(-105.0)
    fmts = _formats(at, "coverage80")
    bt = next(d for d in at.dataframe if "coverage80" in d.value.columns)
    # the bias, -€105, names its euros in the header ("€-105.00" in a cell)
    assert money_shown(bt, "mae") == ("cells", "€") and money_shown(bt, "bias") == ("header", "€")
    assert json.loads(bt.proto.columns)["bias"]["label"] == "Bias (€)"
    assert fmts["mase"] == "%,.2f" and not fmts["mape"].startswith("€")
    # the forecast table and the downloads say euros in their headers; numbers stay numbers
    fc = next(d for d in at.dataframe if "hi80" in d.value.columns)
    assert money_shown(fc, "mean")[1] == "€"
    folds = next(h for cols, h in headers_sent.items() if "fold" in cols)
    assert "Actual (€)" in folds and "Forecast (€)" in folds
    # the units forecast of the same shop: plain numbers, no currency anywhere in the table
    at.selectbox(key="fc_metric").set_value("units")
    headers_sent.clear()
    _button(at, "Run").click()
    at.run()
    assert not at.exception, at.exception
    fmts = _formats(at, "coverage80")
    assert fmts["mae"] == fmts["bias"] == "%,.2f"
    assert not any("€" in (f or "") for f in fmts.values())
    assert _formats(at, "hi80")["mean"] == "%,.2f"
    folds = next(h for cols, h in headers_sent.items() if "fold" in cols)
    assert "Actual" in folds and not any("€" in h for h in folds)
    # many products: units by default (plain numbers); a revenue run's errors are euros
    many = next(h for cols, h in headers_sent.items() if "auto_mae" in cols)
    assert {"Automatic choice error (MAE)", "Seasonal naive error (MAE)", "Forecast total"} <= set(
        many
    )
    at.selectbox(key="many_metric").set_value("revenue")
    [b for b in at.button if b.label == "Run"][1].click()
    at.run()
    assert not at.exception, at.exception
    many_el = next(d for d in at.dataframe if "forecast_total" in d.value.columns)
    assert money_shown(many_el, "forecast_total")[1] == "€"
    many = next(h for cols, h in headers_sent.items() if "auto_mae" in cols)
    assert "Automatic choice error (MAE) (€)" in many
    assert "Seasonal naive error (MAE) (€)" in many and "Automatic choice MASE" in many


def test_calendar_gain_quotes_the_backtest_errors_in_euros(_isolated_home):
    from ecomdash import calendar_cn as CN
    from ecomdash.ingest import load_bytes

    # a shop selling in China (the calendar is offered only where it applies), in euros
    res = load_bytes(_euro_csv("China"), "euro.csv")
    store = Store.open(_isolated_home)
    try:
        info = store.save_dataset("Euro shop", res.lines, report=res.report)
        lines = store.load_lines(info.id)
    finally:
        store.close()
    at = run_page("forecast.py", dataset_id=info.id, timeout=180)
    at.multiselect(key="fc_calendar").set_value(list(CN.FEATURES))
    _button(at, "Run").click()
    at.run()
    assert not at.exception, at.exception
    s = F.build_series(lines, metric="revenue", freq="D", future_periods=14)
    core = F.forecast(s, horizon=14, folds=8, calendar=tuple(CN.FEATURES))
    bt = core.backtest.set_index("model")["mae"]
    short = L.model_label("ets", short=True)
    gain = next(t.value for t in at.text if t.value.startswith(f"{short}: backtest MAE"))
    assert f"backtest MAE €{bt['ets']:,.2f} without" in gain, gain
    assert f"€{bt['ets_cal']:,.2f} with it" in gain, gain
    # the change as the app writes a share: "(12 % lower)", never "(12% lower)"
    gain_share = 1 - bt["ets_cal"] / bt["ets"]
    word = "lower" if gain_share >= 0 else "higher"
    assert gain.endswith(f"with it ({fmt.pct(abs(gain_share), 0, lang='en')} {word})."), gain
