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
* Registered customers belong to one of five groups (``truth.customer_groups``) that differ in
  order count, basket size, quantities, price level, favourite categories, channel and
  return rate. Churners ("lapsed regulars") keep the same order process over the whole period,
  but their orders on or after their churn date are placed as guests (no customer id), so the
  aggregate series keeps its planted shape while the customers themselves stop buying.
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

Known limitation: registered customers are an existing customer base — a customer with ``n``
orders places the first within the first ``1/n`` of the period — so about 90 % of them have
their first order in the first six months and cohort charts show mostly early cohorts.
Spreading sign-ups over the two years makes tenure vary within every group, and k-means on
the documented features then no longer recovers the groups (ARI fell to 0.70–0.78 when 15–50 %
of "occasional" customers signed up late), so the demo has no late sign-ups.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import MappingProxyType

import numpy as np
import pandas as pd

from ecomdash import demo_pricing, schema
from ecomdash.errors import ParameterError

__all__ = [
    "Bundle",
    "Demo",
    "DemoTruth",
    "HolidayEffect",
    "generate",
    "DEFAULT_START",
    "INCIDENT_COLUMNS",
]


def _ro(values: object) -> np.ndarray:
    """A read-only array constant (no module-level mutable state)."""
    arr = np.array(values)
    arr.flags.writeable = False
    return arr


#: Fixed default start: 730 days from here end on 2026-10-31 (never "today": determinism).
DEFAULT_START = date(2024, 11, 1)

# ----------------------------------------------------------------------------------------
# Catalogue
# ----------------------------------------------------------------------------------------

