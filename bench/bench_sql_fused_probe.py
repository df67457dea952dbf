"""Probe (floor11): the fused lower bound of an all-SQL ingest, for the demo export's columns only.

    uv run python bench/bench_sql_fused_probe.py FILE.csv.gz OUTDIR [HOME:DATASET_ID] [--after-commit]
    (takes /tmp/ecomdash-big.lock; HOME:DATASET_ID: compare the lines with that store's)

Read, clean and write in one ``INSERT INTO lines ... FROM read_csv(...)`` (the expressions that
this file needs, hard-coded for its 11 columns: guests, casts, C invoices, negative quantities,
non-product codes by RE2), then the whole-file rules as scans of the typed lines (counts,
duplicate hash candidates, cancelled sales by the same window + ASOF matching as
bench_sql_floor.py), ``is_cancelled`` and ``line_no`` (= rowid + 2, insertion order kept) by
UPDATE, commit and checkpoint. No checks (a real route must prove first what
bench_sql_floor.py checks: no line break in a value, no blank line, no end spaces, casts
equal to ecomdash's) and NO rollup. The reference (bench_scale's) runs first in the same job.
"""

import csv as csv_module
import fcntl
import gzip
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import duckdb  # noqa: E402

from ecomdash import schema as S  # noqa: E402
from ecomdash.ingest.clean import GUEST_IDS  # noqa: E402
from ecomdash.store import _DDL, LINE_COLUMNS  # noqa: E402

AFTER_COMMIT = "--after-commit" in sys.argv  # line numbers from the committed rowids
sys.argv = [a for a in sys.argv if a != "--after-commit"]
csv, out = str(Path(sys.argv[1]).resolve()), sys.argv[2]
# the demo export's columns (``ecomdash demo --csv``), in its order: the expressions below
# are written for exactly these
DEMO_COLUMNS = [c for c in S.CANONICAL if c != S.LOCATION]
with gzip.open(csv, "rt", encoding="utf-8") as f:
    hdr = next(csv_module.reader([f.readline()]))
if hdr != DEMO_COLUMNS:
    raise SystemExit(f"{csv}: not a demo export (columns {hdr}; the probe needs {DEMO_COLUMNS})")
lock = open("/tmp/ecomdash-big.lock", "w")  # noqa: SIM115
fcntl.flock(lock, fcntl.LOCK_EX)
ref = json.loads(
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "bench_sql_floor.py"),
            csv,
            "--child",
            "reference",
            "--out",
            out,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()[-1]
)
rows = []
t0 = time.perf_counter()
c0 = time.process_time()


def mark(name):
    global t0, c0
    t, c = time.perf_counter(), time.process_time()
    rows.append((name, t - t0, c - c0))
    t0, c0 = t, c


p = Path(out, "fused.duckdb")
p.unlink(missing_ok=True)
con = duckdb.connect(str(p))
con.execute("SET threads = 2")
for d in _DDL:
    con.execute(d)
cols = ", ".join(f"'{c}': 'VARCHAR'" for c in hdr)
guests = ", ".join("'" + g + "'" for g in sorted(GUEST_IDS))
mark("open")
con.execute("BEGIN")
# preserve_insertion_order stays true: rowid of the lines = the row's index in the file
con.execute(f"""INSERT INTO lines SELECT 'local', 'x', nullif(order_id, ''), TRY_CAST(order_date AS TIMESTAMP),
  CASE WHEN lower(customer_id) IN ({guests}) OR customer_id = '' THEN NULL ELSE customer_id END,
  nullif(product_id, ''), nullif(product_name, ''),
  TRY_CAST(quantity AS DOUBLE), TRY_CAST(unit_price AS DOUBLE), TRY_CAST(revenue AS DOUBLE),
  nullif(country, ''), nullif(category, ''), nullif(channel, ''),
  regexp_full_match(order_id, '[Cc][0-9]+') OR TRY_CAST(quantity AS DOUBLE) < 0,
  regexp_full_match(product_id, '(?i)(POST|DOT|M|C2|C3|D|S|B|PADS|CRUK|GIFT|FEE|AMAZONFEE|BANK CHARGES|ADJUST[0-9]*|TEST[0-9]*|gift_.*|DCGS.*)'),
  false, NULL, NULL
  FROM read_csv('{csv}', header = true, delim = ',', quote = '"', escape = '"', skip = 0,
                columns = {{{cols}}}, strict_mode = true)""")
mark("fused INSERT: read_csv -> cleaned expressions -> lines (file)")
n = con.execute("SELECT count(*) FROM lines").fetchone()[0]
# checks + counts in one aggregate over the typed lines (the raw-text checks would need the
# text: here only what the typed table can say)
got = con.execute("""SELECT count(*) FILTER (WHERE order_date IS NULL), count(*) FILTER (WHERE customer_id IS NULL),
   count(*) FILTER (WHERE is_non_product), count(*) FILTER (WHERE is_return), count(*) FILTER (WHERE unit_price = 0)
   FROM lines""").fetchall()
mark("counts (one aggregate over the lines)")
dups = con.execute("""SELECT count(*) FROM (SELECT hash(order_id, order_date, customer_id, product_id, product_name,
   quantity, unit_price, revenue, country, category, channel) h FROM lines) GROUP BY h HAVING count(*) > 1""").fetchall()
