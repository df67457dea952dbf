"""The floor of an all-DuckDB ingest (issue #12, brief floor11): a measured prototype, not product code.

    uv run python bench/bench_sql_floor.py FILE.csv.gz [--compare HOME:DATASET_ID] [--keep DIR]

Runs, each in a fresh child process, on the same file and in the same run:

1. ``reference``: ``bench_scale``'s own reference step (``CREATE TABLE t AS SELECT * FROM
   read_csv(file)`` into an in-memory DuckDB), so the ratio means what the issue's goal means;
2. the all-SQL ingest into a fresh DuckDB file created with the store's own DDL
   (``ecomdash.store._DDL``, which includes the rollup DDL of ``ecomdash/rollup*.py``), step
   by step: the mapping and formats decided on the file's head by ``ecomdash.ingest``'s own
   functions (``partitioned.read_head`` / ``infer_formats``); the file read by DuckDB's
   parallel CSV reader as text (``all_varchar``: the cleaning rules need the cells as
   written — ``13085.0``, surrounding spaces, ``="…"``, leading zeros, unreadable numbers
   counted rather than a column typed VARCHAR); the checks a real route needs before trusting
   the read (line numbers, conversions equal to ``ecomdash.ingest.convert``'s on every
   distinct value, no full-width / wrapped ids); exact duplicates; the cleaned columns and
   rule flags; the rule counts; cancelled sales matched one-to-one (a clamped running sum +
   an ASOF join: the stack matching of ``returns._match_cancellations`` in SQL); the lines
   and rejected rows written; ``rollup.build`` (its SQL route, from the lines); commit and
   checkpoint.

Prints a table of each step's wall and CPU seconds (CPU of the process: DuckDB's threads
included) and the ratio of the ingest to the reference. With ``--compare`` the result is
checked against a store written by the present route from the same file: rule counts,
the lines (EXCEPT ALL both ways on every column, line numbers included) and every rollup
table (EXCEPT ALL without the integer codes, doubles rounded to 1e-6).

Big files: the script takes ``/tmp/ecomdash-big.lock`` itself (``--no-lock`` for a small
file; do not also run it under ``flock`` on that lock, it would wait for itself).
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import secrets
import subprocess
import sys
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

LOCK = "/tmp/ecomdash-big.lock"
#: Python's str.strip() whitespace (what Arrow's utf8_trim_whitespace trims, as the cleaner does)
WS = "".join(chr(i) for i in range(0x110000) if chr(i).isspace())
_TEXT_FIELDS = (
    "order_id",
    "customer_id",
    "product_id",
    "product_name",
    "country",
    "category",
    "channel",
    "location",
)
_ID_FIELDS = ("order_id", "customer_id", "product_id")
#: a value with that whitespace at either end (RE2 class of the same characters): DuckDB's
#: trim(x, characters) is ~20x slower than the check, so only such values are trimmed
_WS_CLASS = "[" + "".join(f"\\x{{{ord(c):04X}}}" for c in WS) + "]"
_WS_END = f"^{_WS_CLASS}|{_WS_CLASS}$"
#: dates DuckDB's cast reads as pandas' ISO parse does (the lean route's per-row check)
_STRICT_ISO = "[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}"
_NUM_FIELDS = ("quantity", "unit_price", "revenue")


def _peak_mb() -> float:
    with open("/proc/self/status") as f:
        hwm = next(ln for ln in f if ln.startswith("VmHWM"))
    return int(hwm.split()[1]) / 1024


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


class Steps:
    """Wall and CPU seconds of each named step, in order."""

    def __init__(self) -> None:
        self.rows: list[dict] = []
        self._t = time.perf_counter()
        self._c = time.process_time()

    def mark(self, name: str, **extra) -> None:
        t, c = time.perf_counter(), time.process_time()
        self.rows.append({"step": name, "wall": t - self._t, "cpu": c - self._c, **extra})
        self._t, self._c = t, c


# -- the reference (bench_scale's own step) --------------------------------------------------


def _reference(csv: str) -> dict:
    import duckdb  # noqa: F401 - imports are not the step, as in bench_scale._child
    from bench_scale import _duckdb_reference

    t, c = time.perf_counter(), time.process_time()
    got = _duckdb_reference({"csv": csv})
    return {
        "wall": time.perf_counter() - t,
        "cpu": time.process_time() - c,
        "peak_mb": _peak_mb(),
        **got,
    }


# -- the all-SQL ingest ------------------------------------------------------------------------


def _decide(csv: str) -> tuple[dict, dict, list[str]]:
    """Mapping and formats decided on the file's head by the present code (the Spark route's
    functions): (mapping, formats, header columns)."""
    from ecomdash.ingest.mapping import propose_mapping, resolve_mapping
    from ecomdash.ingest.partitioned import infer_formats, read_head
    from ecomdash.ingest.read import read_bytes

    head, _whole = read_head(csv)
    raw = read_bytes(head, Path(csv).name.removesuffix(".gz"))
    mapping = resolve_mapping(raw, propose_mapping(raw), None)
    formats = infer_formats(raw, mapping)
    return mapping, formats, list(raw.columns)


def _count_lines(csv: str) -> int:
    """Physical lines of the file as the present reader counts them (a last line without a
    newline counts)."""
    import isal.igzip as igzip

    with open(csv, "rb") as fh:
        gz = fh.read(2) == b"\x1f\x8b"
    opener = igzip.open if gz else open
    lines, last = 0, b"\n"
    with opener(csv, "rb") as fh:
        while chunk := fh.read(1 << 22):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    return lines + (last != b"\n")


def _trim(col: str, needs: dict[str, bool]) -> str:
    """``col`` trimmed of Python's whitespace; the column itself when no value needs it."""
    if not needs.get(col, True):
        return _q(col)
    return f"(CASE WHEN regexp_matches({_q(col)}, {_lit(_WS_END)}) THEN trim({_q(col)}, {_lit(WS)}) ELSE {_q(col)} END)"


