"""The promotions a merchant enters (:mod:`ecomdash.pricing.promotions`), at the edges
mutation testing found unchecked (docs/MUTATION.md, "pricing/promotions, 2026-12-07,
session 54"): each "could not be measured" note in its many-rows words, the 8 weeks a
baseline looks back, a one-day promotion on a Monday, three rows named without "…", and the
events file read as bytes (encodings, separator, refusals, the size limit at its byte).
Every expected value is worked out by hand in the docstrings."""

from __future__ import annotations

import pandas as pd
import pytest

from ecomdash import pricing as P
from ecomdash.errors import InputFileError
from ecomdash.i18n import use_lang
from ecomdash.i18n.note import translated
from ecomdash.pricing.promotions import (
    match_events,
    read_events,
    usable_events,
)
from ecomdash.stock_file import MAX_SMALL_FILE_BYTES

NB = "\u00a0"  # Chinese figures and units are joined by a no-break space
WEEKS = pd.date_range("2024-01-01", periods=24, freq="7D")  # Mondays: week 9 is 4 March


def _panel(a_units=None, *, vase: bool = False) -> pd.DataFrame:
    """24 weeks from Monday 1 January 2024, 4 store orders a week. Blue Mug (A): 10 units a
    week at 5 (or ``a_units``). With ``vase``: Vase (C) sold 2 units at 8 in the first week,
    none in the 8 weeks of 8 January – 26 February, then 3 a week from 4 March (week 9)."""
    a = pd.DataFrame({"product_id": "A", "product_name": "Blue Mug", "week": WEEKS})
    a = a.assign(units=a_units if a_units is not None else 10.0, median_price=5.0)
    parts = [a]
    if vase:
        c = pd.DataFrame(
            {"product_id": "C", "product_name": "Vase", "week": WEEKS[[0, *range(9, 24)]]}
        )
        parts.append(c.assign(units=[2.0] + [3.0] * 15, median_price=8.0))
    pw = pd.concat(parts, ignore_index=True)
    return pw.assign(revenue=pw["units"] * pw["median_price"], store_orders=4)


def _events(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["product_id", "start", "end"])


def _said(res) -> list[str]:
    return [w for w in res.warnings if "promotion event" in w]


def test_two_rows_with_too_few_regular_weeks_before_are_said_in_the_plural():
    """A's weeks of 8 and 22 January: before the first only the week of 1 January; before
    the second the same week (8 January is a promotion, 15 January the week after it): one
    regular week each, fewer than 3. No row lacks sales, so this is the only note."""
    ev = _events([["A", "2024-01-08", "2024-01-14"], ["A", "2024-01-22", "2024-01-28"]])
    res = P.analyze(_panel(), events=ev)
    assert res.promotions.empty
    assert _said(res) == [
        "2 promotion events could not be measured, as their products have fewer than 3 weeks "
        "at their usual price just before them to measure the lift against (they started "
        "selling, or had another promotion, just before): A (8 January 2024 – 14 January "
        "2024), A (22 January 2024 – 28 January 2024). A period that starts earlier may give "
        "them."
    ]


def test_rows_without_sales_or_without_units_in_the_8_weeks_before_said_in_the_plural():
    """Vase (C): nothing sold in the weeks of 5 and 12 February, so neither row is flagged.
    Its rows of 4–10 and 11–17 March are one promotion (weeks 9 and 10); the 8 regular weeks
    before it, 8 January – 26 February, sold nothing: not measured, though the week of 1
    January, 9 weeks before, sold 2 units (the baseline looks back 8 weeks, as the lift's)."""
    ev = _events(
        [
            ["C", "2024-02-05", "2024-02-11"],
            ["C", "2024-02-12", "2024-02-18"],
            ["C", "2024-03-04", "2024-03-10"],
            ["C", "2024-03-11", "2024-03-17"],
        ]
    )
    res = P.analyze(_panel(vase=True), events=ev)
    assert res.promotions.empty
    assert _said(res) == [
        "2 promotion events could not be measured, as their products sold nothing in the "
        "weeks they cover: C (5 February 2024 – 11 February 2024), C (12 February 2024 – 18 "
        "February 2024). Check their dates and product ids (SKU).",
        "2 promotion events could not be measured, as their products sold nothing in the "
        "weeks at their usual price just before them, which the lift is measured against: C "
        "(4 March 2024 – 10 March 2024), C (11 March 2024 – 17 March 2024). Check their "
        "dates and product ids (SKU).",
    ]