mark("duplicate hash candidates over the lines")
con.execute("""CREATE TEMP TABLE matched AS
        WITH k AS (SELECT rowid AS line_no, customer_id AS cu, product_id AS pr, quantity AS q, order_date AS d, is_return
            FROM lines WHERE customer_id IS NOT NULL AND product_id IS NOT NULL AND quantity IS NOT NULL AND order_date IS NOT NULL),
        r AS (SELECT cu, pr, -q AS aq, d, 1 AS kind, line_no FROM k WHERE is_return AND q < 0),
        s AS (SELECT cu, pr, q AS aq, d, 0 AS kind, line_no FROM k
              WHERE NOT is_return AND q > 0 AND (cu, pr, q) IN (SELECT (cu, pr, aq) FROM r)),
        ev AS (SELECT *, sum(CASE WHEN kind = 0 THEN 1 ELSE -1 END) OVER w AS p, row_number() OVER w AS seq
               FROM (SELECT * FROM s UNION ALL SELECT * FROM r)
               WINDOW w AS (PARTITION BY cu, pr, aq ORDER BY d, kind, line_no ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)),
        h AS (SELECT *, p - least(0, min(p) OVER w) AS height FROM ev
              WINDOW w AS (PARTITION BY cu, pr, aq ORDER BY seq ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)),
        hh AS (SELECT *, coalesce(lag(height) OVER (PARTITION BY cu, pr, aq ORDER BY seq), 0) AS before FROM h),
        rets AS (SELECT cu, pr, aq, seq, before AS level FROM hh WHERE kind = 1 AND before >= 1),
        sales AS (SELECT cu, pr, aq, seq, height AS level, line_no FROM hh WHERE kind = 0)
        SELECT sales.line_no FROM rets ASOF JOIN sales
          ON rets.cu = sales.cu AND rets.pr = sales.pr AND rets.aq = sales.aq AND rets.level = sales.level AND rets.seq > sales.seq""")
m = con.execute("SELECT count(*) FROM matched").fetchone()[0]
mark("cancelled sales matched over the lines")
con.execute("UPDATE lines SET is_cancelled = true WHERE rowid IN (SELECT line_no FROM matched)")
mark("UPDATE is_cancelled (matched sales)")
# inside the transaction the new rows' rowids start at 2**55 (transaction-local storage): the
# line number is the rowid's distance from the dataset's first row
LINE_NO = (
    "UPDATE lines SET line_no = rowid - (SELECT min(rowid) FROM lines WHERE dataset_id = 'x') + 2 "
    "WHERE dataset_id = 'x'"
)
if not AFTER_COMMIT:
    con.execute(LINE_NO)
    mark("UPDATE line_no = rowid - first rowid + 2 (every line)")
con.execute("COMMIT")
con.execute("CHECKPOINT")
mark("COMMIT + CHECKPOINT")
if AFTER_COMMIT:
    con.execute(LINE_NO)
    con.execute("CHECKPOINT")
    mark("after the commit: UPDATE line_no from the committed rowids + CHECKPOINT")
diff = None
if len(sys.argv) > 3:  # HOME:DATASET_ID of the present route's store: the lines, both ways
    home, ds = sys.argv[3].rsplit(":", 1)
    con.execute(f"ATTACH '{Path(home, 'ecomdash.duckdb')}' AS p (READ_ONLY)")
    diff = {}
    for what, names in (
        ("every column", list(LINE_COLUMNS)),
        ("without line_no", [c for c in LINE_COLUMNS if c != "line_no"]),
    ):
        cols = ", ".join(names)
        diff[what] = [
            con.execute(
                f"SELECT count(*) FROM (SELECT {cols} FROM {a}.lines WHERE dataset_id = ? "
                f"EXCEPT ALL SELECT {cols} FROM {b}.lines WHERE dataset_id = ?)",
                [x, y],
            ).fetchone()[0]
            for a, b, x, y in (("main", "p", "x", ds), ("p", "main", ds, "x"))
        ]
if os.environ.get("FLOOR11_DEBUG"):
    print(con.execute("SELECT * FROM lines ORDER BY line_no LIMIT 2").fetchall())
con.close()
p.unlink(missing_ok=True)
lock.close()
if diff is not None:
    print(f"lines EXCEPT ALL the present route's, both ways: {diff}")
print(
    f"load average {os.getloadavg()[0]:.2f}; rows {n:,}; missing customer, non-product, returns, zero price: "
    f"{got[0][1:]}; duplicate hash groups {len(dups)}; cancelled sales {m:,}"
)
print(f"{'reference read_csv':70s} {ref['wall']:6.2f} s cpu {ref['cpu']:6.2f}")
tw = tc = 0.0
for name, w, c in rows:
    tw, tc = tw + w, tc + c
    print(f"  {name:68s} {w:6.2f} s cpu {c:6.2f}  {w / ref['wall']:.2f}x")
print(
    f"{'fused probe, total':70s} {tw:6.2f} s cpu {tc:6.2f}  = {tw / ref['wall']:.2f}x (cpu {tc / ref['cpu']:.2f}x)"
)
