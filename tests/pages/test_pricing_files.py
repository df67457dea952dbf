"""The promotions and stock a merchant keeps, on the Pricing page (the "Promotions you ran"
editor, the markdowns tab's stock upload) and the restock planner's stock upload: a row with
days but no product is named, and a stock file kept in Excel (.xlsx) is read."""

from __future__ import annotations

import re

import pytest

from ecomdash.i18n import use_lang
from ecomdash.store import Store
from tests.pages.conftest import run_page
from tests.pages.test_pricing_page import _mugs_page
from tests.unit.test_pricing_cli import _two_mugs_lines
from tests.unit.test_small_files_xlsx import xlsx_bytes

NB = "\u00a0"

#: what the page says of a row with days but no product (the grid's spare row unsaid)
NO_PRODUCT = {
    "en": "1 promotion row has no product id and was left out: 1 April 2024 – 7 April 2024; "
    "fill in the product id, or delete the row.",
    "zh": f"1{NB}条促销记录缺少商品编码，未计入：2024年4月1日至2024年4月7日，请填写商品编码，"
    "或删除该行。",
}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_promotion_row_without_a_product_is_named_by_its_days(_isolated_home, lang):
    """A row typed with its days but no product was taken for the grid's spare row and
    dropped without a word. Now it is named at the top by its days, with what to do; the
    good row is measured (Blue Mug, lift 2 by hand: 10 units / 2 orders before, 20 / 2
    during) and the spare empty row is still not said."""
    at = _mugs_page(
        _isolated_home,
        lang,
        [
            {"Product": "A", "From": "2024-03-11", "To": "2024-03-24"},
            {"From": "2024-04-01", "To": "2024-04-07"},
            {},
        ],
    )
    warnings = [w.value.replace("\\", "") for w in at.warning]  # inert()'s escapes
    said = [w for w in warnings if "promotion row" in w or "促销记录" in w]
    assert said == [NO_PRODUCT[lang]], warnings
    promos = next(d for d in at.dataframe if "lift" in d.value.columns).value
    assert promos["product_name"].tolist() == ["Blue Mug"] and promos["lift"].tolist() == [2.0]


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_the_markdowns_tab_reads_a_stock_workbook(_isolated_home):
    """The markdowns tab's uploader took CSV only; a workbook given anyway was refused as
    "not a CSV table". Now it takes .xlsx (its type list and the line beside it say so) and
    reads the first sheet: "a" is matched to A and said, as from a CSV."""
    at = _mugs_page(_isolated_home, "en", [])
    up = at.file_uploader(key="pr_md_stock")
    assert list(up.proto.type) == [".csv", ".txt", ".xlsx", ".xls"]
    data = xlsx_bytes(("Sheet", [["商品编码", "库存"], ["a", 5]]))
    up.set_value(("库存.xlsx", data, XLSX_MIME))
    at.run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    told = [re.sub(r"\\(.)", r"\1", i.value) for i in at.info if "stock file" in i.value]
    assert told == [
        "1 id in your stock file is written differently from the sales data's product code "
        "(case or spaces) and was matched to it: a → A."
    ]


def test_the_restock_planner_reads_a_stock_workbook(_isolated_home):
    """The planner's uploader took CSV and TXT; now .xlsx too, and a workbook's units on
    hand reach the plan's editor: A 5, B 7 (entered by hand, the numbers as Excel stores
    them)."""
    store = Store.open(_isolated_home)
    ds = store.save_dataset("mugs", _two_mugs_lines()).id
    store.close()
    at = run_page("forecast.py", dataset_id=ds, timeout=180)
    assert not at.exception, at.exception
    plan = [b for b in at.button if b.label == "Plan"]
    if plan:
        plan[0].click().run()
        assert not at.exception, at.exception
    up = at.file_uploader(key="stock_file")
    assert list(up.proto.type) == [".csv", ".txt", ".xlsx", ".xls"]
    up.set_value(
        ("stock.xlsx", xlsx_bytes(("Sheet", [["SKU", "Stock"], ["A", 5], ["B", 7.0]])), XLSX_MIME)
    )
    at.run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    editor = next(d.value for d in at.dataframe if list(d.value.columns)[-1] == "on_hand")
    assert editor.set_index("product_id")["on_hand"].to_dict() == {"A": 5, "B": 7}


def test_the_markdowns_tab_takes_the_restock_planners_unicode_text_file(_isolated_home):
    """Its caption says it reads "the restock planner's file", but its uploader took CSV and
    XLSX only: the planner's .txt (Excel's "Unicode text", UTF-16 with tabs) was refused by
    the browser. Now the same types as the planner's, and such a file is read: its ZZZ is
    named as a product the weeks priced have no sales of, and nothing is refused."""
    at = _mugs_page(_isolated_home, "en", [])
    up = at.file_uploader(key="pr_md_stock")
    assert ".txt" in list(up.proto.type)
    text = "SKU\tStock\r\nA\t5\r\nZZZ\t3\r\n".encode("utf-16")
    up.set_value(("stock.txt", text, "text/plain"))
    at.run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    said = [re.sub(r"\\(.)", r"\1", w.value) for w in at.warning if "stock file" in w.value]
    assert said == [
        "1 product in your stock file has no sales in the weeks priced here (the period and "
        "filters): ZZZ — if it sells, check that the ids match the sales data's product codes."
    ], said


#: what both stock uploaders say of an old Excel 97-2003 workbook (an OLE file)
OLD_XLS = {
    "en": "The stock file is an old Excel 97-2003 (.xls) workbook or a password-protected one, "
    "which cannot be read here. Open it in Excel and save it (without a password) as .xlsx or "
    "CSV, then upload that.",
    "zh": "库存文件是旧版 Excel 97-2003（.xls）工作簿或设有密码的工作簿，无法在这里读取。"
    "请用 Excel 打开，另存为 .xlsx 或 CSV（不设密码），然后上传该文件。",
}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_old_xls_stock_file_is_told_what_to_do_on_both_pages(_isolated_home, lang):
    """Both uploaders refused a .xls in the browser: a red chip whose tooltip read
    "application/vnd.ms-excel files are not allowed." (seen in Chromium), nothing about
    saving it as .xlsx. Now they take it (the line beside them still lists CSV, TXT, XLSX)
    and the page says what to do, in the merchant's language."""
    xls = (
        "库存.xls",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(256) * 8,
        "application/vnd.ms-excel",
    )
    at = _mugs_page(_isolated_home, lang, [])
    up = at.file_uploader(key="pr_md_stock")
    assert ".xls" in list(up.proto.type)
    up.set_value(xls)
    at.run()
    assert not at.exception, at.exception
    assert [re.sub(r"\\(.)", r"\1", e.value) for e in at.error] == [OLD_XLS[lang]]
    store = Store.open(_isolated_home)
    ds = next(d.id for d in store.list_datasets() if d.name == "mugs")
    store.close()
    with use_lang(lang):  # the page's widgets format their options in it (AppTest's rerun)
        at = run_page("forecast.py", dataset_id=ds, timeout=180, lang=lang)
        up = at.file_uploader(key="stock_file")
        assert ".xls" in list(up.proto.type)
        up.set_value(xls)
        at.run()
    assert not at.exception, at.exception
    assert [re.sub(r"\\(.)", r"\1", e.value) for e in at.error] == [OLD_XLS[lang]]