def _text_expr(col: str, fld: str, wrapped: bool, needs: dict[str, bool]) -> str:
    """The cleaned text of a field (clean_text._text): trimmed of Python's whitespace,
    ``="…"`` unwrapped when the file has any, empty as NULL (customer ids: ``.0`` dropped and
    guest placeholders NULL, see _customer)."""
    t = _trim(col, needs)
    if wrapped:
        t = (
            f"(CASE WHEN starts_with({t}, '=\"') AND ends_with({t}, '\"') AND length({t}) >= 3 "
            f"THEN trim({t}[3:-2], {_lit(WS)}) ELSE {t} END)"
        )
    return t


def _ingest(
    csv: str,
    out: str,
    *,
    threads: int,
    preserve: bool,
    compression: str,
    lean: bool,
    rollup_route: str,
) -> dict:
    import duckdb
    import numpy as np
    import pyarrow as pa

    from ecomdash import rollup
    from ecomdash import schema as S
    from ecomdash.ingest.clean import GUEST_IDS
    from ecomdash.ingest.convert import _datetimes_of, _numbers_of, unwrap_all
    from ecomdash.ingest.platforms_cn import halfwidth
    from ecomdash.store import _DDL, LINE_COLUMNS

    st = Steps()
    mapping, formats, header = _decide(csv)
    st.mark("decide mapping + formats on the head (ecomdash.ingest)")

    path = Path(out, "ecomdash.duckdb")
    path.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    con.execute(f"SET threads = {threads}")
    con.execute(f"SET preserve_insertion_order = {str(preserve).lower()}")
    if compression != "auto":
        con.execute(f"SET force_compression = '{compression}'")
    for ddl in _DDL:
        con.execute(ddl)
    ws, ds = "local", secrets.token_hex(6)
    st.mark("open a fresh store file + the store's DDL")

    # lean: the file's physical lines are counted on a thread while DuckDB reads
    pool = ThreadPoolExecutor(max_workers=1) if lean else None
    counting = pool.submit(_count_lines, csv) if pool is not None else None
    # 1. read: every cell as text, in file order (rowid = the row's index in the file)
    cols = ", ".join(f"{_lit(c)}: 'VARCHAR'" for c in header)
    con.execute(
        f"""CREATE TEMP TABLE raw AS SELECT * FROM read_csv({_lit(csv)}, header = true,
            delim = ',', quote = '"', escape = '"', skip = 0, columns = {{{cols}}},
            strict_mode = true, null_padding = false, encoding = 'utf-8')"""
    )
    n = con.execute("SELECT count(*) FROM raw").fetchone()[0]
    st.mark("read_csv all text into a temp table", rows=n)

    # 2. checks before the route is trusted (else a real route falls back to the present one)
    m = {f: c for f, c in mapping.items() if c in header}
    anynl = " OR ".join(f"contains({_q(c)}, chr(10)) OR contains({_q(c)}, chr(13))" for c in header)
    fullwidth = " OR ".join(
        f"regexp_matches({_q(m[f])}, '[\\x{{3000}}\\x{{FF01}}-\\x{{FF5E}}]')"
        for f in _ID_FIELDS
        if f in m
    )
    wrapped_re = _lit("^" + _WS_CLASS + '*="')
    wrapped = " OR ".join(
        f"regexp_matches({_q(m[f])}, {wrapped_re})" for f in _TEXT_FIELDS if f in m
    )
    c_nonascii = (
        f"regexp_matches({_q(m['order_id'])}, '^\\s*[Cc].*[^\\x00-\\x7F]')"
        if "order_id" in m
        else "false"
    )
    # lean: only the text fields' columns are scanned for whitespace at their ends; the
    # number columns are checked on their distinct values, the dates by the strict ISO form
    scanned = [m[f] for f in _TEXT_FIELDS if f in m] if lean else header
    ends = ", ".join(
        f"coalesce(bool_or(regexp_matches({_q(c)}, {_lit(_WS_END)})), false)" for c in scanned
    )
    iso = (
        f"coalesce(bool_and(regexp_full_match({_q(m[S.ORDER_DATE])}, {_lit(_STRICT_ISO)})), false)"
        if lean and S.ORDER_DATE in m
        else "false"
    )
    detailed = f"""SELECT coalesce(bool_or({anynl}), false), coalesce(bool_or({fullwidth or "false"}), false),
                   coalesce(bool_or({wrapped or "false"}), false), coalesce(bool_or({c_nonascii}), false),
                   {iso}, {ends}
            FROM raw"""
    if lean:
        # one regex per column for anything that needs a closer look (a line break, spaces at
        # an end, ="…", full-width forms, a non-ASCII C id); only when one is found are the
        # checks above run one by one
        suspects = []
        for c in header:
            f = next((f for f in _TEXT_FIELDS if m.get(f) == c), None)
            if f is None:
                suspects.append(f"contains({_q(c)}, chr(10)) OR contains({_q(c)}, chr(13))")
                continue
            alts = [f"^{_WS_CLASS}", f"{_WS_CLASS}$", "[\\n\\r]", "^" + _WS_CLASS + '*="']
            if f in _ID_FIELDS:
                alts.append("[\\x{3000}\\x{FF01}-\\x{FF5E}]")
            if f == "order_id":
                alts.append("^[Cc].*[^\\x00-\\x7F]")
            suspects.append(f"regexp_matches({_q(c)}, {_lit('|'.join(alts))})")
        got = con.execute(
            f"SELECT coalesce(bool_or({' OR '.join(suspects)}), false), {iso} FROM raw"
        ).fetchone()
        chk = (
            con.execute(detailed).fetchone()
            if got[0]
            else (False, False, False, False, got[1], *[False] * len(scanned))
        )
    else:
        chk = con.execute(detailed).fetchone()
    needs = dict(zip(scanned, chk[5:], strict=True))
    if lean and chk[4]:
        needs[m[S.ORDER_DATE]] = False
    checks = {
        "line_break_in_a_value": chk[0],
        "full_width_ids": chk[1],
        "wrapped_values": chk[2],
        "non_ascii_C_ids": chk[3],
        "columns_to_trim": [c for c, v in needs.items() if v],
        "dates_all_strict_iso": chk[4],
    }
    st.mark("checks: line breaks, spaces at the ends, full-width / wrapped ids (one scan)")

    # physical lines: blank lines are skipped by DuckDB silently, so rowid + 2 is the line
    # number only when the file holds exactly rows + 1 lines (header + rows)
    lines_in_file = counting.result() if counting is not None else _count_lines(csv)
    checks["physical_lines"] = lines_in_file
    checks["line_numbers_exact"] = (lines_in_file == n + 1) and not chk[0]
    st.mark("checks: the file's physical lines (isal inflate; lean: on a thread during the read)")
    if pool is not None:
        pool.shutdown()

    # conversions: DuckDB's casts must equal the cleaner's converters on every distinct value
    conv_ok = {}
    for fld in (*_NUM_FIELDS, S.ORDER_DATE):
        if fld not in m or (fld == S.ORDER_DATE and chk[4]):
            # lean: every date is YYYY-MM-DD HH:MM:SS, where DuckDB's cast and pandas' ISO
            # parse agree (checked value for value on the 10 M file's 3.7 M distinct dates)
            continue
        c = _q(m[fld])
        typ = "TIMESTAMP" if fld == S.ORDER_DATE else "DOUBLE"
        with warnings.catch_warnings():  # a few thousand distinct values: the copy is nothing
            warnings.simplefilter("ignore", UserWarning)
            tab = con.execute(
                f"""SELECT v, TRY_CAST(trim(v, {_lit(WS)}) AS {typ}) AS x
                    FROM (SELECT DISTINCT {c} AS v FROM raw) WHERE v IS NOT NULL"""
            ).to_arrow_table()
        if lean:
            needs[m[fld]] = any(v != v.strip() for v in tab["v"].to_pylist())
        u = np.asarray(
            halfwidth(unwrap_all(tab["v"].combine_chunks())).fill_null("").to_pylist(), dtype=object
        )
        if fld == S.ORDER_DATE:
            ref, _ = _datetimes_of(u, dayfirst=formats.get("dayfirst"))
            got = tab["x"].combine_chunks().cast(pa.timestamp("us")).to_numpy(zero_copy_only=False)
            got = np.asarray(got, dtype="datetime64[us]")
            same = (np.isnat(ref) & np.isnat(got)) | (ref == got)
        else:
            ref, _ = _numbers_of(u, decimal=formats["decimal"].get(fld))
            got = tab["x"].combine_chunks().to_numpy(zero_copy_only=False).astype(float)
            got[~np.isfinite(got)] = np.nan
            same = (np.isnan(ref) & np.isnan(got)) | (ref == got)
        conv_ok[fld] = {"distinct": len(u), "equal": bool(same.all())}
    checks["conversions"] = conv_ok
    st.mark("checks: casts = ecomdash converters on each distinct number/date value")

    # 3. exact duplicates of an earlier row (every cell as read; "" and missing alike)
    allc = ", ".join(f"coalesce({_q(c)}, '')" for c in header)
    con.execute(
        f"""CREATE TEMP TABLE dup AS
            WITH h AS (SELECT rowid AS rid, hash({allc}) AS h FROM raw),
            cand AS (SELECT h FROM h GROUP BY h HAVING count(*) > 1)
            SELECT rid FROM (
                SELECT r.rowid AS rid, row_number() OVER (PARTITION BY {allc} ORDER BY r.rowid) AS k
                FROM raw r SEMI JOIN (SELECT rid FROM h SEMI JOIN cand USING (h)) x
                  ON r.rowid = x.rid) WHERE k > 1"""
    )
    n_dup = con.execute("SELECT count(*) FROM dup").fetchone()[0]
    st.mark("duplicates: row hash, then exact on the colliding rows", duplicates=n_dup)

    # 4. the cleaned columns and each row's rule flags
    def num(fld: str) -> str:
        x = f"TRY_CAST({_trim(m[fld], needs)} AS DOUBLE)"
        return f"(CASE WHEN isfinite({x}) THEN {x} END)"

    def empty(fld: str) -> str:
        return f"(coalesce({_trim(m[fld], needs)}, '') = '')"

    sel = [f"rowid + 2 AS {S.LINE_NO}", "rowid AS rid"]
    for fld in _TEXT_FIELDS:
        if fld not in m:
            continue
        t = _text_expr(m[fld], fld, checks["wrapped_values"], needs)
        if fld == S.CUSTOMER_ID:
            guests = ", ".join(_lit(g) for g in sorted(GUEST_IDS))
            fixed = f"(contains({t}, '.') AND regexp_full_match({t}, '-?[0-9]+\\.0+'))"
            t2 = f"(CASE WHEN {fixed} THEN regexp_replace({t}, '\\.0+$', '') ELSE {t} END)"
            sel += [
                f"{fixed} AS _cust_fixed",
                f"(lower({t2}) IN ({guests})) AS _cust_guest",
                f"(CASE WHEN lower({t2}) IN ({guests}) OR {t2} = '' THEN NULL ELSE {t2} END) AS {fld}",
            ]
        else:
            sel.append(f"nullif({t}, '') AS {fld}")
        if fld == S.PRODUCT_NAME:
            sel.append(f"({_trim(m[fld], needs)} <> {_q(m[fld])} AND {t} <> '') AS _name_trimmed")
    for fld in _NUM_FIELDS:
        if fld in m:
            sel += [f"{num(fld)} AS {fld}", f"{empty(fld)} AS _{fld}_empty"]
    if S.ORDER_DATE in m:
        sel.append(f"TRY_CAST({_trim(m[S.ORDER_DATE], needs)} AS TIMESTAMP) AS order_date")
    kind = "VIEW" if lean else "TABLE"  # lean: evaluated where used, never materialised
    con.execute(f"CREATE TEMP {kind} c0 AS SELECT {', '.join(sel)} FROM raw")
    st.mark("cleaned columns (trim, ids, casts): temp table (lean: a view)")

    # cancellation invoices: decided on the whole file (clean.py: any, and under half)
    c_share = con.execute(
        "SELECT avg(CASE WHEN regexp_full_match(order_id, '[Cc][0-9]+') THEN 1 ELSE 0 END) FROM c0"
    ).fetchone()[0]
    cancel_invoices = bool(c_share and 0 < c_share < 0.5)
    # non-product codes / names: Python's regex on the distinct values (a few thousand)
    pids = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT product_id FROM c0 WHERE product_id IS NOT NULL"
        ).fetchall()
    ]
    np_ids = [p for p in pids if S.NON_PRODUCT_CODE.search(p)]
    con.execute("CREATE TEMP TABLE np_ids (product_id VARCHAR)")
    if np_ids:
        con.executemany("INSERT INTO np_ids VALUES (?)", [[p] for p in np_ids])
    names_np = "false"
    if S.PRODUCT_NAME in m:
        names = [
            r[0]
            for r in con.execute(
                "SELECT DISTINCT product_name FROM c0 WHERE product_id IS NULL AND product_name IS NOT NULL"
            ).fetchall()
        ]
        np_names = [p for p in names if S.NON_PRODUCT_NAME.search(p)]
        con.execute("CREATE TEMP TABLE np_names (product_name VARCHAR)")
        if np_names:
            con.executemany("INSERT INTO np_names VALUES (?)", [[p] for p in np_names])
        names_np = "(product_id IS NULL AND product_name IN (SELECT product_name FROM np_names))"
    st.mark("decisions: C-invoice share, non-product ids/names (Python regex on distinct)")

    c_id = (
        "coalesce(regexp_full_match(order_id, '[Cc][0-9]+'), false)" if cancel_invoices else "false"
    )
    bad_num = (
        " OR ".join(f"({fld} IS NULL AND NOT _{fld}_empty)" for fld in _NUM_FIELDS if fld in m)
        or "false"
    )
    con.execute(
        f"""CREATE TEMP {kind} c AS SELECT *,
              {c_id} AS _c_id,
              {c_id} OR coalesce(quantity < 0, false) AS is_return,
              (coalesce(product_id IN (SELECT product_id FROM np_ids), false) OR {names_np}) AS is_non_product,
              order_date IS NULL AS _bad_date,
              ({bad_num}) AS _bad_num,
              rid IN (SELECT rid FROM dup) AS _dup,
              CASE WHEN order_date IS NULL THEN 'unreadable_date'
                   WHEN {bad_num} THEN 'unreadable_number'
                   WHEN rid IN (SELECT rid FROM dup) THEN 'duplicate' END AS reason
            FROM c0"""
    )
    if not lean:
        con.execute("DROP TABLE c0")
    st.mark("rule flags + drop reason per row: temp table (lean: a view)")

    # 5. rule counts, on the rows as read (as clean.py counts them), in its order
    price = "unit_price" if "unit_price" in m else ("revenue" if "revenue" in m else None)
    counts_sql = {
        "customer_id_float": "count(*) FILTER (WHERE _cust_fixed AND NOT _cust_guest)",
        "guest_placeholder": "count(*) FILTER (WHERE _cust_guest)",
        "trimmed_names": "count(*) FILTER (WHERE _name_trimmed)",
        "unreadable_date": "count(*) FILTER (WHERE _bad_date)",
        "unreadable_number": "count(*) FILTER (WHERE _bad_num)",
        "duplicate": "count(*) FILTER (WHERE _dup)",
        "cancellation_invoice": "count(*) FILTER (WHERE _c_id)",
        "cancellation_orders": "count(DISTINCT order_id) FILTER (WHERE _c_id)",
        "negative_quantity": "count(*) FILTER (WHERE quantity < 0 AND NOT _c_id)",
        "zero_price": f"count(*) FILTER (WHERE {price} = 0)",
        "negative_price": f"count(*) FILTER (WHERE {price} < 0)",
        "missing_number": " + ".join(
            f"count(*) FILTER (WHERE _{f}_empty)" for f in _NUM_FIELDS if f in m
        ),
        "missing_product": "count(*) FILTER (WHERE product_id IS NULL AND product_name IS NULL)",
        "missing_product_name": "count(*) FILTER (WHERE product_name IS NULL AND product_id IS NOT NULL)",
        "missing_customer": "count(*) FILTER (WHERE customer_id IS NULL)",
        "non_product": "count(*) FILTER (WHERE is_non_product)",
        "rows_kept": "count(*) FILTER (WHERE reason IS NULL)",
    }
    row = con.execute(f"SELECT {', '.join(counts_sql.values())} FROM c").fetchone()
    counts = dict(zip(counts_sql, (int(x or 0) for x in row), strict=True))
    st.mark("rule counts (one aggregate)")

    # 6. cancelled sales: each return pops the latest unmatched earlier sale of the same
    # customer, product and opposite quantity (returns._match_cancellations' stack). Height
    # after each event = P - min(0, running min P) (P: +1 sale, -1 return, clamped at 0); a
    # return finding height h >= 1 before it pops the latest sale that pushed to h (ASOF).
    con.execute(
        """CREATE TEMP TABLE matched AS
        WITH k AS (
            SELECT line_no, customer_id AS cu, product_id AS pr, quantity AS q, order_date AS d, is_return
            FROM c WHERE reason IS NULL AND customer_id IS NOT NULL AND product_id IS NOT NULL
              AND quantity IS NOT NULL AND order_date IS NOT NULL),
        r AS (SELECT cu, pr, -q AS aq, d, 1 AS kind, line_no FROM k WHERE is_return AND q < 0),
        s AS (SELECT cu, pr, q AS aq, d, 0 AS kind, line_no FROM k
              WHERE NOT is_return AND q > 0 AND (cu, pr, q) IN (SELECT (cu, pr, aq) FROM r)),
        ev AS (SELECT *, sum(CASE WHEN kind = 0 THEN 1 ELSE -1 END) OVER w AS p,
                      row_number() OVER w AS seq
               FROM (SELECT * FROM s UNION ALL SELECT * FROM r)
               WINDOW w AS (PARTITION BY cu, pr, aq ORDER BY d, kind, line_no
                            ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)),
        h AS (SELECT *, p - least(0, min(p) OVER w) AS height FROM ev
              WINDOW w AS (PARTITION BY cu, pr, aq ORDER BY seq
                           ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)),
        hh AS (SELECT *, coalesce(lag(height) OVER (PARTITION BY cu, pr, aq ORDER BY seq), 0) AS before
               FROM h),
        rets AS (SELECT cu, pr, aq, seq, before AS level FROM hh WHERE kind = 1 AND before >= 1),
        sales AS (SELECT cu, pr, aq, seq, height AS level, line_no FROM hh WHERE kind = 0)
        SELECT sales.line_no FROM rets ASOF JOIN sales
          ON rets.cu = sales.cu AND rets.pr = sales.pr AND rets.aq = sales.aq
         AND rets.level = sales.level AND rets.seq > sales.seq"""
    )
    counts["cancelled_sale"] = con.execute("SELECT count(*) FROM matched").fetchone()[0]
    st.mark("cancelled sales matched (window + ASOF join)")

    # 7. the lines, the rejected rows, the rollup, the dataset row: one transaction
    con.execute("BEGIN")
    if lean:  # the lines carry their line numbers: their order in the table is not needed
        con.execute("SET preserve_insertion_order = false")
    exprs = []
    for col in LINE_COLUMNS:
        if col == S.IS_CANCELLED:
            exprs.append("line_no IN (SELECT line_no FROM matched)")
        elif col in (S.IS_RETURN, S.IS_NON_PRODUCT, S.LINE_NO) or col in m:
            exprs.append(col)
        else:
            exprs.append(f"CAST(NULL AS {LINE_COLUMNS[col]})")
    con.execute(
        f"INSERT INTO lines SELECT ?, ?, {', '.join(exprs)} FROM c WHERE reason IS NULL", [ws, ds]
    )
    st.mark("INSERT INTO lines")
    raw_json = "to_json({" + ", ".join(f"{_lit(c)}: r.{_q(c)}" for c in header) + "})::VARCHAR"
    con.execute(
        f"""INSERT INTO rejected SELECT ?, ?, c.line_no, c.reason, {raw_json}
            FROM c JOIN raw r ON r.rowid = c.rid WHERE c.reason IS NOT NULL
            ORDER BY c.line_no LIMIT 200000""",
        [ws, ds],
    )
    st.mark("INSERT INTO rejected")
    columns = tuple(f for f in S.CANONICAL if f in m)
    if rollup_route == "frame":
        # the present save's route: the lines as Arrow, numbered by rollup.code_frame, grouped
        # on integer codes (here the lines are read back from the table just written)
        frame = con.sql(
            f"SELECT {', '.join(LINE_COLUMNS)} FROM lines WHERE dataset_id = ?", params=[ds]
        ).to_arrow_table()
        frame = pa.Table.from_batches(frame.to_batches(max_chunksize=65_536), frame.schema)
        st.mark("lines read back as Arrow (for the frame route)")
        rollup.build(con, ws, ds, columns, 1, frame=frame, coded=rollup.code_frame(frame))
        del frame
        st.mark("rollup.build (frame route: code_frame + integer grouping)")
    else:
        rollup.build(con, ws, ds, columns, 1)
        st.mark("rollup.build (its SQL route, from the lines)")
    now = datetime.now().replace(microsecond=0)
    report = {
        "rows_read": n,
        "rows_kept": counts["rows_kept"],
        "matched_cancellations": counts["cancelled_sale"],
        "counts": counts,
        "checks": checks,
        "cancel_invoices": cancel_invoices,
    }
    con.execute(
        "INSERT INTO datasets VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?)",
        [ws, ds, "floor11", counts["rows_kept"], json.dumps(list(columns)), json.dumps(mapping),
         json.dumps(report, default=str), "upload", now, now],
    )  # fmt: skip
    con.execute("COMMIT")
    st.mark("COMMIT")
    con.execute("CHECKPOINT")
    con.close()
    st.mark("CHECKPOINT + close")
    return {
        "steps": st.rows,
        "peak_mb": _peak_mb(),
        "dataset_id": ds,
        "store": str(path),
        "report": report,
        "size_mb": path.stat().st_size / 2**20,
    }


