"""Alerts finding: this week's high-severity alerts (from an ``alerts.AlertsResult``)."""

from __future__ import annotations

import pandas as pd

from ecomdash.alerts import RULES
from ecomdash.findings.core import Finding, money_exact, money_text
from ecomdash.i18n import N_, _, _n

PAGE_ALERTS = "pages/alerts.py"
#: The rules that flag a whole day or week (the others flag orders, lines or products).
DAY_RULES = ("unusual_day", "unusual_week")
#: How many days, up to the data's last day, count as "this week".
WEEK_DAYS = 7


def week_alerts(res, *, days: int = WEEK_DAYS, severity: str = "high") -> pd.DataFrame:
    """The alerts of ``severity`` dated within the last ``days`` days of the result's period
    (its last day included)."""
    a = res.alerts
    if a is None or a.empty:
        return a
    end = pd.Timestamp(res.params["period"][1]).normalize() + pd.Timedelta(days=1)
    when = pd.to_datetime(a["date"])
    keep = (a["severity"] == severity) & (when >= end - pd.Timedelta(days=days)) & (when < end)
    return a[keep]


def alerts_finding(res, *, days: int = WEEK_DAYS) -> Finding | None:
    """The high-severity alerts of the last ``days`` days of the period (the data's last
    week), sized by the money they involve (each alert's ``impact``: an order's value, the
    revenue lost against the usual price, a day's distance from its expected revenue). The
    headline's "orders worth" is the order alerts' impacts alone, written exactly
    (:func:`~ecomdash.findings.core.money_exact`); a day's distance is an estimate.
    ``high`` confidence: the rules flag high only far beyond their thresholds. ``None`` when
    the week has no high alert."""
    week = week_alerts(res, days=days)
    if week is None or week.empty:
        return None
    n = len(week)
    impact = pd.to_numeric(week["impact"], errors="coerce").fillna(0.0).clip(lower=0)
    value = float(impact.sum())
    on_orders = ~week["kind"].isin(DAY_RULES)
    # what the flagged orders are worth is counted from their lines, not estimated: written
    # exactly ("orders worth £2,140", it read "£2,100"); a day's distance from what was
    # expected is an estimate (money_text) and is no order's worth
    worth = float(impact[on_orders].sum())
    kinds = sorted({k for ks in week["kinds"].astype(str) for k in ks.split(", ") if k in RULES})
    rules = ", ".join(_(RULES[k][0]) for k in kinds)
    if on_orders.any():
        headline = _n(
            "{n} high alert in the last {days} days on orders worth {value}: check it before "
            "shipping",
            "{n} high alerts in the last {days} days on orders worth {value}: check them "
            "before shipping",
            n,
            n=f"{n:,}",
            days=days,
            value=money_exact(worth),
        )
    else:
        headline = _n(
            "{n} unusual day in the last {days} days ({value} from what was expected): find "
            "out why",
            "{n} unusual days in the last {days} days ({value} from what was expected): find "
            "out why",
            n,
            n=f"{n:,}",
            days=days,
            value=money_text(value),
        )
    return Finding(
        kind="alerts",
        headline=headline,
        value=value,
        # the tile writes the sum exactly when it is the orders' worth alone
        exact=bool(on_orders.all()),
        confidence="high",
        confidence_note=_("high severity: far beyond the rules' thresholds ({rules})", rules=rules),
        detail=_(
            "The Alerts page lists each one with its reason and order lines; mute a rule or "
            "product there if it is expected."
        ),
        page=PAGE_ALERTS,
        link_label=N_("Alerts"),
    )
