"""The miner against an independent count: every itemset and every rule of small random shops
counted by brute force (itertools over each basket), item counts that split the pair count
into two and three blocks, and each refusal with its computed threshold worked out by hand
(kill mutants of ecomdash/basket/miner.py)."""

from __future__ import annotations

import math
from collections import Counter
from itertools import combinations

import numpy as np
import pandas as pd
import pytest

from ecomdash import basket
from ecomdash.basket import miner
from ecomdash.errors import ParameterError


def _lines(baskets: list[list[str]]) -> pd.DataFrame:
    rows = [(f"o{j}", item) for j, items in enumerate(baskets) for item in items]
    return pd.DataFrame(rows, columns=["order_id", "product_id"])


def _random_baskets(seed: int, n: int, n_items: int, sizes: tuple[int, int]) -> list[list[str]]:
    rng = np.random.default_rng(seed)
    # skewed popularity, so that itemsets of every size are frequent at a 10 % support
    p = 1.0 / np.arange(1, n_items + 1)
    p /= p.sum()
    out = []
    for _ in range(n):
        k = int(rng.integers(sizes[0], sizes[1] + 1))
        out.append(
            [f"i{x:04d}" for x in rng.choice(n_items, size=min(k, n_items), p=p, replace=False)]
        )
    return out


def _brute(baskets: list[list[str]], min_count: int, max_len: int | None) -> Counter:
    """Count of every itemset in at least ``min_count`` baskets, by listing subsets."""
    counts: Counter = Counter()
    for b in baskets:
        items = sorted(set(b))
        top = len(items) if max_len is None else min(max_len, len(items))
        for k in range(1, top + 1):
            counts.update(combinations(items, k))
    return Counter({s: c for s, c in counts.items() if c >= min_count})


def _brute_rules(sets: Counter, n: int) -> dict:
    """Every rule A ⇒ C of every frequent itemset, scored with the textbook formulas."""
    out = {}
    for s, c_ac in sets.items():
        for r in range(1, len(s)):
            for a in combinations(s, r):
                c = tuple(x for x in s if x not in a)
                s_a, s_c, s_ac = sets[a] / n, sets[c] / n, c_ac / n
                conf = c_ac / sets[a]
                conv = math.inf if conf == 1 else (1 - s_c) / (1 - conf)
                out[a, c] = (s_a, s_c, s_ac, c_ac, conf, conf / s_c, s_ac - s_a * s_c, conv)
    return out


@pytest.mark.parametrize(("seed", "max_len"), [(1, None), (2, None), (3, 3), (4, 2)])
def test_every_itemset_and_rule_as_counted_by_brute_force(seed, max_len):
    baskets = _random_baskets(seed, n=80, n_items=9, sizes=(1, 7))
    n = len(baskets)
    res = basket.mine(_lines(baskets), min_support=0.1, min_lift=0.0, max_len=max_len)
    want = _brute(baskets, min_count=8, max_len=max_len)
    got = dict(zip(res.itemsets["itemset"], res.itemsets["count"], strict=True))
    assert got == dict(want)
    assert max(len(s) for s in want) >= (4 if max_len is None else max_len)
    sizes = dict(zip(res.itemsets["itemset"], res.itemsets["size"], strict=True))
    assert all(sizes[s] == len(s) for s in want)
    assert res.itemsets["names"].tolist() == [" + ".join(s) for s in res.itemsets["itemset"]]
    rules = _brute_rules(want, n)
    cols = ["antecedent_support", "consequent_support", "support", "count", "confidence"]
    cols += ["lift", "leverage", "conviction"]
    got_rules = {
        (row.antecedents, row.consequents): tuple(getattr(row, c) for c in cols)
        for row in res.rules.itertuples()
    }
    assert got_rules.keys() == rules.keys()
    for key, values in rules.items():
        assert got_rules[key] == pytest.approx(values), key
    assert res.rules["names"].tolist() == [
        " + ".join(a) + " → " + " + ".join(c)
        for a, c in zip(res.rules["antecedents"], res.rules["consequents"], strict=True)
    ]
    # strongest first: lift, then confidence, then support
    key = list(zip(-res.rules["lift"], -res.rules["confidence"], -res.rules["count"], strict=True))
    assert key == sorted(key)


