"""A merchant's promotion-events file (Pricing & promotions, "Promotions you ran") read by
:func:`ecomdash.pricing.promotions.parse_events`: its columns by the names a merchant's own
sheet gives them, in English or Chinese; blank rows dropped; ids trimmed."""

from __future__ import annotations

import pandas as pd
import pytest

from ecomdash.errors import ParameterError
from ecomdash.pricing.promotions import parse_events

EXPECTED = pd.DataFrame(
    {
        "product_id": ["A-1", "B-2"],
        "start": pd.to_datetime(["2024-05-06", "2024-06-03"]),
        "end": pd.to_datetime(["2024-05-19", "2024-06-09"]),
    }
)


@pytest.mark.parametrize(
    "names",
    [
        ("product_id", "start", "end"),
        ("Product ID", "Start Date", "End_Date"),  # a spreadsheet's headers
        ("SKU", "From", "To"),
        ("商品编码", "开始日期", "结束日期"),  # a Chinese merchant's sheet
        ("商品 ID", "开始时间", "结束时间"),
        ("货号", "活动开始", "活动结束"),
    ],
)
def test_columns_by_the_names_a_merchant_gives_them(names):
    """Before, only product_id/product/product id/sku, start/from/start date and
    end/to/end date (exactly, lower-cased) were read: "Start_Date" or 商品编码 / 开始日期 /
    结束日期 were refused with "need columns product_id, start and end"."""
    raw = pd.DataFrame(
        {
            names[0]: [" A-1 ", "B-2"],
            names[1]: ["2024-05-06", "2024-06-03"],
            names[2]: ["2024-05-19", "2024-06-09"],
        }
    )
    pd.testing.assert_frame_equal(parse_events(raw), EXPECTED)


def test_an_id_column_wins_over_a_name_column():
    """A sheet with the product's name ("Product", 商品) and its id (SKU, 商品编码): the id
    is what the sales carry, so the events are matched by it."""
    raw = pd.DataFrame(
        {
            "Product": ["Mug", "Bowl"],
            "SKU": ["A-1", "B-2"],
            "Start": ["2024-05-06", "2024-06-03"],
            "End": ["2024-05-19", "2024-06-09"],
        }
    )
    pd.testing.assert_frame_equal(parse_events(raw), EXPECTED)
    zh = raw.rename(columns={"Product": "商品", "SKU": "商品编码", "Start": "开始", "End": "结束"})
    pd.testing.assert_frame_equal(parse_events(zh), EXPECTED)


def test_blank_rows_are_dropped_and_other_columns_ignored():
    """Rows without a product (empty, spaces only, missing) are the sheet's blank lines."""
    raw = pd.DataFrame(
        {
            "product_id": ["A-1", "", "  ", None, "B-2"],
            "start": ["2024-05-06", None, None, None, "2024-06-03"],
            "end": ["2024-05-19", None, None, None, "2024-06-09"],
            "note": ["spring", "", "", "", "summer"],
        }
    )
    pd.testing.assert_frame_equal(parse_events(raw), EXPECTED)


def test_a_column_not_found_names_the_columns_there_are():
    with pytest.raises(ParameterError, match=r"found 商品编码, 日期\."):
        parse_events(pd.DataFrame({"商品编码": ["A"], "日期": ["2024-05-06"]}))
