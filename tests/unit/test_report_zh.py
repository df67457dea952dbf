"""The stakeholder report in Chinese (issue 17's --lang zh): headings, verdicts, KPI names and
table headers from the catalogue, <html lang="zh-CN">, still self-contained and escaped."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from html import escape

import pytest

from ecomdash.cli import main
from ecomdash.i18n import fmt
from ecomdash.kpis import compute_kpis
from ecomdash.report import SECTIONS, build_report, render_html
from ecomdash.store import Store
from tests.unit.test_report import _parse

FAST = tuple(s for s in SECTIONS if s.key in ("kpis", "trend", "top_products", "basket"))
#: A dataset name with markup: it must show as text in the Chinese report as in the English one.
EVIL_NAME = '示例<script>alert("x")</script>商家'


@pytest.fixture(scope="module")
def zh_lines(demo_zh_merchant):
    return demo_zh_merchant.lines  # demo_zh.generate(7), once per worker (tests/conftest.py)


@pytest.fixture(scope="module")
def zh_store(tmp_path_factory, zh_lines):
    lines = zh_lines
    store = Store.open(tmp_path_factory.mktemp("report_zh"))
    info = store.save_dataset(
        EVIL_NAME,
        lines,
        report={"rows_read": len(lines), "rows_kept": len(lines), "currency": "CNY"},
        source="generated",
    )
    yield store, info
    store.close()


@pytest.fixture(scope="module")
def zh_report(zh_store):
    store, info = zh_store
    rep = build_report(store, info.id, sections=FAST, lang="zh")
    return rep, render_html(rep)


def test_chinese_headings_verdicts_and_kpi_names(zh_report, zh_store):
    rep, html = zh_report
    assert re.search(r'<html lang="zh-CN">', html)
    assert [s.title for s in rep.sections] == ["核心指标", "趋势", "热销商品", "经常一起购买的商品"]
    for title in ("核心指标", "趋势", "热销商品", "经常一起购买的商品", "目录"):
        assert f">{title}<" in html, title
    assert "效果如何：" in html or "关于这些数字：" in html
    kpis = rep.sections[0]
    assert [m.label for m in kpis.metrics][:3] == ["净销售额", "订单数", "客单价"]
    assert "按您的订单行精确汇总，不涉及模型。" in kpis.verdict
    # the figures are the store's own, formatted with no space before %
    store, info = zh_store
    k = compute_kpis(store, info.id)
    assert kpis.metrics[1].value == f"{k['orders']:,}"
    # money in the dataset's currency (CNY), in 万 as the Chinese app's tiles, exact on hover
    assert kpis.metrics[0].value == fmt.compact(k["revenue"], symbol="¥", lang="zh")
    assert kpis.metrics[0].value.endswith("万")  # three significant figures: ¥3,450万
    assert kpis.metrics[0].exact == f"¥{k['revenue']:,.2f}"
    assert kpis.metrics[4].value == f"{k['return_rate'] * 100:.1f}%"
    # table headers from the label catalogue
    assert "<th>商品 ID</th><th>商品</th>" in html and '<th class="num">净销售额</th>' in html
    # the report's own English sentences are gone (core warnings aside; plotly.js is English)
    text = re.sub(r"<script>.*?</script>", "", html, flags=re.S)
    for english in (
        "Headline figures",
        "How good:",
        "About these figures:",
        "Contents",
        "Top products",
    ):
        assert english not in text, english


def test_chinese_report_is_self_contained_and_escaped(zh_report):
    rep, html = zh_report
    tags = _parse(html)
    assert EVIL_NAME not in html  # never as markup
    assert escape(EVIL_NAME) in html  # but shown, as text
    for tag, attrs in tags.tags:
        assert tag not in ("link", "iframe", "img", "object", "embed"), tag
        for name in ("src", "href", "action", "srcset", "poster", "data"):
            value = attrs.get(name)
            if value is not None:
                assert value.startswith("#"), (tag, name, value)
    n_fig = sum(len(s.figures) for s in rep.sections)
    assert [t for t, _ in tags.tags].count("script") == 1 + n_fig


def test_english_report_is_unchanged_by_a_chinese_one(zh_report, zh_store):
    store, info = zh_store
    rep = build_report(store, info.id, sections=FAST[:1], lang="en")
    html = render_html(rep)
    assert '<html lang="en">' in html
    assert rep.sections[0].title == "Headline figures"
    assert rep.sections[0].metrics[0].label == "Net revenue"
    assert ">Contents<" in html and "核心指标" not in html
    assert "1 section; built in" in html  # one section: not "1 sections"


def test_a_cut_tables_note_is_in_the_reports_language():
    import pandas as pd

    from ecomdash.i18n import use_lang
    from ecomdash.report.model import Table
    from ecomdash.report.render import table_html

    t = Table("Top products", pd.DataFrame({"x": range(1234)}), note="Sorted by revenue.")
    with use_lang("en"):
        en = table_html(t, max_rows=20)
    with use_lang("zh"):
        zh = table_html(t, max_rows=20)
    assert "First 20 of 1,234 rows; the app has the full list. Sorted by revenue." in en
    assert (
        "仅显示\u00a01,234\u00a0行中的前\u00a020\u00a0行；完整列表请在应用中查看。Sorted by revenue."
        in zh
    )


def test_cli_report_lang_zh(zh_lines, _isolated_home, tmp_path):
    store = Store.open(_isolated_home)  # the CLI's store: ECOMDASH_HOME of this test
    try:
        info = store.save_dataset("示例商家", zh_lines, source="generated")
    finally:
        store.close()
    out = tmp_path / "r.html"
    assert main(["report", "--dataset", info.id, "--lang", "zh", "--out", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert '<html lang="zh-CN">' in html and ">销售额预测<" in html and ">客户分群<" in html


def test_a_sections_warnings_and_verdict_notes_come_out_in_the_reports_language(zh_store):
    """Analyses carry their warnings as Notes (English until shown): build_section renders
    them in the report's language, so a Chinese report has no English warning."""
    from types import SimpleNamespace

    from ecomdash.i18n import N_, use_lang
    from ecomdash.i18n.note import note
    from ecomdash.labels import Display
    from ecomdash.report import build_section
    from ecomdash.report.model import Section, SectionSpec

    warn = note(
        N_(
            "No stock levels given: reorder points are shown, but days of cover, "
            "stock-out dates and order quantities need your current stock (upload or "
            "type it in)."
        )
    )

    def build(data):
        return Section("restock", "Restock", warn, "warn", ("plain text", warn))

    data = SimpleNamespace(
        columns=(),
        info=SimpleNamespace(report={}, is_demo=False),
        store=zh_store,
        display=Display(),
    )
    spec = SectionSpec("restock", "Restock", build)
    with use_lang("en"):
        en = build_section(spec, data)
    with use_lang("zh"):
        zh = build_section(spec, data)
    assert en.verdict == str(warn) and en.text == ("plain text", str(warn))
    assert re.search("[\u4e00-\u9fff]", zh.verdict) and zh.verdict != str(warn)
    assert zh.text[0] == "plain text" and zh.text[1] == zh.verdict


