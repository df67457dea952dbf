"""Order lines as baskets, counted by hand: every string dtype pandas hands us, orders split
over several runs of lines, customer-days, dropped lines and their notes, readable names,
the store's basket pairs, and the store route of the miner (kill mutants of
ecomdash/basket/encode.py and mining.mine_dataset)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from ecomdash import basket
from ecomdash.errors import InsufficientDataError, ParameterError

# pandas' default text dtype (Arrow large strings), Arrow strings of both widths, Python objects
DTYPES = ["str", "string[pyarrow]", pd.ArrowDtype(pa.string()), object]


def _rows(lines: list[tuple], columns=("order_id", "product_id")) -> pd.DataFrame:
    return pd.DataFrame(lines, columns=list(columns))


def _matrix_rows(bk) -> list[tuple[str, ...]]:
    """Each basket as the sorted tuple of its item ids, in basket order."""
    return [tuple(bk.items[np.flatnonzero(r)]) for r in bk.matrix.toarray()]


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_orders_in_one_run_or_split_over_several(dtype):
    # o2's lines come first, then o1's: one run each, numbered in order of appearance
    lines = _rows([("o2", "c"), ("o2", "a"), ("o1", "b"), ("o1", "a")]).astype(dtype)
    bk = basket.baskets(lines)
    assert bk.items.tolist() == ["a", "b", "c"]
    assert _matrix_rows(bk) == [("a", "c"), ("a", "b")]
    # o2 again after o1 (not one run): still two baskets, the same line counted once
    split = _rows([("o2", "c"), ("o1", "b"), ("o2", "a"), ("o1", "a"), ("o2", "c")])
    bk = basket.baskets(split.astype(dtype))
    assert bk.n_baskets == 2
    assert _matrix_rows(bk) == [("a", "c"), ("a", "b")]
    assert bk.matrix.dtype == bool and bk.matrix.shape == (2, 3)
    # a single line is one basket
    one = basket.baskets(_rows([("o9", "z")]).astype(dtype))
    assert (one.n_baskets, one.items.tolist(), _matrix_rows(one)) == (1, ["z"], [("z",)])


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_lines_without_an_order_or_product_are_left_out_with_a_note(dtype):
    lines = _rows(
        [("o1", "a"), ("o1", "b"), (None, "a"), ("o2", None), ("o2", "b"), ("o3", "a")]
    ).astype(dtype)
    bk = basket.baskets(lines)
    assert bk.items.tolist() == ["a", "b"]
    assert _matrix_rows(bk) == [("a", "b"), ("b",), ("a",)]
    assert basket.count_baskets(lines) == 3
    res = basket.mine(lines, min_support=0.3, min_lift=0.0)
    assert res.warnings[0] == (
        "2 sale lines without a product id or order id were left out of the baskets."
    )
    # the first value Arrow meets (here a missing one, then "a") keeps its place
    first_missing = _rows([(None, "a"), ("o1", "a"), ("o1", "b"), ("o2", "b")]).astype(dtype)
    assert _matrix_rows(basket.baskets(first_missing)) == [("a", "b"), ("b",)]


def test_frames_glued_together_read_as_one_column():
    # pd.concat leaves pandas' Arrow strings in two chunks
    first = _rows([("o1", "b"), ("o1", "a")])
    second = _rows([("o2", "a"), ("o3", "c"), ("o3", "a")])
    lines = pd.concat([first, second], ignore_index=True)
    assert pa.array(lines["product_id"].array).num_chunks == 2
    bk = basket.baskets(lines)
    assert bk.items.tolist() == ["a", "b", "c"]
    assert _matrix_rows(bk) == [("a", "b"), ("a",), ("a", "c")]
    bk_obj = basket.baskets(lines.astype(object))
    assert _matrix_rows(bk_obj) == _matrix_rows(bk)


def test_numeric_ids_become_text():
    lines = pd.DataFrame({"order_id": [7, 7, 3], "product_id": [20, 10, 10]})
    bk = basket.baskets(lines)
    assert bk.items.tolist() == ["10", "20"] and bk.names.tolist() == ["10", "20"]
    assert _matrix_rows(bk) == [("10", "20"), ("10",)]
    # categorical ids (dictionary-typed in Arrow): read through pandas
    cat = lines.astype({"product_id": str}).astype({"product_id": "category"})
    assert _matrix_rows(basket.baskets(cat)) == [("10", "20"), ("10",)]


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_the_most_common_name_of_each_product(dtype):
    lines = _rows(
        [
            ("1", "p1", "Tea"),
            ("2", "p1", "tea (old)"),
            ("3", "p1", "Tea"),
            ("1", "p2", "Mug"),
            ("2", "p2", "Cup"),  # one each: the alphabetically first
            ("4", "p3", None),  # no name at all: the id
            ("5", "p4", "Zed"),  # first line's name, but Alpha is more common
            ("6", "p4", "Alpha"),
            ("7", "p4", "Alpha"),
            ("8", "p5", None),
            ("9", "p5", "Bowl"),
            ("10", "p6", "Plate"),  # Plate twice, Bowl once: Plate, though later a..z
            ("11", "p6", "Bowl"),
            ("12", "p6", "Plate"),
        ],
        columns=("order_id", "product_id", "product_name"),
    ).astype(dtype)
    bk = basket.baskets(lines)
    assert bk.items.tolist() == ["p1", "p2", "p3", "p4", "p5", "p6"]
    assert bk.names.tolist() == ["Tea", "Cup", "p3", "Alpha", "Bowl", "Plate"]
    # only some of the items asked (frequently bought together names the partners only)
    fbt = basket.frequently_bought_together(lines, "p1", k=5)
    assert fbt["item"].tolist() == ["p2"] and fbt["name"].tolist() == ["Cup"]
    # no names anywhere: the ids; a category level ignores product names
    bk = basket.baskets(lines.assign(product_name=None))
    assert bk.names.tolist() == ["p1", "p2", "p3", "p4", "p5", "p6"]
    cats = lines.assign(category=lines["product_id"].str.upper())
    bk = basket.baskets(cats, level="category")
    assert bk.items.tolist() == bk.names.tolist() == ["P1", "P2", "P3", "P4", "P5", "P6"]
    assert (bk.basket, bk.level) == ("order", "category")
    # one name per product: the fast path (no counting)
    same = lines[lines["product_id"].isin(["p3", "p5"])].iloc[[0, 2]]
    assert basket.baskets(same).names.tolist() == ["p3", "Bowl"]


def test_customer_days_by_hand():
    lines = pd.DataFrame(
        {
            "order_id": ["1", "2", "3", "4", "5", "6", "7"],
            "customer_id": ["x", "x", "x", "y", None, "y", "y"],
            "order_date": pd.to_datetime(
                ["2024-03-01 09:00", "2024-03-01 18:00", "2024-03-03 10:00", "2024-03-01 10:00"]
                + ["2024-03-01 11:00", "2024-03-03 12:00", None]
            ),
            "product_id": ["a", "b", "c", "a", "a", "b", "c"],
        }
    )
    bk = basket.baskets(lines, basket="customer_day")
    assert (bk.basket, bk.level) == ("customer_day", "product")
    # x Mar 1 {a, b}, x Mar 3 {c}, y Mar 1 {a}, guest order 5 {a}, y Mar 3 {b}; order 7 has
    # no date. Codes: customer × (days + 1) + day, guests after the customers
    assert bk.n_baskets == 5
    assert sorted(_matrix_rows(bk)) == [("a",), ("a",), ("a", "b"), ("b",), ("c",)]
    assert basket.count_baskets(lines, basket="customer_day") == 5
    res = basket.mine(lines, basket="customer_day", min_support=0.2, min_lift=0.0)
    assert res.warnings[0] == (
        "1 sale lines without a product id or customer id / date were left out of the baskets."
    )
    # without order ids, a guest line has no basket at all
    no_orders = lines.drop(columns="order_id")
    assert basket.count_baskets(no_orders, basket="customer_day") == 4
    res = basket.mine(no_orders, basket="customer_day", min_support=0.2, min_lift=0.0)
    assert res.warnings[0].startswith("2 sale lines without a product id or customer id")
    # category level: the notes name the category
    cats = lines.assign(category=["A", "B", None, "A", "A", "B", "C"])
    res = basket.mine(cats, basket="customer_day", level="category", min_support=0.2)
    assert res.warnings[0] == (
        "2 sale lines without a category or customer id / date were left out of the baskets."
    )
    by_order = pd.DataFrame(
        {"order_id": ["1", "1", "2", "2"], "category": ["A", "B", "A", None]}
    ).assign(product_id="p")
    res = basket.mine(by_order, level="category", min_support=0.5)
    assert res.warnings[0] == (
        "1 sale lines without a category or order id were left out of the baskets."
    )


def test_sale_lines_only_and_non_product_lines_on_request():
    lines = pd.DataFrame(
        {
            "order_id": ["1", "1", "1", "2", "2", "3", "3"],
            "product_id": ["a", "b", "SHIP", "a", "b", "a", "c"],
            "quantity": [1, 1, 1, 1, -1, 1, 1],
            "unit_price": [2.0, 3.0, 5.0, 2.0, 3.0, 2.0, 0.0],
            "is_non_product": [False, False, True, False, False, False, False],
        }
    )
    # the return of b and the free c are not sales; the shipping line is left out unless asked
    assert _matrix_rows(basket.baskets(lines)) == [("a", "b"), ("a",), ("a",)]
    bk = basket.baskets(lines, include_non_product=True)
    assert _matrix_rows(bk) == [("SHIP", "a", "b"), ("a",), ("a",)]
    # c, sold only free, keeps its (empty) column: one column per item of the file
    assert bk.items.tolist() == ["SHIP", "a", "b", "c"] and bk.matrix.shape == (3, 4)
    assert basket.count_baskets(lines.assign(is_return=[0, 0, 0, 1, 0, 1, 0])) == 1
    revenue_only = lines.drop(columns="unit_price").assign(revenue=[2, 3, 5, 2, -3, 0, 4])
    assert _matrix_rows(basket.baskets(revenue_only)) == [("a", "b"), ("a",), ("c",)]


def test_the_column_checks_name_what_is_missing():
    by_day = pd.DataFrame({"order_id": ["1"], "product_id": ["a"]})
    with pytest.raises(ParameterError) as err:
        basket.baskets(by_day, basket="customer_day")
    assert str(err.value) == (
        "Basket analysis by customer-day at product level needs customer_id, "
        "order_date; this dataset has columns order_id, product_id. Use "
        "basket='order', or map the customer and date columns when uploading."
    )
    with pytest.raises(ParameterError) as err:
        basket.count_baskets(by_day, basket="customer_day", level="category")
    assert str(err.value) == (
        "Basket analysis by customer-day at category level needs a category column; this "
        "dataset has columns order_id, product_id. Use level='product', or map a "
        "category column when uploading."
    )
    with pytest.raises(ParameterError) as err:
        basket.baskets(by_day.drop(columns="order_id"))
    assert str(err.value) == (
        "Basket analysis by order at product level needs order_id; this dataset has "
        "columns product_id. Map the order id and product id columns when uploading."
    )
    for call in (basket.baskets, basket.count_baskets):
        with pytest.raises(ParameterError, match="'basket' parameter of"):
            call(by_day, basket="week")
        with pytest.raises(ParameterError, match="'level' parameter of"):
            call(by_day, level="brand")
    with pytest.raises(ParameterError) as err:
        basket.count_baskets("lines.csv")
    assert str(err.value) == (
        "count_baskets needs the order-line table (a pandas DataFrame). Got str instead."
    )
    with pytest.raises(ParameterError, match="^baskets needs the order-line table"):
        basket.baskets(None)


# FIVE orders: {a, b} ×3, {a}, {b, c}: the store's pairs with its own basket numbering
FIVE = pd.DataFrame(
    [(f"o{j}", x) for j, items in enumerate(["ab", "ab", "ba", "a", "cb"]) for x in items],
    columns=["order_id", "product_id"],
)


def _pairs(**kw) -> basket.BasketPairs:
    fields = {
        "b": np.array([4, 4, 0, 0, 2, 2, 1, 3, 3], dtype=np.int32),
        "i": np.array([1, 0, 0, 1, 1, 0, 0, 2, 1], dtype=np.int32),
        "n_baskets": 5,
        "items": np.array(["a", "b", "c"], dtype=object),
        "names": np.array(["Apple", "Bread", "Cheese"], dtype=object),
        "n_dropped": 0,
        "basket": "order",
        "level": "product",
        "include_non_product": False,
    }
    return basket.BasketPairs(**(fields | kw))


def test_the_stores_basket_pairs_mine_as_the_lines():
    from_lines = basket.mine(FIVE, min_support=0.2, min_lift=0.0)
    from_pairs = basket.mine(_pairs(), min_support=0.2, min_lift=0.0)
    for col in ("itemset", "count", "support", "size"):
        assert from_pairs.itemsets[col].tolist() == from_lines.itemsets[col].tolist()
    assert from_pairs.itemsets["names"].tolist() == [
        "Apple",
        "Bread",
        "Apple + Bread",
        "Cheese",
        "Bread + Cheese",
    ]
    pd.testing.assert_frame_equal(
        from_pairs.rules.drop(columns="names"), from_lines.rules.drop(columns="names")
    )
    assert basket.count_baskets(_pairs()) == 5
    assert basket.count_baskets(_pairs(n_baskets=7)) == 7
    # lines the store left out are noted as the lines' route notes them
    res = basket.mine(_pairs(n_dropped=3), min_support=0.2, min_lift=0.0)
    assert res.warnings[0] == (
        "3 sale lines without a product id or order id were left out of the baskets."
    )
    res = basket.mine(
        _pairs(n_dropped=1234, basket="customer_day", level="category"),
        basket="customer_day",
        level="category",
        min_support=0.2,
    )
    assert res.warnings[0] == (
        "1,234 sale lines without a category or customer id / date were left out of the baskets."
    )
    # pairs built for other choices are refused, whichever choice differs
    for kw, asked in (
        ({"level": "category"}, {}),
        ({"include_non_product": True}, {}),
        ({}, {"include_non_product": True}),
    ):
        with pytest.raises(ParameterError) as err:
            basket.count_baskets(_pairs(**kw), **asked)
        assert str(err.value).startswith("These basket pairs were built for basket='order', ")
        built = kw.get("level", "product"), kw.get("include_non_product", False)
        want = asked.get("include_non_product", False)
        assert f"level={built[0]!r}, include_non_product={built[1]}; asked for" in str(err.value)
        assert f"level='product', include_non_product={want}. Build them" in str(err.value)


def test_pairs_in_any_order_mine_as_the_lines():
    """The store's pairs come sorted by basket then item; pairs in another order (any
    numbering, baskets of different sizes interleaved) are sorted before counting."""
    orders = ["abc", "a", "ab", "bc", "abcd"]
    lines = pd.DataFrame(
        [(f"o{j}", x) for j, items in enumerate(orders) for x in items],
        columns=["order_id", "product_id"],
    )
    b = np.array([j for j, items in enumerate(orders) for _ in items], dtype=np.int32)
    i = np.array(["abcd".index(x) for items in orders for x in items], dtype=np.int32)
    order = np.random.default_rng(3).permutation(len(b))
    fields = {
        "n_baskets": 5,
        "items": np.array(list("abcd"), dtype=object),
        "names": np.array(list("abcd"), dtype=object),
        "n_dropped": 0,
        "basket": "order",
        "level": "product",
        "include_non_product": False,
    }
    want = basket.mine(lines, min_support=0.2, min_lift=0.0)
    for perm in (np.arange(len(b)), order, order[::-1]):
        got = basket.mine(
            basket.BasketPairs(b=b[perm], i=i[perm], **fields), min_support=0.2, min_lift=0.0
        )
        pd.testing.assert_frame_equal(got.itemsets, want.itemsets)
        pd.testing.assert_frame_equal(got.rules, want.rules)
    # {a, b, c} is in 2 of the 5 orders (o0, o4), {a, b} in 3
    counts = dict(zip(want.itemsets["itemset"], want.itemsets["count"], strict=True))
    assert counts[("a", "b", "c")] == 2 and counts[("a", "b")] == 3


def test_min_count_for_rounds_up():
    assert basket.min_count_for(0.01, 20573) == 206  # 205.73
    assert basket.min_count_for(0.2, 5) == 1
    assert basket.min_count_for(0.5, 4) == 2
    assert basket.min_count_for(0.26, 10) == 3
    assert basket.min_count_for(np.float32(0.5), np.int64(10)) == 5


class _Store:
    """A store that hands out FIVE's pairs built for whatever was asked, and remembers it."""

    engine = "duckdb"

    def __init__(self):
        self.calls = []

    def basket_pairs(self, dataset_id, filters, *, basket, level, include_non_product):
        self.calls.append((dataset_id, filters, basket, level, include_non_product))
        return _pairs(basket=basket, level=level, include_non_product=include_non_product)


