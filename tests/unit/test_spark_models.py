"""Spark MLlib models give the in-process models' answers (Spark local mode).

Basket: MLlib FP-Growth on the lake's order baskets finds exactly the itemsets (ids and counts)
and rules (every split, with confidence and lift) of ``basket.mine`` on the same lines, at
support 0.01 and 0.005 on the demo merchant. ``basket.mine`` is itself checked against mlxtend
in test_basket_mlxtend.py.
"""

from __future__ import annotations

import pandas as pd
import pytest

from ecomdash import basket as B
from ecomdash.filters import Filters
from ecomdash.i18n.note import Note
from ecomdash.store import Store


@pytest.fixture(scope="module")
def demo_pair(spark_session, tmp_path_factory, demo):
    from ecomdash.spark.store import SparkStore

    root = tmp_path_factory.mktemp("models")
    sp = SparkStore(spark_session, str(root / "lake"))
    duck = Store.open(root / "home")
    yield sp, sp.ensure_demo(demo.lines).id, duck, duck.ensure_demo(demo.lines).id
    duck.close()


def assert_same_baskets(got: B.BasketResult, exp: B.BasketResult) -> None:
    """Every part of two basket results equal: counts, itemsets (ids, names, counts, order),
    rules (sides, names, every measure, order), frequent items and warnings."""
    assert (got.n_baskets, got.n_multi_item_baskets, got.min_count) == (
        exp.n_baskets,
        exp.n_multi_item_baskets,
        exp.min_count,
    )
    assert got.params == exp.params
    assert got.warnings == exp.warnings
    # the same translatable sentences (both engines build them in basket.result_from_levels)
    assert all(isinstance(w, Note) for w in got.warnings)
    assert [(w.msgid, w.fields) for w in got.warnings] == [
        (w.msgid, w.fields) for w in exp.warnings
    ]
    assert got.suggested_min_support == exp.suggested_min_support
    pd.testing.assert_frame_equal(got.itemsets, exp.itemsets, check_dtype=False, rtol=1e-12)
    pd.testing.assert_frame_equal(got.rules, exp.rules, check_dtype=False, rtol=1e-12)
    pd.testing.assert_frame_equal(got.items, exp.items, check_dtype=False, rtol=1e-12)


@pytest.mark.parametrize(
    ("support", "basket", "level"),
    [
        (0.01, "order", "product"),
        (0.005, "order", "product"),
        (0.01, "customer_day", "product"),
        (0.02, "order", "category"),
    ],
)
def test_fpgrowth_equals_mine(demo_pair, support, basket, level):
    """mine_dataset on the Spark store (MLlib FP-Growth) gives basket.mine's whole result."""
    sp, s_id, duck, d_id = demo_pair
    lines = duck.load_columns(d_id, None, B.line_columns(basket, level))
    kw = {"min_support": support, "basket": basket, "level": level}
    exp = B.mine(lines, **kw)
    got = B.mine_dataset(sp, s_id, **kw)
    assert any("FP-Growth" in step for step, _ in got.timings)  # it ran on Spark MLlib
    assert exp.itemsets["size"].max() >= 2 and len(exp.rules) > 0  # real itemsets and rules
    assert_same_baskets(got, exp)
    # the DuckDB engine's mine_dataset is basket.mine on the projected lines
    assert_same_baskets(B.mine_dataset(duck, d_id, **kw), exp)


def test_fpgrowth_filters_and_thresholds(demo_pair):
    """Global filters, confidence/lift/max-len cuts and the no-pair suggestion agree too."""
    sp, s_id, duck, d_id = demo_pair
    lo, hi = duck.date_range(d_id)
    f = Filters(start=(hi - pd.Timedelta(days=60)).date(), end=hi.date())
    lines = duck.load_columns(d_id, f, B.line_columns())
    for kw in (
        {"min_support": 0.005, "min_confidence": 0.2, "min_lift": 2.0, "max_len": 2},
        {"min_support": 0.3},  # nothing of two items: the suggestion (10th pair's support)
    ):
        exp = B.mine(lines, **kw)
        assert_same_baskets(B.mine_dataset(sp, s_id, f, **kw), exp)
    assert exp.suggested_min_support is not None


def test_spark_als_hit_rate_close_to_in_process(demo_pair, monkeypatch):
    """The offline test of recommend.evaluate (train before the cut-off, top-10 against the
    new purchases after it) scores MLlib ALS within 0.02 hit rate of the in-process ALS, and
    far above chance; make_model picks MLlib ALS only on the Spark engine."""
    from ecomdash import recommend as R
    from ecomdash.spark.recommend import SparkALSRecommender

    _, _, duck, d_id = demo_pair
    lines = duck.load_columns(d_id, None, R.LINE_COLUMNS)
    assert type(R.make_model("als")) is R.ALSRecommender
    monkeypatch.setenv("ECOMDASH_ENGINE", "spark")
    monkeypatch.setenv("ECOMDASH_SPARK_REMOTE", "local[2]")
    spark_als = R.make_model("als")
    assert isinstance(spark_als, SparkALSRecommender)
    res = R.evaluate(lines, models={"als": R.ALSRecommender(), "spark_als": spark_als})
    t = res.table.set_index("model")
    local, dist = t.loc["als", "hit_rate_at_k"], t.loc["spark_als", "hit_rate_at_k"]
    print(f"hit rate@10: in-process ALS {local:.4f}, MLlib ALS {dist:.4f}")
    assert local > t.loc["popularity", "hit_rate_at_k"] * 0.5  # a model that learned something
    assert abs(dist - local) <= 0.02


@pytest.mark.slow
def test_fpgrowth_equals_mine_on_uci(spark_session, tmp_path_factory, uci_lines):
    """The real UCI Online Retail II 2009-2010 file, read by the ingest pipeline and saved on
    both engines: MLlib FP-Growth on the lake gives basket.mine's whole result at 0.01 and
    0.005 (basket.mine itself is checked against mlxtend in test_basket_mlxtend.py).
    """
    from ecomdash.spark.store import SparkStore

    root = tmp_path_factory.mktemp("uci")
    sp = SparkStore(spark_session, str(root / "lake"))
    duck = Store.open(root / "home")
    try:
        s_id = sp.save_dataset("UCI", uci_lines).id
        d_id = duck.save_dataset("UCI", uci_lines).id
        lines = duck.load_columns(d_id, None, B.line_columns())
        for support in (0.01, 0.005):
            exp = B.mine(lines, min_support=support)
            got = B.mine_dataset(sp, s_id, min_support=support)
            print(
                f"UCI support {support}: {exp.n_baskets:,} baskets, {exp.n_itemsets:,} "
                f"itemsets, {exp.n_rules:,} rules"
            )
            assert exp.n_baskets > 15_000 and len(exp.rules) > 0
            assert_same_baskets(got, exp)
    finally:
        duck.close()