def test_chinese_alerts_section_names_a_skipped_rule_in_chinese(zh_store):
    """'Negative margin' needs unit costs the report has none of: the note names the rule
    by its Chinese name, as the Alerts page does."""
    store, info = zh_store
    alerts = tuple(s for s in SECTIONS if s.key == "alerts")
    rep = build_report(store, info.id, sections=alerts, lang="zh")
    notes = rep.sections[0].text
    assert "规则“负毛利”未运行（需要单位成本：尚未提供）。" in notes, notes
    assert not any("Negative margin" in n for n in notes)
    # the table's severities and rules in Chinese; a day or week has no time, an order HH:MM
    t = rep.sections[0].tables[0].frame
    assert set(t["严重程度"]) <= {"高", "中"} and "异常日" in set(t["规则"]), t
    assert t["时间"].str.fullmatch(r"\d{4}年\d{2}月\d{2}日( \d{2}:\d{2})?").all(), t["时间"]
    whole = t["规则"].isin(["异常日", "异常周", "退货激增"])
    assert whole.any() and (t.loc[whole, "时间"].str.len() == 11).all()
    assert (t.loc[~whole, "时间"].str.len() == 17).all()


def test_chinese_pricing_section_splits_own_and_category_elasticities(zh_store):
    """The count of products with an elasticity says how many are their own and how many
    their category's (it counted both as one), in Chinese."""
    from ecomdash import pricing as P

    store, info = zh_store
    pricing = tuple(s for s in SECTIONS if s.key == "pricing")
    rep = build_report(store, info.id, sections=pricing, lang="zh")
    status = P.analyze(store.product_week_prices(info.id, lean=True)).products["status"]
    n_own, n_cat = int((status == "estimated").sum()), int((status == "category").sum())
    assert n_own > 0 and n_cat > 0
    line = (
        f"{n_own + n_cat:,}\u00a0个商品有价格弹性：{n_own:,}\u00a0个是自身的，来自其价格变化；"
        f"{n_cat:,}\u00a0个借用所属品类的，因为只以一个价格卖过；"
    )
    assert rep.sections[0].text[0].startswith(line), rep.sections[0].text


