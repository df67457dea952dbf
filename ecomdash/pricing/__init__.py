"""Pricing and promotions: price elasticity per product and category, held-out validation,
promotion lift and post-promotion dip, what-if and markdowns.

Data comes from :meth:`ecomdash.store.Store.product_week_prices` (one row per product and
week, computed in SQL); the modules split by concern:

* :mod:`~ecomdash.pricing.features` — price levels, promotion weeks, the model design;
* :mod:`~ecomdash.pricing.models` — the log-log OLS fits (statsmodels, HAC SEs), category
  fits and partial pooling;
* :mod:`~ecomdash.pricing.promotions` — lift and dip with intervals, net revenue/profit;
* :mod:`~ecomdash.pricing.analysis` — :func:`analyze` → :class:`PricingResult`;
* :mod:`~ecomdash.pricing.whatif` — :func:`what_if`, :func:`markdown_candidates`.
"""

from __future__ import annotations

from ecomdash.pricing.analysis import PricingResult, analyze, require_estimates
from ecomdash.pricing.whatif import WhatIfResult, markdown_candidates, what_if

__all__ = [
    "PricingResult",
    "WhatIfResult",
    "analyze",
    "markdown_candidates",
    "require_estimates",
    "what_if",
]
