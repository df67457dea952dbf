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
from ecomdash.i18n import N_, _, _n
from ecomdash.i18n import fmt as i18n_fmt
from ecomdash.i18n.note import tr_note
from ecomdash.kpis import KPI_LABELS, POINT_CHANGES, day_text, new_customers_note
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


#: The grain a trend is summed by, as a sentence names it.
GRAINS = {"day": N_("day"), "week": N_("week"), "month": N_("month")}


def fmt_kpi(name: str, v, display: L.Display) -> tuple[str, str | None]:
    """A headline tile's (value, exact figure): money compact in the dataset's currency as the
    app's Overview shows it (``£3.73M``, ``¥373万``), with the exact amount for its tooltip."""
    if _isnan(v):
        return _("n/a"), None
    if name == "return_rate":
        return i18n_fmt.pct(v, 1), None
    if name in MONEY:
        return L.money(v, display, compact=True), L.money(v, display)
    return f"{int(round(v)):,}", None


def pct(x) -> str:
    return _("n/a") if _isnan(x) else i18n_fmt.pct(x, 0)


def _grain(g: str) -> str:
    return _(GRAINS[g]) if g in GRAINS else g


def _period_text(start, grain: str) -> str:
    """A trend's period in a sentence, by the day it starts: a month is ``December 2025``
    (``1 December 2025`` read as one day), a week ``the week of 8 September 2025``."""
    if grain == "month":
        return i18n_fmt.long_month(start)
    if grain == "week":
        return _("the week of {date}", date=i18n_fmt.long_date(start))
    return i18n_fmt.long_date(start)


# -- sales ---------------------------------------------------------------------------------------
def kpis(data: ReportData) -> Section:
    res = data.overview()
    start, end = res.period
    metrics = []
    for name in KPI_ORDER:
        # as the Overview's tiles: a rate's change in points (3.7 % → 2.9 % is -0.8 points,
        # not -22.5 %), and no total's change against a previous period the data only
        # partly covers (its missing days would read as growth)
        points = name in POINT_CHANGES
        ch = res.point_change(name) if points else res.comparable_change(name)
        good = None if ch is None or ch == 0 else (ch > 0) != (name in LOWER_IS_BETTER)
        value, exact = fmt_kpi(name, res.kpis.get(name), data.display)
        if ch is None:
            delta = None
        elif points:
            delta = _("{change} points vs previous period", change=f"{ch * 100:+.1f}")
        else:
            delta = _("{change} vs previous period", change=_signed_pct(ch))
        metrics.append(Metric(_(KPI_LABELS[name]), value, delta, good, exact))
    if res.previous_period:
        verdict = _(
            "{start} to {end}, compared with the previous period of the same length "
            "({prev_start} to {prev_end}). Exact sums of your order lines, no model involved.",
            start=day_text(start),
            end=day_text(end),
            prev_start=day_text(res.previous_period[0]),
            prev_end=day_text(res.previous_period[1]),
        )
    else:
        verdict = _(
            "{start} to {end}. There is no earlier data of the same length to compare with. "
            "Exact sums of your order lines, no model involved.",
            start=day_text(start),
            end=day_text(end),
        )
    # the New customers tile counts from the data's first day: said as the app's Overview does
    new_note = new_customers_note(res)
    text = (*res.notes, new_note) if new_note else res.notes
    return Section("kpis", "Headline figures", verdict, "info", text, tuple(metrics))


def _signed_pct(x: float) -> str:
    return i18n_fmt.pct(x, 1, signed=True)


def _no_revenue() -> InsufficientDataError:
    return InsufficientDataError(
        _(
            "This dataset has no price or amount column: revenue needs one (see the Overview "
            "for orders, units and top products by units)."
        )
    )


