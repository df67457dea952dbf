"""AppTest helpers: run one page file alone against a store seeded in the test's ECOMDASH_HOME."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
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


def _copy_store(template: Path, home: Path) -> None:
    """Copy a saved store (its whole directory: the DuckDB file and anything beside it) into
    ``home``, the test's own empty store directory, so what the test writes stays its own."""
    shutil.copytree(template, home, dirs_exist_ok=True)


@pytest.fixture(scope="session")
def _demo_store_template(tmp_path_factory, demo):
    """The demo merchant saved once per worker (xdist: one session per worker) into a
    template store that no test opens; returns (its directory, its DatasetInfo)."""
    from ecomdash.store import Store

    template = tmp_path_factory.mktemp("demo_store")
    store = Store.open(template)
    try:
        info = store.ensure_demo(demo.lines)
    finally:
        store.close()
    return template, info


@pytest.fixture
def demo_dataset(_isolated_home, _demo_store_template):
    """The demo merchant saved in this test's store; returns its DatasetInfo.

    The store is a copy of a template saved once per worker from the session's generated demo
    (``demo`` fixture), so a test that writes or deletes changes only its own copy.
    """
    template, info = _demo_store_template
    _copy_store(template, _isolated_home)
    return info


@pytest.fixture
def zh_lines(demo_zh_merchant) -> pd.DataFrame:
    """The Chinese demo merchant's lines (``demo_zh.generate(7)``): this test's own copy of the
    worker's one generation (a test that changes the frame cannot change what another sees)."""
    return demo_zh_merchant.lines.copy()


@pytest.fixture(scope="session")
def _zh_store_templates(tmp_path_factory, demo_zh_merchant):
    """Saves the Chinese demo once per worker and per way of saving it (name and report) into
    a template store; returns ``template(name, report) -> (directory, DatasetInfo)``."""
    from ecomdash.store import Store

    made: dict[str, tuple[Path, object]] = {}

    def template(name: str, report: dict | None) -> tuple[Path, object]:
        key = json.dumps([name, report], sort_keys=True, ensure_ascii=False)
        if key not in made:
            directory = tmp_path_factory.mktemp("zh_store")
            store = Store.open(directory)
            try:
                info = store.save_dataset(
                    name, demo_zh_merchant.lines, report=report, source="generated"
                )
            finally:
                store.close()
            made[key] = (directory, info)
        return made[key]

    return template


def zh_demo_report(merchant) -> dict:
    """The cleaning report the Chinese demo ``merchant`` (``demo_zh.generate``) is saved with
    by ``ecomdash demo --locale zh`` (``cli/demo.py``) and by the app's first start in Chinese
    (``ui.common.ensure_demo_for_language``): ``ingest.cleaning_report.generated_report`` of its
    lines with its truth's currency, CNY. Without the currency the Chinese page tests never
    saw ¥."""
    from ecomdash.ingest.cleaning_report import generated_report
    from ecomdash.labels import PROVINCES

    # its country column holds provinces (labels.places_are_provinces): "Province" / 省份
    return generated_report(merchant.lines, currency=merchant.truth.currency, places=PROVINCES)


@pytest.fixture
def zh_store(_isolated_home, _zh_store_templates, demo_zh_merchant):
    """``zh_store(name, report=None)`` puts the Chinese demo, saved as ``name`` with ``report``,
    in this test's store (a copy of a per-worker template) and returns its DatasetInfo. The
    default report is the one ``ecomdash demo --locale zh`` records (:func:`zh_demo_report`):
    prices in CNY, so the pages show ¥ as a merchant's Chinese demo does."""

    def put(name: str = "演示商户", report: dict | None = None):
        if report is None:  # as `ecomdash demo --locale zh` and the app's Chinese demo save it
            report = zh_demo_report(demo_zh_merchant)
        template, info = _zh_store_templates(name, report)
        _copy_store(template, _isolated_home)
        return info

    return put


def save_upload(home: Path, path: Path, name: str):
    """The file at ``path`` read as an upload is (``ingest.load_bytes``) and saved in the store
    at ``home`` with its report and mapping, as the Data page saves it: its ``DatasetInfo``."""
    from ecomdash.ingest import load_bytes
    from ecomdash.store import Store

    res = load_bytes(Path(path).read_bytes(), Path(path).name)
    store = Store.open(home)
    try:
        return store.save_dataset(name, res.lines, report=res.report, mapping=res.mapping.as_dict())
    finally:
        store.close()


def saved_dataset(home: Path):
    """The one dataset saved in the store at ``home`` besides the demo (a test that saved it)."""
    from ecomdash.store import Store

    store = Store.open(home)
    try:
        [info] = [d for d in store.list_datasets() if not d.is_demo]
    finally:
        store.close()
    return info


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


def column_types(element) -> dict[str, str | None]:
    """An AppTest dataframe element's column types as the browser draws them ("date",
    "checkbox", "number", "text"; None for a column sent without a config)."""
    cfg = json.loads(element.proto.columns or "{}")
    return {
        str(c): (cfg.get(str(c), {}).get("type_config") or {}).get("type")
        for c in element.value.columns
    }


def money_shown(element, column: str) -> tuple[str, str]:
    """Where a table's money column shows its currency: ``("cells", "£")`` (format
    ``£%,.2f``), or ``("header", "£")`` for a column holding an amount below zero ("Bias
    (£)" over "-105.00", as ``ui.tables._shown`` writes it; printf wrote "£-105.00")."""
    cfg = json.loads(element.proto.columns or "{}")[column]
    number, label = cfg["type_config"]["format"], cfg["label"]
    below = bool((pd.to_numeric(element.value[column]).round(2) < 0).any())
    if below:
        assert number.startswith("%"), (column, cfg)
        left, right = ("（", "）") if label.endswith("）") else (" (", ")")
        assert label.endswith(right) and left in label, (column, cfg)
        return "header", label[label.rindex(left) + len(left) : -len(right)]
    assert number.endswith("%,.2f"), (column, cfg)
    return "cells", number[: -len("%,.2f")]


@pytest.fixture(scope="session")
def _spark_demo_lake_template(tmp_path_factory, spark_session, demo):
    """The demo merchant written once per worker into a template Spark lake that no test opens;
    returns (the lake's directory, the dataset's id)."""
    from ecomdash.spark.store import SparkStore

    lake = tmp_path_factory.mktemp("spark_demo") / "lake"
    return lake, SparkStore(spark_session, str(lake)).ensure_demo(demo.lines).id


@pytest.fixture
def spark_demo_lake(tmp_path, _spark_demo_lake_template):
    """A copy of the demo merchant's Spark lake for this test alone (the catalogue names parts
    relative to the lake, so the copy is a complete lake); returns (lake path, dataset id)."""
    template, dataset_id = _spark_demo_lake_template
    lake = tmp_path / "lake"
    shutil.copytree(template, lake)
    return lake, dataset_id
