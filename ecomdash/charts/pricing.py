"""Plotly figures for pricing: Results of :mod:`ecomdash.pricing` in, figures out.

Product ids and names (merchant text) only appear as plotly labels and hovers (inert), a
product as "name (id)" (``labels.product_label``, as on the other pages) with ``<``, ``>`` and
``&`` turned into entities so plotly's pseudo-HTML shows them literally. Titles, axes and
legends are translated here (the builders run in the page's script run, so the language is
set).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ecomdash.charts.money import money_axis, money_hover, with_currency
from ecomdash.charts.percent import data_range, pct_text, pct_ticks
from ecomdash.charts.text import esc, word_figure
from ecomdash.charts.text import product_text as _name  # "name (id)", <>& as entities
from ecomdash.i18n import _
from ecomdash.i18n.fmt import long_date, pct_upto, times
from ecomdash.labels import product_label
from ecomdash.pricing import PricingResult, WhatIfResult
from ecomdash.text_width import text_width

_BLUE = "#1f77b4"
_ORANGE = "#ff7f0e"
_GREY = "rgba(120,120,120,0.25)"


#: The room a chart's title has on one line, px: plotly never wraps a title and cuts it at the
#: chart's right edge (UCI's "SET OF 3 COLOURED FLYING DUCKS (35004C): units and price per
#: week (green: promotion, red: the weeks after)" was cut in a chart 700 px wide); the title
#: starts at the chart's left edge
TITLE_PX = 680


def title_px(text: str) -> float:
    """About how wide ``text`` is drawn in a chart's title, px, a little wider than it is: the
    dashboard's theme writes titles in Source Sans at 16 px, where Chromium's canvas measures
    a lower-case Latin letter 7.5 px on average, a capital 9.1 (UCI's names are in capitals),
    a digit 8, a space 3.4 and a Chinese character 16. Counted here (``text_width``) as 7.5 px
    a narrow character, 2 more for a capital, 16 a wide one: "SET OF 3 COLOURED FLYING DUCKS
    (35004C): units and price per week (green: " is 521 px in the browser and 605 here,
    "Wooden Train Set – Starter (TOY-229): demand across the prices it has had (±10 %)" 542
    and 622, the alphabet in lower case 196 and 195."""
    return text_width(text, narrow=7.5, wide=16) + 2 * sum(ch.isupper() for ch in text)


def product_title(title, name, product_id, *, budget: float = TITLE_PX) -> str:
    """A chart's title naming a product, ``title(product)`` (a message filled in the page's
    language), within ``budget`` px (:func:`title_px`): the product as "name (id)"
    (``labels.product_label``), its name cut short with "…" when the whole title would run
    past the chart's edge — the id stays whole, and the picker above the chart shows the whole
    name. ``<``, ``>`` and ``&`` of the name become entities after it is measured."""
    full = product_label(name, product_id)
    label = full
    text = full[: -len(f" ({product_id})")] if full != str(product_id) else ""
    cut = len(text)
    while text and cut > 1 and title_px(title(label)) > budget:
        cut -= 1
        label = product_label(text[:cut].rstrip() + "…", product_id)
    return title(esc(label))


def _named(frame: pd.DataFrame) -> list[str]:
    """:func:`_name` of each row of ``frame`` (its ``product_name`` and ``product_id``)."""
    return [_name(n, p) for n, p in zip(frame["product_name"], frame["product_id"], strict=True)]


def elasticity_chart(result: PricingResult, *, top: int = 30) -> go.Figure:
    """Elasticity and 90 % interval of the products with their own estimate (most revenue
    first), with their category's estimate as a hollow marker."""
    p = result.products[result.products["status"] == "estimated"]
    p = p.sort_values("revenue", ascending=False).head(top).iloc[::-1]
    cats = result.categories.set_index("category")["elasticity"] if len(result.categories) else {}
    names = _named(p)
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=p["elasticity"],
            y=names,
            mode="markers",
            name=_("product (90\u00a0% interval)"),
            marker={"color": _BLUE, "size": 9},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": p["ci_high"] - p["elasticity"],
                "arrayminus": p["elasticity"] - p["ci_low"],
            },
            customdata=p["source"],
            hovertemplate="%{y}<br>"
            + word_figure(_("elasticity"), "%{x:.2f}")
            + "<br>%{customdata}<extra></extra>",
        )
    )
    cat_vals = [cats.get(c, np.nan) if hasattr(cats, "get") else np.nan for c in p["category"]]
    fig.add_trace(
        go.Scatter(
            x=cat_vals,
            y=names,
            mode="markers",
            name=_("its category"),
            marker={"color": _ORANGE, "size": 9, "symbol": "circle-open"},
            hovertemplate=word_figure(_("category estimate"), "%{x:.2f}") + "<extra></extra>",
        )
    )
    fig.add_vline(x=0, line_dash="dot", line_color="grey")
    fig.add_vline(
        x=-1, line_dash="dot", line_color="grey", annotation_text=_("-1: revenue-neutral")
    )
    fig.update_layout(
        # a plain space after the colon: "% change" there read as a figure's unit to the
        # catalogue's percent rule, which asked for a no-break space
        title=_("Price elasticity: percentage change in units for a 1\u00a0% higher price"),
        xaxis_title=_("Elasticity"),  # an axis title starts with a capital
        height=max(320, 22 * len(p) + 120),
        margin={"l": 10, "r": 10, "t": 50, "b": 40},
        legend={"orientation": "h", "y": -0.15},
    )
    return fig


