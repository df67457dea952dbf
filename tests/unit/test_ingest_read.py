"""Reading: formats, compression, encodings, delimiters, headers and every bad input.

Fixtures are built in the tests (small, by hand), so every expected value is visible here.
"""

from __future__ import annotations

import gzip
import io
import zipfile

import openpyxl
import pandas as pd
import pytest

from ecomdash.errors import EcomdashError, InputFileError, MappingError
from ecomdash.i18n import use_lang
from ecomdash.i18n.note import tr_note
from ecomdash.ingest import (
    DEFAULT_MAX_BYTES,
    SheetChoiceError,
    inspect_bytes,
    load_bytes,
    load_path,
)

ROWS = [
    [
        "Invoice",
        "StockCode",
        "Description",
        "Quantity",
        "InvoiceDate",
        "Price",
        "Customer ID",
        "Country",
    ],
    ["1001", "A1", "Red mug", "2", "2024-03-01 10:00:00", "3.5", "17.0", "France"],
    ["1001", "B2", "Blue bowl", "1", "2024-03-01 10:00:00", "12.0", "17.0", "France"],
    ["1002", "A1", "Red mug", "4", "2024-03-02 11:30:00", "3.5", "", "Germany"],
]


def csv_text(rows=ROWS, sep=",") -> str:
    return "\n".join(sep.join(r) for r in rows) + "\n"


