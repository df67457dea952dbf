"""Degraded exports written for the tests: a till log of baskets (receipt, time, item, units;
no price, no customer), optionally with prices; truths computed while generating."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

ITEMS = [f"Item {c}" for c in "ABCDEFGHIJKLMNOP"]


def till_log(days: int = 200, seed: int = 5, *, prices: bool = False) -> tuple[pd.DataFrame, dict]:
    """Baskets over ``days`` days; Saturdays at 11:00 are planted as the busiest hour;
    Item A and Item B are bought together often."""
    rng = np.random.default_rng(seed)
    rows = []
    start = datetime(2024, 1, 1)  # a Monday
    receipt = 1000
    per_hour: Counter = Counter()
    units: Counter = Counter()
    for d in range(days):
        day = start + timedelta(days=d)
        n = int(rng.integers(3, 7))
        hours = list(rng.integers(9, 19, size=n))
        if day.weekday() == 5:
            hours += [11] * 8  # planted: Saturday 11:00
        for h in hours:
            receipt += 1
            ts = day + timedelta(hours=int(h), minutes=int(rng.integers(0, 60)))
            k = int(rng.integers(1, 4))
            basket = list(rng.choice(len(ITEMS), size=k, replace=False))
            if rng.random() < 0.4 and 0 not in basket and 1 not in basket:
                basket += [0, 1]
            per_hour[(day.weekday(), int(h))] += 1
            for i in basket:
                q = int(rng.integers(1, 3))
                units[ITEMS[int(i)]] += q
                row = {
                    "Receipt": f"R{receipt}",
                    "Time": ts.strftime("%Y-%m-%d %H:%M"),
                    "Item": ITEMS[int(i)],
                    "Units": q,
                }
                if prices:
                    row["Price"] = f"{2.5 + int(i):.2f}"
                rows.append(row)
    df = pd.DataFrame(rows)
    truth = {
        "orders": receipt - 1000,
        "units": int(sum(units.values())),
        "units_by_item": dict(units),
        "busiest": max(per_hour, key=per_hour.get),
        "busiest_orders": max(per_hour.values()),
    }
    return df, truth
