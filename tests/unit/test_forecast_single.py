"""One series' forecast (``ecomdash/forecast/single.py``) by hand: the backtest table, the long
table of folds, ``auto``'s per-fold choice, the final model and its verdict, the fold and
parameter checks, and what the series hands the engine (written to kill mutants, issue #21).

The shops are short daily series with no closed weekday: fewer than two weekly cycles precede
the backtest, so the engine falls back to lag one, where the two baselines are written out in
a line: seasonal naive repeats the last value, seasonal mean averages the last three. Every
figure below was worked out from those rules (not read from the output)."""

from __future__ import annotations

import dataclasses
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest

import ecomdash.forecast_calendar as FC
from ecomdash.errors import InsufficientDataError, ParameterError
from ecomdash.forecast import single as S
from ecomdash.forecast.series import series_from_values

TWO = ("seasonal_naive", "seasonal_mean")
Z80, Z95 = NormalDist().inv_cdf(0.90), NormalDist().inv_cdf(0.975)
FLAT_NOTE = (
    "Too little history for seasonal models: 10 periods before the backtest, fewer than two "
    "seasonal cycles (14). Simpler non-seasonal models were used instead (the baseline repeats "
    "the last value)."
)
# 14 days; horizon 2, 2 folds: first fold at 14 - 4 = 10, warm-up origins 4, 6, 8 (at least
# 3 periods before each), scored origins 10 and 12, the final forecast from 14.
Y1 = [6, 6, 16, 4, 3, 2, 13, 9, 18, 4, 17, 19, 2, 12]
# fold MAE at origins 4, 6, 8, 10, 12 (h = 2):
#   naive (Y[o-1]):            4 → |4-3|,|4-2| = 1.5;  2 → 11, 7 = 9;  9 → 9, 5 = 7;
#                              4 → 13, 15 = 14;        19 → 17, 7 = 12
#   mean (Y[o-1..o-3] / 3):    26/3 → 6.1667;  9/3 = 3 → 10, 6 = 8;  18/3 = 6 → 12, 2 = 7;
#                              31/3 → 6.6667, 8.6667 = 7.6667;  40/3 → 11.3333, 1.3333 = 6.3333
# auto, fold 1 (origins 4-8): naive 17.5 / 3 < mean 21.1667 / 3 → naive;
#       fold 2 (origins 4-10): naive 31.5 / 4 > mean 28.8333 / 4 → mean;
#       final (all five): naive 43.5 / 5 > mean 35.1667 / 5 → mean.
# MASE scales (mean |Y[t] - Y[t-1]| before the origin): 62 / 9 at 10, 49 / 7 = 7 at 12.


def _days(values, *, start="2026-03-02", future=3, closed_weekdays=()):
    idx = pd.date_range(start, periods=len(values), freq="D")
    return series_from_values(
        idx, values, freq="D", future_periods=future, closed_weekdays=closed_weekdays
    )


