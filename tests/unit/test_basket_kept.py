"""A basket is a purchase that was kept: an order with at least one product line that was not
cancelled — the Overview's order (``schema.customer_sales`` / ``Store.customer_predicate``).

A hand-built shop, every count worked out by hand below, checked through the pandas route
(``basket.mine`` on the lines), the DuckDB store route (``Store.basket_pairs``,
``basket.mine_dataset``, ``holdout_check_dataset``, the what-if from pairs) and Spark
(FP-Growth on the lake), and the demo merchant's basket count against the Overview's orders.

The orders (``~`` = a sale line later cancelled, matched to a return line in ``C<order>``):

====  ========  =====  =================  =====================================
order customer  day    lines              kept basket
====  ========  =====  =================  =====================================
O1    c1        1      A, B               {A, B}
O2    c2        2      ~A, ~B             none: cancelled in full
O3    c2        3      A, B               {A, B}  (O2 keyed again)
O4    c3        3      A, ~B              {A}     (partly cancelled)
O5    (guest)   4      A, B, C            {A, B, C}  (a guest order is a basket)
O6    c4        4      POST               none: postage only (kept with non-product lines)
O7    c1        5      A, C               {A, C}
O8    c5        5      D                  {D}
====  ========  =====  =================  =====================================

Kept: 6 baskets; A in 5, B in 3, C in 2, D in 1; {A, B} in 3, {A, C} in 2. Rule A → B:
confidence 3/5, lift (3/5)/(3/6) = 1.2; B → A: confidence 1, lift 1/(5/6) = 1.2.
The old route (every sale line, cancelled ones too): 7 baskets, A 6, B 5, {A, B} 5 (O2 and O4
hold the pair), A → B lift (5/6)/(5/7) = 7/6.
"""

from __future__ import annotations

import pandas as pd
import pytest

from ecomdash import basket as B
from ecomdash import kpis
from ecomdash.store import Store

# order, day, customer, product, quantity, unit price, cancelled
_SALES = [
    ("O1", 1, "c1", "A", 1, 5.0, False),
    ("O1", 1, "c1", "B", 1, 10.0, False),
    ("O2", 2, "c2", "A", 2, 5.0, True),
    ("O2", 2, "c2", "B", 3, 4.0, True),
    ("O3", 3, "c2", "A", 2, 5.0, False),
    ("O3", 3, "c2", "B", 2, 10.0, False),
    ("O4", 3, "c3", "A", 1, 5.0, False),
    ("O4", 3, "c3", "B", 1, 4.0, True),
    ("O5", 4, None, "A", 1, 5.0, False),
    ("O5", 4, None, "B", 1, 10.0, False),
    ("O5", 4, None, "C", 1, 3.0, False),
    ("O6", 4, "c4", "POST", 1, 4.5, False),
    ("O7", 5, "c1", "A", 1, 5.0, False),
    ("O7", 5, "c1", "C", 1, 3.0, False),
    ("O8", 5, "c5", "D", 1, 7.0, False),
]


def kept_lines() -> pd.DataFrame:
    """The shop's canonical lines: the sales, then a return line for each cancelled sale."""
    rows = []
    for order, day, cust, prod, qty, price, cancelled in _SALES:
        rows.append((order, day, cust, prod, qty, price, False, prod == "POST", cancelled))
    for order, day, cust, prod, qty, price, cancelled in _SALES:
        if cancelled:  # the return that cancels it, the same day
            rows.append(("C" + order, day, cust, prod, -qty, price, True, False, False))
    df = pd.DataFrame(
        rows,
        columns=[
            "order_id",
            "day",
            "customer_id",
            "product_id",
            "quantity",
            "unit_price",
            "is_return",
            "is_non_product",
            "is_cancelled",
        ],
    )
    df["order_date"] = pd.Timestamp("2024-01-01 10:00") + pd.to_timedelta(df.pop("day"), "D")
    df["product_name"] = "Item " + df["product_id"]
    df["revenue"] = df["quantity"] * df["unit_price"]
    df["quantity"] = df["quantity"].astype("float64")
    for c in ("order_id", "customer_id", "product_id", "product_name"):
        df[c] = df[c].astype("string")
    return df


#: by hand (see the module docstring): baskets, then item and pair counts
N_KEPT = 6
ITEMS = {"A": 5, "B": 3, "C": 2, "D": 1}
PAIRS = {("A", "B"): 3, ("A", "C"): 2, ("B", "C"): 1}


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    store = Store.open(tmp_path_factory.mktemp("kept") / "home")
    info = store.save_dataset("Kept", kept_lines())
    yield store, info.id
    store.close()


def _counts(res: B.BasketResult) -> tuple[dict, dict]:
    items = dict(zip(res.items["item"], res.items["count"], strict=True))
    two = res.itemsets[res.itemsets["size"] == 2]
    pairs = dict(zip(two["itemset"], two["count"], strict=True))
    return items, pairs


