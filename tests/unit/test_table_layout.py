"""ecomdash.ui.tables.column_layout / fitted_columns: a table's columns within the page's
width, from their text (a Chinese character counted wide): the Customer value page's
checklist and its churn models' table (Chinese, Chromium: wider than the page)."""

from __future__ import annotations

import math

import pandas as pd

from ecomdash.i18n import use_lang
from ecomdash.ui import tables as T


def test_a_table_that_fits_keeps_one_line_rows():
    widths, row_height = T.column_layout({"a": ["yes"], "b": ["短"]}, {"a": "OK", "b": "说明"})
    assert row_height is None
    assert widths == {"a": T.MIN_COLUMN_PX, "b": T.MIN_COLUMN_PX}


def test_headers_stay_whole_and_cells_wrap_when_the_table_is_too_wide():
    """Streamlit draws a header on one line (cut off beyond its column) and wraps a cell in
    a taller row: the headers get their width first, the cells what they lack after."""
    long = "基线：窗口期内购买的概率（BG/NBD）" * 2
    cells = {"label": [long], "auc": ["94.4 %"], "buyer": ["99.6 %"]}
    headers = {
        "label": "模型",
        "auc": "流失客户排前的比例",
        "buyer": "购买可能性最高 10% 中的购买者比例",
    }
    widths, row_height = T.column_layout(cells, headers, budget=600)
    assert sum(widths.values()) <= 600 and row_height == T.WRAP_ROW_PX
    for c in cells:
        assert T.text_px(headers[c]) <= widths[c], (c, widths)
        assert math.ceil(T.text_px(cells[c][0]) / widths[c]) <= T.WRAP_LINES, (c, widths)


def test_a_latin_word_is_not_cut_where_the_budget_allows():
    """The browser wraps at spaces and between Chinese characters, never inside "126,044":
    the column is at least its longest such run when the budget allows."""
    cells = {"found": ["126,044,000,000,000,000 行中的 113,509 行（90%）"], "x": ["a " * 60]}
    widths, _ = T.column_layout(cells, {"found": "实际", "x": "x"}, budget=500)
    assert widths["found"] >= T.text_px("126,044,000,000,000,000")


def test_fitted_columns_read_the_cells_as_the_browser_shows_them():
    """Shares as percentages ("91.4 %"), headers from the catalogue in the page's language."""
    table = pd.DataFrame(
        {"label": ["Baseline: chance still active (BG/NBD)"] * 2, "auc": [0.914, 0.5]}
    )
    for lang, header in (("en", "Ranks who left first"), ("zh", "流失客户排前的比例")):
        with use_lang(lang):
            widths, row_height = T.fitted_columns(table, area="value")
        assert row_height is None  # fits on one line
        assert widths["auc"] == T.text_px(header)
        assert widths["label"] == T.text_px("Baseline: chance still active (BG/NBD)")
