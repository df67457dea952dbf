"""Spark MLlib models give the in-process models' answers (Spark local mode).

Basket: MLlib FP-Growth on the lake's order baskets finds exactly the itemsets (ids and counts)
and rules (every split, with confidence and lift) of ``basket.mine`` on the same lines, at
support 0.01 and 0.005 on the demo merchant. ``basket.mine`` is itself checked against mlxtend
in test_basket_mlxtend.py.
"""

from __future__ import annotations

import pytest

from ecomdash import basket as B
from ecomdash.store import Store


@pytest.fixture(scope="module")
def demo_pair(spark_session, tmp_path_factory, demo):
    from ecomdash.spark.store import SparkStore

    root = tmp_path_factory.mktemp("models")
    sp = SparkStore(spark_session, str(root / "lake"))
    duck = Store.open(root / "home")
    yield sp, sp.ensure_demo(demo.lines).id, duck, duck.ensure_demo(demo.lines).id
    duck.close()


@pytest.mark.parametrize("support", [0.01, 0.005])
def test_fpgrowth_equals_mine(demo_pair, support):
    from ecomdash.spark.basket import fpgrowth

    sp, s_id, duck, d_id = demo_pair
    lines = duck.load_columns(d_id, None, B.line_columns("order", "product"))
    exp = B.mine(lines, min_support=support)
    got = fpgrowth(sp, s_id, min_support=support)
    assert got.n_baskets == exp.n_baskets and got.min_count == exp.min_count
    want_sets = {
        tuple(sorted(t)): int(c)
        for t, c in zip(exp.itemsets["itemset"], exp.itemsets["count"], strict=True)
    }
    got_sets = dict(zip(got.itemsets["itemset"], got.itemsets["count"], strict=True))
    assert exp.itemsets["size"].max() >= 2  # there are real itemsets to compare
    assert got_sets == want_sets
    assert len(exp.rules) > 0

    def key(df):
        return {
            (tuple(sorted(a)), tuple(sorted(c))): (conf, lift)
            for a, c, conf, lift in zip(
                df["antecedents"], df["consequents"], df["confidence"], df["lift"], strict=True
            )
        }

    kg, ke = key(got.rules), key(exp.rules)
    assert set(kg) == set(ke)
    for k, (conf, lift) in ke.items():
        assert kg[k][0] == pytest.approx(conf, rel=1e-12)
        assert kg[k][1] == pytest.approx(lift, rel=1e-12)


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
