"""What a column's content says about the field it holds (the mapper's second opinion).

:func:`_profile` samples a column (number / date / integer / letter shares, distinct values);
:func:`_content_ok` confirms or demotes a name match; :func:`_content_candidates` guesses
fields for columns no header matched (headerless files, unknown languages);
:func:`_order_level_evidence` and :func:`_partial` tell an order total from a line amount.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from ecomdash import schema
from ecomdash.i18n import N_
from ecomdash.i18n.note import Percent, Quoted, note
from ecomdash.ingest.convert import date_rate, number_rate
from ecomdash.ingest.synonyms import _NUMERIC
from ecomdash.ingest.table import RawTable

# ---------------------------------------------------------------------------------------------
# content profile


@dataclass(frozen=True)
class _Profile:
    filled: float
    number: float
    date: float
    integer: float
    distinct: float
    median: float
    zero_padded: float
    email: float
    alpha: float
    values: tuple[str, ...] = field(default=(), repr=False, compare=False)

    @cached_property
    def date_serial(self) -> float:
        """Share of dates when plain numbers may be Excel serial days: parsed only when a
        column's name says it is the order date (most columns never need it)."""
        return date_rate(self.values, allow_serial=True)


def _sample(col: pd.Series, n: int = 1000) -> list[str]:
    if len(col) > n:
        col = col.iloc[np.unique(np.linspace(0, len(col) - 1, n).astype(int))]
    return ["" if v is None or v is pd.NA else str(v) for v in col.tolist()]


def _profile(col: pd.Series) -> _Profile:
    sample = _sample(col)
    filled_vals = [v.strip() for v in sample if v and v.strip()]
    if not filled_vals:
        return _Profile(0, 0, 0, 0, 0, np.nan, 0, 0, 0)
    nums = pd.to_numeric(pd.Series(filled_vals), errors="coerce").to_numpy(dtype=float)
    ok = np.isfinite(nums)
    return _Profile(
        filled=len(filled_vals) / len(sample),
        number=number_rate(filled_vals),
        date=date_rate(filled_vals),
        integer=float((ok & (np.mod(np.where(ok, nums, 0), 1) == 0)).mean()),
        distinct=len(set(filled_vals)) / len(filled_vals),
        median=float(np.median(nums[ok])) if ok.any() else np.nan,
        zero_padded=float(
            np.mean([len(v) > 1 and v[0] == "0" and v.isdigit() for v in filled_vals])
        ),
        email=float(np.mean(["@" in v for v in filled_vals])),
        alpha=float(np.mean([bool(_LETTER.search(v)) for v in filled_vals])),
        values=tuple(filled_vals),
    )


def _content_ok(fld: str, p: _Profile) -> tuple[float, str]:
    """Multiplier (0..1] for a name match given the content, and a note."""
    if p.filled == 0:
        return 0.3, note(N_("the column is empty"))
    if fld in _NUMERIC:
        if p.number >= 0.95:
            return 1.0, note(N_("values are numbers"))
        if p.number >= 0.6:
            return 0.8, note(N_("{share} of values are numbers"), share=Percent(p.number))
        return 0.2, note(N_("only {share} of values are numbers"), share=Percent(p.number))
    if fld == schema.ORDER_DATE:
        if p.date >= 0.95 or p.date_serial >= 0.95:
            return 1.0, note(N_("values are dates"))
        if p.date >= 0.6:
            return 0.8, note(N_("{share} of values are dates"), share=Percent(p.date))
        return 0.2, note(N_("only {share} of values are dates"), share=Percent(p.date))
    if fld in (schema.ORDER_ID, schema.CUSTOMER_ID, schema.PRODUCT_ID):
        if p.date >= 0.9:
            return 0.3, note(N_("values look like dates, not ids"))
        return 1.0, note(N_("values look like ids"))
    if fld in (
        schema.PRODUCT_NAME,
        schema.COUNTRY,
        schema.CATEGORY,
        schema.CHANNEL,
        schema.LOCATION,
    ):
        if p.number >= 0.95 or p.date >= 0.9:
            return 0.4, note(N_("values are numbers or dates, not text"))
        return 1.0, note(N_("values are text"))
    return 1.0, ""


_PARTIAL = {
    schema.ORDER_ID: ("orderid", "ordernumber", "invoice", "订单号", "订单编号"),
    schema.ORDER_DATE: ("date", "createdat", "时间", "日期"),
    schema.CUSTOMER_ID: ("customerid", "customer", "buyer", "买家", "客户", "会员"),
    schema.PRODUCT_ID: ("sku", "productid", "productcode", "itemcode", "编码"),
    schema.PRODUCT_NAME: ("productname", "itemname", "description", "title", "名称", "标题"),
    schema.QUANTITY: ("quantity", "qty", "numberof", "数量"),
    schema.UNIT_PRICE: ("unitprice", "price", "单价", "价格"),
    schema.REVENUE: ("revenue", "sales", "amount", "total", "金额"),
    schema.COUNTRY: ("country", "国家"),
    schema.CATEGORY: ("category", "类目", "分类"),
    schema.CHANNEL: ("channel", "渠道", "店铺"),
    schema.LOCATION: ("门店", "分店"),
}


