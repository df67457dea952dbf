"""A Latin run inside a Chinese label ("预测（BG/NBD）", value.po) stays whole in a fitted
table's column. Streamlit's table draws its cells on a canvas that breaks a line without a
space wherever it overflows, inside "BG/NBD" too ("预测（BG/N" / "BD）"): the width
computation (``ui.tables.column_layout`` / ``fitted_columns``) gives such a column at least
the label from its start through the run, not just the run's width. The line breaking is
simulated at every width, as ``test_churn_label_wrap.py`` does for the churn baselines.

The layout measures a piece it keeps whole as the canvas draws it (``tables.drawn_px``): by
7.5 px a Latin character it gave "购买可能性最高10%" 139 px, where its line broke before "%"."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from ecomdash.i18n import _, use_lang
from ecomdash.text_width import is_wide
from ecomdash.ui import tables as T
from tests.unit.test_churn_label_wrap import canvas_lines

#: Chinese labels with a Latin run and no space before it: the value page's chart legend,
#: and made-up ones with Chinese text after the run and two runs in one piece
LABELS = (
    "预测（BG/NBD）",
    "基线：窗口期内购买的概率（BG/NBD）模型",
    "购买可能性最高10%中的购买者比例",
    "模型 ETS（指数平滑）与SARIMAX的误差",
)


def latin_runs(text: str) -> list[str]:
    """The runs of Latin letters and digits a reader expects whole ("BG/NBD", "10%")."""
    return [r for r in re.split(r"[ \t\n]+|[^\x00-\x7f]+", text) if r]


def whole(lines: list[str], runs: list[str]) -> bool:
    return all(any(r in line for line in lines) for r in runs)


def broken_pieces(text: str, width: int) -> list[str]:
    """The pieces of ``text`` the layout keeps whole (``tables.unbreakable_parts``: a word, a
    Chinese label through its Latin run) that ``tables.cell_wrap`` breaks in a cell
    ``width`` px wide: each piece's span, from where it starts, set against the lines'."""
    spans, at = [], 0
    for line in T.cell_wrap(text, width):
        at = text.index(line, at)
        spans.append((at, at + len(line)))
        at += len(line)
    broken = []
    for word in re.finditer(r"[^ \t\n]+", text):
        [piece] = T.unbreakable_parts(word.group())
        if not word.group().startswith(piece):
            continue  # a Chinese piece without a Latin run: its widest character, any one
        start, end = word.start(), word.start() + len(piece)
        if not any(a <= start and end <= b for a, b in spans):
            broken.append(piece)
    return broken


@pytest.mark.parametrize("label", [*LABELS, "Predicted (BG/NBD)"])
def test_a_latin_run_stays_whole_at_every_width_the_layout_may_give(label):
    assert any(map(is_wide, label)) or label.isascii()
    narrowest = T._longest_word_px([label])
    assert narrowest <= T.drawn_px(label)
    for px in range(narrowest, T.drawn_px(label) + 1):
        lines = canvas_lines(label, px)
        assert whole(lines, latin_runs(label)), (label, px, lines)
        assert broken_pieces(label, px) == [], (label, px, T.cell_wrap(label, px))


#: Pieces a column keeps whole, a label holding each, and the piece's width as the canvas
#: draws it (tables._DRAWN_PX), added by hand with the cell's 18 px (8 px of padding a side,
#: 2 to spare); the flat 7.5 px a Latin character gave each less ("10%" 41, "SARIMAX" 71,
#: "预测（BG/NBD）" 119, "购买可能性最高10%" 139) and the canvas broke it there
DRAWN_BY_HAND = (
    ("10%", "流失 10%", 44),  # 1 7, 0 7, % 12: 26 + 18
    ("SARIMAX", "模型 ETS（指数平滑）与 SARIMAX", 72),  # 7.5+8+8+4+10.5+8+7.5 = 53.5 -> 54 + 18
    ("预测（BG/NBD）", "预测（BG/NBD）模型", 124),  # 3×14 + 8.5+9+5+9.5+8.5+9 + 14 = 105.5
    ("购买可能性最高10%", "购买可能性最高10%中的购买者比例", 142),  # 7×14 + 7+7+12 = 124 + 18
)


@pytest.mark.parametrize(("piece", "label", "px"), DRAWN_BY_HAND)
def test_a_piece_kept_whole_is_measured_as_the_canvas_draws_it(piece, label, px):
    """The layout's width for the piece is its drawn width: one line there, broken a pixel
    narrower (where the flat measure left it); in a longer label it stays whole at every
    width from there to the label's one line."""
    assert T._longest_word_px([piece]) == T._longest_word_px([label]) == px
    assert T.cell_wrap(piece, px) == [piece]
    assert len(T.cell_wrap(piece, px - 1)) == 2
    for width in range(px, T.drawn_px(label) + 1):
        assert broken_pieces(label, width) == [], (label, width, T.cell_wrap(label, width))


