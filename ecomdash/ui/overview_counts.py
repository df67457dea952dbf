"""Overview of a dataset without amounts (no price column): orders, units, items per order,
busiest days and hours, top products by units, and what a price column would unlock."""

from __future__ import annotations

import streamlit as st

from ecomdash import labels as L
from ecomdash import schema as S
from ecomdash.charts.overview import busiest_figure, count_breakdown_figure, trend_figure
from ecomdash.i18n import N_, _
from ecomdash.kpis import KPI_LABELS, OverviewResult, kpi_exact
from ecomdash.ui.common import download_table, fmt_compact, show_chart
from ecomdash.ui.tables import show_table

#: what each tile means (message ids; the Overview's own where they are the same)
_HELP = {
    "orders": S.ORDER_DEFINITION,
    "units": L.UNITS_HELP,  # as the tables' Units column (net of returns)
    "items_per_order": N_("Units divided by orders."),
    "customers": S.CUSTOMER_DEFINITION,
}
#: the breakdown tabs: (result attribute, tab label, chart title by units, by orders, stem)
PARTS = (
    (
        "top_products",
        N_("Top products"),
        N_("Top products by units"),
        N_("Top products by orders"),
        "top-products",
    ),
    (
        "top_categories",
        N_("Top categories"),
        N_("Top categories by units"),
        N_("Top categories by orders"),
        "top-categories",
    ),
    (
        "top_countries",
        N_("Top countries"),
        N_("Top countries by units"),
        N_("Top countries by orders"),
        "top-countries",
    ),
    # the country breakdown of a dataset whose country field holds provinces
    (
        "top_provinces",
        N_("Top provinces"),
        N_("Top provinces by units"),
        N_("Top provinces by orders"),
        "top-provinces",
    ),
    (
        "top_locations",
        N_("Top stores / locations"),
        N_("Top stores / locations by units"),
        N_("Top stores / locations by orders"),
        "top-locations",
    ),
)


def _attr(part: str) -> str:
    """The result's attribute a breakdown part reads: provinces are the country column's."""
    return "top_countries" if part == "top_provinces" else part


def render_counts(res: OverviewResult, *, provinces: bool = False, columns=()) -> None:
    """Everything below the period caption, for ``res.has_revenue`` False; ``provinces``:
    the dataset's country field holds provinces (``labels.Display.provinces``); ``columns``:
    the dataset's, to name the field a breakdown without rows needs."""
    from ecomdash.ui.overview import TREND_LABELS, delta_text, exact_help, offered_breakdowns

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
        exact = kpi_exact(name, v)
        col.metric(
            _(KPI_LABELS[name]),
            text,
            delta=delta_text(ch),
            help=exact_help(name, exact, _HELP),
            border=True,
        )
    for note in res.notes:
        st.info(note)
    metrics = [m for m in ("orders", "units") if m in res.trend]
    if metrics:
        metric = st.radio(
            _("Trend of"),
            metrics,
            horizontal=True,
            format_func=lambda m: _(TREND_LABELS[m]),
            key="ov_count_metric",
        )
        left, right = st.columns([3, 1])
        show_chart(trend_figure(res, metric), width="stretch", where=left)
        with right:
            show_table(res.trend, hide_index=True, height=330)
            download_table(res.trend, "trend", key="dl_trend_counts")
    if len(res.busiest):
        left, right = st.columns([3, 1])
        show_chart(busiest_figure(res.busiest), width="stretch", where=left)
        with right:
            show_table(res.busiest, hide_index=True, height=330)
            download_table(res.busiest, "busiest-hours", key="dl_busiest")
    # a dataset whose "countries" are provinces has its country breakdown called so
    drop = "top_countries" if provinces else "top_provinces"
    # tabs only for the breakdowns with rows, a caption naming what the others need (as the
    # Overview with amounts: ui.overview.offered_breakdowns); stores only where the file has
    # them, never named as missing (a shop without branches has nothing to map)
    names = [p[0] for p in PARTS if p[0] not in (drop, "top_locations")]
    shown, notes = offered_breakdowns(res, names, columns)
    if not res.top_locations.empty:
        shown.append("top_locations")
    for note in notes:
        st.caption(note)
    parts = [p for p in PARTS if p[0] in shown]
    if not parts:
        return
    tabs = st.tabs([_(p[1]) for p in parts])
    for tab, (name, _label, by_units, by_orders, stem) in zip(tabs, parts, strict=True):
        df = getattr(res, _attr(name))
        value = "units" if "units" in df else "orders"
        title = _(by_units if value == "units" else by_orders)
        with tab:
            a, b = st.columns([3, 2])
            show_chart(count_breakdown_figure(df, title, value), width="stretch", where=a)
            with b:
                show_table(df, hide_index=True, area="overview")
                download_table(df, stem, key=f"dl_{stem}_counts", area="overview")
