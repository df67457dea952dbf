"""The Home's new findings in Chinese (issue 19) on the Chinese demo merchant: segments, pricing,
promotion, recommendations (and alerts when the week has one) in Chinese, money in ¥, the KPI
tiles short enough not to be cut, and the multiselect placeholders of the pages in Chinese."""

from __future__ import annotations

import re

import pytest

from ecomdash.store import Store
from tests.pages.conftest import run_page
from tests.pages.zh_walk import english_left

#: an English headline's phrase → the Chinese the same finding reads
PHRASES = {
    "customers in the segments “At risk” and “Can't lose them”": "「流失预警客户」和「不能流失的客户」分群中的",
    "Raising one product's price": "把一个商品提价",
    "Lowering one product's price": "把一个商品降价",
    "promotion lost": "的促销约损失了",
    "With personal recommendations": "个性化推荐让首次购买了推荐商品的回头客达到只推热销商品时的",
    "high alert": "条高严重程度提醒",
}


@pytest.fixture(autouse=True)
def _patient_home(monkeypatch):
    """A loaded test machine must not push an analysis past the home's wait."""
    from ecomdash.ui import home as home_ui

    monkeypatch.setattr(home_ui, "STEP_BUDGET_S", 300.0)


@pytest.fixture(scope="module")
def zh_lines():
    from ecomdash import demo_zh

    return demo_zh.generate(7).lines


@pytest.fixture
def zh_dataset(zh_lines, _isolated_home):
    store = Store.open(_isolated_home)
    try:
        return store.save_dataset(
            "演示商户", zh_lines, report={"currency": "CNY"}, source="generated"
        )
    finally:
        store.close()


def _headlines(at) -> list[str]:
    return [m.value.replace("\\", "") for m in at.markdown if m.value.startswith("**")]


def test_new_findings_in_chinese_with_yuan(zh_dataset):
    zh = run_page("home.py", dataset_id=zh_dataset.id, lang="zh", timeout=400)
    assert not zh.exception, zh.exception
    en = run_page("home.py", dataset_id=zh_dataset.id, lang="en", timeout=400)
    assert not en.exception, en.exception
    zh_heads, en_heads = _headlines(zh), _headlines(en)
    assert len(zh_heads) == len(en_heads)
    found = [p for p in PHRASES if any(p in h for h in en_heads)]
    # at least segments, a price or promotion and the recommendations on the Chinese demo
    assert len(found) >= 3, en_heads
    for en_phrase in found:
        assert any(PHRASES[en_phrase] in h for h in zh_heads), (en_phrase, zh_heads)
    # the steps of the new analyses, in Chinese
    steps = " ".join(m.value for m in zh.markdown)
    for label in ("客户分群（RFM、聚类）", "价格与促销（价格弹性、验证期检验）", "本周异常提醒"):
        assert label in steps, label
    # money in the dataset's currency: ¥ on every stake tile, in Chinese units
    stakes = [m.value for m in zh.metric if m.label == "涉及金额"]
    sized = [v for v in stakes if v != "未估算"]
    assert sized and all(v.startswith("¥") for v in sized), stakes
    assert "达到只推热销商品时的" in zh_heads[-1] and stakes[-1] == "未估算"
    assert any("¥" in h for h in zh_heads)
    # the net revenue tile: whole 万 (not cut in a row of five), the exact figure in its help
    tile = next(m for m in zh.metric if m.label == "净销售额")
    assert re.fullmatch(r"¥[\d,]+万|¥[\d,.]+(亿)?", tile.value), tile.value
    assert len(tile.value) <= 9, tile.value
    assert "¥" in tile.proto.help and "." in tile.proto.help
    # nothing English left but the merchant's own names (plain text)
    names = {t.value for t in zh.text}
    left = english_left(zh, ignore=("table header",), data_values=names)
    assert left == [], "\n".join(left)


def test_alerts_multiselects_have_chinese_placeholders(zh_dataset):
    at = run_page("alerts.py", dataset_id=zh_dataset.id, lang="zh", timeout=300)
    assert not at.exception, at.exception
    placeholders = {m.proto.placeholder for m in at.multiselect}
    assert {"全部严重程度", "全部规则", "未忽略任何规则", "未忽略任何商品"} <= placeholders
    assert "Choose options" not in placeholders
    en = run_page("alerts.py", dataset_id=zh_dataset.id, lang="en", timeout=300)
    assert {"All severities", "All rules"} <= {m.proto.placeholder for m in en.multiselect}
