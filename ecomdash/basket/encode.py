"""Order lines (or the store's basket pairs) as integer (basket, item) pairs, and the readable
names of items."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from scipy import sparse

from ecomdash import schema as S
from ecomdash.basket.miner import _dense
from ecomdash.basket.results import BASKETS, LEVELS, Baskets, _check_choice, _min_count
from ecomdash.errors import ParameterError
from ecomdash.i18n import N_
from ecomdash.i18n.note import Note, note

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
    """Row positions of the kept purchases, ``schema.customer_sales`` (sales lines not
    cancelled; computed on the flag columns only: fast): a basket is an order with at least
    one of them, the Overview's order."""
    cols = [c for c in (*S.FLAGS, S.QUANTITY, S.UNIT_PRICE, S.REVENUE) if c in lines.columns]
    narrow = pd.DataFrame({c: lines[c].to_numpy() for c in cols}, index=pd.RangeIndex(len(lines)))
    kept = S.customer_sales(narrow, keep_non_product=include_non_product)
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
        by_order = basket == "order"
        if level == "category":
            problem = (
                N_(
                    "Basket analysis by order at category level needs a category column; "
                    "this dataset has columns {columns}."
                )
                if by_order
                else N_(
                    "Basket analysis by customer-day at category level needs a category "
                    "column; this dataset has columns {columns}."
                )
            )
            fix = N_("Use level='product', or map a category column when uploading.")
        else:
            problem = (
                N_(
                    "Basket analysis by order at product level needs {what}; this dataset "
                    "has columns {columns}."
                )
                if by_order
                else N_(
                    "Basket analysis by customer-day at product level needs {what}; this "
                    "dataset has columns {columns}."
                )
            )
            fix = (
                N_("Map the order id and product id columns when uploading.")
                if by_order
                else N_("Use basket='order', or map the customer and date columns when uploading.")
            )
        fields = {"columns": tuple(map(str, columns))}
        if level != "category":
            fields["what"] = tuple(missing)
        raise ParameterError(
            note(N_("{problem} {fix}"), problem=note(problem, **fields), fix=note(fix))
        )

    return item_col


@dataclass(frozen=True)
class BasketPairs:
    """The distinct (basket, item) pairs of the kept purchases (sales lines not cancelled) as
    integer codes, computed by the store in SQL (``Store.basket_pairs``): what :func:`mine`
    and :func:`count_baskets` build from the lines, without the lines. ``items`` are the item ids in sorted order, ``names``
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
            note(
                N_(
                    "These basket pairs were built for basket={built_basket}, "
                    "level={built_level}, include_non_product={built_non_product}; asked for "
                    "basket={basket}, level={level}, include_non_product={non_product}. "
                    "Build them again."
                ),
                built_basket=repr(pairs.basket),
                built_level=repr(pairs.level),
                built_non_product=str(pairs.include_non_product),
                basket=repr(basket),
                level=repr(level),
                non_product=str(include_non_product),
            )
        )
    warnings = []
    if pairs.n_dropped:
        warnings.append(_dropped_note(pairs.n_dropped, basket=basket, level=level))
    n_items = max(len(pairs.items), 1)
    b, i = pairs.b.astype(np.int64), pairs.i.astype(np.int64)
    key = b * n_items + i
    if len(key) > 1 and not bool((key[1:] >= key[:-1]).all()):  # the store's come sorted
        key.sort()
        b, i = key // n_items, key % n_items
    enc = _Encoded(
        b=b,
        i=i,
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
            note(
                N_("{func} needs the order-line table (a pandas DataFrame). Got {type} instead."),
                func=func,
                type=type(lines).__name__,
            )
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
        warnings.append(_dropped_note(dropped, basket=basket, level=level))
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
    """The sparse basket matrix of ``lines`` (their kept purchases, ``schema.customer_sales``:
    no returns, no cancelled sale lines) and its item labels.

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


def _dropped_note(n: int, *, basket: str, level: str) -> Note:
    """The warning for sale lines left out of the baskets (no item or no basket key)."""
    msgs = {
        ("product", "order"): N_(
            "{n} sale lines without a product id or order id were left out of the baskets."
        ),
        ("product", "customer_day"): N_(
            "{n} sale lines without a product id or customer id / date were left out of the "
            "baskets."
        ),
        ("category", "order"): N_(
            "{n} sale lines without a category or order id were left out of the baskets."
        ),
        ("category", "customer_day"): N_(
            "{n} sale lines without a category or customer id / date were left out of the baskets."
        ),
    }
    side = "category" if level == "category" else "product"
    return note(msgs[(side, "order" if basket == "order" else "customer_day")], n=f"{n:,}")
