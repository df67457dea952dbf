"""The per-order rollup: the Overview's sums kept in the store, one row per order group.

A dataset version is immutable, so its Overview sums can be reduced once, when the lines are
written (``Store.save_dataset``, ``save_batches``, ``append``: in the same transaction), and
every Overview query (KPIs, the previous period, new / returning customers, the trend, the
category and country breakdowns) then reads a table several times smaller than the lines.

Grain: one row per distinct (order id, order date, customer id, country) of the lines, and
one per distinct (order id, order date, customer id, country, category) (``by_category``;
read only with a category filter or for the category breakdown) — the columns the global filters (``Filters``: dates, countries, categories) and the
trend read, so every filter selects exactly the rows whose lines it would select, and the
sums of the selected rows are the sums of the selected lines. Orders and customers are
counted with ``count(DISTINCT ...)`` on integer codes (dense per dataset), which is the
count of distinct ids. Per row: ``gross`` (revenue of sale lines), ``returns`` (absolute
revenue of return lines, non-product lines excluded), ``sale_units``, ``return_units``,
``lines``, ``product_lines`` (lines that are not non-product) and ``counted`` (at least one
sale line that was not cancelled: the order counts as an order). The sale condition is the
Overview's (:func:`ecomdash.kpis._sale_cond`), built from the dataset's columns, which a
dataset keeps across appends.

The same build then reduces these rows to the Overview's small tables
(``ecomdash/rollup_cells.py``: day cells, split orders, customers' first and second order
dates, product months; per country: ``ecomdash/rollup_countries.py``), which answer every
Overview query that they answer exactly; the order rows answer the rest (several
categories selected; customers with a category filter; repeat customers of several
countries when an order is in two of them).

Datasets saved before the rollup existed (or whose version moved without it) get it built
on first read (:func:`ready`, logged); a read-only store, another engine (Spark) or
``ECOMDASH_ROLLUP=0`` use the lines queries instead. Revenue sums equal the lines' to float
rounding (DuckDB adds in another order): to the cent, checked in ``tests/unit/test_rollup.py``.
"""

from __future__ import annotations

import logging
import os
from datetime import datetime
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ecomdash import rollup_cells as cells
from ecomdash import rollup_countries as countries
from ecomdash import schema as S

if TYPE_CHECKING:
    from ecomdash.filters import Filters
    from ecomdash.store import DatasetInfo, Store

log = logging.getLogger(__name__)

TABLE = "order_rollup"
VERSIONS = "order_rollup_versions"
#: ``ECOMDASH_ROLLUP=0`` (or ``off``/``false``): read the lines as before (benches, checks)
ENV = "ECOMDASH_ROLLUP"

DDL_ORDERS = [
    f"""CREATE TABLE IF NOT EXISTS {TABLE} (
        workspace VARCHAR NOT NULL,
        dataset_id VARCHAR NOT NULL,
        order_code INTEGER,
        customer_code INTEGER,
        order_date TIMESTAMP,
        country VARCHAR,
        category VARCHAR,
        by_category BOOLEAN NOT NULL,
        gross DOUBLE,
        returns DOUBLE,
        sale_units DOUBLE,
        return_units DOUBLE,
        lines BIGINT NOT NULL,
        product_lines BIGINT NOT NULL,
        counted BOOLEAN NOT NULL
    )""",
    f"""CREATE TABLE IF NOT EXISTS {VERSIONS} (
        workspace VARCHAR NOT NULL,
        dataset_id VARCHAR NOT NULL,
        version INTEGER NOT NULL,
        rows BIGINT NOT NULL,
        built TIMESTAMP NOT NULL,
        PRIMARY KEY (workspace, dataset_id)
    )""",
]
DDL = [*DDL_ORDERS, *cells.DDL]
#: every table holding a dataset's rollup rows (``Store.delete`` empties them)
TABLES = (TABLE, VERSIONS, *cells.TABLES)


def enabled() -> bool:
    return os.environ.get(ENV, "1").strip().lower() not in ("0", "off", "false", "no")


