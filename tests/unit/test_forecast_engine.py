"""The rolling-origin engine (``ecomdash/forecast/engine.py``) by hand: where the origins
fall (folds and warm-up), the MASE scales and actuals at each origin, model-space paths
mapped onto the trading calendar (closed weekdays, closures, the future), the interval
guards, the combination's weights, what each model is given. Models are stubbed where the
engine's own arithmetic is the point (written to kill mutants, issue #21)."""

from __future__ import annotations

import numpy as np
import pytest

from ecomdash.errors import InsufficientDataError
from ecomdash.forecast import engine as E
from ecomdash.forecast.base import Z80, Z95
from ecomdash.forecast.models import _Paths

# d[t] = |Y[t] - Y[t - 2]| for t = 2..12: 1, 2, 2, 1, 1, 3, 2, 1, 1, 2, 1
Y13 = np.array([1.0, 5, 2, 7, 4, 6, 3, 9, 5, 8, 6, 10, 7])


def _run(Y, *, closed_wd=None, closed=None, fut_closed=None, fut_cwd=None, **kw):
    Y = np.atleast_2d(np.asarray(Y, dtype=float))
    n_t = Y.shape[1]
    h = kw.get("horizon", 2)
    args = dict(m_cal=2, m_model=2, horizon=h, folds=2, models=("seasonal_naive",))
    args.update(kw)
    return E._run_engine(
        Y,
        np.zeros(n_t, bool) if closed_wd is None else np.asarray(closed_wd, bool),
        np.zeros(n_t, bool) if closed is None else np.asarray(closed, bool),
        future_closed=np.zeros(h, bool) if fut_closed is None else np.asarray(fut_closed, bool),
        future_cwd=np.zeros(h, bool) if fut_cwd is None else np.asarray(fut_cwd, bool),
        intermittent=kw.pop("intermittent", np.zeros(Y.shape[0], bool)),
        **{k: v for k, v in args.items() if k != "intermittent"},
    )


def test_seasonal_origins_scales_and_actuals_by_hand():
    eng = _run(Y13)
    # first fold at 13 - 2 × 2 = 9; warm-up origins every 2 periods before it while at least
    # 2m + 1 = 5 periods precede them: 7 and 5 (3 is too early); then 9, 11 and the final 13
    assert eng.origins == (5, 7, 9, 11, 13)
    assert (eng.n_warm, eng.n_folds, eng.seasonal, eng.m_eff, eng.m_cal) == (2, 2, True, 2, 2)
    assert eng.names == ("seasonal_naive",) and eng.warnings == ()
    assert eng.actual.tolist() == [[[6, 3], [9, 5], [8, 6], [10, 7]]]
    # in-sample seasonal-naive MAE (lag 2) before each origin: mean of d[2..o-1]
    np.testing.assert_allclose(eng.scale, [[5 / 3, 7 / 5, 12 / 7, 14 / 9]], rtol=1e-12)
    p = eng.paths["seasonal_naive"]
    # the last cycle repeated: [Y[o - 2], Y[o - 1]]
    assert p.mean.tolist() == [[[7, 4], [6, 3], [9, 5], [8, 6], [10, 7]]]
    # band at origin 5: sd = sqrt((1 + 4 + 4) / 3) = sqrt(3) for both steps (one cycle ahead)
    sd = np.sqrt(3.0)
    np.testing.assert_allclose(p.lo80[0, 0], [7 - Z80 * sd, 4 - Z80 * sd], rtol=1e-12)
    np.testing.assert_allclose(p.hi95[0, 0], [7 + Z95 * sd, 4 + Z95 * sd], rtol=1e-12)
    np.testing.assert_allclose(p.lo95[0, 0], [7 - Z95 * sd, 4 - Z95 * sd], rtol=1e-12)
    np.testing.assert_allclose(p.hi80[0, 0], [7 + Z80 * sd, 4 + Z80 * sd], rtol=1e-12)
    assert eng.closed_wd_h.shape == (5, 2) and not eng.closed_wd_h.any()
    assert eng.allowed.tolist() == [[True]] and eng.allowed.dtype == bool
    assert eng.actual.dtype == np.float64


