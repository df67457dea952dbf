"""Rolling-origin backtest engine shared by ``forecast`` and ``forecast_many``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ecomdash.errors import InsufficientDataError
from ecomdash.forecast.base import WARMUP
from ecomdash.forecast.models import (
    _croston,
    _ets,
    _impute,
    _Paths,
    _sarimax,
    _seasonal_mean,
    _seasonal_naive,
)
from ecomdash.i18n import N_
from ecomdash.i18n.note import note


@dataclass(frozen=True)
class _Engine:
    """Everything computed for a batch of series on the trading calendar."""

    names: tuple[str, ...]
    paths: dict  # name -> _Paths in calendar space [S, O, H]
    allowed: np.ndarray  # [S, M] bool: candidate allowed per series
    origins: tuple[int, ...]  # calendar origins (warm-up + folds + final)
    n_warm: int
    n_folds: int
    m_cal: int
    m_eff: int
    seasonal: bool
    actual: np.ndarray  # [S, O-1, H] (calendar, NaN beyond data)
    closed_wd_h: np.ndarray  # [O, H] bool: structurally closed in calendar
    scale: np.ndarray  # [S, O-1] in-sample seasonal-naive MAE before each origin
    warnings: tuple[str, ...]


def _run_engine(
    Yc: np.ndarray,
    closed_wd: np.ndarray,
    closed: np.ndarray,
    *,
    m_cal: int,
    m_model: int,
    horizon: int,
    folds: int,
    future_closed: np.ndarray,
    future_cwd: np.ndarray,
    models: Sequence[str],
    intermittent: np.ndarray,
    exog: np.ndarray | None = None,
    log_ok: bool = True,
) -> _Engine:
    """Run every model at every origin. ``Yc`` [S, T] in calendar space; ``closed_wd`` [T]
    structurally closed periods (removed); ``closed`` [T] closures (missing)."""
    n_s, n_t = Yc.shape
    warn: list[str] = []
    H = horizon
    keep = ~closed_wd
    Ym = Yc[:, keep]
    obs_m = np.repeat((~closed[keep])[None, :], n_s, axis=0)
    n_m = Ym.shape[1]
    # Calendar origins: last folds×H periods, plus warm-up origins before them.
    first_fold = n_t - folds * H
    # how many trading periods before a calendar origin
    before = np.concatenate([[0], np.cumsum(keep)])
    if first_fold < 1 or before[first_fold] < 4:
        raise InsufficientDataError(
            note(
                N_(
                    "A backtest of {folds} folds × {horizon} periods needs more history: the "
                    "series has {n} periods. Use fewer folds, a shorter horizon, or a coarser "
                    "grain."
                ),
                folds=folds,
                horizon=H,
                n=n_t,
            )
        )
    seasonal = m_model > 1 and before[first_fold] >= 2 * m_model
    m_eff = m_model if seasonal else 1
    if m_model > 1 and not seasonal:
        warn.append(
            note(
                N_(
                    "Too little history for seasonal models: {n} periods before the backtest, "
                    "fewer than two seasonal cycles ({cycles}). Simpler non-seasonal models "
                    "were used instead (the baseline repeats the last value)."
                ),
                n=int(before[first_fold]),
                cycles=2 * m_model,
            )
        )
    n_warm = 0
    for w in range(WARMUP, 0, -1):
        o = first_fold - w * H
        if o > 0 and before[o] >= max(2 * m_eff + 1, 3):
            n_warm = w
            break
    cal_origins = [first_fold - (n_warm - k) * H for k in range(n_warm)]
    cal_origins += [first_fold + k * H for k in range(folds)] + [n_t]
    mod_origins = [int(before[o]) for o in cal_origins]
    # Horizon in model space: enough steps to cover H calendar periods (+ future).
    Hm = H
    Xi = _impute(Ym, obs_m, m_eff)
    # Extended calendar mask including future for expansion.
    keep_ext = np.concatenate([keep, ~future_cwd])
    closed_ext = np.concatenate([closed_wd | closed, future_closed])
    cwd_ext = np.concatenate([closed_wd, future_cwd])

    def expand(p: _Paths) -> _Paths:
        """Map model-space paths [S, O, Hm] to calendar [S, O, H] (0 on closed periods)."""
        outs = []
        for arr in (p.mean, p.lo80, p.hi80, p.lo95, p.hi95):
            out = np.zeros((n_s, len(cal_origins), H))
            for k, o in enumerate(cal_origins):
                span = np.arange(o, o + H)
                kk = keep_ext[span]
                steps = np.cumsum(kk) - 1
                vals = np.where(kk[None, :], arr[:, k, np.clip(steps, 0, Hm - 1)], 0.0)
                vals = np.where(closed_ext[span][None, :], 0.0, vals)
                out[:, k] = vals
            outs.append(np.maximum(out, 0.0))
        mean, lo80, hi80, lo95, hi95 = outs
        # nesting guards (numerical): lo95 ≤ lo80 ≤ mean ≤ hi80 ≤ hi95
        lo80 = np.minimum(lo80, mean)
        hi80 = np.maximum(hi80, mean)
        lo95 = np.minimum(lo95, lo80)
        hi95 = np.maximum(hi95, hi80)
        return _Paths(mean, lo80, hi80, lo95, hi95, p.seconds)

    log = np.zeros(n_s, dtype=bool)
    if log_ok:
        log = np.array([(Ym[s][obs_m[s]] > 0).all() for s in range(n_s)])
    raw: dict[str, _Paths] = {}
    raw["seasonal_naive"] = _seasonal_naive(Xi, obs_m, mod_origins, Hm, m_eff)
    if "seasonal_mean" in models:
        raw["seasonal_mean"] = _seasonal_mean(Xi, obs_m, mod_origins, Hm, m_eff)
    if "ets" in models:
        raw["ets"] = _ets(Xi, obs_m, mod_origins, Hm, m_eff, log=log)
    if "croston" in models and intermittent.any():
        raw["croston"] = _croston(Xi, obs_m, mod_origins, Hm, m_eff)
    if "sarimax" in models and n_s == 1:
        ex = exog[:, keep_ext] if exog is not None else None
        if ex is not None:
            # drop regressors never seen on an observed past period (their effect is unknowable)
            ex = ex[np.abs(ex[:, :n_m] * obs_m[0][None, :]).sum(axis=1) > 0]
            pad = n_m + Hm - ex.shape[1]
            if pad > 0:
                ex = np.concatenate([ex, np.zeros((ex.shape[0], pad))], axis=1)
            ex = ex.T if len(ex) else None
        try:
            raw["sarimax"] = _sarimax(
                Xi[0], obs_m[0], mod_origins, Hm, m_eff, exog=ex, log=bool(log[0])
            )
        except (ValueError, np.linalg.LinAlgError) as err:  # pragma: no cover - numerical
            warn.append(
                note(N_("SARIMAX could not be fitted ({error}); it was left out."), error=str(err))
            )
    names = list(raw)
    paths = {k: expand(v) for k, v in raw.items()}
    allowed = np.ones((n_s, len(names)), dtype=bool)
    for j, nm in enumerate(names):
        if nm == "croston":
            allowed[:, j] = intermittent
        if nm == "ets":
            allowed[:, j] = ~intermittent
    members = [j for j, nm in enumerate(names) if nm != "seasonal_naive"]
    if "combo" in models and len(members) >= 2:
        # per-series mean over the allowed non-baseline members
        w = allowed[:, members].astype(float)
        w = w / np.maximum(w.sum(axis=1, keepdims=True), 1)
        comb = []
        for f in ("mean", "lo80", "hi80", "lo95", "hi95"):
            stack = np.stack([getattr(paths[names[j]], f) for j in members], axis=-1)
            comb.append((stack * w[:, None, None, :]).sum(axis=-1))
        paths["combo"] = _Paths(*comb, seconds=sum(paths[names[j]].seconds for j in members))
        names.append("combo")
        allowed = np.concatenate([allowed, (allowed[:, members].sum(axis=1) >= 2)[:, None]], axis=1)
    # Actuals and scales per backtest origin (not the final one).
    n_o = len(cal_origins) - 1
    actual = np.full((n_s, n_o, H), np.nan)
    scale = np.zeros((n_s, n_o))
    for k, o in enumerate(cal_origins[:-1]):
        actual[:, k] = Yc[:, o : o + H]
        lag = m_cal if (seasonal and o > m_cal) else 1
        scale[:, k] = np.mean(np.abs(Yc[:, lag:o] - Yc[:, : o - lag]), axis=1)
    cwd_h = np.array([cwd_ext[o : o + H] for o in cal_origins])
    return _Engine(
        names=tuple(names),
        paths=paths,
        allowed=allowed,
        origins=tuple(cal_origins),
        n_warm=n_warm,
        n_folds=folds,
        m_cal=m_cal,
        m_eff=m_eff,
        seasonal=seasonal,
        actual=actual,
        closed_wd_h=cwd_h,
        scale=scale,
        warnings=tuple(warn),
    )


def _fold_mae(eng: _Engine) -> np.ndarray:
    """[S, M, O-1] MAE of each model at each backtest origin."""
    return np.stack(
        [np.abs(eng.paths[n].mean[:, :-1] - eng.actual).mean(axis=2) for n in eng.names], axis=1
    )


def _auto_choice(eng: _Engine, fold_mae: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nested choice: for scored fold k, the allowed model with the lowest mean MAE over all
    earlier origins (warm-up + earlier folds). Returns (choice per fold [S, F], final [S])."""
    n_s, n_m, _ = fold_mae.shape
    pref = np.array([_PREF.get(n, 9) for n in eng.names], dtype=float)
    big = np.where(eng.allowed, 0.0, np.inf)
    choices = np.zeros((n_s, eng.n_folds), dtype=int)
    for f in range(eng.n_folds):
        k = eng.n_warm + f
        if k == 0:
            score = big + pref[None, :]
        else:
            score = fold_mae[:, :, :k].mean(axis=2) + big + 1e-12 * pref[None, :]
        choices[:, f] = np.argmin(score, axis=1)
    final = np.argmin(fold_mae.mean(axis=2) + big + 1e-12 * pref[None, :], axis=1)
    return choices, final


