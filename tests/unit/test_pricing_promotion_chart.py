"""The Pricing page's promotion chart: the promotions it draws on a big shop (the top by
revenue at stake), an interval cut at the axis edge marked there, the interval in every hover
(fmt.times / fmt.pct_upto), in English and Chinese."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from ecomdash.charts import pricing as charts
from ecomdash.i18n import fmt, use_lang

SP = {"en": "\u00a0%", "zh": "%"}


def _promos(n: int, *, seed: int = 3) -> pd.DataFrame:
    """``n`` promotions with ordinary intervals and net revenue between -£2,000 and £2,000."""
    rng = np.random.default_rng(seed)
    lift = rng.uniform(0.6, 3.0, n)
    dip = rng.uniform(-0.5, 0.3, n)
    return pd.DataFrame(
        {
            "product_id": [f"P{k:03d}" for k in range(n)],
            "product_name": [f"Product {k}" for k in range(n)],
            "start": pd.date_range("2025-01-06", periods=n, freq="7D"),
            "lift": lift,
            "lift_low": lift * 0.7,
            "lift_high": lift * 1.4,
            "dip": dip,
            "dip_low": dip - 0.2,
            "dip_high": dip + 0.2,
            "net_revenue": rng.uniform(-2000, 2000, n),
        }
    )


def _chart(promos, lang="en", **kw):
    with use_lang(lang):
        return charts.promotion_chart(SimpleNamespace(promotions=promos), **kw)


def test_a_big_shop_draws_the_promotions_with_the_most_revenue_at_stake():
    """UCI has 347 promotions: one bar pair each on one chart left every bar a pixel wide. The
    chart draws the 20 with the most revenue at stake (net revenue gained or lost), in the
    table's order; a promotion of a few orders with a wild lift and little money is left out,
    the biggest loss kept."""
    promos = _promos(40)
    promos.loc[5, ["lift", "lift_low", "lift_high", "net_revenue"]] = [900.0, 0.5, 1e15, 12.0]
    promos.loc[31, "net_revenue"] = -9_000.0  # the biggest loss
    fig = _chart(promos)
    assert charts.PROMOTION_CHART_TOP == 20
    lift, dip = fig.data[:2]
    assert len(lift.x) == len(dip.x) == 20
    stake = promos["net_revenue"].abs()
    want = promos[stake >= stake.sort_values(ascending=False).iloc[19]]
    shown = [x.split("<br>")[0] for x in lift.x]
    assert shown == [
        f"{n} ({p})" for n, p in zip(want["product_name"], want["product_id"], strict=True)
    ]
    assert "Product 31 (P031)" in shown and "Product 5 (P005)" not in shown
    np.testing.assert_allclose(lift.y, want["lift"] - 1)
    np.testing.assert_allclose(dip.y, want["dip"])
    # their names upright: plotly slanted 15 at 30° on a 1,100 px page, each over the next
    assert fig.layout.xaxis.tickangle == 90
    # a shop with fewer draws them all, in the table's order, names as plotly lays them out
    few = _promos(4)
    assert len(_chart(few).data[0].x) == 4 and _chart(few).layout.xaxis.tickangle is None
    assert len(charts.chart_promotions(few, 2)) == 2


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_hover_gives_the_interval(lang):
    """The hover said the bar's change only ("units +100 % vs before"): it gives the lift and
    its 90 % interval as the table writes a lift ("Lift 2.0× (90 % range 1.6× to 2.4×)") and the
    dip's as a change ("Dip after -20 % (90 % range -35 % to -5 %)")."""
    promos = pd.DataFrame(
        {
            "product_name": ["Mug", "Tea"],
            "product_id": ["a", "b"],
            "start": pd.to_datetime(["2025-03-03", "2025-06-02"]),
            "lift": [2.0, 0.32],
            "lift_low": [1.6, 0.014],
            "lift_high": [2.4, 1.5],
            "dip": [-0.2, np.nan],
            "dip_low": [-0.35, np.nan],
            "dip_high": [-0.05, np.nan],
            "net_revenue": [100.0, -50.0],
        }
    )
    fig = _chart(promos, lang)
    lift, dip = fig.data[:2]
    sp = SP[lang]
    if lang == "en":
        assert list(lift.hovertext) == [
            "Lift 2.0× (90\u00a0% range 1.6× to 2.4×)",
            "Lift 0.32× (90\u00a0% range 0.01× to 1.5×)",
        ]
        assert list(dip.hovertext) == [
            f"Dip after -20{sp} (90\u00a0% range -35{sp} to -5{sp})",
            "No weeks after it yet",
        ]
    else:
        assert list(lift.hovertext) == [
            "提升\u00a02.0\u00a0倍（90% 区间\u00a01.6\u00a0倍 至\u00a02.4\u00a0倍）",
            "提升\u00a00.32\u00a0倍（90% 区间\u00a00.01\u00a0倍 至\u00a01.5\u00a0倍）",
        ]
        assert (
            dip.hovertext[0] == f"促销后回落\u00a0-20{sp}（90% 区间\u00a0-35{sp} 至\u00a0-5{sp}）"
        )
        assert dip.hovertext[1] == "促销之后尚无完整的周"
    for trace in (lift, dip):
        assert "%{hovertext}" in trace.hovertemplate and "%{customdata}" in trace.hovertemplate
    assert len(fig.data) == 2  # no interval cut: no edge marks


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_interval_cut_at_the_axis_edge_is_marked_there(lang):
    """Since the axis spans the bars (UCI's intervals to 10^15 times flattened them), an
    interval end further out is cut at the edge, and its whisker reached the edge with no mark
    that it goes further: a triangle now sits at the edge over that bar (its own bar of the
    pair: the offset group), its hover and the bar's giving the interval in words a merchant
    reads ("more than 100×", not 5,000,000,000,000,000×)."""
    promos = pd.DataFrame(
        {
            "product_name": ["Mug", "Tea"],
            "product_id": ["a", "b"],
            "start": pd.to_datetime(["2025-03-03", "2025-06-02"]),
            "lift": [2.0, 1.3],
            "lift_low": [1e-13, 1.1],
            "lift_high": [5e15, 1.5],
            "dip": [-0.2, 0.05],
            "dip_low": [-1.0, -0.1],
            "dip_high": [3e63, 0.2],
            "net_revenue": [300.0, 200.0],
        }
    )
    fig = _chart(promos, lang)
    lo, hi = fig.layout.yaxis.range
    assert hi < 5e15 - 1 and hi < 3e63
    lift, dip, *marks = fig.data
    assert [m.offsetgroup for m in marks] == ["lift", "dip"]
    assert (lift.offsetgroup, dip.offsetgroup, fig.layout.scattermode) == ("lift", "dip", "group")
    up_lift, up_dip = marks
    # Mug's lift and its dip run past the top; Tea's intervals are inside
    assert list(up_lift.x) == [lift.x[0]] and list(up_lift.y) == [hi]
    assert list(up_lift.marker.symbol) == ["triangle-up"]
    assert list(up_dip.x) == [dip.x[0]] and list(up_dip.y) == [hi]
    assert all(m.cliponaxis is False for m in marks)  # drawn whole at the edge
    # one legend entry says what a triangle means
    assert [m.showlegend for m in marks] == [True, False]
    sp = SP[lang]
    if lang == "en":
        assert up_lift.name == "interval goes on past the edge"
        assert up_lift.hovertext[0] == (
            "Lift 2.0× (90\u00a0% range less than 0.01× to more than 100×)"
        )
        assert up_dip.hovertext[0] == (
            f"Dip after -20{sp} (90\u00a0% range -100{sp} to more than +10,000{sp})"
        )
    else:
        assert up_lift.name == "区间超出图的边缘"
        assert up_lift.hovertext[0] == (
            "提升\u00a02.0\u00a0倍（90% 区间\u00a0不到\u00a00.01\u00a0倍 至\u00a0超过\u00a0100\u00a0倍）"
        )
        assert up_dip.hovertext[0] == (
            f"促销后回落\u00a0-20{sp}（90% 区间\u00a0-100{sp} 至\u00a0超过\u00a0+10,000{sp}）"
        )
    assert up_lift.hovertext[0] == lift.hovertext[0]  # the bar's hover says it too

    # small bars: an interval far below them is cut at the bottom, marked pointing down
    small = promos.assign(lift=[1.1, 1.05], lift_low=[0.2, 1.0], lift_high=[1.15, 1.1])
    small = small.assign(dip=[0.02, 0.0], dip_low=[-0.05, -0.05], dip_high=[0.05, 0.05])
    fig = _chart(small, lang)
    lo, _hi = fig.layout.yaxis.range
    assert -0.8 < lo < 0
    (down,) = fig.data[2:]
    assert list(down.x) == [fig.data[0].x[0]] and list(down.y) == [lo]
    assert list(down.marker.symbol) == ["triangle-down"] and down.offsetgroup == "lift"


