"""Several related tables → one raw order-line table (then the usual mapping and cleaning).

Marketplace and ERP back offices export an order as several tables: orders (order id,
customer, status, dates), order items (one row per product — often one row per *unit*, with
no quantity), customers, products (category in the seller's language), payments, and
sometimes a category translation table. This module:

1. finds the **fact table** (the lines): a table with a product column, the largest such;
2. proposes **join keys** from column names and value overlap, each with the share of lines
   it matches (:func:`propose_joins`); a key that is not unique on the describing side would
   multiply lines, so such a join is never proposed and refused if asked for
   (:class:`JoinError` names the key and a repeated value);
3. turns **one row per unit** into a quantity by counting identical lines (a sequence column
   such as ``order_item_id`` is dropped), when the lines have no quantity column;
4. **translates** a column through a two-column table (``product_category_name`` →
   ``product_category_name_english``), keeping untranslated values as they were;
5. returns one :class:`~ecomdash.ingest.read.RawTable` (all text) with the row counts before
   and after each step (:func:`combine`).

Joins run in DuckDB (LEFT JOIN on a unique key: the line count cannot change).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import PurePath

import duckdb
import numpy as np
import pandas as pd

from ecomdash.errors import EcomdashError, InputFileError
from ecomdash.i18n import N_
from ecomdash.i18n.note import Note, Percent, Quoted, note, quoted
from ecomdash.ingest.platforms_cn import detect, prepare
from ecomdash.ingest.read import DEFAULT_MAX_BYTES, RawTable, _open_zip, read_bytes

#: Column names that say "product" (the fact table holds one of them).
_PRODUCT_NAME = re.compile(
    r"(product|sku|item|article|stock ?code|goods|asin|商品|货号)", re.IGNORECASE
)
#: Column names that say "quantity" (whole normalised name, or starting with qty/quantity).
_QTY_NAME = re.compile(
    r"^(qty|quantity|quant|units?|pcs|pieces|数量|件数|购买数量)$|^(qty|quantity)", re.IGNORECASE
)
#: Column names of a position inside an order (one row per unit: 1, 2, 3 …).
_SEQ_NAME = re.compile(
    r"^(order_?item_?id|item_?seq(uence)?|line_?(no|number|nr|id|seq)|seq(uence)?|position|pos)$",
    re.IGNORECASE,
)
_ID_NAME = re.compile(r"(^id$|_id$|id$|key$|code$|_no$|number$|编号$|号$)", re.IGNORECASE)
MIN_SHARE = 0.5  # a join proposed from values alone must match at least this share of lines
SAMPLE = 2000


class JoinError(EcomdashError):
    """A requested join cannot be made (unknown table/column, or it would multiply lines)."""


@dataclass(frozen=True)
class Join:
    """Join ``table`` (describing) on ``table_column`` to the lines' ``left_column``.

    ``kind`` is ``"describe"`` (adds the table's columns) or ``"translate"`` (a two-column
    table: replaces the left column's values by their translation)."""

    table: str
    left_column: str
    table_column: str
    kind: str = "describe"
    match_share: float = 0.0
    reason: str = ""


@dataclass(frozen=True)
class Refused:
    """A join found by name but refused: ``table_column`` repeats in ``table``."""

    table: str
    column: str
    example: str
    repeats: int
    message: str


@dataclass(frozen=True)
class JoinProposal:
    """The fact table, proposed joins (in order), refused joins and tables left out."""

    fact: str
    joins: tuple[Join, ...]
    refused: tuple[Refused, ...] = ()
    unused: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "table": j.table,
                    "lines column": j.left_column,
                    "table column": j.table_column,
                    "kind": j.kind,
                    "lines matched": j.match_share,
                    "why": j.reason,
                }
                for j in self.joins
            ],
            columns=["table", "lines column", "table column", "kind", "lines matched", "why"],
        )


@dataclass(frozen=True)
class Step:
    """One step of combining: what was done and the line count before and after."""

    step: str
    rows_before: int
    rows_after: int
    matched: int | None = None
    detail: str = ""


@dataclass(frozen=True)
class CombinedResult:
    """The combined lines as a :class:`RawTable`, the joins used and each step's counts."""

    raw: RawTable
    fact: str
    joins: tuple[Join, ...]
    steps: tuple[Step, ...]
    quantity_from_count: bool
    notes: tuple[str, ...] = field(default_factory=tuple)

    def steps_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "step": s.step,
                    "rows before": s.rows_before,
                    "rows after": s.rows_after,
                    "matched lines": s.matched,
                    "detail": s.detail,
                }
                for s in self.steps
            ],
            columns=["step", "rows before", "rows after", "matched lines", "detail"],
        )


