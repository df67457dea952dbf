"""The Data page in Chinese (issue 16): a Taobao export recognised with no mapping step and its
cleaning report in Chinese with the English run's counts; an English CSV mapped by hand; broken
files answered in Chinese; the tables of one export joined; nothing English left on the page
but table headers (translated with ecomdash/labels.py at integration) and the merchant's own
column names and values."""

from __future__ import annotations

import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from ecomdash.store import Store
from tests.pages.conftest import ROOT, saved_dataset
from tests.pages.zh_walk import english_left

FIX = Path(__file__).resolve().parents[1] / "fixtures" / "cn_platforms"
IGNORE = ("table header",)
#: widgets whose values are stable option ids shown through format_func (the save form's radio:
#: 新数据集 / 追加到已有数据集; a mapping selectbox left unmapped: （文件中没有）); their
#: options are checked in Chinese, the walker also reads the raw value
RADIO_IDS = {"new", "append", "(not in the file)"}

EN_CSV = (
    b"Order ID,Order Date,Customer,SKU,Product,Qty,Price,Total\n"
    b"1001,2024-03-01 10:00,c1,S1,Teapot,1,25.00,25.00\n"
    b"1001,2024-03-01 10:00,c1,S2,Green tea,2,8.50,17.00\n"
    b"1002,2024-03-02 11:30,c2,S1,Teapot,1,25.00,25.00\n"
    b"1003,2024-03-03 09:15,,S3,Cup,4,3.00,12.00\n"
    b"1003,2024-03-03 09:15,,S3,Cup,4,3.00,12.00\n"
)
EN_COLUMNS = {"Order ID", "Order Date", "Customer", "SKU", "Product", "Qty", "Price", "Total"}


def _page(lang: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / "data.py"), default_timeout=120)
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception, at.exception
    return at


def _upload(at: AppTest, files: list[tuple[str, bytes]]) -> AppTest:
    at.file_uploader(key="uploader").set_value([(n, b, "text/csv") for n, b in files])
    at.run()
    assert not at.exception, at.exception
    return at


def _plain(values) -> str:
    return " ".join(v.replace("\\", "") for v in values)  # inert() escapes - ( ) . :


def _rules(at: AppTest):
    """The cleaning report's rules table (label, rows, action) of the upload."""
    return next(
        d.value for d in at.dataframe if {"label", "rows", "action"} <= set(d.value.columns)
    )


def _rows_with(rules, state: str) -> int:
    return int(rules.loc[rules["label"].str.contains(state, regex=False), "rows"].sum())


def _metrics(at: AppTest) -> list[str]:
    return [m.value for m in at.metric]


def _save_button(at: AppTest):
    return next(b for b in at.button if str(b.key).startswith("FormSubmitter:save_form"))


