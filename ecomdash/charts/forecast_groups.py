"""Figures for forecasts of every series of a group: one series, and the total."""

from __future__ import annotations

import plotly.graph_objects as go

from ecomdash.charts.money import money_axis, with_currency
from ecomdash.forecast import FREQ_WORD
from ecomdash.forecast_groups import RECONCILIATIONS, GroupForecastResult, series_name
from ecomdash.i18n import N_, _
from ecomdash.labels import model_label

#: the y axis of a series: the measure per grain
AXIS = {
    ("revenue", "D"): N_("revenue per day"),
    ("revenue", "W"): N_("revenue per week"),
    ("revenue", "M"): N_("revenue per month"),
    ("units", "D"): N_("units per day"),
    ("units", "W"): N_("units per week"),
    ("units", "M"): N_("units per month"),
}
#: how the total is reconciled, as the legend says it (message ids, one per
#: RECONCILIATIONS' key: it is that catalogue)
RECONCILED = RECONCILIATIONS


def _axis(res: GroupForecastResult, symbol: str) -> dict:
    """The y axis: the measure per grain; revenue in the dataset's currency (its ticks and
    the unified hover both write the sign), with thousands."""
    title = (
        _(AXIS[(res.metric, res.freq)])
        if (res.metric, res.freq) in AXIS
        else f"{res.metric} per {FREQ_WORD[res.freq]}"
    )
    money = money_axis(symbol) if res.metric == "revenue" else {}  # -£5,000 (charts.money)
    return {"title": title, **money}


def series_figure(res: GroupForecastResult, series: str, *, symbol: str = "") -> go.Figure:
    """History of one series, its forecast and 80 % band (labels are plain text). ``symbol``:
    the dataset's currency sign for a revenue forecast."""
    hist = res.history.loc[series]
    fc = res.forecasts[res.forecasts["series"] == series]
    fig = go.Figure()
    fig.add_scatter(
        x=list(fc["period"]) + list(fc["period"])[::-1],
        y=list(fc["hi80"]) + list(fc["lo80"])[::-1],
        fill="toself",
        fillcolor="rgba(49,130,189,0.18)",
        line={"width": 0},
        mode="lines",  # plotly marks the points of a short trace: the band's edges read as data
        name=_("{level}\u00a0% band", level=80),
        hoverinfo="skip",
    )
    fig.add_scatter(x=hist.index, y=hist.to_numpy(), name=_("History"), line={"color": "#636363"})
    fig.add_scatter(
        x=fc["period"], y=fc["mean"], name=_("Forecast"), line={"color": "#08519c", "width": 3}
    )
    row = res.table.loc[res.table["series"] == series].iloc[0]
    fig.update_layout(
        title=_(
            "{series}: {model} (backtest MAE {mae}, seasonal naive {base})",
            series=series_name(series)[:60],
            model=model_label(row["model"], short=True),
            mae=f"{row['mae']:,.0f}",
            base=f"{row['baseline_mae']:,.0f}",
        ),
        height=380,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        legend={"orientation": "h", "y": -0.15},
        hovermode="x unified",
        yaxis=_axis(res, symbol),
    )
    return with_currency(fig, symbol if res.metric == "revenue" else "")


def total_figure(res: GroupForecastResult, *, symbol: str = "") -> go.Figure:
    """The total: history, the sum of the series forecasts (bottom-up) and the direct one, on
    the series' axis (``symbol`` as in :func:`series_figure`)."""
    t = res.total
    hist, fut = t[t["actual"].notna()], t[t["actual"].isna()]
    fig = go.Figure()
    fig.add_scatter(
        x=hist["period"], y=hist["actual"], name=_("History"), line={"color": "#636363"}
    )
    fig.add_scatter(
        x=fut["period"],
        y=fut["forecast"],
        name=_(RECONCILED[res.reconciliation]),
        line={"color": "#08519c", "width": 3},
    )
    fig.add_scatter(
        x=fut["period"],
        y=fut["direct"],
        name=_(
            "Direct forecast of the total ({model})",
            model=model_label(res.direct_model, short=True),
        ),
        line={"color": "#e6550d", "dash": "dot"},
    )
    fig.update_layout(
        title=_("Total"),
        height=360,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        legend={"orientation": "h", "y": -0.15},
        hovermode="x unified",
        yaxis=_axis(res, symbol),
    )
    return with_currency(fig, symbol if res.metric == "revenue" else "")
