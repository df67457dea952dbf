"""The demo merchant: a generated gift & homeware shop with planted, documented truths.

``generate(seed)`` returns :class:`Demo` — the canonical order-line table (``schema.DTYPES``)
and :class:`DemoTruth`, the facts the generator planted so that every analysis can be tested
against a known answer (bundles with a known lift, customer groups, churners, price
elasticities, weekly/yearly seasonality, holiday peaks and trend).

Mechanism (all vectorised, one ``numpy.random.Generator`` seeded with ``seed``):

* Day intensity ``I(d) = trend(d) * weekly(dow) * yearly(doy) * holiday(d)``. A customer with
  ``n`` orders places its j-th order at a uniform position inside the j-th ``n``-quantile of the
  cumulative intensity (regular-ish gaps, as real repeat buyers have); guest orders are
  independent draws. Either way every order's day is marginally distributed as
  ``I(d) / sum(I)``, so expected orders per day are exactly proportional to ``I``
  (``truth.expected_orders``).
* Regular customers (``n_customers``, 3,000) belong to one of five groups
  (``truth.customer_groups``) that differ in
  order count, basket size, quantities, price level, favourite categories, channel and
  return rate. Churners ("lapsed regulars") keep the same order process over the whole period,
  but their orders on or after their churn date are placed as guests (no customer id), so the
  aggregate series keeps its planted shape while the customers themselves stop buying.
* New customers (``n_new_customers``, default twice ``n_customers``: 6,000; their own stream
  ``np.random.default_rng([seed, 16])``, ``truth.new_customers``) are acquired all along: 85 %
  buy once, the rest 2 + Poisson(0.8) times. Their orders are independent draws of the
  intensity, so acquisitions follow it (growth, Q4, Black Friday, Christmas run-up), and
  their ids are numbered by first order. They order like guests (same basket profile).
  With them ~57 % of all customers buy once (CDNOW: 51 % of a cohort in 78 weeks), the
  regulars are the loyal third that places most orders, and ~23 % of customers first
  appear in the first month (UCI Online Retail II: 22 %: a shop that existed before its
  export starts).
* Guest orders (no customer id) make up about 10 % of orders.
* Each order gets 1–6 "catalogue" products drawn without replacement (Gumbel top-k) from a
  Zipf-like popularity weighted by the group's price preference and favourite categories.
  Thirteen "special" products never come from that draw: the eight bundle products and the
  five price-elastic products are added by independent per-order Bernoulli draws, which makes
  their order-level lift and demand response exact functions of the planted parameters.
* Returns: a sale line is returned with a group-specific probability 1–30 days later as a line
  of order ``"C" + order_id`` with negative quantity; the sale line gets ``is_cancelled``.
* Non-product lines: ``POST`` (postage on some small web/app orders) and ``FEE`` (bank
  charges on some marketplace orders), flagged ``is_non_product``.

Known limitation: the regulars are an existing customer base — a customer with ``n`` orders
places the first within the first ``1/n`` of the period — so about 90 % of them have their
first order in the first six months; the steady acquisition comes from the new customers.
Spreading the regulars' sign-ups makes tenure vary within every group, and k-means on the
documented features then no longer recovers the groups (ARI fell to 0.70–0.78 when 15–50 %
of "occasional" customers signed up late). Over all customers (regulars and new) the
segmentation picks k = 3 and quintile RFM puts churners in the middle recency quintile, so
the groups and churners are recovered among the regulars (tests/unit/test_segment.py).
"""

# ruff: noqa: F401  (re-exports: ecomdash.demo keeps every name it had as one module)
from __future__ import annotations

# The package is split by concern; every name (public and the private constants that
# ecomdash.demo_scale and the tests use) stays importable from ``ecomdash.demo``.
from ecomdash.demo.catalogue import (
    _BUNDLES,
    _CATALOGUE,
    _CATEGORY_CODES,
    _ELASTIC,
    DEFAULT_START,
    _bundle_truth,
    _catalogue,
    _ro,
)
from ecomdash.demo.generator import generate
from ecomdash.demo.plants import _INCIDENT_STREAM, _plant_incidents
from ecomdash.demo.profiles import (
    _BULK_PACKS,
    _CHANNEL_P,
    _CHANNELS,
    _CHURN_GROUP,
    _COUNTRIES,
    _COUNTRY_P,
    _FAV_BOOST,
    _FEE_PRICE,
    _GUEST,
    _GUEST_SHARE,
    _K_MIN,
    _K_N,
    _K_P,
    _N_EXTRA,
    _N_FAV,
    _N_MIN,
    _POP_GAMMA,
    _POSTAGE_PRICE,
    _PRICE_BETA,
    _QTY_EXTRA,
    _RETURN_RATE,
    _SHARE,
    _TREND,
    _WEEKLY,
    _YEARLY_AMPLITUDE,
    _YEARLY_PEAK_DOY,
    GROUPS,
    _black_friday,
    _holidays,
    _intensity,
)
from ecomdash.demo.types import INCIDENT_COLUMNS, Bundle, Demo, DemoTruth, HolidayEffect

__all__ = [
    "Bundle",
    "Demo",
    "DemoTruth",
    "HolidayEffect",
    "generate",
    "DEFAULT_START",
    "INCIDENT_COLUMNS",
]
