"""A page's own address opened first on a fresh server (a bookmark, a link from the report or an
e-mail): the page runs inside the app's frame, not alone.

Until some session has called ``st.navigation``, Streamlit routes by the legacy ``pages/``
folder: without ``ui.common.into_the_frame`` this visit ran ``pages/overview.py`` by itself,
with the files' names as the menu ("app", "alerts", ...) and no dataset or language picker.
Its own server: the session server has long called ``st.navigation`` by the time this runs."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    GOTO_TIMEOUT,
    screenshot,
    start_server,
    stop_server,
    wait_for_app_run,
)

LONG = 240_000


@pytest.mark.parametrize(("address", "title"), [("overview", "Overview"), ("data", "Data")])
def test_first_visit_to_a_page_address_opens_it_in_the_frame(
    browser, tmp_path_factory, address, title
):
    """The Data page (its own script, no page_setup) ran alone at /data until session 52."""
    proc, url = start_server(
        tmp_path_factory.mktemp("deep_home"), tmp_path_factory.mktemp("st_deep") / "server.log"
    )
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = ctx.new_page()
        page.goto(f"{url}/{address}", timeout=GOTO_TIMEOUT)
        page.wait_for_selector("[data-testid='stAppViewContainer']", state="attached")
        wait_for_app_run(page, timeout=LONG)
        main = page.get_by_test_id("stMain")
        expect(main.get_by_role("heading", name=title).first).to_be_visible(timeout=LONG)
        sidebar = page.get_by_test_id("stSidebar")
        # the frame's navigation: the pages' titles, not their file names
        nav = sidebar.get_by_test_id("stSidebarNavLink")
        expect(nav.filter(has_text="Pricing & promotions")).to_have_count(1)
        expect(nav.filter(has_text="app")).to_have_count(0)
        # the frame's sidebar: language and dataset pickers
        expect(sidebar.get_by_text("Language · 语言")).to_be_visible()
        expect(sidebar.get_by_text("Dataset", exact=True)).to_be_visible()
        assert f"/{address}" in page.url and "dataset=" in page.url, page.url
        expect(page.get_by_test_id("stException")).to_have_count(0)
        screenshot(page, f"deep-link-{address}")
    finally:
        ctx.close()
        stop_server(proc)
