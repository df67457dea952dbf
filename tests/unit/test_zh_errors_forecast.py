"""Core errors and warnings of the forecast / forecast-by-group / restock / Chinese-calendar
modules: each raise site's message is a Note, so a page shows it in Chinese (with the right
figures) while ``str(err)`` — CLI, JSON, logs — is the English sentence it always was.

The English below is written from the old f-strings by hand (not copied from the new code's
output); the Chinese checks look for the figures and a few words the translation must have.
"""

from __future__ import annotations

import re
from datetime import date

import numpy as np
import pandas as pd
import pytest

from ecomdash import calendar_cn as CN
from ecomdash import forecast as F
from ecomdash import inventory as INV
from ecomdash import schema as S
from ecomdash import stock_file as SF
from ecomdash.errors import InputFileError, InsufficientDataError, ParameterError
from ecomdash.forecast_groups import forecast_groups, group_columns
from ecomdash.i18n import use_lang
from ecomdash.i18n.note import Note, tr_note, translated

HAN = re.compile(r"[\u4e00-\u9fff]")


def _raise(exc_type, fn, *args, **kw) -> tuple[str, str]:
    """(English, Chinese) of the error ``fn`` raises; the English one must be a Note."""
    with pytest.raises(exc_type) as info:
        fn(*args, **kw)
    err = info.value
    assert isinstance(err.args[0], Note), f"not a Note: {err}"
    with use_lang("zh"):
        zh = translated(err)
    assert type(zh) is exc_type
    zh_text = str(zh)
    assert HAN.search(zh_text), zh_text
    assert "the" not in zh_text.split(), zh_text  # no English sentence left
    return str(err), zh_text


