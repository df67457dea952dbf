"""Overview KPIs: net revenue, orders, units, AOV, customers, new vs returning, return rate.

Definitions (the same in SQL over the store and in :func:`kpis_from_lines` over a DataFrame,
which the tests use as a second, independent computation):

- *sale lines*: not a return, not a non-product line (postage, fees), quantity > 0 where there is
  a quantity column, revenue > 0.
- ``gross_sales``: revenue of sale lines (including lines later cancelled).
- ``returns``: value of return / cancellation lines (non-product lines excluded), as a positive number.
- ``revenue`` (net): ``gross_sales - returns``.
- ``orders``: distinct order ids with at least one sale line that was not cancelled, so an order
  cancelled minutes after it was placed never counts as a sale.
- ``units``: quantity of sale lines less returned quantity (:func:`units_sql`): the tile, the
  trend and every breakdown (top products, categories, countries, stores) alike, so a product
  refunded in full shows 0 units and a period with more returned than sold shows fewer than 0.
- ``aov``: net revenue / orders.
- ``customers``: distinct customer ids among counted orders (guest orders have none).
- ``new_customers``: customers whose first counted order in the whole dataset (same country /
  category filters, any date) falls in the period; ``returning_customers`` the rest
  ("returning in this period": customers of the period who had ordered before it). Over the
  whole history every customer is new there, so that figure is 0.
- ``repeat_customers``: customers of the period who, as of the period end, have placed more than
  one counted order (same country / category filters, any earlier date) — Shopify's "returning
  customer" (a customer with more than one order). Two orders both inside the period count.
- ``return_rate``: returns / gross sales.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import pandas as pd

from ecomdash import rollup
from ecomdash import schema as S
from ecomdash.errors import ParameterError
from ecomdash.filters import Filters
from ecomdash.i18n import N_, _, fmt
from ecomdash.i18n.note import note
from ecomdash.store import Store

KPI_NAMES = (
    "revenue",
    "gross_sales",
    "returns",
    "orders",
    "units",
    "aov",
    "customers",
    "new_customers",
    "returning_customers",
    "repeat_customers",
    "return_rate",
)

#: Tile names (message ids: translate with ``_()`` where shown).
KPI_LABELS = {
    "revenue": N_("Net revenue"),
    "gross_sales": N_("Gross sales"),
    "returns": N_("Returns & cancellations"),
    "orders": N_("Orders"),
    "units": N_("Units"),
    "aov": N_("Average order value"),
    "customers": N_("Customers"),
    "new_customers": N_("New customers"),
    "returning_customers": N_("Returning in this period"),
    "repeat_customers": N_("Returning customers"),
    "return_rate": N_("Return rate"),
    "items_per_order": N_("Items per order"),
}
#: The KPIs that are amounts of money (written in the dataset's currency).
MONEY_KPIS = frozenset({"revenue", "gross_sales", "returns", "aov"})


def kpi_exact(name: str, value, display=None) -> str:
    """A KPI's exact value as the Overview's tile help and ``ecomdash kpis`` write it: money in
    the dataset's currency (``labels.money`` with ``display``), the return rate a percentage
    with two decimals, items per order with two decimals, counts whole with thousands.

    >>> from ecomdash.labels import Display
    >>> [kpi_exact(n, v, Display(currency="GBP")) for n, v in
    ...  [("revenue", 1234.5), ("return_rate", 0.03125), ("items_per_order", 2.4285), ("orders", 1234)]]
    ['£1,234.50', '3.13\u00a0%', '2.43', '1,234']
    """
    from ecomdash import labels as L

    if value is None or (isinstance(value, float) and math.isnan(value)):
        return _("n/a")
    if name == "return_rate":
        return fmt.pct(value, 2)
    if name in MONEY_KPIS:
        return L.money(value, display)
    if name == "items_per_order":
        return f"{value:,.2f}"
    return f"{int(round(value)):,}"


#: Shown when a dataset has no price or amount column (a till log of baskets, a marketplace
#: export without prices): what the overview shows instead, and what a price would unlock.
NO_REVENUE_NOTE = N_(
    "This dataset has no price or amount column, so revenue, average order value and returns "
    "value cannot be computed: orders, units, items per order, the busiest days and hours and "
    "top products by units are shown instead. Revenue needs a price column: re-upload the "
    "export on the Data page and map its unit price or line amount (or add the table holding it)."
)

GRAINS = {"day": "day", "week": "week", "month": "month"}

#: The note on a trend whose last period is partial, per grain (one sentence per message).
PARTIAL_NOTES = {
    "day": N_("The last day in the trend is partial (data up to {end}); read it with care."),
    "week": N_("The last week in the trend is partial (data up to {end}); read it with care."),
    "month": N_("The last month in the trend is partial (data up to {end}); read it with care."),
}
#: The note on a trend whose first period starts before the period shown (a week from Monday,
#: a month from the 1st): its first bar counts only the days from {start}, and reads as a dip.
PARTIAL_FIRST_NOTES = {
    "week": N_("The first week in the trend is partial (data from {start}); read it with care."),
    "month": N_("The first month in the trend is partial (data from {start}); read it with care."),
}


def day_text(d: date | None) -> str:
    """A date in a sentence (``fmt.long_date``): ``9 December 2011`` / ``2011年12月9日``."""
    if d is None:
        return str(d)
    return fmt.long_date(d)


@dataclass(frozen=True)
class OverviewResult:
    """KPIs for a period, the previous period of the same length, trend and breakdowns."""

    kpis: dict[str, float | None]
    previous: dict[str, float | None] | None
    period: tuple[date | None, date | None]
    previous_period: tuple[date, date] | None
    trend: pd.DataFrame  # period, revenue, gross_sales, returns, orders
    top_products: pd.DataFrame
    top_categories: pd.DataFrame
    top_countries: pd.DataFrame
    grain: str
    notes: tuple[str, ...] = field(default_factory=tuple)
    #: ``lines`` or ``summed`` (already summed sales: no orders, AOV or customers)
    kind: str = S.KIND_LINES
    #: summed sales: net revenue (and units) per store / location, top first
    top_locations: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: summed sales: event dates (holidays, promotions) from the file's flag column
    events: tuple[str, ...] = ()
    #: False when the dataset has no amount (no price column): counts only
    has_revenue: bool = True
    #: without revenue: orders per weekday (0 = Monday) and hour of the day
    busiest: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: the data's first order day: new customers are counted from it (see new_customers_note)
    first_day: date | None = None
    #: the previous period starts before the data's first order: only part of it has data, so
    #: its totals are too small to compare with (see :meth:`change`)
    previous_partial: bool = False

    def change(self, name: str) -> float | None:
        """Relative change against the previous period (None when not comparable: also new
        and returning customers when the previous period starts less than
        :data:`NEW_LOOKBACK_MONTHS` after the data's first day, where customers who bought
        before the data count as new, so its new customers are too many and its returning
        ones too few)."""
        if not self.previous:
            return None
        if name in CENSORED and self.previous_counts_early_customers_as_new():
            return None
        now, before = self.kpis.get(name), self.previous.get(name)
        if now is None or before is None or before == 0 or _isnan(before) or _isnan(now):
            return None
        return (now - before) / abs(before)

    def comparable_change(self, name: str) -> float | None:
        """:meth:`change`, or None for a total (net revenue, orders, customers …) when the
        previous period is only partly covered by the data (:attr:`previous_partial`): 60
        days against 60 of which only 30 have data read "+100 %", the missing month, not
        growth. A per-order figure or a share (:data:`PER_ORDER`) still compares. The
        Overview's tiles show this one."""
        if self.previous_partial and name not in PER_ORDER:
            return None
        return self.change(name)

    def point_change(self, name: str) -> float | None:
        """A rate's change against the previous period as a difference of the two shares
        (0.0288 - 0.0371 = -0.0083: 0.83 percentage points lower), for the tiles whose value is
        already a percentage (:data:`POINT_CHANGES`): their relative change (-22.5 %) reads as
        a fall of the rate itself by 22.5 points. None when not comparable."""
        if not self.previous:
            return None
        now, before = self.kpis.get(name), self.previous.get(name)
        if now is None or before is None or _isnan(before) or _isnan(now):
            return None
        return now - before

    def lookback_end(self) -> date | None:
        """:data:`NEW_LOOKBACK_MONTHS` after the data's first day: a period starting before it
        counts some customers who bought before the data as new."""
        if self.first_day is None:
            return None
        return (pd.Timestamp(self.first_day) + pd.DateOffset(months=NEW_LOOKBACK_MONTHS)).date()

    def caveat_end(self) -> date | None:
        """:data:`NEW_CAVEAT_MONTHS` after the data's first day: a period starting before it
        may still count a few customers who bought before the data as new (a caveat)."""
        if self.first_day is None:
            return None
        return (pd.Timestamp(self.first_day) + pd.DateOffset(months=NEW_CAVEAT_MONTHS)).date()

    def previous_counts_early_customers_as_new(self) -> bool:
        """The previous period starts before :meth:`lookback_end` (see
        :func:`new_customers_note`)."""
        end = self.lookback_end()
        return bool(self.previous_period and end is not None and self.previous_period[0] < end)


