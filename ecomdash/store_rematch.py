"""The append's re-match of returns and sales across the lines saved before and the ones just
appended (``Store.append``; the lake's ``SparkStore._rematch`` applies the same rule with
DataFrame joins): the query that reduces a dataset to the groups an append can change, the
flags it writes, and what the append's report records of it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import duckdb
import pyarrow as pa

from ecomdash import schema as S
from ecomdash.store_tables import from_store_frame

if TYPE_CHECKING:
    from ecomdash.store import DatasetInfo


def rematch_saved(cur: duckdb.DuckDBPyConnection, workspace: str, info: DatasetInfo, offset: int):
    """``Store.append``'s step: re-match returns and sales across the saved lines and the ones just appended (line
    numbers above ``offset``), as one file of them all would (``ingest.stack.rematch``):
    SQL reduces the dataset to the customer × product × quantity-size groups the appended
    lines touch that hold a sale and a return; only the flags that change are written.
    Returns the :class:`ecomdash.ingest.stack.Rematched` (how many more sale lines are
    cancelled, and the matches across the appended lines and the saved ones), or None."""
    from ecomdash.ingest.stack import rematch_across

    sql = rematch_sql(info)
    if sql is None:
        return None
    frame = from_store_frame(
        cur.sql(sql, params=[workspace, info.id, offset]).to_arrow_table().to_pandas()
    )
    matched = rematch_across(frame, offset)
    flags = matched.flags
    changed = flags != frame[S.IS_CANCELLED].fillna(False).to_numpy(dtype=bool)
    if not changed.any():
        return matched
    upd = pa.table(
        {
            "line_no": pa.array(frame[S.LINE_NO].to_numpy()[changed], pa.int64()),
            "flag": pa.array(flags[changed]),
        }
    )
    cur.register("_flags", upd)
    try:
        cur.execute(
            "UPDATE lines SET is_cancelled = f.flag FROM _flags f WHERE lines.workspace = ? "
            "AND lines.dataset_id = ? AND lines.line_no = f.line_no "
            "AND NOT coalesce(lines.is_return, false)",
            [workspace, info.id],
        ).fetchall()
    finally:
        cur.unregister("_flags")
    return matched


def rematch_sql(info: DatasetInfo) -> str | None:
    """The query of the lines ``ingest.stack.rematch`` needs after an append (parameters:
    workspace, dataset id, the line number the appended lines follow): every line of the
    customer × product × quantity-size groups an appended line is in that hold both a sale
    and a return (only there can a match change), never every line of the dataset. None
    when the dataset cannot match returns (no customer, product or quantity; summed sales).
    The DuckDB store runs it (:func:`rematch_saved`); the lake (``SparkStore._rematch``) applies the same rule with
    DataFrame joins, its appended part not being in the catalogue's lines yet."""
    from ecomdash.ingest.stack import REMATCH_COLUMNS

    need = (S.CUSTOMER_ID, S.PRODUCT_ID, S.QUANTITY)
    if info.kind == S.KIND_SUMMED or not all(c in info.columns for c in need):
        return None
    cols = [c for c in REMATCH_COLUMNS if c in info.columns or c in S.FLAGS + (S.LINE_NO,)]
    # the groups the appended lines touch first, from their own rows (the last row groups:
    # DuckDB skips the others by line_no, 1 of 17 on 1.9 M lines), then one read of the
    # dataset's lines joined to them, the sale-and-return test a window over those few. It
    # read ``d`` (every line of the dataset) three times, held whole as a CTE: 0.38 s
    # against 0.30 s now (best of 7, median 0.43 / 0.34) on a 1.98 M-line demo dataset with
    # its last month (95,649 lines) appended, 0.16 / 0.11 s on UCI (bench_rematch_sql.py)
    return f"""WITH touched AS (
            SELECT DISTINCT customer_id, product_id, abs(quantity) AS size FROM lines
            WHERE workspace = $1 AND dataset_id = $2 AND line_no > $3
            AND customer_id IS NOT NULL AND product_id IS NOT NULL AND quantity IS NOT NULL),
        d AS (
            SELECT {", ".join(f"l.{c}" for c in cols)},
                bool_or(coalesce(l.is_return, false) AND l.quantity < 0) OVER g AS _return,
                bool_or(NOT coalesce(l.is_return, false) AND l.quantity > 0) OVER g AS _sale
            FROM lines l JOIN touched t ON l.customer_id = t.customer_id
                AND l.product_id = t.product_id AND abs(l.quantity) = t.size
            WHERE l.workspace = $1 AND l.dataset_id = $2
            WINDOW g AS (PARTITION BY l.customer_id, l.product_id, abs(l.quantity)))
        SELECT {", ".join(cols)} FROM d WHERE _return AND _sale"""


def with_across(report: dict, matched) -> dict:
    """An append's report with what its re-match did (``matched``: an
    ``ingest.stack.Rematched``, None when the dataset cannot match returns):
    ``cancelled_across``, how many more sale lines the dataset cancels (its total moves by
    it: ``ingest.stack.cancelled_across`` adds them up); ``returns_across``, the sale lines
    saved before that the file's returns cancel; ``sales_across``, its sale lines a return
    saved before cancels. Each a count, never below zero."""
    if matched is None or not (matched.more or matched.returns_across or matched.sales_across):
        return report
    return {
        **report,
        "cancelled_across": int(matched.more),
        "returns_across": int(matched.returns_across),
        "sales_across": int(matched.sales_across),
    }
