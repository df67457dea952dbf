"""One way to ask whether Spark answers (tidy10): ``engine.on_spark(store)`` is the store's own
engine, whatever ``ECOMDASH_ENGINE`` says (a store opened with ``open_store(engine="spark")``
is Spark; a DuckDB store stays DuckDB); ``on_spark()`` without a store is the setting. The
basket page's mining, lookup and what-if, ``basket.mine_dataset``, the k-means fit and the ALS
model take their Spark branch accordingly. No Spark session is started: the Spark steps are
replaced by recorders."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from ecomdash import basket as B
from ecomdash.engine import on_spark
from ecomdash.filters import Filters
from ecomdash.spark.store import SparkStore
from ecomdash.store import Store
from ecomdash.ui import basket_data

KEY = ("local", "ds1", 1, Filters().as_key())


@pytest.fixture
def spark_store(tmp_path):
    return SparkStore(None, str(tmp_path / "lake"))  # no session: nothing here queries it


@pytest.fixture
def duck_store():
    store = Store(duckdb.connect())
    yield store
    store.close()


def test_a_store_answers_for_its_own_engine(monkeypatch, spark_store, duck_store):
    monkeypatch.setenv("ECOMDASH_ENGINE", "duckdb")
    assert on_spark(spark_store) and not on_spark(duck_store) and not on_spark()
    monkeypatch.setenv("ECOMDASH_ENGINE", "spark")
    assert on_spark(spark_store) and not on_spark(duck_store) and on_spark()
    monkeypatch.delenv("ECOMDASH_ENGINE")
    assert not on_spark() and not on_spark(object())  # a store without an engine is DuckDB


def _route(monkeypatch, store) -> list[str]:
    """Which branch each basket page step took for ``store`` (the steps recorded, not run):
    the page's adapters and the basket package's store-backed entry points they call
    (``bundle_whatif_dataset``, ``holdout_check_dataset``), which pick the engine's route."""
    import ecomdash.basket.bundles as bundles_mod
    import ecomdash.basket.holdout as holdout_mod

    took: list[str] = []
    monkeypatch.setattr(basket_data, "get_store", lambda workspace: store)
    monkeypatch.setattr(B, "mine_dataset", lambda *a, **k: took.append("spark mine"))
    monkeypatch.setattr(basket_data, "run_in_worker", lambda *a, **k: took.append("duckdb mine"))
    monkeypatch.setattr(basket_data, "basket_lines", lambda *a: "lines")
    monkeypatch.setattr(basket_data, "basket_pairs", lambda *a: "pairs")
    monkeypatch.setattr(store, "product_lines", lambda *a, **k: None, raising=False)
    monkeypatch.setattr(store, "basket_pairs", lambda *a, **k: "pairs", raising=False)
    day = pd.DataFrame({"day": pd.to_datetime(["2024-01-01", "2024-01-02"]), "lines": [3, 3]})
    monkeypatch.setattr(store, "line_days", lambda *a, **k: day, raising=False)
    monkeypatch.setattr(B, "frequently_bought_together", lambda data, *a, **k: took.append(data))
    monkeypatch.setattr(bundles_mod, "bundle_whatif", lambda data, *a, **k: took.append(data))
    monkeypatch.setattr(store, "load_columns", lambda *a, **k: "lines", raising=False)
    monkeypatch.setattr(
        holdout_mod, "holdout_check", lambda lines, **k: took.append(f"holdout {lines}")
    )
    monkeypatch.setattr(holdout_mod, "_check_later", lambda *a, **k: took.append("holdout sql"))
    basket_data.mine.__wrapped__(KEY, (0.01, 0.1, 1.0, 2, "order", "product", False))
    basket_data.fbt.__wrapped__(KEY, "order", "product", False, "A", 3)
    basket_data.whatif.__wrapped__(KEY, "order", False, ("A",), ("B",), 0.5)
    basket_data.holdout.__wrapped__(KEY, (0.01, 0.1, 1.0, 2, "order", "product", False))
    return took


def test_the_basket_page_takes_the_spark_branch_for_a_spark_store(monkeypatch, spark_store):
    monkeypatch.setenv("ECOMDASH_ENGINE", "duckdb")  # the setting says otherwise: the store wins
    assert _route(monkeypatch, spark_store) == ["spark mine", "lines", "lines", "holdout lines"]


def test_the_basket_page_takes_the_duckdb_branch_for_a_duckdb_store(monkeypatch, duck_store):
    monkeypatch.setenv("ECOMDASH_ENGINE", "spark")
    assert _route(monkeypatch, duck_store) == ["duckdb mine", "pairs", "pairs", "holdout sql"]


def test_mine_dataset_mines_on_the_lake_of_a_spark_store(monkeypatch, spark_store, duck_store):
    import ecomdash.spark.basket as spark_basket

    monkeypatch.setenv("ECOMDASH_ENGINE", "duckdb")
    monkeypatch.setattr(spark_basket, "mine_on_lake", lambda store, *a, **k: ("lake", store))
    assert B.mine_dataset(spark_store, "ds1") == ("lake", spark_store)
    monkeypatch.setenv("ECOMDASH_ENGINE", "spark")
    monkeypatch.setattr(duck_store, "basket_pairs", lambda *a, **k: "pairs", raising=False)
    monkeypatch.setattr(B.mining, "mine", lambda pairs, **k: ("mine", pairs))
    assert B.mine_dataset(duck_store, "ds1") == ("mine", "pairs")


@pytest.mark.parametrize("engine", ["spark", "duckdb"])
def test_without_a_store_the_setting_chooses_kmeans_and_als(monkeypatch, engine):
    import numpy as np

    import ecomdash.spark.segment as spark_segment
    from ecomdash import recommend as R
    from ecomdash.segment import clusters as C
    from ecomdash.spark.recommend import SparkALSRecommender

    monkeypatch.setenv("ECOMDASH_ENGINE", engine)
    monkeypatch.setattr(spark_segment, "mllib_kmeans", lambda z, k, **kw: "mllib")
    got = C._kmeans(np.arange(20.0).reshape(10, 2), 2, seed=0, n_init=1)
    assert (got == "mllib") == (engine == "spark")
    assert isinstance(R.make_model("als"), SparkALSRecommender) == (engine == "spark")
    assert not isinstance(R.make_model("ease"), SparkALSRecommender)