def test_report_shares_are_written_as_the_app_writes_them():
    from ecomdash.i18n import use_lang
    from ecomdash.report.render import _cell

    with use_lang("en"):
        assert _cell(0.5, "{:.0%}") == ("50\u00a0%", True)
        assert _cell(0.1234, "{:.1%}") == ("12.3\u00a0%", True)
        assert _cell(1234.5, "{:,.0f}") == ("1,234", True)  # not a share: unchanged
    with use_lang("zh"):
        assert _cell(0.5, "{:.0%}") == ("50%", True)


# -- no English left in the Chinese sections' verdicts and tables (reportread) ------------------
READ = tuple(
    s for s in SECTIONS if s.key in ("trend", "forecast", "segments", "recommend", "clv", "churn")
)


@pytest.fixture(scope="module")
def zh_read(zh_store):
    store, info = zh_store
    rep = build_report(store, info.id, sections=READ, lang="zh")
    return {s.key: s for s in rep.sections}, render_html(rep)


def test_chinese_trend_names_its_best_month_not_its_first_day(zh_read, zh_store):
    from ecomdash.report.data import ReportData

    secs, _html = zh_read
    store, info = zh_store
    res = ReportData.open(store, info.id).overview()
    assert res.grain == "month"  # two years of data: by month
    best = res.trend.loc[res.trend["revenue"].idxmax(), "period"]
    (text,) = secs["trend"].text
    # "最佳月：2026年11月" — not "2026年11月1日", which reads as one day's revenue
    assert text.startswith(f"最佳月：{best.year}年{best.month}月，"), text
    assert "日" not in text.split("，")[0], text
    # its revenue in whole yuan (half up), never to the fen: "净销售额\u00a0¥1,234,567，"
    best_revenue = res.trend["revenue"].max()
    yuan = Decimal(repr(float(best_revenue))).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    assert f"净销售额\u00a0¥{yuan:,}，" in text, text


def test_chinese_forecast_verdict_has_no_english(zh_read):
    secs, _html = zh_read
    v = secs["forecast"].verdict
    # the core's verdict (a Note) in Chinese: "回测中，… 比重复上一周期（季节性朴素法）好 31%。"
    assert "better than" not in v and "backtest" not in v, v
    assert v.startswith("回测中，"), v
    assert "。回测\u00a08\u00a0折：MASE" in v, v  # no space after the full stop


def test_chinese_segment_table_has_no_english(zh_read):
    secs, html = zh_read
    seg = secs["segments"].tables[0].frame
    assert "核心客户" in set(seg["segment"]) and "Champions" not in set(seg["segment"])
    assert not seg["action"].str.contains(r"[A-Za-z]{3,}").any(), seg["action"].tolist()
    assert "<td>核心客户</td>" in html and "Champions" not in html


def test_chinese_segments_verdict_leads_with_plain_words(zh_read):
    """The segments box in Chinese: what the clusters mean first, the k-means figures after
    it in brackets (it opened with "7 个 K 均值聚类，轮廓系数 0.40")."""
    v = str(zh_read[0]["segments"].verdict)
    assert re.fullmatch(
        r"下过至少两单的客户可分为\u00a0\d+\u00a0个(界限分明|大体分明|相互重叠较多)的聚类，几条易读的规则能把"
        r"其中\u00a0[\d.]+% 的客户归入各自的聚类（\d+\u00a0个 K 均值聚类，轮廓系数\u00a0\d\.\d\d：区分"
        r"(明显|尚可|较弱)；规则的目标为\u00a0\d+%）。",
        v,
    ), v


