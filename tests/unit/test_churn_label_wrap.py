"""The churn models' table in Chinese broke "基线：仍活跃的概率（BG/NBD）" inside "BG/NBD" in
a narrow column (Chromium). Streamlit's table draws its cells on a canvas (glide-data-grid's
canvas-hypertxt): a line that overflows breaks at its last space, and where it has none, at
the character that overflows — in a Chinese label without a space, anywhere, "（B" / "G/NBD）".
The Chinese labels now name the model after a space ("基线 BG/NBD：仍活跃的概率"), so a line
breaks before it and the name stays whole in any column at least as wide as it, which the
table's layout (``ui.tables.column_layout``) gives it."""

from __future__ import annotations

import pandas as pd
import pytest

from ecomdash import churn
from ecomdash.i18n import _, use_lang
from ecomdash.ui import tables as T


def canvas_lines(text: str, px: int) -> list[str]:
    """``text`` wrapped as Streamlit's canvas table wraps a cell ``px`` wide (its text
    measured as the font draws it, ``tables.drawn_px``, padding included: the layout's one
    measure): the longest head that fits, cut back to its last space after the first
    character when it has one."""

    def fits(s: str) -> bool:
        return T.drawn_px(s) <= px

    lines = []
    while not fits(text):
        cut = max(1, max(k for k in range(len(text) + 1) if fits(text[:k])))
        if text[cut] != " ":
            space = text.rfind(" ", 0, cut + 1)
            if space > 0:
                cut = space
        lines.append(text[:cut].strip())
        text = text[cut:].strip()
    return [*lines, text]


def _bgnbd_labels() -> list[str]:
    return [_(churn.MODEL_LABELS[m]) for m in ("p_alive", "bgnbd")]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_model_name_stays_whole_in_any_column_as_wide_as_its_longest_word(lang):
    with use_lang(lang):
        labels = _bgnbd_labels()
    for label in labels:
        assert "BG/NBD" in label, label
        narrowest = T._longest_word_px([label])  # what the layout gives it where it can
        for px in range(narrowest, T.drawn_px(label) + 1):
            lines = canvas_lines(label, px)
            assert any("BG/NBD" in line for line in lines), (label, px, lines)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_churn_models_table_fits_with_the_model_names_whole(lang):
    """The table the churn tab shows (its columns as ``value_views.render_churn`` keeps them)
    fits the page in both languages, and its model column is wide enough for the names."""
    models = ("logistic", "tree", "gbm", "recency", "p_alive", "bgnbd")
    with use_lang(lang):
        table = pd.DataFrame(
            {
                "label": [_(churn.MODEL_LABELS[m]) for m in models],
                "auc": [0.944] * 6,
                "precision_at_10pct": [0.996] * 6,
                "buyer_precision_at_10pct": [0.5] * 6,
                "brier": [0.123] * 6,
            }
        )
        widths, _rows = T.fitted_columns(table, area="value")
    assert sum(widths.values()) <= T.PAGE_PX, widths
    for label in table["label"]:
        lines = canvas_lines(label, widths["label"])
        assert T.cell_lines(label, widths["label"]) <= T.WRAP_LINES, (label, lines)
        if "BG/NBD" in label:
            assert any("BG/NBD" in line for line in lines), (label, widths["label"], lines)