def build(
    cur: duckdb.DuckDBPyConnection,
    workspace: str,
    dataset_id: str,
    columns: tuple[str, ...],
    version: int,
    *,
    frame: pa.Table | None = None,
    coded: tuple[pa.Table, dict[str, pa.Table]] | None = None,
) -> int:
    """(Re)build the rollup of one dataset inside the caller's transaction; rows written.

    Idempotent: the dataset's previous rollup rows and version row are replaced.

    ``frame``: the dataset's lines as the Arrow table just inserted (a new dataset saved
    whole, ``Store.save_dataset``). The order and customer ids are then numbered by Arrow's
    hash encoding (:func:`_codes`) and the rows grouped on those integers straight from the
    frame, instead of grouping the stored lines on the id strings and numbering the distinct
    ids by two more joins (at 1 M lines: 0.6 s CPU instead of 2.0 s). The codes are a
    one-to-one numbering of the non-null ids, like the joins', so the rows are the same
    (``tests/unit/test_rollup.py`` compares both routes).

    ``coded``: ``code_frame(frame)`` when the caller computed it already (``Store.save_dataset``
    numbers the frame in a thread while DuckDB writes the lines): the same tables, not
    computed again."""
    from ecomdash.kpis import _sale_cond

    sale = f"coalesce({_sale_cond(tuple(columns))}, false)"
    ret = "coalesce(is_return AND NOT is_non_product, false)"
    has_qty = S.QUANTITY in columns
    has_rev = S.REVENUE in columns
    gross = f"sum(CASE WHEN {sale} THEN revenue END)" if has_rev else "CAST(NULL AS DOUBLE)"
    returns = f"sum(CASE WHEN {ret} THEN abs(revenue) END)" if has_rev else "CAST(NULL AS DOUBLE)"
    sale_units = (
        f"sum(CASE WHEN {sale} THEN quantity ELSE 0 END)" if has_qty else "CAST(NULL AS DOUBLE)"
    )
    return_units = (
        f"sum(CASE WHEN {ret} THEN abs(quantity) ELSE 0 END)" if has_qty else "CAST(NULL AS DOUBLE)"
    )
    has_cat = S.CATEGORY in columns
    for t in (TABLE, VERSIONS):
        cur.execute(
            f"DELETE FROM {t} WHERE workspace = ? AND dataset_id = ?", [workspace, dataset_id]
        )
    sums = "gross, returns, sale_units, return_units, lines, product_lines, counted"
    aggs = f"""{gross} AS gross, {returns} AS returns,
              {sale_units} AS sale_units, {return_units} AS return_units,
              count(*) AS lines,
              count(*) FILTER (WHERE NOT coalesce(is_non_product, false)) AS product_lines,
              coalesce(bool_or({sale} AND NOT coalesce(is_cancelled, false)), false) AS counted"""
    if frame is not None:
        coded, names = coded if coded is not None else code_frame(frame)
        cur.register(_FRAME, coded)
        for view, table in names.items():
            cur.register(view, table)
        try:
            _build_from_frame(cur, workspace, dataset_id, aggs, has_cat, sums)
            return _finish(cur, workspace, dataset_id, columns, version, frame=_FRAME)
        finally:
            for view in (_FRAME, *names):
                cur.unregister(view)
    # (order, category) rows first (g, then j with integer codes: the distinct ids numbered
    # and joined back by hash, no sort; NULL stays NULL), and the order rows summed from j —
    # an order's lines usually span several categories: the order rows answer every query
    # without a category filter or breakdown, the (order, category) rows the rest
    category = S.CATEGORY if has_cat else "CAST(NULL AS VARCHAR)"
    by_cat = (
        f"SELECT ?, ?, order_code, customer_code, order_date, country, category, true, {sums} "
        "FROM j UNION ALL "
        if has_cat
        else ""
    )
    cur.execute(
        f"""INSERT INTO {TABLE}
        WITH g AS (
            SELECT order_id, order_date, customer_id, country, {category} AS category,
              {aggs}
            FROM lines WHERE workspace = ? AND dataset_id = ?
            GROUP BY ALL
        ),
        o AS (
            SELECT order_id, CAST(row_number() OVER () AS INTEGER) AS order_code
            FROM (SELECT DISTINCT order_id FROM g WHERE order_id IS NOT NULL)
        ),
        c AS (
            SELECT customer_id, CAST(row_number() OVER () AS INTEGER) AS customer_code
            FROM (SELECT DISTINCT customer_id FROM g WHERE customer_id IS NOT NULL)
        ),
        j AS (
            SELECT o.order_code, c.customer_code, g.order_date, g.country, g.category,
              g.{sums.replace(", ", ", g.")}
            FROM g LEFT JOIN o USING (order_id) LEFT JOIN c USING (customer_id)
        )
        {by_cat}SELECT ?, ?, order_code, customer_code, order_date, country,
          CAST(NULL AS VARCHAR), false, sum(gross), sum(returns), sum(sale_units),
          sum(return_units), sum(lines), sum(product_lines), bool_or(counted)
        FROM j GROUP BY order_code, customer_code, order_date, country""",
        [workspace, dataset_id, *([workspace, dataset_id] * (2 if has_cat else 1))],
    ).fetchall()
    return _finish(cur, workspace, dataset_id, columns, version)


