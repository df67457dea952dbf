"""Many products at once: top-N product forecasts, vectorised."""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ecomdash import schema as S
from ecomdash.errors import ParameterError
from ecomdash.forecast.base import _period_start
from ecomdash.forecast.engine import _auto_choice, _fold_mae, _run_engine
from ecomdash.forecast.models import intermittency
from ecomdash.forecast.series import _metric_values, build_series
from ecomdash.forecast.single import _check_int, _fit_folds, default_horizon
from ecomdash.i18n import N_
from ecomdash.i18n.note import note


@dataclass(frozen=True)
class ManyForecastResult:
    """Weekly (or other grain) forecasts for the top-N products by revenue.

    * ``table``: one row per product: ``product_id, product_name, revenue, demand_class,
      model, mase, baseline_mase, auto_mase, auto_mae, baseline_mae, improvement_pct,
      forecast_total, forecast_per_period, error_sd`` (``error_sd``: RMSE of the chosen model's one-period-ahead backtest errors).
    * ``forecasts``: long table ``product_id, period, mean, lo80, hi80, lo95, hi95``.
    * ``history``: wide array-like DataFrame of the series (index product_id, columns periods).
    """

    table: pd.DataFrame
    forecasts: pd.DataFrame
    history: pd.DataFrame
    metric: str
    freq: str
    horizon: int
    n_folds: int
    seconds: float
    params: dict = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


