"""Alerts and risk control: unusual days and weeks, and order lines that need a second look.

>>> res = find_alerts(store, dataset_id, min_severity="medium")   # doctest: +SKIP
>>> res.alerts[["date", "severity", "kind", "reason"]]            # doctest: +SKIP
"""

from __future__ import annotations

from ecomdash.alerts.core import find_alerts
from ecomdash.alerts.drivers import driver_dimension
from ecomdash.alerts.orders import RULES, looks_for
from ecomdash.alerts.result import (
    ALERT_COLUMNS,
    PERIOD_RULES,
    SEVERITIES,
    SEVERITY_LABELS,
    STATUS_LABELS,
    AlertsResult,
    alert_products,
    alerts_per_month,
    rule_label,
    severity_label,
    to_records,
    when_parts,
)

__all__ = [
    "ALERT_COLUMNS",
    "PERIOD_RULES",
    "RULES",
    "SEVERITIES",
    "SEVERITY_LABELS",
    "STATUS_LABELS",
    "AlertsResult",
    "alert_products",
    "alerts_per_month",
    "driver_dimension",
    "looks_for",
    "find_alerts",
    "rule_label",
    "severity_label",
    "to_records",
    "when_parts",
]