#: The KPIs that are rates (a share shown as a percentage): their change is in percentage
#: points (:meth:`OverviewResult.point_change`), not relative.
POINT_CHANGES = frozenset({"return_rate"})

#: The KPIs that do not grow with the number of days (a share, a per-order figure): still
#: compared with a previous period that is only partly covered by the data.
PER_ORDER = frozenset({"aov", "return_rate", "items_per_order"})

#: The counts that depend on which customers bought before a period (new vs returning).
CENSORED = frozenset({"new_customers", "returning_customers"})


def _isnan(x) -> bool:
    return isinstance(x, float) and math.isnan(x)


#: A customer is "new" when their first order *in the data* falls in the period, so a period
#: starting less than this many months after the data's first day counts as new some customers
#: who bought before the data starts: the note says so and the change of new / returning
#: customers is not shown. Measured on the demo's planted truth (its 3,000 regular
#: customers bought before the data): of a month's "new" customers, regulars are 82 % in the
#: first month, 53 % in the third, 19 % in the sixth (2025-04), at most 4 % from the seventh on.
#: On real exports the tail is longer (``bench/bench_lookback.py``: the data cut at a later
#: day, the share of each month's "new" customers who had bought before it): 15–31 % in the
#: sixth month on UCI Online Retail II and 24 % on CDNOW's stacked cohorts, still 10–14 % in
#: the ninth on both; it stays under 10 % only after 8 months or more. No estimate
#: from the data itself (gap percentiles, the cut measured inside the data) followed the
#: shops better than a fixed number, so: the change is hidden for six months, where the
#: count is far off, and :data:`NEW_CAVEAT_MONTHS` carries a note only.
NEW_LOOKBACK_MONTHS = 6
#: A period starting from six months to a year after the data's first day shows its new /
#: returning change, with a note that some earlier customers may still count as new (about
#: 5–30 % of a month's "new" customers in months 7–12 on the exports above).
NEW_CAVEAT_MONTHS = 12


