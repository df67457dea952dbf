"""Basket analysis: frequent itemsets and association rules a merchant can act on.

Exact: the itemsets and rules are the same as mlxtend's ``apriori`` + ``association_rules``
(same support, confidence, lift, leverage and conviction formulas, same ``>=`` thresholds);
``tests/unit/test_basket_mlxtend.py`` proves it. Fast: the miner works on integer codes, never on
a dense order × catalogue matrix:

1. order lines → (basket, item) integer pairs, de-duplicated; items in fewer than
   ``min_count`` baskets are dropped first (exact: a superset is never more frequent);
2. pairs are counted with one sparse product ``XᵀX`` over the surviving items;
3. larger itemsets are apriori candidates (join siblings, drop candidates with an infrequent
   subset) counted by AND-ing packed bitsets of baskets and a popcount;
4. rules are enumerated per itemset size and antecedent mask, fully vectorised.

Before each expensive step the miner checks how much work the thresholds imply (from item counts,
then from exact candidate counts) and refuses with a :class:`ParameterError` that names the
threshold to raise and a computed value, instead of running out of memory.

>>> lines = pd.DataFrame({"order_id": ["1", "1", "2", "2", "3"],
...                       "product_id": ["a", "b", "a", "b", "a"]})
>>> r = mine(lines, min_support=0.5, min_confidence=0.5)
>>> r.rules[["antecedents", "consequents", "confidence"]].to_dict("records")[0]
{'antecedents': ('b',), 'consequents': ('a',), 'confidence': 1.0}
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from scipy import sparse

from ecomdash import schema as S
from ecomdash.errors import InsufficientDataError, ParameterError

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
            f"The '{name}' parameter of {func} must be one of {options}. Got {value!r} instead."
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
            f"The '{name}' parameter of {func} must be a number in the range "
            f"{bracket}{low:g}, {hi}. Got {value!r} instead."
        )
    return v


def _check_max_len(max_len: object, func: str) -> int | None:
    if max_len is None:
        return None
    if isinstance(max_len, bool) or not isinstance(max_len, (int, np.integer)) or max_len < 1:
        raise ParameterError(
            f"The 'max_len' parameter of {func} must be an int in the range [1, inf) or None "
            f"(no limit). Got {max_len!r} instead."
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


# --------------------------------------------------------------------------------------------
# Encoding order lines as integer (basket, item) pairs


@dataclass(frozen=True)
class _Encoded:
    b: np.ndarray  # basket code per distinct (basket, item), sorted by basket then item
    i: np.ndarray  # item code (index into items, items sorted by id)
    n_baskets: int
    items: np.ndarray  # item ids (object array of str), sorted
    name_source: tuple[np.ndarray, np.ndarray] | None  # (item code, row position) per line
    warnings: tuple[str, ...]


def _positions_kept(lines: pd.DataFrame, include_non_product: bool) -> np.ndarray:
    """Row positions of ``schema.sales_lines`` (computed on the flag columns only: fast)."""
    cols = [
        c
        for c in (S.IS_RETURN, S.IS_NON_PRODUCT, S.QUANTITY, S.UNIT_PRICE, S.REVENUE)
        if c in lines.columns
    ]
    narrow = pd.DataFrame({c: lines[c].to_numpy() for c in cols}, index=pd.RangeIndex(len(lines)))
    kept = S.sales_lines(narrow, keep_non_product=include_non_product)
    return kept.index.to_numpy()


def _arrow(col: pd.Series) -> pa.Array | None:
    """The column as one Arrow string array (zero-copy for Arrow-backed strings), else None."""
    try:
        arr = pa.array(col.array)
    except (TypeError, ValueError, pa.ArrowException):
        return None
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        return None
    return arr


def _codes(col: pd.Series, *, sort: bool) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes (-1 for missing) and the unique values of a text column (sorted when
    ``sort``). Arrow-backed strings are dictionary-encoded by Arrow (fast)."""
    arr = _arrow(col) if col.dtype != object else None
    if arr is None:
        codes, uniques = pd.factorize(col, sort=sort)
        return codes.astype(np.int64, copy=False), np.asarray(uniques, dtype=object)
    enc = pc.dictionary_encode(arr)
    codes = pc.fill_null(enc.indices, -1).to_numpy(zero_copy_only=False).astype(np.int64)
    uniques = enc.dictionary
    if sort and len(uniques):
        order = pc.sort_indices(uniques).to_numpy()
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        codes = np.where(codes >= 0, rank[np.maximum(codes, 0)], -1)
        uniques = uniques.take(pa.array(order))
    return codes, np.asarray(uniques.to_pylist(), dtype=object)


def _run_codes(col: pd.Series) -> np.ndarray:
    """Codes of a column whose equal values sit in one contiguous run each (order ids in an
    export usually do): found by comparing neighbours, verified, else a hash factorize."""
    n = len(col)
    arr = _arrow(col) if n > 1 and col.dtype != object else None
    if arr is not None and arr.null_count == 0:
        change = np.empty(n, dtype=bool)
        change[0] = True
        change[1:] = pc.not_equal(arr[1:], arr[:-1]).to_numpy(zero_copy_only=False)
        starts = np.flatnonzero(change)
        if pc.count_distinct(arr.take(pa.array(starts))).as_py() == len(starts):
            return np.cumsum(change, dtype=np.int64) - 1
    return _codes(col, sort=False)[0]


def _check_columns(columns, *, basket: str, level: str, func: str) -> str:
    """Check the choices and that ``columns`` hold what they need; return the item column."""
    _check_choice("basket", basket, BASKETS, func)
    _check_choice("level", level, LEVELS, func)
    item_col = S.PRODUCT_ID if level == "product" else S.CATEGORY
    need = {item_col} | ({S.ORDER_ID} if basket == "order" else {S.CUSTOMER_ID, S.ORDER_DATE})
    missing = sorted(need - set(columns))
    if missing:
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
            f"this dataset has columns {', '.join(map(str, columns))}. {hint}"
        )

    return item_col


@dataclass(frozen=True)
class BasketPairs:
    """The distinct (basket, item) pairs of the sales lines as integer codes, computed by the
    store in SQL (``Store.basket_pairs``): what :func:`mine` and :func:`count_baskets` build
    from the lines, without the lines. ``items`` are the item ids in sorted order, ``names``
    their readable names (the most common product name; ties: alphabetically first), ``b``
    and ``i`` int32 codes (any basket numbering: counts do not depend on it)."""

    b: np.ndarray
    i: np.ndarray
    n_baskets: int
    items: np.ndarray
    names: np.ndarray
    n_dropped: int
    basket: str
    level: str
    include_non_product: bool


