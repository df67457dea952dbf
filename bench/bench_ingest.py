"""Ingest speed on UCI Online Retail II 2009-2010 (525,461 rows): ours vs a bare DuckDB read.

Goal (issue #2): reading, mapping, cleaning and saving that file into the store takes at
most 2x a bare ``duckdb.read_csv`` of the same file into an in-memory table, with peak
memory under 1 GB. The reference is the SQL form, ``CREATE TABLE t AS SELECT * FROM
read_csv(...)`` (about 0.5 s here); the Python API form ``duckdb.read_csv(...)`` made a table
takes about 1.7x as long (close to the issue's "about 1.1 s") and is printed for context.

Run: ``uv run python bench/bench_ingest.py [--repeat 9]``. After one untimed warm-up of
each, every round times, back to back, the DuckDB reference, read + map + clean
(``ecomdash.ingest.load_path``), and read + map + clean + ``Store.save_dataset`` into an
existing store. Prints best times, the ratio of the bests, the median and the worst of the
per-round ratios, and the peak memory of one ingest + save in a fresh process.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

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


def duckdb_api_reference(path: Path = UCI) -> int:
    """The same read through the Python API, ``duckdb.read_csv(...)`` made a table: about
    1.7x the SQL form here, close to the issue's "about 1.1 s for DuckDB alone", so it is
    printed for context. The goal is checked against the faster SQL form above."""
    con = duckdb.connect()
    try:
        con.read_csv(path.as_posix()).create("t")
        return con.execute("SELECT count(*) FROM t").fetchone()[0]
    finally:
        con.close()


def _timed(fn) -> tuple[float, float, object]:
    """(wall seconds, CPU seconds, result) of one call."""
    c, t = time.process_time(), time.perf_counter()
    out = fn()
    return time.perf_counter() - t, time.process_time() - c, out


def _ingest_and_save(store) -> object:
    r = ingest_uci()
    store.save_dataset(
        "uci", r.lines, report=r.report, mapping=r.mapping.as_dict(), rejected=r.report.rejected
    )
    return r


def _line(label: str, runs: list[tuple[float, float]], refs: list[tuple[float, float]]) -> str:
    """Best wall time, and the ratio to the reference: best/best and the median of the
    per-round ratios (each round times both back to back, so a busy spell slows both)."""
    best, cpu = min(runs)
    ratios = sorted(r[0] / f[0] for r, f in zip(runs, refs, strict=True))
    return (
        f"{label:30s} {best:5.2f} s wall, {cpu:5.2f} s CPU | ratio best/best "
        f"{best / min(refs)[0]:4.2f}x, median of rounds {ratios[len(ratios) // 2]:4.2f}x, "
        f"worst round {ratios[-1]:4.2f}x"
    )


def _peak_memory() -> str:
    """Peak memory of one ingest + save, in a fresh process so nothing else counts.

    VmHWM, not ru_maxrss: getrusage's peak survives exec, so a child spawned by this (large)
    process would report the parent's size."""
    code = (
        "import sys, tempfile; sys.path.insert(0, sys.argv[1]);"
        "import pyarrow as pa; from bench_ingest import _ingest_and_save;"
        "from ecomdash.store import Store;"
        "_ingest_and_save(Store.open(tempfile.mkdtemp()));"
        "hwm = [ln for ln in open('/proc/self/status') if ln.startswith('VmHWM')][0];"
        "print(pa.default_memory_pool().max_memory() / 2**20, int(hwm.split()[1]) / 1024)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(Path(__file__).parent)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    pool, rss = (float(x) for x in out)
    return (
        f"peak memory of one ingest + save (fresh process, no tracing): process max RSS "
        f"{rss:,.0f} MB, of which Arrow's pool {pool:,.0f} MB (goal < 1024 MB)"
    )


def main() -> None:
    from ecomdash.store import Store

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=9)
    args = ap.parse_args()
    if not UCI.exists():
        raise SystemExit(f"{UCI} not found (expected ../shared/data beside the repo)")
    load = os.getloadavg()[0]
    refs, api_refs, ingest, full = [], [], [], []
    n_ref, counts = 0, (0, 0)
    with tempfile.TemporaryDirectory() as tmp:
        # one untimed warm-up of each (imports, first-call set-up), as in a running app
        duckdb_reference()
        duckdb_api_reference()
        _ingest_and_save(Store.open(Path(tmp) / "warm-up"))
        for k in range(args.repeat):
            store = Store.open(Path(tmp) / str(k))  # a merchant's store exists already
            wall, cpu, n_ref = _timed(duckdb_reference)
            refs.append((wall, cpu))
            wall, cpu, _ = _timed(duckdb_api_reference)
            api_refs.append((wall, cpu))
            wall, cpu, res = _timed(ingest_uci)
            ingest.append((wall, cpu))
            counts = res.report.rows_read, res.report.rows_kept
            del res  # as in the app, one ingest's data alive at a time
            wall, cpu, _ = _timed(lambda store=store: _ingest_and_save(store))
            full.append((wall, cpu))
            store.close()
    print(f"rows: duckdb {n_ref:,}  ours read {counts[0]:,} kept {counts[1]:,}")
    print(
        f"machine: {os.cpu_count()} cores, load average {load:.1f} at start; {args.repeat} rounds"
    )
    best, cpu = min(refs)
    print(f"{'reference: SQL read_csv':30s} {best:5.2f} s wall, {cpu:5.2f} s CPU")
    print(_line("read + map + clean", ingest, refs))
    print(_line("read + map + clean + save", full, refs) + "   (goal <= 2.00x)")
    best, cpu = min(api_refs)
    print(f"{'context: duckdb.read_csv() API':30s} {best:5.2f} s wall, {cpu:5.2f} s CPU")
    print(_line("  read + map + clean + save", full, api_refs))
    print(_peak_memory())


if __name__ == "__main__":
    main()
