"""Basket analysis: published figures, planted truths, hand-computed cases, guidance."""

from __future__ import annotations

import doctest
import gzip
import importlib
import pkgutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from ecomdash import basket
from ecomdash.errors import InsufficientDataError, ParameterError
from tests.conftest import GROCERIES_PATH, shared


def _lines(baskets: dict[str, list[str]]) -> pd.DataFrame:
    rows = [(o, p) for o, items in baskets.items() for p in items]
    return pd.DataFrame(rows, columns=["order_id", "product_id"])


@pytest.fixture(scope="module")
def groceries() -> pd.DataFrame:
    """Groceries as order lines: one basket per file line, labels kept exactly."""
    rows = []
    with gzip.open(shared(GROCERIES_PATH), "rt", encoding="utf-8") as f:
        for n, line in enumerate(f.read().splitlines()):
            rows += [(str(n), item) for item in line.split(",")]
    return pd.DataFrame(rows, columns=["order_id", "product_id"])


# --- published figures (Hahsler et al.; arules and mlxtend give the same) -------------------


@pytest.mark.slow
def test_groceries_published_itemsets_and_rules(groceries):
    res = basket.mine(groceries, min_support=0.01, min_confidence=0.5, min_lift=0.0)
    assert res.n_baskets == 9835
    assert len(res.itemsets) == 333
    assert len(res.rules) == 15
    top = res.rules.iloc[0]
    assert top["antecedents"] == ("citrus fruit", "root vegetables")
    assert top["consequents"] == ("other vegetables",)
    assert top["support"] == pytest.approx(0.010371, abs=5e-7)
    assert top["confidence"] == pytest.approx(0.586207, abs=5e-7)
    assert top["lift"] == pytest.approx(3.029608, abs=5e-7)
    counts = dict(zip(res.items["item"], res.items["count"], strict=True))
    assert counts["whole milk"] == 2513
    assert counts["other vegetables"] == 1903
    assert counts["rolls/buns"] == 1809
    assert counts["soda"] == 1715
    assert counts["yogurt"] == 1372


@pytest.mark.slow
def test_groceries_labels_with_trailing_space_kept(groceries):
    res = basket.mine(groceries, min_support=0.001, max_len=1)
    assert {"cream cheese ", "roll products "} <= set(res.items["item"])
    assert "cream cheese" not in set(res.items["item"])


@pytest.mark.slow
def test_groceries_frequently_bought_together(groceries):
    # whole milk is the most common partner of almost everything in Groceries
    fbt = basket.frequently_bought_together(groceries, "yogurt", k=3)
    assert fbt["item"].iloc[0] == "whole milk"
    # {whole milk, yogurt} appears in 551 baskets (support 0.056024 in arules)
    assert fbt["together"].iloc[0] == 551
    assert fbt["share"].iloc[0] == pytest.approx(551 / 1372)
    res = basket.mine(groceries, min_support=0.01)
    from_result = basket.frequently_bought_together(res, "yogurt", k=3)
    pd.testing.assert_frame_equal(from_result, fbt)


# --- the demo merchant's planted bundles ----------------------------------------------------


def test_demo_planted_bundles_found_with_their_lift(demo):
    res = basket.mine(demo.lines, min_support=0.005, min_confidence=0.0, min_lift=1.0)
    counts = dict(zip(res.items["item"], res.items["count"], strict=True))
    n = res.n_baskets
    top = set(
        zip(res.rules["antecedents"].head(20), res.rules["consequents"].head(20), strict=True)
    )
    for b in demo.truth.bundles:
        hit = res.rules[
            (res.rules["antecedents"] == (b.antecedent,))
            & (res.rules["consequents"] == (b.consequent,))
        ]
        assert len(hit) == 1, b
        row = hit.iloc[0]
        # delta-method standard error of log(lift) under multinomial sampling of orders
        n_ab, n_a, n_b = row["count"], counts[b.antecedent], counts[b.consequent]
        se = np.sqrt(1 / n_ab - 1 / n_a - 1 / n_b + 1 / n)
        z = (np.log(row["lift"]) - np.log(b.lift)) / se
        assert abs(z) < 4, (b, row["lift"], z)
        assert row["support"] == pytest.approx(b.support, rel=0.15)
        assert row["confidence"] == pytest.approx(b.confidence, rel=0.15)
        # and they are among the strongest rules a merchant sees first
        assert ((b.antecedent,), (b.consequent,)) in top


