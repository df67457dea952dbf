"""Basket mining on the cluster: Spark MLlib FP-Growth on the dataset's baskets.

:func:`mine_on_lake` is ``basket.mine`` for a dataset on a :class:`SparkStore`: the baskets are
built by Spark SQL from the lake (the distinct items of each basket's kept sale lines — not
cancelled, ``Store.customer_predicate`` —, the same cleaning and basket keys as ``basket.mine``), FP-Growth finds the frequent itemsets on
the executors, and only the itemsets (hundreds of rows at support 0.005), a few counts and the
names of the frequent products come back. The rules, tables, limits and warnings (translatable
Notes) are then built from those itemsets by the function ``basket.mine`` ends with
(``basket.mining.result_from_levels``), so the :class:`~ecomdash.basket.BasketResult` is the
one ``basket.mine`` returns on the same lines: same itemsets, counts, rules and their order,
names and warnings
(``tests/unit/test_spark_models.py`` checks it at support 0.01 and 0.005 on the demo merchant
and on the UCI Online Retail II file).

``basket.mine_dataset`` calls it when the store's engine is Spark (the Basket page and
``ecomdash basket``). Differences kept on purpose: the in-app miner's work limits on pair and
candidate counts (``MAX_PAIR_WORK`` ...) protect one machine's memory and are not applied on the
cluster; the limits on the results (``MAX_ITEMSETS``, ``MAX_RULES``) are.
"""

from __future__ import annotations

import time

import numpy as np

from ecomdash import basket as B
from ecomdash import schema as S
from ecomdash.basket.encode import _check_columns, _dropped_note
from ecomdash.basket.keys import basket_key_sql
from ecomdash.basket.miner import (
    _Level,
    _refuse,
)
from ecomdash.basket.mining import check_baskets, mine_params, result_from_levels
from ecomdash.basket.results import _check_choice, _min_count
from ecomdash.filters import Filters
from ecomdash.i18n import N_
from ecomdash.i18n.note import note


def _basket_sql(store, info, filters, *, basket: str, level: str, include_non_product: bool):
    """(SQL of the kept sale lines — not cancelled, ``Store.customer_predicate`` — with
    ``basket`` and ``item`` columns, its parameters)."""
    item = S.PRODUCT_ID if level == "product" else S.CATEGORY
    # the DuckDB store's basket key (a guest's order is its own basket that day)
    key, _no_key = basket_key_sql(basket, info.columns)
    name = S.PRODUCT_NAME if level == "product" and S.PRODUCT_NAME in info.columns else "NULL"
    where, params = store._where(info, filters)
    sale = store.customer_predicate(info, keep_non_product=include_non_product)  # not cancelled
    sql = (
        f"SELECT {key} AS basket, {item} AS item, {name} AS name "
        f"FROM lines WHERE {where} AND {sale}"
    )
    return sql, params


def _levels(counts: dict[tuple, int], ids: list[str]) -> list[_Level]:
    """FP-Growth's itemsets as the in-app miner's levels: level k holds the frequent k-sets as
    rows of item indices (items in id order) sorted lexicographically, with the rank of each
    set's (k-1)-prefix in the level below (``parent``) and ``keys = parent * F + last``."""
    n_items = len(ids)
    pos = {x: j for j, x in enumerate(ids)}
    by_size: dict[int, list[tuple[tuple[int, ...], int]]] = {}
    for items, c in counts.items():
        by_size.setdefault(len(items), []).append((tuple(sorted(pos[x] for x in items)), c))
    levels: list[_Level] = []
    rank_below: dict[tuple[int, ...], int] = {}
    for k in range(1, max(by_size, default=0) + 1):
        rows = sorted(by_size.get(k, []))
        if not rows:
            break
        sets = np.asarray([r for r, _ in rows], dtype=np.int64).reshape(-1, k)
        cnt = np.asarray([c for _, c in rows], dtype=np.int64)
        if k == 1:
            parent = np.full(len(rows), -1, dtype=np.int64)
            keys = sets[:, 0].copy()
        else:
            parent = np.asarray([rank_below[r[:-1]] for r, _ in rows], dtype=np.int64)
            keys = parent * n_items + sets[:, -1]
        levels.append(_Level(sets=sets, counts=cnt, keys=keys, parent=parent))
        rank_below = {r: j for j, (r, _) in enumerate(rows)}
    return levels


def _names(store, sql: str, params: list, ids: list[str], level: str) -> np.ndarray:
    """The most common product name of each frequent product (ties: alphabetically first),
    as ``basket.mine`` picks it; the id when it has no name."""
    out = np.asarray([str(x) for x in ids], dtype=object)
    if level != "product" or not ids:
        return out
    got = (
        store._cur()
        ._run(
            f"""SELECT item, name, count(*) AS n FROM ({sql}) t
            WHERE basket IS NOT NULL AND item IS NOT NULL AND name IS NOT NULL
            GROUP BY item, name""",
            params,
        )
        .toArrow()
        .to_pandas()
    )
    if not len(got):
        return out
    got = got[got["item"].isin(set(ids))]
    got = got.sort_values(["item", "n", "name"], ascending=[True, False, True], kind="stable")
    best = dict(zip(*got.drop_duplicates("item")[["item", "name"]].T.to_numpy(), strict=True))
    return np.asarray([str(best.get(x, x)) for x in ids], dtype=object)


