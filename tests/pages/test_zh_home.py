"""The Home page in Chinese (issue 16) on the Chinese demo merchant: the findings in Chinese,
with the same numbers as the English run, their links to the pages, no English left (the
merchant's product names aside)."""

from __future__ import annotations

import re
from time import strptime
from urllib.parse import parse_qs

import pytest

from tests.pages.conftest import run_app, run_page
from tests.pages.test_durations_pages import ZH as DURATION_ZH
from tests.pages.zh_walk import english_left

#: a number as a sentence writes it, with its compact unit: 18.3k, 1.25M, 1.83万, 1.2亿
NUMBER = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(k|M|万|亿)?")
UNIT = {None: 1.0, "": 1.0, "k": 1e3, "M": 1e6, "万": 1e4, "亿": 1e8}


@pytest.fixture(autouse=True)
def _patient_home(monkeypatch):
    """A loaded test machine must not push an analysis past the home's wait."""
    from ecomdash.ui import home as home_ui

    monkeypatch.setattr(home_ui, "STEP_BUDGET_S", 300.0)


@pytest.fixture
def zh_dataset(zh_store):
    return zh_store("演示商户", {"currency": "CNY"})


def _numbers(text: str) -> list[float]:
    """The values of the numbers in a sentence (markdown escapes removed), sorted: Chinese
    word order differs, so the same figures may come in another order."""
    text = text.replace("\\", "")
    # a date in a sentence (fmt.long_date) is one figure: its month is a word in English
    text = re.sub(
        r"(\d{1,2}) ([A-Z][a-z]+) (\d{4})",
        lambda m: f"{m[3]}{strptime(m[2], '%B').tm_mon:02d}{int(m[1]):02d}",
        text,
    )
    text = re.sub(
        r"(\d{4})年(\d{1,2})月(\d{1,2})日", lambda m: f"{m[1]}{int(m[2]):02d}{int(m[3]):02d}", text
    )
    return sorted(float(n.replace(",", "")) * UNIT[u] for n, u in NUMBER.findall(text))


def _same_numbers(zh: str, en: str) -> None:
    a, b = _numbers(zh), _numbers(en)
    assert len(a) == len(b), (zh, en, a, b)
    for x, y in zip(a, b, strict=True):
        # 18.3k and 1.83万 are both rounded: within 1 % of each other
        assert x == pytest.approx(y, rel=0.01, abs=0.5), (zh, en)


def _headlines(at) -> list[str]:
    return [m.value for m in at.markdown if m.value.startswith("**")]


def _with_digits(elements) -> list[str]:
    return [e.value for e in elements if re.search(r"\d", e.value)]


def _links(at):
    return [(link.proto.label, parse_qs(link.proto.query_string)) for link in at.get("page_link")]


def test_home_in_chinese_with_the_english_numbers(zh_dataset):
    zh = run_page("home.py", dataset_id=zh_dataset.id, lang="zh", timeout=300)
    assert not zh.exception, zh.exception
    assert zh.title[0].value == "本周要做的事"
    # the frame's status ends with the time fmt.duration writes ("（不到 0.1 秒）", "（2 分 11 秒）")
    done = re.compile(rf"正在找出本周要做的事：已完成（{DURATION_ZH}）")
    assert any(done.fullmatch(s.label) for s in zh.status), [s.label for s in zh.status]
    heads = _headlines(zh)
    assert len(heads) >= 3, heads
    assert any("位忠实客户正在流失" in h for h in heads), heads
    assert any("组合套装" in h for h in heads), heads
    assert any(m.label == "涉及金额" for m in zh.metric)
    assert {"净销售额", "订单数", "客单价", "客户", "退货率"} <= {m.label for m in zh.metric}
    # run alone, the page names the page to open in the sidebar, in Chinese
    assert any(c.value == "请在侧边栏打开“客户价值”。" for c in zh.caption)
    # product names are the merchant's data (plain text only), the rest is ours: Chinese
    names = {t.value for t in zh.text}
    left = english_left(zh, ignore=("table header",), data_values=names)
    assert left == [], "\n".join(left)

    # the same findings in English (the analyses come from the same caches)
    en = run_page("home.py", dataset_id=zh_dataset.id, lang="en", timeout=300)
    assert not en.exception, en.exception
    assert en.title[0].value == "What to do this week"
    assert len(_headlines(en)) == len(heads)
    for a, b in zip(heads, _headlines(en), strict=True):
        _same_numbers(a, b)
    # details, confidence notes: the same figures; the product names the same text
    zc, ec = _with_digits(zh.caption), _with_digits(en.caption)
    assert len(zc) == len(ec) >= 3
    for a, b in zip(zc, ec, strict=True):
        _same_numbers(a, b)
    # the tiles' labels: at stake, or the forecast gap's side (低于预测 / 高于预测)
    stake_zh = [m.value for m in zh.metric if m.label in {"涉及金额", "低于预测", "高于预测"}]
    stake_en = [
        m.value for m in en.metric if m.label in {"At stake", "Below forecast", "Above forecast"}
    ]
    assert len(stake_zh) == len(stake_en) == len(heads)
    for a, b in zip(stake_zh, stake_en, strict=True):
        _same_numbers(a, b)
    assert [t.value for t in zh.text] == [t.value for t in en.text]


def test_home_links_in_chinese_open_the_same_pages(zh_dataset):
    """Through the frame (its navigation): the findings' links carry Chinese labels and the
    same dataset and selection as in English."""
    zh = run_app(dataset_id=zh_dataset.id, lang="zh", timeout=300)
    assert not zh.exception, zh.exception
    en = run_app(dataset_id=zh_dataset.id, lang="en", timeout=300)
    assert not en.exception, en.exception
    zl, el = _links(zh), _links(en)
    assert len(zl) == len(el) >= 4  # three findings at least, and the Overview
    labels = dict(zip([lab for lab, _q in el], [lab for lab, _q in zl], strict=True))
    assert labels["Basket rules"] == "关联规则"
    assert labels["Win-back list"] == "挽回名单"
    assert labels["Restock planner"] == "补货计划"
    assert labels["All KPIs, trends and top products"] == "全部指标、趋势和热销商品"
    assert [q for _lab, q in zl] == [q for _lab, q in el]
    q = dict(zl)["关联规则"]
    assert q["dataset"] == [zh_dataset.id] and q["item"]
    assert dict(zl)["挽回名单"]["tab"] == ["at-risk"]
