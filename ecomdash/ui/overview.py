"""Overview page renderer."""

from __future__ import annotations

import time

import streamlit as st

from ecomdash import labels as L
from ecomdash import schema as S
from ecomdash.charts.overview import breakdown_figure, trend_figure
from ecomdash.errors import EcomdashError
from ecomdash.filters import Filters
from ecomdash.i18n import N_, _, _n, fmt, get_lang
from ecomdash.kpis import (
    KPI_LABELS,
    MONEY_KPIS,
    POINT_CHANGES,
    OverviewResult,
    day_text,
    kpi_exact,
    new_customers_note,
    overview,
)
from ecomdash.ui.common import (
    PageContext,
    download_table,
    fmt_compact,
    fmt_pct,
    get_store,
    show_chart,
    show_error,
)
from ecomdash.ui.figcache import cached_figure
from ecomdash.ui.overview_counts import render_counts
from ecomdash.ui.tables import current_display, show_cached_table

MONEY = MONEY_KPIS
LOWER_IS_BETTER = {"returns", "return_rate"}

#: the trend's grains (stable ids) and how the switch shows them (message ids)
GRAIN_LABELS = {"auto": N_("automatic"), "day": N_("day"), "week": N_("week"), "month": N_("month")}
TREND_LABELS = {"revenue": N_("Net revenue"), "orders": N_("Orders"), "units": N_("Units")}
#: the breakdown tabs: (result attribute, tab label, chart title, download stem)
PARTS = {
    "top_products": (N_("Top products"), N_("Top products by net revenue"), "top-products"),
    "top_categories": (N_("Top categories"), N_("Top categories by net revenue"), "top-categories"),
    "top_countries": (N_("Top countries"), N_("Top countries by net revenue"), "top-countries"),
    # the country breakdown of a dataset whose country field holds provinces
    "top_provinces": (N_("Top provinces"), N_("Top provinces by net revenue"), "top-provinces"),
    "top_locations": (
        N_("Top stores / locations"),
        N_("Top stores / locations by net revenue"),
        "top-locations",
    ),
}
#: the column a breakdown is by, as the table and its download name it (the result's ``key``
#: would read "Id" over countries and categories)
BY_COLUMN = {
    "top_products": S.PRODUCT_ID,
    "top_categories": S.CATEGORY,
    "top_countries": S.COUNTRY,
    "top_provinces": S.COUNTRY,
    "top_locations": S.LOCATION,
}


def offered_breakdowns(res, names, columns) -> tuple[list[str], list[str]]:
    """``(shown, notes)``: of the breakdowns ``names``, those with rows (a tab each), and the
    sentences saying why the others are not offered — the field to map where the dataset has
    no such column (``columns``), the period where it has one but no line in it fills it.

    CDNOW (customer, date, CDs, dollars) had three tabs, each holding only a sentence: the
    merchant clicked through three empty tabs to learn the file has no product, category or
    country. As the tiles that cannot be counted, a breakdown that cannot be drawn is left out
    and one sentence says why (``top_provinces`` reads the country column)."""
    shown, absent, unfilled = [], [], []
    for name in names:
        attr = "top_countries" if name == "top_provinces" else name
        if not getattr(res, attr).empty:
            shown.append(name)
        elif BY_COLUMN[name] in columns:
            unfilled.append(S.field_name(BY_COLUMN[name]))
        else:
            absent.append(S.field_name(BY_COLUMN[name]))
    notes = []
    if absent:
        notes.append(
            _n(
                "There is no breakdown by {fields}: this dataset has no such column; re-upload "
                "the export on the Data page and map one to it to see this breakdown.",
                "There are no breakdowns by {fields}: this dataset has none of these columns; "
                "re-upload the export on the Data page and map one to each to see their "
                "breakdowns.",
                len(absent),
                fields=fmt.join(absent),
            )
        )
    if unfilled:
        notes.append(
            _n(
                "No line in this period has a {fields}, so there is no breakdown by it.",
                "No line in this period has any of {fields}, so there are no breakdowns by them.",
                len(unfilled),
                fields=fmt.join(unfilled),
            )
        )
    return shown, notes


#: the tiles that count customers: none of them can be filled without a customer id
CUSTOMER_TILES = ("customers", "new_customers", "returning_customers", "repeat_customers")