def _suggest(store, sql: str, params: list, n: int, target: int = 10) -> float | None:
    """Support of the ``target``-th most frequent pair of items bought ≥ twice (or of the last
    pair when fewer): ``basket.mine``'s suggestion when no pair reaches the threshold."""
    rows = (
        store._cur()
        ._run(
            f"""WITH k AS (SELECT DISTINCT basket, item FROM ({sql}) t
                WHERE basket IS NOT NULL AND item IS NOT NULL),
            f AS (SELECT item FROM k GROUP BY item HAVING count(*) >= 2),
            b AS (SELECT k.basket, k.item FROM k JOIN f ON k.item = f.item)
            SELECT count(*) AS c FROM b x JOIN b y ON x.basket = y.basket AND x.item < y.item
            GROUP BY x.item, y.item ORDER BY c DESC LIMIT {int(target)}""",
            params,
        )
        .toArrow()
        .column("c")
        .to_pylist()
    )
    if not rows:
        return None
    return int(rows[-1]) / n


def mine_on_lake(
    store,
    dataset_id: str,
    filters: Filters | None = None,
    *,
    min_support: float = 0.01,
    min_confidence: float = 0.0,
    min_lift: float = 1.0,
    max_len: int | None = None,
    basket: str = "order",
    level: str = "product",
    include_non_product: bool = False,
) -> B.BasketResult:
    """``basket.mine`` on a dataset of a :class:`SparkStore`, the itemsets found by MLlib
    FP-Growth on the cluster. Same parameters, result, refusals and messages."""
    from pyspark.ml.fpm import FPGrowth

    func = "basket.mine"
    t_start = time.perf_counter()
    params = mine_params(
        min_support=min_support,
        min_confidence=min_confidence,
        min_lift=min_lift,
        max_len=max_len,
        basket=basket,
        level=level,
        include_non_product=include_non_product,
    )
    min_support, max_len = params["min_support"], params["max_len"]
    _check_choice("basket", basket, B.BASKETS, func)
    _check_choice("level", level, B.LEVELS, func)
    info = store.info(dataset_id)
    _check_columns(info.columns, basket=basket, level=level, func=func)
    timings: list[tuple[str, float]] = []
    sql, sql_params = _basket_sql(
        store, info, filters, basket=basket, level=level, include_non_product=include_non_product
    )
    cur = store._cur()

    t0 = time.perf_counter()
    dropped = (
        cur._run(
            f"SELECT count(*) AS d FROM ({sql}) t WHERE basket IS NULL OR item IS NULL", sql_params
        )
        .toArrow()["d"][0]
        .as_py()
    )
    baskets = cur._run(
        f"""SELECT basket, array_sort(collect_set(item)) AS items FROM ({sql}) t
        WHERE basket IS NOT NULL AND item IS NOT NULL GROUP BY basket""",
        sql_params,
    ).cache()
    try:
        sizes = baskets.selectExpr(
            "count(*) AS n", "coalesce(sum(CASE WHEN size(items) >= 2 THEN 1 ELSE 0 END), 0) AS m"
        ).toArrow()
        n, n_multi = int(sizes["n"][0].as_py()), int(sizes["m"][0].as_py())
        warnings: list[str] = []
        if dropped:
            warnings.append(_dropped_note(dropped, basket=basket, level=level))
        check_baskets(
            n, n_multi, basket=basket, level=level, include_non_product=include_non_product
        )
        min_count = _min_count(min_support, n)
        timings.append(("build baskets (Spark SQL)", time.perf_counter() - t0))
        t0 = time.perf_counter()
        # MLlib keeps itemsets with freq >= ceil(minSupport * n): this gives exactly min_count
        model = FPGrowth(itemsCol="items", minSupport=(min_count - 0.5) / n, minConfidence=1.0)
        got = model.fit(baskets).freqItemsets
        if max_len is not None:
            got = got.where(f"size(items) <= {int(max_len)}")
        got = got.toArrow().to_pylist()
        timings.append(("frequent itemsets (Spark MLlib FP-Growth)", time.perf_counter() - t0))
    finally:
        baskets.unpersist()

    counts = {tuple(sorted(r["items"])): int(r["freq"]) for r in got}
    if len(counts) > B.MAX_ITEMSETS:
        allc = np.sort(np.fromiter(counts.values(), dtype=np.int64))[::-1]
        raise _refuse(
            note(N_("frequent itemsets found:")),
            len(counts),
            B.MAX_ITEMSETS,
            int(allc[B.MAX_ITEMSETS // 2]) + 1,
            n,
            min_support,
            max(len(k) for k in counts),
        )
    t0 = time.perf_counter()
    ids = sorted(k[0] for k in counts if len(k) == 1)
    levels = _levels(counts, ids)
    if not levels:  # no item is frequent: one empty level, as the in-app miner has
        levels = [
            _Level(
                sets=np.empty((0, 1), dtype=np.int64),
                counts=np.empty(0, dtype=np.int64),
                keys=np.empty(0, dtype=np.int64),
                parent=np.empty(0, dtype=np.int64),
            )
        ]
    return result_from_levels(
        levels,
        ids=np.asarray(ids, dtype=object),
        names_of=lambda: _names(store, sql, sql_params, ids, level),
        n=n,
        n_multi=n_multi,
        min_count=min_count,
        params=params,
        warnings=warnings,
        timings=timings,
        t_start=t_start,
        suggest=lambda: _suggest(store, sql, sql_params, n),
        rules_started=t0,
    )