def new_customers_note(res: OverviewResult) -> str | None:
    """The sentence under a New customers tile, in the current language, when its count (or
    the previous period's it is compared with) starts at or near the data's first day: the
    period starting on that day counts every customer as new; one starting less than
    :data:`NEW_LOOKBACK_MONTHS` later counts some earlier customers as new; a previous period
    starting that early makes the change read low; one starting less than
    :data:`NEW_CAVEAT_MONTHS` later may still count a few as new (a caveat; the change is
    shown). None otherwise, and without the tile."""
    first, start = res.first_day, res.period[0]
    if first is None or start is None or res.kpis.get("new_customers") is None:
        return None
    near = res.lookback_end()
    day = day_text(first)
    if start <= first:
        return _(
            "New customers are counted from {date}, the first day of your data: customers who "
            "bought before then count as new, so every customer of this period is new and none "
            "is returning in it.",
            date=day,
        )
    if start < near:
        return _(
            "New customers are counted from {date}, the first day of your data: customers who "
            "bought before then count as new, so some of this period's new customers had bought "
            "before then.",
            date=day,
        )
    if res.previous_counts_early_customers_as_new():
        return _(
            "New customers are counted from {date}, the first day of your data: customers who "
            "bought before then count as new, so the earlier period this one is compared with "
            "counts too many new customers and too few returning ones; their change is not "
            "shown.",
            date=day,
        )
    until = res.caveat_end()
    if start < until:
        return _(
            "New customers are counted from {date}, the first day of your data: until {until}, "
            "some customers who bought before then may still count as new when they come back.",
            date=day,
            until=day_text(until),
        )
    return None


