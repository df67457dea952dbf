"""Each model page's first result at scale: the old all-lines route against the store seam.

    uv run python bench/bench_pages_scale.py --home DIR --dataset NAME_OR_ID [--steps a,b]

Make the merchant first, e.g. ``ECOMDASH_HOME=DIR uv run python -m ecomdash demo --lines
1000000 --name scale1m``. Every (step, route) runs once in a fresh child process, so its
peak memory (VmHWM) is its own; imports are done before the clock starts.

* ``old``: what the page adapters did before the seam — ``store.load_lines`` (every column,
  Python strings), pickled once as ``st.cache_data`` did, then the analysis from the lines.
* ``new``: what they do now — the store aggregate or the column-projected Arrow loader,
  pickled once (the page caches it), then the analysis's aggregate entry point (basket:
  ``Store.basket_pairs``; recommend_eval: ``Store.recommend_data`` — the full interactions
  and the offline test's split from one SQL pass, as the page caches them — +
  ``evaluate_split``, which leaves out models too big for the data and samples 20,000 test
  customers above that; its ``old`` route is the projected-columns ``evaluate`` of every
  model).

Both routes compute the same answer (tests/unit/test_seam_routes.py); the table prints
seconds and peak MB per route and the old/new ratio. The machine is shared: the load average
is printed before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _peak_mb() -> float:
    with open("/proc/self/status") as f:
        hwm = next(ln for ln in f if ln.startswith("VmHWM"))
    return int(hwm.split()[1]) / 1024


def _cache(obj):
    """What st.cache_data does with a fresh value: pickle it into the cache."""
    return len(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))


# -- steps: (store, dataset_id, route) -> note ----------------------------------------------


def segments(store, ds, route):
    from ecomdash.features import customer_history
    from ecomdash.segment import segment_history

    if route == "old":
        lines = store.load_lines(ds)
        _cache(lines)
        hist = customer_history(lines)
    else:
        hist = store.customer_history(ds)
    _cache(hist)
    res = segment_history(hist)
    return f"{res.n_customers:,} customers, k={res.clusters.k if res.clusters else '-'}"


def value(store, ds, route):
    from ecomdash import schema as S
    from ecomdash.ui.value import ValueParams, run_clv, run_cohorts

    p = ValueParams()
    if route == "old":
        lines = store.load_lines(ds)
        _cache(lines)
        sales = S.sales_lines(lines)
        cohort_sales = clv_sales = sales
    else:  # the page's route: SQL customer days (checklist + CLV), the cohort cells from them
        from ecomdash.ui.value import (
            clv_days,
            cohorts_cells,
            page_cohort_cells,
            sufficiency_days,
        )

        cd = store.customer_days(ds)
        _cache(cd)
        sufficiency_days(cd, p.window_days)
        cells = page_cohort_cells(cd, p, lambda: store.cohort_cells(ds))
        _cache(cells)
        co = cohorts_cells(cells, p)
        _cache(co)
        cv = clv_days(cd, p)
        _cache(cv)
        return f"CLV of {len(cv.customers):,} customers ({cv.method}), {len(co.sizes)} cohorts"
    run_cohorts(cohort_sales, p)
    cv = run_clv(clv_sales, p)
    return f"CLV of {len(cv.customers):,} customers ({cv.method})"


def churn(store, ds, route):
    from ecomdash.ui.value import ValueParams, churn_history, run_churn

    p = ValueParams()
    if route == "old":
        lines = store.load_lines(ds)
        _cache(lines)
        res = run_churn(lines, p)
    else:
        hist = store.customer_history(ds)
        _cache(hist)
        res = churn_history(hist, p)
    return f"{res.n_test:,} test customers, best {res.best_model}"


def recommend(store, ds, route):
    from ecomdash import recommend as R

    if route == "old":
        lines = store.load_lines(ds)
        _cache(lines)
        inter = R.build_interactions(lines)
    else:
        inter = store.interactions(ds)
    _cache(inter)
    name = R.default_model_name(inter.shape[1])
    R.make_model(name).fit_interactions(inter)
    return f"{inter.shape[0]:,} x {inter.shape[1]:,}, {name} fitted"


def recommend_eval(store, ds, route):
    """The page's default run: the offline test of every model, then the default model."""
    from ecomdash import recommend as R

    if route == "old":
        lines = store.load_columns(ds, None, R.LINE_COLUMNS)
        _cache(lines)
        res = R.evaluate(lines, k=10)
        inter = store.interactions(ds)
        _cache(inter)
    else:  # the page: the full interactions and the split from one SQL pass, cached together
        full, (inter, truth, cut, end) = store.recommend_data(ds)
        _cache((full, (inter, truth, cut, end)))
        res = R.evaluate_split(inter, truth, cutoff=cut, end=end, k=10)
        inter = full
    model = R.make_model(res.best_model).fit_interactions(inter)
    model.recommend(list(inter.customers[:5]), k=10)
    return (
        f"{res.n_test_customers:,} test customers, {len(res.table)} models, best "
        f"{res.best_model}; {inter.shape[0]:,} x {inter.shape[1]:,}"
    )