def _rule(res: B.BasketResult, a: str, c: str) -> pd.Series:
    r = res.rules
    hit = r[(r["antecedents"] == (a,)) & (r["consequents"] == (c,))]
    assert len(hit) == 1, (a, c)
    return hit.iloc[0]


def _check_by_hand(res: B.BasketResult) -> None:
    assert res.n_baskets == N_KEPT
    assert res.n_multi_item_baskets == 4  # O1, O3, O5, O7
    items, pairs = _counts(res)
    assert items == ITEMS
    assert pairs == PAIRS
    ab, ba = _rule(res, "A", "B"), _rule(res, "B", "A")
    assert (ab["count"], ab["confidence"], ab["lift"]) == (
        3,
        pytest.approx(0.6),
        pytest.approx(1.2),
    )
    assert (ba["confidence"], ba["lift"]) == (pytest.approx(1.0), pytest.approx(1.2))
    assert ab["support"] == pytest.approx(3 / 6)


@pytest.mark.parametrize("basket", ["order", "customer_day"])
def test_pandas_route_counts_kept_purchases_only(basket):
    """Every order here is its customer's only one that day: customer-days are the orders."""
    lines = kept_lines()
    res = B.mine(lines, min_support=0.1, min_lift=0.0, basket=basket)
    _check_by_hand(res)
    assert B.count_baskets(lines, basket=basket) == N_KEPT
    m = B.baskets(lines, basket=basket)
    assert m.n_baskets == N_KEPT
    assert m.matrix.sum() == sum(ITEMS.values())  # 11 (basket, item) pairs


@pytest.mark.parametrize("basket", ["order", "customer_day"])
def test_store_route_counts_kept_purchases_only(stored, basket):
    store, ds = stored
    pairs = store.basket_pairs(ds, basket=basket)
    assert pairs.n_baskets == N_KEPT
    assert len(pairs.b) == sum(ITEMS.values())
    _check_by_hand(B.mine(pairs, min_support=0.1, min_lift=0.0, basket=basket))
    _check_by_hand(B.mine_dataset(store, ds, min_support=0.1, min_lift=0.0, basket=basket))


def test_baskets_are_the_overviews_orders(stored):
    """The Overview counts O1, O3, O4, O5, O7, O8: the baskets, on both routes."""
    store, ds = stored
    orders = kpis.compute_kpis(store, ds)["orders"]
    assert orders == N_KEPT
    assert B.count_baskets(store.basket_pairs(ds)) == orders
    assert B.count_baskets(store.load_columns(ds, None, B.line_columns())) == orders


def test_non_product_lines_kept_on_request_cancelled_ones_never():
    """With postage and fees: O6's postage is a basket of its own (7); O2 still is not."""
    lines = kept_lines()
    res = B.mine(lines, min_support=0.1, min_lift=0.0, include_non_product=True)
    assert res.n_baskets == 7
    items, pairs = _counts(res)
    assert items == {**ITEMS, "POST": 1}
    assert pairs == PAIRS


def test_store_route_with_non_product_lines(stored):
    store, ds = stored
    pairs = store.basket_pairs(ds, include_non_product=True)
    assert pairs.n_baskets == 7
    assert B.count_baskets(pairs, include_non_product=True) == 7


def _check_whatif(w: B.BundleWhatIf) -> None:
    """A → B, half of the A-without-B baskets (O4, O7) taking one B at B's kept price:
    B sold 1 + 2 + 1 = 4 units for 10 + 20 + 10 = 40 (O2's 3 and O4's 1 at 4 were cancelled),
    10 a unit; extra revenue 0.5 × 2 × 10 = 10."""
    assert w.n_baskets == N_KEPT
    assert (w.n_with_antecedent, w.n_with_both, w.n_antecedent_only) == (5, 3, 2)
    assert w.extra_orders == pytest.approx(1.0)
    assert w.extra_revenue == pytest.approx(10.0)
    price = w.prices.iloc[0]
    assert (price["avg_price"], price["units_sold"]) == (pytest.approx(10.0), 4.0)


def test_bundle_whatif_by_hand_from_lines():
    _check_whatif(B.bundle_whatif(kept_lines(), "A", "B", share=0.5))


def test_bundle_whatif_by_hand_from_store_pairs(stored):
    store, ds = stored
    items = store.product_lines(ds, None, B.line_columns(), products=("B",))
    _check_whatif(B.bundle_whatif(store.basket_pairs(ds), "A", "B", share=0.5, item_lines=items))


