"""Core errors of ingest, the store, Spark and the report: English as before in ``str(err)``
(CLI, logs, JSON), Chinese with the same figures through ``translated(err)`` (what
``ui.common.show_error`` shows).

Each case triggers the real error with bad input. The English is written out from the message
as it read before the errors became Notes; the Chinese fragments are the PO translations.
"""

from __future__ import annotations

import gzip
import io
import zipfile

import pandas as pd
import pytest

from ecomdash.errors import EcomdashError, InputFileError, MappingError, ParameterError, StoreError
from ecomdash.i18n import use_lang
from ecomdash.i18n.note import Note, translated
from ecomdash.ingest import clean, inspect_bytes, load_bytes, read_bytes
from ecomdash.ingest.multi import JoinError, combine, joins_from_choices, propose_joins, read_tables


def _raised(fn, cls=EcomdashError) -> EcomdashError:
    with pytest.raises(cls) as info:
        fn()
    return info.value


def _zh(err: BaseException) -> str:
    with use_lang("zh"):
        out = translated(err)
    assert type(out) is type(err)
    return str(out)


def _check(err, english: str, *chinese: str, exact: bool = True) -> None:
    assert isinstance(err.args[0], Note), err.args[0]
    if exact:
        assert str(err) == english
    else:
        assert english in str(err)
    zh = _zh(err)
    assert zh != str(err)
    for part in chinese:
        assert part in zh, (part, zh)
    # no English sentence left: every ASCII word in the Chinese text comes from the figures
    assert "Export" not in zh and "the file" not in zh.lower()


# ---- reading -------------------------------------------------------------------------------
def test_file_over_the_limit():  # table._check_size via read._read_any
    err = _raised(lambda: read_bytes(b"a,b\n" * 1000, "x.csv", max_bytes=1000))
    _check(
        err,
        "The file is 4 KB; the limit is 1 KB. "
        "Export a shorter date range (or split the file) and upload the parts.",
        "4 KB",
        "1 KB",
    )


def test_empty_file():  # read_text._read_text
    err = _raised(lambda: read_bytes(b"\n\n  \n", "x.csv"), InputFileError)
    assert str(err) == (
        "The file is empty: it has no bytes (or only blank space). "
        "Export your orders again and upload the saved file."
    )
    assert _zh(err).startswith("文件是空的")


def test_duplicate_column_names():  # table._check_header: a list of Notes joined by "; "
    err = _raised(lambda: read_bytes(b"id,Qty,qty,id\n1,2,3,4\n", "x.csv"), InputFileError)
    _check(
        err,
        "Some column names appear more than once: 'id' in columns 1, 4; 'Qty' in columns 2, 3. "
        "Rename them so every column has its own name, then upload again.",
        "“id”在第\u00a01, 4\u00a0列；“Qty”在第\u00a02, 3\u00a0列",  # the separator and the quotes are translated
    )


def test_json_is_refused():  # read_text._refuse_markup
    err = _raised(lambda: read_bytes(b'[{"order": 1}]', "x.csv"), InputFileError)
    assert str(err).startswith("This file is JSON, which is not read here.")
    assert "该文件是 JSON，这里无法读取" in _zh(err)


def test_broken_gz():  # read._gunzip (was an f-string)
    data = gzip.compress(b"order,product\n" * 100)[:-12]  # cut before the end
    err = _raised(lambda: read_bytes(data, "x.csv.gz"), InputFileError)
    assert "The .gz file" in str(err)
    assert ".gz" in _zh(err) and "文件" in _zh(err)


def test_archive_in_an_archive():  # read._nested_error
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as z:
        z.writestr("a.csv", "order,product\n1,A\n")
    outer = io.BytesIO()
    with zipfile.ZipFile(outer, "w") as z:
        z.writestr("inner.zip", inner.getvalue())
    err = _raised(lambda: read_bytes(outer.getvalue(), "x.zip"), InputFileError)
    assert str(err).startswith("The file is an archive inside another archive.")
    assert "压缩包" in _zh(err)


def test_damaged_workbook():  # read_sheets (calamine open)
    data = b"PK\x03\x04" + b"\0" * 200
    err = _raised(lambda: read_bytes(data, "x.xlsx"), InputFileError)
    assert "Excel" in str(err) or "zip" in str(err)
    assert _zh(err) != str(err)


