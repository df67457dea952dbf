"""Chinese marketplace exports (Taobao/Tmall, JD, Pinduoduo, Douyin shop) end to end:
read → map → clean → save, with no manual mapping.

The fixtures are in tests/fixtures/cn_platforms/ (written by make.py there, every row
invented). The expected numbers below are counted by hand from those rows — see the comment
above each test — not taken from the code's output.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from ecomdash import schema as S
from ecomdash.ingest import clean, load_bytes, propose_mapping
from ecomdash.ingest.multi import combine, propose_joins, read_tables
from ecomdash.ingest.platforms_cn import (
    PROVINCE_COLUMN,
    PROVINCES,
    STATUS_COLUMN,
    detect,
    halfwidth_text,
    province_of,
    status_kind,
)
from ecomdash.kpis import compute_kpis, kpis_from_lines
from ecomdash.store import Store

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "cn_platforms"


def _load(name: str):
    return load_bytes((FIX / name).read_bytes(), name)


def _net(lines: pd.DataFrame) -> float:
    """Net revenue as the Overview computes it: sales minus returns (independent pandas)."""
    sale = ~lines[S.IS_RETURN] & ~lines[S.IS_NON_PRODUCT] & (lines[S.REVENUE] > 0)
    ret = lines[S.IS_RETURN] & ~lines[S.IS_NON_PRODUCT]
    return round(float(lines.loc[sale, S.REVENUE].sum() - lines.loc[ret, S.REVENUE].abs().sum()), 2)


def _orders(lines: pd.DataFrame) -> int:
    sale = ~lines[S.IS_RETURN] & ~lines[S.IS_CANCELLED] & (lines[S.REVENUE] > 0)
    return int(lines.loc[sale, S.ORDER_ID].nunique())


def _save_and_reload(tmp_path, lines, report, mapping):
    """Save in a store; return (info, the lines read back, the store's SQL KPIs)."""
    store = Store.open(tmp_path / "store")
    try:
        info = store.save_dataset("cn", lines, report=report, mapping=mapping.as_dict())
        return info, store.load_lines(info.id), compute_kpis(store, info.id)
    finally:
        store.close()


# ---------------------------------------------------------------------------------------------
# provinces, states, values


def test_all_34_provinces_full_and_short_forms():
    assert len(PROVINCES) == 34
    assert len({s for _, s in PROVINCES}) == 34
    for full, short in PROVINCES:
        assert province_of(full + "某市某区某路 1号") == short
        assert province_of(short + " 某市") == short
        assert province_of("中国 " + full) == short
    # by hand: the forms merchants meet
    assert province_of("广西壮族自治区 南宁市 青秀区") == "广西"
    assert province_of("内蒙古 呼和浩特市") == "内蒙古"
    assert province_of("黑龙江哈尔滨市南岗区") == "黑龙江"
    assert province_of("陕西省 西安市") == "陕西" and province_of("山西省 太原市") == "山西"
    assert province_of("新疆维吾尔自治区 乌鲁木齐市") == "新疆"
    assert province_of("") is None and province_of("Singapore 018989") is None


@pytest.mark.parametrize(
    ("state", "kind"),
    [
        ("交易成功", "sale"),
        ("卖家已发货，等待买家确认收货", "sale"),
        ("买家已付款，等待卖家发货", "sale"),
        ("已签收 | 无售后或售后取消 | 已付款", "sale"),
        ("已完成 | 售后关闭 | 已付款", "sale"),
        ("部分退款", "sale"),
        ("交易关闭", "cancelled"),
        ("交易关闭 | 买家未付款", "cancelled"),
        ("已取消", "cancelled"),
        ("(删除)已取消", "cancelled"),
        ("已关闭 | 超时未支付", "cancelled"),
        ("等待买家付款", "unpaid"),
        ("待支付", "unpaid"),
        ("退款成功", "returned"),
        ("售后完成", "returned"),
        ("交易关闭 | 已付款", "returned"),
        ("已取消 | 无售后或售后取消 | 已付款", "returned"),
        ("未发货，退款成功", "returned"),
        ("退款中", "refund_pending"),
        ("卖家已发货，等待买家确认收货 | 买家已经申请退款，等待卖家同意", "refund_pending"),
        ("交易成功 | 没有申请退款 | 已付款", "sale"),
        ("交易成功 | 退款关闭 | 已付款", "sale"),
        ("已签收 | 售后处理中", "refund_pending"),
    ],
)
def test_status_kinds(state, kind):
    assert status_kind(state) == kind


def test_english_states_are_left_to_the_english_rule():
    assert status_kind("refunded") is None and status_kind("paid") is None


def test_full_width_forms():
    assert halfwidth_text("１２３．５０") == "123.50"
    assert halfwidth_text("商品总价（元）") == "商品总价(元)"
    assert halfwidth_text("￥") == "￥"  # a currency sign, stripped by the number reader


def test_full_width_on_arrow_touches_only_non_ascii_and_keeps_nulls():
    import pyarrow as pa

    from ecomdash.ingest.platforms_cn import halfwidth

    got = halfwidth(pa.array(["１２", None, "abc", "商品（１）", ""])).to_pylist()
    assert got == ["12", None, "abc", "商品(1)", ""]


def test_headers_with_full_width_brackets_and_spaces_are_recognised():
    cols = ["商品", " 订单号", "订单状态", "商品总价（元）", "用户实付金额（元）", "商品数量（件）"]
    assert detect(cols).key == "pinduoduo"
    assert detect(["订单号", "商品名称", "数量"]) is None


# ---------------------------------------------------------------------------------------------
# Taobao / Tmall order report alone: 12 orders (one row each)
#   sales: 101 128.00, 102 1,299.00, 103 236.00, 107 399.00, 108 45.00, 109 266.00,
#          110 520.00, 112 35.50                                   = 2,928.50 (8 orders)
#   refunded after payment (交易关闭 + paid): 105 88.00, 111 76.00  → sale + return, net 0
#   dropped: 104 交易关闭 unpaid (cancellation), 106 等待买家付款 (unpaid)
#   customers among counted sales: 茶友小林, 北京老茶客, 川妹子, 新疆葡萄, 港岛茶人, 宁夏枸杞 = 6


def test_taobao_order_report(tmp_path):
    res = _load("taobao_orders.csv")
    assert res.raw_info["encoding"].lower().replace("-", "") in ("gb18030", "gbk")
    assert res.mapping.layout.startswith("Taobao / Tmall order report")
    m = res.mapping.as_dict()
    assert m == {
        "order_id": "订单编号",
        "order_date": "订单创建时间",
        "customer_id": "买家会员名",
        "product_name": "宝贝标题",  # the trailing space of the header is trimmed
        "quantity": "宝贝总数量",
        "revenue": "买家实际支付金额",
        "country": PROVINCE_COLUMN,
        "channel": "店铺名称",
        "status": STATUS_COLUMN,
    }
    rep = res.report
    assert rep.rows_read == 12 and rep.rows_kept == 10 and rep.added_returns == 2
    assert len(res.lines) == 12
    assert rep.rule("status_cancelled").rows == 1 and rep.rule("status_cancelled").action == (
        "dropped"
    )
    assert rep.rule("status_unpaid").rows == 1
    assert rep.rule("status_returned").rows == 2
    assert "交易关闭" in rep.rule("status_cancelled").label  # the reason is named
    assert sorted(rep.rejected["line_no"]) == [5, 7]  # orders 104 and 106 (header = line 1)
    lines = res.lines
    # ="…" unwrapped; 1,299.00 read with its thousands separator
    assert lines["order_id"].iloc[0] == "3933010000000000101"
    assert 1299.0 in lines[S.REVENUE].tolist()
    assert _net(lines) == 2928.50
    assert round(float(lines.loc[lines[S.IS_RETURN], S.REVENUE].sum()), 2) == -164.00
    assert _orders(lines) == 8
    k = kpis_from_lines(lines, None, None)
    assert round(k["revenue"], 2) == 2928.50 and k["orders"] == 8 and k["customers"] == 6
    sold = lines[~lines[S.IS_RETURN] & ~lines[S.IS_CANCELLED]]
    assert sorted(sold[S.COUNTRY].unique()) == sorted(
        ["浙江", "北京", "广东", "四川", "新疆", "香港", "宁夏"]
    )
    assert set(lines[S.COUNTRY]) == {"浙江", "北京", "广东", "广西", "四川", "新疆", "香港", "宁夏"}
    info, back, sql = _save_and_reload(tmp_path, res.lines, res.report, res.mapping)
    assert info.rows == 12 and _net(back) == 2928.50
    assert round(sql["revenue"], 2) == 2928.50 and round(sql["returns"], 2) == 164.00
    assert sql["orders"] == 8 and sql["customers"] == 6


# ---------------------------------------------------------------------------------------------
# Taobao order report + order-item report, uploaded together: 14 item rows join on 订单编号
#   sales (价格 × 购买数量): 101 128, 102 1299, 103 138 + 98, 107 399, 108 45, 109 168,
#          110 520, 112 35.50                                       = 2,830.50 (8 orders)
#   refunded after payment: 105 44 × 2, 111 38 × 2, and 109's 品茗杯 98 (item 交易关闭 in a
#          paid order)                                              returns 262.00
#   dropped: 104's item (unpaid, closed), 106's item (等待买家付款)


def test_taobao_order_and_item_reports_join(tmp_path):
    files = [(n, (FIX / n).read_bytes()) for n in ("taobao_orders.csv", "taobao_items.csv")]
    tables = read_tables(files)
    proposal = propose_joins(tables)
    assert proposal.fact == "taobao_items"
    [join] = proposal.joins
    assert (join.left_column, join.table_column, join.match_share) == ("订单编号", "订单编号", 1.0)
    combined = combine(tables, proposal)
    mapping = propose_mapping(combined.raw)
    assert mapping.layout.startswith("Taobao / Tmall order report + order-item report")
    m = mapping.as_dict()
    assert (m["product_id"], m["unit_price"], m["quantity"]) == ("商家编码", "价格", "购买数量")
    assert m["customer_id"] == "买家会员名" and m["order_date"] == "订单创建时间"
    assert "revenue" not in m  # computed per line as 价格 × 购买数量
    lines, rep = clean(combined.raw, m)
    assert rep.rows_read == 14 and rep.rows_kept == 12 and rep.added_returns == 3
    assert rep.rule("status_cancelled").rows == 1 and rep.rule("status_unpaid").rows == 1
    assert rep.rule("status_returned").rows == 3
    assert rep.statuses["returned"] == {
        "交易关闭 | 退款 | 已付款": 1,
        "交易关闭 | 已付款": 1,
        "交易关闭 | 买家申请退款 | 已付款": 1,
    }
    assert _net(lines) == 2830.50
    gross = lines.loc[~lines[S.IS_RETURN], S.REVENUE].sum()
    assert round(float(gross), 2) == 3092.50  # 2,830.50 + the 262.00 refunded
    assert _orders(lines) == 8
    # the refunded cup of order 109 is netted out; its tea is a sale
    o109 = lines[lines[S.ORDER_ID] == "3933010000000000109"]
    assert o109[S.PRODUCT_ID].tolist() == ["TGY-500", "PMB-4", "PMB-4"]
    assert o109[S.IS_RETURN].tolist() == [False, False, True]
    assert o109[S.IS_CANCELLED].tolist() == [False, True, False]
    # the province comes with the order report
    assert set(lines[S.COUNTRY]) == {"浙江", "北京", "广东", "广西", "四川", "新疆", "香港", "宁夏"}
    # returns carry negative amounts: the sum per province is its net revenue
    per_province = lines.groupby(S.COUNTRY)[S.REVENUE].sum().round(2)
    assert per_province["北京"] == 1344.00 and per_province["广西"] == 0.0
    assert per_province["新疆"] == 168.00  # 266 paid, the 98 cup refunded
    info, back, sql = _save_and_reload(tmp_path, lines, rep, mapping)
    assert info.rows == 15 and _net(back) == 2830.50
    assert round(sql["revenue"], 2) == 2830.50 and round(sql["gross_sales"], 2) == 3092.50
    assert sql["orders"] == 8 and sql["customers"] == 6


def test_taobao_item_report_alone_maps_for_baskets():
    res = _load("taobao_items.csv")
    assert res.mapping.layout.startswith("Taobao / Tmall order-item report")
    # without payment times every 交易关闭 item reads as a cancellation (104, 105, 109b, 111)
    assert res.report.rule("status_cancelled").rows == 4
    assert res.report.rule("status_unpaid").rows == 1
    assert len(res.lines) == 9
    assert res.lines[S.ORDER_ID].nunique() == 8


# ---------------------------------------------------------------------------------------------
# JD: 9 rows (one per SKU) in 7 orders
#   sales: 280…01 199 + 2 × 29.90, 280…02 349, 280…05 259, 280…07 349 + 79 = 1,294.80 (4 orders)
#   refunded: 280…04 已取消 after payment 199 → sale + return
#   dropped: 280…03 (删除)已取消 unpaid, 280…06 等待付款


def test_jd_export(tmp_path):
    res = _load("jd_orders.csv")
    assert res.mapping.layout.startswith("JD order export")
    m = res.mapping.as_dict()
    assert m["order_id"] == "订单号" and m["unit_price"] == "京东价"
    assert m["customer_id"] == "下单帐号" and m["country"] == PROVINCE_COLUMN
    rep = res.report
    assert rep.rows_read == 9 and rep.rows_kept == 7 and rep.added_returns == 1
    assert rep.statuses["cancelled"] == {"(删除)已取消": 1}
    assert rep.statuses["unpaid"] == {"等待付款": 1}
    assert rep.statuses["returned"] == {"已取消 | 已付款": 1}
    lines = res.lines
    assert lines[S.ORDER_ID].iloc[0] == "280000000001"  # the tab before the id is gone
    assert lines[S.PRODUCT_ID].iloc[0] == "100012345678"
    assert _net(lines) == 1294.80 and _orders(lines) == 4
    k = kpis_from_lines(lines, None, None)
    assert k["customers"] == 3  # jd_user_001, 002, 004
    assert set(lines[S.COUNTRY]) == {"江苏", "黑龙江", "西藏", "陕西"}
    info, back, sql = _save_and_reload(tmp_path, res.lines, res.report, res.mapping)
    assert info.rows == 8 and _net(back) == 1294.80
    assert round(sql["revenue"], 2) == 1294.80 and sql["orders"] == 4 and sql["customers"] == 3


# ---------------------------------------------------------------------------------------------
# Pinduoduo: 8 orders, one row each, paid amounts with ¥ / ￥ and 1,180.00
#   sales: 19.90 + 35.90 + 1,180.00 + 35.90 (售后处理中, still a sale) + 25.60 = 1,297.30
#   refunded: 003 已发货，退款成功 19.90, 004 未发货，退款成功 39.90, 007 已取消 (paid) 19.90


def test_pinduoduo_export(tmp_path):
    res = _load("pdd_orders.csv")
    assert res.raw_info["encoding"].lower().startswith("utf-8")
    assert res.mapping.layout.startswith("Pinduoduo order export")
    m = res.mapping.as_dict()
    assert m["revenue"] == "用户实付金额(元)" and m["quantity"] == "商品数量(件)"
    assert "customer_id" not in m  # the export names no buyer
    rep = res.report
    assert rep.rows_read == 8 and rep.rows_kept == 8 and rep.added_returns == 3
    assert rep.rule("status_refund_pending").rows == 1
    assert rep.rule("status_refund_pending").action == "kept"
    lines = res.lines
    assert _net(lines) == 1297.30 and _orders(lines) == 5
    assert round(float(lines.loc[lines[S.IS_RETURN], S.REVENUE].sum()), 2) == -79.70
    bulk = lines[lines[S.QUANTITY] == 20]
    assert bulk[S.REVENUE].tolist() == [1180.0] and bulk[S.UNIT_PRICE].tolist() == [59.0]
    assert set(lines[S.COUNTRY]) == {"广东", "河南", "山东", "湖北", "内蒙古", "天津", "广西"}
    info, back, sql = _save_and_reload(tmp_path, res.lines, res.report, res.mapping)
    assert info.rows == 11 and _net(back) == 1297.30
    assert round(sql["revenue"], 2) == 1297.30 and sql["orders"] == 5


# ---------------------------------------------------------------------------------------------
# Douyin shop: 9 sub-orders in 8 orders; tab-prefixed ids, full-width ２ and ７９．８０
#   sales: order 1 39.90 + 39.80, order 2 79.80, order 7 19.90 (退款中), order 8 39.90
#          (售后关闭: no refund)                                    = 219.30 (4 orders)
#   refunded: order 3 已关闭 + 退款成功 19.90, order 6 售后完成 89.70
#   dropped: order 4 已关闭 unpaid, order 5 待支付


def test_douyin_export(tmp_path):
    res = _load("douyin_orders.csv")
    assert res.mapping.layout.startswith("Douyin shop order export")
    m = res.mapping.as_dict()
    assert m["order_id"] == "主订单编号" and m["revenue"] == "订单应付金额"
    assert m["unit_price"] == "商品单价" and m["channel"] == "流量来源"
    rep = res.report
    assert rep.rows_read == 9 and rep.rows_kept == 7 and rep.added_returns == 2
    assert rep.rule("status_cancelled").rows == 1 and rep.rule("status_unpaid").rows == 1
    assert rep.rule("status_refund_pending").rows == 1
    lines = res.lines
    assert lines[S.ORDER_ID].iloc[0] == "6929000000000000001"
    o2 = lines[lines[S.ORDER_ID] == "6929000000000000002"]
    assert o2[S.QUANTITY].tolist() == [2.0] and o2[S.REVENUE].tolist() == [79.8]
    assert lines[S.UNIT_PRICE].iloc[0] == 39.9  # ¥39.90
    assert lines[S.ORDER_DATE].iloc[0] == pd.Timestamp("2024-06-18 20:00:00")
    assert _net(lines) == 219.30 and _orders(lines) == 4
    assert set(lines[S.COUNTRY]) == {"广西", "上海", "湖南", "贵州", "澳门", "海南"}
    info, back, sql = _save_and_reload(tmp_path, res.lines, res.report, res.mapping)
    assert info.rows == 9 and _net(back) == 219.30
    assert round(sql["revenue"], 2) == 219.30 and sql["orders"] == 4


def test_an_override_still_wins_over_a_recognised_layout():
    data = (FIX / "jd_orders.csv").read_bytes()
    res = load_bytes(data, "jd.csv", mapping={"customer_id": None})
    assert "customer_id" not in res.lines.columns
    assert res.mapping.layout is None  # changed by hand: no longer the platform's mapping


def test_other_files_are_not_taken_for_a_platform():
    text = "订单号,下单时间,买家ID,商品编码,商品名称,数量,单价,订单状态\nA1,2024-11-11,u1,S1,杯子,2,10,交易关闭\n"
    res = load_bytes(text.encode("gb18030"), "orders.csv")
    assert res.mapping.layout is None
    assert PROVINCE_COLUMN not in res.mapping.source_columns
    # a Chinese state is still sorted: 交易关闭 without payment evidence is a cancellation
    assert res.report.rule("status_cancelled").rows == 1


def test_douyin_export_saved_as_xlsx_gives_the_same_numbers():
    """抖店 also downloads .xlsx: the same rows in a workbook (ids as text, amounts as text
    with ¥ and full-width digits, as the platform writes them) give the same result."""
    import csv
    import io

    import openpyxl

    text = (FIX / "douyin_orders.csv").read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "订单"
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    res = load_bytes(buf.getvalue(), "douyin_orders.xlsx")
    assert res.raw_info["format"] == "xlsx"
    assert res.mapping.layout.startswith("Douyin shop order export")
    assert res.report.rows_kept == 7 and res.report.added_returns == 2
    assert _net(res.lines) == 219.30 and _orders(res.lines) == 4


def test_cli_ingests_the_two_taobao_reports_and_the_kpis_match(capsys):
    import json

    from ecomdash.cli import main

    paths = [str(FIX / "taobao_orders.csv"), str(FIX / "taobao_items.csv")]
    assert main(["ingest", *paths, "--name", "双11", "--json"]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["layout"].startswith("Taobao / Tmall order report + order-item report")
    assert rep["rows_read"] == 14 and rep["rows_kept"] == 12 and rep["added_returns"] == 3
    assert main(["kpis", "--dataset", rep["dataset_id"], "--json"]) == 0
    k = json.loads(capsys.readouterr().out)
    # the hand counts of test_taobao_order_and_item_reports_join
    assert k["revenue"] == pytest.approx(2830.50) and k["gross_sales"] == pytest.approx(3092.50)
    assert k["returns"] == pytest.approx(262.00)
    assert k["orders"] == 8 and k["customers"] == 6
    assert main(["ingest", str(FIX / "pdd_orders.csv")]) == 0
    out = capsys.readouterr().out
    assert "Recognised as a Pinduoduo order export" in out
    assert "Return lines added for refunded lines: 3." in out


# ---------------------------------------------------------------------------------------------
# Taobao / Tmall item report, newer layout: 6 items (子订单) in 5 orders (主订单编号)
#   sales (买家实付金额): 5001 128.00, 5002 cups ¥108.00 (two at 59.00, after a discount),
#          5003 399.00 (退款 requested, waiting for the seller: still a sale) = 635.00 (3 orders)
#   refunded: 5002's tea tray 45.00 (交易关闭 + 退款成功)
#   dropped: 5004 等待买家付款, 5005 交易关闭 never paid (没有申请退款 says nothing)


def test_taobao_item_report_newer_layout(tmp_path):
    res = _load("taobao_items_v2.csv")
    assert res.mapping.layout.startswith("Taobao / Tmall order-item report, newer layout")
    m = res.mapping.as_dict()
    assert m["order_id"] == "主订单编号" and m["revenue"] == "买家实付金额"
    assert m["product_id"] == "商家编码" and m["order_date"] == "订单创建时间"
    rep = res.report
    assert rep.rows_read == 6 and rep.rows_kept == 4 and rep.added_returns == 1
    assert rep.statuses["cancelled"] == {"交易关闭 | 没有申请退款": 1}
    assert rep.statuses["unpaid"] == {"等待买家付款 | 没有申请退款": 1}
    assert rep.statuses["returned"] == {"交易关闭 | 退款成功 | 已付款": 1}
    assert rep.rule("status_refund_pending").rows == 1
    lines = res.lines
    assert lines[S.ORDER_ID].iloc[0] == "2025061800000005001"
    assert _net(lines) == 635.00 and _orders(lines) == 3
    cups = lines[lines[S.PRODUCT_ID] == "RY-1"]
    assert cups[S.REVENUE].tolist() == [108.0] and cups[S.UNIT_PRICE].tolist() == [59.0]
    info, back, sql = _save_and_reload(tmp_path, res.lines, res.report, res.mapping)
    assert info.rows == 5 and round(sql["revenue"], 2) == 635.00 and sql["orders"] == 3