def xlsx_bytes(sheets: dict[str, list[list]]) -> bytes:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def parquet_bytes(df: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    df.to_parquet(buf, index=False)
    return buf.getvalue()


def check_basic(res) -> None:
    lines = res.lines
    assert len(lines) == 3
    assert lines["order_id"].tolist() == ["1001", "1001", "1002"]
    assert lines["quantity"].tolist() == [2.0, 1.0, 4.0]
    assert lines["revenue"].tolist() == [7.0, 12.0, 14.0]  # 2*3.5, 1*12, 4*3.5
    assert lines["customer_id"].iloc[0] == "17"
    assert pd.isna(lines["customer_id"].iloc[2])
    assert lines["order_date"].iloc[2] == pd.Timestamp("2024-03-02 11:30:00")


# ---------------------------------------------------------------------------------- delimiters


@pytest.mark.parametrize(
    ("sep", "name"), [(",", "comma"), (";", "semicolon"), ("\t", "tab"), ("|", "pipe")]
)
def test_delimiters_are_sniffed(sep, name):
    res = load_bytes(csv_text(sep=sep).encode(), "orders.txt")
    assert res.raw_info["delimiter"] == name
    check_basic(res)


def test_whitespace_delimited_with_header():
    text = " customer_id  date number_of_cds  dollar_value\r\n 00001 19970101  1   11.77\r\n 00002 19970112  2   24.00\r\n"
    res = load_bytes(text.encode(), "cdnow.txt")
    assert res.raw_info["delimiter"] == "whitespace"
    assert res.lines["customer_id"].tolist() == ["00001", "00002"]  # zero padding kept
    assert res.lines["order_date"].tolist() == [
        pd.Timestamp("1997-01-01"),
        pd.Timestamp("1997-01-12"),
    ]
    assert res.lines["revenue"].tolist() == [11.77, 24.0]
    assert res.lines["unit_price"].tolist() == [11.77, 12.0]  # revenue / quantity


def test_headerless_whitespace_is_mapped_by_content():
    # customer, date YYYYMMDD, cds, dollars; customer 00001 buys on two dates
    text = "00001 19970101 1 11.77\n00001 19970301 2 20.50\n00002 19970112 1 12.00\n00003 19970115 3 30.10\n"
    res = load_bytes(text.encode(), "sample.txt")
    assert res.raw_info["has_header"] is False
    m = res.mapping.as_dict()
    assert m["customer_id"] == "column_1"
    assert m["order_date"] == "column_2"
    assert m["quantity"] == "column_3"
    assert m["revenue"] == "column_4"
    assert res.lines["line_no"].tolist() == [1, 2, 3, 4]


def test_headerless_whole_number_amounts_are_amounts_not_ids():
    # a payments log exported without a header: order no. (rising), date, buyer id (repeats
    # on other dates), quantity, amount paid in whole yuan (price points end in 9 / 0)
    import numpy as np

    rng = np.random.default_rng(3)
    rows = []
    for k in range(300):
        buyer = 20_000 + int(rng.integers(0, 60))
        amount = int(rng.choice([99, 129, 199, 299, 399, 499, 999, 1299, 1999, 150, 300]))
        day = 1 + k // 12
        rows.append(f"{880_000 + k},2024-03-{day:02d},{buyer},{1 + k % 3},{amount}")
    res = load_bytes(("\n".join(rows) + "\n").encode(), "payments.csv")
    assert res.raw_info["has_header"] is False
    assert res.mapping.as_dict() == {
        "order_id": "column_1",
        "order_date": "column_2",
        "customer_id": "column_3",
        "quantity": "column_4",
        "revenue": "column_5",
    }


def test_basket_list_one_basket_per_line():
    text = "citrus fruit,semi-finished bread,margarine\ntropical fruit,yogurt\nwhole milk\ncream cheese ,yogurt\n"
    res = load_bytes(text.encode(), "groceries.csv")
    assert res.raw_info["layout"] == "basket_list"
    lines = res.lines
    assert len(lines) == 3 + 2 + 1 + 2
    assert lines["order_id"].tolist() == ["1", "1", "1", "2", "2", "3", "4", "4"]
    assert lines["product_id"].iloc[6] == "cream cheese"  # trimmed
    assert lines["line_no"].tolist() == [1, 1, 1, 2, 2, 3, 4, 4]


def test_single_header_with_quotes_commas_and_doubled_quotes():
    text = 'Invoice,StockCode,Description,Quantity,InvoiceDate,Price\n1,22041,"RECORD FRAME 7"" SINGLE, SIZE ",48,2009-12-01 07:45:00,2.1\n'
    res = load_bytes(text.encode(), "x.csv")
    assert res.lines["product_name"].iloc[0] == 'RECORD FRAME 7" SINGLE, SIZE'


# ---------------------------------------------------------------------------------- encodings


def test_utf8_with_bom():
    res = load_bytes(b"\xef\xbb\xbf" + csv_text().encode(), "x.csv")
    assert res.raw_info["encoding"] == "utf-8-sig"
    assert res.mapping.as_dict()["order_id"] == "Invoice"  # BOM not part of the name
    check_basic(res)


def test_cp1252():
    rows = [r[:] for r in ROWS]
    rows[1][2] = "Crème brûlée dish – €"
    res = load_bytes(csv_text(rows).encode("cp1252"), "x.csv")
    assert res.raw_info["encoding"] == "cp1252"
    assert res.lines["product_name"].iloc[0] == "Crème brûlée dish – €"


CN_ROWS = [
    ["订单编号", "下单时间", "买家会员名", "商品编码", "宝贝标题", "购买数量", "商品单价", "国家"],
    ["T001", "2024年11月11日 00:05:00", "小王", "SKU-1", "保温杯 500毫升", "2", "49.90", "中国"],
    ["T001", "2024年11月11日 00:05:00", "小王", "SKU-2", "运费", "1", "10.00", "中国"],
    ["T002", "2024年11月12日", "李雷", "SKU-1", "保温杯 500毫升", "1", "49.90", "中国"],
]


@pytest.mark.parametrize("encoding", ["gb18030", "gbk", "utf-8"])
def test_chinese_headers_and_encodings(encoding):
    res = load_bytes(csv_text(CN_ROWS).encode(encoding), "订单.csv")
    assert res.raw_info["encoding"] in ({"gb18030"} if encoding != "utf-8" else {"utf-8"})
    m = res.mapping.as_dict()
    assert m == {
        "order_id": "订单编号",
        "order_date": "下单时间",
        "customer_id": "买家会员名",
        "product_id": "商品编码",
        "product_name": "宝贝标题",
        "quantity": "购买数量",
        "unit_price": "商品单价",
        "country": "国家",
    }
    lines = res.lines
    assert lines["product_name"].iloc[0] == "保温杯 500毫升"
    assert lines["order_date"].tolist() == [
        pd.Timestamp("2024-11-11 00:05"),
        pd.Timestamp("2024-11-11 00:05"),
        pd.Timestamp("2024-11-12"),
    ]
    assert lines["revenue"].tolist() == pytest.approx([99.8, 10.0, 49.9])
    # 运费 (shipping fee) is a non-product line only through its name when the id is opaque;
    # here the id SKU-2 is a plain code, so it is flagged by name only when the id is missing
    assert lines["is_non_product"].sum() == 0


def test_utf16_excel_unicode_text():
    text = csv_text(sep="\t")
    res = load_bytes(text.encode("utf-16"), "export.txt")
    assert res.raw_info["encoding"] == "utf-16"
    check_basic(res)


# ---------------------------------------------------------------------------------- containers


def test_gzip_and_zip():
    data = csv_text().encode()
    check_basic(load_bytes(gzip.compress(data), "orders.csv.gz"))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("export/orders.csv", data)
        zf.writestr("__MACOSX/._orders.csv", b"junk")
    res = load_bytes(buf.getvalue(), "orders.zip")
    assert res.raw_info["compression"] == "zip"
    check_basic(res)


def test_zip_with_two_files_is_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a.csv", csv_text())
        zf.writestr("b.csv", csv_text())
    with pytest.raises(InputFileError, match="2 files"):
        load_bytes(buf.getvalue(), "x.zip")


def test_xlsx_one_sheet_typed_cells():
    import datetime as dt

    rows = [ROWS[0]] + [
        [1001, "A1", "Red mug", 2, dt.datetime(2024, 3, 1, 10), 3.5, 17.0, "France"],
        [1001, "B2", "Blue bowl", 1, dt.datetime(2024, 3, 1, 10), 12, 17.0, "France"],
        [1002, "A1", "Red mug", 4, dt.datetime(2024, 3, 2, 11, 30), 3.5, None, "Germany"],
    ]
    res = load_bytes(xlsx_bytes({"Orders": rows}), "orders.xlsx")
    assert res.raw_info["format"] == "xlsx"
    assert res.raw_info["sheet"] == "Orders"
    check_basic(res)
    assert res.lines["line_no"].tolist() == [2, 3, 4]  # sheet row numbers


def test_xlsx_excel_serial_dates():
    rows = [["Order ID", "Order Date", "Total"], ["1", 45352, 10.0], ["2", 45353.5, 5.0]]
    res = load_bytes(xlsx_bytes({"S": rows}), "x.xlsx")
    # 45352 = 2024-03-01 in Excel's 1900 date system
    assert res.lines["order_date"].tolist() == [
        pd.Timestamp("2024-03-01"),
        pd.Timestamp("2024-03-02 12:00"),
    ]


def test_xlsx_several_sheets_asks_which():
    data = xlsx_bytes({"Orders": ROWS, "Notes": [["a"], ["b"]], "Empty": []})
    with pytest.raises(SheetChoiceError) as err:
        load_bytes(data, "book.xlsx")
    assert err.value.sheets == ("Orders", "Notes")
    assert "'Orders'" in str(err.value) and "'Notes'" in str(err.value)
    check_basic(load_bytes(data, "book.xlsx", sheet="Orders"))
    with pytest.raises(SheetChoiceError, match="no sheet named 'Nope'"):
        load_bytes(data, "book.xlsx", sheet="Nope")


def test_parquet():
    df = pd.DataFrame(
        {
            "Invoice": [1001, 1001, 1002],
            "StockCode": ["A1", "B2", "A1"],
            "Quantity": [2, 1, 4],
            "InvoiceDate": pd.to_datetime(
                ["2024-03-01 10:00", "2024-03-01 10:00", "2024-03-02 11:30"]
            ),
            "Price": [3.5, 12.0, 3.5],
            "Customer ID": [17.0, 17.0, None],
        }
    )
    res = load_bytes(parquet_bytes(df), "x.parquet")
    assert res.raw_info["format"] == "parquet"
    check_basic(res)


def test_content_wins_over_extension():
    # an .xlsx that is really CSV text, and a .csv that is really a workbook
    res = load_bytes(csv_text().encode(), "orders.xlsx")
    check_basic(res)
    assert any("plain text" in n for n in res.raw_info["notes"])
    res = load_bytes(xlsx_bytes({"S": ROWS}), "orders.csv")
    assert res.raw_info["format"] == "xlsx"
    check_basic(res)


# ---------------------------------------------------------------------------------- bad input


def test_empty_file():
    for data in (b"", b"   \n\n"):
        with pytest.raises(InputFileError, match="empty"):
            load_bytes(data, "x.csv")


def test_header_only():
    with pytest.raises(InputFileError, match="no data rows"):
        load_bytes(b"Invoice,StockCode,Quantity\n", "x.csv")


def test_binary_garbage():
    import random

    rnd = random.Random(0)
    data = bytes(rnd.randrange(256) for _ in range(5000))
    with pytest.raises(InputFileError, match="binary"):
        load_bytes(data, "x.csv")
    with pytest.raises(InputFileError):
        load_bytes(b"%PDF-1.4\x00\x01\x02\x03" * 50, "x.csv")


def test_old_xls_and_broken_xlsx():
    with pytest.raises(InputFileError, match=r"\.xls"):
        load_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "x.xls")
    with pytest.raises(InputFileError, match="damaged"):
        load_bytes(b"PK\x03\x04" + b"\x00" * 100, "x.xlsx")


