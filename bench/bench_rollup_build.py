"""What the Overview's rollup costs to write: a save of N generated lines (the rollup built
from the inserted frame) and ``rollup.build`` from the stored lines, three times (the route
an older store's first read takes, e.g. after a format change of the small tables).

    uv run python bench/bench_rollup_build.py CODE_ROOT N

CODE_ROOT: the checkout whose ``ecomdash`` is timed (this one, or another ref unpacked with
``git archive REF | tar -x -C DIR``), N: lines (``3e5``, ``1e6``). CPU is the process's (every
DuckDB thread); wall time depends on the machine's load. Figures: docs/SCALE.md, units13.
"""

import os
import resource
import shutil
import sys
import tempfile
import time

root, n = sys.argv[1], int(float(sys.argv[2]))
sys.path.insert(0, root)
os.environ["ECOMDASH_HOME"] = tempfile.mkdtemp(prefix="ubench")
import ecomdash  # noqa: E402
from ecomdash import demo_scale, rollup  # noqa: E402
from ecomdash.store import Store  # noqa: E402

assert ecomdash.__file__.startswith(root), ecomdash.__file__
demo = demo_scale.generate_scaled(n, seed=7)
lines = demo.to_pandas()
store = Store.open(os.environ["ECOMDASH_HOME"])


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


t0, c0 = time.perf_counter(), cpu()
info = store.save_dataset("b", lines)
print(
    f"save_dataset {len(lines):,} lines: {time.perf_counter() - t0:.2f} s wall, {cpu() - c0:.2f} s CPU"
)
best = []
for _ in range(3):
    t0, c0 = time.perf_counter(), cpu()
    with store._transaction("bench") as cur:
        rows = rollup.build(cur, store.workspace, info.id, info.columns, info.version)
    best.append((cpu() - c0, time.perf_counter() - t0))
print(
    "rollup.build from lines (CPU s, wall s):",
    ", ".join(f"{c:.2f} ({w:.2f})" for c, w in best),
    "rows",
    rows,
)
store.close()
shutil.rmtree(os.environ["ECOMDASH_HOME"])
