"""BG/NBD and Gamma-Gamma checked value by value: published figures (Fader, Hardie & Lee 2005
and Fader & Hardie's spreadsheets, as reproduced in lifetimes' and pymc-marketing's tests), the
models' formulas written out independently (the paper's direct form, not our log-space one),
and finite-difference gradients. Small and fast: mutation testing runs these for every mutant."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats
from scipy.special import beta as B
from scipy.special import gamma as G

from ecomdash import clv
from ecomdash.clv import bgnbd as mb
from ecomdash.clv import gamma_gamma as mg
from ecomdash.errors import InsufficientDataError, ParameterError
from tests.conftest import CDNOW_SAMPLE_PATH, CDNOW_SUMMARY_PATH, shared

#: Fader, Hardie & Lee (2005), CDNOW sample calibration period (full-precision MLE)
PUB = clv.BGNBDParams(
    r=0.2426, alpha=4.4135, a=0.7929, b=2.4258, log_likelihood=-9582.43, n_customers=2357
)


def _lik_direct(r, alpha, a, b, x, tx, T):
    """BG/NBD individual likelihood, Fader, Hardie & Lee (2005) eq. (6), as written there."""
    common = G(r + x) * alpha**r / G(r)
    out = B(a, b + x) / B(a, b) * common / (alpha + T) ** (r + x)
    if x > 0:
        out += B(a + 1, b + x - 1) / B(a, b) * common / (alpha + tx) ** (r + x)
    return out


def _p_alive_direct(p, x, tx, T):
    """FHL (2005) eq. (13)."""
    if x == 0:
        return 1.0
    return 1.0 / (1.0 + p.a / (p.b + x - 1) * ((p.alpha + T) / (p.alpha + tx)) ** (p.r + x))


# --- published figures ---------------------------------------------------------------------


def test_unconditional_expectation_matches_hardies_spreadsheet():
    # E[X(t)] for the CDNOW parameters, Fader & Hardie's BG/NBD spreadsheet (the figures
    # lifetimes and pymc-marketing test against), 4 decimals
    t = np.array([0.1429, 1.0, 3.0, 31.8571, 32.0, 78.0])
    published = np.array([0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576])
    np.testing.assert_allclose(clv.bgnbd_expected_unconditional(PUB, t), published, atol=5e-4)
    # nothing is expected in no time, or before it starts
    np.testing.assert_array_equal(clv.bgnbd_expected_unconditional(PUB, [0.0, -3.0]), [0.0, 0.0])


def test_conditional_expectation_matches_the_papers_example():
    # FHL (2005) section 5: a customer with x = 2, t_x = 30.43, T = 38.86 is expected to make
    # 1.226 purchases in the next 39 weeks
    got = clv.bgnbd_expected_purchases(PUB, 39.0, [2.0], [30.43], [38.86])
    assert got[0] == pytest.approx(1.226, abs=5e-4)
    # no time, no purchases (for every customer, whatever the history)
    np.testing.assert_array_equal(
        clv.bgnbd_expected_purchases(PUB, 0.0, [2.0, 0.0], [30.43, 0.0], [38.86, 5.0]), [0.0, 0.0]
    )


def test_expectations_are_finite_and_continuous_through_a_equal_one():
    # both expectations divide by a - 1: at a = 1 exactly the formulas are 0 / 0 (NaN was
    # returned), while the model's value there is the limit, smooth in a: it lies between
    # its values just either side, and their mean is it to second order
    from dataclasses import replace

    at = {a: replace(PUB, a=a) for a in (1.0, 1.0 - 1e-3, 1.0 + 1e-3)}
    t = np.array([1.0, 32.0, 78.0])
    x, tx, T = [0.0, 2.0, 7.0], [0.0, 30.43, 35.0], [38.86, 38.86, 38.86]
    for f in (
        lambda p: clv.bgnbd_expected_unconditional(p, t),
        lambda p: clv.bgnbd_expected_purchases(p, 39.0, x, tx, T),
    ):
        one, lo, hi = (f(p) for p in at.values())
        assert np.isfinite(one).all() and (one > 0).all(), one
        np.testing.assert_allclose(one, (lo + hi) / 2, rtol=1e-5)
        assert ((np.minimum(lo, hi) <= one) & (one <= np.maximum(lo, hi))).all()
    # away from 1 nothing changes: the formula itself (the published figures above)
    assert mb._A_NEAR_ONE <= 1e-6


def test_log_likelihood_matches_the_papers_formula_row_by_row():
    x = np.array([0.0, 1.0, 2.0, 5.0, 0.0, 3.0])
    tx = np.array([0.0, 10.0, 30.43, 36.0, 0.0, 5.5])
    T = np.array([38.86, 30.0, 38.86, 37.0, 12.0, 20.0])
    w = np.array([1.0, 2.0, 1.0, 3.0, 1.0, 1.0])
    logp = np.log([PUB.r, PUB.alpha, PUB.a, PUB.b])
    nll, _ = mb._bgnbd_ll_grad(logp, x, tx, T, w)
    direct = [
        math.log(_lik_direct(PUB.r, PUB.alpha, PUB.a, PUB.b, *row))
        for row in zip(x, tx, T, strict=True)
    ]
    assert nll == pytest.approx(-np.dot(w, direct) / w.sum(), rel=1e-12)


@pytest.mark.parametrize(
    "logp",
    [np.log([0.2426, 4.4135, 0.7929, 2.4258]), np.log([1.5, 0.7, 3.0, 0.4]), np.zeros(4)],
)
def test_gradient_matches_finite_differences(logp):
    x = np.array([0.0, 1.0, 2.0, 5.0, 0.0, 3.0])
    tx = np.array([0.0, 10.0, 30.43, 36.0, 0.0, 5.5])
    T = np.array([38.86, 30.0, 38.86, 37.0, 12.0, 20.0])
    w = np.array([1.0, 2.0, 1.0, 3.0, 1.0, 1.0])
    _, grad = mb._bgnbd_ll_grad(logp, x, tx, T, w)
    num = optimize.approx_fprime(logp, lambda p: mb._bgnbd_ll_grad(p, x, tx, T, w)[0], 1e-7)
    np.testing.assert_allclose(grad, num, rtol=1e-5, atol=1e-7)


def test_fit_on_the_cdnow_summary_reports_what_it_fitted():
    s = pd.read_csv(shared(CDNOW_SUMMARY_PATH))
    p = clv.fit_bgnbd(s["frequency"], s["recency"], s["T"], time_unit="D")
    assert (p.n_customers, p.time_unit, p.converged) == (2357, "D", True)
    assert p.log_likelihood == pytest.approx(-9582.43, abs=0.01)
    # the reported likelihood is the sum of the paper's per-customer likelihoods at the optimum
    direct = sum(
        math.log(_lik_direct(p.r, p.alpha, p.a, p.b, *row))
        for row in s[["frequency", "recency", "T"]].itertuples(index=False)
    )
    assert p.log_likelihood == pytest.approx(direct, abs=1e-6)
    assert p.as_dict() == {
        "r": p.r,
        "alpha": p.alpha,
        "a": p.a,
        "b": p.b,
        "log_likelihood": p.log_likelihood,
        "n_customers": 2357,
        "time_unit": "D",
        "converged": True,
    }


# --- conditional quantities against the formulas written out --------------------------------

CASES = [
    (0.0, 0.0, 39.0),
    (1.0, 2.0, 39.0),
    (2.0, 30.43, 38.86),
    (7.0, 20.0, 39.0),
    (3.0, 38.0, 38.0),
]


def test_p_alive_equals_the_papers_formula():
    f, r, T = (np.array(c) for c in zip(*CASES, strict=True))
    got = clv.bgnbd_p_alive(PUB, f, r, T)
    want = [_p_alive_direct(PUB, *c) for c in CASES]
    np.testing.assert_allclose(got, want, rtol=1e-12)
    # a hand value: x=1, t_x=2, T=39 -> 1 / (1 + 0.7929/2.4258 * (43.4135/6.4135)^1.2426)
    assert got[1] == pytest.approx(1 / (1 + 0.7929 / 2.4258 * (43.4135 / 6.4135) ** 1.2426))
    assert got[0] == 1.0 and 0 < got[1] < got[2] < 1


def test_expected_purchases_equal_the_papers_formula():
    from scipy.special import hyp2f1

    f, r, T = (np.array(c) for c in zip(*CASES, strict=True))
    t = 26.0
    got = clv.bgnbd_expected_purchases(PUB, t, f, r, T)
    rr, al, a, b = PUB.r, PUB.alpha, PUB.a, PUB.b
    for i, (x, tx, TT) in enumerate(CASES):
        # FHL (2005) eq. (10), written out
        z = t / (al + TT + t)
        num = (a + b + x - 1) / (a - 1)
        num *= 1 - ((al + TT) / (al + TT + t)) ** (rr + x) * hyp2f1(rr + x, b + x, a + b + x - 1, z)
        assert got[i] == pytest.approx(num * _p_alive_direct(PUB, x, tx, TT), rel=1e-10)


def test_p_purchase_within_and_median_time_by_hand():
    f, r, T = (np.array(c) for c in zip(*CASES, strict=True))
    t = 10.0
    got = clv.bgnbd_p_purchase_within(PUB, t, f, r, T)
    for i, (x, tx, TT) in enumerate(CASES):
        pa = _p_alive_direct(PUB, x, tx, TT)
        no_buy_if_alive = ((PUB.alpha + TT) / (PUB.alpha + TT + t)) ** (PUB.r + x)
        assert got[i] == pytest.approx(pa * (1 - no_buy_if_alive), rel=1e-12)
    med = clv.bgnbd_median_time_to_next(PUB, f, r, T)
    for i, (x, tx, TT) in enumerate(CASES):
        pa = _p_alive_direct(PUB, x, tx, TT)
        if pa <= 0.5:
            assert med[i] == np.inf
            continue
        # solve pa * (1 - ((alpha+T)/(alpha+T+t))^(r+x)) = 1/2 for t, by hand
        want = (PUB.alpha + TT) * ((1 - 0.5 / pa) ** (-1 / (PUB.r + x)) - 1)
        assert med[i] == pytest.approx(want, rel=1e-12)
    # the one-time buyer is alive for sure: P(alive) = 1 > 1/2, so a finite median
    assert np.isfinite(med[0])


# --- input checks ---------------------------------------------------------------------------


def test_impossible_rows_are_counted_in_the_message():
    with pytest.raises(ParameterError, match="^2 customers have an impossible"):
        clv.fit_bgnbd([1, 0, 2], [5.0, 1.0, 1.0], [4.0, 3.0, 3.0])
    with pytest.raises(ParameterError, match="1 customers"):
        clv.fit_bgnbd([-1, 1], [0.0, 1.0], [3.0, 3.0])
    with pytest.raises(ParameterError, match="1 customers"):
        clv.fit_bgnbd([1, 1], [-1.0, 1.0], [3.0, 3.0])
    with pytest.raises(ParameterError, match="1 customers"):
        clv.fit_bgnbd([1, np.nan], [1.0, 1.0], [3.0, 3.0])
    # recency = T is allowed (a purchase on the cut-off day), as is recency 0 with frequency 0
    p = clv.fit_bgnbd([1, 0, 2, 3] * 5, [3.0, 0.0, 1.0, 2.0] * 5, [3.0, 3.0, 3.0, 3.0] * 5)
    assert p.n_customers == 20 and p.time_unit == "W"  # weeks unless told
    # repeat buyers with one repeat purchase each are repeat buyers (x = 1 > 0)
    once = clv.fit_bgnbd([1, 0, 1, 0, 0] * 8, [2.0, 0.0, 5.0, 0.0, 0.0] * 8, [9.0] * 40)
    assert once.n_customers == 40 and np.isfinite(once.log_likelihood)


def test_mismatched_or_2d_inputs_are_refused_with_their_shapes():
    with pytest.raises(ParameterError, match=r"got shapes \(2,\), \(1,\), \(2,\)"):
        clv.fit_bgnbd([1, 0], [1.0], [3.0, 3.0])
    with pytest.raises(ParameterError, match="1-D"):
        clv.fit_bgnbd([[1, 0]], [[1.0, 0.0]], [[3.0, 3.0]])


def test_no_customers_and_no_repeat_buyers_say_what_was_found():
    # word for word: each message is a catalogue msgid (its zh translation goes with it)
    with pytest.raises(InsufficientDataError) as e:
        clv.fit_bgnbd([], [], [])
    assert str(e.value) == "BG/NBD needs at least one customer; found none."
    with pytest.raises(InsufficientDataError) as e:
        clv.fit_bgnbd([0] * 1200, [0.0] * 1200, [4.0] * 1200)
    assert str(e.value) == (
        "BG/NBD needs repeat buyers; found 0 of 1,200 customers. Use a longer history or an "
        "earlier cut-off."
    )


def test_compress_keeps_every_distinct_row_and_its_weight():
    (cx, ctx, cT), w = mb._compress([2, 1, 2, 1, 0], [5.0, 1.0, 5.0, 2.0, 0.0], [9.0] * 5)
    assert cx.tolist() == [0.0, 1.0, 1.0, 2.0]
    assert ctx.tolist() == [0.0, 1.0, 2.0, 5.0]
    assert cT.tolist() == [9.0] * 4 and w.tolist() == [1.0, 1.0, 1.0, 2.0]
    # rows equal in one column but not the others are distinct
    (cx, ctx, cT), w = mb._compress([1, 1], [1.0, 1.0], [3.0, 4.0])
    assert cT.tolist() == [3.0, 4.0] and w.tolist() == [1.0, 1.0]
    (cx,), w = mb._compress(np.array([]))
    assert len(cx) == 0 and len(w) == 0
    # one row is one distinct row of weight 1
    (cx, ctx, cT), w = mb._compress([3.0], [2.0], [5.0])
    assert (cx.tolist(), ctx.tolist(), cT.tolist(), w.tolist()) == ([3.0], [2.0], [5.0], [1.0])


def test_a_fit_running_to_its_bound_is_not_reported_converged():
    # every repeat buyer keeps buying until T: no dropout at all, b runs to its upper bound
    x = np.array([5.0, 8.0, 3.0, 6.0] * 30)
    T = np.full(len(x), 40.0)
    p = clv.fit_bgnbd(x, T, T)
    assert p.b > math.exp(11.0) or p.a < math.exp(-11.0)
    assert not p.converged
    # without dropout the model tends to a Poisson process: r and alpha run off together,
    # r / alpha -> the pooled rate 5.5 purchases per 40 weeks, and the run-away parameters
    # are clipped to the search box [e^-12, e^12] (alpha at its top, a at its bottom)
    assert math.log(p.alpha) == pytest.approx(12.0, abs=1e-9)
    assert math.log(p.a) == pytest.approx(-12.0, abs=1e-9)
    assert p.r / p.alpha == pytest.approx(5.5 / 40, rel=1e-4)
    # so every customer, whatever their history, expects the pooled rate times 39 weeks,
    # 5.5 * 39 / 40 = 5.3625 (unclipped, r ~ e^18 makes hyp2f1 give NaN)
    got = clv.bgnbd_expected_purchases(p, 39, [5.0, 3.0, 0.0], [40.0, 20.0, 0.0], [40.0] * 3)
    np.testing.assert_allclose(got, [5.3625] * 3, rtol=1e-3)


def test_a_failed_first_start_tries_the_next_and_keeps_the_better(monkeypatch):
    # the first start's search fails (a worse likelihood), the second succeeds: the second
    # is reported, converged; a start whose likelihood is not finite is skipped
    calls = []

    def scripted(fun, x0, **kw):
        calls.append(x0)
        value, ok = [(2.0, False), (1.0, True)][len(calls) - 1]
        return optimize.OptimizeResult(
            x=np.array([0.1, 1.2, -0.3, 0.5]) * len(calls), fun=value, success=ok, jac=np.ones(4)
        )

    monkeypatch.setattr(mb.optimize, "minimize", scripted)
    rft = ([0.0, 2.0, 1.0, 3.0], [0.0, 10.0, 4.0, 20.0], [30.0, 30.0, 25.0, 40.0])
    p = clv.fit_bgnbd(*rft)
    assert len(calls) == 2 and p.converged
    assert p.r == pytest.approx(math.exp(0.2)) and p.b == pytest.approx(math.exp(1.0))
    assert p.log_likelihood == pytest.approx(-1.0 * 4)

    def nowhere(fun, x0, **kw):
        calls.append(x0)
        return optimize.OptimizeResult(x=x0, fun=np.nan, success=False, jac=np.ones(4))

    calls.clear()
    monkeypatch.setattr(mb.optimize, "minimize", nowhere)
    with pytest.raises(InsufficientDataError) as e:
        clv.fit_bgnbd(*rft)
    assert str(e.value) == (
        "The BG/NBD fit failed (the likelihood was not finite). Check for customers with extreme "
        "purchase counts or use a longer history."
    )
    assert len(calls) == 2  # both starts tried


@pytest.mark.parametrize(
    ("success", "grad", "log_b", "want"),
    [
        (True, 1.0, 0.5, True),
        (False, 2e-8, 0.5, True),  # a failed line search at the optimum
        (False, 1e-6, 0.5, False),
        (True, 0.0, 11.95, False),  # b ran to its bound
    ],
)
def test_bgnbd_converged_means_at_an_interior_optimum(monkeypatch, success, grad, log_b, want):
    def stopped(fun, x0, **kw):
        return optimize.OptimizeResult(
            x=np.array([0.1, 1.2, -0.3, log_b]),
            fun=1.0,
            success=success,
            jac=np.array([0, 0, grad, 0]),
        )

    monkeypatch.setattr(mb.optimize, "minimize", stopped)
    p = clv.fit_bgnbd([0.0, 2.0, 1.0, 3.0], [0.0, 10.0, 4.0, 20.0], [30.0, 30.0, 25.0, 40.0])
    assert p.converged is want
    assert p.b == pytest.approx(math.exp(log_b))


# --- Gamma-Gamma ----------------------------------------------------------------------------


def test_gamma_gamma_reproduces_the_published_cdnow_estimates():
    # Fader, Hardie & Lee (2005, "RFM and CLV") / Fader & Hardie's Gamma-Gamma note: the 946
    # repeat buyers of the CDNOW sample's 39-week calibration period, mean spend per repeat
    # purchase: p = 6.25, q = 3.74, v (gamma) = 15.44
    days = clv.read_cdnow(shared(CDNOW_SAMPLE_PATH), sample=True)
    s = clv.rfm_summary(days, cutoff="1997-09-30")
    g = clv.fit_gamma_gamma(s["frequency"], s["monetary_value"])
    assert g.n_customers == 946 and g.converged
    assert (round(g.p, 2), round(g.q, 2), round(g.v, 2)) == (6.25, 3.74, 15.44)
    # the reported likelihood is the model's: x * m-bar given nu is Gamma(p x, nu) and nu is
    # Gamma(q, v), so x * m-bar / v is beta-prime(p x, q) (scipy's density, not our formula)
    rep = s[s["frequency"] > 0]
    x, m = rep["frequency"].to_numpy(), rep["monetary_value"].to_numpy()
    ll = np.sum(stats.betaprime(g.p * x, g.q, scale=g.v).logpdf(x * m) + np.log(x))
    assert g.log_likelihood == pytest.approx(ll, rel=1e-9)
    assert g.mean_spend == pytest.approx(6.25 * 15.44 / 2.74, rel=2e-3)
    # the same purchase days in date order: sums differ in their last bit, and the better of
    # the two starts ends on L-BFGS-B's failed line search at the optimum (gradient ~2e-8):
    # still converged, with the same published estimates
    s = clv.rfm_summary(days.sort_values("date", kind="stable"), cutoff="1997-09-30")
    g2 = clv.fit_gamma_gamma(s["frequency"], s["monetary_value"])
    assert g2.n_customers == 946 and g2.converged
    assert (round(g2.p, 2), round(g2.q, 2), round(g2.v, 2)) == (6.25, 3.74, 15.44)


@pytest.mark.parametrize(
    ("success", "grad", "log_p", "want"),
    [
        (True, 1.0, 1.8, True),  # the optimiser's own verdict
        (False, 2e-8, 1.8, True),  # a failed line search at the optimum
        (False, 1e-6, 1.8, False),  # stopped short of it
        (False, 1e-3, 1.8, False),
        (True, 0.0, 11.95, False),  # p ran to its bound
    ],
)
def test_gamma_gamma_converged_means_at_an_interior_optimum(
    monkeypatch, success, grad, log_p, want
):
    def stopped(fun, x0, **kw):
        return optimize.OptimizeResult(
            x=np.array([log_p, 1.3, 2.7]), fun=1.0, success=success, jac=np.array([0, grad, 0])
        )

    monkeypatch.setattr(mg.optimize, "minimize", stopped)
    g = clv.fit_gamma_gamma([1.0, 2.0, 3.0], [10.0, 20.0, 30.0])
    assert g.converged is want
    assert g.p == pytest.approx(math.exp(log_p))


def test_gamma_gamma_gradient_matches_finite_differences():
    x = np.array([1.0, 2.0, 5.0, 3.0])
    m = np.array([20.0, 35.5, 12.0, 60.0])
    for logp in (np.log([6.25, 3.74, 15.44]), np.log([0.5, 1.5, 100.0])):
        _, grad = mg._gg_ll_grad(logp, x, m)
        num = optimize.approx_fprime(logp, lambda p: mg._gg_ll_grad(p, x, m)[0], 1e-7)
        np.testing.assert_allclose(grad, num, rtol=1e-5, atol=1e-7)


def test_gamma_gamma_expected_spend_by_hand():
    g = clv.GammaGammaParams(p=6.25, q=3.74, v=15.44, log_likelihood=0.0, n_customers=946)
    # FHL (2005): a weighted mean of the population mean p v / (q - 1) and the customer's own
    # mean, the customer's weight p x / (p x + q - 1)
    pop = 6.25 * 15.44 / 2.74
    for x, m in [(1.0, 10.0), (2.0, 35.0), (10.0, 200.0)]:
        w = 6.25 * x / (6.25 * x + 2.74)
        got = clv.gamma_gamma_expected_spend(g, [x], [m])[0]
        assert got == pytest.approx(w * m + (1 - w) * pop, rel=1e-12)
    # one-time buyers (x = 0) get the population mean, whatever their recorded spend
    np.testing.assert_allclose(clv.gamma_gamma_expected_spend(g, [0.0], [999.0]), [pop])
    assert g.mean_spend == pytest.approx(pop)
    assert g.as_dict() == {
        "p": 6.25,
        "q": 3.74,
        "v": 15.44,
        "log_likelihood": 0.0,
        "n_customers": 946,
        "converged": True,
    }


def test_gamma_gamma_mean_spend_is_infinite_when_q_is_at_most_one():
    for q in (1.0, 0.5):
        g = clv.GammaGammaParams(p=2.0, q=q, v=10.0, log_likelihood=0.0, n_customers=10)
        assert g.mean_spend == math.inf
    g = clv.GammaGammaParams(p=2.0, q=1.5, v=10.0, log_likelihood=0.0, n_customers=10)
    assert g.mean_spend == pytest.approx(40.0)


def test_gamma_gamma_uses_only_repeat_buyers_with_a_positive_finite_spend():
    rng = np.random.default_rng(4)
    x = rng.integers(1, 8, 400).astype(float)
    m = clv.simulate_gamma_gamma(6.0, 4.0, 15.0, frequency=x, seed=9)
    g = clv.fit_gamma_gamma(x, m)
    # one-time buyers, zero / negative / missing / infinite spends are left out: same fit
    x2 = np.concatenate([x, [0.0, 2.0, 3.0, 1.0, 4.0]])
    m2 = np.concatenate([m, [50.0, 0.0, -5.0, np.nan, np.inf]])
    g2 = clv.fit_gamma_gamma(x2, m2)
    assert g2.n_customers == g.n_customers == 400
    assert (g2.p, g2.q, g2.v) == pytest.approx((g.p, g.q, g.v), rel=1e-9)
    with pytest.raises(InsufficientDataError, match="found 1"):
        clv.fit_gamma_gamma([0.0, 3.0, 2.0], [10.0, 20.0, 0.0])


def test_simulated_gamma_gamma_spend_has_the_models_mean():
    # E[m | x] = p v / (q - 1) for every x (the per-customer mean is unbiased for p / nu)
    x = np.full(50_000, 3)
    m = clv.simulate_gamma_gamma(6.0, 4.0, 15.0, frequency=x, seed=1)
    assert m.mean() == pytest.approx(6.0 * 15.0 / 3.0, rel=0.02)
    # one-time buyers are simulated as one purchase
    m0 = clv.simulate_gamma_gamma(6.0, 4.0, 15.0, frequency=np.zeros(50_000), seed=1)
    assert m0.mean() == pytest.approx(30.0, rel=0.03)


def test_simulation_matches_the_model_it_simulates():
    """simulate_bgnbd called here directly (the Monte Carlo checks in test_clv.py share one
    module fixture, which mutation testing maps to its first test only)."""
    n = 20_000
    sim = clv.simulate_bgnbd(PUB, n=n, T=39.0, horizon=39.0, seed=3)
    assert list(sim.columns) == ["frequency", "recency", "T", "holdout", "alive"]
    assert sim["alive"].dtype == bool and (sim["T"] == 39.0).all()
    assert ((sim["recency"] <= 39.0) & ((sim["frequency"] > 0) | (sim["recency"] == 0))).all()
    # repeat purchases in (0, 39] and in (39, 78]: E[X(39)] and E[X(78)] - E[X(39)] by the
    # unconditional formula (checked above against Hardie's spreadsheet)
    e39, e78 = clv.bgnbd_expected_unconditional(PUB, [39.0, 78.0])
    for got, want in ((sim["frequency"], e39), (sim["holdout"], e78 - e39)):
        assert abs(got.mean() - want) < 4 * got.std() / np.sqrt(n)
    # alive at T: on average what P(alive) says for these histories
    pa = clv.bgnbd_p_alive(PUB, sim["frequency"], sim["recency"], sim["T"])
    assert abs(sim["alive"].mean() - pa.mean()) < 4 * np.sqrt(0.25 / n)
    assert 0.2 < 1 - sim["alive"].mean()  # some customers really drop out
    # defaults: no holdout period, seed 0 (the same customers every time)
    plain = clv.simulate_bgnbd(PUB, n=500, T=39.0)
    assert (plain["holdout"] == 0).all()
    pd.testing.assert_frame_equal(plain, clv.simulate_bgnbd(PUB, n=500, T=39.0, seed=0))
    assert not plain.equals(clv.simulate_bgnbd(PUB, n=500, T=39.0, seed=1))


def test_short_horizons_and_no_horizon():
    f, r, T = np.array([2.0, 0.0]), np.array([30.43, 0.0]), np.array([38.86, 5.0])
    for t in (0.5, 1.0):  # under a week is still a horizon
        got = clv.bgnbd_expected_purchases(PUB, t, f, r, T)
        assert (got > 0).all()
        # an alive customer buys at rate E[lambda | x, T] = (r + x) / (alpha + T) for small t
        rate = (PUB.r + f) / (PUB.alpha + T)
        pa = np.array([_p_alive_direct(PUB, *c) for c in zip(f, r, T, strict=True)])
        np.testing.assert_allclose(got, pa * rate * t, rtol=0.05)
    zero = clv.bgnbd_expected_purchases(PUB, 0.0, f, r, T)
    assert zero.shape == (2,) and zero.dtype == float and (zero == 0).all()


def test_gamma_gamma_is_scale_equivariant_and_fits_two_customers():
    # spends in cents-sized units (most under 1): the same p and q, v scaled (the model's
    # scale parameter), every customer kept
    rng = np.random.default_rng(8)
    x = rng.integers(1, 6, 300).astype(float)
    m = clv.simulate_gamma_gamma(6.0, 4.0, 15.0, frequency=x, seed=2)
    g = clv.fit_gamma_gamma(x, m)
    small = clv.fit_gamma_gamma(x, m / 100.0)
    assert (m / 100.0 < 1).mean() > 0.9
    assert small.n_customers == g.n_customers == 300
    assert (small.p, small.q) == pytest.approx((g.p, g.q), rel=1e-4)
    assert small.v == pytest.approx(g.v / 100.0, rel=1e-4)
    # two repeat buyers are enough to fit (if not to trust)
    assert clv.fit_gamma_gamma([1.0, 3.0], [10.0, 30.0]).n_customers == 2
    # one-time buyers get the population mean whatever their (even missing) recorded spend
    g1 = clv.GammaGammaParams(p=6.25, q=3.74, v=15.44, log_likelihood=0.0, n_customers=946)
    np.testing.assert_allclose(
        clv.gamma_gamma_expected_spend(g1, [0.0, 0.0], [np.nan, np.inf]), [g1.mean_spend] * 2
    )
    # the simulator's default seed is 0: the same spends every time
    np.testing.assert_array_equal(
        clv.simulate_gamma_gamma(6.0, 4.0, 15.0, frequency=x),
        clv.simulate_gamma_gamma(6.0, 4.0, 15.0, frequency=x, seed=0),
    )


def test_gamma_gamma_on_identical_spends_runs_to_its_bounds_and_says_so():
    # every order worth 5: no spread between customers, so p and q run to their upper bound
    # (e^12) and the model's mean spend is the spend itself; the search stopped at a bound,
    # so the fit is reported not converged even though L-BFGS-B says it succeeded
    g = clv.fit_gamma_gamma([1.0, 1.0, 1.0], [5.0, 5.0, 5.0])
    assert g.p == pytest.approx(math.exp(12.0), rel=1e-9)
    assert g.q == pytest.approx(math.exp(12.0), rel=1e-9)
    assert g.mean_spend == pytest.approx(5.0, rel=1e-4)
    assert not g.converged
    # large amounts are no reason to doubt a fit: v (the scale) is far past e^11.9 here
    rng = np.random.default_rng(8)
    x = rng.integers(1, 6, 300).astype(float)
    m = clv.simulate_gamma_gamma(6.0, 4.0, 15.0, frequency=x, seed=2)
    g, big = clv.fit_gamma_gamma(x, m), clv.fit_gamma_gamma(x, m * 1e7)
    assert big.v > math.exp(18.0) and big.converged
    assert (big.p, big.q, big.v / 1e7) == pytest.approx((g.p, g.q, g.v), rel=1e-4)


def test_gamma_gamma_failures_are_said_in_full_without_warnings():
    import warnings

    msg = (
        r"^Gamma-Gamma needs repeat buyers with a positive spend; found 1\. Use a longer "
        r"history or check the revenue column\.$"
    )
    with pytest.raises(InsufficientDataError, match=msg):
        clv.fit_gamma_gamma([0.0, 3.0, 2.0], [10.0, 20.0, 0.0])
    # spends near the float limit (x m-bar overflows): the likelihood is infinite at every start
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(
            InsufficientDataError, match=r"^The Gamma-Gamma fit failed \(non-finite likelihood\)\.$"
        ):
            clv.fit_gamma_gamma([5.0, 5.0], [1e308, 5e307])
        # spends whose sum overflows (the start's scale is their mean): the same message
        with pytest.raises(
            InsufficientDataError, match=r"^The Gamma-Gamma fit failed \(non-finite likelihood\)\.$"
        ):
            clv.fit_gamma_gamma([1.0, 2.0, 3.0], [1e308, 1.5e308, 1e308])
        # q = 1: a one-time buyer's expected spend p v / (q - 1) is infinite, quietly
        g = clv.GammaGammaParams(p=2.0, q=1.0, v=10.0, log_likelihood=0.0, n_customers=2)
        assert clv.gamma_gamma_expected_spend(g, [0.0, 1.0], [7.0, 7.0]).tolist() == [
            math.inf,
            2.0 * (10.0 + 7.0) / 2.0,
        ]


def test_bgnbd_parameters_read_as_a_yearly_rate_and_a_dropout_chance():
    from ecomdash.clv.bgnbd import BGNBDParams

    weekly = BGNBDParams(r=2.0, alpha=4.0, a=1.0, b=3.0, log_likelihood=0.0, n_customers=1)
    # 2 / 4 = 0.5 purchases a week, 52.18 weeks a year; 1 / (1 + 3) = 25 %
    assert weekly.purchases_per_year == pytest.approx(0.5 * 365.25 / 7)
    assert weekly.dropout_per_purchase == pytest.approx(0.25)
    daily = BGNBDParams(
        r=1.0, alpha=10.0, a=1.0, b=1.0, log_likelihood=0.0, n_customers=1, time_unit="D"
    )
    # alpha in days: 0.1 purchases a day, 36.5 a year (not 0.1 a week)
    assert daily.purchases_per_year == pytest.approx(36.525)
