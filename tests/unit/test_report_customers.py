"""The report's customer sections read by a stakeholder who knows no statistics: what a model
notice means for the figures (not the models' parameters), in English and Chinese."""

from __future__ import annotations

import pytest

import ecomdash.clv.value as value_mod
from ecomdash.clv.gamma_gamma import GammaGammaParams
from ecomdash.report import SECTIONS, build_report
from ecomdash.store import Store

CLV = tuple(s for s in SECTIONS if s.key == "clv")


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory, demo):
    store = Store.open(tmp_path_factory.mktemp("report_customers"))
    info = store.ensure_demo(demo.lines)
    yield store, info
    store.close()


@pytest.mark.parametrize(
    ("lang", "plain"),
    [
        (
            "en",
            "The spend model did not settle: each customer's average spend per order is used "
            "instead.",
        ),
        ("zh", "消费模型没有收敛：改用每位客户的历史客单价。"),
    ],
)
def test_customer_value_notes_say_what_a_notice_means_for_the_figures(
    demo_store, monkeypatch, lang, plain
):
    """A Gamma-Gamma fit that ran to a limit printed "The Gamma-Gamma fit ran to a limit (p =
    1.63e+05, …)" in the report: now the note says what it means for the figures; the
    parameters stay on the page's technical details."""
    limit = GammaGammaParams(
        p=163_000.0, q=3.25, v=40.0, log_likelihood=-1.0, n_customers=10, converged=False
    )
    monkeypatch.setattr(value_mod, "fit_gamma_gamma", lambda *a, **k: limit)
    store, info = demo_store
    rep = build_report(store, info.id, sections=CLV, lang=lang)
    (section,) = rep.sections
    assert section.tone != "missing", section.verdict
    assert plain in section.text
    said = " ".join(section.text)
    for internal in ("1.63e+05", "Gamma-Gamma", "BG/NBD", "P(alive)", "p = "):
        assert internal not in said, said
    # the demo's own notice too: almost no dropout, in words (not "BG/NBD mean dropout")
    assert any("100" in t and ("churn risk" in t or "流失风险" in t) for t in section.text)


CHURN = tuple(s for s in SECTIONS if s.key == "churn")


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        (
            "en",
            '"Churn risk" and "Chance still active" answer different questions: the churn '
            "model's risk is the chance of no order in the next 90 days",
        ),
        (
            "zh",
            "“流失风险”和“仍活跃的概率”回答的是不同的问题：流失模型的风险是未来\u00a090\u00a0天内不下单的概率",
        ),
    ],
)
def test_churn_section_tells_churn_risk_from_chance_still_active(demo_store, lang, said):
    """The report shows "Chance still active" (customer value) and "Churn risk" (churn) of the
    same customers: the churn section says what each measures."""
    store, info = demo_store
    rep = build_report(store, info.id, sections=CHURN, lang=lang)
    (section,) = rep.sections
    assert section.tone != "missing", section.verdict
    assert any(t.startswith(said) for t in section.text), section.text


@pytest.mark.parametrize(
    ("lang", "plain", "header"),
    [
        (
            "en",
            "Gradient boosting ranks customers who left above those who stayed 94\u00a0% of the time "
            "(guessing does it 50\u00a0% of the time; days since the last order alone, 82\u00a0%; ROC AUC "
            "0.944)",
            "Ranks who left first",
        ),
        (
            "zh",
            "梯度提升把流失客户排在留存客户之前的比例为\u00a094%（随机猜测为\u00a050%；只看距上次下单天数为\u00a0"
            "82%；ROC AUC 0.944）",
            "流失客户排前的比例",
        ),
    ],
)
def test_churn_verdict_leads_with_plain_words(demo_store, lang, plain, header):
    """The report's churn verdict read "ranks churners with ROC AUC 0.944 (+0.128 vs recency
    alone; 0.5 is guessing)": now in words and percentages, the analyst's ROC AUC in brackets,
    and the table's column as the page heads it."""
    from ecomdash.report.render import render_html

    store, info = demo_store
    rep = build_report(store, info.id, sections=CHURN, lang=lang)
    (section,) = rep.sections
    assert plain in section.verdict, section.verdict
    assert header in render_html(rep)


SEGMENTS = tuple(s for s in SECTIONS if s.key == "segments")


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        (
            "en",
            "Recency scores rank customers against each other, and this data covers a short "
            "time: the segments for customers who have not bought for a long time (At risk, "
            "Can't lose them, Hibernating, Lost) include some whose last order was only ",
        ),
        ("zh", "最近购买评分（R 分）是客户之间的相对排名"),
    ],
)
def test_segments_section_says_when_the_long_ago_segments_hold_recent_buyers(
    tmp_path, demo_store, lang, said
):
    """The Segments page's RFM tab says, on a short history, that "At risk" … "Lost" hold
    customers who bought weeks ago; the report's segments section showed the same segments
    without it. Now it says it in the report's language (the core's one note), and on the
    demo's two years it does not."""
    from tests.unit.test_segment import short_history_lines

    store = Store.open(tmp_path)
    try:
        info = store.save_dataset("short", short_history_lines())
        (section,) = build_report(store, info.id, sections=SEGMENTS, lang=lang).sections
    finally:
        store.close()
    assert section.tone != "missing", section.verdict
    assert any(said in t for t in section.text), section.text
    demo, demo_info = demo_store
    (whole,) = build_report(demo, demo_info.id, sections=SEGMENTS, lang=lang).sections
    assert not any(said in t for t in whole.text), whole.text
