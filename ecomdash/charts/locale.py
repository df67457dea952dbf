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
import plotly.graph_objects as go

from ecomdash.i18n import get_lang

DAY_MS = 86_400_000
#: (dtick range in ms, tick format) from the finest zoom to the widest
ZH_TICK_STOPS = (
    ((None, DAY_MS), "%m月%d日 %H:%M"),
    ((DAY_MS, 28 * DAY_MS), "%m月%d日"),
    ((28 * DAY_MS, 365 * DAY_MS), "%Y年%-m月"),
    ((365 * DAY_MS, None), "%Y年"),
)
ZH_HOVER = "%Y年%-m月%-d日"


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


def _all_axes(fig: go.Figure) -> set[str]:
    """Layout names of every cartesian axis the figure has or its traces refer to."""
    axes = {"xaxis", "yaxis"} | {n for n in fig.layout if n.startswith(("xaxis", "yaxis"))}
    for tr in fig.data:
        for letter in ("x", "y"):
            ref = getattr(tr, letter + "axis", None) if letter + "axis" in tr else None
            if ref:
                axes.add(letter + "axis" + ref[1:])
    return axes


def localise(fig: go.Figure, lang: str | None = None) -> go.Figure:
    """``fig`` with its axes written in ``lang`` (the current language by default): Chinese
    date formats on date axes, no SI suffixes on the others (an axis with its own tick
    format, such as percentages, is left as it is); changed in place and returned."""
    if (lang or get_lang()) != "zh":
        return fig
    stops = [dict(dtickrange=list(r), value=v) for r, v in ZH_TICK_STOPS]
    dates = _date_axes(fig)
    for name in dates:
        fig.layout[name].update(tickformatstops=stops, hoverformat=ZH_HOVER)
    for name in _all_axes(fig) - dates:
        axis = fig.layout[name]
        if axis.type not in ("date", "category", "multicategory") and not axis.tickformat:
            axis.update(exponentformat="none", separatethousands=True)
    return fig
