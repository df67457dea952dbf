"""A merchant's promotion-events file (Pricing & promotions, "Promotions you ran") read by
:func:`ecomdash.pricing.promotions.parse_events`: its columns by the names a merchant's own
sheet gives them, in English or Chinese; blank rows dropped; ids trimmed."""

from __future__ import annotations

import pandas as pd
import pytest

from ecomdash.errors import ParameterError
from ecomdash.pricing.promotions import match_events, parse_events, usable_events

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
        ("Product Code", "开始", "结束"),
        ("商品编号", "START", "END"),
        ("SKU编码", "from", "to"),
        ("product", "Start-Date", "End Date"),
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
    assert list(out.columns) == ["product_id", "start", "end"]
    assert out["product_id"].tolist() == ["A-1", "B-2"]
    assert out["start"].tolist() == [pd.Timestamp("2024-05-06"), pd.Timestamp("2024-06-03")]
    assert notes == [
        "2 promotion events give their products' names, not their ids; matched by name "
        "(blue mug → A-1, Red Bowl → B-2).",
        "1 promotion event matches no product in this data (Green Jug (3 June 2024 – 9 June "
        "2024)); ignored. Give the product's id (SKU) as your orders give it.",
    ]


def test_names_are_not_matched_when_most_rows_name_nothing_or_several_products():
    """Ids match first; of the five rows matching no id two name one product each (Vase is
    two products' name), not most, so none is matched by name: all five are said, ids asked
    for."""
    ev = _events(
        [
            ["A-1", "2024-05-06", "2024-05-19"],
            ["Blue Mug", "2024-05-06", "2024-05-19"],
            ["Red Bowl", "2024-05-06", "2024-05-19"],
            ["Vase", "2024-05-06", "2024-05-19"],
            ["X-9", "2024-05-06", "2024-05-19"],
            ["Y-8", "2024-05-06", "2024-05-19"],
        ]
    )
    out, notes = match_events(ev, NAMES, FIRST, LAST)
    assert out["product_id"].tolist() == ["A-1"]
    may = "(6 May 2024 – 19 May 2024)"
    assert notes == [
        f"5 promotion events match no product in this data (Blue Mug {may}, Red Bowl {may}, "
        f"Vase {may} …); ignored. Give each product's id (SKU) as your orders give it."
    ]


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
        "2 promotion events fall outside the weeks the prices cover (1 January 2024 – 30 June "
        "2024, whole weeks from Monday): "
        "A-1 (1 December 2023 – 31 December 2023), B-2 (1 July 2024 – 6 July 2024); ignored.",
        "1 promotion event names a product without a model (not among the products with the "
        "most revenue): C-3 (4 March 2024 – 10 March 2024); not measured.",
    ]


def test_refusals_word_for_word():
    """A sheet without one of the columns names the ones it has (or none); a row whose date
    is missing or not a date, or that ends before it starts, is named with what is wrong (it
    was only counted: "2 promotion events have a missing date or end before they start")."""
    with pytest.raises(ParameterError) as e:
        parse_events(pd.DataFrame({"sku": ["a"], "from": ["2024-01-01"]}))
    assert str(e.value) == (
        "Promotion events need columns product_id, start and end (dates); found sku, from."
    )
    with pytest.raises(ParameterError) as e:
        parse_events(pd.DataFrame())
    assert str(e.value) == (
        "Promotion events need columns product_id, start and end (dates); found none."
    )
    rows = {"product_id": ["A", "B", "C"], "start": ["2024-01-01"] * 3}
    with pytest.raises(ParameterError) as e:  # C's end is not a date
        parse_events(pd.DataFrame({**rows, "end": ["2024-01-09", "2024-01-09", "soon"]}))
    assert str(e.value) == (
        "1 promotion row in the events file cannot be used: C (last day 'soon' is not a "
        "date). Fill in its "
        "first and last day as YYYY-MM-DD, the last on or after the first, and run the "
        "command again."
    )
    with pytest.raises(ParameterError) as e:  # B ends before it starts, C has no end
        parse_events(pd.DataFrame({**rows, "end": ["2024-01-09", "2023-12-01", None]}))
    assert str(e.value) == (
        "2 promotion rows in the events file cannot be used: B (last day 1 December 2023 "
        "before the first, 1 January 2024), C (no last day). Fill in their first and last "
        "days as YYYY-MM-DD, the last on or after the first, and run the command again."
    )


