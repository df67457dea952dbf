"""The Spark store's SQL: DuckDB's SQL text, as the store builds it, run as Spark SQL.

:class:`_SparkCursor` is the part of DuckDB's cursor API the store uses. It points
``FROM lines WHERE workspace = ? AND dataset_id = ?`` at the dataset's Parquet (a temp view,
``SparkStore._view``), maps the few DuckDB-only spellings to Spark's (``regexp_matches``,
``isfinite``, ``VARCHAR``, ``date_diff``, temp tables as temp views) and binds the values
(text as Spark parameters, never spliced into the SQL). Only small results come back, as Arrow.
"""

from __future__ import annotations

import math
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa

from ecomdash.errors import ParameterError, StoreError
from ecomdash.i18n import N_
from ecomdash.i18n.note import note

if TYPE_CHECKING:
    from ecomdash.spark.store import SparkStore

_FROM_LINES = re.compile(r"\bFROM\s+lines\s+WHERE\s+workspace\s*=\s*\?\s+AND\s+dataset_id\s*=\s*\?")
_TEMP = re.compile(r"^\s*CREATE TEMP TABLE (\w+) AS (.*)$", re.S)
_DROP = re.compile(r"^\s*DROP TABLE IF EXISTS (\w+)\s*$")
_ISFINITE = re.compile(r"isfinite\(([\w.]+)\)")


#: DuckDB spellings the store's pricing and alerts SQL uses, and Spark's for the same thing
#: (same results: ``percentile`` and ``median`` interpolate as ``quantile_cont``; ``max_by``
#: is ``arg_max``, ``min_by`` ``arg_min``; interval literals from a bound number of hours or seconds).
_SPELLINGS = (
    (re.compile(r"\bAS NOT MATERIALIZED\b"), "AS"),
    (re.compile(r"\barg_max\("), "max_by("),
    (re.compile(r"\barg_min\("), "min_by("),
    (re.compile(r"\bquantile_cont\("), "percentile("),
    # a literal (the value is bound as a number): window frame bounds must be literals
    (re.compile(r"\bto_hours\(\s*\?::BIGINT\s*\)"), "INTERVAL ? HOUR"),
    (re.compile(r"\bto_seconds\(\s*\?::BIGINT\s*\)"), "INTERVAL ? SECOND"),
)


def _call_args(sql: str, open_at: int) -> tuple[list[str], int]:
    """The top-level arguments of the call whose ``(`` is at ``open_at``, and the index after
    its ``)``."""
    depth, start, args, i = 0, open_at + 1, [], open_at
    quote = False
    while i < len(sql):
        ch = sql[i]
        if ch == "'":
            quote = not quote
        elif not quote:
            if ch == "(":
                depth += 1
            elif ch == ")":
                depth -= 1
                if depth == 0:
                    args.append(sql[start:i].strip())
                    return args, i + 1
            elif ch == "," and depth == 1:
                args.append(sql[start:i].strip())
                start = i + 1
        i += 1
    raise StoreError(note(N_("Internal error: a query has an unbalanced parenthesis.")))


def _date_diff(sql: str) -> str:
    """DuckDB's ``date_diff('second' | 'week', a, b)``: the difference of the values truncated
    to that unit (whole days // 7 for weeks), spelled in Spark SQL."""
    out, pos = [], 0
    for m in re.finditer(r"\bdate_diff\(", sql):
        if m.start() < pos:
            continue
        args, end = _call_args(sql, m.end() - 1)
        unit, a, b = args[0].strip("'").lower(), args[1], args[2]
        if unit == "second":
            # DOUBLE, as DuckDB's result divides: a Spark BIGINT / 3600.0 would be DECIMAL
            expr = f"CAST(unix_seconds({b}) - unix_seconds({a}) AS DOUBLE)"
        elif unit == "day":
            expr = f"datediff(CAST({b} AS DATE), CAST({a} AS DATE))"
        elif unit == "week":
            expr = f"CAST(datediff(CAST({b} AS DATE), CAST({a} AS DATE)) DIV 7 AS BIGINT)"
        else:
            raise StoreError(
                note(
                    N_("Internal error: date_diff by {unit} has no Spark spelling."),
                    unit=repr(unit),
                )
            )
        out += [sql[pos : m.start()], expr]
        pos = end
    out.append(sql[pos:])
    return "".join(out)


