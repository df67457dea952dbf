"""The Recommendations page in Chinese on the Chinese demo merchant: every tab, the form and
the export run, no English left (table headers and model names aside: labels.py is the
frame's), reasons in Chinese."""

from __future__ import annotations

import json
import re

import pytest

from ecomdash import recommend as R
from ecomdash.i18n import use_lang
from tests.pages.conftest import run_page
from tests.pages.zh_frame_owned import area_english_left

HAN = "[\u4e00-\u9fff]"


@pytest.fixture
def zh_dataset(zh_store):
    return zh_store("演示商户")


def _frame(at, *columns):
    return next(d.value for d in at.dataframe if set(columns) <= set(d.value.columns))


def _names(zh_lines) -> set[str]:
    return set(zh_lines["product_name"].astype(str))


def test_recommendations_page_in_chinese(zh_dataset, zh_lines, monkeypatch):
    from tests.pages.downloads import record_downloads

    downloads = record_downloads(monkeypatch)
    at = run_page("recommendations.py", dataset_id=zh_dataset.id, lang="zh", timeout=300)
    assert not at.exception, at.exception
    assert at.title[0].value == "商品推荐"
    assert [t.label for t in at.tabs][:4] == ["按客户推荐", "按商品推荐", "效果如何？", "全部导出"]
    recs = _frame(at, "reason", "source")
    # a customer's reasons, in a Chinese sentence that fits the model behind them: the
    # Chinese demo's best-tested model is user-based CF, whose reasons count the similar
    # customers who bought the product (an item-based model's name the products bought)
    assert (
        recs["reason"]
        .str.match(
            "^(因为您买过|购买记录和您相似的\u00a0\\d+\u00a0位客户买过|没有更贴近的推荐|和您相似的客户|热销商品)"
        )
        .all()
    ), list(recs["reason"])
    because = recs.loc[recs["reason"].str.startswith("因为您买过"), "reason"]
    similar = recs["reason"].str.fullmatch("购买记录和您相似的\u00a0\\d+\u00a0位客户买过")
    assert len(because) > 0 or similar.any()
    if len(because):
        assert any(name in because.iloc[0] for name in _names(zh_lines))
    assert set(recs["source"]) <= {"根据购买记录推荐", "热销商品（无购买记录）"}
    also = downloads.frame("also-bought")  # its reason (the count on screen) is in the CSV
    assert len(_frame(at, "co_buyers")) == len(also) > 0
    assert also["reason"].str.endswith("位客户两样都买过").all()
    target = _frame(at, "customer_id", "reason")
    assert target["reason"].str.contains(HAN).all()
    assert not target["reason"].str.contains("因为您").any()  # said of the customer, not to them
    verdict = [i.value for i in at.info if "热销商品" in i.value]
    assert verdict, [i.value for i in at.info]
    assert any(c.value.startswith("当前模型：") for c in at.caption)
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    chart = next(c for c in charts if c["data"][0].get("name", "").startswith("命中率"))
    assert chart["layout"]["title"]["text"].startswith("命中率@10")
    assert chart["data"][0]["name"] == "命中率@10"
    assert area_english_left(at, data_texts=_names(zh_lines)) == []

    # the form with the advanced settings, then Run; then the export
    weighting = at.selectbox(key="rec_weighting")
    assert "二值（是否买过）" in weighting.options
    weighting.select("bm25")
    next(b for b in at.button if b.label == "运行").click()
    at.run(timeout=300)
    assert not at.exception, at.exception
    assert area_english_left(at, data_texts=_names(zh_lines)) == []
    at.button(key="rec_bulk").click().run(timeout=300)
    assert not at.exception, at.exception
    # the product by its name on screen; its id is in the CSV (the table fits 1280 px)
    preview = _frame(at, "customer_id", "product_name", "reason", "source")
    assert preview["reason"].str.contains(HAN).all()
    assert any(m.value.endswith("行") and "位客户" in m.value for m in at.markdown)
    assert area_english_left(at, data_texts=_names(zh_lines)) == []


def test_the_same_recommendations_in_both_languages(zh_dataset):
    zh = run_page("recommendations.py", dataset_id=zh_dataset.id, lang="zh", timeout=300)
    en = run_page("recommendations.py", dataset_id=zh_dataset.id, lang="en", timeout=300)
    assert not zh.exception and not en.exception
    zh_recs, en_recs = _frame(zh, "reason", "source"), _frame(en, "reason", "source")
    assert zh_recs["product_id"].tolist() == en_recs["product_id"].tolist()
    assert (
        en_recs["reason"]
        .str.match(
            r"^(because you bought|\d+ customers? who buys? like you|no closer|popular|best seller)"
        )
        .all()
    ), list(en_recs["reason"])
    # the same reason in both languages: the same count of similar customers
    assert [re.findall(r"\d+", r) for r in zh_recs["reason"]] == [
        re.findall(r"\d+", r) for r in en_recs["reason"]
    ]
    # the core says the same in English, and in Chinese when asked
    with use_lang("zh"):
        # each product in quotes, as the Alerts write them: "因为您买过DOVE DECORATION PAINTED
        # ZINC和STAR DECORATION PAINTED ZINC" ran the two names and 和 together (UCI, Chromium)
        assert R._because(["绿茶"]) == "因为您买过“绿茶”"
        assert R._because(["绿茶", "茶杯"], target=True) == "买过“绿茶”和“茶杯”"
    assert R._because(["Tea", "Mug"]) == "because you bought Tea and Mug"


def test_a_cutoff_with_nothing_before_it_is_said_in_chinese(zh_dataset, zh_lines):
    at = run_page("recommendations.py", dataset_id=zh_dataset.id, lang="zh", timeout=300)
    first = zh_lines["order_date"].min().date()
    at.date_input[0].set_value(first)
    next(b for b in at.button if b.label == "运行").click()
    at.run(timeout=300)
    assert not at.exception, at.exception
    said = [w.value for w in at.warning]
    assert any(w.startswith("截止日期") and "行训练" in w for w in said), said
    assert area_english_left(at, data_texts=_names(zh_lines)) == []


def test_model_in_use_caption_reads_as_chinese(zh_dataset):
    """The caption joined the model and its counts with an English spaced dash
    ("当前模型：…（相似客户） — 8,958 位客户，300 个商品。"); Chinese lists them after a comma."""
    at = run_page("recommendations.py", dataset_id=zh_dataset.id, lang="zh", timeout=300)
    assert not at.exception, at.exception
    caption = next(c.value for c in at.caption if c.value.startswith("当前模型："))
    assert " — " not in caption, caption
    # the model's Chinese name, then 共 N 位客户、M 个商品
    assert re.match(
        r"^当前模型：[^，]+，共\u00a0[\d,]+\u00a0位客户、[\d,]+\u00a0个商品。", caption
    ), caption
    assert (
        "，共\u00a0" in caption and "\u00a0位客户、" in caption and "\u00a0个商品。" in caption
    ), caption
