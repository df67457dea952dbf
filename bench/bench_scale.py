"""Ten million lines (issue #12): time and peak memory of each step at growing sizes.

    uv run python bench/bench_scale.py --sizes 1e6,3e6,1e7 [--workdir DIR] [--seed 7] [--skip-generate]

Per size, every step runs once in a fresh child process (so its peak memory, VmHWM from
/proc/self/status, is its own; getrusage's peak would survive exec and report the parent):

* ``generate``: ``ecomdash demo --lines N --csv N.csv.gz`` — the generated merchant as an
  export file (``ecomdash.demo_scale``);
* ``duckdb read_csv``: the reference, ``CREATE TABLE t AS SELECT * FROM read_csv(file)`` into an
  in-memory DuckDB (what bench_ingest.py uses);
* ``duckdb read_csv to a file``: context — the same into a table of a DuckDB file (the store
  is a file: compressing and writing it is part of the ingest's save);
* ``ecomdash ingest``: the real command — read, map, clean, cancellation matching and save into
  a store under DIR/home (goal ≤ 2.5× the reference at 10 M lines, peak < 6 GB);
* with ``--stages``: the ingest once more, stage by stage (read, map, clean, save), with the
  process's peak memory after each — where the time and memory go; and once without the
  Overview's tables (the lines alone written), against the reference — what those tables cost.

Steps that need a saved dataset (the pages) are added to ``PAGE_STEPS``: each is a function
``(home, dataset_id) -> dict`` run in its own child process after the ingest, against the
dataset the ingest saved (its id is in DIR/<size>/dataset_id). The table prints, per step and
size, wall seconds, peak memory, the ratio to the step's reference, and the growth of time from
the previous size against the growth of lines (goal: time ratio ≤ 1.3 × the size ratio).
The machine is shared, so the load average is printed at the start and end.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


@dataclass(frozen=True)
class Step:
    """One timed row of the table. ``run(ctx)`` does the work in a child process and may
    return extra figures (a dict); ``reference`` names the step its time is divided by."""

    name: str
    run: Callable[[dict], dict | None]
    reference: str | None = None
    goal: str = ""


# -- steps (each runs in a fresh child process) --------------------------------------------


def _generate(ctx: dict) -> dict:
    from ecomdash.cli import main

    if main(["demo", "--lines", str(ctx["size"]), "--seed", str(ctx["seed"]), "--csv", ctx["csv"], "--json"]) != 0:  # fmt: skip
        raise SystemExit("ecomdash demo failed")
    return {"csv_mb": round(os.path.getsize(ctx["csv"]) / 2**20, 1)}


def _duckdb_reference(ctx: dict) -> dict:
    import duckdb

    con = duckdb.connect()
    try:
        con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{ctx['csv']}')")
        return {"rows": con.execute("SELECT count(*) FROM t").fetchone()[0]}
    finally:
        con.close()


def _duckdb_file_context(ctx: dict) -> dict:
    """Context, not the goal's reference: the same read into a table of a DuckDB file (the
    store is a file, so the ingest pays for compressing and writing it too)."""
    import duckdb

    path = Path(ctx["dir"], "context.duckdb")
    path.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    try:
        con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{ctx['csv']}')")
        con.execute("CHECKPOINT")
        return {"rows": con.execute("SELECT count(*) FROM t").fetchone()[0]}
    finally:
        con.close()
        path.unlink(missing_ok=True)


def _ingest(ctx: dict) -> dict:
    import contextlib
    import io

    from ecomdash.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["ingest", ctx["csv"], "--name", f"scale {ctx['size']:,}", "--json"])
    if code != 0:
        raise SystemExit("ecomdash ingest failed")
    res = json.loads(out.getvalue())
    Path(ctx["dir"], "dataset_id").write_text(res["dataset_id"])
    return {"rows": res["rows_kept"]}


def _ingest_stages(ctx: dict) -> dict:
    """Where the ingest's time and memory go: read (gunzip + parse), map, clean (incl.
    cancellation matching), save — wall seconds and the process's peak (GB) after each."""
    import tempfile

    from ecomdash.ingest.clean import clean
    from ecomdash.ingest.mapping import propose_mapping, resolve_mapping
    from ecomdash.ingest.read import read_bytes
    from ecomdash.store import Store

    out: dict[str, str] = {}

    def mark(name: str, t: float) -> float:
        now = time.perf_counter()
        out[name] = f"{now - t:.1f} s, peak {_peak_mb() / 1024:.2f} GB"
        return now

    t = time.perf_counter()
    path = Path(ctx["csv"])
    raw = read_bytes(path.read_bytes(), path.name, max_bytes=2**40)
    t = mark("read", t)
    mapping = resolve_mapping(raw, propose_mapping(raw), None)
    t = mark("map", t)
    lines, report = clean(raw, mapping)
    del raw
    t = mark("clean", t)
    store = Store.open(tempfile.mkdtemp(dir=ctx["dir"]))
    store.save_dataset("stages", lines, report=report, mapping=mapping, rejected=report.rejected)
    store.close()
    mark("save", t)
    return out