def tile_rows(rows: list[list[str]], per_row: int = 4) -> list[list[str]]:
    """The Overview's rows of tiles with a row of one tile joined to its neighbour where the
    two fit in a row of ``per_row``: without an order id the Units tile sat alone on a row
    between the money and the customers (CDNOW)."""
    out: list[list[str]] = []
    for row in rows:
        if out and 1 in (len(out[-1]), len(row)) and len(out[-1]) + len(row) <= per_row:
            out[-1] = [*out[-1], *row]
        else:
            out.append(list(row))
    return out


def _period_column(grain: str):
    """The trend table's period as its grain reads: "Month" rows as "Nov 2024" (2024-11 in
    Chinese), not as the month's first day; "Week" rows by the week's first day."""
    pattern = current_display().date_format
    if grain == "month":
        pattern = "YYYY-MM" if get_lang() == "zh" else "MMM YYYY"
    return st.column_config.DateColumn(L.label(grain), format=pattern)


@st.cache_data(max_entries=32, ttl=3600, show_spinner=False)
def _overview(key: tuple, grain: str, lang: str = "en") -> OverviewResult:
    """The overview of ``key``; ``lang``: its notes are sentences in that language."""
    workspace, dataset_id, _version, fkey = key
    return overview(get_store(workspace), dataset_id, Filters.from_key(fkey), grain=grain)


def delta_text(ch: float | None) -> str | None:
    """A tile's change against the previous period, as :func:`fmt.pct` writes it: ``+3.2 %``
    (a no-break space before ``%``; ``+3.2%`` in Chinese), with thousands: ``+1,065.0 %``,
    rounded half up; a change that rounds to zero has no sign (``0.0 %``)."""
    if ch is None:
        return None
    return fmt.pct(ch, 1, signed=True)


def points_text(change: float | None) -> str | None:
    """A rate tile's change in percentage points (``-0.8 points`` / ``-0.8 个百分点``): the
    difference of two shares (``change`` = 0.0288 - 0.0371), not its relative change, which
    would read -22.5 % as if the rate had fallen by 22.5 points."""
    if change is None:
        return None
    return _("{change} points", change=f"{change * 100:+.1f}")


def tile_delta(res, name: str) -> str | None:
    """A KPI tile's change as the Overview and the Home show it: a rate in percentage points
    (3.7 % → 2.9 %: -0.8), a total none when the previous period is only partly covered by the
    data (:meth:`OverviewResult.comparable_change`), anything else relative."""
    if name in POINT_CHANGES:
        return points_text(res.point_change(name))
    return delta_text(res.comparable_change(name))


def kpi_text(name: str, v) -> str:
    """How a KPI tile shows its value (compact: 3.25M, 41.6k, 4.1 %)."""
    if name == "return_rate":
        return fmt_pct(v)
    return fmt_compact(v, money=name in MONEY)


def exact_help(name: str, v, helps: dict[str, str]) -> str:
    """A tile's help: what the KPI means, then its exact value."""
    return _("{meaning} Exact: {value}.", meaning=_(helps[name]) if name in helps else "", value=v)


def kpi_helps(columns) -> dict[str, str]:
    """What each tile means on a dataset with ``columns`` (message ids): a customer counted in
    purchase days where it has no order id."""
    return {**_HELP, "customers": S.customer_definition(columns)}


def _exact(name: str, v) -> str:
    return kpi_exact(name, v, current_display())