def test_backtest_rows_auto_choice_and_verdict_by_hand():
    r = S.forecast(_days(Y1), horizon=2, folds=2, models=TWO)
    bt = r.backtest.set_index("model")
    assert list(bt.index) == ["seasonal_naive", "seasonal_mean", "auto"]
    assert list(r.backtest.columns) == [
        "model",
        "label",
        "mae",
        "mase",
        "mape",
        "bias",
        "coverage80",
        "coverage95",
        "seconds",
        "allowed",
        "vs_baseline",
    ]
    assert bt["label"].tolist() == [
        "Seasonal naive (repeat the last cycle)",
        "Seasonal mean (average of the last 3 cycles)",
        "Automatic choice",
    ]
    # scored folds only (origins 10 and 12)
    np.testing.assert_allclose(bt["mae"], [(14 + 12) / 2, (23 / 3 + 19 / 3) / 2, (14 + 19 / 3) / 2])
    np.testing.assert_allclose(
        bt["mase"],
        [(14 / (62 / 9) + 12 / 7) / 2, (23 / 3 / (62 / 9) + 19 / 3 / 7) / 2,
         (14 / (62 / 9) + 19 / 3 / 7) / 2],
    )  # fmt: skip
    # absolute percentage errors: naive 13/17, 15/19, 17/2, 7/12; mean 20/3 / 17, 26/3 / 19,
    # 34/3 / 2, 4/3 / 12; auto = naive's first fold, mean's second
    ape_n = [13 / 17, 15 / 19, 17 / 2, 7 / 12]
    ape_m = [20 / 3 / 17, 26 / 3 / 19, 34 / 3 / 2, 4 / 3 / 12]
    np.testing.assert_allclose(
        bt["mape"],
        [np.mean(ape_n) * 100, np.mean(ape_m) * 100, np.mean(ape_n[:2] + ape_m[2:]) * 100],
    )
    # signed errors: naive -13, -15, +17, +7; mean -20/3, -26/3, +34/3, +4/3
    np.testing.assert_allclose(bt["bias"], [-4 / 4, -8 / 3 / 4, (-28 + 38 / 3) / 4])
    # 80 % bands: naive sd at 10 = sqrt(sum of squared lag-1 steps / 9) = sqrt(660 / 9), × sqrt(2)
    # on step 2: 17 is outside [0, 4 + 1.28 × 8.56], 19 inside [0, 4 + 1.28 × 12.11], ...
    assert bt["coverage80"].tolist() == [0.5, 0.75, 0.5]
    assert bt["coverage95"].tolist() == [1.0, 1.0, 1.0]
    assert bt["allowed"].tolist() == [True, True, True]
    np.testing.assert_allclose(bt["vs_baseline"], [1.0, 7 / 13, (14 + 19 / 3) / 2 / 13])
    # auto's time is that of the models it chooses among
    assert (
        bt.loc["auto", "seconds"]
        == bt.loc["seasonal_naive", "seconds"] + bt.loc["seasonal_mean", "seconds"]
    )
    assert r.auto_choices == ("seasonal_naive", "seasonal_mean")
    assert r.model == "seasonal_mean"
    assert r.verdict == (
        "Seasonal mean is 46\u00a0% better than repeating the last value (naive) in the backtest."
    )
    assert r.warnings == (FLAT_NOTE,)
    assert (r.horizon, r.n_folds, r.seasonal) == (2, 2, False)
    assert r.params == {"horizon": 2, "folds": 2, "models": TWO, "warmup": 3, "calendar": ()}
    assert r.series.frame["value"].tolist() == Y1
    # the same shop in twentieths: every error scales, the ratios stay (naive's MAE 0.65 < 1)
    small = S.forecast(_days([v / 20 for v in Y1]), horizon=2, folds=2, models=TWO)
    np.testing.assert_allclose(small.backtest["vs_baseline"], [1.0, 7 / 13, (14 + 19 / 3) / 26])
    assert 0 <= r.seconds < 60


