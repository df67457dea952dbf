"""A Chinese order-state rule names one state without a count of its own: the rule's count is
that state's, and the Data page's sample title said it twice ("等待付款（1）（1 行）"). Several
states keep their counts (how the rule's rows split)."""

from __future__ import annotations

from pathlib import Path

from ecomdash.i18n import _n, use_lang
from ecomdash.i18n.note import tr_note
from ecomdash.ingest import load_bytes
from ecomdash.ingest.clean import status_label

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "cn_platforms"


def test_one_state_is_named_without_a_second_count():
    rep = load_bytes((FIX / "jd_orders.csv").read_bytes(), "jd_orders.csv").report
    one = [r for r in rep.rules if r.rows == 1 and "等待付款" in tr_note(r.label)]
    assert len(one) == 1, [tr_note(r.label) for r in rep.rules]
    rule = one[0]
    titles = {
        "en": "Sample: order not paid (not a sale yet, left out): 等待付款 (1 row)",
        "zh": "示例：订单未付款（尚未成交，已剔除）：等待付款（1\u00a0行）",
    }
    for lang, title in titles.items():
        with use_lang(lang):
            label = tr_note(rule.label)
            shown = _n(
                "Sample: {rule} ({n} row)", "Sample: {rule} ({n} rows)", 1, rule=label, n="1"
            )
            assert shown == title  # it read "等待付款（1）（1 行）", "等待付款 (1) (1 row)"


def test_several_states_keep_their_counts():
    label = status_label("rule", {"交易关闭": 2, "已付款": 1})
    with use_lang("zh"):
        assert tr_note(label).endswith("交易关闭（2）、已付款（1）")
