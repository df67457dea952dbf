"""Plotly figures for the customer-value page: cohorts, CLV calibration, churn evaluation.

Results in, ``go.Figure`` out; no streamlit. Merchant text only ever reaches plotly labels.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ecomdash.charts.percent import data_range, pct_axis, pct_text, pct_ticks, points
from ecomdash.churn import MODEL_LABELS, ChurnResult, feature_label
from ecomdash.clv import CalibrationResult
from ecomdash.cohorts import VIEWS, CohortResult
from ecomdash.i18n import _, fmt

_LAYOUT = {
    "margin": {"l": 10, "r": 10, "t": 50, "b": 10},
    "template": "plotly_white",
    "legend": {"orientation": "h", "yanchor": "top", "y": -0.25, "x": 0},
}
#: A chart whose x axis runs to 100 % at its right edge (ROC, calibration): room on the right
#: for half of the "100 %" tick label, which plotly hides when it would leave the chart (the
#: report's churn chart ended its axis at "80 %").
_SHARE_LAYOUT = {**_LAYOUT, "margin": {**_LAYOUT["margin"], "r": 30}}


def colour_range(result: CohortResult, kind: str) -> tuple[float, float] | None:
    """The heatmap's colour range, or None to let plotly scale it to every cell.

    When the data's first cohort is marked (``result.before_data``), the top of the range is
    the largest cell of the *other* cohorts: that cohort holds everyone already buying before
    the data starts, and its large numbers would wash out every other row; its cells keep their
    numbers, in the top colour. The bottom stays the smallest cell of all.

    Shares run from 0 to the largest share of months 1 and later (of the other cohorts, when
    the first is marked): month 0 is 100 % by definition, and on a 0-100 % scale every later
    month (1-20 % in most shops) is one pale colour."""
    flagged = result.before_data.to_numpy()
    z = result.matrix(kind).to_numpy(dtype=float)
    if kind == "retention":
        later = z[:, 1:][~flagged] if flagged.any() else z[:, 1:]
        hi = float(np.nanmax(later)) if np.isfinite(later).any() else 0.0
        return (0.0, hi) if hi > 0 else (0.0, 1.0)
    if result.before_data_cohort is None:
        return None
    others = z[~flagged]
    if not np.isfinite(others).any():
        return None
    lo, hi = float(np.nanmin(z)), float(np.nanmax(others))
    return (lo, hi) if hi > lo else None


def first_cohort_capped(result: CohortResult, kind: str) -> bool:
    """True when some cell of the data's first cohort is above the heatmap's colour range
    (:func:`colour_range`): it shows in the top colour, with its number."""
    rng = colour_range(result, kind)
    if rng is None or result.before_data_cohort is None:
        return False
    first = result.matrix(kind).to_numpy(dtype=float)[result.before_data.to_numpy()]
    return bool(np.isfinite(first).any() and np.nanmax(first) > rng[1])


def cohort_heatmap(result: CohortResult, kind: str = "retention") -> go.Figure:
    """Cohort × month-offset heatmap of one of the cohort matrices, coloured over
    :func:`colour_range`."""
    m = result.matrix(kind)
    z = m.to_numpy(dtype=float)
    if kind == "retention":
        text = np.where(np.isnan(z), "", np.vectorize(lambda v: fmt.pct(v, 0))(np.nan_to_num(z)))
    elif kind == "customers":
        text = np.where(np.isnan(z), "", np.vectorize(lambda v: f"{v:,.0f}")(np.nan_to_num(z)))
    else:
        text = np.where(np.isnan(z), "", np.vectorize(lambda v: f"{v:,.0f}")(np.nan_to_num(z)))
    y = [
        # its size in the page's language: "2025-01 (n=964)", 2025-01（964 位）
        _row_label(_("{month} (n={n})", month=p, n=f"{n:,}"), flagged)
        for p, n, flagged in zip(m.index.astype(str), result.sizes, result.before_data, strict=True)
    ]
    rng = colour_range(result, kind)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            zmin=None if rng is None else rng[0],
            zmax=None if rng is None else rng[1],
            x=[str(c) for c in m.columns],
            y=y,
            text=text,
            texttemplate="%{text}",
            colorscale="Blues",
            hoverongaps=False,
            # the cell's own text (a share as fmt.pct writes it: "33 %" / "33%"), not the
            # raw value plotly shows by default (0.3333333)
            hovertemplate="%{y}<br>"
            + _("month %{x} since first purchase: %{text}")
            + "<extra></extra>",
            # the colour bar's shares as the cells write them (12 %; 12% in Chinese)
            colorbar=pct_ticks(*(rng or data_range(z))) if kind == "retention" else None,
        )
    )
    fig.update_layout(
        title=_(VIEWS[kind]),
        xaxis_title=_("Months since first purchase"),
        yaxis_title=_("Cohort (first-purchase month)"),
        yaxis={"autorange": "reversed", "type": "category"},
        height=max(320, 28 * len(y) + 120),
        **_LAYOUT,
    )
    return fig


def _row_label(label: str, before_data: bool) -> str:
    """A cohort's label; the data's first month says its customers include earlier ones."""
    return _("{label} · incl. earlier customers", label=label) if before_data else label


def ltv_curves(result: CohortResult) -> go.Figure:
    """Cumulative revenue per customer by month since the first order, one line per cohort,
    named as a sentence names it ("November 2024 cohort", :func:`ecomdash.i18n.fmt.long_month`;
    the heatmap's axis keeps the month's short form, 2024-11).

    The cohort of the data's first month (``result.before_data``) starts hidden (its name in
    the legend shows it): its customers include those already buying before the data starts,
    so its curve is not a new customer's."""
    m = result.cumulative_revenue_per_customer
    fig = go.Figure()
    for (cohort, row), flagged in zip(m.iterrows(), result.before_data, strict=True):
        fig.add_trace(
            go.Scatter(
                x=list(m.columns),
                y=row.to_numpy(),
                mode="lines",
                # a legend names a cohort as a sentence does: "November 2024 cohort"
                name=_row_label(_("{month} cohort", month=fmt.long_month(cohort)), flagged),
                visible="legendonly" if flagged else None,
            )
        )
    fig.update_layout(
        title=_("LTV curve: cumulative revenue per customer"),
        xaxis_title=_("Months since first purchase"),
        yaxis_title=_("Revenue per customer"),
        **_LAYOUT,
    )
    return fig


