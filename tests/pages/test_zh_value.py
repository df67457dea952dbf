"""The Customer value page in Chinese on the Chinese demo merchant: the checklist, the form and
every tab (cohort views, lifetime value, churn, the at-risk list) with no English left (table
headers and labels.py's model names aside: they are the frame's)."""

from __future__ import annotations

import json

import pytest

from ecomdash import labels as L
from ecomdash import schema
from ecomdash.cohorts import cohorts
from ecomdash.store import Store
from tests.pages.conftest import run_page
from tests.pages.zh_frame_owned import area_english_left


@pytest.fixture
def zh_dataset(zh_store):
    return zh_store("演示商户")


def _frame(at, *columns):
    return next(d.value for d in at.dataframe if set(columns) <= set(d.value.columns))


def _chart_titles(at) -> list[str]:
    out = []
    for c in at.get("plotly_chart"):
        t = json.loads(c.proto.spec).get("layout", {}).get("title")
        out.append(t.get("text", "") if isinstance(t, dict) else str(t or ""))
    return out


def _left(at) -> list[str]:
    # the next-order column's label (labels.py, the frame's) is quoted in a caption
    return area_english_left(at, frame_texts=(L.label("next_order_date", "value"),))


def test_customer_value_page_in_chinese(zh_dataset):
    at = run_page("customer_value.py", dataset_id=zh_dataset.id, lang="zh", timeout=300)
    assert not at.exception, at.exception
    assert at.title[0].value == "客户价值"
    assert [t.label for t in at.tabs] == [
        "同期群",
        "客户生命周期价值",
        "流失风险",
        "行动：流失风险客户",
    ]
    checks = _frame(at, "check", "needed")
    assert checks["check"].iloc[0] == "可识别客户的行"
    assert set(checks["ok"]) <= {"是", "否"}
    labels = {m.label for m in at.metric}
    assert {"已评分客户", "12\u00a0个月预期购买次数", "把流失客户排在留存客户之前的比例"} <= labels
    assert "同期群活跃占比" in _chart_titles(at)
    assert any(t.startswith("影响预测的因素") for t in _chart_titles(at))
    imp = next(
        json.loads(c.proto.spec)["data"][0]
        for c in at.get("plotly_chart")
        if "影响预测的因素" in json.dumps(json.loads(c.proto.spec)["layout"], ensure_ascii=False)
    )
    assert "距上次下单天数" in imp["y"]  # churn features by name, in Chinese
    assert at.radio(key="value_cohort_view").options == [
        "同期群活跃占比",
        "活跃客户数",
        "同期群销售额",
        "每位客户累计销售额（LTV 曲线）",
    ]
    assert _left(at) == []

    # every cohort view
    for view in ("customers", "revenue", "cumulative_revenue_per_customer"):
        at.radio(key="value_cohort_view").set_value(view).run(timeout=300)
        assert not at.exception, at.exception
        assert _left(at) == []
        if view == "customers":  # colours scaled to the cohorts after the first: said so
            assert any("颜色按其他同期群的数值设定，便于相互比较：" in c.value for c in at.caption)
    assert "LTV 曲线：每位客户的累计销售额" in _chart_titles(at)

    # the form: a 6-month horizon, a 60-day window, no gradient boosting; Run
    at.selectbox[0].set_value(6)
    at.number_input[0].set_value(60)
    next(c for c in at.checkbox if c.label == "包含梯度提升模型").uncheck()
    next(b for b in at.button if b.label == "运行").click()
    at.run(timeout=300)
    assert not at.exception, at.exception
    assert "6\u00a0个月预期价值" in {m.label for m in at.metric}
    assert any(c.value.startswith("用截至") and "60\u00a0天" in c.value for c in at.caption)
    assert _left(at) == []

    # the win-back toggle on: only the repeat buyers likely to lapse
    toggle = at.toggle(key="value_winback_only")
    assert toggle.label.startswith("只看召回名单")
    toggle.set_value(True).run(timeout=300)
    assert not at.exception, at.exception
    assert _left(at) == []


