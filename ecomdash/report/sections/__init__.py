"""The report's sections: one small function each, ``ReportData`` in → :class:`Section` out.

Each function runs the same core analysis and chart builders as its page, with the page's
default settings, and says how good the model is on this merchant's data. It may raise an
``EcomdashError`` (not enough data, bad parameters): :func:`ecomdash.report.build_report`
turns that into a section that says so, and the other sections still run.

The sections live in modules by group (``sales``, ``baskets``, ``stock``, ``customers``,
``pricing_alerts``; shared formatting in ``common``) and are all importable from here.

To add a section: write ``def name(data: ReportData) -> Section`` in the module of its group
(or a new one) and add ``SectionSpec("name", N_("Title"), name, needs=...)`` to
:data:`SECTIONS` where it should appear.
"""

from __future__ import annotations

from ecomdash.i18n import N_
from ecomdash.report.model import SectionSpec
from ecomdash.report.sections.baskets import basket_rules
from ecomdash.report.sections.common import (
    GRAINS,
    KPI_ORDER,
    LOWER_IS_BETTER,
    MONEY,
    fmt_kpi,
    pct,
)
from ecomdash.report.sections.common import (
    _period_text as _period_text,  # tests import it from here
)
from ecomdash.report.sections.customers import (
    churn_risk,
    customer_value,
    recommendations,
    segments,
)
from ecomdash.report.sections.digest import digest
from ecomdash.report.sections.pricing_alerts import alerts, pricing
from ecomdash.report.sections.sales import kpis, top_products, trend
from ecomdash.report.sections.stock import forecast, restock

__all__ = [
    "ALL_SECTIONS",
    "DIGEST",
    "GRAINS",
    "KPI_ORDER",
    "LOWER_IS_BETTER",
    "MONEY",
    "SECTIONS",
    "alerts",
    "basket_rules",
    "churn_risk",
    "customer_value",
    "digest",
    "fmt_kpi",
    "forecast",
    "kpis",
    "pct",
    "pricing",
    "recommendations",
    "restock",
    "segments",
    "top_products",
    "trend",
]


#: The report, in order. Add a section with one line (see the module docstring).
SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec("kpis", N_("Headline figures"), kpis, needs="overview"),
    SectionSpec("trend", N_("Trend"), trend, needs="overview"),
    SectionSpec("top_products", N_("Top products"), top_products, needs="overview"),
    SectionSpec("basket", N_("Products bought together"), basket_rules, needs="basket"),
    SectionSpec("forecast", N_("Revenue forecast"), forecast, needs="forecast"),
    SectionSpec("restock", N_("Restock list"), restock, needs="restock"),
    SectionSpec("segments", N_("Customer segments"), segments, needs="segment"),
    SectionSpec("clv", N_("Customer value"), customer_value, needs="clv"),
    SectionSpec("churn", N_("Churn risk"), churn_risk, needs="clv"),
    SectionSpec("recommend", N_("Recommendations"), recommendations, needs="recommend"),
    SectionSpec("pricing", N_("Pricing and promotions"), pricing, needs="pricing"),
    SectionSpec("alerts", N_("Alerts"), alerts, needs="overview"),
)

#: The Home's "what to do this week", ranked as the Home ranks it: the report's first section
#: (after the header, before the headline figures), from the results the sections compute.
DIGEST = SectionSpec("digest", N_("What to do this week"), digest, last=True)

#: Every section a report holds, in order: the digest, then the pages' sections.
ALL_SECTIONS: tuple[SectionSpec, ...] = (DIGEST, *SECTIONS)
