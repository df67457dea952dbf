"""The Overview's small tables, built from the per-order rollup (``ecomdash/rollup.py``) in the
same save / append transaction, so the Overview answers from thousands of rows, not millions.

At 10 M lines the order rollup still has 13 M rows and the Overview counted distinct orders and
customers over them, grouped them per customer twice (new, repeat customers) and ranked
products over every line. These tables make every figure a sum over few rows, and each query
falls back to the order rollup (or the lines) when its answer would not be exact from them:

- ``overview_cells``: one row per (day, country) of the order rows and per (day, country,
  category) of the (order, category) rows: the order rollup's sums and ``orders`` = counted
  order rows. Filters, the trend and the country / category breakdowns read them. Orders are
  a sum only when every order is one order row (one date, customer and country:
  ``one_month``, checked at build) and at most one category is selected (an order with
  lines in two selected categories would count twice); otherwise orders are counted with
  ``count(DISTINCT)`` on the order rollup as before.
- ``overview_customers``: one row per customer with a counted order: the date of their first
  counted order and of their second (orders dated by their first counted row, as the
  lines' ``count(DISTINCT order_id) ... WHERE order_date < end`` counts them). Without a
  country or category filter, new customers are a count over it, repeat customers (more than
  one order by the period's end) are the period's customers whose second order is before the
  end, and all-time customers are its rows.
- ``overview_customer_orders``: (date, customer) of the counted order rows of identified
  customers, sorted by date, so a period's distinct customers read only its row groups.
- ``overview_products``: one row per (product, month, category) of product lines: net revenue,
  units net of returns (sold less returned, ``kpis.units_sql``; before format 2: sold),
  counted orders, a name. The top products are summed from its whole months
  (with a country filter: the same per country, ``ecomdash/rollup_countries.py``) plus the
  lines of the partial months at the period's edges (all time and calendar quarters have
  none). Exact when orders are unique and every product has one category
  (``products_exact``; with several countries also no order in two of them); otherwise the
  lines answer.
- a country filter's customers (in the period, new, repeat) and product months:
  ``ecomdash/rollup_countries.py``, built here too.

Versions live in ``overview_cells_versions``, with the tables' :data:`FORMAT`: a store written
before these tables (or whose version moved without them, or built with another format) gets
the order rollup and them rebuilt on first read (``rollup.ready``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, NamedTuple

import duckdb
import pandas as pd

from ecomdash import rollup_countries as countries
from ecomdash import schema as S

if TYPE_CHECKING:
    from ecomdash.filters import Filters
    from ecomdash.store import DatasetInfo, Store

CELLS = "overview_cells"
SPLIT = "overview_split_orders"
CUSTOMERS = "overview_customers"
ORDER_DAYS = "overview_customer_orders"
PRODUCTS = "overview_products"
VERSIONS = "overview_cells_versions"
TABLES = (CELLS, SPLIT, CUSTOMERS, ORDER_DAYS, PRODUCTS, VERSIONS, *countries.TABLES)

DDL = [
    f"""CREATE TABLE IF NOT EXISTS {CELLS} (
        workspace VARCHAR NOT NULL,
        dataset_id VARCHAR NOT NULL,
        order_date TIMESTAMP,
        country VARCHAR,
        category VARCHAR,
        by_category BOOLEAN NOT NULL,
        gross DOUBLE,
        returns DOUBLE,
        sale_units DOUBLE,
        return_units DOUBLE,
        product_lines BIGINT NOT NULL,
        orders BIGINT NOT NULL
    )""",
    f"""CREATE TABLE IF NOT EXISTS {SPLIT} (
        workspace VARCHAR NOT NULL,
        dataset_id VARCHAR NOT NULL,
        order_code INTEGER,
        order_date TIMESTAMP,
        country VARCHAR,
        category VARCHAR,
        by_category BOOLEAN NOT NULL,
        counted BOOLEAN NOT NULL
    )""",
    f"""CREATE TABLE IF NOT EXISTS {CUSTOMERS} (
        workspace VARCHAR NOT NULL,
        dataset_id VARCHAR NOT NULL,
        customer_code INTEGER NOT NULL,
        first_date TIMESTAMP,
        second_date TIMESTAMP
    )""",
    f"""CREATE TABLE IF NOT EXISTS {ORDER_DAYS} (
        workspace VARCHAR NOT NULL,
        dataset_id VARCHAR NOT NULL,
        order_date TIMESTAMP,
        customer_code INTEGER NOT NULL
    )""",
    f"""CREATE TABLE IF NOT EXISTS {PRODUCTS} (
        workspace VARCHAR NOT NULL,
        dataset_id VARCHAR NOT NULL,
        product_id VARCHAR NOT NULL,
        month TIMESTAMP,
        category VARCHAR,
        name VARCHAR,
        net DOUBLE,
        units DOUBLE,
        orders BIGINT NOT NULL
    )""",
    f"""CREATE TABLE IF NOT EXISTS {VERSIONS} (
        workspace VARCHAR NOT NULL,
        dataset_id VARCHAR NOT NULL,
        version INTEGER NOT NULL,
        one_month BOOLEAN NOT NULL,
        products_exact BOOLEAN NOT NULL,
        first_date TIMESTAMP,
        last_date TIMESTAMP,
        PRIMARY KEY (workspace, dataset_id)
    )""",
    # what the tables' figures mean (:data:`FORMAT`); a store's rows from before it read 1
    f"ALTER TABLE {VERSIONS} ADD COLUMN IF NOT EXISTS format INTEGER DEFAULT 1",
    *countries.DDL,
]

#: The meaning of the stored figures. Tables built with another format are not read: the
#: first read rebuilds the order rollup and these tables (``rollup.ready``), so a stored
#: figure never keeps an old meaning. 1: the product months' units were the units sold;
#: 2 (2026-12-07): units net of returns, as the Units tile (``kpis.units_sql``).
FORMAT = 2


class Meta(NamedTuple):
    version: int
    one_month: bool
    products_exact: bool
    #: the dataset's first and last order date (``Store.date_range`` reads them from here)
    first_date: datetime | None
    last_date: datetime | None
    #: what the figures mean (:data:`FORMAT` when built by this code)
    format: int = FORMAT


def build(
    cur: duckdb.DuckDBPyConnection,
    workspace: str,
    dataset_id: str,
    columns: tuple[str, ...],
    version: int,
    *,
    order_table: str,
    frame: str | None = None,
) -> None:
    """(Re)build the three tables of one dataset from its order rollup (``order_table``,
    already written in this transaction) and, for products, its lines — or ``frame``, the
    name of a registered Arrow table of the same lines whose ``_order_code`` numbers the
    order ids one to one (``rollup.code_frame``): the orders are then counted on integers."""
    from ecomdash.kpis import _sale_cond, units_sql

    key = [workspace, dataset_id]
    for t in TABLES:
        cur.execute(f"DELETE FROM {t} WHERE workspace = ? AND dataset_id = ?", key)
    mine = "workspace = ? AND dataset_id = ?"
    # split orders: one order id on several order rows (several dates, customers or
    # countries); their rows are kept apart and counted with count(DISTINCT)
    cur.execute(
        f"""INSERT INTO {SPLIT}
        SELECT ?, ?, order_code, order_date, country, category, by_category, counted
        FROM {order_table} WHERE {mine} AND order_code IN (
            SELECT order_code FROM {order_table} WHERE {mine} AND NOT by_category
            AND order_code IS NOT NULL GROUP BY order_code HAVING count(*) > 1)""",
        [*key, *key, *key],
    ).fetchall()
    cur.execute(
        f"""INSERT INTO {CELLS}
        SELECT ?, ?, date_trunc('day', order_date), country, category, by_category,
          sum(gross), sum(returns), sum(sale_units), sum(return_units), sum(product_lines),
          count(*) FILTER (WHERE counted AND order_code IS NOT NULL AND order_code NOT IN (
            SELECT order_code FROM {SPLIT} WHERE {mine}))
        FROM {order_table} WHERE {mine}
        GROUP BY date_trunc('day', order_date), country, category, by_category
        ORDER BY by_category, 3""",
        [*key, *key, *key],
    ).fetchall()
    # an order's date is its first counted row's (as count(DISTINCT order) WHERE date < end)
    cur.execute(
        f"""INSERT INTO {CUSTOMERS}
        WITH o AS (
            SELECT customer_code, order_code, min(order_date) AS d FROM {order_table}
            WHERE {mine} AND NOT by_category AND counted AND customer_code IS NOT NULL
            GROUP BY customer_code, order_code
        )
        SELECT ?, ?, customer_code, min(d),
          min(d, 2) FILTER (WHERE order_code IS NOT NULL)[2]
        FROM o GROUP BY customer_code""",
        [*key, *key],
    ).fetchall()
    # counted order rows of identified customers, in date order: a period's customers read
    # only the row groups of its dates (DuckDB's min/max per row group)
    cur.execute(
        f"""INSERT INTO {ORDER_DAYS}
        SELECT ?, ?, order_date, customer_code FROM {order_table}
        WHERE {mine} AND NOT by_category AND counted AND customer_code IS NOT NULL
        ORDER BY order_date""",
        [*key, *key],
    ).fetchall()
    # an order on order rows of two months would count twice in the product months
    one_month = not cur.execute(
        f"""SELECT count(*) FROM (SELECT order_code FROM {SPLIT} WHERE {mine} AND NOT by_category
            GROUP BY order_code HAVING count(DISTINCT date_trunc('month', order_date)) > 1)""",
        key,
    ).fetchone()[0]
    products_exact = products_built = False
    if S.PRODUCT_ID in columns and S.ORDER_ID in columns:
        sale = _sale_cond(tuple(columns))
        has_cat = S.CATEGORY in columns
        cat = S.CATEGORY if has_cat else "CAST(NULL AS VARCHAR)"
        name = f"any_value({S.PRODUCT_NAME})" if S.PRODUCT_NAME in columns else "NULL"
        units = units_sql(sale) if S.QUANTITY in columns else "NULL"  # net of returns
        order, source, params = (
            ("order_id", f"lines WHERE {mine} AND", [*key, *key])
            if frame is None
            else ("_order_code", f"{frame} WHERE", key)
        )
        products_built = countries.one_country(cur, key, SPLIT)
        if products_built:
            # no order in two countries: an order's lines in a product month are in one
            # country, so the per-country months (one pass over the lines) sum to these
            countries.build_products(cur, key, tuple(columns), frame=frame)
            cur.execute(
                f"""INSERT INTO {PRODUCTS}
                SELECT ?, ?, product_id, month, category, any_value(name), sum(net),
                  sum(units), sum(orders)
                FROM {countries.PRODUCTS} WHERE {mine}
                GROUP BY product_id, month, category""",
                [*key, *key],
            ).fetchall()
        else:
            cur.execute(
                f"""INSERT INTO {PRODUCTS}
                SELECT ?, ?, product_id, date_trunc('month', order_date), {cat}, {name},
                  {_NET.format(sale=sale)}, {units},
                  count(DISTINCT CASE WHEN {sale} AND NOT is_cancelled THEN {order} END)
                FROM {source} product_id IS NOT NULL AND NOT is_non_product
                GROUP BY product_id, date_trunc('month', order_date), {cat}""",
                params,
            ).fetchall()
        one_cat = cur.execute(
            f"""SELECT coalesce(max(n), 0) <= 1 FROM (
                SELECT count(DISTINCT category) AS n FROM {PRODUCTS} WHERE {mine}
                GROUP BY product_id)""",
            key,
        ).fetchone()[0]
        products_exact = one_month and bool(one_cat)
    lo, hi = cur.execute(
        f"SELECT min(order_date), max(order_date) FROM {order_table} WHERE {mine}", key
    ).fetchone()
    cur.execute(
        f"""INSERT INTO {VERSIONS} (workspace, dataset_id, version, one_month, products_exact,
          first_date, last_date, format) VALUES (?, ?, ?, ?, ?, ?, ?, ?)""",
        [*key, int(version), one_month, products_exact, lo, hi, FORMAT],
    )
    # the same for a country filter (ecomdash/rollup_countries.py)
    countries.build(
        cur,
        workspace,
        dataset_id,
        columns,
        version,
        order_table=order_table,
        split_table=SPLIT,
        frame=frame,
        products_built=products_built,
    )


_NET = (
    "coalesce(sum(CASE WHEN {sale} THEN revenue END), 0) - coalesce(sum(CASE WHEN "
    "is_return AND NOT is_non_product THEN abs(revenue) END), 0)"
)


def meta(store: Store, dataset_id: str) -> Meta | None:
    """The dataset's tables' version and exactness flags (None: not built, or no table)."""
    try:
        row = (
            store._cur()
            .execute(
                "SELECT version, one_month, products_exact, first_date, last_date, format "
                f"FROM {VERSIONS} WHERE workspace = ? AND dataset_id = ?",
                [store.workspace, dataset_id],
            )
            .fetchone()
        )
    except duckdb.CatalogException:  # a read-only store created before these tables
        return None
    except duckdb.BinderException:  # a read-only store created before their format column
        return None
    if row is None:
        return None
    return Meta(int(row[0]), bool(row[1]), bool(row[2]), row[3], row[4], int(row[5] or 1))


def current(store: Store, info: DatasetInfo) -> Meta | None:
    """The tables' meta when they are built for ``info``'s version in this code's
    :data:`FORMAT` (None: not built, built with another meaning, or another engine: Spark's
    store has none)."""
    if not isinstance(getattr(store, "_con", None), duckdb.DuckDBPyConnection):
        return None
    m = meta(store, info.id)
    return m if m is not None and m.version == info.version and m.format == FORMAT else None


def _query(
    store: Store,
    info: DatasetInfo,
    filters: Filters | None,
    sql: str,
    params=(),
    *,
    by_category: bool = False,
) -> pd.DataFrame:
    """``sql`` over the dataset's cells after ``filters``, as view ``c`` (order cells, or the
    category cells with a category filter or ``by_category``)."""
    where, wparams = store._where(info, filters)
    cat = S.CATEGORY in info.columns and (by_category or bool(filters and filters.categories))
    where += " AND by_category" if cat else " AND NOT by_category"
    full = (
        f"WITH c AS (SELECT * FROM {CELLS} WHERE {where}), "
        f"s AS (SELECT * FROM {SPLIT} WHERE {where}) {sql}"
    )
    return store._cur().execute(full, [*wparams, *wparams, *params]).df()


def orders_additive(m: Meta | None, filters: Filters | None) -> bool:
    """True when the cells' ``orders`` plus the split orders' distinct count are the distinct
    orders of ``filters`` (not with two categories or more: an order with lines in two of
    them would count twice)."""
    return m is not None and len((filters and filters.categories) or ()) <= 1


def _grouped(group: str, sums_sql: str, having: str = "") -> str:
    """Cells grouped by ``group`` with their ``orders`` plus each group's split orders."""
    return f"""SELECT t.g, t.*  EXCLUDE (g, orders),
          CAST(t.orders + coalesce(x.n, 0) AS BIGINT) AS orders
        FROM (SELECT {group} AS g, {sums_sql}, coalesce(sum(orders), 0) AS orders
              FROM c GROUP BY 1 {having}) t
        LEFT JOIN (SELECT {group} AS g, count(DISTINCT order_code) FILTER (WHERE counted) AS n
              FROM s GROUP BY 1) x ON t.g IS NOT DISTINCT FROM x.g"""


