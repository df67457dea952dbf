"""One count of how wide a text is drawn (ecomdash/text_width.py): the CLI's terminal columns
come from it, a Chinese character twice a Latin one, and the pages' tables tell a Chinese
character by it (their other characters as the font draws them, ``tables.drawn_px``)."""

from __future__ import annotations

import re
from pathlib import Path

from ecomdash.text_width import is_wide, text_width

ROOT = Path(__file__).resolve().parents[2]


def test_a_chinese_character_is_two_columns_and_a_latin_one_one():
    assert text_width("") == 0
    assert text_width("abc") == 3
    assert text_width("流失 ab") == 7  # two wide, a space and two letters
    assert text_width("（90天）") == 8  # fullwidth brackets are wide, the digits are not
    assert text_width("流失 ab", narrow=7.5, wide=14) == 2 * 14 + 3 * 7.5
    assert is_wide("客") and is_wide("，") and not is_wide("a") and not is_wide("%")


def test_the_cli_and_the_pages_count_with_it():
    """`ecomdash pricing` lined up its product column with its own east_asian_width count and
    the Customer value page sized its checklist with another: one count now, in the core."""
    from ecomdash.cli.pricing import _cells
    from ecomdash.ui.tables import drawn_px

    for text in ("Gift box (TOY-278)", "儿童积木 (TOY-278)", "基线：仅看最近购买"):
        assert _cells(text) == text_width(text)
    # the tables tell a wide character by is_wide (14 px) and draw the rest as the font does:
    # 9 wide ones and the cell's 18 px; "儿童积木 (TOY-278)" 4 × 14 + 3 + 4.5 + 8 + 9.5 + 7 +
    # 4.5 + 3 × 7 + 4.5 = 118 px, 136 with the padding
    assert drawn_px("基线：仅看最近购买") == 9 * 14 + 18
    assert drawn_px("儿童积木 (TOY-278)") == 136
    uses = [
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "ecomdash").rglob("*.py")
        # a count of its own (``unicodedata.east_asian_width(ch)``); pandas' display option
        # of that name (``forecast``'s ABC × XYZ table) lines up a frame pandas prints
        if re.search(r"east_asian_width\(", p.read_text(encoding="utf-8"))
    ]
    assert uses == ["ecomdash/text_width.py"], uses
