"""ecomdash.ui.tables.column_layout / fitted_columns: a table's columns within the page's
width, from their text (a Chinese character counted wide): the Customer value page's
checklist and its churn models' table (Chinese, Chromium: wider than the page)."""

from __future__ import annotations

import pandas as pd
import pytest

from ecomdash import labels as L
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
        assert T.drawn_px(headers[c]) <= widths[c], (c, widths)
        assert T.cell_lines(cells[c][0], widths[c]) <= T.WRAP_LINES, (c, widths)


def test_a_latin_word_is_not_cut_where_the_budget_allows():
    """The browser wraps at spaces and between Chinese characters, never inside "126,044":
    the column is at least its longest such run when the budget allows, as the font draws it
    (18 digits × 7 px and 5 commas × 3.5: 143.5 px, 162 with the cell's 18)."""
    found = "126,044,000,000,000,000 行中的 113,509 行（90%）"
    cells = {"found": [found], "x": ["a " * 60]}
    widths, _ = T.column_layout(cells, {"found": "实际", "x": "x"}, budget=500)
    assert widths["found"] >= 162 == T.drawn_px("126,044,000,000,000,000")
    assert T.cell_wrap(found, widths["found"])[0].split(" ")[0] == "126,044,000,000,000,000"


def test_fitted_columns_read_the_cells_as_the_browser_shows_them():
    """Shares as percentages ("91.4 %"), headers from the catalogue in the page's language;
    each column as wide as the font draws its longest text, added by hand (tables._DRAWN_PX,
    18 px of padding): "Ranks who left first" 36.5 + 3 + 26.5 + 3 + 20.5 + 3 + 24 = 116.5 ->
    135 (the 7.5 px a character measure: 168), "流失客户排前的比例" 9 × 14 + 18 = 144, "Baseline:
    chance still active (BG/NBD)" 55 + 3 + 43.5 + 3 + 22.5 + 3 + 36.5 + 3 + 58.5 = 228 ->
    246 (the flat measure: 303)."""
    table = pd.DataFrame(
        {"label": ["Baseline: chance still active (BG/NBD)"] * 2, "auc": [0.914, 0.5]}
    )
    for lang, header, px in (
        ("en", "Ranks who left first", 135),
        ("zh", "流失客户排前的比例", 144),
    ):
        with use_lang(lang):
            widths, row_height = T.fitted_columns(table, area="value")
            assert L.label("auc", "value") == header
        assert row_height is None  # fits on one line
        assert widths == {"label": 246, "auc": px}


#: The Chinese checklist of the Customer value page (demo merchant), as the browser shows it
ZH_CHECKLIST = {
    "check": [
        "可识别客户的行",
        "可识别的客户",
        "复购客户（2\u00a0个及以上购买日）",
        "历史数据月数",
        "90\u00a0天流失窗口所需的历史天数",
    ],
    "ok": ["是"] * 5,
    "found": ["130,731\u00a0行中的\u00a0117,871\u00a0行（90%）", "8,987", "3,918", "24", "729"],
    "needed": [
        "至少一些",
        "≥\u00a050",
        "≥\u00a030",
        "≥\u00a02（同期群）；≥\u00a03（校准检验）",
        "≥\u00a0210（2 × 窗口 +\u00a030）",
    ],
    "affects": [
        "本页全部内容",
        "客户生命周期价值、流失",
        "客户生命周期价值模型",
        "同期群、校准检验",
        "流失模型",
    ],
}
ZH_HEADERS = {"check": "检查项", "ok": "通过", "found": "实际", "needed": "要求", "affects": "影响"}


def test_cell_lines_breaks_as_the_canvas_does():
    """By hand, with the font's widths (tables._DRAWN_PX: a Chinese character 14 px, "2"
    7, a no-break space 3) and 18 px of padding: "复购客户（2 个及以上购买日）" is
    13 × 14 + 7 + 3 = 192 px of text, one line from 210 px; at 100 px (82 of text: "复购客户（2 "
    is 80, then "个及以上购" 70, then "买日）") 3 lines. "Days of history for a 90-day churn
    window" breaks at its spaces: in 180 px (162 of text) "Days of history for a" (121.5 px;
    with " 90-day", 165.5) over "90-day churn window" (131); in 120 px (102) "Days of
    history" (90.5) / "for a 90-day" (72) / "churn window"."""
    zh = "复购客户（2\u00a0个及以上购买日）"
    assert [T.cell_lines(zh, w) for w in (210, 209, 100)] == [1, 2, 3]
    en = "Days of history for a 90-day churn window"
    assert T.cell_lines(en, 180) == 2
    assert T.cell_lines(en, 120) == 3
    assert T.cell_lines("", 100) == 1


