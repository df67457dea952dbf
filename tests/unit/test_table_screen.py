"""ecomdash.ui.tables: a wide table's columns on screen (``show_table(on_screen=...)``), the
others in its CSV download only, named in a caption; the on-screen columns' widths keep every
row one line high within the page (``one_line_widths``). The Alerts page's 14 columns ran past
the page's right edge ("Also fired" and "Driver" cut) in both languages at 1280 px."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from ecomdash import labels as L
from ecomdash.i18n import use_lang
from ecomdash.ui import tables as T


def test_columns_that_fit_get_their_longest_text():
    """As wide as the font draws the text (tables._DRAWN_PX) with the cell's 18 px, added by
    hand: "21/07/2026" 8 digits × 7 + 2 × 5 for "/" = 66 -> 84; "Reason" 8 + 7 + 7.5 + 6 +
    8 + 8 = 44.5 -> 63, wider than "short" (6 + 8 + 8 + 5 + 5 = 32 -> 50). The flat 7.5 px a
    character gave 93 and 63."""
    cells = {"date": ["21/07/2026"], "reason": ["short"]}
    widths = T.one_line_widths(cells, {"date": "Date", "reason": "Reason"})
    assert widths == {"date": 84, "reason": 63}


def test_the_longest_column_is_cut_and_the_short_ones_stay_whole():
    long = "Net revenue of category Garden on Tue, 21 July 2026: -£80.98 against £407.67 " * 3
    cells = {
        "date": ["21/07/2026"],
        "severity": ["medium"],
        "kind": ["Customer returns"],
        "reason": [long],
        "driver": [long[:120]],
        "impact": ["£1,389.88"],
    }
    headers = {c: c.title() for c in cells}
    widths = T.one_line_widths(cells, headers, budget=820)
    assert sum(widths.values()) <= 820 and sum(widths.values()) >= 820 - len(cells)
    for c in ("date", "severity", "kind", "impact"):
        assert widths[c] == max(T.drawn_px(cells[c][0]), T.drawn_px(headers[c]), T.MIN_COLUMN_PX)
    # the two long columns share what is left at one width
    assert widths["reason"] == widths["driver"] < T.drawn_px(long[:120])


def test_headers_stay_whole_when_nothing_else_fits():
    """Ten headers of 166 px (by hand: "A" 8, "header" 42.5, "of" 12.5, "some" 33, "length"
    39.5 and four spaces of 3: 147.5 -> 148 + 18) do not fit 820 px: each gets its own."""
    cells = {c: ["x" * 200] for c in "abcdefghij"}
    headers = {c: "A header of some length" for c in cells}
    widths = T.one_line_widths(cells, headers, budget=820)
    assert set(widths.values()) == {166}


def test_a_date_is_measured_as_the_page_writes_it():
    """``2026年07月21日`` in Chinese (the layout measured ``2026-07-21 00:00:00``)."""
    day = dt.date(2026, 7, 21)
    table = pd.DataFrame({"date": [day], "impact": [1389.88]})
    for lang, text in (("en", "21/07/2026"), ("zh", "2026年07月21日")):
        with use_lang(lang):
            cells, _headers = T._layout_input(table, "alerts", None)
            display = L.Display(currency="GBP", date_style="dmy")
            shown = T._cell_text(day, L.column("date", "alerts"), display)
        assert shown == text, (lang, shown)
        assert cells["impact"] == ["1,389.88"]  # no currency known outside a page
    money = T._cell_text(1389.88, L.column("impact", "alerts"), L.Display(currency="GBP"))
    assert money == "£1,389.88"


def test_screen_columns_and_the_caption_naming_the_others():
    df = pd.DataFrame(columns=["date", "kinds", "reason", "driver", "alert_id"])
    shown, off = T.screen_columns(df, ["reason", "date", "not there"])
    assert list(shown.columns) == ["reason", "date"]
    assert off == ["kinds", "driver", "alert_id"]
    with use_lang("en"):
        assert T.download_note(off, area="alerts") == (
            "The CSV download also has: Also fired, Driver, Alert id."
        )
    with use_lang("zh"):
        assert (
            T.download_note(off, area="alerts")
            == "下载的 CSV 文件还包含这些列：同时触发、主要原因、提醒 ID。"
        )


def test_the_columns_fit_inside_the_tables_border():
    """Chromium at 1280 px: the Alerts table is 820 px wide with 818 px inside its border;
    columns summing to 820 px scrolled sideways by 2 px."""
    cells = {"a": ["x" * 200], "b": ["y" * 200]}
    widths = T.one_line_widths(cells, {"a": "A", "b": "B"})
    assert sum(widths.values()) <= T.PAGE_PX - 2 == T.INNER_PX


def test_headers_with_a_comma_are_listed_with_semicolons():
    """The at-risk list's CSV-only columns: "Spend, last 12 months, Spend, Predicted value"
    read as four columns where there are three. Chinese lists with 、, which no header holds."""
    off = ["revenue_365d", "monetary", "expected_value"]
    with use_lang("en"):
        assert T.download_note(off, area="value") == (
            "The CSV download also has: Spend, last 12 months; Spend; Predicted value."
        )
        # headers without a comma keep the commas (the Alerts page's)
        assert T.download_note(["kinds", "driver"], area="alerts") == (
            "The CSV download also has: Also fired, Driver."
        )
    with use_lang("zh"):
        labels = [L.label(c, "value") for c in off]
        assert T.download_note(off, area="value") == (
            "下载的 CSV 文件还包含这些列：" + "、".join(labels) + "。"
        )


def test_the_download_notes_help_says_what_each_column_means():
    """A column left to the CSV took its header's help with it: the restock plan's safety
    stock (how it is worked out) was explained nowhere on the page. The caption's help lists
    each CSV-only column by its header with the catalogue's help, in the page's language; a
    column without a help is listed by its header alone; when none has one, there is no help
    (the caption lists the headers already)."""
    from ecomdash.ui.common import inert

    off = ["safety_stock", "product_id"]
    assert L.column("product_id", "forecast").help is None  # listed by its header alone
    with use_lang("en"):
        said = T.download_help(off, area="forecast")
        assert said == (
            "- **Safety stock \\(units\\)**: Extra units for selling more than forecast during "
            "the lead time\\: z × daily forecast error × √lead time \\(days\\), rounded up to a "
            "whole unit; z is 1\\.64 at a 95\u00a0% service level, 2\\.33 at 99\u00a0%\\.\n"
            "- **Product id**"
        )
    with use_lang("zh"):
        safety = L.column("safety_stock", "forecast")
        assert safety.label == "安全库存（件）" and safety.help.startswith("为交货周期内")
        assert T.download_help(off, area="forecast") == (
            f"- **{inert(safety.label)}**：{inert(safety.help)}\n"
            f"- **{inert(L.label('product_id', 'forecast'))}**"
        )
    with use_lang("en"):
        assert T.download_help(["product_id", "product_name"], area="forecast") == ""


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_csv_only_columns_of_promotions_what_if_and_value_say_what_they_mean(lang):
    """Columns the pages keep for the CSV had no help, so the caption's help listed them by
    their headers alone: the promotions' and What-if's interval ends, the extra units, the
    revenue lost after a promotion, a customer's predicted value. Each now says what it means,
    the interval ends with one shared sentence about the 90 % range."""
    from ecomdash.ui.pricing import PROMO_SCREEN, WHATIF_SCREEN
    from ecomdash.ui.value_views import AT_RISK_SCREEN, CLV_SCREEN

    cases = (
        ("pricing.promos", PROMO_SCREEN, ("lift_low", "lift_high", "dip_low", "dip_high")),
        ("pricing.promos", PROMO_SCREEN, ("extra_units", "dip_revenue")),
        ("pricing.whatif", WHATIF_SCREEN, ("units_low", "units_high", "profit_low", "profit_high")),
        ("value", AT_RISK_SCREEN, ("expected_value",)),
    )
    with use_lang(lang):
        ends = L.column("lift_low", "pricing.promos").help
        assert ends and "90" in ends
        for area, screen, cols in cases:
            assert not set(cols) & set(screen), cols  # they are the CSV's only
            said = T.download_help(cols, area=area)
            for c in cols:
                col = L.column(c, area)
                assert col.help, (area, c)
                if c.endswith(("_low", "_high")):
                    assert col.help == ends
            assert said.count("\n") == len(cols) - 1
            assert all(
                line.count("**") == 2 and len(line.split("**")[2]) > 10
                for line in said.splitlines()
            )
        # the customers by expected value show it on screen with its help as the header's
        assert "expected_value" in CLV_SCREEN
