"""The forecast page's first default run in a fresh server process, through the page's own
cached functions.

    uv run python bench/bench_forecast_page.py --home DIR --dataset ID

As a server does it: the worker's fork server started (``worker.warm()``, as ``app.py`` does)
and waited for (its ``PRELOAD`` imported), the page module imported; then on the clock what
``_show_forecast`` does on arrival — ``_series`` (the SQL day groups and the whole shop's
daily revenue series) and ``_forecast`` (the models in a worker) — with the page's default
parameters (no Chinese calendar). Prints JSON: wall seconds, this (server) process's CPU
seconds (the workers' are not in it), the two parts, the chosen model and the forecast's total.
Compare two trees with ``PYTHONPATH=TREE`` (e.g. ``git archive main`` unpacked). The machine is
shared: the load average is printed too.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import time


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--home", required=True, help="ECOMDASH_HOME holding the merchant")
    ap.add_argument("--dataset", required=True, help="dataset id or exact name")
    args = ap.parse_args()
    logging.disable(logging.WARNING)  # streamlit's "no runtime" warnings outside a server
    os.environ["ECOMDASH_HOME"] = args.home
    from ecomdash.ui import worker

    worker.warm()
    import ecomdash.ui.forecast as page
    from ecomdash import forecast as F
    from ecomdash.filters import Filters
    from ecomdash.store import Store, connect

    worker.run_in_worker(len, [1])  # the fork server is up and has its preload
    store = Store(connect(args.home, read_only=True))
    info = store.info(store.resolve(args.dataset).id)
    page.get_store = lambda workspace=None: store  # no Streamlit session here
    key = (store.workspace, info.id, info.version, Filters().as_key())
    h = F.default_horizon("D")
    sparams, fparams = ("revenue", "D", "shop", None, "net", (), (), h), (h, 8, ())
    w, c = time.perf_counter(), time.process_time()
    page._series(key, sparams)
    t_series = time.perf_counter() - w
    res = page._forecast(key, sparams, fparams)
    wall, cpu = time.perf_counter() - w, time.process_time() - c
    print(
        json.dumps(
            {
                "wall": round(wall, 3),
                "server_cpu": round(cpu, 3),
                "series": round(t_series, 3),
                "forecast": round(wall - t_series, 3),
                "model": res.model,
                "next_total": round(float(res.forecast["mean"].sum()), 6),
                "load": round(os.getloadavg()[0], 2),
            }
        )
    )
    store.close()


if __name__ == "__main__":
    main()
