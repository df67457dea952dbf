"""The small files a merchant keeps in Excel beside the orders — the stock file (restock
planner, Pricing's markdowns, ``--stock``) and the promotions run (``pricing --events``) —
read from an .xlsx workbook (:func:`ecomdash.stock_file.read_small_csv`). Before, a workbook
was decoded as text and refused as "not a CSV table". Each workbook here is made by openpyxl,
as Excel saves one."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import pandas as pd
import pytest

from ecomdash import stock_file as SF
from ecomdash.errors import InputFileError, ParameterError
from ecomdash.i18n import N_, use_lang
from ecomdash.i18n.note import translated
from ecomdash.pricing.promotions import parse_events, read_events


def xlsx_bytes(*sheets: tuple[str, list[list]]) -> bytes:
    """A workbook with ``sheets`` (name, rows), as openpyxl saves it."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets:
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_a_chinese_stock_workbook_is_read_with_its_numbers_as_numbers():
    """商品编码 / 库存 headers, numbers stored as numbers (5, 7.0 — Excel keeps every number
    as a float) and as text ("12"), an id with spaces, a blank row and a column of notes:
    by hand A1 5, B2 7, C3 12 (spaces aside), D4 2 + 3 (two rows summed)."""
    data = xlsx_bytes(
        (
            "库存",
            [
                ["商品编码", "库存", "备注"],
                ["A1", 5, "仓库一"],
                ["B2", 7.0, None],
                [None, None, None],
                [" C3 ", "12", None],
                ["D4", 2, None],
                ["D4", 3, None],
            ],
        )
    )
    assert data[:2] == b"PK"
    assert SF.read_stock(data).to_dict() == {"A1": 5.0, "B2": 7.0, "C3": 12.0, "D4": 5.0}


def test_a_stock_workbooks_wrong_cell_is_named_by_its_row_in_the_sheet():
    """A negative count in the sheet's row 5 (row 4 is blank) is "Line 5", as Excel numbers
    it, not the 4th row read."""
    data = xlsx_bytes(("Sheet1", [["SKU", "Stock"], ["A", 1], ["B", 2], [None, None], ["C", -1]]))
    with pytest.raises(InputFileError) as err:
        SF.read_stock(data)
    assert str(err.value).startswith("Line 5 of the stock file has text or a negative number")


def test_the_first_sheet_with_data_is_read():
    """An empty first sheet is passed over; of two sheets with data the first is read (the
    order upload asks which one; a stock file or a promotions calendar is one list)."""
    empty_first = xlsx_bytes(("说明", []), ("库存", [["sku", "qty"], ["A", 3]]))
    assert SF.read_stock(empty_first).to_dict() == {"A": 3.0}
    two = xlsx_bytes(
        ("Now", [["sku", "qty"], ["A", 3]]), ("Last month", [["sku", "qty"], ["A", 9]])
    )
    assert SF.read_stock(two).to_dict() == {"A": 3.0}


def test_an_events_workbook_with_date_cells_gives_the_promotions():
    """Dates as Excel date cells (a date, a date and time) and as text, under a Chinese
    sheet's headers: the same rows as the CSV gives."""
    data = xlsx_bytes(
        (
            "促销",
            [
                ["商品编码", "开始日期", "结束日期"],
                ["A-1", dt.date(2024, 5, 6), dt.datetime(2024, 5, 19)],
                ["B-2", "2024-06-03", "2024-06-09"],
            ],
        )
    )
    got = parse_events(read_events(data))
    expected = pd.DataFrame(
        {
            "product_id": ["A-1", "B-2"],
            "start": pd.to_datetime(["2024-05-06", "2024-06-03"]),
            "end": pd.to_datetime(["2024-05-19", "2024-06-09"]),
        }
    )
    pd.testing.assert_frame_equal(got, expected)


def test_an_events_workbooks_row_without_a_product_is_named_by_its_days():
    """The workbook's rows go through the same rule as the CSV's: a row with days but no
    product refuses the file, named by its days."""
    data = xlsx_bytes(
        (
            "Sheet1",
            [["SKU", "From", "To"], ["A", "2024-03-11", "2024-03-24"], [None, "2024-04-01", None]],
        )
    )
    with pytest.raises(ParameterError) as err:
        parse_events(read_events(data))
    assert str(err.value) == (
        "1 promotion row in the events file has no product id: from 1 April 2024. Fill in the "
        "product id, or delete the row, and run the command again."
    )


