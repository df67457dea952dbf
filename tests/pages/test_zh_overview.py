"""The Overview page in Chinese (issue 16) on the Chinese demo merchant: tiles in 万 checked
against the KPIs formatted by hand, the period comparison in Chinese, every switch exercised,
no English left (table headers aside: ecomdash/labels.py, the frame's)."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from ecomdash.filters import Filters
from ecomdash.i18n import use_lang
from ecomdash.kpis import compute_kpis
from ecomdash.store import Store
from tests.pages.conftest import ROOT, run_page
from tests.pages.test_overview_page import assert_tables_full_width
from tests.pages.zh_walk import english_left

#: the alerts strip's lines: the date, then the rule's name and the reason, which the
#: Alerts page's translation owns (ecomdash/alerts); checked there, and after integration
ALERT_LINE = re.compile(r"^\d{4}年[1-9]\d?月[1-9]\d?日 · ")
#: widget values are stable ids (what is shown is their format_func text, checked as options)
WIDGET_IDS = {"auto", "day", "week", "month", "revenue", "orders", "units"}


@pytest.fixture
def zh_dataset(zh_store):
    return zh_store("演示商户", {"currency": "CNY"})


@pytest.fixture(autouse=True)
def _patient_strip(monkeypatch):
    """The alerts strip waits for its check here, so its own sentences always show."""
    from ecomdash.ui import alerts as alerts_ui

    monkeypatch.setattr(alerts_ui, "STRIP_BUDGET_S", 300.0)


def _kpis(home, dataset_id, filters=None):
    store = Store.open(home)
    try:
        return compute_kpis(store, dataset_id, filters), store.date_range(dataset_id)
    finally:
        store.close()


def _metric(at, label):
    found = [m for m in at.metric if m.label == label]
    assert found, f"no metric {label!r}; have {[m.label for m in at.metric]}"
    return found[0]


def _wan(x: float, symbol: str = "") -> str:
    """万 by hand (not through ecomdash.i18n.fmt), to a tile's three significant figures:
    31,019,007.3 → ¥3,100万 (was ¥3,101.90万), 208,214 → 20.8万, 200,049 → 20万."""
    import math

    w = x / 10_000
    places = 2 - math.floor(math.log10(abs(w)))  # -1 for 3,101.9: tens of 万
    figure = f"{round(w, places):,.{max(places, 0)}f}"
    if "." in figure:  # no zeros after the point: 20.0万 is 20万, 1.50万 1.5万
        figure = figure.rstrip("0").rstrip(".")
    return f"{symbol}{figure}万"


def _day(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _no_english(at):
    alert_lines = {t.value for t in at.text if ALERT_LINE.match(t.value)}
    left = english_left(at, ignore=("table header",), data_values=WIDGET_IDS | alert_lines)
    assert left == [], "\n".join(left)


def _chart_titles(at):
    out = []
    for c in at.get("plotly_chart"):
        t = json.loads(c.proto.spec).get("layout", {}).get("title")
        out.append(t.get("text") if isinstance(t, dict) else t)
    return out


def test_overview_in_chinese_on_the_chinese_demo(zh_dataset, _isolated_home):
    at = run_page("overview.py", dataset_id=zh_dataset.id, lang="zh", timeout=240)
    assert not at.exception, at.exception
    assert at.title[0].value == "概览"
    # the trend table (¥1,208,973.60 a month) at the page's width under its chart: beside it
    # its fifth column, 订单数, was cut in Chromium
    assert_tables_full_width(at)
    k, (lo, hi) = _kpis(_isolated_home, zh_dataset.id)

    # the tiles in 万 / exact, against the core's KPIs formatted by hand
    assert k["revenue"] > 1e7  # a figure that needs 万
    net = _metric(at, "净销售额")
    assert net.value == _wan(k["revenue"], "¥")
    assert f"精确值：¥{k['revenue']:,.2f}。" in net.help
    assert net.help.startswith("总销售额减去退货与取消")
    assert _metric(at, "订单数").value == _wan(k["orders"])
    assert _metric(at, "总销售额").value == _wan(k["gross_sales"], "¥")
    assert _metric(at, "客户").value == f"{k['customers']:,}"  # under 10,000: exact
    assert _metric(at, "客单价").value == f"¥{k['aov']:,.2f}"
    assert _metric(at, "退货率").value == f"{k['return_rate'] * 100:.1f}%"
    assert {"退货与取消", "件数", "新客户", "回头客"} <= {m.label for m in at.metric}

    # the period in Chinese dates; all time: nothing earlier to compare
    cap = next(c.value for c in at.caption if "至" in c.value)
    assert cap.startswith(f"{_day(lo.date())}至{_day(hi.date())}，没有更早的期间可对比。"), cap
    assert any(i.value.startswith("本期之前没有数据") for i in at.info)
    # all time starts on the data's first day: every customer counts as new, said in Chinese
    said = (
        f"新客户从{_day(lo.date())}（数据的第一天）起计算：在此之前已购买过的客户也算作新客户，"
        "因此本期每位客户都是新客户，本期回头客为\u00a00。"
    )
    assert [c.value for c in at.caption if c.value == said] == [said]
    assert _metric(at, "新客户").help.endswith(said)
    # the alerts strip's own sentences
    assert any(re.search(r"\d+\u00a0条高级别提醒", m.value) for m in at.markdown)
    assert any("打开“异常提醒”页" in c.value for c in at.caption)
    assert [t.label for t in at.tabs] == ["热销商品", "热销品类", "热门国家/地区"]
    assert "热销商品（按净销售额）" in _chart_titles(at)
    # the money charts say yuan: the trend's axis and hovers, the breakdowns' bars
    # (d3's currency after the sign, -¥5,000: charts.money; ¥ in the chart's config)
    from tests.pages.chart_money import money_axis, sent_currency

    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert money_axis(specs[0]["layout"]["yaxis"])
    assert {sent_currency(c) for c in at.get("plotly_chart")} == {"¥"}
    assert {tr["hovertemplate"] for tr in specs[0]["data"]} == {
        "%{y:$,.2f}",
        "%{customdata:$,.2f}",
    }
    assert money_axis(specs[1]["layout"]["xaxis"])
    assert specs[1]["data"][0]["hovertemplate"].startswith("%{y}<br>净销售额\u00a0%{x:$,.2f}<br>")
    assert [b.label for b in at.get("download_button")][0] == "下载 CSV"
    grain = at.button_group(key="ov_grain")
    # "趋势粒度" (granularity) was BI jargon; "趋势按 日 / 周 / 月" reads as "trend by day"
    assert grain.label == "趋势按" and list(grain.options) == ["自动", "日", "周", "月"]
    assert grain.help == "自动：两个月以内按日，一年以内按周，更长按月。"
    # the monthly trend table's rows read as months, 2024-12, under 月份
    trend = json.loads(next(d for d in at.dataframe if "period" in d.value.columns).proto.columns)
    assert trend["period"]["label"] == "月份"
    assert trend["period"]["type_config"]["format"] == "YYYY-MM"
    _no_english(at)

    # the switches: by week, then the orders trend (AppTest calls the widgets' format_func
    # in the test's thread: it runs in the page's language there too)
    with use_lang("zh"):
        grain.set_value("week").run()
        assert not at.exception, at.exception
        assert "净销售额（按周）" in _chart_titles(at)
        at.radio(key="ov_metric").set_value("orders").run()
    assert not at.exception, at.exception
    assert "订单数（按周）" in _chart_titles(at)
    assert at.radio(key="ov_metric").options == ["净销售额", "订单数"]
    _no_english(at)

    # the same page in English is unchanged (the language is per run, the cache per language)
    at = run_page("overview.py", dataset_id=zh_dataset.id, lang="en", timeout=240)
    assert not at.exception, at.exception
    # three significant figures (34,496,946.60 → 34.5M; it read 34.50M)
    assert _metric(at, "Net revenue").value.endswith(f"{k['revenue'] / 1e6:,.3g}M")
    assert any(
        f"{lo.day} {lo:%B %Y} to {hi.day} {hi:%B %Y}, no earlier period" in c.value
        for c in at.caption
    )
    assert any("There is no data before this period" in i.value for i in at.info)


def test_period_comparison_in_chinese(zh_dataset, _isolated_home):
    """A 60-day period starting 30 days after the first order: the previous 60 days start
    before the first order, so only 30 of them have data (said in Chinese); the totals are not
    compared with them (their change read +100 %-ish: the missing month), the per-order figures
    and the return rate are."""
    _, (lo, _hi) = _kpis(_isolated_home, zh_dataset.id)
    start = lo.date() + timedelta(days=30)
    f = Filters(start=start, end=start + timedelta(days=59))
    prev = f.previous_period()
    k, _ = _kpis(_isolated_home, zh_dataset.id, f)
    before, _ = _kpis(_isolated_home, zh_dataset.id, prev)

    at = AppTest.from_file(str(ROOT / "pages" / "overview.py"), default_timeout=240)
    at.session_state["dataset_id"] = zh_dataset.id
    at.session_state["filters"] = f
    at.query_params["lang"] = "zh"
    at.run()
    assert not at.exception, at.exception
    cap = next(c.value for c in at.caption if "对比" in c.value)
    # the earlier period is named as what it is: the same number of days just before
    assert cap.startswith(
        f"{_day(f.start)}至{_day(f.end)}（60\u00a0天），对比此前的\u00a060\u00a0天："
        f"{_day(prev.start)}至{_day(prev.end)}。计算用时："
    ), cap
    net = _metric(at, "净销售额")
    assert net.value == _wan(k["revenue"], "¥")
    assert k["revenue"] / before["revenue"] > 1.8  # against 30 days of data: "+100 %"
    assert not net.delta and "数字下方的变化" not in net.help
    assert not _metric(at, "订单数").delta and not _metric(at, "客户").delta
    assert any(
        c.value.startswith("因此净销售额、订单数、客户数等总量不与其对比") for c in at.caption
    )
    aov = _metric(at, "客单价")
    assert aov.delta == f"{(k['aov'] - before['aov']) / before['aov'] * 100:+.1f}%"
    assert f"数字下方的变化：与{_day(prev.start)}至{_day(prev.end)}相比。" in aov.help
    # a rate's change in percentage points, not a percentage of the rate
    rate = _metric(at, "退货率")
    points = (k["return_rate"] - before["return_rate"]) * 100
    assert rate.delta == f"{points:+.1f}\u00a0个百分点"
    assert rate.help.endswith(
        f"变化按百分点计算：上一期为\u00a0{before['return_rate'] * 100:.2f}%，"
        f"本期为\u00a0{k['return_rate'] * 100:.2f}%。"
    )
    assert any(
        i.value
        == f"上一期（{_day(prev.start)}至{_day(prev.end)}）开始于数据中的首次购买（{_day(lo.date())}）"
        "之前，因此只有部分期间有数据。"
        for i in at.info
    ), [i.value for i in at.info]
    assert "净销售额（按日）" in _chart_titles(at)  # 60 days: by day
    _no_english(at)


def _seed_csv(home, csv: bytes, name: str):
    from ecomdash.ingest import load_bytes

    res = load_bytes(csv, f"{name}.csv")
    store = Store.open(home)
    try:
        return store.save_dataset(name, res.lines, report=res.report, mapping=res.mapping.as_dict())
    finally:
        store.close()


def test_overview_without_prices_in_chinese(_isolated_home):
    """A till log without prices: the counts' tiles, note, charts and tabs in Chinese."""
    from tests.degraded_fixtures import till_log

    df, truth = till_log()
    info = _seed_csv(_isolated_home, df.to_csv(index=False).encode(), "till")
    at = run_page("overview.py", dataset_id=info.id, lang="zh", timeout=240)
    assert not at.exception, at.exception
    assert _metric(at, "订单数").value == f"{truth['orders']:,}"
    assert _metric(at, "每单件数").value == f"{truth['units'] / truth['orders']:.2f}"
    assert _metric(at, "每单件数").help == (
        f"件数除以订单数。精确值：{truth['units'] / truth['orders']:,.2f}。"
    )
    assert any(i.value.startswith("该数据集没有价格或金额列") for i in at.info)
    titles = _chart_titles(at)
    assert "最繁忙的日期和时段（订单数）" in titles
    assert "热销商品（按件数）" in titles
    with use_lang("zh"):
        at.radio(key="ov_count_metric").set_value("units").run()
    assert not at.exception, at.exception
    assert at.radio(key="ov_count_metric").options == ["订单数", "件数"]
    _no_english(at)


def test_overview_on_summed_sales_in_chinese(_isolated_home):
    """Summed sales (totals per store and department): the caption, event dates, tabs."""
    from tests.summed_fixtures import to_csv_bytes, walmart_like

    info = _seed_csv(
        _isolated_home, to_csv_bytes(walmart_like(stores=4, depts=6, weeks=60, seed=3)), "walmart"
    )
    at = run_page("overview.py", dataset_id=info.id, lang="zh", timeout=240)
    assert not at.exception, at.exception
    assert [t.label for t in at.tabs] == ["热门门店/地点", "热销品类"]
    assert any(c.value.startswith("汇总销售数据") for c in at.caption)
    assert any(
        re.fullmatch(r"文件的标记列中有\u00a0\d+\u00a0个事件日期（节假日、促销）。", c.value)
        for c in at.caption
    )
    assert "事件（文件标记）" in [
        tr.get("name")
        for c in at.get("plotly_chart")
        for tr in json.loads(c.proto.spec).get("data", [])
    ]
    _no_english(at)
