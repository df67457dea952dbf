"""Tables sent to the browser: human headers and formats, at most a page of rows.

Headers and number formats come from the one catalogue, :mod:`ecomdash.labels`, keyed by the
raw column id: the frame keeps its raw ids and its numbers (so sorting works and tests read
the values), ``st.column_config`` shows the label and the format (money in the dataset's
currency, percentages, thousands, dates in the merchant's format).

Every row of an ``st.dataframe`` is converted to Arrow and sent to the browser on every rerun
of the page. A customer list of thousands of rows cost the server more than the rest of the
Segments page; the merchant reads the first rows on screen and takes the whole list as a file.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re
import unicodedata
from collections.abc import Callable, Collection, Mapping, Sequence

import pandas as pd
import streamlit as st

from ecomdash import labels as L
from ecomdash.i18n import N_, _, fmt, get_lang
from ecomdash.i18n.fmt import MISSING, NBSP, pct_sign
from ecomdash.text_width import is_wide, text_width

#: Rows of a long table shown on screen; the download always holds every row.
MAX_ROWS_SHOWN = 200

#: What an empty table says (pages pass their own ``empty=`` when they know better).
EMPTY = N_(
    "No rows for this selection. Widen the period, countries or categories in the sidebar, "
    "or change the settings above."
)


#: Session key of the current dataset's :class:`ecomdash.labels.Display` (set by page_setup).
K_DISPLAY = "_display"


def current_display() -> L.Display:
    """The Display of the dataset the page works on (defaults when no page set one)."""
    d = st.session_state.get(K_DISPLAY)
    return d if isinstance(d, L.Display) else L.Display()


def percent_format(places: int = 0) -> str:
    """The printf format of a widget (slider) that holds a percentage 0–100, in the page's
    percent style (``fmt.pct``): "30 %" in English (a no-break space before "%"), "30%" in
    Chinese."""
    number = f"%.{places}f" if places else "%d"
    return number + pct_sign().replace("%", "%%")


def head_for_screen(df: pd.DataFrame, max_rows: int = MAX_ROWS_SHOWN) -> tuple[pd.DataFrame, str]:
    """The rows to show and a note saying how many of how many (empty when all are shown)."""
    if len(df) <= max_rows:
        return df, ""
    return (
        df.head(max_rows),
        _(
            "Showing the first {shown} of {total} rows; the download has all {total}.",
            shown=f"{max_rows:,}",
            total=f"{len(df):,}",
        ),
    )


def _is_dates(s: pd.Series) -> bool:
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return True
    if s.dtype == object:
        v = s.dropna()
        return len(v) > 0 and all(isinstance(x, dt.date) for x in v.head(20))
    return False


def _config(c: L.Col, s: pd.Series | None, display: L.Display, scaled: bool = False):
    help_ = c.help
    numeric = s is not None and pd.api.types.is_numeric_dtype(s.dtype) and s.dtype != bool
    if c.kind == "share" and numeric:
        # "percent" shows 89% beside 62.8% in one column; a share column sent as percent
        # points (:func:`_for_screen`) shows every row with the column's decimals
        fmt = L.number_format(c, display) if scaled else "percent"
        return st.column_config.NumberColumn(c.label, help=help_, format=fmt)
    if c.kind in ("money", "count", "number", "pct") and numeric:
        return st.column_config.NumberColumn(
            c.label, help=help_, format=L.number_format(c, display)
        )
    if c.kind in ("date", "datetime") and s is not None and _is_dates(s):
        if c.kind == "datetime" and pd.api.types.is_datetime64_any_dtype(s.dtype):
            return st.column_config.DatetimeColumn(
                c.label, help=help_, format=f"{display.date_format} HH:mm"
            )
        return st.column_config.DateColumn(c.label, help=help_, format=display.date_format)
    if c.kind == "flag" and s is not None and s.dtype == bool:
        return st.column_config.CheckboxColumn(c.label, help=help_)
    if numeric:
        return st.column_config.NumberColumn(c.label, help=help_, format="localized")
    return st.column_config.TextColumn(c.label, help=help_)


def table_config(
    df: pd.DataFrame,
    *,
    area: str | None = None,
    display: L.Display | None = None,
    kinds: Mapping[str, str] | None = None,
    hide_index: bool | None = None,
    scaled: bool = False,
) -> dict:
    """``st.column_config`` for every column of ``df`` (and its index when shown) from the
    catalogue; ``kinds`` changes a column's kind here (``{"mean": "money"}`` for a revenue
    forecast). ``scaled``: the frame shown is ``_for_screen(df)``, its shares in percent
    points."""
    display = display or current_display()
    out: dict = {}
    for col in df.columns:
        out[col] = _config(_column(col, area, kinds), df[col], display, scaled)
    if not hide_index and df.index.name is not None:
        idx = df.index.to_series()
        out["_index"] = _config(L.column(df.index.name, area), idx, display)
    return out


def _column(col, area: str | None, kinds: Mapping[str, str] | None) -> L.Col:
    """The catalogue's column, with its kind changed where ``kinds`` says so."""
    c = L.column(col, area)
    if kinds and str(col) in kinds:
        c = L.Col(c.label, kinds[str(col)], c.decimals, c.help)
    return c