FILE_STEPS: list[Step] = [
    Step("generate .csv.gz", _generate, goal="minutes at 10 M"),
    Step("duckdb read_csv (reference)", _duckdb_reference),
    Step("duckdb read_csv to a file", _duckdb_file_context, goal="context"),
    Step(
        "ecomdash ingest", _ingest, reference="duckdb read_csv (reference)", goal="≤ 2.5×, < 6 GB"
    ),
]


def _ingest_lines_only(ctx: dict) -> dict:
    """Context: the ingest without the Overview's tables — read, map, clean and the lines
    written as the ingest does (``load_path``, ``Store.save_dataset``), with
    ``rollup.code_frame`` and ``rollup.build`` skipped. What the Overview's tables cost is
    this step's time against the ingest's."""
    import tempfile

    from ecomdash import rollup
    from ecomdash.ingest import load_path
    from ecomdash.store import Store

    rollup.code_frame = lambda table: (None, {})
    rollup.build = lambda *a, **k: None
    res = load_path(ctx["csv"], max_bytes=2**40)
    home = tempfile.mkdtemp(dir=ctx["dir"])
    try:
        store = Store.open(home)
        info = store.save_dataset(
            "lines only",
            res.lines,
            report=res.report,
            mapping=res.mapping.as_dict(),
            rejected=res.report.rejected,
        )
        store.close()
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return {"rows": info.rows}


STAGE_STEPS: list[Step] = [
    Step("ingest by stage (profile)", _ingest_stages, goal="profile"),
    Step(
        "ingest without the Overview tables",
        _ingest_lines_only,
        reference="duckdb read_csv (reference)",
        goal="context",
    ),
]


def _kpis_all_time(ctx: dict) -> dict:
    """The Overview's KPIs over all time, from the store (SQL), as ``ecomdash kpis`` does."""
    from ecomdash.kpis import compute_kpis
    from ecomdash.store import Store

    store = Store.open(ctx["home"])
    try:
        k = compute_kpis(store, ctx["dataset_id"])
    finally:
        store.close()
    return {"orders": k["orders"]}


def _kpis_quarter(ctx: dict) -> dict:
    """The Overview's KPIs over the last full quarter of the data (a filtered period)."""
    import pandas as pd

    from ecomdash.filters import Filters
    from ecomdash.kpis import compute_kpis
    from ecomdash.store import Store

    store = Store.open(ctx["home"])
    try:
        _lo, hi = store.date_range(ctx["dataset_id"])
        quarter = pd.Timestamp(hi).to_period("Q") - 1  # the last complete quarter
        f = Filters(start=quarter.start_time.date(), end=quarter.end_time.date())
        k = compute_kpis(store, ctx["dataset_id"], f)
    finally:
        store.close()
    return {"orders": k["orders"], "quarter": str(quarter)}


def _overview_page(which: str) -> Callable[[dict], dict]:
    """The whole Overview (KPIs, previous period, new / repeat customers, trend, top products,
    categories and countries) as the page computes it, all time or the last full quarter.
    ``ECOMDASH_ROLLUP=0`` times the lines route (before the per-order rollup)."""

    def run(ctx: dict) -> dict:
        import pandas as pd

        from ecomdash.filters import Filters
        from ecomdash.kpis import overview
        from ecomdash.store import Store

        store = Store.open(ctx["home"])
        try:
            f = Filters()
            if "quarter" in which:
                _lo, hi = store.date_range(ctx["dataset_id"])
                q = pd.Timestamp(hi).to_period("Q") - 1
                f = Filters(start=q.start_time.date(), end=q.end_time.date())
            if "country" in which:  # the country with the most lines (the slowest filter)
                top = _top_country(store, ctx["dataset_id"])
                f = Filters(start=f.start, end=f.end, countries=(top,))
            if "category" in which:  # the category with the most lines (the slowest filter)
                top = _top_group(store, ctx["dataset_id"], "category")
                f = Filters(start=f.start, end=f.end, categories=(top,))
            res = overview(store, ctx["dataset_id"], f)
        finally:
            store.close()
        return {"orders": res.kpis["orders"], "customers": res.kpis["customers"]}

    run.__name__ = f"_overview_page_{which.replace(' ', '_')}"
    return run


