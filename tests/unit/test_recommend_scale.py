"""The 10 M-line paths of the recommenders against their plain reference computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from ecomdash import recommend as R
from ecomdash.recommend import models as RM


def _random_purchases(seed: int, n_u: int = 400, n_i: int = 70, density: float = 0.06):
    rng = np.random.default_rng(seed)
    X = (rng.random((n_u, n_i)) < density).astype(np.float64)
    X[:, 0] = rng.random(n_u) < 0.5  # a best seller: many equal similarities (ties at cuts)
    return sp.csr_matrix(X)


def _dense_reference(W: sp.csr_matrix, shrinkage: float, neighbours: int) -> np.ndarray:
    """The whole products x products cosine in numpy, then each column cut at its row's
    ``neighbours``-th largest value (zeros included, as in a dense matrix)."""
    W32 = W.astype(np.float32)
    gram = (W32.T @ W32).toarray()
    norms = np.sqrt(np.maximum(np.diag(gram), 0)).astype(np.float32)
    np.fill_diagonal(gram, 0.0)
    dense = gram / (np.outer(norms, norms) + np.float32(shrinkage))
    n = dense.shape[0]
    cut = np.sort(dense, axis=1)[:, n - neighbours]
    dense[dense < cut[None, :]] = 0.0
    return dense


@pytest.mark.parametrize("seed,neighbours,block", [(0, 5, 7), (1, 1, 64), (2, 12, 3), (3, 69, 10)])
def test_pruned_blocks_equal_the_dense_top_neighbours(seed, neighbours, block):
    W = _random_purchases(seed)
    got = R._sparse_cosine_top(W, shrinkage=10.0, neighbours=neighbours, block=block)
    want = _dense_reference(W, 10.0, neighbours)
    np.testing.assert_array_equal(got.toarray(), want)
    # each column keeps at least its neighbours strongest sources (more only on ties)
    kept = np.diff(got.tocsc().indptr)
    nonzero = np.count_nonzero(want, axis=0)
    assert np.all(kept >= np.minimum(neighbours, nonzero))


def test_each_row_cut_is_its_kth_largest_value():
    g = sp.csr_matrix(
        np.array(
            [[0.9, 0.1, 0.5, 0.5, 0.0], [0.0, 0.0, 0.3, 0.0, 0.0], [0.2, 0.2, 0.2, 0.7, 0.1]],
            dtype=np.float32,
        )
    )
    from ecomdash.recommend.base import _row_cuts

    # row 0: 0.9, 0.5, 0.5, 0.1 -> 2nd largest 0.5; row 1 has one entry (< 2): no cut
    np.testing.assert_array_equal(_row_cuts(g, 2), np.float32([0.5, 0.0, 0.2]))
    np.testing.assert_array_equal(_row_cuts(g, 4), np.float32([0.1, 0.0, 0.2]))


def test_als_chunked_dot_products_give_the_same_factors(monkeypatch):
    inter = _interactions(_random_purchases(4, n_u=300, n_i=40, density=0.1))
    whole = R.make_model("als", iterations=2).fit_interactions(inter)
    monkeypatch.setattr(RM, "ALS_CHUNK", 7)  # many chunks, a ragged last one
    chunked = R.make_model("als", iterations=2).fit_interactions(inter)
    assert inter.counts.nnz % 7 != 0
    np.testing.assert_array_equal(chunked.item_factors_, whole.item_factors_)
    np.testing.assert_array_equal(chunked.user_factors_, whole.user_factors_)


def _interactions(X: sp.csr_matrix) -> R.Interactions:
    import pandas as pd

    rows, cols = X.nonzero()
    lines = pd.DataFrame(
        {
            "order_id": [f"O{r}-{c}" for r, c in zip(rows, cols, strict=True)],
            "customer_id": [f"C{r:04d}" for r in rows],
            "product_id": [f"P{c:03d}" for c in cols],
            "quantity": 1.0,
            "unit_price": 2.0,
            "revenue": 2.0,
            "order_date": pd.Timestamp("2024-01-01") + pd.to_timedelta(rows % 50, unit="D"),
            "is_return": False,
            "is_non_product": False,
            "is_cancelled": False,
        }
    )
    return R.build_interactions(lines)


def _als_split():
    """40 customers x 12 products (the purchases of a fixed random matrix) and, for the first
    20 customers, one product they had not bought as their new purchase."""
    X = _random_purchases(5, n_u=40, n_i=12, density=0.3)
    inter = _interactions(X)
    dense = X.toarray()
    truth = {}
    for r in range(20):
        new = np.flatnonzero(dense[r] == 0)
        truth[f"C{r:04d}"] = {f"P{new[0]:03d}"}
    return inter, truth


def _evaluate(inter, truth, **kw):
    models = {n: R.make_model(n) for n in ("item_knn", "als", "popularity")}
    return R.evaluate_split(
        inter,
        truth,
        cutoff=pd.Timestamp("2024-03-01"),
        end=pd.Timestamp("2024-04-01"),
        models=models,
        **kw,
    )


def test_als_left_out_of_the_test_above_its_purchase_limit_unless_chosen(monkeypatch):
    inter, truth = _als_split()
    nnz = inter.counts.nnz
    assert nnz == int(_random_purchases(5, n_u=40, n_i=12, density=0.3).nnz)
    # at the limit: tested, no warning about it
    monkeypatch.setattr(RM, "ALS_TEST_MAX_PURCHASES", nnz)
    res = _evaluate(inter, truth)
    assert sorted(res.table["model"]) == ["als", "item_knn", "popularity"]
    assert not any("ALS" in w for w in res.warnings)
    # one purchase over: left out with the reason, the others measured exactly as before
    monkeypatch.setattr(RM, "ALS_TEST_MAX_PURCHASES", nnz - 1)
    out = _evaluate(inter, truth)
    assert sorted(out.table["model"]) == ["item_knn", "popularity"]
    assert out.warnings[0] == (
        "Taste profiles (ALS) was left out of the test. ALS is the slowest "
        f"model to fit (about 40 s of computing at 7 million purchases); the data has {nnz} "
        f"purchases (customer × product pairs; the test includes ALS up to {nnz - 1}). "
        "Choose ALS under Model to test it anyway."
    )
    kept = res.table.set_index("model").loc[["item_knn", "popularity"], list(R.METRIC_COLUMNS)]
    pd.testing.assert_frame_equal(
        out.table.set_index("model").loc[["item_knn", "popularity"], list(R.METRIC_COLUMNS)],
        kept,
    )
    # the chosen model is tested whatever its size, with the same figures
    chosen = _evaluate(inter, truth, keep=("als",))
    assert sorted(chosen.table["model"]) == ["als", "item_knn", "popularity"]
    assert not any("ALS" in w for w in chosen.warnings)
    assert (
        chosen.table.set_index("model").loc["als", "hit_rate_at_k"]
        == res.table.set_index("model").loc["als", "hit_rate_at_k"]
    )
    # another model chosen does not bring ALS back
    assert "als" not in set(_evaluate(inter, truth, keep=("item_knn",)).table["model"])


def test_als_left_out_warning_in_chinese(monkeypatch):
    from ecomdash.i18n import use_lang

    inter, truth = _als_split()
    monkeypatch.setattr(RM, "ALS_TEST_MAX_PURCHASES", 100)
    with use_lang("zh"):
        res = _evaluate(inter, truth)
    n = inter.counts.nnz
    assert res.warnings[0].endswith(
        f"ALS 是拟合最慢的模型（700万次购买时约需\u00a040\u00a0秒计算）；数据有\u00a0{n}\u00a0次购买（客户 × 商品组合；"
        "测试只在不超过\u00a0100 时包含 ALS）。如仍要测试它，请在“模型”中选择 ALS。"
    )


def _argpartition_top_k(scores: np.ndarray, k: int, tiebreak: np.ndarray) -> np.ndarray:
    """``_top_k`` as it was before ``_top_m``: every row's indices partitioned."""
    n = scores.shape[1]
    k = min(k, n)
    m = min(n, k + 16)
    cand = np.argpartition(scores, n - m, axis=1)[:, n - m :]
    vals = np.take_along_axis(scores, cand, axis=1).astype(np.float64)
    order = np.lexsort((cand, -tiebreak[cand], -vals), axis=1)[:, :k]
    return np.take_along_axis(cand, order, axis=1)


