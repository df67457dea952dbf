"""Churn's holdout metrics and permutation importance (split from ``ecomdash/churn.py`` by
size): AUC by the rank sum, top-decile precision and recall, and the drop in AUC when a
feature is shuffled. At 10 M lines the sorts of ~900 k scores and the boosting predictions
of permutation importance were seconds of CPU, hence one sort for the three metrics and
re-predicting only the trees that split on the shuffled column (same values, bit for bit:
``tests/unit/test_customer_reductions.py``). Since churn8: boosting predictions column by
column (:func:`propensity`), the ROC points from the metrics' sort (:func:`roc_points`) and
the logistic pipeline's transforms once per importance run (:func:`_valuewise_head`)."""

from __future__ import annotations

import math

import numpy as np
from scipy.stats import rankdata
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import brier_score_loss, roc_curve
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler


def top_decile(y: np.ndarray, score: np.ndarray, *, frac: float = 0.1) -> tuple[float, float]:
    """Precision and recall of the positives (``y == 1``) among the ``frac`` highest scores.

    Ties are broken by position (stable sort), so the top set has exactly ceil(frac n) rows.

    >>> top_decile(np.array([1, 0, 0, 0, 0, 0, 0, 0, 0, 1]), np.arange(10.0))
    (1.0, 0.5)
    """
    y = np.asarray(y)
    n = len(y)
    k = max(1, math.ceil(frac * n))
    order = np.argsort(-np.asarray(score, dtype=float), kind="stable")[:k]
    hits = float(y[order].sum())
    pos = float(y.sum())
    return hits / k, (hits / pos if pos > 0 else math.nan)


def auc_score(y: np.ndarray, score: np.ndarray) -> float:
    """ROC AUC by the Mann-Whitney rank sum (ties count one half); NaN with one class.

    >>> auc_score(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8]))
    0.75
    """
    y = np.asarray(y).astype(bool)
    n1 = int(y.sum())
    n0 = len(y) - n1
    if n1 == 0 or n0 == 0:
        return math.nan
    ranks = rankdata(np.asarray(score, dtype=float))
    return float((ranks[y].sum() - n1 * (n1 + 1) / 2.0) / (n1 * n0))


def _binary_boosting(est) -> bool:
    return (
        isinstance(est, HistGradientBoostingClassifier)
        and getattr(est, "n_trees_per_iteration_", None) == 1
        and getattr(est, "_preprocessor", None) is None  # no categorical features
    )


def tree_values(nodes: np.ndarray, X: np.ndarray) -> np.ndarray:
    """One fitted boosting tree's value for each row of ``X`` (float columns), by its own
    rule on raw values: NaN goes where the node sends missing values, else left when
    ``x <= num_threshold``; numeric splits only (:func:`propensity` checks).

    Column-wise (one comparison per split over a contiguous column, a small leaf number per
    row, then the leaf's value) instead of row by row: sklearn's per-row walk costs ~27 ns
    per row and tree, mostly mispredicted branches (profiled at 10 M lines), this ~8 ns.
    """
    small = np.int16 if len(nodes) < 2**15 else np.int32
    nan: dict[int, np.ndarray | None] = {}

    def leaf(k: int):
        nd = nodes[k]
        if nd["is_leaf"]:
            return small(k)
        f = int(nd["feature_idx"])
        col = X[:, f]
        left = col <= nd["num_threshold"]
        if nd["missing_go_to_left"]:
            if f not in nan:
                m = np.isnan(col)
                nan[f] = m if m.any() else None
            if nan[f] is not None:
                left |= nan[f]
        a, b = leaf(int(nd["left"])), leaf(int(nd["right"]))
        # a where b is not: b + left * (a - b) (np.where was 5x slower on these small ints)
        return b + left.view(np.uint8) * (a - b)

    ids = leaf(0)
    values = nodes["value"]
    if np.ndim(ids) == 0:  # a tree of one leaf
        return np.full(len(X), values[int(ids)], dtype=values.dtype)
    return values[ids.astype(np.intp)]


