"""An independent, SQL-only reading of UCI Online Retail II into the canonical table.

Used to cross-check the real ingest pipeline (tests/unit/test_ingest_uci.py) and as a
reference in benchmarks. Written against the file's known layout; not used by the product.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

NON_PRODUCT_SQL = (
    r"^(POST|DOT|M|C2|C3|D|S|B|PADS|CRUK|GIFT|AMAZONFEE|BANK CHARGES|ADJUST\d*|TEST\d*"
    r"|gift_.*|DCGS.*)$"
)


def uci_reference_lines(path: Path) -> pd.DataFrame:
    """Canonical lines (with is_return / is_non_product flags; is_cancelled all False)."""
    con = duckdb.connect()
    try:
        return con.execute(
            f"""
            SELECT
              Invoice::VARCHAR AS order_id,
              InvoiceDate::TIMESTAMP AS order_date,
              CASE WHEN "Customer ID" IS NULL THEN NULL
                   ELSE CAST(CAST("Customer ID" AS BIGINT) AS VARCHAR) END AS customer_id,
              trim(StockCode) AS product_id,
              trim(Description) AS product_name,
              Quantity::DOUBLE AS quantity,
              Price::DOUBLE AS unit_price,
              (Quantity * Price)::DOUBLE AS revenue,
              Country AS country,
              (Invoice LIKE 'C%' OR Quantity < 0) AS is_return,
              regexp_matches(trim(StockCode), '{NON_PRODUCT_SQL}', 'i') AS is_non_product,
              FALSE AS is_cancelled
            FROM read_csv('{path.as_posix()}', header = true, all_varchar = false)
            """
        ).df()
    finally:
        con.close()
