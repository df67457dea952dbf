"""Figures for the Alerts page: a metric's days against their expectation, alerts marked."""

from __future__ import annotations

import plotly.graph_objects as go

from ecomdash.alerts import AlertsResult
from ecomdash.alerts.series import METRIC_LABELS

_COLOURS = {"high": "#d62728", "medium": "#ff7f0e", "low": "#bcbd22"}


def series_figure(res: AlertsResult, metric: str = "revenue") -> go.Figure:
    """The shop's daily ``metric``, its expected value and band (±3 robust sd), and the days
    with an unusual-day alert marked by severity."""
    fig = go.Figure()
    s = res.series
    if s.empty:
        fig.update_layout(title="No daily series (too little history)")
        return fig
    s = s[(s["dim"] == "shop") & (s["metric"] == metric)]
    label = METRIC_LABELS.get(metric, metric)
    fig.add_scatter(x=s["day"], y=s["hi"], line={"width": 0}, showlegend=False, hoverinfo="skip")
    fig.add_scatter(
        x=s["day"],
        y=s["lo"],
        fill="tonexty",
        line={"width": 0},
        fillcolor="rgba(49,130,189,0.15)",
        name="Expected range",
        hoverinfo="skip",
    )
    fig.add_scatter(x=s["day"], y=s["expected"], name="Expected", line={"color": "#6baed6"})
    fig.add_scatter(x=s["day"], y=s["actual"], name=label, line={"color": "#08519c", "width": 1})
    days = res.alerts[res.alerts["kind"] == "unusual_day"]
    for sev, colour in _COLOURS.items():
        d = days[days["severity"] == sev]
        pts = s[s["day"].isin(d["date"])]
        if len(pts):
            fig.add_scatter(
                x=pts["day"],
                y=pts["actual"],
                mode="markers",
                marker={"color": colour, "size": 10, "symbol": "diamond"},
                name=f"{sev} alert",
            )
    fig.update_layout(
        title=f"{label} per day against its expectation",
        height=360,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        legend={"orientation": "h", "y": -0.15},
        hovermode="x unified",
    )
    return fig


def severity_figure(res: AlertsResult) -> go.Figure:
    """Alerts per month by severity (stacked bars)."""
    pm = res.per_month()
    fig = go.Figure()
    for sev in ("high", "medium", "low"):
        fig.add_bar(x=pm["month"].astype(str), y=pm[sev], name=sev, marker_color=_COLOURS[sev])
    fig.update_layout(
        barmode="stack",
        title="Alerts per month",
        height=280,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
    )
    return fig