def basket(store, ds, route):
    from ecomdash import basket as B

    lines = store.load_lines(ds) if route == "old" else store.basket_pairs(ds)
    _cache(lines)
    res = B.mine(lines, min_support=0.01)
    return f"{res.n_itemsets:,} itemsets, {res.n_rules:,} rules"


def forecast_shop(store, ds, route):
    from ecomdash import forecast as F

    if route == "old":
        lines = store.load_lines(ds)
    else:
        lines = store.shop_day_groups(ds)
    _cache(lines)
    series = F.build_series(lines, future_periods=F.default_horizon("D"))
    res = F.forecast(series, horizon=F.default_horizon("D"))
    return f"revenue/day, {len(series.frame)} days, model {res.model}"


def forecast_units(store, ds, route):
    from ecomdash import forecast as F

    if route == "old":
        lines = store.load_lines(ds)
    else:
        lines = store.shop_day_groups(ds)
    _cache(lines)
    series = F.build_series(lines, metric="units", future_periods=F.default_horizon("D"))
    res = F.forecast(series, horizon=F.default_horizon("D"))
    return f"units/day from {len(lines):,} rows, model {res.model}"


def many_products(store, ds, route):
    from ecomdash import forecast as F

    if route == "old":
        lines = store.load_lines(ds)
        shop = None
    else:  # what the page does: the top products' lines, the calendar from SQL day groups
        lines, _cut = store.top_product_lines(ds, None, F.LINE_COLUMNS, top=100)
        shop = store.shop_day_groups(ds)
    _cache(lines)
    res = F.forecast_many(lines, top=100, metric="revenue", freq="W", horizon=8, folds=4, shop=shop)
    return f"top {len(res.table)} products from {len(lines):,} lines"


def pricing(store, ds, route):
    """The Pricing page's first result: units and prices per product and week in SQL, then
    the pricing models (what ``ecomdash.ui.pricing._result`` runs, minus its worker)."""
    from ecomdash import pricing as PR

    if route == "old":
        raise SystemExit("pricing has only the store route (product_week_prices)")
    # the page's query (lean: the columns the models read); the page caches only the result
    pw = store.product_week_prices(ds, lean=True)
    res = PR.analyze(pw, cutoff=None, events=None)
    _cache(res)
    p = res.products
    own = int((p["status"] == "estimated").sum())
    return f"{len(p):,} products, {own:,} with their own elasticity"


def alerts(store, ds, route):
    """The Alerts page's first result: ``find_alerts`` with no mutes (its SQL on the store,
    as the page's worker asks the store for it)."""
    from ecomdash.alerts import find_alerts

    if route == "old":
        raise SystemExit("alerts has only the store route")
    res = find_alerts(store, ds)
    _cache(res)
    return f"{len(res.alerts):,} alerts"


STEPS = {
    f.__name__: f
    for f in (
        segments,
        value,
        churn,
        recommend,
        recommend_eval,
        basket,
        forecast_shop,
        forecast_units,
        many_products,
        pricing,
        alerts,
    )
}


