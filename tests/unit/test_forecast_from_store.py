"""forecast.from_store.top_products: who asks the store for the whole-shop day groups."""

from __future__ import annotations

import pytest

from ecomdash import schema as S
from ecomdash.forecast import from_store as FS
from ecomdash.store import Store


class CountingStore:
    """The real store, counting its ``shop_day_groups`` calls."""

    def __init__(self, store: Store):
        self._store = store
        self.asked = 0

    def shop_day_groups(self, *args, **kw):
        self.asked += 1
        return self._store.shop_day_groups(*args, **kw)

    def __getattr__(self, name):
        return getattr(self._store, name)


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "home")
    yield s
    s.close()


def test_a_dataset_without_amounts_is_asked_for_its_day_groups_once(store, demo):
    lines = demo.lines.drop(columns=[S.REVENUE, S.UNIT_PRICE])
    ds = store.save_dataset("No amounts", lines).id
    spy = CountingStore(store)
    shop = spy.shop_day_groups(ds)  # what the page does first (cached there)
    assert shop is None and spy.asked == 1
    res, cut = FS.top_products(spy, ds, top=3, horizon=2, folds=1, shop=shop)
    assert spy.asked == 1  # None is the store's answer, not "ask again"
    assert len(res.table) == 3 and cut == {}
    FS.top_products(spy, ds, top=3, horizon=2, folds=1)  # default: ask the store
    assert spy.asked == 2


def test_the_default_asks_the_store_and_gives_what_the_page_gets(store, demo):
    ds = store.ensure_demo(demo.lines).id
    spy = CountingStore(store)
    asked, cut_a = FS.top_products(spy, ds, top=3, horizon=2, folds=1)
    assert spy.asked == 1
    given, cut_g = FS.top_products(
        spy, ds, top=3, horizon=2, folds=1, shop=store.shop_day_groups(ds)
    )
    assert spy.asked == 1
    assert cut_a == pytest.approx(cut_g, rel=1e-12)  # DuckDB sums in no fixed order
    assert cut_a["products"] > 3
    assert asked.table.equals(given.table)