def _top_country(store, dataset_id: str) -> str:
    """The country with the most lines, from the Overview's day cells (a few ms)."""
    return _top_group(store, dataset_id, "country")


def _top_group(store, dataset_id: str, col: str) -> str:
    """The country or category with the most product lines, from the Overview's day cells."""
    by_category = "by_category" if col == "category" else "NOT by_category"
    return (
        store._cur()
        .execute(
            f"SELECT {col} FROM overview_cells WHERE workspace = ? AND dataset_id = ? "
            f"AND {by_category} AND {col} IS NOT NULL GROUP BY {col} "
            f"ORDER BY sum(product_lines) DESC, {col} LIMIT 1",
            [store.workspace, dataset_id],
        )
        .fetchone()[0]
    )


def _page(name: str) -> Callable[[dict], dict]:
    """A model page's first result with its default settings (the store-seam route of
    ``bench/bench_pages_scale.py``, which also pickles what the page caches), plus
    ``cached_s``: what a second run of the same settings costs — st.cache_data unpickling the
    cached value — measured on the same objects."""

    def run(ctx: dict) -> dict:
        import pickle

        import bench_pages_scale as P

        from ecomdash.store import Store

        kept: list = []
        real = P._cache
        P._cache = lambda obj: kept.append(pickle.dumps(obj, protocol=5)) or real(obj)
        store = Store.open(ctx["home"])
        try:
            note = P.STEPS[name](store, ctx["dataset_id"], "new")
        finally:
            store.close()
            P._cache = real
        t = time.perf_counter()
        for blob in kept:
            pickle.loads(blob)
        return {"note": note, "cached_s": round(time.perf_counter() - t, 3)}

    run.__name__ = f"_page_{name}"
    return run


#: Steps against the dataset the ingest saved; ``ctx`` has "home" and "dataset_id".
#: Add page timings here, one Step each (they run after FILE_STEPS, each in its own process).
PAGE_STEPS: list[Step] = [
    Step("overview KPIs, all time", _kpis_all_time, goal="< 1 s"),
    Step("overview KPIs, one quarter", _kpis_quarter, goal="< 1 s"),
    Step("overview page, all time", _overview_page("all"), goal="< 1 s"),
    Step("overview page, one quarter", _overview_page("quarter"), goal="< 1 s"),
    Step("overview page, a country", _overview_page("country"), goal="< 1 s"),
    Step("overview page, country+quarter", _overview_page("country quarter"), goal="< 1 s"),
    Step("overview page, a category", _overview_page("category"), goal="< 1 s"),
    Step("overview page, category+quarter", _overview_page("category quarter"), goal="< 1 s"),
    Step("segments", _page("segments"), goal="< 15 s"),
    Step("customer value (cohorts+CLV)", _page("value"), goal="< 15 s"),
    Step("churn", _page("churn"), goal="< 15 s"),
    Step("recommend (fit)", _page("recommend"), goal="< 60 s"),
    Step("recommend (page default run: test + refit)", _page("recommend_eval"), goal="< 60 s"),
    Step("basket, support 1%", _page("basket"), goal="< 5 s"),
    Step("forecast, whole shop", _page("forecast_shop"), goal="< 2 s"),
    Step("forecast, many products", _page("many_products"), goal="< 30 s"),
    Step("pricing (models of every product)", _page("pricing"), goal="< 15 s"),
    Step("alerts", _page("alerts"), goal="< 15 s"),
]


# -- child side ------------------------------------------------------------------------------


def _peak_mb() -> float:
    with open("/proc/self/status") as f:
        hwm = next(ln for ln in f if ln.startswith("VmHWM"))
    return int(hwm.split()[1]) / 1024


