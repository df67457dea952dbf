"""Header names that say what a column is (a store, a department, a region, a channel, a SKU,
a flag): such a column is never proposed for another role, whatever its values look like.

>>> named_role("Store"), named_role("Dept"), named_role("IsHoliday"), named_role("Store_Sales")
('location', 'category', 'flag', None)
>>> named_role("product_weight_g")
'attribute'
"""

from __future__ import annotations

import re

from ecomdash import schema
from ecomdash.i18n import N_

#: Auxiliary field: a flag column (``IsHoliday``, ``is_promo``, ``节假日``) whose true rows mark
#: event dates (holidays, promotions). Recorded with the dataset, not stored per line.
EVENT = "event"

#: role -> (words in the header, Chinese fragments, fields the column may take, plain label)
ROLES: dict[str, tuple[frozenset[str], tuple[str, ...], frozenset[str], str]] = {
    "location": (
        frozenset({"store", "stores", "shop", "shops", "outlet", "branch", "location", "site"}),
        ("门店", "店铺", "分店", "网点", "仓库"),
        frozenset({schema.LOCATION, schema.CHANNEL}),
        N_("a store / location"),
    ),
    "region": (
        frozenset({"region", "area", "district", "territory"}),
        ("区域", "地区", "大区", "省份"),
        frozenset({schema.LOCATION, schema.COUNTRY}),
        N_("a region"),
    ),
    "category": (
        frozenset({"department", "departments", "dept", "category", "categories", "family"}),
        ("部门", "品类", "类目", "分类"),
        frozenset({schema.CATEGORY}),
        N_("a department / category"),
    ),
    "channel": (
        frozenset({"channel", "platform", "marketplace"}),
        ("渠道", "平台"),
        frozenset({schema.CHANNEL}),
        N_("a sales channel"),
    ),
    "product": (
        frozenset({"sku", "asin", "stockcode", "upc", "ean", "gtin"}),
        ("货号", "商品编码"),
        frozenset({schema.PRODUCT_ID, schema.PRODUCT_NAME}),
        N_("a product code"),
    ),
    "flag": (
        frozenset({"holiday", "holidays", "promo", "promotion", "onpromotion", "flag", "event"}),
        ("节假日", "假日", "节日", "促销", "活动"),
        frozenset({EVENT}),
        N_("a flag (holiday / promotion)"),
    ),
    # a product's physical attribute (Olist's product_weight_g): numbers that repeat like ids,
    # but never an order, a customer or an amount
    "attribute": (
        frozenset({"weight", "width", "height", "length", "depth", "volume", "dimension"}),
        ("重量", "尺寸", "体积", "长度", "宽度", "高度"),
        frozenset(),
        N_("a physical attribute (weight, size)"),
    ),
}
#: Words that make a header a measure even when it names a group ("Store_Sales", "门店销售额").
_MEASURE_WORDS = frozenset(
    {
        "sales",
        "sale",
        "revenue",
        "amount",
        "qty",
        "quantity",
        "units",
        "unit",
        "price",
        "total",
        "value",
        "count",
        "size",
        "sum",
        "turnover",
        "cost",
    }
)
_MEASURE_ZH = ("金额", "销售额", "数量", "单价", "销量", "收入", "营业额", "件数")
_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


def header_words(name: str) -> list[str]:
    """Words of a header: ``IsHoliday`` → is, holiday; ``store_nbr`` → store, nbr."""
    return [w.lower() for w in _WORDS.findall(str(name))]


def named_role(name: str) -> str | None:
    """The role a header names outright (``Store`` → location, ``Dept`` → category,
    ``IsHoliday`` → flag), or None. A header that also names a measure (``Store_Sales``)
    has no role: it is an amount about a store."""
    words = header_words(name)
    raw = str(name)
    if any(w in _MEASURE_WORDS for w in words) or any(z in raw for z in _MEASURE_ZH):
        return None
    if len(words) >= 2 and words[0] in ("is", "has"):
        return "flag"
    for role, (en, zh, _fields, _label) in ROLES.items():
        if any(w in en for w in words) or any(z in raw for z in zh):
            return role
    return None


def role_allows(role: str | None, fld: str) -> bool:
    """True when a column whose header names ``role`` (None: names nothing) may be ``fld``."""
    return role is None or fld in ROLES[role][2]


#: the field a named column takes when no synonym matched its header (an attribute takes none)
PRIMARY_FIELD = {
    "location": schema.LOCATION,
    "region": schema.LOCATION,
    "category": schema.CATEGORY,
    "channel": schema.CHANNEL,
    "product": schema.PRODUCT_ID,
    "flag": EVENT,
}
