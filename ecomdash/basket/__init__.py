"""Basket analysis: frequent itemsets and association rules a merchant can act on.

Exact: the itemsets and rules are the same as mlxtend's ``apriori`` + ``association_rules``
(same support, confidence, lift, leverage and conviction formulas, same ``>=`` thresholds);
``tests/unit/test_basket_mlxtend.py`` proves it. Fast: the miner works on integer codes, never on
a dense order × catalogue matrix:

1. order lines → (basket, item) integer pairs of the kept purchases
   (``schema.customer_sales``: no returns, no cancelled sale lines; a basket is the Overview's
   order), de-duplicated; items in fewer than ``min_count`` baskets are dropped first (exact:
   a superset is never more frequent);
2. pairs are counted with one sparse product ``XᵀX`` over the surviving items;
3. larger itemsets are apriori candidates (join siblings, drop candidates with an infrequent
   subset) counted by AND-ing packed bitsets of baskets and a popcount;
4. rules are enumerated per itemset size and antecedent mask, fully vectorised.

Before each expensive step the miner checks how much work the thresholds imply (from item counts,
then from exact candidate counts) and refuses with a :class:`ParameterError` that names the
threshold to raise and a computed value, instead of running out of memory.

>>> import pandas as pd
>>> from ecomdash.basket import mine
>>> lines = pd.DataFrame({"order_id": ["1", "1", "2", "2", "3"],
...                       "product_id": ["a", "b", "a", "b", "a"]})
>>> r = mine(lines, min_support=0.5, min_confidence=0.5)
>>> r.rules[["antecedents", "consequents", "confidence"]].to_dict("records")[0]
{'antecedents': ('b',), 'consequents': ('a',), 'confidence': 1.0}

The package, by concern: ``results`` (work limits, result dataclasses, parameter checks),
``encode`` (lines or store pairs → integer codes, item names), ``miner`` (levels of frequent
itemsets, rule scoring, refusals), ``mining`` (:func:`mine`, :func:`mine_dataset`, the result
both engines build from their itemsets), ``bundles`` (frequently bought together, the bundle
what-if and :func:`whatif_figures`, its rounded figures), ``holdout`` (rules checked on later
orders).
"""

from ecomdash.basket.bundles import (
    avg_price,
    avg_prices_dataset,
    bundle_whatif,
    bundle_whatif_dataset,
    frequently_bought_together,
    whatif_figures,
)
from ecomdash.basket.encode import (
    BasketPairs,
    _check_columns,  # noqa: F401  (the store's basket_pairs checks columns as mine does)
    baskets,
    count_baskets,
    min_count_for,
)
from ecomdash.basket.holdout import HoldoutResult, holdout_check, holdout_check_dataset
from ecomdash.basket.miner import _count_pairs  # noqa: F401  (tests/unit/test_basket_mlxtend.py)
from ecomdash.basket.mining import mine, mine_dataset, suggest_support
from ecomdash.basket.results import (
    BASKETS,
    FEW_BASKETS,
    FEW_ORDERS_PER_ITEMSET,
    ITEMSET_COLUMNS,
    LEVELS,
    MAX_BIT_WORK,
    MAX_CANDIDATES,
    MAX_ITEMSETS,
    MAX_PAIR_WORK,
    MAX_RULE_CANDIDATES,
    MAX_RULES,
    RULE_COLUMNS,
    BasketResult,
    Baskets,
    BundleWhatIf,
    line_columns,
    support_share,
)

__all__ = [
    "BASKETS",
    "FEW_BASKETS",
    "FEW_ORDERS_PER_ITEMSET",
    "ITEMSET_COLUMNS",
    "LEVELS",
    "MAX_BIT_WORK",
    "MAX_CANDIDATES",
    "MAX_ITEMSETS",
    "MAX_PAIR_WORK",
    "MAX_RULE_CANDIDATES",
    "MAX_RULES",
    "RULE_COLUMNS",
    "BasketPairs",
    "BasketResult",
    "Baskets",
    "BundleWhatIf",
    "HoldoutResult",
    "baskets",
    "avg_price",
    "avg_prices_dataset",
    "bundle_whatif",
    "bundle_whatif_dataset",
    "count_baskets",
    "frequently_bought_together",
    "holdout_check",
    "holdout_check_dataset",
    "line_columns",
    "min_count_for",
    "mine",
    "mine_dataset",
    "suggest_support",
    "support_share",
    "whatif_figures",
]
