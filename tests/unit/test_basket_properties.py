"""Properties every correct miner has, on random basket data (hypothesis)."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ecomdash import basket

ITEMS = [f"p{i}" for i in range(8)]

basket_lists = st.lists(
    st.lists(st.sampled_from(ITEMS), min_size=1, max_size=6), min_size=3, max_size=60
)


def _lines(baskets: list[list[str]]) -> pd.DataFrame:
    rows = [(str(o), p) for o, items in enumerate(baskets) for p in items]
    return pd.DataFrame(rows, columns=["order_id", "product_id"])


def _mine(baskets, s, c=0.0, lift=0.0):
    return basket.mine(_lines(baskets), min_support=s, min_confidence=c, min_lift=lift)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(baskets=basket_lists, s=st.floats(0.05, 0.6))
def test_support_is_anti_monotone_and_counted_exactly(baskets, s):
    assume(any(len(set(b)) > 1 for b in baskets))  # rejected, not passed: hypothesis counts it
    res = _mine(baskets, s)
    sets = dict(zip(res.itemsets["itemset"], res.itemsets["support"], strict=True))
    n = len(baskets)
    for itemset, sup in sets.items():
        # counted by brute force
        assert sup == sum(set(itemset) <= set(b) for b in baskets) / n
        assert sup >= s
        # every subset is frequent and at least as frequent
        for k in range(1, len(itemset)):
            for sub in itertools.combinations(itemset, k):
                assert sub in sets
                assert sets[sub] >= sup
    # and nothing frequent is missing (brute force over all itemsets of the items seen)
    seen = sorted({p for b in baskets for p in b})
    for k in range(1, 4):
        for cand in itertools.combinations(seen, k):
            if sum(set(cand) <= set(b) for b in baskets) / n >= s:
                assert cand in sets


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    baskets=basket_lists,
    s=st.floats(0.05, 0.5),
    c=st.floats(0.0, 1.0),
    lift=st.floats(0.0, 3.0),
)
def test_rule_metrics_are_consistent(baskets, s, c, lift):
    assume(any(len(set(b)) > 1 for b in baskets))  # rejected, not passed: hypothesis counts it
    res = _mine(baskets, s, c, lift)
    sets = dict(zip(res.itemsets["itemset"], res.itemsets["support"], strict=True))
    for r in res.rules.itertuples(index=False):
        both = tuple(sorted(r.antecedents + r.consequents))
        assert not set(r.antecedents) & set(r.consequents)
        assert r.support == sets[both]
        assert r.antecedent_support == sets[r.antecedents]
        assert r.consequent_support == sets[r.consequents]
        assert np.isclose(r.confidence, r.support / r.antecedent_support)
        assert np.isclose(r.lift, r.confidence / r.consequent_support)
        assert np.isclose(r.leverage, r.support - r.antecedent_support * r.consequent_support)
        if r.confidence < 1:
            assert np.isclose(r.conviction, (1 - r.consequent_support) / (1 - r.confidence))
        else:
            assert np.isinf(r.conviction)
        assert r.confidence >= c
        assert r.lift >= lift
    # the rules table is sorted by lift, strongest first
    assert (np.diff(res.rules["lift"].to_numpy(dtype=float)) <= 1e-12).all()


@settings(max_examples=30, deadline=None)
@given(baskets=basket_lists, s=st.floats(0.05, 0.5), seed=st.integers(0, 1000))
def test_line_order_and_duplicates_do_not_matter(baskets, s, seed):
    assume(any(len(set(b)) > 1 for b in baskets))  # rejected, not passed: hypothesis counts it
    lines = _lines(baskets)
    a = basket.mine(lines, min_support=s, min_lift=0.0)
    shuffled = pd.concat([lines, lines.head(5)]).sample(frac=1.0, random_state=seed)
    b = basket.mine(shuffled, min_support=s, min_lift=0.0)
    pd.testing.assert_frame_equal(a.itemsets, b.itemsets)
    pd.testing.assert_frame_equal(a.rules, b.rules)