def test_excel_zip_bomb_checked_before_parsing():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", b" " * (60 * 1024 * 1024))
    data = buf.getvalue()
    assert len(data) < 1024 * 1024
    with pytest.raises(InputFileError, match="compression bomb"):
        load_bytes(data, "bomb.xlsx")
    # and the absolute size limit from the directory
    with pytest.raises(InputFileError, match="unpacks to"):
        load_bytes(data, "bomb.xlsx", max_bytes=1024 * 1024)


def test_truncated_gzip_is_refused_not_read_short():
    # a download that stopped early: the gzip trailer is missing, rows would be lost silently
    whole = gzip.compress(csv_text().encode() * 50)
    assert len(load_bytes(whole, "orders.csv.gz").lines) > 0
    with pytest.raises(InputFileError, match="cut short"):
        load_bytes(whole[: len(whole) - 6], "orders.csv.gz")


def test_gzip_bomb():
    data = gzip.compress(b"a" * (30 * 1024 * 1024))
    with pytest.raises(InputFileError, match="bomb|larger"):
        load_bytes(data, "x.csv.gz", max_bytes=1024 * 1024)


def test_duplicate_header_names():
    with pytest.raises(InputFileError, match=r"'Price' in columns 3, 4"):
        load_bytes(b"Invoice,SKU,Price,price\n1,A,2,3\n", "x.csv")


