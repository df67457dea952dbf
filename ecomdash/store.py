"""The dataset store: an embedded DuckDB file, one per installation, tables keyed by workspace.

The store is the only module that touches the database. Every query names the store's
workspace, so one merchant's datasets are never visible to another's ``Store``.

Saving is atomic: the lines, the dataset row and the rejected rows go in one transaction, so
a failed or interrupted save leaves every existing dataset exactly as it was.

>>> store = Store.open(tmp_home)                                       # doctest: +SKIP
>>> info = store.save_dataset("Shop 2024", lines, report=report, mapping=mapping)  # doctest: +SKIP
>>> store.load_lines(info.id, Filters(start=date(2024, 1, 1))).shape    # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
import re
import secrets
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

from ecomdash import rollup
from ecomdash import schema as S
from ecomdash.errors import ParameterError, StoreError
from ecomdash.filters import Filters
from ecomdash.i18n import N_
from ecomdash.i18n.note import Quoted, note, note_n
from ecomdash.store_queries import StoreQueries
from ecomdash.store_rematch import rematch_saved, with_across
from ecomdash.store_tables import (
    ADDED_LINE_COLUMNS,
    LINE_COLUMNS,
    check_stream_schema,
    clean_name,
    from_store_frame,
    rejected_frame,
    rejected_table,
    report_dict,
    to_store_table,
)

DB_FILE = "ecomdash.duckdb"
DEFAULT_WORKSPACE = "local"
DEMO_SOURCE = "demo"
_WORKSPACE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")

#: Columns that identify a duplicate line when appending a newer export.
DEDUP_COLUMNS = (
    S.ORDER_ID,
    S.ORDER_DATE,
    S.CUSTOMER_ID,
    S.PRODUCT_ID,
    S.QUANTITY,
    S.UNIT_PRICE,
    S.REVENUE,
)

_DDL = [
    """CREATE TABLE IF NOT EXISTS datasets (
        workspace VARCHAR NOT NULL,
        id VARCHAR NOT NULL,
        name VARCHAR NOT NULL,
        version INTEGER NOT NULL,
        n_rows BIGINT NOT NULL,
        columns VARCHAR NOT NULL,
        mapping VARCHAR NOT NULL,
        report VARCHAR NOT NULL,
        source VARCHAR NOT NULL,
        created TIMESTAMP NOT NULL,
        updated TIMESTAMP NOT NULL,
        PRIMARY KEY (workspace, id)
    )""",
    "CREATE TABLE IF NOT EXISTS lines (workspace VARCHAR NOT NULL, dataset_id VARCHAR NOT NULL, "
    + ", ".join(f"{c} {t}" for c, t in LINE_COLUMNS.items())
    + ")",
    """CREATE TABLE IF NOT EXISTS rejected (
        workspace VARCHAR NOT NULL,
        dataset_id VARCHAR NOT NULL,
        line_no BIGINT,
        reason VARCHAR,
        row_json VARCHAR
    )""",
    *rollup.DDL,  # the Overview's per-order sums (ecomdash/rollup.py)
]


@dataclass(frozen=True)
class DatasetInfo:
    """One saved dataset of a workspace."""

    workspace: str
    id: str
    name: str
    version: int
    rows: int
    columns: tuple[str, ...]
    mapping: dict[str, str]
    report: dict[str, Any]
    source: str
    created: datetime
    updated: datetime

    @property
    def is_demo(self) -> bool:
        return self.source == DEMO_SOURCE

    @property
    def kind(self) -> str:
        """``schema.KIND_SUMMED`` for already summed sales, else ``schema.KIND_LINES``
        (recorded in the report at ingest; datasets saved before kinds existed are lines)."""
        return str(self.report.get("kind") or S.KIND_LINES)

    @property
    def events(self) -> tuple[str, ...]:
        """Summed sales: the dates a flag column marks (holidays, promotions), ISO text."""
        ev = self.report.get("events") or {}
        return tuple(ev.get("dates") or ())


@dataclass(frozen=True)
class AppendResult:
    """What an append did: lines added and duplicates skipped."""

    dataset: DatasetInfo
    added: int
    duplicates: int
    #: how many more sale lines are cancelled once the appended lines' returns are matched
    #: with the saved lines' sales, and the other way round (``ingest.stack.rematch``)
    cancelled_across: int = 0
    #: sale lines saved before that a return of the appended export cancels
    returns_across: int = 0
    #: sale lines of the appended export that a return saved before cancels
    sales_across: int = 0


def default_home() -> Path:
    """``$ECOMDASH_HOME`` if set, else ``data/`` in the project directory."""
    env = os.environ.get("ECOMDASH_HOME")
    if env:
        return Path(env).expanduser()
    return Path(__file__).resolve().parents[1] / "data"


def check_workspace(workspace: str) -> str:
    if not isinstance(workspace, str) or not _WORKSPACE_RE.match(workspace):
        raise ParameterError(
            note(
                N_(
                    "The workspace name {workspace} is not valid. Use 1-64 letters, digits, "
                    "'.', '_', '-' or '@', starting with a letter or digit."
                ),
                workspace=Quoted(workspace),
            )
        )
    return workspace


def connect(
    home: str | Path | None = None, *, read_only: bool = False
) -> duckdb.DuckDBPyConnection:
    """Open (and create if needed) the store's database file under ``home``."""
    home = Path(home) if home is not None else default_home()
    try:
        home.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(home / DB_FILE), read_only=read_only)
    except duckdb.IOException as exc:
        msg = str(exc)
        if "lock" in msg.lower():
            raise StoreError(
                note(
                    N_(
                        "The dataset store in {home} is in use by another ecomdash process. "
                        "Stop the other process (the app or a running command) and try again, or set "
                        "ECOMDASH_HOME to another directory."
                    ),
                    home=str(home),
                )
            ) from exc
        raise StoreError(
            note(
                N_(
                    "The dataset store in {home} cannot be opened ({detail}). "
                    "Check that the directory exists, is writable and the disk is not full."
                ),
                home=str(home),
                detail=msg.splitlines()[0],
            )
        ) from exc
    except OSError as exc:
        raise StoreError(
            note(
                N_(
                    "The dataset store directory {home} cannot be created or written ({detail}). "
                    "Set ECOMDASH_HOME to a writable directory."
                ),
                home=str(home),
                detail=exc.strerror,
            )
        ) from exc
    # Reads order by line_no explicitly, so inserts need not keep their order (faster inserts)
    con.execute("SET preserve_insertion_order = false")
    if not read_only:
        try:
            for ddl in _DDL:
                con.execute(ddl)
            have = {
                r[0]
                for r in con.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = 'lines'"
                ).fetchall()
            }
            for col, sqltype in ADDED_LINE_COLUMNS.items():
                if col not in have:
                    con.execute(f"ALTER TABLE lines ADD COLUMN IF NOT EXISTS {col} {sqltype}")
        except duckdb.Error as exc:
            con.close()
            raise _store_error(N_("prepare"), exc) from exc
    return con


