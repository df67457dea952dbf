"""Forecast and restock sections (the Forecast & restock page)."""

from __future__ import annotations

import plotly.graph_objects as go

from ecomdash import labels as L
from ecomdash.charts import forecast as forecast_charts
from ecomdash.i18n import N_, _
from ecomdash.i18n import fmt as i18n_fmt
from ecomdash.i18n.case import capitalised
from ecomdash.i18n.note import tr_note
from ecomdash.report import results
from ecomdash.report.data import ReportData
from ecomdash.report.model import Section, Table
from ecomdash.report.sections.common import (
    pct,
)


# -- forecast & restock ------------------------------------------------------------------------------
def _titled(fig: go.Figure, title: str) -> go.Figure:
    """``fig`` with a title (the page has a heading above these charts; a report reader sees
    the chart alone) and the room above it for one."""
    fig.update_layout(title=title, margin={"t": 50})
    return fig


def forecast(data: ReportData) -> Section:
    # the whole shop's days, as on the page (built once: the digest reads it too)
    res = results.forecast(data)
    bt = res.backtest.set_index("model")
    row, base = bt.loc[res.model], bt.loc["seasonal_naive"]
    tone = "good" if row["mae"] < base["mae"] and res.n_folds >= 3 else "warn"
    verdict = _(
        "{verdict} Backtest over {folds} folds: MASE {mase} (lower is better; the naive forecast's "
        "own is {base}), "
        "{coverage} of actuals inside the 80\u00a0% band.",
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
        figures=(
            _titled(
                # net revenue: the currency on the value axis and in the hovers
                forecast_charts.forecast_figure(
                    res, history_periods=span, symbol=data.display.symbol
                ),
                _(
                    "Net revenue per day and the forecast for the next {days} days",
                    days=res.horizon,
                ),
            ),
        ),
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


def restock(data: ReportData, *, top: int | None = None) -> Section:
    from ecomdash.findings.core import backtest_mase, plain_mase
    from ecomdash.inventory import NO_STOCK

    # from the store's aggregates (the top products' lines, sales per product and week), at
    # the planner's defaults (built once: the digest reads it too)
    res = results.restock(data, top=top)
    lead_time_days = float(res.params.get("lead_time_days", 14))
    plan = res.plan
    # the honest backtest (the automatic choice on folds after the ones it was chosen on)
    # against the seasonal naive on the same folds, per product: the plan's own "mase" is
    # the final model's optimistic score, and MASE < 1 is not "beats the naive" (1 is the
    # naive's error over the past, not over the backtest)
    auto, naive = backtest_mase(res, plan["product_id"])
    both = auto.notna() & naive.notna()
    if both.any():
        beat = float((auto[both] < naive[both]).mean())
        med, nav = round(float(auto[both].median()), 2), round(float(naive[both].median()), 2)
        # the Home's plain words first (what "MASE 0.80 against 0.86" means), then the figures
        verdict = _(
            "{plain} (weekly unit forecasts of {n} products, backtested: median MASE {mase} "
            "against the naive forecast's {naive} on the same weeks, lower is better); {share} "
            "of products forecast better than the naive forecast.",
            plain=capitalised(plain_mase(med / nav if nav > 0 else med)),
            n=len(plan),
            mase=f"{med:.2f}",
            naive=f"{nav:.2f}",
            share=pct(beat),
        )
        tone = "good" if med < nav else "warn"
    else:
        verdict, tone = _("The per-product forecasts could not be backtested."), "warn"
    # the report has no units on hand: it lists reorder points, not order quantities (the
    # plan's order column is empty without stock, and "0 to order" would read as "all fine")
    show = plan.head(20)
    cols = ["product_id", "product_name", "abc", "xyz", "daily_demand", "reorder_point"]
    text = (
        _(
            "As of {date}, lead time {days} days, 95\u00a0% service level: the reorder point of "
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
        figures=(
            _titled(
                forecast_charts.abc_xyz_figure(res),
                _("Products by ABC class (share of revenue) and XYZ class (how steady demand is)"),
            ),
        ),
        tables=(
            Table(
                N_("Products planned"),
                show[[c for c in cols if c in show]],
                {"daily_demand": "{:,.2f}", "reorder_point": "{:,.0f}"},
            ),
        ),
    )
