"""Realistic already-summed sales tables, seeded (used by tests and bench/bench_many_series.py).

- :func:`walmart_like`: weekly sales by store × department, laid out like Kaggle's Walmart
  ``train.csv`` (``Store, Dept, Date, Weekly_Sales, IsHoliday``): Fridays from 2010-02-05,
  the same four holiday weeks a year (Super Bowl, Labor Day, Thanksgiving, Christmas),
  store size and department mix effects, a yearly season peaking in Q4, a trend per store,
  intermittent departments (weeks missing, as in the real file) and a few small negative
  weeks (more returned than sold).
- :func:`sku_daily`: daily units and revenue by SKU (``sku, date, units, revenue``) with
  zeros, intermittent slow movers and weekly seasonality.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Walmart's holiday weeks (the Friday ending each week), 2010-2012.
HOLIDAYS = pd.to_datetime(
    [
        "2010-02-12",
        "2010-09-10",
        "2010-11-26",
        "2010-12-31",
        "2011-02-11",
        "2011-09-09",
        "2011-11-25",
        "2011-12-30",
        "2012-02-10",
        "2012-09-07",
        "2012-11-23",
        "2012-12-28",
    ]
)


def walmart_like(
    stores: int = 45, depts: int = 70, weeks: int = 143, *, seed: int = 0
) -> pd.DataFrame:
    """Weekly sales per store × department (numbers as numbers, ``IsHoliday`` as bool)."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2010-02-05", periods=weeks, freq="W-FRI")
    t = np.arange(weeks)
    holiday = dates.isin(HOLIDAYS)
    doy = dates.day_of_year.to_numpy()
    q4 = np.exp(-(((doy - 358) / 18.0) ** 2)) + 0.5 * np.exp(-(((doy - 330) / 6.0) ** 2))
    season = 1 + 0.25 * np.sin(2 * np.pi * (doy - 80) / 365.25)
    store_size = rng.lognormal(0, 0.45, stores)
    store_trend = rng.normal(0, 0.0015, stores)
    dept_ids = np.sort(rng.choice(np.arange(1, 100), size=depts, replace=False))
    dept_level = rng.lognormal(8.5, 1.2, depts)
    dept_q4 = rng.gamma(1.2, 0.5, depts)  # how much a department peaks before Christmas
    dept_holiday = rng.normal(0.08, 0.1, depts)
    intermittent = rng.random(depts) < 0.12  # sold in a few stores, some weeks
    frames = []
    for s in range(stores):
        for d in range(depts):
            if intermittent[d] and rng.random() < 0.5:
                continue  # this store does not carry the department
            mean = (
                dept_level[d]
                * store_size[s]
                * season
                * (1 + dept_q4[d] * q4)
                * (1 + store_trend[s] * t)
                * (1 + dept_holiday[d] * holiday)
            )
            y = mean * rng.lognormal(0, 0.12, weeks)
            keep = np.ones(weeks, dtype=bool)
            if intermittent[d]:
                y = np.where(rng.random(weeks) < 0.4, y * 0.1, 0.0)
                keep = y > 0
                ret = rng.random(weeks) < 0.03
                y = np.where(ret, -rng.uniform(5, 50, weeks), y)
                keep |= ret
            frames.append(
                pd.DataFrame(
                    {
                        "Store": s + 1,
                        "Dept": dept_ids[d],
                        "Date": dates[keep],
                        "Weekly_Sales": np.round(y[keep], 2),
                        "IsHoliday": holiday[keep],
                    }
                )
            )
    return pd.concat(frames, ignore_index=True)


def sku_daily(skus: int = 30, days: int = 180, *, seed: int = 0) -> pd.DataFrame:
    """Daily units and revenue by SKU; zeros are written (days without a sale), slow movers
    sell on a few days only, and a few days hold net returns (negative units and revenue)."""
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2024-01-01", periods=days, freq="D")
    dow = np.array([0.8, 0.85, 0.9, 1.0, 1.15, 1.4, 1.2])[dates.day_of_week]
    frames = []
    for k in range(skus):
        price = float(np.round(rng.uniform(3, 80), 2))
        rate = rng.lognormal(0.5, 1.0) if k % 3 else rng.uniform(0.05, 0.3)  # slow movers
        units = rng.poisson(rate * dow).astype(float)
        ret = rng.random(days) < 0.01
        units = np.where(ret & (units == 0), -1.0, units)
        frames.append(
            pd.DataFrame(
                {
                    "sku": f"SKU-{k:03d}",
                    "date": dates.strftime("%Y-%m-%d"),
                    "units": units.astype(int),
                    "revenue": np.round(units * price, 2),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    return df.to_csv(index=False).encode()