#: category -> (median price in GBP, [(noun, [variants ...]), ...])
_CATALOGUE: Mapping[str, tuple[float, tuple[tuple[str, tuple[str, ...]], ...]]] = MappingProxyType(
    {
        "Kitchen": (
            11.0,
            (
                ("Enamel Teapot", ("Cream", "Sage", "Navy")),
                ("Loose Leaf Tea Tin", ("Earl Grey", "Breakfast", "Chamomile")),
                ("Ceramic Mug", ("Blue", "White", "Speckled", "Mustard", "Green")),
                ("Bamboo Chopping Board", ("Small", "Large")),
                ("Glass Storage Jar", ("500 ml", "1 l", "2 l")),
                ("Linen Tea Towel", ("Stripe", "Check", "Plain")),
                ("Cast Iron Skillet", ("20 cm", "26 cm")),
                ("Wooden Spoon Set", ("Beech", "Olive")),
                ("Cake Tin", ("Round", "Square", "Loaf")),
                ("Espresso Cup Set", ("Black", "Terracotta")),
                ("Spice Rack", ("Oak", "Walnut")),
                ("Butter Dish", ("Glass", "Stoneware", "Enamel")),
            ),
        ),
        "Home Decor": (
            18.0,
            (
                ("Scented Candle", ("Fig", "Cedar", "Lavender", "Sea Salt", "Amber")),
                ("Ceramic Vase", ("Tall", "Bud", "Round", "Ribbed")),
                ("Photo Frame", ("A4 Oak", "A5 Brass", "6x4 Black")),
                ("Wall Clock", ("Station", "Minimal", "Retro")),
                ("Cushion Cover", ("Ochre", "Teal", "Linen", "Velvet Rose")),
                ("Woven Basket", ("Small", "Medium", "Large")),
                ("Mirror", ("Round", "Arched")),
                ("Incense Holder", ("Brass", "Stone")),
                ("Candle Holder", ("Glass", "Iron", "Marble")),
                ("Wall Print", ("Botanical", "Abstract")),
                ("Picture Ledge", ("Oak", "White", "Black")),
            ),
        ),
        "Garden": (
            14.0,
            (
                ("Terracotta Pot", ("12 cm", "18 cm", "25 cm")),
                ("Watering Can", ("Galvanised", "Green", "Indoor")),
                ("Seed Kit", ("Herbs", "Wildflower", "Tomato", "Chilli")),
                ("Bird Feeder", ("Hanging", "Window")),
                ("Garden Gloves", ("S", "M", "L")),
                ("Plant Mister", ("Glass", "Copper")),
                ("Hand Trowel", ("Ash", "Steel")),
                ("Solar Lantern", ("Moroccan", "Jar", "Star")),
                ("Kneeling Pad", ("Olive", "Grey")),
                ("Plant Labels", ("Slate", "Zinc", "Wood")),
                ("Hanging Planter", ("Macrame", "Ceramic", "Brass")),
            ),
        ),
        "Stationery": (
            6.0,
            (
                ("Notebook", ("A5 Lined", "A5 Dot", "A6 Plain", "A4 Grid")),
                ("Fountain Pen", ("Black", "Blue", "Burgundy")),
                ("Washi Tape Set", ("Pastel", "Floral", "Metallic")),
                ("Desk Planner", ("Weekly", "Monthly")),
                ("Pencil Set", ("Graphite", "Colour")),
                ("Greeting Card", ("Birthday", "Thank You", "Blank", "Wedding")),
                ("Sticky Notes", ("Neon", "Kraft")),
                ("Letter Writing Set", ("Floral", "Classic")),
                ("Bookmark", ("Leather", "Brass", "Pressed Flower")),
                ("Ink Cartridges", ("Black", "Blue")),
                ("Sketchbook", ("A4", "A5", "Square")),
            ),
        ),
        "Toys & Games": (
            15.0,
            (
                ("Jigsaw Puzzle", ("500 pc", "1000 pc", "Kids 100 pc")),
                ("Wooden Train Set", ("Starter", "Deluxe")),
                ("Card Game", ("Classic", "Family", "Travel")),
                ("Plush Bunny", ("Grey", "Pink", "Cream")),
                ("Building Blocks", ("50 pc", "120 pc")),
                ("Kite", ("Diamond", "Box")),
                ("Skipping Rope", ("Red", "Blue")),
                ("Spinning Top", ("Wood", "Tin")),
                ("Marble Run", ("Small", "Large")),
                ("Colouring Book", ("Animals", "Cities", "Patterns")),
                ("Dominoes", ("Wooden", "Travel")),
                ("Yo-Yo", ("Red", "Blue", "Glow")),
            ),
        ),
        "Bath & Body": (
            8.0,
            (
                ("Bath Bomb", ("Rose", "Eucalyptus", "Citrus", "Lavender")),
                ("Hand Cream", ("Rose", "Neroli", "Unscented")),
                ("Soap Bar", ("Oatmeal", "Charcoal", "Honey", "Lemongrass")),
                ("Body Lotion", ("Coconut", "Shea")),
                ("Bath Salts", ("Dead Sea", "Magnesium")),
                ("Lip Balm", ("Mint", "Vanilla", "Berry")),
                ("Loofah Sponge", ("Natural", "Mitt")),
                ("Shower Gel", ("Fig", "Citrus")),
                ("Nail Brush", ("Beech", "Bamboo")),
                ("Face Cloth", ("Waffle", "Muslin")),
                ("Bath Oil", ("Rose", "Lavender", "Cedar")),
            ),
        ),
        "Bags & Accessories": (
            24.0,
            (
                ("Canvas Tote Bag", ("Natural", "Black", "Striped")),
                ("Leather Wallet", ("Tan", "Black", "Oxblood")),
                ("Wool Scarf", ("Grey", "Camel", "Tartan")),
                ("Umbrella", ("Compact", "Golf")),
                ("Card Holder", ("Tan", "Navy")),
                ("Beanie Hat", ("Charcoal", "Mustard", "Forest")),
                ("Lunch Bag", ("Insulated", "Canvas")),
                ("Key Ring", ("Brass", "Leather")),
                ("Backpack", ("Roll Top", "Daypack")),
                ("Sunglasses Case", ("Tortoise", "Black")),
                ("Weekend Bag", ("Canvas", "Leather")),
                ("Gloves", ("Leather Tan", "Wool Grey", "Knit Red")),
            ),
        ),
        "Party & Gifts": (
            5.0,
            (
                ("Gift Wrap Roll", ("Kraft", "Stars", "Floral", "Christmas")),
                ("Gift Tag Set", ("Kraft", "Gold")),
                ("Party Balloons", ("Gold", "Pastel", "Rainbow")),
                ("Paper Bunting", ("Rainbow", "Union Jack", "Hearts")),
                ("Birthday Candles", ("Gold", "Number")),
                ("Paper Napkins", ("Floral", "Plain", "Stripe")),
                ("Gift Box", ("Small", "Medium", "Large")),
                ("Ribbon Spool", ("Red", "Silver", "Velvet Green")),
                ("Christmas Bauble", ("Glass Red", "Glass Gold", "Felt")),
                ("Advent Calendar", ("Wooden", "Fabric")),
                ("Party Hats", ("Gold", "Striped", "Animal")),
            ),
        ),
        "Lighting": (
            28.0,
            (
                ("String Lights", ("Warm 10 m", "Festoon", "Copper Wire")),
                ("Table Lamp", ("Ceramic", "Brass", "Rattan")),
                ("Lantern", ("Storm", "Hanging", "Tea Light")),
                ("Lamp Shade", ("Linen", "Pleated", "Rattan")),
                ("Night Light", ("Moon", "Cloud")),
                ("LED Bulb", ("Filament", "Globe")),
                ("Floor Lamp", ("Tripod", "Arc")),
                ("Reading Light", ("Clip", "Book")),
                ("Candle Lantern", ("Glass", "Metal")),
                ("Fairy Light Jar", ("Small", "Large")),
                ("Desk Lamp", ("Anglepoise", "Mushroom", "Brass")),
            ),
        ),
        "Textiles": (
            30.0,
            (
                ("Throw Blanket", ("Herringbone", "Chunky Knit", "Mohair", "Fleece")),
                ("Tablecloth", ("Linen White", "Gingham", "Floral")),
                ("Apron", ("Denim", "Linen", "Striped")),
                ("Bath Towel", ("Grey", "White", "Sage")),
                ("Bed Runner", ("Velvet", "Woven")),
                ("Pillowcase Pair", ("Linen", "Cotton")),
                ("Doormat", ("Coir", "Welcome")),
                ("Rug", ("Jute", "Berber")),
                ("Curtain Panel", ("Blackout", "Voile")),
                ("Table Runner", ("Linen", "Festive")),
                ("Napkin Set", ("Linen", "Gingham", "Festive")),
            ),
        ),
    }
)

_CATEGORY_CODES: Mapping[str, str] = MappingProxyType(
    {
        "Kitchen": "KIT",
        "Home Decor": "DEC",
        "Garden": "GAR",
        "Stationery": "STA",
        "Toys & Games": "TOY",
        "Bath & Body": "BAT",
        "Bags & Accessories": "BAG",
        "Party & Gifts": "PAR",
        "Lighting": "LIG",
        "Textiles": "TEX",
    }
)

# Bundles: (antecedent name, consequent name, s = P(pair drawn), a0 = P(A alone), b0 = P(B alone))
_BUNDLES: tuple[tuple[str, str, float, float, float], ...] = (
    ("Enamel Teapot – Cream", "Loose Leaf Tea Tin – Earl Grey", 0.012, 0.020, 0.035),
    ("Fountain Pen – Black", "Ink Cartridges – Black", 0.012, 0.030, 0.035),
    ("Watering Can – Galvanised", "Terracotta Pot – 18 cm", 0.015, 0.040, 0.050),
    ("Gift Wrap Roll – Kraft", "Gift Tag Set – Kraft", 0.020, 0.060, 0.060),
)

