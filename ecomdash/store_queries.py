"""The store's read side: the aggregates the analyses ask for (per product-week, per day,
per customer, per basket, the top products' lines, the alerts' series and mutes), each computed
in DuckDB SQL so no page loads every line. A mixin of :class:`ecomdash.store.Store` (which
holds the connection, the catalogue and the write path); the Spark store overrides some of
these with Spark SQL.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

import duckdb
import pandas as pd

from ecomdash import schema as S
from ecomdash.errors import ParameterError
from ecomdash.filters import Filters
from ecomdash.i18n import N_
from ecomdash.i18n.note import note
from ecomdash.store_tables import LINE_COLUMNS, from_arrow_lines

if TYPE_CHECKING:
    from ecomdash.store import DatasetInfo

#: A sale line later cancelled by the return matched to it (``schema.IS_CANCELLED``): not one
#: of a customer's purchases nor in a basket (``StoreQueries.customer_predicate``)
CANCELLED_SQL = "coalesce(is_cancelled, false)"

#: ``product_week_prices``' columns (``lean``: the ones the pricing models read)
PW_COLUMNS = [
    "product_id",
    "product_name",
    "category",
    "week",
    "units",
    "revenue",
    "mean_price",
    "median_price",
    "min_price",
    "max_price",
    "orders",
    "lines",
    "store_orders",
]


def full_weeks(
    first: date, last: date, closed: frozenset[int] | set[int] = frozenset()
) -> tuple[date, date] | None:
    """The first and last Monday of the weeks (Monday to Sunday) that the days ``first`` to
    ``last`` cover whole; None when they cover no week whole. ``closed``: the weekdays the
    shop never opens (0 = Monday; :meth:`StoreQueries.pricing_weeks` finds them): an edge
    week whose only missing days are such weekdays is covered whole (a shop closed on
    Sundays whose data ends on a Saturday keeps its last week).

    The weekly pricing panel keeps only these weeks: data starting on a Friday or ending on
    a Wednesday would otherwise count a few days' sales as a week's, a slow week at whatever
    price was charged then.

    >>> full_weeks(date(2024, 11, 1), date(2026, 10, 31))  # a Friday to a Saturday
    (datetime.date(2024, 11, 4), datetime.date(2026, 10, 19))
    >>> full_weeks(date(2024, 1, 1), date(2024, 1, 14))  # a Monday to a Sunday
    (datetime.date(2024, 1, 1), datetime.date(2024, 1, 8))
    >>> full_weeks(date(2024, 1, 2), date(2024, 1, 8)) is None  # 7 days, no whole week
    True
    >>> full_weeks(date(2024, 1, 1), date(2024, 1, 13), {6})  # to a Saturday, Sundays closed
    (datetime.date(2024, 1, 1), datetime.date(2024, 1, 8))
    """
    lo = first - timedelta(days=first.weekday())  # the Monday of ``first``'s week
    if any(d not in closed for d in range(first.weekday())):  # a day before it, open
        lo += timedelta(days=7)
    hi = last - timedelta(days=last.weekday())  # the Monday of ``last``'s week
    if any(d not in closed for d in range(last.weekday() + 1, 7)):  # a day after it, open
        hi -= timedelta(days=7)
    return (lo, hi) if lo <= hi else None


#: How many of a weekday the data's span must hold, none with a line, for the shop to count
#: as closed that weekday (:meth:`StoreQueries.pricing_weeks`): a few days of data say nothing
CLOSED_WEEKDAY_MIN = 4


def closed_weekdays(first: date, last: date, open_days) -> frozenset[int]:
    """The weekdays (0 = Monday) without a line (``open_days``: the weekdays with one) that
    the days ``first`` to ``last`` hold at least :data:`CLOSED_WEEKDAY_MIN` times.

    >>> sorted(closed_weekdays(date(2024, 1, 1), date(2024, 2, 3), range(6)))  # 4 Sundays
    [6]
    >>> sorted(closed_weekdays(date(2024, 1, 1), date(2024, 1, 20), range(6)))  # 2 Sundays
    []
    """
    span = (last - first).days
    out = set()
    for d in set(range(7)) - set(open_days):
        offset = (d - first.weekday()) % 7  # days to the first such weekday
        if offset <= span and (span - offset) // 7 + 1 >= CLOSED_WEEKDAY_MIN:
            out.add(d)
    return frozenset(out)


class StoreQueries:
    """The aggregate queries of :class:`~ecomdash.store.Store` (see the module's docstring)."""

    def query(self, dataset_id: str, filters: Filters | None, sql: str, params=()) -> pd.DataFrame:
        """Run an aggregate ``sql`` over the dataset's filtered lines, exposed as view ``l``.

        The SQL is the caller's own (never merchant text); values go in ``params``.
        """
        return self._query_lines(self.info(dataset_id), filters, sql, params)

    def _query_lines(
        self,
        info: DatasetInfo,
        filters: Filters | None,
        sql: str,
        params=(),
        *,
        fetch: str = "pandas",
    ):
        """:meth:`query` for a dataset already looked up: the one place that writes the
        ``WITH l AS (...)`` view. ``fetch``: ``"pandas"`` (DuckDB's ``.df()``) or ``"arrow"``
        (a ``pyarrow.Table``: far cheaper for many rows of text, e.g. the 2.3 M product-weeks
        of 10 M lines, whose ``.df()`` spent about 5 s of one core on their strings)."""
        if fetch not in ("pandas", "arrow"):
            raise ValueError(f"fetch must be 'pandas' or 'arrow', not {fetch!r}")
        where, wparams = self._where(info, filters)
        full = f"WITH l AS (SELECT * FROM lines WHERE {where}) {sql}"
        if fetch == "arrow":
            return self._cur().sql(full, params=[*wparams, *params]).to_arrow_table()
        return self._cur().execute(full, [*wparams, *params]).df()

    # -- pricing aggregates (issue 14) ----------------------------------------------------
    def product_week_prices(
        self,
        dataset_id: str,
        filters: Filters | None = None,
        *,
        min_weeks: int = 1,
        lean: bool = False,
    ) -> pd.DataFrame:
        """Units, revenue and prices per product and week (weeks start on Monday), in SQL.

        Kept sales lines only: no returns, non-product lines, lines with quantity/price <= 0,
        nor sale lines later cancelled (``is_cancelled``, matched to the return that cancels
        them, as :meth:`customer_predicate` leaves them out: a cancelled sale is not demand at
        its price); the unit price is ``unit_price``, else ``revenue / quantity``. Only the
        weeks the data covers whole (:meth:`pricing_weeks`): the first and last weeks of the
        dataset (after the sidebar's dates) are left out when it covers them for fewer than 7
        days, not counting a weekday the shop never opens, so a part week never counts as a
        slow one. Columns:
        ``product_id, product_name, category, week, units, revenue, mean_price`` (units-
        weighted), ``median_price`` (median of the lines' prices), ``min_price, max_price,
        orders`` (distinct orders with the product), ``lines``, ``store_orders`` (distinct
        orders of the whole filtered store that week). Products with fewer than
        ``min_weeks`` weeks of sales are left out. Sorted by product and week. ``lean``: only
        the columns the pricing models read (``product_id, product_name, category, week,
        units, revenue, median_price, store_orders``; the same values) — it skips the
        per-product-week distinct order count, about half of the query at 10 M lines.
        """
        info = self.info(dataset_id)
        cols = set(info.columns)
        if not {S.ORDER_DATE, S.PRODUCT_ID, S.QUANTITY} <= cols or not (
            {S.UNIT_PRICE, S.REVENUE} & cols
        ):
            raise ParameterError(
                note(
                    N_(
                        "Prices per product and week need the order date, product id, quantity and "
                        "unit price (or revenue) columns; this dataset has {columns}. "
                        "Re-upload the export on the Data page and map those columns."
                    ),
                    columns=tuple(info.columns),
                )
            )
        weeks = self.pricing_weeks(dataset_id, filters)
        if weeks is None:  # no whole week: the panel is empty (the analysis says so)
            weeks = (date(2000, 1, 3), date(2000, 1, 3) - timedelta(days=7))
        price = "unit_price" if S.UNIT_PRICE in cols else "revenue / quantity"
        if S.UNIT_PRICE in cols and S.REVENUE in cols:
            price = "coalesce(unit_price, revenue / quantity)"
        oid = "order_id" if S.ORDER_ID in cols else "CAST(line_no AS VARCHAR)"
        name = "product_name" if S.PRODUCT_NAME in cols else "product_id"
        cat = "category" if S.CATEGORY in cols else "CAST(NULL AS VARCHAR)"
        more, more_out = "", ""
        if not lean:
            more = """, sum(quantity * price) / sum(quantity) AS mean_price,
                       min(price) AS min_price, max(price) AS max_price,
                       count(DISTINCT oid) AS orders, count(*) AS lines"""
            more_out = "pw.mean_price, pw.min_price, pw.max_price, pw.orders, pw.lines,"
        # every product here has a week of sales: the weeks are counted only for a higher bar
        params: list = [datetime.combine(w, datetime.min.time()) for w in weeks]
        n_weeks, keep = "", ""
        if min_weeks > 1:
            n_weeks, keep = (
                ", count(*) OVER (PARTITION BY product_id) AS n_weeks",
                "WHERE pw.n_weeks >= ?",
            )
            params.append(int(min_weeks))
        sql = f"""
            , s AS (
                SELECT product_id, {name} AS product_name, {cat} AS category, order_date,
                       CAST(date_trunc('week', order_date) AS TIMESTAMP) AS week,
                       quantity, {price} AS price, {oid} AS oid
                FROM l
                WHERE NOT is_return AND NOT is_non_product AND NOT {CANCELLED_SQL}
                  AND product_id IS NOT NULL AND order_date IS NOT NULL AND quantity > 0
                  AND ({price}) > 0
            ),
            names AS (
                SELECT product_id, arg_max(product_name, order_date) AS product_name,
                       arg_max(category, order_date) AS category
                FROM s GROUP BY product_id
            ),
            store AS (SELECT week, count(DISTINCT oid) AS store_orders FROM s GROUP BY week),
            pw AS (
                SELECT product_id, week, sum(quantity) AS units, sum(quantity * price) AS revenue,
                       median(price) AS median_price {more} {n_weeks}
                FROM s WHERE week >= ? AND week <= ? GROUP BY product_id, week
            )
            SELECT pw.product_id, names.product_name, names.category, pw.week, pw.units,
                   pw.revenue, pw.median_price, {more_out} store.store_orders
            FROM pw JOIN names USING (product_id) JOIN store USING (week)
            {keep}
            ORDER BY pw.product_id, pw.week
        """
        # the CTEs above follow query()'s "WITH l AS (...)"; fetched as Arrow (DuckDB's .df()
        # spent about 5 s of one core on these 2.3 M rows' strings at 10 M lines)
        df = self._query_lines(info, filters, sql, params, fetch="arrow").to_pandas()
        df["week"] = pd.to_datetime(df["week"]).astype("datetime64[us]")
        for c in ("product_id", "product_name", "category"):
            df[c] = df[c].astype("string")
        for c in ("orders", "lines", "store_orders"):
            if c in df:
                df[c] = df[c].astype("int64")
        if not lean:  # the documented column order
            df = df[PW_COLUMNS]
        return df

    def pricing_weeks(
        self, dataset_id: str, filters: Filters | None = None
    ) -> tuple[date, date] | None:
        """The first and last Monday of the weeks :meth:`product_week_prices` keeps: those
        the data covers whole (:func:`full_weeks`). The days covered run from the dataset's
        first to its last day with a line (any line, whatever the countries or categories
        filtered: a shop open that day), within the filters' start and end dates (a date the
        sidebar picks inside the data is covered even with no sale on it); a weekday on which
        the dataset has no line at all (at least :data:`CLOSED_WEEKDAY_MIN` of them in its
        span: a weekly closing day) counts as covered, so a shop closed on Sundays whose data
        ends on a Saturday keeps its last week. One SQL for both engines (the Spark store
        runs it as Spark SQL). None when no week is covered whole (or the lines are
        undated)."""
        info = self.info(dataset_id)
        if S.ORDER_DATE not in info.columns:
            return None
        where, params = self._where(info, None)
        # per weekday (0 = Monday: 1 January 1900 was one) its first and last line
        rows = (
            self._cur()
            .execute(
                f"""SELECT wd, min(order_date) AS lo, max(order_date) AS hi FROM (
                        SELECT date_diff('day', CAST(DATE '1900-01-01' AS DATE),
                                         CAST(order_date AS DATE)) % 7 AS wd, order_date
                        FROM lines WHERE {where} AND order_date IS NOT NULL
                    ) days GROUP BY wd""",
                params,
            )
            .fetchall()
        )
        if not rows:
            return None
        first = min(pd.Timestamp(r[1]) for r in rows).date()
        last = max(pd.Timestamp(r[2]) for r in rows).date()
        closed = closed_weekdays(first, last, {int(r[0]) for r in rows})
        lo, hi = first, last
        f = filters or Filters()
        if f.start is not None:
            lo = max(lo, f.start)
        if f.end is not None:
            hi = min(hi, f.end)
        return full_weeks(lo, hi, closed) if lo <= hi else None

    def product_weeks(self, dataset_id: str, filters: Filters | None = None) -> pd.DataFrame:
        """Units and revenue of the sales lines per product and week (weeks start on Monday),
        in SQL: what :func:`ecomdash.inventory.classify_products` reads from the lines.

        Sales lines as :func:`ecomdash.schema.sales_lines` (see :meth:`sales_predicate`) with a
        product id; ``revenue`` is the revenue column, or the units when there is none (as
        ``classify_products`` ranks them). Undated lines come in one row with ``week`` NaT
        (they count in a product's revenue, not in its weekly units). Columns ``product_id,
        week, units, revenue``, sorted by product and week.
        """
        info = self.info(dataset_id)
        cols = set(info.columns)
        if not {S.PRODUCT_ID, S.QUANTITY} <= cols:
            return pd.DataFrame(
                {
                    "product_id": pd.Series(dtype="string"),
                    "week": pd.Series(dtype="datetime64[us]"),
                    "units": pd.Series(dtype="float64"),
                    "revenue": pd.Series(dtype="float64"),
                }
            )
        week = (
            "CAST(date_trunc('week', order_date) AS TIMESTAMP)"
            if S.ORDER_DATE in cols
            else "CAST(NULL AS TIMESTAMP)"
        )
        revenue = "revenue" if S.REVENUE in cols else "quantity"
        sql = f"""
            SELECT product_id, {week} AS week, sum(quantity) AS units,
                   sum({revenue}) AS revenue
            FROM l
            WHERE {self.sales_predicate(info)} AND product_id IS NOT NULL
            GROUP BY 1, 2
            ORDER BY 1, 2 NULLS LAST
        """
        df = self._query_lines(info, filters, sql)
        df["product_id"] = df["product_id"].astype("string")
        df["week"] = pd.to_datetime(df["week"]).astype("datetime64[us]")
        for c in ("units", "revenue"):
            df[c] = pd.to_numeric(df[c]).astype("float64")
        return df

    def product_prices(
        self,
        dataset_id: str,
        filters: Filters | None = None,
        products: tuple[str, ...] | list[str] = (),
        *,
        keep_non_product: bool = False,
    ) -> pd.DataFrame:
        """The sums ``basket.avg_price`` prices a product with, per product of ``products``,
        over its kept purchases (:meth:`customer_predicate`, the bundle what-if's lines), in
        SQL: ``product_id, revenue`` (missing and NaN as 0), ``units``, ``mean_unit_price``,
        ``mean_revenue``; NaN for a column the dataset lacks. A product with no kept purchase
        has no row. One small query for many products (the Home's bundle candidates) instead
        of their lines."""
        info = self.info(dataset_id)
        cols = set(info.columns)
        ids = [str(p) for p in products]
        out = ["product_id", "revenue", "units", "mean_unit_price", "mean_revenue"]
        if not ids or S.PRODUCT_ID not in cols:
            return pd.DataFrame({c: pd.Series(dtype="float64") for c in out}).astype(
                {"product_id": "string"}
            )
        nan = "CAST('NaN' AS DOUBLE)"
        clean = "CASE WHEN revenue IS NULL OR isnan(revenue) THEN 0.0 ELSE revenue END"
        revenue = f"sum({clean})" if S.REVENUE in cols else nan
        units = "sum(quantity)" if S.QUANTITY in cols else nan
        # pandas' mean skips NaN: so does SQL's avg once NaN is NULL
        mean_price = "avg(CASE WHEN isnan(unit_price) THEN NULL ELSE unit_price END)"
        mean_price = mean_price if S.UNIT_PRICE in cols else nan
        mean_revenue = "avg(CASE WHEN isnan(revenue) THEN NULL ELSE revenue END)"
        mean_revenue = mean_revenue if S.REVENUE in cols else nan
        sql = f"""
            SELECT product_id, CAST({revenue} AS DOUBLE) AS revenue,
                   CAST({units} AS DOUBLE) AS units,
                   CAST({mean_price} AS DOUBLE) AS mean_unit_price,
                   CAST({mean_revenue} AS DOUBLE) AS mean_revenue
            FROM l
            WHERE {self.customer_predicate(info, keep_non_product=keep_non_product)}
              AND product_id IN ({", ".join("?" for _ in ids)})
            GROUP BY 1 ORDER BY 1
        """
        df = self._query_lines(info, filters, sql, ids)
        df["product_id"] = df["product_id"].astype("string")
        for c in out[1:]:
            df[c] = pd.to_numeric(df[c]).astype("float64")
        return df

    def sales_predicate(self, info: DatasetInfo, *, keep_non_product: bool = False) -> str:
        """SQL condition equal to :func:`ecomdash.schema.sales_lines` on this dataset's lines.

        The rules depend on which columns the dataset has, exactly as the pandas version
        depends on the frame's columns: returns out; non-product lines out unless
        ``keep_non_product``; quantity > 0 when there is a quantity; price > 0 when there is
        a unit price, else revenue > 0 when there is a revenue (missing counts as 0).
        """
        cols = set(info.columns)
        conds = ["NOT coalesce(is_return, false)"]
        if not keep_non_product:
            conds.append("NOT coalesce(is_non_product, false)")
        if S.QUANTITY in cols:
            conds.append("coalesce(quantity, 0) > 0")
        if S.UNIT_PRICE in cols:
            conds.append("coalesce(unit_price, 0) > 0")
        elif S.REVENUE in cols:
            conds.append("coalesce(revenue, 0) > 0")
        return " AND ".join(conds)

    def customer_predicate(self, info: DatasetInfo, *, keep_non_product: bool = False) -> str:
        """SQL condition equal to :func:`ecomdash.schema.customer_sales`: the sales lines
        (:meth:`sales_predicate`) that were not cancelled. Every customer aggregate
        (customer history, customer days, cohort cells, interactions) reads its lines
        through it, so a customer and their orders are the Overview's on every page; the
        basket pairs too (both engines), with ``keep_non_product`` as in
        :meth:`sales_predicate`."""
        sale = self.sales_predicate(info, keep_non_product=keep_non_product)
        return f"{sale} AND NOT {CANCELLED_SQL}"

    def load_columns(
        self,
        dataset_id: str,
        filters: Filters | None = None,
        columns: list[str] | tuple[str, ...] = (),
        *,
        sales_only: bool = False,
        keep_non_product: bool = False,
    ) -> pd.DataFrame:
        """Only ``columns`` of the filtered lines (those the dataset lacks are skipped), in
        line order, with Arrow-backed text columns (``string[pyarrow]``).

        For the models that truly need lines (basket mining, forecasting with its calendar
        and partial-day rules, cohorts, lifetime value, recommendation backtests): they still
        see every line, but only the columns they use (a cache entry holds and pickles only
        those; text stays in Arrow buffers, as pandas 3's default strings do). The flags and the three numbers the standard cleaning reads
        (quantity, unit price, revenue) always come, so ``schema.sales_lines`` on the result
        keeps exactly the lines it kept on the full table. ``sales_only`` applies that
        cleaning in SQL first (``keep_non_product`` as in ``schema.sales_lines``).
        """
        info = self.info(dataset_id)
        always = (*S.FLAGS, S.QUANTITY, S.UNIT_PRICE, S.REVENUE)
        want = set(columns) | set(always)

        have = [c for c in LINE_COLUMNS if c in want and (c in info.columns or c in S.FLAGS)]
        where, params = self._where(info, filters)
        if sales_only:
            where += " AND " + self.sales_predicate(info, keep_non_product=keep_non_product)
        table = (
            self._cur()
            .sql(
                f"SELECT {', '.join(have)} FROM lines WHERE {where} ORDER BY line_no",
                params=params,
            )
            .to_arrow_table()
        )
        return from_arrow_lines(table)

    def date_span(
        self, dataset_id: str, filters: Filters | None = None
    ) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
        """First and last order timestamp of the filtered lines (None, None when undated)."""
        info = self.info(dataset_id)
        if S.ORDER_DATE not in info.columns:
            return (None, None)
        where, params = self._where(info, filters)
        lo, hi = (
            self._cur()
            .execute(f"SELECT min(order_date), max(order_date) FROM lines WHERE {where}", params)
            .fetchone()
        )
        return (
            None if lo is None else pd.Timestamp(lo),
            None if hi is None else pd.Timestamp(hi),
        )

    def line_days(self, dataset_id: str, filters: Filters | None = None) -> pd.DataFrame:
        """How many filtered lines (every line: returns too) each calendar day has: columns
        ``day`` (``datetime64[us]``, midnight; NaT for the undated lines) and ``lines``, one
        row per day in day order, the undated last (the basket holdout's cut-off day)."""
        info = self.info(dataset_id)
        if S.ORDER_DATE not in info.columns:
            return pd.DataFrame(
                {"day": pd.Series(dtype="datetime64[us]"), "lines": pd.Series(dtype="int64")}
            )
        per_day = self._query_lines(
            info,
            filters,
            "SELECT CAST(order_date AS DATE) AS day, count(*) AS lines FROM l "
            "GROUP BY 1 ORDER BY 1 NULLS LAST",
        )
        return pd.DataFrame(
            {
                "day": pd.to_datetime(per_day["day"]).astype("datetime64[us]"),
                "lines": per_day["lines"].astype("int64"),
            }
        )

    def top_values(
        self, dataset_id: str, filters: Filters | None, column: str, *, limit: int = 200
    ) -> list[str]:
        """Non-null values of a text column, most lines first (ties: value order)."""
        info = self.info(dataset_id)
        if (
            column not in (S.COUNTRY, S.CATEGORY, S.CHANNEL, S.PRODUCT_ID)
            or column not in info.columns
        ):
            return []
        where, params = self._where(info, filters)
        rows = (
            self._cur()
            .execute(
                f"SELECT {column} FROM lines WHERE {where} AND {column} IS NOT NULL "
                f"GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT ?",
                [*params, int(limit)],
            )
            .fetchall()
        )
        return [r[0] for r in rows]

    def daily_sales(self, dataset_id: str, filters: Filters | None = None) -> pd.DataFrame:
        """Per calendar day of the sales lines (``schema.sales_lines`` rules): ``day``,
        ``revenue`` (sum; quantity x price when there is no revenue column), ``orders``
        (distinct order ids), ``units`` (sum of quantity), ``customers`` (distinct ids),
        ``lines``. Days without sales are absent. One row per day: a few thousand rows for
        any number of lines."""
        info = self.info(dataset_id)
        cols = set(info.columns)
        if S.ORDER_DATE not in cols:
            raise ParameterError(
                note(
                    N_(
                        "A daily series needs an order date column; this dataset has none. "
                        "Map the order date on the Data page."
                    )
                )
            )
        where, params = self._where(info, filters)
        where += " AND order_date IS NOT NULL AND " + self.sales_predicate(info)
        if S.REVENUE in cols:
            rev = "sum(revenue)"
        elif {S.QUANTITY, S.UNIT_PRICE} <= cols:
            rev = "sum(quantity * unit_price)"
        else:
            rev = "CAST(NULL AS DOUBLE)"
        orders = "count(DISTINCT order_id)" if S.ORDER_ID in cols else "CAST(NULL AS BIGINT)"
        units = "sum(quantity)" if S.QUANTITY in cols else "CAST(NULL AS DOUBLE)"
        custs = "count(DISTINCT customer_id)" if S.CUSTOMER_ID in cols else "CAST(NULL AS BIGINT)"
        return (
            self._cur()
            .execute(
                f"""SELECT CAST(date_trunc('day', order_date) AS TIMESTAMP) AS day,
                    coalesce({rev}, 0.0) AS revenue, {orders} AS orders,
                    coalesce({units}, 0.0) AS units, {custs} AS customers, count(*) AS lines
                FROM lines WHERE {where} GROUP BY 1 ORDER BY 1""",
                params,
            )
            .df()
        )

    def sales_by(
        self, dataset_id: str, filters: Filters | None, column: str, *, limit: int = 500
    ) -> pd.DataFrame:
        """Revenue of the sales lines (``schema.sales_lines``) per non-null value of a text
        ``column`` (lines when there is no revenue column), largest first (ties by value),
        at most ``limit`` rows: ``value``, ``revenue``, ``lines``. For pickers and top-N cuts."""
        info = self.info(dataset_id)
        if column not in (S.PRODUCT_ID, S.CATEGORY, S.COUNTRY, S.CHANNEL, S.CUSTOMER_ID):
            raise ParameterError(note(N_("Cannot rank by {column}."), column=repr(column)))
        if column not in info.columns:
            return pd.DataFrame({"value": [], "revenue": [], "lines": []})
        where, params = self._where(info, filters)
        w = "coalesce(sum(revenue), 0.0)" if S.REVENUE in info.columns else "count(*) * 1.0"
        return (
            self._cur()
            .execute(
                f"""SELECT {column} AS value, {w} AS revenue, count(*) AS lines FROM lines
                WHERE {where} AND {column} IS NOT NULL AND {self.sales_predicate(info)}
                GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT ?""",
                [*params, int(limit)],
            )
            .df()
        )

    def shop_day_groups(
        self, dataset_id: str, filters: Filters | None = None, *, with_orders: bool = False
    ) -> pd.DataFrame | None:
        """See :func:`ecomdash.aggregates.shop_day_groups` (the SQL and its contract live there)."""
        from ecomdash import aggregates

        return aggregates.shop_day_groups(self, dataset_id, filters, with_orders=with_orders)

    def customer_history(self, dataset_id: str, filters: Filters | None = None):
        """See :func:`ecomdash.aggregates.customer_history` (the SQL and its contract live there)."""
        from ecomdash import aggregates

        return aggregates.customer_history(self, dataset_id, filters)

    def interactions(self, dataset_id: str, filters: Filters | None = None):
        """See :func:`ecomdash.aggregates.interactions` (the SQL and its contract live there)."""
        from ecomdash import aggregates

        return aggregates.interactions(self, dataset_id, filters)

    def recommend_data(
        self,
        dataset_id: str,
        filters: Filters | None = None,
        *,
        cutoff=None,
        test_days: int = 30,
        rebuy_products: tuple[str, ...] = (),
    ):
        """``(interactions, recommend_split or None)`` from one SQL pass: see
        :func:`ecomdash.aggregates_recommend.recommend_data`."""
        from ecomdash.aggregates_recommend import recommend_data

        return recommend_data(
            self,
            dataset_id,
            filters,
            cutoff=cutoff,
            test_days=test_days,
            rebuy_products=rebuy_products,
        )

    def recommend_split(
        self,
        dataset_id: str,
        filters: Filters | None = None,
        *,
        cutoff=None,
        test_days: int = 30,
        rebuy_products: tuple[str, ...] = (),
    ):
        """See :func:`ecomdash.aggregates.recommend_split` (the recommendation backtest's
        training interactions and truth, reduced in SQL)."""
        from ecomdash import aggregates

        return aggregates.recommend_split(
            self,
            dataset_id,
            filters,
            cutoff=cutoff,
            test_days=test_days,
            rebuy_products=rebuy_products,
        )

    def basket_pairs(
        self,
        dataset_id: str,
        filters: Filters | None = None,
        *,
        basket: str = "order",
        level: str = "product",
        include_non_product: bool = False,
        cutoff=None,
        later: bool = True,
    ):
        """See :func:`ecomdash.aggregates.basket_pairs` (basket x item codes in SQL)."""
        from ecomdash import aggregates

        return aggregates.basket_pairs(
            self,
            dataset_id,
            filters,
            basket=basket,
            level=level,
            include_non_product=include_non_product,
            cutoff=cutoff,
            later=later,
        )

    def product_lines(
        self,
        dataset_id: str,
        filters: Filters | None = None,
        columns: list[str] | tuple[str, ...] = (),
        *,
        products: tuple[str, ...] | list[str] = (),
    ) -> pd.DataFrame:
        """The lines of ``products`` only (``columns`` as :meth:`load_columns`, in line
        order): :meth:`load_columns` filtered to those product ids (the bundle what-if's
        prices, without every line in memory)."""
        info = self.info(dataset_id)
        ids = [str(p) for p in products]
        if not ids or S.PRODUCT_ID not in info.columns:
            return self.load_columns(dataset_id, filters, columns).iloc[:0]
        always = (*S.FLAGS, S.QUANTITY, S.UNIT_PRICE, S.REVENUE)
        want = set(columns) | set(always)

        have = [c for c in LINE_COLUMNS if c in want and (c in info.columns or c in S.FLAGS)]
        where, params = self._where(info, filters)
        table = (
            self._cur()
            .sql(
                f"""SELECT {", ".join(have)} FROM lines WHERE {where}
                    AND product_id IN ({", ".join("?" for _ in ids)}) ORDER BY line_no""",
                params=[*params, *ids],
            )
            .to_arrow_table()
        )
        return from_arrow_lines(table)

    def top_product_lines(
        self,
        dataset_id: str,
        filters: Filters | None = None,
        columns: list[str] | tuple[str, ...] = (),
        *,
        top: int = 100,
        margin: int | None = None,
    ) -> tuple[pd.DataFrame, dict[str, float]]:
        """The lines (only ``columns``, as :meth:`load_columns`) of the ``top + margin``
        products with the most sales revenue, and what the cut leaves out.

        For top-N product tables (the many-products forecast): the caller ranks the products
        again on these lines, so its top ``top`` are those of the full lines whenever the
        ``top``-th and the ``top + margin``-th products differ in revenue by more than
        DuckDB's and pandas' rounding (default margin: ``max(20, top // 5)``). The dict:
        ``products`` (all products with sales), ``revenue`` (their total), ``kept_revenue``
        (the revenue of the ``top`` first by this ranking).
        """
        margin = max(20, top // 5) if margin is None else int(margin)
        ranked = self.sales_by(dataset_id, filters, S.PRODUCT_ID, limit=10**9)
        ids = [str(v) for v in ranked["value"].iloc[: top + margin]]
        cut = {
            "products": float(len(ranked)),
            "revenue": float(ranked["revenue"].sum()),
            "kept_revenue": float(ranked["revenue"].iloc[:top].sum()),
        }
        return self.product_lines(dataset_id, filters, columns, products=ids), cut

    # -- customer-value aggregates (issue 12; SQL in ecomdash/aggregates_customers.py) ----
    def customer_days(self, dataset_id: str, filters: Filters | None = None):
        """See :func:`ecomdash.aggregates_customers.customer_days`."""
        from ecomdash import aggregates_customers

        return aggregates_customers.customer_days(self, dataset_id, filters)

    def cohort_cells(
        self,
        dataset_id: str,
        filters: Filters | None = None,
        *,
        first_categories: tuple[str, ...] = (),
        countries: tuple[str, ...] = (),
    ):
        """See :func:`ecomdash.aggregates_customers.cohort_cells`."""
        from ecomdash import aggregates_customers

        return aggregates_customers.cohort_cells(
            self, dataset_id, filters, first_categories=first_categories, countries=countries
        )

    # -- alerts (issue 15): the SQL lives in ecomdash.alerts.sql -----------------------------
    def alert_daily_series(self, *args, **kwargs) -> pd.DataFrame:
        """See :func:`ecomdash.alerts.sql.alert_daily_series`."""
        from ecomdash.alerts import sql

        return sql.alert_daily_series(self, *args, **kwargs)

    def alert_drivers(self, *args, **kwargs) -> pd.DataFrame:
        """See :func:`ecomdash.alerts.sql.alert_drivers`."""
        from ecomdash.alerts import sql

        return sql.alert_drivers(self, *args, **kwargs)

    def alert_rule_lines(self, *args, **kwargs):
        """See :func:`ecomdash.alerts.sql.alert_rule_lines`."""
        from ecomdash.alerts import sql

        return sql.alert_rule_lines(self, *args, **kwargs)

    def alert_mutes(self, dataset_id: str) -> dict[str, tuple[str, ...]]:
        """The merchant's muted alert rules and products for a dataset (durable)."""
        info = self.info(dataset_id)
        try:
            rows = (
                self._cur()
                .execute(
                    "SELECT kind, value FROM alert_mutes WHERE workspace = ? AND dataset_id = ? "
                    "ORDER BY kind, value",
                    [self.workspace, info.id],
                )
                .fetchall()
            )
        except duckdb.CatalogException:  # never muted anything in this store
            rows = []
        return {
            "rules": tuple(v for k, v in rows if k == "rule"),
            "products": tuple(v for k, v in rows if k == "product"),
        }

    def set_alert_mutes(
        self, dataset_id: str, *, rules: tuple[str, ...] = (), products: tuple[str, ...] = ()
    ) -> dict[str, tuple[str, ...]]:
        """Replace the muted rules and products of a dataset, atomically."""
        info = self.info(dataset_id)
        with self._lock, self._transaction(N_("save the muted alerts")) as cur:
            cur.execute(self._ALERT_MUTES_DDL)
            cur.execute(
                "DELETE FROM alert_mutes WHERE workspace = ? AND dataset_id = ?",
                [self.workspace, info.id],
            )
            for kind, values in (("rule", rules), ("product", products)):
                for v in sorted(set(map(str, values))):
                    cur.execute(
                        "INSERT INTO alert_mutes VALUES (?, ?, ?, ?)",
                        [self.workspace, info.id, kind, v],
                    )
        return self.alert_mutes(info.id)

    def daily_revenue_by(
        self,
        dataset_id: str,
        filters: Filters | None,
        column: str,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> pd.DataFrame:
        """Revenue of the sales lines (``schema.sales_lines``) per calendar day and value of
        ``column`` (country or category), for days ``start``..``end`` (inclusive, optional):
        ``day, grp, revenue`` (quantity x price without a revenue column; lines with no value
        are left out). What the home's forecast finding reads to name a gap's driver: days x
        groups rows, whatever the number of lines. Empty when the columns are missing."""
        info = self.info(dataset_id)
        cols = set(info.columns)
        if column not in (S.COUNTRY, S.CATEGORY):
            raise ValueError(f"daily_revenue_by splits by country or category, not {column!r}")
        empty = pd.DataFrame({"day": pd.Series(dtype="datetime64[us]"), "grp": [], "revenue": []})
        if column not in cols or S.ORDER_DATE not in cols:
            return empty
        if S.REVENUE in cols:
            rev = "sum(revenue)"
        elif {S.QUANTITY, S.UNIT_PRICE} <= cols:
            rev = "sum(quantity * unit_price)"
        else:
            return empty
        where, params = self._where(info, filters)
        where += f" AND order_date IS NOT NULL AND {column} IS NOT NULL"
        where += " AND " + self.sales_predicate(info)
        if start is not None:
            where += " AND order_date >= ?"
            params.append(datetime.combine(pd.Timestamp(start).date(), datetime.min.time()))
        if end is not None:
            where += " AND order_date < ? + INTERVAL 1 DAY"
            params.append(datetime.combine(pd.Timestamp(end).date(), datetime.min.time()))
        return (
            self._cur()
            .execute(
                f"""SELECT CAST(date_trunc('day', order_date) AS TIMESTAMP) AS day,
                    CAST({column} AS VARCHAR) AS grp, coalesce({rev}, 0.0) AS revenue
                FROM lines WHERE {where} GROUP BY 1, 2 ORDER BY 1, 2""",
                params,
            )
            .df()
        )
