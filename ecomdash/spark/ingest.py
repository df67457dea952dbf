"""``ecomdash ingest`` on the cluster: Spark reads a large CSV export, the executors clean it
with the in-app cleaning code, and the lines go to the lake without reaching the app.

1. **App, on a sample**: the file's head (``SAMPLE_BYTES``, unpacked if .gz) is read by the
   usual reader (encoding, delimiter, header), the mapping is proposed on it (overrides
   applied) and the formats the cleaner decides per column (decimal mark, day/month order)
   are decided on it by the cleaner's own converters (``ingest.partitioned.infer_formats``).
2. **Cluster, read**: ``spark.read.csv`` with those options, every column as text; each row
   gets its line number (partition offsets + position: the header is line 1).
3. **Cluster, whole-file decisions**: exact duplicates of an earlier row (a window over every
   column, ordered by line number); the share of ``C`` + digits order ids (the cleaner's
   own text code per part, summed) decides whether they are cancellations.
4. **Executors, clean**: ``mapInArrow`` runs ``ingest.clean.clean`` on each part with the
   decisions above passed in; each part's cleaning report comes back as one small row.
5. **Executors, returns**: lines grouped by a hash of (customer, product) (``applyInArrow``):
   the cleaner's matching of returns to the sales they cancel and its added return lines
   for refunded states, on every line of each customer × product.
6. **Lake**: ``SparkStore.save_frame`` / ``append_frame`` write the lines (new part, then the
   catalogue switches); the parts' reports are merged into one (``merge_reports``).

What the app receives: the sample, one report row per part (counts, 5 sample lines per
rule, the rejected rows up to 200,000), two counts and five sample lines of the matching.
"""

from __future__ import annotations

import pickle
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd
import pyarrow as pa

from ecomdash import schema as S
from ecomdash.currencies import with_currency
from ecomdash.errors import InputFileError
from ecomdash.i18n import N_, _
from ecomdash.i18n.fmt import duration
from ecomdash.i18n.note import Note, note, note_n, tr_note
from ecomdash.ingest import _final_proposal
from ecomdash.ingest.cleaning_report import SAMPLE_ROWS, CleaningReport
from ecomdash.ingest.mapping import MappingProposal, propose_mapping, resolve_mapping
from ecomdash.ingest.partitioned import (
    MAX_REJECTED,
    RETURNED_COL,
    SAMPLE_BYTES,
    cancel_id_counts,
    clean_part,
    finish_returns,
    infer_formats,
    merge_reports,
    part_table,
    read_head,
)
from ecomdash.ingest.read import read_bytes
from ecomdash.ingest.table import DELIMITERS
from ecomdash.store_tables import ARROW_TYPES, LINE_COLUMNS, to_store_table

#: rows a part is cleaned in at once (Arrow batches are gathered up to this)
PART_ROWS = 250_000
#: text encodings the cluster reader is given (Java charset names)
_CHARSETS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8",
    "cp1252": "windows-1252",
    "latin-1": "ISO-8859-1",
    "gb18030": "GB18030",
}
_SPARK_TYPES = {
    "VARCHAR": "STRING",
    "TIMESTAMP": "TIMESTAMP",
    "DOUBLE": "DOUBLE",
    "BIGINT": "BIGINT",
    "BOOLEAN": "BOOLEAN",
}
_LINES_DDL = ", ".join(f"{c} {_SPARK_TYPES[t]}" for c, t in LINE_COLUMNS.items())


class NotForCluster(InputFileError):
    """The file cannot be read on the cluster (the message says why); read it in the app."""


@dataclass(frozen=True)
class ClusterIngest:
    """What the cluster ingest did: the saved dataset, the merged report, the mapping."""

    info: object
    report: CleaningReport
    mapping: MappingProposal
    raw_info: dict
    appended: dict = field(default_factory=dict)
    #: (what was done, as a Note: its English text in the JSON, tr_note on screen; seconds)
    steps: tuple[tuple[str, float], ...] = ()


