"""Basket analysis on UCI Online Retail II (2009-2010): ours vs mlxtend, side by side.

    uv run python bench/bench_basket.py [--repeat 5] [--supports 0.02 0.01 0.005]

Goal (issue #3): from the store's lines to the rules table (itemsets + rules with lift ≥ 1)
≤ 0.3 s at support 0.01 and ≤ 1.0 s at 0.005, under 1 GB peak, identical to mlxtend.

Every route starts from the same canonical lines loaded from a DuckDB store and applies the
standard cleaning (``schema.sales_lines``). Routes:

- ours: ``ecomdash.basket.mine`` (cleaning, encoding, sparse pair count, bitset apriori,
  rules, readable names — the whole table the page shows);
- textbook: crosstab → dense bool one-hot → ``apriori`` → ``association_rules`` (0.02 only);
- mlxtend best: sparse one-hot, infrequent items pruned, ``apriori(low_memory=True)``;
- mlxtend fpgrowth on the sparse one-hot of every product.

Time is wall-clock (``perf_counter``) and CPU (``process_time``), measured without tracing; ours
is the median and best of ``--repeat`` runs (the machine is shared). Peak memory is measured in a
separate run: tracemalloc's peak (Python, numpy, pandas buffers) plus the Arrow pool's growth
(mlxtend routes only with ``--memory-all``). At the end, ours runs end to end (store → rules) in a
fresh process, which reports its whole-process peak RSS.
"""

from __future__ import annotations

import argparse
import gc
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
from scipy import sparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
UCI = ROOT.parent / "shared" / "data" / "online_retail_ii_2009_2010.csv.gz"

from ecomdash import basket  # noqa: E402
from ecomdash.schema import sales_lines  # noqa: E402


def load_uci_into_store(home: Path) -> tuple[pd.DataFrame, str, float]:
    """UCI through the real ingest (fallback: the SQL reference reader), saved in a store."""
    try:
        from ecomdash.ingest import load_path

        lines = load_path(UCI).lines
        how = "ecomdash.ingest.load_path"
    except Exception as exc:  # pragma: no cover - ingest not available
        sys.path.insert(0, str(ROOT / "tests"))
        from reference_uci import uci_reference_lines

        lines = uci_reference_lines(UCI)
        how = f"tests/reference_uci.py (ingest failed: {exc})"
    from ecomdash.store import Store

    store = Store.open(home)
    try:
        info = store.save_dataset("uci", lines)
        t0 = time.perf_counter()
        stored = store.load_lines(info.id)
        load_s = time.perf_counter() - t0
    finally:
        store.close()
    return stored, how, load_s


def timed(fn):
    """(result, wall s, cpu s) of one call (no tracing: tracemalloc slows Python down)."""
    gc.collect()
    w0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - w0, time.process_time() - c0


def peak_mb(fn) -> float:
    """Peak memory of one separate call: tracemalloc's peak (Python, numpy and pandas
    buffers) plus the growth of the Arrow memory pool."""
    gc.collect()
    pool = pa.default_memory_pool()
    arrow0 = pool.bytes_allocated()
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return (peak + max(0, pool.bytes_allocated() - arrow0)) / 2**20


# --- the routes ----------------------------------------------------------------------------


def ours(lines: pd.DataFrame, s: float):
    res = basket.mine(lines, min_support=s, min_confidence=0.0, min_lift=1.0)
    sets = {
        frozenset(k): v
        for k, v in zip(res.itemsets["itemset"], res.itemsets["support"], strict=True)
    }
    rules = {
        (frozenset(a), frozenset(c)): (sup, conf, lift)
        for a, c, sup, conf, lift in zip(
            res.rules["antecedents"],
            res.rules["consequents"],
            res.rules["support"],
            res.rules["confidence"],
            res.rules["lift"],
            strict=True,
        )
    }
    return sets, rules


