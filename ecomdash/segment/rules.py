"""A shallow decision tree reproducing the k-means clusters, as readable rules with its fidelity."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd

from ecomdash.errors import ParameterError
from ecomdash.features import (
    CustomerFeatures,
)
from ecomdash.i18n import N_, _, get_lang
from ecomdash.i18n.fmt import NBSP, pct
from ecomdash.i18n.note import note
from ecomdash.segment._threads import single_threaded
from ecomdash.segment.clusters import ClusterResult, feature_matrix
from ecomdash.segment.rfm import EXPLAIN_SAMPLE


@dataclass(frozen=True)
class ExplainResult:
    """A shallow decision tree reproducing the cluster labels.

    ``rules``: one row per leaf: ``cluster, name, rule, customers, agreement`` (share of the
    leaf's customers k-means put in that cluster). ``fidelity``: share of the clustered
    customers (those with at least two orders) the tree assigns to the same cluster as k-means. ``good_enough``: ``fidelity >= target``.
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


def _condition(
    feat: str, lo: float, hi: float, breadth_label: str, *, purchase_days: bool = False
) -> str:
    """Readable text for ``lo < feat <= hi`` (either bound may be infinite); ``purchase_days``:
    the data has no order id, its "orders" are purchase days (CDNOW), so the rule says "last
    purchase" and "purchase days", not "last order" and "orders". In Chinese the
    word and the range after it are joined by a no-break space (``订单数 9–16``, ``退货
    20%–50%``), as the catalogue joins a Chinese word and the figure after it; a sign and
    its figure (``orders ≥ 5``) likewise, in both languages: the rules' table breaks a line at
    a plain space only."""
    gap = NBSP if get_lang() == "zh" else " "
    if feat in _INTEGER:
        a = math.floor(lo) + 1 if np.isfinite(lo) else None  # value >= a
        b = math.floor(hi) if np.isfinite(hi) else None  # value <= b
        if feat == "recency_days" and purchase_days:
            if a is not None and b is not None:
                return _("last purchase {a}–{b} days ago", a=f"{a:,}", b=f"{b:,}")
            if b is not None:
                return _("last purchase within {b} days", b=f"{b:,}")
            return _("last purchase {a}+ days ago", a=f"{a:,}")
        if feat == "recency_days":
            if a is not None and b is not None:
                return _("last order {a}–{b} days ago", a=f"{a:,}", b=f"{b:,}")
            if b is not None:
                return _("last order within {b} days", b=f"{b:,}")
            return _("last order {a}+ days ago", a=f"{a:,}")
        if feat == "tenure_days":
            if a is not None and b is not None:
                return _("first purchase {a}–{b} days ago", a=f"{a:,}", b=f"{b:,}")
            if b is not None:
                return _("first purchase within {b} days", b=f"{b:,}")
            return _("first purchase {a}+ days ago", a=f"{a:,}")
        orders = N_("purchase days") if purchase_days else N_("orders")
        word = _(orders) if feat == "frequency" else _(breadth_label)
        if a is not None and b is not None:
            return f"{word} ={NBSP}{a}" if a == b else f"{word}{gap}{a}–{b}"
        return f"{word} ≤{NBSP}{b}" if b is not None else f"{word} ≥{NBSP}{a}"
    if feat == "return_rate":
        fmt = partial(pct, digits=0)
    elif feat == "interpurchase_days":
        fmt = "{:.0f}".format
    else:
        fmt = _fmt_money
    word = _(
        {
            "monetary": N_("spend"),
            "avg_order_value": N_("average order"),
            "interpurchase_days": N_("days between purchases")
            if purchase_days
            else N_("days between orders"),
            "return_rate": N_("returns"),
        }[feat]
    )
    if np.isfinite(lo) and np.isfinite(hi):
        return f"{word}{gap}{fmt(lo)}–{fmt(hi)}"
    return f"{word} ≤{NBSP}{fmt(hi)}" if np.isfinite(hi) else f"{word} >{NBSP}{fmt(lo)}"


def _join_and(conds: list[str]) -> str:
    """``a and b and c`` in the UI language (one message per joining)."""
    text = conds[0]
    for c in conds[1:]:
        text = _("{conditions} and {condition}", conditions=text, condition=c)
    return text


def tree_depth(k: int) -> int:
    """The explaining tree's depth for ``k`` clusters: room for two leaves per cluster
    (``2 ** depth >= 2 * k``), 3 at least and 4 at most (a rule of four conditions at most).

    A depth-3 tree has at most 8 leaves; with 7 or 8 clusters some clusters got no leaf of
    their own (the demo's k = 8: 6 rules, fidelity 78 %). Depth 4 on the demo: k = 7 92 %
    with 10 rules, k = 8 86 % with 9 rules; k <= 4 keeps depth 3
    (tests/unit/test_segment_choice.py)."""
    return min(4, max(3, math.ceil(math.log2(2 * max(k, 1)))))


def explain(
    features: CustomerFeatures,
    clusters: ClusterResult,
    *,
    max_depth: int | None = None,
    target: float = 0.85,
    seed: int = 0,
) -> ExplainResult:
    """A decision tree of depth ≤ ``max_depth`` (default: :func:`tree_depth` of the
    clusters' k) on the unscaled features that mimics the clusters, fitted and judged on the
    clustered (repeat) customers: the one-time buyers are a fixed group, not a cluster to
    explain."""
    with single_threaded():
        from sklearn.tree import DecisionTreeClassifier

        if max_depth is None:
            max_depth = tree_depth(clusters.k)
        if not 1 <= max_depth <= 5:
            raise ParameterError(
                note(
                    N_(
                        "The 'max_depth' parameter must be an int in 1..5 (readable rules). Got {value}."
                    ),
                    value=max_depth,
                )
            )
        x = feature_matrix(features.table).loc[:, list(clusters.features_used)]
        y = clusters.labels.reindex(x.index).to_numpy()
        if clusters.n_one_time:  # the tree explains the k-means clusters: repeat customers only
            keep = y < clusters.one_time_id
            x, y = x.loc[keep], y[keep]
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
            N_("products bought")
            if features.breadth_basis == "product"
            else N_("categories bought")
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
                    _condition(f, lo, hi, breadth_label, purchase_days=features.purchase_days)
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
