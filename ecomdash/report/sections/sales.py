"""Sales sections: headline figures, trend, top products (the Overview's figures)."""

from __future__ import annotations

from ecomdash import labels as L
from ecomdash.charts.overview import breakdown_figure, trend_figure
from ecomdash.errors import InsufficientDataError
from ecomdash.i18n import N_, _, _n
from ecomdash.i18n import fmt as i18n_fmt
from ecomdash.kpis import (
    KPI_LABELS,
    NO_EARLIER_DATA,
    POINT_CHANGES,
    day_text,
    new_customers_note,
)
from ecomdash.report.data import (
    ReportData,
)
from ecomdash.report.model import Metric, Section, Table
from ecomdash.report.sections.common import (
    KPI_ORDER,
    LOWER_IS_BETTER,
    _grain,
    _period_text,
    fmt_kpi,
    pct,
)


# -- sales ---------------------------------------------------------------------------------------
def kpis(data: ReportData) -> Section:
    res = data.overview()
    start, end = res.period
    metrics = []
    for name in KPI_ORDER:
        # as the Overview's tiles: a rate's change in points (3.7 % → 2.9 % is -0.8 points,
        # not -22.5 %), and no total's change against a previous period the data only
        # partly covers (its missing days would read as growth)
        points = name in POINT_CHANGES
        ch = res.point_change(name) if points else res.comparable_change(name)
        good = None if ch is None or ch == 0 else (ch > 0) != (name in LOWER_IS_BETTER)
        value, exact = fmt_kpi(name, res.kpis.get(name), data.display)
        if ch is None:
            delta = None
        elif points:
            delta = _("{change} points vs previous period", change=f"{ch * 100:+.1f}")
        else:
            delta = _("{change} vs previous period", change=_signed_pct(ch))
        metrics.append(Metric(_(KPI_LABELS[name]), value, delta, good, exact))
    if res.previous_period:
        verdict = _(
            "{start} to {end}, compared with the previous period of the same length "
            "({prev_start} to {prev_end}). Exact sums of your order lines, no model involved.",
            start=day_text(start),
            end=day_text(end),
            prev_start=day_text(res.previous_period[0]),
            prev_end=day_text(res.previous_period[1]),
        )
    else:
        verdict = _(
            "{start} to {end}. There is no earlier data of the same length to compare with. "
            "Exact sums of your order lines, no model involved.",
            start=day_text(start),
            end=day_text(end),
        )
    # the New customers tile counts from the data's first day: said as the app's Overview does
    new_note = new_customers_note(res)
    # the Overview's "no data before this period" note sends the reader to the app's sidebar,
    # which a report reader does not have; the verdict above already says there is nothing
    # earlier to compare with
    notes = tuple(n for n in res.notes if n != _(NO_EARLIER_DATA))
    text = (*notes, new_note) if new_note else notes
    return Section("kpis", "Headline figures", verdict, "info", text, tuple(metrics))


def _signed_pct(x: float) -> str:
    return i18n_fmt.pct(x, 1, signed=True)


def _no_revenue() -> InsufficientDataError:
    return InsufficientDataError(
        _(
            "This dataset has no price or amount column: revenue needs one (see the Overview "
            "for orders, units and top products by units)."
        )
    )


def trend(data: ReportData) -> Section:
    res = data.overview()
    if not res.has_revenue:
        raise _no_revenue()
    if res.trend.empty:
        raise InsufficientDataError(_("There are no dated sales in this period to draw a trend."))
    t = res.trend
    best = t.loc[t["revenue"].idxmax()]
    text = (
        _n(
            "Best {grain}: {date} with net revenue {revenue} over {orders} order.",
            "Best {grain}: {date} with net revenue {revenue} over {orders} orders.",
            int(best["orders"]),
            grain=_grain(res.grain),
            date=_period_text(best["period"], res.grain),
            # whole units, as the report's other sentences write a sum of real orders
            # (findings' money_exact: "orders worth £2,140"), never to the penny
            revenue=L.money(best["revenue"], data.display, places=0),
            orders=f"{int(best['orders']):,}",
        ),
    )
    return Section(
        "trend",
        "Trend",
        _(
            "Net revenue by {grain}: gross sales less returns. Exact figures, no model.",
            grain=_grain(res.grain),
        ),
        "info",
        text,
        # the currency on the money axis and in every hover, as on the Overview
        figures=(trend_figure(res, "revenue", symbol=data.display.symbol),),
    )


def top_products(data: ReportData) -> Section:
    res = data.overview()
    if not res.has_revenue:
        raise _no_revenue()
    df = res.top_products
    if df.empty:
        raise InsufficientDataError(
            _("This dataset has no product id column, so products cannot be ranked.")
        )
    total = res.kpis.get("revenue") or 0.0
    share = df["revenue"].sum() / total if total else float("nan")
    cols = [c for c in ("key", "name", "revenue", "orders", "units") if c in df]
    table = df[cols]
    return Section(
        "top_products",
        "Top products",
        _(
            "The {n} best sellers by net revenue make {share} of net revenue. Exact figures, "
            "no model.",
            n=len(df),
            share=pct(share),
        ),
        "info",
        figures=(
            breakdown_figure(df, _("Top products by net revenue"), symbol=data.display.symbol),
        ),
        tables=(Table(N_("Top products"), table, area="report.products"),),
    )