def _child(step_name: str, ctx: dict) -> None:
    os.environ["ECOMDASH_HOME"] = ctx["home"]
    step = next(s for s in FILE_STEPS + STAGE_STEPS + PAGE_STEPS if s.name == step_name)
    if "dataset_id" not in ctx and Path(ctx["dir"], "dataset_id").exists():
        ctx["dataset_id"] = Path(ctx["dir"], "dataset_id").read_text()
    # imports are not the step: load every module the CLI would (as a running app has them)
    import duckdb  # noqa: F401

    import ecomdash.cli
    import ecomdash.demo_scale  # noqa: F401
    import ecomdash.ingest  # noqa: F401

    ecomdash.cli.build_parser()
    t, c = time.perf_counter(), time.process_time()
    extra = step.run(ctx) or {}
    wall, cpu = time.perf_counter() - t, time.process_time() - c
    print(json.dumps({"wall": wall, "cpu": cpu, "peak_mb": _peak_mb(), **extra}))


# -- parent side -----------------------------------------------------------------------------


def _saved(spec: str, only: str | None) -> None:
    """The page steps against saved merchants, one after the other, then one table with
    first-run seconds, CPU seconds (the machine is shared: CPU time is steadier than wall
    time under load), the cached second run and the growth between consecutive stores."""
    from ecomdash.store import Store, connect

    steps = PAGE_STEPS
    if only:
        words = [w.strip() for w in only.split(",") if w.strip()]
        steps = [s for s in PAGE_STEPS if any(w in s.name for w in words)]
    merchants = []
    for item in spec.split(","):
        home, ds = item.rsplit(":", 1)
        st = Store(connect(home, read_only=True))
        try:
            rows = st.info(ds).rows
        finally:
            st.close()
        merchants.append((home, ds, rows))
    load0 = os.getloadavg()
    print(f"machine: {os.cpu_count()} cores, load average {load0[0]:.2f} / {load0[1]:.2f} at start")
    results: dict[tuple[str, int], dict] = {}
    for home, ds, rows in merchants:
        ctx = {"home": home, "dataset_id": ds, "dir": home}
        for step in steps:
            r = _run(step, ctx)
            results[(step.name, rows)] = r
            shown = r.get("error") or (
                f"first {r['wall']:.1f} s (cpu {r['cpu']:.1f} s), second (cached) "
                f"{r.get('cached_s', 0):.2f} s, peak {r['peak_mb']:,.0f} MB  {r.get('note', '')}"
            )
            print(
                f"  {rows:>11,} lines  {step.name:30s} {shown}  (goal {step.goal}; "
                f"load {os.getloadavg()[0]:.1f})",
                flush=True,
            )
    load1 = os.getloadavg()
    print()
    print(_fmt_row("step", "goal", [f"{rows:,} lines" for _h, _d, rows in merchants]))
    for step in steps:
        cells, prev = [], None
        for _home, _ds, rows in merchants:
            r = results[(step.name, rows)]
            if "error" in r:
                cells.append("failed")
                prev = None
                continue
            cell = f"{r['wall']:.1f} s cpu {r['cpu']:.1f} {r['peak_mb'] / 1024:.2f} GB"
            if "cached_s" in r:
                cell += f" 2nd {r['cached_s']:.2f}"
            if prev is not None:
                cell += (
                    f" x{r['wall'] / prev[1]:.1f}/{rows / prev[0]:.1f}"
                    f" cpu x{r['cpu'] / max(prev[2], 1e-9):.1f}"
                )
            prev = (rows, r["wall"], r["cpu"])
            cells.append(cell)
        print(_fmt_row(step.name, step.goal, cells))
    print(
        "\nxA/B: time ratio A against line ratio B from the previous store (goal A ≤ 1.3 B); "
        "cpu xC: the same for CPU seconds (steadier than wall time on a shared machine). "
        f"Load average {load1[0]:.2f} / {load1[1]:.2f} at the end."
    )