def test_chinese_recommend_table_names_its_models_in_chinese(zh_read):
    secs, html = zh_read
    # the recommend table's models named in Chinese by the catalogue, as on the page
    assert "<td>相似客户的购买</td>" in html, html.count("Similar")
    assert "Similar customers' purchases" not in html and "Popularity (best sellers)" not in html


def test_chinese_value_and_churn_sentences_read_as_chinese(zh_read):
    secs, html = zh_read
    v = secs["clv"].verdict
    # "实际为 13,762 次，预测偏差 -3.6%（较实际）。", not "（-3.6%（较实际））", a bracket in a bracket
    assert re.search(r"实际为\u00a0[\d,]+\u00a0次，预测偏差\u00a0[+-]\d+\.\d%（较实际）。$", v), v
    assert "））" not in v
    # the churn table's note says what value at risk is, not "sorted by value at risk = ..."
    note = secs["churn"].tables[1].note
    assert note == "按风险价值排序（风险价值 = 最近\u00a012\u00a0个月消费 × 流失概率）。", note


def test_chinese_footer_has_no_space_after_a_full_stop(zh_report):
    _rep, html = zh_report
    footer = re.search(r"<footer>(.*?)</footer>", html, flags=re.S).group(1)
    assert re.search(r"秒。每节的结论", footer), footer  # was "秒。 每节"
    assert "。 " not in footer, footer


def test_chinese_money_charts_say_yuan_and_the_forecast_has_a_title(zh_read, zh_report):
    """The Chinese report's money charts carry ¥ on the axis and in the hovers, the forecast
    chart a Chinese title; the headline sends no reader to a sidebar."""
    from tests.unit.test_report import _money_figure

    secs, _html = zh_read
    assert not _money_figure(secs["trend"].figures[0], "yaxis", "¥")
    fc = secs["forecast"].figures[0]
    assert not _money_figure(fc, "yaxis", "¥")
    assert fc.layout.title.text == "每日净销售额及未来\u00a014\u00a0天的预测"
    # d3's currency, after the sign (charts.money: -¥5,000)
    assert any("预测\u00a0%{y:$,.0f}" in (tr.hovertemplate or "") for tr in fc.data)
    rep, _html = zh_report
    (kpis,) = [s for s in rep.sections if s.key == "kpis"]
    assert not [t for t in kpis.text if "侧边栏" in t], kpis.text
    assert "没有等长的更早数据可供对比" in kpis.verdict


def test_chinese_customer_value_tables_are_whole_yuan(zh_read):
    from tests.unit.test_report import _table_rows

    _secs, html = zh_read
    for caption in ("按预测价值排名的客户", "最值得挽留的客户"):
        cells = [r[1] for r in _table_rows(html, caption)]
        assert cells and all(re.fullmatch(r"¥\d{1,3}(,\d{3})*", c) for c in cells), cells


def test_chinese_restock_verdict_leads_with_the_homes_plain_words(zh_store):
    """The restock verdict opens with what the Home says in plain words (the share by which
    the forecasts missed less than repeating last year's weeks), then the MASE figures; in
    Chinese, with no English left."""
    from ecomdash.i18n import use_lang
    from ecomdash.report.data import ReportData
    from ecomdash.report.sections.stock import restock

    store, info = zh_store
    with use_lang("zh"):
        v = str(restock(ReportData.open(store, info.id), top=5).verdict)
    # more, less or about as much as the naive forecast: the Home's words, whichever they are
    # on this demo (its daily orders vary as a real shop's, and the forecasts do about as well)
    assert re.match(
        r"在过去几周上检验，这些商品预测的误差(比照搬去年同期各周[少多]|与照搬去年同期各周大致相同)",
        v,
    ), v
    assert "（5\u00a0个商品的每周件数预测已回测：MASE 中位数\u00a0" in v, v
    assert not re.search(r"[A-Za-z]{4,}", v.replace("MASE", "")), v
