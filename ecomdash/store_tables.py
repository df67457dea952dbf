"""The store's tables as Arrow and pandas, shared by both engines (the DuckDB ``Store`` and the
Spark lake store, ``ecomdash.spark.store``): the ``lines`` columns and their types, the cleaned
lines handed to a store (:func:`to_store_table`) and read back (:func:`from_arrow_lines`), the
rejected rows as stored, and a dataset's name and report as saved."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from ecomdash import schema as S
from ecomdash.errors import ParameterError
from ecomdash.i18n import N_
from ecomdash.i18n.note import note

#: Columns of the ``lines`` table after ``workspace`` and ``dataset_id`` (SQL types).
LINE_COLUMNS: dict[str, str] = {
    S.ORDER_ID: "VARCHAR",
    S.ORDER_DATE: "TIMESTAMP",
    S.CUSTOMER_ID: "VARCHAR",
    S.PRODUCT_ID: "VARCHAR",
    S.PRODUCT_NAME: "VARCHAR",
    S.QUANTITY: "DOUBLE",
    S.UNIT_PRICE: "DOUBLE",
    S.REVENUE: "DOUBLE",
    S.COUNTRY: "VARCHAR",
    S.CATEGORY: "VARCHAR",
    S.CHANNEL: "VARCHAR",
    S.IS_RETURN: "BOOLEAN",
    S.IS_NON_PRODUCT: "BOOLEAN",
    S.IS_CANCELLED: "BOOLEAN",
    S.LINE_NO: "BIGINT",
    # added after the first release: kept last so stores created before it (ALTER ... ADD
    # COLUMN appends) have the same column order as new ones
    S.LOCATION: "VARCHAR",
}
#: Columns added to ``lines`` after stores existed: added to older stores when opened.
ADDED_LINE_COLUMNS = {S.LOCATION: "VARCHAR"}


ARROW_TYPES = {
    "VARCHAR": pa.string(),
    "TIMESTAMP": pa.timestamp("us"),
    "DOUBLE": pa.float64(),
    "BIGINT": pa.int64(),
    "BOOLEAN": pa.bool_(),
}


def check_stream_schema(got: pa.Schema) -> None:
    """Streamed lines must carry the store's columns and types, in its order. Columns added to
    the store after a stream's producer was written (nullable, like ``location``) may be left
    out: they are saved as NULL."""
    want = pa.schema(
        [
            (c, ARROW_TYPES[t])
            for c, t in LINE_COLUMNS.items()
            if c in got.names or c not in ADDED_LINE_COLUMNS
        ]
    )
    if not got.equals(want):
        raise ParameterError(
            note(
                N_(
                    "Streamed lines must have the store's columns and types "
                    "({want}); got {got}. "
                    "Build them with the store's schema (see LINE_COLUMNS)."
                ),
                want=tuple(want.names),
                got=tuple(got.names),
            )
        )


def rejected_table(rejected: pd.DataFrame) -> pa.Table:
    """Rejected rows (at most 200,000) as ``line_no``, ``reason``, ``row_json`` (the raw row)."""
    rej = rejected.head(200_000)
    line_no = rej["line_no"] if "line_no" in rej else pd.Series([None] * len(rej))
    reason = rej["reason"] if "reason" in rej else pd.Series([""] * len(rej))
    payload = rej.drop(columns=[c for c in ("line_no", "reason") if c in rej])
    return pa.table(
        {
            "line_no": pa.array(
                pd.to_numeric(line_no, errors="coerce").astype("Int64"), type=pa.int64()
            ),
            "reason": pa.array(reason.astype(str).tolist(), type=pa.string()),
            "row_json": pa.array(_json_lines(payload), type=pa.string()),
        }
    )


def rejected_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Stored rejected rows back as ``line_no``, ``reason`` and the raw row's columns."""
    if df.empty:
        return pd.DataFrame(columns=["line_no", "reason"])
    raw = pd.json_normalize([json.loads(s) for s in df["row_json"]])
    return pd.concat([df[["line_no", "reason"]].reset_index(drop=True), raw], axis=1)


