"""The base estimator every model shares (fit from lines, candidate filters, top-k in
batches, reasons, cold start) and the similarity helpers."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from ecomdash.errors import InsufficientDataError, ParameterError
from ecomdash.i18n import N_, _, _n
from ecomdash.i18n.note import note, note_n
from ecomdash.recommend.data import (
    RESULT_COLUMNS,
    SOURCE_COLD,
    SOURCE_MODEL,
    BusinessRules,
    Interactions,
    _check_k,
    build_interactions,
    weight_matrix,
)

#: BLAS threads used while fitting and scoring. One: the app serves many sessions on few
#: cores, and multi-threaded OpenBLAS on a busy machine was 5-10x slower than one thread
#: (EASE's Cholesky inverse on 3,955 products: 2.4 s with 1 thread vs 11-18 s with 2 under load).
BLAS_THREADS = 1


@contextmanager
def _blas_threads():
    with threadpool_limits(limits=BLAS_THREADS, user_api="blas"):
        yield


#: Scores (customers × products) computed at once when ranking many customers.
TOP_ITEMS_CELLS = 16_000_000

# --------------------------------------------------------------------------------------
# Base estimator
# --------------------------------------------------------------------------------------


def _top_k(scores: np.ndarray, k: int, tiebreak: np.ndarray) -> np.ndarray:
    """Indices of the k best scores per row, best first.

    Equal scores are ordered by ``tiebreak`` (larger first), then by index. The k best are
    picked among the k + 16 highest scores, so a tie spanning more than 16 products at the
    k-th place is settled by position (still deterministic).
    """
    n_items = scores.shape[1]
    k = min(k, n_items)
    m = min(n_items, k + 16)
    if m < n_items:
        cand = _top_m(scores, m)
    else:
        cand = np.broadcast_to(np.arange(n_items), scores.shape)
    vals = np.take_along_axis(scores, cand, axis=1).astype(np.float64)
    order = np.lexsort((cand, -tiebreak[cand], -vals), axis=1)[:, :k]
    return np.take_along_axis(cand, order, axis=1)


def _top_m(scores: np.ndarray, m: int) -> np.ndarray:
    """The columns of each row's ``m`` highest scores (in no particular order): the set that
    ``np.argpartition(scores, n - m, axis=1)[:, n - m:]`` picks, found without partitioning
    every row's indices (that was half of item kNN's scoring at 30,000 products).

    Where one set is the answer — the row's ``m``-th highest value is held by no product
    outside it — it is found from a lower bound: the ``m``-th highest of the maxima of
    groups of columns is a value that at least ``m`` products reach, so the row's ``m``
    best are among the few scores at or above it, which are sorted. Rows with a tie across
    the ``m``-th place (argpartition's own choice among the tied products decides there) are
    handed to argpartition, row by row as before, so every row gets the same set.
    ``0 < m < n`` (columns).
    """
    n_rows, n = scores.shape
    out = np.empty((n_rows, m), dtype=np.intp)
    if n_rows == 0:
        return out
    width = max(1, n // (8 * m))  # at least 8m groups of `width` columns (n > m)
    full = (n // width) * width
    maxima = scores[:, :full].reshape(n_rows, n // width, width).max(axis=2)
    if full < n:
        maxima = np.concatenate([maxima, scores[:, full:].max(axis=1)[:, None]], axis=1)
    g = maxima.shape[1]
    low = np.partition(maxima, g - m, axis=1)[:, g - m]
    ri, ci = np.nonzero(scores >= low[:, None])
    vals = scores[ri, ci]
    order = np.lexsort((-vals, ri))  # by row, best first (ri is already sorted)
    ci, vals = ci[order], vals[order]
    starts = np.searchsorted(ri, np.arange(n_rows))  # >= m entries per row
    counts = np.diff(np.append(starts, len(ri)))
    mth = vals[starts + m - 1]
    nxt = np.where(counts > m, vals[np.minimum(starts + m, len(ri) - 1)], -np.inf)
    tied = (counts > m) & (nxt == mth)
    ok = ~tied
    pick = starts[ok][:, None] + np.arange(m)[None, :]
    out[ok] = ci[pick]
    if tied.any():
        out[tied] = np.argpartition(scores[tied], n - m, axis=1)[:, n - m :]
    return out


class Recommender:
    """Shared behaviour: fitting from lines, candidate filters, top-k, reasons."""

    name = "base"

    def __init__(self, *, rules: BusinessRules | None = None) -> None:
        self.rules = rules

    # -- sklearn-ish helpers ---------------------------------------------------------
    def get_params(self) -> dict[str, Any]:
        import inspect

        sig = inspect.signature(type(self).__init__)
        return {p: getattr(self, p) for p in sig.parameters if p != "self"}

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({params})"

    def _validate(self) -> None:
        if self.rules is not None and not isinstance(self.rules, BusinessRules):
            raise ParameterError(
                note(
                    N_(
                        "The 'rules' parameter must be a BusinessRules or None. Got {type} instead."
                    ),
                    type=type(self.rules).__name__,
                )
            )

    # -- fitting -----------------------------------------------------------------------
    def fit(self, lines: pd.DataFrame) -> Recommender:
        """Learn from canonical order lines (standard cleaning is applied here)."""
        return self.fit_interactions(build_interactions(lines))

    def fit_interactions(self, inter: Interactions) -> Recommender:
        """Learn from a prepared :class:`Interactions` (lets several models share one)."""
        self._validate()
        if inter.shape[0] < 2 or inter.shape[1] < 2:
            raise InsufficientDataError(
                note(
                    N_(
                        "Recommendations need at least 2 customers and 2 products with purchases. "
                        "Found {customers} and {products}. Widen the date range or filters."
                    ),
                    customers=note_n("{n} customer", "{n} customers", inter.shape[0]),
                    products=note_n("{n} product", "{n} products", inter.shape[1]),
                )
            )
        self.interactions_ = inter
        self._explainer = None
        binary = inter.counts.copy()
        binary.data[:] = 1.0
        self.bought_ = binary
        buyers = np.bincount(binary.indices, minlength=inter.shape[1]).astype(np.float64)
        self.buyers_ = buyers
        # Equal scores: more buyers first, then the smaller product id (deterministic).
        self.tiebreak_ = buyers
        self.candidates_ = self._candidate_mask(inter)
        with _blas_threads():
            self._fit(inter)
        return self

    def _fit(self, inter: Interactions) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def refusal(self, inter: Interactions) -> str | None:
        """Why this model will not fit ``inter`` (too big for it), or None."""
        return None

    def test_exclusion(self, inter: Interactions) -> str | None:
        """Why the offline test leaves this model out on ``inter`` unless it is the chosen
        model (slow to fit there), or None. Unlike :meth:`refusal`, the model still fits."""
        return None

    def _candidate_mask(self, inter: Interactions) -> np.ndarray:
        rules = self.rules or BusinessRules()
        mask = np.ones(inter.shape[1], dtype=bool)
        if rules.exclude_categories and inter.product_categories is not None:
            mask &= ~np.isin(inter.product_categories, list(rules.exclude_categories))
        if rules.recent_days is not None:
            mask &= inter.product_last_sold < rules.recent_days
        return mask

    def _rebuy_mask(self) -> np.ndarray:
        rules = self.rules or BusinessRules()
        inter = self.interactions_
        if not rules.rebuy_products:
            return np.zeros(inter.shape[1], dtype=bool)
        return np.isin(np.asarray(inter.products, dtype=object), list(rules.rebuy_products))

    def _check_fitted(self) -> None:
        if not hasattr(self, "interactions_"):
            raise ParameterError(
                note(
                    N_(
                        "This {model} is not fitted yet. Call fit(lines) before asking for "
                        "recommendations."
                    ),
                    model=type(self).__name__,
                )
            )

    # -- scoring (subclasses) --------------------------------------------------------
    def _scores(self, rows: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        """Dense scores (len(rows) × products) for known customers."""
        raise NotImplementedError

    def _item_column_scores(self, item: int) -> np.ndarray:
        """Scores of one product for every customer (default: batched full scores)."""
        n_u = self.interactions_.shape[0]
        out = np.empty(n_u)
        for start in range(0, n_u, 1024):
            rows = np.arange(start, min(start + 1024, n_u))
            out[rows] = self._scores(rows)[:, item]
        return out

    def _item_similarity(self) -> np.ndarray:
        """Dense product × product matrix R: R[j, i] = how much owning j supports i.

        Used for reasons ("because you bought ..."). Default: :meth:`_tfidf_similarity`.
        """
        return self._tfidf_similarity()

    def _also_bought_similarity(self) -> np.ndarray:
        """Similarity behind "customers who bought this also bought"."""
        return self._tfidf_similarity()

    def _tfidf_similarity(self) -> np.ndarray:
        """Cosine on tf-idf weighted purchases, tf = sqrt(orders) (computed once per fit).

        The idf weights cancel in a cosine; the square-root order counts do not: products
        bought together again and again outrank best sellers that every long-standing
        customer bought once (on the demo merchant every planted bundle's partner ranks
        first, against 5 of 8 with cosine on bought / not bought).
        """
        if getattr(self, "_explainer", None) is None:
            self._explainer = _sparse_cosine_top(weight_matrix(self.interactions_, "tfidf"))
        return self._explainer

    def _history(self) -> sp.csr_matrix:
        """Customer × product weights used to attribute a recommendation to bought items."""
        return self.bought_

    # -- public API ----------------------------------------------------------------------
    def masked_scores(self, rows: np.ndarray, *, exclude_bought: bool = True) -> np.ndarray:
        """Scores with non-candidates and (unless allowed) bought products set to -inf."""
        with _blas_threads():
            scores = np.asarray(self._scores(rows))
        if not scores.flags.writeable or scores.dtype.kind != "f":
            scores = np.array(scores, dtype=np.float64)
        scores[:, ~self.candidates_] = -np.inf
        if exclude_bought and len(rows):
            sub = self.bought_[rows].tocoo()
            keep = ~self._rebuy_mask()[sub.col]
            scores[sub.row[keep], sub.col[keep]] = -np.inf
        return scores

    def top_items(self, rows: np.ndarray, k: int, *, exclude_bought: bool = True) -> np.ndarray:
        """Top-k product indices per known customer row (-1 where fewer than k exist).

        Scored a batch of customers at a time: 20,000 customers × 30,000 products would be
        2.4 GB of scores and twice that of partition indices at once.
        """
        rows = np.asarray(rows)
        k = _check_k(k)
        step = max(1, TOP_ITEMS_CELLS // max(self.interactions_.shape[1], 1))
        parts = []
        for start in range(0, max(len(rows), 1), step):
            part = rows[start : start + step]
            scores = self.masked_scores(part, exclude_bought=exclude_bought)
            top = _top_k(scores, k, self.tiebreak_)
            finite = np.isfinite(np.take_along_axis(scores, top, axis=1))
            parts.append(np.where(finite, top, -1))
        return np.concatenate(parts, axis=0)

    def recommend(
        self, customer_ids: Iterable[Any], k: int = 10, *, exclude_bought: bool = True
    ) -> pd.DataFrame:
        """Top ``k`` products per customer, with ``score`` and ``reason``.

        Columns: customer_id, rank (1 = best), product_id, product_name, score, reason,
        source (``model`` or ``popularity (no history)`` for customers the model has not
        seen). Customers keep the order given; duplicates are dropped.
        """
        self._check_fitted()
        k = _check_k(k)
        inter = self.interactions_
        ids = list(dict.fromkeys(str(c) for c in customer_ids))
        rows = inter.customers.get_indexer(ids)
        known = rows >= 0
        known_rows = rows[known]
        frames: list[pd.DataFrame] = []
        known_ids = np.asarray(ids, dtype=object)[known]
        step = max(1, TOP_ITEMS_CELLS // max(inter.shape[1], 1))
        for start in range(0, len(known_rows), step):  # a batch of customers at a time
            batch_rows = known_rows[start : start + step]
            scores = self.masked_scores(batch_rows, exclude_bought=exclude_bought)
            top = _top_k(scores, k, self.tiebreak_)
            vals = np.take_along_axis(scores, top, axis=1)
            reasons = self._reasons(batch_rows, top, vals)
            cust = np.repeat(known_ids[start : start + step], top.shape[1])
            frame = pd.DataFrame(
                {
                    "customer_id": cust,
                    "rank": np.tile(np.arange(1, top.shape[1] + 1), len(batch_rows)),
                    "product_id": np.asarray(inter.products, dtype=object)[top.ravel()],
                    "product_name": inter.product_names[top.ravel()],
                    "score": vals.ravel(),
                    "reason": reasons.ravel(),
                    "source": SOURCE_MODEL,
                }
            )
            frames.append(frame.loc[np.isfinite(frame["score"].to_numpy())])
        cold = [c for c, ok in zip(ids, known, strict=True) if not ok]
        if cold:
            frames.append(self._cold_start(cold, k))
        if not frames:
            return _empty_result()
        out = pd.concat(frames, ignore_index=True)
        order = {c: n for n, c in enumerate(ids)}
        out = out.sort_values(
            ["customer_id", "rank"], key=lambda s: s.map(order) if s.name == "customer_id" else s
        ).reset_index(drop=True)
        return _typed(out)

    def _cold_start(self, ids: list[str], k: int) -> pd.DataFrame:
        inter = self.interactions_
        scores = np.where(self.candidates_, self.buyers_, -np.inf)
        top = _top_k(scores[None, :], k, self.tiebreak_)[0]
        top = top[np.isfinite(scores[top])]
        reason = np.array(
            [
                _n(
                    "best seller: bought by {n} customer (no purchase history)",
                    "best seller: bought by {n} customers (no purchase history)",
                    int(self.buyers_[i]),
                    n=f"{int(self.buyers_[i]):,}",
                )
                for i in top
            ],
            dtype=object,
        )
        n = len(top)
        return pd.DataFrame(
            {
                "customer_id": np.repeat(np.asarray(ids, dtype=object), n),
                "rank": np.tile(np.arange(1, n + 1), len(ids)),
                "product_id": np.tile(np.asarray(inter.products, dtype=object)[top], len(ids)),
                "product_name": np.tile(inter.product_names[top], len(ids)),
                "score": np.tile(self.buyers_[top] / max(inter.shape[0], 1), len(ids)),
                "reason": np.tile(reason, len(ids)),
                "source": SOURCE_COLD,
            }
        )

    def _reasons(
        self, rows: np.ndarray, top: np.ndarray, vals: np.ndarray, *, target: bool = False
    ) -> np.ndarray:
        """ "because you bought X and Y": the two bought products contributing most
        (``target``: "bought X and Y", said of a customer to target), in the UI language."""
        R = self._item_similarity()
        H = self._history()
        names = self.interactions_.product_names
        out = np.empty(top.shape, dtype=object)
        # the sentences in the UI language, looked up once (a bulk export makes millions)
        because = _because_templates(target=target)
        generic = self._generic_reason()
        for n, row in enumerate(rows):
            lo, hi = H.indptr[row], H.indptr[row + 1]
            owned = H.indices[lo:hi]
            w = H.data[lo:hi]
            if len(owned) == 0:
                out[n, :] = generic
                continue
            contrib = w[:, None] * _dense_block(R, owned, top[n])  # owned × k
            contrib[
                owned[:, None] == top[n][None, :]
            ] = -np.inf  # never "because you bought X" for X
            best = np.argsort(-contrib, axis=0, kind="stable")[:2]
            for c in range(top.shape[1]):
                picks = [owned[b] for b in best[:, c] if contrib[b, c] > 0]
                if not np.isfinite(vals[n, c]):
                    out[n, c] = ""
                elif vals[n, c] <= 0:
                    out[n, c] = self._filler_reason(top[n, c])
                elif len(picks) == 1:
                    out[n, c] = because[0].format(product=names[picks[0]])
                elif picks:
                    out[n, c] = because[1].format(product=names[picks[0]], other=names[picks[1]])
                else:
                    out[n, c] = generic
        return out

    def _generic_reason(self) -> str:
        return _("popular with customers like you")

    def _filler_reason(self, item: int) -> str:
        return _n(
            "no closer match; best seller: bought by {n} customer",
            "no closer match; best seller: bought by {n} customers",
            int(self.buyers_[item]),
            n=f"{int(self.buyers_[item]):,}",
        )

    def similar_products(self, product_id: Any, k: int = 10) -> pd.DataFrame:
        """ "Customers who bought this also bought": the ``k`` products most supported by it.

        Columns: rank, product_id, product_name, score, co_buyers (customers who bought
        both), reason.
        """
        self._check_fitted()
        k = _check_k(k)
        j = self._product_index(product_id)
        inter = self.interactions_
        sims = np.array(_dense_row(self._also_bought_similarity(), j), dtype=np.float64)
        sims[j] = -np.inf
        sims[~self.candidates_] = -np.inf
        co = np.asarray((self.bought_.T @ self.bought_[:, [j]]).todense()).ravel()
        sims[co <= 0] = -np.inf  # "also bought" means somebody bought both
        top = _top_k(sims[None, :], k, self.tiebreak_)[0]
        top = top[np.isfinite(sims[top])]
        return pd.DataFrame(
            {
                "rank": np.arange(1, len(top) + 1),
                "product_id": pd.array(np.asarray(inter.products, dtype=object)[top], dtype="str"),
                "product_name": pd.array(inter.product_names[top], dtype="str"),
                "score": sims[top],
                "co_buyers": co[top].astype(np.int64),
                "reason": pd.array(
                    [_("{n} customers bought both", n=f"{int(c):,}") for c in co[top]],
                    dtype="str",
                ),
            }
        )

    def target_customers(self, product_id: Any, k: int = 20) -> pd.DataFrame:
        """ "Who to target": the ``k`` customers most likely to buy the product next.

        Customers who already bought it are left out (unless it is a re-buy product).
        Columns: rank, customer_id, score, orders (their past orders of any product),
        reason.
        """
        self._check_fitted()
        k = _check_k(k)
        j = self._product_index(product_id)
        inter = self.interactions_
        with _blas_threads():
            scores = np.array(self._item_column_scores(j), dtype=np.float64)
        if not self._rebuy_mask()[j]:
            buyers = self.bought_[:, [j]].tocoo().row
            scores[buyers] = -np.inf
        scores[scores <= 0] = -np.inf  # no evidence at all: not a target
        tb = np.zeros(len(scores))
        top = _top_k(scores[None, :], k, tb)[0]
        top = top[np.isfinite(scores[top])]
        top_items = np.full((len(top), 1), j)
        reasons = self._reasons(top, top_items, scores[top][:, None], target=True)[:, 0]
        return pd.DataFrame(
            {
                "rank": np.arange(1, len(top) + 1),
                "customer_id": pd.array(
                    np.asarray(inter.customers, dtype=object)[top], dtype="str"
                ),
                "score": scores[top],
                "products_bought": np.diff(self.bought_.indptr)[top].astype(np.int64),
                "reason": pd.array(reasons, dtype="str"),
            }
        )

    def _product_index(self, product_id: Any) -> int:
        j = self.interactions_.products.get_indexer([str(product_id)])[0]
        if j < 0:
            raise ParameterError(
                note(
                    N_(
                        "Product {product} has no sales with a customer id in the data the model "
                        "was trained on. Pick a product from the list (or widen the filters)."
                    ),
                    product=repr(str(product_id)),
                )
            )
        return int(j)


def _empty_result() -> pd.DataFrame:
    return _typed(pd.DataFrame({c: [] for c in RESULT_COLUMNS}))


def _typed(df: pd.DataFrame) -> pd.DataFrame:
    df = df.loc[:, list(RESULT_COLUMNS)].copy()
    for col in ("customer_id", "product_id", "product_name", "reason", "source"):
        df[col] = df[col].astype("str")
    df["rank"] = df["rank"].astype(np.int64)
    df["score"] = df["score"].astype(np.float64)
    return df


def _cosine_items(
    W: sp.csr_matrix, *, shrinkage: float = 0.0, gram: np.ndarray | None = None
) -> np.ndarray:
    """Dense item × item cosine similarity of the columns of W (float32, zero diagonal).

    ``gram`` (optional, not modified) is WᵀW when already known.
    """
    if gram is None:
        W32 = W.astype(np.float32)
        gram = (W32.T @ W32).toarray()
    else:
        gram = np.array(gram, dtype=np.float32)
    norms = np.sqrt(np.maximum(np.diag(gram), 0)).astype(np.float32)
    np.fill_diagonal(gram, 0.0)
    if shrinkage == 0:
        norms[norms == 0] = 1.0
        gram /= norms[:, None]
        gram /= norms[None, :]
        return gram
    denom = np.outer(norms, norms)
    denom += np.float32(shrinkage)
    gram /= denom
    return gram


def _keep_top_per_column(sim: np.ndarray, neighbours: int | None) -> np.ndarray:
    """Keep, for every target product (column), its ``neighbours`` strongest sources."""
    n = sim.shape[0]
    if neighbours is None or neighbours >= n:
        return sim
    # sim is symmetric, so each column's threshold is its row's (row-wise is cache-friendly)
    cut = np.partition(sim, n - neighbours, axis=1)[:, n - neighbours]
    sim[sim < cut[None, :]] = 0.0
    return sim


def _sparse_cosine_top(
    W: sp.csr_matrix, *, shrinkage: float = 0.0, neighbours: int | None = None, block: int = 2048
) -> sp.csr_matrix:
    """Sparse twin of ``_keep_top_per_column(_cosine_items(W, shrinkage), neighbours)``.

    The same float32 values at the same places, built a block of products at a time so no
    products × products dense matrix ever exists (30,000 products: 3.6 GB each). Products
    nobody bought together stay out (their similarity is 0 in the dense form too). Column
    ``c`` keeps the entries at or above the ``neighbours``-th largest value of row ``c``, as
    the dense version does.

    With shrinkage (the item kNN default) every value is exactly symmetric — the gram's
    sums run over the same customers in the same order both ways, and the denominator
    ``norms[r] * norms[c] + shrinkage`` commutes — so column ``c`` kept at row ``c``'s cut is
    row ``c`` kept at its own cut, transposed: each block is pruned as soon as it is built and
    the unpruned products × products matrix (9 GB of entries at 30,000 products and 1 M
    customers) never exists. Without shrinkage (``a / n_r / n_c`` is not symmetric to the
    last bit) the whole matrix is built first and cut after, as before.
    """
    W32 = W.astype(np.float32)
    Wc = W32.tocsc()
    n = W32.shape[1]
    Wt = Wc.T.tocsr()  # products × customers
    Wt.sort_indices()
    sq = _gram_diagonal(Wt)
    norms = np.sqrt(np.maximum(sq, 0)).astype(np.float32)
    if shrinkage == 0:
        norms[norms == 0] = 1.0
    prune = neighbours is not None and neighbours < n
    symmetric = shrinkage != 0
    parts, cuts = [], np.zeros(n, dtype=np.float32)
    for a in range(0, n, block):
        # not sorted: every step below is per entry, and the result is sorted at the end
        g = _csr_product(Wt[a : a + block], W32)
        rows = np.repeat(np.arange(a, a + g.shape[0], dtype=np.int32), np.diff(g.indptr))
        d = g.data.astype(np.float32, copy=False)
        if shrinkage == 0:
            d /= norms[rows]
            d /= norms[g.indices]
        else:
            denom = norms[rows] * norms[g.indices]
            denom += np.float32(shrinkage)
            d /= denom
        d[rows == g.indices] = 0.0
        g.data = d
        g.eliminate_zeros()
        if prune:
            block_cuts = _row_cuts(g, neighbours)
            cuts[a : a + g.shape[0]] = block_cuts
            if symmetric:  # keep each row's own top now (transposed at the end)
                nnz = np.diff(g.indptr)
                g.data[g.data < np.repeat(block_cuts, nnz)] = 0.0
                g.eliminate_zeros()
        parts.append(g)
    sim = sp.vstack(parts, format="csr") if parts else sp.csr_matrix((n, n), dtype=np.float32)
    del parts
    if prune and symmetric:
        sim = sim.T.tocsr()
    elif prune:
        sim.data[sim.data < cuts[sim.indices]] = 0.0
        sim.eliminate_zeros()
    sim.sort_indices()
    return sim


def _csr_product(A: sp.csr_matrix, B: sp.csr_matrix) -> sp.csr_matrix:
    """``A @ B`` (CSR, same float dtype): the same entries, from the same routine scipy's
    ``@`` calls (``csr_matmat``), without its first pass over the whole product that only
    counts the result's entries (a third of item kNN's product time): the result is written
    into arrays sized for a full ``A.shape[0] × B.shape[1]`` result instead, whose pages
    the entries never reach are never used. Falls back to ``@`` where that bound does not
    fit 32-bit indices or scipy's routine is not there as expected."""
    m, n = A.shape[0], B.shape[1]
    plain = (
        A.dtype != B.dtype
        or A.dtype not in (np.float32, np.float64)
        or m * n >= 2**31
        or any(x.dtype != np.int32 for x in (A.indptr, A.indices, B.indptr, B.indices))
    )
    if not plain:
        try:
            from scipy.sparse import _sparsetools

            indptr = np.empty(m + 1, dtype=np.int32)
            indices = np.empty(max(m * n, 1), dtype=np.int32)
            data = np.empty(max(m * n, 1), dtype=A.dtype)
            _sparsetools.csr_matmat(
                m, n, A.indptr, A.indices, A.data, B.indptr, B.indices, B.data,
                indptr, indices, data,
            )  # fmt: skip
        except (ImportError, AttributeError, TypeError, ValueError):
            plain = True
    if plain:
        return (A @ B).tocsr()
    nnz = int(indptr[-1])
    return sp.csr_matrix((data[:nnz], indices[:nnz], indptr), shape=(m, n))


