"""Every page in a real browser on the demo merchant, an upload on the Data page, filters."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    cut_metric_labels,
    open_app,
    screenshot,
    settled_count,
    table_widths,
    wait_for_app_run,
)

PAGES = [
    "Home",
    "Overview",
    "Data",
    "Basket analysis",
    "Forecast & restock",
    "Segments",
    "Customer value",
    "Recommendations",
    "Pricing & promotions",
    "Alerts",
]


def goto_page(page, title: str) -> None:
    page.get_by_test_id("stSidebarNavLink").filter(has_text=title).first.click()
    wait_for_app_run(page)


# The form buttons each page offers (read from ecomdash/ui: st.form_submit_button other than Save).
FORMS = {
    "Home": [],  # findings on arrival; no form
    "Overview": [],
    "Data": [],
    "Basket analysis": ["Run"],
    "Forecast & restock": ["Run", "Run", "Plan"],  # one form in each of its three tabs
    "Segments": ["Run"],
    "Customer value": ["Run"],
    "Recommendations": ["Run"],
    "Pricing & promotions": [],  # results on arrival; the what-if widgets are outside forms
    "Alerts": [],  # its only form is "Save muting", which changes saved state: never clicked
}


def run_forms(page, *, timeout: int = 180_000) -> list[str]:
    """Click each form button of the page once (Run, Plan ...; never Save...): first those outside
    the tabs, then, tab by top-level tab, those inside it; wait for each run to finish.
    Returns the labels of the buttons clicked."""
    main = page.get_by_test_id("stMain")
    tabs = main.get_by_role("tab")
    # the top-level tabs only: pages open on their results, whose nested tabs are not walked
    # (hidden once another top-level tab is chosen)
    names = [
        tabs.nth(i).inner_text()
        for i in range(settled_count(tabs, quiet=500))
        if tabs.nth(i).evaluate("t => !t.closest('[role=tabpanel]')")
    ]
    clicked: list[str] = []

    def click_visible(in_tab: bool) -> None:
        buttons = main.locator("[data-testid='stFormSubmitButton'] button").filter(
            has_not_text=re.compile(r"^\s*Save\b")
        )
        for i in range(buttons.count()):
            b = buttons.nth(i)
            if b.is_visible() and b.evaluate("b => !!b.closest('[role=tabpanel]')") == in_tab:
                clicked.append(b.inner_text().strip())
                b.click()
                wait_for_app_run(page, timeout=timeout)

    click_visible(in_tab=False)
    for name in names:
        main.get_by_role("tab", name=name, exact=True).first.click()
        page.wait_for_timeout(200)
        click_visible(in_tab=True)
    return clicked


def assert_clean(page) -> None:
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert page.watch.external == [], page.watch.external
    assert page.watch.errors == [], page.watch.errors


def test_home_renders_demo(page, app_url):
    open_app(page, app_url)  # the home is the default page: findings, then the KPI cards
    expect(page.get_by_text("What to do this week").first).to_be_visible()
    expect(page.get_by_test_id("stMetric").first).to_be_visible()
    expect(page.get_by_text("Net revenue").first).to_be_visible()
    assert "dataset=" in page.url  # the dataset is in the URL
    shot = screenshot(page, "home")
    assert shot.stat().st_size > 20_000
    # no tile's label cut at a laptop's width ("Average order …" in equal columns)
    assert cut_metric_labels(page, 1280) == []
    assert_clean(page)


@pytest.mark.parametrize("title", PAGES[1:])
def test_every_page_renders_and_runs(page, app_url, title):
    open_app(page, app_url)
    if page.get_by_test_id("stSidebarNavLink").filter(has_text=title).count() == 0:
        pytest.fail(f"page {title!r} is not in the navigation")
    goto_page(page, title)
    # a selector that stops matching would run nothing and pass: the forms run are counted
    assert run_forms(page) == FORMS[title]
    expect(page.get_by_test_id("stException")).to_have_count(0)
    slug = re.sub(r"[^a-z]+", "-", title.lower()).strip("-")
    screenshot(page, slug)
    assert_clean(page)


#: Tables measured in a 1280 px window, per page: (tab, button pressed there first; None:
#: the page as it opens, no button). Before, in English: the basket's top rules and the
#: products bought with one ran 2 and 3 px past their border, a product's "Also bought" 1,
#: the forecast's backtest per model 250, "How good is it?" 20 and the export's first rows 30
#: (Chromium; the Chinese ones in test_zh_walk).
FIT_TABS = {
    "Basket analysis": (("Charts", None), ("Product lookup", None)),
    "Forecast & restock": (("Backtest per model", None),),
    "Recommendations": (
        ("For a product", None),
        ("How good is it?", None),
        ("Export all", "Prepare the export"),
    ),
}


def test_tables_fit_a_1280_px_window(page, app_url):
    """Each table of :data:`FIT_TABS` within its border: not a pixel to scroll sideways."""
    open_app(page, app_url)
    widths = {}
    for title, tabs in FIT_TABS.items():
        goto_page(page, title)
        main = page.get_by_test_id("stMain")
        for tab, button in tabs:
            main.get_by_role("tab", name=tab, exact=True).first.click()
            wait_for_app_run(page)
            if button:
                main.get_by_role("button", name=button, exact=True).click()
                wait_for_app_run(page, timeout=180_000)
            slug = re.sub(r"[^a-z]+", "-", f"{title} {tab}".lower()).strip("-")
            widths[f"{title} > {tab}"] = table_widths(page, shot=f"fit-{slug}")
    overflow = {w: d for w, d in widths.items() if not d or any(c > s for c, s in d)}
    assert overflow == {}, overflow  # (content, shown) px of each table; none drawn: []
    assert_clean(page)


def test_period_filter_adds_comparison(page, app_url):
    open_app(page, app_url)
    page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").filter(has_text="Period").click()
    page.get_by_role("option", name="Last 90 days").click()
    wait_for_app_run(page)
    expect(page.get_by_test_id("stMetricDelta").first).to_be_visible()
    screenshot(page, "overview-last-90-days")
    assert_clean(page)


def test_upload_on_data_page_and_see_it_in_overview(page, app_url, tmp_path):
    csv = tmp_path / "shop-export.csv"
    csv.write_text(
        "Name,Created at,Email,Lineitem sku,Lineitem name,Lineitem quantity,Lineitem price,"
        "Shipping Country\n"
        "#1001,2024-03-01 10:00:00 +0000,a@x.com,SKU-1,Blue mug,2,12.50,DE\n"
        "#1001,2024-03-01 10:00:00 +0000,a@x.com,SKU-2,Green tea,1,8.00,DE\n"
        "#1002,2024-03-02 11:30:00 +0000,b@x.com,SKU-1,Blue mug,1,12.50,FR\n"
        "#1003,2024-03-05 09:15:00 +0000,a@x.com,SKU-3,Teapot,1,40.00,DE\n",
        encoding="utf-8",
    )
    open_app(page, app_url)
    goto_page(page, "Data")
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(csv))
    wait_for_app_run(page)
    expect(page.get_by_text("Cleaning report").first).to_be_visible()
    screenshot(page, "data-upload-report")
    # the Save form shows only the input of the chosen mode (the demo is there to add to)
    name_input = page.get_by_test_id("stTextInput").filter(has_text="Name of the new dataset")
    target = page.get_by_test_id("stSelectbox").filter(has_text="Dataset to add to")
    save_as = page.get_by_test_id("stRadio").filter(has_text="Save as")
    expect(name_input).to_have_count(1)
    expect(target).to_have_count(0)
    save_as.get_by_text("Add to an existing dataset").click()
    wait_for_app_run(page)
    expect(target).to_have_count(1)
    expect(name_input).to_have_count(0)
    expect(page.get_by_text("Rows read").first).to_be_visible()  # the upload is still there
    screenshot(page, "data-upload-append")
    save_as.get_by_text("A new dataset").click()
    wait_for_app_run(page)
    expect(name_input).to_have_count(1)
    expect(target).to_have_count(0)
    page.get_by_test_id("stTextInput").filter(has_text="Name of the new dataset").locator(
        "input"
    ).fill("Shopify March")
    page.get_by_test_id("stFormSubmitButton").filter(has_text="Save").locator("button").click()
    wait_for_app_run(page)
    expect(page.get_by_text("Saved 4 lines as a new dataset.").first).to_be_visible(timeout=30_000)
    goto_page(page, "Overview")
    # 2*12.5 + 8 + 12.5 + 40 = 85.50 net revenue, 3 orders
    expect(page.get_by_test_id("stMetricValue").filter(has_text="85.50").first).to_be_visible()
    expect(
        page.get_by_test_id("stMetricValue").filter(has_text=re.compile(r"^3$")).first
    ).to_be_visible()
    screenshot(page, "overview-uploaded")
    assert_clean(page)
