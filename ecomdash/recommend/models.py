"""The models: popularity / trending, item-based and user-based CF, EASE, ALS; the model
registry (:func:`make_model`)."""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp

from ecomdash.errors import InsufficientDataError
from ecomdash.i18n import N_, _
from ecomdash.i18n.note import note
from ecomdash.recommend.base import (
    Recommender,
    _csr_product,
    _FactorCosine,
    _sparse_cosine_top,
)
from ecomdash.recommend.data import (
    MODEL_NAMES,
    WEIGHTINGS,
    BusinessRules,
    Interactions,
    _check_choice,
    _check_k,
    _check_number,
    weight_matrix,
)

# --------------------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------------------


class PopularityRecommender(Recommender):
    """Best sellers (distinct buyers), or trending ones over the last ``window_days``.

    The baseline every model is compared with, and the cold-start fallback.
    """

    name = "popularity"

    def __init__(self, *, window_days: int | None = None, rules: BusinessRules | None = None):
        self.window_days = window_days
        self.rules = rules

    def _fit(self, inter: Interactions) -> None:
        _check_number("window_days", self.window_days, low=1, integer=True, allow_none=True)
        if self.window_days is None:
            self.popularity_ = self.buyers_.copy()
        else:
            recent = inter.age_days.copy()
            recent.data = (recent.data <= self.window_days).astype(np.float64)
            self.popularity_ = np.asarray(recent.sum(axis=0)).ravel()

    def _scores(self, rows: np.ndarray) -> np.ndarray:
        return np.tile(self.popularity_ / max(self.interactions_.shape[0], 1), (len(rows), 1))

    def top_items(self, rows: np.ndarray, k: int, *, exclude_bought: bool = True) -> np.ndarray:
        """Same list for everybody: walk the ranking once, skipping what each one bought."""
        k = _check_k(k)
        n_items = self.interactions_.shape[1]
        order = np.lexsort((np.arange(n_items), -self.tiebreak_, -self.popularity_))
        order = order[self.candidates_[order]]
        if not exclude_bought or len(rows) == 0:
            out = np.full((len(rows), k), -1, dtype=np.int64)
            out[:, : min(k, len(order))] = order[:k]
            return out
        owned = self.bought_[rows]
        m = min(len(order), k + int(np.diff(owned.indptr).max(initial=0)))
        head = order[:m]
        blocked = owned[:, head].toarray() > 0
        blocked &= ~self._rebuy_mask()[head][None, :]
        pos = np.argsort(blocked, axis=1, kind="stable")[:, :k]
        picked = np.where(np.take_along_axis(blocked, pos, axis=1), -1, head[pos])
        out = np.full((len(rows), k), -1, dtype=np.int64)
        out[:, : picked.shape[1]] = picked
        return out

    def _item_column_scores(self, item: int) -> np.ndarray:
        # Everyone is equally likely under popularity; prefer active customers.
        return np.diff(self.bought_.indptr).astype(np.float64) / 1e6

    def _reasons(
        self, rows: np.ndarray, top: np.ndarray, vals: np.ndarray, *, target: bool = False
    ) -> np.ndarray:
        out = np.empty(top.shape, dtype=object)
        pop = self.popularity_
        # looked up once, filled per row (no fields given: _() returns the template); one
        # buyer is "1 customer", never "1 customers"
        if self.window_days is None:
            one = _("best seller: bought by {n} customer")
            many = _("best seller: bought by {n} customers")
        elif int(self.window_days) == 1:
            # a one-day window is "the last day", never "the last 1 day" (a plural rule
            # gives both forms the same fields, so the singular kept the figure)
            one = _("best seller: bought by {n} customer in the last day")
            many = _("best seller: bought by {n} customers in the last day")
        else:
            # the window's days are filled once, the buyers per row: {n} is kept for them
            days = f"{int(self.window_days):,}"
            one = _(
                "best seller: bought by {n} customer in the last {days} days", n="{n}", days=days
            )
            many = _(
                "best seller: bought by {n} customers in the last {days} days", n="{n}", days=days
            )
        for idx in np.ndindex(top.shape):
            buyers = int(pop[top[idx]])
            out[idx] = (one if buyers == 1 else many).format(n=f"{buyers:,}")
        return out


