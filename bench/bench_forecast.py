"""Forecast goals, ours vs the library models, side by side (issue #4).

1. Accuracy: UCI Online Retail II daily revenue after standard cleaning (374 days), 8-fold
   rolling origin, 7-day horizon. Goal: auto's MAE <= 0.85 x seasonal naive's MAE, with the
   choice nested (each fold chooses on earlier origins only).
2. Speed: the whole forecast page result (series from the store, backtest of every candidate,
   final fit, forecast) < 2 s; weekly forecasts + backtest for the top 100 products < 2 s.

Run: ``uv run python bench/bench_forecast.py [--quick]`` (``--quick`` skips the slow library
SARIMAX reference). Prints peak RSS at the end.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
UCI = ROOT.parent / "shared" / "data" / "online_retail_ii_2009_2010.csv.gz"

from ecomdash import forecast as F  # noqa: E402


def load_uci() -> pd.DataFrame:
    try:
        from ecomdash.ingest import load_path

        return load_path(UCI).lines
    except ImportError:  # pragma: no cover - before the ingest helper landed
        sys.path.insert(0, str(ROOT / "tests"))
        from reference_uci import uci_reference_lines

        return uci_reference_lines(UCI)


def library_backtest(y: pd.Series, origins: list[int], h: int, fit) -> tuple[float, np.ndarray]:
    """Fit ``fit(train) -> forecast array`` at each origin on the raw calendar series."""
    t0 = time.perf_counter()
    preds = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for o in origins:
            preds.append(np.maximum(np.asarray(fit(y.iloc[:o]), dtype=float)[:h], 0))
    return time.perf_counter() - t0, np.array(preds)


def best_of(fn, n: int = 3) -> float:
    """Best wall time of ``n`` runs (the machine is shared: the best run is the least disturbed)."""
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="skip the slow SARIMAX reference")
    args = ap.parse_args()

    t0 = time.perf_counter()
    lines = load_uci()
    print(f"UCI loaded in {time.perf_counter() - t0:.1f} s: {len(lines):,} lines")
    import holidays  # noqa: F401  (imported once per app process; cold import shown here)

    t_cold = time.perf_counter()
    F.holidays_between("GB", pd.Timestamp("2010-01-01"), pd.Timestamp("2010-12-31"))
    print(f"holidays package first use (once per process): {time.perf_counter() - t_cold:.2f} s")

    # ---------------------------------------------------------------- accuracy
    H, N = 7, 8
    t = time.perf_counter()
    series = F.build_series(lines, metric="revenue", freq="D", returns="exclude", future_periods=H)
    t_series = time.perf_counter() - t
    res = F.forecast(series, horizon=H, folds=N, models=F.ALL_MODELS)
    t_all = res.seconds
    no_sarimax = tuple(m for m in F.ALL_MODELS if m != "sarimax")
    res_fast = F.forecast(series, horizon=H, folds=N, models=no_sarimax)
    t_warm = best_of(lambda: F.forecast(series, horizon=H, folds=N))
    y = series.frame.set_index("period")["value"]
    n = len(y)
    origins = [n - H * (N - k) for k in range(N)]
    actual = np.array([y.iloc[o : o + H].to_numpy() for o in origins])
    scale = np.array(
        [np.mean(np.abs(y.iloc[7:o].to_numpy() - y.iloc[: o - 7].to_numpy())) for o in origins]
    )

    def score(pred: np.ndarray) -> tuple[float, float]:
        fold = np.abs(pred - actual).mean(axis=1)
        return float(fold.mean()), float(np.mean(fold / scale))

    from statsmodels.tsa.exponential_smoothing.ets import ETSModel
    from statsmodels.tsa.holtwinters import ExponentialSmoothing
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    refs = {
        "statsmodels ETSModel(A,Ad,A,7)": lambda tr: (
            ETSModel(
                tr.to_numpy(),
                error="add",
                trend="add",
                damped_trend=True,
                seasonal="add",
                seasonal_periods=7,
            )
            .fit(disp=False)
            .forecast(H)
        ),
        "statsmodels Holt-Winters(add,damped,add,7)": lambda tr: (
            ExponentialSmoothing(
                tr.to_numpy(), trend="add", damped_trend=True, seasonal="add", seasonal_periods=7
            )
            .fit()
            .forecast(H)
        ),
    }
    if not args.quick:
        refs["statsmodels SARIMAX(1,0,1)(0,1,1,7)"] = lambda tr: (
            SARIMAX(tr.to_numpy(), order=(1, 0, 1), seasonal_order=(0, 1, 1, 7))
            .fit(disp=False)
            .forecast(H)
        )

    print(f"\n1. UCI daily revenue, {len(y)} days, {N} folds x {H} days (ours: nested auto)")
    print(
        f"   series built in {t_series:.2f} s; closed weekdays {series.closed_weekdays}, "
        f"closures {[(a.date().isoformat(), b.date().isoformat()) for a, b in series.closures]}"
    )
    bt = res.backtest.set_index("model")
    base_mae = float(bt.loc["seasonal_naive", "mae"])
    print(
        f"   {'model':46s} {'time s':>7s} {'MAE':>10s} {'MASE':>6s} {'x SN MAE':>9s} {'cov80':>6s} {'cov95':>6s}"
    )
    for m in bt.index:
        r = bt.loc[m]
        tag = " <- goal <= 0.85" if m == "auto" else ""
        print(
            f"   ours {m:41s} {r['seconds']:7.2f} {r['mae']:10.1f} {r['mase']:6.3f} "
            f"{r['mae'] / base_mae:9.3f} {r['coverage80']:6.2f} {r['coverage95']:6.2f}{tag}"
        )
    sn_mae, sn_mase = score(np.array([y.iloc[o - 7 : o].to_numpy() for o in origins]))
    print(
        f"   {'reference seasonal naive (calendar lag 7)':51s} {0:7.2f} {sn_mae:10.1f} {sn_mase:6.3f} {1:9.3f}"
    )
    for name, fit in refs.items():
        secs, pred = library_backtest(y, origins, H, fit)
        mae, mase = score(pred)
        print(f"   {name:51s} {secs:7.2f} {mae:10.1f} {mase:6.3f} {mae / sn_mae:9.3f}")
    print(f"   auto's choices per fold: {', '.join(res.auto_choices)}")
    print(
        f"   all candidates (the default): first call {t_all:.2f} s (imports statsmodels), "
        f"then {t_warm:.2f} s (best of 3); without SARIMAX {res_fast.seconds:.2f} s, "
        "auto x SN MAE = "
        f"{res_fast.backtest.set_index('model').loc['auto', 'mae'] / base_mae:.3f}"
    )

    # ---------------------------------------------------------------- speed: page result
    print("\n2. Speed")
    try:
        from ecomdash.store import Store

        with tempfile.TemporaryDirectory() as home:
            store = Store.open(home)
            info = store.ensure_demo()
            dl = store.load_lines(info.id)
            t_load = best_of(lambda: store.load_lines(info.id))
            s_demo = F.build_series(dl, metric="revenue", freq="D", future_periods=14)
            r_demo = F.forecast(s_demo, horizon=14, folds=8)
            t_fc = best_of(
                lambda: F.forecast(
                    F.build_series(dl, metric="revenue", freq="D", future_periods=14),
                    horizon=14,
                    folds=8,
                )
            )
            store.close()
        print(
            f"   demo page result (store load {t_load:.2f} s + series + backtest + forecast "
            f"{t_fc:.2f} s) = {t_load + t_fc:.2f} s (best of 3)   goal < 2 s   ratio {(t_load + t_fc) / 2:.2f}"
        )
        print(f"     demo chosen model {r_demo.model}: {r_demo.verdict}")
    except Exception as err:  # pragma: no cover - store not available
        print(f"   demo page timing skipped: {err!r}")

    def uci_page() -> None:
        s2 = F.build_series(lines, metric="revenue", freq="D", future_periods=14)
        F.forecast(s2, horizon=14, folds=8)

    t_uci = best_of(uci_page)
    print(
        f"   UCI page result (525k lines in memory: series + backtest + forecast) = {t_uci:.2f} s (best of 3)"
        f"  goal < 2 s   ratio {t_uci / 2:.2f}"
    )

    many = F.forecast_many(lines, top=100, metric="units", freq="W", horizon=8, folds=4)
    t_many = best_of(
        lambda: F.forecast_many(lines, top=100, metric="units", freq="W", horizon=8, folds=4)
    )
    t_many500 = best_of(
        lambda: F.forecast_many(lines, top=500, metric="units", freq="W", horizon=8, folds=4)
    )
    many500 = None
    # reference: statsmodels ETSModel one by one. Speed: 100 final fits (as in the issue's
    # 1.3 s figure). Accuracy: the same 4-origin backtest on the top 20 products.
    hist = many.history.to_numpy(float)
    T = hist.shape[1]
    origins_w = [T - 8 * (4 - k) for k in range(4)]

    def ets_fc(row: np.ndarray, o: int) -> np.ndarray:
        fit = ETSModel(row[:o], error="add", trend="add", damped_trend=True).fit(disp=False)
        return np.maximum(fit.forecast(8), 0)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = time.perf_counter()
        for row in hist:
            ets_fc(row, T)
        t_ref = time.perf_counter() - t
        ref_err = [
            np.mean([np.mean(np.abs(ets_fc(row, o) - row[o : o + 8])) for o in origins_w])
            for row in hist[:20]
        ]
    print(
        f"   top-100 products weekly (4 folds x 8 weeks + forecast): {t_many:.2f} s (best of 3)   goal < 2 s   "
        f"ratio {t_many / 2:.2f}"
    )
    print(f"   top-500 products weekly: {t_many500:.2f} s (best of 3)")
    print(
        f"   reference statsmodels ETSModel(A,Ad,N) one by one, 100 final fits only: {t_ref:.2f} s"
        f" (ours, incl. the 4-fold backtest, is {t_ref / t_many:.1f}x faster)"
    )
    tb = many.table
    print(
        f"   top-100 median MASE: chosen {tb['mase'].median():.3f}, nested auto "
        f"{tb['auto_mase'].median():.3f}, baseline (last value) {tb['baseline_mase'].median():.3f}"
    )
    top20 = tb.iloc[:20]
    print(
        f"   top-20 mean backtest MAE (units/week): ours nested auto {top20['auto_mae'].mean():.2f},"
        f" baseline {top20['baseline_mae'].mean():.2f}, reference ETS {np.mean(ref_err):.2f}"
        f" (ours / reference = {top20['auto_mae'].mean() / np.mean(ref_err):.3f})"
    )
    print(f"   models chosen: {tb['model'].value_counts().to_dict()}")
    del many500
    print(
        f"\nload average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; timings are best of 3"
        " where marked. The issue measured statsmodels ETS at 0.2-0.4 s for the UCI backtest on an"
        " idle machine: compare with the reference line above to see this run's slowdown."
    )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS {rss:.0f} MB")


if __name__ == "__main__":
    main()