def test_taobao_export_in_chinese_matches_the_english_run_and_saves(_isolated_home):
    data = (FIX / "taobao_items_v2.csv").read_bytes()
    en = _upload(_page("en"), [("淘宝宝贝.csv", data)])
    zh = _upload(_page("zh"), [("淘宝宝贝.csv", data)])
    # recognised, no mapping step, in each language
    assert "Recognised as a Taobao / Tmall order-item report, newer layout" in _plain(
        s.value for s in en.success
    )
    assert "已识别为淘宝/天猫 宝贝报表（新版：主订单编号 + 子订单编号）" in _plain(
        s.value for s in zh.success
    )
    assert [s.key for s in zh.selectbox if str(s.key).startswith("map_")] == []
    # the cleaning report: the same counts, its labels and actions in Chinese
    assert [m.label for m in zh.metric] == [
        "读取行数",
        "保留行数",
        "剔除行数",
        "退货抵消行数",
    ]
    assert [m.label for m in en.metric] == [
        "Rows read",
        "Rows kept",
        "Rows dropped",
        "Sale lines cancelled later",
    ]
    assert _metrics(zh) == _metrics(en)
    en_rules, zh_rules = _rules(en), _rules(zh)
    for state in ("交易关闭", "退款成功"):
        assert _rows_with(zh_rules, state) == _rows_with(en_rules, state) > 0
    # by hand from the fixture: 交易关闭 twice, once with 退款成功 (refunded after the sale,
    # kept with a return line), once unpaid (cancelled before any sale, left out)
    refunded = zh_rules[zh_rules["label"].str.startswith("成交后已退款")]
    assert refunded["rows"].tolist() == [1] and refunded["action"].tolist() == ["已标记"]
    assert "交易关闭" in refunded["label"].iloc[0] and "退款成功" in refunded["label"].iloc[0]
    cancelled = zh_rules[zh_rules["label"].str.startswith("订单在成交前已取消或关闭")]
    assert cancelled["rows"].tolist() == [1] and cancelled["action"].tolist() == ["已剔除"]
    assert set(zh_rules["action"]) <= {"已剔除", "已标记", "已保留"}
    assert not zh_rules["label"].str.contains("[a-z]{3,}", regex=True).any(), zh_rules["label"]
    assert any("新增了\u00a01\u00a0条退货行" in c.value for c in zh.caption)
    assert any(c.value.startswith("读取结果：CSV，") for c in zh.caption)
    assert english_left(zh, data_values=RADIO_IDS, ignore=IGNORE) == []
    # saved, and the saved dataset's report is shown in Chinese too (from the store)
    _save_button(zh).click().run()
    assert not zh.exception, zh.exception
    assert any(s.value.startswith("已将\u00a0") and "保存为新数据集" in s.value for s in zh.success)
    store = Store.open(_isolated_home)
    try:
        [info] = [d for d in store.list_datasets() if not d.is_demo]
        assert info.name == "淘宝宝贝"
        assert info.report["rules"][0]["label_msg"]["id"]  # the message id is kept
    finally:
        store.close()
    assert any(h.value == "该数据集的清洗报告" for h in zh.subheader)
    saved_rules = _rules(zh)
    assert _rows_with(saved_rules, "退款成功") == _rows_with(en_rules, "退款成功")
    assert saved_rules["label"].str.startswith("成交后已退款").any()
    data_values = RADIO_IDS | {info.id, f"{info.name} ({info.id})"}
    assert english_left(zh, data_values=data_values, ignore=IGNORE) == []


def test_english_csv_mapped_by_hand_in_chinese(_isolated_home):
    at = _upload(_page("zh"), [("订单.csv", EN_CSV)])
    maps = {s.key: s for s in at.selectbox if str(s.key).startswith("map_")}
    assert maps["map_order_id"].label == "订单号" and maps["map_order_id"].value == "Order ID"
    assert maps["map_customer_id"].value == "Customer"
    assert "（文件中没有）" in maps["map_country"].options
    assert maps["map_country"].value == "(not in the file)"  # the stable id behind it
    assert maps["map_revenue"].help.startswith(
        "该行金额（实付）；各页面的“净销售额”即这些金额减去退货与取消。可信度\u00a0"
    )
    assert _metrics(at)[:2] == ["5", "4"]  # one exact duplicate dropped (counted by hand)
    # the merchant's own column names are the options and values of the mapping widgets
    data_values = EN_COLUMNS | RADIO_IDS
    assert english_left(at, data_values=data_values, ignore=IGNORE) == []
    at.selectbox(key="map_customer_id").set_value("(not in the file)").run()
    assert not at.exception, at.exception
    _save_button(at).click().run()
    assert not at.exception, at.exception
    info = saved_dataset(_isolated_home)
    assert info.rows == 4 and "customer_id" not in info.mapping
    assert info.mapping["order_id"] == "Order ID"


