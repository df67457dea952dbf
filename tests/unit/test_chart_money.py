"""Money on charts writes its sign as fmt.money does (branch axisfix): a negative tick or hover
reads ``-£5,000`` / ``-¥5,000``, never ``£-5,000`` / ``¥−100,000`` (plotly's ``tickprefix``
and ``£%{y:,.0f}`` put the sign after the currency). Every money axis and hover goes through
``ecomdash.charts.money``: d3's currency symbol (``$,~f``, ``%{y:$,.0f}``), which goes after
the sign, its text the dataset's currency from the chart's plotly config — so plotly still
computes the ticks and a zoomed axis gets its own.

What the browser draws from these settings was checked in Chromium with plotly.js (ticks
``−£5,000, £0, £5,000``, after a zoom ``−£1,000, −£500, £0, £500``; a bar's text
``-£5,000.00``; the same with ¥ in Chinese). These tests pin the settings and the config.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from ecomdash.charts.locale import plotly_config
from ecomdash.charts.money import TICK_FORMAT, figure_currency, money_axis, money_hover
from ecomdash.i18n import use_lang

CHARTS = Path(__file__).resolve().parents[2] / "ecomdash" / "charts"
SYMBOL = {"en": "£", "zh": "¥"}


def test_no_chart_puts_a_currency_before_the_sign():
    """No ``tickprefix`` (plotly writes it before the minus) and no sign written before a
    plotly number (``£%{y:,.0f}``, ``{symbol}%{{x``) in ecomdash/charts: charts.money's
    formats instead."""
    found = []
    for path in CHARTS.glob("*.py"):
        if path.name == "money.py":  # the helper, whose docstring names them
            continue
        text = path.read_text(encoding="utf-8")
        pattern = r"tickprefix|symbol\}?\s*\+?\s*f?[\"']%\{|\{symbol\}%\{\{|symbol \+ amount"
        for m in re.finditer(pattern, text):
            found.append(f"{path.name}: {m.group(0)}")
    assert not found, found


def _currency(fig, lang: str) -> str:
    """The currency the chart's plotly config gives d3's ``$`` (as show_chart builds it)."""
    config = plotly_config(lang, currency=figure_currency(fig))
    return config["locales"][config["locale"]]["format"]["currency"][0]


def _money_axis(axis) -> None:
    assert axis.tickformat == TICK_FORMAT and axis.tickprefix is None
    assert axis.tickmode in (None, "auto") and axis.tickvals is None  # plotly's own ticks


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_overview_trend_and_breakdown(lang):
    from ecomdash.charts.overview import breakdown_figure, trend_figure

    sym = SYMBOL[lang]
    trend = pd.DataFrame(
        {
            "period": pd.date_range("2025-01-01", periods=3, freq="MS"),
            "gross_sales": [1000.0, 200.0, 3000.0],
            "returns": [100.0, 5200.0, 0.0],  # drawn below zero
            "revenue": [900.0, -5000.0, 3000.0],
        }
    )
    with use_lang(lang):
        fig = trend_figure(SimpleNamespace(trend=trend, events=(), grain="month"), symbol=sym)
        rows = pd.DataFrame({"key": ["US", "FR"], "revenue": [-120.0, 900.0], "orders": [3, 9]})
        bars = breakdown_figure(rows, "Top countries", symbol=sym)
    _money_axis(fig.layout.yaxis)
    assert {t.hovertemplate for t in fig.data} == {"%{y:$,.2f}", "%{customdata:$,.2f}"}
    _money_axis(bars.layout.xaxis)
    assert "%{x:$,.2f}" in bars.data[0].hovertemplate
    assert _currency(fig, lang) == sym and _currency(bars, lang) == sym


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_alerts_money_series(lang):
    from ecomdash.charts.alerts import series_figure

    days = pd.date_range("2025-01-01", periods=3)
    series = pd.DataFrame(
        {
            "dim": "shop",
            "metric": "revenue",
            "day": days,
            "lo": [-800.0, -500.0, 100.0],
            "hi": [900.0, 1000.0, 1200.0],
            "expected": [50.0, 250.0, 650.0],
            "actual": [40.0, -2000.0, 700.0],
        }
    )
    alerts = pd.DataFrame({"kind": ["unusual_day"], "severity": ["high"], "date": [days[1]]})
    sym = SYMBOL[lang]
    with use_lang(lang):
        fig = series_figure(SimpleNamespace(series=series, alerts=alerts), "revenue", symbol=sym)
    _money_axis(fig.layout.yaxis)
    shown = {t.hovertemplate for t in fig.data if t.hoverinfo != "skip"}
    assert shown == {"%{y:$,.0f}"}
    assert _currency(fig, lang) == sym


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_forecast_groups_total(lang):
    from ecomdash.charts.forecast_groups import total_figure

    total = pd.DataFrame(
        {
            "period": pd.date_range("2025-01-06", periods=4, freq="W-MON"),
            "actual": [-300.0, 500.0, np.nan, np.nan],
            "forecast": [np.nan, np.nan, 400.0, 450.0],
            "direct": [np.nan, np.nan, 420.0, 430.0],
        }
    )
    res = SimpleNamespace(
        total=total,
        reconciliation="bottom_up",
        direct_model="ets",
        metric="revenue",
        freq="W",
    )
    sym = SYMBOL[lang]
    with use_lang(lang):
        fig = total_figure(res, symbol=sym)
    _money_axis(fig.layout.yaxis)
    assert fig.layout.yaxis.hoverformat == "$,.0f"  # the unified hover: -£300
    assert _currency(fig, lang) == sym


def test_forecast_hovers():
    from ecomdash.charts.forecast import _money, _money_hover

    assert _money_hover("£") == {"hovertemplate": "%{y:$,.0f}"}
    assert _money_hover("") == {}
    fold = "fold 1: %{customdata[0]}<br>forecast %{y:,.0f}<br>actual %{customdata[1]:,.0f}"
    assert _money(fold, "£") == (
        "fold 1: %{customdata[0]}<br>forecast %{y:$,.0f}<br>actual %{customdata[1]:$,.0f}"
    )


def test_pricing_right_axis_and_hovers():
    from ecomdash.charts.pricing import _right_axis

    axis = _right_axis("profit a week", "£")
    assert axis["tickformat"] == TICK_FORMAT and "tickprefix" not in axis
    assert axis["tickmode"] == "auto" and axis["overlaying"] == "y"
    assert _right_axis("units", "")["tickformat"] == ","  # no currency: thousands only
    assert money_hover("x", 2, symbol="£") == "%{x:$,.2f}"


def test_without_a_currency_nothing_says_dollars():
    """d3's ``$`` is the locale's currency, ``$`` by default: a chart without a known currency
    never uses it, and the config carries one only for a figure marked with one."""
    assert money_axis("") == {}
    assert "$" not in money_hover(symbol="")
    assert plotly_config("en", {"displaylogo": False}) == {"displaylogo": False}
    en = plotly_config("en", currency="€")
    assert en["locale"] == "en-US" and en["locales"]["en-US"] == {"format": {"currency": ["€", ""]}}
    zh = plotly_config("zh", currency="¥")
    assert zh["locale"] == "zh-CN"
    loc = zh["locales"]["zh-CN"]
    assert loc["format"]["currency"] == ["¥", ""] and loc["format"]["months"][0] == "1月"
    assert loc["dictionary"]["Zoom"] == "缩放"  # the toolbar keeps its Chinese


def test_show_chart_and_the_report_give_the_figure_its_currency():
    """Every page chart goes through show_chart, every report chart through figure_html: both
    build the config with the figure's currency (a cached figure's dict too)."""
    import json

    import plotly.graph_objects as go

    from ecomdash.charts.money import with_currency
    from ecomdash.report.render import figure_html
    from ecomdash.ui.common import show_chart
    from ecomdash.ui.figcache import PreparedFigure

    fig = with_currency(go.Figure(go.Bar(x=["a"], y=[-5.0])), "£")
    sent = []
    where = SimpleNamespace(plotly_chart=lambda f, **kw: sent.append(kw["config"]))
    show_chart(fig, where=where)
    spec = fig.to_dict()
    show_chart(PreparedFigure(spec, json.dumps(spec)), where=where)
    for config in sent:
        assert config["locales"][config["locale"]]["format"]["currency"] == ["£", ""]
    html = figure_html(fig, "f1")
    assert '"currency":["£",""]' in html.replace(" ", "") or '"currency":["\\u00a3",""]' in (
        html.replace(" ", "")
    )
