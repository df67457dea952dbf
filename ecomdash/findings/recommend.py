"""Recommendations finding: the model's hit rate over the popularity baseline (from a
``recommend.EvaluationResult``), said as the Recommendations page's verdict says it."""

from __future__ import annotations

import math

from ecomdash.findings import links
from ecomdash.findings.core import Finding, pct_text
from ecomdash.i18n import N_, _, fmt
from ecomdash.recommend.data import BASELINES

PAGE_RECOMMEND = "pages/recommendations.py"
#: The best model's hit rate must be at least this many times the best sellers' to be a finding.
MIN_RATIO = 1.2


def _z(p1: float, p0: float, n: int) -> float:
    """Two-proportion z of hit rates ``p1`` vs ``p0`` on ``n`` customers each (pooled)."""
    p = (p1 + p0) / 2
    se = math.sqrt(max(p * (1 - p) * 2 / n, 1e-18))
    return (p1 - p0) / se


def recommend_finding(ev) -> Finding | None:
    """When the best model's hit rate@k on the held-out weeks is at least ``MIN_RATIO``×
    the best sellers' and the difference is beyond chance (two-proportion z ≥ 2; ``high``
    confidence from z ≥ 3 on 500+ customers, ``medium`` otherwise). Not sized in money
    (value 0, ranked last): the offline test counts customers who bought a recommended
    product, not the extra sales an email would bring, so no amount could be defended.
    ``None`` when a baseline (best sellers, trending) is the best model: the page's verdict
    then says "no better than showing best sellers"."""
    # a baseline on top (best sellers, or trending: the recent best sellers) is what the
    # page's verdict calls "no better than showing best sellers": no personal recommendation
    # to send (trending on top read "With personal recommendations, 1.5 times as many ...")
    if ev is None or ev.n_test_customers <= 0 or ev.best_model in BASELINES:
        return None
    t = ev.table.set_index("model")
    if "popularity" not in t.index or ev.best_model not in t.index:
        return None
    hit, pop = (
        float(t.loc[ev.best_model, "hit_rate_at_k"]),
        float(t.loc["popularity", "hit_rate_at_k"]),
    )
    if not (math.isfinite(hit) and math.isfinite(pop)) or pop <= 0:
        return None
    ratio = hit / pop
    z = _z(hit, pop, int(ev.n_test_customers))
    if ratio < MIN_RATIO or z < 2:
        return None
    n = int(ev.n_test_customers)
    conf = "high" if z >= 3 and n >= 500 else "medium"
    return Finding(
        kind="recommend",
        # the Recommendations page's verdict in its own words (``recommend.evaluation``):
        # returning customers who went on to buy one of their top k for the first time,
        # "{times} times as many as with best sellers" (it read "hit 1.5× more often than
        # best-sellers", a rate the page does not name)
        headline=_(
            "With personal recommendations, {times} times as many returning customers as with "
            "best sellers went on to buy one: send them to your returning customers",
            times=f"{ratio:.1f}",
        ),
        value=0.0,
        confidence=conf,
        confidence_note=_(
            "tested on {n} returning customers after {date}: for {hit}, at least one of their "
            "top {k} was something they went on to buy for the first time, against {pop} with "
            "best sellers",
            n=f"{n:,}",
            date=fmt.long_date(ev.cutoff),
            hit=pct_text(hit),
            k=ev.k,
            pop=pct_text(pop),
        ),
        detail=_(
            "Not sized in money: the test counts customers who bought a recommended product, "
            "not the extra sales a recommendation email would bring."
        ),
        page=PAGE_RECOMMEND,
        customers=n,
        link_label=N_("How good is it?"),
        query=(("tab", links.LinkTab.HOW_GOOD),),  # opens that tab (ecomdash.ui.recommend)
    )
