"""Returns and cancellations: Chinese order states turned into dropped sales or added return
lines, and each return line matched to the earlier sale line it cancels.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from ecomdash import schema
from ecomdash.i18n import N_
from ecomdash.ingest.platforms_cn import (
    CANCELLED,
    PENDING,
    RETURNED,
    UNPAID,
    status_kind,
)

#: (kind, rule id, action, label) for Chinese order states (``platforms_cn.status_kind``)
_STATUS_RULES = (
    (
        CANCELLED,
        "status_cancelled",
        "dropped",
        N_("order cancelled or closed before any sale (not a sale, left out)"),
    ),
    (UNPAID, "status_unpaid", "dropped", N_("order not paid (not a sale yet, left out)")),
    (
        RETURNED,
        "status_returned",
        "flagged",
        N_("refunded after the sale (kept as a sale, with a return line that nets it out)"),
    ),
    (
        PENDING,
        "status_refund_pending",
        "kept",
        N_("refund in progress (still counted as a sale; load the export again once it settles)"),
    ),
)


def _status_kinds(codes: np.ndarray, values: pa.Array) -> np.ndarray:
    """Per row: what its Chinese order state means (``""`` when the state is not Chinese)."""
    per = np.array([status_kind(v) or "" for v in values.fill_null("").to_pylist()], dtype=object)
    if not len(per):
        return np.full(len(codes), "", dtype=object)
    out = per[np.where(codes < 0, 0, codes)]
    out[codes < 0] = ""
    return out


def _add_status_returns(lines: pd.DataFrame, returned: np.ndarray) -> tuple[pd.DataFrame, int]:
    """For each kept line whose state says refunded after the sale: the sale is kept and
    flagged ``is_cancelled``, and a return line (same order, product and date, negative
    quantity and amount) is added right after it, as a cancellation invoice would. Net
    revenue then leaves the line out, gross sales and returns both show it."""
    pos = np.flatnonzero(returned)
    if not len(pos):
        return lines, 0
    n = len(lines)
    # one take: every line, each refunded one twice (the sale, then its return right after)
    order = np.argsort(np.r_[np.arange(n, dtype=float), pos + 0.5], kind="stable")
    take = np.r_[np.arange(n), pos][order]
    back = order >= n
    out = lines.iloc[take].reset_index(drop=True)
    sale = np.zeros(n, dtype=bool)
    sale[pos] = True
    out[schema.IS_CANCELLED] = np.where(
        back, False, out[schema.IS_CANCELLED].to_numpy() | sale[take]
    )
    out[schema.IS_RETURN] = out[schema.IS_RETURN].to_numpy() | back
    for c in (schema.QUANTITY, schema.REVENUE):
        if c in out:
            v = out[c].to_numpy(dtype=float)
            out[c] = np.where(back, -np.abs(v), v)
    return out, len(pos)


def _line_hash(cust: np.ndarray, prod: np.ndarray, qty: np.ndarray, width: int) -> np.ndarray:
    """A 64-bit hash of (customer code, product code, quantity) per line (codes >= 0, any
    integer type: the few lines hashed are widened to int64 here, not every line's codes)."""
    with np.errstate(over="ignore"):
        pair = cust.astype(np.int64).view(np.uint64) * np.uint64(width) + prod.astype(
            np.int64
        ).view(np.uint64)
        return pair * np.uint64(0x9E3779B97F4A7C15) + np.asarray(qty, np.float64).view(np.uint64)


def _match_cancellations(data: dict[str, pd.Series], codes: dict[str, np.ndarray]) -> np.ndarray:
    """Positions of sale lines cancelled by a later return line (one-to-one), sorted
    (:func:`_match_pairs`' sales)."""
    return np.sort(_match_pairs(data, codes)[0])


def _match_pairs(
    data: dict[str, pd.Series], codes: dict[str, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """The positions of the sale lines cancelled by a later return line (one-to-one), and of
    the return that cancels each, side by side (an append says how many of its returns
    cancel a sale saved before it: ``ingest.stack.rematch``).

    For each return (quantity < 0, flagged return) with a customer and product, the latest
    unmatched sale of the same customer, product and opposite quantity, not after the return.
    ``codes``: the customer and product columns as integer codes (-1 where missing), of any
    integer type.
    """
    none = (np.array([], dtype=np.int64), np.array([], dtype=np.int64))
    need = (schema.CUSTOMER_ID, schema.PRODUCT_ID, schema.QUANTITY)
    if not all(k in data for k in need):
        return none
    cust, prod = codes[schema.CUSTOMER_ID], codes[schema.PRODUCT_ID]
    q = data[schema.QUANTITY].to_numpy(dtype=float)
    is_ret = data[schema.IS_RETURN].to_numpy(dtype=bool)
    if schema.ORDER_DATE in data:
        when = data[schema.ORDER_DATE].to_numpy().astype("datetime64[us]", copy=False)
        has_when = ~np.isnat(when)
        when = when.view(np.int64)  # the same numbers, not copied
    else:
        when = np.arange(len(q), dtype=np.int64)
        has_when = np.ones(len(q), dtype=bool)
    ok = (cust >= 0) & (prod >= 0) & ~np.isnan(q) & has_when
    ret = np.flatnonzero(ok & is_ret & (q < 0))
    if not len(ret):
        return none
    # only the sales of a customer and a product that some return has can be cancelled (a
    # lookup in two small tables: at 10 M lines it leaves a fraction of the sales to hash)
    sale_ok = ok & ~is_ret & (q > 0)
    for k in (cust, prod):
        has_return = np.zeros(int(k.max()) + 1, dtype=bool)
        has_return[k[ret]] = True
        sale_ok &= has_return[np.where(sale_ok, k, 0)]
    sale = np.flatnonzero(sale_ok)
    # keep the sales some return could cancel: a hash of (customer, product, quantity) found
    # among the returns' (collisions only let extra sales through; the matching is exact)
    width = prod.max() + 2
    h_sale = _line_hash(cust[sale], prod[sale], q[sale], width)
    h_ret = _line_hash(cust[ret], prod[ret], -q[ret], width)
    sale = sale[pd.Series(h_sale).isin(h_ret).to_numpy()]
    if not len(sale):
        return none
    c = np.concatenate([cust[sale], cust[ret]])
    p = np.concatenate([prod[sale], prod[ret]])
    qq = np.concatenate([q[sale], -q[ret]])
    d = np.concatenate([when[sale], when[ret]])
    kind = np.concatenate([np.zeros(len(sale), np.int8), np.ones(len(ret), np.int8)])
    pos = np.concatenate([sale, ret])
    # by key, then time; sales before returns at the same time; ties by file order
    order = np.lexsort((pos, kind, d, qq, p, c))
    # each key's lines are side by side: one stack, emptied where the key changes (an int
    # per line in the loop, not a tuple key and a dict of stacks)
    cs, ps, qs = c[order], p[order], qq[order]
    new_key = np.r_[True, (cs[1:] != cs[:-1]) | (ps[1:] != ps[:-1]) | (qs[1:] != qs[:-1])]
    del cs, ps, qs
    stack: list[int] = []
    matched: list[int] = []
    by: list[int] = []
    for first, ki, xi in zip(
        new_key.tolist(), kind[order].tolist(), pos[order].tolist(), strict=True
    ):
        if first:
            stack = []
        if ki == 0:
            stack.append(xi)
        elif stack:
            matched.append(stack.pop())
            by.append(xi)
    return np.asarray(matched, dtype=np.int64), np.asarray(by, dtype=np.int64)
