"""What a killable worker adds to a page's first run: ours (fork server) vs a spawned process.

Issue #17: a page run over its time budget must really stop its work, so the pages run their
CPU-heavy step in a worker process (``ecomdash.ui.worker.run_in_worker``) that is killed at the
deadline. A process costs a start: this bench measures, on the demo merchant's Segments step
(``segment_history``: RFM, k = 2..10 sweep, tree, movement), the wall time of

- thread:           the step in the calling process (the old path, which could not be stopped);
- spawn:            a fresh ``spawn`` process per run (interpreter start + imports + the step);
- forkserver cold:  our worker on a server whose fork server was not started yet;
- forkserver warm:  our worker once ``warm()`` has run (what the app does at start-up).

and prints each one's ratio to the thread path. One run each (machine shared), after one
untimed thread run so that imports and caches of the parent are warm for everyone.

    uv run python bench/bench_worker.py
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _spawned(fn, *args, **kw):
    ex = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    try:
        return ex.submit(fn, *args, **kw).result()
    finally:
        ex.shutdown(wait=True)


def _time(label: str, call, ref: float | None = None) -> float:
    t0 = time.perf_counter()
    call()
    secs = time.perf_counter() - t0
    ratio = "" if ref is None else f"   ratio to thread {secs / ref:5.2f}x  (+{secs - ref:.2f} s)"
    print(f"{label:<18} {secs:7.2f} s{ratio}", flush=True)
    return secs


def main() -> None:
    import pandas as pd

    from ecomdash import demo
    from ecomdash.features import customer_history
    from ecomdash.schema import sales_lines
    from ecomdash.segment import segment_history
    from ecomdash.ui import worker

    lines = demo.generate(42).lines
    hist = customer_history(sales_lines(lines))
    kw = {"as_of": None, "compare_to": str((hist.last_date - pd.Timedelta(days=90)).date())}
    print(f"demo merchant: {len(lines):,} lines; step: segment_history({kw})")
    print("load average (1, 5, 15 min): {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))

    def step():
        return segment_history(hist, **kw)

    step()  # untimed: the parent's imports and numba/BLAS start-up
    ref = _time("thread", step)
    _time("forkserver cold", lambda: worker.run_in_worker(segment_history, hist, **kw), ref)
    _time("forkserver warm", lambda: worker.run_in_worker(segment_history, hist, **kw), ref)
    _time("fork, empty step", lambda: worker.run_in_worker(sum, [1, 2]))  # the start alone
    _time("spawn", lambda: _spawned(segment_history, hist, **kw), ref)
    print("load average (1, 5, 15 min): {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
