"""What-if on price, the profit-maximising price, and markdowns for slow movers.

Constant-elasticity demand around the current state: at price ``p`` a product sells
``u0 · (p / p0) ** e`` units a week, with ``p0`` its current regular price and ``u0`` its
units a week over the last 8 weeks with sales. The band uses the ends of the elasticity's
interval. Prices are only evaluated inside the *allowed range*: from 10 % below the lowest
to 10 % above the highest regular price the product has had — never beyond.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ecomdash.errors import InsufficientDataError, ParameterError
from ecomdash.i18n import N_, _, _n, fmt
from ecomdash.i18n.note import note, note_n
from ecomdash.pricing.analysis import PricingResult
from ecomdash.pricing.promotions import margin_for

#: the what-if's warning without a margin (a Note with this msgid): the page and the CLI each
#: say it with where their margin is entered (ui.pricing, cli.pricing)
NO_MARGIN = N_(
    "Profit needs a cost: give a margin\u00a0% of the current price. Until then the best price "
    "shown maximises revenue."
)

RANGE_SLACK = 0.10

WHATIF_COLUMNS = [
    "product_id",
    "product_name",
    "category",
    "elasticity",
    "source",
    "current_price",
    "new_price",
    "units_now",
    "units",
    "units_low",
    "units_high",
    "revenue_now",
    "revenue",
    "revenue_low",
    "revenue_high",
    "profit_now",
    "profit",
    "profit_low",
    "profit_high",
    "best_price",
    "best_for",
    "allowed_low",
    "allowed_high",
    "note",
]


@dataclass(frozen=True)
class WhatIfResult:
    """Per product the expected week at the new price (``WHATIF_COLUMNS``), and ``curve``:
    ``product_id, price, units, units_low, units_high, revenue, profit`` over the allowed
    range (for the demand-curve chart)."""

    table: pd.DataFrame
    curve: pd.DataFrame
    change_pct: float
    params: dict
    warnings: tuple[str, ...] = field(default_factory=tuple)


def allowed_range(row: pd.Series) -> tuple[float, float]:
    return row["min_price"] * (1 - RANGE_SLACK), row["max_price"] * (1 + RANGE_SLACK)


def what_if(
    result: PricingResult,
    *,
    products: list[str] | tuple[str, ...] | None = None,
    category: str | None = None,
    change_pct: float = 0.0,
    margin: float | dict[str, float] | None = None,
    grid: int = 60,
) -> WhatIfResult:
    """Expected units, revenue and profit a week after changing price by ``change_pct`` %.

    Pick ``products`` (ids) or a ``category`` (all its products with an elasticity); with
    neither, the ten products with an elasticity and the most revenue. ``margin``: share of
    the current price that is profit (one value, or a dict category → share); without it
    the profit columns stay empty and the best price maximises revenue.
    """
    if not -90 <= change_pct <= 200:
        raise ParameterError(
            note(
                N_(
                    "The price change must be between -90\u00a0% and +200\u00a0%; got {change}\u00a0%."
                ),
                change=f"{change_pct:g}",
            )
        )
    p = result.products
    has = p[p["status"] != "no estimate"]
    if products:
        wanted = [str(x) for x in products]
        unknown = [x for x in wanted if x not in set(p["product_id"])]
        if unknown:
            raise ParameterError(
                note_n(
                    "Product {ids} has no sales in this dataset. Pick products from the "
                    "elasticity table.",
                    "Products {ids} have no sales in this dataset. Pick products from the "
                    "elasticity table.",
                    len(unknown),
                    ids=", ".join(unknown[:5]),
                )
            )
        sel = p[p["product_id"].isin(wanted)]
        missing = sel[sel["status"] == "no estimate"]
        if len(missing) == len(sel):
            r = missing.iloc[0]
            raise InsufficientDataError(
                note(
                    N_(
                        "Product {product} has no elasticity: {reason}. A what-if needs a product "
                        "whose price has changed (or a category estimate)."
                    ),
                    product=r["product_id"],
                    reason=r["reason"],
                )
            )
        sel = sel[sel["status"] != "no estimate"]
    elif category:
        sel = has[has["category"] == category]
        if sel.empty:
            raise InsufficientDataError(
                note(
                    N_(
                        "No product of category {category} has an elasticity. Pick another "
                        "category or single products."
                    ),
                    category=repr(category),
                )
            )
    else:
        sel = has.sort_values("revenue", ascending=False).head(10)
    if sel.empty:
        raise InsufficientDataError(
            note(
                N_(
                    "No product has an elasticity yet, so there is nothing to simulate. Products "
                    "need sales at 2+ prices (see the reasons in the elasticity table)."
                )
            )
        )
    rows, curves, warns = [], [], []
    for _i, r in sel.iterrows():
        lo_p, hi_p = allowed_range(r)
        p0, u0, e = float(r["current_price"]), float(r["units_per_week"]), float(r["elasticity"])
        e_lo, e_hi = float(r["ci_low"]), float(r["ci_high"])
        m = margin_for(margin, r["category"])
        cost = None if m is None else p0 * (1 - m)
        p1 = p0 * (1 + change_pct / 100)
        inside = lo_p - 1e-9 <= p1 <= hi_p + 1e-9
        remark = ""
        if not inside:
            remark = _(
                "{price} is outside the prices this product has had ({low}–{high}, ±10\u00a0% "
                "allowed): no estimate, we never extrapolate",
                # in the shop's currency when the caller set it (fmt.use_currency: the page)
                price=fmt.money(p1),
                low=fmt.money(float(r["min_price"])),
                high=fmt.money(float(r["max_price"])),
            )

        def units(price, el, u0=u0, p0=p0):
            return u0 * (price / p0) ** el

        if inside:
            u = units(p1, e)
            ua, ub = units(p1, e_lo), units(p1, e_hi)
            u_lo, u_hi = min(ua, ub), max(ua, ub)
        else:
            u = u_lo = u_hi = np.nan
        prices = np.linspace(lo_p, hi_p, grid)
        cu = units(prices, e)
        ca, cb = units(prices, e_lo), units(prices, e_hi)
        rev = cu * prices
        prof = cu * (prices - cost) if cost is not None else np.full(grid, np.nan)
        target = prof if cost is not None else rev
        best = float(prices[int(np.nanargmax(target))])
        curves.append(
            pd.DataFrame(
                {
                    "product_id": r["product_id"],
                    "price": prices,
                    "units": cu,
                    "units_low": np.minimum(ca, cb),
                    "units_high": np.maximum(ca, cb),
                    "revenue": rev,
                    "profit": prof,
                }
            )
        )

        def money(x, unit_margin):
            return x * unit_margin if unit_margin is not None else np.nan

        rows.append(
            {
                "product_id": r["product_id"],
                "product_name": r["product_name"],
                "category": r["category"],
                "elasticity": e,
                "source": r["source"],
                "current_price": p0,
                "new_price": p1,
                "units_now": u0,
                "units": u,
                "units_low": u_lo,
                "units_high": u_hi,
                "revenue_now": u0 * p0,
                "revenue": u * p1,
                "revenue_low": u_lo * p1,
                "revenue_high": u_hi * p1,
                "profit_now": money(u0, None if cost is None else p0 - cost),
                "profit": money(u, None if cost is None else p1 - cost),
                "profit_low": money(u_lo, None if cost is None else p1 - cost),
                "profit_high": money(u_hi, None if cost is None else p1 - cost),
                "best_price": best,
                "best_for": _("profit") if cost is not None else _("revenue (no margin given)"),
                "allowed_low": lo_p,
                "allowed_high": hi_p,
                "note": remark,
            }
        )
    table = pd.DataFrame(rows, columns=WHATIF_COLUMNS)
    if table["note"].ne("").any():
        warns.append(
            _n(
                "{n} product would leave the range of prices it has had (±10\u00a0%): it gets no "
                "estimate rather than an extrapolation.",
                "{n} products would leave the range of prices they have had (±10\u00a0%): they get "
                "no estimate rather than an extrapolation.",
                int(table["note"].ne("").sum()),
            )
        )
    if margin is None:
        warns.append(note(NO_MARGIN))
    return WhatIfResult(
        table=table,
        curve=pd.concat(curves, ignore_index=True),
        change_pct=float(change_pct),
        params={"products": list(sel["product_id"]), "category": category, "margin": margin},
        warnings=tuple(warns),
    )


MARKDOWN_COLUMNS = [
    "product_id",
    "product_name",
    "category",
    "elasticity",
    "units_recent",
    "units_before",
    "trend",
    "on_hand",
    "weeks_of_cover",
    "target_units",
    "markdown",
    "new_price",
    "clears_in_weeks",
    "note",
]


def markdown_candidates(
    result: PricingResult,
    *,
    weeks_to_clear: int = 8,
    stock: pd.Series | None = None,
    slow_ratio: float = 0.75,
    window: int = 8,
) -> pd.DataFrame:
    """Slow movers and the markdown that clears them in ``weeks_to_clear`` weeks.

    A product with an elasticity is a slow mover when its units over the last ``window``
    calendar weeks (missing weeks = 0) are at most ``slow_ratio`` of the ``window`` before
    (falling demand) or, with ``stock`` (product id → units on hand, as the restock planner
    reads it), when its stock covers more than ``weeks_to_clear`` weeks of recent sales.
    Target: sell ``on_hand / weeks_to_clear`` a week (with stock) or get back to the earlier
    rate. Markdown ``d`` solves ``(1 − d) ** e = target / recent``, capped at the lowest
    allowed price (10 % under the lowest price the product has had).
    """
    if not 1 <= weeks_to_clear <= 52:
        raise ParameterError(
            note(N_("weeks_to_clear must be 1–52 weeks; got {weeks}."), weeks=weeks_to_clear)
        )
    panel = result.panel
    last = result.last_week if result.last_week is not None else panel["week"].max()
    weeks = pd.date_range(end=last, periods=2 * window, freq="7D")
    rows = []
    has = result.products[result.products["status"] != "no estimate"]
    by_product = dict(
        list(panel[panel["product_id"].isin(set(has["product_id"]))].groupby("product_id"))
    )
    for r in has.itertuples():
        g = by_product[r.product_id].set_index("week")["units"]
        u = g.reindex(weeks, fill_value=0.0)
        before, recent = float(u.iloc[:window].mean()), float(u.iloc[window:].mean())
        on_hand = np.nan
        if stock is not None and r.product_id in stock.index:
            on_hand = float(stock.loc[r.product_id])
        cover = on_hand / recent if recent > 0 and not np.isnan(on_hand) else np.nan
        trend = recent / before if before > 0 else np.nan
        slow_trend = not np.isnan(trend) and trend <= slow_ratio
        slow_stock = not np.isnan(cover) and cover > weeks_to_clear
        if not (slow_trend or slow_stock) or recent <= 0 or r.elasticity >= -0.05:
            continue
        target = on_hand / weeks_to_clear if slow_stock else before
        ratio = target / recent
        d = 1 - ratio ** (1 / r.elasticity)
        floor = r.min_price * (1 - RANGE_SLACK)
        remark = ""
        new_price = r.current_price * (1 - d)
        if new_price < floor:
            new_price = floor
            d = 1 - floor / r.current_price
            remark = (
                _(
                    "deepest markdown inside the prices this product has had; the stock takes "
                    "longer than the chosen weeks to clear"
                )
                if slow_stock
                else _(
                    "deepest markdown inside the prices this product has had; sales get only "
                    "part of the way back to the earlier rate"
                )
            )
        units_new = recent * (new_price / r.current_price) ** r.elasticity
        clears = on_hand / units_new if not np.isnan(on_hand) and units_new > 0 else np.nan
        rows.append(
            {
                "product_id": r.product_id,
                "product_name": r.product_name,
                "category": r.category,
                "elasticity": r.elasticity,
                "units_recent": recent,
                "units_before": before,
                "trend": trend,
                "on_hand": on_hand,
                "weeks_of_cover": cover,
                "target_units": target,
                "markdown": max(d, 0.0),
                "new_price": new_price,
                "clears_in_weeks": clears,
                "note": remark,
            }
        )
    out = pd.DataFrame(rows, columns=MARKDOWN_COLUMNS)
    return out.sort_values("markdown", ascending=False, kind="stable").reset_index(drop=True)