def _sale_cond(cols: tuple[str, ...]) -> str:
    cond = "NOT is_return AND NOT is_non_product"
    if S.REVENUE in cols:
        cond += " AND revenue > 0"
    if S.QUANTITY in cols:
        cond += " AND quantity > 0"
    return cond


def units_sql(sale: str) -> str:
    """Units net of returns, as SQL over the lines: the quantity of the sale lines (``sale``:
    :func:`_sale_cond`) less the returned quantity of product lines. The one rule of the
    Units tile and of every table that shows units (a return counts in the period it is
    dated, as its value does in net revenue)."""
    return (
        f"sum(CASE WHEN {sale} THEN quantity ELSE 0 END) "
        f"- sum(CASE WHEN {RETURNED} THEN abs(quantity) ELSE 0 END)"
    )


#: a return line of a product (postage and fee lines left out), as in net revenue's returns
RETURNED = "is_return AND NOT is_non_product"


def _kpi_sql(cols: tuple[str, ...]) -> str:
    sale = _sale_cond(cols)
    units = units_sql(sale) if S.QUANTITY in cols else "NULL"
    has_cust = S.CUSTOMER_ID in cols
    counted = f"{sale} AND NOT is_cancelled"
    customers = f"count(DISTINCT CASE WHEN {counted} THEN customer_id END)" if has_cust else "NULL"
    if S.REVENUE in cols:
        money = f"""coalesce(sum(CASE WHEN {sale} THEN revenue END), 0) AS gross_sales,
          coalesce(sum(CASE WHEN is_return AND NOT is_non_product THEN abs(revenue) END), 0) AS returns,"""
    else:
        money = "NULL AS gross_sales, NULL AS returns,"
    orders = f"count(DISTINCT CASE WHEN {counted} THEN order_id END)" if S.ORDER_ID in cols else "0"
    return f"""
        SELECT
          {money}
          {orders} AS orders,
          {units} AS units,
          {customers} AS customers
        FROM l
    """


def _first_purchase_sql(sale: str) -> str:
    return f"""
        SELECT count(*) FROM (
          SELECT customer_id, min(order_date) AS first_date FROM l
          WHERE {sale} AND NOT is_cancelled AND customer_id IS NOT NULL
          GROUP BY customer_id
        ) WHERE first_date >= ? AND first_date < ?
    """


def _repeat_sql(sale: str) -> str:
    """Customers with an order in [start, end) and more than one order before ``end``."""
    return f"""
        SELECT count(*) FROM (
          SELECT customer_id, count(DISTINCT order_id) AS n_orders,
            max(CASE WHEN order_date >= ? THEN 1 ELSE 0 END) AS in_period
          FROM l
          WHERE {sale} AND NOT is_cancelled AND customer_id IS NOT NULL AND order_date < ?
          GROUP BY customer_id
        ) t WHERE in_period = 1 AND n_orders > 1
    """


