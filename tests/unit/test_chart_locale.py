"""Date axes in Chinese: tick and hover formats by zoom level; other axes and English alone."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ecomdash.charts.locale import ZH_HOVER, localise
from ecomdash.i18n import use_lang


def _months():
    return pd.date_range("2025-01-01", periods=6, freq="MS")


def test_date_axes_get_chinese_formats_only_in_chinese():
    fig = go.Figure(go.Scatter(x=_months(), y=list(range(6))))
    assert localise(go.Figure(fig), "en").layout.xaxis.tickformatstops == ()
    with use_lang("zh"):
        zh = localise(go.Figure(fig))
    stops = {tuple(s.dtickrange): s.value for s in zh.layout.xaxis.tickformatstops}
    assert stops[(28 * 86_400_000, 365 * 86_400_000)] == "%Y年%-m月"  # a monthly axis
    assert stops[(86_400_000, 28 * 86_400_000)] == "%m月%d日"
    assert zh.layout.xaxis.hoverformat == ZH_HOVER


def test_a_figure_rebuilt_from_its_dict_and_subplots_are_found():
    """The figure cache rebuilds figures from dicts (dates become strings); subplots put dates
    on xaxis2: both are date axes; a category axis is left alone."""
    fig = make_subplots(rows=1, cols=2)
    fig.add_trace(go.Bar(x=["a", "b"], y=[1, 2]), row=1, col=1)
    fig.add_trace(go.Scatter(x=_months(), y=list(range(6))), row=1, col=2)
    back = go.Figure(fig.to_dict(), _validate=False)
    localise(back, "zh")
    assert back.layout.xaxis2.tickformatstops and back.layout.xaxis2.hoverformat == ZH_HOVER
    assert back.layout.xaxis.tickformatstops == () and back.layout.xaxis.hoverformat is None


def test_month_strings_are_dates_too():
    """A bar chart of months as text ("2025-01"): plotly reads it as dates, so does localise."""
    fig = go.Figure(go.Bar(x=["2025-01", "2025-02"], y=[3, 4]))
    assert localise(fig, "zh").layout.xaxis.hoverformat == ZH_HOVER
    words = go.Figure(go.Bar(x=["2025 plan", "Jan-Feb"], y=[3, 4]))
    assert localise(words, "zh").layout.xaxis.hoverformat is None


def test_value_axes_lose_si_suffixes_in_chinese_only():
    """1.2M / 40k are Latin letters a Chinese operator does not read as amounts: value axes
    show whole numbers with separators; a percentage axis keeps its format; a pie has none."""
    fig = make_subplots(rows=1, cols=2)
    fig.add_trace(go.Scatter(x=_months(), y=[1.2e6] * 6), row=1, col=1)
    fig.add_trace(go.Bar(x=["a", "b"], y=[0.1, 0.2]), row=1, col=2)
    fig.update_layout(yaxis2_tickformat=".0%")
    en = localise(go.Figure(fig), "en")
    assert en.layout.yaxis.exponentformat is None and en.layout.yaxis.separatethousands is None
    zh = localise(go.Figure(fig), "zh")
    assert zh.layout.yaxis.exponentformat == "none" and zh.layout.yaxis.separatethousands
    assert zh.layout.yaxis2.tickformat == ".0%" and zh.layout.yaxis2.exponentformat is None
    assert zh.layout.xaxis.exponentformat is None  # the date axis keeps its date formats
    assert zh.layout.xaxis.hoverformat == ZH_HOVER
    pie = localise(go.Figure(go.Pie(labels=["a"], values=[1])), "zh")
    assert pie.data[0].type == "pie"


def test_plotly_config_carries_the_chinese_locale_only_in_chinese():
    from ecomdash.charts.locale import ZH_PLOTLY_LOCALE, plotly_config

    assert plotly_config("en", {"displaylogo": False}) == {"displaylogo": False}
    zh = plotly_config("zh", {"displaylogo": False})
    assert zh["displaylogo"] is False and zh["locale"] == "zh-CN"
    loc = zh["locales"]["zh-CN"]
    assert loc is ZH_PLOTLY_LOCALE and len(loc["format"]["months"]) == 12
    assert loc["dictionary"]["Download plot as a png"] == "下载图表为PNG格式"
    with use_lang("zh"):
        assert plotly_config()["locale"] == "zh-CN"


def test_every_page_chart_goes_through_show_chart():
    """show_chart puts the axes and plotly's toolbar in the merchant's language; a chart drawn
    with ``st.plotly_chart`` or ``column.plotly_chart`` directly would stay English."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    files = [*root.joinpath("ecomdash").rglob("*.py"), *root.joinpath("pages").rglob("*.py")]
    direct = [
        f"{p.relative_to(root)}:{n}"
        for p in files
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\.plotly_chart\(", line) and "(where or st).plotly_chart" not in line
    ]
    assert len(files) > 50
    assert direct == []


def test_a_few_days_of_daily_data_tick_one_a_day():
    """Five days of a Taobao shop: the report's and the Overview's daily trend ticked every
    12 hours ('11月11日 12:00' under a day's revenue); a few whole days tick one a day, in
    both languages. Longer spans, times of day and an axis with its own ticks are left to
    plotly."""
    import plotly.graph_objects as go

    from ecomdash.charts.locale import DAY_MS, localise

    def fig(x):
        f = go.Figure()
        f.add_scatter(x=x, y=list(range(len(x))))
        return f

    days = pd.date_range("2024-11-11", periods=5, freq="D")
    for lang in ("zh", "en"):
        x = localise(fig(days), lang).layout.xaxis
        assert (x.dtick, x.tick0) == (DAY_MS, "2024-11-11T00:00:00")
        if lang == "zh":  # the first stop holding a day's dtick writes no time of day
            [fmt] = [
                s.value
                for s in x.tickformatstops
                if (s.dtickrange[0] or 0) <= DAY_MS <= (s.dtickrange[1] or float("inf"))
            ][:1]
            assert fmt == "%m月%d日", fmt
        x = localise(fig([d.strftime("%Y-%m-%d") for d in days]), lang).layout.xaxis
        assert x.dtick == DAY_MS  # the days as text, as a chart built from a table has them
    assert (
        localise(fig(pd.date_range("2024-11-11", periods=60, freq="D"))).layout.xaxis.dtick is None
    )
    hours = pd.date_range("2024-11-11 09:30", periods=5, freq="h")
    assert localise(fig(hours)).layout.xaxis.dtick is None
    own = fig(days)
    own.update_xaxes(dtick="M1")
    assert localise(own).layout.xaxis.dtick == "M1"


def test_up_to_two_weeks_of_daily_data_tick_every_other_day():
    """9 to 15 days: plotly ticked every two or three days by the chart's width, from a day
    before or after the data (Chromium: 'Nov 10' on 15 days from 11 November at 450 px,
    'Nov 12' first under 11 days); they tick every other day from the first day, dates
    without a time of day in both languages. 8 days still tick daily, 16 are left to plotly."""
    import plotly.graph_objects as go

    from ecomdash.charts.locale import DAY_MS, localise

    def axis(n, lang):
        x = pd.date_range("2024-11-11", periods=n, freq="D")
        return localise(go.Figure(go.Bar(x=x, y=list(range(n)))), lang).layout.xaxis

    for lang in ("zh", "en"):
        assert axis(8, lang).dtick == DAY_MS
        for n in (9, 11, 15):
            x = axis(n, lang)
            assert (x.dtick, x.tick0) == (2 * DAY_MS, "2024-11-11T00:00:00"), n
            if lang == "zh":
                held = [
                    s.value
                    for s in x.tickformatstops
                    if (s.dtickrange[0] or 0) <= 2 * DAY_MS <= (s.dtickrange[1] or float("inf"))
                ]
                assert held[0] == "%m月%d日"
        assert axis(16, lang).dtick is None
