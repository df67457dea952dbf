"""basket.mine's own decisions, counted by hand on four orders (kill mutants of
ecomdash/basket/mining.py): the default lift, the too-many-rules limit and the thresholds it
proposes, an empty itemsets table, the few-baskets boundary, the pair suggestion under
max_len = 2, and the function and option named in refusals."""

from __future__ import annotations

import pandas as pd
import pytest

from ecomdash import basket
from ecomdash.basket import mining
from ecomdash.basket.results import ITEMSET_COLUMNS
from ecomdash.errors import InsufficientDataError, ParameterError

# orders {a, b} ×2, {a}, {b, c}: a in 3, b in 3, c in 1; {a, b} in 2, {b, c} in 1 (n = 4).
# Rules at support 0.25: a ⇒ b and b ⇒ a (confidence 2/3, lift (2/3) / (3/4) = 8/9),
# b ⇒ c (1/3, (1/3) / (1/4) = 4/3) and c ⇒ b (1, 1 / (3/4) = 4/3)
ORDERS = {"1": "ab", "2": "ab", "3": "a", "4": "bc"}


def _lines(**extra) -> pd.DataFrame:
    rows = [(o, p) for o, items in ORDERS.items() for p in items]
    return pd.DataFrame(rows, columns=["order_id", "product_id"]).assign(**extra)


def test_the_default_minimum_lift_is_one():
    res = basket.mine(_lines(), min_support=0.25)
    assert res.params["min_lift"] == 1.0
    # the itemsets table has its own columns only (no leftover index column)
    assert list(res.itemsets.columns) == list(ITEMSET_COLUMNS)
    assert res.itemsets["count"].tolist() == [3, 3, 2, 1, 1]
    assert sorted(zip(res.rules["antecedents"], res.rules["consequents"], strict=True)) == [
        (("b",), ("c",)),
        (("c",), ("b",)),
    ]


@pytest.mark.parametrize(
    ("limit", "confidence", "lift"),
    [
        # the 3rd highest confidence is 2/3 -> 0.666 + 0.001; the 3rd lift 8/9 -> 0.88 + 0.01
        (2, "0.667", "0.89"),
        # the 4th: confidence 1/3 -> 0.333 + 0.001; lift 8/9 again
        (3, "0.334", "0.89"),
    ],
)
def test_too_many_rules_proposes_the_confidence_and_lift_that_fit(
    monkeypatch, limit, confidence, lift
):
    monkeypatch.setattr(mining, "MAX_RULES", limit)
    with pytest.raises(ParameterError) as err:
        basket.mine(_lines(), min_support=0.25, min_lift=0.0)
    assert str(err.value) == (
        f"These thresholds give 4 rules (limit {limit}): too many to compute and read. "
        f"Raise the minimum confidence to {confidence} or the minimum lift to {lift} "
        f"(either leaves at most {limit}), or raise the minimum support."
    )


def test_as_many_rules_as_the_limit_are_shown(monkeypatch):
    monkeypatch.setattr(mining, "MAX_RULES", 4)
    res = basket.mine(_lines(), min_support=0.25, min_lift=0.0)
    assert len(res.rules) == 4


def test_no_frequent_item_keeps_the_itemsets_columns():
    # no item is in all 4 orders
    res = basket.mine(_lines(), min_support=1.0)
    assert list(res.itemsets.columns) == list(ITEMSET_COLUMNS)
    assert len(res.itemsets) == 0 and len(res.rules) == 0


def test_the_few_baskets_warning_below_the_boundary_only(monkeypatch):
    monkeypatch.setattr(mining, "FEW_BASKETS", 4)
    res = basket.mine(_lines(), min_support=0.25)
    assert not any(w.startswith("Only ") for w in res.warnings)
    monkeypatch.setattr(mining, "FEW_BASKETS", 5)
    res = basket.mine(_lines(), min_support=0.25)
    assert res.warnings[0].startswith("Only 4 orders: rules from so few baskets")


def test_pairs_are_suggested_under_a_maximum_size_of_two():
    # support 0.75 (3 orders): a and b only; {a, b} (2 of 4) is the one pair among items
    # in 2+ orders, so the suggestion is 0.5
    res = basket.mine(_lines(), min_support=0.75, max_len=2)
    assert res.suggested_min_support == 0.5
    assert res.warnings[-1].startswith("No set of two or more items reaches a support of 75\u00a0%")
    # single items only: nothing to suggest
    assert basket.mine(_lines(), min_support=0.75, max_len=1).suggested_min_support is None


def test_refusals_name_the_function_and_the_option():
    with pytest.raises(ParameterError) as err:
        basket.mine(_lines(), min_confidence=2)
    assert str(err.value).startswith("The 'min_confidence' parameter of basket.mine must be")
    returns = _lines(quantity=-1, unit_price=1.0)
    with pytest.raises(InsufficientDataError) as err:
        basket.mine(returns, include_non_product=True)
    assert str(err.value) == (
        "Basket analysis found no orders to analyse: 0 sale lines with a product after "
        "removing returns and cancelled sales. Check the global filters and that the file has "
        "sale lines."
    )