def trend(data: ReportData) -> Section:
    res = data.overview()
    if not res.has_revenue:
        raise _no_revenue()
    if res.trend.empty:
        raise InsufficientDataError(_("There are no dated sales in this period to draw a trend."))
    t = res.trend
    best = t.loc[t["revenue"].idxmax()]
    text = (
        _n(
            "Best {grain}: {date} with net revenue {revenue} over {orders} order.",
            "Best {grain}: {date} with net revenue {revenue} over {orders} orders.",
            int(best["orders"]),
            grain=_grain(res.grain),
            date=_period_text(best["period"], res.grain),
            revenue=L.money(best["revenue"], data.display),
            orders=f"{int(best['orders']):,}",
        ),
    )
    return Section(
        "trend",
        "Trend",
        _(
            "Net revenue by {grain}: gross sales less returns. Exact figures, no model.",
            grain=_grain(res.grain),
        ),
        "info",
        text,
        figures=(trend_figure(res, "revenue"),),
    )


def top_products(data: ReportData) -> Section:
    res = data.overview()
    if not res.has_revenue:
        raise _no_revenue()
    df = res.top_products
    if df.empty:
        raise InsufficientDataError(
            _("This dataset has no product id column, so products cannot be ranked.")
        )
    total = res.kpis.get("revenue") or 0.0
    share = df["revenue"].sum() / total if total else float("nan")
    cols = [c for c in ("key", "name", "revenue", "orders", "units") if c in df]
    table = df[cols]
    return Section(
        "top_products",
        "Top products",
        _(
            "The {n} best sellers by net revenue make {share} of net revenue. Exact figures, "
            "no model.",
            n=len(df),
            share=pct(share),
        ),
        "info",
        figures=(breakdown_figure(df, _("Top products by net revenue")),),
        tables=(Table(N_("Top products"), table, area="report.products"),),
    )


# -- baskets ---------------------------------------------------------------------------------------
def basket_rules(data: ReportData, *, min_support: float = 0.01, top: int = 10) -> Section:
    lines = data.lines(BASKET_COLUMNS)
    res = B.mine(lines, min_support=min_support)
    text: list[str] = []
    if res.n_rules == 0 and res.suggested_min_support is not None:
        text.append(
            _(
                "No rule reached the default minimum support of {default}; the report uses the "
                "suggested {suggested} instead.",
                default=f"{min_support:g}",
                suggested=f"{res.suggested_min_support:.4g}",
            )
        )
        min_support = res.suggested_min_support
        res = B.mine(lines, min_support=min_support)
    if res.n_rules == 0:
        raise InsufficientDataError(
            _(
                "No products are bought together often enough in {orders} orders to make a "
                "rule (minimum support {support}). Lower the minimum support on the Basket "
                "analysis page.",
                orders=f"{res.n_baskets:,}",
                support=f"{min_support:.4g}",
            )
        )
    rules = res.rules.sort_values(["lift", "confidence"], ascending=False).head(top)
    strong = int((res.rules["lift"] >= 2).sum())
    thin = int((res.rules["count"] < 30).sum())
    text.append(
        _(
            "{rules} rules from {orders} orders: {strong} have lift ≥ 2 (together at least "
            "twice as often as chance); {thin} rest on fewer than 30 orders.",
            rules=f"{res.n_rules:,}",
            orders=f"{res.n_baskets:,}",
            strong=f"{strong:,}",
            thin=f"{thin:,}",
        )
    )
    verdict, tone = (
        _("The rules were not checked on later orders (the data has no order dates)."),
        "warn",
    )
    if S.ORDER_DATE in data.columns:
        try:
            hold = B.holdout_check(lines, min_support=min_support)
        except InsufficientDataError as exc:
            verdict = _("Not checked on later orders: {why}", why=exc)
        else:
            if hold.share_holding is not None:
                verdict = _(
                    "Checked on your own data: of {rules} rules mined on orders before {cutoff}, "
                    "{share} still beat chance (lift > 1) on the {later} later orders.",
                    rules=f"{hold.n_rules:,}",
                    cutoff=i18n_fmt.long_date(hold.cutoff),
                    share=pct(hold.share_holding),
                    later=f"{hold.n_test:,}",
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
                _("Strongest {n} rules by lift", n=len(table)),
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
    # the whole shop's days from the store's day x country groups, as on the page (the same
    # series); the lines only for a dataset without amounts, which has none
    lines = data.store.shop_day_groups(data.info.id, data.filters, with_orders=False)
    if lines is None:
        lines = data.lines(PRODUCT_COLUMNS)
    series = F.build_series(lines, metric="revenue", freq=freq, future_periods=horizon)
    res = F.forecast(series, horizon=horizon, folds=folds)
    bt = res.backtest.set_index("model")
    row, base = bt.loc[res.model], bt.loc["seasonal_naive"]
    tone = "good" if row["mae"] < base["mae"] and res.n_folds >= 3 else "warn"
    verdict = _(
        "{verdict} Backtest over {folds} folds: MASE {mase} (lower is better; the naive forecast's "
        "own is {base}), "
        "{coverage} of actuals inside the 80 % band.",
        # the core's verdict is a Note (English as a str): in the report's language
        verdict=tr_note(res.verdict),
        folds=res.n_folds,
        mase=f"{row['mase']:.2f}",
        base=f"{base['mase']:.2f}",
        coverage=pct(row["coverage80"]),
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
            _(
                "Next {days} days: {revenue} net revenue expected (model: {model}).",
                days=res.horizon,
                revenue=L.money(res.forecast["mean"].sum(), data.display, places=0),
                model=L.model_label(res.model, short=True),
            ),
            *res.warnings,
        ),
        figures=(forecast_charts.forecast_figure(res, history_periods=span),),
        tables=(
            Table(N_("Forecast"), fc[["period", "mean", "lo80", "hi80"]], area="report.forecast"),
            Table(
                N_("Backtest per model"),
                table,
                # MAE from the catalogue: net revenue's error, money in the dataset's currency
                {"mase": "{:.2f}", "coverage80": "{:.0%}"},
                _("Each model forecast the last folds from past data only."),
                area="report.forecast",
            ),
        ),
    )


