"""Shared fixtures: real public datasets (by relative path to ../shared/data) and the demo merchant."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
UCI_PATH = SHARED_DATA / "online_retail_ii_2009_2010.csv.gz"
GROCERIES_PATH = SHARED_DATA / "groceries.csv.gz"
CDNOW_SUMMARY_PATH = SHARED_DATA / "cdnow_customers_summary.csv"
CDNOW_SAMPLE_PATH = SHARED_DATA / "cdnow_sample.txt.gz"
CDNOW_MASTER_PATH = SHARED_DATA / "cdnow_master.txt.gz"
US_RETAIL_PATH = SHARED_DATA / "us_retail_sales_monthly.csv.gz"


def kept_customer_sales(lines: pd.DataFrame) -> pd.Series:
    """By hand, independent of the core: the lines that make someone a customer — a product
    sale (not a return, postage or fee) with an amount and units, not cancelled, with an id."""
    return (
        ~lines["is_return"]
        & ~lines["is_non_product"]
        & ~lines["is_cancelled"]
        & (lines["revenue"] > 0)
        & (lines["quantity"] > 0)
        & lines["customer_id"].notna()
    )


def in_ci() -> bool:
    """True when the environment says this is CI (``CI=true``, as CI services and .ci/run set)."""
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def shared(path: Path) -> Path:
    """``path`` when the shared dataset is beside the checkout; otherwise skip with the reason,
    or, in CI (``CI=true``), fail: there a missing dataset must not silently skip its tests."""
    if not path.exists():
        reason = f"shared dataset {path} not found (expected ../shared/data beside the repo)"
        if in_ci():
            pytest.fail(f"{reason}; CI=true, so this is a failure, not a skip", pytrace=False)
        pytest.skip(reason)
    return path


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    """Every test gets its own empty store directory: no test sees another's datasets."""
    home = tmp_path / "ecomdash_home"
    home.mkdir()
    monkeypatch.setenv("ECOMDASH_HOME", str(home))
    yield home


@pytest.fixture(scope="session")
def uci_lines() -> pd.DataFrame:
    """UCI Online Retail II 2009-2010 read through the real ingest pipeline (canonical table)."""
    from ecomdash.ingest import load_path

    return load_path(shared(UCI_PATH)).lines


@pytest.fixture(scope="session")
def uci_sales(uci_lines) -> pd.DataFrame:
    """UCI after standard cleaning (:func:`ecomdash.schema.sales_lines`)."""
    from ecomdash.schema import sales_lines

    return sales_lines(uci_lines)


@pytest.fixture(scope="session")
def demo():
    """The generated demo merchant (lines + planted truth), default seed."""
    from ecomdash.demo import generate

    return generate()


@pytest.fixture
def demo_id(_isolated_home, demo) -> str:
    """The demo merchant saved in the test's own store directory (where the CLI and the report
    find it), its dataset id; a module with its own ``store`` fixture defines its own."""
    from ecomdash.store import Store

    store = Store.open(_isolated_home)
    try:
        return store.ensure_demo(demo.lines).id
    finally:
        store.close()


@pytest.fixture(scope="module")
def demo_alerts(demo, tmp_path_factory):
    """The demo merchant's alerts (find_alerts with its defaults), once per test module."""
    from ecomdash.alerts import find_alerts
    from ecomdash.store import Store

    store = Store.open(tmp_path_factory.mktemp("alerts_home"))
    info = store.ensure_demo(demo.lines)
    res = find_alerts(store, info.id)
    yield res
    store.close()


@pytest.fixture(scope="session")
def demo_zh_merchant():
    """The Chinese demo merchant, ``demo_zh.generate(7)`` (lines + planted truth), generated
    once per test process (xdist: per worker). Shared: read it, never change it in place
    (take ``.lines.copy()`` to change lines)."""
    from ecomdash import demo_zh

    return demo_zh.generate(7)


def pytest_collection_modifyitems(config, items):
    if os.environ.get("ECOMDASH_FAST"):
        skip = pytest.mark.skip(reason="ECOMDASH_FAST set: skipping tests on full shared datasets")
        for item in items:
            if "slow" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def spark_session():
    """One local Spark session for the whole test run (local[2], no UI, few partitions);
    skips with the reason when the ``spark`` extra or Java is missing."""
    import shutil

    try:
        import pyspark  # noqa: F401
    except ImportError:
        pytest.skip("pyspark is not installed (uv sync --extra spark)")
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        pytest.skip("Spark needs Java 17+, and no java was found on PATH or in JAVA_HOME")
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[2]")
        .appName("ecomdash-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.driver.memory", "1g")
        .config("spark.driver.extraJavaOptions", "-Xss16m")  # FP-Growth's deep trees
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    from ecomdash.spark.session import get_session

    get_session("local[2]")  # the store's settings on the same (active) session
    yield spark
    spark.stop()