# -- reading ---------------------------------------------------------------------------------
def table_name(filename: str) -> str:
    """A table's name from its file name: the stem, without folders and extensions."""
    name = PurePath(str(filename).replace("\\", "/")).name
    for ext in (".gz", ".zip"):
        if name.lower().endswith(ext):
            name = name[: -len(ext)]
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return stem.strip()[:80] or "table"


def read_tables(
    files: list[tuple[str, bytes]],
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    sources: dict[str, str] | None = None,
) -> dict[str, RawTable]:
    """Read several uploaded files (``(name, bytes)``) into named tables.

    A zip holding several data files gives one table per file. The total size is bounded by
    ``max_bytes`` (× 5 unpacked, as for one file). Names repeat → ``name (2)``. ``sources``,
    when given, is filled with each table's file name (``jan.csv``; a zip's member's own).
    """
    total = sum(len(b) for _, b in files)
    if total > max_bytes:
        raise InputFileError(
            note(
                N_(
                    "The files add up to {size} MB; the limit is {limit} MB together. "
                    "Export a shorter period and upload again."
                ),
                size=f"{total / 2**20:,.0f}",
                limit=f"{max_bytes / 2**20:,.0f}",
            )
        )
    out: dict[str, RawTable] = {}

    def add(name: str, raw: RawTable, filename: str) -> None:
        base, k = name, 2
        while name in out:
            name, k = f"{base} ({k})", k + 1
        out[name] = raw
        if sources is not None:
            sources[name] = PurePath(str(filename).replace("\\", "/")).name

    for filename, data in files:
        members = _zip_members(data, max_bytes)
        if members is None:
            add(table_name(filename), read_bytes(data, filename, max_bytes=max_bytes), filename)
            continue
        for inner_name, inner in members:
            raw = read_bytes(inner, inner_name, max_bytes=max_bytes, _nested=True)
            add(table_name(inner_name), replace(raw, compression="zip"), inner_name)
    if not out:
        raise InputFileError(note(N_("No file was given. Upload the tables of your export.")))
    return {name: _header_from_siblings(raw, name, out) for name, raw in out.items()}


def _header_from_siblings(raw: RawTable, name: str, tables: dict[str, RawTable]) -> RawTable:
    """A table read without a header (all text, e.g. a category translation table) whose first
    row names a column of another table: that first row is its header."""
    if raw.has_header or not len(raw.data):
        return raw
    others = {_norm(c) for t, r in tables.items() if t != name for c in r.columns}
    first = [str(v) for v in raw.data.iloc[0]]
    if not any(_norm(v) in others for v in first) or len(set(first)) != len(first):
        return raw
    data = raw.data.iloc[1:].reset_index(drop=True)
    data.columns = first
    return replace(
        raw,
        data=data,
        line_no=np.asarray(raw.line_no)[1:],
        has_header=True,
        notes=(
            *raw.notes,
            note(N_("Its first row names columns of the other tables: read as its header.")),
        ),
    )


def _zip_members(data: bytes, max_bytes: int) -> list[tuple[str, bytes]] | None:
    """The data files of a zip holding several tables; ``None`` for anything else."""
    if data[:4] not in (b"PK\x03\x04", b"PK\x05\x06"):
        return None
    zf = _open_zip(data, max_bytes)
    names = zf.namelist()
    if "[Content_Types].xml" in names:
        return None  # an .xlsx workbook
    infos = [
        i
        for i in zf.infolist()
        if not i.is_dir()
        and not i.filename.startswith("__MACOSX/")
        and not PurePath(i.filename).name.startswith(".")
    ]
    if len(infos) < 2:
        return None  # one file: read_bytes handles it
    try:
        return [(PurePath(i.filename).name, zf.read(i)) for i in infos]
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError) as exc:
        raise InputFileError(
            note(
                N_(
                    "A file inside the zip cannot be unpacked ({error}). It may be encrypted or "
                    "damaged: unpack the zip yourself and upload the tables."
                ),
                error=exc,
            )
        ) from None


