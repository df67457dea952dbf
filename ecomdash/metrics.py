"""Ranking metrics for top-k recommendations (implicit feedback, binary relevance).

Every metric has the same signature ``metric(truth, predictions, k)``, in the style of
Microsoft Recommenders' ``python_evaluation``:

- ``truth``: mapping customer → collection of relevant items (what they actually bought).
  Only customers with at least one relevant item are scored; the mean is over them.
- ``predictions``: mapping customer → ranked sequence of recommended items (best first).
  A customer missing from ``predictions`` counts as an empty list (scores 0).
- ``k``: the cut-off; only the first ``k`` predictions count.

>>> truth = {"a": {"x", "y"}, "b": {"z"}}
>>> preds = {"a": ["x", "q"], "b": ["q", "r"]}
>>> precision_at_k(truth, preds, 2), recall_at_k(truth, preds, 2), hit_rate_at_k(truth, preds, 2)
(0.25, 0.25, 0.5)
"""

from __future__ import annotations

import math
from collections.abc import Collection, Hashable, Mapping, Sequence

from ecomdash.errors import ParameterError
from ecomdash.i18n import N_
from ecomdash.i18n.note import note

Truth = Mapping[Hashable, Collection[Hashable]]
Predictions = Mapping[Hashable, Sequence[Hashable]]


def _check_k(k: int) -> int:
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ParameterError(
            note(
                N_(
                    "The 'k' parameter of the ranking metrics must be an int in the range "
                    "[1, inf). Got {value} instead."
                ),
                value=repr(k),
            )
        )
    return k


def _scored(truth: Truth) -> list[tuple[Hashable, set]]:
    return [(u, set(items)) for u, items in truth.items() if len(items) > 0]


def _top(predictions: Predictions, user: Hashable, k: int) -> list:
    recs = predictions.get(user, ())
    return list(recs)[:k]


def _mean(values: list[float]) -> float:
    return float(sum(values) / len(values)) if values else 0.0


def precision_at_k(truth: Truth, predictions: Predictions, k: int) -> float:
    """Mean over customers of (relevant items among the top k) / k.

    The denominator is always ``k`` (a customer with fewer than k predictions is not
    rewarded for it), as in Microsoft Recommenders and ``implicit``.
    """
    _check_k(k)
    return _mean([len(set(_top(predictions, u, k)) & rel) / k for u, rel in _scored(truth)])


def recall_at_k(truth: Truth, predictions: Predictions, k: int) -> float:
    """Mean over customers of (relevant items among the top k) / (number of relevant items)."""
    _check_k(k)
    return _mean([len(set(_top(predictions, u, k)) & rel) / len(rel) for u, rel in _scored(truth)])


def hit_rate_at_k(truth: Truth, predictions: Predictions, k: int) -> float:
    """Share of customers with at least one relevant item among their top k."""
    _check_k(k)
    return _mean([1.0 if set(_top(predictions, u, k)) & rel else 0.0 for u, rel in _scored(truth)])


def ndcg_at_k(truth: Truth, predictions: Predictions, k: int) -> float:
    """Mean normalised discounted cumulative gain at k (binary relevance, log2 discount).

    DCG = sum over hits at rank r (1-based) of 1 / log2(r + 1); the ideal DCG places
    min(k, number of relevant items) hits at the top.
    """
    _check_k(k)
    values = []
    for u, rel in _scored(truth):
        seen: set = set()
        dcg = 0.0
        for rank, item in enumerate(_top(predictions, u, k), start=1):
            if item in rel and item not in seen:
                dcg += 1.0 / math.log2(rank + 1)
            seen.add(item)
        ideal = sum(1.0 / math.log2(r + 1) for r in range(1, min(k, len(rel)) + 1))
        values.append(dcg / ideal)
    return _mean(values)


def catalogue_coverage(truth: Truth, predictions: Predictions, k: int, *, n_items: int) -> float:
    """Share of the catalogue (``n_items`` products) that appears in someone's top k.

    Counted over the customers scored (those in ``truth``), so every model is compared on
    the same customers.
    """
    _check_k(k)
    if isinstance(n_items, bool) or not isinstance(n_items, int) or n_items < 1:
        raise ParameterError(
            note(
                N_(
                    "The 'n_items' parameter of catalogue_coverage must be an int in the range "
                    "[1, inf). Got {value} instead."
                ),
                value=repr(n_items),
            )
        )
    shown: set = set()
    for u, _rel in _scored(truth):
        shown.update(_top(predictions, u, k))
    return len(shown) / n_items
