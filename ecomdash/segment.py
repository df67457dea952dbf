"""Customer segmentation: RFM segments with meaning, k-means clusters that explain themselves.

- :func:`rfm` — recency / frequency / monetary as of a date, 1–5 quintile scores and the named
  segments merchants know (:data:`SEGMENTS`), each with a definition and a suggested action.
- :func:`cluster` — k-means on log1p-scaled, standardised behaviour features
  (:data:`ecomdash.features.FEATURES`), k by silhouette over a range, a profile and a short
  name per cluster, and a 2-D PCA picture.
- :func:`explain` — a shallow decision tree reproducing the cluster labels, as readable rules
  with its fidelity.
- :func:`movement` — segments at two cut-off dates and who moved where.
- :func:`segment_customers` — all of the above in one :class:`SegmentationResult` (the page,
  the CLI and the benchmark use it).

Customers are the lines with a customer id; guest orders are left out and counted.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ecomdash.errors import InsufficientDataError, ParameterError
from ecomdash.features import (
    FEATURES,
    LABELS,
    CustomerFeatures,
    CustomerHistory,
    customer_history,
    to_timestamp,
)
from ecomdash.i18n import N_, _


def _single_threaded(func):
    """Run ``func`` with BLAS/OpenMP limited to one thread.

    These problems are small (thousands of rows); on a busy 2-core machine OpenMP threads
    in k-means spin against each other and a 0.1 s fit took 10+ s.
    """

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1):
            return func(*args, **kwargs)

    return wrapper


@dataclass(frozen=True)
class SegmentDef:
    """A named RFM segment: what it means and what to do about it."""

    name: str
    definition: str
    action: str


#: The named segments, best first (display order).
SEGMENTS: tuple[SegmentDef, ...] = (
    SegmentDef(
        N_("Champions"),
        N_("Bought very recently, order often and spend the most."),
        N_("Reward them: early access and loyalty perks; ask for reviews and referrals."),
    ),
    SegmentDef(
        N_("Loyal"),
        N_("Order regularly and spend well; bought in the last few months."),
        N_("Upsell higher-value products; invite them to a loyalty programme."),
    ),
    SegmentDef(
        N_("Potential loyalist"),
        N_("Recent customers with average frequency and spend."),
        N_("Offer a membership or bundle to turn the next orders into a habit."),
    ),
    SegmentDef(
        N_("New"),
        N_("Bought very recently for the first time (or rarely), spent little so far."),
        N_("Welcome series and onboarding; give them a reason to come back."),
    ),
    SegmentDef(
        N_("Promising"),
        N_("Fairly recent buyers who have not bought much yet."),
        N_("Build the habit: free-shipping threshold or a small repeat-order offer."),
    ),
    SegmentDef(
        N_("Needs attention"),
        N_("Middle of the road on recency, frequency and spend."),
        N_("Time-limited offers based on past purchases before they slip."),
    ),
    SegmentDef(
        N_("About to sleep"),
        N_("Below-average recency, few orders and low spend."),
        N_("Share bestsellers and a discount; reconnect before they are lost."),
    ),
    SegmentDef(
        N_("At risk"),
        N_("Used to order often and spend well, but not for a long time."),
        N_("Personal win-back emails, renewal offers and helpful reminders."),
    ),
    SegmentDef(
        N_("Can't lose them"),
        N_("Were among the best customers; have not bought for a long time."),
        N_("Win them back with your best offer or a personal call; ask what went wrong."),
    ),
    SegmentDef(
        N_("Hibernating"),
        N_("Last bought long ago, few orders and low spend."),
        N_("Offer relevant products and special discounts; keep the cost low."),
    ),
    SegmentDef(
        N_("Lost"),
        N_("The longest since the last order, with the fewest orders and lowest spend."),
        N_("Try one revival campaign; otherwise stop spending on them."),
    ),
)
SEGMENT_NAMES: tuple[str, ...] = tuple(s.name for s in SEGMENTS)

# R score (rows 5..1) x FM score (columns 1..5), FM = round-half-up((F + M) / 2).
RFM_GRID: tuple[tuple[str, ...], ...] = (
    ("New", "Potential loyalist", "Potential loyalist", "Champions", "Champions"),  # R = 5
    ("Promising", "Potential loyalist", "Potential loyalist", "Loyal", "Loyal"),  # R = 4
    ("About to sleep", "About to sleep", "Needs attention", "Loyal", "Loyal"),  # R = 3
    ("Hibernating", "Hibernating", "At risk", "At risk", "Can't lose them"),  # R = 2
    ("Lost", "Lost", "At risk", "At risk", "Can't lose them"),  # R = 1
)
NOT_YET = N_("Not yet a customer")
MIN_CUSTOMERS_RFM = 5
MIN_CUSTOMERS_CLUSTER = 20
#: Above this many customers k-means is fitted on a sample of this size (see cluster_features).
FIT_SAMPLE = 50_000
#: Above this many customers the explaining tree is fitted on a seeded sample of this size
#: (its fidelity and rule counts are still over every customer; see explain).
EXPLAIN_SAMPLE = 200_000


def segment_for(r: int, fm: int) -> str:
    """The segment of an R score and a combined FM score (both 1..5).

    >>> segment_for(5, 5), segment_for(1, 1), segment_for(2, 5)
    ('Champions', 'Lost', "Can't lose them")
    """
    if not (1 <= r <= 5 and 1 <= fm <= 5):
        raise ParameterError(f"RFM scores must be in 1..5. Got R={r}, FM={fm} instead.")
    return RFM_GRID[5 - r][fm - 1]


# --------------------------------------------------------------------------------------- RFM


@dataclass(frozen=True)
class RFMResult:
    """RFM per customer and per segment, as of ``as_of``.

    ``customers``: index ``customer_id``; columns ``recency_days, frequency, monetary,
    r_score, f_score, m_score, fm_score, rfm, segment``.
    ``segments``: one row per segment in :data:`SEGMENTS` order (empty ones included) with
    ``segment, definition, action, customers, customer_share, revenue, revenue_share,
    median_recency_days, median_frequency, median_monetary``.
    """

    customers: pd.DataFrame
    segments: pd.DataFrame
    as_of: pd.Timestamp
    n_customers: int
    n_guest_orders: int
    warnings: tuple[str, ...] = field(default=())


def _quintile_scores(order_keys: list[np.ndarray]) -> np.ndarray:
    """1..5 by equal-sized rank groups; ``order_keys`` least significant first (np.lexsort).

    Ties in the main key are broken by the next keys, so every customer gets a score and
    the groups are true quintiles whatever the ties (pd.qcut of rank(method="first")).
    """
    n = len(order_keys[0])
    order = np.lexsort(order_keys)
    ranks = np.empty(n, dtype=np.int64)
    ranks[order] = np.arange(n)
    return (ranks * 5 // n + 1).astype(np.int64)


def rfm_from_features(features: CustomerFeatures) -> RFMResult:
    """RFM scores and named segments from already computed :class:`CustomerFeatures`."""
    t = features.table
    n = len(t)
    if n < MIN_CUSTOMERS_RFM:
        raise InsufficientDataError(
            _(
                "RFM segments need at least {need} customers with an id. Found {n} on or before "
                "{date} (and {guests} guest orders). Pick a later as-of date or upload more "
                "orders with customer ids.",
                need=MIN_CUSTOMERS_RFM,
                n=n,
                date=features.as_of.date(),
                guests=f"{features.n_guest_orders:,}",
            )
        )
    idx = np.arange(n)  # index is sorted by customer id: a deterministic last tie-break
    last = t["last_order"].to_numpy().astype("datetime64[us]").astype(np.int64)
    freq = t["frequency"].to_numpy()
    mon = t["monetary"].to_numpy()
    # rank on cents: sums of the same cents differ in the last bits between DuckDB and pandas,
    # which would break exact ties (many one-order customers spend the same) differently
    mon_key = np.round(mon, 2)
    # Recency: fewer days is better; ties by exact last-order time, then F, then M.
    r = _quintile_scores([-idx, mon_key, freq, last, -t["recency_days"].to_numpy()])
    f = _quintile_scores([-idx, mon_key, freq])
    m = _quintile_scores([-idx, freq, mon_key])
    fm = np.floor((f + m) / 2 + 0.5).astype(np.int64)
    grid = np.array(RFM_GRID, dtype=object)
    seg = grid[5 - r, fm - 1]
    customers = pd.DataFrame(
        {
            "recency_days": t["recency_days"].to_numpy(),
            "frequency": freq,
            "monetary": mon,
            "r_score": r,
            "f_score": f,
            "m_score": m,
            "fm_score": fm,
            "rfm": (r * 100 + f * 10 + m).astype(str).tolist(),  # "543": the three scores
            "segment": pd.Categorical(seg, categories=SEGMENT_NAMES),
        },
        index=t.index,
    )
    return RFMResult(
        customers=customers,
        segments=_segment_table(customers),
        as_of=features.as_of,
        n_customers=n,
        n_guest_orders=features.n_guest_orders,
        warnings=features.warnings,
    )


def _segment_table(customers: pd.DataFrame) -> pd.DataFrame:
    total = float(customers["monetary"].sum())
    g = customers.groupby("segment", observed=False)
    out = pd.DataFrame(
        {
            "segment": list(SEGMENT_NAMES),
            "definition": [s.definition for s in SEGMENTS],
            "action": [s.action for s in SEGMENTS],
        }
    )
    sizes = g.size().reindex(SEGMENT_NAMES, fill_value=0).to_numpy()
    revenue = g["monetary"].sum().reindex(SEGMENT_NAMES, fill_value=0.0).to_numpy()
    out["customers"] = sizes.astype(np.int64)
    out["customer_share"] = sizes / max(len(customers), 1)
    out["revenue"] = revenue
    out["revenue_share"] = revenue / total if total else 0.0
    med = g[["recency_days", "frequency", "monetary"]].median().reindex(SEGMENT_NAMES)
    out["median_recency_days"] = med["recency_days"].to_numpy()
    out["median_frequency"] = med["frequency"].to_numpy()
    out["median_monetary"] = med["monetary"].to_numpy()
    return out


def rfm(lines: pd.DataFrame, *, as_of: object = None) -> RFMResult:
    """RFM segments of the customers in ``lines`` as of ``as_of`` (default: the last date).

    ``lines`` is the canonical table; standard cleaning is applied inside.
    """
    return rfm_from_features(customer_history(lines).features(as_of=as_of))


# -------------------------------------------------------------------------------- clustering


@dataclass(frozen=True)
class ClusterResult:
    """k-means clusters of customers.

    ``labels``: Series (index ``customer_id``) of cluster numbers 0..k-1, numbered by revenue
    (0 = the cluster bringing the most revenue). ``names``: short name per cluster.
    ``curve``: ``k, silhouette, inertia`` over the swept range. ``profile``: one row per
    cluster plus an ``All customers`` row: ``cluster, name, customers, customer_share,
    revenue_share`` and the median of each feature. ``pca``: ``pc1, pc2, cluster`` per
    customer; ``explained_variance`` of the two components. ``features_used``: the
    columns clustered (constant ones are dropped).
    """

    labels: pd.Series
    names: tuple[str, ...]
    k: int
    k_chosen_by: str  # "silhouette" or "override"
    silhouette: float
    curve: pd.DataFrame
    profile: pd.DataFrame
    pca: pd.DataFrame
    explained_variance: tuple[float, float]
    features_used: tuple[str, ...]
    seed: int
    silhouette_sample: int
    warnings: tuple[str, ...] = field(default=())


def feature_matrix(table: pd.DataFrame) -> pd.DataFrame:
    """The interpretable (unscaled) features clustered and explained.

    A single-order customer's inter-purchase time is unknown; it is set to their tenure
    (they have gone at least that long without a second order).
    """
    x = table.loc[:, list(FEATURES)].astype("float64").copy()
    x["interpurchase_days"] = x["interpurchase_days"].fillna(x["tenure_days"])
    return x


def _scale(x: pd.DataFrame) -> tuple[np.ndarray, tuple[str, ...]]:
    z = np.log1p(np.clip(x.to_numpy(dtype="float64"), 0.0, None))
    sd = z.std(axis=0)
    keep = sd > 1e-12
    z = (z[:, keep] - z[:, keep].mean(axis=0)) / sd[keep]
    # Clip at ±3 sd so a handful of extreme customers cannot claim clusters of their own.
    return np.clip(z, -3.0, 3.0), tuple(c for c, k in zip(x.columns, keep, strict=True) if k)


def _silhouette_precomputed(d: np.ndarray, labels: np.ndarray) -> float:
    """Mean silhouette from a square distance matrix (sklearn's definition, one matmul).

    Same value as ``sklearn.metrics.silhouette_score(d, labels, metric="precomputed")``
    (singletons score 0), about 5x faster because the per-cluster distance sums are one
    matrix product instead of chunked reductions.
    """
    n = len(labels)
    codes, labels = np.unique(labels, return_inverse=True)
    k = len(codes)
    if k < 2 or k >= n:
        return float("nan")
    onehot = np.zeros((n, k))
    onehot[np.arange(n), labels] = 1.0
    sums = d @ onehot
    counts = onehot.sum(axis=0)
    own = counts[labels]
    rows = np.arange(n)
    a = sums[rows, labels] / np.maximum(own - 1, 1)
    others = sums / counts
    others[rows, labels] = np.inf
    b = others.min(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.where(own > 1, (b - a) / np.maximum(a, b), 0.0)
    return float(np.nan_to_num(s).mean())


def _kmeans(z: np.ndarray, k: int, *, seed: int, n_init: int):
    from ecomdash.engine import settings

    if settings().is_spark:  # the engine's choice: Spark MLlib KMeans on the cluster
        from ecomdash.spark.segment import mllib_kmeans

        return mllib_kmeans(z, k, seed=seed, n_init=n_init)
    from sklearn.cluster import KMeans

    return KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit(z)


class _Fitted:
    """k-means fitted on some rows, with every row's label and the inertia over all rows."""

    def __init__(self, km, z: np.ndarray):
        self.labels_ = km.predict(z)
        self.inertia_ = float(((z - km.cluster_centers_[self.labels_]) ** 2).sum())


def _kmeans_fit(z: np.ndarray, k: int, *, seed: int, n_init: int, rows: np.ndarray | None):
    if rows is None:
        return _kmeans(z, k, seed=seed, n_init=n_init)
    return _Fitted(_kmeans(z[rows], k, seed=seed, n_init=n_init), z)


@_single_threaded
def cluster_features(
    features: CustomerFeatures,
    *,
    k: int | None = None,
    k_range: tuple[int, int] = (2, 10),
    seed: int = 0,
    n_init: int = 3,
    silhouette_sample: int = 1500,
    fit_sample: int = FIT_SAMPLE,
) -> ClusterResult:
    """k-means on log1p-scaled, standardised features; k by silhouette unless ``k`` is given.

    The silhouette is computed on a fixed random sample of ``silhouette_sample`` customers
    (the same sample, and one distance matrix, for every k): the curve's shape is what
    matters and the full O(n²) score would dominate the run time.

    With more than ``fit_sample`` customers, k-means is fitted on a fixed random sample of
    that many and every customer is assigned to the nearest centre (a warning says so): the
    sweep over k costs the same for a million customers as for fifty thousand. On a generated
    98,400-customer shop this moved k-means inertia by under 2 % — no more than k-means' own
    restarts differ (bench/bench_pages_scale.py).
    """
    lo, hi = k_range
    if not (isinstance(lo, int) and isinstance(hi, int) and 2 <= lo <= hi):
        raise ParameterError(
            f"The 'k_range' parameter must be two integers 2 <= low <= high. Got {k_range!r} instead."
        )
    if k is not None and (not isinstance(k, int | np.integer) or k < 2):
        raise ParameterError(f"The 'k' parameter must be an int >= 2. Got {k!r} instead.")
    if n_init < 1 or silhouette_sample < 10:
        raise ParameterError(
            "The 'n_init' parameter must be >= 1 and 'silhouette_sample' >= 10. "
            f"Got n_init={n_init}, silhouette_sample={silhouette_sample} instead."
        )
    x = feature_matrix(features.table)
    n = len(x)
    if n < MIN_CUSTOMERS_CLUSTER:
        raise InsufficientDataError(
            _(
                "Clustering needs at least {need} customers with an id. Found {n} on or before "
                "{date}. The RFM segments above still apply; upload more orders with customer "
                "ids for clusters.",
                need=MIN_CUSTOMERS_CLUSTER,
                n=n,
                date=features.as_of.date(),
            )
        )
    if k is not None and k > n // 5:
        raise ParameterError(
            _(
                "The 'k' parameter must be at most {most} for {n} customers (5 per cluster). "
                "Got {k} instead.",
                most=n // 5,
                n=n,
                k=k,
            )
        )
    z, used = _scale(x)
    warnings: list[str] = []
    if len(used) < 2:
        raise InsufficientDataError(
            _(
                "Clustering needs customers who differ in at least 2 behaviours. Found variation "
                "only in {used} among {n} customers. Use the RFM segments.",
                used=", ".join(_(LABELS[u]) for u in used) or _("none"),
                n=n,
            )
        )

    from sklearn.metrics import pairwise_distances

    rng = np.random.default_rng(seed)
    sample = np.sort(rng.choice(n, size=min(n, silhouette_sample), replace=False))
    d = pairwise_distances(z[sample])
    hi = min(hi, max(lo, n // 5))
    rows = []
    fits = {}
    fit_rows = None
    if n > fit_sample:
        fit_rows = np.sort(
            np.random.default_rng([seed, 1_000_003]).choice(n, size=fit_sample, replace=False)
        )
        warnings.append(
            _(
                "k-means was fitted on a random sample of {sample} of the {n} customers and "
                "every customer was assigned to the nearest cluster centre (so the page answers "
                "in seconds). Tested on a generated shop, this changes the clusters' spread "
                "(inertia) by under 2 %.",
                sample=f"{fit_sample:,}",
                n=f"{n:,}",
            )
        )
    for kk in range(lo, hi + 1):
        km = _kmeans_fit(z, kk, seed=seed, n_init=n_init, rows=fit_rows)
        fits[kk] = km
        sil = _silhouette_precomputed(d, km.labels_[sample])
        rows.append((kk, sil, float(km.inertia_)))
    curve = pd.DataFrame(rows, columns=["k", "silhouette", "inertia"])
    if k is None:
        best = curve.loc[curve["silhouette"].fillna(-2).idxmax()]
        k_final, chosen_by = int(best["k"]), "silhouette"
    else:
        k_final, chosen_by = int(k), "override"
    km = fits.get(k_final) or _kmeans_fit(z, k_final, seed=seed, n_init=n_init, rows=fit_rows)
    raw = km.labels_
    sil = _silhouette_precomputed(d, raw[sample])

    # Number clusters by revenue (0 = most revenue), then name them from their profile.
    rev = np.bincount(raw, weights=x["monetary"].to_numpy(), minlength=k_final)
    order = np.lexsort((np.arange(k_final), -rev))
    relabel = np.empty(k_final, dtype=np.int64)
    relabel[order] = np.arange(k_final)
    labels = relabel[raw]
    centres = np.vstack([z[labels == c].mean(axis=0) for c in range(k_final)])
    names = _name_clusters(centres, used, x, labels)
    profile = _profile(x, labels, names)

    from sklearn.decomposition import PCA

    pca = PCA(n_components=2, random_state=seed).fit(z)
    xy = pca.transform(z)
    pca_df = pd.DataFrame(
        {"pc1": xy[:, 0], "pc2": xy[:, 1], "cluster": labels, "name": np.array(names)[labels]},
        index=x.index,
    )
    if np.isfinite(sil) and sil < 0.25:
        warnings.append(
            _(
                "Weak cluster structure (silhouette {sil} < 0.25): the groups overlap; read "
                "them as tendencies rather than distinct types.",
                sil=f"{sil:.2f}",
            )
        )
    return ClusterResult(
        labels=pd.Series(labels, index=x.index, name="cluster"),
        names=names,
        k=k_final,
        k_chosen_by=chosen_by,
        silhouette=sil,
        curve=curve,
        profile=profile,
        pca=pca_df,
        explained_variance=(
            float(pca.explained_variance_ratio_[0]),
            float(pca.explained_variance_ratio_[1]),
        ),
        features_used=used,
        seed=seed,
        silhouette_sample=len(sample),
        warnings=tuple(warnings),
    )


def cluster(lines: pd.DataFrame, *, as_of: object = None, **params) -> ClusterResult:
    """k-means clusters of the customers in ``lines`` (see :func:`cluster_features`)."""
    return cluster_features(customer_history(lines).features(as_of=as_of), **params)


def _name_clusters(
    centres: np.ndarray, used: tuple[str, ...], x: pd.DataFrame, labels: np.ndarray
) -> tuple[str, ...]:
    """Short names from the cluster centres in standard units (beyond ±0.5 sd = notable).

    Recency, frequency and spend make the name ("Recent frequent high spenders"); tenure
    adds "new"/"long-standing" and the most distinctive of order size, breadth and returns
    (beyond ±0.8 sd) adds a short qualifier.
    """
    col = {c: i for i, c in enumerate(used)}

    def z(c: int, feat: str) -> float:
        return float(centres[c, col[feat]]) if feat in col else 0.0

    def level(c: int, feat: str, cut: float = 0.5) -> int:
        v = z(c, feat)
        return 1 if v > cut else -1 if v < -cut else 0

    qualifiers = {
        "avg_order_value": (N_("with big orders"), N_("with small orders")),
        "category_breadth": (N_("buying broadly"), N_("buying narrowly")),
        "return_rate": (N_("with high returns"), N_("with few returns")),
    }
    names: list[str] = []
    for c in range(len(centres)):
        words: list[str] = []
        rec = level(c, "recency_days")
        ten = level(c, "tenure_days")
        if rec > 0:
            words.append(N_("lapsed"))
        elif ten < 0:
            words.append(N_("new"))
        elif rec < 0:
            words.append(N_("recent"))
        elif ten > 0:
            words.append(N_("long-standing"))
        freq = level(c, "frequency")
        if freq > 0:
            words.append(N_("frequent"))
        elif np.median(x["frequency"].to_numpy()[labels == c]) <= 1:
            words.append(N_("one-time"))
        elif freq < 0:
            words.append(N_("occasional"))
        mon = level(c, "monetary")
        words.append(
            N_("high spenders")
            if mon > 0
            else N_("low spenders")
            if mon < 0
            else N_("mid spenders")
        )
        extra = max(((abs(z(c, f)), f) for f in qualifiers if f in col), default=(0.0, ""))
        if extra[0] > 0.8:
            words.append(qualifiers[extra[1]][0 if z(c, extra[1]) > 0 else 1])
        # tags in the UI language, one after the other ("Recent frequent high spenders",
        # 近期·高频·高消费): the joining is a message too, as the languages join them apart
        name = _(words[0])
        for w in words[1:]:
            name = _("{name} {word}", name=name, word=_(w))
        names.append(name)
    seen: dict[str, int] = {}
    out = []
    for nm in names:
        nm = nm[0].upper() + nm[1:]
        seen[nm] = seen.get(nm, 0) + 1
        out.append(nm if seen[nm] == 1 else f"{nm} ({seen[nm]})")
    return tuple(out)


def _profile(x: pd.DataFrame, labels: np.ndarray, names: tuple[str, ...]) -> pd.DataFrame:
    k = len(names)
    total = float(x["monetary"].sum())
    med = x.groupby(labels).median().reindex(range(k))
    sizes = np.bincount(labels, minlength=k)
    rev = np.bincount(labels, weights=x["monetary"].to_numpy(), minlength=k)
    prof = pd.DataFrame(
        {
            "cluster": [str(c) for c in range(k)],
            "name": list(names),
            "customers": sizes.astype(np.int64),
            "customer_share": sizes / len(x),
            "revenue_share": rev / total if total else 0.0,
        }
    )
    for f in FEATURES:
        prof[f"median_{f}"] = med[f].to_numpy()
    overall = {
        "cluster": "all",
        "name": _("All customers"),
        "customers": len(x),
        "customer_share": 1.0,
        "revenue_share": 1.0,
        **{f"median_{f}": float(x[f].median()) for f in FEATURES},
    }
    return pd.concat([prof, pd.DataFrame([overall])], ignore_index=True)


# ------------------------------------------------------------------------------- explanation


@dataclass(frozen=True)
class ExplainResult:
    """A shallow decision tree reproducing the cluster labels.

    ``rules``: one row per leaf: ``cluster, name, rule, customers, agreement`` (share of the
    leaf's customers k-means put in that cluster). ``fidelity``: share of all customers the
    tree assigns to the same cluster as k-means. ``good_enough``: ``fidelity >= target``.
    """

    rules: pd.DataFrame
    fidelity: float
    target: float
    good_enough: bool
    max_depth: int
    predicted: pd.Series


_INTEGER = {"recency_days", "frequency", "tenure_days", "category_breadth"}


def _fmt_money(v: float) -> str:
    if abs(v) >= 100:
        return f"{v:,.0f}"
    return f"{v:,.2f}".rstrip("0").rstrip(".")


def _condition(feat: str, lo: float, hi: float, breadth_label: str) -> str:
    """Readable text for ``lo < feat <= hi`` (either bound may be infinite)."""
    if feat in _INTEGER:
        a = math.floor(lo) + 1 if np.isfinite(lo) else None  # value >= a
        b = math.floor(hi) if np.isfinite(hi) else None  # value <= b
        if feat == "recency_days":
            if a is not None and b is not None:
                return _("last order {a}–{b} days ago", a=f"{a:,}", b=f"{b:,}")
            if b is not None:
                return _("last order within {b} days", b=f"{b:,}")
            return _("last order {a}+ days ago", a=f"{a:,}")
        if feat == "tenure_days":
            if a is not None and b is not None:
                return _("first order {a}–{b} days ago", a=f"{a:,}", b=f"{b:,}")
            if b is not None:
                return _("first order within {b} days", b=f"{b:,}")
            return _("first order {a}+ days ago", a=f"{a:,}")
        word = _("orders") if feat == "frequency" else _(breadth_label)
        if a is not None and b is not None:
            return f"{word} = {a}" if a == b else f"{word} {a}–{b}"
        return f"{word} ≤ {b}" if b is not None else f"{word} ≥ {a}"
    if feat == "return_rate":
        fmt = "{:.0%}".format
    elif feat == "interpurchase_days":
        fmt = "{:.0f}".format
    else:
        fmt = _fmt_money
    word = _(
        {
            "monetary": N_("spend"),
            "avg_order_value": N_("average order"),
            "interpurchase_days": N_("days between orders"),
            "return_rate": N_("returns"),
        }[feat]
    )
    if np.isfinite(lo) and np.isfinite(hi):
        return f"{word} {fmt(lo)}–{fmt(hi)}"
    return f"{word} ≤ {fmt(hi)}" if np.isfinite(hi) else f"{word} > {fmt(lo)}"


def _join_and(conds: list[str]) -> str:
    """``a and b and c`` in the UI language (one message per joining)."""
    text = conds[0]
    for c in conds[1:]:
        text = _("{conditions} and {condition}", conditions=text, condition=c)
    return text


@_single_threaded
def explain(
    features: CustomerFeatures,
    clusters: ClusterResult,
    *,
    max_depth: int = 3,
    target: float = 0.85,
    seed: int = 0,
) -> ExplainResult:
    """A decision tree of depth ≤ ``max_depth`` on the unscaled features that mimics the clusters."""
    from sklearn.tree import DecisionTreeClassifier

    if not 1 <= max_depth <= 5:
        raise ParameterError(
            f"The 'max_depth' parameter must be an int in 1..5 (readable rules). Got {max_depth}."
        )
    x = feature_matrix(features.table).loc[:, list(clusters.features_used)]
    y = clusters.labels.reindex(x.index).to_numpy()
    n = len(x)
    xa = x.to_numpy()
    fit = slice(None)
    if n > EXPLAIN_SAMPLE:
        # a depth-3 tree's thresholds settle long before a million customers: fit on a
        # seeded sample, judge (fidelity, rules' counts) on everyone
        fit = np.sort(np.random.default_rng([seed, 2_000_003]).choice(n, EXPLAIN_SAMPLE, False))
    n_fit = len(xa[fit])
    tree = DecisionTreeClassifier(
        max_depth=max_depth, min_samples_leaf=max(1, n_fit // 200), random_state=seed
    ).fit(xa[fit], y[fit])
    pred = tree.predict(x.to_numpy())
    fidelity = float(np.mean(pred == y))
    breadth_label = (
        N_("products bought") if features.breadth_basis == "product" else N_("categories bought")
    )
    t = tree.tree_
    cols = list(x.columns)
    rows = []
    paths = tree.decision_path(x.to_numpy()).tocsc()

    def leaf_class(node: int) -> int | None:
        """The class every leaf under ``node`` predicts, or None if they differ."""
        if t.children_left[node] == -1:
            return int(tree.classes_[int(np.argmax(t.value[node][0]))])
        a, b = leaf_class(t.children_left[node]), leaf_class(t.children_right[node])
        return a if a is not None and a == b else None

    def walk(node: int, bounds: dict[str, tuple[float, float]]) -> None:
        cls = leaf_class(node)
        if cls is not None:  # a leaf, or a split whose sides predict the same cluster
            members = paths[:, node].toarray().ravel().astype(bool)
            conds = [
                _condition(f, lo, hi, breadth_label)
                for f, (lo, hi) in sorted(bounds.items(), key=lambda kv: cols.index(kv[0]))
            ]
            rows.append(
                {
                    "cluster": cls,
                    "name": clusters.names[cls],
                    "rule": _join_and(conds) if conds else _("everyone"),
                    "customers": int(members.sum()),
                    "agreement": float(np.mean(y[members] == cls)) if members.any() else 0.0,
                }
            )
            return
        f = cols[t.feature[node]]
        thr = float(t.threshold[node])
        lo, hi = bounds.get(f, (-np.inf, np.inf))
        walk(t.children_left[node], {**bounds, f: (lo, min(hi, thr))})
        walk(t.children_right[node], {**bounds, f: (max(lo, thr), hi)})

    walk(0, {})
    rules = (
        pd.DataFrame(rows, columns=["cluster", "name", "rule", "customers", "agreement"])
        .sort_values(["cluster", "customers"], ascending=[True, False], kind="stable")
        .reset_index(drop=True)
    )
    return ExplainResult(
        rules=rules,
        fidelity=fidelity,
        target=target,
        good_enough=fidelity >= target,
        max_depth=max_depth,
        predicted=pd.Series(pred, index=x.index, name="tree_cluster"),
    )


# ---------------------------------------------------------------------------------- movement


@dataclass(frozen=True)
class MovementResult:
    """Segments at two cut-off dates and who moved where.

    ``matrix``: rows = segment at ``start`` (plus :data:`NOT_YET`), columns = segment at
    ``end``, values = customers. ``flows``: ``source, target, customers`` (non-zero cells).
    """

    start: pd.Timestamp
    end: pd.Timestamp
    matrix: pd.DataFrame
    flows: pd.DataFrame
    stayed_share: float


def movement_between(before: RFMResult, after: RFMResult) -> MovementResult:
    """Transition counts between two RFM results (``before`` is the earlier date)."""
    if before.as_of >= after.as_of:
        raise ParameterError(
            _(
                "The comparison date must be before the as-of date. Got {before} and {after} "
                "instead.",
                before=before.as_of.date(),
                after=after.as_of.date(),
            )
        )
    src = before.customers["segment"].astype("str").reindex(after.customers.index).fillna(NOT_YET)
    dst = after.customers["segment"].astype("str")
    rows_order = [*SEGMENT_NAMES, NOT_YET]
    matrix = (
        pd.crosstab(
            pd.Categorical(src, categories=rows_order),
            pd.Categorical(dst, categories=SEGMENT_NAMES),
            dropna=False,
        )
        .reindex(index=rows_order, columns=list(SEGMENT_NAMES), fill_value=0)
        .astype(np.int64)
    )
    matrix.index.name = _("segment on {date}", date=before.as_of.date())
    matrix.columns.name = _("segment on {date}", date=after.as_of.date())
    flows = matrix.stack().rename("customers").reset_index()
    flows.columns = ["source", "target", "customers"]
    flows = flows.loc[flows["customers"] > 0].reset_index(drop=True)
    existing = src != NOT_YET
    stayed = (
        float(np.mean(src[existing].to_numpy() == dst[existing].to_numpy()))
        if existing.any()
        else float("nan")
    )
    return MovementResult(
        start=before.as_of, end=after.as_of, matrix=matrix, flows=flows, stayed_share=stayed
    )


def movement(lines: pd.DataFrame, *, start: object, end: object = None) -> MovementResult:
    """Who moved between RFM segments from ``start`` to ``end`` (default: the last date)."""
    hist = customer_history(lines)
    return movement_between(
        rfm_from_features(hist.features(as_of=start)), rfm_from_features(hist.features(as_of=end))
    )


# ------------------------------------------------------------------------------------- all


@dataclass(frozen=True)
class SegmentationResult:
    """Everything the segmentation page shows, from one pass over the lines.

    ``clusters``/``explanation`` are ``None`` with the reason in ``cluster_error`` when there
    are too few customers; ``movement`` is ``None`` with ``movement_error`` likewise.
    ``customers``: the export table (see :func:`customer_table`).
    """

    features: CustomerFeatures
    rfm: RFMResult
    clusters: ClusterResult | None
    explanation: ExplainResult | None
    movement: MovementResult | None
    customers: pd.DataFrame
    params: dict
    cluster_error: str | None = None
    movement_error: str | None = None

    @property
    def n_customers(self) -> int:
        return self.rfm.n_customers

    @property
    def n_guest_orders(self) -> int:
        return self.rfm.n_guest_orders


def customer_table(rfm_result: RFMResult, clusters: ClusterResult | None = None) -> pd.DataFrame:
    """One row per customer: ``customer_id, recency_days, frequency, monetary, r_score,
    f_score, m_score, rfm, segment, cluster, cluster_name`` (what an email tool imports)."""
    c = rfm_result.customers
    out = pd.DataFrame(
        {
            "customer_id": c.index.astype("string"),
            "recency_days": c["recency_days"].to_numpy(),
            "frequency": c["frequency"].to_numpy(),
            "monetary": c["monetary"].to_numpy(),
            "r_score": c["r_score"].to_numpy(),
            "f_score": c["f_score"].to_numpy(),
            "m_score": c["m_score"].to_numpy(),
            "rfm": c["rfm"].to_numpy(),
            "segment": c["segment"].astype("str").to_numpy(),
        }
    )
    if clusters is not None:
        lab = clusters.labels.reindex(c.index).to_numpy()
        out["cluster"] = lab
        out["cluster_name"] = np.array(clusters.names, dtype=object)[lab]
    return out


@_single_threaded
def segment_customers(
    lines: pd.DataFrame,
    *,
    as_of: object = None,
    compare_to: object = None,
    k: int | None = None,
    k_range: tuple[int, int] = (2, 10),
    seed: int = 0,
    n_init: int = 3,
    silhouette_sample: int = 1500,
    max_depth: int = 3,
    history: CustomerHistory | None = None,
) -> SegmentationResult:
    """RFM segments, clusters, their explanation and movement, as of ``as_of``.

    ``compare_to`` is the earlier cut-off for movement (default: 90 days before ``as_of``).
    Pass ``history`` (from :func:`ecomdash.features.customer_history` of the same lines) to
    skip re-reading the lines. A thin wrapper of :func:`segment_history`.
    """
    return segment_history(
        history if history is not None else customer_history(lines),
        as_of=as_of,
        compare_to=compare_to,
        k=k,
        k_range=k_range,
        seed=seed,
        n_init=n_init,
        silhouette_sample=silhouette_sample,
        max_depth=max_depth,
    )


@_single_threaded
def segment_history(
    hist: CustomerHistory,
    *,
    as_of: object = None,
    compare_to: object = None,
    k: int | None = None,
    k_range: tuple[int, int] = (2, 10),
    seed: int = 0,
    n_init: int = 3,
    silhouette_sample: int = 1500,
    max_depth: int = 3,
) -> SegmentationResult:
    """:func:`segment_customers` from a per-order history (``features.customer_history`` of
    the lines, or the store's SQL aggregate ``Store.customer_history``): pages and commands
    use this, so they never hold the lines."""
    feats = hist.features(as_of=as_of)
    rfm_now = rfm_from_features(feats)
    clusters = explanation = None
    cluster_error = movement_error = None
    try:
        clusters = cluster_features(
            feats,
            k=k,
            k_range=k_range,
            seed=seed,
            n_init=n_init,
            silhouette_sample=silhouette_sample,
        )
        explanation = explain(feats, clusters, max_depth=max_depth, seed=seed)
    except InsufficientDataError as err:
        cluster_error = str(err)
    start = (
        feats.as_of - pd.Timedelta(days=90)
        if compare_to is None
        else to_timestamp(compare_to, name="compare_to")
    )
    move = None
    try:
        if start >= feats.as_of:
            raise ParameterError(
                _(
                    "The comparison date must be before the as-of date {date}. Got {start} "
                    "instead.",
                    date=feats.as_of.date(),
                    start=start.date(),
                )
            )
        move = movement_between(rfm_from_features(hist.features(as_of=start)), rfm_now)
    except (InsufficientDataError, ParameterError) as err:
        # Movement is one part of the page: the segments and clusters still stand.
        movement_error = _("No movement view: {reason}", reason=err)
    return SegmentationResult(
        features=feats,
        rfm=rfm_now,
        clusters=clusters,
        explanation=explanation,
        movement=move,
        customers=customer_table(rfm_now, clusters),
        params={
            "as_of": feats.as_of.date().isoformat(),
            "compare_to": start.date().isoformat(),
            "k": k,
            "k_range": k_range,
            "seed": seed,
            "n_init": n_init,
            "silhouette_sample": silhouette_sample,
            "max_depth": max_depth,
        },
        cluster_error=cluster_error,
        movement_error=movement_error,
    )


__all__ = [
    "SEGMENTS",
    "SEGMENT_NAMES",
    "NOT_YET",
    "SegmentDef",
    "RFMResult",
    "ClusterResult",
    "ExplainResult",
    "MovementResult",
    "SegmentationResult",
    "segment_for",
    "rfm",
    "rfm_from_features",
    "cluster",
    "cluster_features",
    "feature_matrix",
    "explain",
    "movement",
    "movement_between",
    "customer_table",
    "segment_customers",
    "segment_history",
]