#: Kinds the browser writes with a fixed number of decimals (``labels.number_format``)
_DECIMAL_KINDS = ("money", "number", "pct", "share")


def _for_screen(
    df: pd.DataFrame,
    area: str | None,
    kinds: Mapping[str, str] | None = None,
    own: Collection = (),
) -> pd.DataFrame:
    """``df`` as the browser gets it: model ids as model labels, share columns (0.628) in
    percent points (62.8) for ``table_config(..., scaled=True)``'s format, except the
    columns in ``own`` (the caller configures them: a progress bar from 0 to 1), and in
    every column written with fixed decimals (money, numbers, percentages) a value that
    rounds to zero at them sent as 0.0: the browser's printf format writes -0.001 as
    "£-0.00" (a refund of a tenth of a penny), where :func:`ecomdash.i18n.fmt.money` writes
    "£0.00". Other values go as they are (tests and sorting read them); the frame itself
    (and its download) keeps its values."""

    def col(c) -> L.Col:
        return _column(c, area, kinds)

    def numeric(c) -> bool:
        return pd.api.types.is_numeric_dtype(df[c].dtype) and df[c].dtype != bool

    models = [
        c
        for c in df.columns
        if col(c).kind == "model"
        and (df[c].dtype == object or pd.api.types.is_string_dtype(df[c].dtype))
    ]
    shares = [c for c in df.columns if col(c).kind == "share" and c not in own and numeric(c)]
    decimals = [
        c
        for c in df.columns
        if col(c).kind in _DECIMAL_KINDS
        and c not in own
        and numeric(c)
        and pd.api.types.is_float_dtype(df[c].dtype)
    ]
    if not models and not decimals:
        return df
    out = df.copy()
    for c in models:
        out[c] = df[c].map(lambda v: v if pd.isna(v) else L.model_label(str(v))).astype(object)
    for c in decimals:
        v = df[c] * 100 if c in shares else df[c]
        out[c] = v.mask(v.round(col(c).places) == 0, 0.0)  # what rounds to zero is 0.0
    for c in shares:
        if c not in decimals:  # an integer share column (0 or 1)
            out[c] = df[c] * 100
    return out


#: Streamlit's data grid: each row and the header are 35 px, plus 3 px of border
_ROW_PX, _BORDER_PX = 35, 3


def _fitted(kwargs: dict, n_rows: int) -> dict:
    """``kwargs`` with a fixed ``height`` no taller than ``n_rows`` rows need: a 420 px table
    of 10 rules showed an empty band under its last row (CI screenshot, basket rules)."""
    h = kwargs.get("height")
    if isinstance(h, int) and not isinstance(h, bool):
        kwargs = {**kwargs, "height": min(h, (max(n_rows, 1) + 1) * _ROW_PX + _BORDER_PX)}
    return kwargs