# ---- mapping and cleaning ------------------------------------------------------------------
def test_columns_not_enough():  # mapping.check_enough: fields are Joined lists of Notes
    raw = inspect_bytes(b"Customer,Colour\nc1,red\nc2,blue\n", "x.csv")
    err = _raised(lambda: clean(raw, {"customer_id": "Customer"}), MappingError)
    en = str(err)
    assert en.startswith(
        "The columns found are not enough for any analysis. Mapped: customer_id ← 'Customer' "
        "(file columns: 'Customer', 'Colour')."
    )
    # the lists keep their English separators ("; ", " or ", " + ")
    assert "; basket analysis needs order_id + product_id; forecasting needs order_date" in en
    assert "order_date + revenue or order_date + quantity or order_date + order_id;" in en
    zh = _zh(err)
    assert zh.startswith("找到的列不足以做任何分析。")
    # "; " and " or " translated (；, 或), " + " kept, fields by their names (schema.FIELD_NAMES:
    # the other pages' column headers where they head the same column, labels.po)
    assert "；购物篮分析需要 订单号 + 商品编码；预测需要 下单日期 + 销售额 或 下单日期 + 数量" in zh
    assert "已映射：客户 ID ← “Customer”（文件的列：“Customer”、“Colour”）" in zh
    # shown in English on a page, the fields are named as the Data page's mapping names them;
    # the error's own text (the CLI's) keeps the ids --map takes
    with use_lang("en"):
        shown = str(translated(err))
    assert "Mapped: Customer id ← 'Customer'" in shown
    assert (
        "; basket analysis needs Order id + Product id / SKU; forecasting needs Order date + "
        "Line amount or Order date + Quantity or Order date + Order id;"
    ) in shown
    assert "order_id" not in shown and "customer_id" not in shown


def test_mapping_that_does_not_fit():  # clean.clean
    raw = inspect_bytes(b"order,product\n1,A\n", "x.csv")
    err = _raised(lambda: clean(raw, {"order_id": "order", "product_id": "nope"}), MappingError)
    _check(
        err,
        "The mapping does not fit this file: column 'nope' not in the file; the file's "
        "columns are 'order', 'product'. Choose again.",
        "“nope”",
        "“order”、“product”",
    )


# ---- several tables ------------------------------------------------------------------------
def _tables():
    return read_tables(
        [
            ("lines.csv", b"order,sku,qty\n1,A,2\n1,B,1\n2,A,1\n"),
            ("products.csv", b"sku,name\nA,Mug\nB,Bowl\n"),
        ]
    )


def test_unknown_fact_table():  # multi.propose_joins (was an f-string)
    err = _raised(lambda: propose_joins(_tables(), fact="orders"), JoinError)
    _check(
        err,
        "There is no table named 'orders'. Tables: lines, products. Pick one of them.",
        "没有名为“orders”的表",
        "lines, products",
        "请从中选择一个",
    )


def test_unknown_table_in_the_choices():  # multi.joins_from_choices (was an f-string)
    tables = _tables()
    proposal = propose_joins(tables, fact="lines")
    err = _raised(lambda: joins_from_choices(tables, proposal, {"prices": None}), JoinError)
    _check(
        err,
        "There is no table named 'prices'. Tables: lines, products. "
        "Use the name of the file without its extension.",
        "没有名为“prices”的表",
        "不带扩展名的文件名",
    )


def test_join_that_would_multiply_lines():  # multi._apply_join: the Note itself, not translated
    tables = read_tables(
        [
            ("lines.csv", b"order,sku,qty\n1,A,2\n1,B,1\n2,A,1\n"),
            ("products.csv", b"sku,name\nA,Mug\nA,Cup\nB,Bowl\n"),
        ]
    )
    proposal = propose_joins(tables, fact="lines")
    joins = joins_from_choices(tables, proposal, {"products": ("sku", "sku")})
    err = _raised(lambda: combine(tables, proposal, joins=joins), JoinError)
    assert "'A'" in str(err) and "products" in str(err)
    zh = _zh(err)
    assert "“A”" in zh and "'" not in zh


# ---- store ---------------------------------------------------------------------------------
@pytest.fixture
def store(tmp_path):
    from ecomdash.store import Store

    s = Store.open(tmp_path)
    yield s
    s.close()


def test_workspace_name():  # store.check_workspace
    from ecomdash.store import check_workspace

    err = _raised(lambda: check_workspace("a b"), ParameterError)
    _check(
        err,
        "The workspace name 'a b' is not valid. Use 1-64 letters, digits, "
        "'.', '_', '-' or '@', starting with a letter or digit.",
        "工作区名称“a b”无效",
    )


def test_unknown_dataset(store):  # Store.info
    err = _raised(lambda: store.info("nope"), StoreError)
    _check(
        err,
        "No dataset with id 'nope' in this workspace. "
        "Run `ecomdash datasets` (or open the Data page) to see the saved datasets.",
        "没有 ID 为“nope”的数据集",
    )


