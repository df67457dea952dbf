"""Shared UI text the frame translator owns (``ecomdash/ui/common.py``, ``ecomdash/ui/tables.py``,
``ecomdash/labels.py``: the row-cap note, model names, column labels) that the tests of the
customer pages meet before the branches merge.

``area_english_left`` is ``zh_walk.english_left`` with that text taken out of each shown string
first (and table headers, labels.py's, ignored), so anything else English on the page still
counts. After integration the list can shrink: delete an entry and the area tests show whether
the frame's translation landed."""

from __future__ import annotations

import re

from ecomdash import labels as L
from tests.pages.zh_walk import _english_words, shown_text

FRAME_OWNED = (
    re.compile(r"^Showing the first [\d,]+ of [\d,]+ rows.*$"),  # tables.long_dataframe
)


def _model_names() -> list[str]:
    # labels.MODEL_LABELS: the frame translates them; longest first so none is cut in two
    return sorted({str(v) for v in L.MODEL_LABELS.values()}, key=len, reverse=True)


def area_english_left(at, *, data_values=frozenset(), data_texts=(), frame_texts=()) -> list[str]:
    """Shown strings with English words left after taking out the frame-owned text.

    ``data_values``: whole shown strings that are the merchant's data; ``data_texts``: the
    merchant's texts (product names) taken out wherever they appear (a picker's "id — name",
    a reason naming the products bought); ``frame_texts``: labels.py column labels a sentence
    quotes (translated by the frame)."""
    bad = []
    names = _model_names()
    texts = sorted({str(t) for t in data_texts if t}, key=len, reverse=True)
    for where, text in shown_text(at):
        if where == "table header" or text in data_values:
            continue
        rest = re.sub(r"\\(.)", r"\1", text)  # common.inert's markdown escapes
        for pattern in FRAME_OWNED:
            rest = pattern.sub("", rest)
        for name in (*texts, *frame_texts, *names):
            if name in rest:
                rest = rest.replace(name, "")
        words = _english_words(rest)
        if words:
            bad.append(f"{where}: {text[:120]!r} ({', '.join(words[:5])})")
    return bad
