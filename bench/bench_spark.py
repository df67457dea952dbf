"""Both engines side by side (issue 13): DuckDB vs Spark local[1] vs Spark local[2].

    uv run --extra spark python bench/bench_spark.py --lines 1000000 [--workdir DIR]
    ECOMDASH_SPARK_DRIVER_MEMORY=4g uv run --extra spark python bench/bench_spark.py --lines 1e7

The generated merchant (``ecomdash.demo_scale``, N lines) is saved once per engine through the
store's own write path, then the store aggregates the pages use are timed: overview KPIs,
the daily series, the customer history (segments, churn, value) and the recommendation
columns (``load_columns``). Each engine runs in its own child process (a fresh JVM per Spark
master), each step once (the machine is shared: the load average is printed). The table shows
seconds per step and the ratio Spark/DuckDB, and local[1]/local[2] (the second core's speed-up).
Spark local mode on one machine is not what Spark is for; the point is the same answers at
similar cost, and how the work spreads over cores.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ENGINES = ("duckdb", "local[1]", "local[2]")


def child(engine: str, lines: int, workdir: Path) -> dict:
    sys.path.insert(0, str(ROOT))
    import pyarrow as pa

    from ecomdash import demo_scale
    from ecomdash import recommend as R
    from ecomdash import schema as S
    from ecomdash.kpis import compute_kpis
    from ecomdash.store import Store
    from ecomdash.store_tables import ARROW_TYPES, LINE_COLUMNS

    out: dict[str, float] = {}
    demo = demo_scale.generate_scaled(lines)
    t = time.perf_counter()
    if engine == "duckdb":
        store = Store.open(workdir / "home")
    else:
        from ecomdash.spark.session import get_session
        from ecomdash.spark.store import SparkStore

        spark = get_session(engine)
        out["start session"] = time.perf_counter() - t
        store = SparkStore(spark, str(workdir / f"lake-{engine[6]}"))
    want = pa.schema([(c, ARROW_TYPES[t]) for c, t in LINE_COLUMNS.items()])

    def batches():  # the store's columns (newer ones, e.g. location, empty)
        for b in demo.batches():
            cols = [
                b.column(c) if c in b.schema.names else pa.nulls(b.num_rows, f.type)
                for c, f in zip(want.names, want, strict=True)
            ]
            yield pa.RecordBatch.from_arrays(cols, schema=want)

    t = time.perf_counter()
    info = store.save_batches(
        "bench", pa.RecordBatchReader.from_batches(want, batches()), columns=tuple(S.CANONICAL)
    )
    out["save"] = time.perf_counter() - t
    steps = {
        "overview KPIs": lambda: compute_kpis(store, info.id),
        "daily sales": lambda: store.daily_sales(info.id),
        "customer history": lambda: store.customer_history(info.id),
        "recommend columns": lambda: store.load_columns(info.id, None, R.LINE_COLUMNS),
    }
    answers = {}
    failed: dict[str, str] = {}
    for name, fn in steps.items():
        t = time.perf_counter()
        try:
            res = fn()
        except Exception as exc:  # a step that fails (driver memory ...) is reported, not fatal
            failed[name] = (
                f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
            )
            continue
        out[name] = time.perf_counter() - t
        if name == "overview KPIs":
            answers = {k: (round(v, 2) if isinstance(v, float) else v) for k, v in res.items()}
    out["rows"] = info.rows
    return {"times": out, "kpis": answers, "failed": failed}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=float, default=1e6)
    ap.add_argument("--workdir", type=Path)
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    n = int(args.lines)
    if args.child:
        print(json.dumps(child(args.child, n, args.workdir)))
        return
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="bench_spark_"))
    mem = os.environ.get("ECOMDASH_SPARK_DRIVER_MEMORY", "2g")
    print(
        f"{n:,} lines; load average {os.getloadavg()[0]:.2f}; Spark driver {mem}; workdir {workdir}"
    )
    results = {}
    for eng in ENGINES:
        proc = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                eng,
                "--lines",
                str(n),
                "--workdir",
                str(workdir),
            ],
            capture_output=True,
            text=True,
        )
        if proc.returncode:
            err = proc.stderr
            sys.exit(f"{eng} failed:\n{err[:3000]}\n...\n{err[-3000:]}")
        results[eng] = json.loads(proc.stdout.strip().splitlines()[-1])
        times = ", ".join(f"{k} {v:.2f}" for k, v in results[eng]["times"].items())
        print(f"  {eng}: done ({times}; load {os.getloadavg()[0]:.1f})", flush=True)
        for step, why in results[eng].get("failed", {}).items():
            print(f"  {eng}: {step} failed: {why}", flush=True)
    same = all(results[e]["kpis"] == results["duckdb"]["kpis"] for e in ENGINES)
    steps = [s for s in results["duckdb"]["times"] if s != "rows"]
    steps = ["start session"] + [s for s in steps if s != "start session"]
    print(
        f"\n{'step':<20}"
        + "".join(f"{e:>11}" for e in ENGINES)
        + f"{'spark2/duck':>13}{'l1/l2':>8}"
    )
    for s in steps:
        v = [results[e]["times"].get(s) for e in ENGINES]
        cells = "".join(f"{x:>10.2f}s" if x is not None else f"{'-':>11}" for x in v)
        ratio = f"{v[2] / v[0]:>12.1f}x" if v[0] and v[2] else f"{'':>13}"
        speedup = f"{v[1] / v[2]:>7.2f}x" if v[1] and v[2] else ""
        print(f"{s:<20}{cells}{ratio}{speedup}")
    print(f"\nKPIs equal to the cent on all three: {same}")
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