def forecast_many(
    lines: pd.DataFrame,
    *,
    top: int = 100,
    metric: str = "units",
    freq: str = "W",
    horizon: int | None = None,
    folds: int = 4,
    returns: str = "net",
    shop: pd.DataFrame | None = None,
) -> ManyForecastResult:
    """Forecast the ``top`` products by revenue at once (vectorised models, no SARIMAX).

    Each product gets its own automatic choice by backtest; intermittent products (ADI > 1.32)
    use Croston/SBA instead of ETS.

    ``shop``: what the whole-shop calendar (periods, closed days) is built from when
    ``lines`` hold only some products (e.g. ``Store.shop_day_groups`` with
    ``Store.top_product_lines``); default ``lines``.
    """
    t0 = time.perf_counter()
    top = _check_int("top", top, 1, 500)
    folds = _check_int("folds", folds, 1, 52)
    horizon = default_horizon(freq) if horizon is None else _check_int("horizon", horizon, 1, 400)
    if S.PRODUCT_ID not in lines:
        raise ParameterError(
            note(
                N_(
                    "Forecasting products needs a product id column; this dataset has none. "
                    "Map the product id on the Data page."
                )
            )
        )
    shop = build_series(
        lines if shop is None else shop,
        metric=metric,
        freq=freq,
        returns=returns,
        holiday_country=None,
        future_periods=horizon,
    )
    fr = shop.frame
    folds, fold_note = _fit_folds(len(fr), horizon, folds, freq)
    cols = [S.ORDER_DATE, S.PRODUCT_ID, S.QUANTITY, S.UNIT_PRICE, S.REVENUE, *S.FLAGS]
    if metric == "orders":
        cols.append(S.ORDER_ID)
    sales = S.sales_lines(lines[[c for c in cols if c in lines]])
    sales = sales[sales[S.ORDER_DATE].notna()]
    rev = (
        _metric_values(sales, "revenue")
        if (S.REVENUE in sales or S.UNIT_PRICE in sales)
        else sales[S.QUANTITY]
    )
    by_prod = rev.groupby(sales[S.PRODUCT_ID]).sum().sort_values(ascending=False, kind="stable")
    prods = by_prod.index[:top]
    sub = lines.loc[lines[S.PRODUCT_ID].isin(prods), [c for c in cols if c in lines]]
    ssub = S.sales_lines(sub)
    pstart = _period_start(ssub[S.ORDER_DATE], freq)
    if metric == "orders":
        wide = (
            ssub.groupby([ssub[S.PRODUCT_ID], pstart])[S.ORDER_ID].nunique().unstack(fill_value=0)
        )
    else:
        v = _metric_values(ssub, metric)
        wide = v.groupby([ssub[S.PRODUCT_ID], pstart]).sum().unstack(fill_value=0.0)
        if returns == "net" and S.IS_RETURN in sub:
            ret = sub[sub[S.IS_RETURN].astype(bool)]
            if len(ret):
                rv = -_metric_values(ret, metric).abs()
                rw = rv.groupby([ret[S.PRODUCT_ID], _period_start(ret[S.ORDER_DATE], freq)]).sum()
                wide = wide.add(rw.unstack(fill_value=0.0), fill_value=0.0)
    wide = wide.reindex(index=prods, columns=pd.DatetimeIndex(fr["period"]), fill_value=0.0).fillna(
        0.0
    )
    Y = wide.to_numpy(dtype=float)
    cwd = fr["closed_weekday"].to_numpy(bool)
    closed = fr["closed"].to_numpy(bool) & ~cwd
    inter_df = intermittency(np.maximum(Y[:, ~(cwd | closed)], 0))
    intermittent = inter_df["class"].isin(["intermittent", "lumpy"]).to_numpy()
    m_cal = shop.season_length
    m_model = (7 - len(shop.closed_weekdays)) if freq == "D" else m_cal
    fut = shop.future.iloc[:horizon]
    eng = _run_engine(
        Y,
        cwd,
        closed,
        m_cal=m_cal,
        m_model=m_model,
        horizon=horizon,
        folds=folds,
        future_closed=fut["closed"].to_numpy(bool),
        future_cwd=fut["closed_weekday"].to_numpy(bool),
        models=("seasonal_naive", "seasonal_mean", "ets", "croston", "combo"),
        intermittent=intermittent,
        log_ok=False,
    )
    fm = _fold_mae(eng)
    choices, final = _auto_choice(eng, fm)
    sel = slice(eng.n_warm, eng.n_warm + eng.n_folds)
    n_s = Y.shape[0]
    names = eng.names
    scale = np.where(eng.scale[:, sel] > 0, eng.scale[:, sel], np.nan)
    mase_all = fm[:, :, sel] / scale[:, None, :]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mase_m = np.nanmean(mase_all, axis=2)  # [S, M]
    rows_i = np.arange(n_s)
    auto_mae = np.stack([fm[rows_i, choices[:, i], eng.n_warm + i] for i in range(eng.n_folds)], 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        auto_mase = np.nanmean(auto_mae / scale, axis=1)
    base_j = names.index("seasonal_naive")
    chosen_mean = np.stack([eng.paths[n].mean for n in names], axis=1)[rows_i, final]  # [S,O,H]
    err1 = chosen_mean[:, :-1, 0] - eng.actual[:, :, 0]
    error_sd = np.sqrt(np.nanmean(err1**2, axis=1))
    fc_mean = chosen_mean[:, -1]
    base_mae = fm[:, base_j, sel].mean(axis=1)
    ch_mae = fm[rows_i, final][:, sel].mean(axis=1)
    names_col = None
    if S.PRODUCT_NAME in lines:
        nm = lines.loc[lines[S.PRODUCT_ID].isin(prods), [S.PRODUCT_ID, S.PRODUCT_NAME]].dropna()
        names_col = nm.drop_duplicates(S.PRODUCT_ID).set_index(S.PRODUCT_ID)[S.PRODUCT_NAME]
    table = pd.DataFrame(
        {
            "product_id": np.asarray(prods, dtype=object),
            "product_name": [
                str(names_col.get(p, "")) if names_col is not None else "" for p in prods
            ],
            "revenue": by_prod.iloc[:top].to_numpy(),
            "demand_class": inter_df["class"].to_numpy(),
            "model": [names[j] for j in final],
            "mase": mase_m[rows_i, final],
            "baseline_mase": mase_m[:, base_j],
            "auto_mase": auto_mase,
            "auto_mae": auto_mae.mean(axis=1),
            "baseline_mae": base_mae,
            "improvement_pct": np.where(
                base_mae > 0, (1 - ch_mae / np.where(base_mae > 0, base_mae, 1)) * 100, np.nan
            ),
            "forecast_total": fc_mean.sum(axis=1),
            "forecast_per_period": fc_mean.mean(axis=1),
            "error_sd": error_sd,
        }
    )
    per = fut["period"].to_numpy()
    stacks = {
        f: np.stack([getattr(eng.paths[n], f) for n in names], axis=1)[rows_i, final][:, -1]
        for f in ("mean", "lo80", "hi80", "lo95", "hi95")
    }
    fcs = pd.DataFrame(
        {
            "product_id": np.repeat(np.asarray(prods, dtype=object), len(per)),
            "period": np.tile(per, n_s),
            **{f: stacks[f].ravel() for f in stacks},
        }
    )
    warn = list(shop.warnings) + ([fold_note] if fold_note else []) + list(eng.warnings)
    n_int = int(intermittent.sum())
    if n_int:
        warn.append(
            note(
                N_(
                    "Intermittent demand (mostly zero periods) in {n} of {total} products: for them, a "
                    "method made for occasional sales (Croston/SBA: the usual amount sold when "
                    "there are sales, spread over the usual gap between sales) is used instead of "
                    "exponential smoothing (ETS)."
                ),
                n=n_int,
                total=n_s,
            )
        )
    return ManyForecastResult(
        table=table,
        forecasts=fcs,
        history=wide,
        metric=metric,
        freq=freq,
        horizon=horizon,
        n_folds=folds,
        seconds=time.perf_counter() - t0,
        params={"top": top, "returns": returns, "warmup": eng.n_warm},
        warnings=tuple(warn),
    )
