"""Alerts finding: this week's high-severity alerts (from an ``alerts.AlertsResult``)."""

from __future__ import annotations

import pandas as pd

from ecomdash.alerts import RULES
from ecomdash.findings.core import Finding, money_exact, money_text
from ecomdash.i18n import N_, _, _n, fmt

PAGE_ALERTS = "pages/alerts.py"
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


#: What each order rule's ``impact`` is (:mod:`ecomdash.alerts.orders`): the flagged orders'
#: or lines' worth ("orders worth £2,140") for these; money lost against the usual price or
#: below cost, and the value of returned lines, for the others — none of which is what an
#: order is worth, so each is said in its own words (:data:`OTHER_MONEY`).
ORDER_WORTH = ("huge_quantity", "quick_cancel", "order_burst", "day_share", "customer_returns")
#: rule -> how the headline says that rule's money (``{value}``), after the orders' worth
OTHER_MONEY = {
    "price_off": N_("{value} away from the usual prices"),
    "negative_margin": N_("{value} lost selling below cost"),
    "returns_spike": N_("returns worth {value}"),
}
#: the period rules: an unusual day's or week's money is its distance from what was expected
#: (revenue only; an unusual count of orders has none), an estimate, each kind said by itself:
#: a week's distance holds its days', so the two are never added either
PERIOD_MONEY = {"unusual_day": "days", "unusual_week": "weeks"}
#: the tile's label for each kind of money the headline says (``"orders"``: the order rules'
#: worth; ``"days"`` / ``"weeks"``: the unusual days' or weeks' distance from what was
#: expected) — the tile shows one kind, never a sum of kinds
MONEY_LABELS = {
    "orders": N_("Orders worth"),
    "price_off": N_("Away from usual prices"),
    "negative_margin": N_("Lost below cost"),
    "returns_spike": N_("Returns worth"),
    "days": N_("From expected"),
    "weeks": N_("From expected"),
}
#: the kinds whose money is counted from the lines (written exactly); the others are estimates
EXACT_MONEY = ("orders", "negative_margin", "returns_spike")


def _period_part(kind: str, n: int, value: float) -> str:
    """The headline's words for ``n`` unusual days or weeks ``value`` from what was
    expected ("1 unusual day £140 from what was expected"); no money when they are unusual
    counts of orders (no distance in money)."""
    if kind == "unusual_week":
        if value > 0:
            return _n(
                "{n} unusual week {value} from what was expected",
                "{n} unusual weeks {value} from what was expected",
                n,
                n=f"{n:,}",
                value=money_text(value),
            )
        return _n("{n} unusual week", "{n} unusual weeks", n, n=f"{n:,}")
    if value > 0:
        return _n(
            "{n} unusual day {value} from what was expected",
            "{n} unusual days {value} from what was expected",
            n,
            n=f"{n:,}",
            value=money_text(value),
        )
    return _n("{n} unusual day", "{n} unusual days", n, n=f"{n:,}")


def _period_alone(kind: str, n: int, days: int, value: float) -> str:
    """The headline of a week whose high alerts are all unusual days, or all unusual weeks."""
    if kind == "unusual_week":
        if value > 0:
            return _n(
                "{n} unusual week in the last {days} days ({value} from what was expected): "
                "find out why",
                "{n} unusual weeks in the last {days} days ({value} from what was expected): "
                "find out why",
                n,
                n=f"{n:,}",
                days=days,
                value=money_text(value),
            )
        return _n(
            "{n} unusual week in the last {days} days: find out why",
            "{n} unusual weeks in the last {days} days: find out why",
            n,
            n=f"{n:,}",
            days=days,
        )
    if value > 0:
        return _n(
            "{n} unusual day in the last {days} days ({value} from what was expected): find "
            "out why",
            "{n} unusual days in the last {days} days ({value} from what was expected): find "
            "out why",
            n,
            n=f"{n:,}",
            days=days,
            value=money_text(value),
        )
    return _n(
        "{n} unusual day in the last {days} days: find out why",
        "{n} unusual days in the last {days} days: find out why",
        n,
        n=f"{n:,}",
        days=days,
    )


