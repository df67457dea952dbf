"""Pricing goal (issue #14): does the elasticity model predict held-out units better than the
naive baseline on UCI Online Retail II?

Fit before the cut-off (default: the last 25 % of the weeks held out), predict each product's
weekly units at the prices actually charged after it, and compare the mean absolute error with
the naive forecast (the average units of the weeks just before the cut-off), over the products
that have enough price history before the cut-off. Prints both MAEs and their ratio (below 1:
the model is better), how many products and product-weeks it covers, and the time taken
(store aggregate in SQL + all the models).

Run: ``uv run python bench/bench_pricing.py [--top N]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
UCI = ROOT.parent / "shared" / "data" / "online_retail_ii_2009_2010.csv.gz"

from ecomdash import pricing as P  # noqa: E402
from ecomdash.ingest import load_path  # noqa: E402
from ecomdash.store import Store  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--top", type=int, default=500, help="products by revenue that get a model")
    args = ap.parse_args()
    lines = load_path(UCI).lines
    with tempfile.TemporaryDirectory() as home:
        store = Store.open(home)
        info = store.save_dataset("uci", lines)
        t0 = time.perf_counter()
        pw = store.product_week_prices(info.id)
        t_sql = time.perf_counter() - t0
        t1 = time.perf_counter()
        res = P.analyze(pw, max_products=args.top)
        t_fit = time.perf_counter() - t1
        store.close()
    v = res.validation_summary
    p = res.products
    print(f"UCI Online Retail II: {len(pw):,} product-weeks, {p.shape[0]:,} products")
    print(
        f"elasticities: {int((p['status'] == 'estimated').sum())} own, "
        f"{int((p['status'] == 'category').sum())} from category, "
        f"{int((p['status'] == 'no estimate').sum())} without"
    )
    est = p[p["status"] == "estimated"]
    if len(est):
        print(
            f"  median elasticity {est['elasticity'].median():.2f}, "
            f"share negative {(est['elasticity'] < 0).mean():.0%}, "
            f"share with 90% interval below 0 {(est['ci_high'] < 0).mean():.0%}"
        )
    print(
        f"held-out from {v['cutoff']}: {v['n_products']} products, {v['n_weeks']:,} product-weeks"
    )
    if v["n_products"]:
        beats = res.validation["beats"].mean()
        print(
            f"  model MAE {v['model_mae']:.2f} vs naive MAE {v['baseline_mae']:.2f} units a week"
            f" -> ratio {v['ratio']:.3f} (model better on {beats:.0%} of the products)"
        )
    print(f"promotions found: {len(res.promotions)}")
    print(f"time: store aggregate {t_sql:.2f} s, models {t_fit:.2f} s")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {rss:.0f} MB, load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
