"""KPIs on a tiny fixture, against numbers computed by hand (see tests/unit/tiny.py)."""

from __future__ import annotations

from datetime import date

import pytest

from ecomdash.filters import Filters
from ecomdash.kpis import compute_kpis, kpis_from_lines, overview
from ecomdash.store import Store
from tests.unit.tiny import tiny_lines

JAN = Filters(start=date(2024, 1, 1), end=date(2024, 1, 5))

# Hand computation for 2024-01-01..05:
#   sale lines: O1 20 + 5, O2 10 (later cancelled), O3 15 (postage excluded), O4 30 -> gross 80
#   returns: CO2 10 -> net 70; orders O1, O3, O4 (O2 cancelled) -> 3; units 2+1+1+3+1-1 = 7
#   customers: C1 only (O3 is a guest order, C2's only order was cancelled) -> 1, new (first 2024-01-01)
HAND = {
    "revenue": 70.0,
    "gross_sales": 80.0,
    "returns": 10.0,
    "orders": 3,
    "units": 7.0,
    "aov": 70.0 / 3,
    "customers": 1,
    "new_customers": 1,
    "returning_customers": 0,
    "return_rate": 0.125,
}


@pytest.fixture
def saved(tmp_path):
    store = Store.open(tmp_path / "h")
    info = store.save_dataset("Tiny", tiny_lines())
    yield store, info
    store.close()


def test_sql_kpis_match_hand_computation(saved):
    store, info = saved
    got = compute_kpis(store, info.id, JAN)
    for k, v in HAND.items():
        assert got[k] == pytest.approx(v), k


def test_pandas_reference_matches_hand_computation():
    got = kpis_from_lines(tiny_lines(), date(2024, 1, 1), date(2024, 1, 5))
    for k, v in HAND.items():
        assert got[k] == pytest.approx(v), k


def test_previous_period_and_change(saved):
    store, info = saved
    res = overview(store, info.id, JAN)
    assert res.previous_period == (date(2023, 12, 27), date(2023, 12, 31))
    # previous period: O5 only -> gross 10, 1 order, 1 new customer (C3)
    assert res.previous["revenue"] == pytest.approx(10.0)
    assert res.previous["orders"] == 1 and res.previous["new_customers"] == 1
    assert res.change("revenue") == pytest.approx(6.0)  # 70 vs 10
    assert res.grain == "day"
    assert res.trend["revenue"].sum() == pytest.approx(70.0)
    top = res.top_products
    assert list(top["key"]) == ["P3", "P1", "P2"]  # 30, then a tie at 20 broken by id
    assert "POST" not in set(top["key"])
    # P1: 20 + 10 sold - 10 returned = 20 (O1 + O2 - CO2)
    assert float(top.set_index("key").loc["P1", "revenue"]) == pytest.approx(20.0)


def test_filters_drive_kpis(saved):
    store, info = saved
    uk = compute_kpis(
        store, info.id, Filters(start=date(2024, 1, 1), end=date(2024, 1, 5), countries=("UK",))
    )
    assert uk["gross_sales"] == pytest.approx(40.0)  # 20 + 5 + 15
    assert uk["returns"] == 0 and uk["orders"] == 2


def test_whole_range_has_no_previous(saved):
    store, info = saved
    res = overview(store, info.id, Filters())
    assert res.previous is None and res.change("revenue") is None
    assert any("no data before" in n for n in res.notes)