def _mlx_out(freq: pd.DataFrame, n: int, columns) -> tuple[dict, dict]:
    from mlxtend.frequent_patterns import association_rules

    names = np.asarray(columns, dtype=object)

    def ids(fs):
        return frozenset(names[list(fs)]) if columns is not None else frozenset(fs)

    sets = {ids(k): v for k, v in zip(freq["itemsets"], freq["support"], strict=True)}
    rules = {}
    if (freq["itemsets"].map(len) > 1).any():
        r = association_rules(freq, num_itemsets=n, metric="lift", min_threshold=1.0)
        for a, c, sup, conf, lift in zip(
            r["antecedents"],
            r["consequents"],
            r["support"],
            r["confidence"],
            r["lift"],
            strict=True,
        ):
            rules[ids(a), ids(c)] = (sup, conf, lift)
    return sets, rules


def textbook(lines: pd.DataFrame, s: float):
    from mlxtend.frequent_patterns import apriori

    sale = sales_lines(lines)
    onehot = pd.crosstab(sale["order_id"], sale["product_id"]) > 0
    freq = apriori(onehot, min_support=s, use_colnames=True)
    n = len(onehot)
    sets = {frozenset(k): v for k, v in zip(freq["itemsets"], freq["support"], strict=True)}
    from mlxtend.frequent_patterns import association_rules

    r = association_rules(freq, num_itemsets=n, metric="lift", min_threshold=1.0)
    rules = {
        (frozenset(a), frozenset(c)): (sup, conf, lift)
        for a, c, sup, conf, lift in zip(
            r["antecedents"],
            r["consequents"],
            r["support"],
            r["confidence"],
            r["lift"],
            strict=True,
        )
    }
    return sets, rules


def _sparse_onehot(lines: pd.DataFrame):
    sale = sales_lines(lines)
    b, _ = pd.factorize(sale["order_id"])
    i, items = pd.factorize(sale["product_id"])
    x = sparse.csr_matrix((np.ones(len(b), dtype=bool), (b, i)), shape=(b.max() + 1, len(items)))
    x.sum_duplicates()
    x.data[:] = True
    return x, np.asarray(items, dtype=object)


def mlxtend_best(lines: pd.DataFrame, s: float):
    from mlxtend.frequent_patterns import apriori

    x, items = _sparse_onehot(lines)
    n = x.shape[0]
    keep = np.flatnonzero(np.asarray(x.sum(axis=0)).ravel() / n >= s)
    x = x[:, keep].tocsc()
    df = pd.DataFrame.sparse.from_spmatrix(x, columns=range(len(keep)))
    freq = apriori(df, min_support=s, low_memory=True)
    return _mlx_out(freq, n, items[keep])


def mlxtend_fpgrowth(lines: pd.DataFrame, s: float):
    from mlxtend.frequent_patterns import fpgrowth

    x, items = _sparse_onehot(lines)
    n = x.shape[0]
    df = pd.DataFrame.sparse.from_spmatrix(x.tocsc(), columns=range(len(items)))
    freq = fpgrowth(df, min_support=s)
    return _mlx_out(freq, n, items)