def test_ragged_rows_are_reported_with_line_numbers():
    rows = [",".join(r) for r in ROWS]
    # 50 good lines + 1 short line: dropped and reported
    good = "\n".join(f"{2000 + i}," + rows[1].split(",", 1)[1] for i in range(50))
    text = rows[0] + "\n" + good + "\n1003,A1,Red mug,1\n" + rows[2] + "\n"
    res = load_bytes(text.encode(), "x.csv")
    rule = res.report.rule("malformed_row")
    assert rule.rows == 1
    assert res.report.rejected["line_no"].tolist() == [52]  # header 1, 50 good lines, then it
    assert res.report.rows_read == 52
    # many ragged lines: refused with their line numbers
    bad = rows[0] + "\n" + "\n".join(["1,2,3"] * 10 + [rows[1]] * 5) + "\n"
    with pytest.raises(InputFileError, match=r"lines 2, 3, 4"):
        load_bytes(bad.encode(), "x.csv")


def test_unclosed_quote_names_the_line():
    text = (
        csv_text()
        + '1003,A1,"Red mug,1,2024-03-03 10:00:00,3.5,,UK\n1004,A1,x,1,2024-03-03,1,,UK\n'
    )
    with pytest.raises(InputFileError, match="line 5"):
        load_bytes(text.encode(), "x.csv")