def _child(home: str, dataset: str, step: str, route: str) -> None:
    os.environ["ECOMDASH_HOME"] = home
    import holidays  # noqa: F401  (loaded lazily by the calendar: once per server process)
    import holidays.countries  # noqa: F401  (each country's module: 1.7 s on first use)
    import statsmodels.tsa.statespace.sarimax  # noqa: F401  (likewise, by the first forecast)

    import ecomdash.basket  # noqa: F401  (imports are not the step)
    import ecomdash.churn  # noqa: F401
    import ecomdash.clv  # noqa: F401
    import ecomdash.forecast  # noqa: F401
    import ecomdash.recommend  # noqa: F401
    import ecomdash.segment  # noqa: F401
    import ecomdash.ui.value  # noqa: F401
    from ecomdash.store import Store, connect

    store = Store(connect(home, read_only=True))
    ds = store.resolve(dataset).id
    t0, c0 = time.perf_counter(), time.process_time()
    note = STEPS[step](store, ds, route)
    secs, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(json.dumps({"seconds": secs, "cpu": cpu, "peak_mb": _peak_mb(), "note": note}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--home", required=True, help="ECOMDASH_HOME holding the merchant")
    ap.add_argument("--dataset", required=True, help="dataset id or exact name")
    ap.add_argument("--steps", default=",".join(STEPS), help="comma-separated steps")
    ap.add_argument("--routes", default="old,new")
    ap.add_argument(
        "--repeat", type=int, default=1, help="runs per (step, route), alternating; best kept"
    )
    ap.add_argument("--child", nargs=2, metavar=("STEP", "ROUTE"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        _child(args.home, args.dataset, *args.child)
        return
    from ecomdash.store import Store, connect

    s = Store(connect(args.home, read_only=True))
    info = s.resolve(args.dataset)
    s.close()
    print(f"dataset {info.name}: {info.rows:,} lines; load average {os.getloadavg()}")
    # CPU seconds (all threads: DuckDB's too) as well as wall: on a shared machine the wall
    # time is mostly waiting for a core
    print(f"{'step':<16}{'route':<6}{'seconds':>9}{'CPU s':>8}{'peak MB':>9}  note")
    rows: dict[str, dict[str, dict]] = {}
    for step in args.steps.split(","):
        for _ in range(args.repeat):  # alternate the routes: a busy spell hits both
            for route in args.routes.split(","):
                out = subprocess.run(
                    [sys.executable, __file__, "--home", args.home, "--dataset", info.id]
                    + ["--child", step, route],
                    capture_output=True,
                    text=True,
                )
                if out.returncode != 0:
                    print(f"{step:<16}{route:<6} failed: {out.stderr.strip().splitlines()[-1:]}")
                    continue
                r = json.loads(out.stdout.strip().splitlines()[-1])
                best = rows.setdefault(step, {}).get(route)
                if best is None or r["seconds"] < best["seconds"]:
                    rows[step][route] = r
                print(
                    f"{step:<16}{route:<6}{r['seconds']:>9.2f}{r['cpu']:>8.2f}"
                    f"{r['peak_mb']:>9.0f}  {r['note']}"
                )
                sys.stdout.flush()
    print(f"\nbest of {args.repeat}: old/new ratio (load average now {os.getloadavg()})")
    print(f"{'step':<16}{'old s':>8}{'new s':>8}{'time':>7}{'old MB':>8}{'new MB':>8}{'memory':>7}")
    for step, r in rows.items():
        if "old" in r and "new" in r:
            o, n = r["old"], r["new"]
            t = o["seconds"] / max(n["seconds"], 1e-9)
            m = o["peak_mb"] / max(n["peak_mb"], 1e-9)
            print(
                f"{step:<16}{o['seconds']:>8.2f}{n['seconds']:>8.2f}{t:>6.1f}x"
                f"{o['peak_mb']:>8.0f}{n['peak_mb']:>8.0f}{m:>6.1f}x"
            )


if __name__ == "__main__":
    main()