def demand_curve(whatif: WhatIfResult, product_id: str, *, symbol: str = "") -> go.Figure:
    """Expected units a week across the allowed price range with the interval band, and
    revenue/profit on a second axis; markers at the current, new and best price. ``symbol``:
    the dataset's currency sign, before the prices and the money axis's ticks."""
    c = whatif.curve[whatif.curve["product_id"] == product_id]
    row = whatif.table[whatif.table["product_id"] == product_id].iloc[0]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=np.r_[c["price"], c["price"][::-1]],
            y=np.r_[c["units_high"], c["units_low"][::-1]],
            fill="toself",
            fillcolor=_GREY,
            line={"width": 0},
            name=_("units, 90\u00a0% band"),
            hoverinfo="skip",
        )
    )
    # hovers name the price and the money in the dataset's currency, as the axes do
    at_price = word_figure(_("price"), money_hover("x", 2, symbol=symbol)) + "<br>"
    fig.add_trace(
        go.Scatter(
            x=c["price"],
            y=c["units"],
            name=_("units a week"),
            line={"color": _BLUE},
            hovertemplate=at_price
            + word_figure(_("units a week"), "%{y:,.1f}")
            + "<extra></extra>",
        )
    )
    money = c["profit"] if c["profit"].notna().any() else c["revenue"]
    by_profit = bool(c["profit"].notna().any())
    label = _("profit a week") if by_profit else _("revenue a week")
    fig.add_trace(
        go.Scatter(
            x=c["price"],
            y=money,
            name=label,
            yaxis="y2",
            line={"color": _ORANGE, "dash": "dash"},
            # a loss reads -£120 a week, never £-120 (charts.money)
            hovertemplate=at_price
            + word_figure(label, money_hover(symbol=symbol))
            + "<extra></extra>",
        )
    )
    for x, name, colour in (
        (row["current_price"], _("current price"), "black"),
        (
            row["best_price"],
            _("best price (profit)") if by_profit else _("best price (revenue)"),
            "green",
        ),
    ):
        fig.add_vline(x=x, line_dash="dot", line_color=colour, annotation_text=name)
    if not np.isnan(row["units"]):
        fig.add_trace(
            go.Scatter(
                x=[row["new_price"]],
                y=[row["units"]],
                mode="markers",
                marker={"size": 12, "color": "red"},
                name=_("what-if price"),
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": [row["units_high"] - row["units"]],
                    "arrayminus": [row["units"] - row["units_low"]],
                },
            )
        )
    fig.update_layout(
        title=product_title(
            lambda p: _("{product}: demand across the prices it has had (±10\u00a0%)", product=p),
            row["product_name"],
            product_id,
        ),
        xaxis_title=_("price"),
        xaxis=money_axis(symbol),
        yaxis_title=_("units a week"),
        yaxis2=_right_axis(label, symbol),
        legend={"orientation": "h", "y": -0.2},
        margin={"l": 10, "r": 10, "t": 50, "b": 40},
    )
    return with_currency(fig, symbol)


