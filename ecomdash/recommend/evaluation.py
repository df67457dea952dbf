"""Offline evaluation: a chronological split, the ranking metrics per model, the verdict
against best sellers."""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ecomdash import metrics as M
from ecomdash import schema as S
from ecomdash.errors import InsufficientDataError, ParameterError
from ecomdash.i18n import N_, _, _n, fmt
from ecomdash.i18n.note import Date, Field, note
from ecomdash.recommend.base import Recommender
from ecomdash.recommend.data import (
    BASELINES,
    MODEL_LABELS,
    MODEL_NAMES,
    BusinessRules,
    Interactions,
    _check_k,
    _require_columns,
    build_interactions,
)
from ecomdash.recommend.models import PopularityRecommender, make_model

# --------------------------------------------------------------------------------------
# Offline evaluation
# --------------------------------------------------------------------------------------

#: Returning customers the page's offline test scores at most (a seeded sample above it:
#: user-based CF scores each one against every customer who shares a product).
MAX_TEST_CUSTOMERS = 20_000

METRIC_COLUMNS = ("precision_at_k", "recall_at_k", "hit_rate_at_k", "ndcg_at_k", "coverage")


@dataclass(frozen=True)
class ChronologicalSplit:
    """Train lines before ``cutoff``; truth = products each known customer bought in
    [cutoff, end) that they had not bought before the cut-off."""

    train: pd.DataFrame
    truth: dict[str, set[str]]
    cutoff: pd.Timestamp
    end: pd.Timestamp


def no_order_dates() -> InsufficientDataError:
    """The refusal of an offline evaluation without an order date column (lines or store)."""
    return InsufficientDataError(
        note(
            N_(
                "The offline evaluation needs order dates to split past from future "
                "purchases. Found no {field} column. Map the order date column on the "
                "Data page."
            ),
            field=Field(S.ORDER_DATE),
        )
    )


def chronological_split(
    lines: pd.DataFrame,
    *,
    cutoff: Any = None,
    end: Any = None,
    test_days: int = 30,
    rebuy_products: Iterable[str] = (),
) -> ChronologicalSplit:
    """Split lines at ``cutoff`` (default: ``test_days`` days before the last date).

    ``end`` (exclusive) defaults to just after the last date. Purchases of
    ``rebuy_products`` (consumables) count in the truth even when bought before.
    """
    _require_columns(lines)
    if S.ORDER_DATE not in lines:
        raise no_order_dates()
    sales = S.customer_sales(lines)
    sales = sales.loc[
        sales[S.CUSTOMER_ID].notna() & sales[S.PRODUCT_ID].notna() & sales[S.ORDER_DATE].notna()
    ]
    if sales.empty:
        raise InsufficientDataError(
            note(
                N_(
                    "The offline evaluation needs dated sales lines with a customer id; found "
                    "none. Check the customer id and order date mapping."
                )
            )
        )
    dates = pd.to_datetime(sales[S.ORDER_DATE])
    last = dates.max()
    cut = (
        (last.normalize() - pd.Timedelta(days=test_days - 1))
        if cutoff is None
        else pd.Timestamp(cutoff)
    )
    stop = last + pd.Timedelta(microseconds=1) if end is None else pd.Timestamp(end)
    train = sales.loc[dates < cut]
    test = sales.loc[(dates >= cut) & (dates < stop)]
    if train.empty or test.empty:
        raise InsufficientDataError(
            note(
                N_(
                    "The cut-off {date} leaves {train} training and {test} test lines (data runs "
                    "{first} to {last}). Pick a cut-off inside that range with purchases on both "
                    "sides."
                ),
                date=Date(cut),
                train=f"{len(train):,}",
                test=f"{len(test):,}",
                first=Date(dates.min()),
                last=Date(last),
            )
        )
    truth = _new_purchases(train, test, rebuy_products=tuple(map(str, rebuy_products)))
    return ChronologicalSplit(train=train, truth=truth, cutoff=cut, end=stop)


def _new_purchases(
    train: pd.DataFrame, test: pd.DataFrame, *, rebuy_products: tuple[str, ...] = ()
) -> dict[str, set[str]]:
    """Per customer seen in ``train``: products bought in ``test`` and never in ``train``
    (or, for ``rebuy_products``, bought again)."""
    cols = [S.CUSTOMER_ID, S.PRODUCT_ID]
    before = train[cols].astype(str).drop_duplicates()
    after = test[cols].astype(str).drop_duplicates()
    after = after.loc[after[S.CUSTOMER_ID].isin(before[S.CUSTOMER_ID].unique())]
    merged = after.merge(before, on=cols, how="left", indicator=True)
    fresh = merged["_merge"] == "left_only"
    if rebuy_products:
        fresh |= merged[S.PRODUCT_ID].isin(rebuy_products)
    new = merged.loc[fresh, cols]
    return {str(c): set(g.tolist()) for c, g in new.groupby(S.CUSTOMER_ID, sort=True)[S.PRODUCT_ID]}