def test_too_little_history_for_seasons_falls_back_to_lag_one():
    eng = _run(Y13, m_cal=4, m_model=4, folds=3)
    # first fold at 7 < 2 × 4: non-seasonal; warm-up needs 3 periods: origins 3 and 5
    assert eng.origins == (3, 5, 7, 9, 11, 13)
    assert (eng.n_warm, eng.seasonal, eng.m_eff) == (2, False, 1)
    assert eng.warnings == (
        "Too little history for seasonal models: 7 periods before the backtest, fewer than "
        "two seasonal cycles (8). Simpler non-seasonal models were used instead (the "
        "baseline repeats the last value).",
    )
    # |Y[t] - Y[t-1]|: 4, 3, 5, 3, 2, 3, 6, 4, 3, 2
    np.testing.assert_allclose(eng.scale, [[7 / 2, 15 / 4, 20 / 6, 30 / 8, 35 / 10]], rtol=1e-12)
    assert eng.paths["seasonal_naive"].mean[0, :, 0].tolist() == [2, 4, 3, 5, 6, 7]
    # non-seasonal by choice (m = 1): no warning
    plain = _run(Y13, m_cal=1, m_model=1, folds=3)
    assert plain.warnings == () and plain.seasonal is False and plain.m_eff == 1


def test_one_warm_up_origin_when_only_the_nearest_has_enough_history():
    eng = _run(Y13, folds=3)
    # first fold at 7; 5 has 5 periods before it (2m + 1), 3 has too few
    assert eng.origins == (5, 7, 9, 11, 13) and eng.n_warm == 1 and eng.n_folds == 3
    three = _run(np.concatenate([Y13, Y13]), folds=5)
    # first fold at 16: warm-up origins 8, 10, 12 and 14 (four at most)
    assert three.n_warm == 4 and three.origins[:5] == (8, 10, 12, 14, 16)


def test_a_closure_inside_a_backtest_span_is_forecast_as_zero():
    closed = np.arange(13) == 9  # a closure on the first scored fold's first day
    eng = _run(Y13, closed=closed)
    p = eng.paths["seasonal_naive"]
    # origin 9: [Y[7], Y[8]] = [9, 5], the closure set to 0 (bands too)
    assert p.mean[0, 2].tolist() == [0, 5] and p.hi95[0, 2, 0] == 0.0
    assert p.mean[0, 1].tolist() == [6, 3]  # origin 7: untouched


def test_two_cycles_exactly_are_enough_for_seasons_and_four_periods_for_a_backtest():
    eng = _run(Y13[:12], folds=4)
    # first fold at 12 - 8 = 4: 4 periods (the least), = 2 × 2 (seasonal), no warm-up
    assert eng.origins == (4, 6, 8, 10, 12) and eng.seasonal and eng.n_warm == 0


@pytest.mark.parametrize(("folds", "horizon"), [(5, 2), (7, 2), (1, 10)])
def test_too_short_for_the_backtest_says_what_to_do(folds, horizon):
    with pytest.raises(InsufficientDataError) as e:
        _run(Y13, folds=folds, horizon=horizon)
    assert str(e.value) == (
        f"A backtest of {folds} folds × {horizon} periods needs more history: the series has "
        "13 periods. Use fewer folds, a shorter horizon, or a coarser grain."
    )


def _stub(value, seen=None, name="m", seconds=0.0, bands=None):
    """A model returning ``value + series index`` at every step (bands ±1, ±2 unless given)."""

    def fit(X, obs, origins, h, m, **kw):
        if seen is not None:
            seen[name] = {"X": X.copy(), "obs": obs.copy(), "origins": list(origins), "h": h}
            seen[name].update({"m": m, **kw})
        n_s = X.shape[0]
        mean = np.zeros((n_s, len(origins), h)) + value + np.arange(n_s)[:, None, None]
        if bands is not None:
            return _Paths(*bands(mean), seconds=seconds)
        return _Paths(mean, mean - 1, mean + 1, mean - 2, mean + 2, seconds=seconds)

    return fit


