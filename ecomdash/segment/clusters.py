"""k-means clusters of the customers who came back: log1p-scaled, standardised behaviour
features of the customers with at least two orders, k by silhouette, a profile and a short
name per cluster, and a 2-D PCA picture. One-time buyers are one fixed group of their own
(:data:`ONE_TIME_NAME`), not a k-means cluster: a one-time buyer has no time between orders,
and with all customers clustered that imputed feature (and one order) made the geometry, so
the silhouette picked k = 2, "repeat buyers" against "one-time buyers" (63 % of the demo's
customers), the split the RFM segments already show (bench/bench_cluster_k.py)."""

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
from ecomdash.i18n.fmt import join
from ecomdash.i18n.note import Date, note
from ecomdash.segment._threads import single_threaded
from ecomdash.segment.rfm import FIT_SAMPLE, LONG_AGO_DAYS, MIN_CUSTOMERS_CLUSTER
from ecomdash.tasks import Tasks


@dataclass(frozen=True)
class ClusterResult:
    """k-means clusters of the customers with at least two orders; one-time buyers apart.

    ``labels``: Series (index ``customer_id``, every customer) of cluster numbers 0..k-1 for
    the repeat customers, numbered by revenue (0 = the cluster bringing the most revenue),
    and ``k`` (:attr:`one_time_id`, sorting after the clusters) for every one-time buyer.
    ``names``: short name per cluster (k of them); :attr:`group_names` adds the one-time
    group's name. ``n_one_time``: how many one-time buyers (0: no such group).
    ``curve``: ``k, silhouette, inertia`` over the swept range (repeat customers only); the
    silhouette is the mean over ``silhouette_samples`` samples of ``silhouette_sample``
    customers. ``k_best``: the k of the best silhouette (the chosen ``k`` is the fewest
    clusters within the silhouette's sampling noise of it: :func:`choose_k`).
    ``profile``: one row per cluster, a row ``k`` for the one-time buyers and a row
    ``"repeat"`` for the customers who ordered at least twice (both when there are one-time
    buyers), and an ``"all"`` row: ``cluster, name, customers, customer_share,
    revenue_share`` (shares of all customers) and the median of each feature (a one-time
    buyer has no days between orders: missing in their row, repeat customers' in "all"). ``pca``:
    ``pc1, pc2, cluster`` per repeat customer (one-time buyers are not in the scatter);
    ``explained_variance`` of the two components. ``features_used``: the columns clustered
    (constant ones are dropped).
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
    n_one_time: int = 0
    one_time_name: str = ""
    silhouette_samples: int = 1
    k_best: int = 0

    @property
    def one_time_id(self) -> int:
        """The one-time buyers' number in ``labels`` and the profile: ``k``, after the clusters."""
        return self.k

    @property
    def separation(self) -> str:
        """How well the clusters are separated, as the Segments page and the report judge the
        silhouette shown (two decimals): "clear" from 0.5, "reasonable" from 0.25, else
        "weak"."""
        sil = round(self.silhouette, 2)
        return "clear" if sil >= 0.5 else "reasonable" if sil >= 0.25 else "weak"

    @property
    def group_names(self) -> tuple[str, ...]:
        """The name of every number in ``labels``: the k clusters, then the one-time buyers."""
        return (*self.names, self.one_time_name) if self.n_one_time else self.names


def k_choice(result: ClusterResult) -> str:
    """Why ``result.k`` is the number of clusters, in the run's language: "your choice", "best
    silhouette for 2 to 10 clusters" (the range swept: fewer than 50 repeat customers sweep less, at
    least 5 customers a cluster), or "the fewest clusters within sampling noise of the best
    silhouette, k = 8" (the best-scoring k it was compared with, ``k_best``). The Segments
    page's caption and ``ecomdash segment``'s text say it in the same words."""
    if result.k_chosen_by != "silhouette":
        return _("your choice")
    if result.k == result.k_best:
        ks = result.curve["k"]
        low = int(ks.min()) if len(ks) else result.k
        high = int(ks.max()) if len(ks) else result.k
        if low == high:  # too few repeat customers for more ("for 2 to 2 clusters")
            return _("the only number of clusters these customers allow")
        return _("best silhouette for {low} to {high} clusters", low=low, high=high)
    return _(
        "the fewest clusters within sampling noise of the best silhouette, k = {best}",
        best=result.k_best,
    )