def test_folds_forecast_and_candidates_tables_by_hand():
    r = S.forecast(_days(Y1), horizon=2, folds=2, models=TWO)
    f = r.folds
    assert list(f.columns) == [
        "fold", "model", "chosen", "period", "actual", "mean", "lo80", "hi80", "lo95", "hi95",
    ]  # fmt: skip
    assert f["fold"].tolist() == [1] * 6 + [2] * 6
    assert (
        f["model"].tolist()
        == [*(["seasonal_naive"] * 2 + ["seasonal_mean"] * 2 + ["auto"] * 2)] * 2
    )
    assert f["chosen"].tolist() == (
        ["seasonal_naive"] * 2 + ["seasonal_mean"] * 2 + ["seasonal_naive"] * 2
        + ["seasonal_naive"] * 2 + ["seasonal_mean"] * 4
    )  # fmt: skip
    days = pd.Timestamp("2026-03-02") + pd.to_timedelta([10, 11, 10, 11, 10, 11], unit="D")
    assert f["period"].tolist() == [*days, *(days + pd.Timedelta(days=2))]
    assert f["actual"].tolist() == [17, 19] * 3 + [2, 12] * 3
    np.testing.assert_allclose(
        f["mean"], [4, 4, 31 / 3, 31 / 3, 4, 4, 19, 19, 40 / 3, 40 / 3, 40 / 3, 40 / 3]
    )
    # naive's bands at origin 10: sd = sqrt(660 / 9), × sqrt(2) one step further; lows cut at 0
    sd = np.sqrt(660 / 9) * np.sqrt([1, 2])
    np.testing.assert_allclose(f["hi80"].iloc[:2], 4 + Z80 * sd)
    np.testing.assert_allclose(f["hi95"].iloc[4:6], 4 + Z95 * sd)
    assert f["lo80"].iloc[:2].tolist() == [0.0, 0.0] and f["lo95"].iloc[4:6].tolist() == [0, 0]
    # mean's band at origin 12: errors of the 3-day mean at t = 4..11 (max(3, 12 - 8) = 4)
    err = [Y1[t] - (Y1[t - 1] + Y1[t - 2] + Y1[t - 3]) / 3 for t in range(4, 12)]
    s = np.sqrt(np.mean(np.square(err)))
    np.testing.assert_allclose(f["lo80"].iloc[[8, 10]], [40 / 3 - Z80 * s] * 2)
    np.testing.assert_allclose(f["hi95"].iloc[[9, 11]], [40 / 3 + Z95 * s] * 2)
    # the forecast: the final model (mean) from day 14, (2 + 19 + 12) / 3 = 11, two days ahead
    fc = r.forecast
    assert list(fc.columns) == [
        "period", "mean", "lo80", "hi80", "lo95", "hi95", "closed", "holiday", "event",
    ]  # fmt: skip
    assert fc["period"].tolist() == [pd.Timestamp("2026-03-16"), pd.Timestamp("2026-03-17")]
    assert fc["mean"].tolist() == [11.0, 11.0]
    err = [Y1[t] - (Y1[t - 1] + Y1[t - 2] + Y1[t - 3]) / 3 for t in range(6, 14)]
    s = np.sqrt(np.mean(np.square(err)))
    np.testing.assert_allclose(fc["lo80"], [11 - Z80 * s] * 2)
    np.testing.assert_allclose(fc["hi80"], [11 + Z80 * s] * 2)
    np.testing.assert_allclose(fc["hi95"], [11 + Z95 * s] * 2)
    assert fc["lo95"].tolist() == [0.0, 0.0]  # 11 - 1.96 × 7.95 < 0
    assert fc["closed"].tolist() == [False, False]
    assert fc["holiday"].tolist() == ["", ""] and fc["event"].tolist() == ["", ""]
    c = r.candidates
    assert list(c.columns) == ["model", "period", "mean", "lo80", "hi80", "lo95", "hi95"]
    assert c["model"].tolist() == ["seasonal_naive"] * 2 + ["seasonal_mean"] * 2
    assert c["period"].tolist() == fc["period"].tolist() * 2
    assert c["mean"].tolist() == [12.0, 12.0, 11.0, 11.0]
    sd = np.sqrt(sum((Y1[t] - Y1[t - 1]) ** 2 for t in range(1, 14)) / 13) * np.sqrt([1, 2])
    np.testing.assert_allclose(c["hi80"].iloc[:2], 12 + Z80 * sd)
    np.testing.assert_allclose(c["hi95"].iloc[:2], 12 + Z95 * sd)
    np.testing.assert_allclose(c["lo80"].iloc[2:], [11 - Z80 * s] * 2)
    assert f.index.equals(pd.RangeIndex(12)) and c.index.equals(pd.RangeIndex(4))
    # 100 more every day: the same errors and choices, the final bands clear of 0 (the last
    # origin's, not an earlier one's)
    up = S.forecast(_days([v + 100 for v in Y1]), horizon=2, folds=2, models=TWO).forecast
    np.testing.assert_allclose(up["mean"], [111.0, 111.0])
    np.testing.assert_allclose(up["lo95"], [111 - Z95 * s] * 2)
    np.testing.assert_allclose(up["lo80"], [111 - Z80 * s] * 2)


