"""The Pricing page's first default run in a fresh server process, through the page's own
cached function.

    uv run python bench/bench_pricing_page.py --home DIR --dataset ID

As a server does it: the worker's fork server started (``worker.warm()``, as ``app.py`` does)
and waited for (its ``PRELOAD``, ``ecomdash.pricing`` among it, imported), the page module
imported (it imports ``ecomdash.pricing``); then on the clock what the page runs on arrival —
``_result`` with the page's defaults (no cutoff, no events): the product-week query in this
process, ``analyze`` in a worker (the frame pickled to it, the result back) — then the same
call again (the cache hit). Prints JSON: wall seconds, this (server) process's CPU seconds (the
worker's are not in it), the second run, and the result's counts. ``bench_scale.py``'s
"pricing" step runs the same query and ``analyze`` in one process, with the import of
``ecomdash.pricing`` (statsmodels, scipy) on its clock. Compare two trees with
``PYTHONPATH=TREE``. The machine is shared: the load average is printed too.
"""

from __future__ import annotations

import json
import os
import time

from _page_server import served_page


def main() -> None:
    page, store, key = served_page(__doc__.splitlines()[0], "ecomdash.ui.pricing")
    load0 = os.getloadavg()[0]
    w, c = time.perf_counter(), time.process_time()
    res = page._result(key, (None, ()), "en")
    wall, cpu = time.perf_counter() - w, time.process_time() - c
    w2 = time.perf_counter()
    page._result(key, (None, ()), "en")
    second = time.perf_counter() - w2
    p = res.products
    print(
        json.dumps(
            {
                "wall": round(wall, 3),
                "server_cpu": round(cpu, 3),
                "second": round(second, 3),
                "products": len(p),
                "estimated": int((p["status"] == "estimated").sum()),
                "category": int((p["status"] == "category").sum()),
                "panel_rows": len(res.panel),
                "load": [round(load0, 2), round(os.getloadavg()[0], 2)],
            }
        )
    )
    store.close()


if __name__ == "__main__":
    main()
