"""The analyses a report runs, each once per build at its page's default settings.

A section and the digest ("What to do this week", :mod:`ecomdash.report.sections.digest`)
ask here for the same result: :meth:`ReportData.shared` builds it the first time and hands
the others the same object (or the same refusal), so the digest runs no analysis a second
time. In the app the results are cached per dataset version, filters and language across the
sections' separate builds (``ecomdash.ui.report``).
"""

from __future__ import annotations

import pandas as pd

from ecomdash.errors import InsufficientDataError
from ecomdash.i18n import _
from ecomdash.report.data import PRODUCT_COLUMNS, ReportData

#: The basket rules' minimum support (the Basket page's default and the Home's).
BASKET_SUPPORT = 0.01
#: The forecast's backtest folds (the Forecast page's default).
FORECAST_FOLDS = 8
#: The churn window in days and the lifetime value's horizon in months (the Customer value
#: page's defaults).
CHURN_WINDOW_DAYS = 90
CLV_MONTHS = 12
#: Recommendations: the length of each customer's list (the Recommendations page's default).
RECOMMEND_K = 10

#: Every analysis the report runs, by the module path this one calls it at: each runs once
#: per build, the digest included (``tests/unit/test_report_digest.py`` and, across the app's
#: separate section builds, ``tests/pages/test_report_button.py`` count the calls).
ANALYSES = (
    "ecomdash.basket.mine_dataset",
    "ecomdash.forecast.forecast",
    "ecomdash.forecast.from_store.plan_restock",
    "ecomdash.segment.segment_history",
    "ecomdash.churn.churn",
    "ecomdash.clv.customer_value_days",
    "ecomdash.recommend.evaluate_split",
    "ecomdash.pricing.analyze",
    "ecomdash.alerts.find_alerts",
)


def basket(data: ReportData):
    """The basket rules at the default minimum support (before any lower one the section
    falls back to when none reaches it), from the store's basket codes as on the page (on
    Spark, FP-Growth on the cluster): no line is loaded."""
    from ecomdash import basket as B

    return data.shared(
        "basket",
        lambda: B.mine_dataset(data.store, data.info.id, data.filters, min_support=BASKET_SUPPORT),
    )


def forecast(data: ReportData):
    """The whole shop's daily net revenue forecast (the store's day x country groups, as on
    the page; the lines only for a dataset without amounts, which has none), with the Chinese
    calendar for a shop selling mostly in China, as the page's default (and the Home's)."""

    def build():
        from ecomdash import forecast as F
        from ecomdash.forecast import from_store as FS

        freq = "D"
        horizon = F.default_horizon(freq)
        lines = data.store.shop_day_groups(data.info.id, data.filters, with_orders=False)
        if lines is None:
            lines = data.lines(PRODUCT_COLUMNS)
        series = F.build_series(lines, metric="revenue", freq=freq, future_periods=horizon)
        calendar = FS.default_calendar(data.store, data.info.id, data.filters)
        return F.forecast(series, horizon=horizon, folds=FORECAST_FOLDS, calendar=calendar)

    return data.shared("forecast", build)


def restock(data: ReportData, *, top: int | None = None):
    """The restock plan of the top products at the planner's defaults, without stock
    (``top``: fewer products than the planner's, a plan of their own)."""
    from ecomdash.inventory import RESTOCK_DEFAULTS

    service, lead, review, default_top = RESTOCK_DEFAULTS
    top = default_top if top is None else top

    def build():
        from ecomdash.forecast import from_store as FS

        return FS.plan_restock(
            data.store,
            data.info.id,
            data.filters,
            top=top,
            lead_time_days=lead,
            service_level=service,
            review_days=review,
        )

    return data.shared("restock" if top == default_top else f"restock:{top}", build)


def segments(data: ReportData):
    """The Segments page's result on arrival, as the Home reads it: the store's per-order
    customer history, as of the last day, compared with 90 days before (not before the
    first), the number of clusters chosen by silhouette."""

    def build():
        from ecomdash.segment import default_compare_to, segment_history

        first, last = data.store.date_span(data.info.id, data.filters)
        as_of = compare_to = None
        if last is not None:
            as_of = last.date().isoformat()
            compare_to = default_compare_to(first.date(), last.date()).isoformat()
        return segment_history(data.customer_history(), as_of=as_of, compare_to=compare_to, k=None)

    return data.shared("segments", build)


def churn(data: ReportData):
    """The churn models at the Customer value page's defaults (every model, the automatic
    cut-off), on the store's per-order customer history, as the page and the Home."""
    from ecomdash import churn as C

    return data.shared(
        "churn",
        lambda: C.churn(
            pd.DataFrame(),
            window_days=CHURN_WINDOW_DAYS,
            models=C.MODELS,
            history=data.customer_history(),
        ),
    )


def clv(data: ReportData):
    """Lifetime value at the page's defaults, from the store's purchases per customer-day, as
    the page and the Home."""

    def build():
        from ecomdash.clv import customer_value_days

        cd = data.customer_days()
        if cd.days is None:
            raise InsufficientDataError(
                _(
                    "Customer value needs the customer id and order date columns; this dataset "
                    "lacks at least one of them. Map them on the Data page."
                )
            )
        return customer_value_days(cd.days, horizon_months=CLV_MONTHS, calibration_cutoff=None)

    return data.shared("clv", build)


def recommend(data: ReportData):
    """The Recommendations page's offline test at its defaults, as the Home reads it: the
    store's split at the default cut-off (training interactions and each customer's new
    purchases, in SQL), every model with no business rules, the test customers sampled above
    ``MAX_TEST_CUSTOMERS`` as there."""

    def build():
        from ecomdash import recommend as R

        _inter, split = data.store.recommend_data(data.info.id, data.filters)
        if split is None:  # the test cannot run: the store's split alone says why
            split = data.store.recommend_split(data.info.id, data.filters)
        train, truth, cutoff, end = split
        rules = R.BusinessRules()
        return R.evaluate_split(
            train,
            truth,
            cutoff=cutoff,
            end=end,
            k=RECOMMEND_K,
            models={n: R.make_model(n, rules=rules) for n in R.MODEL_NAMES},
            rules=rules,
            keep=("auto",),  # the page's model choice, "auto": no model kept beyond its limit
        )

    return data.shared("recommend", build)


def pricing(data: ReportData):
    def build():
        from ecomdash import pricing as P

        pw = data.store.product_week_prices(data.info.id, data.filters, lean=True)  # as the page
        return P.analyze(pw)

    return data.shared("pricing", build)


def alerts(data: ReportData):
    """The alerts of the period at every severity, the merchant's mutes applied: what the
    Alerts page and the Home gather (the digest reads its high alerts of the last week; the
    report's list, :func:`ecomdash.report.sections.alerts`, its medium and high ones)."""

    def build():
        from ecomdash.alerts import find_alerts

        saved = data.store.alert_mutes(data.info.id)
        return find_alerts(
            data.store,
            data.info.id,
            data.filters,
            mute_rules=saved["rules"],
            mute_products=saved["products"],
        )

    return data.shared("alerts", build)
