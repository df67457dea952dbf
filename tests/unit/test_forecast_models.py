"""The forecast models' building blocks on tiny series, every value worked out by hand in the
comments (bands, imputation, seasonal naive and seasonal mean with their spreads, Croston/SBA,
the ETS grid, the log scale)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ecomdash.forecast import models as M

# standard normal quantiles (published tables): 90 % and 97.5 %
Z80, Z95 = 1.2815515655446004, 1.959963984540054


def _check_bands(p, mean, sd):
    mean, sd = np.asarray(mean, float), np.asarray(sd, float)
    assert p.mean == pytest.approx(mean)
    assert p.lo80 == pytest.approx(mean - Z80 * sd)
    assert p.hi80 == pytest.approx(mean + Z80 * sd)
    assert p.lo95 == pytest.approx(mean - Z95 * sd)
    assert p.hi95 == pytest.approx(mean + Z95 * sd)


def test_bands_are_normal_quantiles_around_the_mean():
    p = M._bands(np.array([[10.0, 20.0]]), np.array([[2.0, 0.0]]), 1.5)
    assert p.lo80[0].tolist() == pytest.approx([10 - 2 * Z80, 20])
    assert p.hi80[0].tolist() == pytest.approx([10 + 2 * Z80, 20])
    assert p.lo95[0].tolist() == pytest.approx([10 - 2 * Z95, 20])
    assert p.hi95[0].tolist() == pytest.approx([10 + 2 * Z95, 20])
    assert p.mean.tolist() == [[10.0, 20.0]] and p.seconds == 1.5


def test_impute_from_earlier_cycles_or_the_nearest_value():
    Y = np.array(
        [
            [1.0, 2, 3, 4, 5, 6, 0, 8],
            [10.0, 20, 30, 40, 50, 60, 70, 80],
        ]
    )
    obs = np.ones_like(Y, dtype=bool)
    obs[0, 1] = False  # no earlier cycle: nearest observed value; t=0 and t=2 tie -> t=0: 1
    obs[0, 6] = False  # m = 2: mean of t = 4, 2, 0 -> (5 + 3 + 1) / 3 = 3
    obs[1, 3] = False  # only one earlier cycle (t = 1): 20
    before = Y.copy()
    X = M._impute(Y, obs, 2)
    assert X.tolist() == [[1, 1, 3, 4, 5, 6, 3, 8], [10, 20, 30, 20, 50, 60, 70, 80]]
    assert (Y == before).all()  # input left alone
    # at most three cycles back: t = 12 with m = 3 uses t = 9, 6, 3 (1, 2, 3), not t = 0 (100)
    Z = np.zeros((1, 13))
    Z[0, [0, 3, 6, 9]] = [100, 1, 2, 3]
    o = np.ones_like(Z, dtype=bool)
    o[0, 12] = False
    assert M._impute(Z, o, 3)[0, 12] == pytest.approx(2.0)
    # an imputed value feeds later ones: t = 3 (m = 2) takes t = 1, itself taken from t = 0
    o2 = np.array([[True, False, True, False, True]])
    assert M._impute(np.array([[7.0, 0, 9, 0, 11]]), o2, 2).tolist() == [[7, 7, 9, 7, 11]]
    # no earlier cycle (m = 7, t = 3): the nearest observed value, t = 2 (t = 4 ties, later)
    o7 = np.ones((1, 9), bool)
    o7[0, 3] = False
    seven = np.array([[10.0, 11, 12, 0, 14, 15, 16, 17, 18]])
    assert M._impute(seven, o7, 7)[0, 3] == 12.0
    # nothing observed at all: zeros, not the unobserved values
    assert M._impute(np.array([[5.0, 5, 5]]), np.zeros((1, 3), bool), 2).tolist() == [[0, 0, 0]]
    # all observed: an equal copy
    out = M._impute(Y, np.ones_like(Y, dtype=bool), 2)
    assert out.tolist() == Y.tolist() and out is not Y


def test_seasonal_naive_paths_and_spread_by_hand():
    X = np.array([[1.0, 2, 3, 5, 6, 8]])
    obs = np.ones_like(X, dtype=bool)
    p = M._seasonal_naive(X, obs, [4, 6], 3, 2)
    # seasonal differences (m = 2): 3-1, 5-2, 6-3, 8-5 -> squares 4, 9, 9, 9
    # origin 4: the two differences before it (4 + 9) / 2; origin 6: (4 + 9 + 9 + 9) / 4
    s4, s6 = math.sqrt(13 / 2), math.sqrt(31 / 4)
    # steps ahead 1, 2 are one cycle out, step 3 two cycles: sd x 1, 1, sqrt(2)
    grow = np.array([1, 1, math.sqrt(2)])
    _check_bands(p, [[[3, 5, 3], [6, 8, 6]]], [[s4 * grow, s6 * grow]])
    # origin 3: a single difference before it (4) -> sd 2
    _check_bands(M._seasonal_naive(X, obs, [3], 1, 2), [[[2]]], [[[2]]])
    # one cycle only: no difference to learn a spread from -> 0
    q = M._seasonal_naive(np.array([[4.0, 9]]), np.ones((1, 2), bool), [2], 2, 2)
    _check_bands(q, [[[4, 9]]], [[[0, 0]]])


def test_seasonal_mean_and_its_in_sample_spread_by_hand():
    X = np.array([[1.0, 2, 3, 5, 6, 8, 7, 9]])
    obs = np.ones_like(X, dtype=bool)
    p = M._seasonal_mean(X, obs, [4, 8], 2, 2)
    # origin 8: three cycles (t 6-7, 4-5, 2-3): (7 + 6 + 3) / 3, (9 + 8 + 5) / 3
    #   in-sample errors at t = 6: 7 - (6 + 3 + 1) / 3 = 11/3; t = 7: 9 - (8 + 5 + 2) / 3 = 4
    #   sd = sqrt(((11/3)^2 + 4^2) / 2) = sqrt(265 / 18), the same at every step
    # origin 4: only two cycles (t 2-3, 0-1): (3 + 1) / 2, (5 + 2) / 2, no error yet -> sd 0
    s8 = math.sqrt(265 / 18)
    _check_bands(p, [[[2, 3.5], [16 / 3, 22 / 3]]], [[[0, 0], [s8, s8]]])
    # two series at once: each its own mean and spread (the second is the first x 10)
    two = M._seasonal_mean(np.vstack([X, 10 * X]), np.ones((2, 8), bool), [8], 2, 2)
    _check_bands(two, [[[16 / 3, 22 / 3]], [[160 / 3, 220 / 3]]], [[[s8, s8]], [[10 * s8] * 2]])
    # k_cycles = 1 is the seasonal naive mean; errors at t = 2..5 (up to eight cycles
    # back): 3 - 1, 5 - 2, 6 - 3, 8 - 5 -> sd = sqrt((4 + 9 + 9 + 9) / 4)
    q = M._seasonal_mean(X, obs, [6], 2, 2, k_cycles=1)
    _check_bands(q, [[[6, 8]]], [[[math.sqrt(31 / 4)] * 2]])


def test_seasonal_mean_looks_back_at_most_eight_cycles_for_its_spread():
    # m = 1, one cycle: errors are the one-step changes; origin 12 uses t = 4..11 only
    x = np.array([[0.0, 100, 0, 100, 0, 1, 2, 3, 4, 5, 6, 7]])
    p = M._seasonal_mean(x, np.ones_like(x, dtype=bool), [12], 1, 1, k_cycles=1)
    # t = 4: 0 - 100 = -100, t = 5..11: +1 each -> sd = sqrt((10000 + 7) / 8)
    _check_bands(p, [[[7.0]]], [[[math.sqrt(10007 / 8)]]])


def test_croston_sba_by_hand():
    Y = np.array(
        [
            [0.0, 4, -3, 0, 2],  # the -3 (a net return) counts as no demand
            [0.0, 4, 0, 0, 2],  # the same, with period 3 unobserved
            [0.0, 0, 0, 0, 0],  # no demand yet: forecast 0
            [0.0, 1, 0, 1, 0],  # single units are demand too
        ]
    )
    obs = np.ones_like(Y, dtype=bool)
    obs[1, 3] = False
    p = M._croston(Y, obs, [2, 3, 5], 2, 1)
    # row 0: first demand 4 at t = 1 after 2 periods: z = 4, p = 2 -> f = 0.95 * 4 / 2 = 1.9
    #   errors 0 - 1.9, 0 - 1.9, 2 - 1.9 -> sse 7.23 over 3; at t = 4 demand 2 after 3
    #   periods: z = 4 + 0.1 (2 - 4) = 3.8, p = 2 + 0.1 (3 - 2) = 2.1 -> f = 0.95 * 3.8 / 2.1
    # row 1: period 3 unobserved neither errs nor counts as a gap: sse 3.62 over 2,
    #   p = 2 + 0.1 (2 - 2) = 2 -> f = 0.95 * 3.8 / 2
    # at origin 2 (after the first demand, no error yet): f = 1.9, sd 0; at origin 3 one
    #   error of -1.9 -> sd 1.9
    # row 3: z = 1, p = 2 -> f = 0.475 throughout; errors -0.475, 0.525, -0.475
    step = np.sqrt([1, 1.01])  # sqrt(1 + alpha^2 k)
    f0, f1 = 0.95 * 3.8 / 2.1, 0.95 * 3.8 / 2
    s0, s1 = math.sqrt(7.23 / 3), math.sqrt(3.62 / 2)
    s3 = math.sqrt((2 * 0.475**2 + 0.525**2) / 3)
    _check_bands(
        p,
        [
            [[1.9, 1.9], [1.9, 1.9], [f0, f0]],
            [[1.9, 1.9], [1.9, 1.9], [f1, f1]],
            [[0, 0], [0, 0], [0, 0]],
            [[0.475, 0.475], [0.475, 0.475], [0.475, 0.475]],
        ],
        [
            [[0, 0], 1.9 * step, s0 * step],
            [[0, 0], 1.9 * step, s1 * step],
            [[0, 0], [0, 0], [0, 0]],
            [[0, 0], 0.475 * step, s3 * step],
        ],
    )
    # another smoothing constant: alpha = 0.5 -> z = 4 + 0.5 (2 - 4) = 3, p = 2 + 0.5 = 2.5,
    # f = 0.75 * 3 / 2.5 = 0.9
    assert M._croston(Y[:1], obs[:1], [5], 1, 1, alpha=0.5).mean[0, 0, 0] == pytest.approx(0.9)


def test_ets_grid_by_hand():
    # alpha 6 values, beta <= alpha (0.05 takes 0 and 0.02), gamma <= 1 - alpha, phi only
    # with a trend (3 values, else 1). Per alpha: beta 0 -> 1 row, each beta > 0 -> 3 rows.
    # 0.05: (1 + 3) x 5 = 20; 0.1, 0.2, 0.3, 0.5: (1 + 3 + 3) x 5 = 35 each; 0.8: 1 - 0.8 is
    # 0.19999999999999996 in floating point, so gamma 0.2 and 0.4 are out: 7 x 3 = 21
    a, b, g, p = M._ets_grid(7)
    assert len(a) == 20 + 4 * 35 + 21
    assert set(a) == {0.05, 0.1, 0.2, 0.3, 0.5, 0.8}
    assert set(b) == {0.0, 0.02, 0.1} and set(g) == {0.0, 0.05, 0.1, 0.2, 0.4}
    assert set(p) == {0.8, 0.9, 0.98, 1.0}
    assert (b <= a).all() and (g <= 1 - a).all()
    assert ((b == 0) == (p == 1.0)).all()  # damping only with a trend
    # a season of two (a shop open two days a week) is a season too
    assert len(M._ets_grid(2)[0]) == len(a)
    # no season (m = 1): gamma 0 only: 4 + 5 x 7 = 39 rows
    a1, _, g1, _ = M._ets_grid(1)
    assert len(a1) == 39 and set(g1) == {0.0}
    assert a[0] == 0.05 and b[0] == 0.0 and g[0] == 0.0 and p[0] == 1.0  # order kept


def test_ets_on_the_log_scale_is_the_exp_of_ets_on_logs():
    rng = np.random.default_rng(5)
    t = np.arange(7 * 8)
    y = 50 * np.exp(0.01 * t + 0.3 * np.sin(2 * np.pi * t / 7) + rng.normal(0, 0.05, len(t)))
    obs = np.ones((1, len(t)), bool)
    logged = M._ets(y[None, :], obs, [35, 56], 7, 7, log=np.array([True]))
    plain = M._ets(np.log(y)[None, :], obs, [35, 56], 7, 7, log=np.array([False]))
    for f in ("mean", "lo80", "hi80", "lo95", "hi95"):
        assert getattr(logged, f) == pytest.approx(np.exp(getattr(plain, f)), rel=1e-9), f
    # two series, one on each scale, give each one's own result
    both = M._ets(
        np.vstack([y, y]), np.ones((2, len(t)), bool), [56], 7, 7, log=np.array([True, False])
    )
    alone = M._ets(y[None, :], obs, [56], 7, 7, log=np.array([False]))
    assert both.mean[0] == pytest.approx(logged.mean[0, 1:])
    assert both.hi95[1] == pytest.approx(alone.hi95[0])
    assert logged.seconds > 0


def test_ets_without_season_equals_statsmodels(monkeypatch):
    """m = 1: level and damped trend only (level starts at the first value, trend at 0)."""
    import warnings

    import pandas as pd
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    rng = np.random.default_rng(2)
    T, h = 60, 5
    y = 80 + 0.8 * np.arange(T) + rng.normal(0, 2, T)
    a, b, p = 0.4, 0.1, 0.9
    monkeypatch.setattr(
        M, "_ets_grid", lambda m: (np.array([a]), np.array([b]), np.array([0.0]), np.array([p]))
    )
    ours = M._ets(y[None, :], np.ones((1, T), bool), [T], h, 1, log=np.array([False]))
    mod = ETSModel(
        pd.Series(y[1:]),
        error="add",
        trend="add",
        damped_trend=True,
        initialization_method="known",
        initial_level=y[0],
        initial_trend=0.0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with mod.fix_params({"smoothing_level": a, "smoothing_trend": b, "damping_trend": p}):
            res = mod.fit(disp=False)
        ref = res.get_prediction(start=T - 1, end=T - 1 + h - 1).summary_frame(alpha=0.05)
    assert ours.mean[0, 0] == pytest.approx(ref["mean"].to_numpy(), rel=1e-9)
    assert ours.lo95[0, 0] == pytest.approx(ref["pi_lower"].to_numpy(), rel=1e-9)
    assert ours.hi95[0, 0] == pytest.approx(ref["pi_upper"].to_numpy(), rel=1e-9)


def test_ets_picks_the_grid_point_with_the_lowest_one_step_error(monkeypatch):
    """Two grid points: alpha 0.05 (slow) and 0.8 (fast) on a level that jumps: the fast one
    has the lower in-sample one-step error, so its forecast (the new level) is used."""
    monkeypatch.setattr(
        M,
        "_ets_grid",
        lambda m: (np.array([0.05, 0.8]), np.zeros(2), np.zeros(2), np.ones(2)),
    )
    y = np.r_[np.full(20, 10.0), np.full(20, 50.0)]
    p = M._ets(y[None, :], np.ones((1, 40), bool), [40], 2, 1, log=np.array([False]))
    # fast level after 20 steps at 50: 50 - 40 * 0.2^20 ~ 50; slow: 50 - 40 * 0.95^20 ~ 35.6
    assert p.mean[0, 0] == pytest.approx([50, 50], abs=1e-6)


# ------------------------------------------------------------- engine: scores and auto choice


def _engine(**kw):
    from ecomdash.forecast.engine import _Engine

    base = dict(
        names=("seasonal_naive", "ets"),
        paths={},
        allowed=np.ones((1, 2), bool),
        origins=(0, 3, 6),
        n_warm=0,
        n_folds=2,
        m_cal=1,
        m_eff=1,
        seasonal=False,
        actual=np.zeros((1, 2, 3)),
        closed_wd_h=np.zeros((3, 3), bool),
        scale=np.ones((1, 2)),
        warnings=(),
    )
    return _Engine(**{**base, **kw})


def test_scores_by_hand():
    from ecomdash.forecast.engine import _scores

    actual = np.array([[[10.0, 0, 20], [1, 1, 1]]])
    closed = np.zeros((3, 3), bool)
    closed[0, 1] = True  # a structurally closed day in fold 1: not in the coverage
    eng = _engine(actual=actual, scale=np.array([[2.0, 0.5]]), closed_wd_h=closed)
    mean = np.array([[12.0, 1, 15], [2, 2, 2]])
    lo80, hi80 = np.array([[9.0, 0, 16], [0, 0, 0]]), np.array([[11.0, 2, 18], [3, 3, 0.5]])
    lo95, hi95 = np.array([[5.0, 0, 10], [0, 0, 0]]), np.array([[15.0, 2, 25], [3, 3, 3]])
    got = _scores(eng, 0, mean, (lo80, hi80, lo95, hi95), slice(0, 2))
    # fold 1: errors 2, 1, -5 -> MAE 8/3, scale 2 -> 4/3; fold 2: errors 1, 1, 1 -> MAE 1,
    # scale 0.5 -> 2. MASE = mean of the ratios (4/3 + 2) / 2; MAE (8/3 + 1) / 2
    assert got["mae"] == pytest.approx(11 / 6)
    assert got["mase"] == pytest.approx(5 / 3)
    # MAPE over non-zero actuals: 2/10, 5/20, 1/1 x 3 -> mean 0.69 -> 69 %
    assert got["mape"] == pytest.approx((0.2 + 0.25 + 3) / 5 * 100)
    assert got["bias"] == pytest.approx((2 + 1 - 5 + 3) / 6)
    # 80 %: fold 1 has 10 in, 20 out (the closed day left out); fold 2: 1 in, 1 in, 1 out
    # (hi 0.5) -> 3 of 5; 95 %: all 5 in
    assert got["coverage80"] == pytest.approx(3 / 5)
    assert got["coverage95"] == pytest.approx(1.0)
    # only the second fold
    two = _scores(eng, 0, mean[1:], (lo80[1:], hi80[1:], lo95[1:], hi95[1:]), slice(1, 2))
    assert two["mase"] == pytest.approx(2.0) and two["coverage80"] == pytest.approx(2 / 3)
    # no scale (flat history) -> no MASE; no non-zero actual -> no MAPE; no bands -> no
    # coverage; everything closed -> no coverage
    flat = _engine(actual=np.zeros((1, 2, 3)), scale=np.zeros((1, 2)), closed_wd_h=closed | True)
    got = _scores(flat, 0, mean, (lo80, hi80, lo95, hi95), slice(0, 2))
    assert np.isnan(got["mase"]) and np.isnan(got["mape"])
    assert np.isnan(got["coverage80"]) and np.isnan(got["coverage95"])
    assert "coverage80" not in _scores(eng, 0, mean, None, slice(0, 2))
    # actuals exactly on a bound count as covered; one below lo95 and one above hi95 do not
    act = np.array([[[1.0, 3, 0.5], [9, 2, 2]]])
    edge = _engine(actual=act, scale=np.ones((1, 2)))
    mean = np.full((2, 3), 2.0)
    lo80, hi80 = np.array([[1.0, 1, 1], [1, 1, 1]]), np.array([[3.0, 3, 3], [3, 3, 3]])
    lo95, hi95 = np.array([[1.0, 0, 0], [0, 0, 0]]), np.array([[4.0, 3, 4], [4, 4, 4]])
    got = _scores(edge, 0, mean, (lo80, hi80, lo95, hi95), slice(0, 2))
    # 80 %: 1 (= lo), 3 (= hi), 2, 2 in; 0.5 and 9 out -> 4 / 6
    assert got["coverage80"] == pytest.approx(4 / 6)
    # 95 %: 1 (= lo), 3 (= hi), 0.5, 2, 2 in; 9 above -> 5 / 6
    assert got["coverage95"] == pytest.approx(5 / 6)
    below = _engine(actual=-act, scale=np.ones((1, 2)))
    assert _scores(below, 0, mean, (lo80, hi80, lo95, hi95), slice(0, 2))["coverage95"] == 0.0


def test_auto_choice_uses_earlier_origins_only_and_skips_models_not_allowed():
    from ecomdash.forecast.engine import _auto_choice, _fold_mae, _Paths

    names = ("seasonal_naive", "ets", "croston")
    allowed = np.array([[True, True, False]])
    # fold MAE per model at origins 0 (warm-up), 1, 2
    fm = np.array([[[5.0, 1, 1], [1, 9, 9], [0, 0, 0]]])
    eng = _engine(names=names, allowed=allowed, n_warm=1, n_folds=2)
    choices, final = _auto_choice(eng, fm)
    # fold 1 sees origin 0 only: ets (1 < 5); fold 2 sees origins 0-1: naive (3 < 5);
    # final, all origins: naive 7/3 < ets 19/3; croston (0) is never allowed
    assert choices.tolist() == [[1, 0]] and final.tolist() == [0]
    # no earlier origin at all (no warm-up): the preferred model, ETS over the baseline
    cold = _engine(names=names, allowed=allowed, n_warm=0, n_folds=1)
    assert _auto_choice(cold, fm[:, :, 1:2])[0].tolist() == [[1]]
    # equal errors: the preference order breaks the tie (ETS before seasonal naive)
    tie = np.ones((1, 3, 3))
    assert _auto_choice(eng, tie)[1].tolist() == [1]
    assert _auto_choice(eng, tie)[0].tolist() == [[1, 1]]  # the scored folds too
    assert choices.dtype.kind == "i"  # used as indices into the names
    # two series choose apart: the second has the baseline ahead at the warm-up origin
    two = np.concatenate([fm, np.array([[[1.0, 9, 9], [5, 1, 1], [0, 0, 0]]])])
    e3 = _engine(names=names, allowed=np.array([[True, True, False]] * 2), n_warm=1, n_folds=2)
    c3, f3 = _auto_choice(e3, two)
    assert c3.tolist() == [[1, 0], [0, 1]] and f3.tolist() == [0, 1]
    # _fold_mae: mean absolute error of each model's mean at each scored origin
    actual = np.array([[[1.0, 2], [3, 4]]])
    mk = lambda v: _Paths(*(np.array(v, float) for _ in range(5)))  # noqa: E731
    paths = {"a": mk([[[1, 4], [3, 3], [0, 0]]]), "b": mk([[[0, 0], [0, 0], [9, 9]]])}
    e2 = _engine(names=("a", "b"), paths=paths, actual=actual)
    # a: |0|, |2| -> 1; |0|, |-1| -> 0.5. b: 1, 2 -> 1.5; 3, 4 -> 3.5 (last origin left out)
    assert _fold_mae(e2).tolist() == [[[1.0, 0.5], [1.5, 3.5]]]


def test_sarimax_is_the_airline_model_fitted_before_the_first_origin():
    """Against statsmodels' SARIMAX(0,1,1)(0,1,1,7) fitted directly: parameters estimated on
    the data before the first origin, the later origin re-filtered with them; on the log
    scale the forecast is the exp of the model on logs; unobserved values are missing. Both
    start from the approximate diffuse state (the exact one is 10-20x slower; it moves the
    interval widths by ~7 % on this series)."""
    import warnings

    from statsmodels.tsa.statespace.sarimax import SARIMAX

    rng = np.random.default_rng(4)
    T, m, h = 7 * 12, 7, 7
    t = np.arange(T)
    x = 100 + 0.5 * t + 15 * np.sin(2 * np.pi * t / m) + rng.normal(0, 3, T)
    obs = np.ones(T, bool)
    obs[40] = False  # a closure: missing to the model, whatever its value
    x_gap = x.copy()
    x_gap[40] = 1e6

    def airline(z, n, horizon, params=None, order=(0, 1, 1), sorder=(0, 1, 1, m), start=None):
        mod = SARIMAX(
            z[:n],
            order=order,
            seasonal_order=sorder,
            concentrate_scale=True,
            initialization="approximate_diffuse",
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if params is not None:
                res = mod.filter(params)
            else:
                res = mod.fit(disp=False, start_params=start)
        fc = res.get_forecast(horizon)
        return res, fc.predicted_mean, np.sqrt(fc.var_pred_mean)

    z = np.where(obs, x, np.nan)
    first, mean1, sd1 = airline(z, T - 14, h)
    _, mean2, sd2 = airline(z, T - 7, h, params=first.params)
    ours = M._sarimax(x_gap, obs, [T - 14, T - 7], h, m, exog=None, log=False)
    assert ours.mean[0, 0] == pytest.approx(mean1, rel=1e-3)
    assert ours.mean[0, 1] == pytest.approx(mean2, rel=1e-3)
    assert ours.hi95[0, 0] - ours.mean[0, 0] == pytest.approx(Z95 * sd1, rel=1e-2)
    assert ours.lo80[0, 1] == pytest.approx(mean2 - Z80 * sd2, rel=1e-2)
    # the last origin is the final forecast: parameters estimated again on all the data,
    # searched from the first estimate
    early, _, _ = airline(z, T - 14, h)
    _, mean_all, _ = airline(z, T, h, start=early.params)
    final = M._sarimax(x, obs, [T - 14, T], h, m, exog=None, log=False)
    assert final.mean[0, 1] == pytest.approx(mean_all, rel=1e-3)
    # log scale: exp of the airline model on log values
    _, lmean, _ = airline(np.log(np.where(obs, x, np.nan)), T - 14, h)
    logged = M._sarimax(x, obs, [T - 14], h, m, exog=None, log=True)
    assert logged.mean[0, 0] == pytest.approx(np.exp(lmean), rel=1e-3)
    # no season (m = 1): ARIMA(1,1,1)
    _, amean, _ = airline(z, T - 14, h, order=(1, 1, 1), sorder=(0, 0, 0, 0))
    plain = M._sarimax(x, obs, [T - 14], h, 1, exog=None, log=False)
    assert plain.mean[0, 0] == pytest.approx(amean, rel=1e-3)
    assert ours.seconds > 0


def test_sarimax_equals_the_fit_with_its_smoother_to_the_bit():
    """The parameters come from ``fit(return_params=True)`` and the forecasts from one
    ``filter`` (the smoother that ``fit`` runs otherwise is not needed): every origin's mean
    and bands are those of the former route — ``fit`` returning its smoothed results, the
    later origins re-filtered with the first estimate, the last refitted from it — to the bit,
    with a regressor, a closure and the log scale (the whole-shop forecast's case)."""
    import warnings

    from statsmodels.tsa.statespace.sarimax import SARIMAX

    rng = np.random.default_rng(11)
    T, m, h = 7 * 14, 7, 7
    t = np.arange(T + h)
    hol = (t % 17 == 5).astype(float)[:, None]
    x = 300 + 1.5 * t[:T] + 40 * np.sin(2 * np.pi * t[:T] / m) + 60 * hol[:T, 0]
    x = x + rng.normal(0, 8, T)
    obs = np.ones(T, bool)
    obs[50] = False
    origins = [T - 21, T - 14, T - 7, T]
    ours = M._sarimax(x, obs, origins, h, m, exog=hol, log=True)
    z = np.where(obs, np.log(x), np.nan)
    first = None
    for k, o in enumerate(origins):
        mod = SARIMAX(
            z[:o],
            exog=hol[:o],
            order=(0, 1, 1),
            seasonal_order=(0, 1, 1, m),
            concentrate_scale=True,
            initialization="approximate_diffuse",
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if first is None or k == len(origins) - 1:
                start = first.params if first is not None else None
                res = mod.fit(disp=False, maxiter=50, start_params=start, cov_type="none")
                first = res if first is None else first
            else:
                res = mod.filter(first.params, cov_type="none")
        fc = res.get_forecast(h, exog=hol[o : o + h])
        mean, sd = fc.predicted_mean, np.sqrt(np.maximum(fc.var_pred_mean, 0.0))
        assert ours.mean[0, k].tolist() == np.exp(mean).tolist()
        assert ours.hi95[0, k].tolist() == np.exp(mean + Z95 * sd).tolist()
        assert ours.lo80[0, k].tolist() == np.exp(mean - Z80 * sd).tolist()


def test_sarimax_with_a_regressor_learns_its_effect():
    """A promotion every 10th day adds 40: the regressor's coefficient is about 40 and the
    forecast on a future promotion day is about 40 above the same weekday without one."""
    rng = np.random.default_rng(6)
    T, m, h = 7 * 12, 7, 14
    t = np.arange(T + h)
    promo = (t % 10 == 3).astype(float)
    y = 200 + 20 * np.sin(2 * np.pi * t / m) + 40 * promo + rng.normal(0, 2, T + h)
    p = M._sarimax(y[:T], np.ones(T, bool), [T], h, m, exog=promo[:, None], log=False)
    fut = np.flatnonzero(promo[T:])
    assert len(fut) >= 1
    d = fut[0]
    same_day_no_promo = d + 7 if d + 7 < h and not promo[T + d + 7] else d - 7
    lift = p.mean[0, 0, d] - p.mean[0, 0, same_day_no_promo]
    assert lift == pytest.approx(40, abs=8)


def test_intermittency_measures_and_edges_by_hand():
    Y = np.array(
        [
            [1.0, 3] * 12 + [0] * 9,  # 24 of 33 non-zero: ADI 1.375; sizes 1, 3: CV² (1/2)² = 0.25
            [1.0] * 25 + [0] * 8,  # ADI 33 / 25 = 1.32 exactly: not above the cut -> smooth
            [1.0, 9] * 12 + [1] + [0] * 8,  # 25 non-zero: ADI 1.32; CV² ~0.64 -> erratic
            [-5.0, 4, 0, 4] + [0] * 29,  # a negative is no demand: 2 of 33 non-zero, sizes 4, 4
            [0.0] * 33,
        ]
    )
    out = M.intermittency(Y)
    assert list(out.columns) == ["adi", "cv2", "class"] and len(out) == 5
    assert out["class"].tolist() == [
        "intermittent",
        "smooth",
        "erratic",
        "intermittent",
        "no demand",
    ]
    assert out["adi"].tolist()[:4] == pytest.approx([33 / 24, 1.32, 1.32, 33 / 2])
    assert np.isinf(out["adi"].iloc[4]) and np.isnan(out["cv2"].iloc[4])
    # sparse and uneven: ADI 3, sizes 1 and 9 -> CV² (4/5)² = 0.64 -> lumpy
    lumpy = M.intermittency(np.array([[0.0, 0, 1, 0, 0, 9]]))
    assert lumpy["class"].tolist() == ["lumpy"]
    # population variance (ddof 0): sizes 1, 3 -> sd 1, mean 2
    assert out["cv2"].iloc[0] == pytest.approx(0.25)
    assert out["cv2"].iloc[1] == pytest.approx(0.0) and out["cv2"].iloc[3] == pytest.approx(0.0)
    # 12 ones, 12 nines and one 1: mean 121 / 25 = 4.84, mean of squares (13 + 972) / 25
    mu = 121 / 25
    assert out["cv2"].iloc[2] == pytest.approx(((13 + 12 * 81) / 25 - mu**2) / mu**2)
