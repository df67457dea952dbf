"""Public result types of the demo generator: :class:`Demo`, :class:`DemoTruth` and the
planted :class:`Bundle` and :class:`HolidayEffect`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

#: Columns of ``DemoTruth.incidents``.
INCIDENT_COLUMNS = ["incident", "date", "rule", "product_id", "customer_id", "order_id", "detail"]


# ----------------------------------------------------------------------------------------
# Public types
# ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bundle:
    """A planted product pair: how often they are bought together, measured over orders.

    ``lift = P(A and B) / (P(A) * P(B))`` and ``support = P(A and B)`` where P is the share
    of sales orders (distinct ``order_id`` of ``schema.sales_lines(lines)``, guest orders
    included) that contain the product. ``confidence = P(B | A)``. Values are the expected
    values of the generating mechanism, not measured on the sample.
    """

    antecedent: str
    consequent: str
    lift: float
    support: float
    confidence: float


@dataclass(frozen=True)
class HolidayEffect:
    """A named multiplier on the expected orders of specific days (``dates``)."""

    name: str
    dates: tuple[date, ...]
    multiplier: float


@dataclass(frozen=True, eq=False)
class DemoTruth:
    """What the demo generator planted (expected values of the mechanism).

    Fields:

    * ``seed``, ``start``, ``end``: the generator seed and the first/last day with orders.
    * ``bundles``: tuple of :class:`Bundle` — four product-id pairs with lift ≈ 3–8 and support
      ≥ 1 % of sales orders (see :class:`Bundle` for the exact definitions).
    * ``customer_groups``: ``pd.Series`` customer_id → group name, one of ``GROUPS``:
      "frequent small" (~24 small orders of cheap items from 2 favourite categories),
      "occasional" (4–8 medium orders), "bulk buyers" (2–7 orders of 3–6 products in packs
      of 6–24: the largest order values), "premium" (~13 orders of expensive products from
      many categories, ~12 % of lines returned), "lapsed regulars" (the churners: ~12 orders,
      then nothing for the last 5–7 months). Every customer in it has ≥ 2 sales orders.
      These are the regular customers only (not ``new_customers``).
      Group sizes for 3,000 customers: 810 / 1,110 / 240 / 540 / 300. k-means (k = 5) on
      log1p-standardised recency, frequency, monetary, AOV, tenure, inter-purchase time,
      category breadth and return rate recovers them with ARI ≈ 0.97.
    * ``churners``: ``pd.Series`` customer_id → churn date (``datetime64``): the customer has
      no line at all (sales or returns) on or after that date, 150–210 days before ``end``;
      all are in ``customer_groups`` as "lapsed regulars". At the end their quintile RFM
      recency score is 1–2 and frequency score ≤ 4 (At risk / Hibernating / Lost, not
      "Can't lose them"). Their later orders still happen, as guest orders.
    * ``elasticity``: dict product_id → price elasticity (units per order ∝ price**elasticity).
    * ``price_changes``: DataFrame ``product_id, date, old_price, new_price`` — one change per
      elastic product; lines from ``date`` (inclusive) on carry ``new_price``.
    * ``weekly_profile``: 7 multipliers Mon..Sun (mean 1) on expected orders per day.
    * ``yearly_amplitude``: ``A`` in ``1 + A*cos(2π(doy - yearly_peak_doy)/365.25)``.
    * ``yearly_peak_doy``: day of year of the smooth yearly peak (early December).
    * ``holiday_peak``: tuple of :class:`HolidayEffect` (Singles' Day 11.11, Black Friday,
      Cyber Monday, Christmas run-up, Christmas/Boxing Day lull) multiplying expected orders.
    * ``trend``: growth per year, expected orders ∝ ``(1 + trend) ** (days / 365.25)``.
    * ``expected_orders``: ``pd.Series`` date → expected number of sales orders that day (the
      product of all the above, scaled to the expected total).
    * ``guest_share``: expected share of sales orders without a customer id.
    * ``products``: DataFrame ``product_id, product_name, category, base_price, popularity,
      kind`` (kind: "catalogue", "bundle" or "elastic"; ``popularity`` is the Zipf-like draw
      weight of catalogue products, summing to 1, and 0 for bundle/elastic products, which
      enter orders only through their own per-order draws).
    * ``favourite_categories``: ``pd.Series`` customer_id → tuple of favourite categories
      (empty for groups without favourites).
    * ``category_elasticity``: dict category → planted elasticity (−0.4 … −2.5), followed by
      ``planted_elasticity`` (dict product_id → elasticity: the two most popular catalogue
      products of each category, whose units answer their price path). See
      :mod:`ecomdash.demo_pricing`.
    * ``price_plan``: DataFrame ``product_id, start, end, price, kind`` (kind: "regular",
      "promotion", "dip") — the price of those products' lines on each day range.
    * ``promotions``: DataFrame ``product_id, start, end, dip_end, regular_price,
      promo_price, lift, dip`` — four two-week promotions at 25 % off: expected units per
      week are ``lift`` times the regular level during the promotion and ``1 + dip`` times
      it in the two weeks after (``dip`` < 0).
    * ``incidents``: DataFrame (``INCIDENT_COLUMNS``) of the planted incidents an alert system
      must find, each with the rule that should find it (``rule``): a site outage day (85 % of
      the day's orders lost: ``unusual_day``), a pricing error (a product sold at a tenth of
      its price for a few hours: ``price_off``), a huge order cancelled an hour later
      (``quick_cancel`` and ``huge_quantity``), a burst of 25 orders from one account in three
      hours (``order_burst``) and a week of returns of one product at ~12x its usual
      (``returns_spike``). Planted after the rest of the generation with their own random
      stream (``np.random.default_rng([seed, 15])``), so no other draw changes; every day and
      order outside these is "normal" (what false-alert counts are measured on). The outage
      removes orders only of guests, new customers and regulars with 4+ orders (a new customer
      who loses its only order is not in the data); the new orders use ids from
      990001 and existing customers; no bundle or price-change product is touched.
    * ``new_customers``: ``pd.Series`` customer_id → planned number of orders (1, or
      2 + Poisson(0.8) with probability 0.15) of the customers acquired over the period; the
      customers in the lines with their orders drawn from the day intensity (ids numbered by
      first order, after the regulars'). Only the planted outage can remove some of their
      orders.
    """

    seed: int
    start: date
    end: date
    bundles: tuple[Bundle, ...]
    customer_groups: pd.Series
    churners: pd.Series
    elasticity: dict[str, float]
    price_changes: pd.DataFrame
    weekly_profile: tuple[float, ...]
    yearly_amplitude: float
    yearly_peak_doy: int
    holiday_peak: tuple[HolidayEffect, ...]
    trend: float
    expected_orders: pd.Series
    guest_share: float
    products: pd.DataFrame
    favourite_categories: pd.Series
    category_elasticity: dict[str, float] = field(default_factory=dict)
    planted_elasticity: dict[str, float] = field(default_factory=dict)
    price_plan: pd.DataFrame = field(default_factory=pd.DataFrame)
    promotions: pd.DataFrame = field(default_factory=pd.DataFrame)
    incidents: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=INCIDENT_COLUMNS))
    new_customers: pd.Series = field(
        default_factory=lambda: pd.Series(dtype="int64", name="orders")
    )


@dataclass(frozen=True, eq=False)
class Demo:
    """The demo merchant: canonical order lines and the planted truth."""

    lines: pd.DataFrame
    truth: DemoTruth
