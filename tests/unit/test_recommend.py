"""Recommenders on a hand-built shop whose similarities and scores are computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from ecomdash import recommend as R
from ecomdash.errors import InsufficientDataError, ParameterError

NAMES = {"A": "Mug", "B": "Tea", "C": "Pot", "D": "Rug", "E": "Vase"}
CATS = {"A": "Kitchen", "B": "Food", "C": "Kitchen", "D": "Home", "E": "Home"}


def _line(order, date, customer, product, qty=1.0, *, ret=False, nonprod=False):
    return {
        "order_id": order,
        "order_date": pd.Timestamp(date),
        "customer_id": customer,
        "product_id": product,
        "product_name": NAMES.get(product, "Postage"),
        "quantity": qty,
        "unit_price": 5.0,
        "revenue": 5.0 * qty,
        "category": CATS.get(product),
        "is_return": ret,
        "is_non_product": nonprod,
        "is_cancelled": False,
    }


def shop() -> pd.DataFrame:
    """Buyers: A {1,2,3}, B {1,2,4}, C {2,3}, D {5} (D last sold 2024-01-01).

    Binary item cosine: cos(A,B) = 2/3, cos(A,C) = 2/sqrt(6), cos(B,C) = 1/sqrt(6), D: 0.
    Noise that must not count: a postage line, and E that only appears as a return.
    """
    rows = [
        _line("O1", "2024-03-01", "1", "A"),
        _line("O1", "2024-03-01", "1", "B"),
        _line("O1", "2024-03-01", "1", "POST", nonprod=True),
        _line("O2", "2024-03-02", "2", "A"),
        _line("O2", "2024-03-02", "2", "B"),
        _line("O3", "2024-03-03", "2", "C"),
        _line("O4", "2024-03-04", "3", "A"),
        _line("O4", "2024-03-04", "3", "C"),
        _line("O5", "2024-03-05", "4", "B"),
        _line("O6", "2024-01-01", "5", "D"),
        _line("R1", "2024-03-05", "4", "E", -1.0, ret=True),
        _line("O7", "2024-03-05", None, "E"),  # guest order: no customer, not learned from
    ]
    return pd.DataFrame(rows)


def item_knn(**kw) -> R.ItemKNNRecommender:
    params = {"weighting": "binary", "neighbours": None, "shrinkage": 0.0, "half_life_days": None}
    return R.ItemKNNRecommender(**{**params, **kw})


def test_interactions_leave_out_returns_postage_and_guests():
    inter = R.build_interactions(shop())
    assert list(inter.customers) == ["1", "2", "3", "4", "5"]
    assert list(inter.products) == ["A", "B", "C", "D"]
    assert inter.counts.sum() == 9
    assert inter.reference_date == pd.Timestamp("2024-03-05")
    # D last sold 2024-01-01: 64 days before the reference date
    assert inter.product_last_sold[3] == 64


def test_item_knn_scores_match_hand_computed_cosines():
    model = item_knn().fit(shop())
    recs = model.recommend(["4"], k=3)  # customer 4 bought only B
    assert list(recs["product_id"]) == ["A", "C", "D"]
    assert recs["score"].tolist() == pytest.approx([2 / 3, 1 / math.sqrt(6), 0.0], abs=1e-6)
    assert list(recs["rank"]) == [1, 2, 3]
    assert recs["reason"].iloc[0] == "because you bought Tea"
    assert recs["reason"].iloc[2].startswith("no closer match")


def test_reason_names_the_two_strongest_bought_products_in_order():
    recs = item_knn().fit(shop()).recommend(["1"], k=1)  # bought A and B
    assert recs["product_id"].iloc[0] == "C"
    assert recs["score"].iloc[0] == pytest.approx(2 / math.sqrt(6) + 1 / math.sqrt(6), abs=1e-6)
    assert recs["reason"].iloc[0] == "because you bought Mug and Tea"  # A (0.816) before B (0.408)


def test_also_bought_and_who_to_target():
    model = item_knn().fit(shop())
    sim = model.similar_products("A", k=5)
    assert list(sim["product_id"]) == ["C", "B"]  # D was never bought with A
    assert sim["score"].tolist() == pytest.approx([2 / math.sqrt(6), 2 / 3], abs=1e-6)
    assert sim["co_buyers"].tolist() == [2, 2]
    target = model.target_customers("C", k=5)
    # buyers of C (2, 3) are left out; 1 owns A and B (0.816 + 0.408), 4 owns B (0.408)
    assert list(target["customer_id"]) == ["1", "4"]
    assert target["score"].tolist() == pytest.approx([3 / math.sqrt(6), 1 / math.sqrt(6)], abs=1e-6)


def test_popularity_counts_distinct_buyers_and_serves_cold_start():
    model = R.PopularityRecommender().fit(shop())
    recs = model.recommend(["5", "stranger"], k=2)
    got = recs.groupby("customer_id", sort=False)["product_id"].apply(list).to_dict()
    assert got["5"] == ["A", "B"]  # 3 buyers each; ties by product id
    assert got["stranger"] == ["A", "B"]
    assert list(recs["customer_id"]) == ["5", "5", "stranger", "stranger"]  # order kept
    assert set(recs.loc[recs["customer_id"] == "stranger", "source"]) == {"popularity (no history)"}
    assert recs.loc[recs["customer_id"] == "5", "score"].tolist() == pytest.approx([0.6, 0.6])


def test_trending_window_counts_recent_buyers_only():
    model = R.PopularityRecommender(window_days=2).fit(shop())
    # the last 2 calendar days (2024-03-04 and -05): A and C by customer 3, B by customer 4
    assert model.popularity_.tolist() == [1.0, 1.0, 1.0, 0.0]
    # trending: the last 30 days; D's only sale (2024-01-01) is older
    trending = R.make_model("trending").fit(shop())
    assert trending.popularity_.tolist() == [3.0, 3.0, 2.0, 0.0]
    assert trending.recommend(["5"], k=1)["reason"].iloc[0].endswith("in the last 30 days")


@pytest.mark.parametrize(
    ("lang", "one_day", "thirty_days"),
    [
        (
            "en",
            "best seller: bought by 1 customer in the last day",
            "best seller: bought by 3 customers in the last 30 days",
        ),
        (
            "zh",
            "热销商品：最近一天有\u00a01\u00a0位客户买过",
            "热销商品：最近\u00a030\u00a0天有\u00a03\u00a0位客户买过",
        ),
    ],
)
def test_trending_reason_says_a_one_day_window_as_the_last_day(lang, one_day, thirty_days):
    """A one-day window reads "in the last day" / 最近一天 (it read "in the last 1 day" and
    最近 1 天: the plural rule kept the figure, as both its forms carry the same fields);
    thirty days keep their figure."""
    from ecomdash.i18n import use_lang

    # the last calendar day (2024-03-05): B, bought by customer 4 alone
    one = R.PopularityRecommender(window_days=1).fit(shop())
    # the last 30 days: A, bought by 3 customers (5 owns B, the other best seller)
    thirty = R.make_model("trending").fit(shop())
    with use_lang(lang):
        assert one.recommend(["5"], k=1)["reason"].iloc[0] == one_day
        assert thirty.recommend(["5"], k=1)["reason"].iloc[0] == thirty_days


def test_ease_matches_the_closed_form():
    lines = shop()
    X = np.array([[1, 1, 0, 0], [1, 1, 1, 0], [1, 0, 1, 0], [0, 1, 0, 0], [0, 0, 0, 1]], float)
    lam = 2.0
    P = np.linalg.inv(X.T @ X + lam * np.eye(4))
    B = np.eye(4) - P / np.diag(P)[None, :]
    model = R.EASERecommender(l2=lam, half_life_days=None, min_buyers=1).fit(lines)
    np.testing.assert_allclose(model.weights_, B, atol=1e-5)
    recs = model.recommend(["4"], k=3, exclude_bought=True)
    expected = X[3] @ B
    order = [i for i in np.argsort(-expected, kind="stable") if i != 1][:3]
    assert list(recs["product_id"]) == [["A", "B", "C", "D"][i] for i in order]
    assert recs["score"].tolist() == pytest.approx(expected[order].tolist(), abs=1e-5)


@pytest.mark.parametrize("name", R.MODEL_NAMES)
def test_never_recommends_bought_products_and_at_most_k(name):
    lines = shop()
    model = R.make_model(name).fit(lines)
    recs = model.recommend(["1", "2", "3", "4", "5"], k=2)
    bought = {("1", "A"), ("1", "B"), ("2", "A"), ("2", "B"), ("2", "C")}
    bought |= {("3", "A"), ("3", "C"), ("4", "B"), ("5", "D")}
    assert not set(zip(recs["customer_id"], recs["product_id"], strict=True)) & bought
    assert recs.groupby("customer_id").size().max() <= 2
    assert set(recs["product_id"]) <= {"A", "B", "C", "D"}  # never POST or E


def test_rebuy_products_may_come_back():
    rules = R.BusinessRules(rebuy_products=("A",))
    recs = item_knn(rules=rules).fit(shop()).recommend(["1"], k=3)
    assert "A" in set(recs["product_id"])
    assert "B" not in set(recs["product_id"])
    # A for customer 1 is supported by B only (an item never explains itself)
    a = recs.set_index("product_id").loc["A"]
    # score(1, A) = history(1, A)·sim(A, A) + history(1, B)·sim(B, A) = 1·0 + 1·(2/3)
    assert a["score"] == pytest.approx(2 / 3, abs=1e-6)
    assert a["reason"] == "because you bought Tea"


def test_business_filters_categories_and_recently_sold():
    rules = R.BusinessRules(exclude_categories=("Kitchen",), recent_days=30)
    recs = item_knn(rules=rules).fit(shop()).recommend(["4", "stranger"], k=5)
    # A, C are Kitchen; D not sold in 30 days; B is left, and customer 4 already has it
    assert list(recs["customer_id"]) == ["stranger"]
    assert list(recs["product_id"]) == ["B"]
    recs = item_knn(rules=R.BusinessRules(recent_days=30)).fit(shop()).recommend(["4"], k=5)
    assert list(recs["product_id"]) == ["A", "C"]


def test_deterministic_and_independent_of_row_order():
    lines = shop()
    shuffled = lines.sample(frac=1.0, random_state=3).reset_index(drop=True)
    for name in R.MODEL_NAMES:
        a = R.make_model(name).fit(lines).recommend(["1", "4", "5"], k=3)
        b = R.make_model(name).fit(lines).recommend(["1", "4", "5"], k=3)
        c = R.make_model(name).fit(shuffled).recommend(["1", "4", "5"], k=3)
        pd.testing.assert_frame_equal(a, b)
        pd.testing.assert_frame_equal(
            a[["customer_id", "product_id"]], c[["customer_id", "product_id"]]
        )


def test_input_is_not_mutated():
    lines = shop()
    before = lines.copy()
    R.make_model("ease").fit(lines).recommend(["1"], k=2)
    pd.testing.assert_frame_equal(lines, before)


def test_chronological_split_and_popularity_scores_by_hand():
    lines = pd.concat(
        [
            shop(),
            pd.DataFrame(
                [
                    _line("T1", "2024-03-10", "4", "A"),
                    _line("T2", "2024-03-11", "4", "D"),
                    _line("T3", "2024-03-11", "4", "B"),  # bought before: not new
                    _line("T4", "2024-03-12", "1", "C"),
                    _line("T5", "2024-03-12", "9", "A"),  # unknown before the cut-off
                ]
            ),
        ],
        ignore_index=True,
    )
    split = R.chronological_split(lines, cutoff="2024-03-08")
    assert split.truth == {"1": {"C"}, "4": {"A", "D"}}
    res = R.evaluate(
        lines,
        cutoff="2024-03-08",
        k=2,
        models={"popularity": R.PopularityRecommender()},
        min_test_customers=2,
    )
    row = res.table.set_index("model").loc["popularity"]
    # customer 4 gets A, C (hit A: 1/2 of truth); customer 1 gets C, D (hit C: 1/1)
    assert row["precision_at_k"] == pytest.approx(0.5)
    assert row["recall_at_k"] == pytest.approx(0.75)
    assert row["hit_rate_at_k"] == pytest.approx(1.0)
    assert row["coverage"] == pytest.approx(3 / 4)
    assert res.n_test_customers == 2 and res.n_products == 4


def test_rebuy_products_count_again_in_the_test():
    lines = pd.concat(
        [
            shop(),
            pd.DataFrame(
                [
                    _line("T1", "2024-03-10", "4", "B"),  # bought before: a re-buy
                    _line("T2", "2024-03-10", "4", "A"),
                    _line("T3", "2024-03-11", "1", "C"),
                ]
            ),
        ],
        ignore_index=True,
    )
    assert R.chronological_split(lines, cutoff="2024-03-08").truth == {"1": {"C"}, "4": {"A"}}
    split = R.chronological_split(lines, cutoff="2024-03-08", rebuy_products=["B"])
    assert split.truth == {"1": {"C"}, "4": {"A", "B"}}
    rules = R.BusinessRules(rebuy_products=("B",))
    res = R.evaluate(
        lines,
        cutoff="2024-03-08",
        k=3,
        models={"popularity": R.PopularityRecommender(rules=rules)},
        rules=rules,
        min_test_customers=2,
    )
    # customer 4 may get B again: popularity A (3 buyers), B (3), C -> both A and B hit
    row = res.table.set_index("model").loc["popularity"]
    assert row["recall_at_k"] == pytest.approx(1.0)
    assert any("marked as a consumable count as hits too" in w for w in res.warnings)


def test_default_cutoff_is_30_days_before_the_last_date():
    lines = shop()
    extra = pd.DataFrame([_line("T1", "2024-04-20", "4", "A"), _line("T2", "2024-04-20", "1", "C")])
    split = R.chronological_split(pd.concat([lines, extra], ignore_index=True))
    assert split.cutoff == pd.Timestamp("2024-03-22")
    assert split.truth == {"1": {"C"}, "4": {"A"}}


def test_errors_say_what_to_do():
    with pytest.raises(InsufficientDataError, match="customer_id"):
        R.build_interactions(shop().drop(columns=["customer_id"]))
    with pytest.raises(InsufficientDataError, match="cut-off"):
        R.chronological_split(shop(), cutoff="2030-01-01")
    with pytest.raises(ParameterError, match="'weighting' parameter"):
        R.ItemKNNRecommender(weighting="magic").fit(shop())
    with pytest.raises(ParameterError, match="'k' parameter"):
        item_knn().fit(shop()).recommend(["1"], k=0)
    with pytest.raises(ParameterError, match="no sales"):
        item_knn().fit(shop()).similar_products("ZZZ")
    with pytest.raises(ParameterError, match="not fitted"):
        item_knn().recommend(["1"])
    with pytest.raises(ParameterError, match="model"):
        R.make_model("magic")
    with pytest.raises(ParameterError, match="recent_days"):
        R.BusinessRules(recent_days=0)


@pytest.mark.parametrize("name", ["popularity", "trending"])
def test_baseline_shortcut_matches_the_generic_top_k(demo, name):
    """The baselines' fast top_items equals the generic masked-score ranking."""
    model = R.make_model(name, rules=R.BusinessRules(rebuy_products=("KIT-299",)))
    model.fit(demo.lines)
    rows = np.arange(0, model.interactions_.shape[0], 7)
    fast = model.top_items(rows, 10)
    generic = R.Recommender.top_items(model, rows, 10)
    np.testing.assert_array_equal(fast, generic)


