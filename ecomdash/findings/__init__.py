"""What to do this week: the analyses' results turned into a short, ranked list of findings.

Pure core (no streamlit): each ``*_finding`` function takes one analysis Result and returns a
:class:`Finding` (or ``None`` when the result holds nothing worth acting on); :func:`rank`
orders them by the money at stake. The home page feeds it the cached results of the pages run
with their default settings.

One module per analysis: :mod:`~ecomdash.findings.core` (Finding, rank, money in sentences,
restock, win-back, bundle, forecast gap and its driver), :mod:`~ecomdash.findings.customers`
(RFM segments), :mod:`~ecomdash.findings.pricing` (price change, losing promotion),
:mod:`~ecomdash.findings.recommend` (recommendations vs best sellers),
:mod:`~ecomdash.findings.alerts` (this week's high alerts).

Merchant text (product names, ids) is kept apart from our wording: ``headline`` and ``detail``
never contain it, ``subjects`` holds it, so a page can render the former as markdown and the
latter only as plain text.

>>> f = Finding("demo", "Do this", 120.0, "high", "pages/overview.py")
>>> [x.kind for x in rank([f, Finding("other", "Or that", 300.0, "low", "pages/data.py")])]
['other', 'demo']
"""

from ecomdash.findings.alerts import PAGE_ALERTS, alerts_finding, week_alerts
from ecomdash.findings.core import (
    BUNDLE_SHARE,
    CONFIDENCE,
    CONFIDENCE_LABELS,
    DRIVER_SHARE,
    DRIVER_WEEKS,
    LAPSE_PROBABILITY,
    MIN_BUNDLE_BASKETS,
    MIN_BUNDLE_LIFT,
    MIN_FORECAST_GAP,
    PAGE_BASKET,
    PAGE_FORECAST,
    PAGE_VALUE,
    Finding,
    GapDriver,
    best_bundle_rule,
    bundle_finding,
    bundle_products,
    driver_by,
    forecast_finding,
    forecast_window,
    gap_driver,
    gap_groups,
    money_exact,
    money_text,
    pct_text,
    rank,
    restock_finding,
    winback_customers,
    winback_finding,
)
from ecomdash.findings.customers import PAGE_SEGMENTS, lapsing_ids, segments_finding
from ecomdash.findings.links import LinkTab
from ecomdash.findings.pricing import (
    PAGE_PRICING,
    PRICE_STEP,
    price_change_candidates,
    pricing_finding,
    promotion_finding,
)
from ecomdash.findings.recommend import PAGE_RECOMMEND, recommend_finding
from ecomdash.i18n.fmt import use_currency

__all__ = [
    "BUNDLE_SHARE",
    "CONFIDENCE",
    "CONFIDENCE_LABELS",
    "DRIVER_SHARE",
    "DRIVER_WEEKS",
    "LAPSE_PROBABILITY",
    "MIN_BUNDLE_BASKETS",
    "MIN_BUNDLE_LIFT",
    "MIN_FORECAST_GAP",
    "PAGE_ALERTS",
    "PAGE_BASKET",
    "PAGE_FORECAST",
    "PAGE_PRICING",
    "PAGE_RECOMMEND",
    "PAGE_SEGMENTS",
    "PAGE_VALUE",
    "PRICE_STEP",
    "Finding",
    "GapDriver",
    "LinkTab",
    "alerts_finding",
    "best_bundle_rule",
    "bundle_products",
    "bundle_finding",
    "forecast_finding",
    "driver_by",
    "forecast_window",
    "gap_driver",
    "gap_groups",
    "lapsing_ids",
    "money_exact",
    "money_text",
    "pct_text",
    "price_change_candidates",
    "pricing_finding",
    "promotion_finding",
    "rank",
    "recommend_finding",
    "restock_finding",
    "segments_finding",
    "use_currency",
    "week_alerts",
    "winback_customers",
    "winback_finding",
]
