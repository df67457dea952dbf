"""The report's digest ("What to do this week") says what the Home says, in its order: the Home
run on the demo merchant (English) and on the Chinese demo (Chinese), its ranked findings
taken as it computes them, against the digest built by ``build_report`` on the same store."""

from __future__ import annotations

import re

import pytest

from ecomdash.report import DIGEST, build_report, render_html
from ecomdash.store import Store
from tests.pages.conftest import run_page


@pytest.fixture(autouse=True)
def _patient_home(monkeypatch):
    """A loaded test machine must not push an analysis past the home's wait."""
    from ecomdash.ui import home as home_ui

    monkeypatch.setattr(home_ui, "STEP_BUDGET_S", 300.0)


def _said(f, symbol: str) -> tuple:
    """Everything a reader sees of a finding, in order (its stake in ``symbol``)."""
    from ecomdash.i18n.fmt import use_currency

    with use_currency(symbol):
        value = f.value_text
    return (
        f.kind,
        f.headline,
        value,
        f.value_label,
        f.confidence,
        f.confidence_note,
        f.confidence_detail,
        f.detail,
        f.subjects,
        f.customers,
        f.page,
        f.watch,
    )


def _home_findings(monkeypatch, dataset_id: str, lang: str | None):
    """The Home's ranked findings as its run computes them (``home.compute``)."""
    from ecomdash.ui import home as home_ui

    seen = []
    compute = home_ui.compute

    def spy(ctx, stopped=None):
        out = compute(ctx, stopped)
        seen.append(out)
        return out

    monkeypatch.setattr(home_ui, "compute", spy)
    at = run_page("home.py", dataset_id=dataset_id, timeout=600, lang=lang)
    assert not at.exception, at.exception
    ranked, problems, pending, _t0 = seen[-1]
    assert not pending and not problems, (pending, problems)
    return ranked


def _digest(home, dataset_id: str, lang: str):
    store = Store.open(home)
    try:
        rep = build_report(store, dataset_id, sections=(DIGEST,), lang=lang)
    finally:
        store.close()
    return rep, rep.sections[0]


def _text(html: str) -> str:
    """The report's text as read (tags out, entities back, no-break spaces as spaces)."""
    from html import unescape

    return unescape(re.sub(r"<[^>]+>", "", html)).replace("\u00a0", " ")


def _headlines_in_order(html: str, headlines) -> list[int]:
    text = _text(html)
    return [text.index(h.replace("\u00a0", " ")) for h in headlines]


def test_digest_equals_the_homes_findings_in_its_order(demo_dataset, _isolated_home, monkeypatch):
    ranked = _home_findings(monkeypatch, demo_dataset.id, None)
    assert len(ranked) >= 5, [f.kind for f in ranked]
    rep, sec = _digest(_isolated_home, demo_dataset.id, "en")
    assert sec.title == "What to do this week"
    assert [_said(f, "£") for f in sec.findings] == [_said(f, "£") for f in ranked]
    assert sec.unchecked == () and sec.text == ()
    # the report lists them in that order, first in the file, money in the demo's £
    html = render_html(rep)
    at = _headlines_in_order(html, [f.headline for f in ranked])
    assert at == sorted(at), at
    assert "At stake: £" in _text(html)
    assert html.count('<li class="finding">') == len(ranked)


def test_digest_in_chinese_equals_the_chinese_homes(zh_store, _isolated_home, monkeypatch):
    info = zh_store("示例商家")
    ranked = _home_findings(monkeypatch, info.id, "zh")
    assert ranked, "the Chinese demo's home has findings"
    rep, sec = _digest(_isolated_home, info.id, "zh")
    assert sec.title == "本周要做的事"
    assert [_said(f, "¥") for f in sec.findings] == [_said(f, "¥") for f in ranked]
    html = render_html(rep)
    assert "涉及金额：¥" in _text(html)
    at = _headlines_in_order(html, [f.headline for f in ranked])
    assert at == sorted(at), at