def _said(read, data: bytes) -> tuple[str, str]:
    with pytest.raises(InputFileError) as err:
        read(data)
    with use_lang("zh"):
        zh = str(translated(err.value))
    return str(err.value), zh


def test_a_damaged_workbook_is_refused_with_what_to_do():
    """Cut short (the zip's directory is at its end) or with a sheet that is not XML: a
    message saying to save it again as .xlsx or export a CSV, never a traceback."""
    good = xlsx_bytes(("Sheet1", [["SKU", "Stock"], ["A", 1]]))
    cut = good[: len(good) // 2]
    en, zh = _said(SF.read_stock, cut)
    assert en.startswith("The file looks like a zip / .xlsx archive but is damaged (")
    assert en.endswith("Open it in its program and save it again, or export a CSV.")
    assert "CSV" in zh and "损坏" in zh, zh
    # a zip whose directory is whole but whose sheet is not XML
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            body = src.read(item)
            dst.writestr(item, b"<not xml" if item.filename.startswith("xl/worksheets/") else body)
    for read in (SF.read_stock, read_events):
        en, _zh = _said(read, out.getvalue())
        assert en.startswith("The Excel workbook cannot be"), en
        assert en.endswith("Open it in Excel, save it again as .xlsx, or export a CSV."), en


@pytest.mark.parametrize(
    ("read", "en", "zh"),
    [
        (
            SF.read_stock,
            "The stock file is an old Excel 97-2003 (.xls) workbook or a password-protected "
            "one, which cannot be read here. Open it in Excel and save it (without a password) "
            "as .xlsx or CSV, then upload that.",
            "库存文件是旧版 Excel 97-2003（.xls）工作簿或设有密码的工作簿，无法在这里读取。"
            "请用 Excel 打开，另存为 .xlsx 或 CSV（不设密码），然后上传该文件。",
        ),
        (
            read_events,
            "The events file is an old Excel 97-2003 (.xls) workbook or a password-protected "
            "one, which cannot be read here. Open it in Excel and save it (without a password) "
            "as .xlsx or CSV, then give that file.",
            "促销活动文件是旧版 Excel 97-2003（.xls）工作簿或设有密码的工作簿，无法在这里读取。"
            "请用 Excel 打开，另存为 .xlsx 或 CSV（不设密码），然后提供该文件。",
        ),
    ],
    ids=["stock", "events"],
)
def test_an_old_xls_workbook_is_refused_with_what_to_do(read, en, zh):
    """An Excel 97-2003 file starts with the OLE signature (a password-protected .xlsx too);
    it was decoded as text and refused as "not a CSV table"."""
    xls = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 8
    assert _said(read, xls) == (en, zh)


def test_a_workbook_without_data_or_over_the_limit_is_refused_as_a_csv_is():
    """No sheet with data: the file's own "empty"; over the one small-file limit: refused
    before it is opened, as a CSV of that size."""
    en, _zh = _said(SF.read_stock, xlsx_bytes(("Sheet1", [])))
    assert en == "The stock file is empty. Upload a CSV or Excel file with product id and stock."
    en, _zh = _said(read_events, xlsx_bytes(("Sheet1", [])))
    assert (
        en
        == "The events file is empty. Give a CSV or Excel file with product id, first and last day."
    )
    big = xlsx_bytes(("Sheet1", [["SKU", "Stock"], ["A", 1]]))
    big += b"\0" * (SF.MAX_SMALL_FILE_BYTES + 1 - len(big))
    en, _zh = _said(SF.read_stock, big)
    assert en.startswith("The stock file is 5,242,881 bytes; the limit is 5,242,880.")
    en, _zh = _said(read_events, big)
    assert en.startswith("The events file is 5,242,881 bytes; the limit is 5,242,880.")


_AS_IS = dict(
    max_bytes=SF.MAX_SMALL_FILE_BYTES,
    too_big=N_("too big"),
    empty=N_("empty"),
    unreadable=N_("unreadable"),
)


def test_a_workbook_names_its_columns_as_the_same_sheet_saved_as_csv():
    """One rule for a header's awkward names, pandas' for a CSV: a blank name (Unnamed: 1), a
    repeated one beside a name that is taken ("Stock", "Stock", "Stock.1": the second is
    Stock.2), spaces kept, and a trailing column with neither name nor value dropped in both.
    The workbook's own rules named two columns "Stock.1" and trimmed " Qty "; the CSV kept
    the trailing "Unnamed: 6"."""
    rows = [
        ["SKU", None, "Stock", "Stock", "Stock.1", " Qty ", ""],
        ["A", "x", 1, 2, 3, 4, ""],
        ["B", None, 5, 6, 7, 8, ""],
    ]
    sheet, sep = SF.read_small_csv(xlsx_bytes(("Sheet1", rows)), **_AS_IS)
    saved = "SKU,,Stock,Stock,Stock.1, Qty ,\nA,x,1,2,3,4,\nB,,5,6,7,8,\n"
    text, _sep = SF.read_small_csv(saved.encode(), **_AS_IS)
    assert sep == ","
    assert list(sheet.columns) == ["SKU", "Unnamed: 1", "Stock", "Stock.2", "Stock.1", " Qty "]
    pd.testing.assert_frame_equal(sheet, text, check_index_type=False)


def _big_stock_workbook(n: int) -> bytes:
    """A workbook of ``n`` stock rows (SKU-0000002 …, units 0-499), its sheet's XML written
    directly (openpyxl takes seconds for as many rows)."""
    small = xlsx_bytes(("Stock", [["SKU", "Stock"]]))
    rows = "".join(
        f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>SKU-{r:07d}</t></is></c>'
        f'<c r="B{r}"><v>{r % 500}</v></c></row>'
        for r in range(2, n + 2)
    ).encode()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(small)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for item in src.infolist():
            body = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                body = body.replace(b"</row></sheetData>", b"</row>" + rows + b"</sheetData>")
            dst.writestr(item.filename, body)
    return out.getvalue()


def test_a_workbook_near_the_size_limit_is_read():
    """A workbook's XML compresses about 8-10 times: this 4.6 MB one of 350,000 stock rows
    unpacks to 37 MB, which the order upload's bomb check (5 times the 5 MB limit: 25 MB)
    refused as "too large or a compression bomb"."""
    data = _big_stock_workbook(350_000)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        unpacked = sum(i.file_size for i in zf.infolist())
    assert 4 * 2**20 < len(data) <= SF.MAX_SMALL_FILE_BYTES and unpacked > 30 * 2**20
    stock = SF.read_stock(data)
    assert len(stock) == 350_000
    assert stock[["SKU-0000002", "SKU-0350001"]].tolist() == [2.0, 1.0]


def _bomb(unpacked_mb: int) -> bytes:
    """A workbook (it has the parts one has) whose sheet is ``unpacked_mb`` MB of spaces: a
    zip of a few hundred KB."""
    small = xlsx_bytes(("Sheet1", [["SKU", "Stock"], ["A", 1]]))
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(small)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for item in src.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(item.filename, src.read(item))
        with dst.open("xl/worksheets/sheet1.xml", "w") as sheet:
            for _ in range(unpacked_mb):
                sheet.write(b" " * 2**20)
    return out.getvalue()


@pytest.mark.parametrize(
    ("unpacked_mb", "said"),
    [
        (200, "The archive unpacks to 200 MB (from "),  # past 25 × 5 MB in all
        (60, "this looks like a compression bomb and was not read."),  # 1,000 × its size
    ],
)
def test_a_compression_bomb_is_still_refused(unpacked_mb, said):
    """A tiny zip that unpacks hugely is refused from its directory, before anything is
    unpacked: past the small files' limit in all, or one member a thousand times its size."""
    data = _bomb(unpacked_mb)
    assert len(data) < 2**20
    for read in (SF.read_stock, read_events):
        en, zh = _said(read, data)
        assert said in en, en
        assert "压缩炸弹" in zh, zh
