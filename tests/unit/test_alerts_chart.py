"""The alerts-per-month chart (Alerts page and report): counts of alerts tick whole numbers."""

from __future__ import annotations

import pandas as pd
import pytest

from ecomdash.charts.alerts import severity_figure
from ecomdash.i18n import fmt


class _PerMonth:
    """What the Alerts page's and the report's per-month chart reads of an AlertsResult."""

    def __init__(self, high, medium, low) -> None:
        self._pm = pd.DataFrame(
            {
                "month": pd.period_range("2026-01", periods=len(high), freq="M"),
                "high": high,
                "medium": medium,
                "low": low,
            }
        )

    def per_month(self) -> pd.DataFrame:
        return self._pm


def _ticks(axis, top: float) -> list[float]:
    return [axis.tick0 + i * axis.dtick for i in range(int(top // axis.dtick) + 2)]


@pytest.mark.parametrize(
    ("high", "medium", "low", "dtick"),
    [
        ([0, 1, 0], [1, 0, 0], [0, 0, 0], 1),  # the report's demo: at most one a month
        ([0, 0, 0], [0, 0, 0], [0, 0, 0], 1),  # none at all
        ([2, 9, 1], [3, 20, 0], [1, 18, 4], 10),  # 47 in the busiest month
    ],
)
def test_alerts_per_month_ticks_whole_numbers(high, medium, low, dtick):
    """Counts of alerts tick 0, 1, 2 … (or 0, 10, 20 …), never 0.2, 0.4 …, in the app's
    Alerts page and in the report (both draw severity_figure)."""
    fig = severity_figure(_PerMonth(high, medium, low))
    y = fig.layout.yaxis
    top = max(h + m + lo for h, m, lo in zip(high, medium, low, strict=True))
    assert (y.tick0, y.dtick) == (0, dtick)
    assert all(float(t).is_integer() for t in _ticks(y, top))
    assert y.tickformat == ",d"  # no decimals on the labels either


def test_the_demos_alerts_per_month_tick_whole_numbers(demo_alerts):
    y = severity_figure(demo_alerts).layout.yaxis
    assert y.dtick >= 1 and float(y.dtick).is_integer() and y.tick0 == 0


@pytest.mark.parametrize(
    ("metric", "money", "hover"),
    [
        ("revenue", True, "%{y:$,.0f}"),  # d3's currency, after the sign (charts.money)
        ("aov", True, "%{y:$,.2f}"),
        ("orders", False, "%{y:,.0f}"),
        ("return_rate", False, "%{customdata}"),  # fmt.pct's text per point (charts.percent)
    ],
)
def test_daily_series_shows_money_in_the_shops_currency(demo_alerts, metric, money, hover):
    """The Alerts page's daily chart read '0, 10k, 20k' for net revenue with no currency and
    '0.05' for a return rate: money metrics carry the dataset's sign on the axis and in every
    hover of a drawn line or marker, the return rate is a percentage, counts are whole."""
    from ecomdash.charts.alerts import series_figure
    from ecomdash.charts.money import TICK_FORMAT, figure_currency

    fig = series_figure(demo_alerts, metric, symbol="£")
    assert fig.layout.yaxis.tickprefix is None  # it wrote £-5,000
    assert fig.layout.yaxis.tickformat == (TICK_FORMAT if money else None)
    assert figure_currency(fig) == ("£" if money else None)
    if metric == "return_rate":  # ticks and hovers as the tables write a share: "5 %"
        assert fig.layout.yaxis.ticksuffix == fmt.pct_sign("en")  # plotly's ticks (pct_axis)
        assert all(c.endswith("\u00a0%") for t in fig.data if t.customdata for c in t.customdata)
    shown = [t for t in fig.data if t.hoverinfo != "skip"]
    assert len(shown) >= 3  # expected, actual and at least one severity's markers
    assert {t.hovertemplate for t in shown} == {hover}
    assert series_figure(demo_alerts, metric).layout.yaxis.tickformat is None  # no currency


@pytest.mark.parametrize("months", [1, 2, 6])
def test_a_few_months_tick_one_a_month(months):
    """Five days of alerts drew one bar under '11月01日 00:00' (plotly ticked hours): a few
    months tick one a month, which the Chinese axis writes 2026年1月 (charts.locale's stop
    for ticks 28 days to a year apart) and the English Jan 2026."""
    from ecomdash.charts.locale import localise
    from ecomdash.i18n import use_lang

    pm = _PerMonth([0] * months, [0] * months, [3] * months)
    fig = severity_figure(pm)
    x = fig.layout.xaxis
    assert (x.dtick, x.tick0) == ("M1", "2026-01")
    with use_lang("zh"):
        x = localise(fig).layout.xaxis
    month_ms = 31 * 86_400_000
    [shown] = [
        s.value
        for s in x.tickformatstops
        if (s.dtickrange[0] or 0) <= month_ms < (s.dtickrange[1] or float("inf"))
    ]
    assert shown == "%Y年%-m月"
