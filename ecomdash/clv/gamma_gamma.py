"""Gamma-Gamma: expected spend per order per customer, fitted by maximum likelihood."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize
from scipy.special import digamma, gammaln
from threadpoolctl import threadpool_limits

from ecomdash.clv._optim import at_optimum
from ecomdash.errors import InsufficientDataError
from ecomdash.i18n import N_
from ecomdash.i18n.note import note

# --------------------------------------------------------------------------------------
# Gamma-Gamma
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GammaGammaParams:
    """Fitted Gamma-Gamma spend model (Fader, Hardie & Lee 2005, "RFM and CLV")."""

    p: float
    q: float
    v: float
    log_likelihood: float
    n_customers: int
    converged: bool = True

    @property
    def mean_spend(self) -> float:
        """Population mean spend per order, p*v/(q-1) (infinite when q <= 1)."""
        return self.p * self.v / (self.q - 1.0) if self.q > 1 else math.inf

    def as_dict(self) -> dict:
        return {
            "p": self.p,
            "q": self.q,
            "v": self.v,
            "log_likelihood": self.log_likelihood,
            "n_customers": self.n_customers,
            "converged": self.converged,
        }


def _gg_ll_grad(logp: np.ndarray, x: np.ndarray, m: np.ndarray) -> tuple[float, np.ndarray]:
    p, q, v = np.exp(logp)
    px = p * x
    xm_v = x * m + v
    ll = (
        gammaln(px + q)
        - gammaln(px)
        - gammaln(q)
        + q * np.log(v)
        + (px - 1.0) * np.log(m)
        + px * np.log(x)
        - (px + q) * np.log(xm_v)
    )
    n = len(x)
    d_p = x * (digamma(px + q) - digamma(px) + np.log(m) + np.log(x) - np.log(xm_v))
    d_q = digamma(px + q) - digamma(q) + np.log(v) - np.log(xm_v)
    d_v = q / v - (px + q) / xm_v
    grad = np.array([d_p.sum() * p, d_q.sum() * q, d_v.sum() * v])
    return -float(ll.sum()) / n, -grad / n


def fit_gamma_gamma(frequency, monetary_value) -> GammaGammaParams:
    """Maximum-likelihood Gamma-Gamma on repeat buyers (frequency > 0, monetary_value > 0)."""
    x = np.asarray(frequency, dtype=float)
    m = np.asarray(monetary_value, dtype=float)
    keep = (x > 0) & (m > 0) & np.isfinite(m)
    x, m = x[keep], m[keep]
    if len(x) < 2:
        raise InsufficientDataError(
            note(
                N_(
                    "Gamma-Gamma needs repeat buyers with a positive spend; found {n}. Use a longer "
                    "history or check the revenue column."
                ),
                n=len(x),
            )
        )
    with np.errstate(over="ignore"):  # spends whose sum overflows: the fit says it failed
        scale = float(np.mean(m))
    best = None
    for start in (np.log([1.0, 2.0, scale]), np.log([5.0, 3.0, scale])):
        with np.errstate(all="ignore"), threadpool_limits(1, user_api="blas"):
            res = optimize.minimize(
                _gg_ll_grad,
                start,
                args=(x, m),
                jac=True,
                method="L-BFGS-B",
                bounds=[(-12.0, 12.0), (-12.0, 12.0), (-20.0, 25.0)],
                options={"maxiter": 2000, "ftol": 1e-14, "gtol": 1e-9},
            )
        if np.isfinite(res.fun) and (best is None or res.fun < best.fun):
            best = res
    if best is None:
        raise InsufficientDataError(note(N_("The Gamma-Gamma fit failed (non-finite likelihood).")))
    p, q, v = (float(c) for c in np.exp(best.x))
    return GammaGammaParams(
        p=p,
        q=q,
        v=v,
        log_likelihood=-float(best.fun) * len(x),
        n_customers=len(x),
        converged=at_optimum(best) and bool(np.all(np.abs(best.x[:2]) < 11.9)),
    )


def gamma_gamma_expected_spend(params: GammaGammaParams, frequency, monetary_value) -> np.ndarray:
    """E[spend per order | x, m̄] = (p (v + x m̄)) / (p x + q - 1); the population mean for x = 0."""
    x = np.asarray(frequency, dtype=float)
    m = np.asarray(monetary_value, dtype=float)
    p, q, v = params.p, params.q, params.v
    m = np.where(x > 0, m, 0.0)
    with np.errstate(all="ignore"):
        return p * (v + x * m) / (p * x + q - 1.0)


def simulate_gamma_gamma(
    p: float, q: float, v: float, *, frequency: np.ndarray, seed: int = 0
) -> np.ndarray:
    """Mean spend per customer simulated from Gamma-Gamma for the given repeat counts."""
    rng = np.random.default_rng(seed)
    x = np.asarray(frequency, dtype=int)
    nu = rng.gamma(q, 1.0 / v, size=len(x))
    # sum of x Gamma(p, nu) draws is Gamma(p x, nu)
    total = rng.gamma(p * np.maximum(x, 1), 1.0 / nu)
    return total / np.maximum(x, 1)
