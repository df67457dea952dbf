"""Demo merchant generation: time and memory against the 3-second budget.

    uv run python bench/bench_demo.py [--repeat 5]

Goal: ``ecomdash.demo.generate()`` (default seed, ~115k lines) in < 3 s on the 2-core machine.
There is no library reference for a generator, so the ratio printed is ours / budget.
Wall-clock (``perf_counter``, median and best of ``--repeat``) and CPU (``process_time``);
the machine is shared, so CPU time is the steadier number. Peak memory is tracemalloc's peak
during one run (numpy/pandas buffers) and ``ru_maxrss`` of the process at the end.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ecomdash.demo import generate  # noqa: E402

BUDGET_S = 3.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()

    generate()  # warm imports and caches
    walls, cpus = [], []
    for _ in range(args.repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        demo = generate()
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    tracemalloc.start()
    generate()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    med = statistics.median(walls)
    print(f"lines: {len(demo.lines):,}  customers: {demo.truth.customer_groups.size:,}")
    print(f"{'route':<12}{'wall median s':>15}{'wall best s':>13}{'cpu median s':>14}{'ratio':>8}")
    print(
        f"{'ours':<12}{med:>15.2f}{min(walls):>13.2f}{statistics.median(cpus):>14.2f}"
        f"{med / BUDGET_S:>8.2f}"
    )
    print(f"{'budget':<12}{BUDGET_S:>15.2f}{'':>13}{'':>14}{1.0:>8.2f}")
    print(f"peak traced memory: {peak / 2**20:.0f} MiB   process max RSS: {rss_mb:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
