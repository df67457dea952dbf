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
