"""recommend/models by hand on a 5 customers × 4 products count matrix: best sellers and
trending with their order and exclusions, item kNN, EASE and user kNN against their
formulas written out with numpy, ALS's conjugate gradient against exact least squares, the
parameter checks and refusals word for word (written to kill the mutants of
``ecomdash/recommend/models.py``, issue #21)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from ecomdash import recommend as R
from ecomdash.errors import InsufficientDataError, ParameterError
from ecomdash.recommend import models as M

# purchases (distinct orders) and days since the last one (+ 1); buyers 3, 2, 3, 1
COUNTS = np.array([[1, 1, 0, 0], [2, 0, 1, 0], [1, 0, 0, 2], [0, 1, 1, 0], [0, 0, 1, 0]], float)
AGES = np.array([[1, 20, 0, 0], [11, 0, 10, 0], [30, 0, 0, 5], [0, 3, 12, 0], [0, 0, 2, 0]], float)
ALL = np.arange(5)


def _inter(counts=COUNTS, ages=AGES) -> R.Interactions:
    n_u, n_i = counts.shape
    return R.Interactions(
        customers=pd.Index([f"u{u}" for u in range(n_u)], dtype=object),
        products=pd.Index([f"P{i}" for i in range(n_i)], dtype=object),
        counts=sp.csr_matrix(counts),
        age_days=sp.csr_matrix(ages),
        product_names=np.array([f"P{i}" for i in range(n_i)], dtype=object),
        product_categories=None,
        product_last_sold=np.zeros(n_i),
        reference_date=pd.Timestamp("2024-01-31"),
        n_lines=int(counts.sum()),
    )


def _cos(W: np.ndarray, shrinkage: float = 0.0) -> np.ndarray:
    """Item cosine with shrinkage in the denominator, zero diagonal."""
    n = np.sqrt((W**2).sum(axis=0))
    S = (W.T @ W) / (np.outer(n, n) + shrinkage)
    np.fill_diagonal(S, 0.0)
    return S


# ----------------------------------------------------------------------- best sellers


def test_best_sellers_by_distinct_buyers_skip_what_each_bought():
    model = R.PopularityRecommender().fit_interactions(_inter())
    assert model.popularity_.tolist() == [3, 2, 3, 1]
    np.testing.assert_allclose(model._scores(np.array([0, 3])), [[0.6, 0.4, 0.6, 0.2]] * 2)
    # ranking P0, P2 (3 buyers, by id), P1, P3; each customer's own purchases skipped
    assert model.top_items(ALL, 2).tolist() == [[2, 3], [1, 3], [2, 1], [0, 3], [0, 1]]
    assert model.top_items(np.array([0]), 3).tolist() == [[2, 3, -1]]
    assert (
        model.top_items(np.array([0, 4]), 5, exclude_bought=False).tolist()
        == [[0, 2, 1, 3, -1]] * 2
    )
    assert model.top_items(np.array([], dtype=int), 2).shape == (0, 2)
    # active customers first for "who to target": products bought
    np.testing.assert_allclose(model._item_column_scores(1), np.array([2, 2, 2, 2, 1]) / 1e6)
    recs = model.recommend(["u4"], k=1)
    assert recs["product_id"].tolist() == ["P0"]
    assert recs["reason"].tolist() == ["best seller: bought by 3 customers"]
    with pytest.raises(ParameterError, match=r"'k' parameter must be an int"):
        model.top_items(ALL, 0)


def test_best_sellers_beyond_the_catalogue_and_on_a_large_one():
    model = R.PopularityRecommender().fit_interactions(_inter())
    # u4 bought P2: the three others, then nothing (k above the catalogue)
    assert model.top_items(np.array([4]), 6).tolist() == [[0, 1, 3, -1, -1, -1]]
    # 60 products, buyers 60, 59, ..., 1 (product j bought by customers 0..59-j); customer c
    # owns products 0..59-c, so its list starts after them, in ranking order
    n = 60
    counts = np.array([[1.0 if j <= n - 1 - c else 0.0 for j in range(n)] for c in range(n)])
    big = R.PopularityRecommender().fit_interactions(_inter(counts, counts))
    rows = np.arange(n)
    want = [([j for j in range(n) if j > n - 1 - c] + [-1] * 5)[:5] for c in rows]
    assert big.top_items(rows, 5).tolist() == want
    # interleaved ownership: customer 0 owns the even products, customer 1 the odd ones
    counts = np.zeros((3, n))
    counts[0, ::2] = 1.0
    counts[1, 1::2] = 1.0
    counts[2, :] = 1.0  # buyers: 2 each, ties by id
    inter = _inter(counts, counts)
    top = R.PopularityRecommender().fit_interactions(inter).top_items(np.array([0, 1]), 20)
    assert top.tolist() == [list(range(1, 40, 2)), list(range(0, 40, 2))]


def test_rebuy_products_can_come_back_among_best_sellers():
    rules = R.BusinessRules(rebuy_products=("P1",))
    model = R.PopularityRecommender(rules=rules).fit_interactions(_inter())
    assert model.top_items(np.array([0, 3]), 2).tolist() == [[2, 1], [0, 1]]


def test_trending_counts_buyers_within_the_window_edge_included():
    model = R.PopularityRecommender(window_days=10).fit_interactions(_inter())
    # P0: u0 (1 day); P1: u3 (3); P2: u1 (10, the edge) and u4 (2); P3: u2 (5)
    assert model.popularity_.tolist() == [1, 1, 2, 1]
    # equal counts: more buyers overall first (P0 3, P1 2, P3 1)
    assert model.top_items(np.array([4, 3]), 3).tolist() == [[0, 1, 3], [0, 3, -1]]
    recs = model.recommend(["u3"], k=1)
    assert recs["reason"].tolist() == ["best seller: bought by 1 customer in the last 10 days"]
    trending = R.TrendingRecommender().fit_interactions(_inter())
    assert trending.name == "trending" and trending.window_days == 30
    # within 30 days: all but u2's P0 (30 is the edge: in) -> P0 3, P1 2, P2 3, P3 1
    assert trending.popularity_.tolist() == [3, 2, 3, 1]
    five = R.TrendingRecommender(window_days=5).fit_interactions(_inter())
    assert five.popularity_.tolist() == [1, 1, 1, 1]


# ------------------------------------------------------------------------- item kNN


def test_item_knn_equals_shrunk_cosine_times_decayed_history():
    model = R.ItemKNNRecommender(
        weighting="count", neighbours=None, shrinkage=1.0, half_life_days=2.0
    ).fit_interactions(_inter())
    S = _cos(COUNTS, 1.0)
    np.testing.assert_allclose(model.similarity_.toarray(), S, rtol=1e-6)
    hist = COUNTS * 0.5 ** (AGES / 2.0)
    np.testing.assert_allclose(model.history_.toarray(), hist, rtol=1e-6)
    assert model.history_.dtype == np.float32
    np.testing.assert_allclose(model._scores(ALL), hist @ S, rtol=1e-5)
    np.testing.assert_allclose(model._item_column_scores(2), hist @ S[:, 2], rtol=1e-5)
    assert model._item_similarity() is model.similarity_
    assert model._history() is model.history_


def test_item_knn_keeps_each_products_strongest_neighbour():
    model = R.ItemKNNRecommender(
        weighting="binary", neighbours=1, shrinkage=0.5, half_life_days=None
    ).fit_interactions(_inter())
    S = _cos((COUNTS > 0).astype(float), 0.5)
    keep = S >= S.max(axis=0, keepdims=True)
    np.testing.assert_allclose(model.similarity_.toarray(), np.where(keep, S, 0.0), rtol=1e-6)
    np.testing.assert_allclose(model.history_.toarray(), (COUNTS > 0).astype(float))


def test_item_knn_defaults():
    model = R.ItemKNNRecommender()
    assert (model.weighting, model.neighbours, model.shrinkage, model.half_life_days) == (
        "binary",
        200,
        10.0,
        90.0,
    )


# ------------------------------------------------------------------------------ EASE


def _ease(X: np.ndarray, l2: float) -> np.ndarray:
    P = np.linalg.inv(X.T @ X + l2 * np.eye(X.shape[1]))
    B = -P / np.diag(P)[None, :]
    np.fill_diagonal(B, 0.0)
    return B


def test_ease_on_counts_leaves_out_rare_products():
    model = R.EASERecommender(
        l2=3.0, weighting="count", half_life_days=None, min_buyers=2
    ).fit_interactions(_inter())
    assert model.products_kept_.tolist() == [0, 1, 2]  # P3 has one buyer
    B = _ease(COUNTS[:, :3], 3.0)
    np.testing.assert_allclose(model.weights_, B, rtol=1e-4, atol=1e-6)
    want = np.zeros((5, 4))
    want[:, :3] = COUNTS[:, :3] @ B
    np.testing.assert_allclose(model._scores(ALL), want, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(model._item_column_scores(1), COUNTS[:, :3] @ B[:, 1], rtol=1e-4)
    assert model._item_column_scores(3).tolist() == [0.0] * 5
    full = np.zeros((4, 4))
    full[:3, :3] = B
    np.testing.assert_allclose(model._item_similarity(), full, rtol=1e-4, atol=1e-6)
    assert model._also_bought_similarity() is model._item_similarity()
    np.testing.assert_allclose(model._history().toarray(), COUNTS)


def test_ease_binary_keeps_every_product_when_too_few_are_common():
    X = (COUNTS > 0).astype(float)
    model = R.EASERecommender(l2=2.0, half_life_days=4.0, min_buyers=4).fit_interactions(_inter())
    assert model.products_kept_.tolist() == [0, 1, 2, 3]  # none has 4 buyers: all kept
    np.testing.assert_allclose(model.weights_, _ease(X, 2.0), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(model._item_similarity(), _ease(X, 2.0), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(model.history_.toarray(), X * 0.5 ** (AGES / 4.0), rtol=1e-6)
    # binary, products dropped: the gram of the kept ones (P0, P2: 3 buyers each)
    three = R.EASERecommender(l2=2.0, min_buyers=3).fit_interactions(_inter())
    assert three.products_kept_.tolist() == [0, 2]
    np.testing.assert_allclose(three.weights_, _ease(X[:, [0, 2]], 2.0), rtol=1e-4, atol=1e-6)
    assert R.EASERecommender().l2 == 100.0 and R.EASERecommender().min_buyers == 5


def test_ease_refuses_catalogues_above_its_limit():
    inter = _inter()
    # min_buyers 3 keeps P0, P2: 2 products, at the limit
    assert R.EASERecommender(min_buyers=3, max_products=2).refusal(inter) is None
    msg = R.EASERecommender(min_buyers=2, max_products=2).refusal(inter)
    assert msg == (
        "EASE needs a products × products matrix; the data has 3 products (limit 2). Use "
        "the similar products model or ALS, or filter to fewer categories."
    )
    # fewer than two common products: the whole catalogue counts
    msg = R.EASERecommender(min_buyers=4, max_products=3).refusal(inter)
    assert "the data has 4 products (limit 3)" in msg
    with pytest.raises(InsufficientDataError, match="has 3 products"):
        R.EASERecommender(min_buyers=2, max_products=2).fit_interactions(inter)
    assert R.EASERecommender().max_products == 12_000
    assert M.default_model_name(12_000) == "ease"
    assert M.default_model_name(12_001) == "item_knn"


# -------------------------------------------------------------------------- user kNN


def test_user_knn_sums_the_two_closest_customers_purchases():
    model = R.UserKNNRecommender(neighbours=2, weighting="count").fit_interactions(_inter())
    norms = np.sqrt((COUNTS**2).sum(axis=1))
    P = COUNTS / norms[:, None]
    np.testing.assert_allclose(model.profiles_.toarray(), P, rtol=1e-6)
    sims = P @ P.T
    np.fill_diagonal(sims, 0.0)
    # each row's two largest (no ties): u0 -> u1, u3; u1 -> u0, u4; u2 -> u1, u0; ...
    top = np.argsort(-sims, axis=1)[:, :2]
    assert top.tolist() == [[1, 3], [0, 4], [1, 0], [4, 0], [3, 1]]
    Wn = np.zeros_like(sims)
    np.put_along_axis(Wn, top, np.take_along_axis(sims, top, axis=1), axis=1)
    bought = (COUNTS > 0).astype(float)
    np.testing.assert_allclose(model._scores(ALL), Wn @ bought, rtol=1e-5)
    np.testing.assert_allclose(model._neighbour_weights(ALL).toarray(), Wn, rtol=1e-5)
    # more neighbours than other customers: all of them
    wide = R.UserKNNRecommender(neighbours=9, weighting="count").fit_interactions(_inter())
    np.testing.assert_allclose(wide._scores(ALL), sims @ bought, rtol=1e-5)
    assert model._generic_reason() == "bought by customers with similar purchases"
    assert R.UserKNNRecommender().weighting == "tfidf"


def test_user_knn_reasons_count_the_similar_customers_who_bought_it():
    """A user-based model's reason is about similar customers ("2 customers who buy like you
    bought it"), the neighbours its score sums, never "because you bought X" (an item-based
    explanation); an item-based model keeps "because you bought" (branch fmtfix)."""
    from ecomdash.i18n import use_lang

    model = R.UserKNNRecommender(neighbours=2, weighting="count").fit_interactions(_inter())
    P = COUNTS / np.sqrt((COUNTS**2).sum(axis=1))[:, None]
    sims = P @ P.T
    np.fill_diagonal(sims, 0.0)
    top2 = np.argsort(-sims, axis=1)[:, :2]  # u0 -> u1, u3; u2 -> u1, u0 ...
    recs = model.recommend(["u0", "u2"], k=2)
    assert len(recs) > 0
    for row in recs.itertuples():
        u, i = int(row.customer_id[1:]), int(row.product_id[1:])
        n = int((COUNTS[top2[u], i] > 0).sum())
        if n == 0:  # no neighbour bought it: a filler, said as such
            assert row.reason.startswith("no closer match; best seller"), row.reason
            continue
        want = (
            f"{n} customer who buys like you bought it"
            if n == 1
            else f"{n} customers who buy like you bought it"
        )
        assert row.reason == want, (row.customer_id, row.product_id)
        assert "because you bought" not in row.reason
    # a filler names its one buyer as one customer, never "1 customers"
    assert recs.set_index(["customer_id", "product_id"]).loc[("u0", "P3"), "reason"] == (
        "no closer match; best seller: bought by 1 customer"
    )
    cold = model.recommend(["nobody"], k=4).set_index("product_id")["reason"]  # no history
    assert cold["P3"] == "best seller: bought by 1 customer (no purchase history)"
    assert cold["P0"] == "best seller: bought by 3 customers (no purchase history)"
    # u0's neighbours u1 and u3 both bought P2: two of them
    assert recs.set_index(["customer_id", "product_id"]).loc[("u0", "P2"), "reason"] == (
        "2 customers who buy like you bought it"
    )
    with use_lang("zh"):
        zh = model.recommend(["u0"], k=2).set_index("product_id")
        targets = model.target_customers("P2", k=5)
    assert zh.loc["P2", "reason"] == "购买记录和您相似的\u00a02\u00a0位客户买过"
    # said of a customer to target: "… who buy like them", in the run's language
    assert set(targets["reason"]) <= {
        f"购买记录和其相似的\u00a0{n}\u00a0位客户买过" for n in (1, 2)
    }
    assert len(targets) > 0
    # the item-based model keeps its own reason
    item = R.ItemKNNRecommender(neighbours=None, shrinkage=0.0).fit_interactions(_inter())
    assert any(r.startswith("because you bought") for r in item.recommend(["u0"], k=2)["reason"])


def test_user_knn_neighbours_of_some_customers_and_in_batches():
    model = R.UserKNNRecommender(neighbours=1, weighting="count").fit_interactions(_inter())
    P = COUNTS / np.sqrt((COUNTS**2).sum(axis=1))[:, None]
    # u0's closest is u1 (2 / sqrt(10)), u1's u0, u2's u1 (2 / 5): a 3 × 5 weight matrix
    want = np.zeros((3, 5))
    want[[0, 1, 2], [1, 0, 1]] = [P[0] @ P[1], P[1] @ P[0], P[2] @ P[1]]
    got = model._neighbour_weights(np.array([0, 1, 2]))
    assert got.shape == (3, 5)
    np.testing.assert_allclose(got.toarray(), want, rtol=1e-6)
    bought = (COUNTS > 0).astype(float)
    np.testing.assert_allclose(model._scores(np.array([0, 1, 2])), want @ bought, rtol=1e-6)
    # 2,500 customers scored (1,024 at a time): each row as scored alone
    rows = np.tile(ALL, 500)
    alone = model._scores(ALL)
    np.testing.assert_array_equal(model._scores(rows), np.tile(alone, (500, 1)))


def test_user_knn_picks_the_k_most_similar_among_many():
    rng = np.random.default_rng(11)
    counts = (rng.random((60, 25)) < 0.25).astype(float)
    counts[:, 0] = 1.0  # everybody bought something
    counts += rng.integers(0, 3, counts.shape) * counts  # repeat purchases
    ages = np.where(counts > 0, 1.0, 0.0)
    model = R.UserKNNRecommender(neighbours=4, weighting="count").fit_interactions(
        _inter(counts, ages)
    )
    P = counts / np.sqrt((counts**2).sum(axis=1))[:, None]
    sims = P @ P.T
    np.fill_diagonal(sims, 0.0)
    top = np.argsort(-sims, axis=1, kind="stable")[:, :4]
    Wn = np.zeros_like(sims)
    np.put_along_axis(Wn, top, np.take_along_axis(sims, top, axis=1), axis=1)
    got = model._neighbour_weights(np.arange(60)).toarray()
    # the 4 largest similarities of each row, whichever of equal ones is taken
    np.testing.assert_allclose(np.sort(got, axis=1), np.sort(Wn, axis=1), rtol=1e-5, atol=1e-7)
    assert ((got > 0).sum(axis=1) <= 4).all()


def test_user_knn_scores_customers_without_purchases_as_zero():
    counts = COUNTS.copy()
    counts[4] = 0.0  # u4 kept in the matrix with nothing bought (a zero profile)
    model = R.UserKNNRecommender(neighbours=2, weighting="binary").fit_interactions(
        _inter(counts, AGES * (counts > 0))
    )
    assert np.isfinite(model.profiles_.toarray()).all()
    assert model.profiles_.toarray()[4].tolist() == [0.0] * 4


def test_user_knn_refuses_too_many_customers():
    inter = _inter()
    assert R.UserKNNRecommender(max_customers=5).refusal(inter) is None
    msg = R.UserKNNRecommender(max_customers=4).refusal(inter)
    assert msg == (
        "The similar customers model compares every customer with every other; the data has "
        "5 customers (limit 4: about 9 s per 1,000 customers scored at 100,000). Use the "
        "similar products model or ALS, or filter to fewer customers."
    )
    with pytest.raises(InsufficientDataError, match="has 5 customers"):
        R.UserKNNRecommender(max_customers=4).fit_interactions(inter)
    assert R.UserKNNRecommender().max_customers == 50_000


# ------------------------------------------------------------------------------- ALS


def _exact_rows(C: np.ndarray, Y: np.ndarray, reg: float) -> np.ndarray:
    """Each row's exact solution of (YᵀY + Yᵀ diag(c_u − 1) Y + reg I) x = Σ_i c_ui y_i
    over its purchases (c_ui = 1 + C[u, i] where bought)."""
    f = Y.shape[1]
    out = np.zeros((C.shape[0], f))
    for u in range(C.shape[0]):
        bought = C[u] > 0
        A = Y.T @ Y + Y.T @ np.diag(C[u]) @ Y + reg * np.eye(f)
        b = ((1 + C[u])[bought, None] * Y[bought]).sum(axis=0)
        out[u] = np.linalg.solve(A, b)
    return out


def test_conjugate_gradient_solves_each_row_exactly_in_f_steps(monkeypatch):
    rng = np.random.default_rng(5)
    Y = rng.standard_normal((4, 3)).astype(np.float32)
    C = COUNTS * 2.0  # alpha 2
    X0 = np.zeros((5, 3), dtype=np.float32)
    want = _exact_rows(C, Y.astype(float), 0.5)
    got = M._cg_side(sp.csr_matrix(C.astype(np.float32)), Y, X0, 0.5, 3)
    np.testing.assert_allclose(got, want, rtol=2e-3, atol=2e-4)
    buf = np.empty((sp.csr_matrix(C).nnz, 3), dtype=np.float32)
    monkeypatch.setattr(M, "ALS_CHUNK", 2)  # purchases two at a time: the same
    again = M._cg_side(sp.csr_matrix(C.astype(np.float32)), Y, X0, 0.5, 3, buf)
    np.testing.assert_allclose(again, want, rtol=2e-3, atol=2e-4)


def test_one_conjugate_gradient_step_by_hand():
    rng = np.random.default_rng(6)
    Y = rng.standard_normal((4, 2)).astype(np.float32)
    X0 = rng.standard_normal((5, 2)).astype(np.float32)
    C = COUNTS * 3.0
    Yd, Xd = Y.astype(float), X0.astype(float)
    want = np.zeros((5, 2))
    for u in range(5):
        A = Yd.T @ Yd + Yd.T @ np.diag(C[u]) @ Yd + 0.25 * np.eye(2)
        b = ((1 + C[u])[C[u] > 0, None] * Yd[C[u] > 0]).sum(axis=0)
        r = b - A @ Xd[u]
        a = (r @ r) / (r @ A @ r)  # steepest step along the residual
        want[u] = Xd[u] + a * r
    got = M._cg_side(sp.csr_matrix(C.astype(np.float32)), Y, X0, 0.25, 1)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
    assert (X0 == X0.astype(float)).all()  # the start is not modified
    # a row without purchases already at its solution (0): stays 0, no division by zero
    Z = np.zeros((5, 2), dtype=np.float32)
    C[4] = 0.0
    out = M._cg_side(sp.csr_matrix(C.astype(np.float32)), Y, Z, 0.25, 2)
    assert out[4].tolist() == [0.0, 0.0]


def test_als_alternates_exact_solves_from_its_seeded_start():
    f, alpha, reg = 2, 4.0, 0.3
    model = R.ALSRecommender(
        factors=f, regularization=reg, alpha=alpha, iterations=2, cg_steps=f,
        weighting="count", random_state=7,
    ).fit_interactions(_inter())  # fmt: skip
    rng = np.random.default_rng(7)
    U = rng.standard_normal((5, f)) * 0.01
    V = rng.standard_normal((4, f)) * 0.01
    C = alpha * COUNTS
    for _ in range(2):
        U = _exact_rows(C, V, reg)
        V = _exact_rows(C.T, U, reg)
    np.testing.assert_allclose(model.user_factors_, U, rtol=5e-3, atol=1e-4)
    np.testing.assert_allclose(model.item_factors_, V, rtol=5e-3, atol=1e-4)
    np.testing.assert_allclose(model._scores(ALL), U @ V.T, rtol=5e-3, atol=1e-4)
    np.testing.assert_allclose(model._item_column_scores(1), U @ V[1], rtol=5e-3, atol=1e-4)
    sim = model._item_similarity()
    assert model._also_bought_similarity() is sim
    Vn = V / np.linalg.norm(V, axis=1, keepdims=True)
    cos = Vn @ Vn.T
    np.fill_diagonal(cos, 0.0)
    np.testing.assert_allclose(sim.block(np.arange(4), np.arange(4)), cos, atol=2e-3)
    assert model._generic_reason() == "matches the taste profile of your purchases"
    d = R.ALSRecommender()
    assert (d.factors, d.regularization, d.alpha, d.iterations, d.cg_steps) == (32, 1.0, 5.0, 4, 2)
    assert (d.weighting, d.random_state) == ("log", 0)
    assert R.EASERecommender().half_life_days == 90.0
    assert R.UserKNNRecommender().neighbours == 50


def _one_step(C: np.ndarray, Y: np.ndarray, X0: np.ndarray, reg: float) -> np.ndarray:
    """One conjugate-gradient (steepest descent) step from X0 for every row, in float64."""
    out = np.zeros_like(X0)
    for u in range(C.shape[0]):
        bought = C[u] > 0
        A = Y.T @ Y + Y.T @ np.diag(C[u]) @ Y + reg * np.eye(Y.shape[1])
        b = ((1 + C[u])[bought, None] * Y[bought]).sum(axis=0)
        r = b - A @ X0[u]
        out[u] = X0[u] + (r @ r) / (r @ A @ r) * r
    return out


def test_als_with_one_step_per_side_starts_from_small_seeded_factors():
    f, alpha, reg = 3, 2.0, 0.5
    model = R.ALSRecommender(
        factors=f, regularization=reg, alpha=alpha, iterations=1, cg_steps=1,
        weighting="log", random_state=3,
    ).fit_interactions(_inter())  # fmt: skip
    rng = np.random.default_rng(3)
    U0 = rng.standard_normal((5, f)) * 0.01
    V0 = rng.standard_normal((4, f)) * 0.01
    C = alpha * np.log1p(COUNTS)
    U = _one_step(C, V0, U0, reg)
    V = _one_step(C.T, U, V0, reg)
    np.testing.assert_allclose(model.user_factors_, U, rtol=2e-3, atol=1e-6)
    np.testing.assert_allclose(model.item_factors_, V, rtol=2e-3, atol=1e-6)


# ----------------------------------------------------------- parameter checks, registry


@pytest.mark.parametrize(
    ("name", "param", "value", "message"),
    [
        ("popularity", "window_days", 0, "None or an int in the range [1, inf). Got 0"),
        ("item_knn", "weighting", "x", "one of 'binary', 'count', 'log', 'tfidf', 'bm25'. Got"),
        ("item_knn", "neighbours", 0, "None or an int in the range [1, inf). Got 0"),
        ("item_knn", "shrinkage", -1.0, "a number in the range [0, inf). Got -1.0"),
        ("item_knn", "half_life_days", 0, "None or a number in the range (0, inf). Got 0"),
        ("ease", "l2", 0, "a number in the range (0, inf). Got 0"),
        ("ease", "weighting", "x", "one of 'binary', 'count', 'log', 'tfidf', 'bm25'. Got"),
        ("ease", "half_life_days", 0, "None or a number in the range (0, inf). Got 0"),
        ("ease", "min_buyers", 0, "an int in the range [1, inf). Got 0"),
        ("user_knn", "neighbours", 0, "an int in the range [1, inf). Got 0"),
        ("user_knn", "max_customers", 1, "an int in the range [2, inf). Got 1"),
        ("user_knn", "weighting", "x", "one of 'binary', 'count', 'log', 'tfidf', 'bm25'. Got"),
        ("als", "factors", 0, "an int in the range [1, inf). Got 0"),
        ("als", "regularization", -1, "a number in the range [0, inf). Got -1"),
        ("als", "alpha", 0, "a number in the range (0, inf). Got 0"),
        ("als", "iterations", 0, "an int in the range [1, inf). Got 0"),
        ("als", "cg_steps", 0, "an int in the range [1, inf). Got 0"),
        ("als", "weighting", "x", "one of 'binary', 'count', 'log', 'tfidf', 'bm25'. Got"),
    ],
)
def test_parameter_checks_name_the_parameter_and_its_range(name, param, value, message):
    with pytest.raises(ParameterError) as e:
        M.make_model(name, **{param: value}).fit_interactions(_inter())
    assert str(e.value).startswith(f"The '{param}' parameter must be {message}")


@pytest.mark.parametrize(
    ("name", "param", "value"),
    [
        ("popularity", "window_days", 1),
        ("item_knn", "shrinkage", 0.0),
        ("item_knn", "neighbours", 1),
        ("ease", "min_buyers", 1),
        ("user_knn", "neighbours", 1),
        ("user_knn", "max_customers", 5),
        ("als", "regularization", 0.0),
        ("als", "factors", 1),
    ],
)
def test_parameter_edges_are_accepted(name, param, value):
    M.make_model(name, **{param: value}).fit_interactions(_inter())


def test_make_model_and_its_registry(monkeypatch):
    monkeypatch.delenv("ECOMDASH_ENGINE", raising=False)
    rules = R.BusinessRules(rebuy_products=("P1",))
    for name in R.MODEL_NAMES:
        model = M.make_model(name, rules=rules)
        assert model.name == name and model.rules is rules
    assert type(M.make_model("als")) is M.ALSRecommender
    assert M.make_model("item_knn", shrinkage=3.0, neighbours=None).shrinkage == 3.0
    assert M.model_parameters("ease") == (
        "l2",
        "weighting",
        "half_life_days",
        "min_buyers",
        "max_products",
    )
    assert M.model_parameters("popularity") == ("window_days",)
    with pytest.raises(ParameterError) as e:
        M.model_parameters("magic")
    assert str(e.value) == (
        "The 'model' parameter must be one of 'ease', 'item_knn', 'als', 'user_knn', "
        "'trending', 'popularity'. Got 'magic' instead."
    )
    with pytest.raises(ParameterError, match="'model' parameter must be one of"):
        M.make_model("magic")
    monkeypatch.setenv("ECOMDASH_ENGINE", " Spark ")
    spark = M.make_model("als", rules=rules, factors=8)
    assert type(spark).__name__ == "SparkALSRecommender"
    assert spark.rules is rules and spark.factors == 8
    assert type(M.make_model("ease")) is M.EASERecommender
