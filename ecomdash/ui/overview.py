"""Overview page renderer."""

from __future__ import annotations

import time

import streamlit as st

from ecomdash import schema as S
from ecomdash.charts.overview import breakdown_figure, trend_figure
from ecomdash.errors import EcomdashError
from ecomdash.filters import Filters
from ecomdash.kpis import KPI_LABELS, OverviewResult, overview
from ecomdash.ui.common import (
    PageContext,
    download_table,
    fmt_compact,
    fmt_int,
    fmt_money,
    fmt_pct,
    get_store,
    show_error,
)
from ecomdash.ui.figcache import cached_figure
from ecomdash.ui.overview_counts import render_counts
from ecomdash.ui.tables import show_table

MONEY = {"revenue", "gross_sales", "returns", "aov"}
LOWER_IS_BETTER = {"returns", "return_rate"}


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def _overview(key: tuple, grain: str) -> OverviewResult:
    workspace, dataset_id, _version, fkey = key
    return overview(get_store(workspace), dataset_id, Filters.from_key(fkey), grain=grain)


def kpi_text(name: str, v) -> str:
    """How a KPI tile shows its value (compact: 3.25M, 41.6k, 4.1 %)."""
    if name == "return_rate":
        return fmt_pct(v)
    return fmt_compact(v, money=name in MONEY)


def _exact(name: str, v) -> str:
    if name == "return_rate":
        return fmt_pct(v, 2)
    return fmt_money(v) if name in MONEY else fmt_int(v)


def render(ctx: PageContext) -> None:
    strip = st.container()  # the newest high alerts (issue 15), filled last: KPIs come first
    grain = (
        st.segmented_control(
            "Trend by", ["auto", "day", "week", "month"], default="auto", key="ov_grain"
        )
        or "auto"
    )
    t0 = time.perf_counter()
    try:
        res = _overview(ctx.key, grain)
    except EcomdashError as exc:
        show_error(exc)
        return
    elapsed = time.perf_counter() - t0
    start, end = res.period
    comp = (
        f"compared with {res.previous_period[0]} to {res.previous_period[1]}"
        if res.previous_period
        else "no earlier period to compare"
    )
    st.caption(f"{start} to {end}, {comp}. Computed in {elapsed:.2f} s.")
    if not res.has_revenue:  # no price column: counts only (ui/overview_counts.py)
        render_counts(res)
        return

    summed = res.kind == S.KIND_SUMMED
    if summed:
        # summed sales: no orders, AOV or customers exist in such a file
        names = [["revenue", "gross_sales", "returns", "return_rate"]]
        if res.kpis.get("units") is not None:
            names[0].insert(1, "units")
        st.caption(
            "Summed sales (totals per date and store, department or product): orders, "
            "average order value and customers need an order-line export."
        )
    else:
        # money, orders, customers: four cards a row so the labels fit
        names = [
            ["revenue", "gross_sales", "returns", "return_rate"],
            ["orders", "aov", "units"],
            ["customers", "new_customers", "returning_customers", "repeat_customers"],
        ]
    width = max(len(row) for row in names)
    for row in names:
        cols = st.columns(width)
        for col, name in zip(cols[: len(row)], row, strict=True):
            v = res.kpis.get(name)
            ch = res.change(name)
            col.metric(
                KPI_LABELS[name],
                kpi_text(name, v),
                delta=None if ch is None else f"{ch * 100:+.1f} %",
                delta_color="inverse" if name in LOWER_IS_BETTER else "normal",
                help=f"{_HELP.get(name, '')} Exact: {_exact(name, v)}.",
                border=True,
            )
    for note in res.notes:
        st.info(note)

    if summed and res.events:
        st.caption(
            f"{len(res.events)} event dates in the file's flag column (holidays, promotions)."
        )
    second = "units" if summed else "orders"
    metrics = ["revenue", second] if second in res.trend else ["revenue"]
    metric = st.radio(
        "Trend of",
        metrics,
        horizontal=True,
        format_func={"revenue": "Net revenue", "orders": "Orders", "units": "Units"}.get,
        key="ov_metric",
    )
    left, right = st.columns([3, 1])
    with left:
        st.plotly_chart(
            cached_figure(trend_figure, res, metric, key=(ctx.key, grain, metric)),
            width="stretch",
        )
    with right:
        show_table(res.trend, hide_index=True, height=330)
        download_table(res.trend, "trend", key="dl_trend")

    parts = [
        (res.top_products, "Top products", "top-products"),
        (res.top_categories, "Top categories", "top-categories"),
        (res.top_countries, "Top countries", "top-countries"),
    ]
    if summed:
        # the groups the file is summed by, stores first; tabs only for groups it has
        parts = [(res.top_locations, "Top stores / locations", "top-locations"), *parts]
        parts = [p for p in parts if not p[0].empty]
    if not parts:
        return
    tabs = st.tabs([p[1] for p in parts])
    for tab, (df, label, stem) in zip(tabs, parts, strict=True):
        title = f"{label} by net revenue"
        with tab:
            if df.empty:
                st.caption(
                    "This dataset has no such column: re-upload the export on the Data page "
                    "and map one to see this breakdown."
                )
                continue
            a, b = st.columns([3, 2])
            a.plotly_chart(
                cached_figure(breakdown_figure, df, title, key=(ctx.key, grain, stem)),
                width="stretch",
            )
            with b:
                show_table(df, hide_index=True)
                download_table(df, stem, key=f"dl_{stem}")
    with strip:
        from ecomdash.ui.alerts import render_strip

        render_strip(ctx)


_HELP = {
    "revenue": "Gross sales less returns and cancellations. Postage and fee lines are left out.",
    "gross_sales": "Value of product lines sold in the period, before returns.",
    "returns": "Value of returned or cancelled lines in the period.",
    "orders": "Orders with at least one product line that was not cancelled.",
    "aov": "Net revenue divided by orders.",
    "customers": "Distinct customers with an order in the period (guest orders have no customer).",
    "new_customers": "Customers whose first order falls in this period.",
    "returning_customers": (
        "Returning in this period: customers with an order in this period who had already "
        "ordered before it (customers whose first order falls in the period are new, so over "
        "all time this is 0)."
    ),
    "repeat_customers": (
        "Returning customers as Shopify counts them: customers with an order in this period "
        "who, by the end of the period, have placed more than one order (two orders inside the "
        "period count too)."
    ),
    "return_rate": "Returns as a share of gross sales.",
    "units": "Units sold less units returned.",
}
