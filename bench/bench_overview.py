"""Overview on UCI Online Retail II from the store: goal < 1 s once the app is warm.

Prints the SQL overview time (uncached, the work a page does on a new filter) against a pandas
computation of the same KPIs from the loaded frame, and the ratio. Run:
    uv run python bench/bench_overview.py
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ecomdash.filters import Filters  # noqa: E402
from ecomdash.kpis import kpis_from_lines, overview  # noqa: E402
from ecomdash.store import Store  # noqa: E402

UCI = ROOT.parent / "shared" / "data" / "online_retail_ii_2009_2010.csv.gz"


def timed(fn, repeat=5):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def main() -> None:
    try:
        from ecomdash.ingest import load_path

        lines = load_path(UCI).lines
    except ImportError:  # pragma: no cover
        sys.path.insert(0, str(ROOT / "tests"))
        from reference_uci import uci_reference_lines

        lines = uci_reference_lines(UCI)
    store = Store.open(tempfile.mkdtemp())
    info = store.save_dataset("UCI", lines)
    cases = {
        "all time": Filters(),
        "last 90 days": Filters(start=date(2010, 9, 11), end=date(2010, 12, 9)),
        "UK, Q4": Filters(
            start=date(2010, 10, 1), end=date(2010, 12, 9), countries=("United Kingdom",)
        ),
    }
    print(f"UCI Online Retail II: {info.rows:,} lines in the store")
    print(
        f"{'filter':<14} {'ours: SQL overview':>20} {'pandas KPIs only':>18} {'ratio':>7}  goal < 1 s"
    )
    for name, f in cases.items():
        t_sql, res = timed(lambda f=f: overview(store, info.id, f))
        loaded = store.load_lines(info.id, f)
        t_pd, ref = timed(lambda loaded=loaded, f=f: kpis_from_lines(loaded, f.start, f.end))
        assert abs(res.kpis["revenue"] - ref["revenue"]) < 1e-6 * max(1, abs(ref["revenue"]))
        assert res.kpis["orders"] == ref["orders"]
        ok = "OK" if t_sql < 1 else "MISSED"
        print(f"{name:<14} {t_sql:>19.3f}s {t_pd:>17.3f}s {t_sql / t_pd:>7.2f}  {ok}")
    store.close()


if __name__ == "__main__":
    main()
