"""The stock file's edges a merchant sees (:mod:`ecomdash.stock_file`), found by mutation
testing (docs/MUTATION.md, "stock_file"): the one-of and many-of forms of each note, where
"…" starts, the size limit at its byte, the separator read from the header alone, thousands
grouped by spaces, a row without an id. Every expected value is worked out by hand in the
comments."""

from __future__ import annotations

import pandas as pd
import pytest

from ecomdash import stock_file as SF
from ecomdash.errors import InputFileError
from ecomdash.i18n import use_lang
from ecomdash.i18n.note import tr_note

NB = "\u00a0"


def _refusal(data: bytes) -> str:
    with pytest.raises(InputFileError) as err:
        SF.read_stock(data)
    return str(err.value)


def test_one_id_matched_loosely_and_two_left_out_of_each_kind_in_both_languages():
    """tex-271 is TEX-271 (one id: the singular note); mug-1 and cup-2 could each be two
    products (two ids: the plural warning); dec-222 and Dec-222 are two more rows for
    DEC-222, which the file has (two ids, each naming both other rows)."""
    sales = ["TEX-271", "Mug-1", "MUG-1", "Cup-2", "CUP-2", "DEC-222"]
    stock = pd.Series(
        {"tex-271": 5.0, "mug-1": 2.0, "cup-2": 3.0, "DEC-222": 7.0, "dec-222": 1.0, "Dec-222": 4.0}
    )
    m = SF.match_stock(stock, sales)
    assert m.stock.to_dict() == {"TEX-271": 5.0, "DEC-222": 7.0}
    assert m.notes == (
        "1 id in your stock file is written differently from the sales data's product code "
        "(case or spaces) and was matched to it: tex-271 → TEX-271.",
    )
    # the candidates in code-point order: upper case first (MUG-1 before Mug-1)
    assert m.warnings == (
        "2 ids in your stock file match several product codes of the sales data that differ "
        "only in case: mug-1 (MUG-1 / Mug-1), cup-2 (CUP-2 / Cup-2) — they were left out; "
        "write each exactly as the sales data does.",
        "2 ids in your stock file differ only in case from other rows of the file for the "
        "same product: dec-222 (DEC-222 / Dec-222), Dec-222 (DEC-222 / dec-222) — they were "
        "left out; keep one row per product.",
    )
    with use_lang("zh"):
        assert tr_note(m.notes[0]) == (
            f"库存文件中有{NB}1{NB}个编码与销售数据的商品编码写法不同（大小写或空格），"
            "已按商品编码匹配：tex-271 → TEX-271。"
        )
        assert tr_note(m.warnings[0]) == (
            f"库存文件中有{NB}2{NB}个编码对应销售数据中多个仅大小写不同的商品编码："
            "mug-1 (MUG-1 / Mug-1)、cup-2 (CUP-2 / Cup-2)——无法确定是哪个商品，已略过；"
            "请按销售数据的写法填写。"
        )
        assert tr_note(m.warnings[1]) == (
            f"库存文件中有{NB}2{NB}个编码与文件中同一商品的其他行仅大小写不同："
            "dec-222 (DEC-222 / Dec-222)、Dec-222 (DEC-222 / dec-222)——已略过；"
            "每个商品请只保留一行。"
        )


def test_one_stock_id_not_priced_and_exactly_three_named_without_an_ellipsis():
    (one,) = SF.stock_not_priced(pd.Series({"A": 1.0, "X-9": 2.0}), ["A"])
    assert one == (
        "1 product in your stock file has no sales in the weeks priced here (the period and "
        "filters): X-9 — if it sells, check that the ids match the sales data's product codes."
    )
    with use_lang("zh"):
        assert tr_note(one) == (
            f"库存文件中有{NB}1{NB}个商品在此处定价所用的各周（期间和筛选条件内）中没有销售："
            "X-9——如果它有销售，请检查编码是否与销售数据的商品编码一致。"
        )
    # three ids are all named: nothing left to count, so no "…" (four: see test_stock_file)
    (three,) = SF.stock_not_priced(pd.Series({"X": 1.0, "Y": 1.0, "Z": 1.0}), ["A"])
    assert "filters): X, Y, Z — if they sell" in three