def no_group_filter(filters: Filters | None) -> bool:
    return not (filters and (filters.countries or filters.categories))


NET = "coalesce(sum(gross), 0) - coalesce(sum(returns), 0)"
#: units net of returns, as the tile (``kpis.units_sql`` on the lines)
UNITS = "sum(sale_units) - sum(return_units)"


def sums(store: Store, info: DatasetInfo, filters: Filters | None, *, orders: bool) -> pd.Series:
    """``gross_sales, returns, units`` (and ``orders`` when ``orders``) of ``filters``."""
    units = UNITS if S.QUANTITY in info.columns else "NULL"
    n = (
        ", CAST(coalesce(sum(orders), 0) + (SELECT count(DISTINCT order_code) FILTER "
        "(WHERE counted) FROM s) AS BIGINT) AS orders"
        if orders
        else ""
    )
    sql = f"""SELECT coalesce(sum(gross), 0) AS gross_sales, coalesce(sum(returns), 0) AS returns,
        {units} AS units{n} FROM c"""
    return _query(store, info, filters, sql).iloc[0]


def _dates(store: Store, info: DatasetInfo) -> tuple:
    m = current(store, info)
    return (m.first_date, m.last_date) if m is not None else store.date_range(info.id)


def _covers(store: Store, info: DatasetInfo, filters: Filters | None) -> tuple:
    """(start, end) datetimes of ``filters``' dates, None where they reach past the data."""
    f = filters
    start = datetime.combine(f.start, datetime.min.time()) if f and f.start else None
    end = datetime.combine(f.end, datetime.min.time()) + timedelta(days=1) if f and f.end else None
    if start is not None or end is not None:
        lo, hi = _dates(store, info)
        if start is not None and lo is not None and start <= lo:
            start = None
        if end is not None and hi is not None and end > hi:
            end = None
    return start, end