def _encode_pairs(pairs: BasketPairs, *, basket: str, level: str, include_non_product: bool):
    if (pairs.basket, pairs.level, pairs.include_non_product) != (
        basket,
        level,
        bool(include_non_product),
    ):
        raise ParameterError(
            f"These basket pairs were built for basket={pairs.basket!r}, level={pairs.level!r}, "
            f"include_non_product={pairs.include_non_product}; asked for basket={basket!r}, "
            f"level={level!r}, include_non_product={include_non_product}. Build them again."
        )
    warnings = []
    if pairs.n_dropped:
        side = "category" if level == "category" else "product id"
        key = "order id" if basket == "order" else "customer id / date"
        warnings.append(
            f"{pairs.n_dropped:,} sale lines without a {side} or {key} were left out of the "
            "baskets."
        )
    n_items = max(len(pairs.items), 1)
    key = np.sort(pairs.b.astype(np.int64) * n_items + pairs.i.astype(np.int64))
    enc = _Encoded(
        b=key // n_items,
        i=key % n_items,
        n_baskets=int(pairs.n_baskets),
        items=pairs.items,
        name_source=None,
        warnings=tuple(warnings),
    )
    return enc, lambda codes: np.asarray(pairs.names, dtype=object)[codes]


def _encode_any(lines, *, basket: str, level: str, include_non_product: bool, func: str):
    """(encoded baskets, item code -> readable name) from lines or from store pairs."""
    if isinstance(lines, BasketPairs):
        return _encode_pairs(
            lines, basket=basket, level=level, include_non_product=include_non_product
        )
    enc = _encode(
        lines, basket=basket, level=level, include_non_product=include_non_product, func=func
    )
    return enc, lambda codes: _names_for(lines, enc, codes, level)


def _encode(
    lines: pd.DataFrame,
    *,
    basket: str,
    level: str,
    include_non_product: bool,
    func: str,
) -> _Encoded:
    if not isinstance(lines, pd.DataFrame):
        raise ParameterError(
            f"{func} needs the order-line table (a pandas DataFrame). "
            f"Got {type(lines).__name__} instead."
        )
    item_col = _check_columns(lines.columns, basket=basket, level=level, func=func)

    warnings: list[str] = []
    pos = _positions_kept(lines, include_non_product)
    item_codes, items = _codes(lines[item_col], sort=True)
    item_codes = item_codes[pos]
    if basket == "order":
        bcodes = _run_codes(lines[S.ORDER_ID])[pos]
    else:
        cust, _ = _codes(lines[S.CUSTOMER_ID], sort=False)
        cust = cust[pos]
        day = lines[S.ORDER_DATE].to_numpy()[pos].astype("datetime64[D]").astype(np.int64)
        if S.ORDER_ID in lines.columns:
            # guests (no customer id): each order is its own basket
            order, _ = _codes(lines[S.ORDER_ID], sort=False)
            order = order[pos]
            guest = (cust < 0) & (order >= 0)
            cust = np.where(guest, cust.max(initial=-1) + 1 + order, cust)
        day_ok = lines[S.ORDER_DATE].notna().to_numpy()[pos]
        cust = np.where(day_ok, cust, -1)
        day = np.where(day_ok, day, 0)
        if day_ok.any():
            day = np.where(day_ok, day - day[day_ok].min(), 0)
        bcodes = np.where(cust >= 0, cust * (int(day.max(initial=0)) + 1) + day, -1)
    ok = (item_codes >= 0) & (bcodes >= 0)
    dropped = int(len(ok) - ok.sum())
    if dropped:
        side = "category" if level == "category" else "product id"
        key = "order id" if basket == "order" else "customer id / date"
        warnings.append(
            f"{dropped:,} sale lines without a {side} or {key} were left out of the baskets."
        )
    item_codes = item_codes[ok]
    bcodes = bcodes[ok]
    pos = pos[ok]
    # dense basket numbering 0..n-1
    if len(bcodes) and bool((bcodes[1:] >= bcodes[:-1]).all()):
        bcodes = _dense(bcodes)
    else:
        bcodes = pd.factorize(bcodes, sort=False)[0].astype(np.int64, copy=False)
    n_baskets = int(bcodes.max(initial=-1) + 1)
    n_items = len(items)

    key = bcodes * max(n_items, 1) + item_codes
    key = np.sort(key, kind="stable")  # lines usually come grouped by order: runs sort fast
    first = np.ones(len(key), dtype=bool)
    first[1:] = key[1:] != key[:-1]
    key = key[first]
    b = key // max(n_items, 1)
    i = key % max(n_items, 1)

    name_source = None
    if level == "product" and S.PRODUCT_NAME in lines.columns:
        name_source = (item_codes, pos)  # names are looked up only for the items shown
    return _Encoded(
        b=b,
        i=i,
        n_baskets=n_baskets,
        items=items,
        name_source=name_source,
        warnings=tuple(warnings),
    )


def _names_for(
    lines: pd.DataFrame, enc: _Encoded, item_codes: np.ndarray, level: str
) -> np.ndarray:
    """Readable names of ``item_codes``: the most common product name of each product id
    (ties: alphabetically first); the id itself when there is no name."""
    out = np.asarray([str(x) for x in enc.items[item_codes]], dtype=object)
    if level != "product" or enc.name_source is None or len(item_codes) == 0:
        return out
    lookup = np.full(len(enc.items), -1, dtype=np.int64)
    lookup[item_codes] = np.arange(len(item_codes))
    src_i, src_pos = enc.name_source
    which = lookup[src_i]
    sel = which >= 0
    which, rows = which[sel], src_pos[sel]
    col = lines[S.PRODUCT_NAME]
    arr = _arrow(col) if col.dtype != object else None
    if arr is not None:  # encode only the lines of the items shown
        sub = pd.Series(pd.arrays.ArrowStringArray(arr.take(pa.array(rows))))
    else:
        sub = col.iloc[rows]
    ncodes, nuniq = _codes(sub, sort=True)  # sorted: code order = a..z
    ok = ncodes >= 0
    if not ok.any():
        return out
    which, ncodes = which[ok], ncodes[ok]
    # most items carry one name on every line: only items with several names need counting
    first = np.full(len(item_codes), -1, dtype=np.int64)
    first[which[::-1]] = ncodes[::-1]  # the name of each item's first line
    has = first >= 0
    out[has] = [str(x) for x in nuniq[first[has]]]
    mixed = ncodes != first[which]
    if not mixed.any():
        return out
    is_mixed = np.zeros(len(item_codes), dtype=bool)
    is_mixed[which[mixed]] = True
    sel = is_mixed[which]
    which, ncodes = which[sel], ncodes[sel]
    key = np.sort(which * len(nuniq) + ncodes)
    start = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    cnt = np.diff(np.r_[start, len(key)])
    uk = key[start]
    it, nm = uk // len(nuniq), uk % len(nuniq)
    # per item: highest count, then the alphabetically first name
    order = np.lexsort((nm, -cnt, it))
    it, nm = it[order], nm[order]
    first = np.r_[True, it[1:] != it[:-1]]
    out[it[first]] = [str(x) for x in nuniq[nm[first]]]
    return out


