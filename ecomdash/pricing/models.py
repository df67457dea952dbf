"""Log-log demand models: per product, per category (pooled), partial pooling, validation.

Per product, on the weeks with sales::

    log(units / store orders) = a + e · log(price) + g · promo + h · post

(units per order of the whole store that week: the store's orders carry trend, seasons and
holidays, as an offset with coefficient one — a free coefficient overfitted and lost to the
naive forecast on UCI, 1.07× vs 0.96×; without store orders the design uses ``log(units)``
with a linear trend and a yearly harmonic instead), fitted by OLS (statsmodels) with HAC (Newey-West, 2 lags) standard errors and a Student-t
interval; ``e`` is the elasticity. Per category the same design with one intercept per product
(only products whose price varied). Partial pooling combines a product's own estimate with its
category's as precision-weighted normals: prior mean = category estimate, prior variance =
between-product variance ``tau²`` (DerSimonian-Laird over the category's products, at least
``TAU_FLOOR²``) plus the category estimate's own variance.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from ecomdash.i18n import _, _n, fmt
from ecomdash.pricing.features import design, price_levels

HAC_LAGS = 2
TAU_FLOOR = 0.25


def eligibility(
    weeks: pd.DataFrame, *, min_weeks: int, min_levels: int, min_spread: float
) -> tuple[int, int, str]:
    """(weeks, price levels, reason) — reason is "" when the product can have its own model.

    Levels and spread are counted on regular (non-promotion) weeks: a price that moves only
    in promotions is absorbed by the promotion term and says nothing about elasticity.
    """
    n = len(weeks)
    reg = weeks.loc[~weeks["promo"]] if "promo" in weeks else weeks
    prices = reg["median_price"]
    raw_levels = int(prices.round(2).nunique())
    levels = price_levels(prices)
    if n < min_weeks:
        return n, levels, too_few_weeks(n, min_weeks)
    if raw_levels <= 1:
        return n, levels, _("one price in all {n} weeks", n=n)
    if levels < min_levels:
        return (
            n,
            levels,
            _("the price differed in only one week")
            if raw_levels == 2
            else _(
                "no price held for 2+ weeks except one (needs {levels} levels)", levels=min_levels
            ),
        )
    spread = float(np.log(prices.max() / prices.min()))
    if spread < min_spread:
        return (
            n,
            levels,
            _(
                "prices vary by only {spread} (needs {needed})",
                spread=fmt.pct(np.expm1(spread), 1),
                needed=fmt.pct(min_spread, 0),
            ),
        )
    return n, levels, ""


def too_few_weeks(n: int, min_weeks: int) -> str:
    """The reason a product with ``n`` weeks of sales gets no model of its own."""
    return _n(
        "only {n} week of sales (needs {needed})",
        "only {n} weeks of sales (needs {needed})",
        n,
        needed=min_weeks,
    )


def fit_ols(y: np.ndarray, X: pd.DataFrame, *, cov: str = "HAC"):
    """statsmodels OLS with robust SEs (HAC for one product's weeks, HC1 for a stacked panel)."""
    model = sm.OLS(y, X)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if cov == "HAC":
            return model.fit(cov_type="HAC", cov_kwds={"maxlags": HAC_LAGS}, use_t=True)
        return model.fit(cov_type="HC1", use_t=True)


def fit_product(
    weeks: pd.DataFrame, *, t0: pd.Timestamp, level: float = 0.90
) -> dict[str, float] | None:
    """Elasticity of one product (its weeks with ``promo``/``post`` flags); None if singular."""
    seasonal = (weeks["week"].max() - weeks["week"].min()).days >= 364
    X = design(weeks, t0=t0, seasonal=seasonal)
    y = np.log(weeks["units"].to_numpy(dtype=float))
    if "log_orders" in X:
        y = y - X["log_orders"].to_numpy()
        X = X.drop(columns="log_orders")
    if len(y) <= X.shape[1] + 2 or np.linalg.matrix_rank(X.to_numpy()) < X.shape[1]:
        return None
    res = fit_ols(y, X)
    e = float(res.params["log_price"])
    se = float(res.bse["log_price"])
    if not np.isfinite(se) or se <= 0:
        return None
    lo, hi = (float(v) for v in res.conf_int(alpha=1 - level).loc["log_price"])
    resid = np.asarray(res.resid)
    return {
        "elasticity": e,
        "se": se,
        "ci_low": lo,
        "ci_high": hi,
        "df_resid": float(res.df_resid),
        "r2": float(res.rsquared),
        "smear": float(np.mean(np.exp(resid))),
        "seasonal": seasonal,
        "params": res.params.to_dict(),
    }


def predict_units(
    fit: dict, weeks: pd.DataFrame, *, t0: pd.Timestamp, median: bool = False
) -> np.ndarray:
    """Units of a fitted product model at ``weeks``' prices: the mean (Duan smearing), or
    with ``median`` the median ``exp(X·b)``."""
    X = design(weeks, t0=t0, seasonal=fit["seasonal"])
    for c in ("promo", "post"):
        # the design leaves out a flag every week has (beside the intercept it cannot be
        # fitted), but a forecast of weeks that are all promotion weeks needs it
        if c in weeks and c not in X:
            X[c] = weeks[c].astype(float).to_numpy()
    off = X["log_orders"].to_numpy() if "log_orders" in X else 0.0
    params = pd.Series(fit["params"])
    X = X.reindex(columns=params.index, fill_value=0.0)
    return np.exp(X.to_numpy() @ params.to_numpy() + off) * (1.0 if median else fit["smear"])


def fit_category(
    panel: pd.DataFrame, *, t0: pd.Timestamp, level: float = 0.90
) -> dict[str, float] | None:
    """Pooled elasticity of a category: the same design with one intercept per product."""
    if panel["product_id"].nunique() < 1 or len(panel) < 8:
        return None
    seasonal = (panel["week"].max() - panel["week"].min()).days >= 364
    X = design(panel, t0=t0, seasonal=seasonal).drop(columns="const")
    off = X.pop("log_orders").to_numpy() if "log_orders" in X else 0.0
    for c in ("promo", "post"):  # per-product flags may be all-false in the stack
        if c in panel and c not in X and panel[c].any():
            X[c] = panel[c].astype(float).to_numpy()
    dummies = pd.get_dummies(panel["product_id"], prefix="p", dtype=float)
    X = pd.concat([dummies.set_axis(X.index), X], axis=1)
    y = np.log(panel["units"].to_numpy(dtype=float)) - off
    if len(y) <= X.shape[1] + 2 or np.linalg.matrix_rank(X.to_numpy()) < X.shape[1]:
        return None
    res = fit_ols(y, X, cov="HC1")
    lo, hi = (float(v) for v in res.conf_int(alpha=1 - level).loc["log_price"])
    return {
        "elasticity": float(res.params["log_price"]),
        "se": float(res.bse["log_price"]),
        "ci_low": lo,
        "ci_high": hi,
        "n_products": int(panel["product_id"].nunique()),
        "weeks": int(len(panel)),
    }


def tau_squared(est: np.ndarray, se: np.ndarray) -> float:
    """DerSimonian-Laird between-product variance of the estimates (floored at TAU_FLOOR²).

    >>> round(tau_squared(np.array([-1.0, -1.0]), np.array([0.1, 0.1])), 4)
    0.0625
    """
    k = len(est)
    if k < 2:
        return TAU_FLOOR**2
    w = 1.0 / se**2
    mean = np.sum(w * est) / w.sum()
    q = float(np.sum(w * (est - mean) ** 2))
    denom = float(w.sum() - np.sum(w**2) / w.sum())
    tau2 = max(0.0, (q - (k - 1)) / denom) if denom > 0 else 0.0
    return max(tau2, TAU_FLOOR**2)


def shrink(
    own: float, own_se: float, prior: float, prior_var: float, *, level: float = 0.90
) -> tuple[float, float, float, float]:
    """Precision-weighted combination of two normal estimates: (mean, se, low, high).

    >>> [round(v, 3) for v in shrink(-2.0, 1.0, -1.0, 1.0)[:2]]
    [-1.5, 0.707]
    """
    w1, w2 = 1.0 / own_se**2, 1.0 / prior_var
    mean = (w1 * own + w2 * prior) / (w1 + w2)
    se = float(np.sqrt(1.0 / (w1 + w2)))
    z = float(stats.norm.ppf(0.5 + level / 2))
    return float(mean), se, float(mean - z * se), float(mean + z * se)