def render(ctx: PageContext) -> None:
    strip = st.container()  # the newest high alerts (issue 15), filled last: KPIs come first
    grain = (
        st.segmented_control(
            _("Trend by"),
            list(GRAIN_LABELS),
            default="auto",
            format_func=lambda g: _(GRAIN_LABELS[g]),
            # what "automatic" picks (kpis.overview: by day up to 62 days, by week to 370)
            help=_(
                "Automatic: by day for a period of up to two months, by week up to a year, by "
                "month for longer."
            ),
            key="ov_grain",
        )
        or "auto"
    )
    lang = get_lang()
    t0 = time.perf_counter()
    try:
        res = _overview(ctx.key, grain, lang)
    except EcomdashError as exc:
        show_error(exc)
        return
    elapsed = time.perf_counter() - t0
    start, end = res.period
    took = fmt.duration(elapsed)
    against = None  # the tiles' help: what their change compares with
    if res.previous_period:
        prev_start, prev_end = (day_text(d) for d in res.previous_period)
        days = (res.previous_period[1] - res.previous_period[0]).days + 1
        # the earlier period is the same number of days just before (a month is compared
        # with the 31 days before it, not the calendar month): say so, not only its dates
        st.caption(
            _n(
                "{start} to {end} ({n} day), compared with the day just before it: "
                "{prev_start} to {prev_end}. Computed in {took}.",
                "{start} to {end} ({n} days), compared with the {n} days just before them: "
                "{prev_start} to {prev_end}. Computed in {took}.",
                days,
                n=f"{days:,}",
                start=day_text(start),
                end=day_text(end),
                prev_start=prev_start,
                prev_end=prev_end,
                took=took,
            )
        )
        against = _(
            "The change under the figure is against {prev_start} to {prev_end}.",
            prev_start=prev_start,
            prev_end=prev_end,
        )
    else:
        st.caption(
            _(
                "{start} to {end}, no earlier period to compare. Computed in {took}.",
                start=day_text(start),
                end=day_text(end),
                took=took,
            )
        )
    if not res.has_revenue:  # no price column: counts only (ui/overview_counts.py)
        render_counts(res, provinces=ctx.display.provinces, columns=ctx.columns)
        _alerts_strip(strip, ctx)  # the rules that need no amounts ran on it too
        return

    summed = res.kind == S.KIND_SUMMED
    if summed:
        # summed sales: no orders, AOV or customers exist in such a file
        names = [["revenue", "gross_sales", "returns", "return_rate"]]
        if res.kpis.get("units") is not None:
            names[0].insert(1, "units")
        st.caption(
            _(
                "Summed sales (totals per date and store, department or product): orders, "
                "average order value and customers need an order-line export."
            )
        )
    else:
        # money, orders, customers: four cards a row so the labels fit
        names = [
            ["revenue", "gross_sales", "returns", "return_rate"],
            ["orders", "aov", "units"],
            list(CUSTOMER_TILES),
        ]
        if res.kpis.get("orders") is None:
            # no order id (CDNOW): the tiles read "0" orders and "n/a"
            names = [
                [n for n in row if n not in ("orders", "aov", "repeat_customers")] for row in names
            ]
            names = [row for row in names if row]
            st.caption(
                _(
                    "This dataset has no order id, so orders, the average order value and "
                    "returning customers are not counted: they need an order or receipt "
                    "number on each line."
                )
            )
        if res.kpis.get("customers") is None:
            # no customer id (a Pinduoduo or Douyin export): four tiles read "n/a"
            names = [[n for n in row if n not in CUSTOMER_TILES] for row in names]
            names = [row for row in names if row]
            st.caption(
                _(
                    "This dataset names no buyer, so customers, new customers and returning "
                    "customers are not counted: they need a customer id on each order."
                )
            )
    names = tile_rows(names)
    width = max(len(row) for row in names)
    new_note = new_customers_note(res)  # new customers counted from the data's first day
    for row in names:
        cols = st.columns(width)
        for col, name in zip(cols[: len(row)], row, strict=True):
            v = res.kpis.get(name)
            helps = [exact_help(name, _exact(name, v), kpi_helps(ctx.columns))]
            delta = tile_delta(res, name)
            if delta is not None:
                helps.append(against)
            if delta is not None and name in POINT_CHANGES:
                helps.append(
                    _(
                        "Its change is the difference in percentage points: {before} in the "
                        "earlier period, {now} in this one.",
                        before=_exact(name, res.previous.get(name)),
                        now=_exact(name, v),
                    )
                )
            if name == "new_customers":
                helps.append(new_note)
            col.metric(
                _(KPI_LABELS[name]),
                kpi_text(name, v),
                delta=delta,
                delta_color="inverse" if name in LOWER_IS_BETTER else "normal",
                help=fmt.sentences(helps),
                border=True,
            )
    if new_note and any("new_customers" in row for row in names):
        st.caption(new_note)
    for note in res.notes:
        st.info(note)
    if res.previous_partial:  # the note above says why; the tiles' changes show which
        st.caption(
            _(
                "Totals such as net revenue, orders and customers are therefore not compared "
                "with it: their change would read the days without data as growth. Average "
                "order value and the return rate are."
            )
        )

    if summed and res.events:
        st.caption(
            _n(
                "{n} event date in the file's flag column (holidays, promotions).",
                "{n} event dates in the file's flag column (holidays, promotions).",
                len(res.events),
            )
        )
    second = "units" if summed else "orders"
    metrics = ["revenue", second] if second in res.trend else ["revenue"]
    metric = st.radio(
        _("Trend of"),
        metrics,
        horizontal=True,
        format_func=lambda m: _(TREND_LABELS[m]),
        key="ov_metric",
    )
    # the chart, then its table under it at the page's width: beside the chart (2/5 of the
    # row) the table's fifth column was cut where amounts are wide (the Chinese demo's
    # ¥1,208,973.60 a month; at 1/4 of the row already three columns were cut in pounds)
    show_chart(
        cached_figure(
            trend_figure,
            res,
            metric,
            symbol=current_display().symbol,
            key=(ctx.key, grain, metric, lang),
        ),
        width="stretch",
    )
    show_cached_table(
        lambda: res.trend,
        key=(ctx.key, grain),
        name="trend",
        hide_index=True,
        height=330,
        area="overview",
        column_config={"period": _period_column(res.grain)},
    )
    download_table(res.trend, "trend", key="dl_trend", area="overview")

    names = ["top_products", "top_categories", "top_countries"]
    if summed:
        # the groups the file is summed by, stores first; tabs only for groups it has (a
        # summed file lacks the others by its nature, nothing to map)
        names = [n for n in ("top_locations", *names) if not getattr(res, n).empty]
    else:
        # tabs only for the breakdowns with rows; one caption names the fields the others
        # need (UCI Online Retail II has no category, CDNOW none of the three)
        names, notes = offered_breakdowns(res, names, ctx.columns)
        for note in notes:
            st.caption(note)
    if names:
        _breakdown_tabs(ctx, res, names, grain, lang)
    _alerts_strip(strip, ctx)


