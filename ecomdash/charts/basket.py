"""Figures for basket analysis: rules scatter and a network of the strongest rules.

Product names are merchant text: they only reach plotly as data (hover text / labels), with
``<``, ``>`` and ``&`` turned into entities so plotly's pseudo-HTML shows them literally.
"""

from __future__ import annotations

import html
import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ecomdash.basket import BasketResult
from ecomdash.charts.percent import pct_axis, pct_text, points
from ecomdash.charts.text import esc as _esc  # merchant text in plotly
from ecomdash.i18n import _, fmt
from ecomdash.labels import label


def _counts(values) -> list[str]:
    """Whole counts with thousands (``1,234``), as the rules table writes them: a hover's
    ``customdata`` (plotly writes a number there as it is, ``1234``)."""
    return [f"{int(v):,}" for v in values]


def _decimals(values, places: int) -> list[str]:
    """Numbers with ``places`` decimals (lift ``2.35``, leverage ``0.0123``, as the rules
    table writes them): a hover's ``customdata``."""
    return [f"{float(v):,.{places}f}" for v in values]


def _log_pct_axis(lo: float, hi: float) -> dict:
    """A log axis of percentage points from the share ``lo`` to ``hi``: ticks at 1, 2 and 5
    times a power of ten, each written by ``fmt.pct`` (``0.2 %``, ``0.5 %``, ``1 %``, ``2 %``).
    plotly's own log ticks write ``1 %`` at a power of ten and a bare ``2``, ``3`` … ``9``
    between, without the sign."""
    ticks = []
    for power in range(math.floor(math.log10(lo * 100)), math.ceil(math.log10(hi * 100)) + 1):
        for step in (1, 2, 5):
            v = step * 10.0**power  # percentage points
            if lo * 100 / 1.5 <= v <= hi * 100 * 1.5:
                ticks.append((v, max(0, -power)))
    return {
        "type": "log",
        "tickmode": "array",
        "tickvals": [v for v, _d in ticks],
        "ticktext": [fmt.pct(v / 100, d) for v, d in ticks],
    }


def scatter_figure(result: BasketResult, *, max_points: int = 3000) -> go.Figure:
    """Support × confidence of every rule (the ``max_points`` strongest by lift), coloured by
    lift, on percent axes (``charts.percent``: percentage points, ``fmt.pct``'s sign); the hover
    shows the rule and its metrics, support and confidence in percent as the axes and the
    rules table write them (they read ``Support 0.0123``, ``Confidence 0.456``)."""
    r = result.rules.head(max_points)
    fig = go.Figure()
    if len(r):
        custom = np.column_stack(
            [
                [_esc(n, 120) for n in r["names"]],
                pct_text(r["support"], 2),
                _counts(r["count"]),
                pct_text(r["confidence"], 1),
                _decimals(r["lift"], 2),
                _decimals(r["leverage"], 4),
            ]
        )
        fig.add_scatter(
            x=points(r["support"]),
            y=points(r["confidence"]),
            mode="markers",
            marker={
                "color": r["lift"],
                "colorscale": "Viridis",
                "showscale": True,
                "colorbar": {"title": {"text": label("lift")}},
                "size": 8,
                "opacity": 0.75,
            },
            customdata=custom,
            hovertemplate=_(
                "%{customdata[0]}<br>Support %{customdata[1]} (%{customdata[2]} baskets)"
                "<br>Confidence %{customdata[3]}<br>Lift %{customdata[4]}"
                "<br>Leverage %{customdata[5]}<extra></extra>"
            ),
        )
    title = (
        _(
            "Rules: support × confidence, coloured by lift (strongest {shown} of {n})",
            shown=f"{len(r):,}",
            n=f"{len(result.rules):,}",
        )
        if len(result.rules) > len(r)
        else _("Rules: support × confidence, coloured by lift")
    )
    log = bool(len(r)) and r["support"].max() / r["support"].min() > 20
    fig.update_layout(
        title=title,
        xaxis_title=_("Support (share of baskets with all items)"),
        yaxis_title=label("confidence"),
        xaxis=_log_pct_axis(r["support"].min(), r["support"].max()) if log else pct_axis(),
        yaxis=pct_axis(),
        height=460,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
    )
    return fig


