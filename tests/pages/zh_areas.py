"""``english_left`` for the basket and forecast pages' Chinese tests (issue 16): as
tests/pages/zh_pending.py does for pricing and alerts, the texts ANOTHER area owns are taken
out only while the zh catalogue lacks them (so after the frame's merge this is as strict as
``zh_walk.english_left``). Besides zh_pending's list, these pages show the model names of
ecomdash.labels (MODEL_LABELS / MODEL_SHORT, the frame's). Merchant data (product names and
ids) is taken out of a text wherever it appears in it (a chart title ``与 {product} 一起购买``
holds one)."""

from __future__ import annotations

from ecomdash import labels as L
from ecomdash.i18n import catalogue
from tests.pages import zh_pending
from tests.pages.zh_walk import shown_text


def pending() -> list[str]:
    """zh_pending's texts and the model names the catalogue lacks, longest first."""
    zh = catalogue("zh")
    models = {*L.MODEL_LABELS.values(), *L.MODEL_SHORT.values()}
    texts = set(zh_pending.pending()) | {m for m in models if m not in zh}
    return sorted(texts, key=len, reverse=True)


def english_left_here(at, *, data_values: set[str] = frozenset()) -> list[str]:
    """Shown strings (table headers aside) with English words left, less :func:`pending`."""
    data = frozenset(d for d in data_values if d)
    taken_out = zh_pending._taken_out(pending(), data)
    bad = []
    for where, text in shown_text(at):
        if where == "table header" or text in data:
            continue
        words = zh_pending._left(text, taken_out)
        if words:
            bad.append(f"{where}: {text[:120]!r} ({', '.join(words[:5])})")
    return bad