#: A table's width budget in px: what the main column of a 1280 px wide window holds beside
#: the sidebar (the columns grow to fill a wider one: ``width="stretch"``)
PAGE_PX = 820
#: The width budget of a table in one of two equal ``st.columns`` (a 1 rem gap between them)
HALF_PX = (PAGE_PX - 16) // 2
#: The width budget of a table in the narrower of two ``st.columns([3, 2])`` (or ``[2, 3]``):
#: the Basket page's side tables
TWO_FIFTHS_PX = (PAGE_PX - 16) * 2 // 5
#: Lines a cell of a fitted table may wrap to, and the row height that shows them (Streamlit
#: wraps a cell's text only in rows taller than 4 rem)
WRAP_LINES, WRAP_ROW_PX = 3, 72
#: A fitted column is never narrower than this (a "yes" column)
MIN_COLUMN_PX = 56


def text_px(text: str) -> int:
    """About how wide ``text`` is in a table cell, px: a Latin character ~7.5 px at the
    table's 14 px font, a Chinese one a full 14 px, with the cell's padding."""
    return math.ceil(text_width(text, narrow=7.5, wide=14)) + 18


def column_layout(
    cells: Mapping[str, Collection[str]], headers: Mapping[str, str], *, budget: int = PAGE_PX
) -> tuple[dict[str, int], int | None]:
    """Pixel widths of a table's columns within ``budget`` and its row height, from the text
    of each column's ``cells`` and its header (headers: one line, as Streamlit draws them).

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
    head = {c: text_px(headers.get(c, c)) for c in cells}
    cell = {c: max(map(text_px, texts), default=0) for c, texts in cells.items()}
    need = {c: max(MIN_COLUMN_PX, head[c], cell[c]) for c in cells}
    if sum(need.values()) <= budget:
        return need, None
    widths = {c: max(MIN_COLUMN_PX, math.ceil(cell[c] / WRAP_LINES)) for c in cells}
    whole = {c: max(widths[c], _longest_word_px(texts)) for c, texts in cells.items()}
    if sum(whole.values()) <= budget:  # no word cut (a Chinese phrase is one)
        widths = whole
    total = sum(widths.values())
    if total > budget:
        return {c: max(MIN_COLUMN_PX, int(w * budget / total)) for c, w in widths.items()}, (
            WRAP_ROW_PX
        )
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


def cell_lines(text: str, width: int) -> int:
    """How many lines ``text`` takes in a cell ``width`` px wide (its padding included), as
    Streamlit's canvas table breaks it (:func:`unbreakable_parts`): a line that overflows
    breaks at its last plain space, else at the character that overflows; each character as
    wide as the font draws it (:func:`drawn_px`).

    >>> cell_lines("复购客户（2 个及以上购买日）", 215), cell_lines("复购客户（2 个及以上购买日）", 200)
    (1, 2)
    >>> cell_lines("Days of history for a 90-day churn window", 180)
    2
    """
    room = max(width - drawn_px(""), 1)
    lines, rest = 0, text.strip(" ")
    while rest:
        lines += 1
        used, fit = 0.0, 0
        for ch in rest:
            used += _char_px(ch)
            if used > room + 1e-9:
                break
            fit += 1
        if fit >= len(rest):
            break
        fit = max(fit, 1)
        cut = rest.rfind(" ", 0, fit + 1)
        rest = (rest[cut:] if cut > 0 else rest[fit:]).lstrip(" ")
    return max(lines, 1)


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
    texts = {c: sorted(set(t), key=text_px, reverse=True)[:_WRAP_SAMPLE] for c, t in cells.items()}

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
    return max((text_px(p) for t in texts for p in unbreakable_parts(t)), default=0)


#: Where Streamlit's canvas table may break a line of a cell: at a plain space only (a
#: no-break space keeps "53 %" together, as it is meant to)
_SPACES = re.compile("[ \t\n]+")


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
    punctuation after it ("预测（BG/NBD）", all of it). A Chinese piece without a Latin run
    may break anywhere: its widest character.

    >>> unbreakable_parts("基线 BG/NBD：仍活跃的概率")
    ['基', 'BG/NBD：']
    >>> unbreakable_parts("预测（BG/NBD）模型")
    ['预测（BG/NBD）']
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
            parts.append(max(piece, key=lambda ch: text_px(ch)))
            continue
        while end < len(piece) and unicodedata.category(piece[end])[0] == "P":
            end += 1  # the closing bracket or the colon after the run stays on its line
        parts.append(piece[:end])
    return parts


def _cell_text(value, c: L.Col, display: L.Display) -> str:
    """About what a cell of catalogue column ``c`` shows for ``value`` (of the frame
    :func:`_for_screen` sends), for :func:`column_layout`: a date in the shop's display
    format (``2026年07月21日``, not ``2026-07-21 00:00:00``), money with its currency."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return MISSING
    if isinstance(value, dt.date) and c.kind in ("date", "datetime"):
        day = value.strftime(display.strftime)
        return day + (" 00:00" if c.kind == "datetime" and isinstance(value, dt.datetime) else "")
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return str(value)
    text = f"{value:,.{c.places if c.kind in _DECIMAL_KINDS else 0}f}"
    if c.kind == "money":
        text = display.symbol + text
    return text + (" %" if c.kind in ("share", "pct") else "")


