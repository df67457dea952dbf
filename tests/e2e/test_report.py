"""The stakeholder report in Chromium: opened from disk with every request recorded and
aborted, it makes none, its plotly charts render, hostile merchant text shows as text and no
script or dialog runs. The sidebar button of the running app downloads the same report."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect

from ecomdash.ingest import load_bytes
from ecomdash.report import build_report, render_html
from ecomdash.store import Store
from tests.e2e.conftest import GOTO_TIMEOUT, OUT, open_app, wait_for_app_run
from tests.e2e.test_security import EVIL, evil_csv

#: The headline tiles whose content is wider than their box.
SPILL = """() => [...document.querySelectorAll('.metric')]
    .filter(m => m.scrollWidth > m.clientWidth)
    .map(m => m.innerText)"""
#: The charts whose box is taller than the chart drawn in it (its id and both heights, px).
LOOSE = """() => [...document.querySelectorAll('.figure')].map(f => [f.id,
    Math.round(f.getBoundingClientRect().height),
    Math.round(f.querySelector('.main-svg').getBoundingClientRect().height)])
    .filter(([id, box, chart]) => box > chart)"""


def _open_offline(browser, path: Path):
    """A page showing ``path`` where every request is recorded and, unless it is the file
    itself, aborted; returns (page, requests, dialogs)."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    requests: list[str] = []
    dialogs: list[str] = []
    errors: list[str] = []
    url = path.resolve().as_uri()

    def route(r):
        if r.request.url == url:
            r.continue_()
        else:
            requests.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "request", lambda r: None if r.url == url or r.url in requests else requests.append(r.url)
    )
    page.goto(url, timeout=GOTO_TIMEOUT)
    page.wait_for_load_state("load")
    return page, requests, dialogs, errors


def _shot(page, name: str) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def test_report_file_opens_offline_with_charts_and_inert_text(browser, tmp_path):
    store = Store.open(tmp_path / "home")
    try:
        res = load_bytes(evil_csv().encode("utf-8"), "evil.csv")
        info = store.save_dataset(EVIL[0] + " shop", res.lines, mapping=res.mapping.as_dict())
        rep = build_report(store, info.id)
        demo = build_report(store, store.ensure_demo().id)
    finally:
        store.close()
    n_fig = sum(len(s.figures) for s in rep.sections)
    assert n_fig >= 3  # enough charts in the hostile report to check they render

    path = tmp_path / "evil-report.html"
    path.write_text(render_html(rep), encoding="utf-8")
    page, requests, dialogs, errors = _open_offline(browser, path)
    try:
        page.locator(".figure .main-svg").first.wait_for(state="attached", timeout=30_000)
        assert page.locator(".figure").count() == n_fig
        for i in range(n_fig):  # every chart drew its svg
            expect(page.locator(".figure").nth(i).locator(".main-svg").first).to_be_attached()
        # hostile strings are on the page as visible text
        expect(page.locator("h1")).to_have_text(EVIL[0] + " shop")
        cells = page.locator("td")
        for s in (EVIL[1], EVIL[2], EVIL[4], EVIL[7]):
            expect(cells.filter(has_text=s).first).to_be_visible()
        assert page.evaluate("window.__xss") is None
        assert page.evaluate("getComputedStyle(document.body).display") != "none"
        assert page.locator("img[src='x']").count() == 0
        assert page.locator("iframe").count() == 0
        shot = _shot(page, "report-evil")
        assert shot.stat().st_size > 10_000
        assert requests == [], requests
        assert dialogs == [], dialogs
        assert errors == [], errors
        # and the page's Content-Security-Policy refuses a request even if one were tried
        blocked = page.evaluate(
            """() => new Promise(done => {
                document.addEventListener('securitypolicyviolation', e => done(e.effectiveDirective));
                const img = new Image(); img.src = 'http://tracker.invalid/p.png';
                setTimeout(() => done('not blocked'), 3000);
            })"""
        )
        assert blocked == "img-src", blocked  # (Playwright still lists the refused attempt)
    finally:
        page.context.close()

    path = tmp_path / "demo-report.html"
    path.write_text(render_html(demo), encoding="utf-8")
    page, requests, dialogs, errors = _open_offline(browser, path)
    try:
        n_demo = sum(len(s.figures) for s in demo.sections)
        page.locator(".figure .main-svg").first.wait_for(state="attached", timeout=30_000)
        expect(page.locator(".figure .main-svg:first-child")).to_have_count(n_demo)
        # interactive: hovering a bar of the top products chart shows plotly's hover label
        bar = page.locator("#fig-top_products-0 .bars path").first
        bar.scroll_into_view_if_needed()
        box = bar.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        expect(page.locator("#fig-top_products-0 .hoverlayer .hovertext").first).to_be_attached()
        # every headline tile holds its figure (3,731,389.17 once ran out of its box)
        spill = page.evaluate(SPILL)
        assert spill == [], spill
        # every chart fills its box: the basket rules' network (340 px) sat in a 360 px box
        assert page.locator("#fig-basket-0 .main-svg").count() >= 1
        assert page.evaluate(LOOSE) == []
        _shot(page, "report-demo")
        # printed on A4 (about 794 px wide), each money tile shows its exact amount under the
        # compact figure, and still no tile runs out of its box
        page.emulate_media(media="print")
        page.set_viewport_size({"width": 794, "height": 1123})
        exact = page.locator("#kpis .metric .exact")
        assert exact.count() >= 1  # net revenue (AOV and the counts are exact already)
        expect(exact.first).to_be_visible()
        # the headline figures' section by its key: the digest comes first now
        kpis = next(s for s in demo.sections if s.key == "kpis")
        money = [m for m in kpis.metrics if m.exact and m.exact != m.value]
        assert exact.all_inner_texts() == [m.exact for m in money]
        spill = page.evaluate(SPILL)
        assert spill == [], spill
        _shot(page, "report-demo-print")
        assert requests == [], requests
        assert dialogs == [] and errors == [], (dialogs, errors)
    finally:
        page.context.close()