def test_a_file_of_exactly_the_limit_is_read_and_one_byte_more_is_refused():
    data = b"sku,stock\nA,5\n"  # 14 bytes
    kw = {"too_big": "{size} over {limit}", "empty": "empty", "unreadable": "unreadable"}
    df, sep = SF.read_small_csv(data, max_bytes=14, **kw)
    assert (df.to_dict("list"), sep) == ({"sku": ["A"], "stock": ["5"]}, ",")
    with pytest.raises(InputFileError, match="^14 over 13$"):
        SF.read_small_csv(data, max_bytes=13, **kw)


def test_the_separator_is_the_headers_even_when_a_note_column_holds_more_commas():
    """A European Excel's file (semicolons) with a note column of commas: the header has 2
    semicolons and no comma, the whole file 6 semicolons and 7 commas; the header decides."""
    data = b"SKU;Stock;Note\nA;1.200;red, blue, green, pink\nB;12,00;big, small, old, new\n"
    assert SF.read_stock(data).to_dict() == {"A": 1200.0, "B": 12.0}


def test_thousands_grouped_by_spaces_or_apostrophes_are_read_whole():
    # a French Excel writes 1 200 (a no-break space, or a narrow one), a Swiss one 1'200
    data = "sku,stock\nA,1 200\nB,1\u00a0500\nC,2\u202f000\nD,1'250\n".encode()
    assert SF.read_stock(data).to_dict() == {"A": 1200.0, "B": 1500.0, "C": 2000.0, "D": 1250.0}
    assert SF.read_stock(b"sku;stock\nA;2 500,0\n").to_dict() == {"A": 2500.0}


def test_a_row_without_a_product_id_is_no_product():
    assert SF.read_stock(b"sku,stock\n,5\n  ,3\nA,2\n").to_dict() == {"A": 2.0}


def test_a_file_with_only_one_of_the_two_columns_is_refused_naming_its_columns():
    assert _refusal(b"sku,name\nA,Mug\n") == (
        "The stock file needs a product id column (product_id, SKU, stock code) and a stock "
        "column (on_hand, stock, qty). Found columns: sku, name."
    )
    assert _refusal(b"name,stock\nMug,5\n").endswith("Found columns: name, stock.")


def test_the_one_row_forms_of_the_refusals_word_for_word():
    assert _refusal(b"sku,stock\nA,many\n") == (
        "No stock value in column 'stock' is a number (1 row). Enter whole units, e.g. 12."
    )
    assert _refusal(b"sku,stock\nA,1\nB,-1\n") == (
        "Line 3 of the stock file has text or a negative number in column 'stock'. Enter "
        "units on hand as 0 or more (e.g. 12), or leave the cell empty for a product whose "
        "stock you do not know, and upload the file again."
    )


def test_five_wrong_lines_are_all_named_and_a_sixth_is_an_ellipsis():
    five = b"sku,stock\nA,x\nB,x\nC,x\nD,x\nE,x\nG,1\n"  # lines 2-6 are text
    assert _refusal(five).startswith(
        "Lines 2, 3, 4, 5, 6 of the stock file have text or a negative number in column 'stock'."
    )
    six = b"sku,stock\nA,x\nB,x\nC,x\nD,x\nE,x\nF,x\nG,1\n"  # lines 2-7
    assert _refusal(six).startswith(
        "Lines 2, 3, 4, 5, 6, … of the stock file have text or a negative number"
    )


def test_numbers_not_whole_on_many_lines_word_for_word_and_cut_after_five():
    five = b"sku;stock\nA;0,5\nB;1,5\nC;2,5\nD;3,5\nE;4,5\n"
    assert _refusal(five) == (
        "Lines 2, 3, 4, 5, 6 of the stock file have numbers of units that are not whole in "
        "column 'stock' (0,5, 1,5, 2,5, 3,5, 4,5). Stock is counted in whole units: enter "
        "e.g. 12 (in a file separated by semicolons a comma is the decimal mark, so 1,5 is "
        "one and a half), and upload the file again."
    )
    six = five + b"F;5,5\n"
    assert _refusal(six).startswith(
        "Lines 2, 3, 4, 5, 6, … of the stock file have numbers of units that are not whole in "
        "column 'stock' (0,5, 1,5, 2,5, 3,5, 4,5, …). Stock"
    )
