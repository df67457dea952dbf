"""The report's sections: one small function each, ``ReportData`` in → :class:`Section` out.

Each function runs the same core analysis and chart builders as its page, with the page's
default settings, and says how good the model is on this merchant's data. It may raise an
``EcomdashError`` (not enough data, bad parameters): :func:`ecomdash.report.build_report`
turns that into a section that says so, and the other sections still run.

To add a section (pricing, alerts, ...): write ``def pricing(data: ReportData) -> Section``
(in its own module if it is long) and add ``SectionSpec("pricing", N_("Pricing"), pricing,
needs=...)`` to :data:`SECTIONS` where it should appear.
"""

from __future__ import annotations

import math

import pandas as pd

from ecomdash import basket as B
from ecomdash import labels as L
from ecomdash import schema as S
from ecomdash.charts import basket as basket_charts
from ecomdash.charts import forecast as forecast_charts
from ecomdash.charts import recommend as recommend_charts
from ecomdash.charts import segment as segment_charts
from ecomdash.charts import value as value_charts
from ecomdash.charts.overview import breakdown_figure, trend_figure
from ecomdash.errors import EcomdashError, InsufficientDataError
from ecomdash.i18n import N_
from ecomdash.kpis import KPI_LABELS
from ecomdash.report.data import (
    BASKET_COLUMNS,
    CUSTOMER_COLUMNS,
    PRODUCT_COLUMNS,
    ReportData,
)
from ecomdash.report.model import Metric, Section, SectionSpec, Table

MONEY = {"revenue", "gross_sales", "returns", "aov"}
LOWER_IS_BETTER = {"returns", "return_rate"}
KPI_ORDER = ("revenue", "orders", "aov", "customers", "return_rate", "new_customers")


