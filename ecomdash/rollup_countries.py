"""The Overview's small tables for a country filter, built with the other small tables
(``ecomdash/rollup_cells.py``) from the order rollup (``ecomdash/rollup.py``) and the lines.

Without them a country filter counted customers (in the period, new, repeat) by grouping the
order rollup's rows of that country per customer and ranked products over every line of the
country: at 10 M lines about 1.3 s of CPU, the most of any Overview. Distinct customers do
not add across days or countries, so these tables keep what makes each count exact:

- ``overview_country_customers``: one row per (country, customer) with a counted order row
  in that country: the date of the customer's first counted row there (``first_date``), of
  their first and second counted order there (``order1_date``, ``second_date``; an order
  dated by its first counted row in the country, orders without an id not counted, as the
  lines' ``count(DISTINCT order_id) ... WHERE order_date < end`` counts them).
- ``overview_country_orders``: (date, country, customer) of the counted order rows of
  identified customers, sorted by date: a period's distinct customers of some countries read
  only the row groups of its dates.
- ``overview_country_products``: ``overview_products`` with the country: one row per
  (product, month, country, category) of product lines.
- ``overview_country_versions``: the dataset version they were built for and
  ``one_country``: no order id is on order rows of two countries. With one country selected
  every figure is exact; with several, new customers and distinct customers still are (a
  minimum and a distinct count over the countries' rows), while repeat customers and product
  orders add per-country order counts, exact only when ``one_country`` (otherwise the order
  rows or the lines answer, as before).

A store whose other small tables were built before these tables existed gets these built on
first read of a country filter (:func:`current`), from its order rollup and lines alone.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, NamedTuple

import duckdb

from ecomdash import schema as S

if TYPE_CHECKING:
    from ecomdash.filters import Filters
    from ecomdash.store import DatasetInfo, Store

log = logging.getLogger(__name__)

CUSTOMERS = "overview_country_customers"
ORDER_DAYS = "overview_country_orders"
PRODUCTS = "overview_country_products"
VERSIONS = "overview_country_versions"
TABLES = (CUSTOMERS, ORDER_DAYS, PRODUCTS, VERSIONS)

DDL = [
    f"""CREATE TABLE IF NOT EXISTS {CUSTOMERS} (
        workspace VARCHAR NOT NULL,
        dataset_id VARCHAR NOT NULL,
        country VARCHAR,
        customer_code INTEGER NOT NULL,
        first_date TIMESTAMP,
        order1_date TIMESTAMP,
        second_date TIMESTAMP
    )""",
    f"""CREATE TABLE IF NOT EXISTS {ORDER_DAYS} (
        workspace VARCHAR NOT NULL,
        dataset_id VARCHAR NOT NULL,
        order_date TIMESTAMP,
        country VARCHAR,
        customer_code INTEGER NOT NULL
    )""",
    f"""CREATE TABLE IF NOT EXISTS {PRODUCTS} (
        workspace VARCHAR NOT NULL,
        dataset_id VARCHAR NOT NULL,
        product_id VARCHAR NOT NULL,
        month TIMESTAMP,
        country VARCHAR,
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
        one_country BOOLEAN NOT NULL,
        PRIMARY KEY (workspace, dataset_id)
    )""",
]

_MINE = "workspace = ? AND dataset_id = ?"


class Meta(NamedTuple):
    version: int
    one_country: bool


def build(
    cur: duckdb.DuckDBPyConnection,
    workspace: str,
    dataset_id: str,
    columns: tuple[str, ...],
    version: int,
    *,
    order_table: str,
    split_table: str,
    frame: str | None = None,
    products_built: bool = False,
) -> None:
    """(Re)build the country tables of one dataset from its order rollup (``order_table``)
    and split orders (``split_table``), already written in this transaction, and for products
    its lines or ``frame`` (as :func:`ecomdash.rollup_cells.build`), unless
    ``products_built`` (:func:`build_products` already ran in this transaction)."""
    key = [workspace, dataset_id]
    for t in TABLES:
        if not (products_built and t == PRODUCTS):
            cur.execute(f"DELETE FROM {t} WHERE {_MINE}", key)
    mine = _MINE
    cur.execute(
        f"""INSERT INTO {CUSTOMERS}
        WITH o AS (
            SELECT country, customer_code, order_code, min(order_date) AS d FROM {order_table}
            WHERE {mine} AND NOT by_category AND counted AND customer_code IS NOT NULL
            GROUP BY country, customer_code, order_code
        )
        SELECT ?, ?, country, customer_code, min(d),
          min(d) FILTER (WHERE order_code IS NOT NULL),
          min(d, 2) FILTER (WHERE order_code IS NOT NULL)[2]
        FROM o GROUP BY country, customer_code ORDER BY country""",
        [*key, *key],
    ).fetchall()
    cur.execute(
        f"""INSERT INTO {ORDER_DAYS}
        SELECT ?, ?, order_date, country, customer_code FROM {order_table}
        WHERE {mine} AND NOT by_category AND counted AND customer_code IS NOT NULL
        ORDER BY order_date""",
        [*key, *key],
    ).fetchall()
    if not products_built:
        build_products(cur, key, columns, frame=frame)
    one = one_country(cur, key, split_table)
    cur.execute(f"INSERT INTO {VERSIONS} VALUES (?, ?, ?, ?)", [*key, int(version), one])


def one_country(cur: duckdb.DuckDBPyConnection, key: list, split_table: str) -> bool:
    """True when no order id is on order rows of two countries (split orders only can be)."""
    return not cur.execute(
        f"""SELECT count(*) FROM (SELECT order_code FROM {split_table} WHERE {_MINE}
            AND NOT by_category GROUP BY order_code HAVING count(DISTINCT country) > 1)""",
        key,
    ).fetchone()[0]


def build_products(
    cur: duckdb.DuckDBPyConnection, key: list, columns: tuple[str, ...], *, frame: str | None
) -> None:
    """The product months per country of the lines (or ``frame``); nothing without a
    product or order id column."""
    from ecomdash.kpis import _sale_cond, units_sql
    from ecomdash.rollup_cells import _NET

    cur.execute(f"DELETE FROM {PRODUCTS} WHERE {_MINE}", key)
    mine = _MINE
    if S.PRODUCT_ID in columns and S.ORDER_ID in columns:
        sale = _sale_cond(tuple(columns))
        cat = S.CATEGORY if S.CATEGORY in columns else "CAST(NULL AS VARCHAR)"
        country = S.COUNTRY if S.COUNTRY in columns else "CAST(NULL AS VARCHAR)"
        name = f"any_value({S.PRODUCT_NAME})" if S.PRODUCT_NAME in columns else "NULL"
        units = units_sql(sale) if S.QUANTITY in columns else "NULL"  # net of returns
        if frame is not None:
            _products_from_frame(cur, key, sale, units, frame, S.PRODUCT_NAME in columns)
            return
        cur.execute(
            f"""INSERT INTO {PRODUCTS}
            SELECT ?, ?, product_id, date_trunc('month', order_date), {country}, {cat}, {name},
              {_NET.format(sale=sale)}, {units},
              count(DISTINCT CASE WHEN {sale} AND NOT is_cancelled THEN order_id END)
            FROM lines WHERE {mine} AND product_id IS NOT NULL AND NOT is_non_product
            GROUP BY product_id, date_trunc('month', order_date), {country}, {cat}
            ORDER BY 5, 4""",
            [*key, *key],
        ).fetchall()


def _products_from_frame(
    cur: duckdb.DuckDBPyConnection, key: list, sale: str, units: str, frame: str, named: bool
) -> None:
    """:func:`build_products` from the coded frame (``rollup.code_frame``): grouped on the codes
    of the product id, country and category, the name taken as a code too, their text
    joined back after the grouping (a column the dataset lacks is null in the frame: null
    codes, null text, as the lines' route's NULL). The same rows as grouping on the text.

    The counted orders are grouped in two steps instead of ``count(DISTINCT ...)``: first per
    (product month, counted order code or NULL), then per product month, counting the
    non-null codes (the distinct counted orders) and summing the first step's sums (at 10 M
    lines 1.7 s instead of 4.0; the sums equal to float rounding, added in another order)."""
    from ecomdash import rollup

    def code(col: str) -> str:
        return f"_{col}_code"

    joins = " ".join(f"LEFT JOIN {view} USING ({code(col)})" for col, view in rollup._NAMED.items())
    name = S.PRODUCT_NAME if named else "NULL"
    has_units = units != "NULL"
    groups = f"{code(S.PRODUCT_ID)}, month, {code(S.COUNTRY)}, {code(S.CATEGORY)}"
    cur.execute(
        f"""INSERT INTO {PRODUCTS}
        SELECT ?, ?, {S.PRODUCT_ID}, month, {S.COUNTRY}, {S.CATEGORY}, {name}, net, units,
          orders
        FROM (
            SELECT {groups},
              any_value({code(S.PRODUCT_NAME)}) AS {code(S.PRODUCT_NAME)},
              coalesce(sum(gross), 0) - coalesce(sum(returned), 0) AS net,
              {"sum(units)" if has_units else "NULL"} AS units,
              count(counted_order) AS orders
            FROM (
                SELECT {code(S.PRODUCT_ID)}, date_trunc('month', order_date) AS month,
                  {code(S.COUNTRY)}, {code(S.CATEGORY)},
                  CASE WHEN {sale} AND NOT is_cancelled THEN _order_code END AS counted_order,
                  any_value({code(S.PRODUCT_NAME)}) AS {code(S.PRODUCT_NAME)},
                  sum(CASE WHEN {sale} THEN revenue END) AS gross,
                  sum(CASE WHEN is_return AND NOT is_non_product THEN abs(revenue) END)
                    AS returned,
                  {units} AS units
                FROM {frame} WHERE {code(S.PRODUCT_ID)} IS NOT NULL AND NOT is_non_product
                GROUP BY {groups}, counted_order
            )
            GROUP BY {groups}
        ) g {joins}
        ORDER BY 5, 4""",
        key,
    ).fetchall()


def _meta(store: Store, dataset_id: str) -> Meta | None:
    try:
        row = (
            store._cur()
            .execute(
                f"SELECT version, one_country FROM {VERSIONS} WHERE {_MINE}",
                [store.workspace, dataset_id],
            )
            .fetchone()
        )
    except duckdb.CatalogException:  # a read-only store created before these tables
        return None
    return None if row is None else Meta(int(row[0]), bool(row[1]))


def current(store: Store, info: DatasetInfo) -> Meta | None:
    """The country tables' meta for ``info``'s version, building them first when the other
    small tables are current but these are not (a store saved before them); None when they
    cannot be read (the other tables not current, a read-only store without them)."""
    from ecomdash import rollup
    from ecomdash import rollup_cells as cells

    m = _meta(store, info.id)
    if m is not None and m.version == info.version:
        return m
    if cells.current(store, info) is None:
        return None
    from ecomdash.errors import StoreError

    try:
        with store._lock:
            m = _meta(store, info.id)
            if m is not None and m.version == info.version:
                return m  # another thread built them
            with store._transaction("build the Overview's country tables") as cur:
                if rollup.built_version(store, info.id) != info.version:
                    return None
                build(
                    cur,
                    store.workspace,
                    info.id,
                    info.columns,
                    info.version,
                    order_table=rollup.TABLE,
                    split_table=cells.SPLIT,
                )
    except StoreError as exc:  # read-only store, disk full...: the order rows still answer
        log.warning("country tables of dataset %s not built (%s)", info.id, exc)
        return None
    log.info(
        "built the Overview's country tables of dataset %s version %s on first read: it was "
        "saved before they existed",
        info.id,
        info.version,
    )
    m = _meta(store, info.id)
    return m if m is not None and m.version == info.version else None


def countries_only(info: DatasetInfo, filters: Filters | None) -> bool:
    """A country filter without a category filter (the customer counts these tables serve)
    on a dataset with a country column (without one the filter selects every line)."""
    return bool(
        filters and filters.countries and not filters.categories and S.COUNTRY in info.columns
    )


def _in(countries: tuple[str, ...]) -> str:
    return f"country IN ({', '.join('?' for _ in countries)})"


def customers(store: Store, info: DatasetInfo, filters: Filters) -> int:
    """Distinct customers with a counted order in ``filters`` (countries, maybe dates)."""
    from ecomdash.rollup_cells import _covers

    cs = tuple(filters.countries)
    start, end = _covers(store, info, filters)
    if (filters.start is None and filters.end is None) or (start is None and end is None):
        dated = (
            "" if filters.start is None and filters.end is None else " AND first_date IS NOT NULL"
        )
        sql = (
            f"SELECT count(DISTINCT customer_code) FROM {CUSTOMERS} WHERE {_MINE} "
            f"AND {_in(cs)}{dated}"
        )
        return int(store._cur().execute(sql, [store.workspace, info.id, *cs]).fetchone()[0])
    where, params = store._where(info, filters)
    sql = f"SELECT count(DISTINCT customer_code) FROM {ORDER_DAYS} WHERE {where}"
    return int(store._cur().execute(sql, params).fetchone()[0])


def new_customers(
    store: Store, info: DatasetInfo, countries: tuple[str, ...], bounds: tuple
) -> int:
    """Customers whose first counted order in ``countries`` falls in ``[bounds)``."""
    sql = f"""SELECT count(*) FROM (
          SELECT min(first_date) AS f FROM {CUSTOMERS} WHERE {_MINE} AND {_in(countries)}
          GROUP BY customer_code
        ) WHERE f >= ? AND f < ?"""
    params = [store.workspace, info.id, *countries, *bounds]
    return int(store._cur().execute(sql, params).fetchone()[0])


def repeat_customers(
    store: Store, info: DatasetInfo, countries: tuple[str, ...], bounds: tuple
) -> int:
    """Customers with a counted order in ``countries`` in ``[bounds)`` whose second order
    there is before its end (several countries: only when no order is in two of them,
    ``Meta.one_country``: the two earliest orders are then among each country's two)."""
    import pandas as pd

    from ecomdash.rollup_cells import _dates

    b0, b1 = (pd.Timestamp(b).to_pydatetime() for b in bounds)
    mine = [store.workspace, info.id, *countries]
    if len(countries) == 1:
        second = f"SELECT customer_code, second_date AS s FROM {CUSTOMERS} WHERE {_MINE} AND {_in(countries)}"
    else:
        second = f"""SELECT customer_code, min(d, 2)[2] AS s FROM (
              SELECT customer_code, unnest([order1_date, second_date]) AS d FROM {CUSTOMERS}
              WHERE {_MINE} AND {_in(countries)}
            ) WHERE d IS NOT NULL GROUP BY customer_code"""
    lo, hi = _dates(store, info)
    if lo is not None and b0 <= lo and b1 > hi:  # every dated order is in the period
        sql = f"SELECT count(*) FROM ({second}) WHERE s < ?"
        return int(store._cur().execute(sql, [*mine, b1]).fetchone()[0])
    sql = f"""SELECT count(*) FROM (
          SELECT DISTINCT customer_code FROM {ORDER_DAYS}
          WHERE {_MINE} AND order_date >= ? AND order_date < ? AND {_in(countries)}
        ) p JOIN ({second}) k USING (customer_code) WHERE k.s < ?"""
    params = [store.workspace, info.id, b0, b1, *countries, *mine, b1]
    return int(store._cur().execute(sql, params).fetchone()[0])


def exact_orders(m: Meta | None, filters: Filters | None) -> bool:
    """True when per-country order counts add over ``filters``' countries."""
    return m is not None and (len((filters and filters.countries) or ()) <= 1 or m.one_country)
