"""Product recommendations from implicit feedback (who bought what, how often, how recently).

Models are scikit-learn-style estimators: ``__init__`` stores parameters, ``fit(lines)``
returns ``self``, learned attributes end in ``_``. Every model answers

- ``recommend(customer_ids, k=10, exclude_bought=True)`` → one row per (customer, product)
  with ``rank``, ``score`` and a plain-words ``reason`` ("because you bought X and Y");
  customers with no history (cold start) get the popularity baseline, marked in ``source``;
- ``similar_products(product_id, k)`` → "customers who bought this also bought";
- ``target_customers(product_id, k)`` → the customers most likely to buy it next (not
  already buyers).

Models: :class:`PopularityRecommender` (best sellers / trending; the baseline and the
cold-start fallback), :class:`ItemKNNRecommender` (item-based collaborative filtering,
cosine on weighted customer × product counts, recency decay), :class:`UserKNNRecommender`
(top-K similar customers), :class:`ALSRecommender` (implicit-feedback matrix factorisation,
alternating least squares with batched conjugate gradient, numpy only) and
:class:`EASERecommender` (closed-form linear item autoencoder, Steck 2019).

:func:`evaluate` runs the offline test: train before a cut-off, test on what each customer
bought after it and had not bought before, with the metrics of :mod:`ecomdash.metrics`.

>>> from ecomdash.demo import generate  # doctest: +SKIP
>>> model = EASERecommender().fit(generate().lines)  # doctest: +SKIP
>>> model.recommend(["C00001"], k=5)  # doctest: +SKIP
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import scipy.linalg as sla
import scipy.sparse as sp
from threadpoolctl import threadpool_limits

from ecomdash import labels as L
from ecomdash import metrics as M
from ecomdash import schema as S
from ecomdash.errors import InsufficientDataError, ParameterError
from ecomdash.i18n import N_, _

WEIGHTINGS = ("binary", "count", "log", "tfidf", "bm25")

#: BLAS threads used while fitting and scoring. One: the app serves many sessions on few
#: cores, and multi-threaded OpenBLAS on a busy machine was 5-10x slower than one thread
#: (EASE's Cholesky inverse on 3,955 products: 2.4 s with 1 thread vs 11-18 s with 2 under load).
BLAS_THREADS = 1


@contextmanager
def _blas_threads():
    with threadpool_limits(limits=BLAS_THREADS, user_api="blas"):
        yield


#: Model names accepted by :func:`make_model` (CLI ``--model``, page picker), best first.
MODEL_NAMES = ("ease", "item_knn", "als", "user_knn", "trending", "popularity")

#: Scores (customers × products) computed at once when ranking many customers.
TOP_ITEMS_CELLS = 16_000_000

#: Models that show the same list to everybody (the baselines).
BASELINES = ("popularity", "trending")

#: The model names a merchant reads (one catalogue: ecomdash.labels).
MODEL_LABELS = {
    k: L.MODEL_LABELS[k] for k in ("ease", "item_knn", "als", "user_knn", "trending", "popularity")
}

#: ``source`` of a recommendation: the model, or best sellers for a customer without history
#: (ids kept in the data; the page shows them translated)
SOURCE_MODEL = N_("model")
SOURCE_COLD = N_("popularity (no history)")

RESULT_COLUMNS = (
    "customer_id",
    "rank",
    "product_id",
    "product_name",
    "score",
    "reason",
    "source",
)


# --------------------------------------------------------------------------------------
# Business rules and the interaction matrix
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BusinessRules:
    """What may be recommended (hashable: usable in cache keys).

    Parameters
    ----------
    exclude_categories : categories never recommended (needs a ``category`` column).
    recent_days : only recommend products sold in the last ``recent_days`` days before the
        last date of the data (a proxy for "in stock"); ``None`` keeps every product.
    rebuy_products : consumables the merchant marks: they may be recommended again to
        customers who already bought them.

    Non-product lines (postage, fees, ...) and returns are always left out (standard
    cleaning, :func:`ecomdash.schema.sales_lines`).
    """

    exclude_categories: tuple[str, ...] = ()
    recent_days: int | None = None
    rebuy_products: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.recent_days is not None and (
            isinstance(self.recent_days, bool)
            or not isinstance(self.recent_days, int)
            or self.recent_days < 1
        ):
            raise ParameterError(
                "The 'recent_days' business rule must be None or an int in the range [1, inf). "
                f"Got {self.recent_days!r} instead."
            )
        object.__setattr__(self, "exclude_categories", tuple(map(str, self.exclude_categories)))
        object.__setattr__(self, "rebuy_products", tuple(map(str, self.rebuy_products)))


@dataclass(frozen=True)
class Interactions:
    """Customer × product implicit feedback built from sales lines.

    ``counts[u, i]`` is the number of distinct orders in which customer ``u`` bought product
    ``i``; ``age_days[u, i]`` (same sparsity) the days from that customer's last purchase of
    it to ``reference_date`` (the last date in the data) plus one, so it is never zero.
    """

    customers: pd.Index
    products: pd.Index
    counts: sp.csr_matrix
    age_days: sp.csr_matrix
    product_names: np.ndarray
    product_categories: np.ndarray | None
    product_last_sold: np.ndarray  # days before reference_date the product last sold
    reference_date: pd.Timestamp
    n_lines: int
    _memo: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def shape(self) -> tuple[int, int]:
        return self.counts.shape

    def binary_gram(self) -> np.ndarray:
        """Dense float32 product × product co-buyer counts (computed once, read-only view).

        Shared by the models fitted on the same interactions (item CF, EASE).
        """
        if "binary_gram" not in self._memo:
            X = self.counts.astype(np.float32)
            X.data[:] = 1.0
            gram = (X.T @ X).toarray()
            gram.setflags(write=False)
            self._memo["binary_gram"] = gram
        return self._memo["binary_gram"]

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state["_memo"] = {}  # caches are not shipped (pickling for st.cache_data)
        return state


def _require_columns(lines: pd.DataFrame) -> None:
    missing = S.missing_for("recommend", lines.columns)
    if missing:
        raise InsufficientDataError(
            "Recommendations need a customer id and a product id on every order line. "
            f"Missing column(s): {', '.join(sorted(missing))}. "
            "Map the customer and product columns on the Data page and try again."
        )


#: The line columns recommendations read (with the flags and the numbers ``sales_lines``
#: checks): pages and commands load only these.
LINE_COLUMNS = (S.CUSTOMER_ID, S.PRODUCT_ID, S.ORDER_ID, S.ORDER_DATE, S.PRODUCT_NAME, S.CATEGORY)


def build_interactions(lines: pd.DataFrame) -> Interactions:
    """Customer × product matrix from canonical order lines (standard cleaning applied).

    Lines without a customer id (guest orders) or product id are left out.
    """
    _require_columns(lines)
    sales = S.sales_lines(lines)
    sales = sales.loc[sales[S.CUSTOMER_ID].notna() & sales[S.PRODUCT_ID].notna()]
    if sales.empty:
        raise InsufficientDataError(
            _(
                "Recommendations need sales lines with a customer id. Found 0 after removing "
                "returns, non-product lines and guest orders (from {n} lines). Check that the "
                "customer id column is mapped.",
                n=f"{len(lines):,}",
            )
        )
    cust_codes, customers = pd.factorize(sales[S.CUSTOMER_ID].astype(str), sort=True)
    prod_codes, products = pd.factorize(sales[S.PRODUCT_ID].astype(str), sort=True)
    n_u, n_i = len(customers), len(products)
    has_date = S.ORDER_DATE in sales and sales[S.ORDER_DATE].notna().any()
    frame = pd.DataFrame({"u": cust_codes, "i": prod_codes})
    if S.ORDER_ID in sales:
        frame["o"] = pd.factorize(sales[S.ORDER_ID].astype(str))[0]
    else:
        frame["o"] = np.arange(len(sales))
    if has_date:
        dates = pd.to_datetime(sales[S.ORDER_DATE])
        reference = dates.max().normalize()
        frame["d"] = ((reference - dates.dt.normalize()).dt.days.fillna(0).to_numpy()).astype(
            np.int64
        )
    else:
        reference = pd.Timestamp("1970-01-01")
        frame["d"] = 0
    pairs = frame.drop_duplicates(["u", "i", "o"])
    agg = pairs.groupby(["u", "i"], sort=True).agg(n=("o", "size"), d=("d", "min"))
    u = agg.index.get_level_values(0).to_numpy()
    i = agg.index.get_level_values(1).to_numpy()
    counts = sp.csr_matrix((agg["n"].to_numpy(np.float64), (u, i)), shape=(n_u, n_i))
    age = sp.csr_matrix((agg["d"].to_numpy(np.float64) + 1.0, (u, i)), shape=(n_u, n_i))
    counts.sort_indices()
    age.sort_indices()
    names = np.asarray(products, dtype=object)
    if S.PRODUCT_NAME in sales:
        nm = sales[S.PRODUCT_NAME].astype(str).where(sales[S.PRODUCT_NAME].notna())
        mode = (
            pd.DataFrame({"i": prod_codes, "name": nm})
            .dropna()
            .groupby(["i", "name"], sort=True)
            .size()
            .reset_index()
            .sort_values(["i", 0, "name"], ascending=[True, False, True])
            .drop_duplicates("i")
        )
        names[mode["i"].to_numpy()] = mode["name"].to_numpy()
    cats = None
    if S.CATEGORY in sales:
        c = pd.DataFrame({"i": prod_codes, "c": sales[S.CATEGORY].astype(str)}).dropna()
        c = c.drop_duplicates("i", keep="last")
        cats = np.full(n_i, "", dtype=object)
        cats[c["i"].to_numpy()] = c["c"].to_numpy()
    last_sold = frame.groupby("i")["d"].min().reindex(range(n_i)).to_numpy(np.float64)
    return Interactions(
        customers=pd.Index(customers, dtype=object),
        products=pd.Index(products, dtype=object),
        counts=counts,
        age_days=age,
        product_names=names,
        product_categories=cats,
        product_last_sold=last_sold,
        reference_date=reference,
        n_lines=len(sales),
    )


def weight_matrix(
    inter: Interactions,
    weighting: str = "binary",
    *,
    half_life_days: float | None = None,
    bm25_k1: float = 1.2,
    bm25_b: float = 0.75,
) -> sp.csr_matrix:
    """Customer × product weights: ``binary``, ``count``, ``log`` (log 1+count), ``tfidf``
    (sqrt count × idf) or ``bm25`` (Okapi BM25 over customers' histories); optionally times
    a recency decay ``0.5 ** (age / half_life_days)``."""
    _check_choice("weighting", weighting, WEIGHTINGS)
    X = inter.counts.astype(np.float64, copy=True)
    n_u = X.shape[0]
    df = np.bincount(X.indices, minlength=X.shape[1]).astype(np.float64)
    idf = np.log(n_u) - np.log1p(df)
    idf = np.maximum(idf, 0.0) + 1e-3
    if weighting == "binary":
        X.data[:] = 1.0
    elif weighting == "log":
        X.data = np.log1p(X.data)
    elif weighting == "tfidf":
        X.data = np.sqrt(X.data) * idf[X.indices]
    elif weighting == "bm25":
        lengths = np.asarray(X.sum(axis=1)).ravel()
        norm = (1.0 - bm25_b) + bm25_b * lengths / max(lengths.mean(), 1e-12)
        rows = np.repeat(np.arange(n_u), np.diff(X.indptr))
        X.data = X.data * (bm25_k1 + 1.0) / (bm25_k1 * norm[rows] + X.data) * idf[X.indices]
    if half_life_days is not None:
        X.data = X.data * np.power(0.5, inter.age_days.data / float(half_life_days))
    return X


# --------------------------------------------------------------------------------------
# Parameter checks
# --------------------------------------------------------------------------------------


def _check_choice(name: str, value: Any, options: Iterable[str]) -> None:
    options = tuple(options)
    if value not in options:
        raise ParameterError(
            f"The '{name}' parameter must be one of {', '.join(map(repr, options))}. "
            f"Got {value!r} instead."
        )


def _check_number(
    name: str,
    value: Any,
    *,
    low: float,
    integer: bool = False,
    allow_none: bool = False,
    strict: bool = False,
) -> None:
    if value is None and allow_none:
        return
    kind = int if integer else (int, float)
    ok = isinstance(value, kind) and not isinstance(value, bool)
    if ok:
        ok = value > low if strict else value >= low
    if not ok:
        bracket = "(" if strict else "["
        what = "an int" if integer else "a number"
        none = "None or " if allow_none else ""
        raise ParameterError(
            f"The '{name}' parameter must be {none}{what} in the range {bracket}{low}, inf). "
            f"Got {value!r} instead."
        )


def _check_k(k: Any) -> int:
    _check_number("k", k, low=1, integer=True)
    return int(k)


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
        cand = np.argpartition(scores, n_items - m, axis=1)[:, n_items - m :]
    else:
        cand = np.broadcast_to(np.arange(n_items), scores.shape)
    vals = np.take_along_axis(scores, cand, axis=1).astype(np.float64)
    order = np.lexsort((cand, -tiebreak[cand], -vals), axis=1)[:, :k]
    return np.take_along_axis(cand, order, axis=1)


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
                "The 'rules' parameter must be a BusinessRules or None. "
                f"Got {type(self.rules).__name__} instead."
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
                _(
                    "Recommendations need at least 2 customers and 2 products with purchases. "
                    "Found {customers} customer(s) and {products} product(s). Widen the date "
                    "range or filters.",
                    customers=inter.shape[0],
                    products=inter.shape[1],
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
                f"This {type(self).__name__} is not fitted yet. Call fit(lines) before "
                "asking for recommendations."
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
                _(
                    "best seller: bought by {n} customers (no purchase history)",
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
        return _(
            "no closer match; best seller: bought by {n} customers",
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
                _(
                    "Product {product} has no sales with a customer id in the data the model "
                    "was trained on. Pick a product from the list (or widen the filters).",
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
    """
    W32 = W.astype(np.float32)
    Wc = W32.tocsc()
    n = W32.shape[1]
    Wt = Wc.T.tocsr()  # products × customers
    Wt.sort_indices()
    sq = np.empty(n, dtype=np.float32)  # the gram's diagonal, summed as the product sums it
    for a in range(0, n, block):
        sq[a : a + block] = (Wt[a : a + block] @ W32[:, a : a + block]).diagonal()
    norms = np.sqrt(np.maximum(sq, 0)).astype(np.float32)
    if shrinkage == 0:
        norms[norms == 0] = 1.0
    parts, cuts = [], np.zeros(n, dtype=np.float32)
    for a in range(0, n, block):
        g = (Wt[a : a + block] @ W32).tocsr()
        g.sort_indices()
        rows = np.repeat(np.arange(a, a + g.shape[0]), np.diff(g.indptr))
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
        if neighbours is not None and neighbours < n:
            nnz = np.diff(g.indptr)
            full = np.flatnonzero(nnz >= neighbours)
            if len(full):  # the neighbours-th largest of each row with that many entries
                r = np.repeat(np.arange(g.shape[0]), nnz)
                order = np.lexsort((-g.data, r))
                cuts[a + full] = g.data[order][g.indptr[full] + neighbours - 1]
        parts.append(g)
    sim = sp.vstack(parts, format="csr") if parts else sp.csr_matrix((n, n), dtype=np.float32)
    if neighbours is not None and neighbours < n:
        sim.data[sim.data < cuts[sim.indices]] = 0.0
        sim.eliminate_zeros()
    sim.sort_indices()
    return sim


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
        # looked up once, filled per row (no fields given: _() returns the template)
        text = (
            _("best seller: bought by {n} customers")
            if self.window_days is None
            else _("best seller: bought by {n} customers in the last {days} days")
        )
        for idx in np.ndindex(top.shape):
            out[idx] = text.format(n=f"{int(pop[top[idx]]):,}", days=self.window_days)
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
        return (self.history_[rows] @ self.similarity_).toarray()

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
            raise InsufficientDataError(f"EASE could not factorise the item matrix (info={info}).")
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
                "{limit}). Use item-based CF or ALS, or filter to fewer categories.",
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
                "User-based CF compares every customer with every other; the data has {n} "
                "customers (limit {limit}: about 9 s per 1,000 customers scored at "
                "100,000). Use item-based CF or ALS, or filter to fewer customers.",
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

    def _fit(self, inter: Interactions) -> None:
        _check_number("factors", self.factors, low=1, integer=True)
        _check_number("regularization", self.regularization, low=0)
        _check_number("alpha", self.alpha, low=0, strict=True)
        _check_number("iterations", self.iterations, low=1, integer=True)
        _check_number("cg_steps", self.cg_steps, low=1, integer=True)
        _check_choice("weighting", self.weighting, WEIGHTINGS)
        W = weight_matrix(inter, self.weighting)
        C = W.astype(np.float32)
        C.data = (np.float32(self.alpha) * C.data).astype(np.float32)  # c - 1
        Ct = C.T.tocsr()
        rng = np.random.default_rng(self.random_state)
        f = self.factors
        n_u, n_i = inter.shape
        U = (rng.standard_normal((n_u, f)) * 0.01).astype(np.float32)
        V = (rng.standard_normal((n_i, f)) * 0.01).astype(np.float32)
        for _step in range(self.iterations):
            U = _cg_side(C, V, U, self.regularization, self.cg_steps)
            V = _cg_side(Ct, U, V, self.regularization, self.cg_steps)
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


def _cg_side(C: sp.csr_matrix, Y: np.ndarray, X0: np.ndarray, reg: float, steps: int) -> np.ndarray:
    """A few conjugate-gradient steps for all rows of X at once.

    Row u solves (YᵀY + Yᵀ diag(c_u − 1) Y + reg·I) x_u = Σ_i c_ui y_i over its purchases.
    ``C`` holds c − 1 on purchases.
    """
    YtY = Y.T @ Y + np.float32(reg) * np.eye(Y.shape[1], dtype=np.float32)
    rows = np.repeat(np.arange(C.shape[0]), np.diff(C.indptr))
    cols = C.indices
    Yc = Y[cols]  # nnz × f, fixed during this half-step
    cm1 = C.data

    def apply(P: np.ndarray) -> np.ndarray:
        t = np.einsum("nf,nf->n", P[rows], Yc) * cm1
        return P @ YtY + sp.csr_matrix((t, cols, C.indptr), shape=C.shape) @ Y

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
    _check_choice("model", name, MODEL_NAMES)
    if name == "als" and os.environ.get("ECOMDASH_ENGINE", "").strip().lower() == "spark":
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


# --------------------------------------------------------------------------------------
# Offline evaluation
# --------------------------------------------------------------------------------------

#: Returning customers the page's offline test scores at most (a seeded sample above it:
#: user-based CF scores each one against every customer who shares a product).
MAX_TEST_CUSTOMERS = 20_000

METRIC_COLUMNS = ("precision_at_k", "recall_at_k", "hit_rate_at_k", "ndcg_at_k", "coverage")


@dataclass(frozen=True)
class ChronologicalSplit:
    """Train lines before ``cutoff``; truth = products each known customer bought in
    [cutoff, end) that they had not bought before the cut-off."""

    train: pd.DataFrame
    truth: dict[str, set[str]]
    cutoff: pd.Timestamp
    end: pd.Timestamp


def chronological_split(
    lines: pd.DataFrame,
    *,
    cutoff: Any = None,
    end: Any = None,
    test_days: int = 30,
    rebuy_products: Iterable[str] = (),
) -> ChronologicalSplit:
    """Split lines at ``cutoff`` (default: ``test_days`` days before the last date).

    ``end`` (exclusive) defaults to just after the last date. Purchases of
    ``rebuy_products`` (consumables) count in the truth even when bought before.
    """
    _require_columns(lines)
    if S.ORDER_DATE not in lines:
        raise InsufficientDataError(
            "The offline evaluation needs order dates to split past from future purchases. "
            "Found no order_date column. Map the order date column on the Data page."
        )
    sales = S.sales_lines(lines)
    sales = sales.loc[
        sales[S.CUSTOMER_ID].notna() & sales[S.PRODUCT_ID].notna() & sales[S.ORDER_DATE].notna()
    ]
    if sales.empty:
        raise InsufficientDataError(
            "The offline evaluation needs dated sales lines with a customer id; found none. "
            "Check the customer id and order date mapping."
        )
    dates = pd.to_datetime(sales[S.ORDER_DATE])
    last = dates.max()
    cut = (
        (last.normalize() - pd.Timedelta(days=test_days - 1))
        if cutoff is None
        else pd.Timestamp(cutoff)
    )
    stop = last + pd.Timedelta(microseconds=1) if end is None else pd.Timestamp(end)
    train = sales.loc[dates < cut]
    test = sales.loc[(dates >= cut) & (dates < stop)]
    if train.empty or test.empty:
        raise InsufficientDataError(
            _(
                "The cut-off {date} leaves {train} training and {test} test lines (data runs "
                "{first} to {last}). Pick a cut-off inside that range with purchases on both "
                "sides.",
                date=cut.date(),
                train=f"{len(train):,}",
                test=f"{len(test):,}",
                first=dates.min().date(),
                last=last.date(),
            )
        )
    truth = _new_purchases(train, test, rebuy_products=tuple(map(str, rebuy_products)))
    return ChronologicalSplit(train=train, truth=truth, cutoff=cut, end=stop)


def _new_purchases(
    train: pd.DataFrame, test: pd.DataFrame, *, rebuy_products: tuple[str, ...] = ()
) -> dict[str, set[str]]:
    """Per customer seen in ``train``: products bought in ``test`` and never in ``train``
    (or, for ``rebuy_products``, bought again)."""
    cols = [S.CUSTOMER_ID, S.PRODUCT_ID]
    before = train[cols].astype(str).drop_duplicates()
    after = test[cols].astype(str).drop_duplicates()
    after = after.loc[after[S.CUSTOMER_ID].isin(before[S.CUSTOMER_ID].unique())]
    merged = after.merge(before, on=cols, how="left", indicator=True)
    fresh = merged["_merge"] == "left_only"
    if rebuy_products:
        fresh |= merged[S.PRODUCT_ID].isin(rebuy_products)
    new = merged.loc[fresh, cols]
    return {str(c): set(g.tolist()) for c, g in new.groupby(S.CUSTOMER_ID, sort=True)[S.PRODUCT_ID]}


@dataclass(frozen=True)
class EvaluationResult:
    """Offline comparison of models on a chronological split.

    ``table``: one row per model — model, label, precision_at_k, recall_at_k,
    hit_rate_at_k, ndcg_at_k, coverage, fit_seconds, score_seconds and
    ``hit_rate_vs_popularity`` / ``precision_vs_popularity`` (ratios).
    """

    table: pd.DataFrame
    k: int
    cutoff: pd.Timestamp
    end: pd.Timestamp
    n_test_customers: int
    n_train_customers: int
    n_products: int
    best_model: str
    verdict: str
    warnings: tuple[str, ...] = field(default_factory=tuple)


def evaluate(
    lines: pd.DataFrame,
    *,
    cutoff: Any = None,
    end: Any = None,
    k: int = 10,
    models: Mapping[str, Recommender] | None = None,
    rules: BusinessRules | None = None,
    min_test_customers: int = 5,
    max_test_customers: int | None = None,
) -> EvaluationResult:
    """Train every model before ``cutoff``; score top-``k`` lists on the following purchases.

    Each test customer's truth is the set of products they bought in [cutoff, end) and had
    not bought before; the popularity baseline is always included (as ``popularity``).
    """
    k = _check_k(k)
    rebuy = rules.rebuy_products if rules is not None else ()
    split = chronological_split(lines, cutoff=cutoff, end=end, rebuy_products=rebuy)
    return evaluate_split(
        build_interactions(split.train),
        split.truth,
        cutoff=split.cutoff,
        end=split.end,
        k=k,
        models=models,
        rules=rules,
        min_test_customers=min_test_customers,
        max_test_customers=max_test_customers,
    )


def evaluate_split(
    inter: Interactions,
    truth: Mapping[str, set[str]],
    *,
    cutoff: pd.Timestamp,
    end: pd.Timestamp,
    k: int = 10,
    models: Mapping[str, Recommender] | None = None,
    rules: BusinessRules | None = None,
    min_test_customers: int = 5,
    max_test_customers: int | None = MAX_TEST_CUSTOMERS,
) -> EvaluationResult:
    """:func:`evaluate` from a prepared split: the training interactions (e.g.
    ``Store.recommend_split``, computed in SQL) and each customer's new purchases.

    Models that refuse the data (EASE above its product limit) are left out with a warning.
    Above ``max_test_customers`` returning customers, the metrics are measured on a seeded
    random sample of that many, and a warning gives the sample and its margin of error.
    """
    k = _check_k(k)
    rebuy = rules.rebuy_products if rules is not None else ()
    known = set(inter.customers)
    truth = {c: items for c, items in truth.items() if c in known}
    if len(truth) < min_test_customers:
        raise InsufficientDataError(
            _(
                "The offline test needs customers who bought before {date} and came back for "
                "something new; found {n} (need {need}). Move the cut-off earlier or use a "
                "longer date range.",
                date=cutoff.date(),
                n=len(truth),
                need=min_test_customers,
            )
        )
    if models is None:
        models = {name: make_model(name, rules=rules) for name in MODEL_NAMES}
    models = dict(models)
    if "popularity" not in models:
        models["popularity"] = PopularityRecommender(rules=rules)
    warnings = []
    for name, model in list(models.items()):
        if name != "popularity" and (why := model.refusal(inter)) is not None:
            del models[name]
            warnings.append(
                _(
                    "{model} was left out of the test. {why}",
                    model=_(MODEL_LABELS.get(name, name)),
                    why=why,
                )
            )
    n_returning = len(truth)
    if max_test_customers is not None and n_returning > max_test_customers:
        rng = np.random.default_rng(0)
        ids = np.array(sorted(truth), dtype=object)
        pick = np.sort(rng.choice(len(ids), size=max_test_customers, replace=False))
        truth = {c: truth[c] for c in ids[pick]}
    table = evaluate_models(inter, truth, models, k=k)
    best = str(table.iloc[0]["model"])
    if len(truth) < n_returning:
        h = float(table.iloc[0]["hit_rate_at_k"])
        moe = 1.96 * np.sqrt(max(h * (1 - h), 1e-12) / len(truth))
        warnings.append(
            _(
                "Measured on a random sample of {n} of the {total} returning customers (to keep "
                "the test fast): hit rates are within about ±{moe} of what all of them would "
                "give, so models closer than that are a tie.",
                n=f"{len(truth):,}",
                total=f"{n_returning:,}",
                moe=f"{moe:.1%}",
            )
        )
    if rebuy:
        warnings.append(
            _(
                "Re-purchases of the {n} product(s) marked as consumables count as hits too, so "
                "these figures are not comparable with a run without them.",
                n=f"{len(rebuy):,}",
            )
        )
    if len(truth) < 100:
        warnings.append(
            _(
                "Only {n} customers to test on: differences of a few points between models are "
                "noise.",
                n=len(truth),
            )
        )
    return EvaluationResult(
        table=table,
        k=k,
        cutoff=cutoff,
        end=end,
        n_test_customers=len(truth),
        n_train_customers=inter.shape[0],
        n_products=inter.shape[1],
        best_model=best,
        verdict=_verdict(table, k, len(truth)),
        warnings=tuple(warnings),
    )


def evaluate_models(
    inter: Interactions,
    truth: Mapping[str, set[str]],
    models: Mapping[str, Recommender],
    *,
    k: int = 10,
) -> pd.DataFrame:
    """Fit each model on ``inter`` and score its top-``k`` lists against ``truth``.

    Returns the comparison table (see :class:`EvaluationResult`); ``models`` must include
    ``popularity``. Customers of ``truth`` unknown to ``inter`` are ignored.
    """
    k = _check_k(k)
    if "popularity" not in models:
        raise ParameterError("evaluate_models needs a 'popularity' model as the baseline.")
    known = set(inter.customers)
    truth = {c: set(v) for c, v in truth.items() if c in known and v}
    test_ids = sorted(truth)
    rows = inter.customers.get_indexer(test_ids)
    products = np.asarray(inter.products, dtype=object)
    records = []
    for name, model in models.items():
        c0, t0 = time.process_time(), time.perf_counter()
        model.fit_interactions(inter)
        c1, t1 = time.process_time(), time.perf_counter()
        top = model.top_items(rows, k)
        c2, t2 = time.process_time(), time.perf_counter()
        preds = {
            c: [products[i] for i in row if i >= 0] for c, row in zip(test_ids, top, strict=True)
        }
        records.append(
            {
                "model": name,
                "label": MODEL_LABELS.get(name, name),
                "precision_at_k": M.precision_at_k(truth, preds, k),
                "recall_at_k": M.recall_at_k(truth, preds, k),
                "hit_rate_at_k": M.hit_rate_at_k(truth, preds, k),
                "ndcg_at_k": M.ndcg_at_k(truth, preds, k),
                "coverage": M.catalogue_coverage(truth, preds, k, n_items=len(products)),
                "fit_seconds": t1 - t0,
                "score_seconds": t2 - t1,
                "fit_cpu_seconds": c1 - c0,
                "score_cpu_seconds": c2 - c1,
            }
        )
    table = pd.DataFrame.from_records(records)
    table["model"] = table["model"].astype("str")
    table["label"] = table["label"].astype("str")
    pop = table.loc[table["model"] == "popularity"].iloc[0]
    table["hit_rate_vs_popularity"] = _ratio(table["hit_rate_at_k"], pop["hit_rate_at_k"])
    table["precision_vs_popularity"] = _ratio(table["precision_at_k"], pop["precision_at_k"])
    return table.sort_values(
        ["hit_rate_at_k", "precision_at_k", "model"], ascending=[False, False, True]
    ).reset_index(drop=True)


def _ratio(values: pd.Series, base: float) -> pd.Series:
    if base > 0:
        return values / base
    return pd.Series(np.where(values > 0, np.inf, 1.0), index=values.index)


def _verdict(table: pd.DataFrame, k: int, n: int) -> str:
    best = table.iloc[0]
    pop = table.loc[table["model"] == "popularity"].iloc[0]
    label = _(MODEL_LABELS.get(best["model"], best["model"]))
    if best["model"] in BASELINES or best["hit_rate_at_k"] <= pop["hit_rate_at_k"] * 1.1:
        return _(
            "On your data the personalised models do no better than showing best sellers "
            "(best sellers: {pop} of {n} returning customers bought one of their top {k}). "
            "Show best sellers, or collect more history first.",
            pop=f"{pop['hit_rate_at_k']:.0%}",
            n=f"{n:,}",
            k=k,
        )
    ratio = best["hit_rate_at_k"] / pop["hit_rate_at_k"] if pop["hit_rate_at_k"] > 0 else np.inf
    fields = {
        "model": label,
        "hit": f"{best['hit_rate_at_k']:.0%}",
        "n": f"{n:,}",
        "k": k,
        "pop": f"{pop['hit_rate_at_k']:.0%}",
    }
    if not np.isfinite(ratio):
        return _(
            "Best: {model}. For {hit} of {n} returning customers, at least one of its top {k} "
            "products was something they went on to buy for the first time, against {pop} "
            "with best sellers: far better than showing best sellers.",
            **fields,
        )
    return _(
        "Best: {model}. For {hit} of {n} returning customers, at least one of its top {k} "
        "products was something they went on to buy for the first time, against {pop} with "
        "best sellers: {times} better than showing best sellers.",
        times=f"{ratio:.1f}×",
        **fields,
    )


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