@pytest.mark.parametrize(
    ("body", "line"),
    [
        # opened on the first data line: everything after is one value
        ('1,"A1,x,1,2024-03-03,1,,UK\n2,A1,x,1,2024-03-03,1,,UK\n', 2),
        # opened on the last-but-one line: the last line is swallowed, columns still fit
        ('1,A1,x,1,2024-03-03,1,,UK\n2,A1,x,1,2024-03-03,1,,"UK\n3,A1,x,1,2024-03-03,1,,UK\n', 3),
    ],
)
def test_unclosed_quote_anywhere_is_refused(body, line):
    header = "Invoice,StockCode,Description,Quantity,InvoiceDate,Price,Customer ID,Country\n"
    with pytest.raises(InputFileError, match=f"line {line} is never closed"):
        load_bytes((header + body).encode(), "x.csv")


def test_no_date_or_amount_or_product_column():
    with pytest.raises(MappingError, match="date \\+ an amount"):
        load_bytes(b"Colour,Size\nred,M\nblue,L\n", "x.csv")


def test_size_limit_matches_streamlit_config():
    """The limit checked in code is the upload limit the server is configured with."""
    import inspect
    import tomllib
    from pathlib import Path

    from ecomdash.ingest.read import read_bytes

    cfg = Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml"
    limit = tomllib.loads(cfg.read_text())["server"]["maxUploadSize"] * 1024 * 1024
    assert DEFAULT_MAX_BYTES == limit
    for fn in (load_bytes, load_path, read_bytes):  # what callers get when they pass nothing
        assert inspect.signature(fn).parameters["max_bytes"].default == limit, fn.__name__
    # the limit is inclusive: a file of exactly max_bytes is read, one byte more is refused
    data = csv_text().encode()
    check_basic(load_bytes(data, "x.csv", max_bytes=len(data)))
    with pytest.raises(InputFileError, match="limit"):
        load_bytes(data, "x.csv", max_bytes=len(data) - 1)


def test_filename_is_never_a_path(tmp_path, monkeypatch):
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    res = load_bytes(csv_text().encode(), "../../etc/passwd.csv")
    check_basic(res)
    res = load_bytes(csv_text().encode(), "..\\..\\x.csv")
    check_basic(res)
    assert list(work.iterdir()) == [] and list((tmp_path / "a").iterdir()) == [work]


def test_load_path_and_inspect(tmp_path):
    p = tmp_path / "o.csv"
    p.write_text(csv_text())
    check_basic(load_path(p))
    raw = inspect_bytes(p.read_bytes(), "o.csv")
    assert raw.columns == tuple(ROWS[0])
    assert raw.data["Customer ID"].tolist() == ["17.0", "17.0", ""]  # text as written
    assert raw.line_no.tolist() == [2, 3, 4]


def test_every_error_is_an_ecomdash_error():
    for data in (b"", b"\x00\x01\x02" * 100, b"a,b\n", b"PK\x03\x04junk"):
        with pytest.raises(EcomdashError):
            load_bytes(data, "x.csv")


def test_rejected_rows_download_is_formula_safe():
    from ecomdash.exports import to_safe_csv_bytes

    rows = [",".join(r) for r in ROWS]
    good = "\n".join(f"{2000 + i}," + rows[1].split(",", 1)[1] for i in range(20))
    text = rows[0] + "\n" + good + "\n=cmd|' /C calc'!A0,A1\n1003,A1,Mug,x,2024-03-01,1,,UK\n"
    res = load_bytes(text.encode(), "x.csv")
    rej = res.report.rejected
    assert rej["line_no"].tolist() == [22, 23]
    data = to_safe_csv_bytes(rej).decode("utf-8-sig")
    assert "'=cmd" in data and "\n=cmd" not in data


def test_taobao_style_wrapped_numbers_and_refunds():
    rows = [
        ["订单编号", "付款时间", "买家会员名", "宝贝标题", "购买数量", "商品单价", "订单状态"],
        ['="2024111122001"', "2024-11-11 00:01:02", "tb1", "保温杯", "1", '="49.90"', "交易成功"],
        ['="2024111122002"', "2024-11-11 00:02:03", "tb2", "保温杯", "2", "49.90", "交易关闭"],
        ['="2024111122003"', "2024-11-11 00:03:04", "tb3", "运费", "1", "10", "部分退款"],
    ]
    res = load_bytes(csv_text(rows).encode("gb18030"), "ExportOrderList.csv")
    lines = res.lines
    # 交易关闭 (closed) with nothing saying it was paid is a cancellation: not a sale, left
    # out with its reason (it was kept as a return with a positive amount before, which the
    # Overview subtracted from sales it had never counted); a partial refund stays a sale
    assert lines["order_id"].tolist() == ["2024111122001", "2024111122003"]
    assert res.report.rule("status_cancelled").rows == 1
    assert res.report.rejected["line_no"].tolist() == [3]
    assert lines["unit_price"].tolist() == [49.9, 10.0]
    assert lines["is_return"].tolist() == [False, False]
    # no product id column: the name is the id, and 运费 (shipping) is a non-product line
    assert lines["product_id"].tolist() == ["保温杯", "运费"]
    assert lines["is_non_product"].tolist() == [False, True]


