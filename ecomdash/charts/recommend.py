"""Figures for the Recommendations page: model comparison and a customer's top products."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ecomdash.charts.percent import pct_axis, pct_text, points
from ecomdash.charts.text import esc, product_text
from ecomdash.i18n import _
from ecomdash.recommend import BASELINES, MODEL_LABELS, EvaluationResult

_BASELINE = "#bdbdbd"
_MODEL = "#3182bd"
_PRECISION = "#9ecae1"


def evaluation_figure(res: EvaluationResult) -> go.Figure:
    """Hit rate@k and precision@k per model (horizontal bars), the baselines in grey.

    Bar text shows how many times better than best sellers each model is.
    """
    t = res.table.iloc[::-1]  # best at the top
    labels = [_(MODEL_LABELS.get(m, m)) for m in t["model"]]
    is_pop = (t["model"] == "popularity").to_numpy()
    is_base = t["model"].isin(BASELINES).to_numpy()
    fig = go.Figure()
    fig.add_bar(
        y=labels,
        x=points(t["hit_rate_at_k"]),  # percentage points on a percent axis (charts.percent)
        orientation="h",
        name=_("Hit rate@{k}", k=res.k),
        marker_color=[_BASELINE if b else _MODEL for b in is_base],
        text=[
            _("baseline") if p else f"{r:.1f}×"
            for p, r in zip(is_pop, t["hit_rate_vs_popularity"], strict=True)
        ],
        textposition="outside",
        cliponaxis=False,
        customdata=pct_text(t["hit_rate_at_k"], 1),
        hovertemplate="%{y}<br>" + _("hit rate %{customdata}") + "<extra></extra>",
    )
    fig.add_bar(
        y=labels,
        x=points(t["precision_at_k"]),
        orientation="h",
        name=_("Precision@{k}", k=res.k),
        marker_color=[_BASELINE if b else _PRECISION for b in is_base],
        customdata=pct_text(t["precision_at_k"], 1),
        hovertemplate="%{y}<br>" + _("precision %{customdata}") + "<extra></extra>",
    )
    top = float(max(t["hit_rate_at_k"].max(), 0.01)) * 1.15 * 100
    fig.update_layout(
        title=_("Hit rate@{k} (× best sellers) and precision@{k}", k=res.k),
        barmode="group",
        height=120 + 70 * len(t),
        margin={"l": 10, "r": 50, "t": 50, "b": 10},
        xaxis={
            **pct_axis(),
            "range": [0, top],
        },
        legend={"orientation": "h", "y": -0.12},
    )
    return fig


def recommendations_figure(recs: pd.DataFrame, *, title: str | None = None) -> go.Figure:
    """Scores of one customer's recommendations (product names as plotly labels); the
    default title is "Recommended products" in the UI language."""
    r = recs.sort_values("rank", ascending=False)
    fig = go.Figure()
    fig.add_bar(
        y=[product_text(n, p) for n, p in zip(r["product_name"], r["product_id"], strict=True)],
        x=r["score"],
        orientation="h",
        marker_color=_MODEL,
        customdata=[esc(t) for t in r["reason"]],  # "because you bought <names>"
        hovertemplate="%{y}<br>" + _("score %{x:.3f}") + "<br>%{customdata}<extra></extra>",
    )
    fig.update_layout(
        title=title if title is not None else _("Recommended products"),
        height=120 + 28 * len(r),
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        xaxis={"title": _("score (higher = more likely)")},
    )
    return fig
