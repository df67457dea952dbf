"""Date axes in the merchant's language.

plotly.js writes date ticks in English (``Jan 2025``) unless a locale bundle is loaded, which
Streamlit's plotly does not ship. In the Chinese UI :func:`localise` gives every date axis
Chinese tick and hover formats instead (``2025年1月``, ``1月15日``), one per zoom level, so a
zoomed chart stays readable. Value axes drop plotly's SI suffixes (``1.2M``, ``40k``: Latin
letters a Chinese operator does not read as amounts) for whole numbers with thousands
separators (``1,200,000``). English figures are returned unchanged.
"""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ecomdash.i18n import get_lang

DAY_MS = 86_400_000
#: (dtick range in ms, tick format) from the finest zoom to the widest
ZH_TICK_STOPS = (
    # below a day (plotly takes the first stop whose range holds the dtick, ends included:
    # a tick a day read "11月11日 00:00" when this ended at DAY_MS)
    ((None, DAY_MS - 1), "%m月%d日 %H:%M"),
    ((DAY_MS, 28 * DAY_MS), "%m月%d日"),
    ((28 * DAY_MS, 365 * DAY_MS), "%Y年%-m月"),
    ((365 * DAY_MS, None), "%Y年"),
)
ZH_HOVER = "%Y年%-m月%-d日"
#: a month axis's ticks in English ("Nov 2024"); a Chinese axis takes ZH_TICK_STOPS' month
#: (2024年11月), which win over it
MONTH_TICKS = "%b %Y"


def month_axis(fig: go.Figure, months) -> go.Figure:
    """``fig``'s x axis of ``months`` (the bars' months, first first) ticked by month: each
    tick names its month, one a month over up to six. Over a few months plotly ticks days,
    and a single month's bar read "Nov 1 2024" (the Alerts per month of a Pinduoduo export of
    November 2024, Chromium). The axis spans the bars (each drawn on its month's first day)
    and half a month each side: plotly's own padding reached back past the month before the
    first, and the demo's trend from November 2024 had a tick "Oct 2024" with no bar over it
    (Chromium). A single month keeps plotly's range: in a fixed one its bar, whose width
    plotly takes from the gaps between bars, was drawn a pixel wide."""
    axis: dict = {"tickformat": MONTH_TICKS}
    if 0 < len(months) <= 6:
        axis.update(dtick="M1", tick0=str(months[0]))
    if len(months) > 1:  # a single bar is as wide as plotly's own range makes it
        first, last = (pd.Timestamp(str(m)) for m in (months[0], months[-1]))
        half = pd.Timedelta(days=MONTH_PAD_DAYS)
        axis["range"] = [(first - half).isoformat(), (last + half).isoformat()]
    fig.update_xaxes(**axis)
    return fig


#: Days shown each side of a month axis's first and last bars (a bar is about a month wide)
MONTH_PAD_DAYS = 16


def _is_date(values) -> bool:
    if values is None:
        return False
    try:
        first = next(v for v in values if v is not None)
    except (StopIteration, TypeError):
        return False
    if isinstance(first, datetime | date | np.datetime64):
        return True
    if isinstance(first, str) and len(first) >= 7 and first[4] == "-":
        # "2025-01-31…" or a month "2025-01": plotly reads both as dates
        return first[:4].isdigit() and first[5:7].isdigit()
    return False


def _date_axes(fig: go.Figure) -> set[str]:
    """Layout names (``xaxis``, ``xaxis2`` …) of the x axes that show dates."""
    axes = set()
    for name in fig.layout:
        if name.startswith("xaxis") and getattr(fig.layout[name], "type", None) == "date":
            axes.add(name)
    for tr in fig.data:
        x = getattr(tr, "x", None)
        if _is_date(x):
            ref = getattr(tr, "xaxis", None) or "x"
            axes.add("xaxis" + ref[1:])
    return axes


def all_axes(fig: go.Figure) -> set[str]:
    """Layout names of every cartesian axis the figure has or its traces refer to."""
    axes = {"xaxis", "yaxis"} | {n for n in fig.layout if n.startswith(("xaxis", "yaxis"))}
    for tr in fig.data:
        for letter in ("x", "y"):
            ref = getattr(tr, letter + "axis", None) if letter + "axis" in tr else None
            if ref:
                axes.add(letter + "axis" + ref[1:])
    return axes


