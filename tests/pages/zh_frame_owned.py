"""Shared UI text the frame translator owns (ecomdash/ui/common.py, ecomdash/ui/tables.py,
ecomdash/labels.py) that the area tests of the customer pages meet before the branches merge.

``area_english_left`` is ``zh_walk.english_left`` without these: each pattern names the shared
function the text comes from, so after integration the list can shrink to nothing (and should:
delete a pattern and the area tests show whether the frame translation landed)."""

from __future__ import annotations

import re

from tests.pages.zh_walk import english_left

FRAME_OWNED = (
    re.compile(r"^status: .* (done in [\d.]+ s|stopped)'"),  # common.timed_status's ending
    re.compile(r"^caption: 'Showing the first [\d,]+ of [\d,]+ rows"),  # tables.long_dataframe
    re.compile(r"^download_button: 'Download CSV'"),  # common.download_table's default label
)


def area_english_left(at, *, data_values=frozenset(), frame_owned=FRAME_OWNED) -> list[str]:
    """English left on an area's page, table headers (labels.py) and frame-owned text aside."""
    left = english_left(at, data_values=data_values, ignore=("table header",))
    return [x for x in left if not any(p.search(x) for p in frame_owned)]