def _codes(ids: pa.ChunkedArray) -> pa.Array:
    """1, 2, 3 … numbering the distinct non-null ``ids`` (in first-seen order); null stays
    null. One hash pass over the whole column, combined into one array first."""
    enc = pc.dictionary_encode(ids.combine_chunks())
    return pc.add(enc.indices.cast(pa.int32()), pa.scalar(1, pa.int32()))


#: the name the coded frame is registered under while the rollup is built from it
_FRAME = "_rollup_frame"
#: the columns numbered in the frame for the order rows' grouping, and the names under which
#: the tables from their codes back to their text are registered
_NAMED = {
    S.COUNTRY: "_rollup_countries",
    S.CATEGORY: "_rollup_categories",
    S.PRODUCT_ID: "_rollup_products",
    S.PRODUCT_NAME: "_rollup_names",
}


def code_frame(frame: pa.Table) -> tuple[pa.Table, dict[str, pa.Table]]:
    """``frame`` with ``_order_code`` and ``_customer_code`` (:func:`_codes`), and
    ``_country_code`` / ``_category_code`` / ``_product_id_code`` / ``_product_name_code``
    (0, 1, 2 … numbering the distinct values; null stays null), in the same batches (DuckDB
    scans batches in parallel); and per registered name (``_NAMED``) the table
    ``(_country_code, country)`` … that turns those codes back into text.

    Grouping the order rows (and the product months per country,
    ``rollup_countries.build_products``) on integers instead of text holds about half the
    memory at the peak of the save (3 M lines: 0.3-0.5 GiB above the frame instead of 0.9
    for the order rows, 0.35 instead of 0.6 for the product months) and the rows are the
    same: one code per distinct text."""
    chunk = max(1, max((b.num_rows for b in frame.to_batches()), default=1))
    coded = frame.append_column("_order_code", _codes(frame[S.ORDER_ID])).append_column(
        "_customer_code", _codes(frame[S.CUSTOMER_ID])
    )
    names: dict[str, pa.Table] = {}
    for col, view in _NAMED.items():
        enc = pc.dictionary_encode(frame[col].combine_chunks())
        coded = coded.append_column(f"_{col}_code", enc.indices.cast(pa.int32()))
        names[view] = pa.table(
            {
                f"_{col}_code": pa.array(range(len(enc.dictionary)), pa.int32()),
                col: enc.dictionary.cast(pa.string()),
            }
        )
    return pa.Table.from_batches(coded.to_batches(max_chunksize=chunk), coded.schema), names


def _build_from_frame(
    cur: duckdb.DuckDBPyConnection,
    workspace: str,
    dataset_id: str,
    aggs: str,
    has_cat: bool,
    sums: str,
) -> None:
    """The order rows (and order x category rows) of the registered coded frame, grouped
    on the integer codes, the country and category text joined back after the grouping.

    With a category, the (order, category) rows are inserted first, then the order rows
    grouped straight from the frame too (on four integer columns: at 10 M lines 0.7 s
    instead of 2.0 s reading the 9 M stored (order, category) rows back and grouping them
    on the country text). The same rows; the sums are the lines' sums added in another
    order (equal to float rounding, as the lines' route)."""
    key = [workspace, dataset_id]

    def insert(by_cat: bool) -> None:
        cat_code = f"_{S.CATEGORY}_code" if by_cat else "CAST(NULL AS INTEGER)"
        cat_join = f"LEFT JOIN {_NAMED[S.CATEGORY]} USING (_{S.CATEGORY}_code)" if by_cat else ""
        category = S.CATEGORY if by_cat else "CAST(NULL AS VARCHAR)"
        cur.execute(
            f"""INSERT INTO {TABLE}
                SELECT ?, ?, order_code, customer_code, order_date, {S.COUNTRY}, {category},
                  {"true" if by_cat else "false"}, {sums}
                FROM (
                    SELECT _order_code AS order_code, order_date,
                      _customer_code AS customer_code, _{S.COUNTRY}_code,
                      {cat_code} AS _{S.CATEGORY}_code,
                      {aggs}
                    FROM {_FRAME}
                    GROUP BY ALL
                ) g LEFT JOIN {_NAMED[S.COUNTRY]} USING (_{S.COUNTRY}_code) {cat_join}""",
            key,
        ).fetchall()

    if has_cat:
        insert(True)
    insert(False)