def fitted_columns(
    df: pd.DataFrame,
    *,
    area: str | None = None,
    kinds: Mapping[str, str] | None = None,
    budget: int = PAGE_PX,
) -> tuple[dict[str, int], int | None]:
    """:func:`column_layout` of ``df`` as :func:`show_table` shows it: the catalogue's
    headers, the cells as the browser writes them (model labels, shares in percent)."""
    return column_layout(*_layout_input(df, area, kinds), budget=budget)


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
    head = {c: max(MIN_COLUMN_PX, text_px(headers.get(c, c))) for c in cells}
    need = {c: max(head[c], max(map(text_px, texts), default=0)) for c, texts in cells.items()}
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
    8 px padding on each side and 2 px to spare. A matrix's many narrow columns are sized with
    it: :func:`text_px`'s 7.5 px a Latin character (a safe average for the long texts of
    other tables) gave "Potential loyalist" 153 px, where it takes 113."""
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


def _layout_input(
    df: pd.DataFrame, area: str | None, kinds: Mapping[str, str] | None
) -> tuple[dict[str, list[str]], dict[str, str]]:
    """The cells' text as the browser writes them and the headers, of ``df`` shown."""
    shown = _for_screen(df, area, kinds)
    cols = {c: _column(c, area, kinds) for c in df.columns}
    display = current_display()
    return (
        {c: [_cell_text(v, cols[c], display) for v in shown[c]] for c in df.columns},
        {c: cols[c].label for c in df.columns},
    )


def screen_columns(df: pd.DataFrame, on_screen: Sequence[str]) -> tuple[pd.DataFrame, list[str]]:
    """``df``'s columns named in ``on_screen`` (in that order; a name ``df`` lacks is left
    out) and the names of the others, which only the download holds."""
    shown = [c for c in on_screen if c in df.columns]
    return df[shown], [c for c in df.columns if c not in shown]


def download_note(
    columns: Collection[str], *, area: str | None = None, kinds: Mapping[str, str] | None = None
) -> str:
    """The caption under a table whose ``columns`` are in its CSV download only: which they
    are, by the headers the download gives them, so a figure left off the screen can be found.
    Headers with a comma of their own are listed with semicolons in English: "Spend, last 12
    months, Spend" read as three columns (the at-risk list's)."""
    labels = [_column(c, area, kinds).label for c in columns]
    if get_lang() != "zh" and any("," in label for label in labels):
        listed = "; ".join(labels)
    else:
        listed = fmt.join(labels)
    return _("The CSV download also has: {columns}.", columns=listed)


