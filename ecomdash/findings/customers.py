"""Segments finding: the RFM "At risk" and "Can't lose them" customers the churn win-back
list does not already hold (from a ``segment.SegmentationResult``)."""

from __future__ import annotations

import math

import pandas as pd

from ecomdash import schema
from ecomdash.findings.core import LAPSE_PROBABILITY, Finding, money_exact, pct_text
from ecomdash.i18n import N_, _, _n
from ecomdash.segment.rfm import LONG_AGO_DAYS

PAGE_SEGMENTS = "pages/segments.py"
#: The RFM segments whose customers used to buy well and have stopped (segment ids).
LAPSING_SEGMENTS = ("At risk", "Can't lose them")


def segments_finding(seg, *, churn=None, winback_ids=()) -> Finding | None:
    """Customers of the RFM segments "At risk" and "Can't lose them" who are not on the
    win-back list (``winback_ids``: the win-back finding's customers, so no customer is
    counted twice), sized by their spend in the year before the churn model's score date
    (``churn.scores.revenue_365d``, a sum of their orders: written exactly; without a churn
    result: 0, unsized, as their lifetime spend is not a year's value at stake). Confidence from the churn model: ``medium`` when
    their median churn probability is at least ``LAPSE_PROBABILITY``, ``low`` otherwise or
    without it (RFM is a rule on recency, frequency and spend, not a prediction).
    Only customers whose last order was at least ``rfm.LONG_AGO_DAYS`` days before the
    as-of date count (on a short history the segments hold recent buyers: R scores are
    ranks). ``None`` when no such customer is left."""
    c = seg.rfm.customers
    target = c[c["segment"].astype(str).isin(LAPSING_SEGMENTS)]
    if target.empty:
        return None
    ids = target.index.astype(str)
    listed = ids.isin({str(x) for x in winback_ids})
    # only those who have not bought for a long time: RFM's R scores are ranks, and on a
    # short history these segments hold customers who bought days ago (five days of data:
    # "3 customers … have not bought for a median 3 days: send the win-back offer")
    rest = target[~listed & (target["recency_days"].to_numpy() >= LONG_AGO_DAYS)]
    n = len(rest)
    if n == 0:
        return None
    rest_ids = rest.index.astype(str)
    value, prob = 0.0, float("nan")
    if churn is not None:
        s = churn.scores.copy()
        s.index = s[schema.CUSTOMER_ID].astype(str)
        s = s[~s.index.duplicated()]
        value = float(s["revenue_365d"].reindex(rest_ids).clip(lower=0).fillna(0.0).sum())
        prob = float(s["churn_probability"].reindex(rest_ids).median())
    # the segments as the Segments page names them, in quotes ("in At risk / Can't lose
    # them" read as a path, not two segments)
    fields = {
        "n": f"{n:,}",
        "days": f"{float(rest['recency_days'].median()):.0f}",
        "a": _(LAPSING_SEGMENTS[0]),
        "b": _(LAPSING_SEGMENTS[1]),
    }
    if value > 0:
        headline = _n(
            "{n} customer in the segments “{a}” and “{b}” spent {value} in the last year and "
            "has not bought for {days} days: send the win-back offer",
            "{n} customers in the segments “{a}” and “{b}” spent {value} in the last year and "
            "have not bought for a median {days} days: send the win-back offer",
            n,
            # their spend is counted from their orders, not estimated: written exactly
            value=money_exact(value),
            **fields,
        )
    else:
        headline = _n(
            "{n} customer in the segments “{a}” and “{b}” has not bought for {days} days: "
            "send the win-back offer",
            "{n} customers in the segments “{a}” and “{b}” have not bought for a median "
            "{days} days: send the win-back offer",
            n,
            **fields,
        )
    if math.isfinite(prob):
        conf = "medium" if prob >= LAPSE_PROBABILITY else "low"
        note = _(
            "the churn model gives them a median churn probability of {pct}; RFM segments "
            "are a rule, not a prediction",
            pct=pct_text(prob),
        )
    else:
        conf, note = (
            "low",
            _("RFM segments are a rule on recency, frequency and spend, not a prediction"),
        )
    n_listed = int(listed.sum())
    # "N more are on the win-back list" only when some are: with none (no churn model, so
    # no win-back finding on the page) it read "0 more ... on the win-back list above"; and
    # not "above": the win-back finding may rank below this one
    detail = (
        _(
            "Customers who used to buy often and well (RFM) but not lately; {listed} more of "
            "these segments are on the win-back list and are not counted here.",
            listed=f"{n_listed:,}",
        )
        if n_listed
        else _("Customers who used to buy often and well (RFM) but not lately.")
    )
    if churn is None:
        detail += _(" Not sized: there is no churn model to give their spend in the last year.")
    elif value <= 0:
        detail += _(" Not sized: they spent nothing in the last year.")
    return Finding(
        kind="segments",
        headline=headline,
        value=value,
        exact=True,
        confidence=conf,
        confidence_note=note,
        detail=detail,
        page=PAGE_SEGMENTS,
        customers=n,
        link_label=N_("RFM segments"),
    )


def lapsing_ids(seg) -> pd.Index:
    """The customer ids of the lapsing RFM segments (for tests and the page)."""
    c = seg.rfm.customers
    return c.index[c["segment"].astype(str).isin(LAPSING_SEGMENTS)].astype(str)
