"""The bundle what-if from the store's basket pairs and the B products' lines only (mem9) is
the what-if of every line: the app no longer holds every line in the server for it (at 10 M
lines that took the server past 7.9 GB while the home page ran it)."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from ecomdash import basket as B
from ecomdash.errors import ParameterError
from ecomdash.filters import Filters
from ecomdash.store import Store
from tests.unit.test_store_aggregates import fixture_lines


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = Store.open(tmp_path_factory.mktemp("whatif") / "home")
    yield s
    s.close()


@pytest.fixture(scope="module")
def demo_id(store, demo):
    return store.ensure_demo(demo.lines).id


@pytest.fixture(scope="module")
def fixture_id(store):
    return store.save_dataset("Fixture", fixture_lines()).id


def _rules(store, ds, filters, basket, incl, n=4):
    """The strongest product rules of the lines (several A and B sizes when there are)."""
    full = store.load_lines(ds, filters)
    res = B.mine(full, min_support=0.005, basket=basket, include_non_product=incl)
    rules = res.rules.sort_values(["lift", "support"], ascending=False)
    out = [(tuple(r.antecedents), tuple(r.consequents)) for r in rules.itertuples()]
    multi = [r for r in out if len(r[0]) + len(r[1]) > 2]
    return full, out[:n] + multi[:2]


def _same(new: B.BundleWhatIf, old: B.BundleWhatIf) -> None:
    for f in dataclasses.fields(old):
        if f.name == "prices":
            pd.testing.assert_frame_equal(new.prices, old.prices)  # prices bit for bit
        else:
            assert getattr(new, f.name) == getattr(old, f.name), f.name


@pytest.mark.parametrize("incl", [False, True])
@pytest.mark.parametrize("basket", ["order", "customer_day"])
@pytest.mark.parametrize("which", ["demo", "fixture"])
def test_whatif_from_pairs_and_b_lines_is_the_whatif_of_every_line(
    store, request, which, basket, incl
):
    ds = request.getfixturevalue(f"{which}_id")
    country = "United Kingdom" if which == "demo" else "UK"
    cols = B.line_columns(basket, "product")
    for filters in (None, Filters(countries=(country,))):
        full, rules = _rules(store, ds, filters, basket, incl)
        assert rules, "the data has no rule to test"
        pairs = store.basket_pairs(
            ds, filters, basket=basket, level="product", include_non_product=incl
        )
        if which == "fixture":  # every ordered pair too: B with returns, a zero price, no revenue
            ids = [str(x) for x in pairs.items]
            rules += [((a,), (b,)) for a in ids for b in ids if a != b]
        for ante, cons in rules:
            kw = {"share": 0.25, "basket": basket, "include_non_product": incl}
            old = B.bundle_whatif(full, ante, cons, **kw)
            items = store.product_lines(ds, filters, cols, products=cons)
            # only B's lines were read, far fewer than every line
            assert set(items["product_id"]) == set(cons) and len(items) < len(full)
            new = B.bundle_whatif(pairs, ante, cons, item_lines=items, **kw)
            _same(new, old)
            # the store-backed entry point the page and the report's digest call
            _same(B.bundle_whatif_dataset(store, ds, filters, ante, cons, **kw), old)


def test_whatif_from_pairs_refuses_what_the_lines_refuse(store, fixture_id):
    full = store.load_lines(fixture_id)
    pairs = store.basket_pairs(fixture_id)
    items = store.product_lines(fixture_id, None, B.line_columns(), products=("NOPE",))
    assert items.empty
    a = str(full["product_id"].dropna().iloc[0])
    for data, kw in ((full, {}), (pairs, {"item_lines": items})):
        with pytest.raises(ParameterError, match="Product 'NOPE' is not in the"):
            B.bundle_whatif(data, (a,), ("NOPE",), **kw)
    with pytest.raises(TypeError, match="item_lines"):
        B.bundle_whatif(pairs, (a,), ("NOPE",))
    with pytest.raises(ParameterError, match="built for basket='order'"):
        B.bundle_whatif(pairs, (a,), ("NOPE",), basket="customer_day", item_lines=items)


@pytest.mark.parametrize("incl", [False, True])
@pytest.mark.parametrize("basket", ["order", "customer_day"])
@pytest.mark.parametrize("which", ["demo", "fixture"])
def test_bought_together_from_pairs_is_that_of_every_line(store, request, which, basket, incl):
    """The Basket page's lookup reads the cached pairs instead of every line: same table."""
    ds = request.getfixturevalue(f"{which}_id")
    for level in ("product", "category"):
        kw = {"basket": basket, "level": level, "include_non_product": incl}
        full = store.load_lines(ds)
        pairs = store.basket_pairs(ds, **kw)
        items = [str(x) for x in pairs.items]
        if which == "demo":
            counts = pd.Series(pairs.i).value_counts()
            items = [items[j] for j in counts.index[:5]] + [items[counts.index[-1]]]
        for item in items:
            old = B.frequently_bought_together(full, item, k=5, **kw)
            new = B.frequently_bought_together(pairs, item, k=5, **kw)
            pd.testing.assert_frame_equal(new, old)
        with pytest.raises(ParameterError, match="is not in the"):
            B.frequently_bought_together(pairs, "NOPE", **kw)


def test_the_basket_pages_whatif_and_lookup_never_read_every_line(store, fixture_id, monkeypatch):
    """The regression that held the 10 M server at 7.9–8.9 GB: the what-if (the home's bundle
    finding) and the lookup read every line (``load_columns`` through ``cached_columns``).
    Now they read the cached pairs and B's lines only, and give the lines' answers."""
    from ecomdash.ui import basket_data, common

    full = store.load_lines(fixture_id)
    monkeypatch.setattr(basket_data, "get_store", lambda workspace: store)
    monkeypatch.setattr(common, "get_store", lambda workspace: store)

    def every_line(*a, **k):
        raise AssertionError("every line was read")

    monkeypatch.setattr(store, "load_columns", every_line)
    monkeypatch.setattr(store, "load_lines", every_line)
    key = ("local", fixture_id, 1, Filters().as_key())
    ids = [str(x) for x in store.basket_pairs(fixture_id).items]
    a, b = ids[0], ids[1]
    got = basket_data.whatif.__wrapped__(key, "order", False, (a,), (b,), 0.5)
    _same(got, B.bundle_whatif(full, (a,), (b,), share=0.5))
    got = basket_data.fbt.__wrapped__(key, "order", "product", False, a, 3)
    pd.testing.assert_frame_equal(got, B.frequently_bought_together(full, a, k=3))
