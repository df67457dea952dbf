"""Percentages on charts follow fmt.pct's rule per language (branch fmtfix): ``30 %`` and
``+100 %`` in English, ``30%`` and ``+100%`` in Chinese, on every percent axis, colour bar and
hover, as the table beside the chart writes them (plotly's own ``.0%`` wrote ``30%`` in both).

An axis of shares never below zero (branch axisfix) draws percentage points with plotly's own
ticks and fmt.pct's sign as their suffix (``charts.percent.pct_axis``), so a zoomed axis gets
new ticks; a change's axis (``+50 %``) and a colour bar keep ticks written by fmt.pct.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from ecomdash.charts.percent import pct_axis, pct_text, pct_ticks
from ecomdash.i18n import fmt, use_lang

CHARTS = Path(__file__).resolve().parents[2] / "ecomdash" / "charts"


def _tick_texts(axis) -> list[str]:
    assert axis.tickmode == "array", "a percent axis writes its own ticks"
    return list(axis.ticktext)


def _points_axis(axis, lang: str) -> None:
    """``axis`` is a percent axis plotly ticks itself: fmt.pct's sign after its ticks (" %"
    / "%"), whole numbers with thousands (no "1.2k %"), no fixed list of ticks (a zoomed
    axis keeps plotly's round ticks)."""
    assert axis.ticksuffix == fmt.pct_sign(lang) and axis.tickformat is None
    assert axis.exponentformat == "none" and axis.separatethousands
    assert axis.tickvals is None and axis.ticktext is None and axis.tickmode in (None, "auto")


def test_a_percent_axis_of_points_writes_fmt_pcts_sign():
    assert pct_axis(lang="en")["ticksuffix"] == fmt.pct(0.3, 0, lang="en").removeprefix("30")
    assert pct_axis(lang="zh")["ticksuffix"] == "%"


def _spaced(lang: str) -> str:
    """The regex a percentage must match in ``lang``: "30 %" / "30%"."""
    return r"^[+-]?[\d,]+(\.\d+)?\u00a0%$" if lang == "en" else r"^[+-]?[\d,]+(\.\d+)?%$"


def test_no_chart_uses_plotlys_own_percent_format():
    """Every percent of ecomdash/charts goes through charts.percent: no ``.0%`` tickformat and
    no ``%{x:.1%}`` in a hover or text template (plotly writes 30% in every language)."""
    found = []
    for path in CHARTS.glob("*.py"):
        if path.name == "percent.py":  # the helper, whose docstring names them
            continue
        text = path.read_text(encoding="utf-8")
        for m in re.finditer(r"%\{[^}]*:[^}]*%\}|tickformat[\"']?\s*[:=]\s*[\"'][^\"']*%", text):
            found.append(f"{path.name}: {m.group(0)}")
    assert not found, found


@pytest.mark.parametrize(
    ("lo", "hi", "signed", "lang", "want"),
    [
        (0.0, 0.31, False, "en", ["0\u00a0%", "10\u00a0%", "20\u00a0%", "30\u00a0%", "40\u00a0%"]),
        (0.0, 0.31, False, "zh", ["0%", "10%", "20%", "30%", "40%"]),
        (-0.4, 1.0, True, "en", ["-50\u00a0%", "0\u00a0%", "+50\u00a0%", "+100\u00a0%"]),
        (-0.4, 1.0, True, "zh", ["-50%", "0%", "+50%", "+100%"]),
        (0.0, 0.012, False, "en", ["0.0\u00a0%", "0.5\u00a0%", "1.0\u00a0%", "1.5\u00a0%"]),
        (
            0.0,
            0.05,
            False,
            "en",
            ["0\u00a0%", "1\u00a0%", "2\u00a0%", "3\u00a0%", "4\u00a0%", "5\u00a0%"],
        ),
        (0.0, 12.0, True, "en", ["0\u00a0%", "+500\u00a0%", "+1,000\u00a0%", "+1,500\u00a0%"]),
    ],
)
def test_ticks_are_round_and_written_as_fmt_pct(lo, hi, signed, lang, want):
    ticks = pct_ticks(lo, hi, signed=signed, lang=lang)
    assert ticks["ticktext"] == want
    assert len(ticks["tickvals"]) == len(want)
    assert ticks["tickvals"][0] <= lo and ticks["tickvals"][-1] >= hi


def test_hover_texts_are_fmt_pct():
    assert pct_text([0.334, 0.0412], lang="en") == ["33.4\u00a0%", "4.1\u00a0%"]
    assert pct_text([0.334, np.nan], lang="zh") == ["33.4%", fmt.MISSING]
    assert pct_text([1.0, -0.25, -0.001], 0, signed=True, lang="en") == [
        "+100\u00a0%",
        "-25\u00a0%",
        "0\u00a0%",
    ]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_promotion_chart_axis_and_hover(lang):
    from ecomdash.charts.pricing import promotion_chart

    promos = pd.DataFrame(
        {
            "product_name": ["Mug", "Tea"],
            "product_id": ["a", "b"],
            "start": pd.to_datetime(["2025-03-03", "2025-06-02"]),
            "lift": [2.0, 1.3],
            "lift_low": [1.6, 1.1],
            "lift_high": [2.4, 1.5],
            "dip": [-0.2, 0.05],
            "dip_low": [-0.35, -0.1],
            "dip_high": [-0.05, 0.2],
        }
    )
    with use_lang(lang):
        fig = promotion_chart(SimpleNamespace(promotions=promos))
    ticks = _tick_texts(fig.layout.yaxis)
    assert all(re.match(_spaced(lang), t) for t in ticks), ticks
    sp = fmt.pct_sign(lang)[:-1]
    assert f"+100{sp}%" in ticks and f"0{sp}%" in ticks and f"+0{sp}%" not in ticks
    lift, dip = fig.data
    assert list(lift.customdata) == [f"+100{sp}%", f"+30{sp}%"]
    assert list(dip.customdata) == [f"-20{sp}%", f"+5{sp}%"]
    assert "%{customdata}" in lift.hovertemplate and ":.0%" not in lift.hovertemplate


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_bought_together_axis_and_hover(lang):
    from ecomdash.charts.basket import fbt_figure

    fbt = pd.DataFrame(
        {"name": ["Tea", "Spoon"], "share": [0.334, 0.12], "together": [40, 14], "lift": [2.1, 1.2]}
    )
    with use_lang(lang):
        fig = fbt_figure(fbt, "Mug")
    _points_axis(fig.layout.xaxis, lang)
    bar = fig.data[0]
    assert list(bar.x) == pytest.approx([12.0, 33.4])  # percentage points
    sp = fmt.pct_sign(lang)[:-1]
    # the frame is drawn bottom-up (best at the top): Spoon first
    assert [row[2] for row in bar.customdata] == [f"12.0{sp}%", f"33.4{sp}%"]
    assert "%{customdata[2]}" in bar.hovertemplate


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_rules_network_hover(lang):
    from ecomdash.charts.basket import network_figure
    from tests.unit.test_basket_charts import _result

    res = _result()
    with use_lang(lang):
        fig = network_figure(res, top=4)
    nodes = next(tr for tr in fig.data if tr.mode == "markers+text")
    shares = [row[2] for row in nodes.customdata]
    assert shares and all(re.match(_spaced(lang), s) for s in shares), shares
    assert "%{customdata[2]}" in nodes.hovertemplate


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_recommender_evaluation_axis_and_hover(lang):
    from ecomdash.charts.recommend import evaluation_figure

    table = pd.DataFrame(
        {
            "model": ["popularity", "ease"],
            "hit_rate_at_k": [0.1, 0.334],
            "precision_at_k": [0.012, 0.04],
            "hit_rate_vs_popularity": [1.0, 3.3],
        }
    )
    with use_lang(lang):
        fig = evaluation_figure(SimpleNamespace(table=table, k=10))
    _points_axis(fig.layout.xaxis, lang)
    hit, precision = fig.data
    assert list(hit.x) == pytest.approx([33.4, 10.0])
    assert fig.layout.xaxis.range[1] == pytest.approx(33.4 * 1.15)
    sp = fmt.pct_sign(lang)[:-1]
    assert list(hit.customdata) == [f"33.4{sp}%", f"10.0{sp}%"]  # best at the top
    assert list(precision.customdata) == [f"4.0{sp}%", f"1.2{sp}%"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_segment_treemap_text_and_hover(lang):
    from ecomdash.charts.segment import segment_treemap

    segments = pd.DataFrame(
        {
            "segment": ["Champions", "At risk"],
            "customers": [120, 80],
            "customer_share": [0.6, 0.4],
            "revenue_share": [0.834, 0.166],
            "definition": ["d1", "d2"],
            "action": ["a1", "a2"],
        }
    )
    with use_lang(lang):
        fig = segment_treemap(SimpleNamespace(segments=segments, as_of=pd.Timestamp("2025-12-31")))
    tm = fig.data[0]
    sp = fmt.pct_sign(lang)[:-1]
    assert [list(r[:3]) for r in tm.customdata] == [
        [f"60.0{sp}%", f"83.4{sp}%", f"83{sp}%"],
        [f"40.0{sp}%", f"16.6{sp}%", f"17{sp}%"],
    ]
    assert "%}" not in tm.texttemplate and "%}" not in tm.hovertemplate


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_alerts_return_rate_axis_and_hover(lang):
    from ecomdash.charts.alerts import series_figure

    days = pd.date_range("2025-01-01", periods=3)
    series = pd.DataFrame(
        {
            "dim": "shop",
            "metric": "return_rate",
            "day": days,
            "lo": [-0.01, 0.01, 0.02],
            "hi": [0.08, 0.09, 0.1],
            "expected": [0.04, 0.05, 0.06],
            "actual": [0.041, 0.12, 0.05],
        }
    )
    alerts = pd.DataFrame({"kind": ["unusual_day"], "severity": ["high"], "date": [days[1]]})
    with use_lang(lang):
        fig = series_figure(SimpleNamespace(series=series, alerts=alerts), "return_rate")
    _points_axis(fig.layout.yaxis, lang)
    sp = fmt.pct_sign(lang)[:-1]
    actual = next(t for t in fig.data if list(t.y) == pytest.approx([4.1, 12.0, 5.0]))
    assert list(actual.customdata) == [f"4.1{sp}%", f"12.0{sp}%", f"5.0{sp}%"]
    assert actual.hovertemplate == "%{customdata}"
    # the band's lower edge: a share is never below zero (the robust band's -1 %)
    assert list(fig.data[1].y) == pytest.approx([0.0, 1.0, 2.0])


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_churn_charts_axes(lang):
    from ecomdash.charts.value import probability_calibration_chart, roc_chart

    roc = pd.DataFrame({"model": "logistic", "tpr": [0.0, 0.6, 1.0], "fpr": [0.0, 0.2, 1.0]})
    metrics = pd.DataFrame({"auc": [0.8], "kind": ["model"]}, index=["logistic"])
    cal = pd.DataFrame({"model": "logistic", "predicted": [0.1, 0.5], "observed": [0.12, 0.4]})
    result = SimpleNamespace(roc=roc, metrics=metrics, calibration=cal)
    sp = fmt.pct_sign(lang)[:-1]
    with use_lang(lang):
        figs = [roc_chart(result), probability_calibration_chart(result)]
    for fig in figs:
        for axis in (fig.layout.xaxis, fig.layout.yaxis):
            _points_axis(axis, lang)
        assert fig.layout.xaxis.title.text and fig.layout.yaxis.title.text
        reference = fig.data[-1]  # guessing / perfect: no data to hover
        assert list(reference.x) == [0, 100] and reference.hoverinfo == "skip"
        # the x axis ends at 100 % on the chart's right edge: plotly hides a tick label that
        # would leave the chart, and "100 %" (about 36 px at 12 px) needs half of it beyond
        # the edge (the report's churn chart ended its axis at "80 %" with a 10 px margin;
        # seen in Chromium at 30 px)
        assert fig.layout.margin.r >= 20
    roc, cal = (fig.data[0] for fig in figs)
    # the hovers in percent as the axes (they read 0.8 and 0.4321): stayed 1 - tpr, left 1 - fpr
    assert list(roc.x) == pytest.approx([100.0, 40.0, 0.0])
    assert [list(r) for r in roc.customdata] == [
        [f"100.0{sp}%", f"100.0{sp}%"],
        [f"40.0{sp}%", f"80.0{sp}%"],
        [f"0.0{sp}%", f"0.0{sp}%"],
    ]
    assert [list(r) for r in cal.customdata] == [
        [f"10.0{sp}%", f"12.0{sp}%"],
        [f"50.0{sp}%", f"40.0{sp}%"],
    ]
    for trace in (roc, cal):
        assert "%{customdata[0]}" in trace.hovertemplate
        assert "%{customdata[1]}" in trace.hovertemplate
        assert "%{x" not in trace.hovertemplate and "%{y" not in trace.hovertemplate


def test_promotion_chart_cuts_a_wild_interval_at_the_axis_edge():
    """UCI has promotions of a few orders whose interval runs to 10^61 times the units (the
    page crashed writing the tick, and before that the bars were flattened by an axis to
    10^63 %): the axis spans the bars, with an interval end cut at twice the largest bar."""
    from ecomdash.charts.pricing import promotion_chart

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
        }
    )
    fig = promotion_chart(SimpleNamespace(promotions=promos))
    lo, hi = fig.layout.yaxis.range
    assert lo <= -0.2 and 1.0 <= hi <= 2.5, (lo, hi)  # the +100 % bar and room for its whisker
    assert fig.layout.yaxis.tickvals[-1] == hi
    # and the figures themselves can be written, however large
    assert fmt.pct(3e63).startswith("300,000,000,000")
