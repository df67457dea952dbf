"""Alerts at size: the store's SQL does the reduction, so a run costs less than loading the lines.

Builds a merchant of about N lines by repeating the demo merchant (copies get their own order
and customer ids and are shifted by whole weeks, so per-product baselines stay the demo's and
per-customer rules scale), saves
it, then prints, per size: the store's alert SQL (daily series + every order rule), the whole
``find_alerts`` run, and the reference — loading every line into pandas with
``Store.load_lines``, the floor of any approach that does not reduce in the engine — and the
ratio ours / reference. Run:
    uv run python bench/bench_alerts.py [1000000 3000000 ...]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ecomdash.alerts import find_alerts  # noqa: E402
from ecomdash.alerts.orders import ORDER_RULES  # noqa: E402
from ecomdash.demo import generate  # noqa: E402
from ecomdash.store import Store  # noqa: E402


def merchant(lines: pd.DataFrame, n: int) -> pd.DataFrame:
    k = max(1, round(n / len(lines)))
    parts = []
    for i in range(k):
        c = lines.copy()
        if i:
            c["order_id"] = c["order_id"] + f"-{i}"
            c["customer_id"] = c["customer_id"] + f"-{i}"
            # shifted by whole weeks: same weekly pattern, but copies of one return no longer
            # land in the same product-week (that would be a planted spike)
            c["order_date"] = c["order_date"] + pd.Timedelta(weeks=3 * i)
        parts.append(c)
    out = pd.concat(parts, ignore_index=True).sort_values("order_date", kind="stable")
    out["line_no"] = range(1, len(out) + 1)
    return out


def main(sizes: list[int]) -> None:
    demo = generate().lines
    print(
        f"{'lines':>11} {'alert SQL':>10} {'find_alerts':>12} {'load all lines':>15} {'ratio':>6}"
    )
    for n in sizes:
        lines = merchant(demo, n)
        store = Store.open(tempfile.mkdtemp())
        info = store.save_dataset("bench", lines)
        del lines
        t = time.perf_counter()
        store.alert_daily_series(info.id)
        for rule in ORDER_RULES:
            store.alert_rule_lines(info.id, None, rule)
        t_sql = time.perf_counter() - t
        t = time.perf_counter()
        res = find_alerts(store, info.id)
        t_all = time.perf_counter() - t
        t = time.perf_counter()
        store.load_lines(info.id)
        t_ref = time.perf_counter() - t
        print(
            f"{info.rows:>11,} {t_sql:>9.2f}s {t_all:>11.2f}s {t_ref:>14.2f}s "
            f"{t_all / t_ref:>6.2f}   ({len(res.alerts)} alerts)"
        )
        store.close()


if __name__ == "__main__":
    main([int(x) for x in sys.argv[1:]] or [1_000_000])
