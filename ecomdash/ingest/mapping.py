"""Propose which source column holds each canonical field, by names AND content.

Names: English and Chinese headers, and the layouts of Shopify, WooCommerce, Taobao-style
and UCI Online Retail exports (see ``SYNONYMS``). Content: a name match is confirmed (or
demoted) by what the column holds (numbers for amounts, dates for the date); files
without a header are mapped from content alone (a date column; an id that repeats across
dates is a customer, otherwise an order; a small whole number is a quantity; a decimal
amount is revenue). Headers we do not know (another language) get the same content
guesses for the fields no header matched, at lower confidence, with "check" in the reason.

Order totals: a column named like a total (Shopify ``Total``, ``Order Total``, ``订单金额``,
``总金额``, ``实付金额`` ...) is revenue unless the content shows it holds one total per order
(left blank on an order's later lines, or the same value on each of its lines) and quantity ×
unit price can be computed instead.

An auxiliary field ``status`` (order / financial / refund status) is proposed when present;
the cleaner uses it to flag refunded lines as returns. It is not stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from ecomdash import schema
from ecomdash.errors import MappingError
from ecomdash.i18n import N_, _
from ecomdash.ingest.convert import date_rate, number_rate
from ecomdash.ingest.messages import Msg
from ecomdash.ingest.platforms_cn import Layout, layout_mapping
from ecomdash.ingest.read import RawTable
from ecomdash.ingest.roles import EVENT, PRIMARY_FIELD, ROLES, named_role, role_allows

STATUS = "status"
FIELDS = (*schema.CANONICAL, STATUS, EVENT)
#: Proposals below this confidence are left unmapped and reported in ``warnings``.
MIN_CONFIDENCE = 0.4


def normalise(name: str) -> str:
    """Header name for matching: lower case, no spaces or punctuation (Chinese kept)."""
    return re.sub(r"[\s_\-./#:()（）\[\]]+", "", str(name).strip().lower())


# canonical field -> {normalised name: strength}
_S = {
    schema.ORDER_ID: {
        "invoice": 0.95,
        "invoiceno": 0.95,
        "invoicenumber": 0.95,
        "invoiceid": 0.95,
        "orderid": 0.95,
        "ordernumber": 0.95,
        "orderno": 0.95,
        "order": 0.85,
        "name": 0.5,
        "transactionid": 0.9,
        "receiptid": 0.9,
        "receiptno": 0.9,
        "receipt": 0.85,  # till logs
        "receiptnumber": 0.9,
        "ticketno": 0.85,
        "basket": 0.85,
        "basketid": 0.9,
        "ordercode": 0.9,
        "salesorder": 0.85,
        "订单号": 0.95,
        "订单编号": 0.95,
        "主订单编号": 0.95,
        "子订单编号": 0.85,
        "订单id": 0.95,
        "交易号": 0.8,
        "单号": 0.8,
    },
    schema.ORDER_DATE: {
        "invoicedate": 0.95,
        "orderdate": 0.95,
        "date": 0.85,
        "createdat": 0.9,
        "orderdatetime": 0.95,
        "ordercreated": 0.9,
        "purchasedate": 0.95,
        "orderpurchasetimestamp": 0.95,  # Olist
        "datetime": 0.8,
        "timestamp": 0.8,
        "paidat": 0.85,
        "time": 0.6,
        "day": 0.6,
        "transactiondate": 0.95,
        "salesdate": 0.95,
        "ds": 0.7,
        "dateordered": 0.9,
        "orderplaced": 0.8,
        "下单时间": 0.95,
        "付款时间": 0.9,
        "订单日期": 0.95,
        "创建时间": 0.9,
        "订单创建时间": 0.95,
        "成交时间": 0.9,
        "日期": 0.85,
        "支付时间": 0.9,
        "时间": 0.6,
    },
    schema.CUSTOMER_ID: {
        # Olist and other marketplaces: customer_id is one per order, the unique id the person
        "customeruniqueid": 0.97,
        "customerid": 0.95,
        "customer": 0.85,
        "customerno": 0.95,
        "customernumber": 0.95,
        "clientid": 0.9,
        "userid": 0.9,
        "buyerid": 0.9,
        "memberid": 0.9,
        "email": 0.8,
        "customeremail": 0.85,
        "billingemail": 0.75,
        "customerusername": 0.85,
        "buyer": 0.7,
        "client": 0.7,
        "accountid": 0.8,
        "shopperid": 0.9,
        "买家id": 0.95,
        "买家会员名": 0.95,
        "客户id": 0.95,
        "会员名": 0.85,
        "买家昵称": 0.85,
        "客户": 0.8,
        "用户id": 0.9,
        "会员id": 0.9,
        "买家": 0.8,
        "客户编号": 0.95,
    },
    schema.PRODUCT_ID: {
        "stockcode": 0.95,
        "sku": 0.95,
        "lineitemsku": 0.95,
        "productid": 0.95,
        "itemid": 0.9,
        "productcode": 0.95,
        "itemcode": 0.95,
        "articleid": 0.9,
        "articlenumber": 0.9,
        "asin": 0.9,
        "variantsku": 0.9,
        "productsku": 0.95,
        "itemnumber": 0.85,
        "itemno": 0.85,  # ERP exports
        "articleno": 0.85,
        "artikelnummer": 0.85,
        "partnumber": 0.85,
        "商品编码": 0.95,
        "商品id": 0.95,
        "商家编码": 0.9,
        "货号": 0.9,
        "商品编号": 0.95,
        "宝贝id": 0.9,
        "sku编码": 0.95,
    },
    schema.PRODUCT_NAME: {
        "description": 0.9,
        "productname": 0.95,
        "itemname": 0.95,
        "lineitemname": 0.95,
        "product": 0.85,
        "item": 0.8,
        "title": 0.8,
        "producttitle": 0.9,
        "itemdescription": 0.9,
        "productdescription": 0.85,
        "articlename": 0.9,
        "items": 0.6,
        "商品名称": 0.95,
        "宝贝标题": 0.95,
        "商品标题": 0.95,
        "品名": 0.9,
        "商品": 0.8,
        "宝贝名称": 0.95,
    },
    schema.QUANTITY: {
        "quantity": 0.95,
        "qty": 0.95,
        "lineitemquantity": 0.95,
        "units": 0.85,
        "unitssold": 0.95,
        "销量": 0.9,
        "quantityordered": 0.95,
        "itemquantity": 0.95,
        "numberofitems": 0.9,
        "numberofcds": 0.85,
        "pieces": 0.8,
        "amountofitems": 0.8,
        "count": 0.5,
        "数量": 0.95,
        "购买数量": 0.95,
        "商品数量": 0.95,
        "宝贝总数量": 0.9,
        "件数": 0.9,
    },
    schema.UNIT_PRICE: {
        "price": 0.9,
        "unitprice": 0.95,
        "lineitemprice": 0.95,
        "itemcost": 0.9,
        "itemprice": 0.95,
        "priceeach": 0.95,
        "saleprice": 0.85,
        "sellingprice": 0.85,
        "productprice": 0.9,
        "rate": 0.5,
        "unitcost": 0.8,
        "单价": 0.95,
        "商品单价": 0.95,
        "价格": 0.85,
        "商品价格": 0.9,
        "售价": 0.85,
    },
    schema.REVENUE: {
        "revenue": 0.95,
        "sales": 0.9,
        "amount": 0.85,
        "linetotal": 0.95,
        "lineamount": 0.95,
        "itemtotal": 0.9,
        "totalprice": 0.85,
        "netsales": 0.9,
        "grosssales": 0.85,
        "dollarvalue": 0.9,
        "value": 0.6,
        "salesamount": 0.95,
        "weeklysales": 0.95,
        "dailysales": 0.95,
        "monthlysales": 0.95,
        "totalsales": 0.9,
        "salesvalue": 0.9,
        "lineitemtotal": 0.95,
        "totalamount": 0.75,
        "subtotal": 0.6,
        "y": 0.5,
        "金额": 0.9,
        "销售额": 0.95,
        "成交金额": 0.9,
        "商品金额": 0.9,
        "小计": 0.85,
        # order-level totals (see module doc)
        "total": 0.7,
        "ordertotal": 0.7,
        "ordertotalamount": 0.7,
        "订单金额": 0.7,
        "总金额": 0.7,
        "实付金额": 0.7,
        "订单总额": 0.7,
        "买家实际支付金额": 0.7,
    },
    schema.COUNTRY: {
        "country": 0.95,
        "shippingcountry": 0.95,
        "billingcountry": 0.9,
        "countrycode": 0.9,
        "shippingcountrycode": 0.9,
        "billingcountrycode": 0.85,
        "region": 0.6,
        "market": 0.5,
        "国家": 0.95,
        "地区": 0.85,
        "国家地区": 0.95,
        "收货国家": 0.95,
        "国家/地区": 0.95,
    },
    schema.CATEGORY: {
        "category": 0.95,
        "producttype": 0.9,
        "productcategory": 0.95,
        "vendor": 0.6,
        "department": 0.9,
        "dept": 0.9,
        "departmentid": 0.85,
        "deptid": 0.85,
        "departmentname": 0.9,
        "family": 0.7,
        "部门": 0.9,
        "itemcategory": 0.95,
        "categories": 0.9,
        "level1": 0.5,
        "类目": 0.95,
        "分类": 0.95,
        "商品类目": 0.95,
        "商品分类": 0.95,
        "品类": 0.9,
        "一级类目": 0.9,
    },
    schema.CHANNEL: {
        "channel": 0.95,
        "source": 0.8,
        "saleschannel": 0.95,
        "sourcename": 0.85,
        "platform": 0.85,
        "storename": 0.7,
        "store": 0.6,
        "shop": 0.6,
        "marketplace": 0.85,
        "渠道": 0.95,
        "店铺": 0.9,
        "店铺名称": 0.9,
        "平台": 0.85,
        "销售渠道": 0.95,
    },
    schema.LOCATION: {
        "store": 0.9,
        "storeid": 0.9,
        "storenumber": 0.9,
        "storenbr": 0.9,
        "storeno": 0.9,
        "storecode": 0.9,
        "storename": 0.85,
        "shop": 0.85,
        "shopid": 0.85,
        "outlet": 0.85,
        "branch": 0.85,
        "location": 0.85,
        "locationid": 0.85,
        "site": 0.7,
        "warehouse": 0.7,
        "region": 0.65,
        "门店": 0.95,
        "门店名称": 0.95,
        "门店编号": 0.95,
        "分店": 0.9,
        "网点": 0.85,
        "店铺": 0.8,
        "区域": 0.8,
    },
    STATUS: {
        "financialstatus": 0.9,
        "orderstatus": 0.9,
        "status": 0.8,
        "refundstatus": 0.9,
        "paymentstatus": 0.8,
        "订单状态": 0.9,
        "退款状态": 0.9,
        "交易状态": 0.85,
    },
}
SYNONYMS: dict[str, dict[str, float]] = {
    f: {normalise(k): v for k, v in d.items()} for f, d in _S.items()
}
ORDER_LEVEL_TOTALS = frozenset(
    normalise(k)
    for k in (
        "total",
        "ordertotal",
        "ordertotalamount",
        "subtotal",
        "订单金额",
        "总金额",
        "实付金额",
        "订单总额",
        "买家实际支付金额",
    )
)
_KNOWN = frozenset(k for d in SYNONYMS.values() for k in d)
_NUMERIC = {schema.QUANTITY, schema.UNIT_PRICE, schema.REVENUE}
# when two fields want the same column with equal confidence, the earlier one wins
_PRIORITY = {f: i for i, f in enumerate(FIELDS)}


def is_known_header(name: str) -> bool:
    """True when ``name`` is a column name some export uses (for header detection)."""
    n = normalise(name)
    return bool(n) and (n in _KNOWN or n.startswith("lineitem"))


@dataclass(frozen=True)
class FieldProposal:
    """One canonical field: the source column proposed (or None), confidence 0..1, why."""

    field: str
    column: str | None
    confidence: float
    reason: str


@dataclass(frozen=True)
class MappingProposal:
    """Canonical field → source column, with a confidence and a reason per field."""

    fields: tuple[FieldProposal, ...]
    source_columns: tuple[str, ...]
    notes: tuple[str, ...] = field(default=())
    #: what a merchant must check: roles left unmapped for low confidence, columns kept from a
    #: role their name contradicts
    warnings: tuple[str, ...] = field(default=())
    #: a recognised platform export (``platforms_cn.Layout.label``): mapped with no manual step
    layout: str | None = None

    def as_dict(self) -> dict[str, str]:
        """Mapped fields only: ``{canonical: source column}`` (includes ``status`` if mapped)."""
        return {f.field: f.column for f in self.fields if f.column is not None}

    def get(self, name: str) -> FieldProposal:
        return next(f for f in self.fields if f.field == name)

    def confidences(self) -> dict[str, float]:
        """Confidence per field (0 for a field left unmapped)."""
        return {f.field: round(float(f.confidence), 2) for f in self.fields}

    @property
    def available(self) -> frozenset[str]:
        """Canonical columns the cleaned table will have (mapped + derived)."""
        return available_columns(self.as_dict())

    def analyses(self) -> dict[str, set[str]]:
        """For each analysis of ``schema.REQUIREMENTS``: the columns still missing (empty = ok)."""
        have = self.available
        return {a: schema.missing_for(a, have) for a in schema.REQUIREMENTS}

    def to_frame(self) -> pd.DataFrame:
        """A table for the Data page: field, column, confidence, reason."""
        return pd.DataFrame(
            {
                "field": [f.field for f in self.fields],
                "column": [f.column for f in self.fields],
                "confidence": [round(f.confidence, 2) for f in self.fields],
                "reason": [f.reason for f in self.fields],
            }
        )


def available_columns(mapping: dict[str, str]) -> frozenset[str]:
    """Canonical columns a mapping yields, counting the derived ones."""
    have = {k for k in mapping if k in schema.CANONICAL}
    if schema.REVENUE not in have and {schema.QUANTITY, schema.UNIT_PRICE} <= have:
        have.add(schema.REVENUE)
    if schema.UNIT_PRICE not in have and {schema.QUANTITY, schema.REVENUE} <= have:
        have.add(schema.UNIT_PRICE)
    if schema.PRODUCT_ID not in have and schema.PRODUCT_NAME in have:
        have.add(schema.PRODUCT_ID)
    return frozenset(have)


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
        return 0.3, Msg(N_("the column is empty"))
    if fld in _NUMERIC:
        if p.number >= 0.95:
            return 1.0, Msg(N_("values are numbers"))
        if p.number >= 0.6:
            return 0.8, Msg(N_("{share} of values are numbers"), share=f"{p.number:.0%}")
        return 0.2, Msg(N_("only {share} of values are numbers"), share=f"{p.number:.0%}")
    if fld == schema.ORDER_DATE:
        if p.date >= 0.95 or p.date_serial >= 0.95:
            return 1.0, Msg(N_("values are dates"))
        if p.date >= 0.6:
            return 0.8, Msg(N_("{share} of values are dates"), share=f"{p.date:.0%}")
        return 0.2, Msg(N_("only {share} of values are dates"), share=f"{p.date:.0%}")
    if fld in (schema.ORDER_ID, schema.CUSTOMER_ID, schema.PRODUCT_ID):
        if p.date >= 0.9:
            return 0.3, Msg(N_("values look like dates, not ids"))
        return 1.0, Msg(N_("values look like ids"))
    if fld in (
        schema.PRODUCT_NAME,
        schema.COUNTRY,
        schema.CATEGORY,
        schema.CHANNEL,
        schema.LOCATION,
    ):
        if p.number >= 0.95 or p.date >= 0.9:
            return 0.4, Msg(N_("values are numbers or dates, not text"))
        return 1.0, Msg(N_("values are text"))
    return 1.0, ""


# ---------------------------------------------------------------------------------------------
# proposals


def propose_mapping(raw: RawTable) -> MappingProposal:
    """Propose the mapping for ``raw`` (names first, confirmed by content)."""
    cols = list(raw.data.columns)
    known = layout_mapping(cols) if raw.has_header and raw.layout == "table" else None
    if known is not None:
        return _layout_proposal(cols, *known)
    profiles = {c: _profile(raw.data[c]) for c in cols}
    cands: list[tuple[float, int, str, str, str]] = []  # (score, -priority, field, col, reason)
    if raw.layout == "basket_list":
        fields = (
            FieldProposal(
                schema.ORDER_ID, "basket", 1.0, Msg(N_("basket list: one basket per line"))
            ),
            FieldProposal(
                schema.PRODUCT_ID, "item", 1.0, Msg(N_("basket list: the items of each line"))
            ),
        )
        rest = tuple(
            FieldProposal(f, None, 0.0, Msg(N_("not in a basket list")))
            for f in FIELDS
            if f not in (schema.ORDER_ID, schema.PRODUCT_ID)
        )
        allf = {f.field: f for f in (*fields, *rest)}
        return MappingProposal(tuple(allf[f] for f in FIELDS), tuple(cols))
    roles = {c: named_role(c) for c in cols}
    blocked: list[tuple[float, str, str, str]] = []  # (score, field, column, why it looked so)
    for c in cols:
        n = normalise(c)
        p = profiles[c]
        role = roles[c]
        matched = False
        for fld, names in SYNONYMS.items():
            strength = names.get(n)
            how = Msg(N_("header {column} matches {field}"), column=repr(c), field=Msg(fld))
            if strength is None:
                strength, how = _partial(fld, n, c)
            if strength is None:
                continue
            mult, note = _content_ok(fld, p)
            if not role_allows(role, fld):
                blocked.append((strength * mult, fld, c, how))
                continue
            if role is not None and mult < 1 and p.date < 0.9 and p.filled > 0:
                # store / department codes are often numbers: the name is the evidence
                mult, note = 1.0, Msg(N_("the name says it is {role}"), role=Msg(ROLES[role][3]))
            matched = True
            score = strength * mult
            reason = Msg(N_("{how}; {note}"), how=how, note=note) if note else how
            cands.append((score, -_PRIORITY[fld], fld, c, reason))
        if role in PRIMARY_FIELD and not matched:
            fld = PRIMARY_FIELD[role]
            cands.append(
                (
                    0.8,
                    -_PRIORITY[fld],
                    fld,
                    c,
                    Msg(
                        N_("header {column} names {role}"), column=repr(c), role=Msg(ROLES[role][3])
                    ),
                )
            )
    by_name = {t[2] for t in cands if t[0] >= 0.3}
    # with a header, content candidates for fields a header matched are dropped below: the
    # full-column scan that tells orders from customers is skipped when both are named
    content = _content_candidates(
        cols,
        profiles,
        raw,
        ids_needed=not raw.has_header or not {schema.ORDER_ID, schema.CUSTOMER_ID} <= by_name,
    )
    if raw.has_header:
        # headers we do not know (another language, a custom export): content decides, with
        # less confidence, only for fields no header matched
        content = [
            (
                score * 0.75,
                prio,
                fld,
                c,
                Msg(N_("{reason} (no header matched; check)"), reason=reason),
            )
            for score, prio, fld, c, reason in content
            if fld not in by_name and fld != schema.PRODUCT_NAME
        ]
    for t in content:
        if role_allows(roles[t[3]], t[2]):
            cands.append(t)
        else:
            blocked.append((t[0], t[2], t[3], t[4]))
    cands.sort(key=lambda t: (-t[0], -t[1], cols.index(t[3])))
    chosen: dict[str, FieldProposal] = {}
    used: set[str] = set()
    low: dict[str, tuple[float, str, str]] = {}
    for score, _prio, fld, c, reason in cands:
        if fld in chosen or c in used:
            continue
        if score < MIN_CONFIDENCE:
            if score >= 0.3 and fld not in low:
                low[fld] = (score, c, reason)
            continue
        chosen[fld] = FieldProposal(fld, c, round(float(score), 2), reason)
        used.add(c)
    warnings: list[str] = []
    for fld, (score, c, reason) in low.items():
        if fld in chosen or c in used:
            continue
        warnings.append(
            Msg(
                N_(
                    "{field} left unmapped: {column} might be it, but the evidence is weak "
                    "(confidence {score}: {reason}). Map it yourself if that is right."
                ),
                field=Msg(fld),
                column=repr(c),
                score=f"{score:.2f}",
                reason=reason,
            )
        )
    seen: set[tuple[str, str]] = set()
    for score, fld, c, _why in sorted(blocked, key=lambda t: -t[0]):
        if score < 0.3 or (fld, c) in seen:
            continue
        seen.add((fld, c))
        warnings.append(
            Msg(
                N_(
                    "{column} is named like {role}, so it is not used as {field} "
                    "even though its values could fit."
                ),
                column=repr(c),
                role=Msg(ROLES[roles[c]][3]),
                field=Msg(fld),
            )
        )
    notes: list[str] = []
    rev = chosen.get(schema.REVENUE)
    if (
        rev is not None
        and normalise(rev.column) in ORDER_LEVEL_TOTALS
        and schema.QUANTITY in chosen
        and schema.UNIT_PRICE in chosen
        and schema.ORDER_ID in chosen
    ):
        why = _order_level_evidence(raw, chosen[schema.ORDER_ID].column, rev.column)
        if why:
            del chosen[schema.REVENUE]
            notes.append(
                Msg(
                    N_(
                        "{column} is an order total ({why}); revenue per line is computed as "
                        "quantity × unit price instead (map it to revenue yourself if you prefer)."
                    ),
                    column=repr(rev.column),
                    why=why,
                )
            )
    fields = tuple(
        chosen.get(f) or FieldProposal(f, None, 0.0, Msg(N_("no matching column"))) for f in FIELDS
    )
    return MappingProposal(fields, tuple(cols), tuple(notes), tuple(warnings))


def _layout_proposal(cols: list[str], lay: Layout, mapping: dict[str, str]) -> MappingProposal:
    """A recognised platform export: its own mapping, with certainty (the headers say it)."""
    fields = tuple(
        FieldProposal(
            f,
            mapping[f],
            1.0,
            Msg(
                N_("{layout}: {column} is its {field}"),
                layout=Msg(lay.label),
                column=repr(mapping[f]),
                field=Msg(f),
            ),
        )
        if f in mapping
        else FieldProposal(f, None, 0.0, Msg(N_("not in a {layout}"), layout=Msg(lay.label)))
        for f in FIELDS
    )
    notes: tuple[str, ...] = (
        Msg(N_("Recognised as a {layout}: mapped automatically."), layout=Msg(lay.label)),
    )
    if lay.note:
        notes += (Msg(N_("{note}."), note=Msg(lay.note)).capitalised(),)
    return MappingProposal(fields, tuple(cols), notes, (), Msg(lay.label))


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
        return Msg(N_("left blank on an order's later lines"))
    per_order = multi.groupby("o", sort=False)["t"].nunique()
    if (per_order == 1).mean() > 0.8:
        return Msg(N_("the same value on every line of an order"))
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
            return 0.6, Msg(
                N_("header {column} contains {token}"), column=repr(c), token=repr(token)
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
            (0.7, -1, schema.ORDER_DATE, date_col, Msg(N_("{column} holds dates"), column=date_col))
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
                Msg(N_("{column} holds an id that repeats on different dates"), column=c),
            )
        )
    for c in orders:
        why = (
            Msg(N_("{column} holds an id in row order"), column=c)
            if _in_row_order(profiles[c].values)
            else Msg(N_("{column} holds an id"), column=c)
        )
        out.append((0.6, -2, schema.ORDER_ID, c, why))
    for c in qty_like[:1]:
        out.append(
            (0.5, -3, schema.QUANTITY, c, Msg(N_("{column} holds small whole numbers"), column=c))
        )
    for c in amount_like[:1]:
        out.append(
            (0.6, -4, schema.REVENUE, c, Msg(N_("{column} holds decimal amounts"), column=c))
        )
    text_cols = [c for c in cols if profiles[c].alpha > 0.9 and profiles[c].date < 0.5]
    for c in text_cols[:1]:
        out.append((0.4, -5, schema.PRODUCT_NAME, c, Msg(N_("{column} holds text"), column=c)))
    return out


# ---------------------------------------------------------------------------------------------
# validation


def resolve_mapping(
    raw: RawTable, proposal: MappingProposal, override: dict[str, str] | None
) -> dict[str, str]:
    """The mapping to clean with: the proposal updated by ``override``.

    ``override`` entries replace the proposal's; a value of ``None`` or ``""`` unmaps the
    field; a proposed field whose column the override gives to another field is dropped.
    Raises :class:`MappingError` on unknown fields/columns or when no analysis can run.
    """
    mapping = proposal.as_dict()
    if override:
        unknown = [k for k in override if k not in FIELDS]
        if unknown:
            raise MappingError(
                _(
                    "Unknown field(s) in the mapping: {unknown}. Fields are: {fields}.",
                    unknown=", ".join(map(repr, unknown)),
                    fields=", ".join(FIELDS),
                )
            )
        cols = set(raw.data.columns)
        missing = [v for v in override.values() if v and v not in cols]
        if missing:
            raise MappingError(
                _(
                    "The mapping names column(s) not in the file: {missing}. The file's "
                    "columns are: {columns}.",
                    missing=", ".join(map(repr, missing)),
                    columns=", ".join(map(repr, raw.data.columns)),
                )
            )
        taken = {v for v in override.values() if v}
        mapping = {k: v for k, v in mapping.items() if v not in taken and k not in override}
        mapping.update({k: v for k, v in override.items() if v})
    check_enough(mapping, raw.columns)
    return mapping


def check_enough(mapping: dict[str, str], columns: tuple[str, ...] | list[str]) -> None:
    """Raise :class:`MappingError` unless some analysis can run on the mapped columns."""
    have = available_columns(mapping)
    ok = [a for a in schema.REQUIREMENTS if not schema.missing_for(a, have)]
    if ok:
        return
    # the analyses' names (schema.ANALYSIS_LABELS) and field ids are in the catalogue
    # (ecomdash/ui/data_page.py marks them): shown in the UI language
    needs = _("; ").join(
        _(
            "{analysis} needs {fields}",
            analysis=_(schema.ANALYSIS_LABELS[a]),
            fields=_(" or ").join(
                " + ".join(_(f) for f in sorted(alt)) for alt in schema.REQUIREMENTS[a]
            ),
        )
        for a in schema.REQUIREMENTS
    )
    found = _(", ").join(f"{_(k)} ← {v!r}" for k, v in mapping.items()) or _("nothing")
    raise MappingError(
        _(
            "The columns found are not enough for any analysis. Mapped: {found} (file "
            "columns: {columns}). At least an order id + a product (a basket list), or a date "
            "+ an amount (a payments log) is needed. In detail: {needs}. Map the missing "
            "columns by hand, or export more columns.",
            found=found,
            columns=", ".join(map(repr, columns)),
            needs=needs,
        )
    )