# -- the comparison with the present route ---------------------------------------------------


def _compare(mine: str, my_ds: str, home: str, ds: str) -> dict:
    import duckdb

    from ecomdash import rollup
    from ecomdash.store import LINE_COLUMNS

    con = duckdb.connect(mine, read_only=True)
    con.execute(f"ATTACH {_lit(str(Path(home, 'ecomdash.duckdb')))} AS p (READ_ONLY)")
    out: dict = {}
    rep = json.loads(con.execute("SELECT report FROM p.datasets WHERE id = ?", [ds]).fetchone()[0])
    my = json.loads(con.execute("SELECT report FROM datasets WHERE id = ?", [my_ds]).fetchone()[0])
    present = {r["rule"]: r["rows"] for r in rep["rules"]}
    present["rows_kept"] = rep["rows_kept"]
    out["counts"] = {k: {"present": v, "sql": my["counts"].get(k)} for k, v in present.items()}
    cols = ", ".join(LINE_COLUMNS)
    for a, b, da, db in (("main", "p", my_ds, ds), ("p", "main", ds, my_ds)):
        out[f"lines {a} EXCEPT ALL {b}"] = con.execute(
            f"""SELECT count(*) FROM (SELECT {cols} FROM {a}.lines WHERE dataset_id = ?
                EXCEPT ALL SELECT {cols} FROM {b}.lines WHERE dataset_id = ?)""",
            [da, db],
        ).fetchone()[0]
    for a, b, da, db in (("main", "p", my_ds, ds), ("p", "main", ds, my_ds)):
        out[f"rejected line numbers {a} EXCEPT ALL {b}"] = con.execute(
            f"""SELECT count(*) FROM (SELECT line_no FROM {a}.rejected WHERE dataset_id = ?
                EXCEPT ALL SELECT line_no FROM {b}.rejected WHERE dataset_id = ?)""",
            [da, db],
        ).fetchone()[0]
    tables = [t for t in rollup.TABLES if not t.endswith("versions")]
    for t in tables:
        info = con.execute(f"DESCRIBE {t}").fetchall()
        keep = []
        for name, typ, *_ in info:
            if name in ("workspace", "dataset_id") or name.endswith("_code"):
                continue
            keep.append(f"round({name}, 6) AS {name}" if typ == "DOUBLE" else name)
        sel = ", ".join(keep)
        n_mine, n_p = (
            con.execute(f"SELECT count(*) FROM {s}.{t} WHERE dataset_id = ?", [d]).fetchone()[0]
            for s, d in (("main", my_ds), ("p", ds))
        )
        diff = [
            con.execute(
                f"""SELECT count(*) FROM (SELECT {sel} FROM {a}.{t} WHERE dataset_id = ?
                    EXCEPT ALL SELECT {sel} FROM {b}.{t} WHERE dataset_id = ?)""",
                [da, db],
            ).fetchone()[0]
            for a, b, da, db in (("main", "p", my_ds, ds), ("p", "main", ds, my_ds))
        ]
        codes = [
            name for name, *_ in con.execute(f"DESCRIBE {t}").fetchall() if name.endswith("_code")
        ]
        distinct = {
            c: [
                con.execute(
                    f"SELECT count(DISTINCT {c}) FROM {s}.{t} WHERE dataset_id = ?", [d]
                ).fetchone()[0]
                for s, d in (("main", my_ds), ("p", ds))
            ]
            for c in codes
        }
        out[t] = {"rows": [n_mine, n_p], "except_both_ways": diff, "distinct_codes": distinct}
    con.close()
    return out