def _json_lines(df: pd.DataFrame) -> list[str]:
    """One JSON object per row, every value as text (missing as null), built by pandas in C."""
    if df.empty:
        return ["{}"] * len(df)
    text = df.astype("string").reset_index(drop=True)
    text.columns = [str(c) for c in text.columns]
    return text.to_json(orient="records", lines=True, force_ascii=False).splitlines()


def clean_name(name: str) -> str:
    """A dataset's name as saved: spaces collapsed, at most 120 characters, never empty."""
    name = " ".join(str(name or "").split())[:120]
    if not name:
        raise ParameterError(note(N_("A dataset needs a name. Type a name for it and save again.")))
    return name


def fields_not_kept(columns, lines: pd.DataFrame) -> tuple[str, ...]:
    """The canonical fields ``lines`` fill (a value on at least one line) that a dataset of
    ``columns`` lacks: an append keeps the dataset's columns (``Store.append``, both
    engines), so those values are not saved. The Data page and ``ecomdash ingest
    --append-to`` say so, naming them (they were dropped without a word)."""
    return tuple(
        f
        for f in S.CANONICAL
        if f in lines.columns and f not in columns and bool(lines[f].notna().any())
    )


def report_dict(report: Any) -> dict[str, Any]:
    """A cleaning report (anything with ``to_dict()``), a dict or None as a dict."""
    if report is None:
        return {}
    if hasattr(report, "to_dict"):
        return report.to_dict()
    return dict(report)


def to_store_table(lines: pd.DataFrame) -> pa.Table:
    """The lines as an Arrow table with every store column, in the store's order and types (missing
    text/number/date columns null, missing flags false, missing line numbers 1..n; a column as
    `clean` types it is not cast), in 64k-row batches: DuckDB scans batches in parallel."""
    n, arrays = len(lines), []
    for col, sqltype in LINE_COLUMNS.items():
        if col in lines:
            s = lines[col]
            if str(s.dtype) != S.ALL_DTYPES.get(col):  # else as `clean` types it: no cast
                if sqltype == "BOOLEAN":
                    s = s.fillna(False).astype(bool)
                elif sqltype == "DOUBLE":
                    s = pd.to_numeric(s, errors="coerce").astype("float64")
                elif sqltype == "TIMESTAMP":
                    s = pd.to_datetime(s, errors="coerce")
                elif sqltype == "BIGINT":
                    s = pd.to_numeric(s, errors="coerce").astype("int64")
                elif sqltype == "VARCHAR":
                    s = s.astype("string")
            arr = pa.array(s, from_pandas=True)  # NaN / NaT / NA become null
            if arr.type != ARROW_TYPES[sqltype]:
                arr = arr.cast(ARROW_TYPES[sqltype])
        elif col == S.LINE_NO:
            arr = pa.array(range(1, n + 1), type=pa.int64())
        elif sqltype == "BOOLEAN":
            arr = pa.array(np.zeros(n, dtype=bool))
        else:
            arr = pa.nulls(n, ARROW_TYPES[sqltype])
        arrays.append(arr)
    table = pa.Table.from_arrays(arrays, names=list(LINE_COLUMNS))
    return pa.Table.from_batches(table.to_batches(max_chunksize=65_536), table.schema)


def from_store_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Lines read from the store as pandas, in the dtypes ``schema.ALL_DTYPES`` gives."""
    for col in df.columns:
        want = S.ALL_DTYPES.get(col)
        if want == "string":
            df[col] = df[col].astype("string")
        elif want == "bool":
            df[col] = df[col].fillna(False).astype(bool)
        elif want == "datetime64[us]":
            df[col] = pd.to_datetime(df[col]).astype("datetime64[us]")
    return df


def from_arrow_lines(table: pa.Table) -> pd.DataFrame:
    """Arrow lines to pandas: text as ``string[pyarrow]`` (no Python object per value)."""

    def mapper(t: pa.DataType):
        if pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t):
            return pd.StringDtype("pyarrow")
        return None

    df = table.to_pandas(types_mapper=mapper)
    for col in df.columns:
        want = S.DTYPES.get(col)
        if want == "bool":
            df[col] = df[col].fillna(False).astype(bool)
        elif want == "datetime64[us]":
            df[col] = pd.to_datetime(df[col]).astype("datetime64[us]")
    return df