# Price-elastic products: (name, base probability per order, elasticity, price factor, change day)
_ELASTIC: tuple[tuple[str, float, float, float, int], ...] = (
    ("Scented Candle – Fig", 0.060, -0.8, 0.65, 300),
    ("Canvas Tote Bag – Natural", 0.060, -1.2, 1.50, 330),
    ("Throw Blanket – Herringbone", 0.060, -1.6, 0.70, 365),
    ("Hand Cream – Rose", 0.060, -2.0, 1.40, 400),
    ("Jigsaw Puzzle – 1000 pc", 0.060, -2.5, 1.50, 430),
)

# ----------------------------------------------------------------------------------------
# Customer groups / order profiles
# ----------------------------------------------------------------------------------------

GROUPS = ("frequent small", "occasional", "bulk buyers", "premium", "lapsed regulars")
_GUEST = len(GROUPS)  # profile index of base guest orders
_CHURN_GROUP = GROUPS.index("lapsed regulars")

# Per profile (5 groups + guest). Share of registered customers (guest: n/a).
_SHARE = _ro([0.27, 0.37, 0.08, 0.18, 0.10])
# Order count per customer over the whole period: minimum + Poisson(extra).
_N_MIN = _ro([12, 4, 2, 8, 12])
_N_EXTRA = _ro([12.0, 1.5, 2.5, 5.0, 5.0])
# Catalogue basket size: k_min + Binomial(k_n, k_p), at most 6.
_K_MIN = _ro([1, 1, 3, 2, 1, 1])
_K_N = _ro([1, 2, 3, 2, 2, 2])
_K_P = _ro([0.4, 0.4, 0.5, 0.5, 0.5, 0.35])
# log-weight price preference (beta * log price) and favourite-category boost.
_PRICE_BETA = _ro([-1.5, 0.0, -0.5, 2.0, 0.0, 0.0])
# popularity exponent: premium buyers follow the crowd less (keeps their orders from
# concentrating on a few expensive products, which would create spurious bundles).
_POP_GAMMA = _ro([1.0, 1.0, 1.0, 0.3, 1.0, 1.0])
_FAV_BOOST = _ro([3.0, 0.0, 4.0, 0.0, 3.0, 0.0])
_N_FAV = _ro([2, 0, 1, 0, 2, 0])
# Quantity: 1 + Poisson(q) (bulk uses pack sizes instead).
_QTY_EXTRA = _ro([0.2, 0.5, 0.0, 0.1, 0.5, 0.4])
_BULK_PACKS = _ro([6.0, 12.0, 12.0, 24.0, 24.0])
_RETURN_RATE = _ro([0.005, 0.005, 0.01, 0.12, 0.01, 0.03])
_CHANNELS = ("web", "app", "marketplace")
_CHANNEL_P = _ro(
    [
        [0.30, 0.60, 0.10],
        [0.50, 0.10, 0.40],
        [0.90, 0.00, 0.10],
        [0.60, 0.30, 0.10],
        [0.50, 0.40, 0.10],
        [0.50, 0.05, 0.45],
    ]
)
_COUNTRIES = ("United Kingdom", "Germany", "France", "United States", "China", "Netherlands")
_COUNTRY_P = _ro([0.55, 0.12, 0.10, 0.13, 0.05, 0.05])
_GUEST_SHARE = 0.10  # target share of orders without a customer id

_WEEKLY = (0.90, 0.85, 0.90, 0.95, 1.05, 1.25, 1.10)  # Mon..Sun, mean 1
_YEARLY_AMPLITUDE = 0.25
_YEARLY_PEAK_DOY = 340  # early December
_TREND = 0.15  # growth per year

_POSTAGE_PRICE = 3.95
_FEE_PRICE = 1.50


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
      removes orders only of guests and customers with 4+ orders; the new orders use ids from
      990001 and existing customers; no bundle or price-change product is touched.
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


@dataclass(frozen=True, eq=False)
class Demo:
    """The demo merchant: canonical order lines and the planted truth."""

    lines: pd.DataFrame
    truth: DemoTruth


# ----------------------------------------------------------------------------------------
# Helpers
# ----------------------------------------------------------------------------------------


def _black_friday(year: int) -> date:
    nov1 = date(year, 11, 1)
    first_thu = nov1 + timedelta(days=(3 - nov1.weekday()) % 7)
    return first_thu + timedelta(days=22)


def _holidays(start: date, end: date) -> tuple[HolidayEffect, ...]:
    years = range(start.year, end.year + 1)

    def inside(days: list[date]) -> tuple[date, ...]:
        return tuple(d for d in days if start <= d <= end)

    bf = [_black_friday(y) for y in years]
    return (
        HolidayEffect("Singles' Day (11.11)", inside([date(y, 11, 11) for y in years]), 1.8),
        HolidayEffect("Black Friday", inside(bf), 3.0),
        HolidayEffect("Cyber Monday", inside([d + timedelta(days=3) for d in bf]), 2.0),
        HolidayEffect(
            "Christmas run-up",
            inside([date(y, 12, d) for y in years for d in range(1, 21)]),
            1.3,
        ),
        HolidayEffect(
            "Christmas lull", inside([date(y, 12, d) for y in years for d in (25, 26)]), 0.3
        ),
    )


def _intensity(days: pd.DatetimeIndex, holidays: tuple[HolidayEffect, ...]) -> np.ndarray:
    t = np.arange(len(days), dtype=float)
    trend = (1.0 + _TREND) ** (t / 365.25)
    weekly = np.asarray(_WEEKLY)[days.day_of_week]
    yearly = 1.0 + _YEARLY_AMPLITUDE * np.cos(
        2 * np.pi * (days.day_of_year.to_numpy() - _YEARLY_PEAK_DOY) / 365.25
    )
    mult = np.ones(len(days))
    for h in holidays:
        idx = days.get_indexer(pd.to_datetime(list(h.dates)))
        mult[idx[idx >= 0]] *= h.multiplier
    return trend * weekly * yearly * mult


