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

import json
import os
import time

from _page_server import served_page


def main() -> None:
    page, store, key = served_page(__doc__.splitlines()[0], "ecomdash.ui.forecast")
    from ecomdash import forecast as F

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