def test_works_without_dates_and_names_but_cannot_be_tested():
    lines = shop().drop(columns=["order_date", "product_name"])
    recs = item_knn().fit(lines).recommend(["4"], k=2)
    assert list(recs["product_id"]) == ["A", "C"]
    assert recs["reason"].iloc[0] == "because you bought B"  # ids stand in for names
    with pytest.raises(InsufficientDataError, match="order dates"):
        R.evaluate(lines)


def test_one_product_is_not_enough():
    lines = shop()
    with pytest.raises(InsufficientDataError, match="2 products"):
        R.make_model("ease").fit(lines.loc[lines["product_id"] == "A"])


def test_evaluation_chart_marks_the_baselines(demo):
    from ecomdash.charts.recommend import evaluation_figure, recommendations_figure

    res = R.evaluate(demo.lines)
    fig = evaluation_figure(res)
    hit = fig.data[0]
    labels = list(hit.y)
    assert len(labels) == len(R.MODEL_NAMES)
    pop = labels.index(R.MODEL_LABELS["popularity"])
    assert hit.text[pop] == "baseline"
    t = res.table.set_index("label")
    # percentage points on a percent axis (charts.percent.pct_axis)
    assert list(hit.x) == pytest.approx([100 * t.loc[lab, "hit_rate_at_k"] for lab in labels])
    recs = (
        R.make_model("ease")
        .fit(demo.lines)
        .recommend([demo.lines["customer_id"].dropna().iloc[0]], k=5)
    )
    assert len(recommendations_figure(recs).data[0].x) == len(recs)