def _bundle_truth(s: float, a0: float, b0: float) -> tuple[float, float, float]:
    """Expected (lift, support, confidence) of independent pair/A/B Bernoulli draws."""
    pa = 1 - (1 - s) * (1 - a0)
    pb = 1 - (1 - s) * (1 - b0)
    pab = s + (1 - s) * a0 * b0
    return pab / (pa * pb), pab, pab / pa


def _catalogue(rng: np.random.Generator, n_products: int) -> pd.DataFrame:
    rows = []
    for cat, (median, nouns) in _CATALOGUE.items():
        for noun, variants in nouns:
            for v in variants:
                rows.append((cat, f"{noun} – {v}", median))
    cat_df = pd.DataFrame(rows, columns=["category", "product_name", "median"])
    special = {b[0] for b in _BUNDLES} | {b[1] for b in _BUNDLES} | {e[0] for e in _ELASTIC}
    is_special = cat_df["product_name"].isin(special).to_numpy()
    if n_products < len(special) + 20:
        raise ParameterError(
            f"The demo needs at least {len(special) + 20} products (its {len(special)} planted "
            f"bundle and price-change products plus a catalogue); got n_products={n_products}. "
            "Ask for more products."
        )
    if n_products > len(cat_df):
        raise ParameterError(
            f"The demo catalogue has {len(cat_df)} product names; got n_products={n_products}. "
            f"Ask for at most {len(cat_df)} products."
        )
    others = np.flatnonzero(~is_special)
    keep = np.sort(
        np.concatenate(
            [
                np.flatnonzero(is_special),
                rng.choice(others, n_products - int(is_special.sum()), replace=False),
            ]
        )
    )
    df = cat_df.iloc[keep].reset_index(drop=True)
    n = len(df)
    price = df["median"].to_numpy() * np.exp(rng.normal(0.0, 0.45, n))
    df["base_price"] = np.maximum(np.round(price * 2) / 2 - 0.01, 0.49)
    # Product ids: category code + 3 digits, numbered in a shuffled order within category.
    codes = df["category"].map(_CATEGORY_CODES)
    num = np.empty(n, dtype=int)
    for _cat, idx in df.groupby("category").indices.items():
        num[idx] = 100 + rng.permutation(len(idx)) * 7 + 3
    df["product_id"] = codes + "-" + pd.Series(num).astype(str).str.zfill(3)
    kind = np.full(n, "catalogue", dtype=object)
    names = df["product_name"].to_numpy()
    kind[np.isin(names, [b[0] for b in _BUNDLES] + [b[1] for b in _BUNDLES])] = "bundle"
    kind[np.isin(names, [e[0] for e in _ELASTIC])] = "elastic"
    df["kind"] = kind
    # Zipf-like popularity over the catalogue products (random ranks).
    pop = np.zeros(n)
    cat_idx = np.flatnonzero(kind == "catalogue")
    ranks = rng.permutation(len(cat_idx)) + 1
    pop[cat_idx] = 1.0 / ranks**0.9
    pop[cat_idx] /= pop[cat_idx].sum()
    df["popularity"] = pop
    return df[["product_id", "product_name", "category", "base_price", "popularity", "kind"]]


#: Columns of ``DemoTruth.incidents``.
INCIDENT_COLUMNS = ["incident", "date", "rule", "product_id", "customer_id", "order_id", "detail"]
_INCIDENT_STREAM = 15  # the incidents' own random stream: np.random.default_rng([seed, 15])


