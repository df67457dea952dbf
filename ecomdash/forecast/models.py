"""Vectorised models. Y: [S, T] values in the trading calendar; obs: [S, T] bool observed.

Each model returns arrays [S, O, h] for every origin in ``origins`` (index of the first
forecast period): mean, lo80, hi80, lo95, hi95.

>>> import numpy as np
>>> _seasonal_naive_path(np.array([[1.0, 2, 3, 4]]), 4, 2, 3)[0].round(1).tolist()
[3.0, 4.0, 3.0]
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from ecomdash.forecast.base import Z80, Z95


@dataclass(frozen=True)
class _Paths:
    mean: np.ndarray
    lo80: np.ndarray
    hi80: np.ndarray
    lo95: np.ndarray
    hi95: np.ndarray
    seconds: float = 0.0


def _bands(mean: np.ndarray, sd: np.ndarray, seconds: float = 0.0) -> _Paths:
    return _Paths(mean, mean - Z80 * sd, mean + Z80 * sd, mean - Z95 * sd, mean + Z95 * sd, seconds)


def _impute(Y: np.ndarray, obs: np.ndarray, m: int) -> np.ndarray:
    """Fill unobserved values from the mean of up to 3 earlier same-season observed values
    (or the nearest observed value); uses only the past where it can."""
    X = Y.astype(float).copy()
    if obs.all():
        return X
    miss_cols = np.flatnonzero(~obs.all(axis=0))
    for t in miss_cols:
        rows = ~obs[:, t]
        acc = np.zeros(rows.sum())
        cnt = np.zeros(rows.sum())
        for k in (1, 2, 3):
            j = t - k * m
            if j < 0:
                break
            acc += np.where(obs[rows, j] | (j < t), X[rows, j], 0.0)
            cnt += 1
        fill = np.where(cnt > 0, acc / np.maximum(cnt, 1), np.nan)
        if np.isnan(fill).any():  # no history: nearest observed value after/before
            for r_i, r in enumerate(np.flatnonzero(rows)):
                if np.isnan(fill[r_i]):
                    ok = np.flatnonzero(obs[r])
                    fill[r_i] = X[r, ok[np.argmin(np.abs(ok - t))]] if len(ok) else 0.0
        X[rows, t] = fill
    return X


def _seasonal_naive_path(X: np.ndarray, origin: int, m: int, h: int) -> np.ndarray:
    """Repeat the last cycle before ``origin``: X[:, origin - m + (i mod m)]."""
    idx = origin - m + (np.arange(h) % m)
    return X[:, idx]


def _seasonal_naive(X: np.ndarray, obs: np.ndarray, origins: list[int], h: int, m: int) -> _Paths:
    t0 = time.perf_counter()
    n_s = X.shape[0]
    out = np.empty((n_s, len(origins), h))
    sd = np.empty_like(out)
    d2 = (X[:, m:] - X[:, :-m]) ** 2 if X.shape[1] > m else np.zeros((n_s, 1))
    csum = np.concatenate([np.zeros((n_s, 1)), np.cumsum(d2, axis=1)], axis=1)
    steps = np.floor(np.arange(h) / m) + 1
    for k, o in enumerate(origins):
        out[:, k] = _seasonal_naive_path(X, o, m, h)
        n = max(o - m, 1)
        sigma = np.sqrt(csum[:, min(o - m, csum.shape[1] - 1)] / n)
        sd[:, k] = sigma[:, None] * np.sqrt(steps)[None, :]
    return _bands(out, sd, time.perf_counter() - t0)


def _seasonal_mean(
    X: np.ndarray, obs: np.ndarray, origins: list[int], h: int, m: int, k_cycles: int = 3
) -> _Paths:
    t0 = time.perf_counter()
    n_s, n_t = X.shape
    out = np.empty((n_s, len(origins), h))
    sd = np.empty_like(out)
    for k, o in enumerate(origins):
        kc = max(1, min(k_cycles, o // m))
        base = np.stack([_seasonal_naive_path(X, o - (j * m), m, h) for j in range(kc)])
        out[:, k] = base.mean(axis=0)
        # in-sample errors of the same rule over the last cycles before o
        lo = max(kc * m, o - 8 * m)
        errs = []
        for t in range(lo, o):
            pred = np.mean([X[:, t - j * m] for j in range(1, kc + 1)], axis=0)
            errs.append(X[:, t] - pred)
        sigma = np.sqrt(np.mean(np.square(errs), axis=0)) if errs else np.zeros(n_s)
        sd[:, k] = sigma[:, None] * np.ones(h)[None, :]
    return _bands(out, sd, time.perf_counter() - t0)


def _ets_grid(m: int) -> tuple[np.ndarray, ...]:
    alphas = [0.05, 0.1, 0.2, 0.3, 0.5, 0.8]
    betas = [0.0, 0.02, 0.1]
    gammas = [0.0, 0.05, 0.1, 0.2, 0.4] if m > 1 else [0.0]
    phis = [0.8, 0.9, 0.98]
    rows = []
    for a in alphas:
        for b in betas:
            if b > a:
                continue
            for g in gammas:
                if g > 1 - a:
                    continue
                for p in phis if b > 0 else [1.0]:
                    rows.append((a, b, g, p))
    arr = np.array(rows)
    return arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3]


def _ets(
    X: np.ndarray, obs: np.ndarray, origins: list[int], h: int, m: int, *, log: np.ndarray
) -> _Paths:
    """ETS(A,Ad,A) by error-correction recursions over a parameter grid, vectorised over
    series × grid. At each origin the grid point with the lowest one-step MSE so far is used,
    so a single pass over the data serves every origin without looking ahead. Series with
    ``log`` True are modelled on the log scale (multiplicative)."""
    t0 = time.perf_counter()
    n_s, n_t = X.shape
    Z = np.where(log[:, None], np.log(np.maximum(X, 1e-9)), X)
    al, be, ga, ph = _ets_grid(m)
    G = len(al)
    if m > 1:
        lvl = Z[:, :m].mean(axis=1)
        seas0 = Z[:, :m] - lvl[:, None]
        if n_t >= 2 * m:
            trend = (Z[:, m : 2 * m].mean(axis=1) - lvl) / m
        else:
            trend = np.zeros(n_s)
        start = m
    else:
        lvl = Z[:, 0].copy()
        seas0 = np.zeros((n_s, 1))
        trend = np.zeros(n_s)
        start = 1
    L = np.repeat(lvl[:, None], G, axis=1)
    B = np.repeat(trend[:, None], G, axis=1) * (be > 0)[None, :]
    SE = np.repeat(seas0[:, None, :], G, axis=1)  # [S, G, m], position t % m
    sse = np.zeros((n_s, G))
    cnt = np.zeros((n_s, 1))
    want = {o: k for k, o in enumerate(origins)}
    mean = np.zeros((n_s, len(origins), h))
    sd = np.zeros_like(mean)
    phi_pows = ph[None, :] ** np.arange(1, h + 1)[:, None]  # [h, G]
    phi_cum = np.cumsum(phi_pows, axis=0)  # [h, G]
    rows = np.arange(n_s)

    def record(t: int, k: int) -> None:
        best = np.argmin(np.where(cnt > 0, sse / np.maximum(cnt, 1), 0.0), axis=1)
        lb, bb = L[rows, best], B[rows, best]
        seas = SE[rows, best]  # [S, m]
        pos = (t + np.arange(h)) % m
        mu = lb[:, None] + phi_cum[:, best].T * bb[:, None] + seas[:, pos]
        sig2 = sse[rows, best] / np.maximum(cnt[:, 0], 1)
        a, b, g = al[best], be[best], ga[best]
        j = np.arange(1, h)
        c = (
            a[:, None]
            + b[:, None] * phi_cum[j - 1][:, best].T
            + g[:, None] * ((j % m) == 0)[None, :]
        )
        v = np.concatenate([np.zeros((n_s, 1)), np.cumsum(c**2, axis=1)], axis=1) + 1.0
        mean[:, k] = mu
        sd[:, k] = np.sqrt(sig2[:, None] * v)

    for t in range(start, n_t + 1):
        if t in want:
            record(t, want[t])
        if t == n_t:
            break
        pos = t % m
        s_old = SE[:, :, pos]
        yhat = L + ph[None, :] * B + s_old
        y = Z[:, t : t + 1]
        o = obs[:, t : t + 1]
        e = np.where(o, y - yhat, 0.0)
        sse += e * e
        cnt += o
        L = L + ph[None, :] * B + al[None, :] * e
        B = ph[None, :] * B + be[None, :] * e
        SE[:, :, pos] = s_old + ga[None, :] * e
    lg = log[:, None, None]
    if lg.any():
        lo80, hi80 = mean - Z80 * sd, mean + Z80 * sd
        lo95, hi95 = mean - Z95 * sd, mean + Z95 * sd
        with np.errstate(over="ignore"):
            res = [
                np.where(lg, np.exp(np.minimum(a, 700)), a) for a in (mean, lo80, hi80, lo95, hi95)
            ]
        return _Paths(*res, seconds=time.perf_counter() - t0)
    return _bands(mean, sd, time.perf_counter() - t0)


def _croston(
    X: np.ndarray, obs: np.ndarray, origins: list[int], h: int, m: int, alpha: float = 0.1
) -> _Paths:
    """Croston with the Syntetos-Boylan correction (SBA), vectorised over series."""
    t0 = time.perf_counter()
    n_s, n_t = X.shape
    Y = np.maximum(X, 0.0)
    z = np.full(n_s, np.nan)
    p = np.full(n_s, np.nan)
    q = np.ones(n_s)
    sse = np.zeros(n_s)
    cnt = np.zeros(n_s)
    want = {o: k for k, o in enumerate(origins)}
    mean = np.zeros((n_s, len(origins), h))
    sd = np.zeros_like(mean)
    steps = np.sqrt(1.0 + alpha**2 * np.arange(h))
    for t in range(n_t + 1):
        f = np.where(
            np.isnan(z), 0.0, (1 - alpha / 2) * np.nan_to_num(z) / np.where(np.isnan(p), 1, p)
        )
        if t in want:
            k = want[t]
            sig = np.sqrt(sse / np.maximum(cnt, 1))
            mean[:, k] = f[:, None]
            sd[:, k] = sig[:, None] * steps[None, :]
        if t == n_t:
            break
        y = Y[:, t]
        ob = obs[:, t]
        started = ~np.isnan(z)
        e = np.where(ob & started, y - f, 0.0)
        sse += e * e
        cnt += ob & started
        pos = ob & (y > 0)
        first = pos & ~started
        z = np.where(first, y, np.where(pos, z + alpha * (y - z), z))
        p = np.where(first, q, np.where(pos, p + alpha * (q - p), p))
        q = np.where(pos, 1.0, q + ob)
    return _bands(mean, sd, time.perf_counter() - t0)


def _sarimax(
    x: np.ndarray,
    obs: np.ndarray,
    origins: list[int],
    h: int,
    m: int,
    *,
    exog: np.ndarray | None,
    log: bool,
) -> _Paths:
    """SARIMAX(0,1,1)(0,1,1,m) — the airline model — (or ARIMA(1,1,1) without seasonality) for one series,
    parameters estimated once on the data before the first origin (and again for the final
    forecast), re-filtered at each later origin. Unobserved values are missing (NaN)."""
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    t0 = time.perf_counter()
    z = np.log(np.maximum(x, 1e-9)) if log else x.astype(float)
    z = np.where(obs, z, np.nan)
    order, sorder = ((0, 1, 1), (0, 1, 1, m)) if m > 1 else ((1, 1, 1), (0, 0, 0, 0))
    mean = np.zeros((1, len(origins), h))
    sd = np.zeros_like(mean)
    fitted = None
    # One BLAS thread: the state-space filter does many tiny matrix products, which extra
    # threads only slow down (2-3x here on a busy 2-core machine).
    with warnings.catch_warnings(), threadpool_limits(1, user_api="blas"):
        warnings.simplefilter("ignore")
        for k, o in enumerate(origins):
            ex_tr = exog[:o] if exog is not None else None
            ex_f = exog[o : o + h] if exog is not None else None
            mod = SARIMAX(
                z[:o],
                exog=ex_tr,
                order=order,
                seasonal_order=sorder,
                concentrate_scale=True,
                initialization="approximate_diffuse",  # exact diffuse init is 10-20x slower
            )
            if fitted is None or k == len(origins) - 1:
                # the fitted parameters only, then one filter: ``fit`` would end with the
                # smoother, whose output nothing here reads (the forecast is the filter's)
                params = mod.fit(
                    disp=False, maxiter=50, start_params=fitted, cov_type="none", return_params=True
                )
                if fitted is None:
                    fitted = params
            else:
                params = fitted
            res = mod.filter(params, cov_type="none")
            fc = res.get_forecast(h, exog=ex_f)
            mean[0, k] = fc.predicted_mean
            sd[0, k] = np.sqrt(np.maximum(fc.var_pred_mean, 0.0))
    p = _bands(mean, sd)
    if log:
        p = _Paths(*(np.exp(np.minimum(a, 700)) for a in (p.mean, p.lo80, p.hi80, p.lo95, p.hi95)))
    return _Paths(p.mean, p.lo80, p.hi80, p.lo95, p.hi95, time.perf_counter() - t0)


def intermittency(Y: np.ndarray) -> pd.DataFrame:
    """Syntetos-Boylan classes per row of ``Y`` (demand per period).

    ADI = periods / non-zero periods; CV² of the non-zero sizes. smooth (ADI ≤ 1.32,
    CV² < 0.49), erratic (ADI ≤ 1.32, CV² ≥ 0.49), intermittent (ADI > 1.32, CV² < 0.49),
    lumpy (ADI > 1.32, CV² ≥ 0.49); "no demand" when every period is zero.

    >>> intermittency(np.array([[0, 0, 3, 0, 0, 3.0]]))["class"].tolist()
    ['intermittent']
    """
    Y = np.asarray(Y, dtype=float)
    nz = Y > 0
    n_nz = nz.sum(axis=1)
    adi = np.where(n_nz > 0, Y.shape[1] / np.maximum(n_nz, 1), np.inf)
    sizes = np.where(nz, Y, np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mu = np.nanmean(sizes, axis=1)
        sdv = np.nanstd(sizes, axis=1)
    cv2 = np.where(n_nz > 0, (sdv / np.where(mu > 0, mu, 1)) ** 2, np.nan)
    cls = np.where(
        n_nz == 0,
        "no demand",
        np.where(
            adi > 1.32,
            np.where(cv2 >= 0.49, "lumpy", "intermittent"),
            np.where(cv2 >= 0.49, "erratic", "smooth"),
        ),
    )
    return pd.DataFrame({"adi": adi, "cv2": cv2, "class": cls})