# -- formatting (plain text; the renderer escapes it) ------------------------------------------
def _isnan(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def fmt_kpi(name: str, v) -> str:
    if _isnan(v):
        return "n/a"
    if name == "return_rate":
        return f"{v * 100:.1f} %"
    if name in MONEY:
        return f"{v:,.2f}"
    return f"{int(round(v)):,}"


def pct(x) -> str:
    return "n/a" if _isnan(x) else f"{x * 100:.0f} %"


# -- sales ---------------------------------------------------------------------------------------
def kpis(data: ReportData) -> Section:
    res = data.overview()
    start, end = res.period
    metrics = []
    for name in KPI_ORDER:
        ch = res.change(name)
        good = None if ch is None or ch == 0 else (ch > 0) != (name in LOWER_IS_BETTER)
        metrics.append(
            Metric(
                KPI_LABELS[name],
                fmt_kpi(name, res.kpis.get(name)),
                None if ch is None else f"{ch * 100:+.1f} % vs previous period",
                good,
            )
        )
    if res.previous_period:
        verdict = (
            f"{start} to {end}, compared with the previous period of the same length "
            f"({res.previous_period[0]} to {res.previous_period[1]}). Exact sums of your order "
            "lines, no model involved."
        )
    else:
        verdict = (
            f"{start} to {end}. There is no earlier data of the same length to compare with. "
            "Exact sums of your order lines, no model involved."
        )
    return Section("kpis", "Headline figures", verdict, "info", res.notes, tuple(metrics))


def trend(data: ReportData) -> Section:
    res = data.overview()
    if not res.has_revenue:
        raise InsufficientDataError(
            "This dataset has no price or amount column: revenue needs one (see the Overview "
            "for orders, units and top products by units)."
        )
    if res.trend.empty:
        raise InsufficientDataError("There are no dated sales in this period to draw a trend.")
    t = res.trend
    best = t.loc[t["revenue"].idxmax()]
    text = (
        f"Best {res.grain}: {pd.Timestamp(best['period']).date()} with net revenue "
        f"{best['revenue']:,.2f} over {int(best['orders']):,} orders.",
    )
    return Section(
        "trend",
        "Trend",
        f"Net revenue by {res.grain}: gross sales less returns. Exact figures, no model.",
        "info",
        text,
        figures=(trend_figure(res, "revenue"),),
    )


def top_products(data: ReportData) -> Section:
    res = data.overview()
    if not res.has_revenue:
        raise InsufficientDataError(
            "This dataset has no price or amount column: revenue needs one (see the Overview "
            "for orders, units and top products by units)."
        )
    df = res.top_products
    if df.empty:
        raise InsufficientDataError(
            "This dataset has no product id column, so products cannot be ranked."
        )
    total = res.kpis.get("revenue") or 0.0
    share = df["revenue"].sum() / total if total else float("nan")
    cols = [c for c in ("key", "name", "revenue", "orders", "units") if c in df]
    table = df[cols]
    return Section(
        "top_products",
        "Top products",
        f"The {len(df)} best sellers by net revenue make {pct(share)} of net revenue. Exact "
        "figures, no model.",
        "info",
        figures=(breakdown_figure(df, "Top products by net revenue"),),
        tables=(Table("Top products", table, area="report.products"),),
    )


# -- baskets ---------------------------------------------------------------------------------------
def basket_rules(data: ReportData, *, min_support: float = 0.01, top: int = 10) -> Section:
    lines = data.lines(BASKET_COLUMNS)
    res = B.mine(lines, min_support=min_support)
    text: list[str] = []
    if res.n_rules == 0 and res.suggested_min_support is not None:
        text.append(
            f"No rule reached the default minimum support of {min_support:g}; the report uses "
            f"the suggested {res.suggested_min_support:.4g} instead."
        )
        min_support = res.suggested_min_support
        res = B.mine(lines, min_support=min_support)
    if res.n_rules == 0:
        raise InsufficientDataError(
            f"No products are bought together often enough in {res.n_baskets:,} orders to make "
            "a rule (minimum support "
            f"{min_support:.4g}). Lower the minimum support on the Basket analysis page."
        )
    rules = res.rules.sort_values(["lift", "confidence"], ascending=False).head(top)
    strong = int((res.rules["lift"] >= 2).sum())
    thin = int((res.rules["count"] < 30).sum())
    text.append(
        f"{res.n_rules:,} rules from {res.n_baskets:,} orders: {strong:,} have lift ≥ 2 "
        f"(together at least twice as often as chance); {thin:,} rest on fewer than 30 orders."
    )
    verdict, tone = (
        "The rules were not checked on later orders (the data has no order dates).",
        "warn",
    )
    if S.ORDER_DATE in data.columns:
        try:
            hold = B.holdout_check(lines, min_support=min_support)
        except InsufficientDataError as exc:
            verdict = f"Not checked on later orders: {exc}"
        else:
            if hold.share_holding is not None:
                verdict = (
                    f"Checked on your own data: of {hold.n_rules:,} rules mined on orders before "
                    f"{hold.cutoff.date()}, {pct(hold.share_holding)} still beat chance "
                    f"(lift > 1) on the {hold.n_test:,} later orders."
                )
                tone = "good" if hold.share_holding >= 0.5 else "warn"
    table = pd.DataFrame(
        {
            "rule": rules["names"].astype(str),
            "orders": rules["count"],
            "confidence": rules["confidence"],
            "lift": rules["lift"],
        }
    )
    return Section(
        "basket",
        "Products bought together",
        verdict,
        tone,
        tuple(text + list(res.warnings)),
        figures=(basket_charts.network_figure(res, top=25),),
        tables=(
            Table(
                f"Strongest {len(table)} rules by lift",
                table,
                {"orders": "{:,.0f}", "confidence": "{:.1%}", "lift": "{:.2f}"},
            ),
        ),
    )


# -- forecast & restock ------------------------------------------------------------------------------
def forecast(data: ReportData, *, folds: int = 8) -> Section:
    from ecomdash import forecast as F

    freq = "D"
    horizon = F.default_horizon(freq)
    lines = data.lines(PRODUCT_COLUMNS)
    series = F.build_series(lines, metric="revenue", freq=freq, future_periods=horizon)
    res = F.forecast(series, horizon=horizon, folds=folds)
    bt = res.backtest.set_index("model")
    row, base = bt.loc[res.model], bt.loc["seasonal_naive"]
    tone = "good" if row["mae"] < base["mae"] and res.n_folds >= 3 else "warn"
    verdict = (
        f"{res.verdict} Backtest over {res.n_folds} folds: MASE {row['mase']:.2f} (below 1 beats "
        f"a naive forecast), {pct(row['coverage80'])} of actuals inside the 80 % band."
    )
    span = max(180, res.n_folds * res.horizon + 2 * res.series.season_length)
    fc = res.forecast.assign(period=res.forecast["period"].dt.date)
    table = bt.reset_index()[["model", "mae", "mase", "coverage80"]]
    return Section(
        "forecast",
        "Revenue forecast",
        verdict,
        tone,
        (
            f"Next {res.horizon} days: {res.forecast['mean'].sum():,.0f} net revenue expected "
            f"(model: {L.model_label(res.model, short=True)}).",
            *res.warnings,
        ),
        figures=(forecast_charts.forecast_figure(res, history_periods=span),),
        tables=(
            Table(
                "Forecast",
                fc[["period", "mean", "lo80", "hi80"]],
                {c: "{:,.0f}" for c in ("mean", "lo80", "hi80")},
            ),
            Table(
                "Backtest per model",
                table,
                {"mae": "{:,.1f}", "mase": "{:.2f}", "coverage80": "{:.0%}"},
                "Each model forecast the last folds from past data only.",
            ),
        ),
    )


def restock(data: ReportData, *, top: int = 100, lead_time_days: float = 14) -> Section:
    from ecomdash import forecast as F
    from ecomdash import inventory as inv

    lines = data.lines(PRODUCT_COLUMNS)
    many = F.forecast_many(lines, top=top, metric="units", freq="W", horizon=8, folds=4)
    res = inv.plan_restock(
        lines, lead_time_days=lead_time_days, service_level=0.95, review_days=7, top=top, many=many
    )
    plan = res.plan
    mase = pd.to_numeric(plan["mase"], errors="coerce").dropna()
    if len(mase):
        beat = float((mase < 1).mean())
        verdict = (
            f"Weekly unit forecasts of {len(plan)} products, backtested: median MASE "
            f"{mase.median():.2f}; {pct(beat)} of products beat a naive forecast."
        )
        tone = "good" if mase.median() < 1 else "warn"
    else:
        verdict, tone = "The per-product forecasts could not be backtested.", "warn"
    order = plan.loc[plan["order_qty"] > 0].sort_values("revenue", ascending=False)
    show = (order if len(order) else plan).head(20)
    cols = [
        "product_id",
        "product_name",
        "abc",
        "xyz",
        "daily_demand",
        "reorder_point",
        "order_qty",
    ]
    text = (
        f"As of {res.as_of.date()}, lead time {lead_time_days:g} days, 95 % service level; "
        f"{len(order)} of {len(plan)} products to order. Units on hand are unknown to the report "
        "(enter them on the Forecast & restock page), so quantities assume none in stock.",
        *res.warnings,
    )
    return Section(
        "restock",
        "Restock list",
        verdict,
        tone,
        text,
        figures=(forecast_charts.abc_xyz_figure(res),),
        tables=(
            Table(
                "Products to reorder" if len(order) else "Products planned",
                show[[c for c in cols if c in show]],
                {"daily_demand": "{:,.2f}", "reorder_point": "{:,.0f}", "order_qty": "{:,.0f}"},
            ),
        ),
    )


# -- customers ------------------------------------------------------------------------------------------
def segments(data: ReportData) -> Section:
    from ecomdash.segment import segment_customers

    res = segment_customers(data.lines(CUSTOMER_COLUMNS))
    seg = res.rfm.segments
    cl, ex = res.clusters, res.explanation
    if cl is None:
        verdict, tone = f"RFM segments only; no clusters: {res.cluster_error}", "warn"
    else:
        quality = (
            "clearly separated"
            if cl.silhouette >= 0.5
            else "reasonably separated"
            if cl.silhouette >= 0.25
            else "weakly separated"
        )
        verdict = (
            f"{cl.k} k-means clusters, silhouette {cl.silhouette:.2f} ({quality}); readable rules "
            f"reproduce {pct(ex.fidelity)} of them (target {pct(ex.target)})."
        )
        tone = "good" if cl.silhouette >= 0.25 and ex.good_enough else "warn"
    table = seg[["segment", "customers", "customer_share", "revenue_share", "action"]]
    return Section(
        "segments",
        "Customer segments",
        verdict,
        tone,
        (
            f"As of {res.params['as_of']}: {res.n_customers:,} customers; "
            f"{res.n_guest_orders:,} guest orders (no customer id) left out.",
            *res.features.warnings,
        ),
        figures=(segment_charts.segment_treemap(res.rfm),),
        tables=(
            Table(
                "Segments, sizes and what to do",
                table,
                area="segments",
            ),
        ),
    )


def _churn(data: ReportData):
    from ecomdash.churn import churn

    return data.shared("churn", lambda: churn(data.lines(CUSTOMER_COLUMNS), window_days=90))


def _clv(data: ReportData):
    from ecomdash.clv import customer_value as clv

    return data.shared(
        "clv", lambda: clv(S.sales_lines(data.lines(CUSTOMER_COLUMNS)), horizon_months=12)
    )


def customer_value(data: ReportData) -> Section:
    res = _clv(data)
    c = res.customers
    cal = res.calibration
    if cal is None:
        verdict = "Not checked on held-out time (see why below)."
        if res.method == "historical_average":
            verdict = (
                "No model: too few repeat buyers to fit one, so values are historical averages "
                "and were not checked on held-out time (see why below)."
            )
        tone = "warn"
        figures = ()
    else:
        verdict = (
            f"Checked on held-out time: fitted up to {cal.cutoff.date()}, the model predicted "
            f"{cal.predicted_holdout_purchases:,.0f} repeat purchases up to {cal.end.date()}; "
            f"there were {cal.actual_holdout_purchases:,} ({cal.error_pct:+.1f} %)."
        )
        tone = "good" if abs(cal.error_pct) <= 20 else "warn"
        figures = (value_charts.calibration_tracking(cal),)
    top = c[["customer_id", "expected_value", "expected_purchases", "p_alive"]].head(10)
    return Section(
        "clv",
        "Customer value",
        verdict,
        tone,
        (
            f"{len(c):,} customers are expected to bring {c['expected_value'].sum():,.2f} over "
            f"the next {res.horizon_months:g} months (scored as of {res.cutoff.date()}).",
            *res.notices,
        ),
        figures=figures,
        tables=(
            Table(
                "Customers by expected value",
                top,
                {"expected_purchases": "{:.2f}", "p_alive": "{:.0%}"},
            ),
        ),
    )


def churn_risk(data: ReportData) -> Section:
    from ecomdash import churn as churn_mod

    res = _churn(data)
    m = res.metrics
    best = res.best_model
    auc, base = m.loc[best, "auc"], m.loc["recency", "auc"]
    verdict = (
        f"Evaluated on held-out time ({res.n_test:,} customers after {res.test_cutoff.date()}): "
        f"{churn_mod.MODEL_LABELS[best]} ranks churners with ROC AUC {auc:.3f} "
        f"({auc - base:+.3f} vs recency alone; 0.5 is guessing); precision at the top 10 % "
        f"risk {pct(m.loc[best, 'precision_at_10pct'])}."
    )
    tone = "good" if auc >= 0.7 and auc > base else "warn"
    try:
        value = _clv(data)
    except EcomdashError:
        value = None
    ev = None if value is None else value.customers.set_index("customer_id")["expected_value"]
    risk = churn_mod.at_risk(res, expected_value=ev, top=10)
    cols = [
        c
        for c in ("customer_id", "value_at_risk", "churn_probability", "recency_days")
        if c in risk
    ]
    table = m.reset_index()[["label", "auc", "precision_at_10pct", "brier"]]
    return Section(
        "churn",
        "Churn risk",
        verdict,
        tone,
        (
            f"Churn = no order in the next {res.window_days} days; "
            f"{pct(res.test_positive_rate)} of evaluated customers bought again.",
            *res.notices,
        ),
        figures=(value_charts.roc_chart(res),),
        tables=(
            Table(
                "Models against baselines (holdout)",
                table,
                {"auc": "{:.3f}", "precision_at_10pct": "{:.1%}", "brier": "{:.3f}"},
                area="value",
            ),
            Table(
                "Customers most worth keeping",
                risk[cols],
                {
                    "churn_probability": "{:.0%}",
                    "recency_days": "{:,.0f}",
                },
                "Ranked by value at risk = spend in the last 12 months × churn probability.",
            ),
        ),
    )


def recommendations(data: ReportData, *, k: int = 10) -> Section:
    from ecomdash import recommend as R

    res = R.evaluate(data.lines(CUSTOMER_COLUMNS), k=k)
    t = res.table.set_index("model")
    ratio = t.loc[res.best_model, "hit_rate_vs_popularity"] if res.best_model in t.index else None
    tone = "good" if ratio is not None and not _isnan(ratio) and ratio > 1 else "warn"
    table = res.table[["label", "hit_rate_at_k", "precision_at_k", "ndcg_at_k", "coverage"]]
    return Section(
        "recommend",
        "Recommendations",
        res.verdict,
        tone,
        (
            f"Trained before {res.cutoff.date()}, tested on {res.n_test_customers:,} returning "
            f"customers (top {res.k}).",
            *res.warnings,
        ),
        figures=(recommend_charts.evaluation_figure(res),),
        tables=(
            Table(
                "Offline evaluation",
                table,
                {c: "{:.3f}" for c in ("hit_rate_at_k", "precision_at_k", "ndcg_at_k", "coverage")},
                area="recommend",
            ),
        ),
    )


def pricing(data: ReportData, *, top: int = 15) -> Section:
    """Price elasticities with the held-out check against the naive forecast (Pricing page)."""
    from ecomdash import pricing as P
    from ecomdash.charts import pricing as pricing_charts

    pw = data.store.product_week_prices(data.info.id, data.filters)
    res = P.analyze(pw)
    v = res.validation_summary or {}
    ratio = v.get("ratio")
    if ratio is None or _isnan(ratio):
        verdict = "Too few held-out weeks to check the price model against the naive forecast."
        tone = "warn"
    elif ratio < 1:
        verdict = (
            f"On held-out weeks the price model's error is {ratio:.2f}× the naive forecast's "
            f"({v.get('n_products', 0):,} products): it predicts units better than "
            "'same as before'."
        )
        tone = "good"
    else:
        verdict = (
            f"On held-out weeks the price model's error is {ratio:.2f}× the naive forecast's: "
            "it does not beat 'same as before' on this data; read the elasticities as rough."
        )
        tone = "warn"
    est = res.products[res.products["status"] != "no estimate"]
    est = est.sort_values("revenue", ascending=False).head(top)
    table = est[["product_id", "product_name", "elasticity", "ci_low", "ci_high", "source"]].rename(
        columns={
            "product_id": "Product",
            "product_name": "Name",
            "elasticity": "Elasticity",
            "ci_low": "90 % low",
            "ci_high": "90 % high",
            "source": "Based on",
        }
    )
    figures = [pricing_charts.elasticity_chart(res)]
    if len(res.validation):
        figures.append(pricing_charts.validation_chart(res))
    n_none = int((res.products["status"] == "no estimate").sum())
    return Section(
        "pricing",
        "Pricing and promotions",
        verdict,
        tone,
        (
            f"{len(res.products) - n_none:,} products have an elasticity, {n_none:,} have too "
            f"little price variation; {len(res.promotions):,} promotions were found in the "
            "prices.",
            *res.warnings,
        ),
        figures=tuple(figures),
        tables=(
            Table(
                f"Elasticity of the top {len(table)} products by revenue (90 % interval)",
                table,
                {c: "{:.2f}" for c in ("Elasticity", "90 % low", "90 % high")},
            ),
        ),
    )


def alerts(data: ReportData, *, top: int = 20) -> Section:
    """The medium and high alerts of the period, with how noisy the rules are (Alerts page)."""
    from ecomdash.alerts import RULES, find_alerts
    from ecomdash.charts import alerts as alert_charts

    saved = data.store.alert_mutes(data.info.id)
    res = find_alerts(
        data.store,
        data.info.id,
        data.filters,
        min_severity="medium",
        mute_rules=saved["rules"],
        mute_products=saved["products"],
    )
    a = res.alerts
    n_high = int((a["severity"] == "high").sum())
    months = max(1, len(res.per_month()))
    verdict = (
        f"{len(a):,} alerts at medium or high severity ({n_high:,} high), "
        f"{len(a) / months:.1f} a month. Each is a lead to check, not a verdict: "
        "the Alerts page lists the lines behind it."
    )
    skipped = res.rules[res.rules["status"] != "ran"]
    table = a.head(top)[["date", "severity", "kind", "reason", "driver"]].copy()
    table["kind"] = table["kind"].map(lambda k: RULES[k][0] if k in RULES else k)
    table = table.rename(
        columns={
            "date": "When",
            "severity": "Severity",
            "kind": "Rule",
            "reason": "Why",
            "driver": "Likely driver",
        }
    )
    return Section(
        "alerts",
        "Alerts",
        verdict,
        "warn" if n_high else "info",
        (
            *[f"Rule {r.label} did not run: {r.note}" for r in skipped.itertuples()],
            *res.warnings,
        ),
        figures=(alert_charts.severity_figure(res),),
        tables=(Table(f"Newest {len(table)} alerts", table),),
    )


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
