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


# -- the data's first month: customers already buying before the data starts -----------------


@pytest.fixture
def shop() -> pd.DataFrame:
    """L1 and L2 are long-time buyers (their earlier orders are before the data); N0..N3 new."""
    rows = [
        # customer, date, revenue, country
        ("L1", "2024-01-03 10:00", 20.0, "UK"),
        ("L1", "2024-02-05 10:00", 20.0, "UK"),
        ("L1", "2024-03-07 10:00", 20.0, "UK"),
        ("L2", "2024-01-10 10:00", 30.0, "UK"),
        ("L2", "2024-03-12 10:00", 30.0, "UK"),
        ("N0", "2024-01-25 10:00", 10.0, "UK"),
        ("N1", "2024-02-14 10:00", 40.0, "FR"),
        ("N2", "2024-02-20 10:00", 10.0, "UK"),
        ("N2", "2024-03-01 10:00", 5.0, "UK"),
        ("N3", "2024-03-15 10:00", 25.0, "FR"),
    ]
    df = pd.DataFrame(rows, columns=["customer_id", "order_date", "revenue", "country"])
    df["order_date"] = pd.to_datetime(df["order_date"]).astype("datetime64[us]")
    return df


def test_the_data_first_month_cohort_is_flagged(shop):
    res = cohorts(shop)
    # Jan: L1, L2, N0 (the data starts on 3 Jan); Feb: N1, N2; Mar: N3
    assert res.sizes.tolist() == [3, 2, 1]
    assert res.first_day == pd.Timestamp("2024-01-03 10:00")
    assert res.before_data_cohort == pd.Period("2024-01", "M")
    assert res.before_data.tolist() == [True, False, False]
    assert res.before_data.index.equals(res.sizes.index)
    # Jan's retention 3/3, 1/3 (L1 in Feb), 2/3 (L1, L2 in Mar): the inflated row
    np.testing.assert_allclose(res.retention.to_numpy()[0], [1.0, 1 / 3, 2 / 3])


def test_a_period_starting_later_flags_its_own_first_month(shop):
    """Filtered to February on, the February cohort holds L1 (already buying in January) and
    the new N1, N2: it is the one 'before the data shown', not January's."""
    res = cohorts(shop[shop["order_date"] >= "2024-02-01"])
    assert [str(p) for p in res.sizes.index] == ["2024-02", "2024-03"]
    assert res.sizes.tolist() == [3, 2]  # Feb: L1, N1, N2; Mar: L2, N3
    assert res.first_day == pd.Timestamp("2024-02-05 10:00")
    assert res.before_data.tolist() == [True, False]


def test_cohort_filters_keep_the_window_start(shop):
    """The first-country filter keeps N1 (Feb) and N3 (Mar): February is not the data's
    first month, so no cohort is flagged; a filter keeping L2 flags January again."""
    fr = cohorts(shop, countries=("FR",))
    assert [str(p) for p in fr.sizes.index] == ["2024-02", "2024-03"]
    assert fr.first_day == pd.Timestamp("2024-01-03 10:00")
    assert fr.before_data_cohort is None
    assert fr.before_data.tolist() == [False, False]
    uk = cohorts(shop, countries=("UK",))
    assert uk.sizes.tolist() == [3, 1] and uk.before_data.tolist() == [True, False]


def test_charts_mark_the_first_month_and_the_ltv_chart_leaves_it_out(shop):
    from ecomdash.charts.value import cohort_heatmap, ltv_curves
    from ecomdash.i18n import use_lang

    res = cohorts(shop)
    assert cohort_heatmap(res).data[0].y == (
        "2024-01 (n=3) · incl. earlier customers",
        "2024-02 (n=2)",
        "2024-03 (n=1)",
    )
    # the LTV legend names each cohort as a sentence does (the heatmap's axis keeps 2024-01)
    fig = ltv_curves(res)
    assert [t.name for t in fig.data] == [
        "January 2024 cohort · incl. earlier customers",
        "February 2024 cohort",
        "March 2024 cohort",
    ]
    with use_lang("zh"):
        assert [t.name for t in ltv_curves(res).data] == [
            "2024年1月同期群 · 含更早的老客户",
            "2024年2月同期群",
            "2024年3月同期群",
        ]
    # January's curve (60/3 = 20, then +20/3, +50/3) starts hidden; the others are shown
    assert [t.visible for t in fig.data] == ["legendonly", None, None]
    np.testing.assert_allclose(fig.data[0].y, [20.0, 80 / 3, 130 / 3])
    with use_lang("zh"):
        # a cohort's size in Chinese, not the Latin "(n=3)" (Chromium, the Chinese demo)
        assert cohort_heatmap(res).data[0].y[:2] == (
            "2024-01（3\u00a0位） · 含更早的老客户",
            "2024-02（2\u00a0位）",
        )
    # retention cells as the app writes a share (January by hand: 3 active, then 1 and 2)
    assert list(cohort_heatmap(res).data[0].text[0][:3]) == ["100\u00a0%", "33\u00a0%", "67\u00a0%"]
    with use_lang("zh"):
        assert list(cohort_heatmap(res).data[0].text[0][:3]) == ["100%", "33%", "67%"]
    # filtered to a first country without January customers: nothing marked or hidden
    fr = ltv_curves(cohorts(shop, countries=("FR",)))
    assert [t.name for t in fr.data] == ["February 2024 cohort", "March 2024 cohort"]
    assert [t.visible for t in fr.data] == [None, None]


