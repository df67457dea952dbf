"""The dataset store on a lake, queried with Spark SQL: the same interface as ``Store``.

Layout under the lake (``ECOMDASH_LAKE``)::

    <lake>/<workspace>/catalog.json                 the workspace's datasets (replaced atomically)
    <lake>/<workspace>/<id>/v1/order_month=2024-01/  the lines of a save, Parquet, by order month
    <lake>/<workspace>/<id>/v2-1f0c9a2e/...          the lines an append added (no duplicates)
    <lake>/<workspace>/<id>/rejected-v1.parquet      rows the cleaning rejected (small, by the app)
    <lake>/<workspace>/<id>/flags-v2-1f0c9a2e.parquet the sale lines' is_cancelled the append
                                                     re-matched (``_rematch``; small)

A dataset version is the list of its parts (``v1``, ``v1`` + ``v2-…``, ...): an append's part is
named for the version it makes plus a random tag, so two appends running at once never write
to the same part, and the one whose version is no longer current when it switches is refused.
A save or an append writes its new part first and then switches the catalogue
(``ecomdash/spark/lake.py``: on a folder a new ``catalog.json`` moved over the old one with
``os.replace``; on an object store a new numbered catalogue state created by an exclusive
put, the highest winning), so a failed or interrupted write leaves every dataset as it was;
an unlisted part is never read.

No second copy of the SQL: :class:`SparkStore` inherits every read and aggregate from
``Store``; only the cursor differs (``ecomdash/spark/sql.py``: the DuckDB SQL text the store
builds, run as Spark SQL on the dataset's Parquet). Only the small results come back to the
app, as Arrow.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import pandas as pd
import pyarrow as pa

from ecomdash import schema as S
from ecomdash.errors import ParameterError, StoreError
from ecomdash.i18n import N_
from ecomdash.i18n.note import note
from ecomdash.spark.lake import Lake, _uri, catalogue_for  # noqa: F401 (_uri: ingest)
from ecomdash.spark.sql import _literal, _spark_errors, _SparkCursor  # noqa: F401 (re-exported)
from ecomdash.store import (
    CURRENCY_RACE,
    DEDUP_COLUMNS,
    DEFAULT_WORKSPACE,
    AppendResult,
    DatasetInfo,
    Store,
    check_workspace,
)
from ecomdash.store_rematch import with_across
from ecomdash.store_tables import (
    ARROW_TYPES,
    LINE_COLUMNS,
    check_stream_schema,
    clean_name,
    rejected_frame,
    rejected_table,
    report_dict,
    to_store_table,
)

MONTH = "order_month"
#: lines per Arrow table sent to Spark by ``save_batches`` (~100 MB of Arrow for the store's columns)
SAVE_CHUNK_ROWS = 1_000_000
_SPARK_TYPES = {
    "VARCHAR": "STRING",
    "TIMESTAMP": "TIMESTAMP",
    "DOUBLE": "DOUBLE",
    "BIGINT": "BIGINT",
    "BOOLEAN": "BOOLEAN",
}
LINES_DDL = ", ".join(f"{c} {_SPARK_TYPES[t]}" for c, t in LINE_COLUMNS.items())


class SparkStore(Store):
    """A workspace's datasets on the lake, read and reduced by Spark.

    Parameters
    ----------
    spark : a SparkSession (classic or Spark Connect)
    lake : folder (or URL the cluster and the app can both reach) holding every workspace
    workspace : the merchant workspace every query is restricted to
    """

    engine = "spark"

    def __init__(
        self,
        spark,
        lake: str,
        *,
        workspace: str = DEFAULT_WORKSPACE,
        object_store: bool | None = None,
    ):
        self.spark = spark
        self.lake = str(lake).rstrip("/")
        self.workspace = check_workspace(workspace)
        self._lock = threading.Lock()
        # a lake URL that is not a local path is an object store (no atomic rename: the
        # catalogue is numbered immutable states); object_store=True makes a folder one too
        self._lake = Lake(self.lake, self.workspace, object_store=object_store)
        self._catalogue = catalogue_for(self._lake)
        self._root = self._lake.root

    def close(self) -> None:
        """Nothing to release: the Spark session is the process's, shared by stores."""

    # -- catalogue (ecomdash/spark/lake.py) -----------------------------------------------
    def _read_catalog(self) -> dict[str, dict]:
        return self._catalogue.read()

    def _update_catalog(self, action: str, change: Callable[[dict[str, dict]], None]) -> None:
        """Apply ``change`` to the catalogue and switch to the result atomically (on an object
        store ``change`` may run again on a newer state another writer made)."""
        with self._lock:
            self._catalogue.update(action, change)

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
        return self._lake.join(ds_id, part)

    def _write_part(self, sdf, path: str, *, mode: str = "error") -> None:
        from pyspark.sql import functions as F

        (
            sdf.withColumn(MONTH, F.date_format(F.col(S.ORDER_DATE), "yyyy-MM"))
            # never over a part ("error": Connect has no "errorifexists"); "append" only adds
            # the later chunks of one save to the part its first chunk created
            .write.mode(mode)
            .partitionBy(MONTH)
            .parquet(self._lake.spark_uri(path))
        )

    def _writer(self, sdf, n: int | None) -> Callable[[str], int | None]:
        """Write ``sdf`` as a part; ``n`` lines (None: count the written part)."""

        def write(path: str) -> int | None:
            self._write_part(sdf, path)
            return n

        return write

    def _frame_of(self, table: pa.Table):
        """A Spark DataFrame of store-typed Arrow lines (sent to the cluster as Arrow)."""
        return self.spark.createDataFrame(table)

    def _write_rejected(self, ds_id: str, part: str, rejected: pd.DataFrame | None) -> None:
        if rejected is None or not len(rejected):
            return
        self._lake.write_parquet(
            self._lake.join(ds_id, f"rejected-{part}.parquet"), rejected_table(rejected)
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
        name = clean_name(name)
        table = to_store_table(lines)
        columns = tuple(c for c in S.CANONICAL if c in lines.columns)
        return self._save(
            name,
            self._writer(self._frame_of(table), table.num_rows),
            columns=columns,
            report=report_dict(report),
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
        """Streamed lines (see ``Store.save_batches``), sent to Spark as Arrow tables of at
        most ``SAVE_CHUNK_ROWS`` lines, each written to the new part as it comes: the driver
        never holds more than one chunk (10 M lines sent as one table overflowed a local
        master's 2 GB driver). The catalogue switches only after the last chunk."""
        check_stream_schema(batches.schema)
        rep: dict[str, Any] = {"rules": [], **dict(report or {})}

        def write(path: str) -> int:
            n = 0
            for table in _chunks(batches, SAVE_CHUNK_ROWS):
                for c, t in LINE_COLUMNS.items():  # later nullable columns the stream left out
                    if c not in table.column_names:
                        table = table.append_column(c, pa.nulls(table.num_rows, ARROW_TYPES[t]))
                mode = "append" if n else "error"
                self._write_part(self._frame_of(table), path, mode=mode)
                n += table.num_rows
            if not n:  # an empty stream still makes its (empty) part
                want = pa.schema([(c, ARROW_TYPES[t]) for c, t in LINE_COLUMNS.items()])
                self._write_part(self._frame_of(want.empty_table()), path)
            rep.setdefault("rows_read", n)
            rep.setdefault("rows_kept", n)
            return n

        return self._save(
            clean_name(name),
            write,
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
            clean_name(name),
            self._writer(sdf.select(*LINE_COLUMNS), None),
            columns=columns,
            report=report_dict(report),
            mapping=mapping,
            rejected=rejected,
            source=source,
            fail=None,
        )

    def _count_part(self, path: str) -> int:
        if not self._lake.exists(path):
            return 0
        return int(
            self.spark.read.schema(f"{LINES_DDL}, {MONTH} STRING")
            .parquet(self._lake.spark_uri(path))
            .count()
        )

    def _save(self, name, write, *, columns, report, mapping, rejected, source, fail):
        """Save a new dataset: ``write(path)`` writes its lines as part v1 and returns how
        many (None: counted from the part); then the catalogue switches. On failure the
        dataset's folder is removed and the catalogue is unchanged."""
        ds_id = secrets.token_hex(6)
        now = datetime.now().replace(microsecond=0)
        try:
            n = write(self._part_path(ds_id, "v1"))
            if n is None:
                n = self._count_part(self._part_path(ds_id, "v1"))
            if fail is not None:
                fail()
            self._write_rejected(ds_id, "v1", rejected)
            entry = {
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

            def add(cat: dict) -> None:
                cat[ds_id] = dict(entry)

            self._update_catalog(N_("save the dataset"), add)
        except BaseException as exc:
            self._lake.rmtree(self._lake.join(ds_id))
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
        rollup_now: bool = True,
    ) -> AppendResult:
        """Append a newer export without the lines already in the dataset (same rule as
        ``Store.append``: every present ``DEDUP_COLUMNS`` equal, missing equal to missing).
        The new lines become a new part; the catalogue then switches to the new version.
        ``rollup_now``: the DuckDB store's (the lake has no Overview tables to build)."""

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
        table = to_store_table(lines)
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
        # a name no other writer can pick: two appends of one version never share a part
        part = f"v{info.version + 1}-{secrets.token_hex(4)}"
        path = self._part_path(info.id, part)
        try:
            self._write_part(new, path)
            added = int(
                self.spark.read.schema(f"{LINES_DDL}, {MONTH} STRING")
                .parquet(self._lake.spark_uri(path))
                .count()
            )
            if not added:  # nothing new: the version still moves on, with no empty part
                self._lake.rmtree(path)
            # a return of this export cancels a sale saved before (and the other way round):
            # the changed flags go in a small file of this version, read over the parts
            matched, flagged = (
                self._rematch(info, existing, path, part, int(offset)) if added else (None, False)
            )
            across = matched.more if matched is not None else 0
            self._write_rejected(info.id, part, rejected)
            appended = {
                "rows_offered": before,
                "added": added,
                "duplicates": before - added,
                "report": json.loads(
                    json.dumps(with_across(report_dict(report), matched), default=str)
                ),
            }

            def switch(cat: dict) -> None:
                e = cat.get(info.id)
                if e is None or int(e["version"]) != info.version:
                    # another append finished first: this one's duplicates were found against
                    # the older lines, so adding them could add that append's lines twice
                    raise StoreError(
                        note(
                            N_(
                                "The dataset changed while this export was being appended "
                                "(another append or a delete finished first); nothing was "
                                "added. Append the export again: lines already in the dataset "
                                "are skipped."
                            )
                        )
                    )
                rep = dict(e["report"])
                rep["appends"] = [*rep.get("appends", []), appended]
                e.update(
                    version=int(e["version"]) + 1,
                    rows=int(e["rows"]) + added,
                    report=rep,
                    updated=datetime.now().replace(microsecond=0).isoformat(),
                    parts=[*e["parts"], part] if added else e["parts"],
                )
                if flagged:  # the versions whose flags file changes some lines' flags
                    e["flags"] = [*e.get("flags", []), part]

            self._update_catalog(N_("append to the dataset"), switch)
        except BaseException as exc:
            self._lake.rmtree(path)
            self._lake.remove(self._lake.join(info.id, f"rejected-{part}.parquet"))
            self._lake.remove(self._flags_path(info.id, part))
            if isinstance(exc, StoreError) or not _is_spark_error(exc):
                raise
            raise _write_error(N_("append to the dataset"), exc) from exc
        return AppendResult(
            self.info(info.id),
            added=added,
            duplicates=before - added,
            cancelled_across=across,
            returns_across=matched.returns_across if matched is not None else 0,
            sales_across=matched.sales_across if matched is not None else 0,
        )

    def _flags_path(self, ds_id: str, part: str) -> str:
        return self._lake.join(ds_id, f"flags-{part}.parquet")

    def _rematch(self, info: DatasetInfo, existing, path: str, part: str, offset: int):
        """``store_rematch.rematch_saved`` on the lake: the saved lines (``existing``) and the appended
        part at ``path`` reduced by Spark to the customer × product × quantity-size groups
        the part touches that hold a sale and a return (:func:`ecomdash.store_rematch.rematch_sql`'s
        rule); only those lines come to the app, are re-matched (``ingest.stack.rematch``)
        and the flags that change are written as ``flags-<part>.parquet`` (line_no,
        is_cancelled), which :meth:`_lines_frame` lays over the parts. Returns the
        ``ingest.stack.Rematched`` (None when the dataset cannot match returns) and whether a
        flags file was written."""
        from pyspark.sql import functions as F

        from ecomdash.ingest.stack import REMATCH_COLUMNS, rematch_across

        need = (S.CUSTOMER_ID, S.PRODUCT_ID, S.QUANTITY)
        if info.kind == S.KIND_SUMMED or not all(c in info.columns for c in need):
            return None, False
        cols = [c for c in REMATCH_COLUMNS if c in info.columns or c in (*S.FLAGS, S.LINE_NO)]
        new = (
            self.spark.read.schema(f"{LINES_DDL}, {MONTH} STRING")
            .parquet(self._lake.spark_uri(path))
            .select(*cols)
        )
        size = F.abs(F.col(S.QUANTITY)).alias("_size")
        known = F.col(S.CUSTOMER_ID).isNotNull() & F.col(S.PRODUCT_ID).isNotNull()
        known &= F.col(S.QUANTITY).isNotNull()
        keys = [S.CUSTOMER_ID, S.PRODUCT_ID, "_size"]
        lines = existing.select(*cols).unionByName(new).where(known).select(*cols, size)
        touched = new.where(known).select(S.CUSTOMER_ID, S.PRODUCT_ID, size).distinct()
        ret = F.coalesce(F.col(S.IS_RETURN), F.lit(False))
        groups = (
            lines.join(touched, keys)
            .groupBy(*keys)
            .agg(
                F.max((ret & (F.col(S.QUANTITY) < 0)).cast("int")).alias("_r"),
                F.max((~ret & (F.col(S.QUANTITY) > 0)).cast("int")).alias("_s"),
            )
            .where((F.col("_r") == 1) & (F.col("_s") == 1))
            .select(*keys)
        )
        frame = lines.join(groups, keys).select(*cols).toPandas()
        if not len(frame):
            return None, False
        matched = rematch_across(frame, offset)
        flags = matched.flags
        changed = flags != frame[S.IS_CANCELLED].fillna(False).to_numpy(dtype=bool)
        if not changed.any():
            return matched, False
        self._lake.write_parquet(
            self._flags_path(info.id, part),
            pa.table(
                {
                    S.LINE_NO: pa.array(frame[S.LINE_NO].to_numpy()[changed], pa.int64()),
                    S.IS_CANCELLED: pa.array(flags[changed]),
                }
            ),
        )
        return matched, True

    def rename(self, dataset_id: str, name: str) -> DatasetInfo:
        info = self.info(dataset_id)
        new = clean_name(name)
        now = datetime.now().replace(microsecond=0).isoformat()
        self._update_catalog(
            N_("rename the dataset"), lambda cat: cat[info.id].update(name=new, updated=now)
        )
        return self.info(info.id)

    def set_currency(self, dataset_id: str, currency: str) -> DatasetInfo:
        """``Store.set_currency`` on the lake (same contract: an ISO code, or
        ``currencies.NOT_STATED`` recorded as ``""``): the report lives in the catalogue entry, so the
        catalogue alone switches (atomically, as for a rename) to a new version with the same
        parts; no Parquet is read or written, whatever the dataset's size."""
        info = self.info(dataset_id)
        now = datetime.now().replace(microsecond=0).isoformat()

        def switch(cat: dict) -> None:
            e = cat.get(info.id)
            if e is None or int(e["version"]) != info.version:
                raise StoreError(note(CURRENCY_RACE))
            e.update(
                version=int(e["version"]) + 1,
                report={**e["report"], "currency": currency},
                updated=now,
            )

        self._update_catalog(N_("change the dataset's currency"), switch)
        return self.info(info.id)

    def delete(self, dataset_id: str) -> None:
        info = self.info(dataset_id)
        self._update_catalog(N_("delete the dataset"), lambda cat: cat.pop(info.id, None))
        self._lake.rmtree(self._lake.join(info.id))

    def cancelled_sales(self, dataset_id: str) -> int:
        """``Store.cancelled_sales`` on the lake: the sale lines cancelled now, the appends'
        re-matched flags laid over the parts (a refunded state's sale not counted)."""
        from pyspark.sql import functions as F

        lines = self._lines_frame(self.info(dataset_id))
        returns = lines.where(F.col(S.IS_RETURN)).select(F.col(S.LINE_NO).alias("_r")).distinct()
        sales = lines.where(F.col(S.IS_CANCELLED) & ~F.coalesce(F.col(S.IS_RETURN), F.lit(False)))
        return int(sales.join(returns, sales[S.LINE_NO] == returns["_r"], "left_anti").count())

    def rejected_rows(self, dataset_id: str) -> pd.DataFrame:
        entry = self._entry(dataset_id)
        frames = []
        for part in entry["parts"]:
            path = self._lake.join(entry["id"], f"rejected-{part}.parquet")
            if self._lake.exists(path):
                frames.append(self._lake.read_parquet(path).to_pandas())
        df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        if len(df):
            df = df.sort_values("line_no", kind="stable")
        return rejected_frame(df)

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
        mutes = {
            "rules": sorted(set(map(str, rules))),
            "products": sorted(set(map(str, products))),
        }
        self._update_catalog(
            N_("save the muted alerts"), lambda cat: cat[info.id].update(alert_mutes=mutes)
        )
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
            df = self.spark.read.schema(f"{LINES_DDL}, {MONTH} STRING").parquet(
                self._lake.spark_uri(path)
            )
            frame = df if frame is None else frame.unionByName(df)
        frame = frame.select(*LINE_COLUMNS)
        if entry.get("flags"):  # appends' re-matched flags (``_rematch``), the latest wins
            frame = self._with_flags(frame, info.id, entry["flags"])
        return frame

    def _with_flags(self, frame, ds_id: str, parts: list[str]):
        """The lines with the ``is_cancelled`` flags the appends ``parts`` re-matched laid over
        their sale lines (a refunded state's added return line shares its sale's line number
        and is left as it is). A lake written before flags files has none: read as before."""
        from pyspark.sql import functions as F

        tables = [self._lake.read_parquet(self._flags_path(ds_id, p)) for p in parts]
        flags = (
            pa.concat_tables([t.select([S.LINE_NO, S.IS_CANCELLED]) for t in tables])
            .to_pandas()
            .drop_duplicates(S.LINE_NO, keep="last")
            .rename(columns={S.LINE_NO: "_f_line_no", S.IS_CANCELLED: "_f_cancelled"})
        )
        fdf = self.spark.createDataFrame(pa.Table.from_pandas(flags, preserve_index=False))
        on = (F.col(S.LINE_NO) == F.col("_f_line_no")) & ~F.coalesce(
            F.col(S.IS_RETURN), F.lit(False)
        )
        return (
            frame.join(F.broadcast(fdf), on, "left")
            .withColumn(S.IS_CANCELLED, F.coalesce(F.col("_f_cancelled"), F.col(S.IS_CANCELLED)))
            .select(*LINE_COLUMNS)
        )

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


def _chunks(batches: pa.RecordBatchReader, rows: int):
    """The stream as Arrow tables of about ``rows`` lines (whole batches; at least one)."""
    held: list[pa.RecordBatch] = []
    size = 0
    for b in batches:
        held.append(b)
        size += b.num_rows
        if size >= rows:
            yield pa.Table.from_batches(held, schema=batches.schema)
            held, size = [], 0
    if size:
        yield pa.Table.from_batches(held, schema=batches.schema)


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