@dataclass(frozen=True)
class EvaluationResult:
    """Offline comparison of models on a chronological split.

    ``table``: one row per model — model, label, precision_at_k, recall_at_k,
    hit_rate_at_k, ndcg_at_k, coverage, fit_seconds, score_seconds and
    ``hit_rate_vs_popularity`` / ``precision_vs_popularity`` (ratios).
    """

    table: pd.DataFrame
    k: int
    cutoff: pd.Timestamp
    end: pd.Timestamp
    n_test_customers: int
    n_train_customers: int
    n_products: int
    best_model: str
    verdict: str
    warnings: tuple[str, ...] = field(default_factory=tuple)


def evaluate(
    lines: pd.DataFrame,
    *,
    cutoff: Any = None,
    end: Any = None,
    k: int = 10,
    models: Mapping[str, Recommender] | None = None,
    rules: BusinessRules | None = None,
    min_test_customers: int = 5,
    max_test_customers: int | None = None,
    keep: Iterable[str] = (),
) -> EvaluationResult:
    """Train every model before ``cutoff``; score top-``k`` lists on the following purchases.

    Each test customer's truth is the set of products they bought in [cutoff, end) and had
    not bought before; the popularity baseline is always included (as ``popularity``).
    ``keep``: models tested even where they are left out by default (see
    :func:`evaluate_split`).
    """
    k = _check_k(k)
    rebuy = rules.rebuy_products if rules is not None else ()
    split = chronological_split(lines, cutoff=cutoff, end=end, rebuy_products=rebuy)
    return evaluate_split(
        build_interactions(split.train),
        split.truth,
        cutoff=split.cutoff,
        end=split.end,
        k=k,
        models=models,
        rules=rules,
        min_test_customers=min_test_customers,
        max_test_customers=max_test_customers,
        keep=keep,
    )


def evaluate_split(
    inter: Interactions,
    truth: Mapping[str, set[str]],
    *,
    cutoff: pd.Timestamp,
    end: pd.Timestamp,
    k: int = 10,
    models: Mapping[str, Recommender] | None = None,
    rules: BusinessRules | None = None,
    min_test_customers: int = 5,
    max_test_customers: int | None = MAX_TEST_CUSTOMERS,
    keep: Iterable[str] = (),
) -> EvaluationResult:
    """:func:`evaluate` from a prepared split: the training interactions (e.g.
    ``Store.recommend_split``, computed in SQL) and each customer's new purchases.

    Models that refuse the data (EASE above its product limit) are left out with a warning,
    and so are models too slow to test there (ALS above ``ALS_TEST_MAX_PURCHASES``) unless
    named in ``keep`` (the model the merchant chose).
    Above ``max_test_customers`` returning customers, the metrics are measured on a seeded
    random sample of that many, and a warning gives the sample and its margin of error.
    """
    k = _check_k(k)
    rebuy = rules.rebuy_products if rules is not None else ()
    known = set(inter.customers)
    truth = {c: items for c, items in truth.items() if c in known and items}
    if len(truth) < min_test_customers:
        raise InsufficientDataError(
            note(
                N_(
                    "The offline test needs customers who bought before {date} and came back for "
                    "something new; found {n} (need {need}). Move the cut-off earlier or use a "
                    "longer date range."
                ),
                date=Date(cutoff),
                n=len(truth),
                need=min_test_customers,
            )
        )
    if models is None:
        models = {name: make_model(name, rules=rules) for name in MODEL_NAMES}
    models = dict(models)
    if "popularity" not in models:
        models["popularity"] = PopularityRecommender(rules=rules)
    warnings = []
    chosen = {str(name) for name in keep}
    for name, model in list(models.items()):
        if name == "popularity":
            continue
        why = model.refusal(inter)
        if why is None and name not in chosen:
            why = model.test_exclusion(inter)
        if why is not None:
            del models[name]
            warnings.append(
                _(
                    "{model} was left out of the test. {why}",
                    model=_(MODEL_LABELS.get(name, name)),
                    why=why,
                )
            )
    n_returning = len(truth)
    if max_test_customers is not None and n_returning > max_test_customers:
        rng = np.random.default_rng(0)
        ids = np.array(sorted(truth), dtype=object)
        pick = np.sort(rng.choice(len(ids), size=max_test_customers, replace=False))
        truth = {c: truth[c] for c in ids[pick]}
    table = evaluate_models(inter, truth, models, k=k)
    best = str(table.iloc[0]["model"])
    if len(truth) < n_returning:
        h = float(table.iloc[0]["hit_rate_at_k"])
        moe = 1.96 * np.sqrt(max(h * (1 - h), 1e-12) / len(truth))
        warnings.append(
            _(
                "Measured on a random sample of {n} of the {total} returning customers (to keep "
                "the test fast): hit rates are within about ±{moe} of what all of them would "
                "give, so models closer than that are a tie.",
                n=f"{len(truth):,}",
                total=f"{n_returning:,}",
                moe=fmt.pct(moe, 1),
            )
        )
    if rebuy:
        warnings.append(
            _n(
                "Re-purchases of the {n} product marked as a consumable count as hits too, so "
                "these figures are not comparable with a run without them.",
                "Re-purchases of the {n} products marked as consumables count as hits too, so "
                "these figures are not comparable with a run without them.",
                len(rebuy),
                n=f"{len(rebuy):,}",
            )
        )
    if len(truth) < 100:
        warnings.append(
            _(
                "Only {n} customers to test on: differences of a few points between models are "
                "noise.",
                n=len(truth),
            )
        )
    return EvaluationResult(
        table=table,
        k=k,
        cutoff=cutoff,
        end=end,
        n_test_customers=len(truth),
        n_train_customers=inter.shape[0],
        n_products=inter.shape[1],
        best_model=best,
        verdict=_verdict(table, k, len(truth)),
        warnings=tuple(warnings),
    )


