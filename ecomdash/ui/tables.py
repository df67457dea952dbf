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
import numbers
from collections.abc import Callable, Collection, Mapping, Sequence

import pandas as pd
import streamlit as st

from ecomdash import labels as L
from ecomdash.i18n import N_, _, fmt, get_lang
from ecomdash.i18n.fmt import MISSING, NBSP, pct_sign
from ecomdash.text_width import is_wide

# the layout (no Streamlit), re-exported: the pages and tests read it here
from ecomdash.ui.table_layout import (  # noqa: F401
    EXPANDER_PX,
    GRID_MIN_PX,
    HALF_PX,
    INNER_PX,
    MIN_COLUMN_PX,
    PAGE_PX,
    TWO_FIFTHS_PX,
    WRAP_LINES,
    WRAP_ROW_PX,
    _longest_word_px,
    cell_lines,
    cell_wrap,
    column_layout,
    count_matrix_layout,
    drawn_px,
    hyphenated,
    matrix_widths,
    one_line_widths,
    unbreakable_parts,
)

#: Rows of a long table shown on screen; the download always holds every row.
MAX_ROWS_SHOWN = 200

#: What an empty table says (pages pass their own ``empty=`` when they know better).
EMPTY = N_(
    "No rows for this selection. Widen the period, countries or categories in the sidebar, "
    "or change the settings above."
)
#: :data:`EMPTY` on a dataset whose country field holds provinces (``labels.Display.provinces``:
#: the sidebar's filter is "Provinces" / 省份)
EMPTY_PROVINCES = N_(
    "No rows for this selection. Widen the period, provinces or categories in the sidebar, "
    "or change the settings above."
)


def empty_text(empty: str) -> str:
    """What an empty table says, in this run's language: ``empty``, the page's own text, or
    the general :data:`EMPTY`, which names the sidebar's filter as the sidebar does
    (provinces where the dataset's places are provinces)."""
    if empty == EMPTY and current_display().provinces:
        empty = EMPTY_PROVINCES
    return _(empty)  # EMPTY is a marked id; a page's own text comes translated


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


def _shown(c: L.Col, s: pd.Series | None, display: L.Display) -> L.Col:
    """Catalogue column ``c`` as a table shows ``s``, its values: a money column with an
    amount below zero names its currency in the header and writes the amounts without it,
    "Net revenue (£)" over "-739.32": the browser's printf format put the minus after the
    sign, "£-739.32" (its "dollar" and "euro" formats, which write "-$739.32", cover two
    currencies: streamlit/streamlit#10419). Amounts that round to zero do not count
    (:func:`_for_screen` sends them as 0.0)."""
    symbol = display.symbol.strip()
    if c.kind != "money" or not symbol or s is None:
        return c
    if not pd.api.types.is_numeric_dtype(s.dtype) or s.dtype == bool:
        return c
    if not (s.round(c.places) < 0).any():
        return c
    # the download's header too (labels.header)
    return L.Col(L.with_unit(c.label, symbol), "number", c.places, c.help)


def _config(c: L.Col, s: pd.Series | None, display: L.Display, scaled: bool = False):
    c = _shown(c, s, display)
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
    # dates and yes/no values the catalogue calls text are still shown as such: a date sent
    # as text reads as milliseconds since 1970 in the browser, a bool as "true" / "false"
    if c.kind in ("date", "datetime", "text") and s is not None and _is_dates(s):
        if c.kind == "datetime" and pd.api.types.is_datetime64_any_dtype(s.dtype):
            return st.column_config.DatetimeColumn(
                c.label, help=help_, format=f"{display.date_format} HH:mm"
            )
        return st.column_config.DateColumn(c.label, help=help_, format=display.date_format)
    if c.kind in ("flag", "text") and s is not None and s.dtype == bool:
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
        c = _column(L.place_column(col, display), area, kinds)
        out[col] = _config(c, df[col], display, scaled)
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


def _layout_input(
    df: pd.DataFrame, area: str | None, kinds: Mapping[str, str] | None
) -> tuple[dict[str, list[str]], dict[str, str]]:
    """The cells' text as the browser writes them and the headers, of ``df`` shown."""
    shown = _for_screen(df, area, kinds)
    display = current_display()
    cols = {
        c: _shown(_column(L.place_column(c, display), area, kinds), df[c], display)
        for c in df.columns
    }
    return (
        {c: [_cell_text(v, cols[c], display) for v in shown[c]] for c in df.columns},
        {c: cols[c].label for c in df.columns},
    )


