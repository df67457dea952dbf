"""One series: every candidate model backtested, the honest ``auto`` choice, the verdict."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ecomdash import labels as L
from ecomdash.errors import InsufficientDataError, ParameterError
from ecomdash.forecast.base import MODEL_LABELS
from ecomdash.forecast.engine import _auto_choice, _Engine, _fold_mae, _run_engine, _scores
from ecomdash.forecast.models import intermittency
from ecomdash.forecast.series import SeriesResult
from ecomdash.i18n import N_
from ecomdash.i18n.note import Percent, note, note_n


@dataclass(frozen=True)
class ForecastResult:
    """Forecast of one series with every candidate's backtest.

    * ``backtest``: one row per candidate plus ``auto``: ``model, label, mae, mase, mape,
      bias, coverage80, coverage95, seconds, vs_baseline`` (MAE ratio to seasonal naive).
    * ``folds``: long table of the scored backtest forecasts: ``fold, model, period, actual,
      mean, lo80, hi80, lo95, hi95`` (``auto`` included, with ``chosen`` naming the model
      used at that fold).
    * ``forecast``: ``period, mean, lo80, hi80, lo95, hi95, closed, holiday, event``.
    * ``candidates``: every candidate's final forecast (``model, period, mean, lo80, ...``).
    * ``model``: the model used for ``forecast`` (lowest MAE over all backtest origins).
    """

    series: SeriesResult
    model: str
    backtest: pd.DataFrame
    folds: pd.DataFrame
    forecast: pd.DataFrame
    candidates: pd.DataFrame
    auto_choices: tuple[str, ...]
    horizon: int
    n_folds: int
    seasonal: bool
    verdict: str
    seconds: float
    params: dict = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


def _fit_folds(
    n_periods: int, horizon: int, folds: int, freq: str | None = None
) -> tuple[int, str | None]:
    """Fewer folds when the requested backtest would leave under a third of the history (and
    at least 4 periods) to learn from. Returns (folds, warning or None). Too little even for
    one fold is refused with what to do: a finer grain only when ``freq`` is not already
    daily ("D": it read "or a finer grain (e.g. daily)" on a daily series).

    >>> _fit_folds(52, 8, 8)
    (4, 'Only 4 backtest folds of 8 periods fit in 52 periods of history (8 were asked for).')
    """
    min_train = max(4, -(-n_periods // 3))
    fit = (n_periods - min_train) // horizon
    if fit >= folds:
        return folds, None
    if fit < 1:
        counts = {
            "n": n_periods,
            "horizon": horizon,
            "min_train": min_train,
            "needed": horizon + min_train,
        }
        if freq == "D":
            raise InsufficientDataError(
                note(
                    N_(
                        "A backtest needs more history: {n} days, but one fold of {horizon} "
                        "days plus at least {min_train} to learn from needs {needed}. Choose a "
                        "shorter horizon, or upload a longer history."
                    ),
                    **counts,
                )
            )
        raise InsufficientDataError(
            note(
                N_(
                    "A backtest needs more history: {n} periods, but one fold of {horizon} "
                    "periods plus at least {min_train} to learn from needs {needed}. Choose a "
                    "shorter horizon or a finer grain (e.g. daily), or upload a longer history."
                ),
                **counts,
            )
        )
    return fit, note(
        N_(
            "Only {fit} backtest folds of {horizon} periods fit in {n} periods of history "
            "({folds} were asked for)."
        ),
        fit=fit,
        horizon=horizon,
        n=n_periods,
        folds=folds,
    )


def default_horizon(freq: str) -> int:
    """Default horizon: two weekly cycles for daily data (14 days), 8 weeks (two months) for
    weekly data, and one yearly cycle (12 months) for monthly data.

    >>> default_horizon("D"), default_horizon("W"), default_horizon("M")
    (14, 8, 12)
    """
    return {"D": 14, "W": 8, "M": 12}[freq]


def _check_int(name: str, value: int, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not lo <= value <= hi:
        raise ParameterError(
            note(
                N_(
                    "The '{name}' parameter must be an int in the range [{lo}, {hi}]. Got "
                    "{value} instead."
                ),
                name=name,
                lo=lo,
                hi=hi,
                value=repr(value),
            )
        )
    return int(value)


def verdict(model: str, mae: float, base_mae: float, *, seasonal: bool = True) -> str:
    """Plain words: how much better (or worse) than the baseline (repeating the last cycle,
    or the last value when there was too little history for seasonality).

    >>> verdict("ets", 77.0, 100.0)
    'Exponential smoothing (ETS) is 23 % better than repeating the last cycle (seasonal naive) in the backtest.'
    >>> verdict("ets", 110.0, 100.0, seasonal=False)
    'Exponential smoothing (ETS) is 10 % worse than repeating the last value (naive) in the backtest.'
    """
    # the model's name is the catalogue's (ecomdash.labels, translated where shown)
    name = (
        note(L.MODEL_SHORT[model])
        if model in L.MODEL_SHORT
        else model.replace("_", " ").capitalize()
    )
    if base_mae <= 0 or not np.isfinite(base_mae) or not np.isfinite(mae):
        return note(
            N_("{name}: no baseline error to compare with (the backtest actuals are flat)."),
            name=name,
        )
    r = mae / base_mae
    pct = round(abs(1 - r) * 100)
    if model == "seasonal_naive":
        return note(
            N_(
                "No model beat repeating the last cycle (seasonal naive); that is the forecast shown."
            )
            if seasonal
            else N_("No model beat repeating the last value (naive); that is the forecast shown.")
        )
    if pct == 0:
        return note(
            N_("{name} is about as good as repeating the last cycle (seasonal naive).")
            if seasonal
            else N_("{name} is about as good as repeating the last value (naive)."),
            name=name,
        )
    msg = {
        (True, True): N_(
            "{name} is {pct} better than repeating the last cycle (seasonal naive) in the backtest."
        ),
        (True, False): N_(
            "{name} is {pct} worse than repeating the last cycle (seasonal naive) in the backtest."
        ),
        (False, True): N_(
            "{name} is {pct} better than repeating the last value (naive) in the backtest."
        ),
        (False, False): N_(
            "{name} is {pct} worse than repeating the last value (naive) in the backtest."
        ),
    }[(bool(seasonal), bool(r < 1))]
    return note(msg, name=name, pct=Percent(abs(1 - r)))


ALL_MODELS = ("seasonal_naive", "seasonal_mean", "ets", "croston", "sarimax", "combo")


def forecast(
    series: SeriesResult,
    *,
    horizon: int | None = None,
    folds: int = 8,
    models: Sequence[str] | None = None,
    calendar: Sequence[str] = (),
) -> ForecastResult:
    """Backtest every candidate on ``series`` and forecast ``horizon`` periods ahead.

    ``calendar``: Chinese calendar features (``ecomdash.calendar_cn.FEATURES``) added as
    regressors to twins of the plain models (``ets_cal`` ...; ``ecomdash.forecast_calendar``),
    which the backtest and ``auto`` choose with or without.

    The backtest uses ``folds`` rolling origins over the last ``folds × horizon`` periods.
    ``auto`` is the nested choice (each fold uses the model best on the earlier origins);
    the final model is the best over all backtest origins. ``models=None`` runs every model.
    """
    if models is None:
        models = ALL_MODELS
    t0 = time.perf_counter()
    freq = series.freq
    horizon = default_horizon(freq) if horizon is None else horizon
    horizon = _check_int("horizon", horizon, 1, 400)
    folds = _check_int("folds", folds, 1, 52)
    unknown = set(models) - set(ALL_MODELS)
    if unknown:
        raise ParameterError(
            note_n(
                "Unknown model {models}. Choose from {choices}.",
                "Unknown models {models}. Choose from {choices}.",
                len(unknown),
                models=str(sorted(unknown)),
                choices=ALL_MODELS,
            )
        )
    fr = series.frame
    y = fr["value"].to_numpy(dtype=float)
    cwd = fr["closed_weekday"].to_numpy(dtype=bool)
    closed = fr["closed"].to_numpy(dtype=bool) & ~cwd
    fut = series.future
    if len(fut) < horizon:
        raise ParameterError(
            note(
                N_(
                    "The series describes {n} future periods but the horizon is {horizon}. "
                    "Build the series with future_periods >= horizon."
                ),
                n=len(fut),
                horizon=horizon,
            )
        )
    fut = fut.iloc[:horizon]
    folds, fold_note = _fit_folds(len(fr), horizon, folds, freq)
    m_cal = series.season_length
    m_model = (7 - len(series.closed_weekdays)) if freq == "D" else m_cal
    intermittent = intermittency(y[None, ~(cwd | closed)])["class"].isin(["intermittent", "lumpy"])
    intermittent = intermittent.to_numpy()
    # Regressors: holiday and merchant-event dummies (calendar, history + future).
    ex_rows = []
    for col in ("holiday", "event"):
        ex_rows.append(
            np.concatenate([(fr[col] != "").to_numpy(float), (fut[col] != "").to_numpy(float)])
        )
    exog = np.array(ex_rows)

    def run(Y: np.ndarray, mods: Sequence[str], ex: np.ndarray | None) -> _Engine:
        return _run_engine(
            Y[None, :],
            cwd,
            closed,
            m_cal=m_cal,
            m_model=m_model,
            horizon=horizon,
            folds=folds,
            future_closed=fut["closed"].to_numpy(bool),
            future_cwd=fut["closed_weekday"].to_numpy(bool),
            models=mods,
            intermittent=intermittent,
            exog=ex,
        )

    eng = run(y, models, exog)
    if calendar:
        from ecomdash.forecast_calendar import add_calendar_models

        eng = add_calendar_models(
            eng,
            run,
            y=y,
            usable=~(cwd | closed),
            periods=pd.DatetimeIndex(np.concatenate([fr["period"], fut["period"]])),
            freq=freq,
            features=calendar,
            models=models,
            exog=exog,
        )
    fm = _fold_mae(eng)
    choices, final = _auto_choice(eng, fm)
    sel = slice(eng.n_warm, eng.n_warm + eng.n_folds)
    rows = []
    for j, nm in enumerate(eng.names):
        p = eng.paths[nm]
        sc = _scores(
            eng,
            0,
            p.mean[0, sel],
            (p.lo80[0, sel], p.hi80[0, sel], p.lo95[0, sel], p.hi95[0, sel]),
            sel,
        )
        rows.append(
            {
                "model": nm,
                "label": MODEL_LABELS[nm],
                **sc,
                "seconds": p.seconds,
                "allowed": bool(eng.allowed[0, j]),
            }
        )
    # auto
    ch = choices[0]
    auto = {
        f: np.stack(
            [getattr(eng.paths[eng.names[ch[i]]], f)[0, eng.n_warm + i] for i in range(eng.n_folds)]
        )
        for f in ("mean", "lo80", "hi80", "lo95", "hi95")
    }
    sc = _scores(
        eng, 0, auto["mean"], (auto["lo80"], auto["hi80"], auto["lo95"], auto["hi95"]), sel
    )
    rows.append(
        {
            "model": "auto",
            "label": MODEL_LABELS["auto"],
            **sc,
            "seconds": sum(eng.paths[n].seconds for n in eng.names if n != "combo"),
            "allowed": True,
        }
    )
    bt = pd.DataFrame(rows)
    base = float(bt.loc[bt["model"] == "seasonal_naive", "mae"].iloc[0])
    bt["vs_baseline"] = bt["mae"] / base if base > 0 else np.nan
    model = eng.names[final[0]]
    # Long table of scored folds.
    periods = fr["period"].to_numpy()
    recs = []
    for i in range(eng.n_folds):
        o = eng.origins[eng.n_warm + i]
        per = periods[o : o + horizon]
        for nm in (*eng.names, "auto"):
            if nm == "auto":
                src = {f: auto[f][i] for f in auto}
                chosen = eng.names[ch[i]]
            else:
                p = eng.paths[nm]
                src = {
                    f: getattr(p, f)[0, eng.n_warm + i]
                    for f in ("mean", "lo80", "hi80", "lo95", "hi95")
                }
                chosen = nm
            recs.append(
                pd.DataFrame(
                    {
                        "fold": i + 1,
                        "model": nm,
                        "chosen": chosen,
                        "period": per,
                        "actual": eng.actual[0, eng.n_warm + i, : len(per)],
                        **{f: v[: len(per)] for f, v in src.items()},
                    }
                )
            )
    folds_df = pd.concat(recs, ignore_index=True)
    fp = eng.paths[model]
    fc = pd.DataFrame(
        {
            "period": fut["period"].to_numpy(),
            "mean": fp.mean[0, -1],
            "lo80": fp.lo80[0, -1],
            "hi80": fp.hi80[0, -1],
            "lo95": fp.lo95[0, -1],
            "hi95": fp.hi95[0, -1],
            "closed": fut["closed"].to_numpy(bool),
            "holiday": fut["holiday"].to_numpy(),
            "event": fut["event"].to_numpy(),
        }
    )
    cands = pd.concat(
        [
            pd.DataFrame(
                {
                    "model": nm,
                    "period": fut["period"].to_numpy(),
                    **{
                        f: getattr(eng.paths[nm], f)[0, -1]
                        for f in ("mean", "lo80", "hi80", "lo95", "hi95")
                    },
                }
            )
            for nm in eng.names
        ],
        ignore_index=True,
    )
    warn = list(series.warnings) + ([fold_note] if fold_note else []) + list(eng.warnings)
    if intermittent[0]:
        warn.append(
            note(
                N_(
                    "Most periods have no sales (intermittent demand): a method made for "
                    "occasional sales (Croston/SBA: the usual amount sold when there are sales, "
                    "spread over the usual gap between sales) is used instead of exponential "
                    "smoothing (ETS)."
                )
            )
        )
    mrow = bt.loc[bt["model"] == model].iloc[0]
    vtext = verdict(model, float(mrow["mae"]), base, seasonal=eng.seasonal)
    if model != "seasonal_naive" and mrow["mae"] >= base:
        vtext = note(
            N_("{verdict} The baseline is as good: treat this forecast with care."),
            verdict=vtext,
        )
    return ForecastResult(
        series=series,
        model=model,
        backtest=bt,
        folds=folds_df,
        forecast=fc,
        candidates=cands,
        auto_choices=tuple(eng.names[c] for c in ch),
        horizon=horizon,
        n_folds=folds,
        seasonal=eng.seasonal,
        verdict=vtext,
        seconds=time.perf_counter() - t0,
        params={
            "horizon": horizon,
            "folds": folds,
            "models": tuple(models),
            "warmup": eng.n_warm,
            "calendar": tuple(calendar),
        },
        warnings=tuple(warn),
    )