def test_a_row_missing_one_date_is_refused_and_a_one_day_promotion_kept():
    """Either date missing is a bad row (not only both); a promotion that ends the day it
    starts is one day long, not a bad row."""
    for start, end in [(None, "2024-01-09"), ("2024-01-01", None)]:
        with pytest.raises(ParameterError, match="^1 promotion row in the events file cannot"):
            parse_events(pd.DataFrame({"product_id": ["A"], "start": [start], "end": [end]}))
    one = parse_events(
        pd.DataFrame({"product_id": ["A"], "start": ["2024-01-05"], "end": ["2024-01-05"]})
    )
    assert one["start"].tolist() == one["end"].tolist() == [pd.Timestamp("2024-01-05")]


def test_each_note_counts_its_rows_and_names_three():
    """One row by name, one outside the period, three without a model: each note in its own
    count's words, three rows named without "…". Four names matched: three pairs named, then
    "…"; three: no "…"."""
    ev = _events(
        [
            ["Blue Mug", "2024-03-04", "2024-03-10"],
            ["B-2", "2024-03-04", "2024-03-10"],
            ["C-3", "2024-03-04", "2024-03-10"],
            ["D-4", "2024-03-04", "2024-03-10"],
            ["A-1", "2030-01-01", "2030-01-07"],
        ]
    )
    out, notes = match_events(ev, NAMES, FIRST, LAST, modelled={"A-1"})
    assert out["product_id"].tolist() == ["A-1"]
    march = "(4 March 2024 – 10 March 2024)"
    assert notes == [
        "1 promotion event gives its product's name, not its id; matched by name (Blue Mug → A-1).",
        "1 promotion event falls outside the weeks the prices cover (1 January 2024 – 30 June "
        "2024, whole weeks from Monday): "
        "A-1 (1 January 2030 – 7 January 2030); ignored.",
        "3 promotion events name products without a model (not among the products with the "
        f"most revenue): B-2 {march}, C-3 {march}, D-4 {march}; not measured.",
    ]
    names = pd.Series({"A": "Mug", "B": "Bowl", "C": "Jug", "D": "Cup"})
    rows = [[n, "2024-03-04", "2024-03-10"] for n in ["Mug", "Bowl", "Jug", "Cup"]]
    _out, (four,) = match_events(_events(rows), names, FIRST, LAST)
    assert four == (
        "4 promotion events give their products' names, not their ids; matched by name "
        "(Mug → A, Bowl → B, Jug → C …)."
    )
    _out, (three,) = match_events(_events(rows[:3]), names, FIRST, LAST)
    assert three.endswith("(Mug → A, Bowl → B, Jug → C).")


def test_ids_are_matched_case_and_spaces_aside_as_a_stock_files_are():
    """ "tex-10808" or " TEX-10808 " matched no product (ids were compared exactly, unlike the
    stock file's: stock_file.id_key) and the row was "ignored"; now it is TEX-10808's, under
    the store's id. An id two products share that way (Mug-1, MUG-1) matches neither and is
    said; written exactly, it matches its own product."""
    names = pd.Series({"TEX-10808": "Towel", "Mug-1": "Mug", "MUG-1": "Big Mug"})
    ev = pd.DataFrame(
        {
            "product_id": ["tex-10808", " TEX-10808 ", "Mug-1", "mug-1"],
            "start": pd.Timestamp("2024-03-04"),
            "end": pd.Timestamp("2024-03-10"),
        }
    )
    out, notes = match_events(ev, names, FIRST, LAST)
    assert out["product_id"].tolist() == ["TEX-10808", "TEX-10808", "Mug-1"]
    assert notes == [
        "1 promotion event gives an id that two or more products have, differing only in "
        "case (mug-1 (4 March 2024 – 10 March 2024)); ignored. Write the id exactly as your "
        "orders do."
    ]


