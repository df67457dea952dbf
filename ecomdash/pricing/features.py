"""The weekly price panel: price levels, promotion weeks, and the model design per product.

Input is :meth:`ecomdash.store.Store.product_week_prices` (one row per product and week with
sales). A week's price is the median of its lines' unit prices (robust to quantity-tier
discounts and odd lines); units are the week's summed quantity of the kept sales (a sale later
cancelled by its matched return is left out: it was not demand at that price). Only weeks the
data covers whole are in it (``store_queries.full_weeks``): a dataset starting on a Friday or
ending on a Wednesday would otherwise count part of a week as a slow week (a weekday the shop
never opens, such as a closed Sunday, does not make a week part).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ecomdash.errors import InsufficientDataError, ParameterError
from ecomdash.i18n import N_
from ecomdash.i18n.note import note, note_n

PANEL_COLUMNS = ("product_id", "week", "units", "median_price")
#: A week is a promotion week when its price is at least this far below the reference price.
PROMO_MIN_DISCOUNT = 0.05


def check_panel(pw: pd.DataFrame) -> None:
    missing = [c for c in PANEL_COLUMNS if c not in pw.columns]
    if missing:
        raise ParameterError(
            note_n(
                "The price panel lacks column {missing}; build it with "
                "Store.product_week_prices().",
                "The price panel lacks columns {missing}; build it with "
                "Store.product_week_prices().",
                len(missing),
                missing=tuple(missing),
            )
        )
    if pw.empty:
        raise InsufficientDataError(
            note(
                N_(
                    "Pricing needs whole weeks (Monday to Sunday) of product sales with a "
                    "quantity and a price; found none. Check that the quantity and unit price "
                    "(or revenue) columns are mapped and that the sidebar's filters leave sales "
                    "in at least one whole week."
                )
            )
        )


def price_levels(prices: pd.Series, *, min_weeks: int = 2) -> int:
    """Distinct prices (to the cent) charged in at least ``min_weeks`` weeks.

    >>> price_levels(pd.Series([9.99, 9.99, 8.49, 8.49, 7.0]))
    2
    """
    counts = prices.round(2).value_counts()
    return int((counts >= min_weeks).sum())


def reference_price(prices: pd.Series, *, window: int = 8) -> pd.Series:
    """The regular price before each week: the highest of the medians of the previous
    ``window`` weeks' prices (the first week is its own reference)."""
    prev = prices.shift(1)
    ref = prev.rolling(window, min_periods=1).max()
    return ref.fillna(prices)


