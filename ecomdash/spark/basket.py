"""Basket mining on the cluster: Spark MLlib FP-Growth on the dataset's baskets.

:func:`mine_on_lake` is ``basket.mine`` for a dataset on a :class:`SparkStore`: the baskets are
built by Spark SQL from the lake (the distinct items of each basket's sale lines, the same
cleaning and the same basket keys as ``basket.mine``), FP-Growth finds the frequent itemsets on
the executors, and only the itemsets (hundreds of rows at support 0.005), a few counts and the
names of the frequent products come back. The rules are then scored by ``basket``'s own code
from those itemsets, so the :class:`~ecomdash.basket.BasketResult` is the one ``basket.mine``
returns on the same lines: same itemsets, counts, rules and their order, names and warnings
(``tests/unit/test_spark_models.py`` checks it at support 0.01 and 0.005 on the demo merchant
and on the UCI Online Retail II file).

``basket.mine_dataset`` calls it when the store's engine is Spark (the Basket page and
``ecomdash basket``). Differences kept on purpose: the in-app miner's work limits on pair and
candidate counts (``MAX_PAIR_WORK`` ...) protect one machine's memory and are not applied on the
cluster; the limits on the results (``MAX_ITEMSETS``, ``MAX_RULES``) are.
"""

from __future__ import annotations

import math
import time

import numpy as np
import pandas as pd

from ecomdash import basket as B
from ecomdash import schema as S
from ecomdash.basket.miner import (
    _best_rule,
    _joined,
    _Level,
    _n_rule_candidates,
    _refuse,
    _rule_arrays,
    _rules_frame,
    _tuples,
)
from ecomdash.basket.results import _check_choice, _check_max_len, _check_range, _min_count
from ecomdash.errors import InsufficientDataError, ParameterError
from ecomdash.filters import Filters


def _basket_sql(store, info, filters, *, basket: str, level: str, include_non_product: bool):
    """(SQL of the kept sale lines with ``basket`` and ``item`` columns, its parameters)."""
    item = S.PRODUCT_ID if level == "product" else S.CATEGORY
    if basket == "order":
        key = "order_id"
    else:  # a customer's day; a guest's order (no customer id) is its own basket
        day = "CAST(CAST(order_date AS DATE) AS STRING)"
        key = (
            "CASE WHEN order_date IS NULL THEN NULL "
            f"WHEN customer_id IS NOT NULL THEN concat('c', customer_id, '|', {day}) "
            f"WHEN order_id IS NOT NULL THEN concat('o', order_id, '|', {day}) END"
        )
    name = S.PRODUCT_NAME if level == "product" and S.PRODUCT_NAME in info.columns else "NULL"
    where, params = store._where(info, filters)
    sale = store.sales_predicate(info, keep_non_product=include_non_product)
    sql = (
        f"SELECT {key} AS basket, {item} AS item, {name} AS name "
        f"FROM lines WHERE {where} AND {sale}"
    )
    return sql, params