def _finish(
    cur: duckdb.DuckDBPyConnection,
    workspace: str,
    dataset_id: str,
    columns: tuple[str, ...],
    version: int,
    *,
    frame: str | None = None,
) -> int:
    n = cur.execute(
        f"SELECT count(*) FROM {TABLE} WHERE workspace = ? AND dataset_id = ?",
        [workspace, dataset_id],
    ).fetchone()[0]
    cur.execute(
        f"INSERT INTO {VERSIONS} VALUES (?, ?, ?, ?, ?)",
        [workspace, dataset_id, int(version), int(n), datetime.now().replace(microsecond=0)],
    )
    # the Overview's small tables (cells, customers, products) from these rows
    cells.build(cur, workspace, dataset_id, tuple(columns), version, order_table=TABLE, frame=frame)
    return int(n)


def _is_duckdb_store(store: Store) -> bool:
    return isinstance(getattr(store, "_con", None), duckdb.DuckDBPyConnection)


#: the tables saying which dataset version the rollup's rows were built for
VERSION_TABLES = (VERSIONS, cells.VERSIONS, countries.VERSIONS)


def carry_version(
    cur: duckdb.DuckDBPyConnection, workspace: str, dataset_id: str, old: int
) -> None:
    """A new version with the same lines (``Store.set_currency``: only the report changed):
    the rollup built for version ``old`` is the new version's too, so its version rows move
    on to ``old + 1`` (three one-row updates) instead of the rollup being rebuilt from the
    lines on the next read. A rollup built for an older version stays behind (built then)."""
    for table in VERSION_TABLES:
        cur.execute(
            f"UPDATE {table} SET version = ? WHERE workspace = ? AND dataset_id = ? AND version = ?",
            [int(old) + 1, workspace, dataset_id, int(old)],
        )


def built_version(store: Store, dataset_id: str) -> int | None:
    """The dataset version its rollup was built for (None: none, or no rollup table)."""
    try:
        row = (
            store._cur()
            .execute(
                f"SELECT version FROM {VERSIONS} WHERE workspace = ? AND dataset_id = ?",
                [store.workspace, dataset_id],
            )
            .fetchone()
        )
    except duckdb.CatalogException:  # a read-only store created before the rollup
        return None
    return None if row is None else int(row[0])


def ready(store: Store, info: DatasetInfo) -> bool:
    """True when the Overview can read ``info``'s rollup (building it first if the dataset
    was saved before rollups existed); False: read the lines (another engine, summed sales,
    no amount column, ``ECOMDASH_ROLLUP=0``, or a read-only store without it)."""
    if not enabled() or not _is_duckdb_store(store):
        return False
    if info.kind != S.KIND_LINES or S.REVENUE not in info.columns:
        return False
    if built_version(store, info.id) == info.version and cells.current(store, info):
        return True
    from ecomdash.errors import StoreError

    try:
        with store._lock:
            if built_version(store, info.id) == info.version and cells.current(store, info):
                return True  # another thread built it
            current = store.info(info.id)  # the version may have moved since ``info``
            with store._transaction("build the order rollup") as cur:
                n = build(cur, store.workspace, info.id, current.columns, current.version)
    except StoreError as exc:  # read-only store, disk full...: the lines still answer
        usable = built_version(store, info.id) == info.version  # the order rows, without cells
        log.warning(
            "order rollup of dataset %s not built (%s): the Overview reads the %s",
            info.id,
            exc,
            "order rollup" if usable else "lines",
        )
        return usable
    log.info(
        "built the order rollup of dataset %s version %s on first read (%s rows from %s lines): "
        "it was saved before rollups (or the Overview's cells, or their current format) existed",
        info.id,
        current.version,
        f"{n:,}",
        f"{current.rows:,}",
    )
    return current.version == info.version


