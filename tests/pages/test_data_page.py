"""Data page in AppTest: upload, mapping, cleaning report, save, append, bad files."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from ecomdash.store import Store
from tests.pages.conftest import ROOT, saved_dataset

CN = (
    "订单号,下单时间,买家ID,商品编码,商品名称,数量,单价,实付金额\n"
    "A1,2024-11-11 10:00:00,u1,S1,杯子,2,10.5,21\n"
    "A1,2024-11-11 10:00:00,u1,S2,茶叶,1,30,30\n"
    "A2,2024-11-12 09:00:00,,S1,杯子,1,10.5,10.5\n"
    "A2,2024-11-12 09:00:00,,S1,杯子,1,10.5,10.5\n"
).encode("gb18030")


def _page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / "data.py"), default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def _upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.file_uploader(key="uploader").set_value((name, data, "text/csv"))
    at.run()
    assert not at.exception, at.exception
    return at


def _metric(at, label):
    return next(m for m in at.metric if m.label == label).value


def test_chinese_gbk_export_maps_cleans_and_saves(_isolated_home):
    at = _upload(_page(), "orders.csv", CN)
    sel = {s.key: s.value for s in at.selectbox}
    assert sel["map_order_id"] == "订单号" and sel["map_revenue"] == "实付金额"
    assert sel["map_customer_id"] == "买家ID" and sel["map_country"] == "(not in the file)"
    assert _metric(at, "Rows read") == "4"
    assert _metric(at, "Rows kept") == "3"  # one exact duplicate dropped
    at.text_input[0].set_value("Tmall November")
    at.button(key="FormSubmitter:save_form-Save").click().run()
    assert not at.exception, at.exception
    store = Store.open(_isolated_home)
    [info] = [d for d in store.list_datasets() if not d.is_demo]
    lines = store.load_lines(info.id)
    store.close()
    assert info.name == "Tmall November" and info.rows == 3
    assert info.mapping["order_id"] == "订单号"
    assert sorted(lines["product_name"].unique()) == sorted(["杯子", "茶叶"])
    assert lines["customer_id"].isna().sum() == 1
    assert at.session_state["dataset_id"] == info.id


def test_remapping_a_column_changes_what_is_saved(_isolated_home):
    at = _upload(_page(), "orders.csv", CN)
    at.selectbox(key="map_customer_id").set_value("(not in the file)").run()
    assert not at.exception, at.exception
    at.button(key="FormSubmitter:save_form-Save").click().run()
    store = Store.open(_isolated_home)
    [info] = [d for d in store.list_datasets() if not d.is_demo]
    store.close()
    assert "customer_id" not in info.columns and "customer_id" not in info.mapping


def test_mapping_says_which_pages_it_allows_by_their_names(_isolated_home):
    at = _upload(_page(), "orders.csv", CN)
    allows = next(d.value for d in at.dataframe if "analysis" in d.value.columns)
    # the pages as the sidebar and the tabs name them, not "the overview" mid-sentence
    assert list(allows["analysis"]) == [
        "Overview",
        "Basket analysis",
        "Forecast",
        "Restock planner",
        "Customer segments",
        "Customer value",
        "Recommendations",
        "Pricing & promotions",
    ]
    assert allows["available"].all()
    assert "missing" not in allows  # every analysis available: no empty "Missing fields"
    at.selectbox(key="map_customer_id").set_value("(not in the file)").run()
    allows = next(d.value for d in at.dataframe if "analysis" in d.value.columns)
    blocked = allows.loc[~allows["available"]].set_index("analysis")["missing"]
    assert set(blocked.index) == {"Customer segments", "Customer value", "Recommendations"}
    assert set(blocked) == {"Customer id"}  # the field by its name, not its id


#: the fields as a shop operator reads them (the mapping and the CLI keep the ids)
FIELD_WORDS = {
    "order_id": "Order id",
    "order_date": "Order date",
    "customer_id": "Customer id",
    "product_id": "Product id / SKU",
    "product_name": "Product name",
    "quantity": "Quantity",
    "unit_price": "Unit price",
    "revenue": "Line amount",
    "country": "Country / region",
    "category": "Category",
    "channel": "Channel",
    "location": "Store / location",
    "status": "Order status",
    "event": "Event flag",
}


def test_mapping_names_the_fields_in_words_not_ids(_isolated_home):
    at = _upload(_page(), "orders.csv", CN)
    labels = {s.key: s.label for s in at.selectbox if str(s.key).startswith("map_")}
    assert labels == {f"map_{k}": v for k, v in FIELD_WORDS.items()}
    # the amount's help says how it meets the tables' "Net revenue" (a different figure)
    help_ = at.selectbox(key="map_revenue").help
    assert help_.startswith("Amount of the line (paid); the pages' Net revenue is these ")
    assert "less returns and cancellations. Confidence " in help_, help_
    # "Why these columns": the field column and the reasons name the fields the same way
    why = next(d.value for d in at.dataframe if "reason" in d.value.columns)
    assert list(why["field"]) == list(FIELD_WORDS.values())
    reasons = " ".join(map(str, why["reason"]))
    assert "matches Order id" in reasons or "matches Line amount" in reasons, reasons
    assert not any(k in reasons for k in ("order_id", "customer_id", "revenue", "unit_price"))
    at.selectbox(key="map_revenue").set_value("(not in the file)").run()
    at.selectbox(key="map_unit_price").set_value("(not in the file)").run()
    allows = next(d.value for d in at.dataframe if "analysis" in d.value.columns)
    missing = " ".join(allows["missing"])
    assert "Line amount" in missing and "revenue" not in missing
    # the saved dataset's mapping keeps the ids, shown by their names on "Your datasets"
    at.button(key="FormSubmitter:save_form-Save").click().run()
    assert not at.exception, at.exception
    store = Store.open(_isolated_home)
    [info] = [d for d in store.list_datasets() if not d.is_demo]
    store.close()
    assert info.mapping["order_id"] == "订单号" and "revenue" not in info.mapping


def test_append_skips_lines_already_saved(_isolated_home):
    at = _upload(_page(), "orders.csv", CN)
    at.button(key="FormSubmitter:save_form-Save").click().run()
    at = _upload(_page(), "orders-again.csv", CN)
    at.radio(key="save_mode").set_value("append").run()  # outside the form: it reruns
    store = Store.open(_isolated_home)
    target = [d for d in store.list_datasets() if not d.is_demo][0]
    store.close()
    at.selectbox(
        key=[s.key for s in at.selectbox if s.label.startswith("Dataset to add")][0]
    ).set_value(target.id)
    at.button(key="FormSubmitter:save_form-Save").click().run()
    assert not at.exception, at.exception
    store = Store.open(_isolated_home)
    info = store.info(target.id)
    store.close()
    assert info.rows == 3 and info.version == 2
    assert info.report["appends"][0]["duplicates"] == 3


NAME_LABEL = "Name of the new dataset"
TARGET_LABEL = "Dataset to add to (lines already in it are skipped)"


def _save_inputs(at: AppTest) -> tuple[list[str], list[str]]:
    """The labels of the Save form's text inputs and selects (the mapping's selects left out)."""
    names = [t.label for t in at.text_input if t.label == NAME_LABEL]
    targets = [s.label for s in at.selectbox if s.label == TARGET_LABEL]
    return names, targets


def test_save_form_shows_only_the_input_of_the_chosen_mode(_isolated_home):
    at = _upload(_page(), "orders.csv", CN)
    at.text_input[0].set_value("Tmall November")
    at.button(key="FormSubmitter:save_form-Save").click().run()
    assert not at.exception, at.exception
    # a second dataset, so that the one chosen is not the select's first option by chance
    at = _upload(_page(), "other.csv", CN.replace(b"A1,", b"B1,").replace(b"A2,", b"B2,"))
    at.text_input[0].set_value("Other shop")
    at.button(key="FormSubmitter:save_form-Save").click().run()
    assert not at.exception, at.exception
    store = Store.open(_isolated_home)
    by_name = {d.name: d for d in store.list_datasets() if not d.is_demo}
    store.close()
    tmall, other = by_name["Tmall November"], by_name["Other shop"]
    # a third file: one order already in "Tmall November" (A2) and one new order (A3)
    more = (
        "订单号,下单时间,买家ID,商品编码,商品名称,数量,单价,实付金额\n"
        "A2,2024-11-12 09:00:00,,S1,杯子,1,10.5,10.5\n"
        "A3,2024-11-13 08:00:00,u3,S2,茶叶,2,30,60\n"
    ).encode("gb18030")
    at = _upload(_page(), "more.csv", more)
    radio = at.radio(key="save_mode")
    assert radio.value == "new" and not radio.disabled
    assert radio.options == ["A new dataset", "Add to an existing dataset"]
    assert _save_inputs(at) == ([NAME_LABEL], [])  # new: the name, no dataset to add to
    upload = at.session_state["data_upload"]
    read, cleaned = upload["raw"], upload["lines"]
    radio.set_value("append").run()
    assert not at.exception, at.exception
    assert _save_inputs(at) == ([], [TARGET_LABEL])  # append: the dataset, no name
    # the upload survived the rerun: the same state, not read or cleaned again
    upload = at.session_state["data_upload"]
    assert upload["raw"] is read and upload["lines"] is cleaned
    assert _metric(at, "Rows read") == "2" and _metric(at, "Rows kept") == "2"
    at.radio(key="save_mode").set_value("new").run()
    assert _save_inputs(at) == ([NAME_LABEL], [])
    at.radio(key="save_mode").set_value("append").run()
    target = at.selectbox(key=[s.key for s in at.selectbox if s.label == TARGET_LABEL][0])
    assert sorted(target.options) == sorted(["Tmall November (3 lines)", "Other shop (3 lines)"])
    assert target.value == other.id  # the default: choosing "Tmall November" is a real choice
    target.set_value(tmall.id)
    at.button(key="FormSubmitter:save_form-Save").click().run()
    assert not at.exception, at.exception
    assert [s.value.replace("\\", "") for s in at.success] == [  # inert() escapes "."
        # one of each: "1 line", not "1 lines"
        "Added 1 line to the dataset; skipped 1 line it already had."
    ]
    store = Store.open(_isolated_home)
    try:
        got, untouched = store.info(tmall.id), store.info(other.id)
        assert sorted(d.name for d in store.list_datasets() if not d.is_demo) == sorted(by_name)
    finally:
        store.close()
    assert got.rows == 4 and got.version == 2  # by hand: 3 lines + A3
    assert untouched.rows == 3 and untouched.version == 1
    assert at.session_state["dataset_id"] == tmall.id


def test_with_no_dataset_the_save_form_is_for_a_new_one(_isolated_home):
    at = _page()
    at.session_state["save_mode"] = "append"  # left from an earlier upload, say
    at = _upload(at, "orders.csv", CN)
    radio = at.radio(key="save_mode")
    assert radio.value == "new" and radio.disabled
    assert _save_inputs(at) == ([NAME_LABEL], [])
    at.text_input[0].set_value("First shop")
    at.button(key="FormSubmitter:save_form-Save").click().run()
    assert not at.exception, at.exception
    assert [s.value.replace("\\", "") for s in at.success] == ["Saved 3 lines as a new dataset."]
    store = Store.open(_isolated_home)
    [info] = [d for d in store.list_datasets() if not d.is_demo]
    store.close()
    assert info.name == "First shop" and info.rows == 3


def test_garbage_file_gets_a_message_and_keeps_saved_data(demo_dataset, _isolated_home):
    at = _upload(_page(), "orders.csv", bytes(range(256)) * 40)
    assert at.error, "expected a clear error message"
    assert "FormSubmitter:save_form-Save" not in [b.key for b in at.button]  # nothing to save
    store = Store.open(_isolated_home)
    assert [d.id for d in store.list_datasets()] == [demo_dataset.id]
    assert store.info(demo_dataset.id).rows == demo_dataset.rows
    store.close()


def test_empty_file_and_header_only(_isolated_home):
    at = _upload(_page(), "empty.csv", b"")
    assert at.error and not at.exception
    at = _upload(_page(), "header.csv", "订单号,下单时间,实付金额\n".encode())
    assert at.error and not at.exception


def test_datasets_tab_lists_and_renames(demo_dataset, _isolated_home):
    at = _page()
    assert any(demo_dataset.id in str(df.value["id"].tolist()) for df in at.dataframe)
    at.text_input(key=f"rename_{demo_dataset.id}").set_value("My demo shop")
    at.button(key=f"do_rename_{demo_dataset.id}").click().run()
    assert not at.exception, at.exception
    store = Store.open(_isolated_home)
    assert store.info(demo_dataset.id).name == "My demo shop"
    store.close()


SHOP = (
    b"Name,Created at,Email,Lineitem sku,Lineitem name,Lineitem quantity,Lineitem price\n"
    b"#1001,2024-03-01 10:00:00 +0000,a@x.com,SKU-1,Blue mug,2,12.50\n"
    b"#1002,2024-03-02 11:30:00 +0000,b@x.com,SKU-2,Green tea,1,8.00\n"
)


def _report_shown(at: AppTest) -> list[tuple]:
    """Each cleaning report on the page: its rules table (label, rows, action) or None, and
    the "checked, nothing found" expander's label and listed rules (or None)."""
    tables = [
        d.value[["label", "rows", "action"]].values.tolist()
        for d in at.dataframe
        if {"label", "rows", "action"} <= set(d.value.columns)
    ]
    checked = [
        (e.label, [line.removeprefix("- ").replace("\\", "") for line in md.value.split("\n")])
        for e in at.expander
        if "nothing found" in e.label
        for md in e.markdown
    ]
    return tables, checked