# --- hand-computed cases --------------------------------------------------------------------


def test_hand_computed_rule_metrics():
    # 5 orders: {a,b} x3, {a} x1, {b,c} x1
    lines = _lines({"1": ["a", "b"], "2": ["a", "b"], "3": ["b", "a"], "4": ["a"], "5": ["c", "b"]})
    res = basket.mine(lines, min_support=0.2, min_confidence=0.0, min_lift=0.0)
    r = {
        (a, c): row
        for a, c, (_, row) in zip(
            res.rules["antecedents"], res.rules["consequents"], res.rules.iterrows(), strict=True
        )
    }
    ab = r[("a",), ("b",)]
    # support 3/5, conf 3/4, lift (3/4)/(4/5), leverage 3/5 - 4/5*4/5, conviction (1-4/5)/(1-3/4)
    assert ab["support"] == pytest.approx(0.6)
    assert ab["confidence"] == pytest.approx(0.75)
    assert ab["lift"] == pytest.approx(0.9375)
    assert ab["leverage"] == pytest.approx(0.6 - 0.64)
    assert ab["conviction"] == pytest.approx(0.8)
    cb = r[("c",), ("b",)]
    assert cb["confidence"] == 1.0
    assert np.isinf(cb["conviction"])
    # default min_lift=1 keeps only rules with lift >= 1: c => b (1.25), b => c (1.25)
    default = basket.mine(lines, min_support=0.2)
    assert set(zip(default.rules["antecedents"], default.rules["consequents"], strict=True)) == {
        (("c",), ("b",)),
        (("b",), ("c",)),
    }


def test_duplicate_lines_count_once_and_returns_excluded():
    lines = pd.DataFrame(
        {
            "order_id": ["1", "1", "1", "2", "2", "C2", "3"],
            "product_id": ["a", "a", "b", "a", "b", "b", "POST"],
            "quantity": [1.0, 2.0, 1.0, 1.0, 1.0, -1.0, 1.0],
            "unit_price": [1.0, 1.0, 2.0, 1.0, 2.0, 2.0, 4.0],
            "is_return": [False, False, False, False, False, True, False],
            "is_non_product": [False] * 6 + [True],
        }
    )
    res = basket.mine(lines, min_support=0.1, min_lift=0.0)
    assert res.n_baskets == 2  # the return and the postage-only order are not baskets
    sets = dict(zip(res.itemsets["itemset"], res.itemsets["count"], strict=True))
    assert sets == {("a",): 2, ("b",): 2, ("a", "b"): 2}
    incl = basket.mine(lines, min_support=0.1, min_lift=0.0, include_non_product=True)
    assert incl.n_baskets == 3
    assert ("POST",) in set(incl.itemsets["itemset"])


def test_customer_day_baskets_merge_same_day_orders_and_keep_guests_apart():
    lines = pd.DataFrame(
        {
            "order_id": ["1", "2", "3", "4", "5"],
            "customer_id": ["x", "x", "x", None, None],
            "order_date": pd.to_datetime(
                ["2024-01-01 09:00", "2024-01-01 17:00", "2024-01-02 10:00", "2024-01-01 11:00"]
                + ["2024-01-01 12:00"]
            ),
            "product_id": ["a", "b", "a", "a", "b"],
        }
    )
    bk = basket.baskets(lines, basket="customer_day")
    # x on Jan 1 (orders 1+2 → {a,b}), x on Jan 2 ({a}), guest orders 4 and 5 separately
    assert bk.n_baskets == 4
    rows = sorted(tuple(bk.items[np.flatnonzero(r)]) for r in bk.matrix.toarray())
    assert rows == [("a",), ("a",), ("a", "b"), ("b",)]
    by_order = basket.baskets(lines)
    assert by_order.n_baskets == 5


