"""``english_left`` for the basket and forecast pages' Chinese tests (issue 16), with two
corrections the shared walker (tests/pages/zh_walk.py) does not make:

- a choice widget's ``value`` is its option id (``"order"``, ``"revenue"``): the merchant sees
  the option through ``format_func`` (checked with the options), never the id;
- texts other areas translate (the frame: model names from ecomdash.labels, ``Download CSV``,
  the status's ``done in``) are taken out only while this branch's catalogue lacks the frame's
  translation of ``Download CSV``; once the frame's catalogue is merged they are checked.

Merchant data (product names and ids) is taken out of a text wherever it appears in it (a
chart title ``与 {product} 一起购买`` holds one).
"""

from __future__ import annotations

import re

from ecomdash import labels as L
from ecomdash.i18n import catalogue
from tests.pages.zh_walk import _english_words, shown_text

CHOICE_KINDS = ("radio", "selectbox", "multiselect", "button_group", "select_slider")


def frame_translated() -> bool:
    """True once the frame's catalogue (labels, common.py texts) is in the zh catalogue."""
    return "Download CSV" in catalogue("zh")


def _choice_ids(at) -> set[str]:
    ids: set[str] = set()
    for kind in CHOICE_KINDS:
        try:
            widgets = list(at.get(kind))
        except Exception:
            continue
        for w in widgets:
            try:
                value, options = w.value, [str(o) for o in w.options]
            except Exception:
                continue
            values = value if isinstance(value, list | tuple) else [value]
            ids |= {str(v) for v in values if v is not None and str(v) not in options}
    return ids


def english_left_here(at, *, data_values: set[str] = frozenset()) -> list[str]:
    """Shown strings (table headers aside) with English words left, after the corrections."""
    ids = _choice_ids(at)
    pending: list[str] = []
    if not frame_translated():
        pending = sorted(
            {*L.MODEL_LABELS.values(), *L.MODEL_SHORT.values(), "Download CSV"},
            key=len,
            reverse=True,
        )
    data = sorted((d for d in data_values if d), key=len, reverse=True)
    bad = []
    for where, text in shown_text(at):
        if where == "table header":
            continue
        if where in CHOICE_KINDS and text in ids:
            continue
        t = text
        for d in data:
            t = t.replace(d, " ")
        for p in pending:
            t = t.replace(p, " ")
        if pending:
            t = re.sub(r" done in [0-9.]+ s$", "", t)
        words = _english_words(t)
        if words:
            bad.append(f"{where}: {text[:120]!r} ({', '.join(words[:5])})")
    return bad
