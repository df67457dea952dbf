"""The dataset store on a lake, queried with Spark SQL: the same interface as ``Store``.

Layout under the lake (``ECOMDASH_LAKE``)::

    <lake>/<workspace>/catalog.json                 the workspace's datasets (replaced atomically)
    <lake>/<workspace>/<id>/v1/order_month=2024-01/  the lines of a save, Parquet, by order month
    <lake>/<workspace>/<id>/v2/...                   the lines an append added (no duplicates)
    <lake>/<workspace>/<id>/rejected-v1.parquet      rows the cleaning rejected (small, by the app)

A dataset version is the list of its parts (``v1``, ``v1+v2``, ...). A save or an append writes
its new part first and then switches the catalogue (a new file moved over the old one with
``os.replace``), so a failed or interrupted write leaves every dataset as it was; an unlisted
part is never read.

No second copy of the SQL: :class:`SparkStore` inherits every read and aggregate from
``Store``; only the cursor differs. :class:`_SparkCursor` takes the DuckDB SQL text the store
builds, points ``FROM lines WHERE workspace = ? AND dataset_id = ?`` at the dataset's Parquet,
maps the few DuckDB-only spellings to Spark's (``regexp_matches``, ``isfinite``, ``VARCHAR``,
temp tables as temp views) and binds the values (text as Spark parameters, never spliced into
the SQL). Only the small results come back to the app, as Arrow.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import math
import os
import re
import secrets
import shutil
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ecomdash import schema as S
from ecomdash.errors import ParameterError, StoreError
from ecomdash.i18n import N_
from ecomdash.i18n.note import note
from ecomdash.store import (
    _ARROW_TYPES,
    DEDUP_COLUMNS,
    DEFAULT_WORKSPACE,
    LINE_COLUMNS,
    AppendResult,
    DatasetInfo,
    Store,
    _clean_name,
    _rejected_frame,
    _rejected_table,
    _report_dict,
    _to_store_table,
    check_stream_schema,
    check_workspace,
)

CATALOG_FILE = "catalog.json"
MONTH = "order_month"
_SPARK_TYPES = {
    "VARCHAR": "STRING",
    "TIMESTAMP": "TIMESTAMP",
    "DOUBLE": "DOUBLE",
    "BIGINT": "BIGINT",
    "BOOLEAN": "BOOLEAN",
}
LINES_DDL = ", ".join(f"{c} {_SPARK_TYPES[t]}" for c, t in LINE_COLUMNS.items())


def _is_url(path: str) -> bool:
    return "://" in path and not path.startswith("file://")


def _local(path: str) -> str:
    return path[len("file://") :] if path.startswith("file://") else path


def _uri(path: str) -> str:
    """A lake path as the URI Spark reads and writes (``file://`` + absolute path), so a
    cluster whose default file system is HDFS still reads the shared folder, not HDFS."""
    return "file://" + os.path.abspath(path)


class SparkStore(Store):
    """A workspace's datasets on the lake, read and reduced by Spark.

    Parameters
    ----------
    spark : a SparkSession (classic or Spark Connect)
    lake : folder (or URL the cluster and the app can both reach) holding every workspace
    workspace : the merchant workspace every query is restricted to
    """

    engine = "spark"

    def __init__(self, spark, lake: str, *, workspace: str = DEFAULT_WORKSPACE):
        self.spark = spark
        self.lake = str(lake).rstrip("/")
        self.workspace = check_workspace(workspace)
        self._lock = threading.Lock()
        if _is_url(self.lake):
            raise StoreError(
                note(
                    N_(
                        "The lake {lake} is an object-store URL; this version keeps the catalogue "
                        "on a local or mounted folder only. Mount the bucket (or use a shared folder) "
                        "and set ECOMDASH_LAKE to its path."
                    ),
                    lake=self.lake,
                )
            )
        self._root = os.path.join(_local(self.lake), self.workspace)

    def close(self) -> None:
        """Nothing to release: the Spark session is the process's, shared by stores."""

    # -- catalogue ------------------------------------------------------------------------
    def _read_catalog(self) -> dict[str, dict]:
        path = os.path.join(self._root, CATALOG_FILE)
        try:
            with open(path, encoding="utf-8") as fh:
                return json.load(fh)["datasets"]
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, KeyError) as exc:
            raise StoreError(
                note(
                    N_(
                        "The dataset catalogue {path} cannot be read ({detail}). Restore it from a "
                        "backup or remove it to start the workspace afresh."
                    ),
                    path=path,
                    detail=str(exc),
                )
            ) from exc

    @contextmanager
    def _catalog(self, action: str) -> Iterator[dict[str, dict]]:
        """Read-modify-write of the catalogue under a file lock; written atomically (new file,
        then ``os.replace``) only when the block succeeds."""
        try:
            os.makedirs(self._root, exist_ok=True)
            lock = open(os.path.join(self._root, ".catalog.lock"), "a")  # noqa: SIM115
        except OSError as exc:
            raise StoreError(
                note(
                    N_(
                        "Could not {action}: the lake folder {folder} cannot be written "
                        "({detail}). Nothing was changed. Set ECOMDASH_LAKE to a writable folder."
                    ),
                    action=note(action),
                    folder=self._root,
                    detail=exc.strerror,
                )
            ) from exc
        with self._lock, lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            cat = self._read_catalog()
            yield cat
            tmp = os.path.join(self._root, f".{CATALOG_FILE}.{secrets.token_hex(4)}")
            try:
                with open(tmp, "w", encoding="utf-8") as fh:
                    json.dump({"datasets": cat}, fh, default=str)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(tmp, os.path.join(self._root, CATALOG_FILE))
            except OSError as exc:
                if os.path.exists(tmp):
                    os.remove(tmp)
                raise StoreError(
                    note(
                        N_(
                            "Could not {action}: the catalogue could not be written ({detail}). "
                            "Nothing was changed; free disk space or fix permissions and try again."
                        ),
                        action=note(action),
                        detail=exc.strerror,
                    )
                ) from exc

    def _entry(self, dataset_id: str) -> dict:
        entry = self._read_catalog().get(str(dataset_id))
        if entry is None:
            raise StoreError(
                note(
                    N_(
                        "No dataset with id {dataset_id} in this workspace. "
                        "Run `ecomdash datasets` (or open the Data page) to see the saved datasets."
                    ),
                    dataset_id=repr(dataset_id),
                )
            )
        return entry

    def list_datasets(self) -> list[DatasetInfo]:
        infos = [_info(self.workspace, e) for e in self._read_catalog().values()]
        infos.sort(key=lambda d: d.name)
        infos.sort(key=lambda d: d.updated, reverse=True)
        return infos

    def info(self, dataset_id: str) -> DatasetInfo:
        return _info(self.workspace, self._entry(dataset_id))

    # -- writes ---------------------------------------------------------------------------
    def _part_path(self, ds_id: str, part: str) -> str:
        return os.path.join(self._root, ds_id, part)

    def _write_part(self, sdf, path: str) -> None:
        from pyspark.sql import functions as F

        (
            sdf.withColumn(MONTH, F.date_format(F.col(S.ORDER_DATE), "yyyy-MM"))
            .write.mode("error")  # never over a part; "error" (Connect has no "errorifexists")
            .partitionBy(MONTH)
            .parquet(_uri(path))
        )

    def _frame_of(self, table: pa.Table):
        """A Spark DataFrame of store-typed Arrow lines (sent to the cluster as Arrow)."""
        return self.spark.createDataFrame(table)

    def _write_rejected(self, ds_id: str, part: str, rejected: pd.DataFrame | None) -> None:
        if rejected is None or not len(rejected):
            return
        pq.write_table(
            _rejected_table(rejected),
            os.path.join(self._root, ds_id, f"rejected-{part}.parquet"),
        )

    def save_dataset(
        self,
        name: str,
        lines: pd.DataFrame,
        *,
        report: Mapping[str, Any] | Any = None,
        mapping: Mapping[str, str] | None = None,
        rejected: pd.DataFrame | None = None,
        source: str = "upload",
        _fail_after_lines: Callable[[], None] | None = None,
    ) -> DatasetInfo:
        name = _clean_name(name)
        table = _to_store_table(lines)
        columns = tuple(c for c in S.CANONICAL if c in lines.columns)
        return self._save(
            name,
            self._frame_of(table),
            n=table.num_rows,
            columns=columns,
            report=_report_dict(report),
            mapping=mapping,
            rejected=rejected,
            source=source,
            fail=_fail_after_lines,
        )

    def save_batches(
        self,
        name: str,
        batches: pa.RecordBatchReader,
        *,
        columns: tuple[str, ...],
        report: Mapping[str, Any] | None = None,
        mapping: Mapping[str, str] | None = None,
        source: str = "generated",
    ) -> DatasetInfo:
        """Streamed lines (see ``Store.save_batches``). Here they are gathered in the app
        and sent to Spark as one Arrow table; for lines beyond the app's memory, write them
        to the lake with Spark directly."""
        check_stream_schema(batches.schema)
        table = batches.read_all()
        n = table.num_rows
        for c, t in LINE_COLUMNS.items():  # later nullable columns the stream left out
            if c not in table.column_names:
                table = table.append_column(c, pa.nulls(n, type=_ARROW_TYPES[t]))
        rep = {"rows_read": n, "rows_kept": n, "rules": [], **dict(report or {})}
        return self._save(
            _clean_name(name),
            self._frame_of(table),
            n=n,
            columns=columns,
            report=rep,
            mapping=mapping,
            rejected=None,
            source=source,
            fail=None,
        )

    def save_frame(
        self,
        name: str,
        sdf,
        *,
        columns: tuple[str, ...],
        report: Mapping[str, Any] | Any = None,
        mapping: Mapping[str, str] | None = None,
        rejected: pd.DataFrame | None = None,
        source: str = "upload",
    ) -> DatasetInfo:
        """Save lines that are already a Spark DataFrame with the store's columns (the
        cluster ingest, ``ecomdash/spark/ingest.py``): written by the executors, never
        collected; counted from the written part; then the catalogue switches, as a save."""
        return self._save(
            _clean_name(name),
            sdf.select(*LINE_COLUMNS),
            n=None,
            columns=columns,
            report=_report_dict(report),
            mapping=mapping,
            rejected=rejected,
            source=source,
            fail=None,
        )

    def _count_part(self, path: str) -> int:
        if not os.path.exists(_local(path)):
            return 0
        return int(
            self.spark.read.schema(f"{LINES_DDL}, {MONTH} STRING").parquet(_uri(path)).count()
        )

    def _save(self, name, sdf, *, n, columns, report, mapping, rejected, source, fail):
        ds_id = secrets.token_hex(6)
        now = datetime.now().replace(microsecond=0)
        try:
            self._write_part(sdf, self._part_path(ds_id, "v1"))
            if n is None:
                n = self._count_part(self._part_path(ds_id, "v1"))
            if fail is not None:
                fail()
            self._write_rejected(ds_id, "v1", rejected)
            with self._catalog(N_("save the dataset")) as cat:
                cat[ds_id] = {
                    "id": ds_id,
                    "name": name,
                    "version": 1,
                    "rows": int(n),
                    "columns": list(columns),
                    "mapping": dict(mapping or {}),
                    "report": json.loads(json.dumps(report, default=str)),
                    "source": source,
                    "created": now.isoformat(),
                    "updated": now.isoformat(),
                    "parts": ["v1"],
                }
        except BaseException as exc:
            shutil.rmtree(os.path.join(self._root, ds_id), ignore_errors=True)
            if isinstance(exc, StoreError | ParameterError) or not isinstance(exc, Exception):
                raise
            if fail is not None and not _is_spark_error(exc):
                raise
            raise _write_error(N_("save the dataset"), exc) from exc
        return self.info(ds_id)

    def append(
        self,
        dataset_id: str,
        lines: pd.DataFrame,
        *,
        report: Mapping[str, Any] | Any = None,
        rejected: pd.DataFrame | None = None,
    ) -> AppendResult:
        """Append a newer export without the lines already in the dataset (same rule as
        ``Store.append``: every present ``DEDUP_COLUMNS`` equal, missing equal to missing).
        The new lines become a new part; the catalogue then switches to the new version."""

        info = self.info(dataset_id)
        keys = [c for c in DEDUP_COLUMNS if c in info.columns]
        if not keys:
            raise ParameterError(
                note(
                    N_(
                        "This dataset has none of the columns used to spot duplicate lines "
                        "({columns}); save the newer export as a new dataset instead."
                    ),
                    columns=tuple(DEDUP_COLUMNS),
                )
            )
        table = _to_store_table(lines)
        return self._append(info, self._frame_of(table), table.num_rows, report, rejected)

    def append_frame(
        self,
        dataset_id: str,
        sdf,
        *,
        report: Mapping[str, Any] | Any = None,
        rejected: pd.DataFrame | None = None,
    ) -> AppendResult:
        """:meth:`append` of lines that are already a Spark DataFrame with the store's
        columns (the cluster ingest): never collected to the app."""
        info = self.info(dataset_id)
        if not any(c in info.columns for c in DEDUP_COLUMNS):
            return self.append(dataset_id, pd.DataFrame(), report=report)  # its message
        sdf = sdf.select(*LINE_COLUMNS).persist()
        try:
            return self._append(info, sdf, int(sdf.count()), report, rejected)
        finally:
            sdf.unpersist()

    def _append(self, info: DatasetInfo, frame, before: int, report, rejected) -> AppendResult:
        from pyspark.sql import functions as F

        keys = [c for c in DEDUP_COLUMNS if c in info.columns]
        existing = self._lines_frame(info)
        offset = existing.agg(F.max(S.LINE_NO)).collect()[0][0] or 0
        incoming = frame.select(
            *[
                F.lit(None).cast(_SPARK_TYPES[t]).alias(c)
                if c in S.CANONICAL and c not in info.columns
                else (F.col(c) + F.lit(int(offset))).alias(c)
                if c == S.LINE_NO
                else F.col(c)
                for c, t in LINE_COLUMNS.items()
            ]
        )
        seen = existing.select(*[F.col(k).alias(f"_e_{k}") for k in keys]).distinct()
        cond = None
        for k in keys:
            c = F.col(k).eqNullSafe(F.col(f"_e_{k}"))
            cond = c if cond is None else cond & c
        new = incoming.join(seen, on=cond, how="left_anti")
        entry = self._entry(info.id)
        part = f"v{max(int(p[1:]) for p in entry['parts']) + 1}"
        path = self._part_path(info.id, part)
        try:
            self._write_part(new, path)
            added = int(
                self.spark.read.schema(f"{LINES_DDL}, {MONTH} STRING").parquet(_uri(path)).count()
            )
            if not added:  # nothing new: the version still moves on, with no empty part
                shutil.rmtree(path, ignore_errors=True)
            self._write_rejected(info.id, part, rejected)
            with self._catalog(N_("append to the dataset")) as cat:
                e = cat[info.id]
                rep = dict(e["report"])
                rep["appends"] = [
                    *rep.get("appends", []),
                    {
                        "rows_offered": before,
                        "added": added,
                        "duplicates": before - added,
                        "report": json.loads(json.dumps(_report_dict(report), default=str)),
                    },
                ]
                e.update(
                    version=int(e["version"]) + 1,
                    rows=int(e["rows"]) + added,
                    report=rep,
                    updated=datetime.now().replace(microsecond=0).isoformat(),
                    parts=[*e["parts"], part] if added else e["parts"],
                )
        except BaseException as exc:
            shutil.rmtree(path, ignore_errors=True)
            if isinstance(exc, StoreError) or not _is_spark_error(exc):
                raise
            raise _write_error(N_("append to the dataset"), exc) from exc
        return AppendResult(self.info(info.id), added=added, duplicates=before - added)

    def rename(self, dataset_id: str, name: str) -> DatasetInfo:
        info = self.info(dataset_id)
        new = _clean_name(name)
        with self._catalog(N_("rename the dataset")) as cat:
            cat[info.id].update(name=new, updated=datetime.now().replace(microsecond=0).isoformat())
        return self.info(info.id)

    def delete(self, dataset_id: str) -> None:
        info = self.info(dataset_id)
        with self._catalog(N_("delete the dataset")) as cat:
            cat.pop(info.id, None)
        shutil.rmtree(os.path.join(self._root, info.id), ignore_errors=True)

    def rejected_rows(self, dataset_id: str) -> pd.DataFrame:
        entry = self._entry(dataset_id)
        frames = []
        for part in entry["parts"]:
            path = os.path.join(self._root, entry["id"], f"rejected-{part}.parquet")
            if os.path.exists(path):
                frames.append(pq.read_table(path).to_pandas())
        df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        if len(df):
            df = df.sort_values("line_no", kind="stable")
        return _rejected_frame(df)

    # -- alert mutes: kept in the dataset's catalogue entry -------------------------------
    def alert_mutes(self, dataset_id: str) -> dict[str, tuple[str, ...]]:
        """The merchant's muted alert rules and products for a dataset (in the catalogue)."""
        mutes = self._entry(dataset_id).get("alert_mutes") or {}
        return {
            "rules": tuple(sorted(mutes.get("rules", ()))),
            "products": tuple(sorted(mutes.get("products", ()))),
        }

    def set_alert_mutes(
        self, dataset_id: str, *, rules: tuple[str, ...] = (), products: tuple[str, ...] = ()
    ) -> dict[str, tuple[str, ...]]:
        """Replace the muted rules and products of a dataset (the catalogue is replaced
        atomically, as for a save)."""
        info = self.info(dataset_id)
        with self._catalog(N_("save the muted alerts")) as cat:
            cat[info.id]["alert_mutes"] = {
                "rules": sorted(set(map(str, rules))),
                "products": sorted(set(map(str, products))),
            }
        return self.alert_mutes(info.id)

    # -- reads: the inherited SQL through a Spark cursor ----------------------------------
    def _cur(self) -> _SparkCursor:
        return _SparkCursor(self)

    def _check_writable(self, action: str) -> None:  # writes never go through SQL here
        return None

    def _lines_frame(self, info: DatasetInfo):
        """The lines of the dataset's current version as a Spark DataFrame (store columns)."""
        entry = self._entry(info.id)
        frame = None
        for part in entry["parts"]:
            path = self._part_path(info.id, part)
            df = self.spark.read.schema(f"{LINES_DDL}, {MONTH} STRING").parquet(_uri(path))
            frame = df if frame is None else frame.unionByName(df)
        return frame.select(*LINE_COLUMNS)

    def _view(self, workspace: str, dataset_id: str) -> str:
        """A temp view of the dataset's current lines, named for workspace, id and version
        (a version's lines never change, so the name can be reused)."""
        if workspace != self.workspace:
            raise StoreError(note(N_("A query named another workspace; nothing was read.")))
        info = self.info(dataset_id)
        tag = hashlib.sha1(workspace.encode()).hexdigest()[:8]
        name = f"ecd_{tag}_{info.id}_v{info.version}"
        self._lines_frame(info).createOrReplaceTempView(name)
        return name


