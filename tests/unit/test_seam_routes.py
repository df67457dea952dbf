"""The aggregate route of each page/command gives the same answer as the old all-lines route.

Old route: ``store.load_lines`` (every column) and the analysis's lines entry point. New route:
the store aggregate (or the column-projected loader) and the analysis's aggregate entry
point. Checked on the demo merchant and on the awkward fixture of test_store_aggregates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ecomdash.store import Store
from tests.unit.test_store_aggregates import fixture_lines


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "home")
    yield s
    s.close()


@pytest.fixture
def demo_id(store, demo):
    return store.ensure_demo(demo.lines).id


@pytest.fixture
def fixture_id(store):
    return store.save_dataset("Fixture", fixture_lines()).id


def test_segments_same_on_demo(store, demo_id):
    from ecomdash.segment import segment_customers, segment_history

    old = segment_customers(store.load_lines(demo_id), k=4)
    new = segment_history(store.customer_history(demo_id), k=4)
    pd.testing.assert_frame_equal(new.customers, old.customers)
    pd.testing.assert_frame_equal(new.rfm.segments, old.rfm.segments)
    assert new.clusters.names == old.clusters.names
    pd.testing.assert_frame_equal(new.movement.matrix, old.movement.matrix)
    assert new.params == old.params


VALUE_COLS = ("customer_id", "order_date", "revenue")


@pytest.mark.parametrize("which", ["demo", "fixture"])
def test_value_sections_same(store, request, which):
    from ecomdash import schema as S
    from ecomdash.ui.value import ValueParams, run_clv, run_cohorts

    ds = request.getfixturevalue(f"{which}_id")
    full = store.load_lines(ds)
    old_sales = S.customer_sales(full)
    new_cols = S.customer_sales(
        store.load_columns(ds, None, (*VALUE_COLS, "category", "country"), sales_only=True)
    )
    p = ValueParams()
    old_c, new_c = run_cohorts(old_sales, p), run_cohorts(new_cols, p)
    pd.testing.assert_frame_equal(new_c.retention, old_c.retention)
    pd.testing.assert_frame_equal(new_c.revenue, old_c.revenue)
    if which == "demo":
        new_s = S.customer_sales(store.load_columns(ds, None, VALUE_COLS, sales_only=True))
        old_v, new_v = run_clv(old_sales, p), run_clv(new_s, p)
        pd.testing.assert_frame_equal(new_v.customers, old_v.customers)


def test_churn_same_on_demo(store, demo_id):
    from ecomdash.ui.value import ValueParams, churn_history, run_churn

    p = ValueParams()
    old = run_churn(store.load_lines(demo_id), p)
    new = churn_history(store.customer_history(demo_id), p)
    pd.testing.assert_frame_equal(new.metrics, old.metrics)
    assert (new.best_model, new.n_test) == (old.best_model, old.n_test)
    pd.testing.assert_frame_equal(new.scores, old.scores)


def assert_same_interactions(a, b):
    assert list(a.customers) == list(b.customers)
    assert list(a.products) == list(b.products)
    assert (a.counts != b.counts).nnz == 0 and (a.age_days != b.age_days).nnz == 0
    assert list(a.product_names) == list(b.product_names)
    if b.product_categories is None:
        assert a.product_categories is None
    else:
        assert list(a.product_categories) == list(b.product_categories)
    np.testing.assert_array_equal(a.product_last_sold, b.product_last_sold)
    assert a.reference_date == b.reference_date and a.n_lines == b.n_lines


@pytest.mark.parametrize("which", ["demo", "fixture"])
def test_interactions_same_from_projected_columns(store, request, which):
    from ecomdash import recommend as R

    ds = request.getfixturevalue(f"{which}_id")
    old = R.build_interactions(store.load_lines(ds))
    new = R.build_interactions(store.load_columns(ds, None, R.LINE_COLUMNS))
    assert_same_interactions(new, old)


def test_recommend_evaluation_same_on_demo(store, demo_id):
    from ecomdash import recommend as R

    models = {n: R.make_model(n) for n in ("popularity", "item_knn")}
    old = R.evaluate(store.load_lines(demo_id), models=models)
    new = R.evaluate(store.load_columns(demo_id, None, R.LINE_COLUMNS), models=models)
    cols = [c for c in old.table.columns if not c.endswith("seconds")]
    pd.testing.assert_frame_equal(new.table[cols], old.table[cols])
    assert (new.best_model, new.n_test_customers) == (old.best_model, old.n_test_customers)


@pytest.mark.parametrize(
    "kw",
    [
        {"test_days": 4},
        {"cutoff": "2024-01-04"},
        {"cutoff": "2024-01-03", "rebuy_products": ("P1",)},
        {"test_days": 3},
    ],
)
def test_recommend_split_in_sql_equals_pandas_split_on_fixture(store, fixture_id, kw):
    """Training interactions and truth from SQL = chronological_split + build_interactions."""
    from ecomdash import recommend as R

    sql_kw = dict(kw)
    rebuy = sql_kw.pop("rebuy_products", ())
    split = R.chronological_split(store.load_lines(fixture_id), rebuy_products=rebuy, **sql_kw)
    inter, truth, cut, end = store.recommend_split(fixture_id, rebuy_products=rebuy, **sql_kw)
    assert_same_interactions(inter, R.build_interactions(split.train))
    assert truth == split.truth
    assert (cut, end) == (split.cutoff, split.end)


def test_recommend_split_in_sql_equals_pandas_split_on_demo(store, demo_id):
    from ecomdash import recommend as R
    from ecomdash.filters import Filters

    f = Filters(countries=("United Kingdom", "Germany"))
    for filters in (None, f):
        lines = store.load_lines(demo_id, filters)
        split = R.chronological_split(lines, rebuy_products=("GAR-117",))
        inter, truth, cut, end = store.recommend_split(
            demo_id, filters, rebuy_products=("GAR-117",)
        )
        assert_same_interactions(inter, R.build_interactions(split.train))
        assert truth == split.truth and len(truth) > 50
        assert (cut, end) == (split.cutoff, split.end)
    old = R.evaluate(store.load_lines(demo_id), models={"popularity": R.make_model("popularity")})
    inter, truth, cut, end = store.recommend_split(demo_id)
    new = R.evaluate_split(
        inter, truth, cutoff=cut, end=end, models={"popularity": R.make_model("popularity")}
    )
    cols = [c for c in old.table.columns if not c.endswith("seconds")]
    pd.testing.assert_frame_equal(new.table[cols], old.table[cols])


def test_recommend_split_without_purchases_after_the_cutoff_says_so(store, fixture_id):
    from ecomdash.errors import InsufficientDataError

    with pytest.raises(InsufficientDataError, match="leaves .* training and 0 test"):
        store.recommend_split(fixture_id, cutoff="2030-01-01")


@pytest.mark.parametrize("incl", [False, True])
@pytest.mark.parametrize("basket", ["order", "customer_day"])
@pytest.mark.parametrize("which", ["demo", "fixture"])
def test_basket_rules_same_from_sql_pairs(store, request, which, basket, incl):
    """Mining the store's SQL basket pairs = mining the lines (itemsets, rules, names,
    counts, warnings), at both levels and under a filter."""
    from ecomdash import basket as B
    from ecomdash.filters import Filters

    ds = request.getfixturevalue(f"{which}_id")
    support = 0.01 if which == "demo" else 0.1
    country = "United Kingdom" if which == "demo" else "UK"
    for filters in (None, Filters(countries=(country,))):
        full = store.load_lines(ds, filters)
        for level in ("product", "category"):
            kw = {"basket": basket, "level": level, "include_non_product": incl}
            pairs = store.basket_pairs(ds, filters, **kw)
            assert pairs.b.dtype == np.int32 and pairs.i.dtype == np.int32
            assert B.count_baskets(pairs, **kw) == B.count_baskets(full, **kw)
            old = B.mine(full, min_support=support, **kw)
            new = B.mine(pairs, min_support=support, **kw)
            pd.testing.assert_frame_equal(new.itemsets, old.itemsets)
            pd.testing.assert_frame_equal(new.rules, old.rules)
            pd.testing.assert_frame_equal(new.items, old.items)
            assert (new.n_baskets, new.n_multi_item_baskets) == (
                old.n_baskets,
                old.n_multi_item_baskets,
            )
            assert new.warnings == old.warnings and old.n_itemsets > 0


def test_basket_pairs_refuse_other_settings(store, fixture_id):
    from ecomdash import basket as B
    from ecomdash.errors import ParameterError

    pairs = store.basket_pairs(fixture_id, basket="order")
    with pytest.raises(ParameterError, match="built for basket='order'"):
        B.mine(pairs, basket="customer_day")


@pytest.mark.parametrize("basket", ["order", "customer_day"])
@pytest.mark.parametrize("which", ["demo", "fixture"])
def test_basket_rules_same_from_projected_columns(store, request, which, basket):
    from ecomdash import basket as B

    ds = request.getfixturevalue(f"{which}_id")
    full = store.load_lines(ds)
    kw = {"min_support": 0.01 if which == "demo" else 0.1, "basket": basket}
    for level in ("product", "category"):
        narrow = store.load_columns(ds, None, B.line_columns(basket, level))
        assert "country" not in narrow.columns
        old, new = B.mine(full, level=level, **kw), B.mine(narrow, level=level, **kw)
        pd.testing.assert_frame_equal(new.itemsets, old.itemsets)
        pd.testing.assert_frame_equal(new.rules, old.rules)
        assert old.n_itemsets > 0
    narrow = store.load_columns(ds, None, B.line_columns(basket))
    if which == "demo":
        old_h = B.holdout_check(full, min_support=0.01, basket=basket)
        new_h = B.holdout_check(narrow, min_support=0.01, basket=basket)
        assert_same_fields(new_h, old_h)


def assert_same_fields(a, b):
    """Dataclass results equal field by field (frames with assert_frame_equal)."""
    import dataclasses

    for f in dataclasses.fields(b):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(y, pd.DataFrame):
            pd.testing.assert_frame_equal(x, y)
        elif f.name not in ("elapsed", "timings", "seconds"):
            assert x == y, f.name


@pytest.mark.parametrize("which", ["demo", "fixture"])
def test_whole_shop_series_from_day_groups(store, request, which):
    from ecomdash import forecast as F

    ds = request.getfixturevalue(f"{which}_id")
    full = store.load_lines(ds)
    freqs = "DWM" if which == "demo" else "D"
    for metric in ("units", "orders", "revenue"):
        groups = store.shop_day_groups(ds, with_orders=metric == "orders")
        assert len(groups) < len(full)
        for freq in freqs:
            for returns in ("net", "exclude"):
                old = F.build_series(full, metric=metric, freq=freq, returns=returns)
                new = F.build_series(groups, metric=metric, freq=freq, returns=returns)
                pd.testing.assert_frame_equal(
                    new.frame.drop(columns="value"), old.frame.drop(columns="value")
                )
                if metric == "revenue":  # equal to float rounding (see shop_day_groups)
                    np.testing.assert_allclose(new.frame["value"], old.frame["value"], rtol=1e-12)
                else:
                    assert new.frame["value"].tolist() == old.frame["value"].tolist()
                assert new.warnings == old.warnings


def test_series_and_many_products_same_from_projected_columns(store, demo_id):
    from ecomdash import forecast as F

    full = store.load_lines(demo_id)
    narrow = store.load_columns(demo_id, None, F.LINE_COLUMNS)
    assert "customer_id" not in narrow.columns
    shop = store.load_columns(demo_id, None, ("order_date", "country"))
    pd.testing.assert_frame_equal(F.build_series(shop).frame, F.build_series(full).frame)
    top = full.loc[full["product_id"].notna(), "product_id"].value_counts().index[0]
    for scope in ({"product": top}, {"country": "United Kingdom"}):
        pd.testing.assert_frame_equal(
            F.build_series(narrow, **scope).frame, F.build_series(full, **scope).frame
        )
    old = F.forecast_many(full, top=5, freq="W", horizon=4, folds=2)
    new = F.forecast_many(narrow, top=5, freq="W", horizon=4, folds=2)
    cols = [c for c in old.table.columns if "second" not in c]
    pd.testing.assert_frame_equal(new.table[cols], old.table[cols])


@pytest.mark.parametrize("which", ["demo", "fixture"])
def test_sales_by_equals_pandas(store, request, which):
    from ecomdash import schema as S

    ds = request.getfixturevalue(f"{which}_id")
    sales = S.sales_lines(store.load_lines(ds))
    for col in ("product_id", "category", "country"):
        exp = sales.groupby(sales[col])[S.REVENUE].sum()
        got = store.sales_by(ds, None, col, limit=10_000).set_index("value")["revenue"]
        assert set(got.index) == set(exp.index)
        np.testing.assert_allclose(got.to_numpy(), exp.reindex(got.index).to_numpy(), rtol=1e-12)
        assert got.is_monotonic_decreasing


@pytest.mark.parametrize("which", ["demo", "fixture"])
def test_interactions_from_sql_equal_pandas(store, request, which):
    from ecomdash import recommend as R

    ds = request.getfixturevalue(f"{which}_id")
    assert_same_interactions(store.interactions(ds), R.build_interactions(store.load_lines(ds)))


def test_interactions_from_sql_without_order_or_category(store):
    from ecomdash import recommend as R

    lines = fixture_lines().drop(columns=["order_id", "category"])
    ds = store.save_dataset("Bare", lines).id
    assert_same_interactions(store.interactions(ds), R.build_interactions(store.load_lines(ds)))


def test_interactions_from_sql_by_hand(store, fixture_id):
    inter = store.interactions(fixture_id)
    # blank id "  " and C6 (undated line) are customers here: recommendations drop only
    # missing ids; C5 only returned
    assert list(inter.customers) == ["  ", "C1", "C2", "C3", "C4", "C6"]
    c6 = inter.customers.get_loc("C6")
    assert inter.age_days[c6, inter.products.get_loc("P1")] == 1  # undated: age 0 (+1)
    c2 = inter.customers.get_loc("C2")
    p4 = inter.products.get_loc("P4")
    # C2 bought P4 twice within one order O13: one order
    assert inter.counts[c2, p4] == 1
    # C2's only P1 order (O2, 2024-01-02) was cancelled by CO2: not a purchase, as on the
    # Overview (its orders and customers count kept sales only)
    p1 = inter.products.get_loc("P1")
    assert inter.counts[c2, p1] == 0 and inter.age_days[c2, p1] == 0
    # reference = last sales day 2024-01-08; C1's P1 order O1 was 2024-01-01: 7 days (+1)
    assert inter.age_days[inter.customers.get_loc("C1"), p1] == 8


def test_interactions_names_mode_and_ties(store):
    from ecomdash import recommend as R

    lines = fixture_lines()
    o = lines["order_id"]
    lines.loc[(o == "O2") & (lines["product_id"] == "P1"), "product_name"] = "Big mug"
    lines.loc[o.isin(["O3", "O7"]) & (lines["product_id"] == "P2"), "product_name"] = "A tea"
    lines.loc[(o == "O4") & (lines["product_id"] == "P3"), "product_name"] = "Jar"
    lines.loc[(o == "O4"), "category"] = "Garden"  # P3's last line with a category is O7's
    ds = store.save_dataset("Names", lines).id
    got = store.interactions(ds)
    assert_same_interactions(got, R.build_interactions(store.load_lines(ds)))
    name = dict(zip(got.products, got.product_names, strict=True))
    assert (name["P1"], name["P2"], name["P3"]) == ("Mug", "A tea", "Jar")  # mode; tie a..z


@pytest.mark.parametrize("metric", ["units", "revenue", "orders"])
def test_many_products_forecast_same_from_top_product_lines(store, demo_id, metric):
    """Top-N table from the top products' lines + the SQL shop calendar = from all lines."""
    from ecomdash import forecast as F

    top = 8
    old = F.forecast_many(store.load_lines(demo_id), top=top, metric=metric, horizon=4, folds=2)
    lines, cut = store.top_product_lines(demo_id, None, F.LINE_COLUMNS, top=top, margin=3)
    shop = store.shop_day_groups(demo_id, with_orders=metric == "orders")
    assert lines["product_id"].nunique() == top + 3
    new = F.forecast_many(lines, top=top, metric=metric, horizon=4, folds=2, shop=shop)
    drop = [c for c in old.table.columns if "second" in c]
    pd.testing.assert_frame_equal(new.table.drop(columns=drop), old.table.drop(columns=drop))
    pd.testing.assert_frame_equal(new.forecasts, old.forecasts)
    all_products = store.load_lines(demo_id)
    sales = all_products.loc[~all_products["is_return"] & ~all_products["is_non_product"]]
    assert cut["products"] == sales["product_id"].nunique()
    assert cut["revenue"] == pytest.approx(sales.loc[sales["quantity"] > 0, "revenue"].sum())