def test_baskets_matrix_is_sparse_with_readable_names():
    lines = pd.DataFrame(
        {
            "order_id": ["1", "1", "2", "3"],
            "product_id": ["p2", "p1", "p1", "p1"],
            "product_name": ["Mug", "Tea", "Tea", "tea (old)"],
        }
    )
    bk = basket.baskets(lines)
    assert sparse.issparse(bk.matrix)
    assert bk.items.tolist() == ["p1", "p2"]
    assert bk.names.tolist() == ["Tea", "Mug"]  # most common name per id
    assert bk.matrix.toarray().tolist() == [[True, True], [True, False], [True, False]]
    # the same with plain Python-object columns (no Arrow fast path)
    bk_obj = basket.baskets(lines.astype(object))
    assert bk_obj.names.tolist() == ["Tea", "Mug"]
    assert (bk_obj.matrix != bk.matrix).nnz == 0


def test_category_level_needs_a_category_column():
    lines = _lines({"1": ["a", "b"]})
    with pytest.raises(ParameterError, match="category"):
        basket.mine(lines, level="category")


def test_category_level_rolls_products_up():
    lines = pd.DataFrame(
        {
            "order_id": ["1", "1", "1", "2", "2", "3"],
            "product_id": ["a1", "a2", "b1", "a1", "b2", "a2"],
            "category": ["A", "A", "B", "A", "B", "A"],
        }
    )
    res = basket.mine(lines, min_support=0.5, level="category", min_lift=0.0)
    sets = dict(zip(res.itemsets["itemset"], res.itemsets["count"], strict=True))
    assert sets == {("A",): 3, ("B",): 2, ("A", "B"): 2}


def test_result_does_not_depend_on_line_order(demo):
    lines = demo.lines
    a = basket.mine(lines, min_support=0.004)
    b = basket.mine(lines.sample(frac=1.0, random_state=3), min_support=0.004)
    pd.testing.assert_frame_equal(a.itemsets, b.itemsets)
    pd.testing.assert_frame_equal(a.rules, b.rules)


def test_input_not_mutated(demo):
    lines = demo.lines.head(5000)
    before = lines.copy()
    basket.mine(lines, min_support=0.01, include_non_product=True)
    pd.testing.assert_frame_equal(lines, before)


# --- guidance instead of silence ------------------------------------------------------------


def test_no_itemsets_proposes_a_computed_support():
    # pairs: {a,b} in 3 orders, {a,c} in 2, {b,c} in 1 — out of 10
    lines = _lines(
        {
            **{str(i): ["a", "b"] for i in range(3)},
            **{str(i): ["a", "c"] for i in range(3, 5)},
            "5": ["b", "c"],
            **{str(i): [f"x{i}"] for i in range(6, 10)},
        }
    )
    res = basket.mine(lines, min_support=0.5)
    assert res.itemsets.empty or (res.itemsets["size"] == 1).all()
    assert res.rules.empty
    # 10th most frequent pair does not exist: the last (3rd) pair's support, 1/10
    assert res.suggested_min_support == pytest.approx(0.1)
    assert any("Lower the minimum support to 10\u00a0%" in w for w in res.warnings)
    assert basket.suggest_support(lines, target=1) == pytest.approx(0.3)
    assert basket.suggest_support(lines, target=2) == pytest.approx(0.2)
    # at the suggested support, there are indeed pairs
    again = basket.mine(lines, min_support=res.suggested_min_support)
    assert (again.itemsets["size"] == 2).sum() == 3


def test_itemsets_but_no_rules_says_which_threshold():
    lines = _lines(
        {"1": ["a", "b"], "2": ["a", "b"], "3": ["a"], "4": ["b"], "5": ["a", "c"]}
        | {"6": ["b", "c"], "7": ["c"]}
    )
    # only {a, b} is frequent (2 of 7); a → b and b → a: confidence 2/4, lift 0.5 / (4/7)
    res = basket.mine(lines, min_support=0.2, min_confidence=0.9, min_lift=0.0)
    assert len(res.itemsets) == 4
    assert res.rules.empty
    assert any("confidence 50\u00a0%" in w and "lift is 0.875" in w for w in res.warnings)


