"""Plotly figures for customer segmentation: Results of :mod:`ecomdash.segment` in, figures out.

Customer ids (merchant text) only ever appear as plotly hover data, which is rendered inert.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ecomdash.charts.percent import pct_text
from ecomdash.features import LABELS
from ecomdash.i18n import _
from ecomdash.i18n.fmt import MISSING, long_date, pct
from ecomdash.segment import (
    NOT_YET,
    RFM_GRID,
    SEGMENT_NAMES,
    ClusterResult,
    MovementResult,
    RFMResult,
)
from ecomdash.segment.clusters import ALL_ID, REPEAT_ID, SUMMARY_IDS

#: One colour per segment, good (greens) to gone (greys/reds).
SEGMENT_COLOURS = dict(
    zip(
        SEGMENT_NAMES,
        (
            "#1a9850",  # Champions
            "#66bd63",  # Loyal
            "#a6d96a",  # Potential loyalist
            "#4393c3",  # New
            "#92c5de",  # Promising
            "#fee08b",  # Needs attention
            "#fdae61",  # About to sleep
            "#f46d43",  # At risk
            "#d73027",  # Can't lose them
            "#bababa",  # Hibernating
            "#878787",  # Lost
        ),
        strict=True,
    )
)


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def segment_treemap(result: RFMResult) -> go.Figure:
    """Treemap of segments sized by customers; hover shows revenue share and the action.

    Segment names, meanings and actions are shown in the UI language (plotly templates'
    ``%{...}`` placeholders are part of the messages, so a language can reorder them)."""
    t = result.segments.loc[result.segments["customers"] > 0]
    fig = go.Figure(
        go.Treemap(
            labels=[_(s) for s in t["segment"]],
            parents=[""] * len(t),
            values=t["customers"],
            marker={"colors": [SEGMENT_COLOURS[s] for s in t["segment"]]},
            customdata=np.column_stack(
                [
                    # the shares as the tables write them (12.5 %; 12.5% in Chinese)
                    pct_text(t["customer_share"], 1),
                    pct_text(t["revenue_share"], 1),
                    pct_text(t["revenue_share"], 0),
                    [_(d) for d in t["definition"]],
                    [_(a) for a in t["action"]],
                ]
            ),
            texttemplate="<b>%{label}</b><br>"
            + _("%{value:,} customers<br>%{customdata[2]} of revenue"),
            hovertemplate="<b>%{label}</b><br>"
            + _("%{value:,} customers (%{customdata[0]})<br>%{customdata[1]} of revenue")
            + "<br>%{customdata[3]}<br><i>%{customdata[4]}</i><extra></extra>",
        )
    )
    fig.update_layout(margin={"l": 0, "r": 0, "t": 30, "b": 0}, height=420)
    fig.update_layout(title=_("RFM segments as of {date}", date=long_date(result.as_of)))
    return fig


def rfm_grid(result: RFMResult) -> go.Figure:
    """Heatmap of customers by R score (rows) and combined FM score, labelled with segments."""
    c = result.customers
    counts = (
        pd.crosstab(c["r_score"], c["fm_score"])
        .reindex(index=[5, 4, 3, 2, 1], columns=[1, 2, 3, 4, 5], fill_value=0)
        .to_numpy()
    )
    text = [[f"{_(RFM_GRID[i][j])}<br>{counts[i, j]:,}" for j in range(5)] for i in range(5)]
    fig = go.Figure(
        go.Heatmap(
            z=counts,
            x=["1", "2", "3", "4", "5"],
            y=["5", "4", "3", "2", "1"],
            text=text,
            texttemplate="%{text}",
            colorscale="Blues",
            hovertemplate=_("R %{y}, FM %{x}: %{z:,} customers") + "<extra></extra>",
            showscale=False,
        )
    )
    fig.update_layout(
        title=_("Customers by recency score and frequency/monetary score"),
        xaxis_title=_("FM score (frequency and spend, 5 = best)"),
        yaxis_title=_("R score (5 = most recent)"),
        height=420,
        margin={"t": 40},
    )
    return fig


def silhouette_curve(result: ClusterResult) -> go.Figure:
    """Silhouette by k, with the k used marked."""
    cv = result.curve
    fig = go.Figure(
        go.Scatter(x=cv["k"], y=cv["silhouette"], mode="lines+markers", name=_("silhouette"))
    )
    sel = cv.loc[cv["k"] == result.k]
    if not sel.empty:
        fig.add_trace(
            go.Scatter(
                x=sel["k"],
                y=sel["silhouette"],
                mode="markers",
                marker={"size": 14, "symbol": "star"},
                name=_("k = {k} (your choice)", k=result.k)
                if result.k_chosen_by != "silhouette"
                else _("k = {k} (best silhouette)", k=result.k)
                if result.k == result.k_best
                else _("k = {k} (fewest within noise of the best)", k=result.k),
            )
        )
    fig.update_layout(
        title=_("How well separated the clusters are, by number of clusters"),
        xaxis_title=_("number of clusters k"),
        yaxis_title=_("silhouette (higher is better)"),
        height=360,
        margin={"t": 40},
    )
    return fig


#: features held as a share (0..1): their heatmap cells read as percentages, as the profile
#: table's "Median return rate" column does ("11 %", was "0.114")
_SHARE_FEATURES = {"return_rate"}


def _median_text(v: float, feature: str = "") -> str:
    """A heatmap cell: whole numbers with thousands from 100 up ("4,010", not "4.01e+03"),
    three significant digits below ("70.5"), a share as a whole percentage ("11 %"), "—"
    where there is no median."""
    if pd.isna(v):
        return MISSING
    if feature in _SHARE_FEATURES:
        return pct(v, 0)
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}"


def _times_ticks(ratio: np.ndarray) -> dict:
    """The colour bar's ticks as multiples of the typical customer's median ("×2", "×1",
    "×1/4") at the powers of two the colours span, where plotly wrote the log2 ratio the
    colours are drawn from ("1", "0", "-2"), a figure a merchant cannot read."""
    finite = ratio[np.isfinite(ratio)]
    if finite.size == 0:
        return {}
    lo, hi = int(np.floor(finite.min())), int(np.ceil(finite.max()))
    step = max(1, -(-(hi - lo) // 8))  # at most 9 ticks
    ks = list(range(lo - lo % step, hi + 1, step))
    text = [f"×{2**k:,}" if k >= 0 else f"×1/{2**-k:,}" for k in ks]
    return {"tickvals": ks, "ticktext": text}


def profile_heatmap(result: ClusterResult) -> go.Figure:
    """Each group's median feature relative to the customers the clusters are of (coloured by
    the log2 ratio, 0 = typical; the colour bar reads it as multiples, ×2, ×1/2): the
    customers who ordered at least twice when there are one-time buyers (the clusters' names
    compare with them), else all customers."""
    prof = result.profile
    clusters = prof.loc[~prof["cluster"].isin(SUMMARY_IDS)]
    ref_id = REPEAT_ID if (prof["cluster"] == REPEAT_ID).any() else ALL_ID
    overall = prof.loc[prof["cluster"] == ref_id].iloc[0]
    feats = [f for f in LABELS if f"median_{f}" in prof.columns]
    ratio = np.vstack(
        [
            np.log2((clusters[f"median_{f}"].to_numpy() + 1) / (overall[f"median_{f}"] + 1))
            for f in feats
        ]
    ).T
    text = [
        [_median_text(clusters[f"median_{f}"].iloc[i], f) for f in feats]
        for i in range(len(clusters))
    ]
    fig = go.Figure(
        go.Heatmap(
            z=ratio,
            x=[_(LABELS[f]) for f in feats],
            y=[f"{c}: {n}" for c, n in zip(clusters["cluster"], clusters["name"], strict=True)],
            text=text,
            texttemplate="%{text}",
            colorscale="RdBu_r",  # high = red, as the title says (plotly's RdBu is high = blue)
            zmid=0,
            colorbar={
                "title": _("vs all") if ref_id == ALL_ID else _("vs 2+ orders"),
                **_times_ticks(ratio),
            },
            hovertemplate="%{y}<br>" + _("%{x}: median %{text}") + "<extra></extra>",
        )
    )
    fig.update_layout(
        title=_("Cluster medians against all customers (red = higher, blue = lower)")
        if ref_id == ALL_ID
        else _(
            "Cluster medians against the customers who ordered at least twice (red = higher, "
            "blue = lower)"
        ),
        height=120 + 50 * len(clusters),
        margin={"t": 40},
        yaxis={"autorange": "reversed"},
    )
    return fig


#: At most this many customers are drawn in the PCA scatter (a stratified sample, below):
#: one point per customer was 180 KB of the Segments page's 266 KB per run at 9,000
#: customers, re-sent on every rerun to every session; the Download tab lists them all.
SCATTER_MAX_POINTS = 2000


def scatter_sizes(counts, max_points: int = SCATTER_MAX_POINTS) -> list[int]:
    """How many customers of each cluster the scatter draws (``counts``: customers per
    cluster, in cluster order): all of them when they fit in ``max_points``, else a share
    proportional to each cluster's size (largest remainders, so the sizes add up to exactly
    ``max_points``), and at least one for every non-empty cluster, so a small cluster never
    disappears from the chart."""
    counts = [int(c) for c in counts]
    total = sum(counts)
    if total <= max_points:
        return counts
    nonempty = [i for i, c in enumerate(counts) if c > 0]
    if len(nonempty) >= max_points:  # more clusters than points: one each, largest first
        keep = set(sorted(nonempty, key=lambda i: (-counts[i], i))[:max_points])
        return [1 if i in keep else 0 for i in range(len(counts))]
    quota = [c * max_points / total for c in counts]
    sizes = [min(c, max(1 if c > 0 else 0, int(q))) for c, q in zip(counts, quota, strict=True)]
    left = max_points - sum(sizes)
    # the remaining points go to the largest remainders (ties: the lower cluster number);
    # a cluster taking a point back (its floor of one) is never chosen
    order = sorted(range(len(counts)), key=lambda i: (-(quota[i] - int(quota[i])), i))
    while left > 0:
        moved = False
        for i in order:
            if left == 0:
                break
            if sizes[i] < counts[i] and sizes[i] < quota[i] + 1:
                sizes[i] += 1
                left -= 1
                moved = True
        if not moved:
            break
    while left < 0:  # the floors of one took more than their share: take from the largest
        i = max(range(len(counts)), key=lambda j: (sizes[j], -j))
        sizes[i] -= 1
        left += 1
    return sizes


def scatter_sample(
    pca: pd.DataFrame, k: int, *, max_points: int = SCATTER_MAX_POINTS, seed: int = 0
) -> pd.DataFrame:
    """The customers the scatter draws: for each cluster ``0..k-1``, :func:`scatter_sizes`
    of them, drawn with the fixed ``seed`` (the same customers on every run), in their
    original order. All rows when they fit in ``max_points``."""
    if len(pca) <= max_points:
        return pca
    groups = [pca.loc[pca["cluster"] == c] for c in range(k)]
    sizes = scatter_sizes([len(g) for g in groups], max_points)
    parts = [
        g.sample(n=n, random_state=seed + c) if n < len(g) else g
        for c, (g, n) in enumerate(zip(groups, sizes, strict=True))
        if n > 0
    ]
    picked = pd.concat(parts)
    return pca.loc[pca.index.isin(picked.index)] if pca.index.is_unique else picked


def pca_scatter(
    result: ClusterResult, *, max_points: int = SCATTER_MAX_POINTS, seed: int = 0
) -> go.Figure:
    """Customers on the first two principal components, coloured by cluster: at most
    ``max_points`` of them, a sample stratified by cluster (:func:`scatter_sample`; the page
    says how many of how many are drawn). Coordinates are sent as float32 (a scatter needs
    no more than 7 digits)."""
    p = scatter_sample(result.pca, result.k, max_points=max_points, seed=seed)
    fig = go.Figure()
    for c in range(result.k):
        part = p.loc[p["cluster"] == c]
        fig.add_trace(
            go.Scattergl(
                x=part["pc1"].to_numpy(dtype="float32"),
                y=part["pc2"].to_numpy(dtype="float32"),
                mode="markers",
                marker={"size": 5, "opacity": 0.6},
                name=f"{c}: {result.names[c]}",
                customdata=np.asarray(part.index.astype(str)),
                hovertemplate=_("customer %{customdata}") + "<extra>%{fullData.name}</extra>",
            )
        )
    ev1, ev2 = result.explained_variance
    fig.update_layout(
        title=_("Customers in two dimensions (PCA of the clustered features)"),
        xaxis_title=_("component 1 ({share} of variance)", share=pct(ev1, 0)),
        yaxis_title=_("component 2 ({share} of variance)", share=pct(ev2, 0)),
        height=460,
        margin={"t": 40},
        legend={"orientation": "h", "y": -0.2},
    )
    return fig


#: The Sankey's plot height (px) and the room between two of its nodes (px).
_SANKEY_PX, _SANKEY_PAD = 480, 12


def _column_y(values: list[int]) -> list[float]:
    """Each node's centre (0 top, 1 bottom) in a column of nodes stacked in order, heights in
    proportion to ``values``, :data:`_SANKEY_PAD` px between two."""
    gap = _SANKEY_PAD / _SANKEY_PX
    room = 1 - gap * (len(values) - 1)
    total = sum(values)
    out, top = [], 0.0
    for v in values:
        h = room * v / total
        out.append(min(max(top + h / 2, 0.001), 0.999))  # plotly ignores 0 and 1
        top += h + gap
    return out


def movement_sankey(result: MovementResult) -> go.Figure:
    """Sankey of customers from their segment at ``start`` (left) to their segment at ``end``
    (right), both columns in the segments' order (best at the top, as the matrix's rows), a
    date over each column.

    Plotly placed the nodes by its own relaxation, so the two columns came in different
    orders (New fourth on the right, eighth on the left), and every label repeated its date
    ("Champions (2 August 2026)"), which crowded the small nodes' labels into each other."""
    flows = result.flows
    out = flows.groupby("source")["customers"].sum()
    into = flows.groupby("target")["customers"].sum()
    left = [s for s in [*SEGMENT_NAMES, NOT_YET] if out.get(s, 0) > 0]
    right = [s for s in SEGMENT_NAMES if into.get(s, 0) > 0]
    start, end = long_date(result.start), long_date(result.end)
    src = [left.index(s) for s in flows["source"]]
    dst = [len(left) + right.index(s) for s in flows["target"]]
    fig = go.Figure(
        go.Sankey(
            arrangement="fixed",
            node={
                "label": [_(s) for s in left + right],
                "color": [SEGMENT_COLOURS.get(s, "#dddddd") for s in left + right],
                "x": [0.001] * len(left) + [0.999] * len(right),
                "y": _column_y([int(out[s]) for s in left])
                + _column_y([int(into[s]) for s in right]),
                "customdata": [start] * len(left) + [end] * len(right),
                "hovertemplate": _("%{label}, %{customdata}: %{value:,} customers")
                + "<extra></extra>",
                "pad": _SANKEY_PAD,
                "thickness": 14,
            },
            link={
                "source": src,
                "target": dst,
                "value": flows["customers"].tolist(),
                "color": [_rgba(SEGMENT_COLOURS.get(s, "#bbbbbb"), 0.35) for s in flows["source"]],
                "hovertemplate": _("%{source.label} → %{target.label}: %{value:,} customers")
                + "<extra></extra>",
            },
            # the page's text colour: plotly's own grey on the pale links was hard to read
            textfont={"size": 12, "color": "#31333f"},
        )
    )
    for x, anchor, day in ((0, "left", start), (1, "right", end)):
        fig.add_annotation(
            text=f"<b>{day}</b>",
            x=x,
            y=1,
            xref="paper",
            yref="paper",
            xanchor=anchor,
            yanchor="bottom",
            showarrow=False,
        )
    fig.update_layout(
        title=_("Who moved where: {start} → {end}", start=start, end=end),
        height=_SANKEY_PX + 70,
        margin={"t": 70, "b": 0},
    )
    return fig
