"""Recommendations: the model names and result columns, the merchant's business rules, the
customer × product interaction matrix and its weightings, the parameter checks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ecomdash import labels as L
from ecomdash import schema as S
from ecomdash.errors import InsufficientDataError, ParameterError
from ecomdash.i18n import N_, _
from ecomdash.i18n.note import note, note_n

WEIGHTINGS = ("binary", "count", "log", "tfidf", "bm25")

#: Model names accepted by :func:`make_model` (CLI ``--model``, page picker), best first.
MODEL_NAMES = ("ease", "item_knn", "als", "user_knn", "trending", "popularity")

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
#: how a recommendation's source reads on the page, in its CSV and in ``ecomdash recommend``
#: ("model" alone says little)
SOURCES_SHOWN = {SOURCE_MODEL: N_("learnt from purchases")}


def shown_sources(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with its ``source`` ids in the current language (a copy)."""
    if "source" not in table.columns:
        return table
    return table.assign(
        source=table["source"].astype(str).map(lambda s: _(SOURCES_SHOWN.get(s, s)))
    )


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
                note(
                    N_(
                        "The 'recent_days' business rule must be None or an int in the range "
                        "[1, inf). Got {value} instead."
                    ),
                    value=repr(self.recent_days),
                )
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
            note_n(
                "Recommendations need a customer id and a product id on every order line. "
                "Missing column: {columns}. Map the customer and product columns on the Data "
                "page and try again.",
                "Recommendations need a customer id and a product id on every order line. "
                "Missing columns: {columns}. Map the customer and product columns on the Data "
                "page and try again.",
                len(missing),
                columns=tuple(sorted(missing)),
            )
        )


#: The line columns recommendations read (with the flags and the numbers ``sales_lines``
#: checks): pages and commands load only these.
LINE_COLUMNS = (S.CUSTOMER_ID, S.PRODUCT_ID, S.ORDER_ID, S.ORDER_DATE, S.PRODUCT_NAME, S.CATEGORY)


def build_interactions(lines: pd.DataFrame) -> Interactions:
    """Customer × product matrix from canonical order lines (standard cleaning applied).

    Lines without a customer id (guest orders) or product id are left out.
    """
    _require_columns(lines)
    sales = S.customer_sales(lines)  # a customer's purchases: the cancelled ones left out
    sales = sales.loc[sales[S.CUSTOMER_ID].notna() & sales[S.PRODUCT_ID].notna()]
    if sales.empty:
        raise InsufficientDataError(
            note(
                N_(
                    "Recommendations need sales lines with a customer id. Found 0 after removing "
                    "returns, non-product lines and guest orders (from {n} lines). Check that the "
                    "customer id column is mapped."
                ),
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
            note(
                N_("The '{name}' parameter must be one of {options}. Got {value} instead."),
                name=name,
                options=", ".join(map(repr, options)),
                value=repr(value),
            )
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
        msgids = {
            (True, False): N_(
                "The '{name}' parameter must be an int in the range {range}. Got {value} instead."
            ),
            (False, False): N_(
                "The '{name}' parameter must be a number in the range {range}. Got {value} instead."
            ),
            (True, True): N_(
                "The '{name}' parameter must be None or an int in the range {range}. "
                "Got {value} instead."
            ),
            (False, True): N_(
                "The '{name}' parameter must be None or a number in the range {range}. "
                "Got {value} instead."
            ),
        }
        raise ParameterError(
            note(
                msgids[(bool(integer), bool(allow_none))],
                name=name,
                range=f"{'(' if strict else '['}{low}, inf)",
                value=repr(value),
            )
        )


def _check_k(k: Any) -> int:
    _check_number("k", k, low=1, integer=True)
    return int(k)
