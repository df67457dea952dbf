"""Chinese marketplace exports, recognised by their headers and mapped with no manual step.

Layouts (the column names the platforms' back offices write):

- **Taobao / Tmall order report** (淘宝/天猫 订单报表, ``ExportOrderList``): one row per order —
  订单编号, 买家会员名, 买家实际支付金额, 订单状态, 收货地址, 订单创建时间, 订单付款时间, 宝贝标题,
  宝贝总数量, 订单关闭原因 …
- **Taobao / Tmall order-item report** (宝贝报表, ``ExportOrderDetailList``): one row per item —
  订单编号, 标题, 价格, 购买数量, 外部系统编号, 商品属性, 套餐信息, 备注, 订单状态, 商家编码.
  Uploaded together with the order report, the two join on 订单编号 (``ingest.multi``) and the
  joined table is recognised as **Taobao / Tmall orders + items**.
- **Taobao / Tmall order-item report, newer layout** (主订单编号, 子订单编号, 商品标题, 商品价格,
  购买数量, 订单状态, 商家编码, 买家实付金额, 退款状态, 订单创建时间, 订单付款时间 …): one row per
  item with its own dates and paid amount.
- **JD** (京东 POP 订单导出): 订单号, 商品ID, 商品名称, 订购数量, 下单时间, 京东价, 订单金额, 应付金额,
  订单状态, 下单帐号, 客户地址 …
- **Pinduoduo** (拼多多 订单导出): 商品, 订单号, 订单状态, 商品总价(元), 用户实付金额(元), 商品数量(件),
  省, 市, 区, 支付时间, 商品id, 售后状态 … (no buyer id: customer analyses stay unavailable).
- **Douyin shop** (抖店 订单导出): 主订单编号, 子订单编号, 选购商品, 商品数量, 商品ID, 商家编码,
  商品单价, 订单应付金额, 省, 市, 订单提交时间, 订单状态, 售后状态, 取消原因 …

:func:`prepare` (called by ``read.read_bytes`` and ``multi.combine``) adds derived columns to a
recognised table: :data:`PROVINCE_COLUMN` (the province's short name, from 收货地址 / 客户地址 or
省) and, when a layout spreads the state over several columns (订单状态 + 售后状态 + 关闭原因),
:data:`STATUS_COLUMN` joining them. It also unwraps the order id (``="123"``, ``\\t123``,
full-width digits) so two reports join on it. :func:`layout_mapping` gives the mapping;
:func:`status_kind` sorts a state into sale / returned / refund pending / cancelled / unpaid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ecomdash.i18n import N_
from ecomdash.i18n.note import Quoted, note, quoted

if TYPE_CHECKING:
    from ecomdash.ingest.read import RawTable

#: derived columns added to a recognised table
PROVINCE_COLUMN = "收货省份"
STATUS_COLUMN = "订单状态(合并)"

#: the 34 provincial-level divisions: full name, short name (the short name is the region)
PROVINCES: tuple[tuple[str, str], ...] = (
    ("北京市", "北京"),
    ("天津市", "天津"),
    ("上海市", "上海"),
    ("重庆市", "重庆"),
    ("河北省", "河北"),
    ("山西省", "山西"),
    ("辽宁省", "辽宁"),
    ("吉林省", "吉林"),
    ("黑龙江省", "黑龙江"),
    ("江苏省", "江苏"),
    ("浙江省", "浙江"),
    ("安徽省", "安徽"),
    ("福建省", "福建"),
    ("江西省", "江西"),
    ("山东省", "山东"),
    ("河南省", "河南"),
    ("湖北省", "湖北"),
    ("湖南省", "湖南"),
    ("广东省", "广东"),
    ("海南省", "海南"),
    ("四川省", "四川"),
    ("贵州省", "贵州"),
    ("云南省", "云南"),
    ("陕西省", "陕西"),
    ("甘肃省", "甘肃"),
    ("青海省", "青海"),
    ("台湾省", "台湾"),
    ("内蒙古自治区", "内蒙古"),
    ("广西壮族自治区", "广西"),
    ("西藏自治区", "西藏"),
    ("宁夏回族自治区", "宁夏"),
    ("新疆维吾尔自治区", "新疆"),
    ("香港特别行政区", "香港"),
    ("澳门特别行政区", "澳门"),
)
_SHORT = tuple(sorted({s for _, s in PROVINCES}, key=len, reverse=True))
_COUNTRY_PREFIX = re.compile(r"^(中华人民共和国|中国大陆|中国)\s*")

# ---------------------------------------------------------------------------------------------
# order states

#: phrases that say "nothing happened after the sale" (removed before sorting a state)
_NEUTRAL = re.compile(
    r"无售后或售后取消|无售后|售后关闭|售后取消|售后已关闭|退款关闭|退款失败|拒绝退款|取消退款"
    r"|买家撤销|没有申请退款|未申请"
)
_PARTIAL = re.compile(r"部分退款|部分发货")
_RETURNED = re.compile(
    r"退款成功|已退款|退款完成|售后完成|退货成功|退货退款完成|已退货"
    # closed or cancelled after the buyer paid: the platform refunded the money
    r"|(交易关闭|已关闭|已取消|订单关闭).*(退款|已付款)|退款.*(交易关闭|已关闭)"
)
#: the marker :func:`prepare` adds to a state when the layout's payment time is filled
PAID = "已付款"
_PENDING = re.compile(
    r"退款中|售后中|售后处理中|处理中|退货中|申请退款|退款申请|待退款|待商家处理|待买家退货|待商家收货"
    r"|等待卖家同意|同意退款|等待买家退货|买家已退货"
)
_CANCELLED = re.compile(r"交易关闭|已取消|已关闭|订单取消|取消订单|^取消$|^关闭$|已作废")
_UNPAID = re.compile(r"等待买家付款|待付款|待支付|未付款|等待付款")
_CJK = re.compile(r"[\u4e00-\u9fff]")

SALE, RETURNED, PENDING, CANCELLED, UNPAID = (
    "sale",
    "returned",
    "refund_pending",
    "cancelled",
    "unpaid",
)


def status_kind(value: str) -> str | None:
    """What a Chinese order state means for the sale, or None when it is not Chinese.

    >>> status_kind("交易成功"), status_kind("退款成功"), status_kind("交易关闭")
    ('sale', 'returned', 'cancelled')
    >>> status_kind("已发货，待签收 | 无售后或售后取消"), status_kind("已关闭 | 退款成功")
    ('sale', 'returned')
    >>> status_kind("售后处理中"), status_kind("等待买家付款"), status_kind("部分退款")
    ('refund_pending', 'unpaid', 'sale')
    >>> status_kind("交易关闭 | 买家未付款"), status_kind("交易关闭 | 已付款")
    ('cancelled', 'returned')
    >>> status_kind("refunded") is None
    True
    """
    text = str(value).strip()
    if not _CJK.search(text):
        return None
    text = _PARTIAL.sub("", _NEUTRAL.sub("", text))
    if _RETURNED.search(text):
        return RETURNED
    if _PENDING.search(text):
        return PENDING
    if _CANCELLED.search(text):
        return CANCELLED
    if _UNPAID.search(text):
        return UNPAID
    return SALE


# ---------------------------------------------------------------------------------------------
# layouts


@dataclass(frozen=True)
class Layout:
    """One platform export: the headers that identify it and the mapping it implies.

    ``mapping``: canonical field → candidate headers (the first one present is used; the
    derived :data:`PROVINCE_COLUMN` / :data:`STATUS_COLUMN` are named directly).
    ``address``: columns the province is read from (the first present). ``statuses``: the
    columns whose states are joined into :data:`STATUS_COLUMN` when more than one is present.
    ``order_id``: the column normalised for joins."""

    key: str
    label: str
    signature: frozenset[str]
    mapping: dict[str, tuple[str, ...]]
    address: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ("订单状态",)
    #: the payment time: when filled, the joined state says :data:`PAID` (a closed order that
    #: was paid was refunded; one that was not was cancelled)
    paid: tuple[str, ...] = ()
    order_id: str = "订单编号"
    note: str = ""


_TAOBAO_ITEM_SIG = frozenset({"订单编号", "标题", "价格", "购买数量", "商家编码", "订单状态"})
LAYOUTS: tuple[Layout, ...] = (
    Layout(
        "taobao_joined",
        N_("Taobao / Tmall order report + order-item report (淘宝/天猫 订单报表 + 宝贝报表)"),
        _TAOBAO_ITEM_SIG | {"买家会员名", "订单创建时间"},
        {
            "order_id": ("订单编号",),
            "order_date": ("订单创建时间",),
            "customer_id": ("买家会员名",),
            "product_id": ("商家编码",),
            "product_name": ("标题",),
            "quantity": ("购买数量",),
            "unit_price": ("价格",),
            "channel": ("店铺名称",),
            "country": (PROVINCE_COLUMN,),
            "status": (STATUS_COLUMN, "订单状态"),
        },
        address=("收货地址",),
        statuses=("订单状态", "订单关闭原因"),
        paid=("订单付款时间",),
        note=N_(
            "revenue per line = 价格 × 购买数量 (the item's price); the order's 买家实际支付金额 "
            "(after discounts, with postage) stays an order total"
        ),
    ),
    Layout(
        "taobao_orders",
        N_("Taobao / Tmall order report (淘宝/天猫 订单报表)"),
        frozenset({"订单编号", "买家会员名", "买家实际支付金额", "订单状态", "订单创建时间"}),
        {
            "order_id": ("订单编号",),
            "order_date": ("订单创建时间",),
            "customer_id": ("买家会员名",),
            "product_name": ("宝贝标题",),
            "quantity": ("宝贝总数量",),
            "revenue": ("买家实际支付金额",),
            "channel": ("店铺名称",),
            "country": (PROVINCE_COLUMN,),
            "status": (STATUS_COLUMN, "订单状态"),
        },
        address=("收货地址",),
        statuses=("订单状态", "订单关闭原因"),
        paid=("订单付款时间",),
        note=N_(
            "one line per order: revenue = 买家实际支付金额; upload the 宝贝报表 with it for "
            "one line per item"
        ),
    ),
    Layout(
        "taobao_items",
        N_("Taobao / Tmall order-item report (淘宝/天猫 宝贝报表)"),
        _TAOBAO_ITEM_SIG,
        {
            "order_id": ("订单编号",),
            "product_id": ("商家编码",),
            "product_name": ("标题",),
            "quantity": ("购买数量",),
            "unit_price": ("价格",),
            "status": (STATUS_COLUMN, "订单状态"),
        },
        statuses=("订单状态", "退款状态"),
        note=N_(
            "this report has no date and no buyer, and cannot tell a refunded item from a "
            "cancelled one (交易关闭 is read as cancelled): upload the 订单报表 with it"
        ),
    ),
    Layout(
        "taobao_items_v2",
        N_(
            "Taobao / Tmall order-item report, newer layout (淘宝/天猫 宝贝报表: 主订单编号 + 子订单编号)"
        ),
        frozenset({"子订单编号", "主订单编号", "商品标题", "商品价格", "购买数量", "订单状态"}),
        {
            "order_id": ("主订单编号",),
            "order_date": ("订单创建时间",),
            "customer_id": ("买家会员名", "买家昵称"),
            "product_id": ("商家编码", "商品ID"),
            "product_name": ("商品标题",),
            "quantity": ("购买数量",),
            "unit_price": ("商品价格",),
            "revenue": ("买家实付金额",),
            "channel": ("店铺名称",),
            "country": (PROVINCE_COLUMN,),
            "status": (STATUS_COLUMN, "订单状态"),
        },
        address=("收货地址",),
        statuses=("订单状态", "退款状态"),
        paid=("订单付款时间",),
        order_id="主订单编号",
        note=N_(
            "one line per item (子订单): revenue = 买家实付金额; this report names no buyer, so "
            "customer analyses need the 订单报表"
        ),
    ),
    Layout(
        "jd",
        N_("JD order export (京东 订单导出)"),
        frozenset({"订单号", "商品ID", "商品名称", "订购数量", "下单时间", "京东价", "订单状态"}),
        {
            "order_id": ("订单号",),
            "order_date": ("下单时间",),
            "customer_id": ("下单帐号", "下单账号"),
            "product_id": ("商品ID",),
            "product_name": ("商品名称",),
            "quantity": ("订购数量",),
            "unit_price": ("京东价",),
            "channel": ("订单来源",),
            "country": (PROVINCE_COLUMN,),
            "status": (STATUS_COLUMN, "订单状态"),
        },
        address=("客户地址", "收货地址"),
        statuses=("订单状态", "售后状态"),
        paid=("付款确认时间",),
        order_id="订单号",
        note=N_("revenue per line = 京东价 × 订购数量; 订单金额 / 应付金额 are order totals"),
    ),
    Layout(
        "pinduoduo",
        N_("Pinduoduo order export (拼多多 订单导出)"),
        frozenset(
            {"商品", "订单号", "订单状态", "商品总价(元)", "用户实付金额(元)", "商品数量(件)"}
        ),
        {
            "order_id": ("订单号",),
            "order_date": ("支付时间", "订单成交时间", "拼单成功时间"),
            "product_id": ("商品id",),
            "product_name": ("商品",),
            "quantity": ("商品数量(件)",),
            "revenue": ("用户实付金额(元)",),
            "country": (PROVINCE_COLUMN,),
            "status": (STATUS_COLUMN, "订单状态"),
        },
        address=("省", "收货地址"),
        statuses=("订单状态", "售后状态"),
        paid=("支付时间",),
        order_id="订单号",
        note=N_(
            "revenue = 用户实付金额(元); the export names no buyer id, so customer analyses "
            "are not available"
        ),
    ),
    Layout(
        "douyin",
        N_("Douyin shop order export (抖店 订单导出)"),
        frozenset({"主订单编号", "子订单编号", "选购商品", "商品数量", "订单提交时间", "订单状态"}),
        {
            "order_id": ("主订单编号",),
            "order_date": ("订单提交时间",),
            "product_id": ("商品ID",),
            "product_name": ("选购商品",),
            "quantity": ("商品数量",),
            "unit_price": ("商品单价", "商品金额"),  # 商品金额: the unit price in some versions
            "revenue": ("订单应付金额",),
            "channel": ("流量来源",),
            "country": (PROVINCE_COLUMN,),
            "status": (STATUS_COLUMN, "订单状态"),
        },
        address=("省", "详细地址"),
        statuses=("订单状态", "售后状态", "取消原因"),
        paid=("支付完成时间",),
        order_id="主订单编号",
        note=N_(
            "one line per sub-order (子订单): revenue = 订单应付金额; the export names no buyer "
            "id, so customer analyses are not available"
        ),
    ),
)


def saved_layout(mapping: dict | None) -> Layout | None:
    """The platform layout a saved dataset's ``mapping`` was recognised as: at least three
    fields, each taken from one of the layout's own headers (the derived province and state
    columns aside); None for any other file. The pages use it to advise on what that export
    can and cannot give (a Pinduoduo export names no buyer)."""
    taken = {f: c for f, c in (mapping or {}).items() if c and f not in ("country", "status")}
    for layout in LAYOUTS:
        if len(taken) >= 3 and all(c in layout.mapping.get(f, ()) for f, c in taken.items()):
            return layout
    return None


_BY_KEY = {lay.key: lay for lay in LAYOUTS}


def header(name: str) -> str:
    """A header as compared with the layouts: BOM, tabs, spaces and ``="…"`` removed,
    full-width brackets as ASCII (``商品总价（元）`` = ``商品总价(元)``)."""
    t = str(name).replace("\ufeff", "").strip()
    if t.startswith('="') and t.endswith('"'):
        t = t[2:-1]
    return halfwidth_text(t).replace(" ", "")


def detect(columns) -> Layout | None:
    """The layout whose identifying headers are all among ``columns`` (most specific first)."""
    have = {header(c) for c in columns}
    for lay in LAYOUTS:
        if lay.signature <= have:
            return lay
    return None


def layout(key: str) -> Layout:
    return _BY_KEY[key]


def layout_mapping(columns) -> tuple[Layout, dict[str, str]] | None:
    """(layout, canonical field → column) for a recognised table, else None."""
    lay = detect(columns)
    if lay is None:
        return None
    by_header = {}
    for c in columns:
        by_header.setdefault(header(c), c)
    out: dict[str, str] = {}
    for fld, candidates in lay.mapping.items():
        col = next((by_header[header(c)] for c in candidates if header(c) in by_header), None)
        if col is not None:
            out[fld] = col
    return lay, out


# ---------------------------------------------------------------------------------------------
# values

_FULL = {i: i - 0xFEE0 for i in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def halfwidth_text(text: str) -> str:
    """Full-width ASCII forms (``１２３``, ``．``, ``，``, ``－``, ``（``) and the ideographic
    space as their ASCII counterparts. ``￥`` (U+FFE5) is left: it is a currency sign."""
    return text.translate(_FULL)


def halfwidth(values: pa.Array) -> pa.Array:
    """:func:`halfwidth_text` on an Arrow string array, touching only the non-ASCII values."""
    if len(values) == 0:
        return values
    ascii_ = pc.string_is_ascii(values.fill_null(""))
    if pc.all(ascii_).as_py():
        return values
    other = pc.invert(ascii_)
    sub = pc.filter(values, other).to_pylist()  # only the non-ASCII values go through Python
    fixed = pa.array([None if v is None else halfwidth_text(v) for v in sub], type=values.type)
    return pc.replace_with_mask(values, other, fixed)


def id_text(values: pd.Series) -> pd.Series:
    """Ids as the platforms mean them: ``="123"`` unwrapped, ``\\t`` and spaces trimmed,
    full-width digits as ASCII (vectorised in Arrow; Arrow-backed strings come back)."""
    from ecomdash.ingest.convert import arrow_of, unwrap_all  # convert imports this module

    fixed = halfwidth(unwrap_all(arrow_of(values)).fill_null(""))
    return pd.Series(
        pd.arrays.ArrowStringArray(pa.chunked_array([fixed])), index=values.index, name=values.name
    )


def province_of(address: str) -> str | None:
    """The province's short name at the start of a Chinese address (or a province cell).

    >>> province_of("浙江省 杭州市 西湖区 文三路 100 号"), province_of("广西壮族自治区南宁市")
    ('浙江', '广西')
    >>> province_of("内蒙古 呼和浩特市"), province_of("中国 上海 上海市 浦东新区")
    ('内蒙古', '上海')
    >>> province_of("Tokyo") is None
    True
    """
    t = _COUNTRY_PREFIX.sub("", halfwidth_text(str(address)).strip())
    for short in _SHORT:
        if t.startswith(short):
            return short
    return None


def _arrow(col: pd.Series) -> pa.Array:
    from ecomdash.ingest.convert import arrow_of  # convert imports this module

    return pc.utf8_trim_whitespace(arrow_of(col).fill_null(""))


def _series(arr: pa.Array, like: pd.Series) -> pd.Series:
    return pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array([arr])), index=like.index)


def _provinces(col: pd.Series) -> pa.Array:
    """The province of each row, read once per distinct address (``""`` when none)."""
    enc = pc.dictionary_encode(_arrow(col))
    found = pa.array([province_of(v) or "" for v in enc.dictionary.to_pylist()], pa.string())
    return pc.take(found, enc.indices)


def _joined_status(df: pd.DataFrame, cols: list[str], paid: str | None) -> pa.Array:
    t = pa.large_string()  # one type for every part (readers give string or large_string)
    parts = [_arrow(df[c]).cast(t) for c in cols]
    if paid is not None:
        when = _arrow(df[paid]).cast(t)
        parts.append(pc.if_else(pc.equal(when, ""), pa.scalar("", t), pa.scalar(PAID, t)))
    out = parts[0]
    empty = pa.array(["", "-", "--"], type=t)
    for p in parts[1:]:
        add = pc.invert(pc.is_in(p, value_set=empty))
        out = pc.if_else(add, pc.binary_join_element_wise(out, p, pa.scalar(" | ", t)), out)
    return out


def prepare(raw: RawTable) -> RawTable:
    """``raw`` with the derived columns of its layout (see module doc); unchanged when the
    table is not a recognised platform export or already prepared."""
    lay = detect(raw.columns)
    if lay is None:
        return raw
    by_header = {header(c): c for c in raw.columns}
    df = raw.data
    notes = list(raw.notes)
    changed = False
    if lay.order_id in by_header:
        col = by_header[lay.order_id]
        fixed = id_text(df[col])
        if bool((fixed != df[col].astype(fixed.dtype)).any()):
            df = df.copy(deep=False) if not changed else df
            df[col] = fixed
            changed = True
    src = next((by_header[a] for a in lay.address if a in by_header), None)
    if src is not None and PROVINCE_COLUMN not in df.columns:
        df = df.copy(deep=False) if not changed else df
        prov = _provinces(df[src])
        df[PROVINCE_COLUMN] = _series(prov, df)
        changed = True
        found = pc.not_equal(prov, "")
        missed = pc.sum(pc.and_(pc.not_equal(_arrow(df[src]), ""), pc.invert(found))).as_py()
        fields = {
            "column": Quoted(PROVINCE_COLUMN),
            "source": Quoted(src),
            "n": f"{pc.sum(found).as_py() or 0:,}",
        }
        notes.append(
            note(
                N_(
                    "{column}: the province taken from {source} for {n} rows; "
                    "{missed} addresses name no province (left empty)."
                ),
                missed=f"{missed:,}",
                **fields,
            )
            if missed
            else note(N_("{column}: the province taken from {source} for {n} rows."), **fields)
        )
    stat = [by_header[c] for c in lay.statuses if c in by_header]
    paid = next((by_header[c] for c in lay.paid if c in by_header), None)
    if len(stat) + (paid is not None) > 1:
        # recomputed even when present: a joined table carries the order report's, while the
        # item lines' own states are what counts
        joined = _joined_status(df, stat, paid)
        if (
            STATUS_COLUMN not in df.columns
            or not pc.all(pc.equal(joined, _arrow(df[STATUS_COLUMN]))).as_py()
        ):
            df = df.copy(deep=False) if not changed else df
            df[STATUS_COLUMN] = _series(joined, df)
            changed = True
            # a tuple: listed "a, b" in English, "a、b" in Chinese (tr_note)
            fields = {"column": Quoted(STATUS_COLUMN), "states": quoted(stat)}
            notes.append(
                note(
                    N_(
                        "{column}: the order state from {states} together, with {paid_state} "
                        "where {paid} is filled."
                    ),
                    paid_state=Quoted(PAID),
                    paid=Quoted(paid),
                    **fields,
                )
                if paid
                else note(N_("{column}: the order state from {states} together."), **fields)
            )
    if not changed:
        return raw
    return replace(raw, data=df, notes=tuple(notes))
