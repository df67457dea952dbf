"""``Store.recommend_data``: the Recommendations page's full interactions and offline-test split
from ONE SQL pass, equal to ``Store.interactions`` + ``Store.recommend_split`` (each itself
checked against the pandas route in test_seam_routes.py), and the page asking for it once.

The hand-made merchant has an order whose lines fall on both sides of the cut-off, a
customer who buys only after it, a rebuy, and product names and categories that differ
before and after the cut-off; its expected values are counted by hand below.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ecomdash import schema as S
from ecomdash.filters import Filters
from ecomdash.store import Store
from tests.unit.test_seam_routes import assert_same_interactions
from tests.unit.test_store_aggregates import fixture_lines

# line, order, date, customer, product, name, category
HAND = [
    (1, "O1", "2024-01-01 10:00", "A", "P1", "Mug", "Kitchen"),
    (2, "O2", "2024-01-05 09:00", "A", "P1", "Mug", "Kitchen"),
    (3, "O3", "2024-01-09 23:00", "A", "P2", "Tea", "Food"),  # O3: both sides of the cut
    (4, "O3", "2024-01-10 01:00", "A", "P2", "Tea leaves", "Drinks"),
    (5, "O4", "2024-01-12 12:00", "A", "P3", "Pot", "Kitchen"),
    (6, "O5", "2024-01-11 08:00", "B", "P1", "Big mug", "Kitchen"),  # B: only after it
    (7, "O6", "2024-01-03 08:00", "C", "P2", "Tea", None),
    (8, "O7", "2024-01-13 08:00", "C", "P2", "Tea", None),  # C buys P2 again
    (9, "O7", "2024-01-13 08:00", "C", "P1", "Big mug", None),
]
CUT = "2024-01-10"


def hand_lines() -> pd.DataFrame:
    df = pd.DataFrame(
        HAND,
        columns=["line_no", "order_id", "order_date", "customer_id"]
        + ["product_id", "product_name", "category"],
    )
    df["order_date"] = pd.to_datetime(df["order_date"]).astype("datetime64[us]")
    df["quantity"] = 1.0
    df["unit_price"] = 2.0
    df["revenue"] = 2.0
    for c in S.FLAGS:
        df[c] = False
    return df


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "home")
    yield s
    s.close()


def _dense(inter, m) -> dict[tuple[str, str], float]:
    coo = m.tocoo()
    return {
        (inter.customers[u], inter.products[i]): float(v)
        for u, i, v in zip(coo.row, coo.col, coo.data, strict=True)
    }


def test_hand_made_merchant_counted_by_hand(store):
    ds = store.save_dataset("Hand", hand_lines()).id
    full, split = store.recommend_data(ds, cutoff=CUT)
    # every line (reference date 2024-01-13): orders per pair; age = days since the pair's
    # newest order (by its first line) + 1
    assert list(full.customers) == ["A", "B", "C"] and list(full.products) == ["P1", "P2", "P3"]
    assert _dense(full, full.counts) == {
        ("A", "P1"): 2,
        ("A", "P2"): 1,
        ("A", "P3"): 1,
        ("B", "P1"): 1,
        ("C", "P1"): 1,
        ("C", "P2"): 2,
    }
    assert _dense(full, full.age_days) == {
        ("A", "P1"): 9,
        ("A", "P2"): 5,
        ("A", "P3"): 2,
        ("B", "P1"): 3,
        ("C", "P1"): 1,
        ("C", "P2"): 1,
    }
    # P1: "Mug" twice, "Big mug" twice: the tie goes to the alphabetically first
    assert list(full.product_names) == ["Big mug", "Tea", "Pot"]
    assert list(full.product_categories) == ["Kitchen", "Drinks", "Kitchen"]
    np.testing.assert_array_equal(full.product_last_sold, [0, 0, 1])
    assert (full.reference_date, full.n_lines) == (pd.Timestamp("2024-01-13"), 9)

    train, truth, cut, end = split
    # before the cut-off (lines 1, 2, 3, 7; reference 2024-01-09): O3 counts once, by line 3
    assert list(train.customers) == ["A", "C"] and list(train.products) == ["P1", "P2"]
    assert _dense(train, train.counts) == {("A", "P1"): 2, ("A", "P2"): 1, ("C", "P2"): 1}
    assert _dense(train, train.age_days) == {("A", "P1"): 5, ("A", "P2"): 1, ("C", "P2"): 7}
    assert list(train.product_names) == ["Mug", "Tea"]
    assert list(train.product_categories) == ["Kitchen", "Food"]
    np.testing.assert_array_equal(train.product_last_sold, [4, 0])
    assert (train.reference_date, train.n_lines) == (pd.Timestamp("2024-01-09"), 4)
    # new purchases of customers seen before: not B (new), not A's P2 or C's P2 (bought before)
    assert truth == {"A": {"P3"}, "C": {"P1"}}
    assert cut == pd.Timestamp(CUT)
    assert end == pd.Timestamp("2024-01-13 08:00") + pd.Timedelta(microseconds=1)
    _, (_, rebuy_truth, _, _) = store.recommend_data(ds, cutoff=CUT, rebuy_products=("P2",))
    assert rebuy_truth == {"A": {"P2", "P3"}, "C": {"P1", "P2"}}
    # and the two separate calls say the same
    assert_same_interactions(full, store.interactions(ds))
    ref = store.recommend_split(ds, cutoff=CUT)
    assert_same_interactions(train, ref[0])
    assert ref[1:] == (truth, cut, end)


def _same_as_two_calls(store, ds, filters=None, **kw) -> tuple:
    full, split = store.recommend_data(ds, filters, **kw)
    assert_same_interactions(full, store.interactions(ds, filters))
    train, truth, cut, end = store.recommend_split(ds, filters, **kw)
    assert split is not None
    assert_same_interactions(split[0], train)
    assert split[1:] == (truth, cut, end)
    return split


@pytest.mark.parametrize(
    "kw",
    [
        {"test_days": 4},
        {"cutoff": "2024-01-04"},
        {"cutoff": "2024-01-03", "rebuy_products": ("P1",)},
        {"test_days": 3},
    ],
)
def test_same_as_the_two_calls_on_the_awkward_fixture(store, kw):
    """Returns, a guest, a blank id, an undated line, duplicate order lines, postage."""
    ds = store.save_dataset("Fixture", fixture_lines()).id
    _same_as_two_calls(store, ds, **kw)
    _same_as_two_calls(store, ds, Filters(countries=("UK",)), **kw)


def test_same_as_the_two_calls_on_the_demo(store, demo):
    ds = store.ensure_demo(demo.lines).id
    train, truth, _, _ = _same_as_two_calls(store, ds)
    assert len(truth) > 1000 and train.shape[0] > 8000
    f = Filters(countries=("United Kingdom", "Germany"))
    _same_as_two_calls(store, ds, f, rebuy_products=("GAR-117",))


@pytest.mark.parametrize(
    ("kw", "reason"),
    [({}, "leaves 0 training"), ({"cutoff": "2030-01-01"}, "and 0 test")],
)
def test_no_split_where_the_split_alone_refuses(store, kw, reason):
    """The full interactions still come; the split is None where recommend_split raises."""
    from ecomdash.errors import InsufficientDataError

    ds = store.save_dataset("Hand", hand_lines()).id
    full, split = store.recommend_data(ds, **kw)
    assert split is None and full.shape == (3, 3)
    with pytest.raises(InsufficientDataError, match=reason):
        store.recommend_split(ds, **kw)


def test_without_order_dates_only_the_interactions(store):
    ds = store.save_dataset("Undated", hand_lines().drop(columns=["order_date"])).id
    full, split = store.recommend_data(ds)
    assert split is None
    assert_same_interactions(full, store.interactions(ds))
    assert full.counts.sum() == 9 - 1  # O7 holds two products; O3's two lines are one order
    # the split alone refuses as the lines' route does, naming the field
    from ecomdash.errors import InsufficientDataError
    from ecomdash.recommend import chronological_split

    with pytest.raises(InsufficientDataError) as store_route:
        store.recommend_split(ds)
    with pytest.raises(InsufficientDataError) as lines_route:
        chronological_split(hand_lines().drop(columns=["order_date"]))
    assert str(store_route.value) == str(lines_route.value)
    assert "Found no order_date column" in str(store_route.value)


def test_page_asks_the_store_once_for_both(monkeypatch):
    """The page's interactions and its default offline test share one store call (cached);
    another cut-off asks for the split alone."""
    from ecomdash.ui import recommend as ui

    calls: list[tuple] = []
    split = ("TRAIN", {"c": {"p"}}, pd.Timestamp("2024-03-01"), pd.Timestamp("2024-04-01"))

    class _Store:
        def recommend_data(self, dataset_id, filters):
            calls.append(("recommend_data", dataset_id))
            return "FULL", split

        def recommend_split(self, dataset_id, filters, *, cutoff, rebuy_products):
            calls.append(("recommend_split", cutoff))
            return ("TRAIN2", {}, pd.Timestamp(cutoff), split[3])

    monkeypatch.setattr(ui, "get_store", lambda workspace: _Store())
    monkeypatch.setattr(ui, "run_in_worker", lambda fn, *a, **kw: a)
    key = ("local", "ds-once", 1, (None, None, (), ()))
    ui._data.clear(), ui._evaluation.clear()
    assert ui._interactions(key) == "FULL"
    assert ui._evaluation(key, ui.RecParams(), "en") == ("TRAIN", {"c": {"p"}})
    assert ui._interactions(key) == "FULL"
    assert calls == [("recommend_data", "ds-once")]
    assert ui._evaluation(key, ui.RecParams(cutoff="2024-02-01"), "en")[0] == "TRAIN2"
    assert calls[1:] == [("recommend_split", "2024-02-01")]
