"""Plotly figures for forecasting and restocking: Results in, figures out (no streamlit).

Event and holiday names can be merchant text: they appear only as plotly hover text and
annotations, which plotly renders as plain text.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ecomdash.charts.money import money_axis, money_hover, with_currency
from ecomdash.forecast import MODEL_LABELS, ForecastResult, ManyForecastResult, localise_holidays
from ecomdash.i18n import N_, _, _n, fmt, get_lang
from ecomdash.inventory import RestockResult
from ecomdash.labels import label, model_label

#: the axis word of each grain, and of each measure
FREQ_AXIS = {"D": N_("Day"), "W": N_("Week"), "M": N_("Month")}
#: the forecast's metrics as the page's metric select and the charts' value axis name them
METRIC_LABELS = {"revenue": N_("Revenue"), "orders": N_("Orders"), "units": N_("Units")}


def _metric_axis(metric: str) -> str:
    return _(METRIC_LABELS[metric]) if metric in METRIC_LABELS else metric


BAND95 = "rgba(31, 119, 180, 0.15)"
BAND80 = "rgba(31, 119, 180, 0.30)"
LINE = "#1f77b4"
HIST = "#444444"
BACKTEST = "#ff7f0e"


def forecast_figure(
    res: ForecastResult,
    *,
    backtest: bool = True,
    history_periods: int | None = None,
    symbol: str = "",
) -> go.Figure:
    """History, the automatic choice's backtest forecasts against actuals, the forecast with
    its 80 % / 95 % bands (never below zero), and marked holidays / events.
    ``symbol``: a money series' currency sign (``£``), on the value axis and in every hover
    (the report passes it for its revenue forecast; without it the figure is as before)."""
    fr = res.series.frame
    if history_periods is not None:
        fr = fr.iloc[-history_periods:]
    fc = res.forecast
    word = _(FREQ_AXIS[res.series.freq]) if res.series.freq in FREQ_AXIS else ""
    fig = go.Figure()
    x_band = pd.concat([fc["period"], fc["period"][::-1]])
    for level, color in ((95, BAND95), (80, BAND80)):  # the wide band first, underneath
        fig.add_trace(
            go.Scatter(
                x=x_band,
                y=np.concatenate([fc[f"hi{level}"].to_numpy(), fc[f"lo{level}"].to_numpy()[::-1]]),
                fill="toself",
                fillcolor=color,
                line={"width": 0},
                name=_("{level}\u00a0% band", level=level),
                hoverinfo="skip",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=fr["period"],
            y=fr["value"],
            mode="lines",
            name=label("alerts:actual"),
            line={"color": HIST},
            **_money_hover(symbol),
        )
    )
    if backtest:
        bt = res.folds[res.folds["model"] == "auto"]
        for i, (fold, g) in enumerate(bt.groupby("fold")):
            fig.add_trace(
                go.Scatter(
                    x=g["period"],
                    y=g["mean"],
                    mode="lines",
                    line={"color": BACKTEST, "dash": "dot"},
                    name=_("Backtest forecast (auto)"),
                    legendgroup="backtest",
                    showlegend=i == 0,
                    customdata=np.column_stack([g["chosen"], g["actual"]]),
                    hovertemplate=_money(
                        _(
                            "fold {fold}: %{{customdata[0]}}<br>forecast %{{y:,.0f}}"
                            "<br>actual %{{customdata[1]:,.0f}}<extra></extra>",
                            fold=fold,
                        ),
                        symbol,
                    ),
                )
            )
    fig.add_trace(
        go.Scatter(
            x=fc["period"],
            y=fc["mean"],
            mode="lines+markers",
            name=_("Forecast ({model})", model=model_label(res.model, short=True)),
            line={"color": LINE, "width": 2},
            marker={"size": 4},
            **_money_hover(symbol),
        )
    )
    # Events and holidays (history shown + future); the public holidays only where the
    # forecast uses them (a UK shop's bank holiday was marked over a seasonal mean's forecast)
    hol = holidays_in_use(res)
    marks = pd.concat(
        [
            t.loc[((t["holiday"] != "") & hol) | (t["event"] != ""), ["period", "holiday", "event"]]
            for t in (fr, fc)
        ]
    )
    if not hol:
        marks = marks.assign(holiday="")
    if len(marks):
        ymax = float(np.nanmax([fr["value"].max(), fc["hi95"].max(), 0.0]))
        hols = marks["holiday"].tolist()
        if get_lang() == "zh":  # the holidays package's own Chinese names, where it has them
            hols = localise_holidays(
                hols,
                res.series.holiday_country,
                marks["period"].min(),
                marks["period"].max() + pd.Timedelta(days=31),
            )
        texts = [
            "; ".join(t for t in (h, e) if t) for h, e in zip(hols, marks["event"], strict=True)
        ]
        colours = ["#2ca02c" if e else "#9467bd" for e in marks["event"]]
        fig.add_trace(
            go.Scatter(
                x=marks["period"],
                y=[ymax * 1.02] * len(marks),
                mode="markers",
                marker={"symbol": "triangle-down", "size": 9, "color": colours},
                name=_("Holidays (purple) / events (green)"),
                text=texts,
                hovertemplate="%{x|%Y-%m-%d}: %{text}<extra></extra>",
            )
        )
    if res.params.get("calendar") and len(fr):
        _mark_calendar(fig, fr["period"].min(), fc["period"].max(), res.params["calendar"])
    fig.update_layout(
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        legend={"orientation": "h", "y": -0.15},
        yaxis={"title": _metric_axis(res.series.metric), "rangemode": "tozero"},
        xaxis={"title": word},
        hovermode="x unified",
    )
    if symbol:
        fig.update_yaxes(**money_axis(symbol))  # -£5,000 below zero (charts.money)
    return with_currency(fig, symbol)


#: the models that take the public holidays as a regressor (Seasonal ARIMA, its calendar
#: twin, and the combination, which averages Seasonal ARIMA in)
HOLIDAY_MODELS = frozenset({"sarimax", "sarimax_cal", "combo"})


def holidays_in_use(res: ForecastResult) -> bool:
    """Whether the forecast shown uses the public holidays of the shop's country: its model
    takes them as a regressor (:data:`HOLIDAY_MODELS`), or the Chinese calendar was chosen
    (its holidays are regressors of the calendar twins). Only then does the chart mark them:
    no calendar in use, no holiday marker."""
    return res.model in HOLIDAY_MODELS or bool(res.params.get("calendar"))


def _money(template: str, symbol: str) -> str:
    """``template`` with each of its amounts (``%{y:…}``, the actual in ``%{customdata[1]:…}``)
    in the currency, written after the sign (``-£120``, charts.money): the same
    placeholders in every language's translation."""
    if not symbol:
        return template
    for amount in ("%{y:", "%{customdata[1]:"):
        template = template.replace(amount, amount + "$")
    return template