def test_room_goes_to_taking_whole_lines_off_a_column():
    """The Chinese checklist needs 887 px on one line as the font draws it (check 210, ok 56,
    found 228, needed 221, affects 172: "≥ 2（同期群）；≥ 3（校准检验）" is 12 × 14 + 2 × 7.5
    for "≥" + 2 × 7 + 2 × 3 = 203 px, 221 with the padding) and has 820. Shared out by what each
    column lacked, the check, needed and affects columns each gained a little and all kept a
    second line, two of them with one character on it ("…购买日" over "）", "…流" over
    "失"). Now the room takes whole lines off: at most two columns wrap, and no column's
    last line holds a lone character. (The cells as the page writes them since the sign and
    its figure are joined: "≥ 3" with a no-break space; one column wraps, at its spaces.)"""
    widths, row_height = T.column_layout(ZH_CHECKLIST, ZH_HEADERS)
    assert sum(widths.values()) <= T.PAGE_PX and row_height == T.WRAP_ROW_PX
    wrapped = [
        c for c, texts in ZH_CHECKLIST.items() if any(T.cell_lines(t, widths[c]) > 1 for t in texts)
    ]
    assert len(wrapped) <= 2, (widths, wrapped)
    for c, texts in ZH_CHECKLIST.items():
        for t in texts:
            k = T.cell_lines(t, widths[c])
            assert k <= T.WRAP_LINES
            if k > 1:  # its last line holds more than one character
                assert len(T.cell_wrap(t, widths[c])[-1].strip()) > 1, (c, t, widths[c])


def test_a_long_word_is_hyphenated_where_its_longer_line_is_shortest():
    """By the font's widths: "Hiber-" 9.5+3.5+8+7+5 + 4.5 = 37.5 px over "nating"
    8+7.5+5+3.5+8+7.5 = 39.5 (one letter earlier, "rnating" is 44.5; one later, "Hibern-"
    45.5); a word under six letters, or with an apostrophe, stays whole; a Chinese word is
    cut before its noun, without a hyphen."""
    assert T.hyphenated("Hibernating") == ("Hiber-", "nating")
    assert T.drawn_px("Hiber-") == 56 and T.drawn_px("nating") == 58
    assert T.hyphenated("Loyal") == ("", "Loyal")
    assert T.hyphenated("Can't") == ("", "Can't")
    assert T.hyphenated("新客户") == ("新", "客户")


#: The Segments page's movement matrix in English (demo: counts up to 1,288)
_CORNER = ("2 August 2026\xa0↓", "31 October 2026\xa0→")
_SEGMENTS = [
    "Champions", "Loyal", "Potential loyalist", "New", "Promising", "Needs attention",
    "About to sleep", "At risk", "Can't lose them", "Hibernating", "Lost",
]  # fmt: skip


def _movement(counts: str = "1,288"):
    heads = [_CORNER, *(T.two_line_header(s) for s in _SEGMENTS)]
    cells = [[*_SEGMENTS, "Not yet a customer"]] + [[counts, "0"]] * len(_SEGMENTS)
    return heads, cells


def test_a_count_matrix_that_fits_keeps_its_headers():
    heads, cells = _movement()
    got, widths = T.count_matrix_layout(heads, cells, budget=2000)
    assert got == heads
    for head, texts, w in zip(heads, cells, widths, strict=True):
        assert w == max(T.GRID_MIN_PX, *map(T.drawn_px, [*head, *texts])), (head, w)
    assert widths[4] == T.GRID_MIN_PX  # "New" (45 px drawn): the grid draws 50 at least


def test_a_count_matrix_cuts_one_word_headers_until_it_fits_the_page():
    """909 px in the 818 a 1280 px window gives it (Chromium): the one-word headers are cut,
    the one giving back the most first ("Hibernating" 91 -> 58 px, then "Champions" 87 -> 58,
    then "Promising" 80 -> 56), only as many as it takes."""
    heads, cells = _movement()
    whole = sum(T.count_matrix_layout(heads, cells, budget=2000)[1])
    got, widths = T.count_matrix_layout(heads, cells, budget=T.INNER_PX)
    assert whole > T.INNER_PX >= sum(widths), (whole, widths)
    cut = [h for h, g in zip(heads, got, strict=True) if h != g]
    assert cut == [("", "Champions"), ("", "Promising"), ("", "Hibernating")], cut
    assert [g for g in got if g[0].endswith("-")] == [
        ("Cham-", "pions"),
        ("Prom-", "ising"),
        ("Hiber-", "nating"),
    ]
    for head, texts, w in zip(got, cells, widths, strict=True):
        assert w >= max(map(T.drawn_px, [*head, *texts])), (head, w)
    # one cut is enough under a budget 33 px below the whole: only "Hibernating" is cut
    got, widths = T.count_matrix_layout(heads, cells, budget=whole - 33)
    assert [g for g in got if g[0].endswith("-")] == [("Hiber-", "nating")]
    assert sum(widths) == whole - 33


def test_a_count_matrix_wider_than_any_cut_still_scrolls():
    heads, cells = _movement("1,234,567")
    got, widths = T.count_matrix_layout(heads, cells, budget=T.INNER_PX)
    assert sum(widths) > T.INNER_PX  # the figures alone are wider: nothing else to cut
    assert all(w >= T.drawn_px("1,234,567") for w in widths[1:])