def download_help(
    columns: Collection[str], *, area: str | None = None, kinds: Mapping[str, str] | None = None
) -> str:
    """The help of :func:`download_note`'s caption: each of ``columns`` by its header, with
    what it means (the catalogue's help, in the page's language), one a line (markdown, the
    catalogue's text escaped). The columns left off the screen took their header's help with
    them: how a restock plan's safety stock is worked out was said nowhere on the page. Empty when none of them has a help (the caption names them all)."""
    from ecomdash.ui.common import inert  # common imports this module

    cols = [_column(c, area, kinds) for c in columns]
    if not any(col.help for col in cols):
        return ""  # the caption's list of headers says it all
    lines = []
    for col in cols:
        name = f"**{inert(col.label)}**"
        meaning = inert(col.help) if col.help else ""
        lines.append(
            "- " + (_("{column}: {meaning}", column=name, meaning=meaning) if meaning else name)
        )
    return "\n".join(lines)


def show_table(
    df: pd.DataFrame,
    *,
    area: str | None = None,
    kinds: Mapping[str, str] | None = None,
    column_config: Mapping | None = None,
    max_rows: int | None = None,
    empty: str = EMPTY,
    fit: bool = False,
    on_screen: Sequence[str] | None = None,
    budget: int = PAGE_PX,
    pinned: Sequence[str] = (),
    **kwargs,
):
    """``st.dataframe`` of ``df`` with the catalogue's headers and formats.

    ``column_config`` entries given here win (widths, progress bars); model ids are shown as
    model labels; with ``max_rows`` at most that many rows go to the browser, with a caption.
    An empty table keeps its headers and says what to do next (``empty``). ``fit``: the
    columns share the page's width (:func:`fitted_columns`; long text wraps in taller rows)
    instead of running off the page — for a short table of words whose index is hidden.

    ``on_screen``: a wide table's columns that stay on screen, in that order, the ones a
    merchant acts on; the others go only to the CSV download the page puts beside the table
    (``download_table`` of the whole ``df``), and a caption under the table names them
    (:func:`download_note`). Their widths keep every row one line high within the page
    (:func:`one_line_widths`: the longest texts are cut at the end), unless ``fit`` wraps
    them. A table of 14 columns (the Alerts page) ran past the page's right edge, its
    "Also fired" and "Driver" cut, in both languages; ``fit`` made its rows very tall.
    ``budget``: the width the table has, px (:data:`HALF_PX` in one of two columns).

    ``pinned``: a matrix's row label columns (a cohort's first order month and its
    customers), which stay in view while the merchant scrolls its columns sideways; every
    column then gets the width of its longest text, header or cell (:func:`matrix_widths`):
    a matrix keeps all its columns, and none is wider than its text. The cohort table's 24
    months ran to 2,002 px and the row it was on scrolled out of view with its label.
    """
    off: list[str] = []
    if on_screen is not None:
        df, off = screen_columns(df, on_screen)
    cfg = table_config(df, area=area, kinds=kinds, hide_index=kwargs.get("hide_index"), scaled=True)
    shown, note = head_for_screen(df, max_rows) if max_rows else (df, "")
    cfg, row_height = _screen_widths(
        shown,
        cfg,
        area,
        kinds,
        fit=fit,
        one_line=on_screen is not None,
        budget=budget,
        pinned=pinned,
    )
    if fit:
        kwargs.setdefault("row_height", row_height)
    cfg.update(column_config or {})
    own = tuple(column_config or ())
    kwargs.setdefault("placeholder", MISSING)
    kwargs = _fitted(kwargs, len(shown))
    out = st.dataframe(_for_screen(shown, area, kinds, own), column_config=cfg, **kwargs)
    if note:
        st.caption(note)
    if off:
        st.caption(
            download_note(off, area=area, kinds=kinds),
            help=download_help(off, area=area, kinds=kinds) or None,
        )
    if len(df) == 0:
        st.caption(_(empty))  # EMPTY is a marked id; a page's own text comes translated
    return out


