"""The public miner: :func:`mine` (lines or store pairs), :func:`mine_dataset` (on the store's
engine) and :func:`suggest_support`."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from ecomdash.basket.encode import _encode, _encode_any
from ecomdash.basket.miner import (
    _best_rule,
    _joined,
    _Level,
    _mine_levels,
    _n_rule_candidates,
    _refuse,
    _rule_arrays,
    _rules_frame,
    _suggest_from_codes,
    _tuples,
)
from ecomdash.basket.results import (
    FEW_BASKETS,
    FEW_ORDERS_PER_ITEMSET,
    ITEMSET_COLUMNS,
    MAX_RULE_CANDIDATES,
    MAX_RULES,
    BasketResult,
    _check_count,
    _check_max_len,
    _check_range,
    _min_count,
    support_share,
)
from ecomdash.errors import InsufficientDataError, ParameterError
from ecomdash.i18n import N_
from ecomdash.i18n.note import note, note_n

# --------------------------------------------------------------------------------------------
# Public API


def mine(
    lines: pd.DataFrame,
    *,
    min_support: float = 0.01,
    min_confidence: float = 0.0,
    min_lift: float = 1.0,
    max_len: int | None = None,
    basket: str = "order",
    level: str = "product",
    include_non_product: bool = False,
) -> BasketResult:
    """Frequent itemsets and association rules of the order lines.

    Parameters
    ----------
    lines : the canonical order-line table (the kept purchases are read here,
        ``schema.customer_sales``: returns and cancelled sale lines dropped, non-product lines
        dropped unless ``include_non_product``; a basket is the Overview's order), or the
        same lines' :class:`BasketPairs` from ``Store.basket_pairs`` (same result, computed
        in SQL: the lines never reach pandas).
    min_support : share of baskets an itemset must appear in, in (0, 1].
    min_confidence, min_lift : rule filters (``>=``), as mlxtend's ``association_rules``.
    max_len : largest itemset size (None: no limit).
    basket : ``"order"`` or ``"customer_day"``; level : ``"product"`` or ``"category"``.

    Returns the same itemsets and rules as mlxtend ``apriori(min_support, max_len)`` +
    ``association_rules(metric="confidence", min_threshold=min_confidence)`` filtered on lift.
    Raises :class:`ParameterError` (bad or explosive thresholds) and
    :class:`InsufficientDataError` (no basket with two different items).
    """
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
    timings: list[tuple[str, float]] = []

    t0 = time.perf_counter()
    # cheap pre-pass to know n (the number of baskets) before the exact prune
    enc, names_of = _encode_any(
        lines, basket=basket, level=level, include_non_product=include_non_product, func=func
    )
    n = enc.n_baskets
    warnings = list(enc.warnings)
    n_multi = int((np.bincount(enc.b, minlength=n) >= 2).sum())
    check_baskets(n, n_multi, basket=basket, level=level, include_non_product=include_non_product)
    min_count = _min_count(min_support, n)

    # prune infrequent items (exact) and renumber the rest 0..F-1 in id order
    item_counts = np.bincount(enc.i, minlength=len(enc.items))
    frequent = np.flatnonzero(item_counts >= min_count)
    remap = np.full(len(enc.items), -1, dtype=np.int64)
    remap[frequent] = np.arange(len(frequent))
    sel = remap[enc.i] >= 0
    b, i = enc.b[sel], remap[enc.i[sel]]
    timings.append(("build baskets", time.perf_counter() - t0))

    levels = _mine_levels(b, i, n, len(frequent), min_count, max_len, min_support, timings)

    return result_from_levels(
        levels,
        ids=np.asarray([str(x) for x in enc.items[frequent]], dtype=object),
        names_of=lambda: names_of(frequent),
        n=n,
        n_multi=n_multi,
        min_count=min_count,
        params=params,
        warnings=warnings,
        timings=timings,
        t_start=t_start,
        suggest=lambda: _suggest_from_codes(enc.b, enc.i, n, len(enc.items), target=10),
    )


def mine_dataset(
    store,
    dataset_id: str,
    filters=None,
    *,
    min_support: float = 0.01,
    min_confidence: float = 0.0,
    min_lift: float = 1.0,
    max_len: int | None = None,
    basket: str = "order",
    level: str = "product",
    include_non_product: bool = False,
) -> BasketResult:
    """:func:`mine` on a stored dataset, on the store's engine: on Spark, MLlib FP-Growth on the
    cluster (``ecomdash.spark.basket.mine_on_lake``: only itemsets come back); otherwise
    :func:`mine` on the (basket, item) codes the store's SQL reduces the lines to. The same
    result either way."""
    kw = {
        "min_support": min_support,
        "min_confidence": min_confidence,
        "min_lift": min_lift,
        "max_len": max_len,
        "basket": basket,
        "level": level,
        "include_non_product": include_non_product,
    }
    from ecomdash.engine import on_spark

    if on_spark(store):
        from ecomdash.spark.basket import mine_on_lake

        return mine_on_lake(store, dataset_id, filters, **kw)
    pairs = store.basket_pairs(
        dataset_id, filters, basket=basket, level=level, include_non_product=include_non_product
    )
    return mine(pairs, **kw)


def suggest_support(
    lines: pd.DataFrame,
    *,
    target: int = 10,
    basket: str = "order",
    level: str = "product",
    include_non_product: bool = False,
) -> float | None:
    """The minimum support at which at least ``target`` pairs of items are frequent.

    Computed, not guessed: it is the support of the ``target``-th most frequent pair (the
    last pair when there are fewer). ``None`` when no two items ever share a basket.

    >>> lines = pd.DataFrame({"order_id": list("1122233"), "product_id": list("abababc")})
    >>> round(suggest_support(lines, target=1), 3)  # {a, b} is in 2 of the 3 orders
    0.667
    """
    _check_count("target", target, "suggest_support")
    enc = _encode(
        lines,
        basket=basket,
        level=level,
        include_non_product=include_non_product,
        func="suggest_support",
    )
    if enc.n_baskets == 0:
        return None
    return _suggest_from_codes(enc.b, enc.i, enc.n_baskets, len(enc.items), target=int(target))


def mine_params(
    *,
    min_support: object,
    min_confidence: object,
    min_lift: object,
    max_len: object,
    basket: str,
    level: str,
    include_non_product: bool,
) -> dict[str, Any]:
    """The thresholds checked (as ``basket.mine`` refuses them) and the parameters a
    :class:`BasketResult` records, for both engines."""
    func = "basket.mine"
    return {
        "min_support": _check_range("min_support", min_support, 0.0, 1.0, func, low_open=True),
        "min_confidence": _check_range("min_confidence", min_confidence, 0.0, 1.0, func),
        "min_lift": _check_range("min_lift", min_lift, 0.0, math.inf, func),
        "max_len": _check_max_len(max_len, func),
        "basket": basket,
        "level": level,
        "include_non_product": bool(include_non_product),
    }


def check_baskets(
    n: int, n_multi: int, *, basket: str, level: str, include_non_product: bool
) -> None:
    """Refuse when there is no basket, or no basket with two different items (both engines)."""
    by_order = basket == "order"
    if n == 0:
        none = {
            ("order", "product", False): N_(
                "Basket analysis found no orders to analyse: 0 sale lines with a product "
                "after removing returns, cancelled sales and non-product lines."
            ),
            ("order", "product", True): N_(
                "Basket analysis found no orders to analyse: 0 sale lines with a product "
                "after removing returns and cancelled sales."
            ),
            ("order", "category", False): N_(
                "Basket analysis found no orders to analyse: 0 sale lines with a category "
                "after removing returns, cancelled sales and non-product lines."
            ),
            ("order", "category", True): N_(
                "Basket analysis found no orders to analyse: 0 sale lines with a category "
                "after removing returns and cancelled sales."
            ),
            ("customer_day", "product", False): N_(
                "Basket analysis found no customer-days to analyse: 0 sale lines with a "
                "product after removing returns, cancelled sales and non-product lines."
            ),
            ("customer_day", "product", True): N_(
                "Basket analysis found no customer-days to analyse: 0 sale lines with a "
                "product after removing returns and cancelled sales."
            ),
            ("customer_day", "category", False): N_(
                "Basket analysis found no customer-days to analyse: 0 sale lines with a "
                "category after removing returns, cancelled sales and non-product lines."
            ),
            ("customer_day", "category", True): N_(
                "Basket analysis found no customer-days to analyse: 0 sale lines with a "
                "category after removing returns and cancelled sales."
            ),
        }
        key = ("order" if by_order else "customer_day", level, bool(include_non_product))
        raise InsufficientDataError(
            note(
                N_("{problem} {fix}"),
                problem=note(none[key]),
                fix=note(N_("Check the global filters and that the file has sale lines.")),
            )
        )
    if n_multi == 0:
        single = {
            ("order", "product"): N_(
                "Basket analysis needs orders with 2+ distinct products. Found 0 of {n} orders."
            ),
            ("order", "category"): N_(
                "Basket analysis needs orders with 2+ distinct categories. Found 0 of {n} orders."
            ),
            ("customer_day", "product"): N_(
                "Basket analysis needs customer-days with 2+ distinct products. Found 0 of {n} "
                "customer-days."
            ),
            ("customer_day", "category"): N_(
                "Basket analysis needs customer-days with 2+ distinct categories. Found 0 of "
                "{n} customer-days."
            ),
        }
        key = ("order" if by_order else "customer_day", level)
        fix = N_(
            "Check that the order id column is mapped to the invoice number, not the line "
            "number, or try basket = customer-day."
        )
        raise InsufficientDataError(
            note(
                N_("{problem} {fix}"),
                problem=note(single[key], n=f"{n:,}"),
                fix=note(fix),
            )
        )


def result_from_levels(
    levels: list[_Level],
    *,
    ids: np.ndarray,
    names_of: Callable[[], np.ndarray],
    n: int,
    n_multi: int,
    min_count: int,
    params: dict[str, Any],
    warnings: list,
    timings: list[tuple[str, float]],
    t_start: float,
    suggest: Callable[[], float | None],
    rules_started: float | None = None,
) -> BasketResult:
    """The :class:`BasketResult` from the frequent itemsets, shared by both engines (the in-app
    miner and Spark FP-Growth): the rules scored from the itemsets, the itemset, rule and item
    tables, the limits on results, the guidance warnings (translatable Notes).

    ``levels`` are the frequent k-itemsets over ``ids`` (the frequent items, in id order);
    ``names_of()`` gives their readable names (called only once the rule count fits);
    ``suggest()`` the support at which 10 pairs become frequent (called only when no itemset
    of two or more items was found). ``warnings`` (the encoding's) are extended.
    """
    min_support = params["min_support"]
    min_confidence = params["min_confidence"]
    min_lift = params["min_lift"]
    max_len = params["max_len"]
    basket = params["basket"]
    level = params["level"]
    t0 = time.perf_counter() if rules_started is None else rules_started
    n_rule_cands = _n_rule_candidates(levels)
    if n_rule_cands > MAX_RULE_CANDIDATES:
        raise _refuse(
            note(N_("rules to score:")),
            n_rule_cands,
            MAX_RULE_CANDIDATES,
            None,
            n,
            min_support,
            len(levels),
        )
    names = names_of()
    nf = float(n)

    # itemsets table (the per-level tuples and names are reused by the rules table)
    tuples = [_tuples(ids, lv.sets) for lv in levels]
    labels = [_joined(names, lv.sets) for lv in levels]
    parts = []
    for k, lv in enumerate(levels, start=1):
        if len(lv.counts) == 0:
            continue
        parts.append(
            pd.DataFrame(
                {
                    "itemset": tuples[k - 1],
                    "names": labels[k - 1],
                    "size": np.full(len(lv.counts), k, dtype=np.int64),
                    "support": lv.counts / nf,
                    "count": lv.counts,
                }
            )
        )
    itemsets = (
        pd.concat(parts, ignore_index=True)
        if parts
        else pd.DataFrame({c: pd.Series(dtype=object) for c in ITEMSET_COLUMNS})
    )
    if len(itemsets):
        order = np.lexsort((np.arange(len(itemsets)), -itemsets["count"].to_numpy()))
        itemsets = itemsets.iloc[order].reset_index(drop=True)

    # rules table
    ra = _rule_arrays(levels, n, len(ids), min_confidence, min_lift)
    if len(ra["conf"]) > MAX_RULES:
        c_star = float(np.sort(ra["conf"])[::-1][MAX_RULES])
        l_star = float(np.sort(ra["lift"])[::-1][MAX_RULES])
        c_sug = math.floor(c_star * 1000) / 1000 + 0.001
        l_sug = math.floor(l_star * 100) / 100 + 0.01
        raise ParameterError(
            note(
                N_(
                    "These thresholds give {n} rules (limit {limit}): too many to compute and "
                    "read. Raise the minimum confidence to {confidence} or the minimum lift to "
                    "{lift} (either leaves at most {limit}), or raise the minimum support."
                ),
                n=f"{len(ra['conf']):,}",
                limit=f"{MAX_RULES:,}",
                confidence=f"{c_sug:.3f}",
                lift=f"{l_sug:.2f}",
            )
        )
    rules = _rules_frame(ra, tuples, labels, nf)
    timings.append(("rules", time.perf_counter() - t0))

    items_df = pd.DataFrame(
        {
            "item": ids,
            "name": names,
            "count": levels[0].counts,
            "support": levels[0].counts / nf,
        }
    )
    items_df = items_df.sort_values("count", ascending=False, kind="stable").reset_index(drop=True)

    # guidance
    suggested = None
    n_multi_sets = sum(len(lv.counts) for lv in levels[1:])
    by_order = basket == "order"
    if n < FEW_BASKETS:
        warnings.append(
            note(
                N_(
                    "Only {n} orders: rules from so few baskets are mostly chance. "
                    "Treat them as ideas to test, not facts."
                )
                if by_order
                else N_(
                    "Only {n} customer-days: rules from so few baskets are mostly chance. "
                    "Treat them as ideas to test, not facts."
                ),
                n=f"{n:,}",
            )
        )
    if min_count < FEW_ORDERS_PER_ITEMSET and n_multi_sets:
        fields = {"support": support_share(min_support), "count": f"{min_count}"}
        warnings.append(
            note_n(
                "A minimum support of {support} lets an itemset in by appearing in only "
                "{count} order; rules resting on so few baskets are unreliable.",
                "A minimum support of {support} lets an itemset in by appearing in only "
                "{count} orders; rules resting on so few baskets are unreliable.",
                int(min_count),
                **fields,
            )
            if by_order
            else note_n(
                "A minimum support of {support} lets an itemset in by appearing in only "
                "{count} customer-day; rules resting on so few baskets are unreliable.",
                "A minimum support of {support} lets an itemset in by appearing in only "
                "{count} customer-days; rules resting on so few baskets are unreliable.",
                int(min_count),
                **fields,
            )
        )
    if n_multi_sets == 0 and (max_len is None or max_len >= 2):
        suggested = suggest()
        if suggested is None:
            never = {
                ("product", True): N_(
                    "No two products were ever bought together in the same order: there are "
                    "no rules to find."
                ),
                ("product", False): N_(
                    "No two products were ever bought together in the same customer-day: "
                    "there are no rules to find."
                ),
                ("category", True): N_(
                    "No two categories were ever bought together in the same order: there "
                    "are no rules to find."
                ),
                ("category", False): N_(
                    "No two categories were ever bought together in the same customer-day: "
                    "there are no rules to find."
                ),
            }
            warnings.append(note(never[(level, by_order)]))
        else:
            c = round(suggested * n)
            fields = {
                "support": support_share(min_support),
                "count": f"{min_count:,}",
                "n": f"{n:,}",
                "suggested": support_share(suggested, towards="down"),
                "c": f"{c:,}",
            }
            warnings.append(
                note_n(
                    "No set of two or more items reaches a support of {support} (in {count} of "
                    "{n} orders). Lower the minimum support to {suggested} (appears in {c} "
                    "order) to see at least 10 pairs.",
                    "No set of two or more items reaches a support of {support} (in {count} of "
                    "{n} orders). Lower the minimum support to {suggested} (appears in {c} "
                    "orders) to see at least 10 pairs.",
                    c,
                    **fields,
                )
                if by_order
                else note_n(
                    "No set of two or more items reaches a support of {support} (in {count} of "
                    "{n} customer-days). Lower the minimum support to {suggested} (appears in "
                    "{c} customer-day) to see at least 10 pairs.",
                    "No set of two or more items reaches a support of {support} (in {count} of "
                    "{n} customer-days). Lower the minimum support to {suggested} (appears in "
                    "{c} customer-days) to see at least 10 pairs.",
                    c,
                    **fields,
                )
            )
    elif n_multi_sets and len(rules) == 0:
        best = _best_rule(levels, n, len(ids))
        if best is not None:
            warnings.append(
                note(
                    N_(
                        "{n} itemsets were found but no rule reaches confidence {confidence} "
                        "and lift {lift}. The strongest rule has confidence {best_confidence} "
                        "and the highest lift is {best_lift}: lower the thresholds to those "
                        "values to see rules."
                    ),
                    n=f"{n_multi_sets:,}",
                    confidence=support_share(min_confidence),
                    lift=f"{min_lift:g}",
                    best_confidence=support_share(best[0], towards="down"),
                    best_lift=f"{best[1]:.3f}",
                )
            )

    return BasketResult(
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