# -- settings: threads, preserve_insertion_order, compression, checkpoint ----------------------


def _settings(csv: str, out: str) -> list[dict]:
    """The read and the lines' write under each setting, in one process: wall and CPU
    seconds, and whether the read kept the file's row order (rowid = file order, which the
    line numbers need)."""
    import duckdb

    from ecomdash import schema as S
    from ecomdash.store import _DDL, LINE_COLUMNS

    rows: list[dict] = []
    _mapping, _formats, header = _decide(csv)
    cols = ", ".join(f"{_lit(c)}: 'VARCHAR'" for c in header)
    read = f"""SELECT * FROM read_csv({_lit(csv)}, header = true, delim = ',', quote = '"',
               escape = '"', skip = 0, columns = {{{cols}}}, strict_mode = true)"""

    def timed(name: str, con, sql: str) -> None:
        t, c = time.perf_counter(), time.process_time()
        con.execute(sql).fetchall()
        rows.append({"step": name, "wall": time.perf_counter() - t, "cpu": time.process_time() - c})

    con = duckdb.connect()
    timed("read as text, threads 2, preserve order", con, f"CREATE TABLE r2 AS {read}")
    con.execute("SET threads = 1")
    timed("read as text, threads 1, preserve order", con, f"CREATE TABLE r1 AS {read}")
    con.execute("SET threads = 2")
    con.execute("SET preserve_insertion_order = false")
    timed("read as text, threads 2, order NOT preserved", con, f"CREATE TABLE rx AS {read}")
    moved = con.execute(
        "SELECT count(*) FROM r2 JOIN rx USING (rowid) WHERE r2.order_id IS DISTINCT FROM rx.order_id"
        " OR r2.product_id IS DISTINCT FROM rx.product_id OR r2.order_date IS DISTINCT FROM rx.order_date"
    ).fetchone()[0]
    rows[-1]["rows_not_at_their_file_position"] = moved
    con.execute("DROP TABLE r1")
    con.execute("DROP TABLE rx")
    typed = {
        S.ORDER_DATE: "TIMESTAMP",
        S.QUANTITY: "DOUBLE",
        S.UNIT_PRICE: "DOUBLE",
        S.REVENUE: "DOUBLE",
    }
    exprs = []
    for c in LINE_COLUMNS:
        if c == S.LINE_NO:
            exprs.append("rowid + 2")
        elif c in header:
            exprs.append(f"CAST({_q(c)} AS {typed[c]})" if c in typed else _q(c))
        elif c in S.FLAGS:
            exprs.append("false")
        else:
            exprs.append(f"CAST(NULL AS {LINE_COLUMNS[c]})")
    for preserve, compression in ((True, "auto"), (False, "auto"), (False, "uncompressed")):
        path = Path(out, "settings.duckdb")
        path.unlink(missing_ok=True)
        con.execute(f"ATTACH {_lit(str(path))} AS f")
        for ddl in _DDL:
            con.execute(ddl.replace("CREATE TABLE IF NOT EXISTS ", "CREATE TABLE IF NOT EXISTS f."))
        con.execute(f"SET preserve_insertion_order = {str(preserve).lower()}")
        con.execute(
            "RESET force_compression"
            if compression == "auto"
            else f"SET force_compression = '{compression}'"
        )
        tag = f"preserve order {preserve}, compression {compression}"
        timed(f"INSERT the lines (casts) into a store file: {tag}", con,
              f"INSERT INTO f.lines SELECT 'local', 'x', {', '.join(exprs)} FROM r2")  # fmt: skip
        timed(f"CHECKPOINT: {tag}", con, "CHECKPOINT f")
        rows[-1]["file_mb"] = round(path.stat().st_size / 2**20)
        con.execute("DETACH f")
        path.unlink(missing_ok=True)
    con.execute("RESET force_compression")
    return rows