def test_mine_dataset_mines_the_stores_pairs_with_every_setting():
    store = _Store()
    res = basket.mine_dataset(
        store,
        "shop-1",
        {"country": ["FR"]},
        min_support=0.4,
        min_confidence=0.7,
        min_lift=0.5,
        max_len=2,
    )
    assert store.calls == [("shop-1", {"country": ["FR"]}, "order", "product", False)]
    want = basket.mine(FIVE, min_support=0.4, min_confidence=0.7, min_lift=0.5, max_len=2)
    assert res.params == want.params
    assert res.itemsets["itemset"].tolist() == [("a",), ("b",), ("a", "b")]
    # a ⇒ b and b ⇒ a: confidence 3/4 each (≥ 0.7), lift 0.9375 (≥ 0.5)
    assert res.rules["confidence"].tolist() == pytest.approx([0.75, 0.75])
    # the defaults: support 1 %, confidence 0, lift 1, no size limit, orders of products
    store = _Store()
    res = basket.mine_dataset(store, "shop-2")
    assert store.calls == [("shop-2", None, "order", "product", False)]
    assert res.params == {
        "min_support": 0.01,
        "min_confidence": 0.0,
        "min_lift": 1.0,
        "max_len": None,
        "basket": "order",
        "level": "product",
        "include_non_product": False,
    }
    # c ⇒ b and b ⇒ c (lift 1.25) only: a and b together are below chance
    assert set(zip(res.rules["antecedents"], res.rules["consequents"], strict=True)) == {
        (("c",), ("b",)),
        (("b",), ("c",)),
    }
    store = _Store()
    res = basket.mine_dataset(
        store, "shop-3", basket="customer_day", level="category", include_non_product=True
    )
    assert store.calls == [("shop-3", None, "customer_day", "category", True)]
    assert (res.params["basket"], res.params["level"]) == ("customer_day", "category")
    assert res.params["include_non_product"] is True


