"""Overview of a dataset without amounts (no price column): orders, units, items per order,
busiest days and hours, top products by units, and what a price column would unlock."""

from __future__ import annotations

import streamlit as st

from ecomdash.charts.overview import busiest_figure, count_breakdown_figure, trend_figure
from ecomdash.kpis import KPI_LABELS, OverviewResult
from ecomdash.ui.common import download_table, fmt_compact, fmt_int
from ecomdash.ui.tables import show_table

_HELP = {
    "orders": "Orders with at least one product line that was not cancelled.",
    "units": "Units sold less units returned.",
    "items_per_order": "Units divided by orders.",
    "customers": "Distinct customers with an order in the period (guest orders have no customer).",
}


def render_counts(res: OverviewResult) -> None:
    """Everything below the period caption, for ``res.has_revenue`` False."""
    names = [
        n
        for n in ("orders", "units", "items_per_order", "customers")
        if res.kpis.get(n) is not None
    ]
    cols = st.columns(max(len(names), 1))
    for col, name in zip(cols, names, strict=False):
        v = res.kpis[name]
        ch = res.change(name)
        text = f"{v:,.2f}" if name == "items_per_order" else fmt_compact(v)
        col.metric(
            KPI_LABELS[name],
            text,
            delta=None if ch is None else f"{ch * 100:+.1f} %",
            help=f"{_HELP[name]} Exact: {v:,.2f}."
            if name == "items_per_order"
            else f"{_HELP[name]} Exact: {fmt_int(v)}.",
            border=True,
        )
    for note in res.notes:
        st.info(note)
    metrics = [m for m in ("orders", "units") if m in res.trend]
    if metrics:
        metric = st.radio(
            "Trend of",
            metrics,
            horizontal=True,
            format_func={"orders": "Orders", "units": "Units"}.get,
            key="ov_count_metric",
        )
        left, right = st.columns([3, 1])
        left.plotly_chart(trend_figure(res, metric), width="stretch")
        with right:
            show_table(res.trend, hide_index=True, height=330)
            download_table(res.trend, "trend", key="dl_trend_counts")
    if len(res.busiest):
        left, right = st.columns([3, 1])
        left.plotly_chart(busiest_figure(res.busiest), width="stretch")
        with right:
            show_table(res.busiest, hide_index=True, height=330)
            download_table(res.busiest, "busiest-hours", key="dl_busiest")
    parts = [
        (res.top_products, "Top products", "top-products"),
        (res.top_categories, "Top categories", "top-categories"),
        (res.top_countries, "Top countries", "top-countries"),
        (res.top_locations, "Top stores / locations", "top-locations"),
    ]
    parts = [p for p in parts if not p[0].empty]
    if not parts:
        return
    tabs = st.tabs([p[1] for p in parts])
    for tab, (df, label, stem) in zip(tabs, parts, strict=True):
        value = "units" if "units" in df else "orders"
        with tab:
            a, b = st.columns([3, 2])
            a.plotly_chart(
                count_breakdown_figure(df, f"{label} by {value}", value), width="stretch"
            )
            with b:
                show_table(df, hide_index=True)
                download_table(df, stem, key=f"dl_{stem}_counts")
