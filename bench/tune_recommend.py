"""Tune the recommenders' defaults on a VALIDATION split that ends before the test window.

Train < 2010-10-10, validate on 2010-10-10 .. 2010-11-09 (new purchases of known customers).
The benchmark's test window (2010-11-10 .. 2010-12-09) is never looked at here.

    uv run python bench/tune_recommend.py [model ...]

Chosen defaults (validation hit rate@10 / precision@10 on 1,092 customers, 2026-11-23):

- ease: binary, l2 100, history half-life 90 days (0.487 / 0.081); min_buyers 5 gives the same
  accuracy (0.487 / 0.081) with a ~20 % smaller matrix to invert.
- item_knn: binary, 200 neighbours, shrinkage 10, half-life 90 days (0.408 / 0.070).
- user_knn: tfidf, 50 neighbours (0.385 / 0.065).
- als: 32 factors, 4 iterations x 2 CG steps, alpha 5, regularisation 1 on log(1 + orders)
  (0.392 / 0.062; 64 factors / 8 iterations reach 0.398 at 4x the time).
"""

from __future__ import annotations

import sys
import time

import pandas as pd

from ecomdash import recommend as R

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent))
from bench_recommend import load_uci_sales  # noqa: E402

GRID: dict[str, list[dict]] = {
    "ease": [
        {"l2": l2, "weighting": w, "half_life_days": h, "min_buyers": 1}
        for w in ("binary", "log", "tfidf")
        for l2 in (100.0, 200.0, 400.0)
        for h in (None, 90.0, 180.0)
    ],
    "ease_min_buyers": [
        {"l2": 100.0, "weighting": "binary", "half_life_days": 90.0, "min_buyers": m}
        for m in (1, 2, 3, 5, 10)
    ],
    "item_knn": [
        {"weighting": w, "neighbours": n, "shrinkage": s, "half_life_days": h}
        for w in ("binary", "bm25", "tfidf")
        for n in (50, 200, None)
        for s in (0.0, 10.0)
        for h in (None, 90.0)
    ],
    "user_knn": [
        {"neighbours": n, "weighting": w}
        for w in ("binary", "bm25", "tfidf")
        for n in (25, 50, 100)
    ],
    "als": [
        {"factors": f, "iterations": it, "cg_steps": cg, "alpha": a, "regularization": r}
        for f in (32, 64)
        for it, cg in ((4, 2), (8, 3))
        for a in (5.0, 10.0, 20.0)
        for r in (0.05, 1.0)
    ],
}


def main(names: list[str]) -> None:
    sales, how = load_uci_sales()
    split = R.chronological_split(sales, cutoff="2010-10-10", end="2010-11-10")
    inter = R.build_interactions(split.train)
    print(f"validation: read via {how}; {len(split.truth):,} customers; {inter.shape}")
    pd.set_option("display.width", 200)
    for name in names or list(GRID):
        rows = []
        for params in GRID[name]:
            t0 = time.perf_counter()
            table = R.evaluate_models(
                inter,
                split.truth,
                {
                    "m": R.make_model(name.removesuffix("_min_buyers"), **params),
                    "popularity": R.make_model("popularity"),
                },
                k=10,
            )
            row = table.set_index("model").loc["m"]
            rows.append(
                {
                    **params,
                    "precision": row["precision_at_k"],
                    "hit_rate": row["hit_rate_at_k"],
                    "ndcg": row["ndcg_at_k"],
                    "coverage": row["coverage"],
                    "fit_s": row["fit_seconds"],
                    "all_s": time.perf_counter() - t0,
                }
            )
        out = pd.DataFrame(rows).sort_values(["hit_rate", "precision"], ascending=False)
        print(f"\n== {name}\n{out.round(4).to_string(index=False)}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