def evaluate_models(
    inter: Interactions,
    truth: Mapping[str, set[str]],
    models: Mapping[str, Recommender],
    *,
    k: int = 10,
) -> pd.DataFrame:
    """Fit each model on ``inter`` and score its top-``k`` lists against ``truth``.

    Returns the comparison table (see :class:`EvaluationResult`); ``models`` must include
    ``popularity``. Customers of ``truth`` unknown to ``inter`` are ignored.
    """
    k = _check_k(k)
    if "popularity" not in models:
        raise ParameterError(
            note(N_("evaluate_models needs a 'popularity' model as the baseline."))
        )
    known = set(inter.customers)
    truth = {c: set(v) for c, v in truth.items() if c in known and v}
    test_ids = sorted(truth)
    rows = inter.customers.get_indexer(test_ids)
    products = np.asarray(inter.products, dtype=object)
    relevant = _relevant(truth, test_ids, inter)
    records = []
    for name, model in models.items():
        c0, t0 = time.process_time(), time.perf_counter()
        model.fit_interactions(inter)
        c1, t1 = time.process_time(), time.perf_counter()
        top = model.top_items(rows, k)
        c2, t2 = time.process_time(), time.perf_counter()
        records.append(
            {
                "model": name,
                "label": MODEL_LABELS.get(name, name),
                **_ranking_metrics(truth, test_ids, top, relevant, products, k),
                "fit_seconds": t1 - t0,
                "score_seconds": t2 - t1,
                "fit_cpu_seconds": c1 - c0,
                "score_cpu_seconds": c2 - c1,
            }
        )
    table = pd.DataFrame.from_records(records)
    table["model"] = table["model"].astype("str")
    table["label"] = table["label"].astype("str")
    pop = table.loc[table["model"] == "popularity"].iloc[0]
    table["hit_rate_vs_popularity"] = _ratio(table["hit_rate_at_k"], pop["hit_rate_at_k"])
    table["precision_vs_popularity"] = _ratio(table["precision_at_k"], pop["precision_at_k"])
    return table.sort_values(
        ["hit_rate_at_k", "precision_at_k", "model"], ascending=[False, False, True]
    ).reset_index(drop=True)