def _plant_incidents(
    frame: pd.DataFrame, *, seed: int, start: date, days: int, catalogue: frozenset[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Plant the alert incidents into the assembled lines (before revenue and line numbers).

    Uses its own generator, after every other draw, so nothing else in the demo moves except
    the lines named here: the outage day's lost orders (and their returns) are removed; the
    pricing-error, huge and burst orders are new orders (ids from 990001); the returns spike
    turns existing sale lines into returned ones (with their "C" return lines).
    """
    rng = np.random.default_rng([seed, _INCIDENT_STREAM])
    base = pd.Timestamp(start)
    day_of = (frame["order_date"] - base).dt.days
    is_sale = ~frame["is_return"] & ~frame["is_non_product"]
    # only catalogue products (the bundle and price-change products keep their planted truths)
    cat_sale = frame[is_sale & frame["product_id"].isin(catalogue)]
    rows = []

    def at(frac: float, weekday: int) -> int:
        d = int(frac * days)
        return d + (weekday - (base + pd.Timedelta(days=d)).day_of_week) % 7

    # 1. outage day (a Wednesday): 85 % of the day's orders never happen. Only guest orders
    # and customers with 4+ orders lose one, so every customer keeps 3+ orders.
    d_out = at(0.275, 2)
    sale_orders = frame[is_sale & ~frame["order_id"].str.startswith("C")]
    per_cust = sale_orders.groupby("customer_id")["order_id"].nunique()
    day_orders = sale_orders[day_of[sale_orders.index] == d_out].drop_duplicates("order_id")
    ok = day_orders["customer_id"].isna() | (day_orders["customer_id"].map(per_cust).fillna(0) >= 4)
    cand = day_orders.loc[ok, "order_id"].to_numpy()
    lost = set(rng.choice(cand, int(round(0.85 * len(day_orders))), replace=False).tolist())
    lost |= {"C" + o for o in lost}
    frame = frame[~frame["order_id"].isin(lost)]
    rows.append(
        (
            "site outage",
            base + pd.Timedelta(days=d_out),
            "unusual_day",
            None,
            None,
            None,
            f"{len(cand) and len(lost) // 2} of {len(day_orders)} orders lost",
        )
    )

    new_parts = []
    next_id = [990001]

    def order(day: int, seconds: int, cust, country: str, items: list[tuple]) -> str:
        oid = str(next_id[0])
        next_id[0] += 1
        ts = base + pd.Timedelta(days=day, seconds=seconds)
        for k, (pid, name, cat, qty, price) in enumerate(items):
            new_parts.append(
                {
                    "oi": -1,
                    "pos": 2 * 10**9 + len(new_parts),
                    "order_id": oid,
                    "order_date": ts,
                    "customer_id": cust,
                    "product_id": pid,
                    "product_name": name,
                    "quantity": float(qty),
                    "unit_price": float(price),
                    "country": country,
                    "category": cat,
                    "channel": "web",
                    "is_return": False,
                    "is_non_product": False,
                    "is_cancelled": False,
                    "_k": k,
                }
            )
        return oid

    # product statistics from the catalogue lines
    prod = cat_sale.groupby("product_id").agg(
        name=("product_name", "first"),
        cat=("category", "first"),
        price=("unit_price", "median"),
        n=("order_id", "size"),
    )
    prod = prod[prod["price"] >= 5].sort_values(["n", "price"], ascending=False)
    uk = "United Kingdom"

    # 2. pricing error: a popular product at a tenth of its price, 9 orders in four hours
    d_price = at(0.31, 1)
    p = prod.iloc[0]
    pid = prod.index[0]
    for _ in range(9):
        sec = int(rng.integers(10 * 3600, 14 * 3600))
        order(
            d_price,
            sec,
            None,
            uk,
            [(pid, p["name"], p["cat"], int(rng.integers(1, 4)), round(p["price"] / 10, 2))],
        )
    rows.append(
        (
            "pricing error",
            base + pd.Timedelta(days=d_price),
            "price_off",
            pid,
            None,
            None,
            f"sold at {p['price'] / 10:.2f} instead of {p['price']:.2f}",
        )
    )

    # 3. a huge order from a registered customer, cancelled in full an hour later
    d_huge = at(0.34, 3)
    regs = sale_orders.dropna(subset=["customer_id"])
    per_cust_sorted = per_cust[per_cust >= 4].sort_index()
    buyer = str(rng.choice(per_cust_sorted.index.to_numpy()))
    picks = prod.iloc[rng.choice(min(30, len(prod)), 3, replace=False)]
    huge_items = [
        (i, r["name"], r["cat"], int(rng.integers(10, 21)) * 10, r["price"])
        for i, r in picks.iterrows()
    ]
    country = str(regs.loc[regs["customer_id"] == buyer, "country"].iloc[0])
    oid = order(d_huge, 11 * 3600 + int(rng.integers(0, 3600)), buyer, country, huge_items)
    for part in new_parts:
        if part["order_id"] == oid:
            part["is_cancelled"] = True
            ret = dict(part)
            ret.update(
                order_id="C" + oid,
                order_date=part["order_date"] + pd.Timedelta(hours=1),
                quantity=-part["quantity"],
                is_return=True,
                is_cancelled=False,
                pos=part["pos"] + 10**8,
            )
            new_parts.append(ret)
    rows.append(
        (
            "huge order cancelled",
            base + pd.Timedelta(days=d_huge),
            "quick_cancel",
            None,
            buyer,
            oid,
            f"{sum(q for *_, q, _ in huge_items):,} units, cancelled 1 h later",
        )
    )

    # 4. a burst of 25 orders from one account within three hours
    d_burst = at(0.38, 4)
    burster = str(rng.choice(per_cust_sorted.index.to_numpy()))
    country = str(regs.loc[regs["customer_id"] == burster, "country"].iloc[0])
    secs = np.sort(rng.integers(9 * 3600, 12 * 3600, 25))
    for sec in secs:
        r = prod.iloc[int(rng.integers(0, min(60, len(prod))))]
        order(d_burst, int(sec), burster, country, [(r.name, r["name"], r["cat"], 1, r["price"])])
    rows.append(
        (
            "order burst",
            base + pd.Timedelta(days=d_burst),
            "order_burst",
            None,
            burster,
            None,
            "25 orders in 3 hours",
        )
    )

    # 5. a returns spike: one product's sales of the 4 weeks before a week come back that week
    d_week = at(0.425, 0)  # a Monday
    rp = prod.index[1]
    sales_r = frame[
        is_sale.reindex(frame.index)
        & (frame["product_id"] == rp)
        & ~frame["is_cancelled"]
        & frame["customer_id"].notna()
    ]
    sday = (sales_r["order_date"] - base).dt.days
    window = sales_r[(sday >= d_week - 28) & (sday <= d_week - 3)]
    has_ret = set(frame.loc[frame["is_return"], "order_id"].str[1:])
    window = window[~window["order_id"].isin(has_ret)]
    n_back = min(14, len(window))
    back = window.loc[rng.choice(window.index.to_numpy(), n_back, replace=False)]
    frame = frame.copy()
    frame.loc[back.index, "is_cancelled"] = True
    rets = back.copy()
    rets["order_id"] = "C" + rets["order_id"].astype(object)
    offs = rng.integers(0, 7 * 86400 - 1, n_back)
    rets["order_date"] = base + pd.to_timedelta(d_week * 86400 + offs, unit="s")
    rets["quantity"] = -rets["quantity"]
    rets["is_return"] = True
    rets["is_cancelled"] = False
    rets["pos"] = rets["pos"] + 10**9
    rows.append(
        (
            "returns spike",
            base + pd.Timedelta(days=d_week),
            "returns_spike",
            rp,
            None,
            None,
            f"{n_back} returns in one week",
        )
    )

    added = pd.DataFrame(new_parts).drop(columns="_k") if new_parts else None
    frame = pd.concat([frame, rets] + ([added] if added is not None else []), ignore_index=True)
    incidents = pd.DataFrame(rows, columns=INCIDENT_COLUMNS)
    incidents["date"] = pd.to_datetime(incidents["date"]).astype("datetime64[us]")
    return frame, incidents


# ----------------------------------------------------------------------------------------
# Generator
# ----------------------------------------------------------------------------------------


def generate(
    seed: int = 7,
    *,
    n_customers: int = 3000,
    n_products: int = 300,
    start: date = DEFAULT_START,
    days: int = 730,
) -> Demo:
    """Generate the demo merchant (deterministic for a given ``seed`` and parameters).

    About 3,000 customers, 300 products in 10 categories, two years of orders
    (``start`` .. ``start + days - 1``), ~100k order lines. See the module docstring for the
    mechanism and :class:`DemoTruth` for the planted facts.
    """
    if days < 120:
        raise ParameterError(
            f"The demo needs at least 120 days to plant seasonality, price changes and churn; "
            f"got days={days}. Ask for a longer period."
        )
    if n_customers < 100:
        raise ParameterError(
            f"The demo needs at least 100 customers to plant its customer groups; got "
            f"n_customers={n_customers}. Ask for more customers."
        )
    rng = np.random.default_rng(seed)
    end = start + timedelta(days=days - 1)
    day_index = pd.date_range(start, periods=days, freq="D")
    holidays = _holidays(start, end)
    intensity = _intensity(day_index, holidays)
    day_p = intensity / intensity.sum()

    # --- products ---------------------------------------------------------------------
    products = _catalogue(rng, n_products)
    n_prod = len(products)
    pid = products["product_id"].to_numpy()
    pname = products["product_name"].to_numpy()
    categories = tuple(_CATALOGUE)
    prod_cat = products["category"].map({c: i for i, c in enumerate(categories)}).to_numpy()
    base_price = products["base_price"].to_numpy()
    name_to_idx = {n: i for i, n in enumerate(pname)}
    is_catalogue = (products["kind"] == "catalogue").to_numpy()
    log_pop = np.full(n_prod, -np.inf)
    log_pop[is_catalogue] = np.log(products["popularity"].to_numpy()[is_catalogue])
    # log-weights per profile: popularity * price**beta
    lw_profile = (
        _POP_GAMMA[:, None] * log_pop[None, :] + _PRICE_BETA[:, None] * np.log(base_price)[None, :]
    )

    # --- customers --------------------------------------------------------------------
    n_groups = len(GROUPS)
    counts = np.floor(_SHARE * n_customers).astype(int)
    counts[1] += n_customers - counts.sum()
    cust_group = np.repeat(np.arange(n_groups), counts)
    cust_ids = rng.permutation(n_customers) + 12001
    cust_id_str = np.array([str(c) for c in cust_ids], dtype=object)
    cust_country = rng.choice(len(_COUNTRIES), n_customers, p=_COUNTRY_P)
    n_cat = len(categories)
    fav = np.zeros((n_customers, n_cat), dtype=bool)
    fav_keys = rng.random((n_customers, n_cat)).argsort(axis=1)
    for g in range(n_groups):
        k = _N_FAV[g]
        if k:
            rows = np.flatnonzero(cust_group == g)
            fav[rows[:, None], fav_keys[rows, :k]] = True
    n_orders = _N_MIN[cust_group] + rng.poisson(_N_EXTRA[cust_group])
    # churn dates: 150..210 days before the end
    churn_day = np.full(n_customers, days + 1)
    churners = np.flatnonzero(cust_group == _CHURN_GROUP)
    churn_day[churners] = days - rng.integers(150, 211, len(churners))

    # --- orders -----------------------------------------------------------------------
    o_cust = np.repeat(np.arange(n_customers), n_orders)
    # Guests: base share chosen so that all guests (incl. churners' later orders) ≈ 10 %.
    exp_total_reg = float((_N_MIN[cust_group] + _N_EXTRA[cust_group]).sum())
    cum_p = np.concatenate([[0.0], np.cumsum(day_p)])
    exp_ghost = float(
        ((_N_MIN + _N_EXTRA)[_CHURN_GROUP] * (1.0 - cum_p[np.minimum(churn_day, days)]))[
            churners
        ].sum()
    )
    exp_base_guest = max(_GUEST_SHARE * exp_total_reg - exp_ghost, 0.0) / (1 - _GUEST_SHARE)
    n_guest = int(rng.poisson(exp_base_guest))
    o_cust = np.concatenate([o_cust, np.full(n_guest, -1)])
    n_ord = len(o_cust)
    o_profile = np.where(o_cust >= 0, cust_group[np.maximum(o_cust, 0)], _GUEST)
    # Order days. A customer's j-th of n orders sits at a uniform position in the j-th
    # n-quantile of the cumulative intensity (stratified: regular-ish gaps, and every order
    # is marginally distributed like the intensity). Guest orders are independent draws.
    n_reg = int(n_orders.sum())
    first = np.repeat(np.cumsum(n_orders) - n_orders, n_orders)
    j = np.arange(n_reg) - first
    q_reg = (j + rng.random(n_reg)) / n_orders[o_cust[:n_reg]]
    q = np.concatenate([q_reg, rng.random(n_guest)])
    o_day = np.clip(np.searchsorted(cum_p, q, side="right") - 1, 0, days - 1)
    o_seconds = np.clip(rng.normal(14.5, 4.0, n_ord), 0.0, 23.99) * 3600.0
    o_seconds = np.floor(o_seconds).astype(np.int64)
    # churners' orders on/after the churn date become guest orders
    ghost = (o_cust >= 0) & (o_day >= churn_day[np.maximum(o_cust, 0)])
    o_reg_cust = np.where(ghost, -1, o_cust)
    o_country = np.where(
        o_cust >= 0,
        cust_country[np.maximum(o_cust, 0)],
        rng.choice(len(_COUNTRIES), n_ord, p=_COUNTRY_P),
    )
    # order by time; ids are sequential
    order = np.lexsort((rng.random(n_ord), o_seconds, o_day))
    o_cust, o_reg_cust, o_profile, o_day, o_seconds, o_country = (
        a[order] for a in (o_cust, o_reg_cust, o_profile, o_day, o_seconds, o_country)
    )
    u = rng.random(n_ord)
    cp = np.cumsum(_CHANNEL_P[o_profile], axis=1)
    o_channel = (u[:, None] > cp).sum(axis=1)

    # --- catalogue lines: Gumbel top-k per order --------------------------------------
    k = _K_MIN[o_profile] + rng.binomial(_K_N[o_profile], _K_P[o_profile])
    k = np.minimum(k, 6)
    kmax = int(k.max())
    # key = log weight + favourite boost + Gumbel noise; work on -key = log(Exp) - ... so
    # that argpartition picks the k largest keys without extra copies.
    neg = rng.standard_exponential(size=(n_ord, n_prod), dtype=np.float32)
    np.maximum(neg, np.float32(1e-30), out=neg)
    np.log(neg, out=neg)
    neg -= lw_profile.astype(np.float32)[o_profile]
    # churners' later (guest) orders keep their tastes: boost by o_cust, not o_reg_cust
    cust_boost = (fav * _FAV_BOOST[cust_group][:, None]).astype(np.float32)
    neg -= cust_boost[np.maximum(o_cust, 0)][:, prod_cat] * (o_cust >= 0)[:, None]
    top = np.argpartition(neg, kmax - 1, axis=1)[:, :kmax]
    top_keys = np.take_along_axis(neg, top, axis=1)
    top = np.take_along_axis(top, np.argsort(top_keys, axis=1), axis=1)
    del neg
    take = np.arange(kmax)[None, :] < k[:, None]
    l_order = np.broadcast_to(np.arange(n_ord)[:, None], top.shape)[take]
    l_prod = top[take]
    prof = o_profile[l_order]
    qty = 1.0 + rng.poisson(_QTY_EXTRA[prof])
    bulk = prof == GROUPS.index("bulk buyers")
    qty[bulk] = rng.choice(_BULK_PACKS, int(bulk.sum()))

    # --- special lines: bundles and price-elastic products ----------------------------
    sp_order: list[np.ndarray] = [l_order]
    sp_prod: list[np.ndarray] = [l_prod]
    bundles = []
    for a_name, b_name, s, a0, b0 in _BUNDLES:
        pair = rng.random(n_ord) < s
        has_a = pair | (rng.random(n_ord) < a0)
        has_b = pair | (rng.random(n_ord) < b0)
        lift, support, conf = _bundle_truth(s, a0, b0)
        ia, ib = name_to_idx[a_name], name_to_idx[b_name]
        bundles.append(Bundle(pid[ia], pid[ib], lift, support, conf))
        for idx, has in ((ia, has_a), (ib, has_b)):
            rows = np.flatnonzero(has)
            sp_order.append(rows)
            sp_prod.append(np.full(len(rows), idx))
    elasticity: dict[str, float] = {}
    unit_price_override: dict[int, tuple[int, float]] = {}
    changes = []
    for name, p0, e, factor, change_day in _ELASTIC:
        idx = name_to_idx[name]
        cd = int(round(change_day * days / 730))
        old = base_price[idx]
        new = round(old * factor * 2) / 2 - 0.01
        prob = np.where(o_day >= cd, p0 * (new / old) ** e, p0)
        rows = np.flatnonzero(rng.random(n_ord) < prob)
        sp_order.append(rows)
        sp_prod.append(np.full(len(rows), idx))
        elasticity[pid[idx]] = e
        unit_price_override[idx] = (cd, new)
        changes.append((pid[idx], day_index[cd], old, new))
    n_cat_lines = len(l_order)
    l_order = np.concatenate(sp_order)
    l_prod = np.concatenate(sp_prod)
    n_special = len(l_order) - n_cat_lines
    sp_q = 1.0 + rng.choice([0.0, 1.0, 2.0], n_special, p=[0.7, 0.2, 0.1])
    qty = np.concatenate([qty, sp_q])
    price = base_price[l_prod].copy()
    for idx, (cd, new) in unit_price_override.items():
        price[(l_prod == idx) & (o_day[l_order] >= cd)] = new

    # --- non-product lines ------------------------------------------------------------
    goods = np.bincount(l_order, weights=qty * price, minlength=n_ord)
    post = (goods < 25.0) & (o_channel != 2) & (rng.random(n_ord) < 0.12)
    fee = (o_channel == 2) & (rng.random(n_ord) < 0.10)
    np_order = np.concatenate([np.flatnonzero(post), np.flatnonzero(fee)])
    np_kind = np.concatenate([np.zeros(post.sum(), int), np.ones(fee.sum(), int)])

    # --- returns ----------------------------------------------------------------------
    n_lines = len(l_order)
    ret = rng.random(n_lines) < _RETURN_RATE[o_profile[l_order]]
    # one return order "C<id>" per order with returns: a single date for all its lines
    r_lag = rng.integers(1, 31, n_ord)
    r_sec_of_order = rng.integers(8 * 3600, 20 * 3600, n_ord)
    r_day = o_day[l_order] + r_lag[l_order]
    lc = o_reg_cust[l_order]
    ret &= r_day < days
    ret &= ~((lc >= 0) & (r_day >= churn_day[np.maximum(lc, 0)]))
    r_idx = np.flatnonzero(ret)

    # --- assemble ---------------------------------------------------------------------
    order_num = np.arange(n_ord) + 500001
    order_ids = np.array([str(x) for x in order_num], dtype=object)
    base = pd.Timestamp(start)
    o_ts = (base + pd.to_timedelta(o_day, unit="D") + pd.to_timedelta(o_seconds, unit="s")).as_unit(
        "us"
    )
    cust_of_order = np.where(o_reg_cust >= 0, cust_id_str[np.maximum(o_reg_cust, 0)], None)
    country_names = np.array(_COUNTRIES, dtype=object)
    channel_names = np.array(_CHANNELS, dtype=object)
    cat_names = np.array(categories, dtype=object)

    # line position within order: catalogue lines first, then specials, then non-products
    sale = pd.DataFrame(
        {
            "oi": l_order,
            "pos": np.arange(n_lines),
            "order_id": order_ids[l_order],
            "order_date": o_ts[l_order],
            "customer_id": cust_of_order[l_order],
            "product_id": pid[l_prod],
            "product_name": pname[l_prod],
            "quantity": qty,
            "unit_price": price,
            "country": country_names[o_country[l_order]],
            "category": cat_names[prod_cat[l_prod]],
            "channel": channel_names[o_channel[l_order]],
            "is_return": False,
            "is_non_product": False,
            "is_cancelled": ret,
        }
    )
    nonp = pd.DataFrame(
        {
            "oi": np_order,
            "pos": n_lines + np.arange(len(np_order)),
            "order_id": order_ids[np_order],
            "order_date": o_ts[np_order],
            "customer_id": cust_of_order[np_order],
            "product_id": np.where(np_kind == 0, "POST", "FEE"),
            "product_name": np.where(np_kind == 0, "Postage", "Bank charges"),
            "quantity": 1.0,
            "unit_price": np.where(np_kind == 0, _POSTAGE_PRICE, _FEE_PRICE),
            "country": country_names[o_country[np_order]],
            "category": None,
            "channel": channel_names[o_channel[np_order]],
            "is_return": False,
            "is_non_product": True,
            "is_cancelled": False,
        }
    )
    # pricing truths: own generator, after every draw above (see ecomdash.demo_pricing)
    sale, pricing_truth = demo_pricing.plant(sale, products, seed=seed, start=start, days=days)
    r_seconds = r_sec_of_order[l_order[r_idx]]
    r_ts = (
        base + pd.to_timedelta(r_day[r_idx], unit="D") + pd.to_timedelta(r_seconds, unit="s")
    ).as_unit("us")
    rets = sale.iloc[r_idx].copy()
    rets["order_id"] = "C" + rets["order_id"].astype(object)
    rets["order_date"] = r_ts
    rets["quantity"] = -rets["quantity"]
    rets["is_return"] = True
    rets["is_cancelled"] = False
    rets["pos"] = rets["pos"] + 10**9  # after the sale lines of the same timestamp
    frame = pd.concat([sale, nonp, rets], ignore_index=True)
    frame, incidents = _plant_incidents(
        frame, seed=seed, start=start, days=days, catalogue=frozenset(pid[is_catalogue])
    )
    frame["revenue"] = np.round(frame["quantity"] * frame["unit_price"], 2)
    frame = frame.sort_values(["order_date", "order_id", "pos"], kind="stable")
    frame = frame.reset_index(drop=True)
    frame["line_no"] = np.arange(1, len(frame) + 1, dtype=np.int64)
    lines = frame[list(schema.DTYPES)].astype(schema.DTYPES)

    # --- truth ------------------------------------------------------------------------
    sold = lines.loc[~lines["is_return"] & lines["customer_id"].notna(), "customer_id"]
    present = set(sold.unique())
    keep = np.array([c in present for c in cust_id_str])
    groups = pd.Series(
        np.array(GROUPS, dtype=object)[cust_group[keep]],
        index=pd.Index(cust_id_str[keep], name="customer_id", dtype="string"),
        name="group",
        dtype="string",
    ).sort_index()
    ch_keep = churners[keep[churners]]
    churn = pd.Series(
        (base + pd.to_timedelta(churn_day[ch_keep], unit="D")).as_unit("us"),
        index=pd.Index(cust_id_str[ch_keep], name="customer_id", dtype="string"),
        name="churn_date",
    ).sort_index()
    favs = pd.Series(
        [tuple(cat_names[fav[i]]) for i in np.flatnonzero(keep)],
        index=pd.Index(cust_id_str[keep], name="customer_id", dtype="string"),
        name="favourite_categories",
        dtype=object,
    ).sort_index()
    exp_total = exp_total_reg + exp_base_guest
    expected = pd.Series(exp_total * day_p, index=day_index, name="expected_orders")
    price_changes = pd.DataFrame(changes, columns=["product_id", "date", "old_price", "new_price"])
    price_changes = price_changes.astype(
        {"product_id": "string", "date": "datetime64[us]", "old_price": "float64"}
    )
    truth = DemoTruth(
        seed=seed,
        start=start,
        end=end,
        bundles=tuple(bundles),
        customer_groups=groups,
        churners=churn,
        elasticity=elasticity,
        price_changes=price_changes,
        weekly_profile=_WEEKLY,
        yearly_amplitude=_YEARLY_AMPLITUDE,
        yearly_peak_doy=_YEARLY_PEAK_DOY,
        holiday_peak=holidays,
        trend=_TREND,
        expected_orders=expected,
        guest_share=(exp_ghost + exp_base_guest) / exp_total,
        products=products.astype({"product_id": "string", "product_name": "string"}),
        favourite_categories=favs,
        **pricing_truth,
        incidents=incidents,
    )
    return Demo(lines=lines, truth=truth)
