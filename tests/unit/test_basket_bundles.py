"""Frequently bought together and the bundle what-if, counted by hand: the result route, the
order of ties, the price fallbacks, several items on each side, the warnings (kill mutants of
ecomdash/basket/bundles.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ecomdash import basket
from ecomdash.errors import ParameterError


def _lines(baskets: dict[str, list[str]]) -> pd.DataFrame:
    rows = [(o, p) for o, items in baskets.items() for p in items]
    return pd.DataFrame(rows, columns=["order_id", "product_id"])


# a in 1-4, b in 1,2,4,5, c in 1,3, d in 4,6, e in 2,3,5,7 (7 orders)
SEVEN = {"1": "abc", "2": "abe", "3": "ace", "4": "abd", "5": "be", "6": "d", "7": "e"}


def _named(baskets: dict[str, str]) -> pd.DataFrame:
    lines = _lines({o: list(items) for o, items in baskets.items()})
    return lines.assign(product_name=lines["product_id"].str.upper() + " name")


def test_frequently_bought_together_from_a_result_equals_the_lines_by_hand():
    lines = _named(SEVEN)
    res = basket.mine(lines, min_support=0.1, min_lift=0.0)  # min count 1: every pair
    assert res.n_baskets == 7
    for data in (lines, res):
        fbt = basket.frequently_bought_together(data, "a")  # k = 3 by default
        assert list(fbt.columns) == ["item", "name", "together", "share", "lift"]
        # with a (in 4 of 7): b in 3, c in 2, e in 2, d in 1; lift = (together / 4) /
        # (count / 7): b 21/16, c 7/4, e 7/8 (c before e: same count, higher lift)
        assert fbt["item"].tolist() == ["b", "c", "e"], type(data)
        assert fbt["name"].tolist() == ["B name", "C name", "E name"]
        assert fbt["together"].tolist() == [3, 2, 2]
        assert fbt["together"].dtype == np.int64
        assert fbt["share"].tolist() == pytest.approx([3 / 4, 2 / 4, 2 / 4])
        assert fbt["lift"].tolist() == pytest.approx([21 / 16, 7 / 4, 7 / 8])
        assert list(fbt.index) == [0, 1, 2]
        # all four with k = 4; d (1 of 4, count 2): lift (1/4) / (2/7) = 7/8
        fbt = basket.frequently_bought_together(data, "a", k=4)
        assert fbt["item"].tolist() == ["b", "c", "e", "d"]
        assert fbt["lift"].iloc[3] == pytest.approx(7 / 8)
        # with d (2 orders): a and b once each, same lift (1/2) / (4/7): ties go by item id
        fbt = basket.frequently_bought_together(data, "d", k=5)
        assert fbt["item"].tolist() == ["a", "b"]
        assert fbt["together"].tolist() == [1, 1]
        assert fbt["share"].tolist() == pytest.approx([0.5, 0.5])
        assert fbt["lift"].tolist() == pytest.approx([7 / 8, 7 / 8])
        # e, the second item of each of its pairs (a is the first of its own): with a in 2,
        # b in 2, c in 1 of e's 4 orders; lifts (2/4)/(4/7), (2/4)/(4/7), (1/4)/(2/7)
        fbt = basket.frequently_bought_together(data, "e")
        assert fbt["item"].tolist() == ["a", "b", "c"]
        assert fbt["together"].tolist() == [2, 2, 1]
        assert fbt["lift"].tolist() == pytest.approx([7 / 8, 7 / 8, 7 / 8])


def test_frequently_bought_together_with_no_partner_or_unknown_item():
    lines = _named({"1": "ab", "2": "ab", "3": "c", "4": "c"})
    res = basket.mine(lines, min_support=0.25, min_lift=0.0)
    cols = ["item", "name", "together", "share", "lift"]
    for data in (lines, res):
        empty = basket.frequently_bought_together(data, "c")  # never with another item
        assert list(empty.columns) == cols and len(empty) == 0
    # an item the result does not know: empty (the lines route refuses it: tested above)
    empty = basket.frequently_bought_together(res, "zz")
    assert list(empty.columns) == cols and len(empty) == 0
    # the id may be given as a number: compared as text
    numeric = _lines({"1": ["1", "2"], "2": ["1", "2"], "3": ["1"]})
    fbt = basket.frequently_bought_together(numeric, 1)
    assert fbt["item"].tolist() == ["2"] and fbt["together"].tolist() == [2]
    fbt = basket.frequently_bought_together(basket.mine(numeric, min_support=0.3), 1)
    assert fbt["item"].tolist() == ["2"] and fbt["together"].tolist() == [2]


def test_frequently_bought_together_leaves_out_returns_unless_asked():
    lines = _lines({"1": ["a", "b"], "2": ["a", "b"], "3": ["a", "POST"], "4": ["z"]})
    lines["is_non_product"] = lines["product_id"] == "POST"
    lines["is_return"] = lines["product_id"] == "z"
    fbt = basket.frequently_bought_together(lines, "a")
    assert fbt["item"].tolist() == ["b"]
    # 3 baskets left (order 4 holds only a return): lift (2/3) / (2/3) = 1
    assert fbt["lift"].tolist() == pytest.approx([1.0])
    fbt = basket.frequently_bought_together(lines, "a", include_non_product=True)
    assert fbt["item"].tolist() == ["b", "POST"]
    assert fbt["share"].tolist() == pytest.approx([2 / 3, 1 / 3])
    # z is in the file but only as a return: not in any basket analysed
    with pytest.raises(ParameterError) as err:
        basket.frequently_bought_together(lines, "z")
    assert str(err.value) == (
        "Product 'z' is not in the 3 baskets analysed. Pick a product from the list."
    )
    # by customer-day: orders 1 and 3 of customer x on one day are one basket
    lines["customer_id"] = ["x", "x", "y", "y", "x", "x", "w"]
    lines["order_date"] = pd.Timestamp("2024-05-01")
    fbt = basket.frequently_bought_together(lines, "a", basket="customer_day")
    # baskets: x {a, b, POST→dropped}, y {a, b}: a with b in both; 2 baskets, b in 2
    assert fbt["item"].tolist() == ["b"] and fbt["together"].tolist() == [2]
    assert fbt["lift"].tolist() == pytest.approx([1.0])


def _priced(rows: list[tuple[str, str, float, float]]) -> pd.DataFrame:
    """(order, product, quantity, revenue) per line; unit price = revenue / quantity."""
    lines = pd.DataFrame(rows, columns=["order_id", "product_id", "quantity", "revenue"])
    return lines.assign(unit_price=lines["revenue"] / lines["quantity"])


# A = a, B = {b, c}: o1 holds all; o2 misses c; o3 misses both; o4 misses b; o5, o6 no a;
# o7 a return of c (left out). b sells 4 units for 18 (4.50), c 4 units for 12 (3.00).
BUNDLE = [
    ("o1", "a", 1, 10.0),
    ("o1", "b", 2, 8.0),
    ("o1", "c", 1, 3.0),
    ("o2", "a", 1, 10.0),
    ("o2", "b", 1, 4.0),
    ("o3", "a", 1, 10.0),
    ("o4", "a", 1, 10.0),
    ("o4", "c", 1, 3.0),
    ("o5", "b", 1, 6.0),
    ("o6", "c", 2, 6.0),
    ("o7", "c", -1, -3.0),
]


def test_bundle_whatif_with_two_items_to_add_by_hand():
    lines = _priced(BUNDLE).assign(product_name=lambda d: d["product_id"] + " name")
    w = basket.bundle_whatif(lines, "a", ["b", "c"], share=0.5)
    assert (w.antecedent, w.consequent, w.share) == (("a",), ("b", "c"), 0.5)
    assert (w.n_baskets, w.n_with_antecedent, w.n_with_both, w.n_antecedent_only) == (6, 4, 1, 3)
    assert w.prices["item"].tolist() == ["b", "c"]
    assert w.prices["name"].tolist() == ["b name", "c name"]
    assert w.prices["avg_price"].tolist() == pytest.approx([4.5, 3.0])
    assert w.prices["units_sold"].tolist() == pytest.approx([4.0, 4.0])
    # the three baskets miss c, b + c and b: 2 × 4.50 + 2 × 3.00 = 15, half of them taken
    assert w.extra_orders == pytest.approx(1.5)
    assert w.extra_revenue == pytest.approx(7.5)
    assert w.warnings == (
        "Only 3 baskets have A without B: the estimate rests on very few baskets.",
    )
    # the share defaults to 10 %; sequences of ids may hold numbers (compared as text)
    w = basket.bundle_whatif(lines, ("a",), ("c", "b"))
    assert w.share == 0.1 and w.consequent == ("c", "b")
    assert w.extra_revenue == pytest.approx(1.5) and w.extra_orders == pytest.approx(0.3)
    # A = {a, b}: o1, o2; missing c: o2 only
    w = basket.bundle_whatif(lines, ["a", "b"], ["c"], share=1.0)
    assert (w.n_with_antecedent, w.n_with_both, w.n_antecedent_only) == (2, 1, 1)
    assert w.extra_revenue == pytest.approx(3.0)
    # nobody has A without B: no extra revenue, still warned about the few orders
    w = basket.bundle_whatif(lines[lines["order_id"] != "o1"], ["b"], ["a"], share=1.0)
    assert (w.n_with_antecedent, w.n_antecedent_only, w.extra_revenue) == (2, 1, 10.0)
    w = basket.bundle_whatif(lines[lines["order_id"].isin(["o1", "o2"])], ["b"], ["a"])
    assert (w.n_antecedent_only, w.extra_revenue, w.extra_orders) == (0, 0.0, 0.0)


def test_bundle_whatif_price_fallbacks_and_the_few_orders_warning():
    lines = _priced(BUNDLE)
    # without quantities: B's mean unit price of its sale lines (b: 4, 4, 6; c: 3, 3, 3)
    w = basket.bundle_whatif(lines.drop(columns="quantity"), ["a"], ["b", "c"], share=1.0)
    assert w.prices["avg_price"].tolist() == pytest.approx([14 / 3, 3.0])
    assert np.isnan(w.prices["units_sold"]).all()
    assert w.extra_revenue == pytest.approx(2 * 14 / 3 + 2 * 3.0)
    # revenue only: the mean revenue of B's sale lines (b: 8, 4, 6; c: 3, 3, 6)
    w = basket.bundle_whatif(
        lines.drop(columns=["quantity", "unit_price"]), ["a"], ["b", "c"], share=1.0
    )
    assert w.prices["avg_price"].tolist() == pytest.approx([6.0, 4.0])
    assert w.extra_revenue == pytest.approx(2 * 6.0 + 2 * 4.0)
    # unit price and quantity but no revenue: the mean unit price
    w = basket.bundle_whatif(lines.drop(columns="revenue"), ["a"], ["b"], share=1.0)
    assert w.prices["avg_price"].tolist() == pytest.approx([14 / 3])
    assert w.prices["units_sold"].tolist() == pytest.approx([4.0])
    # an item sold only as a return has no usable price: the revenue is unknown, and said
    only_returned = [*BUNDLE, ("o8", "r", -1, -5.0)]
    w = basket.bundle_whatif(_priced(only_returned), ["a"], ["r"])
    assert np.isnan(w.prices["avg_price"].iloc[0]) and np.isnan(w.extra_revenue)
    assert w.prices["units_sold"].tolist() == [0.0]
    assert w.n_antecedent_only == 4
    assert w.warnings == (
        "Only 4 baskets have A without B: the estimate rests on very few baskets.",
        "Some B items have no usable price; the extra revenue is unknown.",
    )
    # 30 baskets with A without B: no warning; 29: warned
    rows = [(f"x{j}", "a", 1, 10.0) for j in range(30)] + [("y", "a", 1, 10.0), ("y", "b", 1, 2.0)]
    w = basket.bundle_whatif(_priced(rows), ["a"], ["b"], share=0.5)
    assert (w.n_antecedent_only, w.warnings) == (30, ())
    assert w.extra_revenue == pytest.approx(0.5 * 30 * 2.0)
    w = basket.bundle_whatif(_priced(rows[1:]), ["a"], ["b"], share=0.5)
    assert w.n_antecedent_only == 29 and len(w.warnings) == 1


def test_bundle_whatif_by_customer_day_and_with_non_product_lines():
    lines = _priced(
        [
            ("o1", "a", 1, 10.0),
            ("o2", "b", 1, 5.0),  # same customer, same day as o1: one basket {a, b}
            ("o3", "a", 1, 10.0),
            ("o3", "SHIP", 1, 4.0),
            ("o4", "a", 1, 10.0),
        ]
    )
    lines["customer_id"] = ["x", "x", "y", "y", "z"]
    lines["order_date"] = pd.Timestamp("2024-05-01")
    lines["is_non_product"] = lines["product_id"] == "SHIP"
    w = basket.bundle_whatif(lines, ["a"], ["b"], basket="customer_day", share=1.0)
    assert (w.n_baskets, w.n_with_antecedent, w.n_with_both) == (3, 3, 1)
    w = basket.bundle_whatif(lines, ["a"], ["b"], share=1.0)
    assert (w.n_baskets, w.n_with_antecedent, w.n_with_both) == (4, 3, 0)
    assert w.extra_revenue == pytest.approx(3 * 5.0)
    # the shipping line is a product only when asked: else it has no price (as a return)
    w = basket.bundle_whatif(lines, ["a"], ["SHIP"])
    assert np.isnan(w.prices["avg_price"].iloc[0]) and w.n_with_both == 0
    w = basket.bundle_whatif(lines, ["a"], ["SHIP"], share=1.0, include_non_product=True)
    assert (w.n_with_both, w.n_antecedent_only, w.extra_revenue) == (1, 2, 8.0)
    # an empty side is refused as clearly as an overlap
    with pytest.raises(ParameterError, match="Got \\(\\) ⇒ \\('b',\\)"):
        basket.bundle_whatif(lines, [], ["b"])
    with pytest.raises(ParameterError, match="Got \\('a',\\) ⇒ \\(\\)"):
        basket.bundle_whatif(lines, ["a"], [])


def test_bundles_name_their_function_in_errors_and_take_ids_of_any_length():
    lines = _priced([("o1", "mug-1", 1, 4.0), ("o1", "tea-22", 1, 3.0), ("o2", "mug-1", 1, 4.0)])
    with pytest.raises(ParameterError) as err:
        basket.bundle_whatif(lines, "mug-1", "tea-22", share=1.5)
    assert str(err.value) == (
        "The 'share' parameter of bundle_whatif must be a number in the range [0, 1]. "
        "Got 1.5 instead."
    )
    for call, args in (
        (basket.bundle_whatif, ("mug-1", "tea-22")),
        (basket.frequently_bought_together, ("mug-1",)),
    ):
        with pytest.raises(ParameterError) as err:
            call(lines, *args, basket="week")
        assert str(err.value).startswith(f"The 'basket' parameter of {call.__name__} must be")
    # one id given as a plain string, not a sequence of its characters
    w = basket.bundle_whatif(lines, "mug-1", "tea-22", share=1.0)
    assert (w.antecedent, w.consequent) == (("mug-1",), ("tea-22",))
    assert (w.n_with_antecedent, w.n_antecedent_only, w.extra_revenue) == (2, 1, 3.0)
    # one basket is enough for frequently bought together
    fbt = basket.frequently_bought_together(lines[lines["order_id"] == "o1"], "mug-1")
    assert fbt["item"].tolist() == ["tea-22"] and fbt["lift"].tolist() == [1.0]
    # a file of returns only: no basket at all, said with what was removed
    with pytest.raises(ParameterError) as err:
        basket.frequently_bought_together(lines.assign(is_return=True), "mug-1")
    assert str(err.value) == (
        "Product 'mug-1' is not in the 0 baskets analysed (after removing returns, cancelled "
        "sales and non-product lines, and the global filters). Pick a product from the list."
    )


def test_bundle_price_from_revenue_and_units_even_for_one_unit():
    # one tea sold, at a discount: 2.50 paid on a listed 3.00; the average selling price
    # is what was paid (revenue / units), not the list price
    lines = _priced([("o1", "mug", 1.0, 4.0), ("o1", "tea", 1.0, 2.5), ("o2", "mug", 1.0, 4.0)])
    lines.loc[1, "unit_price"] = 3.0
    w = basket.bundle_whatif(lines, ["mug"], ["tea"], share=1.0)
    assert w.prices["avg_price"].tolist() == [2.5] and w.extra_revenue == 2.5
    # half a kilo sold for 6: 12 per unit
    lines.loc[1, ["quantity", "revenue"]] = [0.5, 6.0]
    w = basket.bundle_whatif(lines, ["mug"], ["tea"], share=1.0)
    assert w.prices["avg_price"].tolist() == [12.0] and w.prices["units_sold"].tolist() == [0.5]


def test_whatif_figures_say_whole_sales_and_estimated_money_by_hand():
    """Orders come whole and a what-if is an estimate: share × orders in whole sales rounded
    half up (6.5 → 7, not Python's 6), the revenue in whole pounds (£84, not £84.44), B's own
    price exact; the dataclass keeps the exact figures."""
    from ecomdash.i18n import fmt, use_lang

    # 13 orders with a alone, 2 with a and b; b: 5 units for 64.95 (12.99 each)
    rows = [(f"x{j}", "a", 1, 10.0) for j in range(13)]
    rows += [("y1", "a", 1, 10.0), ("y1", "b", 3, 38.97), ("y2", "a", 1, 10.0)]
    rows += [("y2", "b", 2, 25.98)]
    lines = _priced(rows)
    w = basket.bundle_whatif(lines, ["a"], ["b"], share=0.5)
    # by hand: 0.5 × 13 = 6.5 sales; 6.5 × 12.99 = 84.435
    assert (w.n_antecedent_only, w.extra_orders) == (13, 6.5)
    assert w.extra_revenue == pytest.approx(84.435)
    with fmt.use_currency("£"):
        assert basket.whatif_figures(w) == {
            "share": "50\u00a0%",
            "n": "13",
            "sales": "about 7 more sales",
            "revenue": "£84",
            "price": "£12.99",
        }
        with use_lang("zh"):
            zh = basket.whatif_figures(w)
        assert (zh["share"], zh["sales"], zh["revenue"]) == ("50%", "约多卖\u00a07\u00a0单", "£84")
        # 0.1 × 13 = 1.3: one sale (singular), 16.887 → £17
        one = basket.whatif_figures(basket.bundle_whatif(lines, ["a"], ["b"], share=0.1))
        assert (one["sales"], one["revenue"]) == ("about 1 more sale", "£17")
        # 0.03 × 13 = 0.39: not "about 0", and not "about 1" either
        few = basket.whatif_figures(basket.bundle_whatif(lines, ["a"], ["b"], share=0.03))
        assert (few["sales"], few["revenue"]) == ("less than one more sale", "£5")
        none = basket.whatif_figures(basket.bundle_whatif(lines, ["a"], ["b"], share=0.0))
        assert (none["sales"], none["revenue"]) == ("no more sales", "£0")
        # a big estimate as sentences write one: 6.5 × 12,990 = 84,435 → £84.4k, ¥-style 万
        dear = _priced([(o, p, q, r * 1000 if p == "b" else r) for o, p, q, r in rows])
        big = basket.bundle_whatif(dear, ["a"], ["b"], share=0.5)
        assert basket.whatif_figures(big)["revenue"] == "£84.4k"
        with use_lang("zh"):
            assert basket.whatif_figures(big)["revenue"] == "£8.44万"
        # two B items: no single price to name; the sales whole (1.5 → 2), 7.5 → £8
        two = basket.whatif_figures(
            basket.bundle_whatif(_priced(BUNDLE), "a", ["b", "c"], share=0.5)
        )
        assert two == {
            "share": "50\u00a0%",
            "n": "3",
            "sales": "about 2 more sales",
            "revenue": "£8",
            "price": "",
        }
    # no usable price: no revenue figure (the warning says it is unknown)
    unpriced = lines.assign(revenue=np.where(lines["product_id"] == "b", np.nan, lines["revenue"]))
    unpriced = unpriced.drop(columns="unit_price")
    w = basket.bundle_whatif(unpriced, ["a"], ["b"], share=0.5)
    assert np.isnan(w.extra_revenue)
    assert basket.whatif_figures(w)["revenue"] == ""
