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
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from sql_floor_ingest import _decide, _ingest, _lit, _peak_mb, _q  # noqa: E402 - after the path

LOCK = "/tmp/ecomdash-big.lock"


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