# -- self-test: an edge-case export, both routes, every difference counted -------------------

#: every rule the SQL route implements, with the cases the matching has to get right: an
#: exact duplicate, ``13085.0``, guest ``0`` and ``guest``, names and a price with spaces, an
#: unreadable date and number, zero and negative prices, missing product / name / customer,
#: non-product codes, several returns for one sale, a return at the same time as its sale,
#: interleaved sales and returns, a return with no sale left, ``="…"``-wrapped ids
EDGE_CSV = '''order_id,order_date,customer_id,product_id,product_name,quantity,unit_price,revenue,country
1001,2024-01-02 10:00:00,13085.0,A1, Mug ,2,3.5,7.0,UK
1001,2024-01-02 10:00:00,13085.0,A1, Mug ,2,3.5,7.0,UK
1002,2024-01-03 10:00:00,0,POST,Postage,1,10,10,UK
1003,2024-01-04 11:00:00,200,B2,Plate,1, 4.0 ,4.0,UK
1004,2024-01-05 11:00:00,200,B2,Plate,1,4.0,4.0,UK
C1005,2024-01-06 11:00:00,200,B2,Plate,-1,4.0,-4.0,UK
C1006,2024-01-07 11:00:00,200,B2,Plate,-1,4.0,-4.0,UK
C1007,2024-01-08 11:00:00,200,B2,Plate,-1,4.0,-4.0,UK
1008,2024-01-09 11:00:00,200,B2,Plate,1,4.0,4.0,UK
1009,2024-01-10 11:00:00,300,B2,Plate,-2,4.0,-8.0,DE
1010,not a date,300,B2,Plate,2,4.0,8.0,DE
1011,2024-01-11 11:00:00,300,B2,Plate,abc,4.0,8.0,DE
1012,2024-01-12 11:00:00,,C3,Cup,1,0,0,DE
1013,2024-01-13 11:00:00,guest,C3,,1,-2,-2,DE
1014,2024-01-14 11:00:00,400,,,1,2,2,DE
1015,2024-01-15 11:00:00,500,C3,Cup,3,2,6,FR
1016,2024-01-15 11:00:00,500,C3,Cup,3,2,6,FR
1017,2024-01-16 09:00:00,500,C3,Cup,-3,2,-6,FR
1018,2024-01-16 09:00:00,500,C3,Cup,-3,2,-6,FR
1019,2024-01-16 09:00:00,500,C3,Cup,-3,2,-6,FR
1020,2024-02-04 08:00:00,60,D0,Dish,-1,1.5,-1.5,IT
1021,2024-02-05 08:00:00,61,D1,Dish,0,1.5,0.5,IT
1022,2024-02-06 08:00:00,62,D2,Dish,1,1.5,1.5,IT
1023,2024-02-07 08:00:00,60,D3,Dish,-1,1.5,-1.5,IT
1024,2024-02-08 08:00:00,61,D0,Dish,0,1.5,0.5,IT
1025,2024-02-09 08:00:00,62,D1,Dish,1,1.5,1.5,IT
1026,2024-02-01 08:00:00,60,D2,Dish,-1,1.5,-1.5,IT
1027,2024-02-02 08:00:00,61,D3,Dish,0,1.5,0.5,IT
1028,2024-02-03 08:00:00,62,D0,Dish,1,1.5,1.5,IT
1029,2024-02-04 08:00:00,60,D1,Dish,-1,1.5,-1.5,IT
1030,2024-02-05 08:00:00,61,D2,Dish,0,1.5,0.5,IT
1031,2024-02-06 08:00:00,62,D3,Dish,1,1.5,1.5,IT
1032,2024-02-07 08:00:00,60,D0,Dish,-1,1.5,-1.5,IT
1033,2024-02-08 08:00:00,61,D1,Dish,0,1.5,0.5,IT
1034,2024-02-09 08:00:00,62,D2,Dish,1,1.5,1.5,IT
1035,2024-02-01 08:00:00,60,D3,Dish,-1,1.5,-1.5,IT
1036,2024-02-02 08:00:00,61,D0,Dish,0,1.5,0.5,IT
1037,2024-02-03 08:00:00,62,D1,Dish,1,1.5,1.5,IT
1038,2024-02-04 08:00:00,60,D2,Dish,-1,1.5,-1.5,IT
1039,2024-02-05 08:00:00,61,D3,Dish,0,1.5,0.5,IT
1040,2024-02-06 08:00:00,62,D0,Dish,1,1.5,1.5,IT
1041,2024-03-01 10:00:00,700,E1,Bowl,2,5,10,UK
C1042,2024-03-01 10:00:00,700,E1,Bowl,-2,5,-10,UK
1043,2024-03-02 10:00:00,700,E1,Bowl,2,5,10,UK
1044,2024-03-03 10:00:00,700,E1,Bowl,2,5,10,UK
C1045,2024-03-04 10:00:00,700,E1,Bowl,-2,5,-10,UK
1046,2024-03-05 10:00:00,700,E1,Bowl,2,5,10,UK
C1047,2024-03-06 10:00:00,700,E1,Bowl,-2,5,-10,UK
C1048,2024-03-07 10:00:00,700,E1,Bowl,-2,5,-10,UK
C1049,2024-03-08 10:00:00,700,E9,Bowl,-2,5,-10,UK
1050,2024-03-09 10:00:00,700,E1,Bowl,2,5,10,UK
C1051,2024-03-10 10:00:00,700,E1,Bowl,-2,5,-10,UK
"=""1052""",2024-03-11 10:00:00,"=""00123""",A1,Mug,2,3.5,7.0,UK
"=""1053""",2024-03-12 10:00:00,"="" 0042 """,A2,Cup,1,2,2,UK
'''