def baskets(
    lines: pd.DataFrame,
    *,
    basket: str = "order",
    level: str = "product",
    include_non_product: bool = False,
) -> Baskets:
    """The sparse basket matrix of ``lines`` (standard cleaning applied) and its item labels.

    ``basket="order"`` makes one basket per order; ``"customer_day"`` one per customer and
    calendar day (guest orders stay one basket each). ``level="category"`` uses the category
    column instead of the product id.

    >>> lines = pd.DataFrame({"order_id": ["1", "1", "2"], "product_id": ["b", "a", "a"]})
    >>> bk = baskets(lines)
    >>> bk.items.tolist(), bk.matrix.toarray().astype(int).tolist()
    (['a', 'b'], [[1, 1], [1, 0]])
    """
    enc = _encode(
        lines, basket=basket, level=level, include_non_product=include_non_product, func="baskets"
    )
    m = sparse.csr_array(
        (np.ones(len(enc.b), dtype=bool), (enc.b, enc.i)),
        shape=(enc.n_baskets, len(enc.items)),
    )
    names = _names_for(lines, enc, np.arange(len(enc.items)), level)
    return Baskets(
        matrix=m,
        items=np.asarray([str(x) for x in enc.items], dtype=object),
        names=names,
        n_baskets=enc.n_baskets,
        basket=basket,
        level=level,
    )


def count_baskets(
    lines: pd.DataFrame,
    *,
    basket: str = "order",
    level: str = "product",
    include_non_product: bool = False,
) -> int:
    """How many baskets :func:`mine` would see (to turn a support into a number of orders).

    ``lines`` may also be the store's :class:`BasketPairs`."""
    if isinstance(lines, BasketPairs):
        return _encode_pairs(
            lines, basket=basket, level=level, include_non_product=include_non_product
        )[0].n_baskets
    enc = _encode(
        lines,
        basket=basket,
        level=level,
        include_non_product=include_non_product,
        func="count_baskets",
    )
    return enc.n_baskets


def min_count_for(min_support: float, n_baskets: int) -> int:
    """The number of baskets an itemset needs at ``min_support`` (``count / n >= support``).

    >>> min_count_for(0.01, 20573)
    206
    """
    return _min_count(float(min_support), int(n_baskets))


# --------------------------------------------------------------------------------------------
# The miner (integer codes in, levels of frequent itemsets out)


@dataclass
class _Level:
    sets: np.ndarray  # (m, k) int64 item indices, rows sorted lexicographically
    counts: np.ndarray  # (m,) int64
    keys: np.ndarray  # (m,) int64 sorted: rank of prefix at level k-1 * F + last item
    parent: np.ndarray  # (m,) int64 rank of the (k-1)-prefix


def _rank(levels: list[_Level], tuples: np.ndarray, n_items: int) -> tuple[np.ndarray, np.ndarray]:
    """Index of each sorted tuple in its level, and whether it is there (frequent)."""
    k = tuples.shape[1]
    r = tuples[:, 0].astype(np.int64, copy=True)
    found = np.ones(len(tuples), dtype=bool)
    for j in range(1, k):
        keys = levels[j].keys
        q = r * n_items + tuples[:, j]
        p = np.searchsorted(keys, q)
        p_ok = p < len(keys)
        hit = np.zeros(len(q), dtype=bool)
        hit[p_ok] = keys[p[p_ok]] == q[p_ok]
        found &= hit
        r = np.where(found, p, 0)
    return r, found


def _refuse(
    what: str, found: int, limit: int, suggest_count: int | None, n: int, min_support: float, k: int
) -> ParameterError:
    """The refusal: what would explode, and the computed threshold that avoids it."""
    lower_len = f"set the maximum itemset size to {k - 1}" if k > 2 else ""
    if suggest_count is not None and suggest_count <= n:
        tail = (
            f" Raise the minimum support to at least {math.ceil(suggest_count / n * 1e4) / 1e4:g} "
            f"(items in at least {suggest_count:,} of {n:,} baskets)"
            + (f", or {lower_len}." if lower_len else ".")
        )
    elif lower_len:
        tail = f" {lower_len[0].upper()}{lower_len[1:]}."
    else:
        tail = " Raise the minimum support."
    return ParameterError(
        f"These thresholds would give too many itemsets to compute and read: {what} "
        f"{found:,} (limit {limit:,}) at minimum support {min_support:g}.{tail}"
    )