def restock(data: ReportData, *, top: int = 100, lead_time_days: float = 14) -> Section:
    from ecomdash.findings.core import backtest_mase
    from ecomdash.forecast import from_store as FS
    from ecomdash.inventory import NO_STOCK

    # from the store's aggregates (the top products' lines, sales per product and week)
    res = FS.plan_restock(
        data.store,
        data.info.id,
        data.filters,
        top=top,
        lead_time_days=lead_time_days,
        service_level=0.95,
        review_days=7,
    )
    plan = res.plan
    # the honest backtest (the automatic choice on folds after the ones it was chosen on)
    # against the seasonal naive on the same folds, per product: the plan's own "mase" is
    # the final model's optimistic score, and MASE < 1 is not "beats the naive" (1 is the
    # naive's error over the past, not over the backtest)
    auto, naive = backtest_mase(res, plan["product_id"])
    both = auto.notna() & naive.notna()
    if both.any():
        beat = float((auto[both] < naive[both]).mean())
        verdict = _(
            "Weekly unit forecasts of {n} products, backtested: median MASE {mase} against "
            "the naive forecast's {naive} on the same weeks (lower is better); {share} of "
            "products forecast better than the naive forecast.",
            n=len(plan),
            mase=f"{auto[both].median():.2f}",
            naive=f"{naive[both].median():.2f}",
            share=pct(beat),
        )
        tone = "good" if auto[both].median() < naive[both].median() else "warn"
    else:
        verdict, tone = _("The per-product forecasts could not be backtested."), "warn"
    # the report has no units on hand: it lists reorder points, not order quantities (the
    # plan's order column is empty without stock, and "0 to order" would read as "all fine")
    show = plan.head(20)
    cols = ["product_id", "product_name", "abc", "xyz", "daily_demand", "reorder_point"]
    text = (
        _(
            "As of {date}, lead time {days} days, 95 % service level: the reorder point of "
            "each of the top {n} products by revenue (order when its stock falls to that "
            "level). Units on hand are not in the report; enter them on the Forecast & "
            "restock page for what to order now.",
            date=i18n_fmt.long_date(res.as_of),
            days=f"{lead_time_days:g}",
            n=len(plan),
        ),
        # the plan's "No stock levels given" would say the missing stock a second time
        *(w for w in res.warnings if getattr(w, "msgid", None) != NO_STOCK),
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
                N_("Products planned"),
                show[[c for c in cols if c in show]],
                {"daily_demand": "{:,.2f}", "reorder_point": "{:,.0f}"},
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
        verdict = _("RFM segments only; no clusters: {why}", why=res.cluster_error)
        tone = "warn"
    else:
        sil = round(cl.silhouette, 2)  # judged as shown
        quality = (
            _("clearly separated")
            if sil >= 0.5
            else _("reasonably separated")
            if sil >= 0.25
            else _("weakly separated")
        )
        verdict = _(
            "{k} k-means clusters, silhouette {silhouette} ({quality}); readable rules "
            "reproduce {fidelity} of them (target {target}).",
            k=cl.k,
            silhouette=f"{cl.silhouette:.2f}",
            quality=quality,
            fidelity=pct(ex.fidelity),
            target=pct(ex.target),
        )
        tone = "good" if sil >= 0.25 and ex.good_enough else "warn"
    table = seg[["segment", "customers", "customer_share", "revenue_share", "action"]]
    # names and actions in the report's language, as the Customer segments page shows them
    # (the result keeps the English ids)
    table = table.assign(**{c: table[c].astype(str).map(_) for c in ("segment", "action")})
    return Section(
        "segments",
        "Customer segments",
        verdict,
        tone,
        (
            _(
                "As of {date}: {customers} customers; {guests} guest orders (no customer id) "
                "left out.",
                date=i18n_fmt.long_date(res.params["as_of"]),
                customers=f"{res.n_customers:,}",
                guests=f"{res.n_guest_orders:,}",
            ),
            *res.features.warnings,
            *(() if cl is None or not cl.n_one_time else (_clusters_of_repeat(cl),)),
        ),
        figures=(segment_charts.segment_treemap(res.rfm),),
        tables=(
            Table(
                N_("Segments, sizes and what to do"),
                table,
                area="segments",
            ),
        ),
    )


def _clusters_of_repeat(cl) -> str:
    """What the clusters are of: the repeat customers; the one-time buyers are a group apart."""
    return _(
        "The clusters are of the {n} customers who ordered at least twice; the {one} one-time "
        "buyers are a group of their own, not clustered.",
        n=f"{int((cl.labels < cl.one_time_id).sum()):,}",
        one=f"{cl.n_one_time:,}",
    )


def _churn(data: ReportData):
    from ecomdash.churn import churn

    return data.shared("churn", lambda: churn(data.lines(CUSTOMER_COLUMNS), window_days=90))


def _clv(data: ReportData):
    from ecomdash.clv import customer_value as clv

    return data.shared(
        "clv", lambda: clv(S.customer_sales(data.lines(CUSTOMER_COLUMNS)), horizon_months=12)
    )


def customer_value(data: ReportData) -> Section:
    res = _clv(data)
    c = res.customers
    cal = res.calibration
    if cal is None:
        verdict = _("Not checked on held-out time (see why below).")
        if res.method == "historical_average":
            verdict = _(
                "No model: too few repeat buyers to fit one, so values are historical averages "
                "and were not checked on held-out time (see why below)."
            )
        tone = "warn"
        figures = ()
    else:
        verdict = _(
            "Checked on held-out time: fitted up to {cutoff}, the model predicted {predicted} "
            "repeat purchases up to {end}; there were {actual} ({error}).",
            cutoff=i18n_fmt.long_date(cal.cutoff),
            predicted=f"{cal.predicted_holdout_purchases:,.0f}",
            end=i18n_fmt.long_date(cal.end),
            actual=f"{cal.actual_holdout_purchases:,}",
            # as the page's tile: "+20.0 % vs actual" (a bare "+20.0 %" did not say which way)
            error=_("{pct} vs actual", pct=i18n_fmt.pct(cal.error_pct / 100, 1, signed=True)),
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
            _(
                "{n} customers are expected to bring {value} over the next {months} months "
                "(scored as of {date}).",
                n=f"{len(c):,}",
                # a 12-month prediction to the penny is false precision: £1.64M
                value=L.money(c["expected_value"].sum(), data.display, compact=True),
                months=f"{res.horizon_months:g}",
                date=i18n_fmt.long_date(res.cutoff),
            ),
            *res.notices,
        ),
        figures=figures,
        tables=(
            Table(
                N_("Customers by expected value"),
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
    # the top 10 %'s precision beside the share of every customer evaluated who churned: a
    # bare "precision 97 %" read as the model's doing where 68 % churn anyway
    verdict = _(
        "Evaluated on held-out time ({n} customers after {cutoff}): {model} ranks churners "
        "with ROC AUC {auc} ({vs} vs recency alone; 0.5 is guessing). Of the 10 % of "
        "customers it rated most at risk, {precision} placed no order in the next {days} "
        "days, against {base} of all the customers evaluated.",
        n=f"{res.n_test:,}",
        cutoff=i18n_fmt.long_date(res.test_cutoff),
        model=L.model_label(best),
        auc=f"{auc:.3f}",
        vs=f"{auc - base:+.3f}",
        precision=pct(m.loc[best, "precision_at_10pct"]),
        days=res.window_days,
        base=pct(1 - res.test_positive_rate),
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
            _(
                "Churn = no order in the next {days} days; {share} of evaluated customers "
                "bought again.",
                days=res.window_days,
                share=pct(res.test_positive_rate),
            ),
            *res.notices,
        ),
        figures=(value_charts.roc_chart(res),),
        tables=(
            Table(
                N_("Models against baselines (holdout)"),
                table,
                {"auc": "{:.3f}", "precision_at_10pct": "{:.1%}", "brier": "{:.3f}"},
                area="value",
            ),
            Table(
                N_("Customers most worth keeping"),
                risk[cols],
                {
                    "churn_probability": "{:.0%}",
                    "recency_days": "{:,.0f}",
                },
                _("Ranked by value at risk = spend in the last 12 months × churn probability."),
            ),
        ),
    )


def recommendations(data: ReportData, *, k: int = 10) -> Section:
    from ecomdash import recommend as R

    res = R.evaluate(data.lines(CUSTOMER_COLUMNS), k=k)
    t = res.table.set_index("model")
    ratio = t.loc[res.best_model, "hit_rate_vs_popularity"] if res.best_model in t.index else None
    tone = "good" if ratio is not None and not _isnan(ratio) and ratio > 1 else "warn"
    # the model's id, named by the catalogue in the report's language as on the page (the
    # result's "label" is the English name)
    table = res.table[["model", "hit_rate_at_k", "precision_at_k", "ndcg_at_k", "coverage"]]
    return Section(
        "recommend",
        "Recommendations",
        res.verdict,
        tone,
        (
            _(
                "Trained before {date}, tested on {n} returning customers (top {k}).",
                date=i18n_fmt.long_date(res.cutoff),
                n=f"{res.n_test_customers:,}",
                k=res.k,
            ),
            *res.warnings,
        ),
        figures=(recommend_charts.evaluation_figure(res),),
        tables=(
            Table(
                N_("Offline evaluation"),
                table,
                {},  # shares as % and NDCG to 3 places, as the page's table writes them
                area="recommend",
            ),
        ),
    )


def pricing(data: ReportData, *, top: int = 15) -> Section:
    """Price elasticities with the held-out check against the naive forecast (Pricing page)."""
    from ecomdash import pricing as P
    from ecomdash.charts import pricing as pricing_charts

    pw = data.store.product_week_prices(data.info.id, data.filters, lean=True)  # as the page
    res = P.analyze(pw)
    v = res.validation_summary or {}
    ratio = v.get("ratio")
    if ratio is None or _isnan(ratio):
        verdict = _("Too few held-out weeks to check the price model against the naive forecast.")
        tone = "warn"
    else:
        # how many products the check covers, of those with an elasticity (the text below
        # counts those: 25 checked read as if the check were of all 218)
        fields = {
            "ratio": f"{ratio:.2f}",
            "n": f"{v.get('n_products', 0):,}",
            "total": f"{int((res.products['status'] != 'no estimate').sum()):,}",
        }
        if ratio < 1:
            verdict = _(
                "On held-out weeks the price model's error is {ratio}× the naive forecast's, "
                "on the {n} of {total} products with an elasticity that had enough weeks to "
                "check: it predicts units better than 'same as before'.",
                **fields,
            )
            tone = "good"
        else:
            verdict = _(
                "On held-out weeks the price model's error is {ratio}× the naive forecast's, "
                "on the {n} of {total} products with an elasticity that had enough weeks to "
                "check: it does not beat 'same as before' on this data; read the elasticities "
                "as rough.",
                **fields,
            )
            tone = "warn"
    est = res.products[res.products["status"] != "no estimate"]
    est = est.sort_values("revenue", ascending=False).head(top)
    low, high, el = _("90 % low"), _("90 % high"), _("Elasticity")
    table = est[["product_id", "product_name", "elasticity", "ci_low", "ci_high", "source"]].rename(
        columns={
            "product_id": L.label("product_id"),  # "Product id" / "Product", as on every page
            "product_name": L.label("product_name"),
            "elasticity": el,
            "ci_low": low,
            "ci_high": high,
            "source": _("Based on"),
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
            _(
                "{n} products have an elasticity, {none} have too little price variation; "
                "{promos} promotions were found in the prices.",
                n=f"{len(res.products) - n_none:,}",
                none=f"{n_none:,}",
                promos=f"{len(res.promotions):,}",
            ),
            *res.warnings,
        ),
        figures=tuple(figures),
        tables=(
            Table(
                _("Elasticity of the top {n} products by revenue (90 % interval)", n=len(table)),
                table,
                {c: "{:.2f}" for c in (el, low, high)},
            ),
        ),
    )


def alerts(data: ReportData, *, top: int = 20) -> Section:
    """The medium and high alerts of the period, with how noisy the rules are (Alerts page)."""
    from ecomdash.alerts import find_alerts, rule_label, severity_label, when_parts
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
    verdict = _(
        "{n} alerts at medium or high severity ({high} high), {per_month} a month. Each is a "
        "lead to check, not a verdict: the Alerts page lists the lines behind it.",
        n=f"{len(a):,}",
        high=f"{n_high:,}",
        per_month=f"{len(a) / months:.1f}",
    )
    skipped = res.rules[res.rules["status"] != "ran"]
    table = a.head(top)[["date", "severity", "kind", "reason", "driver"]].copy()
    day, time_of_day = when_parts(table)
    # the shop's date style, as the Alerts page's table (ISO wrapped mid-date in the report)
    table["date"] = (day.dt.strftime(data.display.strftime) + " " + time_of_day).str.strip()
    table["kind"] = table["kind"].map(rule_label)
    table["severity"] = table["severity"].map(severity_label)
    table = table.rename(
        columns={
            "date": _("When"),
            "severity": _("Severity"),
            "kind": _("Rule"),
            "reason": _("Why"),
            "driver": _("Likely driver"),
        }
    )
    return Section(
        "alerts",
        "Alerts",
        verdict,
        "warn" if n_high else "info",
        (
            *[
                # the note is a phrase with its own colon ("needs unit costs: none were given")
                _("The rule “{rule}” did not run ({why}).", rule=_(r.label), why=r.note)
                for r in skipped.itertuples()
            ],
            *res.warnings,
        ),
        figures=(alert_charts.severity_figure(res),),
        tables=(Table(_("Newest {n} alerts", n=len(table)), table),),
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
