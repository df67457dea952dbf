"""Shared UI text the frame translator owns (``ecomdash/ui/common.py``, ``ecomdash/ui/tables.py``,
``ecomdash/labels.py``: the row-cap note, model names, column labels) that the tests of the
customer pages meet before the branches merge.

``area_english_left`` is ``zh_walk.english_left`` with that text taken out of each shown string
first (and table headers, labels.py's, ignored), so anything else English on the page still
counts. A text is taken out only while the zh catalogue lacks it, so once the frame's branch is
merged these checks are as strict as ``zh_walk.english_left`` (as ``zh_pending`` does for the
pricing and alerts pages)."""

from __future__ import annotations

import re

from ecomdash import labels as L
from ecomdash.i18n import catalogue
from tests.pages.zh_walk import _english_words, shown_text

#: (message id in the frame's catalogue, the English it leaves while that id is untranslated)
FRAME_OWNED = (
    (  # tables.long_dataframe's row-cap note
        "Showing the first {shown} of {total} rows; the download has all {total}.",
        re.compile(r"^Showing the first [\d,]+ of [\d,]+ rows.*$"),
    ),
)


def _pending(texts) -> list[str]:
    """``texts`` the zh catalogue does not translate yet, longest first (so none is cut in
    two): once the frame's catalogue holds one, it is no longer taken out, and a page that
    still shows it in English fails."""
    zh = catalogue("zh")
    return sorted({str(t) for t in texts if str(t) not in zh}, key=len, reverse=True)


def _model_names() -> list[str]:
    # labels.MODEL_LABELS: the frame translates them
    return _pending(L.MODEL_LABELS.values())


def area_english_left(at, *, data_values=frozenset(), data_texts=(), frame_texts=()) -> list[str]:
    """Shown strings with English words left after taking out the frame-owned text.

    ``data_values``: whole shown strings that are the merchant's data; ``data_texts``: the
    merchant's texts (product names) taken out wherever they appear (a picker's "id — name",
    a reason naming the products bought); ``frame_texts``: labels.py column labels a sentence
    quotes (translated by the frame)."""
    bad = []
    zh = catalogue("zh")
    names = _model_names()
    texts = sorted({str(t) for t in data_texts if t}, key=len, reverse=True)
    for where, text in shown_text(at):
        if where == "table header" or text in data_values:
            continue
        rest = re.sub(r"\\(.)", r"\1", text)  # common.inert's markdown escapes
        for msgid, pattern in FRAME_OWNED:
            if msgid not in zh:
                rest = pattern.sub("", rest)
        for name in (*texts, *_pending(frame_texts), *names):
            if name in rest:
                rest = rest.replace(name, "")
        words = _english_words(rest)
        if words:
            bad.append(f"{where}: {text[:120]!r} ({', '.join(words[:5])})")
    return bad
