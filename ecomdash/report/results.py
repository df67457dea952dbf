"""The analyses a report runs, each once per build at its page's default settings.

A section and the digest ("What to do this week", :mod:`ecomdash.report.sections.digest`)
ask here for the same result: :meth:`ReportData.shared` builds it the first time and hands
the others the same object (or the same refusal), so the digest runs no analysis a second
time. In the app the results are cached per dataset version, filters and language across the
sections' separate builds (``ecomdash.ui.report``).
"""

from __future__ import annotations

from ecomdash import schema as S
from ecomdash.report.data import BASKET_COLUMNS, CUSTOMER_COLUMNS, PRODUCT_COLUMNS, ReportData

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


def basket(data: ReportData):
    """The basket rules at the default minimum support (before any lower one the section
    falls back to when none reaches it)."""
    from ecomdash import basket as B

    return data.shared(
        "basket", lambda: B.mine(data.lines(BASKET_COLUMNS), min_support=BASKET_SUPPORT)
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
    from ecomdash.segment import segment_customers

    return data.shared("segments", lambda: segment_customers(data.lines(CUSTOMER_COLUMNS)))


def churn(data: ReportData):
    from ecomdash.churn import churn as run

    return data.shared(
        "churn", lambda: run(data.lines(CUSTOMER_COLUMNS), window_days=CHURN_WINDOW_DAYS)
    )


def clv(data: ReportData):
    from ecomdash.clv import customer_value

    return data.shared(
        "clv",
        lambda: customer_value(
            S.customer_sales(data.lines(CUSTOMER_COLUMNS)), horizon_months=CLV_MONTHS
        ),
    )


def recommend(data: ReportData):
    from ecomdash import recommend as R

    return data.shared("recommend", lambda: R.evaluate(data.lines(CUSTOMER_COLUMNS), k=RECOMMEND_K))


def pricing(data: ReportData):
    def build():
        from ecomdash import pricing as P

        pw = data.store.product_week_prices(data.info.id, data.filters, lean=True)  # as the page
        return P.analyze(pw)

    return data.shared("pricing", build)


def alerts(data: ReportData):
    """The alerts of the period at medium severity and above, the merchant's mutes applied
    (the report's list; the digest reads its high alerts of the last week)."""

    def build():
        from ecomdash.alerts import find_alerts

        saved = data.store.alert_mutes(data.info.id)
        return find_alerts(
            data.store,
            data.info.id,
            data.filters,
            min_severity="medium",
            mute_rules=saved["rules"],
            mute_products=saved["products"],
        )

    return data.shared("alerts", build)
