"""AppTest: the Customer value page read by a merchant who knows no statistics, in English and
Chinese — the checklist readable, the churn and lifetime-value models' two figures explained,
plain words first on the churn tab (the technical names in the helps)."""

from __future__ import annotations

import json
import math

import pytest

from tests.pages.conftest import run_page


def _page(demo_dataset, lang):
    at = run_page("customer_value.py", dataset_id=demo_dataset.id, timeout=240, lang=lang)
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_checklist_wraps_its_text_in_columns_that_fit(demo_dataset, lang):
    """The browser got no widths for the checklist: each column took its one-line width, the
    table ran off the page and "Affects" read "lifetime-value models (BG/NBD, Gam". Now each
    column has a width within the page's budget and rows tall enough to wrap its text."""
    from ecomdash.ui import value as V

    at = _page(demo_dataset, lang)
    table = next(d for d in at.dataframe if "affects" in d.value.columns)
    cfg = json.loads(table.proto.columns)
    widths = {c: cfg[c]["width"] for c in table.value.columns}
    assert all(isinstance(w, int) for w in widths.values()), widths
    assert sum(widths.values()) <= V.CHECKLIST_PX + V._MIN_COLUMN_PX
    assert table.proto.row_height > 64  # Streamlit wraps only in rows taller than 4 rem
    for col in table.value.columns:
        for text in [cfg[col]["label"], *map(str, table.value[col])]:
            assert math.ceil(V.text_px(text) / widths[col]) <= V.CHECKLIST_LINES, (col, text)


@pytest.mark.parametrize(
    ("lang", "plain", "details"),
    [
        (
            "en",
            "The lifetime-value model sees almost no customer stop buying, so it gives every "
            "customer a chance still active of about 100 %; to see who has stopped buying, use "
            "the churn risk.",
            "Technical details of the warnings above",
        ),
        (
            "zh",
            "客户生命周期价值模型几乎看不到客户停止购买，因此给每位客户的“仍活跃的概率”都约为 "
            "100%；要看谁已经不再购买，请看流失风险。",
            "上述提示的技术细节",
        ),
    ],
)
def test_lifetime_value_warns_in_plain_words_with_the_internals_in_details(
    demo_dataset, lang, plain, details
):
    """The demo's lifetime-value warning read "… (BG/NBD mean dropout probability < 0.1 %) …
    P(alive) is about 1 for everyone": it now says what that means for the figures, and the
    models' own account sits in the technical details under the model parameters."""
    at = _page(demo_dataset, lang)
    warnings = [w.value for w in at.warning]
    assert plain.replace("\\", "") in [w.replace("\\", "") for w in warnings], warnings
    # the models' own account is no warning: "BG/NBD mean dropout probability" / 平均流失概率
    assert not any("mean dropout" in w or "平均流失概率" in w for w in warnings), warnings
    box = next(e for e in at.expander if e.label == details)
    inside = " ".join(c.value for c in box.caption).replace("\\", "")
    assert "BG/NBD" in inside and "< 0.1" in inside, inside


@pytest.mark.parametrize(
    ("lang", "tabs", "said"),
    [
        (
            "en",
            ("Lifetime value", "Act: customers at risk"),
            '"Churn risk" and "Chance still active" answer different questions: the churn '
            "model's risk is the chance of no order in the next 90 days",
        ),
        (
            "zh",
            ("生命周期价值", "行动：流失风险客户"),
            "“流失风险”和“仍活跃的概率”回答的是不同的问题：流失模型的风险是未来 90 天内不下单的概率",
        ),
    ],
)
def test_churn_risk_and_chance_still_active_are_told_apart_where_both_show(
    demo_dataset, lang, tabs, said
):
    """The demo's customer 14560 has a 38.9 % churn risk on the at-risk list and a 100 %
    chance still active on the lifetime-value tab, and nothing said why. Both tabs now say
    what each figure measures."""
    at = _page(demo_dataset, lang)
    risk = next(d.value for d in at.dataframe if "value_at_risk" in d.value.columns)
    alive = next(d.value for d in at.dataframe if "p_alive" in d.value.columns)
    assert risk.set_index("customer_id").loc["14560", "churn_probability"] == pytest.approx(
        38.9, abs=0.05
    )
    assert alive.set_index("customer_id").loc["14560", "p_alive"] == pytest.approx(100, abs=0.05)
    by_label = {t.label: t for t in at.tabs}
    for name in tabs:
        captions = [c.value.replace("\\", "") for c in by_label[name].caption]
        assert any(said in c for c in captions), (name, captions)
