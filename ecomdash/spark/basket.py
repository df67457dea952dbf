"""Basket mining on the cluster: Spark MLlib FP-Growth on the dataset's orders.

The baskets are built by Spark SQL from the lake (the distinct products of each order's sale
lines, the same cleaning as ``basket.mine``), FP-Growth finds the frequent itemsets on the
executors, and only the itemsets come back. Rules are derived from them in the app, for every
split of an itemset (MLlib's own ``associationRules`` gives single-item consequents only, while
``basket.mine`` and mlxtend give all of them): the itemsets are few (hundreds at support 0.005),
so this is milliseconds.

The same thresholds give the same itemsets and rules as ``basket.mine`` on the same lines:
``tests/unit/test_spark_models.py`` checks it at support 0.01 and 0.005 on the demo merchant.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from itertools import combinations

import pandas as pd

from ecomdash import schema as S
from ecomdash.basket import _min_count
from ecomdash.errors import InsufficientDataError, ParameterError
from ecomdash.filters import Filters


@dataclass(frozen=True)
class FPGrowthResult:
    """Frequent itemsets (``itemset`` sorted tuple of product ids, ``size``, ``count``,
    ``support``) and rules (``antecedents``, ``consequents``, ``support``, ``count``,
    ``confidence``, ``lift``) of the order baskets, mined by Spark MLlib FP-Growth."""

    itemsets: pd.DataFrame
    rules: pd.DataFrame
    n_baskets: int
    min_count: int
    params: dict
    elapsed: float
    warnings: tuple[str, ...] = field(default_factory=tuple)


def fpgrowth(
    store,
    dataset_id: str,
    filters: Filters | None = None,
    *,
    min_support: float = 0.01,
    min_confidence: float = 0.0,
    min_lift: float = 1.0,
    include_non_product: bool = False,
) -> FPGrowthResult:
    """Order baskets at product level of a dataset on a :class:`SparkStore`, mined with MLlib.

    Raises ParameterError for thresholds out of range or a dataset without order and product
    ids, InsufficientDataError when there is no basket.
    """
    from pyspark.ml.fpm import FPGrowth

    t0 = time.perf_counter()
    if not 0.0 < float(min_support) <= 1.0:
        raise ParameterError(f"min_support must be in (0, 1]; got {min_support!r}.")
    if not 0.0 <= float(min_confidence) <= 1.0:
        raise ParameterError(f"min_confidence must be in [0, 1]; got {min_confidence!r}.")
    info = store.info(dataset_id)
    missing = {S.ORDER_ID, S.PRODUCT_ID} - set(info.columns)
    if missing:
        raise ParameterError(
            f"Basket analysis needs {', '.join(sorted(missing))}; this dataset has "
            f"{', '.join(info.columns)}. Map the order id and product id columns when uploading."
        )
    where, params = store._where(info, filters)
    sale = store.sales_predicate(info, keep_non_product=include_non_product)
    cur = store._cur()
    baskets = cur._run(
        f"""SELECT order_id, array_sort(collect_set(product_id)) AS items
        FROM lines WHERE {where} AND {sale}
            AND order_id IS NOT NULL AND product_id IS NOT NULL
        GROUP BY order_id""",
        params,
    ).cache()
    try:
        n = int(baskets.count())
        if n == 0:
            raise InsufficientDataError(
                "Basket analysis found no orders to analyse: 0 sale lines with a product after "
                "removing returns. Check the global filters and that the file has sale lines."
            )
        min_count = _min_count(float(min_support), n)
        # MLlib keeps itemsets with count >= ceil(minSupport * n): this gives exactly min_count
        model = FPGrowth(itemsCol="items", minSupport=(min_count - 0.5) / n, minConfidence=1.0).fit(
            baskets
        )
        got = model.freqItemsets.toArrow().to_pylist()
    finally:
        baskets.unpersist()
    counts = {tuple(sorted(r["items"])): int(r["freq"]) for r in got}
    rows = sorted(counts.items(), key=lambda kv: (-kv[1], len(kv[0]), kv[0]))
    itemsets = pd.DataFrame(
        {
            "itemset": [k for k, _ in rows],
            "size": [len(k) for k, _ in rows],
            "count": [c for _, c in rows],
            "support": [c / n for _, c in rows],
        }
    )
    rules = []
    for items, c_ac in counts.items():
        for r in range(1, len(items)):
            for ante in combinations(items, r):
                cons = tuple(x for x in items if x not in ante)
                conf = c_ac / counts[ante]
                lift = conf / (counts[cons] / n)
                if conf >= min_confidence and lift >= min_lift:
                    rules.append((ante, cons, c_ac / n, c_ac, conf, lift))
    rules_df = pd.DataFrame(
        rules, columns=["antecedents", "consequents", "support", "count", "confidence", "lift"]
    )
    if len(rules_df):
        rules_df = rules_df.sort_values(
            ["lift", "confidence", "count"], ascending=False, kind="stable"
        ).reset_index(drop=True)
    return FPGrowthResult(
        itemsets=itemsets,
        rules=rules_df,
        n_baskets=n,
        min_count=min_count,
        params={
            "min_support": float(min_support),
            "min_confidence": float(min_confidence),
            "min_lift": float(min_lift),
            "include_non_product": bool(include_non_product),
            "engine": "spark-mllib-fpgrowth",
        },
        elapsed=time.perf_counter() - t0,
    )