def cut_rows(
    df: pd.DataFrame,
    column: str,
    *,
    on_screen: Sequence[str],
    area: str | None = None,
    budget: int = PAGE_PX,
) -> list[bool]:
    """For each row of ``df``, whether :func:`show_table` with ``on_screen`` cuts its
    ``column`` (its text drawn wider than the width :func:`one_line_widths` gives it: it ends
    in "…"), so a page can offer such a text whole elsewhere."""
    shown, _off = screen_columns(df, on_screen)
    cells, headers = _layout_input(shown, area, None)
    width = one_line_widths(cells, headers, budget=budget - 2)[column]
    return [drawn_px(t) > width for t in cells[column]]


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
    An empty table is not drawn (Streamlit's grid wrote its own English "empty" in it, on
    Chinese pages too): a caption says what to do next (``empty``). ``fit``: the
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
    if len(df) == 0:  # a sentence, not a grid reading Streamlit's own English "empty"
        st.caption(empty_text(empty))
        return None
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
    in taller rows (``fit``), or one line high each (``one_line``: an ``on_screen`` table),
    the grid's two border pixels left out of ``budget``; a matrix with ``pinned`` row labels:
    each column its text's width (:func:`matrix_widths`), the ``pinned`` ones pinned; ``cfg``
    as it is otherwise."""
    widths: dict = {}
    row_height = None
    if pinned:
        widths = matrix_widths(*_layout_input(df, area, kinds))
        cfg = {c: {**cfg[c], "pinned": True} if c in pinned else cfg[c] for c in cfg}
    elif fit:
        # within the grid's border, as a table of one-line rows: a fitted table given the
        # whole of its column's width ran 1 to 3 px past it (Chromium at 1280 px)
        widths, row_height = fitted_columns(df, area=area, kinds=kinds, budget=budget - 2)
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


def show_count_matrix(
    matrix: pd.DataFrame,
    *,
    corner: str | tuple[str, str],
    corner_help: str | None = None,
    **kwargs,
):
    """``st.dataframe`` of a matrix of counts whose rows and columns are named in the
    merchant's words (the segment movement: from a segment, to a segment): the rows' names
    pinned while the columns scroll, headed ``corner`` (its two lines, or a name cut in two),
    with ``corner_help`` as its tooltip; each header on two lines
    (:func:`two_line_header`; a no-break space in ``corner`` keeps a date whole) and each
    column as narrow as its header's longer line and its cells allow (:func:`drawn_px`),
    within the page (:func:`count_matrix_layout`: where the matrix is wider, a header of one
    word is cut with a hyphen, "Hiber-" over "nating"); every row in view.

    Streamlit draws a header on one line; columns of two levels it draws as two header rows,
    which is how a header wraps here (the rows' names are a column, pinned, to take a header
    of two lines: an index has one). Its browser reads a column of two levels by its Python
    repr with ``'`` taken for ``"``: an apostrophe is written ’ ("Can’t"), a quote ”, a no-break space
    a plain one (its repr, ``\\xa0``, was shown as the whole header). The movement
    matrix's 11 one-line headers took 1,051 px in a 938 px table (Chromium, 1400 px) and the
    rows' names scrolled out of view."""
    corner = two_line_header(corner) if isinstance(corner, str) else corner
    shown = matrix.reset_index(drop=True)
    shown.insert(0, "rows", [str(v) for v in matrix.index])
    cells = [list(shown.iloc[:, 0])] + [[f"{v:,}" for v in matrix[c]] for c in matrix.columns]
    heads, widths = count_matrix_layout(
        [corner, *(two_line_header(str(c)) for c in matrix.columns)], cells
    )
    # its browser reads the repr: no escape (a no-break space is "\\xa0" there) and no '
    shown.columns = pd.MultiIndex.from_tuples(
        [
            tuple(line.replace(NBSP, " ").replace("'", "’").replace('"', "”") for line in head)
            for head in heads
        ]
    )
    cfg: dict = {}
    for i, width in enumerate(widths):
        # by position: the (hidden) index is 0
        cfg[f"_pos:{i + 1}"] = (
            st.column_config.TextColumn(width=width, pinned=True, help=corner_help)
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
    if n == 0:  # a sentence, not a grid reading Streamlit's own English "empty"
        st.caption(empty_text(empty))
        return None
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
