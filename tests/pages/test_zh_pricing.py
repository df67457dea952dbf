"""The Pricing & promotions page in Chinese on the Chinese demo merchant (issue 16): no English
left apart from table headers (and what other areas own until their branches merge, see
tests/pages/zh_pending.py), the same figures as the English run, every tab and input used."""

from __future__ import annotations

import json
import re
from time import strptime

import numpy as np
import pytest

from ecomdash.i18n import fmt
from tests.pages.conftest import run_page
from tests.pages.downloads import record_downloads
from tests.pages.test_pricing_page import (
    NAMED,
    PRODUCT_CSV,
    STATUS_WORDS,
    categories_fit_the_page,
    figure,
)
from tests.pages.zh_pending import english_in_cells, english_left_here

CJK = re.compile(r"[\u4e00-\u9fff]")
#: a picker's option "陶土花盆 – 25 厘米 (GAR-117)" -> the product id
NAMED_ID = re.compile(r"^.+ \(([A-Z]{3}-\d{3})\)$")
#: the table columns holding sentences and words the page writes (not the merchant's data)
TEXT_CELLS = ("status", "reason", "source", "note", "best_for")


@pytest.fixture
def zh_dataset(zh_store):
    return zh_store("演示商户")


def _names(lines) -> frozenset[str]:
    """The merchant's own texts (product names such as 纸拉旗 – Hearts, ids, categories)."""
    cols = [c for c in ("product_id", "product_name", "category") if c in lines]
    return frozenset(str(v) for c in cols for v in lines[c].dropna().unique())


