"""Forecast constants and the regular calendar (day / Monday-week / month) helpers."""

from __future__ import annotations

import pandas as pd
from scipy.stats import norm

from ecomdash import labels as L
from ecomdash import schema as S

METRICS = ("revenue", "orders", "units")
FREQS = ("D", "W", "M")
SEASON = {"D": 7, "W": 52, "M": 12}
FREQ_WORD = {"D": "day", "W": "week", "M": "month"}
#: The model names a merchant reads (one catalogue: ecomdash.labels).
MODEL_LABELS = {
    k: L.MODEL_LABELS[k]
    for k in (
        "seasonal_naive",
        "seasonal_mean",
        "ets",
        "croston",
        "sarimax",
        "combo",
        "seasonal_mean_cal",
        "ets_cal",
        "sarimax_cal",
        "auto",
    )
}
Z80 = float(norm.ppf(0.90))
Z95 = float(norm.ppf(0.975))
WARMUP = 4  # extra origins before the scored folds, used only for the nested choice


def _period_start(ts: pd.Series, freq: str) -> pd.Series:
    if freq == "D":
        return ts.dt.floor("D")
    if freq == "W":
        return ts.dt.to_period("W-SUN").dt.start_time
    return ts.dt.to_period("M").dt.start_time


def _calendar(start: pd.Timestamp, end: pd.Timestamp, freq: str) -> pd.DatetimeIndex:
    return pd.date_range(start, end, freq={"D": "D", "W": "W-MON", "M": "MS"}[freq])


def _next_periods(last: pd.Timestamp, n: int, freq: str) -> pd.DatetimeIndex:
    off = {"D": pd.DateOffset(days=1), "W": pd.DateOffset(weeks=1), "M": pd.DateOffset(months=1)}
    return pd.date_range(
        last + off[freq], periods=n, freq={"D": "D", "W": "W-MON", "M": "MS"}[freq]
    )


def _period_end(start: pd.Timestamp, freq: str) -> pd.Timestamp:
    if freq == "D":
        return start
    if freq == "W":
        return start + pd.Timedelta(days=6)
    return start + pd.offsets.MonthEnd(0)


#: The line columns forecasting (any scope), the many-products table and the restock planner
#: read besides the flags and quantity/price/revenue: pages and commands load only these.
LINE_COLUMNS = (S.ORDER_DATE, S.ORDER_ID, S.PRODUCT_ID, S.PRODUCT_NAME, S.CATEGORY, S.COUNTRY)