def compute_kpis(store: Store, dataset_id: str, filters: Filters | None = None) -> dict:
    """KPIs for one period, by SQL in the store."""
    info = store.info(dataset_id)
    filters = filters or Filters()
    cols = info.columns
    if S.REVENUE not in cols:
        return _count_kpis(store, info, filters)
    use_rollup = rollup.ready(store, info)  # the per-order rollup (ecomdash/rollup.py)
    if use_rollup:
        row = rollup.kpi_row(store, info, filters)
    else:
        row = store.query(info.id, filters, _kpi_sql(cols)).iloc[0]
    gross, returns = float(row.gross_sales), float(row.returns)
    orders = int(row.orders)
    net = gross - returns
    out: dict[str, float | None] = {
        "revenue": net,
        "gross_sales": gross,
        "returns": returns,
        "orders": orders,
        "units": None if pd.isna(row.units) else float(row.units),
        "aov": (net / orders) if orders else None,
        "customers": None if pd.isna(row.customers) else int(row.customers),
        "new_customers": None,
        # summed sales have no orders nor customers: "orders" would read as zero
        "returning_customers": None,
        "repeat_customers": None,
        "return_rate": (returns / gross) if gross else None,
    }
    if info.kind == S.KIND_SUMMED:
        out["orders"] = out["aov"] = out["customers"] = None
        return out
    if S.ORDER_ID not in cols:
        # no order id (CDNOW: customer, date, CDs, dollars): orders cannot be counted; they
        # read "0" and the average order value "n/a" on the Overview and Home
        out["orders"] = out["aov"] = None
    if S.CUSTOMER_ID in cols and S.ORDER_DATE in cols and out["customers"] is not None:
        lo, hi = store.date_range(info.id)
        start = filters.start or (lo.date() if lo else None)
        end = filters.end or (hi.date() if hi else None)
        if start and end:
            whole = Filters(countries=filters.countries, categories=filters.categories)
            sale = _sale_cond(cols)
            bounds = (pd.Timestamp(start), pd.Timestamp(end) + pd.Timedelta(days=1))
            if use_rollup:
                new = rollup.new_customers(store, info, whole, bounds)
                repeat = rollup.repeat_customers(store, info, whole, bounds)
            else:
                new = int(store.query(info.id, whole, _first_purchase_sql(sale), bounds).iloc[0, 0])
                repeat = int(store.query(info.id, whole, _repeat_sql(sale), bounds).iloc[0, 0])
            out["new_customers"] = new
            out["returning_customers"] = int(out["customers"]) - new
            out["repeat_customers"] = repeat
    if S.ORDER_ID not in cols:  # customers with more than one order: none counted either
        out["repeat_customers"] = None
    return out


def _count_kpis(store: Store, info, filters: Filters) -> dict:
    """KPIs of a dataset without amounts: orders, units, items per order, customers."""
    cols = info.columns
    if S.ORDER_ID not in cols and S.QUANTITY not in cols:
        raise ParameterError(
            note(
                N_(
                    "The overview needs an amount column (revenue or unit price × quantity), an "
                    "order id or a quantity; this dataset has none of them. Re-upload the file "
                    "and map one on the Data page."
                )
            )
        )
    row = store.query(info.id, filters, _kpi_sql(cols)).iloc[0]
    orders = int(row.orders) if S.ORDER_ID in cols else None
    units = None if pd.isna(row.units) else float(row.units)
    return {
        "revenue": None,
        "gross_sales": None,
        "returns": None,
        "orders": orders,
        "units": units,
        "aov": None,
        "customers": None if pd.isna(row.customers) else int(row.customers),
        "new_customers": None,
        "returning_customers": None,
        "repeat_customers": None,
        "return_rate": None,
        "items_per_order": (units / orders) if units is not None and orders else None,
    }


def _busiest(store: Store, info, filters: Filters) -> pd.DataFrame:
    """Orders (or lines, without an order id) per weekday (0 = Monday) and hour."""
    sale = _sale_cond(info.columns)
    what = "count(DISTINCT order_id)" if S.ORDER_ID in info.columns else "count(*)"
    return store.query(
        info.id,
        filters,
        f"""
        SELECT isodow(order_date) - 1 AS weekday, hour(order_date) AS hour, {what} AS orders
        FROM l WHERE {sale} AND NOT is_cancelled AND order_date IS NOT NULL
        GROUP BY 1, 2 ORDER BY 1, 2
        """,
    )


