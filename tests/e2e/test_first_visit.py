"""A first-time merchant on the demo: the home's findings, each finding's link, then every page
as it opens (no Run pressed). Fails on an exception, an empty page, or a page that still asks
for Run before showing anything. Screenshots go to test-output/e2e/first-visit-*.png."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import expect

from tests.e2e.conftest import open_app, screenshot, settled_count, wait_for_app_run
from tests.e2e.test_pages import PAGES, assert_clean, goto_page

#: What a page shows when it has results: any of these in the main area.
RESULTS = "[data-testid='stMetric'], [data-testid='stDataFrame'], [data-testid='stPlotlyChart']"
LONG = 240_000  # the first visit computes every analysis of the demo
#: Where each finding's link leads (the page's url path) on the demo.
LINK_PAGES = {
    "Restock planner": "forecast",
    "Win-back list": "customer_value",
    "Basket rules": "basket",
    "RFM segments": "segments",
    "Price what-if": "pricing",
    "Promotions": "pricing",
    "How good is it?": "recommendations",
    "Alerts": "alerts",
    "Forecast": "forecast",
}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z]+", "-", text.lower()).strip("-")


def assert_has_results(page, where: str) -> None:
    main = page.get_by_test_id("stMain")
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert main.locator(RESULTS).count() > 0, f"{where}: no metric, table or chart on arrival"
    body = main.inner_text()
    assert "press Run" not in body and "press Plan" not in body, f"{where} asks for Run first"


def _finding_links(page):
    return page.get_by_test_id("stMain").locator("[class*='st-key-finding_'] a")


def wait_for_home(page) -> None:
    """The home's run is over: its steps ended with how long they took, then the script finished
    drawing the findings under them (reading them before that raced with the drawing)."""
    expect(
        page.get_by_text(re.compile(r"Finding what to do this week done in")).first
    ).to_be_visible(timeout=LONG)
    wait_for_app_run(page, timeout=LONG)


def home_steps(page) -> str:
    """What the home's status said of each analysis (done, nothing to act on, could not run,
    still computing), to say in a failure which analyses gave no finding and why."""
    # the home's own status (a first start shows the demo's creation above it)
    main = page.get_by_test_id("stMain").get_by_test_id("stExpander")
    status = main.filter(has_text="Finding what to do this week").first
    return (status.text_content() or "").strip()


def open_home(page, app_url) -> None:
    """The home, once its analyses are done: on a loaded machine one may pass the home's wait
    and finish in the background, as designed; the merchant then comes back to it."""
    open_app(page, app_url)
    wait_for_home(page)
    for _ in range(12):
        if page.get_by_text("still computing in the background").count() == 0:
            return
        page.wait_for_timeout(10_000)
        goto_page(page, "Home")
        wait_for_home(page)
    raise AssertionError(f"the home's analyses never finished: {home_steps(page)}")


def test_first_time_merchant_walks_home_findings_and_pages(page, app_url):
    open_home(page, app_url)  # the work was shown and ended with how long it took
    expect(page.get_by_text("What to do this week").first).to_be_visible()
    links = _finding_links(page)
    n = settled_count(links)
    # restock, win-back, segments, price change, bundle, promotion, recommendations
    assert n >= 7, f"only {n} findings on the demo's home; its steps: {home_steps(page)}"
    labels = [links.nth(i).locator("p").inner_text().strip() for i in range(n)]
    assert {"RFM segments", "Price what-if", "Promotions", "How good is it?"} <= set(labels)
    # money in the demo's currency (£) on every sized finding
    stakes = page.get_by_test_id("stMain").locator(
        "[class*='st-key-finding_'] [data-testid='stMetricValue']"
    )
    n_stakes = settled_count(stakes)
    assert n_stakes >= 6
    values = [stakes.nth(i).inner_text() for i in range(n_stakes)]
    assert all(v.startswith("£") for v in values if v != "not sized"), values
    assert_has_results(page, "Home")
    screenshot(page, "first-visit-home")

    for i, label in enumerate(labels):
        goto_page(page, "Home")
        wait_for_home(page)
        link = _finding_links(page).nth(i)
        expect(link).to_contain_text(label)
        link.click()
        wait_for_app_run(page, timeout=LONG)
        assert_has_results(page, f"finding {i + 1} ({label})")
        query = parse_qs(urlparse(page.url).query)
        assert "dataset" in query, page.url
        if label in LINK_PAGES:  # the link opened the finding's page
            assert urlparse(page.url).path.rstrip("/").endswith(LINK_PAGES[label]), page.url
        main = page.get_by_test_id("stMain")
        if label == "Restock planner":  # the link opens the planner's tab
            expect(main.get_by_role("tab", name="Restock planner", selected=True)).to_have_count(1)
        if label == "Win-back list":
            expect(
                main.get_by_role("tab", name="Act: customers at risk", selected=True)
            ).to_have_count(1)
        if label in ("Price what-if", "Promotions"):  # the link opens the finding's tab
            tab = "What-if" if label == "Price what-if" else "Promotions"
            expect(main.get_by_role("tab", name=tab, selected=True)).to_have_count(1)
        if label == "Basket rules":  # the rules are filtered to the bundle's product
            assert query.get("item"), page.url
            item = main.get_by_test_id("stSelectbox").filter(has_text="Item on either side")
            expect(item).not_to_contain_text("any item")
        screenshot(page, f"first-visit-{i + 1}-{_slug(label)}")

    for title in PAGES:
        goto_page(page, title)
        wait_for_app_run(page, timeout=LONG)
        if title != "Data":  # the Data page is an upload form and the datasets' list
            assert_has_results(page, title)
        screenshot(page, f"first-visit-page-{_slug(title)}")
    assert_clean(page)


def test_home_adds_the_background_findings_by_itself(browser, tmp_path_factory):
    """A server whose home waits only half a second for each analysis: the home first shows
    the KPIs and what is still computing, then adds the findings by itself (its fragment
    polls the background work and reruns the page), with no reload by the merchant."""
    from tests.e2e.conftest import start_server, stop_server

    home = tmp_path_factory.mktemp("home_wait")
    proc, url = start_server(
        home, tmp_path_factory.mktemp("st_wait") / "server.log", {"ECOMDASH_HOME_WAIT_S": "0.5"}
    )
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = ctx.new_page()
        open_app(page, url)
        expect(page.get_by_text(re.compile(r"^Still computing:")).first).to_be_visible(timeout=LONG)
        expect(page.get_by_test_id("stMetric").filter(has_text="Net revenue")).to_have_count(1)
        screenshot(page, "home-still-computing")
        # no reload: the findings appear as the background analyses finish
        expect(_finding_links(page).nth(6)).to_be_visible(timeout=LONG)  # 7 on the demo
        wait_for_app_run(page, timeout=LONG)
        expect(page.get_by_text("still computing in the background")).to_have_count(0)
        expect(page.get_by_test_id("stException")).to_have_count(0)
        screenshot(page, "home-findings-added")
    finally:
        ctx.close()
        stop_server(proc)