def zip_tables(tables: dict[str, bytes]) -> bytes:
    """A zip of ``{file name: bytes}`` (for tests and the CLI's own checks)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in tables.items():
            zf.writestr(name, data)
    return buf.getvalue()


# -- proposing -------------------------------------------------------------------------------
def _norm(name: str) -> str:
    return re.sub(r"[^0-9a-z\u4e00-\u9fff]", "", str(name).lower())


def _nonempty(s: pd.Series) -> pd.Series:
    return s[s != ""]


def _unique_columns(df: pd.DataFrame) -> list[str]:
    out = []
    for c in df.columns:
        v = _nonempty(df[c])
        if len(v) and v.is_unique and len(v) >= 0.9 * len(df):
            out.append(c)
    return out


def _repeat_example(df: pd.DataFrame, col: str) -> tuple[str, int]:
    counts = _nonempty(df[col]).value_counts()
    return str(counts.index[0]), int(counts.iloc[0])


def _sample_share(left: pd.Series, right_values: set) -> float:
    v = _nonempty(left)
    if not len(v):
        return 0.0
    if len(v) > SAMPLE:
        v = v.sample(SAMPLE, random_state=0)
    return float(v.isin(right_values).mean())


def find_fact(tables: dict[str, RawTable]) -> str:
    """The lines: the largest table with a product column (else the largest table)."""

    def score(item):
        name, raw = item
        has_product = any(_PRODUCT_NAME.search(c) for c in raw.columns)
        # a marketplace's order-item report (淘宝 宝贝报表) holds the lines, whatever its size
        item_report = getattr(detect(raw.columns), "key", None) == "taobao_items"
        return (item_report, has_product, len(raw.data))

    return max(tables.items(), key=score)[0]


def _is_translation(raw: RawTable, left_col: str) -> bool:
    """A two-column table joined to a column that is not an id (a category name …)."""
    return len(raw.columns) == 2 and not _ID_NAME.search(left_col)


def propose_joins(tables: dict[str, RawTable], *, fact: str | None = None) -> JoinProposal:
    """Find the fact table and the joins that describe it.

    A join is proposed from any column already on the lines (the fact's own or one added by
    an earlier join) to a column that is unique in the describing table, when both columns
    have the same name (after normalising) and match some lines, or their values match at
    least :data:`MIN_SHARE` of the lines (id-like values only). A same-named column that
    repeats in the describing table is refused (it would multiply lines).
    """
    if fact is None:
        fact = find_fact(tables)
    if fact not in tables:
        raise JoinError(
            note(
                N_("There is no table named {table}. Tables: {tables}. Pick one of them."),
                table=Quoted(fact),
                tables=", ".join(tables),
            )
        )
    fact_df = tables[fact].data
    have: dict[str, pd.Series] = {c: fact_df[c] for c in fact_df.columns}  # lines column → values
    remaining = [t for t in tables if t != fact]
    joins: list[Join] = []
    refused: dict[str, Refused] = {}
    while remaining:
        best: tuple | None = None
        for t in remaining:
            df = tables[t].data
            uniq = set(_unique_columns(df))
            for c in df.columns:
                right_values = set(df[c]) if c in uniq else None
                for left, values in have.items():
                    same = _norm(left) == _norm(c)
                    if c not in uniq:
                        if same and t not in refused:
                            ex, n = _repeat_example(df, c)
                            if n > 1:
                                refused[t] = Refused(t, c, ex, n, _multiply_message(t, c, ex, n))
                        continue
                    share = _sample_share(values, right_values)
                    if share == 0.0:
                        continue
                    idlike = _nonempty(values).nunique() >= 20 or _ID_NAME.search(left)
                    if not same and not (share >= MIN_SHARE and idlike):
                        continue
                    key = (bool(same), share)
                    if best is None or key > best[0]:
                        best = (key, t, left, c)
        if best is None:
            break
        (same, share), t, left, c = best
        kind = "translate" if _is_translation(tables[t], left) else "describe"
        reason = (
            note(N_("same column name; {share} of a sample"), share=Percent(share))
            if same
            else note(N_("values match; {share} of a sample"), share=Percent(share))
        )
        joins.append(Join(t, left, c, kind, _exact_share(have[left], tables[t].data[c]), reason))
        refused.pop(t, None)
        remaining.remove(t)
        if kind == "describe":
            df = tables[t].data
            for col in df.columns:
                if col != c:
                    name = _free_name(col, t, have)
                    have[name] = _lookup(have[left], df, c, col)
    notes = []
    unused = tuple(t for t in remaining)
    for t in unused:
        other = _other_export(tables, fact, t)
        if other is not None:
            notes.append(other)
        elif t in refused:
            notes.append(refused[t].message)
        else:
            notes.append(
                note(
                    N_(
                        "Table {table} shares no key with the lines (no column with the same "
                        "name or matching values): it is left out."
                    ),
                    table=Quoted(t),
                )
            )
    return JoinProposal(fact, tuple(joins), tuple(refused.values()), unused, tuple(notes))


def stack_names(tables: dict[str, RawTable]) -> tuple[str, ...] | None:
    """The tables, in upload order, when every one is an order export of its own — a
    recognised platform export (another platform's, or the same platform's for another
    period) or a table with the lines' very columns —: they are stacked into one dataset
    (``ecomdash.ingest.stack``), not joined. ``None`` when any table describes the lines of
    another (one export's orders + items + customers: joined, as :func:`propose_joins` says)."""
    if len(tables) < 2:
        return None
    fact = find_fact(tables)
    if all(_other_export(tables, fact, t) is not None for t in tables if t != fact):
        return tuple(tables)
    return None


#: the two Taobao reports are one export's two tables (joined on 订单编号), not two exports
_TAOBAO_PAIR = frozenset({"taobao_items", "taobao_orders"})


def _other_export(tables: dict[str, RawTable], fact: str, table: str) -> Note | None:
    """The note for a table left out that holds orders of its own — a recognised platform
    export (another platform's, or the same platform's for another period) or a table with
    the lines' very columns —, which no join can add: it is another export, to be added to
    the saved dataset on its own. ``None`` for any other table left out."""
    lay = detect(tables[table].columns)
    fact_lay = detect(tables[fact].columns)
    if lay is not None and {lay.key, getattr(fact_lay, "key", None)} != _TAOBAO_PAIR:
        return note(
            N_(
                "Table {table} is an order export of its own: {layout}. It does not describe "
                "the lines of {fact}, so its orders are not in this dataset. To have both in "
                "one dataset, save this one, then upload {table} on its own and choose 'Add "
                "to an existing dataset'."
            ),
            table=Quoted(table),
            layout=note(lay.label),
            fact=Quoted(fact),
        )
    if [_norm(c) for c in tables[table].columns] == [_norm(c) for c in tables[fact].columns]:
        return note(
            N_(
                "Table {table} has the same columns as {fact}: it is another export of "
                "orders, not a table that describes the lines, and its orders are not in "
                "this dataset. To have both in one dataset, save this one, then upload "
                "{table} on its own and choose 'Add to an existing dataset'."
            ),
            table=Quoted(table),
            fact=Quoted(fact),
        )
    return None


def _multiply_message(table: str, col: str, example: str, n: int) -> Note:
    return note(
        N_(
            "Table {table} is not joined on {column}: that column is not unique there "
            "({example} appears {n} times), so joining would repeat each matching line "
            "{n} times and multiply revenue. Sum that table per {column} first, or leave it out."
        ),
        table=Quoted(table),
        column=Quoted(col),
        example=Quoted(example),
        n=f"{n:,}",
    )


def _free_name(col: str, table: str, have: dict) -> str:
    if col not in have:
        return col
    name = f"{col} ({table})"
    k = 2
    while name in have:
        name, k = f"{col} ({table} {k})", k + 1
    return name


def _lookup(left: pd.Series, df: pd.DataFrame, key: str, col: str) -> pd.Series:
    m = df.loc[df[key] != "", [key, col]].drop_duplicates(key).set_index(key)[col]
    return left.map(m).fillna("")


def _exact_share(left: pd.Series, right: pd.Series) -> float:
    if not len(left):
        return 0.0
    return float((left.isin(set(_nonempty(right)))).mean())


# -- combining -------------------------------------------------------------------------------
def _q(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def _has_quantity(raw: RawTable) -> bool:
    from ecomdash.ingest.mapping import propose_mapping

    if any(_QTY_NAME.search(_norm(c)) for c in raw.columns):
        return True
    try:
        return propose_mapping(raw).as_dict().get("quantity") is not None
    except EcomdashError:
        return False


def _seq_column(df: pd.DataFrame) -> str | None:
    for c in df.columns:
        if _SEQ_NAME.match(str(c).strip()):
            v = pd.to_numeric(df[c], errors="coerce")
            if v.notna().all() and (v >= 0).all() and v.max() <= 10_000:
                return c
    return None


def combine(
    tables: dict[str, RawTable],
    proposal: JoinProposal | None = None,
    *,
    joins: list[Join] | None = None,
    count_units: bool | None = None,
) -> CombinedResult:
    """Join the tables into one raw table of lines.

    ``joins`` replaces the proposal's joins (the merchant's choice). A join whose table
    column is not unique raises :class:`JoinError` with the key and a repeated value.
    ``count_units`` (default: when the lines have no quantity column) collapses identical
    lines — ignoring a position column such as ``order_item_id`` — into one line with a
    ``quantity`` = their count.
    """
    if proposal is None:
        proposal = propose_joins(tables)
    fact = proposal.fact
    use = list(proposal.joins if joins is None else joins)
    fact_raw = tables[fact]
    df = fact_raw.data.copy()
    steps: list[Step] = [
        Step(
            note(N_("lines: {table}"), table=fact),
            len(df),
            len(df),
            None,
            note(N_("the fact table")),
        )
    ]
    notes: list[str] = []
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET threads TO 2")
        df["__line_no"] = np.asarray(fact_raw.line_no, dtype="int64")
        counted = False
        if count_units is None:
            count_units = not _has_quantity(fact_raw)
        if count_units:
            seq = _seq_column(fact_raw.data)
            keep = [c for c in fact_raw.columns if c != seq]
            con.register("fact_in", df)
            cols = ", ".join(_q(c) for c in keep)
            qname = _free_name("quantity", fact, {c: 1 for c in keep})
            collapsed = con.execute(
                f"SELECT {cols}, CAST(count(*) AS VARCHAR) AS {_q(qname)}, "
                f"min(__line_no) AS __line_no FROM fact_in GROUP BY ALL ORDER BY __line_no"
            ).df()
            con.unregister("fact_in")
            if len(collapsed) < len(df) or seq:
                counts = {"rows": f"{len(df):,}", "lines": f"{len(collapsed):,}"}
                detail = (
                    note(
                        N_(
                            "one row per unit: {rows} rows counted into {lines} lines with a "
                            "quantity (position column {column} dropped)"
                        ),
                        column=Quoted(seq),
                        **counts,
                    )
                    if seq
                    else note(
                        N_(
                            "one row per unit: {rows} rows counted into {lines} lines with a quantity"
                        ),
                        **counts,
                    )
                )
                steps.append(Step(note(N_("units counted")), len(df), len(collapsed), None, detail))
                notes.append(note(N_("{note}."), note=detail).capitalised())
                df = collapsed
                counted = True
        for j in use:
            df = _apply_join(con, df, tables, j, steps, notes, fact)
    finally:
        con.close()
    line_no = df.pop("__line_no").to_numpy(dtype="int64")
    df = df.fillna("").astype(str).reset_index(drop=True)
    raw = prepare(
        RawTable(
            data=df,
            line_no=line_no,
            format=note(N_("{n} tables joined"), n=len(use) + 1),
            encoding=fact_raw.encoding,
            delimiter=fact_raw.delimiter,
            malformed=fact_raw.malformed,
            notes=tuple(notes) + fact_raw.notes,
        )
    )
    return CombinedResult(raw, fact, tuple(use), tuple(steps), counted, tuple(notes))


def _apply_join(con, df, tables, j: Join, steps, notes, fact) -> pd.DataFrame:
    if j.table not in tables:
        raise JoinError(
            note(
                N_("There is no table named {table}. Tables: {tables}."),
                table=Quoted(j.table),
                tables=", ".join(tables),
            )
        )
    if j.table == fact:
        raise JoinError(
            note(
                N_("{table} holds the lines; it cannot also describe them."), table=Quoted(j.table)
            )
        )
    right = tables[j.table].data
    if j.left_column not in df.columns:
        raise JoinError(
            note(
                N_("The lines have no column {column} to join {table} on. Columns: {columns}."),
                column=Quoted(j.left_column),
                table=Quoted(j.table),
                columns=", ".join(c for c in df.columns if c != "__line_no"),
            )
        )
    if j.table_column not in right.columns:
        raise JoinError(
            note(
                N_("Table {table} has no column {column}. Its columns: {columns}."),
                table=Quoted(j.table),
                column=Quoted(j.table_column),
                columns=", ".join(right.columns),
            )
        )
    dup = _nonempty(right[j.table_column])
    if not dup.is_unique:
        ex, n = _repeat_example(right, j.table_column)
        raise JoinError(_multiply_message(j.table, j.table_column, ex, n))
    con.register("l", df)
    con.register("r", right)
    k_l, k_r = _q(j.left_column), _q(j.table_column)
    on = f"l.{k_l} = r.{k_r} AND r.{k_r} <> ''"
    before = len(df)
    matched = con.execute(f"SELECT count(*) FROM l JOIN r ON {on}").fetchone()[0]
    if j.kind == "translate":
        other = next(c for c in right.columns if c != j.table_column)
        sel = ", ".join(
            f"COALESCE(r.{_q(other)}, l.{_q(c)}) AS {_q(c)}" if c == j.left_column else f"l.{_q(c)}"
            for c in df.columns
        )
        out = con.execute(f"SELECT {sel} FROM l LEFT JOIN r ON {on} ORDER BY l.__line_no").df()
        distinct = _nonempty(df[j.left_column]).unique()
        missing = sorted(set(distinct) - set(right[j.table_column]))
        fields = {
            "column": Quoted(j.left_column),
            "table": Quoted(j.table),
            "n": f"{len(distinct) - len(missing):,}",
            "total": f"{len(distinct):,}",
        }
        detail = (
            note(
                N_(
                    "{column} translated through {table}: {n} of {total} values; "
                    "kept as they were: {kept}"
                ),
                kept=quoted(missing[:5]),
                **fields,
            )
            if missing
            else note(N_("{column} translated through {table}: {n} of {total} values"), **fields)
        )
        notes.append(note(N_("{note}."), note=detail).capitalised())
    else:
        have = {c: 1 for c in df.columns}
        extra = []
        for c in right.columns:
            if c == j.table_column:
                continue
            name = _free_name(c, j.table, have)
            have[name] = 1
            extra.append(f"COALESCE(r.{_q(c)}, '') AS {_q(name)}")
        sel = ", ".join(["l.*", *extra])
        out = con.execute(f"SELECT {sel} FROM l LEFT JOIN r ON {on} ORDER BY l.__line_no").df()
        detail = note(
            N_("on {column} = {table}.{table_column}"),
            column=Quoted(j.left_column),
            table=Quoted(j.table),
            table_column=Quoted(j.table_column),
        )
        if matched < before:
            notes.append(
                note(
                    N_(
                        "{n} of {total} lines have no match in {table} (on {column}): "
                        "their {table_name} columns are empty."
                    ),
                    n=f"{before - matched:,}",
                    total=f"{before:,}",
                    table=Quoted(j.table),
                    column=Quoted(j.left_column),
                    table_name=j.table,
                )
            )
    con.unregister("l")
    con.unregister("r")
    if len(out) != before:  # cannot happen on a unique key; checked anyway
        raise JoinError(
            note(
                N_("Joining {table} changed the line count from {before} to {after}."),
                table=Quoted(j.table),
                before=str(before),
                after=str(len(out)),
            )
        )
    kind = note(N_("describe")) if j.kind == "describe" else note(N_("translate"))
    steps.append(
        Step(
            note(N_("{kind}: {table}"), kind=kind, table=j.table),
            before,
            len(out),
            int(matched),
            detail,
        )
    )
    return out


def joins_from_choices(
    tables: dict[str, RawTable],
    proposal: JoinProposal,
    choices: dict[str, str | tuple[str, str] | None],
) -> list[Join]:
    """The proposal's joins changed by the merchant: ``{table: "lines_column[:table_column]"}``
    (or a ``(lines_column, table_column)`` pair)
    joins (or re-keys) that table; ``None``/``""`` leaves it out. Unknown names raise
    :class:`JoinError`."""
    joins = {j.table: j for j in proposal.joins}
    order = [j.table for j in proposal.joins]
    for table, spec in choices.items():
        if table not in tables:
            raise JoinError(
                note(
                    N_(
                        "There is no table named {table}. Tables: {tables}. "
                        "Use the name of the file without its extension."
                    ),
                    table=Quoted(table),
                    tables=", ".join(tables),
                )
            )
        if not spec:
            joins.pop(table, None)
            continue
        if isinstance(spec, tuple):
            left, right = spec
        else:
            left, _, right = str(spec).partition(":")
            right = right or left
        kind = "translate" if _is_translation(tables[table], left) else "describe"
        joins[table] = Join(table, left, right, kind, 0.0, note(N_("chosen by you")))
        if table not in order:
            order.append(table)
    return [joins[t] for t in order if t in joins]


def is_multi_table_zip(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bool:
    """Whether ``data`` is a zip holding several data files (tables of one export)."""
    return _zip_members(data, max_bytes) is not None
