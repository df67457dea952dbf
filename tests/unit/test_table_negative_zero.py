"""No "£-0.00" / "-0.0 %" in an on-screen table (branch fmtread): its printf format is applied
in the browser, so the frame sent decides; ``fmt.money`` already writes "£0.00" in text."""

from __future__ import annotations

import pandas as pd
from streamlit.testing.v1 import AppTest


def _tiny_negative_page():
    import pandas as pd
    import streamlit as st

    from ecomdash import labels as L
    from ecomdash.ui import tables as T

    st.session_state[T.K_DISPLAY] = L.Display(currency="GBP")
    df = pd.DataFrame(
        {"product_name": ["Mug", "Tin"], "revenue": [-0.001, 12.346], "return_rate": [-1e-5, 0.5]}
    )
    T.show_table(df, hide_index=True)
    T.show_cached_table(lambda: df, key=("t",), name="tiny", hide_index=True)


def test_a_table_never_sends_a_negative_zero_to_the_browser():
    at = AppTest.from_function(_tiny_negative_page, default_timeout=30)
    at.run()
    assert not at.exception, at.exception
    for frame in at.dataframe:
        shown = frame.value
        # the browser writes -0.001 with "£%,.2f" as "£-0.00": it gets 0.0 (others as they are)
        assert shown["revenue"].tolist() == [0.0, 12.346]
        assert str(shown["revenue"].iloc[0]) == "0.0"  # not -0.0
        assert str(shown["return_rate"].iloc[0]) == "0.0"  # percent points, 1 decimal
        assert shown["return_rate"].iloc[1] == 50.0
        assert frame.proto.column_order is not None


def test_the_download_keeps_the_values():
    from ecomdash.ui.tables import _for_screen

    df = pd.DataFrame({"revenue": [-0.001, 12.346]})
    shown = _for_screen(df, None)
    assert df["revenue"].tolist() == [-0.001, 12.346]
    assert shown["revenue"].tolist() == [0.0, 12.346]