def query(
    store: Store,
    info: DatasetInfo,
    filters: Filters | None,
    sql: str,
    params=(),
    *,
    by_category: bool = False,
):
    """Run ``sql`` over the dataset's rollup rows after ``filters``, exposed as view ``r``
    (the filter columns have the lines' names, so the lines' WHERE applies unchanged): the
    order rows, or the (order, category) rows with a category filter or ``by_category``."""
    where, wparams = store._where(info, filters)
    cat = S.CATEGORY in info.columns and (by_category or bool(filters and filters.categories))
    where += " AND by_category" if cat else " AND NOT by_category"
    full = f"WITH r AS (SELECT * FROM {TABLE} WHERE {where}) {sql}"
    return store._cur().execute(full, [*wparams, *params]).df()


# -- the Overview's queries on the rollup (same columns as kpis' queries on the lines) -------

NET = "coalesce(sum(gross), 0) - coalesce(sum(returns), 0)"
ORDERS = "count(DISTINCT CASE WHEN counted THEN order_code END)"
#: units net of returns, as the tile (``kpis.units_sql`` on the lines)
UNITS = "sum(sale_units) - sum(return_units)"


def kpi_row(store: Store, info: DatasetInfo, filters: Filters | None) -> pd.Series:
    """``gross_sales, returns, orders, units, customers`` as ``kpis._kpi_sql`` on the lines."""
    cols = info.columns
    units = UNITS if S.QUANTITY in cols else "NULL"
    customers = (
        "count(DISTINCT CASE WHEN counted THEN customer_code END)"
        if S.CUSTOMER_ID in cols
        else "NULL"
    )
    orders = ORDERS if S.ORDER_ID in cols else "0"
    m = cells.current(store, info)
    if m is not None:  # sums (and orders when they add up) from the day cells
        add = S.ORDER_ID in cols and cells.orders_additive(m, filters)
        row = cells.sums(store, info, filters, orders=add).copy()
        if not add:
            got = query(store, info, filters, f"SELECT {orders} AS orders FROM r").iloc[0]
            row["orders"] = got["orders"]
        if S.CUSTOMER_ID not in cols:
            row["customers"] = None
        elif cells.no_group_filter(filters):
            row["customers"] = cells.customers(store, info, filters)
        elif countries.countries_only(info, filters) and countries.current(store, info):
            row["customers"] = countries.customers(store, info, filters)
        else:
            row["customers"] = query(store, info, filters, f"SELECT {customers} FROM r").iloc[0, 0]
        return row
    sql = f"""SELECT coalesce(sum(gross), 0) AS gross_sales, coalesce(sum(returns), 0) AS returns,
        {orders} AS orders, {units} AS units, {customers} AS customers FROM r"""
    return query(store, info, filters, sql).iloc[0]


def new_customers(store: Store, info: DatasetInfo, whole: Filters, bounds: tuple) -> int:
    """Customers whose first counted order falls in ``[bounds)`` (``kpis._first_purchase_sql``)."""
    if cells.no_group_filter(whole) and cells.current(store, info):
        return cells.new_customers(store, info, bounds)
    if countries.countries_only(info, whole) and countries.current(store, info):
        return countries.new_customers(store, info, whole.countries, bounds)
    sql = """SELECT count(*) FROM (
          SELECT customer_code, min(order_date) AS first_date FROM r
          WHERE counted AND customer_code IS NOT NULL GROUP BY customer_code
        ) WHERE first_date >= ? AND first_date < ?"""
    return int(query(store, info, whole, sql, bounds).iloc[0, 0])


def repeat_customers(store: Store, info: DatasetInfo, whole: Filters, bounds: tuple) -> int:
    """Customers with an order in ``[bounds)`` and more than one before its end
    (``kpis._repeat_sql``)."""
    if cells.no_group_filter(whole) and cells.current(store, info):
        return cells.repeat_customers(store, info, bounds)
    if countries.countries_only(info, whole) and countries.exact_orders(
        countries.current(store, info), whole
    ):
        return countries.repeat_customers(store, info, whole.countries, bounds)
    sql = """SELECT count(*) FROM (
          SELECT customer_code, count(DISTINCT order_code) AS n_orders,
            max(CASE WHEN order_date >= ? THEN 1 ELSE 0 END) AS in_period
          FROM r WHERE counted AND customer_code IS NOT NULL AND order_date < ?
          GROUP BY customer_code
        ) t WHERE in_period = 1 AND n_orders > 1"""
    return int(query(store, info, whole, sql, bounds).iloc[0, 0])


