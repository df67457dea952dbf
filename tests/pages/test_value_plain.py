"""AppTest: the Customer value page read by a merchant who knows no statistics, in English and
Chinese — the checklist readable, the churn and lifetime-value models' two figures explained,
plain words first on the churn tab (the technical names in the helps)."""

from __future__ import annotations

import json
import math

import pytest

from tests.pages.conftest import run_page


def _page(demo_dataset, lang):
    at = run_page("customer_value.py", dataset_id=demo_dataset.id, timeout=240, lang=lang)
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_checklist_wraps_its_text_in_columns_that_fit(demo_dataset, lang):
    """The browser got no widths for the checklist: each column took its one-line width, the
    table ran off the page and "Affects" read "lifetime-value models (BG/NBD, Gam". Now each
    column has a width within the page's budget and rows tall enough to wrap its text."""
    from ecomdash.ui import value as V

    at = _page(demo_dataset, lang)
    table = next(d for d in at.dataframe if "affects" in d.value.columns)
    cfg = json.loads(table.proto.columns)
    widths = {c: cfg[c]["width"] for c in table.value.columns}
    assert all(isinstance(w, int) for w in widths.values()), widths
    assert sum(widths.values()) <= V.CHECKLIST_PX + V._MIN_COLUMN_PX
    assert table.proto.row_height > 64  # Streamlit wraps only in rows taller than 4 rem
    for col in table.value.columns:
        for text in [cfg[col]["label"], *map(str, table.value[col])]:
            assert math.ceil(V.text_px(text) / widths[col]) <= V.CHECKLIST_LINES, (col, text)