def test_the_value_pages_chinese_legend_is_held_from_its_start():
    with use_lang("zh"):
        label = _("Predicted (BG/NBD)")
    assert label == "预测（BG/NBD）"
    assert T.unbreakable_parts(label) == [label]
    # 预测（ 3 × 14, B 8.5, G 9, / 5, N 9.5, B 8.5, D 9, ） 14: 105.5 px, 124 with the padding
    assert T._longest_word_px([label]) == T.drawn_px(label) == 124


def test_pieces_between_spaces_and_no_break_spaces():
    """A word of Latin letters is its own piece; a no-break space ("53 %") does not break;
    a Chinese piece without a Latin run may break anywhere (its widest character)."""
    assert T.unbreakable_parts("Baseline: chance still active (BG/NBD)") == [
        "Baseline:",
        "chance",
        "still",
        "active",
        "(BG/NBD)",
    ]
    assert T.unbreakable_parts("流失 53\u00a0%") == ["流", "53\u00a0%"]
    assert T.unbreakable_parts("126,044 行中的 113,509 行（90%）") == [
        "126,044",
        "行",
        "113,509",
        "行（90%）",
    ]


@pytest.mark.parametrize("label", LABELS)
def test_column_layout_keeps_the_run_whole_at_narrow_budgets(label):
    """Every budget from the narrowest that holds each column's unbreakable piece up to one
    line for all: the label column's lines keep every Latin run whole and at most
    ``WRAP_LINES`` long; the table stays within the budget."""
    cells = {"label": [label], "note": ["a long note that wraps " * 4], "auc": ["94.4\u00a0%"]}
    headers = {"label": "模型", "note": "说明", "auc": "排序"}
    low = sum(
        max(T.MIN_COLUMN_PX, -(-T.drawn_px(v[0]) // T.WRAP_LINES), T._longest_word_px(v))
        for v in cells.values()
    )
    high = sum(max(T.drawn_px(headers[c]), T.drawn_px(v[0])) for c, v in cells.items())
    assert low < high
    for budget in range(low, high + 1, 3):
        widths, _rows = T.column_layout(cells, headers, budget=budget)
        assert sum(widths.values()) <= budget, (budget, widths)
        lines = canvas_lines(label, widths["label"])
        assert whole(lines, latin_runs(label)), (label, budget, widths, lines)
        for c, texts in cells.items():
            assert broken_pieces(texts[0], widths[c]) == [], (c, budget, widths)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_fitted_columns_of_a_narrow_table_keep_the_model_name_whole(lang):
    """The value page's legend as a table's cell, in a budget too narrow for one line."""
    with use_lang(lang):
        label = _("Predicted (BG/NBD)")
        table = pd.DataFrame({"label": [label, label], "auc": [0.914, 0.5]})
        full = sum(T.fitted_columns(table, area="value")[0].values())
        for budget in range(full - 40, full + 1, 2):
            widths, _rows = T.fitted_columns(table, area="value", budget=budget)
            lines = canvas_lines(label, widths["label"])
            assert whole(lines, ["BG/NBD"]), (lang, budget, widths, lines)


def test_a_figure_in_brackets_keeps_its_phrase_through_the_close():
    """The phrase "复购客户（2 个及以上购买日）" broke after "2 个" in the Customer value checklist: a
    run inside full-width brackets holds through their close, so the layout gives the column
    the whole phrase; a piece without brackets keeps its rule."""
    repeat = "复购客户（2\u00a0个及以上购买日）"
    assert T.unbreakable_parts(repeat) == [repeat]
    assert T.unbreakable_parts("预测（BG/NBD）模型") == ["预测（BG/NBD）"]
    assert T.unbreakable_parts("≥\u00a0210（2 × 窗口 +\u00a030）")[0] == "≥\u00a0210（2"