def calibration_by_frequency(cal: CalibrationResult) -> go.Figure:
    """Mean holdout purchases per customer, actual vs predicted, by calibration-period frequency."""
    b = cal.by_frequency
    fig = go.Figure(
        [
            go.Bar(x=b["frequency"], y=b["actual"], name=_("Actual")),
            go.Bar(x=b["frequency"], y=b["predicted"], name=_("Predicted (BG/NBD)")),
        ]
    )
    fig.update_layout(
        title=_("Holdout purchases per customer"),
        xaxis_title=_("Repeat purchases in the calibration period"),
        yaxis_title=_("Mean purchases in the holdout"),
        barmode="group",
        **_LAYOUT,
    )
    return fig


def calibration_tracking(cal: CalibrationResult) -> go.Figure:
    """Cumulative repeat purchases over time, actual vs model, with the cut-off marked."""
    t = cal.tracking
    fig = go.Figure(
        [
            go.Scatter(x=t["date"], y=t["actual"], mode="lines", name=_("Actual")),
            go.Scatter(
                x=t["date"], y=t["predicted"], mode="lines", name="BG/NBD", line={"dash": "dash"}
            ),
        ]
    )
    fig.add_vline(x=cal.cutoff.to_pydatetime(), line_dash="dot", line_color="grey")
    fig.add_annotation(
        x=cal.cutoff.to_pydatetime(), y=1, yref="paper", text=_("cut-off"), showarrow=False
    )
    fig.update_layout(
        title=_("Cumulative repeat purchases"),
        xaxis_title=_("Week"),
        yaxis_title=_("Cumulative repeat purchases"),
        **_LAYOUT,
    )
    return fig