def test_basket_pair_names_most_common_then_alphabetical(store):
    """Hand-built: P1 is named Mug twice and Cup once -> Mug; P2 Tea and Chai once each ->
    Chai (tie: alphabetically first); mining from the pairs and from the lines agree."""
    from ecomdash import basket as B

    lines = fixture_lines()
    sale = lines["quantity"] > 0
    p1 = sale & (lines["product_id"] == "P1")
    p2 = sale & (lines["product_id"] == "P2")
    lines.loc[p1, "product_name"] = "Mug"
    lines.loc[p1[p1].index[:1], "product_name"] = "Cup"
    lines.loc[p2, "product_name"] = "Tea"
    lines.loc[p2[p2].index[:1], "product_name"] = "Chai"
    lines.loc[p2[p2].index[2:], "product_name"] = None
    assert p1.sum() >= 3 and p2.sum() >= 2
    ds = store.save_dataset("Names", lines).id
    pairs = store.basket_pairs(ds)
    got = dict(zip(pairs.items, pairs.names, strict=True))
    assert got["P1"] == "Mug" and got["P2"] == "Chai"
    old = B.mine(store.load_lines(ds), min_support=0.1)
    new = B.mine(pairs, min_support=0.1)
    pd.testing.assert_frame_equal(new.items, old.items)