def test_heatmap_colours_come_from_the_cohorts_after_the_first(shop):
    """By hand on ``shop``: January (L1, L2, N0; marked) has 3, 1, 2 active customers and
    60, 20, 50 revenue; February (N1, N2) 2, 1 and 50, 5; March (N3) 1 and 25. The colour scale
    tops out at the other cohorts' largest cell (2 customers, 50 of revenue, 27.5 per
    customer: February's 55 / 2), so January's 3 and 60 show in the top colour; the bottom is
    the smallest cell of all."""
    from ecomdash.charts.value import cohort_heatmap, colour_range, first_cohort_capped

    res = cohorts(shop)
    for kind, lo, hi, capped in (
        ("customers", 1.0, 2.0, True),
        ("revenue", 5.0, 50.0, True),
        ("cumulative_revenue_per_customer", 20.0, 27.5, True),  # Jan 20, 80/3, 130/3
        # shares: 0 to the largest share after month 0 of the other cohorts (February's
        # month 1: 1 of 2), not 0..100 % where month 0's 100 % washes out every later month
        ("retention", 0.0, 0.5, True),
    ):
        heat = cohort_heatmap(res, kind).data[0]
        assert (heat.zmin, heat.zmax) == pytest.approx((lo, hi)), kind
        assert colour_range(res, kind) == pytest.approx((lo, hi)), kind
        assert first_cohort_capped(res, kind) is capped, kind
        # the first cohort's cells still show their own numbers
        assert heat.text[0][0] == {"customers": "3", "revenue": "60"}.get(kind, heat.text[0][0])
    # nothing marked (first-country FR: February on): plotly scales counts to every cell
    fr = cohorts(shop, countries=("FR",))
    assert cohort_heatmap(fr, "customers").data[0].zmax is None
    # ... and shares to the largest share after month 0 of every cohort; here N1 (February)
    # does not come back and N3 (March) has no later month: nothing after month 0, 0..100 %
    assert fr.retention.iloc[:, 1:].fillna(0).to_numpy().max() == 0
    assert colour_range(fr, "retention") == (0.0, 1.0)
    assert not first_cohort_capped(fr, "customers")
    # the first cohort alone: nothing else to scale by
    jan = cohorts(shop[shop["customer_id"].isin(["L1", "L2", "N0"])])
    assert jan.before_data.tolist() == [True]
    assert colour_range(jan, "revenue") is None
    assert cohort_heatmap(jan, "revenue").data[0].zmax is None


def test_retention_colour_bar_writes_shares_as_the_cells_do(shop):
    """The colour bar's ticks follow fmt.pct per language, as the cells: "50 %" / "50%"
    (plotly's ".0%" tickformat wrote "50%" in English too)."""
    from ecomdash.charts.value import cohort_heatmap
    from ecomdash.i18n import use_lang

    res = cohorts(shop)
    bar = cohort_heatmap(res).data[0].colorbar
    assert bar.tickmode == "array" and not bar.tickformat
    assert "50\u00a0%" in bar.ticktext and all(t.endswith("\u00a0%") for t in bar.ticktext)
    with use_lang("zh"):
        zh = cohort_heatmap(res).data[0].colorbar
    assert "50%" in zh.ticktext and not any(" " in t for t in zh.ticktext)
    # the hover reads the cell's text (fmt.pct), not the raw share plotly would show
    heat = cohort_heatmap(res).data[0]
    assert heat.hovertemplate == ("%{y}<br>month %{x} since first purchase: %{text}<extra></extra>")
    assert heat.text[0][1] == "33\u00a0%"
    with use_lang("zh"):
        assert (
            "首次购买后第\u00a0%{x}\u00a0个月：%{text}" in cohort_heatmap(res).data[0].hovertemplate
        )
    # the ticks cover the colour range (0 to the largest later month)
    assert zh.tickvals[0] <= 0 and zh.tickvals[-1] >= cohort_heatmap(res).data[0].zmax