def test_a_final_model_no_better_than_the_baseline_says_so():
    # fold MAE at origins 4-12, naive: 9, 17.5, 9.5, 3.5 (10 → |10-16|, |10-11|), 5 (11 → 9, 1);
    # mean: 9, 10.5, 3.1667, 5.1667 (25/3 → 7.67, 2.67), 4 (37/3 → 7.67, 0.33): mean is final
    # (31.83 / 5 < 44.5 / 5) but worse on the scored folds: 55/12 / 4.25 = 1.078, 8 % worse
    y = [13, 13, 10, 17, 2, 20, 3, 2, 13, 10, 16, 11, 20, 12]
    r = S.forecast(_days(y), horizon=2, folds=2, models=TWO)
    assert r.model == "seasonal_mean"
    np.testing.assert_allclose(r.backtest["mae"].iloc[:2], [4.25, 55 / 12])
    assert r.verdict == (
        "Seasonal mean is 8\u00a0% worse than repeating the last value (naive) in the backtest. The "
        "baseline is as good: treat this forecast with care."
    )


def test_flat_actuals_have_no_baseline_error_and_no_ratio():
    # every model is exact on a constant series: MAE 0 for all, MASE undefined (no steps),
    # the tie goes to the preferred seasonal mean, whose 0 equals the baseline's 0
    r = S.forecast(_days([5.0] * 14), horizon=2, folds=2, models=TWO)
    bt = r.backtest.set_index("model")
    assert bt["mae"].tolist() == [0.0, 0.0, 0.0] and bt["mape"].tolist() == [0.0, 0.0, 0.0]
    assert bt["mase"].isna().all() and bt["vs_baseline"].isna().all()
    assert r.model == "seasonal_mean"
    assert r.auto_choices == ("seasonal_mean", "seasonal_mean")
    assert r.verdict == (
        "Seasonal mean: no baseline error to compare with (the backtest actuals are flat). The "
        "baseline is as good: treat this forecast with care."
    )
    # flat only at the end: the baseline is exact on the scored folds (MAE 0), the mean is not
    # (32/3 against 5, 5 at origin 10: 17/6 over both folds): no ratio to 0 for anyone;
    # naive wins every choice (warm-up 1.5, 9, 6.5 against the mean's 6.17, 8, 6.5)
    r = S.forecast(
        _days([6, 6, 16, 4, 3, 2, 13, 9, 18, 5, 5, 5, 5, 5]), horizon=2, folds=2, models=TWO
    )
    bt = r.backtest.set_index("model")
    np.testing.assert_allclose(bt["mae"], [0.0, 17 / 6, 0.0])
    assert bt["vs_baseline"].isna().all()
    assert r.model == "seasonal_naive" and r.auto_choices == ("seasonal_naive",) * 2
    assert r.verdict == (
        "Seasonal naive: no baseline error to compare with (the backtest actuals are flat)."
    )


def test_fit_folds_by_hand():
    # learn from max(4, ceil(n / 3)) periods; folds that fit = (n - that) // horizon
    assert S._fit_folds(10, 2, 3) == (3, None)
    assert S._fit_folds(10, 2, 4) == (
        3,
        "Only 3 backtest folds of 2 periods fit in 10 periods of history (4 were asked for).",
    )
    assert S._fit_folds(52, 8, 8) == (
        4,
        "Only 4 backtest folds of 8 periods fit in 52 periods of history (8 were asked for).",
    )
    # ceil(13 / 3) = 5, not 4: (13 - 5) // 3 = 2
    assert S._fit_folds(13, 3, 9)[0] == 2
    assert S._fit_folds(12, 2, 9)[0] == 4  # 12 / 3 = 4 exactly
    assert S._fit_folds(6, 1, 9)[0] == 2  # ceil(6 / 3) = 2 < 4: at least 4
    assert S._fit_folds(6, 2, 3) == (
        1,
        "Only 1 backtest folds of 2 periods fit in 6 periods of history (3 were asked for).",
    )
    with pytest.raises(InsufficientDataError) as e:
        S._fit_folds(5, 2, 1)
    assert str(e.value) == (
        "A backtest needs more history: 5 periods, but one fold of 2 periods plus at least 4 to "
        "learn from needs 6. Choose a shorter horizon or a finer grain (e.g. daily), or upload a "
        "longer history."
    )
    # a daily series has no finer grain to choose: the days, and the two ways left
    with pytest.raises(InsufficientDataError) as e:
        S._fit_folds(5, 2, 1, "D")
    assert str(e.value) == (
        "A backtest needs more history: 5 days, but one fold of 2 days plus at least 4 to "
        "learn from needs 6. Choose a shorter horizon, or upload a longer history."
    )
    with pytest.raises(InsufficientDataError, match="a finer grain"):
        S._fit_folds(5, 2, 1, "W")


