"""AppTest helpers: run one page file alone against a store seeded in the test's ECOMDASH_HOME."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _show_error_details():
    """The app hides error details from users (config.toml); tests need to see them."""
    from streamlit import config

    before = config.get_option("client.showErrorDetails")
    config.set_option("client.showErrorDetails", "full")
    yield
    config.set_option("client.showErrorDetails", before)


@pytest.fixture(autouse=True)
def _clear_streamlit_caches():
    """AppTest instances share the global caches: clear them around every test."""
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def demo_dataset(_isolated_home, demo):
    """The demo merchant saved in this test's store; returns its DatasetInfo.

    Reuses the session's generated demo (``demo`` fixture) instead of generating it again.
    """
    from ecomdash.store import Store

    store = Store.open(_isolated_home)
    try:
        return store.ensure_demo(demo.lines)
    finally:
        store.close()


def run_page(
    page_file: str, *, dataset_id: str | None = None, timeout: float = 60, lang: str | None = None
) -> AppTest:
    """Run ``pages/<page_file>`` alone (no frame) with ``dataset_id`` selected, in ``lang``
    (through the URL's ``?lang=``, as a shared link opens it) when given."""
    at = AppTest.from_file(str(ROOT / "pages" / page_file), default_timeout=timeout)
    if dataset_id is not None:
        at.session_state["dataset_id"] = dataset_id
    if lang is not None:
        at.query_params["lang"] = lang
    at.run()
    return at


def run_app(
    *, dataset_id: str | None = None, timeout: float = 60, lang: str | None = None
) -> AppTest:
    """Run the whole frame (app.py) with its navigation and sidebar."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    if dataset_id is not None:
        at.session_state["dataset_id"] = dataset_id
    if lang is not None:
        at.query_params["lang"] = lang
    at.run()
    return at


def displayed_frame(element):
    """An AppTest dataframe element's table with the headers the browser shows (column_config
    labels where set), so a test reads it by what the merchant sees."""
    import json

    config = json.loads(element.proto.columns or "{}")
    df = element.value
    return df.rename(columns={c: config.get(str(c), {}).get("label") or c for c in df.columns})