def _gram_diagonal(Wt: sp.csr_matrix) -> np.ndarray:
    """Each product's squared norm, ``(Wᵀ W)[c, c]`` for ``Wt`` = Wᵀ (float32, sorted indices),
    to the last bit as the sparse product sums it: the float32 squares, added one customer
    after another in customer order from zero (a float32 matrix-vector product with ones
    does exactly that, without slicing W's columns block by block)."""
    sq = Wt.copy()
    sq.data = Wt.data * Wt.data
    return np.asarray(sq @ np.ones(Wt.shape[1], dtype=np.float32), dtype=np.float32)


def _row_cuts(g: sp.csr_matrix, neighbours: int) -> np.ndarray:
    """Each row's ``neighbours``-th largest stored value (0 for rows with fewer entries):
    a partition of each full row's values (linear in its entries, not a sort of the block)."""
    nnz = np.diff(g.indptr)
    out = np.zeros(g.shape[0], dtype=np.float32)
    for i in np.flatnonzero(nnz >= neighbours):
        vals = g.data[g.indptr[i] : g.indptr[i + 1]]
        out[i] = np.partition(vals, len(vals) - neighbours)[len(vals) - neighbours]
    return out


class _FactorCosine:
    """Cosine of item factors, computed for the rows and columns asked only (a dense
    products x products matrix is 3.6 GB at 30,000 products); zero diagonal."""

    def __init__(self, V: np.ndarray):
        norms = np.linalg.norm(V, axis=1)
        norms[norms == 0] = 1.0
        self.Vn = V / norms[:, None]

    def block(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        out = self.Vn[rows] @ self.Vn[cols].T
        out[np.asarray(rows)[:, None] == np.asarray(cols)[None, :]] = 0.0
        return out


def _dense_block(R, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """``R[np.ix_(rows, cols)]`` as a dense array, for dense, sparse or lazy ``R``."""
    if isinstance(R, _FactorCosine):
        return R.block(np.asarray(rows), np.asarray(cols))
    if sp.issparse(R):
        return R[rows][:, cols].toarray()
    return R[np.ix_(rows, cols)]


def _dense_row(R, j: int) -> np.ndarray:
    if isinstance(R, _FactorCosine):
        return R.block(np.array([j]), np.arange(R.Vn.shape[0]))[0]
    if sp.issparse(R):
        return R[[j]].toarray().ravel()
    return np.asarray(R[j])


def _because_templates(*, target: bool = False) -> tuple[str, str]:
    """The reasons naming one and two bought products, in the UI language, with their
    ``{product}`` / ``{other}`` fields still to fill (``target``: said of a customer)."""
    if target:
        return _("bought {product}"), _("bought {product} and {other}")
    return _("because you bought {product}"), _("because you bought {product} and {other}")


def _because(names: list[str], *, target: bool = False) -> str:
    """The reason naming the one or two bought products behind a recommendation."""
    one, two = _because_templates(target=target)
    if len(names) == 1:
        return one.format(product=names[0])
    return two.format(product=names[0], other=names[1])
