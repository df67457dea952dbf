"""What a page shows, as text, and the English left in it when the UI is Chinese.

``shown_text(at)`` collects every string an AppTest run puts in front of the merchant: titles,
markdown, captions, alerts, widget labels, options and help, metric labels, values and help,
button labels, tab and expander labels, the table headers the browser shows, and the chart
titles, axis titles, legend and trace names. ``english_left(at)`` returns those holding an
English word (a run of letters with a lowercase one, two letters or more), after taking out
what is not UI text: the merchant's own data values, the allowed technical tokens below.
"""

from __future__ import annotations

import json
import re

from tests.pages.conftest import displayed_frame

#: Tokens that stay as written in the Chinese UI: file types, units, and the names of methods
#: a Chinese analyst also writes in Latin letters (upper-case acronyms always pass).
ALLOWED = {"csv", "xlsx", "xls", "parquet", "zip", "json", "html", "pdf", "txt", "gz"}
# --- zh-overview: Streamlit's markdown colour directive (":red[3 条…]"), not shown as a word
ALLOWED |= {"red"}
# -- Data page (zh-data): names of products and platforms a Chinese operator writes in Latin
# letters (the export formats and shop systems the upload accepts), and file types
ALLOWED |= {"excel", "shopify", "woocommerce", "opendocument", "tsv", "ods"}
# --- customer pages (segments, customer value, recommendations) ---
# Gamma-Gamma: the spend model (Fader & Hardie), named in Latin letters as BG/NBD is, also in
# Chinese literature; alpha: a BG/NBD parameter, shown by that name in the parameter table.
ALLOWED |= {"gamma-gamma", "alpha"}
# --- basket & forecast pages (zh-basket) ---
# method names a Chinese analyst writes in Latin letters: Croston's method (intermittent
# demand, "Croston/SBA"), MinT reconciliation ("MinT 对角法")
ALLOWED |= {"croston", "mint"}
# --- end basket & forecast ---
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]|[A-Za-z]")
SKIP_TYPES = {"dataframe", "table", "json", "code"}  # data, shown as data
#: widgets whose ``value`` is not text we wrote: what the merchant typed, or the id of the
#: chosen option (the option itself, as format_func shows it, is checked)
VALUE_NOT_SHOWN = {
    "text_input",
    "text_area",
    "number_input",
    "date_input",
    "radio",
    "selectbox",
    "multiselect",
    "button_group",
    "select_slider",
    "checkbox",
    "toggle",
}


def _english_words(text: str) -> list[str]:
    words = []
    for w in WORD.findall(text):
        if len(w) < 2 or w.isupper() or w.lower() in ALLOWED:
            continue
        if any(ch.islower() for ch in w):
            words.append(w)
    return words


def _chart_text(spec: str) -> list[str]:
    fig = json.loads(spec)
    out: list[str] = []
    layout = fig.get("layout", {})

    def title(obj):
        t = obj.get("title") if isinstance(obj, dict) else None
        if isinstance(t, dict):
            t = t.get("text")
        if t:
            out.append(str(t))

    title(layout)
    for k, v in layout.items():
        if k.startswith(("xaxis", "yaxis")) and isinstance(v, dict):
            title(v)
    title(layout.get("legend", {}))
    for a in layout.get("annotations", []) or []:
        if a.get("text"):
            out.append(str(a["text"]))
    for tr in fig.get("data", []):
        if tr.get("name") and tr.get("showlegend", True) is not False:
            out.append(str(tr["name"]))
    return out


def _bool_cells(node) -> list[tuple[str, str]]:
    """The cells of a table's yes/no columns that the browser writes as words: a bool column
    without a tick-box config reads "true" / "false", English in every language."""
    from tests.pages.conftest import column_types

    types = column_types(node)
    return [
        ("table cell", f"{c}: true / false")
        for c in node.value.columns
        if node.value[c].dtype == bool and types.get(str(c)) != "checkbox"
    ]


def shown_text(at) -> list[tuple[str, str]]:
    """``[(where, text)]`` of everything the run shows (main area and sidebar)."""
    out: list[tuple[str, str]] = []

    def visit(node):
        kind = getattr(node, "type", type(node).__name__)
        if kind == "plotly_chart":
            out.extend(("chart", t) for t in _chart_text(node.proto.spec))
        elif kind in ("dataframe", "arrow_data_frame"):
            try:
                out.extend(("table header", str(c)) for c in displayed_frame(node).columns)
                out.extend(_bool_cells(node))
            except Exception:
                pass
        elif kind not in SKIP_TYPES:
            for attr in ("label", "value", "help", "placeholder", "body", "delta", "options"):
                if attr == "value" and kind in VALUE_NOT_SHOWN:
                    continue  # what the merchant typed, or a choice's id (its option is shown)
                try:
                    v = getattr(node, attr, None)
                except Exception:
                    continue
                if isinstance(v, str) and v:
                    out.append((kind, v))
                elif attr == "options" and isinstance(v, list | tuple):
                    out.extend((f"{kind} option", str(o)) for o in v)
        for child in (
            getattr(node, "children", {}).values()
            if isinstance(getattr(node, "children", None), dict)
            else []
        ):
            visit(child)

    for root in (at.main, at.sidebar):
        visit(root)
    return list(dict.fromkeys(out))  # an element's label, value and body are often one text


def english_left(
    at, *, data_values: set[str] = frozenset(), ignore: tuple[str, ...] = ()
) -> list[str]:
    """Shown strings with English words in them (``data_values``: the merchant's own texts,
    such as product names, left out; ``ignore``: kinds of place not checked, e.g.
    ``("table header",)``)."""
    bad = []
    for where, text in shown_text(at):
        if text in data_values or where in ignore:
            continue
        words = _english_words(text)
        if words:
            bad.append(f"{where}: {text[:120]!r} ({', '.join(words[:5])})")
    return bad