def customers(store: Store, info: DatasetInfo, filters: Filters | None) -> int:
    """Distinct customers with a counted order in ``filters`` (no country / category)."""
    start, end = _covers(store, info, filters)
    if filters is None or (filters.start is None and filters.end is None):
        sql = f"SELECT count(*) FROM {CUSTOMERS} WHERE workspace = ? AND dataset_id = ?"
        return int(store._cur().execute(sql, [store.workspace, info.id]).fetchone()[0])
    if start is None and end is None:  # the dates cover every dated order
        sql = (
            f"SELECT count(*) FROM {CUSTOMERS} WHERE workspace = ? AND dataset_id = ? "
            "AND first_date IS NOT NULL"
        )
        return int(store._cur().execute(sql, [store.workspace, info.id]).fetchone()[0])
    where, params = store._where(info, filters)
    sql = f"SELECT count(DISTINCT customer_code) FROM {ORDER_DAYS} WHERE {where}"
    return int(store._cur().execute(sql, params).fetchone()[0])


def new_customers(store: Store, info: DatasetInfo, bounds: tuple) -> int:
    sql = (
        f"SELECT count(*) FROM {CUSTOMERS} WHERE workspace = ? AND dataset_id = ? "
        "AND first_date >= ? AND first_date < ?"
    )
    return int(store._cur().execute(sql, [store.workspace, info.id, *bounds]).fetchone()[0])