def _money_hover(symbol: str) -> dict:
    """A line's hover with the currency after the sign (``£10,414``, ``-£120``); plotly's own
    (no sign) without one."""
    return {"hovertemplate": money_hover("y", 0, symbol=symbol)} if symbol else {}


#: shading of the Chinese calendar's days: holiday breaks grey, shopping festivals orange
_CAL_FILL = {"holiday": "rgba(120, 120, 120, 0.15)", "shopping": "rgba(255, 127, 14, 0.18)"}


def calendar_runs(start: pd.Timestamp, end: pd.Timestamp, features) -> pd.DataFrame:
    """Runs of consecutive days of each Chinese calendar feature between two days:
    ``feature, label, start, end, kind`` (kind: holiday / makeup / shopping / peak)."""
    from ecomdash import calendar_cn as CN

    days = CN.calendar_days(pd.Timestamp(start).date(), pd.Timestamp(end).date())
    rows = []
    cols = [(f, f) for f in features]
    cols += [(f"{f}_peak", f) for f in features if f in CN.SHOPPING_FESTIVALS and f != "nianhuo"]
    for col, f in cols:
        on = days[col].to_numpy()
        if not on.any():
            continue
        run_id = np.cumsum(np.r_[True, on[1:] != on[:-1]])
        for _run, g in days[on].groupby(run_id[on]):
            kind = (
                "peak"
                if col.endswith("_peak")
                else "makeup"
                if f == CN.MAKEUP
                else "shopping"
                if f in CN.SHOPPING_FESTIVALS
                else "holiday"
            )
            rows.append(
                {
                    "feature": f,
                    "label": (
                        _("{festival} peak", festival=_(CN.LABELS[f]))
                        if kind == "peak"
                        else _(CN.LABELS[f])
                    ),
                    "start": g["date"].iloc[0],
                    "end": g["date"].iloc[-1],
                    "kind": kind,
                }
            )
    return pd.DataFrame(rows, columns=["feature", "label", "start", "end", "kind"])