def test_a_one_day_promotion_on_a_monday_is_measured_and_not_said():
    """A sold 20 units in the week of Monday 11 March, 10 in every other week, 4 store
    orders a week. A promotion on that Monday alone flags that week; its baseline is the 8
    weeks of 15 January – 4 March: 80 units over 32 orders, 2.5 an order; during it 20 / 4 =
    5 an order: lift 2."""
    units = [10.0] * 10 + [20.0] + [10.0] * 13
    res = P.analyze(_panel(units), events=_events([["A", "2024-03-11", "2024-03-11"]]))
    (promo,) = res.promotions.itertuples()
    assert (promo.start, promo.end) == (pd.Timestamp("2024-03-11"), pd.Timestamp("2024-03-17"))
    assert (promo.lift, promo.baseline_weeks) == (2.0, 8)
    assert _said(res) == []


def test_two_rows_whose_id_two_products_share_are_said_in_the_plural():
    """mug-1 is Mug-1 or MUG-1, cup-2 is Cup-2 or CUP-2 (case aside): neither is guessed."""
    names = pd.Series({"Mug-1": "Mug", "MUG-1": "Big Mug", "Cup-2": "Cup", "CUP-2": "Big Cup"})
    ev = _events([["mug-1", "2024-03-04", "2024-03-10"], ["cup-2", "2024-03-11", "2024-03-17"]])
    ev[["start", "end"]] = ev[["start", "end"]].apply(pd.to_datetime)
    out, notes = match_events(ev, names, WEEKS[0], WEEKS[-1] + pd.Timedelta(days=6))
    assert out.empty
    assert notes == [
        "2 promotion events give ids that two or more products have, differing only in case "
        "(mug-1 (4 March 2024 – 10 March 2024), cup-2 (11 March 2024 – 17 March 2024)); "
        "ignored. Write each id exactly as your orders do."
    ]


def test_three_rows_left_out_are_all_named_without_an_ellipsis():
    ev = pd.DataFrame(
        {
            "Product": ["A", "B", "C", "E"],
            "From": ["2024-01-01", None, None, "2024-01-01"],
            "To": [None, "2024-01-09", None, "2024-01-07"],
        }
    )
    out, notes = usable_events(ev)
    assert out["product_id"].tolist() == ["E"]
    assert notes == [
        "3 promotion rows were left out: A (no last day), B (no first day), C (no first or "
        "last day); fill in their first and last days, the last on or after the first."
    ]


def test_an_events_file_is_read_in_the_encoding_and_separator_a_spreadsheet_saves():
    want = {"商品编码": ["A-1"], "开始": ["2024-05-06"], "结束": ["2024-05-19"]}
    gbk = "商品编码,开始,结束\nA-1,2024-05-06,2024-05-19\n".encode("gbk")
    assert read_events(gbk).to_dict("list") == want
    utf16 = "商品编码\t开始\t结束\nA-1\t2024-05-06\t2024-05-19\n".encode("utf-16")
    assert read_events(utf16).to_dict("list") == want
    semi = "\ufeffSKU;From;To\nA-1;06/05/2024;19/05/2024\n".encode()
    assert read_events(semi).to_dict("list") == {
        "SKU": ["A-1"],
        "From": ["06/05/2024"],
        "To": ["19/05/2024"],
    }


def _refused(data: bytes) -> tuple[str, str]:
    with pytest.raises(InputFileError) as err:
        read_events(data)
    with use_lang("zh"):
        return str(err.value), str(translated(err.value))


def test_an_events_file_refused_word_for_word_in_both_languages():
    assert _refused(b" \n\n") == (
        "The events file is empty. Give a CSV or Excel file with product id, first and last day.",
        "促销活动文件是空的。请提供包含商品编码、开始日和结束日的 CSV 或 Excel 文件。",
    )
    assert _refused(b'product_id,start,end\n"A,2024-01-01\n') == (
        "The events file could not be read as a CSV table (a quote left open, or a line with "
        "more columns than the header). Save it as CSV with a header row: product id, first "
        "day, last day.",
        "无法将促销活动文件读取为 CSV 表格（有未闭合的引号，或某行的列数多于表头）。请另存为带表头行的 "
        "CSV：商品编码、开始日、结束日。",
    )


def test_an_events_file_of_exactly_5_mib_is_read_and_one_byte_more_is_refused():
    """5 × 2**20 = 5,242,880 bytes: a header and blank lines up to it read as no rows."""
    head = b"product_id,start,end\n"
    at_limit = head + b"\n" * (MAX_SMALL_FILE_BYTES - len(head))
    assert read_events(at_limit).columns.tolist() == ["product_id", "start", "end"]
    assert _refused(at_limit + b"\n") == (
        "The events file is 5,242,881 bytes; the limit is 5,242,880. Keep only the product "
        "id, first and last day columns.",
        f"促销活动文件大小为{NB}5,242,881{NB}字节，上限为{NB}5,242,880。"
        "请只保留商品编码、开始日和结束日三列。",
    )