class TrendingRecommender(PopularityRecommender):
    """Best sellers of the last ``window_days`` days (distinct buyers)."""

    name = "trending"

    def __init__(self, *, window_days: int | None = 30, rules: BusinessRules | None = None):
        super().__init__(window_days=window_days, rules=rules)


class ItemKNNRecommender(Recommender):
    """Item-based collaborative filtering: cosine similarity of products over customers.

    score(customer, i) = Σ_j history(customer, j) · sim(j, i), where the history is the
    customer's weighted purchases, decayed by recency (``half_life_days``).

    Parameters
    ----------
    weighting : how counts become weights for the similarity: binary, count, log, tfidf, bm25.
    neighbours : keep only each product's strongest ``neighbours`` similar products (None = all).
    shrinkage : added to the cosine denominator; damps similarities built on few customers.
    half_life_days : recency decay of the customer's history when scoring (None = no decay).
    """

    name = "item_knn"

    def __init__(
        self,
        *,
        weighting: str = "binary",
        neighbours: int | None = 200,
        shrinkage: float = 10.0,
        half_life_days: float | None = 90.0,
        rules: BusinessRules | None = None,
    ):
        self.weighting = weighting
        self.neighbours = neighbours
        self.shrinkage = shrinkage
        self.half_life_days = half_life_days
        self.rules = rules

    def _fit(self, inter: Interactions) -> None:
        _check_choice("weighting", self.weighting, WEIGHTINGS)
        _check_number("neighbours", self.neighbours, low=1, integer=True, allow_none=True)
        _check_number("shrinkage", self.shrinkage, low=0)
        _check_number("half_life_days", self.half_life_days, low=0, allow_none=True, strict=True)
        W = weight_matrix(inter, self.weighting)
        # sparse (products × products, float32): a dense one is 3.6 GB at 30,000 products
        self.similarity_ = _sparse_cosine_top(
            W, shrinkage=float(self.shrinkage), neighbours=self.neighbours
        )
        self.history_ = weight_matrix(
            inter, self.weighting, half_life_days=self.half_life_days
        ).astype(np.float32)

    def _scores(self, rows: np.ndarray) -> np.ndarray:
        return _csr_product(self.history_[rows], self.similarity_).toarray()

    def _item_column_scores(self, item: int) -> np.ndarray:
        return (self.history_ @ self.similarity_[:, [item]]).toarray().ravel()

    def _item_similarity(self) -> np.ndarray:
        return self.similarity_

    def _history(self) -> sp.csr_matrix:
        return self.history_