#: The Overview's note when the data starts with the period (it sends the merchant to the
#: sidebar; the report, which has none, leaves it out: its verdict says the same)
NO_EARLIER_DATA = N_(
    "There is no data before this period, so no comparison is shown. Narrow the date range in "
    "the sidebar to compare with an earlier period."
)


def overview(
    store: Store,
    dataset_id: str,
    filters: Filters | None = None,
    *,
    grain: str = "auto",
    top_n: int = 10,
) -> OverviewResult:
    """Everything the Overview page shows, computed by SQL in the store.

    Its ``notes`` are sentences in the current language (``ecomdash.i18n``): a cache of the
    result is keyed by the language."""
    info = store.info(dataset_id)
    filters = filters or Filters()
    cols = info.columns
    lo, hi = store.date_range(info.id)
    start = filters.start or (lo.date() if lo else None)
    end = filters.end or (hi.date() if hi else None)
    period_filters = Filters(start, end, filters.countries, filters.categories)
    kpis = compute_kpis(store, info.id, period_filters)
    notes: list[str] = []

    previous = prev_period = None
    previous_partial = False
    prev_f = period_filters.previous_period()
    if prev_f is not None and lo is not None and prev_f.end >= lo.date():
        previous = compute_kpis(store, info.id, prev_f)
        prev_period = (prev_f.start, prev_f.end)
        if prev_f.start < lo.date():
            previous_partial = True
            notes.append(
                _(
                    "The previous period ({start} to {end}) starts before the data's first "
                    "purchase ({first}), so it is only partly covered.",
                    start=day_text(prev_f.start),
                    end=day_text(prev_f.end),
                    first=day_text(lo.date()),
                )
            )
    elif prev_f is not None:
        notes.append(_(NO_EARLIER_DATA))

    if grain == "auto":
        days = period_filters.days or 0
        grain = "day" if days <= 62 else "week" if days <= 370 else "month"
    if grain not in GRAINS:
        raise ParameterError(
            note(
                N_(
                    "The 'grain' parameter must be one of day, week, month or auto. Got {value} "
                    "instead."
                ),
                value=repr(grain),
            )
        )
    sale = _sale_cond(cols)
    summed = info.kind == S.KIND_SUMMED
    if S.REVENUE not in cols:
        return replace(
            _count_overview(
                store,
                info,
                period_filters,
                kpis,
                previous,
                (start, end),
                prev_period,
                grain,
                notes,
                top_n,
            ),
            previous_partial=previous_partial,
        )
    trend_units = f", {units_sql(sale)} AS units" if summed and S.QUANTITY in cols else ""
    orders_sql = (
        ""
        if summed or S.ORDER_ID not in cols
        else f", count(DISTINCT CASE WHEN {sale} AND NOT is_cancelled THEN order_id END) AS orders"
    )
    use_rollup = not summed and rollup.ready(store, info)  # per-order sums (ecomdash/rollup.py)
    trend = (
        rollup.trend(store, info, period_filters, grain)
        if use_rollup
        else store.query(
            info.id,
            period_filters,
            f"""
        SELECT date_trunc('{grain}', order_date) AS period,
          coalesce(sum(CASE WHEN {sale} THEN revenue END), 0)
            - coalesce(sum(CASE WHEN is_return AND NOT is_non_product THEN abs(revenue) END), 0) AS revenue,
          coalesce(sum(CASE WHEN {sale} THEN revenue END), 0) AS gross_sales,
          coalesce(sum(CASE WHEN is_return AND NOT is_non_product THEN abs(revenue) END), 0) AS returns
          {orders_sql}{trend_units}
        FROM l GROUP BY 1 ORDER BY 1
        """,
        )
    )
    if S.ORDER_ID not in cols:  # the rollup's trend counts them as 0 too
        trend = trend.drop(columns="orders", errors="ignore")
    if len(trend) and end is not None:
        last = pd.Timestamp(trend["period"].iloc[-1])
        period_end = {
            "day": last + pd.Timedelta(days=1),
            "week": last + pd.Timedelta(days=7),
            "month": last + pd.offsets.MonthBegin(1),
        }[grain]
        if period_end.date() > end + timedelta(days=1):
            notes.append(_(PARTIAL_NOTES[grain], end=day_text(end)))
    if len(trend) and start is not None and grain in PARTIAL_FIRST_NOTES:
        # the first bucket (the week's Monday, the month's 1st) begins before the period does
        if pd.Timestamp(trend["period"].iloc[0]) < pd.Timestamp(start):
            notes.append(_(PARTIAL_FIRST_NOTES[grain], start=day_text(start)))

    def breakdown(col: str, label_col: str | None = None) -> pd.DataFrame:
        if col not in cols:
            return pd.DataFrame()
        if use_rollup and col in (S.COUNTRY, S.CATEGORY):
            return rollup.breakdown(store, info, period_filters, col, top_n)
        if use_rollup and col == S.PRODUCT_ID:
            return rollup.top_products(store, info, period_filters, top_n)
        label = f", any_value({label_col}) AS name" if label_col and label_col in cols else ""
        # net of returned units, as the tile (the rows are product lines: WHERE below)
        units_col = f", {units_sql(sale)} AS units" if S.QUANTITY in cols else ""
        return store.query(
            info.id,
            period_filters,
            f"""
            SELECT {col} AS key{label},
              coalesce(sum(CASE WHEN {sale} THEN revenue END), 0)
                - coalesce(sum(CASE WHEN is_return AND NOT is_non_product THEN abs(revenue) END), 0) AS revenue
              {orders_sql}
              {units_col}
            FROM l WHERE {col} IS NOT NULL AND NOT is_non_product
            GROUP BY {col} ORDER BY revenue DESC, key LIMIT ?
            """,
            (top_n,),
        )

    return OverviewResult(
        kpis=kpis,
        previous=previous,
        period=(start, end),
        previous_period=prev_period,
        trend=trend,
        top_products=breakdown(S.PRODUCT_ID, S.PRODUCT_NAME),
        top_categories=breakdown(S.CATEGORY),
        top_countries=breakdown(S.COUNTRY),
        grain=grain,
        notes=tuple(notes),
        kind=info.kind,
        top_locations=breakdown(S.LOCATION),
        events=info.events,
        first_day=lo.date() if lo is not None else None,
        previous_partial=previous_partial,
    )