def package_zip(folder: str | Path) -> Path:
    """A zip of the ``ecomdash`` package (sources only) in ``folder``, for executors that
    do not have it installed (Spark Connect: :func:`ship_package`)."""
    import zipfile

    import ecomdash

    root = Path(ecomdash.__file__).parent
    out = Path(folder) / "ecomdash.zip"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(root.rglob("*")):
            if f.is_file() and "__pycache__" not in f.parts and f.suffix != ".pyc":
                zf.write(f, Path("ecomdash") / f.relative_to(root))
    return out


def ship_package(spark) -> bool:
    """On a Spark Connect session, add the ``ecomdash`` package to the session's Python path
    on the cluster (``spark.addArtifacts(zip, pyfile=True)``), so the executors can run the
    cleaner; the cluster's Python must still have ecomdash's dependencies (numpy, pandas,
    pyarrow, ...). A classic session's executors share the driver's Python: nothing to do.
    Returns whether the package was shipped."""
    import tempfile

    if not type(spark).__module__.startswith("pyspark.sql.connect"):
        return False
    with tempfile.TemporaryDirectory() as tmp:
        spark.addArtifacts(str(package_zip(tmp)), pyfile=True)
    return True


def _inner_name(path: Path) -> str:
    name = path.name
    return name[:-3] if name.lower().endswith(".gz") else name


def plan_sample(path: str | Path, *, sample_bytes: int = SAMPLE_BYTES):
    """Read the head of ``path`` and check the cluster reader can read the rest the same way.

    Returns (raw sample, whole file?, reader options). Raises :class:`NotForCluster` for
    what only the in-app reader handles (workbooks, Parquet, archives, basket lists,
    whitespace tables, title lines, platform layouts, malformed lines, UTF-16)."""
    from ecomdash.ingest.platforms_cn import detect

    path = Path(path)
    head, whole = read_head(path, max_bytes=sample_bytes)
    raw = read_bytes(head, _inner_name(path))

    def refuse(why: Note):
        # said on stderr in --lang's language after "Read in the app: " (cli.data)
        raise NotForCluster(note(N_("{why}; it is read in the app instead."), why=why))

    if raw.format not in ("csv", "text") or raw.compression not in (None, "gzip"):
        refuse(
            note(
                N_("The cluster reads delimited text (.csv/.tsv, maybe .gz); this file is {type}"),
                type=raw.format,
            )
        )
    if raw.layout != "table" or raw.delimiter not in DELIMITERS:
        refuse(
            note(
                N_("The file is not a plain delimited table (a basket list or a whitespace table)")
            )
        )
    if raw.encoding not in _CHARSETS:
        refuse(
            note(
                N_("The file's encoding ({encoding}) is not one the cluster reader is given"),
                encoding=raw.encoding,
            )
        )
    first = 2 if raw.has_header else 1
    if len(raw.line_no) and int(raw.line_no[0]) != first:
        refuse(note(N_("The file has title lines above the table")))
    if detect(raw.columns) is not None:
        refuse(
            note(N_("The file is a marketplace export whose derived columns are made in the app"))
        )
    if len(raw.malformed):
        refuse(note(N_("The file has lines with the wrong number of fields")))
    multiline = any(
        raw.data[c].str.contains("\n|\r", regex=True).fillna(False).any() for c in raw.columns
    )
    options = {
        "header": "true" if raw.has_header else "false",
        "sep": raw.delimiter,
        "quote": '"',
        "escape": '"',
        "encoding": _CHARSETS[raw.encoding],
        "multiLine": "true" if multiline else "false",
        "mode": "PERMISSIVE",
    }
    return raw, whole, options, first


def _out_schema(extra: dict[str, pa.DataType]) -> pa.Schema:
    fields = [
        pa.field(c, pa.timestamp("us", tz="UTC") if t == "TIMESTAMP" else ARROW_TYPES[t])
        for c, t in LINE_COLUMNS.items()
    ]
    return pa.schema(fields + [pa.field(k, v) for k, v in extra.items()])


