"""Forecasting every series of a group on summed sales: series built from the store, the
backtest sums checked against a by-hand seasonal naive, forecasts that add up (bottom-up),
event flags as regressors of the total, and the CLI's JSON."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from ecomdash.cli import main
from ecomdash.errors import ParameterError
from ecomdash.forecast_groups import _event_exog, _mint_diag, forecast_groups, group_columns
from ecomdash.ingest import load_bytes
from ecomdash.store import Store
from tests.summed_fixtures import sku_daily, to_csv_bytes, walmart_like

NO_SARIMAX = ("seasonal_naive", "seasonal_mean", "ets", "combo")


@pytest.fixture
def weekly(_isolated_home):
    df = walmart_like(stores=3, depts=5, weeks=143, seed=11)
    res = load_bytes(to_csv_bytes(df), "train.csv")
    store = Store.open(_isolated_home)
    info = store.save_dataset("w", res.lines, report=res.report, mapping=res.mapping.as_dict())
    yield store, info, df
    store.close()


def _wide(df: pd.DataFrame) -> pd.DataFrame:
    """Store × dept by Monday-start week, zeros where the file has no row (pandas only)."""
    week = df["Date"] - pd.to_timedelta(df["Date"].dt.day_of_week, unit="D")
    w = df.assign(week=week).pivot_table(
        index=["Store", "Dept"], columns="week", values="Weekly_Sales", aggfunc="sum"
    )
    cal = pd.date_range(week.min(), week.max(), freq="W-MON")
    return w.reindex(columns=cal).fillna(0.0)


def test_series_backtest_and_totals_by_hand(weekly):
    store, info, df = weekly
    res = forecast_groups(
        store,
        info.id,
        by="location,category",
        horizon=8,
        folds=4,
        total_models=NO_SARIMAX,
        reconciliation="bottom_up",
    )
    wide = _wide(df)
    assert res.backtest["series"] == len(wide) == len(res.table)
    # the seasonal-naive backtest, by hand: each fold forecasts the same weeks a year earlier,
    # never below zero (a net-return week a year ago forecasts 0, not a negative)
    Y = wide.to_numpy()
    T, H, m = Y.shape[1], 8, 52
    maes = []
    for f in range(4):
        o = T - (4 - f) * H
        pred = np.maximum(Y[:, o - m : o - m + H], 0.0)
        maes.append(np.abs(pred - Y[:, o : o + H]).mean(axis=1))
    by_hand = np.mean(maes, axis=0)
    assert res.backtest["seasonal_naive"] == pytest.approx(by_hand.sum())
    # the per-series table carries the same numbers (keys "store × dept")
    keys = [f"{s} × {d}" for s, d in wide.index]
    got = res.table.set_index("series").loc[keys, "baseline_mae"].to_numpy()
    assert got == pytest.approx(by_hand)
    # worst first
    assert res.table["mae"].is_monotonic_decreasing
    # forecasts add up: the total is the sum of the series, period by period
    fut = res.total[res.total["actual"].isna()]
    by_period = res.forecasts.groupby("period")["mean"].sum()
    assert fut["forecast"].to_numpy() == pytest.approx(by_period.loc[fut["period"]].to_numpy())
    assert res.reconciliation == "bottom_up"
    assert res.backtest["total_mae"] == res.backtest["total_bottom_up_mae"]
    assert res.backtest["auto"] == res.backtest["auto_unreconciled"]
    hist = res.total[res.total["actual"].notna()]
    assert hist["actual"].sum() == pytest.approx(df["Weekly_Sales"].sum())
    # the chosen models beat the baseline on this seasonal fixture, summed over the series
    assert res.backtest["auto"] < res.backtest["seasonal_naive"]
    for k in ("total_bottom_up_mae", "total_direct_mae", "total_seasonal_naive_mae"):
        assert np.isfinite(res.backtest[k]) and res.backtest[k] > 0


def test_mint_diag_by_hand():
    parts = np.array([[10.0, 0.0], [30.0, 5.0]])
    direct = np.array([50.0, 1.0])
    # w = scale² = [1, 9], w_T = 4: each part takes w_i / 14 of the gap (10, then -4)
    got = _mint_diag(parts, direct, np.array([1.0, 3.0]), 2.0)
    assert got[:, 0] == pytest.approx([10 + 10 / 14, 30 + 90 / 14])
    # the second period: 0 - 4/14 is clipped at zero, 5 - 36/14 is kept
    assert got[:, 1] == pytest.approx([0.0, 5 - 36 / 14])


def test_mint_diag_total_adds_up_between_parts_and_direct(weekly):
    store, info, _ = weekly
    kw = {"by": "location,category", "horizon": 8, "total_models": NO_SARIMAX}
    bu = forecast_groups(store, info.id, reconciliation="bottom_up", **kw)
    rec = forecast_groups(store, info.id, **kw)
    assert rec.reconciliation == "mint_diag"
    fut = rec.total[rec.total["actual"].isna()]
    by_period = rec.forecasts.groupby("period")["mean"].sum()
    assert fut["forecast"].to_numpy() == pytest.approx(by_period.loc[fut["period"]].to_numpy())
    lo = np.minimum(fut["direct"], bu.total.loc[fut.index, "forecast"]).to_numpy()
    hi = np.maximum(fut["direct"], bu.total.loc[fut.index, "forecast"]).to_numpy()
    assert (
        (fut["forecast"].to_numpy() >= lo - 1e-6) & (fut["forecast"].to_numpy() <= hi + 1e-6)
    ).all()
    # same folds, same models: only the reconciliation differs
    assert rec.backtest["total_bottom_up_mae"] == pytest.approx(bu.backtest["total_bottom_up_mae"])
    assert rec.backtest["seasonal_naive"] == pytest.approx(bu.backtest["seasonal_naive"])


def test_one_group_sums_the_others(weekly):
    store, info, df = weekly
    res = forecast_groups(store, info.id, by="department", horizon=4, total_models=NO_SARIMAX)
    assert res.by == ("category",)
    assert sorted(res.table["category"]) == sorted(str(d) for d in df["Dept"].unique())
    hist = res.history.sum(axis=1)
    by_dept = df.groupby(df["Dept"].astype(str))["Weekly_Sales"].sum()
    assert hist.sort_index().to_numpy() == pytest.approx(by_dept.sort_index().to_numpy())


def test_daily_sku_with_zeros_and_intermittent_demand(_isolated_home):
    df = sku_daily(skus=9, days=150, seed=4)
    res = load_bytes(to_csv_bytes(df), "daily.csv")
    store = Store.open(_isolated_home)
    info = store.save_dataset("d", res.lines, report=res.report, mapping=res.mapping.as_dict())
    fc = forecast_groups(
        store, info.id, by="sku", metric="units", freq="D", horizon=14, total_models=NO_SARIMAX
    )
    store.close()
    assert fc.history.shape == (9, 150)
    units = df.groupby("sku")["units"].sum().sort_index()
    assert fc.history.sum(axis=1).sort_index().to_numpy() == pytest.approx(units.to_numpy())
    slow = fc.table[fc.table["demand_class"].isin(["intermittent", "lumpy"])]
    assert len(slow) >= 2  # every third SKU sells on a few days only
    assert (slow["model"] != "ets").all()  # intermittent series never use ETS
    assert (fc.forecasts["mean"] >= 0).all()
    # the note says what Croston/SBA and ETS are, as the Many products note does
    note = next(w for w in fc.warnings if "Intermittent demand" in w)
    assert "method made for occasional sales" in note and "exponential smoothing" in note


def test_event_flags_mark_their_weeks_and_recur():
    periods = pd.date_range("2024-01-01", periods=60, freq="W-MON")
    x = _event_exog(("2024-02-09", "2024-11-29"), periods, 8, "W")
    marked = {p.date().isoformat() for p, v in zip(periods, x[0], strict=False) if v}
    # by hand: Fri 2024-02-09 is in the week of Mon 02-05; Fri 11-29 in the week of 11-25;
    # a year (52 weeks) later: 2025-02-03
    assert marked == {"2024-02-05", "2024-11-25", "2025-02-03"}
    assert x.shape == (1, 68)
    assert _event_exog((), periods, 8, "W") is None


def test_bad_groups_say_what_to_do(weekly):
    store, info, _ = weekly
    with pytest.raises(ParameterError, match="location,category"):
        group_columns("aisle")
    with pytest.raises(ParameterError, match="no product_id column"):
        forecast_groups(store, info.id, by="sku")


def test_cli_forecast_by_group_json(tmp_path, capsys):
    f = tmp_path / "train.csv"
    f.write_bytes(to_csv_bytes(walmart_like(stores=2, depts=3, weeks=143, seed=2)))
    assert main(["ingest", str(f), "--json"]) == 0
    ds = json.loads(capsys.readouterr().out)["dataset_id"]
    code = main(["forecast", "--dataset", ds, "--by", "category", "--freq", "W", "--json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    series = out["series"]
    assert out["by"] == ["category"] and len(series) == out["backtest"]["series"]
    assert {"series", "category", "model", "mae", "baseline_mae"} <= set(series[0])
    # the backtest totals are the sums over the per-series table
    assert out["backtest"]["auto"] == pytest.approx(sum(s["mae"] for s in series))
    assert out["backtest"]["seasonal_naive"] == pytest.approx(
        sum(s["baseline_mae"] for s in series)
    )
    assert out["reconciliation"] == "mint_diag" and len(out["total"]) == out["horizon"]
    assert sum(s["forecast_total"] for s in series) == pytest.approx(
        sum(t["forecast"] for t in out["total"])
    )
