"""Basket analysis on baskets small enough to count by hand: the result's tables, counts and
guidance, and every wording of the "nothing to analyse" errors (kills mutants of
ecomdash/basket/mining.py and holdout.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from ecomdash import basket
from ecomdash.basket.mining import check_baskets
from ecomdash.errors import InsufficientDataError, ParameterError


def _lines(baskets: list[str]) -> pd.DataFrame:
    """One order per string, one line per letter."""
    rows = [(f"o{j}", item) for j, items in enumerate(baskets) for item in items]
    return pd.DataFrame(rows, columns=["order_id", "product_id"])


def _by_day(baskets: list[str]) -> pd.DataFrame:
    """One customer-day per string: customer cj on 2024-01-0(j+1), one order per line."""
    rows = [
        (f"o{j}-{n}", f"c{j}", pd.Timestamp("2024-01-01") + pd.Timedelta(days=j), item)
        for j, items in enumerate(baskets)
        for n, item in enumerate(items)
    ]
    return pd.DataFrame(rows, columns=["order_id", "customer_id", "order_date", "product_id"])


FIVE = ["ab", "ab", "ba", "a", "cb"]  # a in 4, b in 4, c in 1; {a,b} in 3, {b,c} in 1


def test_five_baskets_tables_by_hand():
    res = basket.mine(_lines(FIVE), min_support=0.2, min_lift=0.0)
    assert (res.n_baskets, res.n_multi_item_baskets, res.min_count) == (5, 4, 1)
    # itemsets: most frequent first, ties in the order found (size, then ids)
    its = res.itemsets
    assert list(its["itemset"]) == [("a",), ("b",), ("a", "b"), ("c",), ("b", "c")]
    assert list(its["count"]) == [4, 4, 3, 1, 1]
    assert list(its["size"]) == [1, 1, 2, 1, 2]
    assert list(its["support"]) == pytest.approx([0.8, 0.8, 0.6, 0.2, 0.2])
    assert list(its["names"]) == ["a", "b", "a + b", "c", "b + c"]
    items = res.items
    assert list(items.columns) == ["item", "name", "count", "support"]
    assert list(items["item"]) == ["a", "b", "c"]
    assert list(items["count"]) == [4, 4, 1]
    assert list(items["support"]) == pytest.approx([0.8, 0.8, 0.2])
    # rules: a => b conf 3/4 lift (3/4)/(4/5); c => b conf 1 lift 1/(4/5); b => c conf 1/4
    rules = {
        (a, c): (conf, lift)
        for a, c, conf, lift in zip(
            res.rules["antecedents"],
            res.rules["consequents"],
            res.rules["confidence"],
            res.rules["lift"],
            strict=True,
        )
    }
    assert rules.keys() == {(("a",), ("b",)), (("b",), ("a",)), (("c",), ("b",)), (("b",), ("c",))}
    assert rules[("a",), ("b",)] == pytest.approx((0.75, 0.9375))
    assert rules[("c",), ("b",)] == pytest.approx((1.0, 1.25))
    assert rules[("b",), ("c",)] == pytest.approx((0.25, 1.25))
    assert res.params == {
        "min_support": 0.2,
        "min_confidence": 0.0,
        "min_lift": 0.0,
        "max_len": None,
        "basket": "order",
        "level": "product",
        "include_non_product": False,
    }
    assert res.suggested_min_support is None
    assert res.warnings == (
        "Only 5 orders: rules from so few baskets are mostly chance. Treat them as ideas to "
        "test, not facts.",
        "A minimum support of 20\u00a0% lets an itemset in by appearing in only 1 order; rules "
        "resting on so few baskets are unreliable.",
    )
    assert res.timings[0][0] == "build baskets" and res.timings[-1][0] == "rules"
    assert all(seconds >= 0 for _, seconds in res.timings) and res.elapsed >= 0


def test_thresholds_filter_rules_at_equality():
    # min_confidence 0.75 keeps a => b (exactly 0.75) and c => b (1); lift >= 1.25 keeps
    # c => b and b => c only
    res = basket.mine(_lines(FIVE), min_support=0.2, min_confidence=0.75, min_lift=0.0)
    pairs = set(zip(res.rules["antecedents"], res.rules["consequents"], strict=True))
    assert pairs == {(("a",), ("b",)), (("b",), ("a",)), (("c",), ("b",))}
    res = basket.mine(_lines(FIVE), min_support=0.2, min_lift=1.25)
    pairs = set(zip(res.rules["antecedents"], res.rules["consequents"], strict=True))
    assert pairs == {(("c",), ("b",)), (("b",), ("c",))}
    # max_len 1: single items only, and no advice about pairs
    res = basket.mine(_lines(FIVE), min_support=0.2, max_len=1)
    assert set(res.itemsets["size"]) == {1} and res.rules.empty
    assert res.suggested_min_support is None
    assert res.params["max_len"] == 1


def test_customer_day_guidance_speaks_of_customer_days():
    res = basket.mine(_by_day(FIVE), basket="customer_day", min_support=0.2, min_lift=0.0)
    assert res.n_baskets == 5
    assert res.warnings == (
        "Only 5 customer-days: rules from so few baskets are mostly chance. Treat them as "
        "ideas to test, not facts.",
        "A minimum support of 20\u00a0% lets an itemset in by appearing in only 1 customer-day; "
        "rules resting on so few baskets are unreliable.",
    )
    # no pair reaches 0.7 (4 of 5): pairs are counted among the items in 2+ baskets (a, b;
    # c is in one), so the only pair, and the last of fewer than 10, is {a, b}: 3 of 5
    res = basket.mine(_by_day(FIVE), basket="customer_day", min_support=0.7)
    assert res.suggested_min_support == pytest.approx(0.6)
    assert res.warnings[-1] == (
        "No set of two or more items reaches a support of 70\u00a0% (in 4 of 5 customer-days). "
        "Lower the minimum support to 60\u00a0% (appears in 3 customer-days) to see at least 10 "
        "pairs."
    )


def test_no_pair_frequent_by_order_says_how_many_orders():
    res = basket.mine(_lines(FIVE), min_support=0.7)
    assert res.warnings[-1] == (
        "No set of two or more items reaches a support of 70\u00a0% (in 4 of 5 orders). "
        "Lower the minimum support to 60\u00a0% (appears in 3 orders) to see at least 10 pairs."
    )
    assert list(res.itemsets["itemset"]) == [("a",), ("b",)]


def test_strongest_rule_is_proposed_when_thresholds_leave_none():
    # {a, b} frequent; a => b 0.75, b => a 0.75, c => b 1 (lift 1.25): confidence 1.01 is
    # impossible, so the strongest confidence (1.000) and lift (1.250) are proposed
    res = basket.mine(_lines(FIVE), min_support=0.2, min_confidence=1.0, min_lift=1.3)
    assert res.rules.empty
    assert res.warnings[-1] == (
        "2 itemsets were found but no rule reaches confidence 100\u00a0% and lift 1.3. The "
        "strongest rule has confidence 100\u00a0% and the highest lift is 1.250: lower the thresholds to "
        "those values to see rules."
    )


def test_at_ten_baskets_per_itemset_no_reliability_warning():
    # 10 copies of FIVE: 50 orders, min_support 0.2 -> min count 10: no "only ... orders"
    res = basket.mine(_lines(FIVE * 10), min_support=0.2, min_lift=0.0)
    assert res.min_count == 10
    assert not any("lets an itemset in" in w for w in res.warnings)
    # min count 9 (0.18 x 50): warned
    res = basket.mine(_lines(FIVE * 10), min_support=0.18, min_lift=0.0)
    assert res.min_count == 9
    assert any("appearing in only 9 orders" in w for w in res.warnings)


@pytest.mark.parametrize("by", ["order", "customer_day"])
@pytest.mark.parametrize("level", ["product", "category"])
@pytest.mark.parametrize("non_product", [False, True])
def test_nothing_to_analyse_says_what_was_removed(by, level, non_product):
    noun = "orders" if by == "order" else "customer-days"
    removed = (
        "returns and cancelled sales."
        if non_product
        else "returns, cancelled sales and non-product lines."
    )
    with pytest.raises(InsufficientDataError) as err:
        check_baskets(0, 0, basket=by, level=level, include_non_product=non_product)
    assert str(err.value) == (
        f"Basket analysis found no {noun} to analyse: 0 sale lines with a {level} after "
        f"removing {removed} Check the global filters and that the file has sale lines."
    )
    with pytest.raises(InsufficientDataError) as err:
        check_baskets(1234, 0, basket=by, level=level, include_non_product=non_product)
    items = "products" if level == "product" else "categories"
    assert str(err.value) == (
        f"Basket analysis needs {noun} with 2+ distinct {items}. Found 0 of 1,234 {noun}. "
        "Check that the order id column is mapped to the invoice number, not the line "
        "number, or try basket = customer-day."
    )
    assert check_baskets(1, 1, basket=by, level=level, include_non_product=non_product) is None


def test_only_returns_is_nothing_to_analyse():
    lines = _lines(["ab", "c"]).assign(quantity=-1.0, is_return=True)
    with pytest.raises(InsufficientDataError, match="found no orders to analyse: 0 sale lines"):
        basket.mine(lines)


@pytest.mark.parametrize("by", ["order", "customer_day"])
@pytest.mark.parametrize("level", ["product", "category"])
def test_no_pair_among_repeated_items_says_there_are_no_rules(by, level):
    # a and b share a basket but are each bought once; c, bought twice, is never with
    # another item: no pair of items bought in 2+ baskets, so no support to propose
    lines = _lines(["ab", "c", "c"]) if by == "order" else _by_day(["ab", "c", "c"])
    if level == "category":
        lines["category"] = lines["product_id"].str.upper()
    res = basket.mine(lines, basket=by, level=level, min_support=0.5)
    assert res.suggested_min_support is None
    items = "products" if level == "product" else "categories"
    where = "order" if by == "order" else "customer-day"
    assert res.warnings[-1] == (
        f"No two {items} were ever bought together in the same {where}: there are no rules to find."
    )


def _ladder() -> pd.DataFrame:
    """Twelve pairs {xk, yk}, k = 0..11, each in k + 2 orders of its own (90 orders), plus a
    postage line (non-product) in every order."""
    rows, o = [], 0
    for k in range(12):
        for _ in range(k + 2):
            rows += [(f"o{o}", f"x{k}", False), (f"o{o}", f"y{k}", False)]
            rows += [(f"o{o}", "POST", True)]
            o += 1
    return pd.DataFrame(rows, columns=["order_id", "product_id", "is_non_product"])


def test_suggested_support_is_the_tenth_pair_by_default():
    lines = _ladder()
    # pair counts 13, 12, ..., 2 of 90 orders: the 10th most frequent is in 4, the 11th in 3
    assert basket.suggest_support(lines) == pytest.approx(4 / 90)
    assert basket.suggest_support(lines, target=11) == pytest.approx(3 / 90)
    assert basket.suggest_support(lines, target=12) == pytest.approx(2 / 90)
    assert basket.suggest_support(lines, target=50) == pytest.approx(2 / 90)  # the last pair
    # with the postage line, {POST, yk} and {POST, xk} pair up too: 13, 13, 13, 12, 12, 12, ...
    got = basket.suggest_support(lines, target=10, include_non_product=True)
    assert got == pytest.approx(10 / 90)
    # no sale line left: nothing to suggest
    assert basket.suggest_support(lines.assign(is_non_product=True)) is None
    # in the miner too: nothing reaches 0.5, the 10th pair's support is proposed
    res = basket.mine(lines, min_support=0.5)
    assert res.suggested_min_support == pytest.approx(4 / 90)


def test_threshold_errors_name_the_parameter_and_its_range():
    lines = _lines(FIVE)
    cases = [
        ({"min_support": 0.0}, "'min_support' parameter of basket.mine", "(0, 1]", "0.0"),
        ({"min_support": 1.5}, "'min_support' parameter of basket.mine", "(0, 1]", "1.5"),
        ({"min_confidence": -0.1}, "'min_confidence' parameter", "[0, 1]", "-0.1"),
        ({"min_confidence": 1.01}, "'min_confidence' parameter", "[0, 1]", "1.01"),
        ({"min_lift": -1}, "'min_lift' parameter of basket.mine", "[0, inf)", "-1"),
        ({"max_len": 0}, "'max_len' parameter of basket.mine", "[1, inf)", "0"),
    ]
    for kw, name, rng, value in cases:
        with pytest.raises(ParameterError) as err:
            basket.mine(lines, **kw)
        assert name in str(err.value) and rng in str(err.value), kw
        assert f"Got {value} instead." in str(err.value), kw
    # the bounds themselves are allowed: support 1, confidence 0 and 1, lift 0, max_len 1
    assert basket.mine(lines, min_support=1.0).n_baskets == 5
    res = basket.mine(lines, min_support=0.2, min_confidence=1.0, min_lift=0.0)
    assert set(res.rules["confidence"]) == {1.0}
    assert basket.mine(lines, min_support=0.2, max_len=1).params["max_len"] == 1
    with pytest.raises(ParameterError, match="'target' parameter of suggest_support"):
        basket.suggest_support(lines, target=0)
    with pytest.raises(ParameterError, match="'basket' parameter of suggest_support"):
        basket.suggest_support(lines, basket="week")


def _dated(orders: list[tuple[int, str]]) -> pd.DataFrame:
    """(day of January 2024, items) per order; items are single characters."""
    rows = [
        (f"o{j}", pd.Timestamp("2024-01-01") + pd.Timedelta(days=day - 1), item)
        for j, (day, items) in enumerate(orders)
        for item in items
    ]
    return pd.DataFrame(rows, columns=["order_id", "order_date", "product_id"])


def test_holdout_by_hand():
    # earlier: {0,a,b} day 1, {a,b} day 2, {c,d} day 3; later: {a,A} and {b} day 4,
    # {a,b} and {c,d} day 5 ("0" never sold later, "A" never before)
    lines = _dated([(1, "0ab"), (2, "ab"), (3, "cd"), (4, "aA"), (4, "b"), (5, "ab"), (5, "cd")])
    # 14 line days 1,1,1,2,2,3,3,4,4,4,5,5,5,5: the 60 % quantile is at position 7.8 -> day 4
    h = basket.holdout_check(lines, test_share=0.4, min_support=0.3, max_len=2)
    assert h.cutoff == pd.Timestamp("2024-01-04")
    assert (h.n_train, h.n_test, h.n_rules) == (3, 4, 8)
    assert list(h.rules.columns) == [
        "names",
        "antecedents",
        "consequents",
        "confidence_train",
        "confidence_test",
        "lift_train",
        "lift_test",
        "count_test",
    ]
    got = {
        (a[0], c[0]): (ct, lt, n)
        for a, c, ct, lt, n in zip(
            h.rules["antecedents"],
            h.rules["consequents"],
            h.rules["confidence_test"],
            h.rules["lift_test"],
            h.rules["count_test"],
            strict=True,
        )
    }
    nan = float("nan")
    # later: a in 2 of 4, b in 2, {a,b} in 1, c 1, d 1, {c,d} 1, "0" in none
    expected = {
        ("a", "b"): (0.5, 0.5 / (2 / 4), 1),  # lift exactly 1: not holding
        ("b", "a"): (0.5, 0.5 / (2 / 4), 1),
        ("c", "d"): (1.0, 1.0 / (1 / 4), 1),
        ("d", "c"): (1.0, 1.0 / (1 / 4), 1),
        ("0", "a"): (nan, nan, 0),  # "0" never bought later: no confidence
        ("a", "0"): (0.0, nan, 0),  # ... and no lift for a => 0
        ("0", "b"): (nan, nan, 0),
        ("b", "0"): (0.0, nan, 0),
    }
    assert got.keys() == expected.keys()
    for key, (conf, lift, n) in expected.items():
        assert got[key][0] == pytest.approx(conf, nan_ok=True), key
        assert got[key][1] == pytest.approx(lift, nan_ok=True), key
        assert got[key][2] == n, key
    train = dict(
        zip(
            zip(h.rules["antecedents"], h.rules["consequents"], strict=True),
            h.rules["confidence_train"],
            strict=True,
        )
    )
    assert train[("a",), ("0",)] == pytest.approx(0.5) and train[("0",), ("a",)] == 1.0
    # earlier lifts: {c, d} in 1 of 3 with c, d in 1 each -> 3; every other pair 1.5
    pairs = zip(h.rules["antecedents"], h.rules["consequents"], strict=True)
    lift_train = [3.0 if a + c in (("c", "d"), ("d", "c")) else 1.5 for a, c in pairs]
    assert h.rules["lift_train"].tolist() == pytest.approx(lift_train)
    assert h.share_holding == pytest.approx(2 / 8)  # c => d and d => c
    # train confidences .5 .5 1 1 1 1 1 1; later (NaN left out) 0 0 .5 .5 1 1
    assert h.median_confidence_train == pytest.approx(1.0)
    assert h.median_confidence_test == pytest.approx(0.5)
    assert h.warnings[-1] == "Only 4 baskets from 4 January 2024 on: the check itself is rough."
    # the thresholds reach the miner: support 0.5 (2 of 3) keeps {a, b} only; confidence
    # 0.75 drops a => 0 and b => 0 (0.5)
    h = basket.holdout_check(lines, test_share=0.4, min_support=0.5, max_len=2)
    assert h.n_rules == 2 and set(h.rules["names"]) == {"a → b", "b → a"}
    h = basket.holdout_check(lines, test_share=0.4, min_support=0.3, max_len=2, min_confidence=0.75)
    assert h.n_rules == 6
    # the defaults: support 0.01, every itemset size; {0, a, b} brings 6 more rules
    h = basket.holdout_check(lines, test_share=0.4)
    assert h.n_rules == 8 + 6 and h.cutoff == pd.Timestamp("2024-01-04")


def test_holdout_without_rules_and_on_one_day():
    lines = _dated([(1, "ab"), (1, "ab"), (1, "cd"), (2, "ab"), (3, "ab")])
    # 10 line days 1 x6, 2 x2, 3 x2: the 75 % quantile is day 2 (position 6.75)
    h = basket.holdout_check(lines, test_share=0.25, min_support=0.3, min_lift=10.0)
    assert h.cutoff == pd.Timestamp("2024-01-02")
    assert (h.n_train, h.n_test, h.n_rules) == (3, 2, 0)
    assert h.share_holding is None
    # the miner's own guidance is passed on (3 earlier orders)
    assert h.warnings[0].startswith("Only 3 orders: rules from so few baskets")
    assert h.median_confidence_train is None and h.median_confidence_test is None
    assert h.rules.empty
    assert list(h.rules.columns) == [
        "names",
        "antecedents",
        "consequents",
        "confidence_train",
        "confidence_test",
        "lift_train",
        "lift_test",
        "count_test",
    ]
    # the median (position 4.5) falls on the first day: the cut-off moves one day later
    h = basket.holdout_check(lines, test_share=0.5, min_support=0.3)
    assert h.cutoff == pd.Timestamp("2024-01-02") and h.n_test == 2
    # everything on one day: no later basket
    one_day = _dated([(1, "ab"), (1, "ab")])
    with pytest.raises(InsufficientDataError) as err:
        basket.holdout_check(one_day)
    assert "both sides of 2 January 2024; found 0 later baskets" in str(err.value)
    with pytest.raises(ParameterError, match=r"'test_share' parameter of basket.holdout_check"):
        basket.holdout_check(lines, test_share=0.0)


def test_holdout_by_customer_day_and_without_non_product_lines():
    # customer-days (one order per line): earlier {a,b} x2 (days 1, 2), later {a,b} (day 3)
    # and {a} (day 4); a postage line on day 4 (another customer) must not count unless
    # asked for
    lines = _by_day(["ab", "ab", "ab", "a"])
    post = lines.iloc[[-1]].assign(
        order_id="post", customer_id="cP", product_id="P", is_non_product=True
    )
    lines = pd.concat([lines.assign(is_non_product=False), post], ignore_index=True)
    # 8 line days 1,1,2,2,3,3,4,4 (postage included): the 75 % quantile is at position
    # 5.25, day 3.25 -> day 3
    h = basket.holdout_check(lines, basket="customer_day", test_share=0.25, min_support=0.5)
    assert h.cutoff == pd.Timestamp("2024-01-03")
    assert (h.n_train, h.n_test) == (2, 2)  # 3 product orders later (4 with postage)
    got = dict(zip(h.rules["names"], h.rules["confidence_test"], strict=True))
    assert got == {"a → b": pytest.approx(0.5), "b → a": pytest.approx(1.0)}
    assert h.rules["count_test"].tolist() == [1, 1]
    # with non-product lines, the postage customer-day is a third later basket
    h2 = basket.holdout_check(
        lines, basket="customer_day", test_share=0.25, min_support=0.5, include_non_product=True
    )
    assert (h2.n_train, h2.n_test, h2.n_rules) == (2, 3, 2)


def test_holdout_refusals_by_hand():
    dated = _dated([(1, "ab"), (2, "ab"), (3, "ab")])
    # no date at all, or a single dated line (nothing later): the two different refusals
    with pytest.raises(InsufficientDataError, match="needs order dates; this dataset has none"):
        basket.holdout_check(dated.assign(order_date=pd.NaT))
    one = dated.assign(order_date=[dated["order_date"].iloc[0]] + [pd.NaT] * 5)
    with pytest.raises(InsufficientDataError, match="both sides of 2 January 2024; found 0 later"):
        basket.holdout_check(one)
    with pytest.raises(ParameterError, match=r"'test_share' .* range \(0, 1\]\. Got 1.5"):
        basket.holdout_check(dated, test_share=1.5)
    # a single earlier line: the miner's own refusal (no basket of two), not "no later baskets"
    single = _dated([(1, "a"), (2, "ab"), (3, "ab")])
    with pytest.raises(InsufficientDataError, match="2\\+ distinct products. Found 0 of 1"):
        basket.holdout_check(single, test_share=0.8)


def test_holdout_at_two_hundred_later_baskets_and_with_no_antecedent_later():
    # earlier: 10 x {a,b} on day 1; later (day 2): 150 x {a,b}, 50 x {c}
    lines = _dated([(1, "ab")] * 10 + [(2, "ab")] * 150 + [(2, "c")] * 50)
    h = basket.holdout_check(lines, test_share=0.5, min_support=0.5)
    assert (h.n_train, h.n_test, h.n_rules) == (10, 200, 2)
    # a => b later: confidence 150/150, lift 1 / (150/200) = 4/3: holds (above 1)
    assert h.rules["lift_test"].tolist() == pytest.approx([4 / 3, 4 / 3])
    assert h.share_holding == 1.0
    assert h.rules["count_test"].dtype == "int64" and h.rules["count_test"].tolist() == [150, 150]
    # 200 later baskets is enough: no "rough" note
    assert not any("the check itself is rough" in w for w in h.warnings)
    # no rule's antecedent is bought later: no later confidence, no median (line days
    # 1,1,2,2,3,3,3: the 80 % quantile is at position 4.8, day 3)
    h = basket.holdout_check(
        _dated([(1, "ab"), (2, "ab"), (3, "cde")]), test_share=0.2, min_support=0.5
    )
    assert h.cutoff == pd.Timestamp("2024-01-03") and h.n_test == 1
    assert h.rules["confidence_test"].isna().all()
    assert h.median_confidence_test is None and h.share_holding == 0.0