def trend(store: Store, info: DatasetInfo, filters: Filters | None, grain: str) -> pd.DataFrame:
    """``period, revenue, gross_sales, returns, orders`` per ``grain`` (the lines trend)."""
    if cells.orders_additive(cells.current(store, info), filters):
        return cells.trend(store, info, filters, grain)
    sql = f"""SELECT date_trunc('{grain}', order_date) AS period, {NET} AS revenue,
          coalesce(sum(gross), 0) AS gross_sales, coalesce(sum(returns), 0) AS returns,
          {ORDERS} AS orders
        FROM r GROUP BY 1 ORDER BY 1"""
    return query(store, info, filters, sql)


def breakdown(
    store: Store, info: DatasetInfo, filters: Filters | None, col: str, top_n: int
) -> pd.DataFrame:
    """Net revenue, orders (and units net of returns) per country or category, top ``top_n``."""
    if col not in (S.COUNTRY, S.CATEGORY):
        raise ValueError(f"the rollup has no breakdown by {col!r}")
    if cells.orders_additive(cells.current(store, info), filters):
        return cells.breakdown(store, info, filters, col, top_n)
    units = f", {UNITS} AS units" if S.QUANTITY in info.columns else ""
    sql = f"""SELECT {col} AS key, {NET} AS revenue, {ORDERS} AS orders{units}
        FROM r WHERE {col} IS NOT NULL AND product_lines > 0
        GROUP BY {col} ORDER BY revenue DESC, key LIMIT ?"""
    return query(store, info, filters, sql, (int(top_n),), by_category=col == S.CATEGORY)


def status(store: Store, dataset_id: str) -> dict[str, Any] | None:
    """The rollup's version and rows for a dataset (None when it has none)."""
    try:
        row = (
            store._cur()
            .execute(
                f"SELECT version, rows, built FROM {VERSIONS} WHERE workspace = ? AND dataset_id = ?",
                [store.workspace, dataset_id],
            )
            .fetchone()
        )
    except duckdb.CatalogException:
        return None
    return None if row is None else {"version": int(row[0]), "rows": int(row[1]), "built": row[2]}


def top_products(
    store: Store, info: DatasetInfo, filters: Filters | None, top_n: int
) -> pd.DataFrame:
    """The Overview's top products by net revenue from the lines (products are not in the
    rollup), in two steps that give the one-query table: rank every product by net revenue
    (sums only), then names, orders and units (net of returns) of the ``top_n`` first alone — counting
    distinct orders and picking names for every product was most of the query's time."""
    from ecomdash.kpis import _sale_cond, units_sql

    m = cells.current(store, info)
    if (
        m is not None
        and m.products_exact
        and (
            not (filters and filters.countries)
            or countries.exact_orders(countries.current(store, info), filters)
        )
    ):
        return cells.top_products(store, info, filters, top_n)
    cols = info.columns
    sale = _sale_cond(cols)
    net = (
        f"coalesce(sum(CASE WHEN {sale} THEN revenue END), 0) - coalesce(sum(CASE WHEN "
        "is_return AND NOT is_non_product THEN abs(revenue) END), 0)"
    )
    ranked = store.query(
        info.id,
        filters,
        f"""SELECT product_id AS key, {net} AS revenue FROM l
        WHERE product_id IS NOT NULL AND NOT is_non_product
        GROUP BY product_id ORDER BY revenue DESC, key LIMIT ?""",
        (int(top_n),),
    )
    keys = [str(k) for k in ranked["key"]]
    name = ", any_value(product_name) AS name" if S.PRODUCT_NAME in cols else ""
    units = f", {units_sql(sale)} AS units" if S.QUANTITY in cols else ""  # net of returns
    marks = ", ".join("?" for _ in keys) or "NULL"
    detail = store.query(
        info.id,
        filters,
        f"""SELECT product_id AS key{name},
          count(DISTINCT CASE WHEN {sale} AND NOT is_cancelled THEN order_id END) AS orders{units}
        FROM l WHERE product_id IN ({marks}) AND NOT is_non_product GROUP BY product_id""",
        tuple(keys),
    )
    out = ranked.merge(detail, on="key", how="left")
    order = ["key", *(["name"] if name else []), "revenue", "orders", *(["units"] if units else [])]
    return out[order]