def test_default_horizon_per_grain():
    assert [S.default_horizon(f) for f in ("D", "W", "M")] == [14, 8, 12]
    # no horizon given: a daily series gets 14 days (30 days of history fit one fold of 14)
    r = S.forecast(_days(list(range(1, 31)), future=20), folds=1, models=("seasonal_naive",))
    assert r.horizon == 14 and len(r.forecast) == 14 and r.params["horizon"] == 14
    assert r.forecast["period"].iloc[-1] == pd.Timestamp("2026-03-02") + pd.Timedelta(days=43)
    # 16 days before the fold: two weekly cycles, so seasonal, and the verdict says "cycle"
    assert r.seasonal
    assert r.verdict == (
        "No model beat repeating the last cycle (seasonal naive); that is the forecast shown."
    )
    # no folds and no models given: 8 folds asked (4 fit), every model
    d = S.forecast(_days(Y1), horizon=2)
    assert d.params["models"] == S.ALL_MODELS and d.n_folds == 4
    assert (
        "Only 4 backtest folds of 2 periods fit in 14 periods of history (8 were asked for)."
        in d.warnings
    )


def test_parameter_checks_say_what_was_given():
    s = _days(Y1)

    def msg(**kw):
        with pytest.raises(ParameterError) as e:
            S.forecast(s, **{"models": TWO, "horizon": 2, "folds": 2, **kw})
        return str(e.value)

    h = "The 'horizon' parameter must be an int in the range [1, 400]. Got {} instead."
    f = "The 'folds' parameter must be an int in the range [1, 52]. Got {} instead."
    assert msg(horizon=0) == h.format("0")
    assert msg(horizon=401) == h.format("401")
    assert msg(horizon=True) == h.format("True")
    assert msg(horizon=2.0) == h.format("2.0")
    assert msg(folds=0) == f.format("0")
    assert msg(folds=53) == f.format("53")
    assert msg(folds=False) == f.format("False")
    # the bounds themselves pass the check (and meet the next one)
    future = "The series describes 3 future periods but the horizon is {}. Build the series with future_periods >= horizon."
    assert msg(horizon=400) == future.format(400)
    assert msg(horizon=4) == future.format(4)
    assert S.forecast(s, models=TWO, horizon=np.int64(3), folds=1).horizon == 3
    assert S.forecast(s, models=TWO, horizon=1, folds=1).n_folds == 1
    # 52 folds pass the check, then only 4 fit
    assert S.forecast(s, models=TWO, horizon=2, folds=52).n_folds == 4
    assert msg(models=("seasonal_naive", "prophet", "arima")) == (
        "Unknown models ['arima', 'prophet']. Choose from seasonal_naive, seasonal_mean, ets, "
        "croston, sarimax, combo."
    )


