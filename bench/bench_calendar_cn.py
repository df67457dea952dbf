"""The Chinese calendar in the forecast: backtest MAE with the calendar vs the same models
without it, and what it costs in time (issue #16).

Series: the Chinese demo merchant (``ecomdash.demo_zh``, 2024-12-01 .. 2026-11-30: the backtest
holds National Day 2026 and Double 11 2026), revenue per day (8 folds × 14 days) and per week
(4 folds × 8 weeks). No real Chinese shop's data is in ../shared/data, so this is measured on
generated data only.

Run: ``uv run python bench/bench_calendar_cn.py``
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ecomdash import calendar_cn as C  # noqa: E402
from ecomdash import demo_zh  # noqa: E402
from ecomdash import forecast as F  # noqa: E402


def main() -> None:
    lines = demo_zh.generate(7).lines
    for freq, horizon, folds in (("D", 14, 8), ("W", 8, 4)):
        s = F.build_series(lines, metric="revenue", freq=freq, future_periods=horizon)
        t0 = time.perf_counter()
        plain = F.forecast(s, horizon=horizon, folds=folds)
        t1 = time.perf_counter()
        cal = F.forecast(s, horizon=horizon, folds=folds, calendar=C.FEATURES)
        t2 = time.perf_counter()
        bt = cal.backtest.set_index("model")["mae"]
        print(
            f"{freq}: {folds} folds x {horizon}; plain run {t1 - t0:.1f} s, with the calendar {t2 - t1:.1f} s"
        )
        for m in ("seasonal_mean", "ets", "sarimax"):
            if m in bt and f"{m}_cal" in bt:
                print(
                    f"  {m:14s} MAE {bt[m]:>10,.0f} -> with calendar {bt[f'{m}_cal']:>10,.0f}"
                    f"  ratio {bt[f'{m}_cal'] / bt[m]:.3f}"
                )
        pa = plain.backtest.set_index("model")["mae"]["auto"]
        print(
            f"  auto           MAE {pa:>10,.0f} -> with calendar {bt['auto']:>10,.0f}  ratio {bt['auto'] / pa:.3f}"
            f"  (chosen: {plain.model} -> {cal.model})"
        )


if __name__ == "__main__":
    main()