def test_xlsx_title_rows_above_the_table_are_skipped():
    rows = [["Orders report 2024"], [], ROWS[0], *ROWS[1:]]
    res = load_bytes(xlsx_bytes({"S": rows}), "x.xlsx")
    check_basic(res)
    assert res.lines["line_no"].tolist() == [4, 5, 6]
    assert any("title row" in n for n in res.raw_info["notes"])


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"<html><body><table><tr><td>Order</td></tr></table></body></html>", "web page"),
        (
            b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"/>',
            "XML",
        ),
        (b'[{"order": 1, "amount": 2}]', "JSON"),
    ],
)
def test_markup_saved_as_spreadsheet(data, words):
    with pytest.raises(InputFileError, match=words):
        load_bytes(data, "orders.xls")


def test_ods_is_named():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", "<x/>")
    with pytest.raises(InputFileError, match="OpenDocument"):
        load_bytes(buf.getvalue(), "orders.ods")


def test_line_numbers_are_physical_with_blank_lines_and_multiline_values():
    text = (
        "Invoice,StockCode,Description,Quantity,InvoiceDate,Price\n"  # line 1
        "1,A1,Mug,1,2024-01-01,2\n"  # line 2
        "\n"  # line 3 (blank)
        '2,A2,"Two\nline name",1,2024-01-01,2\n'  # lines 4-5
        "3,A3,Bowl,1,not a date,2\n"  # line 6
    )
    res = load_bytes(text.encode(), "x.csv")
    assert res.lines["line_no"].tolist() == [2, 4]
    assert res.lines["product_name"].iloc[1] == "Two\nline name"
    assert res.report.rejected["line_no"].tolist() == [6]


@pytest.mark.parametrize(("encoding", "word"), [("cp1252", "Crème"), ("gb18030", "保温杯")])
def test_non_utf8_text_far_into_the_file(encoding, word):
    # the first 128 KB are plain ASCII; the first accented / Chinese text comes later
    head = ROWS[0]
    body = [
        [str(5000 + i), "A1", "Mug", "1", "2024-03-01 10:00:00", "3.5", "17", "France"]
        for i in range(5000)
    ]
    body.append(["9999", "Z9", word, "1", "2024-03-02 10:00:00", "1", "18", "France"])
    data = csv_text([head, *body]).encode(encoding)
    assert len(data) > 200_000
    res = load_bytes(data, "x.csv")
    assert res.raw_info["encoding"] == encoding
    assert res.lines["product_name"].iloc[-1] == word
    assert len(res.lines) == 5001


def test_openpyxl_fallback_reads_the_same(monkeypatch):
    import datetime as dt

    import ecomdash.ingest.read_sheets as read_mod

    def no_calamine(*a, **k):
        raise ImportError("python_calamine")

    monkeypatch.setattr(read_mod, "_xlsx_calamine", no_calamine)
    rows = [ROWS[0]] + [
        [1001, "A1", "Red mug", 2, dt.datetime(2024, 3, 1, 10), 3.5, 17.0, "France"],
        [1001, "B2", "Blue bowl", 1, dt.datetime(2024, 3, 1, 10), 12, 17.0, "France"],
        [1002, "A1", "Red mug", 4, dt.datetime(2024, 3, 2, 11, 30), 3.5, None, "Germany"],
    ]
    data = xlsx_bytes({"Orders": rows, "Notes": [["a"], ["b"]]})
    with pytest.raises(SheetChoiceError):
        load_bytes(data, "x.xlsx")
    res = load_bytes(data, "x.xlsx", sheet="Orders")
    check_basic(res)
    assert res.lines["line_no"].tolist() == [2, 3, 4]