#: The promotion chart draws at most this many promotions (two bars each, named under them):
#: twenty pairs still read side by side on a page's width; UCI has 347, which left a bar a
#: pixel or two wide and no name readable. The table beside it and its download keep all.
PROMOTION_CHART_TOP = 20

#: An interval end of a lift beyond this many times the units before (a dip's beyond this
#: share above them) reads "more than 100×" ("more than +10,000 %"): a promotion of a few
#: orders has an interval to 10^15 times, a figure that means "not measured".
_MOST = 100.0


def chart_promotions(promotions: pd.DataFrame, top: int | None = None) -> pd.DataFrame:
    """The promotions the chart draws: the ``top`` with the most revenue at stake — their
    net revenue, gained or lost (``|net_revenue|``: the money the promotion moved, the same
    figure the Home's promotion finding sizes a loss by) — in the table's order, so a bar's
    row is found in the table beside it. Ranked by money, not by lift: the largest lifts are
    the promotions of a few orders, whose intervals run to 10^15. ``top``: by default
    :data:`PROMOTION_CHART_TOP`."""
    top = PROMOTION_CHART_TOP if top is None else top
    if len(promotions) <= top:
        return promotions
    stake = promotions["net_revenue"].abs().fillna(0.0).to_numpy()
    keep = np.sort(np.argsort(-stake, kind="stable")[:top])
    return promotions.iloc[keep]


def _promotion_axis(p: pd.DataFrame) -> dict:
    """The promotion chart's percent axis: the bars and their intervals, but an interval end
    further out than the largest bar (from zero) is cut at the axis edge (and marked there:
    :func:`_cut_marks`). A promotion with a few orders has an interval to
    +10,000,000,000,000 % (UCI's), and plotly's own range, which takes in the whiskers,
    flattened every bar to nothing."""
    lo_bar, hi_bar = data_range(p["lift"] - 1, p["dip"], [0])
    reach = max(abs(lo_bar), abs(hi_bar), 0.1)
    lo, hi = data_range(p["lift_low"] - 1, p["lift_high"] - 1, p["dip_low"], p["dip_high"], [0])
    axis = pct_ticks(max(lo, lo_bar - reach), min(hi, hi_bar + reach), signed=True)
    return {**axis, "range": [axis["tickvals"][0], axis["tickvals"][-1]]}


def _lift_ranges(p: pd.DataFrame) -> list[str]:
    """Each promotion's lift and its interval, in the hover: "Lift 1.8× (90 % range 1.1× to
    3.4×)", an end beyond 100× as "more than 100×" (``fmt.times``)."""
    return [
        _(
            "Lift {lift} (90\u00a0% range {low} to {high})",
            lift=times(v, most=_MOST),
            low=times(lo, most=_MOST),
            high=times(hi, most=_MOST),
        )
        for v, lo, hi in zip(p["lift"], p["lift_low"], p["lift_high"], strict=True)
    ]


def _dip_ranges(p: pd.DataFrame) -> list[str]:
    """Each promotion's dip after it and its interval, in the hover: "Dip after -30 % (90 %
    range -60 % to +10 %)"; without weeks after it, that there are none yet."""
    return [
        _(
            "Dip after {dip} (90\u00a0% range {low} to {high})",
            dip=pct_upto(v, most=_MOST),
            low=pct_upto(lo, most=_MOST),
            high=pct_upto(hi, most=_MOST),
        )
        if np.isfinite(v)
        else _("No weeks after it yet")
        for v, lo, hi in zip(p["dip"], p["dip_low"], p["dip_high"], strict=True)
    ]


