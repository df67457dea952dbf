"""clv.value's rules at their boundaries, on cases worked out by hand: which parameter is checked
first, each gate just inside and just outside its threshold (dropout 1e-3, the spend-frequency
correlation limit, Gamma-Gamma's q <= 1, the 5-year cap on the next order, the calibration's
cut-off, span and repeat buyers) and every notice and message compared in full.

Where a gate depends on a fitted figure (dropout, q, a fit that fails), the fit is replaced by
fixed parameters, so the figure sits exactly on the boundary; the rest of the analysis (the
papers' formulas, the table, the calibration) runs for real."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

import ecomdash.clv.value as value_mod
from ecomdash import clv
from ecomdash.clv.bgnbd import BGNBDParams
from ecomdash.clv.gamma_gamma import GammaGammaParams
from ecomdash.errors import InsufficientDataError, ParameterError


def _lines(rows) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["customer_id", "order_date", "revenue"])
    df["order_date"] = pd.to_datetime(df["order_date"]).astype("datetime64[us]")
    return df


#: four repeat buyers whose (frequency, spend per repeat order) are (1, 10), (1, 20), (2, 10),
#: (2, 20): deviations (-.5, -.5, .5, .5) x (-5, 5, -5, 5) sum to 0, so Pearson r is exactly 0;
#: o buys once. Everyone's first order is 1 Jan, except o (29 Jan, the data's end).
FOUR = [
    ("r1", "2024-01-01", 5.0),
    ("r1", "2024-01-08", 10.0),
    ("r2", "2024-01-01", 5.0),
    ("r2", "2024-01-08", 20.0),
    ("r3", "2024-01-01", 5.0),
    ("r3", "2024-01-08", 10.0),
    ("r3", "2024-01-15", 10.0),
    ("r4", "2024-01-01", 5.0),
    ("r4", "2024-01-08", 20.0),
    ("r4", "2024-01-15", 20.0),
    ("o", "2024-01-29", 8.0),
]
#: before 5 Jan nobody has bought twice: the calibration check is skipped with this notice
CAL_SKIPPED = "Calibration check skipped: only 0 repeat buyers before 5 January 2024 (need 4)."
MEAN_VALUE = {"o": 8.0, "r1": 7.5, "r2": 12.5, "r3": 25 / 3, "r4": 15.0}


def _bg(a: float = 0.793, b: float = 2.426, *, converged: bool = True) -> BGNBDParams:
    # CDNOW's published r and alpha; a + b stays away from 1, where E[Y] has a 0 x inf for x = 0
    return BGNBDParams(
        r=0.243, alpha=4.414, a=a, b=b, log_likelihood=-1.0, n_customers=5, converged=converged
    )


def _gg(p: float = 2.0, q: float = 3.0, v: float = 4.0, *, converged=True) -> GammaGammaParams:
    return GammaGammaParams(p=p, q=q, v=v, log_likelihood=-1.0, n_customers=4, converged=converged)


def _four(monkeypatch, bg=None, gg=None, **kw) -> clv.CLVResult:
    """FOUR with the two fits replaced: each returns the given parameters or raises them."""

    def fixed(out):
        def fit(*args, **kwargs):
            if isinstance(out, Exception):
                raise out
            return out

        return fit

    monkeypatch.setattr(value_mod, "fit_bgnbd", fixed(_bg() if bg is None else bg))
    monkeypatch.setattr(value_mod, "fit_gamma_gamma", fixed(_gg() if gg is None else gg))
    kw = {"min_repeat_buyers": 4, "calibration_cutoff": "2024-01-05", **kw}
    return clv.customer_value(_lines(FOUR), **kw)


def _spend_kept(res) -> None:
    c = res.customers.set_index("customer_id")
    assert c["expected_spend"].to_dict() == pytest.approx(MEAN_VALUE, rel=1e-12)


# --- messages in full, and which check comes first -------------------------------------------


def test_the_horizon_is_checked_before_the_data():
    # customer_value refuses the horizon before it reads the lines: a frame without any of
    # the columns still gets the horizon's message
    for bad, shown in ((0, "0"), (120.5, "120.5"), (-1, "-1")):
        with pytest.raises(ParameterError) as err:
            clv.customer_value(pd.DataFrame({"x": [1]}), horizon_months=bad)
        assert str(err.value) == (
            f"The 'horizon_months' parameter must be in (0, 120]. Got {shown} instead."
        )
        days = clv.customer_days(_lines(FOUR))
        with pytest.raises(ParameterError) as err:
            clv.customer_value_days(days, horizon_months=bad)
        assert str(err.value) == (
            f"The 'horizon_months' parameter must be in (0, 120]. Got {shown} instead."
        )


def test_no_customers_and_an_early_cutoff_say_what_to_do():
    days = clv.customer_days(_lines(FOUR))
    with pytest.raises(InsufficientDataError) as err:
        clv.customer_value_days(days.iloc[:0])
    assert str(err.value) == (
        "Customer value needs orders with a customer id; found none. Map the customer id column "
        "on the Data page (guest orders without an id cannot be followed over time)."
    )
    with pytest.raises(ParameterError) as err:
        clv.customer_value(_lines(FOUR), cutoff="2023-12-31")
    assert str(err.value) == (
        "The cut-off 31 December 2023 is before the data's first purchase (1 January 2024); choose "
        "a later date."
    )


# --- BG/NBD's gates ---------------------------------------------------------------------------


def test_dropout_exactly_1e_3_is_not_flagged_just_below_it_is(monkeypatch):
    # a / (a + b) = 0.002 / 2.0 is exactly 1e-3: not "almost no dropout"
    at = _four(monkeypatch, bg=_bg(a=0.002, b=1.998))
    assert at.notices == (CAL_SKIPPED,) and at.method == "bgnbd+gamma_gamma"
    below = _four(monkeypatch, bg=_bg(a=0.0001, b=1.9999))
    assert below.notices == (
        "The data shows almost no customer dropout after a purchase (BG/NBD mean dropout "
        "probability <\u00a00.1\u00a0%): the model reduces to a plain purchase-rate model and P(alive) is "
        "about 1 for everyone. Expected purchases are still checked below; to see who has "
        "stopped buying, use the churn models.",
        CAL_SKIPPED,
    )
    assert below.method == "bgnbd+gamma_gamma"  # said, not refused


def test_a_fit_that_did_not_converge_is_said(monkeypatch):
    res = _four(monkeypatch, bg=_bg(converged=False))
    assert res.notices == (
        "The BG/NBD fit did not converge cleanly (a parameter ran to its bound); treat "
        "predictions with caution and check the calibration plot.",
        CAL_SKIPPED,
    )
    assert res.params.converged is False and res.method == "bgnbd+gamma_gamma"


def test_a_failed_fit_falls_back_to_the_historical_average_with_its_reason(monkeypatch):
    res = _four(monkeypatch, bg=InsufficientDataError("Too few customers to fit."))
    assert res.notices == (
        "BG/NBD fit failed: Too few customers to fit. Values are historical averages.",
        CAL_SKIPPED,
    )
    assert res.method == "historical_average" and res.params is None and res.gamma_gamma is None
    c = res.customers.set_index("customer_id")
    # 6 repeat purchases over T = 4 weeks x 4 + 0 weeks (o): 1.5 a week, for 365.25 / 7 weeks
    np.testing.assert_allclose(c["expected_purchases"], 6 / 16 * 365.25 / 7, rtol=1e-12)
    _spend_kept(res)
    # no model, no probabilities: float columns of NaN (not None objects)
    for col in ("p_alive", "p_purchase_in_horizon"):
        assert c[col].dtype == np.float64 and c[col].isna().all()


def test_non_finite_expectations_fall_back(monkeypatch):
    monkeypatch.setattr(
        value_mod, "bgnbd_expected_purchases", lambda p, t, f, r, T: np.full(len(f), np.nan)
    )
    res = _four(monkeypatch)
    assert res.notices == (
        "BG/NBD gave non-finite expectations; values are historical averages.",
        CAL_SKIPPED,
    )
    assert res.method == "historical_average" and res.params is None
    np.testing.assert_allclose(res.customers["expected_purchases"], 6 / 16 * 365.25 / 7)


# --- Gamma-Gamma's gates ----------------------------------------------------------------------


def _gg_spend(p, q, v, x, m):
    # Fader, Hardie & Lee (2005), eq. 5: E[M | x, m] = (p (v + x m)) / (p x + q - 1)
    return p * (v + x * m) / (p * x + q - 1)


def test_correlation_exactly_at_its_limit_keeps_gamma_gamma(monkeypatch):
    res = _four(monkeypatch, max_spend_frequency_corr=0.0)
    assert res.spend_frequency_corr == 0.0  # exactly, by construction
    assert res.notices == (CAL_SKIPPED,) and res.method == "bgnbd+gamma_gamma"
    c = res.customers.set_index("customer_id")
    assert c.loc["r3", "expected_spend"] == pytest.approx(_gg_spend(2, 3, 4, 2, 10), rel=1e-12)
    assert c.loc["o", "expected_spend"] == pytest.approx(_gg_spend(2, 3, 4, 0, 0), rel=1e-12)


def test_constant_frequency_has_no_correlation_and_no_numpy_warning():
    # three repeat buyers, each with one repeat purchase: no spread, r undefined
    rows = [
        (c, d, v)
        for c, v in (("a", 3.0), ("b", 4.0), ("c", 9.0))
        for d in ("2024-01-01", "2024-01-08")
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = clv.customer_value(_lines(rows))
    assert res.repeat_buyers == 3 and math.isnan(res.spend_frequency_corr)
    # and the same with a constant spend per repeat order instead
    rows = [("a", "2024-01-01", 1.0), ("a", "2024-01-08", 5.0), ("b", "2024-01-01", 2.0)]
    rows += [("b", "2024-01-08", 5.0), ("b", "2024-01-15", 5.0), ("c", "2024-01-01", 3.0)]
    rows += [("c", "2024-01-08", 5.0)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = clv.customer_value(_lines(rows))
    assert res.repeat_buyers == 3 and math.isnan(res.spend_frequency_corr)


def test_q_of_exactly_1_is_degenerate_and_1_5_is_not(monkeypatch):
    at = _four(monkeypatch, gg=_gg(q=1.0))
    assert at.notices == (
        "The Gamma-Gamma fit is degenerate (q = 1 ≤ 1 means an infinite mean spend); spend uses "
        "each customer's historical average order value.",
        CAL_SKIPPED,
    )
    assert at.gamma_gamma is None and at.method == "bgnbd+historical_spend"
    _spend_kept(at)
    above = _four(monkeypatch, gg=_gg(q=1.5))
    assert above.notices == (CAL_SKIPPED,) and above.method == "bgnbd+gamma_gamma"
    c = above.customers.set_index("customer_id")
    assert c.loc["r2", "expected_spend"] == pytest.approx(_gg_spend(2, 1.5, 4, 1, 20), rel=1e-12)


def test_a_gamma_gamma_fit_at_a_limit_is_not_used(monkeypatch):
    res = _four(monkeypatch, gg=_gg(p=2.5, q=3.25, v=40.0, converged=False))
    assert res.notices == (
        "The Gamma-Gamma fit ran to a limit (p = 2.5, q = 3.25, v = 40): order values hardly vary "
        "around each customer's own average, so the model adds nothing; spend uses each "
        "customer's historical average order value.",
        CAL_SKIPPED,
    )
    assert res.gamma_gamma is None and res.method == "bgnbd+historical_spend"
    _spend_kept(res)


def test_a_gamma_gamma_fit_that_fails_says_why(monkeypatch):
    res = _four(monkeypatch, gg=InsufficientDataError("Too few repeat buyers."))
    assert res.notices == ("Gamma-Gamma skipped: Too few repeat buyers.", CAL_SKIPPED)
    assert res.gamma_gamma is None and res.method == "bgnbd+historical_spend"
    _spend_kept(res)


# --- the next order, the table ----------------------------------------------------------------


def test_next_order_dates_are_capped_at_five_years(monkeypatch):
    # the median days to the next order, per customer in the summary's order (o, r1 .. r4)
    medians = np.array([1824.5, 1825.0, 1826.0, 10.2, np.inf])
    monkeypatch.setattr(value_mod, "bgnbd_median_time_to_next", lambda p, f, r, T: medians)
    res = _four(monkeypatch, time_unit="D")
    nxt = res.customers.set_index("customer_id")["next_order_date"]
    end = pd.Timestamp("2024-01-29")
    assert nxt["o"] == end + pd.Timedelta(days=1825)  # 1824.5 days, rounded up: inside
    assert pd.isna(nxt["r1"]) and pd.isna(nxt["r2"])  # 5 x 365 days and over: none shown
    assert nxt["r3"] == end + pd.Timedelta(days=11)
    assert pd.isna(nxt["r4"])


def test_the_table_ties_by_customer_id_and_has_the_documented_columns():
    # x buys twice, y and z once, all at 10: the same value, shown x, y, z
    rows = [("z", "2024-01-01", 10.0), ("y", "2024-01-01", 10.0), ("x", "2024-01-01", 10.0)]
    res = clv.customer_value(_lines([*rows, ("x", "2024-01-08", 10.0)]))
    t = res.customers
    assert list(t["customer_id"]) == ["x", "y", "z"]
    assert t["expected_value"].nunique() == 1
    assert list(t.columns) == [
        "customer_id",
        "frequency",
        "recency",
        "T",
        "monetary_value",
        "mean_value",
        "total_value",
        "last_date",
        "expected_purchases",
        "p_alive",
        "p_purchase_in_horizon",
        "expected_spend",
        "expected_value",
        "next_order_date",
    ]
    assert list(t.index) == [0, 1, 2]


# --- the calibration check's cut-off and wiring -------------------------------------------------

#: a (1 and 15 Jan), b (8 Jan), c (29 Jan): 28 days of data
TINY = [
    ("a", "2024-01-01", 10.0),
    ("a", "2024-01-15", 20.0),
    ("b", "2024-01-08", 40.0),
    ("c", "2024-01-29", 6.0),
]


def test_a_cutoff_on_the_last_day_calibrates_on_the_default_cutoff():
    # nothing follows the last day: the check takes a third of the history (9 days) back
    res = clv.customer_value(_lines(TINY), cutoff="2024-01-29")
    assert res.cutoff == pd.Timestamp("2024-01-29")
    assert res.notices[-1] == (
        "Calibration check skipped: only 1 repeat buyers before 20 January 2024 (need 30)."
    )


def test_the_default_calibration_cutoff_is_at_least_one_day_back():
    # 2 days of data: a third of it rounds to 1 day; 1 day of data: 0 days, raised to 1
    two = [("a", "2024-01-01", 1.0), ("a", "2024-01-02", 1.0), ("b", "2024-01-03", 1.0)]
    res = clv.customer_value(_lines(two))
    assert res.notices[-1] == (
        "Calibration check skipped: only 1 repeat buyers before 2 January 2024 (need 30)."
    )
    one = [("a", "2024-01-01", 1.0), ("a", "2024-01-02", 1.0)]
    res = clv.customer_value(_lines(one))
    assert res.notices[-1] == (
        "Calibration check skipped: only 0 repeat buyers before 1 January 2024 (need 30)."
    )


def test_a_calibration_that_cannot_run_says_why():
    # the calibration cut-off on the data's last day leaves no holdout
    res = clv.customer_value(_lines(TINY), calibration_cutoff="2024-01-29", min_repeat_buyers=1)
    assert res.calibration is None
    assert res.notices[-1] == (
        "Calibration check skipped: The calibration cut-off 29 January 2024 must be before the end of "
        "the data (29 January 2024); choose an earlier cut-off."
    )


def _regular(n: int) -> pd.DataFrame:
    """n customers who buy every 3-7 days from their first day (0-6) to day 200."""
    rng = np.random.default_rng(7)
    start = pd.Timestamp("2024-01-01")
    rows = [
        (f"c{i:02d}", start + pd.Timedelta(days=d), 10.0 * rng.uniform(0.5, 1.5))
        for i in range(n)
        for d in range(i % 7, 201, 3 + i % 5)
    ]
    return _lines(rows)


def test_calibration_runs_with_exactly_the_repeat_buyers_it_needs():
    lines = _regular(30)  # all 30 have bought again before the default cut-off
    res = clv.customer_value(lines, min_repeat_buyers=30, time_unit="D")
    cal = res.calibration
    # 201 days of data (1 Jan to 19 Jul): the check holds out the last 67
    assert cal.cutoff == pd.Timestamp("2024-05-13") and cal.end == pd.Timestamp("2024-07-19")
    # in the analysis' time unit: 67 days, fitted in days
    assert cal.holdout_units == 67.0 and cal.params.time_unit == "D"
    one_more = clv.customer_value(lines, min_repeat_buyers=31, time_unit="D")
    assert one_more.calibration is None
    assert one_more.notices[-1] == (
        "Calibration check skipped: only 30 repeat buyers before 13 May 2024 (need 31)."
    )


def test_calibration_never_reuses_a_model_fitted_on_its_holdout():
    # a cut-off after the data scores from the last day, with a model fitted on everything;
    # the calibration check fits its own model on the data up to its cut-off
    days = clv.customer_days(_regular(30))
    res = clv.customer_value_days(days, cutoff="2024-12-31", min_repeat_buyers=30)
    assert res.cutoff == pd.Timestamp("2024-07-19") and res.params is not None
    own = clv.calibration_holdout(days, cutoff="2024-05-13")
    assert res.calibration.cutoff == pd.Timestamp("2024-05-13")
    assert res.calibration.params == own.params
    assert res.calibration.params.r != pytest.approx(res.params.r, rel=1e-3)


# --- the notices in plain words (the report's and the page's warnings) -----------------------

#: the calibration check skipped on FOUR, in what it means for the figures
CAL_PLAIN = (
    "The predictions were not checked against later purchases: only 0 customers had bought on "
    "more than one day by 5 January 2024 (need 4)."
)
SPEND_PLAIN = (
    "The spend model did not settle: each customer's average spend per order is used instead."
)
#: what a report reader cannot act on: the models' names, parameters and symbols
INTERNALS = ("Gamma-Gamma", "BG/NBD", "P(alive)", " = ", "e+", "q ", "r = ")


@pytest.mark.parametrize(
    ("case", "plain"),
    [
        ({"gg": _gg(p=163_000.0, q=3.25, v=40.0, converged=False)}, (SPEND_PLAIN, CAL_PLAIN)),
        ({"gg": _gg(q=1.0)}, (SPEND_PLAIN, CAL_PLAIN)),
        ({"gg": InsufficientDataError("Too few repeat buyers.")}, (SPEND_PLAIN, CAL_PLAIN)),
        (
            {"bg": _bg(a=0.0019, b=2.0)},
            (
                "The lifetime-value model sees almost no customer stop buying, so it gives every "
                "customer a chance still active of about 100\u00a0%; to see who has stopped buying, "
                "use the churn risk.",
                CAL_PLAIN,
            ),
        ),
        (
            {"bg": _bg(converged=False)},
            (
                "The purchase model did not settle: treat the expected purchases and values with "
                "caution, and see how they compared with later purchases on the Customer value "
                "page.",
                CAL_PLAIN,
            ),
        ),
        (
            {"bg": InsufficientDataError("No repeat buyers.")},
            (
                "The purchase model could not be fitted, so each customer's value is their "
                "average order value times the shop's average rate of buying again.",
                CAL_PLAIN,
            ),
        ),
        (
            {"max_spend_frequency_corr": -0.5},  # FOUR's r of 0 is above a limit below 0
            (
                "Customers who buy more often spend differently per order, so the spend model "
                "does not apply: each customer's average spend per order is used instead.",
                CAL_PLAIN,
            ),
        ),
        (
            {"min_repeat_buyers": 5},
            (
                "Only 4 customers bought on more than one day (the models need 5), so each "
                "customer's value is their average order value times the shop's average rate of "
                "buying again, not a model's prediction.",
                "The predictions were not checked against later purchases: only 0 customers had "
                "bought on more than one day by 5 January 2024 (need 5).",
            ),
        ),
    ],
)
def test_each_notice_says_what_it_means_for_the_figures(monkeypatch, case, plain):
    """The report printed the models' internals ("Gamma-Gamma fit ran to a limit (p = 1.63e+05
    ..."): a reader needs what that means for the figures. Every notice has its plain sentence,
    without the models' names or parameters; the technical one stays for the page's details."""
    res = _four(monkeypatch, **case)
    assert len(res.notices) == len(res.plain_notices) == 2
    assert res.plain_notices == plain
    for text in res.plain_notices:
        assert not any(word in text for word in INTERNALS), text
