"""The all-SQL ingest of ``bench_sql_floor.py`` (issue #12, brief floor11): its steps, in one
function (``_ingest``) and the SQL pieces it builds from; a measured prototype, not product code.

Split from ``bench_sql_floor.py`` (the driver: the reference, the comparison with the present
route, the settings sweep, the self-test and the printed table), which imports it. See that
file's docstring for what each step does and why.
"""

from __future__ import annotations

import json
import secrets
import time
import warnings
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

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
    # short codes (M, D, S, B, C2, C3: real SKUs in some shops) only with a non-product name or
    # none, as clean.py's rule
    short_ids = [p for p in pids if S.SHORT_NON_PRODUCT_CODE.search(p)]
    con.execute("CREATE TEMP TABLE short_ids (product_id VARCHAR)")
    if short_ids:
        con.executemany("INSERT INTO short_ids VALUES (?)", [[p] for p in short_ids])
    names_np = "false"
    short_np = "coalesce(product_id IN (SELECT product_id FROM short_ids), false)"
    if S.PRODUCT_NAME in m:
        names = [
            r[0]
            for r in con.execute(
                """SELECT DISTINCT product_name FROM c0 WHERE product_name IS NOT NULL
                   AND (product_id IS NULL OR product_id IN (SELECT product_id FROM short_ids))"""
            ).fetchall()
        ]
        np_names = [p for p in names if S.NON_PRODUCT_NAME.search(p)]
        con.execute("CREATE TEMP TABLE np_names (product_name VARCHAR)")
        if np_names:
            con.executemany("INSERT INTO np_names VALUES (?)", [[p] for p in np_names])
        names_np = "(product_id IS NULL AND product_name IN (SELECT product_name FROM np_names))"
        short_np = (
            f"({short_np} AND (product_name IS NULL"
            " OR product_name IN (SELECT product_name FROM np_names)))"
        )
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
              (coalesce(product_id IN (SELECT product_id FROM np_ids), false) OR {names_np} OR {short_np}) AS is_non_product,
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