def kpis_from_lines(
    lines: pd.DataFrame, start: date | None = None, end: date | None = None
) -> dict:
    """The same KPIs computed with pandas from a canonical table (reference for tests)."""
    df = lines
    if start is not None:
        df = df[df[S.ORDER_DATE] >= pd.Timestamp(start)]
    if end is not None:
        df = df[df[S.ORDER_DATE] < pd.Timestamp(end) + pd.Timedelta(days=1)]
    sale = ~df[S.IS_RETURN] & ~df[S.IS_NON_PRODUCT] & (df[S.REVENUE] > 0)
    if S.QUANTITY in df:
        sale &= df[S.QUANTITY] > 0
    ret = df[S.IS_RETURN] & ~df[S.IS_NON_PRODUCT]
    counted = sale & ~df[S.IS_CANCELLED]
    gross = float(df.loc[sale, S.REVENUE].sum())
    returns = float(df.loc[ret, S.REVENUE].abs().sum())
    orders = int(df.loc[counted, S.ORDER_ID].nunique()) if S.ORDER_ID in df else None
    out = {
        "revenue": gross - returns,
        "gross_sales": gross,
        "returns": returns,
        "orders": orders,
        "units": (
            float(df.loc[sale, S.QUANTITY].sum() - df.loc[ret, S.QUANTITY].abs().sum())
            if S.QUANTITY in df
            else None
        ),
        "aov": (gross - returns) / orders if orders else None,
        "customers": int(df.loc[counted, S.CUSTOMER_ID].dropna().nunique())
        if S.CUSTOMER_ID in df
        else None,
        "return_rate": returns / gross if gross else None,
    }
    if S.CUSTOMER_ID in lines:
        all_sale = ~lines[S.IS_RETURN] & ~lines[S.IS_NON_PRODUCT] & (lines[S.REVENUE] > 0)
        if S.QUANTITY in lines:
            all_sale &= lines[S.QUANTITY] > 0
        all_sale &= ~lines[S.IS_CANCELLED]
        first = (
            lines.loc[all_sale]
            .dropna(subset=[S.CUSTOMER_ID])
            .groupby(S.CUSTOMER_ID)[S.ORDER_DATE]
            .min()
        )
        lo = pd.Timestamp(start) if start else first.min()
        hi = pd.Timestamp(end) + pd.Timedelta(days=1) if end else first.max() + pd.Timedelta(days=1)
        new = int(((first >= lo) & (first < hi)).sum())
        out["new_customers"] = new
        out["returning_customers"] = (out["customers"] or 0) - new
        # the period as the store sees it: the data's first to last day when no dates are given
        p_lo = pd.Timestamp(start) if start else lines[S.ORDER_DATE].min().normalize()
        p_hi = (pd.Timestamp(end) if end else lines[S.ORDER_DATE].max().normalize()) + pd.Timedelta(
            days=1
        )
        upto = lines.loc[all_sale & (lines[S.ORDER_DATE] < p_hi)].dropna(subset=[S.CUSTOMER_ID])
        if S.ORDER_ID not in lines:  # no orders to count, as compute_kpis
            out["repeat_customers"] = None
            return out
        n_orders = upto.groupby(S.CUSTOMER_ID)[S.ORDER_ID].nunique()
        in_period = set(upto.loc[upto[S.ORDER_DATE] >= p_lo, S.CUSTOMER_ID])
        out["repeat_customers"] = int(((n_orders > 1) & n_orders.index.isin(in_period)).sum())
    return out