def alerts_finding(res, *, days: int = WEEK_DAYS) -> Finding | None:
    """The high-severity alerts of the last ``days`` days of the period (the data's last
    week), sized by the money they involve (each alert's ``impact``: an order's value, the
    revenue lost against the usual price or below cost, a returns spike's returned value, a
    day's or week's distance from its expected revenue). The headline says each kind of
    money by itself: "orders worth" adds up the impacts of the rules that flag orders
    (:data:`ORDER_WORTH`) alone, written exactly (:func:`~ecomdash.findings.core.money_exact`);
    a price far from usual, a sale below cost and a returns spike each in their own words
    (:data:`OTHER_MONEY`: "£999 away from the usual prices"); the unusual days and the
    unusual weeks each with their count and their distance from what was expected, an
    estimate ("1 unusual day £140 from what was expected"; they were counted in the alerts
    without their money beside order alerts, and a week of unusual weeks read "unusual
    days"). The tile (and the ranking) takes the largest of the kinds of money the headline
    says, labelled with its kind (:data:`MONEY_LABELS`: "Orders worth", "Lost below cost" …):
    money of different kinds is never added into one figure. ``high`` confidence: the rules
    flag high only far beyond their thresholds. ``None`` when the week has no high alert."""
    week = week_alerts(res, days=days)
    if week is None or week.empty:
        return None
    n = len(week)
    impact = pd.to_numeric(week["impact"], errors="coerce").fillna(0.0).clip(lower=0)
    on_orders = week["kind"].isin(ORDER_WORTH)
    # what the flagged orders are worth is counted from their lines, not estimated: written
    # exactly ("orders worth £2,140", it read "£2,100"); the money lost to a wrong price or
    # below cost, a returns spike's returned value and a day's or week's distance from what
    # was expected are no order's worth: each is said in its own words
    worth = float(impact[on_orders].sum())

    def total(kind: str) -> float:
        return float(impact[week["kind"] == kind].sum())

    present = [k for k in (*OTHER_MONEY, *PERIOD_MONEY) if (week["kind"] == k).any()]
    # each kind of money the headline says, by itself: the tile shows the largest
    money = {(k if k in OTHER_MONEY else PERIOD_MONEY[k]): total(k) for k in present}
    if on_orders.any():
        money = {"orders": worth, **money}
    if not money:  # a rule this finding does not know: its alerts' money, as a day's
        money = {"days": float(impact.sum())}
    kind = max(money, key=lambda k: money[k])  # a tie: the first said
    value = money[kind]
    parts = [
        _(OTHER_MONEY[k], value=_other_money(k, total(k)))
        if k in OTHER_MONEY
        else _period_part(k, int((week["kind"] == k).sum()), total(k))
        for k in present
    ]
    others = fmt.join(parts)
    kinds = sorted({k for ks in week["kinds"].astype(str) for k in ks.split(", ") if k in RULES})
    rules = ", ".join(_(RULES[k][0]) for k in kinds)
    if on_orders.any() and worth <= 0:
        # orders whose lines add up to nothing (free or zero-priced lines): no "orders worth
        # £0" beside a tile that can size nothing
        headline = _orders_unsized(n, days, others)
    elif on_orders.any() and others:
        headline = _n(
            "{n} high alert in the last {days} days on orders worth {value}, and {others}: "
            "check it before shipping",
            "{n} high alerts in the last {days} days on orders worth {value}, and {others}: "
            "check them before shipping",
            n,
            n=f"{n:,}",
            days=days,
            value=money_exact(worth),
            others=others,
        )
    elif on_orders.any():
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
    elif len(present) <= 1 and all(k in PERIOD_MONEY for k in present):
        headline = _period_alone(present[0] if present else "unusual_day", n, days, value)
    else:
        headline = _n(
            "{n} high alert in the last {days} days ({others}): find out why",
            "{n} high alerts in the last {days} days ({others}): find out why",
            n,
            n=f"{n:,}",
            days=days,
            others=others,
        )
    return Finding(
        kind="alerts",
        headline=headline,
        value=value,
        # the tile names the kind of money it shows; with none ("not sized") it reads as every
        # unsized finding's, "At stake", not "Orders worth: not sized" beside flagged orders
        value_label=MONEY_LABELS[kind] if value > 0 else Finding.value_label,
        # a sum counted from the lines is written exactly; a distance is an estimate
        exact=kind in EXACT_MONEY,
        confidence="high",
        confidence_note=_("high severity: far beyond the rules' thresholds ({rules})", rules=rules),
        detail=_(
            "The Alerts page lists each one with its reason and order lines; mute a rule or "
            "product there if it is expected."
        ),
        page=PAGE_ALERTS,
        link_label=N_("Alerts"),
    )


def _orders_unsized(n: int, days: int, others: str) -> str:
    """The headline of a week's order alerts whose lines add up to no money."""
    if others:
        return _n(
            "{n} high alert in the last {days} days on orders, and {others}: check it before "
            "shipping",
            "{n} high alerts in the last {days} days on orders, and {others}: check them "
            "before shipping",
            n,
            n=f"{n:,}",
            days=days,
            others=others,
        )
    return _n(
        "{n} high alert in the last {days} days on orders: check it before shipping",
        "{n} high alerts in the last {days} days on orders: check them before shipping",
        n,
        n=f"{n:,}",
        days=days,
    )


def _other_money(kind: str, x: float) -> str:
    """A rule's money in the headline: a returns spike's returned lines and a sale below cost
    are counted from the lines (exact); the distance from the usual price is measured against
    a median price (an estimate)."""
    return money_text(x) if kind == "price_off" else money_exact(x)