class EASERecommender(Recommender):
    """EASE: closed-form linear item-to-item model (Steck, WWW 2019).

    B = I − P·diag(1/diag(P)) with P = (XᵀX + l2·I)⁻¹ and diag(B) = 0; score = history · B.
    One Cholesky factorisation of a products × products matrix (float32): about a second for
    4,000 products on one core.

    Parameters
    ----------
    l2 : ridge penalty (larger → closer to popularity-weighted co-occurrence, more stable).
    weighting : weights of X (binary, count, log, tfidf, bm25).
    half_life_days : recency decay of the customer's history when scoring.
    min_buyers : products with fewer buyers are too rare to learn from: they are left out of
        B (no model score, no influence); when that would leave fewer than 2 products, every
        product is kept. 1 keeps all.
    max_products : refuse larger catalogues (memory/time grows with its square/cube).
    """

    name = "ease"

    def __init__(
        self,
        *,
        l2: float = 100.0,
        weighting: str = "binary",
        half_life_days: float | None = 90.0,
        min_buyers: int = 5,
        max_products: int = 12_000,
        rules: BusinessRules | None = None,
    ):
        self.l2 = l2
        self.weighting = weighting
        self.half_life_days = half_life_days
        self.min_buyers = min_buyers
        self.max_products = max_products
        self.rules = rules

    def _fit(self, inter: Interactions) -> None:
        _check_number("l2", self.l2, low=0, strict=True)
        _check_choice("weighting", self.weighting, WEIGHTINGS)
        _check_number("half_life_days", self.half_life_days, low=0, allow_none=True, strict=True)
        _check_number("min_buyers", self.min_buyers, low=1, integer=True)
        keep = np.flatnonzero(self.buyers_ >= self.min_buyers)
        if len(keep) < 2:
            keep = np.arange(inter.shape[1])
        n = len(keep)
        if (msg := self.refusal(inter)) is not None:
            raise InsufficientDataError(msg)
        if self.weighting == "binary":
            full = inter.binary_gram()
            # symmetric: the transpose of a C-ordered copy is the F-ordered matrix LAPACK wants
            gram = (full.copy() if n == full.shape[0] else full.take(keep, 0).take(keep, 1)).T
        else:
            X = weight_matrix(inter, self.weighting).astype(np.float32)[:, keep]
            gram = (X.T @ X).toarray(order="F")
        gram[np.diag_indices(n)] += np.float32(self.l2)
        chol, info = sla.lapack.spotrf(gram, lower=1, overwrite_a=1)
        if info != 0:  # pragma: no cover - the matrix is positive definite for l2 > 0
            raise InsufficientDataError(
                note(N_("EASE could not factorise the item matrix (info={info})."), info=info)
            )
        inv, info = sla.lapack.spotri(chol, lower=1, overwrite_c=1)
        inv = np.tril(inv)  # spotri fills the lower triangle only; the upper is stale
        inv += np.triu(inv.T, 1)
        inv /= -np.diag(inv).copy()[None, :]
        np.fill_diagonal(inv, 0.0)
        self.products_kept_ = keep
        self.weights_ = inv  # B over the kept products (kept × kept)
        self.history_ = weight_matrix(
            inter, self.weighting, half_life_days=self.half_life_days
        ).astype(np.float32)
        self._history_kept = self.history_[:, keep].tocsr()

    def refusal(self, inter: Interactions) -> str | None:
        buyers = np.bincount(inter.counts.indices, minlength=inter.shape[1])
        n = int(np.count_nonzero(buyers >= self.min_buyers))
        n = n if n >= 2 else inter.shape[1]
        if n > self.max_products:
            return _(
                "EASE needs a products × products matrix; the data has {n} products (limit "
                "{limit}). Use the similar products model or ALS, or filter to fewer categories.",
                n=f"{n:,}",
                limit=f"{self.max_products:,}",
            )
        return None

    def _scores(self, rows: np.ndarray) -> np.ndarray:
        out = np.zeros((len(rows), self.interactions_.shape[1]), dtype=np.float32)
        out[:, self.products_kept_] = self._history_kept[rows] @ self.weights_
        return out

    def _item_column_scores(self, item: int) -> np.ndarray:
        pos = np.searchsorted(self.products_kept_, item)
        if pos >= len(self.products_kept_) or self.products_kept_[pos] != item:
            return np.zeros(self.interactions_.shape[0])
        return np.asarray(self._history_kept @ self.weights_[:, pos]).ravel()

    def _item_similarity(self) -> np.ndarray:
        if getattr(self, "_explainer", None) is None:
            n = self.interactions_.shape[1]
            if len(self.products_kept_) == n:
                self._explainer = self.weights_
            else:
                full = np.zeros((n, n), dtype=np.float32)
                full[np.ix_(self.products_kept_, self.products_kept_)] = self.weights_
                self._explainer = full
        return self._explainer

    def _also_bought_similarity(self) -> np.ndarray:
        return self._item_similarity()

    def _history(self) -> sp.csr_matrix:
        return self.history_