def _alerts_strip(strip, ctx: PageContext) -> None:
    """The newest high alerts in ``strip``, the container at the top of the page, filled
    last so the KPIs come first."""
    from ecomdash.ui.alerts import render_strip

    with strip:
        render_strip(ctx)


def _breakdown_tabs(ctx: PageContext, res: OverviewResult, names, grain: str, lang: str) -> None:
    """A tab for each breakdown of ``names``: its chart, then its table and download."""
    # a dataset whose "countries" are provinces (a Chinese marketplace export's 收货省份)
    # has its country breakdown called so: it read 热门国家/地区 over 浙江, 广东
    part = {"top_countries": "top_provinces"} if ctx.display.provinces else {}
    tabs = st.tabs([_(PARTS[part.get(n, n)][0]) for n in names])
    for tab, name in zip(tabs, names, strict=True):
        df, (_label, title, stem) = getattr(res, name), PARTS[part.get(name, name)]
        with tab:
            # the chart, then its table at the page's width, as the trend's: beside the
            # chart the top products' last columns were cut (long names, yuan amounts)
            show_chart(
                cached_figure(
                    breakdown_figure,
                    df,
                    _(title),
                    symbol=current_display().symbol,
                    key=(ctx.key, grain, stem, lang),
                ),
                width="stretch",
            )
            table = df.rename(columns={"key": BY_COLUMN[name], "name": S.PRODUCT_NAME})
            # area: the Units column's help says they are net of returns, as the tile's
            show_cached_table(
                lambda t=table: t, key=(ctx.key, grain), name=stem, hide_index=True, area="overview"
            )
            download_table(table, stem, key=f"dl_{stem}", area="overview")


#: what each tile means (message ids)
_HELP = {
    "revenue": N_(
        "Gross sales less returns and cancellations. Postage and fee lines are left out."
    ),
    "gross_sales": N_("Value of product lines sold in the period, before returns."),
    "returns": N_("Value of returned or cancelled lines in the period."),
    "orders": S.ORDER_DEFINITION,
    "aov": N_("Net revenue divided by orders."),
    "customers": S.CUSTOMER_DEFINITION,  # the customer pages' sentence
    "new_customers": N_("Customers whose first purchase falls in this period."),
    "returning_customers": N_(
        "Returning in this period: customers who bought in this period and had already bought "
        "before it (customers whose first purchase falls in the period are new, so over all "
        "time this is 0)."
    ),
    "repeat_customers": N_(
        "Returning customers as Shopify counts them: customers with an order in this period "
        "who, by the end of the period, have placed more than one order (two orders inside the "
        "period count too)."
    ),
    "return_rate": N_("Returns and cancellations as a share of gross sales, by value."),
    "units": L.UNITS_HELP,  # as the tables' Units column (net of returns)
}
