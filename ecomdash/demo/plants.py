"""Planted incidents for the alert rules (own random stream ``[seed, 15]``)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from ecomdash.demo.types import INCIDENT_COLUMNS

_INCIDENT_STREAM = 15  # the incidents' own random stream: np.random.default_rng([seed, 15])


def _plant_incidents(
    frame: pd.DataFrame,
    *,
    seed: int,
    start: date,
    days: int,
    catalogue: frozenset[str],
    new_customers: frozenset[str] = frozenset(),
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

    # 1. outage day (a Wednesday): 85 % of the day's orders never happen. Only orders of
    # guests, new customers (``new_customers``: acquired over the period, most buy once) and
    # regulars with 4+ orders are lost, so every regular keeps 3+ orders.
    d_out = at(0.275, 2)
    sale_orders = frame[is_sale & ~frame["order_id"].str.startswith("C")]
    per_cust = sale_orders.groupby("customer_id")["order_id"].nunique()
    day_orders = sale_orders[day_of[sale_orders.index] == d_out].drop_duplicates("order_id")
    ok = (
        day_orders["customer_id"].isna()
        | (day_orders["customer_id"].map(per_cust).fillna(0) >= 4)
        | day_orders["customer_id"].isin(new_customers)
    )
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