def _order_level_evidence(raw: RawTable, order_col: str, total_col: str, n: int = 20000) -> str:
    """Why ``total_col`` holds one total per order rather than per line ("" if no evidence).

    Looks at orders with several lines among the first ``n`` rows: an order total is left
    blank on the order's later lines (Shopify) or repeats the same value on every line.
    """
    head = raw.data.iloc[:n]
    frame = pd.DataFrame({"o": head[order_col].str.strip(), "t": head[total_col].str.strip()})
    multi = frame[frame["o"].duplicated(keep=False) & (frame["o"] != "")]
    if multi.empty:
        return ""
    later = multi[multi["o"].duplicated(keep="first")]
    if (later["t"] == "").mean() > 0.5:
        return note(N_("left blank on an order's later lines"))
    per_order = multi.groupby("o", sort=False)["t"].nunique()
    if (per_order == 1).mean() > 0.8:
        return note(N_("the same value on every line of an order"))
    return ""


_LETTER = re.compile(r"[^\W\d_]")
_NOT_PARTIAL = re.compile(
    r"discount|tax|shipping|refund|fee|compare|cost|weight|优惠|运费|税|邮费|退款"
)


def _partial(fld: str, n: str, c: str) -> tuple[float | None, str]:
    if fld in _NUMERIC and _NOT_PARTIAL.search(n):
        return None, ""
    for token in _PARTIAL.get(fld, ()):
        if token in n:
            return 0.6, note(
                N_("header {column} contains {token}"), column=Quoted(c), token=Quoted(token)
            )
    return None, ""


def _in_row_order(values: tuple[str, ...]) -> bool:
    """Numbers that rise (or fall) with the rows, as order numbers do."""
    nums = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").dropna().to_numpy()
    if len(nums) < 10:
        return False
    steps = np.diff(nums)
    return bool((steps >= 0).mean() > 0.95 or (steps <= 0).mean() > 0.95)


def _price_point_share(values: tuple[str, ...]) -> float:
    """Share of distinct whole numbers ending in 9, 0, 5 or 8, the usual retail price
    points (about 0.4 for ids, whose last digit is uniform)."""
    distinct = {v.split(".")[0] for v in values if v}
    if not distinct:
        return 0.0
    return sum(bool(v) and v[-1] in "9058" for v in distinct) / len(distinct)


def _content_candidates(
    cols: list[str], profiles: dict[str, _Profile], raw: RawTable, *, ids_needed: bool = True
) -> list[tuple[float, int, str, str, str]]:
    """Headerless files: propose from content alone (lower confidence).

    ``ids_needed=False``: the caller drops order / customer id candidates, so the scan of
    every row that tells them apart (an id on several dates is a customer) is skipped and
    neither is proposed."""
    out: list[tuple[float, int, str, str, str]] = []
    date_cols = [c for c in cols if profiles[c].date >= 0.95]
    date_col = date_cols[0] if date_cols else None
    if date_col:
        out.append(
            (
                0.7,
                -1,
                schema.ORDER_DATE,
                date_col,
                note(N_("{column} holds dates"), column=Quoted(date_col)),
            )
        )
    dates = raw.data[date_col] if date_col else None
    big_whole = [
        c
        for c in cols
        if c != date_col
        and profiles[c].filled > 0.9
        and (
            profiles[c].zero_padded > 0.5
            or (profiles[c].integer > 0.99 and profiles[c].median >= 100)
        )
        and profiles[c].alpha == 0
    ]
    # whole numbers of 100 and more are ids, unless they look like prices: not in row order
    # and mostly on retail price points (…9, …0, …5, …8), which ids are not
    whole_amounts = [
        c
        for c in big_whole
        if profiles[c].zero_padded <= 0.5
        and not _in_row_order(profiles[c].values)
        and _price_point_share(profiles[c].values) >= 0.7
    ]
    id_like = [c for c in big_whole if c not in whole_amounts]
    amount_like = [
        c
        for c in cols
        if c != date_col
        and c not in big_whole
        and profiles[c].number >= 0.95
        and profiles[c].integer < 0.9
    ] + whole_amounts
    qty_like = [
        c
        for c in cols
        if c != date_col
        and c not in big_whole
        and profiles[c].integer >= 0.99
        and profiles[c].median < 100
    ]
    repeats: dict[str, bool] = {}
    for c in id_like[:2] if ids_needed else ():
        repeats[c] = False
        if dates is not None:
            pairs = pd.DataFrame({"id": raw.data[c], "d": dates}).drop_duplicates()
            repeats[c] = bool(pairs["id"].duplicated().mean() > 0.05)
    # an order has one date: an id on several dates is a customer, never an order
    customers = [c for c in repeats if repeats[c]][:1]
    orders = [c for c in repeats if not repeats[c]][:1]
    for c in customers:
        out.append(
            (
                0.6,
                -2,
                schema.CUSTOMER_ID,
                c,
                note(N_("{column} holds an id that repeats on different dates"), column=Quoted(c)),
            )
        )
    for c in orders:
        why = (
            note(N_("{column} holds an id in row order"), column=Quoted(c))
            if _in_row_order(profiles[c].values)
            else note(N_("{column} holds an id"), column=Quoted(c))
        )
        out.append((0.6, -2, schema.ORDER_ID, c, why))
    for c in qty_like[:1]:
        out.append(
            (
                0.5,
                -3,
                schema.QUANTITY,
                c,
                note(N_("{column} holds small whole numbers"), column=Quoted(c)),
            )
        )
    for c in amount_like[:1]:
        out.append(
            (
                0.6,
                -4,
                schema.REVENUE,
                c,
                note(N_("{column} holds decimal amounts"), column=Quoted(c)),
            )
        )
    text_cols = [c for c in cols if profiles[c].alpha > 0.9 and profiles[c].date < 0.5]
    for c in text_cols[:1]:
        out.append(
            (0.4, -5, schema.PRODUCT_NAME, c, note(N_("{column} holds text"), column=Quoted(c)))
        )
    return out