def _differences(cmp: dict) -> list[str]:
    bad = [f"{k}: present {v['present']} sql {v['sql']}" for k, v in cmp["counts"].items() if v["present"] != v["sql"]]  # fmt: skip
    for k, v in cmp.items():
        if k == "counts":
            continue
        if isinstance(v, int) and v:
            bad.append(f"{k}: {v}")
        elif isinstance(v, dict) and (v["rows"][0] != v["rows"][1] or any(v["except_both_ways"])):
            bad.append(f"{k}: {v}")
    return bad


def _selftest(out: str) -> int:
    import contextlib
    import gzip
    import io
    import tempfile

    tmp = Path(tempfile.mkdtemp(prefix="floor11-selftest-", dir=out))
    csv = tmp / "edge.csv.gz"
    csv.write_bytes(gzip.compress(EDGE_CSV.encode()))
    os.environ["ECOMDASH_HOME"] = str(tmp / "home")
    from ecomdash.cli import main as cli

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        if cli(["ingest", str(csv), "--name", "edge", "--json"]) != 0:
            raise SystemExit("the present route's ingest failed")
    ds = json.loads(buf.getvalue())["dataset_id"]
    failed = 0
    for lean in (False, True):
        for route in ("sql", "frame"):
            res = _ingest(
                str(csv),
                str(tmp),
                threads=2,
                preserve=True,
                compression="auto",
                lean=lean,
                rollup_route=route,
            )
            bad = _differences(_compare(res["store"], res["dataset_id"], str(tmp / "home"), ds))
            print(f"lean {lean}, rollup {route}: " + ("equal" if not bad else "; ".join(bad)))
            failed += bool(bad)
            Path(res["store"]).unlink()
    return 1 if failed else 0


