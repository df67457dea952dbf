"""Figures for the Overview page (their text in the current language: ``ecomdash.i18n``)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ecomdash.charts.locale import month_axis
from ecomdash.charts.money import money_axis, money_hover, with_currency
from ecomdash.charts.text import word_figure
from ecomdash.i18n import N_, _
from ecomdash.kpis import OverviewResult

#: message ids (translated when a figure is built)
METRIC_LABELS = {
    "revenue": N_("Net revenue"),
    "orders": N_("Orders"),
    "gross_sales": N_("Gross sales"),
    "units": N_("Units"),
}
#: the trend's grain as its title says it ("Net revenue by week")
GRAIN_WORDS = {"day": N_("day"), "week": N_("week"), "month": N_("month")}


def _metric(metric: str) -> str:
    return _(METRIC_LABELS[metric]) if metric in METRIC_LABELS else metric


def _money_hover(symbol: str, value: str = "y") -> str:
    """A hover's amount with the currency after the sign (``£1,234.50``, ``-£73.30``): the
    figure's axis says no unit."""
    return money_hover(value, 2, symbol=symbol)


def trend_figure(res: OverviewResult, metric: str = "revenue", *, symbol: str = "") -> go.Figure:
    """Net revenue (bars: gross and returns) or orders over time at the result's grain.
    ``symbol``: the dataset's currency sign, on the money axis and in the hover (``£``)."""
    t = res.trend
    fig = go.Figure()
    if metric == "revenue":
        fig.add_bar(
            x=t["period"],
            y=t["gross_sales"],
            name=_("Gross sales"),
            marker_color="#9ecae1",
            hovertemplate=_money_hover(symbol),
        )
        fig.add_bar(
            x=t["period"],
            y=-t["returns"],
            name=_("Returns"),
            marker_color="#fc9272",
            # drawn below zero; the hover says the amount returned (£2,854.29, not -£2,854.29)
            customdata=t["returns"].to_numpy(),
            hovertemplate=_money_hover(symbol, "customdata"),
        )
        fig.add_scatter(
            x=t["period"],
            y=t["revenue"],
            name=_("Net revenue"),
            mode="lines+markers",
            line={"color": "#08519c", "width": 2},
            hovertemplate=_money_hover(symbol),
        )
        fig.update_layout(barmode="relative")
        # the returns drawn below zero read -£5,000, not £-5,000 (charts.money)
        fig.update_yaxes(**money_axis(symbol))
        with_currency(fig, symbol)
    else:
        fig.add_scatter(x=t["period"], y=t[metric], name=_metric(metric), mode="lines+markers")
    if res.events and len(t):
        # event dates of summed sales (holidays, promotions) inside the trend's span
        lo, hi = pd.Timestamp(t["period"].min()), pd.Timestamp(t["period"].max())
        for d in pd.to_datetime(list(res.events)):
            if lo <= d <= hi + pd.Timedelta(days=31):
                fig.add_vline(x=d, line={"color": "#969696", "width": 1, "dash": "dot"})
        fig.add_scatter(
            x=[None],
            y=[None],
            mode="lines",
            name=_("Event (file flag)"),
            line={"color": "#969696", "dash": "dot"},
        )
    fig.update_layout(
        title=_(
            "{metric} by {grain}",
            metric=_metric(metric),
            grain=_(GRAIN_WORDS[res.grain]) if res.grain in GRAIN_WORDS else res.grain,
        ),
        height=380,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        legend={"orientation": "h", "y": -0.15},
        hovermode="x unified",
    )
    if res.grain == "month" and len(t):
        # ticked by month: over a few months plotly ticks days ("Nov 1 2024" under a single
        # month's bar, as the Alerts per month read)
        month_axis(fig, [pd.Timestamp(p).strftime("%Y-%m") for p in t["period"]])
    return fig


def breakdown_figure(
    df: pd.DataFrame, title: str, label_col: str = "key", *, symbol: str = ""
) -> go.Figure:
    """Horizontal bars of net revenue, largest on top; labels are plain text (plotly escapes).
    ``symbol``: the dataset's currency sign, on the revenue axis and in the hover (``£``)."""
    d = df.iloc[::-1]
    labels = d["name"].fillna(d["key"]) if "name" in d else d[label_col]
    labels = [str(x)[:45] for x in labels]
    # orders for order lines; units (when known) for summed sales, which have no orders
    extra = "orders" if "orders" in d else "units" if "units" in d else None
    hover = "%{y}<br>" + word_figure(_("Net revenue"), _money_hover(symbol, "x"))
    if extra:
        hover += "<br>" + word_figure(_metric(extra), "%{customdata[0]:,}")
    fig = go.Figure(
        go.Bar(
            x=d["revenue"],
            y=labels,
            orientation="h",
            marker_color="#3182bd",
            customdata=d[[extra]].to_numpy() if extra else None,
            hovertemplate=hover + "<extra></extra>",
        )
    )
    fig.update_layout(
        title=title, height=max(260, 28 * len(d) + 80), margin={"l": 10, "r": 10, "t": 50, "b": 10}
    )
    fig.update_xaxes(**money_axis(symbol))  # a country's net refunds read -£120
    return with_currency(fig, symbol)


#: weekday names, Monday first (message ids)
WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))


def busiest_figure(busiest: pd.DataFrame) -> go.Figure:
    """Orders per weekday × hour (heatmap); per weekday (bars) when the file has no times."""
    fig = go.Figure()
    if busiest["hour"].nunique() > 1:
        grid = (
            busiest.pivot_table(index="weekday", columns="hour", values="orders", aggfunc="sum")
            .reindex(index=range(7), columns=range(24))
            .fillna(0)
        )
        fig.add_heatmap(
            z=grid.to_numpy(),
            x=[f"{h:02d}:00" for h in range(24)],
            y=[_(d) for d in WEEKDAYS],
            colorscale="Blues",
            # a weekday and its hour ("周一\u00a009:00"), then the count
            hovertemplate=word_figure("%{y}", "%{x}")
            + "<br>"
            + word_figure(_("Orders"), "%{z:,}")
            + "<extra></extra>",
        )
        fig.update_yaxes(autorange="reversed")
        title = _("Busiest days and hours (orders)")
    else:
        per_day = busiest.groupby("weekday")["orders"].sum().reindex(range(7), fill_value=0)
        fig.add_bar(x=[_(d) for d in WEEKDAYS], y=per_day.to_numpy(), marker_color="#3182bd")
        title = _("Busiest days (orders; the file has dates without times)")
    fig.update_layout(title=title, height=340, margin={"l": 10, "r": 10, "t": 50, "b": 10})
    return fig


def count_breakdown_figure(df: pd.DataFrame, title: str, value: str) -> go.Figure:
    """Horizontal bars of units (or orders) for a dataset without amounts; plain-text labels."""
    d = df.iloc[::-1]
    labels = d["name"].fillna(d["key"]) if "name" in d else d["key"]
    fig = go.Figure(
        go.Bar(
            x=d[value],
            y=[str(x)[:45] for x in labels],
            orientation="h",
            marker_color="#3182bd",
            hovertemplate="%{y}<br>" + word_figure(_metric(value), "%{x:,}") + "<extra></extra>",
        )
    )
    fig.update_layout(
        title=title, height=max(260, 28 * len(d) + 80), margin={"l": 10, "r": 10, "t": 50, "b": 10}
    )
    return fig
