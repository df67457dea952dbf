"""The alerts' SQL: daily series, drivers and order-level rule candidates, reduced in DuckDB.

Every function takes the :class:`~ecomdash.store.Store` (whose workspace and filters restrict
every query) and returns only small frames: the daily series (one row per day and group), the
lines a rule flags, or a handful of drivers. The store's ``alert_*`` methods delegate here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa

from ecomdash import schema as S
from ecomdash.errors import ParameterError
from ecomdash.filters import Filters
from ecomdash.i18n import N_
from ecomdash.i18n.note import note

if TYPE_CHECKING:
    from ecomdash.store import DatasetInfo, Store


def _alert_sale(store: Store, info: DatasetInfo, alias: str = "") -> str:
    """SQL condition of a sale line (as kpis: not a return, not postage/fees, > 0)."""
    p = f"{alias}." if alias else ""
    cond = f"NOT {p}is_return AND NOT {p}is_non_product"
    if S.REVENUE in info.columns:
        cond += f" AND {p}revenue > 0"
    if S.QUANTITY in info.columns:
        cond += f" AND {p}quantity > 0"
    return cond


# Why the alerts' views of the lines (``l``, ``a``, ``s``) are ``NOT MATERIALIZED`` CTEs:
# DuckDB materializes a CTE that a query reads more than once (a copy of the filtered
# lines, then scans of the copy); inlined, each read scans only the columns it needs
# (commit 7f5aef6, 3M lines: day_share 5.1 -> 1.6 s, quick_cancel 5.5 -> 3.3 s). Still so on
# DuckDB 2.0 (2026-12-06: 1.5M lines, quick_cancel's shape, one thread: 0.06 s inlined
# against 0.10 s materialized; EXPLAIN shows a CTE node and CTE scans without it). Spark SQL
# has no such keyword and inlines CTEs itself: its cursor drops it (``ecomdash.spark.sql``,
# ``AS NOT MATERIALIZED`` -> ``AS``).


def _alert_view(store: Store, info: DatasetInfo, filters: Filters | None) -> tuple[str, list]:
    where, params = store._where(info, filters)
    return f"l AS NOT MATERIALIZED (SELECT * FROM lines WHERE {where})", params


def _alert_all(store: Store, info: DatasetInfo) -> tuple[str, list]:
    """The dataset's lines whatever the filters (the baseline of what is "usual")."""
    return (
        "a AS NOT MATERIALIZED (SELECT * FROM lines WHERE workspace = ? AND dataset_id = ?)",
        [
            store.workspace,
            info.id,
        ],
    )