_FROM_LINES = re.compile(r"\bFROM\s+lines\s+WHERE\s+workspace\s*=\s*\?\s+AND\s+dataset_id\s*=\s*\?")
_TEMP = re.compile(r"^\s*CREATE TEMP TABLE (\w+) AS (.*)$", re.S)
_DROP = re.compile(r"^\s*DROP TABLE IF EXISTS (\w+)\s*$")
_ISFINITE = re.compile(r"isfinite\(([\w.]+)\)")


#: DuckDB spellings the store's pricing and alerts SQL uses, and Spark's for the same thing
#: (same results: ``percentile`` and ``median`` interpolate as ``quantile_cont``; ``max_by``
#: is ``arg_max``; interval literals from a bound number of hours or seconds).
_SPELLINGS = (
    (re.compile(r"\bAS NOT MATERIALIZED\b"), "AS"),
    (re.compile(r"\barg_max\("), "max_by("),
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
        """The store's temp tables (``_l``, ``_c``) get names of their own per cursor, so two
        requests on one Spark session never see each other's."""

        def sub(m: re.Match) -> str:
            return self._temp_name(m.group(1))

        return re.sub(r"(?<![\w.])(_l|_c|_alert_costs|_basket_items)\b", sub, sql)

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

    try:
        yield
    except PySparkException as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:300]
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


def _is_spark_error(exc: BaseException) -> bool:
    return type(exc).__module__.startswith(("pyspark", "py4j", "grpc")) or isinstance(exc, OSError)


def _write_error(action: str, exc: BaseException) -> StoreError:
    first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return StoreError(
        note(
            N_(
                "Could not {action} on the lake ({detail}). Nothing was changed; check that the "
                "lake folder is writable and the Spark cluster is up, then try again."
            ),
            action=note(action),
            detail=first[:300],
        )
    )


def _info(workspace: str, e: dict) -> DatasetInfo:
    return DatasetInfo(
        workspace=workspace,
        id=e["id"],
        name=e["name"],
        version=int(e["version"]),
        rows=int(e["rows"]),
        columns=tuple(e["columns"]),
        mapping=dict(e["mapping"]),
        report=dict(e["report"]),
        source=e["source"],
        created=datetime.fromisoformat(e["created"]),
        updated=datetime.fromisoformat(e["updated"]),
    )
