"""The offline test's metrics computed on product numbers (evaluation._ranking_metrics)
against ecomdash.metrics' per-customer Python (the definition), to the last bit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ecomdash import metrics as M
from ecomdash.recommend import evaluation as E


class _Inter:
    """What _relevant reads of Interactions: the product ids and the shape."""

    def __init__(self, products: np.ndarray):
        self.products = pd.Index(products, dtype=object)
        self.shape = (0, len(products))


def _case(seed: int, n_cust: int = 400, n_items: int = 60, k: int = 10):
    rng = np.random.default_rng(seed)
    products = np.array([f"P{i:03d}" for i in range(n_items)], dtype=object)
    ids = [f"C{n:04d}" for n in range(n_cust)]
    # truth in an order of its own (not sorted): the means add in that order
    truth = {}
    for c in rng.permutation(ids):
        size = int(rng.integers(1, 14))
        rel = {f"P{i:03d}" for i in rng.choice(n_items, size=min(size, n_items), replace=False)}
        if rng.random() < 0.3:
            rel.add(f"NEW{rng.integers(5)}")  # bought in the test period only: never listed
        truth[str(c)] = rel
    test_ids = sorted(truth)
    top = np.stack([rng.permutation(n_items)[:k] for _ in test_ids])
    short = rng.random(len(test_ids)) < 0.2  # fewer than k products left to list
    top[short, 6:] = -1
    top[::17, 3] = -1  # a gap inside a list: the ranks after it move up
    return truth, test_ids, top, products


def _definition(truth, test_ids, top, products, k):
    preds = {c: [products[i] for i in row if i >= 0] for c, row in zip(test_ids, top, strict=True)}
    return {
        "precision_at_k": M.precision_at_k(truth, preds, k),
        "recall_at_k": M.recall_at_k(truth, preds, k),
        "hit_rate_at_k": M.hit_rate_at_k(truth, preds, k),
        "ndcg_at_k": M.ndcg_at_k(truth, preds, k),
        "coverage": M.catalogue_coverage(truth, preds, k, n_items=len(products)),
    }


@pytest.mark.parametrize("seed,k", [(0, 10), (1, 10), (2, 3), (3, 1), (4, 20)])
def test_ranking_metrics_equal_the_definition_to_the_bit(seed, k):
    # lists longer than k (k = 3, 1): only each list's first k products count
    truth, test_ids, top, products = _case(seed, k=max(k, 10))
    want = _definition(truth, test_ids, top, products, k)
    rel = E._relevant(truth, test_ids, _Inter(products))
    got = E._ranking_metrics(truth, test_ids, top, rel, products, k)
    assert got == want  # floats compared exactly
    assert 0 < want["hit_rate_at_k"] < 1 and 0 < want["ndcg_at_k"] < 1


def test_ranking_metrics_add_in_truths_order():
    # the order matters to the last bit on this case: added sorted, the recall differs
    truth, test_ids, top, products = _case(5)
    preds = {c: [products[i] for i in row if i >= 0] for c, row in zip(test_ids, top, strict=True)}
    in_sorted_order = M.recall_at_k({c: truth[c] for c in test_ids}, preds, 10)
    want = M.recall_at_k(truth, preds, 10)
    assert in_sorted_order != want
    rel = E._relevant(truth, test_ids, _Inter(products))
    assert E._ranking_metrics(truth, test_ids, top, rel, products, 10)["recall_at_k"] == want


def test_ranking_metrics_by_hand():
    products = np.array(["a", "b", "c", "d"], dtype=object)
    truth = {"y": {"c", "zz"}, "x": {"a"}}
    test_ids = ["x", "y"]
    top = np.array([[1, 0, -1], [-1, 2, 3]])  # x: b, a; y: c, d (c at rank 1)
    rel = E._relevant(truth, test_ids, _Inter(products))
    got = E._ranking_metrics(truth, test_ids, top, rel, products, 3)
    assert got["precision_at_k"] == (1 / 3 + 1 / 3) / 2
    assert got["recall_at_k"] == (1 / 2 + 1 / 1) / 2
    assert got["hit_rate_at_k"] == 1.0
    # x: hit at rank 2 of an ideal 1 -> 1/log2(3); y: hit at rank 1 of an ideal 2
    assert got["ndcg_at_k"] == pytest.approx((1 / np.log2(3) + 1 / (1 + 1 / np.log2(3))) / 2)
    assert got["coverage"] == 4 / 4


def test_a_list_naming_a_product_twice_goes_the_definitions_way():
    truth, test_ids, top, products = _case(6)
    wanted = sorted(truth[test_ids[4]] & set(products))[0]  # a product the customer bought
    top[4, :2] = list(products).index(wanted)
    want = _definition(truth, test_ids, top, products, 10)
    rel = E._relevant(truth, test_ids, _Inter(products))
    assert E._ranking_metrics(truth, test_ids, top, rel, products, 10) == want