def test_cleaning_report_lists_the_rules_that_found_rows_and_names_the_others_once(
    _isolated_home,
):
    at = _upload(_page(), "orders.csv", CN)
    tables, checked = _report_shown(at)
    # by hand from CN: line 4 repeats line 3 (dropped); lines 3 and 4 have no customer (kept)
    assert tables == [
        [
            ["no customer id (guest orders)", 2, "kept"],
            ["exact duplicate of an earlier row", 1, "dropped"],
        ]
    ]
    [(label, names)] = checked
    assert label == "11 rules checked, nothing found" and len(names) == 11
    assert "price is zero" in names and "exact duplicate of an earlier row" not in names
    # the samples of the rules that found rows, their counts in words ("1 row", "2 rows")
    samples = [e.label.replace("\\", "") for e in at.expander if e.label.startswith("Sample")]
    assert samples == [
        "Sample: exact duplicate of an earlier row (1 row)",
        "Sample: no customer id (guest orders) (2 rows)",
    ]
    assert not any(c.value == "No cleaning rule found anything in these rows." for c in at.caption)
    # the saved dataset's report (Datasets tab) says the same as the upload did
    at.button(key="FormSubmitter:save_form-Save").click().run()
    assert not at.exception, at.exception
    assert _report_shown(_page()) == (tables, checked)