def test_explosion_refused_before_counting_with_a_threshold_to_raise():
    # 300 orders holding the same 24 products: 2^24 frequent itemsets at any support
    lines = _lines({str(o): [f"p{i:02d}" for i in range(24)] for o in range(300)})
    with pytest.raises(ParameterError, match="maximum itemset size") as err:
        basket.mine(lines, min_support=0.1)
    assert "too many itemsets" in str(err.value)
    # with max_len the same data is fine
    res = basket.mine(lines, min_support=0.1, max_len=2, min_confidence=0.9)
    assert (res.itemsets["size"] == 2).sum() == 24 * 23 // 2


def test_explosion_message_proposes_a_computed_support():
    # many products each with its own support: raising support removes candidates
    rng = np.random.default_rng(0)
    rows = []
    for o in range(400):
        k = int(rng.integers(60, 120))
        rows += [(str(o), f"p{i:03d}") for i in range(k)]
    lines = pd.DataFrame(rows, columns=["order_id", "product_id"])
    with pytest.raises(
        ParameterError, match="Raise the minimum support to at least [\\d.]+\u00a0%"
    ):
        basket.mine(lines, min_support=0.05)


def test_no_multi_item_baskets_is_insufficient_data():
    lines = _lines({str(i): [f"p{i % 5}"] for i in range(50)})
    with pytest.raises(InsufficientDataError, match="2\\+ distinct products. Found 0 of 50"):
        basket.mine(lines)


def test_few_baskets_warns_that_rules_are_chance():
    lines = _lines({"1": ["a", "b"], "2": ["a", "b"], "3": ["a"]})
    res = basket.mine(lines, min_support=0.3)
    assert any("Only 3 orders" in w for w in res.warnings)


# --- frequently bought together, bundle what-if ---------------------------------------------


def test_frequently_bought_together_hand_computed():
    lines = _lines(
        {
            "1": ["a", "b", "c"],
            "2": ["a", "b"],
            "3": ["a", "c"],
            "4": ["a", "b", "d"],
            "5": ["b"],
            "6": ["d"],
        }
    )
    fbt = basket.frequently_bought_together(lines, "a", k=2)
    assert fbt["item"].tolist() == ["b", "c"]
    assert fbt["together"].tolist() == [3, 2]
    assert fbt["share"].tolist() == pytest.approx([3 / 4, 2 / 4])
    # lift(a→b) = (3/4) / (4/6)
    assert fbt["lift"].iloc[0] == pytest.approx(0.75 / (4 / 6))
    with pytest.raises(ParameterError, match="not in the"):
        basket.frequently_bought_together(lines, "zzz")


def test_bundle_whatif_hand_computed():
    lines = pd.DataFrame(
        {
            "order_id": ["1", "1", "2", "3", "3", "4", "5"],
            "product_id": ["a", "b", "a", "a", "c", "a", "b"],
            "quantity": [1.0, 2.0, 1.0, 1.0, 1.0, 1.0, 1.0],
            "unit_price": [10.0, 4.0, 10.0, 10.0, 3.0, 10.0, 7.0],
            "revenue": [10.0, 8.0, 10.0, 10.0, 3.0, 10.0, 7.0],
        }
    )
    w = basket.bundle_whatif(lines, ["a"], ["b"], share=0.5)
    assert w.n_with_antecedent == 4
    assert w.n_with_both == 1
    assert w.n_antecedent_only == 3
    # B's average price: revenue / units = (8 + 7) / 3 = 5
    assert w.prices["avg_price"].iloc[0] == pytest.approx(5.0)
    assert w.extra_orders == pytest.approx(1.5)
    assert w.extra_revenue == pytest.approx(0.5 * 3 * 5.0)
    with pytest.raises(ParameterError, match="share"):
        basket.bundle_whatif(lines, ["a"], ["b"], share=1.5)
    with pytest.raises(ParameterError, match="no item in common"):
        basket.bundle_whatif(lines, ["a"], ["a"], share=0.1)