def same(a, b) -> str:
    (sa, ra), (sb, rb) = a, b
    if set(sa) != set(sb):
        return f"DIFFERENT itemsets ({len(set(sa) ^ set(sb))} differ)"
    if any(not np.isclose(sa[k], sb[k], rtol=1e-12, atol=0) for k in sa):
        return "DIFFERENT supports"
    if set(ra) != set(rb):
        return f"DIFFERENT rules ({len(set(ra) ^ set(rb))} differ)"
    if any(not np.allclose(ra[k], rb[k], rtol=1e-12, atol=0) for k in ra):
        return "DIFFERENT rule metrics"
    return "identical"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--supports", type=float, nargs="+", default=[0.02, 0.01, 0.005])
    ap.add_argument("--skip-textbook", action="store_true")
    ap.add_argument(
        "--memory-all",
        action="store_true",
        help="also measure the mlxtend routes' peak memory (one more run of each)",
    )
    args = ap.parse_args()

    tmp = tempfile.TemporaryDirectory()
    home = Path(tmp.name)
    t0 = time.perf_counter()
    lines, how, load_s = load_uci_into_store(home)
    print(f"UCI read via {how}, saved in a store ({time.perf_counter() - t0:.1f} s)")
    sale = sales_lines(lines)
    print(
        f"store.load_lines: {len(lines):,} lines in {load_s:.2f} s; after sales_lines: "
        f"{sale['order_id'].nunique():,} orders x {sale['product_id'].nunique():,} products"
    )
    print(f"ours: median / best of {args.repeat} runs; others: one run\n")
    head = (
        f"{'support':>7} {'route':<34} {'itemsets':>8} {'rules':>7} {'wall s':>7} {'cpu s':>7} "
        f"{'peak MB':>8} {'vs ours':>8}  result"
    )
    print(head)
    print("-" * len(head))
    for s in args.supports:
        runs = [timed(lambda s=s: ours(lines, s)) for _ in range(args.repeat)]
        ref = runs[0][0]
        walls = [r[1] for r in runs]
        cpus = [r[2] for r in runs]
        med, best = statistics.median(walls), min(walls)
        peak = peak_mb(lambda s=s: ours(lines, s))
        print(
            f"{s:>7} {'ours (median)':<34} {len(ref[0]):>8,} {len(ref[1]):>7,} {med:>7.3f} "
            f"{statistics.median(cpus):>7.3f} {peak:>8.0f} {'1.0x':>8}  "
            f"best {best:.3f} s / cpu {min(cpus):.3f} s"
        )
        routes = [
            ("mlxtend best: sparse+prune+low_memory", mlxtend_best),
            ("mlxtend fpgrowth (sparse)", mlxtend_fpgrowth),
        ]
        if s >= 0.02 and not args.skip_textbook:
            routes.insert(0, ("textbook: crosstab→dense→apriori", textbook))
        for name, fn in routes:
            out, wall, cpu = timed(lambda fn=fn, s=s: fn(lines, s))
            pk = peak_mb(lambda fn=fn, s=s: fn(lines, s)) if args.memory_all else float("nan")
            print(
                f"{s:>7} {name:<34} {len(out[0]):>8,} {len(out[1]):>7,} {wall:>7.3f} "
                f"{cpu:>7.3f} {pk:>8.0f} {wall / med:>7.1f}x  {same(ref, out)}"
            )
        print()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"this process's peak RSS (all routes, incl. the loaded lines): {rss:,.0f} MB")
    # ours alone, end to end in a fresh process: store → lines → rules table
    for s in args.supports:
        out = subprocess.run(
            [sys.executable, "-c", _CHILD, str(home), str(s)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=True,
        )
        print(out.stdout.strip())
    tmp.cleanup()
    return 0


_CHILD = """
import resource, sys, time
t0 = time.perf_counter()
from ecomdash import basket
from ecomdash.store import Store
t1 = time.perf_counter()
store = Store.open(sys.argv[1])
info = store.list_datasets()[0]
from ecomdash.cli.basket import NEEDED
cols = [c for c in NEEDED if c in info.columns or c in ("is_return", "is_non_product", "is_cancelled")]
lines = store.load_lines(info.id, columns=cols)  # only the columns the analysis reads (as the CLI)
t2 = time.perf_counter()
res = basket.mine(lines, min_support=float(sys.argv[2]))
t3 = time.perf_counter()
# VmHWM: this process's own peak (ru_maxrss would include the parent's, kept across exec)
hwm = [ln for ln in open("/proc/self/status") if ln.startswith("VmHWM")]
rss = int(hwm[0].split()[1]) / 1024 if hwm else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"fresh process, support {sys.argv[2]}: load_lines {t2 - t1:.2f} s + mine {t3 - t2:.3f} s "
      f"({res.n_itemsets:,} itemsets, {res.n_rules:,} rules); whole-process peak RSS {rss:,.0f} MB")
"""


if __name__ == "__main__":
    raise SystemExit(main())