def _spark_spelling(sql: str) -> str:
    for pattern, repl in _SPELLINGS:
        sql = pattern.sub(repl, sql)
    return _date_diff(sql) if "date_diff(" in sql else sql


#: The temp tables the store's SQL creates (``CREATE TEMP TABLE``) and the tables its queries
#: register, renamed per cursor (tests/unit/test_spark_store.py checks that every temp table
#: created in ecomdash/ is here).
CURSOR_TABLES = ("_l", "_c", "_s", "_p", "_k", "_o", "_alert_costs", "_basket_items")
_CURSOR_TABLE = re.compile(r"(?<![\w.])(" + "|".join(CURSOR_TABLES) + r")\b")


class _SparkCursor:
    """The part of DuckDB's cursor API the store uses, over Spark SQL."""

    def __init__(self, store: SparkStore):
        self._store = store
        self._df = None
        self._temps: dict[str, str] = {}

    # DuckDB's API ---------------------------------------------------------------------
    def execute(self, sql: str, params=()) -> _SparkCursor:
        with _spark_errors():
            return self._execute(sql, params)

    def _execute(self, sql: str, params=()) -> _SparkCursor:
        sql = self._rename_temps(sql)
        m = _DROP.match(sql)
        if m:
            self._store.spark.catalog.dropTempView(m.group(1))
            self._df = None
            return self
        m = _TEMP.match(sql)
        if m:
            self._run(m.group(2), params).createOrReplaceTempView(m.group(1))
            self._df = None
            return self
        self._df = self._run(sql, params)
        return self

    def sql(self, sql: str, params=()) -> _SparkCursor:
        return self.execute(sql, params)

    def fetchall(self) -> list[tuple]:
        t = self._arrow()
        return list(zip(*[c.to_pylist() for c in t.columns], strict=True))

    def fetchone(self) -> tuple | None:
        rows = self.fetchall()
        return rows[0] if rows else None

    def df(self) -> pd.DataFrame:
        return self._arrow().to_pandas()

    def to_arrow_table(self) -> pa.Table:
        return self._arrow()

    def fetchnumpy(self) -> dict[str, np.ndarray]:
        t = self._arrow()
        return {c: t.column(c).to_numpy(zero_copy_only=False) for c in t.column_names}

    def register(self, name: str, table) -> _SparkCursor:
        """A small Arrow table or DataFrame (e.g. unit costs) as a temp view for this cursor."""
        if isinstance(table, pd.DataFrame):
            table = pa.Table.from_pandas(table, preserve_index=False)
        with _spark_errors():
            frame = self._store.spark.createDataFrame(table)
            frame.createOrReplaceTempView(self._temp_name(name))
        return self

    def unregister(self, name: str) -> _SparkCursor:
        self._store.spark.catalog.dropTempView(self._temp_name(name))
        return self

    def _temp_name(self, key: str) -> str:
        if key not in self._temps:
            self._temps[key] = f"ecd_tmp{key}_{secrets.token_hex(4)}"
        return self._temps[key]

    def close(self) -> None:
        for name in self._temps.values():
            self._store.spark.catalog.dropTempView(name)

    # translation ----------------------------------------------------------------------
    def _rename_temps(self, sql: str) -> str:
        """The store's temp tables and registered tables (:data:`CURSOR_TABLES`) get names of
        their own per cursor, so two requests on one Spark session never see each other's
        (Spark's temp views belong to the whole session)."""

        def sub(m: re.Match) -> str:
            return self._temp_name(m.group(1))

        return _CURSOR_TABLE.sub(sub, sql)

    def _run(self, sql: str, params):
        params = list(params)
        # FROM lines WHERE workspace = ? AND dataset_id = ?  ->  FROM <dataset view> WHERE TRUE
        while True:
            m = _FROM_LINES.search(sql)
            if not m:
                break
            k = sql[: m.start()].count("?")
            ws, ds = params[k], params[k + 1]
            del params[k : k + 2]
            sql = sql[: m.start()] + f"FROM {self._store._view(ws, ds)} WHERE TRUE" + sql[m.end() :]
        sql = sql.replace("regexp_matches(", "rlike(")
        sql = _ISFINITE.sub(r"(NOT isnan(\1) AND abs(\1) != double('infinity'))", sql)
        sql = re.sub(r"\bAS VARCHAR\)", "AS STRING)", sql)
        sql = _spark_spelling(sql)
        # values: text stays a bound parameter; numbers and dates are spelled as literals
        parts = sql.split("?")
        if len(parts) - 1 != len(params):
            raise StoreError(
                note(N_("Internal error: a query's values do not match its placeholders."))
            )
        out, args = [parts[0]], []
        for value, rest in zip(params, parts[1:], strict=True):
            if isinstance(value, str):
                out.append("?")
                args.append(value)
            else:
                out.append(_literal(value))
            out.append(rest)
        text = "".join(out)
        return self._store.spark.sql(text, args=args) if args else self._store.spark.sql(text)

    def _arrow(self) -> pa.Table:
        if self._df is None:
            raise StoreError(note(N_("Internal error: no result to fetch.")))
        with _spark_errors():
            t = self._df.toArrow()
        cols = []
        for field, col in zip(t.schema, t.columns, strict=True):
            if pa.types.is_timestamp(field.type) and field.type.tz is not None:
                col = col.cast(pa.timestamp("us"))  # session time zone is UTC: wall clock
            cols.append(col)
        return pa.Table.from_arrays(cols, names=t.column_names)


