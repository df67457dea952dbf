"""The Basket page's holdout check from the store's SQL (mem10) is the check of every line.

``basket.holdout_check_dataset`` takes the cut-off day from the store's lines per day and each
side's baskets from ``Store.basket_pairs`` split at that day, instead of loading every line and
copying it into earlier and later parts (at 10 M lines that held the server at 7.6-7.8 GB on
the browser walk). Its result must be ``holdout_check`` of the same lines, field by field.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from ecomdash import basket as B
from ecomdash.errors import EcomdashError
from ecomdash.filters import Filters
from ecomdash.store import Store
from tests.unit.test_store_aggregates import fixture_lines

COLUMNS = [
    "order_id",
    "order_date",
    "customer_id",
    "product_id",
    "product_name",
    "quantity",
    "unit_price",
    "revenue",
    "is_return",
]


def awkward_lines() -> pd.DataFrame:
    """Days 1, 2 and 5 of March 2024 (none on the 3rd and 4th): order S1 has a line on the
    2nd and one on the 5th, order U1 two undated lines and one on the 5th, R1 is a return on
    the 5th, B1's lines are at midnight. 18 dated lines: 6 on the 1st, 5 on the 2nd, 7 on
    the 5th; 2 undated."""
    d1, d2, d5 = "2024-03-01 10:00", "2024-03-02 15:30", "2024-03-05 09:00"
    rows = [
        ("A1", d1, "C1", "P1"),
        ("A1", d1, "C1", "P2"),
        ("A2", d1, "C2", "P1"),
        ("A2", d1, "C2", "P2"),
        ("A3", d1, "C3", "P1"),
        ("A3", d1, "C3", "P3"),
        ("A4", d2, "C4", "P1"),
        ("A4", d2, "C4", "P2"),
        ("A5", d2, "C5", "P2"),
        ("A5", d2, "C5", "P3"),
        ("S1", d2, "C6", "P1"),
        ("S1", d5, "C6", "P2"),
        ("B1", "2024-03-05 00:00", "C7", "P1"),
        ("B1", "2024-03-05 00:00", "C7", "P2"),
        ("B2", d5, "C8", "P1"),
        ("B2", d5, "C8", "P3"),
        ("U1", None, "C9", "P1"),
        ("U1", None, "C9", "P2"),
        ("U1", d5, "C9", "P3"),
    ]
    out = pd.DataFrame(
        [(o, d, c, p, f"name {p}", 1.0, 10.0, 10.0, False) for o, d, c, p in rows],
        columns=COLUMNS,
    )
    ret = pd.DataFrame(
        [("R1", d5, "C1", "P1", "name P1", -1.0, 10.0, -10.0, True)], columns=COLUMNS
    )
    out = pd.concat([out, ret], ignore_index=True)
    out["order_date"] = pd.to_datetime(out["order_date"]).astype("datetime64[us]")
    out["line_no"] = range(2, len(out) + 2)
    return out


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = Store.open(tmp_path_factory.mktemp("holdout") / "home")
    yield s
    s.close()


@pytest.fixture(scope="module")
def demo_id(store, demo):
    return store.ensure_demo(demo.lines).id


@pytest.fixture(scope="module")
def fixture_id(store):
    return store.save_dataset("Fixture", fixture_lines()).id


@pytest.fixture(scope="module")
def awkward_id(store):
    return store.save_dataset("Awkward", awkward_lines()).id


def _same(new: B.HoldoutResult, old: B.HoldoutResult) -> None:
    for f in dataclasses.fields(old):
        x, y = getattr(new, f.name), getattr(old, f.name)
        if isinstance(y, pd.DataFrame):
            pd.testing.assert_frame_equal(x, y)
        else:
            assert x == y, f.name


def _both(store, ds, filters, **kw):
    """(store route, lines route): each a HoldoutResult or (error type, message)."""

    def run(fn):
        try:
            return fn()
        except EcomdashError as exc:
            return (type(exc).__name__, str(exc))

    cols = B.line_columns(kw.get("basket", "order"), kw.get("level", "product"))
    old = run(lambda: B.holdout_check(store.load_columns(ds, filters, cols), **kw))
    new = run(lambda: B.holdout_check_dataset(store, ds, filters, **kw))
    return new, old


def _assert_same(new, old) -> None:
    if isinstance(old, tuple):
        assert new == old
    else:
        assert not isinstance(new, tuple), new
        _same(new, old)


@pytest.mark.parametrize("incl", [False, True])
@pytest.mark.parametrize("basket", ["order", "customer_day"])
def test_demo_holdout_from_the_store_is_the_holdout_of_every_line(store, demo_id, basket, incl):
    checked = 0
    for filters in (None, Filters(countries=("United Kingdom",))):
        for level in ("product", "category"):
            for share in (0.25, 0.6):
                kw = {"basket": basket, "level": level, "include_non_product": incl}
                new, old = _both(store, demo_id, filters, test_share=share, **kw)
                _assert_same(new, old)
                checked += not isinstance(old, tuple) and old.n_rules > 0
    assert checked == 8  # every case scored rules (not only refusals compared)


@pytest.mark.parametrize("basket", ["order", "customer_day"])
def test_fixture_holdout_from_the_store_is_the_holdout_of_every_line(store, fixture_id, basket):
    """The awkward store fixture (returns, guests, an undated line, a zero price ...), where
    several settings are refused: the same refusal, or the same result."""
    results = []
    for filters in (None, Filters(countries=("UK",))):
        for level in ("product", "category"):
            for incl in (False, True):
                for share in (0.25, 0.5, 0.9):
                    kw = {"basket": basket, "level": level, "include_non_product": incl}
                    new, old = _both(
                        store, fixture_id, filters, test_share=share, min_support=0.1, **kw
                    )
                    _assert_same(new, old)
                    results.append(old)
    assert any(isinstance(r, tuple) for r in results)
    assert any(not isinstance(r, tuple) and r.n_rules > 0 for r in results)


def test_line_days_by_hand(store, awkward_id):
    days = store.line_days(awkward_id)
    assert days["day"].dtype == "datetime64[us]"
    assert [str(d.date()) if pd.notna(d) else None for d in days["day"]] == [
        "2024-03-01",
        "2024-03-02",
        "2024-03-05",
        None,
    ]
    assert days["lines"].tolist() == [6, 5, 7, 2]  # the return counts; the undated last


def test_basket_pairs_split_at_a_cutoff_by_hand(store, awkward_id):
    """Later: the lines on or after the cut-off; earlier: the others, undated ones too."""

    def baskets(pairs):
        items = np.asarray(pairs.items)
        out = {}
        for b, i in zip(pairs.b.tolist(), pairs.i.tolist(), strict=True):
            out.setdefault(b, set()).add(str(items[i]))
        return sorted(tuple(sorted(v)) for v in out.values())

    at = pd.Timestamp("2024-03-05")
    later = store.basket_pairs(awkward_id, cutoff=at, later=True)
    earlier = store.basket_pairs(awkward_id, cutoff=at, later=False)
    # B1 (at midnight on the 5th), B2, S1's line of the 5th, U1's dated line (not the return)
    assert baskets(later) == [("P1", "P2"), ("P1", "P3"), ("P2",), ("P3",)]
    # A1..A5, S1's line of the 2nd, U1's two undated lines
    assert baskets(earlier) == [
        ("P1",),
        ("P1", "P2"),
        ("P1", "P2"),
        ("P1", "P2"),
        ("P1", "P2"),
        ("P1", "P3"),
        ("P2", "P3"),
    ]
    assert (later.n_baskets, earlier.n_baskets) == (4, 7)


def test_holdout_by_hand_cutoff_between_days(store, awkward_id):
    """The 18 dated lines' days (returns count, undated lines do not): at test_share 6.5/17
    the quantile is 10.5 lines in, halfway between the 2nd (line 10) and the 5th (line 11),
    the 3rd at 12:00: the cut-off is the 3rd, a day without lines. Earlier baskets: A1..A5,
    S1 {P1}, U1 {P1, P2} (undated: earlier); later: B1 {P1, P2}, B2 {P1, P3}, S1 {P2},
    U1 {P3}."""
    kw = {"test_share": 6.5 / 17, "min_support": 0.5, "min_lift": 0.0}
    new, old = _both(store, awkward_id, None, **kw)
    _assert_same(new, old)
    assert new.cutoff == pd.Timestamp("2024-03-03")
    assert (new.n_train, new.n_test, new.n_rules) == (7, 4, 2)
    rules = new.rules.set_index(["antecedents", "consequents"])
    # earlier: P1 in 6 of 7, P2 in 5, both in 4; later: P1 in 2 of 4, P2 in 2, both in 1
    assert rules.loc[(("P1",), ("P2",)), "confidence_train"] == pytest.approx(4 / 6)
    assert rules.loc[(("P2",), ("P1",)), "confidence_train"] == pytest.approx(4 / 5)
    assert rules["confidence_test"].tolist() == [0.5, 0.5]
    assert rules["lift_test"].tolist() == [1.0, 1.0]  # (1/2) / (2/4)
    assert rules["count_test"].tolist() == [1, 1]
    assert new.share_holding == 0.0  # lift 1 is not above chance
    assert new.median_confidence_train == pytest.approx((4 / 6 + 4 / 5) / 2)
    assert new.median_confidence_test == 0.5


def test_holdout_by_hand_cutoff_on_a_day_with_a_midnight_order(store, awkward_id):
    """At test_share 0.25 the quantile is 12.75 lines in: the 5th, where B1's lines are at
    midnight (later, not earlier)."""
    new, old = _both(store, awkward_id, None, test_share=0.25, min_support=0.5, min_lift=0.0)
    _assert_same(new, old)
    assert new.cutoff == pd.Timestamp("2024-03-05")
    assert (new.n_train, new.n_test) == (7, 4)


def test_holdout_from_the_store_refuses_as_the_lines(store, awkward_id):
    undated = awkward_lines().assign(order_date=pd.NaT)
    ds = store.save_dataset("Undated", undated).id
    new, old = _both(store, ds, None)
    assert new == old and "needs order dates" in old[1]
    # a filter that leaves one day: no later baskets
    one_day = Filters(
        start=pd.Timestamp("2024-03-01").date(), end=pd.Timestamp("2024-03-01").date()
    )
    new, old = _both(store, awkward_id, one_day)
    assert new == old and "both sides" in old[1]