def test_thresholds_on_rules_of_three_items():
    baskets = _random_baskets(5, n=80, n_items=8, sizes=(2, 6))
    n = len(baskets)
    res = basket.mine(_lines(baskets), min_support=0.1, min_confidence=0.6, min_lift=1.2)
    rules = {
        k: v
        for k, v in _brute_rules(_brute(baskets, 8, None), n).items()
        if v[4] >= 0.6 and v[5] >= 1.2
    }
    assert len(rules) > 0 and any(len(a) + len(c) >= 3 for a, c in rules)
    got = set(zip(res.rules["antecedents"], res.rules["consequents"], strict=True))
    assert got == rules.keys()


@pytest.mark.parametrize("n_items", [350, 1100])  # two and three blocks of items
def test_pairs_among_many_items_as_counted_by_brute_force(n_items):
    rng = np.random.default_rng(n_items)
    baskets = [
        [f"i{x:04d}" for x in rng.choice(n_items, size=int(rng.integers(2, 9)), replace=False)]
        for _ in range(1500)
    ]
    # plant pairs across the blocks: the first with the last item, a middle pair
    last, mid = f"i{n_items - 1:04d}", f"i{n_items // 2:04d}"
    baskets += [["i0000", last]] * 4 + [[mid, last, "i0001"]] * 3
    res = basket.mine(_lines(baskets), min_support=2 / len(baskets), max_len=2, min_lift=0.0)
    want = _brute(baskets, min_count=2, max_len=2)
    got = dict(zip(res.itemsets["itemset"], res.itemsets["count"], strict=True))
    assert got == dict(want)
    assert want["i0000", last] >= 4 and want[mid, last] >= 3


def _abcd() -> pd.DataFrame:
    # abcd twice, abc twice: pairs ab, ac, bc in 4; ad, bd, cd in 2; abc 4, the other triples 2
    return _lines([list("abcd"), list("abcd"), list("abc"), list("abc")])


def test_too_many_pairs_to_count_is_refused_with_the_support_that_fits(monkeypatch):
    five = _lines([list("ab"), list("ab"), list("ba"), list("a"), list("cb")])
    # Σ over baskets of C(items, 2) = 1 + 1 + 1 + 0 + 1 = 4 pairs; at a count of 2, c goes and
    # 3 are left: the smallest count that fits a limit of 3 is 2 (support 2 / 5)
    monkeypatch.setattr(miner, "MAX_PAIR_WORK", 3)
    with pytest.raises(ParameterError) as err:
        basket.mine(five, min_support=0.2)
    assert str(err.value) == (
        "These thresholds would give too many itemsets to compute and read: the baskets hold "
        "this many pairs of frequent products to count: 4 (limit 3) at minimum support 20\u00a0%. "
        "Raise the minimum support to at least 40\u00a0% (items in at least 2 of 5 baskets)."
    )
    monkeypatch.setattr(miner, "MAX_PAIR_WORK", 4)
    assert len(basket.mine(five, min_support=0.2).itemsets) == 5


def test_too_many_candidates_is_refused_with_the_support_that_fits(monkeypatch):
    # candidates of 3: siblings under a (ab, ac, ad: 3 joins), under b (bc, bd: 1) = 4; at a
    # count of 3 only ab, ac, bc remain: 1 join
    monkeypatch.setattr(miner, "MAX_CANDIDATES", 3)
    with pytest.raises(ParameterError) as err:
        basket.mine(_abcd(), min_support=0.5)
    assert str(err.value) == (
        "These thresholds would give too many itemsets to compute and read: 3-item candidate "
        "sets to count: 4 (limit 3) at minimum support 50\u00a0%. Raise the minimum support to at "
        "least 75\u00a0% (items in at least 3 of 4 baskets), or set the maximum itemset size to 2."
    )
    monkeypatch.setattr(miner, "MAX_CANDIDATES", 4)
    res = basket.mine(_abcd(), min_support=0.5)
    assert (
        dict(zip(res.itemsets["itemset"], res.itemsets["count"], strict=True))[("a", "b", "c", "d")]
        == 2
    )


def test_too_much_bit_work_is_refused_after_the_subset_prune(monkeypatch):
    # cd is in only 1 basket of 4 (below 2): candidates abc, abd, acd → acd pruned (cd not
    # frequent); 2 left × 1 word; a budget of 1 needs a count of 3 (only ab, ac, bc: abc)
    lines = _lines([list("abcd"), list("abc"), list("abc"), list("abd")])
    monkeypatch.setattr(miner, "MAX_BIT_WORK", 1)
    with pytest.raises(ParameterError) as err:
        basket.mine(lines, min_support=0.5)
    assert str(err.value) == (
        "These thresholds would give too many itemsets to compute and read: 3-item candidate "
        "sets to count: 2 (limit 1) at minimum support 50\u00a0%. Raise the minimum support to at "
        "least 75\u00a0% (items in at least 3 of 4 baskets), or set the maximum itemset size to 2."
    )
    monkeypatch.setattr(miner, "MAX_BIT_WORK", 2)
    res = basket.mine(lines, min_support=0.5)
    got = dict(zip(res.itemsets["itemset"], res.itemsets["count"], strict=True))
    assert (got[("a", "b", "c")], got[("a", "b", "d")]) == (3, 2)
    assert ("a", "c", "d") not in got


