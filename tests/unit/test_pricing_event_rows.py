"""Promotion rows a merchant typed or kept that cannot be used, by one rule on the Pricing
page (:func:`usable_events` leaves them out and says so) and on the command line
(:func:`parse_events` refuses the file and names them): a row with days but no product was
dropped as a blank line, without a word, on both; the command line only counted the rows
with a missing or backward day."""

from __future__ import annotations

import pandas as pd
import pytest

from ecomdash.errors import ParameterError
from ecomdash.i18n import use_lang
from ecomdash.i18n.note import translated
from ecomdash.pricing.promotions import parse_events, usable_events

NB = "\u00a0"

#: the editor's rows: one good, four with days but no product (missing, spaces only), the
#: spare empty row
ROWS = pd.DataFrame(
    {
        "Product": ["A", None, "  ", None, "", None],
        "From": ["2024-03-11", "2024-04-01", "2024-04-08", None, None, "2024-05-01"],
        "To": ["2024-03-24", "2024-04-07", None, None, "2024-04-21", "2024-05-01"],
    }
)


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        (
            "en",
            "4 promotion rows have no product id and were left out: 1 April 2024 – 7 April "
            "2024, from 8 April 2024, until 21 April 2024 …; fill in their product ids, or "
            "delete the rows.",
        ),
        (
            "zh",
            f"4{NB}条促销记录缺少商品编码，未计入：2024年4月1日至2024年4月7日、2024年4月8日起、"
            "至2024年4月21日 …，请填写商品编码，或删除这些行。",
        ),
    ],
)
def test_the_page_names_rows_without_a_product_by_their_days(lang, said):
    with use_lang(lang):
        out, notes = usable_events(ROWS)
    assert notes == [said]
    assert out["product_id"].tolist() == ["A"]
    # one such row, a one-day promotion: its day once; the spare row alone is unsaid
    with use_lang("en"):
        assert usable_events(ROWS.iloc[[5]])[1] == [
            "1 promotion row has no product id and was left out: 1 May 2024; fill in the "
            "product id, or delete the row."
        ]
        assert usable_events(ROWS.iloc[[0, 3]])[1] == []


def test_the_command_line_refuses_the_same_rows_naming_them_as_the_page_does():
    """A file with a row without a product and a row without a last day: one refusal
    naming both kinds, each with what to do; in Chinese too (the CLI's --lang zh)."""
    rows = pd.DataFrame(
        {
            "sku": ["A", "", "B", ""],
            "start": ["2024-03-11", "2024-04-01", "2024-03-11", "soon"],
            "end": ["2024-03-24", "2024-04-07", "", "2024-04-07"],
        }
    )
    with pytest.raises(ParameterError) as err:
        parse_events(rows)
    assert str(err.value) == (
        "2 promotion rows in the events file have no product id: 1 April 2024 – 7 April "
        "2024, 'soon' – 7 April 2024. Fill in their product ids, or delete the rows, and run "
        "the command again. 1 promotion row in the events file cannot be used: B (no last "
        "day). Fill in its first and last day as YYYY-MM-DD, the last on or after the first, "
        "and run the command again."
    )
    with use_lang("zh"):
        zh = str(translated(err.value))
    assert zh == (
        f"促销活动文件中有{NB}2{NB}条促销记录缺少商品编码：2024年4月1日至2024年4月7日、"
        "“soon”至2024年4月7日。请填写商品编码，或删除这些行，然后重新运行命令。"
        f"促销活动文件中有{NB}1{NB}条促销记录无法使用：B（缺少结束日）。请按 YYYY-MM-DD "
        "填写开始日和结束日，结束日不早于开始日，然后重新运行命令。"
    )


def test_the_command_line_names_three_rows_then_counts_the_rest():
    """Four rows ending before they start: the first three named, then "…"."""
    rows = pd.DataFrame(
        {
            "product_id": ["A", "B", "C", "D"],
            "start": ["2024-01-10"] * 4,
            "end": ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"],
        }
    )
    with pytest.raises(ParameterError) as err:
        parse_events(rows)
    assert str(err.value) == (
        "4 promotion rows in the events file cannot be used: A (last day 1 January 2024 "
        "before the first, 10 January 2024), B (last day 2 January 2024 before the first, 10 "
        "January 2024), C (last day 3 January 2024 before the first, 10 January 2024) …. Fill "
        "in their first and last days as YYYY-MM-DD, the last on or after the first, and run "
        "the command again."
    )


def test_the_editors_empty_grid_is_no_row():
    """The editor's frame before anything is typed (text and date columns, no row): nothing
    used, nothing said (the reading of blank rows must not fail on an empty text column)."""
    empty = pd.DataFrame(
        {
            "Product": pd.Series(dtype="string"),
            "From": pd.Series(dtype="datetime64[s]"),
            "To": pd.Series(dtype="datetime64[s]"),
        }
    )
    out, notes = usable_events(empty)
    assert out.empty and notes == []
