"""The ``?tab=`` values a home finding links to come from one core constant
(``ecomdash.findings.links.LinkTab``): the findings write them and the pages read them from
there, so a tab renamed on one side cannot leave the other behind."""

from __future__ import annotations

import re
from pathlib import Path

from ecomdash.findings.links import LinkTab

SRC = Path(__file__).resolve().parents[2] / "ecomdash"
VALUES = "|".join(map(re.escape, sorted(LinkTab.values())))
LITERAL = re.compile(r"""["'](""" + VALUES + r""")["']""")
#: a line that writes or reads the tab query value (or the one before/after it does)
TAB_CODE = re.compile(r"\"tab\"|LINK_TAB|query_params")


def tab_literals(root: Path) -> list[str]:
    """Lines under ``root`` writing a tab value as a literal next to tab query code."""
    hits = []
    for path in sorted(root.rglob("*.py")):
        if path == root / "findings" / "links.py":
            continue
        lines = [line.split("#", 1)[0] for line in path.read_text(encoding="utf-8").splitlines()]
        for i, code in enumerate(lines):
            if LITERAL.search(code) and TAB_CODE.search(" ".join(lines[max(0, i - 1) : i + 2])):
                hits.append(f"{path.relative_to(root)}:{i + 1}: {code.strip()}")
    return hits


def test_the_tab_values_are_written_only_in_the_core_constant():
    assert LinkTab.values() == {"restock", "at-risk", "what-if", "promotions", "how-good"}
    assert tab_literals(SRC) == []


def test_the_scan_finds_a_literal_tab_value(tmp_path):
    """The check above can fail: the literals this branch replaced are found."""
    (tmp_path / "findings").mkdir()
    (tmp_path / "findings" / "x.py").write_text('query = (("tab", "restock"),)\n')
    (tmp_path / "page.py").write_text(
        'LINK_TAB_HOW_GOOD = "how-good"\n'
        'wanted = {"what-if": 1}.get(\n'
        '    str(st.query_params.get("tab", ""))\n'
        ")\n"
        'area = "restock"  # an analysis name, not a tab\n'
    )
    assert tab_literals(tmp_path) == [
        'findings/x.py:1: query = (("tab", "restock"),)',
        'page.py:1: LINK_TAB_HOW_GOOD = "how-good"',
        'page.py:2: wanted = {"what-if": 1}.get(',
    ]


def test_the_pages_open_the_tabs_the_findings_link_to():
    from ecomdash.ui import pricing as UP
    from ecomdash.ui import recommend as UR

    assert UR.LINK_TAB_HOW_GOOD == LinkTab.HOW_GOOD
    assert set(UP.LINK_TABS) == {LinkTab.WHAT_IF, LinkTab.PROMOTIONS}