def test_too_many_itemsets_is_refused_with_the_support_that_fits(monkeypatch):
    # 4 items + 6 pairs + 4 triples = 14 itemsets once the triples are counted (so at most
    # 2 items per set fit). The counts of pairs and triples, largest first, 4 4 4 4 2 2 2 ...:
    # the one at index 13 // 2 = 6 is 2, so a count of 3 is proposed (half the limit kept)
    monkeypatch.setattr(miner, "MAX_ITEMSETS", 13)
    with pytest.raises(ParameterError) as err:
        basket.mine(_abcd(), min_support=0.5)
    assert str(err.value) == (
        "These thresholds would give too many itemsets to compute and read: frequent "
        "itemsets found so far: 14 (limit 13) at minimum support 50\u00a0%. Raise the minimum "
        "support to at least 75\u00a0% (items in at least 3 of 4 baskets), or set the maximum "
        "itemset size to 2."
    )
    # a limit of 9: the count at index 9 // 2 = 4 is 2 again, so 3 is proposed (the count at
    # index 9 // 3 = 3 is 4, which would propose 5: more than the 4 baskets)
    monkeypatch.setattr(miner, "MAX_ITEMSETS", 9)
    with pytest.raises(ParameterError) as err:
        basket.mine(_abcd(), min_support=0.5)
    assert str(err.value) == (
        "These thresholds would give too many itemsets to compute and read: frequent "
        "itemsets found so far: 14 (limit 9) at minimum support 50\u00a0%. Raise the minimum "
        "support to at least 75\u00a0% (items in at least 3 of 4 baskets), or set the maximum "
        "itemset size to 2."
    )
    monkeypatch.setattr(miner, "MAX_ITEMSETS", 14)
    # abcd (2) makes 15, past 14, at size 4: at most 3 items then
    with pytest.raises(ParameterError, match="found so far: 15 \\(limit 14\\).*size to 3"):
        basket.mine(_abcd(), min_support=0.5)
    monkeypatch.setattr(miner, "MAX_ITEMSETS", 15)
    assert len(basket.mine(_abcd(), min_support=0.5).itemsets) == 15


def test_suggested_support_restricts_items_until_the_pairs_fit(monkeypatch):
    # the twelve-pair ladder of test_basket_by_hand (pair k in k + 2 of 90 orders) with the
    # postage line in every order: 3 pairs per order, 270 in all. With room for 100, items
    # in fewer than t orders are left out, t = 2, 3, 4, 6, 9, 13: at 13 only x11, y11 and
    # the postage line are left (13 orders × 3 pairs = 39): every pair of them in 13 orders
    rows, o = [], 0
    for k in range(12):
        for _ in range(k + 2):
            rows += [(f"o{o}", f"x{k}", False), (f"o{o}", f"y{k}", False)]
            rows += [(f"o{o}", "POST", True)]
            o += 1
    lines = pd.DataFrame(rows, columns=["order_id", "product_id", "is_non_product"])
    assert basket.suggest_support(lines, include_non_product=True) == pytest.approx(10 / 90)
    # with room for 228 (the orders of pairs 4-11: 76 × 3), t stops at 6: the 24 pairs of
    # x4..x11, y4..y11 and POST; the 30th wanted, the last (in 6 orders) is proposed, where
    # all 36 pairs would give the 30th: in 4 orders
    assert basket.suggest_support(lines, target=30, include_non_product=True) == pytest.approx(
        4 / 90
    )
    monkeypatch.setattr(miner, "MAX_PAIR_WORK", 100)
    got = basket.suggest_support(lines, include_non_product=True)
    assert got == pytest.approx(13 / 90)
    monkeypatch.setattr(miner, "MAX_PAIR_WORK", 228)
    got = basket.suggest_support(lines, target=30, include_non_product=True)
    assert got == pytest.approx(6 / 90)