def test_recommendations_chart_shows_product_names_as_written():
    """A product name is merchant text: "<b>Mug</b> & Co" is drawn as written, not as bold
    markup (plotly reads tags in labels); a product without a name is its id."""
    from ecomdash.charts.recommend import recommendations_figure

    recs = pd.DataFrame(
        {
            "customer_id": ["c1", "c1"],
            "product_id": ["M1", "T2"],
            "product_name": ["<b>Mug</b> & Co", None],
            "score": [2.0, 1.0],
            "rank": [1, 2],
            "reason": ["because you bought <i>Tea</i>", "popular"],
        }
    )
    bar = recommendations_figure(recs).data[0]
    # drawn from the last rank up: the best at the top
    assert list(bar.y) == ["T2", "&lt;b&gt;Mug&lt;/b&gt; &amp; Co (M1)"]
    assert list(bar.customdata) == ["popular", "because you bought &lt;i&gt;Tea&lt;/i&gt;"]


# -- scale: sparse item similarity, models too big for the data ----------------------------


def test_item_similarity_is_sparse_and_equals_hand_cosines():
    model = item_knn().fit(shop())
    sim = model.similarity_
    assert hasattr(sim, "tocsr")  # never a dense products x products array
    idx = {p: n for n, p in enumerate(model.interactions_.products)}
    got = sim.toarray()
    assert got[idx["A"], idx["B"]] == pytest.approx(2 / 3, rel=1e-6)
    assert got[idx["A"], idx["C"]] == pytest.approx(2 / math.sqrt(6), rel=1e-6)
    assert got[idx["B"], idx["C"]] == pytest.approx(1 / math.sqrt(6), rel=1e-6)
    assert got[idx["D"], :].sum() == 0 and np.all(np.diag(got) == 0)
    assert sim.nnz == 6  # only products bought together are stored