def test_cleaning_report_of_a_clean_file_says_nothing_was_found(_isolated_home):
    at = _upload(_page(), "shop.csv", SHOP)
    assert _metric(at, "Rows read") == "2" and _metric(at, "Rows kept") == "2"
    tables, [(label, names)] = _report_shown(at)
    assert tables == [] and label == "13 rules checked, nothing found" and len(names) == 13
    said = "No cleaning rule found anything in these rows."
    assert [c.value for c in at.caption].count(said) == 1
    assert not any(c.value == "No cleaning rule applied." for c in at.caption)
    at.button(key="FormSubmitter:save_form-Save").click().run()
    saved = _page()
    assert _report_shown(saved) == (tables, [(label, names)])
    assert [c.value for c in saved.caption].count(said) == 1


def test_cleaning_report_of_a_clean_file_in_chinese(_isolated_home):
    at = AppTest.from_file(str(ROOT / "pages" / "data.py"), default_timeout=60)
    at.query_params["lang"] = "zh"
    at = _upload(at.run(), "shop.csv", SHOP)
    assert any(c.value == "清洗规则未在这些行中发现任何问题。" for c in at.caption)
    [(label, names)] = [
        (e.label, md.value.split("\n"))
        for e in at.expander
        if "未命中任何行" in e.label
        for md in e.markdown
    ]
    assert label == "13\u00a0条规则已检查，未命中任何行" and len(names) == 13
    assert not any(re.search("[a-z]{3,}", n) for n in names), names