def test_mine_dataset_on_spark_hands_every_setting_to_the_lake(monkeypatch):
    import sys
    import types

    seen = []
    fake = types.ModuleType("ecomdash.spark.basket")
    fake.mine_on_lake = lambda store, dataset_id, filters, **kw: (
        seen.append((store, dataset_id, filters, kw)) or "mined on the lake"
    )
    monkeypatch.setitem(sys.modules, "ecomdash.spark.basket", fake)
    store = _Store()
    store.engine = "spark"
    got = basket.mine_dataset(store, "shop-1", {"country": ["FR"]}, min_support=0.2, max_len=3)
    assert got == "mined on the lake" and store.calls == []
    assert seen == [
        (
            store,
            "shop-1",
            {"country": ["FR"]},
            {
                "min_support": 0.2,
                "min_confidence": 0.0,
                "min_lift": 1.0,
                "max_len": 3,
                "basket": "order",
                "level": "product",
                "include_non_product": False,
            },
        )
    ]


def test_a_guest_order_first_in_the_file_is_its_own_customer_day():
    # the guest's order is the first order (code 0); x and y bought the same day
    lines = pd.DataFrame(
        {
            "order_id": ["g", "1", "2"],
            "customer_id": [None, "x", "y"],
            "order_date": pd.to_datetime(["2024-03-01"] * 3),
            "product_id": ["a", "b", "c"],
        }
    )
    bk = basket.baskets(lines, basket="customer_day")
    # three baskets of one item each: the guest is neither left out nor merged with x or y
    assert bk.n_baskets == 3
    assert sorted(_matrix_rows(bk)) == [("a",), ("b",), ("c",)]


