"""A table given a fixed height is never taller than its rows: a 420 px basket rules table of
10 rules showed an empty band under its last row (CI screenshot)."""

from __future__ import annotations

import pandas as pd
import pytest

from ecomdash.ui import tables


@pytest.fixture
def sent(monkeypatch):
    got: list[dict] = []
    monkeypatch.setattr(tables.st, "dataframe", lambda data, **kw: got.append(kw))
    return got


@pytest.mark.parametrize(
    ("rows", "asked", "height"),
    [
        (10, 420, 11 * 35 + 3),  # header + 10 rows, 3 px of border: 388
        (11, 420, 12 * 35 + 3),  # 423 > 420: the height asked
        (30, 420, 420),
        (3, 300, 4 * 35 + 3),
    ],
)
def test_a_fixed_height_shrinks_to_the_rows(sent, rows, asked, height):
    if rows == 11:
        height = min(height, asked)
    tables.show_table(pd.DataFrame({"a": range(rows)}), height=asked)
    assert sent[-1]["height"] == height


def test_an_empty_table_is_not_drawn_at_any_height(sent):
    """An empty table is a sentence, not a grid (test_table_empty): no height to shrink."""
    tables.show_table(pd.DataFrame({"a": range(0)}), height=420)
    assert sent == []


def test_no_height_or_a_named_one_is_passed_unchanged(sent):
    tables.show_table(pd.DataFrame({"a": range(3)}))
    assert "height" not in sent[-1]
    tables.show_table(pd.DataFrame({"a": range(3)}), height="auto")
    assert sent[-1]["height"] == "auto"


def test_the_cached_table_shrinks_too(sent):
    frame = pd.DataFrame({"a": range(4)})
    tables.show_cached_table(lambda: frame, key=("height-test",), name="t", height=330)
    assert sent[-1]["height"] == 5 * 35 + 3
