"""A slow analysis is bounded by its time budget and the page says so."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _page():
    import time

    import streamlit as st

    from ecomdash.errors import EcomdashError
    from ecomdash.ui.common import run_with_budget, show_error

    def slow(x):
        time.sleep(3)
        return x

    try:
        st.text(str(run_with_budget(slow, 41, seconds=0.3, what="The slow model")))
    except EcomdashError as exc:
        show_error(exc)
    st.text(str(run_with_budget(slow, 42, seconds=10)))


def test_slow_analysis_stops_waiting_with_a_message():
    at = AppTest.from_function(_page, default_timeout=30)
    at.run()
    assert not at.exception, at.exception
    assert "The slow model took longer than its time budget of 0.3\u00a0s" in at.error[
        0
    ].value.replace("\\", "")
    assert [t.value for t in at.text] == ["42"]