def _raw_by_columns(est, X: np.ndarray) -> np.ndarray:
    """The raw score of binary boosting, summed as ``_raw_predict`` sums it: zeros +
    baseline, then tree by tree."""
    base = est._baseline_prediction
    raw = np.zeros((len(X), 1), dtype=base.dtype, order="F")
    raw += base
    for (tree,) in est._predictors:
        raw[:, 0] += tree_values(tree.nodes, X)
    return raw


#: rows :func:`propensity` checks against ``predict_proba`` before trusting its route
CHECK_ROWS = 2048


def propensity(est, X: np.ndarray) -> np.ndarray:
    """``est.predict_proba(X)[:, 1]``, bit for bit; for binary histogram boosting by
    :func:`tree_values` (at 10 M lines the two boosting predictions of ~1 M customers were
    5 s of CPU). The same leaves add up in the same order, so the probabilities are
    sklearn's; the route checks itself on the first :data:`CHECK_ROWS` rows against
    ``predict_proba`` (another sklearn, another model) and falls back to it when they
    differ or a split is categorical.
    """
    if not _binary_boosting(est) or len(X) <= CHECK_ROWS:
        return est.predict_proba(X)[:, 1]
    try:
        if any(t.nodes["is_categorical"].any() for (t,) in est._predictors):
            return est.predict_proba(X)[:, 1]
        Xf = np.asfortranarray(est._preprocess_X(X, reset=False))  # contiguous columns
        p = est._loss.predict_proba(_raw_by_columns(est, Xf))[:, 1]
    except (AttributeError, TypeError, ValueError, KeyError, IndexError):
        return est.predict_proba(X)[:, 1]
    if not np.array_equal(p[:CHECK_ROWS], est.predict_proba(X[:CHECK_ROWS])[:, 1]):
        return est.predict_proba(X)[:, 1]
    return p


class _TreeSums:
    """A fitted binary HistGradientBoostingClassifier's raw score kept tree by tree on one
    ``X``, so that permuting a column re-predicts only the trees that split on it: boosting
    predictions were most of permutation importance's time (profiled at 10 M lines).

    The sum is redone in sklearn's order (zeros + baseline, then tree by tree), so the
    probabilities are bit for bit ``predict_proba``'s; :meth:`of` checks that on ``X`` and
    gives None when it does not hold (another sklearn, another model).
    """

    def __init__(self, est, X: np.ndarray):
        self.est = est
        self.trees = [it[0] for it in est._predictors]
        self.cats = est._bin_mapper.make_known_categories_bitsets()
        Xp = np.asfortranarray(est._preprocess_X(X, reset=False))
        self.parts = [self._predict(t, Xp) for t in self.trees]
        self.features = [
            set(t.nodes["feature_idx"][~t.nodes["is_leaf"].astype(bool)].tolist())
            for t in self.trees
        ]

    @classmethod
    def of(cls, est, X: np.ndarray) -> _TreeSums | None:
        if not isinstance(est, HistGradientBoostingClassifier):
            return None
        try:
            if est.n_trees_per_iteration_ != 1:
                return None
            sums = cls(est, X)
            same = np.array_equal(sums.proba(), est.predict_proba(X)[:, 1])
        except (AttributeError, TypeError, ValueError, KeyError):
            return None
        return sums if same else None

    def _predict(self, tree, Xp: np.ndarray) -> np.ndarray:
        if not tree.nodes["is_categorical"].any():
            return tree_values(tree.nodes, Xp)
        known, f_idx_map = self.cats
        return tree.predict(Xp, known_cat_bitsets=known, f_idx_map=f_idx_map, n_threads=1)

    def uses(self, j: int) -> bool:
        return any(j in f for f in self.features)

    def proba(self, X: np.ndarray | None = None, column: int | None = None) -> np.ndarray:
        """Probabilities on the kept ``X``, or on ``X`` that differs from it in ``column``."""
        base = self.est._baseline_prediction
        raw = np.zeros((len(self.parts[0]), 1), dtype=base.dtype, order="F")
        raw += base
        Xp = None if X is None else np.asfortranarray(self.est._preprocess_X(X, reset=False))
        for tree, part, used in zip(self.trees, self.parts, self.features, strict=True):
            raw[:, 0] += part if Xp is None or column not in used else self._predict(tree, Xp)
        return self.est._loss.predict_proba(raw)[:, 1]