#: a date axis of whole days spanning at most this many days ticks one a day
DAILY_TICK_DAYS = 7
#: ... and one every other day up to this many days, from its first day
TWO_DAY_TICK_DAYS = 14


def _whole_days(fig: go.Figure, axis: str) -> pd.DatetimeIndex | None:
    """The dates on ``axis`` (a layout name) when every trace's x there is a whole day
    (midnight), else None."""
    ref = "x" + axis[len("xaxis") :]
    days = []
    for tr in fig.data:
        x = getattr(tr, "x", None)
        if x is None or (getattr(tr, "xaxis", None) or "x") != ref:
            continue
        try:
            d = pd.DatetimeIndex(pd.to_datetime(list(x)))
        except (ValueError, TypeError):
            return None
        if len(d) and not (d.dropna() == d.dropna().normalize()).all():
            return None
        days.append(d)
    if not days:
        return None
    return days[0].append(days[1:]).dropna()


def _daily_ticks(fig: go.Figure, dates: set[str]) -> None:
    """A few days of daily data tick one a day: plotly ticks every 12 hours there, and a
    day's figure read '11月11日 12:00' / 'Nov 11, 12:00' (five days of a Taobao shop). Up to
    two weeks tick every other day from the first day: plotly's own steps there were two or
    three days depending on the chart's width, starting a day before or after the data
    ('Nov 10' on a chart from 11 November, 'Nov 12' under a bar of 11 November)."""
    for name in dates:
        axis = fig.layout[name]
        if axis.dtick is not None or axis.tickvals is not None:
            continue
        days = _whole_days(fig, name)
        if days is None or not len(days):
            continue
        span = (days.max() - days.min()).days
        if span <= TWO_DAY_TICK_DAYS:
            step = 1 if span <= DAILY_TICK_DAYS else 2
            axis.update(dtick=step * DAY_MS, tick0=days.min().isoformat())


def localise(fig: go.Figure, lang: str | None = None) -> go.Figure:
    """``fig`` with its axes written in ``lang`` (the current language by default): Chinese
    date formats on date axes, no SI suffixes on the others (an axis with its own tick
    format, such as percentages, is left as it is); changed in place and returned. In
    every language, a date axis of whole days over a few days ticks one a day."""
    dates = _date_axes(fig)
    _daily_ticks(fig, dates)
    if (lang or get_lang()) != "zh":
        return fig
    stops = [dict(dtickrange=list(r), value=v) for r, v in ZH_TICK_STOPS]
    for name in dates:
        fig.layout[name].update(tickformatstops=stops, hoverformat=ZH_HOVER)
    for name in all_axes(fig) - dates:
        axis = fig.layout[name]
        if axis.type not in ("date", "category", "multicategory") and not axis.tickformat:
            axis.update(exponentformat="none", separatethousands=True)
    return fig


