"""k-means clusters of customers: log1p-scaled, standardised behaviour features, k by
silhouette, a profile and a short name per cluster, and a 2-D PCA picture."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ecomdash.errors import InsufficientDataError, ParameterError
from ecomdash.features import (
    FEATURES,
    LABELS,
    CustomerFeatures,
    customer_history,
)
from ecomdash.i18n import N_, _
from ecomdash.i18n.note import Date, note
from ecomdash.segment._threads import _single_threaded
from ecomdash.segment.rfm import FIT_SAMPLE, MIN_CUSTOMERS_CLUSTER
from ecomdash.tasks import Tasks


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
    from ecomdash.engine import on_spark

    if on_spark():  # the engine's choice: Spark MLlib KMeans on the cluster
        from ecomdash.spark.segment import mllib_kmeans

        return mllib_kmeans(z, k, seed=seed, n_init=n_init)
    from sklearn.cluster import KMeans

    return KMeans(n_clusters=k, n_init=n_init, random_state=seed).fit(z)


class _Fitted:
    """k-means fitted on some rows, with every row's label and the inertia over all rows."""

    def __init__(self, km, z: np.ndarray):
        self.labels_ = km.predict(z)
        self.inertia_ = _inertia(z, km.cluster_centers_, self.labels_)


def _inertia(z: np.ndarray, centres: np.ndarray, labels: np.ndarray) -> float:
    """``((z - centres[labels]) ** 2).sum()`` in one temporary of z's size instead of three
    (the same operations on the same values, in place: the same float to the bit)."""
    t = np.take(np.asarray(centres, dtype=np.result_type(z, centres)), labels, axis=0)
    np.subtract(z, t, out=t)
    np.square(t, out=t)
    return float(t.sum())


def _kmeans_fit(z: np.ndarray, k: int, *, seed: int, n_init: int, rows: np.ndarray | None):
    if rows is None:
        return _kmeans(z, k, seed=seed, n_init=n_init)
    return _Fitted(_kmeans(z[rows], k, seed=seed, n_init=n_init), z)


#: below this many fitted rows the sweep runs in the calling thread (a fit is milliseconds)
THREAD_SWEEP_ROWS = 10_000


def _sweep(
    z: np.ndarray, ks: list[int], *, seed: int, n_init: int, rows: np.ndarray | None
) -> dict:
    """The k-means fit of each k in ``ks``. With many rows and more than one core, the fits
    run side by side in threads (sklearn's Lloyd iterations and assignments release the
    GIL), each on one OpenMP and BLAS thread as a fit in the calling thread (``Tasks`` with
    ``blas=True``: OpenMP's thread count is per thread, so the caller's limit does not reach
    a pool thread): every fit is the same computation as in a plain loop, so the same labels,
    centres and inertia to the bit (tests/unit/test_segment_exact_routes.py); the sweep's
    wall time about halves on two idle cores. Spark's k-means runs on its cluster: a plain
    loop."""
    import os

    from ecomdash.engine import on_spark

    n_fit = len(z) if rows is None else len(rows)
    # the cores this process may use (Linux); macOS and Windows have no sched_getaffinity
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    workers = min(len(ks), cores or 1)
    if workers < 2 or n_fit < THREAD_SWEEP_ROWS or on_spark():
        return {kk: _kmeans_fit(z, kk, seed=seed, n_init=n_init, rows=rows) for kk in ks}
    with Tasks(workers, blas=True, name="kmeans") as tasks:
        # the largest k first: the costliest fits start early, the cheap ones fill in
        futures = {
            kk: tasks.submit(_kmeans_fit, z, kk, seed=seed, n_init=n_init, rows=rows)
            for kk in sorted(ks, reverse=True)
        }
        return {kk: futures[kk].result() for kk in ks}


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
            note(
                N_(
                    "The 'k_range' parameter must be two integers 2 <= low <= high. Got {value} instead."
                ),
                value=repr(k_range),
            )
        )
    if k is not None and (not isinstance(k, int | np.integer) or k < 2):
        raise ParameterError(
            note(N_("The 'k' parameter must be an int >= 2. Got {value} instead."), value=repr(k))
        )
    if n_init < 1 or silhouette_sample < 10:
        raise ParameterError(
            note(
                N_(
                    "The 'n_init' parameter must be >= 1 and 'silhouette_sample' >= 10. Got "
                    "n_init={n_init}, silhouette_sample={sample} instead."
                ),
                n_init=n_init,
                sample=silhouette_sample,
            )
        )
    x = feature_matrix(features.table)
    n = len(x)
    if n < MIN_CUSTOMERS_CLUSTER:
        raise InsufficientDataError(
            note(
                N_(
                    "Clustering needs at least {need} customers with an id. Found {n} on or before "
                    "{date}. The RFM segments above still apply; upload more orders with customer "
                    "ids for clusters."
                ),
                need=MIN_CUSTOMERS_CLUSTER,
                n=n,
                date=Date(features.as_of),
            )
        )
    if k is not None and k > n // 5:
        raise ParameterError(
            note(
                N_(
                    "The 'k' parameter must be at most {most} for {n} customers (5 per cluster). "
                    "Got {k} instead."
                ),
                most=n // 5,
                n=n,
                k=k,
            )
        )
    z, used = _scale(x)
    warnings: list[str] = []
    if len(used) < 2:
        raise InsufficientDataError(
            note(
                N_(
                    "Clustering needs customers who differ in at least 2 behaviours. Found variation "
                    "only in {used} among {n} customers. Use the RFM segments."
                ),
                used=tuple(note(LABELS[u]) for u in used) or note(N_("none")),
                n=n,
            )
        )

    from sklearn.metrics import pairwise_distances

    rng = np.random.default_rng(seed)
    sample = np.sort(rng.choice(n, size=min(n, silhouette_sample), replace=False))
    d = pairwise_distances(z[sample])
    hi = min(hi, max(lo, n // 5))
    rows = []
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
    fits = _sweep(z, list(range(lo, hi + 1)), seed=seed, n_init=n_init, rows=fit_rows)
    for kk in range(lo, hi + 1):
        km = fits[kk]
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