def _store_error(action: str, exc: BaseException) -> StoreError:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    low = text.lower()
    if "no space" in low or "disk is full" in low or "disk full" in low:
        hint = note(N_("The disk is full: free some space and try again."))
    elif "read-only" in low or "read only" in low or "permission" in low:
        hint = note(N_("The store is read-only: make ECOMDASH_HOME writable and try again."))
    else:
        hint = note(N_("Nothing was changed; try again, and report it if it keeps happening."))
    return StoreError(
        note(
            N_("Could not {action} in the dataset store ({detail}). {hint}"),
            action=note(action),
            detail=text,
            hint=hint,
        )
    )


#: ``set_currency``'s refusal when an append switched the dataset after it was read (both
#: engines: ``SparkStore.set_currency`` raises it too)
CURRENCY_RACE = N_(
    "The dataset changed while its currency was being set (an append finished first); nothing "
    "was changed. Set the currency again."
)


class Store(StoreQueries):
    """A workspace's view of the dataset store.

    Parameters
    ----------
    con : duckdb connection (shared, thread-safe use goes through ``cursor()``)
    workspace : the merchant workspace every query is restricted to
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, *, workspace: str = DEFAULT_WORKSPACE):
        self._con = con
        self.workspace = check_workspace(workspace)
        self._lock = threading.Lock()

    @classmethod
    def open(cls, home: str | Path | None = None, *, workspace: str = DEFAULT_WORKSPACE) -> Store:
        return cls(connect(home), workspace=workspace)

    def close(self) -> None:
        self._con.close()

    # -- plumbing -------------------------------------------------------------------------
    def _cur(self) -> duckdb.DuckDBPyConnection:
        return self._con.cursor()

    def _check_writable(self, action: str) -> None:
        mode = self._cur().execute("SELECT current_setting('access_mode')").fetchall()[0][0]
        if str(mode).lower() == "read_only":
            raise StoreError(
                note(
                    N_(
                        "Could not {action}: the dataset store is open read-only. Nothing was changed. "
                        "Make ECOMDASH_HOME writable (and stop any process holding it) and try again."
                    ),
                    action=note(action),
                )
            )

    @contextmanager
    def _transaction(self, action: str) -> Iterator[duckdb.DuckDBPyConnection]:
        self._check_writable(action)
        cur = self._cur()
        cur.execute("BEGIN TRANSACTION")
        try:
            yield cur
        except BaseException as exc:
            try:
                cur.execute("ROLLBACK")
            except duckdb.Error:
                pass
            cur.close()
            if isinstance(exc, duckdb.Error | OSError):
                raise _store_error(action, exc) from exc
            raise
        else:
            try:
                cur.execute("COMMIT")
            except duckdb.Error as exc:
                try:
                    cur.execute("ROLLBACK")
                except duckdb.Error:
                    pass
                raise _store_error(action, exc) from exc
            finally:
                cur.close()

    # -- datasets -------------------------------------------------------------------------
    def list_datasets(self) -> list[DatasetInfo]:
        rows = (
            self._cur()
            .execute(
                "SELECT * FROM datasets WHERE workspace = ? ORDER BY updated DESC, name",
                [self.workspace],
            )
            .fetchall()
        )
        return [_info(r) for r in rows]

    def info(self, dataset_id: str) -> DatasetInfo:
        row = (
            self._cur()
            .execute(
                "SELECT * FROM datasets WHERE workspace = ? AND id = ?",
                [self.workspace, str(dataset_id)],
            )
            .fetchone()
        )
        if row is None:
            raise StoreError(
                note(
                    N_(
                        "No dataset with id {dataset_id} in this workspace. "
                        "Run `ecomdash datasets` (or open the Data page) to see the saved datasets."
                    ),
                    dataset_id=Quoted(dataset_id),
                )
            )
        return _info(row)

    def resolve(self, ref: str) -> DatasetInfo:
        """A dataset by id, or by exact name when the name is unique."""
        try:
            return self.info(ref)
        except StoreError:
            matches = [d for d in self.list_datasets() if d.name == ref]
            if len(matches) == 1:
                return matches[0]
            raise

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
        """Save a cleaned canonical table as a new dataset, atomically.

        ``report`` may be a CleaningReport (anything with ``to_dict()``) or a dict.
        ``_fail_after_lines`` is a test hook called inside the transaction after the lines
        are written: raising there must leave the store unchanged.
        """
        name = clean_name(name)
        table = to_store_table(lines)
        columns = tuple(c for c in S.CANONICAL if c in lines.columns)
        saved_report = report_dict(report)
        ds_id = secrets.token_hex(6)
        now = datetime.now().replace(microsecond=0)
        with self._lock, self._transaction(N_("save the dataset")) as cur:
            # the rollup's codes (Arrow hash encodes on one core) are computed in a thread
            # while DuckDB writes the lines (its threads release the GIL): the two overlap
            with ThreadPoolExecutor(max_workers=1) as pool:
                coding = pool.submit(rollup.code_frame, table)
                self._insert_lines(cur, ds_id, table)
                coded = coding.result()
            rollup.build(cur, self.workspace, ds_id, columns, 1, frame=table, coded=coded)
            del coded
            if _fail_after_lines is not None:
                _fail_after_lines()
            if rejected is not None and len(rejected):
                self._insert_rejected(cur, ds_id, rejected)
            cur.execute(
                "INSERT INTO datasets VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?)",
                [
                    self.workspace,
                    ds_id,
                    name,
                    table.num_rows,
                    json.dumps(list(columns)),
                    json.dumps(dict(mapping or {})),
                    json.dumps(saved_report, default=str),
                    source,
                    now,
                    now,
                ],
            )
        return self.info(ds_id)

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
        """Save lines streamed as Arrow record batches (columns and types of ``LINE_COLUMNS``,
        e.g. ``demo_scale.ScaledDemo.reader()``) as a new dataset, atomically, without ever
        holding all of them: DuckDB pulls one batch at a time. ``columns`` are the canonical
        columns the lines provide; ``report`` gets ``rows_read``/``rows_kept`` = the lines
        saved unless it has them."""
        name = clean_name(name)
        got = batches.schema
        check_stream_schema(got)
        ds_id = secrets.token_hex(6)
        now = datetime.now().replace(microsecond=0)
        with self._lock, self._transaction(N_("save the dataset")) as cur:
            cur.register("_stream", batches)
            try:
                cur.execute(
                    "INSERT INTO lines SELECT ?, ?, "
                    + ", ".join(c if c in got.names else f"NULL AS {c}" for c in LINE_COLUMNS)
                    + " FROM _stream",
                    [self.workspace, ds_id],
                ).fetchall()
            finally:
                # after a failed insert the transaction is aborted and unregister fails too:
                # let the insert's own error (the reason) be the one reported
                with suppress(duckdb.Error):
                    cur.unregister("_stream")
            n = cur.execute(
                "SELECT count(*) FROM lines WHERE workspace = ? AND dataset_id = ?",
                [self.workspace, ds_id],
            ).fetchone()[0]
            rep = {"rows_read": n, "rows_kept": n, "rules": [], **dict(report or {})}
            rollup.build(cur, self.workspace, ds_id, tuple(columns), 1)
            cur.execute(
                "INSERT INTO datasets VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?)",
                [
                    self.workspace,
                    ds_id,
                    name,
                    n,
                    json.dumps(list(columns)),
                    json.dumps(dict(mapping or {})),
                    json.dumps(rep, default=str),
                    source,
                    now,
                    now,
                ],
            )
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
        """Append a newer export to a dataset, skipping lines already in it.

        A line is a duplicate when all of ``DEDUP_COLUMNS`` present in the dataset match an
        existing line (missing values compare equal). Columns the dataset lacks are dropped
        from the new lines; the dataset keeps its column set.

        ``rollup_now=False``: the new version's Overview tables are not built here (a stacked
        save appends several files and builds them once, with its last append); until they
        are, the first read builds them (:func:`ecomdash.rollup.ready`).
        """
        info = self.info(dataset_id)
        table = to_store_table(lines)
        keys = [c for c in DEDUP_COLUMNS if c in info.columns]
        if info.kind == S.KIND_SUMMED:  # a summed row is one date × group: the group is the key
            keys += [c for c in S.GROUP_COLUMNS if c in info.columns and c not in keys]
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
        cond = " AND ".join(f"e.{c} IS NOT DISTINCT FROM n.{c}" for c in keys)
        before = table.num_rows
        with self._lock, self._transaction(N_("append to the dataset")) as cur:
            offset = cur.execute(
                "SELECT coalesce(max(line_no), 0) FROM lines WHERE workspace = ? AND dataset_id = ?",
                [self.workspace, info.id],
            ).fetchall()[0][0]
            # the dataset keeps its column set; new line numbers follow the existing ones
            exprs = ", ".join(
                "NULL"
                if c in S.CANONICAL and c not in info.columns
                else (f"n.{c} + {int(offset)}" if c == S.LINE_NO else f"n.{c}")
                for c in LINE_COLUMNS
            )
            cur.register("_incoming", table)
            try:
                added = cur.execute(
                    f"""INSERT INTO lines SELECT ?, ?, {exprs} FROM _incoming n
                    WHERE NOT EXISTS (SELECT 1 FROM lines e
                        WHERE e.workspace = ? AND e.dataset_id = ? AND {cond})""",
                    [self.workspace, info.id, self.workspace, info.id],
                ).fetchall()[0][0]
            finally:
                cur.unregister("_incoming")
            # a return of this export cancels a sale saved before (and the other way round);
            # before the rollup, which sums the flags
            matched = rematch_saved(cur, self.workspace, info, int(offset)) if added else None
            across = matched.more if matched is not None else 0
            # the new version's rollup: appended lines may join orders already saved
            if rollup_now:
                rollup.build(cur, self.workspace, info.id, info.columns, info.version + 1)
            if rejected is not None and len(rejected):
                self._insert_rejected(cur, info.id, rejected)
            rep = dict(info.report)
            appends = list(rep.get("appends", []))
            appends.append(
                {
                    "rows_offered": before,
                    "added": added,
                    "duplicates": before - added,
                    "report": with_across(report_dict(report), matched),
                }
            )
            rep["appends"] = appends
            cur.execute(
                "UPDATE datasets SET version = version + 1, n_rows = n_rows + ?, report = ?, "
                "updated = ? WHERE workspace = ? AND id = ?",
                [
                    added,
                    json.dumps(rep, default=str),
                    datetime.now().replace(microsecond=0),
                    self.workspace,
                    info.id,
                ],
            )
        return AppendResult(
            self.info(info.id),
            added=added,
            duplicates=before - added,
            cancelled_across=across,
            returns_across=matched.returns_across if matched is not None else 0,
            sales_across=matched.sales_across if matched is not None else 0,
        )

    def rename(self, dataset_id: str, name: str) -> DatasetInfo:
        info = self.info(dataset_id)
        with self._lock, self._transaction(N_("rename the dataset")) as cur:
            cur.execute(
                "UPDATE datasets SET name = ?, updated = ? WHERE workspace = ? AND id = ?",
                [clean_name(name), datetime.now().replace(microsecond=0), self.workspace, info.id],
            )
        return self.info(info.id)

    def set_currency(self, dataset_id: str, currency: str) -> DatasetInfo:
        """Record ``currency`` (an ISO code: ``currencies.check_currency``, or
        ``currencies.NOT_STATED``: the merchant's "Not stated", amounts shown without a sign
        even when ingest read one off them) as the dataset's, as the Save form does, in a new version of the same lines: every page's cache is keyed
        by the version (``ui.common.PageContext.key``), so no page keeps the old sign. No line
        is read or written: the catalogue row and the rollup's three version rows
        (:func:`rollup.carry_version`) are updated, whatever the dataset's size."""
        info = self.info(dataset_id)
        report = {**info.report, "currency": currency}
        with self._lock, self._transaction(N_("change the dataset's currency")) as cur:
            moved = cur.execute(
                "UPDATE datasets SET version = version + 1, report = ?, updated = ? "
                "WHERE workspace = ? AND id = ? AND version = ?",
                [
                    json.dumps(report, default=str),
                    datetime.now().replace(microsecond=0),
                    self.workspace,
                    info.id,
                    info.version,
                ],
            ).fetchall()[0][0]
            if not moved:
                raise StoreError(note(CURRENCY_RACE))
            rollup.carry_version(cur, self.workspace, info.id, info.version)
        return self.info(info.id)

    def delete(self, dataset_id: str) -> None:
        info = self.info(dataset_id)
        with self._lock, self._transaction(N_("delete the dataset")) as cur:
            for table, col in (
                ("lines", "dataset_id"),
                ("rejected", "dataset_id"),
                *((t, "dataset_id") for t in rollup.TABLES),
                ("datasets", "id"),
            ):
                cur.execute(
                    f"DELETE FROM {table} WHERE workspace = ? AND {col} = ?",
                    [self.workspace, info.id],
                )

    def ensure_demo(self, lines: pd.DataFrame | None = None) -> DatasetInfo:
        """The workspace's demo dataset, generating and saving it the first time.

        ``lines`` lets a caller pass an already generated demo table (tests reuse one).
        """
        for d in self.list_datasets():
            if d.is_demo:
                return d
        from ecomdash.ingest.cleaning_report import generated_report

        if lines is None:
            from ecomdash.demo import generate

            lines = generate().lines
        return self.save_dataset(
            "Demo merchant",
            lines,
            report=generated_report(lines),
            mapping={c: c for c in S.CANONICAL if c in lines.columns},
            source=DEMO_SOURCE,
        )

    # -- reads ----------------------------------------------------------------------------
    def load_lines(
        self,
        dataset_id: str,
        filters: Filters | None = None,
        columns: list[str] | tuple[str, ...] | None = None,
    ) -> pd.DataFrame:
        """The dataset's canonical lines after ``filters``, in original line order."""
        info = self.info(dataset_id)
        have = [c for c in LINE_COLUMNS if c in info.columns or c in S.FLAGS or c == S.LINE_NO]
        if columns is not None:
            unknown = [c for c in columns if c not in have]
            if unknown:
                raise ParameterError(
                    note_n(
                        "Column {unknown} is not in this dataset (it has {columns}).",
                        "Columns {unknown} are not in this dataset (it has {columns}).",
                        len(unknown),
                        unknown=tuple(unknown),
                        columns=tuple(info.columns),
                    )
                )
            have = [c for c in have if c in columns]
        where, params = self._where(info, filters)
        table = (
            self._cur()
            .sql(
                f"SELECT {', '.join(have)} FROM lines WHERE {where} ORDER BY line_no", params=params
            )
            .to_arrow_table()
        )
        # Arrow -> pandas is ~3x faster than DuckDB's .df() for string columns
        return from_store_frame(table.to_pandas())

    def date_range(self, dataset_id: str) -> tuple[datetime | None, datetime | None]:
        info = self.info(dataset_id)
        if S.ORDER_DATE not in info.columns:
            return (None, None)
        m = rollup.cells.current(self, info)  # kept with the Overview's cells at save
        if m is not None:
            return m.first_date, m.last_date
        lo, hi = (
            self._cur()
            .execute(
                "SELECT min(order_date), max(order_date) FROM lines WHERE workspace = ? AND dataset_id = ?",
                [self.workspace, info.id],
            )
            .fetchone()
        )
        return lo, hi

    def distinct_values(self, dataset_id: str, column: str, limit: int = 500) -> list[str]:
        """Distinct non-empty values of a text column (for filter pickers), most frequent first."""
        info = self.info(dataset_id)
        if (
            column not in (S.COUNTRY, S.CATEGORY, S.CHANNEL, S.LOCATION)
            or column not in info.columns
        ):
            return []
        rows = (
            self._cur()
            .execute(
                f"SELECT {column} FROM lines WHERE workspace = ? AND dataset_id = ? AND {column} IS NOT NULL "
                f"GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT ?",
                [self.workspace, info.id, limit],
            )
            .fetchall()
        )
        return [r[0] for r in rows]

    def cancelled_sales(self, dataset_id: str) -> int:
        """The dataset's sale lines a return cancels, now: each file's own matches and the
        ones re-matched across its files by appends (``store_rematch.rematch_saved``), as a
        cleaning report's ``matched_cancellations`` counts them in one file (a refunded state's sale, flagged by
        its state with a return line added under its line number, is not a match). The Data
        page's "Sale lines cancelled later" after appends: the first save's report said only
        the first file's."""
        info = self.info(dataset_id)
        return int(
            self._cur()
            .execute(
                "SELECT count(*) FROM lines s WHERE s.workspace = ? AND s.dataset_id = ? "
                "AND s.is_cancelled AND NOT coalesce(s.is_return, false) AND NOT EXISTS ("
                "SELECT 1 FROM lines r WHERE r.workspace = s.workspace "
                "AND r.dataset_id = s.dataset_id AND r.line_no = s.line_no AND r.is_return)",
                [self.workspace, info.id],
            )
            .fetchall()[0][0]
        )

    def rejected_rows(self, dataset_id: str) -> pd.DataFrame:
        info = self.info(dataset_id)
        df = (
            self._cur()
            .execute(
                "SELECT line_no, reason, row_json FROM rejected WHERE workspace = ? AND dataset_id = ? "
                "ORDER BY line_no",
                [self.workspace, info.id],
            )
            .df()
        )
        return rejected_frame(df)

    # -- aggregates: the engine seam ------------------------------------------------------
    # Pages and commands ask for these instead of every line with every column: DuckDB
    # reduces the lines (per order, per customer, per day, per customer x product) and only
    # the small frame crosses into pandas. Each one reproduces what the analysis computed
    # from the lines (tests/unit/test_store_aggregates.py checks it against pandas).

    # -- internals ------------------------------------------------------------------------
    def _where(self, info: DatasetInfo, filters: Filters | None) -> tuple[str, list]:
        clauses = ["workspace = ?", "dataset_id = ?"]
        params: list[Any] = [self.workspace, info.id]
        f = filters or Filters()
        if S.ORDER_DATE in info.columns:
            if f.start is not None:
                clauses.append("order_date >= ?")
                params.append(datetime.combine(f.start, datetime.min.time()))
            if f.end is not None:
                clauses.append("order_date < ? + INTERVAL 1 DAY")
                params.append(datetime.combine(f.end, datetime.min.time()))
        for col, values in ((S.COUNTRY, f.countries), (S.CATEGORY, f.categories)):
            if values and col in info.columns:
                clauses.append(f"{col} IN ({', '.join('?' for _ in values)})")
                params.extend(values)
        return " AND ".join(clauses), params

    def _insert_lines(self, cur: duckdb.DuckDBPyConnection, ds_id: str, table: pa.Table) -> None:
        # DuckDB scans an Arrow table about twice as fast as a pandas frame of strings
        cur.register("_frame", table)
        try:
            cols = ", ".join(LINE_COLUMNS)
            cur.execute(
                f"INSERT INTO lines SELECT ?, ?, {cols} FROM _frame", [self.workspace, ds_id]
            ).fetchall()
        finally:
            cur.unregister("_frame")

    def _insert_rejected(
        self, cur: duckdb.DuckDBPyConnection, ds_id: str, rejected: pd.DataFrame
    ) -> None:
        rows = rejected_table(rejected)
        cur.register("_rej", rows)
        try:
            cur.execute(
                "INSERT INTO rejected SELECT ?, ?, line_no, reason, row_json FROM _rej",
                [self.workspace, ds_id],
            ).fetchall()
        finally:
            cur.unregister("_rej")

    _ALERT_MUTES_DDL = (
        "CREATE TABLE IF NOT EXISTS alert_mutes (workspace VARCHAR NOT NULL, "
        "dataset_id VARCHAR NOT NULL, kind VARCHAR NOT NULL, value VARCHAR NOT NULL)"
    )


def _info(row: tuple) -> DatasetInfo:
    (ws, ds_id, name, version, n_rows, columns, mapping, report, source, created, updated) = row
    return DatasetInfo(
        workspace=ws,
        id=ds_id,
        name=name,
        version=int(version),
        rows=int(n_rows),
        columns=tuple(json.loads(columns)),
        mapping=json.loads(mapping),
        report=json.loads(report),
        source=source,
        created=created,
        updated=updated,
    )
