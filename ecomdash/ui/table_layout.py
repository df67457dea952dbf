"""How wide a table's columns are drawn, with no Streamlit: the width budgets of the page,
the text widths of the tables' font, and the column layouts that keep a table within the
page (:func:`column_layout`, cells wrapped to whole lines; :func:`one_line_widths`, rows of
one line; :func:`matrix_widths`, a matrix that scrolls). :mod:`ecomdash.ui.tables` sends the
tables and re-exports these."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Collection, Mapping, Sequence

from ecomdash.text_width import is_wide

#: A table's width budget in px: what the main column of a 1280 px wide window holds beside
#: the sidebar (the columns grow to fill a wider one: ``width="stretch"``)
PAGE_PX = 820
#: The width budget of a table inside an ``st.expander`` (its border and padding: 34 px)
EXPANDER_PX = PAGE_PX - 34
#: The width budget of a table in one of two equal ``st.columns`` (a 1 rem gap between them)
HALF_PX = (PAGE_PX - 16) // 2
#: The width budget of a table in the narrower of two ``st.columns([3, 2])`` (or ``[2, 3]``):
#: the Basket page's side tables, as Chromium draws them at 1280 px (320 px, its grid 318
#: inside the border; two fifths of the 804 px beside the gap would be 321)
TWO_FIFTHS_PX = 320
#: Lines a cell of a fitted table may wrap to, and the row height that shows them (Streamlit
#: wraps a cell's text only in rows taller than 4 rem)
WRAP_LINES, WRAP_ROW_PX = 3, 72
#: A fitted column is never narrower than this (a "yes" column)
MIN_COLUMN_PX = 56
#: Streamlit's grid draws no column narrower than this (3.125 rem), whatever width it is given
GRID_MIN_PX = 50


def column_layout(
    cells: Mapping[str, Collection[str]], headers: Mapping[str, str], *, budget: int = PAGE_PX
) -> tuple[dict[str, int], int | None]:
    """Pixel widths of a table's columns within ``budget`` and its row height, from the text
    of each column's ``cells`` and its header (headers: one line, as Streamlit draws them),
    each measured as the font draws it (:func:`drawn_px`), as :func:`cell_lines` breaks it.

    When every column fits its longest text on one line, each gets that (rows of one line:
    None, Streamlit's own height). Else each column first gets a third of its longest
    cell's width (the cell wraps to at most :data:`WRAP_LINES` lines of a taller row) and,
    where the budget allows, its widest piece that must stay on one line (a word, or a
    Chinese label through its Latin run: :func:`unbreakable_parts`), then
    what is left of the budget goes to the columns by what they still lack — first to
    headers narrower than their text, then to cells that could take fewer lines; a header
    is cut short only when the cells and the headers together cannot fit. Left to
    Streamlit, each column took its one-line width and the table ran off the page:
    "lifetime-value models (BG/NBD, Gam" was cut off under "Affects" (the checklist), the
    churn models' table was wider than the page in Chinese."""
    head = {c: drawn_px(headers.get(c, c)) for c in cells}
    cell = {c: max(map(drawn_px, texts), default=0) for c, texts in cells.items()}
    need = {c: max(MIN_COLUMN_PX, head[c], cell[c]) for c in cells}
    if sum(need.values()) <= budget:
        return need, None
    widths = {c: max(MIN_COLUMN_PX, math.ceil(cell[c] / WRAP_LINES)) for c in cells}
    whole = {c: max(widths[c], _longest_word_px(texts)) for c, texts in cells.items()}
    if sum(whole.values()) <= budget:  # no word cut (a Chinese phrase is one)
        widths = whole
    total = sum(widths.values())
    if total > budget:
        return _scaled_within(widths, budget, head), WRAP_ROW_PX
    lack = {c: max(0, head[c] - widths[c]) for c in cells}  # headers whole first
    spare, short = budget - sum(widths.values()), sum(lack.values())
    if spare > 0 and short:
        share = min(1.0, spare / short)
        widths = {c: widths[c] + int(lack[c] * share) for c in cells}
    widths = _fewer_lines(cells, widths, head, budget)
    # what is left goes to the columns on one line: a wrapping column given part of a line
    # more keeps its lines and ends them shorter ("≥ 210（2 × 窗口 +" over "30）")
    one_line = [c for c in cells if cell[c] <= widths[c]] or list(cells)
    spare, room = budget - sum(widths.values()), sum(widths[c] for c in one_line)
    if spare > 0 and room:
        widths = {
            c: widths[c] + (int(spare * widths[c] / room) if c in one_line else 0) for c in cells
        }
    # taller rows only when a cell wraps: rows of one line at Streamlit's own height
    return widths, WRAP_ROW_PX if any(cell[c] > widths[c] for c in cells) else None


def _scaled_within(
    widths: Mapping[str, int], budget: int, head: Mapping[str, int] | None = None
) -> dict[str, int]:
    """``widths`` scaled down to ``budget`` in proportion, none below :data:`MIN_COLUMN_PX`
    nor, when the headers fit the budget together, below its header's drawn width
    (``head``); what the columns held at that floor add back is taken from the widest
    columns, so the sum stays within the budget. Scaled alone, the Basket page's top rules
    (a long rule, two short figures floored at the minimum) were 339 px in a 318 px frame: a
    scrollbar for 21 px, "Lift" cut; floored at the minimum only, "Confidence" was cut to
    "Confiden" (Chromium, UCI)."""
    floor = {c: MIN_COLUMN_PX for c in widths}
    if head is not None:
        whole = {c: max(MIN_COLUMN_PX, head.get(c, 0)) for c in widths}
        if sum(whole.values()) <= budget:
            floor = whole
    total = sum(widths.values())
    out = {c: max(floor[c], int(w * budget / total)) for c, w in widths.items()}
    over = sum(out.values()) - budget
    for c in sorted(out, key=out.get, reverse=True):
        if over <= 0:
            break
        take = min(over, out[c] - floor[c])
        out[c] -= take
        over -= take
    return out


def cell_lines(text: str, width: int) -> int:
    """How many lines ``text`` takes in a cell ``width`` px wide (its padding included), as
    Streamlit's canvas table breaks it (:func:`cell_wrap`).

    >>> cell_lines("复购客户（2 个及以上购买日）", 215), cell_lines("复购客户（2 个及以上购买日）", 200)
    (1, 2)
    >>> cell_lines("Days of history for a 90-day churn window", 180)
    2
    """
    return len(cell_wrap(text, width))


def cell_wrap(text: str, width: int) -> list[str]:
    """The lines of ``text`` in a cell ``width`` px wide (its padding included), as
    Streamlit's canvas table breaks it (:func:`unbreakable_parts`): a line that overflows
    breaks at its last plain space, else at the character that overflows; each character as
    wide as the font draws it (:func:`drawn_px`).

    >>> cell_wrap("Days of history for a 90-day churn window", 180)
    ['Days of history for a', '90-day churn window']
    """
    room = max(width - drawn_px(""), 1)
    lines, rest = [], text.strip(" ")
    while rest:
        used, fit = 0.0, 0
        for ch in rest:
            used += _char_px(ch)
            if used > room + 1e-9:
                break
            fit += 1
        if fit >= len(rest):
            lines.append(rest)
            break
        fit = max(fit, 1)
        cut = rest.rfind(" ", 0, fit + 1)
        lines.append((rest[:cut] if cut > 0 else rest[:fit]).rstrip(" "))
        rest = (rest[cut:] if cut > 0 else rest[fit:]).lstrip(" ")
    return lines or [""]


#: The texts per column whose wrapping decides a column's lines (the widest ones)
_WRAP_SAMPLE = 8


def _fewer_lines(
    cells: Mapping[str, Collection[str]],
    widths: dict[str, int],
    head: Mapping[str, int],
    budget: int,
) -> dict[str, int]:
    """``widths`` with the budget's room spent on taking lines off the columns that wrap,
    the cheapest line first. Shared out by what each column lacked, every column gained a
    little and kept its lines, often with one character alone on the last (the Chinese
    checklist in Chromium: "复购客户（2 个及以上购买日" over "）", "客户生命周期价值、流"
    over "失"). A wrapping column first gives back what its lines do not need (a header
    that was whole, or a Latin run that was, stays whole: :func:`unbreakable_parts`)."""
    texts = {c: sorted(set(t), key=drawn_px, reverse=True)[:_WRAP_SAMPLE] for c, t in cells.items()}

    def lines(c: str, w: int) -> int:
        return max((cell_lines(t, w) for t in texts[c]), default=1)

    def width_for(c: str, k: int, hi: int) -> int:
        lo = MIN_COLUMN_PX  # the narrowest width <= hi at which the column takes <= k lines
        while lo < hi:
            mid = (lo + hi) // 2
            if lines(c, mid) <= k:
                hi = mid
            else:
                lo = mid + 1
        return hi

    widths = dict(widths)
    k = {c: lines(c, widths[c]) for c in cells}
    for c in cells:  # no room kept that the column's lines do not use
        if k[c] > 1:
            # a header that was whole stays whole, and so does a Latin run that was
            keep = min(widths[c], max(head[c], _longest_word_px(cells[c])))
            widths[c] = max(keep, width_for(c, k[c], widths[c]))
    spare = budget - sum(widths.values())
    while True:
        cost = {}
        for c in cells:
            if k[c] > 1:
                # one line at the widest text's drawn width: the search's upper end
                hi = max(widths[c], max(map(drawn_px, texts[c])))
                one_less = width_for(c, k[c] - 1, hi)
                if one_less - widths[c] <= spare and lines(c, one_less) < k[c]:
                    cost[c] = one_less - widths[c]
        if not cost:
            # a column whose last lines a row still cuts off takes what is left: its
            # shorter texts may then keep within the row
            over = [c for c in cells if k[c] > WRAP_LINES]
            for c in over:
                widths[c] += max(0, spare) // len(over)
            return widths
        # first the columns whose last lines a row cuts off, then the cheapest line
        c = min(cost, key=lambda c: (k[c] <= WRAP_LINES, cost[c], list(cells).index(c)))
        widths[c] += cost[c]
        spare -= cost[c]
        k[c] = lines(c, widths[c])


def _longest_word_px(texts: Collection[str]) -> int:
    """The width of the widest piece of ``texts`` that a column must hold on one line so
    that no Latin word, number or model name is cut (:func:`unbreakable_parts`)."""
    return max((drawn_px(p) for t in texts for p in unbreakable_parts(t)), default=0)


#: Where Streamlit's canvas table may break a line of a cell: at a plain space only (a
#: no-break space keeps "53 %" together, as it is meant to)
_SPACES = re.compile("[ \t\n]+")


#: The punctuation that stays on the line of the Latin run before it: any but an opening
#: bracket, which starts the next line ("≥ 2（同期群）；≥ 3" over "（校准检验）", not "≥ 3（"
#: over "校准检验）"). Held with the run, it made the Chinese checklist's requirements
#: column 151 px at the least, so that a line off it cost more than one off the "affects"
#: column, which went 178 → 102 px (Chromium, the Chinese demo at 1280 px)
_AFTER_A_RUN = frozenset({"Pc", "Pd", "Pe", "Pf", "Pi", "Po"})


def unbreakable_parts(text: str) -> list[str]:
    """The pieces of ``text`` a column must hold whole on one line so that no Latin run
    ("BG/NBD", "126,044", "90%") is cut.

    Streamlit's table draws a cell on a canvas (glide-data-grid's canvas-hypertxt): a line
    that overflows breaks at its last space and, where it has none, at the character that
    overflows — inside a Latin run as readily as between two Chinese characters. A piece
    between spaces without a Chinese character is a word, held whole in any column as wide
    as it. In a piece with Chinese characters, "预测（BG/NBD）", the line breaks wherever it
    overflows: a Latin run in it stays whole only when the piece's line holds it from its
    start (a line breaks at the space before the piece) through its last Latin run and the
    punctuation after it ("预测（BG/NBD）", all of it), or, inside brackets, through their
    close (a figure and its phrase, "复购客户（2 个及以上购买日）"). A Chinese piece without a Latin run
    may break anywhere: its widest character.

    >>> unbreakable_parts("基线 BG/NBD：仍活跃的概率")
    ['基', 'BG/NBD：']
    >>> unbreakable_parts("预测（BG/NBD）模型")
    ['预测（BG/NBD）']
    >>> unbreakable_parts("复购客户（2\u00a0个及以上购买日）")
    ['复购客户（2\xa0个及以上购买日）']
    """
    parts = []
    for piece in _SPACES.split(text):
        if not piece:
            continue
        if not any(map(is_wide, piece)):
            parts.append(piece)
            continue
        end = max((i + 1 for i, ch in enumerate(piece) if not is_wide(ch)), default=0)
        if not end:
            parts.append(max(piece, key=_char_px))
            continue
        run_end = end
        while end < len(piece) and unicodedata.category(piece[end]) in _AFTER_A_RUN:
            end += 1  # the closing bracket or the colon after the run stays on its line
        opened = piece.rfind("（", 0, run_end)
        if opened != -1 and piece.find("）", opened) >= end:
            # a run inside brackets holds through their close: "复购客户（2 个及以上购买日）"
            # broke after "2 个" (the Customer value checklist, Chromium)
            end = piece.find("）", opened) + 1
        parts.append(piece[:end])
    return parts


#: The columns' room inside a table of the page's width: the grid draws a 1 px border on
#: each side (Chromium, 1280 px: a table 820 px wide has 818 px for its columns)
INNER_PX = PAGE_PX - 2


def one_line_widths(
    cells: Mapping[str, Collection[str]], headers: Mapping[str, str], *, budget: int = INNER_PX
) -> dict[str, int]:
    """Pixel widths of a table's columns whose rows stay one line high, within ``budget``:
    each column its longest text (header or cell) when they all fit; else the widest columns
    are cut down to one common width, never below their header, so the short columns
    (dates, severities, figures) stay whole and only the longest texts end in "…" (their
    whole text is in the download and, on the Alerts page, in the details). When even the
    headers do not fit, each column gets its header (the table scrolls sideways)."""
    head = {c: max(MIN_COLUMN_PX, drawn_px(headers.get(c, c))) for c in cells}
    need = {c: max(head[c], max(map(drawn_px, texts), default=0)) for c, texts in cells.items()}
    if sum(need.values()) <= budget or sum(head.values()) >= budget:
        return need if sum(need.values()) <= budget else head

    def widths(cap: int) -> dict[str, int]:
        return {c: max(head[c], min(need[c], cap)) for c in cells}

    lo, hi = 0, max(need.values())  # the widest cap that fits: widths(lo) always does
    while lo < hi:
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if sum(widths(mid).values()) <= budget else (lo, mid - 1)
    return widths(lo)


#: How wide the tables' font (Source Sans, 400, 14 px) draws a character, px, rounded up to
#: half a pixel: measured in Chromium (canvas ``measureText``; Streamlit serves the font
#: itself, so every browser draws the same). "Potential loyalist" is 97 px drawn, 104 here.
_DRAWN_PX = {
    ch: px
    for chars, px in (
        (" \xa0", 3.0),
        ("ij',.:;|·’", 3.5),
        ("lI", 4.0),
        ("f!()-[]{}", 4.5),
        ("rt/\\", 5.0),
        ('sz"*?', 6.0),
        ("cx", 6.5),
        ("0123456789ekvyFJLY#$+<=>^_~£€¥₹–×÷", 7.0),
        ("agESVX", 7.5),
        ("bdhnopquACPRTZ`√", 8.0),
        ("BK", 8.5),
        ("DG&↓→", 9.0),
        ("HNOQU", 9.5),
        ("wM", 10.5),
        ("W—", 11.5),
        ("m%@", 12.0),
        ("…", 13.5),
    )
    for ch in chars
}


def drawn_px(text: str) -> int:
    """How wide a table cell (or header) draws ``text``, px: each character as the font draws
    it (:data:`_DRAWN_PX`; a Chinese one 14 px, any other not measured 7.5), with the cell's
    8 px padding on each side and 2 px to spare. Every layout here measures with it, as
    :func:`cell_lines` breaks a cell's lines. A flat 7.5 px a Latin character gave "Potential
    loyalist" 153 px, where it takes 113 (English tables wider than they needed, their other
    columns wrapping for it), and "预测（BG/NBD）" 119 px where it draws 124: a piece the layout
    meant to keep whole ("购买可能性最高10%", "SARIMAX") broke where the canvas drew it."""
    return math.ceil(sum(map(_char_px, text))) + 18


def _char_px(ch: str) -> float:
    """How wide the table's font draws ``ch``, px (:data:`_DRAWN_PX`; a Chinese character
    14, any other not measured 7.5)."""
    return _DRAWN_PX.get(ch, 14.0 if is_wide(ch) else 7.5)


def matrix_widths(
    cells: Mapping[str, Collection[str]], headers: Mapping[str, str]
) -> dict[str, int]:
    """Each column of a matrix (rows of one line) as wide as the font draws its longest text,
    header or cell (:func:`drawn_px`), never narrower than :data:`MIN_COLUMN_PX`: as narrow
    as its figures allow with nothing cut, however wide the whole (the matrix scrolls
    sideways, its labels pinned)."""
    return {
        c: max(MIN_COLUMN_PX, drawn_px(headers.get(c, c)), *map(drawn_px, texts))
        for c, texts in cells.items()
    }


def hyphenated(word: str) -> tuple[str, str]:
    """``word``, a header of one word, on two lines, ``(top, bottom)``, its longer line as
    short as it can be: a Latin word of six letters or more cut with a hyphen, at least three
    letters on each line; a Chinese word of three characters or more before its last two, its
    noun (no hyphen); any other as it is, on the bottom line.

    >>> hyphenated("Hibernating"), hyphenated("Champions"), hyphenated("新客户"), hyphenated("Lost")
    (('Hiber-', 'nating'), ('Cham-', 'pions'), ('新', '客户'), ('', 'Lost'))
    """
    if len(word) >= 3 and all(map(is_wide, word)):
        return word[:-2], word[-2:]
    if len(word) < 6 or not word.isalpha() or any(map(is_wide, word)):
        return "", word
    cut = min(
        range(3, len(word) - 2),
        key=lambda i: max(drawn_px(word[:i] + "-"), drawn_px(word[i:])),
    )
    return word[:cut] + "-", word[cut:]


def count_matrix_layout(
    heads: Sequence[tuple[str, str]], cells: Sequence[Collection[str]], *, budget: int = INNER_PX
) -> tuple[list[tuple[str, str]], list[int]]:
    """The two-line headers and the widths, px, of a matrix's columns (the first its row
    labels, ``cells`` the texts each column shows) within ``budget``: each column as wide as
    the font draws its header's longer line and its cells (:func:`drawn_px`; never below
    :data:`GRID_MIN_PX`, which the grid would draw anyway); while the whole is wider than
    ``budget``, the header of one word whose cut gives back the most is cut in two
    (:func:`hyphenated`: "Hiber-" over "nating"). The segment movement matrix took 909 px of
    the 818 a 1280 px window gives it (Chromium) and "Hibernating" and "Lost" scrolled out of
    view. When the row labels and the figures alone are wider than ``budget``, the matrix
    still scrolls, its row labels pinned."""
    heads = list(heads)

    def width(head: tuple[str, str], texts: Collection[str]) -> int:
        return max(GRID_MIN_PX, *map(drawn_px, head), *map(drawn_px, texts))

    widths = [width(h, t) for h, t in zip(heads, cells, strict=True)]
    while sum(widths) > budget:
        gains = {
            i: widths[i] - width(hyphenated(heads[i][1]), cells[i])
            for i in range(1, len(heads))
            if not heads[i][0]
        }
        best = max(gains, key=lambda i: (gains[i], -i), default=None)
        if best is None or gains[best] <= 0:
            break
        heads[best] = hyphenated(heads[best][1])
        widths[best] -= gains[best]
    return heads, widths


#: A metric tile's width around its label: the border and padding each side (2 × 17) and the
#: help icon with its gap (20), px; a value is drawn at 36 px where a label is at 14
TILE_LABEL_PX = 54
TILE_VALUE_SCALE = 36 / 14


def tile_weights(labels: Sequence[str], values: Sequence[str]) -> list[int]:
    """Each metric tile's width in a row of them (``st.columns``' weights), px: what its
    label needs beside the help icon, or its value at the value's size, the wider. Equal
    columns cut the Home's "Average order value" to "Average order …" at 1280 px (115 px of
    label in 97) while "Orders" had room to spare; the row shares the same width by need.

    >>> tile_weights(["Orders", "Average order value"], ["50k", "£74.58"])
    [95, 176]
    """
    return [
        max(
            drawn_px(label) - 18 + TILE_LABEL_PX,
            math.ceil((drawn_px(value) - 18) * TILE_VALUE_SCALE) + 34,
        )
        for label, value in zip(labels, values, strict=True)
    ]
