"""BG/NBD: repeat purchases and P(alive) per customer, fitted by maximum likelihood."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import optimize
from scipy.special import digamma, gammaln, hyp2f1
from threadpoolctl import threadpool_limits

from ecomdash.clv._optim import at_optimum
from ecomdash.errors import InsufficientDataError, ParameterError
from ecomdash.i18n import N_
from ecomdash.i18n.note import note

#: Above this many distinct (frequency, recency, T) rows, BG/NBD's search starts from a fit
#: on a seeded sample of this many customers (see fit_bgnbd).
WARM_START_ROWS = 100_000
WARM_START_SAMPLE = 50_000


# --------------------------------------------------------------------------------------
# BG/NBD
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BGNBDParams:
    """Fitted BG/NBD parameters (``alpha`` is in ``time_unit``)."""

    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float
    n_customers: int
    time_unit: str = "W"
    converged: bool = True

    @property
    def purchases_per_year(self) -> float:
        """Purchases a year of the average customer while still a customer: r / alpha per
        ``time_unit`` (the mean of the gamma-distributed purchase rate), over a year."""
        from ecomdash.clv.data import _unit_days

        return self.r / self.alpha * (365.25 / _unit_days(self.time_unit))

    @property
    def dropout_per_purchase(self) -> float:
        """The average chance to stop buying after a purchase: a / (a + b), the mean of the
        beta-distributed dropout probability."""
        return self.a / (self.a + self.b)

    def as_dict(self) -> dict:
        return {
            "r": self.r,
            "alpha": self.alpha,
            "a": self.a,
            "b": self.b,
            "log_likelihood": self.log_likelihood,
            "n_customers": self.n_customers,
            "time_unit": self.time_unit,
            "converged": self.converged,
        }


def _compress(*cols: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """Distinct rows of the given columns with their counts (weights), in lexicographic
    order — what ``np.unique(np.column_stack(cols), axis=0, return_counts=True)`` gives,
    by one ``np.lexsort`` (np.unique's row sort was seconds at a million customers)."""
    cols = [np.asarray(c, dtype=float) for c in cols]
    n = len(cols[0])
    if n == 0:
        return [c[:0] for c in cols], np.zeros(0)
    order = np.lexsort(cols[::-1])
    s = [c[order] for c in cols]
    new = np.ones(n, dtype=bool)
    new[1:] = np.logical_or.reduce([c[1:] != c[:-1] for c in s])
    starts = np.flatnonzero(new)
    counts = np.diff(np.append(starts, n))
    return [c[starts] for c in s], counts.astype(float)


def _bgnbd_ll_grad(
    logp: np.ndarray, x: np.ndarray, tx: np.ndarray, T: np.ndarray, w: np.ndarray
) -> tuple[float, np.ndarray]:
    """Negative mean log-likelihood and its gradient w.r.t. log-parameters."""
    r, alpha, a, b = np.exp(logp)
    A1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    A2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    A3 = -(r + x) * np.log(alpha + T)
    pos = x > 0
    bx1 = np.where(pos, b + x - 1.0, 1.0)
    A4 = np.where(pos, np.log(a) - np.log(bx1) - (r + x) * np.log(alpha + tx), -np.inf)
    m = np.maximum(A3, A4)
    e3 = np.exp(A3 - m)
    e4 = np.exp(A4 - m)
    s = e3 + e4
    w3, w4 = e3 / s, e4 / s
    ll = A1 + A2 + m + np.log(s)
    W = w.sum()
    nll = -float(np.dot(w, ll)) / W

    d_r = (
        digamma(r + x)
        - digamma(r)
        + np.log(alpha)
        - w3 * np.log(alpha + T)
        - w4 * np.log(alpha + tx)
    )
    d_alpha = r / alpha - w3 * (r + x) / (alpha + T) - w4 * (r + x) / (alpha + tx)
    d_a = digamma(a + b) - digamma(a + b + x) + w4 / a
    d_b = digamma(a + b) + digamma(b + x) - digamma(b) - digamma(a + b + x) - w4 / bx1
    grad = np.array(
        [np.dot(w, d_r) * r, np.dot(w, d_alpha) * alpha, np.dot(w, d_a) * a, np.dot(w, d_b) * b]
    )
    return nll, -grad / W


def _check_rft(frequency, recency, T) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = np.asarray(frequency, dtype=float)
    tx = np.asarray(recency, dtype=float)
    TT = np.asarray(T, dtype=float)
    if not (x.shape == tx.shape == TT.shape) or x.ndim != 1:
        raise ParameterError(
            note(
                N_(
                    "frequency, recency and T must be 1-D arrays of the same length; got shapes "
                    "{x}, {tx}, {T}."
                ),
                x=str(x.shape),
                tx=str(tx.shape),
                T=str(TT.shape),
            )
        )
    bad = (x < 0) | (tx < 0) | (TT < tx) | ~np.isfinite(x + tx + TT) | ((x == 0) & (tx != 0))
    if bad.any():
        raise ParameterError(
            note(
                N_(
                    "{n} customers have an impossible (frequency, recency, T): need 0 <= recency "
                    "<= T and recency = 0 when frequency = 0. Recompute them with rfm_summary()."
                ),
                n=int(bad.sum()),
            )
        )
    return x, tx, TT


def fit_bgnbd(
    frequency: np.ndarray | pd.Series,
    recency: np.ndarray | pd.Series,
    T: np.ndarray | pd.Series,
    *,
    time_unit: str = "W",
) -> BGNBDParams:
    """Maximum-likelihood BG/NBD (Fader, Hardie & Lee 2005).

    >>> p = fit_bgnbd([2, 1, 0, 0, 3, 0] * 20, [30., 2., 0., 0., 20., 0.] * 20, [39.] * 120)
    >>> p.r > 0 and p.alpha > 0
    True
    """
    x, tx, TT = _check_rft(frequency, recency, T)
    if len(x) == 0:
        raise InsufficientDataError(note(N_("BG/NBD needs at least one customer; found none.")))
    if (x > 0).sum() == 0:
        raise InsufficientDataError(
            note(
                N_(
                    "BG/NBD needs repeat buyers; found 0 of {n} customers. Use a longer history or "
                    "an earlier cut-off."
                ),
                n=f"{len(x):,}",
            )
        )
    (cx, ctx, cT), w = _compress(x, tx, TT)
    scale = max(float(np.mean(TT)), 1e-6)
    starts = [np.log([1.0, scale, 1.0, 1.0]), np.log([0.3, scale / 4, 0.8, 2.5])]
    if len(cx) > WARM_START_ROWS and len(x) > 2 * WARM_START_SAMPLE:
        # Many distinct customers (a million-customer shop): start from the optimum of a
        # seeded sample, so the full likelihood needs a few dozen evaluations instead of
        # ~100. The same maximum is reached (the tolerances below are unchanged); only
        # where the search starts differs.
        rows = np.random.default_rng(0).choice(len(x), size=WARM_START_SAMPLE, replace=False)
        try:
            p0 = fit_bgnbd(x[rows], tx[rows], TT[rows], time_unit=time_unit)
            starts.insert(0, np.log([p0.r, p0.alpha, p0.a, p0.b]))
        except InsufficientDataError:
            pass
    best = None
    for start in starts:
        # one BLAS thread: L-BFGS-B's tiny LAPACK calls slow down 5x with threads on a busy machine
        with np.errstate(all="ignore"), threadpool_limits(1, user_api="blas"):
            res = optimize.minimize(
                _bgnbd_ll_grad,
                start,
                args=(cx, ctx, cT, w),
                jac=True,
                method="L-BFGS-B",
                bounds=[(-12.0, 12.0)] * 4,
                options={"maxiter": 2000, "ftol": 1e-13, "gtol": 1e-9},
            )
        if np.isfinite(res.fun) and (best is None or res.fun < best.fun):
            best = res
        if best is not None and best.success:
            break
    if best is None:
        raise InsufficientDataError(
            note(
                N_(
                    "The BG/NBD fit failed (the likelihood was not finite). Check for customers "
                    "with extreme purchase counts or use a longer history."
                )
            )
        )
    r, alpha, a, b = (float(v) for v in np.exp(best.x))
    at_bound = bool(np.any(np.abs(best.x) > 11.9))
    return BGNBDParams(
        r=r,
        alpha=alpha,
        a=a,
        b=b,
        log_likelihood=-float(best.fun) * float(w.sum()),
        n_customers=len(x),
        time_unit=time_unit,
        converged=at_optimum(best) and not at_bound,
    )


def bgnbd_p_alive(params: BGNBDParams, frequency, recency, T) -> np.ndarray:
    """P(customer still alive at T | x, t_x, T)."""
    x, tx, TT = (np.asarray(v, dtype=float) for v in (frequency, recency, T))
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    pos = x > 0
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        log_ratio = (
            np.log(a)
            - np.log(np.where(pos, b + x - 1.0, 1.0))
            + (r + x) * (np.log(alpha + TT) - np.log(alpha + tx))
        )
        out = np.where(pos, 1.0 / (1.0 + np.exp(log_ratio)), 1.0)
    return out


#: how close to 1 the dropout shape ``a`` may come before the expectations, which divide by
#: ``a - 1`` (0 / 0 at a = 1: NaN), are taken as the mean of both sides of 1 instead
_A_NEAR_ONE = 1e-6


def _across_a_one(fn, params: BGNBDParams, *args):
    """``fn(params, *args)`` continued through a = 1, where its formula is 0 / 0 but its value
    (a limit, smooth in a) is finite: the mean of ``fn`` at 1 − δ and 1 + δ.

    A plain function called at each call, not a decorator: mutation testing (mutmut) can only
    reach code that runs after import, and it skips decorated functions altogether."""
    if abs(params.a - 1.0) >= _A_NEAR_ONE:
        return fn(params, *args)
    lo = fn(replace(params, a=1.0 - _A_NEAR_ONE), *args)
    hi = fn(replace(params, a=1.0 + _A_NEAR_ONE), *args)
    return (lo + hi) / 2


def bgnbd_expected_unconditional(params: BGNBDParams, t) -> np.ndarray:
    """E[X(t)]: expected repeat purchases in (0, t] for a customer who just made a first purchase."""
    return _across_a_one(_expected_unconditional, params, t)


def bgnbd_expected_purchases(params: BGNBDParams, t: float, frequency, recency, T) -> np.ndarray:
    """E[Y(t) | x, t_x, T]: expected purchases in the next ``t`` time units."""
    return _across_a_one(_expected_purchases, params, t, frequency, recency, T)


def _expected_unconditional(params: BGNBDParams, t) -> np.ndarray:
    """:func:`bgnbd_expected_unconditional`'s formula (0 / 0 at a = 1)."""
    t = np.maximum(np.asarray(t, dtype=float), 0.0)
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    z = t / (alpha + t)
    with np.errstate(all="ignore"):
        val = (
            (a + b - 1.0)
            / (a - 1.0)
            * (1.0 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1.0, z))
        )
    return np.where(t > 0, val, 0.0)