# -- driver -----------------------------------------------------------------------------------


def _child_main(args: argparse.Namespace) -> None:
    if args.child == "reference":
        res = _reference(args.csv)
    elif args.child == "settings":
        res = {"steps": _settings(args.csv, args.out)}
    else:
        import duckdb  # noqa: F401

        import ecomdash.ingest  # noqa: F401
        import ecomdash.store  # noqa: F401

        res = _ingest(
            args.csv,
            args.out,
            threads=args.threads,
            preserve=not args.no_preserve_order,
            compression=args.compression,
            lean=args.lean,
            rollup_route=args.rollup,
        )
    print(json.dumps(res, default=str))


def _spawn(kind: str, args: argparse.Namespace) -> dict:
    cmd = [sys.executable, __file__, args.csv, "--child", kind, "--out", args.out]
    cmd += ["--threads", str(args.threads), "--compression", args.compression]
    if args.no_preserve_order:
        cmd.append("--no-preserve-order")
    if args.lean:
        cmd.append("--lean")
    cmd += ["--rollup", args.rollup]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__)
    ap.formatter_class = argparse.RawDescriptionHelpFormatter
    ap.add_argument("csv", nargs="?", help="the export (.csv or .csv.gz)")
    ap.add_argument("--compare", help="HOME:DATASET_ID of the present route's store of this file")
    ap.add_argument("--out", default="/tmp/floor11-out", help="directory of the SQL route's store")
    ap.add_argument("--keep", action="store_true", help="keep the SQL route's store afterwards")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--no-preserve-order", action="store_true")
    ap.add_argument("--compression", default="auto", help="DuckDB force_compression (auto: none)")
    ap.add_argument("--skip-reference", action="store_true")
    ap.add_argument(
        "--lean",
        action="store_true",
        help="cheaper checks, cleaned columns as views (not temp tables), lines inserted unordered",
    )
    ap.add_argument(
        "--rollup",
        choices=("sql", "frame"),
        default="sql",
        help="rollup.build from the stored lines (sql) or from their Arrow frame as the present save",
    )
    ap.add_argument("--no-lock", action="store_true", help=f"do not take {LOCK} (small files)")
    ap.add_argument(
        "--selftest",
        action="store_true",
        help="ingest the built-in edge-case file by both routes; exit 1 on any difference",
    )
    ap.add_argument(
        "--settings",
        action="store_true",
        help="instead: the read and the lines' write under threads 1/2, insertion order on/off, "
        "compression auto/uncompressed, and the CHECKPOINT",
    )
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.selftest:
        Path(args.out).mkdir(parents=True, exist_ok=True)
        raise SystemExit(_selftest(args.out))
    if not args.csv:
        ap.error("the export (csv) is needed")
    args.csv = str(Path(args.csv).resolve())
    if args.child:
        _child_main(args)
        return
    Path(args.out).mkdir(parents=True, exist_ok=True)
    lock = None
    if not args.no_lock:
        lock = open(LOCK, "w")  # noqa: SIM115 - held for the whole run
        fcntl.flock(lock, fcntl.LOCK_EX)
    if args.settings:
        try:
            load0 = os.getloadavg()
            rows = _spawn("settings", args)["steps"]
            load1 = os.getloadavg()
        finally:
            if lock is not None:
                lock.close()
        print(f"file {args.csv}; load average {load0[0]:.2f} at start, {load1[0]:.2f} at end")
        for r in rows:
            extra = {k: v for k, v in r.items() if k not in ("step", "wall", "cpu")}
            print(f"  {r['step']:72s} {r['wall']:7.2f} s  cpu {r['cpu']:7.2f} s  {extra or ''}")
        return
    try:
        load0 = os.getloadavg()
        ref = None if args.skip_reference else _spawn("reference", args)
        sql = _spawn("sql", args)
        load1 = os.getloadavg()
        _print(args, ref, sql, load0, load1)
        if args.compare:  # reads the present route's store: still under the lock
            home, ds = args.compare.rsplit(":", 1)
            t = time.perf_counter()
            cmp = _compare(sql["store"], sql["dataset_id"], home, ds)
            print(f"compare with the present route ({time.perf_counter() - t:.1f} s):")
            for k, v in cmp.items():
                print(f"  {k}: {json.dumps(v)}")
    finally:
        if lock is not None:
            lock.close()
    if not args.keep:
        Path(sql["store"]).unlink(missing_ok=True)
        Path(sql["store"] + ".wal").unlink(missing_ok=True)


