"""Basket figures: built from the result, merchant text inert."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from ecomdash import basket
from ecomdash.charts import basket as charts
from ecomdash.charts.percent import pct_axis
from ecomdash.i18n import fmt, use_lang


def _result():
    rows = []
    for o in range(30):
        rows += [(str(o), "a", "<b>Mug</b>"), (str(o), "b", "Tea & Co")]
        if o % 3 == 0:
            rows += [(str(o), "c", "Spoon")]
        rows += [(f"x{o}", "d", "Plate"), (f"x{o}", "c", "Spoon")] if o % 2 else []
    lines = pd.DataFrame(rows, columns=["order_id", "product_id", "product_name"])
    return basket.mine(lines, min_support=0.1, min_lift=0.0)


def test_network_has_one_node_per_item_of_the_top_rules_and_escapes_names():
    res = _result()
    fig = charts.network_figure(res, top=4)
    top = res.rules.head(4)
    items = {x for t in list(top["antecedents"]) + list(top["consequents"]) for x in t}
    nodes = [tr for tr in fig.data if tr.mode == "markers+text"][0]
    assert len(nodes.x) == len(items)
    assert "&lt;b&gt;Mug&lt;/b&gt;" in list(nodes.text)
    assert not any("<b>" in t for t in nodes.text)
    # one arrow per (antecedent item, consequent item) of each rule
    assert len(fig.layout.annotations) == sum(
        len(a) * len(c) for a, c in zip(top["antecedents"], top["consequents"], strict=True)
    )


def test_scatter_has_every_rule_coloured_by_lift():
    res = _result()
    fig = charts.scatter_figure(res)
    assert list(fig.data[0].x) == pytest.approx((res.rules["support"] * 100).tolist())
    assert list(fig.data[0].marker.color) == res.rules["lift"].tolist()
    assert all("&lt;" in c[0] or "<" not in c[0] for c in fig.data[0].customdata)


def _pct(share: float, digits: int, lang: str) -> str:
    return fmt.pct(share, digits, lang=lang)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_rules_scatter_in_percent_on_its_axes_and_hover(lang):
    """The rules scatter's support and confidence in percent, on its axes (percentage points,
    fmt.pct's sign) and in its hover as the rules table writes them (support 2 decimals,
    confidence 1): the hover read "Support 0.0123", "Confidence 0.456"."""
    res = _result()
    with use_lang(lang):
        fig = charts.scatter_figure(res)
    trace = fig.data[0]
    assert list(trace.y) == pytest.approx((res.rules["confidence"] * 100).tolist())
    for axis in (fig.layout.xaxis, fig.layout.yaxis):
        assert axis.ticksuffix == pct_axis(lang=lang)["ticksuffix"]
    first = res.rules.iloc[0]
    row = list(trace.customdata[0])
    assert row[1] == _pct(first["support"], 2, lang)
    assert row[3] == _pct(first["confidence"], 1, lang)
    assert row[2] == f"{int(first['count']):,}" and row[4] == f"{first['lift']:.2f}"
    # no number format left for plotly to write a fraction with
    assert not re.search(r"%\{[xy]", trace.hovertemplate)
    assert not re.search(r":\.\d+f\}", trace.hovertemplate), trace.hovertemplate
    assert "%{customdata[1]}" in trace.hovertemplate and "%{customdata[3]}" in trace.hovertemplate


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_rules_network_rule_hover_in_percent(lang):
    """The network's rule hover (the arrows' midpoints): support and confidence in percent,
    as the scatter and the rules table (it read "Support 0.0123", "Confidence 0.456")."""
    res = _result()
    with use_lang(lang):
        fig = charts.network_figure(res, top=4)
    mids = next(tr for tr in fig.data if tr.mode == "markers")
    top = res.rules.head(4)
    supports = {_pct(v, 2, lang) for v in top["support"]}
    confidences = {_pct(v, 1, lang) for v in top["confidence"]}
    assert {row[1] for row in mids.customdata} <= supports
    assert {row[3] for row in mids.customdata} <= confidences
    assert not re.search(r":\.\d+f\}", mids.hovertemplate), mids.hovertemplate


def test_bought_together_hover_counts_with_thousands():
    fbt = pd.DataFrame({"name": ["Tea"], "share": [0.5], "together": [12345], "lift": [2.345]})
    with use_lang("en"):
        fig = charts.fbt_figure(fbt, "Mug")
    assert list(fig.data[0].customdata[0][:2]) == ["12,345", "2.35"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_rules_scatter_log_support_axis_writes_every_tick_in_percent(lang):
    """Support spread over more than 20 times is drawn on a log axis: its ticks at 1, 2 and 5
    times a power of ten, each written by fmt.pct ("0.2 %", "0.5 %", "1 %"); plotly's own log
    ticks wrote "1 %" and a bare "2", "3" … "9" between."""
    from types import SimpleNamespace

    rules = pd.DataFrame(
        {
            "names": ["a → b", "c → d", "e → f"],
            "support": [0.002, 0.01, 0.055],
            "confidence": [0.2, 0.3, 0.4],
            "count": [20, 100, 550],
            "lift": [1.5, 2.0, 3.0],
            "leverage": [0.001, 0.002, 0.003],
        }
    )
    with use_lang(lang):
        fig = charts.scatter_figure(SimpleNamespace(rules=rules))
        want = [fmt.pct(v, d) for v, d in ((0.002, 1), (0.005, 1), (0.01, 0), (0.02, 0), (0.05, 0))]
    axis = fig.layout.xaxis
    assert axis.type == "log"
    assert list(axis.tickvals) == pytest.approx([0.2, 0.5, 1, 2, 5])
    assert list(axis.ticktext) == want


def test_network_labels_of_side_by_side_pairs_do_not_meet():
    """Three products pairs bought only with each other: three two-node groups side by side.
    Each pair's upper node is labelled above and its lower node below, so the right node of one
    pair and the left node of the next (the same height, close on the grid) never both write
    their names at that height: the report's network read "Loose Leaf Tea Tin – Earl G" over
    "Ink Cartridges – Black"."""
    rows = []
    for o in range(60):
        a, b = [("A", "B"), ("C", "D"), ("E", "F")][o % 3]
        rows += [(str(o), a, f"Product {a}"), (str(o), b, f"Product {b}")]
    lines = pd.DataFrame(rows, columns=["order_id", "product_id", "product_name"])
    res = basket.mine(lines, min_support=0.1, min_lift=0.0)
    fig = charts.network_figure(res, top=6)
    nodes = next(tr for tr in fig.data if tr.mode == "markers+text")
    at = {
        t: (x, y, side)
        for t, x, y, side in zip(nodes.text, nodes.x, nodes.y, nodes.textposition, strict=True)
    }
    assert len(at) == 6
    for a, b in (("A", "B"), ("C", "D"), ("E", "F")):
        (_xa, ya, sa), (_xb, yb, sb) = at[f"Product {a}"], at[f"Product {b}"]
        assert ya != yb
        upper, lower = (sa, sb) if ya > yb else (sb, sa)
        assert (upper, lower) == ("top center", "bottom center"), (a, b, at)
    # any two nodes labelled on the same side at the same height (within a name's line: y
    # is in pixels) are far apart (different rows of the grid, or further than a pair's width)
    same = [
        (p, q)
        for p in at.values()
        for q in at.values()
        if p is not q and p[2] == q[2] and abs(p[1] - q[1]) < 20 and abs(p[0] - q[0]) < 0.5
    ]
    assert not same, same


def _pairs(n: int):
    """A shop of ``n`` product pairs, each bought only with its partner: ``n`` two-node groups
    in the network."""
    rows = []
    for o in range(20 * n):
        k = o % n
        rows += [(str(o), f"A{k}", f"Product A{k}"), (str(o), f"B{k}", f"Product B{k}")]
    lines = pd.DataFrame(rows, columns=["order_id", "product_id", "product_name"])
    return basket.mine(lines, min_support=0.01, min_lift=0.0)


def _node_rows(fig) -> list[float]:
    """The network's grid rows as the merchant sees them: each row's middle in pixels from
    the top of the plot (a pair's two nodes sit at two heights around it)."""
    nodes = next(tr for tr in fig.data if tr.mode == "markers+text")
    lo, hi = fig.layout.yaxis.range
    plot = fig.layout.height - fig.layout.margin.t - fig.layout.margin.b
    px = sorted((hi - y) / (hi - lo) * plot for y in nodes.y)
    # a pair's nodes are a few tens of pixels apart; rows much further
    rows, current = [], [px[0]]
    for y in px[1:]:
        if y - current[-1] > 70:
            rows.append(current)
            current = []
        current.append(y)
    rows.append(current)
    return [(min(r) + max(r)) / 2 for r in rows]


def test_network_rows_sit_at_a_fixed_spacing_and_the_height_follows_them():
    """Groups of the network on a grid: each row was stretched to the figure's fixed 560 px,
    so two rows of pairs (the demo's five) stood some 360 px apart with an empty band between
    them. Rows now sit one under the other at a fixed spacing, and the figure is as high as
    its rows: a third row adds one row's height."""
    two = charts.network_figure(_pairs(5), top=10)  # 3 columns, 2 rows
    three = charts.network_figure(_pairs(7), top=14)  # 3 columns, 3 rows
    rows2, rows3 = _node_rows(two), _node_rows(three)
    assert len(rows2) == 2 and len(rows3) == 3, (rows2, rows3)
    pitch = rows2[1] - rows2[0]
    # a row of pairs: the pair's tilt, a marker and a name above and below, no more
    assert 100 <= pitch <= 160, rows2
    assert np.diff(rows3) == pytest.approx([pitch, pitch], abs=0.5)
    assert three.layout.height - two.layout.height == pytest.approx(pitch, abs=0.5)
    # the first row starts under the title, the last ends at the bottom: no empty band
    assert rows2[0] <= pitch and two.layout.height <= 2 * pitch + 100


def _network_label_boxes(fig):
    """Each node's label box and every arrow, in the layout's pixels (x scaled to the plot
    width the layout assumes; y is in pixels already)."""
    nodes = next(tr for tr in fig.data if tr.mode == "markers+text")
    scale = charts._PLOT_WIDTH / (2 * charts._X_RANGE)
    boxes = [
        charts._label_box(x * scale, y, size / 2, charts._text_px(text), side)
        for x, y, size, text, side in zip(
            nodes.x, nodes.y, nodes.marker.size, nodes.text, nodes.textposition, strict=True
        )
    ]
    arrows = [
        ((a.ax * scale, a.ay), (a.x * scale, a.y)) for a in fig.layout.annotations if a.showarrow
    ]
    return list(nodes.text), boxes, arrows


def _runs_through(arrow, box, steps: int = 200) -> bool:
    """Whether a point of the arrow (sampled, not clipped: independent of the chart's own
    geometry) lies in the box."""
    (x0, y0), (x1, y1) = arrow
    return any(
        box[0] <= x0 + (x1 - x0) * t <= box[2] and box[1] <= y0 + (y1 - y0) * t <= box[3]
        for t in np.linspace(0, 1, steps)
    )


def test_network_labels_stay_clear_of_the_arrows():
    """Three products bought together (a triangle of rules, as UCI's POPPY'S PLAYHOUSE
    bedroom, kitchen and living room) beside a chain of three: plotly draws the arrows over the
    names, and a label above or below the node whose two arrows came in from the side read
    under them ("POPPY'S PLAYHOUSE LIVINGROOM" crossed out in the report). Every label now
    sits where no arrow runs through it, on the right or left when above and below are
    taken, and no two labels or a label and another node overlap."""
    rows = []
    for o in range(90):
        k = o % 3
        if k == 0:  # the triangle: all three in one basket
            rows += [(str(o), p, f"PLAYHOUSE {p} ROOM") for p in ("BED", "KITCHEN", "LIVING")]
        elif k == 1:  # the chain: red with blue, blue with pink
            rows += [(str(o), p, f"{p} SPOTTY CUP") for p in ("RED", "BLUE")]
        else:
            rows += [(str(o), p, f"{p} SPOTTY CUP") for p in ("BLUE", "PINK")]
    lines = pd.DataFrame(rows, columns=["order_id", "product_id", "product_name"])
    res = basket.mine(lines, min_support=0.05, min_lift=0.0)
    fig = charts.network_figure(res, top=20)
    names, boxes, arrows = _network_label_boxes(fig)
    assert len(names) == 6 and len(arrows) >= 8
    crossed = [
        n for n, b in zip(names, boxes, strict=True) if any(_runs_through(a, b) for a in arrows)
    ]
    assert not crossed, crossed
    overlapping = [
        (names[i], names[j])
        for i in range(len(boxes))
        for j in range(i + 1, len(boxes))
        if charts._overlap(boxes[i], boxes[j])
    ]
    assert not overlapping, overlapping