#: the one-time buyers' group: not a k-means cluster (see the module's docstring)
ONE_TIME_NAME = N_("One-time buyers")
#: The profile's summary rows (``cluster`` column): every customer, and the customers who
#: ordered at least twice (present when there are one-time buyers).
ALL_ID, REPEAT_ID = "all", "repeat"
REPEAT_NAME = N_("Customers who ordered at least twice")
#: The profile's rows that are not a group of customers of their own.
SUMMARY_IDS = (REPEAT_ID, ALL_ID)


def feature_matrix(table: pd.DataFrame) -> pd.DataFrame:
    """The interpretable (unscaled) features clustered and explained.

    A single-order customer's inter-purchase time is unknown; it is set to their tenure
    (they have gone at least that long without a second order). Only the repeat customers'
    rows are clustered (:func:`cluster_features`); the one-time buyers' rows give their
    group's medians.
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


#: silhouette samples the k choice averages (one when every clustered customer is in it)
SILHOUETTE_SAMPLES = 10
#: a k is within the silhouette's sampling noise of the best when its mean silhouette is less
#: than this many standard deviations of the sample-to-sample difference below the best's
NOISE_SD = 2.0


def _silhouette_samples(n: int, size: int, seed: int) -> list[np.ndarray]:
    """The rows each silhouette is measured on: the page's fixed sample (``default_rng(seed)``,
    as before) and :data:`SILHOUETTE_SAMPLES` - 1 more, or every row once when ``n <= size``
    (then there is no sampling noise)."""
    first = np.sort(np.random.default_rng(seed).choice(n, size=min(n, size), replace=False))
    if n <= size:
        return [first]
    more = (
        np.sort(np.random.default_rng([seed, 3_000_017, s]).choice(n, size=size, replace=False))
        for s in range(1, SILHOUETTE_SAMPLES)
    )
    return [first, *more]


def _silhouettes(z: np.ndarray, samples: list[np.ndarray], labels: list[np.ndarray]):
    """Silhouette of each labelling (columns) on each sample (rows): one distance matrix per
    sample, held one at a time."""
    from sklearn.metrics import pairwise_distances

    out = np.empty((len(samples), len(labels)))
    for i, rows in enumerate(samples):
        d = pairwise_distances(z[rows])
        out[i] = [_silhouette_precomputed(d, lab[rows]) for lab in labels]
    return out


def choose_k(ks: list[int], sils: np.ndarray) -> tuple[int, int]:
    """(k chosen, k of the best mean silhouette) from the silhouettes of each k (columns) on
    each sample (rows): the fewest clusters whose mean silhouette is less than
    :data:`NOISE_SD` standard deviations of its sample-to-sample difference from the best's
    below the best (paired: the same customers scored under both k). A silhouette gain
    smaller than what another sample of customers would undo does not justify another
    cluster to act on (and to explain with a shallow tree). One sample: the best.

    On the demo's repeat customers the best is k = 8 (mean 0.3990), k = 7 is 0.0010 below
    with a difference sd of 0.0016, so k = 7 (ARI 0.927 with the planted groups against
    0.899); k = 6 is 0.0089 below with sd 0.0036: out (bench/bench_cluster_k.py).
    """
    s = np.where(np.isnan(sils), -2.0, sils)  # a k with no silhouette never wins
    mean = s.mean(axis=0)
    best = int(np.argmax(mean))
    if len(s) < 2:
        return ks[best], ks[best]
    noise = (s - s[:, [best]]).std(axis=0, ddof=1)
    within = mean >= mean[best] - NOISE_SD * noise
    return ks[int(np.argmax(within))], ks[best]


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
    """k-means on log1p-scaled, standardised features of the customers with at least two
    orders; k by silhouette (:func:`choose_k`) unless ``k`` is given (``k`` is the number of
    clusters of repeat customers). One-time buyers (``frequency`` < 2) are one fixed group,
    number ``k``: in the labels, the profile and the customer list, not in the silhouette, the
    PCA or the fit. Scaling, silhouette, fit sample and PCA below are all of the repeat
    customers.

    The silhouette is computed on fixed random samples of ``silhouette_sample`` customers
    (:data:`SILHOUETTE_SAMPLES` of them, the same samples for every k), and averaged: the
    full O(n²) score would dominate the run time, and the spread between samples is the
    noise the k choice allows for.

    With more than ``fit_sample`` customers, k-means is fitted on a fixed random sample of
    that many and every customer is assigned to the nearest centre (a warning says so): the
    sweep over k costs the same for a million customers as for fifty thousand. On a generated
    98,400-customer shop this moved k-means inertia by under 2 % — no more than k-means' own
    restarts differ (bench/bench_pages_scale.py).
    """
    with single_threaded():
        lo, hi = k_range
        if not (isinstance(lo, int) and isinstance(hi, int) and 2 <= lo <= hi):
            raise ParameterError(
                note(
                    N_(
                        "The 'k_range' parameter must be two integers 2 <= low <= high. Got {value} "
                        "instead."
                    ),
                    value=repr(k_range),
                )
            )
        if k is not None and (not isinstance(k, int | np.integer) or k < 2):
            raise ParameterError(
                note(
                    N_("The 'k' parameter must be an int >= 2. Got {value} instead."), value=repr(k)
                )
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
        x_all = feature_matrix(features.table)
        repeat = x_all["frequency"].to_numpy() >= 2
        n_one = int((~repeat).sum())
        # the clustered customers: those who came back (all of them: no copy)
        x = x_all if n_one == 0 else x_all.loc[repeat]
        n = len(x)
        if len(x_all) < MIN_CUSTOMERS_CLUSTER:
            raise InsufficientDataError(
                note(
                    N_(
                        "Clustering needs at least {need} customers with an id. Found {n} on or before "
                        "{date}. The RFM segments above still apply; upload more orders with customer "
                        "ids for clusters."
                    ),
                    need=MIN_CUSTOMERS_CLUSTER,
                    n=len(x_all),
                    date=Date(features.as_of),
                )
            )
        if n < MIN_CUSTOMERS_CLUSTER:
            raise InsufficientDataError(
                note(
                    N_(
                        "Clustering groups the customers who ordered at least twice and needs at "
                        "least {need} of them. Found {n} on or before {date} (and {one} one-time "
                        "buyers). The RFM segments above still apply."
                    ),
                    need=MIN_CUSTOMERS_CLUSTER,
                    n=n,
                    one=n_one,
                    date=Date(features.as_of),
                )
            )
        if k is not None and k > n // 5:
            raise ParameterError(
                note(
                    N_(
                        "The 'k' parameter must be at most {most} for {n} customers who ordered at "
                        "least twice (5 per cluster). Got {k} instead."
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
                        "Clustering needs customers who differ in at least 2 behaviours. Found "
                        "variation only in {used} among {n} customers. Use the RFM segments."
                    ),
                    used=tuple(note(LABELS[u]) for u in used) or note(N_("none")),
                    n=n,
                )
            )

        samples = _silhouette_samples(n, silhouette_sample, seed)
        hi = min(hi, max(lo, n // 5))
        fit_rows = None
        if n > fit_sample:
            fit_rows = np.sort(
                np.random.default_rng([seed, 1_000_003]).choice(n, size=fit_sample, replace=False)
            )
            warnings.append(
                _(
                    "k-means was fitted on a random sample of {sample} of the {n} customers who "
                    "ordered at least twice and every one of them was assigned to the nearest "
                    "cluster centre (so the page answers in seconds). Tested on a generated shop, "
                    "this changes the clusters' spread (inertia) by under 2\u00a0%.",
                    sample=f"{fit_sample:,}",
                    n=f"{n:,}",
                )
            )
        ks = list(range(lo, hi + 1))
        fits = _sweep(z, ks, seed=seed, n_init=n_init, rows=fit_rows)
        if k is not None and k not in fits:
            fits[k] = _kmeans_fit(z, k, seed=seed, n_init=n_init, rows=fit_rows)
        swept = sorted(fits)  # the range, and an override outside it
        sils = _silhouettes(z, samples, [fits[kk].labels_ for kk in swept])
        in_range = [i for i, kk in enumerate(swept) if kk in ks]
        k_chosen, k_best = choose_k(ks, sils[:, in_range])
        mean = sils.mean(axis=0)
        curve = pd.DataFrame(
            [
                (kk, float(mean[i]), float(fits[kk].inertia_))
                for i, kk in enumerate(swept)
                if kk in ks
            ],
            columns=["k", "silhouette", "inertia"],
        )
        if k is None:
            k_final, chosen_by = k_chosen, "silhouette"
        else:
            k_final, chosen_by = int(k), "override"
        km = fits[k_final]
        sil = float(mean[swept.index(k_final)])
        raw = km.labels_

        # Number clusters by revenue (0 = most revenue), then name them from their profile.
        rev = np.bincount(raw, weights=x["monetary"].to_numpy(), minlength=k_final)
        order = np.lexsort((np.arange(k_final), -rev))
        relabel = np.empty(k_final, dtype=np.int64)
        relabel[order] = np.arange(k_final)
        labels = relabel[raw]
        centres = np.vstack([z[labels == c].mean(axis=0) for c in range(k_final)])
        names = _name_clusters(centres, used, x, labels)
        one_name = _(ONE_TIME_NAME)
        # every customer's group: the cluster of a repeat customer, k for a one-time buyer
        all_labels = np.full(len(x_all), k_final, dtype=np.int64)
        all_labels[repeat] = labels
        profile = _profile(
            x_all, all_labels, (*names, one_name) if n_one else names, one_time=bool(n_one)
        )

        from sklearn.decomposition import PCA

        pca = PCA(n_components=2, random_state=seed).fit(z)
        xy = pca.transform(z)
        pca_df = pd.DataFrame(
            {"pc1": xy[:, 0], "pc2": xy[:, 1], "cluster": labels, "name": np.array(names)[labels]},
            index=x.index,
        )
        # judged as shown (two digits): 0.2499 is "0.25", not "0.25 < 0.25"; the difference is far
        # under the silhouette's sampling noise (sd about 0.005 between samples of 1,500)
        if np.isfinite(sil) and round(sil, 2) < 0.25:
            warnings.append(
                _(
                    "Weak cluster structure (silhouette {sil} < 0.25): the clusters of the "
                    "customers who ordered at least twice overlap; read them as tendencies rather "
                    "than distinct types.",
                    sil=f"{sil:.2f}",
                )
            )
        return ClusterResult(
            labels=pd.Series(all_labels, index=x_all.index, name="cluster"),
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
            silhouette_sample=len(samples[0]),
            warnings=tuple(warnings),
            n_one_time=n_one,
            one_time_name=one_name,
            silhouette_samples=len(samples),
            k_best=k_best,
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
    (beyond ±0.8 sd) adds a short qualifier. Clusters that would share a name get, in
    brackets, the feature that tells them apart (:func:`_words_apart`): "Lapsed occasional
    low spenders buying narrowly (newer customers)".
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
            # "lapsed" only when its customers' last orders are a long time ago in days: on a
            # few months of data the least recent cluster bought weeks ago
            days = (
                np.median(x["recency_days"].to_numpy()[labels == c])
                if "recency_days" in x
                else np.inf  # days not given (hand-built centres): the standard-unit word
            )
            words.append(N_("lapsed") if days >= LONG_AGO_DAYS else N_("less recent"))
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
    names = [nm[0].upper() + nm[1:] for nm in names]
    apart = _words_apart(names, centres, used)
    out = [
        _("{name} ({apart})", name=nm, apart=join([_(w) for w in words])) if words else nm
        for nm, words in zip(names, apart, strict=True)
    ]
    # the last resort, for clusters whose centres are the same in every feature
    seen: dict[str, int] = {}
    for i, nm in enumerate(out):
        seen[nm] = seen.get(nm, 0) + 1
        if seen[nm] > 1:
            out[i] = f"{nm} ({seen[nm]})"
    return tuple(out)


#: the words that set clusters with the same name apart, by feature: (higher, lower) than the
#: other clusters of that name
APART = {
    "recency_days": (N_("last order longer ago"), N_("last order more recently")),
    "frequency": (N_("more orders"), N_("fewer orders")),
    "monetary": (N_("higher spend"), N_("lower spend")),
    "avg_order_value": (N_("bigger orders"), N_("smaller orders")),
    "tenure_days": (N_("longer-standing customers"), N_("newer customers")),
    "interpurchase_days": (N_("longer gaps between orders"), N_("shorter gaps between orders")),
    "category_breadth": (N_("buying more broadly"), N_("buying more narrowly")),
    "return_rate": (N_("more returns"), N_("fewer returns")),
}


def _words_apart(names: list[str], centres: np.ndarray, used: tuple[str, ...]) -> list[list[str]]:
    """For each cluster, the words (message ids of :data:`APART`) that set it apart from the
    clusters of the same name: while names repeat, the clusters of a repeated name are split
    at the largest gap of the feature whose centres (standard units) differ most among them,
    those above the gap taking the feature's "higher" word and those below its "lower" one.
    Empty for a cluster whose name is its own."""
    words: list[list[str]] = [[] for _ in names]
    for _round in range(len(used)):
        groups: dict[tuple, list[int]] = {}
        for c, nm in enumerate(names):
            groups.setdefault((nm, *words[c]), []).append(c)
        repeated = [g for g in groups.values() if len(g) > 1]
        if not repeated:
            break
        for g in repeated:
            said = {f for f, pair in APART.items() if set(pair) & set(words[g[0]])}
            spread = [
                (float(np.ptp(centres[g, i])), f)
                for i, f in enumerate(used)
                if f in APART and f not in said
            ]
            width, f = max(spread, default=(0.0, ""))
            if width <= 1e-9:
                continue  # the same in every feature left: numbered by the caller
            v = centres[g, used.index(f)]
            order = np.sort(v)
            cut = int(np.argmax(np.diff(order)))
            threshold = (order[cut] + order[cut + 1]) / 2
            for c, value in zip(g, v, strict=True):
                words[c].append(APART[f][0 if value > threshold else 1])
    return words


def _profile(
    x: pd.DataFrame, labels: np.ndarray, names: tuple[str, ...], *, one_time: bool = False
) -> pd.DataFrame:
    """One row per group ``0..len(names) - 1`` (the clusters, then the one-time buyers when
    ``one_time``: ``names`` has their name), then, when ``one_time``, the row of the customers
    who ordered at least twice (:data:`REPEAT_ID`: what the clusters are of, and what the
    heatmap compares them with), and the ``All customers`` row (:data:`ALL_ID`)."""
    k = len(names)
    total = float(x["monetary"].sum())
    # a one-time buyer has no time between orders: the clustering's fill (their tenure) is
    # not a median to show, so the one-time group's is missing and the all-customers row's is
    # the repeat customers'
    x = x.assign(interpurchase_days=x["interpurchase_days"].where(x["frequency"] >= 2, np.nan))
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

    def summary(cluster: str, name: str, rows: pd.DataFrame) -> dict:
        return {
            "cluster": cluster,
            "name": name,
            "customers": len(rows),
            "customer_share": len(rows) / len(x),
            "revenue_share": float(rows["monetary"].sum()) / total if total else 0.0,
            **{f"median_{f}": float(rows[f].median()) for f in FEATURES},
        }

    extra = [summary(ALL_ID, _("All customers"), x)]
    if one_time:  # the clusters' own reference (their names compare with it)
        repeat = x.loc[x["frequency"].to_numpy() >= 2]
        extra.insert(0, summary(REPEAT_ID, _(REPEAT_NAME), repeat))
    return pd.concat([prof, pd.DataFrame(extra)], ignore_index=True)
