"""The Home's "what to do this week" words (message ids, translated with ``_()`` where
shown, in home.po): the Home page (``ecomdash.ui.home``) and the stakeholder report's digest
(``ecomdash.report.sections.digest``) say the findings alike, from here."""

from __future__ import annotations

from ecomdash.findings.alerts import PAGE_ALERTS
from ecomdash.findings.core import PAGE_BASKET, PAGE_FORECAST, PAGE_VALUE
from ecomdash.findings.customers import PAGE_SEGMENTS
from ecomdash.findings.pricing import PAGE_PRICING
from ecomdash.findings.recommend import PAGE_RECOMMEND
from ecomdash.i18n import N_

#: every string the Home shows around its findings
TEXT = {
    "intro": N_(
        "What to do this week, from every analysis run on your data with its default "
        "settings, largest first, what is only to watch last. Each one says how much is at "
        "stake and how sure the model is; open it for the detail and to change the settings."
    ),
    "status": N_("Finding what to do this week"),
    "none": N_(
        "Nothing stands out this week: no restock, win-back, bundle, forecast gap, segment, "
        "price, recommendation or alert large enough to act on. The pages in the sidebar "
        "have every detail."
    ),
    "not_checked": N_("What could not be checked"),
    "not_sized": N_("not sized"),
    # the confidence label in the stake's narrow column (one short line, the technical
    # figures in its tooltip), the plain reason under the finding's body: a plain sentence
    # did not fit two lines of that column ("Confidence medium: median backtest MASE 0.80,
    # naive forecast 0.86." was jargon kept short to fit)
    "confidence": N_("Confidence: {label}"),
    "confidence_why": N_("Why: {note}."),
    "open_in_sidebar": N_("Open {title} in the sidebar."),
    "kpis": N_("This period"),
    "kpis_more": N_("All KPIs, trends and top products"),
    "no_money": N_("This dataset has no amounts, so nothing can be sized in money."),
    "step_done": N_("{label}: {took}"),
    "step_nothing": N_("{label}: nothing to act on ({took})"),
    "step_failed": N_("{label}: could not run ({took})"),
    "step_skipped": N_("{label}: needs {fields}"),
    "step_background": N_("{label}: still computing in the background ({took} so far)"),
    "background": N_(
        "{n} of the analyses are still computing in the background (a large dataset): their "
        "findings appear here when you come back to this page."
    ),
    "background_auto": N_(
        "{n} of the analyses are still computing in the background (a large dataset): this "
        "page adds their findings by itself when they are done."
    ),
    "watching": N_("Still computing: {names} ({took} so far)."),
    "stopped": N_("{label} did not finish."),
}

STEPS = {
    "restock": N_("Restock planner (weekly unit forecasts of the top 100 products)"),
    "winback": N_("Customers likely to stop buying (churn models, lifetime value)"),
    "bundle": N_("Products bought together (basket rules, bundle what-if)"),
    "forecast": N_("Revenue against its forecast (backtest of every model)"),
    "segments": N_("Customer segments (RFM, clusters)"),
    "pricing": N_("Prices and promotions (elasticities, held-out check)"),
    "recommend": N_("Recommendations against best sellers (offline test of every model)"),
    "alerts": N_("This week's alerts (unusual days, risky orders)"),
}

#: the pages' names (the frame's message ids)
PAGE_TITLES = {
    PAGE_BASKET: N_("Basket analysis"),
    PAGE_FORECAST: N_("Forecast & restock"),
    PAGE_VALUE: N_("Customer value"),
    PAGE_SEGMENTS: N_("Segments"),
    PAGE_PRICING: N_("Pricing & promotions"),
    PAGE_RECOMMEND: N_("Recommendations"),
    PAGE_ALERTS: N_("Alerts"),
}


#: What each of the Home's analyses needs (a ``schema.REQUIREMENTS`` name): without its
#: columns it is named under "What could not be checked" with the fields it lacks.
NEEDS = {
    "restock": "restock",
    "winback": "clv",
    "bundle": "basket",
    "forecast": "forecast",
    "segments": "segment",
    "pricing": "pricing",
    "recommend": "recommend",
    "alerts": "overview",
}
