"""The Segments page in a real browser: only the open tab is drawn, and clicking another tab
reruns the page and shows that tab (st.tabs with on_change="rerun"); the movement matrix fits
a 1280 px window in English and Chinese."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.conftest import (
    assert_fits,
    open_app,
    screenshot,
    table_widths,
    wait_for_app_run,
)
from tests.e2e.test_pages import assert_clean, goto_page


def test_segments_tabs_draw_on_click(page, app_url):
    # the first start creates the demo: over open_app's 90 s on a loaded machine
    open_app(page, app_url, timeout=240_000)
    goto_page(page, "Segments")
    main = page.get_by_test_id("stMain")
    # the first tab: its two figures (treemap, R x FM grid); the scatter's note is not there
    expect(main.get_by_test_id("stPlotlyChart")).to_have_count(2, timeout=60_000)
    expect(main.get_by_text("The chart draws 2,000 of")).to_have_count(0)
    main.get_by_role("tab", name="Clusters by behaviour", exact=True).click()
    wait_for_app_run(page)
    # silhouette curve, profile heatmap, the customer scatter and its note
    expect(main.get_by_test_id("stPlotlyChart")).to_have_count(3, timeout=60_000)
    expect(main.get_by_text("The chart draws 2,000 of").first).to_be_visible()
    # what is clustered, in one sentence: the repeat customers; one-time buyers apart
    expect(main.get_by_text("who ordered at least twice; the ").first).to_be_visible()
    screenshot(page, "segments-clusters-tab")
    # who moved where: the flow chart, then the matrix headed by both dates, its file beside
    main.get_by_role("tab", name="Movement", exact=True).click()
    wait_for_app_run(page)
    expect(main.get_by_test_id("stPlotlyChart")).to_have_count(1, timeout=60_000)
    expect(main.get_by_role("button", name="Download matrix")).to_be_visible()
    main.get_by_role("button", name="Download matrix").scroll_into_view_if_needed()
    screenshot(page, "segments-movement-tab")
    # the matrix within the page at 1280 px (909 px of content in its 818 in English)
    assert_fits(table_widths(page, shot="segments-movement-1280"))
    main.get_by_role("tab", name="Download", exact=True).click()
    wait_for_app_run(page)
    expect(main.get_by_role("button", name="Download customer list")).to_be_visible()
    expect(main.get_by_test_id("stPlotlyChart")).to_have_count(0)
    assert_clean(page)


def test_the_movement_matrix_fits_a_1280_px_window_in_chinese(page, app_url):
    """The same matrix with Chinese headers (824 px of content in 818 before)."""
    open_app(page, app_url + "/?lang=zh")
    goto_page(page, "客户分群")
    main = page.get_by_test_id("stMain")
    main.get_by_role("tab", name="客户迁移", exact=True).click()
    wait_for_app_run(page)
    expect(main.get_by_test_id("stDataFrame")).to_have_count(1, timeout=60_000)
    assert_fits(table_widths(page, shot="zh-segments-movement-1280"))
    assert_clean(page)
