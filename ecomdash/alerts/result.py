"""Alerts: the result a run returns (:class:`AlertsResult`, its columns, severities) and
how its alerts are read (severity and rule names, a day's time, an alert's product, the JSON
records). The run itself is :func:`ecomdash.alerts.core.find_alerts`."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

import pandas as pd

from ecomdash import labels as L
from ecomdash.alerts.orders import RULES
from ecomdash.i18n import N_, _

SEVERITIES = ("high", "medium", "low")
RANK = {"high": 3, "medium": 2, "low": 1}

ALERT_COLUMNS = [
    "alert_id",
    "date",
    "severity",
    "kind",
    "kinds",
    "reason",
    "driver",
    "score",
    "n_lines",
    "product_id",
    "customer_id",
    "order_id",
    "impact",
    "key",
]
LINE_COLUMNS = [
    "alert_id",
    "rule",
    "line_no",
    "order_id",
    "order_date",
    "customer_id",
    "product_id",
    "product_name",
    "quantity",
    "unit_price",
    "revenue",
]


@dataclass(frozen=True)
class AlertsResult:
    """Alerts of a dataset (newest first) and what is behind each.

    * ``alerts``: one row per cause (``ALERT_COLUMNS``): ``severity`` high/medium/low, ``kind``
      the strongest rule, ``kinds`` every rule that fired for that cause, ``reason``,
      ``driver`` (what moved a day most), ``score`` (how unusual), ``n_lines``.
    * ``lines``: the order lines behind each alert (``LINE_COLUMNS``).
    * ``drivers``: for day alerts, the products / countries / customers that moved it most.
    * ``series``: the scored daily series (for the chart): ``dim, grp, metric, day, actual,
      expected, lo, hi, score, rel, known``.
    * ``rules``: per rule, whether it ran and why not (``rule, label, status, note, alerts``).
    """

    alerts: pd.DataFrame
    lines: pd.DataFrame
    drivers: pd.DataFrame
    series: pd.DataFrame
    rules: pd.DataFrame
    params: dict
    warnings: tuple[str, ...] = field(default_factory=tuple)

    def per_month(self, *, min_severity: str = "low") -> pd.DataFrame:
        """Alerts per calendar month by severity (months without alerts count 0)."""
        return alerts_per_month(self.alerts, self.params["period"], min_severity=min_severity)

    def at_least(self, min_severity: str) -> AlertsResult:
        """The same result with only the alerts of ``min_severity`` and above (their lines and
        drivers with them): what ``find_alerts(..., min_severity=...)`` returns, which rates,
        groups and counts every alert first and filters last. The report's list reads the
        medium and high ones of the result the Home's finding reads too."""
        if min_severity not in RANK:
            raise ValueError(f"min_severity must be one of {SEVERITIES}, not {min_severity!r}")
        keep = self.alerts["severity"].map(RANK) >= RANK[min_severity]
        alerts = self.alerts[keep].reset_index(drop=True)
        ids = alerts["alert_id"]
        return replace(
            self,
            alerts=alerts,
            lines=self.lines[self.lines["alert_id"].isin(ids)].reset_index(drop=True),
            drivers=self.drivers[self.drivers["alert_id"].isin(ids)].reset_index(drop=True),
            params={**self.params, "min_severity": min_severity},
        )


def alerts_per_month(
    alerts: pd.DataFrame, period: tuple[date, date], *, min_severity: str = "low"
) -> pd.DataFrame:
    months = pd.period_range(period[0], period[1], freq="M")
    a = alerts[alerts["severity"].map(RANK) >= RANK[min_severity]]
    counts = (
        a.assign(month=pd.to_datetime(a["date"]).dt.to_period("M"))
        .groupby(["month", "severity"])
        .size()
        .unstack(fill_value=0)
        .reindex(index=months, columns=list(SEVERITIES), fill_value=0)
    )
    counts.index.name = "month"
    return counts.reset_index()


#: each severity as a merchant reads it (a message id)
SEVERITY_LABELS = {"high": N_("high"), "medium": N_("medium"), "low": N_("low")}
#: a rule's status id -> what the merchant reads (the Alerts page's rules table, the CLI)
STATUS_LABELS = {"ran": N_("ran"), "skipped": N_("skipped"), "muted": N_("muted")}


def severity_label(s: str) -> str:
    """A severity as the merchant reads it, in the run's language."""
    return _(SEVERITY_LABELS[s]) if s in SEVERITY_LABELS else str(s)


def rule_label(r: str) -> str:
    """A rule's name in the run's language (its id when unknown)."""
    return _(RULES[r][0]) if r in RULES else str(r)


#: the rules whose alert is about a whole day or week: its date has no time of day
PERIOD_RULES = ("unusual_day", "unusual_week", "returns_spike")


def when_parts(alerts: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Each alert's day (midnight) and its time of day as ``HH:MM``, "" for an alert about a
    whole day or week (a day's 00:00 or a week's first return time would say nothing)."""
    when = pd.to_datetime(alerts["date"])
    whole = alerts["kind"].isin(PERIOD_RULES)
    return when.dt.normalize(), when.dt.strftime("%H:%M").where(~whole, "")


def alert_products(res: AlertsResult) -> pd.Series:
    """Each alert's product as its reason names it, by ``alert_id``: "Wall Print – Botanical
    (DEC-222)" (:func:`ecomdash.labels.product_label`, the name its flagged lines carry, as
    :func:`ecomdash.alerts.orders._product` takes it); the id alone for a product without a
    name, "" for an alert without a product (a day, a customer's burst). Read from the
    alert's own lines (``res.lines``), never the dataset's: a merchant's search for a
    product's name matches what the reasons name."""
    a = res.alerts[["alert_id", "product_id"]].dropna(subset=["product_id"])
    out = pd.Series("", index=pd.Index(res.alerts["alert_id"], name="alert_id"), dtype=object)
    if a.empty:
        return out
    a = a.astype({"product_id": str})
    names = pd.DataFrame(columns=["alert_id", "product_id", "product_name"])
    if len(res.lines) and "product_name" in res.lines.columns:
        ln = res.lines[["alert_id", "product_id", "product_name"]].dropna(subset=["product_id"])
        names = ln.astype({"product_id": str}).drop_duplicates(["alert_id", "product_id"])
    m = a.merge(names.astype({"product_id": str}), on=["alert_id", "product_id"], how="left")
    out.loc[m["alert_id"].to_numpy()] = [
        L.product_label(n, p) for n, p in zip(m["product_name"], m["product_id"], strict=True)
    ]
    return out


def to_records(res: AlertsResult) -> list[dict]:
    """Alerts as plain records (for JSON): date, severity, kind, reason, driver, lines."""
    out = []
    for r in res.alerts.itertuples():
        ln = res.lines[res.lines["alert_id"] == r.alert_id]
        out.append(
            {
                "id": r.alert_id,
                "date": pd.Timestamp(r.date).isoformat(),
                "severity": r.severity,
                "kind": r.kind,
                "kinds": r.kinds.split(", "),
                "reason": r.reason,
                "driver": r.driver or None,
                "score": float(r.score),
                "product_id": r.product_id,
                "customer_id": r.customer_id,
                "order_id": r.order_id,
                "lines": ln.drop(columns=["alert_id"]).to_dict("records"),
            }
        )
    return out
