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
from ecomdash.report.results import ANALYSES
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
        none = _(digest_mod.REPORT_TEXT["none"])
        homes = _(TEXT["none"])
    assert sec.findings == () and sec.unchecked == ()
    assert sec.text == (none,)
    # the Home's sentence but for its last: the report file has no sidebar to send one to
    assert (
        none.split(". ")[0] == homes.split(". ")[0] or none.split("。")[0] == homes.split("。")[0]
    )
    assert "sidebar" not in none and "侧边栏" not in none
    if lang == "zh":
        assert none != digest_mod.REPORT_TEXT["none"] and "本周" in none
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
    assert "In ecomdash: the Basket analysis page." in html


def _finding(page: str) -> FD.Finding:
    return FD.Finding("bundle", "Bundle two products", 3800.0, "high", page)


@pytest.mark.parametrize(
    ("lang", "page", "want"),
    [
        ("en", FD.PAGE_SEGMENTS, "In ecomdash: the Segments page."),
        ("en", FD.PAGE_VALUE, "In ecomdash: the Customer value page."),
        ("zh", FD.PAGE_SEGMENTS, "详见 ecomdash 的“客户分群”页面。"),
        ("zh", FD.PAGE_VALUE, "详见 ecomdash 的“客户价值”页面。"),
    ],
)
def test_a_finding_names_its_page_in_words_that_read_on_paper(lang, page, want):
    """The report is a file (printed, e-mailed): "Open Segments in the sidebar." pointed at a
    sidebar it has not got. It names the app and the page; the Home keeps its own words
    (``tests/pages/test_zh_home.py``: 请在侧边栏打开“客户价值”。)."""
    with use_lang(lang):
        html = section_html(Section("digest", "t", "intro", findings=(_finding(page),)))
        home = _(TEXT["open_in_sidebar"], title="x")
    assert f'<p class="note open">{want}</p>' in html.replace("&quot;", '"').replace("&#x27;", "'")
    assert "sidebar" not in _text(html) and "侧边栏" not in _text(html)
    assert home in ("Open x in the sidebar.", "请在侧边栏打开“x”。")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_digest_opens_with_its_own_introduction_and_no_other_preamble(
    demo_store, monkeypatch, lang
):
    """The info sections' preamble, "About these figures:", stood before the Home's intro,
    which itself began "What to do this week" under that heading and ended "open it": a
    doubled preamble, and a link the file has not got. The digest's verdict is its own
    introduction, for a report; the other sections keep their preamble."""
    store, info = demo_store
    monkeypatch.setattr(digest_mod, "SOURCES", dict.fromkeys(digest_mod.SOURCES, lambda d: None))
    rep = build_report(store, info.id, sections=(DIGEST, SECTIONS[0]), lang=lang)
    digest, kpis = rep.sections
    with use_lang(lang):
        intro = _(digest_mod.REPORT_TEXT["intro"])
        about = _("About these figures:")
        homes = _(TEXT["intro"])
    assert digest.verdict == intro and intro != homes
    html = render_html(rep)
    d = html[html.index('<section id="digest"') : html.index("</section>")]
    verdict = re.search(r'<p class="verdict info">(.*?)</p>', d, re.S).group(1)
    assert "<b>" not in verdict and about not in verdict
    assert _text(verdict) == intro.replace("\u00a0", " ")
    assert "ecomdash" in intro and "open it" not in intro
    # the headline figures keep theirs
    k = html[html.index('<section id="kpis"') :]
    assert re.search(r'<p class="verdict \w+"><b>[^<]+</b>', k)