RETURNED = (
    b"Invoice,InvoiceDate,Customer ID,StockCode,Description,Quantity,Price\n"
    b"1001,2024-03-01 10:00,c1,S1,Mug,2,5\n"
    b"1002,2024-03-02 10:00,c2,S2,Tea,1,3\n"
    b"C1003,2024-03-05 10:00,c1,S1,Mug,-2,5\n"
)


def test_report_counts_say_what_they_count(_isolated_home):
    """The fourth count is the sale lines a later return cancels (one here: 1001's mug), not
    "Cancellations matched", which read next to the cancellation orders' lines as a count of
    cancelled orders; each count's help says what it counts and where flagged rows went."""
    at = _upload(_page(), "orders.csv", RETURNED)
    shown = {m.label: (m.value, m.help) for m in at.metric}
    assert list(shown) == ["Rows read", "Rows kept", "Rows dropped", "Sale lines cancelled later"]
    assert shown["Sale lines cancelled later"][0] == "1"
    assert "later return that cancels them" in shown["Sale lines cancelled later"][1]
    assert "the flagged ones included" in shown["Rows kept"][1]
    assert shown["Rows kept"][0] == "3"  # the return's line is kept (flagged), not dropped
    assert shown["Rows read"][1].startswith("The data rows read (the header not counted)")
    assert "the table below says why" in shown["Rows dropped"][1]
    zh = AppTest.from_file(str(ROOT / "pages" / "data.py"), default_timeout=60)
    zh.query_params["lang"] = "zh"
    zh = _upload(zh.run(), "orders.csv", RETURNED)
    helps = {m.label: m.help for m in zh.metric}
    assert list(helps) == ["读取行数", "保留行数", "剔除行数", "退货抵消行数"]
    assert all(h and not re.search("[A-Za-z]{3,}", h) for h in helps.values()), helps