def test_times_and_capped_percent():
    # Chinese: the catalogue's "{lift}\u00a0倍", and 超过 / 不到 joined to the figure after them
    assert fmt.times(1.84, lang="en") == "1.8×" and fmt.times(1.84, lang="zh") == "1.8\u00a0倍"
    assert fmt.times(38.5, lang="en") == "39×"  # half up, whole from ten
    assert fmt.times(0.125, lang="en") == "0.13×"
    assert fmt.times(1.2e15, lang="en") == "more than 100×"
    assert fmt.times(float("inf"), lang="zh") == "超过\u00a0100\u00a0倍"
    assert (
        fmt.times(0.0, lang="en") == "0×"
        and fmt.times(1e-13, lang="zh") == "不到\u00a00.01\u00a0倍"
    )
    assert fmt.times(0.0, lang="zh") == "0\u00a0倍"
    assert fmt.pct_upto(3e63, lang="zh") == "超过\u00a0+10,000%"
    assert fmt.times(float("nan"), lang="en") == fmt.MISSING
    assert fmt.pct_upto(0.25, lang="en") == "+25\u00a0%"
    assert fmt.pct_upto(3e63, lang="en") == "more than +10,000\u00a0%"
    assert fmt.pct_upto(float("nan"), lang="en") == fmt.pct(float("nan"), 0, signed=True)
