"""Product recommendations from implicit feedback (who bought what, how often, how recently).

Models are scikit-learn-style estimators: ``__init__`` stores parameters, ``fit(lines)``
returns ``self``, learned attributes end in ``_``. Every model answers

- ``recommend(customer_ids, k=10, exclude_bought=True)`` → one row per (customer, product)
  with ``rank``, ``score`` and a plain-words ``reason`` that fits the model behind the row
  ("because you bought X and Y" from a model that compares products; "5 customers who buy
  like you bought it" from user-based CF, which compares customers; "best seller: …");
  customers with no history (cold start) get the popularity baseline, marked in ``source``;
- ``similar_products(product_id, k)`` → "customers who bought this also bought";
- ``target_customers(product_id, k)`` → the customers most likely to buy it next (not
  already buyers).

Models: :class:`PopularityRecommender` (best sellers / trending; the baseline and the
cold-start fallback), :class:`ItemKNNRecommender` (item-based collaborative filtering,
cosine on weighted customer × product counts, recency decay), :class:`UserKNNRecommender`
(top-K similar customers), :class:`ALSRecommender` (implicit-feedback matrix factorisation,
alternating least squares with batched conjugate gradient, numpy only) and
:class:`EASERecommender` (closed-form linear item autoencoder, Steck 2019).

:func:`evaluate` runs the offline test: train before a cut-off, test on what each customer
bought after it and had not bought before, with the metrics of :mod:`ecomdash.metrics`.

>>> from ecomdash.demo import generate  # doctest: +SKIP
>>> model = EASERecommender().fit(generate().lines)  # doctest: +SKIP
>>> model.recommend(["C00001"], k=5)  # doctest: +SKIP

The package, by concern: ``data`` (model names, business rules, the interaction matrix and its
weightings, parameter checks), ``base`` (the estimator every model shares, similarity helpers,
BLAS threads), ``models`` (the models and :func:`make_model`), ``evaluation`` (the
chronological split, :func:`evaluate`, the verdict).
"""

from ecomdash.recommend.base import (
    BLAS_THREADS,
    TOP_ITEMS_CELLS,
    Recommender,
    _because,  # noqa: F401  (tests/pages/test_zh_recommend.py)
    _sparse_cosine_top,  # noqa: F401  (tests/unit/test_recommend.py)
)
from ecomdash.recommend.data import (
    BASELINES,
    LINE_COLUMNS,
    MODEL_LABELS,
    MODEL_NAMES,
    RESULT_COLUMNS,
    SOURCE_COLD,
    SOURCE_MODEL,
    SOURCES_SHOWN,
    WEIGHTINGS,
    BusinessRules,
    Interactions,
    _check_choice,  # noqa: F401  (ecomdash/spark/recommend.py)
    _require_columns,  # noqa: F401  (ecomdash/aggregates.py)
    build_interactions,
    shown_sources,
    weight_matrix,
)
from ecomdash.recommend.evaluation import (
    MAX_TEST_CUSTOMERS,
    METRIC_COLUMNS,
    ChronologicalSplit,
    EvaluationResult,
    chronological_split,
    evaluate,
    evaluate_models,
    evaluate_split,
)
from ecomdash.recommend.models import (
    ALSRecommender,
    EASERecommender,
    ItemKNNRecommender,
    PopularityRecommender,
    TrendingRecommender,
    UserKNNRecommender,
    default_model_name,
    make_model,
    model_parameters,
)

__all__ = [
    "ALSRecommender",
    "BASELINES",
    "BLAS_THREADS",
    "BusinessRules",
    "ChronologicalSplit",
    "EASERecommender",
    "EvaluationResult",
    "Interactions",
    "ItemKNNRecommender",
    "LINE_COLUMNS",
    "MAX_TEST_CUSTOMERS",
    "METRIC_COLUMNS",
    "MODEL_LABELS",
    "MODEL_NAMES",
    "PopularityRecommender",
    "RESULT_COLUMNS",
    "Recommender",
    "SOURCE_COLD",
    "SOURCE_MODEL",
    "SOURCES_SHOWN",
    "TOP_ITEMS_CELLS",
    "TrendingRecommender",
    "UserKNNRecommender",
    "WEIGHTINGS",
    "build_interactions",
    "chronological_split",
    "default_model_name",
    "evaluate",
    "evaluate_models",
    "evaluate_split",
    "make_model",
    "model_parameters",
    "shown_sources",
    "weight_matrix",
]
