"""Churn's holdout metrics and permutation importance (split from ``ecomdash/churn.py`` by
size): AUC by the rank sum, top-decile precision and recall, and the drop in AUC when a
feature is shuffled. At 10 M lines the sorts of ~900 k scores and the boosting predictions
of permutation importance were seconds of CPU, hence one sort for the three metrics and
re-predicting only the trees that split on the shuffled column (same values, bit for bit:
``tests/unit/test_customer_reductions.py``)."""

from __future__ import annotations

import math

import numpy as np
from scipy.stats import rankdata
from sklearn.ensemble import HistGradientBoostingClassifier


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
        Xp = est._preprocess_X(X, reset=False)
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
        known, f_idx_map = self.cats
        return tree.predict(Xp, known_cat_bitsets=known, f_idx_map=f_idx_map, n_threads=1)

    def uses(self, j: int) -> bool:
        return any(j in f for f in self.features)

    def proba(self, X: np.ndarray | None = None, column: int | None = None) -> np.ndarray:
        """Probabilities on the kept ``X``, or on ``X`` that differs from it in ``column``."""
        base = self.est._baseline_prediction
        raw = np.zeros((len(self.parts[0]), 1), dtype=base.dtype, order="F")
        raw += base
        Xp = None if X is None else self.est._preprocess_X(X, reset=False)
        for tree, part, used in zip(self.trees, self.parts, self.features, strict=True):
            raw[:, 0] += part if Xp is None or column not in used else self._predict(tree, Xp)
        return self.est._loss.predict_proba(raw)[:, 1]


def permutation_auc_drop(
    estimator, X: np.ndarray, y: np.ndarray, *, n_repeats: int = 3, seed: int = 0
) -> np.ndarray:
    """Mean drop in AUC when each column of ``X`` is shuffled (seeded), one value per column.

    For a boosting model only the trees that split on the shuffled column are re-predicted
    (:class:`_TreeSums`; the same probabilities, bit for bit).
    """
    rng = np.random.default_rng(seed)
    sums = _TreeSums.of(estimator, X)
    base_p = estimator.predict_proba(X)[:, 1] if sums is None else sums.proba()
    base = auc_score(y, base_p)
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


def _ranked_metrics(y: np.ndarray, p: np.ndarray, *, frac: float = 0.1):
    """``auc_score(y, p)``, ``top_decile(1 - y, -p)`` and ``top_decile(y, p)`` (finite ``p``)
    from one stable sort of ``p``, with the same values: the same average ranks for ties,
    and the same top sets (ties by position)."""
    p = np.asarray(p, dtype=float)
    n = len(p)
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
