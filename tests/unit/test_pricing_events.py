"""A merchant's promotion-events file (Pricing & promotions, "Promotions you ran") read by
:func:`ecomdash.pricing.promotions.parse_events`: its columns by the names a merchant's own
sheet gives them, in English or Chinese; blank rows dropped; ids trimmed."""

from __future__ import annotations

import pandas as pd
import pytest

from ecomdash.errors import ParameterError
from ecomdash.pricing.promotions import match_events, parse_events

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


def _events(rows) -> pd.DataFrame:
    return parse_events(pd.DataFrame(rows, columns=["product_id", "start", "end"]))


#: the products that sold (id → name; two share a name) and the data's first and last day
NAMES = pd.Series(
    {"A-1": "Blue Mug", "B-2": "Red  Bowl", "C-3": "Vase", "D-4": "Vase"}, name="product_name"
)
FIRST, LAST = pd.Timestamp("2024-01-01"), pd.Timestamp("2024-06-30")


def test_a_sheet_of_names_is_matched_by_name_and_said_so():
    """A sheet whose product column holds names (商品 / "Product": Blue Mug) matched no id,
    so every promotion was dropped with "name 3 products without sales here"; most of its
    rows name one product each, so they are matched by name (case and spaces aside) and a
    note says which; the row naming no product is named with what to do."""
    ev = _events(
        [
            ["blue mug", "2024-05-06", "2024-05-19"],
            ["Red Bowl", "2024-06-03", "2024-06-09"],
            ["Green Jug", "2024-06-03", "2024-06-09"],
        ]
    )
    out, notes = match_events(ev, NAMES, FIRST, LAST)
    assert out["product_id"].tolist() == ["A-1", "B-2"]
    assert out["start"].tolist() == [pd.Timestamp("2024-05-06"), pd.Timestamp("2024-06-03")]
    assert notes == [
        "2 promotion events give their products' names, not their ids; matched by name "
        "(blue mug → A-1, Red Bowl → B-2).",
        "1 promotion event matches no product in this data (Green Jug (3 June 2024 – 9 June "
        "2024)); ignored. Give the product's id (SKU) as your orders give it.",
    ]


def test_names_are_not_matched_when_most_rows_name_nothing_or_several_products():
    """Ids match first; of the three rows matching no id only one names one product (Vase
    is two products' name), so none is matched by name: all three are said, ids asked for."""
    ev = _events(
        [
            ["A-1", "2024-05-06", "2024-05-19"],
            ["Blue Mug", "2024-05-06", "2024-05-19"],
            ["Vase", "2024-05-06", "2024-05-19"],
            ["X-9", "2024-05-06", "2024-05-19"],
            ["Y-8", "2024-05-06", "2024-05-19"],
        ]
    )
    out, notes = match_events(ev, NAMES, FIRST, LAST)
    assert out["product_id"].tolist() == ["A-1"]
    (note,) = notes
    assert note.startswith("4 promotion events match no product in this data (Blue Mug (6 May")
    assert note.endswith(" …); ignored. Give each product's id (SKU) as your orders give it.")


def test_rows_outside_the_data_s_period_and_products_without_a_model_are_said():
    """A promotion that ends before the data's first day or starts after its last was
    measured as nothing, unsaid; one overlapping the period by a day is kept. A product
    outside the modelled ones is named too."""
    ev = _events(
        [
            ["A-1", "2023-12-01", "2023-12-31"],  # ends the day before the first
            ["A-1", "2023-12-01", "2024-01-01"],  # overlaps by the first day: kept
            ["B-2", "2024-06-30", "2024-07-06"],  # starts on the last day: kept
            ["B-2", "2024-07-01", "2024-07-06"],  # starts the day after the last
            ["C-3", "2024-03-04", "2024-03-10"],  # sold, but without a model
        ]
    )
    out, notes = match_events(ev, NAMES, FIRST, LAST, modelled={"A-1", "B-2"})
    assert out["product_id"].tolist() == ["A-1", "B-2"]
    assert out["end"].tolist() == [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-07-06")]
    assert notes == [
        "2 promotion events fall outside the data's period (1 January 2024 – 30 June 2024): "
        "A-1 (1 December 2023 – 31 December 2023), B-2 (1 July 2024 – 6 July 2024); ignored.",
        "1 promotion event names a product without a model (not among the products with the "
        "most revenue): C-3 (4 March 2024 – 10 March 2024); not measured.",
    ]