def test_basket_pairs_by_hand_each_pair_once_sorted(store):
    """Hand-built: o3 holds c twice (and its lines are out of item order), o2 one item, a
    line without an order id and a return are left out. The store's pairs are each (basket,
    item) once, sorted by basket then item, and the baskets hold exactly these items."""
    from ecomdash import basket as B

    rows = [
        ("o1", "b", 1),
        ("o1", "a", 1),
        ("o2", "c", 2),
        ("o3", "c", 1),
        ("o3", "a", 1),
        ("o3", "c", 3),
        ("o3", "b", 1),
        (None, "a", 1),
        ("o4", "a", -1),
    ]
    lines = pd.DataFrame(rows, columns=["order_id", "product_id", "quantity"])
    lines["unit_price"] = 2.0
    ds = store.save_dataset("By hand", lines).id
    pairs = store.basket_pairs(ds)
    assert pairs.items.tolist() == ["a", "b", "c"]
    assert (pairs.n_baskets, len(pairs.b), pairs.n_dropped) == (3, 6, 1)
    key = pairs.b.astype(np.int64) * 3 + pairs.i
    assert (np.diff(key) > 0).all()  # distinct and sorted
    got = sorted("".join(pairs.items[pairs.i[pairs.b == k]]) for k in range(pairs.n_baskets))
    assert got == ["ab", "abc", "c"]
    res = B.mine(pairs, min_support=0.5, min_lift=0.0)  # in 2 of the 3 orders
    assert dict(zip(res.itemsets["itemset"], res.itemsets["count"], strict=True)) == {
        ("a",): 2,
        ("b",): 2,
        ("c",): 2,
        ("a", "b"): 2,
    }