def _screen_widths(
    df: pd.DataFrame,
    cfg: dict,
    area: str | None,
    kinds: Mapping[str, str] | None,
    *,
    fit: bool,
    one_line: bool,
    budget: int = PAGE_PX,
    pinned: Sequence[str] = (),
) -> tuple[dict, int | None]:
    """``cfg`` with the columns' widths within ``budget`` px, and the row height: wrapped
    in taller rows (``fit``), or one line high each (``one_line``: an ``on_screen`` table;
    the grid's two border pixels left out); a matrix with ``pinned`` row labels: each column
    its text's width (:func:`matrix_widths`), the ``pinned`` ones pinned; ``cfg`` as it is
    otherwise."""
    widths: dict = {}
    row_height = None
    if pinned:
        widths = matrix_widths(*_layout_input(df, area, kinds))
        cfg = {c: {**cfg[c], "pinned": True} if c in pinned else cfg[c] for c in cfg}
    elif fit:
        widths, row_height = fitted_columns(df, area=area, kinds=kinds, budget=budget)
    elif one_line:
        widths = one_line_widths(*_layout_input(df, area, kinds), budget=budget - 2)
    cfg = {c: {**cfg[c], "width": widths[c]} if c in widths else cfg[c] for c in cfg}
    return cfg, row_height


def two_line_header(name: str) -> tuple[str, str]:
    """``name`` as a column header of two lines, ``(top, bottom)``, as narrow as it can be:
    cut at the space that makes its longer line shortest ("Needs" / "attention"); a Chinese
    name without a space before its last two characters, its noun (需关注 / 客户), when two or
    more stay above; one word stays whole, on the bottom line.

    >>> two_line_header("Can't lose them"), two_line_header("即将沉睡客户"), two_line_header("Lost")
    (("Can't", 'lose them'), ('即将沉睡', '客户'), ('', 'Lost'))
    """
    words = name.split(" ")
    if len(words) > 1:
        cut = min(
            range(1, len(words)),
            key=lambda i: max(drawn_px(" ".join(words[:i])), drawn_px(" ".join(words[i:]))),
        )
        return " ".join(words[:cut]), " ".join(words[cut:])
    if len(name) >= 4 and all(map(is_wide, name)):
        return name[:-2], name[-2:]
    return "", name


def show_count_matrix(matrix: pd.DataFrame, *, corner: str, **kwargs):
    """``st.dataframe`` of a matrix of counts whose rows and columns are named in the
    merchant's words (the segment movement: from a segment, to a segment): the rows' names
    pinned while the columns scroll, headed ``corner``; each header on two lines
    (:func:`two_line_header`; a no-break space in ``corner`` keeps a date whole) and each
    column as narrow as its header's longer line and its cells allow (:func:`drawn_px`);
    every row in view.

    Streamlit draws a header on one line; columns of two levels it draws as two header rows,
    which is how a header wraps here (the rows' names are a column, pinned, to take a header
    of two lines: an index has one). Its browser reads a column of two levels by its Python
    repr with ``'`` taken for ``"``: an apostrophe is written ’ ("Can’t"), a no-break space
    a plain one (its repr, ``\\xa0``, was shown as the whole header). The movement
    matrix's 11 one-line headers took 1,051 px in a 938 px table (Chromium, 1400 px) and the
    rows' names scrolled out of view."""
    heads = [two_line_header(corner), *(two_line_header(str(c)) for c in matrix.columns)]
    shown = matrix.reset_index(drop=True)
    shown.insert(0, "rows", [str(v) for v in matrix.index])
    # its browser reads the repr: no escape (a no-break space is "\\xa0" there) and no '
    shown.columns = pd.MultiIndex.from_tuples(
        [tuple(line.replace(NBSP, " ").replace("'", "’") for line in head) for head in heads]
    )
    cells = [list(shown.iloc[:, 0])] + [[f"{v:,}" for v in matrix[c]] for c in matrix.columns]
    cfg: dict = {}
    for i, (head, texts) in enumerate(zip(heads, cells, strict=True)):
        width = max(MIN_COLUMN_PX, *map(drawn_px, head), *map(drawn_px, texts))
        # by position: the (hidden) index is 0
        cfg[f"_pos:{i + 1}"] = (
            st.column_config.TextColumn(width=width, pinned=True)
            if i == 0
            else st.column_config.NumberColumn(width=width, format="%,d")
        )
    kwargs.setdefault("placeholder", MISSING)
    # every row in view: Streamlit's own height showed 10 of the 12 under two header rows
    kwargs.setdefault("height", (len(shown) + 2) * _ROW_PX + _BORDER_PX)
    return st.dataframe(shown, hide_index=True, column_config=cfg, **kwargs)


