"""Tables sent to the browser: at most a page of rows, the full table in the download.

Every row of an ``st.dataframe`` is converted to Arrow and sent to the browser on every rerun
of the page. A customer list of thousands of rows cost the server more than the rest of the
Segments page; the merchant reads the first rows on screen and takes the whole list as a file.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

#: Rows of a long table shown on screen; the download always holds every row.
MAX_ROWS_SHOWN = 200


def head_for_screen(df: pd.DataFrame, max_rows: int = MAX_ROWS_SHOWN) -> tuple[pd.DataFrame, str]:
    """The rows to show and a note saying how many of how many (empty when all are shown)."""
    if len(df) <= max_rows:
        return df, ""
    return (
        df.head(max_rows),
        f"Showing the first {max_rows:,} of {len(df):,} rows; the download has all {len(df):,}.",
    )


def long_dataframe(df: pd.DataFrame, *, max_rows: int = MAX_ROWS_SHOWN, **kwargs) -> None:
    """``st.dataframe`` of at most ``max_rows`` rows, with a caption when rows are left out."""
    shown, note = head_for_screen(df, max_rows)
    st.dataframe(shown, **kwargs)
    if note:
        st.caption(note)