def _run(step: Step, ctx: dict) -> dict:
    proc = subprocess.run(
        [sys.executable, __file__, "--child", step.name, "--ctx", json.dumps(ctx)],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _fmt_row(name: str, goal: str, cells: list[str]) -> str:
    return f"{name:30s} " + " | ".join(f"{c:>34s}" for c in cells) + f" | {goal}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1e6,3e6,1e7", help="comma-separated line counts")
    ap.add_argument("--workdir", default="/tmp/ecomdash-bench-scale")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run each step this many times and keep the fastest (a busy machine is noisy)",
    )
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--ctx", help=argparse.SUPPRESS)
    ap.add_argument(
        "--stages", action="store_true", help="also time the ingest stage by stage (profile)"
    )
    ap.add_argument(
        "--skip-generate",
        action="store_true",
        help="reuse DIR/<size>/<size>.csv.gz from an earlier run instead of generating it",
    )
    ap.add_argument(
        "--saved",
        metavar="HOME:DATASET_ID[,HOME:DATASET_ID...]",
        help="only the page steps, against merchants already saved there (e.g. a 3 M and a "
        "10 M store, smallest first: the table then shows the growth between them)",
    )
    ap.add_argument(
        "--only",
        metavar="WORDS",
        help="only the steps whose name contains one of these comma-separated words (e.g. "
        "overview,segments,customer value,churn; or generate,duckdb,ingest for the file steps)",
    )
    args = ap.parse_args()
    if args.child:
        _child(args.child, json.loads(args.ctx))
        return
    if args.saved:
        _saved(args.saved, args.only)
        return
    sizes = [int(float(s)) for s in args.sizes.split(",")]
    work = Path(args.workdir)
    steps = FILE_STEPS + (STAGE_STEPS if args.stages else []) + PAGE_STEPS
    if args.only:
        words = [w.strip() for w in args.only.split(",") if w.strip()]
        steps = [s for s in steps if any(w in s.name for w in words)]
    results: dict[tuple[str, int], dict] = {}
    load0 = os.getloadavg()
    print(f"machine: {os.cpu_count()} cores, load average {load0[0]:.2f} / {load0[1]:.2f} at start")
    for size in sizes:
        d = work / str(size)
        d.mkdir(parents=True, exist_ok=True)
        home = d / "home"
        shutil.rmtree(home, ignore_errors=True)  # a fresh store per run
        ctx = {
            "size": size,
            "seed": args.seed,
            "dir": str(d),
            "home": str(home),
            "csv": str(d / f"{size}.csv.gz"),
        }
        for step in steps:
            if args.skip_generate and step.run is _generate:
                if not Path(ctx["csv"]).is_file():
                    raise SystemExit(f"--skip-generate: there is no {ctx['csv']}")
                results[(step.name, size)] = {"error": "skipped (--skip-generate)"}
                continue
            runs = [_run(step, ctx) for _ in range(args.repeat)]
            ok = [r for r in runs if "error" not in r]
            r = min(ok, key=lambda r: r["wall"]) if ok else runs[0]
            if ok:
                r = {**r, "peak_mb": max(x["peak_mb"] for x in ok)}
            results[(step.name, size)] = r
            shown = (
                r.get("error")
                or f"{r['wall']:.1f} s (cpu {r['cpu']:.1f} s), {r['peak_mb']:,.0f} MB {json.dumps({k: v for k, v in r.items() if k not in ('wall', 'cpu', 'peak_mb')})}"
            )
            print(f"  {size:>11,} lines  {step.name:30s} {shown}", flush=True)
    load1 = os.getloadavg()
    print()
    header = [f"{s:,} lines" for s in sizes]
    print(_fmt_row("step", "goal", header))
    for step in steps:
        cells = []
        prev = None
        for size in sizes:
            r = results[(step.name, size)]
            if "error" in r:
                cells.append("failed")
                prev = None
                continue
            cell = f"{r['wall']:.1f} s {r['peak_mb'] / 1024:.2f} GB"
            ref = results.get((step.reference, size)) if step.reference else None
            if ref and "error" not in ref:
                cell += f" {r['wall'] / ref['wall']:.2f}×ref"
            if "cached_s" in r:
                cell += f" 2nd {r['cached_s']:.2f} s"
            if prev is not None:
                cell += f" growth {r['wall'] / prev[1]:.1f}/{size / prev[0]:.1f}"
            prev = (size, r["wall"])
            cells.append(cell)
        print(_fmt_row(step.name, step.goal, cells))
    print(
        "\ngrowth a/b: time ratio a against line ratio b from the previous size "
        f"(goal a ≤ 1.3 b). Load average {load1[0]:.2f} / {load1[1]:.2f} at the end."
    )


if __name__ == "__main__":
    main()
