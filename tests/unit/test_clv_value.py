"""The customer-value analysis (clv.value) on cases small enough to work out by hand, and on the
CDNOW sample against the published BG/NBD and Gamma-Gamma figures and the papers' formulas."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.special import hyp2f1

from ecomdash import clv
from ecomdash.errors import InsufficientDataError, ParameterError
from tests.conftest import CDNOW_SAMPLE_PATH, shared

WEEKS_PER_YEAR = 365.25 / 7  # 12 months of 365.25 / 12 days, in weeks


def _lines(rows) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["customer_id", "order_date", "revenue"])
    df["order_date"] = pd.to_datetime(df["order_date"]).astype("datetime64[us]")
    return df


#: a: 1 Jan (10) and 15 Jan (20 + 5, one customer-day); b: 8 Jan (40); c: 29 Jan (6);
#: d: 22 Jan, a return (-30). Data end 29 Jan.
TINY = [
    ("a", "2024-01-01", 10.0),
    ("a", "2024-01-15", 20.0),
    ("a", "2024-01-15", 5.0),
    ("b", "2024-01-08", 40.0),
    ("c", "2024-01-29", 6.0),
    ("d", "2024-01-22", -30.0),
]


def test_historical_average_by_hand():
    res = clv.customer_value(_lines(TINY))
    assert res.method == "historical_average" and res.params is None and res.gamma_gamma is None
    assert res.repeat_buyers == 1 and res.cutoff == pd.Timestamp("2024-01-29")
    assert (res.horizon_months, res.time_unit) == (12.0, "W")
    assert math.isnan(res.spend_frequency_corr)  # fewer than 3 repeat buyers
    # repeat purchases per customer-week: a's 1 over a T of 4 + 3 + 0 + 1 weeks
    rate = 1 / 8
    c = res.customers.set_index("customer_id")
    assert list(res.customers["customer_id"]) == ["b", "a", "c", "d"]  # by value, descending
    np.testing.assert_allclose(c["expected_purchases"], rate * WEEKS_PER_YEAR)
    assert c.loc["a", "mean_value"] == 17.5 and c.loc["a", "monetary_value"] == 25.0
    assert (c.loc["a", "frequency"], c.loc["a", "recency"], c.loc["a", "T"]) == (1.0, 2.0, 4.0)
    assert c.loc["b", "expected_value"] == pytest.approx(40 * rate * WEEKS_PER_YEAR)
    assert c.loc["a", "expected_value"] == pytest.approx(17.5 * rate * WEEKS_PER_YEAR)
    # a customer whose purchases net out negative is worth 0, not a loss
    assert c.loc["d", "expected_spend"] == 0.0 and c.loc["d", "expected_value"] == 0.0
    assert c["p_alive"].isna().all() and c["p_purchase_in_horizon"].isna().all()
    assert c["next_order_date"].isna().all()
    assert "first_date" not in res.customers
    assert res.notices == (
        "Only 1 repeat buyers (need 30) — the BG/NBD and Gamma-Gamma models were skipped; values "
        "are historical averages (each customer's average order value × the shop's average "
        "repeat-purchase rate).",
        # the default calibration cut-off: a third of the 28-day history (9 days) before the end
        "Calibration check skipped: only 1 repeat buyers before 20 January 2024 (need 30).",
    )
    assert res.calibration is None


def test_historical_average_in_days_and_over_another_horizon():
    res = clv.customer_value(_lines(TINY), time_unit="D", horizon_months=6)
    c = res.customers.set_index("customer_id")
    assert (c.loc["a", "recency"], c.loc["a", "T"]) == (14.0, 28.0)
    # 1 repeat purchase over 28 + 21 + 0 + 7 customer-days, for 6 months of 30.4375 days
    np.testing.assert_allclose(c["expected_purchases"], 1 / 56 * 6 * 30.4375)
    assert res.horizon_months == 6.0 and res.time_unit == "D"


def test_horizon_and_cutoff_are_checked():
    lines = _lines(TINY)
    for bad in (0, -1, 120.5):
        with pytest.raises(ParameterError, match=rf"\(0, 120\]. Got {bad} instead"):
            clv.customer_value(lines, horizon_months=bad)
        with pytest.raises(ParameterError, match=rf"\(0, 120\]. Got {bad} instead"):
            clv.customer_value_days(clv.customer_days(lines), horizon_months=bad)
    ok = clv.customer_value(lines, horizon_months=120)
    assert ok.customers["expected_purchases"].iloc[0] == pytest.approx(10 * WEEKS_PER_YEAR / 8)
    with pytest.raises(
        ParameterError, match=r"cut-off 31 December 2023 is before the data's first purchase"
    ):
        clv.customer_value(lines, cutoff="2023-12-31 18:00")
    with pytest.raises(ParameterError, match=r"\(1 January 2024\)"):
        clv.customer_value(lines, cutoff="2023-12-31")
    # the first day itself is a valid cut-off (time of day dropped)
    first = clv.customer_value(lines, cutoff="2024-01-01 18:00")
    assert first.cutoff == pd.Timestamp("2024-01-01") and len(first.customers) == 1
    # a cut-off after the data scores from the last purchase date
    late = clv.customer_value(lines, cutoff="2024-03-01")
    assert late.cutoff == pd.Timestamp("2024-01-29")
    with pytest.raises(InsufficientDataError, match="orders with a customer id; found none"):
        clv.customer_value_days(clv.customer_days(lines).iloc[:0])


def test_cutoff_scores_from_it_and_calibrates_on_what_follows():
    # with a cut-off on 15 Jan: b (8 Jan) and a are known; a has one repeat day by then
    res = clv.customer_value(_lines(TINY), cutoff="2024-01-15", min_repeat_buyers=1)
    assert res.cutoff == pd.Timestamp("2024-01-15")
    assert sorted(res.customers["customer_id"]) == ["a", "b"]


# --- the models on CDNOW ------------------------------------------------------------------


@pytest.fixture(scope="module")
def cdnow_lines() -> pd.DataFrame:
    days = clv.read_cdnow(shared(CDNOW_SAMPLE_PATH), sample=True)
    return pd.DataFrame(
        {
            "order_date": days["date"].astype("datetime64[us]").to_numpy(),
            "customer_id": days["customer_id"].astype(str).to_numpy(),
            "revenue": days["value"].to_numpy(dtype=float),
        }
    )


@pytest.fixture  # per test, not per module: mutmut links only the tests that call the code
def cdnow_value(cdnow_lines):
    return clv.customer_value(cdnow_lines, cutoff="1997-09-30", horizon_months=12)


def test_cdnow_value_uses_the_published_models(cdnow_value):
    res = cdnow_value
    assert res.method == "bgnbd+gamma_gamma" and res.repeat_buyers == 946
    p, g = res.params, res.gamma_gamma
    assert p.time_unit == "W" and p.n_customers == 2357
    assert (round(p.r, 3), round(p.alpha, 3), round(p.a, 3), round(p.b, 3)) == (
        0.243,
        4.414,
        0.793,
        2.426,
    )
    assert (round(g.p, 2), round(g.q, 2), round(g.v, 2)) == (6.25, 3.74, 15.44)
    # the calibration reuses the fit on the same cut-off, and checks the 39 weeks after it
    assert res.calibration.params is p
    assert res.calibration.cutoff == pd.Timestamp("1997-09-30")
    assert res.calibration.actual_holdout_purchases == 1882
    assert res.notices == ()
    rep = res.customers[res.customers["frequency"] > 0]
    assert res.spend_frequency_corr == pytest.approx(
        rep["frequency"].corr(rep["monetary_value"]), abs=1e-12
    )
    assert abs(res.spend_frequency_corr) < 0.3


def test_cdnow_value_per_customer_by_the_papers_formulas(cdnow_value):
    p, g = cdnow_value.params, cdnow_value.gamma_gamma
    c = cdnow_value.customers
    t = WEEKS_PER_YEAR
    pick = pd.concat([c.head(3), c[c["frequency"] == 0].head(2), c.iloc[[500, 1500]]])
    for row in pick.itertuples():
        x, tx, T = row.frequency, row.recency, row.T
        pa = 1.0
        if x > 0:
            pa = 1 / (1 + p.a / (p.b + x - 1) * ((p.alpha + T) / (p.alpha + tx)) ** (p.r + x))
        z = t / (p.alpha + T + t)
        e = (p.a + p.b + x - 1) / (p.a - 1)
        e *= 1 - ((p.alpha + T) / (p.alpha + T + t)) ** (p.r + x) * hyp2f1(
            p.r + x, p.b + x, p.a + p.b + x - 1, z
        )
        e *= pa
        w = g.p * x / (g.p * x + g.q - 1)
        spend = w * row.monetary_value + (1 - w) * g.p * g.v / (g.q - 1)
        buy = pa * (1 - ((p.alpha + T) / (p.alpha + T + t)) ** (p.r + x))
        assert row.p_alive == pytest.approx(pa, rel=1e-9)
        assert row.expected_purchases == pytest.approx(e, rel=1e-9)
        assert row.expected_spend == pytest.approx(spend, rel=1e-9)
        assert row.expected_value == pytest.approx(e * spend, rel=1e-9)
        assert row.p_purchase_in_horizon == pytest.approx(buy, rel=1e-9)
        if pa > 0.5:
            med_weeks = (p.alpha + T) * ((1 - 0.5 / pa) ** (-1 / (p.r + x)) - 1)
            if med_weeks * 7 < 5 * 365:
                want = pd.Timestamp("1997-09-30") + pd.Timedelta(days=math.ceil(med_weeks * 7))
                assert row.next_order_date == want
                continue
        assert pd.isna(row.next_order_date)
    assert c["next_order_date"].notna().any() and c["next_order_date"].isna().any()


def test_cdnow_spend_falls_back_when_told_any_correlation_is_too_much(cdnow_lines):
    res = clv.customer_value(
        cdnow_lines, cutoff="1997-09-30", horizon_months=12, max_spend_frequency_corr=0.0
    )
    assert res.method == "bgnbd+historical_spend" and res.gamma_gamma is None
    r = res.spend_frequency_corr
    assert res.notices == (
        f"Spend per order is correlated with purchase frequency (r = {r:.2f}, limit ±0.00), which "
        "breaks the Gamma-Gamma independence assumption; spend uses each customer's historical "
        "average order value.",
    )
    c = res.customers
    np.testing.assert_allclose(c["expected_spend"], np.maximum(c["mean_value"], 0))
    np.testing.assert_allclose(c["expected_value"], c["expected_purchases"] * c["mean_value"])


def test_cdnow_with_too_few_repeat_buyers_for_the_threshold(cdnow_lines):
    res = clv.customer_value(cdnow_lines, cutoff="1997-09-30", min_repeat_buyers=947)
    assert res.method == "historical_average" and res.calibration is None
    assert res.notices[0].startswith("Only 946 repeat buyers (need 947)")
    assert res.notices[1] == (
        "Calibration check skipped: only 946 repeat buyers before 30 September 1997 (need 947)."
    )
    at = clv.customer_value(cdnow_lines, cutoff="1997-09-30", min_repeat_buyers=946)
    assert at.method == "bgnbd+gamma_gamma"


def test_default_and_given_calibration_cutoffs(cdnow_lines):
    # no cut-off: fitted on everything, calibrated a third of the history before the end
    end = pd.Timestamp("1998-06-30")
    span = (end - pd.Timestamp("1997-01-01")).days  # 545 days
    res = clv.customer_value(cdnow_lines)
    assert res.cutoff == end
    assert res.calibration.cutoff == end - pd.Timedelta(days=round(span / 3))
    # its own fit, on purchases up to that cut-off, not the full-history one
    assert res.calibration.params is not res.params
    given = clv.customer_value(cdnow_lines, calibration_cutoff="1997-09-30 12:00")
    assert given.calibration.cutoff == pd.Timestamp("1997-09-30")
    assert given.calibration.actual_holdout_purchases == 1882
    assert round(given.calibration.params.r, 3) == 0.243


# --- notices of the degenerate fits --------------------------------------------------------


def _regular_buyers(n: int, *, spend_varies: bool) -> pd.DataFrame:
    """n customers who buy every 3-7 days from their first day to the end (day 200): nobody
    drops out. Order values are fixed per customer, or vary from order to order."""
    rng = np.random.default_rng(7)
    rows = []
    start = pd.Timestamp("2024-01-01")
    for i in range(n):
        base = 10.0 + 5 * (i % 9)
        for d in range(i % 7, 201, 3 + i % 5):
            value = base * rng.uniform(0.5, 1.5) if spend_varies else base
            rows.append((f"c{i:02d}", start + pd.Timedelta(days=d), value))
    return _lines(rows)


def test_no_dropout_is_said_plainly():
    res = clv.customer_value(_regular_buyers(40, spend_varies=True))
    dropout = res.params.a / (res.params.a + res.params.b)
    assert dropout < 1e-3
    assert any(
        n.startswith("The data shows almost no customer dropout after a purchase (BG/NBD mean ")
        and "probability <\u00a00.1\u00a0%)" in n  # not 9.0e-11: a merchant reads no exponent
        for n in res.notices
    )
    assert (res.customers["p_alive"] > 0.99).all()
    assert res.calibration.cutoff == pd.Timestamp("2024-07-19") - pd.Timedelta(days=67)


def test_spend_without_variation_within_customers_is_not_modelled():
    res = clv.customer_value(_regular_buyers(40, spend_varies=False))
    assert res.gamma_gamma is None and res.method == "bgnbd+historical_spend"
    assert any(n.startswith("The Gamma-Gamma fit ran to a limit (p = ") for n in res.notices)
    c = res.customers
    np.testing.assert_allclose(c["expected_spend"], c["mean_value"])


def test_histories_shorter_than_a_week_and_a_single_day():
    # a buys on days 0 and 3, b on day 5: 1 repeat purchase over 5/7 + 0 weeks observed
    lines = _lines(
        [("a", "2024-01-01", 10.0), ("a", "2024-01-04", 10.0), ("b", "2024-01-06", 10.0)]
    )
    res = clv.customer_value(lines, horizon_months=0.5)  # half a month is a horizon too
    assert res.horizon_months == 0.5
    np.testing.assert_allclose(res.customers["expected_purchases"], 7 / 5 * 0.5 * 365.25 / 12 / 7)
    # everyone bought on the one day there is: nothing observed, no repeat rate to apply
    one_day = clv.customer_value(_lines([("a", "2024-01-01", 5.0), ("b", "2024-01-01", 8.0)]))
    assert (one_day.customers["expected_purchases"] == 0).all()
    assert (one_day.customers["expected_value"] == 0).all()
    # customer_value_days has customer_value's default horizon
    days = clv.customer_days(lines)
    assert clv.customer_value_days(days).horizon_months == 12.0
    half = clv.customer_value_days(days, horizon_months=0.5)
    np.testing.assert_allclose(half.customers["expected_purchases"], 7 / 5 * 0.5 * 365.25 / 84)


def test_spend_frequency_correlation_by_hand():
    rows = [
        ("r1", "2024-01-01", 9.0),
        ("r1", "2024-01-08", 1.0),  # frequency 1, mean repeat spend 1.0
        ("r2", "2024-01-01", 9.0),
        ("r2", "2024-01-08", 1.5),  # 1, 1.5
        ("r3", "2024-01-01", 9.0),
        ("r3", "2024-01-08", 1.0),
        ("r3", "2024-01-15", 4.0),  # 2, 2.5
        ("o", "2024-01-15", 3.0),  # one-time buyers do not count
    ]
    # Pearson r of (1, 1, 2) and (1.0, 1.5, 2.5), worked out: 5 / (2 sqrt 7); both spreads < 1
    res = clv.customer_value(_lines(rows))
    assert res.repeat_buyers == 3
    assert res.spend_frequency_corr == pytest.approx(5 / (2 * math.sqrt(7)), rel=1e-12)
    # with two repeat buyers a correlation means nothing: not computed
    two = clv.customer_value(_lines([r for r in rows if r[0] != "r2"]))
    assert two.repeat_buyers == 2 and math.isnan(two.spend_frequency_corr)


def test_days_as_the_time_unit_scale_alpha_only(cdnow_lines):
    # BG/NBD's alpha is in the time unit (a gamma scale): in days it is 7 x the weeks' 4.4135;
    # r, a and b have no unit. The fit says which unit it used.
    res = clv.customer_value(cdnow_lines, cutoff="1997-09-30", time_unit="D")
    p = res.params
    assert p.time_unit == "D" and res.time_unit == "D"
    assert p.alpha == pytest.approx(7 * 4.4135, rel=1e-3)
    assert (round(p.r, 3), round(p.a, 3), round(p.b, 3)) == (0.243, 0.793, 2.426)
