"""Goal: every store × department weekly series of a Walmart-sized table (45 stores × ~70
departments × 143 weeks, ~3,000 series) forecast with its backtest in < 60 s, and the summed
backtest MAE of the chosen models ≤ 0.9 × seasonal naive.

    uv run python bench/bench_many_series.py [--stores 45 --depts 70 --weeks 143]

Prints ours vs the seasonal-naive reference as ratios, and the total's MAE bottom-up vs direct.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ecomdash.forecast_groups import forecast_groups  # noqa: E402
from ecomdash.ingest import load_bytes  # noqa: E402
from ecomdash.store import Store  # noqa: E402
from tests.summed_fixtures import to_csv_bytes, walmart_like  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--stores", type=int, default=45)
    ap.add_argument("--depts", type=int, default=70)
    ap.add_argument("--weeks", type=int, default=143)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    df = walmart_like(a.stores, a.depts, a.weeks, seed=a.seed)
    with tempfile.TemporaryDirectory() as home:
        t = time.perf_counter()
        res = load_bytes(to_csv_bytes(df), "train.csv")
        store = Store.open(home)
        info = store.save_dataset("bench", res.lines, report=res.report)
        t_load = time.perf_counter() - t
        t = time.perf_counter()
        fc = forecast_groups(store, info.id, by="location,category", freq="W")
        t_fc = time.perf_counter() - t
        store.close()
    bt = fc.backtest
    print(f"rows {len(df):,}; series {bt['series']:,}; weeks {a.weeks}; load+save {t_load:.1f} s")
    print(f"forecast + backtest of every series and the total: {t_fc:.1f} s (goal < 60 s)")
    print(
        f"summed MAE auto {bt['auto']:,.0f} vs seasonal naive {bt['seasonal_naive']:,.0f}: "
        f"ratio {bt['ratio']:.3f} (goal <= 0.9)"
    )
    print(
        f"summed MAE before reconciliation {bt['auto_unreconciled']:,.0f} "
        f"(ratio {bt['auto_unreconciled'] / bt['seasonal_naive']:.3f})"
    )
    print(
        f"total MAE: reconciled ({fc.reconciliation}) {bt['total_mae']:,.0f}, bottom-up "
        f"{bt['total_bottom_up_mae']:,.0f}, direct ({fc.direct_model}) "
        f"{bt['total_direct_mae']:,.0f}, seasonal naive {bt['total_seasonal_naive_mae']:,.0f}; "
        f"reconciled / direct {bt['total_mae'] / bt['total_direct_mae']:.3f}, bottom-up / direct "
        f"{bt['total_bottom_up_mae'] / bt['total_direct_mae']:.3f}"
    )
    print("models chosen:", fc.table["model"].value_counts().to_dict())


if __name__ == "__main__":
    main()