def _cut_marks(
    labels: list[str], low, high, ranges: list[str], axis: dict, group: str, legend: bool
) -> go.Scatter | None:
    """Triangles at the axis edge where a bar's interval goes on past it (its whisker stops at
    the edge: nothing else says it was cut), over that bar (``group``: its offset group), with
    the interval in the hover; None when no interval is cut."""
    lo, hi = axis["range"]
    x, y, symbol, text = [], [], [], []
    for label, a, b, words in zip(labels, low, high, ranges, strict=True):
        if np.isfinite(b) and b > hi:
            x.append(label), y.append(hi), symbol.append("triangle-up"), text.append(words)
        if np.isfinite(a) and a < lo:
            x.append(label), y.append(lo), symbol.append("triangle-down"), text.append(words)
    if not x:
        return None
    return go.Scatter(
        x=x,
        y=y,
        mode="markers",
        marker={"symbol": symbol, "size": 11, "color": "#444"},
        offsetgroup=group,
        cliponaxis=False,
        name=_("interval goes on past the edge"),
        legendgroup="cut",
        showlegend=legend,
        hovertext=text,
        hovertemplate="%{x}<br>%{hovertext}<extra></extra>",
    )


def promotion_chart(result: PricingResult, *, top: int | None = None) -> go.Figure:
    """Lift during each promotion and the dip after it, with 90 % intervals: the ``top``
    promotions with the most revenue at stake (:func:`chart_promotions`; the page says the
    cut under the chart). An interval cut at the axis edge is marked there with a triangle;
    every hover gives the interval (``fmt.times`` / ``fmt.pct_upto``)."""
    p = chart_promotions(result.promotions, top)
    labels = [
        f"{name}<br>{long_date(pd.Timestamp(start))}"
        for name, start in zip(_named(p), p["start"], strict=True)
    ]
    axis = _promotion_axis(p)
    lift_ranges, dip_ranges = _lift_ranges(p), _dip_ranges(p)
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=labels,
            y=p["lift"] - 1,
            name=_("lift during"),
            customdata=pct_text(p["lift"] - 1, 0, signed=True),
            hovertext=lift_ranges,
            marker_color=_BLUE,
            offsetgroup="lift",
            error_y={
                "type": "data",
                "symmetric": False,
                "array": p["lift_high"] - p["lift"],
                "arrayminus": p["lift"] - p["lift_low"],
            },
            hovertemplate="%{x}<br>"
            + _("units %{customdata} vs before")
            + "<br>%{hovertext}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Bar(
            x=labels,
            y=p["dip"],
            name=_("dip after"),
            customdata=pct_text(p["dip"], 0, signed=True),
            hovertext=dip_ranges,
            marker_color=_ORANGE,
            offsetgroup="dip",
            error_y={
                "type": "data",
                "symmetric": False,
                "array": p["dip_high"] - p["dip"],
                "arrayminus": p["dip"] - p["dip_low"],
            },
            hovertemplate="%{x}<br>"
            + _("units %{customdata} vs before")
            + "<br>%{hovertext}<extra></extra>",
        )
    )
    legend = True
    for group, low, high, ranges in (
        ("lift", p["lift_low"] - 1, p["lift_high"] - 1, lift_ranges),
        ("dip", p["dip_low"], p["dip_high"], dip_ranges),
    ):
        marks = _cut_marks(labels, low, high, ranges, axis, group, legend)
        if marks is not None:
            fig.add_trace(marks)
            legend = False  # one legend entry says what a triangle means
    fig.update_layout(
        title=_("Units per store order vs the weeks before: during and after each promotion"),
        # written as the tables write a change (+100 %; 100% in Chinese), not plotly's "+100%"
        yaxis=axis,
        barmode="group",
        scattermode="group",  # a triangle over its own bar of the pair
        # the legend above the bars: below them it sat on the promotions' names, which
        # plotly turns on their side when there are many (twenty on a page's width)
        legend={"orientation": "h", "x": 0, "y": 1.04, "yanchor": "bottom"},
        height=520 if len(p) > 6 else 450,
        # many promotions: their names upright, one under each pair (plotly's own angle for
        # 15 on a 1,100 px page was 30°, where each name ran over the next two)
        xaxis={"tickangle": 90} if len(p) > 6 else {},
        margin={"l": 10, "r": 10, "t": 80, "b": 40},
    )
    return fig