def test_verdict_in_every_branch():
    v = S.verdict
    assert v("ets", 77.0, 100.0) == (
        "Exponential smoothing (ETS) is 23\u00a0% better than repeating the last cycle (seasonal "
        "naive) in the backtest."
    )
    assert v("ets", 123.0, 100.0) == (
        "Exponential smoothing (ETS) is 23\u00a0% worse than repeating the last cycle (seasonal "
        "naive) in the backtest."
    )
    assert v("croston", 50.0, 80.0, seasonal=False) == (
        "Croston/SBA is 38\u00a0% better than repeating the last value (naive) in the backtest."
    )
    assert v("my_model", 110.0, 100.0, seasonal=False) == (
        "My model is 10\u00a0% worse than repeating the last value (naive) in the backtest."
    )
    # under half a percent rounds to 0: about as good
    assert v("sarimax", 100.4, 100.0) == (
        "Seasonal ARIMA (SARIMAX) is about as good as repeating the last cycle (seasonal naive)."
    )
    assert v("combo", 99.6, 100.0, seasonal=False) == (
        "Combination of models is about as good as repeating the last value (naive)."
    )
    assert v("seasonal_naive", 100.0, 100.0) == (
        "No model beat repeating the last cycle (seasonal naive); that is the forecast shown."
    )
    assert v("seasonal_naive", 90.0, 100.0, seasonal=False) == (
        "No model beat repeating the last value (naive); that is the forecast shown."
    )
    flat = "Seasonal mean: no baseline error to compare with (the backtest actuals are flat)."
    assert v("seasonal_mean", 1.0, 0.0) == flat
    assert v("seasonal_mean", 1.0, -1.0) == flat
    assert v("seasonal_mean", 1.0, np.nan) == flat
    assert v("seasonal_mean", 1.0, np.inf) == flat
    assert v("seasonal_mean", np.nan, 1.0) == flat
    assert v("seasonal_mean", np.inf, 1.0) == flat
    assert v("seasonal_mean", 0.0, 1e-9).startswith("Seasonal mean is 100\u00a0% better")


def _spy(monkeypatch):
    """Record what forecast() hands the engine, then run the real engine."""
    calls = []
    real = S._run_engine

    def run(Y, cwd, closed, **kw):
        calls.append({"Y": Y.copy(), "cwd": cwd.copy(), "closed": closed.copy(), **kw})
        return real(Y, cwd, closed, **kw)

    monkeypatch.setattr(S, "_run_engine", run)
    return calls


def test_what_the_series_hands_the_engine(monkeypatch):
    # 16 days from Monday 2 March 2026, Sundays (days 6 and 13) closed; a holiday on day 3, an
    # event on day 5, a closure on day 9; the future (18-20 March, Wed-Fri): a closed holiday,
    # then an event
    s = _days([float(v) for v in range(10, 26)], future=3, closed_weekdays=(6,))
    fr = s.frame.copy()
    fr.loc[3, "holiday"] = "Spring day"
    fr.loc[5, "event"] = "Sale"
    fr.loc[9, "closed"] = True
    fut = s.future.copy()
    fut.loc[1, "event"] = "Sale"
    fut.loc[0, "holiday"] = "Rest day"
    fut.loc[0, "closed"] = True
    s = dataclasses.replace(s, frame=fr, future=fut)
    calls = _spy(monkeypatch)
    r = S.forecast(s, horizon=2, folds=2, models=TWO)
    (c,) = calls
    assert c["Y"].tolist() == [[float(v) for v in range(10, 26)]]
    sundays = [6, 13]
    assert np.flatnonzero(c["cwd"]).tolist() == sundays
    assert np.flatnonzero(c["closed"]).tolist() == [9]  # the closure, not the Sundays
    assert (c["m_cal"], c["m_model"], c["horizon"], c["folds"]) == (7, 6, 2, 2)
    assert c["future_closed"].tolist() == [True, False]  # the horizon's part of the future
    assert c["future_cwd"].tolist() == [False, False]
    assert c["models"] == TWO and c["intermittent"].tolist() == [False]
    # holiday and event dummies over the 16 days and the 2 future ones of the horizon
    hol, ev = np.zeros(18), np.zeros(18)
    hol[[3, 16]] = 1
    ev[[5, 17]] = 1
    np.testing.assert_array_equal(c["exog"], [hol, ev])
    assert r.forecast["closed"].tolist() == [True, False]
    assert r.forecast["holiday"].tolist() == ["Rest day", ""]
    assert r.forecast["event"].tolist() == ["", "Sale"]
    assert r.forecast["mean"].iloc[0] == 0.0  # closed
    # intermittency is judged on the open days only: zeros on closed weekends do not count
    week = [0.0 if d % 7 in (5, 6) else 5.0 for d in range(21)]
    S.forecast(_days(week, closed_weekdays=(5, 6)), horizon=2, folds=2, models=TWO)
    assert calls[-1]["intermittent"].tolist() == [False] and calls[-1]["m_model"] == 5
    # lumpy demand (3 sale days of 12, sizes 1, 1, 10: CV² 1.22) counts as intermittent
    lumpy = [0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 10.0]
    S.forecast(_days(lumpy), horizon=2, folds=2, models=TWO)
    assert calls[-1]["intermittent"].tolist() == [True]
    # a monthly series: the model's season is the calendar's 12 months, not a week
    months = series_from_values(
        pd.date_range("2024-01-01", periods=30, freq="MS"), range(30), freq="M", future_periods=2
    )
    S.forecast(months, horizon=2, folds=1, models=("seasonal_naive",))
    assert (calls[-1]["m_cal"], calls[-1]["m_model"]) == (12, 12)


