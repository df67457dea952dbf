"""Time of matching a stock file's ids to the sales data's products (``stock_file.match_stock``)
against pandas aligning the same Series by the same ids, for catalogues of growing size.

    uv run python bench/bench_stock_match.py                 # 10k, 50k and 350k ids
    uv run python bench/bench_stock_match.py --sizes 40000

Half the file's ids are products with sales, written in another case (``sku-1`` for
``SKU-1``: the case-insensitive match runs for every one of them). The reference is the bare
alignment pandas does (first row per id, reindexed on the products): no case rule, no notes.
Prints seconds for both and ours / pandas as a ratio: the ratio stays flat as the catalogue
grows when matching is linear (it grew with the size when each id looked up its row with
``list.index``: 40,000 ids took 14 s).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from ecomdash.stock_file import match_stock


def _best(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000, 350_000])
    args = ap.parse_args()
    print(f"{'ids':>9} {'ours s':>8} {'pandas s':>9} {'ratio':>7}")
    for n in args.sizes:
        ids = [f"sku-{k}" if k % 2 else f"SKU-{k}" for k in range(n)]
        stock = pd.Series(np.arange(n, dtype=float), index=ids)
        products = [f"SKU-{k}" for k in range(n)]
        ours = _best(lambda: match_stock(stock, products))  # noqa: B023
        ref = _best(
            lambda: stock[~stock.index.duplicated()].reindex(stock.index.str.upper())  # noqa: B023
        )
        print(f"{n:>9,} {ours:>8.3f} {ref:>9.4f} {ours / ref:>6.0f}×")


if __name__ == "__main__":
    main()