def _score_block(seed: int, n_rows: int, n: int, dtype) -> np.ndarray:
    """Scores like item kNN's: sparse-ish (many zeros), bought products at -inf, rows tied
    across the cut (a few distinct values), rows with fewer finite scores than candidates."""
    rng = np.random.default_rng(seed)
    s = rng.random((n_rows, n)).astype(dtype)
    s[rng.random((n_rows, n)) < 0.5] = 0.0
    s[rng.random((n_rows, n)) < 0.05] = -np.inf
    s[::4] = np.round(s[::4] * 4) / 4  # values 0, 0.25, ...: ties everywhere
    s[1::7, : n - 5] = -np.inf  # 5 finite scores left at most
    s[2::9] = 0.0  # a customer with no evidence at all
    return s


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n,k", [(300, 10), (1000, 3), (27, 10), (40, 1), (997, 20)])
def test_top_m_picks_the_argpartition_set(dtype, n, k):
    s = _score_block(n + k, 60, n, dtype)
    m = min(n, k + 16)
    got = R.base._top_m(s, m)
    want = np.argpartition(s, n - m, axis=1)[:, n - m :]
    np.testing.assert_array_equal(np.sort(got, axis=1), np.sort(want, axis=1))
    # the final lists too, against the old every-row argpartition
    tb = np.random.default_rng(n).integers(0, 5, n).astype(np.float64)
    np.testing.assert_array_equal(R.base._top_k(s, k, tb), _argpartition_top_k(s, k, tb))
    # a row whose m-th place is unique: its m best, found without argpartition
    row = np.arange(n, dtype=dtype)[None, ::-1].copy()
    assert sorted(R.base._top_m(row, m)[0].tolist()) == list(range(m))
    assert R.base._top_m(s[:0], m).shape == (0, m)