def _lines(n_days: int = 10, *, start: str = "2024-01-01", **drop) -> pd.DataFrame:
    d = pd.date_range(start, periods=n_days, freq="D")
    df = pd.DataFrame(
        {
            "order_date": d,
            "order_id": [f"o{i}" for i in range(n_days)],
            "product_id": ["A", "B"] * (n_days // 2) + ["A"] * (n_days % 2),
            "quantity": 2.0,
            "unit_price": 5.0,
            "is_return": False,
            "is_non_product": False,
            "is_cancelled": False,
        }
    )
    df["revenue"] = df["quantity"] * df["unit_price"]
    return df.drop(columns=[c for c in drop if drop[c]])


# ---------------------------------------------------------------- ecomdash.forecast


def test_build_series_errors_in_chinese():
    en, zh = _raise(ParameterError, F.build_series, _lines(), metric="profit")
    assert en == (
        "The 'metric' parameter must be one of revenue, orders, units. Got 'profit' instead."
    )
    assert "'profit'" in zh and "revenue、orders、units" in zh

    en, zh = _raise(ParameterError, F.build_series, _lines(), freq="Q")
    assert en == (
        "The 'freq' parameter must be one of D (daily), W (weekly), M (monthly). Got 'Q' instead."
    )
    assert "'Q'" in zh and "按周" in zh

    en, zh = _raise(ParameterError, F.build_series, _lines(), returns="gross")
    assert en == "The 'returns' parameter must be 'net' or 'exclude'. Got 'gross' instead."
    assert "'gross'" in zh

    en, zh = _raise(ParameterError, F.build_series, _lines(order_date=True))
    assert en == (
        "Forecasting needs an order date column; this dataset has none. "
        "Map the order date on the Data page."
    )
    assert "下单日期" in zh and "“数据”页" in zh

    en, zh = _raise(ParameterError, F.build_series, _lines(order_id=True), metric="orders")
    assert en.startswith("Forecasting orders needs an order id column;")
    assert "订单号" in zh

    returns = _lines(1_200)
    returns["is_return"] = True
    en, zh = _raise(InsufficientDataError, F.build_series, returns)
    assert en == (
        "Forecasting needs sales lines; found none among 1,200 lines. "
        "Check the date range and filters, and that quantities/prices are positive."
    )
    assert "1,200\u00a0条订单行" in zh

    en, zh = _raise(ParameterError, F.build_series, _lines(), category="Toys")
    assert (
        en == "Filtering the forecast by category needs a category column; this dataset has none."
    )
    assert zh.count("category") == 2

    en, zh = _raise(InsufficientDataError, F.build_series, _lines(), product="ZZ")
    assert en == "No sales lines for product_id=ZZ. Check the spelling, or pick another scope."
    assert "product_id=ZZ" in zh and "没有销售订单行" in zh

    # 2024-01-03 (Wed) to 2024-01-05 (Fri): the only Monday-to-Sunday week is partial
    en, zh = _raise(InsufficientDataError, F.build_series, _lines(3, start="2024-01-03"), freq="W")
    assert en == (
        "No complete week in the data (3 January 2024 to 5 January 2024). "
        "Choose a finer grain (daily) or upload a longer history."
    )
    assert "2024年1月3日" in zh and "2024年1月5日" in zh and "一周" in zh


def test_metric_values_errors_in_chinese():
    en, zh = _raise(
        ParameterError,
        F.build_series,
        _lines(revenue=True, unit_price=True),
        metric="revenue",
    )
    assert en == (
        "Forecasting revenue needs a revenue column (or quantity and unit price). Found "
        "columns: order_date, quantity, is_return, is_non_product, is_cancelled. Choose "
        "metric 'orders' or 'units', or map the revenue column on the Data page."
    )
    # (the columns build_series reads: it narrows the table first)
    assert "order_date、quantity、is_return" in zh and "销售额" in zh

    en, zh = _raise(ParameterError, F.build_series, _lines(quantity=True), metric="units")
    assert en.startswith("Forecasting units needs a quantity column; this dataset has none.")
    assert "数量列" in zh


def test_series_from_values_and_seasonality_in_chinese():
    idx = pd.date_range("2024-01-01", periods=3, freq="D")
    en, zh = _raise(ParameterError, F.series_from_values, idx, [1.0, 2.0, 3.0], freq="Y")
    assert en == "The 'freq' parameter must be one of D, W, M. Got 'Y' instead."
    assert "'Y'" in zh

    en, zh = _raise(ParameterError, F.series_from_values, idx, [1.0, 2.0], freq="D")
    assert en == "periods and values must have the same non-zero length; got 3 and 2."
    assert "3" in zh and "2" in zh

    gap = pd.DatetimeIndex(["2024-01-01", "2024-01-08", "2024-01-22"])
    en, zh = _raise(ParameterError, F.series_from_values, gap, [1.0, 2.0, 3.0], freq="W")
    assert en == (
        "The periods are not a regular weekly calendar (gaps or wrong anchors). "
        "Fill missing periods with 0 before forecasting."
    )
    assert "按周" in zh

    months = pd.date_range("2024-01-01", periods=3, freq="MS")
    s = F.series_from_values(months, [1.0, 2.0, 3.0], freq="M")
    en, zh = _raise(ParameterError, F.seasonality, s)
    assert en == (
        "Seasonality is measured on a daily series; got freq='M'. Build the series with freq='D'."
    )
    assert "freq='M'" in zh and "季节性" in zh

    days = pd.date_range("2024-01-01", periods=70, freq="D")
    res = F.seasonality(F.series_from_values(days, np.arange(70) % 7 + 1.0, freq="D"))
    assert res.warnings == (
        "Less than a year of complete weeks: yearly seasonality is not measured.",
    )
    with use_lang("zh"):
        assert tr_note(res.warnings[0]) == "完整周的数据不足一年：未测量年度季节性。"


def test_events_errors_in_chinese():
    ev = F.Event("Spring sale", date(2024, 3, 10), date(2024, 3, 1))
    en, zh = _raise(ParameterError, ev.days)
    assert en == (
        "Event 'Spring sale' ends (1 March 2024) before it starts (10 March 2024). "
        "Enter an end date on or after the start date."
    )
    assert "Spring sale" in zh and "2024年3月1日" in zh and "2024年3月10日" in zh

    en, zh = _raise(
        ParameterError,
        F.preset_events,
        ["Boxing Day"],
        start=date(2024, 1, 1),
        end=date(2024, 12, 31),
    )
    assert en == (
        "Unknown sale day 'Boxing Day'. Choose from Black Friday, Cyber Monday, Singles' Day "
        "(11.11), or enter your own event with its dates."
    )
    assert "'Boxing Day'" in zh and "Black Friday" not in zh  # the choices in Chinese too


def test_forecast_errors_in_chinese():
    idx = pd.date_range("2024-01-01", periods=28, freq="D")
    s = F.series_from_values(idx, np.arange(28) % 7 + 1.0, freq="D", future_periods=7)

    en, zh = _raise(ParameterError, F.forecast, s, horizon=0)
    assert en == "The 'horizon' parameter must be an int in the range [1, 400]. Got 0 instead."
    assert "[1, 400]" in zh and "整数" in zh

    en, zh = _raise(ParameterError, F.forecast, s, horizon=7, models=("prophet",))
    assert en == (
        "Unknown model ['prophet']. Choose from seasonal_naive, seasonal_mean, ets, "
        "croston, sarimax, combo."
    )
    assert "['prophet']" in zh and "seasonal_naive、seasonal_mean" in zh

    en, zh = _raise(ParameterError, F.forecast, s, horizon=14)
    assert en == (
        "The series describes 7 future periods but the horizon is 14. "
        "Build the series with future_periods >= horizon."
    )
    assert "7" in zh and "14" in zh and "预测期" in zh

    # six closed weekdays: the calendar has 28 periods, the trading calendar only 4
    cw = (0, 1, 2, 3, 4, 5)
    vals = np.where(np.isin(idx.day_of_week, cw), 0.0, 10.0)
    shut = F.series_from_values(idx, vals, freq="D", closed_weekdays=cw, future_periods=7)
    en, zh = _raise(
        InsufficientDataError, F.forecast, shut, horizon=7, folds=3, models=("seasonal_naive",)
    )
    assert en == (
        "A backtest of 2 folds × 7 periods needs more history: the series has 28 periods. "
        "Use fewer folds, a shorter horizon, or a coarser grain."
    )
    assert "2\u00a0折 ×\u00a07\u00a0期" in zh and "28\u00a0期" in zh


def test_forecast_many_error_in_chinese():
    en, zh = _raise(ParameterError, F.forecast_many, _lines(product_id=True), freq="D")
    assert en == (
        "Forecasting products needs a product id column; this dataset has none. "
        "Map the product id on the Data page."
    )
    assert "商品编码" in zh


# ---------------------------------------------------------------- forecast by group


def test_forecast_groups_errors_in_chinese(_isolated_home):
    from ecomdash.ingest import load_bytes
    from ecomdash.store import Store
    from tests.summed_fixtures import to_csv_bytes, walmart_like

    en, zh = _raise(ParameterError, group_columns, "aisle")
    assert en.startswith(
        "'by' names the group to forecast, e.g. 'category' or 'location,category'; got 'aisle'. "
        "Use one or more of: "
    )
    assert "'aisle'" in zh and "category、" in zh

    en, zh = _raise(ParameterError, forecast_groups, None, "x", freq="Q")
    assert en == "'freq' must be D, W or M; got 'Q'."
    assert "'Q'" in zh

    en, zh = _raise(ParameterError, forecast_groups, None, "x", reconciliation="magic")
    assert en.startswith("'reconciliation' must be one of ") and en.endswith("; got 'magic'.")
    assert "'magic'" in zh

    df = walmart_like(stores=1, depts=2, weeks=20, seed=3)
    res = load_bytes(to_csv_bytes(df), "train.csv")
    store = Store.open(_isolated_home)
    try:
        info = store.save_dataset("w", res.lines, report=res.report, mapping=res.mapping.as_dict())
        en, zh = _raise(ParameterError, forecast_groups, store, info.id, by="sku")
        cols = ", ".join(info.columns)
        assert en == (
            f"This dataset has no product_id column to forecast by (it has {cols}). "
            "Choose another group, or map that column on the Data page."
        )
        # shown, the columns are named as the Data page's mapping names them (the English
        # text, the CLI's, keeps the ids)
        with use_lang("zh"):
            first = S.field_name(info.columns[0])
        assert "商品编码" in zh and first in zh and "“数据”页" in zh
        assert "product_id" not in zh and info.columns[0] not in zh
    finally:
        store.close()


# ---------------------------------------------------------------- restock


def test_inventory_errors_in_chinese():
    en, zh = _raise(ParameterError, INV.abc_classes, pd.Series({"x": 1.0}), a=0.9, b=0.8)
    assert en == "ABC thresholds must satisfy 0 < a < b < 1; got a=0.9, b=0.8."
    assert "a=0.9" in zh and "b=0.8" in zh

    en, zh = _raise(ParameterError, INV.service_z, 1.2)
    assert en == (
        "The 'service_level' parameter must be a number in the range [0.5, 1). "
        "Got 1.2 instead (e.g. 0.95 means a stock-out in 1 of 20 cycles)."
    )
    assert "1.2" in zh and "服务水平" in zh and "缺货" in zh

    demand = pd.DataFrame({"daily_demand": [1.0], "error_sd_daily": [0.5]}, index=["A"])
    en, zh = _raise(ParameterError, INV.restock_table, demand, lead_time_days=0, service_level=0.9)
    assert en == "The 'lead_time_days' parameter must be in the range (0, 365]. Got 0."
    assert "交货周期" in zh

    en, zh = _raise(
        ParameterError, INV.plan_restock, _lines(quantity=True), lead_time_days=7, service_level=0.9
    )
    assert en == (
        "The restock planner needs product id and quantity columns; this dataset lacks "
        "quantity. Map them on the Data page."
    )
    assert "quantity" in zh and "补货" in zh


def test_read_stock_errors_in_chinese():
    en, zh = _raise(InputFileError, SF.read_stock, b"  \n")
    assert en == "The stock file is empty. Upload a CSV or Excel file with product id and stock."
    assert "库存文件" in zh

    big = b"x" * (SF.MAX_SMALL_FILE_BYTES + 1)
    en, zh = _raise(InputFileError, SF.read_stock, big)
    assert en == (
        "The stock file is 5,242,881 bytes; the limit is 5,242,880. "
        "Upload only the product id and stock columns."
    )
    assert "5,242,881" in zh and "5,242,880" in zh  # 5 * 2**20 = 5 * 1,048,576

    en, zh = _raise(InputFileError, SF.read_stock, b"name,colour\nA,red\n")
    assert en == (
        "The stock file needs a product id column (product_id, SKU, stock code) and a stock "
        "column (on_hand, stock, qty). Found columns: name, colour."
    )
    assert "name、colour" in zh

    en, zh = _raise(InputFileError, SF.read_stock, b"sku,stock\nA,many\nB,lots\n")
    assert (
        en == "No stock value in column 'stock' is a number (2 rows). Enter whole units, e.g. 12."
    )
    assert "“stock”" in zh and "2\u00a0行" in zh

    en, zh = _raise(InputFileError, SF.read_stock, b"sku,stock\nA,ten\nB,3\nC,-1\n")
    assert en.startswith("Lines 2, 4 of the stock file have text or a negative number")
    assert zh == (
        "库存文件第\u00a02、4\u00a0行的“stock”列是文字或负数。请填写\u00a00 或以上的现有件数（例如\u00a012），"
        "不清楚库存的商品请留空，然后重新上传。"
    )
    # a European Excel's decimal comma: not whole units, said with the line (was read as 15)
    en, zh = _raise(InputFileError, SF.read_stock, b"SKU;Stock\nA;12\nB;1,5\n")
    assert en.startswith("Line 3 of the stock file has a number of units that is not whole")
    assert zh == (
        "库存文件第\u00a03\u00a0行的“Stock”列不是整数件数（1,5）。库存按整件计算：请填写整数，例如\u00a012"
        "（用分号分隔的文件里逗号是小数点，1,5 就是一件半），然后重新上传。"
    )
    en, zh = _raise(InputFileError, SF.read_stock, b'sku,stock\n"A,1\n')
    assert "CSV" in zh and "引号" in zh and "quote" not in zh
    # the Chinese message names the Chinese headers it reads
    en, zh = _raise(InputFileError, SF.read_stock, "名称,颜色\nA,红\n".encode())
    assert "商品编码" in zh and "库存" in zh and "名称、颜色" in zh


# ---------------------------------------------------------------- Chinese calendar


def test_calendar_cn_errors_in_chinese():
    en, zh = _raise(ParameterError, CN.festival_day, "christmas", 2024)
    assert en.startswith("Unknown Chinese public holiday 'christmas'. Choose from ")
    assert "'christmas'" in zh and "法定节假日" in zh

    en, zh = _raise(ParameterError, CN.calendar_days, date(2024, 2, 1), date(2024, 1, 1))
    assert en == "The calendar ends (1 January 2024) before it starts (1 February 2024)."
    assert "2024年1月1日" in zh and "2024年2月1日" in zh

    en, zh = _raise(ParameterError, CN.check_features, ["easter"])
    assert en.startswith("Unknown Chinese calendar feature ['easter']. Choose from ")
    assert "['easter']" in zh

    en, zh = _raise(ParameterError, CN.regressors, pd.date_range("2024-01-01", periods=3), freq="Q")
    assert en == "Unknown grain 'Q': use D, W or M."
    assert "'Q'" in zh and "按周" in zh