def flag_promotions(
    df: pd.DataFrame,
    *,
    min_discount: float = PROMO_MIN_DISCOUNT,
    max_weeks: int = 6,
    dip_weeks: int = 2,
    events: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Add ``ref_price, promo, post, promo_id`` to one product's weeks (sorted by week).

    The reference price is the latest price held in 3+ of the previous 8 regular weeks (none
    while no price has been held that long). A promotion is a run of at most ``max_weeks``
    consecutive sale weeks priced at least ``min_discount`` below the reference price, after which the price returns to within
    ``min_discount`` of it (a longer run is a price change, not a promotion). ``post`` marks
    the ``dip_weeks`` calendar weeks after a promotion. ``events`` (``product_id, start, end``)
    adds merchant-entered promotions (any week overlapping them).
    """
    out = df if df["week"].is_monotonic_increasing else df.sort_values("week")
    out = out.copy()
    ref, promo, promo_id, post = promotion_flags(
        out["product_id"].iloc[0] if len(out) else None,
        out["median_price"].to_numpy(dtype=float),
        out["week"].to_numpy(),
        min_discount=min_discount,
        max_weeks=max_weeks,
        dip_weeks=dip_weeks,
        events=events,
    )
    out["ref_price"] = ref
    out["promo"] = promo
    out["promo_id"] = promo_id
    out["post"] = post
    return out


def promotion_flags(
    product_id,
    p: np.ndarray,
    weeks: np.ndarray,
    *,
    min_discount: float = PROMO_MIN_DISCOUNT,
    max_weeks: int = 6,
    dip_weeks: int = 2,
    events: pd.DataFrame | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`flag_promotions` on one product's arrays (prices ``p`` and ``weeks``, sorted by
    week): ``(ref_price, promo, promo_id, post)``."""
    n = len(p)
    ref = np.full(n, np.nan)
    promo = np.zeros(n, dtype=bool)
    # the reference is a *usual* price: the latest price held in 3+ of the last 8 regular weeks
    # (compared to the cent: each week's price is rounded once, as _usual rounds them)
    cents = np.round(p, 2).tolist()
    regular: list[float] = []
    i = 0
    while i < n:
        r = _usual_rounded(regular[-8:])
        ref[i] = r if r is not None else p[i]
        if r is not None and p[i] < r * (1 - min_discount):
            j = i
            while j < n and p[j] < r * (1 - min_discount) and j - i < max_weeks + 1:
                j += 1
            gap = (weeks[j - 1] - weeks[i]) / np.timedelta64(7, "D") + 1
            back = j < n and p[j] >= r * (1 - min_discount)
            if j - i <= max_weeks and gap <= max_weeks and back:
                promo[i:j] = True
                ref[i:j] = r
                i = j
                continue
            # a lasting price change: the new price becomes the regular price
            regular = [cents[i]]
            i += 1
            continue
        regular.append(cents[i])
        i += 1
    if events is not None and len(events):
        ev = events[events["product_id"] == product_id]
        wk = pd.Series(weeks)
        for e in ev.itertuples():
            s = pd.Timestamp(e.start).to_period("W-SUN").start_time
            promo |= (wk >= s).to_numpy() & (wk <= pd.Timestamp(e.end)).to_numpy()
    # promotion ids (runs) and the post-promotion weeks
    starts = promo & ~np.r_[False, promo[:-1]]
    promo_id = np.where(promo, np.cumsum(starts), 0)
    post = np.zeros(n, dtype=bool)
    ends = weeks[promo & ~np.r_[promo[1:], False]]
    for e in ends:
        lo, hi = e + np.timedelta64(7, "D"), e + np.timedelta64(7 * dip_weeks, "D")
        post |= (weeks >= lo) & (weeks <= hi) & ~promo
    return ref, promo, promo_id, post


def _usual(prices: list[float], *, min_count: int = 3) -> float | None:
    """The latest price that occurs (to the cent) at least ``min_count`` times in ``prices``."""
    if len(prices) < min_count:
        return None
    return _usual_rounded([round(x, 2) for x in prices], min_count=min_count)


def _usual_rounded(rounded: list[float], *, min_count: int = 3) -> float | None:
    """:func:`_usual` of prices already rounded to the cent."""
    if len(rounded) < min_count:
        return None
    for x in reversed(rounded):
        if rounded.count(x) >= min_count:
            return x
    return None


def design(df: pd.DataFrame, *, t0: pd.Timestamp, seasonal: bool) -> pd.DataFrame:
    """Regressors of the log-log demand model for one product's weeks.

    ``const, log_price``, then the store's demand level: ``log_orders`` (log of the whole
    store's orders that week — it carries the trend, the seasons and the holiday weeks; the
    models use it as an offset) when the panel has ``store_orders``, else ``trend`` (years since ``t0``) and, when
    ``seasonal``, one yearly harmonic ``sin1, cos1``; ``promo`` and ``post`` when some
    (not all) weeks have them.
    """
    X = pd.DataFrame(
        {"const": 1.0, "log_price": np.log(df["median_price"].to_numpy(dtype=float))},
        index=df.index,
    )
    if "store_orders" in df:
        X["log_orders"] = np.log(df["store_orders"].to_numpy(dtype=float))
    else:
        t = (df["week"] - t0).dt.days.to_numpy() / 365.25
        X["trend"] = t
        if seasonal:
            X["sin1"] = np.sin(2 * np.pi * t)
            X["cos1"] = np.cos(2 * np.pi * t)
    for c in ("promo", "post"):
        if c in df and df[c].any() and not df[c].all():
            X[c] = df[c].astype(float).to_numpy()
    return X
