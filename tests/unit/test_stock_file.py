"""The stock file (:mod:`ecomdash.stock_file`): reading it whatever its headers, encoding and
number style, saying which lines are wrong, and matching its ids to the sales data's."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ecomdash import stock_file as SF
from ecomdash.errors import InputFileError


def test_read_stock_variants_and_errors():
    # semicolons: a European Excel's thousands dot ("1,200" there is 1.2: see the next test)
    s = SF.read_stock(b"Stock Code;On Hand\nA1;5\nA1;2\nB2;1.200\nC3;n/a\n")
    assert s.to_dict() == {"A1": 7.0, "B2": 1200.0}
    assert SF.read_stock(b'sku,stock\nB2,"1,200"\n').to_dict() == {"B2": 1200.0}
    with pytest.raises(InputFileError, match="product id column"):
        SF.read_stock(b"name,colour\nx,red\n")
    with pytest.raises(InputFileError, match="empty"):
        SF.read_stock(b"  ")


def test_a_european_excels_stock_file_reads_its_decimal_commas():
    # "SKU;Stock\nA;1,5" read "1,5" as 15 (the comma dropped as a thousands separator). A
    # semicolon file is a European Excel's CSV: the comma is its decimal mark, dots group
    # thousands; stock is whole units, so 1,5 is refused with its line, whole ones are read
    s = SF.read_stock(b"SKU;Stock\nA;12\nB;1.200\nC;7,00\nD;2.500,0\nE;0\n")
    assert s.to_dict() == {"A": 12.0, "B": 1200.0, "C": 7.0, "D": 2500.0, "E": 0.0}
    with pytest.raises(InputFileError) as err:
        SF.read_stock(b"SKU;Stock\nA;12\nB;1,5\n")
    assert str(err.value) == (
        "Line 3 of the stock file has a number of units that is not whole in column 'Stock' "
        "(1,5). Stock is counted in whole units: enter e.g. 12 (in a file separated by "
        "semicolons a comma is the decimal mark, so 1,5 is one and a half), and upload the "
        "file again."
    )
    with pytest.raises(InputFileError, match=r"^Lines 2, 4 of .*'qty' \(0,5, 3\.25\)"):
        SF.read_stock(b"sku;qty\nA;0,5\nB;4\nC;3.25\n")
    # comma files: commas still group thousands, and a decimal comma is no longer 15
    assert SF.read_stock(b'sku,stock\nA,"12,000"\nB,3\n').to_dict() == {"A": 12000.0, "B": 3.0}
    with pytest.raises(InputFileError, match=r"^Line 2 of .*\(1,5\)"):
        SF.read_stock(b'sku,stock\nA,"1,5"\n')
    # Excel's "Unicode text" (tabs) from a European Excel: decimal commas too
    assert SF.read_stock("SKU\tStock\nA\t2,0\n".encode("utf-16")).to_dict() == {"A": 2.0}


def test_read_stock_says_which_lines_are_wrong():
    # text or a negative count in some rows was dropped in silence: the product then read
    # "no stock level entered"; now the file's lines are named (header = line 1)
    with pytest.raises(InputFileError) as err:
        SF.read_stock(b"sku,stock\nA,ten\nB,3\nC,n/a\nD,-5\n")
    assert str(err.value) == (
        "Lines 2, 5 of the stock file have text or a negative number in column 'stock'. "
        "Enter units on hand as 0 or more (e.g. 12), or leave the cell empty for a product "
        "whose stock you do not know, and upload the file again."
    )
    with pytest.raises(InputFileError, match="^Line 3 of the stock file has text"):
        SF.read_stock(b"sku,stock\nA,1\nB,-1\n")
    # an empty or "n/a" cell is a stock not known, not an error
    assert SF.read_stock(b"sku,stock\nA,\nB,2\nC,n/a\n").to_dict() == {"B": 2.0}
    # a broken file is a message, not a pandas traceback
    with pytest.raises(InputFileError, match="could not be read as a CSV table"):
        SF.read_stock(b'sku,stock\n"A,1\n')
    with pytest.raises(InputFileError, match=r"is a number \(1 row\)\."):
        SF.read_stock(b"sku,stock\nA,many\n")


def test_read_stock_chinese_headers_encodings_and_the_planners_own_table():
    want = {"GAR-117": 10.0, "TEX-271": 0.0}
    body = "GAR-117,10\nTEX-271,0\n"
    for header in (
        "商品编码,库存",
        "商品编号,现有库存",
        "货号,库存数量",
        "SKU,数量",
        "商家编码,可用库存",
    ):
        assert SF.read_stock(f"{header}\n{body}".encode()).to_dict() == want, header
    # a Chinese Excel's CSV is GBK (was read as latin-1: columns "ÉÌÆ·±àÂë, ¿â´æ")
    assert SF.read_stock(f"商品编码,库存\n{body}".encode("gbk")).to_dict() == want
    # Excel's "Unicode text": UTF-16, tab-separated
    assert (
        SF.read_stock(f"SKU\tStock\n{body}".replace(",", "\t").encode("utf-16")).to_dict() == want
    )
    # the planner's download, units filled in and uploaded again, in either language
    assert (
        SF.read_stock(
            b"Product id,Product,Units on hand\nGAR-117,Pot,10\nTEX-271,Blanket,0\n"
        ).to_dict()
        == want
    )
    assert (
        SF.read_stock(
            "商品 ID,商品,现有库存（件）\nGAR-117,花盆,10\nTEX-271,盖毯,0\n".encode()
        ).to_dict()
        == want
    )


def test_read_stock_takes_the_planners_download_back():
    # the plan's CSV (merchant headers, then the raw ids row "product_id, ..., on_hand"),
    # units filled in and uploaded again: the ids row is no product, and a wrong cell's line
    # is the file's line (was "Line 2 has text": the ids row read as a stock of "on_hand")
    from ecomdash.exports import to_safe_csv_bytes

    plan = pd.DataFrame(
        {"product_id": ["GAR-117", "TEX-271"], "product_name": ["Pot", "Rug"], "on_hand": [10, 0]}
    )
    for headers in (
        ["Product id", "Product", "Units on hand"],
        ["商品 ID", "商品", "现有库存（件）"],
    ):
        data = to_safe_csv_bytes(plan, headers=headers)
        assert SF.read_stock(data).to_dict() == {"GAR-117": 10.0, "TEX-271": 0.0}
    bad = to_safe_csv_bytes(plan.assign(on_hand=["10", "lots"]), headers=headers)
    with pytest.raises(InputFileError, match="^Line 4 of the stock file"):
        SF.read_stock(bad)


def test_the_stock_file_is_decoded_by_the_ingests_public_decoder():
    # the stock file reader (once in inventory) imported the private read_text._decode_sample: now a documented public name
    import doctest

    from ecomdash.ingest import read_text

    assert SF.decode_sample is read_text.decode_sample
    assert not hasattr(read_text, "_decode_sample")
    assert read_text.decode_sample.__doc__
    [test] = doctest.DocTestFinder().find(read_text.decode_sample, globs=vars(read_text))
    assert test.examples and doctest.DocTestRunner().run(test).failed == 0


def test_stock_file_ids_match_the_sales_ids_ignoring_case_when_unambiguous():
    """A stock file's "tex-271" is TEX-271's stock (it was reported as "no sales in the data
    planned", its units never reached the plan); an id that could be two products whose codes
    differ only in case, or a second row for a product the file already has, is left out and
    said, never guessed."""
    from ecomdash.i18n import use_lang
    from ecomdash.i18n.note import tr_note

    sales = ["TEX-271", "Mug-1", "MUG-1", "DEC-222", "P1"]
    stock = SF.read_stock(
        b"sku,stock\n tex-271 ,5\nmug-1,2\nDEC-222,7\ndec-222,1\nMUG-1,4\nX-9,3\np1,6\n"
    )
    m = SF.match_stock(stock, sales)
    assert m.stock.to_dict() == {
        "DEC-222": 7.0,
        "MUG-1": 4.0,
        "P1": 6.0,
        "TEX-271": 5.0,
        "X-9": 3.0,
    }
    assert m.notes == (
        "2 ids in your stock file are written differently from the sales data's product codes "
        "(case or spaces) and were matched to them: p1 → P1, tex-271 → TEX-271.",
    )
    several, twice = m.warnings
    assert several == (
        "1 id in your stock file matches several product codes of the sales data that differ "
        "only in case: mug-1 (MUG-1 / Mug-1) — it was left out; write it exactly as the sales "
        "data does."
    )
    assert twice == (
        "1 id in your stock file differs only in case from another row of the file for the "
        "same product: dec-222 (DEC-222) — it was left out; keep one row per product."
    )
    with use_lang("zh"):
        assert tr_note(m.notes[0]) == (
            "库存文件中有\u00a02\u00a0个编码与销售数据的商品编码写法不同（大小写或空格），已按商品编码匹配："
            "p1 → P1、tex-271 → TEX-271。"
        )
        assert tr_note(several).startswith(
            "库存文件中有\u00a01\u00a0个编码对应销售数据中多个仅大小写不同"
        )
        assert "mug-1 (MUG-1 / Mug-1)" in tr_note(several)
        assert tr_note(twice).startswith(
            "库存文件中有\u00a01\u00a0个编码与文件中同一商品的另一行仅大小写"
        )
    # ids the sales data writes exactly: nothing to say
    exact = SF.match_stock(pd.Series({"TEX-271": 1.0, "Mug-1": 2.0}), sales)
    assert exact.stock.to_dict() == {"TEX-271": 1.0, "Mug-1": 2.0}
    assert exact.notes == exact.warnings == ()


def test_stock_ids_the_price_panel_has_no_product_for_are_named_in_both_languages():
    """Pricing's markdowns ignored a stock file's ids with no product in the weekly price
    panel in silence (the restock planner names its own): one note names them, first three
    in the file's order, in English and Chinese; none when every id is priced."""
    from ecomdash.i18n import use_lang
    from ecomdash.i18n.note import tr_note
    from ecomdash.stock_file import stock_not_priced

    stock = pd.Series({"A": 1.0, "X-9": 2.0, "p1": 3.0, "X-10": 4.0, "Z": 5.0})
    (n,) = stock_not_priced(stock, ["A", "B"])
    with use_lang("en"):
        assert tr_note(n) == (
            "4 products in your stock file have no sales in the weeks priced here (the period "
            "and filters): X-9, p1, X-10, … — if they sell, check that the ids match the sales "
            "data's product codes."
        )
    with use_lang("zh"):
        assert tr_note(n) == (
            "库存文件中有\u00a04\u00a0个商品在此处定价所用的各周（期间和筛选条件内）中没有销售："
            "X-9、p1、X-10、…——如果它们有销售，请检查编码是否与销售数据的商品编码一致。"
        )
    assert stock_not_priced(stock[["A"]], ["A", "B"]) == ()


def test_each_kept_id_takes_its_own_rows_units_the_first_when_repeated():
    """Each id kept reads its units from its own row (a dict of first rows since the lookup
    by ``list.index`` was quadratic: 40,000 ids took 14 s; the time is measured by
    ``bench/bench_stock_match.py``, not here): a repeated id takes its first row's, a matched
    one (case) its own row's, over a catalogue large enough to hold every shape."""
    n = 2_000
    ids = [f"SKU-{k}" if k % 3 else f"sku-{k}" for k in range(n)] + ["SKU-1", "SKU-5"]
    stock = pd.Series(np.arange(n + 2, dtype=float), index=ids)
    matched = SF.match_stock(stock, [f"SKU-{k}" for k in range(n)])
    got = matched.stock
    assert got.index.tolist() == [f"SKU-{k}" for k in range(n)] + ["SKU-1", "SKU-5"]
    assert got.to_numpy().tolist() == [*range(n), 1.0, 5.0]
