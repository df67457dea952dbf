"""Cohort matrices on a tiny hand-computed fixture."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ecomdash.cohorts import cohorts
from ecomdash.errors import InsufficientDataError, ParameterError

NAN = np.nan


@pytest.fixture
def lines() -> pd.DataFrame:
    rows = [
        # customer, date, revenue, category, country
        ("A", "2024-01-05 10:00", 10.0, "Mugs", "UK"),
        ("A", "2024-01-05 10:00", 2.0, "Tea", "UK"),  # smaller line of A's first order
        ("A", "2024-01-20 09:00", 5.0, "Tea", "UK"),
        ("A", "2024-03-02 12:00", 20.0, "Tea", "FR"),
        ("B", "2024-01-31 23:59", 8.0, "Tea", "DE"),
        ("B", "2024-02-01 00:01", 12.0, "Mugs", "DE"),
        ("C", "2024-02-10 08:00", 30.0, "Mugs", "UK"),
        ("C", "2024-03-31 18:00", 10.0, "Tea", "UK"),
        ("D", "2024-02-14 14:00", 7.0, "Tea", "UK"),
        (None, "2024-03-15 11:00", 99.0, "Mugs", "UK"),  # guest: not in any cohort
    ]
    df = pd.DataFrame(rows, columns=["customer_id", "order_date", "revenue", "category", "country"])
    df["order_date"] = pd.to_datetime(df["order_date"]).astype("datetime64[us]")
    return df


def test_hand_computed_cohort_matrices(lines):
    res = cohorts(lines)
    assert [str(p) for p in res.retention.index] == ["2024-01", "2024-02"]
    assert res.sizes.tolist() == [2, 2]
    assert res.n_customers == 4 and res.lines_without_customer == 1
    # Jan cohort (A, B): month 0 both, month 1 only B (Feb 1), month 2 only A (Mar 2)
    # Feb cohort (C, D): month 0 both, month 1 only C (Mar 31), month 2 not observed yet
    np.testing.assert_array_equal(res.customers.to_numpy(), [[2, 1, 1], [2, 1, NAN]])
    np.testing.assert_allclose(res.retention.to_numpy(), [[1.0, 0.5, 0.5], [1.0, 0.5, NAN]])
    # revenue: Jan cohort 10+2+5+8=25 | 12 | 20 ; Feb cohort 30+7=37 | 10 | -
    np.testing.assert_allclose(res.revenue.to_numpy(), [[25.0, 12.0, 20.0], [37.0, 10.0, NAN]])
    # LTV curve: cumulative revenue / cohort size
    np.testing.assert_allclose(
        res.cumulative_revenue_per_customer.to_numpy(), [[12.5, 18.5, 28.5], [18.5, 23.5, NAN]]
    )
    assert res.partial_last_month is False  # data ends on the last day of March


def test_filter_by_first_category_uses_main_line_of_first_order(lines):
    # first-order main lines: A Mugs (10 > 2), B Tea, C Mugs, D Tea
    res = cohorts(lines, first_categories=("Mugs",))
    assert res.sizes.tolist() == [1, 1]
    np.testing.assert_allclose(res.retention.to_numpy(), [[1.0, 0.0, 1.0], [1.0, 1.0, NAN]])


def test_filter_by_first_country(lines):
    res = cohorts(lines, countries=("DE",))
    assert res.sizes.tolist() == [1]
    np.testing.assert_allclose(res.retention.to_numpy(), [[1.0, 1.0, 0.0]])
    np.testing.assert_allclose(res.revenue.to_numpy(), [[8.0, 12.0, 0.0]])


def test_partial_last_month_flag_and_max_months(lines):
    res = cohorts(lines[lines["order_date"] < "2024-03-20"], max_months=1)
    assert res.partial_last_month is True
    assert list(res.retention.columns) == [0, 1]


def test_errors_say_what_to_do(lines):
    with pytest.raises(InsufficientDataError, match="customer id"):
        cohorts(lines.assign(customer_id=None))
    with pytest.raises(ParameterError, match="category"):
        cohorts(lines.drop(columns="category"), first_categories=("Mugs",))
    with pytest.raises(InsufficientDataError, match="filter"):
        cohorts(lines, countries=("JP",))
    with pytest.raises(ParameterError, match="kind"):
        cohorts(lines).matrix("profit")


def test_input_not_mutated_and_row_order_invariant(lines):
    before = lines.copy()
    a = cohorts(lines)
    pd.testing.assert_frame_equal(lines, before)
    b = cohorts(lines.sample(frac=1.0, random_state=1))
    pd.testing.assert_frame_equal(a.revenue, b.revenue)


def test_invariants_on_random_shops():
    """Month 0 retention is 1, shares stay in [0, 1], totals add up (many random shops)."""
    rng = np.random.default_rng(5)
    for _ in range(25):
        n = int(rng.integers(5, 300))
        df = pd.DataFrame(
            {
                "customer_id": rng.integers(0, max(2, n // 3), n).astype(str),
                "order_date": pd.Timestamp("2023-01-01")
                + pd.to_timedelta(rng.integers(0, 400, n), unit="D"),
                "revenue": rng.gamma(2.0, 20.0, n),
            }
        )
        df["order_date"] = df["order_date"].astype("datetime64[us]")
        res = cohorts(df)
        assert (res.retention[0] == 1.0).all()
        r = res.retention.to_numpy()
        assert np.nanmin(r) >= 0 and np.nanmax(r) <= 1
        assert res.sizes.sum() == df["customer_id"].nunique() == res.n_customers
        assert np.nansum(res.revenue.to_numpy()) == pytest.approx(df["revenue"].sum())
        # the LTV curve never decreases along a cohort's months
        cum = res.cumulative_revenue_per_customer.to_numpy()
        assert (np.diff(cum, axis=1)[~np.isnan(np.diff(cum, axis=1))] >= -1e-9).all()
