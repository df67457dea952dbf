"""Long tables: the screen gets at most a page of rows and says so; nothing is lost."""

from __future__ import annotations

import pandas as pd

from ecomdash.ui.tables import head_for_screen


def test_short_table_is_shown_whole_without_a_note():
    df = pd.DataFrame({"a": range(5)})
    shown, note = head_for_screen(df, max_rows=5)
    assert shown is df and note == ""


def test_long_table_is_cut_to_the_first_rows_with_a_note():
    df = pd.DataFrame({"a": range(1234)})
    shown, note = head_for_screen(df, max_rows=100)
    assert list(shown["a"]) == list(range(100))
    assert note == "Showing the first 100 of 1,234 rows; the download has all 1,234."
    assert len(df) == 1234  # the input (what the download writes) is untouched