def roc_chart(result: ChurnResult) -> go.Figure:
    """How well each model finds the customers who left, on the evaluation window: the ROC
    curve read from the at-risk end (flag customers from the most at risk down: across, the
    share of those who stayed flagged; up, the share of those who left), in percent. The
    curve of the propensity's ROC (fpr, tpr of buying again) turned half a circle: its area,
    the ROC AUC, is the legend's share."""
    fig = go.Figure()
    # in percentage points on percent axes, the hovers in percent as the axes (charts.percent;
    # they read 0.4321)
    hover = _(
        "Customers who stayed, flagged: %{customdata[0]}<br>"
        "Customers who left, flagged: %{customdata[1]}"
    )
    for name, g in result.roc.groupby("model", sort=False):
        auc = result.metrics.loc[name, "auc"]
        stayed, left = 1 - g["tpr"], 1 - g["fpr"]
        fig.add_trace(
            go.Scatter(
                x=points(stayed),
                y=points(left),
                mode="lines",
                name=_("{model} ({auc})", model=_(MODEL_LABELS.get(name, name)), auc=fmt.pct(auc)),
                line={"dash": "dot"} if result.metrics.loc[name, "kind"] == "baseline" else {},
                customdata=np.column_stack([pct_text(stayed, 1), pct_text(left, 1)]),
                hovertemplate=hover,
            )
        )
    fig.add_trace(_diagonal(_("Guessing")))
    fig.update_layout(
        title=_("How well each model finds who left (held-out time)"),
        xaxis_title=_("Customers who stayed, flagged as at risk"),
        yaxis_title=_("Customers who left, flagged as at risk"),
        xaxis=pct_axis(),
        yaxis=pct_axis(),
        **_SHARE_LAYOUT,
    )
    return fig


def _diagonal(name: str) -> go.Scatter:
    """The 0–100 % diagonal a chance chart is read against (guessing, perfect calibration)."""
    return go.Scatter(
        x=[0, 100],
        y=[0, 100],
        mode="lines",
        name=name,
        line={"color": "lightgrey"},
        hoverinfo="skip",
    )


def probability_calibration_chart(result: ChurnResult) -> go.Figure:
    """Predicted vs observed share buying again, by tenth of predicted chance, in percent."""
    fig = go.Figure()
    hover = _("Predicted chance: %{customdata[0]}<br>Bought again: %{customdata[1]}")
    for name, g in result.calibration.groupby("model", sort=False):
        fig.add_trace(
            go.Scatter(
                x=points(g["predicted"]),  # percentage points, hovers in percent (0.4321)
                y=points(g["observed"]),
                mode="lines+markers",
                name=_(MODEL_LABELS[name]),
                customdata=np.column_stack(
                    [pct_text(g["predicted"], 1), pct_text(g["observed"], 1)]
                ),
                hovertemplate=hover,
            )
        )
    fig.add_trace(_diagonal(_("Perfect")))
    fig.update_layout(
        title=_("Predicted chance to buy again against what happened"),
        xaxis_title=_("Predicted chance to buy again (each tenth of customers)"),
        yaxis_title=_("Share who bought again"),
        xaxis=pct_axis(),
        yaxis=pct_axis(),
        **_SHARE_LAYOUT,
    )
    return fig


def importance_chart(result: ChurnResult, model: str | None = None) -> go.Figure:
    """Permutation importance of each feature for one model: how many percentage points the
    ranking (the ROC AUC, in percent) loses when the feature's values are shuffled."""
    model = model or result.best_model
    g = result.importance[result.importance["model"] == model].sort_values("importance")
    fig = go.Figure(
        go.Bar(
            x=g["importance"] * 100,
            y=[feature_label(f, purchase_days=result.purchase_days) for f in g["feature"]],
            orientation="h",
        )
    )
    fig.update_layout(
        title=_("What drives the prediction ({model})", model=_(MODEL_LABELS[model])),
        xaxis_title=_("How much worse the ranking gets without it (percentage points)"),
        height=max(320, 24 * len(g) + 120),
        **_LAYOUT,
    )
    return fig