#: plotly.js's own texts (the chart toolbar's tooltips, its messages) and date names in Chinese,
#: as plotly.js's ``zh-CN`` locale has them, plus the keys plotly.js 3 renamed (``Download plot
#: as a PNG``); Streamlit's plotly loads no locale bundle, so the figure's config carries it
#: (``config.locales``, a documented plotly.js option). Streamlit's own "Fullscreen" button is
#: not plotly's and stays English.
ZH_PLOTLY_LOCALE = {
    "dictionary": {
        "Autoscale": "自动缩放",
        "Box Select": "矩形框选择",
        "Click to enter Colorscale title": "点击输入色阶的标题",
        "Click to enter Component A title": "点击输入组件A的标题",
        "Click to enter Component B title": "点击输入组件B的标题",
        "Click to enter Component C title": "点击输入组件C的标题",
        "Click to enter Plot title": "点击输入图表的标题",
        "Click to enter X axis title": "点击输入X轴的标题",
        "Click to enter Y axis title": "点击输入Y轴的标题",
        "Click to enter radial axis title": "点击输入径向轴的标题",
        "Compare data on hover": "悬停时比较数据",
        "Double-click on legend to isolate one trace": "双击图例来突显对应轨迹",
        "Double-click to zoom back out": "双击返回缩放",
        "Download plot": "下载图表",
        "Download plot as a png": "下载图表为PNG格式",
        "Download plot as a PNG": "下载图表为 PNG 图片",
        "Download plot as JSON": "下载图表为 JSON",
        "Image download succeeded": "图片下载成功",
        "JSON download succeeded": "JSON 下载成功",
        "Preparing image - this may take a few seconds": "正在生成图片，可能需要几秒钟",
        "Share chart...": "分享图表…",
        "Sorry, there was a problem downloading your image!": "抱歉，图片下载出现问题！",
        "Sorry, there was a problem downloading your JSON file!": "抱歉，JSON 文件下载出现问题！",
        "Draw circle": "画圆",
        "Draw closed freeform": "绘制封闭的任意图形",
        "Draw line": "画直线",
        "Draw open freeform": "绘制开放的任意图形",
        "Draw rectangle": "画矩形",
        "Edit in Chart Studio": "用 Chart Studio 编辑",
        "Erase active shape": "擦除活动的形状",
        "Lasso Select": "套索选择",
        "Orbital rotation": "轨道旋转",
        "Pan": "平移",
        "Produced with Plotly.js": "由 Plotly.js 生成",
        "Reset": "重置",
        "Reset axes": "重置轴",
        "Reset camera to default": "重置相机视角为默认",
        "Reset camera to last save": "重置相机视角为上次保存",
        "Reset view": "重置视图",
        "Reset views": "重置视图",
        "Show closest data on hover": "悬停时显示最近的数据",
        "Snapshot succeeded": "生成快照成功",
        "Sorry, there was a problem downloading your snapshot!": "抱歉，下载快照出现问题！",
        "Taking snapshot - this may take a few seconds": "正在生成快照 - 可能需要几秒钟",
        "Toggle Spike Lines": "切换显示数据点辅助线",
        "Toggle show closest data on hover": "切换悬停时显示最近的数据",
        "Turntable rotation": "转台旋转",
        "Zoom": "缩放",
        "Zoom in": "放大",
        "Zoom out": "缩小",
        "close:": "关闭：",
        "high:": "最高：",
        "incoming flow count:": "流入数：",
        "kde:": "核密度估计：",
        "lat:": "纬度：",
        "lon:": "经度：",
        "low:": "最低：",
        "lower fence:": "下边界：",
        "max:": "最大值：",
        "mean ± σ:": "平均值 ± σ：",
        "mean:": "平均值：",
        "median:": "中位数：",
        "min:": "最小值：",
        "new text": "新文本",
        "open:": "开盘：",
        "outgoing flow count:": "流出数：",
        "q1:": "第一四分位数：",
        "q3:": "第三四分位数：",
        "source:": "源：",
        "target:": "目标：",
        "trace": "轨迹",
        "upper fence:": "上边界：",
    },
    "format": {
        "days": ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"],
        "shortDays": ["周日", "周一", "周二", "周三", "周四", "周五", "周六"],
        "months": [f"{m}月" for m in range(1, 13)],
        "shortMonths": [f"{m}月" for m in range(1, 13)],
        "date": "%Y-%m-%d",
        "decimal": ".",
        "thousands": ",",
    },
}


def plotly_config(
    lang: str | None = None, config: dict | None = None, *, currency: str | None = None
) -> dict:
    """``config`` (a plotly config dict, default empty) with plotly.js's own texts in ``lang``
    (the current language by default): the toolbar's tooltips and its date names; with
    ``currency`` (a figure's, :func:`ecomdash.charts.money.figure_currency`) the locale's
    currency sign, which d3's ``$`` in the figure's money formats writes after the minus
    (``-£5,000``; plotly falls back to its own locale for every other format key)."""
    out = dict(config or {})
    zh = (lang or get_lang()) == "zh"
    if zh:
        out.setdefault("locale", "zh-CN")
        out["locales"] = {**out.get("locales", {}), "zh-CN": ZH_PLOTLY_LOCALE}
    if currency:
        name = out.setdefault("locale", "en-US")
        locales = dict(out.get("locales", {}))
        base = locales.get(name, {})
        locales[name] = {**base, "format": {**base.get("format", {}), "currency": [currency, ""]}}
        out["locales"] = locales
    return out
