"""Forecast every series of a group (store × department, category, SKU ...) at once, with a
backtest per series and over the total, and forecasts that add up.

The series are summed in DuckDB (one row per series and period), then every series goes
through the vectorised backtest engine of :mod:`ecomdash.forecast` (seasonal naive, seasonal
mean, ETS, Croston/SBA for intermittent series, their combination), in batches so memory
stays bounded. Each series gets its own automatic choice, made per fold from the earlier
origins only (nested), so the backtest MAE of ``auto`` is honest.

Reconciliation: the total is forecast directly too (same engine, plus SARIMAX with the
dataset's event flags — holidays, promotions — as regressors: the only model here that takes
regressors), then the series forecasts are reconciled with it by **MinT-diagonal** (WLS:
each series absorbs a share of the gap between the direct total and the sum of the series in
proportion to its error variance, estimated by its in-sample seasonal-naive MAE before each
origin, so the backtest stays honest). The total forecast is always the sum of the series
forecasts. ``reconciliation="bottom_up"`` keeps the series forecasts as they are. The
backtest reports the total's MAE every way on the same folds: ``total_mae`` (reconciled),
``total_bottom_up_mae``, ``total_direct_mae``, ``total_seasonal_naive_mae``.

Event flags and the per-series models: ETS, seasonal naive and seasonal mean carry event
weeks through the yearly season (a holiday in the same week each year); they take no
regressors.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ecomdash import schema as S
from ecomdash.errors import InsufficientDataError, ParameterError
from ecomdash.filters import Filters
from ecomdash.forecast.base import SEASON, _calendar, _next_periods
from ecomdash.forecast.engine import _auto_choice, _fold_mae, _run_engine
from ecomdash.forecast.models import intermittency
from ecomdash.forecast.single import _check_int, _fit_folds, default_horizon
from ecomdash.i18n import N_, _
from ecomdash.i18n.note import Field, note
from ecomdash.store import Store

#: ``by`` names → canonical group column (merchant words accepted).
GROUPS = {
    "location": S.LOCATION,
    "store": S.LOCATION,
    "category": S.CATEGORY,
    "department": S.CATEGORY,
    "dept": S.CATEGORY,
    "product": S.PRODUCT_ID,
    "sku": S.PRODUCT_ID,
    "channel": S.CHANNEL,
    "country": S.COUNTRY,
}
SERIES_MODELS = ("seasonal_naive", "seasonal_mean", "ets", "croston", "combo")
TOTAL_MODELS = ("seasonal_naive", "seasonal_mean", "ets", "sarimax", "combo")
#: How forecasts are made to add up (see the module doc), each named as the Forecast page's
#: legend and the command line say it (a message id: ``_()`` it where it is shown). A new key
#: needs its Chinese in zh/forecast.po, which the catalogue tests check, and may add the
#: total's help (``ui.forecast_groups.TOTAL_HELP``): without one the help is this name.
RECONCILIATIONS = {
    # MinT-diagonal: WLS by in-sample error variance
    "mint_diag": N_("Sum of the series, adjusted towards the direct forecast of the total"),
    "bottom_up": N_("Sum of the series (bottom-up)"),
}
MAX_SERIES = 20_000
BATCH = 400  # series per engine run: bounds the ETS state (series × grid × season)


#: A series' group value where the lines have none (no category, store …), as the SQL names
#: it; shown in the merchant's language by :func:`series_name`.
NONE = N_("(none)")


def series_name(label: object) -> str:
    """A series' name as a merchant reads it: its group values joined by " × ", a group
    without a value (:data:`NONE`) in the current language ("（无）" in Chinese).

    >>> series_name("Kitchen × (none)")
    'Kitchen × (none)'
    """
    return " × ".join(_(NONE) if p == NONE else p for p in str(label).split(" × "))


@dataclass(frozen=True)
class GroupForecastResult:
    """Forecasts of every series of a group, and of their total.

    * ``table``: one row per series, worst backtest first: ``series`` (the group values
      joined by " × "), one column per group, ``history`` (sum of the metric), ``demand_class``,
      ``model`` (chosen for the forecast), ``mae`` (auto, nested backtest), ``baseline_mae``
      (seasonal naive), ``ratio`` (mae / baseline_mae), ``forecast_total``.
    * ``forecasts``: long table ``series, period, mean, lo80, hi80``.
    * ``history``: wide table (index ``series``, one column per period).
    * ``total``: ``period, actual, forecast (the sum of the reconciled series), direct``
      (history rows have ``actual``; future rows the two forecasts).
    * ``backtest``: ``auto`` (reconciled; ``auto_unreconciled`` before) and ``seasonal_naive``
      MAE summed over the series, their ``ratio``, and the total's MAE four ways:
      ``total_mae`` (reconciled), ``total_bottom_up_mae``, ``total_direct_mae`` (the direct
      model's nested choice), ``total_seasonal_naive_mae``.
    """

    table: pd.DataFrame
    forecasts: pd.DataFrame
    history: pd.DataFrame
    total: pd.DataFrame
    backtest: dict
    by: tuple[str, ...]
    metric: str
    freq: str
    horizon: int
    n_folds: int
    reconciliation: str
    direct_model: str
    seconds: float
    params: dict = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


def group_columns(by: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """``"location,category"`` → ``("location", "category")`` (canonical columns)."""
    parts = [p.strip().lower() for p in (by.split(",") if isinstance(by, str) else by)]
    parts = [p for p in parts if p]
    bad = [p for p in parts if p not in GROUPS]
    if not parts or bad:
        raise ParameterError(
            note(
                N_(
                    "'by' names the group to forecast, e.g. 'category' or 'location,category'; "
                    "got {by}. Use one or more of: {choices}."
                ),
                by=repr(by),
                choices=tuple(sorted(set(GROUPS))),
            )
        )
    cols = tuple(dict.fromkeys(GROUPS[p] for p in parts))
    return cols


def series_table(
    store: Store,
    dataset_id: str,
    filters: Filters | None = None,
    *,
    by: tuple[str, ...],
    metric: str = "revenue",
    freq: str = "W",
) -> tuple[pd.DataFrame, tuple[pd.Timestamp, pd.Timestamp]]:
    """The metric per series and period, summed in DuckDB (net of returns), and the first
    and last date of the data."""
    info = store.info(dataset_id)
    missing = [c for c in by if c not in info.columns]
    if missing:
        raise ParameterError(
            note(
                N_(
                    "This dataset has no {missing} column to forecast by (it has {columns}). "
                    "Choose another group, or map that column on the Data page."
                ),
                missing=tuple(Field(c) for c in missing),  # the ids in English: --map's keys
                columns=tuple(Field(c) for c in info.columns),
            )
        )
    if S.ORDER_DATE not in info.columns:
        raise ParameterError(note(N_("Forecasting needs a date column; map it on the Data page.")))
    col = {"revenue": S.REVENUE, "units": S.QUANTITY}.get(metric)
    if col is None or col not in info.columns:
        raise ParameterError(
            note(
                N_(
                    "Forecasting by group works on revenue or units; this dataset has no "
                    "{metric} column. Choose the other metric."
                ),
                metric=repr(metric),
            )
        )
    unit = {"D": "day", "W": "week", "M": "month"}[freq]
    keys = ", ".join(f"coalesce({c}, '{NONE}') AS {c}" for c in by)
    label = "concat_ws(' × ', " + ", ".join(f"coalesce({c}, '{NONE}')" for c in by) + ")"
    # net: sales less returns (summed tables: negative rows are net returns)
    value = f"sum(CASE WHEN is_return THEN -abs({col}) ELSE {col} END) FILTER (WHERE NOT is_non_product)"
    df = store.query(
        info.id,
        filters,
        f"""SELECT {label} AS series, {keys}, date_trunc('{unit}', order_date) AS period,
          {value} AS value
        FROM l WHERE order_date IS NOT NULL GROUP BY ALL""",
    )
    span = store.query(info.id, filters, "SELECT min(order_date), max(order_date) FROM l")
    lo, hi = span.iloc[0, 0], span.iloc[0, 1]
    if df.empty or pd.isna(lo):
        raise InsufficientDataError(
            note(
                N_(
                    "There are no sales in the chosen period and filters. Widen the period in "
                    "the sidebar."
                )
            )
        )
    df["value"] = df["value"].fillna(0.0).astype(float)
    return df, (pd.Timestamp(lo), pd.Timestamp(hi))


def forecast_groups(
    store: Store,
    dataset_id: str,
    filters: Filters | None = None,
    *,
    by: str | tuple[str, ...] = "category",
    metric: str = "revenue",
    freq: str = "W",
    horizon: int | None = None,
    folds: int = 4,
    total_models: tuple[str, ...] = TOTAL_MODELS,
    reconciliation: str = "mint_diag",
) -> GroupForecastResult:
    """Forecast every series of ``by`` (see module doc); raises ``ParameterError`` /
    ``InsufficientDataError`` with what to change."""
    t0 = time.perf_counter()
    if freq not in SEASON:
        raise ParameterError(note(N_("'freq' must be D, W or M; got {value}."), value=repr(freq)))
    cols = group_columns(by)
    if reconciliation not in RECONCILIATIONS:
        raise ParameterError(
            note(
                N_("'reconciliation' must be one of {choices}; got {value}."),
                choices=tuple(RECONCILIATIONS),
                value=repr(reconciliation),
            )
        )
    folds = _check_int("folds", folds, 1, 52)
    horizon = default_horizon(freq) if horizon is None else _check_int("horizon", horizon, 1, 400)
    info = store.info(dataset_id)
    long, (lo, hi) = series_table(store, dataset_id, filters, by=cols, metric=metric, freq=freq)
    warn: list[str] = []
    periods = _calendar(long["period"].min(), long["period"].max(), freq)
    if info.kind != S.KIND_SUMMED and freq != "D":
        # order lines: a first/last week or month only partly covered is left out
        first, last = periods[0], periods[-1]
        end_of_last = last + (pd.Timedelta(days=7) if freq == "W" else pd.offsets.MonthBegin(1))
        if hi.normalize() + pd.Timedelta(days=1) < end_of_last:
            periods = periods[:-1]
            warn.append(
                note(
                    {
                        "W": N_("The last week is partial and was left out."),
                        "M": N_("The last month is partial and was left out."),
                    }[freq]
                )
            )
        if lo.normalize() > first:
            periods = periods[1:]
            warn.append(
                note(
                    {
                        "W": N_("The first week is partial and was left out."),
                        "M": N_("The first month is partial and was left out."),
                    }[freq]
                )
            )
    long = long[long["period"].isin(periods)]
    wide = long.pivot_table(
        index="series", columns="period", values="value", aggfunc="sum", fill_value=0.0
    ).reindex(columns=periods, fill_value=0.0)
    n_s, n_t = wide.shape
    if n_s > MAX_SERIES:
        raise ParameterError(
            note(
                N_(
                    "{n} series is more than {max} forecast at once. Choose a coarser group "
                    "(e.g. category instead of product) or filter the data in the sidebar."
                ),
                n=f"{n_s:,}",
                max=f"{MAX_SERIES:,}",
            )
        )
    folds, fold_note = _fit_folds(n_t, horizon, folds)
    if fold_note:
        warn.append(fold_note)
    Y = wide.to_numpy(dtype=float)
    m = SEASON[freq]
    no_cal = np.zeros(n_t, dtype=bool)
    no_fut = np.zeros(horizon, dtype=bool)
    inter = intermittency(np.maximum(Y, 0))
    intermittent = inter["class"].isin(["intermittent", "lumpy", "no demand"]).to_numpy()

    def engine(block: np.ndarray, models, inter_block, exog=None):
        return _run_engine(
            block,
            no_cal,
            no_cal,
            m_cal=m,
            m_model=m,
            horizon=horizon,
            folds=folds,
            future_closed=no_fut,
            future_cwd=no_fut,
            models=models,
            intermittent=inter_block,
            exog=exog,
            log_ok=False,
        )

    # ---- every series, in batches
    base_mae = np.zeros(n_s)
    chosen = np.empty(n_s, dtype=object)
    fc = {f: np.zeros((n_s, horizon)) for f in ("mean", "lo80", "hi80")}
    fold_fc = np.zeros((n_s, folds, horizon))  # nested-auto backtest forecasts
    actual = np.zeros((n_s, folds, horizon))
    scale = np.zeros((n_s, folds + 1))  # in-sample seasonal-naive MAE before each origin
    eng = None
    for b0 in range(0, n_s, BATCH):
        sl = slice(b0, min(b0 + BATCH, n_s))
        eng = engine(Y[sl], SERIES_MODELS, intermittent[sl])
        fm = _fold_mae(eng)
        choices, final = _auto_choice(eng, fm)
        sel = slice(eng.n_warm, eng.n_warm + eng.n_folds)
        rows = np.arange(Y[sl].shape[0])
        means = np.stack([eng.paths[n].mean for n in eng.names], axis=1)  # [s, M, O, H]
        fold_fc[sl] = np.stack(
            [means[rows, choices[:, f], eng.n_warm + f] for f in range(eng.n_folds)], axis=1
        )
        actual[sl] = eng.actual[:, sel]
        scale[sl, :folds] = eng.scale[:, sel]
        base_mae[sl] = fm[:, eng.names.index("seasonal_naive"), sel].mean(axis=1)
        chosen[sl] = [eng.names[j] for j in final]
        for f in fc:
            arr = np.stack([getattr(eng.paths[n], f) for n in eng.names], axis=1)
            fc[f][sl] = arr[rows, final, -1]
    assert eng is not None
    sel = slice(eng.n_warm, eng.n_warm + eng.n_folds)
    lag = m if eng.seasonal else 1
    scale[:, folds] = np.mean(np.abs(Y[:, lag:] - Y[:, :-lag]), axis=1)
    # ---- the total, forecast directly on the same folds
    tot = Y.sum(axis=0, keepdims=True)
    exog = _event_exog(info.events, periods, horizon, freq)
    t_inter = intermittency(np.maximum(tot, 0))["class"].isin(["intermittent", "lumpy"]).to_numpy()
    teng = engine(tot, total_models, t_inter, exog=exog)
    tfm = _fold_mae(teng)
    tchoices, tfinal = _auto_choice(teng, tfm)
    tmeans = np.stack([teng.paths[n].mean for n in teng.names], axis=1)
    direct_folds = np.stack(
        [tmeans[0, tchoices[0, f], teng.n_warm + f] for f in range(teng.n_folds)]
    )  # [F, H]
    direct_final = tmeans[0, tfinal[0], -1]
    tscale = np.append(teng.scale[0, sel], np.mean(np.abs(tot[0, lag:] - tot[0, :-lag])))
    # ---- reconciliation: the parts always add up to the total
    if reconciliation == "mint_diag":
        # fold k uses the scales measured before its origin only: the backtest stays honest
        rec_folds = np.stack(
            [
                _mint_diag(fold_fc[:, f], direct_folds[f], scale[:, f], tscale[f])
                for f in range(folds)
            ],
            axis=1,
        )
        shift = _mint_diag(fc["mean"], direct_final, scale[:, folds], tscale[folds]) - fc["mean"]
        fc = {k: np.maximum(v + shift, 0.0) for k, v in fc.items()}
    else:
        rec_folds = fold_fc
    mae = np.abs(rec_folds - actual).mean(axis=(1, 2))
    actual_tot = teng.actual[0, sel]
    backtest = {
        "auto": float(mae.sum()),
        "seasonal_naive": float(base_mae.sum()),
        "ratio": float(mae.sum() / base_mae.sum()) if base_mae.sum() > 0 else float("nan"),
        "auto_unreconciled": float(np.abs(fold_fc - actual).mean(axis=(1, 2)).sum()),
        "series": int(n_s),
        "total_mae": float(np.abs(rec_folds.sum(axis=0) - actual_tot).mean()),
        "total_bottom_up_mae": float(np.abs(fold_fc.sum(axis=0) - actual_tot).mean()),
        "total_direct_mae": float(np.abs(direct_folds - actual_tot).mean()),
        "total_seasonal_naive_mae": float(tfm[0, teng.names.index("seasonal_naive"), sel].mean()),
    }
    direct_model = teng.names[tfinal[0]]
    fut = _next_periods(periods[-1], horizon, freq)
    total = pd.concat(
        [
            pd.DataFrame({"period": periods, "actual": tot[0]}),
            pd.DataFrame(
                {"period": fut, "forecast": fc["mean"].sum(axis=0), "direct": direct_final}
            ),
        ],
        ignore_index=True,
    )
    groups = long.drop_duplicates("series").set_index("series").reindex(wide.index)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(base_mae > 0, mae / base_mae, np.nan)
    table = pd.DataFrame(
        {
            "series": wide.index.to_numpy(dtype=object),
            **{c: groups[c].to_numpy(dtype=object) for c in cols},
            "history": Y.sum(axis=1),
            "demand_class": inter["class"].to_numpy(),
            "model": chosen,
            "mae": mae,
            "baseline_mae": base_mae,
            "ratio": ratio,
            "forecast_total": fc["mean"].sum(axis=1),
        }
    ).sort_values(["mae", "series"], ascending=[False, True], kind="stable")
    forecasts = pd.DataFrame(
        {
            "series": np.repeat(wide.index.to_numpy(dtype=object), horizon),
            "period": np.tile(fut.to_numpy(), n_s),
            **{f: fc[f].ravel() for f in fc},
        }
    )
    if intermittent.any():
        warn.append(
            note(
                N_(
                    "Intermittent demand (mostly zero periods) in {n} of {total} series: for "
                    "them, a method made for occasional sales (Croston/SBA: the usual amount "
                    "sold when there are sales, spread over the usual gap between sales) is "
                    "used instead of exponential smoothing (ETS)."
                ),
                n=f"{int(intermittent.sum()):,}",
                total=f"{n_s:,}",
            )
        )
    if exog is None and info.events:
        warn.append(
            note(N_("The event dates fall outside the forecast calendar; no regressor was used."))
        )
    warn += [w for w in teng.warnings if w not in warn]
    return GroupForecastResult(
        table=table.reset_index(drop=True),
        forecasts=forecasts,
        history=wide,
        total=total,
        backtest=backtest,
        by=cols,
        metric=metric,
        freq=freq,
        horizon=horizon,
        n_folds=folds,
        reconciliation=reconciliation,
        direct_model=direct_model,
        seconds=time.perf_counter() - t0,
        params={"folds": folds, "warmup": eng.n_warm, "events": len(info.events)},
        warnings=tuple(warn),
    )


def _mint_diag(
    parts: np.ndarray, direct: np.ndarray, w_scale: np.ndarray, t_scale: float
) -> np.ndarray:
    """Reconcile ``parts`` [S, H] with a direct forecast of their total [H]: MinT with a
    diagonal error covariance (WLS), variances estimated by the squared in-sample
    seasonal-naive MAE of each series (``w_scale``) and of the total (``t_scale``).

    For a total over S series, the WLS solution moves each part by its share of the
    variance: ``part_i + w_i / (w_T + Σ w) · (direct − Σ parts)``; noisy series absorb most of
    the gap, steady ones keep their forecast, and the total lands between the sum of the parts
    and the direct forecast (nearer the one with the smaller error). Parts clipped at zero stay
    additive because the total is always their sum.

    >>> _mint_diag(np.array([[10.0], [10.0]]), np.array([26.0]), np.array([1.0, 1.0]), 1.0)
    array([[12.],
           [12.]])
    """
    w = np.square(np.nan_to_num(w_scale, nan=0.0))
    wt = float(np.nan_to_num(t_scale, nan=0.0)) ** 2
    denom = wt + w.sum()
    if denom <= 0:
        return parts
    return np.maximum(parts + (w / denom)[:, None] * (direct - parts.sum(axis=0))[None, :], 0.0)


def _event_exog(
    events: tuple[str, ...], periods: pd.DatetimeIndex, horizon: int, freq: str
) -> np.ndarray | None:
    """[1, T + H] indicator of the periods holding an event date (history and future: a
    holiday a year after one in the data is assumed to recur in the same period)."""
    if not events:
        return None
    days = pd.to_datetime(list(events))
    allp = periods.append(_next_periods(periods[-1], horizon, freq))
    unit = {"D": "D", "W": "W-SUN", "M": "M"}[freq]
    starts = set(days.to_period(unit).start_time)
    if freq == "W" or freq == "D":
        # recurring: the same event a year later (52 weeks / 364 days keeps the weekday)
        shift = pd.Timedelta(weeks=52) if freq == "W" else pd.Timedelta(days=364)
        starts |= {d + shift for d in starts} | {d + 2 * shift for d in starts}
    x = np.array([p in starts for p in allp], dtype=float)
    if not x[: len(periods)].any():
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return x[None, :]
