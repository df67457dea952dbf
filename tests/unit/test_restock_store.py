"""The restock plan from the store's SQL product-weeks equals the plan from the lines.

The Home's restock finding and the Forecast page's planner used to load every line's forecast
columns only for ABC/XYZ classes and the last order date; they now read ``Store.product_weeks``
and ``Store.date_span``. Checked on the awkward fixture (undated line, missing revenue, zero
price, returns, postage), a revenue-less dataset, and the demo merchant with a filter.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from ecomdash import forecast as F
from ecomdash import inventory as I
from ecomdash import schema as S
from ecomdash.filters import Filters
from ecomdash.store import Store
from tests.unit.test_store_aggregates import fixture_lines


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path / "home")
    yield s
    s.close()


def test_product_weeks_by_hand(store):
    ds = store.save_dataset("Fixture", fixture_lines()).id
    got = store.product_weeks(ds).set_index(["product_id", "week"])
    full = store.load_lines(ds)
    # P3 "Pot": only the 30.00 line of O7 is a sale (the zero-price line is not) in the week
    # of Monday 2024-01-01
    wk = pd.Timestamp("2024-01-01")
    p3 = full[(full["product_id"] == "P3") & (full["unit_price"] > 0) & ~full["is_return"]]
    assert got.loc[("P3", wk), "units"] == p3["quantity"].sum()
    assert got.loc[("P3", wk), "revenue"] == pytest.approx(p3["revenue"].sum())
    # the undated sale of P1 (O12) is one row with no week; postage never appears
    assert got.loc["P1"].index.isna().sum() == 1
    assert got.loc[("P1", pd.NaT), "units"] == 1.0
    assert "POST" not in got.index.get_level_values("product_id")
    # returns never count: every row's units are positive
    assert (got["units"] > 0).all()


@pytest.mark.parametrize("drop", [(), (S.REVENUE,)])
def test_classes_from_product_weeks_equal_classes_from_lines(store, drop):
    lines = fixture_lines().drop(columns=list(drop))
    ds = store.save_dataset("Fixture", lines).id
    want = I.classify_products(store.load_lines(ds))
    got = I.classify_weekly(store.product_weeks(ds))
    pd.testing.assert_frame_equal(got.sort_index(), want.sort_index(), check_names=False)
    assert len(want) >= 3 and want["revenue"].gt(0).all()


def test_plan_from_store_equals_plan_from_lines_on_demo(store, demo):
    ds = store.ensure_demo(demo.lines).id
    f = Filters(start=date(2024, 7, 1), end=date(2025, 6, 30))
    lines = store.load_columns(ds, f, F.LINE_COLUMNS)
    many = F.forecast_many(lines, top=15, metric="units", freq="W", horizon=8, folds=2)
    kw = {"lead_time_days": 14, "service_level": 0.95, "review_days": 7, "top": 15, "many": many}
    want = I.plan_restock(lines, **kw)
    got = I.plan_restock(
        None, weekly=store.product_weeks(ds, f), as_of=store.date_span(ds, f)[1], **kw
    )
    assert got.as_of == want.as_of
    pd.testing.assert_frame_equal(got.plan, want.plan)
    pd.testing.assert_frame_equal(got.classes.sort_index(), want.classes.sort_index())
    pd.testing.assert_frame_equal(got.matrix, want.matrix)
    # the filter reaches the SQL: the classes cover only products sold in the period
    sold = lines.loc[~lines["is_return"], "product_id"].dropna().unique()
    assert set(got.classes.index) <= set(sold)


def test_plan_without_lines_needs_its_aggregates():
    with pytest.raises(ValueError, match="needs many, weekly and as_of"):
        I.plan_restock(None, weekly=pd.DataFrame())


def test_plan_from_the_store_reads_no_whole_lines(store, demo, monkeypatch):
    """``from_store.plan_restock`` (the page, the report and ``ecomdash restock``): the top
    products' lines and SQL aggregates only, and the same plan as from every line."""
    from ecomdash.forecast import from_store as FS

    ds = store.ensure_demo(demo.lines).id
    f = Filters(start=date(2024, 7, 1), end=date(2025, 6, 30))
    lines = store.load_columns(ds, f, F.LINE_COLUMNS)
    many = F.forecast_many(lines, top=15, metric="units", freq="W", horizon=8, folds=4)
    kw = {"lead_time_days": 10, "service_level": 0.9, "review_days": 7}
    want = I.plan_restock(lines, top=15, many=many, **kw)

    def refused(*a, **k):
        raise AssertionError("every line was loaded")

    monkeypatch.setattr(store, "load_columns", refused)
    monkeypatch.setattr(store, "load_lines", refused)
    got = FS.plan_restock(store, ds, f, top=15, **kw)
    assert got.as_of == want.as_of and got.params == want.params
    pd.testing.assert_frame_equal(got.plan, want.plan, check_exact=False, rtol=1e-9)
    pd.testing.assert_frame_equal(got.matrix, want.matrix)
