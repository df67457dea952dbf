"""recommend/base by hand: the shared recommender plumbing (fit checks, candidate and re-buy
masks, top-k with its ties, batching, reasons, cold start, "also bought", "who to target")
and the similarity helpers, on 6 customers × 4 products with a stub model whose scores are
a fixed table, so every ranking and every sentence below is worked out by hand (written to
kill the mutants of ``ecomdash/recommend/base.py``, issue #21).

The tf-idf cosine behind the reasons: tf = sqrt(orders) and the idf weights cancel, so with
the orders below the columns are A = (2, 1, 0, 0, 1, 0), B = (1, 0, 1, 0, 1, 0),
C = (0, 1, 1, 0, 0, 0), D = (0, 0, 1, 1, 0, 0), and
cos(A, B) = 3 / √18 = 1/√2, cos(A, C) = 1/√12, cos(A, D) = 0, cos(B, C) = cos(B, D) = 1/√6,
cos(C, D) = 1/2.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from ecomdash import recommend as R
from ecomdash.errors import InsufficientDataError, ParameterError
from ecomdash.recommend import base as B

# orders of A, B, C, D per customer; u5 bought nothing (no history)
COUNTS = np.array(
    [[4, 1, 0, 0], [1, 0, 1, 0], [0, 1, 1, 1], [0, 0, 0, 1], [1, 1, 0, 0], [0, 0, 0, 0]], float
)
# the stub model's scores (customers × products)
SCORES = np.array(
    [
        [0.9, 0.8, 0.5, 0.1],
        [0.2, 0.6, 0.3, 0.0],
        [0.4, 0.1, 0.2, 0.3],
        [0.1, 0.2, 0.7, -0.5],
        [0.3, 0.3, 0.3, 0.3],
        [0.1, 0.2, 0.3, 0.4],
    ]
)
NAMES = ["Apple", "Bread", "Cheese", "Dates"]
AB, AC, BC, CD = 1 / np.sqrt(2), 1 / np.sqrt(12), 1 / np.sqrt(6), 0.5
COS = np.array([[0, AB, AC, 0], [AB, 0, BC, BC], [AC, BC, 0, CD], [0, BC, CD, 0]])


def _inter(counts=COUNTS, categories=None, last_sold=None) -> R.Interactions:
    n_u, n_i = counts.shape
    return R.Interactions(
        customers=pd.Index([f"u{u}" for u in range(n_u)], dtype=object),
        products=pd.Index([chr(65 + i) for i in range(n_i)], dtype=object),
        counts=sp.csr_matrix(counts),
        age_days=sp.csr_matrix(counts),
        product_names=np.array((NAMES + [f"N{i}" for i in range(4, n_i)])[:n_i], dtype=object),
        product_categories=None if categories is None else np.array(categories, dtype=object),
        product_last_sold=np.zeros(n_i) if last_sold is None else np.array(last_sold, float),
        reference_date=pd.Timestamp("2024-01-31"),
        n_lines=int(counts.sum()),
    )


class Stub(B.Recommender):
    """Scores are rows of a fixed table."""

    name = "stub"
    table = SCORES

    def _fit(self, inter):
        self.fit_calls_ = getattr(self, "fit_calls_", 0) + 1

    def _scores(self, rows):
        return self.table[np.asarray(rows, dtype=int)]


class IntStub(Stub):
    table = (SCORES * 10).astype(int)


class ReadOnlyStub(Stub):
    def _scores(self, rows):
        out = SCORES[np.asarray(rows, dtype=int)]
        out.setflags(write=False)
        return out


class TwoParams(Stub):
    def __init__(self, *, rules=None, alpha=1.5):
        super().__init__(rules=rules)
        self.alpha = alpha


def _model(rules=None, cls=Stub, **kw) -> B.Recommender:
    return cls(rules=rules).fit_interactions(_inter(**kw))


# --------------------------------------------------------------------------------- top-k


def test_top_k_orders_by_score_then_tiebreak_then_index():
    s = np.array([[1.0, 3.0, 3.0, 2.0], [5.0, 5.0, 5.0, 5.0]])
    tb = np.array([0.0, 1.0, 2.0, 0.0])
    assert B._top_k(s, 2, tb).tolist() == [[2, 1], [2, 1]]
    assert B._top_k(s, 9, tb).tolist() == [[2, 1, 3, 0], [2, 1, 0, 3]]
    assert B._top_k(s, 4, np.zeros(4)).tolist() == [[1, 2, 3, 0], [0, 1, 2, 3]]
    # 20 products: the 18 best (k + 16) are candidates; among equal scores the tiebreak
    wide = np.ones((2, 20))
    wide[:, :2] = 0.0
    wide[1, 19] = 2.0
    tb = np.zeros(20)
    tb[7], tb[3] = 5.0, 4.0
    assert B._top_k(wide, 2, tb).tolist() == [[7, 3], [19, 7]]
    assert B._top_k(wide, 4, tb).tolist() == [[7, 3, 2, 4], [19, 7, 3, 2]]
    assert B._top_k(np.arange(40.0)[None, :], 3, np.zeros(40)).tolist() == [[39, 38, 37]]


# ------------------------------------------------------------------------------ fitting


def test_fit_keeps_bought_buyers_and_refuses_fewer_than_two_customers_or_products():
    model = _model()
    assert model.fit_calls_ == 1
    assert model.bought_.toarray().tolist() == (COUNTS > 0).astype(float).tolist()
    assert model.buyers_.tolist() == [3.0, 3.0, 2.0, 2.0]
    assert model.tiebreak_.tolist() == [3.0, 3.0, 2.0, 2.0]
    assert model.candidates_.tolist() == [True] * 4
    assert model.interactions_.counts[0, 0] == 4.0  # the counts themselves are not binarised
    assert model.refusal(model.interactions_) is None
    assert model.get_params() == {"rules": None}
    assert repr(model) == "Stub(rules=None)"
    assert TwoParams().get_params() == {"rules": None, "alpha": 1.5}
    assert repr(TwoParams(alpha=2)) == "TwoParams(rules=None, alpha=2)"
    assert repr(Stub(rules=R.BusinessRules(recent_days=3))).startswith(
        "Stub(rules=BusinessRules(exclude_categories=(), recent_days=3"
    )
    Stub().fit_interactions(_inter(COUNTS[:2, :2]))  # 2 × 2 is enough
    msg = r"at least 2 customers and 2 products with purchases\. Found 1 customer and 3 "
    with pytest.raises(InsufficientDataError, match=msg):
        Stub().fit_interactions(_inter(COUNTS[:1, :3]))
    with pytest.raises(InsufficientDataError, match=r"Found 3 customers and 1 product\."):
        Stub().fit_interactions(_inter(COUNTS[:3, :1]))
    with pytest.raises(ParameterError, match=r"^The 'rules' parameter must be a BusinessRules or "):
        Stub(rules="fruit").fit_interactions(_inter())
    with pytest.raises(ParameterError, match=r"or None\. Got str instead\.$"):
        Stub(rules="fruit").fit_interactions(_inter())


def test_fit_from_order_lines_applies_the_standard_cleaning():
    from tests.unit.test_recommend_data import _shop

    # a bought Q, R, S once each; b bought P in two orders and Q (the return, the postage and
    # the guest line left out)
    model = Stub().fit(_shop())
    assert list(model.interactions_.customers) == ["a", "b"]
    assert list(model.interactions_.products) == ["P", "Q", "R", "S"]
    assert model.interactions_.counts.toarray().tolist() == [[0, 1, 1, 1], [2, 1, 0, 0]]
    assert model.bought_.toarray().tolist() == [[0, 1, 1, 1], [1, 1, 0, 0]]
    assert model.buyers_.tolist() == [1.0, 2.0, 1.0, 1.0]


def test_candidates_follow_categories_and_recent_sales_and_rebuys_follow_the_rules():
    cats = ["fruit", "bakery", "dairy", "fruit"]
    last = [0, 10, 40, 9]
    rules = R.BusinessRules(exclude_categories=("fruit",))
    assert _model(rules, categories=cats).candidates_.tolist() == [False, True, True, False]
    # no category column: nothing to exclude
    assert _model(rules).candidates_.tolist() == [True] * 4
    rules = R.BusinessRules(recent_days=10)
    assert _model(rules, last_sold=last).candidates_.tolist() == [True, False, False, True]
    rules = R.BusinessRules(exclude_categories=("dairy", "fruit"), recent_days=41)
    both = _model(rules, categories=cats, last_sold=last)
    assert both.candidates_.tolist() == [False, True, False, False]
    assert _model().candidates_.tolist() == [True] * 4
    assert _model()._rebuy_mask().tolist() == [False] * 4
    rebuy = _model(R.BusinessRules(rebuy_products=("B", "D", "Z")))
    assert rebuy._rebuy_mask().tolist() == [False, True, False, True]


def test_unfitted_models_say_so():
    msg = r"^This Stub is not fitted yet\. Call fit\(lines\) before asking for recommendations\.$"
    for call in (
        lambda m: m.recommend(["u0"]),
        lambda m: m.similar_products("A"),
        lambda m: m.target_customers("A"),
    ):
        with pytest.raises(ParameterError, match=msg):
            call(Stub())


# ------------------------------------------------------------------------------ scoring


def test_item_column_scores_and_the_tfidf_similarity():
    model = _model()
    assert model._item_column_scores(2).tolist() == [0.5, 0.3, 0.2, 0.7, 0.3, 0.3]
    sim = model._tfidf_similarity()
    assert sp.issparse(sim)
    np.testing.assert_allclose(sim.toarray(), COS, rtol=1e-6, atol=1e-7)
    assert model._tfidf_similarity() is sim  # computed once per fit
    assert model._item_similarity() is sim
    assert model._also_bought_similarity() is sim
    assert model._history() is model.bought_


def test_item_column_scores_run_over_every_batch_of_customers():
    # 1,030 customers: a batch of 1,024 and one of 6
    n = 1030
    counts = np.zeros((n, 2))
    counts[:, 0] = 1.0
    counts[::2, 1] = 1.0

    class Many(Stub):
        table = np.column_stack([np.arange(n) / 7.0, -np.arange(n) / 3.0])

    model = Many().fit_interactions(_inter(counts))
    np.testing.assert_array_equal(model._item_column_scores(0), np.arange(n) / 7.0)
    np.testing.assert_array_equal(model._item_column_scores(1), -np.arange(n) / 3.0)


def test_masked_scores_hide_non_candidates_and_what_was_bought_unless_rebought():
    inf = -np.inf
    model = _model()
    rows = np.array([0, 2])
    got = model.masked_scores(rows)
    assert got.tolist() == [[inf, inf, 0.5, 0.1], [0.4, inf, inf, inf]]
    assert model.masked_scores(rows, exclude_bought=False).tolist() == SCORES[rows].tolist()
    assert SCORES[0, 0] == 0.9  # the model's own table is left alone
    assert model.masked_scores(np.array([], dtype=int)).shape == (0, 4)
    rules = R.BusinessRules(exclude_categories=("dairy",), rebuy_products=("B",))
    ruled = _model(rules, categories=["fruit", "bakery", "dairy", "fruit"])
    assert ruled.masked_scores(rows).tolist() == [[inf, 0.8, inf, 0.1], [0.4, 0.1, inf, inf]]
    # integer and read-only score tables are copied to floats before masking
    assert _model(cls=IntStub).masked_scores(np.array([0])).tolist() == [[inf, inf, 5.0, 1.0]]
    assert _model(cls=ReadOnlyStub).masked_scores(np.array([3])).tolist() == [[0.1, 0.2, 0.7, inf]]


def test_top_items_pad_with_minus_one_and_batch_the_same(monkeypatch):
    model = _model()
    want = [[2, 3, -1], [1, 3, -1], [0, -1, -1], [2, 1, 0], [2, 3, -1], [3, 2, 1]]
    assert model.top_items(np.arange(6), 3).tolist() == want
    assert model.top_items(np.arange(6), 1, exclude_bought=False).tolist() == [
        [0],
        [1],
        [0],
        [2],
        [0],
        [3],
    ]
    assert model.top_items(np.array([], dtype=int), 2).shape == (0, 2)
    monkeypatch.setattr(B, "TOP_ITEMS_CELLS", 8)  # two customers per batch
    assert model.top_items(np.arange(6), 3).tolist() == want
    monkeypatch.setattr(B, "TOP_ITEMS_CELLS", 1)  # one customer per batch
    assert model.top_items(np.arange(6), 3).tolist() == want
    with pytest.raises(ParameterError, match=r"'k' parameter must be an int"):
        model.top_items(np.arange(6), 0)


# ------------------------------------------------------------------------- recommend


def _rows(df: pd.DataFrame) -> list[tuple]:
    return [tuple(r) for r in df.itertuples(index=False)]


def test_recommend_ranks_explains_and_keeps_the_order_given(monkeypatch):
    model = _model()
    cold = "popularity (no history)"
    want = [
        ("u3", 1, "C", "Cheese", 0.7, "because you bought Dates", "model"),
        ("u3", 2, "B", "Bread", 0.2, "because you bought Dates", "model"),
        (
            "zz",
            1,
            "A",
            "Apple",
            0.5,
            "best seller: bought by 3 customers (no purchase history)",
            cold,
        ),
        (
            "zz",
            2,
            "B",
            "Bread",
            0.5,
            "best seller: bought by 3 customers (no purchase history)",
            cold,
        ),
        ("u0", 1, "C", "Cheese", 0.5, "because you bought Bread and Apple", "model"),
        ("u0", 2, "D", "Dates", 0.1, "because you bought Bread", "model"),
    ]
    out = model.recommend(["u3", "zz", "u0", "u3"], k=2)
    assert list(out.columns) == list(R.RESULT_COLUMNS)
    assert _rows(out) == want
    assert out["rank"].dtype == np.int64 and out["score"].dtype == np.float64
    assert all(pd.api.types.is_string_dtype(out[c]) for c in ("customer_id", "reason", "source"))
    monkeypatch.setattr(B, "TOP_ITEMS_CELLS", 4)  # one customer per batch
    assert _rows(model.recommend(["u3", "zz", "u0", "u3"], k=2)) == want
    assert _rows(model.recommend([3, "u0"], k=1)) == [
        (
            "3",
            1,
            "A",
            "Apple",
            0.5,
            "best seller: bought by 3 customers (no purchase history)",
            cold,
        ),
        ("u0", 1, "C", "Cheese", 0.5, "because you bought Bread and Apple", "model"),
    ]


def test_recommend_reasons_fillers_and_what_is_left_out():
    model = _model()
    # u1 has two products left: B (0.6) and D (score 0: the best-seller filler)
    assert _rows(model.recommend(["u1"], k=3)) == [
        ("u1", 1, "B", "Bread", 0.6, "because you bought Apple and Cheese", "model"),
        (
            "u1",
            2,
            "D",
            "Dates",
            0.0,
            "no closer match; best seller: bought by 2 customers",
            "model",
        ),
    ]
    # u3: A is supported by nothing u3 bought (cos(D, A) = 0); u5 bought nothing
    assert model.recommend(["u3", "u5"], k=3)["reason"].tolist() == [
        "because you bought Dates",
        "because you bought Dates",
        "popular with customers like you",
        "popular with customers like you",
        "popular with customers like you",
        "popular with customers like you",
    ]
    assert model.recommend(["u5"], k=2)["product_id"].tolist() == ["D", "C"]
    # u2 bought B, C, D: A via B (1/√2) and C (1/√12), not D (0)
    assert model.recommend(["u2"])["reason"].tolist() == ["because you bought Bread and Cheese"]
    # a bought product never explains itself
    again = model.recommend(["u0"], k=1, exclude_bought=False)
    assert _rows(again) == [("u0", 1, "A", "Apple", 0.9, "because you bought Bread", "model")]
    # u4: C and D tie at 0.3 with 2 buyers each: by product id
    assert model.recommend(["u4"], k=2)["product_id"].tolist() == ["C", "D"]
    empty = model.recommend([], k=3)
    assert list(empty.columns) == list(R.RESULT_COLUMNS) and len(empty) == 0
    assert empty["rank"].dtype == np.int64 and empty["score"].dtype == np.float64
    assert pd.api.types.is_string_dtype(empty["product_id"])
    reasons = model._reasons(np.array([0]), np.array([[2, 3]]), np.array([[-np.inf, 0.1]]))
    assert reasons.tolist() == [["", "because you bought Bread"]]
    target = model._reasons(np.array([0]), np.array([[2]]), np.array([[0.5]]), target=True)
    assert target.tolist() == [["bought Bread and Apple"]]


def test_recommend_gives_ten_products_by_default():
    # 12 products, u0 bought only the first: scores 11/12 .. 0/12 for the 11 others, ten shown
    counts = np.zeros((2, 12))
    counts[0, 0] = counts[1, :] = 1.0

    class Wide(Stub):
        table = np.tile(np.arange(12)[::-1] / 12.0, (2, 1))

    model = Wide().fit_interactions(_inter(counts))
    assert model.recommend(["u0"])["rank"].tolist() == list(range(1, 11))
    assert model.recommend(["u0"])["score"].tolist() == [s / 12.0 for s in range(10, 0, -1)]


def test_cold_start_recommends_candidate_best_sellers():
    rules = R.BusinessRules(exclude_categories=("fruit",))
    model = _model(rules, categories=["fruit", "bakery", "dairy", "bakery"])
    assert _rows(model.recommend(["new"], k=3)) == [
        ("new", 1, "B", "Bread", 0.5, "best seller: bought by 3 customers (no purchase history)",
         "popularity (no history)"),
        ("new", 2, "C", "Cheese", 2 / 6, "best seller: bought by 2 customers (no purchase history)",
         "popularity (no history)"),
        ("new", 3, "D", "Dates", 2 / 6, "best seller: bought by 2 customers (no purchase history)",
         "popularity (no history)"),
    ]  # fmt: skip
    two = model.recommend(["x", "y"], k=1)
    assert two["customer_id"].tolist() == ["x", "y"] and two["rank"].tolist() == [1, 1]
    assert two["product_id"].tolist() == ["B", "B"]


# ----------------------------------------------------------------- also bought, targets


def test_similar_products_need_a_co_buyer_and_a_candidate():
    model = _model()
    got = model.similar_products("A", k=3)
    assert list(got.columns) == [
        "rank",
        "product_id",
        "product_name",
        "score",
        "co_buyers",
        "reason",
    ]
    assert got["rank"].tolist() == [1, 2]
    assert got["product_id"].tolist() == ["B", "C"]  # D: nobody bought A and D
    assert got["product_name"].tolist() == ["Bread", "Cheese"]
    np.testing.assert_allclose(got["score"], [AB, AC], rtol=1e-6)
    assert got["score"].dtype == np.float64
    assert got["product_id"].dtype == "str" and got["product_name"].dtype == "str"
    assert got["reason"].dtype == "str"
    assert got["co_buyers"].tolist() == [2, 1] and got["co_buyers"].dtype == np.int64
    assert got["reason"].tolist() == ["2 customers bought both", "1 customers bought both"]
    assert model.similar_products("D", k=1)["product_id"].tolist() == ["C"]  # 1/2 over 1/√6
    assert model.similar_products("B", k=3)["product_id"].tolist() == ["A", "C", "D"]
    rules = R.BusinessRules(exclude_categories=("bakery",))
    ruled = _model(rules, categories=["fruit", "bakery", "dairy", "fruit"])
    assert ruled.similar_products("A")["product_id"].tolist() == ["C"]
    assert ruled.similar_products("A", k=1)["product_id"].tolist() == ["C"]  # B never takes a place
    msg = (
        r"^Product 'Z' has no sales with a customer id in the data the model was trained on\. "
        r"Pick a product from the list \(or widen the filters\)\.$"
    )
    with pytest.raises(ParameterError, match=msg):
        model.similar_products("Z")
    with pytest.raises(ParameterError, match=r"Product '7' has no sales"):
        model.target_customers(7)
    with pytest.raises(ParameterError, match=r"'k' parameter must be an int"):
        model.similar_products("A", k=0)


def test_target_customers_leave_out_buyers_and_customers_without_evidence():
    model = _model()
    got = model.target_customers("C", k=3)
    assert list(got.columns) == ["rank", "customer_id", "score", "products_bought", "reason"]
    assert got["rank"].tolist() == [1, 2, 3]
    # u1 and u2 bought C; u4 and u5 tie at 0.3: by row
    assert got["customer_id"].tolist() == ["u3", "u0", "u4"]
    assert got["score"].tolist() == [0.7, 0.5, 0.3]
    assert got["products_bought"].tolist() == [1, 2, 2]
    assert got["products_bought"].dtype == np.int64
    assert got["customer_id"].dtype == "str" and got["reason"].dtype == "str"
    assert got["reason"].tolist() == [
        "bought Dates",
        "bought Bread and Apple",
        "bought Bread and Apple",
    ]
    # D: u2, u3 bought it, u1 scores 0 (no evidence): three left
    got = model.target_customers("D", k=10)
    assert got["customer_id"].tolist() == ["u5", "u4", "u0"]
    assert got["reason"].tolist() == [
        "popular with customers like you",
        "bought Bread",
        "bought Bread",
    ]
    rebuy = _model(R.BusinessRules(rebuy_products=("C",)))
    got = rebuy.target_customers("C", k=10)
    assert got["customer_id"].tolist() == ["u3", "u0", "u1", "u4", "u5", "u2"]
    assert got["reason"].tolist()[2] == "bought Apple"  # u1's own C never explains C


# -------------------------------------------------------------------- similarity helpers

SQRT = np.sqrt(COUNTS)


def test_cosine_items_by_hand_with_and_without_shrinkage():
    np.testing.assert_allclose(B._cosine_items(sp.csr_matrix(SQRT)), COS, rtol=1e-6, atol=1e-7)
    got = B._cosine_items(sp.csr_matrix(SQRT), shrinkage=1.0)
    assert got.dtype == np.float32
    gram = SQRT.T @ SQRT  # 6, 3, 2, 2 on the diagonal
    norms = np.sqrt(np.diag(gram))
    want = gram / (np.outer(norms, norms) + 1.0)
    np.fill_diagonal(want, 0.0)
    np.testing.assert_allclose(got, want, rtol=1e-6)
    assert want[0, 1] == pytest.approx(3 / (np.sqrt(18) + 1))
    given = gram.copy()
    np.testing.assert_allclose(B._cosine_items(None, shrinkage=1.0, gram=given), want, rtol=1e-6)
    assert (given == gram).all()  # the gram given is not modified
    assert B._cosine_items(None, gram=given).dtype == np.float32
    # weights under 1 (a column's squared norm 0.25): cos = 0.25 / (0.5 · √0.5) = 1/√2
    small = B._cosine_items(sp.csr_matrix(np.array([[0.5, 0.5], [0.0, 0.5]])))
    np.testing.assert_allclose(small, [[0, AB], [AB, 0]], rtol=1e-6)
    # a product nobody bought: zeros, not NaN
    empty = np.hstack([SQRT, np.zeros((6, 1))])
    got = B._cosine_items(sp.csr_matrix(empty))
    assert got[:, 4].tolist() == [0.0] * 5 and got[4].tolist() == [0.0] * 5


def test_keep_top_per_column_keeps_each_columns_strongest_sources():
    assert B._keep_top_per_column(COS.copy(), None).tolist() == COS.tolist()
    assert B._keep_top_per_column(COS.copy(), 4).tolist() == COS.tolist()
    one = [[0, AB, 0, 0], [AB, 0, 0, 0], [0, 0, 0, CD], [0, 0, CD, 0]]
    np.testing.assert_allclose(B._keep_top_per_column(COS.copy(), 1), one)
    two = [[0, AB, 0, 0], [AB, 0, BC, BC], [AC, BC, 0, CD], [0, BC, CD, 0]]
    np.testing.assert_allclose(B._keep_top_per_column(COS.copy(), 2), two)
    three = [[0, AB, AC, 0], [AB, 0, BC, BC], [AC, BC, 0, CD], [0, BC, CD, 0]]
    np.testing.assert_allclose(B._keep_top_per_column(COS.copy(), 3), three)


@pytest.mark.parametrize("block", [1, 3, 2048])
@pytest.mark.parametrize("shrinkage", [0.0, 1.0])
@pytest.mark.parametrize("neighbours", [None, 1, 2, 3, 4])
def test_sparse_cosine_top_is_the_dense_form(block, shrinkage, neighbours):
    W = sp.csr_matrix(SQRT)
    dense = B._keep_top_per_column(B._cosine_items(W, shrinkage=shrinkage), neighbours)
    got = B._sparse_cosine_top(W, shrinkage=shrinkage, neighbours=neighbours, block=block)
    assert sp.issparse(got) and got.dtype == np.float32 and got.has_sorted_indices
    assert got.nnz == np.count_nonzero(dense)  # zeros (the diagonal, A with D) not stored
    np.testing.assert_array_equal(got.toarray(), dense)


def test_sparse_cosine_top_by_hand():
    W = sp.csr_matrix(SQRT)
    got = B._sparse_cosine_top(W, block=2)
    assert got.nnz == 10
    np.testing.assert_allclose(got.toarray(), COS, rtol=1e-6, atol=1e-7)
    one = [[0, AB, 0, 0], [AB, 0, 0, 0], [0, 0, 0, CD], [0, 0, CD, 0]]
    np.testing.assert_allclose(B._sparse_cosine_top(W, neighbours=1).toarray(), one, rtol=1e-6)
    # with shrinkage 1: cos(A, B) = 3 / (√18 + 1), column A keeps only B
    got = B._sparse_cosine_top(W, shrinkage=1.0, neighbours=1, block=1).toarray()
    assert got[1, 0] == pytest.approx(3 / (np.sqrt(18) + 1), rel=1e-6)
    assert np.count_nonzero(got[:, 0]) == 1
    # unequal weights, unpruned: every pair bought together, by hand
    W2 = sp.csr_matrix(np.array([[1.0, 2.0, 0.0], [3.0, 0.0, 1.0], [0.0, 1.0, 1.0]]))
    # gram: [[10, 2, 3], [2, 5, 1], [3, 1, 2]]; norms √10, √5, √2
    c01, c02, c12 = 2 / np.sqrt(50), 3 / np.sqrt(20), 1 / np.sqrt(10)
    want = [[0, c01, c02], [c01, 0, c12], [c02, c12, 0]]
    np.testing.assert_allclose(B._sparse_cosine_top(W2, block=2).toarray(), want, rtol=1e-6)
    # pruned without shrinkage: row 1's best is c12, so column 1 keeps c12 and drops c01
    # (columns 0 and 2 keep a value equal to their cut only up to rounding: left out)
    col1 = B._sparse_cosine_top(W2, neighbours=1, block=2).toarray()[:, 1]
    np.testing.assert_allclose(col1, [0, 0, c12], rtol=1e-6)
    assert B._sparse_cosine_top(sp.csr_matrix((3, 0))).shape == (0, 0)


def test_row_cuts_factor_cosine_and_dense_lookups():
    g = sp.csr_matrix(np.array([[3.0, 1.0, 2.0], [0.0, 5.0, 0.0], [0.0, 0.0, 0.0]]))
    assert B._row_cuts(g, 2).tolist() == [2.0, 0.0, 0.0]
    assert B._row_cuts(g, 1).tolist() == [3.0, 5.0, 0.0]
    assert B._row_cuts(g, 3).tolist() == [1.0, 0.0, 0.0]
    fc = B._FactorCosine(np.array([[3.0, 4.0], [0.0, 0.0], [1.0, 0.0]]))
    np.testing.assert_allclose(
        fc.block(np.array([0, 2]), np.array([0, 1, 2])), [[0, 0, 0.6], [0.6, 0, 0]]
    )
    np.testing.assert_allclose(B._dense_block(fc, [2], [0]), [[0.6]])
    np.testing.assert_allclose(B._dense_row(fc, 0), [0, 0, 0.6])
    dense = np.arange(9.0).reshape(3, 3)
    assert B._dense_block(dense, np.array([2, 0]), np.array([1])).tolist() == [[7.0], [1.0]]
    assert B._dense_block(sp.csr_matrix(dense), np.array([2, 0]), np.array([1])).tolist() == [
        [7.0],
        [1.0],
    ]
    assert B._dense_row(dense, 1).tolist() == [3.0, 4.0, 5.0]
    assert B._dense_row(sp.csr_matrix(dense), 2).tolist() == [6.0, 7.0, 8.0]
    assert B._because(["Tea"]) == "because you bought Tea"
    assert B._because(["Tea", "Jam"]) == "because you bought Tea and Jam"
    assert B._because(["Tea", "Jam"], target=True) == "bought Tea and Jam"
    assert B._because(["Tea"], target=True) == "bought Tea"