def test_warnings_in_order_and_intermittent_demand(monkeypatch):
    # 3 of 14 days with sales: ADI 14 / 3 > 1.32, equal sizes (CV² 0): intermittent
    y = [0, 0, 0, 4, 0, 0, 0, 0, 4, 0, 0, 0, 4, 0]
    s = dataclasses.replace(_days(y), warnings=("From the series.",))
    calls = _spy(monkeypatch)
    r = S.forecast(s, horizon=2, folds=5, models=(*TWO, "croston", "combo"))
    assert calls[0]["intermittent"].tolist() == [True]
    assert r.warnings == (
        "From the series.",
        "Only 4 backtest folds of 2 periods fit in 14 periods of history (5 were asked for).",
        FLAT_NOTE.replace("10 periods", "6 periods"),
        # the method named in plain words, not only "Croston/SBA ... instead of ETS"
        "Most periods have no sales (intermittent demand): a method made for occasional sales "
        "(Croston/SBA: the usual amount sold when there are sales, spread over the usual gap "
        "between sales) is used instead of exponential smoothing (ETS).",
    )
    bt = r.backtest.set_index("model")
    assert list(bt.index) == ["seasonal_naive", "seasonal_mean", "croston", "combo", "auto"]
    assert bt["allowed"].tolist() == [True] * 5
    # auto's time: the three models it chooses among, not the combination (their sum again)
    sec = bt["seconds"].to_dict()
    assert bt.loc["auto", "seconds"] == sum(
        [sec["seasonal_naive"], sec["seasonal_mean"], sec["croston"]]
    )
    assert (
        bt.loc["combo", "seconds"]
        == bt.loc["seasonal_mean", "seconds"] + bt.loc["croston", "seconds"]
    )
    assert r.n_folds == 4 and r.params["folds"] == 4
    # the closed days of the engine are the days closed but not on a closed weekday
    assert not calls[0]["closed"].any()


def test_calendar_twins_get_the_series_and_its_future(monkeypatch):
    seen = {}

    def add(eng, run, **kw):
        seen.update(kw, run=run)
        return eng

    monkeypatch.setattr(FC, "add_calendar_models", add)
    s = _days(Y1, future=3, closed_weekdays=(6,))  # Sundays: days 6 and 13
    r = S.forecast(s, horizon=2, folds=2, models=TWO, calendar=("festival",))
    assert seen["y"].tolist() == Y1
    assert np.flatnonzero(~seen["usable"]).tolist() == [6, 13]
    assert seen["periods"].tolist() == list(pd.date_range("2026-03-02", periods=16, freq="D"))
    assert (seen["freq"], seen["features"], seen["models"]) == ("D", ("festival",), TWO)
    assert seen["exog"].shape == (2, 16) and not seen["exog"].any()
    assert r.params["calendar"] == ("festival",)
    # the run handed over re-runs the engine on another target
    eng = seen["run"](np.array(Y1, float) * 2, ("seasonal_naive",), None)
    # (Sunday 15 March is closed, so the last value is Saturday's, 2 x 2)
    assert eng.paths["seasonal_naive"].mean[0, -1].tolist() == [4.0, 4.0]