def test_columns_held_at_their_minimum_stay_within_the_budget():
    """Scaled down in proportion, two short figures floored at the minimum width pushed the
    Basket page's top rules past its 318 px frame (Chromium, UCI: 339 px, a scrollbar for
    21 px, "Lift" cut): what the floor adds back is taken from the widest column."""
    rule = (
        "POPPY'S PLAYHOUSE BEDROOM + POPPY'S PLAYHOUSE KITCHEN + POPPY'S PLAYHOUSE "
        "LIVINGROOM → CHILDS GARDEN TROWEL PINK + CHILDS GARDEN TROWEL BLUE"
    )
    cells = {"rule": [rule, "A → B"], "confidence": ["78.7 %"] * 2, "lift": ["63.09"] * 2}
    headers = {"rule": "Rule (if → then)", "confidence": "Confidence", "lift": "Lift"}
    widths, row_height = T.column_layout(cells, headers, budget=318)
    assert sum(widths.values()) <= 318, widths
    assert min(widths.values()) >= T.MIN_COLUMN_PX and row_height == T.WRAP_ROW_PX


def test_a_table_scaled_down_keeps_its_headers_whole_where_they_fit():
    """Scaled to 318 px, the Basket page's top rules on UCI drew "Confidence" in the 56 px
    minimum: "Confiden" (Chromium). A column scaled down keeps its header's width while the
    headers fit the budget together; the long rule gives the room."""
    rule = (
        "POPPY'S PLAYHOUSE BEDROOM + POPPY'S PLAYHOUSE KITCHEN + POPPY'S PLAYHOUSE "
        "LIVINGROOM → CHILDS GARDEN TROWEL PINK + CHILDS GARDEN TROWEL BLUE"
    )
    cells = {"rule": [rule, "A → B"], "confidence": ["78.7 %"] * 2, "lift": ["63.09"] * 2}
    headers = {"rule": "Rule (if → then)", "confidence": "Confidence", "lift": "Lift"}
    widths, _ = T.column_layout(cells, headers, budget=318)
    assert sum(widths.values()) <= 318, widths
    for c, h in headers.items():
        assert widths[c] >= T.drawn_px(h), (c, h, widths)
    # headers wider together than the budget: each column at least the minimum, within it
    widths, _ = T.column_layout(cells, headers, budget=200)
    assert sum(widths.values()) <= 200 and min(widths.values()) >= T.MIN_COLUMN_PX, widths


#: The Chinese demo's checklist since the repeat buyers' label is 复购客户（≥ 2 个购买日）
ZH_CHECKLIST_GE = {
    **ZH_CHECKLIST,
    "check": [
        "可识别客户的行",
        "可识别的客户",
        "复购客户（≥\u00a02\u00a0个购买日）",
        "历史数据月数",
        "90\u00a0天流失窗口所需的历史天数",
    ],
    "found": ["126,044\u00a0行中的\u00a0113,509\u00a0行（90%）", "8,958", "3,918", "24", "729"],
}


@pytest.mark.parametrize("table", [ZH_CHECKLIST, ZH_CHECKLIST_GE], ids=["2+", "≥2"])
def test_a_bracketed_phrase_kept_whole_leaves_the_other_columns_their_lines(table):
    """With 复购客户（≥ 2 个购买日） held whole through its close, the "affects" column
    went 178 → 102 px: "客户生命周期" over "价值、流失", two more of its cells on two lines
    (Chromium, the Chinese demo at 1280 px), while the requirements kept one line at 224 px.
    Their "≥ 3（" was held on one line with the opening bracket after the figure, so the
    requirements could not be narrower than 151 px and a line off them cost more than one off
    "affects". An opening bracket now starts the next line: the labels and the affects column
    on one line, the requirements on two ("≥ 2（同期群）；≥ 3" over "（校准检验）")."""
    budget = T.INNER_PX
    widths, row_height = T.column_layout(table, ZH_HEADERS, budget=budget)
    assert sum(widths.values()) <= budget and row_height == T.WRAP_ROW_PX
    lines = {c: max(T.cell_lines(t, widths[c]) for t in texts) for c, texts in table.items()}
    assert lines == {"check": 1, "ok": 1, "found": 1, "needed": 2, "affects": 1}, widths
    assert widths["affects"] >= T.drawn_px("客户生命周期价值、流失"), widths
    assert T.cell_wrap("≥\u00a02（同期群）；≥\u00a03（校准检验）", widths["needed"]) == [
        "≥\u00a02（同期群）；≥\u00a03",
        "（校准检验）",
    ]


def test_an_opening_bracket_after_a_figure_is_not_held_on_its_line():
    assert T.unbreakable_parts("≥\u00a02（同期群）；≥\u00a03（校准检验）") == [
        "≥\u00a02（同期群）；≥\u00a03"
    ]
    assert T.unbreakable_parts("预测（BG/NBD）模型") == ["预测（BG/NBD）"]  # a close stays
