"""Churn's windows: each customer's features as of a cut-off (inclusive) and whether they bought
again in the ``window_days`` after it, with the BG/NBD baseline's scores at the cut-off. Split from
``ecomdash.churn`` (which re-exports these names) so each file holds one concern.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ecomdash import clv
from ecomdash.errors import InsufficientDataError, ParameterError
from ecomdash.features import CustomerHistory, to_timestamp
from ecomdash.i18n import N_
from ecomdash.i18n.note import Date, note

_DAY = pd.Timedelta(days=1)

#: Feature columns used by the models (all computed from orders on or before the cut-off).
FEATURES = (
    "recency_days",
    "frequency",
    "monetary",
    "avg_order_value",
    "tenure_days",
    "interpurchase_days",
    "recency_over_interpurchase",
    "category_breadth",
    "return_rate",
    "orders_30d",
    "orders_90d",
    "orders_180d",
    "revenue_90d",
    "revenue_365d",
)


@dataclass(frozen=True)
class ChurnWindow:
    """Features as of ``cutoff`` (inclusive) and labels in ``(cutoff, cutoff + window_days]``.

    ``X`` is indexed by ``customer_id`` with :data:`FEATURES`; ``y`` is 1 when the customer
    bought again in the label window (``None`` when the window is for scoring only);
    ``p_alive`` is BG/NBD P(alive) at the cut-off (NaN when BG/NBD could not be fitted).
    """

    cutoff: pd.Timestamp
    window_days: int
    X: pd.DataFrame
    y: np.ndarray | None
    p_alive: np.ndarray
    p_buy: np.ndarray
    label_end: pd.Timestamp | None


def _windowed(history: CustomerHistory, cutoff: pd.Timestamp, codes: np.ndarray) -> pd.DataFrame:
    """Orders and revenue in the last 30/90/180/365 days before the end of the cut-off day."""
    end = np.datetime64((cutoff + _DAY).to_datetime64(), "us")
    o = history.orders
    d = o["d"].to_numpy(dtype="datetime64[us]")
    c = o["c"].to_numpy()
    r = o["r"].to_numpy(dtype=float)
    n = len(history.customers)
    out = {}
    # the windows nest: the year's orders once over the whole history, then the shorter
    # windows within them (a subset keeps the orders' order, so bincount's sums are the same)
    for days in (365, 180, 90, 30):
        start = end - np.timedelta64(days, "D")
        m = (d < end) & (d >= start)
        d, c, r = d[m], c[m], r[m]
        if days != 365:
            out[f"orders_{days}d"] = np.bincount(c, minlength=n)[codes].astype(float)
        if days in (90, 365):
            out[f"revenue_{days}d"] = np.bincount(c, weights=r, minlength=n)[codes]
    return pd.DataFrame(
        {
            k: out[k]
            for k in ("orders_30d", "orders_90d", "orders_180d", "revenue_90d", "revenue_365d")
        }
    )


def _labels(history: CustomerHistory, cutoff: pd.Timestamp, window_days: int, codes: np.ndarray):
    start = np.datetime64((cutoff + _DAY).to_datetime64(), "us")
    stop = start + np.timedelta64(int(window_days), "D")
    o = history.orders
    d = o["d"].to_numpy(dtype="datetime64[us]")
    m = (d >= start) & (d < stop)
    bought = np.bincount(o["c"].to_numpy()[m], minlength=len(history.customers)) > 0
    return bought[codes].astype(int)


def _bgnbd_scores(
    history: CustomerHistory, cutoff: pd.Timestamp, codes: np.ndarray, window_days: int
) -> tuple[np.ndarray, np.ndarray]:
    """BG/NBD P(alive) and P(buy within the window) at the cut-off, fitted on orders up to it,
    for the customers at positions ``codes`` of ``history.customers``.

    The summary is ``clv.rfm_summary``'s (frequency = repeat purchase days, recency and T in
    weeks), built from integer customer codes and whole days with numpy: grouping
    (customer, day) pairs in pandas, then reindexing by id strings, was 3.4 s of CPU per
    churn run at 10 M lines. Customers come in code order, as ``rfm_summary`` sorted them.
    """
    end = np.datetime64((cutoff + _DAY).to_datetime64(), "us")
    o = history.orders
    d = o["d"].to_numpy(dtype="datetime64[us]")
    m = d < end
    day = d[m].astype("datetime64[D]").astype(np.int64)
    c = o["c"].to_numpy()[m].astype(np.int64)
    nan = np.full(len(codes), np.nan)
    if len(day) == 0:
        return nan, nan
    d0 = int(day.min())
    span = int(day.max()) - d0 + 1
    key = np.sort(c * span + (day - d0))  # by customer, then day
    key = key[np.r_[True, key[1:] != key[:-1]]]  # one per customer-day (np.unique hashes: slower)
    kc = key // span
    kday = key % span + d0
    starts = np.flatnonzero(np.r_[True, kc[1:] != kc[:-1]])
    n_days = np.diff(np.r_[starts, len(key)])
    first = kday[starts]
    last = kday[np.r_[starts[1:], len(key)] - 1]
    cut_day = int(np.datetime64(cutoff.to_datetime64(), "D").astype(np.int64))
    s = pd.DataFrame(
        {
            "frequency": (n_days - 1).astype(float),
            "recency": (last - first) / 7.0,
            "T": (cut_day - first) / 7.0,
        }
    )
    if int((s["frequency"] > 0).sum()) < clv.MIN_REPEAT_BUYERS:
        return nan, nan
    try:
        params = clv.fit_bgnbd(s["frequency"], s["recency"], s["T"])
    except InsufficientDataError:
        return nan, nan
    f, r, T = s["frequency"], s["recency"], s["T"]
    at = np.full(len(history.customers), -1)
    at[kc[starts]] = np.arange(len(starts))
    pos = at[codes]
    pa = np.asarray(clv.bgnbd_p_alive(params, f, r, T), dtype=float)
    pb = np.asarray(clv.bgnbd_p_purchase_within(params, window_days / 7.0, f, r, T), dtype=float)
    return (
        np.where(pos >= 0, pa[np.maximum(pos, 0)], np.nan),
        np.where(pos >= 0, pb[np.maximum(pos, 0)], np.nan),
    )


def churn_window(
    history: CustomerHistory,
    *,
    cutoff: object,
    window_days: int = 90,
    labelled: bool = True,
    bgnbd: bool = True,
) -> ChurnWindow:
    """Features of every customer who bought on or before ``cutoff``, and their labels."""
    cutoff = to_timestamp(cutoff, name="cutoff")
    feats = history.features(as_of=cutoff)
    X = feats.table
    codes = feats.codes if feats.codes is not None else history.customers.get_indexer(X.index)
    X = X.assign(**{k: v.to_numpy() for k, v in _windowed(history, cutoff, codes).items()})
    ip = X["interpurchase_days"]
    X["interpurchase_days"] = ip.fillna(X["tenure_days"] + 1.0)
    X["recency_over_interpurchase"] = X["recency_days"] / X["interpurchase_days"].clip(lower=1.0)
    # one float block (column-major, as to_numpy gave the mixed blocks before), so the
    # models' to_numpy() is a view, not ~100 MB interleaved per call at 10 M lines
    block = np.empty((len(X), len(FEATURES)), order="F")
    for j, k in enumerate(FEATURES):
        block[:, j] = X[k].to_numpy(dtype=float)
    X = pd.DataFrame(block, index=X.index, columns=list(FEATURES), copy=False)
    y = None
    label_end = None
    if labelled:
        label_end = cutoff + pd.Timedelta(days=int(window_days))
        if label_end > history.last_date.normalize():
            raise ParameterError(
                note(
                    N_(
                        "The label window ({date} + {days} days = {end}) runs past the end of the "
                        "data ({last}). Choose a cut-off on or before {latest} or a shorter window."
                    ),
                    date=Date(cutoff),
                    days=window_days,
                    end=Date(label_end),
                    last=Date(history.last_date),
                    latest=Date(
                        history.last_date.normalize() - pd.Timedelta(days=int(window_days))
                    ),
                )
            )
        y = _labels(history, cutoff, window_days, codes)
    if bgnbd:
        p_alive, p_buy = _bgnbd_scores(history, cutoff, codes, int(window_days))
    else:
        p_alive = p_buy = np.full(len(X), np.nan)
    return ChurnWindow(
        cutoff=cutoff,
        window_days=int(window_days),
        X=X,
        y=y,
        p_alive=p_alive,
        p_buy=p_buy,
        label_end=label_end,
    )