@contextmanager
def _spark_errors() -> Iterator[None]:
    """Spark's own errors (a query this engine cannot plan, a lost cluster) as a StoreError the
    pages show as a message, naming the engine and the way round it."""
    from pyspark.errors import PySparkException

    try:  # a failed job on a local master (classic Spark) comes as py4j's error, unconverted
        from py4j.protocol import Py4JError
    except ImportError:  # a Spark Connect-only install
        Py4JError = PySparkException
    try:
        yield
    except (PySparkException, Py4JError) as exc:
        text = str(exc)
        if "maxResultSize" in text or "OutOfMemoryError" in text:
            raise StoreError(
                note(
                    N_(
                        "The Spark driver ran out of memory collecting this step's rows. For a "
                        "local master set ECOMDASH_SPARK_DRIVER_MEMORY higher (e.g. 8g); on a "
                        "cluster raise spark.driver.memory and spark.driver.maxResultSize."
                    )
                )
            ) from exc
        first = (text.strip().splitlines() or [type(exc).__name__])[0][:300]
        raise StoreError(
            note(
                N_(
                    "The Spark engine could not run this step ({detail}). Some steps do not run on "
                    "Spark yet: use the default engine (ECOMDASH_ENGINE=duckdb) for it, and report it."
                ),
                detail=first,
            )
        ) from exc


def _literal(value) -> str:
    """A Spark SQL literal for a non-text value the store binds (numbers, dates, flags)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool | np.bool_):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        if not math.isfinite(value):
            raise ParameterError(
                note(N_("A query value must be a finite number; got {value}."), value=str(value))
            )
        return f"CAST({float(value)!r} AS DOUBLE)"
    if isinstance(value, datetime | pd.Timestamp):
        ts = pd.Timestamp(value)
        if ts.tzinfo is not None:
            ts = ts.tz_convert("UTC").tz_localize(None)
        return f"TIMESTAMP'{ts.strftime('%Y-%m-%d %H:%M:%S.%f')}'"
    if isinstance(value, date):
        return f"DATE'{value.isoformat()}'"
    raise ParameterError(
        note(N_("A query value of type {kind} is not supported."), kind=type(value).__name__)
    )