def _billion_laughs_xlsx() -> bytes:
    src = zipfile.ZipFile(
        io.BytesIO(xlsx_bytes({"S": [["Order", "Product"], ["1", "PLACEHOLDER"]]}))
    )
    entities = "".join(
        f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10)
    )
    dtd = f'<!DOCTYPE lolz [<!ENTITY lol "lol">{entities}]>'
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = (dtd + data.decode().replace("PLACEHOLDER", "&lol9;")).encode()
            z.writestr(item, data)
    return out.getvalue()


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
def test_xml_entities_are_never_expanded(engine, monkeypatch):
    import ecomdash.ingest.read_sheets as read_mod

    if engine == "openpyxl":

        def no_calamine(*a, **k):
            raise ImportError("python_calamine")

        monkeypatch.setattr(read_mod, "_xlsx_calamine", no_calamine)
    try:
        res = load_bytes(_billion_laughs_xlsx(), "lol.xlsx")
    except InputFileError:
        return
    # if it reads at all, the entity is not expanded into a billion characters
    assert res.lines["product_id"].str.len().max() < 1000


@pytest.mark.parametrize(
    ("head", "kind", "en", "zh"),
    [
        ([["Orders report 2024"]], "xlsx", "Skipped 1 title row above the table.", "1\u00a0行标题"),
        (
            [["Orders report 2024"], ["Shop 42"]],
            "xlsx",
            "Skipped 2 title rows above the table.",
            "2\u00a0行标题",
        ),
        ("#Alipay statement\n", "csv", "Skipped 1 title line above the table.", "1\u00a0行标题"),
        (
            "#Alipay statement\nAccount: 123\n\n",
            "csv",
            "Skipped 3 title lines above the table.",
            "3\u00a0行标题",
        ),
    ],
)
def test_the_title_note_counts_in_english_and_chinese(head, kind, en, zh):
    if kind == "xlsx":
        res = load_bytes(xlsx_bytes({"S": [*head, *ROWS]}), "x.xlsx")
    else:
        res = load_bytes((head + csv_text()).encode(), "s.csv")
    check_basic(res)
    [n] = res.raw_info["notes"]
    assert n == en
    with use_lang("zh"):
        assert tr_note(n) == f"跳过了表格上方的\u00a0{zh}。"


def test_title_lines_above_a_csv_table_are_skipped():
    text = (
        "#Alipay statement\n"  # line 1
        "Account: 123\n"  # line 2
        "\n"  # line 3
        + csv_text()  # header on line 4
        + "#---end of statement---\n"
    )
    res = load_bytes(text.encode(), "statement.csv")
    check_basic(res)
    assert res.lines["line_no"].tolist() == [5, 6, 7]
    assert any("title line" in n for n in res.raw_info["notes"])
    assert res.report.rule("malformed_row").rows == 1  # the footer line
    assert res.report.rejected["line_no"].tolist() == [8]


def test_archive_inside_archive_is_refused():
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("orders.csv", csv_text())
    outer = io.BytesIO()
    with zipfile.ZipFile(outer, "w") as zf:
        zf.writestr("inner.zip", inner.getvalue())
    with pytest.raises(InputFileError, match="archive inside another archive"):
        load_bytes(outer.getvalue(), "x.zip")
    with pytest.raises(InputFileError, match="archive inside another archive"):
        load_bytes(gzip.compress(gzip.compress(csv_text().encode())), "x.csv.gz")
    # an Excel workbook or a .gz CSV inside a zip is fine
    wrapped = io.BytesIO()
    with zipfile.ZipFile(wrapped, "w") as zf:
        zf.writestr("orders.xlsx", xlsx_bytes({"S": ROWS}))
    check_basic(load_bytes(wrapped.getvalue(), "orders.zip"))


def test_damaged_zip_member_is_a_clear_error():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("orders.csv", csv_text() * 50)
    data = bytearray(buf.getvalue())
    data[60:80] = b"\x00" * 20  # corrupt the compressed stream
    with pytest.raises(InputFileError):
        load_bytes(bytes(data), "orders.zip")