def test_customer_days_of_returns_only_are_no_baskets():
    lines = pd.DataFrame(
        {
            "order_id": ["1", "1"],
            "customer_id": ["x", "x"],
            "order_date": pd.to_datetime(["2024-03-01"] * 2),
            "product_id": ["a", "b"],
            "quantity": [-1, -2],
            "unit_price": [2.0, 3.0],
        }
    )
    assert basket.count_baskets(lines, basket="customer_day") == 0
    assert basket.count_baskets(lines.drop(columns="order_id"), basket="customer_day") == 0
    with pytest.raises(InsufficientDataError) as err:
        basket.mine(lines, basket="customer_day")
    assert str(err.value).startswith(
        "Basket analysis found no customer-days to analyse: 0 sale lines with a product"
    )


def test_a_product_twice_in_one_order_counts_once():
    # o2 holds a on two lines (not the file's first pair): a is in 2 of the 2 orders
    lines = _rows([("o1", "a"), ("o1", "b"), ("o2", "a"), ("o2", "a"), ("o2", "b")])
    res = basket.mine(lines, min_support=0.5, min_lift=0.0)
    counts = dict(zip(res.itemsets["itemset"], res.itemsets["count"], strict=True))
    assert counts == {("a",): 2, ("b",): 2, ("a", "b"): 2}
    assert res.itemsets["support"].tolist() == [1.0, 1.0, 1.0]