def test_frequently_bought_together_counts_kept_baskets(stored):
    """With A: B in 3 of A's 5 baskets, C in 2; lift of B (3/5)/(3/6) = 1.2."""
    store, ds = stored
    for data in (kept_lines(), store.basket_pairs(ds)):
        fbt = B.frequently_bought_together(data, "A", k=3)
        assert fbt["item"].tolist() == ["B", "C"]
        assert fbt["together"].tolist() == [3, 2]
        assert fbt["lift"].tolist() == pytest.approx([1.2, (2 / 5) / (2 / 6)])


def _check_holdout(h: B.HoldoutResult) -> None:
    """18 dated lines (days 1:2, 2:4, 3:5, 4:4, 5:3): their 0.75 quantile is day 4, the cut-off.
    Earlier kept baskets O1 {A,B}, O3 {A,B}, O4 {A} (3; O2 cancelled); later O5, O7, O8 (3).
    A → B on the earlier ones: confidence 2/3, lift (2/3)/(2/3) = 1; later: 1/2, (1/2)/(1/3)."""
    assert h.cutoff == pd.Timestamp("2024-01-05")
    assert (h.n_train, h.n_test) == (3, 3)
    r = h.rules.set_index(h.rules["antecedents"].map(str) + h.rules["consequents"].map(str))
    ab = r.loc[str(("A",)) + str(("B",))]
    assert ab["confidence_train"] == pytest.approx(2 / 3)
    assert ab["lift_train"] == pytest.approx(1.0)
    assert (ab["confidence_test"], ab["lift_test"]) == (pytest.approx(0.5), pytest.approx(1.5))


def test_holdout_by_hand_on_kept_baskets(stored):
    _check_holdout(B.holdout_check(kept_lines(), min_support=0.1))
    store, ds = stored
    _check_holdout(B.holdout_check_dataset(store, ds, min_support=0.1))


def test_spark_route_counts_kept_purchases_only(spark_session, tmp_path_factory):
    from ecomdash.spark.store import SparkStore

    sp = SparkStore(spark_session, str(tmp_path_factory.mktemp("kept_spark") / "lake"))
    ds = sp.save_dataset("Kept", kept_lines()).id
    _check_by_hand(B.mine_dataset(sp, ds, min_support=0.1, min_lift=0.0))
    res = B.mine_dataset(sp, ds, min_support=0.1, min_lift=0.0, include_non_product=True)
    assert res.n_baskets == 7


def test_demo_baskets_are_the_overviews_orders(tmp_path, demo):
    """On the demo merchant (planted cancellations and re-keyed orders): the Basket page's
    count of baskets is the Overview's count of orders, computed both ways."""
    store = Store.open(tmp_path / "home")
    try:
        ds = store.ensure_demo(demo.lines).id
        orders = kpis.compute_kpis(store, ds)["orders"]
        assert demo.lines["is_cancelled"].any()
        assert B.count_baskets(store.basket_pairs(ds)) == orders
        assert B.count_baskets(demo.lines) == orders
    finally:
        store.close()


def test_report_basket_section_counts_kept_orders(stored):
    """The report's "Products bought together" mines the same 6 kept orders (not 7)."""
    from ecomdash.report import SECTIONS, build_report

    store, ds = stored
    rep = build_report(store, ds, sections=tuple(s for s in SECTIONS if s.key == "basket"))
    (sec,) = rep.sections
    text = " ".join(sec.text)
    assert "from 6 orders" in text, text
    assert "on the 3 later orders" in sec.verdict, sec.verdict


def test_cli_basket_counts_kept_orders(_isolated_home, capsys):
    import json

    from ecomdash.cli import main

    store = Store.open(_isolated_home)
    try:
        ds = store.save_dataset("Kept", kept_lines()).id
    finally:
        store.close()
    args = ["basket", "--dataset", ds, "--min-support", "0.1", "--min-lift", "0", "--json"]
    assert main(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["n_baskets"] == N_KEPT
    ab = [r for r in out["rules"] if r["antecedents"] == ["A"] and r["consequents"] == ["B"]]
    assert [(r["count"], round(r["lift"], 9)) for r in ab] == [(3, 1.2)]


def test_every_order_cancelled_is_nothing_to_analyse_and_says_why(stored):
    """Only O2 (cancelled in full) and its returns: no basket; the refusal names the
    cancelled sales among what was removed (pandas and store routes alike)."""
    from ecomdash.errors import InsufficientDataError

    lines = kept_lines()
    only = lines[lines["order_id"].isin(["O2", "CO2"])]
    want = (
        "Basket analysis found no orders to analyse: 0 sale lines with a product after "
        "removing returns, cancelled sales and non-product lines. Check the global filters "
        "and that the file has sale lines."
    )
    with pytest.raises(InsufficientDataError) as err:
        B.mine(only)
    assert str(err.value) == want
    store, _ds = stored
    ds = store.save_dataset("Cancelled", only).id
    with pytest.raises(InsufficientDataError) as err:
        B.mine_dataset(store, ds)
    assert str(err.value) == want