def test_paths_on_the_trading_calendar_with_closed_days_and_closures(monkeypatch):
    """Closed every third period from 1 (1, 4, 7, 10; the future's 13 too), a closure at 3
    (missing, imputed from one cycle before) and one in the future at 14."""
    seen: dict = {}

    def stepped(X, obs, origins, h, m, **kw):
        seen["naive"] = {"X": X.copy(), "obs": obs.copy(), "origins": list(origins), "h": h}
        seen["naive"]["m"] = m
        # model step j at origin k: 10 (k + 1) + j + 1
        mean = np.array([[[10.0 * (k + 1) + j + 1 for j in range(h)] for k in range(len(origins))]])
        lo80, hi80 = mean - 1, mean + 1
        lo95, hi95 = mean - 2, mean + 2
        lo95[0, 0, 0] = -30.0  # below zero: floored
        lo80[0, 1, 0] = 99.0  # above the mean: brought down to it
        hi95[0, 1, 0] = 0.0  # below hi80: raised to it
        return _Paths(mean, lo80, hi80, lo95, hi95, seconds=0.5)

    monkeypatch.setattr(E, "_seasonal_naive", stepped)
    Y = [4.0, 0, 6, 0, 0, 7, 6, 0, 8, 7, 0, 9]
    cwd = [i % 3 == 1 for i in range(12)]
    closed = [i == 3 for i in range(12)]
    eng = _run(
        Y, closed_wd=cwd, closed=closed, m_cal=3, horizon=3, fut_cwd=[0, 1, 0], fut_closed=[0, 0, 1]
    )
    # 4 trading periods before 6 (0, 2, 3, 5): enough, seasonal (2 × 2); no warm-up
    assert eng.origins == (6, 9, 12) and eng.seasonal and eng.n_warm == 0
    got = seen["naive"]
    assert got["origins"] == [4, 6, 8] and got["h"] == 3 and got["m"] == 2
    # trading periods only, the closure imputed from one cycle before (4)
    assert got["X"].tolist() == [[4, 6, 4, 7, 6, 8, 7, 9]]
    assert got["obs"].tolist() == [[True, True, False, True, True, True, True, True]]
    p = eng.paths["seasonal_naive"]
    # a span o, o+1 (closed), o+2 takes model steps 1 and 2; the future closure is 0 too
    assert p.mean.tolist() == [[[11, 0, 12], [21, 0, 22], [31, 0, 0]]]
    assert p.lo95[0, 0].tolist() == [0, 0, 10]  # -30 floored at 0
    assert p.lo80[0, 1].tolist() == [21, 0, 21]  # 99 brought down to the mean
    assert p.hi95[0, 1].tolist() == [22, 0, 24]  # raised to hi80 (22)
    assert p.hi80[0, 2].tolist() == [32, 0, 0] and p.seconds == 0.5
    assert eng.actual.tolist() == [[[6, 0, 8], [7, 0, 9]]]
    # calendar scale with the calendar season (3): |Y[t] - Y[t - 3]| before 6: 4, 0, 1;
    # before 9: 4, 0, 1, 6, 0, 1
    np.testing.assert_allclose(eng.scale, [[5 / 3, 2.0]], rtol=1e-12)
    assert eng.closed_wd_h.tolist() == [[False, True, False]] * 3


def test_combination_weights_the_allowed_members_equally(monkeypatch):
    seen: dict = {}
    monkeypatch.setattr(E, "_seasonal_naive", _stub(1.0, seen, "naive", 0.25))
    monkeypatch.setattr(E, "_seasonal_mean", _stub(10.0, seen, "mean", 1.0))
    monkeypatch.setattr(E, "_ets", _stub(20.0, seen, "ets", 2.0))
    monkeypatch.setattr(E, "_croston", _stub(40.0, seen, "croston", 4.0))
    Y = np.vstack([Y13, 2 * Y13])
    every = ("seasonal_naive", "seasonal_mean", "ets", "croston", "sarimax", "combo")
    eng = _run(Y, models=every, intermittent=np.array([True, False]))
    # SARIMAX runs on one series only
    assert eng.names == ("seasonal_naive", "seasonal_mean", "ets", "croston", "combo")
    # Croston only for intermittent series, ETS only for the others; the combination
    # whenever two members are allowed
    assert eng.allowed.tolist() == [
        [True, True, False, True, True],
        [True, True, True, False, True],
    ]
    c = eng.paths["combo"]
    # the MASE scale per series: twice the series, twice the scale
    np.testing.assert_allclose(
        eng.scale, [[5 / 3, 7 / 5, 12 / 7, 14 / 9], [10 / 3, 14 / 5, 24 / 7, 28 / 9]]
    )
    # series 0: (seasonal mean 10 + Croston 40) / 2; series 1: (11 + ETS 21) / 2
    assert c.mean[:, :, 0].tolist() == [[25.0] * 5, [16.0] * 5]
    assert c.lo80[0, 0].tolist() == [24, 24] and c.hi95[1, 0].tolist() == [18, 18]
    assert c.lo95[0, 0].tolist() == [23, 23] and c.hi80[1, 0].tolist() == [17, 17]
    assert c.seconds == 7.0  # the members' (not the baseline's)
    for name in ("naive", "mean", "ets", "croston"):
        assert seen[name]["origins"] == [5, 7, 9, 11, 13] and seen[name]["m"] == 2
        assert seen[name]["h"] == 2
    assert seen["ets"]["log"].tolist() == [True, True]