def price_units_timeline(result: PricingResult, product_id: str, *, symbol: str = "") -> go.Figure:
    """Weekly units and price of one product; promotion weeks shaded. ``symbol``: the
    dataset's currency sign, before the price axis's ticks."""
    g = result.panel[result.panel["product_id"] == product_id].sort_values("week")
    fig = go.Figure()
    fig.add_trace(go.Bar(x=g["week"], y=g["units"], name=_("units"), marker_color=_BLUE))
    fig.add_trace(
        go.Scatter(
            x=g["week"],
            y=g["median_price"],
            name=_("price"),
            yaxis="y2",
            line={"color": _ORANGE, "shape": "hv"},
        )
    )
    for w in g.loc[g["promo"], "week"]:
        fig.add_vrect(x0=w, x1=w + pd.Timedelta(days=7), fillcolor="green", opacity=0.15)
    for w in g.loc[g["post"], "week"]:
        fig.add_vrect(x0=w, x1=w + pd.Timedelta(days=7), fillcolor="red", opacity=0.08)
    fig.update_layout(
        # the colours' key on a line of its own under the title: after a long product name
        # it was cut at the chart's edge (plotly never wraps a title)
        title={
            "text": product_title(
                lambda p: _("{product}: units and price per week", product=p),
                g["product_name"].iloc[-1] if len(g) else None,
                product_id,
            ),
            "subtitle": {"text": _("Green: promotion weeks; red: the weeks after")},
        },
        yaxis_title=_("units"),
        yaxis2=_right_axis(_("price"), symbol),
        legend={"orientation": "h", "y": -0.2},
        margin={"l": 10, "r": 10, "t": 70, "b": 40},  # the title and its key under it
    )
    return with_currency(fig, symbol)


def _right_axis(title: str, symbol: str = "") -> dict:
    """A second y axis on the right with its own round ticks and no grid of its own: the
    dashboard's chart theme lines its ticks up with the left axis's grid ("sync"), which put
    prices such as 6.68, 7.62, 8.55 on it. ``symbol``: a money axis's currency sign (ticks
    ``£2,400``, a loss ``-£120``: charts.money)."""
    return {
        "title": title,
        "tickformat": ",",  # 2,400, not 2400 (d3's "," keeps the default precision)
        **money_axis(symbol),
        "overlaying": "y",
        "side": "right",
        "tickmode": "auto",
        "showgrid": False,
    }


def validation_chart(result: PricingResult) -> go.Figure:
    """Held-out MAE per product: the price model against the naive baseline."""
    v = result.validation
    top = float(max(v["model_mae"].max(), v["baseline_mae"].max())) if len(v) else 1.0
    fig = go.Figure()
    beats = v["beats"].astype(bool)
    # one trace per colour, so the legend says what blue and orange mean
    for mask, colour, name in (
        (beats, _BLUE, _("the model is better")),
        (~beats, _ORANGE, _("the naive forecast is better")),
    ):
        part = v[mask]
        fig.add_trace(
            go.Scatter(
                x=part["baseline_mae"],
                y=part["model_mae"],
                mode="markers",
                text=_named(part),
                marker={"color": colour, "size": 9},
                hovertemplate="%{text}<br>"
                + word_figure(_("naive"), "%{x:.1f}")
                + "<br>"
                + word_figure(_("model"), "%{y:.1f}")
                + "<extra></extra>",
                name=name,
            )
        )
    fig.add_trace(
        go.Scatter(
            x=[0, top],
            y=[0, top],
            mode="lines",
            line={"dash": "dot", "color": "grey"},
            name=_("equal error"),
        )
    )
    fig.update_layout(
        title=_("Held-out error per product (below the line: the model beats the naive forecast)"),
        xaxis_title=_("Naive forecast's error, units a week (MAE)"),
        yaxis_title=_("Price model's error, units a week (MAE)"),
        legend={"orientation": "h", "y": -0.2},
        margin={"l": 10, "r": 10, "t": 50, "b": 40},
    )
    return fig