def repeat_customers(store: Store, info: DatasetInfo, bounds: tuple) -> int:
    """Customers with a counted order in ``[bounds)`` whose second order is before its end."""
    from ecomdash.filters import Filters

    lo, hi = _dates(store, info)
    b0, b1 = (pd.Timestamp(b).to_pydatetime() for b in bounds)
    if lo is not None and b0 <= lo and b1 > hi:  # every dated order is in the period
        sql = (
            f"SELECT count(*) FROM {CUSTOMERS} WHERE workspace = ? AND dataset_id = ? "
            "AND second_date < ?"
        )
        return int(store._cur().execute(sql, [store.workspace, info.id, b1]).fetchone()[0])
    period = Filters(start=b0.date(), end=(b1 - timedelta(days=1)).date())
    where, params = store._where(info, period)
    sql = f"""SELECT count(*) FROM (
          SELECT DISTINCT customer_code FROM {ORDER_DAYS} WHERE {where}
        ) p JOIN {CUSTOMERS} k USING (customer_code)
        WHERE k.workspace = ? AND k.dataset_id = ? AND k.second_date < ?"""
    row = store._cur().execute(sql, [*params, store.workspace, info.id, b1]).fetchone()
    return int(row[0])


def trend(store: Store, info: DatasetInfo, filters: Filters | None, grain: str) -> pd.DataFrame:
    inner = _grouped(
        f"date_trunc('{grain}', order_date)",
        f"""{NET} AS revenue, coalesce(sum(gross), 0) AS gross_sales,
          coalesce(sum(returns), 0) AS returns""",
    )
    sql = f"SELECT g AS period, revenue, gross_sales, returns, orders FROM ({inner}) ORDER BY 1"
    return _query(store, info, filters, sql)


