"""Our miner gives exactly mlxtend's itemsets and rules (mlxtend is the reference).

The reference pipeline is the textbook one, written independently of ecomdash.basket:
order lines → pandas crosstab → dense bool one-hot → ``mlxtend.apriori`` →
``mlxtend.association_rules(metric="confidence")`` → filter on lift.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from mlxtend.frequent_patterns import apriori, association_rules

from ecomdash import basket
from ecomdash.errors import ParameterError


def _generated_lines(seed: int, n_orders: int = 300, n_products: int = 14) -> pd.DataFrame:
    """Small order lines with planted pairs/triples, duplicate lines, returns, postage."""
    rng = np.random.default_rng(seed)
    pop = rng.dirichlet(np.ones(n_products) * 0.7)
    rows = []
    for o in range(n_orders):
        size = int(rng.integers(1, 7))
        items = set(rng.choice(n_products, size=size, replace=False, p=pop).tolist())
        if 0 in items and rng.random() < 0.7:
            items |= {1}  # planted pair
        if 2 in items and rng.random() < 0.6:
            items |= {3, 4}  # planted triple
        cust = f"c{int(rng.integers(0, 60))}"
        day = pd.Timestamp("2024-01-01") + pd.Timedelta(days=int(rng.integers(0, 20)))
        for it in sorted(items):
            rows.append((f"o{o}", cust, day, f"P{it:02d}", f"Product {it}", 1.0, 2.5, False))
            if rng.random() < 0.1:  # the same product on a second line of the order
                rows.append((f"o{o}", cust, day, f"P{it:02d}", f"Product {it}", 2.0, 2.5, False))
        if rng.random() < 0.15:
            rows.append((f"o{o}", cust, day, "POST", "postage", 1.0, 5.0, True))
    df = pd.DataFrame(
        rows,
        columns=[
            "order_id",
            "customer_id",
            "order_date",
            "product_id",
            "product_name",
            "quantity",
            "unit_price",
            "is_non_product",
        ],
    )
    df["is_return"] = False
    df["category"] = [
        "Shipping" if pid == "POST" else f"cat{int(pid[1:]) % 4}" for pid in df["product_id"]
    ]
    # a few returns of real products: excluded from the baskets
    ret = df.sample(n=15, random_state=seed).assign(is_return=True, quantity=-1.0)
    ret["order_id"] = "C" + ret["order_id"]
    return pd.concat([df, ret], ignore_index=True)


def _onehot(lines: pd.DataFrame, basket_col: str | list[str], item_col: str) -> pd.DataFrame:
    sale = lines[~lines["is_return"] & ~lines["is_non_product"] & (lines["quantity"] > 0)]
    key = (
        sale[basket_col].astype(str).agg("|".join, axis=1)
        if isinstance(basket_col, list)
        else sale[basket_col]
    )
    return pd.crosstab(key, sale[item_col]).gt(0)


def _reference(onehot: pd.DataFrame, s: float, c: float, lift: float, max_len: int | None):
    freq = apriori(onehot, min_support=s, use_colnames=True, max_len=max_len)
    return _reference_rules(onehot, freq, c, lift)


def _reference_rules(onehot: pd.DataFrame, freq: pd.DataFrame, c: float, lift: float):
    itemsets = {frozenset(k): v for k, v in zip(freq["itemsets"], freq["support"], strict=True)}
    rules = {}
    if len(freq) and (freq["itemsets"].map(len) > 1).any():
        r = association_rules(freq, num_itemsets=len(onehot), metric="confidence", min_threshold=c)
        r = r[r["lift"] >= lift]
        for row in r.itertuples(index=False):
            rules[(frozenset(row.antecedents), frozenset(row.consequents))] = (
                row.support,
                row[2],  # antecedent support
                row[3],  # consequent support
                row.confidence,
                row.lift,
                row.leverage,
                row.conviction,
            )
    return itemsets, rules


def _ours(result: basket.BasketResult):
    itemsets = {
        frozenset(k): v
        for k, v in zip(result.itemsets["itemset"], result.itemsets["support"], strict=True)
    }
    rules = {}
    for row in result.rules.itertuples(index=False):
        rules[(frozenset(row.antecedents), frozenset(row.consequents))] = (
            row.support,
            row.antecedent_support,
            row.consequent_support,
            row.confidence,
            row.lift,
            row.leverage,
            row.conviction,
        )
    return itemsets, rules


def _assert_same(ours, ref):
    (oi, orules), (ri, rrules) = ours, ref
    assert set(oi) == set(ri)
    for k, v in ri.items():
        assert oi[k] == v, k  # support: same float computation, bit for bit
    assert set(orules) == set(rrules)
    for k, v in rrules.items():
        np.testing.assert_allclose(orules[k], v, rtol=1e-12, atol=0, err_msg=str(k))


SUPPORTS = [0.03, 0.08, 0.2]
CONFIDENCES = [0.0, 0.4, 0.8]
LIFTS = [0.0, 1.0, 1.6]
MAX_LENS = [None, 2, 3]


@pytest.fixture(scope="module")
def generated():
    return {seed: _generated_lines(seed) for seed in (1, 2)}


@pytest.fixture(scope="module")
def apriori_runs(generated):
    """mlxtend apriori once per (seed, support, max_len); rules are scored per test."""
    cache = {}

    def run(seed, s, max_len):
        if (seed, s, max_len) not in cache:
            onehot = _onehot(generated[seed], "order_id", "product_id")
            freq = apriori(onehot, min_support=s, use_colnames=True, max_len=max_len)
            cache[seed, s, max_len] = (onehot, freq)
        return cache[seed, s, max_len]

    return run


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize(
    "s,c,lift,max_len", list(itertools.product(SUPPORTS, CONFIDENCES, LIFTS, MAX_LENS))
)
def test_same_as_mlxtend_by_order(generated, apriori_runs, seed, s, c, lift, max_len):
    lines = generated[seed]
    onehot, freq = apriori_runs(seed, s, max_len)
    ref = _reference_rules(onehot, freq, c, lift)
    res = basket.mine(lines, min_support=s, min_confidence=c, min_lift=lift, max_len=max_len)
    _assert_same(_ours(res), ref)
    assert res.n_baskets == len(onehot)


@pytest.mark.parametrize("s,c", [(0.05, 0.0), (0.1, 0.5), (0.3, 0.2)])
def test_same_as_mlxtend_customer_day(generated, s, c):
    lines = generated[1]
    onehot = _onehot(lines, ["customer_id", "order_date"], "product_id")
    ref = _reference(onehot, s, c, 0.0, None)
    res = basket.mine(lines, min_support=s, min_confidence=c, min_lift=0.0, basket="customer_day")
    _assert_same(_ours(res), ref)
    assert res.n_baskets == len(onehot)


@pytest.mark.parametrize("s,c", [(0.05, 0.0), (0.2, 0.5)])
def test_same_as_mlxtend_category_level(generated, s, c):
    lines = generated[2]
    ref = _reference(_onehot(lines, "order_id", "category"), s, c, 1.0, None)
    res = basket.mine(lines, min_support=s, min_confidence=c, level="category")
    _assert_same(_ours(res), ref)


def test_including_non_product_lines_matches_mlxtend(generated):
    lines = generated[1]
    sale = lines[~lines["is_return"] & (lines["quantity"] > 0)]
    onehot = pd.crosstab(sale["order_id"], sale["product_id"]).gt(0)
    assert "POST" in onehot.columns
    ref = _reference(onehot, 0.05, 0.0, 0.0, None)
    res = basket.mine(lines, min_support=0.05, min_lift=0.0, include_non_product=True)
    _assert_same(_ours(res), ref)
    default = basket.mine(lines, min_support=0.05, min_lift=0.0)
    assert not any("POST" in s for s in default.itemsets["itemset"])


def test_larger_itemsets_same_as_mlxtend():
    """Dense baskets: itemsets of size 4-6 exercise the candidate join and prune."""
    rng = np.random.default_rng(5)
    rows = []
    for o in range(400):
        core = [i for i in range(8) if rng.random() < 0.55]
        extra = [8 + i for i in range(6) if rng.random() < 0.2]
        rows += [(f"o{o}", f"I{i}") for i in core + extra]
    lines = pd.DataFrame(rows, columns=["order_id", "product_id"])
    onehot = pd.crosstab(lines["order_id"], lines["product_id"]).gt(0)
    for s in (0.02, 0.06):
        ref = _reference(onehot, s, 0.3, 0.0, None)
        res = basket.mine(lines, min_support=s, min_confidence=0.3, min_lift=0.0)
        assert res.itemsets["size"].max() >= 5
        _assert_same(_ours(res), ref)


def test_support_boundary_is_inclusive_like_mlxtend():
    # 4 baskets, {a,b} in exactly 1 of 4: support 0.25 must pass min_support=0.25
    lines = pd.DataFrame(
        {"order_id": ["1", "1", "2", "3", "4"], "product_id": ["a", "b", "a", "c", "c"]}
    )
    onehot = pd.crosstab(lines["order_id"], lines["product_id"]).gt(0)
    ref = _reference(onehot, 0.25, 0.0, 0.0, None)
    res = basket.mine(lines, min_support=0.25, min_lift=0.0)
    _assert_same(_ours(res), ref)
    assert frozenset({"a", "b"}) in _ours(res)[0]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"min_support": 0},
        {"min_support": 1.5},
        {"min_support": "0.1"},
        {"min_confidence": -0.1},
        {"min_lift": -1},
        {"max_len": 0},
        {"basket": "week"},
        {"level": "brand"},
    ],
)
def test_bad_parameters_say_what_is_allowed(generated, kwargs):
    with pytest.raises(ParameterError, match="must be"):
        basket.mine(generated[1], **kwargs)


def test_wide_catalogue_same_as_mlxtend():
    """Over 300 frequent items: the pair count runs on column blocks of XᵀX."""
    rng = np.random.default_rng(11)
    rows = []
    for o in range(250):
        items = rng.choice(340, size=int(rng.integers(2, 25)), replace=False)
        rows += [(f"o{o}", f"I{i:03d}") for i in items]
    lines = pd.DataFrame(rows, columns=["order_id", "product_id"])
    onehot = pd.crosstab(lines["order_id"], lines["product_id"]).gt(0)
    ref = _reference(onehot, 0.012, 0.2, 0.0, 3)
    res = basket.mine(lines, min_support=0.012, min_confidence=0.2, min_lift=0.0, max_len=3)
    assert len(res.items) >= 300
    _assert_same(_ours(res), ref)


@pytest.mark.parametrize("n_items", [150, 700, 1300])
def test_pair_counts_equal_brute_force_gram_matrix(n_items):
    rng = np.random.default_rng(n_items)
    n_baskets = 400
    dense = rng.random((n_baskets, n_items)) < rng.uniform(0.002, 0.05, n_items)
    b, i = np.nonzero(dense)  # sorted by basket, then item (what the miner produces)
    a, c, cnt = basket._count_pairs(b, i, n_baskets, n_items, 2)
    g = dense.T.astype(np.int64) @ dense.astype(np.int64)
    ea, ec = np.nonzero(np.triu(g, 1) >= 2)
    np.testing.assert_array_equal(a, ea)
    np.testing.assert_array_equal(c, ec)
    np.testing.assert_array_equal(cnt, g[ea, ec])