@pytest.mark.parametrize(
    "weighting,shrinkage,neighbours",
    [("binary", 10.0, 200), ("tfidf", 0.0, None), ("log", 10.0, 3), ("bm25", 0.0, 5)],
)
def test_sparse_similarity_equals_the_dense_computation_bit_for_bit(
    demo, weighting, shrinkage, neighbours
):
    """Dense reference: the whole products x products cosine, then the per-column cut."""
    inter = R.build_interactions(demo.lines)
    W = R.weight_matrix(inter, weighting)
    W32 = W.astype(np.float32)
    gram = (W32.T @ W32).toarray()
    norms = np.sqrt(np.maximum(np.diag(gram), 0)).astype(np.float32)
    np.fill_diagonal(gram, 0.0)
    if shrinkage == 0:
        norms[norms == 0] = 1.0
        dense = gram / norms[:, None] / norms[None, :]
    else:
        dense = gram / (np.outer(norms, norms) + np.float32(shrinkage))
    if neighbours is not None:
        n = dense.shape[0]
        cut = np.sort(dense, axis=1)[:, n - neighbours]  # each row's neighbours-th largest
        dense[dense < cut[None, :]] = 0.0
    got = R._sparse_cosine_top(W, shrinkage=shrinkage, neighbours=neighbours, block=50)
    np.testing.assert_array_equal(got.toarray(), dense)


