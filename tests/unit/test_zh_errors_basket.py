"""Basket analysis errors in Chinese (issue 16): every refusal a merchant can meet from
ecomdash.basket is a Note, so the page shows it translated (show_error → translated), while
``str(err)`` (CLI, JSON, logs) stays the English it was before.

One representative raise site of each function that raises; the English is written out here
as it read before the messages became Notes, the Chinese checked for its figures."""

from __future__ import annotations

import pandas as pd
import pytest

from ecomdash import basket
from ecomdash.basket import mining
from ecomdash.errors import InsufficientDataError, ParameterError
from tests.unit.zh_errors_check import check_note_error


def _lines(orders: dict[str, str], **extra) -> pd.DataFrame:
    rows = [(o, p) for o, items in orders.items() for p in items]
    df = pd.DataFrame(rows, columns=["order_id", "product_id"])
    for k, v in extra.items():
        df[k] = v
    return df


PAIRS = _lines({"1": "ab", "2": "ab", "3": "a", "4": "bc"})


def test_threshold_checks():
    with pytest.raises(ParameterError) as e:
        basket.mine(PAIRS, min_support=1.5)
    zh = check_note_error(
        e,
        "The 'min_support' parameter of basket.mine must be a number in the range (0, 1]. "
        "Got 1.5 instead.",
        "(0, 1]",
        "1.5",
    )
    assert "范围内的数字" in zh
    with pytest.raises(ParameterError) as e:
        basket.mine(PAIRS, max_len=0)
    check_note_error(
        e,
        "The 'max_len' parameter of basket.mine must be an int in the range [1, inf) or None "
        "(no limit). Got 0 instead.",
        "[1, inf)",
        "0",
    )
    with pytest.raises(ParameterError) as e:
        basket.mine(PAIRS, basket="week")
    check_note_error(
        e,
        "The 'basket' parameter of basket.mine must be one of 'order', 'customer_day'. "
        "Got 'week' instead.",
        "'week'",
    )
    with pytest.raises(ParameterError) as e:
        basket.suggest_support(PAIRS, target=0)
    check_note_error(
        e,
        "The 'target' parameter of suggest_support must be an int in the range [1, inf). "
        "Got 0 instead.",
        "suggest_support",
    )


def test_missing_columns_and_wrong_input():
    lines = PAIRS.rename(columns={"product_id": "sku"})
    with pytest.raises(ParameterError) as e:
        basket.mine(lines)
    zh = check_note_error(
        e,
        "Basket analysis by order at product level needs product_id; this dataset has "
        "columns order_id, sku. Map the order id and product id columns when uploading.",
        "order_id、sku",  # the columns listed the Chinese way
    )
    assert "请在上传时映射订单号和商品编码列" in zh
    with pytest.raises(ParameterError) as e:
        basket.mine(PAIRS, level="category")
    check_note_error(
        e,
        "Basket analysis by order at category level needs a category column; this dataset "
        "has columns order_id, product_id. Use level='product', or map a category column "
        "when uploading.",
        "品类列",
    )
    with pytest.raises(ParameterError) as e:
        basket.mine([1, 2, 3])
    check_note_error(
        e, "basket.mine needs the order-line table (a pandas DataFrame). Got list instead."
    )
    pairs = basket.BasketPairs(
        b=PAIRS.index.to_numpy() * 0,
        i=PAIRS.index.to_numpy() * 0,
        n_baskets=1,
        items=pd.Series(["a"]).to_numpy(dtype=object),
        names=pd.Series(["a"]).to_numpy(dtype=object),
        n_dropped=0,
        basket="order",
        level="product",
        include_non_product=False,
    )
    with pytest.raises(ParameterError) as e:
        basket.mine(pairs, basket="customer_day")
    check_note_error(
        e,
        "These basket pairs were built for basket='order', level='product', "
        "include_non_product=False; asked for basket='customer_day', level='product', "
        "include_non_product=False. Build them again.",
        "请重新生成",
    )