def breakdown(
    store: Store, info: DatasetInfo, filters: Filters | None, col: str, top_n: int
) -> pd.DataFrame:
    has_units = S.QUANTITY in info.columns
    inner = _grouped(
        col,
        f"{NET} AS revenue" + (f", {UNITS} AS units" if has_units else ""),
        "HAVING sum(product_lines) > 0",
    )
    sql = f"""SELECT g AS key, revenue, orders{", units" if has_units else ""}
        FROM ({inner}) WHERE g IS NOT NULL ORDER BY revenue DESC, key LIMIT ?"""
    return _query(store, info, filters, sql, (int(top_n),), by_category=col == S.CATEGORY)


def _month(d: datetime) -> datetime:
    return datetime(d.year, d.month, 1)


def _next_month(d: datetime) -> datetime:
    return datetime(d.year + d.month // 12, d.month % 12 + 1, 1)


def top_products(
    store: Store, info: DatasetInfo, filters: Filters | None, top_n: int
) -> pd.DataFrame:
    """The top products of ``filters`` from the product months wholly in the period (per
    country with a country filter: ``rollup_countries.PRODUCTS``) plus the lines of the
    partial months at its edges."""
    from ecomdash.kpis import _sale_cond, units_sql

    cols = info.columns
    start, end = _covers(store, info, filters)
    first = None if start is None else (start if start == _month(start) else _next_month(start))
    last = None if end is None else _month(end)
    # months [first, last) from the table; lines [start, first) and [last, end)
    edges: list[tuple[datetime | None, datetime | None]] = []
    if first is not None and last is not None and first >= last:
        months, edges = None, [(start, end)]
    else:
        months = (first, last)
        if start is not None and first != start:
            edges.append((start, first))
        if end is not None and last != end:
            edges.append((last, end))
    # a filter on a column the dataset lacks is ignored, as by the lines' query (Store._where)
    cats = (
        tuple(filters.categories) if filters and filters.categories and S.CATEGORY in cols else ()
    )
    cs = tuple(filters.countries) if filters and filters.countries and S.COUNTRY in cols else ()
    groups = [(S.CATEGORY, cats), (S.COUNTRY, cs)]
    parts, params = [], []
    if months is not None:
        w = ["workspace = ?", "dataset_id = ?"]
        p: list = [store.workspace, info.id]
        if filters and (filters.start or filters.end):  # dated: lines without a date are out
            w.append("month IS NOT NULL")
        for bound, op in zip(months, (">=", "<"), strict=True):
            if bound is not None:
                w.append(f"month {op} ?")
                p.append(bound)
        _group_in(w, p, groups)
        table = countries.PRODUCTS if cs else PRODUCTS
        parts.append(
            f"SELECT product_id, name, net, units, orders FROM {table} WHERE {' AND '.join(w)}"
        )
        params += p
    sale = _sale_cond(cols)
    name = f"any_value({S.PRODUCT_NAME})" if S.PRODUCT_NAME in cols else "NULL"
    units = units_sql(sale) if S.QUANTITY in cols else "NULL"  # net of returns
    for a, b in edges:
        w = ["workspace = ?", "dataset_id = ?", "product_id IS NOT NULL", "NOT is_non_product"]
        p = [store.workspace, info.id]
        w += ["order_date >= ?", "order_date < ?"]
        p += [a, b]
        _group_in(w, p, groups)
        parts.append(
            f"""SELECT product_id, {name} AS name, {_NET.format(sale=sale)} AS net,
              {units} AS units,
              count(DISTINCT CASE WHEN {sale} AND NOT is_cancelled THEN order_id END) AS orders
            FROM lines WHERE {" AND ".join(w)} GROUP BY product_id"""
        )
        params += p
    has_name = S.PRODUCT_NAME in cols
    has_units = S.QUANTITY in cols
    sql = f"""SELECT product_id AS key{", any_value(name) AS name" if has_name else ""},
          sum(net) AS revenue, CAST(sum(orders) AS BIGINT) AS orders
          {", sum(units) AS units" if has_units else ""}
        FROM ({" UNION ALL ".join(parts)}) GROUP BY product_id
        ORDER BY revenue DESC, key LIMIT ?"""
    return store._cur().execute(sql, [*params, int(top_n)]).df()


def _group_in(where: list[str], params: list, groups: list[tuple[str, tuple]]) -> None:
    """``col IN (...)`` for each (column, values) with values."""
    for col, values in groups:
        if values:
            where.append(f"{col} IN ({', '.join('?' for _ in values)})")
            params.extend(values)