def _spring(n: int, src: np.ndarray, dst: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Fruchterman-Reingold layout of one connected component, scaled into [-1, 1]."""
    if n == 1:
        return np.zeros((1, 2))
    if n == 2:
        return np.array([[-1.0, -0.3], [1.0, 0.3]])
    angle = np.linspace(0, 2 * np.pi, n, endpoint=False)
    pos = np.column_stack([np.cos(angle), np.sin(angle)]) + rng.normal(0, 0.05, (n, 2))
    k = 1.0 / np.sqrt(n)
    temp = 0.2
    for _step in range(200):
        delta = pos[:, None, :] - pos[None, :, :]
        dist = np.sqrt((delta**2).sum(-1)) + 1e-9
        disp = ((k * k / dist**2)[:, :, None] * delta).sum(axis=1)  # repulsion
        d = pos[src] - pos[dst]
        pull = d * (np.sqrt((d**2).sum(-1))[:, None] / k)  # attraction along edges
        np.add.at(disp, src, -pull)
        np.add.at(disp, dst, pull)
        length = np.sqrt((disp**2).sum(-1))[:, None] + 1e-9
        pos += disp / length * np.minimum(length, temp)
        temp *= 0.98
    pos -= pos.mean(axis=0)
    return pos / (np.abs(pos).max() or 1.0)


#: The network's rows in pixels: the room above and below a group's nodes for a node's
#: marker (up to 44 px across) and its name (one line of 11 px text), the plot's width the
#: layout assumes to draw a group as high as it is wide (the page's and the report's charts
#: are about this wide), and the most a single group's nodes spread above or below its middle
_ROW_PAD = 46
_PLOT_WIDTH = 900
_MAX_REACH = 200
#: the x axis's range (the layout's x runs from -1 to 1) and the figure's margins, in pixels
_X_RANGE = 1.3
_TOP, _BOTTOM = 50, 10
#: the plot's height without a rule to draw
_MIN_PLOT = 120


def _layout(n: int, edges: list[tuple[int, int, float]], seed: int = 7) -> tuple[np.ndarray, float]:
    """Deterministic layout: each connected component laid out on its own, components on a
    grid (largest first), so small bundles do not collapse next to a big cluster. x runs from
    -1 to 1 (the grid's columns); y is in pixels from the top of the plot (negative down), each
    grid row as high as its tallest group plus room for the names, so the rows sit one under
    the other whatever their number (stretched to a fixed figure height, two rows of pairs
    stood far apart with an empty band between them). Returns the positions and the plot's
    height in pixels."""
    if n == 0:
        return np.zeros((0, 2)), 0.0
    parent = list(range(n))

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, c, _w in edges:
        parent[root(a)] = root(c)
    comps: dict[int, list[int]] = {}
    for v in range(n):
        comps.setdefault(root(v), []).append(v)
    groups = sorted(comps.values(), key=lambda g: (-len(g), g[0]))
    rng = np.random.default_rng(seed)
    cols = int(np.ceil(np.sqrt(len(groups))))
    local_pos = []
    for g in groups:
        local = {v: t for t, v in enumerate(g)}
        src = np.array([local[a] for a, c, _ in edges if a in local], dtype=int)
        dst = np.array([local[c] for a, c, _ in edges if a in local], dtype=int)
        local_pos.append(_spring(len(g), src, dst, rng))
    pos = np.zeros((n, 2))
    for j, (g, p) in enumerate(zip(groups, local_pos, strict=True)):
        pos[g, 0] = p[:, 0] * 0.3 + j % cols
    lo, hi = pos[:, 0].min(), pos[:, 0].max()
    half = (hi - lo) / 2 or 1.0
    pos[:, 0] = (pos[:, 0] - (hi + lo) / 2) / half
    # a group as high as it is wide on a plot of _PLOT_WIDTH (pixels per unit of the spring
    # layout), a lone group at most _MAX_REACH above and below its middle
    reach = min(0.3 / half * _PLOT_WIDTH / (2 * _X_RANGE), _MAX_REACH)
    top = 0.0
    for start in range(0, len(groups), cols):
        row = range(start, min(start + cols, len(groups)))
        heights = [np.ptp(local_pos[j][:, 1]) * reach for j in row]
        middle = top - _ROW_PAD - max(heights) / 2
        for j in row:
            y = local_pos[j][:, 1]
            pos[groups[j], 1] = middle + (y - (y.max() + y.min()) / 2) * reach
        top = middle - max(heights) / 2 - _ROW_PAD
    return pos, -top


def _label_sides(pos: np.ndarray, edges: list[tuple[int, int, float]]) -> list[str]:
    """Each node's label above it when it sits at or above its neighbours' mean height,
    below it otherwise: a pair's labels go to opposite sides, away from the next pair's.
    (Alternating by node order put the right node of one pair and the left node of the next,
    side by side on the grid, at the same height: their names overlapped in the report.)"""
    heights: list[list[float]] = [[] for _ in range(len(pos))]
    for a, c, _w in edges:
        heights[a].append(pos[c, 1])
        heights[c].append(pos[a, 1])
    return [
        "top center" if not h or pos[v, 1] >= np.mean(h) else "bottom center"
        for v, h in enumerate(heights)
    ]


#: a node label's line height and the gap between it and its marker, in pixels
_LABEL_H, _LABEL_GAP = 14, 3
#: where a label may go, in the order tried after the side :func:`_label_sides` prefers
_SIDES = (
    "top center",
    "bottom center",
    "middle right",
    "middle left",
    "top right",
    "bottom right",
    "top left",
    "bottom left",
)


def _text_px(text: str) -> float:
    """About how wide ``text`` is at the network's 11 px font: Chinese characters a full em,
    capitals and figures wider than small letters (product names are often in capitals)."""
    width = 0.0
    for ch in text:
        if ord(ch) >= 0x2E80:
            width += 11.0
        elif ch.isupper() or ch.isdigit():
            width += 7.4
        else:
            width += 5.8
    return width


def _label_box(x: float, y: float, r: float, w: float, side: str) -> tuple[float, ...]:
    """The box ``(left, bottom, right, top)`` in pixels (y up) of a label ``w`` wide on
    ``side`` of a marker of radius ``r`` at ``(x, y)``, as plotly's ``textposition`` puts it."""
    h, gap = _LABEL_H, _LABEL_GAP
    if side == "top center":
        return (x - w / 2, y + r + gap, x + w / 2, y + r + gap + h)
    if side == "bottom center":
        return (x - w / 2, y - r - gap - h, x + w / 2, y - r - gap)
    vertical, horizontal = side.split()
    if vertical == "middle":
        bottom = y - h / 2
    else:  # a corner: beside the marker, from its edge up or down
        bottom = y + r * 0.7 if vertical == "top" else y - r * 0.7 - h
    if horizontal == "right":
        return (x + r + gap, bottom, x + r + gap + w, bottom + h)
    return (x - r - gap - w, bottom, x - r - gap, bottom + h)


def _crosses(seg: tuple[np.ndarray, np.ndarray], box: tuple[float, ...]) -> bool:
    """Whether the segment runs through the box (Liang-Barsky clipping)."""
    (x0, y0), (x1, y1) = seg
    dx, dy = x1 - x0, y1 - y0
    lo, hi = 0.0, 1.0
    for p, q in ((-dx, x0 - box[0]), (dx, box[2] - x0), (-dy, y0 - box[1]), (dy, box[3] - y0)):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            lo = max(lo, t)
        else:
            hi = min(hi, t)
        if lo > hi:
            return False
    return True


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _label_places(
    pos: np.ndarray, edges: list[tuple[int, int, float]], widths: list[float], radii: np.ndarray
) -> list[str]:
    """Each node's label side: the side :func:`_label_sides` prefers, unless an arrow runs
    through the label there (plotly draws the arrows over the names: the report's network
    read "POPPY'S PLAYHOUSE LIVINGROOM" under two arrows), or it would cover another node or
    a label already placed, or leave the plot; then the first of above, below, right, left and
    the four corners that is clear, else the one with the fewest of those. Pixels as the layout's (x scaled to
    :data:`_PLOT_WIDTH`)."""
    scale = _PLOT_WIDTH / (2 * _X_RANGE)
    xy = np.column_stack([pos[:, 0] * scale, pos[:, 1]])
    segs = [(xy[a], xy[c]) for a, c, _w in edges]
    nodes = [(x - r, y - r, x + r, y + r) for (x, y), r in zip(xy, radii, strict=True)]
    edge_x = _X_RANGE * scale
    placed: list[tuple[float, ...]] = []
    sides: list[str] = []
    for v, first in enumerate(_label_sides(pos, edges)):
        best = None
        for rank, side in enumerate((first, *(s for s in _SIDES if s != first))):
            box = _label_box(*xy[v], radii[v], widths[v], side)
            cost = (
                3 * sum(_crosses(seg, box) for seg in segs)
                + 3 * sum(_overlap(box, n) for u, n in enumerate(nodes) if u != v)
                + 2 * sum(_overlap(box, b) for b in placed)
                + 4 * (box[0] < -edge_x or box[2] > edge_x)
            )
            if best is None or (cost, rank) < best[:2]:
                best = (cost, rank, side, box)
            if cost == 0:
                break
        sides.append(best[2])
        placed.append(best[3])
    return sides


def network_figure(result: BasketResult, *, top: int = 25) -> go.Figure:
    """The ``top`` strongest rules (by lift) as a network: items are nodes (size = support),
    each rule an arrow from its antecedent items to its consequent items; hover shows metrics."""
    r = result.rules.head(top)
    names = dict(zip(result.items["item"], result.items["name"], strict=True))
    support = dict(zip(result.items["item"], result.items["support"], strict=True))
    items: list[str] = []
    index: dict[str, int] = {}
    edges: list[tuple[int, int, float]] = []
    edge_rows: list[int] = []
    for j, (ante, cons) in enumerate(zip(r["antecedents"], r["consequents"], strict=True)):
        for it in (*ante, *cons):
            if it not in index:
                index[it] = len(items)
                items.append(it)
        for a in ante:
            for c in cons:
                edges.append((index[a], index[c], float(r["lift"].iloc[j])))
                edge_rows.append(j)
    pos, plot_height = _layout(len(items), edges)
    fig = go.Figure()
    if edges:
        lifts = np.array([e[2] for e in edges])
        span = max(lifts.max() - lifts.min(), 1e-9)
        for a, c, lift in edges:
            fig.add_annotation(
                x=pos[c, 0],
                y=pos[c, 1],
                ax=pos[a, 0],
                ay=pos[a, 1],
                xref="x",
                yref="y",
                axref="x",
                ayref="y",
                showarrow=True,
                arrowhead=3,
                arrowsize=1,
                arrowwidth=1 + 3 * (lift - lifts.min()) / span,
                arrowcolor="rgba(49,130,189,0.55)",
                standoff=10,
                startstandoff=10,
            )
        # invisible midpoints carry the rule hover (annotations have no hover)
        mid = np.array([(pos[a] + pos[c]) / 2 for a, c, _ in edges])
        rows = r.iloc[edge_rows]
        fig.add_scatter(
            x=mid[:, 0],
            y=mid[:, 1],
            mode="markers",
            marker={"size": 12, "color": "rgba(0,0,0,0)"},
            customdata=np.column_stack(
                [
                    [_esc(n, 120) for n in rows["names"]],
                    # support and confidence in percent, as the rules table writes them
                    # (they read 0.0123 and 0.456)
                    pct_text(rows["support"], 2),
                    _counts(rows["count"]),
                    pct_text(rows["confidence"], 1),
                    _decimals(rows["lift"], 2),
                ]
            ),
            hovertemplate=_(
                "%{customdata[0]}<br>Support %{customdata[1]} (%{customdata[2]} baskets)"
                "<br>Confidence %{customdata[3]}<br>Lift %{customdata[4]}<extra></extra>"
            ),
            showlegend=False,
        )
    if items:
        sup = np.array([support.get(it, 0.0) for it in items])
        size = 14 + 30 * np.sqrt(sup / (sup.max() or 1.0))
        labels = [_esc(names.get(it, it), 28) for it in items]
        widths = [_text_px(html.unescape(t)) for t in labels]
        fig.add_scatter(
            x=pos[:, 0],
            y=pos[:, 1],
            mode="markers+text",
            text=labels,
            textposition=_label_places(pos, edges, widths, size / 2),
            textfont={"size": 11},
            marker={"size": size, "color": "#fdae6b", "line": {"width": 1, "color": "#e6550d"}},
            customdata=np.column_stack(
                [
                    [_esc(names.get(it, it), 120) for it in items],
                    [_esc(it) for it in items],
                    pct_text(sup, 2),
                ]
            ),
            hovertemplate=_(
                "%{customdata[0]}<br>id %{customdata[1]}<br>In %{customdata[2]} of baskets"
                "<extra></extra>"
            ),
            showlegend=False,
        )
    fig.update_layout(
        title=_(
            "The {n} strongest rules (arrow: if the basket holds A, it often holds B)", n=len(r)
        ),
        # the rows of groups at their own height (pixels, _layout): the figure follows them
        height=max(plot_height, _MIN_PLOT) + _TOP + _BOTTOM,
        margin={"l": 10, "r": 10, "t": _TOP, "b": _BOTTOM},
        xaxis={"visible": False, "range": [-_X_RANGE, _X_RANGE]},
        yaxis={"visible": False, "range": [-max(plot_height, _MIN_PLOT), 0]},
        plot_bgcolor="white",
        showlegend=False,
    )
    return fig


def fbt_figure(fbt: pd.DataFrame, product_name: str) -> go.Figure:
    """Bars: how often each partner is in the same basket as the product."""
    d = fbt.iloc[::-1]
    fig = go.Figure(
        go.Bar(
            x=points(d["share"]),  # percentage points on a percent axis (charts.percent)
            y=[_esc(n, 40) for n in d["name"]],
            orientation="h",
            marker_color="#31a354",
            customdata=np.column_stack(
                [_counts(d["together"]), _decimals(d["lift"], 2), pct_text(d["share"], 1)]
            ),
            hovertemplate=_(
                "%{y}<br>In %{customdata[2]} of its baskets (%{customdata[0]} baskets)"
                "<br>Lift %{customdata[1]}<extra></extra>"
            ),
        )
    )
    fig.update_layout(
        title=_("Bought together with {product}", product=_esc(product_name, 50)),
        xaxis={**pct_axis(), "rangemode": "tozero"},
        height=max(220, 50 * len(d) + 90),
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
    )
    return fig
