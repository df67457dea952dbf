"""A real browser uploads the tables of one export at once on the Data page (Olist-like:
orders, one-row-per-unit items, customers, products, payments, category translation), sees the
proposed joins and counts, saves, and the Overview shows the generation's totals."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import open_app, screenshot, wait_for_app_run
from tests.e2e.test_pages import assert_clean, goto_page
from tests.multi_fixtures import olist_like


def test_upload_several_files_at_once_and_save_one_dataset(page, app_url, tmp_path):
    files, truth = olist_like()
    paths = []
    for name, data in files.items():
        p = tmp_path / name
        p.write_bytes(data)
        paths.append(str(p))
    open_app(page, app_url)
    goto_page(page, "Data")
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(paths)
    wait_for_app_run(page)
    expect(page.get_by_text("Rows before and after each step").first).to_be_visible()
    expect(page.get_by_text("appears 2 times").first).to_be_visible()  # payments refused
    expect(page.get_by_text("Cleaning report").first).to_be_visible()
    screenshot(page, "data-multi-upload")
    page.get_by_test_id("stTextInput").filter(has_text="Name of the new dataset").locator(
        "input"
    ).fill("Olist sample")
    page.get_by_test_id("stFormSubmitButton").filter(has_text="Save").locator("button").click()
    wait_for_app_run(page)
    expect(
        page.get_by_text(f"Saved {truth['saved_rows']} lines as a new dataset.").first
    ).to_be_visible(timeout=30_000)
    goto_page(page, "Overview")
    # orders that were not cancelled (every 29th order is 'canceled' in the fixture)
    kept_orders = truth["orders"] - sum(1 for o in range(truth["orders"]) if o % 29 == 28)
    expect(
        page.get_by_test_id("stMetricValue").filter(has_text=re.compile(rf"^{kept_orders}$")).first
    ).to_be_visible()
    screenshot(page, "overview-multi")
    assert_clean(page)
