"""Ranking metrics: sanity (perfect → 1, disjoint → 0) first, then hand-computed golden values."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecomdash import metrics as M
from ecomdash.errors import ParameterError

RANKING = [M.precision_at_k, M.recall_at_k, M.hit_rate_at_k, M.ndcg_at_k]


@pytest.mark.parametrize("metric", RANKING)
def test_perfect_predictions_score_one(metric):
    truth = {"u1": {"a", "b"}, "u2": {"c", "d"}}
    preds = {"u1": ["b", "a"], "u2": ["c", "d"]}
    assert metric(truth, preds, 2) == pytest.approx(1.0)


@pytest.mark.parametrize("metric", RANKING)
def test_disjoint_predictions_score_zero(metric):
    truth = {"u1": {"a", "b"}, "u2": {"c"}}
    preds = {"u1": ["x", "y"], "u2": ["z", "w"]}
    assert metric(truth, preds, 2) == 0.0


@pytest.mark.parametrize("metric", RANKING)
def test_missing_customer_counts_as_empty_list(metric):
    truth = {"u1": {"a"}, "u2": {"b"}}
    assert metric(truth, {"u1": ["a"]}, 1) == pytest.approx(0.5)


# Fixture checked by hand (k = 3):
#   u1 truth {a,b,c}, preds a x b  -> hits at ranks 1, 3
#   u2 truth {d},     preds x y z  -> no hit
#   u3 truth {e,f},   preds f e q  -> hits at ranks 1, 2
TRUTH = {"u1": {"a", "b", "c"}, "u2": {"d"}, "u3": {"e", "f"}, "u4": set()}
PREDS = {"u1": ["a", "x", "b", "c"], "u2": ["x", "y", "z"], "u3": ["f", "e", "q"]}


def test_golden_precision_recall_hit_rate():
    # precision: (2/3 + 0 + 2/3) / 3 ; recall: (2/3 + 0 + 2/2) / 3 ; hit rate: 2 of 3
    # (u4 has nothing to find and is not scored; u1's 4th prediction is beyond k)
    assert M.precision_at_k(TRUTH, PREDS, 3) == pytest.approx(4 / 9)
    assert M.recall_at_k(TRUTH, PREDS, 3) == pytest.approx(5 / 9)
    assert M.hit_rate_at_k(TRUTH, PREDS, 3) == pytest.approx(2 / 3)
    assert M.precision_at_k(TRUTH, PREDS, 1) == pytest.approx(2 / 3)


def test_golden_ndcg():
    # u1: DCG = 1/log2(2) + 1/log2(4) = 1.5; IDCG (3 relevant) = 1 + 1/log2(3) + 1/log2(4)
    u1 = 1.5 / (1 + 1 / math.log2(3) + 0.5)
    # u3: both relevant at ranks 1 and 2 = ideal -> 1.0
    expected = (u1 + 0.0 + 1.0) / 3
    assert expected == pytest.approx(0.5679726, abs=1e-6)
    assert M.ndcg_at_k(TRUTH, PREDS, 3) == pytest.approx(expected)


def test_ndcg_ideal_is_capped_at_k():
    # 5 relevant items, k = 2, both top-2 relevant -> 1.0, not 2 hits out of an ideal of 5
    assert M.ndcg_at_k({"u": set("abcde")}, {"u": ["a", "b"]}, 2) == pytest.approx(1.0)


def test_golden_coverage():
    # recommended within top 3 over scored customers: a x b | x y z | f e q -> 8 distinct
    assert M.catalogue_coverage(TRUTH, PREDS, 3, n_items=10) == pytest.approx(0.8)
    assert M.catalogue_coverage(TRUTH, PREDS, 1, n_items=10) == pytest.approx(0.3)


def test_empty_truth_gives_zero():
    assert M.precision_at_k({}, {"u": ["a"]}, 5) == 0.0


@pytest.mark.parametrize("k", [0, -1, 1.5, True, "3"])
def test_bad_k_is_explained(k):
    with pytest.raises(ParameterError, match="'k' parameter"):
        M.precision_at_k({"u": {"a"}}, {"u": ["a"]}, k)


def test_bad_n_items_is_explained():
    with pytest.raises(ParameterError, match="n_items"):
        M.catalogue_coverage({"u": {"a"}}, {"u": ["a"]}, 1, n_items=0)


items = st.sampled_from(list("abcdefghij"))
truths = st.dictionaries(st.sampled_from(["u1", "u2", "u3", "u4"]), st.sets(items, max_size=5))
predictions = st.dictionaries(
    st.sampled_from(["u1", "u2", "u3", "u4"]), st.lists(items, unique=True, max_size=8)
)


@settings(max_examples=200, deadline=None)
@given(truth=truths, preds=predictions, k=st.integers(1, 8))
def test_metric_bounds_and_orderings(truth, preds, k):
    p = M.precision_at_k(truth, preds, k)
    r = M.recall_at_k(truth, preds, k)
    h = M.hit_rate_at_k(truth, preds, k)
    n = M.ndcg_at_k(truth, preds, k)
    for v in (p, r, h, n):
        assert 0.0 <= v <= 1.0 + 1e-12
    # per customer, precision, recall and NDCG are 0 without a hit and at most 1 with one
    assert p <= h + 1e-12 and r <= h + 1e-12 and n <= h + 1e-12
    # a longer list can only find more
    assert M.hit_rate_at_k(truth, preds, k + 1) >= h
    assert M.recall_at_k(truth, preds, k + 1) >= r - 1e-12