def test_broken_files_get_a_chinese_message(_isolated_home):
    cases = [
        ("订单.csv", bytes(range(256)) * 40, "该文件不是文本、Excel 或 Parquet：它包含二进制内容"),
        ("空.csv", b"", "文件是空的：没有任何内容"),
        (
            "表头.csv",
            "订单号,下单时间,实付金额\n".encode(),
            # listed with 、 (was "订单号, 下单时间, 实付金额"), and what to do
            "文件有列名（订单号、下单时间、实付金额），但没有数据行。请重新导出一个有订单的时间段。",
        ),
        ("旧表.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "旧版 Excel 97-2003"),
        ("订单.csv", b'[{"order": 1}]', "该文件是 JSON，这里无法读取"),
    ]
    for name, data, expected in cases:
        at = _upload(_page("zh"), [(name, data)])
        shown = _plain(e.value for e in at.error)
        assert expected in shown, (name, shown)
        assert not any(str(b.key).startswith("FormSubmitter:save_form") for b in at.button)
        assert english_left(at, ignore=IGNORE) == [], name


def test_tables_of_one_export_joined_in_chinese(_isolated_home):
    # the merchant's files, named as a Chinese operator names them (the table names come
    # from the file names)
    files = [
        ("订单报表.csv", (FIX / "taobao_orders.csv").read_bytes()),
        ("宝贝报表.csv", (FIX / "taobao_items.csv").read_bytes()),
    ]
    at = _upload(_page("zh"), files)
    assert [h.value for h in at.subheader][:2] == ["数据表", "表关联"]
    fact = at.selectbox(key="multi_fact")
    assert fact.label.startswith("订单行所在的表") and fact.value == "宝贝报表"
    assert "已识别为淘宝/天猫 订单报表 + 宝贝报表" in _plain(s.value for s in at.success)
    joins = next(d.value for d in at.dataframe if "why" in d.value.columns)
    assert joins["why"].tolist() == ["列名相同；抽样中\u00a0100% 匹配"]
    steps = next(d.value for d in at.dataframe if "step" in d.value.columns)
    assert steps["step"].tolist()[0] == "订单行：宝贝报表"
    # counts by hand in tests/unit/test_ingest_platforms_cn.py: 14 read, 12 kept
    assert _metrics(at)[:2] == ["14", "12"]
    # 店铺Id: a column of the Taobao order report, offered as a join column (merchant data)
    assert english_left(at, data_values=RADIO_IDS | {"店铺Id"}, ignore=IGNORE) == []


def test_a_second_platform_uploaded_with_taobao_is_named_in_chinese(_isolated_home):
    """A merchant selling on Taobao and JD uploads both exports at once: JD's cannot be joined
    to Taobao's lines. The page says it is another order export, left out, and how to add it
    (was: '表“京东订单”没有按“订单状态”关联：该列在表中不唯一…请先按“订单状态”汇总该表')."""
    files = [
        ("订单报表.csv", (FIX / "taobao_orders.csv").read_bytes()),
        ("宝贝报表.csv", (FIX / "taobao_items.csv").read_bytes()),
        ("京东订单.csv", (FIX / "jd_orders.csv").read_bytes()),
    ]
    at = _upload(_page("zh"), files)
    warned = _plain(w.value for w in at.warning)
    assert "表“京东订单”本身是一份订单导出：京东 订单导出。" in warned, warned
    assert "它不描述“宝贝报表”的订单行" in warned
    assert "再单独上传“京东订单”，并选择“追加到已有数据集”" in warned
    assert "订单状态" not in warned
    assert _metrics(at)[:2] == ["14", "12"]  # the Taobao lines, as uploaded without JD's
    # the states a rule met, listed as Chinese lists them (was "交易关闭 | 已付款 (1), …")
    # (the table lists those that fit beside the counts, the sample under it all of them)
    [refunded] = [e.label for e in at.expander if e.label.startswith("示例：成交后已退款")]
    assert "已付款（1）、交易关闭" in refunded and ", " not in refunded, refunded
    # the rules that found nothing, under the three that did: not "已检查 14 条规则，未发现问题"
    checked = [e.label for e in at.expander if "条规则已检查" in e.label]
    assert checked == ["14\u00a0条规则已检查，未命中任何行"], [e.label for e in at.expander]


def test_a_jd_export_saved_shows_its_money_in_yuan(_isolated_home):
    """JD's and Taobao's exports write amounts without a ¥ (258.80): a dataset saved from
    them showed its money as bare figures (净销售额 2,831) on every page, where an export with
    a ¥ on its amounts (Pinduoduo's) showed ¥. A Chinese marketplace's export is in yuan."""
    from tests.pages.conftest import run_page

    at = _upload(_page("zh"), [("京东订单.csv", (FIX / "jd_orders.csv").read_bytes())])
    _save_button(at).click().run()
    assert not at.exception, at.exception
    store = Store.open(_isolated_home)
    try:
        [info] = [d for d in store.list_datasets() if not d.is_demo]
        assert info.report.get("currency") == "CNY", info.report.get("currency")
    finally:
        store.close()
    ov = run_page("overview.py", dataset_id=info.id, lang="zh", timeout=120)
    assert not ov.exception, ov.exception
    [net] = [m for m in ov.metric if m.label == "净销售额"]
    assert net.value.startswith("¥"), net.value


def test_datasets_tab_of_the_chinese_demo_merchant_renames_in_chinese(_isolated_home, zh_store):
    info = zh_store("演示商户")
    at = _page("zh")
    assert [t.label for t in at.tabs] == ["上传导出文件", "我的数据集"]
    assert any(h.value == "该数据集的清洗报告" for h in at.subheader)
    assert [m.label for m in at.metric] == [
        "读取行数",
        "保留行数",
        "剔除行数",
        "退货抵消行数",
    ]
    listed = next(d.value for d in at.dataframe if "version" in d.value.columns)
    assert listed["name"].tolist() == ["演示商户"]
    # the fields by their names (schema.FIELD_NAMES; 下单日期 and 客户 ID as the tables head them)
    # listed with 、 (was the full-width comma: "订单号，下单日期，…" read as clauses)
    assert {"订单号", "下单日期", "客户 ID", "商品名称"} <= set(listed["columns"][0].split("、"))
    # where it came from in Chinese too (was the store's id: "upload", "demo")
    assert listed["source"][0] in {"上传", "演示数据", "生成的数据"}, listed["source"][0]
    # the Chinese demo is generated: its report counts the flags its lines carry (it said
    # "没有触发任何清洗规则。" while the lines held cancellations and postage), and says so
    assert not any(c.value == "没有触发任何清洗规则。" for c in at.caption)
    assert any(t.value.startswith("由本应用生成，不是从文件读取") for t in at.text)
    data_values = RADIO_IDS | {info.id, f"演示商户 ({info.id})"}
    assert english_left(at, data_values=data_values, ignore=IGNORE) == []
    at.text_input(key=f"rename_{info.id}").set_value("双11 店铺")
    at.button(key=f"do_rename_{info.id}").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == ["已重命名。"]
    data_values = RADIO_IDS | {info.id, f"双11 店铺 ({info.id})"}
    assert english_left(at, data_values=data_values, ignore=IGNORE) == []


def test_columns_not_enough_is_said_in_chinese(_isolated_home):
    data = "备注,数量\n你好,1\n再见,2\n".encode()
    at = _upload(_page("zh"), [("备注.csv", data)])
    shown = _plain(e.value for e in at.error)
    assert shown.startswith("找到的列不足以做任何分析。"), shown
    assert "购物篮分析需要 订单号 + 商品编码" in shown
    assert english_left(at, data_values=RADIO_IDS, ignore=IGNORE) == []


def test_dropped_rows_download_gives_the_reason_in_the_ui_language():
    from ecomdash.i18n import use_lang
    from ecomdash.ingest import load_bytes
    from ecomdash.ui.data_page import reasons_shown

    res = load_bytes((FIX / "taobao_items_v2.csv").read_bytes(), "淘宝宝贝.csv")
    rep = res.report
    assert len(rep.rejected) == 2  # the unpaid and the closed-before-payment lines
    english = reasons_shown(rep.rejected, rep.to_dict())
    assert english["reason"].tolist() == rep.rejected["reason"].tolist()
    assert all(r.startswith("order ") for r in english["reason"])
    with use_lang("zh"):
        chinese = reasons_shown(rep.rejected, rep.to_dict())
    assert sorted(r.split("：")[0] for r in chinese["reason"]) == [
        "订单在成交前已取消或关闭（不算销售，已剔除）",
        "订单未付款（尚未成交，已剔除）",
    ]
    assert rep.rejected["reason"].str.startswith("order ").all()  # the input is not changed


def test_summed_sales_notice_in_chinese(_isolated_home):
    data = (
        "日期,门店,部门,周销售额,节假日\n"
        "2024-01-05,1,1,100.50,FALSE\n"
        "2024-01-12,1,1,-20.00,TRUE\n"
        "2024-01-05,2,1,80.00,FALSE\n"
        "2024-01-12,2,1,90.25,TRUE\n"
    ).encode()
    at = _upload(_page("zh"), [("周销售.csv", data)])
    assert any(i.value.startswith("该表已经是汇总数据") for i in at.info)
    rules = _rules(at)
    # by hand: one row (-20.00) is a net return
    net = rules[rules["label"].str.startswith("汇总销售中的负金额")]
    assert net["rows"].tolist() == [1] and net["action"].tolist() == ["已标记"]
    assert at.selectbox(key="map_event").label == "活动标记"
    assert at.selectbox(key="map_event").value == "节假日"
    assert english_left(at, data_values=RADIO_IDS | {"TRUE", "FALSE"}, ignore=IGNORE) == []


def test_unreadable_rows_are_listed_in_chinese(_isolated_home):
    rows = [f"A{i},2024-03-0{1 + i % 9} 10:00,c{i},S1,杯子,1,10.00,10.00" for i in range(12)]
    rows.insert(5, "A99,2024-03-02 10:00,c99,S1,杯子,1,10.00,10.00,多出来的")
    data = (
        "订单号,下单时间,买家ID,商品编码,商品名称,数量,单价,实付金额\n" + "\n".join(rows)
    ).encode()
    at = _upload(_page("zh"), [("订单.csv", data)])
    assert any(w.value.startswith("有\u00a01\u00a0行无法读取") for w in at.warning)
    bad = next(d.value for d in at.dataframe if "reason" in d.value.columns)
    # by hand: line 7 (header + 5 rows before it) has 9 fields, the header 8
    assert bad["line_no"].tolist() == [7]
    assert bad["reason"].tolist() == ["有\u00a09\u00a0个字段，表头有\u00a08\u00a0个"]
    assert english_left(at, data_values=RADIO_IDS, ignore=IGNORE) == []


def test_append_and_delete_in_chinese(_isolated_home):
    at = _upload(_page("zh"), [("订单.csv", EN_CSV)])
    _save_button(at).click().run()
    assert not at.exception, at.exception
    at = _upload(_page("zh"), [("订单-再次.csv", EN_CSV)])
    radio = at.radio[0]
    assert radio.label == "保存为" and radio.options == ["新数据集", "追加到已有数据集"]
    radio.set_value("append").run()  # outside the form: it reruns
    assert not at.exception, at.exception
    assert not any(t.label == "新数据集名称" for t in at.text_input)
    target = next(s for s in at.selectbox if s.label.startswith("追加到的数据集"))
    info = saved_dataset(_isolated_home)
    assert target.options == ["订单（4\u00a0行）"]
    target.set_value(info.id)
    _save_button(at).click().run()
    assert not at.exception, at.exception
    # by hand: the same 4 lines again, all already in the dataset
    assert [s.value for s in at.success] == [
        "已向数据集追加\u00a00\u00a0个订单行；跳过了已有的\u00a04\u00a0个。"
    ]
    assert any(
        c.value == "后续追加：新增\u00a00\u00a0个订单行，跳过\u00a04\u00a0个重复行。"
        for c in at.caption
    )
    at.checkbox(key=f"sure_{info.id}").check().run()
    at.button(key=f"del_{info.id}").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == ["已删除。"]
    assert any(i.value == "还没有数据集：请在第一个标签页上传导出文件。" for i in at.info)


def test_workbook_with_several_sheets_asks_in_chinese(_isolated_home):
    import io

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "订单"
    ws.append(["订单号", "下单时间", "商品名称", "数量", "实付金额"])
    ws.append(["A1", "2024-11-11 10:00:00", "杯子", 2, 21.0])
    ws.append(["A2", "2024-11-12 09:00:00", "茶叶", 1, 30.0])
    other = wb.create_sheet("退货")
    other.append(["订单号", "退货时间", "金额"])
    other.append(["A1", "2024-11-13", 21.0])
    buf = io.BytesIO()
    wb.save(buf)
    at = AppTest.from_file(str(ROOT / "pages" / "data.py"), default_timeout=120)
    at.query_params["lang"] = "zh"
    at.run()
    at.file_uploader(key="uploader").set_value(
        [("店铺.xlsx", buf.getvalue(), "application/octet-stream")]
    )
    at.run()
    assert not at.exception, at.exception
    assert "该工作簿有多个含数据的工作表。订单在哪一个里？" in [i.value for i in at.info]
    sheet = at.selectbox(key="sheet_pick")
    assert sheet.label == "工作表" and sheet.options == ["订单", "退货"]
    assert english_left(at, data_values=RADIO_IDS, ignore=IGNORE) == []
    sheet.set_value("订单").run()
    assert not at.exception, at.exception
    assert _metrics(at)[:2] == ["2", "2"]
    assert english_left(at, data_values=RADIO_IDS, ignore=IGNORE) == []


#: two Chinese characters with a space between them: how a template filled word by word reads
#: (Chinese runs its words together; a column name is set off with “” instead)
SPACED = re.compile(r"[\u4e00-\u9fff] +[\u4e00-\u9fff]")
DAY_FIRST = (
    b"Order ID,Order Date,Customer,SKU,Product,Qty,Price\n"
    b"1001,13/03/2024,c1,S1,Teapot,1,25.00\n"
    b"1002,14/03/2024,c2,S2,Cup,2,3.00\n"
)


def test_marketplace_and_date_notes_read_as_chinese(_isolated_home):
    """The notes under a Taobao report and the date order's note: column names in “” with no
    spaces around them, listed with 、 (were "需要 订单报表", "由 '订单状态'、'退款状态' 合并",
    "日期按 日/月/年 读取")."""
    data = (FIX / "taobao_items_v2.csv").read_bytes()
    at = _upload(_page("zh"), [("淘宝宝贝.csv", data)])
    notes = [_plain([c.value]) for c in at.caption] + [t.value for t in at.text]
    assert (
        "每件商品（子订单）一行：销售额 = “买家实付金额”；该报表没有买家，客户相关分析需要同时上传“订单报表”。"
        in notes
    ), notes
    assert any("由“订单状态”、“退款状态”合并得到订单状态" in n for n in notes), notes
    assert not [n for n in notes if SPACED.search(n)], notes
    at = _upload(_page("zh"), [("orders.csv", DAY_FIRST)])
    notes = [_plain([c.value]) for c in at.caption] + [t.value for t in at.text]
    assert any("日期按日/月/年读取" in n for n in notes), notes
    assert not [n for n in notes if SPACED.search(n)], notes


def test_the_save_forms_currency_in_chinese(_isolated_home):
    """The currency a file without signs is given (data_page._currency_select), in Chinese:
    CLDR's currency names, the code in full-width brackets; the one chosen is saved."""
    at = _upload(_page("zh"), [("订单.csv", EN_CSV)])
    box = next(s for s in at.selectbox if s.label == "金额的币种")
    assert box.options[0] == "未注明（金额显示时不带货币符号）"
    assert {"英镑（GBP）", "人民币（CNY）", "美元（USD）"} <= set(box.options)
    assert box.help.startswith("文件中的金额不带货币符号。")
    box.set_value("CNY")
    _save_button(at).click().run()
    assert not at.exception, at.exception
    info = saved_dataset(_isolated_home)
    assert info.report["currency"] == "CNY"


def test_a_saved_upload_says_so_in_chinese(_isolated_home):
    """The upload just saved is not offered for saving again; the page says so in Chinese."""
    at = _upload(_page("zh"), [("订单.csv", EN_CSV)])
    at.text_input[0].set_value("三月订单")
    _save_button(at).click().run()
    assert not at.exception, at.exception
    assert not any(str(b.key).startswith("FormSubmitter:save_form") for b in at.button)
    [said] = [i.value.replace("\\", "") for i in at.info]
    assert said == (
        "此次上传已保存为数据集“三月订单”，现已在仪表盘中打开。"
        "要上传另一份导出，请先从上方的框中移除此文件（×）。"
    )
