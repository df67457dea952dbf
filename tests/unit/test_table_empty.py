"""An empty table is not drawn: Streamlit's grid wrote its own English "empty" in it, on
Chinese pages too (Chromium, 异常提醒 with no alert in the period). Every table helper
(``show_table``, ``show_cached_table``; the pages' 60-odd tables go through them) says so in a
sentence in the page's language instead."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from ecomdash.i18n import _, use_lang
from ecomdash.ui.tables import EMPTY


def _empty_tables_page():
    import pandas as pd
    import streamlit as st

    from ecomdash import labels as L
    from ecomdash.i18n import set_lang
    from ecomdash.ui import tables as T

    set_lang(st.session_state["lang"])
    st.session_state[T.K_DISPLAY] = L.Display(currency="GBP")
    empty = pd.DataFrame({"product_name": pd.Series([], dtype=str), "revenue": []})
    T.show_table(empty, hide_index=True)
    T.show_cached_table(lambda: empty, key=("empty",), name="empty", hide_index=True)
    T.show_table(empty.assign(product_name=["Mug"] * 0), hide_index=True, empty=T.EMPTY)
    T.show_table(pd.DataFrame({"product_name": ["Mug"], "revenue": [1.0]}), hide_index=True)
    from ecomdash.ui.common import download_table

    download_table(empty, "empty", key="dl_empty")
    download_table(pd.DataFrame({"product_name": ["Mug"], "revenue": [1.0]}), "one", key="dl_one")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_empty_table_is_a_sentence_in_the_page_language(lang):
    at = AppTest.from_function(_empty_tables_page, default_timeout=30)
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception, at.exception
    assert len(at.dataframe) == 1  # only the table with a row is drawn
    with use_lang(lang):
        said = _(EMPTY)
    assert [c.value for c in at.caption] == [said] * 3
    # and no download of an empty table (a file of headers alone): only the table with a row's
    assert [b.key for b in at.get("download_button")] == ["dl_one"]