def test_printed_tiles_show_the_exact_amount(browser, tmp_path):
    """On screen a tile reads €13k (exact on hover); printed, where nothing hovers, the
    exact amount is a line under it: 2 × 1,000.25 + 9,999.99 + 4 × 250.00 = €13,000.49."""
    from ecomdash.report import SECTIONS
    from tests.unit.test_report_money import EURO_CSV

    store = Store.open(tmp_path / "home")
    try:
        res = load_bytes(EURO_CSV.encode("utf-8"), "euro.csv")
        info = store.save_dataset("Euro shop", res.lines, report=res.report)
        kpis = tuple(s for s in SECTIONS if s.key == "kpis")
        reports = {
            lang: build_report(store, info.id, sections=kpis, lang=lang) for lang in ("en", "zh")
        }
    finally:
        store.close()
    for lang, value in (("en", "€13k"), ("zh", "€1.3万")):
        path = tmp_path / f"euro-{lang}.html"
        path.write_text(render_html(reports[lang]), encoding="utf-8")
        page, requests, dialogs, errors = _open_offline(browser, path)
        try:
            tile = page.locator(".metric").first
            expect(tile.locator(".value")).to_have_text(value)
            expect(tile.locator(".exact")).to_be_hidden()  # the screen shows the hover only
            page.emulate_media(media="print")
            expect(tile.locator(".exact")).to_be_visible()
            expect(tile.locator(".exact")).to_have_text("€13,000.49")
            # and the average order's (€4,333 on screen since tiles write money whole from
            # 1,000); the order count has no exact line
            expect(page.locator(".metric .exact:visible")).to_have_text(["€13,000.49", "€4,333.50"])
            assert page.evaluate(SPILL) == []
            _shot(page, f"report-print-{lang}")
            assert requests == [] and dialogs == [] and errors == [], (requests, dialogs, errors)
        finally:
            page.context.close()


def test_sidebar_button_downloads_the_report(browser, app_url, tmp_path):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = ctx.new_page()
    external: list[str] = []
    page.on(
        "request",
        lambda r: None if r.url.startswith((app_url, "data:", "blob:")) else external.append(r.url),
    )
    try:
        open_app(page, app_url)
        side = page.get_by_test_id("stSidebar")
        button = side.get_by_test_id("stDownloadButton").filter(has_text="Download report")
        expect(button).to_be_visible()
        with page.expect_download(timeout=300_000) as dl:
            side.get_by_role("button", name="Download report").click()
        assert re.fullmatch(r"report-Demo-merchant-[0-9a-f]{12}\.html", dl.value.suggested_filename)
        html = Path(dl.value.path()).read_text(encoding="utf-8")
        assert "<h1>Demo merchant</h1>" in html
        for key in ("kpis", "basket", "forecast", "restock", "segments", "churn", "recommend"):
            assert f'<section id="{key}"' in html, key
        wait_for_app_run(page, timeout=300_000)
        expect(
            side.get_by_text(
                re.compile(
                    r"Report built in "
                    r"(under 0\.1\u00a0s|\d\.\d\u00a0s|\d+\u00a0s|\d+\u00a0min( \d+\u00a0s)?)$"
                )
            )
        ).to_be_visible(timeout=300_000)
        OUT.mkdir(parents=True, exist_ok=True)
        side.screenshot(path=str(OUT / "report-sidebar.png"))
        assert external == [], external
    finally:
        ctx.close()
