"""The basket a sale line belongs to, as SQL: one helper for both engines.

The DuckDB store's basket pairs (``ecomdash.aggregates.basket_pairs``) and the Spark engine's
FP-Growth baskets (``ecomdash.spark.basket``) group lines into the same baskets with this SQL
(DuckDB's spelling; the Spark cursor maps ``VARCHAR`` to ``STRING``, and ``||`` is the same).
"""

from __future__ import annotations

from ecomdash import schema as S


def basket_key_sql(basket: str, columns) -> tuple[str, str]:
    """(SQL of the line's basket key, SQL that is true when the line has none).

    ``basket="order"``: the order id. Otherwise a customer's calendar day, and a guest's order
    (no customer id) is its own basket that day; a line with no date has no basket."""
    cols = set(columns)
    if basket == "order":
        return "order_id", "order_id IS NULL"
    day = "CAST(CAST(order_date AS DATE) AS VARCHAR)"
    guest = f"WHEN order_id IS NOT NULL THEN 'g' || order_id || '|' || {day}"
    key = f"""CASE WHEN order_date IS NULL THEN NULL
            WHEN customer_id IS NOT NULL THEN 'c' || customer_id || '|' || {day}
            {guest if S.ORDER_ID in cols else ""} END"""
    guestless = "customer_id IS NULL" + (" AND order_id IS NULL" if S.ORDER_ID in cols else "")
    return key, f"(order_date IS NULL OR ({guestless}))"