def test_combination_needs_two_members(monkeypatch):
    monkeypatch.setattr(E, "_seasonal_naive", _stub(1.0))
    monkeypatch.setattr(E, "_ets", _stub(20.0))
    monkeypatch.setattr(E, "_croston", _stub(40.0))
    Y = np.vstack([Y13, Y13])
    eng = _run(
        Y,
        models=("seasonal_naive", "ets", "croston", "combo"),
        intermittent=np.array([True, False]),
    )
    # one member allowed per series: the combination is that member, and not allowed
    assert eng.allowed[:, -1].tolist() == [False, False]
    assert eng.paths["combo"].mean[:, 0, 0].tolist() == [40.0, 21.0]
    # a single member: no combination; Croston is not run when no series is intermittent
    one = _run(Y, models=("seasonal_naive", "ets", "croston", "combo"))
    assert one.names == ("seasonal_naive", "ets")
    assert _run(Y, models=("ets",)).names == ("seasonal_naive", "ets")


def test_log_scale_only_for_series_positive_on_every_observed_period(monkeypatch):
    seen: dict = {}
    monkeypatch.setattr(E, "_ets", _stub(20.0, seen, "ets"))
    Y = np.vstack([Y13, Y13, Y13])
    Y[1, 4] = 0.0  # a zero on a closure (not observed): still positive where observed
    Y[2, 6] = 0.0  # a zero sale: no logs
    closed = np.arange(13) == 4
    _run(Y, closed=closed, models=("seasonal_naive", "ets"))
    assert seen["ets"]["log"].tolist() == [True, True, False]
    _run(Y, closed=closed, models=("seasonal_naive", "ets"), log_ok=False)
    assert seen["ets"]["log"].tolist() == [False, False, False]


def test_sarimax_gets_the_regressors_seen_in_the_past_on_trading_periods(monkeypatch):
    seen: dict = {}
    monkeypatch.setattr(E, "_sarimax", _stub_sarimax(seen))
    cwd = np.arange(13) % 5 == 4  # closed 4 and 9; the future's second period too
    closed = np.arange(13) == 2
    ex = np.zeros((4, 15))
    ex[0, [1, 7, 13]] = 1.0  # seen at 1 and 7: kept
    ex[1, 14] = 2.0  # only in the future: dropped
    ex[2, 2] = 3.0  # only on the closure (not observed): dropped
    ex[3, [4, 5]] = [5.0, 1.0]  # 4 is a closed weekday; seen once (1.0) at 5: kept
    Y = Y13.copy()
    Y[[4, 9]] = 0.0
    eng = _run(
        Y,
        closed_wd=cwd,
        closed=closed,
        fut_cwd=[0, 1],
        models=("seasonal_naive", "sarimax"),
        exog=ex,
    )
    assert eng.names == ("seasonal_naive", "sarimax")
    got = seen["sarimax"]
    keep = [0, 1, 2, 3, 5, 6, 7, 8, 10, 11, 12, 13]  # 11 trading periods and 1 future one
    want = np.vstack([ex[0, keep], ex[3, keep]]).T
    want = np.vstack([want, np.zeros((1, 2))])  # padded to 11 + 2 steps
    assert got["exog"].tolist() == want.tolist()
    assert got["log"] is True and got["m"] == 2 and got["h"] == 2
    assert got["x"].shape == (11,) and got["obs"].tolist() == [i != 2 for i in range(11)]
    # no regressor ever seen: none given
    _run(Y13, models=("seasonal_naive", "sarimax"), exog=np.zeros((1, 15)))
    assert seen["sarimax"]["exog"] is None
    _run(Y13 - 1, models=("seasonal_naive", "sarimax"))  # a zero sale: no logs
    assert seen["sarimax"]["exog"] is None and seen["sarimax"]["log"] is False


def _stub_sarimax(seen):
    def fit(x, obs, origins, h, m, *, exog=None, log=False):
        seen["sarimax"] = {"x": x.copy(), "obs": obs.copy(), "exog": exog, "log": log}
        seen["sarimax"].update({"h": h, "m": m})
        mean = np.zeros((1, len(origins), h)) + 3.0
        return _Paths(mean, mean, mean, mean, mean)

    return fit


def test_sarimax_failing_is_left_out_with_a_warning(monkeypatch):
    def broken(*a, **k):
        raise np.linalg.LinAlgError("singular matrix")

    monkeypatch.setattr(E, "_sarimax", broken)
    eng = _run(Y13, models=("seasonal_naive", "sarimax"))
    assert eng.names == ("seasonal_naive",)
    assert eng.warnings == ("SARIMAX could not be fitted (singular matrix); it was left out.",)
