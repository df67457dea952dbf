"""Merchant text inside plotly figures: plotly reads ``<b>``, ``<br>``, ``<a href>`` … in
labels, hovers and titles, so a product named ``<b>Sale</b> & more`` is shown as written only
with ``<``, ``>`` and ``&`` as entities (STREAMLIT.md: plotly is a markup sink)."""

from __future__ import annotations

import html

from ecomdash.labels import product_label


def esc(text: object, limit: int | None = None) -> str:
    """``text`` for a plotly label, cut to ``limit`` characters with "…" when longer.

    >>> esc("<b>Sale</b> & more"), esc("Wooden Train Set", 8)
    ('&lt;b&gt;Sale&lt;/b&gt; &amp; more', 'Wooden …')
    """
    s = str(text)
    if limit is not None and len(s) > limit:
        s = s[: limit - 1] + "…"
    return html.escape(s, quote=False)


def product_text(name, product_id) -> str:
    """A product as a plotly label names it: :func:`ecomdash.labels.product_label`, escaped."""
    return esc(product_label(name, product_id))