def _expected_purchases(params: BGNBDParams, t: float, frequency, recency, T) -> np.ndarray:
    """:func:`bgnbd_expected_purchases`' formula (0 / 0 at a = 1)."""
    x, tx, TT = (np.asarray(v, dtype=float) for v in (frequency, recency, T))
    r, alpha, a, b = params.r, params.alpha, params.a, params.b
    t = float(t)
    if t <= 0:
        return np.zeros_like(x)
    z = t / (alpha + TT + t)
    with np.errstate(all="ignore"):
        num = (a + b + x - 1.0) / (a - 1.0)
        num = num * (
            1.0
            - ((alpha + TT) / (alpha + TT + t)) ** (r + x)
            * hyp2f1(r + x, b + x, a + b + x - 1.0, z)
        )
    return num * bgnbd_p_alive(params, x, tx, TT)


def bgnbd_p_purchase_within(params: BGNBDParams, t: float, frequency, recency, T) -> np.ndarray:
    """P(at least one purchase in the next ``t`` time units | x, t_x, T).

    An alive customer stays alive until the next purchase, so this is
    P(alive) * (1 - ((alpha+T)/(alpha+T+t))^(r+x)).
    """
    x, tx, TT = (np.asarray(v, dtype=float) for v in (frequency, recency, T))
    r, alpha = params.r, params.alpha
    pa = bgnbd_p_alive(params, x, tx, TT)
    return pa * (1.0 - ((alpha + TT) / (alpha + TT + float(t))) ** (r + x))