def alert_daily_series(
    store: Store, dataset_id: str, filters: Filters | None = None, *, top_n: int = 5
) -> pd.DataFrame:
    """Per day: gross sales, returns, orders, new customers for the shop and its top groups.

    Columns ``dim`` ("shop", "category", "country"), ``grp`` (the group, "" for the shop),
    ``day``, ``gross``, ``returns``, ``orders``, ``new_customers`` (null where unknown).
    Groups are the ``top_n`` categories and countries by gross sales in the period. A new
    customer is one whose first counted order in the whole dataset is that day.
    """
    info = store.info(dataset_id)
    if S.ORDER_DATE not in info.columns:
        return pd.DataFrame(
            columns=["dim", "grp", "day", "gross", "returns", "orders", "new_customers"]
        )
    view, params = _alert_view(store, info, filters)
    allv, aparams = _alert_all(store, info)
    sale = _alert_sale(store, info)
    sale_l = _alert_sale(store, info, "l")
    value = "revenue" if S.REVENUE in info.columns else "NULL::DOUBLE"
    value_l = "l.revenue" if S.REVENUE in info.columns else "NULL::DOUBLE"
    has_cust = S.CUSTOMER_ID in info.columns
    # one scan: GROUPING SETS over (day), (day, top category), (day, top country)
    dims = [d for d in (S.CATEGORY, S.COUNTRY) if d in info.columns and top_n > 0]
    tops: dict[str, list] = {}
    for col in dims:
        tops[col] = [
            r[0]
            for r in store._cur()
            .execute(
                f"""WITH {view} SELECT {col} FROM l WHERE {sale} AND {col} IS NOT NULL
                GROUP BY 1 ORDER BY sum(coalesce({value}, 1)) DESC, 1 LIMIT {int(top_n)}""",
                params,
            )
            .fetchall()
        ]
    exprs, targs, sets = [], [], ["(day)"]
    for col in dims:
        marks = ", ".join("?" for _ in tops[col]) or "NULL"
        exprs.append(f"CASE WHEN l.{col} IN ({marks}) THEN l.{col} END AS g_{col}")
        targs += tops[col]
        sets.append(f"(day, g_{col})")
    gcols = "".join(f", g_{c}, grouping(g_{c}) AS is_all_{c}" for c in dims)
    sql = f"""WITH {view}, x AS (
          SELECT date_trunc('day', l.order_date) AS day, {sale_l} AS is_sale,
            l.is_return AND NOT l.is_non_product AS is_ret, l.is_cancelled,
            {value_l} AS v, l.order_id {"".join(", " + e for e in exprs)}
          FROM l WHERE l.order_date IS NOT NULL)
        SELECT day {gcols},
          coalesce(sum(CASE WHEN is_sale THEN v END), 0) AS gross,
          coalesce(sum(CASE WHEN is_ret THEN abs(v) END), 0) AS returns,
          count(DISTINCT CASE WHEN is_sale AND NOT is_cancelled THEN order_id END) AS orders
        FROM x GROUP BY GROUPING SETS ({", ".join(sets)}) ORDER BY day"""
    g = store._cur().execute(sql, [*params, *targs]).df()
    shop = pd.Series(True, index=g.index)
    for c in dims:
        shop &= g[f"is_all_{c}"] == 1
    frames = [g.loc[shop, ["day", "gross", "returns", "orders"]].assign(dim="shop", grp="")]
    for c in dims:
        rows = g[(g[f"is_all_{c}"] == 0) & g[f"g_{c}"].notna()]
        frames.append(
            rows[["day", "gross", "returns", "orders"]].assign(
                dim=c, grp=rows[f"g_{c}"].astype(str)
            )
        )
    cols_out = ["dim", "grp", "day", "gross", "returns", "orders"]
    frames = [f[cols_out].reset_index(drop=True) for f in frames]
    frames[0]["new_customers"] = np.nan
    if has_cust:
        # new customers (shop-wide): first counted order over the whole dataset, per day
        new = (
            store._cur()
            .execute(
                f"""WITH {view}, {allv},
                f AS (SELECT min(order_date) AS first_ts FROM a
                      WHERE {sale} AND NOT is_cancelled AND customer_id IS NOT NULL
                      GROUP BY customer_id),
                days AS (SELECT DISTINCT date_trunc('day', order_date) AS day FROM l)
                SELECT date_trunc('day', first_ts) AS day, count(*) AS new_customers FROM f
                WHERE date_trunc('day', first_ts) IN (SELECT day FROM days) GROUP BY 1""",
                [*params, *aparams],
            )
            .df()
        )
        m = frames[0].drop(columns="new_customers").merge(new, on="day", how="left")
        m["new_customers"] = m["new_customers"].fillna(0)
        frames[0] = m
    out = pd.concat(frames, ignore_index=True)
    out["day"] = pd.to_datetime(out["day"]).astype("datetime64[us]")
    return out