def test_too_many_rules_to_score_names_the_size_or_the_support(monkeypatch):
    # _abcd at support 0.5: 6 pairs × 2 + 4 triples × 6 + abcd × 14 = 50 (itemset,
    # antecedent) pairs to score; with max_len 3: 36; with max_len 2: 12. No support is
    # computed for this refusal: the size, or else the support, is what to change.
    from ecomdash.basket import mining

    cases = [
        (None, 49, "50 (limit 49)", "Set the maximum itemset size to 3."),
        (3, 35, "36 (limit 35)", "Set the maximum itemset size to 2."),
        (2, 11, "12 (limit 11)", "Raise the minimum support."),
    ]
    for max_len, limit, counts, fix in cases:
        monkeypatch.setattr(mining, "MAX_RULE_CANDIDATES", limit)
        with pytest.raises(ParameterError) as err:
            basket.mine(_abcd(), min_support=0.5, max_len=max_len)
        assert str(err.value) == (
            "These thresholds would give too many itemsets to compute and read: rules to "
            f"score: {counts} at minimum support 50\u00a0%. {fix}"
        )
        monkeypatch.setattr(mining, "MAX_RULE_CANDIDATES", limit + 1)
        assert len(basket.mine(_abcd(), min_support=0.5, max_len=max_len).itemsets) > 4


def test_a_support_of_every_basket_is_still_proposed(monkeypatch):
    # abcd in all 4 baskets: 4 candidates of 3 at any count; none fits 3, so the count
    # proposed is the highest, 4 of 4 (support 1)
    monkeypatch.setattr(miner, "MAX_CANDIDATES", 3)
    with pytest.raises(ParameterError) as err:
        basket.mine(_lines([list("abcd")] * 4), min_support=0.5)
    assert str(err.value).endswith(
        "Raise the minimum support to at least 100\u00a0% (items in at least 4 of 4 baskets), or set "
        "the maximum itemset size to 2."
    )


def test_triples_in_more_baskets_than_one_word_holds(monkeypatch):
    # 65 baskets can hold a triple: two 64-bit words per item
    res = basket.mine(_lines([list("abc")] * 65 + [["a"]]), min_support=0.5, min_lift=0.0)
    got = dict(zip(res.itemsets["itemset"], res.itemsets["count"], strict=True))
    assert got[("a", "b", "c")] == 65 and got[("a",)] == 66
    assert res.itemsets["count"].dtype == np.int64 and res.items["count"].dtype == np.int64
    assert res.rules["count"].dtype == np.int64
    # one candidate × 2 words is past a bit budget of 1 (0 candidates): even at the highest
    # count (65 of 66: ab, ac and bc still join), so the highest count is proposed
    monkeypatch.setattr(miner, "MAX_BIT_WORK", 1)
    with pytest.raises(ParameterError) as err:
        basket.mine(_lines([list("abc")] * 65 + [["a"]]), min_support=0.5)
    assert str(err.value).endswith(
        "3-item candidate sets to count: 1 (limit 0) at minimum support 50\u00a0%. Raise the "
        "minimum support to at least 98.5\u00a0% (items in at least 65 of 66 baskets), or set the "
        "maximum itemset size to 2."
    )


def test_strongest_rule_over_every_rule_and_no_rules_keeps_its_columns():
    # z in 10 of 12, a in 5 with z in 4: a ⇒ z has the highest confidence, 0.8, but a lift
    # of 0.8 / (10/12) = 0.96 < 1; b ⇒ c (1 of b's 2, c in 2 of 12) the highest lift, 3
    baskets = [list("az")] * 4 + [["a"], list("bc"), list("zb"), list("zc")] + [["z"]] * 4
    res = basket.mine(_lines(baskets), min_support=0.05, min_confidence=0.9, min_lift=0.0)
    assert res.rules.empty and list(res.rules.columns) == list(miner.RULE_COLUMNS)
    assert res.warnings[-1] == (
        "4 itemsets were found but no rule reaches confidence 90\u00a0% and lift 0. The strongest "
        "rule has confidence 80\u00a0% and the highest lift is 3.000: lower the thresholds to "
        "those values to see rules."
    )
    # with a frequent triple (abc in 3 of 4, a and b in all 4): every rule has lift 1, and
    # c ⇒ a (or a + b) confidence 1; the 4 itemsets are ab, ac, bc, abc
    res = basket.mine(_lines([list("abc")] * 3 + [list("ab")]), min_support=0.5, min_lift=2.0)
    assert res.rules.empty
    assert res.warnings[-1] == (
        "4 itemsets were found but no rule reaches confidence 0\u00a0% and lift 2. The strongest "
        "rule has confidence 100\u00a0% and the highest lift is 1.000: lower the thresholds to "
        "those values to see rules."
    )


