"""Figures for the Alerts page: a metric's days against their expectation, alerts marked."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from ecomdash import labels as L
from ecomdash.alerts import AlertsResult
from ecomdash.alerts.series import METRIC_LABELS
from ecomdash.charts.locale import month_axis
from ecomdash.charts.money import money_axis, money_hover, with_currency
from ecomdash.charts.percent import pct_axis, pct_text, points
from ecomdash.i18n import N_, _

_COLOURS = {"high": "#d62728", "medium": "#ff7f0e", "low": "#bcbd22"}
#: the markers of the unusual days by severity, and the bars of each severity
_DAY_MARKERS = {
    "high": N_("high alert"),
    "medium": N_("medium alert"),
    "low": N_("low alert"),
}


#: the daily metrics in money, and each one's decimals in a hover
_MONEY_METRICS = {"revenue": 0, "aov": 2}


def series_figure(res: AlertsResult, metric: str = "revenue", *, symbol: str = "") -> go.Figure:
    """The shop's daily ``metric``, its expected value and band (±3 robust sd), and the days
    with an unusual-day alert marked by severity. ``symbol``: the dataset's currency sign
    (``£``), on the value axis and in the hovers of the money metrics (net revenue, average
    order value); the return rate's axis and hovers are percentages."""
    fig = go.Figure()
    s = res.series
    if s.empty:
        fig.update_layout(title=_("No daily series (too little history)"))
        return fig
    s = s[(s["dim"] == "shop") & (s["metric"] == metric)]
    label = L.label(metric) if metric in METRIC_LABELS else metric
    # a return rate is drawn in percentage points on a percent axis (charts.percent), its
    # expected band from zero up (a share is never below zero: the robust band's -1.2 %)
    scale = points if metric == "return_rate" else np.asarray
    if metric == "return_rate":
        s = s.assign(lo=s["lo"].clip(lower=0.0))
    fig.add_scatter(
        x=s["day"], y=scale(s["hi"]), line={"width": 0}, showlegend=False, hoverinfo="skip"
    )
    fig.add_scatter(
        x=s["day"],
        y=scale(s["lo"]),
        fill="tonexty",
        line={"width": 0},
        fillcolor="rgba(49,130,189,0.15)",
        name=_("Expected range"),
        hoverinfo="skip",
    )
    fig.add_scatter(
        x=s["day"], y=scale(s["expected"]), name=_("Expected"), line={"color": "#6baed6"}
    )
    fig.add_scatter(
        x=s["day"], y=scale(s["actual"]), name=label, line={"color": "#08519c", "width": 1}
    )
    days = res.alerts[res.alerts["kind"] == "unusual_day"]
    for sev, colour in _COLOURS.items():
        d = days[days["severity"] == sev]
        pts = s[s["day"].isin(d["date"])]
        if len(pts):
            fig.add_scatter(
                x=pts["day"],
                y=scale(pts["actual"]),
                mode="markers",
                marker={"color": colour, "size": 10, "symbol": "diamond"},
                name=_(_DAY_MARKERS[sev]),
            )
    if metric in _MONEY_METRICS:
        # -£5,000 below the expected band's zero, never £-5,000 (charts.money)
        hover = money_hover("y", _MONEY_METRICS[metric], symbol=symbol)
        fig.update_yaxes(**money_axis(symbol))
        with_currency(fig, symbol)
    elif metric == "return_rate":
        # a share as the tables write it (4.1 %; 4.1% in Chinese): the hover's text per point
        hover = "%{customdata}"
        fig.update_yaxes(**pct_axis(), rangemode="tozero")  # plotly's own ticks: 5 % / 5%
    else:
        hover = "%{y:,.0f}"
    for trace in fig.data:  # every drawn line and marker (the band's edges skip the hover)
        if trace.hoverinfo != "skip":
            trace.hovertemplate = hover
            if metric == "return_rate":
                trace.customdata = pct_text(np.asarray(trace.y, dtype=float) / 100, 1)
    fig.update_layout(
        title=_("{metric} per day against its expectation", metric=label),
        height=360,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        legend={"orientation": "h", "y": -0.15},
        hovermode="x unified",
    )
    return fig


def count_dtick(top: float, ticks: int = 5) -> int:
    """The step between a count axis's ticks for counts up to ``top``: a whole 1, 2 or 5
    × 10ⁿ giving about ``ticks`` ticks, never below 1 (plotly alone ticks 0, 0.2, 0.4 … for
    small counts).

    >>> [count_dtick(t) for t in (0, 1, 3, 8, 12, 47, 180, 2_400)]
    [1, 1, 1, 2, 5, 10, 50, 500]
    """
    if not top or top <= ticks:
        return 1
    raw = top / ticks
    power = 10 ** math.floor(math.log10(raw))
    for step in (1, 2, 5):
        if raw <= step * power:
            return int(step * power)
    return int(10 * power)


def severity_figure(res: AlertsResult) -> go.Figure:
    """Alerts per month by severity (stacked bars); the count axis ticks whole numbers."""
    pm = res.per_month()
    fig = go.Figure()
    names = {"high": N_("high"), "medium": N_("medium"), "low": N_("low")}
    for sev in ("high", "medium", "low"):
        fig.add_bar(
            x=pm["month"].astype(str), y=pm[sev], name=_(names[sev]), marker_color=_COLOURS[sev]
        )
    top = float(pm[list(names)].sum(axis=1).max()) if len(pm) else 0.0
    fig.update_layout(
        barmode="stack",
        title=_("Alerts per month"),
        height=280,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        # counts: whole-number ticks from 0, with thousands (no 0.2, 0.4 … of an alert)
        yaxis={"tick0": 0, "dtick": count_dtick(top), "tickformat": ",d", "rangemode": "tozero"},
    )
    # a month a tick, named by its month: over a few months plotly ticks days and hours, and
    # a short history's one bar read "11月01日 00:00" / "Nov 1 2024", not its month
    return month_axis(fig, list(pm["month"].astype(str)))
