"""The Overview's trend by month names its months on the axis: over a few months plotly ticks
days, and a single month's bars read "Nov 1 2024" (as the Alerts per month did, Chromium)."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from ecomdash.charts.locale import MONTH_TICKS
from ecomdash.charts.overview import trend_figure


def _trend(periods: list[str]) -> pd.DataFrame:
    n = len(periods)
    return pd.DataFrame(
        {
            "period": pd.to_datetime(periods),
            "revenue": [90.0] * n,
            "gross_sales": [100.0] * n,
            "returns": [10.0] * n,
            "orders": [3] * n,
        }
    )


@pytest.mark.parametrize("metric", ["revenue", "orders"])
def test_a_monthly_trend_ticks_each_month_by_its_name(metric):
    one = trend_figure(
        SimpleNamespace(trend=_trend(["2024-11-01"]), events=(), grain="month"), metric
    )
    axis = one.layout.xaxis
    assert (axis.tickformat, axis.dtick) == (MONTH_TICKS, "M1")
    assert str(axis.tick0).startswith("2024-11")
    # many months: plotly's own spacing, still named by month
    many = [f"{y}-{m:02d}-01" for y in (2023, 2024) for m in range(1, 13)]
    axis = trend_figure(
        SimpleNamespace(trend=_trend(many), events=(), grain="month"), metric
    ).layout.xaxis
    assert axis.tickformat == MONTH_TICKS and axis.dtick is None
    # a daily trend keeps plotly's day ticks
    daily = trend_figure(
        SimpleNamespace(trend=_trend(["2024-11-01", "2024-11-02"]), events=(), grain="day"),
        metric,
    )
    assert daily.layout.xaxis.tickformat is None


@pytest.mark.parametrize("metric", ["revenue", "orders"])
def test_a_monthly_trend_has_no_tick_before_its_first_month(metric):
    """The demo's trend from November 2024 to October 2026 had a tick "Oct 2024" left of its
    first bar (plotly's padding reached past 1 October; Chromium, 1280 px): the axis spans
    the bars and half a month each side, so its first tick is a month with a bar."""
    months = pd.date_range("2024-11-01", "2026-10-01", freq="MS").strftime("%Y-%m-%d")
    fig = trend_figure(
        SimpleNamespace(trend=_trend(list(months)), events=(), grain="month"), metric
    )
    lo, hi = (pd.Timestamp(x) for x in fig.layout.xaxis.range)
    assert pd.Timestamp("2024-10-01") < lo < pd.Timestamp("2024-11-01"), lo
    assert pd.Timestamp("2026-10-01") < hi < pd.Timestamp("2026-11-01"), hi
    # a single month keeps plotly's range: in a fixed one its bar was a pixel wide (the
    # Alerts per month of a Pinduoduo export of November 2024, Chromium)
    one = trend_figure(
        SimpleNamespace(trend=_trend(["2024-11-01"]), events=(), grain="month"), metric
    )
    assert one.layout.xaxis.range is None