def _saved(store, data: bytes):
    res = load_bytes(data, "x.csv")
    return store.save_dataset("shop", res.lines, report=res.report, mapping=res.mapping.as_dict())


def test_unknown_columns_and_no_date(store):  # Store.load_lines, Store.daily_sales
    info = _saved(store, b"order,product,qty\n1,A,2\n2,B,1\n")
    err = _raised(lambda: store.load_lines(info.id, None, columns=["zzz"]), ParameterError)
    cols = ", ".join(info.columns)
    _check(
        err,
        f"Column zzz is not in this dataset (it has {cols}).",
        "该数据集中没有列 zzz",
        "、".join(info.columns),  # a list reads with 、 in Chinese
    )
    err = _raised(lambda: store.daily_sales(info.id), ParameterError)
    _check(
        err,
        "A daily series needs an order date column; this dataset has none. "
        "Map the order date on the Data page.",
        "按日序列需要下单日期列",
    )


def test_dataset_name_and_rank(store):  # store_tables.clean_name, Store.sales_by
    err = _raised(lambda: store.save_dataset("  ", pd.DataFrame()), ParameterError)
    _check(err, "A dataset needs a name. Type a name for it and save again.", "数据集需要名称")
    info = _saved(store, b"order,product,qty\n1,A,2\n2,B,1\n")
    err = _raised(lambda: store.sales_by(info.id, None, "colour"), ParameterError)
    _check(err, "Cannot rank by 'colour'.", "无法按 'colour' 排序")


def test_read_only_store(tmp_path):  # Store._check_writable: the action is a Note too
    from ecomdash.store import Store, connect

    rw = Store.open(tmp_path)
    info = _saved(rw, b"order,product,qty\n1,A,2\n2,B,1\n")
    rw.close()
    ro = Store(connect(tmp_path, read_only=True))
    try:
        err = _raised(lambda: ro.rename(info.id, "y"), StoreError)
    finally:
        ro.close()
    _check(
        err,
        "Could not rename the dataset: the dataset store is open read-only. Nothing was changed. "
        "Make ECOMDASH_HOME writable (and stop any process holding it) and try again.",
        "无法重命名数据集：数据存储以只读方式打开",
    )


# ---- Spark, report -------------------------------------------------------------------------
def test_spark_query_values():  # spark.store._literal
    from ecomdash.spark.store import _literal

    err = _raised(lambda: _literal(float("inf")), ParameterError)
    _check(err, "A query value must be a finite number; got inf.", "查询参数必须是有限数值", "inf")
    err = _raised(lambda: _literal(object()), ParameterError)
    _check(err, "A query value of type object is not supported.", "不支持类型为 object")


def test_spark_lake_url():  # spark.lake.Lake (needs no Spark session)
    pytest.importorskip("fsspec")
    from ecomdash.spark.store import SparkStore

    err = _raised(lambda: SparkStore(None, "s3a://bucket/lake"), StoreError)
    _check(
        err,
        "The lake s3a://bucket/lake cannot be opened from the app (",
        "应用无法打开数据湖 s3a://bucket/lake",
        "s3fs",
        exact=False,
    )


def test_spark_session_without_pyspark(monkeypatch):  # spark.session.get_session
    import builtins

    from ecomdash.spark.session import get_session

    real = builtins.__import__

    def no_pyspark(name, *a, **k):
        if name.startswith("pyspark"):
            raise ImportError(name)
        return real(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", no_pyspark)
    err = _raised(lambda: get_session("local[1]"), StoreError)
    _check(
        err,
        "The Spark engine needs pyspark, which is not installed. Install the extra "
        "(uv sync --extra spark) or set ECOMDASH_ENGINE=duckdb.",
        "Spark 引擎需要 pyspark，但尚未安装",
    )


def test_report_language_and_pdf(monkeypatch, tmp_path):  # report.check_lang, pdf.print_pdf
    from ecomdash.report import check_lang
    from ecomdash.report.pdf import PdfError, print_pdf

    err = _raised(lambda: check_lang("fr"), ParameterError)
    _check(
        err,
        "Unknown report language 'fr'. Available: en, zh (--lang en or --lang zh).",
        "未知的报告语言 'fr'。可选：en、zh",
    )
    monkeypatch.setenv("ECOMDASH_CHROMIUM", str(tmp_path / "no-such-chromium"))
    err = _raised(lambda: print_pdf("<p>x</p>", tmp_path / "r.pdf"), PdfError)
    assert str(err).startswith("No PDF was written: printing the report to PDF needs Chromium")
    assert _zh(err).startswith("未生成 PDF：把报告打印为 PDF 需要 Chromium")