def _panel() -> pd.DataFrame:
    """24 weeks from Monday 1 January 2024, 4 store orders a week. Blue Mug (A): 10 units a
    week at 5, 20 in the weeks of 11 and 18 March. Vase (C): 2 units at 8 in the first week,
    none until the week of 25 March, then 3 a week."""
    weeks = pd.date_range("2024-01-01", periods=24, freq="7D")
    a_units = [10.0] * 10 + [20.0, 20.0] + [10.0] * 12
    a = pd.DataFrame({"product_id": "A", "product_name": "Blue Mug", "week": weeks})
    a = a.assign(units=a_units, median_price=5.0)
    c = pd.DataFrame(
        {"product_id": "C", "product_name": "Vase", "week": weeks[[0, *range(12, 24)]]}
    )
    c = c.assign(units=[2.0] + [3.0] * 12, median_price=8.0)
    pw = pd.concat([a, c], ignore_index=True)
    return pw.assign(revenue=pw["units"] * pw["median_price"], store_orders=4)


def test_entered_promotions_that_cannot_be_measured_are_each_said_with_why():
    """Rows matching a modelled product but not measurable vanished: no promotion, no note.
    By hand on _panel():

    * A 11–24 March: measured, lift (20 / 4) / (10 / 4) = 2 against the regular weeks before
      (the week of 15 January is a promotion and the 2 after it are left out);
    * A 15–21 January: only the 2 weeks of 1 and 8 January before it, fewer than 3;
    * C 5–11 February: C sold nothing that week, so nothing flags it;
    * C 25–31 March: the 8 regular weeks before it (5 February – 24 March) sold nothing."""
    from ecomdash import pricing as P

    ev = pd.DataFrame(
        [
            ["A", "2024-03-11", "2024-03-24"],
            ["A", "2024-01-15", "2024-01-21"],
            ["C", "2024-02-05", "2024-02-11"],
            ["C", "2024-03-25", "2024-03-31"],
        ],
        columns=["product_id", "start", "end"],
    )
    res = P.analyze(_panel(), events=ev)
    (promo,) = res.promotions.itertuples()
    assert (promo.product_id, promo.start, promo.lift) == ("A", pd.Timestamp("2024-03-11"), 2.0)
    assert [w for w in res.warnings if "promotion event" in w] == [
        "1 promotion event could not be measured, as its product sold nothing in the weeks it "
        "covers: C (5 February 2024 – 11 February 2024). Check its dates and product id (SKU).",
        "1 promotion event could not be measured, as its product has fewer than 3 weeks at its "
        "usual price just before it to measure the lift against (it started selling, or had "
        "another promotion, just before): A (15 January 2024 – 21 January 2024). A period that "
        "starts earlier may give them.",
        "1 promotion event could not be measured, as its product sold nothing in the weeks at "
        "its usual price just before it, which the lift is measured against: C (25 March 2024 – "
        "31 March 2024). Check its dates and product id (SKU).",
    ]
    assert res.params["events"] == 4
    assert P.analyze(_panel()).params["events"] == 0  # none entered


def test_rows_with_a_product_and_a_missing_or_backward_day_are_left_out_and_named():
    """The page's editor: a row with a product but no first day, no last day, neither, or a
    last day before the first was dropped unsaid (the command line refuses such a file by
    the same rule). Now each is left out and named with what is missing; the good row is
    kept; the grid's spare empty row is no mistake and unsaid."""
    ev = pd.DataFrame(
        {
            "Product": ["A", "B", "C", "D", "E", None],
            "From": ["2024-01-01", None, None, "2024-01-09", "2024-01-01", None],
            "To": [None, "2024-01-09", None, "2024-01-01", "2024-01-07", None],
        }
    )
    out, notes = usable_events(ev)
    assert out["product_id"].tolist() == ["E"]
    assert out["start"].tolist() == [pd.Timestamp("2024-01-01")]
    assert out["end"].tolist() == [pd.Timestamp("2024-01-07")]
    assert notes == [
        "4 promotion rows were left out: A (no last day), B (no first day), C (no first or "
        "last day) …; fill in their first and last days, the last on or after the first."
    ]
    _out, notes = usable_events(ev.iloc[[3, 4, 5]])
    assert notes == [
        "1 promotion row was left out: D (last day 1 January 2024 before the first, 9 January "
        "2024); fill in its first and last day, the last on or after the first."
    ]
    assert usable_events(ev.iloc[[4, 5]])[1] == []  # a good row and the spare row: unsaid