def _relevant(
    truth: Mapping[str, set[str]], test_ids: list[str], inter: Interactions
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``truth`` as numbers: (keys ``row * products + product`` of each test customer's new
    purchases of products the model knows, each customer's count of new purchases (known
    products or not), each ``truth`` key's row in ``test_ids``)."""
    n_items = inter.shape[1]
    where = {c: n for n, c in enumerate(test_ids)}
    owners, items, sizes = [], [], np.zeros(len(test_ids), dtype=np.int64)
    for c, rel in truth.items():
        sizes[where[c]] = len(rel)
        owners.extend([where[c]] * len(rel))
        items.extend(rel)
    cols = (
        inter.products.get_indexer(pd.Index(items, dtype=object))
        if items
        else np.array([], dtype=np.intp)
    )
    keys = np.asarray(owners, dtype=np.int64) * n_items + cols
    order = np.fromiter((where[c] for c in truth), dtype=np.int64, count=len(truth))
    return np.unique(keys[cols >= 0]), sizes, order


def _ranking_metrics(
    truth: Mapping[str, set[str]],
    test_ids: list[str],
    top: np.ndarray,
    relevant: tuple[np.ndarray, np.ndarray, np.ndarray],
    products: np.ndarray,
    k: int,
) -> dict[str, float]:
    """The five metrics of :mod:`ecomdash.metrics` for the top lists ``top`` (rows of
    ``test_ids``; -1 = no product), to the last bit: each customer's value is the same
    double, and the means add them in ``truth``'s order with the same ``sum``. Computed on
    product numbers instead of a dict of id lists and Python sets per customer (about a
    second per model for 20,000 customers). A list naming a product twice (no model does)
    goes the old way."""
    keys, sizes, order = relevant
    n_items = len(products)
    valid = top >= 0
    # ranks count the products listed so far (what a list without the -1 entries numbers);
    # only the first k count
    rank = np.cumsum(valid, axis=1)
    valid &= rank <= k
    cols = np.where(valid, top, 0)
    dup = np.sort(np.where(valid, top, -1 - np.arange(top.shape[1])), axis=1)
    if top.shape[1] > 1 and (np.diff(dup, axis=1) == 0).any():
        preds = {
            c: [products[i] for i in row if i >= 0] for c, row in zip(test_ids, top, strict=True)
        }
        return {
            "precision_at_k": M.precision_at_k(truth, preds, k),
            "recall_at_k": M.recall_at_k(truth, preds, k),
            "hit_rate_at_k": M.hit_rate_at_k(truth, preds, k),
            "ndcg_at_k": M.ndcg_at_k(truth, preds, k),
            "coverage": M.catalogue_coverage(truth, preds, k, n_items=n_items),
        }
    row_keys = np.arange(top.shape[0], dtype=np.int64)[:, None] * n_items + cols
    hit = valid & np.isin(row_keys, keys)
    hits = hit.sum(axis=1)
    discount = [0.0] + [1.0 / math.log2(r + 1) for r in range(1, k + 1)]  # as ndcg_at_k
    ideal = [0.0] + [sum(1.0 / math.log2(r + 1) for r in range(1, n + 1)) for n in range(1, k + 1)]
    dcg = np.zeros(top.shape[0])
    for j in range(top.shape[1]):  # hits added in rank order, as the loop does
        dcg += np.where(hit[:, j], np.asarray(discount)[np.minimum(rank[:, j], k)], 0.0)
    ndcg = dcg / np.asarray(ideal)[np.minimum(sizes, k)]
    shown = np.unique(top[valid])

    def mean(values: np.ndarray) -> float:
        return M._mean(values[order].tolist())

    return {
        "precision_at_k": mean(hits / k),
        "recall_at_k": mean(hits / sizes),
        "hit_rate_at_k": mean((hits > 0).astype(np.float64)),
        "ndcg_at_k": mean(ndcg),
        "coverage": len(shown) / n_items,
    }


def _ratio(values: pd.Series, base: float) -> pd.Series:
    if base > 0:
        return values / base
    return pd.Series(np.where(values > 0, np.inf, 1.0), index=values.index)


def _verdict(table: pd.DataFrame, k: int, n: int) -> str:
    best = table.iloc[0]
    pop = table.loc[table["model"] == "popularity"].iloc[0]
    label = _(MODEL_LABELS.get(best["model"], best["model"]))
    if best["model"] in BASELINES or best["hit_rate_at_k"] <= pop["hit_rate_at_k"] * 1.1:
        return _(
            "On your data the personalised models do no better than showing best sellers "
            "(best sellers: {pop} of {n} returning customers bought one of their top {k}). "
            "Show best sellers, or collect more history first.",
            pop=fmt.pct(pop["hit_rate_at_k"], 0),
            n=f"{n:,}",
            k=k,
        )
    ratio = best["hit_rate_at_k"] / pop["hit_rate_at_k"] if pop["hit_rate_at_k"] > 0 else np.inf
    fields = {
        "model": label,
        "hit": fmt.pct(best["hit_rate_at_k"], 0),
        "n": f"{n:,}",
        "k": k,
        "pop": fmt.pct(pop["hit_rate_at_k"], 0),
    }
    if not np.isfinite(ratio):
        return _(
            "Best: {model}. For {hit} of {n} returning customers, at least one of its top {k} "
            "products was something they went on to buy for the first time, against {pop} "
            "with best sellers: far better than showing best sellers.",
            **fields,
        )
    return _(
        "Best: {model}. For {hit} of {n} returning customers, at least one of its top {k} "
        "products was something they went on to buy for the first time, against {pop} with "
        "best sellers: {times} times as many as with best sellers.",
        times=f"{ratio:.1f}",
        **fields,
    )