def _valuewise_head(estimator):
    """The steps before the model of a pipeline whose steps each transform every value on
    its own (scaling by column, or a function marked ``valuewise``, as churn's signed log):
    then shuffling a column and transforming equals transforming and shuffling, value for
    value. None otherwise."""
    if not isinstance(estimator, Pipeline) or len(estimator.steps) < 2:
        return None
    for _name, step in estimator.steps[:-1]:
        if isinstance(step, StandardScaler):
            continue
        if (
            isinstance(step, FunctionTransformer)
            and getattr(step.func, "valuewise", False)
            and not step.kw_args
        ):
            continue
        return None
    return estimator[:-1]


def permutation_auc_drop(
    estimator, X: np.ndarray, y: np.ndarray, *, n_repeats: int = 3, seed: int = 0
) -> np.ndarray:
    """Mean drop in AUC when each column of ``X`` is shuffled (seeded), one value per column.

    For a boosting model only the trees that split on the shuffled column are re-predicted
    (:class:`_TreeSums`; the same probabilities, bit for bit); for the logistic pipeline
    the value-by-value transforms run once, not once per shuffle (:func:`_valuewise_head`).
    """
    rng = np.random.default_rng(seed)
    sums = _TreeSums.of(estimator, X)
    base_p = estimator.predict_proba(X)[:, 1] if sums is None else sums.proba()
    base = auc_score(y, base_p)
    head = _valuewise_head(estimator)
    if head is not None:  # shuffle the transformed column: the same values, transformed once
        estimator, X = estimator[-1], head.transform(X)
    out = np.zeros(X.shape[1])
    for j in range(X.shape[1]):
        Xp = X.copy()
        drops = []
        for _repeat in range(n_repeats):
            Xp[:, j] = X[rng.permutation(len(X)), j]  # drawn even when unused: same stream
            if sums is None:
                p = estimator.predict_proba(Xp)[:, 1]
            else:
                p = sums.proba(Xp, j) if sums.uses(j) else base_p
            drops.append(base - auc_score(y, p))
        out[j] = float(np.mean(drops))
    return out


def roc_points(y: np.ndarray, p: np.ndarray, order: np.ndarray | None = None):
    """``roc_curve(y, p)``'s ``fpr, tpr`` (finite ``p``, both classes present, no weights,
    intermediate collinear points dropped as it drops them) from ``order``, the stable
    ascending sort of ``p`` the metrics already made (sorted here when not given).

    The points are counts of positives and negatives above each distinct score, divided by
    the totals, so they are roc_curve's to the bit whatever the order inside ties.

    >>> [a.tolist() for a in roc_points(np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8]))]
    [[0.0, 0.0, 0.5, 0.5, 1.0], [0.0, 0.5, 0.5, 1.0, 1.0]]
    """
    p = np.asarray(p, dtype=float)
    if order is None:
        order = np.argsort(p, kind="stable")
    desc = order[::-1]
    sp = p[desc]
    yd = np.asarray(y)[desc].astype(np.float64)
    n = len(sp)
    idx = np.r_[np.flatnonzero(np.diff(sp)), n - 1]  # the last row of each distinct score
    tps = np.cumsum(yd)[idx]
    fps = 1 + idx.astype(np.float64) - tps
    if len(fps) > 2:
        keep = np.flatnonzero(np.r_[True, np.logical_or(np.diff(fps, 2), np.diff(tps, 2)), True])
        fps, tps = fps[keep], tps[keep]
    fps = np.r_[0.0, fps]
    tps = np.r_[0.0, tps]
    return fps / fps[-1], tps / tps[-1]