def _print(args, ref: dict | None, sql: dict, load0, load1) -> None:
    print(f"file {args.csv}; {os.cpu_count()} cores; load average {load0[0]:.2f} / {load0[1]:.2f} "
          f"at start, {load1[0]:.2f} / {load1[1]:.2f} at end; threads {args.threads}, "
          f"preserve_insertion_order {not args.no_preserve_order}, compression {args.compression}, lean {args.lean}")  # fmt: skip
    if ref:
        print(f"{'reference: CREATE TABLE t AS SELECT * FROM read_csv(file)':62s} "
              f"{ref['wall']:7.2f} s  cpu {ref['cpu']:7.2f} s  peak {ref['peak_mb'] / 1024:.2f} GB  rows {ref['rows']:,}")  # fmt: skip
    tw = tc = 0.0
    for r in sql["steps"]:
        tw += r["wall"]
        tc += r["cpu"]
        ratio = f"  {r['wall'] / ref['wall']:5.2f}x" if ref else ""
        print(f"  {r['step']:60s} {r['wall']:7.2f} s  cpu {r['cpu']:7.2f} s{ratio}")
    ratio = f"  = {tw / ref['wall']:.2f}x the reference (cpu {tc / ref['cpu']:.2f}x)" if ref else ""
    print(f"{'all-SQL ingest, total':62s} {tw:7.2f} s  cpu {tc:7.2f} s{ratio}; "
          f"peak {sql['peak_mb'] / 1024:.2f} GB, store {sql['size_mb']:.0f} MB")  # fmt: skip
    print("checks:", json.dumps(sql["report"]["checks"]))
    print("counts:", json.dumps(sql["report"]["counts"]))


if __name__ == "__main__":
    main()