_PREF = {"combo": 0, "ets": 1, "sarimax": 2, "croston": 3, "seasonal_mean": 4, "seasonal_naive": 5}


def _scores(
    eng: _Engine, s: int, mean: np.ndarray, paths: _Paths | None, sel: slice
) -> dict[str, float]:
    """Metrics for series ``s`` over scored folds ``sel`` (mean [F, H] given explicitly)."""
    act = eng.actual[s, sel]
    err = mean - act
    fold_mae = np.abs(err).mean(axis=1)
    mase = float(np.mean(fold_mae / np.where(eng.scale[s, sel] > 0, eng.scale[s, sel], np.nan)))
    nz = act != 0
    mape = float(np.mean(np.abs(err[nz]) / np.abs(act[nz])) * 100) if nz.any() else float("nan")
    out = {
        "mae": float(fold_mae.mean()),
        "mase": mase,
        "mape": mape,
        "bias": float(err.mean()),
    }
    if paths is not None:
        lo80, hi80, lo95, hi95 = paths
        live = ~eng.closed_wd_h[: len(eng.origins) - 1][sel]
        c80 = (act >= lo80) & (act <= hi80)
        c95 = (act >= lo95) & (act <= hi95)
        out["coverage80"] = float(c80[live].mean()) if live.any() else float("nan")
        out["coverage95"] = float(c95[live].mean()) if live.any() else float("nan")
    return out