def test_gram_diagonal_adds_in_customer_order_in_float32():
    rng = np.random.default_rng(7)
    W = sp.random(3000, 12, density=0.4, random_state=8, format="csr", dtype=np.float32)
    W.data = (rng.random(W.nnz) * 3.3).astype(np.float32)  # not integers: rounding shows
    Wt = W.T.tocsr()
    Wt.sort_indices()
    want = np.zeros(12, dtype=np.float32)
    for p in range(12):  # one customer after another, in float32, by hand
        for v in Wt.data[Wt.indptr[p] : Wt.indptr[p + 1]]:
            want[p] = np.float32(want[p] + np.float32(v * v))
    got = R.base._gram_diagonal(Wt)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, want)
    # the sparse product's diagonal, as the similarity's denominators used to be computed
    np.testing.assert_array_equal(got, (Wt @ W).diagonal())
    # summed in float64 (or pairwise) the squared norms differ in the last bits
    assert not np.array_equal(np.float32((Wt.astype(np.float64).power(2)).sum(axis=1).A1), got)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_csr_product_is_scipys_product_to_the_bit(dtype, monkeypatch):
    from scipy.sparse import _sparsetools

    A = sp.random(50, 80, density=0.1, random_state=1, format="csr", dtype=dtype)
    B = sp.random(80, 60, density=0.3, random_state=2, format="csr", dtype=dtype)
    A.data = np.exp(A.data * 7).astype(dtype)  # magnitudes apart: order shows in the sums
    want = (A @ B).tocsr()
    got = R.base._csr_product(A, B)
    assert got.dtype == dtype and got.shape == (50, 60)
    np.testing.assert_array_equal(got.toarray(), want.toarray())
    assert got.nnz == want.nnz  # no stored zeros, no entry twice
    # nothing in common: an empty product
    assert R.base._csr_product(A[:, :0], B[:0]).nnz == 0
    # the fast route does not go through scipy's product (and its counting pass)
    with monkeypatch.context() as mp:
        mp.setattr(sp.csr_matrix, "_matmul_sparse", None)
        with pytest.raises(TypeError):
            A @ B
        np.testing.assert_array_equal(R.base._csr_product(A, B).toarray(), want.toarray())
    # scipy's routine missing or changed: the plain product, the same entries
    monkeypatch.delattr(_sparsetools, "csr_matmat")
    np.testing.assert_array_equal(R.base._csr_product(A, B).toarray(), want.toarray())