def _count_overview(
    store, info, period_filters, kpis, previous, period, prev_period, grain, notes, top_n
) -> OverviewResult:
    """The overview of a dataset without amounts: counts per period, top by units, busiest."""
    cols = info.columns
    sale = _sale_cond(cols)
    counted = f"{sale} AND NOT is_cancelled"
    parts = []
    if S.ORDER_ID in cols:
        parts.append(f"count(DISTINCT CASE WHEN {counted} THEN order_id END) AS orders")
    if S.QUANTITY in cols:
        parts.append(f"{units_sql(sale)} AS units")
    trend = store.query(
        info.id,
        period_filters,
        f"SELECT date_trunc('{grain}', order_date) AS period, {', '.join(parts)} "
        "FROM l GROUP BY 1 ORDER BY 1",
    )
    rank = "units" if S.QUANTITY in cols else "orders"

    def breakdown(col: str, label_col: str | None = None) -> pd.DataFrame:
        if col not in cols:
            return pd.DataFrame()
        label = f", any_value({label_col}) AS name" if label_col and label_col in cols else ""
        return store.query(
            info.id,
            period_filters,
            f"""
            SELECT {col} AS key{label}, {", ".join(parts)}
            FROM l WHERE {col} IS NOT NULL AND NOT is_non_product
            GROUP BY {col} ORDER BY {rank} DESC, key LIMIT ?
            """,
            (top_n,),
        )

    return OverviewResult(
        kpis=kpis,
        previous=previous,
        period=period,
        previous_period=prev_period,
        trend=trend,
        top_products=breakdown(S.PRODUCT_ID, S.PRODUCT_NAME),
        top_categories=breakdown(S.CATEGORY),
        top_countries=breakdown(S.COUNTRY),
        grain=grain,
        notes=(_(NO_REVENUE_NOTE), *notes),
        kind=info.kind,
        top_locations=breakdown(S.LOCATION),
        events=info.events,
        has_revenue=False,
        busiest=_busiest(store, info, period_filters),
    )
