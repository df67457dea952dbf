"""Pricing truths planted in the demo merchant: category elasticities, price paths, promotions.

Applied by :func:`ecomdash.demo.generate` to the sale lines after every draw of the main
generator, with its own generator ``np.random.default_rng([seed, 14])``, so no existing draw
(orders, baskets, customers, returns) changes. Only the quantity and unit price of the sale
lines of twenty catalogue products move (their returns follow, being copies of those lines).

Mechanism: the two most popular catalogue products of each category follow a weekly price
path — the base price, then four Monday-aligned changes by factors drawn from
``0.85, 0.92, 1.08, 1.15`` — and four of them get a two-week promotion at 25 % off their
regular price, with a known lift and a two-week post-promotion dip. The expected units of a
line are multiplied by ``k · M(t)`` with ``M(t) = factor(t) ** elasticity(category)``
``× lift`` during the promotion ``× (1 - dip)`` during the dip, and ``k = 1 / min M`` (so the
factor is never below one): a line of ``q`` units gets ``q + Poisson(q · (k·M(t) - 1))``
units. Orders, baskets and line counts are unchanged; expected units per week are exactly
proportional to ``M(t)`` times the store's order intensity.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from types import MappingProxyType

import numpy as np
import pandas as pd

#: Planted price elasticity per category (units ∝ price ** e). The five categories holding
#: one of the demo's original price-elastic products use that product's elasticity.
CATEGORY_ELASTICITY: Mapping[str, float] = MappingProxyType(
    {
        "Kitchen": -1.0,
        "Home Decor": -0.8,
        "Garden": -1.4,
        "Stationery": -0.6,
        "Toys & Games": -2.5,
        "Bath & Body": -2.0,
        "Bags & Accessories": -1.2,
        "Party & Gifts": -0.4,
        "Lighting": -1.8,
        "Textiles": -1.6,
    }
)

_FACTORS = (0.85, 0.92, 1.08, 1.15)
_BOUNDS = (0.15, 0.35, 0.55, 0.77)  # price changes at these fractions of the weeks
_PROMO_DISCOUNT = 0.25
_PROMO_WEEKS = 2
_DIP_WEEKS = 2
# (category, segment the promotion sits in, weeks after that segment starts, lift, dip)
_PROMOS: tuple[tuple[str, int, int, float, float], ...] = (
    ("Kitchen", 1, 10, 1.8, 0.30),
    ("Stationery", 1, 10, 2.2, 0.25),
    ("Garden", 3, 12, 1.6, 0.35),
    ("Party & Gifts", 3, 12, 2.0, 0.20),
)
_MIN_WEEKS = 52  # shorter demos get no pricing plant


def _price(x: float) -> float:
    return max(round(x * 2) / 2 - 0.01, 0.49)


def plant(
    sale: pd.DataFrame, products: pd.DataFrame, *, seed: int, start: date, days: int
) -> tuple[pd.DataFrame, dict]:
    """Return ``sale`` with the planted prices/quantities and the truth fields.

    ``sale`` has ``product_id, order_date, quantity, unit_price`` (one row per sale line);
    ``products`` is the demo catalogue (``product_id, category, base_price, popularity, kind``).
    """
    first_monday = start + timedelta(days=(7 - start.weekday()) % 7)
    n_weeks = (start + timedelta(days=days) - first_monday).days // 7
    empty = {
        "category_elasticity": dict(CATEGORY_ELASTICITY),
        "price_plan": pd.DataFrame(columns=["product_id", "start", "end", "price", "kind"]).astype(
            {"start": "datetime64[us]", "end": "datetime64[us]", "price": "float64"}
        ),
        "promotions": pd.DataFrame(
            columns=[
                "product_id",
                "start",
                "end",
                "dip_end",
                "regular_price",
                "promo_price",
                "lift",
                "dip",
            ]
        ),
        "planted_elasticity": {},
    }
    if n_weeks < _MIN_WEEKS:
        return sale, empty
    rng = np.random.default_rng([seed, 14])
    cat = products[products["kind"] == "catalogue"]
    chosen = (
        cat.sort_values(["category", "popularity"], ascending=[True, False], kind="stable")
        .groupby("category", sort=True)
        .head(2)
    )
    week0 = pd.Timestamp(first_monday)
    end_ts = pd.Timestamp(start + timedelta(days=days))
    promos = {p[0]: p for p in _PROMOS}
    seen_promo: set[str] = set()
    plan_rows, promo_rows = [], []
    planted: dict[str, float] = {}
    sale = sale.copy()
    qty = sale["quantity"].to_numpy().copy()
    price = sale["unit_price"].to_numpy().copy()
    dates = sale["order_date"].to_numpy()
    pids = sale["product_id"].to_numpy()
    for row in chosen.itertuples():
        e = CATEGORY_ELASTICITY[row.category]
        jitter = rng.integers(-2, 3, len(_BOUNDS))
        bounds = [int(round(b * n_weeks)) + int(j) for b, j in zip(_BOUNDS, jitter, strict=True)]
        factors = (1.0, *rng.permutation(_FACTORS).tolist())
        edges = [pd.Timestamp(start)] + [week0 + pd.Timedelta(weeks=b) for b in bounds] + [end_ts]
        # segments: (start, end, price, multiplier, kind)
        segs: list[tuple[pd.Timestamp, pd.Timestamp, float, float, str]] = []
        for i, f in enumerate(factors):
            segs.append((edges[i], edges[i + 1], _price(row.base_price * f), f**e, "regular"))
        promo = promos.get(row.category)
        if promo is not None and row.category not in seen_promo:
            seen_promo.add(row.category)
            _, seg_i, after, lift, dip = promo
            s0, s1, reg, mult, _ = segs[seg_i]
            p0 = week0 + pd.Timedelta(weeks=bounds[seg_i - 1] + after)
            p1 = p0 + pd.Timedelta(weeks=_PROMO_WEEKS)
            d1 = p1 + pd.Timedelta(weeks=_DIP_WEEKS)
            promo_price = _price(reg * (1 - _PROMO_DISCOUNT))
            segs[seg_i : seg_i + 1] = [
                (s0, p0, reg, mult, "regular"),
                (p0, p1, promo_price, mult * lift, "promotion"),
                (p1, d1, reg, mult * (1 - dip), "dip"),
                (d1, s1, reg, mult, "regular"),
            ]
            promo_rows.append(
                (row.product_id, p0, p1 - pd.Timedelta(days=1), d1 - pd.Timedelta(days=1))
                + (reg, promo_price, lift, -dip)
            )
        k = 1.0 / min(s[3] for s in segs)
        mine = pids == row.product_id
        for s0, s1, p, mult, kind in segs:
            sel = mine & (dates >= s0.to_datetime64()) & (dates < s1.to_datetime64())
            q = qty[sel]
            qty[sel] = q + rng.poisson(np.maximum(q * (k * mult - 1.0), 0.0))
            price[sel] = p
            plan_rows.append((row.product_id, s0, s1 - pd.Timedelta(days=1), p, kind))
        planted[row.product_id] = e
    sale["quantity"] = qty.astype("float64")
    sale["unit_price"] = price
    plan = pd.DataFrame(plan_rows, columns=["product_id", "start", "end", "price", "kind"])
    plan = plan.astype({"product_id": "string", "start": "datetime64[us]", "end": "datetime64[us]"})
    promotions = pd.DataFrame(
        promo_rows,
        columns=[
            "product_id",
            "start",
            "end",
            "dip_end",
            "regular_price",
            "promo_price",
            "lift",
            "dip",
        ],
    ).astype(
        {
            "product_id": "string",
            "start": "datetime64[us]",
            "end": "datetime64[us]",
            "dip_end": "datetime64[us]",
        }
    )
    return sale, {
        "category_elasticity": dict(CATEGORY_ELASTICITY),
        "price_plan": plan,
        "promotions": promotions,
        "planted_elasticity": planted,
    }