def test_mine_on_lines_keeps_non_product_lines_and_names_on_request():
    lines = pd.DataFrame(
        {
            "order_id": ["1", "1", "1", "2", "2"],
            "product_id": ["a", "b", "SHIP", "a", "b"],
            "product_name": ["Tea", "Mug", "Postage", "Tea", "Mug"],
            "quantity": [1, 1, 1, 1, 1],
            "unit_price": [2.0, 3.0, 5.0, 2.0, 3.0],
            "is_non_product": [False, False, True, False, False],
        }
    )
    res = basket.mine(lines, min_support=0.5, min_lift=0.0, include_non_product=True)
    assert dict(zip(res.items["item"], res.items["count"], strict=True)) == {
        "a": 2,
        "b": 2,
        "SHIP": 1,
    }
    assert res.items["name"].tolist() == ["Tea", "Mug", "Postage"]
    # ids sort "SHIP" < "a" < "b": the pairs with postage name it first
    pairs = res.itemsets[res.itemsets["size"] == 2]
    assert pairs["names"].tolist() == ["Tea + Mug", "Postage + Tea", "Postage + Mug"]
    # without the option the postage line is not an item
    res = basket.mine(lines, min_support=0.5, min_lift=0.0)
    assert res.items["item"].tolist() == ["a", "b"]


def test_a_bad_level_names_the_function_it_was_given_to():
    lines = _rows([("o1", "a"), ("o1", "b")])
    for call, name in ((basket.mine, "basket.mine"), (basket.baskets, "baskets")):
        with pytest.raises(ParameterError) as err:
            call(lines, level="brand")
        assert str(err.value) == (
            f"The 'level' parameter of {name} must be one of 'product', 'category'. "
            "Got 'brand' instead."
        )


class _DuckStore:
    """As the DuckDB Store: no ``engine`` attribute at all (only the Spark store names one)."""

    basket_pairs = _Store.basket_pairs

    def __init__(self):
        self.calls = []


def test_mine_dataset_on_a_store_without_an_engine_name_mines_its_pairs():
    store = _DuckStore()
    res = basket.mine_dataset(store, "shop-3", min_support=0.4)
    assert store.calls == [("shop-3", None, "order", "product", False)]
    assert res.itemsets["itemset"].tolist() == [("a",), ("b",), ("a", "b")]
