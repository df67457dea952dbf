"""One Chinese word for one thing: every zh catalogue names a concept the way the pages do, so
a merchant never meets two words for it (session 50, zhterms).

- the period a model is checked on ("held-out", "holdout") is 验证期 — it was 留出 (analysts'
  jargon) on Pricing, the Home, the report and the command line, 验证期 on Customer value;
- the RFM segment "Can't lose them" is 不能流失的客户 (不能失去的客户 read oddly);
- lifetime value is 客户生命周期价值 everywhere, the Customer value page's tab too;
- revenue is 销售额 (the basket what-if's "增量收入", the promotions' "净收入" aside it);
- a repeat purchase is 复购 (one 回购);
- the ids are named as the Data page's fields a merchant maps: 商品编码, 客户 ID, 订单号
  (messages asked to map a 商品编号 / 客户编号 / 订单编号 the page does not show);
- average order value is 客单价 (the cluster rules said 平均每单 beside the tables' 客单价);
- the pricing check's naive forecast is 朴素预测, its table column too (朴素法误差);
- a k-means cluster is 聚类, as the Segments page names it (the report's segments box said
  群组: session 51, zhpolish);
- the customer id is 客户 ID with its space, as the Data page's field reads (the cleaning
  rules said 客户ID; a buyer id, 买家 ID, likewise);
- a customer's first buy is their first purchase, 首次购买 (session 60, words): on a dataset
  without order ids (CDNOW: one line per customer and purchase day) there is no order to be
  first, yet the cohort axis, churn's features, the cluster rules and the Overview's help said
  "first order" / 首单 / 首次下单.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from ecomdash.i18n.extract import ROOT

ZH = ROOT / "ecomdash" / "i18n" / "locales" / "zh"
CATALOGUES = sorted(ZH.glob("*.po"))

#: (an id, the old word as a pattern, the word now used)
OLD_WORDS = [
    ("held-out", r"留出", "验证期"),
    ("cant-lose-them", r"不能失去", "不能流失的客户"),
    ("lifetime-value", r"(?<!客户)生命周期价值", "客户生命周期价值"),
    ("revenue", r"收入", "销售额"),
    ("repeat-purchase", r"回购", "复购"),
    ("product-id", r"商品编号", "商品编码"),
    ("customer-id", r"客户编号", "客户 ID"),
    # 主订单编号 / 子订单编号: the Taobao and Douyin exports' own column names, quoted
    ("order-id", r"(?<![主子])订单编号", "订单号"),
    ("average-order", r"平均每单", "客单价"),
    ("naive-error", r"(?<!季节性)朴素法误差", "朴素预测误差"),
    ("cluster", r"群组", "聚类"),
    ("customer-id-space", r"(?:客户|买家)ID", "客户 ID"),
    # a Basket page option as its radio shows it (“购物篮” / “客户日”), not the raw id
    ("raw-option-id", r"customer-day|(?:basket|level)\s*=\s*'", "“购物篮”选“客户日”"),
    # a download's safety said as what it means to a merchant (session 55)
    ("formula-safe", r"公式防注入", "可放心用 Excel 打开"),
    # the customer's first buy, whether the data counts orders or purchase days (session 60)
    ("first-purchase", r"首单|首次下单|第一笔订单", "首次购买"),
]


def _entries(po: Path) -> list[tuple[str, str]]:
    """(msgid, msgstr) of every entry, each plural form its own pair."""
    with po.open("rb") as f:
        catalogue = read_po(f)
    out = []
    for msg in catalogue:
        if not msg.id:
            continue
        ids = msg.id if isinstance(msg.id, tuple | list) else (msg.id,)
        strings = msg.string if isinstance(msg.string, tuple | list) else (msg.string,)
        out += [(ids[0], s) for s in strings if s]
    return out


def _all() -> list[tuple[str, str, str]]:
    return [(po.name, i, s) for po in CATALOGUES for i, s in _entries(po)]


@pytest.mark.parametrize(("old", "new"), [w[1:] for w in OLD_WORDS], ids=[w[0] for w in OLD_WORDS])
def test_no_catalogue_uses_the_old_word(old, new):
    found = [f"{name}: {s[:80]!r}" for name, _i, s in _all() if re.search(old, s)]
    assert not found, f"write {new}, not {old}:\n" + "\n".join(found)


def test_no_message_says_formula_safe():
    """A download's safety was "a formula-safe CSV" / "公式防注入处理", the engineers' word
    for what the file guards against; the pages say it "opens safely in Excel"."""
    found = [f"{name}: {i[:80]!r}" for name, i, _s in _all() if "formula" in i.lower()]
    assert not found, "\n".join(found)


def test_no_message_says_first_order():
    """A customer's first buy is their "first purchase": on purchase-day data (CDNOW, no order
    ids) the cohort axis read "Months since first order", churn's features "days since first
    order", the cluster rules "first order 456+ days ago", though no order is counted there."""
    found = [
        f"{name}: {i[:80]!r}" for name, i, _s in _all() if re.search(r"first[- ]order", i, re.I)
    ]
    assert not found, "\n".join(found)


def test_every_held_out_period_is_the_validation_period():
    """Each message about the held-out time says 验证期 (or 验证, as in 验证截止日期)."""
    held = [(name, i, s) for name, i, s in _all() if re.search(r"held[- ]out|holdout", i, re.I)]
    assert len(held) >= 30, len(held)  # the Pricing, Home, report, value and CLI messages
    missing = [f"{name}: {i[:60]!r} -> {s[:60]!r}" for name, i, s in held if "验证" not in s]
    assert not missing, missing


@pytest.mark.parametrize(
    ("msgid", "msgstr"),
    [
        ("Can't lose them", "不能流失的客户"),
        ("Lifetime value", "客户生命周期价值"),  # the Customer value page's tab
        ("average order", "客单价"),  # the cluster rules' word
        ("Extra revenue", "增量销售额"),
        ("Naive error (MAE)", "朴素预测误差（MAE）"),
        ("Held-out weeks", "验证期周数"),
    ],
    ids=["segment", "tab", "rule-word", "what-if", "naive-column", "weeks-column"],
)
def test_the_names_a_merchant_reads(msgid, msgstr):
    assert [s for _n, i, s in _all() if i == msgid] == [msgstr]


@pytest.mark.parametrize(
    ("msgid", "radio", "option"),
    [
        (
            "Check that the order id column is mapped to the invoice number, not the line "
            "number, or try basket = customer-day.",
            "Basket",
            "A customer's day",
        ),
        (
            "Use basket='order', or map the customer and date columns when uploading.",
            "Basket",
            "One order",
        ),
        ("Use level='product', or map a category column when uploading.", "Items are", "Product"),
    ],
    ids=["customer-day", "order", "product"],
)
def test_a_basket_hint_names_the_option_as_the_page_shows_it(msgid, radio, option):
    """A refusal's hint names the Basket page's radio and option in the words the page shows
    ("把“购物篮”改选为“客户日”"), not the raw id ("basket = customer-day")."""
    words = {i: s for _n, i, s in _all()}
    assert f"把“{words[radio]}”改选为“{words[option]}”" in words[msgid], words[msgid]
