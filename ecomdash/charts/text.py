"""Merchant text inside plotly figures: plotly reads ``<b>``, ``<br>``, ``<a href>`` … in
labels, hovers and titles, so a product named ``<b>Sale</b> & more`` is shown as written only
with ``<``, ``>`` and ``&`` as entities (STREAMLIT.md: plotly is a markup sink)."""

from __future__ import annotations

import html

from ecomdash.i18n import get_lang
from ecomdash.i18n.fmt import NBSP
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


def word_figure(word: str, figure: str, *, lang: str | None = None) -> str:
    """A hover's ``word`` and the figure after it (a plotly field such as ``%{z:,}``), joined
    as the catalogue joins them: a plain space in English (``Orders %{z:,}``), the no-break
    space in Chinese (``订单数\\u00a0%{z:,}``, :data:`ecomdash.i18n.fmt.NBSP`), as every zh
    message writes a Chinese word and the figure after it (``共\\u00a0{n}``; the
    ``ZH_PLAIN_BEFORE`` rule of tests/unit/test_i18n_units.py).

    >>> word_figure("Orders", "%{z:,}", lang="en"), word_figure("订单数", "%{z:,}", lang="zh")
    ('Orders %{z:,}', '订单数\\xa0%{z:,}')
    """
    return word + (NBSP if (lang or get_lang()) == "zh" else " ") + figure
