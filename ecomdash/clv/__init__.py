"""Customer lifetime value: BG/NBD (purchases, P(alive)) and Gamma-Gamma (spend per order).

A compact maximum-likelihood implementation with scipy rather than a library: ``lifetimes``
has had no release since 2020 and ``pymc-marketing`` brings a probabilistic-programming stack.
The log-likelihoods are vectorised (``gammaln``/``digamma``), with analytic gradients, fitted
by L-BFGS-B on log-parameters over the distinct ``(x, t_x, T)`` rows (weighted); on the CDNOW
summary this reproduces Fader, Hardie & Lee (2005): r=0.2426, alpha=4.4135, a=0.7929, b=2.4258,
LL=-9582.43.

Purchases are counted once per customer-day (the standard CDNOW convention): ``frequency`` is
the number of *repeat* purchase days, ``recency`` the time from the first to the last purchase,
``T`` the time from the first purchase to the cut-off, in ``time_unit`` (weeks by default).

The package, by concern: :mod:`.data` (customer-days, the RFM summary, CDNOW readers),
:mod:`.bgnbd` and :mod:`.gamma_gamma` (the two models), :mod:`.calibration` (holdout check),
:mod:`.value` (the customer-value analysis the page, CLI and report use).
"""

from __future__ import annotations

from ecomdash.clv.bgnbd import (
    BGNBDParams,
    bgnbd_expected_purchases,
    bgnbd_expected_unconditional,
    bgnbd_median_time_to_next,
    bgnbd_p_alive,
    bgnbd_p_purchase_within,
    fit_bgnbd,
    simulate_bgnbd,
)
from ecomdash.clv.calibration import CalibrationResult, calibration_holdout
from ecomdash.clv.data import DAYS_PER_MONTH, TIME_UNITS, customer_days, read_cdnow, rfm_summary
from ecomdash.clv.gamma_gamma import (
    GammaGammaParams,
    fit_gamma_gamma,
    gamma_gamma_expected_spend,
    simulate_gamma_gamma,
)
from ecomdash.clv.value import (
    MAX_SPEND_FREQUENCY_CORR,
    MIN_REPEAT_BUYERS,
    CLVResult,
    customer_value,
    customer_value_days,
)

__all__ = [
    "TIME_UNITS",
    "DAYS_PER_MONTH",
    "MIN_REPEAT_BUYERS",
    "MAX_SPEND_FREQUENCY_CORR",
    "customer_days",
    "rfm_summary",
    "read_cdnow",
    "BGNBDParams",
    "fit_bgnbd",
    "bgnbd_p_alive",
    "bgnbd_expected_unconditional",
    "bgnbd_expected_purchases",
    "bgnbd_p_purchase_within",
    "bgnbd_median_time_to_next",
    "simulate_bgnbd",
    "GammaGammaParams",
    "fit_gamma_gamma",
    "gamma_gamma_expected_spend",
    "simulate_gamma_gamma",
    "CalibrationResult",
    "calibration_holdout",
    "CLVResult",
    "customer_value",
    "customer_value_days",
]