def test_the_checklist_and_cohorts_are_the_same_in_both_languages(zh_dataset, _isolated_home):
    zh = run_page("customer_value.py", dataset_id=zh_dataset.id, lang="zh", timeout=300)
    en = run_page("customer_value.py", dataset_id=zh_dataset.id, lang="en", timeout=300)
    assert not zh.exception and not en.exception
    zc, ec = _frame(zh, "check", "needed"), _frame(en, "check", "needed")
    assert zc["found"].iloc[1:].tolist() == ec["found"].iloc[1:].tolist()  # counts as numbers
    assert zc["ok"].map({"是": True, "否": False}).tolist() == ec["ok"].eq("yes").tolist()
    assert ec["check"].iloc[0] == "Sale lines with a customer id"
    zs, es = _frame(zh, "m0"), _frame(en, "m0")
    assert zs["customers"].tolist() == es["customers"].tolist()
    # the data's first month: marked, and a caption names the day the data starts
    store = Store.open(_isolated_home)
    try:
        co = cohorts(schema.customer_sales(store.load_lines(zh_dataset.id)))
    finally:
        store.close()
    first, day = str(co.before_data_cohort), co.first_day
    assert first == str(co.sizes.index[0])
    assert sum(co.before_data) == 1  # the first month, marked in the row label
    assert zs["cohort"].tolist() == [f"{first} · 含更早的老客户"] + [
        str(m) for m in co.sizes.index[1:]
    ]
    assert es["cohort"].tolist() == [f"{first} · incl. earlier customers"] + [
        str(m) for m in co.sizes.index[1:]
    ]
    assert any(
        # the cohort's month written long, no space next to the Chinese (2025年3月同期群)
        f"所显示的数据从{day.year}年{day.month}月{day.day}日开始，因此{day.year}年{day.month}月"
        "同期群包含当月购买的所有客户，其中也有在此之前就已在购买的老客户" in c.value
        for c in zh.caption
    ), [c.value for c in zh.caption]
    assert any(
        f"The data shown starts on {day.day} {day:%B %Y}, so the {day:%B %Y} cohort holds every "
        "customer who bought that month, including those already buying before then" in c.value
        for c in en.caption
    ), [c.value for c in en.caption]
    # the share view's colours: from 0 to the most active later month, said in Chinese
    top = co.retention.iloc[1:, 1:].max().max()
    assert any(
        f"颜色按\u00a00 到\u00a0{top * 100:.1f}%（之后各月中最高的活跃占比）着色" in c.value
        for c in zh.caption
    )
    assert en.title[0].value == "Customer value"


def test_the_value_pages_words_read_as_chinese(zh_dataset):
    """What the page now says in plain words reads in Chinese too: the checklist's headers (no
    "OK") and the models it affects (listed with 、), whole months, the churn tiles' help, the
    buyers' column, the repeat purchase days and the at-risk list's usual gap."""
    from tests.pages.conftest import displayed_frame

    at = run_page("customer_value.py", dataset_id=zh_dataset.id, lang="zh", timeout=300)
    assert not at.exception, at.exception
    table = next(d for d in at.dataframe if "needed" in d.value.columns)
    checks = displayed_frame(table)
    assert list(checks.columns) == ["检查项", "通过", "实际", "要求", "影响"]
    assert checks["影响"].iloc[2] == "客户生命周期价值模型"
    assert checks["实际"].iloc[3] == "24"  # 729 days: whole months
    tiles = {m.label: m.proto.help for m in at.metric}
    assert "50% 相当于随机猜测，100% 为完美" in tiles["把流失客户排在留存客户之前的比例"]
    assert tiles["风险最高的\u00a010% 中流失的比例"].startswith(
        "在模型评为流失风险最高的\u00a010% 客户中"
    )
    models = displayed_frame(next(d for d in at.dataframe if "auc" in d.value.columns))
    assert "购买可能性最高\u00a010% 中的购买者比例" in models.columns
    assert "风险前\u00a010% 中流失的比例" in models.columns
    clv = displayed_frame(next(d for d in at.dataframe if "p_alive" in d.value.columns))
    assert "复购天数" in clv.columns and "订单数" not in clv.columns
    risk = displayed_frame(next(d for d in at.dataframe if "value_at_risk" in d.value.columns))
    assert "通常下单间隔天数" in risk.columns
    assert any(
        "因此，平时下单间隔超过\u00a090\u00a0天的客户（通常下单间隔天数）即使刚下过单，流失风险也会很高。"
        in c.value
        for c in at.caption
    )
    # the Chinese demo's calibration check misses by 3.6 %: no sentence on where a miss
    # comes from (it needs 10 %); the sentence itself in Chinese
    assert not any("占预测与实际之差的" in c.value for c in at.caption)
    from ecomdash.i18n import use_lang
    from ecomdash.ui.value_views import largest_miss_text

    miss = {"frequency": "0", "customers": 3677, "predicted": 0.573, "actual": 0.097}
    with use_lang("zh"):
        assert largest_miss_text({**miss, "share": 0.733}) == (
            "偏差主要来自一组客户：截止日期前没有再次购买的客户（3,677\u00a0位）占预测与实际之差的\u00a073%。"
            "模型预计他们在验证期内平均各有\u00a00.57\u00a0个购买日，实际为\u00a00.10\u00a0个。"
        )
        assert largest_miss_text({**miss, "frequency": "7+", "share": 0.3}).startswith(
            "偏差中最大的一块：截止日期前复购天数为\u00a07+ 的客户（3,677\u00a0位）占预测与实际之差的\u00a030%。"
        )
    assert _left(at) == []