@st.cache_resource(max_entries=256, ttl=3600, show_spinner=False)
def _prepared_table(
    name: str,
    key: tuple,
    lang: str,
    area: str | None,
    kinds: tuple,
    hide_index: bool | None,
    own: tuple,
    _build: Callable[[], pd.DataFrame],
    on_screen: tuple | None = None,
    fit: bool = False,
    pinned: tuple = (),
):
    """What :func:`show_table` sends for ``_build()``: its Arrow table (as ``st.dataframe``
    converts a frame), its column config, its row count, the columns left to the download
    and the row height (``on_screen`` and ``fit`` as :func:`show_table` does them), built
    once per key."""
    from streamlit import dataframe_util

    df = _build()
    off: list[str] = []
    if on_screen is not None:
        df, off = screen_columns(df, on_screen)
    cfg = table_config(df, area=area, kinds=dict(kinds), hide_index=hide_index, scaled=True)
    cfg, row_height = _screen_widths(
        df, cfg, area, dict(kinds), fit=fit, one_line=on_screen is not None, pinned=pinned
    )
    table = dataframe_util.convert_pandas_df_to_arrow_table(_for_screen(df, area, dict(kinds), own))
    return table, cfg, len(df), tuple(off), row_height


def show_cached_table(
    build: Callable[[], pd.DataFrame],
    *,
    key: tuple,
    name: str,
    area: str | None = None,
    kinds: Mapping[str, str] | None = None,
    column_config: Mapping | None = None,
    empty: str = EMPTY,
    on_screen: Sequence[str] | None = None,
    fit: bool = False,
    pinned: Sequence[str] = (),
    **kwargs,
):
    """:func:`show_table` of ``build()``, converted to Arrow once per ``(name, key)`` and the
    run's language: ``key`` must name everything the frame depends on (``(ctx.key, params)``),
    never a frame. A cached page run converted every table again (pandas to Arrow, headers and
    formats): a sixth of its CPU (py-spy under bench/bench_load.py). ``build`` runs on a miss
    only, so it may do the work a table needs first (translating names). ``on_screen`` and
    ``fit`` as in :func:`show_table`: the other columns only in the download, named in a
    caption; the columns within the page's width. ``pinned``: a matrix's row labels, as in
    :func:`show_table` (``"_index"`` pins the index)."""
    from ecomdash.i18n import get_lang

    table, cfg, n, off, row_height = _prepared_table(
        name,
        key,
        get_lang(),
        area,
        tuple(sorted((kinds or {}).items())),
        kwargs.get("hide_index"),
        tuple(column_config or ()),
        build,
        None if on_screen is None else tuple(on_screen),
        fit,
        tuple(pinned),
    )
    cfg = {**cfg, **(column_config or {})}
    if fit:
        kwargs.setdefault("row_height", row_height)
    kwargs.setdefault("placeholder", MISSING)
    out = st.dataframe(table, column_config=cfg, **_fitted(kwargs, n))
    if off:
        st.caption(
            download_note(off, area=area, kinds=kinds),
            help=download_help(off, area=area, kinds=kinds) or None,
        )
    if n == 0:
        st.caption(_(empty))
    return out


def long_dataframe(df: pd.DataFrame, *, max_rows: int = MAX_ROWS_SHOWN, **kwargs) -> None:
    """:func:`show_table` of at most ``max_rows`` rows, with a caption when rows are left out."""
    show_table(df, max_rows=max_rows, **kwargs)


def download_headers(
    df: pd.DataFrame, *, area: str | None = None, kinds: Mapping[str, str] | None = None
) -> list[str]:
    """The merchant's header of each column a CSV of ``df`` holds (see ecomdash.exports);
    ``kinds`` as in :func:`show_table`."""
    from ecomdash.exports import written_columns

    display = current_display()
    kinds = kinds or {}
    return [L.header(c, display, area, kinds.get(str(c))) for c in written_columns(df)]