def _raw(at, column: str):
    """The first table (raw ids as columns) holding ``column``."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_pricing_in_chinese_has_the_english_figures(zh_dataset, zh_lines, monkeypatch):
    downloads = record_downloads(monkeypatch)
    en = run_page("pricing.py", dataset_id=zh_dataset.id, lang="en", timeout=240)
    csv_en = downloads.frame("pricing-elasticities")
    zh = run_page("pricing.py", dataset_id=zh_dataset.id, lang="zh", timeout=240)
    assert not en.exception and not zh.exception, (en.exception, zh.exception)
    # the per-product CSV has every column in both languages, its headers in Chinese
    csv_zh = downloads.frame("pricing-elasticities")
    assert list(csv_zh.columns) == list(csv_en.columns) == PRODUCT_CSV
    # sentences and the status in words: translated; every figure and id the same
    same = [c for c in PRODUCT_CSV if c not in ("reason", "source", "status")]
    assert csv_zh[same].equals(csv_en[same])
    # the status as the table on screen writes it, in each run's language (the Chinese CSV
    # wrote "estimated", "category", "no estimate")
    to_zh = {"estimated": "已估计", "from its category": "按品类估计", "no estimate": "无估计"}
    assert set(csv_en["status"]) <= STATUS_WORDS["en"]
    assert csv_zh["status"].tolist() == csv_en["status"].map(to_zh).tolist()
    # on screen each status is followed by why the product has no own estimate, where it has
    # a reason, in each run's language ("无估计：…"; the reason was a column of its own, empty
    # for every product with its own estimate)
    for at, csv, colon in ((en, csv_en, ": "), (zh, csv_zh, "：")):
        said = [
            f"{s}{colon}{r}" if isinstance(r, str) and r else s
            for s, r in zip(csv["status"], csv["reason"], strict=True)
        ]
        assert _raw(at, "status")["status"].tolist() == said
    assert downloads.headers("pricing-elasticities")[:3] == ["商品 ID", "商品", "品类"]
    assert english_left_here(zh, data_values=_names(zh_lines)) == []
    assert english_in_cells(zh, TEXT_CELLS, data_values=_names(zh_lines)) == []
    assert english_in_cells(en, TEXT_CELLS)  # the same check finds the English run's
    # the what-if without a margin points at the page's margin input, by its Chinese name
    needs = "利润需要成本：请在上方“毛利率（用于计算利润）”中填写毛利率 %。"
    assert any(c.value.replace("\\", "").startswith(needs) for c in zh.caption)
    assert any(e.label == "毛利率（用于计算利润）" for e in zh.expander)
    captions = [c.value for c in zh.caption]
    # the floor is a price, not the markdown's depth (read "降价幅度……最低不低于其有过最低价的 90%")
    assert any("，降价后的价格不低于其有过最低价的\u00a090%。" in c for c in captions), captions
    # the dip is a change in %, as its column shows it (read "同一比值（为负……）": a negative ratio)
    # the minus a hyphen, as the table and fmt write it (it read "−25%", U+2212)
    dip = fmt.pct(-0.25, 0, signed=True, lang="zh")
    assert any(
        f"促销后回落：促销后\u00a02\u00a0周这一水平比促销前变了多少（{dip} = " in c
        for c in captions
    )
    # what units are: kept sales of whole weeks
    assert any(
        c.startswith("件数是每个商品每周（周一至周日）卖出的件数，不含之后被退货取消的销售")
        for c in captions
    )
    # the tiles say what they count by the table's own words
    helps = {m.label: m.proto.help for m in zh.metric}
    assert "状态为“已估计”" in helps["自有弹性"] and "（“状态”一栏）" in helps["无法估计"]

    # the page in Chinese: tabs, tiles, the held-out verdict with the English run's numbers
    assert [t.label for t in zh.tabs] == ["价格弹性", "假设分析", "促销", "降价清仓", "模型检验"]
    assert [t.label for t in en.tabs] == [
        "Elasticities",
        "What-if",
        "Promotions",
        "Markdowns",
        "Validation",
    ]
    for en_label, zh_label in (
        ("Own elasticity", "自有弹性"),
        ("From category", "借用品类"),
        ("No estimate", "无法估计"),
        ("Held-out error vs naive", "验证期误差 / 朴素预测"),
    ):
        assert _metric(zh, zh_label) == _metric(en, en_label)
    verdict_en = next(
        s.value for s in [*en.success, *en.warning] if "held-out product-weeks" in s.value
    )
    verdict_zh = next(s.value for s in [*zh.success, *zh.warning] if "起验证期的" in s.value)
    nums = re.compile(r"\d[\d,]*\.?\d*")
    # the cut-off date, as each language writes it in a sentence, is one figure
    en_date, zh_date = r"(\d{1,2}) ([A-Z][a-z]+) (\d{4})", r"(\d{4})年(\d{1,2})月(\d{1,2})日"
    verdict_en = re.sub(
        en_date, lambda m: f"{m[3]}{strptime(m[2], '%B').tm_mon:02d}{int(m[1]):02d}", verdict_en
    )
    verdict_zh = re.sub(zh_date, lambda m: f"{m[1]}{int(m[2]):02d}{int(m[3]):02d}", verdict_zh)
    # (a figure before a comma, "from 8 June 2026, the…", keeps no comma of the sentence)
    figures_of = lambda text: sorted(n.rstrip(",") for n in nums.findall(text))  # noqa: E731
    assert figures_of(verdict_zh) == figures_of(verdict_en)

    # the elasticities are the same numbers, product by product; reasons and statuses Chinese
    p_en, p_zh = _raw(en, "status"), _raw(zh, "status")
    assert list(p_zh["product_name"]) == list(p_en["product_name"])
    # the table on screen: the same columns a merchant acts on in both languages, within the
    # page (with all 17 it ran past the page's edge, "估计来源" cut in Chinese); the caption
    # names the others, which the CSV holds
    for at in (en, zh):
        assert list(_raw(at, "status").columns) == [
            "product_name",
            "elasticity",
            "status",
            "current_price",
        ]
        element = next(d for d in at.dataframe if "status" in d.value.columns)
        cfg = json.loads(element.proto.columns)
        assert sum(cfg[c]["width"] for c in element.value.columns) <= 820, cfg
    # the per-category table too (856 px of content in an 818 px table in Chinese)
    categories_fit_the_page(en, "en")
    categories_fit_the_page(zh, "zh")
    assert (
        "下载的 CSV 文件还包含这些列：商品 ID、品类、90% 下限、90% 上限、价格档位数、有销售的周数、"
        "无自身估计的原因、估计来源、自身数据价格弹性、最低价、最高价、每周件数（最近\u00a08\u00a0周）、"
        "销售额。"
    ) in [c.value for c in zh.caption]
    np.testing.assert_allclose(p_zh["elasticity"], p_en["elasticity"], equal_nan=True)
    assert (p_en["status"] == "estimated").sum() >= 3  # the demo's planted price changes
    assert set(csv_zh["status"]) <= {"已估计", "按品类估计", "无估计"}
    why = csv_zh["reason"].dropna()
    why = why[why != ""]
    assert len(why) and why.map(lambda t: bool(CJK.search(t))).all()
    one_price = csv_en["reason"].str.startswith("one price in all", na=False)
    assert one_price.any()
    # "one price in all 104 weeks" -> "全部 104 周都是同一个价格", the same number of weeks
    for e, z in zip(csv_en.loc[one_price, "reason"], csv_zh.loc[one_price, "reason"], strict=True):
        own, _sep, cat = e.partition("; its category's estimate is ")
        assert z.split("；")[0] == f"全部\u00a0{own.split()[4]}\u00a0周都是同一个价格"
        assert ("；所属品类的估计：" in z) == bool(cat)
    assert (_raw(zh, "lift")["lift"].to_numpy() == _raw(en, "lift")["lift"].to_numpy()).all()


def test_pricing_inputs_in_chinese(zh_dataset, zh_lines):
    at = run_page("pricing.py", dataset_id=zh_dataset.id, lang="zh", timeout=240)
    data = _names(zh_lines)
    assert not at.exception, at.exception
    product = at.selectbox(key="pr_whatif_product")
    # the options read "name (id)"; the widget's value is the id
    for pid in [NAMED_ID.match(o).group(1) for o in product.options[:2]]:
        for change in (30, -10):
            at.selectbox(key="pr_whatif_product").set_value(pid).run()
            at.slider(key="pr_whatif_change").set_value(change).run()
            assert not at.exception, at.exception
            assert english_left_here(at, data_values=data) == []
    # +30 % on the planted product leaves the prices it has had: refused, in Chinese
    at.slider(key="pr_whatif_change").set_value(30).run()
    caption = " ".join(c.value for c in at.caption)
    assert "最优价格" in caption and "价格弹性" in caption
    whole = at.selectbox(key="pr_whatif_category")
    at.selectbox(key="pr_whatif_category").set_value(whole.options[1]).run()
    assert not at.exception, at.exception
    assert any(c.value.startswith("整个品类调价\u00a0+30%") for c in at.caption)
    at.slider(key="pr_md_weeks").set_value(20).run()
    promos = at.selectbox(key="pr_pp")
    at.selectbox(key="pr_pp").set_value(NAMED_ID.match(promos.options[-1]).group(1)).run()
    assert not at.exception, at.exception
    assert english_left_here(at, data_values=data) == []
    assert english_in_cells(at, TEXT_CELLS, data_values=data) == []


def test_pricing_in_chinese_names_products_in_chinese(zh_dataset):
    """The Chinese merchant's products by their Chinese names beside the id, as the other
    pages show them: the elasticity chart's rows, the validation chart and table (商品 column beside 商品 ID),
    the pickers and the weeks chart. Names by hand from ecomdash/demo_zh.py (Wooden Train Set
    – Starter = 木制火车套装 – 入门套装, Beanie Hat – Mustard = 针织帽 – 芥末黄)."""
    at = run_page("pricing.py", dataset_id=zh_dataset.id, lang="zh", timeout=240)
    assert not at.exception, at.exception
    train, hat = "木制火车套装 – 入门套装 (TOY-229)", "针织帽 – 芥末黄 (BAG-110)"
    ticks = figure(at, "价格弹性：")["data"][0]["y"]
    assert {train, hat} <= set(ticks) and all(NAMED.match(t) for t in ticks), ticks
    validation = figure(at, "各商品的验证期误差")
    hovers = [t for trace in validation["data"] for t in trace.get("text") or ()]
    assert hat in hovers and all(NAMED.match(t) for t in hovers), hovers
    table = next(d for d in at.dataframe if "model_mae" in d.value.columns)
    headers = json.loads(table.proto.columns)
    assert [headers[c]["label"] for c in ("product_id", "product_name")] == ["商品 ID", "商品"]
    names = table.value.set_index("product_id")["product_name"]
    assert names["BAG-110"] == "针织帽 – 芥末黄"
    picker = at.selectbox(key="pr_whatif_product")
    assert train in picker.options and all(NAMED.match(o) for o in picker.options)
    weeks_of = at.selectbox(key="pr_pp")
    assert all(NAMED.match(o) for o in weeks_of.options), weeks_of.options
    assert figure(at, weeks_of.options[weeks_of.index] + "：每周件数与价格")
