"""The append's re-match query (``store_rematch.rematch_sql``) against the one it replaced, on a real
dataset: the export is cut at its last month by order date, the rest saved, that month
appended (its re-match run as ``Store.append`` runs it), then both queries are timed,
interleaved, on the appended dataset, and their lines compared.

    uv run python bench/bench_rematch_sql.py ../shared/data/online_retail_ii_2009_2010.csv.gz
    uv run ecomdash demo --lines 2e6 --csv /tmp/demo.csv.gz
    uv run python bench/bench_rematch_sql.py /tmp/demo.csv.gz --runs 9

The old query read ``d`` (every line of the dataset with a customer, product and quantity)
three times: DuckDB 2.0 held it whole as a materialised CTE and scanned it thrice.
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import tempfile
import time
from pathlib import Path

OLD = """WITH d AS (
        SELECT {cols} FROM lines WHERE workspace = ? AND dataset_id = ?
        AND customer_id IS NOT NULL AND product_id IS NOT NULL AND quantity IS NOT NULL),
    touched AS (
        SELECT DISTINCT customer_id, product_id, abs(quantity) AS size FROM d
        WHERE line_no > ?),
    g AS (
        SELECT d.customer_id, d.product_id, abs(d.quantity) AS size FROM d
        JOIN touched t ON d.customer_id = t.customer_id AND d.product_id = t.product_id
            AND abs(d.quantity) = t.size
        GROUP BY d.customer_id, d.product_id, abs(d.quantity)
        HAVING bool_or(coalesce(d.is_return, false) AND d.quantity < 0)
            AND bool_or(NOT coalesce(d.is_return, false) AND d.quantity > 0))
    SELECT d.* FROM d JOIN g ON d.customer_id = g.customer_id AND d.product_id = g.product_id
        AND abs(d.quantity) = g.size"""


def _split(path: Path) -> tuple[bytes, bytes]:
    """The export without its last month, and that month (a month is the order date's first
    seven characters, whatever the column: the one the mapping reads as the order date)."""
    import io

    import pandas as pd

    from ecomdash.ingest import load_bytes

    data = path.read_bytes()
    text = (gzip.decompress(data) if path.suffix == ".gz" else data).decode("utf-8")
    head, *body = text.splitlines(keepends=True)
    sample = load_bytes((head + "".join(body[:200])).encode(), "sample.csv")
    column = sample.mapping.as_dict()["order_date"]
    when = pd.read_csv(io.StringIO(text), dtype=str, usecols=[column])[column]
    month = pd.to_datetime(when, format="mixed").dt.strftime("%Y-%m").to_numpy()
    last = max(month)
    first = head + "".join(line for m, line in zip(month, body, strict=True) if m != last)
    second = head + "".join(line for m, line in zip(month, body, strict=True) if m == last)
    return first.encode(), second.encode()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("path", type=Path, help="an order export (.csv or .csv.gz)")
    ap.add_argument("--runs", type=int, default=7, help="timed runs of each query")
    args = ap.parse_args()
    from ecomdash import schema as S
    from ecomdash.ingest import load_bytes
    from ecomdash.ingest.stack import REMATCH_COLUMNS
    from ecomdash.store import Store
    from ecomdash.store_rematch import rematch_sql

    first, second = _split(args.path)
    store = Store.open(Path(tempfile.mkdtemp(prefix="bench-rematch-")))
    a = load_bytes(first, "first.csv", max_bytes=1 << 40)
    info = store.save_dataset("bench", a.lines, report=a.report)
    offset = int(a.lines[S.LINE_NO].max())
    b = load_bytes(second, "last-month.csv", max_bytes=1 << 40)
    t0 = time.perf_counter()
    res = store.append(info.id, b.lines, report=b.report)
    took = time.perf_counter() - t0
    info = res.dataset
    print(
        f"{info.rows:,} lines ({len(b.lines):,} appended: {took:.2f} s, "
        f"{res.cancelled_across:,} more cancelled)"
    )
    cols = [c for c in REMATCH_COLUMNS if c in info.columns or c in S.FLAGS + (S.LINE_NO,)]
    queries = {"old (d read 3x)": OLD.format(cols=", ".join(cols)), "now": rematch_sql(info)}
    times: dict[str, list[float]] = {k: [] for k in queries}
    got = {}
    cur = store._cur()
    for _ in range(args.runs):
        for name, sql in queries.items():
            t0 = time.perf_counter()
            df = cur.sql(sql, params=[store.workspace, info.id, offset]).df()
            times[name].append(time.perf_counter() - t0)
            got[name] = sorted(df[[S.LINE_NO, S.IS_CANCELLED]].astype(str).values.tolist())
    for name, ts in times.items():
        print(
            f"{name:16s} {len(got[name]):>8,} lines  min {min(ts):.3f} s  "
            f"median {statistics.median(ts):.3f} s"
        )
    print("same lines:", got["now"] == got["old (d read 3x)"])
    store.close()


if __name__ == "__main__":
    main()