def bgnbd_median_time_to_next(params: BGNBDParams, frequency, recency, T) -> np.ndarray:
    """Time (units) until P(purchased again) reaches 50%; ``inf`` when it never does (P(alive) <= 0.5)."""
    x, tx, TT = (np.asarray(v, dtype=float) for v in (frequency, recency, T))
    pa = bgnbd_p_alive(params, x, tx, TT)
    with np.errstate(all="ignore"):
        t = (params.alpha + TT) * ((1.0 - 0.5 / pa) ** (-1.0 / (params.r + x)) - 1.0)
    return np.where(pa > 0.5, t, np.inf)


def simulate_bgnbd(
    params: BGNBDParams, *, n: int, T: float, horizon: float = 0.0, seed: int = 0
) -> pd.DataFrame:
    """Simulate ``n`` customers from BG/NBD, all first buying at time 0.

    Returns ``frequency, recency, T`` over ``(0, T]`` plus ``holdout`` (purchases in
    ``(T, T+horizon]``) and ``alive`` (still alive at T).
    """
    rng = np.random.default_rng(seed)
    lam = rng.gamma(params.r, 1.0 / params.alpha, size=n)
    p = rng.beta(params.a, params.b, size=n)
    t = np.zeros(n)
    active = np.ones(n, dtype=bool)
    x = np.zeros(n)
    tx = np.zeros(n)
    hold = np.zeros(n)
    alive_at_T = np.ones(n, dtype=bool)
    end = T + horizon
    while active.any():
        idx = np.flatnonzero(active)
        t[idx] += rng.exponential(1.0 / lam[idx])
        inside = t[idx] <= end
        done = idx[~inside]
        active[done] = False
        idx = idx[inside]
        cal = t[idx] <= T
        x[idx[cal]] += 1
        tx[idx[cal]] = t[idx[cal]]
        hold[idx[~cal]] += 1
        drop = rng.random(idx.size) < p[idx]
        dead = idx[drop]
        active[dead] = False
        alive_at_T[dead[t[dead] <= T]] = False
    return pd.DataFrame(
        {
            "frequency": x,
            "recency": tx,
            "T": np.full(n, float(T)),
            "holdout": hold,
            "alive": alive_at_T,
        }
    )