def _check_columns(info, basket: str, level: str) -> None:
    """The same refusal as ``basket.mine`` when a column the basket or level needs is absent."""
    item_col = S.PRODUCT_ID if level == "product" else S.CATEGORY
    need = {item_col} | ({S.ORDER_ID} if basket == "order" else {S.CUSTOMER_ID, S.ORDER_DATE})
    missing = sorted(need - set(info.columns))
    if not missing:
        return
    what = "a category column" if level == "category" else ", ".join(missing)
    hint = (
        "Use level='product', or map a category column when uploading."
        if level == "category"
        else (
            "Use basket='order', or map the customer and date columns when uploading."
            if basket == "customer_day"
            else "Map the order id and product id columns when uploading."
        )
    )
    raise ParameterError(
        f"Basket analysis by {basket.replace('_', '-')} at {level} level needs {what}; "
        f"this dataset has columns {', '.join(info.columns)}. {hint}"
    )


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
    min_support = _check_range("min_support", min_support, 0.0, 1.0, func, low_open=True)
    min_confidence = _check_range("min_confidence", min_confidence, 0.0, 1.0, func)
    min_lift = _check_range("min_lift", min_lift, 0.0, math.inf, func)
    max_len = _check_max_len(max_len, func)
    _check_choice("basket", basket, B.BASKETS, func)
    _check_choice("level", level, B.LEVELS, func)
    params = {
        "min_support": min_support,
        "min_confidence": min_confidence,
        "min_lift": min_lift,
        "max_len": max_len,
        "basket": basket,
        "level": level,
        "include_non_product": bool(include_non_product),
    }
    info = store.info(dataset_id)
    _check_columns(info, basket, level)
    timings: list[tuple[str, float]] = []
    basket_word = "orders" if basket == "order" else "customer-days"
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
            side = "category" if level == "category" else "product id"
            key = "order id" if basket == "order" else "customer id / date"
            warnings.append(
                f"{dropped:,} sale lines without a {side} or {key} were left out of the baskets."
            )
        if n == 0:
            raise InsufficientDataError(
                f"Basket analysis found no {basket_word} to analyse: 0 sale lines with "
                f"{'a product' if level == 'product' else 'a category'} after removing returns"
                f"{'' if include_non_product else ' and non-product lines'}. "
                "Check the global filters and that the file has sale lines."
            )
        if n_multi == 0:
            raise InsufficientDataError(
                f"Basket analysis needs {basket_word} with 2+ distinct "
                f"{'products' if level == 'product' else 'categories'}. Found 0 of {n:,} "
                f"{basket_word}. Check that the order id column is mapped to the invoice number, "
                "not the line number, or try basket = customer-day."
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
            "frequent itemsets found:",
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
    n_items = len(ids)
    if not levels:  # no item is frequent: one empty level, as the in-app miner has
        levels = [
            _Level(
                sets=np.empty((0, 1), dtype=np.int64),
                counts=np.empty(0, dtype=np.int64),
                keys=np.empty(0, dtype=np.int64),
                parent=np.empty(0, dtype=np.int64),
            )
        ]
    n_rule_cands = _n_rule_candidates(levels)
    if n_rule_cands > B.MAX_RULE_CANDIDATES:
        raise _refuse(
            "rules to score:",
            n_rule_cands,
            B.MAX_RULE_CANDIDATES,
            None,
            n,
            min_support,
            len(levels),
        )
    ids_arr = np.asarray(ids, dtype=object)
    names = _names(store, sql, sql_params, ids, level)
    nf = float(n)
    tuples = [_tuples(ids_arr, lv.sets) for lv in levels]
    labels = [_joined(names, lv.sets) for lv in levels]
    parts = [
        pd.DataFrame(
            {
                "itemset": tuples[k - 1],
                "names": labels[k - 1],
                "size": np.full(len(lv.counts), k, dtype=np.int64),
                "support": lv.counts / nf,
                "count": lv.counts,
            }
        )
        for k, lv in enumerate(levels, start=1)
        if len(lv.counts)
    ]
    itemsets = (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame({c: pd.Series(dtype=object) for c in B.ITEMSET_COLUMNS})
    )
    if len(itemsets):
        order = np.lexsort((np.arange(len(itemsets)), -itemsets["count"].to_numpy()))
        itemsets = itemsets.iloc[order].reset_index(drop=True)
    ra = _rule_arrays(levels, n, n_items, min_confidence, min_lift)
    if len(ra["conf"]) > B.MAX_RULES:
        c_star = float(np.sort(ra["conf"])[::-1][B.MAX_RULES])
        l_star = float(np.sort(ra["lift"])[::-1][B.MAX_RULES])
        c_sug = math.floor(c_star * 1000) / 1000 + 0.001
        l_sug = math.floor(l_star * 100) / 100 + 0.01
        raise ParameterError(
            f"These thresholds give {len(ra['conf']):,} rules (limit {B.MAX_RULES:,}): too many "
            f"to compute and read. Raise the minimum confidence to {c_sug:.3f} or the minimum "
            f"lift to {l_sug:.2f} (either leaves at most {B.MAX_RULES:,}), or raise the minimum "
            "support."
        )
    rules = _rules_frame(ra, tuples, labels, nf)
    timings.append(("rules", time.perf_counter() - t0))
    items_df = pd.DataFrame(
        {
            "item": ids_arr,
            "name": names,
            "count": levels[0].counts,
            "support": levels[0].counts / nf,
        }
    )
    items_df = items_df.sort_values("count", ascending=False, kind="stable").reset_index(drop=True)

    suggested = None
    n_multi_sets = sum(len(lv.counts) for lv in levels[1:])
    if n < B.FEW_BASKETS:
        warnings.append(
            f"Only {n:,} {basket_word}: rules from so few baskets are mostly chance. "
            "Treat them as ideas to test, not facts."
        )
    if min_count < B.FEW_ORDERS_PER_ITEMSET and n_multi_sets:
        warnings.append(
            f"A minimum support of {min_support:g} lets an itemset in by appearing in only "
            f"{min_count} {basket_word}; rules resting on so few baskets are unreliable."
        )
    if n_multi_sets == 0 and (max_len is None or max_len >= 2):
        suggested = _suggest(store, sql, sql_params, n)
        if suggested is None:
            warnings.append(
                f"No two {'products' if level == 'product' else 'categories'} were ever bought "
                f"together in the same {basket_word[:-1]}: there are no rules to find."
            )
        else:
            c = round(suggested * n)
            warnings.append(
                f"No set of two or more items reaches a support of {min_support:g} (in "
                f"{min_count:,} of {n:,} {basket_word}). Lower the minimum support to "
                f"{suggested:.4g} (appears in {c:,} {basket_word}) to see at least 10 pairs."
            )
    elif n_multi_sets and len(rules) == 0:
        best = _best_rule(levels, n, n_items)
        if best is not None:
            warnings.append(
                f"{n_multi_sets:,} itemsets were found but no rule reaches confidence "
                f"{min_confidence:g} and lift {min_lift:g}. The strongest rule has confidence "
                f"{best[0]:.3f} and the highest lift is {best[1]:.3f}: lower the thresholds "
                "to those values to see rules."
            )
    return B.BasketResult(
        itemsets=itemsets,
        rules=rules,
        items=items_df,
        n_baskets=n,
        n_multi_item_baskets=n_multi,
        min_count=min_count,
        params=params,
        warnings=tuple(warnings),
        elapsed=time.perf_counter() - t_start,
        timings=tuple(timings),
        suggested_min_support=suggested,
    )