def test_doctests():
    # the package's __init__ and every module of it (doctest.testmod skips re-exported names)
    mods = [basket] + [
        importlib.import_module(f"{basket.__name__}.{m.name}")
        for m in pkgutil.iter_modules(basket.__path__)
    ]
    failures = attempted = written = 0
    for mod in mods:
        f, a = doctest.testmod(mod)
        failures, attempted = failures + f, attempted + a
        # every example written in the module ran (none lost to a docstring that is not one,
        # python -OO, or a collection change): count the prompts in the source independently
        source = Path(mod.__file__).read_text(encoding="utf-8")
        written += sum(line.lstrip().startswith(">>> ") for line in source.splitlines())
    assert failures == 0
    assert written >= 8
    assert attempted == written


def test_holdout_check_scores_earlier_rules_on_later_orders():
    rows = []
    # days 1-8 (train): 8 orders {a, b}, 8 orders {c}; days 9-10 (test): 2 {a, b}, 2 {a}, 4 {b, c}
    for d in range(1, 9):
        rows += [(f"t{d}", d, "a"), (f"t{d}", d, "b"), (f"u{d}", d, "c")]
        rows += [(f"v{d}", d, "c")]
    for j, items in enumerate(["ab", "ab", "a", "a", "bc", "bc", "bc", "bc"]):
        rows += [(f"x{j}", 9 + j % 2, it) for it in items]
    lines = pd.DataFrame(rows, columns=["order_id", "day", "product_id"])
    lines["order_date"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(lines["day"] - 1, unit="D")
    h = basket.holdout_check(lines, test_share=0.2, min_support=0.2, min_confidence=0.5)
    assert h.cutoff == pd.Timestamp("2024-01-09")
    assert (h.n_train, h.n_test) == (24, 8)
    rules = {
        (a, c): row
        for a, c, (_, row) in zip(
            h.rules["antecedents"], h.rules["consequents"], h.rules.iterrows(), strict=True
        )
    }
    ab = rules[("a",), ("b",)]
    # later: a in 4 orders, {a, b} in 2 → confidence 0.5; b in 6 of 8 → lift 0.5 / 0.75
    assert ab["confidence_train"] == 1.0
    assert ab["confidence_test"] == pytest.approx(0.5)
    assert ab["lift_test"] == pytest.approx(0.5 / 0.75)
    assert h.share_holding == 0.0  # a ⇒ b and b ⇒ a both fall below chance later
    with pytest.raises(InsufficientDataError, match="order dates"):
        basket.holdout_check(lines.drop(columns="order_date"))


def test_customer_day_lines_without_a_date_are_left_out_with_a_note():
    lines = pd.DataFrame(
        {
            "order_id": ["1", "1", "2", "2"],
            "customer_id": ["x", "x", "y", "y"],
            "order_date": pd.to_datetime(["2024-03-01", "2024-03-01", None, None]),
            "product_id": ["a", "b", "a", "b"],
        }
    )
    res = basket.mine(lines, basket="customer_day", min_support=0.5, min_lift=0.0)
    assert res.n_baskets == 1
    assert any("2 sale lines without" in w for w in res.warnings)


@pytest.mark.parametrize("n", [7, 66, 300, 4_999, 50_032, 1_000_003])
def test_a_written_support_to_type_in_still_does_what_it_says(n):
    """Supports are written in percent with three significant figures. A "lower it to"
    value is cut down, so typed back in (as the page's box and its button do) it still lets
    the suggested count in; a "raise it to at least" value is rounded up, so it still keeps
    the smaller counts out. Neither moves more than 1 % of the value (4.999 % is 4.99 %,
    not 4 %)."""
    from ecomdash.basket.encode import min_count_for

    for c in sorted({1, 2, 3, n // 7, n // 3, n // 2, n - 1, n} - {0}):
        exact = c / n
        down = basket.support_share(exact, towards="down")
        up = basket.support_share(exact, towards="up")
        assert exact * 0.99 <= down.value <= exact, (c, n, str(down))
        assert exact <= up.value <= exact * 1.01, (c, n, str(up))
        assert min_count_for(down.value, n) <= c <= min_count_for(up.value, n), (c, n)
        # what the text says is the value used (no hidden decimals)
        assert float(str(down).replace("\u00a0%", "")) / 100 == pytest.approx(down.value, abs=1e-12)
        assert float(str(up).replace("\u00a0%", "")) / 100 == pytest.approx(up.value, abs=1e-12)
