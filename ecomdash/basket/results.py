"""Basket analysis: the work limits, the result dataclasses and the parameter checks."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from ecomdash import schema as S
from ecomdash.errors import ParameterError
from ecomdash.i18n import N_
from ecomdash.i18n.note import Percent, note


def support_share(share: float, *, towards: str | None = None) -> Percent:
    """A support (or a confidence) as a sentence writes it: a percentage with the decimals its
    three significant figures need (``1 %``, ``0.5 %``, ``0.0123 %``), as the rules table
    writes support, in the language where it is shown (a :class:`~ecomdash.i18n.note.Percent`
    a Note keeps; ``str()`` of it is the English). The page's support box takes a percentage
    too; the warnings wrote ``0.2`` beside it.

    ``towards="down"`` / ``"up"``: a value to type in, cut down (a "lower it to" suggestion:
    3 of 7 baskets, 42.857 %, reads 42.8 %, which still lets them in; 42.9 % would not) or
    up (a "raise it to at least" one).

    >>> from ecomdash.i18n import use_lang
    >>> [str(support_share(x)) for x in (0.01, 0.005, 0.000123, 0.25, 0.15349, 0.6)]
    ['1\xa0%', '0.5\xa0%', '0.0123\xa0%', '25\xa0%', '15.3\xa0%', '60\xa0%']
    >>> str(support_share(3 / 7, towards="down")), str(support_share(7 / 300, towards="up"))
    ('42.8\xa0%', '2.34\xa0%')
    >>> str(support_share(0.6, towards="down")), str(support_share(0.04999, towards="down"))
    ('60\xa0%', '4.99\xa0%')
    >>> str(support_share(0.6, towards="up")), str(support_share(0.9999, towards="up"))
    ('60\xa0%', '100\xa0%')
    >>> with use_lang("zh"):
    ...     support_share(0.005).shown()
    '0.5%'
    """
    if towards is None:
        points = f"{share * 100:.3g}"
        digits = 6 if "e" in points else len(points.split(".")[1]) if "." in points else 0
        return Percent(share, digits)
    # three significant figures of the value itself (4.999 % → 4.99 %, not "5" cut to 4 %),
    # on that grid (rounded first so 0.6 — 60.000000000000014 — stays 60), trailing zeros off
    points = share * 100
    digits = min(8, max(0, 2 - math.floor(math.log10(points)))) if points > 0 else 0
    scaled = round(points * 10**digits, 6)
    steps = math.floor(scaled) if towards == "down" else math.ceil(scaled)
    while digits > 0 and steps % 10 == 0:
        steps //= 10
        digits -= 1
    share = steps / 10**digits / 100
    return Percent(share, digits)


BASKETS = ("order", "customer_day")
LEVELS = ("product", "category")


def line_columns(basket: str = "order", level: str = "product") -> tuple[str, ...]:
    """The line columns mining, the holdout check, lookups and the bundle what-if read for
    ``basket`` / ``level`` (the flags and quantity/price/revenue come with any store read):
    pages and commands load only these."""
    item = (S.PRODUCT_ID, S.PRODUCT_NAME) if level == "product" else (S.CATEGORY,)
    key = (S.ORDER_ID,) if basket == "order" else (S.CUSTOMER_ID, S.ORDER_ID)
    # the what-if always works on products; the holdout check splits by date
    return tuple(dict.fromkeys((*key, S.ORDER_DATE, *item, S.PRODUCT_ID, S.PRODUCT_NAME)))


#: Work limits. Above them the miner refuses before counting and says which threshold to raise.
MAX_PAIR_WORK = 80_000_000  # Σ over baskets of C(frequent items in the basket, 2)
MAX_CANDIDATES = 3_000_000  # candidate itemsets of one size, before the subset prune
MAX_BIT_WORK = 60_000_000  # candidates × 64-bit words to AND and count, per size
MAX_ITEMSETS = 100_000  # frequent itemsets in total
MAX_RULE_CANDIDATES = 1_500_000  # (itemset, antecedent) pairs to score
MAX_RULES = 200_000  # rules in the table

#: Below these the page says plainly that the evidence is thin.
FEW_BASKETS = 200
FEW_ORDERS_PER_ITEMSET = 10

ITEMSET_COLUMNS = ("itemset", "names", "size", "support", "count")
RULE_COLUMNS = (
    "antecedents",
    "consequents",
    "names",
    "antecedent_support",
    "consequent_support",
    "support",
    "count",
    "confidence",
    "lift",
    "leverage",
    "conviction",
)


# --------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class Baskets:
    """The basket matrix: ``matrix[b, j]`` is True when basket ``b`` holds item ``items[j]``.

    ``matrix`` is a ``scipy.sparse.csr_array`` of bools (n_baskets × n_items); ``items`` are the
    item ids (product ids, or category names) in sorted order, ``names`` their readable names.
    """

    matrix: sparse.csr_array
    items: np.ndarray
    names: np.ndarray
    n_baskets: int
    basket: str
    level: str


@dataclass(frozen=True)
class BasketResult:
    """Frequent itemsets and association rules.

    ``itemsets``: one row per frequent itemset — ``itemset`` (tuple of item ids, sorted),
    ``names`` (readable, joined with `` + ``), ``size``, ``support`` (share of baskets),
    ``count`` (number of baskets); sorted by support, largest first.

    ``rules``: one row per rule A ⇒ C — ``antecedents``, ``consequents`` (tuples of item ids),
    ``names`` (``"a + b → c"``), ``antecedent_support``, ``consequent_support``, ``support``,
    ``count``, ``confidence``, ``lift``, ``leverage``, ``conviction`` (``inf`` when confidence is
    1); sorted by lift, then confidence, then support.

    ``items``: the frequent single items (``item``, ``name``, ``count``, ``support``).
    ``suggested_min_support`` is set when no itemset of two or more items reached the threshold:
    the support of the 10th most frequent pair (at it, at least 10 pairs are frequent).
    """

    itemsets: pd.DataFrame
    rules: pd.DataFrame
    items: pd.DataFrame
    n_baskets: int
    n_multi_item_baskets: int
    min_count: int
    params: dict[str, Any]
    warnings: tuple[str, ...]
    elapsed: float
    timings: tuple[tuple[str, float], ...] = ()
    suggested_min_support: float | None = None

    @property
    def n_itemsets(self) -> int:
        return len(self.itemsets)

    @property
    def n_rules(self) -> int:
        return len(self.rules)

    def name_of(self, item: str) -> str:
        """Readable name of a frequent item (the id itself when unknown)."""
        hit = self.items.loc[self.items["item"] == item, "name"]
        return str(hit.iloc[0]) if len(hit) else str(item)


@dataclass(frozen=True)
class BundleWhatIf:
    """What a bundle A ⇒ B could add: baskets with A but not all of B, and the revenue if
    ``share`` of them also took the missing B items (one unit each, at B's average price)."""

    antecedent: tuple[str, ...]
    consequent: tuple[str, ...]
    share: float
    n_baskets: int
    n_with_antecedent: int
    n_with_both: int
    n_antecedent_only: int
    prices: pd.DataFrame  # item, name, avg_price, units_sold
    extra_orders: float
    extra_revenue: float
    warnings: tuple[str, ...] = field(default_factory=tuple)


# --------------------------------------------------------------------------------------------
# Parameter checks


def _check_choice(name: str, value: object, allowed: Sequence[str], func: str) -> None:
    if value not in allowed:
        options = ", ".join(repr(a) for a in allowed)
        raise ParameterError(
            note(
                N_(
                    "The '{name}' parameter of {func} must be one of {options}. "
                    "Got {value} instead."
                ),
                name=name,
                func=func,
                options=options,
                value=repr(value),
            )
        )


def _check_range(
    name: str, value: object, low: float, high: float, func: str, *, low_open: bool = False
) -> float:
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    v = float(value) if ok else math.nan  # type: ignore[arg-type]
    if ok and not math.isnan(v):
        ok = (v > low if low_open else v >= low) and v <= high
    else:
        ok = False
    if not ok:
        bracket = "(" if low_open else "["
        hi = "inf)" if math.isinf(high) else f"{high:g}]"
        raise ParameterError(
            note(
                N_(
                    "The '{name}' parameter of {func} must be a number in the range {range}. "
                    "Got {value} instead."
                ),
                name=name,
                func=func,
                range=f"{bracket}{low:g}, {hi}",
                value=repr(value),
            )
        )
    return v


def _check_count(name: str, value: object, func: str) -> int:
    """A whole number of at least 1 (``k``, ``target``)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ParameterError(
            note(
                N_(
                    "The '{name}' parameter of {func} must be an int in the range [1, inf). "
                    "Got {value} instead."
                ),
                name=name,
                func=func,
                value=repr(value),
            )
        )
    return int(value)


def _check_max_len(max_len: object, func: str) -> int | None:
    if max_len is None:
        return None
    if isinstance(max_len, bool) or not isinstance(max_len, (int, np.integer)) or max_len < 1:
        raise ParameterError(
            note(
                N_(
                    "The 'max_len' parameter of {func} must be an int in the range [1, inf) "
                    "or None (no limit). Got {value} instead."
                ),
                func=func,
                value=repr(max_len),
            )
        )
    return int(max_len)


def _min_count(min_support: float, n: int) -> int:
    """Smallest count c with ``c / n >= min_support`` (the same float test as mlxtend)."""
    c = max(1, math.ceil(min_support * n))
    while c > 1 and (c - 1) / n >= min_support:
        c -= 1
    while c / n < min_support:
        c += 1
    return c