class UserKNNRecommender(Recommender):
    """User-based collaborative filtering: what the ``neighbours`` most similar customers bought.

    similarity = cosine of weighted purchase histories; score(u, i) = Σ_v∈N(u) sim(u, v) ·
    bought(v, i). Refused above ``max_customers`` customers: scoring compares each customer
    with all the others (87 s for 9,500 customers against 98,000 on the 1 M-line merchant).
    """

    name = "user_knn"

    def __init__(
        self,
        *,
        neighbours: int = 50,
        weighting: str = "tfidf",
        max_customers: int = 50_000,
        rules: BusinessRules | None = None,
    ):
        self.neighbours = neighbours
        self.weighting = weighting
        self.max_customers = max_customers
        self.rules = rules

    def refusal(self, inter: Interactions) -> str | None:
        n = inter.shape[0]
        if n > self.max_customers:
            return _(
                "The similar customers model compares every customer with every other; the "
                "data has {n} customers (limit {limit}: about 9 s per 1,000 customers scored "
                "at 100,000). Use the similar products model or ALS, or filter to fewer "
                "customers.",
                n=f"{n:,}",
                limit=f"{self.max_customers:,}",
            )
        return None

    def _fit(self, inter: Interactions) -> None:
        _check_number("neighbours", self.neighbours, low=1, integer=True)
        _check_number("max_customers", self.max_customers, low=2, integer=True)
        if (msg := self.refusal(inter)) is not None:
            raise InsufficientDataError(msg)
        _check_choice("weighting", self.weighting, WEIGHTINGS)
        W = weight_matrix(inter, self.weighting).astype(np.float32)
        norms = np.sqrt(np.asarray(W.multiply(W).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        self.profiles_ = sp.csr_matrix(sp.diags(1.0 / norms) @ W).astype(np.float32)
        self.items_ = self.bought_.astype(np.float32)

    def _neighbour_weights(self, rows: np.ndarray) -> sp.csr_matrix:
        sims = np.asarray((self.profiles_[rows] @ self.profiles_.T).todense())
        sims[np.arange(len(rows)), rows] = 0.0
        n_u = sims.shape[1]
        kk = min(self.neighbours, n_u - 1)
        if kk < n_u:
            idx = np.argpartition(-sims, kk - 1, axis=1)[:, :kk]
            vals = np.take_along_axis(sims, idx, axis=1)
            return sp.csr_matrix(
                (vals.ravel(), (np.repeat(np.arange(len(rows)), kk), idx.ravel())),
                shape=sims.shape,
            )
        return sp.csr_matrix(sims)

    def _scores(self, rows: np.ndarray) -> np.ndarray:
        out = np.empty((len(rows), self.interactions_.shape[1]), dtype=np.float32)
        for start in range(0, len(rows), 1024):
            part = rows[start : start + 1024]
            out[start : start + len(part)] = (self._neighbour_weights(part) @ self.items_).toarray()
        return out

    def _generic_reason(self) -> str:
        return _("bought by customers with similar purchases")

    def _reasons(
        self, rows: np.ndarray, top: np.ndarray, vals: np.ndarray, *, target: bool = False
    ) -> np.ndarray:
        """ "5 customers who buy like you bought it": how many of the customer's neighbours
        (the ``neighbours`` most similar customers, whose purchases the score sums) bought
        the product (``target``: "… who buy like them", said of a customer to target). Not
        "because you bought X": that explains an item-based model, and this one never
        compares products."""
        out = np.empty(top.shape, dtype=object)
        # the sentences in the UI language, looked up once (a bulk export makes millions)
        if target:
            one = _("{n} customer who buys like them bought it")
            many = _("{n} customers who buy like them bought it")
        else:
            one = _("{n} customer who buys like you bought it")
            many = _("{n} customers who buy like you bought it")
        generic = self._generic_reason()
        for start in range(0, len(rows), 1024):
            part = np.arange(start, min(start + 1024, len(rows)))
            near = self._neighbour_weights(rows[part])
            near.data = (near.data > 0).astype(np.float32)  # a neighbour, or not
            near.eliminate_zeros()
            bought = (near @ self.items_).tocsr()  # neighbours who bought each product
            counts = np.asarray(
                bought[np.repeat(np.arange(len(part)), top.shape[1]), top[part].ravel()]
            ).reshape(len(part), top.shape[1])
            for i, n in enumerate(part):
                for c in range(top.shape[1]):
                    if not np.isfinite(vals[n, c]):
                        out[n, c] = ""
                    elif vals[n, c] <= 0:
                        out[n, c] = self._filler_reason(top[n, c])
                    elif counts[i, c] >= 1:
                        m = int(round(counts[i, c]))
                        out[n, c] = (one if m == 1 else many).format(n=f"{m:,}")
                    else:
                        out[n, c] = generic
        return out


class ALSRecommender(Recommender):
    """Implicit-feedback matrix factorisation (Hu, Koren & Volinsky 2008), numpy only.

    Confidence c = 1 + alpha · w (w from ``weighting``), preference 1 on purchases, 0
    elsewhere; alternating least squares where each side is solved with a few steps of
    conjugate gradient batched over all customers (or products) at once, warm-started.

    Parameters
    ----------
    factors, regularization, alpha, iterations, cg_steps : the usual ALS settings.
    weighting : binary, count, log (default: log 1+count), tfidf, bm25.
    random_state : seed of the initial factors.
    """

    name = "als"

    def __init__(
        self,
        *,
        factors: int = 32,
        regularization: float = 1.0,
        alpha: float = 5.0,
        iterations: int = 4,
        cg_steps: int = 2,
        weighting: str = "log",
        random_state: int = 0,
        rules: BusinessRules | None = None,
    ):
        self.factors = factors
        self.regularization = regularization
        self.alpha = alpha
        self.iterations = iterations
        self.cg_steps = cg_steps
        self.weighting = weighting
        self.random_state = random_state
        self.rules = rules

    def test_exclusion(self, inter: Interactions) -> str | None:
        n = int(inter.counts.nnz)
        if n > ALS_TEST_MAX_PURCHASES:
            return _(
                "ALS is the slowest model to fit (about 40 s of computing at 7 million "
                "purchases); the data has {n} purchases (customer × product pairs; the test "
                "includes ALS up to {limit}). Choose ALS under Model to test it anyway.",
                n=f"{n:,}",
                limit=f"{ALS_TEST_MAX_PURCHASES:,}",
            )
        return None

    def _weights(self, inter: Interactions) -> sp.csr_matrix:
        """The settings checked and the weighted customer × product matrix: the set-up the
        in-process fit and the Spark MLlib fit (``ecomdash.spark.recommend``) share."""
        _check_number("factors", self.factors, low=1, integer=True)
        _check_number("regularization", self.regularization, low=0)
        _check_number("alpha", self.alpha, low=0, strict=True)
        _check_number("iterations", self.iterations, low=1, integer=True)
        _check_number("cg_steps", self.cg_steps, low=1, integer=True)
        _check_choice("weighting", self.weighting, WEIGHTINGS)
        return weight_matrix(inter, self.weighting)

    def _fit(self, inter: Interactions) -> None:
        W = self._weights(inter)
        C = W.astype(np.float32)
        C.data = (np.float32(self.alpha) * C.data).astype(np.float32)  # c - 1
        Ct = C.T.tocsr()
        rng = np.random.default_rng(self.random_state)
        f = self.factors
        n_u, n_i = inter.shape
        U = (rng.standard_normal((n_u, f)) * 0.01).astype(np.float32)
        V = (rng.standard_normal((n_i, f)) * 0.01).astype(np.float32)
        buf = np.empty((C.nnz, f), dtype=np.float32)  # both sides gather nnz factor rows
        for _step in range(self.iterations):
            U = _cg_side(C, V, U, self.regularization, self.cg_steps, buf)
            V = _cg_side(Ct, U, V, self.regularization, self.cg_steps, buf)
        self.user_factors_ = U
        self.item_factors_ = V

    def _scores(self, rows: np.ndarray) -> np.ndarray:
        return self.user_factors_[rows] @ self.item_factors_.T

    def _item_column_scores(self, item: int) -> np.ndarray:
        return self.user_factors_ @ self.item_factors_[item]

    def _item_similarity(self) -> _FactorCosine:
        if getattr(self, "_explainer", None) is None:
            self._explainer = _FactorCosine(self.item_factors_)
        return self._explainer

    def _also_bought_similarity(self) -> np.ndarray:
        return self._item_similarity()

    def _generic_reason(self) -> str:
        return _("matches the taste profile of your purchases")


#: Purchases (distinct customer × product pairs) above which the offline test leaves ALS out
#: unless it is the chosen model: its fit is most of the test's time there (10 M lines, 7.4 M
#: pairs: 40 s of CPU of the test's 94, scoring 9 s more) and it tested worst of the models
#: on the generated 1 M and 10 M merchants (hit rate@10 0.21 and 0.14 against 0.34 and 0.29).
ALS_TEST_MAX_PURCHASES = 2_000_000

#: Purchases whose dot products ALS computes at once (64k × 32 factors: 8 MB, cache-sized).
ALS_CHUNK = 65_536


def _cg_side(
    C: sp.csr_matrix,
    Y: np.ndarray,
    X0: np.ndarray,
    reg: float,
    steps: int,
    buf: np.ndarray | None = None,
) -> np.ndarray:
    """A few conjugate-gradient steps for all rows of X at once.

    Row u solves (YᵀY + Yᵀ diag(c_u − 1) Y + reg·I) x_u = Σ_i c_ui y_i over its purchases.
    ``C`` holds c − 1 on purchases.
    """
    YtY = Y.T @ Y + np.float32(reg) * np.eye(Y.shape[1], dtype=np.float32)
    rows = np.repeat(np.arange(C.shape[0]), np.diff(C.indptr))
    cols = C.indices
    # nnz × f, fixed during this half-step; into the caller's buffer when given (one
    # allocation for the whole fit: a fresh 1 GB array per half-step at 10 M lines is
    # mostly page faults)
    Yc = np.take(Y, cols, axis=0, out=buf) if buf is not None else Y[cols]
    cm1 = C.data

    t = np.empty(len(cols), dtype=np.float32)

    def apply(P: np.ndarray) -> np.ndarray:
        # each purchase's p_u · y_i, a cache-sized chunk of purchases at a time (the same
        # per-row dot products as one einsum over P[rows], without an nnz × f copy of P)
        for a in range(0, len(cols), ALS_CHUNK):
            b = a + ALS_CHUNK
            t[a:b] = np.einsum("nf,nf->n", P[rows[a:b]], Yc[a:b])
        return P @ YtY + sp.csr_matrix((t * cm1, cols, C.indptr), shape=C.shape) @ Y

    B = sp.csr_matrix(((cm1 + 1.0).astype(np.float32), cols, C.indptr), shape=C.shape) @ Y
    X = X0.copy()
    R = B - apply(X)
    P = R.copy()
    rs = np.einsum("uf,uf->u", R, R)
    for _step in range(steps):
        AP = apply(P)
        denom = np.einsum("uf,uf->u", P, AP)
        a = np.divide(rs, denom, out=np.zeros_like(rs), where=denom > 1e-20)
        X += a[:, None] * P
        R -= a[:, None] * AP
        rs_new = np.einsum("uf,uf->u", R, R)
        beta = np.divide(rs_new, rs, out=np.zeros_like(rs), where=rs > 1e-20)
        P = R + beta[:, None] * P
        rs = rs_new
    return X


def default_model_name(n_products: int) -> str:
    """The model used when none is chosen: EASE, or item-based CF for catalogues too big for it."""
    return "ease" if n_products <= EASERecommender().max_products else "item_knn"


def make_model(name: str, *, rules: BusinessRules | None = None, **params: Any) -> Recommender:
    """A fresh model by name (one of :data:`MODEL_NAMES`) with its tuned defaults."""
    from ecomdash.engine import on_spark

    _check_choice("model", name, MODEL_NAMES)
    if name == "als" and on_spark():
        from ecomdash.spark.recommend import SparkALSRecommender  # MLlib ALS on the cluster

        return SparkALSRecommender(rules=rules, **params)
    return _model_class(name)(rules=rules, **params)


def _model_class(name: str) -> type[Recommender]:
    return {
        "popularity": PopularityRecommender,
        "trending": TrendingRecommender,
        "item_knn": ItemKNNRecommender,
        "user_knn": UserKNNRecommender,
        "als": ALSRecommender,
        "ease": EASERecommender,
    }[name]


def model_parameters(name: str) -> tuple[str, ...]:
    """The keyword parameters model ``name`` accepts (besides ``rules``)."""
    import inspect

    _check_choice("model", name, MODEL_NAMES)
    sig = inspect.signature(_model_class(name).__init__)
    return tuple(p for p in sig.parameters if p not in ("self", "rules"))
