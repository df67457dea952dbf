"""Customer groups and order profiles (counts, baskets, prices, channels, returns) and the
day intensity: weekly, yearly, holiday and trend multipliers."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from ecomdash.demo.catalogue import _ro
from ecomdash.demo.types import HolidayEffect

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

# New customers (acquired over the whole period, their own stream [seed, 16]): each buys once,
# or with probability _NEW_REPEAT_P 2 + Poisson(_NEW_EXTRA) times. With twice as many new
# customers as regulars, 85 % of them and ~57 % of all customers buy once (CDNOW: 51 % of a
# cohort bought once in 78 weeks).
_FIRST_ID = 12001  # customer ids: regulars 12001.., new customers after them by first order
_NEW_STREAM = 16
_NEW_REPEAT_P = 0.15
_NEW_EXTRA = 0.8

_WEEKLY = (0.90, 0.85, 0.90, 0.95, 1.05, 1.25, 1.10)  # Mon..Sun, mean 1
_YEARLY_AMPLITUDE = 0.25
_YEARLY_PEAK_DOY = 340  # early December
_TREND = 0.15  # growth per year

_POSTAGE_PRICE = 3.95
_FEE_PRICE = 1.50


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
