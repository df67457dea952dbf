"""What a page test reads of a money chart (ecomdash.charts.money): its axis writes d3's
currency after the sign (``-£5,000``, never ``£-5,000``), and the config the page sends the
chart with names the dataset's currency for it."""

from __future__ import annotations

import json

from ecomdash.charts.money import TICK_FORMAT


def money_axis(axis: dict) -> bool:
    """``axis`` (a spec's layout axis) is a money axis: charts.money's ticks, no prefix."""
    return axis.get("tickformat") == TICK_FORMAT and "tickprefix" not in axis


def spec_currency(spec: dict) -> str | None:
    """The currency a figure's spec is marked with (``with_currency``)."""
    meta = spec.get("layout", {}).get("meta")
    return meta.get("currency") if isinstance(meta, dict) else None


def sent_currency(element) -> str | None:
    """The currency the page's plotly config gives d3's ``$`` for an ``st.plotly_chart``
    element (show_chart builds the config from the figure)."""
    config = json.loads(element.proto.config or "{}")
    locale = config.get("locales", {}).get(config.get("locale"), {})
    return (locale.get("format", {}).get("currency") or [None])[0]