NO_DATE = b"Invoice,StockCode,Quantity,Price\n1,A,2,3.5\n2,B,1,4\n"


def test_a_file_with_no_date_column_says_so_and_what_to_do(_isolated_home):
    """Without an order date only basket analysis can run: the page used to say it only by
    the "allows" table's ticks, and saved the file without a word."""
    at = _upload(_page(), "orders.csv", NO_DATE)
    said = " ".join(w.value.replace("\\", "") for w in at.warning)
    assert "No column is mapped to Order date" in said, said
    assert "choose its column under Order date above" in said
    assert "export your orders again with their date" in said
    assert not at.exception and not at.error
    # a file with its date gets no such warning
    at = _upload(_page(), "orders.csv", CN)
    assert not any("No column is mapped" in w.value for w in at.warning)
    zh = AppTest.from_file(str(ROOT / "pages" / "data.py"), default_timeout=60)
    zh.query_params["lang"] = "zh"
    zh = _upload(zh.run(), "orders.csv", NO_DATE)
    said = " ".join(w.value.replace("\\", "") for w in zh.warning)
    assert "没有列对应到“下单日期”" in said and "重新导出带下单日期的订单" in said, said


def test_a_field_worked_out_from_others_says_so_and_an_unmatched_one_says_what_to_do(
    _isolated_home,
):
    """RETURNED has a quantity and a price but no line amount: "(not in the file)" under Line
    amount with "Confidence 0 %" read as if the sales amounts were missing."""
    at = _upload(_page(), "orders.csv", RETURNED)
    said = [c.value for c in at.caption]
    assert (
        "Line amount is not in your file: each line's amount is worked out as Quantity × "
        "Unit price." in said
    ), said
    help_ = at.selectbox(key="map_revenue").help
    assert "No column of your file was recognised as this field: choose it here" in help_
    assert "Confidence" not in help_
    assert "Confidence 95\u00a0%" in at.selectbox(key="map_order_id").help  # a match keeps its own
    # mapped by hand, nothing is worked out
    at.selectbox(key="map_unit_price").set_value("(not in the file)").run()
    assert not any("is worked out" in c.value for c in at.caption)
    zh = AppTest.from_file(str(ROOT / "pages" / "data.py"), default_timeout=60)
    zh.query_params["lang"] = "zh"
    zh = _upload(zh.run(), "orders.csv", RETURNED)
    assert "文件中没有“销售额”：每行金额按“数量”×“单价”计算。" in [c.value for c in zh.caption]
    assert zh.selectbox(key="map_revenue").help.endswith(
        "文件中没有识别出对应这个字段的列：如果文件里有，请在这里选择。"
    )