def test_no_baskets_and_single_item_baskets():
    lines = pd.DataFrame({"order_id": ["1", "2"], "product_id": [None, None]})
    with pytest.raises(InsufficientDataError) as e:
        basket.mine(lines)
    check_note_error(
        e,
        "Basket analysis found no orders to analyse: 0 sale lines with a product after "
        "removing returns, cancelled sales and non-product lines. Check the global filters and "
        "that the file has sale lines.",
        "0\u00a0条",
    )
    single = _lines({f"o{j}": "abc"[j % 3] for j in range(1234)})
    with pytest.raises(InsufficientDataError) as e:
        basket.mine(single)
    zh = check_note_error(
        e,
        "Basket analysis needs orders with 2+ distinct products. Found 0 of 1,234 orders. "
        "Check that the order id column is mapped to the invoice number, not the line number, "
        "or try basket = customer-day.",
        "1,234",
    )
    assert "订单" in zh


def test_too_many_rules(monkeypatch):
    # 4 orders, 3 rules at min_lift 0 ({a}⇒{b}, {b}⇒{a}, and the pair {b, c} both ways): a
    # limit of 2 refuses. Patched where result_from_levels looks the limit up.
    monkeypatch.setattr(mining, "MAX_RULES", 2)
    with pytest.raises(ParameterError) as e:
        basket.mine(PAIRS, min_support=0.25, min_lift=0.0)
    english = str(e.value)
    assert english.startswith("These thresholds give 4 rules (limit 2): too many to compute")
    assert "(either leaves at most 2), or raise the minimum support." in english
    check_note_error(e, english, "4\u00a0条规则", "上限\u00a02")


def test_bought_together_and_bundle_whatif():
    with pytest.raises(ParameterError) as e:
        basket.frequently_bought_together(PAIRS, "a", k=0)
    check_note_error(
        e,
        "The 'k' parameter of frequently_bought_together must be an int in the range [1, inf). "
        "Got 0 instead.",
        "frequently_bought_together",
    )
    with pytest.raises(ParameterError) as e:
        basket.frequently_bought_together(PAIRS, "zz")
    check_note_error(
        e,
        "Product 'zz' is not in the 4 baskets analysed (after removing returns, cancelled "
        "sales and non-product lines, and the global filters). Pick a product from the list.",
        "'zz'",
        "4\u00a0个购物篮",
    )
    priced = PAIRS.assign(unit_price=2.0, quantity=1.0)
    with pytest.raises(ParameterError) as e:
        basket.bundle_whatif(priced, ["a"], ["a"])
    check_note_error(
        e,
        "A bundle needs a non-empty antecedent and consequent with no item in common. "
        "Got ('a',) ⇒ ('a',).",
        "('a',) ⇒ ('a',)",
    )
    with pytest.raises(InsufficientDataError) as e:
        basket.bundle_whatif(PAIRS, ["a"], ["b"])
    check_note_error(
        e,
        "The bundle what-if needs prices: this dataset has neither a unit price nor a revenue "
        "column. Map one of them when uploading.",
        "单价",
    )
    with pytest.raises(ParameterError) as e:
        basket.bundle_whatif(priced, ["a"], ["zz"])
    check_note_error(
        e,
        "Product 'zz' is not in the 4 baskets analysed. Pick products from the rules table.",
        "'zz'",
        "关联规则表",
    )


def test_holdout_check():
    with pytest.raises(InsufficientDataError) as e:
        basket.holdout_check(PAIRS)
    check_note_error(
        e,
        "Checking rules on later orders needs order dates; this dataset has none. Map the "
        "order date column when uploading.",
        "下单日期",
    )
    one_day = PAIRS.assign(order_date=pd.Timestamp("2024-03-01"))
    with pytest.raises(InsufficientDataError) as e:
        basket.holdout_check(one_day)
    check_note_error(
        e,
        "Checking rules on later orders needs baskets on both sides of 2 March 2024; found 0 "
        "later baskets. Use a longer period.",
        "2024年3月2日",
        "0\u00a0个购物篮",
    )