def alert_drivers(
    store: Store,
    dataset_id: str,
    filters: Filters | None,
    *,
    day: datetime,
    by: str,
    metric: str,
    limit: int = 5,
    direction: int = 0,
) -> pd.DataFrame:
    """What moved one day most: per ``by`` value, the day's ``metric`` against the mean of
    the same weekday over the four weeks before. ``metric``: gross, net (sales less
    returns), returns or orders. Columns ``key``, ``actual``, ``usual``, ``change``
    (actual - usual), largest change first: by size (``direction`` 0), the largest rises
    first (1) or the largest falls first (-1).

    ``filters`` choose the lines (countries, categories); their period does not: the day
    and its four weekdays before are read whatever the period, so "usual" never counts
    weeks cut off by the period as days without sales."""
    info = store.info(dataset_id)
    if by not in info.columns or by not in (S.PRODUCT_ID, S.COUNTRY, S.CUSTOMER_ID, S.CATEGORY):
        return pd.DataFrame(columns=["key", "actual", "usual", "change"])
    if filters is not None:
        filters = replace(filters, start=None, end=None)
    view, params = _alert_view(store, info, filters)
    sale = _alert_sale(store, info)
    value = "revenue" if S.REVENUE in info.columns else "quantity"
    ret = "is_return AND NOT is_non_product"
    if metric == "returns":
        v = f"CASE WHEN {ret} THEN abs({value}) END"
    elif metric == "net":
        v = f"CASE WHEN {sale} THEN {value} WHEN {ret} THEN -abs({value}) END"
    elif metric == "orders":
        v = f"CASE WHEN {sale} AND NOT is_cancelled THEN order_id END"
    else:
        v = f"CASE WHEN {sale} THEN {value} END"

    def agg(cond: str) -> str:
        if metric == "orders":
            return f"count(DISTINCT CASE WHEN {cond} THEN v END)::DOUBLE"
        return f"coalesce(sum(CASE WHEN {cond} THEN v END), 0)::DOUBLE"

    d0 = pd.Timestamp(day).normalize()
    days = [d0 - pd.Timedelta(weeks=w) for w in range(5)]
    order = f"(actual - usual) * {int(np.sign(direction))}" if direction else "abs(actual - usual)"
    sql = f"""WITH {view}, d AS (
          SELECT date_trunc('day', order_date) AS day, {by} AS key, {v} AS v FROM l
          WHERE date_trunc('day', order_date) IN (?, ?, ?, ?, ?) AND {by} IS NOT NULL)
        SELECT key,
          {agg("day = ?")} AS actual, {agg("day <> ?")} / 4 AS usual
        FROM d GROUP BY key
        ORDER BY {order} DESC, key LIMIT ?"""
    df = store._cur().execute(sql, [*params, *days, d0, d0, int(limit)]).df()
    df["change"] = df["actual"] - df["usual"]
    return df


_ALERT_LINE_COLS = (
    "line_no, order_id, order_date, customer_id, product_id, product_name, quantity, "
    "unit_price, revenue"
)


def _alert_cols(store: Store, info: DatasetInfo, alias: str) -> str:
    cols = [c.strip() for c in _ALERT_LINE_COLS.split(",")]
    return ", ".join(
        f"{alias}.{c}" if c in info.columns or c == S.LINE_NO else f"NULL AS {c}" for c in cols
    )