NO_AMOUNT = b"Invoice,Date,StockCode,Customer\n1,2024-01-02,A,c1\n2,2024-01-03,B,c2\n"


def test_a_file_with_no_amount_says_so_and_what_to_do(_isolated_home):
    """No line amount and no quantity and price: the page only showed it in the "allows"
    table's "missing" column, and saved the file without a word."""
    at = _upload(_page(), "orders.csv", NO_AMOUNT)
    said = " ".join(w.value.replace("\\", "") for w in at.warning)
    assert (
        "No column gives the amount of a line (Line amount, or Quantity and Unit price)" in said
    ), said
    assert "export your orders again with them" in said
    assert "No column is mapped to Order date" not in said  # the date is there
    assert not at.exception and not at.error
    for data in (CN, RETURNED):  # an amount, or a quantity and a price: no warning
        at = _upload(_page(), "orders.csv", data)
        assert not any("amount of a line" in w.value for w in at.warning)
    zh = AppTest.from_file(str(ROOT / "pages" / "data.py"), default_timeout=60)
    zh.query_params["lang"] = "zh"
    zh = _upload(zh.run(), "orders.csv", NO_AMOUNT)
    said = " ".join(w.value.replace("\\", "") for w in zh.warning)
    assert "没有列给出每行的金额（“销售额”，或“数量”和“单价”）" in said, said


def test_demo_merchants_report_counts_the_flags_its_lines_carry(demo_dataset, demo):
    """The demo is generated, not read from a file: its saved report used to say "No cleaning
    rule applied." and 0 sale lines cancelled later while its lines held thousands of returns,
    cancelled sales and postage lines. Now its Datasets view counts them (by hand from the
    lines' flags) and says where the dataset came from."""
    lines = demo.lines
    at = _page()
    assert _metric(at, "Sale lines cancelled later") == f"{int(lines['is_cancelled'].sum()):,}"
    assert _metric(at, "Rows dropped") == "0"
    assert not any(c.value == "No cleaning rule applied." for c in at.caption)
    [table], _ = _report_shown(at)
    rows = {label: n for label, n, _action in table}
    c_orders = lines.loc[lines["is_return"].astype(bool), "order_id"]
    label = f"cancellation lines: order id starts with C ({c_orders.nunique():,} orders)"
    assert rows[label] == len(c_orders)
    assert rows["postage, fees, adjustments and other non-product lines"] == int(
        lines["is_non_product"].sum()
    )
    assert any("Generated by ecomdash, not read from a file" in t.value for t in at.text)


def test_datasets_table_leads_with_what_tells_datasets_apart(demo_dataset):
    """The datasets table used to run Dataset, Id, Lines, Version, Columns, Source, Updated:
    the long list of columns pushed the last change off the table's right edge (seen in
    Chromium). It now leads with the name, lines and last change; the column list is last."""
    at = _page()
    [table] = [d.value for d in at.dataframe if "columns" in d.value.columns]
    assert list(table.columns) == ["name", "lines", "updated", "source", "version", "id", "columns"]
    assert table.loc[0, "lines"] == demo_dataset.rows