def _smallest_count(lo: int, hi: int, ok) -> int:
    """Smallest integer t in [lo, hi] with ok(t) True (ok monotone); hi if none."""
    while lo < hi:
        mid = (lo + hi) // 2
        if ok(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


def _pair_work(b: np.ndarray, n_baskets: int) -> int:
    m = np.bincount(b, minlength=n_baskets).astype(np.int64)
    return int((m * (m - 1) // 2).sum())


def _count_pairs(
    b: np.ndarray, i: np.ndarray, n_baskets: int, n_items: int, min_count: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(a, c, count) of item pairs a < c in at least ``min_count`` baskets, sorted by (a, c)."""
    m = np.bincount(b, minlength=n_baskets)
    keep = m[b] >= 2
    # (b, i) are sorted by basket then item: the CSR arrays can be written down directly
    i2 = i[keep].astype(np.int32)
    per_row = m[m >= 2]
    indptr = np.zeros(len(per_row) + 1, dtype=np.int64)
    np.cumsum(per_row, out=indptr[1:])
    x = sparse.csr_array(
        (np.ones(len(i2), dtype=np.int32), i2, indptr), shape=(len(per_row), n_items)
    )
    # XᵀX is symmetric: with the items cut into column blocks, only the blocks on and above
    # the diagonal are multiplied (about 3/4 or 2/3 of the work for 2 or 3 blocks).
    n_blocks = 1 if n_items < 300 else 2 if n_items < 1000 else 3
    edges = np.linspace(0, n_items, n_blocks + 1).astype(np.int64)
    xc = x.tocsc()
    cols = [xc[:, edges[j] : edges[j + 1]] for j in range(n_blocks)]
    rows = [blk.tocsr() for blk in cols]
    parts_a, parts_c, parts_n = [], [], []
    for bi in range(n_blocks):
        left = cols[bi].T  # CSR, no copy
        for bj in range(bi, n_blocks):
            g = (left @ rows[bj]).tocoo()
            keep_g = g.data >= min_count
            r = g.row[keep_g].astype(np.int64) + edges[bi]
            c = g.col[keep_g].astype(np.int64) + edges[bj]
            d = g.data[keep_g]
            if bi == bj:
                upper = c > r
                r, c, d = r[upper], c[upper], d[upper]
            parts_a.append(r)
            parts_c.append(c)
            parts_n.append(d)
    a, c, cnt = np.concatenate(parts_a), np.concatenate(parts_c), np.concatenate(parts_n)
    order = np.lexsort((c, a))
    return a[order], c[order], cnt[order].astype(np.int64)


def _dense(codes: np.ndarray) -> np.ndarray:
    """Renumber sorted codes 0..n-1 (codes are sorted by basket)."""
    if len(codes) == 0:
        return codes
    step = np.empty(len(codes), dtype=np.int64)
    step[0] = 0
    step[1:] = codes[1:] != codes[:-1]
    return np.cumsum(step)


def _bitsets(b: np.ndarray, i: np.ndarray, n_items: int) -> np.ndarray:
    """Packed bitsets (n_items × words) of the baskets holding each item. ``b`` dense, sorted."""
    nb = int(b.max(initial=-1) + 1)
    words = max(1, (nb + 63) // 64)
    nbytes = words * 8
    flat = i * nbytes + (b >> 3)
    val = np.left_shift(1, (b & 7)).astype(np.float64)
    packed = np.bincount(flat, weights=val, minlength=n_items * nbytes).astype(np.uint8)
    return packed.reshape(n_items, nbytes).view(np.uint64)


def _mine_levels(
    b: np.ndarray,
    i: np.ndarray,
    n_baskets: int,
    n_items: int,
    min_count: int,
    max_len: int | None,
    min_support: float,
    timings: list[tuple[str, float]],
) -> list[_Level]:
    """Frequent itemsets of every size, as levels (level k at index k-1)."""
    counts = np.bincount(i, minlength=n_items).astype(np.int64)
    levels = [
        _Level(
            sets=np.arange(n_items, dtype=np.int64).reshape(-1, 1),
            counts=counts,
            keys=np.arange(n_items, dtype=np.int64),
            parent=np.full(n_items, -1, dtype=np.int64),
        )
    ]
    if n_items < 2 or (max_len is not None and max_len < 2):
        return levels

    t0 = time.perf_counter()
    work = _pair_work(b, n_baskets)
    if work > MAX_PAIR_WORK:

        def fits(t: int) -> bool:
            sel = counts[i] >= t
            return _pair_work(b[sel], n_baskets) <= MAX_PAIR_WORK

        t = _smallest_count(min_count, int(counts.max()), fits)
        raise _refuse(
            "the baskets hold this many pairs of frequent products to count:",
            work,
            MAX_PAIR_WORK,
            t,
            n_baskets,
            min_support,
            2,
        )
    a, c, cnt = _count_pairs(b, i, n_baskets, n_items, min_count)
    timings.append(("count pairs", time.perf_counter() - t0))
    if len(a) == 0:
        return levels
    levels.append(_Level(sets=np.stack([a, c], axis=1), counts=cnt, keys=a * n_items + c, parent=a))
    if max_len is not None and max_len < 3:
        return levels

    t0 = time.perf_counter()
    # Baskets that can hold a frequent triple: ≥ 3 items that are in some frequent pair.
    in_pair = np.zeros(n_items, dtype=bool)
    in_pair[a] = True
    in_pair[c] = True
    sel = in_pair[i]
    b3, i3 = b[sel], i[sel]
    m3 = np.bincount(b3, minlength=n_baskets)
    sel = m3[b3] >= 3
    b3, i3 = _dense(b3[sel]), i3[sel]
    item_bits = _bitsets(b3, i3, n_items)
    words = item_bits.shape[1]
    chunk = max(1, (1 << 20) // (words * 8))  # ~1 MB of bitsets per step: stays in cache
    cur = levels[-1]
    cur_bits = np.empty((len(cur.counts), words), dtype=np.uint64)
    for s in range(0, len(cur.counts), chunk):
        e = s + chunk
        np.bitwise_and(item_bits[cur.sets[s:e, 0]], item_bits[cur.sets[s:e, 1]], out=cur_bits[s:e])
    k = 2
    while max_len is None or k < max_len:
        # candidates: join siblings (same (k-1)-prefix): (prefix, x) + (prefix, y), x < y
        par = cur.parent
        starts = np.flatnonzero(np.r_[True, par[1:] != par[:-1]])
        ends = np.r_[starts[1:], len(par)]
        gsize = ends - starts
        later = np.repeat(ends, gsize) - np.arange(len(par)) - 1  # siblings after each set
        n_cand = int(later.sum())
        if n_cand == 0:
            break
        if n_cand > MAX_CANDIDATES:

            def fits_c(t: int, cur: _Level = cur) -> bool:
                g = np.bincount(cur.parent[cur.counts >= t])
                return int((g * (g - 1) // 2).sum()) <= MAX_CANDIDATES

            t = _smallest_count(min_count, int(cur.counts.max()), fits_c)
            raise _refuse(
                f"{k + 1}-item candidate sets to count:",
                n_cand,
                MAX_CANDIDATES,
                t,
                n_baskets,
                min_support,
                k + 1,
            )
        left = np.repeat(np.arange(len(par)), later)
        offs = np.arange(n_cand) - np.repeat(np.cumsum(later) - later, later)
        right = left + 1 + offs
        last = cur.sets[right, k - 1]
        cand = np.concatenate([cur.sets[left], last[:, None]], axis=1)
        # apriori prune: every k-subset must be frequent (the two joined ones are)
        keep = np.ones(n_cand, dtype=bool)
        for p in range(k - 1):
            sub = np.delete(cand[keep], p, axis=1)
            _, found = _rank(levels, sub, n_items)
            idx = np.flatnonzero(keep)
            keep[idx[~found]] = False
        left, last, cand = left[keep], last[keep], cand[keep]
        if len(left) == 0:
            break
        if len(left) * words > MAX_BIT_WORK:
            budget = MAX_BIT_WORK // words

            def fits_w(t: int, cur: _Level = cur, budget: int = budget) -> bool:
                g = np.bincount(cur.parent[cur.counts >= t])
                return int((g * (g - 1) // 2).sum()) <= budget

            t = _smallest_count(min_count, int(cur.counts.max()), fits_w)
            raise _refuse(
                f"{k + 1}-item candidate sets to count:",
                len(left),
                budget,
                t,
                n_baskets,
                min_support,
                k + 1,
            )
        want_bits = max_len is None or k + 1 < max_len
        new_counts = np.empty(len(left), dtype=np.int64)
        kept_bits = []
        for s in range(0, len(left), chunk):
            e = s + chunk
            v = np.bitwise_and(cur_bits[left[s:e]], item_bits[last[s:e]])
            cnts = np.bitwise_count(v).sum(axis=1, dtype=np.int64)
            new_counts[s:e] = cnts
            if want_bits:
                kept_bits.append(v[cnts >= min_count])
        freq = new_counts >= min_count
        if not freq.any():
            break
        nxt = _Level(
            sets=cand[freq],
            counts=new_counts[freq],
            keys=left[freq] * n_items + last[freq],
            parent=left[freq],
        )
        levels.append(nxt)
        total = sum(len(lv.counts) for lv in levels)
        if total > MAX_ITEMSETS:
            allc = np.sort(np.concatenate([lv.counts for lv in levels[1:]]))[::-1]
            t = int(allc[MAX_ITEMSETS // 2]) + 1
            raise _refuse(
                "frequent itemsets found so far:",
                total,
                MAX_ITEMSETS,
                t,
                n_baskets,
                min_support,
                k + 1,
            )
        cur = nxt
        cur_bits = np.concatenate(kept_bits) if want_bits else cur_bits[:0]
        k += 1
    timings.append(("count larger itemsets", time.perf_counter() - t0))
    return levels


def _rule_arrays(
    levels: list[_Level],
    n: int,
    n_items: int,
    min_confidence: float,
    min_lift: float,
) -> dict[str, np.ndarray]:
    """Every rule A ⇒ C from the itemsets, scored with mlxtend's formulas, then filtered."""
    out: dict[str, list[np.ndarray]] = {
        k: [] for k in ("kA", "rA", "kC", "rC", "cA", "cC", "cAC", "conf", "lift", "lev", "conv")
    }
    nf = float(n)
    for k in range(2, len(levels) + 1):
        lv = levels[k - 1]
        sets = lv.sets
        sAC = lv.counts / nf
        for mask in range(1, (1 << k) - 1):
            apos = [p for p in range(k) if mask >> p & 1]
            cpos = [p for p in range(k) if not mask >> p & 1]
            ra, fa = _rank(levels, sets[:, apos], n_items)
            rc, fc = _rank(levels, sets[:, cpos], n_items)
            if not (fa.all() and fc.all()):  # pragma: no cover - anti-monotonicity broken
                raise AssertionError("a subset of a frequent itemset was not frequent")
            cA = levels[len(apos) - 1].counts[ra]
            cC = levels[len(cpos) - 1].counts[rc]
            sA, sC = cA / nf, cC / nf
            # exactly mlxtend's association_rules arithmetic (complete data: dis* = 0)
            conf = (sAC * (nf - 0.0)) / (sA * (nf - 0.0) - 0.0)
            keep = conf >= min_confidence
            lift = conf / sC
            keep &= lift >= min_lift
            if not keep.any():
                continue
            conf_k, sC_k = conf[keep], sC[keep]
            conv = np.full(len(conf_k), np.inf)
            lt1 = conf_k < 1.0
            conv[lt1] = (1.0 - sC_k[lt1]) / (1.0 - conf_k[lt1])
            m = int(keep.sum())
            out["kA"].append(np.full(m, len(apos)))
            out["rA"].append(ra[keep])
            out["kC"].append(np.full(m, len(cpos)))
            out["rC"].append(rc[keep])
            out["cA"].append(cA[keep])
            out["cC"].append(cC[keep])
            out["cAC"].append(lv.counts[keep])
            out["conf"].append(conf_k)
            out["lift"].append(lift[keep])
            out["lev"].append(sAC[keep] - sA[keep] * sC_k)
            out["conv"].append(conv)
    return {k: (np.concatenate(v) if v else np.empty(0, dtype=np.float64)) for k, v in out.items()}


def _n_rule_candidates(levels: list[_Level]) -> int:
    return sum(len(levels[k - 1].counts) * ((1 << k) - 2) for k in range(2, len(levels) + 1))


def _tuples(ids: np.ndarray, sets: np.ndarray) -> np.ndarray:
    """Object array of id tuples, one per row of ``sets``."""
    cols = [ids[sets[:, p]] for p in range(sets.shape[1])]
    return np.fromiter(zip(*cols, strict=True), dtype=object, count=len(sets))


def _joined(names: np.ndarray, sets: np.ndarray) -> np.ndarray:
    """Object array of readable names joined with `` + ``, one per row of ``sets``."""
    out = names[sets[:, 0]].copy()
    for p in range(1, sets.shape[1]):
        out = out + " + " + names[sets[:, p]]
    return out


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
    lines : the canonical order-line table (standard cleaning is applied here:
        returns dropped, non-product lines dropped unless ``include_non_product``), or the
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
    min_support = _check_range("min_support", min_support, 0.0, 1.0, func, low_open=True)
    min_confidence = _check_range("min_confidence", min_confidence, 0.0, 1.0, func)
    min_lift = _check_range("min_lift", min_lift, 0.0, math.inf, func)
    max_len = _check_max_len(max_len, func)
    params = {
        "min_support": min_support,
        "min_confidence": min_confidence,
        "min_lift": min_lift,
        "max_len": max_len,
        "basket": basket,
        "level": level,
        "include_non_product": bool(include_non_product),
    }
    timings: list[tuple[str, float]] = []

    t0 = time.perf_counter()
    # cheap pre-pass to know n (the number of baskets) before the exact prune
    enc, names_of = _encode_any(
        lines, basket=basket, level=level, include_non_product=include_non_product, func=func
    )
    n = enc.n_baskets
    warnings = list(enc.warnings)
    basket_word = "orders" if basket == "order" else "customer-days"
    if n == 0:
        raise InsufficientDataError(
            f"Basket analysis found no {basket_word} to analyse: 0 sale lines with "
            f"{'a product' if level == 'product' else 'a category'} after removing returns"
            f"{'' if include_non_product else ' and non-product lines'}. "
            "Check the global filters and that the file has sale lines."
        )
    per_basket = np.bincount(enc.b, minlength=n)
    n_multi = int((per_basket >= 2).sum())
    if n_multi == 0:
        raise InsufficientDataError(
            f"Basket analysis needs {basket_word} with 2+ distinct "
            f"{'products' if level == 'product' else 'categories'}. Found 0 of {n:,} "
            f"{basket_word}. Check that the order id column is mapped to the invoice number, "
            "not the line number, or try basket = customer-day."
        )
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

    t0 = time.perf_counter()
    n_rule_cands = _n_rule_candidates(levels)
    if n_rule_cands > MAX_RULE_CANDIDATES:
        raise _refuse(
            "rules to score:",
            n_rule_cands,
            MAX_RULE_CANDIDATES,
            None,
            n,
            min_support,
            len(levels),
        )
    ids = np.asarray([str(x) for x in enc.items[frequent]], dtype=object)
    names = names_of(frequent)
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
    ra = _rule_arrays(levels, n, len(frequent), min_confidence, min_lift)
    if len(ra["conf"]) > MAX_RULES:
        c_star = float(np.sort(ra["conf"])[::-1][MAX_RULES])
        l_star = float(np.sort(ra["lift"])[::-1][MAX_RULES])
        c_sug = math.floor(c_star * 1000) / 1000 + 0.001
        l_sug = math.floor(l_star * 100) / 100 + 0.01
        raise ParameterError(
            f"These thresholds give {len(ra['conf']):,} rules (limit {MAX_RULES:,}): too many to "
            f"compute and read. Raise the minimum confidence to {c_sug:.3f} or the minimum lift "
            f"to {l_sug:.2f} (either leaves at most {MAX_RULES:,}), or raise the minimum support."
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
    if n < FEW_BASKETS:
        warnings.append(
            f"Only {n:,} {basket_word}: rules from so few baskets are mostly chance. "
            "Treat them as ideas to test, not facts."
        )
    if min_count < FEW_ORDERS_PER_ITEMSET and n_multi_sets:
        warnings.append(
            f"A minimum support of {min_support:g} lets an itemset in by appearing in only "
            f"{min_count} {basket_word}; rules resting on so few baskets are unreliable."
        )
    if n_multi_sets == 0 and (max_len is None or max_len >= 2):
        suggested = _suggest_from_codes(enc.b, enc.i, n, len(enc.items), target=10)
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
        best = _best_rule(levels, n, len(frequent))
        if best is not None:
            warnings.append(
                f"{n_multi_sets:,} itemsets were found but no rule reaches confidence "
                f"{min_confidence:g} and lift {min_lift:g}. The strongest rule has confidence "
                f"{best[0]:.3f} and the highest lift is {best[1]:.3f}: lower the thresholds "
                "to those values to see rules."
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
    if getattr(store, "engine", "duckdb") == "spark":
        from ecomdash.spark.basket import mine_on_lake

        return mine_on_lake(store, dataset_id, filters, **kw)
    pairs = store.basket_pairs(
        dataset_id, filters, basket=basket, level=level, include_non_product=include_non_product
    )
    return mine(pairs, **kw)


def _rules_frame(
    ra: dict[str, np.ndarray],
    tuples: list[np.ndarray],
    labels: list[np.ndarray],
    nf: float,
) -> pd.DataFrame:
    """The rules table; ``tuples[k-1][r]`` / ``labels[k-1][r]`` are the ids / readable name of
    the r-th frequent k-itemset (shared by the itemsets table: no per-rule joins)."""
    if len(ra["conf"]) == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in RULE_COLUMNS})
    order = np.lexsort(
        (np.arange(len(ra["conf"])), -ra["cAC"], -ra["conf"], -ra["lift"])
    )  # lift, then confidence, then support, largest first; ties in generation order
    ra = {k: v[order] for k, v in ra.items()}
    n_r = len(order)
    ante = np.empty(n_r, dtype=object)
    cons = np.empty(n_r, dtype=object)
    a_lab = np.empty(n_r, dtype=object)
    c_lab = np.empty(n_r, dtype=object)
    for side_k, side_r, t_out, l_out in (("kA", "rA", ante, a_lab), ("kC", "rC", cons, c_lab)):
        for k in np.unique(ra[side_k]):
            where = ra[side_k] == k
            t_out[where] = tuples[int(k) - 1][ra[side_r][where]]
            l_out[where] = labels[int(k) - 1][ra[side_r][where]]
    names = a_lab + " → " + c_lab
    return pd.DataFrame(
        {
            "antecedents": ante,
            "consequents": cons,
            "names": names,
            "antecedent_support": ra["cA"] / nf,
            "consequent_support": ra["cC"] / nf,
            "support": ra["cAC"] / nf,
            "count": ra["cAC"].astype(np.int64),
            "confidence": ra["conf"],
            "lift": ra["lift"],
            "leverage": ra["lev"],
            "conviction": ra["conv"],
        }
    )


def _best_rule(levels: list[_Level], n: int, n_items: int) -> tuple[float, float] | None:
    ra = _rule_arrays(levels, n, n_items, 0.0, 0.0)
    if len(ra["conf"]) == 0:
        return None
    return float(ra["conf"].max()), float(ra["lift"].max())


def _suggest_from_codes(
    b: np.ndarray, i: np.ndarray, n: int, n_items: int, *, target: int
) -> float | None:
    """Support of the ``target``-th most frequent pair (or of the last pair when fewer)."""
    counts = np.bincount(i, minlength=n_items)
    t = 2
    # restrict to the most frequent items until the pair count fits the work limit
    while True:
        sel = counts[i] >= t
        if _pair_work(b[sel], n) <= MAX_PAIR_WORK:
            break
        t = max(t + 1, int(t * 1.5))
    b2, i2 = b[sel], i[sel]
    a, _, cnt = _count_pairs(b2, i2, n, n_items, 1)
    if len(cnt) == 0:
        return None
    top = np.sort(cnt)[::-1]
    c = int(top[min(target, len(top)) - 1])
    return c / n


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
    if isinstance(target, bool) or not isinstance(target, (int, np.integer)) or target < 1:
        raise ParameterError(
            "The 'target' parameter of suggest_support must be an int in the range [1, inf). "
            f"Got {target!r} instead."
        )
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


def frequently_bought_together(
    data: BasketResult | pd.DataFrame,
    product_id: str,
    *,
    k: int = 3,
    basket: str = "order",
    level: str = "product",
    include_non_product: bool = False,
) -> pd.DataFrame:
    """The ``k`` items most often in the same basket as ``product_id`` (Amazon-style).

    ``data`` is either a :class:`BasketResult` (uses its frequent pairs: fast, limited to
    frequent items) or the order lines (exact, every item). Columns: ``item``, ``name``,
    ``together`` (baskets with both), ``share`` (of the baskets with ``product_id``, how many
    also hold the item — the rule's confidence), ``lift``. Sorted by ``together``, then lift.
    """
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ParameterError(
            "The 'k' parameter of frequently_bought_together must be an int in the range "
            f"[1, inf). Got {k!r} instead."
        )
    product_id = str(product_id)
    cols = ["item", "name", "together", "share", "lift"]
    if isinstance(data, BasketResult):
        pairs = data.itemsets[data.itemsets["size"] == 2]
        n = data.n_baskets
        hit = data.items.loc[data.items["item"] == product_id, "count"]
        if len(hit) == 0:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
        c_p = int(hit.iloc[0])
        counts = dict(zip(data.items["item"], data.items["count"], strict=True))
        rows = []
        for itemset, cnt in zip(pairs["itemset"], pairs["count"], strict=True):
            if product_id in itemset:
                other = itemset[0] if itemset[1] == product_id else itemset[1]
                rows.append((other, int(cnt), counts[other]))
        if not rows:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
        other, together, c_o = (np.asarray(x) for x in zip(*rows, strict=True))
        names = np.asarray([data.name_of(o) for o in other], dtype=object)
    else:
        enc = _encode(
            data,
            basket=basket,
            level=level,
            include_non_product=include_non_product,
            func="frequently_bought_together",
        )
        n = enc.n_baskets
        pos = np.searchsorted(enc.items.astype(str), product_id)
        if pos >= len(enc.items) or str(enc.items[pos]) != product_id or n == 0:
            raise ParameterError(
                f"Product {product_id!r} is not in the {n:,} baskets analysed (after removing "
                "returns and non-product lines, and the global filters). Pick a product from "
                "the list."
            )
        has = np.zeros(n, dtype=bool)
        has[enc.b[enc.i == pos]] = True
        c_p = int(has.sum())
        if c_p == 0:
            raise ParameterError(
                f"Product {product_id!r} is not in the {n:,} baskets analysed. "
                "Pick a product from the list."
            )
        all_counts = np.bincount(enc.i, minlength=len(enc.items))
        co = np.bincount(enc.i[has[enc.b]], minlength=len(enc.items))
        co[pos] = 0
        idx = np.flatnonzero(co)
        if len(idx) == 0:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
        together = co[idx]
        c_o = all_counts[idx]
        other = np.asarray([str(x) for x in enc.items[idx]], dtype=object)
        names = _names_for(data, enc, idx, level)
    lift = (together / c_p) / (c_o / n)
    order = np.lexsort((other.astype(str), -lift, -together))[:k]
    return pd.DataFrame(
        {
            "item": other[order],
            "name": names[order],
            "together": together[order].astype(np.int64),
            "share": together[order] / c_p,
            "lift": lift[order],
        }
    ).reset_index(drop=True)


def bundle_whatif(
    lines: pd.DataFrame,
    antecedent: Sequence[str] | str,
    consequent: Sequence[str] | str,
    *,
    share: float = 0.1,
    basket: str = "order",
    include_non_product: bool = False,
) -> BundleWhatIf:
    """Baskets with all of A but not all of B, and the extra revenue if ``share`` of them
    also took the missing B items (one unit each at B's average selling price:
    revenue / quantity over B's sale lines, or the mean unit price)."""
    func = "bundle_whatif"
    share = _check_range("share", share, 0.0, 1.0, func)
    a = (antecedent,) if isinstance(antecedent, str) else tuple(str(x) for x in antecedent)
    c = (consequent,) if isinstance(consequent, str) else tuple(str(x) for x in consequent)
    if not a or not c or set(a) & set(c):
        raise ParameterError(
            "A bundle needs a non-empty antecedent and consequent with no item in common. "
            f"Got {a} ⇒ {c}."
        )
    if S.UNIT_PRICE not in lines.columns and S.REVENUE not in lines.columns:
        raise InsufficientDataError(
            "The bundle what-if needs prices: this dataset has neither a unit price nor a "
            "revenue column. Map one of them when uploading."
        )
    enc = _encode(
        lines, basket=basket, level="product", include_non_product=include_non_product, func=func
    )
    n = enc.n_baskets
    ids = enc.items.astype(str)
    pos = {}
    for item in a + c:
        p = int(np.searchsorted(ids, item))
        if p >= len(ids) or ids[p] != item:
            raise ParameterError(
                f"Product {item!r} is not in the {n:,} baskets analysed. Pick products from "
                "the rules table."
            )
        pos[item] = p
    hold = {}
    for item, p in pos.items():
        h = np.zeros(n, dtype=bool)
        h[enc.b[enc.i == p]] = True
        hold[item] = h
    has_a = np.logical_and.reduce([hold[x] for x in a])
    has_c = np.logical_and.reduce([hold[x] for x in c])
    target = has_a & ~has_c

    sale = lines.iloc[_positions_kept(lines, include_non_product)]
    prices = []
    for item in c:
        rows = sale[sale[S.PRODUCT_ID] == item]
        price = math.nan
        units = float(rows[S.QUANTITY].sum()) if S.QUANTITY in rows else math.nan
        if S.REVENUE in rows and S.QUANTITY in rows and units > 0:
            price = float(rows[S.REVENUE].sum()) / units
        elif S.UNIT_PRICE in rows and len(rows):
            price = float(rows[S.UNIT_PRICE].mean())
        elif S.REVENUE in rows and len(rows):
            price = float(rows[S.REVENUE].mean())
        prices.append((item, price, units))
    names = _names_for(lines, enc, np.asarray([pos[x] for x in c]), "product")
    price_df = pd.DataFrame(
        {
            "item": [p[0] for p in prices],
            "name": names,
            "avg_price": [p[1] for p in prices],
            "units_sold": [p[2] for p in prices],
        }
    )
    # each target basket buys the B items it is missing
    missing_value = np.zeros(n)
    for item, price, _ in prices:
        missing_value += np.where(~hold[item], price, 0.0)
    n_target = int(target.sum())
    extra_revenue = share * float(missing_value[target].sum()) if n_target else 0.0
    warnings = []
    if n_target < 30:
        warnings.append(
            f"Only {n_target:,} baskets have A without B: the estimate rests on very few orders."
        )
    if any(math.isnan(p[1]) for p in prices):
        warnings.append("Some B items have no usable price; the extra revenue is unknown.")
    return BundleWhatIf(
        antecedent=a,
        consequent=c,
        share=share,
        n_baskets=n,
        n_with_antecedent=int(has_a.sum()),
        n_with_both=int((has_a & has_c).sum()),
        n_antecedent_only=n_target,
        prices=price_df,
        extra_orders=share * n_target,
        extra_revenue=extra_revenue,
        warnings=tuple(warnings),
    )


@dataclass(frozen=True)
class HoldoutResult:
    """How well rules found on earlier baskets hold on later ones (the merchant's own data).

    Rules are mined with the same thresholds on the baskets before ``cutoff`` and scored on the
    baskets from ``cutoff`` on. ``share_holding`` is the share of those rules whose lift on the
    later baskets is still above 1 (better than chance); ``rules`` has train and test metrics.
    """

    cutoff: pd.Timestamp
    n_train: int
    n_test: int
    n_rules: int
    share_holding: float | None
    median_confidence_train: float | None
    median_confidence_test: float | None
    rules: pd.DataFrame
    warnings: tuple[str, ...] = ()


def holdout_check(
    lines: pd.DataFrame,
    *,
    test_share: float = 0.25,
    min_support: float = 0.01,
    min_confidence: float = 0.0,
    min_lift: float = 1.0,
    max_len: int | None = None,
    basket: str = "order",
    level: str = "product",
    include_non_product: bool = False,
) -> HoldoutResult:
    """Mine the earlier ``1 - test_share`` of the period, check the rules on the rest.

    The split is on a calendar day, so no order (or customer-day) is cut in two. Raises
    :class:`InsufficientDataError` without dates or when either part has no baskets.
    """
    func = "basket.holdout_check"
    test_share = _check_range("test_share", test_share, 0.0, 1.0, func, low_open=True)
    if S.ORDER_DATE not in lines.columns or lines[S.ORDER_DATE].notna().sum() == 0:
        raise InsufficientDataError(
            "Checking rules on later orders needs order dates; this dataset has none. "
            "Map the order date column when uploading."
        )
    days = lines[S.ORDER_DATE].dropna().dt.normalize()
    cutoff = pd.Timestamp(np.quantile(days.to_numpy(), 1.0 - test_share)).normalize()
    if cutoff <= days.min():
        cutoff = days.min() + pd.Timedelta(days=1)
    is_test = (lines[S.ORDER_DATE] >= cutoff).to_numpy()
    train, test = lines[~is_test], lines[is_test]
    kw = {"basket": basket, "level": level, "include_non_product": include_non_product}
    n_test = count_baskets(test, **kw) if len(test) else 0
    if n_test == 0 or len(train) == 0:
        raise InsufficientDataError(
            f"Checking rules on later orders needs baskets on both sides of {cutoff.date()}; "
            f"found {n_test:,} later baskets. Use a longer period."
        )
    res = mine(
        train,
        min_support=min_support,
        min_confidence=min_confidence,
        min_lift=min_lift,
        max_len=max_len,
        **kw,
    )
    cols = [
        "names",
        "antecedents",
        "consequents",
        "confidence_train",
        "confidence_test",
        "lift_train",
        "lift_test",
        "count_test",
    ]
    if res.rules.empty:
        return HoldoutResult(
            cutoff=cutoff,
            n_train=res.n_baskets,
            n_test=n_test,
            n_rules=0,
            share_holding=None,
            median_confidence_train=None,
            median_confidence_test=None,
            rules=pd.DataFrame({c: pd.Series(dtype=object) for c in cols}),
            warnings=res.warnings,
        )
    # count every train itemset in the later baskets with packed bitsets
    enc = _encode(test, func=func, **kw)
    test_ids = enc.items.astype(str)
    item_ids = res.items["item"].to_numpy(dtype=str)
    pos = np.searchsorted(test_ids, item_ids)
    pos_ok = pos < len(test_ids)
    present = np.zeros(len(item_ids), dtype=bool)
    present[pos_ok] = test_ids[pos[pos_ok]] == item_ids[pos_ok]
    code_of = {it: j for j, it in enumerate(item_ids)}
    remap = np.full(len(test_ids), -1, dtype=np.int64)
    remap[pos[present]] = np.flatnonzero(present)
    sel = remap[enc.i] >= 0
    bits = _bitsets(_dense(enc.b[sel]), remap[enc.i[sel]], len(item_ids))
    test_count: dict[tuple, int] = {}
    for k, group in res.itemsets.groupby("size"):
        sets = np.array([[code_of[x] for x in t] for t in group["itemset"]], dtype=np.int64)
        acc = bits[sets[:, 0]].copy()
        for p in range(1, int(k)):
            np.bitwise_and(acc, bits[sets[:, p]], out=acc)
        cnt = np.bitwise_count(acc).sum(axis=1, dtype=np.int64)
        test_count.update(zip(group["itemset"], cnt.tolist(), strict=True))
    r = res.rules
    n_t = float(n_test)
    c_ac = np.array(
        [
            test_count[tuple(sorted(a + c))]
            for a, c in zip(r["antecedents"], r["consequents"], strict=True)
        ],
        dtype=float,
    )
    c_a = np.array([test_count[a] for a in r["antecedents"]], dtype=float)
    c_c = np.array([test_count[c] for c in r["consequents"]], dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        conf_t = np.where(c_a > 0, c_ac / c_a, np.nan)
        lift_t = np.where(c_c > 0, conf_t / (c_c / n_t), np.nan)
    table = pd.DataFrame(
        {
            "names": r["names"].to_numpy(),
            "antecedents": r["antecedents"].to_numpy(),
            "consequents": r["consequents"].to_numpy(),
            "confidence_train": r["confidence"].to_numpy(),
            "confidence_test": conf_t,
            "lift_train": r["lift"].to_numpy(),
            "lift_test": lift_t,
            "count_test": c_ac.astype(np.int64),
        }
    )
    warnings = list(res.warnings)
    if n_test < FEW_BASKETS:
        warnings.append(
            f"Only {n_test:,} baskets from {cutoff.date()} on: the check itself is rough."
        )
    return HoldoutResult(
        cutoff=cutoff,
        n_train=res.n_baskets,
        n_test=n_test,
        n_rules=len(table),
        share_holding=float(np.mean(np.nan_to_num(lift_t, nan=0.0) > 1.0)),
        median_confidence_train=float(np.median(table["confidence_train"])),
        median_confidence_test=float(np.nanmedian(conf_t)) if np.isfinite(conf_t).any() else None,
        rules=table,
        warnings=tuple(warnings),
    )