def _ranked_metrics(
    y: np.ndarray, p: np.ndarray, *, frac: float = 0.1, order: np.ndarray | None = None
):
    """``auc_score(y, p)``, ``top_decile(1 - y, -p)`` and ``top_decile(y, p)`` (finite ``p``)
    from one stable sort of ``p`` (``order``, made here when not given), with the same
    values: the same average ranks for ties, and the same top sets (ties by position)."""
    p = np.asarray(p, dtype=float)
    n = len(p)
    if order is None:
        order = np.argsort(p, kind="stable")
    sp = p[order]
    # AUC: average ranks of tied scores, as scipy's rankdata gives them
    new = np.r_[True, sp[1:] != sp[:-1]]
    starts = np.flatnonzero(new)
    ends = np.r_[starts[1:], n]
    ranks = np.empty(n)
    ranks[order] = np.repeat(0.5 * (starts + 1 + ends), ends - starts)
    yb = y.astype(bool)
    n1 = int(yb.sum())
    n0 = n - n1
    auc = (
        math.nan
        if n1 == 0 or n0 == 0
        else float((ranks[yb].sum() - n1 * (n1 + 1) / 2.0) / (n1 * n0))
    )
    k = max(1, math.ceil(frac * n))
    # lowest propensity first, ties by position: the stable ascending order itself
    churn = 1 - y
    hits = float(churn[order[:k]].sum())
    pos = float(churn.sum())
    low = (hits / k, hits / pos if pos > 0 else math.nan)
    # highest first, ties by position: everything above the k-th highest value, then the
    # first of its ties by position (in the stable order they are by position already)
    v = sp[n - k]
    lo, hi = np.searchsorted(sp, v, side="left"), np.searchsorted(sp, v, side="right")
    top = np.r_[order[hi:], order[lo : lo + k - (n - hi)]]
    hits = float(y[top].sum())
    pos = float(y.sum())
    high = (hits / k, hits / pos if pos > 0 else math.nan)
    return auc, low, high


def holdout_metrics(
    y: np.ndarray,
    propensity: np.ndarray,
    *,
    probabilistic: bool,
    roc: dict | None = None,
    name: str = "",
) -> dict:
    """AUC, top-decile precision/recall (churners among the highest churn risk) and buyers;
    the ROC curve's points (``roc_curve``'s fpr, tpr) go into ``roc[name]`` when given and
    every score is finite."""
    roc = {} if roc is None else roc
    churn = 1 - y
    ok = np.isfinite(propensity)
    if ok.all():  # one sort for the three and the ROC (at 10 M lines, 900 k scores each)
        order = np.argsort(np.asarray(propensity, dtype=float), kind="stable")
        auc, (prec, rec), (bprec, brec) = _ranked_metrics(np.asarray(y), propensity, order=order)
        two_classes = 0 < int(np.sum(y)) < len(y)
        roc[name] = (
            roc_points(y, propensity, order) if two_classes else roc_curve(y, propensity)[:2]
        )
    else:
        auc = math.nan
        prec, rec = top_decile(churn, -propensity)
        bprec, brec = top_decile(y, propensity)  # no ROC: roc_curve refuses NaN
    return {
        "auc": float(auc),
        "precision_at_10pct": prec,
        "recall_at_10pct": rec,
        "buyer_precision_at_10pct": bprec,
        "buyer_recall_at_10pct": brec,
        "brier": float(brier_score_loss(y, np.clip(propensity, 0, 1)))
        if probabilistic
        else math.nan,
    }