def test_the_uploaders_line_and_the_browsers_limit_are_the_limit_the_page_checks(
    _isolated_home, monkeypatch
):
    """One constant: the line beside the button says it, the widget's ``max_upload_size`` is
    it (the browser refuses a bigger file), and the page checks the whole upload against it —
    an upload of exactly that many bytes is read, one byte more is refused with a message.
    The constant is made 1 MB (2**20 bytes) here so the files stay small."""
    from ecomdash.ui import data_page
    from ecomdash.ui.uploader import css_string

    monkeypatch.setattr(data_page, "DEFAULT_MAX_BYTES", 2**20)
    at = _page()
    line = "CSV, TSV, TXT, XLSX, PARQUET, GZ, ZIP · up to 1 MB in all"
    assert any(css_string(line) in h.proto.body for h in at.get("html"))
    assert at.file_uploader(key="uploader").proto.max_upload_size_mb == 1

    head = (
        b"Name,Created at,Email,Lineitem sku,Lineitem quantity,Lineitem price\n"
        b"#1,2024-03-01 10:00:00,a@x.com,S1,2,12.50\n"
        b"#2,2024-03-02 11:00:00,b@x.com,S2,1,8.00\n"
    )
    at_limit = head + b"\n" * (2**20 - len(head))  # blank lines: no rows
    over = "over the 1 MB limit"
    _upload(at, "orders.csv", at_limit)
    assert not any(over in e.value for e in at.error), [e.value for e in at.error]
    assert _metric(at, "Rows read") == "2"
    # two files, each under the limit, one byte over it together
    at.file_uploader(key="uploader").set_value(
        [("a.csv", at_limit[: 2**19], "text/csv"), ("b.csv", at_limit[2**19 :] + b"\n", "text/csv")]
    )
    at.run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error if over in e.value] == [
        "The upload is 1.1 MB, over the 1 MB limit. Export a shorter period, or compress it as "
        ".gz or .zip, and upload again."
    ]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_old_xls_order_export_is_told_what_to_do(_isolated_home, lang):
    """The order uploader refused a .xls in the browser: a red chip whose tooltip read
    "application/vnd.ms-excel files are not allowed.", in English, nothing about saving it as
    .xlsx (the stock uploaders did the same, seen in Chromium). It takes the file now (the
    line beside it does not list it) and the page says what to do, in the merchant's
    language; nothing is offered for saving."""
    at = AppTest.from_file(str(ROOT / "pages" / "data.py"), default_timeout=60)
    at.query_params["lang"] = lang
    at.run()
    up = at.file_uploader(key="uploader")
    assert ".xls" in list(up.proto.type)
    up.set_value(("orders.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2048), "x"))
    at.run()
    assert not at.exception, at.exception
    errors = [re.sub(r"\\(.)", r"\1", e.value) for e in at.error]  # markdown escapes
    want = {"en": "old Excel 97-2003 (.xls)", "zh": "Excel 97-2003"}[lang]
    assert len(errors) == 1 and want in errors[0], errors
    assert ".xlsx" in errors[0]
    assert not [b for b in at.button if b.key and "save" in b.key.lower()]


# UCI Online Retail II's layout: plain numbers, no currency sign (the shop is in £)
PLAIN = (
    b"Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country\n"
    b"489434,85048,CREAM CUPID HEARTS COAT HANGER,12,2009-12-01 07:45:00,6.95,13085.0,UK\n"
    b'489434,22041,RECORD FRAME 7" SINGLE SIZE,48,2009-12-01 07:45:00,2.10,13085.0,UK\n'
    b"489435,22350,CAT BOWL,12,2009-12-01 07:46:00,2.55,13086.0,UK\n"
)
CURRENCY_LABEL = "Currency of the amounts"


def test_amounts_without_a_sign_can_be_given_their_currency(_isolated_home):
    """A file in £ written as plain numbers (UCI Online Retail II): the Save form asks for the
    currency, and the one chosen is the dataset's (every page writes £). Before, there was no
    way to say it: the Home read "spent 1,054,495" and "At stake 1.05M"."""
    from ecomdash import labels as L

    at = _upload(_page(), "online_retail.csv", PLAIN)
    box = next(s for s in at.selectbox if s.label == CURRENCY_LABEL)
    assert box.value == ""  # not stated: the file does not say
    assert box.options[0] == "Not stated (amounts shown without a currency sign)"
    assert "British Pound (GBP)" in box.options
    assert "no currency sign" in box.help
    box.set_value("GBP")
    at.button(key="FormSubmitter:save_form-Save").click().run()
    assert not at.exception, at.exception
    info = saved_dataset(_isolated_home)
    assert info.report["currency"] == "GBP"
    assert L.display_for(info.report).symbol == "£"


def test_amounts_with_a_sign_keep_their_currency(_isolated_home):
    """The currency read off the amounts (£6.95) is the form's default."""
    signed = PLAIN.replace(b",6.95,", b",\xc2\xa36.95,").replace(b",2.10,", b",\xc2\xa32.10,")
    at = _upload(_page(), "signed.csv", signed)
    box = next(s for s in at.selectbox if s.label == CURRENCY_LABEL)
    assert box.value == "GBP"
    assert "Read off your file's amounts" in box.help
    at.button(key="FormSubmitter:save_form-Save").click().run()
    assert not at.exception, at.exception
    assert saved_dataset(_isolated_home).report["currency"] == "GBP"


def test_a_file_saved_with_no_currency_chosen_has_none(_isolated_home):
    """A file without a sign, saved as it comes, has no currency: none is made up. The
    form's "Not stated" is recorded as the merchant's choice (``currencies.NOT_STATED``)."""
    from ecomdash.currencies import dataset_currency

    at = _upload(_page(), "online_retail.csv", PLAIN)
    at.button(key="FormSubmitter:save_form-Save").click().run()
    assert not at.exception, at.exception
    report = saved_dataset(_isolated_home).report
    assert report["currency"] == "" and dataset_currency(report) is None


def test_adding_to_a_dataset_asks_no_currency(demo_dataset, _isolated_home):
    at = _upload(_page(), "online_retail.csv", PLAIN)
    at.radio(key="save_mode").set_value("append").run()
    # the dataset's own stays (the saved datasets' "Currency", keyed currency_<id>_<version>,
    # is where it is changed)
    save_form = [s for s in at.selectbox if not (s.key or "").startswith("currency_")]
    assert CURRENCY_LABEL not in [s.label for s in save_form]


def test_a_saved_upload_is_not_offered_for_saving_again(_isolated_home):
    """After Save the file stays in the uploader: the page said "Saved 518,596 lines as a new
    dataset." above the same file read, cleaned and offered to save again (UCI Online Retail
    II in Chromium), and a second Save made a second dataset of the same name. Now it says
    the upload is saved, as which dataset, and how to upload another."""
    at = _upload(_page(), "online_retail.csv", PLAIN)
    at.text_input[0].set_value("UCI 2010")
    at.button(key="FormSubmitter:save_form-Save").click().run()
    assert not at.exception, at.exception
    assert [s.value.replace("\\", "") for s in at.success] == ["Saved 3 lines as a new dataset."]
    assert "FormSubmitter:save_form-Save" not in [b.key for b in at.button]
    # not read and cleaned again (the saved dataset's report is in the other tab)
    assert [h.value for h in at.subheader if h.value.startswith("Cleaning report")] == [
        "Cleaning report of this dataset"
    ]
    [said] = [i.value.replace("\\", "") for i in at.info]
    assert said == (
        "This upload is saved as the dataset “UCI 2010”, now open in the dashboard. "
        "To upload another export, remove this file from the box above (×)."
    )
    at.run()  # still so on the next run
    assert "FormSubmitter:save_form-Save" not in [b.key for b in at.button]
    # another file is read and offered for saving
    at = _upload(at, "other.csv", PLAIN.replace(b"489434", b"489500"))
    assert "FormSubmitter:save_form-Save" in [b.key for b in at.button]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_appended_note_says_one_as_one_and_no_skipped_zero(lang):
    """The append's confirmation read "Added 1 lines to the dataset; skipped 0 lines it
    already had.": counts in their singular or plural, the skipped clause only when some were
    skipped."""
    from ecomdash.i18n import use_lang
    from ecomdash.i18n.note import tr_note
    from ecomdash.ui.data_page import appended_note

    with use_lang(lang):
        got = [tr_note(appended_note(a, s)) for a, s in ((1, 0), (3, 1), (0, 4))]
    assert (
        got
        == {
            "en": [
                "Added 1 line to the dataset.",
                "Added 3 lines to the dataset; skipped 1 line it already had.",
                "Added 0 lines to the dataset; skipped 4 lines it already had.",
            ],
            "zh": [
                "已向数据集追加\u00a01\u00a0个订单行。",
                "已向数据集追加\u00a03\u00a0个订单行；跳过了已有的\u00a01\u00a0个。",
                "已向数据集追加\u00a00\u00a0个订单行；跳过了已有的\u00a04\u00a0个。",
            ],
        }[lang]
    )
