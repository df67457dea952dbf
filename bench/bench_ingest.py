"""Ingest speed on UCI Online Retail II 2009-2010 (525,461 rows): ours vs a bare DuckDB read.

Goal: reading + mapping + cleaning (``ecomdash.ingest.load_path``) takes at most 2x a bare
``duckdb.read_csv`` of the same file into a table, with peak memory under 1 GB.

Run: ``uv run python bench/bench_ingest.py [--repeat 3]``. Prints both times (best of N),
the ratio and peak memory (tracemalloc for Python allocations, ru_maxrss for the process,
Arrow's pool peak). If ``ecomdash.store`` exists, a second line times ingest + save_dataset.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
import tracemalloc
from pathlib import Path

import duckdb
import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
UCI = ROOT.parent / "shared" / "data" / "online_retail_ii_2009_2010.csv.gz"


def ingest_uci(path: Path = UCI):
    """The timed path: read + map + clean the UCI file. Returns the IngestResult."""
    from ecomdash.ingest import load_path

    return load_path(path)


def duckdb_reference(path: Path = UCI) -> int:
    """A bare DuckDB read of the same file into a table (auto-detected types)."""
    con = duckdb.connect()
    try:
        con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{path.as_posix()}')")
        return con.execute("SELECT count(*) FROM t").fetchone()[0]
    finally:
        con.close()


def _best(fn, repeat: int) -> tuple[float, object, float]:
    """Best wall time over ``repeat`` runs, the result, and the CPU time of that run."""
    best, out, cpu = float("inf"), None, 0.0
    for _ in range(repeat):
        c, t = time.process_time(), time.perf_counter()
        out = fn()
        wall = time.perf_counter() - t
        if wall < best:
            best, cpu = wall, time.process_time() - c
    return best, out, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    if not UCI.exists():
        raise SystemExit(f"{UCI} not found (expected ../shared/data beside the repo)")
    load = os.getloadavg()[0]
    # interleave the two so a busy machine slows both alike; report best times and the
    # median of the per-round ratios
    refs, ours, ratios = [], [], []
    for _ in range(args.repeat):
        t_ref, n_ref, cpu_ref = _best(duckdb_reference, 1)
        t_ours, res, cpu_ours = _best(ingest_uci, 1)
        refs.append((t_ref, cpu_ref))
        ours.append((t_ours, cpu_ours))
        ratios.append(t_ours / t_ref)
    t_ref, cpu_ref = min(refs)
    t_ours, cpu_ours = min(ours)
    ratio_median = sorted(ratios)[len(ratios) // 2]
    tracemalloc.start()
    ingest_uci()
    _, peak_py = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB -> MB on Linux
    print(
        f"rows: duckdb {n_ref:,}  ours read {res.report.rows_read:,} kept {res.report.rows_kept:,}"
    )
    print(f"machine: {os.cpu_count()} cores, load average {load:.1f} at start")
    print(f"duckdb read_csv : {t_ref:6.2f} s wall (best of {args.repeat}), {cpu_ref:6.2f} s CPU")
    print(f"ecomdash ingest : {t_ours:6.2f} s wall (best of {args.repeat}), {cpu_ours:6.2f} s CPU")
    print(
        f"ratio ours/duckdb: best/best {t_ours / t_ref:5.2f}x, median of rounds "
        f"{ratio_median:5.2f}x (goal <= 2.00x); CPU {cpu_ours / cpu_ref:5.2f}x"
    )
    print(
        f"peak memory: python heap {peak_py / 2**20:,.0f} MB (tracemalloc), arrow pool "
        f"{pa.default_memory_pool().max_memory() / 2**20:,.0f} MB, process max RSS {rss:,.0f} MB "
        "(goal < 1024 MB)"
    )
    try:
        from ecomdash.store import Store
    except ImportError:
        print("ecomdash.store not available: store save not timed")
        return
    with tempfile.TemporaryDirectory() as home:
        store = Store.open(home)

        def ingest_and_save():
            r = ingest_uci()
            return store.save_dataset(
                "uci",
                r.lines,
                report=r.report,
                mapping=r.mapping.as_dict(),
                rejected=r.report.rejected,
            )

        t_save, _, _ = _best(ingest_and_save, args.repeat)
    print(f"ingest + store.save_dataset: {t_save:6.2f} s  ratio {t_save / t_ref:5.2f}x")


if __name__ == "__main__":
    main()