def test_suggested_support_counts_pairs_seen_once_and_steps_through_three(monkeypatch):
    # a 3, b 3, c 2; pairs ab 2, ac 1, bc 1: the last of fewer than 10 is in 1 of 4
    four = _lines([list("ab"), list("ab"), list("ac"), list("bc")])
    assert basket.suggest_support(four) == pytest.approx(1 / 4)
    # the ladder with room for 264: items in 3+ orders fit (88 orders × 3 pairs = 264): 33
    # pairs, the last in 3 orders
    rows, o = [], 0
    for k in range(12):
        for _ in range(k + 2):
            rows += [(f"o{o}", f"x{k}", False), (f"o{o}", f"y{k}", False)]
            rows += [(f"o{o}", "POST", True)]
            o += 1
    lines = pd.DataFrame(rows, columns=["order_id", "product_id", "is_non_product"])
    monkeypatch.setattr(miner, "MAX_PAIR_WORK", 264)
    got = basket.suggest_support(lines, target=36, include_non_product=True)
    assert got == pytest.approx(3 / 90)


def test_a_sure_rule_onto_an_item_in_every_basket_has_infinite_conviction():
    # {a, c} ×2, {b, c}: c is in every basket. a ⇒ c and b ⇒ c hold every time
    # (confidence 1): conviction (1 - 1) / (1 - 1) is mlxtend's inf, not 0 / 0
    res = basket.mine(_lines([["a", "c"], ["a", "c"], ["b", "c"]]), min_support=0.3, min_lift=0.0)
    got = {
        (r.antecedents, r.consequents): (r.confidence, r.conviction) for r in res.rules.itertuples()
    }
    # c ⇒ a: confidence 2/3, conviction (1 - 2/3) / (1 - 2/3) = 1; c ⇒ b: 1/3, (2/3) / (2/3)
    assert got.keys() == {(("a",), ("c",)), (("b",), ("c",)), (("c",), ("a",)), (("c",), ("b",))}
    assert got[(("a",), ("c",))] == (1.0, math.inf)
    assert got[(("b",), ("c",))] == (1.0, math.inf)
    assert got[(("c",), ("a",))] == pytest.approx((2 / 3, 1.0))
    assert got[(("c",), ("b",))] == pytest.approx((1 / 3, 1.0))


def test_a_maximum_size_of_four_still_counts_the_quadruples():
    # {a, b, c, d} ×3 and {a, b}: every subset of abcd is in 3 of 4 baskets ({a, b} in 4)
    res = basket.mine(_lines([list("abcd")] * 3 + [["a", "b"]]), min_support=0.5, max_len=4)
    by_size = res.itemsets.groupby("size")["count"].apply(list).to_dict()
    assert by_size == {1: [4, 4, 3, 3], 2: [4, 3, 3, 3, 3, 3], 3: [3, 3, 3, 3], 4: [3]}


def test_more_sets_than_one_chunk_of_bitsets_are_all_counted():
    # Bitsets are ANDed ~1 MB at a time: chunk = 2**20 // (8 × words) sets per step. Every
    # triple of 15 items is a basket shape, triple t (in itertools order) in 380 + 10 × (t % 5)
    # baskets: 182,000 baskets of three items, 2,844 words, chunks of 46 sets, fewer than the
    # 105 pairs and the 455 triples. Each triple's count is its own number of baskets; each
    # pair's is the sum over the 13 triples holding it (all frequent at a count of 380).
    triples = np.array(list(combinations(range(15), 3)), dtype=np.int64)
    reps = 380 + 10 * (np.arange(len(triples)) % 5)
    n = int(reps.sum())
    assert n == 182_000
    assert (1 << 20) // (8 * ((n + 63) // 64)) == 46
    b = np.repeat(np.arange(n, dtype=np.int64), 3)
    i = np.repeat(triples, reps, axis=0).ravel()
    item_count: Counter = Counter()
    pair_count: Counter = Counter()
    for t, w in zip(map(tuple, triples), reps.tolist(), strict=True):
        for x in t:
            item_count[x] += w
        for p in combinations(t, 2):
            pair_count[p] += w
    levels = miner._mine_levels(b, i, n, 15, 380, 3, 380 / n, [])
    assert len(levels) == 3
    assert levels[0].counts.tolist() == [item_count[x] for x in range(15)]
    assert [tuple(s) for s in levels[1].sets.tolist()] == list(combinations(range(15), 2))
    assert levels[1].counts.tolist() == [pair_count[p] for p in combinations(range(15), 2)]
    assert levels[2].sets.tolist() == triples.tolist()
    assert levels[2].counts.tolist() == reps.tolist()