def test_models_too_big_for_the_data_are_left_out_of_the_test_with_the_reason():
    lines = shop()
    later = pd.DataFrame([_line("O8", "2024-03-20", "1", "C"), _line("O9", "2024-03-21", "3", "B")])
    lines = pd.concat([lines, later], ignore_index=True)
    models = {
        "ease": R.EASERecommender(max_products=2),
        "user_knn": R.UserKNNRecommender(max_customers=3),
        "item_knn": item_knn(),
    }
    res = R.evaluate(lines, cutoff="2024-03-10", models=models, min_test_customers=1)
    assert set(res.table["model"]) == {"item_knn", "popularity"}
    assert any("EASE" in w and "limit 2" in w for w in res.warnings)
    assert any("similar customers model" in w and "5 customers (limit 3" in w for w in res.warnings)
    with pytest.raises(InsufficientDataError, match="limit 3"):
        R.UserKNNRecommender(max_customers=3).fit(lines)


def test_test_customers_above_the_cap_are_sampled_and_the_page_is_told(demo):
    from ecomdash.recommend import chronological_split

    split = chronological_split(demo.lines)
    inter = R.build_interactions(split.train)
    models = {"popularity": R.make_model("popularity")}
    full = R.evaluate_split(inter, split.truth, cutoff=split.cutoff, end=split.end, models=models)
    cap = full.n_test_customers // 2
    part = R.evaluate_split(
        inter,
        split.truth,
        cutoff=split.cutoff,
        end=split.end,
        models=models,
        max_test_customers=cap,
    )
    assert part.n_test_customers == cap < full.n_test_customers
    assert any(f"sample of {cap:,} of the {full.n_test_customers:,}" in w for w in part.warnings)
    h_full = full.table["hit_rate_at_k"].iloc[0]
    h_part = part.table["hit_rate_at_k"].iloc[0]
    assert abs(h_part - h_full) < 4 * math.sqrt(h_full * (1 - h_full) / cap)


@pytest.mark.parametrize("name", ["item_knn", "ease", "als", "user_knn", "popularity"])
def test_ranking_in_batches_of_customers_changes_nothing(demo, monkeypatch, name):
    inter = R.build_interactions(demo.lines)
    model = R.make_model(name).fit_interactions(inter)
    rows = np.arange(0, inter.shape[0], 3)
    ids = list(inter.customers[rows[:40]])
    whole_top, whole_rec = model.top_items(rows, 10), model.recommend(ids, k=10)
    monkeypatch.setattr(R.base, "TOP_ITEMS_CELLS", inter.shape[1] * 7)  # 7 customers a batch
    pd.testing.assert_frame_equal(model.recommend(ids, k=10), whole_rec)
    np.testing.assert_array_equal(model.top_items(rows, 10), whole_top)