def alert_rule_lines(
    store: Store,
    dataset_id: str,
    filters: Filters | None,
    rule: str,
    *,
    params: Mapping[str, float] | None = None,
    unit_costs: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The lines one order-level rule flags in the period (SQL; only flagged lines return).

    What is "usual" for a product or customer is measured over the whole dataset. Rules
    and their ``params``:

    * ``huge_quantity`` (ratio, min_qty, min_lines): sale lines with quantity >= ratio x the
      product's usual large line (95th percentile of its line quantities) and >= min_qty;
      products with >= min_lines sale lines.
    * ``price_off`` (ratio, min_lines, max_days): sale lines priced <= 1/ratio or >= ratio x
      the product's median unit price, at a price charged on at most ``max_days`` days
      (a price level used on more days is a real price point: a pack, a trade price).
    * ``quick_cancel`` (hours, min_times): orders worth >= min_times x a typical order (the
      median order value; default 1: a small order changed or cancelled soon after is
      routine, not a risk) whose every product line was returned or cancelled within
      ``hours`` of the order (matched by product, quantity and customer or ``C`` + order
      id). Adds ``delay_hours``, ``order_value``, ``typical_order_value``.
    * ``order_burst`` (orders, hours, ratio): a customer's orders when they placed >= orders
      orders within ``hours`` and >= ratio x their usual orders per active day (measured
      on their other days, so the burst does not raise its own bar; 1 without other days).
    * ``customer_returns`` (rate, min_orders, min_returns): the period's return lines of
      customers whose returns are >= rate of their gross sales over the whole dataset.
    * ``day_share`` (share): sale lines whose revenue is >= share of the rest of that day's
      gross sales.
    * ``negative_margin``: sale lines priced below the unit cost in ``unit_costs``
      (columns product_id, unit_cost).
    * ``returns_spike`` (min_returns, ratio): return lines of product-weeks with >= min_returns
      return lines and >= ratio x the product's mean weekly returns in the other weeks;
      adds ``week_returns``, ``product_returns`` (whole dataset), ``weeks``.
    """
    info = store.info(dataset_id)
    p = dict(params or {})
    view, vparams = _alert_view(store, info, filters)
    allv, aparams = _alert_all(store, info)
    sale_l = _alert_sale(store, info, "l")
    sale_a = _alert_sale(store, info, "a")
    cols = _alert_cols(store, info, "l")
    args: list[Any] = [*vparams, *aparams]
    if rule in ("huge_quantity", "price_off"):
        measure = S.QUANTITY if rule == "huge_quantity" else S.UNIT_PRICE
        q = 0.95 if rule == "huge_quantity" else 0.5
        big = (
            ", quantile_cont(a.quantity, 0.95) AS big_qty"
            if rule == "price_off" and S.QUANTITY in info.columns
            else ", NULL::DOUBLE AS big_qty"
        )
        b = f"""b AS (SELECT a.product_id, quantile_cont(a.{measure}, {q}) AS usual,
                count(*) AS product_lines {big} FROM a WHERE {sale_a} GROUP BY 1)"""
        if rule == "huge_quantity":
            cond = "l.quantity >= ? * b.usual AND l.quantity >= ?"
            args_rule = [p.get("ratio", 15.0), p.get("min_qty", 10.0)]
        else:
            cond = "(l.unit_price <= b.usual / ? OR l.unit_price >= b.usual * ?)"
            args_rule = [p.get("ratio", 3.0), p.get("ratio", 3.0)]
        # price_off: a price level seen on more than `max_days` days is a real price point
        # (a pack, a trade price), not an error
        lv = (
            f""", lv AS (SELECT a.product_id, round(a.unit_price, 2) AS price,
                count(DISTINCT date_trunc('day', a.order_date)) AS level_days
                FROM a WHERE {sale_a} GROUP BY 1, 2)"""
            if rule == "price_off"
            else ""
        )
        lv_join = (
            "JOIN lv ON lv.product_id = l.product_id AND lv.price = round(l.unit_price, 2)"
            if rule == "price_off"
            else ""
        )
        lv_cond = "AND lv.level_days <= ?" if rule == "price_off" else ""
        sql = f"""WITH {view}, {allv}, {b} {lv}
            SELECT {cols}, b.usual, b.product_lines, b.big_qty, l.{measure} / b.usual AS ratio
            FROM l JOIN b ON b.product_id = l.product_id {lv_join}
            WHERE {sale_l} AND b.product_lines >= ? AND b.usual > 0 AND {cond} {lv_cond}
            ORDER BY l.line_no"""
        args += [p.get("min_lines", 20), *args_rule]
        if rule == "price_off":
            args.append(int(p.get("max_days", 2)))
    elif rule == "quick_cancel":
        cust_match = (
            "(r.customer_id = s.customer_id OR r.order_id = 'C' || s.order_id)"
            if S.CUSTOMER_ID in info.columns
            else "r.order_id = 'C' || s.order_id"
        )
        sql = f"""WITH {view}, {allv},
            s AS NOT MATERIALIZED (SELECT * FROM l WHERE {sale_l} AND order_id IN
                  (SELECT order_id FROM l WHERE is_cancelled)),
            o AS (SELECT order_id, min(order_date) AS placed, sum(revenue) AS order_value,
                  count(*) AS n_lines FROM s GROUP BY order_id HAVING bool_and(is_cancelled)),
            r AS (SELECT order_id, order_date, customer_id, product_id, -quantity AS qty
                  FROM a WHERE is_return AND NOT is_non_product),
            m AS (SELECT s.line_no, min(r.order_date) AS back_at FROM s
                  JOIN o ON o.order_id = s.order_id
                  JOIN r ON r.product_id = s.product_id AND r.qty = s.quantity
                   AND r.order_date >= s.order_date
                   AND r.order_date <= s.order_date + to_hours(?::BIGINT)
                   AND {cust_match}
                  GROUP BY s.line_no),
            ok AS (SELECT s.order_id, max(m.back_at) AS back_at, count(*) AS matched
                   FROM s JOIN m ON m.line_no = s.line_no GROUP BY s.order_id),
            ov AS (SELECT median(v) AS typical FROM (SELECT sum(revenue) AS v FROM a
                   WHERE {sale_a} GROUP BY order_id))
            SELECT {cols.replace("l.", "s.")}, o.order_value, ov.typical AS typical_order_value,
              date_diff('second', o.placed, ok.back_at) / 3600.0 AS delay_hours
            FROM s JOIN o ON o.order_id = s.order_id JOIN ok ON ok.order_id = s.order_id,
              ov
            WHERE ok.matched = o.n_lines AND o.order_value >= ? * ov.typical
            ORDER BY s.line_no"""
        args += [int(p.get("hours", 24)), float(p.get("min_times", 1.0))]
    elif rule == "order_burst":
        hours = float(p.get("hours", 24))
        sql = f"""WITH {view}, {allv},
            ao_all AS (SELECT customer_id, order_id, min(order_date) AS ts FROM a
                   WHERE {sale_a} AND customer_id IS NOT NULL GROUP BY 1, 2),
            -- N orders within `hours` (<= 24) put N/2 of them on one calendar day: only
            -- customers with such a day can burst, the window runs on them alone
            cand AS (SELECT DISTINCT customer_id FROM ao_all
                     GROUP BY customer_id, date_trunc('day', ts) HAVING count(*) >= ?),
            ao AS (SELECT * FROM ao_all WHERE customer_id IN (SELECT customer_id FROM cand)),
            pd_ AS (SELECT customer_id, date_trunc('day', ts) AS d, count(*) AS c FROM ao
                    GROUP BY 1, 2),
            u AS (SELECT customer_id, coalesce((sum(c) - max(c)) / nullif(count(*) - 1, 0), 1)
                    AS usual_per_day FROM pd_ GROUP BY 1),
            w AS (SELECT ao.*, count(*) OVER (PARTITION BY customer_id ORDER BY ts
                    RANGE BETWEEN to_seconds(?::BIGINT) PRECEDING
                    AND to_seconds(?::BIGINT) FOLLOWING) AS in_window FROM ao),
            f AS (SELECT w.order_id, w.in_window, u.usual_per_day FROM w
                  JOIN u ON u.customer_id = w.customer_id
                  WHERE w.in_window >= ? AND w.in_window >= ? * u.usual_per_day)
            SELECT {cols}, f.in_window AS burst_orders, f.usual_per_day
            FROM l JOIN f ON f.order_id = l.order_id
            WHERE {sale_l} ORDER BY l.line_no"""
        half = int(hours * 3600 / 2)
        n_min = p.get("orders", 8)
        days_spanned = int(np.ceil(hours / 24)) + 1
        args += [int(np.ceil(n_min / days_spanned)), half, half, n_min, p.get("ratio", 4.0)]
    elif rule == "customer_returns":
        sql = f"""WITH {view}, {allv},
            c AS (SELECT customer_id,
                    sum(CASE WHEN {sale_a} THEN revenue ELSE 0 END) AS gross,
                    sum(CASE WHEN is_return AND NOT is_non_product THEN abs(revenue) ELSE 0 END)
                      AS returned,
                    count(DISTINCT CASE WHEN {sale_a} THEN order_id END) AS orders,
                    count(CASE WHEN is_return AND NOT is_non_product THEN 1 END) AS n_returns
                  FROM a WHERE customer_id IS NOT NULL GROUP BY 1)
            SELECT {cols}, c.gross AS customer_gross, c.returned AS customer_returned,
              c.returned / c.gross AS customer_return_rate, c.orders AS customer_orders
            FROM l JOIN c ON c.customer_id = l.customer_id
            WHERE l.is_return AND NOT l.is_non_product AND c.gross > 0
              AND c.returned >= ? * c.gross AND c.orders >= ? AND c.n_returns >= ?
            ORDER BY l.line_no"""
        args += [p.get("rate", 0.5), p.get("min_orders", 3), p.get("min_returns", 3)]
    elif rule == "day_share":
        sql = f"""WITH {view}, {allv},
            s AS NOT MATERIALIZED (SELECT * FROM l WHERE {sale_l}),
            d AS (SELECT date_trunc('day', order_date) AS day, sum(revenue) AS day_gross,
                    count(DISTINCT order_id) AS day_orders FROM s GROUP BY 1)
            SELECT {cols.replace("l.", "s.")}, d.day_gross, d.day_orders,
              s.revenue / nullif(d.day_gross - s.revenue, 0) AS share
            FROM s JOIN d ON d.day = date_trunc('day', s.order_date)
            WHERE s.revenue >= ? * (d.day_gross - s.revenue) AND d.day_gross > s.revenue
            ORDER BY s.line_no"""
        args += [p.get("share", 0.5)]
    elif rule == "negative_margin":
        if unit_costs is None or unit_costs.empty:
            return pd.DataFrame()
        costs = pa.table(
            {
                "product_id": pa.array(unit_costs["product_id"].astype(str).tolist()),
                "unit_cost": pa.array(
                    pd.to_numeric(unit_costs["unit_cost"], errors="coerce"), from_pandas=True
                ),
            }
        )
        cur = store._cur()
        cur.register("_alert_costs", costs)
        try:
            return cur.execute(
                f"""WITH {view}, {allv}
                SELECT {cols}, k.unit_cost, l.revenue - k.unit_cost * l.quantity AS margin
                FROM l JOIN _alert_costs k ON k.product_id = l.product_id
                WHERE {sale_l} AND k.unit_cost IS NOT NULL AND l.unit_price < k.unit_cost
                ORDER BY l.line_no""",
                args,
            ).df()
        finally:
            cur.unregister("_alert_costs")
    elif rule == "returns_spike":
        sql = f"""WITH {view}, {allv},
            r AS (SELECT product_id, date_trunc('week', order_date) AS wk, count(*) AS n
                  FROM a WHERE is_return AND NOT is_non_product AND product_id IS NOT NULL
                  GROUP BY 1, 2),
            t AS (SELECT product_id, sum(n) AS total FROM r GROUP BY 1),
            span AS (SELECT greatest(date_diff('week', min(order_date), max(order_date)), 0)
                       + 1 AS weeks FROM a),
            c AS (SELECT r.*, t.total FROM r JOIN t USING (product_id), span
                  WHERE r.n >= ? AND r.n >= ? * greatest((t.total - r.n)
                    / greatest(span.weeks - 1, 1), 0.05))
            SELECT {cols}, date_trunc('week', l.order_date) AS week, c.n AS week_returns,
              c.total AS product_returns, span.weeks
            FROM l JOIN c ON c.product_id = l.product_id
              AND c.wk = date_trunc('week', l.order_date), span
            WHERE l.is_return AND NOT l.is_non_product
            ORDER BY l.line_no"""
        args += [int(p.get("min_returns", 5)), float(p.get("ratio", 3.0))]
    else:
        raise ParameterError(note(N_("Unknown alert rule {rule}."), rule=repr(rule)))
    return store._cur().execute(sql, args).df()