def _arrow_lines(lines: pd.DataFrame, extra: dict[str, object], schema: pa.Schema) -> pa.Table:
    table = to_store_table(lines)
    cols = [
        table.column(c).cast(schema.field(c).type) if c == S.ORDER_DATE else table.column(c)
        for c in LINE_COLUMNS
    ]
    for k, v in extra.items():
        cols.append(pa.array(v, type=schema.field(k).type))
    return pa.Table.from_arrays(cols, schema=schema)


def ingest_path(
    store,
    path: str | Path,
    *,
    name: str | None = None,
    mapping: dict[str, str] | None = None,
    append_to: str | None = None,
    currency: str | None = None,
    sample_bytes: int = SAMPLE_BYTES,
    progress: Callable[[str], None] | None = None,
) -> ClusterIngest:
    """Ingest the CSV export at ``path`` on ``store``'s Spark cluster (see module doc).

    ``path`` must be readable by the cluster at the same path (a shared folder). Raises
    :class:`NotForCluster` when the file needs the in-app reader (say so, then read it there).
    ``currency``: an ISO code recorded as a new dataset's (``currencies.with_currency``, as
    the Save form and ``ecomdash ingest --currency`` on the DuckDB store do).
    """
    from pyspark import StorageLevel
    from pyspark.sql import Window
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType, StructField, StructType

    from ecomdash.spark.store import _uri

    spark = store.spark
    path = Path(path)
    steps: list[tuple[Note, float]] = []  # each step's words: English in the JSON, translated
    t0 = time.perf_counter()

    def step(what: Note) -> None:
        nonlocal t0
        now = time.perf_counter()
        steps.append((what, now - t0))
        t0 = now
        if progress is not None:  # in the current language (the command's --lang)
            progress(_("{step} ({took})", step=tr_note(what), took=duration(steps[-1][1])))

    raw, _whole, options, first_line = plan_sample(path, sample_bytes=sample_bytes)
    ship_package(spark)
    proposal = propose_mapping(raw)
    resolved = resolve_mapping(raw, proposal, mapping)
    formats = infer_formats(raw, resolved)
    columns = tuple(raw.columns)
    pos = {c: f"c{i}" for i, c in enumerate(columns)}
    step(note(N_("sample read, mapping and formats decided in the app")))

    reader = spark.read.schema(
        StructType([StructField(pos[c], StringType()) for c in columns])
    ).options(**options)
    df = reader.csv(_uri(str(path))).select(
        *[pos[c] for c in columns],
        F.spark_partition_id().alias("_pid"),
        F.monotonically_increasing_id().alias("_mid"),
    )
    counts = sorted((int(r["_pid"]), int(r["count"])) for r in df.groupBy("_pid").count().collect())
    offsets, total = [], 0
    for pid, k in counts:
        offsets.append((pid, total))
        total += k
    offs = spark.createDataFrame(offsets or [(0, 0)], "_pid INT, _off BIGINT")
    line_no = (
        F.col("_off") + F.col("_mid") - F.col("_pid").cast("bigint") * F.lit(1 << 33) + first_line
    )
    df = df.join(F.broadcast(offs), "_pid").select(
        *[F.coalesce(F.col(pos[c]), F.lit("")).alias(pos[c]) for c in columns],
        line_no.alias("_line_no"),
    )
    win = Window.partitionBy(*[pos[c] for c in columns]).orderBy("_line_no")
    parts = (
        df.withColumn("_dup", F.row_number().over(win) > 1)
        .sortWithinPartitions("_line_no")
        .persist(StorageLevel.MEMORY_AND_DISK)
    )
    step(
        note_n(
            "{n} row read and numbered on the cluster",
            "{n} rows read and numbered on the cluster",
            total,
            n=f"{total:,}",
        )
    )

    persisted = [parts]
    try:
        cancel, invoices = False, None
        if resolved.get(S.ORDER_ID):
            order_col = pos[resolved[S.ORDER_ID]]
            order_name = resolved[S.ORDER_ID]

            def id_counts(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
                for b in batches:
                    frame = pd.DataFrame({order_name: b.column(0).to_pandas()})
                    n, ids = cancel_id_counts(
                        part_table(frame, (order_name,), range(len(frame))), order_name
                    )
                    yield pa.RecordBatch.from_pydict(
                        {"oid": [None, *ids], "rows": [n, *ids.values()]},
                        schema=pa.schema([("oid", pa.string()), ("rows", pa.int64())]),
                    )

            agg = (
                parts.select(order_col)
                .mapInArrow(id_counts, "oid STRING, rows BIGINT")
                .agg(
                    F.sum(F.when(F.col("oid").isNull(), F.col("rows"))).alias("n"),
                    F.sum(F.when(F.col("oid").isNotNull(), F.col("rows"))).alias("c"),
                    F.countDistinct("oid").alias("ids"),
                )
                .collect()[0]
            )
            n, c = int(agg["n"] or 0), int(agg["c"] or 0)
            cancel = bool(c and c / max(n, 1) < 0.5)
            invoices = int(agg["ids"]) if cancel else None
            step(note(N_("duplicates found, cancellation order ids counted, on the cluster")))

        out_schema = _out_schema({RETURNED_COL: pa.bool_(), "_payload": pa.binary()})
        names = [pos[c] for c in columns]

        def clean_parts(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
            buf: list[pa.RecordBatch] = []
            rows = 0

            def run(buf):
                t = pa.Table.from_batches(buf).to_pandas()
                frame = t[names].set_axis(list(columns), axis=1)
                part = part_table(frame, columns, t["_line_no"].to_numpy())
                lines, rep = clean_part(
                    part,
                    resolved,
                    formats=formats,
                    duplicates=t["_dup"].to_numpy(dtype=bool),
                    cancel_invoices=cancel,
                )
                returned = lines.pop(RETURNED_COL).to_numpy(dtype=bool)
                table = _arrow_lines(
                    lines, {RETURNED_COL: returned, "_payload": [None] * len(lines)}, out_schema
                )
                yield from table.to_batches(max_chunksize=64_000)
                # the first rejected rows of the part are enough: the report keeps the file's
                # first MAX_REJECTED, and they are among the parts' first MAX_REJECTED
                rep = replace(rep, rejected=rep.rejected.head(MAX_REJECTED))
                payload = pickle.dumps(
                    (int(part.line_no[0]), tuple(c for c in S.CANONICAL if c in lines), rep)
                )
                meta = {
                    f.name: pa.nulls(1, type=f.type) for f in out_schema if f.name != "_payload"
                }
                meta["_payload"] = pa.array([payload], type=pa.binary())
                yield pa.RecordBatch.from_pydict(meta, schema=out_schema)

            for b in batches:
                buf.append(b)
                rows += b.num_rows
                if rows >= PART_ROWS:
                    yield from run(buf)
                    buf, rows = [], 0
            if buf:
                yield from run(buf)

        ddl = f"{_LINES_DDL}, {RETURNED_COL} BOOLEAN, _payload BINARY"
        cleaned = parts.mapInArrow(clean_parts, ddl).persist(StorageLevel.MEMORY_AND_DISK)
        persisted.append(cleaned)
        metas = [
            pickle.loads(r["_payload"])
            for r in cleaned.where(F.col("_payload").isNotNull()).select("_payload").collect()
        ]
        metas.sort(key=lambda m: m[0])
        reports = [m[2] for m in metas]
        kept_cols = metas[0][1] if metas else ()
        step(
            note_n(
                "cleaned on the executors in {n} part",
                "cleaned on the executors in {n} parts",
                len(metas),
            )
        )

        lines = cleaned.where(F.col("_payload").isNull()).drop("_payload")
        fin_schema = _out_schema({"_matched": pa.bool_(), "_added": pa.bool_()})

        def finish(table: pa.Table) -> pa.Table:
            frame = table.drop_columns([c for c in ("_b",) if c in table.column_names])
            i = frame.schema.get_field_index(S.ORDER_DATE)  # naive wall-clock, as the cleaner's
            frame = frame.set_column(i, S.ORDER_DATE, frame.column(i).cast(pa.timestamp("us")))
            got, matched, added = finish_returns(frame.to_pandas())
            return _arrow_lines(got, {"_matched": matched, "_added": added}, fin_schema)

        fin_ddl = f"{_LINES_DDL}, _matched BOOLEAN, _added BOOLEAN"
        has_match = {S.CUSTOMER_ID, S.PRODUCT_ID, S.QUANTITY} <= set(kept_cols)
        buckets = max(int(spark.conf.get("spark.sql.shuffle.partitions", "8") or 8), 8) * 2
        if has_match:
            done = (
                lines.withColumn("_b", F.pmod(F.hash(S.CUSTOMER_ID, S.PRODUCT_ID), F.lit(buckets)))
                .groupBy("_b")
                .applyInArrow(finish, fin_ddl)
            )
        else:

            def finish_batches(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
                for b in batches:
                    yield from finish(pa.Table.from_batches([b])).to_batches()

            done = lines.mapInArrow(finish_batches, fin_ddl)
        done = done.persist(StorageLevel.MEMORY_AND_DISK)
        persisted.append(done)
        agg = done.agg(
            F.sum(F.col("_matched").cast("bigint")).alias("m"),
            F.sum(F.col("_added").cast("bigint")).alias("a"),
        ).collect()[0]
        matched, added = int(agg["m"] or 0), int(agg["a"] or 0)
        sample = (
            done.where("_matched")
            .orderBy(S.LINE_NO)
            .limit(SAMPLE_ROWS)
            .select(S.LINE_NO, *[c for c in S.CANONICAL if c in kept_cols])
            .toPandas()
            if has_match and matched
            else pd.DataFrame()
        )
        report = merge_reports(
            reports,
            invoices=invoices,
            matched=matched if has_match else None,
            matched_sample=sample,
            added=added,
        )
        step(note(N_("returns matched to their sales on the executors")))

        final = _final_proposal(proposal, resolved)
        info = raw.info()
        info.update(rows_read=report.rows_read, malformed_rows=0, route="cluster")
        cols = tuple(c for c in S.CANONICAL if c in kept_cols)
        appended: dict = {}
        if append_to:
            target = store.resolve(append_to)
            lost = _fields_not_kept(target.columns, done, cols)
            res = store.append_frame(target.id, done, report=report, rejected=report.rejected)
            saved = res.dataset
            appended = {
                "added": res.added,
                "duplicates_skipped": res.duplicates,
                "fields_not_saved": list(lost),
                "cancelled_across": res.cancelled_across,
                "returns_across": res.returns_across,
                "sales_across": res.sales_across,
            }
        else:
            saved = store.save_frame(
                name or path.name,
                done,
                columns=cols,
                report=with_currency(report, currency),
                mapping=final.as_dict(),
                rejected=report.rejected,
            )
        step(note(N_("lines written to the lake")))
        return ClusterIngest(saved, report, final, info, appended, tuple(steps))
    finally:
        for p in persisted:
            p.unpersist()


def _fields_not_kept(columns, done, cols: tuple[str, ...]) -> tuple[str, ...]:
    """:func:`ecomdash.store_tables.fields_not_kept` of the cluster's lines: the fields the
    file fills (a value on at least one line) that the dataset appended to lacks, counted on
    the executors (one aggregate of those columns alone; none when the dataset has them all)."""
    from pyspark.sql import functions as F

    extra = [c for c in cols if c not in columns]
    if not extra:
        return ()
    row = done.agg(*[F.count(F.col(c)).alias(c) for c in extra]).collect()[0]
    return tuple(c for c in extra if row[c])
