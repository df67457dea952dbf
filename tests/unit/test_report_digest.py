"""The report's digest ("What to do this week", ``report.sections.digest``): first in the
report, from the results the sections compute (no analysis run twice), the Home's words when
nothing stands out and for what could not be checked, merchant text escaped. That its findings
equal the Home's is ``tests/pages/test_report_digest.py``."""

from __future__ import annotations

import importlib
import re
from html import unescape

import pytest

from ecomdash import findings as FD
from ecomdash import schema as S
from ecomdash.findings.words import STEPS, TEXT
from ecomdash.i18n import _, use_lang
from ecomdash.report import ALL_SECTIONS, DIGEST, SECTIONS, Section, build_report, render_html
from ecomdash.report.render import section_html
from ecomdash.store import Store

digest_mod = importlib.import_module("ecomdash.report.sections.digest")


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory, demo):
    store = Store.open(tmp_path_factory.mktemp("report_digest"))
    info = store.ensure_demo(demo.lines)
    yield store, info
    store.close()


def _text(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", html)).replace("\u00a0", " ")


#: every analysis the report runs, by where the report's results call it
ANALYSES = (
    "ecomdash.basket.mine",
    "ecomdash.forecast.forecast",
    "ecomdash.forecast.from_store.plan_restock",
    "ecomdash.segment.segment_customers",
    "ecomdash.churn.churn",
    "ecomdash.clv.customer_value",
    "ecomdash.recommend.evaluate",
    "ecomdash.pricing.analyze",
    "ecomdash.alerts.find_alerts",
)


def test_digest_comes_first_and_runs_no_analysis_a_second_time(demo_store, monkeypatch):
    store, info = demo_store
    calls: dict[str, int] = {}
    for path in ANALYSES:
        mod, name = path.rsplit(".", 1)
        real = getattr(__import__(mod, fromlist=[name]), name)

        def counted(*a, _real=real, _path=path, **kw):
            calls[_path] = calls.get(_path, 0) + 1
            return _real(*a, **kw)

        monkeypatch.setattr(path, counted)
    rep = build_report(store, info.id)
    # after the header, before the headline figures
    assert [s.key for s in rep.sections] == ["digest", *(s.key for s in SECTIONS)]
    assert [s.key for s in ALL_SECTIONS] == [s.key for s in rep.sections]
    assert rep.sections[0].title == "What to do this week" and rep.sections[0].findings
    assert calls == dict.fromkeys(ANALYSES, 1), calls
    html = render_html(rep)
    assert html.index('id="digest"') < html.index('id="kpis"')
    assert '<a href="#digest">What to do this week</a>' in html


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_nothing_stands_out_in_the_homes_words(demo_store, monkeypatch, lang):
    store, info = demo_store
    monkeypatch.setattr(digest_mod, "SOURCES", dict.fromkeys(digest_mod.SOURCES, lambda d: None))
    rep = build_report(store, info.id, sections=(DIGEST,), lang=lang)
    sec = rep.sections[0]
    with use_lang(lang):
        none = _(TEXT["none"])
    assert sec.findings == () and sec.unchecked == ()
    assert sec.text == (none,)
    if lang == "zh":
        assert none != TEXT["none"] and "本周" in none
    html = render_html(rep)
    assert none.replace("\u00a0", " ") in _text(html)
    assert '<ol class="findings">' not in html


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_what_could_not_be_checked_is_said_as_the_home_says_it(tmp_path, demo, lang):
    """A dataset without customer ids: the win-back, segments and recommendations name the
    field they need (the Home's step line), the other analyses still give their findings."""
    store = Store.open(tmp_path)
    try:
        info = store.save_dataset("No customers", demo.lines.drop(columns=[S.CUSTOMER_ID]))
        rep = build_report(store, info.id, sections=(DIGEST,), lang=lang)
    finally:
        store.close()
    sec = rep.sections[0]
    with use_lang(lang):
        want = [
            (_(TEXT["step_skipped"], label=_(STEPS[n]), fields=S.field_name(S.CUSTOMER_ID)), "")
            for n in ("winback", "segments", "recommend")
        ]
        heading = _(TEXT["not_checked"])
    assert list(sec.unchecked) == want
    assert {f.kind for f in sec.findings} >= {"restock", "bundle"}
    assert not {"winback", "segments", "recommend"} & {f.kind for f in sec.findings}
    text = _text(render_html(rep))
    assert heading in text
    assert all(what.replace("\u00a0", " ") in text for what, _why in want)
    if lang == "zh":
        assert "需要" in want[0][0]


def test_product_names_in_findings_are_escaped():
    evil = '<img src=x onerror="alert(1)"> & <script>boom()</script>'
    f = FD.Finding(
        "bundle",
        "Bundle two products bought together 4.6× more than chance",
        3800.0,
        "high",
        FD.PAGE_BASKET,
        subjects=(evil,),
        confidence_detail="lift 4.6 <b>",
    )
    html = section_html(Section("digest", "What to do this week", "intro", findings=(f,)))
    assert "<img" not in html and "<script>" not in html and "4.6 <b>" not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; &lt;script&gt;" in html
    assert "Open Basket analysis in the sidebar." in html