def _mark_calendar(fig: go.Figure, start, end, features) -> None:
    """Shade holiday breaks and shopping festivals; a dotted line on each festival's peak day
    and each make-up working day, the festival named on hover and above the peak."""
    runs = calendar_runs(start, end, features)
    for r in runs.itertuples(index=False):
        if r.kind in ("holiday", "shopping"):
            fig.add_vrect(
                x0=r.start - pd.Timedelta(hours=12),
                x1=r.end + pd.Timedelta(hours=12),
                fillcolor=_CAL_FILL[r.kind],
                line_width=0,
                layer="below",
            )
    pts = runs[runs["kind"].isin(["peak", "holiday", "makeup"])]
    if len(pts):
        fig.add_trace(
            go.Scatter(
                x=pts["start"],
                y=[0.0] * len(pts),
                mode="markers",
                marker={
                    "symbol": "triangle-up",
                    "size": 9,
                    "color": [
                        {"peak": "#ff7f0e", "holiday": "#7f7f7f", "makeup": "#17becf"}[k]
                        for k in pts["kind"]
                    ],
                },
                name=_("Chinese calendar (festival peaks, holidays, 调休)"),
                text=pts["label"],
                hovertemplate="%{x|%Y-%m-%d}: %{text}<extra></extra>",
            )
        )
    for r in runs[runs["kind"] == "peak"].itertuples(index=False):
        fig.add_vline(x=r.start, line_dash="dot", line_color="#ff7f0e", line_width=1)


def backtest_figure(res: ForecastResult) -> go.Figure:
    """MAE of every candidate (and auto) relative to the seasonal-naive baseline."""
    bt = res.backtest
    colours = [
        "#bbbbbb" if m == "seasonal_naive" else ("#2ca02c" if r < 1 else "#d62728")
        for m, r in zip(bt["model"], bt["vs_baseline"], strict=True)
    ]
    fig = go.Figure(
        go.Bar(
            x=bt["vs_baseline"],
            y=[model_label(m) if m in MODEL_LABELS else m for m in bt["model"]],
            orientation="h",
            marker={"color": colours},
            text=[f"{v:.2f}×" for v in bt["vs_baseline"]],
            textposition="auto",
            hovertemplate=_("%{y}: MAE %{x:.2f}× the baseline<extra></extra>"),
        )
    )
    fig.add_vline(x=1.0, line_dash="dash", line_color="#666")
    fig.update_layout(
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        xaxis={"title": _("backtest MAE ÷ seasonal naive MAE (lower is better)")},
        yaxis={"autorange": "reversed"},
        height=80 + 40 * len(bt),
    )
    return fig


def product_figure(many: ManyForecastResult, product_id: str) -> go.Figure:
    """One product's history and forecast band from a many-products result."""
    hist = many.history.loc[product_id]
    fc = many.forecasts[many.forecasts["product_id"] == product_id]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=pd.concat([fc["period"], fc["period"][::-1]]),
            y=np.concatenate([fc["hi95"].to_numpy(), fc["lo95"].to_numpy()[::-1]]),
            fill="toself",
            fillcolor=BAND95,
            line={"width": 0},
            name=_("{level}\u00a0% band", level=95),
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=hist.index, y=hist.to_numpy(), name=label("alerts:actual"), line={"color": HIST}
        )
    )
    fig.add_trace(
        go.Scatter(x=fc["period"], y=fc["mean"], name=_("Forecast"), line={"color": LINE})
    )
    fig.update_layout(
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        yaxis={"title": _metric_axis(many.metric), "rangemode": "tozero"},
        legend={"orientation": "h", "y": -0.2},
    )
    return fig


def abc_xyz_figure(res: RestockResult) -> go.Figure:
    """ABC × XYZ heatmap: products per cell, with the cell's share of revenue."""
    m = res.matrix
    share = res.matrix_revenue
    text = [
        [
            _n(
                "{n} product<br>{share} of revenue",
                "{n} products<br>{share} of revenue",
                int(m.loc[r, c]),
                share=fmt.pct(share.loc[r, c], 0),
            )
            for c in m.columns
        ]
        for r in m.index
    ]
    fig = go.Figure(
        go.Heatmap(
            z=m.to_numpy(),
            x=[_("X (steady)"), _("Y (variable)"), _("Z (erratic)")],
            y=[_("A (top 80\u00a0%)"), _("B (next 15\u00a0%)"), _("C (last 5\u00a0%)")],
            text=text,
            texttemplate="%{text}",
            textfont={"size": 14},  # plotly's default (12 px scaled to the cell) was hard to read
            colorscale="Blues",
            showscale=False,
            hovertemplate="%{y} · %{x}<br>%{text}<extra></extra>",
        )
    )
    fig.update_layout(
        margin={"l": 10, "r": 10, "t": 30, "b": 10}, yaxis={"autorange": "reversed"}, height=320
    )
    return fig
